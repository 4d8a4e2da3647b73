/**
 * A researcher's own estimators, loaded from a TypeScript or JavaScript module and checked
 * by `pgtruth check` (or `expectUnbiased` from a test suite).
 *
 * The interface (also in docs/reference/cli.md):
 *
 * ```ts
 * import type { Batch, PolicyView, UserEstimator } from 'pgtruth';
 * const mine: UserEstimator = {
 *   kind: 'policy-gradient',
 *   name: 'my REINFORCE',
 *   estimate(batch, policy, gamma) { … return gradient; },   // length S·A, laid out like the logits
 * };
 * export default mine;          // or an array, or named exports
 * ```
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AdvantageDefinition } from '../exact/advantage-expectation.js';
import { fail, show } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { Batch } from '../sampling/batch.js';
import type { GroupEstimator } from './group-kind.js';
import type { ActorCriticEstimator, ValueLossEstimator } from './value-loss-kind.js';
import type { TrpoMachinery } from './trpo-kind.js';
import type { VmpoLossEstimator } from './vmpo-kind.js';
import type { GaussianPolicyGradientEstimator } from './continuous-kind.js';
import type { GaussianSurrogateEstimator } from './continuous-surrogate.js';
import type { MlpPolicyGradientEstimator } from './mlp-kind.js';
import type { GaussianMlpPolicyGradientEstimator, GaussianMlpSurrogateEstimator } from './gaussian-mlp-kind.js';

/** The behaviour policy as a user's estimator sees it: a tabular softmax over logits θ[s*A + a]. */
export interface PolicyView {
  readonly numStates: number;
  readonly numActions: number;
  /** θ[s*A + a]: π(a|s) ∝ exp θ[s*A + a]. */
  readonly logits: Float64Array;
  /** π(·|s) (a fresh array). */
  probs(s: number): Float64Array;
  /** log π(a|s). */
  logProb(s: number, a: number): number;
  /** ∇_θ log π(a|s), a fresh dense vector of length S·A. */
  score(s: number, a: number): Float64Array;
  /** out += w · ∇_θ log π(a|s) (no allocation). */
  addScore(s: number, a: number, w: number, out: Float64Array): void;
}

/** An estimate of ∇J from a batch of complete episodes drawn by `policy` from p0. */
export interface PolicyGradientEstimator {
  readonly kind: 'policy-gradient';
  /** The policy it serves: tabular softmax (the default); see ./continuous-kind.ts, ./mlp-kind.ts and ./gaussian-mlp-kind.ts for 'gaussian', 'tanh-gaussian', 'mlp', 'gaussian-mlp' and 'tanh-gaussian-mlp'. */
  readonly policy?: 'tabular';
  readonly name?: string;
  /** Returns ∇J's estimate, length S·A laid out like the logits. */
  estimate(batch: Batch, policy: PolicyView, gamma: number): ArrayLike<number>;
}

/** Per-step advantages and value targets from a batch and a value table V[s]. */
export interface AdvantageEstimator {
  readonly kind: 'advantage';
  readonly name?: string;
  /** Which estimator it implements: `'gae'` (default), `'lambda-return'` or `{ nStep: n }` (src/exact/advantage-expectation.ts); the critic check compares against its exact mean. */
  readonly definition?: AdvantageDefinition;
  /** Returns Â_t and the value targets, each of length batch.size. */
  estimate(batch: Batch, values: Float64Array, gamma: number, lambda: number): { advantages: ArrayLike<number>; targets: ArrayLike<number> };
}

/** Per-sample estimates of KL(q‖p) from log r = log p(x) − log q(x), x ∼ q. */
export interface KLEstimator {
  readonly kind: 'kl';
  readonly name?: string;
  /** Returns one estimate per sample. */
  estimate(logRatio: Float64Array): ArrayLike<number>;
}

/** A policy surrogate: its loss (to minimize) and ∇_θ loss at `policy` on a batch drawn by θ_old (`batch.logp_t`). */
export interface SurrogateEstimator {
  readonly kind: 'surrogate';
  readonly name?: string;
  /** PPO's clip range when the surrogate is clipped; absent for an unclipped (TRPO-style) surrogate. */
  readonly clip?: number;
  /** The coefficient c ≥ 0 of an entropy bonus in the loss (−c·(1/E)Σ_t γ^t H(π_θ(·|s_t))); the target adds c ∇_θ Σ_s η(s) H(π_θ(·|s)). */
  readonly entropyCoef?: number;
  /** The coefficient β ≥ 0 of a KL penalty in the loss (β·(1/E)Σ_t γ^t KL-estimate); the target subtracts β ∇_θ Σ_s η(s) KL(π_old‖π_θ)(s). */
  readonly klCoef?: number;
  /** True when the estimator normalizes the advantages per batch ((Â − mean)/std over the batch's transitions); the verdict states the bias this brings for ∇J. */
  readonly normalizeAdvantages?: boolean;
  /** Returns the loss and its gradient (length S·A). `advantages` holds one value per transition. */
  estimate(batch: Batch, policy: PolicyView, advantages: Float64Array): { loss: number; gradient: ArrayLike<number> };
}

