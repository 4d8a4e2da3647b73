/**
 * Exact truth for a neural policy on a tabular MDP: a multilayer perceptron over state
 * features φ(s) (one-hot by default) gives the logits z_{s,·} = f_w(φ(s)) ∈ R^A, and
 * π_w(·|s) = softmax(z_{s,·}) (Lehmann 2024, §3 with a neural parameterization; §6 uses MLP
 * policies). J(w), ∇_w J, the Fisher in w, KL and entropy follow exactly (to rounding) by
 * the chain rule through the logits:
 *
 * $$\nabla_w J = \sum_{s,a} \frac{\partial J}{\partial z_{s,a}}\,\frac{\partial z_{s,a}}{\partial w} = \mathcal J^\top g,\qquad g_{s,a} = \frac{\partial J}{\partial z_{s,a}} = \eta(s)\,\pi(a|s)\,A^\pi(s,a),$$
 *
 * where g is the exact gradient of the **tabular softmax** policy with logits z
 * ({@link policyGradient}; Agarwal et al. 2021, Lemma C.1) and 𝒥 = ∂z/∂w (S·A × P) is never
 * formed: 𝒥ᵀg is one vector–Jacobian product of the MLP over the S observations φ(s) with
 * cotangents g_{s,·} (`Mlp.vjp`). Likewise the Fisher in w is 𝒥ᵀ F_z 𝒥, with F_z the
 * tabular softmax Fisher (block diagonal: d(s)(diag π_s − π_s π_sᵀ); {@link fisherMatrix}).
 *
 * Independent routes (used by the property tests and the `mlp.chain-rule` claim):
 * {@link neuralGradientForwardMode} — dual numbers through the MLP's generic forward pass
 * (`mlpForwardIn`) and the generic exact evaluation (`evaluateIn`), no η, no Q, no VJP; and
 * {@link neuralGradientFiniteDifferences} — Ridders-extrapolated central differences of J(w).
 *
 * Special cases: features shared by several states (aliased states) give those states the
 * same π row, exactly as a log-linear policy with shared features; terminal states get logits
 * like any other state but η = 0 there, so they do not contribute to ∇_w J.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { AnalyticField } from '../field/field.js';
import { NumberField } from '../field/number.js';
import { gradientByDifferences } from '../linalg/differentiate.js';
import { liftMDP } from '../mdp/generic.js';
import type { FiniteMDP } from '../mdp/model.js';
import { checkNetworkRows, Mlp, mlpForwardIn } from '../policy/mlp.js';
import { softmaxIn, softmaxInto, softmaxPolicy } from '../policy/softmax.js';
import type { Policy } from '../policy/types.js';
import { entropyPerState, klPerState } from './divergence.js';
import { evaluatePolicy, type EvaluateOptions, type Evaluation } from './evaluate.js';
import { fisherMatrix, FISHER_LIMIT } from './fisher.js';
import { gradientForwardModeIn } from './autodiff.js';
import { policyGradient } from './gradient.js';

/** An MLP policy on a tabular MDP: the network, its parameters w, and the features φ(s) (S × n_0, row-major). */
export interface MlpTabularPolicy {
  readonly mlp: Mlp;
  readonly theta: Float64Array;
  readonly features: Float64Array;
  readonly numStates: number;
}

/** The one-hot features φ(s) = e_s: the S × S identity, row-major. */
export function oneHotFeatures(S: number): Float64Array {
  if (!Number.isSafeInteger(S) || S < 1) fail('NN_INPUT', `the number of states is ${show(S)}: expected a positive integer`, { where: 'S', value: S });
  const x = new Float64Array(S * S);
  for (let s = 0; s < S; s++) x[s * S + s] = 1;
  return x;
}

/**
 * The MLP policy of `mlp` at `theta` on `mdp`, over `features` (S × n_0 row-major; default
 * one-hot, which needs n_0 = S). Throws `NN_ARCHITECTURE` when the network's output width is
 * not the MDP's action count (or its input width is not S for one-hot features), `NN_INPUT`
 * for features of the wrong size or not finite, and the MLP's `POLICY_*` errors for θ.
 */
