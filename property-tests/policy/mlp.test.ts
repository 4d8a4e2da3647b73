// The MLP's forward pass, VJP and JVP against two independent routes: forward-mode AD in
// dual numbers through the generic forward pass `mlpForwardIn` (written over a Field), and
// Ridders-extrapolated central differences of the fast forward pass. Each check has a
// negative control: an activation whose derivative is missing is rejected by the same check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dual, DualField, NumberField } from '../../src/field/index.js';
import { derivative, gradientByDifferences } from '../../src/linalg/differentiate.js';
import { ACTIVATIONS, initMlp, Mlp, mlpForwardIn, type Activation, type ActivationName } from '../../src/policy/mlp.js';
import { Rng } from '../../src/stats/rng.js';
import { expectError, rel } from '../helpers.js';

const D = DualField(NumberField);

interface Instance { mlp: Mlp; theta: Float64Array; x: Float64Array; T: number; rng: Rng }

/** A random small network, parameters (orthogonal init, gain 1.3 everywhere, plus noise on the biases) and inputs. */
function instance(seed: number, act: ActivationName | Activation, maxWidth = 5): Instance {
  const rng = Rng.from(seed);
  const depth = 1 + rng.int(3);
  const sizes = Array.from({ length: depth + 1 }, () => 1 + rng.int(maxWidth));
  const mlp = new Mlp(sizes, act);
  const theta = initMlp(mlp, rng, { hiddenGain: 1.3, lastGain: 1.3, scheme: rng.int(2) ? 'orthogonal' : 'gaussian' });
  for (const { b, nOut } of mlp.layers) for (let j = 0; j < nOut; j++) theta[b + j] = 0.5 * rng.normal();
  const T = 1 + rng.int(4);
  const x = Float64Array.from({ length: T * mlp.inputDim }, () => 1.5 * rng.normal());
  return { mlp, theta, x, T, rng };
}

const normals = (rng: Rng, n: number) => Float64Array.from({ length: n }, () => rng.normal());

/** The outputs and their tangents along (v, vX) at every input, by dual numbers through mlpForwardIn. */
function dualJvp({ mlp, theta, x, T }: Instance, v: Float64Array, vX?: Float64Array): { f: Float64Array; df: Float64Array } {
  const th = Array.from(theta, (t, k) => new Dual(t, v[k]!));
  const f = new Float64Array(T * mlp.outputDim), df = new Float64Array(T * mlp.outputDim);
  for (let t = 0; t < T; t++) {
    const xt = Array.from(x.subarray(t * mlp.inputDim, (t + 1) * mlp.inputDim), (xi, i) => new Dual(xi, vX ? vX[t * mlp.inputDim + i]! : 0));
    mlpForwardIn(D, mlp, th, xt).forEach((y, j) => { f[t * mlp.outputDim + j] = y.re; df[t * mlp.outputDim + j] = y.du; });
  }
  return { f, df };
}

/** ∇_θ Σ_t ⟨g_t, f(x_t)⟩ one coordinate at a time by dual numbers (and ∇_x). */
function dualGradient(inst: Instance, g: Float64Array): { gTheta: Float64Array; gX: Float64Array } {
  const { mlp, x } = inst;
  const dot = (df: Float64Array) => df.reduce((s, y, i) => s + g[i]! * y, 0);
  const gTheta = Float64Array.from({ length: mlp.numParams }, (_, k) => {
    const e = new Float64Array(mlp.numParams); e[k] = 1;
    return dot(dualJvp(inst, e).df);
  });
  const gX = Float64Array.from({ length: x.length }, (_, k) => {
    const e = new Float64Array(x.length); e[k] = 1;
    return dot(dualJvp(inst, new Float64Array(mlp.numParams), e).df);
  });
  return { gTheta, gX };
}

const activations = fc.constantFrom<ActivationName>('tanh', 'relu', 'swish');
const seeds = fc.integer({ min: 0, max: 1e9 });

/** tanh with its derivative missing (σ′ taken as 1): the shipped-bug shape of a backward pass that forgets a factor. */
const brokenTanh: Activation = { ...ACTIVATIONS.tanh, name: 'tanh-without-derivative', mulDerivative: () => undefined };

