"""Parameterisations: maps from parameters to filter coefficients that are stable by construction.

A network's raw outputs become coefficients through one of these maps, so no gradient step can push a pole out
of the unit circle. All numerics run in the Rust core (``diffiir::param``); autograd twins with the same
signatures are in ``diffiir.torch.param``. Inputs broadcast against each other (numpy rules) over any leading
dims; float32 and float64 keep their precision (integers compute in float64). ε is 2⁻²⁰ in float64, 2⁻¹⁰ in
float32: saturating maps are scaled by ``1 − ε`` so a pole never lands on the circle after rounding.

=============================================  ======================  ============================================
map                                            output                  guarantee
=============================================  ======================  ============================================
``biquad_triangle(u1, u2)``                    ``a1, a2``              stable for any reals; reaches every stable
                                                                       biquad denominator (real or complex poles)
``pole_pair(r_raw, theta)``                    ``−2r cos θ, r²``       stable for any reals, ``r = (1−ε)σ(r_raw)``;
                                                                       complex-conjugate pairs only
``reflection(u)``, ``lar_to_reflection(g)``    ``k``                   ``|k| ≤ 1 − ε`` for any reals
``reflection_to_lpc(k)``                       ``[1, a1..aN]``         stable iff every ``|k| < 1`` (rounding: below)
``lpc_to_reflection(a)``                       ``k``                   the inverse; ``|k| < 1`` iff ``a`` is stable
``rbj(kind, f0, q, gain_db, fs)``              ``b, a`` ``(..., 3)``   stable for ``0 < f0 < fs/2``, ``q > 0``;
                                                                       ``rbj_params`` maps any reals there
``svf(g, r, c_lp, c_bp, c_hp)``                ``b, a`` ``(..., 3)``   stable iff ``g·r > 0``
=============================================  ======================  ============================================

When to prefer which:

* **Reflection coefficients / log-area ratios** for one all-pole (LPC) filter of any order: the ``k`` are ordered
  (``k_1`` is the first-order fit), so a network can predict them as a vector. Keep ``Σ|LAR_i|`` moderate at high
  orders (about 33 in float64, 13 in float32 for N = 16): the rounded direct-form ``a`` can otherwise leave the
  circle.
* **Triangle or pole pairs** for cascades of biquads (``sosfilt``) a network predicts as an unordered set of
  sections: each section is stable on its own, whatever the others do. The triangle covers real poles too; pole
  pairs give a radius and an angle (frequency) that are easy to initialise and regularise.
* **RBJ** (or **SVF**) for interpretable EQs: cutoff, Q and gain in physical units, with ``rbj_params`` (or a
  softplus on ``g`` and ``r``) keeping any network output valid.
"""

import numbers

import numpy as np

from . import _diffiir
from ._shapes import as_array, result_dtype

__all__ = ["biquad_triangle", "pole_pair", "reflection", "lar_to_reflection", "reflection_to_lpc", "lpc_to_reflection",
           "rbj", "rbj_params", "svf", "RBJ_KINDS"]  # fmt: skip

RBJ_KINDS = ("lowpass", "highpass", "bandpass", "notch", "allpass", "peaking", "lowshelf", "highshelf")


def _stack(func, *pairs):
    """Broadcasts the named inputs; returns (broadcast shape, C-contiguous flat ``[sets, P]`` array)."""
    arrs = [as_array(v, n, func) for n, v in pairs]
    dt = result_dtype(func, *zip([n for n, _ in pairs], arrs))
    try:
        arrs = np.broadcast_arrays(*[a.astype(dt, copy=False) for a in arrs])
    except ValueError:
        shapes = ", ".join(f"{n} {a.shape}" for (n, _), a in zip(pairs, arrs))
        raise ValueError(f"{func}: the inputs do not broadcast together: {shapes}") from None
    return arrs[0].shape, np.ascontiguousarray(np.stack(arrs, axis=-1)).reshape(-1)


def _kind(func, kind):
    if not isinstance(kind, str):
        raise TypeError(f"{func}: kind must be a string, one of {', '.join(RBJ_KINDS)}; got {type(kind).__name__}")
    if kind not in RBJ_KINDS:
        raise ValueError(f"{func}: kind {kind!r} is not one of {', '.join(RBJ_KINDS)}")
    return kind


def _positive(func, name, v):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.ndarray)) or np.ndim(v) != 0:
        raise TypeError(f"{func}: {name} must be a real scalar; got {type(v).__name__}")
    v = float(v)
    if not (np.isfinite(v) and v > 0):
        raise ValueError(f"{func}: {name} must be positive and finite; got {v}")
    return v


def _lastdim(func, name, v, least):
    v = as_array(v, name, func)
    dt = result_dtype(func, (name, v))
    if v.ndim == 0 or v.shape[-1] < least:
        raise ValueError(f"{func}: {name} must have at least {least} entries on its last axis; got shape {v.shape}")
    return np.ascontiguousarray(v, dtype=dt)