export function mlpTabularPolicy(mdp: FiniteMDP, mlp: Mlp, theta: Float64Array, features?: Float64Array): MlpTabularPolicy {
  if (!(mlp instanceof Mlp)) fail('NN_ARCHITECTURE', 'mlpTabularPolicy needs an Mlp', { where: 'mlp', value: mlp });
  const S = mdp.numStates, A = mdp.numActions;
  if (mlp.outputDim !== A) fail('NN_ARCHITECTURE', `the MLP has ${mlp.outputDim} outputs; the MDP has ${A} actions (one logit per action)`, { where: 'sizes[last]', value: mlp.outputDim });
  if (features === undefined && mlp.inputDim !== S) fail('NN_ARCHITECTURE', `the MLP has ${mlp.inputDim} inputs; one-hot state features need ${S} (the number of states) — or pass features φ(s)`, { where: 'sizes[0]', value: mlp.inputDim });
  const phi = features ?? oneHotFeatures(S);
  if (phi instanceof Float64Array && phi.length !== S * mlp.inputDim) fail('NN_INPUT', `features has ${phi.length} entries, expected S·n_0 = ${S}·${mlp.inputDim} = ${S * mlp.inputDim}`, { where: 'features', value: phi.length });
  checkNetworkRows(phi, S, mlp.inputDim, 'features');
  mlp.checkTheta(theta);
  return { mlp, theta, features: phi, numStates: S };
}

/** The logits z[s·A + a] = f_w(φ(s))_a (a fresh copy). Throws `POLICY_NOT_FINITE` for a logit that overflowed. */
export function mlpLogits(p: MlpTabularPolicy, theta: Float64Array = p.theta): Float64Array {
  const z = Float64Array.from(p.mlp.forward(theta, p.features, p.numStates));
  const A = p.mlp.outputDim;
  for (let k = 0; k < z.length; k++) if (!Number.isFinite(z[k]!)) fail('POLICY_NOT_FINITE', `the logit of state ${Math.floor(k / A)}, action ${k % A} is ${show(z[k])}: the network's output overflowed`, { where: `z[${Math.floor(k / A)}][${k % A}]`, value: z[k] });
  return z;
}

/** The tabular softmax policy whose logits are the network's outputs: π_w as a {@link Policy} over z. */
export function logitPolicy(p: MlpTabularPolicy, theta: Float64Array = p.theta): Policy {
  return { param: softmaxPolicy(p.numStates, p.mlp.outputDim), theta: mlpLogits(p, theta) };
}

/** The table π_w(a|s) at s·A + a (a fresh array). */
export function mlpPolicyTable(p: MlpTabularPolicy, theta: Float64Array = p.theta): Float64Array {
  const z = mlpLogits(p, theta), A = p.mlp.outputDim, pi = new Float64Array(z.length);
  for (let s = 0; s < p.numStates; s++) softmaxInto(z, s * A, A, pi, s * A);
  return pi;
}

/**
 * 𝒥ᵀ g = Σ_{s,a} g[s·A + a] ∂z_{s,a}/∂w: one vector–Jacobian product of the MLP over the S
 * feature rows (a fresh array of the MLP's P parameters). Any cotangent g on the logits
 * (an exact ∂J/∂z, a sampled tabular gradient estimate) becomes its gradient in w.
 */
export function pullbackToWeights(p: MlpTabularPolicy, g: Float64Array, theta: Float64Array = p.theta): Float64Array {
  const { mlp, numStates: S } = p;
  checkNetworkRows(g, S, mlp.outputDim, 'logit cotangent');
  mlp.forward(theta, p.features, S);
  const out = new Float64Array(mlp.numParams);
  mlp.vjp(theta, g, out);
  return out;
}

