// The advantage kind's critic check (src/verify/claims/critics.ts) over many seeds: for the
// correct GAE (λ = 0.8 and 1) and n-step advantage (n = 3), the largest studentized residual
// against its threshold on every built-in setting (a false alarm would show as a ratio > 1);
// for each catalogue mutant of the control, the smallest ratio over the seeds (it must stay > 1:
// rejected on every seed). Same batches per check as `pgtruth check` at its default --samples.
//
// Last, why residual sums are divided by a fixed count (episodes or environments per batch):
// the correct GAE (V^π, λ = 1) on segments of the 4×4 gridworld, whose episodes terminate
// inside segments, divided by the batch's random number of episode fragments vs by 8.
//
//   npm run bench:critics                 # 20 seeds
//   BENCH_SEEDS=5 npm run bench:critics
import { GAE_CONTROLS, NSTEP_CONTROLS, continuingGarnetInstance, criticChecks, criticOptions, criticSettings, criticsFor, placeControls, type CriticSetting } from '../src/verify/claims/critics.js';
import { episodicInstances } from '../src/verify/claims/estimators.js';
import { hasCuts } from '../src/verify/advantage-targets.js';
import type { AdvantageDefinition } from '../src/exact/advantage-expectation.js';
import { mapBatchesSync, type BatchTask } from '../src/sampling/map.js';
import { criticResidualTask } from '../src/verify/tasks.js';
import { gae } from '../src/estimators/advantages.js';
import { countEpisodes } from '../src/estimators/score.js';
import type { Batch } from '../src/sampling/batch.js';

const SEEDS = Number(process.env.BENCH_SEEDS ?? 20);
const BATCHES = 375;
const settings = criticSettings({ episodic: episodicInstances(), continuing: [continuingGarnetInstance()] });

function ratio(s: CriticSetting, estimator: string, definition: AdvantageDefinition, lambda: number, seed: number, split: boolean, parameter = lambda): number {
  const o = criticOptions(s, criticsFor(s.x), definition, lambda);
  const est = mapBatchesSync({ mdp: s.x.mdp, policy: s.x.policy }, { source: s.source, batches: BATCHES, seed: `bench/${seed}/${s.what}/${s.x.label}` }, criticResidualTask as unknown as BatchTask<unknown>, { ...o, estimator, lambda: parameter });
  const checks = criticChecks('', est, split && hasCuts(o));
  return Math.max(...checks.map((c) => (c.tolerance > 0 ? c.discrepancy / c.tolerance : c.discrepancy > 0 ? Infinity : 0)));
}

const t0 = performance.now();
console.log(`correct estimators: max over ${SEEDS} seeds of (studentized max / threshold); must stay < 1`);
for (const [estimator, definition, lambda] of [['gae', 'gae', 0.8], ['gae', 'gae', 1], ['nStepAdvantages', { nStep: 3 }, 3]] as const) {
  for (const s of settings) {
    const r = Array.from({ length: SEEDS }, (_, k) => ratio(s, estimator, definition, typeof definition === 'object' ? 1 : lambda, k, true, lambda));
    console.log(`  ${estimator}${typeof definition === 'object' ? ` n=${definition.nStep}` : ` λ=${lambda}`}  ${s.x.label}, ${s.what}: max ${Math.max(...r).toFixed(2)}, median ${r.sort((a, b) => a - b)[r.length >> 1]!.toFixed(2)}`);
  }
}
console.log(`control mutants (λ = 0.8): min over ${SEEDS} seeds of (studentized max / threshold); must stay > 1`);
for (const { control, setting } of placeControls([...GAE_CONTROLS, ...NSTEP_CONTROLS], settings)) {
  const nStep = control.mutant.startsWith('mutant.nstep');
  const r = Array.from({ length: SEEDS }, (_, k) => ratio(setting, control.mutant, nStep ? { nStep: control.lambda } : 'gae', nStep ? 1 : control.lambda, k, false, control.lambda));
  console.log(`  ${control.mutant} (${nStep ? 'n' : 'λ'} = ${control.lambda}) on ${setting.x.label}, ${setting.what}: min ${Math.min(...r).toFixed(2)}`);
}
{
  const x = episodicInstances()[1]!, A = x.mdp.numActions, SA = x.mdp.numStates * A;
  const V = Float64Array.from(x.ev.V), Aex = Float64Array.from(x.ev.A), K = Number(process.env.BENCH_NORMALIZER_BATCHES ?? 20_000);
  const task = (b: Batch): Float64Array => {
    const adv = gae(b, V, x.mdp.gamma, 1), out = new Float64Array(2 * SA), e = countEpisodes(b);
    for (let i = 0; i < b.size; i++) { const k = b.s_t[i]! * A + b.a_t[i]!; out[k] = out[k]! + (adv[i]! - Aex[k]!) / e; out[SA + k] = out[SA + k]! + (adv[i]! - Aex[k]!) / 8; }
    return out;
  };
  const est = mapBatchesSync({ mdp: x.mdp, policy: x.policy }, { source: { kind: 'segments', envs: 8, length: 32 }, batches: K, seed: 'bench/normalizer' }, task as unknown as BatchTask<unknown>, {});
  const worst = [0, 0];
  for (let j = 0; j < est.dim; j++) {
    let m = 0, q = 0;
    for (let k = 0; k < K; k++) { const v = est.values[k * est.dim + j]!; m += v; q += v * v; }
    m /= K;
    const se = Math.sqrt(Math.max(0, q / K - m * m) / K);
    if (se > 0) worst[j < SA ? 0 : 1] = Math.max(worst[j < SA ? 0 : 1]!, Math.abs(m) / se);
  }
  console.log(`GAE with V^π on ${x.label} segments 8×32, ${K} batches: max |z| over (s, a) ${worst[0]!.toFixed(1)} divided by the random fragment count, ${worst[1]!.toFixed(1)} divided by 8`);
}
console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s`);
