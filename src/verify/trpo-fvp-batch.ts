/**
 * The `trpo-fvp` kind's sampled mode (`fisher: 'batch'`): the user's Fisher–vector product is
 * computed from a batch, as TRPO implementations compute it (the Hessian of the batch's mean
 * KL, or the empirical Fisher of the batch's sampled actions), and the claim is
 *
 * $$\mathbb E[\hat F v] = \Big(\sum_s w(s) F_s(\theta_{\mathrm{old}}) + \lambda I\Big) v,\qquad F_s = \sum_a \pi(a|s)\nabla\log\pi(a|s)\nabla\log\pi(a|s)^\top,$$
 *
 * on batches of {@link FVP_BATCH_SIZE} transitions whose states are drawn i.i.d. from w (the
 * normalized visitation of π_old's decision states) and whose actions from π_old (`logp_t`
 * set; each transition its own one-step episode, `t_index` 0). With i.i.d. states both usual
 * forms are unbiased: the mean over the batch of the per-state Fisher (1/n) Σ_i F_{s_i} v and
 * the empirical (1/n) Σ_i g_i g_iᵀ v, g_i = ∇log π(a_i|s_i). (On trajectories, where n is
 * random and the states are correlated, the per-transition mean is a ratio estimator, biased
 * at order 1/E: not what this mode checks.) At θ = θ_old only, where TRPO computes it.
 *
 * Sized like every sampled check (./power.ts): a pilot sizes each check to resolve
 * `resolution` (default 5%) of ‖(F + λI)v‖₂ at power 0.9 within the budget, α = 1e-6 per
 * check (studentized max, Šidák); the controls (the uncentered Fisher, damping missing, twice;
 * λ = 0.1) run with the user's sample size.
 *
 * @module
 */
import type { Batch } from '../sampling/batch.js';
import { fisherMatrix } from '../exact/fisher.js';
import { matVec } from '../linalg/dense.js';
import type { BatchEstimates } from '../sampling/map.js';
import { Rng } from '../stats/rng.js';
import { summarize } from '../stats/summary.js';
import { DETECTION_POWER } from '../stats/tests.js';
import type { Check, Claim, RunContext } from './claim.js';
import { diagnose, type Candidate, type Reader } from './diagnose.js';
import { DEFAULT_BUDGET_SECONDS, DEFAULT_RESOLUTION, PILOT_BATCHES, sizeAndRun, sizedDecision, type Scaling, type SizedItem } from './power.js';
import { CHECK_ALPHA, meanCheck } from './sampled.js';
import type { LoadedEstimator } from './plugin.js';
import type { MachineryRun, TrpoInstance } from './trpo-kind.js';

/** Transitions per batch. */
export const FVP_BATCH_SIZE = 64;
/** Batches per call into the sandbox. */
const CHUNK = 256;
/** The damping of the controls. */
const DAMPING = 0.1;

/** What the main thread sends in batch mode: batches drawn at θ_old and one v. */
export interface FvpBatchPayload { readonly op: 'trpo-fvp'; readonly mode: 'batch'; readonly S: number; readonly A: number; readonly theta: Float64Array; readonly v: Float64Array; readonly batches: readonly Batch[] }

/** `count` batches of i.i.d. (s, a) ∼ w(s) π_old(a|s) from `rng` (module comment). */
export function stateBatches(x: TrpoInstance, rng: Rng, count: number): Batch[] {
  const { param, theta } = x.policy, S = param.numStates, A = param.numActions, pi = param.probs(theta), n = FVP_BATCH_SIZE, out: Batch[] = [];
  for (let k = 0; k < count; k++) {
    const s_t = new Int32Array(n), a_t = new Int32Array(n), logp_t = new Float64Array(n);
    for (let i = 0; i < n; i++) { const s = rng.categorical(x.weights), a = rng.categorical(pi, s * A, A); s_t[i] = s; a_t[i] = a; logp_t[i] = Math.log(pi[s * A + a]!); }
    out.push({ size: n, numStates: S, numActions: A, gamma: x.mdp.gamma, s_t, a_t, r_t: new Float64Array(n), s_tp1: Int32Array.from(s_t), terminated_t: new Uint8Array(n).fill(1), truncated_t: new Uint8Array(n), t_index: new Int32Array(n), logp_t, episode_t: Int32Array.from({ length: n }, (_, i) => i) });
  }
  return out;
}

