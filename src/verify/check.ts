/**
 * `pgtruth check` and `expectUnbiased`: every applicable claim about a user's estimators.
 *
 * | kind | claims (each on every instance) | negative control (a known bug of the same kind, on the same instances) |
 * | --- | --- | --- |
 * | policy-gradient | E[ĝ] = ∇J on complete episodes | REINFORCE without γ^t (γ < 1) and with a baseline read at s_{t+1} |
 * | advantage | E[Â_t | s,a] = A^π(s,a) and E[target_t | s,a] = Q^π(s,a), given V^π, for λ ∈ {0, ½, 0.95, 1}, on episodes and on segments cut by truncation | GAE treating truncation as termination |
 * | kl | E[k̂] = KL(q‖p) for Gaussian and categorical pairs | k3 computed as (e^r − 1) − r |
 * | group | E[(1/N) Σ A_{i,t} ∇log π] = κ(G)∇J on bandits and a token MDP (./group-kind.ts) | GRPO as published (std, 1/|o|) |
 * | surrogate | E[−∇loss] = ∇J at θ = θ_old, and the exact gradient of the (clipped, if `clip` is set) surrogate objective at θ ≠ θ_old | PPO with min over ratios before multiplying by Â (or, for an unclipped surrogate, PPO's clipped one) |
 *
 * The control shows that the check, on those instances and with that many samples, would
 * have caught such a bug: a claim whose control is not rejected is reported WEAK.
 *
 * The advantage kind has a second claim, `critics` (./claims/critics.ts): the estimator run
 * with value tables other than V^π, on complete episodes, a time limit and segments that start
 * mid-episode, against the exact E[Â | s, a, steps to the cut] of the definition it declares.
 *
 * @module
 */
import { PgTruthError, fail, isPgTruthError } from '../errors.js';
import { evaluatePolicy } from '../exact/evaluate.js';
import { clippedObjectiveGradient } from '../exact/objectives.js';
import { firstNonTerminating } from '../exact/termination.js';
import { shortCorridor } from '../mdp/library/corridor.js';
import type { FiniteMDP } from '../mdp/model.js';
import { softmaxPolicy } from '../policy/softmax.js';
import type { Policy } from '../policy/types.js';
import type { BatchEstimates } from '../sampling/map.js';
import type { BatchSource } from '../sampling/plan.js';
import { Rng } from '../stats/rng.js';
import type { Check, Claim, RunContext } from './claim.js';
import { continuingInstance, episodicInstances, type EstimatorInstance } from './claims/estimators.js';
import { continuingGarnetInstance, criticClaim, criticSettings } from './claims/critics.js';
import { discreteCase, gaussianCase } from './claims/kl.js';
import { findMutation } from './mutations.js';
import { groupEstimatorClaims, type GroupRun } from './group-kind.js';
import type { LoadedEstimator, SurrogateEstimator } from './plugin.js';
import { UserSandbox } from './sandbox.js';
import { runClaims, type ClaimResult } from './runner.js';
import { CHECK_ALPHA, meanCheck, sampleEstimates } from './sampled.js';
import { scalarMeanTest } from '../stats/tests.js';
import { policyGradient } from '../exact/gradient.js';

/** Options of {@link checkModule} and {@link expectUnbiased}. */
export interface CheckOptions {
  readonly seed?: number;
  /** Episodes (or KL draws ÷ 10) per check; default 192 000. */
  readonly samples?: number;
  /** Check on this MDP (with a seeded softmax policy) instead of the built-in instances. */
  readonly mdp?: FiniteMDP;
  readonly mdpLabel?: string;
  /** Worker threads (default 2; 0 = one: user code never runs on the calling thread, see ./sandbox.ts). */
  readonly workers?: number;
  /** Seconds one call into the user's code may take before the check stops it (default 60). */
  readonly timeout?: number;
  readonly onProgress?: (done: number, total: number, current: string) => void;
  /** Python modules: the interpreter (default /usr/bin/python3, then python3 on the PATH). */
  readonly python?: string;
}

function seededSoftmax(mdp: FiniteMDP, seed: string): Policy {
  const rng = Rng.from(seed);
  return { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta: Float64Array.from({ length: mdp.numStates * mdp.numActions }, () => 0.7 * rng.normal()) };
}

function instanceOf(label: string, mdp: FiniteMDP, policy: Policy): EstimatorInstance {
  const ev = evaluatePolicy(mdp, policy.param.probs(policy.theta));
  const grad = policyGradient(mdp, policy, ev);
  return { label, mdp, policy, ev, grad, norm: Math.hypot(...grad) };
}

