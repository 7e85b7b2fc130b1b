#!/usr/bin/env python3
"""Peer contenders for `npm run bench` (bench/table.ts): PyTorch / NumPy versions of the
issue-7 workloads, written for this repository. Run as a child of bench/table.ts with a tuned
environment (bench/table.ts sets MALLOC_*_THRESHOLD_, OMP_WAIT_POLICY=PASSIVE and the thread count).

  peers.py w0                       GEMM ceilings (fp32/fp64) and copy bandwidth
  peers.py w1a --M 10 --K 4         routing, independent samples: grouped torch.bmm, autograd + SGD
  peers.py w1b --M 10 --K 4         routing as the authors batch it: 8 images through all M encoders,
                                    all M decoders on every hidden row, loss masked to the trained pairs
  peers.py w2 --N 1000 --D 4        two linear pathways, batch 8: manual backprop with in-place updates
  peers.py gemm --m 320 --n 128 --k 784 [--dtype float32]   one GEMM shape (OpenBLAS via numpy)

Prints one JSON line: {"median_ms", "min_ms", "max_ms", "reps", "threads", ...}.
"""
import argparse
import json
import os
import statistics
import sys
import time


def timed(step, min_rep_s=0.2, reps=7, budget_s=6.0):
    """Median / min / max ms per call over `reps` repeats of >= min_rep_s each, after warm-up."""
    t = time.perf_counter()
    step()
    first = time.perf_counter() - t
    for _ in range(2 if first < 0.3 else 0):
        step()
    t = time.perf_counter()
    step()
    one = max(time.perf_counter() - t, 1e-7)
    per_rep = max(1, int(min_rep_s / one))
    reps = max(3, min(reps, int(budget_s / (one * per_rep))))
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(per_rep):
            step()
        out.append((time.perf_counter() - t) / per_rep * 1e3)
    return {"median_ms": statistics.median(out), "min_ms": min(out), "max_ms": max(out), "reps": reps,
            "calls_per_rep": per_rep, "first_call_ms": first * 1e3}


def setup_torch(threads):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    return torch


def dt(torch, name):
    return torch.float64 if name == "float64" else torch.float32


def w0(a):
    import numpy as np
    res = {"gemm": {}, "copy_gbs": None}
    for dtype in ("float32", "float64"):
        best = 0.0
        for n in (512, 1024, 2048):
            x = np.random.rand(n, n).astype(dtype)
            y = np.random.rand(n, n).astype(dtype)
            c = np.empty((n, n), dtype)
            r = timed(lambda: np.matmul(x, y, out=c), reps=5, budget_s=3)
            g = 2 * n ** 3 / (r["min_ms"] * 1e6)
            res["gemm"][f"{dtype}:{n}"] = g
            best = max(best, g)
        res[f"gemm_{dtype}_gflops"] = best
    n = (256 << 20) // 8
    src = np.ones(n)
    dst = np.empty(n)
    r = timed(lambda: np.copyto(dst, src), reps=5, budget_s=3)
    res["copy_gbs"] = 2 * n * 8 / (r["min_ms"] * 1e6)  # read + write counted
    r = timed(lambda: src.sum(), reps=5, budget_s=3)
    res["read_gbs"] = n * 8 / (r["min_ms"] * 1e6)
    return res


def gemm_shape(a):
    import numpy as np
    x = np.random.rand(a.m, a.k).astype(a.dtype)
    y = np.random.rand(a.k, a.n).astype(a.dtype)
    c = np.empty((a.m, a.n), a.dtype)
    r = timed(lambda: np.matmul(x, y, out=c), reps=5, budget_s=2)
    r["gflops"] = 2 * a.m * a.n * a.k / (r["median_ms"] * 1e6)
    return r


def routing_params(torch, M, H, D, C, dtype):
    g = torch.Generator().manual_seed(1)
    def xavier(*shape):
        fan_out, fan_in = shape[-2], shape[-1]
        b = (6.0 / (fan_in + fan_out)) ** 0.5
        return ((torch.rand(*shape, generator=g, dtype=torch.float64) * 2 - 1) * b).to(dtype)
    return [xavier(M, H, D).requires_grad_(), xavier(H, H).requires_grad_(), xavier(M, C, H).requires_grad_()]


def sgd(torch, params, lr):
    with torch.no_grad():
        for p in params:
            p.sub_(p.grad, alpha=lr)
            p.grad = None


