"""A user's importance-weighted REINFORCE for a tanh-squashed Gaussian head on an MLP, in PyTorch.

SAC's actor: the network outputs [μ_w(x), log σ_w(x)] (a state-dependent log σ; for a
state-independent one, 'gaussian-mlp' heads, log σ is w[policy.log_std_offset:]). The network
is rebuilt from pgtruth's flat weights (policy.layers(), pgtruth_bridge.unflatten's layout:
torch.nn.Linear's), torch computes log π with the change of variables a = tanh(u),

    log π_w(a|x) = log N(u; μ_w(x), σ_w(x)) − Σ log(1 − tanh² u),

and autograd differentiates the importance-weighted return (1/E) Σ_t γ^t ρ_t G_t with
ρ_t = π_w(a_t|x_t)/π_old(a_t|x_t) (= 1 at w_old when log π is right; ∇ρ = ρ ∇log π, Lehmann
2024, §3.2 and §6). batch.a_cont_t holds the pre-squash u; π_old's log π in batch.logp_t.
The same function serves a 'gaussian-mlp' head (no squashing: the Jacobian term is dropped).
The TypeScript twin is examples/estimators/tanh-gaussian-mlp.ts; the buggy twin (the Jacobian
at the squashed value) is tanh_gaussian_mlp_jacobian_bug.py.
pgtruth check examples/python/tanh_gaussian_mlp.py   → every claim passes
"""
import math

import numpy as np
import torch

PGTRUTH = {'kind': 'policy-gradient', 'policy': 'tanh-gaussian-mlp', 'name': 'torch-tanh-gaussian-mlp', 'function': 'reinforce'}

ACTIVATIONS = {'tanh': torch.tanh, 'relu': torch.relu, 'swish': torch.nn.functional.silu}

def log_one_minus_tanh_sq(x):
    """log(1 − tanh² x) = 2(log 2 − |x| − log(1 + e^{−2|x|})), stable for large |x|."""
    return 2 * (math.log(2) - x.abs() - torch.nn.functional.softplus(-2 * x.abs()))


def log_prob(policy, w, obs, u, jacobian_at_squashed=False):
    """log π_w(u_t|x_t), shape (T,), differentiable in w (jacobian_at_squashed: the shipped bug, log(1 − tanh²(a)), a = tanh(u))."""
    k, layers = policy.action_dim, policy.layers(w)
    h = obs
    for l, (W, b) in enumerate(layers):
        h = torch.nn.functional.linear(h, W, b)
        if l < len(layers) - 1:
            h = ACTIVATIONS[policy.activation](h)
    mu = h[:, :k]
    if policy.log_std_mode == 'state-dependent':
        log_std = h[:, k:2 * k]
    else:
        log_std = w[policy.log_std_offset:policy.log_std_offset + k].expand_as(mu)
    z = (u - mu) * torch.exp(-log_std)
    logp = (-0.5 * z * z - log_std - 0.5 * math.log(2 * math.pi)).sum(dim=1)
    if policy.family == 'tanh-gaussian':
        x = torch.tanh(u) if jacobian_at_squashed else u
        logp = logp - log_one_minus_tanh_sq(x).sum(dim=1)
    return logp


def reward_to_go(batch, gamma):
    r, ended = batch.r_t.tolist(), (batch.terminated_t | batch.truncated_t).tolist()
    out, g = np.empty(batch.size), 0.0
    for i in range(batch.size - 1, -1, -1):   # every episode ends with a flag
        g = r[i] + gamma * (0.0 if ended[i] else g)
        out[i] = g
    return out


def reinforce(batch, policy, gamma, jacobian_at_squashed=False):
    w = torch.tensor(policy.weights, dtype=torch.float64, requires_grad=True)
    logp = log_prob(policy, w, torch.from_numpy(batch.obs_t), torch.from_numpy(batch.a_cont_t), jacobian_at_squashed)
    rho = torch.exp(logp - torch.from_numpy(batch.logp_t))
    episodes = np.count_nonzero(np.diff(batch.episode_t)) + 1
    c = torch.from_numpy(gamma ** batch.t_index * reward_to_go(batch, gamma) / episodes)
    (g,) = torch.autograd.grad((c * rho).sum(), w)
    return g.numpy()
