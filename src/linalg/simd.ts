/**
 * A WebAssembly SIMD (f64x2) kernel for `C = A·Bᵀ` on padded blocks, assembled here byte by
 * byte (no toolchain needed, nothing fetched): the one product the MLP spends its time in
 * (`./matmul.ts`). V8 compiles it to SSE2 `mulpd`/`addpd` on two doubles at a time, which
 * scalar JavaScript cannot express.
 *
 * The kernel works on packed operands in its own linear memory: A is Mp × Kp, B is Np × Kp
 * (both row-major, rows contiguous), C is Mp × Np, with Mp even, Np a multiple of 4 and Kp
 * even — {@link simdGemmNT} copies the caller's blocks in with zero padding and the result
 * out. Each 2 × 4 block of C keeps eight f64x2 accumulators (even and odd k) over the whole
 * K loop; the two lanes are added at the end. Rounding differs from the scalar kernel only
 * in that order of summation.
 *
 * @module
 */

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
const GET = 0x20, SET = 0x21, I32 = 0x41, ADD = 0x6a, MUL = 0x6c, SHL = 0x74, GE_U = 0x4f;
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, VOID = 0x40;
const F64_ADD = 0xa0, F64_STORE = 0x39;
const SIMD = 0xfd;
const v128Load = (off = 0): number[] => [SIMD, 0x00, 3, ...uleb(off)]; // align 2^3
const v128Zero = (): number[] => [SIMD, 0x0c, ...new Array<number>(16).fill(0)];
const f64x2Add = [SIMD, ...uleb(0xf0)], f64x2Mul = [SIMD, ...uleb(0xf2)];
const lane = (l: number): number[] => [SIMD, 0x21, l];
const get = (i: number): number[] => [GET, ...uleb(i)];
const set = (i: number): number[] => [SET, ...uleb(i)];
const i32 = (n: number): number[] => [I32, ...sleb(n)];

// params 0 Mp, 1 Np, 2 Kp, 3 A, 4 B, 5 C (byte addresses); i32 locals 6…; v128 locals after
const [Mp, Np, A, B, C] = [0, 1, 3, 4, 5];
const [I, J, KK, A0, A1, B0, B1, B2, B3, CP, RB] = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const S = [17, 18, 19, 20, 21, 22, 23, 24]; // s00 s01 s02 s03 s10 s11 s12 s13
const X = [25, 26], Y = [27, 28, 29, 30];

function kernelBody(): number[] {
  const code: number[] = [];
  const emit = (...xs: number[][]) => { for (const x of xs) code.push(...x); };
  emit(get(2), i32(3), [SHL], set(RB));
  emit(i32(0), set(I));
  emit([BLOCK, VOID, LOOP, VOID]);
  emit(get(I), get(Mp), [GE_U, BR_IF, 1]);
  emit(get(A), get(I), get(RB), [MUL, ADD], set(A0));
  emit(get(A0), get(RB), [ADD], set(A1));
  emit(i32(0), set(J));
  emit([BLOCK, VOID, LOOP, VOID]);
  emit(get(J), get(Np), [GE_U, BR_IF, 1]);
  emit(get(B), get(J), get(RB), [MUL, ADD], set(B0));
  emit(get(B0), get(RB), [ADD], set(B1));
  emit(get(B1), get(RB), [ADD], set(B2));
  emit(get(B2), get(RB), [ADD], set(B3));
  for (const s of S) emit(v128Zero(), set(s));
  emit(i32(0), set(KK));
  emit([BLOCK, VOID, LOOP, VOID]);
  emit(get(KK), get(RB), [GE_U, BR_IF, 1]);
  emit(get(A0), get(KK), [ADD], v128Load(), set(X[0]!));
  emit(get(A1), get(KK), [ADD], v128Load(), set(X[1]!));
  [B0, B1, B2, B3].forEach((b, q) => emit(get(b), get(KK), [ADD], v128Load(), set(Y[q]!)));
  for (let r = 0; r < 2; r++) for (let q = 0; q < 4; q++) {
    const s = S[r * 4 + q]!;
    emit(get(s), get(X[r]!), get(Y[q]!), f64x2Mul, f64x2Add, set(s));
  }
  emit(get(KK), i32(16), [ADD], set(KK));
  emit([BR, 0, END, END]);
  // C[i, j…j+3] and C[i+1, j…j+3]
  emit(get(C), get(I), get(Np), [MUL], get(J), [ADD], i32(3), [SHL, ADD], set(CP));
  for (let r = 0; r < 2; r++) for (let q = 0; q < 4; q++) {
    const s = S[r * 4 + q]!;
    if (r === 0) emit(get(CP)); else emit(get(CP), get(Np), i32(3), [SHL, ADD]);
    emit(get(s), lane(0), get(s), lane(1), [F64_ADD], [F64_STORE, 3, ...uleb(8 * q)]);
  }
  emit(get(J), i32(4), [ADD], set(J));
  emit([BR, 0, END, END]);
  emit(get(I), i32(2), [ADD], set(I));
  emit([BR, 0, END, END]);
  const locals = [2, ...uleb(11), 0x7f, ...uleb(14), 0x7b];
  const body = [...locals, ...code, END];
  return [...uleb(body.length), ...body];
}

function moduleBytes(): Uint8Array {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 6, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [2, ...str('g'), 0x00, 0, ...str('m'), 0x02, 0]),
    ...section(10, [1, ...kernelBody()]),
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
}
const WASM = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

interface Kernel {
  readonly gemm: (mp: number, np: number, kp: number, a: number, b: number, c: number) => void;
  readonly memory: WasmMemory;
}

let kernel: Kernel | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is unavailable. */
function getKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const bytes = moduleBytes();
    if (WASM === undefined || !WASM.validate(bytes)) return (kernel = null);
    const inst = new WASM.Instance(new WASM.Module(bytes), {});
    kernel = { gemm: inst.exports['g'] as Kernel['gemm'], memory: inst.exports['m'] as WasmMemory };
  } catch {
    kernel = null;
  }
  return kernel;
}

/** True when the SIMD kernel compiled on this engine. */
export function simdAvailable(): boolean {
  return getKernel() !== null;
}

let view = new Float64Array(0);

/**
 * `C (+)= A·Bᵀ` like `gemmNT`, through the SIMD kernel: the blocks are copied into the
 * kernel's memory with zero padding (M to even, N to a multiple of 4, K to even) and C is
 * copied (or added) back. Returns false, doing nothing, when the kernel is unavailable.
 */
export function simdGemmNT(
  M: number, N: number, K: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  c: Float64Array, cOff: number, ldc: number,
  accumulate: boolean,
): boolean {
  const k = getKernel();
  if (!k) return false;
  const mp = (M + 1) & ~1, np = (N + 3) & ~3, kp = (K + 1) & ~1;
  const aAt = 0, bAt = mp * kp, cAt = bAt + np * kp, total = cAt + mp * np;
  const need = total * 8;
  if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
  if (view.buffer !== k.memory.buffer) view = new Float64Array(k.memory.buffer);
  const m = view;
  pack(M, K, a, aOff, lda, m, aAt, mp, kp);
  pack(N, K, b, bOff, ldb, m, bAt, np, kp);
  k.gemm(mp, np, kp, aAt * 8, bAt * 8, cAt * 8);
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
