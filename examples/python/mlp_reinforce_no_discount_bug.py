"""BUGGY on purpose: REINFORCE without the γ^t weight on the score, for an MLP policy, in numpy.

The network's forward pass and its backpropagation are written by hand (no autograd):
h_0 = φ(s), z_l = W_l h_l + b_l, h_{l+1} = σ(z_l), logits = z_{L−1}; the cotangent of the
logits of transition t is c_t (e_{a_t} − π_w(·|s_t)), pulled back layer by layer
(∂W_l = δ_lᵀ h_l, ∂b_l = Σ_t δ_l, δ_{l−1} = (δ_l W_l) ⊙ σ′(z_{l−1})). The bug is c_t = G_t / E
instead of γ^t G_t / E (Nota & Thomas 2020): its mean is the undiscounted-visitation gradient,
not ∇_w J. The TypeScript twin is examples/estimators/mlp-reinforce-no-discount.ts.
pgtruth check examples/python/mlp_reinforce_no_discount_bug.py   → FAIL on the γ = 0.9 Garnet
"""
import numpy as np

PGTRUTH = {'kind': 'policy-gradient', 'policy': 'mlp', 'name': 'numpy-mlp-reinforce-no-discount', 'function': 'reinforce'}

DISCOUNT_SCORE = False  # the bug: True gives the correct estimator


def sigma(name, z):
    """σ(z) and σ′(z) of the hidden activation."""
    if name == 'tanh':
        h = np.tanh(z)
        return h, 1 - h * h
    if name == 'relu':
        return np.maximum(z, 0), (z > 0).astype(np.float64)
    s = 1 / (1 + np.exp(-z))  # swish z·sigmoid(z)
    return z * s, s * (1 + z * (1 - s))


def score_sum(policy, s, a, c):
    """Σ_t c_t ∇_w log π_w(a_t|s_t), in pgtruth's layout (policy.layers() order, W then b)."""
    layers = policy.layers()
    h, hs, ds = policy.features[s], [], []
    for l, (W, b) in enumerate(layers):
        hs.append(h)
        z = h @ W.T + b
        if l < len(layers) - 1:
            h, d = sigma(policy.activation, z)
            ds.append(d)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    delta = -c[:, None] * p                      # c_t (e_{a_t} − π(·|s_t)) at the logits
    delta[np.arange(len(a)), a] += c
    grads = [None] * len(layers)
    for l in range(len(layers) - 1, -1, -1):
        W, _ = layers[l]
        grads[l] = (delta.T @ hs[l], delta.sum(axis=0))
        if l > 0:
            delta = (delta @ W) * ds[l - 1]
    return np.concatenate([x.reshape(-1) for pair in grads for x in pair])


def reinforce(batch, policy, gamma):
    r, ended = batch.r_t.tolist(), (batch.terminated_t | batch.truncated_t).tolist()
    returns, g = np.empty(batch.size), 0.0
    for i in range(batch.size - 1, -1, -1):
        g = r[i] + gamma * (0.0 if ended[i] else g)
        returns[i] = g
    episodes = np.count_nonzero(np.diff(batch.episode_t)) + 1
    c = (gamma ** batch.t_index if DISCOUNT_SCORE else 1.0) * returns / episodes
    return score_sum(policy, batch.s_t, batch.a_t, c)