describe('MLP forward, VJP and JVP', () => {
  it('forward agrees with the generic field forward pass (to 1e-13)', () => {
    fc.assert(fc.property(seeds, activations, (seed, act) => {
      const inst = instance(seed, act);
      const out = inst.mlp.forward(inst.theta, inst.x, inst.T);
      const { f } = dualJvp(inst, new Float64Array(inst.mlp.numParams));
      expect(rel(out, f, 1)).toBeLessThan(1e-13);
    }));
  });

  it('JVP equals forward-mode AD in dual numbers, in θ and in x (to 1e-12)', () => {
    fc.assert(fc.property(seeds, activations, (seed, act) => {
      const inst = instance(seed, act);
      const { mlp, theta, x, T, rng } = inst;
      const v = normals(rng, mlp.numParams), vX = normals(rng, x.length);
      mlp.forward(theta, x, T);
      const out = new Float64Array(T * mlp.outputDim);
      mlp.jvp(theta, v, out, vX);
      expect(rel(out, dualJvp(inst, v, vX).df, 1)).toBeLessThan(1e-12);
      mlp.jvp(theta, v, out);
      expect(rel(out, dualJvp(inst, v).df, 1)).toBeLessThan(1e-12);
    }));
  });

  it('VJP equals the dual-number gradient of Σ_t ⟨g_t, f(x_t)⟩, in θ and in x (to 1e-12)', () => {
    fc.assert(fc.property(seeds, activations, (seed, act) => {
      const inst = instance(seed, act);
      const { mlp, theta, x, T, rng } = inst;
      const g = normals(rng, T * mlp.outputDim);
      mlp.forward(theta, x, T);
      const gTheta = new Float64Array(mlp.numParams), gX = new Float64Array(x.length);
      mlp.vjp(theta, g, gTheta, gX);
      const ad = dualGradient(inst, g);
      expect(rel(gTheta, ad.gTheta, 1)).toBeLessThan(1e-12);
      expect(rel(gX, ad.gX, 1)).toBeLessThan(1e-12);
    }), { numRuns: 40 });
  });

  it('VJP and JVP agree with Ridders differences of the forward pass (tanh, swish: smooth; to 1e-8)', () => {
    fc.assert(fc.property(seeds, fc.constantFrom<ActivationName>('tanh', 'swish'), (seed, act) => {
      const { mlp, theta, x, T, rng } = instance(seed, act, 4);
      const g = normals(rng, T * mlp.outputDim), v = normals(rng, mlp.numParams);
      const loss = (th: Float64Array) => mlp.forward(th, x, T).reduce((s, y, i) => s + g[i]! * y, 0);
      const fd = gradientByDifferences(loss, theta, 0.05);
      mlp.forward(theta, x, T);
      const gTheta = new Float64Array(mlp.numParams);
      mlp.vjp(theta, g, gTheta);
      expect(rel(gTheta, fd.value, 1)).toBeLessThan(1e-8);
      // JVP: d/ds ⟨g, f(θ + s v)⟩ at s = 0
      const dir = derivative((s) => loss(theta.map((t, k) => t + s * v[k]!)), 0, 0.05);
      mlp.forward(theta, x, T);
      const out = new Float64Array(T * mlp.outputDim);
      mlp.jvp(theta, v, out);
      const jv = out.reduce((s, y, i) => s + g[i]! * y, 0);
      expect(Math.abs(jv - dir.value)).toBeLessThan(1e-8 * (1 + Math.abs(dir.value)));
    }), { numRuns: 30 });
  });

  it('adjoint identity ⟨g, J v⟩ = ⟨Jᵀ g, v⟩ on wider networks and larger batches (to 1e-12)', () => {
    fc.assert(fc.property(seeds, activations, (seed, act) => {
      const { mlp, theta, rng } = instance(seed, act, 40);
      const T = 1 + rng.int(70);
      const x = normals(rng, T * mlp.inputDim);
      const g = normals(rng, T * mlp.outputDim), v = normals(rng, mlp.numParams);
      mlp.forward(theta, x, T);
      const jv = new Float64Array(T * mlp.outputDim), jtg = new Float64Array(mlp.numParams);
      mlp.jvp(theta, v, jv);
      mlp.vjp(theta, g, jtg);
      const a = jv.reduce((s, y, i) => s + g[i]! * y, 0), b = jtg.reduce((s, y, i) => s + v[i]! * y, 0);
      let scale = 0;
      jv.forEach((y, i) => { scale += Math.abs(g[i]! * y); });
      expect(Math.abs(a - b)).toBeLessThan(1e-12 * (1 + scale));
    }), { numRuns: 30 });
  });

  it('workspaces are reused: a smaller batch after a larger one gives the same numbers as a fresh network', () => {
    const { mlp, theta, rng } = instance(7, 'swish', 6);
    const big = normals(rng, 50 * mlp.inputDim), small = big.slice(0, 3 * mlp.inputDim);
    mlp.forward(theta, big, 50);
    const a = Float64Array.from(mlp.forward(theta, small, 3));
    const fresh = new Mlp(mlp.sizes, 'swish');
    expect(Array.from(fresh.forward(theta, small, 3))).toEqual(Array.from(a));
  });

  it('negative control: tanh with a missing derivative is rejected by the dual-number VJP and JVP checks and by Ridders', () => {
    let rejectedVjp = 0, rejectedJvp = 0, rejectedFd = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const inst = instance(seed, brokenTanh);
      const { mlp, theta, x, T, rng } = inst;
      if (mlp.layers.length < 2) continue; // no hidden layer: nothing to break
      const g = normals(rng, T * mlp.outputDim), v = normals(rng, mlp.numParams);
      mlp.forward(theta, x, T);
      const gTheta = new Float64Array(mlp.numParams);
      mlp.vjp(theta, g, gTheta);
      if (rel(gTheta, dualGradient(inst, g).gTheta, 1) > 1e-3) rejectedVjp++;
      const out = new Float64Array(T * mlp.outputDim);
      mlp.jvp(theta, v, out);
      if (rel(out, dualJvp(inst, v).df, 1) > 1e-3) rejectedJvp++;
      const fd = gradientByDifferences((th) => mlp.forward(th, x, T).reduce((s, y, i) => s + g[i]! * y, 0), theta, 0.05);
      if (rel(gTheta, fd.value, 1) > 1e-3) rejectedFd++;
      expect(rejectedVjp + rejectedJvp + rejectedFd).toBeGreaterThan(0);
    }
    // every instance with a hidden layer is caught by all three
    const withHidden = Array.from({ length: 10 }, (_, i) => instance(i + 1, brokenTanh)).filter((i) => i.mlp.layers.length >= 2).length;
    expect(withHidden).toBeGreaterThan(3);
    expect([rejectedVjp, rejectedJvp, rejectedFd]).toEqual([withHidden, withHidden, withHidden]);
  });
});

