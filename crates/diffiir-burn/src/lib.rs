//! # diffiir-burn — diffiir's recursive filters as burn operations
//!
//! Ops on burn 0.22 tensors whose backward pass is the core's fused adjoint kernel (one reverse pass for every
//! gradient), on the Flex CPU backend, plain or autodiff (`Device::flex().autodiff()`), f32 and f64.
//!
//! | what | where |
//! |---|---|
//! | filters: [`lfilter`], [`sosfilt`], [`allpole`] — shared, per-signal or per-sample coefficients ([`Coef`]), `zi` in, differentiable `zf` out | crate root |
//! | frequency responses and frequency-sampling filters: `freqz`, `sosfreqz`, `mag_db`, `lfilter_fsm`, `sosfilt_fsm` | [`freq`] |
//! | every parameterisation of [`diffiir::param`] (triangle, pole pairs, reflection/LPC, RBJ, SVF) as one op | [`param::map`] |
//! | modules: [`nn::BiquadCascade`], [`nn::ParametricEq`], [`nn::AllPole`], time-varying [`nn::TimeVaryingAllPole`] and [`nn::TimeVaryingBiquadCascade`] | [`nn`] |
//!
//! Each op is a backend extension (`#[backend_extension(Flex, Autodiff)]`): the Flex implementation unwraps the
//! tensors to slices and calls the core; the Autodiff implementation records the inputs its backward needs and
//! calls the core's adjoint once. Validation happens before dispatch (backend ops cannot return errors), so
//! every public function returns `Result<_, diffiir::Error>`.
//!
//! ```
//! use burn::tensor::{Device, Tensor};
//! use diffiir_burn::{sosfilt, Coef};
//! let dev = Device::flex().autodiff();
//! // One biquad shared by 2 signals of 8 samples; gradients for the sections and the input.
//! let sos = Tensor::<1>::from_data([0.2, 0.4, 0.2, 1.0, -0.5, 0.25], &dev).require_grad();
//! let x = Tensor::<2>::ones([2, 8], &dev).require_grad();
//! let (y, _zf) = sosfilt(Coef::Shared(sos.clone()), x.clone(), None).unwrap();
//! let grads = y.sum().backward();
//! assert_eq!(sos.grad(&grads).unwrap().dims(), [6]);
//! ```
#![deny(missing_docs)]

mod autodiff;
pub(crate) mod check;
mod flex;
pub mod freq;
pub mod nn;
mod ops;
pub mod param;

pub use ops::IirOps;

use burn::backend::Dispatch;
use burn::tensor::Tensor;
use diffiir::{Dims, Error};

/// `scipy.signal.lfilter` on burn tensors, differentiable w.r.t. every input.
///
/// # Arguments
/// * `b`, `a` — `[K]` (shared), `[B, K]` (per signal) or `[B, T, K]` (per sample), as `Tensor<1|2|3>` via
///   [`Coef`]; `a[0] ≠ 0` normalises.
/// * `x` — `[B, T]`; `zi` — `[B, M]` initial state (`M = max(nb, na) − 1`) or `None` for rest.
///
/// # Returns
/// `(y [B, T], zf [B, M])`; both carry gradients back to `b`, `a`, `x` and `zi`.
///
/// # Errors
/// The core's validation ([`Error`]): shapes, empty coefficients, `a[0] = 0` (read from the tensor).
pub fn lfilter(b: Coef, a: Coef, x: Tensor<2>, zi: Option<Tensor<2>>) -> Result<(Tensor<2>, Tensor<2>), Error> {
    const F: &str = "lfilter";
    let [batch, t] = x.dims();
    let d = Dims::new(batch, t);
    check::dims(F, "b", &b, d)?;
    check::dims(F, "a", &a, d)?;
    let m = check::order(b.k(), a.k())?;
    check::lead(F, "a", &a, 0, a.k())?;
    let zi = check::state(F, zi, d, m, &x)?;
    let (y, zf) = Dispatch::lfilter(b.into_dispatch(), a.into_dispatch(), x.into_dispatch(), zi.into_dispatch());
    Ok((Tensor::from_dispatch(y), Tensor::from_dispatch(zf)))
}

