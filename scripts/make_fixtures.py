"""Generate scipy reference fixtures (JSON) for the diffiir Rust tests.

Writes into ``crates/diffiir/tests/fixtures/`` (relative to the repo root,
resolved from this file's location):

* ``lfilter.json``            -- scipy.signal.lfilter, with/without zi
* ``lfilter_zi.json``         -- scipy.signal.lfilter_zi
* ``sosfilt.json``            -- scipy.signal.sosfilt, with/without zi
* ``sosfilt_zi.json``         -- scipy.signal.sosfilt_zi
* ``lfilter_tv_blocks.json``  -- time-varying oracle: blockwise lfilter,
                                 zf of one block fed as zi of the next
* ``sosfilt_tv_blocks.json``  -- the same with sosfilt

All numbers are plain Python floats written with ``json.dump`` (repr), so they
round-trip exactly into f64.  Random data comes from a fixed seed, so the
output is deterministic for a given numpy/scipy version.

Run from the repo root (pinned versions: numpy==2.4.6, scipy==1.17.1):

    python3 -m venv .venv-fixtures
    .venv-fixtures/bin/pip install numpy==2.4.6 scipy==1.17.1
    .venv-fixtures/bin/python scripts/make_fixtures.py

(i.e. ``python scripts/make_fixtures.py`` with that venv active).

scipy conventions worth knowing (checked by asserts below):

* ``lfilter`` normalises b and a by a[0]; the state zi/zf is the transposed
  direct form II state of the *normalised* filter, length
  max(len(a), len(b)) - 1.  ``lfilter_zi`` likewise normalises.
* ``sosfilt`` does NOT normalise sections: it raises
  ``ValueError: sos[:, 3] should be all ones`` when any a0 != 1.
  ``sosfilt_zi`` on the other hand accepts a0 != 1 and normalises each
  section (it calls lfilter_zi per section).  The sosfilt cases with a0 != 1
  in ``sosfilt.json`` therefore use ``sosfilt(sos / sos[:, 3:4])`` as the
  reference (i.e. "normalise each section by its a0" semantics), cross-checked
  against a cascade of lfilter calls on the un-normalised sections.
* zi shapes: lfilter -> (max(len(a), len(b)) - 1,); sosfilt -> (n_sections, 2).
* Empty input (T = 0): ``lfilter(b, a, [], zi=zi)`` returns zf full of
  uninitialised memory, and ``sosfilt`` raises on an empty signal.  For T = 0
  the fixtures therefore record y = [] and zf = zi (the mathematically
  correct result) instead of calling scipy.
"""

import json
from pathlib import Path

import numpy as np
import scipy
import scipy.signal as sig

SEED = 20261130
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "crates" / "diffiir" / "tests" / "fixtures"

rng = np.random.default_rng(SEED)


# --------------------------------------------------------------------------
# random stable filters
# --------------------------------------------------------------------------

