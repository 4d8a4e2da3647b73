// The MLP's fast paths — the WebAssembly SIMD products (fused and unfused multiply–add, with
// operands transposed while packing) and the SIMD tanh/swish kernels with their own e^x —
// against plain reference loops written here, on shapes large enough to take those paths
// (the small networks of mlp.test.ts stay on the scalar loops). Each check has a negative
// control that the same comparison rejects.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dual, DualField, NumberField } from '../../src/field/index.js';
import { gemm, gemmNT, SIMD_MIN_WORK } from '../../src/linalg/matmul.js';
import { fmaActive, simdAvailable, simdMap, useFma } from '../../src/linalg/simd.js';
import { ACTIVATIONS, initMlp, logistic, Mlp, mlpForwardIn, SIMD_MAP_MIN, type Activation, type ActivationName } from '../../src/policy/mlp.js';
import { Rng } from '../../src/stats/rng.js';

/** C_ij = Σ_k op(A)_ik op(B)_jk as the plain triple loop, and the bound Σ_k |op(A)_ik op(B)_jk|. */
function reference(transA: boolean, transB: boolean, M: number, N: number, K: number, a: Float64Array, lda: number, b: Float64Array, ldb: number, kEnd = K) {
  const c = new Float64Array(M * N), bound = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0, m = 0;
    for (let k = 0; k < kEnd; k++) {
      const x = transA ? a[k * lda + i]! : a[i * lda + k]!, y = transB ? b[k * ldb + j]! : b[j * ldb + k]!;
      s += x * y; m += Math.abs(x * y);
    }
    c[i * N + j] = s; bound[i * N + j] = m;
  }
  return { c, bound };
}

/** max_ij |C_ij − R_ij| / Σ_k |op(A)_ik op(B)_jk|: the error relative to the size of the sum. */
function relErr(c: Float64Array, ldc: number, r: { c: Float64Array; bound: Float64Array }, M: number, N: number): number {
  let e = 0;
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) e = Math.max(e, Math.abs(c[i * ldc + j]! - r.c[i * N + j]!) / (r.bound[i * N + j]! || 1));
  return e;
}

const shapes = fc.record({
  M: fc.integer({ min: 1, max: 45 }), N: fc.integer({ min: 1, max: 37 }), K: fc.integer({ min: 1, max: 300 }),
  pad: fc.integer({ min: 0, max: 3 }), transA: fc.boolean(), transB: fc.boolean(), fma: fc.boolean(), seed: fc.integer({ min: 0, max: 1e9 }),
});

describe('the SIMD products against the triple loop', () => {
  it('gemm(op(A), op(B)) on random shapes (odd sizes, leading dimensions, transposes, fused or not) is within 1e-12 of the plain loop, relative to Σ_k |a b|', () => {
    expect(simdAvailable()).toBe(true);
    let simdRuns = 0;
    fc.assert(fc.property(shapes, ({ M, N, K, pad, transA, transB, fma, seed }) => {
      const rng = Rng.from(seed);
      const lda = (transA ? M : K) + pad, ldb = (transB ? N : K) + pad, ldc = N + pad;
      const a = Float64Array.from({ length: (transA ? K : M) * lda }, () => rng.normal());
      const b = Float64Array.from({ length: (transB ? K : N) * ldb }, () => rng.normal());
      const c = new Float64Array(M * ldc).fill(7);
      const was = useFma(fma);
      try { gemm(transA, transB, M, N, K, a, 0, lda, b, 0, ldb, c, 0, ldc); } finally { useFma(was); }
      if (M * N * K >= SIMD_MIN_WORK) simdRuns++;
      const r = reference(transA, transB, M, N, K, a, lda, b, ldb);
      expect(relErr(c, ldc, r, M, N)).toBeLessThan(1e-12);
      for (let i = 0; i < M; i++) for (let j = N; j < ldc; j++) expect(c[i * ldc + j]).toBe(7); // the padding is untouched
    }), { numRuns: 60, seed: 12 });
    expect(simdRuns).toBeGreaterThan(10); // the property did reach the kernel
  });
  it('control: the same comparison rejects a product that drops the last k (an off-by-one in the packing)', () => {
    const rng = Rng.from(3);
    const M = 33, N = 21, K = 99;
    const a = Float64Array.from({ length: K * M }, () => rng.normal()), b = Float64Array.from({ length: K * N }, () => rng.normal());
    const c = new Float64Array(M * N);
    gemm(true, true, M, N, K, a, 0, M, b, 0, N, c, 0, N);
    expect(relErr(c, N, reference(true, true, M, N, K, a, M, b, N), M, N)).toBeLessThan(1e-12);
    expect(relErr(c, N, reference(true, true, M, N, K, a, M, b, N, K - 1), M, N)).toBeGreaterThan(1e-3);
  });
  it('the fused multiply–add kernel is active here (relaxed SIMD), so the runs above covered it', () => {
    expect(fmaActive()).toBe(true);
  });
});

