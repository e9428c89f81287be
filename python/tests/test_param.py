"""diffiir.param and diffiir.torch.param: values against independent formulas, stability for any input,
round trips, gradients (torch gradcheck) and bad input."""
import doctest
import json
import pathlib

import numpy as np
import pytest
import scipy.signal as sig

import diffiir
from diffiir import _diffiir
from diffiir import param as P

from conftest import stable_a

EPS = {np.float64: 2.0**-20, np.float32: 2.0**-10}
FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "crates" / "diffiir" / "tests" / "fixtures" / "rbj.json"
EXTREME = np.array([-1e6, -1e3, -30.0, -1.0, -1e-9, 0.0, 1e-9, 0.5, 30.0, 1e3, 1e6])


def sigmoid(x):
    return 0.5 * (1 + np.tanh(x / 2))


def max_radius2(a1, a2):
    """Largest pole radius of 1 + a1 z^-1 + a2 z^-2, computed stably in float64 (also for near-double poles)."""
    a1, a2 = np.asarray(a1, np.float64).ravel(), np.asarray(a2, np.float64).ravel()
    disc = a1 * a1 - 4 * a2
    with np.errstate(divide="ignore", invalid="ignore"):
        q = -(a1 + np.copysign(np.sqrt(np.maximum(disc, 0)), a1)) / 2
        real = np.maximum(np.abs(q), np.where(q == 0, 0.0, np.abs(a2 / q)))
    return np.where(disc < 0, np.sqrt(np.abs(a2)), real)


def max_radius(a):
    """Largest pole radius of each denominator a (..., N+1), by np.roots."""
    a = np.asarray(a, np.float64).reshape(-1, np.shape(a)[-1])
    return np.array([np.abs(np.roots(r)).max() if len(r) > 1 else 0.0 for r in a])


# ---------------------------------------------------------------- values against independent formulas


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_triangle_and_pole_pair_formulas(rng, dt):
    u1, u2 = rng.normal(0, 2, (5, 1)).astype(dt), rng.normal(0, 2, 7).astype(dt)
    a1, a2 = P.biquad_triangle(u1, u2)
    assert a1.shape == a2.shape == (5, 7) and a1.dtype == dt
    c = 1 - EPS[dt]
    e1 = 2 * c * np.tanh(u1.astype(float))
    e2 = ((2 - np.abs(e1)) * c * np.tanh(u2.astype(float)) + np.abs(e1)) / 2
    tol = 1e-6 if dt == np.float32 else 1e-14
    np.testing.assert_allclose(a1, np.broadcast_to(e1, (5, 7)), atol=tol)
    np.testing.assert_allclose(a2, e2, atol=tol)
    rho, th = rng.normal(0, 3, 6).astype(dt), rng.uniform(-4, 4, 6).astype(dt)
    p1, p2 = P.pole_pair(rho, th)
    r = c * sigmoid(rho.astype(float))
    np.testing.assert_allclose(p1, -2 * r * np.cos(th.astype(float)), atol=tol)
    np.testing.assert_allclose(p2, r * r, atol=tol)
    np.testing.assert_allclose(P.reflection(u1), c * np.tanh(u1.astype(float)), atol=tol)
    np.testing.assert_allclose(P.lar_to_reflection(u2), c * np.tanh(u2.astype(float) / 2), atol=tol)


def step_up_reference(k):
    """Levinson step-up, written out: a^(i)_j = a^(i-1)_j + k_i a^(i-1)_{i-j}, a^(i)_i = k_i."""
    a = np.zeros(0)
    for ki in k:
        a = np.concatenate([a + ki * a[::-1], [ki]])
    return np.concatenate([[1.0], a])


def test_reflection_to_lpc_values(rng):
    assert P.reflection_to_lpc([0.5, 0.25]).tolist() == [1.0, 0.625, 0.25]
    k = rng.uniform(-0.95, 0.95, (3, 2, 6))
    a = P.reflection_to_lpc(k)
    assert a.shape == (3, 2, 7)
    want = np.apply_along_axis(step_up_reference, -1, k)
    np.testing.assert_allclose(a, want, atol=1e-13)
    assert P.reflection_to_lpc(k.astype(np.float32)).dtype == np.float32


