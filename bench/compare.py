"""diffiir against the anchors on workloads W1–W6 (shared/reference/workloads.md), in one process.

Every method gets the same float32 data (white noise, each row scaled so the exact output has unit RMS) and the
same coefficients, normalised to a0 = 1. Timed per workload and thread count (torch.set_num_threads(n) and
diffiir.set_num_threads(n)):

* fwd: the forward pass under ``torch.no_grad()``;
* fwd+bwd: forward, loss = mean(y²), backward to the input and every coefficient;
* floor: the identity (y = x) through the same loss and backward — the torch-side part of every fwd+bwd.

Methods (see ``setup_*`` below): diffiir.torch; torchaudio.functional.lfilter; torchlpc.sample_wise_lpc (+ a
conv1d FIR for numerators); philtorch (the fastest correct variant of a small sweep, named in the output); frequency
sampling with torch.fft (approximate, LTI only); scipy.signal forward only, one call per signal ("best compiled
forward" reference).

Before timing, each workload is checked once in float64 on its first 2 rows and ≤ 2000 samples: every method's
forward output (and its gradient w.r.t. x) against diffiir's; philtorch variants that disagree are not timed. At full
size, diffiir's float32 error and frequency sampling's approximation error against the exact output are reported.

Usage:
    python bench/compare.py                          # all workloads, 1 and 2 threads (several minutes)
    python bench/compare.py --quick --only W1,W4 --threads 1   # smoke test: one run per measurement
    python bench/compare.py --write                  # also replace the compare.py block in BENCHMARKS.md

Options: --only W1,W3  --threads 1,2  --quick (also skips the philtorch sweep)  --budget SECONDS (per measurement,
         default 1.5)  --no-sweep (philtorch: first correct candidate)  --write  --benchmarks-md PATH
"""

import argparse
import dataclasses
import datetime
import gc
import importlib.metadata
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import philtorch.lpv
import philtorch.lti
import scipy.signal
import torch
import torch.nn.functional as F
import torchaudio.functional
import torchlpc

import diffiir
import diffiir.torch

FS = 48_000.0
ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- compare.py:begin -->", "<!-- compare.py:end -->"
ANCHORS = ["torchaudio", "torchlpc", "philtorch", "freq. sampling"]
PACKAGES = ["diffiir", "torch", "torchaudio", "torchlpc", "philtorch", "numpy", "scipy"]


# ---------------------------------------------------------------------------------------------------------------
# Workloads (as crates/diffiir/benches/workloads.rs builds them)
# ---------------------------------------------------------------------------------------------------------------


def rbj_lowpass(f0, q):
    """RBJ cookbook lowpass at FS: (b, a), a[0] = 1."""
    w = 2 * np.pi * f0 / FS
    c, alpha = np.cos(w), np.sin(w) / (2 * q)
    b = np.array([(1 - c) / 2, 1 - c, (1 - c) / 2])
    a = np.array([1 + alpha, -2 * c, 1 - alpha])
    return b / a[0], a / a[0]


def rbj_peaking(f0, q, gain_db):
    """RBJ cookbook peaking EQ at FS: one SOS row [b0, b1, b2, 1, a1, a2]."""
    w = 2 * np.pi * f0 / FS
    c, alpha, g = np.cos(w), np.sin(w) / (2 * q), 10 ** (gain_db / 40)
    row = np.array([1 + alpha * g, -2 * c, 1 - alpha * g, 1 + alpha / g, -2 * c, 1 - alpha / g])
    return row / row[3]


def log_uniform(rng, lo, hi):
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def step_up(k):
    """Reflection coefficients -> LPC a_1..a_N (step-up recursion)."""
    a = []
    for i, ki in enumerate(k):
        prev = list(a)
        a.append(ki)
        for j in range(i):
            a[j] = prev[j] + ki * prev[i - 1 - j]
    return np.array(a)