/** J, ∇_w J and what they were computed from. */
export interface NeuralGradient {
  /** J(w) = Σ_s p0(s) V^{π_w}(s). */
  readonly J: number;
  /** ∇_w J (P entries). */
  readonly grad: Float64Array;
  /** ∂J/∂z[s·A + a] = η(s) π(a|s) A^π(s,a): the tabular softmax gradient at the logits. */
  readonly gradLogits: Float64Array;
  readonly logits: Float64Array;
  readonly pi: Float64Array;
  readonly ev: Evaluation;
}

/**
 * ∇_w J by the chain rule: the exact tabular softmax gradient ∂J/∂z ({@link policyGradient}
 * with the logits as its parameters), then one VJP of the network ({@link pullbackToWeights}).
 * Exact to rounding.
 */
export function neuralPolicyGradient(mdp: FiniteMDP, p: MlpTabularPolicy, opts?: EvaluateOptions): NeuralGradient {
  const zp = logitPolicy(p);
  const pi = zp.param.probs(zp.theta).slice();
  const ev = evaluatePolicy(mdp, pi, opts);
  const gradLogits = policyGradient(mdp, zp, ev).slice();
  return { J: ev.J, grad: pullbackToWeights(p, gradLogits), gradLogits, logits: zp.theta, pi, ev };
}

/** J(w) (one solve). */
export function neuralObjective(mdp: FiniteMDP, p: MlpTabularPolicy, theta: Float64Array = p.theta, opts?: EvaluateOptions): number {
  return evaluatePolicy(mdp, mlpPolicyTable(p, theta), { ...opts, valuesOnly: true }).J;
}

/** Checks a coordinate subset of w (distinct integers in [0, P)); `undefined` means all P. */
function coordinateList(p: MlpTabularPolicy, coordinates: readonly number[] | undefined): number[] {
  const P = p.mlp.numParams;
  if (coordinates === undefined) return Array.from({ length: P }, (_, i) => i);
  const seen = new Set<number>();
  coordinates.forEach((k, i) => {
    if (!Number.isSafeInteger(k) || k < 0 || k >= P || seen.has(k)) fail('NN_INPUT', `coordinates[${i}] is ${show(k)}: expected distinct parameter indices in [0, ${P})`, { where: `coordinates[${i}]`, value: k });
    seen.add(k);
  });
  return coordinates.slice();
}

/**
 * ∂J/∂w_k by forward-mode AD, for every k of `coordinates` (default: all P, in order; the
 * result is indexed like `coordinates`): w_k gets the unit tangent ε, the logits come from
 * the MLP's generic forward pass in dual numbers (`mlpForwardIn`), π from the generic
 * softmax, J = p0ᵀV from the generic dense evaluation (`evaluateIn`), one pass per
 * coordinate. No policy gradient theorem, no VJP. Dense: small MDPs and networks
 * (O(S³ + S·P) per coordinate).
 */
export function neuralGradientForwardMode(mdp: FiniteMDP, p: MlpTabularPolicy, coordinates?: readonly number[]): Float64Array {
  const { mlp, features, numStates: S } = p;
  const d = mlp.inputDim, ks = coordinateList(p, coordinates);
  const m = liftMDP(NumberField as AnalyticField<number>, mdp);
  const g = gradientForwardModeIn(NumberField, m, (F, th) => {
    const AF = F as AnalyticField<(typeof th)[number]>;
    // the coordinates not differentiated enter as constants
    const w = Array.from(p.theta, (v) => AF.fromNumber(v));
    ks.forEach((k, i) => { w[k] = th[i]!; });
    const out: (typeof th)[number][] = [];
    for (let s = 0; s < S; s++) {
      const x = Array.from(features.subarray(s * d, (s + 1) * d), (v) => AF.fromNumber(v));
      out.push(...softmaxIn(AF, mlpForwardIn(AF, mlp, w, x)));
    }
    return out;
  }, ks.map((k) => p.theta[k]!));
  return Float64Array.from(g);
}

