/**
 * A multilayer perceptron over a batch, in `Float64Array`s: forward pass, vector–Jacobian
 * product (backpropagation) and Jacobian–vector product (forward mode), each written once
 * and shared by every policy head and critic.
 *
 * The network with sizes n_0, n_1, …, n_L maps an input x ∈ R^{n_0} to
 *
 * $$h_0 = x,\qquad z_l = W_l h_l + b_l,\qquad h_{l+1} = \sigma_l(z_l)\ (l < L-1),\qquad f(x) = z_{L-1},$$
 *
 * W_l ∈ R^{n_{l+1} × n_l}: hidden layers have an activation (tanh, ReLU or swish), the
 * last layer is linear. A batch is T inputs stored row-major (`x[t·n_0 + i]`); outputs are
 * T × n_L row-major.
 *
 * **Parameter layout** — all parameters θ live in ONE `Float64Array`, layer after layer:
 * for l = 0 … L−1, first W_l row-major (`θ[w_l + j·n_l + i]` = W_l[j][i], row j is output
 * unit j — PyTorch's `Linear.weight` layout), then b_l (`θ[b_l + j]`), with
 * w_0 = 0, b_l = w_l + n_{l+1} n_l, w_{l+1} = b_l + n_{l+1}. Total Σ_l n_{l+1}(n_l + 1).
 * {@link Mlp.layers} lists the offsets.
 *
 * **The tape** — {@link Mlp.forward} keeps z_l and h_l of the batch in preallocated
 * workspaces (grown only when a larger batch arrives; never allocated per call otherwise);
 * {@link Mlp.vjp} and {@link Mlp.jvp} differentiate at that forward pass, so call them after
 * `forward` with the same θ and x (checked by identity; do not modify θ or x in between).
 * Hidden tanh and swish layers over a large block are computed in one trip through the SIMD
 * kernels' memory (product, bias, activation) which also writes σ′(z_l) to the tape (in place
 * of z_l, which no later pass then reads: {@link Mlp.jvp} multiplies by σ′ too);
 * {@link Mlp.vjp} then folds ⊙ σ′ into the store of the product δ_l W_l, and takes ∂W_l and
 * ∂b_l in one product (`weightBiasGrad`).
 *
 * - VJP (reverse mode, Rumelhart, Hinton & Williams 1986): for cotangents g_t ∈ R^{n_L},
 *   the gradient of Σ_t ⟨g_t, f(x_t)⟩ in θ (and optionally in x), rows t stacked:
 *   $$\delta_{L-1} = g,\quad \partial W_l = \delta_l^\top h_l,\quad \partial b_l = \textstyle\sum_t \delta_{l,t},\quad
 *   \delta_{l-1} = (\delta_l W_l) \odot \sigma'(z_{l-1}).$$
 * - JVP (forward mode): for a tangent v of θ (blocks V_l, v_{b_l}) and optionally ẋ of x:
 *   $$\dot z_l = \dot h_l W_l^\top + h_l V_l^\top + v_{b_l},\qquad \dot h_{l+1} = \sigma'(z_l)\odot \dot z_l,\qquad \dot h_0 = \dot x\ (\text{or } 0).$$
 *
 * Activation derivatives: tanh′ = 1 − tanh²; ReLU′(z) = 1[z > 0] (0 at the kink z = 0, as
 * PyTorch takes it); swish(z) = z·s(z) with the logistic s (Ramachandran, Zoph & Le 2017;
 * Elfwing et al. 2018's SiLU), swish′ = s(z)(1 + z(1 − s(z))).
 *
 * Lehmann 2024 (§6, Appendix A) uses separate policy (4×32) and value (5×256) swish networks.
 *
 * @module
 */
import { fail, show } from '../errors.js';
import type { AnalyticField } from '../field/field.js';
import { gemm, gemmBiasActivation, gemmNT, transposeInto, weightBiasGrad } from '../linalg/matmul.js';
import { simdMap } from '../linalg/simd.js';
import type { Rng } from '../stats/rng.js';

/** The built-in activations of hidden layers. */
export type ActivationName = 'tanh' | 'relu' | 'swish';

/**
 * An activation function: its batch application, its derivative applied in place, and the
 * same function in any analytic field (the generic route the dual-number checks run).
 */
