"""numpy API against scipy.signal (f64 to 1e-12 relative to the signal's scale), across orders, zi/zf, axis, batches."""
import numpy as np
import pytest
import scipy.signal as ss
from conftest import stable_a

import diffiir


def close(got, want, tol=1e-12):
    scale = max(1.0, float(np.max(np.abs(want))) if np.size(want) else 1.0)
    np.testing.assert_allclose(got, want, rtol=0, atol=tol * scale)


@pytest.mark.parametrize("order", range(1, 13))
@pytest.mark.parametrize("lens", ["equal", "short_b", "short_a"])
def test_lfilter_matches_scipy(rng, order, lens):
    nb, na = {"equal": (order + 1, order + 1), "short_b": (1 + order // 2, order + 1), "short_a": (order + 1, 1 + order // 2)}[lens]
    b = rng.standard_normal(nb)
    a = stable_a(rng, na - 1) * rng.choice([1.0, 2.5, -0.7])
    x = rng.standard_normal((2, 3, 40))
    close(diffiir.lfilter(b, a, x), ss.lfilter(b, a, x), 1e-12 * order)
    zi = rng.standard_normal((2, 3, max(na, nb) - 1))
    y, zf = diffiir.lfilter(b, a, x, zi=zi)
    yr, zfr = ss.lfilter(b, a, x, zi=zi)
    close(y, yr, 1e-12 * order)
    close(zf, zfr, 1e-12 * order)


@pytest.mark.parametrize("axis", [0, 1, -1, -2])
def test_lfilter_axis_and_zi_layout(rng, axis):
    b, a = [0.3, 0.2, -0.1], stable_a(rng, 3)
    x = rng.standard_normal((7, 5, 6))
    close(diffiir.lfilter(b, a, x, axis=axis), ss.lfilter(b, a, x, axis=axis))
    zshape = list(x.shape)
    zshape[axis] = 3
    zi = rng.standard_normal(zshape)
    for got, want in zip(diffiir.lfilter(b, a, x, axis=axis, zi=zi), ss.lfilter(b, a, x, axis=axis, zi=zi)):
        close(got, want)


def test_lfilter_scipy_docstring_example():
    b, a = ss.butter(3, 0.05)
    t = np.linspace(-1, 1, 201)
    x = np.sin(2 * np.pi * 0.75 * t) + 0.1 * np.sin(2 * np.pi * 1.25 * t + 1) + 0.18 * np.cos(2 * np.pi * 3.85 * t)
    zi = diffiir.lfilter_zi(b, a)
    close(zi, ss.lfilter_zi(b, a))
    z, _ = diffiir.lfilter(b, a, x, zi=zi * x[0])
    z2, _ = diffiir.lfilter(b, a, z, zi=zi * z[0])
    close(z2, ss.lfilter(b, a, ss.lfilter(b, a, x, zi=zi * x[0])[0], zi=zi * z[0])[0])


@pytest.mark.parametrize("sections", [1, 2, 5])
@pytest.mark.parametrize("axis", [0, -1])
def test_sosfilt_matches_scipy(rng, sections, axis):
    sos = ss.butter(2 * sections, 0.15, output="sos")
    x = rng.standard_normal((30, 4)) if axis == 0 else rng.standard_normal((4, 30))
    close(diffiir.sosfilt(sos, x, axis=axis), ss.sosfilt(sos, x, axis=axis))
    zshape = [sections] + list(x.shape)
    zshape[1 + (axis % 2)] = 2
    zi = rng.standard_normal(zshape)
    for got, want in zip(diffiir.sosfilt(sos, x, axis=axis, zi=zi), ss.sosfilt(sos, x, axis=axis, zi=zi)):
        close(got, want)
    close(diffiir.sosfilt_zi(sos), ss.sosfilt_zi(sos))


def test_zi_functions_match_scipy(rng):
    for order in range(1, 13):
        b, a = rng.standard_normal(order + 1), stable_a(rng, order) * 1.3
        close(diffiir.lfilter_zi(b, a), ss.lfilter_zi(b, a), 1e-11)
    bb, aa = rng.standard_normal((3, 4)), np.stack([stable_a(rng, 2) for _ in range(3)])
    close(diffiir.lfilter_zi(bb, aa), np.stack([ss.lfilter_zi(b, a) for b, a in zip(bb, aa)]), 1e-11)


def test_per_signal_and_per_sample_coefficients(rng):
    x = rng.standard_normal((3, 50))
    bs = rng.standard_normal((3, 3))
    as_ = np.stack([stable_a(rng, 2) for _ in range(3)])
    y = diffiir.lfilter(bs, as_, x)
    close(y, np.stack([ss.lfilter(b, a, r) for b, a, r in zip(bs, as_, x)]))
    # Per-sample: two blocks with different filters equal scipy block by block with zf carried over.
    b1, a1, b2, a2 = rng.standard_normal(3), stable_a(rng, 2), rng.standard_normal(3), stable_a(rng, 2) * 2.0
    bt = np.concatenate([np.tile(b1, (20, 1)), np.tile(b2, (30, 1))])[None].repeat(3, 0)
    at = np.concatenate([np.tile(a1, (20, 1)), np.tile(a2, (30, 1))])[None].repeat(3, 0)
    y = diffiir.lfilter(bt, at, x)
    ya, zf = ss.lfilter(b1, a1, x[:, :20], zi=np.zeros((3, 2)))
    yb, _ = ss.lfilter(b2, a2, x[:, 20:], zi=zf)
    close(y, np.concatenate([ya, yb], axis=1))


def test_dtypes_are_kept(rng):
    x32 = rng.standard_normal((2, 64)).astype(np.float32)
    assert diffiir.lfilter([0.5, 0.5], [1.0], x32).dtype == np.float64  # python floats promote, as numpy does
    assert diffiir.lfilter(np.float32([0.5, 0.5]), np.float32([1.0]), x32).dtype == np.float32
    assert diffiir.sosfilt(np.float32([[1, 0, 0, 1, -0.5, 0]]), x32).dtype == np.float32
    assert diffiir.allpole(x32, np.float32([-0.5])).dtype == np.float32
    assert diffiir.lfilter([1, 1], [2], np.arange(5)).dtype == np.float64  # integers compute in float64
    y32 = diffiir.lfilter(np.float32([0.2, 0.3]), np.float32([1.0, -0.5]), x32)
    close(y32, ss.lfilter([0.2, 0.3], [1.0, -0.5], x32.astype(np.float64)), 1e-5)


def test_allpole_matches_reference(rng):
    x = rng.standard_normal((2, 40))
    a = np.stack([stable_a(rng, 3)[1:] for _ in range(2)])
    zi = rng.standard_normal((2, 3))
    y = diffiir.allpole(x, a, zi)
    # torchlpc semantics through scipy: all-pole with past outputs y[-1..-N] as initial state
    for r in range(2):
        want = ss.lfilter([1.0], np.r_[1.0, a[r]], x[r], zi=ss.lfiltic([1.0], np.r_[1.0, a[r]], zi[r]))[0]
        close(y[r], want)


def test_empty_and_nan_policy():
    assert diffiir.lfilter([1.0], [1.0, -0.5], np.zeros((3, 0))).shape == (3, 0)
    x = np.ones((2, 10))
    x[0, 4] = np.nan
    y = diffiir.lfilter([0.5, 0.5], [1.0, -0.5], x)
    assert np.isnan(y[0, 4:]).all() and np.isfinite(y[0, :4]).all() and np.isfinite(y[1]).all()
