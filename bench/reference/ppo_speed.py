"""The PyTorch side of `npm run bench:ppo-speed` (bench/ppo-speed.ts).

A CleanRL-style PPO training loop (Huang et al. 2022, "CleanRL"; the loop of its ppo.py and
ppo_continuous_action.py: rollout with the old policy, GAE, epochs x shuffled minibatches of the
clipped surrogate + clipped value loss - entropy bonus, global gradient clipping, Adam with a
linearly annealed step size) written here from that structure - no code copied - in PyTorch on
one thread, float32 or float64. No Gymnasium and no MuJoCo here: the environments are our own
small Python ones, the same tasks the TypeScript side steps:

- CartPole: from the specification in ../shared/REFERENCES.md (explicit Euler, +1 per step,
  terminated at |x| > 2.4 or |theta| > 12 degrees, truncated at 500), 4 copies with auto-reset;
- HalfCheetahShape: a stand-in with HalfCheetah's shapes (17 observations, 6 actions in
  [-1, 1], episodes of 1000 steps, never terminated) and trivial dynamics
  s <- 0.95 s + 0.1 a[i mod 6], r = s[8] - 0.1 sum(a^2), reset U(+-0.1): the same formulas as
  bench/ppo-speed.ts, so only the learner loops differ. 1 copy, observations normalized and
  rewards scaled (running statistics, clipped to +-10) as ppo_continuous_action.py's wrappers do.

Protocol: one JSON command per stdin line, one JSON reply per stdout line:
  {"cmd": "info"} -> python, torch versions, threads
  {"cmd": "run", "env": "CartPole"|"HalfCheetahShape", "dtype": "float32"|"float64",
   "steps": N, "seed": s} -> {"steps", "cpu", "wall", "updates", "episodes", "mean_return"}
  {"cmd": "quit"}
"""
import json
import math
import random
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)


# ----------------------------------------------------------------------------- environments

class CartPole:
    """CartPole-v1 from the specification (float64 Python arithmetic, one copy)."""
    obs_dim, n_actions = 4, 2

    def __init__(self, rng):
        self.rng = rng
        self.reset()

    def reset(self):
        self.s = [self.rng.uniform(-0.05, 0.05) for _ in range(4)]
        self.t = 0
        return list(self.s)

    def step(self, a):
        g, m_c, m_p, l, f_mag, tau = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
        x, x_dot, th, th_dot = self.s
        force = f_mag if a == 1 else -f_mag
        M = m_c + m_p
        c, s = math.cos(th), math.sin(th)
        temp = (force + m_p * l * th_dot * th_dot * s) / M
        th_acc = (g * s - c * temp) / (l * (4.0 / 3.0 - m_p * c * c / M))
        x_acc = temp - m_p * l * th_acc * c / M
        x, x_dot = x + tau * x_dot, x_dot + tau * x_acc
        th, th_dot = th + tau * th_dot, th_dot + tau * th_acc
        self.s = [x, x_dot, th, th_dot]
        self.t += 1
        terminated = abs(x) > 2.4 or abs(th) > 12 * 2 * math.pi / 360
        truncated = (not terminated) and self.t >= 500
        return list(self.s), 1.0, terminated, truncated


class HalfCheetahShape:
    """The stand-in with HalfCheetah's shapes (see the module docstring)."""
    obs_dim, act_dim = 17, 6

    def __init__(self, rng):
        self.rng = rng
        self.idx = np.arange(17) % 6
        self.reset()

    def reset(self):
        self.s = self.rng.uniform(-0.1, 0.1, 17)
        self.t = 0
        return self.s.copy()

    def step(self, a):
        a = np.clip(a, -1.0, 1.0)
        self.s = 0.95 * self.s + 0.1 * a[self.idx]
        self.t += 1
        r = float(self.s[8] - 0.1 * np.sum(a * a))
        return self.s.copy(), r, False, self.t >= 1000


class RunningMeanStd:
    """Running mean and variance (parallel-update formula of Chan et al.)."""

    def __init__(self, shape):
        self.mean, self.var, self.count = np.zeros(shape), np.ones(shape), 1e-4

    def update(self, x):
        bm, bv, bc = x.mean(0), x.var(0), x.shape[0]
        d, tot = bm - self.mean, self.count + bc
        self.mean = self.mean + d * bc / tot
        self.var = (self.var * self.count + bv * bc + d * d * self.count * bc / tot) / tot
        self.count = tot