@dataclasses.dataclass
class Workload:
    """One workload in float64. kind: "ba" (b, a [B, 3]), "sos" ([B, 8, 6]), "allpole" (a [B, 16]: a_1..a_16),
    "tv" (A [B, T, 2]: per-sample a_1, a_2)."""

    id: str
    what: str
    kind: str
    coefs: dict
    x: np.ndarray
    y: np.ndarray = None  # exact output (float64), unit RMS per row

    @property
    def shape(self):
        return self.x.shape

    def head(self, rows=2, t=2000):
        """A shortened copy (first rows, first t samples) for the correctness check."""
        t = min(t, self.shape[1])
        coefs = {k: v[:rows, :t] if self.kind == "tv" else v[:rows] for k, v in self.coefs.items()}
        return Workload(self.id, self.what, self.kind, coefs, self.x[:rows, :t].copy(), self.y[:rows, :t].copy())


def lowpass_set(rng, batch):
    ba = [rbj_lowpass(log_uniform(rng, 100, 12_000), rng.uniform(0.5, 4)) for _ in range(batch)]
    return {"b": np.array([b for b, _ in ba]), "a": np.array([a for _, a in ba])}


def make_workload(wid):
    """Coefficients and a unit-RMS-output input for one workload id (seeded per id: --only keeps the data)."""
    rng = np.random.default_rng([42, int(wid[1:])])
    if wid == "W1":
        w = Workload(wid, "biquad, LTI, 16 × 48k", "ba", lowpass_set(rng, 16), rng.standard_normal((16, 48_000)))
    elif wid == "W2":
        sos = [rbj_peaking(log_uniform(rng, 100, 12_000), rng.uniform(0.5, 4), rng.uniform(-12, 12)) for _ in range(16 * 8)]
        w = Workload(wid, "8 biquads (SOS), LTI, 16 × 48k", "sos", {"sos": np.array(sos).reshape(16, 8, 6)}, rng.standard_normal((16, 48_000)))
    elif wid == "W3":
        a = [step_up(rng.uniform(-0.9, 0.9, 16)) * 0.995 ** np.arange(1, 17) for _ in range(16)]
        w = Workload(wid, "all-pole N=16, LTI, 16 × 48k", "allpole", {"a": np.array(a)}, rng.standard_normal((16, 48_000)))
    elif wid == "W4":
        t = 48_000
        ph = 1 - np.abs(2 * np.arange(t) / t - 1)  # cutoff sweeps log 100 Hz -> 8 kHz and back
        A = np.empty((16, t, 2))
        for r in range(16):
            _, a = rbj_lowpass(100 * 80.0**ph, rng.uniform(2, 8))
            A[r] = np.stack([a[1], a[2]], axis=-1)
        w = Workload(wid, "all-pole N=2, time-varying, 16 × 48k", "tv", {"A": A}, rng.standard_normal((16, t)))
    elif wid == "W5":
        w = Workload(wid, "biquad, LTI, 1 × 4.8M", "ba", lowpass_set(rng, 1), rng.standard_normal((1, 4_800_000)))
    elif wid == "W6":
        w = Workload(wid, "biquad, LTI, 4096 × 1024", "ba", lowpass_set(rng, 4096), rng.standard_normal((4096, 1024)))
    else:
        raise ValueError(f"unknown workload {wid!r}; expected W1..W6")
    y = numpy_output(w)
    rms = np.sqrt(np.mean(y**2, axis=1, keepdims=True))
    w.x /= rms
    w.y = y / rms
    return w


def numpy_output(w, dtype=np.float64):
    """diffiir's numpy API output in dtype (float64: the exact reference)."""
    c = {k: v.astype(dtype) for k, v in w.coefs.items()}
    x = w.x.astype(dtype)
    if w.kind == "ba":
        return diffiir.lfilter(c["b"], c["a"], x)
    if w.kind == "sos":
        return diffiir.sosfilt(c["sos"], x)
    return diffiir.allpole(x, c["a"] if w.kind == "allpole" else c["A"])


# ---------------------------------------------------------------------------------------------------------------
# Methods. setup_*(w, dtype) returns (forward, leaves): forward() -> y (tensor), leaves = the tensors that get
# gradients (input and coefficients); or None where the method does not apply to the workload.
# ---------------------------------------------------------------------------------------------------------------


def leaf(a, dtype):
    return torch.tensor(a, dtype=dtype, requires_grad=True)


def sections(sos):
    """SOS [B, S, 6] -> per-section (b [B, 3], a_1..a_2 [B, 2]) views (gradients flow to sos)."""
    return [(sos[:, s, :3], sos[:, s, 4:]) for s in range(sos.shape[1])]


