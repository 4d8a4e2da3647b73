"""A user's GAE(γ, λ) in numpy on Gymnasium's [T, N] layout (time × environments).

Terminations do not bootstrap; truncations (time limits, the end of a rollout segment)
bootstrap from V(s_tp1); the carry stops at every episode end.
pgtruth check examples/python/gae.py   → every claim passes
"""
import numpy as np

PGTRUTH = {'kind': 'advantage', 'name': 'numpy-gae', 'function': 'gae', 'layout': 'time-major'}


def gae(batch, values, gamma, lam):
    v_t, v_tp1 = values[batch.s_t], values[batch.s_tp1]          # [T, N]
    terminated = batch.terminated_t.astype(bool)
    ended = terminated | batch.truncated_t.astype(bool)
    delta = batch.r_t + gamma * np.where(terminated, 0.0, v_tp1) - v_t
    advantages = np.empty_like(delta)
    keep = gamma * lam * ~ended                                   # the carry stops at episode ends
    carry = np.zeros(delta.shape[1])
    for t in reversed(range(delta.shape[0])):
        carry = delta[t] + keep[t] * carry
        advantages[t] = carry
    return advantages, advantages + v_t
