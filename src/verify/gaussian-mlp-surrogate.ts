/**
 * `pgtruth check` for PPO-style **surrogate** losses of Gaussian and tanh-Gaussian heads on an
 * MLP: a `surrogate` estimator declaring `policy: 'gaussian-mlp'` or `'tanh-gaussian-mlp'` gets
 * a batch drawn by π_old = π_{w_old} on the contextual bandit of ./gaussian-mlp-kind.ts, the
 * MLP view at w and the exact advantage A_old(x_t, u_t) = r_t − J_{c_t}(w_old) of each draw, and
 * returns its loss and ∇_w loss (./continuous-surrogate.ts: the declarations `clip`,
 * `entropyCoef`, `entropy`, `klCoef` as for the Gaussian policies). The target of E[−∇loss] is
 * exact, per context by the bandits' quadrature and through one VJP of the network:
 *
 * $$\mathbb E[-\nabla_w \hat L] = \sum_s \rho(s)\,\Big(g_s^{\mu\top}\frac{\partial\mu_w(x_s)}{\partial w} + g_s^{\log\sigma\,\top}\frac{\partial\log\sigma_w(x_s)}{\partial w}\Big),$$
 *
 * g_s = `continuousSurrogateTarget` of context s in (μ, log σ) at (μ_w(x_s), log σ_w(x_s)) with
 * π_old's (μ, log σ) of that context and its advantage u ↦ r(s, env(u)) − J_s (the clipped or
 * unclipped surrogate, c∇H or c∇KL, −β∇KL: ../exact/gaussian-surrogate.ts), pulled back by
 * `pullbackHeadRows` (../exact/gaussian-mlp-bandit.ts). At w = w_old this is ∇_w J (plus c ∇H).
 *
 * | policy | at w_old | at w ≠ w_old: the output biases moved by | control at w_old | control at w ≠ w_old |
 * | --- | --- | --- | --- | --- |
 * | `gaussian-mlp` | ✓ | μ −0.25, log σ −0.2 (`MOVE_GAUSSIAN`) | ρ from log π_w at the clipped action a_env_t | min over ratios before Â (mutant.ppo-min-before-multiply) |
 * | `tanh-gaussian-mlp` | ✓ | μ +0.4, log σ −0.25 (`MOVE_TANH`) | ρ with the tanh Jacobian at the squashed value | the same |
 *
 * (σ shrinks in every context, so ρ stays bounded.) The controls are the library's own
 * `ppoClipSurrogate` / `trpoSurrogate` / `ppoMinBeforeMultiply` on the head seen on the batch's
 * nodes (../policy/mlp-samples.ts), held to the plain target.
 *
 * @module
 */
import { ppoClipSurrogate } from '../estimators/ppo.js';
import { trpoSurrogate } from '../estimators/trpo.js';
import { pullbackHeadRows } from '../exact/gaussian-mlp-bandit.js';
import { sampledMlpPolicy } from '../policy/mlp-samples.js';
import type { Drawn } from './continuous-kind.js';
import { advantageMoments, continuousSurrogateTarget, declarationVariants, NORMALIZED_DRAWS, gaussianEntropyForTanhDelta, MOVE_GAUSSIAN, MOVE_TANH, type ContinuousSurrogateDeclaration, type SurrogateCase } from './continuous-surrogate.js';
import { drawMlpBanditBatch, MLP_BANDIT_DRAWS, mlpBanditInstance, nodeRows, wrongJacobianAt } from './gaussian-mlp-kind.js';
import { findMutation, ppoMinBeforeMultiply } from './mutations.js';

