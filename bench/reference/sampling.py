#!/usr/bin/env python3
"""The numpy reference of `npm run bench:sampling`: the same pipeline, vectorized over episodes.

Reads a JSON config on the first line of stdin (written by bench/sampling.ts): for each MDP
the dense P, r, p0, the softmax policy table pi, the exact V and grad J, and the batch shape
(N episodes of T steps each, cut by the time limit T), gamma and lambda. Per batch it runs:

  rollout   s_0 ~ p0, then T steps of a ~ pi(.|s), r = r(s,a), s' ~ P(.|s,a), log pi(a|s),
            terminated = terminal[s'], truncated at t = T - 1; arrays are T x N (time-major).
            a and s' are Walker/Vose alias draws (one uniform each, all drawn in one call per
            batch; cell k = floor(u m), primary if u m - k < q_k); the step loop only carries
            the states, and r, log pi and the flags are gathered after it. (The bench's MDPs
            have no terminal states; this reference does not restart episodes.)
  rtg       G_t = r_t + gamma * G_{t+1} (no bootstrap; G = 0 after an episode's end), as
            G_t = r_t + c_t G_{t+1} with c_t = gamma (1 - done_t), in place
  gae       delta_t = r_t + gamma * (1 - term_t) V(s_{t+1}) - V(s_t);
            A_t = delta_t + gamma * lambda * (1 - done_t) A_{t+1} (the advantages only, as
            on the TypeScript side: no value targets)
  grad      REINFORCE with reward-to-go and the gamma^t weight, averaged over the N episodes:
            g = (1/N) sum_{n,t} gamma^t G_t grad log pi(a_t|s_t); for the tabular softmax
            grad log pi(a|s) = e_{s,a} - sum_b pi(b|s) e_{s,b}, so g is two bincounts

It serves rounds on request (see main), so that bench/sampling.ts alternates numpy's rounds
with its own and both sides see the same machine: a round is `batches` batches of one MDP,
answered with the mean time per batch of each stage. At the end it gives the mean
undiscounted return per episode and the relative error of the mean gradient against the
exact grad J, each with its standard error (sanity checks that both pipelines compute the
same thing; the error of the mean gradient should be about its standard error, which is
the root of the summed per-coordinate variances of the mean).

An earlier version drew a and s' by np.searchsorted on row-offset cumulative tables, two
uniform calls per step, and gathered r and log pi inside the loop; the alias draws are
about three times faster on the bench's MDPs, so the reference uses them.
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
    """Inverse-CDF draws, one per entry of `rows`, from the row-offset table (for s_0 only)."""
    idx = np.searchsorted(cdf_flat, rows + u, side="right") - rows * width
    return np.minimum(idx, width - 1)


def alias_table(p):
    """Vose's alias table of each row of p (rows x m), flattened: threshold q and alias per cell."""
    rows, m = p.shape
    q = np.ones(rows * m)
    alias = np.tile(np.arange(m), rows)
    for i in range(rows):
        w = p[i] * (m / p[i].sum())
        small = [j for j in range(m) if w[j] < 1]
        large = [j for j in range(m) if w[j] >= 1]
        while small and large:
            lo, hi = small.pop(), large[-1]
            q[i * m + lo], alias[i * m + lo] = w[lo], hi
            w[hi] += w[lo] - 1
            if w[hi] < 1:
                small.append(large.pop())
    return q, alias


def draw_alias(q, alias, rows, m, u):
    """One alias draw per entry of `rows`: cell k = floor(u m); k itself if u m - k < q, else its alias."""
    x = u * m
    k = x.astype(np.int64)
    c = rows * m + k
    return np.where(x - k < q[c], k, alias[c])


def rollout(m, rng, N, T):
    S, A = m["S"], m["A"]
    u = rng.random((2 * T + 1, N))
    s = draw(m["p0_cdf"], np.zeros(N, dtype=np.int64), S, u[0])
    st = np.empty((T + 1, N), dtype=np.int64); sat = np.empty((T, N), dtype=np.int64)
    st[0] = s
    (pi_q, pi_alias), (P_q, P_alias) = m["pi_alias"], m["P_alias"]
    for t in range(T):
        sa = s * A + draw_alias(pi_q, pi_alias, s, A, u[2 * t + 1])
        s = draw_alias(P_q, P_alias, sa, S, u[2 * t + 2])
        sat[t] = sa; st[t + 1] = s
    s_t, s2t = st[:T], st[1:]
    at = sat - s_t * A
    term = m["terminal"][s2t]
    trunc = np.zeros((T, N), dtype=np.uint8); trunc[T - 1] = 1 - term[T - 1]
    return s_t, at, m["r"][sat], s2t, term, trunc, m["logpi"][sat]


