//! Frequency responses and frequency-sampling filters ([`diffiir::freq`]) as differentiable burn ops.
//!
//! Complex values are carried as a trailing axis of 2 (`[..., 2]` = real, imaginary). Each backward calls the
//! core's exact adjoint once. Coefficients are time-invariant: [`Coef::Shared`] or [`Coef::PerSignal`].

use crate::{check, Coef};
use burn::backend::autodiff::checkpoint::{base::Checkpointer, strategy::CheckpointStrategy};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::{Autodiff, NodeId};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{backend_extension, AutodiffBackend, Backend, Dispatch, Flex, TensorMetadata};
use burn::tensor::{DType, Tensor, TensorData};
use diffiir::freq::{self as core, Complex};
use diffiir::{Coefs, Dims, Error, Float, Layout};

/// Frequency response `B(e^{jw}) / A(e^{jw})` at `w` (radians per sample), as `scipy.signal.freqz(b, a, worN=w)`;
/// differentiable w.r.t. `b` and `a`.
///
/// # Arguments
/// * `b`, `a` — `[K]` ([`Coef::Shared`]) or `[B, K]` ([`Coef::PerSignal`]); `a` is not normalised.
/// * `w` — `[N]` angular frequencies, `2π·f/fs`.
///
/// # Returns
/// `h`, `[B, N, 2]` (real, imaginary; `B = 1` for shared coefficients).
///
/// # Examples
/// ```
/// use burn::tensor::{Device, Tensor};
/// use diffiir_burn::{freq::{freqz, mag_db}, Coef};
/// let dev = Device::flex();
/// let (b, a) = (Tensor::<1>::from_data([0.5, 0.5], &dev), Tensor::<1>::from_data([1.0], &dev));
/// let h = freqz(Coef::Shared(b), Coef::Shared(a), &[0.0, std::f64::consts::PI]).unwrap();
/// let db = mag_db(h, 1e-20); // [1, 2]: 0 dB at DC, the floor at Nyquist
/// assert!(db.into_data().to_vec::<f32>().unwrap()[0].abs() < 1e-5);
/// ```
pub fn freqz(b: Coef, a: Coef, w: &[f64]) -> Result<Tensor<3>, Error> {
    let batch = lti_batch("freqz", &[&b, &a])?;
    let (bh, ah) = (host(&b)?, host(&a)?);
    core::freqz(coefs(&b, &bh), coefs(&a, &ah), batch, &[])?;
    let wt = w_tensor(w, &b);
    Ok(Tensor::from_dispatch(Dispatch::freqz(b.into_dispatch(), a.into_dispatch(), wt.into_dispatch())))
}

/// Frequency response of a cascade of second-order sections (rows `[b0, b1, b2, a0, a1, a2]` flattened along
/// the last axis, `S·6` values), as `scipy.signal.sosfreqz(sos, worN=w)`; differentiable w.r.t. `sos`.
///
/// # Returns
/// `h`, `[B, N, 2]` (`B = 1` for shared sections).
pub fn sosfreqz(sos: Coef, w: &[f64]) -> Result<Tensor<3>, Error> {
    let batch = lti_batch("sosfreqz", &[&sos])?;
    let sh = host(&sos)?;
    core::sosfreqz(coefs(&sos, &sh), batch, &[])?;
    let wt = w_tensor(w, &sos);
    Ok(Tensor::from_dispatch(Dispatch::sosfreqz(sos.into_dispatch(), wt.into_dispatch())))
}

/// Magnitude in dB, `10·log10(re² + im² + floor)`, of a `[B, N, 2]` response → `[B, N]` (burn primitives,
/// differentiable); `floor` (e.g. `1e-20`) keeps the log finite at zeros of the response.
pub fn mag_db(h: Tensor<3>, floor: f64) -> Tensor<2> {
    let power = h.powi_scalar(2).sum_dim(2).squeeze_dim::<2>(2);
    (power + floor).log() * (10.0 / std::f64::consts::LN_10)
}

