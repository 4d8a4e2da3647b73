"""A user's RLOO with GRPO's per-sequence loss aggregation, in numpy: each response's leave-one-out
advantage divided by its length |o_i| on every token (its token losses averaged, not summed).

That is unbiased — for the length-normalized objective E[(R(o) − V(q))/|o|] (V held fixed), not
for J (Liu et al. 2025, the length bias) — and the module says so with 'objective'. Without the
declaration the check compares it with ∇J and fails on the token MDP, naming the other objective.
The TypeScript twin is examples/estimators/rloo-per-sequence.ts.
pgtruth check examples/python/rloo_per_sequence.py   → every claim passes
"""
import numpy as np

PGTRUTH = {'kind': 'group', 'name': 'numpy-rloo-per-sequence', 'function': 'rloo', 'objective': 'length-normalized'}


def rloo(batch, policy):
    G = batch.group_size
    r = batch.rewards.reshape(-1, G)                              # [B, G]
    baseline = (r.sum(axis=1, keepdims=True) - r) / (G - 1)       # the mean of the others
    a = (r - baseline).reshape(-1) / batch.lengths                # [N], 1/|o_i|
    return np.repeat(a[:, None], batch.max_tokens, axis=1)        # [N, T]