/** The surrogate cases of a declared MLP head (module comment), at w_old and at w ≠ w_old. */
export function gaussianMlpSurrogateCases(policy: 'gaussian-mlp' | 'tanh-gaussian-mlp', decl: ContinuousSurrogateDeclaration, plain: ContinuousSurrogateDeclaration): SurrogateCase[] {
  const x = mlpBanditInstance(policy), { bandit: b, policy: p, exact } = x, wOld = x.theta, tanh = policy === 'tanh-gaussian-mlp';
  const S = b.numContexts, k = b.actionDim, d = b.obsDim, T = decl.normalizeAdvantages ? NORMALIZED_DRAWS : MLP_BANDIT_DRAWS, Pn = p.mlp.numParams, family = tanh ? 'tanh-gaussian' : 'gaussian';
  const norm = Math.hypot(...exact.grad);
  const env = (u: number) => (tanh ? Math.tanh(u) : Math.min(b.clip![1], Math.max(b.clip![0], u)));
  // context s's problem for continuousSurrogateTarget: π_old's row and the exact advantage as a function of u
  const raw = Array.from({ length: S }, (_, s) => ({
    policy: family as 'gaussian' | 'tanh-gaussian', old: { mu: exact.mu[s * k]!, logStd: exact.logStd[s * k]! }, weight: b.rho[s]!,
    advantage: (u: number) => b.reward(s, 0, env(u)) - exact.values[s]!, breaks: b.clip ? [b.clip[0], b.clip[1]] : [],
  }));
  // per-batch normalization pools the contexts: μ and σ of A over the mixture Σ_s ρ(s) π_old(·|x_s)
  const moments = advantageMoments(raw), problems = raw.map((x) => ({ ...x, moments }));
  /** Σ_s ρ(s) · (per-context vector in (μ, log σ) at w's rows), pulled back to w. */
  const pulled = (w: Float64Array, perContext: (s: number, at: Float64Array) => ArrayLike<number>) => {
    const { mu, logStd } = p.meanAndLogStd(w, b.features, S), gMu = new Float64Array(S), gLs = new Float64Array(S);
    for (let s = 0; s < S; s++) { const g = perContext(s, Float64Array.of(mu[s]!, logStd[s]!)); gMu[s] = b.rho[s]! * g[0]!; gLs[s] = b.rho[s]! * g[1]!; }
    return pullbackHeadRows(p, w, b.features, S, gMu, gLs);
  };
  const targetAt = (w: Float64Array) => (dd: ContinuousSurrogateDeclaration) => pulled(w, (s, at) => continuousSurrogateTarget(problems[s]!, at, dd));
  const move = tanh ? MOVE_TANH : MOVE_GAUSSIAN, last = p.mlp.layers[p.mlp.layers.length - 1]!;
  const moved = Float64Array.from(wOld);
  moved[last.b] = moved[last.b]! + move[0];
  if (p.logStd === 'state-independent') moved[Pn] = moved[Pn]! + move[1]; else moved[last.b + k] = moved[last.b + k]! + move[1];

  return (['at w_old', 'at w ≠ w_old'] as const).map((where): SurrogateCase => {
    const atOld = where === 'at w_old', w = atOld ? wOld : moved, targetOf = targetAt(w);
    const target = targetOf(decl), plainTarget = targetOf(plain);
    const control = atOld
      ? tanh ? { id: 'tanh-jacobian-at-squashed-value', description: 'ρ with the tanh Jacobian evaluated at the squashed value, log(1 − tanh²(tanh u)) for log(1 − tanh² u)' } : { id: 'ratio-at-clipped-action', description: 'ρ = π_w(clip(u))/π_old(u): log π_w taken at the environment-clipped action a_env_t' }
      : decl.clip !== undefined ? { id: 'mutant.ppo-min-before-multiply', description: findMutation('mutant.ppo-min-before-multiply')!.description } : { id: 'clipped', description: "PPO's clipped surrogate (ε = 0.2) where the declared one is unclipped" };
    const variants = declarationVariants(decl, targetOf, target, tanh ? () => pulled(w, (_s, at) => gaussianEntropyForTanhDelta(at, decl.entropyCoef!)) : undefined);
    return {
      label: `${x.label}, ${where}`, spec: x.spec, theta: w, target, norm, plainTarget, variants,
      perBatch: T, sampleName: 'draws', coordinate: (j) => (j >= Pn ? `−∂loss/∂log σ[${j - Pn}]` : `−∂loss/∂w[${j}]`), control,
      draw(rng): Drawn {
        const { dr, v, batch } = drawMlpBanditBatch(x, wOld, T, rng), bt = dr.batch;
        return {
          batch,
          control() {
            const adv = bt.r_t.map((r, t) => r - v[t]!), eps = decl.clip ?? 0.2, obs = nodeRows(dr.obs, d);
            if (atOld) {
              const param = tanh ? wrongJacobianAt(sampledMlpPolicy(p, 2 * T, obs, nodeRows(dr.actions, k)), dr.actions, k) : sampledMlpPolicy(p, 2 * T, obs, nodeRows(dr.envActions, k));
              return (decl.clip !== undefined ? ppoClipSurrogate(bt, { param, theta: w }, 1, adv, eps) : trpoSurrogate(bt, { param, theta: w }, 1, adv)).gradient.map((g) => -g);
            }
            const pol = { param: sampledMlpPolicy(p, 2 * T, obs, nodeRows(dr.actions, k)), theta: w };
            return (decl.clip !== undefined ? ppoMinBeforeMultiply(bt, pol, 1, adv, eps) : ppoClipSurrogate(bt, pol, 1, adv, 0.2)).gradient.map((g) => -g);
          },
        };
      },
    };
  });
}
