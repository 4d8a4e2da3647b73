/**
 * The checks of derivation 5, n-step advantages and generalized advantage estimation
 * (Lehmann 2024, eqs. 14 and 19; Schulman et al. 2016): the telescoping of n-step
 * advantages into TD errors, their conditional means under the exact V^π, GAE as the
 * (1−λ)λ^{n−1} mixture of n-step advantages, and the backward recursion that
 * implementations run — exactly, on rational episodes and rational MDPs.
 *
 * The episode steps call the library's estimators (`tdErrors`, `nStepAdvantages`, `gae`
 * from `src/estimators`) on their left-hand side. Those compute in doubles; the episodes
 * are *dyadic* (γ, λ, rewards and values with power-of-two denominators, at most five
 * steps each), on which every floating-point operation the estimators perform is exact, so
 * their outputs, read bit-exactly as rationals ({@link exactDouble}), must equal the
 * independently computed exact right-hand sides with a difference of exactly zero.
 *
 * @module
 */
import { gae, nStepAdvantages, tdErrors } from '../../src/estimators/advantages.js';
import { evaluateExact } from '../../src/exact/rational.js';
import { truncatedTdSumsIn } from '../../src/exact/advantage-expectation.js';
import { allocateBatch, validateBatch, type Batch } from '../../src/sampling/batch.js';
import { Rng } from '../../src/stats/rng.js';
import { defineStep, type Instance } from '../framework/step.js';
import { exactDouble, exactDoubles, F, fdot, fpow, policyMatrix, policyReward, q, rationalCases, rowTimes, transitionRow, type Fraction, type RationalCase } from './common.js';
import { memo } from './memo.js';

/**
 * Three concatenated episodes: truncated (bootstrap from v_tp1), terminated (no bootstrap),
 * truncated — so that a carry or a window that leaks across either kind of episode end shows.
 */
interface Episodes {
  readonly gamma: Fraction;
  readonly lambda: Fraction;
  readonly r: Fraction[];
  readonly v: Fraction[];
  /** V(s_{t+1}), kept where the episode was cut. */
  readonly vNext: Fraction[];
  readonly terminated: boolean[];
  readonly truncated: boolean[];
}

const GAMMAS = ['1/2', '7/8', '1', '3/4'];
const LAMBDAS = ['0', '1/2', '15/16', '1', '3/4'];

/** Dyadic episodes: rewards k/4 and values k/8 (|k| ≤ 12), γ and λ with power-of-two denominators. */
function episodes(seed: number, count = 8): Instance<Episodes>[] {
  const rng = Rng.from(seed).split(6060);
  const dyadic = (den: number) => q(`${rng.int(25) - 12}/${den}`);
  return Array.from({ length: count }, (_, i) => {
    const r: Fraction[] = [], v: Fraction[] = [], vNext: Fraction[] = [], terminated: boolean[] = [], truncated: boolean[] = [];
    for (const end of ['truncated', 'terminated', 'truncated'] as const) {
      const T = 2 + rng.int(4);
      const values = Array.from({ length: T + 1 }, () => dyadic(8));
      for (let t = 0; t < T; t++) {
        r.push(dyadic(4)); v.push(values[t]!); vNext.push(values[t + 1]!);
        terminated.push(end === 'terminated' && t === T - 1);
        truncated.push(end === 'truncated' && t === T - 1);
      }
    }
    const gamma = q(GAMMAS[i % GAMMAS.length]!), lambda = q(LAMBDAS[i % LAMBDAS.length]!);
    return { label: `episodes#${i} n=${r.length} γ=${gamma.toFraction()} λ=${lambda.toFraction()}`, data: { gamma, lambda, r, v, vNext, terminated, truncated } };
  });
}

/**
 * The episodes as a library `Batch` with a value table: transition t sits in its own state
 * t (V[t] = v_t), its successor is state t + 1 within the episode and a fresh state holding
 * V(s_{t+1}) at the episode's end, so that `s_t[t+1] = s_tp1[t]` and the batch is valid.
 */
