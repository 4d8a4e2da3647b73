// Every invalid sampling request is a typed error naming the offending field and value.
import { describe, it } from 'vitest';
import { chain, garnet, gridworld, suttonBartoGridworld4x4 } from '../../src/mdp/index.js';
import { directPolicy } from '../../src/policy/direct.js';
import { softmaxPolicy } from '../../src/policy/softmax.js';
import { sampleEpisodes } from '../../src/sampling/episodes.js';
import { mapBatchesSync } from '../../src/sampling/map.js';
import { SegmentCollector } from '../../src/sampling/segments.js';
import { policyToWire } from '../../src/sampling/wire.js';
import { expectError } from '../helpers.js';
import { randomSoftmax } from './helpers.js';

const mdp = chain();
const spec = { mdp, policy: randomSoftmax(mdp, 1) };
const ok = { episodes: 3, seed: 1, maxSteps: 5 };

describe('sampling errors', () => {
  it('SAMPLING_COUNT: episodes, envs, batches that are not positive integers', () => {
    for (const episodes of [0, -1, 1.5, NaN, Infinity, '3' as unknown as number]) expectError(() => sampleEpisodes(spec, { ...ok, episodes }), 'SAMPLING_COUNT', 'episodes is');
    expectError(() => new SegmentCollector(spec, { envs: 0, length: 3, seed: 1 }), 'SAMPLING_COUNT', 'envs is 0');
    expectError(() => new SegmentCollector(spec, { envs: 10_000, length: 10_000, seed: 1 }), 'SAMPLING_COUNT', 'envs × length is 100000000');
    expectError(() => mapBatchesSync(spec, { source: { kind: 'episodes', episodes: 2, maxSteps: 3 }, batches: 0, seed: 1 }, () => 1), 'SAMPLING_COUNT', 'plan.batches is 0');
    expectError(() => mapBatchesSync(spec, { source: { kind: 'segments', envs: 2, length: 3, skip: -1 }, batches: 1, seed: 1 }, () => 1), 'SAMPLING_COUNT', 'skip is -1');
    expectError(() => sampleEpisodes(spec, { ...ok, maxTransitions: 0 }), 'SAMPLING_COUNT', 'maxTransitions is 0');
  });

  it('SAMPLING_HORIZON: time limits and segment lengths', () => {
    for (const maxSteps of [0, 2.5, -3]) expectError(() => sampleEpisodes(spec, { ...ok, maxSteps }), 'SAMPLING_HORIZON', `options.maxSteps is ${maxSteps}`);
    expectError(() => new SegmentCollector(spec, { envs: 2, length: 0, seed: 1 }), 'SAMPLING_HORIZON', 'length is 0');
  });

  it('SAMPLING_POLICY and POLICY_*: a policy of the wrong shape or with invalid parameters', () => {
    expectError(() => sampleEpisodes({ mdp, policy: { param: softmaxPolicy(4, 2), theta: new Float64Array(8) } }, ok), 'SAMPLING_POLICY', 'policy is defined on 4 states × 2 actions, the MDP has 5 × 2');
    expectError(() => sampleEpisodes({ ...spec, behaviour: { param: softmaxPolicy(5, 3), theta: new Float64Array(15) } }, ok), 'SAMPLING_POLICY', 'behaviour is defined on 5 states × 3 actions');
    expectError(() => sampleEpisodes({ mdp, policy: { theta: [1, 2] } as never }, ok), 'SAMPLING_POLICY', 'expected {param, theta}');
    expectError(() => sampleEpisodes({ mdp, policy: { param: softmaxPolicy(5, 2), theta: Float64Array.from({ length: 10 }, (_, i) => (i === 3 ? NaN : 0)) } }, ok), 'POLICY_NOT_FINITE', 'logits[1][1]');
    expectError(() => sampleEpisodes({ mdp, policy: { param: directPolicy(5, 2), theta: new Float64Array(10).fill(0.6) } }, ok), 'POLICY_NOT_DISTRIBUTION', 'probs[0] sums to 1.2');
    const alien = { param: { ...softmaxPolicy(5, 2), kind: 'neural' as never }, theta: new Float64Array(10) };
    expectError(() => policyToWire(alien), 'SAMPLING_POLICY', 'kind "neural" cannot be sent to a worker');
  });

  it('SAMPLING_OPTIONS: unknown or ill-typed options and seeds', () => {
    expectError(() => sampleEpisodes(spec, { ...ok, maxstep: 3 } as never), 'SAMPLING_OPTIONS', 'unknown option "maxstep"');
    expectError(() => sampleEpisodes(spec, { ...ok, geometric: 'yes' as never }), 'SAMPLING_OPTIONS', 'geometric is "yes"');
    expectError(() => sampleEpisodes(spec, { ...ok, seed: -1 }), 'SAMPLING_OPTIONS', 'seed is -1');
    expectError(() => sampleEpisodes({ ...spec, extra: 1 } as never, ok), 'SAMPLING_OPTIONS', 'unknown option "extra"');
    expectError(() => sampleEpisodes({ mdp: {} as never, policy: spec.policy }, ok), 'SAMPLING_OPTIONS', 'spec.mdp');
    expectError(() => mapBatchesSync(spec, { source: { kind: 'steps' } as never, batches: 1, seed: 1 }, () => 1), 'SAMPLING_OPTIONS', 'kind is "steps"');
  });

  it('SAMPLING_UNBOUNDED: episodes that could run forever are refused, naming a state', () => {
    expectError(() => sampleEpisodes(spec, { episodes: 3, seed: 1 }), 'SAMPLING_UNBOUNDED', 'state 0', 'set maxSteps');
    // the 4×4 gridworld ends at its corners, but under "always up" state (0,1) bumps into the wall forever
    const g = suttonBartoGridworld4x4();
    const up = new Float64Array(64);
    for (let s = 0; s < 16; s++) up[s * 4] = 1;
    expectError(() => sampleEpisodes({ mdp: g, policy: { param: directPolicy(16, 4), theta: up } }, { episodes: 3, seed: 1 }), 'SAMPLING_UNBOUNDED', 'state 1 ((0,1))', 'never reaches a terminal state');
    expectError(() => sampleEpisodes({ mdp: g, policy: { param: directPolicy(16, 4), theta: up } }, { episodes: 3, seed: 1, geometric: true }), 'SAMPLING_UNBOUNDED'); // γ = 1: geometric stopping never stops
  });

  it('SAMPLING_INITIAL_TERMINAL: p0 on a terminal state', () => {
    const g = gridworld({ rows: 2, cols: 2, gamma: 0.9, terminals: [[1, 1]] });
    expectError(() => sampleEpisodes({ mdp: g, policy: randomSoftmax(g, 1) }, ok), 'SAMPLING_INITIAL_TERMINAL', 'terminal state 3', 'probability 0.25');
  });

  it('TOO_LARGE: a batch past maxTransitions', () => {
    const m = garnet({ states: 4, actions: 2, gamma: 0.99, seed: 1 });
    expectError(() => sampleEpisodes({ mdp: m, policy: randomSoftmax(m, 1) }, { episodes: 100, seed: 1, maxSteps: 100, maxTransitions: 5000 }), 'TOO_LARGE', '5000 transitions');
  });
});
