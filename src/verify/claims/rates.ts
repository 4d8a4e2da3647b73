/**
 * The published convergence rates of exact policy-gradient methods, measured on exact
 * learning curves (`src/algorithms/exact-pg.ts`; issue 11, item 4), each with a negative
 * control:
 *
 * - Mei, Xiao, Szepesvári & Schuurmans 2020 ("On the global convergence rates of softmax
 *   policy gradient methods"), Theorem 2 and its bandit example: softmax PG with step 2/5 on
 *   r = (1, 0.9, 0.1) from the uniform policy — the published sub-optimality sequence, t·gap →
 *   1.67, and the bound (π* − π_t)ᵀr ≤ 5/(c² t);
 * - Agarwal, Kakade, Lee & Mahajan 2021 ("On the theory of policy gradient methods"),
 *   Theorem 16: NPG from θ₀ = 0 satisfies V*(ρ) − V_T(ρ) ≤ log|A|/(ηT) + 1/((1−γ)²T).
 *
 * @module
 */
import { exactPGCurve, type ExactPGOptions } from '../../algorithms/exact-pg.js';
import type { Curve } from '../../algorithms/curve.js';
import { LIBRARY } from '../../mdp/library/index.js';
import { createMDP, withChanges, type FiniteMDP } from '../../mdp/model.js';
import { decide, type Check, type Claim } from '../claim.js';

// ─── Mei et al. 2020: softmax PG on a bandit ───────────────────────────────────────

/** A K-armed bandit as a one-state MDP with γ = 0: J(θ) = π_θᵀ r. */
export function banditMDP(r: readonly number[]): FiniteMDP {
  return createMDP({ states: 1, actions: r.length, transitions: [r.map(() => [1])], rewards: [r.slice()], gamma: 0, initial: [1] });
}

/** Mei et al. 2020's example bandit and step. */
export const MEI_BANDIT = [1, 0.9, 0.1] as const;
export const MEI_STEP = 2 / 5;

/** The published sub-optimality (π* − π_t)ᵀr of softmax PG at t, as printed (REFERENCES.md). */
export const MEI_SEQUENCE: readonly (readonly [t: number, gap: string])[] = [[10, '0.1861'], [100, '0.02700'], [1000, '1.831e-3'], [10_000, '1.689e-4'], [100_000, '1.670e-5']];

/** The published limit of t·(π* − π_t)ᵀr, and how many decimals it is printed to. */
export const MEI_LIMIT = 1.67;

/** Half a unit in the last printed digit of `printed` (e.g. '0.02700' → 5e-6, '1.831e-3' → 5e-7). */
export function halfUlpOfPrinted(printed: string): number {
  const [mant, exp] = printed.toLowerCase().split('e');
  const decimals = mant!.includes('.') ? mant!.split('.')[1]!.length : 0;
  return 0.5 * 10 ** (-decimals + Number(exp ?? 0));
}

/** The exact softmax-PG curve on the bandit `r`, keeping t ∈ `keep`; also c_T = min_{1≤t≤T} π_t(a*). */
export function banditCurve(r: readonly number[], step: number, iterations: number, keep?: ReadonlySet<number>): { curve: Curve; c: number } {
  let best = 0;
  for (let a = 1; a < r.length; a++) if (r[a]! > r[best]!) best = a;
  let c = 1;
  const opts: ExactPGOptions = {
    method: 'pg', step, iterations, mdpName: `bandit r = (${r.join(', ')})`,
    observe: ({ n, pi }) => { if (n >= 1) c = Math.min(c, pi[best]!); },
    ...(keep ? { keep: (n: number) => keep.has(n) } : {}),
  };
  return { curve: exactPGCurve(banditMDP(r), opts), c };
}