const asBatch = memo((e: Episodes): { batch: Batch; values: Float64Array; gamma: number; lambda: number } => {
  const n = e.r.length, ends = e.r.filter((_, t) => e.terminated[t] || e.truncated[t]).length;
  const batch = allocateBatch(n, n + ends, 1, e.gamma.valueOf());
  const values = new Float64Array(n + ends);
  let extra = n, episode = 0, start = 0;
  for (let t = 0; t < n; t++) {
    const end = e.terminated[t]! || e.truncated[t]!;
    values[t] = e.v[t]!.valueOf();
    batch.s_t[t] = t; batch.r_t[t] = e.r[t]!.valueOf(); batch.t_index[t] = t - start; batch.episode_t[t] = episode;
    batch.terminated_t[t] = e.terminated[t] ? 1 : 0; batch.truncated_t[t] = e.truncated[t] ? 1 : 0;
    if (end) { values[extra] = e.vNext[t]!.valueOf(); batch.s_tp1[t] = extra++; episode++; start = t + 1; } else batch.s_tp1[t] = t + 1;
  }
  validateBatch(batch);
  return { batch, values, gamma: e.gamma.valueOf(), lambda: e.lambda.valueOf() };
});

/** The library's GAE(γ, λ) on the episodes, read exactly. */
const libraryGae = (e: Episodes) => { const b = asBatch(e); return exactDoubles(gae(b.batch, b.values, b.gamma, b.lambda)); };

/** The library's n-step advantages Â^{(n)}_t for every (t, n) of {@link allPairs}, and its TD errors, read exactly. */
function libraryNStep(e: Episodes): Fraction[] {
  const b = asBatch(e);
  const byN = new Map([1, 2, 3, 4, 5].map((n) => [n, nStepAdvantages(b.batch, b.values, b.gamma, n)] as const));
  return [...allPairs(e).map(([t, n]) => exactDouble(byN.get(n)![t]!)), ...exactDoubles(tdErrors(b.batch, b.values, b.gamma))];
}

/** δ_t = r_t + γ (1 − terminated_t) v_tp1 − v_t. */
const deltas = (e: Episodes) => e.r.map((r, t) => r.add(e.terminated[t] ? F.zero : e.gamma.mul(e.vNext[t]!)).sub(e.v[t]!));

/** The last index of the episode that contains t. */
function episodeEnd(e: Episodes, t: number): number {
  let k = t;
  while (!e.terminated[k] && !e.truncated[k]) k++;
  return k;
}

/** Â^{(n)}_t = Σ_{k<n} γ^k r_{t+k} + γ^n V(s_{t+n}) − V(s_t), cut at the episode end (N = steps left); `bootstrapPower` shifts the bootstrap's discount. */
function nStep(e: Episodes, t: number, n: number, bootstrapPower = 0): Fraction {
  const N = episodeEnd(e, t) - t + 1, m = Math.min(n, N);
  let g = F.zero;
  for (let k = 0; k < m; k++) g = g.add(fpow(e.gamma, k).mul(e.r[t + k]!));
  const last = t + m - 1;
  const boot = m === N ? (e.terminated[last] ? F.zero : e.vNext[last]!) : e.v[t + m]!;
  return g.add(fpow(e.gamma, m + bootstrapPower).mul(boot)).sub(e.v[t]!);
}

/** Σ_{k<n} γ^k δ_{t+k}, cut at the episode end. */
function telescoped(e: Episodes, t: number, n: number): Fraction {
  const d = deltas(e), N = episodeEnd(e, t) - t + 1;
  let g = F.zero;
  for (let k = 0; k < Math.min(n, N); k++) g = g.add(fpow(e.gamma, k).mul(d[t + k]!));
  return g;
}

const allPairs = (e: Episodes) => e.r.flatMap((_, t) => [1, 2, 3, 4, 5].map((n) => [t, n] as const));

/** GAE forward: Σ_{l} (γλ)^l δ_{t+l} within the episode. */
function gaeForward(e: Episodes): Fraction[] {
  const d = deltas(e), gl = e.gamma.mul(e.lambda);
  return e.r.map((_, t) => {
    let g = F.zero;
    for (let l = 0; t + l <= episodeEnd(e, t); l++) g = g.add(fpow(gl, l).mul(d[t + l]!));
    return g;
  });
}

