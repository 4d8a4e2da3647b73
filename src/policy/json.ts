/**
 * The policy JSON format:
 *
 * ```json
 * {"kind": "softmax", "logits": [[θ(s,a) for a] for s]}
 * {"kind": "direct", "probs": [[π(a|s) for a] for s]}
 * {"kind": "loglinear", "features": [[[φ(s,a)_k for k] for a] for s], "theta": [θ_k for k]}
 * ```
 * Entries may be numbers or rational strings (`"1/3"`).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { directPolicy } from './direct.js';
import { logLinearPolicy } from './loglinear.js';
import { softmaxPolicy } from './softmax.js';
import type { Policy } from './types.js';

const RATIONAL_STRING = /^\s*[-+]?\d+(\.\d+)?(\s*\/\s*\d+)?\s*$/;

function num(x: unknown, where: string): number {
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) fail('POLICY_NOT_FINITE', `${where} is ${show(x)}`, { where, value: x });
    return x;
  }
  if (typeof x === 'string' && RATIONAL_STRING.test(x)) {
    const [p, q] = x.split('/');
    const v = q === undefined ? Number(p) : Number(p) / Number(q);
    if (!Number.isFinite(v)) fail('POLICY_NOT_FINITE', `${where} is ${show(x)}: not a finite number`, { where, value: x });
    return v;
  }
  return fail('POLICY_NOT_FINITE', `${where} is ${show(x)}: expected a number`, { where, value: x });
}

function table(x: unknown, S: number, A: number, name: string): Float64Array {
  if (!Array.isArray(x) || x.length !== S) fail('POLICY_SHAPE', `${name} has ${Array.isArray(x) ? x.length : show(x)} rows, expected ${S} (one per state)`, { where: name });
  const out = new Float64Array(S * A);
  x.forEach((row: unknown, s: number) => {
    if (!Array.isArray(row) || row.length !== A) fail('POLICY_SHAPE', `${name}[${s}] has ${Array.isArray(row) ? row.length : show(row)} entries, expected ${A} (one per action)`, { where: `${name}[${s}]` });
    row.forEach((v: unknown, a: number) => { out[s * A + a] = num(v, `${name}[${s}][${a}]`); });
  });
  return out;
}

/** Reads a policy for an MDP with the given numbers of states and actions. */
export function policyFromJSON(json: unknown, dims: { numStates: number; numActions: number }): Policy {
  const S = dims.numStates, A = dims.numActions;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('JSON_TYPE', `a policy must be a JSON object, got ${show(json)}`);
  const o = json as Record<string, unknown>;
  const kind = o.kind;
  if (kind === 'softmax') {
    const theta = table(o.logits, S, A, 'logits');
    const param = softmaxPolicy(S, A);
    param.check(theta);
    return { param, theta };
  }
  if (kind === 'direct') {
    const theta = table(o.probs, S, A, 'probs');
    const param = directPolicy(S, A);
    param.check(theta);
    return { param, theta };
  }
  if (kind === 'loglinear') {
    const th = o.theta;
    if (!Array.isArray(th) || th.length === 0) fail('POLICY_SHAPE', `theta is ${show(th)}: expected a non-empty list of numbers`, { where: 'theta' });
    const d = th.length;
    const f = o.features;
    if (!Array.isArray(f) || f.length !== S) fail('POLICY_SHAPE', `features has ${Array.isArray(f) ? f.length : show(f)} rows, expected ${S}`, { where: 'features' });
    const phi = new Float64Array(S * A * d);
    f.forEach((rowS: unknown, s: number) => {
      if (!Array.isArray(rowS) || rowS.length !== A) fail('POLICY_SHAPE', `features[${s}] has ${Array.isArray(rowS) ? rowS.length : show(rowS)} entries, expected ${A}`, { where: `features[${s}]` });
      rowS.forEach((v: unknown, a: number) => {
        if (!Array.isArray(v) || v.length !== d) fail('POLICY_SHAPE', `features[${s}][${a}] has ${Array.isArray(v) ? v.length : show(v)} entries, expected ${d} (the length of theta)`, { where: `features[${s}][${a}]` });
        v.forEach((x: unknown, k: number) => { phi[(s * A + a) * d + k] = num(x, `features[${s}][${a}][${k}]`); });
      });
    });
    const param = logLinearPolicy(S, A, d, phi);
    const theta = Float64Array.from(th, (x: unknown, k: number) => num(x, `theta[${k}]`));
    param.check(theta);
    return { param, theta };
  }
  return fail('POLICY_KIND', `policy kind is ${show(kind)}: expected "softmax", "direct" or "loglinear"`, { where: 'kind', value: kind });
}

/** Nests a flat `S·A` array as `[s][a]`. */
export function nest(x: ArrayLike<number>, S: number, A: number): number[][] {
  return Array.from({ length: S }, (_, s) => Array.from({ length: A }, (_, a) => x[s * A + a]!));
}

/** Shapes a parameter-length vector (θ, ∇J) like θ: `[s][a]` for tabular kinds, flat for log-linear. */
export function shapeLikeTheta(policy: Policy, v: ArrayLike<number>): number[] | number[][] {
  const sh = policy.param.paramShape;
  return sh.length === 2 ? nest(v, sh[0]!, sh[1]!) : Array.from(v);
}
