// Exact learning curves without sampling: softmax policy-gradient ascent with the exact
// gradient and the exact natural policy gradient (θ ← θ + η/(1−γ)·A, Agarwal et al. 2021) on
// Sutton & Barto's 5×5 gridworld, every point exact (J, the gap to J*, the KL of each update,
// the entropy), written as one self-contained HTML page with SVG plots. The page goes to the
// system's temporary directory. Run: npx tsx examples/exact-learning-curve.ts
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exactPGCurve, suttonBartoGridworld5x5, writeLearningCurvesHtml, type Curve } from 'pgtruth';

/** The two exact curves on the 5×5 gridworld (γ = 0.9) from the uniform policy. */
export function gridworldCurves(iterations = 60): Curve[] {
  const mdp = suttonBartoGridworld5x5();
  return [
    exactPGCurve(mdp, { method: 'pg', step: 1, iterations, mdpName: 'gridworld-5x5' }),
    exactPGCurve(mdp, { method: 'npg', step: 0.1, iterations, mdpName: 'gridworld-5x5' }),
  ];
}

/** Writes the page and returns its path. */
export function writeExample(file = join(tmpdir(), 'pgtruth-exact-learning-curve.html'), iterations = 60): { file: string; curves: Curve[] } {
  const curves = gridworldCurves(iterations);
  writeLearningCurvesHtml(file, curves, { title: 'Exact PG and NPG on the 5×5 gridworld' });
  return { file, curves };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { file, curves } = writeExample();
  console.log(`J* = ${curves[0]!.JStar.toFixed(6)}`);
  console.log('method      step   J(θ_0)     J(θ_60)    gap        KL of update 60   entropy');
  for (const c of curves) {
    const first = c.records[0]!, last = c.records[c.records.length - 1]!;
    console.log(`${c.algo.padEnd(10)}  ${String(c.hyperparameters.step).padEnd(5)}  ${first.J.toFixed(5).padStart(9)}  ${last.J.toFixed(5).padStart(9)}  ${last.gap.toExponential(2)}  ${(last.klExact ?? 0).toExponential(2).padStart(16)}  ${last.entropy.toFixed(4)}`);
  }
  console.log(`wrote ${file}`);
}
