"""Per-call cost of diffiir.torch on small inputs, where the Python and torch glue, not the kernel, is the time.

A training step on short frames or a handful of signals makes thousands of such calls, so the fixed cost of one
call matters as much as the kernels' throughput. Timed interleaved in one process, 1 thread, float32 biquad:

* diffiir: ``diffiir.torch.lfilter`` forward (under ``no_grad``) and forward + ``mean(y²)`` + backward to ``x``,
  ``b``, ``a``;
* torchaudio: ``torchaudio.functional.lfilter`` the same way (the fastest anchor on W1, see compare.py);
* floor: the identity through the same loss and backward (torch's own part of every fwd+bwd).

Usage:
    python bench/call_cost.py                 # shapes 1 x 64, 16 x 16, 16 x 1024
    python bench/call_cost.py 8x256 1x4096    # other shapes (batch x T)
    python bench/call_cost.py --quick 1x8     # smoke test: one round of a few calls
"""

import statistics
import sys
import time

import torch
import torchaudio.functional

import diffiir
import diffiir.torch as dt


def rounds(fns, reps, n_rounds=15):
    """Median µs per call of each closure, the closures alternated round by round."""
    times = {k: [] for k in fns}
    for fn in fns.values():  # warm-up
        fn()
    for _ in range(n_rounds):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            for _ in range(reps):
                fn()
            times[k].append((time.perf_counter() - t0) / reps)
    return {k: 1e6 * statistics.median(v) for k, v in times.items()}


def closures(batch, t):
    x = torch.randn(batch, t, requires_grad=True)
    b = torch.tensor([0.2, 0.3, 0.1], requires_grad=True)
    a = torch.tensor([1.0, -0.5, 0.1], requires_grad=True)
    methods = {"diffiir": lambda: dt.lfilter(b, a, x), "torchaudio": lambda: torchaudio.functional.lfilter(x, a, b, clamp=False)}
    fns = {}
    for name, f in methods.items():

        def fwd(f=f):
            with torch.no_grad():
                f()

        def fwd_bwd(f=f):
            x.grad = b.grad = a.grad = None
            f().pow(2).mean().backward()

        fns[f"{name} fwd"], fns[f"{name} fwd+bwd"] = fwd, fwd_bwd

    def floor():
        x.grad = None
        x.pow(2).mean().backward()

    fns["floor"] = floor
    return fns


def main():
    torch.set_num_threads(1)
    diffiir.set_num_threads(1)
    args = sys.argv[1:]
    quick = "--quick" in args
    shapes = [tuple(int(v) for v in s.split("x")) for s in args if s != "--quick"] or [(1, 64), (16, 16), (16, 1024)]
    cols = ["diffiir fwd", "diffiir fwd+bwd", "torchaudio fwd", "torchaudio fwd+bwd", "floor"]
    how = "quick: one round of 3 calls" if quick else "medians of 15 alternated rounds"
    print(f"µs per call ({how}), float32 biquad, 1 thread; torch {torch.__version__}")
    print("| batch × T | " + " | ".join(cols) + " | fwd+bwd ratio |")
    print("|---" * (len(cols) + 2) + "|")
    for batch, t in shapes:
        fns = closures(batch, t)
        r = rounds(fns, reps=3, n_rounds=1) if quick else rounds(fns, reps=max(5, 400000 // (batch * t)))
        ratio = r["torchaudio fwd+bwd"] / r["diffiir fwd+bwd"]
        print(f"| {batch} × {t} | " + " | ".join(f"{r[c]:.0f}" for c in cols) + f" | {ratio:.1f}× |", flush=True)


if __name__ == "__main__":
    main()