/** True when every episode of the MDP terminates under full-support policies. */
function terminates(mdp: FiniteMDP): boolean {
  if (mdp.terminalStates.length === 0) return false;
  const T = mdp.transitions;
  return firstNonTerminating(mdp.numStates, mdp.terminal, (s) => mdp.initial[s]! > 0, function* (s) {
    for (let row = s * mdp.numActions; row < (s + 1) * mdp.numActions; row++) for (let k = T.rowPtr[row]!; k < T.rowPtr[row + 1]!; k++) yield T.col[k]!;
  }).state < 0;
}

/** The instances: the built-in ones with softmax policies, or the user's MDP. */
function instances(opts: CheckOptions): { episodic: EstimatorInstance[]; continuing: EstimatorInstance[] } {
  if (opts.mdp) {
    const x = instanceOf(opts.mdpLabel ?? 'your MDP', opts.mdp, seededSoftmax(opts.mdp, 'check/user-mdp'));
    return terminates(opts.mdp) ? { episodic: [x], continuing: [x] } : { episodic: [], continuing: [x] };
  }
  const corridor = instanceOf('short-corridor softmax', shortCorridor(), seededSoftmax(shortCorridor(), 'check/corridor'));
  return { episodic: [corridor, ...episodicInstances().slice(1)], continuing: [continuingInstance()] };
}

export { writeTaskModule } from './sandbox.js';

/** How user tasks run: on the sandbox's pool (./sandbox.ts), never in this thread. */
interface Runner {
  run<O>(ctx: RunContext, x: EstimatorInstance, source: BatchSource, batches: number, task: 'userPolicyGradientTask' | 'userAdvantageTask' | 'userSurrogateTask' | 'userCriticTask' | 'builtin', options: O, stream: string, builtin?: string): Promise<BatchEstimates>;
  /** A KL estimator's per-sample estimates (the user's code runs in the sandbox). */
  kl(key: string, logRatio: Float64Array): Promise<ArrayLike<number>>;
  /** A group estimator's estimates on a chunk of batches (./group-kind.ts; the user's code runs in the sandbox). */
  group: GroupRun;
}

const EP = (n: number): BatchSource => ({ kind: 'episodes', episodes: n });
const SEG: BatchSource = { kind: 'segments', envs: 8, length: 32 };