/// `lfilter` by frequency sampling: `y = irfft(rfft(x, n)·H_n)[:T]`, an approximation that converges to the
/// exact filter as `n_fft` grows (time aliasing of the impulse response); differentiable w.r.t. `b`, `a`, `x`.
///
/// # Arguments
/// * `b`, `a` — `[K]` or `[B, K]`; `x` — `[B, T]`.
/// * `n_fft` — FFT length; `None` picks the core's default from the largest pole radius (relative error about
///   [`diffiir::freq::FSM_TOL`]).
///
/// # Errors
/// Shapes, per-sample coefficients, poles on or outside the unit circle (with `n_fft = None`).
pub fn lfilter_fsm(b: Coef, a: Coef, x: Tensor<2>, n_fft: Option<usize>) -> Result<Tensor<2>, Error> {
    let [batch, t] = x.dims();
    let d = Dims::new(batch, t);
    lti_batch("lfilter_fsm", &[&b, &a])?;
    check::dims("lfilter_fsm", "b", &b, d)?;
    check::dims("lfilter_fsm", "a", &a, d)?;
    let (bh, ah) = (host(&b)?, host(&a)?);
    let n = match n_fft {
        Some(n) => n,
        None => core::lfilter_fsm_n_fft(coefs(&b, &bh), coefs(&a, &ah), d)?,
    };
    // One row of the real call validates everything else (a[0] ≠ 0, n_fft ≥ 1) at negligible cost.
    core::lfilter_fsm(coefs(&b, &bh), coefs(&a, &ah), &vec![0.0; batch], Dims::new(batch, 1), Some(n))?;
    Ok(Tensor::from_dispatch(Dispatch::lfilter_fsm(b.into_dispatch(), a.into_dispatch(), x.into_dispatch(), n)))
}

/// `sosfilt` by frequency sampling (see [`lfilter_fsm`]); differentiable w.r.t. `sos` and `x`.
pub fn sosfilt_fsm(sos: Coef, x: Tensor<2>, n_fft: Option<usize>) -> Result<Tensor<2>, Error> {
    let [batch, t] = x.dims();
    let d = Dims::new(batch, t);
    lti_batch("sosfilt_fsm", &[&sos])?;
    check::dims("sosfilt_fsm", "sos", &sos, d)?;
    let sh = host(&sos)?;
    let n = match n_fft {
        Some(n) => n,
        None => core::sosfilt_fsm_n_fft(coefs(&sos, &sh), d)?,
    };
    core::sosfilt_fsm(coefs(&sos, &sh), &vec![0.0; batch], Dims::new(batch, 1), Some(n))?;
    Ok(Tensor::from_dispatch(Dispatch::sosfilt_fsm(sos.into_dispatch(), x.into_dispatch(), n)))
}

/// Number of filters described by time-invariant coefficients (1 if all are shared).
fn lti_batch(func: &'static str, cs: &[&Coef]) -> Result<usize, Error> {
    let mut batch = 1;
    for c in cs {
        match c {
            Coef::Shared(_) => {}
            Coef::PerSignal(t) => batch = t.dims()[0],
            Coef::PerSample(_) => {
                let arg = "coefficients";
                return Err(Error::Shape { func, arg, expected: "[K] or [B, K] (time-invariant)".into(), got: "per-sample".into() });
            }
        }
    }
    Ok(batch)
}

fn host(c: &Coef) -> Result<Vec<f64>, Error> {
    let data = match c {
        Coef::Shared(t) => t.clone().into_data(),
        Coef::PerSignal(t) => t.clone().into_data(),
        Coef::PerSample(t) => t.clone().into_data(),
    };
    check::host(data, "freq", "coefficients")
}

fn coefs<'a, T>(c: &Coef, data: &'a [T]) -> Coefs<'a, T> {
    let layout = if matches!(c, Coef::Shared(_)) { Layout::Shared } else { Layout::PerSignal };
    Coefs { data, layout, k: c.k() }
}

fn w_tensor(w: &[f64], like: &Coef) -> Tensor<1> {
    let (device, dtype) = match like {
        Coef::Shared(t) => (t.device(), t.dtype()),
        Coef::PerSignal(t) => (t.device(), t.dtype()),
        Coef::PerSample(t) => (t.device(), t.dtype()),
    };
    Tensor::from_data(TensorData::new(w.to_vec(), [w.len()]), (&device, dtype))
}

