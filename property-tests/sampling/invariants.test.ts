// Every batch the samplers produce keeps the Batch contract, on random MDPs (discounted and
// episodic), random policies of every kind, random behaviour policies and stopping rules:
// validateBatch passes; terminated_t = 1 exactly when s_tp1 is terminal; a truncation
// happens exactly at the time limit or (with geometric stopping) anywhere, never otherwise;
// t_index counts 0, 1, … within each episode; ids are 0 … N−1; every action and next state
// has positive probability; logp_t is the behaviour's log-probability; r_t = r(s,a).
// Under a behaviour policy the visitation is the behaviour's (statistical, ALPHA).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryMDPAndPolicy, arbitraryPolicy } from '../../src/arbitraries/index.js';
import { evaluatePolicy } from '../../src/exact/evaluate.js';
import { chain, transitionProbability } from '../../src/mdp/index.js';
import { validateBatch, type Batch } from '../../src/sampling/batch.js';
import { sampleEpisodes } from '../../src/sampling/episodes.js';
import type { Policy } from '../../src/policy/types.js';
import type { FiniteMDP } from '../../src/mdp/model.js';
import { countsTest, expectPass, expectReject, perEpisodeCounts, randomSoftmax, stateActionCounts } from './helpers.js';

/** The contract violations of a batch of N episodes (empty when there is none). */
function violations(b: Batch, mdp: FiniteMDP, mu: Policy, N: number, maxSteps: number | undefined, geometric: boolean): string[] {
  const errs: string[] = [];
  const A = mdp.numActions;
  const pi = mu.param.probs(mu.theta);
  let id = 0;
  for (let i = 0; i < b.size; i++) {
    const first = i === 0 || b.episode_t[i] !== b.episode_t[i - 1];
    if (first && b.episode_t[i] !== (i === 0 ? 0 : ++id)) errs.push(`episode id ${b.episode_t[i]} at ${i}, expected ${id}`);
    if (b.t_index[i] !== (first ? 0 : b.t_index[i - 1]! + 1)) errs.push(`t_index ${b.t_index[i]} at ${i}`);
    if (b.terminated_t[i] !== mdp.terminal[b.s_tp1[i]!]) errs.push(`terminated_t ${b.terminated_t[i]} at ${i} but s_tp1 = ${b.s_tp1[i]}`);
    if (b.truncated_t[i] && !geometric && b.t_index[i]! + 1 !== maxSteps) errs.push(`truncation at t = ${b.t_index[i]} (limit ${maxSteps})`);
    if (!b.terminated_t[i] && !b.truncated_t[i] && maxSteps !== undefined && b.t_index[i]! + 1 >= maxSteps) errs.push(`no truncation at the limit, index ${i}`);
    if (!(pi[b.s_t[i]! * A + b.a_t[i]!]! > 0)) errs.push(`action ${b.a_t[i]} has probability 0 in state ${b.s_t[i]}`);
    if (!(transitionProbability(mdp, b.s_t[i]!, b.a_t[i]!, b.s_tp1[i]!) > 0)) errs.push(`impossible transition at ${i}`);
    const lp = mu.param.logProb(mu.theta, b.s_t[i]!, b.a_t[i]!);
    if (Math.abs(b.logp_t[i]! - lp) > 1e-12 * Math.max(1, Math.abs(lp))) errs.push(`logp_t ${b.logp_t[i]} ≠ ${lp} at ${i}`);
    if (b.r_t[i] !== mdp.rewards[b.s_t[i]! * A + b.a_t[i]!]) errs.push(`r_t at ${i}`);
  }
  if (b.size > 0 && id + 1 !== N) errs.push(`${id + 1} episodes, expected ${N}`);
  return errs;
}

const stopping = fc.record({ maxSteps: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }), geometric: fc.boolean() });

describe('every sampled batch keeps the contract', () => {
  it('random MDPs, policies, behaviour policies and stopping rules', () => {
    fc.assert(
      fc.property(
        arbitraryMDPAndPolicy({ regime: 'any', maxStates: 6, maxActions: 4 }).chain((x) => fc.tuple(fc.constant(x), fc.option(arbitraryPolicy(x.mdp.numStates, x.mdp.numActions), { nil: undefined }))),
        stopping, fc.integer({ min: 1, max: 70 }), fc.nat(),
        ([{ mdp, policy }, behaviour], stop, N, seed) => {
          const spec = behaviour ? { mdp, policy, behaviour } : { mdp, policy };
          let b: Batch;
          try {
            b = sampleEpisodes(spec, { episodes: N, seed, ...(stop.maxSteps ? { maxSteps: stop.maxSteps } : {}), geometric: stop.geometric });
          } catch (e) {
            // without a time limit or geometric stopping (γ < 1), a policy that may loop forever is refused, never sampled
            expect((e as { code?: string }).code).toBe('SAMPLING_UNBOUNDED');
            expect(stop.maxSteps === undefined && !(stop.geometric && mdp.gamma < 1)).toBe(true);
            return;
          }
          validateBatch(b);
          expect(violations(b, mdp, behaviour ?? policy, N, stop.maxSteps, stop.geometric)).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('negative control: the checker finds a time-limit cut flagged as termination and a shifted log-probability', () => {
    const mdp = chain();
    const mu = randomSoftmax(mdp, 1);
    const b = sampleEpisodes({ mdp, policy: mu }, { episodes: 20, seed: 1, maxSteps: 6 });
    expect(violations(b, mdp, mu, 20, 6, false)).toEqual([]);
    const bad = { ...b, terminated_t: b.truncated_t.slice(), truncated_t: new Uint8Array(b.size) };
    expect(violations(bad, mdp, mu, 20, 6, false).some((e) => e.startsWith('terminated_t'))).toBe(true);
    const shifted = { ...b, logp_t: b.logp_t.map((x) => x + 1e-9) };
    expect(violations(shifted, mdp, mu, 20, 6, false).some((e) => e.startsWith('logp_t'))).toBe(true);
  });
});

describe('a behaviour policy collects the batch', () => {
  const mdp = chain();
  const policy = randomSoftmax(mdp, 1), behaviour = randomSoftmax(mdp, 2);
  const counts = (p: Policy) => { const t = p.param.probs(p.theta); return stateActionCounts(evaluatePolicy(mdp, t).eta, t, mdp.numActions); };
  it('visits follow the behaviour policy μ (η_μ·μ), not the evaluated π; logp_t = log μ', () => {
    const b = sampleEpisodes({ mdp, policy, behaviour }, { episodes: 30_000, seed: 5, geometric: true });
    const rows = perEpisodeCounts(b);
    expectPass(countsTest(rows, counts(behaviour)), 'behaviour visitation');
    expectReject(countsTest(rows, counts(policy)), 'evaluated-policy visitation');
    for (let i = 0; i < 50; i++) expect(b.logp_t[i]).toBe(behaviour.param.logProb(behaviour.theta, b.s_t[i]!, b.a_t[i]!));
  });
});