export interface Activation {
  readonly name: string;
  /** h[i] = σ(z[i]) for i < n. */
  apply(z: Float64Array, h: Float64Array, n: number): void;
  /** d[i] *= σ′(z[i]) for i < n; `h` holds σ(z) (tanh and swish use it). */
  mulDerivative(z: Float64Array, h: Float64Array, d: Float64Array, n: number): void;
  /** σ(z) in a field (for the dual-number and exact routes). */
  applyIn<T>(F: AnalyticField<T>, z: T): T;
}

/** The logistic function 1/(1 + e^{−z}), without overflow for any finite z. */
export function logistic(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * The smallest batch of values that tanh and swish send to the WebAssembly SIMD kernel
 * (`../linalg/simd.ts`: its own e^x, within 3 ulp of `Math.tanh` and of z·logistic(z) —
 * measured over 2·10⁵ values spanning 10⁻³¹⁰ … 800); below, copying in and out costs more
 * than the kernel saves.
 */
export const SIMD_MAP_MIN = 256;

/** The built-in activations. */
export const ACTIVATIONS: Readonly<Record<ActivationName, Activation>> = {
  tanh: {
    name: 'tanh',
    apply(z, h, n) {
      if (n >= SIMD_MAP_MIN && simdMap('tanh', z, h, n)) return;
      for (let i = 0; i < n; i++) h[i] = Math.tanh(z[i]!);
    },
    mulDerivative(_z, h, d, n) { for (let i = 0; i < n; i++) { const y = h[i]!; d[i] = d[i]! * (1 - y * y); } },
    // tanh z = (e^{2z} − 1)/(e^{2z} + 1) = (1 − e^{−2z})/(1 + e^{−2z}); the form with the
    // decaying exponential is chosen by the sign of z so that it never overflows
    applyIn<T>(F: AnalyticField<T>, z: T): T {
      const pos = F.toNumber(z) >= 0;
      const e = F.exp(F.mul(F.fromInt(pos ? -2 : 2), z));
      const t = F.div(F.sub(F.one, e), F.add(F.one, e));
      return pos ? t : F.neg(t);
    },
  },
  relu: {
    name: 'relu',
    apply(z, h, n) { for (let i = 0; i < n; i++) { const x = z[i]!; h[i] = x > 0 ? x : 0; } },
    mulDerivative(z, _h, d, n) { for (let i = 0; i < n; i++) if (!(z[i]! > 0)) d[i] = 0; },
    applyIn<T>(F: AnalyticField<T>, z: T): T { return F.toNumber(z) > 0 ? z : F.zero; },
  },
  swish: {
    name: 'swish',
    apply(z, h, n) {
      if (n >= SIMD_MAP_MIN && simdMap('swish', z, h, n)) return;
      for (let i = 0; i < n; i++) { const x = z[i]!; h[i] = x * logistic(x); }
    },
    // s(z) is recovered from the stored h = z·s(z) as h/z (a division instead of an exp; within
    // 2 ulp of s(z); z = 0 gives s = ½). Where s(z) underflows, h = 0 and the derivative is 0 to
    // double precision anyway.
    mulDerivative(z, h, d, n) {
      for (let i = 0; i < n; i++) { const x = z[i]!, s = x !== 0 ? h[i]! / x : 0.5; d[i] = d[i]! * s * (1 + x * (1 - s)); }
    },
    applyIn<T>(F: AnalyticField<T>, z: T): T {
      // z·s(z) with s(z) = 1/(1 + e^{−z}) for z ≥ 0 and e^{z}/(1 + e^{z}) below
      if (F.toNumber(z) >= 0) return F.div(z, F.add(F.one, F.exp(F.neg(z))));
      const e = F.exp(z);
      return F.div(F.mul(z, e), F.add(F.one, e));
    },
  },
};

/** One affine layer's place in θ. */
export interface MlpLayer {
  readonly nIn: number;
  readonly nOut: number;
  /** Offset of W (nOut × nIn, row-major) in θ. */
  readonly w: number;
  /** Offset of b (nOut) in θ. */
  readonly b: number;
  /** The activation after this layer; `null` for the last (linear) layer. */
  readonly activation: Activation | null;
}

/** Resolves an activation given by name or as an object; throws `NN_ARCHITECTURE` otherwise. */
function resolveActivation(a: ActivationName | Activation, where: string): Activation {
  if (typeof a === 'string') {
    const f = (ACTIVATIONS as Record<string, Activation | undefined>)[a];
    if (!f) fail('NN_ARCHITECTURE', `${where} is ${show(a)}: expected one of ${Object.keys(ACTIVATIONS).join(', ')}`, { where, value: a });
    return f;
  }
  if (!a || typeof a.apply !== 'function' || typeof a.mulDerivative !== 'function' || typeof a.applyIn !== 'function') {
    fail('NN_ARCHITECTURE', `${where} is not an activation (a name or an object with apply, mulDerivative, applyIn)`, { where, value: a });
  }
  return a;
}

/**
 * A multilayer perceptron with the given sizes `[n_0, …, n_L]` (input width, hidden widths,
 * output width) and hidden activations (one for all, or one per hidden layer).
 */
export class Mlp {
  readonly sizes: readonly number[];
  readonly layers: readonly MlpLayer[];
  /** Σ_l n_{l+1}(n_l + 1). */
  readonly numParams: number;
  readonly inputDim: number;
  readonly outputDim: number;

  // workspaces, grown to `cap` rows
  private cap = 0;
  private readonly maxW: number;
  private z: Float64Array[] = [];
  private h: Float64Array[] = [];
  private dbuf: Float64Array[] = [];
  private tbuf: Float64Array[] = [];
  // σ′(z_l) of hidden layers, written by the fused forward layer; dsValid[l] when this forward wrote it
  private ds: Float64Array[] = [];
  private readonly dsValid: boolean[] = [];
  // the tape: what the last forward was computed from
  private tapeTheta: Float64Array | null = null;
  private tapeX: Float64Array | null = null;
  private tapeT = 0;
  private outView: Float64Array = new Float64Array(0);

  constructor(sizes: readonly number[], activation: ActivationName | Activation | readonly (ActivationName | Activation)[] = 'tanh') {
    if (!Array.isArray(sizes) || sizes.length < 2) fail('NN_ARCHITECTURE', `sizes is ${show(sizes)}: expected [input, …hidden, output] with at least 2 entries`, { where: 'sizes', value: sizes });
    sizes.forEach((n, i) => {
      if (!Number.isSafeInteger(n) || n < 1 || n > 1 << 20) fail('NN_ARCHITECTURE', `sizes[${i}] is ${show(n)}: expected an integer in [1, 2^20]`, { where: `sizes[${i}]`, value: n });
    });
    const L = sizes.length - 1;
    const acts = Array.isArray(activation) ? activation : new Array<ActivationName | Activation>(Math.max(0, L - 1)).fill(activation as ActivationName | Activation);
    if (acts.length !== L - 1) fail('NN_ARCHITECTURE', `${acts.length} activations for ${L - 1} hidden layers`, { where: 'activation', value: acts.length });
    const layers: MlpLayer[] = [];
    let off = 0;
    for (let l = 0; l < L; l++) {
      const nIn = sizes[l]!, nOut = sizes[l + 1]!;
      layers.push({ nIn, nOut, w: off, b: off + nIn * nOut, activation: l < L - 1 ? resolveActivation(acts[l]!, `activation[${l}]`) : null });
      off += nOut * (nIn + 1);
    }
    this.sizes = sizes.slice();
    this.layers = layers;
    this.numParams = off;
    this.inputDim = sizes[0]!;
    this.outputDim = sizes[L]!;
    this.maxW = Math.max(...sizes);
  }

  /** Grows the workspaces to at least T rows (the only allocation of the hot path). */
  private ensure(T: number): void {
    if (T <= this.cap) return;
    const cap = Math.max(T, 2 * this.cap);
    this.z = this.layers.map((ly) => new Float64Array(cap * ly.nOut));
    this.h = this.layers.map((ly, l) => new Float64Array(l === 0 ? 0 : cap * ly.nIn));
    this.dbuf = [new Float64Array(cap * this.maxW), new Float64Array(cap * this.maxW)];
    this.tbuf = [new Float64Array(cap * this.maxW), new Float64Array(cap * this.maxW)];
    this.ds = this.layers.map((ly) => new Float64Array(ly.activation ? cap * ly.nOut : 0));
    this.cap = cap;
  }

  /** Throws `POLICY_SHAPE` / `POLICY_NOT_FINITE` unless θ has numParams finite entries. */
  checkTheta(theta: Float64Array, what = 'theta'): void {
    if (!(theta instanceof Float64Array) || theta.length < this.numParams) fail('POLICY_SHAPE', `${what} has ${theta?.length ?? show(theta)} entries, expected at least ${this.numParams} (the MLP's parameters)`, { where: what, value: theta?.length });
    for (let i = 0; i < this.numParams; i++) if (!Number.isFinite(theta[i]!)) fail('POLICY_NOT_FINITE', `${what}[${i}] is ${show(theta[i])}: parameters must be finite`, { where: `${what}[${i}]`, value: theta[i] });
  }

  /**
   * The outputs f(x_t) of a batch of T inputs (row-major T × n_0) as a T × n_L view into
   * a workspace, valid until the next `forward` of this network (copy it to keep it).
   * Records the tape for {@link vjp} and {@link jvp}.
   */
  forward(theta: Float64Array, x: Float64Array, T: number): Float64Array {
    this.checkTheta(theta);
    checkNetworkRows(x, T, this.inputDim, 'inputs');
    this.ensure(T);
    let inp = x;
    const L = this.layers.length;
    for (let l = 0; l < L; l++) {
      const { nIn, nOut, w, b, activation } = this.layers[l]!;
      const z = this.z[l]!;
      // tanh and swish over a large block: product, bias and activation in one trip through the SIMD kernels' memory
      // (and σ′(z) beside, for the backward pass to fold into its product; z itself is not
      // kept: with σ′ on the tape nothing reads it)
      const fused = activation === ACTIVATIONS.tanh ? 'tanh' : activation === ACTIVATIONS.swish ? 'swish' : null;
      this.dsValid[l] = false;
      if (fused && T * nOut >= SIMD_MAP_MIN && gemmBiasActivation(fused, T, nOut, nIn, inp, 0, nIn, theta, w, nIn, theta, b, null, this.h[l + 1]!, this.ds[l]!)) {
        this.dsValid[l] = true;
        inp = this.h[l + 1]!;
        continue;
      }
      gemmNT(T, nOut, nIn, inp, 0, nIn, theta, w, nIn, z, 0, nOut);
      for (let t = 0, o = 0; t < T; t++, o += nOut) for (let j = 0; j < nOut; j++) z[o + j] += theta[b + j]!;
      if (activation) {
        const h = this.h[l + 1]!;
        activation.apply(z, h, T * nOut);
        inp = h;
      }
    }
    this.tapeTheta = theta; this.tapeX = x; this.tapeT = T;
    const out = this.z[L - 1]!;
    if (this.outView.buffer !== out.buffer || this.outView.length !== T * this.outputDim) this.outView = out.subarray(0, T * this.outputDim);
    return this.outView;
  }

  private tape(theta: Float64Array, what: string): number {
    if (this.tapeTheta === null || this.tapeTheta !== theta) fail('NN_TAPE', `${what} needs a forward pass at the same θ first (call forward(θ, x, T) with this θ array)`, { where: what });
    return this.tapeT;
  }

  /**
   * Vector–Jacobian product at the last forward pass: writes ∇_θ Σ_t ⟨g_t, f(x_t)⟩ into
   * `gTheta[0 … numParams−1]` (overwriting; entries beyond are untouched), and the input
   * gradient ∂/∂x_t into `gX` (T × n_0) when given. `g` is T × n_L row-major.
   */
  vjp(theta: Float64Array, g: Float64Array, gTheta: Float64Array, gX?: Float64Array): void {
    const T = this.tape(theta, 'vjp');
    checkNetworkRows(g, T, this.outputDim, 'cotangents');
    if (!(gTheta instanceof Float64Array) || gTheta.length < this.numParams) fail('NN_INPUT', `the gradient buffer has ${gTheta?.length} entries, expected at least ${this.numParams}`, { where: 'gTheta', value: gTheta?.length });
    if (gX !== undefined && (!(gX instanceof Float64Array) || gX.length < T * this.inputDim)) fail('NN_INPUT', `the input-gradient buffer has ${gX?.length} entries, expected at least T·n_0 = ${T * this.inputDim}`, { where: 'gX', value: gX?.length });
    let delta = g;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const { nIn, nOut, w, b } = this.layers[l]!;
      const H = l === 0 ? this.tapeX! : this.h[l]!;
      // ∂W_l = δ_lᵀ h_l (both T-row batches, transposed as the kernel packs them); ∂b_l = Σ_t δ_{l,t}
      weightBiasGrad(nOut, nIn, T, delta, H, gTheta, w, b);
      if (l === 0 && gX === undefined) break;
      // δ h_l = δ_l W_l = δ_l (W_lᵀ)ᵀ, then ⊙ σ′(z_{l−1}) — in the product's store when the
      // forward pass left σ′(z_{l−1}) beside h_l
      const target = l > 0 ? this.dbuf[l & 1]! : gX!;
      const folded = l > 0 && this.dsValid[l - 1] === true;
      gemm(false, true, T, nIn, nOut, delta, 0, nOut, theta, w, nIn, target, 0, nIn, false, folded ? this.ds[l - 1]! : null);
      if (l > 0 && !folded) this.layers[l - 1]!.activation!.mulDerivative(this.z[l - 1]!, this.h[l]!, target, T * nIn);
      delta = target;
    }
  }

  /**
   * Jacobian–vector product at the last forward pass: writes the directional derivative
   * (∂f(x_t)/∂θ) v (+ (∂f(x_t)/∂x_t) ẋ_t when `vX` is given) into `out` (T × n_L).
   */
  jvp(theta: Float64Array, v: Float64Array, out: Float64Array, vX?: Float64Array): void {
    const T = this.tape(theta, 'jvp');
    if (!(v instanceof Float64Array) || v.length < this.numParams) fail('NN_INPUT', `the tangent has ${v?.length} entries, expected at least ${this.numParams}`, { where: 'v', value: v?.length });
    if (!(out instanceof Float64Array) || out.length < T * this.outputDim) fail('NN_INPUT', `the output buffer has ${out?.length} entries, expected at least T·n_L = ${T * this.outputDim}`, { where: 'out', value: out?.length });
    if (vX !== undefined) checkNetworkRows(vX, T, this.inputDim, 'input tangents');
    let tanPrev: Float64Array | null = vX ?? null;
    const L = this.layers.length;
    for (let l = 0; l < L; l++) {
      const { nIn, nOut, w, b, activation } = this.layers[l]!;
      const H = l === 0 ? this.tapeX! : this.h[l]!;
      const tz = l === L - 1 ? out : this.tbuf[l & 1]!;
      for (let t = 0, o = 0; t < T; t++, o += nOut) for (let j = 0; j < nOut; j++) tz[o + j] = v[b + j]!;
      gemmNT(T, nOut, nIn, H, 0, nIn, v, w, nIn, tz, 0, nOut, true);
      if (tanPrev) gemmNT(T, nOut, nIn, tanPrev, 0, nIn, theta, w, nIn, tz, 0, nOut, true);
      if (activation) {
        if (this.dsValid[l] === true) { const ds = this.ds[l]!; for (let i = 0; i < T * nOut; i++) tz[i] = tz[i]! * ds[i]!; }
        else activation.mulDerivative(this.z[l]!, this.h[l + 1]!, tz, T * nOut);
      }
      tanPrev = tz;
    }
  }
}

