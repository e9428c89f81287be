//! The biquad stability triangle: any `(u1, u2) ∈ ℝ²` to a denominator `(a1, a2)` strictly inside it.
//!
//! A real second-order denominator `1 + a1 z⁻¹ + a2 z⁻²` has both poles strictly inside the unit circle
//! iff `(a1, a2)` lies in the open triangle `|a2| < 1`, `|a1| < 1 + a2` (vertices `(±2, 1)`, `(0, −1)`).
//!
//! # Forward
//! With `t(u) = (1 − ε)·tanh(u)` ([`eps`](super::eps)):
//!
//! ```text
//! a1 = 2·t(u1)                                  |a1| ≤ 2 − 2ε
//! a2 = ((2 − |a1|)·t(u2) + |a1|) / 2            a2 ∈ [|a1| − 1 + m, 1 − m],  m = ε(2 − |a1|)/2 ≥ ε²
//! ```
//!
//! For fixed `a1` the map sweeps `a2` over the vertical chord of the triangle at `a1` (its length is
//! `2 − |a1|`), so every interior point is reached and none outside. Without the `1 − ε` scale a saturated
//! `tanh` (exactly ±1 from `|u| ≈ 19` in f64, `≈ 9` in f32) would land on an edge: a pole on the circle.
//!
//! # Adjoint
//! With `s = sign(a1)` (0 at `a1 = 0`, where `|a1|` has a kink: the subgradient 0 is used) and
//! `t' = (1 − ε)(1 − tanh²)`:
//!
//! ```text
//! ∂L/∂u1 = (ḡ1 + ḡ2 · s·(1 − t(u2))/2) · 2·t'(u1)
//! ∂L/∂u2 = ḡ2 · (2 − |a1|)/2 · t'(u2)
//! ```

use super::{rows, same, tanh_cap};
use crate::error::Result;
use crate::float::Float;

const F: &str = "triangle";
const FA: &str = "triangle_adjoint";

#[inline]
fn sign<T: Float>(v: T) -> T {
    if v > T::zero() {
        T::one()
    } else if v < T::zero() {
        -T::one()
    } else {
        T::zero()
    }
}

/// Maps unconstrained `(u1, u2)` rows to biquad denominators `(a1, a2)` strictly inside the stability
/// triangle, for every real input.
///
/// `a1 = 2(1 − ε)tanh(u1)`, `a2 = ((2 − |a1|)(1 − ε)tanh(u2) + |a1|)/2`; see the [module docs](self) for the
/// geometry and [`eps`](super::eps) for ε. `u = 0` gives `a = (0, 0)`.
///
/// # Arguments
/// * `u` — `[sets, 2]` rows `(u1, u2)`, any real values.
///
/// # Returns
/// `[sets, 2]` rows `(a1, a2)`: the `a_1, a_2` of [`allpole`](crate::allpole), or the `a1, a2` of an sos row
/// (see [`sos_from_pairs`](super::sos_from_pairs)).
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) when `u.len()` is odd.
///
/// # Examples
/// ```
/// use diffiir::param::triangle;
/// let a = triangle(&[0.3, -0.2, 1e6, 1e6_f64]).unwrap();
/// for p in a.chunks(2) {
///     assert!(p[1].abs() < 1.0 && p[0].abs() < 1.0 + p[1]);
/// }
/// ```
///
/// See also [`triangle_adjoint`], [`conjugate_pair`](super::conjugate_pair).
pub fn triangle<T: Float>(u: &[T]) -> Result<Vec<T>> {
    rows(F, "u", u.len(), 2, "(u1, u2)")?;
    let mut a = Vec::with_capacity(u.len());
    for p in u.chunks_exact(2) {
        let (t1, _) = tanh_cap(p[0]);
        let (t2, _) = tanh_cap(p[1]);
        let a1 = t1 + t1;
        let m = a1.abs();
        // (2 − m) is exact for m ∈ [1, 2] (Sterbenz), so the top corners lose nothing to cancellation.
        let two = T::one() + T::one();
        a.push(a1);
        a.push(((two - m) * t2 + m) / two);
    }
    Ok(a)
}

