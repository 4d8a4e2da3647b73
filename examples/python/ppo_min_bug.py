"""BUGGY on purpose: PPO in PyTorch taking min(ρ, clip(ρ)) before multiplying by Â
(mutant.ppo-min-before-multiply; takuseno/ppo#3). At θ = θ_old it agrees with the correct loss;
away from θ_old, with negative advantages, it does not.
pgtruth check examples/python/ppo_min_bug.py   → FAIL at θ ≠ θ_old
"""
import torch

EPS = 0.2
PGTRUTH = {'kind': 'surrogate', 'name': 'torch-ppo-min-bug', 'function': 'ppo_loss', 'clip': EPS, 'loss': True}


def ppo_loss(batch, policy, advantages):
    ratio = torch.exp(policy.log_prob(batch.s_t, batch.a_t) - batch.logp_t)
    clipped = torch.clamp(ratio, 1 - EPS, 1 + EPS)
    surrogate = torch.min(ratio, clipped) * advantages     # the bug: min over the ratios, then × Â
    weight = batch.gamma ** batch.t_index.double()
    episodes = torch.unique(batch.episode_t).numel()
    return -(weight * surrogate).sum() / episodes
