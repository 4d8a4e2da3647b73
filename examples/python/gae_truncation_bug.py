"""BUGGY on purpose: GAE in numpy ([T, N]) that treats a truncation as a termination — it does
not bootstrap from V(s_tp1) where the episode was merely cut (stable-baselines3#633).
pgtruth check examples/python/gae_truncation_bug.py   → FAIL on segments cut by truncation
"""
import numpy as np

PGTRUTH = {'kind': 'advantage', 'name': 'numpy-gae-truncation-bug', 'function': 'gae', 'layout': 'time-major'}


def gae(batch, values, gamma, lam):
    v_t, v_tp1 = values[batch.s_t], values[batch.s_tp1]
    done = (batch.terminated_t | batch.truncated_t).astype(bool)
    delta = batch.r_t + gamma * np.where(done, 0.0, v_tp1) - v_t      # the bug: truncated steps lose V(s_tp1)
    advantages = np.empty_like(delta)
    keep = gamma * lam * ~done
    carry = np.zeros(delta.shape[1])
    for t in reversed(range(delta.shape[0])):
        carry = delta[t] + keep[t] * carry
        advantages[t] = carry
    return advantages, advantages + v_t
