/**
 * The categorical head over an MLP: logits z(s) = f_θ(s) ∈ R^A, π_θ(a|s) = softmax(z(s))_a
 * (Lehmann 2024, §3 with a neural parameterization; Sutton & Barto §13.2).
 *
 * - log π(a|s) = z_a − logsumexp(z), evaluated with the max shift (`softmax.ts`), finite for
 *   every finite z.
 * - Score: ∂ log π(a|s)/∂z_b = 1[b = a] − π(b|s); the score sum Σ_t c_t ∇_θ log π(a_t|s_t)
 *   is one VJP of the MLP with cotangents g_t = c_t (e_{a_t} − π(·|s_t)).
 * - Fisher in the logits: E_a[(e_a − π)(e_a − π)ᵀ] = diag(π) − ππᵀ; F v = Jᵀ(diag π − ππᵀ)J v
 *   by a JVP, (diag π − ππᵀ)u = π ⊙ (u − ⟨π, u⟩), and a VJP.
 * - Entropy H = −Σ_a π_a log π_a; KL(π‖π′) = Σ_a π_a (log π_a − log π′_a) (0·log 0 = 0).
 * - Their gradients in the logits: ∂H/∂z_b = −π_b (log π_b + H);
 *   ∂ KL(π_old‖π_θ)/∂z_b = π_θ,b − π_old,b (each then one VJP).
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { Rng } from '../stats/rng.js';
import { checkNetworkRows, Mlp } from './mlp.js';
import type { NeuralPolicy } from './neural.js';

/** Writes log softmax of each of the T rows of `z` (T × A) into `out`. */
export function logSoftmaxRows(z: Float64Array, T: number, A: number, out: Float64Array): void {
  for (let t = 0, o = 0; t < T; t++, o += A) {
    let m = -Infinity;
    for (let a = 0; a < A; a++) m = Math.max(m, z[o + a]!);
    let s = 0;
    for (let a = 0; a < A; a++) s += Math.exp(z[o + a]! - m);
    const lse = m + Math.log(s);
    for (let a = 0; a < A; a++) out[o + a] = z[o + a]! - lse;
  }
}

/** Throws `NN_INPUT` unless each of the T actions is an integer index below A. */
export function checkIndexActions(actions: Int32Array, T: number, A: number): void {
  if (!(actions instanceof Int32Array) || actions.length < T) fail('NN_INPUT', `actions has ${actions?.length ?? show(actions)} entries, expected an Int32Array of at least T = ${T}`, { where: 'actions', value: actions?.length });
  for (let t = 0; t < T; t++) {
    const a = actions[t]!;
    if (a < 0 || a >= A) fail('NN_INPUT', `actions[${t}] is ${a}: expected an index in [0, ${A})`, { where: `actions[${t}]`, value: a });
  }
}

/** A fresh array of length n, or `out` after checking its length. */
export function headOutput(out: Float64Array | undefined, n: number, what: string): Float64Array {
  if (out === undefined) return new Float64Array(n);
  if (!(out instanceof Float64Array) || out.length < n) fail('NN_INPUT', `${what} has ${out?.length ?? show(out)} entries, expected at least ${n}`, { where: what, value: out?.length });
  return out;
}

