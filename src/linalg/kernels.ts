/**
 * Dense kernels shared by the dense and the sparse (multifrontal) LU: the matrix product
 * update `C −= A·B` that carries most of their flops.
 *
 * @module
 */

/**
 * `C −= A·B` for row-major blocks: A (M × K, leading dimension lda), B (K × N, ldb),
 * C (M × N, ldc); A and B are read from `a` and `b`, C lives in `c` (which may be the same
 * array as long as the blocks do not overlap). A 2×4 block of C is accumulated in
 * registers over the whole K loop, so each C entry is loaded and stored once: about three
 * times the rate of a rank-1-update loop in V8.
 */
export function gemmSub(M: number, N: number, K: number, a: Float64Array, aOff: number, lda: number, b: Float64Array, bOff: number, ldb: number, c: Float64Array, cOff: number, ldc: number): void {
  let i = 0;
  for (; i + 1 < M; i += 2) {
    const a0 = aOff + i * lda, a1 = a0 + lda;
    const c0 = cOff + i * ldc, c1 = c0 + ldc;
    let j = 0;
    for (; j + 3 < N; j += 4) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let bk = bOff + j;
      for (let k = 0; k < K; k++, bk += ldb) {
        const x0 = a[a0 + k]!, x1 = a[a1 + k]!;
        const y0 = b[bk]!, y1 = b[bk + 1]!, y2 = b[bk + 2]!, y3 = b[bk + 3]!;
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      c[c0 + j] -= s00; c[c0 + j + 1] -= s01; c[c0 + j + 2] -= s02; c[c0 + j + 3] -= s03;
      c[c1 + j] -= s10; c[c1 + j + 1] -= s11; c[c1 + j + 2] -= s12; c[c1 + j + 3] -= s13;
    }
    for (; j < N; j++) {
      let s0 = 0, s1 = 0;
      let bk = bOff + j;
      for (let k = 0; k < K; k++, bk += ldb) { const y = b[bk]!; s0 += a[a0 + k]! * y; s1 += a[a1 + k]! * y; }
      c[c0 + j] -= s0; c[c1 + j] -= s1;
    }
  }
  if (i < M) {
    const a0 = aOff + i * lda, c0 = cOff + i * ldc;
    for (let j = 0; j < N; j++) {
      let s = 0;
      let bk = bOff + j;
      for (let k = 0; k < K; k++, bk += ldb) s += a[a0 + k]! * b[bk]!;
      c[c0 + j] -= s;
    }
  }
}
