"""Generate scipy reference fixtures for the frequency-response tests (crates/diffiir/tests/fixtures/freqz.json).

Run from the repo root with the pinned venv (numpy==2.4.6, scipy==1.17.1):
    .venv-fixtures/bin/python scripts/make_freq_fixtures.py   (or .venv/bin/python)

Cases cover scipy.signal.freqz (worN as a count, whole=False/True, explicit frequencies with fs) and
scipy.signal.sosfreqz, and scipy.signal.group_delay. Frequencies are stored in radians per sample (what the Rust
core takes), next to the scipy arguments they came from.
"""
import json
import pathlib

import numpy as np
import scipy
import scipy.signal as ss

rng = np.random.default_rng(20261130)
out = pathlib.Path(__file__).resolve().parents[1] / "crates/diffiir/tests/fixtures/freqz.json"


def stable(order, rmax=0.95):
    p = np.array([1.0])
    while len(p) - 1 < order:
        if order - (len(p) - 1) >= 2:
            r, th = rng.uniform(0, rmax), rng.uniform(0, np.pi)
            p = np.convolve(p, [1, -2 * r * np.cos(th), r * r])
        else:
            p = np.convolve(p, [1, -rng.uniform(-rmax, rmax)])
    return p


cases, sos_cases, gd_cases = [], [], []
for i in range(24):
    nb, na = rng.integers(1, 9), rng.integers(1, 9)
    b, a = rng.standard_normal(nb), stable(na - 1) * rng.choice([1.0, 2.0, -0.5])
    kind = i % 3
    if kind == 0:
        worN, whole, fs = int(rng.integers(1, 40)), bool(i % 2), 2 * np.pi
        w, h = ss.freqz(b, a, worN=worN, whole=whole)
        wrad = w
    elif kind == 1:
        fs = 48000.0
        f = np.sort(rng.uniform(0, fs / 2, 17))
        w, h = ss.freqz(b, a, worN=f, fs=fs)
        wrad = 2 * np.pi * w / fs
        worN, whole = None, False
    else:
        worN, whole, fs = 32, True, 1000.0
        w, h = ss.freqz(b, a, worN=worN, whole=True, fs=fs)
        wrad = 2 * np.pi * w / fs
    cases.append(dict(b=b.tolist(), a=a.tolist(), worN=worN, whole=whole, fs=fs, w=wrad.tolist(), re=h.real.tolist(), im=h.imag.tolist()))
for i in range(12):
    s = int(rng.integers(1, 5))
    sos = np.concatenate([rng.standard_normal((s, 3)), np.stack([stable(2) for _ in range(s)])], axis=1)
    w, h = ss.sosfreqz(sos, worN=int(rng.integers(2, 50)), whole=bool(i % 2))
    sos_cases.append(dict(sos=sos.tolist(), w=w.tolist(), re=h.real.tolist(), im=h.imag.tolist()))
for i in range(8):
    b, a = rng.standard_normal(3), stable(4, 0.8)
    w = np.linspace(0.05, 3.0, 20)
    _, gd = ss.group_delay((b, a), w=w)
    gd_cases.append(dict(b=b.tolist(), a=a.tolist(), w=w.tolist(), gd=gd.tolist()))
out.write_text(json.dumps(dict(scipy=scipy.__version__, freqz=cases, sosfreqz=sos_cases, group_delay=gd_cases)))
print(f"wrote {out} ({out.stat().st_size} bytes): {len(cases)} freqz, {len(sos_cases)} sosfreqz, {len(gd_cases)} group_delay")
