/**
 * The solver dispatch of exact policy evaluation: solves `M V = r_π` and `Mᵀ η = p0` for
 * `M = I − γP_π` on the non-terminal states, choosing the method by size and sparsity.
 *
 * `auto` chooses:
 * - **dense LU without pivoting** for n ≤ {@link SMALL_DENSE} (stable because M is
 *   row diagonally dominant; see `solveSmall`) — at that size any cleverness costs more
 *   than it saves;
 * - for a dense pattern (nnz > n²/10) up to {@link DENSE_LIMIT} unknowns, **GMRES on the
 *   dense matrix** with a budget of matrix-vector products, falling back to dense LU when
 *   the budget (or the projected convergence) says it will not converge in time. Dense
 *   random chains mix in a few steps, so GMRES needs about a dozen products against LU's
 *   (2/3)n³ — see {@link gmresDense} for why;
 * - otherwise, up to {@link SPARSE_DIRECT_LIMIT} unknowns, the **sparse LU without
 *   pivoting** ({@link factorSparseLU}): M is a row diagonally dominant M-matrix, so
 *   elimination in the nested-dissection order is stable without pivoting (the argument is
 *   in that module). Its analysis depends only on the MDP and is cached in the
 *   {@link SystemPlan}; it is used when its predicted work and memory are acceptable;
 * - else (and for `iterative`) BiCGSTAB with a D-ILU preconditioner applied by Eisenstat's
 *   trick ({@link bicgstabEisenstat}) on level-scheduled copies of M and Mᵀ, V on this
 *   thread and η on a worker thread for large n ({@link solveBothEisenstat}); the
 *   ILU(0)-preconditioned BiCG pair ({@link bicgPair}) as a fallback.
 *
 * Every answer is verified, or exact by construction with a stability argument (the small
 * path). Iterative answers are accepted on their true relative residual
 * ‖b − Mx‖₂/‖b‖₂; direct answers on the normwise backward error
 * ‖b − Mx‖∞ / (‖M‖∞‖x‖∞ + ‖b‖∞) (Rigal & Gaches 1967), which a backward-stable
 * factorization keeps at the level of rounding; a direct answer above
 * {@link BACKWARD_ERROR_LIMIT} gets one step of iterative refinement and throws
 * `SOLVER_SINGULAR` if that does not fix it. Non-finite results throw as well.
 *
 * @module
 */
import { fail } from '../errors.js';
import { luFactorInPlace, luFactorNoPivotInPlace, luSolveInto, luSolveNoPivotInto, luSolveTransposeInto, luSolveTransposeNoPivotInto } from '../linalg/dense.js';
import { denseMatVec, denseMatVecTranspose, gmresDense } from '../linalg/gmres.js';
import { bicgPair, bicgstab, spmvTranspose } from '../linalg/iterative.js';
import { bicgstabEisenstat, dilu } from '../linalg/eisenstat.js';
import { gatherValues, levelOrder, permutePattern, transposePattern, type PermutedPattern } from '../linalg/levels.js';
import { sharedF64, sharedI32, solveBothEisenstat } from '../linalg/parallel.js';
import { spmv, type CSR } from '../linalg/sparse.js';
import { analyzeSparseLU, factorSparseLU, solveSparseLU, solveSparseLUTranspose, type SparseLUFactor, type SparseLUSymbolic } from '../linalg/sparse-lu.js';
import type { FiniteMDP } from '../mdp/model.js';
import type { EvaluateOptions, SolveReport } from './types.js';
import { accurateResidualEta, accurateResidualV, refine, REFINE_HORIZON, REFUSE_HORIZON } from './refine.js';
import { systemCSR, systemDense, systemValues, type SystemPlan } from './system.js';

/** `auto` uses dense LU up to this many unknowns. */
export const SMALL_DENSE = 128;
/** The largest system `auto` solves with a dense matrix. */
export const DENSE_LIMIT = 2000;
/** The largest system `auto` considers for the sparse LU. */
export const SPARSE_DIRECT_LIMIT = 300_000;
/** The sparse LU is used only if its analysis predicts at most this many flops… */
export const SPARSE_DIRECT_MAX_FLOPS = 4e9;
/** …and at most this many stored factor entries (8 bytes each). */
export const SPARSE_DIRECT_MAX_ENTRIES = 1.5e8;
/** Relative residual GMRES must reach on the dense path (forward error ≲ κ(M)·1e-13, κ∞(M) ≤ (1+γ)/(1−γ)). */
export const DENSE_GMRES_TOL = 1e-13;
/** A direct solve whose normwise backward error exceeds this is refined once, then rejected. */
export const BACKWARD_ERROR_LIMIT = 1e-11;