def w1a(a):
    """Independent samples grouped by input domain: X [M, K*S, D]; decoders gathered per route."""
    torch = setup_torch(a.threads)
    M, K, S, D, H, C = a.M, a.K, 8, 784, 128, 10
    t = dt(torch, a.dtype)
    N = M * K * S
    enc, shared, dec = routing_params(torch, M, H, D, C, t)
    X = torch.randn(M, K * S, D, dtype=t)
    Y = torch.randn(M, K, S, C, dtype=t)
    j_of = torch.tensor([[(i + k) % M for k in range(K)] for i in range(M)]).reshape(-1)

    def step():
        h1 = torch.bmm(X, enc.transpose(1, 2))                 # [M, KS, H]
        h2 = torch.matmul(h1, shared.t())                        # [M, KS, H]
        wd = dec.index_select(0, j_of).reshape(M * K, C, H)      # decoder of each route
        out = torch.bmm(h2.reshape(M * K, S, H), wd.transpose(1, 2)).reshape(M, K, S, C)
        loss = ((out - Y) ** 2).sum() / (2 * N)
        loss.backward()
        sgd(torch, (enc, shared, dec), 1e-3)
        return loss
    return timed(step, budget_s=a.budget)


def w1b(a):
    """The authors' batching: the same 8 images through every encoder, every decoder on every
    hidden row, the loss masked to the K trained output domains of each input domain."""
    torch = setup_torch(a.threads)
    M, K, S, D, H, C = a.M, a.K, 8, 784, 128, 10
    t = dt(torch, a.dtype)
    N = M * K * S
    enc, shared, dec = routing_params(torch, M, H, D, C, t)
    X = torch.randn(S, D, dtype=t)
    Y = torch.randn(M, M, S, C, dtype=t)
    mask = torch.zeros(M, M, 1, 1, dtype=t)
    for i in range(M):
        for k in range(K):
            mask[i, (i + k) % M] = 1

    def step():
        h1 = torch.matmul(X, enc.transpose(1, 2))               # [M, S, H]: each image once per encoder
        h2 = torch.matmul(h1, shared.t())                         # [M, S, H]
        out = torch.einsum('ish,jch->ijsc', h2, dec)              # [M, M, S, C]: all decoders
        loss = (((out - Y) ** 2) * mask).sum() / (2 * N)
        loss.backward()
        sgd(torch, (enc, shared, dec), 1e-3)
        return loss
    return timed(step, budget_s=a.budget)


def w2(a):
    """Two linear pathways 8 -> N (-> N)*(D-2) -> 15, batch 8 (one-hot), MSE; manual backprop,
    weight updates in place with addmm_ (no autograd, no temporaries of weight size)."""
    torch = setup_torch(a.threads)
    t = dt(torch, a.dtype)
    N, D, B = a.N, a.D, 8
    dims = [8] + [N] * (D - 1) + [15]
    paths = [[(torch.randn(dims[l + 1], dims[l], dtype=t) * 0.01) for l in range(D)] for _ in range(2)]
    X = torch.eye(B, dtype=t)                                    # [in, batch]
    Y = torch.randn(15, B, dtype=t)
    lr = 0.08

    def step():
        acts = []
        out = None
        for W in paths:
            h = [X]
            for Wl in W:
                h.append(Wl @ h[-1])
            acts.append(h)
            out = h[-1] if out is None else out + h[-1]
        g = (out - Y) / B
        for W, h in zip(paths, acts):
            d = g
            for l in range(D - 1, -1, -1):
                dn = W[l].t() @ d if l > 0 else None
                W[l].addmm_(d, h[l].t(), alpha=-lr)
                d = dn
        return out
    return timed(step, budget_s=a.budget)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what")
    p.add_argument("--M", type=int, default=10)
    p.add_argument("--K", type=int, default=4)
    p.add_argument("--N", type=int, default=1000)
    p.add_argument("--D", type=int, default=4)
    p.add_argument("--m", type=int, default=320)
    p.add_argument("--n", type=int, default=128)
    p.add_argument("--k", type=int, default=784)
    p.add_argument("--dtype", default="float32")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--budget", type=float, default=6.0)
    a = p.parse_args()
    fn = {"w0": w0, "w1a": w1a, "w1b": w1b, "w2": w2, "gemm": gemm_shape}[a.what]
    r = fn(a)
    r["threads"] = a.threads
    r["loadavg"] = os.getloadavg()[0]
    sys.stdout.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
