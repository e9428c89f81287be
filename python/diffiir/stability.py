"""Stability on request: are all poles strictly inside the unit circle? (Schur–Cohn test, in the core.)

The filters never check stability themselves: an unstable filter runs and its output grows to +-inf. Call
these where coefficients come from outside, or build them with the stable maps of ``diffiir.param``.
"""

import numpy as np

from . import _diffiir
from ._shapes import as_array, result_dtype

__all__ = ["check_stable", "check_stable_allpole", "check_stable_sos"]


def _check(c, name, func, kind, rows_of=None):
    c = as_array(c, name, func)
    dtype = result_dtype(func, (name, c))
    if c.ndim == 0 or c.shape[-1] == 0:
        raise ValueError(f"{func}: {name} has shape {c.shape}; expected (..., K) coefficient sets with K >= 1")
    if rows_of is not None and c.shape[-1] != rows_of:
        raise ValueError(f"{func}: {name} has shape {c.shape}; expected (..., {rows_of}) rows [b0, b1, b2, a0, a1, a2]")
    k = c.shape[-1]
    flat = np.ascontiguousarray(c, dtype=dtype).reshape(-1)
    _diffiir.check_stable(flat, kind, k, flat.size // k)


def check_stable(a):
    """Raises ``ValueError`` unless every denominator ``a`` (``lfilter``'s layout, ``(..., K)``, normalised by
    ``a[..., 0]``) has all poles strictly inside the unit circle; the message names the first unstable set
    (flat index over the leading dimensions).

    >>> import diffiir
    >>> diffiir.check_stable([1.0, -1.8, 0.81])        # double pole at 0.9: fine, returns None
    >>> diffiir.check_stable([[1.0, -0.5], [1.0, -1.1]])
    Traceback (most recent call last):
    ...
    ValueError: check_stable: a is unstable in coefficient set 1 (a pole on or outside the unit circle; Schur–Cohn |k| = 1.100000 ≥ 1)
    """
    _check(a, "a", "check_stable", 0)


def check_stable_allpole(a):
    """As :func:`check_stable` for ``allpole``'s ``a_1..a_N`` (``A(z) = 1 + sum a_k z^-k``), ``(..., N)``."""
    _check(a, "a", "check_stable_allpole", 1)


def check_stable_sos(sos):
    """As :func:`check_stable` for second-order sections ``(..., 6)``; the index counts sections."""
    _check(sos, "sos", "check_stable_sos", 2, rows_of=6)