# ----------------------------------------------------------------------------- the networks

def linear(n_in, n_out, gain, dtype):
    layer = torch.nn.Linear(n_in, n_out, dtype=dtype)
    torch.nn.init.orthogonal_(layer.weight, gain)
    torch.nn.init.zeros_(layer.bias)
    return layer


def mlp(n_in, n_out, last_gain, dtype):
    return torch.nn.Sequential(linear(n_in, 64, math.sqrt(2), dtype), torch.nn.Tanh(),
                               linear(64, 64, math.sqrt(2), dtype), torch.nn.Tanh(),
                               linear(64, n_out, last_gain, dtype))


class Agent(torch.nn.Module):
    def __init__(self, obs_dim, out_dim, continuous, dtype):
        super().__init__()
        self.continuous = continuous
        self.critic = mlp(obs_dim, 1, 1.0, dtype)
        self.actor = mlp(obs_dim, out_dim, 0.01, dtype)
        if continuous:
            self.log_std = torch.nn.Parameter(torch.zeros(1, out_dim, dtype=dtype))

    def dist(self, x):
        if self.continuous:
            mean = self.actor(x)
            return torch.distributions.Normal(mean, self.log_std.expand_as(mean).exp())
        return torch.distributions.Categorical(logits=self.actor(x))

    def logp_entropy(self, d, a):
        if self.continuous:
            return d.log_prob(a).sum(1), d.entropy().sum(1)
        return d.log_prob(a), d.entropy()


# ----------------------------------------------------------------------------- the loop

