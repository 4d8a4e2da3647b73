"""GRPO as often implemented, in PyTorch, claimed unbiased for ∇J: (r − mean)/(std + 1e-6) per
group and the per-token loss averaged over each response's |o| tokens (Shao et al. 2024). The
std reweights prompts by their success rate and 1/|o| changes the objective
(derivations/10-group-relative.md): pgtruth check fails it, with the size of its bias.

The loss −(1/N) Σ_i (1/|o_i|) Σ_t A_i log π(a_{i,t}|s_{i,t}) is differentiated by torch.autograd.
pgtruth check examples/python/grpo_bug.py   → FAIL
"""
import torch

PGTRUTH = {'kind': 'group', 'name': 'torch-grpo-std-length', 'function': 'grpo_loss', 'loss': True}


def grpo_loss(batch, policy):
    G = batch.group_size
    r = batch.rewards.reshape(-1, G)
    a = ((r - r.mean(dim=1, keepdim=True)) / (r.std(dim=1, keepdim=True) + 1e-6)).reshape(-1)   # [N]
    mask = batch.mask.double()                                                                 # [N, T]
    logp = policy.log_prob(batch.s_t, batch.a_t) * mask
    per_response = (logp.sum(dim=1) * a) / batch.lengths.double()
    return -per_response.mean()