def _split(out, shape, k, *parts):
    out = out.reshape(tuple(shape) + (k,))
    return tuple(out[..., p].copy() for p in parts)


def biquad_triangle(u1, u2):
    """Maps any reals to a biquad denominator strictly inside the stability triangle.

    ``a1 = 2(1−ε)tanh(u1)``, ``a2 = ((2 − |a1|)(1−ε)tanh(u2) + |a1|) / 2``: every ``(u1, u2)`` gives
    ``|a2| < 1``, ``|a1| < 1 + a2`` (both poles strictly inside the unit circle), and every such point is reached.

    Parameters
    ----------
    u1, u2 : array_like
        Unconstrained parameters; broadcast together.

    Returns
    -------
    a1, a2 : ndarray
        The denominator ``[1, a1, a2]``, the broadcast shape.

    Examples
    --------
    >>> import numpy as np
    >>> from diffiir import param
    >>> a1, a2 = param.biquad_triangle([0.0, 1e6, -3.0], 1e6)
    >>> bool(np.all(np.abs(np.roots([1.0, a1[1], a2[1]])) < 1))
    True
    """
    shape, u = _stack("biquad_triangle", ("u1", u1), ("u2", u2))
    return _split(_diffiir.triangle(u), shape, 2, 0, 1)


def pole_pair(r_raw, theta):
    """Maps any reals to a complex-conjugate pole pair ``r·e^{±iθ}`` with ``r = (1−ε)·sigmoid(r_raw) < 1``.

    Parameters
    ----------
    r_raw : array_like
        Unconstrained radius parameter (``0`` gives ``r ≈ 0.5``).
    theta : array_like
        Angle in radians (``θ = 2π f / fs``); broadcast with ``r_raw``.

    Returns
    -------
    a1, a2 : ndarray
        ``a1 = −2r cos θ``, ``a2 = r²``: the denominator ``[1, a1, a2]`` (or, as ``[1, b1, b2]``, a zero pair).

    Examples
    --------
    >>> from diffiir import param
    >>> a1, a2 = param.pole_pair(1e6, 0.0)
    >>> bool(a2 < 1.0), bool(abs(a1 + 2 * a2 ** 0.5) < 1e-12)
    (True, True)
    """
    shape, u = _stack("pole_pair", ("r_raw", r_raw), ("theta", theta))
    return _split(_diffiir.conjugate_pair(u), shape, 2, 0, 1)


def reflection(u):
    """Reflection coefficients ``k = (1−ε)·tanh(u)`` from any reals, elementwise (``|k| ≤ 1 − ε``).

    Examples
    --------
    >>> from diffiir import param
    >>> float(param.reflection(0.0)), bool(param.reflection(1e6) < 1.0)
    (0.0, True)
    """
    shape, v = _stack("reflection", ("u", u))
    return _diffiir.reflection(v).reshape(shape)


def lar_to_reflection(g):
    """Reflection coefficients from log-area ratios, elementwise: ``k = (1−ε)·tanh(g/2)``, the inverse of
    ``g = ln((1 + k)/(1 − k))`` (natural log, up to the cap; ``|k| ≤ 1 − ε``).

    Examples
    --------
    >>> import numpy as np
    >>> from diffiir import param
    >>> k = param.lar_to_reflection(np.log(3.0))  # LAR of k = 0.5
    >>> bool(abs(k - 0.5) < 1e-6)
    True
    """
    shape, v = _stack("lar_to_reflection", ("g", g))
    return _diffiir.lar_reflection(v).reshape(shape)


def reflection_to_lpc(k):
    """LPC denominator from reflection coefficients by the step-up (Levinson) recursion.

    Parameters
    ----------
    k : array_like
        ``(..., N)``, ``N ≥ 1``; all roots of the result are inside the unit circle iff every ``|k| < 1`` (for
        the rounded result: while ``Σ ln((1+|k|)/(1−|k|)) < ln(1/(2N·u))``, ``u`` the unit roundoff).

    Returns
    -------
    a : ndarray
        ``(..., N + 1)``, the full denominator ``[1, a1, ..., aN]`` (scipy's convention, ``lfilter(b, a, x)``).

    Examples
    --------
    >>> from diffiir import param
    >>> param.reflection_to_lpc([0.5, 0.25]).tolist()
    [1.0, 0.625, 0.25]
    """
    k = _lastdim("reflection_to_lpc", "k", k, 1)
    n = k.shape[-1]
    a = _diffiir.step_up(k.reshape(-1), n).reshape(k.shape)
    return np.concatenate([np.ones(k.shape[:-1] + (1,), k.dtype), a], axis=-1)