/** The built-in batch FVPs of the controls: (1/n) Σ_i F_{s_i} v + λ'v with λ' = 0, 2λ (damping missing, twice), or diag(π) in place of F (uncentered). */
function controlFvp(x: TrpoInstance, b: Batch, v: Float64Array, bug: 'fisher-uncentered' | 'damping-missing' | 'damping-twice'): Float64Array {
  const { param, theta } = x.policy, n = param.numParams, A = param.numActions, freq = new Float64Array(param.numStates);
  for (let i = 0; i < b.size; i++) freq[b.s_t[i]!] = freq[b.s_t[i]!]! + 1 / b.size;
  if (bug === 'fisher-uncentered') { const pi = param.probs(theta); return v.map((vk, k) => freq[Math.floor(k / A)]! * pi[k]! * vk + DAMPING * vk); }
  const out = matVec(fisherMatrix(x.mdp, x.policy, undefined, freq), n, n, v), lam = bug === 'damping-twice' ? 2 * DAMPING : 0;
  for (let k = 0; k < n; k++) out[k] = out[k]! + lam * v[k]!;
  return out;
}

const CONTROLS = {
  'fisher-uncentered': 'the Fisher without the mean-score subtraction per state (diag π)',
  'damping-missing': `the damping λ = ${DAMPING} not added`,
  'damping-twice': `the damping λ = ${DAMPING} added twice`,
} as const;

/** Options the batch mode reads. */
export interface FvpBatchOptions { readonly resolution?: number; readonly budget?: number; readonly samples?: number }

