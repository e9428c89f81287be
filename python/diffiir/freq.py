"""Frequency responses (scipy's ``freqz``/``sosfreqz``) and the frequency-sampling method (``lfilter_fsm``,
``sosfilt_fsm``). Numerics in the Rust core.

When to use which
-----------------
* The response itself (spectral losses, EQ matching, design by gradient descent): ``freqz`` / ``sosfreqz`` —
  exact, no signal needed.
* Filtered signals: ``lfilter`` / ``sosfilt`` — exact, any filter, time-varying allowed.
* ``lfilter_fsm`` / ``sosfilt_fsm``: filtering as a product of spectra, an FIR approximation — the impulse
  response is truncated and wraps around (time aliasing, circular convolution), time-invariant only. The
  default ``n_fft`` is chosen from the largest pole radius so that this error stays near 1e-7 relative to the
  impulse response's peak; poles on or outside the unit circle (or so close that the FFT would exceed 2**24)
  raise ``ValueError``. For low-order audio filters the exact recursion is both exact and faster (see
  BENCHMARKS.md).

Batches: unlike scipy's N-D ``freqz`` (coefficients on the first axis), batches of filters follow this package's
convention everywhere: leading dims, coefficients on the last axis (``b``: ``batch + (nb,)``, ``sos``:
``batch + (S, 6)``); one of ``b``/``a`` may be 1-D (shared).
"""

import numpy as np

from . import _diffiir
from ._shapes import PER_SAMPLE, as_array, batch_size, coefs, result_dtype, signal

__all__ = ["freqz", "sosfreqz", "lfilter_fsm", "sosfilt_fsm"]


def _grid(worN, whole, fs, include_nyquist, dtype, func):
    """Frequencies in radians per sample and in the units of ``fs`` (scipy's rules)."""
    if isinstance(fs, (str, bytes, bool, np.bool_)) or np.ndim(fs) != 0:
        raise TypeError(f"{func}: fs must be a real number; got {type(fs).__name__}")
    try:
        fs = float(fs)
    except (TypeError, ValueError):
        raise TypeError(f"{func}: fs must be a real number; got {type(fs).__name__}") from None
    if not np.isfinite(fs) or fs <= 0:
        raise ValueError(f"{func}: fs must be a positive number; got {fs}")
    if worN is None:
        worN = 512
    if isinstance(worN, (bool, np.bool_)):
        raise TypeError(f"{func}: worN must be a count or an array of frequencies; got {type(worN).__name__}")
    if isinstance(worN, (int, np.integer)):
        if worN < 0:
            raise ValueError(f"{func}: worN must be nonnegative; got {worN}")
        try:
            w = np.linspace(0, 2 * np.pi if whole else np.pi, int(worN), endpoint=include_nyquist and not whole).astype(dtype)
        except (ValueError, MemoryError):
            raise ValueError(f"{func}: worN = {worN} frequencies do not fit in memory") from None
    else:
        try:
            f = np.asarray(worN)
            if f.dtype.kind not in "fiu":
                raise TypeError
            f = np.atleast_1d(f.astype(dtype))
        except (TypeError, ValueError):
            raise TypeError(f"{func}: worN must be a count or a 1-D array of real frequencies; got {type(worN).__name__}") from None
        if f.ndim != 1:
            raise ValueError(f"{func}: worN must be a count or a 1-D array of frequencies; got shape {f.shape}")
        w = (2 * np.pi * f / fs).astype(dtype)
    return np.ascontiguousarray(w), w * (fs / (2 * np.pi))


def _filters(cs, func):
    """Coefficient arrays (name, array, trailing dims) -> common batch shape and (layout, flat, K) each."""
    leads = {c.shape[: c.ndim - d] for _, c, d in cs if c.ndim > d}
    if len(leads) > 1:
        raise ValueError(f"{func}: the batch dims of {', '.join(n for n, _, _ in cs)} differ: {sorted(leads)}")
    lead = leads.pop() if leads else ()
    out = []
    for name, c, d in cs:
        if c.ndim < d:
            raise ValueError(f"{func}: {name} must have at least {d} dimension(s); got shape {c.shape}")
        layout, flat, k = coefs(c, name, func, lead, 1, d)
        out.append((min(layout, 1), flat, k))
    return lead, out


def _prep_ba(b, a, func):
    b, a = as_array(b, "b", func), as_array(a, "a", func)
    dt = result_dtype(func, ("b", b), ("a", a))
    b, a = np.atleast_1d(b).astype(dt, copy=False), np.atleast_1d(a).astype(dt, copy=False)
    return dt, _filters([("b", b, 1), ("a", a, 1)], func)


def freqz(b, a=1, worN=512, whole=False, fs=2 * np.pi, include_nyquist=False):
    """Frequency response of a digital filter, as ``scipy.signal.freqz``.

    Parameters
    ----------
    b, a : array_like
        Numerator and denominator (``a`` is not normalised); 1-D as scipy, or ``batch + (K,)`` for a batch of
        filters (coefficients last).
    worN : int or array_like, default 512
        A count of frequencies (evenly spaced from 0 up to, not including, Nyquist — or 2π with ``whole``) or
        the frequencies themselves, in the units of ``fs``.
    whole : bool, default False
        Span the whole circle instead of the upper half.
    fs : float, default 2π
        Sampling frequency.
    include_nyquist : bool, default False
        With an integer ``worN`` and ``whole=False``, include the Nyquist frequency.

    Returns
    -------
    w : ndarray
        ``(N,)`` frequencies in the units of ``fs``.
    h : ndarray
        ``batch + (N,)`` complex response (complex64 for float32 coefficients).

    Examples
    --------
    >>> import numpy as np, diffiir
    >>> w, h = diffiir.freqz([1, 1], [2], worN=3)
    >>> bool(np.allclose(h, [1.0, 0.5 - 0.5j, 0.25 - 0.4330127j]))
    True
    """
    func = "freqz"
    dt, (lead, [(lb, bf, kb), (la, af, ka)]) = _prep_ba(b, a, func)
    wr, w = _grid(worN, whole, fs, include_nyquist, dt, func)
    h = _diffiir.freqz(bf, lb, kb, af, la, ka, batch_size(lead), wr)
    return w, h.view(np.complex64 if dt == np.float32 else np.complex128).reshape(tuple(lead) + (len(wr),))