/** The claims for one loaded estimator. */
export function userEstimatorClaims(e: LoadedEstimator, runner: Runner, opts: CheckOptions): Claim[] {
  const samples = opts.samples ?? 192_000;
  const batches = Math.max(50, Math.round(samples / 64));
  const inst = instances(opts);
  const tag = `check.${e.name}`;
  const needEpisodes = () => { if (!inst.episodic.length) fail('CLI_USAGE', `${e.name}: a ${e.estimator.kind} check needs complete episodes, and this MDP has a state that never terminates (give it terminal states, or use the built-in instances)`); };
  switch (e.estimator.kind) {
    case 'policy-gradient': {
      const pg = async (ctx: RunContext, x: EstimatorInstance, task: 'userPolicyGradientTask' | 'builtin', builtin: string | undefined, label: string) => {
        const options = task === 'builtin' ? { estimator: builtin!, gamma: x.mdp.gamma, baseline: Array.from(x.ev.V) } : { key: e.key, gamma: x.mdp.gamma };
        const est = await runner.run(ctx, x, EP(64), batches, task, options, `${tag}/${x.label}/${builtin ?? 'user'}`, builtin);
        return meanCheck(`${x.label}: ${label}`, est, x.grad, { relativeTo: { name: '‖∇J‖₂', value: x.norm }, unit: 'batches of 64 episodes' });
      };
      return [{
        id: `${tag}.unbiased`, title: `${e.name} is unbiased for ∇J`, source: 'Lehmann 2024, Theorem 3.1',
        statement: String.raw`\mathbb E[\hat g] = \nabla_\theta J(\theta)`, relation: 'unbiased', rule: 'studentized max over θ-coordinates, Šidák, α = 1e-6 per check',
        run: async (ctx) => { needEpisodes(); const out: Check[] = []; for (const x of inst.episodic) out.push(await pg(ctx, x, 'userPolicyGradientTask', undefined, e.name)); return out; },
        control: {
          description: 'REINFORCE without γ^t (mutant.reinforce-no-discount-weight) where γ < 1, else with a baseline read at s_{t+1} (mutant.action-dependent-baseline)',
          run: async (ctx) => { needEpisodes(); const out: Check[] = []; for (const x of inst.episodic) { const m = x.mdp.gamma < 1 ? 'mutant.reinforce-no-discount-weight' : 'mutant.action-dependent-baseline'; out.push(await pg(ctx, x, 'builtin', m, m)); } return out; },
        },
      }];
    }
    case 'advantage': {
      const adv = async (ctx: RunContext, x: EstimatorInstance, lambda: number, source: BatchSource, builtin?: string) => {
        const common = { gamma: x.mdp.gamma, values: Array.from(x.ev.V), normalizer: source.kind === 'episodes' ? source.episodes : source.envs };
        const options = builtin
          ? { estimator: builtin, parameter: lambda, ...common, target: Array.from(x.ev.A) }
          : { key: e.key, lambda, ...common, advantages: Array.from(x.ev.A), q: Array.from(x.ev.Q) };
        const est = await runner.run(ctx, x, source, Math.max(50, Math.round(batches / 8)), builtin ? 'builtin' : 'userAdvantageTask', options, `${tag}/${x.label}/${lambda}/${source.kind}/${builtin ?? 'user'}`, builtin ? 'advantageResidualTask' : undefined);
        const what = source.kind === 'segments' ? 'segments cut by truncation' : 'complete episodes';
        return meanCheck(`${x.label}: ${builtin ?? e.name}, λ = ${lambda}, ${what}${builtin ? '' : ' (advantages and targets)'}`, est, new Float64Array(est.dim));
      };
      const critics = criticClaim(e, (ctx, s, n, options, stream, builtin) => runner.run(ctx, s.x, s.source, n, builtin ? 'builtin' : 'userCriticTask', options, stream, builtin), criticSettings(opts.mdp ? inst : { ...inst, continuing: [continuingGarnetInstance()] }), Math.max(50, Math.round(batches / 8)), tag);
      return [{
        id: `${tag}.unbiased`, title: `${e.name}: with V^π its advantages have mean A^π(s,a) and its targets Q^π(s,a)`, source: 'Lehmann 2024, eq. 14, Algorithm 7 / eq. 19',
        statement: String.raw`\mathbb E[\hat A_t \mid s_t=s,a_t=a] = A^\pi(s,a),\quad \mathbb E[\text{target}_t \mid s,a] = Q^\pi(s,a)`, relation: 'unbiased', rule: 'studentized max over (s,a), Šidák, α = 1e-6 per check',
        run: async (ctx) => {
          const out: Check[] = [];
          for (const lambda of [0, 0.5, 0.95, 1]) {
            for (const x of inst.episodic) out.push(await adv(ctx, x, lambda, EP(16)));
            for (const x of inst.continuing) out.push(await adv(ctx, x, lambda, SEG));
          }
          return out;
        },
        control: {
          description: 'GAE treating a segment truncation as a termination (mutant.truncation-as-termination)',
          run: async (ctx) => { const out: Check[] = []; for (const x of inst.continuing) for (const lambda of [0.5, 1]) out.push(await adv(ctx, x, lambda, SEG, 'mutant.truncation-as-termination')); return out; },
        },
      }, critics];
    }
    case 'kl': {
      const f = (x: Float64Array) => runner.kl(e.key, x);
      const cases = [gaussianCase(0.1), gaussianCase(1), discreteCase('check-a'), discreteCase('check-b')];
      const draws = Math.max(1000, samples * 2);
      const one = async (ctx: RunContext, c: (typeof cases)[number], fn: (x: Float64Array) => ArrayLike<number> | Promise<ArrayLike<number>>, label: string): Promise<Check> => {
        const lr = c.draw(Rng.from(`${ctx.seed}/${tag}/${c.label}`), draws);
        const t = scalarMeanTest(Float64Array.from(toChecked(await fn(lr), draws, label)), c.kl, CHECK_ALPHA);
        // a sample spread so wide that not even a bias of the KL's own size could be detected
        // (heavy tails: an infinite variance, or an infinite mean) decides nothing — reported as
        // a failure with the reason, never as a pass
        const resolves = t.minDetectable <= Math.abs(c.kl);
        return { instance: `${c.label}: ${label}`, passed: t.passed && resolves, discrepancy: t.statistic, tolerance: t.threshold,
          ...(resolves ? {} : { note: `inconclusive: the estimates' spread (standard error ${t.standardError.toExponential(1)}) cannot resolve a bias of 100% of KL = ${c.kl.toPrecision(3)}; heavy tails? a correct k1 or k3 resolves a few percent here` }),
          stats: { effect: t.effect, standardError: t.standardError, samples: t.samples, falseAlarmRate: t.falseAlarmRate, minDetectable: t.minDetectable, statistic: t.statistic, threshold: t.threshold, test: t.test, relativeTo: { name: 'KL', value: c.kl } } };
      };
      const mutant = findMutation('mutant.k3-exp-of-ratio')!.mutant as (x: Float64Array) => Float64Array;
      return [{
        id: `${tag}.unbiased`, title: `${e.name} is unbiased for KL(q‖p) with x ∼ q`, source: 'Schulman 2020, "Approximating KL Divergence"',
        statement: String.raw`\mathbb E_{x\sim q}[\hat k(\log r)] = \mathrm{KL}(q\|p)`, relation: 'unbiased', rule: 'one-sample t-test, α = 1e-6 per check; a check that cannot resolve a bias of 100% of the KL fails as inconclusive',
        run: (ctx) => Promise.all(cases.map((c) => one(ctx, c, f, e.name))),
        // the mutant's mean is infinite for N(0,1) vs N(1,1): a mean test cannot reject it there
        control: { description: 'k3 computed as (e^r − 1) − r (mutant.k3-exp-of-ratio)', run: (ctx) => Promise.all(cases.filter((c) => !c.label.includes('N(1,1)')).map((c) => one(ctx, c, mutant, 'mutant.k3-exp-of-ratio'))) },
      }];
    }
    case 'group': return groupEstimatorClaims(e, runner.group, opts);
    case 'surrogate': {
      const clip = (e.estimator as SurrogateEstimator).clip;
      const moved = (x: EstimatorInstance) => { const rng = Rng.from(`check/moved/${x.label}`); return x.policy.theta.map((t) => t + 0.5 * rng.normal()); };
      const target = (x: EstimatorInstance, theta: Float64Array, eps: number | undefined) => {
        const at = { param: x.policy.param, theta };
        // unclipped: ∇ Σ η_old Σ_a π_θ A_old = clipped with ε = ∞
        return clippedObjectiveGradient(at, x.policy.param.probs(x.policy.theta), x.ev.A, x.ev.eta, eps ?? Number.MAX_VALUE);
      };
      const sur = async (ctx: RunContext, x: EstimatorInstance, theta: Float64Array, builtin: string | undefined, eps: number | undefined, label: string) => {
        const options = builtin ? { estimator: builtin, gamma: x.mdp.gamma, theta: Array.from(theta), epsilon: 0.2, advantages: Array.from(x.ev.A) } : { key: e.key, theta: Array.from(theta), advantages: Array.from(x.ev.A) };
        const est = await runner.run(ctx, x, EP(64), Math.max(50, Math.round(batches / 3)), builtin ? 'builtin' : 'userSurrogateTask', options, `${tag}/${x.label}/${label}/${builtin ?? 'user'}`, builtin ? 'surrogateGradientTask' : undefined);
        return meanCheck(`${x.label}: −∇ ${builtin ?? e.name} ${label}`, est, theta === x.policy.theta ? x.grad : target(x, theta, eps), { relativeTo: { name: '‖∇J‖₂', value: x.norm } });
      };
      return [{
        id: `${tag}.gradient`, title: `${e.name}: −∇loss equals ∇J at θ_old and the exact ${clip ? `clipped (ε = ${clip})` : 'unclipped'} surrogate gradient elsewhere`, source: 'Lehmann 2024, Table 1, eq. 18',
        statement: String.raw`\mathbb E[-\nabla\hat L(\theta_{\mathrm{old}})] = \nabla J,\quad \mathbb E[-\nabla\hat L(\theta)] = \nabla_\theta \textstyle\sum_s\eta_{\mathrm{old}}(s)\,\mathbb E_{\pi_{\mathrm{old}}}[\min(rA,\mathrm{clip}(r)A)]`, relation: 'unbiased', rule: 'studentized max, Šidák, α = 1e-6 per check',
        run: async (ctx) => { needEpisodes(); const out: Check[] = []; for (const x of inst.episodic) { out.push(await sur(ctx, x, x.policy.theta, undefined, clip, 'at θ_old')); out.push(await sur(ctx, x, moved(x), undefined, clip, 'at θ ≠ θ_old')); } return out; },
        control: {
          description: clip ? 'PPO taking min(ρ, clip ρ) before multiplying by Â (mutant.ppo-min-before-multiply), at θ ≠ θ_old' : 'PPO\'s clipped surrogate (ε = 0.2) against the unclipped target, at θ ≠ θ_old',
          run: async (ctx) => { needEpisodes(); const out: Check[] = []; for (const x of inst.episodic) out.push(await sur(ctx, x, moved(x), clip ? 'mutant.ppo-min-before-multiply' : 'ppoClipSurrogate', clip, 'at θ ≠ θ_old')); return out; },
        },
      }];
    }
  }
}