def test_step_up_down_round_trip(rng):
    for n in range(1, 9):
        k = rng.uniform(-0.97, 0.97, (4, n))
        np.testing.assert_allclose(P.lpc_to_reflection(P.reflection_to_lpc(k)), k, atol=1e-10)
        a = np.stack([stable_a(rng, n, 0.9) for _ in range(5)])
        kk = P.lpc_to_reflection(a)
        assert np.all(np.abs(kk) < 1)
        np.testing.assert_allclose(P.reflection_to_lpc(kk), a, atol=1e-10)
        np.testing.assert_allclose(P.lpc_to_reflection(2.5 * a), kk, atol=1e-12)  # divided by a[0]
    unstable = np.convolve([1, -1.2], [1, 0.3])  # a root at 1.2
    assert np.abs(P.lpc_to_reflection(unstable)).max() > 1


def cookbook_bilinear(kind, f0, q, gain_db, fs):
    """The cookbook's analog prototype H(s) (unit frequency) through scipy's bilinear transform with the
    cookbook's prewarp s = (1 - z^-1)/((1 + z^-1)·tan(w0/2)): independent of the closed-form coefficients."""
    A, iq = 10 ** (gain_db / 40), 1 / q
    sa = np.sqrt(A)
    proto = {
        "lowpass": ([1.0], [1, iq, 1]),
        "highpass": ([1.0, 0, 0], [1, iq, 1]),
        "bandpass": ([iq, 0], [1, iq, 1]),
        "notch": ([1.0, 0, 1], [1, iq, 1]),
        "allpass": ([1.0, -iq, 1], [1, iq, 1]),
        "peaking": ([1.0, A * iq, 1], [1, iq / A, 1]),
        "lowshelf": (A * np.array([1.0, sa * iq, A]), [A, sa * iq, 1]),
        "highshelf": (A * np.array([A, sa * iq, 1.0]), [1, sa * iq, A]),
    }[kind]
    b, a = sig.bilinear(*proto, fs=1 / (2 * np.tan(np.pi * f0 / fs)))
    return b / a[0], a / a[0]


@pytest.mark.parametrize("kind", P.RBJ_KINDS)
def test_rbj_matches_cookbook(rng, kind):
    cases = [c for c in json.loads(FIXTURE.read_text())["cases"] if c["kind"] == kind]
    for c in cases:
        b, a = P.rbj(kind, c["f0"], c["q"], c["gain_db"], c["fs"])
        np.testing.assert_allclose(np.concatenate([b, a]), c["sos"], rtol=1e-10, atol=1e-13)
    f0, q, g = rng.uniform(30, 20000, (4, 1)), rng.uniform(0.2, 10, (1, 5)), rng.uniform(-18, 18, (4, 5))
    b, a = P.rbj(kind, f0, q, g, 44100)
    assert b.shape == a.shape == (4, 5, 3) and np.all(a[..., 0] == 1)
    for i in range(4):
        for j in range(5):
            wb, wa = cookbook_bilinear(kind, f0[i, 0], q[0, j], g[i, j], 44100.0)
            np.testing.assert_allclose(b[i, j], wb, atol=1e-9)
            np.testing.assert_allclose(a[i, j], wa, atol=1e-9)
    b32, a32 = P.rbj(kind, f0.astype(np.float32), np.float32(2.0), np.float32(3.0), 48000)
    assert b32.dtype == a32.dtype == np.float32


def test_rbj_params_formula():
    uf, uq, ug = np.array([-2.0, 0.0, 3.0]), np.array([1.0, -40.0, 5.0]), np.array([-6.0, 0.0, 6.0])
    f0, q, g = P.rbj_params(uf, uq, ug, 48000, q_min=0.2)
    e = EPS[np.float64]
    np.testing.assert_allclose(f0, 24000 * (e + (1 - 2 * e) * sigmoid(uf)), rtol=1e-14)
    np.testing.assert_allclose(q, 0.2 + np.log1p(np.exp(uq)), rtol=1e-14)
    assert np.array_equal(g, ug)


def tpt_svf(x, g, r, cl, cb, ch):
    """The TPT state-variable filter, sample by sample (Zavalishin)."""
    s1 = s2 = 0.0
    y = np.empty_like(x)
    for n, xn in enumerate(x):
        hp = (xn - (2 * r + g) * s1 - s2) / (1 + 2 * r * g + g * g)
        bp = g * hp + s1
        s1 = g * hp + bp
        lp = g * bp + s2
        s2 = g * bp + lp
        y[n] = cl * lp + cb * bp + ch * hp
    return y


