/**
 * Small dense matrix products for the multilayer perceptron (`../policy/mlp.ts`): every
 * product of a forward pass, a vector–Jacobian product and a Jacobian–vector product is one
 * call of {@link gemmNT}, `C = A·Bᵀ` (or `C += A·Bᵀ`), after a {@link transposeInto} where an
 * operand is stored the other way round. The "dot-product" form keeps both operands
 * contiguous along the summation index, which is the fastest layout for scalar code in V8
 * (measured on 2048×256×256: 3.5–3.7 GFLOP/s against 2.6 for the `C = A·B` row-update form).
 *
 * Row-major throughout: entry (i, j) of a block with leading dimension `ld` starting at
 * `off` is `x[off + i·ld + j]`.
 *
 * Products of at least {@link SIMD_MIN_WORK} multiply-adds go to the WebAssembly SIMD kernels
 * of `./simd.ts` (f64x2; 1.8–4× the scalar loop on 2048×64×64 … 2048×256×256) where the
 * engine has it; {@link useSimd}(false) forces the scalar loop (for A/B measurements).
 *
 * @module
 */
import { simdGemm, simdGemmBiasMap, simdGemmNT, simdWeightGrad, type SimdMap } from './simd.js';

/** The smallest M·N·K sent to the SIMD kernel (below, copying in and out costs more than it saves). */
export const SIMD_MIN_WORK = 1 << 14;

let simdOn = true;

/** Turns the SIMD kernel on or off for {@link gemmNT}; returns the previous setting. */
export function useSimd(on: boolean): boolean {
  const was = simdOn;
  simdOn = on;
  return was;
}

/**
 * `C = A·Bᵀ` (or `C += A·Bᵀ` when `accumulate`): A is M × K (leading dimension lda), B is
 * N × K (ldb), C is M × N (ldc):  C_{ij} (+)= Σ_k A_{ik} B_{jk}.
 *
 * A 2 × 4 block of C is accumulated in registers over the whole K loop, so each C entry is
 * loaded (when accumulating) and stored once. C must not overlap A or B. K = 0 gives C = 0
 * (or leaves C unchanged when accumulating).
 */
export function gemmNT(
  M: number, N: number, K: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  c: Float64Array, cOff: number, ldc: number,
  accumulate = false,
): void {
  if (simdOn && M * N * K >= SIMD_MIN_WORK && simdGemmNT(M, N, K, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate)) return;
  let i = 0;
  for (; i + 1 < M; i += 2) {
    const a0 = aOff + i * lda, a1 = a0 + lda;
    const c0 = cOff + i * ldc, c1 = c0 + ldc;
    let j = 0;
    for (; j + 3 < N; j += 4) {
      const b0 = bOff + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = a[a0 + k]!, x1 = a[a1 + k]!;
        const y0 = b[b0 + k]!, y1 = b[b1 + k]!, y2 = b[b2 + k]!, y3 = b[b3 + k]!;
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      if (accumulate) {
        c[c0 + j] += s00; c[c0 + j + 1] += s01; c[c0 + j + 2] += s02; c[c0 + j + 3] += s03;
        c[c1 + j] += s10; c[c1 + j + 1] += s11; c[c1 + j + 2] += s12; c[c1 + j + 3] += s13;
      } else {
        c[c0 + j] = s00; c[c0 + j + 1] = s01; c[c0 + j + 2] = s02; c[c0 + j + 3] = s03;
        c[c1 + j] = s10; c[c1 + j + 1] = s11; c[c1 + j + 2] = s12; c[c1 + j + 3] = s13;
      }
    }
    for (; j < N; j++) {
      const b0 = bOff + j * ldb;
      let s0 = 0, s1 = 0;
      for (let k = 0; k < K; k++) { const y = b[b0 + k]!; s0 += a[a0 + k]! * y; s1 += a[a1 + k]! * y; }
      if (accumulate) { c[c0 + j] += s0; c[c1 + j] += s1; } else { c[c0 + j] = s0; c[c1 + j] = s1; }
    }
  }
  if (i < M) {
    const a0 = aOff + i * lda, c0 = cOff + i * ldc;
    for (let j = 0; j < N; j++) {
      const b0 = bOff + j * ldb;
      let s = 0;
      for (let k = 0; k < K; k++) s += a[a0 + k]! * b[b0 + k]!;
      if (accumulate) c[c0 + j] += s; else c[c0 + j] = s;
    }
  }
}