function toChecked(x: ArrayLike<number>, n: number, what: string): ArrayLike<number> {
  if (x?.length !== n) fail('ESTIMATOR_INVALID', `${what} returned ${x?.length ?? String(x)} numbers for ${n} samples`, { where: what, value: x?.length });
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i]!)) fail('ESTIMATOR_INVALID', `${what}[${i}] is ${x[i]}: estimates must be finite numbers`, { where: `${what}[${i}]`, value: x[i] });
  return x;
}

/**
 * Loads the module in a sandbox (./sandbox.ts), builds every applicable claim, and runs
 * them. A user call that ends its worker (`USER_CODE_EXIT`) or hangs (`USER_CODE_TIMEOUT`)
 * stops the whole check with that error; any other error of a claim is its ERROR verdict.
 */
export async function checkModule(path: string, opts: CheckOptions = {}): Promise<{ estimators: LoadedEstimator[]; results: ClaimResult[] }> {
  const box = await UserSandbox.open(path, { ...(opts.workers !== undefined ? { workers: opts.workers } : {}), ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}), ...(opts.python !== undefined ? { python: opts.python } : {}) });
  const { pool, taskFile, estimators } = box;
  let fatal: PgTruthError | undefined;
  const sealed = async <T>(f: () => Promise<T>): Promise<T> => {
    if (fatal) throw fatal;
    try { return await f(); } catch (e) {
      // a Python hang killed the thread's Python worker: the same stop as a hang in TypeScript
      if (isPgTruthError(e, 'USER_CODE_EXIT') || isPgTruthError(e, 'USER_CODE_TIMEOUT') || isPgTruthError(e, 'PYTHON_TIMEOUT')) fatal ??= e;
      throw e;
    }
  };
  const runner: Runner = {
    run(ctx, x, source, batches, task, options, stream, builtin) {
      const spec = { mdp: x.mdp, policy: x.policy };
      if (task === 'builtin') return sampleEstimates(ctx, { spec, source, batches, task: (builtin === 'advantageResidualTask' || builtin === 'surrogateGradientTask' || builtin === 'criticResidualTask' ? builtin : 'policyGradientTask'), options, stream });
      const plan = { source, batches: Math.max(50, Math.round(batches * ctx.scale)), seed: `${ctx.seed}/${stream}` };
      return sealed(() => pool.mapBatches(spec, plan, { module: taskFile, name: task }, options));
    },
    kl: (key, logRatio) => sealed(() => box.kl(key, logRatio)),
    group: (key, batches, theta) => sealed(() => box.group(key, batches, theta)),
  };
  try {
    const claims = estimators.flatMap((e) => userEstimatorClaims(e, runner, opts));
    const results = await runClaims(claims, { seed: opts.seed ?? 20240124, pool, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
    if (fatal) throw fatal;
    return { estimators, results };
  } finally {
    await box.close();
  }
}

/**
 * For a user's own test suite: runs every claim `pgtruth check` runs on the estimators of
 * the module at `path` and throws `CHECK_FAILED` with the failing verdicts unless all pass.
 *
 * ```ts
 * import { expectUnbiased } from 'pgtruth';
 * it('my GAE is unbiased', async () => { await expectUnbiased('./src/my-gae.ts'); }, 120_000);
 * ```
 */
export async function expectUnbiased(path: string, opts: CheckOptions = {}): Promise<ClaimResult[]> {
  const { results } = await checkModule(path, opts);
  const bad = results.filter((r) => r.verdict !== 'pass');
  if (bad.length) {
    const lines = bad.map((r) => `${r.verdict.toUpperCase()} ${r.id}: ${r.error ?? r.checks.filter((c) => !c.passed).map((c) => `${c.instance} (|z| = ${c.discrepancy.toFixed(1)} > ${c.tolerance.toFixed(1)})`).join('; ') ?? ''}${r.verdict === 'control-not-rejected' ? ' — the check could not tell a known bug apart here' : ''}`);
    throw new PgTruthError('CHECK_FAILED', `${path}: ${bad.length} claim(s) did not pass:\n${lines.join('\n')}`, { where: path });
  }
  return results;
}
