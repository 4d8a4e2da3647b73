/**
 * The topics of the public API, read from `src/index.ts`: each block there starts with a line
 * `// ─── Topic: <title> ───…`, then `//` lines describing it, then `export { … } from '…'` and
 * `export type { … } from '…'` statements. The API reference groups the entry's symbols by
 * these blocks (docs/lib/api.ts), and property-tests/public-api.test.ts reads them too.
 *
 * @module
 */

/** One topic block of `src/index.ts`. */
export interface ApiTopic {
  readonly title: string;
  readonly description: string;
  /** The exported names (after `as`), in the order written. */
  readonly names: readonly string[];
}

const TOPIC = /^\/\/ ─+ Topic: (.+?) ─*$/;

/** The topic blocks of an entry file's text; throws on an export outside a block or an `export *`. */
export function apiTopics(text: string): ApiTopic[] {
  const topics: { title: string; description: string[]; names: string[] }[] = [];
  const statements = text.replace(/\/\*\*[\s\S]*?\*\//, '').split('\n');
  let exportText = '';
  for (const line of statements) {
    const head = TOPIC.exec(line);
    if (head) { topics.push({ title: head[1]!, description: [], names: [] }); continue; }
    const current = topics[topics.length - 1];
    if (exportText || line.startsWith('export')) {
      exportText += ` ${line}`;
      if (!/;\s*$/.test(line)) continue;
      const stmt = exportText.trim();
      exportText = '';
      if (/^export\s+\*/.test(stmt)) throw new Error(`src/index.ts: "${stmt}" — the public entry lists its names; no export *`);
      const m = /^export\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'[^']+';$/.exec(stmt);
      if (!m) throw new Error(`src/index.ts: cannot read the export "${stmt}"`);
      if (!current) throw new Error(`src/index.ts: "${stmt}" comes before the first "// ─── Topic: …" line`);
      for (const spec of m[1]!.split(',').map((s) => s.trim()).filter(Boolean)) current.names.push(spec.split(/\s+as\s+/).pop()!.replace(/^type\s+/, ''));
      continue;
    }
    if (current && !current.names.length && line.startsWith('// ')) current.description.push(line.slice(3));
  }
  return topics.map((t) => ({ title: t.title, description: t.description.join(' '), names: t.names }));
}
