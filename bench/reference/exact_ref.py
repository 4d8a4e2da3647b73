#!/usr/bin/python3
"""numpy/scipy reference for `npm run bench:exact` (bench/exact.ts).

It does, on the same MDPs, the computation pgtruth's evaluatePolicy + policyGradient do:

    pi      = softmax(theta)                       (row-wise, max-shifted)
    P_pi    = sum_a pi(a|s) P(.|s,a),  r_pi = sum_a pi(a|s) r(s,a)
    M       = I - gamma * P_pi                     (restricted to non-terminal states)
    V       : M V = r_pi           eta : M^T eta = p0
    Q       = r + gamma P V,  A = Q - V,  J = p0 . V,  d = (1 - gamma) eta
    grad    = eta(s) pi(a|s) A(s,a)                (tabular softmax, Agarwal et al. 2021)

Only the computation is timed, never the loading. It runs as a server: bench/exact.ts
starts it once and sends one JSON command per line on stdin, so that pgtruth's and the
reference's timing rounds can alternate in the same invocation. Replies are one JSON line.

Commands:
  {"cmd": "load", "name": n, "dir": d}           read the case written by bench/exact.ts
  {"cmd": "time", "name": n, "variant": v, "reps": k, "warmup": w, "batch": b, "budget": s}
                                                 time variant v: k samples of b calls each;
                                                 reply {"times": [seconds per call]}
  {"cmd": "variants", "name": n}                 the variants that apply to the case
  {"cmd": "write", "name": n, "variant": v, "dir": d}
                                                 run once, write V, eta, grad (float64)
  {"cmd": "info"}                                versions and BLAS
  {"cmd": "drop", "name": n}                     forget a case
  {"cmd": "quit"}

Variants:
  dense:  "np.linalg.solve x2"      numpy's LAPACK gesv for V and again for eta
          "scipy lu_factor+lu_solve" one LAPACK getrf, two getrs (trans 0 and 1)
  sparse: "splu COLAMD", "splu MMD_AT_PLUS_A"  scipy's SuperLU, one factorization, two solves
          "bicgstab (iterative)"              an extra for sizes a direct solve cannot take
"""
import json
import os
import sys
import time

import numpy as np
import scipy
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla


def read(d, name, dtype):
    return np.fromfile(os.path.join(d, name), dtype=dtype)


