#!/usr/bin/env python3
"""The numpy reference of `npm run bench:sampling`: the same pipeline, vectorized over episodes.

Reads a JSON config on stdin (written by bench/sampling.ts): for each MDP the dense P, r, p0,
the softmax policy table pi, the exact V and grad J, and the batch shape (N episodes of T
steps each, cut by the time limit T), gamma and lambda. For each MDP it runs, per batch:

  rollout   s_0 ~ p0, then T steps of a ~ pi(.|s), r = r(s,a), s' ~ P(.|s,a), log pi(a|s),
            terminated = terminal[s'], truncated at t = T - 1; arrays are T x N (time-major),
            inverse-CDF draws with np.searchsorted on row-offset cumulative tables
  rtg       G_t = r_t + gamma * G_{t+1} (no bootstrap; G = 0 after an episode's end)
  gae       delta_t = r_t + gamma * (1 - term_t) V(s_{t+1}) - V(s_t);
            A_t = delta_t + gamma * lambda * (1 - done_t) A_{t+1}; targets = A + V(s_t)
  grad      REINFORCE with reward-to-go and the gamma^t weight, averaged over the N episodes:
            g = (1/N) sum_{n,t} gamma^t G_t grad log pi(a_t|s_t); for the tabular softmax
            grad log pi(a|s) = e_{s,a} - sum_b pi(b|s) e_{s,b}, so g is two bincounts

and prints one JSON object: per MDP, the median over rounds of the time per batch of each
stage, the transitions per second of the rollout and of the whole pipeline, the mean
undiscounted return per episode and the relative error of the mean gradient against the
exact grad J, each with its standard error (sanity checks that both pipelines compute the
same thing; the error of the mean gradient should be about its standard error, which is
the root of the summed per-coordinate variances of the mean).
"""
import json
import sys
import time

import numpy as np


def row_offset_cdf(p):
    """Cumulative rows shifted by their row index, flattened: row i spans (i, i + 1]."""
    c = np.cumsum(p, axis=1)
    c[:, -1] = 1.0
    return (c + np.arange(p.shape[0])[:, None]).ravel()


def draw(cdf_flat, rows, width, u):
    """Inverse-CDF draws, one per entry of `rows`, from the row-offset table."""
    idx = np.searchsorted(cdf_flat, rows + u, side="right") - rows * width
    return np.minimum(idx, width - 1)


def rollout(m, rng, N, T):
    S, A = m["S"], m["A"]
    s = draw(m["p0_cdf"], np.zeros(N, dtype=np.int64), S, rng.random(N))
    st = np.empty((T, N), dtype=np.int32); at = np.empty((T, N), dtype=np.int32)
    rt = np.empty((T, N)); s2t = np.empty((T, N), dtype=np.int32); lp = np.empty((T, N))
    for t in range(T):
        a = draw(m["pi_cdf"], s, A, rng.random(N))
        sa = s * A + a
        s2 = draw(m["P_cdf"], sa, S, rng.random(N))
        st[t] = s; at[t] = a; rt[t] = m["r"][sa]; s2t[t] = s2; lp[t] = m["logpi"][sa]
        s = s2
    term = m["terminal"][s2t]
    trunc = np.zeros((T, N), dtype=np.uint8); trunc[T - 1] = 1 - term[T - 1]
    return st, at, rt, s2t, term, trunc, lp


def reward_to_go(rt, term, trunc, gamma):
    G = np.empty_like(rt)
    done = (term | trunc).astype(bool)
    g = np.zeros(rt.shape[1])
    for t in range(rt.shape[0] - 1, -1, -1):
        g = rt[t] + gamma * np.where(done[t], 0.0, g)
        G[t] = g
    return G


