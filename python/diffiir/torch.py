"""PyTorch autograd functions with the numpy API's signatures: ``lfilter``, ``sosfilt``, ``allpole``, ``lfilter_zi``,
``sosfilt_zi``. Forward and backward both call the Rust core (the backward is its fused adjoint: one reverse pass
for every gradient), with the interpreter released while kernels run.

Tensors: CPU, float32 or float64 (all tensor arguments of one call share the dtype), any leading batch dims,
non-contiguous accepted (copied). Gradients flow to ``x``, ``b``, ``a``, ``sos`` and ``zi``; when ``zi`` is given,
``zf`` is returned and is differentiable too (a loss on it reaches everything upstream). Only first-order
gradients are supported (the backward is not itself differentiable).

Example
-------
>>> import torch, diffiir.torch as dt
>>> b = torch.tensor([0.2, 0.3], dtype=torch.float64, requires_grad=True)
>>> a = torch.tensor([1.0, -0.5], dtype=torch.float64, requires_grad=True)
>>> x = torch.randn(4, 100, dtype=torch.float64)
>>> dt.lfilter(b, a, x).pow(2).mean().backward()
>>> b.grad.shape, a.grad.shape
(torch.Size([2]), torch.Size([2]))
"""

import numpy as np
import torch

from . import _diffiir
from ._shapes import move
from .signal import _Allpole, _Lfilter, _Sosfilt

__all__ = ["lfilter", "sosfilt", "allpole", "lfilter_zi", "sosfilt_zi", "freqz", "sosfreqz", "lfilter_fsm", "sosfilt_fsm", "param"]


def _check(func, pairs):
    """Validates tensors (device, dtype, one dtype per call) and returns them as numpy arrays (an omitted ``zi``,
    None, is kept; None for any other argument is a TypeError)."""
    dtype = None
    out = []
    for name, t in pairs:
        if t is None and name == "zi":
            out.append(None)
            continue
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{func}: {name} must be a torch.Tensor; got {type(t).__name__}")
        if t.device.type != "cpu":
            raise TypeError(f"{func}: {name} is on device {t.device}; diffiir's kernels run on the CPU only (call .cpu() first)")
        if t.dtype not in (torch.float32, torch.float64):
            raise TypeError(f"{func}: {name} has dtype {t.dtype}; expected torch.float32 or torch.float64")
        if dtype is not None and t.dtype != dtype:
            raise TypeError(f"{func}: {name} has dtype {t.dtype} but an earlier argument has {dtype}; use one dtype")
        dtype = t.dtype
        out.append(t.detach().contiguous().numpy())
    return out


def _t(a):
    return None if a is None else torch.from_numpy(np.ascontiguousarray(a))


def _flat(g, p, axis):
    """An incoming signal gradient in the core's layout (None stays None)."""
    if g is None:
        return None
    return np.ascontiguousarray(move(g.detach().contiguous().numpy(), axis, -1), dtype=p.dtype).reshape(-1)


class _LfilterFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, b, a, x, zi, axis):
        func = "diffiir.torch.lfilter"
        # zf's gradient stays None when zf is unused (no zeros to make and flatten); the backward handles None.
        ctx.set_materialize_grads(False)
        bn, an, xn, zn = _check(func, [("b", b), ("a", a), ("x", x), ("zi", zi)])
        p = _Lfilter(bn, an, xn, axis, zn, func=func)
        y, zf = p.run()
        ctx.p, ctx.y, ctx.shapes = p, y, (bn.shape, an.shape, None if zn is None else zn.shape)
        return _t(p.signal_out(y)), _t(p.state_out(zf))

    @staticmethod
    def backward(ctx, gy, gzf):
        p, (sb, sa, sz) = ctx.p, ctx.shapes
        nb, na, nx, nz, _ = ctx.needs_input_grad
        gyf = _flat(gy, p, p.axis) if gy is not None else np.zeros(p.batch * p.t, p.dtype)
        gx, gb, ga, gzi = _diffiir.lfilter_adjoint(
            p.b, p.lb, p.kb, p.a, p.la, p.ka, p.x, ctx.y, p.batch, gyf, _flat(gzf, p, p.axis), [nx, nb, na, nz and sz is not None]
        )
        return (
            _t(None if gb is None else gb.reshape(sb)),
            _t(None if ga is None else ga.reshape(sa)),
            _t(None if gx is None else p.signal_out(gx)),
            _t(None if gzi is None else p.state_out(gzi)),
            None,
        )


def lfilter(b, a, x, axis=-1, zi=None):
    """Differentiable ``diffiir.lfilter`` (scipy.signal.lfilter semantics) on tensors: returns ``y``, or
    ``(y, zf)`` when ``zi`` is given. Shapes as in :func:`diffiir.lfilter`."""
    y, zf = _LfilterFn.apply(b, a, x, zi, axis)
    return y if zi is None else (y, zf)


