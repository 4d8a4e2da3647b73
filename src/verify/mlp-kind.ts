/**
 * `pgtruth check` with an **MLP policy view** (issue 10, item 3): a `policy-gradient`
 * estimator that declares `policy: 'mlp'` is handed, instead of the tabular softmax view, a
 * view of π_w(·|s) = softmax(f_w(φ(s))) — a tanh MLP over one-hot state features — with
 * logProb and the score in the network's parameter vector w ({@link MlpPolicyView}); it
 * returns its estimate of ∇_w J (length P = `policy.numParams`).
 *
 * The instances are those of the default report's claim `mlp.estimators-unbiased`
 * (./claims/mlp.ts): the 4×4 gridworld (γ = 1) and the γ = 0.9 episodic Garnet, each with a
 * seeded S→8→8→A tanh MLP; batches of 64 complete episodes from the tabular sampler with π_w
 * written as a softmax over its logits. The exact target ∇_w J is the chain rule through the
 * exact tabular gradient (../exact/neural.ts `neuralPolicyGradient`: = dual numbers to 6e-15).
 * Sized, decided and diagnosed as every kind (./power.ts; α = {@link CHECK_ALPHA}); the user's
 * code runs only in the sandbox's workers (`userMlpPolicyGradientTask`, ./continuous-tasks.ts).
 *
 * Control: REINFORCE without γ^t (mutant.reinforce-no-discount-weight, no baseline) on the
 * Garnet, and with a baseline read at s_{t+1} (mutant.action-dependent-baseline) on the
 * gridworld (γ = 1, where γ^t is 1), through the library's own MLP task (../mlp-tasks.ts),
 * with the sample size of the user's check.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import { logitPolicy, mlpLogits, pullbackToWeights, type MlpTabularPolicy } from '../exact/neural.js';
import { softmaxPolicy } from '../policy/softmax.js';
import type { Batch } from '../sampling/batch.js';
import type { BatchSource } from '../sampling/plan.js';
import { summarize } from '../stats/summary.js';
import { DETECTION_POWER } from '../stats/tests.js';
import type { Check, Claim } from './claim.js';
import type { Runner } from './check.js';
import { undiscountedWeightedGradient, type EstimatorInstance } from './claims/estimators.js';
import { mlpSampledInstances, netOptions, sampleMlp, type MlpInstance } from './claims/mlp.js';
import { diagnose, type Candidate, type Reader } from './diagnose.js';
import { findMutation } from './mutations.js';
import type { LoadedEstimator } from './plugin.js';
import { DEFAULT_BUDGET_SECONDS, DEFAULT_RESOLUTION, PILOT_BATCHES, sizeAndRun, sizedDecision, type Scaling, type SizedItem } from './power.js';
import { CHECK_ALPHA, meanCheck } from './sampled.js';

/** The policy an `mlp` estimator sees: π_w(·|s) = softmax(f_w(φ(s))), read-only (module comment). */
export interface MlpPolicyView {
  readonly numStates: number;
  readonly numActions: number;
  /** P, the length of w. */
  readonly numParams: number;
  /** The network's widths [n_0, …, A]. */
  readonly sizes: readonly number[];
  readonly activation: string;
  /** w (a fresh copy). */
  readonly weights: Float64Array;
  /** φ(s) (a fresh array). */
  features(s: number): Float64Array;
  /** The logits f_w(φ(s)) (a fresh array of length A). */
  logits(s: number): Float64Array;
  /** π_w(·|s) (a fresh array). */
  probs(s: number): Float64Array;
  /** log π_w(a|s). */
  logProb(s: number, a: number): number;
  /** ∇_w log π_w(a|s), a fresh vector of length P. */
  score(s: number, a: number): Float64Array;
  /** out += c · ∇_w log π_w(a|s). */
  addScore(s: number, a: number, c: number, out: Float64Array): void;
  /** log π_w(a_t|s_t) for every transition. */
  logProbs(batch: Batch): Float64Array;
  /** Σ_t c_t ∇_w log π_w(a_t|s_t): the softmax scores at the logits summed, then one VJP of the network. */
  scoreSum(batch: Batch, c: ArrayLike<number>): Float64Array;
}

/** A policy-gradient estimator for an MLP policy. */
export interface MlpPolicyGradientEstimator {
  readonly kind: 'policy-gradient';
  readonly policy: 'mlp';
  readonly name?: string;
  /** Returns ∇_w J's estimate, of length `policy.numParams`. */
  estimate(batch: Batch, policy: MlpPolicyView, gamma: number): ArrayLike<number>;
}

