// Usage: git worktree add --detach /tmp/pgtruth-core-base e5c8ec6 (the commit before the cores; link node_modules),
// then from this checkout: BASEDIR=/tmp/pgtruth-core-base npx tsx bench/core/identity.mts
// One-off: the refactored Batch estimators (this branch) against the base commit's, bit for bit.
import fc from 'fast-check';
const NEW = process.env.NEWDIR ?? process.cwd(), OLD = process.env.BASEDIR ?? '/tmp/pgtruth-core-base';
const N = await import(`${NEW}/src/estimators/index.ts`), O = await import(`${OLD}/src/estimators/index.ts`);
const { arbitraryPolicy } = await import(`${NEW}/src/arbitraries/index.ts`);
const { buildBatch, arbitraryEpisodes } = await import(`${NEW}/property-tests/estimators/batches.ts`);
const { garnet } = await import(`${NEW}/src/mdp/library/garnet.ts`);
const { sampleEpisodes } = await import(`${NEW}/src/sampling/episodes.ts`);
const { Rng } = await import(`${NEW}/src/stats/rng.ts`);

type R = Float64Array | number | { loss: number; gradient: Float64Array };
const flat = (r: R): number[] => typeof r === 'number' ? [r] : r instanceof Float64Array ? Array.from(r) : [r.loss, ...r.gradient];
const stats = new Map<string, { runs: number; identical: number; maxRel: number }>();
function cmp(name: string, f: (M: any) => R) {
  let a: number[], b: number[];
  try { a = flat(f(N)); } catch (e) { a = [NaN, String((e as any).code) as any]; }
  try { b = flat(f(O)); } catch (e) { b = [NaN, String((e as any).code) as any]; }
  const st = stats.get(name) ?? { runs: 0, identical: 0, maxRel: 0 };
  st.runs++;
  const same = a.length === b.length && a.every((x, i) => Object.is(x, b[i]) || (Number.isNaN(x) && Number.isNaN(b[i])));
  if (same) st.identical++;
  else { let m = 1, d = 0; for (let i = 0; i < b.length; i++) { m = Math.max(m, Math.abs(b[i]!)); d = Math.max(d, Math.abs(a[i]! - b[i]!)); } st.maxRel = Math.max(st.maxRel, a.length === b.length ? d / m : Infinity); }
  stats.set(name, st);
}
function all(b: any, p: any, old: any, gamma: number, V: Float64Array, adv: Float64Array, tag: string) {
  const S = b.numStates;
  const base = Float64Array.from({ length: S }, (_, s) => V[s]! * 0.5);
  cmp(`${tag} discountWeights(batch)`, (M) => M.discountWeights(b, gamma));
  cmp(`${tag} totalWeight`, (M) => M.totalWeight(b, gamma, 'x'));
  cmp(`${tag} logRatios`, (M) => M.logRatios(b, p));
  cmp(`${tag} rewardToGo`, (M) => M.rewardToGo(b, gamma));
  cmp(`${tag} rewardToGo(V)`, (M) => M.rewardToGo(b, gamma, V));
  cmp(`${tag} rewardToGoInto(V)`, (M) => M.rewardToGoInto(b, gamma, new Float64Array(b.size + 1), V));
  cmp(`${tag} discountedReturn`, (M) => M.discountedReturn(b, gamma, V));
  cmp(`${tag} gae`, (M) => M.gae(b, V, gamma, 0.9));
  cmp(`${tag} gaeInto`, (M) => M.gaeInto(b, V, gamma, 0.5, new Float64Array(b.size)));
  cmp(`${tag} valueTargets`, (M) => M.valueTargets(b, V, adv));
  cmp(`${tag} tdErrors`, (M) => M.tdErrors(b, V, gamma));
  cmp(`${tag} nStepAdvantages`, (M) => M.nStepAdvantages(b, V, gamma, 3));
  cmp(`${tag} lambdaReturns`, (M) => M.lambdaReturns(b, V, gamma, 0.7));
  cmp(`${tag} reinforceRewardToGo`, (M) => M.reinforceRewardToGo(b, p, gamma));
  cmp(`${tag} reinforceRewardToGo(b)`, (M) => M.reinforceRewardToGo(b, p, gamma, base));
  cmp(`${tag} reinforceTotalReturn(b)`, (M) => M.reinforceTotalReturn(b, p, gamma, base));
  cmp(`${tag} reinforceRewardToGoNoDiscountWeight(b)`, (M) => M.reinforceRewardToGoNoDiscountWeight(b, p, gamma, base));
  cmp(`${tag} actorCriticGradient`, (M) => M.actorCriticGradient(b, p, gamma, adv));
  cmp(`${tag} gaeActorCriticGradient`, (M) => M.gaeActorCriticGradient(b, p, V, gamma, 0.9));
  cmp(`${tag} ppoClipSurrogate`, (M) => M.ppoClipSurrogate(b, p, gamma, adv, 0.2));
  cmp(`${tag} trpoSurrogate`, (M) => M.trpoSurrogate(b, p, gamma, adv));
  cmp(`${tag} fisherVectorProduct`, (M) => M.fisherVectorProduct(b, p, gamma, Float64Array.from(p.theta, (_: number, k: number) => Math.sin(k)), 0.1));
  cmp(`${tag} klPenalty`, (M) => M.klPenalty(b, p, gamma, 0.7));
  cmp(`${tag} entropyBonus`, (M) => M.entropyBonus(b, p, gamma, 0.01));
  cmp(`${tag} meanKl`, (M) => M.meanKl(b, old, p, gamma));
  cmp(`${tag} meanKlGradient`, (M) => M.meanKlGradient(b, old, p, gamma));
  cmp(`${tag} optimalConstantBaseline`, (M) => M.optimalConstantBaseline(b, p, gamma));
  cmp(`${tag} offPolicyGradientWholeTrajectory`, (M) => M.offPolicyGradientWholeTrajectory(b, p, gamma, base));
  cmp(`${tag} offPolicyGradientPerDecision`, (M) => M.offPolicyGradientPerDecision(b, p, gamma, base));
  cmp(`${tag} klK3`, (M) => M.klK3(M.logRatios(b, p)));
}
const S = 4, A = 3;
// small hand-built batches, episodes from t = 0 and segments (t_index > 0 starts)
for (const segments of [false, true]) {
  const arb = fc.record({ eps: arbitraryEpisodes(S, A, { segments, maxEpisodes: 5, maxLength: 8 }), old: arbitraryPolicy(S, A, { maxMagnitude: 1.5 }), gamma: fc.constantFrom(0, 0.5, 0.9, 0.99, 1), shift: fc.integer({ min: -5, max: 5 }) });
  for (const c of fc.sample(arb, { numRuns: 400, seed: 7 })) {
    const b = buildBatch(S, A, c.gamma, c.eps, (s: number, a: number) => c.old.param.logProb(c.old.theta, s, a));
    const theta = c.old.param.kind === 'direct' ? c.old.theta : Float64Array.from(c.old.theta, (x: number, k: number) => x + (c.shift * ((k % 3) - 1)) / 10);
    const p = { param: c.old.param, theta };
    const V = Float64Array.from({ length: S }, (_, s) => Math.cos(s + c.shift));
    const adv = Float64Array.from({ length: b.size }, (_, i) => Math.sin(i * 1.7 + c.shift));
    all(b, p, c.old, c.gamma, V, adv, segments ? 'segments' : 'episodes');
  }
}
// sampled batches on a Garnet MDP: time-limit truncations, the dense (s, a) table path
const mdp = garnet({ states: 20, actions: 4, gamma: 0.95, seed: 3, terminal: 2 });
for (let k = 0; k < 20; k++) {
  const r = Rng.from(`id-${k}`), kind = (['softmax', 'loglinear', 'direct'] as const)[k % 3];
  const pol = fc.sample(arbitraryPolicy(20, 4, { kinds: [kind], maxMagnitude: 1.5 }), { numRuns: 1, seed: k })[0];
  const b = sampleEpisodes({ mdp, policy: pol }, { episodes: 50 + 10 * k, seed: r, maxSteps: 40 });
  const theta = kind === 'direct' ? pol.theta : Float64Array.from(pol.theta, (x: number, j: number) => x + 0.1 * Math.sin(j));
  const V = Float64Array.from({ length: 20 }, (_, s) => Math.cos(s));
  const adv = Float64Array.from({ length: b.size }, (_, i) => Math.sin(i * 0.37));
  all(b, { param: pol.param, theta }, pol, [0.95, 0.9, 1][k % 3]!, V, adv, 'sampled');
}
for (const [name, s] of stats) console.log(`${name.padEnd(52)} ${String(s.identical).padStart(4)}/${s.runs} identical${s.identical < s.runs ? `, max |Δ|/max(1,|old|) ${s.maxRel.toExponential(2)}` : ''}`);
