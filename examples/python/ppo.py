"""A user's PPO clipped surrogate in PyTorch (ε = 0.2): the loss only — pgtruth differentiates it.

loss = −(1/E) Σ_t γ^t min(ρ_t Â_t, clip(ρ_t, 1−ε, 1+ε) Â_t), ρ_t = π_θ(a_t|s_t) / π_old(a_t|s_t)
(Schulman et al. 2017, eq. 7; γ^t and 1/E make its gradient at θ_old equal ∇J: Lehmann 2024, eq. 18).
pgtruth check examples/python/ppo.py   → every claim passes
"""
import torch

EPS = 0.2
PGTRUTH = {'kind': 'surrogate', 'name': 'torch-ppo-clip', 'function': 'ppo_loss', 'clip': EPS, 'loss': True}


def ppo_loss(batch, policy, advantages):
    ratio = torch.exp(policy.log_prob(batch.s_t, batch.a_t) - batch.logp_t)
    clipped = torch.clamp(ratio, 1 - EPS, 1 + EPS)
    surrogate = torch.min(ratio * advantages, clipped * advantages)
    weight = batch.gamma ** batch.t_index.double()
    episodes = torch.unique(batch.episode_t).numel()
    return -(weight * surrogate).sum() / episodes
