"""A user's importance-weighted REINFORCE for a tanh-squashed Gaussian policy, in numpy.

The batch holds the pre-squash actions u in batch.a_cont_t (T, k) and the sampler's log π_old in
batch.logp_t; the estimator computes log π itself from the view's mean and log σ with the
change of variables a = tanh(u), log π = log N(u; μ, σ) − Σ log(1 − tanh² u), weights each
score by ρ = π_θ/π_old (= 1 at θ_old when log π is right) and returns ∇_θ J of shape (P,).
Set JACOBIAN_AT_SQUASHED = True for the shipped bug log(1 − tanh²(a)), a = tanh(u): it fails.
pgtruth check examples/python/tanh_gaussian.py   → every claim passes
"""
import numpy as np

PGTRUTH = {'kind': 'policy-gradient', 'policy': 'tanh-gaussian', 'name': 'numpy-tanh-gaussian', 'function': 'tanh_reinforce'}

JACOBIAN_AT_SQUASHED = False


def tanh_reinforce(batch, policy, gamma):
    u = batch.a_cont_t                                             # [T, k], pre-squash
    mu, log_std = policy.mean(batch.obs_t), policy.log_std()       # [T, k], [k]
    z = (u - mu) * np.exp(-log_std)
    a = np.tanh(u)
    x = np.tanh(a) if JACOBIAN_AT_SQUASHED else a
    logp = np.sum(-0.5 * z * z - log_std - 0.5 * np.log(2 * np.pi) - np.log(1 - x * x), axis=1)
    rho = np.exp(logp - batch.logp_t)
    # reward-to-go, reset where an episode ends (terminated_t or truncated_t)
    G, ret = 0.0, np.empty(batch.size)
    for i in range(batch.size - 1, -1, -1):
        if batch.terminated_t[i] or batch.truncated_t[i]:
            G = 0.0
        G = batch.r_t[i] + gamma * G
        ret[i] = G
    episodes = len(np.unique(batch.episode_t))
    return policy.score_sum(batch, gamma ** batch.t_index * rho * ret) / episodes