/**
 * `C = op(A)·op(B)ᵀ` (or `C +=` when `accumulate`) with op(A) = A (M × K, lda) or, when
 * `transA`, Aᵀ for A stored K × M; op(B) = B (N × K, ldb) or, when `transB`, Bᵀ for B stored
 * K × N: C_{ij} (+)= Σ_k op(A)_{ik} op(B)_{jk}. The two forms the MLP's backward pass needs
 * without a separate transpose: the weight gradient δᵀH (both transposed, K = T) and δW
 * (`transB`). Large products go to the SIMD kernel, which transposes while packing; the
 * scalar route transposes into scratch buffers and calls {@link gemmNT}.
 *
 * With `scale` (M × N, leading dimension N; only without `accumulate`) the product is
 * multiplied entrywise by it, C = (op(A)·op(B)ᵀ) ⊙ S — in the SIMD kernel's store, in a second
 * pass on the scalar route (the same roundings: the product entry, then the multiplication).
 */
export function gemm(
  transA: boolean, transB: boolean,
  M: number, N: number, K: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  c: Float64Array, cOff: number, ldc: number,
  accumulate = false,
  scale: Float64Array | null = null,
): void {
  if (simdOn && M * N * K >= SIMD_MIN_WORK && simdGemm(transA, transB, M, N, K, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, accumulate ? null : scale)) return;
  if (scale && !accumulate) {
    gemm(transA, transB, M, N, K, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, false);
    for (let i = 0; i < M; i++) for (let j = 0, o = cOff + i * ldc, s = i * N; j < N; j++) c[o + j] = c[o + j]! * scale[s + j]!;
    return;
  }
  if (transA) {
    if (scratchA.length < M * K) scratchA = new Float64Array(M * K);
    transposeInto(K, M, a, aOff, lda, scratchA, 0, K);
    a = scratchA; aOff = 0; lda = K;
  }
  if (transB) {
    if (scratchB.length < N * K) scratchB = new Float64Array(N * K);
    transposeInto(K, N, b, bOff, ldb, scratchB, 0, K);
    b = scratchB; bOff = 0; ldb = K;
  }
  const was = simdOn;
  simdOn = false; // the operands are laid out now: the scalar loop takes it from here
  try { gemmNT(M, N, K, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate); } finally { simdOn = was; }
}

let scratchA = new Float64Array(0), scratchB = new Float64Array(0);

/**
 * A layer's weight and bias gradients from its T-row batches: ∂W = δᵀH (n_out × n_in,
 * written row-major at `g[wOff …]`) and ∂b = Σ_t δ_t (at `g[bOff …]`); `delta` is T × n_out,
 * `h` is T × n_in (row-major, leading dimensions n_out and n_in). Large products go to the
 * SIMD kernel, which takes the bias sum as one more column of the same product
 * (`simdWeightGrad`); otherwise {@link gemm} and a sum over t.
 */
export function weightBiasGrad(
  nOut: number, nIn: number, T: number,
  delta: Float64Array, h: Float64Array,
  g: Float64Array, wOff: number, bOff: number,
): void {
  if (simdOn && nOut * nIn * T >= SIMD_MIN_WORK && simdWeightGrad(nOut, nIn, T, delta, h, g, wOff, g, bOff)) return;
  gemm(true, true, nOut, nIn, T, delta, 0, nOut, h, 0, nIn, g, wOff, nIn);
  g.fill(0, bOff, bOff + nOut);
  for (let t = 0, o = 0; t < T; t++, o += nOut) for (let j = 0; j < nOut; j++) g[bOff + j] += delta[o + j]!;
}

/**
 * A layer's forward pass z = A·Bᵀ + 1 biasᵀ, h = f(z) (f tanh or swish) in one trip through
 * the SIMD kernels' memory (`simdGemmBiasMap`): z (unless null) and h are written M × N with
 * leading dimension N, and σ′(z) into `ds` when given (tanh: 1 − h²; swish: s(1 + z(1 − s)) with the
 * kernel's logistic s). Returns false, doing nothing, when the SIMD kernels are off or unavailable or
 * the product is below {@link SIMD_MIN_WORK} (the caller then runs {@link gemmNT}, the bias
 * and the activation itself — with the same roundings).
 */
export function gemmBiasActivation(
  map: SimdMap, M: number, N: number, K: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  bias: Float64Array, biasOff: number,
  z: Float64Array | null, h: Float64Array,
  ds: Float64Array | null = null,
): boolean {
  return simdOn && M * N * K >= SIMD_MIN_WORK && simdGemmBiasMap(map, M, N, K, a, aOff, lda, b, bOff, ldb, bias, biasOff, z, h, ds);
}

/**
 * `D = Sᵀ`: S is `rows × cols` (leading dimension lds) and D is `cols × rows` (ldd);
 * D_{ji} = S_{ij}. Walks S in 8 × 8 tiles so that both sides stay in cache.
 */
export function transposeInto(
  rows: number, cols: number,
  src: Float64Array, srcOff: number, lds: number,
  dst: Float64Array, dstOff: number, ldd: number,
): void {
  const TILE = 8;
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(cols, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        const s = srcOff + i * lds;
        for (let j = j0; j < j1; j++) dst[dstOff + j * ldd + i] = src[s + j]!;
      }
    }
  }
}
