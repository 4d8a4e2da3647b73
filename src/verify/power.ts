/**
 * Power for `pgtruth check`: every check states the smallest bias it detects, relative to
 * the scale of its target, and sizes its sample so that this resolution reaches a stated
 * fraction f of the scale (default 5%, `--resolution`). A check that cannot — within the
 * time budget — is INCONCLUSIVE, a failure, printed with the sample size that would
 * resolve it. So an estimator that ignores its batch can never pass: either the check
 * resolves the target itself (and rejects the estimator's zero mean), or it is inconclusive.
 *
 * Resolution. The decision is the studentized maximum over the d tested coordinates with a
 * Šidák correction at level α (../stats/tests.ts): coordinate k is rejected when
 * |x̄_k − μ_k| / se_k > c, c = t_{n−1}^{-1}(1 − α_d/2), α_d = 1 − (1 − α)^{1/d}. A bias b_k in
 * coordinate k alone is detected with probability ≥ 0.9 when |b_k| ≥ (c + z_{0.9}) se_k
 * (z_{0.9} = Φ^{-1}(0.9); the other tail adds a little more). A tested coordinate may be a
 * multiple w_k of the quantity the user reads (the advantage kind tests per-(s,a) residual
 * *sums* per episode: w_k = n(s,a), the expected visits of (s,a) per episode), so the
 * resolution of coordinate k in the estimator's own units is (c + z_{0.9}) se_k / w_k, and
 * relative to the target's scale σ_k (‖∇J‖₂, max|A^π|, max|Q^π|, the KL):
 *
 * $$\text{res}_k = \frac{(c + z_{0.9})\,\mathrm{se}_k}{w_k\,\sigma_k},\qquad \text{res} = \max_{k\in\mathcal S}\text{res}_k,$$
 *
 * over the coordinates 𝒮 the statement covers (every coordinate, or for the advantage kind
 * the (s,a) visited at least {@link STATED_VISIT_FRACTION} as often as the most visited one).
 *
 * Sizing (a two-stage design after Stein 1945, "A two-sample test for a linear hypothesis
 * whose power is independent of the variance", Ann. Math. Statist. 16). A pilot of
 * {@link PILOT_BATCHES} batches on its own random stream estimates the
 * per-batch spread sd_k (raised to an upper confidence bound that grows with the kurtosis,
 * {@link spreads}) and the time per batch; the main run (a fresh stream: the pilot's
 * data never enter the test, so α is exactly the stated one) takes
 * K = max_k ⌈((c + z_{0.9}) sd_k / (m f w_k σ_k))²⌉ batches, m = {@link SIZING_MARGIN} (room for
 * the pilot's error in sd), at least the user's minimum. When the checks of one claim need
 * more time than the budget, the budget is shared by water-filling: every check gets its
 * need or an equal time share, whichever is smaller (never below the user's minimum); a
 * check whose need alone exceeds the budget gets its minimum (it is inconclusive unless it
 * rejects). A pilot that already shows a bias beyond doubt shortens the main run to what
 * rejecting it takes ({@link batchesToReject}).
 *
 * @module
 */
import { normalUpperQuantile } from '../stats/distributions.js';
import { MeanCovariance, summarize } from '../stats/summary.js';
import { DETECTION_POWER, meanTest, sidak, tCritical } from '../stats/tests.js';
import type { BatchEstimates } from '../sampling/map.js';
import type { Check } from './claim.js';

/** The default resolution: a check must detect a bias of 5% of its target's scale. */
export const DEFAULT_RESOLUTION = 0.05;
/** The default time budget (seconds) of the main runs of one estimator's checks of one claim. */
export const DEFAULT_BUDGET_SECONDS = 120;
/** Batches of the pilot run that sizes each check. */
export const PILOT_BATCHES = 200;
/** The main run is sized for m·f, so that the pilot's error in the spread rarely leaves a correct estimator just short of f. */
export const SIZING_MARGIN = 0.8;
/** For the advantage kind the resolution is stated for pairs visited at least this fraction as often as the most visited pair. */
export const STATED_VISIT_FRACTION = 0.1;
/** No check is sized beyond this many batches. */
export const MAX_BATCHES = 2_000_000;

