//! Autodiff: every op's backward calls the inner backend's fused adjoint once (no chain of primitive ops).

use crate::ops::IirOps;
use burn::backend::autodiff::checkpoint::{base::Checkpointer, strategy::CheckpointStrategy};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::Autodiff;
use burn::backend::tensor::FloatTensor;
use burn::backend::{AutodiffBackend, TensorMetadata};
use burn::tensor::Slice;

/// An op's flat `y ‖ zf` output as recorded for its backward: `rows` signals of `t` samples, `m` state values.
#[derive(Debug, Clone)]
struct Packed<B: burn::backend::Backend> {
    out: FloatTensor<B>,
    rows: usize,
    t: usize,
    m: usize,
}

impl<B: burn::backend::Backend> Packed<B> {
    /// `(y, ∂L/∂y, ∂L/∂zf)` from the recorded output and its incoming gradient: contiguous ranges, no copies.
    fn split(self, g: FloatTensor<B>) -> (FloatTensor<B>, FloatTensor<B>, FloatTensor<B>) {
        let part = |t, cols: usize, start: usize| {
            B::float_reshape(B::float_slice(t, &[Slice::from(start..start + self.rows * cols)]), [self.rows, cols].into())
        };
        (part(self.out, self.t, 0), part(g.clone(), self.t, 0), part(g, self.m, self.rows * self.t))
    }
}

/// Registers each gradient whose input is tracked.
fn register<B: burn::backend::Backend, const N: usize>(
    grads: &mut Gradients,
    ids: [Option<burn::backend::autodiff::NodeId>; N],
    values: [FloatTensor<B>; N],
) {
    for (id, grad) in ids.into_iter().zip(values) {
        if let Some(id) = id {
            grads.register::<B>(id, grad);
        }
    }
}

/// What `lfilter`'s backward keeps from the forward.
#[derive(Debug, Clone)]
struct LfilterState<B: burn::backend::Backend> {
    b: FloatTensor<B>,
    a: FloatTensor<B>,
    x: FloatTensor<B>,
    packed: Packed<B>,
}

#[derive(Debug)]
struct LfilterBackward;

impl<B: IirOps> Backward<B, 4> for LfilterBackward {
    type State = LfilterState<B>;

    fn backward(self, ops: Ops<Self::State, 4>, grads: &mut Gradients, _: &mut Checkpointer) {
        let ids = ops.parents.map(|n| n.map(|n| n.id));
        let g = grads.consume::<B>(&ops.node);
        let s = ops.state;
        let (y, gy, gzf) = s.packed.split(g);
        let (gb, ga, gx, gzi) = B::lfilter_adjoint(s.b, s.a, s.x, y, gy, gzf);
        register::<B, 4>(grads, ids, [gb, ga, gx, gzi]);
    }
}

/// What `sosfilt`'s backward keeps from the forward.
#[derive(Debug, Clone)]
struct SosfiltState<B: burn::backend::Backend> {
    sos: FloatTensor<B>,
    x: FloatTensor<B>,
    packed: Packed<B>,
    tape: FloatTensor<B>,
}

#[derive(Debug)]
struct SosfiltBackward;

impl<B: IirOps> Backward<B, 3> for SosfiltBackward {
    type State = SosfiltState<B>;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let ids = ops.parents.map(|n| n.map(|n| n.id));
        let g = grads.consume::<B>(&ops.node);
        let s = ops.state;
        let (y, gy, gzf) = s.packed.split(g);
        let (gs, gx, gzi) = B::sosfilt_adjoint(s.sos, s.x, y, s.tape, gy, gzf);
        register::<B, 3>(grads, ids, [gs, gx, gzi]);
    }
}

/// What `allpole`'s backward keeps from the forward.
#[derive(Debug, Clone)]
struct AllpoleState<B: burn::backend::Backend> {
    a: FloatTensor<B>,
    zi: FloatTensor<B>,
    packed: Packed<B>,
}

#[derive(Debug)]
struct AllpoleBackward;

impl<B: IirOps> Backward<B, 3> for AllpoleBackward {
    type State = AllpoleState<B>;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let ids = ops.parents.map(|n| n.map(|n| n.id));
        let g = grads.consume::<B>(&ops.node);
        let s = ops.state;
        let (y, gy, gzf) = s.packed.split(g);
        let (gx, ga, gzi) = B::allpole_adjoint(y, s.a, s.zi, gy, gzf);
        register::<B, 3>(grads, ids, [gx, ga, gzi]);
    }
}