def test_svf_matches_tpt_recursion(rng):
    x = rng.normal(size=300)
    for _ in range(6):
        g, r = np.tan(np.pi * rng.uniform(20, 20000) / 48000), rng.uniform(0.05, 2)
        c = rng.normal(size=3)
        b, a = P.svf(g, r, *c)
        np.testing.assert_allclose(sig.lfilter(b, a, x), tpt_svf(x, g, r, *c), atol=1e-10)
    b, a = P.svf(np.array([[0.1], [0.7]]), np.array([0.3, 0.5, 1.0]), 1.0, 0.0, 0.0)
    assert b.shape == a.shape == (2, 3, 3)
    np.testing.assert_allclose(b.sum(-1) / a.sum(-1), 1.0, rtol=1e-12)  # the lowpass output has unit DC gain


def test_docstring_examples():
    assert doctest.testmod(P).failed == 0


# ---------------------------------------------------------------- stability for any input


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_stable_for_any_input(rng, dt):
    grid = np.concatenate([EXTREME, rng.normal(0, 5, 60), rng.normal(0, 1e4, 30)]).astype(dt)
    u1, u2 = grid[:, None], grid[None, :]
    assert max_radius2(*P.biquad_triangle(u1, u2)).max() < 1
    assert max_radius2(*P.pole_pair(u1, u2)).max() < 1
    small = rng.normal(0, 1, (50, 2)).astype(dt)
    a1, a2 = P.biquad_triangle(small[:, 0], small[:, 1])
    assert max_radius(np.stack([np.ones_like(a1), a1, a2], -1)).max() < 1  # np.roots agrees
    # Reflection coefficients: any input for orders 1-2; higher orders within the documented rounding budget.
    e = np.array(np.meshgrid(EXTREME, EXTREME)).reshape(2, -1).T.astype(dt)
    for k in (P.reflection(e), P.lar_to_reflection(e)):
        assert np.abs(k).max() < 1
        a = P.reflection_to_lpc(k)
        assert max_radius2(a[:, 1], a[:, 2]).max() < 1
        assert max_radius(P.reflection_to_lpc(k[:, :1])).max() < 1
    for n in (3, 6, 12):
        a = P.reflection_to_lpc(P.reflection(rng.normal(0, 0.5, (40, n)).astype(dt)))
        assert max_radius(a).max() < 1
        assert np.abs(P.lpc_to_reflection(a.astype(np.float64))).max() < 1


@pytest.mark.parametrize("kind", P.RBJ_KINDS)
def test_rbj_params_always_stable(rng, kind):
    u = np.concatenate([EXTREME, rng.normal(0, 4, 20)])
    uf, uq, ug = np.meshgrid(u, u, np.array([-40.0, 0.0, 12.0, 40.0]), indexing="ij")
    _, a = P.rbj(kind, *P.rbj_params(uf, uq, ug, 48000.0), 48000.0)
    assert max_radius2(a[..., 1], a[..., 2]).max() < 1
    # float32: Q up to ~1e3 (beyond, alpha/A falls below float32 precision at the lowest f0; see the core docs).
    uq32 = np.clip(uq, None, 7.0).astype(np.float32)
    _, a = P.rbj(kind, *P.rbj_params(uf.astype(np.float32), uq32, ug.astype(np.float32), 48000.0), 48000.0)
    assert a.dtype == np.float32 and max_radius2(a[..., 1], a[..., 2]).max() < 1


def test_svf_stable_for_positive_g_r(rng):
    g, r = np.exp(rng.uniform(-7, 4, (200, 1))), np.exp(rng.uniform(-7, 3, 200))
    _, a = P.svf(g, r, 1.0, 0.0, 0.0)
    assert max_radius2(a[..., 1], a[..., 2]).max() < 1


# ---------------------------------------------------------------- bad input

