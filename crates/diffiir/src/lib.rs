//! # diffiir — exact, fast, differentiable recursive (IIR) filters
//!
//! Forward kernels and **fused adjoint** kernels for the three common recursive filter families, on plain
//! slices, in `f32` and `f64`, with no deep-learning dependency. The adjoint of a recursive filter is the same
//! kind of recursion run backwards in time, so one reverse pass yields the gradients w.r.t. the input, every
//! coefficient and the initial state — exactly, at the speed of a compiled loop.
//!
//! | family | forward | adjoint | semantics of |
//! |---|---|---|---|
//! | all-pole | [`allpole`] | [`allpole_adjoint`] | torchlpc `sample_wise_lpc` |
//! | general `b/a` (TDF-II) | [`lfilter`] | [`lfilter_adjoint`] | `scipy.signal.lfilter` |
//! | second-order sections | [`sosfilt`] | [`sosfilt_adjoint`] | `scipy.signal.sosfilt` |
//! | steady state | [`lfilter_zi`], [`sosfilt_zi`] | [`lfilter_zi_adjoint`], [`sosfilt_zi_adjoint`] | scipy |
//!
//! Every family is time-invariant or time-varying through its coefficient [`Layout`].
//!
//! ## Conventions
//! * **Signals** are `[B, T]` row-major (time contiguous); [`Dims`] gives `B` and `T`.
//! * **Coefficients** ([`Coefs`]) are `[K]` (shared by all signals), `[B, K]` (one set per signal) or
//!   `[B, T, K]` (one set per sample: time-varying). At sample `n` every operation uses sample `n`'s set.
//! * **Sign of `a`**: `y[n] = … − a_1 y[n−1] − …` everywhere (scipy's and torchlpc's sign).
//! * **`a[0]`**: `lfilter` and `sosfilt` divide `b` and `a` by `a[0]` (per sample when time-varying), as scipy
//!   does, and return a gradient for `a[0]` too; `a[0] = 0` is an error. `allpole` takes `a_1..a_N` only.
//! * **State**: `lfilter` zi/zf are `[B, max(len(a), len(b)) − 1]` and `sosfilt` zi/zf `[B, S, 2]`, scipy's
//!   transposed-direct-form-II layout (`lfilter_zi(b, a)·x[0]` works unchanged); `allpole` zi/zf are
//!   `[B, N]` past outputs `(y[−1], …, y[−N])`, torchlpc's layout.
//! * **Non-finite values propagate** (IEEE arithmetic, no checks in the hot loop): a NaN or ∞ in a signal's
//!   input, coefficients or state makes that signal's output non-finite from that sample on; other signals
//!   of the batch are unaffected. Only `a[0] = 0` is rejected, because it has no meaningful result.
//! * **Unstable filters** (poles on or outside the unit circle) are run as given; their output grows.
//!
//! ## Two API levels
//! Convenient functions allocate their outputs (`lfilter(…) -> Result<Filtered>`); each has a buffer-passing
//! `*_into` twin that writes into caller-provided outputs and scratch (sized by `*_scratch_len`) and is
//! allocation-free under [`Par::Seq`] — for real-time use and for adapters. Streaming: [`Stream`].
//!
//! ## Speed
//! Kernels advance [`Float::LANES`] signals per time step in small time-major blocks, so the compiler
//! vectorises across signals while each recursion stays sequential; lane chunks are spread over threads
//! ([`Par`], rayon feature, on by default).
//!
//! ## Example: gradient of a loss through a filter
//! ```
//! use diffiir::{lfilter, lfilter_adjoint, Coefs, Dims};
//! let (b, a) = ([0.2, 0.3], [1.0, -0.5]);
//! let x = [1.0, 2.0, 3.0, 4.0];
//! let d = Dims::new(1, 4);
//! let out = lfilter(Coefs::shared(&b), Coefs::shared(&a), &x, d, None).unwrap();
//! // L = Σ y²  →  ∂L/∂y = 2y
//! let gy: Vec<f64> = out.y.iter().map(|y| 2.0 * y).collect();
//! let g = lfilter_adjoint(Coefs::shared(&b), Coefs::shared(&a), &x, &out.y, d, &gy, None).unwrap();
//! assert_eq!((g.b.len(), g.a.len(), g.x.len()), (2, 2, 4));
//! ```
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod allpole;
mod chunked;
mod dots;
mod error;
mod float;
pub mod freq;
mod kernels;
mod lanes;
mod lfilter;
mod norm;
mod par;
pub mod param;
pub mod reference;
mod rowblock;
mod shape;
mod simd;
mod sosfilt;
mod stability;
mod stream;
pub(crate) mod tdf2;
mod transpose;

pub use allpole::{
    allpole, allpole_adjoint, allpole_adjoint_into, allpole_adjoint_scratch_len, allpole_check, allpole_into, allpole_scratch_len,
    AllpoleGrads, AllpoleGradsMut,
};
pub use error::{Error, Result};
pub use float::Float;
pub use lfilter::{
    lfilter, lfilter_adjoint, lfilter_adjoint_into, lfilter_adjoint_scratch_len, lfilter_check, lfilter_into, lfilter_scratch_len,
    lfilter_zi, lfilter_zi_adjoint, LfilterGrads, LfilterGradsMut,
};
pub use par::{Par, Path, GRAIN};
pub use shape::{Coefs, Dims, Layout};
pub use simd::Simd;
pub use sosfilt::{
    sosfilt, sosfilt_adjoint, sosfilt_adjoint_into, sosfilt_adjoint_scratch_len, sosfilt_check, sosfilt_into, sosfilt_scratch_len,
    sosfilt_tape_len, sosfilt_with_tape, sosfilt_zi, sosfilt_zi_adjoint, SosfiltGrads, SosfiltGradsMut,
};
pub use stability::{check_stable, check_stable_allpole, check_stable_sos};
pub use stream::Stream;

/// Output of a forward filter call: the filtered signals and the final state.
#[derive(Clone, Debug, PartialEq)]
pub struct Filtered<T> {
    /// `[B, T]` output.
    pub y: Vec<T>,
    /// Final state in the family's zi layout (pass it as the next call's `zi` to continue a stream).
    pub zf: Vec<T>,
}