def setup_diffiir(w, dtype):
    x = leaf(w.x, dtype)
    c = {k: leaf(v, dtype) for k, v in w.coefs.items()}
    if w.kind == "ba":
        return (lambda: diffiir.torch.lfilter(c["b"], c["a"], x)), [x, c["b"], c["a"]]
    if w.kind == "sos":
        return (lambda: diffiir.torch.sosfilt(c["sos"], x)), [x, c["sos"]]
    a = c["a"] if w.kind == "allpole" else c["A"]
    return (lambda: diffiir.torch.allpole(x, a)), [x, a]


def setup_torchaudio(w, dtype):
    """torchaudio.functional.lfilter(x, a, b, clamp=False, batching=True); W2: 8 chained calls; W3: b = [1, 0, ..]."""
    x = leaf(w.x, dtype)
    lf = lambda x, b, a: torchaudio.functional.lfilter(x, a, b, clamp=False, batching=True)  # noqa: E731
    if w.kind == "ba":
        b, a = leaf(w.coefs["b"], dtype), leaf(w.coefs["a"], dtype)
        return (lambda: lf(x, b, a)), [x, b, a]
    if w.kind == "sos":
        sos = leaf(w.coefs["sos"], dtype)

        def forward():
            y = x
            for s in range(sos.shape[1]):
                y = lf(y, sos[:, s, :3], sos[:, s, 3:])
            return y

        return forward, [x, sos]
    if w.kind == "allpole":
        a = leaf(w.coefs["a"], dtype)
        one = torch.ones(a.shape[0], 1, dtype=dtype)
        b = F.pad(one, (0, a.shape[1]))  # [1, 0, ..., 0]: torchaudio needs len(b) == len(a)
        return (lambda: lf(x, b, torch.cat([one, a], dim=1))), [x, a]
    return None  # LTI only


def fir(b, x):
    """Causal FIR y[n] = sum_k b[:, k] x[:, n-k], one filter per row: grouped conv1d on the left-padded input."""
    k = b.shape[1]
    return F.conv1d(F.pad(x, (k - 1, 0))[None], b.flip(1)[:, None, :], groups=b.shape[0])[0]


def lpc(x, a):
    """torchlpc.sample_wise_lpc with LTI coefficients a [B, N] repeated over time."""
    return torchlpc.sample_wise_lpc(x, a[:, None, :].expand(x.shape[0], x.shape[1], a.shape[1]))


def setup_torchlpc(w, dtype):
    """torchlpc.sample_wise_lpc for the denominator (A repeated over time where LTI), then a conv1d FIR for b."""
    x = leaf(w.x, dtype)
    if w.kind == "ba":
        b, a = leaf(w.coefs["b"], dtype), leaf(w.coefs["a"], dtype)
        return (lambda: fir(b, lpc(x, a[:, 1:]))), [x, b, a]
    if w.kind == "sos":
        sos = leaf(w.coefs["sos"], dtype)

        def forward():
            y = x
            for b, a in sections(sos):
                y = fir(b, lpc(y, a))
            return y

        return forward, [x, sos]
    if w.kind == "allpole":
        a = leaf(w.coefs["a"], dtype)
        return (lambda: lpc(x, a)), [x, a]
    A = leaf(w.coefs["A"], dtype)
    return (lambda: torchlpc.sample_wise_lpc(x, A)), [x, A]


# philtorch: the variants swept; the first correct one of each list is used without the sweep (--no-sweep, --quick;
# these were the fastest in a short, noisy trial). LTI ones are keyword arguments of philtorch.lti.lfilter (backend
# "ssm" unless named: unroll_factor 1 = its native sequential kernel, > 1 = block-unrolled matrix products); W4 ones
# name the call (lpv.allpole and backend "torchlpc" run philtorch's vendored torchlpc kernel).
PHILTORCH_LTI = [{"form": f, "unroll_factor": u} for f in ("tdf1", "df1", "tdf2") for u in (16, 1, 64)] + [
    {"form": "tdf2", "backend": "diag_ssm"}
]
PHILTORCH_TV = [
    {"call": "lpv.allpole"},
    {"call": "lpv.lfilter", "form": "df2", "backend": "torchlpc"},
    {"call": "lpv.lfilter", "form": "df2", "unroll_factor": 1},
    {"call": "lpv.lfilter", "form": "df2", "unroll_factor": 16},
    {"call": "lpv.lfilter", "form": "df2", "unroll_factor": 64},
    {"call": "lpv.lfilter", "form": "df1", "unroll_factor": 16},
]