def random_poles(n):
    """n poles strictly inside radius 0.95: conjugate pairs plus real poles."""
    poles = []
    n_pairs = int(rng.integers(0, n // 2 + 1))
    for _ in range(n_pairs):
        r = 0.95 * np.sqrt(rng.uniform(0.05, 0.999))
        th = rng.uniform(0.05, np.pi - 0.05)
        p = r * np.exp(1j * th)
        poles += [p, np.conj(p)]
    while len(poles) < n:
        poles.append(rng.uniform(-0.94, 0.94) + 0j)
    return np.array(poles)


def random_a(na, a0=1.0):
    """Denominator of length na with stable poles, scaled by a0."""
    if na == 1:
        return np.array([float(a0)])
    a = np.real(np.poly(random_poles(na - 1)))
    assert np.all(np.abs(np.roots(a)) < 0.95)
    return a * a0


def random_b(nb):
    return rng.normal(size=nb)


def random_sos(n_sec, a0s=None):
    rows = []
    for k in range(n_sec):
        a0 = 1.0 if a0s is None else a0s[k]
        if rng.uniform() < 0.2:
            # first-order section (b2 = a2 = 0)
            a = np.array([1.0, -rng.uniform(-0.94, 0.94), 0.0])
            b = np.array([rng.normal(), rng.normal(), 0.0])
        else:
            a = np.real(np.poly(random_poles(2)))
            b = rng.normal(size=3)
        rows.append(np.concatenate([b, a * a0]))
    return np.array(rows)


def signal(T):
    return rng.normal(size=T)


def fl(v):
    """numpy array -> plain nested Python floats (None passes through)."""
    if v is None:
        return None
    return np.asarray(v, dtype=np.float64).tolist()


# --------------------------------------------------------------------------
# reference wrappers (handling the scipy T = 0 quirks)
# --------------------------------------------------------------------------

def ref_lfilter(b, a, x, zi):
    if zi is None:
        return sig.lfilter(b, a, x), None
    if len(x) == 0:
        # scipy returns uninitialised memory for zf here; zf = zi is correct.
        return np.zeros(0), np.array(zi, dtype=np.float64)
    return sig.lfilter(b, a, x, zi=zi)


def ref_sosfilt(sos, x, zi):
    sos_n = sos / sos[:, 3:4]  # scipy's sosfilt rejects a0 != 1
    if len(x) == 0:  # scipy's sosfilt raises on empty input
        return np.zeros(0), (None if zi is None else np.array(zi, dtype=np.float64))
    if zi is None:
        y, zf = sig.sosfilt(sos_n, x), None
    else:
        y, zf = sig.sosfilt(sos_n, x, zi=zi)
    # cross-check against a cascade of lfilter calls on the raw sections
    yc = np.array(x, dtype=np.float64)
    zfs = []
    for k in range(sos.shape[0]):
        if zi is None:
            yc = sig.lfilter(sos[k, :3], sos[k, 3:], yc)
        else:
            yc, z = sig.lfilter(sos[k, :3], sos[k, 3:], yc, zi=zi[k])
            zfs.append(z)
    assert np.allclose(y, yc, rtol=1e-12, atol=1e-12)
    if zi is not None:
        assert np.allclose(zf, np.array(zfs), rtol=1e-12, atol=1e-12)
    return y, zf


def sosfilt_zi_checked(sos):
    zi = sig.sosfilt_zi(sos)
    assert np.allclose(zi, sig.sosfilt_zi(sos / sos[:, 3:4]), rtol=1e-12, atol=1e-12)
    return zi


# --------------------------------------------------------------------------
# case builders
# --------------------------------------------------------------------------

A0_CHOICES = [1.0, 2.5, -0.7]


def lfilter_case(nb, na, T, zi_mode, a0=1.0):
    b, a = random_b(nb), random_a(na, a0)
    x = signal(T)
    n = max(nb, na) - 1
    if zi_mode == "none":
        zi = None
    elif zi_mode == "random":
        zi = rng.normal(size=n)
    elif zi_mode == "steady":
        assert T >= 1 and n >= 1
        zi = sig.lfilter_zi(b, a) * x[0]
    else:
        raise ValueError(zi_mode)
    y, zf = ref_lfilter(b, a, x, zi)
    return {"b": fl(b), "a": fl(a), "x": fl(x), "zi": fl(zi), "y": fl(y), "zf": fl(zf)}


def make_lfilter():
    cases = []
    lengths = [3, 8, 17, 32, 64, 5, 11, 24, 40, 7, 13, 50]
    # orders 1..12, equal lengths
    for i, order in enumerate(range(1, 13)):
        cases.append(lfilter_case(order + 1, order + 1, lengths[i], "none"))
    for i, order in enumerate(range(1, 13)):
        a0 = A0_CHOICES[i % 3]
        cases.append(lfilter_case(order + 1, order + 1, lengths[(i + 4) % 12], "random", a0))
    for i, order in enumerate(range(1, 13)):
        a0 = A0_CHOICES[(i + 1) % 3]
        cases.append(lfilter_case(order + 1, order + 1, lengths[(i + 8) % 12], "steady", a0))
    # unequal lengths, both directions, including pure FIR (len(a) == 1)
    uneq = [(1, 5), (6, 2), (3, 1), (1, 2), (2, 1), (13, 1), (1, 13), (4, 9),
            (9, 4), (2, 7), (7, 3), (5, 1), (1, 3), (10, 6)]
    modes = ["none", "random", "steady"]
    for i, (nb, na) in enumerate(uneq):
        a0 = A0_CHOICES[i % 3]
        cases.append(lfilter_case(nb, na, lengths[i % 12], modes[i % 3], a0))
    # edge signal lengths 0, 1, 2
    edge = [(3, 3, 0, "none"), (4, 2, 0, "random"), (1, 6, 0, "random"),
            (2, 2, 1, "none"), (5, 5, 1, "random"), (3, 1, 1, "steady"),
            (7, 7, 2, "random"), (2, 4, 2, "steady"), (1, 1, 4, "none"),
            (1, 1, 2, "none")]
    for i, (nb, na, T, mode) in enumerate(edge):
        cases.append(lfilter_case(nb, na, T, mode, A0_CHOICES[i % 3]))
    return cases


def make_lfilter_zi():
    cases = []
    for i, order in enumerate(range(1, 13)):
        b, a = random_b(order + 1), random_a(order + 1, A0_CHOICES[i % 3])
        cases.append({"b": fl(b), "a": fl(a), "zi": fl(sig.lfilter_zi(b, a))})
    uneq = [(1, 5), (6, 2), (3, 1), (1, 2), (2, 1), (13, 1), (1, 13), (4, 9),
            (9, 4), (2, 7), (7, 3), (5, 1), (10, 6)]
    for i, (nb, na) in enumerate(uneq):
        b, a = random_b(nb), random_a(na, A0_CHOICES[(i + 1) % 3])
        zi = sig.lfilter_zi(b, a)
        assert zi.shape == (max(nb, na) - 1,)
        cases.append({"b": fl(b), "a": fl(a), "zi": fl(zi)})
    return cases


def sosfilt_case(n_sec, T, zi_mode, a0s=None):
    sos = random_sos(n_sec, a0s)
    x = signal(T)
    if zi_mode == "none":
        zi = None
    elif zi_mode == "random":
        zi = rng.normal(size=(n_sec, 2))
    elif zi_mode == "steady":
        zi = sosfilt_zi_checked(sos) * x[0]
    else:
        raise ValueError(zi_mode)
    y, zf = ref_sosfilt(sos, x, zi)
    return {"sos": fl(sos), "x": fl(x), "zi": fl(zi), "y": fl(y), "zf": fl(zf)}


def make_sosfilt():
    cases = []
    lengths = [5, 16, 33, 64, 9, 21]
    for mode_i, mode in enumerate(["none", "random", "steady"]):
        for n_sec in range(1, 7):
            cases.append(sosfilt_case(n_sec, lengths[(n_sec + 2 * mode_i) % 6], mode))
    # edge lengths
    for n_sec, T, mode in [(1, 0, "none"), (3, 0, "random"), (2, 1, "none"),
                           (4, 1, "random"), (5, 2, "steady"), (1, 2, "random")]:
        cases.append(sosfilt_case(n_sec, T, mode))
    # sections with a0 != 1 (reference = per-section normalisation, see docstring)
    for n_sec, T, mode in [(1, 12, "random"), (2, 20, "none"), (3, 7, "steady"),
                           (4, 30, "random"), (5, 1, "random"), (6, 15, "steady")]:
        a0s = [A0_CHOICES[(k + n_sec) % 3] for k in range(n_sec)]
        cases.append(sosfilt_case(n_sec, T, mode, a0s))
    return cases


def make_sosfilt_zi():
    cases = []
    for i in range(15):
        n_sec = 1 + i % 6
        a0s = [A0_CHOICES[(k + i) % 3] for k in range(n_sec)] if i >= 6 else None
        sos = random_sos(n_sec, a0s)
        zi = sosfilt_zi_checked(sos)
        assert zi.shape == (n_sec, 2)
        cases.append({"sos": fl(sos), "zi": fl(zi)})
    return cases


def make_lfilter_tv():
    cases = []
    shapes = [(2, 2), (3, 3), (1, 4), (5, 2), (4, 1), (6, 6), (3, 5), (7, 3),
              (2, 9), (9, 9), (13, 13), (1, 2), (4, 4), (3, 1), (8, 5)]
    for i, (nb, na) in enumerate(shapes):
        n_blocks = 2 + i % 4
        n = max(nb, na) - 1
        blocks, ys = [], []
        zi0 = rng.normal(size=n)
        z = zi0
        xs = []
        for j in range(n_blocks):
            L = int(rng.integers(1, 21))
            a0 = A0_CHOICES[(i + j) % 3] if j % 2 == 0 else float(rng.uniform(0.5, 3.0))
            b, a = random_b(nb), random_a(na, a0)
            xb = signal(L)
            yb, z = sig.lfilter(b, a, xb, zi=z)
            blocks.append({"b": fl(b), "a": fl(a), "len": L})
            ys.append(yb)
            xs.append(xb)
        cases.append({"blocks": blocks, "x": fl(np.concatenate(xs)), "zi": fl(zi0),
                      "y": fl(np.concatenate(ys)), "zf": fl(z)})
    return cases


def make_sosfilt_tv():
    cases = []
    for i in range(10):
        n_sec = 1 + i % 6
        n_blocks = 2 + i % 4
        zi0 = rng.normal(size=(n_sec, 2))
        z = zi0
        blocks, xs, ys = [], [], []
        for j in range(n_blocks):
            L = int(rng.integers(1, 21))
            sos = random_sos(n_sec)  # a0 = 1: scipy's sosfilt requires it
            xb = signal(L)
            yb, z = ref_sosfilt(sos, xb, z)
            blocks.append({"sos": fl(sos), "len": L})
            xs.append(xb)
            ys.append(yb)
        cases.append({"blocks": blocks, "x": fl(np.concatenate(xs)), "zi": fl(zi0),
                      "y": fl(np.concatenate(ys)), "zf": fl(z)})
    return cases


# --------------------------------------------------------------------------
# convention checks
# --------------------------------------------------------------------------

def check_conventions():
    # sosfilt rejects a0 != 1
    try:
        sig.sosfilt(np.array([[1.0, 0.5, 0.2, 2.0, 0.3, 0.1]]), np.ones(4))
        raise AssertionError("scipy sosfilt accepted a0 != 1; revisit fixtures")
    except ValueError:
        pass
    # lfilter: a0 != 1 acts on the normalised filter, zi unchanged
    b, a = np.array([1.0, 2.0, 3.0]), np.array([2.5, 0.5, 0.1])
    x, zi = np.arange(5.0), np.array([0.3, 0.7])
    y1, z1 = sig.lfilter(b, a, x, zi=zi)
    y2, z2 = sig.lfilter(b / 2.5, a / 2.5, x, zi=zi)
    assert np.allclose(y1, y2, rtol=1e-14) and np.allclose(z1, z2, rtol=1e-14)
    # steady state: lfilter_zi(b, a) * x[0] on a constant signal gives constant y
    b, a = random_b(4), random_a(4, -0.7)
    x = np.full(20, 1.7)
    y, zf = sig.lfilter(b, a, x, zi=sig.lfilter_zi(b, a) * x[0])
    dc = b.sum() / a.sum()
    assert np.allclose(y, dc * 1.7, rtol=1e-12, atol=1e-12), y
    assert np.allclose(zf, sig.lfilter_zi(b, a) * x[0], rtol=1e-12, atol=1e-12)
    print(f"steady-state check ok: y == {dc * 1.7:.6f} (const) for 20 samples")
    # same for sosfilt
    sos = random_sos(3)
    y = sig.sosfilt(sos, x, zi=sig.sosfilt_zi(sos) * x[0])[0]
    assert np.allclose(y, y[0], rtol=1e-12, atol=1e-12)


def finite(obj):
    if isinstance(obj, float):
        return np.isfinite(obj)
    if isinstance(obj, list):
        return all(finite(v) for v in obj)
    if isinstance(obj, dict):
        return all(finite(v) for v in obj.values())
    return True


def main():
    check_conventions()
    OUT.mkdir(parents=True, exist_ok=True)
    files = {
        "lfilter.json": make_lfilter(),
        "lfilter_zi.json": make_lfilter_zi(),
        "sosfilt.json": make_sosfilt(),
        "sosfilt_zi.json": make_sosfilt_zi(),
        "lfilter_tv_blocks.json": make_lfilter_tv(),
        "sosfilt_tv_blocks.json": make_sosfilt_tv(),
    }
    total = 0
    for name, cases in files.items():
        assert finite(cases), name
        path = OUT / name
        with open(path, "w") as f:
            json.dump({"scipy": scipy.__version__, "cases": cases}, f, indent=None)
            f.write("\n")
        with open(path) as f:
            back = json.load(f)
        assert back["cases"] == cases  # exact round trip
        size = path.stat().st_size
        total += size
        print(f"{name:26s} {len(cases):3d} cases {size / 1024:7.1f} kB")
    print(f"{'total':26s}           {total / 1024:7.1f} kB  (scipy {scipy.__version__}, numpy {np.__version__})")


if __name__ == "__main__":
    main()
