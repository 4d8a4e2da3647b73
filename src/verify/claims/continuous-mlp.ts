/**
 * The exact truth behind `pgtruth check --policy gaussian-mlp | tanh-gaussian-mlp`
 * (../gaussian-mlp-kind.ts), checked in the default report (deterministic: no α spent).
 *
 * `continuous.mlp-chain-rule` (identity): on the kind's two contextual bandits — a Gaussian head
 * with a state-independent log σ in an environment that clips to [−1, 1], and a tanh-Gaussian
 * head whose network outputs [μ, log σ] — ∇_w J by the chain rule (the per-context bandit
 * gradients in (μ, log σ) by quadrature, pulled back by one VJP of the network;
 * ../../exact/gaussian-mlp-bandit.ts) equals Ridders-extrapolated central differences of J(w),
 * which use neither the chain rule nor a score-function form. Rule: relative ‖Δ‖₂/‖Ridders‖₂ ≤
 * {@link MLP_CHAIN_TOL} on a seeded subset of {@link COORDS} coordinates plus every log σ
 * parameter or log σ output bias (the coordinates the control moves). Measured: 9.5e−14 and 4.0e−14 here; 1e−13 to 5e−13
 * on all coordinates (property-tests/exact/gaussian-mlp-bandit.test.ts).
 *
 * Control: the head's Jacobian in log σ taken as 0 (log σ detached from the graph, its cotangent
 * dropped): off by 0.71 (Gaussian head) and 0.91 (tanh head) relative on those coordinates (`node bin/pgtruth.js report --only continuous.mlp --verbose`), far beyond the tolerance.
 *
 * Cost: ~0.3 s (the quadratures of ~12 coordinates × ~20 Ridders evaluations × 3 contexts).
 *
 * @module
 */
import { mlpBanditGradientByDifferences, mlpBanditObjective } from '../../exact/gaussian-mlp-bandit.js';
import { Rng } from '../../stats/rng.js';
import { decide, type Check, type Claim } from '../claim.js';
import { mlpBanditInstance, type MlpBanditInstance } from '../gaussian-mlp-kind.js';

/** The tolerance of the identity (Ridders' own error estimate is ~1e−13 here). */
export const MLP_CHAIN_TOL = 1e-8;
/** Seeded network coordinates differentiated per instance (besides the log σ ones). */
const COORDS = 8;

const POLICIES = ['gaussian-mlp', 'tanh-gaussian-mlp'] as const;

/** The coordinates of an instance: every log σ parameter (or log σ output bias), and a seeded subset of the others. */
function coordinates(x: MlpBanditInstance): number[] {
  const { mlp, actionDim: k } = x.policy, last = mlp.layers[mlp.layers.length - 1]!;
  const logStd = x.policy.logStd === 'state-independent' ? Array.from({ length: k }, (_, i) => mlp.numParams + i) : Array.from({ length: k }, (_, i) => last.b + k + i);
  const pick = new Set<number>(logStd), rng = Rng.from(`continuous.mlp-chain-rule/${x.label}`);
  while (pick.size < logStd.length + COORDS) pick.add(rng.int(mlp.numParams));
  return [...pick].sort((a, b) => a - b);
}

const ridders = new Map<string, { k: number[]; value: Float64Array; error: number }>();
function route(x: MlpBanditInstance) {
  let r = ridders.get(x.label);
  if (!r) { const k = coordinates(x); r = { k, ...mlpBanditGradientByDifferences(x.bandit, x.policy, x.theta, 0.1, k) }; ridders.set(x.label, r); }
  return r;
}

function compare(x: MlpBanditInstance, g: Float64Array, what: string): Check {
  const { k, value, error } = route(x);
  let num = 0, den = 0;
  k.forEach((j, i) => { num += (g[j]! - value[i]!) ** 2; den += value[i]! ** 2; });
  return decide(`${x.label}: ${what} vs Ridders differences (${k.length} of ${x.policy.numParams} coordinates)`, Math.sqrt(num / den), MLP_CHAIN_TOL, { note: `relative ‖Δ‖₂/‖Ridders‖₂; Ridders' own error estimate ${error.toExponential(1)}` });
}

export const mlpGaussianChainRuleClaim: Claim = {
  id: 'continuous.mlp-chain-rule',
  title: 'For a Gaussian or tanh-Gaussian head on an MLP, ∇_w J is the per-context bandit gradient in (μ, log σ) pulled back by one VJP of the network',
  statement: String.raw`\nabla_w J = \sum_s \rho(s)\Big(\tfrac{\partial J_s}{\partial\mu}\tfrac{\partial\mu_w(x_s)}{\partial w} + \tfrac{\partial J_s}{\partial\log\sigma}\tfrac{\partial\log\sigma_w(x_s)}{\partial w}\Big),\quad J = \sum_s\rho(s)\,J_s\big(\mu_w(x_s),\log\sigma_w(x_s)\big)`,
  source: 'Lehmann 2024, Theorem 3.1, §3.2 and §6; Rumelhart, Hinton & Williams 1986; Ridders 1982',
  relation: 'identity',
  rule: `relative discrepancy ≤ ${MLP_CHAIN_TOL} against Ridders differences of J(w)`,
  run: () => POLICIES.map((p) => { const x = mlpBanditInstance(p); return compare(x, x.exact.grad, 'chain rule'); }),
  control: {
    description: 'log σ detached from the graph: the head\'s Jacobian in log σ taken as 0 (its cotangent dropped)',
    run: () => POLICIES.map((p) => { const x = mlpBanditInstance(p); return compare(x, mlpBanditObjective(x.bandit, x.policy, x.theta, { wrong: 'detach-log-std' }).grad, 'log σ detached'); }),
  },
};

/** The claims of this group, in report order. */
export const continuousMlpClaims: readonly Claim[] = [mlpGaussianChainRuleClaim];
