/**
 * A WebAssembly SIMD (f64x2) kernel for `C = A·Bᵀ` on padded blocks, assembled here byte by
 * byte (no toolchain needed, nothing fetched): the one product the MLP spends its time in
 * (`./matmul.ts`). V8 compiles it to SSE2 `mulpd`/`addpd` on two doubles at a time, which
 * scalar JavaScript cannot express — or, where relaxed SIMD is available (see
 * {@link relaxedSimd}), to fused multiply–adds (`vfmadd`; 1.25–1.35× the unfused kernel on
 * 2048×256×256 … 256×256×2048, measured in one process on a loaded 2-core AMD EPYC).
 *
 * Beside it, elementwise kernels for the MLP's activations (tanh and swish, {@link simdMap})
 * with their own vectorized e^x: about 2× `Math.tanh` per value in the same measurement
 * (2.6–2.9× since two vectors per iteration with interleaved chains and fused Estrin steps).
 *
 * The kernel works on packed operands in its own linear memory: A is Mp × Kp, B is Np × Kp
 * (both row-major, rows contiguous), C is Mp × Np, with Mp a multiple of 4, Np a multiple of
 * 4 and Kp even — {@link simdGemmNT} copies the caller's blocks in with zero padding and the
 * result out. Each 4 × 2 block of C keeps eight f64x2 accumulators (even and odd k) over the
 * whole K loop; the two lanes are added at the end. Rounding differs from the scalar kernel
 * only in that order of summation. A module is compiled per row length Kp (an MLP has a
 * handful; each compiles in about a millisecond), so that the rows of a block sit at constant
 * offsets and the inner loop advances two pointers (10–25% faster than one kernel for all
 * Kp in an in-process A/B); all modules share one imported memory. A variant multiplies C
 * by a matrix S as it stores it (the backward pass's σ′, {@link simdGemm}'s `scale`).
 *
 * The MLP's backward pass adds (issue 10 item 2, `npm run bench:nn`): the weight gradient δᵀH
 * with the bias sum as one more column ({@link simdWeightGrad}) — an outer-product kernel that
 * reads δ and H as stored for narrow layers, the row-product kernel on packs transposed by a
 * SIMD transposing kernel for wide ones; and the fused forward layer writes σ′(z) beside
 * h = σ(z) so that the backward product folds it in.
 *
 * @module
 */

import { setFlagsFromString } from 'node:v8';

// ---------------------------------------------------------------- a tiny assembler

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
};
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

// opcodes
const GET = 0x20, SET = 0x21, I32 = 0x41, ADD = 0x6a, MUL = 0x6c, SHL = 0x74, GE_U = 0x4f, REM_U = 0x70;
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, VOID = 0x40;
const F64_ADD = 0xa0, F64_MUL = 0xa2, F64_LOAD = 0x2b, F64_STORE = 0x39, NE = 0x47, SELECT = 0x1b;
const SIMD = 0xfd;
const v128Load = (off = 0): number[] => [SIMD, 0x00, 3, ...uleb(off)]; // align 2^3
const v128Zero = (): number[] => [SIMD, 0x0c, ...new Array<number>(16).fill(0)];
const f64x2Add = [SIMD, ...uleb(0xf0)], f64x2Mul = [SIMD, ...uleb(0xf2)];
// relaxed SIMD's f64x2.relaxed_madd a·b + c: one fused multiply–add where the hardware has it
const f64x2RelaxedMadd = [SIMD, ...uleb(0x107)];
const lane = (l: number): number[] => [SIMD, 0x21, l];
const get = (i: number): number[] => [GET, ...uleb(i)];
const set = (i: number): number[] => [SET, ...uleb(i)];
const i32 = (n: number): number[] => [I32, ...sleb(n)];

// params 0 Mp, 1 Np, 2 A, 3 B, 4 C, 5 S (byte addresses), 6 LDC (C's and S's row length in
// doubles); i32 locals 7…; v128 locals after
const [Mp, Np, A, B, C, S_, LDC] = [0, 1, 2, 3, 4, 5, 6];
const [I, J, PA, PB, END_A, CP, SP] = [7, 8, 9, 10, 11, 12, 13];
const V0 = 14; // the first v128 local

/**
 * The register block: R rows of A by Q rows of B, R·Q f64x2 accumulators. 2 × 4 (or 4 × 2)
 * is the largest V8 keeps in registers: 3 × 4, 4 × 3, 2 × 6 and 4 × 4 spill and ran at
 * 0.25–0.55× of it (measured with the fused kernel on 2048×256×256, 2048×64×64, 256×256×2048);
 * so did 6 × 2, 5 × 2, 2 × 6 and 2 × 5 with one operand streamed (its rows loaded one at a
 * time, 12–15 live registers in the source: TurboFan hoists the loads). 4 × 2 with A's rows
 * streamed ran 0–8% faster than 2 × 4 (same process, 2048×256×256 and 256×256×2048).
 */
const TILE_R = 4, TILE_Q = 2;
/** C's padded row length is a multiple of this (of TILE_Q, and of 4 for the unrolled bias map). */
const NP_ALIGN = 4;

/**
 * The kernel specialized to Kp (row length in doubles): the rows of an R × Q block are at
 * constant byte distances rb = 8·Kp, so every load takes its row from the memarg offset and
 * the K loop advances just two pointers.
 */
