/**
 * Claims on the learners' exact learning curves (issue 11, item 4): each sampled learner of
 * `src/algorithms/` reaches J* on the built-in MDPs, on every one of N seeds, within a stated
 * sample budget — measured on the exact curve (J(θ_N) from `evaluatePolicy`, J* from policy
 * iteration; `ExactWatcher`), not on sampled returns.
 *
 * A run is deterministic given its seed (one `Rng.from(seed)` determines the batches, the
 * shuffles and hence θ_N), so the check is a deterministic inequality: no false-alarm rate is
 * spent. The seeds are the report's root seed + 0, 1, 2 (`--seed` changes them).
 *
 * The budget of each learner is its documented defaults with fewer updates (and, for PPO and
 * V-MPO, 4 epochs instead of 10), so that the claim costs about a second of CPU
 * ({@link CURVE_BUDGETS}; the full-length runs with the 1% tolerance are `npm run bench:learners`).
 * Over the 15 seeds 1–12 and 20240124–20240126 the largest final relative gap of any learner was
 * 3.5% (PPO on gridworld-4x4) against the tolerance of 5%.
 *
 * Negative control: the same runs with the step size 0 (`lr` 0; TRPO's trust region `maxKl` at
 * its floor 1e-12), one seed, on short-corridor: a learner that does not move θ stays at the uniform policy,
 * whose gap is the whole initial gap — the tolerance is not met by standing still.
 *
 * @module
 */
import { LEARNERS } from '../../algorithms/index.js';
import { builtinMDP } from '../../mdp/library/index.js';
import { decide, type Check, type Claim } from '../claim.js';

/** The MDPs of the claim. */
export const CURVE_MDPS = ['short-corridor', 'gridworld-4x4'] as const;

/** Seeds per learner and MDP. */
export const CURVE_SEEDS = 3;

/** The tolerance: final gap J* − J(θ_N) ≤ 5% of the initial gap J* − J(θ_0). */
export const CURVE_TOLERANCE = 0.05;

/** Each learner's budget: its defaults overridden by these (the samples follow from them). */
export const CURVE_BUDGETS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  reinforce: { updates: 80 },
  a2c: { updates: 100 },
  trpo: { updates: 40 },
  ppo: { updates: 25, epochs: 4 },
  vmpo: { updates: 30, epochs: 4 },
};

/** The step size 0 of the control: θ never moves. */
const STANDING_STILL: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  reinforce: { lr: 0 }, a2c: { lr: 0 }, trpo: { maxKl: 1e-12 }, ppo: { lr: 0 }, vmpo: { lr: 0 },
};

/**
 * One check per MDP (of `mdps`) × learner: the largest over `seeds` of the final relative gap
 * (J* − J(θ_N)) / (J* − J(θ_0)) against {@link CURVE_TOLERANCE}.
 */
export function curveChecks(rootSeed: number, seeds: number, broken: boolean, mdps: readonly string[] = CURVE_MDPS): Check[] {
  const out: Check[] = [];
  for (const name of mdps) {
    const mdp = builtinMDP(name);
    for (const l of LEARNERS) {
      const hp = { ...CURVE_BUDGETS[l.name]!, ...(broken ? STANDING_STILL[l.name]! : {}) };
      let worst = 0, samples = 0;
      const gaps: string[] = [];
      for (let k = 0; k < seeds; k++) {
        const records = l.run(mdp, hp, { seed: rootSeed + k, label: name }).curve.records;
        const rel = records[records.length - 1]!.gap / records[0]!.gap;
        worst = Math.max(worst, rel);
        samples = Math.max(samples, records[records.length - 1]!.samples);
        gaps.push(rel.toExponential(1));
      }
      out.push(decide(`${name} ${l.name}`, worst, CURVE_TOLERANCE, { note: `final gap / initial gap per seed: ${gaps.join(', ')}; ≤ ${samples} samples, ${hp.updates} updates` }));
    }
  }
  return out;
}

export const learnerCurveClaim: Claim = {
  id: 'learners.reach-jstar',
  title: `Each sampled learner reaches J* within ${CURVE_TOLERANCE * 100}% of the initial gap on short-corridor and gridworld-4x4, on every one of ${CURVE_SEEDS} seeds, within its stated budget`,
  statement: String.raw`\max_{\text{seed}}\ \frac{J^* - J(\theta_N)}{J^* - J(\theta_0)} \le 0.05\quad\text{(exact } J\text{; } \theta_0 \text{ uniform)}`,
  source: 'issue 11; Lehmann 2024, §4.1–4.5 and §6 (REINFORCE, A2C, TRPO, PPO, V-MPO)',
  relation: 'inequality',
  rule: `the largest final relative gap over ${CURVE_SEEDS} seeds ≤ ${CURVE_TOLERANCE}, budgets: ${Object.entries(CURVE_BUDGETS).map(([k, v]) => `${k} ${Object.entries(v).map(([a, b]) => `${a} ${b}`).join(', ')}`).join('; ')} (other hyperparameters: the defaults)`,
  run: (ctx) => curveChecks(ctx.seed, CURVE_SEEDS, false),
  control: {
    description: 'the same learners with step size 0 (lr 0; TRPO maxKl 1e-12), one seed, short-corridor: θ stays uniform',
    run: (ctx) => curveChecks(ctx.seed, 1, true, ['short-corridor']),
  },
};
