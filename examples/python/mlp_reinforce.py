"""A user's REINFORCE for an MLP policy in PyTorch (reward-to-go, γ^t on the score).

π_w(·|s) = softmax(f_w(φ(s))): the network is rebuilt as torch.nn.Linear layers from pgtruth's
flat weights (policy.layers(), pgtruth_bridge.unflatten's layout), torch computes the logits and
log π, and autograd gives ĝ = (1/E) Σ_t γ^t G_t ∇_w log π_w(a_t|s_t) (Lehmann 2024, Theorem 3.1),
flattened back into pgtruth's layout (pgtruth_bridge.flatten). The TypeScript twin is
examples/estimators/mlp-reinforce.ts.
pgtruth check examples/python/mlp_reinforce.py   → every claim passes
"""
import numpy as np
import torch
from pgtruth_bridge import flatten  # importable inside `pgtruth check` (the bridge's own folder)

PGTRUTH = {'kind': 'policy-gradient', 'policy': 'mlp', 'name': 'torch-mlp-reinforce', 'function': 'reinforce'}

ACTIVATIONS = {'tanh': torch.nn.Tanh, 'relu': torch.nn.ReLU, 'swish': torch.nn.SiLU}


def network(policy):
    """torch.nn.Sequential of float64 Linear layers holding the view's weights, σ between them."""
    layers = policy.layers()
    modules = []
    for l, (W, b) in enumerate(layers):
        linear = torch.nn.Linear(W.shape[1], W.shape[0]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        modules.append(linear)
        if l < len(layers) - 1:
            modules.append(ACTIVATIONS[policy.activation]())
    return torch.nn.Sequential(*modules)


def reward_to_go(batch, gamma):
    r, ended = batch.r_t.tolist(), (batch.terminated_t | batch.truncated_t).tolist()
    out, g = np.empty(batch.size), 0.0
    for i in range(batch.size - 1, -1, -1):   # every episode ends with a flag
        g = r[i] + gamma * (0.0 if ended[i] else g)
        out[i] = g
    return out


def reinforce(batch, policy, gamma):
    episodes = np.count_nonzero(np.diff(batch.episode_t)) + 1
    c = gamma ** batch.t_index * reward_to_go(batch, gamma) / episodes
    net = network(policy)
    logits = net(torch.from_numpy(policy.features[batch.s_t]))
    logp = torch.log_softmax(logits, dim=-1)[torch.arange(batch.size), torch.from_numpy(batch.a_t.astype(np.int64))]
    (torch.from_numpy(c) * logp).sum().backward()
    return flatten([(m.weight.grad, m.bias.grad) for m in net if isinstance(m, torch.nn.Linear)])
