// The backward pass's kernel paths (issue 10 item 2, bench:nn): the weight and bias gradients
// by the outer-product kernel (δ and H read as stored, the bias sum as one more column), the
// product whose store multiplies by σ′ (the activation derivative folded into δW), and σ′
// written by the fused forward layer — each against plain loops written here, to a stated
// tolerance, with a negative control that the same comparison rejects. Exact (no sampling).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemm, gemmBiasActivation, SIMD_MIN_WORK, useSimd, weightBiasGrad } from '../../src/linalg/matmul.js';
import { simdAvailable, useFma } from '../../src/linalg/simd.js';
import { ACTIVATIONS, initMlp, logistic, Mlp, type Activation } from '../../src/policy/mlp.js';
import { Rng } from '../../src/stats/rng.js';

const normals = (rng: Rng, n: number) => Float64Array.from({ length: n }, () => rng.normal());

/** ∂W_{ji} = Σ_{t<tEnd} δ_{tj} h_{ti}, ∂b_j = Σ_t δ_{tj} as plain loops, and the bounds Σ|…| of the sums. */
function weightGradRef(nOut: number, nIn: number, T: number, delta: Float64Array, h: Float64Array, tEnd = T) {
  const w = new Float64Array(nOut * nIn), wb = new Float64Array(nOut * nIn), b = new Float64Array(nOut), bb = new Float64Array(nOut);
  for (let j = 0; j < nOut; j++) {
    for (let i = 0; i < nIn; i++) {
      let s = 0, m = 0;
      for (let t = 0; t < tEnd; t++) { const p = delta[t * nOut + j]! * h[t * nIn + i]!; s += p; m += Math.abs(p); }
      w[j * nIn + i] = s; wb[j * nIn + i] = m;
    }
    let s = 0, m = 0;
    for (let t = 0; t < tEnd; t++) { s += delta[t * nOut + j]!; m += Math.abs(delta[t * nOut + j]!); }
    b[j] = s; bb[j] = m;
  }
  return { w, wb, b, bb };
}

/** max |x − y| / bound over the entries (bound 0 counts as 1). */
function relErr(x: Float64Array, xOff: number, y: Float64Array, bound: Float64Array): number {
  let e = 0;
  for (let k = 0; k < y.length; k++) e = Math.max(e, Math.abs(x[xOff + k]! - y[k]!) / (bound[k]! || 1));
  return e;
}

