/**
 * Strict JSON for pgtruth's input files: `JSON.parse` plus two rules it does not enforce.
 *
 * - **No duplicate keys.** RFC 8259 §4 says names "SHOULD be unique" and leaves duplicates'
 *   meaning to the parser; `JSON.parse` silently keeps the last. A file with `"gamma"` twice
 *   is a mistake whichever one was meant: `JSON_DUPLICATE_KEY` names the key and its path.
 * - **Bounded nesting.** A value nested deeper than {@link MAX_JSON_DEPTH} levels is
 *   `JSON_TOO_DEEP` naming its path, before any recursive code (validation, printing) could
 *   overflow the stack on it. pgtruth's formats nest at most 4 levels.
 *
 * The check is one pass over the text with an explicit stack (no recursion), run after
 * `JSON.parse` has accepted the text, so it only has to follow valid JSON.
 *
 * @module
 */
import { fail } from '../errors.js';

/** The deepest nesting of arrays and objects a pgtruth JSON input may have. */
export const MAX_JSON_DEPTH = 64;

interface Frame { readonly object: boolean; readonly keys: Set<string> | undefined; index: number; key: string | undefined }

function pathOf(stack: readonly Frame[]): string {
  let p = '';
  for (const f of stack) {
    if (f.object) { if (f.key !== undefined) p += /^[A-Za-z_$][\w$]*$/.test(f.key) ? (p ? '.' : '') + f.key : `[${JSON.stringify(f.key)}]`; }
    else p += `[${f.index}]`;
  }
  return p || '(top level)';
}

/** The end (exclusive) of the JSON string starting at `i` (a `"`). */
function stringEnd(text: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const c = text.charCodeAt(j);
    if (c === 34) return j + 1; // "
    j += c === 92 ? 2 : 1; // backslash: skip the escaped character
  }
}

/**
 * Throws `JSON_DUPLICATE_KEY` or `JSON_TOO_DEEP` (naming `source` and the path) for text
 * that `JSON.parse` accepted.
 */
export function checkJSONStructure(text: string, source = 'input', maxDepth = MAX_JSON_DEPTH): void {
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) { // a string: a key, or a value
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.object && expectKey) {
        const key = JSON.parse(text.slice(i, end)) as string;
        if (top.keys!.has(key)) {
          top.key = key;
          fail('JSON_DUPLICATE_KEY', `${source}: ${pathOf(stack)}: the key ${JSON.stringify(key)} appears twice in one object (JSON.parse would silently keep the last)`, { where: pathOf(stack), value: key });
        }
        top.keys!.add(key);
        top.key = key;
        expectKey = false;
      }
      i = end - 1;
    } else if (c === 123 || c === 91) { // { [
      if (stack.length >= maxDepth) { const where = pathOf(stack.slice(0, 3)) + '…'; fail('JSON_TOO_DEEP', `${source}: ${where}: a value nested more than ${maxDepth} levels deep (pgtruth's formats nest at most 4)`, { where, value: maxDepth }); }
      stack.push({ object: c === 123, keys: c === 123 ? new Set() : undefined, index: 0, key: undefined });
      expectKey = c === 123;
    } else if (c === 125 || c === 93) { // } ]
      stack.pop();
      expectKey = false;
    } else if (c === 44) { // ,
      const top = stack[stack.length - 1]!;
      if (top.object) expectKey = true; else top.index++;
    }
  }
}

/** `JSON.parse` with the checks of {@link checkJSONStructure}; a syntax error is `JSON_PARSE` naming `source`. */
export function parseStrictJSON(text: string, source = 'input'): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail('JSON_PARSE', `${source} is not valid JSON: ${(e as Error).message}`, { where: source });
  }
  checkJSONStructure(text, source);
  return value;
}