/// Adjoint of [`triangle`]: `∂L/∂u` from `∂L/∂a`.
///
/// Exact everywhere except at `a1 = 0` (where `|a1|` is not differentiable; the subgradient 0 is used for
/// that term). Saturated inputs (`|u| ≳ 19` in f64) get gradient 0, finite.
///
/// # Arguments
/// * `u` — `[sets, 2]`, the forward's input.
/// * `ga` — `[sets, 2]`, `∂L/∂(a1, a2)`.
///
/// # Returns
/// `[sets, 2]`, `∂L/∂(u1, u2)`.
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) when `u.len()` is odd or `ga.len() ≠ u.len()`.
///
/// # Examples
/// ```
/// use diffiir::param::{triangle, triangle_adjoint};
/// let u = [0.3, -0.2_f64];
/// let g = triangle_adjoint(&u, &[1.0, 0.0]).unwrap(); // ∂a1/∂u
/// assert!((g[0] - 2.0 * (1.0 - diffiir::param::eps::<f64>()) * (1.0 - 0.3_f64.tanh().powi(2))).abs() < 1e-15);
/// assert_eq!(g[1], 0.0);
/// ```
pub fn triangle_adjoint<T: Float>(u: &[T], ga: &[T]) -> Result<Vec<T>> {
    rows(FA, "u", u.len(), 2, "(u1, u2)")?;
    same(FA, "ga", ga.len(), u.len(), "= len(u), ∂L/∂(a1, a2)")?;
    let two = T::one() + T::one();
    let mut gu = Vec::with_capacity(u.len());
    for (p, g) in u.chunks_exact(2).zip(ga.chunks_exact(2)) {
        let (t1, d1) = tanh_cap(p[0]);
        let (t2, d2) = tanh_cap(p[1]);
        let a1 = t1 + t1;
        let m = a1.abs();
        let ga1 = g[0] + g[1] * sign(a1) * (T::one() - t2) / two;
        gu.push(ga1 * two * d1);
        gu.push(g[1] * (two - m) / two * d2);
    }
    Ok(gu)
}

/// Inverse of [`triangle`]: free parameters `(u1, u2)` whose image is `(a1, a2)` — to start an optimisation
/// from a known filter. Points on or outside the triangle's (capped) boundary are first pulled inside, to
/// within `√ε` of it, so the result is always finite.
///
/// # Arguments
/// * `a` — `[sets, 2]` rows `(a1, a2)`.
///
/// # Returns
/// `[sets, 2]` rows `(u1, u2)`; `triangle(triangle_inverse(a)) ≈ a` inside the triangle.
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) when `a.len()` is not a multiple of 2.
///
/// # Examples
/// ```
/// use diffiir::param::{triangle, triangle_inverse};
/// let a = [-1.6, 0.81, 0.3, -0.2_f64];
/// let back = triangle(&triangle_inverse(&a).unwrap()).unwrap();
/// assert!(back.iter().zip(&a).all(|(x, y)| (x - y).abs() < 1e-12));
/// ```
pub fn triangle_inverse<T: Float>(a: &[T]) -> Result<Vec<T>> {
    rows("triangle_inverse", "a", a.len(), 2, "(a1, a2)")?;
    let one = T::one();
    let two = one + one;
    let c = one - super::eps::<T>();
    let margin = super::eps::<T>().sqrt();
    let atanh = |t: T| ((one + t) / (one - t)).ln() / two;
    let mut u = Vec::with_capacity(a.len());
    for p in a.chunks_exact(2) {
        let lim = c * (one - margin);
        let t1 = (p[0] / two).max(-lim).min(lim);
        let m = (two * t1).abs();
        let t2 = ((two * p[1] - m) / (two - m)).max(-lim).min(lim);
        u.push(atanh(t1 / c));
        u.push(atanh(t2 / c));
    }
    Ok(u)
}