/** The sampled claim of a `trpo-fvp` estimator declared with `fisher: 'batch'` (module comment). */
export function fvpBatchClaim(e: LoadedEstimator, run: MachineryRun, xs: () => TrpoInstance[], damping: number, o: FvpBatchOptions): Claim {
  const fraction = o.resolution ?? DEFAULT_RESOLUTION, budget = o.budget ?? DEFAULT_BUDGET_SECONDS, minBatches = Math.max(50, Math.ceil((o.samples ?? 6400) / FVP_BATCH_SIZE));
  const tag = `check.${e.name}`, sizes = new Map<string, number>();
  const cases = (x: TrpoInstance) => {
    const rng = Rng.from(`check/trpo/fvp-v/${x.label}`), n = x.policy.param.numParams;
    return [{ label: 'v ~ N(0, I)', v: Float64Array.from({ length: n }, () => rng.normal()) }, { label: 'v = ∇J', v: x.grad }];
  };
  const target = (x: TrpoInstance, v: Float64Array, lambda: number) => {
    const n = x.policy.param.numParams, out = matVec(fisherMatrix(x.mdp, x.policy, undefined, x.weights), n, n, v);
    for (let k = 0; k < n; k++) out[k] = out[k]! + lambda * v[k]!;
    return out;
  };
  const scaling = (x: TrpoInstance, norm: number): Scaling => {
    const n = x.policy.param.numParams, A = x.mdp.numActions;
    return { name: () => '‖(F + λI)v‖₂', scale: new Float64Array(n).fill(norm), weight: new Float64Array(n).fill(1), stated: new Array<boolean>(n).fill(true), coordinate: (k) => `(F̂v) at (s=${Math.floor(k / A)}, a=${k % A})` };
  };
  /** `count` batches on `stream`, estimated by `f` (chunks of batches → K × n values). */
  const sample = async (ctx: RunContext, x: TrpoInstance, stream: string, count: number, f: (bs: Batch[]) => Promise<Float64Array> | Float64Array): Promise<BatchEstimates> => {
    const rng = Rng.from(`${ctx.seed}/${stream}`), n = x.policy.param.numParams, K = Math.max(50, Math.round(count * ctx.scale)), values = new Float64Array(K * n);
    const pending: Promise<void>[] = [];
    for (let lo = 0; lo < K; lo += CHUNK) {
      const bs = stateBatches(x, rng, Math.min(CHUNK, K - lo));
      pending.push(Promise.resolve(f(bs)).then((r) => values.set(r, lo * n)));
    }
    await Promise.all(pending);
    return { batches: K, dim: n, values, transitions: K * FVP_BATCH_SIZE };
  };
  const user = (x: TrpoInstance, v: Float64Array) => (bs: Batch[]) => run(e.key, { op: 'trpo-fvp', mode: 'batch', S: x.policy.param.numStates, A: x.policy.param.numActions, theta: x.policy.theta, v, batches: bs } satisfies FvpBatchPayload);
  const stacked = (x: TrpoInstance, v: Float64Array, bug: keyof typeof CONTROLS) => (bs: Batch[]) => { const n = v.length, out = new Float64Array(bs.length * n); bs.forEach((b, k) => out.set(controlFvp(x, b, v, bug), k * n)); return out; };
  return {
    id: `${tag}.fisher-vector-product`, title: `${e.name}: on batches of ${FVP_BATCH_SIZE} states drawn from d, E[F̂v] is the exact d-weighted Fisher–vector product${damping ? ` plus λv (λ = ${damping})` : ''}`,
    source: 'Schulman et al. 2015, Appendix C; Lehmann 2024, §4.3; Kakade 2001',
    statement: String.raw`\mathbb E_{s_i\sim w,\ a_i\sim\pi_{\mathrm{old}}}\big[\hat F v\big] = \Big(\textstyle\sum_s w(s)\sum_a\pi(a|s)\nabla\log\pi(a|s)\nabla\log\pi(a|s)^\top + \lambda I\Big)v`,
    relation: 'unbiased',
    rule: `studentized max over θ-coordinates, Šidák, α = 1e-6 per check; inconclusive (a failure) unless it resolves a bias of ${(100 * fraction).toFixed(1)}% of ‖(F + λI)v‖₂ at power ${DETECTION_POWER}`,
    run: async (ctx) => {
      const plan = xs().flatMap((x) => cases(x).map((c) => ({ x, c, t: target(x, c.v, damping) })));
      const items: SizedItem[] = plan.map(({ x, c, t }) => ({
        pilot: () => sample(ctx, x, `${tag}/${x.label}/${c.label}/pilot`, PILOT_BATCHES, user(x, c.v)),
        main: (K) => sample(ctx, x, `${tag}/${x.label}/${c.label}`, K, user(x, c.v)),
        scaling: scaling(x, Math.hypot(...t)), target: t, minBatches,
      }));
      const runs = await sizeAndRun(items, fraction, budget, CHECK_ALPHA);
      const out: Check[] = [];
      for (const [i, { x, c, t }] of plan.entries()) {
        const { est, batches } = runs[i]!;
        sizes.set(`${x.label}/${c.label}`, batches);
        const check = sizedDecision(`${x.label}, ${c.label}: ${e.name}`, summarize(est.values, est.dim, false), t, { alpha: CHECK_ALPHA, fraction, scaling: items[i]!.scaling, targetTested: t, unit: `batches of ${FVP_BATCH_SIZE} states`, samplesPerBatch: FVP_BATCH_SIZE, sampleName: 'states', transitions: est.transitions });
        if (check.passed || check.discrepancy <= check.tolerance) { out.push(check); continue; }
        const A = x.mdp.numActions;
        const reader: Reader = { coordinate: (k) => `(F̂v) at (s=${Math.floor(k / A)}, a=${k % A})`, expected: (k) => t[k]!, weight: () => 1, compared: () => [0, t.length] };
        // the known variants' exact means with the user's declared damping
        const pi = x.policy.param.probs(x.policy.theta), F0 = target(x, c.v, 0);
        const candidates: Candidate[] = [
          { id: 'fisher-uncentered', description: CONTROLS['fisher-uncentered'], exact: c.v.map((vk, k) => x.weights[Math.floor(k / A)]! * pi[k]! * vk + damping * vk) },
          ...(damping > 0 ? [{ id: 'damping-missing', description: `the declared damping λ = ${damping} not added`, exact: F0 }, { id: 'damping-twice', description: `the damping λ = ${damping} added twice`, exact: F0.map((f, k) => f + 2 * damping * c.v[k]!) }] : []),
          { id: 'ignores-its-batch', description: 'an estimate of mean 0, as from an estimator that does not read its batch', exact: new Float64Array(t.length) },
        ];
        out.push({ ...check, diagnosis: await diagnose(est.values, est.dim, t, check.worstIndex, reader, candidates, est.batches) });
      }
      return out;
    },
    control: {
      description: `${Object.values(CONTROLS).join('; ')} — built-in batch products against the exact target with λ = ${DAMPING}, with the sample size of the user's check`,
      run: async (ctx) => {
        const out: Check[] = [];
        for (const x of xs()) for (const c of cases(x)) for (const bug of Object.keys(CONTROLS) as (keyof typeof CONTROLS)[]) {
          const t = target(x, c.v, DAMPING);
          const est = await sample(ctx, x, `${tag}/${x.label}/${c.label}/${bug}`, sizes.get(`${x.label}/${c.label}`) ?? minBatches, stacked(x, c.v, bug));
          out.push(meanCheck(`${x.label}, ${c.label}: ${bug}`, est, t, { relativeTo: { name: '‖(F + λI)v‖₂', value: Math.hypot(...t) }, unit: `batches of ${FVP_BATCH_SIZE} states` }));
        }
        return out;
      },
    },
  };
}