/** How a check's tested coordinates are read against the target's scale. */
export interface Scaling {
  /** The scale's name per coordinate (`‖∇J‖₂`, `max|A^π|`, …). */
  readonly name: (k: number) => string;
  /** σ_k: the target's scale for coordinate k. */
  readonly scale: ArrayLike<number>;
  /** w_k: tested units per unit of the estimator's own quantity (1, or visits per episode). */
  readonly weight: ArrayLike<number>;
  /** Coordinates the resolution is stated for. */
  readonly stated: ArrayLike<boolean>;
  /** The name of coordinate k in the estimator's own terms (`∇J[s=2, a=1]`, `Â(s=3, a=0)`). */
  readonly coordinate: (k: number) => string;
}

/** The factor c + z_{0.9} of a Šidák max test over `live` coordinates with n samples at level α. */
export function detectionFactor(alpha: number, live: number, n: number): number {
  return tCritical(sidak(alpha, Math.max(1, live)), Math.max(2, n) - 1) + normalUpperQuantile(1 - DETECTION_POWER);
}

/** res = max over stated coordinates of factor·se_k/(w_k σ_k), and the coordinate that attains it. */
export function relativeResolution(se: ArrayLike<number>, factor: number, sc: Scaling): { value: number; coordinate: number } {
  let value = 0, coordinate = -1;
  for (let k = 0; k < se.length; k++) {
    if (!sc.stated[k]) continue;
    const den = sc.weight[k]! * sc.scale[k]!;
    const r = den > 0 ? (factor * se[k]!) / den : se[k]! > 0 ? Infinity : 0;
    if (r > value || coordinate < 0) { value = r; coordinate = k; }
  }
  return { value, coordinate };
}

/** Batches for which the resolution reaches m·f given per-batch spreads sd_k (a standard deviation per coordinate); uncapped (Infinity for an infinite spread). */
export function batchesFor(sd: ArrayLike<number>, alpha: number, sc: Scaling, f: number, margin = SIZING_MARGIN): number {
  let live = 0;
  for (let k = 0; k < sd.length; k++) if (sd[k]! > 0) live++;
  // res(K) = factor(K)·r₁/√K with r₁ the resolution per unit factor at K = 1; the factor
  // depends on K only through t's degrees of freedom: a fixed point, then the last step up
  const r1 = relativeResolution(sd, 1, sc).value, goal = margin * f;
  if (!Number.isFinite(r1)) return Infinity;
  const res = (K: number) => (detectionFactor(alpha, live, K) * r1) / Math.sqrt(K);
  let K = 30;
  for (let it = 0; it < 6; it++) K = Math.max(30, Math.ceil(((detectionFactor(alpha, live, K) * r1) / goal) ** 2));
  while (res(K) > goal) K++;
  return K;
}

/**
 * Shares a time budget between checks (water-filling): check i wants `want[i]` batches at
 * `seconds[i]` each and must have at least `min[i]`; if all wants fit, all get them, else
 * each gets min(want, a common time level L) with L set so the total is the budget.
 */
export function allocate(want: readonly number[], min: readonly number[], seconds: readonly number[], budget: number, cap = MAX_BATCHES): number[] {
  // a check that could not reach its resolution even with the whole budget gets its minimum:
  // it will be inconclusive unless it rejects, and a rejection needs no resolution
  const need = want.map((w, i) => Math.max(w * seconds[i]! > budget ? 0 : Math.min(w, cap), min[i]!));
  const cost = need.map((k, i) => k * seconds[i]!);
  if (cost.reduce((a, b) => a + b, 0) <= budget) return need;
  const floor = min.map((k, i) => k * seconds[i]!);
  const total = (L: number) => cost.reduce((acc, c, i) => acc + Math.max(floor[i]!, Math.min(c, L)), 0);
  let lo = 0, hi = Math.max(...cost);
  for (let it = 0; it < 60; it++) { const mid = 0.5 * (lo + hi); if (total(mid) > budget) hi = mid; else lo = mid; }
  return need.map((k, i) => Math.max(min[i]!, Math.min(k, Math.floor(Math.max(floor[i]!, Math.min(cost[i]!, lo)) / seconds[i]!))));
}

/**
 * Batches that reject a bias the pilot has already shown beyond doubt: when some coordinate
 * of the pilot deviates by more than twice the test's threshold (z > 2c; for a correct
 * estimator a chance below 1e-20), the main run needs only enough batches to reject half
 * that deviation at power 0.9, K = ⌈((c + z_{0.9}) sd_k / (|δ_k|/2))²⌉ — a failing check then
 * fails without the resolution (a rejection needs none). Infinity otherwise. The main run
 * is still independent of the pilot, so α is unchanged.
 */