/**
 * ∂J/∂w_k by Ridders-extrapolated central differences of J(w) (initial step `h`) for every k
 * of `coordinates` (default all; indexed like `coordinates`); `error` is the largest
 * estimated error.
 */
export function neuralGradientFiniteDifferences(mdp: FiniteMDP, p: MlpTabularPolicy, h = 0.1, coordinates?: readonly number[]): { value: Float64Array; error: number } {
  const ks = coordinateList(p, coordinates), w = Float64Array.from(p.theta);
  return gradientByDifferences((u) => { ks.forEach((k, i) => { w[k] = u[i]!; }); return neuralObjective(mdp, p, w); }, Float64Array.from(ks, (k) => p.theta[k]!), h);
}

/**
 * The Fisher information in w under the policy's own visitation (Kakade 2001; Lehmann
 * 2024, §4.2): F_w = 𝒥ᵀ F_z 𝒥 with F_z the tabular softmax Fisher at the logits
 * ({@link fisherMatrix}: Σ_s d(s) (diag π_s − π_s π_sᵀ) on the block of s), as a dense
 * row-major P × P matrix. 𝒥ᵀ(F_z 𝒥) is formed column by column: 𝒥 by S·A VJPs with unit
 * cotangents. `weights` replaces d (as in {@link fisherMatrix}). Throws `TOO_LARGE` beyond
 * {@link FISHER_LIMIT} parameters.
 */
export function neuralFisherMatrix(mdp: FiniteMDP, p: MlpTabularPolicy, ev?: Evaluation, weights?: Float64Array): Float64Array {
  const P = p.mlp.numParams, S = p.numStates, A = p.mlp.outputDim, SA = S * A;
  if (P > FISHER_LIMIT) fail('TOO_LARGE', `the Fisher matrix would be ${P}×${P}; the dense limit is ${FISHER_LIMIT} parameters`, { value: P });
  const zp = logitPolicy(p);
  const Fz = fisherMatrix(mdp, zp, ev ?? evaluatePolicy(mdp, zp.param.probs(zp.theta)), weights);
  // 𝒥 row by row: row k = ∂z_k/∂w = 𝒥ᵀ e_k
  const Jac = new Float64Array(SA * P), e = new Float64Array(SA);
  for (let k = 0; k < SA; k++) {
    e.fill(0); e[k] = 1;
    Jac.set(pullbackToWeights(p, e), k * P);
  }
  // M = F_z 𝒥 (SA × P), then F_w = 𝒥ᵀ M
  const M = new Float64Array(SA * P);
  for (let i = 0; i < SA; i++) for (let k = 0; k < SA; k++) {
    const f = Fz[i * SA + k]!;
    if (f === 0) continue;
    for (let j = 0; j < P; j++) M[i * P + j] += f * Jac[k * P + j]!;
  }
  const Fw = new Float64Array(P * P);
  for (let k = 0; k < SA; k++) for (let i = 0; i < P; i++) {
    const a = Jac[k * P + i]!;
    if (a === 0) continue;
    for (let j = 0; j < P; j++) Fw[i * P + j] += a * M[k * P + j]!;
  }
  return Fw;
}

/** KL(π_w(·|s) ‖ π_w′(·|s)) for every s ({@link klPerState} on the two tables). */
export function neuralKlPerState(p: MlpTabularPolicy, theta: Float64Array, thetaOther: Float64Array): Float64Array {
  return klPerState(mlpPolicyTable(p, theta), mlpPolicyTable(p, thetaOther), p.numStates, p.mlp.outputDim);
}

/** H(π_w(·|s)) for every s ({@link entropyPerState} on the table). */
export function neuralEntropyPerState(p: MlpTabularPolicy, theta: Float64Array = p.theta): Float64Array {
  return entropyPerState(mlpPolicyTable(p, theta), p.numStates, p.mlp.outputDim);
}
