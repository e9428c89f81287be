"""diffiir.torch: torch.autograd.gradcheck in f64 for every function (time-varying, zi and zf included, over
subsets of requires_grad), forward equal to the numpy API, dtype/device/contiguity handling."""
import itertools

import numpy as np
import pytest
from conftest import stable_a

torch = pytest.importorskip("torch")
import diffiir  # noqa: E402
import diffiir.torch as dt  # noqa: E402
from torch.autograd import gradcheck  # noqa: E402

D = torch.float64


def T(a, grad=True):
    return torch.tensor(np.asarray(a), dtype=D, requires_grad=grad)


def stable_rows(rng, order, lead):
    n = int(np.prod(lead)) if lead else 1
    return np.stack([stable_a(rng, order, 0.8) for _ in range(n)]).reshape(tuple(lead) + (order + 1,))


LAYOUTS = ["shared", "signal", "sample"]


def coef_shape(layout, batch, t):
    return {"shared": (), "signal": batch, "sample": batch + (t,)}[layout]


@pytest.mark.parametrize("lb, la", [("shared", "shared"), ("signal", "signal"), ("sample", "sample"), ("shared", "sample")])
@pytest.mark.parametrize("with_zi", [False, True])
def test_lfilter_gradcheck(rng, lb, la, with_zi):
    batch, t = (2,), 9
    b = T(rng.standard_normal(coef_shape(lb, batch, t) + (3,)))
    a = T(stable_rows(rng, 2, coef_shape(la, batch, t)) * 1.5)
    x = T(rng.standard_normal(batch + (t,)))
    zi = T(rng.standard_normal(batch + (2,))) if with_zi else None
    if with_zi:
        f = lambda b, a, x, zi: dt.lfilter(b, a, x, zi=zi)  # noqa: E731  (y and the differentiable zf)
        args = (b, a, x, zi)
    else:
        f = lambda b, a, x: dt.lfilter(b, a, x)  # noqa: E731
        args = (b, a, x)
    assert gradcheck(f, args, eps=1e-6, atol=1e-7)
    # every subset of requires_grad: unrequested gradients stay None, requested ones are right
    for mask in itertools.product([False, True], repeat=len(args)):
        if not any(mask):
            continue
        sub = tuple(v.detach().requires_grad_(m) for v, m in zip(args, mask))
        assert gradcheck(f, sub, eps=1e-6, atol=1e-7)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("with_zi", [False, True])
def test_sosfilt_gradcheck(rng, layout, with_zi):
    batch, t, s = (2,), 8, 2
    lead = coef_shape(layout, batch, t)
    sos = np.concatenate([rng.standard_normal(lead + (s, 3)), stable_rows(rng, 2, lead + (s,)) * 1.2], axis=-1)
    args = [T(sos), T(rng.standard_normal(batch + (t,)))]
    if with_zi:
        args.append(T(rng.standard_normal((s,) + batch + (2,))))
        f = lambda sos, x, zi: dt.sosfilt(sos, x, zi=zi)  # noqa: E731
    else:
        f = lambda sos, x: dt.sosfilt(sos, x)  # noqa: E731
    assert gradcheck(f, tuple(args), eps=1e-6, atol=1e-7)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("with_zi", [False, True])
def test_allpole_gradcheck(rng, layout, with_zi):
    batch, t, n = (2,), 10, 3
    a = stable_rows(rng, n, coef_shape(layout, batch, t))[..., 1:]
    args = [T(rng.standard_normal(batch + (t,))), T(a)]
    if with_zi:
        args.append(T(rng.standard_normal(batch + (n,))))
    assert gradcheck(dt.allpole, tuple(args), eps=1e-6, atol=1e-7)


@pytest.mark.parametrize("shape, axis", [((7, 2), 0), ((2, 7), 1), ((2, 7, 3), 1), ((2, 3, 7), -1), ((7, 2, 3), -3)])
def test_gradcheck_time_axis_not_last(rng, shape, axis):
    """The time axis anywhere (negative or positive, last or not): every gradient, zf's included, in x's layout."""
    batch = shape[: axis % len(shape)] + shape[axis % len(shape) + 1 :]
    x = T(rng.standard_normal(shape))
    b, a = T(rng.standard_normal(batch + (3,))), T(stable_rows(rng, 2, batch) * 1.5)
    zi = T(rng.standard_normal(tuple(2 if i == axis % len(shape) else n for i, n in enumerate(shape))))
    assert gradcheck(lambda b, a, x, zi: dt.lfilter(b, a, x, axis=axis, zi=zi), (b, a, x, zi), eps=1e-6, atol=1e-7)
    sos = T(np.concatenate([rng.standard_normal((2, 3)), stable_rows(rng, 2, (2,)) * 1.2], axis=-1))
    szi = T(rng.standard_normal((2,) + tuple(zi.shape)))
    assert gradcheck(lambda s, x, z: dt.sosfilt(s, x, axis=axis, zi=z), (sos, x, szi), eps=1e-6, atol=1e-7)


def test_zi_functions_gradcheck(rng):
    b, a = T(rng.standard_normal(4)), T(stable_a(rng, 3) * -1.3)
    assert gradcheck(dt.lfilter_zi, (b, a), eps=1e-6, atol=1e-7)
    bb, aa = T(rng.standard_normal((2, 3))), T(stable_rows(rng, 2, (2,)))
    assert gradcheck(dt.lfilter_zi, (bb, aa), eps=1e-6, atol=1e-7)
    sos = np.concatenate([rng.standard_normal((3, 3)), stable_rows(rng, 2, (3,)) * 1.1], axis=-1)
    assert gradcheck(dt.sosfilt_zi, (T(sos),), eps=1e-6, atol=1e-7)
    assert gradcheck(lambda s: dt.sosfilt_zi(s), (T(np.stack([sos, sos * 0.9])),), eps=1e-6, atol=1e-7)