/** (1−λ) Σ_{n=1}^{N−1} λ^{n−1} Â^{(n)}_t + λ^{N−1} Â^{(N)}_t; `shift` = 1 gives the wrong weights (1−λ)λ^n. */
function gaeMixture(e: Episodes, shift = 0): Fraction[] {
  const one = F.one, lam = e.lambda;
  return e.r.map((_, t) => {
    const N = episodeEnd(e, t) - t + 1;
    let g = F.zero;
    for (let n = 1; n < N; n++) g = g.add(one.sub(lam).mul(fpow(lam, n - 1 + shift)).mul(nStep(e, t, n)));
    return g.add(fpow(lam, N - 1 + shift).mul(nStep(e, t, N)));
  });
}

/** The backward recursion Â_t = δ_t + γλ (1 − done_t) Â_{t+1} written out for the control, with `late` reading the done flag one step late. */
function gaeRecursion(e: Episodes, late = false): Fraction[] {
  const d = deltas(e), out: Fraction[] = new Array(d.length);
  const done = (t: number) => e.terminated[t]! || e.truncated[t]!;
  let next = F.zero;
  for (let t = d.length - 1; t >= 0; t--) {
    const cut = late ? t + 1 < d.length && done(t + 1) : done(t);
    next = d[t]!.add(cut ? F.zero : e.gamma.mul(e.lambda).mul(next));
    out[t] = next;
  }
  return out;
}

const cases = (seed: number) => rationalCases(seed + 29);
const exact = memo((c: RationalCase) => evaluateExact(c.m, c.pi));

/** E[Â^{(n)}_t | s_t = s, a_t = a] by powers of P_π, for every (s,a); `bootstrapPower` as in {@link nStep}. */
function nStepMean(c: RationalCase, n: number, bootstrapPower = 0): Fraction[] {
  const { numStates: S, numActions: A, gamma } = c.m;
  const P = policyMatrix(c.m, c.pi), rPi = policyReward(c.m, c.pi), V = exact(c).V;
  const out: Fraction[] = [];
  for (let s = 0; s < S; s++) {
    for (let a = 0; a < A; a++) {
      let x = c.m.r[s * A + a]!, dist = transitionRow(c.m, s, a);
      for (let k = 1; k < n; k++) { x = x.add(fpow(gamma, k).mul(fdot(dist, rPi))); dist = rowTimes(dist, P); }
      out.push(x.add(fpow(gamma, n + bootstrapPower).mul(fdot(dist, V))).sub(V[s]!));
    }
  }
  return out;
}

/** E[δ_{t+l} | s_t = s, a_t = a] for l = 1…3 with the values V (default: V^π from the library). */
function laterDeltas(c: RationalCase, V = exact(c).V): Fraction[] {
  const { numStates: S, numActions: A, gamma } = c.m;
  const P = policyMatrix(c.m, c.pi), rPi = policyReward(c.m, c.pi);
  const meanDelta = rPi.map((r, x) => r.add(gamma.mul(fdot(P[x]!, V))).sub(V[x]!));
  const out: Fraction[] = [];
  for (let s = 0; s < S; s++) for (let a = 0; a < A; a++) {
    let dist = transitionRow(c.m, s, a);
    for (let l = 1; l <= 3; l++) { out.push(fdot(dist, meanDelta)); dist = rowTimes(dist, P); }
  }
  return out;
}

/** r(s,a) + γ Σ_s′ P(s′|s,a) V(s′) − V(s); `discount` = false drops γ. */
function tdMean(c: RationalCase, discount = true): Fraction[] {
  const { numStates: S, numActions: A, gamma } = c.m, V = exact(c).V;
  return Array.from({ length: S * A }, (_, i) => c.m.r[i]!.add((discount ? gamma : F.one).mul(fdot(transitionRow(c.m, Math.floor(i / A), i % A), V))).sub(V[Math.floor(i / A)]!));
}

