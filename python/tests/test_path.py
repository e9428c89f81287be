"""The evaluation path (issue #8): the block-parallel ("chunked") path for few long signals and the row-layout
block recursion ("rows") give scipy's output and exact gradients, and the override is validated."""

import numpy as np
import pytest
import scipy.signal as ss

import diffiir

torch = pytest.importorskip("torch")
import diffiir.torch as dt  # noqa: E402


@pytest.fixture
def path():
    yield diffiir.set_path
    diffiir.set_path("auto")


@pytest.mark.parametrize("name", ["auto", "sequential", "chunked", "rows"])
def test_lfilter_sosfilt_equal_scipy_on_every_path(path, name):
    path(name)
    assert diffiir.get_path() == name
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 40_000))
    b, a = [0.1, 0.2, 0.1], [1.0, -1.8, 0.85]
    zi = rng.standard_normal((2, 2))
    y, zf = diffiir.lfilter(b, a, x, zi=zi)
    y0, zf0 = ss.lfilter(b, a, x, zi=zi)
    np.testing.assert_allclose(y, y0, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(zf, zf0, rtol=1e-9, atol=1e-9)
    sos = np.array([[0.2, 0.3, 0.1, 1.0, -1.6, 0.7], [1.0, -0.4, 0.2, 1.0, -1.9, 0.95]])
    np.testing.assert_allclose(diffiir.sosfilt(sos, x), ss.sosfilt(sos, x), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name", ["chunked", "rows"])
def test_path_gradcheck(path, name):
    path(name)
    rng = np.random.default_rng(4)
    x = torch.tensor(rng.standard_normal((1, 200)), requires_grad=True)
    b = torch.tensor([0.1, 0.2, 0.1], dtype=torch.float64, requires_grad=True)
    a = torch.tensor([1.0, -1.5, 0.7], dtype=torch.float64, requires_grad=True)
    sos = torch.tensor([[0.2, 0.3, 0.1, 1.0, -1.2, 0.5], [1.0, -0.4, 0.2, 1.0, 0.3, 0.2]], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, b, a: dt.lfilter(b, a, x), (x, b, a))
    assert torch.autograd.gradcheck(lambda x, s: dt.sosfilt(s, x), (x, sos))


def test_bad_path_is_a_value_error(path):
    with pytest.raises(ValueError, match="path must be one of"):
        diffiir.set_path("fast")
    assert diffiir.get_path() == "auto"


@pytest.fixture
def simd():
    yield diffiir.set_simd
    diffiir.set_simd("auto")


def _all_outputs(dtype):
    """Forward outputs and every gradient of lfilter, sosfilt and allpole through diffiir.torch, as numpy."""
    rng = np.random.default_rng(5)
    x = torch.tensor(rng.standard_normal((17, 3000)), dtype=dtype, requires_grad=True)
    b = torch.tensor([0.1, 0.2, 0.1], dtype=dtype, requires_grad=True)
    a = torch.tensor([1.0, -1.8, 0.85], dtype=dtype, requires_grad=True)
    sos = torch.tensor([[0.2, 0.3, 0.1, 1.0, -1.6, 0.7], [1.0, -0.4, 0.2, 1.0, -1.9, 0.95]], dtype=dtype, requires_grad=True)
    ap = torch.tensor(rng.uniform(-0.1, 0.1, (17, 3000, 3)), dtype=dtype, requires_grad=True)
    ys = [dt.lfilter(b, a, x), dt.sosfilt(sos, x), dt.allpole(x, ap)]
    sum(((y * torch.linspace(-1, 1, y.shape[-1], dtype=dtype)) ** 2).sum() for y in ys).backward()
    return [t.detach().numpy().copy() for t in ys + [x.grad, b.grad, a.grad, sos.grad, ap.grad]]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_simd_levels_bit_identical(simd, dtype):
    """Every level this CPU has gives the baseline's results bit for bit (forward and every gradient)."""
    simd("baseline")
    assert diffiir.get_simd() == ("baseline", "baseline")
    want = _all_outputs(dtype)
    for name in ["auto", "avx2"]:
        try:
            simd(name)
        except ValueError:
            assert name == "avx2" and diffiir.get_simd()[1] == "baseline"
            continue
        assert diffiir.get_simd()[0] == name
        for g, w in zip(_all_outputs(dtype), want):
            np.testing.assert_array_equal(g, w)


def test_bad_simd_is_a_value_error(simd):
    with pytest.raises(ValueError, match="simd level must be one of"):
        simd("avx9")
    assert diffiir.get_simd()[0] == "auto"