/** A categorical policy head over the logits of `mlp` (its output width is the number of actions A ≥ 1). */
export function categoricalMlpPolicy(mlp: Mlp): NeuralPolicy<Int32Array> & { readonly numActions: number; logProbsAll(theta: Float64Array, obs: Float64Array, T: number, out?: Float64Array): Float64Array } {
  if (!(mlp instanceof Mlp)) fail('NN_ARCHITECTURE', 'categoricalMlpPolicy needs an Mlp', { value: mlp });
  const A = mlp.outputDim, d = mlp.inputDim, P = mlp.numParams;
  let cap = 0;
  let lp = new Float64Array(0), g = new Float64Array(0), u = new Float64Array(0);
  const ensure = (T: number) => {
    if (T <= cap) return;
    cap = Math.max(T, 2 * cap);
    lp = new Float64Array(cap * A); g = new Float64Array(cap * A); u = new Float64Array(cap * A);
  };
  /** forward + log π(·|s_t) into lp. */
  const logits = (theta: Float64Array, obs: Float64Array, T: number, into: Float64Array) => {
    const z = mlp.forward(theta, obs, T);
    ensure(T);
    logSoftmaxRows(z, T, A, into);
  };
  const checkC = (c: Float64Array, T: number, what: string) => checkNetworkRows(c, T, 1, what);

  return {
    kind: 'mlp-categorical', mlp, numParams: P, obsDim: d, actionDim: 1, numActions: A,
    check: (theta) => mlp.checkTheta(theta),
    logProbsAll(theta, obs, T, out) {
      const o = headOutput(out, T * A, 'out');
      logits(theta, obs, T, o);
      return o;
    },
    logProb(theta, obs, T, actions, out) {
      checkIndexActions(actions, T, A);
      const o = headOutput(out, T, 'out');
      ensure(T);
      logits(theta, obs, T, lp);
      for (let t = 0; t < T; t++) o[t] = lp[t * A + actions[t]!]!;
      return o;
    },
    scoreSum(theta, obs, T, actions, c_t, out) {
      checkIndexActions(actions, T, A);
      checkC(c_t, T, 'c_t');
      const o = headOutput(out, P, 'out');
      ensure(T);
      logits(theta, obs, T, lp);
      // g_t = c_t (e_{a_t} − π(·|s_t))
      for (let t = 0, r = 0; t < T; t++, r += A) {
        const c = c_t[t]!;
        for (let a = 0; a < A; a++) g[r + a] = -c * Math.exp(lp[r + a]!);
        g[r + actions[t]!] += c;
      }
      mlp.vjp(theta, g, o);
      return o;
    },
    fisherVectorProduct(theta, obs, T, v, out, weights) {
      if (weights !== undefined) checkNetworkRows(weights, T, 1, 'weights');
      const o = headOutput(out, P, 'out');
      ensure(T);
      logits(theta, obs, T, lp);
      mlp.jvp(theta, v, u);
      for (let t = 0, r = 0; t < T; t++, r += A) {
        const w = weights ? weights[t]! : 1 / T;
        let mean = 0;
        for (let a = 0; a < A; a++) mean += Math.exp(lp[r + a]!) * u[r + a]!;
        for (let a = 0; a < A; a++) g[r + a] = w * Math.exp(lp[r + a]!) * (u[r + a]! - mean);
      }
      mlp.vjp(theta, g, o);
      return o;
    },
    entropy(theta, obs, T, out) {
      const o = headOutput(out, T, 'out');
      ensure(T);
      logits(theta, obs, T, lp);
      for (let t = 0, r = 0; t < T; t++, r += A) {
        let h = 0;
        for (let a = 0; a < A; a++) { const l = lp[r + a]!, p = Math.exp(l); if (p > 0) h -= p * l; }
        o[t] = h;
      }
      return o;
    },
    kl(theta, thetaOther, obs, T, out) {
      const o = headOutput(out, T, 'out');
      ensure(T);
      logits(thetaOther, obs, T, u);
      logits(theta, obs, T, lp);
      for (let t = 0, r = 0; t < T; t++, r += A) {
        let k = 0;
        for (let a = 0; a < A; a++) { const l = lp[r + a]!, p = Math.exp(l); if (p > 0) k += p * (l - u[r + a]!); }
        // KL ≥ 0; rounding can leave −1e-17 when the rows agree
        o[t] = k > 0 ? k : 0;
      }
      return o;
    },
    entropyGradSum(theta, obs, T, w_t, out) {
      checkC(w_t, T, 'w_t');
      const o = headOutput(out, P, 'out');
      ensure(T);
      logits(theta, obs, T, lp);
      for (let t = 0, r = 0; t < T; t++, r += A) {
        let h = 0;
        for (let a = 0; a < A; a++) { const l = lp[r + a]!, p = Math.exp(l); if (p > 0) h -= p * l; }
        for (let a = 0; a < A; a++) { const l = lp[r + a]!, p = Math.exp(l); g[r + a] = p > 0 ? -w_t[t]! * p * (l + h) : 0; }
      }
      mlp.vjp(theta, g, o);
      return o;
    },
    klGradSum(thetaOld, theta, obs, T, w_t, out) {
      checkC(w_t, T, 'w_t');
      const o = headOutput(out, P, 'out');
      ensure(T);
      logits(thetaOld, obs, T, u);
      logits(theta, obs, T, lp);
      for (let i = 0; i < T * A; i++) g[i] = w_t[Math.floor(i / A)]! * (Math.exp(lp[i]!) - Math.exp(u[i]!));
      mlp.vjp(theta, g, o);
      return o;
    },
    sample(theta, obs, T, rng, out) {
      if (out !== undefined && (!(out instanceof Int32Array) || out.length < T)) fail('NN_INPUT', `the action buffer has ${out?.length} entries, expected an Int32Array of at least T = ${T}`, { where: 'out', value: out?.length });
      const o = out ?? new Int32Array(T);
      ensure(T);
      logits(theta, obs, T, lp);
      for (let t = 0, r = 0; t < T; t++, r += A) {
        for (let a = 0; a < A; a++) g[r + a] = Math.exp(lp[r + a]!);
        o[t] = rng.categorical(g, r, A);
      }
      return o;
    },
  };
}