def philtorch_variants(w):
    return PHILTORCH_TV if w.kind == "tv" else PHILTORCH_LTI


def variant_name(v):
    return ", ".join(str(val) if k in ("call", "form", "backend") else f"{k}={val}" for k, val in v.items())


def setup_philtorch(w, dtype, variant):
    """philtorch.lti.lfilter(b, a_1.., x, **variant) (W2: 8 chained calls; W3: b = [1]); W4: philtorch.lpv with
    b = [1] (df2 = torchlpc's filter; lpv "tdf2" is a different time-varying filter) or lpv.allpole."""
    x = leaf(w.x, dtype)
    lf = lambda b, a, x: philtorch.lti.lfilter(b, a, x, **variant)  # noqa: E731
    if w.kind == "ba":
        b, a = leaf(w.coefs["b"], dtype), leaf(w.coefs["a"][:, 1:], dtype)
        return (lambda: lf(b, a, x)), [x, b, a]
    if w.kind == "sos":
        sos = leaf(w.coefs["sos"], dtype)

        def forward():
            y = x
            for b, a in sections(sos):
                y = lf(b, a, y)
            return y

        return forward, [x, sos]
    if w.kind == "allpole":
        a = leaf(w.coefs["a"], dtype)
        one = torch.ones(a.shape[0], 1, dtype=dtype)
        return (lambda: lf(one, a, x)), [x, a]
    A = leaf(w.coefs["A"], dtype)
    kw = {k: v for k, v in variant.items() if k != "call"}
    if variant["call"] == "lpv.allpole":
        return (lambda: philtorch.lpv.allpole(A, x)), [x, A]
    one = torch.ones(A.shape[0], A.shape[1], 1, dtype=dtype)
    return (lambda: philtorch.lpv.lfilter(one, A, x, **kw)), [x, A]


def setup_freq_sampling(w, dtype):
    """Approximate LTI filtering: Y = X · B(e^jw)/A(e^jw) on nfft = next pow2 ≥ 2T bins (product over sections),
    irfft, crop to T. Responses longer than nfft - T wrap around."""
    if w.kind == "tv":
        return None
    x = leaf(w.x, dtype)
    t = x.shape[1]
    n = 1 << (2 * t - 1).bit_length()
    rf = lambda v: torch.fft.rfft(v, n=n)  # noqa: E731

    def filt(h):
        return torch.fft.irfft(rf(x) * h, n=n)[:, :t]

    if w.kind == "ba":
        b, a = leaf(w.coefs["b"], dtype), leaf(w.coefs["a"], dtype)
        return (lambda: filt(rf(b) / rf(a))), [x, b, a]
    if w.kind == "sos":
        sos = leaf(w.coefs["sos"], dtype)
        return (lambda: filt(torch.prod(rf(sos[..., :3]) / rf(sos[..., 3:]), dim=1))), [x, sos]
    a = leaf(w.coefs["a"], dtype)
    one = torch.ones(a.shape[0], 1, dtype=dtype)
    return (lambda: filt(1 / rf(torch.cat([one, a], dim=1)))), [x, a]


def setup_scipy(w, dtype):
    """Forward only, one scipy.signal call per signal (lfilter / sosfilt); returns forward() -> ndarray or None."""
    np_dtype = np.float32 if dtype == torch.float32 else np.float64
    x = w.x.astype(np_dtype)
    c = {k: v.astype(np_dtype) for k, v in w.coefs.items()}
    one = np.ones(1, np_dtype)
    if w.kind == "ba":
        return lambda: np.stack([scipy.signal.lfilter(b, a, r) for b, a, r in zip(c["b"], c["a"], x)])
    if w.kind == "sos":
        return lambda: np.stack([scipy.signal.sosfilt(s, r) for s, r in zip(c["sos"], x)])
    if w.kind == "allpole":
        return lambda: np.stack([scipy.signal.lfilter(one, np.concatenate([one, a]), r) for a, r in zip(c["a"], x)])
    return None  # time-varying: only a Python loop per sample, far too slow


METHODS = {
    "torchaudio": setup_torchaudio,
    "torchlpc": setup_torchlpc,
    "freq. sampling": setup_freq_sampling,
}