function kernelBody(kp: number, fma: boolean, scaled: boolean): number[] {
  const R = TILE_R, Q = TILE_Q;
  const S = Array.from({ length: R * Q }, (_, i) => V0 + i);
  const X = Array.from({ length: R }, (_, i) => V0 + R * Q + i);
  const Y = Array.from({ length: Q }, (_, i) => V0 + R * Q + R + i);
  const rb = 8 * kp;
  const code: number[] = [];
  const emit = (...xs: number[][]) => { for (const x of xs) code.push(...x); };
  emit(i32(0), set(I));
  emit([BLOCK, VOID, LOOP, VOID]);
  emit(get(I), get(Mp), [GE_U, BR_IF, 1]);
  emit(i32(0), set(J));
  emit([BLOCK, VOID, LOOP, VOID]);
  emit(get(J), get(Np), [GE_U, BR_IF, 1]);
  for (const s of S) emit(v128Zero(), set(s));
  emit(get(A), get(I), i32(rb), [MUL, ADD], set(PA));
  emit(get(PA), i32(rb), [ADD], set(END_A));
  emit(get(B), get(J), i32(rb), [MUL, ADD], set(PB));
  emit([BLOCK, VOID, LOOP, VOID]);
  emit(get(PA), get(END_A), [GE_U, BR_IF, 1]);
  // B's rows loaded first, A's streamed: each row of A is loaded just before its Q multiply–adds
  for (let q = 0; q < Q; q++) emit(get(PB), v128Load(q * rb), set(Y[q]!));
  for (let r = 0; r < R; r++) {
    emit(get(PA), v128Load(r * rb), set(X[r]!));
    for (let q = 0; q < Q; q++) {
      const s = S[r * Q + q]!;
      if (fma) emit(get(X[r]!), get(Y[q]!), get(s), f64x2RelaxedMadd, set(s));
      else emit(get(s), get(X[r]!), get(Y[q]!), f64x2Mul, f64x2Add, set(s));
    }
  }
  emit(get(PA), i32(16), [ADD], set(PA));
  emit(get(PB), i32(16), [ADD], set(PB));
  emit([BR, 0, END, END]);
  emit(get(C), get(I), get(LDC), [MUL], get(J), [ADD], i32(3), [SHL, ADD], set(CP));
  // the scaled epilogue multiplies each entry by S at the same place (the activation
  // derivative of the backward pass, folded into the product's store)
  if (scaled) emit(get(S_), get(I), get(LDC), [MUL], get(J), [ADD], i32(3), [SHL, ADD], set(SP));
  for (let r = 0; r < R; r++) for (let q = 0; q < Q; q++) {
    const s = S[r * Q + q]!;
    emit(get(CP), get(LDC), i32(8 * r), [MUL, ADD]);
    emit(get(s), lane(0), get(s), lane(1), [F64_ADD]);
    if (scaled) emit(get(SP), get(LDC), i32(8 * r), [MUL, ADD], [F64_LOAD, 3, ...uleb(8 * q)], [F64_MUL]);
    emit([F64_STORE, 3, ...uleb(8 * q)]);
  }
  emit(get(J), i32(Q), [ADD], set(J));
  emit([BR, 0, END, END]);
  emit(get(I), i32(R), [ADD], set(I));
  emit([BR, 0, END, END]);
  const locals = [2, ...uleb(V0 - LDC - 1), 0x7f, ...uleb(R * Q + R + Q), 0x7b];
  const body = [...locals, ...code, END];
  return [...uleb(body.length), ...body];
}

/** A module with the kernel for row length kp, importing the shared memory as e.m. */
function moduleBytes(kp: number, fma: boolean, scaled = false): Uint8Array {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 7, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 0x01]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('g'), 0x00, 0]),
    ...section(10, [1, ...kernelBody(kp, fma, scaled)]),
  ];
  return Uint8Array.from(bytes);
}

// ---------------------------------------------------------------- the outer-product kernel

/**
 * The outer-product form C (+)= AᵀB for A given K × M and B given K × N, both with rows along
 * the summation index k at runtime strides (lda, ldb bytes): C_{ji} = Σ_k A_{kj} B_{ki}. The
 * weight gradient δᵀH of a layer in this form reads δ (T × n_out) and H (T × n_in) as they
 * are stored — no transposing pack. Each R × 2Q block of C keeps R·Q f64x2 accumulators
 * (R rows j, Q vectors of i): per k, Q vector loads of B's row, R splat loads of A's, R·Q
 * multiply–adds, and no horizontal sums at the end. Params (i32): mp (a multiple of R), np (of
 * 2Q), K, a, b, c (byte addresses; C is mp × np row-major), lda, ldb (row strides in bytes),
 * acc (nonzero: C += …). On 2048-row batches: 1.8–3.4× the transposing route (pack δᵀ and
 * Hᵀ, product, bias sum in JavaScript) at n_in, n_out ≤ 64, about equal at 256 × 256.
 */
function outerBody(fma: boolean, R: number, Q: number): number[] {
  const [MP, NP, KK, A_, B_, C_, LDA, LDB, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [I_, J_, PA_, PB_, END_, CP_] = [9, 10, 11, 12, 13, 14];
  const V = 15;
  const S = Array.from({ length: R * Q }, (_, i) => V + i), Y = Array.from({ length: Q }, (_, i) => V + R * Q + i), X = V + R * Q + Q;
  const code: number[] = [];
  const emit = (...xs: number[][]) => { for (const x of xs) code.push(...x); };
  const splat = (off: number): number[] => [SIMD, 0x0a, 3, ...uleb(off)];
  emit(i32(0), set(J_));
  emit([BLOCK, VOID, LOOP, VOID]);
  emit(get(J_), get(MP), [GE_U, BR_IF, 1]);
  emit(i32(0), set(I_));
  emit([BLOCK, VOID, LOOP, VOID]);
  emit(get(I_), get(NP), [GE_U, BR_IF, 1]);
  for (const s of S) emit(v128Zero(), set(s));
  emit(get(A_), get(J_), i32(3), [SHL, ADD], set(PA_));
  emit(get(B_), get(I_), i32(3), [SHL, ADD], set(PB_));
  emit(get(PA_), get(KK), get(LDA), [MUL, ADD], set(END_));
  emit([BLOCK, VOID, LOOP, VOID]);
  emit(get(PA_), get(END_), [GE_U, BR_IF, 1]);
  for (let q = 0; q < Q; q++) emit(get(PB_), v128Load(16 * q), set(Y[q]!));
  for (let r = 0; r < R; r++) {
    emit(get(PA_), splat(8 * r), set(X));
    for (let q = 0; q < Q; q++) {
      const s = S[r * Q + q]!;
      if (fma) emit(get(X), get(Y[q]!), get(s), f64x2RelaxedMadd, set(s));
      else emit(get(s), get(X), get(Y[q]!), f64x2Mul, f64x2Add, set(s));
    }
  }
  emit(get(PA_), get(LDA), [ADD], set(PA_));
  emit(get(PB_), get(LDB), [ADD], set(PB_));
  emit([BR, 0, END, END]);
  emit(get(C_), get(J_), get(NP), [MUL], get(I_), [ADD], i32(3), [SHL, ADD], set(CP_));
  for (let r = 0; r < R; r++) for (let q = 0; q < Q; q++) {
    const s = S[r * Q + q]!;
    // address cp + r·np·8, offset 16q; with acc the stored block is added first
    emit(get(CP_), get(NP), i32(8 * r), [MUL, ADD]);
    emit(get(ACC), [0x04, 0x7b], get(s), get(CP_), get(NP), i32(8 * r), [MUL, ADD], v128Load(16 * q), f64x2Add, [0x05], get(s), [0x0b]);
    emit(v128Store(16 * q));
  }
  emit(get(I_), i32(2 * Q), [ADD], set(I_));
  emit([BR, 0, END, END]);
  emit(get(J_), i32(R), [ADD], set(J_));
  emit([BR, 0, END, END]);
  const locals = [2, 6, 0x7f, ...uleb(R * Q + Q + 1), 0x7b];
  const body = [...locals, ...code, END];
  return [...uleb(body.length), ...body];
}

/** The module of the outer-product kernel (export g), importing the shared memory as e.m. */
function outerModuleBytes(fma: boolean, R: number, Q: number): Uint8Array {
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 9, ...new Array<number>(9).fill(0x7f), 0]),
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 0x01]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('g'), 0x00, 0]),
    ...section(10, [1, ...outerBody(fma, R, Q)]),
  ]);
}

