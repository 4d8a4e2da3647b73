import { allocateBatch } from './src/sampling/batch.js';
import { rewardToGo, gae, reinforceRewardToGo, actorCriticGradient, ppoClipSurrogate, tdErrors } from './src/estimators/index.js';
import { softmaxPolicy } from './src/policy/index.js';
const N = 1_000_000, S = 20, A = 4;
const b = allocateBatch(N, S, A, 0.99);
let ep = 0, t = 0, x = 12345;
const rnd = () => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648; };
for (let i = 0; i < N; i++) {
  b.s_t[i] = i > 0 && t > 0 ? b.s_tp1[i - 1]! : Math.floor(rnd() * S);
  b.a_t[i] = Math.floor(rnd() * A); b.r_t[i] = rnd(); b.s_tp1[i] = Math.floor(rnd() * S);
  b.t_index[i] = t; b.episode_t[i] = ep; b.logp_t[i] = Math.log(1 / A);
  const end = i === N - 1 || rnd() < 0.02;
  if (end) { b.terminated_t[i] = 1; ep++; t = 0; } else t++;
}
const policy = { param: softmaxPolicy(S, A), theta: new Float64Array(S * A) };
const V = Float64Array.from({ length: S }, () => rnd());
const copy = () => { const o = new Float64Array(N); for (let i = 0; i < N; i++) o[i] = b.r_t[i]!; return o; };
const time = (name: string, f: () => unknown) => {
  for (let r = 0; r < 3; r++) f();
  let best = Infinity;
  for (let r = 0; r < 15; r++) { const t0 = performance.now(); f(); best = Math.min(best, performance.now() - t0); }
  console.log(`${name.padEnd(34)} best ${best.toFixed(2)} ms per 1e6 transitions = ${(N / best / 1e3).toFixed(0)} M transitions/s`);
};
time('baseline: copy r_t into a new array', copy);
time('rewardToGo', () => rewardToGo(b, 0.99));
time('tdErrors', () => tdErrors(b, V, 0.99));
time('gae', () => gae(b, V, 0.99, 0.95));
time('reinforceRewardToGo', () => reinforceRewardToGo(b, policy, 0.99));
const adv = gae(b, V, 0.99, 0.95);
time('actorCriticGradient', () => actorCriticGradient(b, policy, 0.99, adv));
time('ppoClipSurrogate', () => ppoClipSurrogate(b, policy, 0.99, adv, 0.2));
import { countEpisodes } from './src/estimators/score.js';
time('countEpisodes', () => countEpisodes(b));
time('isFinite scan', () => { let c = 0; for (let i = 0; i < N; i++) if (!Number.isFinite(adv[i]!)) c++; return c; });
time('weights+scatter loop', () => {
  const { s_t, a_t, t_index, episode_t } = b; const coef = new Float64Array(S * A); let w = 1;
  for (let i = 0; i < N; i++) { w = i === 0 || episode_t[i] !== episode_t[i - 1] ? Math.pow(0.99, t_index[i]!) : w * 0.99; const k = s_t[i]! * A + a_t[i]!; coef[k] = coef[k]! + w * adv[i]!; }
  return coef;
});