const EPS = 2.220446049250313e-16;

/** The two solutions on the unknowns and how they were obtained. */
export interface PairSolution {
  readonly vN: Float64Array;
  readonly etaN: Float64Array;
  /** V's low part on the unknowns (V = vN + vLo in double-double), when refined (./refine.ts). */
  readonly vLo?: Float64Array;
  readonly report: SolveReport;
}

/**
 * Solves both systems for the policy table `pi` (see the module comment for the choice).
 * `vOut` and `etaOut` (length n), when given, may receive the solutions (the dense path
 * writes them there; check the returned arrays).
 */
export function solvePair(mdp: FiniteMDP, plan: SystemPlan, pi: Float64Array, opts: EvaluateOptions, vOut?: Float64Array, etaOut?: Float64Array): PairSolution {
  const n = plan.n;
  if (n === 0) return { vN: new Float64Array(0), etaN: new Float64Array(0), report: { method: 'dense-lu', size: 0, iterations: [], residual: 0 } };
  const choice = opts.solver ?? 'auto';
  // γ so close to 1 that rounding in M alone costs more than 1e-6 of accuracy: only the
  // refined small path (./refine.ts) answers
  if (mdp.gamma < 1 && 1 / (1 - mdp.gamma) > REFUSE_HORIZON && !(choice === 'auto' && n <= SMALL_DENSE)) {
    fail('SOLVER_ILL_CONDITIONED', `gamma = ${mdp.gamma}: 1/(1−γ) = ${(1 / (1 - mdp.gamma)).toExponential(2)} amplifies double rounding to a relative error of about ${(EPS / (1 - mdp.gamma)).toExponential(1)} in V, and refinement is only available for up to ${SMALL_DENSE} non-terminal states with the auto solver (this system has ${n}); use γ ≤ 1 − 2.2e-10, or the exact rational mode (--rational)`, { where: 'gamma', value: mdp.gamma });
  }
  if (choice === 'dense') return solveDense(mdp, plan, pi, opts, false, vOut, etaOut);
  if (choice === 'auto') {
    if (n <= SMALL_DENSE) return solveSmall(mdp, plan, pi, opts, vOut, etaOut);
    if (n <= DENSE_LIMIT && plan.nnz > (n * n) / 10) return solveDense(mdp, plan, pi, opts, true);
  }
  const val = new Float64Array(plan.nnz), rN = new Float64Array(n);
  systemValues(mdp, plan, pi, val, rN);
  const M = systemCSR(plan, val);
  const p0N = plan.p0;
  if (choice === 'sparse-direct') return solveSparseDirect(plan, sparseAnalysis(plan, M), M, rN, p0N, opts);
  if (choice === 'auto' && n <= SPARSE_DIRECT_LIMIT) {
    const sym = sparseAnalysis(plan, M);
    if (sym.flops <= SPARSE_DIRECT_MAX_FLOPS && sym.factorSize <= SPARSE_DIRECT_MAX_ENTRIES) return solveSparseDirect(plan, sym, M, rN, p0N, opts);
    if (n <= DENSE_LIMIT) return solveDense(mdp, plan, pi, opts, true);
  }
  return solveIterative(plan, M, rN, p0N, opts);
}

/** Scratch of the dense path: M, its factors, r_π, the pivot order and two work vectors. */
interface DenseWork {
  readonly m: Float64Array;
  readonly lu: Float64Array;
  readonly r: Float64Array;
  readonly perm: Int32Array;
  readonly w: Float64Array;
  readonly z: Float64Array;
}

/** Dense scratch; kept in the plan for small n (≤ 256, at most 1 MB), where allocation is a visible cost. */
function denseWork(plan: SystemPlan): DenseWork {
  const n = plan.n;
  let d = plan.cache.get('dense-work') as DenseWork | undefined;
  if (d) return d;
  d = { m: new Float64Array(n * n), lu: new Float64Array(n * n), r: new Float64Array(n), perm: new Int32Array(n), w: new Float64Array(n), z: new Float64Array(n) };
  if (n <= 256) plan.cache.set('dense-work', d);
  return d;
}

