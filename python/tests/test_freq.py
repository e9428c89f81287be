"""freqz/sosfreqz against scipy (f64, 1e-12), the frequency-sampling filters against the exact recursion, and
torch gradcheck for every frequency-domain function."""
import numpy as np
import pytest
import scipy.signal as ss
from conftest import stable_a

import diffiir


def close(got, want, tol=1e-12):
    scale = max(1.0, float(np.max(np.abs(want))) if np.size(want) else 1.0)
    np.testing.assert_allclose(got, want, rtol=0, atol=tol * scale)


@pytest.mark.parametrize("kw", [dict(), dict(worN=37), dict(worN=64, whole=True), dict(worN=20, include_nyquist=True), dict(worN=16, fs=48000.0)])
def test_freqz_matches_scipy(rng, kw):
    for order in (1, 2, 5, 12):
        b, a = rng.standard_normal(order + 1), stable_a(rng, order) * 1.7
        w, h = diffiir.freqz(b, a, **kw)
        wr, hr = ss.freqz(b, a, **kw)
        close(w, wr)
        close(h, hr)


def test_freqz_explicit_frequencies_batches_and_sos(rng):
    f = np.sort(rng.uniform(0, 24000, 50))
    b, a = rng.standard_normal(3), stable_a(rng, 2)
    for got, want in zip(diffiir.freqz(b, a, worN=f, fs=48000), ss.freqz(b, a, worN=f, fs=48000)):
        close(got, want)
    bb, aa = rng.standard_normal((2, 3, 4)), np.stack([stable_a(rng, 3) for _ in range(6)]).reshape(2, 3, 4)
    _, h = diffiir.freqz(bb, aa, worN=33)
    assert h.shape == (2, 3, 33)
    close(h[1, 2], ss.freqz(bb[1, 2], aa[1, 2], worN=33)[1])
    sos = ss.butter(6, 0.2, output="sos")
    for kw in (dict(), dict(worN=100, whole=True), dict(worN=f, fs=48000)):
        for got, want in zip(diffiir.sosfreqz(sos, **kw), ss.sosfreqz(sos, **kw)):
            close(got, want)
    _, h = diffiir.freqz(np.float32([1, 1]), np.float32([2]), worN=4)
    assert h.dtype == np.complex64


def test_fsm_converges_to_the_exact_recursion(rng):
    x = rng.standard_normal((3, 1500))
    for b, a in [([0.2, 0.4, 0.2], [1, -0.5, 0.2]), ([0.01, 0, -0.01], [1, -2 * 0.995 * np.cos(0.2), 0.995**2])]:
        exact = diffiir.lfilter(b, a, x)
        errs = [np.abs(diffiir.lfilter_fsm(b, a, x, n_fft=n) - exact).max() for n in (1500, 2000, 4000, 16000)]
        assert all(e2 <= e1 * 1.0001 + 1e-14 for e1, e2 in zip(errs, errs[1:])), errs
        assert np.abs(diffiir.lfilter_fsm(b, a, x) - exact).max() <= 1e-6 * np.abs(exact).max()
    sos = ss.butter(4, 0.05, output="sos")
    close(diffiir.sosfilt_fsm(sos, x), diffiir.sosfilt(sos, x), 1e-6)


def test_fsm_errors():
    x = np.zeros((2, 50))
    with pytest.raises(ValueError, match="poles strictly inside the unit circle"):
        diffiir.lfilter_fsm([1.0], [1.0, -1.0], x)
    with pytest.raises(ValueError, match="time-invariant only"):
        diffiir.lfilter_fsm(np.ones((2, 50, 1)), [1.0], x)
    with pytest.raises(ValueError, match="n_fft has 10"):
        diffiir.sosfilt_fsm([[1, 0, 0, 1, -0.5, 0]], x, n_fft=10)
    with pytest.raises(ValueError, match="fs must be a positive number"):
        diffiir.freqz([1.0], [1.0], fs=0)


def test_torch_gradcheck_frequency_domain(rng):
    torch = pytest.importorskip("torch")
    import diffiir.torch as dt
    from torch.autograd import gradcheck

    def T(v):
        return torch.tensor(np.asarray(v), dtype=torch.float64, requires_grad=True)

    b, a = T(rng.standard_normal(3)), T(stable_a(rng, 2) * 1.3)
    assert gradcheck(lambda b, a: dt.freqz(b, a, worN=17)[1], (b, a), eps=1e-6, atol=1e-7)
    assert gradcheck(lambda b, a: dt.freqz(b, a, worN=np.linspace(10, 20000, 9), fs=48000)[1], (b, a), eps=1e-6, atol=1e-7)
    bb, aa = T(rng.standard_normal((2, 3))), T(np.stack([stable_a(rng, 2) for _ in range(2)]))
    assert gradcheck(lambda b, a: dt.freqz(b, a, worN=8, whole=True)[1], (bb, aa), eps=1e-6, atol=1e-7)
    # a real loss through |h| in dB, as an EQ-matching loss would use
    assert gradcheck(lambda b, a: 20 * torch.log10(dt.freqz(b, a, worN=11)[1].abs()), (b, a), eps=1e-6, atol=1e-6)
    sos = T(np.concatenate([rng.standard_normal((2, 3)), np.stack([stable_a(rng, 2) for _ in range(2)])], 1))
    assert gradcheck(lambda s: dt.sosfreqz(s, worN=13)[1], (sos,), eps=1e-6, atol=1e-7)
    x = T(rng.standard_normal((2, 20)))
    assert gradcheck(lambda b, a, x: dt.lfilter_fsm(b, a, x, n_fft=32), (b, a, x), eps=1e-6, atol=1e-7)
    assert gradcheck(lambda b, a, x: dt.lfilter_fsm(b, a, x), (b, a, x), eps=1e-6, atol=1e-7)
    assert gradcheck(lambda s, x: dt.sosfilt_fsm(s, x, n_fft=40), (sos, x), eps=1e-6, atol=1e-7)
