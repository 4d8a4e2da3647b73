"""An A2C loss in PyTorch whose advantages are NOT detached (a missing .detach(), a shipped bug): the
policy loss −Â_t log π(a_t|s_t) is differentiated through Â into the critic. Otherwise as actor_critic.py."""
import numpy as np
import torch

PGTRUTH = {'kind': 'actor-critic', 'name': 'a2c-torch-no-detach-bug', 'function': 'a2c_loss', 'loss': True, 'framework': 'torch', 'valueCoef': 0.5, 'entropyCoef': 0.01}


def gae_matrix(batch, gamma, lam):
    """W with Â = W δ: W[t, j] = (γλ)^(j−t) for j ≥ t up to the end of t's episode piece."""
    end = np.maximum(batch.terminated_t.numpy(), batch.truncated_t.numpy())
    n = end.shape[0]
    W = np.zeros((n, n))
    for t in range(n):
        c = 1.0
        for j in range(t, n):
            W[t, j] = c
            if end[j]:
                break
            c *= gamma * lam
    return torch.from_numpy(W)


def advantages(batch, values, gamma, lam):
    s, s1 = batch.s_t, batch.s_tp1
    delta = batch.r_t + gamma * (1 - batch.terminated_t.double()) * values[s1] - values[s]
    return gae_matrix(batch, gamma, lam) @ delta


def a2c_loss(batch, policy, values, gamma, lam):
    s, a = batch.s_t, batch.a_t
    adv = advantages(batch, values, gamma, lam)  # BUG: not detached: −Â log π is differentiated into V
    ret = (adv + values[s]).detach()  # the returns detached as a whole
    logp = policy.log_probs()
    entropy = -(logp.exp() * logp).sum(-1)[s]
    return (-adv * logp[s, a] + 0.5 * 0.5 * (values[s] - ret) ** 2 - 0.01 * entropy).mean()