X2 = np.zeros(2)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: P.rbj("low-pass", 1e3, 1.0, 0.0, 48e3), ValueError, "kind 'low-pass' is not one of lowpass"),
        (lambda: P.rbj(3, 1e3, 1.0, 0.0, 48e3), TypeError, "kind must be a string"),
        (lambda: P.rbj("lowpass", 1e3, 1.0, 0.0, 0.0), ValueError, "fs must be positive"),
        (lambda: P.rbj("lowpass", 1e3, 1.0, 0.0, np.nan), ValueError, "fs must be positive"),
        (lambda: P.rbj("lowpass", 1e3, 1.0, 0.0, [48e3]), TypeError, "fs must be a real scalar"),
        (lambda: P.rbj("lowpass", np.ones(3), np.ones(2), 0.0, 48e3), ValueError, r"rbj: the inputs do not broadcast.*f0 \(3,\), q \(2,\)"),
        (lambda: P.rbj_params(0.0, 0.0, 0.0, 48e3, q_min=0.0), ValueError, "q_min must be positive"),
        (lambda: P.biquad_triangle(np.ones(3), np.ones(4)), ValueError, "biquad_triangle: the inputs do not broadcast"),
        (lambda: P.pole_pair(1j, 0.0), TypeError, "r_raw is complex"),
        (lambda: P.svf(1.0, 1.0, 1.0, 0.0, "x"), TypeError, "c_hp has dtype"),
        (lambda: P.reflection_to_lpc(0.5), ValueError, "k must have at least 1 entries"),
        (lambda: P.lpc_to_reflection([1.0]), ValueError, "a must have at least 2 entries"),
        (lambda: P.lpc_to_reflection([[1.0, 0.5], [0.0, 0.5]]), ValueError, r"a\[..., 0\] is zero"),
        (lambda: P.lar_to_reflection([[1.0], [1.0, 2.0]]), TypeError, "g cannot be converted"),
        # The private module, called directly: Python exceptions, never a panic.
        (lambda: _diffiir.triangle(np.ones(3)), ValueError, "triangle: u has"),
        (lambda: _diffiir.triangle_adjoint(np.ones(2), np.ones(4)), ValueError, "ga has"),
        (lambda: _diffiir.step_up(np.ones(4), 0), ValueError, "k is empty"),
        (lambda: _diffiir.step_up_adjoint(np.ones(4), 2, np.ones(4, np.float32)), TypeError, "grad must be"),
        (lambda: _diffiir.rbj("shelf", np.ones(3), 48e3), ValueError, "kind"),
        (lambda: _diffiir.rbj("lowpass", np.ones(3), -1.0), ValueError, "fs"),
        (lambda: _diffiir.svf(np.ones(10)[::2], ), TypeError, "C-contiguous"),
        (lambda: _diffiir.conjugate_pair(np.ones(2, np.int64)), TypeError, "float32 or float64"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_package_exports():
    assert diffiir.param is P and "param" in diffiir.__all__


# ---------------------------------------------------------------- torch twins

try:
    import torch
except ImportError:  # the numpy tests above still run
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")


def _t(v):
    return torch.tensor(v, dtype=torch.float64, requires_grad=True)


def _gradcheck(f, *inputs):
    assert torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-6, rtol=1e-5)


@needs_torch
def test_torch_gradcheck_maps(rng):
    import diffiir.torch as dt

    tp = dt.param
    _gradcheck(tp.biquad_triangle, _t(rng.normal(0, 1, (3, 1))), _t(rng.normal(0, 1, 4)))
    _gradcheck(tp.biquad_triangle, _t(rng.normal(0, 1, (2, 3))), _t(rng.normal(0, 1, (2, 3))))
    _gradcheck(tp.pole_pair, _t(rng.normal(0, 1, (2, 1, 3))), _t(rng.uniform(-3, 3, (4, 1))))
    _gradcheck(tp.pole_pair, _t(0.3), _t(rng.uniform(-3, 3, 5)))
    _gradcheck(tp.reflection, _t(rng.normal(0, 1, (2, 3))))
    _gradcheck(tp.lar_to_reflection, _t(rng.normal(0, 2, 5)))
    _gradcheck(tp.reflection_to_lpc, _t(rng.uniform(-0.9, 0.9, (2, 3, 4))))
    _gradcheck(tp.reflection_to_lpc, _t(rng.uniform(-0.9, 0.9, 1)))
    a = np.stack([1.3 * stable_a(rng, 4, 0.85) for _ in range(2)])
    _gradcheck(tp.lpc_to_reflection, _t(a))
    _gradcheck(tp.lpc_to_reflection, _t([0.8, -0.4]))
    _gradcheck(lambda u, v: tp.rbj_params(u, v, 2.0, 48000.0, q_min=0.3), _t(rng.normal(0, 1, (2, 1))), _t(rng.normal(0, 1, 3)))
    _gradcheck(lambda u, v, w: tp.rbj_params(u, v, w, 1.0), _t(rng.normal(0, 1, 3)), _t(rng.normal(0, 1, 3)), _t(0.5))
    _gradcheck(tp.svf, _t(rng.uniform(0.1, 2, (2, 1))), _t(rng.uniform(0.1, 2, 3)), _t(1.0), _t(rng.normal(size=3)), _t(-0.5))


