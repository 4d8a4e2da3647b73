// MLP policies over (prompt, prefix) features on the contextual bandit and the token MDP
// (issue 15, item 1): the exact ∇_w J by the chain rule (src/exact/neural.ts) against forward-
// mode dual numbers (an independent route), and RLOO with an MLP policy — its per-token
// coefficients through the categorical MLP head's score sum, a route independent of the exact
// side's pull-back — unbiased for ∇_w J: studentized max, Šidák, α = 1e-6, with Dr. GRPO's
// group mean (mean (1 − 1/G)∇_w J) rejected as the control.
import { describe, expect, it } from 'vitest';
import { aggregationWeights, sequenceToTokens } from '../../src/estimators/aggregation.js';
import { drGrpoAdvantages, rlooAdvantages } from '../../src/estimators/group.js';
import { logitPolicy, mlpTabularPolicy, neuralGradientForwardMode, neuralPolicyGradient, type MlpTabularPolicy } from '../../src/exact/neural.js';
import { BUILTIN_TOKEN_MDP_SPEC, builtinContextualBandit, builtinTokenMDP, contextualBanditFeatures, tokenFeatureDim, tokenMDPFeatures } from '../../src/mdp/library/index.js';
import type { FiniteMDP } from '../../src/mdp/model.js';
import { categoricalMlpPolicy } from '../../src/policy/categorical.js';
import { initMlp, Mlp } from '../../src/policy/mlp.js';
import { sampleGroups } from '../../src/sampling/groups.js';
import { buildSamplerTables } from '../../src/sampling/tables.js';
import { Rng } from '../../src/stats/rng.js';
import { meanCheck } from '../../src/verify/sampled.js';

function mlpOn(mdp: FiniteMDP, features: Float64Array, d: number, seed: string): MlpTabularPolicy {
  const mlp = new Mlp([d, 6, mdp.numActions], 'tanh');
  return mlpTabularPolicy(mdp, mlp, initMlp(mlp, Rng.from(seed), { lastGain: 1 }), features);
}
const bandit = builtinContextualBandit(), token = builtinTokenMDP();
const banditMlp = () => mlpOn(bandit, contextualBanditFeatures(3), 3, 'mlp/bandit');
const tokenMlp = () => mlpOn(token, tokenMDPFeatures(BUILTIN_TOKEN_MDP_SPEC), tokenFeatureDim(BUILTIN_TOKEN_MDP_SPEC), 'mlp/token');

describe('MLP policies on the group problems', () => {
  it('the (prompt, prefix) features follow tokenMDP\'s state order: prompt, length, counts and last token read back from the state names', () => {
    const x = tokenMDPFeatures(BUILTIN_TOKEN_MDP_SPEC), d = tokenFeatureDim(BUILTIN_TOKEN_MDP_SPEC), names = token.stateNames!;
    expect(x.length).toBe(token.numStates * d);
    names.forEach((name, s) => {
      const row = Array.from(x.subarray(s * d, (s + 1) * d));
      if (name === 'end') { expect(row.every((v) => v === 0)).toBe(true); return; }
      const [prompt, prefix] = name.split('|') as [string, string], tokens = prefix === '' ? [] : prefix.split(' ');
      const last = tokens.length ? ['a', 'b'].indexOf(tokens[tokens.length - 1]!) : 2;
      expect(row, name).toEqual([prompt === 'short' ? 1 : 0, prompt === 'a-rich' ? 1 : 0, ...[0, 1, 2].map((k) => (k === tokens.length ? 1 : 0)),
        tokens.filter((t) => t === 'a').length / 3, tokens.filter((t) => t === 'b').length / 3, ...[0, 1, 2].map((k) => (k === last ? 1 : 0))]);
    });
  });

  it('∇_w J by the chain rule equals forward-mode dual numbers (no η, no Q, no VJP) to 1e-10 on both problems', () => {
    for (const [mdp, p] of [[bandit, banditMlp()], [token, tokenMlp()]] as const) {
      const exact = neuralPolicyGradient(mdp, p).grad, coords = [0, 3, 7, 11, 20, 30, p.mlp.numParams - 1];
      const fwd = neuralGradientForwardMode(mdp, p, coords);
      let scale = 0;
      for (const k of coords) scale = Math.max(scale, Math.abs(exact[k]!));
      expect(scale).toBeGreaterThan(1e-3);
      coords.forEach((k, i) => expect(Math.abs(fwd[i]! - exact[k]!), `w[${k}]`).toBeLessThan(1e-10 * Math.max(1, scale)));
      // control: the same comparison one coordinate off (the forward-mode values are indexed like coords) fails
      expect(coords.slice(1).some((k, i) => Math.abs(fwd[i]! - exact[k]!) > 1e-6)).toBe(true);
    }
  });

  it('RLOO with an MLP policy is unbiased for ∇_w J on the token MDP (α = 1e-6); Dr. GRPO\'s r − r̄ is rejected (control)', () => {
    const p = tokenMlp(), head = categoricalMlpPolicy(p.mlp), d0 = p.mlp.inputDim, target = neuralPolicyGradient(token, p).grad;
    const zp = logitPolicy(p), tables = buildSamplerTables(token, zp), B = 8, G = 3, T = 3, K = 1500, P = p.mlp.numParams;
    const run = (adv: (r: Float64Array, G: number) => Float64Array) => {
      const rng = Rng.from('group-mlp/rloo'), values = new Float64Array(K * P);
      let transitions = 0;
      for (let k = 0; k < K; k++) {
        const b = sampleGroups(token, zp, { prompts: B, groupSize: G, maxTokens: T }, rng, tables);
        const c = sequenceToTokens(adv(b.rewards, G), b.mask, T), w = aggregationWeights(b.mask, T, 'constant', B * G);
        let n = 0;
        for (let j = 0; j < b.mask.length; j++) n += b.mask[j]!;
        const obs = new Float64Array(n * d0), acts = new Int32Array(n), c_t = new Float64Array(n);
        for (let j = 0, t = 0; j < b.mask.length; j++) {
          if (!b.mask[j]) continue;
          obs.set(p.features.subarray(b.s_t[j]! * d0, (b.s_t[j]! + 1) * d0), t * d0);
          acts[t] = b.a_t[j]!; c_t[t] = c[j]! * w[j]!; t++;
        }
        values.set(head.scoreSum(p.theta, obs, n, acts, c_t), k * P);
        transitions += n;
      }
      return { batches: K, dim: P, values, transitions };
    };
    const norm = Math.hypot(...target);
    const ok = meanCheck('token-mdp, MLP: RLOO', run(rlooAdvantages), target, { alpha: 1e-6, relativeTo: { name: '‖∇_w J‖₂', value: norm } });
    expect(ok.passed, ok.note).toBe(true);
    expect(ok.stats!.minDetectable / norm).toBeLessThan(0.2); // resolution: a bias of 20% of ‖∇_w J‖ would be seen at power 0.9; the control's is 33%
    const control = meanCheck('token-mdp, MLP: Dr. GRPO', run(drGrpoAdvantages), target, { alpha: 1e-6 });
    expect(control.passed, control.note).toBe(false);
  });
});
