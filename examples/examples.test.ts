// The examples run, and say what they claim to.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mdpFromJSON, rational, shortCorridor, stringifyMDP, suttonBartoGridworld4x4 } from '../src/index.js';
import { exactTwoState } from './exact-rational.js';
import { bestP, corridorTable } from './short-corridor.js';

describe('examples', () => {
  it('short-corridor.ts: the theorem and AD agree along p, and p* = 2 − √2', () => {
    for (const row of corridorTable()) {
      expect(Math.abs(row.gTheorem - row.gAD)).toBeLessThan(1e-9 * Math.max(1, Math.abs(row.gAD)));
      expect(row.J / ((2 * row.p - 4) / (row.p * (1 - row.p)))).toBeCloseTo(1, 12);
    }
    expect(bestP()).toBeCloseTo(2 - Math.SQRT2, 7);
  });
  it('exact-rational.ts: fractions, and a difference of exactly zero', () => {
    const r = exactTwoState();
    expect(r.exact).toBe(true);
    expect(r.J).toMatch(/^-?\d+\/\d+$|^-?\d+$/);
    // J is a rational number, printed exactly; its value is reproduced by the float solver elsewhere
    expect(Number.isFinite(rational(r.J).valueOf())).toBe(true);
  });
  it('examples/mdps are the library MDPs as `pgtruth mdp show` writes them', () => {
    const read = (f: string) => readFileSync(new URL(`mdps/${f}`, import.meta.url), 'utf8');
    expect(read('short-corridor.json')).toBe(stringifyMDP(shortCorridor()));
    expect(read('gridworld-4x4.json')).toBe(stringifyMDP(suttonBartoGridworld4x4()));
    expect(mdpFromJSON(JSON.parse(read('two-state-rational.json'))).numStates).toBe(2);
  });
});
