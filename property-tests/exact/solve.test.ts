import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluatePolicy, forgetSystemPlan, type SolverChoice } from '../../src/exact/evaluate.js';
import { policyGradient } from '../../src/exact/gradient.js';
import { benchmarkGridworld, garnet, gridworld } from '../../src/mdp/library/index.js';
import { createMDP, type FiniteMDP } from '../../src/mdp/model.js';
import { softmaxPolicy } from '../../src/policy/softmax.js';
import { Rng } from '../../src/stats/rng.js';
import { expectError, rel } from '../linalg/support.js';

const SOLVERS: SolverChoice[] = ['auto', 'sparse-direct', 'iterative'];

function randomPolicy(mdp: FiniteMDP, seed: number, scale = 1): Float64Array {
  const rng = Rng.from(seed);
  const theta = Float64Array.from({ length: mdp.numStates * mdp.numActions }, () => scale * rng.normal());
  return softmaxPolicy(mdp.numStates, mdp.numActions).probs(theta);
}

/** Every solver agrees with the dense LU on V, Q, η, d, J. */
function agree(mdp: FiniteMDP, pi: Float64Array, tol = 1e-10): void {
  const ref = evaluatePolicy(mdp, pi, { solver: 'dense' });
  for (const solver of SOLVERS) {
    const e = evaluatePolicy(mdp, pi, { solver });
    expect(rel(e.V, ref.V), `${solver} V`).toBeLessThan(tol);
    expect(rel(e.Q, ref.Q), `${solver} Q`).toBeLessThan(tol);
    expect(rel(e.eta, ref.eta), `${solver} eta`).toBeLessThan(tol);
    expect(rel(e.d, ref.d), `${solver} d`).toBeLessThan(tol);
    expect(Math.abs(e.J - ref.J)).toBeLessThan(tol * Math.max(1, Math.abs(ref.J)));
    expect(e.solve.residual).toBeLessThan(1e-9);
  }
}

describe('policy evaluation: every solver agrees with dense LU', () => {
  it('discounted Garnets, dense and sparse, with and without terminal states', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 130 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(1, 3, 1000), fc.constantFrom(0, 2), fc.constantFrom(0.5, 0.9, 0.99), fc.nat(), (S, A, br, nt, gamma, seed) => {
      if (nt >= S) return;
      const mdp = garnet({ states: S, actions: A, branching: br, gamma, seed, terminal: nt });
      agree(mdp, randomPolicy(mdp, seed));
    }), { seed: 31, numRuns: 30 });
  });

  it('γ = 1 episodic Garnets and gridworlds (every policy terminates)', () => {
    fc.assert(fc.property(fc.integer({ min: 3, max: 120 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom(0.05, 0.3), fc.nat(), (S, A, exit, seed) => {
      const mdp = garnet({ states: S, actions: A, branching: 3, gamma: 1, seed, terminal: 2, exitProbability: exit });
      agree(mdp, randomPolicy(mdp, seed), 1e-9);
    }), { seed: 32, numRuns: 20 });
    const grid = gridworld({ rows: 12, cols: 15, gamma: 1, stepReward: -1, terminals: [[0, 0], [11, 14]], slip: 0.2, initial: 'nonterminal' });
    agree(grid, randomPolicy(grid, 5), 1e-9);
  });

  it('the benchmark gridworld, where auto takes the sparse LU, and ∇J agrees too', () => {
    const mdp = benchmarkGridworld(25);
    const param = softmaxPolicy(mdp.numStates, 4);
    const rng = Rng.from(3);
    const theta = Float64Array.from({ length: mdp.numStates * 4 }, () => rng.normal());
    const ref = evaluatePolicy(mdp, param.probs(theta), { solver: 'dense' });
    const e = evaluatePolicy(mdp, param.probs(theta));
    expect(e.solve.method).toBe('sparse-lu');
    expect(rel(policyGradient(mdp, { param, theta }, e), policyGradient(mdp, { param, theta }, ref))).toBeLessThan(1e-10);
  });

  it('a dense MDP takes GMRES under auto, and falls back to LU when it mixes slowly', () => {
    const fast = garnet({ states: 200, actions: 3, branching: 200, gamma: 0.99, seed: 1 });
    const e = evaluatePolicy(fast, randomPolicy(fast, 1));
    expect(e.solve.method).toBe('gmres-dense');
    agree(fast, randomPolicy(fast, 2));
    // a nearly deterministic dense chain (sharp policy, nearly one-hot transitions) mixes slowly
    const rng = Rng.from(9);
    const S = 150;
    const P = new Float64Array(S * S * 2);
    for (let s = 0; s < S; s++) for (let a = 0; a < 2; a++) {
      const row = (s * 2 + a) * S;
      for (let t = 0; t < S; t++) P[row + t] = 1e-6 * (1 + rng.int(3));
      let tot = 0;
      for (let t = 0; t < S; t++) tot += P[row + t]!;
      P[row + ((s + 1 + a) % S)] += 1 - tot;
    }
    const slow = createMDP({ states: S, actions: 2, transitions: P, rewards: Float64Array.from({ length: 2 * S }, (_, i) => Math.cos(i)), gamma: 0.999, initial: new Array(S).fill(1 / S) });
    const pi = randomPolicy(slow, 4, 5);
    const es = evaluatePolicy(slow, pi);
    expect(es.solve.method).toBe('dense-lu');
    expect(es.solve.iterations[0]).toBeGreaterThan(0);   // the abandoned GMRES attempt is reported
    agree(slow, pi, 1e-9);
  });

  it('repeated evaluations reuse the cached analysis correctly; forgetSystemPlan drops it', () => {
    const mdp = benchmarkGridworld(20);
    for (let k = 0; k < 3; k++) {
      const pi = randomPolicy(mdp, 10 + k, 2);
      const ref = evaluatePolicy(mdp, pi, { solver: 'dense' });
      const e = evaluatePolicy(mdp, pi, { solver: 'sparse-direct' });
      expect(rel(e.V, ref.V)).toBeLessThan(1e-11);
      expect(rel(e.eta, ref.eta)).toBeLessThan(1e-11);
      if (k === 1) forgetSystemPlan(mdp);
    }
  });
});