// ---------------------------------------------------------------- the transposing pack

/**
 * dst_{it} = src_{ti} for t < rows, i < cols (both even), src rows `lds` bytes apart, dst rows
 * `ldd` bytes apart: 2 × 2 blocks, two loads and two shuffles per block (the transposing
 * packs of the weight gradient's product, in the kernel's memory, instead of a scalar loop in
 * JavaScript). Params (i32): src, dst, rows, cols, lds, ldd.
 */
function transposeBody(): number[] {
  const [SRC, DST, ROWS, COLS, LDS, LDD] = [0, 1, 2, 3, 4, 5];
  const [T_, PA_, PEND_, PD_] = [6, 7, 8, 9];
  const [XA, XB] = [10, 11];
  const shuffle = (lanes: number[]): number[] => [SIMD, 0x0d, ...lanes];
  const lo = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23], hi = lo.map((l) => l + 8);
  const code: number[] = [];
  const emit = (...xs: number[][]) => { for (const x of xs) code.push(...x); };
  emit(i32(0), set(T_));
  emit([BLOCK, VOID, LOOP, VOID]);
  emit(get(T_), get(ROWS), [GE_U, BR_IF, 1]);
  emit(get(SRC), get(T_), get(LDS), [MUL, ADD], set(PA_));
  emit(get(PA_), get(COLS), i32(3), [SHL, ADD], set(PEND_));
  emit(get(DST), get(T_), i32(3), [SHL, ADD], set(PD_));
  emit([BLOCK, VOID, LOOP, VOID]);
  emit(get(PA_), get(PEND_), [GE_U, BR_IF, 1]);
  emit(get(PA_), v128Load(0), set(XA));
  emit(get(PA_), get(LDS), [ADD], v128Load(0), set(XB));
  emit(get(PD_), get(XA), get(XB), shuffle(lo), v128Store(0));
  emit(get(PD_), get(LDD), [ADD], get(XA), get(XB), shuffle(hi), v128Store(0));
  emit(get(PA_), i32(16), [ADD], set(PA_));
  emit(get(PD_), get(LDD), i32(1), [SHL, ADD], set(PD_));
  emit([BR, 0, END, END]);
  emit(get(T_), i32(2), [ADD], set(T_));
  emit([BR, 0, END, END]);
  const locals = [2, 4, 0x7f, 2, 0x7b];
  const body = [...locals, ...code, END];
  return [...uleb(body.length), ...body];
}

function transposeModuleBytes(): Uint8Array {
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 6, ...new Array<number>(6).fill(0x7f), 0]),
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 0x01]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('t'), 0x00, 0]),
    ...section(10, [1, ...transposeBody()]),
  ]);
}

// ---------------------------------------------------------------- elementwise activations

/** A v128 constant of two equal doubles. */
const f64x2Const = (v: number): number[] => [SIMD, 0x0c, ...Array.from(new Uint8Array(new Float64Array([v, v]).buffer))];
const i64x2Const = (hi: number, lo: number): number[] => {
  const b = new Uint8Array(16), d = new DataView(b.buffer);
  for (const o of [0, 8]) { d.setUint32(o, lo, true); d.setUint32(o + 4, hi, true); }
  return [SIMD, 0x0c, ...Array.from(b)];
};
const op = (code: number): number[] => [SIMD, ...uleb(code)];
const F2 = {
  abs: op(0xec), neg: op(0xed), add: op(0xf0), sub: op(0xf1), mul: op(0xf2), div: op(0xf3), min: op(0xf4),
  floor: op(0x75), pmin: op(0xf6), ge: op(0x4c), and: op(0x4e), or: op(0x50), bitselect: op(0x52), i64shl: op(0xcb), i64add: op(0xce),
};
const v128Store = (off = 0): number[] => [SIMD, 0x0b, 3, ...uleb(off)];
const TEE = 0x22;
const tee = (i: number): number[] => [TEE, ...uleb(i)];

/**
 * v128 constants held in locals from `base` on, set once before the loop (V8 rebuilds an
 * inline `v128.const` at each use; a local stays in a register or a stack slot).
 */
class ConstPool {
  private readonly consts: number[][] = [];
  private readonly index = new Map<string, number>();
  constructor(private readonly base: number) {}
  private take(bytes: number[]): number[] {
    const key = bytes.join(',');
    let i = this.index.get(key);
    if (i === undefined) { i = this.base + this.consts.length; this.consts.push(bytes); this.index.set(key, i); }
    return get(i);
  }
  f(v: number): number[] { return this.take(f64x2Const(v)); }
  i(hi: number, lo: number): number[] { return this.take(i64x2Const(hi, lo)); }
  get count(): number { return this.consts.length; }
  prologue(): number[] { return this.consts.flatMap((c, k) => [...c, ...set(this.base + k)]); }
}

// the natural logarithm of 2 split so that n·LN2_HI is exact for |n| < 2^11 (fdlibm's split)
const LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10;
// 1.5·2^52: adding it rounds a double of magnitude < 2^51 to the nearest integer, which then
// sits in the low bits of the sum's representation
const SHIFTER = 6755399441055744;

/**
 * Emits, for each v128 local `w[u]` (both lanes in [−1000, 0]; e^w − 1 needs w ≥ −700), code
 * setting the local `out[u]` to e^w − 1 (`minusOne`) or e^w, using the v128 locals `t[u]`
 * (5 of them) as scratch:
 *
 * $$w = n\ln 2 + r,\ |r| \le \tfrac{\ln 2}{2},\qquad e^w - 1 = 2^n p(r) + (2^n - 1),\qquad
 *   p(r) = \sum_{j=1}^{13} r^j/j!,$$
 *
 * n = round(w/ln 2) by the shifter, r by the Cody–Waite two-part ln 2, 2^n built in the
 * exponent bits (n + 1023) ≪ 52. The Taylor tail beyond degree 13 is below 5·10⁻¹⁸ of p on
 * |r| ≤ 0.347, so each lane is within a few ulp of e^w − 1 (relative; for n = 0 it is p(r)
 * itself, so small |w| keeps full relative accuracy) — the form tanh needs.
 */