# ---------------------------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------------------------


def passes(forward, leaves):
    """(fwd, fwd+bwd) closures for one set-up method."""

    def fwd():
        with torch.no_grad():
            forward()

    def fwd_bwd():
        for t in leaves:
            t.grad = None
        forward().pow(2).mean().backward()

    return fwd, fwd_bwd


def median_ms(fn, budget, quick, min_runs=3):
    """Median wall time (ms) after a warm-up: repeats until `budget` seconds and `min_runs` runs, but stops after
    4 × budget (slow methods on W5 get fewer runs). quick: one run, no warm-up."""
    gc.collect()
    if not quick:
        fn()
    times, start = [], time.perf_counter()
    while True:
        t0 = time.perf_counter()
        fn()
        now = time.perf_counter()
        times.append(now - t0)
        if quick or len(times) >= 200 or now - start >= 4 * budget or (now - start >= budget and len(times) >= min_runs):
            break
    return 1e3 * statistics.median(times)


def set_threads(n):
    torch.set_num_threads(n)
    diffiir.set_num_threads(n)


# ---------------------------------------------------------------------------------------------------------------
# Correctness (float64, shortened)
# ---------------------------------------------------------------------------------------------------------------


def forward_and_grad_x(setup):
    """(y, dL/dx) as numpy for a set-up method (leaves[0] is x)."""
    forward, leaves = setup
    y = forward()
    y.pow(2).mean().backward()
    return y.detach().numpy(), leaves[0].grad.numpy()


def check(w):
    """Prints every method's max |y - y_diffiir| and max |gx - gx_diffiir| / max |gx_diffiir| (float64, first 2
    rows, ≤ 2000 samples), and at full size the max error vs the exact output of diffiir in float32 and of frequency
    sampling. Returns the philtorch variants that are correct (forward error < 1e-6) and the full-size errors."""
    h = w.head()
    f64 = torch.float64
    y_ref, g_ref = forward_and_grad_x(setup_diffiir(h, f64))
    gscale = np.abs(g_ref).max()
    rows = []
    y32, _ = forward_and_grad_x(setup_diffiir(h, torch.float32))
    rows.append(("diffiir float32", np.abs(y32 - y_ref).max(), None))
    for name, setup in METHODS.items():
        s = setup(h, f64)
        if s is not None:
            y, g = forward_and_grad_x(s)
            rows.append((name, np.abs(y - y_ref).max(), np.abs(g - g_ref).max() / gscale))
    good = []
    for v in philtorch_variants(w):
        try:
            y, g = forward_and_grad_x(setup_philtorch(h, f64, v))
            err = np.abs(y - y_ref).max()
            rows.append((f"philtorch [{variant_name(v)}]", err, np.abs(g - g_ref).max() / gscale))
            if err < 1e-6:
                good.append(v)
        except Exception as e:  # noqa: BLE001 - report and skip the variant
            rows.append((f"philtorch [{variant_name(v)}]: {type(e).__name__}: {e}"[:120], None, None))
    sp = setup_scipy(h, f64)
    if sp is not None:
        rows.append(("scipy", np.abs(sp() - y_ref).max(), None))
    # Full size, vs the exact output: the float32 error, and the approximation error of frequency sampling.
    errors = {"diffiir float32": np.abs(numpy_output(w, np.float32) - w.y).max()}
    rows.append(("full size: diffiir float32 vs exact", errors["diffiir float32"], None))
    fs = setup_freq_sampling(w, f64)
    if fs is not None:
        with torch.no_grad():
            errors["freq. sampling"] = np.abs(fs[0]().numpy() - w.y).max()
        rows.append(("full size: freq. sampling float64 vs exact", errors["freq. sampling"], None))
    print(f"{w.id} correctness vs diffiir (float64, {h.shape[0]} × {h.shape[1]}): max |Δy|, max |Δ dL/dx| / max |dL/dx|")
    for name, dy, dg in rows:
        fy = "" if dy is None else f"{dy:9.2e}"
        fg = "" if dg is None else f"{dg:9.2e}"
        print(f"    {name:48s} {fy} {fg}")
    return good, errors


# ---------------------------------------------------------------------------------------------------------------
# Running one workload at one thread count
# ---------------------------------------------------------------------------------------------------------------