describe('policy evaluation: error paths', () => {
  /** γ = 1; state 2 is unreachable from p0 and loops on itself forever: I − P_π is singular. */
  function singularEpisodic(): FiniteMDP {
    return createMDP({
      states: 4, actions: 1,
      transitions: [[[0, 0.5, 0, 0.5]], [[0.5, 0, 0, 0.5]], [[0, 0, 1, 0]], [[0, 0, 0, 1]]],
      rewards: [[1], [1], [1], [0]], gamma: 1, initial: [1, 0, 0, 0], terminal: [3],
    });
  }

  it('an unreachable closed class (I − P_π singular there) is refused before any solve, whatever the solver', () => {
    // state 2 loops forever and p0 never reaches it: V(2) is undefined, so evaluatePolicy says so
    // (MDP_NOT_TERMINATING naming the state) instead of solving; the solvers' own SOLVER_SINGULAR
    // paths on singular matrices are tested in property-tests/linalg (dense, sparse-lu)
    const mdp = singularEpisodic();
    const pi = new Float64Array([1, 1, 1, 1]);
    for (const solver of ['auto', 'dense', 'sparse-direct', 'iterative'] as const) {
      const e = expectError(() => evaluatePolicy(mdp, pi, { solver }), 'MDP_NOT_TERMINATING');
      expect(e.message).toContain('state 2');
    }
  });

  it('a reachable non-terminating state still throws MDP_NOT_TERMINATING first', () => {
    const mdp = createMDP({
      states: 3, actions: 1, transitions: [[[0, 1, 0]], [[0, 1, 0]], [[0, 0, 1]]],
      rewards: [[1], [1], [0]], gamma: 1, initial: [1, 0, 0], terminal: [2],
    });
    for (const solver of ['dense', 'sparse-direct', 'iterative'] as const) expectError(() => evaluatePolicy(mdp, new Float64Array([1, 1, 1]), { solver }), 'MDP_NOT_TERMINATING');
  });
});

describe('evaluation outputs and the softmax gradient', () => {
  it('small evaluations share a pool but never each other\'s entries', () => {
    const mdp = garnet({ states: 10, actions: 4, branching: 10, gamma: 0.99, seed: 1 });
    const e1 = evaluatePolicy(mdp, randomPolicy(mdp, 1));
    const snapshot = [e1.V, e1.Q, e1.A, e1.eta, e1.d].map((x) => Array.from(x));
    for (let k = 0; k < 200; k++) evaluatePolicy(mdp, randomPolicy(mdp, 2 + k));   // crosses pool chunks
    [e1.V, e1.Q, e1.A, e1.eta, e1.d].forEach((x, i) => expect(Array.from(x)).toEqual(snapshot[i]));
    e1.V[0] = 123;
    expect(e1.eta[e1.eta.length - 1]).toBe(snapshot[3]![9]);
  });

  it('the gradient from the evaluated table equals the generic addDProbs route bit for bit', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 2, max: 5 }), fc.nat(), (S, A, seed) => {
      const mdp = garnet({ states: S, actions: A, branching: 3, gamma: 0.9, seed });
      const param = softmaxPolicy(S, A);
      const rng = Rng.from(seed);
      const theta = Float64Array.from({ length: S * A }, () => 3 * rng.normal());
      const ev = evaluatePolicy(mdp, param.probs(theta));
      const fast = policyGradient(mdp, { param, theta }, ev);
      const generic = policyGradient(mdp, { param, theta }, { ...ev });   // a plain object: no table, generic route
      expect(Array.from(fast)).toEqual(Array.from(generic));
      // negative control: the gradient of another policy differs
      const other = policyGradient(mdp, { param, theta: theta.map((x) => x + 0.5 * Math.sin(x)) });
      expect(rel(other, generic)).toBeGreaterThan(1e-6);
    }), { seed: 33, numRuns: 30 });
  });
});

describe('unconverged iterative solves throw, never return numbers', () => {
  it('an unreachable tolerance ends in SOLVER_NOT_CONVERGED (after the fallback also fails)', () => {
    const mdp = garnet({ states: 60, actions: 2, branching: 3, gamma: 0.99, seed: 3 });
    const pi = randomPolicy(mdp, 4);
    expectError(() => evaluatePolicy(mdp, pi, { solver: 'iterative', tol: 1e-30 }), 'SOLVER_NOT_CONVERGED');
    // the same call with a reachable tolerance works (the control)
    expect(evaluatePolicy(mdp, pi, { solver: 'iterative' }).solve.residual).toBeLessThan(1e-12);
  });

  it('the ILU(0) BiCGSTAB kernel throws when its iteration budget runs out', async () => {
    const { bicgstab } = await import('../../src/linalg/iterative.js');
    const { gridChainMatrix, randomVector } = await import('../linalg/support.js');
    const A = gridChainMatrix(20, 20, 0.999, 1);
    expectError(() => bicgstab(A, randomVector(400, 2), { maxIter: 2 }), 'SOLVER_NOT_CONVERGED');
    expect(bicgstab(A, randomVector(400, 2)).residual).toBeLessThan(1e-11);
  });
});
