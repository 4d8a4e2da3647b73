/**
 * Reading the CLI's inputs: MDP and policy files (or built-in names), with typed errors.
 * @module
 */
import { readFileSync } from 'node:fs';
import { fail, PgTruthError, show } from '../errors.js';
import { builtinMDP, LIBRARY } from '../mdp/library/index.js';
import { mdpFromJSON, parseJSON } from '../mdp/json.js';
import type { FiniteMDP } from '../mdp/model.js';
import { policyFromJSON } from '../policy/json.js';
import { softmaxPolicy } from '../policy/softmax.js';
import type { Policy } from '../policy/types.js';

/** Reads and parses a JSON file; `FILE_NOT_FOUND` and `JSON_PARSE` name the path. */
export function readJSONFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail('FILE_NOT_FOUND', `cannot read ${path}${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`, { where: path });
  }
  return parseJSON(text, path);
}

/** Prefix naming a built-in MDP on the command line: `builtin:short-corridor`. */
export const BUILTIN_PREFIX = 'builtin:';

/** An MDP from a file path or `builtin:<name>`; also returns the raw JSON when read from a file. */
export function loadMDP(arg: string): { mdp: FiniteMDP; json: unknown; label: string } {
  if (arg.startsWith(BUILTIN_PREFIX)) {
    const name = arg.slice(BUILTIN_PREFIX.length);
    return { mdp: builtinMDP(name), json: undefined, label: `${name} (built-in)` };
  }
  const json = readJSONFile(arg);
  try {
    return { mdp: mdpFromJSON(json), json, label: arg };
  } catch (e) {
    throw inFile(e, arg);
  }
}

/** A policy from a file, or `uniform` (all-zero softmax logits). */
export function loadPolicy(arg: string | undefined, mdp: FiniteMDP): { policy: Policy; json: unknown } {
  if (arg === undefined) fail('CLI_USAGE', 'missing --policy <policy.json> (or --policy uniform)', { where: '--policy' });
  if (arg === 'uniform') {
    return { policy: { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta: new Float64Array(mdp.numStates * mdp.numActions) }, json: { kind: 'direct', probs: Array.from({ length: mdp.numStates }, () => Array.from({ length: mdp.numActions }, () => `1/${mdp.numActions}`)) } };
  }
  const json = readJSONFile(arg);
  try {
    return { policy: policyFromJSON(json, mdp), json };
  } catch (e) {
    throw inFile(e, arg);
  }
}

/** The built-in names, for help texts. */
export function builtinNames(): string {
  return LIBRARY.map((e) => e.name).join(', ');
}

/** Parses a non-negative integer option. */
export function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) fail('CLI_USAGE', `${name} must be a non-negative integer, got ${show(value)}`, { where: name, value });
  return n;
}

/** The same error with the file named after its code: `[CODE] file: message`. */
export function inFile(e: unknown, path: string): unknown {
  if (!(e instanceof PgTruthError)) return e;
  const rest = e.message.replace(/^\[[A-Z_]+\] /, '');
  return new PgTruthError(e.code, `${path}: ${rest}`, { where: e.where, value: e.value });
}