def lpc_to_reflection(a):
    """Reflection coefficients of an LPC denominator by the step-down recursion (inverse of
    :func:`reflection_to_lpc`).

    Parameters
    ----------
    a : array_like
        ``(..., N + 1)``, ``N ≥ 1``: ``[a0, a1, ..., aN]``, divided by ``a0 != 0``.

    Returns
    -------
    k : ndarray
        ``(..., N)``. The filter ``1/A(z)`` is stable iff every ``|k| < 1``; a root on the unit circle gives
        non-finite lower-order ``k``.

    Examples
    --------
    >>> from diffiir import param
    >>> param.lpc_to_reflection([1.0, 0.625, 0.25]).tolist()
    [0.5, 0.25]
    """
    a = _lastdim("lpc_to_reflection", "a", a, 2)
    if np.any(a[..., 0] == 0):
        raise ValueError("lpc_to_reflection: a[..., 0] is zero; the denominator cannot be normalised")
    an = np.ascontiguousarray(a[..., 1:] / a[..., :1])
    return _diffiir.step_down(an.reshape(-1), an.shape[-1]).reshape(an.shape)


def rbj(kind, f0, q, gain_db, fs):
    """RBJ Audio-EQ-Cookbook biquads (Q form for every type, shelves included), normalised to ``a[..., 0] = 1``.

    Parameters
    ----------
    kind : str
        One of ``RBJ_KINDS``: "lowpass", "highpass", "bandpass" (0 dB peak), "notch", "allpass", "peaking",
        "lowshelf", "highshelf".
    f0, q, gain_db : array_like
        Centre/corner frequency in Hz, quality factor, gain in dB (used by peaking and the shelves only);
        broadcast together. Stable for ``0 < f0 < fs/2``, ``q > 0``; see :func:`rbj_params` for any reals.
    fs : float
        Sample rate in Hz, positive.

    Returns
    -------
    b, a : ndarray
        ``(..., 3)`` each, the broadcast shape plus 3.

    Examples
    --------
    >>> from diffiir import param
    >>> b, a = param.rbj("lowpass", 1000.0, 0.7071, 0.0, 48000.0)
    >>> bool(abs(b.sum() / a.sum() - 1) < 1e-12), float(a[0])  # unit DC gain
    (True, 1.0)
    """
    func = "rbj"
    kind, fs = _kind(func, kind), _positive(func, "fs", fs)
    shape, p = _stack(func, ("f0", f0), ("q", q), ("gain_db", gain_db))
    return _split(_diffiir.rbj(kind, p, fs), shape, 6, slice(0, 3), slice(3, 6))


def rbj_params(u_f, u_q, u_g, fs, q_min=0.1):
    """Maps any reals to valid :func:`rbj` parameters.

    ``f0 = fs/2·(ε + (1 − 2ε)·sigmoid(u_f))`` (strictly inside ``(0, fs/2)``), ``q = q_min + softplus(u_q)``,
    ``gain_db = u_g``. ``u_f = 0`` is ``fs/4``. Precision limits: ``10^(gain/40)`` overflows beyond about
    ±12000 dB (float64) / ±1500 dB (float32), and in float32 a Q above ~10⁴ at the lowest f0 can round a pole onto
    the circle.

    Returns
    -------
    f0, q, gain_db : ndarray
        The broadcast shape of the inputs.

    Examples
    --------
    >>> from diffiir import param
    >>> f0, q, g = param.rbj_params(0.0, -1e6, 3.0, 48000.0)
    >>> float(f0), float(q), float(g)
    (12000.0, 0.1, 3.0)
    """
    func = "rbj_params"
    fs, q_min = _positive(func, "fs", fs), _positive(func, "q_min", q_min)
    shape, u = _stack(func, ("u_f", u_f), ("u_q", u_q), ("u_g", u_g))
    return _split(_diffiir.rbj_params(u, fs, q_min), shape, 3, 0, 1, 2)


def svf(g, r, c_lp, c_bp, c_hp):
    """The biquad of a TPT (Zavalishin) state-variable filter with output ``c_lp·LP + c_bp·BP + c_hp·HP``.

    ``g = tan(π f0/fs)``, damping ``r = 1/(2Q)``: ``a = [1 + 2rg + g², 2(g² − 1), 1 − 2rg + g²]``,
    ``b = c_lp·[g², 2g², g²] + c_bp·[g, 0, −g] + c_hp·[1, −2, 1]``, both divided by ``a0``. Stable iff ``g·r > 0``.

    Parameters
    ----------
    g, r, c_lp, c_bp, c_hp : array_like
        Broadcast together.

    Returns
    -------
    b, a : ndarray
        ``(..., 3)`` each, ``a[..., 0] = 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from diffiir import param
    >>> b, a = param.svf(np.tan(np.pi * 1000 / 48000), 0.5, 1.0, 0.0, 0.0)  # lowpass output
    >>> bool(abs(b.sum() / a.sum() - 1) < 1e-12)
    True
    """
    shape, p = _stack("svf", ("g", g), ("r", r), ("c_lp", c_lp), ("c_bp", c_bp), ("c_hp", c_hp))
    return _split(_diffiir.svf(p), shape, 6, slice(0, 3), slice(3, 6))