/// The frequency-domain ops: forward and adjoint each.
#[backend_extension(Flex, Autodiff)]
pub trait FreqOps: Backend {
    /// `b [K] | [B, K]`, `a`, `w [N]` → `h [B, N, 2]`.
    fn freqz(b: FloatTensor<Self>, a: FloatTensor<Self>, w: FloatTensor<Self>) -> FloatTensor<Self>;
    /// `(∂b, ∂a)` from `∂h`.
    fn freqz_adjoint(
        b: FloatTensor<Self>,
        a: FloatTensor<Self>,
        w: FloatTensor<Self>,
        g: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>);
    /// `sos [S·6] | [B, S·6]`, `w [N]` → `h [B, N, 2]`.
    fn sosfreqz(sos: FloatTensor<Self>, w: FloatTensor<Self>) -> FloatTensor<Self>;
    /// `∂sos` from `∂h`.
    fn sosfreqz_adjoint(sos: FloatTensor<Self>, w: FloatTensor<Self>, g: FloatTensor<Self>) -> FloatTensor<Self>;
    /// Frequency-sampling `lfilter`, `x [B, T]` → `y [B, T]`.
    fn lfilter_fsm(b: FloatTensor<Self>, a: FloatTensor<Self>, x: FloatTensor<Self>, n_fft: usize) -> FloatTensor<Self>;
    /// `(∂b, ∂a, ∂x)` from `∂y`.
    fn lfilter_fsm_adjoint(
        b: FloatTensor<Self>,
        a: FloatTensor<Self>,
        x: FloatTensor<Self>,
        gy: FloatTensor<Self>,
        n_fft: usize,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
    /// Frequency-sampling `sosfilt`.
    fn sosfilt_fsm(sos: FloatTensor<Self>, x: FloatTensor<Self>, n_fft: usize) -> FloatTensor<Self>;
    /// `(∂sos, ∂x)` from `∂y`.
    fn sosfilt_fsm_adjoint(
        sos: FloatTensor<Self>,
        x: FloatTensor<Self>,
        gy: FloatTensor<Self>,
        n_fft: usize,
    ) -> (FloatTensor<Self>, FloatTensor<Self>);
}

mod flex {
    use super::*;

    pub(super) trait El: Float + core::FftNum + burn::tensor::Element + bytemuck::Pod {}
    impl El for f32 {}
    impl El for f64 {}