/** Dense path: optional GMRES attempt with a budget, else (or then) LU with partial pivoting. */
function solveDense(mdp: FiniteMDP, plan: SystemPlan, pi: Float64Array, opts: EvaluateOptions, tryKrylov: boolean, vOut?: Float64Array, etaOut?: Float64Array): PairSolution {
  const n = plan.n, p0N = plan.p0;
  const d = denseWork(plan);
  const { m, lu, r: rN, perm, w, z } = d;
  systemDense(mdp, plan, pi, m, rN);
  let spentV = 0, spentEta = 0;
  if (tryKrylov) {
    // budget: about a quarter of LU's (2/3)n³ flops in 2n²-flop products, at least 24
    const budget = Math.max(24, Math.floor(n / 12));
    const tol = Math.min(opts.tol ?? 1e-12, DENSE_GMRES_TOL);
    const gv = gmresDense(m, n, rN, { tol, maxIter: budget, x0: rN });
    spentV = gv.iterations;
    if (gv.converged) {
      finiteOrFail(gv.x, 'V');
      if (opts.valuesOnly) return { vN: gv.x, etaN: new Float64Array(n), report: { method: 'gmres-dense', size: n, iterations: [gv.iterations, 0], residual: gv.residual } };
      const ge = gmresDense(m, n, p0N, { tol, maxIter: budget, x0: p0N, transpose: true });
      spentEta = ge.iterations;
      if (ge.converged) {
        finiteOrFail(ge.x, 'eta');
        return { vN: gv.x, etaN: ge.x, report: { method: 'gmres-dense', size: n, iterations: [gv.iterations, ge.iterations], residual: Math.max(gv.residual, ge.residual) } };
      }
    }
  }
  // norms for the backward error, and the singularity threshold n·ε·max|m_ij|
  let big = 0, normInf = 0;
  const colSum = z;
  colSum.fill(0);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let rs = 0;
    for (let j = 0; j < n; j++) { const v = Math.abs(m[ri + j]!); rs += v; colSum[j] += v; if (v > big) big = v; }
    if (rs > normInf) normInf = rs;
  }
  let normOne = 0;
  for (let j = 0; j < n; j++) if (colSum[j]! > normOne) normOne = colSum[j]!;
  lu.set(m);
  luFactorInPlace(lu, n, perm, n * EPS * big);
  const vN = vOut ?? new Float64Array(n);
  luSolveInto(lu, perm, n, rN, vN);
  let res = verifyDense(d, n, vN, rN, false, normInf, 'V');
  const etaN = etaOut ?? new Float64Array(n);
  if (!opts.valuesOnly) {
    luSolveTransposeInto(lu, perm, n, p0N, etaN, z);
    res = Math.max(res, verifyDense(d, n, etaN, p0N, true, normOne, 'eta'));
  }
  return { vN, etaN, report: { method: 'dense-lu', size: n, iterations: [spentV, spentEta], residual: res } };
}

/**
 * Small systems under `auto`: dense LU *without* pivoting. `M = I − γP_π` is diagonally
 * dominant by rows (see ../linalg/sparse-lu.ts), so the factorization exists and is
 * backward stable with growth factor ≤ 2 (Higham 2002, Thm 9.9): exact by construction up
 * to rounding, with no residual check needed; a pivot ≤ n·ε (|m_ij| ≤ 1 here) means a
 * singular system and throws `SOLVER_SINGULAR`. Cost (2/3)n³ + 4n² flops and no allocation
 * besides the solutions.
 */