def run(env_name, dtype_name, total_steps, seed):
    dtype = torch.float64 if dtype_name == 'float64' else torch.float32
    torch.manual_seed(seed)
    rng_py, rng_np = random.Random(seed), np.random.default_rng(seed)
    continuous = env_name == 'HalfCheetahShape'
    if continuous:
        N, T, epochs, n_mb, lr0, ent_coef = 1, 2048, 10, 32, 3e-4, 0.0
        envs = [HalfCheetahShape(rng_np) for _ in range(N)]
        obs_dim, out_dim = 17, 6
    else:
        N, T, epochs, n_mb, lr0, ent_coef = 4, 128, 4, 4, 2.5e-4, 0.01
        envs = [CartPole(rng_py) for _ in range(N)]
        obs_dim, out_dim = 4, 2
    gamma, lam, clip, vf_coef, max_norm = 0.99, 0.95, 0.2, 0.5, 0.5
    B = N * T
    mb = B // n_mb
    agent = Agent(obs_dim, out_dim, continuous, dtype)
    opt = torch.optim.Adam(agent.parameters(), lr=lr0, eps=1e-5)
    obs_rms, ret_rms = RunningMeanStd(obs_dim), RunningMeanStd(())
    ret_acc = np.zeros(N)

    def norm_obs(o):
        if not continuous:
            return o
        obs_rms.update(o)
        return np.clip((o - obs_rms.mean) / np.sqrt(obs_rms.var + 1e-8), -10, 10)

    def scale_rew(r, done):
        if not continuous:
            return r
        ret_acc[:] = ret_acc * gamma + r
        ret_rms.update(ret_acc.reshape(-1, 1)[:, 0])
        ret_acc[done] = 0.0
        return np.clip(r / np.sqrt(ret_rms.var + 1e-8), -10, 10)

    obs_buf = torch.zeros((T, N, obs_dim), dtype=dtype)
    act_buf = torch.zeros((T, N, out_dim), dtype=dtype) if continuous else torch.zeros((T, N), dtype=torch.long)
    logp_buf, rew_buf, done_buf, val_buf = (torch.zeros((T, N), dtype=dtype) for _ in range(4))
    next_obs = torch.as_tensor(norm_obs(np.array([e.reset() for e in envs], dtype=np.float64)), dtype=dtype)
    next_done = torch.zeros(N, dtype=dtype)
    ep_ret, ended = np.zeros(N), []
    updates = math.ceil(total_steps / B)
    steps = 0
    c0, w0 = time.process_time(), time.perf_counter()
    for u in range(updates):
        for g in opt.param_groups:
            g['lr'] = (1.0 - u / updates) * lr0
        # rollout with the old policy
        for t in range(T):
            obs_buf[t], done_buf[t] = next_obs, next_done
            with torch.no_grad():
                d = agent.dist(next_obs)
                a = d.sample()
                logp_buf[t] = agent.logp_entropy(d, a)[0]
                val_buf[t] = agent.critic(next_obs).flatten()
            act_buf[t] = a
            a_np = a.numpy()
            o2, r, dn = [], np.zeros(N), np.zeros(N, dtype=bool)
            for i, e in enumerate(envs):
                o, ri, term, trunc = e.step(a_np[i] if continuous else int(a_np[i]))
                ep_ret[i] += ri
                if term or trunc:
                    ended.append(ep_ret[i])
                    ep_ret[i] = 0.0
                    o = e.reset()
                o2.append(o)
                r[i], dn[i] = ri, term or trunc
            steps += N
            rew_buf[t] = torch.as_tensor(scale_rew(r, dn), dtype=dtype)
            next_obs = torch.as_tensor(norm_obs(np.array(o2, dtype=np.float64)), dtype=dtype)
            next_done = torch.as_tensor(dn, dtype=dtype)
        # GAE(lambda), bootstrapping from V of the next observation
        with torch.no_grad():
            next_v = agent.critic(next_obs).flatten()
            adv = torch.zeros_like(rew_buf)
            last = torch.zeros(N, dtype=dtype)
            for t in reversed(range(T)):
                nonterm = 1.0 - (next_done if t == T - 1 else done_buf[t + 1])
                v_next = next_v if t == T - 1 else val_buf[t + 1]
                delta = rew_buf[t] + gamma * v_next * nonterm - val_buf[t]
                last = delta + gamma * lam * nonterm * last
                adv[t] = last
            ret = adv + val_buf
        b_obs = obs_buf.reshape(B, obs_dim)
        b_act = act_buf.reshape(B, out_dim) if continuous else act_buf.reshape(B)
        b_logp, b_adv, b_ret, b_val = logp_buf.reshape(B), adv.reshape(B), ret.reshape(B), val_buf.reshape(B)
        # epochs x minibatches
        for _ in range(epochs):
            perm = torch.randperm(B)
            for s in range(0, B, mb):
                idx = perm[s:s + mb]
                d = agent.dist(b_obs[idx])
                logp, ent = agent.logp_entropy(d, b_act[idx])
                ratio = (logp - b_logp[idx]).exp()
                a_mb = b_adv[idx]
                a_mb = (a_mb - a_mb.mean()) / (a_mb.std() + 1e-8)
                pg_loss = torch.max(-a_mb * ratio, -a_mb * ratio.clamp(1 - clip, 1 + clip)).mean()
                v = agent.critic(b_obs[idx]).flatten()
                v_clip = b_val[idx] + (v - b_val[idx]).clamp(-clip, clip)
                v_loss = 0.5 * torch.max((v - b_ret[idx]) ** 2, (v_clip - b_ret[idx]) ** 2).mean()
                loss = pg_loss - ent_coef * ent.mean() + vf_coef * v_loss
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(agent.parameters(), max_norm)
                opt.step()
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    recent = ended[-100:]
    return {'steps': steps, 'cpu': cpu, 'wall': wall, 'updates': updates, 'episodes': len(ended),
            'mean_return': float(np.mean(recent)) if recent else None}


def main():
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            if cmd['cmd'] == 'info':
                reply = {'python': sys.version.split()[0], 'torch': torch.__version__, 'threads': torch.get_num_threads()}
            elif cmd['cmd'] == 'run':
                reply = run(cmd['env'], cmd['dtype'], int(cmd['steps']), int(cmd.get('seed', 1)))
            elif cmd['cmd'] == 'quit':
                print(json.dumps({'ok': True}), flush=True)
                return
            else:
                reply = {'error': f"unknown command {cmd['cmd']}"}
        except Exception as e:  # reported to the caller, which stops
            reply = {'error': repr(e)}
        print(json.dumps(reply), flush=True)


if __name__ == '__main__':
    main()
