// A user's PPO clipped surrogate (ε = 0.2) for a tanh-squashed Gaussian policy with per-batch
// advantage normalization, Â ← (Â − mean)/(std + 1e-8) over the batch's draws (as PPO
// implementations do; std with n − 1, as torch's .std()), declared as such
// (normalizeAdvantages: true). Its gradient is not an unbiased estimate of ∇J: at θ_old it tends
// to ∇J/σ_A as the batch grows. pgtruth checks it against that large-batch limit — the exact
// clipped-surrogate gradient with the advantage u ↦ (A(u) − μ)/σ, μ and σ of A under π_old by
// quadrature — and says how far it is from ∇J.
// pgtruth check examples/estimators/tanh-gaussian-ppo-normalized.ts   → passes (tanh bandit at θ_old and θ ≠ θ_old)
import type { GaussianSurrogateEstimator } from 'pgtruth';

const EPS = 0.2;

/** −(1/E) Σ_t min(ρ_t Â_t, clip(ρ_t, 1 ± ε) Â_t) with Â normalized over the batch, and its gradient. */
export function normalizedPpo(batch: Parameters<GaussianSurrogateEstimator['estimate']>[0], policy: Parameters<GaussianSurrogateEstimator['estimate']>[1], advantages: Float64Array) {
  const d = batch.obsDim, k = batch.actionDim, n = batch.size;
  let mean = 0, sq = 0;
  for (let t = 0; t < n; t++) mean += advantages[t]! / n;
  for (let t = 0; t < n; t++) sq += (advantages[t]! - mean) ** 2;
  const std = Math.sqrt(sq / (n - 1)) + 1e-8;
  const gradient = new Float64Array(policy.numParams);
  let loss = 0, episodes = 0;
  for (let t = 0; t < n; t++) {
    if (t === 0 || batch.episode_t[t] !== batch.episode_t[t - 1]) episodes++;
    const obs = batch.obs_t.subarray(t * d, (t + 1) * d), a = batch.a_cont_t.subarray(t * k, (t + 1) * k);
    const rho = Math.exp(policy.logProb(obs, a) - batch.logp_t[t]!), A = (advantages[t]! - mean) / std;
    const clipped = Math.min(Math.max(rho, 1 - EPS), 1 + EPS);
    loss -= Math.min(rho * A, clipped * A);
    // ∇ρ = ρ ∇log π; where the clipped branch is the minimum the term is constant
    if (rho * A <= clipped * A) policy.addScore(obs, a, -rho * A, gradient);
  }
  return { loss: loss / episodes, gradient: gradient.map((g) => g / episodes) };
}

const tanhGaussianPpoNormalized: GaussianSurrogateEstimator & { normalizeAdvantages: true } = {
  kind: 'surrogate',
  policy: 'tanh-gaussian',
  name: 'tanh-gaussian-ppo-normalized',
  clip: EPS,
  normalizeAdvantages: true,
  estimate: normalizedPpo,
};
export default tanhGaussianPpoNormalized;
