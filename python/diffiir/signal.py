"""numpy API with scipy.signal's names, argument order, defaults and return conventions, extended to batches of
filters and to time-varying (per-sample) coefficients. All numerics run in the Rust core (``diffiir._diffiir``).

Coefficient shapes (``b``, ``a``: trailing axis = coefficients; ``sos``: trailing ``(n_sections, 6)``), where
``batch`` is the shape of ``x`` without its time axis and ``T`` its length:

* scipy's shapes (``b``: ``(nb,)``, ``sos``: ``(S, 6)``): one filter for every signal;
* ``batch + (nb,)`` / ``batch + (S, 6)``: one filter per signal;
* ``batch + (T, nb)`` / ``batch + (T, S, 6)``: one filter per sample (time-varying): sample ``n`` is filtered with
  the coefficients of sample ``n`` (each sample's ``a[0]`` normalises it), which equals scipy run block by block
  with each block's ``zf`` passed on as the next block's ``zi``.

dtypes: float32 and float64 keep their precision (the result type of all array arguments); integers compute in
float64; complex and object arrays raise ``TypeError``. NaN and inf propagate through the signal they appear in
(IEEE arithmetic); other signals of the batch are unaffected. Bad shapes, empty coefficient arrays and
``a[0] == 0`` raise ``ValueError`` naming the argument.
"""

import numpy as np

from . import _diffiir
from ._shapes import as_array, batch_size, coefs, move, result_dtype, signal, state

__all__ = ["lfilter", "sosfilt", "lfilter_zi", "sosfilt_zi", "allpole"]


class _Lfilter:
    """Everything lfilter's forward and adjoint need, in the core's layout."""

    def __init__(self, b, a, x, axis, zi, func="lfilter"):
        b, a, x = as_array(b, "b", func), as_array(a, "a", func), as_array(x, "x", func)
        zi = None if zi is None else as_array(zi, "zi", func)
        self.dtype = result_dtype(func, ("b", b), ("a", a), ("x", x), ("zi", zi))
        b, a, x = (v.astype(self.dtype, copy=False) for v in (b, a, x))
        self.batch_shape, self.t, xm = signal(x, axis, func)
        self.axis = axis
        self.lb, self.b, self.kb = coefs(b, "b", func, self.batch_shape, self.t)
        self.la, self.a, self.ka = coefs(a, "a", func, self.batch_shape, self.t)
        self.m = max(self.kb, self.ka) - 1
        self.batch = batch_size(self.batch_shape)
        self.x = np.ascontiguousarray(xm).reshape(-1)
        self.zi = None
        if zi is not None:
            # Checked in the caller's layout (x's shape with axis of length m), so the message shows what was passed.
            want = x.shape[: axis % x.ndim] + (self.m,) + x.shape[axis % x.ndim + 1 :]
            if tuple(zi.shape) != want:
                raise ValueError(f"{func}: zi has shape {zi.shape}; expected {want} (x's shape {x.shape} with axis {axis} of length {self.m})")
            zm = move(zi.astype(self.dtype, copy=False), axis, -1)
            self.zi = state(zm, "zi", func, self.batch_shape, (self.m,))

    def run(self):
        return _diffiir.lfilter(self.b, self.lb, self.kb, self.a, self.la, self.ka, self.x, self.batch, self.zi)

    def signal_out(self, flat):
        return move(flat.reshape(tuple(self.batch_shape) + (self.t,)), -1, self.axis)

    def state_out(self, flat):
        return move(flat.reshape(tuple(self.batch_shape) + (self.m,)), -1, self.axis)


def lfilter(b, a, x, axis=-1, zi=None):
    """Filter data along one dimension with an IIR or FIR filter, as ``scipy.signal.lfilter``.

    Transposed direct form II; ``b`` and ``a`` are divided by ``a[0]``.

    Parameters
    ----------
    b : array_like
        Numerator, ``(nb,)``; or one per signal ``batch + (nb,)``; or one per sample ``batch + (T, nb)``.
    a : array_like
        Denominator including ``a[0] != 0``, shapes as ``b`` (its layout may differ from ``b``'s).
    x : array_like
        Input signals; ``batch`` = every axis but ``axis``.
    axis : int, default -1
        The time axis of ``x`` (and of ``zi``).
    zi : array_like, optional
        Initial state: ``x``'s shape with ``axis`` of length ``max(len(a), len(b)) - 1`` (scipy's layout, so
        ``lfilter_zi(b, a) * x[0]`` works). Default: zeros (rest), and only ``y`` is returned.

    Returns
    -------
    y : ndarray
        Output, ``x``'s shape and the result dtype.
    zf : ndarray
        Final state, ``zi``'s shape; only returned when ``zi`` is given.

    Examples
    --------
    >>> import numpy as np, diffiir
    >>> b, a = [0.0675, 0.1349, 0.0675], [1.0, -1.143, 0.4128]
    >>> x = np.ones(5)
    >>> y, zf = diffiir.lfilter(b, a, x, zi=diffiir.lfilter_zi(b, a) * x[0])
    >>> bool(np.allclose(y, sum(b) / sum(a)))
    True
    """
    p = _Lfilter(b, a, x, axis, zi)
    y, zf = p.run()
    return p.signal_out(y) if p.zi is None else (p.signal_out(y), p.state_out(zf))


