"""A user's RLOO in numpy (Kool et al. 2019; Ahmadian et al. 2024): each response's advantage is
its reward minus the mean reward of the other G − 1 responses to the same prompt, on every token.

batch.rewards is (N,), N = B·G responses, group b in rows b·G … b·G + G − 1; the result is (N, T)
(padding entries are ignored). Unbiased for ∇J.
pgtruth check examples/python/rloo.py   → every claim passes
"""
import numpy as np

PGTRUTH = {'kind': 'group', 'name': 'numpy-rloo', 'function': 'rloo'}


def rloo(batch, policy):
    G = batch.group_size
    r = batch.rewards.reshape(-1, G)                              # [B, G]
    baseline = (r.sum(axis=1, keepdims=True) - r) / (G - 1)       # the mean of the others
    a = (r - baseline).reshape(-1)                                # [N]
    return np.repeat(a[:, None], batch.max_tokens, axis=1)        # [N, T]