def test_forward_equals_numpy_api_axis_and_noncontiguous(rng):
    x = torch.randn(5, 40, 3, dtype=D).transpose(0, 2)  # non-contiguous, time on axis 1
    b, a = torch.tensor([0.2, 0.3, 0.1], dtype=D), torch.tensor(stable_a(rng, 2), dtype=D)
    y = dt.lfilter(b, a, x, axis=1)
    np.testing.assert_allclose(y.numpy(), diffiir.lfilter(b.numpy(), a.numpy(), x.numpy(), axis=1), rtol=0, atol=1e-14)
    sos = torch.tensor([[1.0, 0.4, 0.1, 1.0, -0.5, 0.2]], dtype=D)
    np.testing.assert_allclose(dt.sosfilt(sos, x, axis=1).numpy(), diffiir.sosfilt(sos.numpy(), x.numpy(), axis=1), rtol=0, atol=1e-14)


def test_float32_and_errors():
    x = torch.randn(3, 50, requires_grad=True)
    y = dt.lfilter(torch.tensor([0.5, 0.5]), torch.tensor([1.0, -0.3]), x)
    assert y.dtype == torch.float32
    y.sum().backward()
    assert x.grad.dtype == torch.float32 and x.grad.shape == x.shape
    with pytest.raises(TypeError, match="x has dtype torch.int64"):
        dt.allpole(torch.ones(2, 5, dtype=torch.int64), torch.tensor([0.5]))
    with pytest.raises(TypeError, match="one dtype"):
        dt.allpole(torch.ones(2, 5), torch.tensor([0.5], dtype=D))
    with pytest.raises(TypeError, match="on device meta; diffiir's kernels run on the CPU only"):
        dt.lfilter(torch.ones(2), torch.ones(1), torch.ones(2, 5, device="meta"))
    with pytest.raises(ValueError, match=r"a\[0\] is zero"):
        dt.lfilter(torch.ones(2), torch.tensor([0.0, 1.0]), torch.ones(2, 5))


def test_import_does_not_need_torch():
    import subprocess
    import sys

    code = "import sys; sys.modules['torch'] = None; import diffiir; diffiir.lfilter([1.0], [1.0], [1.0, 2.0])"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_threads_give_same_results_and_release_the_gil(rng):
    import threading
    import time

    x = rng.standard_normal((64, 200_000)).astype(np.float32)
    b, a = np.float32([0.2, 0.3, 0.1]), np.float32(stable_a(rng, 2))
    serial = diffiir.lfilter(b, a, x)
    spins = [0]
    done = threading.Event()

    def spin():
        while not done.is_set():
            spins[0] += 1

    s = threading.Thread(target=spin)
    s.start()
    t0 = time.perf_counter()
    out = [None, None]
    ws = [threading.Thread(target=lambda i=i: out.__setitem__(i, diffiir.lfilter(b, a, x))) for i in range(2)]
    [w.start() for w in ws]
    [w.join() for w in ws]
    done.set()
    s.join()
    assert all(np.array_equal(o, serial) for o in out)
    assert spins[0] > 1000, f"the spinning thread ran only {spins[0]} times in {time.perf_counter() - t0:.2f} s"


def test_tape_pool(rng):
    """sosfilt's tape buffers are pooled (≥ 1 MiB: here 16 lanes × (70000/64 + 65) checkpoints × 16 state values
    in f32): gradients with reused buffers — including two forwards in flight, backwards in the other order, and
    f32/f64 interleaved — equal those from fresh buffers exactly; a no-grad forward (no tape) gives the same y."""
    b, t, s = 3, 70_000, 8

    def case(dtype):
        sos = np.concatenate([rng.standard_normal((b, s, 3)), np.stack([stable_a(rng, 2) for _ in range(b * s)]).reshape(b, s, 3)], axis=-1)
        return torch.tensor(sos, dtype=dtype), torch.tensor(rng.standard_normal((b, t)), dtype=dtype)

    def run(sos, x):
        sos, x = sos.clone().requires_grad_(), x.clone().requires_grad_()
        y = dt.sosfilt(sos, x)
        return y, lambda: (y.pow(2).mean().backward(), (y.detach(), x.grad, sos.grad))[1]

    cases = [case(torch.float32), case(torch.float32), case(torch.float64)]
    diffiir.release_buffers()
    want = [run(*c)[1]() for c in cases]  # the second f32 case may reuse the first one's buffer
    diffiir.release_buffers()
    fresh = [run(*c)[1]() for c in cases]
    for _ in range(3):
        pending = [run(*c)[1] for c in cases]  # three tapes live at once
        got = [f() for f in reversed(pending)][::-1]
        for g, w in zip(got, fresh):
            assert all(torch.equal(u, v) for u, v in zip(g, w))
    for g, w in zip(want, fresh):
        assert all(torch.equal(u, v) for u, v in zip(g, w))
    with torch.no_grad():
        assert torch.equal(dt.sosfilt(*cases[0]), fresh[0][0])
    diffiir.release_buffers()