function emitExp(w: readonly number[], t: readonly (readonly number[])[], minusOne: boolean, K: ConstPool, out: readonly number[], fma: boolean): number[] {
  // every statement is emitted once per vector u of the unrolled loop, statement by statement,
  // so that the vectors' dependency chains interleave in the generated code
  const U = w.length;
  const code: number[] = [];
  const each = (f: (u: number) => number[][]) => { for (let u = 0; u < U; u++) for (const x of f(u)) code.push(...x); };
  const k = (u: number) => t[u]![0]!, n = (u: number) => t[u]![1]!, r = (u: number) => t[u]![2]!, s = (u: number) => t[u]![3]!, s2 = (u: number) => t[u]![4]!;
  const pow2 = (from: number, to: number) => [get(from), i32(52), F2.i64shl, K.i(0x3ff00000, 0), F2.i64add, set(to)];
  each((u) => [get(w[u]!), K.f(Math.LOG2E), F2.mul, K.f(SHIFTER), F2.add, set(k(u))]);
  // n = k − shifter (exact); r = (w − n·ln2_hi) − n·ln2_lo
  each((u) => [get(k(u)), K.f(SHIFTER), F2.sub, set(n(u))]);
  each((u) => [get(w[u]!), get(n(u)), K.f(LN2_HI), F2.mul, F2.sub, get(n(u)), K.f(LN2_LO), F2.mul, F2.sub, set(r(u))]);
  if (minusOne) {
    // 2^n: the low bits of k hold n; (k ≪ 52) + bits(1.0)
    each((u) => pow2(k(u), s(u)));
  } else {
    // 2^n = 2^{n₁}·2^{n₂}, n₁ = ⌊n/2⌋, n₂ = n − n₁, both normal for n ≥ −2044; the second
    // factor is applied last, so a subnormal result is rounded once and a normal one exactly
    each((u) => [get(n(u)), K.f(0.5), F2.mul, F2.floor, set(s(u))]);
    each((u) => [get(n(u)), get(s(u)), F2.sub, K.f(SHIFTER), F2.add, set(s2(u))]);
    each((u) => [get(s(u)), K.f(SHIFTER), F2.add, set(s(u))]);
    each((u) => pow2(s(u), s(u)));
    each((u) => pow2(s2(u), s2(u)));
  }
  // p = r·Σ_{j=0}^{12} r^j/(j+1)! by Estrin's scheme (powers r², r⁴, r⁸ in k, n, s2 — free now
  // in the e^w − 1 form; the e^w form keeps 2^{n₂} in s2 and uses w's local, dead by now):
  // a dependency chain of 5 multiply–adds instead of Horner's 13, so that consecutive
  // vectors overlap in the pipeline
  let fact = 1;
  const inv: number[] = [];
  for (let j = 1; j <= 13; j++) { fact *= j; inv.push(1 / fact); }
  const P = (u: number) => [r(u), k(u), n(u), minusOne ? s2(u) : w[u]!];
  each((u) => [get(P(u)[0]!), get(P(u)[0]!), F2.mul, set(P(u)[1]!)]);
  each((u) => [get(P(u)[1]!), get(P(u)[1]!), F2.mul, set(P(u)[2]!)]);
  each((u) => [get(P(u)[2]!), get(P(u)[2]!), F2.mul, set(P(u)[3]!)]);
  const estrin = (u: number, cs: number[], lvl: number, into: number[][]): void => {
    if (cs.length === 1) { into.push(K.f(cs[0]!)); return; }
    const half = 1 << lvl;
    if (cs.length <= half) { estrin(u, cs, lvl - 1, into); return; }
    if (fma) {
      // hi·P + lo in one fused multiply–add (relaxed SIMD; 12–15% faster maps)
      estrin(u, cs.slice(half), lvl - 1, into);
      into.push(get(P(u)[lvl]!));
      estrin(u, cs.slice(0, half), lvl - 1, into);
      into.push(f64x2RelaxedMadd);
      return;
    }
    estrin(u, cs.slice(0, half), lvl - 1, into);
    estrin(u, cs.slice(half), lvl - 1, into);
    into.push(get(P(u)[lvl]!), F2.mul, F2.add);
  };
  each((u) => { const into: number[][] = []; estrin(u, inv, 3, into); into.push(get(r(u)), F2.mul, set(r(u))); return into; });
  // e^w − 1 = 2^n·p + (2^n − 1);  e^w = (2^{n₁}·p + 2^{n₁})·2^{n₂}
  each((u) => {
    const c: number[][] = [get(s(u)), get(r(u)), F2.mul, get(s(u))];
    if (minusOne) c.push(K.f(1), F2.sub);
    c.push(F2.add);
    if (!minusOne) c.push(get(s2(u)), F2.mul);
    c.push(set(out[u]!));
    return c;
  });
  return code;
}

/** The elementwise maps, in the order of the module's exports m0, m1, …. */
export type SimdMap = 'tanh' | 'swish';
const MAPS: readonly SimdMap[] = ['tanh', 'swish'];

/**
 * The body of an elementwise map dst[i] = f(src[i]) over `bytes` bytes (a multiple of 16),
 * two doubles at a time. Params 0 src, 1 dst, 2 bytes; i32 local 3 (offset); v128 locals
 * 4 (x), 5 (w), 6 (a), 7–11 scratch, 12… the constants.
 *
 * - tanh x = sign(x)·(−u/(2 + u)) with u = e^{−2|x|} − 1 ∈ (−1, 0] (no cancellation at small
 *   |x|: u ≈ −2|x| with full relative accuracy); |x| is capped at 20, where tanh = 1 in double.
 * - swish z = z·s(z), s(z) = 1/(1 + e) for z ≥ 0 and e/(1 + e) below, e = e^{−|z|} (|z| capped
 *   at 1000, where e = 0 in double).
 */
/** Vectors (f64x2) per iteration of the elementwise loops, their dependency chains interleaved. */
const MAP_UNROLL = 2;