export function batchesToReject(pilot: MeanCovariance, target: ArrayLike<number>, alpha: number): number {
  const se = pilot.standardErrors(), n = pilot.count;
  let live = 0;
  for (let k = 0; k < pilot.dim; k++) if (se[k]! > 0) live++;
  const factor = detectionFactor(alpha, live, n), c = tCritical(sidak(alpha, Math.max(1, live)), n - 1);
  let best = Infinity;
  for (let k = 0; k < pilot.dim; k++) {
    const dev = Math.abs(pilot.mean[k]! - target[k]!);
    if (!(se[k]! > 0) || dev / se[k]! <= 2 * c) continue;
    best = Math.min(best, Math.ceil(((factor * se[k]! * Math.sqrt(n)) / (dev / 2)) ** 2));
  }
  return Math.max(30, best);
}

/**
 * Per-coordinate standard deviations of per-batch estimates (row-major K×d), each raised to
 * an upper confidence bound that accounts for the pilot's own error: the sample variance s²
 * of n draws has variance ≈ σ⁴(κ − 1)/n (κ the kurtosis, estimated from the same draws), so
 * s²·(1 + 2√((κ − 1)/n)) bounds σ² at about two standard errors. Heavy-tailed coordinates
 * (rare large residuals, whose spread a short pilot underestimates) get the larger margin.
 */
export function spreads(values: Float64Array, dim: number): Float64Array {
  const acc = summarize(values, dim, false);
  const n = acc.count, v = acc.variances(), m4 = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) { const x = values[i * dim + k]! - acc.mean[k]!; m4[k] = m4[k]! + (x * x * x * x) / n; }
  return v.map((x, k) => {
    if (!(x > 0)) return 0;
    const kurtosis = m4[k]! / (x * x);
    return Math.sqrt(x * (1 + 2 * Math.sqrt(Math.max(0, kurtosis - 1) / n)));
  });
}

/** What {@link sizedDecision} needs besides the estimates. */
export interface SizedOptions {
  readonly alpha: number;
  /** The resolution required, as a fraction of the scale. */
  readonly fraction: number;
  readonly scaling: Scaling;
  /** The target in tested units (to check that the check would reject an estimator of mean zero); absent: no such guard (another claim of the same estimator has it). */
  readonly targetTested?: ArrayLike<number>;
  /** One batch in words (`batch of 64 episodes`) and how many of the user's samples it holds. */
  readonly unit: string;
  readonly samplesPerBatch: number;
  readonly sampleName: string;
  readonly transitions?: number;
  /**
   * An absolute margin: deviations within it count as 0 (an equivalence margin, for a target
   * known only up to a small stated term, e.g. the O(1/batch) term of per-batch advantage
   * normalization). The note states it.
   */
  readonly margin?: number;
}

/**
 * Decides E[estimate] = target from batch estimates, and states the resolution: a check
 * that cannot resolve `fraction` of the scale at a stated coordinate, or that could not
 * even tell the target from zero, is failed as inconclusive, with the sample size that
 * would resolve it.
 */