    pub(super) fn s<T: El>(t: &FlexTensor) -> &[T] {
        t.as_slice::<T>().unwrap_or(&[])
    }
    pub(super) fn c<'a, T>(t: &FlexTensor, data: &'a [T]) -> Coefs<'a, T> {
        let shape = t.shape();
        let layout = if shape.num_dims() == 1 { Layout::Shared } else { Layout::PerSignal };
        Coefs { data, layout, k: shape[shape.num_dims() - 1] }
    }
    pub(super) fn batch(t: &FlexTensor) -> usize {
        let shape = t.shape();
        if shape.num_dims() == 1 {
            1
        } else {
            shape[0]
        }
    }
    pub(super) fn out<T: burn::tensor::Element>(v: Vec<T>, shape: Vec<usize>) -> FlexTensor {
        FlexTensor::from_data(TensorData::new(v, shape))
    }
    pub(super) fn complex<T: El>(h: Vec<Complex<T>>, batch: usize) -> FlexTensor {
        let n = h.len() / batch.max(1);
        out(h.iter().flat_map(|h| [h.re, h.im]).collect::<Vec<T>>(), vec![batch, n, 2])
    }
    pub(super) fn uncomplex<T: El>(g: &[T]) -> Vec<Complex<T>> {
        g.chunks_exact(2).map(|p| Complex::new(p[0], p[1])).collect()
    }
    pub(super) fn nan<T: El>(n: usize) -> Vec<T> {
        vec![T::nan(); n]
    }
    pub(super) fn dims(x: &FlexTensor) -> Dims {
        Dims::new(x.shape()[0], x.shape()[1])
    }

    pub(super) fn freqz<T: El>(b: &FlexTensor, a: &FlexTensor, w: &FlexTensor) -> FlexTensor {
        let (bt, n) = (batch(b).max(batch(a)), s::<T>(w).len());
        let h =
            core::freqz(c(b, s::<T>(b)), c(a, s::<T>(a)), bt, s::<T>(w)).unwrap_or_else(|_| vec![Complex::new(T::nan(), T::nan()); bt * n]);
        complex(h, bt)
    }
    pub(super) fn freqz_adjoint<T: El>(b: &FlexTensor, a: &FlexTensor, w: &FlexTensor, g: &FlexTensor) -> (FlexTensor, FlexTensor) {
        let bt = batch(b).max(batch(a));
        let (gb, ga) = core::freqz_adjoint(c(b, s::<T>(b)), c(a, s::<T>(a)), bt, s::<T>(w), &uncomplex(s::<T>(g)))
            .unwrap_or_else(|_| (nan(s::<T>(b).len()), nan(s::<T>(a).len())));
        (out(gb, b.shape().to_vec()), out(ga, a.shape().to_vec()))
    }
    pub(super) fn sosfreqz<T: El>(sos: &FlexTensor, w: &FlexTensor) -> FlexTensor {
        let (bt, n) = (batch(sos), s::<T>(w).len());
        let h = core::sosfreqz(c(sos, s::<T>(sos)), bt, s::<T>(w)).unwrap_or_else(|_| vec![Complex::new(T::nan(), T::nan()); bt * n]);
        complex(h, bt)
    }
    pub(super) fn sosfreqz_adjoint<T: El>(sos: &FlexTensor, w: &FlexTensor, g: &FlexTensor) -> FlexTensor {
        let gs = core::sosfreqz_adjoint(c(sos, s::<T>(sos)), batch(sos), s::<T>(w), &uncomplex(s::<T>(g)))
            .unwrap_or_else(|_| nan(s::<T>(sos).len()));
        out(gs, sos.shape().to_vec())
    }
    pub(super) fn lfilter_fsm<T: El>(b: &FlexTensor, a: &FlexTensor, x: &FlexTensor, n: usize) -> FlexTensor {
        let d = dims(x);
        let y = core::lfilter_fsm(c(b, s::<T>(b)), c(a, s::<T>(a)), s::<T>(x), d, Some(n)).unwrap_or_else(|_| nan(d.numel()));
        out(y, x.shape().to_vec())
    }
    pub(super) fn lfilter_fsm_adjoint<T: El>(
        b: &FlexTensor,
        a: &FlexTensor,
        x: &FlexTensor,
        gy: &FlexTensor,
        n: usize,
    ) -> (FlexTensor, FlexTensor, FlexTensor) {
        let d = dims(x);
        let g = core::lfilter_fsm_adjoint(c(b, s::<T>(b)), c(a, s::<T>(a)), s::<T>(x), d, Some(n), s::<T>(gy))
            .unwrap_or_else(|_| core::FsmGrads { x: nan(d.numel()), b: nan(s::<T>(b).len()), a: nan(s::<T>(a).len()) });
        (out(g.b, b.shape().to_vec()), out(g.a, a.shape().to_vec()), out(g.x, x.shape().to_vec()))
    }
    pub(super) fn sosfilt_fsm<T: El>(sos: &FlexTensor, x: &FlexTensor, n: usize) -> FlexTensor {
        let d = dims(x);
        let y = core::sosfilt_fsm(c(sos, s::<T>(sos)), s::<T>(x), d, Some(n)).unwrap_or_else(|_| nan(d.numel()));
        out(y, x.shape().to_vec())
    }
    pub(super) fn sosfilt_fsm_adjoint<T: El>(sos: &FlexTensor, x: &FlexTensor, gy: &FlexTensor, n: usize) -> (FlexTensor, FlexTensor) {
        let d = dims(x);
        let g = core::sosfilt_fsm_adjoint(c(sos, s::<T>(sos)), s::<T>(x), d, Some(n), s::<T>(gy)).unwrap_or_else(|_| core::FsmGrads {
            x: nan(d.numel()),
            b: nan(s::<T>(sos).len()),
            a: vec![],
        });
        (out(g.b, sos.shape().to_vec()), out(g.x, x.shape().to_vec()))
    }
}

macro_rules! by_dtype {
    ($t:expr, $f:ident($($arg:expr),*)) => {{
        match $t.dtype() {
            DType::F64 => flex::$f::<f64>($($arg),*),
            _ => flex::$f::<f32>($($arg),*),
        }
    }};
}

