"""``diffiir.torch.param``: autograd twins of :mod:`diffiir.param`, same names and signatures.

Forward and backward both call the Rust core: the backward is the map's adjoint (vector-Jacobian product).
Tensors: CPU, float32 or float64 (one dtype per call); Python numbers are accepted for tensor arguments and
taken as constants of that dtype. Inputs broadcast together; each input's gradient is summed back to its own
shape. ``kind``, ``fs`` and ``q_min`` are plain Python values (not differentiated). First-order gradients only.

Example
-------
>>> import torch
>>> import diffiir.torch as dt
>>> u = torch.zeros(4, 2, dtype=torch.float64, requires_grad=True)  # 4 sections, predicted by a network
>>> a1, a2 = dt.param.biquad_triangle(u[:, 0], u[:, 1])
>>> sos = torch.stack([torch.ones(4), torch.zeros(4), torch.zeros(4), torch.ones(4), a1, a2], -1)
>>> dt.sosfilt(sos, torch.randn(1000, dtype=torch.float64)).pow(2).sum().backward()
>>> u.grad.shape
torch.Size([4, 2])
"""

import numbers

import numpy as np
import torch

from . import _diffiir
from . import param as _np
from .torch import _check

__all__ = list(_np.__all__)
RBJ_KINDS = _np.RBJ_KINDS


def _tensors(func, pairs):
    """Python numbers become constant tensors of the call's dtype (torch.py's checks follow in forward)."""
    dtype = next((t.dtype for _, t in pairs if isinstance(t, torch.Tensor)), None)
    out = []
    for name, t in pairs:
        if isinstance(t, numbers.Real) and not isinstance(t, bool):
            if dtype is None:
                raise TypeError(f"{func}: at least one of {', '.join(n for n, _ in pairs)} must be a torch.Tensor")
            t = torch.tensor(float(t), dtype=dtype)
        out.append(t)
    return out


def _reduce(g, shape):
    """Sums a broadcast gradient back to ``shape``."""
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return torch.from_numpy(np.array(g, copy=True).reshape(shape))


class _Stacked(torch.autograd.Function):
    """Inputs broadcast and stacked to ``[sets, P]``; ``fwd(flat) -> [sets, K]``, ``adj(flat, gflat) -> [sets, P]``;
    the outputs are ``parts`` (ints or slices) of the last axis."""

    @staticmethod
    def forward(ctx, spec, *tensors):
        func, names, fwd, adj, k, parts = spec
        arrs = _check(func, list(zip(names, tensors)))
        try:
            b = np.broadcast_arrays(*arrs)
        except ValueError:
            shapes = ", ".join(f"{n} {tuple(a.shape)}" for n, a in zip(names, arrs))
            raise ValueError(f"{func}: the inputs do not broadcast together: {shapes}") from None
        shape = b[0].shape
        flat = np.ascontiguousarray(np.stack(b, axis=-1)).reshape(-1)
        out = fwd(flat).reshape(shape + (k,))
        ctx.spec, ctx.flat, ctx.shape, ctx.shapes = spec, flat, shape, [a.shape for a in arrs]
        return tuple(torch.from_numpy(out[..., p].copy()) for p in parts)

    @staticmethod
    def backward(ctx, *grads):
        _, _, _, adj, k, parts = ctx.spec
        g = np.zeros(ctx.shape + (k,), ctx.flat.dtype)
        for p, gp in zip(parts, grads):
            if gp is not None:
                g[..., p] = gp.detach().numpy()
        gin = adj(ctx.flat, g.reshape(-1)).reshape(ctx.shape + (len(ctx.shapes),))
        need = ctx.needs_input_grad[1:]
        return (None,) + tuple(_reduce(gin[..., i], s) if n else None for i, (s, n) in enumerate(zip(ctx.shapes, need)))


def _apply(func, names, values, fwd, adj, k, parts):
    out = _Stacked.apply((func, names, fwd, adj, k, parts), *_tensors(func, list(zip(names, values))))
    return out if len(out) > 1 else out[0]


def biquad_triangle(u1, u2):
    """Differentiable :func:`diffiir.param.biquad_triangle`: ``(a1, a2)`` strictly inside the stability triangle."""
    return _apply("diffiir.torch.param.biquad_triangle", ("u1", "u2"), (u1, u2), _diffiir.triangle, _diffiir.triangle_adjoint, 2, (0, 1))


def pole_pair(r_raw, theta):
    """Differentiable :func:`diffiir.param.pole_pair`: ``(a1, a2) = (−2r cos θ, r²)``, ``r = (1−ε)σ(r_raw)``."""
    f, a = _diffiir.conjugate_pair, _diffiir.conjugate_pair_adjoint
    return _apply("diffiir.torch.param.pole_pair", ("r_raw", "theta"), (r_raw, theta), f, a, 2, (0, 1))


def reflection(u):
    """Differentiable :func:`diffiir.param.reflection`: ``k = (1−ε)tanh(u)``."""
    return _apply("diffiir.torch.param.reflection", ("u",), (u,), _diffiir.reflection, _diffiir.reflection_adjoint, 1, (0,))


