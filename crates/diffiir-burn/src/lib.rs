//! # diffiir-burn — diffiir's recursive filters as burn operations
//!
//! Ops on burn 0.22 tensors whose backward pass is the core's fused adjoint kernel (one reverse pass for every
//! gradient), on the Flex CPU backend, plain or autodiff (`Device::flex().autodiff()`), f32 and f64.
//!
//! Status: [`lfilter`], [`sosfilt`] and [`allpole`], with time-invariant and time-varying coefficients, `zi` in and a
//! differentiable `zf` out. The frequency-domain ops, the parameterisations and the
//! modules of issue #6 follow the same pattern (`ops.rs` trait, `flex.rs` dtype switch, `autodiff.rs` backward).
#![deny(missing_docs)]

mod autodiff;
mod flex;
mod ops;

pub use ops::IirOps;

use burn::backend::Dispatch;
use burn::tensor::{Tensor, TensorData};
use diffiir::{Coefs, Dims, Error, Layout};

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
    let [batch, t] = x.dims();
    let (kb, ka) = (b.k(), a.k());
    let m = kb.max(ka).saturating_sub(1);
    // Validate with the core before dispatch (the backend ops cannot return errors).
    let d = Dims::new(batch, t);
    let a_host: Vec<f64> = a.values()?;
    let b_host: Vec<f64> = b.values()?;
    diffiir::lfilter_check(&b.coefs(&b_host), &a.coefs(&a_host), d)?;
    let zi = match zi {
        Some(z) => {
            if z.dims() != [batch, m] {
                return Err(Error::Shape {
                    func: "lfilter",
                    arg: "zi",
                    expected: format!("[{batch}, {m}]"),
                    got: format!("{:?}", z.dims()),
                });
            }
            z
        }
        None => Tensor::<2>::zeros([batch, m], (&x.device(), x.dtype())),
    };
    let packed = Tensor::<1>::from_dispatch(Dispatch::lfilter(b.into_dispatch(), a.into_dispatch(), x.into_dispatch(), zi.into_dispatch()));
    Ok(unpack(packed, d, m))
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
pub fn sosfilt(sos: Coef, x: Tensor<2>, zi: Option<Tensor<2>>) -> Result<(Tensor<2>, Tensor<2>), Error> {
    let [batch, t] = x.dims();
    let m = sos.k() / 3;
    let host: Vec<f64> = sos.values()?;
    let d = Dims::new(batch, t);
    diffiir::sosfilt_check(&sos.coefs(&host), d)?;
    let zi = state("sosfilt", zi, d, m, &x)?;
    let (packed, _tape) = Dispatch::sosfilt(sos.into_dispatch(), x.into_dispatch(), zi.into_dispatch());
    Ok(unpack(Tensor::<1>::from_dispatch(packed), d, m))
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
pub fn allpole(x: Tensor<2>, a: Coef, zi: Option<Tensor<2>>) -> Result<(Tensor<2>, Tensor<2>), Error> {
    let [batch, t] = x.dims();
    let n = a.k();
    let host: Vec<f64> = a.values()?;
    let d = Dims::new(batch, t);
    diffiir::allpole_check(&a.coefs(&host), d)?;
    let zi = state("allpole", zi, d, n, &x)?;
    let packed = Tensor::<1>::from_dispatch(Dispatch::allpole(x.into_dispatch(), a.into_dispatch(), zi.into_dispatch()));
    Ok(unpack(packed, d, n))
}

/// Splits an op's flat `y ‖ zf` output into `y [B, T]` and `zf [B, M]` (contiguous views, differentiable).
fn unpack(packed: Tensor<1>, d: Dims, m: usize) -> (Tensor<2>, Tensor<2>) {
    let n = d.numel();
    (packed.clone().narrow(0, 0, n).reshape([d.batch, d.len]), packed.narrow(0, n, d.batch * m).reshape([d.batch, m]))
}

/// `zi` checked against `[B, M]`, or zeros.
fn state(func: &'static str, zi: Option<Tensor<2>>, d: Dims, m: usize, x: &Tensor<2>) -> Result<Tensor<2>, Error> {
    match zi {
        Some(z) if z.dims() != [d.batch, m] => {
            Err(Error::Shape { func, arg: "zi", expected: format!("[{}, {m}]", d.batch), got: format!("{:?}", z.dims()) })
        }
        Some(z) => Ok(z),
        None => Ok(Tensor::<2>::zeros([d.batch, m], (&x.device(), x.dtype()))),
    }
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
    fn layout(&self) -> Layout {
        match self {
            Coef::Shared(_) => Layout::Shared,
            Coef::PerSignal(_) => Layout::PerSignal,
            Coef::PerSample(_) => Layout::PerSample,
        }
    }
    fn coefs<'a>(&self, host: &'a [f64]) -> Coefs<'a, f64> {
        Coefs { data: host, layout: self.layout(), k: self.k() }
    }
    fn values(&self) -> Result<Vec<f64>, Error> {
        let data: TensorData = match self {
            Coef::Shared(t) => t.clone().into_data(),
            Coef::PerSignal(t) => t.clone().into_data(),
            Coef::PerSample(t) => t.clone().into_data(),
        };
        data.convert::<f64>().try_into_vec::<f64>().map_err(|_| Error::Empty { func: "lfilter", arg: "coefficients" })
    }
    fn into_dispatch(self) -> burn::backend::DispatchTensor {
        match self {
            Coef::Shared(t) => t.into_dispatch(),
            Coef::PerSignal(t) => t.into_dispatch(),
            Coef::PerSample(t) => t.into_dispatch(),
        }
    }
}
