"""Outputs and gradients agree with the anchors where their conventions overlap: torchaudio's lfilter,
torchlpc's sample_wise_lpc, philtorch's lti/lpv lfilter (tdf2)."""
import numpy as np
import pytest
from conftest import stable_a

torch = pytest.importorskip("torch")
import diffiir.torch as dt  # noqa: E402

D = torch.float64


def grads(f, *args):
    """y and the gradients of L = Σ w·y w.r.t. every argument (fixed random w)."""
    args = [a.detach().clone().requires_grad_(True) for a in args]
    y = f(*args)
    y = y[0] if isinstance(y, tuple) else y
    w = torch.linspace(-1, 1, y.numel(), dtype=y.dtype).reshape(y.shape)
    (y * w).sum().backward()
    return [y.detach()] + [a.grad for a in args]


def close(xs, ys, tol=1e-10):
    for i, (x, y) in enumerate(zip(xs, ys)):
        assert torch.allclose(x, y, rtol=tol, atol=tol), f"output {i}: max diff {(x - y).abs().max():.3e}"


def test_torchaudio_lfilter(rng):
    ta = pytest.importorskip("torchaudio")
    b = torch.tensor(rng.standard_normal((3, 3)), dtype=D)
    a = torch.tensor(np.stack([stable_a(rng, 2) for _ in range(3)]), dtype=D)
    x = torch.tensor(rng.standard_normal((3, 200)), dtype=D)
    ours = grads(lambda b, a, x: dt.lfilter(b, a, x), b, a, x)
    theirs = grads(lambda b, a, x: ta.functional.lfilter(x, a, b, clamp=False, batching=True), b, a, x)
    close(ours, theirs)


@pytest.mark.parametrize("tv", [False, True])
def test_torchlpc_sample_wise_lpc(rng, tv):
    torchlpc = pytest.importorskip("torchlpc")
    bsz, t, n = 3, 150, 4
    per = np.stack([stable_a(rng, n, 0.8)[1:] for _ in range(bsz)])
    a = np.repeat(per[:, None, :], t, axis=1)
    if tv:
        a = a * (1.0 + 0.05 * np.sin(np.linspace(0, 6, t)))[None, :, None]
    a, x, zi = (torch.tensor(v, dtype=D) for v in (a, rng.standard_normal((bsz, t)), rng.standard_normal((bsz, n))))
    ours = grads(lambda x, a, zi: dt.allpole(x, a, zi), x, a, zi)
    theirs = grads(lambda x, a, zi: torchlpc.sample_wise_lpc(x, a, zi), x, a, zi)
    close(ours, theirs)


def test_philtorch_lti_lfilter(rng):
    lti = pytest.importorskip("philtorch.lti")
    b = torch.tensor(rng.standard_normal((2, 4)), dtype=D)
    a1 = torch.tensor(np.stack([stable_a(rng, 3)[1:] for _ in range(2)]), dtype=D)
    x, zi = torch.tensor(rng.standard_normal((2, 120)), dtype=D), torch.tensor(rng.standard_normal((2, 3)), dtype=D)
    one = torch.ones(2, 1, dtype=D)
    ours = grads(lambda b, a1, x, zi: dt.lfilter(b, torch.cat([one, a1], 1), x, zi=zi), b, a1, x, zi)
    theirs = grads(lambda b, a1, x, zi: lti.lfilter(b, a1, x, zi=zi, form="tdf2"), b, a1, x, zi)
    close(ours, theirs)


def test_philtorch_lpv_lfilter_time_varying(rng):
    lpv = pytest.importorskip("philtorch.lpv")
    bsz, t = 2, 100
    wobble = (1.0 + 0.1 * np.sin(np.linspace(0, 9, t)))[None, :, None]
    b = torch.tensor(rng.standard_normal((bsz, 1, 3)) * wobble, dtype=D)
    a1 = torch.tensor(np.stack([stable_a(rng, 2, 0.7)[1:] for _ in range(bsz)])[:, None, :] * wobble, dtype=D)
    x = torch.tensor(rng.standard_normal((bsz, t)), dtype=D)
    one = torch.ones(bsz, t, 1, dtype=D)
    ours = grads(lambda b, a1, x: dt.lfilter(b, torch.cat([one, a1], 2), x), b, a1, x)
    theirs = grads(lambda b, a1, x: lpv.lfilter(b, a1, x, form="tdf2"), b, a1, x)
    close(ours, theirs)