@needs_torch
@pytest.mark.parametrize("kind", P.RBJ_KINDS)
def test_torch_gradcheck_rbj(rng, kind):
    import diffiir.torch as dt

    f0, q, g = _t(rng.uniform(200, 15000, (2, 1))), _t(rng.uniform(0.3, 4, 3)), _t(rng.uniform(-12, 12, (2, 3)))
    _gradcheck(lambda f, q, g: dt.param.rbj(kind, f, q, g, 44100.0), f0, q, g)
    b, a = dt.param.rbj(kind, f0, q, 0, 44100)  # a Python number is a constant
    nb, na = P.rbj(kind, f0.detach().numpy(), q.detach().numpy(), 0.0, 44100)
    assert torch.equal(b, torch.from_numpy(nb)) and torch.equal(a, torch.from_numpy(na))


@needs_torch
def test_torch_matches_numpy_and_keeps_float32(rng):
    import diffiir.torch as dt

    u = rng.normal(size=(3, 4)).astype(np.float32)
    for name, args in [("biquad_triangle", (u, u[0])), ("pole_pair", (u, u)), ("reflection", (u,)), ("svf", (u, u, u, u, u))]:
        got = getattr(dt.param, name)(*[torch.from_numpy(v).requires_grad_() for v in args])
        want = getattr(P, name)(*args)
        for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
            assert g.dtype == torch.float32 and np.array_equal(g.detach().numpy(), w)
    k = torch.from_numpy(np.tanh(u)).requires_grad_()
    a = dt.param.reflection_to_lpc(k)
    a.sum().backward()
    assert a.dtype == k.grad.dtype == torch.float32 and k.grad.shape == k.shape
    assert np.allclose(dt.param.lpc_to_reflection(a).detach().numpy(), np.tanh(u), atol=1e-4)


@needs_torch
def test_torch_bad_input():
    import diffiir.torch as dt

    x = torch.zeros(3, dtype=torch.float64)
    with pytest.raises(TypeError, match="u2 has dtype torch.float32 but an earlier argument has torch.float64"):
        dt.param.biquad_triangle(x, x.float())
    with pytest.raises(TypeError, match="theta must be a torch.Tensor"):
        dt.param.pole_pair(x, "0")
    with pytest.raises(TypeError, match="at least one of u1, u2 must be a torch.Tensor"):
        dt.param.biquad_triangle(0.0, 1.0)
    with pytest.raises(TypeError, match="u has dtype torch.int64"):
        dt.param.reflection(torch.zeros(3, dtype=torch.int64))
    with pytest.raises(ValueError, match="kind 'peak' is not one of"):
        dt.param.rbj("peak", x, x, x, 48e3)
    with pytest.raises(ValueError, match="fs must be positive"):
        dt.param.rbj("peaking", x, x, x, -48e3)
    with pytest.raises(ValueError, match="svf: the inputs do not broadcast"):
        dt.param.svf(x, torch.zeros(2, dtype=torch.float64), x, x, x)
    with pytest.raises(ValueError, match="k must have at least 1 entries"):
        dt.param.reflection_to_lpc(torch.tensor(0.5, dtype=torch.float64))


@needs_torch
def test_torch_docstring_example():
    import diffiir.torch_param as tp

    assert doctest.testmod(tp).failed == 0


@needs_torch
def test_torch_empty_and_unit_circle():
    import diffiir.torch as dt

    u = torch.zeros(0, 3, dtype=torch.float64, requires_grad=True)
    a1, _ = dt.param.biquad_triangle(u, 0.5)
    a1.sum().backward()
    assert u.grad.shape == (0, 3)
    k = torch.zeros(0, 4, dtype=torch.float64, requires_grad=True)
    dt.param.lpc_to_reflection(dt.param.reflection_to_lpc(k)).sum().backward()
    assert k.grad.shape == (0, 4)
    # A root on the unit circle (1 - z^-1)^2: no gradient exists there; NaN for that set only.
    a = torch.tensor([[1.0, -2.0, 1.0], [1.0, 0.1, 0.1]], dtype=torch.float64, requires_grad=True)
    dt.param.lpc_to_reflection(a).sum().backward()
    assert torch.isnan(a.grad[0]).all() and torch.isfinite(a.grad[1]).all()