function mapBody(map: SimdMap, withBias: boolean, fma: boolean): number[] {
  // params src, dst, bytes (and bias, rowBytes, ds with a bias); then the i32 locals P (offset)
  // and Q (column offset within a row, with a bias); then per vector u 8 v128 locals
  const [SRC, DST, BYTES, BIAS, ROW, DS] = [0, 1, 2, 3, 4, 5];
  const base = withBias ? 6 : 3;
  const [P, Qc] = [base, base + 1];
  const vb = base + (withBias ? 2 : 1);
  const U = MAP_UNROLL, us = Array.from({ length: U }, (_, u) => u);
  const X0 = us.map((u) => vb + 8 * u), W = us.map((u) => vb + 8 * u + 1), Aa = us.map((u) => vb + 8 * u + 2);
  const T = us.map((u) => [3, 4, 5, 6, 7].map((i) => vb + 8 * u + i));
  const K = new ConstPool(vb + 8 * U);
  const code: number[] = [];
  const emit = (...xs: number[][]) => { for (const x of xs) code.push(...x); };
  const each = (f: (u: number) => number[][]) => { for (const u of us) emit(...f(u)); };
  emit(i32(0), set(P));
  if (withBias) emit(i32(0), set(Qc));
  emit([BLOCK, VOID, LOOP, VOID]);
  emit(get(P), get(BYTES), [GE_U, BR_IF, 1]);
  if (withBias) {
    // z = src + bias[column] (rows of rowBytes bytes, a multiple of 16U), written back to src,
    // then mapped; the column offset Q runs 0, 16U, …, rowBytes − 16U and wraps (no division)
    each((u) => [get(SRC), get(P), [ADD], v128Load(16 * u), get(BIAS), get(Qc), [ADD], v128Load(16 * u), F2.add, set(X0[u]!)]);
    each((u) => [get(SRC), get(P), [ADD], get(X0[u]!), v128Store(16 * u)]);
    emit(get(Qc), i32(16 * U), [ADD], tee(Qc), i32(0), get(Qc), get(ROW), [NE, SELECT], set(Qc));
  } else {
    each((u) => [get(SRC), get(P), [ADD], v128Load(16 * u), set(X0[u]!)]);
  }
  if (map === 'tanh') {
    each((u) => [get(X0[u]!), F2.abs, K.f(20), F2.pmin, K.f(-2), F2.mul, set(W[u]!)]);
    emit(emitExp(W, T, true, K, Aa, fma));
    // t = −u/(2 + u), then the sign of x
    each((u) => [get(Aa[u]!), F2.neg, get(Aa[u]!), K.f(2), F2.add, F2.div, F2.abs, get(X0[u]!), K.i(0x80000000, 0), F2.and, F2.or, set(Aa[u]!)]);
    each((u) => [get(DST), get(P), [ADD], get(Aa[u]!), v128Store(16 * u)]);
    // σ′ = 1 − t² beside t (what the scalar route computes from the stored h)
    if (withBias) each((u) => [get(DS), get(P), [ADD], K.f(1), get(Aa[u]!), get(Aa[u]!), F2.mul, F2.sub, v128Store(16 * u)]);
  } else {
    each((u) => [get(X0[u]!), F2.abs, K.f(1000), F2.pmin, F2.neg, set(W[u]!)]);
    emit(emitExp(W, T, false, K, Aa, fma)); // e
    // num = z ≥ 0 ? 1 : e;  s = num/(1 + e);  h = z·s
    each((u) => [K.f(1), get(Aa[u]!), get(X0[u]!), K.f(0), F2.ge, F2.bitselect, get(Aa[u]!), K.f(1), F2.add, F2.div, set(Aa[u]!)]);
    each((u) => [get(DST), get(P), [ADD], get(Aa[u]!), get(X0[u]!), F2.mul, v128Store(16 * u)]);
    // σ′ = s(1 + z(1 − s)) beside h = z·s
    if (withBias) each((u) => [get(DS), get(P), [ADD], get(Aa[u]!), K.f(1), get(X0[u]!), K.f(1), get(Aa[u]!), F2.sub, F2.mul, F2.add, F2.mul, v128Store(16 * u)]);
  }
  emit(get(P), i32(16 * U), [ADD], set(P));
  emit([BR, 0, END, END]);
  const locals = [2, withBias ? 2 : 1, 0x7f, ...uleb(8 * U + K.count), 0x7b];
  const body = [...locals, ...K.prologue(), ...code, END];
  return [...uleb(body.length), ...body];
}

/**
 * A module with the elementwise maps, importing the shared memory as e.m: exports m0, m1, …
 * (src, dst, bytes) in the order of MAPS, then b0, b1, … (src, dst, bytes, bias, rowBytes),
 * which first add a bias row to every row of src (writing z back) and then map.
 */
function mapModuleBytes(fma: boolean): Uint8Array {
  const n = MAPS.length;
  const exports: number[] = [2 * n];
  MAPS.forEach((_, i) => exports.push(...str(`m${i}`), 0x00, i));
  MAPS.forEach((_, i) => exports.push(...str(`b${i}`), 0x00, n + i));
  const bodies: number[] = [2 * n];
  for (const m of MAPS) bodies.push(...mapBody(m, false, fma));
  for (const m of MAPS) bodies.push(...mapBody(m, true, fma));
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [2, 0x60, 3, 0x7f, 0x7f, 0x7f, 0, 0x60, 6, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 0x01]),
    ...section(3, [2 * n, ...MAPS.map(() => 0), ...MAPS.map(() => 1)]),
    ...section(7, exports),
    ...section(10, bodies),
  ];
  return Uint8Array.from(bytes);
}

// ---------------------------------------------------------------- the instance

/** The part of the WebAssembly API used here (the project's `lib` setting does not declare it). */
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const WASM = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

type Gemm = (mp: number, np: number, a: number, b: number, c: number, s: number, ldc: number) => void;

type MapFn = (src: number, dst: number, bytes: number) => void;
type TransposeFn = (src: number, dst: number, rows: number, cols: number, lds: number, ldd: number) => void;
type OuterFn = (mp: number, np: number, K: number, a: number, b: number, c: number, lda: number, ldb: number, acc: number) => void;
type BiasMapFn = (src: number, dst: number, bytes: number, bias: number, rowBytes: number, ds: number) => void;

interface Kernels {
  readonly memory: WasmMemory;
  readonly byKp: Map<number, Gemm>;
  /** Whether relaxed SIMD's fused multiply–add compiles here. */
  readonly fmaAvailable: boolean;
  maps?: Record<SimdMap, MapFn>;
  outer?: Map<boolean, OuterFn>;
  transpose?: TransposeFn | null;
  biasMaps?: Record<SimdMap, BiasMapFn>;
}

let kernels: Kernels | null | undefined;

/** The shared memory and the kernel cache, or null where WebAssembly SIMD is unavailable. */
function getKernels(): Kernels | null {
  if (kernels !== undefined) return kernels;
  try {
    if (WASM === undefined || !WASM.validate(moduleBytes(2, false))) return (kernels = null);
    kernels = { memory: new WASM.Memory({ initial: 1 }), byKp: new Map(), fmaAvailable: relaxedSimd() };
  } catch {
    kernels = null;
  }
  return kernels;
}

/**
 * True when relaxed SIMD (f64x2.relaxed_madd) compiles. Node 20's V8 (11.3) has it behind
 * `--experimental-wasm-relaxed-simd` (on by default from V8 11.4, Node 22): unless the
 * environment sets `PGTRUTH_WASM_FMA=0`, that flag is switched on here, once, before the
 * kernels are compiled — it only adds WebAssembly instructions and changes nothing else.
 */
function relaxedSimd(): boolean {
  if (process.env['PGTRUTH_WASM_FMA'] === '0') return false;
  const bytes = moduleBytes(2, true);
  try {
    if (WASM!.validate(bytes)) return true;
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    return WASM!.validate(bytes);
  } catch {
    return false;
  }
}

let fmaOn = true;

/**
 * Turns the fused multiply–add kernel on or off (where it is available; it is on by
 * default); returns the previous setting. The fused kernel rounds each product–sum once
 * instead of twice, so its results differ from the unfused one in the last bits.
 */
export function useFma(on: boolean): boolean {
  const was = fmaOn;
  fmaOn = on;
  return was;
}

/** True when products run with the fused multiply–add kernel. */
export function fmaActive(): boolean {
  const k = getKernels();
  return k !== null && k.fmaAvailable && fmaOn;
}