def pick_philtorch(w, variants):
    """The fastest (fwd+bwd, short budget) of the correct variants; prints the sweep."""
    best, best_ms = None, float("inf")
    for v in variants:
        try:
            ms = median_ms(passes(*setup_philtorch(w, torch.float32, v))[1], budget=0.3, quick=False, min_runs=1)
        except Exception as e:  # noqa: BLE001 - report and skip the variant
            print(f"      philtorch sweep [{variant_name(v)}]: {type(e).__name__}: {e}", flush=True)
            continue
        print(f"      philtorch sweep [{variant_name(v)}]: fwd+bwd {ms:.1f} ms", flush=True)
        if ms < best_ms:
            best, best_ms = v, ms
    return best


def measure(w, threads, philtorch_ok, args):
    """{method: (fwd ms, fwd+bwd ms) or None}, scipy fwd ms or None, and the philtorch variant used."""
    set_threads(threads)
    f32 = torch.float32
    res = {}

    def timed(name, setup):
        if setup is None:
            res[name] = None
            return
        fwd, both = passes(*setup)
        try:
            res[name] = (median_ms(fwd, args.budget, args.quick), median_ms(both, args.budget, args.quick))
        except Exception as e:  # noqa: BLE001 - e.g. out of memory: report it in the table, go on
            print(f"    {w.id} {threads}t {name}: {type(e).__name__}: {e}", flush=True)
            res[name] = "failed"
            return
        print(f"    {w.id} {threads}t {name:15s} fwd {res[name][0]:9.2f} ms   fwd+bwd {res[name][1]:9.2f} ms", flush=True)

    timed("diffiir", setup_diffiir(w, f32))
    # The floor: the identity "filter" (y = x) through the same loss and backward — what every method's fwd+bwd
    # pays in torch besides its own filter, so fastest anchor / floor caps any method's ratio.
    x = leaf(w.x, f32)
    res["floor"] = median_ms(passes(lambda: x, [x])[1], args.budget, args.quick)
    print(f"    {w.id} {threads}t {'floor':15s}                  fwd+bwd {res['floor']:9.2f} ms", flush=True)
    for name, setup in METHODS.items():
        timed(name, setup(w, f32))
    variant = None
    if philtorch_ok:
        sweep = not (args.no_sweep or args.quick) and len(philtorch_ok) > 1
        variant = pick_philtorch(w, philtorch_ok) if sweep else philtorch_ok[0]
        if variant is None:
            res["philtorch"] = "failed"
        else:
            timed("philtorch", setup_philtorch(w, f32, variant))
    else:
        res["philtorch"] = None
    sp = setup_scipy(w, f32)
    scipy_ms = None if sp is None else median_ms(sp, args.budget, args.quick)
    if scipy_ms is not None:
        print(f"    {w.id} {threads}t {'scipy':15s} fwd {scipy_ms:9.2f} ms", flush=True)
    return res, scipy_ms, variant


# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------


def fmt(ms):
    return "n/a" if ms is None else f"{ms:.0f}" if ms >= 100 else f"{ms:.3g}"


