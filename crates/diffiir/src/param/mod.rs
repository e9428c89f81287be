//! Parameterisations: maps from parameters to filter coefficients, each with its adjoint.
//!
//! Optimising filter coefficients directly lets a gradient step push a pole outside the unit circle. These
//! maps produce coefficients from parameters instead — most of them **stable by construction** for every
//! real input — and each comes with its adjoint (vector–Jacobian product): given `∂L/∂(outputs)` it
//! returns `∂L/∂(inputs)`, so a loss through [`sosfilt`](crate::sosfilt) or [`allpole`](crate::allpole)
//! reaches the parameters.
//!
//! | map | parameters (one row per set) | coefficients | stable for |
//! |---|---|---|---|
//! | [`triangle`](fn@triangle) | `(u1, u2)` ∈ ℝ² | `(a1, a2)` | every input |
//! | [`conjugate_pair`] | `(ρ, θ)` ∈ ℝ² | `(c1, c2) = (−2r cos θ, r²)`, `r = (1−ε)σ(ρ)` | every input |
//! | [`polar_pair`] | `(r, θ)` | `(−2r cos θ, r²)` | `0 ≤ r < 1` |
//! | [`sos_from_pairs`] | gain, zero pair, pole pair | sos row `[g, g·b1, g·b2, 1, a1, a2]` | stable pole pair |
//! | [`reflection`](fn@reflection), [`lar_reflection`] | `u` or log-area ratios ∈ ℝ | `k`, `|k| ≤ 1 − ε` | every input |
//! | [`step_up`] / [`step_down`] | `k_1..k_N` / `a_1..a_N` | `a_1..a_N` / `k_1..k_N` | `|k_i| < 1`; rounded `a`: `Σ|LAR_i| < ln(1/(2Nu))` |
//! | [`rbj`](fn@rbj) | `(f0, Q, gain dB)` | normalised sos row | `0 < f0 < fs/2`, `Q > 0` |
//! | [`rbj_unconstrained`] | `(u_f, u_Q, gain dB)` ∈ ℝ³ via [`rbj_params`] | normalised sos row | every input (precision: see there) |
//! | [`peq_guess`] | a measured dB response | `(f0, Q, gain)` bands to start a parametric-EQ fit from | — |
//! | [`svf`](fn@svf) | `(g, R, c_LP, c_BP, c_HP)` | normalised sos row | `g > 0`, `R > 0` |
//!
//! ## Conventions
//! * **Batches**: every input is a flat row-major slice of parameter sets (`[sets, P]`) and every output is
//!   `[sets, K]` in the same order, so one call serves shared, per-signal and per-sample coefficients alike:
//!   wrap the output in [`Coefs::shared`](crate::Coefs::shared), `per_signal` or `per_sample`. Several
//!   sections per set are just more rows (`[B, S, 6]` is `B·S` rows of 6).
//! * **Layouts**: pairs are `(c1, c2)` — the `a_1, a_2` of [`allpole`](crate::allpole) or the `a1, a2`
//!   (or `b1, b2`) of an sos row; sos rows are `[b0, b1, b2, a0, a1, a2]` with `a0 = 1`; LPC polynomials are
//!   `a_1..a_N` of `A(z) = 1 + Σ a_k z^−k` (the crate's sign: `y[n] = x[n] − Σ a_k y[n−k]`).
//! * **Adjoints** take the forward's inputs and `∂L/∂outputs` (same shape as the outputs) and return
//!   `∂L/∂inputs` (same shape as the inputs). The gradient of an output that is constant (an sos row's
//!   `a0 = 1`) is ignored.
//! * **The cap ε** ([`eps`]): saturating maps (`tanh`, the logistic `σ`) reach exactly ±1 in floating point
//!   for large inputs (`tanh(20) = 1` in f64, `σ(20) = 1` in f32), which would put a pole on the unit
//!   circle. Every such map is scaled by `1 − ε` — not clamped, so its gradient stays the exact derivative
//!   of the computed function and never becomes an artificial dead zone.
//! * **Non-finite values propagate**, as everywhere in the crate: a NaN parameter gives NaN coefficients
//!   for its set only. Only lengths (and, for [`rbj`](fn@rbj), `fs` and `q_min`) are validated.

use crate::error::{shape, Error, Result};
use crate::float::Float;

pub mod pair;
pub mod peq_guess;
pub mod rbj;
pub mod reflection;
pub mod svf;
pub mod triangle;

pub use pair::{
    conjugate_pair, conjugate_pair_adjoint, polar_pair, polar_pair_adjoint, sos_from_pairs, sos_from_pairs_adjoint, PairSosGrads,
};
pub use peq_guess::peq_guess;
pub use rbj::{rbj, rbj_adjoint, rbj_params, rbj_params_adjoint, rbj_unconstrained, rbj_unconstrained_adjoint, Rbj};
pub use reflection::{lar_reflection, lar_reflection_adjoint, reflection, reflection_adjoint, step_down, step_up, step_up_adjoint};
pub use svf::{svf, svf_adjoint};
pub use triangle::{triangle, triangle_adjoint, triangle_inverse};

