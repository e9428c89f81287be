"""Concurrent calls from several Python threads give the same results as serial calls (issue #9), and the
thread settings (`set_num_threads`, `set_grain`) decide how a call splits (issue #8).

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


@pytest.fixture
def settings():
    yield
    diffiir.set_num_threads(0)
    diffiir.set_grain(1 << 18)
    diffiir.set_path("auto")


def _shared_grads():
    """Bits of the shared ``b``, ``a`` gradients of a float32 ``lfilter`` on 16 x 1024 (65536 sample-orders in
    the backward, a quarter of the default grain): the one result whose last bits follow the thread count."""
    rng = np.random.default_rng(5)
    x = torch.tensor(rng.standard_normal((16, 1024)), dtype=torch.float32)
    b = torch.tensor([0.2, 0.3, 0.1], requires_grad=True)
    a = torch.tensor([1.0, -1.6, 0.8], requires_grad=True)
    (dt.lfilter(b, a, x) ** 2).mean().backward()
    return np.concatenate([b.grad.numpy(), a.grad.numpy()]).view(np.uint32)


def test_grain_keeps_small_calls_on_one_thread(settings):
    diffiir.set_path("sequential")
    diffiir.set_num_threads(1)
    one = _shared_grads()
    diffiir.set_num_threads(2)
    assert diffiir.get_grain() == 1 << 18
    np.testing.assert_array_equal(_shared_grads(), one, "a small call on 2 threads must run as on one")
    diffiir.set_grain(0)
    assert diffiir.get_grain() == 0
    assert not np.array_equal(_shared_grads(), one), "set_grain(0) must split the call (else this test shows nothing)"
    diffiir.set_grain(1 << 14)
    assert not np.array_equal(_shared_grads(), one), "a grain below the call's work must split it"


def test_bad_grain_is_an_error(settings):
    with pytest.raises((OverflowError, TypeError)):
        diffiir.set_grain(-1)
    with pytest.raises(TypeError):
        diffiir.set_grain("fine")
    assert diffiir.get_grain() == 1 << 18
