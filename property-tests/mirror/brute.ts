// An independent route to the per-state problem of the mirror-learning update for 2 and 3
// actions: golden-section search on the concave objective over the (feasible part of the)
// simplex. It shares nothing with src/mirror's solvers except the drift and ball terms.

/** The maximum of a concave f on [lo, hi] by golden-section search (value and argmax). */
export function goldenMax(f: (t: number) => number, lo: number, hi: number, iterations = 120): { t: number; value: number } {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo, b = hi;
  let c = b - g * (b - a), d = a + g * (b - a);
  let fc = f(c), fd = f(d);
  for (let i = 0; i < iterations; i++) {
    if (fc >= fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = f(c); }
    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = f(d); }
  }
  let best = { t: lo, value: f(lo) };
  for (const t of [hi, c, d, (a + b) / 2]) { const v = f(t); if (v > best.value) best = { t, value: v }; }
  return best;
}

/** The largest t in [from, to] (moving away from `from`) with g(t) ≤ 0, for g convex with g(from) ≤ 0. */
export function feasibleEnd(g: (t: number) => number, from: number, to: number): number {
  if (g(to) <= 0) return to;
  let inside = from, outside = to;
  for (let i = 0; i < 200; i++) {
    const m = (inside + outside) / 2;
    if (m === inside || m === outside) break;
    if (g(m) <= 0) inside = m; else outside = m;
  }
  return inside;
}

/** The per-state problem: objective f(x) and constraint C(x) ≤ δ (C ≡ 0 without a ball). */
export interface StateProblem {
  readonly f: (x: number[]) => number;
  readonly C?: (x: number[]) => number;
  readonly delta?: number;
  /** π(·|s), which is feasible (C(p) = 0). */
  readonly p: number[];
}

/** max f over {x ∈ Δ₂ : C(x) ≤ δ}, x = (t, 1 − t). */
export function bruteMax2(P: StateProblem): { x: number[]; value: number } {
  const at = (t: number) => [t, 1 - t];
  let lo = 0, hi = 1;
  if (P.C) {
    const g = (t: number) => P.C!(at(t)) - P.delta!;
    lo = feasibleEnd(g, P.p[0]!, 0);
    hi = feasibleEnd(g, P.p[0]!, 1);
  }
  const r = goldenMax((t) => P.f(at(t)), lo, hi);
  return { x: at(r.t), value: r.value };
}

/** max f over Δ₃ (no ball), by nested golden-section search (max over t₂ of a concave f is concave in t₁). */
export function bruteMax3(f: (x: number[]) => number): { x: number[]; value: number } {
  const inner = (t1: number) => goldenMax((t2) => f([t1, t2, Math.max(0, 1 - t1 - t2)]), 0, 1 - t1, 80);
  const outer = goldenMax((t1) => inner(t1).value, 0, 1, 80);
  const t2 = inner(outer.t).t;
  return { x: [outer.t, t2, Math.max(0, 1 - outer.t - t2)], value: outer.value };
}
