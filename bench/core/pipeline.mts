// Usage: BASEDIR=<checkout of e5c8ec6 with node_modules> ROUNDS=41 npx tsx bench/core/pipeline.mts (from this checkout)
// One-off: bench:sampling's one-thread pipeline (rollout + rewardToGoInto + gaeInto + reinforceRewardToGo) on its
// batch shape, base commit vs this branch, alternating within each round; the rollout is the same code on both
// sides (sampleEpisodes of this branch), timed in each round; per-round ratio branch/base of the whole pipeline.
const NEW = process.env.NEWDIR ?? process.cwd(), OLD = process.env.BASEDIR ?? '/tmp/pgtruth-core-base';
const N = await import(`${NEW}/bench/sampling-task.ts`), O = await import(`${OLD}/bench/sampling-task.ts`);
const { garnet } = await import(`${NEW}/src/mdp/library/garnet.ts`);
const { suttonBartoGridworld5x5 } = await import(`${NEW}/src/mdp/index.ts`);
const { softmaxPolicy } = await import(`${NEW}/src/policy/index.ts`);
const { evaluatePolicy } = await import(`${NEW}/src/exact/index.ts`);
const { sampleEpisodes } = await import(`${NEW}/src/sampling/episodes.ts`);
const { Rng } = await import(`${NEW}/src/stats/rng.ts`);
const rounds = Number(process.env.ROUNDS ?? 21);
const med = (x: number[]) => { const y = [...x].sort((a, b) => a - b); return y.length % 2 ? y[y.length >> 1]! : (y[y.length / 2 - 1]! + y[y.length / 2]!) / 2; };
for (const [name, mdp] of [['garnet-20x4', garnet({ states: 20, actions: 4, gamma: 0.9, seed: 1 })], ['gridworld-5x5', suttonBartoGridworld5x5()]] as const) {
  const r = Rng.from('p'), policy = { param: softmaxPolicy(mdp.numStates, mdp.numActions), theta: Float64Array.from({ length: mdp.numStates * mdp.numActions }, () => r.normal()) };
  const V = evaluatePolicy(mdp, policy.param.probs(policy.theta)).V;
  const per: Record<string, any> = {};
  const stageNs: Record<string, number[]> = { old: [], new: [] }, rollNs: number[] = [], ratio: number[] = [], stageRatio: number[] = [];
  for (let round = 0; round <= rounds; round++) {
    let t0 = performance.now();
    const batches = Array.from({ length: 2 }, (_, k) => sampleEpisodes({ mdp, policy }, { episodes: 1000, seed: Rng.from(`b${round}-${k}`), maxSteps: 100 }));
    const roll = performance.now() - t0, T = batches.reduce((m, b) => m + b.size, 0);
    const st: Record<string, number> = {};
    for (const [tag, M] of (round % 2 ? [['old', O], ['new', N]] : [['new', N], ['old', O]]) as [string, any][]) {
      let a = 0, g = 0, rf = 0;
      for (const b of batches) {
        const t1 = performance.now(); M.stages.rewardToGo(b, mdp.gamma);
        const t2 = performance.now(); M.stages.gae(b, V, mdp.gamma, 0.95);
        const t3 = performance.now(); M.stages.reinforce(b, policy, mdp.gamma);
        const t4 = performance.now(); a += t2 - t1; g += t3 - t2; rf += t4 - t3;
      }
      st[tag] = (a + g + rf) * 1e6 / T;
      (per[tag] ??= { G: [], gae: [], reinforce: [] }); if (round > 0) { per[tag].G.push(a * 1e6 / T); per[tag].gae.push(g * 1e6 / T); per[tag].reinforce.push(rf * 1e6 / T); }
    }
    if (round === 0) continue;
    const rollPer = roll * 1e6 / T;
    rollNs.push(rollPer); stageNs.old!.push(st.old!); stageNs.new!.push(st.new!);
    ratio.push((rollPer + st.new!) / (rollPer + st.old!)); stageRatio.push(st.new! / st.old!);
  }
  console.log(`${name.padEnd(14)} by stage, base → branch: ` + ['G', 'gae', 'reinforce'].map((k) => `${k} ${med(per.old[k]).toFixed(1)} → ${med(per.new[k]).toFixed(1)}`).join(', '));
  console.log(`${name.padEnd(14)} ns/transition (medians over ${rounds} rounds): rollout ${med(rollNs).toFixed(1)}, estimator stages base ${med(stageNs.old!).toFixed(1)} / branch ${med(stageNs.new!).toFixed(1)} (per-round ratio ${med(stageRatio).toFixed(3)}); whole pipeline branch/base per-round ratio: median ${med(ratio).toFixed(3)}, range ${Math.min(...ratio).toFixed(3)}–${Math.max(...ratio).toFixed(3)}`);
}