describe('weight and bias gradients (outer-product kernel, bias as a column of ones)', () => {
  it('weightBiasGrad on random shapes (fused or not; SIMD and scalar routes) is within 1e-12 of the plain loops, relative to Σ_t |δ h|', () => {
    expect(simdAvailable()).toBe(true);
    let simdRuns = 0;
    fc.assert(fc.property(
      fc.record({ nOut: fc.integer({ min: 1, max: 41 }), nIn: fc.integer({ min: 1, max: 39 }), T: fc.integer({ min: 1, max: 300 }), fma: fc.boolean(), simd: fc.boolean(), seed: fc.integer({ min: 0, max: 1e9 }) }),
      ({ nOut, nIn, T, fma, simd, seed }) => {
        const rng = Rng.from(seed);
        const delta = normals(rng, T * nOut), h = normals(rng, T * nIn);
        // θ-shaped output with sentinels around the two blocks: W at 3, b right after W, then 2 more
        const g = new Float64Array(3 + nOut * nIn + nOut + 2).fill(7);
        const wasFma = useFma(fma), wasSimd = useSimd(simd);
        try { weightBiasGrad(nOut, nIn, T, delta, h, g, 3, 3 + nOut * nIn); } finally { useFma(wasFma); useSimd(wasSimd); }
        if (simd && nOut * nIn * T >= SIMD_MIN_WORK) simdRuns++;
        const r = weightGradRef(nOut, nIn, T, delta, h);
        expect(relErr(g, 3, r.w, r.wb)).toBeLessThan(1e-12);
        expect(relErr(g, 3 + nOut * nIn, r.b, r.bb)).toBeLessThan(1e-12);
        for (const k of [0, 1, 2, g.length - 2, g.length - 1]) expect(g[k]).toBe(7); // nothing written outside
      },
    ), { numRuns: 50, seed: 31 });
    expect(simdRuns).toBeGreaterThan(8); // the property did reach the kernel
  });
  it('2048-row panels (the bench shapes 64 × 17 and 6 × 64) agree with the plain loops to 1e-12', () => {
    const rng = Rng.from(5);
    for (const [nOut, nIn] of [[64, 17], [6, 64]] as const) {
      const T = 2048, delta = normals(rng, T * nOut), h = normals(rng, T * nIn);
      const g = new Float64Array(nOut * nIn + nOut);
      weightBiasGrad(nOut, nIn, T, delta, h, g, 0, nOut * nIn);
      const r = weightGradRef(nOut, nIn, T, delta, h);
      expect(relErr(g, 0, r.w, r.wb)).toBeLessThan(1e-12);
      expect(relErr(g, nOut * nIn, r.b, r.bb)).toBeLessThan(1e-12);
    }
  });
  it('wide layers (n_out, n_in ≥ 128: the row-product kernel on transposed packs, even and odd sides) agree with the plain loops to 1e-12', () => {
    const rng = Rng.from(6);
    for (const [nOut, nIn, T] of [[128, 130, 50], [131, 128, 37], [130, 129, 66]] as const) {
      const delta = normals(rng, T * nOut), h = normals(rng, T * nIn);
      const g = new Float64Array(nOut * nIn + nOut);
      weightBiasGrad(nOut, nIn, T, delta, h, g, 0, nOut * nIn);
      const r = weightGradRef(nOut, nIn, T, delta, h);
      expect(relErr(g, 0, r.w, r.wb)).toBeLessThan(1e-12);
      expect(relErr(g, nOut * nIn, r.b, r.bb)).toBeLessThan(1e-12);
      // control: the same comparison against the sum without its last row t
      const short = weightGradRef(nOut, nIn, T, delta, h, T - 1);
      expect(relErr(g, 0, short.w, r.wb)).toBeGreaterThan(1e-3);
    }
  });
  it('control: the same comparison rejects a sum that drops the last row t (an off-by-one at a panel end)', () => {
    const rng = Rng.from(8);
    const nOut = 13, nIn = 22, T = 129; // T = 2 panels of 64 and one row
    const delta = normals(rng, T * nOut), h = normals(rng, T * nIn);
    const g = new Float64Array(nOut * nIn + nOut);
    weightBiasGrad(nOut, nIn, T, delta, h, g, 0, nOut * nIn);
    const good = weightGradRef(nOut, nIn, T, delta, h), short = weightGradRef(nOut, nIn, T, delta, h, T - 1);
    expect(relErr(g, 0, good.w, good.wb)).toBeLessThan(1e-12);
    expect(relErr(g, 0, short.w, good.wb)).toBeGreaterThan(1e-3);
    expect(relErr(g, nOut * nIn, short.b, good.bb)).toBeGreaterThan(1e-3);
  });
});

