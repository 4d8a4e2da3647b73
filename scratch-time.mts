import { readFileSync } from 'node:fs';
import { loadPythonEstimators } from '/work/wt/pymlp/src/verify/python/estimators.ts';
import { mlpSampledInstances } from '/work/wt/pymlp/src/verify/claims/mlp.ts';
import { mlpPolicyView, type MlpPolicyGradientEstimator } from '/work/wt/pymlp/src/verify/mlp-kind.ts';
import { logitPolicy } from '/work/wt/pymlp/src/exact/neural.ts';
import { sampleEpisodes } from '/work/wt/pymlp/src/sampling/index.ts';
async function main() {
for (const f of ['mlp_reinforce.py', 'mlp_reinforce_no_discount_bug.py']) {
  const { bridge, estimators } = loadPythonEstimators(`/work/wt/pymlp/examples/python/${f}`);
  const e = estimators[0]!.estimator as unknown as MlpPolicyGradientEstimator;
  for (const x of mlpSampledInstances()) {
    const view = mlpPolicyView(x.policy), b = sampleEpisodes({ mdp: x.mdp, policy: logitPolicy(x.policy) }, { episodes: 64, seed: 1 });
    for (let i = 0; i < 20; i++) e.estimate(b, view, x.mdp.gamma);
    const t0 = process.cpuUsage(), w0 = performance.now();
    const n = 200;
    for (let i = 0; i < n; i++) e.estimate(b, view, x.mdp.gamma);
    const py = bridge.pid;
    const stat = readFileSync(`/proc/${py}/stat`, 'utf8').split(') ')[1]!.split(' ');
    console.log(f, x.label, `T=${b.size}`, `wall/call ${((performance.now() - w0) / n).toFixed(2)} ms`, `python utime+stime so far ${((+stat[11]! + +stat[12]!) / 100).toFixed(2)} s`);
  }
  bridge.close();
}
}
main();
