"""A PPO value loss with value clipping (ε = 0.2) in numpy: targets R_t = GAE(γ, λ) under the
rollout-time critic V_old plus V_old(s_t); loss = mean ½ max((V − R)², (V_old + clip(V − V_old, ±ε) − R)²);
returns the loss and its gradient in the value table V."""
import numpy as np

EPS = 0.2
PGTRUTH = {'kind': 'value-loss', 'name': 'ppo-value-loss-numpy', 'function': 'value_loss', 'definition': 'gae', 'reduction': 'mean', 'half': True, 'valueClip': EPS}


def gae(batch, V, gamma, lam):
    adv, carry = np.zeros(batch.size), 0.0
    for i in range(batch.size - 1, -1, -1):
        end = batch.terminated_t[i] or batch.truncated_t[i]
        nxt = 0.0 if batch.terminated_t[i] else V[batch.s_tp1[i]]
        carry = batch.r_t[i] + gamma * nxt - V[batch.s_t[i]] + (0.0 if end else gamma * lam * carry)
        adv[i] = carry
    return adv


def value_loss(batch, values, values_old, gamma, lam):
    s = batch.s_t
    R = gae(batch, values_old, gamma, lam) + values_old[s]
    v, vo = values[s], values_old[s]
    d = v - vo
    vc = vo + np.clip(d, -EPS, EPS)
    u, c = (v - R) ** 2, (vc - R) ** 2
    per = np.where(u >= c, v - R, np.where(np.abs(d) < EPS, vc - R, 0.0)) / batch.size
    grad = np.zeros(batch.num_states)
    np.add.at(grad, s, per)
    return 0.5 * np.maximum(u, c).mean(), grad
