/**
 * A Gaussian policy over continuous actions seen through the tabular {@link Parameterization}
 * interface, on the nodes of a sampled batch — so that the estimators of src/estimators
 * (REINFORCE, actor-critic, PPO's and TRPO's surrogates, the KL penalty, the Fisher–vector
 * product), which reach a policy only through `logProb(θ, s, a)` and
 * `addScore(θ, s, a, w, out)`, run unchanged on continuous actions.
 *
 * Each node s of the batch (a visited state, see src/sampling/lqr.ts) carries its own
 * features and the action taken there; "action 0 at node s" means that action. Then
 *
 * $$\log\pi_\theta(0|s) = \log\mathcal N\big(a_s;\ \mu_\theta(s),\ \sigma_\theta\big),\qquad
 *   \nabla_\theta\log\pi_\theta(0|s) = J_{\mu}(s)^\top\,\frac{a_s-\mu}{\sigma^2}\ \oplus\ \Big(\frac{(a_s-\mu)^2}{\sigma^2}-1\Big),$$
 *
 * the Gaussian score of src/policy/gaussian.ts pulled back through the mean head by a
 * vector–Jacobian product (Lehmann 2024, §3.2). log σ is a state-independent parameter
 * block θ[logStdOffset … +k]. For a tanh-squashed policy the stored action is the
 * pre-squash u and the log-density gains −Σ log(1 − tanh² u), whose θ-gradient is 0.
 *
 * Not a distribution over a finite action set: `probsRow`, `probs`, `addDProbs` and
 * `probsIn` (which sum over actions) throw `FIELD_UNSUPPORTED`; the estimators that need
 * them (the tabular entropy bonus, the exact-KL state terms) do not apply, and the Gaussian's
 * closed forms serve instead (`gaussianEntropyRow`, `gaussianKlRow`).
 *
 * @module
 */
import { fail } from '../errors.js';
import { checkGaussianRow, gaussianAddScoreRow, gaussianLogProbRow, tanhGaussianLogProbRow } from './gaussian.js';
import type { Parameterization } from './types.js';

/** A mean head μ_θ(s) with its vector–Jacobian product. */
export interface GaussianMeanHead {
  /** Action dimensions k. */
  readonly k: number;
  /** Length of θ (the mean parameters and the k log σ entries). */
  readonly numParams: number;
  /** Where log σ sits in θ. */
  readonly logStdOffset: number;
  /** Writes μ_θ(s) into out[0 … k−1]. */
  mean(theta: Float64Array, s: number, out: Float64Array): void;
  /** out += J_μ(s)ᵀ g (g of length k). */
  addMeanVjp(theta: Float64Array, s: number, g: Float64Array, out: Float64Array): void;
}

/**
 * The linear head μ = −Kx of the LQR's linear-Gaussian policy: θ = [vec K (m×n, row-major),
 * log σ (m)], x of node s at `x[s·n …]`. ∂μ_i/∂K_ij = −x_j.
 */
export function linearGaussianHead(n: number, m: number, x: Float64Array): GaussianMeanHead {
  return {
    k: m, numParams: m * n + m, logStdOffset: m * n,
    mean(theta, s, out) {
      for (let i = 0; i < m; i++) { let v = 0; for (let j = 0; j < n; j++) v -= theta[i * n + j]! * x[s * n + j]!; out[i] = v; }
    },
    addMeanVjp(theta, s, g, out) {
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = out[i * n + j]! - g[i]! * x[s * n + j]!;
    },
  };
}

/** The state-free head of a one-step bandit: θ = [μ (k), log σ (k)], μ(s) = θ[0 … k−1]. */
export function constantGaussianHead(k: number): GaussianMeanHead {
  return {
    k, numParams: 2 * k, logStdOffset: k,
    mean(theta, _s, out) { for (let i = 0; i < k; i++) out[i] = theta[i]!; },
    addMeanVjp(_theta, _s, g, out) { for (let i = 0; i < k; i++) out[i] = out[i]! + g[i]!; },
  };
}

/**
 * The Gaussian policy of `head` on `numNodes` nodes with the node's action at
 * `actions[s·k …]` (the pre-squash u when `squashed`), as a {@link Parameterization} with
 * one action per node (module comment).
 */
export function sampledGaussianPolicy(head: GaussianMeanHead, numNodes: number, actions: Float64Array, squashed = false): Parameterization {
  const { k, numParams, logStdOffset: ls } = head;
  const mu = new Float64Array(k), gMu = new Float64Array(k);
  const unsupported = (what: string): never => fail('FIELD_UNSUPPORTED', `${what} sums over a finite action set; a Gaussian policy's actions are continuous (use gaussianEntropyRow / gaussianKlRow)`, { where: what });
  const checkIndex = (s: number, a: number) => {
    if (!(s >= 0 && s < numNodes && a === 0)) fail('POLICY_SHAPE', `(node ${s}, action ${a}) is outside the ${numNodes} nodes × 1 action of the sampled Gaussian policy`, { where: `node ${s}`, value: a });
  };
  return {
    kind: 'gaussian-samples', numStates: numNodes, numActions: 1, numParams, paramShape: [numParams],
    check(theta) {
      if (!(theta instanceof Float64Array) || theta.length !== numParams) fail('POLICY_SHAPE', `θ has ${theta?.length} entries, the Gaussian policy has ${numParams}`, { where: 'theta', value: theta?.length });
      for (let i = 0; i < numParams; i++) if (!Number.isFinite(theta[i]!)) fail('POLICY_NOT_FINITE', `θ[${i}] is ${theta[i]}`, { where: `theta[${i}]`, value: theta[i] });
      head.mean(theta, 0, mu);
      checkGaussianRow(mu, 0, theta, ls, k, 'Gaussian policy');
    },
    logProb(theta, s, a) {
      checkIndex(s, a);
      head.mean(theta, s, mu);
      return squashed ? tanhGaussianLogProbRow(actions, s * k, mu, 0, theta, ls, k) : gaussianLogProbRow(actions, s * k, mu, 0, theta, ls, k);
    },
    addScore(theta, s, a, w, out) {
      checkIndex(s, a);
      head.mean(theta, s, mu);
      gMu.fill(0);
      gaussianAddScoreRow(actions, s * k, mu, 0, theta, ls, k, w, gMu, 0, out, ls);
      head.addMeanVjp(theta, s, gMu, out);
    },
    probsRow: () => unsupported('probsRow'),
    probs: () => unsupported('probs'),
    addDProbs: () => unsupported('addDProbs'),
    probsIn: () => unsupported('probsIn'),
  };
}
