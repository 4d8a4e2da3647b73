// The advantage kind's critic check (src/verify/claims/critics.ts) over many seeds: for the
// correct GAE (λ = 0.8 and 1) and n-step advantage (n = 3), the largest studentized residual
// against its threshold on every built-in setting (a false alarm would show as a ratio > 1);
// for each catalogue mutant of the control, the smallest ratio over the seeds (it must stay > 1:
// rejected on every seed). Same batches per check as `pgtruth check` at its default --samples.
//
//   npm run bench:critics                 # 20 seeds
//   BENCH_SEEDS=5 npm run bench:critics
import { GAE_CONTROLS, NSTEP_CONTROLS, continuingGarnetInstance, criticChecks, criticOptions, criticSettings, criticsFor, placeControls, type CriticSetting } from '../src/verify/claims/critics.js';
import { episodicInstances } from '../src/verify/claims/estimators.js';
import { hasCuts } from '../src/verify/advantage-targets.js';
import type { AdvantageDefinition } from '../src/exact/advantage-expectation.js';
import { mapBatchesSync, type BatchTask } from '../src/sampling/map.js';
import { criticResidualTask } from '../src/verify/tasks.js';

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
console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s`);