impl FreqOps for Flex {
    fn freqz(b: FlexTensor, a: FlexTensor, w: FlexTensor) -> FlexTensor {
        let (b, a, w) = (b.to_contiguous(), a.to_contiguous(), w.to_contiguous());
        by_dtype!(b, freqz(&b, &a, &w))
    }
    fn freqz_adjoint(b: FlexTensor, a: FlexTensor, w: FlexTensor, g: FlexTensor) -> (FlexTensor, FlexTensor) {
        let (b, a, w, g) = (b.to_contiguous(), a.to_contiguous(), w.to_contiguous(), g.to_contiguous());
        by_dtype!(b, freqz_adjoint(&b, &a, &w, &g))
    }
    fn sosfreqz(sos: FlexTensor, w: FlexTensor) -> FlexTensor {
        let (sos, w) = (sos.to_contiguous(), w.to_contiguous());
        by_dtype!(sos, sosfreqz(&sos, &w))
    }
    fn sosfreqz_adjoint(sos: FlexTensor, w: FlexTensor, g: FlexTensor) -> FlexTensor {
        let (sos, w, g) = (sos.to_contiguous(), w.to_contiguous(), g.to_contiguous());
        by_dtype!(sos, sosfreqz_adjoint(&sos, &w, &g))
    }
    fn lfilter_fsm(b: FlexTensor, a: FlexTensor, x: FlexTensor, n_fft: usize) -> FlexTensor {
        let (b, a, x) = (b.to_contiguous(), a.to_contiguous(), x.to_contiguous());
        by_dtype!(x, lfilter_fsm(&b, &a, &x, n_fft))
    }
    fn lfilter_fsm_adjoint(
        b: FlexTensor,
        a: FlexTensor,
        x: FlexTensor,
        gy: FlexTensor,
        n_fft: usize,
    ) -> (FlexTensor, FlexTensor, FlexTensor) {
        let (b, a, x, gy) = (b.to_contiguous(), a.to_contiguous(), x.to_contiguous(), gy.to_contiguous());
        by_dtype!(x, lfilter_fsm_adjoint(&b, &a, &x, &gy, n_fft))
    }
    fn sosfilt_fsm(sos: FlexTensor, x: FlexTensor, n_fft: usize) -> FlexTensor {
        let (sos, x) = (sos.to_contiguous(), x.to_contiguous());
        by_dtype!(x, sosfilt_fsm(&sos, &x, n_fft))
    }
    fn sosfilt_fsm_adjoint(sos: FlexTensor, x: FlexTensor, gy: FlexTensor, n_fft: usize) -> (FlexTensor, FlexTensor) {
        let (sos, x, gy) = (sos.to_contiguous(), x.to_contiguous(), gy.to_contiguous());
        by_dtype!(x, sosfilt_fsm_adjoint(&sos, &x, &gy, n_fft))
    }
}

/// Registers each gradient whose input is tracked.
fn register<B: Backend, const N: usize>(grads: &mut Gradients, ids: [Option<NodeId>; N], values: [FloatTensor<B>; N]) {
    for (id, grad) in ids.into_iter().zip(values) {
        if let Some(id) = id {
            grads.register::<B>(id, grad);
        }
    }
}

/// The backward of every frequency-domain op: which op, and the inputs its adjoint needs.
#[derive(Debug, Clone)]
enum State<B: Backend> {
    Freqz(FloatTensor<B>, FloatTensor<B>, FloatTensor<B>),
    Sosfreqz(FloatTensor<B>, FloatTensor<B>),
    LfilterFsm(FloatTensor<B>, FloatTensor<B>, FloatTensor<B>, usize),
    SosfiltFsm(FloatTensor<B>, FloatTensor<B>, usize),
}

#[derive(Debug)]
struct FreqBackward<const N: usize>;

impl<B: FreqOps, const N: usize> Backward<B, N> for FreqBackward<N> {
    type State = State<B>;

    fn backward(self, ops: Ops<Self::State, N>, grads: &mut Gradients, _: &mut Checkpointer) {
        let g = grads.consume::<B>(&ops.node);
        let ids: Vec<Option<NodeId>> = ops.parents.iter().map(|p| p.as_ref().map(|n| n.id)).collect();
        match (ops.state, ids.as_slice()) {
            (State::Freqz(b, a, w), &[pb, pa, _]) => {
                let (gb, ga) = B::freqz_adjoint(b, a, w, g);
                register::<B, 2>(grads, [pb, pa], [gb, ga]);
            }
            (State::Sosfreqz(sos, w), &[ps, _]) => register::<B, 1>(grads, [ps], [B::sosfreqz_adjoint(sos, w, g)]),
            (State::LfilterFsm(b, a, x, n), &[pb, pa, px]) => {
                let (gb, ga, gx) = B::lfilter_fsm_adjoint(b, a, x, g, n);
                register::<B, 3>(grads, [pb, pa, px], [gb, ga, gx]);
            }
            (State::SosfiltFsm(sos, x, n), &[ps, px]) => {
                let (gs, gx) = B::sosfilt_fsm_adjoint(sos, x, g, n);
                register::<B, 2>(grads, [ps, px], [gs, gx]);
            }
            _ => {}
        }
    }
}