/** A critic other than V^π: V^π + (s+1)/4 − (−1)^s/3 on every state, the terminal ones included (which a correct estimator never reads). */
const wrongCritic = memo((c: RationalCase): Fraction[] => exact(c).V.map((v, s) => v.add(q(`${s + 1}/4`)).sub(q(s % 2 ? '-1/3' : '1/3'))));

/** λ of the wrong-critic step, and the horizons m = 1…4 it conditions on. */
const WRONG_LAMBDA = q('3/4'), HORIZONS = 4;

/** The library's E[Σ_{k<min(m, L)} κ^k δ_{t+k} | s, a] for m = 1…4 with the wrong critic (κ = γλ, or `kappa`), flattened by m. */
const libraryWrongCritic = (c: RationalCase, kappa = c.m.gamma.mul(WRONG_LAMBDA)) => truncatedTdSumsIn(F, c.m, c.pi, wrongCritic(c), kappa, HORIZONS).flat();

/**
 * The same expectation computed forwards: the k-step distribution of the live (non-terminal)
 * states from (s, a), ρ_1 = P(·|s,a) and ρ_{k+1} = ρ_k P_π, both with the terminal states'
 * mass removed (a piece that terminated has no later TD errors), against the mean TD error
 * of each live state under the wrong critic, Σ_{k<m} (γλ)^k ⟨ρ_k, δ̄_π⟩.
 */
function forwardWrongCritic(c: RationalCase): Fraction[] {
  const { numStates: S, numActions: A, gamma, terminal } = c.m, V = wrongCritic(c);
  const live = (x: Fraction[]) => x.map((p, t) => (terminal[t] ? F.zero : p));
  const P = policyMatrix(c.m, c.pi), rPi = policyReward(c.m, c.pi), kappa = gamma.mul(WRONG_LAMBDA);
  const meanDelta = rPi.map((r, x) => (terminal[x] ? F.zero : r.add(gamma.mul(fdot(live(P[x]!), V))).sub(V[x]!)));
  const out: Fraction[][] = Array.from({ length: HORIZONS }, () => []);
  for (let s = 0; s < S; s++) for (let a = 0; a < A; a++) {
    const row = live(transitionRow(c.m, s, a));
    let acc = c.m.r[s * A + a]!.add(gamma.mul(fdot(row, V))).sub(V[s]!), dist = row;
    for (let m = 1; m <= HORIZONS; m++) {
      out[m - 1]!.push(acc);
      acc = acc.add(fpow(kappa, m).mul(fdot(dist, meanDelta)));
      dist = live(rowTimes(dist, P));
    }
  }
  return out.flat();
}