/** The checks of the published sequence: one per printed t ≤ `upTo`, and t·gap at the last t against 1.67. */
function meiSequenceChecks(step: number, upTo: number): Check[] {
  const ts = MEI_SEQUENCE.filter(([t]) => t <= upTo);
  const { curve } = banditCurve(MEI_BANDIT, step, upTo, new Set(ts.map(([t]) => t)));
  const gapAt = (t: number) => curve.records.find((x) => x.update === t)!.gap;
  const out = ts.map(([t, printed]) => decide(`gap at t = ${t}: ${printed} as printed`, Math.abs(gapAt(t) - Number(printed)) / halfUlpOfPrinted(printed), 1, {
    note: `|gap − published| in half-units of the last printed digit; gap = ${gapAt(t).toPrecision(6)}`,
  }));
  const tLast = ts[ts.length - 1]![0];
  const tg = tLast * gapAt(tLast);
  out.push(decide(`t·gap at t = ${tLast} → ${MEI_LIMIT}`, Math.abs(tg - MEI_LIMIT) / 0.005, 1, { note: `|t·gap − 1.67| in units of 0.005 (the printed precision); t·gap = ${tg.toPrecision(5)}` }));
  return out;
}

export const meiSequenceClaim: Claim = {
  id: 'rates.mei-bandit-sequence',
  title: 'Exact softmax PG on the bandit r = (1, 0.9, 0.1) with step 2/5 reproduces the published sub-optimality sequence, t·gap → 1.67',
  statement: String.raw`\theta_{t+1} = \theta_t + \tfrac{2}{5}\,\nabla_\theta \pi_{\theta_t}^\top r,\ \theta_0 = 0:\quad (\pi^* - \pi_{\theta_t})^\top r = 0.1861,\ 0.02700,\ 1.831\mathrm{e}{-3},\ 1.689\mathrm{e}{-4},\ 1.670\mathrm{e}{-5}\ \text{at}\ t = 10, 10^2, \dots, 10^5;\ \ t\,(\pi^* - \pi_{\theta_t})^\top r \to 1.67`,
  source: 'Mei, Xiao, Szepesvári & Schuurmans 2020, Theorem 2 and its bandit example',
  relation: 'identity',
  rule: 'each gap within half a unit of the last printed digit; t·gap at t = 10⁵ within 0.005 of 1.67',
  run: () => meiSequenceChecks(MEI_STEP, 100_000),
  control: {
    description: 'step 4 = 10 × 2/5, above the smoothness bound 2/5 (checked at t ≤ 10⁴; it converges ten times faster: t·gap → 0.167)',
    run: () => meiSequenceChecks(10 * MEI_STEP, 10_000),
  },
};

/** The bandits of the bound claim: Mei et al.'s example and two more with rewards in [0, 1]. */
export const BOUND_BANDITS: readonly (readonly number[])[] = [MEI_BANDIT, [0.2, 1, 0.5, 0], [0.3, 0.25, 0.8, 0.6, 0.1]];

/** max_{1≤t≤T} (π* − π_t)ᵀr · c_T² t / 5, with c_T = min_{1≤t≤T} π_t(a*): ≤ 1 is the bound. */
export function meiBoundRatio(r: readonly number[], step: number, T: number): { ratio: number; c: number } {
  const { curve, c } = banditCurve(r, step, T);
  let ratio = 0;
  for (const x of curve.records) if (x.update >= 1) ratio = Math.max(ratio, (x.gap * c * c * x.update) / 5);
  return { ratio, c };
}

const MEI_BOUND_T = 10_000;

function meiBoundChecks(step: number): Check[] {
  return BOUND_BANDITS.map((r) => {
    const { ratio, c } = meiBoundRatio(r, step, MEI_BOUND_T);
    return decide(`r = (${r.join(', ')}), step ${step}`, ratio, 1, { note: `max_t gap·c²t/5 over t ≤ ${MEI_BOUND_T}; c = ${c.toPrecision(4)}` });
  });
}

export const meiBoundClaim: Claim = {
  id: 'rates.mei-bandit-bound',
  title: 'Exact softmax PG with step 2/5 on bandits with rewards in [0, 1] stays within Mei et al.\'s O(1/t) bound 5/(c² t)',
  statement: String.raw`\eta = \tfrac{2}{5}:\quad (\pi^* - \pi_{\theta_t})^\top r \le \frac{5}{c^2\, t},\qquad c = \inf_{t\ge1} \pi_{\theta_t}(a^*)`,
  source: 'Mei, Xiao, Szepesvári & Schuurmans 2020, Theorem 2',
  relation: 'inequality',
  rule: `max over 1 ≤ t ≤ ${MEI_BOUND_T} of gap·c_T²·t/5 ≤ 1, with c_T = min_{1≤t≤T} π_t(a*) ≥ c (a bound at least as tight as the theorem's)`,
  run: () => meiBoundChecks(MEI_STEP),
  control: {
    description: 'step (2/5)/100: the constant 5 = 2/η belongs to the step 2/5; a step 100× smaller is 100× slower and breaks it. (No step above 2/5 was found to break it from the uniform start: 4, 40, 400 and 10⁴ all converge faster.)',
    run: () => meiBoundChecks(MEI_STEP / 100),
  },
};

