import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GROUP_VARIANTS, runGrpo, type GroupGradientEvent, type GroupVariant } from '../../src/algorithms/grpo.js';
import { main } from '../../src/cli/main.js';
import { isPgTruthError } from '../../src/errors.js';
import { enumerateResponses } from '../../src/exact/responses.js';
import { drGrpoAdvantages, grpoAdvantages, rlooAdvantages } from '../../src/estimators/group.js';
import { builtinContextualBandit, builtinMDP, builtinTokenMDP, contextualBandit } from '../../src/mdp/library/index.js';
import { withChanges } from '../../src/mdp/model.js';
import { softmaxPolicy } from '../../src/policy/softmax.js';
import { groupGradient, type Aggregation, type GroupAdvantages } from '../../src/verify/claims/group.js';
import { defaultClaims, grpoIntegrationClaim } from '../../src/verify/claims/index.js';

const bandit = builtinContextualBandit(), token = builtinTokenMDP();
/** a = −b entry by entry, exactly (=== : 0 and −0 are the same number). */
const isNegationOf = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, k) => v === -b[k]!);

/** The estimator each variant's first update must equal: advantages and aggregation of src/verify/claims/group.ts. */
const ESTIMATOR: Record<GroupVariant, { adv: GroupAdvantages; agg: (T: number) => Aggregation }> = {
  grpo: { adv: (r, G) => grpoAdvantages(r, G), agg: () => ({ mode: 'sequence-mean' }) },
  'dr-grpo': { adv: drGrpoAdvantages, agg: (T) => ({ mode: 'constant', perResponse: T }) },
  rloo: { adv: rlooAdvantages, agg: () => ({ mode: 'constant', perResponse: 1 }) },
};

describe('the GRPO learner', () => {
  it('each variant improves the exact J on the contextual bandit within 30 updates (seed 3); with lr 0 (control) J does not move', () => {
    for (const variant of GROUP_VARIANTS) {
      const c = runGrpo(bandit, { updates: 30 }, { seed: 3, variant }).curve;
      const J0 = c.records[0]!.J, J = c.records[30]!.J;
      expect(J0).toBeCloseTo(0.4075, 12); // the uniform policy: Σ_q ρ(q) mean_o r(q,o), by hand
      expect(J - J0, variant).toBeGreaterThan(0.1); // measured 0.19–0.21 of the 0.2825 available
      const still = runGrpo(bandit, { updates: 3, lr: 0 }, { seed: 3, variant }).curve;
      expect(still.records[3]!.J).toBe(J0);
    }
  });

  it('the first update is the verified group estimator on the same batch, bit for bit (claim learners.grpo-first-update-is-the-estimator, in the default report); the control is rejected on every instance', async () => {
    expect(defaultClaims().map((c) => c.id)).toContain(grpoIntegrationClaim.id);
    const checks = await grpoIntegrationClaim.run({ seed: 7, scale: 1 });
    expect(checks).toHaveLength(6);
    for (const c of checks) expect(c.passed, `${c.instance}: ${c.note}`).toBe(true);
    for (const c of await grpoIntegrationClaim.control.run({ seed: 7, scale: 1 })) expect(c.passed, `${c.instance}: ${c.note}`).toBe(false);
  });

  it('the second epoch is not the estimator at θ_1 on the same batch (the ratio and the KL term act)', () => {
    for (const [mdp, T] of [[bandit, 1], [token, 3]] as const) {
      for (const variant of GROUP_VARIANTS) {
        const events: GroupGradientEvent[] = [];
        runGrpo(mdp, { updates: 1, epochs: 2, lr: 0.3, prompts: 4, group: 4 }, { seed: 7, variant, probe: (e) => events.push(e) });
        const second = events[1]!, policy = { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta: second.theta };
        expect(isNegationOf(second.direction, groupGradient(policy, second.batch, ESTIMATOR[variant].adv, ESTIMATOR[variant].agg(T)))).toBe(false);
      }
    }
  });

  it('the curve\'s KL to the reference is the exact sequence-level KL(π_θ‖π_ref), computed independently from the enumerated responses; 0 at n = 0', () => {
    for (const mdp of [bandit, token]) {
      const r = runGrpo(mdp, { updates: 5, lr: 0.2 }, { seed: 1, variant: 'rloo' });
      const recs = r.curve.records;
      expect(recs[0]!.extra!['klRef']).toBe(0);
      // Σ_q ρ(q) Σ_o π(o|q) log(π(o|q)/π_ref(o|q)); π_ref uniform, so π_ref(o|q) = Π_t 1/A
      const table = enumerateResponses(mdp, r.policy);
      let kl = 0;
      table.responses.forEach((list, qi) => { for (const o of list) kl += table.promptProbs[qi]! * o.probability * Math.log(o.probability * mdp.numActions ** o.s_t.length); });
      expect(kl).toBeGreaterThan(0.01);
      expect(Math.abs(recs[5]!.extra!['klRef']! - kl)).toBeLessThan(1e-12 * Math.max(1, kl) + 1e-14);
    }
  });

  it('refuses γ < 1, an unknown variant, and a cyclic MDP without maxTokens with LEARNER_OPTIONS', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => runGrpo(withChanges(bandit, { gamma: 0.9 }), {}, { seed: 0 }), /γ is 0.9/],
      [() => runGrpo(bandit, {}, { seed: 0, variant: 'ppo' as GroupVariant }), /variant is "ppo"/],
      [() => runGrpo(bandit, { group: 1 }, { seed: 0 }), /group is 1/],
      [() => runGrpo(contextualBandit({ prompts: 1, responses: 2, rewards: [[1, 0]] }), { maxTokens: 1.5 }, { seed: 0 }), /maxTokens is 1.5/],
      [() => runGrpo(builtinMDP('gridworld-4x4'), {}, { seed: 0 }), /cannot be enumerated.*give maxTokens/],
    ];
    for (const [f, re] of cases) {
      let err: unknown;
      try { f(); } catch (e) { err = e; }
      expect(isPgTruthError(err, 'LEARNER_OPTIONS'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(re);
    }
  });

  it('pgtruth train --algo grpo --variant all --json --html: three curves with the exact KL to π_ref, one page', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgtruth-grpo-')), file = join(dir, 'g.html');
    let out = '', err = '';
    const code = await main(['train', 'builtin:bandit-contextual', '--algo', 'grpo', '--variant', 'all', '--updates', '3', '--group', '4', '--beta', '0.1', '--json', '--html', file], (s) => { out += s; }, (s) => { err += s; });
    expect(code, err).toBe(0);
    const lines = out.trim().split('\n').map((x) => JSON.parse(x));
    expect(lines).toHaveLength(3 * 4 + 3);
    expect(lines.filter((l) => l.summary).map((l) => l.summary.variant)).toEqual(['grpo', 'dr-grpo', 'rloo']);
    expect(lines[0].extra.klRef).toBe(0);
    expect(lines[1].extra.klRef).toBeGreaterThan(0);
    const html = readFileSync(file, 'utf8');
    for (const s of ['Exact KL of πₙ to the reference', 'dr-grpo', 'V(easy)', '<svg']) expect(html).toContain(s);
    let e2 = '';
    expect(await main(['train', 'builtin:bandit-contextual', '--algo', 'grpo', '--variant', 'x'], () => {}, (s) => { e2 += s; })).toBe(2);
    expect(e2).toMatch(/CLI_USAGE.*--variant "x"/);
  });
});
