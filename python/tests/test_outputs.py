"""Kernel outputs are new ``numpy.empty`` arrays (no zero fill, issue #8): every value of every output must be
written by the kernel. A freshly freed NaN-filled block of the same size is usually what the allocator hands out
next, so an output value the kernel skipped comes back as NaN here."""

import numpy as np
import pytest

import diffiir

torch = pytest.importorskip("torch")
import diffiir.torch as dt  # noqa: E402

B, T = 3, 1000  # 24 KB per f64 signal array: heap-allocated, so freed blocks are reused


def poison(*sizes, dtype=np.float64):
    """Allocates and frees NaN-filled arrays of the output sizes, so the next outputs likely reuse them."""
    for n in sizes:
        a = np.full(n, np.nan, dtype)
        del a


def finite(*arrays):
    for a in arrays:
        a = a.detach().numpy() if isinstance(a, torch.Tensor) else a
        assert np.isfinite(a).all(), f"{np.isnan(a).sum()} of {a.size} output values were not written"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("path", ["sequential", "chunked", "rows"])
def test_forward_outputs_fully_written(dtype, path):
    diffiir.set_path(path)
    try:
        rng = np.random.default_rng(0)
        x = rng.standard_normal((B, T)).astype(dtype)
        zi = np.zeros((B, 2), dtype)
        for _ in range(3):
            poison(B * T, B * 2, dtype=dtype)
            finite(*diffiir.lfilter(np.array([0.2, 0.3, 0.1], dtype), np.array([1.0, -1.5, 0.7], dtype), x, zi=zi))
            sos = np.array([[0.2, 0.3, 0.1, 1.0, -1.5, 0.7], [1.0, 0.2, 0.0, 1.0, -0.5, 0.1]], dtype)
            poison(B * T, B * 4, dtype=dtype)
            finite(*diffiir.sosfilt(sos, x, zi=np.zeros((2, B, 2), dtype)))
            poison(B * T, dtype=dtype)
            finite(diffiir.allpole(x, np.array([-1.5, 0.7], dtype)))
    finally:
        diffiir.set_path("auto")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gradients_fully_written(dtype):
    rng = np.random.default_rng(1)
    x = torch.tensor(rng.standard_normal((B, T)), dtype=dtype, requires_grad=True)
    b = torch.tensor([0.2, 0.3, 0.1], dtype=dtype, requires_grad=True)
    a = torch.tensor([1.0, -1.5, 0.7], dtype=dtype, requires_grad=True)
    sos = torch.tensor([[0.2, 0.3, 0.1, 1.0, -1.5, 0.7], [1.0, 0.2, 0.0, 1.0, -0.5, 0.1]], dtype=dtype, requires_grad=True)
    ap = torch.tensor(rng.uniform(-0.3, 0.3, (B, T, 2)), dtype=dtype, requires_grad=True)
    zi = torch.zeros((B, 2), dtype=dtype, requires_grad=True)
    npd = np.float32 if dtype == torch.float32 else np.float64
    for _ in range(3):
        for f, leaves in [
            (lambda: dt.lfilter(b, a, x, zi=zi)[0], [x, b, a, zi]),
            (lambda: dt.sosfilt(sos, x), [x, sos]),
            (lambda: dt.allpole(x, ap), [x, ap]),
        ]:
            for t in leaves:
                t.grad = None
            y = f()
            poison(B * T, B * T * 2, dtype=npd)
            y.pow(2).mean().backward()
            finite(y, *[t.grad for t in leaves])
