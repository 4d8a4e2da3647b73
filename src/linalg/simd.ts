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
 * in that order of summation. A module is compiled per row length Kp (an MLP has a handful;
 * each compiles in about a millisecond), so that the rows of a block sit at constant
 * offsets and the inner loop advances two pointers (10–25% faster than one kernel for all
 * Kp in an in-process A/B); all modules share one imported memory.
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

// params 0 Mp, 1 Np, 2 A, 3 B, 4 C (byte addresses); i32 locals 5…; v128 locals after
const [Mp, Np, A, B, C] = [0, 1, 2, 3, 4];
const [I, J, PA, PB, END_A, CP] = [5, 6, 7, 8, 9, 10];
const S = [11, 12, 13, 14, 15, 16, 17, 18]; // s00 s01 s02 s03 s10 s11 s12 s13
const X = [19, 20], Y = [21, 22, 23, 24];

/**
 * The kernel specialized to Kp (row length in doubles): the rows of a 2 × 4 block are at
 * constant byte distances rb = 8·Kp, so every load takes its row from the memarg offset and
 * the K loop advances just two pointers.
 */
function kernelBody(kp: number): number[] {
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
  emit(get(PA), v128Load(0), set(X[0]!));
  emit(get(PA), v128Load(rb), set(X[1]!));
  for (let q = 0; q < 4; q++) emit(get(PB), v128Load(q * rb), set(Y[q]!));
  for (let r = 0; r < 2; r++) for (let q = 0; q < 4; q++) {
    const s = S[r * 4 + q]!;
    emit(get(s), get(X[r]!), get(Y[q]!), f64x2Mul, f64x2Add, set(s));
  }
  emit(get(PA), i32(16), [ADD], set(PA));
  emit(get(PB), i32(16), [ADD], set(PB));
  emit([BR, 0, END, END]);
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
  const locals = [2, ...uleb(6), 0x7f, ...uleb(14), 0x7b];
  const body = [...locals, ...code, END];
  return [...uleb(body.length), ...body];
}

/** A module with the kernel for row length kp, importing the shared memory as e.m. */
function moduleBytes(kp: number): Uint8Array {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 0x01]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('g'), 0x00, 0]),
    ...section(10, [1, ...kernelBody(kp)]),
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

type Gemm = (mp: number, np: number, a: number, b: number, c: number) => void;

interface Kernels {
  readonly memory: WasmMemory;
  readonly byKp: Map<number, Gemm>;
}

let kernels: Kernels | null | undefined;

/** The shared memory and the kernel cache, or null where WebAssembly SIMD is unavailable. */
function getKernels(): Kernels | null {
  if (kernels !== undefined) return kernels;
  try {
    if (WASM === undefined || !WASM.validate(moduleBytes(2))) return (kernels = null);
    kernels = { memory: new WASM.Memory({ initial: 1 }), byKp: new Map() };
  } catch {
    kernels = null;
  }
  return kernels;
}

/** The kernel for row length kp (compiled once per kp: an MLP has a handful). */
function kernelFor(ks: Kernels, kp: number): Gemm {
  let g = ks.byKp.get(kp);
  if (!g) {
    const inst = new WASM!.Instance(new WASM!.Module(moduleBytes(kp)), { e: { m: ks.memory } });
    g = inst.exports['g'] as Gemm;
    ks.byKp.set(kp, g);
  }
  return g;
}

/** True when the SIMD kernel compiles on this engine. */
export function simdAvailable(): boolean {
  return getKernels() !== null;
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
  const k = getKernels();
  if (!k) return false;
  const mp = (M + 1) & ~1, np = (N + 3) & ~3, kp = (K + 1) & ~1;
  const aAt = 0, bAt = mp * kp, cAt = bAt + np * kp, total = cAt + mp * np;
  const need = total * 8;
  if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
  if (view.buffer !== k.memory.buffer) view = new Float64Array(k.memory.buffer);
  const m = view;
  pack(M, K, a, aOff, lda, m, aAt, mp, kp);
  pack(N, K, b, bOff, ldb, m, bAt, np, kp);
  kernelFor(k, kp)(mp, np, aAt * 8, bAt * 8, cAt * 8);
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