function solveSmall(mdp: FiniteMDP, plan: SystemPlan, pi: Float64Array, opts: EvaluateOptions, vOut?: Float64Array, etaOut?: Float64Array): PairSolution {
  const n = plan.n;
  const d = denseWork(plan);
  const { m, r: rN } = d;
  systemDense(mdp, plan, pi, m, rN);
  luFactorNoPivotInPlace(m, n, n * EPS);
  const vN = vOut ?? new Float64Array(n);
  luSolveNoPivotInto(m, n, rN, vN);
  const etaN = etaOut ?? new Float64Array(n);
  if (!opts.valuesOnly) luSolveTransposeNoPivotInto(m, n, plan.p0, etaN);
  finiteOrFail(vN, 'V');
  finiteOrFail(etaN, 'eta');
  if (mdp.gamma < 1 && 1 / (1 - mdp.gamma) > REFINE_HORIZON) {
    // γ near 1: refine against residuals from the original data (./refine.ts); V keeps its
    // low part, which the advantages need (A is V's differences, far below V's last digit)
    const rv = refine(vN, (x, lo, r) => accurateResidualV(mdp, plan, pi, x, lo, r), (r, d) => luSolveNoPivotInto(m, n, r, d));
    const re = opts.valuesOnly ? { error: 0 } : refine(etaN, (x, lo, r) => accurateResidualEta(mdp, plan, pi, x, lo, r), (r, d) => luSolveTransposeNoPivotInto(m, n, r, d));
    const rel = Math.max(rv.error, re.error);
    if (!(rel <= 1e-20)) fail('SOLVER_ILL_CONDITIONED', `gamma = ${mdp.gamma}: iterative refinement did not converge (last relative correction ${rel.toExponential(1)} in ${rv.error >= re.error ? 'V' : 'η'}; 1/(1−γ) = ${(1 / (1 - mdp.gamma)).toExponential(2)}); use a smaller γ or the exact rational mode (--rational)`, { where: 'gamma', value: mdp.gamma });
    finiteOrFail(vN, 'V');
    finiteOrFail(etaN, 'eta');
    return { vN, etaN, vLo: rv.lo, report: { method: 'dense-lu', size: n, iterations: [0, 0], residual: 0 } };
  }
  return { vN, etaN, report: SMALL_REPORTS[n] ??= Object.freeze({ method: 'dense-lu', size: n, iterations: Object.freeze([0, 0]), residual: 0 }) };
}

/** The (immutable) reports of the small path, one per size. */
const SMALL_REPORTS: SolveReport[] = [];

/**
 * Accepts x on its normwise backward error (one refinement step allowed), then returns the
 * relative residual ‖b − Mx‖₂/‖b‖₂. Uses `d.w` and `d.z` as scratch.
 */
function verifyDense(d: DenseWork, n: number, x: Float64Array, b: Float64Array, transpose: boolean, normM: number, what: string): number {
  const { m, lu, perm, w, z } = d;
  let be = 0;
  for (let pass = 0; pass < 2; pass++) {
    if (transpose) denseMatVecTranspose(m, n, x, w); else denseMatVec(m, n, x, w);
    for (let i = 0; i < n; i++) w[i] = b[i]! - w[i]!;
    be = backwardError(w, x, b, normM);
    if (be <= BACKWARD_ERROR_LIMIT || pass === 1) break;
    const dx = new Float64Array(n);
    if (transpose) luSolveTransposeInto(lu, perm, n, w, dx, z); else luSolveInto(lu, perm, n, w, dx);
    for (let i = 0; i < n; i++) x[i] += dx[i]!;
  }
  finiteOrFail(x, what);
  if (!(be <= BACKWARD_ERROR_LIMIT)) rejectDirect(what, be);
  return relNorm2(w, b);
}

/** The sparse LU analysis of the plan's pattern (cached in the plan). */
function sparseAnalysis(plan: SystemPlan, M: CSR): SparseLUSymbolic {
  let sym = plan.cache.get('sparse-lu') as SparseLUSymbolic | undefined;
  if (!sym) { sym = analyzeSparseLU(M); plan.cache.set('sparse-lu', sym); }
  return sym;
}