/// `scipy.signal.sosfilt` on burn tensors (one fused pass over all sections), differentiable w.r.t. `sos`,
/// `x` and `zi`.
///
/// # Arguments
/// * `sos` — [`Coef`] whose last axis holds `S·6` values (rows `[b0, b1, b2, a0, a1, a2]` flattened): `[S·6]`
///   shared, `[B, S·6]` per signal or `[B, T, S·6]` per sample.
/// * `x` — `[B, T]`; `zi` — `[B, 2S]` (the core's `[B, S, 2]` flattened) or `None`.
///
/// # Returns
/// `(y [B, T], zf [B, 2S])`.
///
/// # Errors
/// Shapes, a last axis that is not a multiple of 6, a section with `a0 = 0`.
pub fn sosfilt(sos: Coef, x: Tensor<2>, zi: Option<Tensor<2>>) -> Result<(Tensor<2>, Tensor<2>), Error> {
    const F: &str = "sosfilt";
    let [batch, t] = x.dims();
    let d = Dims::new(batch, t);
    check::dims(F, "sos", &sos, d)?;
    if !sos.k().is_multiple_of(6) {
        let got = format!("{} coefficients per set", sos.k());
        return Err(Error::Shape { func: F, arg: "sos", expected: "rows of 6 coefficients [b0, b1, b2, a0, a1, a2]".into(), got });
    }
    check::lead(F, "sos", &sos, 3, 6)?;
    let zi = check::state(F, zi, d, sos.k() / 3, &x)?;
    let (y, zf, _tape) = Dispatch::sosfilt(sos.into_dispatch(), x.into_dispatch(), zi.into_dispatch());
    Ok((Tensor::from_dispatch(y), Tensor::from_dispatch(zf)))
}

/// All-pole filter `y[n] = x[n] − Σ a_k[n] y[n−k]` (torchlpc's `sample_wise_lpc`) on burn tensors,
/// differentiable w.r.t. `x`, `a` and `zi`.
///
/// # Arguments
/// * `x` — `[B, T]`; `a` — `a_1..a_N` as `[N]`, `[B, N]` or `[B, T, N]` ([`Coef`]); `zi` — `[B, N]` past outputs
///   `(y[−1], …, y[−N])` or `None`.
///
/// # Returns
/// `(y [B, T], zf [B, N])`.
///
/// # Errors
/// Shapes and an empty `a`.
pub fn allpole(x: Tensor<2>, a: Coef, zi: Option<Tensor<2>>) -> Result<(Tensor<2>, Tensor<2>), Error> {
    const F: &str = "allpole";
    let [batch, t] = x.dims();
    let d = Dims::new(batch, t);
    check::dims(F, "a", &a, d)?;
    let zi = check::state(F, zi, d, a.k(), &x)?;
    let (y, zf) = Dispatch::allpole(x.into_dispatch(), a.into_dispatch(), zi.into_dispatch());
    Ok((Tensor::from_dispatch(y), Tensor::from_dispatch(zf)))
}

/// A coefficient tensor of rank 1 (shared), 2 (per signal) or 3 (per sample); the last axis holds the
/// coefficients.
#[derive(Clone, Debug)]
pub enum Coef {
    /// `[K]`, shared by every signal.
    Shared(Tensor<1>),
    /// `[B, K]`, one set per signal.
    PerSignal(Tensor<2>),
    /// `[B, T, K]`, one set per sample.
    PerSample(Tensor<3>),
}

impl Coef {
    fn k(&self) -> usize {
        match self {
            Coef::Shared(t) => t.dims()[0],
            Coef::PerSignal(t) => t.dims()[1],
            Coef::PerSample(t) => t.dims()[2],
        }
    }
    fn into_dispatch(self) -> burn::backend::DispatchTensor {
        match self {
            Coef::Shared(t) => t.into_dispatch(),
            Coef::PerSignal(t) => t.into_dispatch(),
            Coef::PerSample(t) => t.into_dispatch(),
        }
    }
}

/// The README's Rust examples (core and burn), compiled and run as doctests here, where both crates are in scope.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
