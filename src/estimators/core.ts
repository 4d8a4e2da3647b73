/**
 * The estimator cores: formulas over per-transition arrays (rlax-style), which the `Batch`
 * estimators call and a learner over any policy (tabular, MLP, Gaussian) calls directly.
 * One topic per module; this file re-exports them together.
 *
 * | core | formula |
 * | --- | --- |
 * | `discountWeights(t_index, γ, out?)` | w_t = γ^{t} (the one place γ^t is computed) |
 * | `gaeFromValues(r_t, v_t, v_tp1, terminated_t, truncated_t, γ, λ, out?)` | GAE (Lehmann 2024, Alg. 7) |
 * | `returnsFromRewards(r_t, terminated_t, truncated_t, γ, v_tp1?, out?)` | reward-to-go G_t |
 * | `valueTargetsFromAdvantages(adv, v_t, out?)` | Â_t + v_t |
 * | `policyGradientCoefficients(Ĝ, w, out?)` | c_t = w_t Ĝ_t |
 * | `ppoClipCoefficients(logp_t, logp_old_t, adv_t, ε, w?, out?)` | PPO-clip loss, c_t, clip fraction |
 * | `klK3FromLogProbs`, `meanKlK3FromLogProbs`, `klK3Coefficients` | k3 and its coefficients |
 *
 * The gradient of a coefficient estimator is Σ_t c_t ∇_θ log π_θ(a_t|s_t): `scoreSum` of
 * `src/policy/score-sum.ts` (tabular), `NeuralPolicy.scoreSum` (MLP heads).
 *
 * @module
 */
export { discountWeights, MAX_POWER_TABLE } from './discount.js';
export { gaeFromValues, returnsFromRewards, valueTargetsFromAdvantages } from './core-advantages.js';
export { klK3Coefficients, klK3FromLogProbs, meanKlK3FromLogProbs, policyGradientCoefficients, ppoClipCoefficients, type PpoClipCoefficients } from './coefficients.js';
