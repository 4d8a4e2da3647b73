// Exact truth for a continuous-action policy: a linear-Gaussian controller on a discounted
// LQR, its closed-form cost and gradient, and a REINFORCE estimate from sampled episodes —
// the library's own `reinforceRewardToGo`, run on a node-indexed batch through the Gaussian
// policy view — compared coordinate by coordinate.
//
//   npx tsx examples/lqr-gaussian.ts
import { fileURLToPath } from 'node:url';
import { covarianceRoot, lqr, lqrCostToGo, lqrEvaluate, linearGaussianHead, reinforceRewardToGo, Rng, sampledGaussianPolicy, sampleLqrEpisodes } from 'pgtruth';

/** The LQR of the example: 2 states, 1 action, γ = 0.9. */
export function exampleProblem() {
  return lqr({ n: 2, m: 1, gamma: 0.9, A: [0.9, 0.3, 0, 0.7], B: [0, 1], Q: [1, 0, 0, 1], R: [0.5], sigma0: [1, 0, 0, 1] });
}

/** ∇J = −(∇_K C, ∂C/∂log σ) exactly, and its REINFORCE estimate (mean and standard error over batches). */
export function lqrExample(batches = 400, episodes = 32, seed = 1) {
  const problem = exampleProblem(), K = Float64Array.of(0.2, 0.3), logSigma = Float64Array.of(Math.log(0.5));
  const ev = lqrEvaluate(problem, K, logSigma.map(Math.exp));
  const exact = [...ev.gradK, ...ev.gradLogSigma].map((g) => -g);
  const theta = Float64Array.of(...K, ...logSigma), root = covarianceRoot(problem.sigma0, problem.n), rng = Rng.from(seed);
  const sum = new Float64Array(theta.length), sumSq = new Float64Array(theta.length);
  for (let b = 0; b < batches; b++) {
    // geometric stopping (probability 1 − γ per step) does the discounting: the estimator gets γ = 1
    const eps = sampleLqrEpisodes(problem, K, logSigma, episodes, { kind: 'geometric' }, rng.split(b), root);
    const policy = { param: sampledGaussianPolicy(linearGaussianHead(problem.n, problem.m, eps.x), eps.numNodes, eps.actions), theta };
    const V = Float64Array.from({ length: eps.numNodes }, (_, s) => -lqrCostToGo(ev, eps.x, s * problem.n, problem.n));
    const g = reinforceRewardToGo(eps.batch, policy, 1, V);
    for (let i = 0; i < g.length; i++) { sum[i] = sum[i]! + g[i]!; sumSq[i] = sumSq[i]! + g[i]! * g[i]!; }
  }
  const rows = exact.map((e, i) => {
    const mean = sum[i]! / batches, se = Math.sqrt((sumSq[i]! / batches - mean * mean) / (batches - 1));
    return { parameter: i < K.length ? `K[0][${i}]` : 'log σ', exact: e, estimate: mean, standardError: se, z: (mean - e) / se };
  });
  return { cost: ev.cost, stabilityRadius: ev.stabilityRadius, rows };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = lqrExample();
  console.log(`C(K, σ) = ${r.cost.toFixed(6)}, √γ·ρ(A − BK) = ${r.stabilityRadius.toFixed(4)}`);
  console.table(r.rows.map((x) => ({ ...x, exact: x.exact.toFixed(5), estimate: x.estimate.toFixed(5), standardError: x.standardError.toFixed(5), z: x.z.toFixed(2) })));
}
