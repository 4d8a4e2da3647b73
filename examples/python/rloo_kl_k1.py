"""A user's RLOO with a KL penalty to the reference policy, in numpy, the KL term right: the k1
estimate log π_θ − log π_ref put into the reward, so each token's coefficient is the reward-to-go
of k1 along its response (REINFORCE on the penalty; Ouyang et al. 2022). Its mean gradient is
∇_θ KL(π_θ‖π_ref) of whole responses, the KL it is meant to penalize (claim kl-penalty).

'klPenalty' names the function (or is the function itself): f(batch, policy) → per-token
coefficients c of shape (N, T) with ∇_θ L_KL = (1/N) Σ_{i,t} m_{i,t} c_{i,t} ∇_θ log π_θ(a_{i,t}|s_{i,t});
its batch also carries batch.logpRef_t = log π_ref(a_t|s_t) (N, T; 0 on padding).
Set K3 = True for GRPO's k3 loss term as published (Shao et al. 2024, eq. 4): ∂k3/∂log π_θ =
1 − π_ref/π_θ per token, whose mean is the gradient of the other direction per state,
KL(π_ref‖π_θ) (Tang & Munos 2025): it fails. TypeScript twins: examples/estimators/grpo-kl-k1-reward.ts,
grpo-kl-k3-wrong-direction-bug.ts.
pgtruth check examples/python/rloo_kl_k1.py   → every claim passes
"""
import numpy as np

PGTRUTH = {'kind': 'group', 'name': 'numpy-rloo-kl-k1', 'function': 'rloo', 'klPenalty': 'kl_k1_to_go'}

K3 = False


def rloo(batch, policy):
    G = batch.group_size
    r = batch.rewards.reshape(-1, G)
    a = (r - (r.sum(axis=1, keepdims=True) - r) / (G - 1)).reshape(-1)
    return np.repeat(a[:, None], batch.max_tokens, axis=1)


def kl_k1_to_go(batch, policy):
    m = batch.mask.astype(np.float64)                                     # [N, T]
    k1 = (batch.logp_t - batch.logpRef_t) * m
    if K3:
        return (1 - np.exp(batch.logpRef_t - batch.logp_t)) * m
    return np.cumsum(k1[:, ::-1], axis=1)[:, ::-1] * m                   # Σ_{t' ≥ t} k1_{t'}
