//! Autodiff: every op's backward calls the inner backend's fused adjoint once (no chain of primitive ops).

use crate::ops::IirOps;
use burn::backend::autodiff::checkpoint::{base::Checkpointer, strategy::CheckpointStrategy};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::Autodiff;
use burn::backend::tensor::FloatTensor;
use burn::backend::{AutodiffBackend, TensorMetadata};
use burn::tensor::Shape;
use std::sync::{Arc, Mutex};

/// The cell through which an op's `zf` node hands `∂L/∂zf` to the op's `y` node.
///
/// A filter has two outputs but a burn node has one, so `zf` gets its own node whose only parent is `y`'s node.
/// Being `y`'s child it is deeper, and burn runs deeper steps first: its backward stores the gradient here before
/// the `y` node's backward runs the fused adjoint once with both gradients. No packed output, no slicing and no
/// zero-filled gradient buffers on the common path (loss on `y` only: the `zf` node is then not on the tape).
type Stash<B> = Arc<Mutex<Option<FloatTensor<B>>>>;

/// `∂L/∂zf` if the `zf` node ran, else zeros `[B, M]` like `zi`.
fn take_gzf<B: burn::backend::Backend>(stash: &Stash<B>, like: &FloatTensor<B>) -> FloatTensor<B> {
    stash.lock().ok().and_then(|mut g| g.take()).unwrap_or_else(|| zeros::<B>(like.shape(), like))
}

fn zeros<B: burn::backend::Backend>(shape: Shape, like: &FloatTensor<B>) -> FloatTensor<B> {
    B::float_zeros(shape, &like.device(), like.dtype().into())
}

#[derive(Debug, Clone)]
struct ZfState<B: burn::backend::Backend> {
    stash: Stash<B>,
    y_shape: Shape,
}

#[derive(Debug)]
struct ZfBackward;

impl<B: burn::backend::Backend> Backward<B, 1> for ZfBackward {
    type State = ZfState<B>;

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let g = grads.consume::<B>(&ops.node);
        // `y`'s node must receive a gradient to run; zeros add nothing to what the loss gives it.
        if let [Some(parent)] = &ops.parents {
            grads.register::<B>(parent.id, zeros::<B>(ops.state.y_shape.clone(), &g));
        }
        if let Ok(mut cell) = ops.state.stash.lock() {
            *cell = Some(g);
        }
    }
}

/// Wraps the inner backend's `zf` as the child node of `y` described at [`Stash`].
fn final_state<B: burn::backend::Backend, C: CheckpointStrategy>(
    y: &FloatTensor<Autodiff<B, C>>,
    zf: FloatTensor<B>,
    stash: Stash<B>,
) -> FloatTensor<Autodiff<B, C>> {
    let state = ZfState { stash, y_shape: y.shape() };
    match ZfBackward.prepare::<C>([y.node()]).compute_bound().stateful() {
        OpsKind::Tracked(prep) => prep.finish(state, zf),
        OpsKind::UnTracked(prep) => prep.finish(zf),
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
    y: FloatTensor<B>,
    zi: FloatTensor<B>,
    stash: Stash<B>,
}

#[derive(Debug)]
struct LfilterBackward;

impl<B: IirOps> Backward<B, 4> for LfilterBackward {
    type State = LfilterState<B>;

    fn backward(self, ops: Ops<Self::State, 4>, grads: &mut Gradients, _: &mut Checkpointer) {
        let ids = ops.parents.map(|n| n.map(|n| n.id));
        let g = grads.consume::<B>(&ops.node);
        let s = ops.state;
        let gzf = take_gzf::<B>(&s.stash, &s.zi);
        let (gb, ga, gx, gzi) = B::lfilter_adjoint(s.b, s.a, s.x, s.y, g, gzf);
        register::<B, 4>(grads, ids, [gb, ga, gx, gzi]);
    }
}

/// What `sosfilt`'s backward keeps from the forward.
#[derive(Debug, Clone)]
struct SosfiltState<B: burn::backend::Backend> {
    sos: FloatTensor<B>,
    x: FloatTensor<B>,
    y: FloatTensor<B>,
    zi: FloatTensor<B>,
    tape: FloatTensor<B>,
    stash: Stash<B>,
}

#[derive(Debug)]
struct SosfiltBackward;

impl<B: IirOps> Backward<B, 3> for SosfiltBackward {
    type State = SosfiltState<B>;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let ids = ops.parents.map(|n| n.map(|n| n.id));
        let g = grads.consume::<B>(&ops.node);
        let s = ops.state;
        let gzf = take_gzf::<B>(&s.stash, &s.zi);
        let (gs, gx, gzi) = B::sosfilt_adjoint(s.sos, s.x, s.y, s.tape, g, gzf);
        register::<B, 3>(grads, ids, [gs, gx, gzi]);
    }
}