def gae(st, rt, s2t, term, trunc, V, gamma, lam):
    v = V[st]
    delta = rt + gamma * (1 - term) * V[s2t] - v
    done = (term | trunc).astype(bool)
    adv = np.empty_like(rt)
    carry = np.zeros(rt.shape[1])
    for t in range(rt.shape[0] - 1, -1, -1):
        carry = delta[t] + gamma * lam * np.where(done[t], 0.0, carry)
        adv[t] = carry
    return adv, adv + v


def reinforce(st, at, G, pi, S, A, gamma, N):
    T = st.shape[0]
    w = (gamma ** np.arange(T))[:, None] * G / N
    ws = np.bincount((st * A + at).ravel(), weights=w.ravel(), minlength=S * A)
    wstate = np.bincount(st.ravel(), weights=w.ravel(), minlength=S)
    return ws - (wstate[:, None] * pi.reshape(S, A)).ravel()


def prepare(j):
    S, A = j["S"], j["A"]
    P = np.asarray(j["P"], dtype=float).reshape(S * A, S)
    pi = np.asarray(j["pi"], dtype=float)
    return {
        "S": S, "A": A, "gamma": j["gamma"], "name": j["name"],
        "P_cdf": row_offset_cdf(P), "pi_cdf": row_offset_cdf(pi.reshape(S, A)),
        "p0_cdf": row_offset_cdf(np.asarray(j["p0"], dtype=float)[None, :]),
        "r": np.asarray(j["r"], dtype=float), "pi": pi,
        "logpi": np.log(np.where(pi > 0, pi, 1.0)),
        "terminal": np.asarray(j["terminal"], dtype=np.uint8),
        "V": np.asarray(j["V"], dtype=float), "grad": np.asarray(j["grad"], dtype=float),
    }


def bench(m, cfg):
    N, T, lam = cfg["episodes"], cfg["steps"], cfg["lambda"]
    S, A, gamma = m["S"], m["A"], m["gamma"]
    rng = np.random.default_rng(cfg["seed"])
    rounds = []
    grads, returns = [], []
    for r in range(cfg["rounds"] + 1):  # round 0 warms up
        tot = np.zeros(4)
        for _ in range(cfg["batches"]):
            t0 = time.perf_counter()
            st, at, rt, s2t, term, trunc, lp = rollout(m, rng, N, T)
            t1 = time.perf_counter()
            G = reward_to_go(rt, term, trunc, gamma)
            t2 = time.perf_counter()
            gae(st, rt, s2t, term, trunc, m["V"], gamma, lam)
            t3 = time.perf_counter()
            g = reinforce(st, at, G, m["pi"], S, A, gamma, N)
            t4 = time.perf_counter()
            tot += np.array([t1 - t0, t2 - t1, t3 - t2, t4 - t3])
            if r > 0:
                grads.append(g)
                returns.append(rt.sum(axis=0).mean())
        if r > 0:
            rounds.append(tot / cfg["batches"])
    med = np.median(np.array(rounds), axis=0)
    n = N * T
    grads, returns = np.array(grads), np.array(returns)
    gbar = grads.mean(axis=0)
    gnorm = np.linalg.norm(m["grad"])
    return {
        "name": m["name"],
        "secondsPerBatch": {"rollout": med[0], "rewardToGo": med[1], "gae": med[2], "reinforce": med[3]},
        "rolloutPerSecond": n / med[0],
        "pipelinePerSecond": n / med.sum(),
        "roundPipelinePerSecond": [n / x.sum() for x in rounds],
        "meanReturn": float(returns.mean()),
        "meanReturnSE": float(returns.std(ddof=1) / np.sqrt(len(returns))),
        "gradRelativeError": float(np.linalg.norm(gbar - m["grad"]) / gnorm),
        "gradRelativeSE": float(np.sqrt((grads.var(axis=0, ddof=1) / len(grads)).sum()) / gnorm),
        "batchesAveraged": len(grads),
    }


def main():
    cfg = json.load(sys.stdin)
    out = {"numpy": np.__version__, "python": sys.version.split()[0],
           "results": [bench(prepare(j), cfg) for j in cfg["mdps"]]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
