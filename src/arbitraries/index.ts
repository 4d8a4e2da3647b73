/**
 * fast-check arbitraries for pgtruth's objects, exported for users' own property tests
 * (`import { arbitraryMDP } from 'pgtruth/arbitraries'`).
 *
 * Probability vectors are built from normalized positive integers, never from
 * `fc.double` in [0, 1] (whose draws are mostly denormal-tiny). Rewards are multiples of
 * 1/4, so they are exact in binary and in rational arithmetic.
 *
 * @module pgtruth/arbitraries
 */
import fc from 'fast-check';
import { createMDP, type FiniteMDP } from '../mdp/model.js';
import { directPolicy } from '../policy/direct.js';
import { logLinearPolicy } from '../policy/loglinear.js';
import { softmaxPolicy } from '../policy/softmax.js';
import type { Policy, PolicyKind } from '../policy/types.js';

/** Options of {@link arbitraryProbabilityVector}. */
export interface ProbabilityVectorOptions {
  /** Allow zero entries (default true). At least one entry is always positive. */
  readonly allowZeros?: boolean;
  /** Largest integer weight before normalization (default 20). */
  readonly maxWeight?: number;
}

/** Integer weights (at least one positive) for a probability vector of length n. */
export function arbitraryWeights(n: number, opts: ProbabilityVectorOptions = {}): fc.Arbitrary<number[]> {
  const min = opts.allowZeros === false ? 1 : 0;
  return fc.array(fc.integer({ min, max: opts.maxWeight ?? 20 }), { minLength: n, maxLength: n }).filter((w) => w.some((x) => x > 0));
}

/** A probability vector of length n: normalized non-negative integers. */
export function arbitraryProbabilityVector(n: number, opts: ProbabilityVectorOptions = {}): fc.Arbitrary<number[]> {
  return arbitraryWeights(n, opts).map((w) => {
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / s);
  });
}

/** The discounting regimes of {@link arbitraryMDP}. */
export type DiscountRegime = 'discounted' | 'episodic' | 'any';

/** Options of {@link arbitraryMDP}. */
export interface MDPArbitraryOptions {
  readonly minStates?: number;
  /** Default 6. */
  readonly maxStates?: number;
  readonly minActions?: number;
  /** Default 4. */
  readonly maxActions?: number;
  /**
   * `discounted`: γ ∈ {0, 1/2, 9/10, 99/100, k/20}, no terminal states (default);
   * `episodic`: γ = 1 with 1–2 terminal states and every non-terminal row giving the
   * terminal states probability ≥ 1/21, so every policy terminates; `any`: either, and
   * discounted MDPs may then have terminal states too.
   */
  readonly regime?: DiscountRegime;
  /** Allow zero transition probabilities (default true). */
  readonly allowZeros?: boolean;
}

/** The integer description behind an arbitrary MDP: every probability is `weight / total`. */
export interface MDPRecipe {
  readonly states: number;
  readonly actions: number;
  /** Integer weights `[s][a][s′]`. */
  readonly weights: number[][][];
  /** Rewards in quarters: r(s,a) = rewardQuarters[s][a] / 4. */
  readonly rewardQuarters: number[][];
  /** γ = gammaNumerator / gammaDenominator. */
  readonly gammaNumerator: number;
  readonly gammaDenominator: number;
  readonly initialWeights: number[];
  readonly terminal: number[];
}

/** An arbitrary {@link MDPRecipe}: integers only, so the same MDP can be built in floating point or exactly. */
export function arbitraryMDPRecipe(opts: MDPArbitraryOptions = {}): fc.Arbitrary<MDPRecipe> {
  const regime = opts.regime ?? 'discounted';
  return fc
    .record({
      S: fc.integer({ min: Math.max(opts.minStates ?? 1, regime === 'episodic' ? 2 : 1), max: Math.max(opts.maxStates ?? 6, 2) }),
      A: fc.integer({ min: opts.minActions ?? 1, max: opts.maxActions ?? 4 }),
      episodic: regime === 'episodic' ? fc.constant(true) : regime === 'any' ? fc.boolean() : fc.constant(false),
      gammaPick: fc.oneof(fc.constantFrom<[number, number]>([0, 1], [1, 2], [9, 10], [99, 100]), fc.integer({ min: 1, max: 19 }).map((k): [number, number] => [k, 20])),
      nTerminal: fc.integer({ min: 1, max: 2 }),
    })
    .chain(({ S, A, episodic: wantEpisodic, gammaPick, nTerminal }) => {
      const episodic = wantEpisodic && S >= 2; // one state cannot be both live and terminal
      const T = episodic ? Math.min(nTerminal, S - 1) : regime === 'any' && S > 1 ? Math.min(nTerminal - 1, S - 1) : 0;
      const live = S - T;
      const row = (s: number) =>
        s >= live
          ? fc.constant(Array.from({ length: S }, (_, t) => (t === s ? 1 : 0)))
          : arbitraryWeights(S, { allowZeros: opts.allowZeros ?? true }).chain((w) =>
              episodic
                ? // give the terminal states at least 1/21 of the mass
                  fc.integer({ min: live, max: S - 1 }).map((t) => {
                    const tot = w.reduce((a, b) => a + b, 0);
                    const out = w.slice();
                    out[t] = out[t]! + Math.ceil(tot / 20);
                    return out;
                  })
                : fc.constant(w),
            );
      return fc.record({
        states: fc.constant(S),
        actions: fc.constant(A),
        weights: fc.tuple(...Array.from({ length: S }, (_, s) => fc.tuple(...Array.from({ length: A }, () => row(s))))).map((x) => x.map((r) => r.slice())),
        rewardQuarters: fc.tuple(...Array.from({ length: S }, (_, s) => fc.tuple(...Array.from({ length: A }, () => (s >= live ? fc.constant(0) : fc.integer({ min: -40, max: 40 })))))).map((x) => x.map((r) => r.slice())),
        gammaNumerator: fc.constant(episodic ? 1 : gammaPick[0]),
        gammaDenominator: fc.constant(episodic ? 1 : gammaPick[1]),
        initialWeights: arbitraryWeights(live, { allowZeros: true }).map((w) => [...w, ...new Array<number>(T).fill(0)]),
        terminal: fc.constant(Array.from({ length: T }, (_, i) => live + i)),
      });
    });
}