/**
 * The kernel for row length kp (compiled once per kp and kind: an MLP has a handful); `scaled`:
 * the variant whose store multiplies each entry of C by S at the same place (param s).
 */
function kernelFor(ks: Kernels, kp: number, scaled = false): Gemm {
  const fma = ks.fmaAvailable && fmaOn;
  const key = 4 * kp + (fma ? 2 : 0) + (scaled ? 1 : 0);
  let g = ks.byKp.get(key);
  if (!g) {
    const inst = new WASM!.Instance(new WASM!.Module(moduleBytes(kp, fma, scaled)), { e: { m: ks.memory } });
    g = inst.exports['g'] as Gemm;
    ks.byKp.set(key, g);
  }
  return g;
}

/**
 * The bytes of B's rows one call of the row-product kernel walks while it sweeps all of A: B
 * is taken in panels of rows that stay in the L2 cache (512 KB a core on the Zen 3 measured),
 * instead of the whole of B streamed again for every block of A's rows. 256 KB: 2048×256×256
 * 12.9 → 11.8–12.0 ms, δW with σ′ 13.8 → 12.5–13.2 ms (same machine, alternating processes;
 * 128 KB and 512 KB in between, 32–64 KB no better than none; the kernel alone peaks at
 * 25.6 GFLOP/s there, measured with register-only chains).
 */
const B_PANEL_BYTES = 262144;

/**
 * C (mp × np, at cAt) = A·Bᵀ (A mp × kp at aAt, B np × kp at bAt; element offsets), with S at
 * sAt for the scaled kernel: the kernel called once per panel of B's rows.
 */
function runKernel(g: Gemm, kp: number, mp: number, np: number, aAt: number, bAt: number, cAt: number, sAt: number): void {
  const nb = Math.max(TILE_Q, Math.floor(B_PANEL_BYTES / (8 * kp * TILE_Q)) * TILE_Q);
  for (let j0 = 0; j0 < np; j0 += nb) g(mp, Math.min(nb, np - j0), (aAt + 0) * 8, (bAt + j0 * kp) * 8, (cAt + j0) * 8, (sAt + j0) * 8, np);
}

/** True when the SIMD kernel compiles on this engine. */
export function simdAvailable(): boolean {
  return getKernels() !== null;
}

let view = new Float64Array(0);

/**
 * `C (+)= A·Bᵀ` like `gemmNT`, through the SIMD kernel: the blocks are copied into the
 * kernel's memory with zero padding (M to even, N to a multiple of 4, K to even) and C is
 * copied (or added) back. Returns false, doing nothing, when the kernel is unavailable or its
 * memory cannot grow to hold the operands (the caller then runs the scalar loop).
 */