export const gaeChecks = [
  defineStep<RationalCase>({
    key: 'gae.td-error', exact: true, implementedBy: ['evaluateExact'],
    lhsIs: 'E[δ_t | s, a] = r(s,a) + γ Σ_s′ P(s′|s,a) V^π(s′) − V^π(s) with the library\'s V^π', rhsIs: 'A^π(s,a) from the library',
    instances: cases,
    lhs: (c) => tdMean(c),
    rhs: (c) => exact(c).A,
    control: { description: 'the bootstrap not discounted', instances: (seed) => cases(seed).filter((x) => !x.data.m.undiscounted), lhs: (c) => tdMean(c, false) },
  }),
  defineStep<Episodes>({
    key: 'gae.nstep-telescoping', exact: true, implementedBy: ['nStepAdvantages', 'tdErrors'],
    lhsIs: 'the library\'s nStepAdvantages (n = 1…5) and tdErrors on dyadic episodes, read exactly', rhsIs: 'Σ_{k<n} γ^k δ_{t+k} (cut at the episode end) and δ_t, computed exactly in the check',
    instances: (seed) => episodes(seed),
    lhs: (e) => libraryNStep(e),
    rhs: (e) => [...allPairs(e).map(([t, n]) => telescoped(e, t, n)), ...deltas(e)],
    control: { description: 'the bootstrap discounted by γ^{n−1} (off by one)', instances: (seed) => episodes(seed).filter((x) => !x.data.gamma.equals(1)), lhs: (e) => [...allPairs(e).map(([t, n]) => nStep(e, t, n, -1)), ...deltas(e)] },
  }),
  defineStep<RationalCase>({
    key: 'gae.nstep-unbiased', exact: true, implementedBy: ['evaluateExact'],
    lhsIs: 'E[Â^{(n)}_t | s, a] for n = 1…4 by powers of P_π, with the library\'s V^π', rhsIs: 'A^π(s,a) from the library',
    instances: cases,
    lhs: (c) => [1, 2, 3, 4].flatMap((n) => nStepMean(c, n)),
    rhs: (c) => [1, 2, 3, 4].flatMap(() => exact(c).A),
    control: { description: 'the bootstrap discounted by γ^{n−1}', instances: (seed) => cases(seed).filter((x) => !x.data.m.undiscounted), lhs: (c) => [1, 2, 3, 4].flatMap((n) => nStepMean(c, n, -1)) },
  }),
  defineStep<RationalCase>({
    key: 'gae.later-td-errors', exact: true, implementedBy: ['evaluateExact'],
    lhsIs: 'E[δ_{t+l} | s_t = s, a_t = a] for l = 1, 2, 3 with the library\'s V^π', rhsIs: '0',
    instances: cases,
    lhs: (c) => laterDeltas(c),
    rhs: (c) => laterDeltas(c).map(() => F.zero),
    control: { description: 'a stale critic: the values of another policy β', lhs: (c) => laterDeltas(c, evaluateExact(c.m, c.beta).V), rhs: (c) => laterDeltas(c).map(() => F.zero) },
  }),
  defineStep<RationalCase>({
    key: 'gae.wrong-critic', exact: true, implementedBy: ['truncatedTdSumsIn', 'advantageExpectation'],
    lhsIs: 'the library\'s E[Â_t | s, a, m] of GAE (λ = 3/4) for m = 1…4 steps left before a cut, with a critic V ≠ V^π (non-zero on terminal states), in Fractions (the backward recursion H_m = δ̄ + γλ P̃ π H_{m−1})',
    rhsIs: 'Σ_{k<m} (γλ)^k Σ_x Pr(s_{t+k} = x, not terminated | s, a) δ̄_π(x) by forward powers of P_π, computed in the check',
    instances: cases,
    lhs: (c) => libraryWrongCritic(c),
    rhs: (c) => forwardWrongCritic(c),
    control: { description: 'the later TD errors weighted λ^k instead of (γλ)^k (mutant.gae-lambda-without-gamma): under V^π the same mean, here not', instances: (seed) => cases(seed).filter((x) => !x.data.m.undiscounted), lhs: (c) => libraryWrongCritic(c, WRONG_LAMBDA) },
  }),
  defineStep<Episodes>({
    key: 'gae.weighting', exact: true, implementedBy: ['gae'],
    lhsIs: 'the library\'s gae on dyadic episodes, read exactly', rhsIs: '(1−λ) Σ_{n<N} λ^{n−1} Â^{(n)}_t + λ^{N−1} Â^{(N)}_t with Â^{(n)}_t = Σ_{k<n} γ^k r_{t+k} + γ^n v_{t+n} − v_t computed exactly',
    instances: (seed) => episodes(seed),
    lhs: (e) => libraryGae(e),
    rhs: (e) => gaeMixture(e),
    control: { description: 'weights (1−λ)λ^n, which do not sum to 1', instances: (seed) => episodes(seed).filter((x) => !x.data.lambda.equals(1)), rhs: (e) => gaeMixture(e, 1) },
  }),
  defineStep<Episodes>({
    key: 'gae.recursion', exact: true, implementedBy: ['gae'],
    lhsIs: 'the library\'s gae (the backward recursion Â_t = δ_t + γλ(1 − done_t) Â_{t+1}) over three concatenated dyadic episodes, read exactly', rhsIs: 'Σ_l (γλ)^l δ_{t+l} within each episode, computed exactly',
    instances: (seed) => episodes(seed),
    lhs: (e) => libraryGae(e),
    rhs: (e) => gaeForward(e),
    control: { description: 'the done flag read one step late (the carry leaks across the episode boundary)', instances: (seed) => episodes(seed).filter((x) => !x.data.lambda.equals(0)), lhs: (e) => gaeRecursion(e, true) },
  }),
];