describe('the product with its store scaled entrywise (σ′ folded into δW)', () => {
  it('gemm(…, scale) = (op(A)·op(B)ᵀ) ⊙ S within 1e-12 of the plain loop, relative to Σ_k |a b|·|s|, on random shapes', () => {
    let simdRuns = 0;
    fc.assert(fc.property(
      fc.record({ M: fc.integer({ min: 1, max: 45 }), N: fc.integer({ min: 1, max: 37 }), K: fc.integer({ min: 1, max: 200 }), transB: fc.boolean(), fma: fc.boolean(), seed: fc.integer({ min: 0, max: 1e9 }) }),
      ({ M, N, K, transB, fma, seed }) => {
        const rng = Rng.from(seed);
        const a = normals(rng, M * K), b = normals(rng, N * K), s = normals(rng, M * N);
        const ldb = transB ? N : K;
        const c = new Float64Array(M * N);
        const was = useFma(fma);
        try { gemm(false, transB, M, N, K, a, 0, K, b, 0, ldb, c, 0, N, false, s); } finally { useFma(was); }
        if (M * N * K >= SIMD_MIN_WORK) simdRuns++;
        const want = new Float64Array(M * N), bound = new Float64Array(M * N);
        for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
          let sum = 0, m = 0;
          for (let k = 0; k < K; k++) { const p = a[i * K + k]! * (transB ? b[k * N + j]! : b[j * K + k]!); sum += p; m += Math.abs(p); }
          want[i * N + j] = sum * s[i * N + j]!; bound[i * N + j] = m * Math.abs(s[i * N + j]!);
        }
        expect(relErr(c, 0, want, bound)).toBeLessThan(1e-12);
      },
    ), { numRuns: 40, seed: 17 });
    expect(simdRuns).toBeGreaterThan(5);
  });
  it('long rows (K = 2000: B taken in panels of 16 rows, N = 37 in three panels) agree with the plain loop to 1e-12, plain and scaled; control: a product without its last column j', () => {
    const rng = Rng.from(12);
    const M = 5, N = 37, K = 2000;
    const a = normals(rng, M * K), b = normals(rng, N * K), s = normals(rng, M * N);
    const want = new Float64Array(M * N), bound = new Float64Array(M * N);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let sum = 0, m = 0;
      for (let k = 0; k < K; k++) { const p = a[i * K + k]! * b[j * K + k]!; sum += p; m += Math.abs(p); }
      want[i * N + j] = sum; bound[i * N + j] = m;
    }
    const c = new Float64Array(M * N), cs = new Float64Array(M * N);
    gemm(false, false, M, N, K, a, 0, K, b, 0, K, c, 0, N);
    gemm(false, false, M, N, K, a, 0, K, b, 0, K, cs, 0, N, false, s);
    expect(relErr(c, 0, want, bound)).toBeLessThan(1e-12);
    expect(relErr(cs, 0, want.map((w, k) => w * s[k]!), bound.map((m, k) => m * Math.abs(s[k]!)))).toBeLessThan(1e-12);
    const dropped = want.map((w, k) => (k % N === N - 1 ? 0 : w));
    expect(relErr(c, 0, dropped, bound)).toBeGreaterThan(1e-3);
  });
  it('control: the comparison rejects the scale read transposed (S_{ji} for S_{ij})', () => {
    const rng = Rng.from(4);
    const M = 40, N = 40, K = 30;
    const a = normals(rng, M * K), b = normals(rng, N * K), s = normals(rng, M * N);
    const c = new Float64Array(M * N), plain = new Float64Array(M * N);
    gemm(false, false, M, N, K, a, 0, K, b, 0, K, c, 0, N, false, s);
    gemm(false, false, M, N, K, a, 0, K, b, 0, K, plain, 0, N);
    let right = 0, wrong = 0;
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      right = Math.max(right, Math.abs(c[i * N + j]! - plain[i * N + j]! * s[i * N + j]!));
      wrong = Math.max(wrong, Math.abs(c[i * N + j]! - plain[i * N + j]! * s[j * N + i]!));
    }
    expect(right).toBeLessThan(1e-12);
    expect(wrong).toBeGreaterThan(1e-3);
  });
});

