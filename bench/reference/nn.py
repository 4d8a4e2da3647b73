#!/usr/bin/python3
"""PyTorch reference for `npm run bench:nn` (bench/nn.ts).

One training step of an MLP, the computation pgtruth's Mlp.forward + Mlp.vjp + Adam.step do:

    out   = net(x)                         x: T x n_0, hidden activation tanh or SiLU (swish)
    out.backward(g)                        gradient of sum_t <g_t, out_t> in the parameters
    opt.step()                             torch.optim.Adam(lr=3e-4), defaults otherwise
    opt.zero_grad(set_to_none=True)

The network is torch.nn.Sequential of Linear layers; its parameters are copied from the
theta written by bench/nn.ts (pgtruth's layout is W row-major with rows = output units,
then b, layer after layer: exactly Linear.weight and Linear.bias), so both sides start
from identical numbers. One thread (torch.set_num_threads(1)), float64 and float32.

It runs as a server: bench/nn.ts starts it once and sends one JSON command per line on
stdin, so that the timing rounds of both sides alternate in the same invocation.

Commands:
  {"cmd": "load", "name": n, "dir": d}       read case.json, theta.f64, x.f64, g.f64
  {"cmd": "time", "name": n, "dtype": "float64"|"float32", "samples": k, "batch": b}
                                             k samples of b steps each; {"times": [wall s per step],
                                             "cpu": [process CPU s per step]}
  {"cmd": "grad", "name": n, "dir": d}       one float64 backward at theta: writes grad.f64
                                             (same layout as theta) and out.f64
  {"cmd": "info"}                            versions, threads
  {"cmd": "quit"}
"""
import json
import os
import sys
import time

import torch

torch.set_num_threads(1)


def read(d, name):
    import numpy as np
    return np.fromfile(os.path.join(d, name), dtype="<f8")


class Case:
    def __init__(self, d):
        with open(os.path.join(d, "case.json")) as f:
            h = json.load(f)
        self.sizes = h["sizes"]
        self.activation = h["activation"]
        self.T = h["T"]
        self.theta = torch.from_numpy(read(d, "theta.f64").copy())
        self.x = torch.from_numpy(read(d, "x.f64").copy()).reshape(self.T, self.sizes[0])
        self.g = torch.from_numpy(read(d, "g.f64").copy()).reshape(self.T, self.sizes[-1])
        self.nets = {}

    def build(self, dtype):
        act = {"tanh": torch.nn.Tanh, "swish": torch.nn.SiLU, "relu": torch.nn.ReLU}[self.activation]
        layers = []
        off = 0
        L = len(self.sizes) - 1
        with torch.no_grad():
            for l in range(L):
                n_in, n_out = self.sizes[l], self.sizes[l + 1]
                lin = torch.nn.Linear(n_in, n_out).to(torch.float64)
                lin.weight.copy_(self.theta[off:off + n_in * n_out].reshape(n_out, n_in))
                off += n_in * n_out
                lin.bias.copy_(self.theta[off:off + n_out])
                off += n_out
                layers.append(lin)
                if l < L - 1:
                    layers.append(act())
        net = torch.nn.Sequential(*layers).to(dtype)
        opt = torch.optim.Adam(net.parameters(), lr=3e-4)
        return net, opt, self.x.to(dtype), self.g.to(dtype)

    def net(self, dtype):
        if dtype not in self.nets:
            self.nets[dtype] = self.build(dtype)
        return self.nets[dtype]


def step(net, opt, x, g):
    out = net(x)
    out.backward(g)
    opt.step()
    opt.zero_grad(set_to_none=True)


def main():
    cases = {}
    for line in sys.stdin:
        try:
            c = json.loads(line)
            cmd = c["cmd"]
            if cmd == "quit":
                print(json.dumps({"ok": True}), flush=True)
                return
            if cmd == "info":
                reply = {"python": sys.version.split()[0], "torch": torch.__version__, "threads": torch.get_num_threads()}
            elif cmd == "load":
                cases[c["name"]] = Case(c["dir"])
                reply = {"ok": True}
            elif cmd == "time":
                dtype = {"float64": torch.float64, "float32": torch.float32}[c["dtype"]]
                net, opt, x, g = cases[c["name"]].net(dtype)
                for _ in range(2):
                    step(net, opt, x, g)
                times, cpu = [], []
                for _ in range(int(c["samples"])):
                    b = int(c["batch"])
                    t0, c0 = time.perf_counter(), time.process_time()
                    for _ in range(b):
                        step(net, opt, x, g)
                    times.append((time.perf_counter() - t0) / b)
                    cpu.append((time.process_time() - c0) / b)
                reply = {"times": times, "cpu": cpu}
            elif cmd == "grad":
                case = cases[c["name"]]
                net, _, x, g = case.build(torch.float64)
                out = net(x)
                out.backward(g)
                grads = []
                for m in net:
                    if isinstance(m, torch.nn.Linear):
                        grads.append(m.weight.grad.reshape(-1))
                        grads.append(m.bias.grad.reshape(-1))
                torch.cat(grads).detach().numpy().astype("<f8").tofile(os.path.join(c["dir"], "grad.f64"))
                out.detach().numpy().astype("<f8").reshape(-1).tofile(os.path.join(c["dir"], "out.f64"))
                reply = {"ok": True}
            else:
                reply = {"error": "unknown command " + cmd}
        except Exception as e:  # report, keep serving
            reply = {"error": repr(e)}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