class _SosfiltFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, sos, x, zi, axis, record):
        func = "diffiir.torch.sosfilt"
        ctx.set_materialize_grads(False)
        sn, xn, zn = _check(func, [("sos", sos), ("x", x), ("zi", zi)])
        p = _Sosfilt(sn, xn, axis, zn, func=func)
        # The tape is only needed by the backward (none under no_grad or without grad-requiring inputs).
        y, zf, tape = p.run(tape=record and any(ctx.needs_input_grad))
        ctx.p, ctx.y, ctx.tape, ctx.shape = p, y, tape, sn.shape
        return _t(p.signal_out(y)), _t(p.state_out(zf))

    @staticmethod
    def backward(ctx, gy, gzf):
        p = ctx.p
        ns, nx, nz, _, _ = ctx.needs_input_grad
        gyf = _flat(gy, p, p.axis) if gy is not None else np.zeros(p.batch * p.t, p.dtype)
        gzff = None
        if gzf is not None:
            z = gzf.detach().contiguous().numpy()
            gzff = np.ascontiguousarray(np.moveaxis(np.moveaxis(z, 1 + p.axis, -1), 0, -2), dtype=p.dtype).reshape(-1)
        gx, gs, gzi = _diffiir.sosfilt_adjoint(p.sos, p.ls, p.k, p.x, ctx.y, ctx.tape, p.batch, gyf, gzff, [nx, ns, nz and p.zi is not None])
        return (
            _t(None if gs is None else gs.reshape(ctx.shape)),
            _t(None if gx is None else p.signal_out(gx)),
            _t(None if gzi is None else p.state_out(gzi)),
            None,
            None,
        )


def sosfilt(sos, x, axis=-1, zi=None):
    """Differentiable ``diffiir.sosfilt`` (scipy.signal.sosfilt semantics, zi ``(n_sections, ..., 2, ...)``)."""
    # Inside apply() grad mode is always off, so whether a graph is being built is read here.
    y, zf = _SosfiltFn.apply(sos, x, zi, axis, torch.is_grad_enabled())
    return y if zi is None else (y, zf)


class _AllpoleFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, a, zi):
        func = "diffiir.torch.allpole"
        xn, an, zn = _check(func, [("x", x), ("a", a), ("zi", zi)])
        p = _Allpole(xn, an, zn, func=func)
        y, _ = p.run()
        ctx.p, ctx.y, ctx.shape = p, y, an.shape
        return _t(p.signal_out(y))

    @staticmethod
    def backward(ctx, gy):
        p = ctx.p
        nx, na, nz = ctx.needs_input_grad
        gyf = np.ascontiguousarray(gy.detach().numpy(), dtype=p.dtype).reshape(-1)
        gx, ga, gzi = _diffiir.allpole_adjoint(ctx.y, p.batch, p.a, p.la, p.n, p.zi, gyf, None, [nx, na, nz and p.zi is not None])
        return (
            _t(None if gx is None else p.signal_out(gx)),
            _t(None if ga is None else ga.reshape(ctx.shape)),
            _t(None if gzi is None else gzi.reshape(tuple(p.batch_shape) + (p.n,))),
        )


def allpole(x, a, zi=None):
    """Differentiable ``diffiir.allpole`` (torchlpc ``sample_wise_lpc`` semantics): ``x`` ``batch + (T,)``, ``a``
    ``(N,)`` / ``batch + (N,)`` / ``batch + (T, N)``, ``zi`` ``batch + (N,)``. Returns ``y``; the final state is
    ``y[..., -1:-N-1:-1]``, differentiable as any slice."""
    return _AllpoleFn.apply(x, a, zi)


class _LfilterZiFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, b, a):
        from .signal import lfilter_zi as np_zi

        bn, an = _check("diffiir.torch.lfilter_zi", [("b", b), ("a", a)])
        ctx.save_for_backward(b, a)
        return _t(np_zi(bn, an))

    @staticmethod
    def backward(ctx, g):
        b, a = ctx.saved_tensors
        bn, an = b.detach().numpy(), a.detach().numpy()
        per = bn.ndim > 1
        batch = int(np.prod(bn.shape[:-1])) if per else 1
        gb, ga = _diffiir.lfilter_zi_adjoint(
            bn.reshape(-1), an.reshape(-1), per, bn.shape[-1], an.shape[-1], batch, np.ascontiguousarray(g.detach().numpy(), dtype=bn.dtype).reshape(-1)
        )
        return _t(gb.reshape(bn.shape)), _t(ga.reshape(an.shape))


def lfilter_zi(b, a):
    """Differentiable ``diffiir.lfilter_zi`` (scipy semantics; ``batch + (nb,)`` coefficients give ``batch + (M,)``)."""
    return _LfilterZiFn.apply(b, a)


class _SosfiltZiFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, sos):
        from .signal import sosfilt_zi as np_zi

        (sn,) = _check("diffiir.torch.sosfilt_zi", [("sos", sos)])
        ctx.save_for_backward(sos)
        return _t(np_zi(sn))

    @staticmethod
    def backward(ctx, g):
        (sos,) = ctx.saved_tensors
        sn = sos.detach().numpy()
        lead, s = sn.shape[:-2], sn.shape[-2]
        per = len(lead) > 0
        gz = np.moveaxis(g.detach().numpy(), 0, -2)  # (S,) + batch + (2,) -> batch + (S, 2)
        gs = _diffiir.sosfilt_zi_adjoint(sn.reshape(-1), per, 6 * s, int(np.prod(lead)) if per else 1, np.ascontiguousarray(gz, dtype=sn.dtype).reshape(-1))
        return _t(gs.reshape(sn.shape))


def sosfilt_zi(sos):
    """Differentiable ``diffiir.sosfilt_zi`` (scipy semantics)."""
    return _SosfiltZiFn.apply(sos)


from . import torch_param as param  # noqa: E402 - diffiir.torch.param (needs _check above)
from .torch_freq import freqz, lfilter_fsm, sosfilt_fsm, sosfreqz  # noqa: E402, F401
