// BUGGY on purpose: ψ is not detached w.r.t. η in L_π, so ∂L/∂η picks up ∂L_π/∂η =
// Σ_i ψ_i (Â_i − Σ_j ψ_j Â_j) log π(a_i|s_i) / η² — what autodiff gives when the weights are not stop-gradiented.
import type { VmpoLossEstimator } from 'pgtruth';
import { vmpoGradients } from './vmpo-losses.js';

const vmpoEtaBug: VmpoLossEstimator = {
  kind: 'vmpo',
  name: 'vmpo-eta-sg-bug',
  estimate(batch, policy, old, adv, duals) {
    const { theta, eta, nu, psi, top } = vmpoGradients(batch, policy, old, adv, duals);
    const mean = top.reduce((acc, i, k) => acc + psi[k]! * adv[i]!, 0);
    const leak = top.reduce((acc, i, k) => acc + psi[k]! * (adv[i]! - mean) * policy.logProb(batch.s_t[i]!, batch.a_t[i]!), 0) / duals.eta ** 2;
    return { theta, eta: eta + leak, nu };
  },
};
export default vmpoEtaBug;
