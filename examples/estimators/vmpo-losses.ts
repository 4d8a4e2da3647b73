// A user's V-MPO losses (Lehmann 2024, eqs. 20–22): the gradients of L = L_π + L_η + L_ν in θ, η, ν.
// L_π = −Σ_{top half} sg[ψ_i] log π(a_i|s_i), ψ = softmax(Â/η) over the top half;
// L_η = η ε_η + η log mean_{top half} exp(Â/η); L_ν = ν(ε_ν − sg[D̄]) + sg[ν] D̄, D̄ the batch's mean KL(π_old‖π_θ).
import type { VmpoLossEstimator } from 'pgtruth';

export function vmpoGradients(...[batch, policy, old, adv, { eta, nu, epsilonEta, epsilonNu }]: Parameters<VmpoLossEstimator['estimate']>) {
  const n = batch.size, A = policy.numActions, theta = new Float64Array(policy.numStates * A);
  // the top half by advantage (ties: the earlier transition)
  const top = Array.from({ length: n }, (_, i) => i).sort((i, j) => adv[j]! - adv[i]! || i - j).slice(0, Math.ceil(n / 2));
  const max = Math.max(...top.map((i) => adv[i]!));
  const z = top.map((i) => Math.exp((adv[i]! - max) / eta)), Z = z.reduce((a, b) => a + b, 0);
  const psi = z.map((x) => x / Z);
  // ∇_θ L_π = −Σ ψ_i ∇log π(a_i|s_i); ψ is data (detached)
  top.forEach((i, k) => policy.addScore(batch.s_t[i]!, batch.a_t[i]!, -psi[k]!, theta));
  // ∂L_η/∂η = ε_η + log mean exp(Â/η) − Σ ψ Â / η
  const logMean = max / eta + Math.log(Z / top.length);
  const etaGrad = epsilonEta + logMean - top.reduce((acc, i, k) => acc + psi[k]! * adv[i]!, 0) / eta;
  // D̄ and ∇_θ D̄: per state, ∇_θ KL(p‖π_θ) = π_θ − p
  let kl = 0;
  for (let i = 0; i < n; i++) {
    const s = batch.s_t[i]!, p = old.probs(s), q = policy.probs(s);
    for (let a = 0; a < A; a++) { kl += (p[a]! * Math.log(p[a]! / q[a]!)) / n; theta[s * A + a]! += (nu * (q[a]! - p[a]!)) / n; }
  }
  return { theta, eta: etaGrad, nu: epsilonNu - kl, psi, top };
}

const vmpo: VmpoLossEstimator = {
  kind: 'vmpo',
  name: 'vmpo-losses',
  estimate(...args) { const { theta, eta, nu } = vmpoGradients(...args); return { theta, eta, nu }; },
};
export default vmpo;