def table(rows):
    """Markdown table; rows: (workload label, threads, res, scipy_ms)."""
    head = ["workload", "threads", "diffiir fwd", "diffiir fwd+bwd"] + [f"{a} fwd+bwd (fwd)" for a in ANCHORS]
    head += ["scipy fwd", "ratio", "floor", "ratio cap"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, threads, res, scipy_ms in rows:
        d = res["diffiir"]
        ok = isinstance(d, tuple)
        cells = [label, str(threads), fmt(d[0]) if ok else d, fmt(d[1]) if ok else d]
        for a in ANCHORS:
            r = res[a]
            cells.append("n/a" if r is None else r if isinstance(r, str) else f"{fmt(r[1])} ({fmt(r[0])})")
        anchors = [res[a][1] for a in ANCHORS if isinstance(res[a], tuple)]
        cells += [fmt(scipy_ms), f"{min(anchors) / d[1]:.1f}×" if anchors and ok else "n/a"]
        cells += [fmt(res["floor"]), f"{min(anchors) / res['floor']:.0f}×" if anchors else "n/a"]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def environment():
    versions = ", ".join(f"{p} {importlib.metadata.version(p)}" for p in PACKAGES)
    cpu = platform.processor() or platform.machine()
    try:  # platform.processor() is often empty or just the architecture on Linux
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
        cpu = f"{model} ({cpu})"
    except (OSError, StopIteration):
        pass
    return (
        f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {cpu}, os.cpu_count() = {os.cpu_count()}; "
        f"Python {platform.python_version()}, {versions}"
    )


def error_summary(errors):
    """errors: {workload: {"diffiir float32": e, "freq. sampling": e (LTI only)}}."""
    parts = []
    for method, label in (("diffiir float32", "diffiir float32"), ("freq. sampling", "frequency sampling (even in float64)")):
        found = [f"{wid} {e[method]:.1e}" for wid, e in errors.items() if method in e]
        if found:
            parts.append(f"{label} " + ", ".join(found))
    return "; ".join(parts)


def report(rows, variants, errors, args):
    notes = [
        f"Milliseconds, medians, float32; `{' '.join(['python bench/compare.py'] + sys.argv[1:])}`",
        "",
        f"Run: {environment()}.",
        "",
        table(rows),
        "",
        "Anchors' cells: fwd+bwd (fwd in brackets); fwd+bwd = forward, loss = mean(y²), backward to the input and every "
        "coefficient. ratio = fastest anchor fwd+bwd / diffiir fwd+bwd. scipy: forward only, one call per signal. "
        "torchlpc: sample_wise_lpc + conv1d FIR for numerators; W2 = 8 chained calls for torchaudio, torchlpc and "
        "philtorch. frequency sampling is approximate (wraps slowly decaying responses). n/a: LTI-only method on W4. "
        "floor: the identity (y = x) through the same loss and backward, the torch-side cost inside every fwd+bwd; "
        "ratio cap = fastest anchor fwd+bwd / floor, the ratio a filter costing nothing would reach.",
        "",
        "philtorch variant used ("
        + ("first correct candidate, no sweep" if args.quick or args.no_sweep else "fastest correct one of a short sweep")
        + "): "
        + "; ".join(f"{k}: {variant_name(v) if v else 'none correct'}" for k, v in variants.items())
        + ".",
        "",
        "Max |error| vs the exact (float64) output at full size, unit-RMS outputs: " + error_summary(errors) + ".",
    ]
    if args.quick:
        notes[:0] = ["**--quick: one run per measurement, no warm-up — not a benchmark.**", ""]
    return "\n".join(notes)


def write_benchmarks_md(path, block):
    """Replaces the block between the markers in path (appending a section, or creating the file, if missing)."""
    path = Path(path)
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    body = f"{BEGIN}\n{block}\n{END}"
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: body, text, count=1, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n## diffiir vs anchors (Python, `bench/compare.py`)\n\n" + body + "\n"
    path.write_text(text)
    print(f"wrote {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="W1,W2,W3,W4,W5,W6", help="comma-separated workload ids")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--quick", action="store_true", help="one run per measurement, no philtorch sweep (smoke test)")
    ap.add_argument("--budget", type=float, default=1.5, help="seconds per measurement (default 1.5)")
    ap.add_argument("--no-sweep", action="store_true", help="philtorch: first correct candidate, no timing sweep")
    ap.add_argument("--write", action="store_true", help="replace the compare.py block in BENCHMARKS.md")
    ap.add_argument("--benchmarks-md", default=str(ROOT / "BENCHMARKS.md"), help="file --write edits")
    args = ap.parse_args()
    ids = [s.strip().upper() for s in args.only.split(",") if s.strip()]
    threads = [int(s) for s in args.threads.split(",")]
    unknown = [i for i in ids if i not in ("W1", "W2", "W3", "W4", "W5", "W6")]
    if unknown:
        ap.error(f"unknown workload(s) {', '.join(unknown)}; expected W1..W6")

    print(environment(), flush=True)
    rows, variants, errors = [], {}, {}
    for wid in ids:
        w = make_workload(wid)
        ok, errors[wid] = check(w)
        for n in threads:
            res, scipy_ms, variant = measure(w, n, ok, args)
            rows.append((f"{wid} ({w.what})", n, res, scipy_ms))
            variants[f"{wid} {n}t"] = variant
    text = report(rows, variants, errors, args)
    print()
    print(text)
    if args.write:
        write_benchmarks_md(args.benchmarks_md, text)


if __name__ == "__main__":
    main()