/** Sparse direct path: one multifrontal factorization, two solves, verified. */
function solveSparseDirect(plan: SystemPlan, sym: SparseLUSymbolic, M: CSR, rN: Float64Array, p0N: Float64Array, opts: EvaluateOptions): PairSolution {
  const n = plan.n;
  const reuse = plan.cache.get('sparse-lu-factor') as SparseLUFactor | undefined;
  plan.cache.delete('sparse-lu-factor');            // in use: not reusable until we are done
  const F = factorSparseLU(sym, M, reuse ? { reuse } : {});
  const vN = solveSparseLU(F, rN);
  const etaN = opts.valuesOnly ? new Float64Array(n) : solveSparseLUTranspose(F, p0N);
  const w = new Float64Array(n);
  const normRows = csrNormInf(M);
  const check = (x: Float64Array, b: Float64Array, transpose: boolean, what: string): number => {
    let be = 0;
    for (let pass = 0; pass < 2; pass++) {
      if (transpose) spmvTranspose(M, x, w); else spmv(M, x, w);
      for (let i = 0; i < n; i++) w[i] = b[i]! - w[i]!;
      be = backwardError(w, x, b, transpose ? csrNormOne(M) : normRows);
      if (be <= BACKWARD_ERROR_LIMIT) break;
      if (pass === 0) { const dx = transpose ? solveSparseLUTranspose(F, w) : solveSparseLU(F, w); for (let i = 0; i < n; i++) x[i] += dx[i]!; }
    }
    finiteOrFail(x, what);
    if (!(be <= BACKWARD_ERROR_LIMIT)) rejectDirect(what, be);
    return relNorm2(w, b);
  };
  const res = Math.max(check(vN, rN, false, 'V'), opts.valuesOnly ? 0 : check(etaN, p0N, true, 'eta'));
  plan.cache.set('sparse-lu-factor', F);
  return { vN, etaN, report: { method: 'sparse-lu', size: n, iterations: [0, 0], residual: res } };
}

/** The level-ordered copies of M and Mᵀ that the Eisenstat path works on (cached in the plan). */
interface LevelWork {
  readonly perm: Int32Array;
  readonly pM: PermutedPattern;
  readonly pMT: PermutedPattern;
  /** Value arrays, reused from call to call (Mᵀ's in shared memory, for the worker). */
  readonly valM: Float64Array;
  readonly valMT: Float64Array;
}

/** Use the second thread for η from this many unknowns on (below, the hand-off costs more than it saves). */
export const PARALLEL_MIN = 50_000;

function levelWork(plan: SystemPlan, M: CSR): LevelWork {
  let w = plan.cache.get('levels') as LevelWork | undefined;
  if (!w) {
    const { perm } = levelOrder(M);
    const pM = permutePattern(M, perm);
    const t = transposePattern(pM, plan.n);
    const shared = plan.n >= PARALLEL_MIN;
    const pMT = shared ? { rowPtr: sharedI32(t.rowPtr.length, t.rowPtr), col: sharedI32(t.col.length, t.col), map: t.map } : t;
    w = { perm, pM, pMT, valM: new Float64Array(pM.map.length), valMT: shared ? sharedF64(t.map.length) : new Float64Array(t.map.length) };
    plan.cache.set('levels', w);
  }
  return w;
}

/**
 * Iterative path. First D-ILU/Eisenstat BiCGSTAB ({@link bicgstabEisenstat}) on the
 * level-ordered M and Mᵀ (./levels.ts: same preconditioner, faster sweeps), V on this
 * thread and η on a worker thread for large n ({@link solveBothEisenstat}); if D-ILU breaks
 * down or that does not converge, the ILU(0)-preconditioned BiCG pair ({@link bicgPair}),
 * which throws `SOLVER_NOT_CONVERGED` if it fails too. Answers are accepted on their true
 * relative residual.
 */
function solveIterative(plan: SystemPlan, M: CSR, rN: Float64Array, p0N: Float64Array, opts: EvaluateOptions): PairSolution {
  const n = M.nRows;
  const tol = opts.tol ?? 1e-12;
  const lw = levelWork(plan, M);
  const { perm } = lw;
  const B: CSR = { nRows: n, nCols: n, rowPtr: lw.pM.rowPtr, col: lw.pM.col, val: gatherValues(lw.pM, M.val, lw.valM) };
  const BT: CSR = { nRows: n, nCols: n, rowPtr: lw.pMT.rowPtr, col: lw.pMT.col, val: gatherValues(lw.pMT, M.val, lw.valMT) };
  const bp = new Float64Array(n), cp = new Float64Array(n);
  for (let i = 0; i < n; i++) { bp[i] = rN[perm[i]!]!; cp[i] = p0N[perm[i]!]!; }
  const maxIter = 5000;
  let sV, sE;
  if (opts.valuesOnly) {
    const f = dilu(B);
    sV = f ? bicgstabEisenstat(f, bp, { tol, maxIter, x0: bp }) : null;
    sE = { x: new Float64Array(n), converged: true, iterations: 0, residual: 0 };
  } else {
    [sV, sE] = solveBothEisenstat({ A: B, b: bp, x0: bp }, { A: BT, b: cp, x0: cp }, { tol, maxIter, parallel: n >= PARALLEL_MIN });
  }
  if (sV && sE && sV.converged && sE.converged) {
    const vN = new Float64Array(n), etaN = new Float64Array(n);
    for (let i = 0; i < n; i++) { vN[perm[i]!] = sV.x[i]!; etaN[perm[i]!] = sE.x[i]!; }
    finiteOrFail(vN, 'V');
    finiteOrFail(etaN, 'eta');
    return { vN, etaN, report: { method: 'bicgstab-dilu', size: n, iterations: [sV.iterations, sE.iterations], residual: Math.max(sV.residual, sE.residual) } };
  }
  return solveIterativeILU(M, rN, p0N, opts);
}