class _Sosfilt:
    def __init__(self, sos, x, axis, zi, func="sosfilt"):
        sos, x = as_array(sos, "sos", func), as_array(x, "x", func)
        zi = None if zi is None else as_array(zi, "zi", func)
        self.dtype = result_dtype(func, ("sos", sos), ("x", x), ("zi", zi))
        sos, x = sos.astype(self.dtype, copy=False), x.astype(self.dtype, copy=False)
        if sos.ndim < 2 or sos.shape[-1] != 6:
            raise ValueError(f"{func}: sos has shape {sos.shape}; expected (n_sections, 6) rows [b0, b1, b2, a0, a1, a2]")
        self.batch_shape, self.t, xm = signal(x, axis, func)
        self.axis = axis % x.ndim
        self.ls, self.sos, self.k = coefs(sos, "sos", func, self.batch_shape, self.t, d=2)
        self.s = sos.shape[-2]
        self.batch = batch_size(self.batch_shape)
        self.x = np.ascontiguousarray(xm).reshape(-1)
        self.zi = None
        if zi is not None:
            # scipy's layout (n_sections, ..., 2, ...): x's shape with axis of length 2, sections first.
            want = (self.s,) + x.shape[: self.axis] + (2,) + x.shape[self.axis + 1 :]
            if tuple(zi.shape) != want:
                raise ValueError(f"{func}: zi has shape {zi.shape}; expected {want} = (n_sections, ..., 2, ...)")
            zm = np.moveaxis(np.moveaxis(zi.astype(self.dtype, copy=False), 1 + self.axis, -1), 0, -2)
            self.zi = state(zm, "zi", func, self.batch_shape, (self.s, 2))

    def run(self, tape=False):
        return _diffiir.sosfilt(self.sos, self.ls, self.k, self.x, self.batch, self.zi, tape)

    def signal_out(self, flat):
        return move(flat.reshape(tuple(self.batch_shape) + (self.t,)), -1, self.axis)

    def state_out(self, flat):
        z = flat.reshape(tuple(self.batch_shape) + (self.s, 2))
        return np.moveaxis(np.moveaxis(z, -2, 0), -1, 1 + self.axis)


def sosfilt(sos, x, axis=-1, zi=None):
    """Filter data along one dimension using cascaded second-order sections, as ``scipy.signal.sosfilt``.

    All sections run in one pass over the data. Each section is normalised by its own ``a0`` (scipy requires
    ``a0 == 1``; here any non-zero ``a0`` works).

    Parameters
    ----------
    sos : array_like
        ``(n_sections, 6)`` rows ``[b0, b1, b2, a0, a1, a2]``; or one cascade per signal ``batch + (S, 6)``; or
        per sample ``batch + (T, S, 6)``.
    x : array_like
        Input signals.
    axis : int, default -1
        Time axis.
    zi : array_like, optional
        Initial states, scipy's shape ``(n_sections, ..., 2, ...)`` (``x``'s shape with ``axis`` of length 2,
        sections first). Default: zeros, and only ``y`` is returned.

    Returns
    -------
    y : ndarray
    zf : ndarray
        Final states (``zi``'s shape), only when ``zi`` is given.

    Examples
    --------
    >>> import numpy as np, diffiir
    >>> sos = np.array([[1.0, 0.5, 0.0, 1.0, -0.3, 0.0]])
    >>> diffiir.sosfilt(sos, [1.0, 0.0, 0.0])
    array([1.  , 0.8 , 0.24])
    """
    p = _Sosfilt(sos, x, axis, zi)
    y, zf, _ = p.run()
    return p.signal_out(y) if p.zi is None else (p.signal_out(y), p.state_out(zf))


def _zi_coefs(c, name, func, d):
    c = as_array(c, name, func)
    result_dtype(func, (name, c))  # dtype errors (TypeError) before shape errors
    if c.ndim == d:
        return c, False, ()
    if c.ndim > d:
        return c, True, c.shape[: c.ndim - d]
    raise ValueError(f"{func}: {name} has shape {c.shape}; expected at least {d} dimension(s)")