export function simdGemmNT(
  M: number, N: number, K: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  c: Float64Array, cOff: number, ldc: number,
  accumulate: boolean,
): boolean {
  return simdGemm(false, false, M, N, K, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
}

/**
 * `C (+)= op(A)·op(B)ᵀ` through the SIMD kernel, where op(A) is A (M × K, rows along k) or,
 * when `transA`, Aᵀ for A given K × M (and likewise B: N × K, or K × N when `transB`). A
 * transposed operand is transposed while it is packed (one pass instead of a transpose and a
 * copy). So `transA = transB = true` gives the weight gradient δᵀH of a layer straight from
 * the T × n_out and T × n_in row-major batches, and `transB` alone gives δW from W as stored.
 * The packed row length Kp is K rounded up to even, plus 8 when 8·Kp is a multiple of 4096
 * bytes (a precaution: rows that far apart share L1 cache sets; on δᵀH at 256×256×2048 an
 * A/B of the pad showed no difference beyond the loaded machine's noise). Returns false as
 * {@link simdGemmNT} does.
 *
 * With `scale` (M × N, leading dimension N) the product is multiplied entrywise by it as it
 * is stored, C (+)= (op(A)·op(B)ᵀ) ⊙ S, one rounding more per entry: the backward pass's
 * δ_{l−1} = (δ_l W_l) ⊙ σ′(z_{l−1}) in the product's epilogue instead of a second pass.
 */
export function simdGemm(
  transA: boolean, transB: boolean,
  M: number, N: number, K: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  c: Float64Array, cOff: number, ldc: number,
  accumulate: boolean,
  scale: Float64Array | null = null,
): boolean {
  const k = getKernels();
  if (!k) return false;
  let kp = (K + 1) & ~1;
  if (kp % 512 === 0) kp += 8;
  const mp = Math.ceil(M / TILE_R) * TILE_R, np = Math.ceil(N / NP_ALIGN) * NP_ALIGN;
  const aAt = 0, bAt = mp * kp, cAt = bAt + np * kp, sAt = cAt + mp * np, tmpAt = sAt + (scale ? mp * np : 0);
  const tmpLen = Math.max(transA ? K * M : 0, transB ? K * N : 0), total = tmpAt + tmpLen;
  // beyond what the engine lets a wasm memory hold (4 GB), the scalar loop takes the product
  if (!reserve(k, total * 8)) return false;
  const m = view;
  if (transA) packT(k, M, K, a, aOff, lda, m, aAt, mp, kp, tmpAt); else pack(M, K, a, aOff, lda, m, aAt, mp, kp);
  if (transB) packT(k, N, K, b, bOff, ldb, m, bAt, np, kp, tmpAt); else pack(N, K, b, bOff, ldb, m, bAt, np, kp);
  if (scale) pack(M, N, scale, 0, N, m, sAt, mp, np);
  runKernel(kernelFor(k, kp, scale !== null), kp, mp, np, aAt, bAt, cAt, sAt);
  if (!accumulate && np === N && ldc === N) {
    c.set(m.subarray(cAt, cAt + M * N), cOff); // one copy of the whole block
    return true;
  }
  for (let i = 0; i < M; i++) {
    const src = cAt + i * np, dst = cOff + i * ldc;
    if (accumulate) for (let j = 0; j < N; j++) c[dst + j] += m[src + j]!;
    else for (let j = 0; j < N; j++) c[dst + j] = m[src + j]!;
  }
  return true;
}

/** The outer-product kernel (fused or not, as the products are), compiled once. */
function outerFor(ks: Kernels): OuterFn {
  const fma = ks.fmaAvailable && fmaOn;
  ks.outer ??= new Map();
  let g = ks.outer.get(fma);
  if (!g) {
    const inst = new WASM!.Instance(new WASM!.Module(outerModuleBytes(fma, OR, OQ)), { e: { m: ks.memory } });
    g = inst.exports['g'] as OuterFn;
    ks.outer.set(fma, g);
  }
  return g;
}

/**
 * Rows of the summation index taken per call of the outer-product kernel: A's 4-column panel
 * of OUTER_KC rows (64 lines, 4 KB) stays in the L1 cache while the block walks B.
 */
const OUTER_KC = 64;
/**
 * The outer-product kernel's block: OR rows of C (splats of A) by 2·OQ columns (OQ vectors of
 * B). 4 × (2 vectors) ran 10–15% faster than 2 × (4 vectors) and 1.6× faster than 3 × (4
 * vectors), which spills; panels of 32–64 rows beat 128–512 (same process, 256×256×2048 and
 * 64×64×2048).
 */
const OR = 4, OQ = 2;

/**
 * A layer's weight and bias gradients from its T-row batches in one product:
 * ∂W = δᵀH (n_out × n_in, written row-major at `gW[wOff …]`, as W sits in θ) and
 * ∂b = Σ_t δ_t (at `gB[bOff …]`), the bias sum taken by the same kernel as the product of δᵀ
 * with a column of ones appended to H (so it costs one more column of the product — n_in + 1
 * is padded to a multiple of 4 anyway — instead of a pass over δ). The outer-product kernel
 * reads δ (T × n_out) and H (T × n_in, row-major with leading dimensions n_out and n_in) as
 * they are stored, in panels of {@link OUTER_KC} rows; each entry's sum runs over t in that
 * order, panel after panel. Returns false, doing nothing, when the kernel is unavailable or
 * its memory cannot grow.
 */
export function simdWeightGrad(
  nOut: number, nIn: number, T: number,
  delta: Float64Array, h: Float64Array,
  gW: Float64Array, wOff: number, gB: Float64Array, bOff: number,
): boolean {
  const k = getKernels();
  if (!k) return false;
  if (nOut >= WEIGHT_GRAD_NT_MIN && nIn >= WEIGHT_GRAD_NT_MIN) return weightGradNT(k, nOut, nIn, T, delta, h, gW, wOff, gB, bOff);
  const mp = Math.ceil(nOut / OR) * OR, np = Math.ceil((nIn + 1) / (2 * OQ)) * 2 * OQ;
  // A: δ as stored (T × n_out, plus OR doubles that the splats of the last row may read past
  // n_out — into rows of C that are dropped); B: H with the column of ones, T × np; C: mp × np
  const aAt = 0, bAt = T * nOut + OR, cAt = bAt + T * np, total = cAt + mp * np;
  if (!reserve(k, total * 8)) return false;
  const m = view;
  m.set(delta.subarray(0, T * nOut), aAt);
  m.fill(0, aAt + T * nOut, bAt);
  for (let t = 0; t < T; t++) {
    const d = bAt + t * np;
    m.set(h.subarray(t * nIn, (t + 1) * nIn), d);
    m[d + nIn] = 1;
    for (let i = nIn + 1; i < np; i++) m[d + i] = 0;
  }
  const g = outerFor(k);
  for (let k0 = 0; k0 < T; k0 += OUTER_KC) {
    g(mp, np, Math.min(OUTER_KC, T - k0), (aAt + k0 * nOut) * 8, (bAt + k0 * np) * 8, cAt * 8, nOut * 8, np * 8, k0 > 0 ? 1 : 0);
  }
  if (T === 0) m.fill(0, cAt, cAt + mp * np);
  for (let j = 0; j < nOut; j++) {
    const src = cAt + j * np;
    gW.set(m.subarray(src, src + nIn), wOff + j * nIn);
    gB[bOff + j] = m[src + nIn]!;
  }
  return true;
}

/** The transposing kernel, compiled once; null where it does not compile. */
function transposeFor(ks: Kernels): TransposeFn | null {
  if (ks.transpose !== undefined) return ks.transpose;
  try {
    const inst = new WASM!.Instance(new WASM!.Module(transposeModuleBytes()), { e: { m: ks.memory } });
    ks.transpose = inst.exports['t'] as TransposeFn;
  } catch {
    ks.transpose = null;
  }
  return ks.transpose;
}

/**
 * {@link packTransposed} through the kernel's memory where the block has even sides: the
 * cols × rows block is copied contiguous to `tmpAt` (one copy when it is already contiguous)
 * and transposed there by the SIMD kernel into m at `at` (rowsP × colsP, zero-padded);
 * otherwise the scalar pack.
 */
function packT(ks: Kernels, rows: number, cols: number, x: Float64Array, off: number, ld: number, m: Float64Array, at: number, rowsP: number, colsP: number, tmpAt: number): void {
  const tr = rows % 2 === 0 && cols % 2 === 0 ? transposeFor(ks) : null;
  if (!tr) { packTransposed(rows, cols, x, off, ld, m, at, rowsP, colsP); return; }
  if (ld === rows) m.set(x.subarray(off, off + cols * rows), tmpAt);
  else for (let t = 0; t < cols; t++) m.set(x.subarray(off + t * ld, off + t * ld + rows), tmpAt + t * rows);
  tr(tmpAt * 8, at * 8, cols, rows, rows * 8, colsP * 8);
  if (colsP > cols) for (let i = 0; i < rows; i++) m.fill(0, at + i * colsP + cols, at + (i + 1) * colsP);
  if (rowsP > rows) m.fill(0, at + rows * colsP, at + rowsP * colsP);
}

/**
 * Widths from which {@link simdWeightGrad} takes δᵀH by the row-product kernel on transposed
 * packs instead of the outer-product kernel: at 256 × 256 × 2048 the first ran 15.5–16 ms
 * against 17.6–18 (the outer-product kernel's C is read and written once per panel), at
 * 64 × 64 × 2048 1.5 against 1.1 ms (same process, fused).
 */
const WEIGHT_GRAD_NT_MIN = 128;

/**
 * {@link simdWeightGrad} by the row-product kernel: δᵀ (n_out × T) and Hᵀ with a row of ones
 * (np × T) packed by the transposing kernel, C = δᵀ (Hᵀ)ᵀ, so C's column n_in is Σ_t δ_t.
 */
function weightGradNT(
  k: Kernels, nOut: number, nIn: number, T: number,
  delta: Float64Array, h: Float64Array,
  gW: Float64Array, wOff: number, gB: Float64Array, bOff: number,
): boolean {
  let kp = (T + 1) & ~1;
  if (kp % 512 === 0) kp += 8;
  const mp = Math.ceil(nOut / TILE_R) * TILE_R, np = Math.ceil((nIn + 1) / NP_ALIGN) * NP_ALIGN;
  const aAt = 0, bAt = mp * kp, cAt = bAt + np * kp, tmpAt = cAt + mp * np, total = tmpAt + T * Math.max(nOut, nIn);
  if (!reserve(k, total * 8)) return false;
  const m = view;
  packT(k, nOut, T, delta, 0, nOut, m, aAt, mp, kp, tmpAt);
  packT(k, nIn, T, h, 0, nIn, m, bAt, np, kp, tmpAt);
  m.fill(1, bAt + nIn * kp, bAt + nIn * kp + T); // the row of ones (its padding beyond T stays 0)
  runKernel(kernelFor(k, kp), kp, mp, np, aAt, bAt, cAt, 0);
  for (let j = 0; j < nOut; j++) {
    const src = cAt + j * np;
    gW.set(m.subarray(src, src + nIn), wOff + j * nIn);
    gB[bOff + j] = m[src + nIn]!;
  }
  return true;
}

/**
 * Packs the transpose of a cols × rows block of `x` (leading dimension ld) into `m` at `at`
 * as rowsP × colsP, zero-padded: m[at + i·colsP + t] = x[off + t·ld + i]. Walks 8 × 8 tiles.
 */
function packTransposed(rows: number, cols: number, x: Float64Array, off: number, ld: number, m: Float64Array, at: number, rowsP: number, colsP: number): void {
  const TILE = 8;
  for (let t0 = 0; t0 < cols; t0 += TILE) {
    const t1 = Math.min(cols, t0 + TILE);
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = Math.min(rows, i0 + TILE);
      for (let t = t0; t < t1; t++) {
        const src = off + t * ld;
        for (let i = i0; i < i1; i++) m[at + i * colsP + t] = x[src + i]!;
      }
    }
  }
  if (colsP > cols) for (let i = 0; i < rows; i++) m.fill(0, at + i * colsP + cols, at + (i + 1) * colsP);
  if (rowsP > rows) m.fill(0, at + rows * colsP, at + rowsP * colsP);
}