/// Records `out` with its backward state when any input is tracked.
macro_rules! record {
    ($n:literal, [$($input:ident),*], $state:expr, $out:expr) => {{
        let guards = [$($input.node()),*];
        let state = $state;
        let out = $out;
        match FreqBackward::<$n>.prepare::<C>(guards).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(state, out),
            OpsKind::UnTracked(prep) => prep.finish(out),
        }
    }};
}

impl<B: FreqOps, C: CheckpointStrategy> FreqOps for Autodiff<B, C> {
    fn freqz(b: FloatTensor<Self>, a: FloatTensor<Self>, w: FloatTensor<Self>) -> FloatTensor<Self> {
        let (bp, ap, wp) = (b.primitive().clone(), a.primitive().clone(), w.primitive().clone());
        record!(3, [b, a, w], State::Freqz(bp.clone(), ap.clone(), wp.clone()), B::freqz(bp, ap, wp))
    }
    fn freqz_adjoint(
        b: FloatTensor<Self>,
        a: FloatTensor<Self>,
        w: FloatTensor<Self>,
        g: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let (gb, ga) = B::freqz_adjoint(b.into_primitive(), a.into_primitive(), w.into_primitive(), g.into_primitive());
        (Self::from_inner(gb), Self::from_inner(ga))
    }
    fn sosfreqz(sos: FloatTensor<Self>, w: FloatTensor<Self>) -> FloatTensor<Self> {
        let (sp, wp) = (sos.primitive().clone(), w.primitive().clone());
        record!(2, [sos, w], State::Sosfreqz(sp.clone(), wp.clone()), B::sosfreqz(sp, wp))
    }
    fn sosfreqz_adjoint(sos: FloatTensor<Self>, w: FloatTensor<Self>, g: FloatTensor<Self>) -> FloatTensor<Self> {
        Self::from_inner(B::sosfreqz_adjoint(sos.into_primitive(), w.into_primitive(), g.into_primitive()))
    }
    fn lfilter_fsm(b: FloatTensor<Self>, a: FloatTensor<Self>, x: FloatTensor<Self>, n_fft: usize) -> FloatTensor<Self> {
        let (bp, ap, xp) = (b.primitive().clone(), a.primitive().clone(), x.primitive().clone());
        record!(3, [b, a, x], State::LfilterFsm(bp.clone(), ap.clone(), xp.clone(), n_fft), B::lfilter_fsm(bp, ap, xp, n_fft))
    }
    fn lfilter_fsm_adjoint(
        b: FloatTensor<Self>,
        a: FloatTensor<Self>,
        x: FloatTensor<Self>,
        gy: FloatTensor<Self>,
        n_fft: usize,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let (gb, ga, gx) = B::lfilter_fsm_adjoint(b.into_primitive(), a.into_primitive(), x.into_primitive(), gy.into_primitive(), n_fft);
        (Self::from_inner(gb), Self::from_inner(ga), Self::from_inner(gx))
    }
    fn sosfilt_fsm(sos: FloatTensor<Self>, x: FloatTensor<Self>, n_fft: usize) -> FloatTensor<Self> {
        let (sp, xp) = (sos.primitive().clone(), x.primitive().clone());
        record!(2, [sos, x], State::SosfiltFsm(sp.clone(), xp.clone(), n_fft), B::sosfilt_fsm(sp, xp, n_fft))
    }
    fn sosfilt_fsm_adjoint(
        sos: FloatTensor<Self>,
        x: FloatTensor<Self>,
        gy: FloatTensor<Self>,
        n_fft: usize,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let (gs, gx) = B::sosfilt_fsm_adjoint(sos.into_primitive(), x.into_primitive(), gy.into_primitive(), n_fft);
        (Self::from_inner(gs), Self::from_inner(gx))
    }
}
