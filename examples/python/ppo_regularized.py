"""A user's PPO in PyTorch with an entropy bonus (c = 0.1) and a k3 KL penalty (β = 0.5),
declared so that pgtruth adds their exact gradients to the target (the loss only: pgtruth
differentiates it):

loss = −(1/E) Σ_t γ^t [min(ρ_t Â_t, clip(ρ_t) Â_t) + c H(π_θ(·|s_t)) − β ((ρ_t − 1) − log ρ_t)]

pgtruth check examples/python/ppo_regularized.py   → every claim passes
"""
import torch

EPS, ENTROPY, KL = 0.2, 0.1, 0.5
PGTRUTH = {'kind': 'surrogate', 'name': 'torch-ppo-regularized', 'function': 'ppo_loss', 'clip': EPS, 'loss': True,
           'entropyCoef': ENTROPY, 'klCoef': KL}


def ppo_loss(batch, policy, advantages):
    log_ratio = policy.log_prob(batch.s_t, batch.a_t) - batch.logp_t
    ratio = torch.exp(log_ratio)
    surrogate = torch.min(ratio * advantages, torch.clamp(ratio, 1 - EPS, 1 + EPS) * advantages)
    logp = policy.log_probs()[batch.s_t]                                    # log π(·|s_t), [n, A]
    entropy = -(logp.exp() * logp).sum(dim=-1)
    k3 = torch.expm1(log_ratio) - log_ratio
    weight = batch.gamma ** batch.t_index.double()
    episodes = torch.unique(batch.episode_t).numel()
    return -(weight * (surrogate + ENTROPY * entropy - KL * k3)).sum() / episodes
