"""A user's PPO loss for a Gaussian policy, in numpy (the deep-RL actor loss).

loss = −(1/E) Σ_t γ^t [min(ρ_t Â_t, clip(ρ_t, 1 ± ε) Â_t) + c H(π_θ)], ρ_t = π_θ(a_t)/π_old(a_t),
with π_old's log-probabilities in batch.logp_t, the sampled (pre-clip) actions in batch.a_cont_t
(T, k) and one exact advantage per transition. The entropy bonus is declared (entropyCoef) and
is the Gaussian's own, H = Σ_j (½ log 2πe + log σ_j): ∂H/∂log σ_j = 1.
Set RATIO_AT_ENV_ACTION = True for the shipped bug of recomputing log π_θ at the action the
environment received (batch.a_env_t, clipped): it fails on the clipped bandit.
pgtruth check examples/python/gaussian_ppo.py   → passes
"""
from types import SimpleNamespace

import numpy as np

EPS, ENTROPY = 0.2, 0.1
PGTRUTH = {'kind': 'surrogate', 'policy': 'gaussian', 'name': 'numpy-gaussian-ppo', 'function': 'gaussian_ppo', 'clip': EPS, 'entropyCoef': ENTROPY}

RATIO_AT_ENV_ACTION = False


def gaussian_ppo(batch, policy, advantages):
    a = batch.a_env_t if RATIO_AT_ENV_ACTION else batch.a_cont_t   # [T, k]
    w = batch.gamma ** batch.t_index                                # the discounted visitation of π_old
    episodes = len(np.unique(batch.episode_t))
    rho = np.exp(policy.log_prob(batch.obs_t, a) - batch.logp_t)
    clipped = np.clip(rho, 1 - EPS, 1 + EPS)
    loss = -np.sum(w * np.minimum(rho * advantages, clipped * advantages))
    active = rho * advantages <= clipped * advantages             # the clipped branch is constant in θ
    c = np.where(active, -w * rho * advantages, 0.0)
    # Σ_t c_t ∇_θ log π(a_t | obs_t), at the actions the ratio used
    grad = policy.score_sum(SimpleNamespace(obs_t=batch.obs_t, a_cont_t=a), c)
    # entropy bonus −c Σ_t γ^t H
    log_std = policy.log_std()
    loss -= ENTROPY * np.sum(w) * np.sum(0.5 * np.log(2 * np.pi * np.e) + log_std)
    grad[policy.log_std_offset:policy.log_std_offset + policy.action_dim] -= ENTROPY * np.sum(w)
    return loss / episodes, grad / episodes