describe('σ′ written by the fused forward layer', () => {
  // the exact derivatives from the scalar formulas: tanh′ = 1 − tanh², swish′ = s(1 + z(1 − s))
  const deriv = { tanh: (z: number) => 1 - Math.tanh(z) ** 2, swish: (z: number) => { const s = logistic(z); return s * (1 + z * (1 - s)); } };
  /** A bound on the size of the derivative's terms, for a relative tolerance. */
  const size = { tanh: (_z: number) => 1, swish: (z: number) => { const s = logistic(z); return s * (1 + Math.abs(z) * (1 - s)); } };
  function layer(map: 'tanh' | 'swish') {
    const rng = Rng.from(map);
    const M = 67, N = 37, K = 9; // odd widths: the padded columns of the kernel's rows
    const a = Float64Array.from({ length: M * K }, () => 3 * rng.normal()), b = normals(rng, N * K), bias = normals(rng, N);
    const z = new Float64Array(M * N), h = new Float64Array(M * N), ds = new Float64Array(M * N);
    expect(gemmBiasActivation(map, M, N, K, a, 0, K, b, 0, K, bias, 0, z, h, ds)).toBe(true);
    return { z, ds };
  }
  for (const map of ['tanh', 'swish'] as const) {
    it(`${map}: every σ′(z) within 2e-15 of the scalar formula, relative to the size of its terms`, () => {
      const { z, ds } = layer(map);
      let worst = 0;
      for (let k = 0; k < z.length; k++) worst = Math.max(worst, Math.abs(ds[k]! - deriv[map](z[k]!)) / size[map](z[k]!));
      expect(worst).toBeLessThan(2e-15);
    });
  }
  it('control: the comparison rejects swish′ written as s(z) alone (the derivative of the wrong function)', () => {
    const { z, ds } = layer('swish');
    let worst = 0;
    for (let k = 0; k < z.length; k++) worst = Math.max(worst, Math.abs(ds[k]! - logistic(z[k]!)) / size.swish(z[k]!));
    expect(worst).toBeGreaterThan(1e-2);
  });
});

describe('the MLP gradient with the folded derivative, against the scalar route', () => {
  function grads(act: 'tanh' | 'swish' | Activation, simd: boolean) {
    const rng = Rng.from(21);
    const mlp = new Mlp([5, 37, 64, 3], act);
    const theta = initMlp(mlp, rng, { hiddenGain: 1.3, lastGain: 1 });
    for (const { b, nOut } of mlp.layers) for (let j = 0; j < nOut; j++) theta[b + j] = 0.5 * rng.normal();
    const T = 131, x = normals(rng, T * 5), g = normals(rng, T * 3);
    const v = normals(rng, mlp.numParams), vX = normals(rng, T * 5);
    const out = new Float64Array(mlp.numParams), gX = new Float64Array(T * 5), jv = new Float64Array(T * 3);
    const was = useSimd(simd);
    try { mlp.forward(theta, x, T); mlp.vjp(theta, g, out, gX); mlp.jvp(theta, v, jv, vX); } finally { useSimd(was); }
    return { out, gX, jv };
  }
  const maxRel = (x: Float64Array, y: Float64Array) => { let d = 0, m = 0; for (let k = 0; k < y.length; k++) { d = Math.max(d, Math.abs(x[k]! - y[k]!)); m = Math.max(m, Math.abs(y[k]!)); } return d / m; };
  it('∇_θ, ∇_x (vjp) and J·(v, ẋ) (jvp, σ′ from the tape) agree with the scalar-product route (useSimd(false): no SIMD products, σ′ by mulDerivative) to 1e-13 of their largest entry, tanh and swish', () => {
    for (const act of ['tanh', 'swish'] as const) {
      const fast = grads(act, true), slow = grads(act, false);
      expect(maxRel(fast.out, slow.out)).toBeLessThan(1e-13);
      expect(maxRel(fast.gX, slow.gX)).toBeLessThan(1e-13);
      expect(maxRel(fast.jv, slow.jv)).toBeLessThan(1e-13);
    }
  });
  it('control: the comparison rejects a scalar route whose tanh derivative is σ′ = 1 − h (a dropped square), in vjp and jvp', () => {
    const wrong: Activation = { ...ACTIVATIONS.tanh, name: 'tanh-wrong-derivative', mulDerivative(_z, h, d, n) { for (let i = 0; i < n; i++) d[i] = d[i]! * (1 - h[i]!); } };
    const fast = grads('tanh', true), bad = grads(wrong, false);
    expect(maxRel(fast.out, bad.out)).toBeGreaterThan(1e-3);
    expect(maxRel(fast.jv, bad.jv)).toBeGreaterThan(1e-3);
  });
});
