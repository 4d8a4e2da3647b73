"""BUGGY on purpose: examples/python/tanh_gaussian_mlp.py with the tanh Jacobian evaluated at the
squashed value — log(1 − tanh²(a)) with a = tanh(u), where log(1 − tanh² u) = log(1 − a²)
belongs (a bug shipped in SAC ports that recompute log π from the stored action). log π is then
off by a term that does not depend on w, so the score is right; but ρ = π_w/π_old against the
sampler's log π_old is no longer 1 at w_old, and it reweights the gradient. The TypeScript twin
is examples/estimators/tanh-gaussian-mlp-jacobian-bug.ts.
pgtruth check examples/python/tanh_gaussian_mlp_jacobian_bug.py   → FAIL, named tanh-jacobian-at-squashed-value
"""
from tanh_gaussian_mlp import reinforce as correct   # this folder is on the path inside `pgtruth check`

PGTRUTH = {'kind': 'policy-gradient', 'policy': 'tanh-gaussian-mlp', 'name': 'torch-tanh-gaussian-mlp-jacobian-bug', 'function': 'reinforce'}


def reinforce(batch, policy, gamma):
    return correct(batch, policy, gamma, jacobian_at_squashed=True)
