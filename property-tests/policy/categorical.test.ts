// The categorical MLP head: log π sums to 1; the score sum against Ridders differences and
// dual numbers of log π; the Fisher–vector product against the Fisher built from scores;
// entropy and KL against their definitions and against each other (the Hessian of the KL
// is the Fisher); sampling against π. Each check has a negative control.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dual, DualField, NumberField } from '../../src/field/index.js';
import { gradientByDifferences } from '../../src/linalg/differentiate.js';
import { categoricalMlpPolicy } from '../../src/policy/categorical.js';
import { initMlp, Mlp, mlpForwardIn, type ActivationName } from '../../src/policy/mlp.js';
import { softmaxIn } from '../../src/policy/softmax.js';
import { normalUpperQuantile } from '../../src/stats/distributions.js';
import { Rng } from '../../src/stats/rng.js';
import { expectError, rel } from '../helpers.js';

const D = DualField(NumberField);
const seeds = fc.integer({ min: 0, max: 1e9 });
const acts = fc.constantFrom<ActivationName>('tanh', 'relu', 'swish');

function setup(seed: number, act: ActivationName) {
  const rng = Rng.from(seed);
  const d = 1 + rng.int(3), A = 1 + rng.int(4), H = 1 + rng.int(5);
  const mlp = new Mlp([d, H, A], act);
  const theta = initMlp(mlp, rng, { lastGain: 1.5, hiddenGain: 1.2 });
  for (let k = 0; k < theta.length; k++) theta[k] += 0.3 * rng.normal();
  const T = 1 + rng.int(4);
  const obs = Float64Array.from({ length: T * d }, () => rng.normal());
  const actions = Int32Array.from({ length: T }, () => rng.int(A));
  const c = Float64Array.from({ length: T }, () => rng.normal());
  return { rng, mlp, pol: categoricalMlpPolicy(mlp), theta, obs, actions, c, T, A, d };
}

/** Σ_t c_t log π(a_t|s_t) with θ_k carrying the tangent, through the generic forward pass. */
function dualScore(mlp: Mlp, theta: Float64Array, obs: Float64Array, T: number, actions: Int32Array, c: Float64Array, k: number): number {
  const th = Array.from(theta, (x, j) => new Dual(x, j === k ? 1 : 0));
  let s = 0;
  for (let t = 0; t < T; t++) {
    const x = Array.from(obs.subarray(t * mlp.inputDim, (t + 1) * mlp.inputDim), (v) => new Dual(v, 0));
    const p = softmaxIn(D, mlpForwardIn(D, mlp, th, x));
    s += c[t]! * D.log(p[actions[t]!]!).du;
  }
  return s;
}

