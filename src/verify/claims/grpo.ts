/**
 * The GRPO learner's integration claim (issue 15, item 5): the first update direction of
 * `runGrpo` (`src/algorithms/grpo.ts`) is, bit for bit, minus the verified group estimator on
 * the same batch — `groupGradient` of the `group.*` claims (./group.ts) with the variant's
 * advantages and loss aggregation:
 *
 * | variant | first update direction |
 * | --- | --- |
 * | GRPO | −`groupGradient`(B, π₀, `grpoAdvantages`, per-sequence mean 1/(N\|o_i\|)) |
 * | Dr. GRPO | −`groupGradient`(B, π₀, `drGrpoAdvantages`, constant N·T_max) |
 * | RLOO | −`groupGradient`(B, π₀, `rlooAdvantages`, constant N) |
 *
 * At θ = θ_old = θ_ref the clipped ratio is 1 (`ppoClipCoefficients` gives w·Â) and the k3 term's
 * derivative 1 − e^0 is 0, so the learner's loss gradient must be exactly the estimator's. So
 * what the `group.*` claims verify (RLOO unbiased, Dr. GRPO (1 − 1/G)∇J, GRPO a prompt
 * reweighting) is what the learner follows. Negative control: the recomputation with the next
 * variant's advantages (GRPO with Dr. GRPO's, Dr. GRPO with RLOO's, RLOO with GRPO's) must not
 * be bit-identical. Deterministic: one update per variant on the built-in contextual bandit and
 * token MDP (B = 4 prompts, G = 4), 0.1–0.3 s.
 *
 * @module
 */
import { GROUP_VARIANTS, longestResponse, runGrpo, type GroupGradientEvent, type GroupVariant } from '../../algorithms/grpo.js';
import { drGrpoAdvantages, grpoAdvantages, rlooAdvantages } from '../../estimators/group.js';
import { builtinContextualBandit, builtinTokenMDP } from '../../mdp/library/index.js';
import { softmaxPolicy } from '../../policy/softmax.js';
import { decide, type Check, type Claim } from '../claim.js';
import { groupGradient, type Aggregation, type GroupAdvantages } from './group.js';
import { bitDifferences } from './learners.js';

/** Each variant's advantages and aggregation as the `group.*` claims spell them (T = the longest response). */
const ESTIMATOR: Record<GroupVariant, { adv: GroupAdvantages; agg: (T: number) => Aggregation }> = {
  grpo: { adv: (r, G) => grpoAdvantages(r, G), agg: () => ({ mode: 'sequence-mean' }) },
  'dr-grpo': { adv: drGrpoAdvantages, agg: (T) => ({ mode: 'constant', perResponse: T }) },
  rloo: { adv: rlooAdvantages, agg: () => ({ mode: 'constant', perResponse: 1 }) },
};

function checks(seed: number, wrong: boolean): Check[] {
  const out: Check[] = [];
  for (const [name, mdp] of [['bandit-contextual', builtinContextualBandit()], ['token-mdp', builtinTokenMDP()]] as const) {
    const T = longestResponse(mdp);
    GROUP_VARIANTS.forEach((variant, v) => {
      let first: GroupGradientEvent | undefined;
      runGrpo(mdp, { updates: 1, epochs: 1, prompts: 4, group: 4 }, { seed, variant, probe: (e) => { first ??= e; } });
      const policy = { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta: first!.theta };
      const adv = ESTIMATOR[wrong ? GROUP_VARIANTS[(v + 1) % GROUP_VARIANTS.length]! : variant].adv;
      const direct = groupGradient(policy, first!.batch, adv, ESTIMATOR[variant].agg(T)).map((g) => -g);
      // −0 and 0 are the same number here: the learner's 0 − c and the estimator's −c differ only in the sign of zeros
      const differing = bitDifferences(first!.direction.map((x) => x + 0), direct.map((x) => x + 0));
      let norm = 0;
      for (const x of direct) norm = Math.max(norm, Math.abs(x));
      out.push(decide(`${name} ${variant}`, differing, 0, { note: `${differing} of ${direct.length} entries differ; max |direction| ${norm.toExponential(2)}` }));
    });
  }
  return out;
}

export const grpoIntegrationClaim: Claim = {
  id: 'learners.grpo-first-update-is-the-estimator',
  title: "The GRPO learner's first update (GRPO, Dr. GRPO, RLOO) is the verified group estimator on its batch, bit for bit",
  statement: String.raw`\nabla_\theta\mathcal L_{\text{GRPO}}(\theta_0; B_0)\big|_{\theta_0 = \theta_{\text{old}} = \theta_{\text{ref}}} \equiv -\hat g_{\text{group}}(B_0, \theta_0)\ \text{(every double identical)}`,
  source: 'issue 15; Shao et al. 2024, eq. 3; Liu et al. 2025; Ahmadian et al. 2024',
  relation: 'identity',
  rule: 'the number of entries that are not the same double (0 and −0 counted equal) is 0',
  run: (ctx) => checks(ctx.seed, false),
  control: {
    description: "the same recomputation with the next variant's advantages (GRPO with Dr. GRPO's r − r̄, Dr. GRPO with RLOO's, RLOO with GRPO's)",
    run: (ctx) => checks(ctx.seed, true),
  },
};

/** The GRPO learner's claim group. */
export const grpoClaims: Claim[] = [grpoIntegrationClaim];