describe('MLP initialization', () => {
  it('orthogonal: W Wᵀ = gain² I (rows) or WᵀW = gain² I (columns); last layer ×0.01 by default; biases 0', () => {
    const mlp = new Mlp([7, 12, 5, 3], 'tanh');
    const theta = initMlp(mlp, Rng.from(3));
    mlp.layers.forEach(({ nIn, nOut, w, b }, l) => {
      const gain = l === mlp.layers.length - 1 ? 0.01 : Math.SQRT2;
      const rows = nOut <= nIn;
      const n = rows ? nOut : nIn;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        if (rows) for (let k = 0; k < nIn; k++) s += theta[w + i * nIn + k]! * theta[w + j * nIn + k]!;
        else for (let k = 0; k < nOut; k++) s += theta[w + k * nIn + i]! * theta[w + k * nIn + j]!;
        expect(Math.abs(s - (i === j ? gain * gain : 0))).toBeLessThan(1e-13);
      }
      for (let j = 0; j < nOut; j++) expect(theta[b + j]).toBe(0);
    });
    expect(Array.from(initMlp(mlp, Rng.from(3)))).toEqual(Array.from(theta));
    expect(Array.from(initMlp(mlp, Rng.from(4)))).not.toEqual(Array.from(theta));
  });

  it('gaussian: the sample variance of a 256×256 layer is gain²/n_in (6σ, α ≈ 2e-9; detects a 3.5% scale error)', () => {
    const mlp = new Mlp([256, 256, 1], 'relu');
    const theta = initMlp(mlp, Rng.from(11), { scheme: 'gaussian', hiddenGain: 2 });
    const { w, nIn, nOut } = mlp.layers[0]!;
    let s = 0;
    for (let k = 0; k < nIn * nOut; k++) s += theta[w + k]! ** 2;
    const ratio = s / (nIn * nOut) / (4 / 256);
    // the mean of N = 65536 χ²₁/N has relative sd √(2/N) = 0.0055
    expect(Math.abs(ratio - 1)).toBeLessThan(6 * Math.sqrt(2 / 65536));
  });

  it('bad input: typed errors naming the place', () => {
    expectError(() => new Mlp([3]), 'NN_ARCHITECTURE', 'sizes');
    expectError(() => new Mlp([3, 0, 1]), 'NN_ARCHITECTURE', 'sizes[1]');
    expectError(() => new Mlp([3, 4, 1], 'sigmoid' as ActivationName), 'NN_ARCHITECTURE', 'activation[0]', 'sigmoid');
    const mlp = new Mlp([2, 3, 1]);
    const theta = initMlp(mlp, Rng.from(1));
    expectError(() => mlp.forward(theta.subarray(1), new Float64Array(2), 1), 'POLICY_SHAPE', 'theta');
    expectError(() => mlp.forward(theta, Float64Array.of(0, NaN), 1), 'NN_INPUT', 'inputs[0][1]', 'NaN');
    expectError(() => mlp.vjp(Float64Array.from(theta), new Float64Array(1), new Float64Array(mlp.numParams)), 'NN_TAPE', 'forward');
    expectError(() => initMlp(mlp, Rng.from(1), { lastGain: -1 }), 'NN_ARCHITECTURE', 'gain of layer 1');
  });
});