const ulpRel = (x: number, y: number) => (x === y ? 0 : Math.abs(x - y) / Math.max(Math.abs(y), Number.MIN_VALUE));

describe('the SIMD activations against Math', () => {
  const values = (() => {
    const rng = Rng.from(9);
    const v: number[] = [0, -0, 1e-300, -1e-310, 5e-324, 19.06, -19.07, 20.5, -36, 700, -708.5, -745.2, -800, 800, 1e-8, -3e-5];
    for (let i = 0; i < 20001; i++) v.push(rng.normal() * [1e-6, 1e-2, 0.3, 1, 4, 40][i % 6]!);
    return Float64Array.from(v);
  })();
  const refs: Record<'tanh' | 'swish', (x: number) => number> = { tanh: Math.tanh, swish: (x) => x * logistic(x) };
  for (const map of ['tanh', 'swish'] as const) {
    it(`${map}: every value within 7e-16 relative (≤ 3 ulp of the value) of the scalar formula, signs of zero kept, odd lengths`, () => {
      const out = new Float64Array(values.length);
      expect(simdMap(map, values, out, values.length)).toBe(true); // odd length: 20017
      let worst = 0;
      for (let i = 0; i < values.length; i++) {
        const want = refs[map](values[i]!);
        if (Math.abs(want) < 1e-300) expect(Math.abs(out[i]! - want)).toBeLessThan(1e-310); // subnormal range: absolute
        else worst = Math.max(worst, ulpRel(out[i]!, want));
        if (want === 0) expect(Object.is(out[i], want)).toBe(true);
      }
      expect(worst).toBeLessThan(7e-16);
    });
  }
  it('control: the same check rejects tanh by (1 − e^{−2x})/(1 + e^{−2x}), which cancels at small |x|', () => {
    let worst = 0;
    for (const x of values) {
      if (Math.abs(x) < 1e-300) continue;
      const e = Math.exp(-2 * Math.abs(x)), t = Math.sign(x) * ((1 - e) / (1 + e));
      worst = Math.max(worst, ulpRel(t, Math.tanh(x)));
    }
    expect(worst).toBeGreaterThan(7e-16);
  });
});

const D = DualField(NumberField);