/** The view of an MLP policy on a tabular MDP (`POLICY_SHAPE` for an index out of range). */
export function mlpPolicyView(p: MlpTabularPolicy, activation = 'tanh'): MlpPolicyView {
  const { mlp, numStates: S } = p, A = mlp.outputDim, P = mlp.numParams, n0 = mlp.inputDim;
  const z = mlpLogits(p), tab = softmaxPolicy(S, A), scores = new Map<number, Float64Array>();
  const at = (s: number, a: number) => {
    if (!(Number.isSafeInteger(s) && s >= 0 && s < S && Number.isSafeInteger(a) && a >= 0 && a < A)) fail('POLICY_SHAPE', `(s, a) = (${show(s)}, ${show(a)}) is outside the ${S} states × ${A} actions of the MLP policy`, { where: 'state', value: s });
    return s * A + a;
  };
  const scoreOf = (s: number, a: number) => {
    const k = at(s, a);
    let g = scores.get(k);
    if (!g) { const gz = new Float64Array(S * A); tab.addScore(z, s, a, 1, gz); g = pullbackToWeights(p, gz); scores.set(k, g); }
    return g;
  };
  return {
    numStates: S, numActions: A, numParams: P, sizes: mlp.sizes, activation,
    get weights() { return Float64Array.from(p.theta); },
    features(s) { at(s, 0); return p.features.slice(s * n0, (s + 1) * n0); },
    logits(s) { at(s, 0); return z.slice(s * A, (s + 1) * A); },
    probs(s) { at(s, 0); const out = new Float64Array(A); tab.probsRow(z, s, out, 0); return out; },
    logProb: (s, a) => { at(s, a); return tab.logProb(z, s, a); },
    score: (s, a) => Float64Array.from(scoreOf(s, a)),
    addScore(s, a, c, out) {
      if (!(out instanceof Float64Array) || out.length !== P) fail('POLICY_SHAPE', `addScore's out has ${show(out?.length)} entries: expected a Float64Array of ${P}`, { where: 'out', value: out?.length });
      const g = scoreOf(s, a);
      for (let j = 0; j < P; j++) out[j] = out[j]! + c * g[j]!;
    },
    logProbs(b) { const out = new Float64Array(b.size); for (let i = 0; i < b.size; i++) out[i] = tab.logProb(z, b.s_t[i]!, b.a_t[i]!); return out; },
    scoreSum(b, c) {
      if (c?.length !== b.size) fail('POLICY_SHAPE', `scoreSum's coefficients have ${show(c?.length)} entries: expected one per transition, ${b.size}`, { where: 'c', value: c?.length });
      const gz = new Float64Array(S * A);
      for (let i = 0; i < b.size; i++) if (c[i]) { at(b.s_t[i]!, b.a_t[i]!); tab.addScore(z, b.s_t[i]!, b.a_t[i]!, c[i]!, gz); }
      return pullbackToWeights(p, gz);
    },
  };
}

/** The options of `userMlpPolicyGradientTask` (plain data). */
export interface MlpViewTaskOptions {
  readonly key: string;
  readonly gamma: number;
  readonly sizes: readonly number[];
  readonly activation: string;
  readonly theta: readonly number[];
  readonly features: readonly number[];
  readonly numStates: number;
}

const EP64: BatchSource = { kind: 'episodes', episodes: 64 };

/** Options the claim reads (a subset of `CheckOptions`). */
export interface MlpCheckOptions { readonly samples?: number; readonly resolution?: number; readonly budget?: number; readonly mdp?: unknown }

