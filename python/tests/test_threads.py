"""Concurrent calls from several Python threads give the same results as serial calls (issue #9).

Every entry point releases the GIL inside the extension, so calls really overlap; each thread repeats a mix of
numpy and torch (forward + backward) calls and compares with results computed serially beforehand.
"""

import threading

import numpy as np
import pytest

import diffiir

torch = pytest.importorskip("torch")
import diffiir.torch as dt  # noqa: E402


def _calls(rng):
    x = rng.standard_normal((8, 20_000))
    b, a = np.array([0.2, 0.3, 0.1]), np.array([1.0, -1.2, 0.5])
    sos = np.array([[0.2, 0.3, 0.1, 1.0, -1.2, 0.5], [1.0, -0.4, 0.2, 1.0, 0.3, 0.2]])
    ap = np.array([-0.9, 0.3])
    xt = torch.tensor(x[:2, :5000])

    def torch_grad():
        bt, at = torch.tensor(b, requires_grad=True), torch.tensor(a, requires_grad=True)
        y = dt.lfilter(bt, at, xt)
        (y**2).mean().backward()
        return np.concatenate([bt.grad.numpy(), at.grad.numpy()])

    return {
        "lfilter": lambda: diffiir.lfilter(b, a, x),
        "sosfilt": lambda: diffiir.sosfilt(sos, x),
        "allpole": lambda: diffiir.allpole(x, ap),
        "freqz": lambda: diffiir.freqz(b, a, worN=256)[1],
        "lfilter_fsm": lambda: diffiir.lfilter_fsm(b, a, x[:2]),
        "torch lfilter backward": torch_grad,
    }


def test_concurrent_calls_equal_serial_calls():
    calls = _calls(np.random.default_rng(3))
    serial = {name: f() for name, f in calls.items()}
    errors = []

    def worker(seed):
        order = list(calls)
        np.random.default_rng(seed).shuffle(order)
        try:
            for _ in range(3):
                for name in order:
                    got = calls[name]()
                    if not np.array_equal(got, serial[name]):
                        errors.append(f"thread {seed}: {name} differs from the serial result")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(f"thread {seed}: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors, errors
