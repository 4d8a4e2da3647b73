/**
 * The library's own GAE and n-step advantage under critics other than V^π, in the default
 * report: `estimators.gae-critics`.
 *
 * **Why.** The `estimators.gae-*` and `estimators.nstep-*` claims run with the exact V^π (or
 * a random baseline on complete episodes at λ = 1). With V^π every later TD error has
 * conditional mean zero, so a wrong weighting of the later TD errors (λ^k, (γλ)^{k+1}, the
 * mix of a λ-return swapped) and a bootstrap through a termination (V^π is 0 there) leave
 * E[Â | s, a] = A^π: no sample size sees them. This claim runs `gae` and `nStepAdvantages`
 * with the critics of ./critics.ts ({@link criticsFor}: V^π, 0, V^π + offset, a seeded
 * random table) on the settings of {@link criticSettings} — complete episodes on every
 * episodic instance, a time limit of 8 on the 4×4 gridworld, segments from the second on
 * (mid-episode starts) on the episodic Garnet, segments with a time limit of 20 on the
 * continuing Garnet — and tests each advantage and value target (Â_t + V(s_t)) against its
 * exact conditional mean given (s_t, a_t, steps to the cut) (src/exact/advantage-expectation.ts,
 * the residuals of ../advantage-targets.ts). The last transition before each cut is checked
 * on its own, as in `pgtruth check`.
 *
 * Its control runs the catalogue mutants that only another critic exposes (and the carry
 * not reset, a truncation taken for a termination, the n-step bootstrap's off-by-one), each
 * on the setting of {@link GAE_CONTROLS} / {@link NSTEP_CONTROLS} where it shows.
 *
 * Statistics: 250 batches per check (16 episodes, or 32 environments × 8 steps, each), the
 * studentized max over (critic, s, a, advantage | target) with Šidák at α = 1e-7 per check
 * (19 checks: 1.9e-6 of the suite's 1e-4 budget); each verdict states its resolution (the
 * bias in one coordinate it detects with power 0.9). Over seeds 1–6 every control was rejected
 * by ≥ 9.7 standard errors beyond its threshold (the weakest: GAE with λ^k weights at λ = 1 on
 * the episodic Garnet), and the correct estimators reached at most 0.66 of the threshold.
 * `npm run bench:critics` measures the same checks over 20 seeds at `pgtruth check`'s size.
 *
 * @module
 */
import type { AdvantageDefinition } from '../../exact/advantage-expectation.js';
import { DETECTION_POWER } from '../../stats/tests.js';
import { hasCuts } from '../advantage-targets.js';
import type { Check, Claim, RunContext } from '../claim.js';
import { meanCheck, sampleEstimates } from '../sampled.js';
import { GAE_CONTROLS, NSTEP_CONTROLS, continuingGarnetInstance, criticChecks, criticOptions, criticSettings, criticsFor, placeControls, type CriticControl, type CriticSetting } from './critics.js';
import { episodicInstances } from './estimators.js';

/** The false-alarm rate of each check of this claim. */
export const GAE_CRITICS_ALPHA = 1e-7;

/** λ of the GAE checks (a control placed at another λ gets its twin checked at that λ too). */
const LAMBDA = 0.8;

/** Batches per check at scale 1, per layout (episodes: 16 per batch; segments: 32 environments × 8 steps). */
const BATCHES = { episodes: 250, segments: 250 };

/** The settings of the claim: the built-in episodic instances and the continuing Garnet. */
function settings(): CriticSetting[] {
  return criticSettings({ episodic: episodicInstances(), continuing: [continuingGarnetInstance()] });
}

/** The resolution of a check in words: the smallest bias it detects with probability {@link DETECTION_POWER}. */
function resolution(c: Check, unit: string): string {
  const d = c.stats!.minDetectable;
  if (d === 0) return 'resolution: exact (no coordinate varies across batches; each is compared within rounding)';
  return `resolution (power ${DETECTION_POWER}): a bias of ${d.toExponential(1)} per ${unit} in one (critic, s, a) residual sum`;
}

