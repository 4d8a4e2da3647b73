// Fixtures of the HTML report tests.
import type { Curve, CurveRecord } from '../../src/algorithms/curve.js';

/** A synthetic curve: J rising to J* = 1, KL = 10^{−n} (0 at n = 3), k3 when asked, samples 100 per update. */
export function syntheticCurve(algo: string, n: number, withK3: boolean, seed = 0): Curve {
  const records: CurveRecord[] = Array.from({ length: n + 1 }, (_, k) => ({
    update: k, samples: 100 * k, J: 1 - 0.5 ** k, gap: 0.5 ** k, entropy: Math.log(3) * 0.9 ** k,
    klExact: k === 0 ? null : k === 3 ? 0 : 10 ** -(k % 12), klK3: k === 0 || !withK3 ? null : 1.1 * 10 ** -(k % 12),
  }));
  return { algo, mdp: 'synthetic', seed, JStar: 1, hyperparameters: { lr: 0.1, note: 'test' }, records };
}

