"""check_stable*: agrees with numpy's roots (the oracle) on random polynomials, names the first unstable set,
and rejects bad input with the argument named."""

import numpy as np
import pytest

import diffiir


def test_check_stable_agrees_with_numpy_roots():
    rng = np.random.default_rng(7)
    for _ in range(300):
        order = int(rng.integers(1, 9))
        a = np.concatenate([[rng.uniform(0.5, 2.0)], rng.normal(0, 0.8, order)])
        radius = np.abs(np.roots(a)).max()
        if abs(radius - 1) < 1e-9:
            continue
        if radius < 1:
            diffiir.check_stable(a)
            diffiir.check_stable_allpole(a[1:] / a[0])
        else:
            with pytest.raises(ValueError, match="unstable in coefficient set 0"):
                diffiir.check_stable(a)
            with pytest.raises(ValueError, match="unstable in coefficient set 0"):
                diffiir.check_stable_allpole(a[1:] / a[0])


def test_first_unstable_set_is_named_and_bad_input_rejected():
    sos = np.array([[[1, 0, 0, 1, -0.5, 0.2], [1, 0, 0, 1, 0.1, 0.3]], [[1, 0, 0, 1, -2.1, 1.2], [1, 0, 0, 1, 0, 0]]], float)
    with pytest.raises(ValueError, match="check_stable_sos: sos is unstable in coefficient set 2"):
        diffiir.check_stable_sos(sos)
    diffiir.check_stable_sos(sos[0])
    with pytest.raises(ValueError, match="check_stable: a"):
        diffiir.check_stable([0.0, 1.0])  # a0 = 0
    with pytest.raises(ValueError, match="sos"):
        diffiir.check_stable_sos(np.ones((2, 5)))
    with pytest.raises(ValueError, match="check_stable_allpole: a"):
        diffiir.check_stable_allpole(np.ones((3, 0)))
    with pytest.raises(TypeError, match="a"):
        diffiir.check_stable(None)
    with pytest.raises(ValueError, match="unstable"):
        diffiir.check_stable([1.0, np.nan])