/** Throws `NN_INPUT` unless `x` holds at least T·d finite numbers (and T is a non-negative integer). */
export function checkNetworkRows(x: Float64Array, T: number, d: number, what: string): void {
  if (!Number.isSafeInteger(T) || T < 0) fail('NN_INPUT', `the batch size is ${show(T)}: expected a non-negative integer`, { where: 'T', value: T });
  if (!(x instanceof Float64Array) || x.length < T * d) fail('NN_INPUT', `${what} has ${x?.length ?? show(x)} entries, expected at least T·d = ${T}·${d} = ${T * d}`, { where: what, value: x?.length });
  for (let i = 0; i < T * d; i++) if (!Number.isFinite(x[i]!)) fail('NN_INPUT', `${what}[${Math.floor(i / d)}][${i % d}] is ${show(x[i])}: expected a finite number`, { where: `${what}[${Math.floor(i / d)}][${i % d}]`, value: x[i] });
}

/**
 * The same forward pass in any analytic field, one input at a time: the independent
 * generic route (run over dual numbers it is forward-mode AD of the network; over numbers
 * it is a slow reference). `theta` and `x` are given in the field; returns f(x) (n_L values).
 */
export function mlpForwardIn<T>(F: AnalyticField<T>, mlp: Mlp, theta: readonly T[], x: readonly T[]): T[] {
  let h = x.slice(0, mlp.inputDim);
  for (const { nIn, nOut, w, b, activation } of mlp.layers) {
    const z: T[] = [];
    for (let j = 0; j < nOut; j++) {
      let s = theta[b + j] as T;
      for (let i = 0; i < nIn; i++) s = F.add(s, F.mul(theta[w + j * nIn + i] as T, h[i] as T));
      z.push(activation ? activation.applyIn(F, s) : s);
    }
    h = z;
  }
  return h;
}

