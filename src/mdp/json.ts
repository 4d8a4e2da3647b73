/**
 * The MDP JSON format, read and written.
 *
 * ```json
 * { "states": 3 | ["s0", "s1", "s2"],
 *   "actions": 2 | ["left", "right"],
 *   "transitions": [[[p(s'|s,a) for s'] for a] for s],
 *   "rewards": [[r(s,a) for a] for s],
 *   "gamma": 0.9,
 *   "initial": [p0(s) for s],
 *   "terminal": [2],
 *   "rewardNoise": {"kind": "gaussian", "std": 0.5} }
 * ```
 * `terminal` and `rewardNoise` are optional; `name` and `description` are free text.
 * Probabilities and rewards may be numbers or exact rational strings (`"1/3"`, `"0.25"`).
 * For large sparse problems a row `transitions[s][a]` may be an object `{"s'": p, …}`
 * listing only the non-zero entries.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { buildCSR } from '../linalg/sparse.js';
import { createMDP, type FiniteMDP, type MDPSpec, type RewardNoise } from './model.js';
import { parseStrictJSON } from './strict-json.js';

const KNOWN_KEYS = new Set(['states', 'actions', 'transitions', 'rewards', 'gamma', 'initial', 'terminal', 'rewardNoise', 'name', 'description']);
const RATIONAL_STRING = /^\s*[-+]?\d+(\.\d+)?(\s*\/\s*\d+)?\s*$/;

/** A JSON entry as a double: numbers as they are, rational strings `"p/q"` divided out. */
export function jsonNumber(x: unknown, where: string): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && RATIONAL_STRING.test(x)) {
    const [p, q] = x.split('/');
    const v = q === undefined ? Number(p) : Number(p) / Number(q);
    if (!Number.isFinite(v)) fail('MDP_NOT_FINITE', `${where} is ${show(x)}: not a finite number`, { where, value: x });
    return v;
  }
  return fail('MDP_NOT_FINITE', `${where} is ${show(x)}: expected a number or a rational string such as "1/3"`, { where, value: x });
}

/**
 * Parses JSON text strictly (./strict-json.ts): a syntax error is `JSON_PARSE`, a repeated
 * key `JSON_DUPLICATE_KEY`, nesting beyond 64 levels `JSON_TOO_DEEP`, each naming the source.
 */
export function parseJSON(text: string, source = 'input'): unknown {
  return parseStrictJSON(text, source);
}

function field(obj: Record<string, unknown>, key: string): unknown {
  if (!(key in obj)) fail('JSON_TYPE', `the MDP has no "${key}" field`, { where: key });
  return obj[key];
}

/** Builds an MDP from a parsed JSON value; every problem is a typed error naming its place. */
export function mdpFromJSON(json: unknown): FiniteMDP {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('JSON_TYPE', `an MDP must be a JSON object, got ${show(json)}`);
  const obj = json as Record<string, unknown>;
  for (const k of Object.keys(obj)) if (!KNOWN_KEYS.has(k)) fail('JSON_TYPE', `unknown MDP field "${k}" (known: ${[...KNOWN_KEYS].join(', ')})`, { where: k });
  const states = field(obj, 'states') as MDPSpec['states'];
  const actions = field(obj, 'actions') as MDPSpec['actions'];
  const S = typeof states === 'number' ? states : Array.isArray(states) ? states.length : fail('MDP_SHAPE', `states is ${show(states)}`, { where: 'states' });
  const A = typeof actions === 'number' ? actions : Array.isArray(actions) ? actions.length : fail('MDP_SHAPE', `actions is ${show(actions)}`, { where: 'actions' });
  if (!Number.isSafeInteger(S) || S < 1) fail('MDP_SHAPE', `states is ${show(states)}: expected a positive integer or a list of names`, { where: 'states', value: states });
  if (!Number.isSafeInteger(A) || A < 1) fail('MDP_SHAPE', `actions is ${show(actions)}: expected a positive integer or a list of names`, { where: 'actions', value: actions });
  const tr = field(obj, 'transitions');
  if (!Array.isArray(tr) || tr.length !== S) fail('MDP_SHAPE', `transitions has ${Array.isArray(tr) ? tr.length : show(tr)} rows, expected ${S} (one per state)`, { where: 'transitions' });
  for (let s = 0; s < S; s++) {
    const rowS = tr[s];
    if (!Array.isArray(rowS) || rowS.length !== A) fail('MDP_SHAPE', `transitions[${s}] has ${Array.isArray(rowS) ? rowS.length : show(rowS)} entries, expected ${A} (one per action)`, { where: `transitions[${s}]` });
  }
  const transitions = buildCSR(S * A, S, (row, add) => {
    const s = Math.floor(row / A), a = row % A;
    const r = (tr[s] as unknown[])[a];
    const where = `transitions[${s}][${a}]`;
    if (Array.isArray(r)) {
      if (r.length !== S) fail('MDP_SHAPE', `${where} has ${r.length} entries, expected ${S} (one per next state)`, { where });
      for (let s2 = 0; s2 < S; s2++) {
        const p = jsonNumber(r[s2], `${where}[${s2}]`);
        if (p !== 0 || !Number.isFinite(p)) add(s2, p);
      }
    } else if (typeof r === 'object' && r !== null) {
      for (const [k, v] of Object.entries(r)) {
        const s2 = Number(k);
        if (!Number.isSafeInteger(s2) || s2 < 0 || s2 >= S || String(s2) !== k) fail('MDP_SHAPE', `${where} names next state ${show(k)}: keys must be state indices 0…${S - 1}`, { where, value: k });
        add(s2, jsonNumber(v, `${where}[${s2}]`));
      }
    } else {
      fail('MDP_SHAPE', `${where} is ${show(r)}: expected an array of ${S} probabilities or an object {"s'": p}`, { where });
    }
  });
  const rw = field(obj, 'rewards');
  if (!Array.isArray(rw) || rw.length !== S) fail('MDP_SHAPE', `rewards has ${Array.isArray(rw) ? rw.length : show(rw)} rows, expected ${S}`, { where: 'rewards' });
  const rewards = new Float64Array(S * A);
  rw.forEach((row: unknown, s: number) => {
    if (!Array.isArray(row) || row.length !== A) fail('MDP_SHAPE', `rewards[${s}] has ${Array.isArray(row) ? row.length : show(row)} entries, expected ${A}`, { where: `rewards[${s}]` });
    row.forEach((v: unknown, a: number) => { rewards[s * A + a] = jsonNumber(v, `rewards[${s}][${a}]`); });
  });
  const g = field(obj, 'gamma');
  const gamma = jsonNumber(g, 'gamma');
  const ini = field(obj, 'initial');
  if (!Array.isArray(ini)) fail('MDP_SHAPE', `initial is ${show(ini)}: expected a list of ${S} probabilities`, { where: 'initial' });
  const initial = ini.map((v: unknown, i: number) => jsonNumber(v, `initial[${i}]`));
  const terminal = obj.terminal;
  if (terminal !== undefined && !Array.isArray(terminal)) fail('MDP_SHAPE', `terminal is ${show(terminal)}: expected a list of state indices`, { where: 'terminal' });
  const noise = obj.rewardNoise;
  if (noise !== undefined && (typeof noise !== 'object' || noise === null)) fail('JSON_TYPE', `rewardNoise is ${show(noise)}: expected {"kind": "gaussian", "std": σ} or {"kind": "bernoulli"}`, { where: 'rewardNoise' });
  return createMDP({
    states, actions, transitions, rewards, gamma, initial,
    ...(terminal !== undefined ? { terminal: terminal as number[] } : {}),
    ...(noise !== undefined ? { rewardNoise: noise as RewardNoise } : {}),
  });
}

