import type { SamplerPool } from '../sampling/worker-pool.js';

/**
 * A claim: a statement (LaTeX), an exact target, the estimator or computation under
 * test, a relation and a decision rule — and a negative control, a wrong variant that
 * the same decision rule must reject. A claim that cannot fail is worthless.
 *
 * @module
 */

/** How the quantity under test relates to its exact target. */
export type Relation = 'identity' | 'exact-identity' | 'unbiased' | 'consistent' | 'inequality' | 'variance-order';

/** The statistics a stochastic check reports with its verdict. */
export interface CheckStatistics {
  /** The estimated effect (e.g. the bias, or its largest standardized component). */
  readonly effect: number;
  /** The effect's standard error. */
  readonly standardError: number;
  /** Samples (episodes, batches, draws) the check used. */
  readonly samples: number;
  /** The check's false-alarm rate: the probability of failing a correct estimator. */
  readonly falseAlarmRate: number;
  /** The smallest effect the check detects with probability ≥ 1/2 (its resolution), in the effect's units. */
  readonly minDetectable: number;
  /** The test statistic and the threshold it was compared against, when there is one. */
  readonly statistic?: number;
  readonly threshold?: number;
  /** The test used (e.g. `Hotelling T²`, `studentized max, Šidák`). */
  readonly test?: string;
  /** A scale to read `minDetectable` against, e.g. `{ name: '‖∇J‖₂', value: 8.5 }`. */
  readonly relativeTo?: { readonly name: string; readonly value: number };
  /** `pgtruth check`: the resolution as a fraction of `relativeTo` (the weakest stated coordinate's), the fraction required, and the power it is stated at. */
  readonly resolution?: number;
  readonly requiredResolution?: number;
  readonly power?: number;
  /** The coordinate where the resolution is weakest, in the estimator's own terms. */
  readonly resolutionAt?: string;
}

/** Where a failed check of `pgtruth check` failed, in the estimator's own terms, and which known bug it resembles. */
export interface Diagnosis {
  /** The worst coordinate (`∇J component (s=2, a=1)`, `advantage Â at (s=3, a=0)`, `target at (s, a)`). */
  readonly coordinate: string;
  readonly expected: number;
  readonly observed: number;
  readonly standardError: number;
  /** Catalogue mutants (and other known variants) ranked by distance to the observed mean; `consistent` when the data do not reject the match. */
  readonly candidates: readonly { readonly id: string; readonly description: string; readonly distance: number; readonly threshold: number; readonly consistent: boolean }[];
  /** The best consistent match's description, if any. */
  readonly looksLike?: string;
}

/** One decision of a claim on one instance. */
export interface Check {
  /** Which instance (MDP, policy, setting) this is. */
  readonly instance: string;
  readonly passed: boolean;
  /**
   * For identities and inequalities: the measured discrepancy (relative unless `note` says
   * otherwise) or the largest violation; for stochastic checks: |effect| / standard error.
   */
  readonly discrepancy: number;
  /** The decision threshold the discrepancy was compared with. */
  readonly tolerance: number;
  /** Exact rational arithmetic: the discrepancy is exactly zero (or exactly not). */
  readonly exact?: boolean;
  readonly stats?: CheckStatistics;
  readonly note?: string;
  /** `pgtruth check`: the check could not resolve the required bias; `needed` samples (in `unit`) would. A failure. */
  readonly inconclusive?: { readonly needed: number; readonly unit: string };
  /** `pgtruth check`: where a failed check failed. */
  readonly diagnosis?: Diagnosis;
}

/** What a claim's `run` receives. */
export interface RunContext {
  /** The root seed of everything stochastic. */
  readonly seed: number;
  /** Sample budget multiplier (1 = the default suite). */
  readonly scale: number;
  /** Reports progress inside a long claim (fraction 0–1). */
  readonly progress?: (fraction: number) => void;
  /** Worker threads for sampled claims; without one they sample in this thread (same numbers). */
  readonly pool?: SamplerPool;
}

/** A claim about an exact quantity or an estimator. */
export interface Claim {
  /** Stable id, `area.name` (e.g. `exact.pgt-two-routes`). */
  readonly id: string;
  /** One line, plain text. */
  readonly title: string;
  /** The statement in LaTeX (KaTeX subset). */
  readonly statement: string;
  /** Where it comes from, e.g. `Lehmann 2024, Theorem 3.1`. */
  readonly source: string;
  readonly relation: Relation;
  /** The decision rule in words, e.g. `relative discrepancy ≤ 1e-9`. */
  readonly rule: string;
  /** Runs the claim; one {@link Check} per instance. */
  run(ctx: RunContext): Check[] | Promise<Check[]>;
  /** The negative control: a wrong variant; the same rule must reject it (its checks fail). */
  readonly control: {
    readonly description: string;
    run(ctx: RunContext): Check[] | Promise<Check[]>;
  };
}

/** A decision from a discrepancy and a tolerance. */
export function decide(instance: string, discrepancy: number, tolerance: number, extra: Partial<Check> = {}): Check {
  return { instance, discrepancy, tolerance, passed: Number.isFinite(discrepancy) && discrepancy <= tolerance, ...extra };
}