class Case:
    def __init__(self, d):
        with open(os.path.join(d, "case.json")) as f:
            h = json.load(f)
        self.h = h
        S, A = h["S"], h["A"]
        self.S, self.A, self.gamma = S, A, float(h["gamma"])
        self.kind = h["kind"]
        row_ptr = read(d, "rowPtr.i32", "<i4")
        col = read(d, "col.i32", "<i4")
        val = read(d, "val.f64", "<f8")
        self.R = read(d, "rewards.f64", "<f8").reshape(S, A)
        self.p0 = read(d, "initial.f64", "<f8")
        self.theta = read(d, "theta.f64", "<f8").reshape(S, A)
        term = read(d, "terminal.u8", "u1").astype(bool)
        self.live = np.flatnonzero(~term)
        self.all_live = bool(self.live.size == S)
        P = sp.csr_matrix((val, col, row_ptr), shape=(S * A, S))
        P.sum_duplicates()
        self.P = P
        if self.kind == "dense":
            self.P3 = P.toarray().reshape(S, A, S)
        else:
            # P_pi = G @ (P with each row scaled by pi(a|s)); G sums the A rows of a state.
            self.nnz_row = np.repeat(np.arange(S * A), np.diff(P.indptr))
            self.G = sp.csr_matrix((np.ones(S * A), (np.repeat(np.arange(S), A), np.arange(S * A))), shape=(S, S * A))
            self.I = sp.identity(S, format="csr")
        self.out = None

    def variants(self):
        if self.kind == "dense":
            return ["np.linalg.solve x2", "scipy lu_factor+lu_solve"]
        return ["splu COLAMD", "splu MMD_AT_PLUS_A", "bicgstab (iterative)"]

    def policy(self):
        th = self.theta
        e = np.exp(th - th.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def finish(self, pi, V, eta, PV):
        g = self.gamma
        Q = self.R + g * PV.reshape(self.S, self.A)
        Adv = Q - V[:, None]
        J = self.p0 @ V
        if g < 1:
            d = (1 - g) * eta
        else:
            d = eta / eta.sum()
        grad = eta[:, None] * pi * Adv
        return V, eta, grad, Q, Adv, d, J

    def run_dense(self, variant):
        g = self.gamma
        pi = self.policy()
        Ppi = np.einsum("sa,sat->st", pi, self.P3)
        rpi = np.einsum("sa,sa->s", pi, self.R)
        if self.all_live:
            M = np.eye(self.S) - g * Ppi
            r, p0 = rpi, self.p0
        else:
            L = self.live
            M = np.eye(L.size) - g * Ppi[np.ix_(L, L)]
            r, p0 = rpi[L], self.p0[L]
        if variant == "np.linalg.solve x2":
            v = np.linalg.solve(M, r)
            e = np.linalg.solve(M.T, p0)
        else:
            lu = sla.lu_factor(M, check_finite=False)
            v = sla.lu_solve(lu, r, check_finite=False)
            e = sla.lu_solve(lu, p0, trans=1, check_finite=False)
        V, eta = self.scatter(v, e, Ppi)
        PV = self.P3.reshape(self.S * self.A, self.S) @ V
        return self.finish(pi, V, eta, PV)

    def scatter(self, v, e, Ppi):
        if self.all_live:
            return v, e
        V = np.zeros(self.S)
        eta = np.zeros(self.S)
        V[self.live] = v
        eta[self.live] = e
        g = self.gamma
        if g < 1:
            # absorbing terminal states: eta(t) = (p0(t) + gamma sum_s eta(s) P_pi(t|s)) / (1 - gamma)
            term = np.setdiff1d(np.arange(self.S), self.live)
            inflow = np.asarray(Ppi.T @ eta).ravel()
            eta[term] = (self.p0[term] + g * inflow[term]) / (1 - g)
        return V, eta

    def run_sparse(self, variant):
        g = self.gamma
        pi = self.policy()
        Pw = self.P.copy()
        Pw.data *= pi.ravel()[self.nnz_row]
        Ppi = self.G @ Pw
        rpi = (pi * self.R).sum(axis=1)
        M = (self.I - g * Ppi)
        if not self.all_live:
            L = self.live
            M = M[L][:, L]
            r, p0 = rpi[L], self.p0[L]
        else:
            r, p0 = rpi, self.p0
        if variant.startswith("splu"):
            lu = spla.splu(M.tocsc(), permc_spec=variant.split()[1])
            v = lu.solve(r)
            e = lu.solve(p0, trans="T")
        else:
            v = iterative(M.tocsr(), r)
            e = iterative(M.T.tocsr(), p0)
        V, eta = self.scatter(v, e, Ppi)
        PV = self.P @ V
        return self.finish(pi, V, eta, PV)

    def run(self, variant):
        return self.run_dense(variant) if self.kind == "dense" else self.run_sparse(variant)


def iterative(M, b, tol=1e-12):
    """scipy's BiCGSTAB to relative residual `tol`, checked on the true residual.

    Preconditioned by scipy's incomplete LU (SuperLU ILUTP) up to 2e5 unknowns; above,
    unpreconditioned (measured at 2.5e5 grid states: spilu+BiCGSTAB 9.7 s, plain 2.6 s).
    """
    P = None
    if M.shape[0] <= 200_000:
        ilu = spla.spilu(M.tocsc(), drop_tol=1e-4, fill_factor=4)
        P = spla.LinearOperator(M.shape, ilu.solve)
    x = b.copy()
    bn = np.linalg.norm(b)
    res = np.inf
    for _ in range(10):  # scipy's BiCGSTAB does not restart after a breakdown: restart from x
        try:
            x, info = spla.bicgstab(M, b, x0=x, rtol=tol, atol=0.0, M=P, maxiter=5000)
        except TypeError:  # scipy < 1.12 calls it tol
            x, info = spla.bicgstab(M, b, x0=x, tol=tol, atol=0.0, M=P, maxiter=5000)
        res = np.linalg.norm(b - M @ x) / bn
        if res <= 10 * tol:
            return x
    raise RuntimeError(f"bicgstab did not converge: info {info}, residual {res:.2e}")


def blas_name():
    try:
        import numpy.__config__ as c
        info = c.get_info("blas_opt_info") if hasattr(c, "get_info") else {}
        libs = ",".join(info.get("libraries", [])) if info else "?"
    except Exception:  # noqa: BLE001
        libs = "?"
    real = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    return f"{libs} -> {real}"


def main():
    cases = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            c = json.loads(line)
            cmd = c["cmd"]
            if cmd == "quit":
                print(json.dumps({"ok": True}), flush=True)
                return
            if cmd == "info":
                reply = {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                         "blas": blas_name(), "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default (= cores)")}
            elif cmd == "load":
                t = time.perf_counter()
                cases[c["name"]] = Case(c["dir"])
                reply = {"ok": True, "seconds": time.perf_counter() - t}
            elif cmd == "variants":
                reply = {"variants": cases[c["name"]].variants()}
            elif cmd == "drop":
                cases.pop(c["name"], None)
                reply = {"ok": True}
            elif cmd == "time":
                case = cases[c["name"]]
                v = c["variant"]
                for _ in range(int(c.get("warmup", 1))):
                    case.run(v)
                times = []
                budget = float(c.get("budget", 1e9))
                batch = int(c.get("batch", 1))
                t_all = time.perf_counter()
                for _ in range(int(c["reps"])):
                    t = time.perf_counter()
                    for _ in range(batch):
                        case.run(v)
                    times.append((time.perf_counter() - t) / batch)
                    if time.perf_counter() - t_all > budget:
                        break
                reply = {"times": times}
            elif cmd == "write":
                case = cases[c["name"]]
                t = time.perf_counter()
                V, eta, grad, *_ = case.run(c["variant"])
                el = time.perf_counter() - t
                os.makedirs(c["dir"], exist_ok=True)
                V.astype("<f8").tofile(os.path.join(c["dir"], "V.f64"))
                eta.astype("<f8").tofile(os.path.join(c["dir"], "eta.f64"))
                np.ascontiguousarray(grad).astype("<f8").tofile(os.path.join(c["dir"], "grad.f64"))
                reply = {"ok": True, "seconds": el}
            else:
                reply = {"error": f"unknown command {cmd}"}
        except Exception as e:  # noqa: BLE001 - reported to the driver
            reply = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