/** Builds the floating-point MDP of a recipe. */
export function mdpFromRecipe(r: MDPRecipe): FiniteMDP {
  const norm = (w: number[]) => { const s = w.reduce((a, b) => a + b, 0); return w.map((x) => x / s); };
  return createMDP({
    states: r.states,
    actions: r.actions,
    transitions: r.weights.map((rows) => rows.map(norm)),
    rewards: r.rewardQuarters.map((row) => row.map((q) => q / 4)),
    gamma: r.gammaNumerator / r.gammaDenominator,
    initial: norm(r.initialWeights),
    terminal: r.terminal,
  });
}

/** The MDP JSON of a recipe with exact rational strings (`"3/7"`), for the exact mode. */
export function rationalJSONFromRecipe(r: MDPRecipe): Record<string, unknown> {
  const frac = (w: number[]) => { const s = w.reduce((a, b) => a + b, 0); return w.map((x) => `${x}/${s}`); };
  return {
    states: r.states,
    actions: r.actions,
    transitions: r.weights.map((rows) => rows.map(frac)),
    rewards: r.rewardQuarters.map((row) => row.map((q) => `${q}/4`)),
    gamma: `${r.gammaNumerator}/${r.gammaDenominator}`,
    initial: frac(r.initialWeights),
    terminal: r.terminal,
  };
}

/** A random finite MDP (see {@link MDPArbitraryOptions}). */
export function arbitraryMDP(opts: MDPArbitraryOptions = {}): fc.Arbitrary<FiniteMDP> {
  return arbitraryMDPRecipe(opts).map(mdpFromRecipe);
}

/** Logits θ ∈ [−maxMagnitude, maxMagnitude]^{S·A} in steps of 1/100 (default magnitude 3). */
export function arbitraryLogits(S: number, A: number, maxMagnitude = 3): fc.Arbitrary<Float64Array> {
  const m = Math.round(maxMagnitude * 100);
  return fc.array(fc.integer({ min: -m, max: m }), { minLength: S * A, maxLength: S * A }).map((xs) => Float64Array.from(xs, (x) => x / 100));
}

/** A direct policy table with rows from normalized integers (zeros allowed unless `allowZeros` is false). */
export function arbitraryPolicyTable(S: number, A: number, opts: ProbabilityVectorOptions = {}): fc.Arbitrary<Float64Array> {
  return fc.tuple(...Array.from({ length: S }, () => arbitraryProbabilityVector(A, opts))).map((rows) => Float64Array.from(rows.flat()));
}

/** Options of {@link arbitraryPolicy}. */
export interface PolicyArbitraryOptions {
  /** Which parameterizations to draw from (default all three). */
  readonly kinds?: readonly PolicyKind[];
  /** Largest |logit| for softmax and |θ_k| for log-linear (default 3). */
  readonly maxMagnitude?: number;
  /** Feature dimension range for log-linear (default 1–3). */
  readonly maxFeatures?: number;
  /** Direct policies: allow zero probabilities (default false, so that scores exist). */
  readonly allowZeros?: boolean;
}

/** A policy (parameterization and θ) for an MDP with S states and A actions. */
export function arbitraryPolicy(S: number, A: number, opts: PolicyArbitraryOptions = {}): fc.Arbitrary<Policy> {
  const kinds = opts.kinds ?? ['softmax', 'direct', 'loglinear'];
  const mag = opts.maxMagnitude ?? 3;
  return fc.constantFrom(...kinds).chain((kind): fc.Arbitrary<Policy> => {
    if (kind === 'softmax') return arbitraryLogits(S, A, mag).map((theta) => ({ param: softmaxPolicy(S, A), theta }));
    if (kind === 'direct') return arbitraryPolicyTable(S, A, { allowZeros: opts.allowZeros ?? false }).map((theta) => ({ param: directPolicy(S, A), theta }));
    return fc.integer({ min: 1, max: opts.maxFeatures ?? 3 }).chain((d) =>
      fc.tuple(
        fc.array(fc.integer({ min: -4, max: 4 }), { minLength: S * A * d, maxLength: S * A * d }),
        fc.array(fc.integer({ min: -Math.round(mag * 100), max: Math.round(mag * 100) }), { minLength: d, maxLength: d }),
      ).map(([phi, th]) => ({
        param: logLinearPolicy(S, A, d, Float64Array.from(phi, (x) => x / 2)),
        theta: Float64Array.from(th, (x) => x / 100),
      })),
    );
  });
}

/** An MDP together with a policy for it. */
export function arbitraryMDPAndPolicy(mdpOpts: MDPArbitraryOptions = {}, policyOpts: PolicyArbitraryOptions = {}): fc.Arbitrary<{ mdp: FiniteMDP; policy: Policy }> {
  return arbitraryMDP(mdpOpts).chain((mdp) => arbitraryPolicy(mdp.numStates, mdp.numActions, policyOpts).map((policy) => ({ mdp, policy })));
}