/** Parses MDP JSON text (see the module comment for the format). */
export function parseMDP(text: string, source = 'input'): FiniteMDP {
  return mdpFromJSON(parseJSON(text, source));
}

/**
 * The JSON value of an MDP. Rows are written dense when S·A·S ≤ 10⁶, else as sparse
 * objects `{"s'": p}`. `mdpFromJSON(mdpToJSON(m))` rebuilds `m` exactly.
 */
export function mdpToJSON(mdp: FiniteMDP, opts: { sparse?: boolean } = {}): Record<string, unknown> {
  const { numStates: S, numActions: A, transitions: P } = mdp;
  const sparse = opts.sparse ?? S * A * S > 1e6;
  const transitions: unknown[] = [];
  for (let s = 0; s < S; s++) {
    const rows: unknown[] = [];
    for (let a = 0; a < A; a++) {
      const row = s * A + a;
      if (sparse) {
        const o: Record<string, number> = {};
        for (let k = P.rowPtr[row]!; k < P.rowPtr[row + 1]!; k++) o[String(P.col[k])] = (o[String(P.col[k])] ?? 0) + P.val[k]!;
        rows.push(o);
      } else {
        const d = new Array<number>(S).fill(0);
        for (let k = P.rowPtr[row]!; k < P.rowPtr[row + 1]!; k++) d[P.col[k]!]! += P.val[k]!;
        rows.push(d);
      }
    }
    transitions.push(rows);
  }
  const rewards: number[][] = [];
  for (let s = 0; s < S; s++) rewards.push(Array.from(mdp.rewards.subarray(s * A, s * A + A)));
  return {
    states: mdp.stateNames ? [...mdp.stateNames] : S,
    actions: mdp.actionNames ? [...mdp.actionNames] : A,
    transitions,
    rewards,
    gamma: mdp.gamma,
    initial: Array.from(mdp.initial),
    ...(mdp.terminalStates.length > 0 ? { terminal: [...mdp.terminalStates] } : {}),
    ...(mdp.rewardNoise ? { rewardNoise: mdp.rewardNoise } : {}),
  };
}

/** MDP JSON text: one line per transition row, so that files diff well. */
export function stringifyMDP(mdp: FiniteMDP): string {
  const j = mdpToJSON(mdp);
  const lines = Object.entries(j).map(([k, v]) => {
    if (k === 'transitions' || k === 'rewards') {
      const rows = (v as unknown[]).map((r) => '    ' + JSON.stringify(r));
      return `  ${JSON.stringify(k)}: [\n${rows.join(',\n')}\n  ]`;
    }
    return `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`;
  });
  return `{\n${lines.join(',\n')}\n}\n`;
}
