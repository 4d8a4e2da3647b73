// gemmNT and transposeInto against the definition C_ij = Σ_k A_ik B_jk written as a plain
// triple loop, on blocks with offsets, leading dimensions and odd sizes (the 2×4 register
// blocking has remainder paths in both directions).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemmNT, transposeInto, useSimd } from '../../src/linalg/matmul.js';
import { simdAvailable, simdGemmNT } from '../../src/linalg/simd.js';
import { Rng } from '../../src/stats/rng.js';

const dims = fc.record({ M: fc.integer({ min: 0, max: 9 }), N: fc.integer({ min: 0, max: 11 }), K: fc.integer({ min: 0, max: 7 }), pad: fc.integer({ min: 0, max: 3 }), seed: fc.integer({ min: 0, max: 1e6 }), acc: fc.boolean() });

describe('small matrix products', () => {
  it('gemmNT: C (+)= A·Bᵀ exactly as the triple loop (integers: no rounding)', () => {
    fc.assert(fc.property(dims, ({ M, N, K, pad, seed, acc }) => {
      const rng = Rng.from(seed);
      const lda = K + pad, ldb = K + 2 * pad, ldc = N + pad, aOff = pad, bOff = 2 * pad, cOff = 3 * pad;
      const int = () => rng.int(19) - 9;
      const a = Float64Array.from({ length: aOff + M * lda }, int);
      const b = Float64Array.from({ length: bOff + N * ldb }, int);
      const c = Float64Array.from({ length: cOff + M * ldc }, int);
      const want = Float64Array.from(c);
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[aOff + i * lda + k]! * b[bOff + j * ldb + k]!;
        want[cOff + i * ldc + j] = (acc ? want[cOff + i * ldc + j]! : 0) + s;
      }
      gemmNT(M, N, K, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc);
      expect(Array.from(c)).toEqual(Array.from(want));
    }));
  });
  it('transposeInto: D_ji = S_ij, and nothing outside the block changes', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 3 }), (r, c, pad) => {
      const s = Float64Array.from({ length: pad + r * (c + pad) }, (_, i) => i + 1);
      const d = new Float64Array(pad + c * (r + pad)).fill(-1);
      transposeInto(r, c, s, pad, c + pad, d, pad, r + pad);
      const want = new Float64Array(d.length).fill(-1);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) want[pad + j * (r + pad) + i] = s[pad + i * (c + pad) + j]!;
      expect(Array.from(d)).toEqual(Array.from(want));
    }));
  });
});

describe('the WebAssembly SIMD kernel', () => {
  it('compiles here, and equals the scalar loop exactly on integer blocks with offsets, odd sizes and accumulation', () => {
    expect(simdAvailable()).toBe(true);
    fc.assert(fc.property(fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 23 }), fc.integer({ min: 1, max: 41 }), fc.integer({ min: 0, max: 2 }), fc.boolean(), fc.integer({ min: 0, max: 1e6 }), (M, N, K, pad, acc, seed) => {
      const rng = Rng.from(seed);
      const int = () => rng.int(19) - 9;
      const lda = K + pad, ldb = K + 2 * pad, ldc = N + pad;
      const a = Float64Array.from({ length: pad + M * lda }, int);
      const b = Float64Array.from({ length: pad + N * ldb }, int);
      const c1 = Float64Array.from({ length: pad + M * ldc }, int), c2 = Float64Array.from(c1);
      const was = useSimd(false);
      gemmNT(M, N, K, a, pad, lda, b, pad, ldb, c1, pad, ldc, acc);
      useSimd(was);
      expect(simdGemmNT(M, N, K, a, pad, lda, b, pad, ldb, c2, pad, ldc, acc)).toBe(true);
      expect(Array.from(c2)).toEqual(Array.from(c1));
    }), { numRuns: 40 });
  });
  it('gemmNT dispatches large products to it: 64×64×64 real blocks agree with the scalar loop to rounding (1e-13)', () => {
    const rng = Rng.from(5);
    const a = Float64Array.from({ length: 64 * 64 }, () => rng.normal()), b = Float64Array.from({ length: 64 * 64 }, () => rng.normal());
    const c1 = new Float64Array(64 * 64), c2 = new Float64Array(64 * 64);
    gemmNT(64, 64, 64, a, 0, 64, b, 0, 64, c1, 0, 64);
    const was = useSimd(false);
    gemmNT(64, 64, 64, a, 0, 64, b, 0, 64, c2, 0, 64);
    useSimd(was);
    let d = 0;
    for (let i = 0; i < c1.length; i++) d = Math.max(d, Math.abs(c1[i]! - c2[i]!));
    expect(d).toBeLessThan(1e-13);
    expect(d).toBeGreaterThan(0); // a different summation order: proof that the other kernel ran
  });
});