def lar_to_reflection(g):
    """Differentiable :func:`diffiir.param.lar_to_reflection`: ``k = (1−ε)tanh(g/2)``."""
    f, a = _diffiir.lar_reflection, _diffiir.lar_reflection_adjoint
    return _apply("diffiir.torch.param.lar_to_reflection", ("g",), (g,), f, a, 1, (0,))


def rbj(kind, f0, q, gain_db, fs):
    """Differentiable :func:`diffiir.param.rbj`: ``(b, a)``, ``(..., 3)`` each; gradients for ``f0``, ``q``,
    ``gain_db``."""
    func = "diffiir.torch.param.rbj"
    kind, fs = _np._kind(func, kind), _np._positive(func, "fs", fs)

    def fwd(p):
        return _diffiir.rbj(kind, p, fs)

    def adj(p, g):
        return _diffiir.rbj_adjoint(kind, p, fs, g)

    return _apply(func, ("f0", "q", "gain_db"), (f0, q, gain_db), fwd, adj, 6, (slice(0, 3), slice(3, 6)))


def rbj_params(u_f, u_q, u_g, fs, q_min=0.1):
    """Differentiable :func:`diffiir.param.rbj_params`: ``(f0, q, gain_db)`` from any reals."""
    func = "diffiir.torch.param.rbj_params"
    fs, q_min = _np._positive(func, "fs", fs), _np._positive(func, "q_min", q_min)

    def fwd(u):
        return _diffiir.rbj_params(u, fs, q_min)

    def adj(u, g):
        return _diffiir.rbj_params_adjoint(u, fs, q_min, g)

    return _apply(func, ("u_f", "u_q", "u_g"), (u_f, u_q, u_g), fwd, adj, 3, (0, 1, 2))


def svf(g, r, c_lp, c_bp, c_hp):
    """Differentiable :func:`diffiir.param.svf`: the TPT state-variable filter's biquad ``(b, a)``."""
    names = ("g", "r", "c_lp", "c_bp", "c_hp")
    parts = (slice(0, 3), slice(3, 6))
    return _apply("diffiir.torch.param.svf", names, (g, r, c_lp, c_bp, c_hp), _diffiir.svf, _diffiir.svf_adjoint, 6, parts)


class _StepUp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, k):
        (kn,) = _check("diffiir.torch.param.reflection_to_lpc", [("k", k)])
        ctx.kn = kn
        return torch.from_numpy(_np.reflection_to_lpc(kn))

    @staticmethod
    def backward(ctx, ga):
        kn = ctx.kn
        n = kn.shape[-1]
        g = np.ascontiguousarray(ga.detach().numpy()[..., 1:], dtype=kn.dtype).reshape(-1)  # a[0] = 1 is constant
        return torch.from_numpy(_diffiir.step_up_adjoint(kn.reshape(-1), n, g).reshape(kn.shape))


def reflection_to_lpc(k):
    """Differentiable :func:`diffiir.param.reflection_to_lpc`: ``k`` ``(..., N)`` → ``a = [1, a1..aN]``."""
    return _StepUp.apply(k)


class _StepDown(torch.autograd.Function):
    """The backward inverts the step-up Jacobian (built from the core's ``step_up_adjoint``, one row per
    coefficient): ``k = step_down(a)`` and ``a = step_up(k)`` are inverse maps. Non-finite where some ``|k| = 1``."""

    @staticmethod
    def forward(ctx, a):
        (an,) = _check("diffiir.torch.param.lpc_to_reflection", [("a", a)])
        k = _np.lpc_to_reflection(an)
        ctx.an, ctx.k = an, k
        return torch.from_numpy(k)

    @staticmethod
    def backward(ctx, gk):
        an, k = ctx.an, ctx.k
        n, lead = k.shape[-1], k.shape[:-1]
        sets = int(np.prod(lead, dtype=np.int64))
        krep = np.ascontiguousarray(np.repeat(k.reshape(sets, 1, n), n, axis=1)).reshape(-1)
        eye = np.ascontiguousarray(np.broadcast_to(np.eye(n, dtype=k.dtype), (sets, n, n))).reshape(-1)
        jac = _diffiir.step_up_adjoint(krep, n, eye).reshape(sets, n, n)  # jac[s, i, j] = ∂a_i/∂k_j
        gkn = gk.detach().numpy().reshape(sets, n, 1).astype(k.dtype)
        jt = np.swapaxes(jac, 1, 2)
        try:
            ga = np.linalg.solve(jt, gkn)[..., 0]
        except np.linalg.LinAlgError:  # some set has a root on the unit circle: NaN there (no gradient exists)
            ga = np.full((sets, n), np.nan, k.dtype)
            for s in range(sets):
                try:
                    ga[s] = np.linalg.solve(jt[s], gkn[s])[:, 0]
                except np.linalg.LinAlgError:
                    pass
        ga = ga.reshape(lead + (n,))
        a0 = an[..., :1]
        g0 = -(ga * an[..., 1:]).sum(-1, keepdims=True) / (a0 * a0)
        return torch.from_numpy(np.ascontiguousarray(np.concatenate([g0, ga / a0], axis=-1)))


def lpc_to_reflection(a):
    """Differentiable :func:`diffiir.param.lpc_to_reflection`: ``a`` ``(..., N + 1)`` → ``k`` ``(..., N)``.

    The backward solves one ``N × N`` system per set (the step-up Jacobian from the core's adjoint)."""
    return _StepDown.apply(a)
