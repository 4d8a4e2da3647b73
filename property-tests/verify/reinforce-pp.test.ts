// REINFORCE++'s batch normalization of advantages (Hu 2025), its bias computed exactly: every
// batch of B groups of G enumerated (exactBatchMean, src/verify/claims/group.ts), the batch
// enumerator itself checked against closed forms (RLOO: ∇J; Dr. GRPO: (1 − 1/G)∇J), the
// bias stated as the part of E[ĝ] that is not a multiple of ∇J, and the sampled estimator
// matched to the enumerated mean (studentized max, Šidák, α = 1e-6), with its control (the
// same estimates against the best multiple κ∇J: "unbiased up to scale") rejected.
import { describe, expect, it } from 'vitest';
import { drGrpoAdvantages, reinforcePlusPlusAdvantages, rlooAdvantages } from '../../src/estimators/group.js';
import { BUILTIN_TOKEN_MDP_SPEC, tokenMDP } from '../../src/mdp/library/index.js';
import { softmaxPolicy } from '../../src/policy/softmax.js';
import { sampleGroups } from '../../src/sampling/groups.js';
import { buildSamplerTables } from '../../src/sampling/tables.js';
import { Rng } from '../../src/stats/rng.js';
import { binaryBanditInstance, exactBatchMean, groupGradient, groupInstance, type GroupAdvantages } from '../../src/verify/claims/group.js';
import { meanCheck } from '../../src/verify/sampled.js';

const norm = (a: ArrayLike<number>) => Math.hypot(...Array.from(a));
const dist = (a: ArrayLike<number>, b: ArrayLike<number>) => norm(Array.from(a, (v, k) => v - b[k]!));
/** The multiple κg closest to m (least squares). */
const bestMultiple = (m: ArrayLike<number>, g: ArrayLike<number>) => { let mg = 0, gg = 0; for (let k = 0; k < g.length; k++) { mg += m[k]! * g[k]!; gg += g[k]! ** 2; } return Float64Array.from(g, (v) => (mg / gg) * v); };

/** A token MDP with responses of at most 2 tokens (7 per prompt) and the built-in's graded rewards, with a seeded softmax policy. */
function miniToken() {
  const mdp = tokenMDP({ ...BUILTIN_TOKEN_MDP_SPEC, maxTokens: 2, reward: (q, t) => (q === 0 ? 1 - t.length / 2 : t.filter((x) => x === 0).length / 2) });
  const rng = Rng.from('rpp');
  return groupInstance('mini token MDP', mdp, { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta: Float64Array.from({ length: mdp.numStates * mdp.numActions }, () => 0.7 * rng.normal()) });
}
const RPP: GroupAdvantages = (r, G) => reinforcePlusPlusAdvantages(r, G);
const RPP_BASELINE: GroupAdvantages = (r, G) => reinforcePlusPlusAdvantages(r, G, true);

describe('REINFORCE++: the bias of batch-normalized advantages, exactly', () => {
  it('the batch enumerator reproduces the closed forms (RLOO: ∇J; Dr. GRPO at G = 2: ½∇J) to 1e-12; REINFORCE++ through it is no multiple of ∇J (control)', () => {
    for (const x of [miniToken(), binaryBanditInstance()]) {
      expect(dist(exactBatchMean(x, 2, 2, rlooAdvantages), x.grad) / norm(x.grad)).toBeLessThan(1e-12);
      expect(dist(exactBatchMean(x, 2, 2, drGrpoAdvantages), x.grad.map((g) => 0.5 * g)) / norm(x.grad)).toBeLessThan(1e-12);
      // control: REINFORCE++ through the same enumerator is not ∇J up to any scale
      const m = exactBatchMean(x, 2, 2, RPP);
      expect(dist(m, bestMultiple(m, x.grad)) / norm(m)).toBeGreaterThan(1e-3);
    }
  });

  it('E[ĝ] is not a multiple of ∇J: 12% of its norm off on the token MDP (B = 2, G = 2), 0.6% on the 0/1 bandit (B = 3, G = 2); REINFORCE++-baseline is exactly a multiple there at G = 2', () => {
    const x = miniToken(), m = exactBatchMean(x, 2, 2, RPP);
    expect(dist(m, bestMultiple(m, x.grad)) / norm(m)).toBeGreaterThan(0.1); // measured 0.120
    const y = binaryBanditInstance(), mb = exactBatchMean(y, 3, 2, RPP), mbb = exactBatchMean(y, 3, 2, RPP_BASELINE);
    expect(dist(mb, bestMultiple(mb, y.grad)) / norm(mb)).toBeGreaterThan(0.003); // measured 0.0060
    expect(dist(mbb, bestMultiple(mbb, y.grad)) / norm(mbb)).toBeLessThan(1e-12);
  });

  it('the sampled REINFORCE++ matches its enumerated mean (α = 1e-6); against the best multiple κ∇J it is rejected (control)', () => {
    const x = miniToken(), B = 2, G = 2, K = 20_000, d = x.policy.param.numParams;
    const m = exactBatchMean(x, B, G, RPP), tables = buildSamplerTables(x.mdp, x.policy), rng = Rng.from('reinforce-pp/sampled');
    const values = new Float64Array(K * d);
    let transitions = 0;
    for (let k = 0; k < K; k++) {
      const b = sampleGroups(x.mdp, x.policy, { prompts: B, groupSize: G, maxTokens: 2 }, rng, tables);
      for (const len of b.lengths) transitions += len;
      values.set(groupGradient(x.policy, b, RPP, { mode: 'constant', perResponse: 1 }), k * d);
    }
    const est = { batches: K, dim: d, values, transitions };
    const ok = meanCheck('mini token MDP: REINFORCE++ against its enumerated mean', est, m, { alpha: 1e-6, relativeTo: { name: '‖E ĝ‖₂', value: norm(m) } });
    expect(ok.passed, ok.note).toBe(true);
    expect(ok.stats!.minDetectable / norm(m)).toBeLessThan(0.06); // resolution at power 0.9: half the 12% bias
    const control = meanCheck('mini token MDP: REINFORCE++ against κ∇J', est, bestMultiple(m, x.grad), { alpha: 1e-6 });
    expect(control.passed, control.note).toBe(false);
  });
});