describe('categorical MLP head', () => {
  it('Σ_a π(a|s) = 1 for every state (to 1e-14)', () => {
    fc.assert(fc.property(seeds, acts, (seed, act) => {
      const { pol, theta, obs, T, A } = setup(seed, act);
      const lp = pol.logProbsAll(theta, obs, T);
      for (let t = 0; t < T; t++) {
        let s = 0;
        for (let a = 0; a < A; a++) s += Math.exp(lp[t * A + a]!);
        expect(Math.abs(s - 1)).toBeLessThan(1e-14);
      }
      // logProb picks the same entries
      const one = pol.logProb(theta, obs, T, Int32Array.from({ length: T }, (_, t) => t % A));
      for (let t = 0; t < T; t++) expect(one[t]).toBe(lp[t * A + (t % A)]);
    }));
  });

  it('scoreSum = Σ_t c_t ∇θ log π(a_t|s_t): Ridders differences (1e-8) and dual numbers (1e-12) of logProb', () => {
    fc.assert(fc.property(seeds, acts, (seed, act) => {
      const { mlp, pol, theta, obs, actions, c, T } = setup(seed, act);
      const g = pol.scoreSum(theta, obs, T, actions, c);
      const ad = Float64Array.from(g, (_, k) => dualScore(mlp, theta, obs, T, actions, c, k));
      expect(rel(g, ad, 1)).toBeLessThan(1e-12);
      if (act !== 'relu') {
        const fd = gradientByDifferences((th) => pol.logProb(th, obs, T, actions).reduce((s, l, t) => s + c[t]! * l, 0), theta, 0.05);
        expect(rel(g, fd.value, 1)).toBeLessThan(1e-8);
      }
    }));
  });

  it('negative control: the score without −π(·|s) (cotangent c_t e_a only) is rejected by the same Ridders check', () => {
    let rejected = 0;
    for (let seed = 0; seed < 10; seed++) {
      const { mlp, pol, theta, obs, actions, c, T, A } = setup(seed, 'tanh');
      if (A === 1) continue;
      mlp.forward(theta, obs, T);
      const wrong = new Float64Array(mlp.numParams), cot = new Float64Array(T * A);
      for (let t = 0; t < T; t++) cot[t * A + actions[t]!] = c[t]!;
      mlp.vjp(theta, cot, wrong);
      const fd = gradientByDifferences((th) => pol.logProb(th, obs, T, actions).reduce((s, l, t) => s + c[t]! * l, 0), theta, 0.05);
      expect(rel(wrong, fd.value, 1)).toBeGreaterThan(1e-3);
      rejected++;
    }
    expect(rejected).toBeGreaterThan(3);
  });

  it('fisherVectorProduct = Σ_t w_t Σ_a π(a|s_t) s_a (s_a·v), s_a the score (to 1e-12); a diag(π)-only Fisher is rejected', () => {
    fc.assert(fc.property(seeds, acts, fc.boolean(), (seed, act, weighted) => {
      const { mlp, pol, theta, obs, T, A, d, rng } = setup(seed, act);
      const v = Float64Array.from({ length: mlp.numParams }, () => rng.normal());
      const w = weighted ? Float64Array.from({ length: T }, () => rng.uniform()) : undefined;
      const fv = pol.fisherVectorProduct(theta, obs, T, v, undefined, w);
      const want = new Float64Array(mlp.numParams);
      for (let t = 0; t < T; t++) {
        const o = obs.slice(t * d, (t + 1) * d);
        const p = pol.logProbsAll(theta, o, 1).map(Math.exp);
        for (let a = 0; a < A; a++) {
          const s = pol.scoreSum(theta, o, 1, Int32Array.of(a), Float64Array.of(1));
          const sv = s.reduce((acc, x, k) => acc + x * v[k]!, 0);
          const wt = w ? w[t]! : 1 / T;
          for (let k = 0; k < s.length; k++) want[k] += wt * p[a]! * sv * s[k]!;
        }
      }
      expect(rel(fv, want, 1)).toBeLessThan(1e-12);
      // control: Jᵀ diag(π) J v, forgetting −ππᵀ
      if (A > 1) {
        mlp.forward(theta, obs, T);
        const u = new Float64Array(T * A), cot = new Float64Array(T * A), wrong = new Float64Array(mlp.numParams);
        mlp.jvp(theta, v, u);
        const lp = pol.logProbsAll(theta, obs, T);
        mlp.forward(theta, obs, T);
        for (let i = 0; i < T * A; i++) cot[i] = (w ? w[Math.floor(i / A)]! : 1 / T) * Math.exp(lp[i]!) * u[i]!;
        mlp.vjp(theta, cot, wrong);
        const gap = rel(wrong, want, 1);
        // the dropped term is Σ_t w_t (πᵀu_t) Jᵀπ; it vanishes only where πᵀu_t = 0
        const drop = Array.from({ length: T }, (_, t) => Math.abs(Array.from({ length: A }, (_, a) => Math.exp(lp[t * A + a]!) * u[t * A + a]!).reduce((x, y) => x + y, 0)));
        if (Math.max(...drop) > 0.05) expect(gap).toBeGreaterThan(1e-6);
      }
    }));
  });

  it('entropy = −Σ π log π and KL = Σ π (log π − log π′) per state; KL(θ‖θ) = 0; vᵀFv = d²/ds² KL(π_θ‖π_{θ+sv}) at 0', () => {
    fc.assert(fc.property(seeds, fc.constantFrom<ActivationName>('tanh', 'swish'), (seed, act) => {
      const { mlp, pol, theta, obs, T, A, rng } = setup(seed, act);
      const other = theta.map((x) => x + 0.4 * rng.normal());
      const lp = pol.logProbsAll(theta, obs, T), lq = pol.logProbsAll(other, obs, T);
      const H = pol.entropy(theta, obs, T), K = pol.kl(theta, other, obs, T), K0 = pol.kl(theta, theta, obs, T);
      for (let t = 0; t < T; t++) {
        let h = 0, k = 0;
        for (let a = 0; a < A; a++) { const p = Math.exp(lp[t * A + a]!); h -= p * lp[t * A + a]!; k += p * (lp[t * A + a]! - lq[t * A + a]!); }
        expect(Math.abs(H[t]! - h)).toBeLessThan(1e-13);
        expect(Math.abs(K[t]! - k)).toBeLessThan(1e-13);
        expect(K0[t]).toBe(0);
      }
      const v = Float64Array.from({ length: mlp.numParams }, () => rng.normal());
      const fv = pol.fisherVectorProduct(theta, obs, T, v);
      const vFv = fv.reduce((s, x, k) => s + x * v[k]!, 0);
      const s = 1e-3;
      const klMean = (sgn: number) => pol.kl(theta, theta.map((x, k) => x + sgn * s * v[k]!), obs, T).reduce((a, b) => a + b, 0) / T;
      const second = (klMean(1) + klMean(-1)) / (s * s); // = vᵀFv + O(s²)
      expect(Math.abs(second - vFv)).toBeLessThan(1e-4 * (1 + vFv));
    }));
  });

  it('entropyGradSum and klGradSum against Ridders differences of Σ_t w_t H_t(θ) and Σ_t w_t KL_t(θ_old ‖ θ) (1e-8); an entropy gradient without the +H term is rejected', () => {
    fc.assert(fc.property(seeds, fc.constantFrom<ActivationName>('tanh', 'swish'), (seed, act) => {
      const { mlp, pol, theta, obs, T, A, rng } = setup(seed, act);
      const w = Float64Array.from({ length: T }, () => rng.normal());
      const old = theta.map((x) => x + 0.5 * rng.normal());
      const wsum = (xs: Float64Array) => xs.reduce((s, x, t) => s + w[t]! * x, 0);
      const gH = pol.entropyGradSum(theta, obs, T, w);
      const fdH = gradientByDifferences((th) => wsum(pol.entropy(th, obs, T)), theta, 0.05);
      expect(rel(gH, fdH.value, 1)).toBeLessThan(1e-8);
      const gK = pol.klGradSum(old, theta, obs, T, w);
      const fdK = gradientByDifferences((th) => wsum(pol.kl(old, th, obs, T)), theta, 0.05);
      expect(rel(gK, fdK.value, 1)).toBeLessThan(1e-8);
      // control: ∂H/∂z_b = −π_b log π_b (the −π_b H term forgotten)
      if (A > 1) {
        const lp = pol.logProbsAll(theta, obs, T);
        mlp.forward(theta, obs, T);
        const cot = Float64Array.from(lp, (l, i) => -w[Math.floor(i / A)]! * Math.exp(l) * l);
        const wrong = new Float64Array(mlp.numParams);
        mlp.vjp(theta, cot, wrong);
        const H = pol.entropy(theta, obs, T);
        if (Math.max(...Array.from(H, (h, t) => Math.abs(w[t]! * h))) > 0.05) expect(rel(wrong, fdH.value, 1)).toBeGreaterThan(1e-6);
      }
    }), { numRuns: 30 });
  });

  it('sample draws from π: per-action counts within z-bounds (α = 1e-6 overall, Šidák over actions; detects |Δπ| ≥ 0.015 at N = 40000); a wrong π is rejected', () => {
    let seed = 0;
    while (setup(seed, 'tanh').A < 3) seed++;
    const { pol, theta, obs, d, A } = setup(seed, 'tanh');
    const N = 40000;
    const o = new Float64Array(N * d);
    for (let t = 0; t < N; t++) o.set(obs.subarray(0, d), t * d);
    const a = pol.sample(theta, o, N, Rng.from(99));
    const counts = new Float64Array(A);
    for (const x of a) counts[x]++;
    const p = pol.logProbsAll(theta, obs, 1).map(Math.exp);
    const zc = normalUpperQuantile(1e-6 / (2 * A));
    const maxZ = (q: ArrayLike<number>) => Math.max(...Array.from(counts, (n, i) => Math.abs(n - N * q[i]!) / Math.sqrt(N * q[i]! * (1 - q[i]!) || 1)));
    expect(maxZ(p)).toBeLessThan(zc);
    // control: the same counts against π shifted by 0.03 between two actions
    const wrong = Float64Array.from(p);
    const [hi, lo] = p[0]! > p[1]! ? [0, 1] : [1, 0];
    wrong[hi] -= 0.03; wrong[lo] += 0.03;
    expect(maxZ(wrong)).toBeGreaterThan(zc);
    // deterministic given the seed
    expect(Array.from(pol.sample(theta, o.subarray(0, 50 * d), 50, Rng.from(99)))).toEqual(Array.from(a.subarray(0, 50)));
  });

  it('bad input: typed errors', () => {
    const { pol, theta, obs, T, A } = setup(5, 'tanh');
    expectError(() => pol.logProb(theta, obs, T, Int32Array.from({ length: T }, () => A)), 'NN_INPUT', 'actions[0]');
    expectError(() => pol.scoreSum(theta, obs, T, new Int32Array(T), Float64Array.from({ length: T }, () => NaN)), 'NN_INPUT', 'c_t[0][0]');
    expectError(() => pol.entropy(theta, obs, T, new Float64Array(0)), 'NN_INPUT', 'out');
  });
});