/** The claims `pgtruth check` runs for a `policy-gradient` estimator declaring `policy: 'mlp'` (module comment). */
export function mlpEstimatorClaims(e: LoadedEstimator, runner: Runner, opts: MlpCheckOptions): Claim[] {
  if (opts.mdp !== undefined) fail('CLI_USAGE', `${e.name} declares an MLP policy: it is checked on the built-in gridworld and Garnet with their seeded networks; --mdp is not supported with policy: 'mlp'`, { where: '--mdp' });
  const fraction = opts.resolution ?? DEFAULT_RESOLUTION, budget = opts.budget ?? DEFAULT_BUDGET_SECONDS, minSamples = opts.samples ?? 6400;
  const tag = `check.${e.name}`, sizes = new Map<string, number>();
  const minBatches = Math.max(50, Math.ceil(minSamples / 64));
  const tabular = (x: MlpInstance): EstimatorInstance => ({ label: x.label, mdp: x.mdp, policy: logitPolicy(x.policy), ev: x.exact.ev, grad: x.exact.grad, norm: x.norm });
  const options = (x: MlpInstance): MlpViewTaskOptions => { const o = netOptions(x); return { key: e.key, gamma: x.mdp.gamma, sizes: o.sizes, activation: o.activation, theta: o.theta, features: o.features, numStates: o.numStates }; };
  const label = (x: MlpInstance) => `${x.label} (MLP ${x.policy.mlp.sizes.join('→')}, P = ${x.policy.mlp.numParams})`;
  const scaling = (x: MlpInstance): Scaling => {
    const P = x.policy.mlp.numParams;
    return { name: () => '‖∇_w J‖₂', scale: new Float64Array(P).fill(x.norm), weight: new Float64Array(P).fill(1), stated: new Array<boolean>(P).fill(true), coordinate: (k) => `∂/∂w[${k}]` };
  };
  const controlOf = (x: MlpInstance) => (x.mdp.gamma < 1 ? 'mutant.reinforce-no-discount-weight' : 'mutant.action-dependent-baseline');
  return [{
    id: `${tag}.unbiased`, title: `${e.name} is unbiased for ∇_w J with an MLP policy (exact ∇_w J by the chain rule through the tabular gradient)`,
    source: 'Lehmann 2024, Theorem 3.1 and §3; Williams 1992',
    statement: String.raw`\mathbb E[\hat g] = \nabla_w J(w),\quad \pi_w(\cdot|s) = \mathrm{softmax}\big(f_w(\phi(s))\big)`, relation: 'unbiased',
    rule: `studentized max over the coordinates of w, Šidák, α = ${CHECK_ALPHA} per check; inconclusive (a failure) unless it resolves a bias of ${(100 * fraction).toFixed(1)}% of ‖∇_w J‖₂ at power ${DETECTION_POWER}`,
    run: async (ctx) => {
      const xs = mlpSampledInstances();
      const items: SizedItem[] = xs.map((x) => ({
        pilot: () => runner.run(ctx, tabular(x), EP64, PILOT_BATCHES, 'userMlpPolicyGradientTask', options(x), `${tag}/${x.label}/mlp/pilot`),
        main: (K) => runner.run(ctx, tabular(x), EP64, K, 'userMlpPolicyGradientTask', options(x), `${tag}/${x.label}/mlp`),
        scaling: scaling(x), target: x.exact.grad, minBatches,
      }));
      const runs = await sizeAndRun(items, fraction, budget, CHECK_ALPHA);
      const out: Check[] = [];
      for (const [i, x] of xs.entries()) {
        const { est: r, batches } = runs[i]!;
        sizes.set(x.label, batches);
        const c = sizedDecision(`${label(x)}: ${e.name}`, summarize(r.values, r.dim, false), x.exact.grad, { alpha: CHECK_ALPHA, fraction, scaling: items[i]!.scaling, targetTested: x.exact.grad, unit: 'batches of 64 episodes', samplesPerBatch: 64, sampleName: 'episodes', transitions: r.transitions });
        if (c.passed || c.discrepancy <= c.tolerance) { out.push(c); continue; }
        const reader: Reader = { coordinate: (k) => `∂/∂w[${k}]`, expected: (k) => x.exact.grad[k]!, weight: () => 1, compared: () => [0, x.exact.grad.length] };
        const candidates: Candidate[] = [
          ...(x.mdp.gamma < 1 ? [{ id: 'mutant.reinforce-no-discount-weight', description: findMutation('mutant.reinforce-no-discount-weight')!.description, exact: pullbackToWeights(x.policy, undiscountedWeightedGradient(tabular(x))) }] : []),
          { id: 'ignores-its-batch', description: 'an estimate of mean 0, as from an estimator that does not read its batch', exact: new Float64Array(x.exact.grad.length) },
        ];
        out.push({ ...c, diagnosis: await diagnose(r.values, r.dim, x.exact.grad, c.worstIndex, reader, candidates, Math.min(1000, batches)) });
      }
      return out;
    },
    control: {
      description: 'REINFORCE without γ^t (mutant.reinforce-no-discount-weight, no baseline) on the γ = 0.9 Garnet; a baseline read at s_{t+1} (mutant.action-dependent-baseline) on the gridworld (γ = 1) — through the library\'s MLP task, with the sample size of the user\'s check',
      run: async (ctx) => {
        const out: Check[] = [];
        for (const x of mlpSampledInstances()) {
          const m = controlOf(x), V = Array.from(x.exact.ev.V);
          const est = await sampleMlp(ctx, x, EP64, sizes.get(x.label) ?? minBatches, { ...netOptions(x), estimator: m, ...(m === 'mutant.action-dependent-baseline' ? { baseline: V } : {}) }, `${tag}/control/${x.label}`);
          out.push(meanCheck(`${label(x)}: ${m}`, est, x.exact.grad, { relativeTo: { name: '‖∇_w J‖₂', value: x.norm }, unit: 'batches of 64 episodes' }));
        }
        return out;
      },
    },
  }];
}
