import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dual, DualField, FractionField, NumberField, rational } from '../../src/field/index.js';
import { solveIn } from '../../src/linalg/generic.js';
import { expectError } from '../helpers.js';

describe('rational()', () => {
  it('builds exact rationals from integers, "p/q" and decimal strings', () => {
    expect(rational(3).toFraction()).toBe('3');
    expect(rational('6/8').toFraction()).toBe('3/4');
    expect(rational('0.1').toFraction()).toBe('1/10');
    expect(rational(' -2 / 3 ').toFraction()).toBe('-2/3');
  });
  it('refuses non-integer doubles, junk and zero denominators with RATIONAL_INPUT', () => {
    expectError(() => rational(0.1), 'RATIONAL_INPUT', '0.1');
    expectError(() => rational('abc', 'gamma'), 'RATIONAL_INPUT', 'gamma', '"abc"');
    expectError(() => rational('1/0'), 'RATIONAL_INPUT', 'zero denominator');
    expectError(() => rational(Number.NaN), 'RATIONAL_INPUT');
  });
});

describe('dual numbers', () => {
  it('differentiate x³/(1 + x) exactly over Fractions', () => {
    const D = DualField(FractionField);
    fc.assert(fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 20 }), (p, q) => {
      const x = rational(`${p}/${q}`);
      const X = new Dual(x, FractionField.one);
      const f = D.div(D.mul(X, D.mul(X, X)), D.add(D.one, X));
      // f'(x) = (3x²(1+x) − x³)/(1+x)² = (2x³ + 3x²)/(1+x)²
      const expected = x.pow(3).mul(2).add(x.pow(2).mul(3)).div(x.add(1).pow(2));
      expect(f.du.equals(expected)).toBe(true);
    }));
  });
  it('nested duals give second derivatives: d²/dx² exp(x²) = (2 + 4x²) exp(x²)', () => {
    const inner = DualField(NumberField);
    const outer = DualField(inner);
    for (const x of [-1.3, 0, 0.4, 2]) {
      const X = new Dual(new Dual(x, 1), new Dual(1, 0));
      const f = outer.exp(outer.mul(X, X));
      expect(f.du.du).toBeCloseTo((2 + 4 * x * x) * Math.exp(x * x), 10);
      expect(f.re.du).toBeCloseTo(2 * x * Math.exp(x * x), 10);
    }
  });
  it('negative control: a wrong derivative rule would be caught (d/dx x² ≠ x)', () => {
    const D = DualField(NumberField);
    const f = D.mul(new Dual(3, 1), new Dual(3, 1));
    expect(f.du).toBe(6);
    expect(f.du).not.toBe(3);
  });
});

describe('generic Gaussian elimination', () => {
  it('solves exactly over Fractions (A x = b holds with zero residual)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.integer({ min: -9, max: 9 }), { minLength: n * n, maxLength: n * n }), fc.array(fc.integer({ min: -9, max: 9 }), { minLength: n, maxLength: n }))), ([n, m, b]) => {
      const F = FractionField;
      const M = m.map((x, i) => rational(x + (i % (n + 1) === 0 ? 40 : 0))); // diagonally dominant → non-singular
      const B = b.map((x) => rational(x));
      const x = solveIn(F, M, B);
      for (let i = 0; i < n; i++) {
        let s = F.zero;
        for (let j = 0; j < n; j++) s = s.add(M[i * n + j]!.mul(x[j]!));
        expect(s.equals(B[i]!)).toBe(true);
      }
    }));
  });
  it('reports a singular matrix with SOLVER_SINGULAR naming the column', () => {
    const F = FractionField;
    const M = [1, 2, 2, 4].map((x) => rational(x));
    expectError(() => solveIn(F, M, [F.one, F.one]), 'SOLVER_SINGULAR', 'column 1');
  });
});