/** Any estimator `pgtruth check` accepts. */
export type UserEstimator = PolicyGradientEstimator | AdvantageEstimator | KLEstimator | SurrogateEstimator | GroupEstimator | ValueLossEstimator | ActorCriticEstimator | TrpoMachinery | VmpoLossEstimator | GaussianPolicyGradientEstimator | GaussianSurrogateEstimator | MlpPolicyGradientEstimator | GaussianMlpPolicyGradientEstimator | GaussianMlpSurrogateEstimator;

/** The kinds, in the order the checks run. */
export const ESTIMATOR_KINDS = ['policy-gradient', 'advantage', 'kl', 'surrogate', 'group', 'value-loss', 'actor-critic', 'trpo-fvp', 'trpo-cg', 'trpo-linesearch', 'vmpo'] as const;

/** A loaded estimator and where it came from. */
export interface LoadedEstimator {
  readonly estimator: UserEstimator;
  /** The estimator's name, or its export name. */
  readonly name: string;
  /** The module's file URL. */
  readonly module: string;
  /** The export it came from (`default`, `default[1]`, or a named export). */
  readonly key: string;
}

function isEstimatorLike(x: unknown): x is { kind: unknown; estimate: unknown } {
  return typeof x === 'object' && x !== null && 'kind' in x && 'estimate' in x;
}

/** Checks the shape of a candidate export; `PLUGIN_INVALID` names the export and what is wrong. */
export function validateEstimator(x: unknown, key: string, module: string): UserEstimator {
  if (!isEstimatorLike(x)) fail('PLUGIN_INVALID', `${module}: export ${key} is ${show(x)}: an estimator is an object {kind, estimate}`, { where: key });
  if (!(ESTIMATOR_KINDS as readonly unknown[]).includes(x.kind)) fail('PLUGIN_INVALID', `${module}: export ${key} has kind ${show(x.kind)}: expected one of ${ESTIMATOR_KINDS.join(', ')}`, { where: `${key}.kind`, value: x.kind });
  if (typeof x.estimate !== 'function') fail('PLUGIN_INVALID', `${module}: export ${key}.estimate is ${show(x.estimate)}: expected a function`, { where: `${key}.estimate` });
  const clip = (x as { clip?: unknown }).clip;
  if (clip !== undefined && !(typeof clip === 'number' && clip > 0 && clip < 1)) fail('PLUGIN_INVALID', `${module}: export ${key}.clip is ${show(clip)}: expected a number in (0, 1)`, { where: `${key}.clip`, value: clip });
  return x as UserEstimator;
}

/** Every estimator a module namespace exports: the default export (one or an array), then named ones. */
export function collectEstimators(ns: Record<string, unknown>, module: string): LoadedEstimator[] {
  // a TypeScript file compiled as CommonJS arrives as { default: { default, …named } }
  const inner = ns.default && typeof ns.default === 'object' && !isEstimatorLike(ns.default) && !Array.isArray(ns.default) ? (ns.default as Record<string, unknown>) : undefined;
  const space = inner && ('default' in inner || Object.values(inner).some(isEstimatorLike)) ? inner : ns;
  const out: LoadedEstimator[] = [];
  const add = (x: unknown, key: string) => {
    const e = validateEstimator(x, key, module);
    out.push({ estimator: e, name: e.name ?? key, module, key });
  };
  const d = space.default;
  if (Array.isArray(d)) d.forEach((x, i) => add(x, `default[${i}]`));
  else if (d !== undefined && isEstimatorLike(d)) add(d, 'default');
  for (const [k, v] of Object.entries(space)) if (k !== 'default' && isEstimatorLike(v)) add(v, k);
  if (!out.length) fail('PLUGIN_INVALID', `${module} exports no estimator: export default {kind, estimate} (or an array, or named exports)`, { where: module });
  return out;
}

/** A module specifier for a path (absolute file URL). */
export function moduleURL(path: string): string {
  const abs = isAbsolute(path) ? path : resolve(path);
  if (!existsSync(abs)) fail('FILE_NOT_FOUND', `cannot read ${path}: no such file`, { where: path });
  return pathToFileURL(abs).href;
}

