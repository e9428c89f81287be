"""Autograd twins of ``diffiir.freqz``, ``sosfreqz``, ``lfilter_fsm`` and ``sosfilt_fsm`` (exposed in
``diffiir.torch``). ``h`` is a complex tensor; gradients flow from it (PyTorch's complex convention) to the
coefficients through the core's adjoint. The frequency-sampling backward is the exact adjoint of the FSM
forward (same ``n_fft``), not of the recursion it approximates.
"""

import numpy as np
import torch

from . import _diffiir
from .freq import _filters, _Fsm, _grid

__all__ = ["freqz", "sosfreqz", "lfilter_fsm", "sosfilt_fsm"]


def _check(func, pairs):
    from .torch import _check as check

    return check(func, pairs)


def _interleaved(g, dtype):
    """A complex gradient tensor as the core's interleaved (re, im) float array."""
    return np.ascontiguousarray(torch.view_as_real(g.detach().resolve_conj().contiguous()).numpy(), dtype=dtype).reshape(-1)


def _complex(flat, dtype, shape):
    return torch.from_numpy(flat.view(np.complex64 if dtype == np.float32 else np.complex128).reshape(shape))


class _FreqzFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, b, a, wr):
        bn, an = _check("diffiir.torch.freqz", [("b", b), ("a", a)])
        lead, [(lb, bf, kb), (la, af, ka)] = _filters([("b", np.atleast_1d(bn), 1), ("a", np.atleast_1d(an), 1)], "freqz")
        args = (bf, lb, kb, af, la, ka, int(np.prod(lead)) if lead else 1, wr.astype(bn.dtype))
        ctx.args, ctx.shapes, ctx.dtype = args, (bn.shape, an.shape), bn.dtype
        return _complex(_diffiir.freqz(*args), bn.dtype, tuple(lead) + (len(wr),))

    @staticmethod
    def backward(ctx, gh):
        gb, ga = _diffiir.freqz_adjoint(*ctx.args, _interleaved(gh, ctx.dtype))
        return torch.from_numpy(gb.reshape(ctx.shapes[0])), torch.from_numpy(ga.reshape(ctx.shapes[1])), None


def freqz(b, a, worN=512, whole=False, fs=2 * np.pi, include_nyquist=False):
    """Differentiable ``diffiir.freqz``: returns ``(w, h)``, ``w`` a float tensor, ``h`` a complex tensor that
    gradients flow through to ``b`` and ``a`` (tensors, float32/float64, CPU)."""
    dt = np.float32 if getattr(b, "dtype", None) == torch.float32 else np.float64
    wr, w = _grid(worN, whole, fs, include_nyquist, dt, "diffiir.torch.freqz")
    return torch.from_numpy(np.ascontiguousarray(w)), _FreqzFn.apply(b, a, wr)


class _SosfreqzFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, sos, wr):
        (sn,) = _check("diffiir.torch.sosfreqz", [("sos", sos)])
        if sn.ndim < 2 or sn.shape[-1] != 6:
            raise ValueError(f"diffiir.torch.sosfreqz: sos has shape {sn.shape}; expected (n_sections, 6)")
        lead, [(ls, sf, k)] = _filters([("sos", sn, 2)], "sosfreqz")
        args = (sf, ls, k, int(np.prod(lead)) if lead else 1, wr.astype(sn.dtype))
        ctx.args, ctx.shape, ctx.dtype = args, sn.shape, sn.dtype
        return _complex(_diffiir.sosfreqz(*args), sn.dtype, tuple(lead) + (len(wr),))

    @staticmethod
    def backward(ctx, gh):
        return torch.from_numpy(_diffiir.sosfreqz_adjoint(*ctx.args, _interleaved(gh, ctx.dtype)).reshape(ctx.shape)), None


def sosfreqz(sos, worN=512, whole=False, fs=2 * np.pi):
    """Differentiable ``diffiir.sosfreqz``: ``(w, h)`` with ``h`` complex, gradients to ``sos``."""
    dt = np.float32 if getattr(sos, "dtype", None) == torch.float32 else np.float64
    wr, w = _grid(worN, whole, fs, False, dt, "diffiir.torch.sosfreqz")
    return torch.from_numpy(np.ascontiguousarray(w)), _SosfreqzFn.apply(sos, wr)


class _FsmFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, n_fft, *coefs):
        func = "diffiir.torch.sosfilt_fsm" if len(coefs) == 1 else "diffiir.torch.lfilter_fsm"
        names = ["sos"] if len(coefs) == 1 else ["b", "a"]
        arrays = _check(func, [("x", x)] + list(zip(names, coefs)))
        d = 2 if len(coefs) == 1 else 1
        p = _Fsm(arrays[0], [(n, c, d) for n, c in zip(names, arrays[1:])], func)
        y, n = p.run(n_fft)
        ctx.p, ctx.n = p, n
        return torch.from_numpy(p.out(y))

    @staticmethod
    def backward(ctx, gy):
        p = ctx.p
        gyf = np.ascontiguousarray(gy.detach().numpy(), dtype=p.dtype).reshape(-1)
        gx, g0, g1 = _diffiir.fsm_adjoint(*p.args(), p.x, p.batch, ctx.n, gyf)
        grads = [torch.from_numpy(g0.reshape(p.shapes[0]))]
        if len(p.shapes) > 1:
            grads.append(torch.from_numpy(g1.reshape(p.shapes[1])))
        return (torch.from_numpy(p.out(gx)), None, *grads)


def lfilter_fsm(b, a, x, n_fft=None):
    """Differentiable ``diffiir.lfilter_fsm`` (gradients to ``x``, ``b``, ``a``)."""
    return _FsmFn.apply(x, n_fft, b, a)


def sosfilt_fsm(sos, x, n_fft=None):
    """Differentiable ``diffiir.sosfilt_fsm`` (gradients to ``x``, ``sos``)."""
    return _FsmFn.apply(x, n_fft, sos)
