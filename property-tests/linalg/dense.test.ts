import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { luFactor, luSolve, luSolveTranspose } from '../../src/linalg/dense.js';
import { solveIn, transposeIn } from '../../src/linalg/generic.js';
import { NumberField } from '../../src/field/number.js';
import { Rng } from '../../src/stats/rng.js';
import { expectError, rel } from './support.js';

/** A random n×n matrix with entries in [−1, 1] (generically well conditioned for small n). */
function randomMatrix(n: number, seed: number): Float64Array {
  const rng = Rng.from(seed);
  return Float64Array.from({ length: n * n }, () => 2 * rng.uniform() - 1);
}

describe('blocked dense LU with partial pivoting', () => {
  it('solves M x = b and Mᵀ y = b like plain Gaussian elimination, across the panel width', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 90 }), fc.nat(), (n, seed) => {
      const m = randomMatrix(n, seed), b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + seed));
      const f = luFactor(m, n);
      const x = luSolve(f, b), y = luSolveTranspose(f, b);
      const ref = solveIn(NumberField, Array.from(m), Array.from(b));
      const refT = solveIn(NumberField, transposeIn(Array.from(m), n), Array.from(b));
      expect(rel(x, ref)).toBeLessThan(1e-8);
      expect(rel(y, refT)).toBeLessThan(1e-8);
    }), { seed: 11, numRuns: 30 });
  });

  it('leaves m alone unless inPlace', () => {
    const m = randomMatrix(40, 2), copy = m.slice();
    luFactor(m, 40);
    expect(Array.from(m)).toEqual(Array.from(copy));
    const f = luFactor(m, 40, { inPlace: true });
    expect(f.lu).toBe(m);
  });

  it('throws SOLVER_SINGULAR for an exactly singular matrix and, with a tolerance, a numerically singular one', () => {
    const m = new Float64Array([1, 2, 2, 4]);
    expectError(() => luFactor(m, 2), 'SOLVER_SINGULAR');
    const third = 1 / 3;
    const s = new Float64Array([1 - third, -third, -third, -third, 1 - third, -third, -third, -third, 1 - third]);
    expect(() => luFactor(s, 3)).not.toThrow();                  // rounding leaves a pivot ~1e-17
    expectError(() => luFactor(s, 3, { pivotTolerance: 3 * 2.2e-16 }), 'SOLVER_SINGULAR');
  });

  it('negative control: a perturbed factor gives a wrong solution', () => {
    const n = 50, m = randomMatrix(n, 9), b = new Float64Array(n).fill(1);
    const f = luFactor(m, n);
    const x = luSolve(f, b);
    f.lu[7 * n + 30] = f.lu[7 * n + 30]! + 0.1;
    expect(rel(luSolve(f, b), x)).toBeGreaterThan(1e-4);
  });
});
