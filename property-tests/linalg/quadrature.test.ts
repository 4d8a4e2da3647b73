// Gauss–Hermite and Gauss–Legendre rules (src/linalg/quadrature.ts) on known moments and
// integrals, and on the closed-form small rules.
import { describe, expect, it } from 'vitest';
import { gaussHermite, gaussHermiteExpectation, gaussLegendre } from '../../src/linalg/quadrature.js';
import { expectError } from '../helpers.js';

/** (2j − 1)!! = E[Z^{2j}] for Z ∼ N(0, 1). */
const doubleFactorial = (j: number) => { let p = 1; for (let i = 2 * j - 1; i > 1; i -= 2) p *= i; return p; };

describe('Gauss–Hermite (weight φ)', () => {
  it('the 2- and 3-point rules are ±1 (½ each) and 0, ±√3 (⅔, ⅙, ⅙)', () => {
    const r2 = gaussHermite(2), r3 = gaussHermite(3);
    expect(Array.from(r2.nodes)).toEqual([-1, 1].map((x) => expect.closeTo(x, 15)));
    expect(Array.from(r2.weights)).toEqual([0.5, 0.5].map((x) => expect.closeTo(x, 15)));
    expect(Array.from(r3.nodes)).toEqual([-Math.sqrt(3), 0, Math.sqrt(3)].map((x) => expect.closeTo(x, 15)));
    expect(Array.from(r3.weights)).toEqual([1 / 6, 2 / 3, 1 / 6].map((x) => expect.closeTo(x, 15)));
  });
  it('integrates every moment E[Z^d] exactly up to d = 2n − 1, for n up to 200', () => {
    for (const n of [1, 5, 20, 64, 150, 200]) {
      const { nodes, weights } = gaussHermite(n);
      let total = 0;
      for (const w of weights) total += w;
      expect(Math.abs(total - 1)).toBeLessThan(1e-14);
      for (let d = 1; d <= Math.min(2 * n - 1, 40); d++) {
        let s = 0, abs = 0; // abs = Σ w|x|^d, the scale of the sum's rounding error (odd moments cancel to 0)
        for (let i = 0; i < n; i++) { s += weights[i]! * nodes[i]! ** d; abs += weights[i]! * Math.abs(nodes[i]!) ** d; }
        const exact = d % 2 === 1 ? 0 : doubleFactorial(d / 2);
        expect(Math.abs(s - exact)).toBeLessThan(1e-13 * Math.max(1, abs));
      }
    }
  });
  it('E[cos Z] = e^{−1/2} and E[e^{tZ}] = e^{t²/2} to 1e-15 with 40 nodes', () => {
    expect(Math.abs(gaussHermiteExpectation(Math.cos, 0, 1, 40) - Math.exp(-0.5))).toBeLessThan(1e-15);
    for (const t of [0.5, 1.5]) expect(Math.abs(gaussHermiteExpectation((x) => Math.exp(t * x), 0, 1, 40) / Math.exp(t * t / 2) - 1)).toBeLessThan(1e-14);
    // shifted and scaled: E[(μ + σZ)²] = μ² + σ²
    expect(Math.abs(gaussHermiteExpectation((x) => x * x, 1.3, 0.4, 3) - (1.69 + 0.16))).toBeLessThan(1e-15);
  });
});

describe('Gauss–Legendre (weight 1 on [−1, 1])', () => {
  it('the 2-point rule is ±1/√3 and ∫x^d, ∫eˣ are exact', () => {
    expect(Math.abs(gaussLegendre(2).nodes[1]! - 1 / Math.sqrt(3))).toBeLessThan(1e-16);
    for (const n of [3, 20, 100]) {
      const { nodes, weights } = gaussLegendre(n);
      for (let d = 0; d <= Math.min(2 * n - 1, 30); d++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += weights[i]! * nodes[i]! ** d;
        expect(Math.abs(s - (d % 2 === 1 ? 0 : 2 / (d + 1)))).toBeLessThan(1e-14);
      }
      if (n >= 20) { let s = 0; for (let i = 0; i < n; i++) s += weights[i]! * Math.exp(nodes[i]!); expect(Math.abs(s - (Math.E - 1 / Math.E))).toBeLessThan(4e-15); }
    }
  });
  it('orders outside 1…200 throw QUADRATURE_ORDER', () => {
    expectError(() => gaussHermite(0), 'QUADRATURE_ORDER', '0');
    expectError(() => gaussLegendre(2.5), 'QUADRATURE_ORDER', '2.5');
    expectError(() => gaussHermite(201), 'QUADRATURE_ORDER', '201');
  });
});