/** The fallback: ILU(0)-preconditioned BiCG pair (BiCGSTAB for values only). */
function solveIterativeILU(M: CSR, rN: Float64Array, p0N: Float64Array, opts: EvaluateOptions): PairSolution {
  const n = M.nRows;
  const tol = opts.tol ?? 1e-12;
  let out: PairSolution;
  if (opts.valuesOnly) {
    const v = bicgstab(M, rN, { tol, x0: rN });
    out = { vN: v.x, etaN: new Float64Array(n), report: { method: 'bicgstab-ilu0', size: n, iterations: [v.iterations, 0], residual: v.residual } };
  } else {
    const pr = bicgPair(M, rN, p0N, { tol, x0: rN, y0: p0N });
    out = { vN: pr.x, etaN: pr.y, report: { method: pr.method === 'bicg' ? 'bicg-ilu0' : 'bicg+bicgstab-ilu0', size: n, iterations: [pr.iterations], residual: Math.max(...pr.residuals) } };
  }
  finiteOrFail(out.vN, 'V');
  finiteOrFail(out.etaN, 'eta');
  return out;
}

function rejectDirect(what: string, be: number): never {
  return fail('SOLVER_SINGULAR', `the direct solve for ${what} has backward error ${be.toExponential(2)} even after refinement (limit ${BACKWARD_ERROR_LIMIT}): the system I − γP_π is numerically singular`, { where: what, value: be });
}

/** Throws `SOLVER_SINGULAR` at the first non-finite entry. */
export function finiteOrFail(x: Float64Array, what: string): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) fail('SOLVER_SINGULAR', `${what} is not finite at index ${i}: the system I − γP_π is (numerically) singular`, { where: `${what}[${i}]`, value: x[i] });
  }
}

/** ‖res‖∞ / (‖M‖∞‖x‖∞ + ‖b‖∞); NaN-safe (NaN compares false against any limit). */
function backwardError(res: Float64Array, x: Float64Array, b: Float64Array, normM: number): number {
  let rn = 0, xn = 0, bn = 0;
  for (let i = 0; i < res.length; i++) {
    const r = Math.abs(res[i]!), xa = Math.abs(x[i]!), ba = Math.abs(b[i]!);
    if (!(r <= rn)) rn = r;
    if (!(xa <= xn)) xn = xa;
    if (ba > bn) bn = ba;
  }
  const den = normM * xn + bn;
  return den > 0 ? rn / den : rn;
}

/** ‖res‖₂/‖b‖₂ (‖res‖₂ when b = 0), the measure iterative solvers report. */
function relNorm2(res: Float64Array, b: Float64Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < res.length; i++) { num += res[i]! * res[i]!; den += b[i]! * b[i]!; }
  return Math.sqrt(num) / (den > 0 ? Math.sqrt(den) : 1);
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) { const v = Math.abs(x[i]!); if (v > m) m = v; }
  return m;
}



function csrNormInf(M: CSR): number {
  let best = 0;
  for (let i = 0; i < M.nRows; i++) {
    let s = 0;
    for (let k = M.rowPtr[i]!; k < M.rowPtr[i + 1]!; k++) s += Math.abs(M.val[k]!);
    if (s > best) best = s;
  }
  return best;
}

function csrNormOne(M: CSR): number {
  const cs = new Float64Array(M.nCols);
  for (let k = 0; k < M.val.length; k++) cs[M.col[k]!] += Math.abs(M.val[k]!);
  return maxAbs(cs);
}
