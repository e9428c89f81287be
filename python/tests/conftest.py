import numpy as np
import pytest


@pytest.fixture
def rng():
    """Seeded generator (DIFFIIR_SEED overrides), printed on failure by pytest's fixture repr."""
    import os

    return np.random.default_rng(int(os.environ.get("DIFFIIR_SEED", "20261130")))


def stable_a(rng, order, rmax=0.9):
    """[1, a_1..a_order] with poles of radius <= rmax."""
    p = np.array([1.0])
    left = order
    while left > 0:
        if left >= 2:
            r, th = rng.uniform(0, rmax), rng.uniform(0, np.pi)
            p = np.convolve(p, [1.0, -2 * r * np.cos(th), r * r])
            left -= 2
        else:
            p = np.convolve(p, [1.0, -rng.uniform(-rmax, rmax)])
            left -= 1
    return p