def lfilter_zi(b, a):
    """Initial state for lfilter corresponding to the steady state of the step response, as
    ``scipy.signal.lfilter_zi``.

    ``b`` ``(nb,)`` and ``a`` ``(na,)`` give ``(max(na, nb) - 1,)``; one filter per signal (``batch + (nb,)``,
    ``batch + (na,)``, same batch) gives ``batch + (M,)``. Raises ``ValueError`` when ``sum(a) == 0`` (a pole at
    z = 1: no steady state).

    Examples
    --------
    >>> import diffiir
    >>> diffiir.lfilter_zi([1.0], [1.0, -0.5])
    array([0.5])
    """
    func = "lfilter_zi"
    b, per_b, lead_b = _zi_coefs(b, "b", func, 1)
    a, per_a, lead_a = _zi_coefs(a, "a", func, 1)
    if lead_b != lead_a:
        raise ValueError(f"{func}: b has shape {b.shape} and a {a.shape}; their leading (batch) dims must match")
    dt = result_dtype(func, ("b", b), ("a", a))
    batch = batch_size(lead_b)
    bf, af = (np.ascontiguousarray(v, dtype=dt).reshape(-1) for v in (b, a))
    zi = _diffiir.lfilter_zi(bf, af, per_b, b.shape[-1], a.shape[-1], batch)
    return zi.reshape(tuple(lead_b) + (max(b.shape[-1], a.shape[-1]) - 1,))


def sosfilt_zi(sos):
    """Initial states for sosfilt corresponding to the steady state of the step response, as
    ``scipy.signal.sosfilt_zi``: ``(n_sections, 2)`` for ``sos`` ``(n_sections, 6)``; for one cascade per signal
    ``batch + (S, 6)`` it returns ``(S,) + batch + (2,)``, the layout ``sosfilt``'s ``zi`` takes for ``x`` of shape
    ``batch + (T,)``.

    Examples
    --------
    >>> import numpy as np, diffiir
    >>> sos = np.array([[1.0, 0.0, 0.0, 1.0, -0.5, 0.0]])
    >>> diffiir.sosfilt_zi(sos)
    array([[1., 0.]])
    """
    func = "sosfilt_zi"
    sos, per, lead = _zi_coefs(sos, "sos", func, 2)
    if sos.shape[-1] != 6:
        raise ValueError(f"{func}: sos has shape {sos.shape}; expected (n_sections, 6)")
    dt = result_dtype(func, ("sos", sos))
    s = sos.shape[-2]
    zi = _diffiir.sosfilt_zi(np.ascontiguousarray(sos, dtype=dt).reshape(-1), per, 6 * s, batch_size(lead))
    return np.moveaxis(zi.reshape(tuple(lead) + (s, 2)), -2, 0)


class _Allpole:
    def __init__(self, x, a, zi, func="allpole"):
        x, a = as_array(x, "x", func), as_array(a, "a", func)
        zi = None if zi is None else as_array(zi, "zi", func)
        self.dtype = result_dtype(func, ("x", x), ("a", a), ("zi", zi))
        x, a = x.astype(self.dtype, copy=False), a.astype(self.dtype, copy=False)
        self.batch_shape, self.t, xm = signal(x, -1, func)
        self.la, self.a, self.n = coefs(a, "a", func, self.batch_shape, self.t)
        self.batch = batch_size(self.batch_shape)
        self.x = np.ascontiguousarray(xm).reshape(-1)
        self.zi = None if zi is None else state(zi.astype(self.dtype, copy=False), "zi", func, self.batch_shape, (self.n,))

    def run(self):
        return _diffiir.allpole(self.x, self.batch, self.a, self.la, self.n, self.zi)

    def signal_out(self, flat):
        return flat.reshape(tuple(self.batch_shape) + (self.t,))


def allpole(x, a, zi=None):
    """All-pole filter ``y[n] = x[n] - sum_k a[n, k-1] y[n-k]`` with torchlpc's ``sample_wise_lpc`` semantics.

    Parameters
    ----------
    x : array_like
        ``batch + (T,)`` input (time last).
    a : array_like
        ``a_1..a_N`` (no leading 1): ``(N,)`` shared, ``batch + (N,)`` per signal, or ``batch + (T, N)`` per
        sample (torchlpc's ``A``).
    zi : array_like, optional
        ``batch + (N,)`` past outputs ``(y[-1], ..., y[-N])``; default zeros.

    Returns
    -------
    y : ndarray
        ``x``'s shape.

    Examples
    --------
    >>> import diffiir
    >>> diffiir.allpole([1.0, 0.0, 0.0], [-0.5])
    array([1.  , 0.5 , 0.25])
    """
    p = _Allpole(x, a, zi)
    y, _ = p.run()
    return p.signal_out(y)