/// What `allpole`'s backward keeps from the forward.
#[derive(Debug, Clone)]
struct AllpoleState<B: burn::backend::Backend> {
    a: FloatTensor<B>,
    zi: FloatTensor<B>,
    y: FloatTensor<B>,
    stash: Stash<B>,
}

#[derive(Debug)]
struct AllpoleBackward;

impl<B: IirOps> Backward<B, 3> for AllpoleBackward {
    type State = AllpoleState<B>;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let ids = ops.parents.map(|n| n.map(|n| n.id));
        let g = grads.consume::<B>(&ops.node);
        let s = ops.state;
        let gzf = take_gzf::<B>(&s.stash, &s.zi);
        let (gx, ga, gzi) = B::allpole_adjoint(s.y, s.a, s.zi, g, gzf);
        register::<B, 3>(grads, ids, [gx, ga, gzi]);
    }
}

impl<B: IirOps, C: CheckpointStrategy> IirOps for Autodiff<B, C> {
    fn lfilter(
        b: FloatTensor<Self>,
        a: FloatTensor<Self>,
        x: FloatTensor<Self>,
        zi: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let guards = [b.node(), a.node(), x.node(), zi.node()];
        let (bp, ap, xp, zp) = (b.primitive().clone(), a.primitive().clone(), x.primitive().clone(), zi.primitive().clone());
        let (y, zf) = B::lfilter(b.into_primitive(), a.into_primitive(), x.into_primitive(), zi.into_primitive());
        let stash = Stash::<B>::default();
        let y = match LfilterBackward.prepare::<C>(guards).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(LfilterState { b: bp, a: ap, x: xp, y: y.clone(), zi: zp, stash: stash.clone() }, y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        };
        let zf = final_state::<B, C>(&y, zf, stash);
        (y, zf)
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

    fn sosfilt(
        sos: FloatTensor<Self>,
        x: FloatTensor<Self>,
        zi: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let guards = [sos.node(), x.node(), zi.node()];
        let (sp, xp, zp) = (sos.primitive().clone(), x.primitive().clone(), zi.primitive().clone());
        let (y, zf, tape) = B::sosfilt(sos.into_primitive(), x.into_primitive(), zi.into_primitive());
        let stash = Stash::<B>::default();
        let state = SosfiltState { sos: sp, x: xp, y: y.clone(), zi: zp, tape: tape.clone(), stash: stash.clone() };
        let y = match SosfiltBackward.prepare::<C>(guards).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(state, y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        };
        let zf = final_state::<B, C>(&y, zf, stash);
        (y, zf, Autodiff::<B, C>::from_inner(tape))
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

    fn allpole(x: FloatTensor<Self>, a: FloatTensor<Self>, zi: FloatTensor<Self>) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let guards = [x.node(), a.node(), zi.node()];
        let (ap, zp) = (a.primitive().clone(), zi.primitive().clone());
        let (y, zf) = B::allpole(x.into_primitive(), a.into_primitive(), zi.into_primitive());
        let stash = Stash::<B>::default();
        let y = match AllpoleBackward.prepare::<C>(guards).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(AllpoleState { a: ap, zi: zp, y: y.clone(), stash: stash.clone() }, y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        };
        let zf = final_state::<B, C>(&y, zf, stash);
        (y, zf)
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