def sosfreqz(sos, worN=512, whole=False, fs=2 * np.pi):
    """Frequency response of second-order sections, as ``scipy.signal.sosfreqz``: ``sos`` ``(S, 6)`` or
    ``batch + (S, 6)``; returns ``(w, h)`` with ``h`` ``batch + (N,)``."""
    func = "sosfreqz"
    sos = as_array(sos, "sos", func)
    dt = result_dtype(func, ("sos", sos))
    sos = sos.astype(dt, copy=False)
    if sos.ndim < 2 or sos.shape[-1] != 6:
        raise ValueError(f"{func}: sos has shape {sos.shape}; expected (n_sections, 6)")
    lead, [(ls, sf, k)] = _filters([("sos", sos, 2)], func)
    wr, w = _grid(worN, whole, fs, False, dt, func)
    h = _diffiir.sosfreqz(sf, ls, k, batch_size(lead), wr)
    return w, h.view(np.complex64 if dt == np.float32 else np.complex128).reshape(tuple(lead) + (len(wr),))


class _Fsm:
    """Shapes of a frequency-sampling call: ``x`` ``batch + (T,)``, coefficients shared or per signal."""

    def __init__(self, x, cs, func):
        self.func = func
        x = as_array(x, "x", func)
        arrays = [(n, as_array(c, n, func)) for n, c, _ in cs]
        self.dtype = result_dtype(func, ("x", x), *arrays)
        x = x.astype(self.dtype, copy=False)
        self.batch_shape, self.t, xm = signal(x, -1, func)
        self.batch = batch_size(self.batch_shape)
        self.x = np.ascontiguousarray(xm).reshape(-1)
        self.c = []
        for (name, c), (_, _, d) in zip(arrays, cs):
            if d == 2:  # sos: rows [b0, b1, b2, a0, a1, a2], each section normalised by its own a0
                if c.ndim < 2 or c.shape[-1] != 6:
                    raise ValueError(f"{func}: {name} has shape {c.shape}; expected (n_sections, 6) rows [b0, b1, b2, a0, a1, a2]")
                if np.any(c[..., 3] == 0):
                    raise ValueError(f"{func}: {name}[..., 3] (a0) is zero in some section; the filter cannot be normalised by a0")
            layout, flat, k = coefs(c.astype(self.dtype, copy=False), name, func, self.batch_shape, self.t, d)
            if layout == PER_SAMPLE:
                raise ValueError(f"{func}: {name} has per-sample coefficients; the frequency-sampling method is time-invariant only")
            self.c.append((layout, flat, k))
        self.shapes = [np.shape(c) for _, c in arrays]

    def args(self):
        (l0, c0, k0) = self.c[0]
        (l1, c1, k1) = self.c[1] if len(self.c) > 1 else (0, np.zeros(1, self.dtype), 1)
        return c0, l0, k0, c1, l1, k1, len(self.c) == 1

    def run(self, n_fft):
        if n_fft is not None:
            if isinstance(n_fft, (bool, np.bool_)) or not isinstance(n_fft, (int, np.integer)):
                raise TypeError(f"{self.func}: n_fft must be an integer or None; got {type(n_fft).__name__}")
            n_fft = int(n_fft)
            if n_fft < 0:  # the core checks the range (T..2**24); a negative length cannot reach it
                raise ValueError(f"{self.func}: n_fft has {n_fft}; expected between T = {max(self.t, 1)} and 16777216")
        return _diffiir.fsm(*self.args(), self.x, self.batch, n_fft)

    def out(self, flat):
        return flat.reshape(tuple(self.batch_shape) + (self.t,))


def lfilter_fsm(b, a, x, n_fft=None):
    """Filter ``x`` (time last) with ``b/a`` by frequency sampling: ``irfft(rfft(x, n) · B(e^jw)/A(e^jw))[:T]``.

    An approximation of ``lfilter`` (see the module notes); ``b``, ``a`` shared (1-D) or one per signal
    (``batch + (K,)``). ``n_fft`` defaults to a length that keeps the aliasing near 1e-7 relative; an explicit
    ``n_fft`` must be at least ``T``.

    Examples
    --------
    >>> import numpy as np, diffiir
    >>> x = np.sin(np.arange(300) * 0.2)
    >>> bool(np.allclose(diffiir.lfilter_fsm([0.3], [1, -0.7], x), diffiir.lfilter([0.3], [1, -0.7], x), atol=1e-6))
    True
    """
    p = _Fsm(x, [("b", b, 1), ("a", a, 1)], "lfilter_fsm")
    y, _ = p.run(n_fft)
    return p.out(y)


def sosfilt_fsm(sos, x, n_fft=None):
    """``sosfilt`` by frequency sampling (``sos`` ``(S, 6)`` or ``batch + (S, 6)``); see :func:`lfilter_fsm`."""
    p = _Fsm(x, [("sos", sos, 2)], "sosfilt_fsm")
    y, _ = p.run(n_fft)
    return p.out(y)
