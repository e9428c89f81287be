"""Shape rules shared by the numpy and torch front ends (no numerics here: those live in the Rust core).

Signals: ``x`` has any number of leading batch dims; the time axis (``axis``) is moved last and the batch dims
are flattened, giving the core's ``[B, T]``. Coefficients for that signal batch come in three forms, told apart
by their leading dims ``L = c.shape[:-d]`` (``d`` = 1 for ``b``/``a``, 2 for ``sos``):

* ``L == ()``                       -- one filter shared by every signal (scipy's shapes);
* ``L == batch_shape``              -- one filter per signal;
* ``L == batch_shape + (T,)``       -- one filter per sample (time-varying).
"""

import math
import operator

import numpy as np

SHARED, PER_SIGNAL, PER_SAMPLE = 0, 1, 2


def result_dtype(name, *arrays):
    """float32 stays float32, float64 stays float64; integers and bools compute in float64; float16 in
    float32; complex and object arrays are rejected (TypeError naming the argument)."""
    for n, a in arrays:
        if a is None:
            continue
        k = a.dtype.kind
        if k == "c":
            raise TypeError(f"{name}: {n} is complex ({a.dtype}); diffiir filters real signals only")
        if k not in "fiub":
            raise TypeError(f"{name}: {n} has dtype {a.dtype}; expected a real floating-point (or integer) array")
    dt = np.result_type(*[a.dtype for _, a in arrays if a is not None])
    if dt.kind in "iub":
        return np.dtype(np.float64)
    if dt == np.float16:
        return np.dtype(np.float32)
    if dt not in (np.float32, np.float64):
        return np.dtype(np.float64)
    return dt


def as_array(v, name, func):
    if v is None:
        raise TypeError(f"{func}: {name} is None; expected an array")
    try:
        return np.asarray(v)
    except Exception as e:  # ragged lists and the like
        raise TypeError(f"{func}: {name} cannot be converted to an array ({e})") from None


def signal(x, axis, func):
    """Moves ``axis`` of ``x`` last; returns the batch shape, T and the C-contiguous ``[B·T]`` flat view."""
    if x.ndim == 0:
        raise ValueError(f"{func}: x must have at least one dimension (time); got a scalar")
    axis = check_axis(axis, func)
    try:
        xm = move(x, axis, -1)
    except np.exceptions.AxisError:
        raise ValueError(f"{func}: axis {axis} is out of bounds for x with {x.ndim} dimension(s)") from None
    return xm.shape[:-1], xm.shape[-1], xm


def check_axis(axis, func):
    """``axis`` as a Python int (numpy integers accepted; bools, floats, strings and None raise TypeError)."""
    if isinstance(axis, (bool, np.bool_)):
        raise TypeError(f"{func}: axis must be an integer; got {type(axis).__name__}")
    try:
        return operator.index(axis)
    except TypeError:
        raise TypeError(f"{func}: axis must be an integer; got {type(axis).__name__}") from None


def coefs(c, name, func, batch_shape, t, d=1):
    """Classifies coefficient array ``c`` (trailing ``d`` dims per set); returns (layout, flat array, K)."""
    if c.ndim < d:
        raise ValueError(f"{func}: {name} must have at least {d} dimension(s); got shape {c.shape}")
    lead, per = c.shape[: c.ndim - d], c.shape[c.ndim - d :]
    k = math.prod(per)
    if k == 0:
        raise ValueError(f"{func}: {name} is empty (shape {c.shape}); it needs at least one coefficient")
    if lead == ():
        layout = SHARED
    elif lead == tuple(batch_shape):
        layout = PER_SIGNAL
    elif lead == tuple(batch_shape) + (t,):
        layout = PER_SAMPLE
    else:
        raise ValueError(
            f"{func}: {name} has shape {c.shape}; expected {per} (shared), {tuple(batch_shape) + per} (one per "
            f"signal) or {tuple(batch_shape) + (t,) + per} (one per sample), given x's batch shape "
            f"{tuple(batch_shape)} and {t} samples"
        )
    return layout, np.ascontiguousarray(c).reshape(-1), k


def state(z, name, func, batch_shape, per_shape):
    """Validates a state array of shape ``batch_shape + per_shape`` (the core's layout); returns it flat."""
    want = tuple(batch_shape) + tuple(per_shape)
    if tuple(z.shape) != want:
        raise ValueError(f"{func}: {name} has shape {tuple(z.shape)}; expected {want}")
    return np.ascontiguousarray(z).reshape(-1)


def batch_size(batch_shape):
    return math.prod(batch_shape)


def move(a, src, dst):
    """``np.moveaxis(a, src, dst)`` for one axis, returning ``a`` itself when the axis stays where it is: moveaxis
    costs ~10 µs a call, and a small filter call made three of them each way (the common case: time last)."""
    n = a.ndim
    if -n <= src < n and -n <= dst < n and src % n == dst % n:
        return a
    return np.moveaxis(a, src, dst)
