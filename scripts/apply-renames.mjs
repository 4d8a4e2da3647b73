#!/usr/bin/env node
// Rewrites relative imports after files moved: `node scripts/apply-renames.mjs [renames.txt …]`
// (default: scripts/renames.txt). Each line `old/path.ts -> new/path.ts` (repository
// paths; `#` starts a comment). Every `from '…'`, `import('…')`, `export … from '…'` and
// `vi.mock('…')` specifier that starts with `.` in a .ts/.mts/.mjs file of the repository is
// resolved against its file; if it names an old path (written `.js` or `.ts`), it is rewritten to
// the relative path of the new one, keeping the extension it was written with. Specifiers are
// resolved, not matched as text, so `./pool.js` in src/exact/ and `../linalg/pool.js` are told
// apart (a plain sed cannot). Doc-comment mentions are not touched. Prints each file it changes.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lists = process.argv.slice(2).length ? process.argv.slice(2) : [join(root, 'scripts', 'renames.txt')];
const moves = new Map();
for (const list of lists) {
  for (const raw of readFileSync(list, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const m = /^(\S+)\s*->\s*(\S+)$/.exec(line);
    if (!m) throw new Error(`${list}: cannot read the line "${raw}" (want: old/path.ts -> new/path.ts)`);
    moves.set(m[1].replace(/\.ts$/, ''), m[2].replace(/\.ts$/, ''));
  }
}
const SKIP = new Set(['node_modules', 'dist', '.git', 'site']);
const walk = (dir) => readdirSync(dir).flatMap((f) => {
  if (SKIP.has(f)) return [];
  const p = join(dir, f);
  return statSync(p).isDirectory() ? walk(p) : /\.(ts|mts|mjs)$/.test(f) ? [p] : [];
});
const SPEC = /(\bfrom\s*|\bimport\s*\(\s*|\bvi\.mock\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\2/gm;
let changed = 0;
for (const file of walk(root)) {
  const text = readFileSync(file, 'utf8');
  const dir = dirname(relative(root, file));
  const out = text.replace(SPEC, (all, head, q, spec) => {
    const m = /^(.*?)(\.js|\.ts)?$/.exec(spec);
    const target = posix.normalize(posix.join(dir.split('\\').join('/'), m[1]));
    const to = moves.get(target);
    if (!to) return all;
    let rel = posix.relative(dir.split('\\').join('/') || '.', to);
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return `${head}${q}${rel}${m[2] ?? ''}${q}`;
  });
  if (out !== text) { writeFileSync(file, out); changed++; console.log(relative(root, file)); }
}
console.log(`apply-renames: ${moves.size} moves, ${changed} files rewritten`);
