"""How diffiir's threads fare inside a torch training loop, with torch's OpenMP workers spinning or sleeping.

torch runs its element-wise ops (the loss, its backward) on an OpenMP pool whose workers keep spinning for a while
after each op (libgomp's default wait policy). On a machine with as many cores as threads, diffiir's own workers
(rayon) then share their cores with spinning threads, and a 2-thread diffiir call can run no faster than a
1-thread one. ``OMP_WAIT_POLICY=PASSIVE`` makes the OpenMP workers sleep at once; it has to be set before torch
starts, so each policy runs in its own child process.

For each policy and thread count (``torch.set_num_threads(n)`` and ``diffiir.set_num_threads(n)``), interleaved
rounds of, on one workload of bench/compare.py (float32):

* fwd+bwd: ``diffiir.torch`` forward, ``mean(y²)``, backward to the input and every coefficient;
* floor: the identity through the same loss and backward (torch's part of every fwd+bwd);
* kernels: the time spent in diffiir's extension calls (forward and adjoint) within the fwd+bwd, timed by
  wrapping the extension module's functions.

The effect needs as many busy threads as cores: the table's header line gives the cores this process may use.

Usage:
    python bench/threads_in_torch.py                # W6, then W1
    python bench/threads_in_torch.py W5 --rounds 5
    python bench/threads_in_torch.py W1 --quick     # smoke test: one round of one call
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

POLICIES = ["default", "PASSIVE"]


def child(wid, rounds, quick):
    import torch

    import diffiir

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import compare

    spent = [0.0]
    for name in ("lfilter", "lfilter_adjoint", "sosfilt", "sosfilt_adjoint", "allpole", "allpole_adjoint"):
        setattr(diffiir._diffiir, name, timed(getattr(diffiir._diffiir, name), spent))
    w = compare.make_workload(wid)
    forward, leaves = compare.setup_diffiir(w, torch.float32)
    filt = compare.passes(forward, leaves)[1]
    x = compare.leaf(w.x, torch.float32)
    floor = compare.passes(lambda: x, [x])[1]
    reps = 1 if quick else max(1, int(0.2 / max(1e-4, once(filt))))
    times = {n: {"fwd+bwd": [], "floor": [], "kernels": []} for n in (1, 2)}
    for n in (1, 2):  # warm-up at each thread count (starts the OpenMP workers)
        set_threads(torch, diffiir, n)
        filt()
    # Thread counts alternate round by round, so drift on a shared machine touches both alike.
    for _ in range(1 if quick else rounds):
        for n in (1, 2):
            set_threads(torch, diffiir, n)
            for k, fn in (("fwd+bwd", filt), ("floor", floor)):
                spent[0] = 0.0
                t0 = time.perf_counter()
                for _ in range(reps):
                    fn()
                times[n][k].append((time.perf_counter() - t0) / reps)
                if k == "fwd+bwd":
                    times[n]["kernels"].append(spent[0] / reps)
    out = {n: {k: 1e3 * statistics.median(v) for k, v in t.items()} for n, t in times.items()}
    print(json.dumps(out))


def timed(f, spent):
    def g(*args):
        t0 = time.perf_counter()
        try:
            return f(*args)
        finally:
            spent[0] += time.perf_counter() - t0

    return g


def set_threads(torch, diffiir, n):
    torch.set_num_threads(n)
    diffiir.set_num_threads(n)


def once(fn):
    fn()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workloads", nargs="*", default=["W6", "W1"], help="workload ids of bench/compare.py")
    ap.add_argument("--rounds", type=int, default=9, help="interleaved rounds per thread count (default 9)")
    ap.add_argument("--quick", action="store_true", help="one round of one call (smoke test)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.rounds, args.quick)
    bad = [w for w in args.workloads if w not in ("W1", "W2", "W3", "W4", "W5", "W6")]
    if bad:
        ap.error(f"unknown workload(s) {', '.join(bad)}; expected W1..W6")
    print(f"cores available: {len(os.sched_getaffinity(0))}; medians of {1 if args.quick else args.rounds} interleaved rounds\n")
    print("| workload | OpenMP wait policy | threads | fwd+bwd ms | floor ms | diffiir kernels ms | kernels 1t ÷ 2t |")
    print("|---|---|---|---|---|---|---|")
    for wid in args.workloads:
        for policy in POLICIES:
            env = dict(os.environ)
            env.pop("OMP_WAIT_POLICY", None)
            if policy != "default":
                env["OMP_WAIT_POLICY"] = policy
            cmd = [sys.executable, os.path.abspath(__file__), "--child", wid, "--rounds", str(args.rounds)]
            if args.quick:
                cmd.append("--quick")
            print(f"  ... {wid}, {policy}", file=sys.stderr, flush=True)
            run = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"child for {wid} ({policy}) failed:\n{run.stderr}")
            res = {int(k): v for k, v in json.loads(run.stdout.strip().splitlines()[-1]).items()}
            kern = {n: r["kernels"] for n, r in res.items()}
            for n, r in res.items():
                speedup = "" if n == 1 else f"{kern[1] / kern[2]:.2f}×" if min(kern.values()) > 0 else "n/a"
                print(f"| {wid} | {policy} | {n} | {r['fwd+bwd']:.2f} | {r['floor']:.2f} | {kern[n]:.2f} | {speedup} |", flush=True)


if __name__ == "__main__":
    main()
