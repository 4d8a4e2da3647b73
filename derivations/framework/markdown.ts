/**
 * The derivation file format. A derivation is a Markdown file with a front matter block
 * and steps:
 *
 *     ---
 *     title: The policy gradient theorem
 *     source: Lehmann 2024, Theorem 3.1
 *     ---
 *     Prose, with $inline$ and $$display$$ math.
 *
 *     ::: step pgt.product-rule
 *     $$ \nabla V(s) = … $$
 *     One sentence of justification.
 *     :::
 *
 * A step holds exactly one display formula (the line of the derivation) followed by its
 * justification; its key names the check in `derivations/checks/` that computes both sides.
 *
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Prose between steps. */
export interface ProseBlock { readonly kind: 'prose'; readonly text: string; readonly line: number }

/** One step of a derivation. */
export interface StepBlock {
  readonly kind: 'step';
  readonly key: string;
  /** 1-based position among the derivation's steps. */
  readonly number: number;
  /** The LaTeX of the step's display formula. */
  readonly tex: string;
  /** The justification (Markdown, may hold inline math). */
  readonly why: string;
  readonly line: number;
}

/** A parsed derivation file. */
export interface Derivation {
  readonly file: string;
  /** The file name without `NN-` and `.md`: the page name. */
  readonly slug: string;
  readonly title: string;
  readonly source: string;
  readonly blocks: readonly (ProseBlock | StepBlock)[];
  readonly steps: readonly StepBlock[];
}

/** A malformed derivation file, with `file:line`. */
export class DerivationFormatError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'DerivationFormatError';
  }
}

const KEY = /^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$/;

function frontMatter(file: string, lines: string[]): { fields: Record<string, string>; next: number } {
  if (lines[0] !== '---') throw new DerivationFormatError(file, 1, 'a derivation starts with a front matter block (---)');
  const fields: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '---') return { fields, next: i + 1 };
    const m = /^([a-z]+):\s*(.+)$/.exec(lines[i]!);
    if (!m) throw new DerivationFormatError(file, i + 1, `front matter lines are "key: value", got ${JSON.stringify(lines[i])}`);
    fields[m[1]!] = m[2]!.trim();
  }
  throw new DerivationFormatError(file, 1, 'the front matter block is not closed (---)');
}

function parseStep(file: string, key: string, body: string[], line: number, number: number): StepBlock {
  if (!KEY.test(key)) throw new DerivationFormatError(file, line, `step key ${JSON.stringify(key)} is not of the form derivation.step (lowercase, digits, hyphens)`);
  const text = body.join('\n').trim();
  const m = /^\$\$([\s\S]+?)\$\$([\s\S]*)$/.exec(text);
  if (!m) throw new DerivationFormatError(file, line, `step ${key} must begin with its display formula $$ … $$`);
  const tex = m[1]!.trim(), why = m[2]!.trim();
  if (!tex) throw new DerivationFormatError(file, line, `step ${key} has an empty formula`);
  if (!why) throw new DerivationFormatError(file, line, `step ${key} has no justification after its formula`);
  if (why.includes('$$')) throw new DerivationFormatError(file, line, `step ${key} holds more than one display formula: one line per step`);
  return { kind: 'step', key, number, tex, why, line };
}

/** Parses one derivation's text. */
export function parseDerivation(file: string, source: string): Derivation {
  const lines = source.replace(/\r\n/g, '\n').split('\n');
  const { fields, next } = frontMatter(file, lines);
  for (const f of ['title', 'source']) if (!fields[f]) throw new DerivationFormatError(file, 1, `front matter needs "${f}:"`);
  const blocks: (ProseBlock | StepBlock)[] = [];
  const steps: StepBlock[] = [];
  let prose: string[] = [], proseLine = next + 1;
  const flush = () => { if (prose.join('').trim()) blocks.push({ kind: 'prose', text: prose.join('\n'), line: proseLine }); prose = []; };
  for (let i = next; i < lines.length; i++) {
    const open = /^:::\s*step\s+(\S+)\s*$/.exec(lines[i]!);
    if (!open) {
      if (/^:::/.test(lines[i]!)) throw new DerivationFormatError(file, i + 1, `unexpected ${JSON.stringify(lines[i])}: steps open with "::: step KEY" and close with ":::"`);
      if (!prose.length) proseLine = i + 1;
      prose.push(lines[i]!);
      continue;
    }
    flush();
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== ':::'; i++) {
      if (/^:::\s*step/.test(lines[i]!)) throw new DerivationFormatError(file, i + 1, `step ${open[1]} (line ${start + 1}) is not closed before the next step`);
      body.push(lines[i]!);
    }
    if (i >= lines.length) throw new DerivationFormatError(file, start + 1, `step ${open[1]} is not closed (:::)`);
    const step = parseStep(file, open[1]!, body, start + 1, steps.length + 1);
    if (steps.some((s) => s.key === step.key)) throw new DerivationFormatError(file, start + 1, `step key ${step.key} is used twice`);
    steps.push(step);
    blocks.push(step);
  }
  flush();
  if (!steps.length) throw new DerivationFormatError(file, 1, 'a derivation has at least one step');
  return { file, slug: basename(file, '.md').replace(/^\d+-/, ''), title: fields.title!, source: fields.source!, blocks, steps };
}

/** The derivation files in `dir` (`NN-name.md`), in order. */
export function derivationFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^\d+-.*\.md$/.test(f)).sort().map((f) => join(dir, f));
}

/** Reads and parses every derivation in `dir`. */
export function loadDerivations(dir: string): Derivation[] {
  return derivationFiles(dir).map((f) => parseDerivation(f, readFileSync(f, 'utf8')));
}
