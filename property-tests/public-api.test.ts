// The public surface cannot grow by accident: what src/index.ts exports — as the TypeScript
// checker sees it, types included — is exactly the committed list property-tests/public-api.txt,
// topic by topic, and the entry's topic blocks (which the API reference is grouped by) name the
// same symbols. Negative controls: an entry with one name more than the list is caught by the
// same comparison, and an `export *` in the entry is refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { apiTopics } from '../docs/lib/api-topics.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'src', 'index.ts');
const tmp = mkdtempSync(join(tmpdir(), 'pgtruth-api-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The committed list: topic → names, in the file's order. */
function committed(): Map<string, string[]> {
  const topics = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of readFileSync(join(root, 'property-tests', 'public-api.txt'), 'utf8').split('\n')) {
    if (line.startsWith('## ')) topics.set(line.slice(3), (current = []));
    else if (line && !line.startsWith('#')) current!.push(line);
  }
  return topics;
}

/** The names each file exports, from one TypeScript program over all of them. */
function exportedNames(files: string[]): string[][] {
  const program = ts.createProgram(files, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, types: ['node'], noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  return files.map((f) => checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(f)!)!).map((s) => s.name).sort());
}

/** Names in `actual` not listed, and listed names not in `actual`. */
function diff(actual: readonly string[], listed: readonly string[]): { unlisted: string[]; missing: string[] } {
  const a = new Set(actual), l = new Set(listed);
  return { unlisted: actual.filter((n) => !l.has(n)), missing: listed.filter((n) => !a.has(n)) };
}

describe('the public API (src/index.ts)', () => {
  const list = committed();
  const listed = [...list.values()].flat();

  it('exports exactly the names of property-tests/public-api.txt, and one more name would be caught', () => {
    expect(new Set(listed).size, 'a name listed twice').toBe(listed.length);
    // control: an entry that also exports an internal (a solver kernel) differs from the list by that name
    const grown = join(tmp, 'grown.ts');
    writeFileSync(grown, `export * from ${JSON.stringify(entry.replace(/\.ts$/, '.js'))};\nexport { gemmSub } from ${JSON.stringify(join(root, 'src', 'linalg', 'kernels.js'))};\n`);
    const [actual, grownNames] = exportedNames([entry, grown]);
    expect(diff(actual!, listed)).toEqual({ unlisted: [], missing: [] });
    expect(diff(grownNames!, listed)).toEqual({ unlisted: ['gemmSub'], missing: [] });
  }, 60_000);

  it('its topic blocks are the list\'s topics, in the same order, with the same names', () => {
    const topics = apiTopics(readFileSync(entry, 'utf8'));
    expect(topics.map((t) => t.title)).toEqual([...list.keys()]);
    for (const t of topics) {
      expect([...t.names].sort(), t.title).toEqual([...list.get(t.title)!].sort());
      expect(t.description.length, `${t.title} has a one-line description`).toBeGreaterThan(20);
    }
  });

  it('refuses an `export *` and an export outside a topic block (controls of the block reader)', () => {
    expect(() => apiTopics("// ─── Topic: A ───\n// about A.\nexport * from './x.js';\n")).toThrow(/no export \*/);
    expect(() => apiTopics("export { a } from './x.js';\n// ─── Topic: A ───\n")).toThrow(/before the first/);
    expect(apiTopics("// ─── Topic: A ───\n// about A.\nexport { a, b as c } from './x.js';\nexport type {\n  D,\n} from './y.js';\n")).toEqual([{ title: 'A', description: 'about A.', names: ['a', 'c', 'D'] }]);
  });
});