def reward_to_go(rt, term, trunc, gamma):
    c = gamma * (1 - (term | trunc))
    G = np.empty_like(rt)
    G[-1] = rt[-1]  # t = T - 1 ends every episode
    for t in range(rt.shape[0] - 2, -1, -1):
        np.multiply(c[t], G[t + 1], out=G[t])
        G[t] += rt[t]
    return G


def gae(st, rt, s2t, term, trunc, V, gamma, lam):
    v = V[st]
    delta = rt + gamma * (1 - term) * V[s2t] - v
    c = gamma * lam * (1 - (term | trunc))
    adv = np.empty_like(rt)
    adv[-1] = delta[-1]
    for t in range(rt.shape[0] - 2, -1, -1):
        np.multiply(c[t], adv[t + 1], out=adv[t])
        adv[t] += delta[t]
    return adv


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
        "P_alias": alias_table(P), "pi_alias": alias_table(pi.reshape(S, A)),
        "p0_cdf": row_offset_cdf(np.asarray(j["p0"], dtype=float)[None, :]),
        "r": np.asarray(j["r"], dtype=float), "pi": pi,
        "logpi": np.log(np.where(pi > 0, pi, 1.0)),
        "terminal": np.asarray(j["terminal"], dtype=np.uint8),
        "V": np.asarray(j["V"], dtype=float), "grad": np.asarray(j["grad"], dtype=float),
    }


def run_round(m, cfg, warm):
    """One round: `batches` batches of the pipeline; the mean seconds per batch of each stage."""
    N, T, lam = cfg["episodes"], cfg["steps"], cfg["lambda"]
    S, A, gamma = m["S"], m["A"], m["gamma"]
    tot = np.zeros(4)
    for _ in range(cfg["batches"]):
        t0 = time.perf_counter()
        st, at, rt, s2t, term, trunc, lp = rollout(m, m["rng"], N, T)
        t1 = time.perf_counter()
        G = reward_to_go(rt, term, trunc, gamma)
        t2 = time.perf_counter()
        gae(st, rt, s2t, term, trunc, m["V"], gamma, lam)
        t3 = time.perf_counter()
        g = reinforce(st, at, G, m["pi"], S, A, gamma, N)
        t4 = time.perf_counter()
        tot += np.array([t1 - t0, t2 - t1, t3 - t2, t4 - t3])
        if warm:
            m["grads"].append(g)
            m["returns"].append(rt.sum(axis=0).mean())
    return (tot / cfg["batches"]).tolist()


def sanity(m):
    """Mean return per episode and the relative error of the mean gradient, with standard errors."""
    grads, returns = np.array(m["grads"]), np.array(m["returns"])
    gnorm = np.linalg.norm(m["grad"])
    return {
        "name": m["name"],
        "meanReturn": float(returns.mean()),
        "meanReturnSE": float(returns.std(ddof=1) / np.sqrt(len(returns))),
        "gradRelativeError": float(np.linalg.norm(grads.mean(axis=0) - m["grad"]) / gnorm),
        "gradRelativeSE": float(np.sqrt((grads.var(axis=0, ddof=1) / len(grads)).sum()) / gnorm),
        "batchesAveraged": len(grads),
    }


def main():
    """A round server, so that the caller can alternate numpy's rounds with its own: line 1 is
    the config; then each line {"mdp": name, "warm": bool} runs one round of that MDP and
    answers {"seconds": [rollout, rewardToGo, gae, reinforce]} (per batch); "done" answers
    the sanity figures of the warm rounds."""
    cfg = json.loads(sys.stdin.readline())
    mdps = {j["name"]: prepare(j) for j in cfg["mdps"]}
    for m in mdps.values():
        m["rng"], m["grads"], m["returns"] = np.random.default_rng(cfg["seed"]), [], []
    for line in sys.stdin:
        req = json.loads(line)
        if req == "done":
            out = {"numpy": np.__version__, "python": sys.version.split()[0], "results": [sanity(m) for m in mdps.values()]}
        else:
            out = {"seconds": run_round(mdps[req["mdp"]], cfg, req["warm"])}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