/** Options of {@link initMlp}. */
export interface MlpInitOptions {
  /** `orthogonal` (Saxe, McClelland & Ganguli 2014) or `gaussian` (N(0, gain²/n_in), LeCun et al. 1998 scaling). Default orthogonal. */
  readonly scheme?: 'orthogonal' | 'gaussian';
  /** Gain of each hidden layer's weights (one number for all, or one per hidden layer). Default √2. */
  readonly hiddenGain?: number | readonly number[];
  /** Gain of the last layer's weights. Default 0.01 (Andrychowicz et al. 2021: the last policy layer ×0.01); use 1 for a value network. */
  readonly lastGain?: number;
}

/**
 * Fresh parameters θ for `mlp` from the seeded `rng`: biases 0; each W_l (n_{l+1} × n_l) is
 * gain_l times an orthogonal matrix (rows orthonormal when n_{l+1} ≤ n_l, columns otherwise;
 * from the Gram–Schmidt QR of a Gaussian matrix, whose Q with positive diagonal R is
 * Haar-distributed) or has N(0, gain_l²/n_l) entries.
 */
export function initMlp(mlp: Mlp, rng: Rng, options: MlpInitOptions = {}): Float64Array {
  const scheme = options.scheme ?? 'orthogonal';
  if (scheme !== 'orthogonal' && scheme !== 'gaussian') fail('NN_ARCHITECTURE', `init scheme is ${show(scheme)}: expected orthogonal or gaussian`, { where: 'scheme', value: scheme });
  const L = mlp.layers.length;
  const hg = options.hiddenGain ?? Math.SQRT2;
  const gains = mlp.layers.map((_, l) => (l === L - 1 ? options.lastGain ?? 0.01 : typeof hg === 'number' ? hg : hg[l]));
  gains.forEach((g, l) => {
    if (typeof g !== 'number' || !Number.isFinite(g) || g < 0) fail('NN_ARCHITECTURE', `the gain of layer ${l} is ${show(g)}: expected a finite non-negative number`, { where: `gain[${l}]`, value: g });
  });
  const theta = new Float64Array(mlp.numParams);
  mlp.layers.forEach(({ nIn, nOut, w }, l) => {
    const gain = gains[l]!;
    if (scheme === 'gaussian') {
      const sd = gain / Math.sqrt(nIn);
      for (let k = 0; k < nIn * nOut; k++) theta[w + k] = sd * rng.normal();
      return;
    }
    // r orthonormal rows of length c (r ≤ c), by modified Gram–Schmidt with one re-orthogonalization
    const r = Math.min(nIn, nOut), c = Math.max(nIn, nOut);
    const q = new Float64Array(r * c);
    for (let k = 0; k < r * c; k++) q[k] = rng.normal();
    for (let i = 0; i < r; i++) {
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < i; j++) {
          let d = 0;
          for (let k = 0; k < c; k++) d += q[i * c + k]! * q[j * c + k]!;
          for (let k = 0; k < c; k++) q[i * c + k] -= d * q[j * c + k]!;
        }
      }
      let n = 0;
      for (let k = 0; k < c; k++) n += q[i * c + k]! ** 2;
      n = Math.sqrt(n);
      for (let k = 0; k < c; k++) q[i * c + k] = q[i * c + k]! / n;
    }
    if (nOut <= nIn) for (let k = 0; k < r * c; k++) theta[w + k] = gain * q[k]!;
    else transposeInto(r, c, q, 0, c, theta, w, nIn), scaleRange(theta, w, nIn * nOut, gain);
  });
  return theta;
}

function scaleRange(x: Float64Array, off: number, n: number, s: number): void {
  for (let i = 0; i < n; i++) x[off + i] = x[off + i]! * s;
}