/** Copies rows × cols of `x` into `m` at `at` as rowsP × colsP, zero-padded. */
function pack(rows: number, cols: number, x: Float64Array, off: number, ld: number, m: Float64Array, at: number, rowsP: number, colsP: number): void {
  if (cols === colsP && ld === cols) {
    m.set(x.subarray(off, off + rows * cols), at); // contiguous rows, no padding: one copy
    if (rowsP > rows) m.fill(0, at + rows * cols, at + rowsP * cols);
    return;
  }
  for (let i = 0; i < rows; i++) {
    const s = off + i * ld, d = at + i * colsP;
    for (let j = 0; j < cols; j++) m[d + j] = x[s + j]!;
    for (let j = cols; j < colsP; j++) m[d + j] = 0;
  }
  for (let i = rows; i < rowsP; i++) m.fill(0, at + i * colsP, at + (i + 1) * colsP);
}

/** Grows the shared memory to `bytes`; false when it cannot. Refreshes the view. */
function reserve(k: Kernels, bytes: number): boolean {
  if (k.memory.buffer.byteLength < bytes) {
    if (bytes > 2 ** 32) return false;
    try { k.memory.grow(Math.ceil((bytes - k.memory.buffer.byteLength) / 65536)); } catch { return false; }
  }
  if (view.buffer !== k.memory.buffer) view = new Float64Array(k.memory.buffer);
  return true;
}

/**
 * `dst[i] = f(src[i])` for i < n through the SIMD elementwise kernel (tanh or swish, see
 * {@link mapBody} for the formulas; each value within a few ulp of `Math.tanh` resp.
 * z·logistic(z)). `src` and `dst` may be the same array. Returns false, doing nothing, when
 * the kernel is unavailable (the caller then runs its scalar loop).
 */
export function simdMap(map: SimdMap, src: Float64Array, dst: Float64Array, n: number): boolean {
  const k = getKernels();
  if (!k || !loadMaps(k)) return false;
  const np = Math.ceil(n / (2 * MAP_UNROLL)) * 2 * MAP_UNROLL;
  if (!reserve(k, 16 * np)) return false;
  const m = view;
  m.set(src.subarray(0, n), 0);
  if (np > n) m.fill(0, n, np);
  k.maps![map](0, 8 * np, 8 * np);
  dst.set(m.subarray(np, np + n), 0);
  return true;
}

/** Instantiates the elementwise module once; false when it does not compile. */
function loadMaps(k: Kernels): boolean {
  if (k.maps) return true;
  try {
    // Estrin's steps as fused multiply–adds where relaxed SIMD is available (fixed when the
    // module is compiled, once: useFma does not switch the maps)
    const inst = new WASM!.Instance(new WASM!.Module(mapModuleBytes(k.fmaAvailable && fmaOn)), { e: { m: k.memory } });
    const fns = {} as Record<SimdMap, MapFn>, bfns = {} as Record<SimdMap, BiasMapFn>;
    MAPS.forEach((m, i) => { fns[m] = inst.exports[`m${i}`] as MapFn; bfns[m] = inst.exports[`b${i}`] as BiasMapFn; });
    k.maps = fns; k.biasMaps = bfns;
    return true;
  } catch {
    return false;
  }
}

/**
 * A layer's forward pass in the kernel's memory: z = A·Bᵀ + 1 biasᵀ (A is M × K, B is N × K,
 * as {@link simdGemmNT}) and h = f(z) by the elementwise kernel, without copying z out and
 * back in between; writes z (unless null), h and σ′(z) (when `ds` is given; M × N, leading
 * dimension N). The bias is added after the
 * product, as a separate rounding, exactly as `z += b` after the product would. Returns false,
 * doing nothing, when a kernel is unavailable.
 */
export function simdGemmBiasMap(
  map: SimdMap,
  M: number, N: number, K: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  bias: Float64Array, biasOff: number,
  z: Float64Array | null, h: Float64Array,
  ds: Float64Array | null = null,
): boolean {
  const k = getKernels();
  if (!k || !loadMaps(k)) return false;
  let kp = (K + 1) & ~1;
  if (kp % 512 === 0) kp += 8;
  const mp = Math.ceil(M / TILE_R) * TILE_R, np = Math.ceil(N / NP_ALIGN) * NP_ALIGN;
  const aAt = 0, bAt = mp * kp, cAt = bAt + np * kp, biasAt = cAt + mp * np, hAt = biasAt + np, dsAt = hAt + mp * np, total = dsAt + mp * np;
  if (!reserve(k, total * 8)) return false;
  const m = view;
  pack(M, K, a, aOff, lda, m, aAt, mp, kp);
  pack(N, K, b, bOff, ldb, m, bAt, np, kp);
  runKernel(kernelFor(k, kp), kp, mp, np, aAt, bAt, cAt, 0);
  m.set(bias.subarray(biasOff, biasOff + N), biasAt);
  if (np > N) m.fill(0, biasAt + N, biasAt + np);
  k.biasMaps![map](cAt * 8, hAt * 8, mp * np * 8, biasAt * 8, np * 8, dsAt * 8);
  if (np === N) {
    if (z) z.set(m.subarray(cAt, cAt + M * N), 0);
    h.set(m.subarray(hAt, hAt + M * N), 0);
    if (ds) ds.set(m.subarray(dsAt, dsAt + M * N), 0);
    return true;
  }
  for (let i = 0; i < M; i++) {
    if (z) z.set(m.subarray(cAt + i * np, cAt + i * np + N), i * N);
    h.set(m.subarray(hAt + i * np, hAt + i * np + N), i * N);
    if (ds) ds.set(m.subarray(dsAt + i * np, dsAt + i * np + N), i * N);
  }
  return true;
}