export function sizedDecision(instance: string, acc: MeanCovariance, target: ArrayLike<number>, o: SizedOptions): Check & { worstIndex: number } {
  const dim = acc.dim;
  let big = 1;
  for (let k = 0; k < dim; k++) big = Math.max(big, Math.abs(target[k]!), Math.abs(acc.mean[k]!));
  const t = meanTest(acc, target, o.alpha, { method: 'max', ...(o.margin ? { zeroVarianceTolerance: Math.max(1e-9, o.margin / big) } : {}) });
  const se = acc.standardErrors();
  let live = 0;
  for (let k = 0; k < dim; k++) if (se[k]! > 0) live++;
  const factor = detectionFactor(o.alpha, live, acc.count);
  const res0 = relativeResolution(se, factor, o.scaling);
  // a margin adds to the smallest detectable bias
  const res = o.margin && res0.coordinate >= 0 ? { ...res0, value: res0.value + o.margin / (o.scaling.weight[res0.coordinate]! * o.scaling.scale[res0.coordinate]!) } : res0;
  // would a zero-mean estimator (one that ignores its batch) be rejected at power 0.9?
  let nullResolved = o.targetTested === undefined;
  const tt = o.targetTested ?? [];
  for (let k = 0; k < tt.length; k++) if (Math.abs(tt[k]!) >= factor * se[k]! && (se[k]! > 0 || tt[k] !== 0)) nullResolved = true;
  const resolves = res.value <= o.fraction && nullResolved;
  const sc = o.scaling, kc = res.coordinate;
  const scaleName = kc >= 0 ? sc.name(kc) : sc.name(0);
  const scaleValue = kc >= 0 ? sc.scale[kc]! : sc.scale[0]!;
  const pct = (x: number) => (x < 1e4 ? `${(100 * x).toFixed(1)}%` : `${(100 * x).toExponential(1)}%`);
  const n = acc.count;
  let inconclusive: Check['inconclusive'];
  const marginShare = res.value - res0.value;
  const neededSamples = () => (o.fraction > marginShare ? batchesFor(se.map((x) => x * Math.sqrt(n)), o.alpha, sc, o.fraction - marginShare, 1) * o.samplesPerBatch : Infinity);
  if (!resolves && t.passed) inconclusive = { needed: neededSamples(), unit: o.sampleName };
  const resText = `resolution ${pct(res.value)} of ${scaleName}${kc >= 0 ? ` (weakest at ${sc.coordinate(kc)})` : ''}, power ${DETECTION_POWER}`;
  const note = `${n} ${o.unit}${o.transitions ? `, ${o.transitions} transitions` : ''}; ${t.test}${o.margin ? `, deviations within a margin of ${o.margin.toExponential(2)} count as 0` : ''}; ${resText}` +
    (!resolves ? `; inconclusive: cannot resolve a bias of ${pct(o.fraction)} of ${scaleName}${nullResolved ? '' : ' (nor tell the target from 0)'} — about ${fmtCount(neededSamples())} ${o.sampleName} would (raise --budget, or --samples)` : '');
  return {
    instance, passed: t.passed && resolves, discrepancy: t.statistic, tolerance: t.threshold, worstIndex: t.worstIndex,
    ...(inconclusive ? { inconclusive } : {}),
    stats: {
      effect: t.effect, standardError: t.standardError, samples: n, falseAlarmRate: t.falseAlarmRate,
      minDetectable: res.value * scaleValue, statistic: t.statistic, threshold: t.threshold, test: t.test,
      relativeTo: { name: scaleName, value: scaleValue }, resolution: res.value, requiredResolution: o.fraction, power: DETECTION_POWER,
      ...(kc >= 0 ? { resolutionAt: sc.coordinate(kc) } : {}),
    },
    note,
  };
}

/** A count in a compact form (12 800, 1.2e+07). */
export function fmtCount(n: number): string {
  if (!Number.isFinite(n)) return 'no finite number of';
  return n < 1e7 ? String(Math.ceil(n)) : n.toExponential(1);
}

/** One check to size: its pilot and main runs (on different random streams) and how to read it. */
export interface SizedItem {
  readonly pilot: () => Promise<BatchEstimates>;
  readonly main: (batches: number) => Promise<BatchEstimates>;
  readonly scaling: Scaling;
  readonly target: ArrayLike<number>;
  readonly minBatches: number;
}

/**
 * Pilots every item, shares the budget (seconds) and runs the main runs: the generic form
 * of the sizing in the module comment, for claims that decide their estimates themselves.
 */
export async function sizeAndRun(items: readonly SizedItem[], fraction: number, budget: number, alpha: number): Promise<{ est: BatchEstimates; batches: number }[]> {
  const want: number[] = [], seconds: number[] = [];
  for (const it of items) {
    const t0 = performance.now();
    const est = await it.pilot();
    seconds.push((performance.now() - t0) / 1000 / est.batches);
    want.push(Math.min(batchesToReject(summarize(est.values, est.dim, false), it.target, alpha), batchesFor(spreads(est.values, est.dim), alpha, it.scaling, fraction)));
  }
  const K = allocate(want, items.map((it) => it.minBatches), seconds, budget);
  const out: { est: BatchEstimates; batches: number }[] = [];
  for (const [i, it] of items.entries()) out.push({ est: await it.main(K[i]!), batches: K[i]! });
  return out;
}
