"""The evaluation path (issue #8): the block-parallel ("chunked") path for few long signals gives scipy's
output and exact gradients, and the override is validated."""

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


@pytest.mark.parametrize("name", ["auto", "sequential", "chunked"])
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


def test_chunked_gradcheck(path):
    path("chunked")
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
