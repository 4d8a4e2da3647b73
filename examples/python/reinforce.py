"""A user's REINFORCE in numpy (reward-to-go, γ^t on the score), flat layout.

ĝ = (1/E) Σ_t γ^t G_t ∇_θ log π(a_t|s_t), G_t = Σ_{k≥t} γ^{k−t} r_k (Lehmann 2024, Theorem 3.1).
pgtruth check examples/python/reinforce.py   → every claim passes
"""
import numpy as np

PGTRUTH = {'kind': 'policy-gradient', 'name': 'numpy-reinforce', 'function': 'reinforce'}


def reinforce(batch, policy, gamma):
    r, ended = batch.r_t.tolist(), (batch.terminated_t | batch.truncated_t).tolist()
    returns, g = np.empty(batch.size), 0.0
    for i in range(batch.size - 1, -1, -1):   # reward-to-go; every episode ends with a flag
        g = r[i] + gamma * (0.0 if ended[i] else g)
        returns[i] = g
    episodes = np.count_nonzero(np.diff(batch.episode_t)) + 1
    weights = gamma ** batch.t_index * returns / episodes
    return policy.add_score(batch.s_t, batch.a_t, weights, np.zeros((policy.num_states, policy.num_actions)))
