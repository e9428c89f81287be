//! Complex-conjugate root pairs in polar form, and assembling sos rows from a gain, a zero pair and a pole
//! pair.
//!
//! # Forward
//! A conjugate pair `r·e^{±iθ}` is the quadratic `(1 − r e^{iθ} z⁻¹)(1 − r e^{−iθ} z⁻¹) = 1 + c1 z⁻¹ + c2 z⁻²`:
//!
//! ```text
//! polar_pair:      (r, θ) ↦ (c1, c2) = (−2r·cos θ, r²)
//! conjugate_pair:  (ρ, θ) ↦ polar_pair(r, θ),   r = (1 − ε)·σ(ρ) ∈ [0, 1 − ε]
//! sos_from_pairs:  (g, (b1, b2), (a1, a2)) ↦ [g, g·b1, g·b2, 1, a1, a2]
//! ```
//!
//! `σ(ρ) = 1/(1 + e^−ρ)` reaches exactly 1 in floating point for large ρ (ρ = 20 in f32, 40 in f64); the scale
//! `1 − ε` ([`eps`]) keeps `r < 1` for every input, so a pole pair from [`conjugate_pair`] is
//! stable by construction. The same maps serve zeros (`b0 = 1`, or a gain via [`sos_from_pairs`]); zeros
//! need not be inside the circle, so for them [`polar_pair`] with any `r ≥ 0` (e.g. `r = 1`: a notch) is fine.
//! Real root pairs are not reachable (they are, through [`triangle`](fn@super::triangle)).
//!
//! # Adjoint
//! ```text
//! ∂L/∂r = −2cos θ·ḡ1 + 2r·ḡ2        ∂L/∂θ = 2r·sin θ·ḡ1        ∂L/∂ρ = ∂L/∂r · (1 − ε)σ(ρ)(1 − σ(ρ))
//! ∂L/∂g = ḡ_b0 + b1·ḡ_b1 + b2·ḡ_b2   ∂L/∂b_i = g·ḡ_bi            ∂L/∂a_i = ḡ_ai
//! ```

use super::{eps, rows, same, sigmoid};
use crate::error::Result;
use crate::float::Float;

/// `(−2r cos θ, r²)`.
#[inline]
fn polar<T: Float>(r: T, th: T) -> (T, T) {
    let two = T::one() + T::one();
    (-two * r * th.cos(), r * r)
}

/// `(∂L/∂r, ∂L/∂θ)` of [`polar`] for `(ḡ1, ḡ2)`.
#[inline]
fn polar_adj<T: Float>(r: T, th: T, g1: T, g2: T) -> (T, T) {
    let two = T::one() + T::one();
    let (s, c) = th.sin_cos();
    (-two * c * g1 + two * r * g2, two * r * s * g1)
}

/// `(1 − ε)σ(ρ)` and its derivative.
#[inline]
fn radius<T: Float>(rho: T) -> (T, T) {
    let c = T::one() - eps::<T>();
    let s = sigmoid(rho);
    (c * s, c * s * (T::one() - s))
}

/// Maps `(r, θ)` rows to the quadratic `(c1, c2) = (−2r cos θ, r²)` of the root pair `r·e^{±iθ}`.
///
/// No constraint is applied: poles are stable iff `0 ≤ r < 1`. Use it for zeros, or for radii you
/// constrain yourself; [`conjugate_pair`] is the stable-by-construction version.
///
/// # Arguments
/// * `rt` — `[sets, 2]` rows `(r, θ)`, θ in radians.
///
/// # Returns
/// `[sets, 2]` rows `(c1, c2)`: `(a1, a2)` of a pole pair or `(b1, b2)` (with `b0 = 1`) of a zero pair.
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) when `rt.len()` is odd.
///
/// # Examples
/// ```
/// use diffiir::param::polar_pair;
/// // A notch at θ = π/2: zeros ±i, (1 + z⁻²).
/// let c = polar_pair(&[1.0, std::f64::consts::FRAC_PI_2]).unwrap();
/// assert!(c[0].abs() < 1e-15 && c[1] == 1.0);
/// ```
///
/// See also [`polar_pair_adjoint`], [`conjugate_pair`], [`sos_from_pairs`].
pub fn polar_pair<T: Float>(rt: &[T]) -> Result<Vec<T>> {
    rows("polar_pair", "rt", rt.len(), 2, "(r, θ)")?;
    let mut c = Vec::with_capacity(rt.len());
    for p in rt.chunks_exact(2) {
        let (c1, c2) = polar(p[0], p[1]);
        c.extend([c1, c2]);
    }
    Ok(c)
}