/** True for TypeScript module paths. */
export const isTypeScript = (href: string) => /\.[cm]?tsx?$/i.test(href);

/** Imports a JavaScript or TypeScript module (TypeScript — or a module importing TypeScript — through tsx's loader). */
export async function importModule(href: string, typescript = isTypeScript(href)): Promise<Record<string, unknown>> {
  try {
    if (typescript) {
      const { tsImport } = (await import('tsx/esm/api')) as { tsImport: (s: string, parent: string) => Promise<Record<string, unknown>> };
      return await tsImport(href, import.meta.url);
    }
    return (await import(href)) as Record<string, unknown>;
  } catch (e) {
    return fail('PLUGIN_INVALID', `cannot load ${href}: ${(e as Error)?.message ?? String(e)}`, { where: href });
  }
}

/**
 * Loads every estimator of the module at `path` — in this thread, unsealed: the module's
 * top-level code runs here. `pgtruth check`, `checkModule` and `expectUnbiased` instead load
 * and call it in sandboxed workers (./sandbox.ts).
 */
export async function loadEstimators(path: string): Promise<LoadedEstimator[]> {
  const href = moduleURL(path);
  return collectEstimators(await importModule(href), href);
}

/** A {@link PolicyView} of a softmax policy. */
export function policyView(policy: Policy): PolicyView {
  const { param, theta } = policy;
  if (param.kind !== 'softmax') fail('PLUGIN_INVALID', `user estimators see tabular softmax policies; this one is ${param.kind}`);
  const S = param.numStates, A = param.numActions;
  return {
    numStates: S, numActions: A, logits: theta,
    probs(s) { const out = new Float64Array(A); param.probsRow(theta, s, out, 0); return out; },
    logProb: (s, a) => param.logProb(theta, s, a),
    score(s, a) { const g = new Float64Array(S * A); param.addScore(theta, s, a, 1, g); return g; },
    addScore: (s, a, w, out) => param.addScore(theta, s, a, w, out),
  };
}

/** Converts a user's array-like result to a checked Float64Array of length `n`; `ESTIMATOR_INVALID` otherwise. */
export function checkedResult(x: unknown, n: number, what: string): Float64Array {
  const len = (x as { length?: unknown })?.length;
  if (typeof len !== 'number' || len !== n) fail('ESTIMATOR_INVALID', `${what} returned ${typeof len === 'number' ? `${len} numbers` : show(x)}: expected ${n}`, { where: what, value: len });
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = (x as ArrayLike<unknown>)[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) fail('ESTIMATOR_INVALID', `${what}[${i}] is ${show(v)}: estimates must be finite numbers`, { where: `${what}[${i}]`, value: v });
    out[i] = v;
  }
  return out;
}

/** The declared extras of a surrogate: regularizer coefficients and per-batch advantage normalization. */
export interface SurrogateDeclaration { readonly clip?: number; readonly entropyCoef?: number; readonly klCoef?: number; readonly normalizeAdvantages?: boolean }

/**
 * Checks the optional declarations of a surrogate estimator (`PLUGIN_INVALID` naming the
 * field). In `pgtruth check` it runs where the module is loaded (the sandbox's worker, see
 * ./user-tasks.ts `userDescribe`), and again on the description in the main thread.
 */
export function surrogateDeclaration(e: LoadedEstimator): SurrogateDeclaration {
  const x = e.estimator as SurrogateEstimator & Record<string, unknown>;
  for (const f of ['entropyCoef', 'klCoef'] as const) {
    const v = x[f];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) fail('PLUGIN_INVALID', `${e.module}: export ${e.key}.${f} is ${show(v)}: expected a finite number ≥ 0`, { where: `${e.key}.${f}`, value: v });
  }
  if (x.normalizeAdvantages !== undefined && typeof x.normalizeAdvantages !== 'boolean') fail('PLUGIN_INVALID', `${e.module}: export ${e.key}.normalizeAdvantages is ${show(x.normalizeAdvantages)}: expected true or false`, { where: `${e.key}.normalizeAdvantages`, value: x.normalizeAdvantages });
  return { ...(x.clip !== undefined ? { clip: x.clip } : {}), ...(x.entropyCoef ? { entropyCoef: x.entropyCoef as number } : {}), ...(x.klCoef ? { klCoef: x.klCoef as number } : {}), ...(x.normalizeAdvantages ? { normalizeAdvantages: true } : {}) };
}