/// ε for `f64`: 2⁻²⁰ ≈ 9.5·10⁻⁷ (see [`eps`]).
pub const EPS_F64: f64 = 1.0 / 1_048_576.0;
/// ε for `f32`: 2⁻¹⁰ ≈ 9.8·10⁻⁴ (see [`eps`]).
pub const EPS_F32: f32 = 1.0 / 1024.0;

/// The cap ε of the saturating maps: [`EPS_F64`] = 2⁻²⁰ for `f64`, [`EPS_F32`] = 2⁻¹⁰ for `f32`.
///
/// Radii, reflection coefficients and `tanh` outputs are at most `1 − ε` in magnitude. ε is a power of two,
/// so `1 − ε` is exact and a saturated `tanh` or `σ` (exactly 1) gives exactly `1 − ε`.
///
/// Why these values: a biquad's coefficients determine a double pole near `z = 1` only to about
/// `√(machine ε)` (a perturbation δ of `a2` moves a double pole by `√δ`), i.e. ≈ 3.5·10⁻⁴ in f32 and
/// 1.5·10⁻⁸ in f64. A cap closer to 1 than that could not guarantee a pole strictly inside after rounding;
/// ε = 2⁻¹⁰ (f32) and 2⁻²⁰ (f64) stay ≈ 3× (f32) and 64× (f64) above it. The worst case of the
/// [`triangle`](fn@triangle) map (its corners, margin ε² in `a2`) is 16 ulps in f32 and 8192 ulps in f64. The largest
/// pole radius is then ≈ `1 − ε`, a time constant of ≈ 1/ε samples: 1024 (f32), 10⁶ (f64).
/// (The cap bounds each reflection coefficient; whether a *rounded* LPC polynomial of order ≥ 3 stays stable
/// depends on all of them together: see [`reflection`](mod@reflection#floating-point).)
///
/// # Examples
/// ```
/// use diffiir::param::eps;
/// assert_eq!(eps::<f32>(), 1.0 / 1024.0);
/// assert_eq!(eps::<f64>(), 1.0 / 1_048_576.0);
/// ```
pub fn eps<T: Float>() -> T {
    // `Float` is sealed to f32 and f64; the machine epsilon tells them apart.
    if T::epsilon().to64() < 1e-10 {
        T::of(EPS_F64)
    } else {
        T::of(f64::from(EPS_F32))
    }
}

/// Number of rows of `per` parameters in a slice of length `len`; a shape error when `len` is not a
/// multiple of `per` (`per > 0`).
pub(crate) fn rows(func: &'static str, arg: &'static str, len: usize, per: usize, what: &str) -> Result<usize> {
    if per == 0 {
        return Err(Error::Empty { func, arg });
    }
    if !len.is_multiple_of(per) {
        return Err(shape(func, arg, format!("a multiple of {per}: rows of {what}"), len));
    }
    Ok(len / per)
}

/// A shape error unless `got == want`.
pub(crate) fn same(func: &'static str, arg: &'static str, got: usize, want: usize, what: &str) -> Result<()> {
    if got != want {
        return Err(shape(func, arg, format!("length {want} ({what})"), got));
    }
    Ok(())
}

/// `(1 − ε)·tanh(u)` and its derivative. The derivative uses `1 − tanh²`, which is exactly 0 where `tanh`
/// has saturated to ±1: finite, and the true derivative of the computed (flat) function.
#[inline]
pub(crate) fn tanh_cap<T: Float>(u: T) -> (T, T) {
    let c = T::one() - eps::<T>();
    let t = u.tanh();
    (c * t, c * (T::one() - t * t))
}

/// The logistic function `σ(x) = 1/(1 + e^−x)`, without overflow for either sign of `x`.
#[inline]
pub(crate) fn sigmoid<T: Float>(x: T) -> T {
    if x >= T::zero() {
        T::one() / (T::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (T::one() + e)
    }
}

/// `softplus(x) = ln(1 + eˣ)`, without overflow: `max(x, 0) + ln(1 + e^−|x|)`. Its derivative is `σ(x)`.
#[inline]
pub(crate) fn softplus<T: Float>(x: T) -> T {
    x.max(T::zero()) + (-x.abs()).exp().ln_1p()
}

/// Divides a raw biquad `[b0, b1, b2, a0, a1, a2]` by its `a0` (so `a0 = 1`).
#[inline]
pub(crate) fn normalise<T: Float>(r: &[T; 6]) -> [T; 6] {
    let a0 = r[3];
    [r[0] / a0, r[1] / a0, r[2] / a0, T::one(), r[4] / a0, r[5] / a0]
}

/// Adjoint of [`normalise`]: `∂L/∂r` from `∂L/∂(r/a0)` (the gradient of the constant `a0 = 1` is ignored).
#[inline]
pub(crate) fn normalise_adjoint<T: Float>(r: &[T; 6], g: &[T]) -> [T; 6] {
    let a0 = r[3];
    let mut out = [T::zero(); 6];
    let mut ga0 = T::zero();
    for j in [0, 1, 2, 4, 5] {
        out[j] = g[j] / a0;
        ga0 = ga0 - out[j] * r[j] / a0;
    }
    out[3] = ga0;
    out
}

/// `Σ_j g_j · d_j` over a raw biquad.
#[inline]
pub(crate) fn dot6<T: Float>(g: &[T; 6], d: &[T; 6]) -> T {
    g.iter().zip(d).fold(T::zero(), |s, (&a, &b)| s + a * b)
}