// ─── Agarwal, Kakade, Lee & Mahajan 2021: natural PG ───────────────────────────────

/** `mdp` with rewards mapped affinely onto [0, 1] (the theorem's assumption); for MDPs without terminal states. */
export function unitRewards(mdp: FiniteMDP): FiniteMDP {
  let lo = Infinity, hi = -Infinity;
  for (const r of mdp.rewards) { lo = Math.min(lo, r); hi = Math.max(hi, r); }
  const span = hi > lo ? hi - lo : 1;
  return withChanges(mdp, { rewards: mdp.rewards.map((r) => (r - lo) / span) });
}

/** The discounted built-in MDPs without terminal states, rewards mapped onto [0, 1]. */
export function npgInstances(): { name: string; mdp: FiniteMDP }[] {
  return LIBRARY.map((e) => ({ name: e.name, mdp: e.build() }))
    .filter((x) => x.mdp.gamma < 1 && x.mdp.terminalStates.length === 0)
    .map((x) => ({ name: x.name, mdp: unitRewards(x.mdp) }));
}

/** The AJKS bound log|A|/(ηT) + 1/((1−γ)²T). */
export function npgBound(numActions: number, gamma: number, eta: number, T: number): number {
  return Math.log(numActions) / (eta * T) + 1 / ((1 - gamma) ** 2 * T);
}

/** The updates T of the check. */
export const NPG_T = 200;

/** max_{1≤T≤200} gap_T / bound_T of a curve run with `run` (≤ 1 is the theorem). */
export function npgBoundRatio(mdp: FiniteMDP, eta: number, run: Pick<ExactPGOptions, 'method' | 'step'>): number {
  const curve = exactPGCurve(mdp, { ...run, iterations: NPG_T });
  let ratio = 0;
  for (const x of curve.records) if (x.update >= 1) ratio = Math.max(ratio, x.gap / npgBound(mdp.numActions, mdp.gamma, eta, x.update));
  return ratio;
}

export const npgRateClaim: Claim = {
  id: 'rates.npg-ajks',
  title: 'Exact natural PG from θ₀ = 0 stays within the AJKS bound log|A|/(ηT) + 1/((1−γ)²T) at every T',
  statement: String.raw`\theta_{T+1} = \theta_T + \tfrac{\eta}{1-\gamma} A^{\pi_T},\ \theta_0 = 0:\quad V^*(\rho) - V^{\pi_T}(\rho) \le \frac{\log|\mathcal{A}|}{\eta T} + \frac{1}{(1-\gamma)^2 T}\quad (r \in [0,1])`,
  source: 'Agarwal, Kakade, Lee & Mahajan 2021, Theorem 16',
  relation: 'inequality',
  rule: `max over 1 ≤ T ≤ ${NPG_T} of gap_T / bound_T ≤ 1, for η ∈ {0.1, 1, 10}, on the discounted built-in MDPs with rewards mapped onto [0, 1]`,
  run: () => npgInstances().flatMap(({ name, mdp }) => [0.1, 1, 10].map((eta) =>
    decide(`${name} η = ${eta}`, npgBoundRatio(mdp, eta, { method: 'npg', step: eta }), 1, { note: 'max_T gap/bound' }))),
  control: {
    description: 'the (1−γ) factor misplaced: θ ← θ + η(1−γ)·A instead of η/(1−γ)·A (a step (1−γ)² too small), at η = 0.1',
    run: () => npgInstances().map(({ name, mdp }) =>
      decide(`${name} η = 0.1, wrong scale`, npgBoundRatio(mdp, 0.1, { method: 'npg', step: 0.1 * (1 - mdp.gamma) ** 2 }), 1, { note: 'max_T gap/bound' })),
  },
};

/** The rate claims, in report order. */
export const rateClaims: readonly Claim[] = [meiSequenceClaim, meiBoundClaim, npgRateClaim];