describe('an MLP wide enough for the fast paths, against the generic forward pass and dual numbers', () => {
  function run(act: ActivationName | Activation, seed: number) {
    const rng = Rng.from(seed);
    const mlp = new Mlp([7, 33, 65, 3], act);
    const theta = initMlp(mlp, rng, { hiddenGain: 1.3, lastGain: 1.3 });
    for (const { b, nOut } of mlp.layers) for (let j = 0; j < nOut; j++) theta[b + j] = 0.5 * rng.normal();
    const T = 97; // 97·33 and 97·65 ≥ SIMD_MAP_MIN; 97·65·33 ≥ SIMD_MIN_WORK
    const x = Float64Array.from({ length: T * 7 }, () => 1.5 * rng.normal());
    const g = Float64Array.from({ length: T * 3 }, () => rng.normal());
    const v = Float64Array.from({ length: mlp.numParams }, () => rng.normal());
    const out = Float64Array.from(mlp.forward(theta, x, T));
    const gTheta = new Float64Array(mlp.numParams);
    mlp.vjp(theta, g, gTheta);
    // reference: forward and the tangent along v, one input at a time, in dual numbers
    const th = Array.from(theta, (t, k) => new Dual(t, v[k]!));
    let fwdErr = 0, scale = 0, gJv = 0;
    for (let t = 0; t < T; t++) {
      const y = mlpForwardIn(D, mlp, th, Array.from(x.subarray(t * 7, t * 7 + 7), (xi) => new Dual(xi, 0)));
      y.forEach((yj, j) => {
        fwdErr = Math.max(fwdErr, Math.abs(out[t * 3 + j]! - yj.re)); scale = Math.max(scale, Math.abs(yj.re));
        gJv += g[t * 3 + j]! * yj.du;
      });
    }
    const vjpV = gTheta.reduce((s, gi, k) => s + gi * v[k]!, 0);
    return { fwd: fwdErr / scale, adjoint: Math.abs(vjpV - gJv) / (1 + Math.abs(gJv)) };
  }
  it('forward to 1e-13 and ⟨∇_θ Σ⟨g, f⟩, v⟩ = Σ⟨g, J v⟩ (dual numbers) to 1e-12, for tanh and swish', () => {
    expect(SIMD_MAP_MIN).toBeLessThanOrEqual(97 * 33);
    for (const act of ['tanh', 'swish'] as const) for (const seed of [1, 2]) {
      const r = run(act, seed);
      expect(r.fwd).toBeLessThan(1e-13);
      expect(r.adjoint).toBeLessThan(1e-12);
    }
  });
  it('control: a tanh whose backward pass forgets σ′ fails the same adjoint check', () => {
    const broken: Activation = { ...ACTIVATIONS.tanh, name: 'tanh-without-derivative', mulDerivative: () => undefined };
    expect(run(broken, 1).adjoint).toBeGreaterThan(1e-3);
  });
});

describe('the fused forward layer (product, bias and activation in one trip through the kernel memory)', () => {
  /** The unfused route: gemmNT, then z += b, then the activation, layer by layer (`withBias` false: the control). */
  function unfused(mlp: Mlp, th: Float64Array, x: Float64Array, T: number, withBias = true): Float64Array {
    let inp = x, z = new Float64Array(0);
    for (const { nIn, nOut, w, b, activation } of mlp.layers) {
      z = new Float64Array(T * nOut);
      gemmNT(T, nOut, nIn, inp, 0, nIn, th, w, nIn, z, 0, nOut);
      if (withBias) for (let t = 0; t < T; t++) for (let j = 0; j < nOut; j++) z[t * nOut + j] += th[b + j]!;
      if (activation) { const h = new Float64Array(T * nOut); activation.apply(z, h, T * nOut); inp = h; }
    }
    return z;
  }
  it('Mlp.forward equals the unfused route bit for bit (odd widths and batches, tanh and swish); control: the route without biases differs', () => {
    for (const [sizes, act, T] of [[[17, 64, 64, 6], 'tanh', 301], [[7, 33, 65, 3], 'swish', 97]] as const) {
      const rng = Rng.from(11);
      const mlp = new Mlp(sizes as unknown as number[], act);
      const th = initMlp(mlp, rng, { lastGain: 1 });
      for (const { b, nOut } of mlp.layers) for (let j = 0; j < nOut; j++) th[b + j] = 0.5 * rng.normal();
      const x = Float64Array.from({ length: T * mlp.inputDim }, () => rng.normal());
      const out = Array.from(mlp.forward(th, x, T));
      expect(out).toEqual(Array.from(unfused(mlp, th, x, T)));
      expect(out).not.toEqual(Array.from(unfused(mlp, th, x, T, false)));
    }
  });
});
