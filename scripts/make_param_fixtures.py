"""Generate the RBJ Audio-EQ-Cookbook fixture for the diffiir parameterisation tests.

Writes ``crates/diffiir/tests/fixtures/rbj.json`` (relative to the repo root,
resolved from this file's location): for a grid of (type, f0, Q, gain dB, fs)
the normalised second-order section ``[b0, b1, b2, 1, a1, a2]``.

The coefficients are computed directly from the cookbook formulas (Robert
Bristow-Johnson, "Cookbook formulae for audio EQ biquad filter coefficients"),
Q form of alpha for every type including the shelves:

    w0 = 2 pi f0 / fs,  alpha = sin(w0) / (2 Q),  A = 10^(gain / 40)

NOT through ``scipy.signal.iirpeak`` / ``iirnotch`` / ``iirfilter``, whose
bandwidth and gain definitions differ.  As an independent check of the
transcription, every design is compared (to 1e-9) with
``scipy.signal.bilinear`` applied to the cookbook's analog prototype H(s),
frequency-prewarped so the bilinear transform maps the prototype's unit
frequency to f0 -- which is exactly how the cookbook derives its formulas.

Run from the repo root (pinned versions: numpy==2.4.6, scipy==1.17.1):

    .venv-fixtures/bin/python scripts/make_param_fixtures.py

All numbers are plain Python floats written with ``json.dump`` (repr), so they
round-trip exactly into f64; the output is deterministic.
"""

import json
import math
from pathlib import Path

import numpy as np
import scipy
import scipy.signal as sig

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "crates" / "diffiir" / "tests" / "fixtures"

KINDS = ["lowpass", "highpass", "bandpass", "notch", "allpass", "peaking", "lowshelf", "highshelf"]
USES_GAIN = {"peaking", "lowshelf", "highshelf"}


def cookbook(kind, f0, q, gain_db, fs):
    """Raw [b0, b1, b2, a0, a1, a2] straight from the cookbook."""
    w0 = 2.0 * math.pi * f0 / fs
    c, s = math.cos(w0), math.sin(w0)
    alpha = s / (2.0 * q)
    A = 10.0 ** (gain_db / 40.0)
    sa = math.sqrt(A)
    if kind == "lowpass":
        b = [(1 - c) / 2, 1 - c, (1 - c) / 2]
        a = [1 + alpha, -2 * c, 1 - alpha]
    elif kind == "highpass":
        b = [(1 + c) / 2, -(1 + c), (1 + c) / 2]
        a = [1 + alpha, -2 * c, 1 - alpha]
    elif kind == "bandpass":  # constant 0 dB peak gain
        b = [alpha, 0.0, -alpha]
        a = [1 + alpha, -2 * c, 1 - alpha]
    elif kind == "notch":
        b = [1.0, -2 * c, 1.0]
        a = [1 + alpha, -2 * c, 1 - alpha]
    elif kind == "allpass":
        b = [1 - alpha, -2 * c, 1 + alpha]
        a = [1 + alpha, -2 * c, 1 - alpha]
    elif kind == "peaking":
        b = [1 + alpha * A, -2 * c, 1 - alpha * A]
        a = [1 + alpha / A, -2 * c, 1 - alpha / A]
    elif kind == "lowshelf":
        b = [
            A * ((A + 1) - (A - 1) * c + 2 * sa * alpha),
            2 * A * ((A - 1) - (A + 1) * c),
            A * ((A + 1) - (A - 1) * c - 2 * sa * alpha),
        ]
        a = [
            (A + 1) + (A - 1) * c + 2 * sa * alpha,
            -2 * ((A - 1) + (A + 1) * c),
            (A + 1) + (A - 1) * c - 2 * sa * alpha,
        ]
    elif kind == "highshelf":
        b = [
            A * ((A + 1) + (A - 1) * c + 2 * sa * alpha),
            -2 * A * ((A - 1) + (A + 1) * c),
            A * ((A + 1) + (A - 1) * c - 2 * sa * alpha),
        ]
        a = [
            (A + 1) - (A - 1) * c + 2 * sa * alpha,
            2 * ((A - 1) - (A + 1) * c),
            (A + 1) - (A - 1) * c - 2 * sa * alpha,
        ]
    else:
        raise ValueError(kind)
    return b + a


def normalise(r):
    a0 = r[3]
    return [r[0] / a0, r[1] / a0, r[2] / a0, 1.0, r[4] / a0, r[5] / a0]


def prototype(kind, q, gain_db):
    """The cookbook's analog prototype H(S) (unit frequency) as (num, den), highest power first."""
    A = 10.0 ** (gain_db / 40.0)
    sa = math.sqrt(A)
    den = [1.0, 1.0 / q, 1.0]
    return {
        "lowpass": ([0.0, 0.0, 1.0], den),
        "highpass": ([1.0, 0.0, 0.0], den),
        "bandpass": ([0.0, 1.0 / q, 0.0], den),
        "notch": ([1.0, 0.0, 1.0], den),
        "allpass": ([1.0, -1.0 / q, 1.0], den),
        "peaking": ([1.0, A / q, 1.0], [1.0, 1.0 / (A * q), 1.0]),
        "lowshelf": ([A * 1.0, A * sa / q, A * A], [A, sa / q, 1.0]),
        "highshelf": ([A * A, A * sa / q, A * 1.0], [1.0, sa / q, A]),
    }[kind]


def via_bilinear(kind, f0, q, gain_db, fs):
    """Independent check: prewarped bilinear transform of the analog prototype."""
    w0 = 2.0 * math.pi * f0 / fs
    om = 2.0 * fs * math.tan(w0 / 2.0)  # analog frequency that the BLT maps to f0
    num, den = prototype(kind, q, gain_db)
    scale = np.array([1.0 / om**2, 1.0 / om, 1.0])  # H(s / om)
    b, a = sig.bilinear(np.array(num) * scale, np.array(den) * scale, fs)
    b = np.concatenate([np.zeros(3 - len(b)), b])
    return list(b / a[0]) + [1.0] + list(a[1:] / a[0])


def main():
    fss = [48000.0, 44100.0]
    f0s = [20.0, 1000.0, 9000.0, 20000.0]
    qs = [0.1, 0.5, 1.0 / math.sqrt(2.0), 2.0, 10.0]
    gains_used = [-24.0, -6.0, 0.0, 3.5, 12.0]
    gains_unused = [0.0, 7.5]  # the gain must be ignored by these types
    cases = []
    worst = 0.0
    for kind in KINDS:
        for fs in fss:
            for f0 in f0s:
                for q in qs:
                    for g in gains_used if kind in USES_GAIN else gains_unused:
                        sos = normalise(cookbook(kind, f0, q, g, fs))
                        ref = via_bilinear(kind, f0, q, g, fs)
                        err = max(abs(x - y) for x, y in zip(sos, ref)) / max(1.0, max(abs(y) for y in ref))
                        worst = max(worst, err)
                        assert err < 1e-9, (kind, f0, q, g, fs, sos, ref)
                        cases.append({"kind": kind, "f0": f0, "q": q, "gain_db": g, "fs": fs, "sos": sos})
    OUT.mkdir(parents=True, exist_ok=True)
    doc = {
        "generator": "scripts/make_param_fixtures.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "note": "RBJ cookbook (Q form for all types), normalised [b0, b1, b2, 1, a1, a2]",
        "cases": cases,
    }
    with open(OUT / "rbj.json", "w") as f:
        json.dump(doc, f)
        f.write("\n")
    print(f"rbj.json: {len(cases)} cases; worst deviation from prewarped bilinear {worst:.2e}")


if __name__ == "__main__":
    main()