impl<B: IirOps, C: CheckpointStrategy> IirOps for Autodiff<B, C> {
    fn lfilter(b: FloatTensor<Self>, a: FloatTensor<Self>, x: FloatTensor<Self>, zi: FloatTensor<Self>) -> FloatTensor<Self> {
        let guards = [b.node(), a.node(), x.node(), zi.node()];
        let (rows, t, m) = (x.shape()[0], x.shape()[1], zi.shape()[1]);
        let (bp, ap, xp) = (b.primitive().clone(), a.primitive().clone(), x.primitive().clone());
        let packed = B::lfilter(b.into_primitive(), a.into_primitive(), x.into_primitive(), zi.into_primitive());
        match LfilterBackward.prepare::<C>(guards).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                prep.finish(LfilterState { b: bp, a: ap, x: xp, packed: Packed { out: packed.clone(), rows, t, m } }, packed)
            }
            OpsKind::UnTracked(prep) => prep.finish(packed),
        }
    }

    fn lfilter_adjoint(
        b: FloatTensor<Self>,
        a: FloatTensor<Self>,
        x: FloatTensor<Self>,
        y: FloatTensor<Self>,
        gy: FloatTensor<Self>,
        gzf: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        // First-order only (burn's autodiff has no double backward): the adjoint itself is not tracked.
        let (gb, ga, gx, gzi) = B::lfilter_adjoint(
            b.into_primitive(),
            a.into_primitive(),
            x.into_primitive(),
            y.into_primitive(),
            gy.into_primitive(),
            gzf.into_primitive(),
        );
        let wrap = |t| Autodiff::<B, C>::from_inner(t);
        (wrap(gb), wrap(ga), wrap(gx), wrap(gzi))
    }

    fn sosfilt(sos: FloatTensor<Self>, x: FloatTensor<Self>, zi: FloatTensor<Self>) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let guards = [sos.node(), x.node(), zi.node()];
        let (rows, t, m) = (x.shape()[0], x.shape()[1], zi.shape()[1]);
        let (sp, xp) = (sos.primitive().clone(), x.primitive().clone());
        let (packed, tape) = B::sosfilt(sos.into_primitive(), x.into_primitive(), zi.into_primitive());
        let state = SosfiltState { sos: sp, x: xp, packed: Packed { out: packed.clone(), rows, t, m }, tape: tape.clone() };
        let packed = match SosfiltBackward.prepare::<C>(guards).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(state, packed),
            OpsKind::UnTracked(prep) => prep.finish(packed),
        };
        (packed, Autodiff::<B, C>::from_inner(tape))
    }

    fn sosfilt_adjoint(
        sos: FloatTensor<Self>,
        x: FloatTensor<Self>,
        y: FloatTensor<Self>,
        tape: FloatTensor<Self>,
        gy: FloatTensor<Self>,
        gzf: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let (gs, gx, gzi) = B::sosfilt_adjoint(
            sos.into_primitive(),
            x.into_primitive(),
            y.into_primitive(),
            tape.into_primitive(),
            gy.into_primitive(),
            gzf.into_primitive(),
        );
        let wrap = |t| Autodiff::<B, C>::from_inner(t);
        (wrap(gs), wrap(gx), wrap(gzi))
    }

    fn allpole(x: FloatTensor<Self>, a: FloatTensor<Self>, zi: FloatTensor<Self>) -> FloatTensor<Self> {
        let guards = [x.node(), a.node(), zi.node()];
        let (rows, t, n) = (x.shape()[0], x.shape()[1], zi.shape()[1]);
        let (ap, zp) = (a.primitive().clone(), zi.primitive().clone());
        let packed = B::allpole(x.into_primitive(), a.into_primitive(), zi.into_primitive());
        match AllpoleBackward.prepare::<C>(guards).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                prep.finish(AllpoleState { a: ap, zi: zp, packed: Packed { out: packed.clone(), rows, t, m: n } }, packed)
            }
            OpsKind::UnTracked(prep) => prep.finish(packed),
        }
    }

    fn allpole_adjoint(
        y: FloatTensor<Self>,
        a: FloatTensor<Self>,
        zi: FloatTensor<Self>,
        gy: FloatTensor<Self>,
        gzf: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let (gx, ga, gzi) =
            B::allpole_adjoint(y.into_primitive(), a.into_primitive(), zi.into_primitive(), gy.into_primitive(), gzf.into_primitive());
        let wrap = |t| Autodiff::<B, C>::from_inner(t);
        (wrap(gx), wrap(ga), wrap(gzi))
    }
}