/** One library estimator (or catalogue mutant) on one setting under every critic: its checks. */
async function criticRun(ctx: RunContext, s: CriticSetting, estimator: string, definition: AdvantageDefinition, parameter: number, control: boolean): Promise<Check[]> {
  const cs = criticsFor(s.x);
  const nStep = typeof definition === 'object';
  const options = criticOptions(s, cs, definition, nStep ? 1 : parameter);
  const est = await sampleEstimates(ctx, {
    spec: { mdp: s.x.mdp, policy: s.x.policy }, source: s.source, batches: BATCHES[s.source.kind],
    task: 'criticResidualTask', options: { ...options, estimator, lambda: parameter },
    stream: `gae-critics/${s.x.label}/${s.what}/${estimator}/${parameter}`,
  });
  const label = `${s.x.label}: ${estimator}, ${nStep ? 'n' : 'λ'} = ${parameter}, ${s.what}; critics ${cs.map((c) => c.name).join(', ')}`;
  const unit = s.source.kind === 'episodes' ? 'episode' : 'environment';
  // a control is one check over every coordinate (rejected when any block shows the bug)
  const checks = criticChecks(label, est, hasCuts(options) && !control, cs.map((c) => c.name), s.x.mdp.numActions, unit, (name, block) => meanCheck(name, block, new Float64Array(block.dim), { alpha: GAE_CRITICS_ALPHA }));
  return checks.map((c) => ({ ...c, note: `${c.note ?? ''}; ${resolution(c, unit)}` }));
}

/** Each control of {@link GAE_CONTROLS} and {@link NSTEP_CONTROLS} on its setting. */
function controls(all: readonly CriticSetting[]): { control: CriticControl; setting: CriticSetting; definition: AdvantageDefinition }[] {
  return [
    ...placeControls(GAE_CONTROLS, all).map((c) => ({ ...c, definition: 'gae' as const })),
    ...placeControls(NSTEP_CONTROLS, all).map((c) => ({ ...c, definition: { nStep: c.control.lambda } })),
  ];
}

const CONTROL_IDS = [...GAE_CONTROLS, ...NSTEP_CONTROLS].map((c) => `${c.mutant} (${NSTEP_CONTROLS.includes(c) ? 'n' : 'λ'} = ${c.lambda})`);

export const gaeCriticsClaim: Claim = {
  id: 'estimators.gae-critics',
  title: 'With critics V ≠ V^π and on episodes cut by time limits and segments, the library\'s GAE and n-step advantages and targets have the exact means of their definitions',
  statement: String.raw`\mathbb E[\hat A_t \mid s_t=s,a_t=a,m_t=m] = \textstyle\sum_{k<\min(m,w)} \kappa^k\,\mathbb E[\delta_{t+k}\mathbb 1\{\text{alive}\}\mid s,a]\ \ (\kappa = \gamma\lambda,\ w = \infty \text{ for GAE};\ \kappa = \gamma,\ w = n),\quad \mathbb E[\hat A_t + V(s_t)\mid s,a,m] = \text{that} + V(s)`,
  source: 'Lehmann 2024, eq. 14 and Algorithm 7 / eq. 19; Schulman et al. 2016; derivation 5, step gae.wrong-critic',
  relation: 'unbiased',
  rule: `studentized max over (critic, s, a, advantage | target), Šidák, α = ${GAE_CRITICS_ALPHA} per check; the last transition before each cut checked on its own`,
  run: async (ctx) => {
    const out: Check[] = [], all = settings();
    for (const s of all) {
      out.push(...(await criticRun(ctx, s, 'gae', 'gae', LAMBDA, false)));
      out.push(...(await criticRun(ctx, s, 'nStepAdvantages', { nStep: 3 }, 3, false)));
    }
    // the twin of a control run at another λ, on the control's own setting
    for (const { control, setting, definition } of controls(all)) {
      if (definition === 'gae' && control.lambda !== LAMBDA) out.push(...(await criticRun(ctx, setting, 'gae', 'gae', control.lambda, false)));
    }
    return out;
  },
  control: {
    description: `catalogue mutants that only a critic V ≠ V^π or a cut exposes, each on a setting where it shows (λ = 0.8 unless said): ${CONTROL_IDS.join(', ')}`,
    run: async (ctx) => {
      const out: Check[] = [];
      for (const { control, setting, definition } of controls(settings())) out.push(...(await criticRun(ctx, setting, control.mutant, definition, control.lambda, true)));
      return out;
    },
  },
};