/// Adjoint of [`polar_pair`]: `∂L/∂(r, θ)` from `∂L/∂(c1, c2)`.
///
/// # Arguments
/// * `rt` — `[sets, 2]`, the forward's input; `gc` — `[sets, 2]`, `∂L/∂(c1, c2)`.
///
/// # Returns
/// `[sets, 2]`, `∂L/∂(r, θ)`.
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) when `rt.len()` is odd or `gc.len() ≠ rt.len()`.
///
/// # Examples
/// ```
/// use diffiir::param::polar_pair_adjoint;
/// let g = polar_pair_adjoint(&[0.5, 0.0_f64], &[0.0, 1.0]).unwrap(); // ∂(r²)/∂(r, θ)
/// assert_eq!(g, [1.0, 0.0]);
/// ```
pub fn polar_pair_adjoint<T: Float>(rt: &[T], gc: &[T]) -> Result<Vec<T>> {
    const FA: &str = "polar_pair_adjoint";
    rows(FA, "rt", rt.len(), 2, "(r, θ)")?;
    same(FA, "gc", gc.len(), rt.len(), "= len(rt), ∂L/∂(c1, c2)")?;
    let mut g = Vec::with_capacity(rt.len());
    for (p, gp) in rt.chunks_exact(2).zip(gc.chunks_exact(2)) {
        let (gr, gt) = polar_adj(p[0], p[1], gp[0], gp[1]);
        g.extend([gr, gt]);
    }
    Ok(g)
}

/// Maps unconstrained `(ρ, θ)` rows to a conjugate pair's quadratic `(−2r cos θ, r²)` with
/// `r = (1 − ε)σ(ρ)`: a stable pole pair for every real input.
///
/// `r ∈ [0, 1 − ε]` ([`eps`]); θ is used as given (it is periodic; `θ` and `−θ` give the same
/// pair). `ρ = 0` gives `r = (1 − ε)/2`.
///
/// # Arguments
/// * `u` — `[sets, 2]` rows `(ρ, θ)`, any real values.
///
/// # Returns
/// `[sets, 2]` rows `(c1, c2)`, e.g. `(a1, a2)` of an sos row or `a_1, a_2` of [`allpole`](crate::allpole).
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) when `u.len()` is odd.
///
/// # Examples
/// ```
/// use diffiir::param::conjugate_pair;
/// let a = conjugate_pair(&[1e6_f32, 0.0]).unwrap(); // σ saturates; r is still < 1
/// assert!(a[1] < 1.0 && a[1].sqrt() == 1.0 - diffiir::param::eps::<f32>());
/// ```
///
/// See also [`conjugate_pair_adjoint`], [`triangle`](fn@super::triangle), [`sos_from_pairs`].
pub fn conjugate_pair<T: Float>(u: &[T]) -> Result<Vec<T>> {
    rows("conjugate_pair", "u", u.len(), 2, "(ρ, θ)")?;
    let mut c = Vec::with_capacity(u.len());
    for p in u.chunks_exact(2) {
        let (c1, c2) = polar(radius(p[0]).0, p[1]);
        c.extend([c1, c2]);
    }
    Ok(c)
}

/// Adjoint of [`conjugate_pair`]: `∂L/∂(ρ, θ)` from `∂L/∂(c1, c2)`.
///
/// # Arguments
/// * `u` — `[sets, 2]`, the forward's input; `gc` — `[sets, 2]`, `∂L/∂(c1, c2)`.
///
/// # Returns
/// `[sets, 2]`, `∂L/∂(ρ, θ)`; finite for every finite input (0 in ρ where σ has saturated).
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) when `u.len()` is odd or `gc.len() ≠ u.len()`.
///
/// # Examples
/// ```
/// use diffiir::param::conjugate_pair_adjoint;
/// let g = conjugate_pair_adjoint(&[0.0, 1.0_f64], &[1.0, 1.0]).unwrap();
/// assert!(g.iter().all(|v| v.is_finite()));
/// ```
pub fn conjugate_pair_adjoint<T: Float>(u: &[T], gc: &[T]) -> Result<Vec<T>> {
    const FA: &str = "conjugate_pair_adjoint";
    rows(FA, "u", u.len(), 2, "(ρ, θ)")?;
    same(FA, "gc", gc.len(), u.len(), "= len(u), ∂L/∂(c1, c2)")?;
    let mut g = Vec::with_capacity(u.len());
    for (p, gp) in u.chunks_exact(2).zip(gc.chunks_exact(2)) {
        let (r, dr) = radius(p[0]);
        let (gr, gt) = polar_adj(r, p[1], gp[0], gp[1]);
        g.extend([gr * dr, gt]);
    }
    Ok(g)
}

/// Gradients of [`sos_from_pairs`]' inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct PairSosGrads<T> {
    /// `[sets]`, `∂L/∂gain`.
    pub gain: Vec<T>,
    /// `[sets, 2]`, `∂L/∂(b1, b2)` of the zero pair.
    pub zeros: Vec<T>,
    /// `[sets, 2]`, `∂L/∂(a1, a2)` of the pole pair.
    pub poles: Vec<T>,
}

/// Assembles sos rows `[g, g·b1, g·b2, 1, a1, a2]` from a gain, a zero quadratic `1 + b1 z⁻¹ + b2 z⁻²` and a
/// pole quadratic `1 + a1 z⁻¹ + a2 z⁻²`.
///
/// # Arguments
/// * `gain` — `[sets]`, the `b0` of each row.
/// * `zeros` — `[sets, 2]` rows `(b1, b2)` (e.g. from [`polar_pair`] or [`conjugate_pair`]).
/// * `poles` — `[sets, 2]` rows `(a1, a2)` (e.g. from [`conjugate_pair`] or [`triangle`](fn@super::triangle)).
///
/// # Returns
/// `[sets, 6]` sos rows for [`sosfilt`](crate::sosfilt), `a0 = 1`.
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) when `zeros` or `poles` is not `[len(gain), 2]`.
///
/// # Examples
/// ```
/// use diffiir::param::{conjugate_pair, polar_pair, sos_from_pairs};
/// let z = polar_pair(&[1.0, 0.5_f64]).unwrap();
/// let p = conjugate_pair(&[2.0, 0.5]).unwrap();
/// let sos = sos_from_pairs(&[0.5], &z, &p).unwrap();
/// assert_eq!(sos.len(), 6);
/// assert_eq!((sos[0], sos[3]), (0.5, 1.0));
/// ```
///
/// See also [`sos_from_pairs_adjoint`].
pub fn sos_from_pairs<T: Float>(gain: &[T], zeros: &[T], poles: &[T]) -> Result<Vec<T>> {
    const F: &str = "sos_from_pairs";
    let n = gain.len();
    same(F, "zeros", zeros.len(), 2 * n, "[len(gain), 2], rows (b1, b2)")?;
    same(F, "poles", poles.len(), 2 * n, "[len(gain), 2], rows (a1, a2)")?;
    let mut sos = Vec::with_capacity(6 * n);
    for ((&g, z), p) in gain.iter().zip(zeros.chunks_exact(2)).zip(poles.chunks_exact(2)) {
        sos.extend([g, g * z[0], g * z[1], T::one(), p[0], p[1]]);
    }
    Ok(sos)
}

/// Adjoint of [`sos_from_pairs`]: the gradients of gain, zeros and poles from `∂L/∂sos`.
///
/// # Arguments
/// * `gain` — `[sets]` and `zeros` — `[sets, 2]`, the forward's inputs (the poles enter linearly and are not
///   needed).
/// * `gsos` — `[sets, 6]`, `∂L/∂sos` (its `a0` column is ignored).
///
/// # Returns
/// [`PairSosGrads`].
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) when `zeros` is not `[len(gain), 2]` or `gsos` not `[len(gain), 6]`.
///
/// # Examples
/// ```
/// use diffiir::param::sos_from_pairs_adjoint;
/// let g = sos_from_pairs_adjoint(&[2.0], &[0.5, 0.25_f64], &[1.0, 1.0, 1.0, 9.0, 1.0, 1.0]).unwrap();
/// assert_eq!((g.gain[0], &g.zeros[..], &g.poles[..]), (1.75, &[2.0, 2.0][..], &[1.0, 1.0][..]));
/// ```
pub fn sos_from_pairs_adjoint<T: Float>(gain: &[T], zeros: &[T], gsos: &[T]) -> Result<PairSosGrads<T>> {
    const FA: &str = "sos_from_pairs_adjoint";
    let n = gain.len();
    same(FA, "zeros", zeros.len(), 2 * n, "[len(gain), 2], rows (b1, b2)")?;
    same(FA, "gsos", gsos.len(), 6 * n, "[len(gain), 6], ∂L/∂sos")?;
    let mut out = PairSosGrads { gain: Vec::with_capacity(n), zeros: Vec::with_capacity(2 * n), poles: Vec::with_capacity(2 * n) };
    for ((&g, z), gs) in gain.iter().zip(zeros.chunks_exact(2)).zip(gsos.chunks_exact(6)) {
        out.gain.push(gs[0] + z[0] * gs[1] + z[1] * gs[2]);
        out.zeros.extend([g * gs[1], g * gs[2]]);
        out.poles.extend([gs[4], gs[5]]);
    }
    Ok(out)
}
