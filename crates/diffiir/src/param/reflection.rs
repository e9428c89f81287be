//! Reflection (PARCOR) coefficients and the Levinson step-up / step-down recursions: all-pole filters of
//! any order that are stable by construction.
//!
//! # Convention
//! `A(z) = 1 + Σ_{k=1..N} a_k z^−k`, filtered as `y[n] = x[n] − Σ a_k y[n−k]` (the crate's sign, as in
//! [`allpole`](crate::allpole)). `A` has all its roots strictly inside the unit circle iff every reflection
//! coefficient satisfies `|k_i| < 1` (Schur–Cohn), so parameterising `k` keeps any order stable.
//!
//! # Forward
//! ```text
//! reflection:      k_i = (1 − ε)·tanh(u_i)                            u_i ∈ ℝ
//! lar_reflection:  k_i = (1 − ε)·tanh(LAR_i / 2)                      LAR_i = ln((1 + k_i)/(1 − k_i)) ∈ ℝ
//! step_up:         a^(i)_i = k_i,  a^(i)_j = a^(i−1)_j + k_i·a^(i−1)_{i−j}   (j = 1..i−1, i = 1..N)
//! step_down:       k_i = a^(i)_i,  a^(i−1)_j = (a^(i)_j − k_i·a^(i)_{i−j}) / (1 − k_i²)   (i = N..1)
//! ```
//!
//! # Floating point
//! Stability is exact for `k`, but [`step_up`] returns direct-form `a`, rounded. On the unit circle
//! `|A(e^{iω})| ≥ Π(1 − |k_i|)` (each step scales `|A|` there by a factor within `1 ± |k_i|`), while rounding in
//! the recursion moves `A` there by at most ≈ `2N·u·Π(1 + |k_i|)` (`u` = unit roundoff, 2⁻⁵³ or 2⁻²⁴). By
//! Rouché's theorem the computed `a` is therefore stable whenever
//!
//! ```text
//! Σ_i ln((1 + |k_i|)/(1 − |k_i|)) = Σ_i |LAR_i|  <  ln(1/(2N·u))     = 33.3 (f64), 13.2 (f32) for N = 16
//! ```
//!
//! (for [`reflection`], `|LAR_i| ≤ 2|u_i|`). Beyond that budget stability is not guaranteed, and it is lost in
//! practice once several `k_i` sit near ±1 with signs that crowd roots at `z = ±1` (`A(1) = Π(1 + k_i)` drops
//! below the rounding error): three `k_i` at the cap `−(1 − ε)` round to `A(1) = 0`, a pole on the circle, in
//! f64 and f32, and most order-16 rows of `u ~ N(0, 9)` round to a pole slightly outside. Direct-form
//! coefficients cannot represent such poles: bound `|u_i|` (or the LARs) to stay within the budget, or use
//! second-order sections ([`triangle`](fn@super::triangle), [`conjugate_pair`](super::conjugate_pair)) for high orders.
//!
//! # Log-area ratios
//! The log-area ratio is the natural-log one, `LAR = 2·atanh(k)` (some speech codecs use `log10` or the
//! opposite sign of `k`: convert before). The `1 − ε` scale ([`eps`](super::eps)) keeps `|k| < 1` where
//! `tanh` saturates to exactly 1.
//!
//! # Adjoint
//! Reverse mode through the step-up recursion, with `ḡ = ∂L/∂a^(N)` and the stored stages `a^(i−1)`:
//!
//! ```text
//! for i = N..1:   ∂L/∂k_i = ḡ_i + Σ_{j=1..i−1} ḡ_j·a^(i−1)_{i−j}
//!                 ḡ_j ← ḡ_j + k_i·ḡ_{i−j}          (j = 1..i−1; now ∂L/∂a^(i−1))
//! ∂L/∂u_i = ∂L/∂k_i·(1 − ε)(1 − tanh²(u_i)),   ∂L/∂LAR_i = ∂L/∂k_i·(1 − ε)(1 − tanh²(LAR_i/2))/2
//! ```

use super::{rows, same, tanh_cap};
use crate::error::Result;
use crate::float::Float;

/// Maps unconstrained reals to reflection coefficients `k = (1 − ε)·tanh(u)`, elementwise; `|k| ≤ 1 − ε`.
///
/// # Arguments
/// * `u` — any shape, any real values (typically `[sets, N]`).
///
/// # Returns
/// `k`, the same shape; feed it to [`step_up`] for LPC coefficients.
///
/// # Examples
/// ```
/// use diffiir::param::{reflection, eps};
/// let k = reflection(&[0.0, 1e6, -1e6_f64]);
/// assert_eq!(k, [0.0, 1.0 - eps::<f64>(), -(1.0 - eps::<f64>())]);
/// ```
///
/// See also [`reflection_adjoint`], [`lar_reflection`], [`step_up`].
pub fn reflection<T: Float>(u: &[T]) -> Vec<T> {
    u.iter().map(|&v| tanh_cap(v).0).collect()
}

/// Adjoint of [`reflection`]: `∂L/∂u = ∂L/∂k · (1 − ε)(1 − tanh²(u))`.
///
/// # Arguments
/// * `u` — the forward's input; `gk` — `∂L/∂k`, the same length.
///
/// # Returns
/// `∂L/∂u` (0, finite, where `tanh` has saturated).
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) when `gk.len() ≠ u.len()`.
///
/// # Examples
/// ```
/// use diffiir::param::{reflection_adjoint, eps};
/// assert_eq!(reflection_adjoint(&[0.0_f64], &[2.0]).unwrap(), [2.0 * (1.0 - eps::<f64>())]);
/// ```
pub fn reflection_adjoint<T: Float>(u: &[T], gk: &[T]) -> Result<Vec<T>> {
    same("reflection_adjoint", "gk", gk.len(), u.len(), "= len(u), ∂L/∂k")?;
    Ok(u.iter().zip(gk).map(|(&v, &g)| g * tanh_cap(v).1).collect())
}

/// Maps log-area ratios to reflection coefficients `k = (1 − ε)·tanh(LAR/2)`, elementwise (the inverse of
/// `LAR = ln((1 + k)/(1 − k))`, up to the cap).
///
/// # Arguments
/// * `lar` — any shape, any real values.
///
/// # Returns
/// `k`, the same shape, `|k| ≤ 1 − ε`.
///
/// # Examples
/// ```
/// use diffiir::param::lar_reflection;
/// let k: f64 = 0.5;
/// let lar = ((1.0 + k) / (1.0 - k)).ln();
/// assert!((lar_reflection(&[lar])[0] - k).abs() < 1e-6);
/// ```
///
/// See also [`lar_reflection_adjoint`], [`reflection`].
pub fn lar_reflection<T: Float>(lar: &[T]) -> Vec<T> {
    let half = T::of(0.5);
    lar.iter().map(|&v| tanh_cap(v * half).0).collect()
}

/// Adjoint of [`lar_reflection`]: `∂L/∂LAR = ∂L/∂k · (1 − ε)(1 − tanh²(LAR/2))/2`.
///
/// # Arguments
/// * `lar` — the forward's input; `gk` — `∂L/∂k`, the same length.
///
/// # Returns
/// `∂L/∂LAR`.
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) when `gk.len() ≠ lar.len()`.
///
/// # Examples
/// ```
/// use diffiir::param::{lar_reflection_adjoint, eps};
/// assert_eq!(lar_reflection_adjoint(&[0.0_f64], &[2.0]).unwrap(), [1.0 - eps::<f64>()]);
/// ```
pub fn lar_reflection_adjoint<T: Float>(lar: &[T], gk: &[T]) -> Result<Vec<T>> {
    same("lar_reflection_adjoint", "gk", gk.len(), lar.len(), "= len(lar), ∂L/∂k")?;
    let half = T::of(0.5);
    Ok(lar.iter().zip(gk).map(|(&v, &g)| g * tanh_cap(v * half).1 * half).collect())
}

/// The index pairs `(p, q)`, `p ≤ q`, that one step of order `i` couples: 0-based `j − 1` and `i − j − 1`
/// (`p + q = i − 2`). For even `i` the middle index pairs with itself; updating a pair "both ways" then
/// writes the same value twice, so one loop serves both cases.
#[inline]
fn pairs(i: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..i / 2).map(move |p| (p, i - 2 - p))
}

/// One order-raising step in place: `a[..i−1]` holds `a^(i−1)`; afterwards `a[..i]` holds `a^(i)`.
#[inline]
fn raise<T: Float>(a: &mut [T], i: usize, k: T) {
    for (p, q) in pairs(i) {
        let (x, y) = (a[p], a[q]);
        a[p] = x + k * y;
        a[q] = y + k * x;
    }
    a[i - 1] = k;
}

/// Reflection coefficients to LPC coefficients by the step-up (Levinson) recursion.
///
/// `a^(i)_i = k_i`, `a^(i)_j = a^(i−1)_j + k_i·a^(i−1)_{i−j}`, for each row of `N` coefficients; the result
/// is `a^(N)`. All roots of `1 + Σ a_j z^−j` are strictly inside the unit circle iff every `|k_i| < 1`
/// (exactly; after rounding, while `Σ|LAR_i| < ln(1/(2N·u))`, see [Floating point](self#floating-point)).
/// `O(N²)` per row.
///
/// # Arguments
/// * `k` — `[sets, N]` reflection coefficients (e.g. from [`reflection`]).
/// * `order` — `N ≥ 1`.
///
/// # Returns
/// `[sets, N]` rows `a_1..a_N`, the layout of [`allpole`](crate::allpole).
///
/// # Errors
/// [`Error::Empty`](crate::Error::Empty) for `order = 0`; [`Error::Shape`](crate::Error::Shape) when
/// `k.len()` is not a multiple of `order`.
///
/// # Examples
/// ```
/// use diffiir::param::step_up;
/// // k = (0.5, 0.25): a^(1) = (0.5); a^(2) = (0.5 + 0.25·0.5, 0.25).
/// assert_eq!(step_up(&[0.5, 0.25_f64], 2).unwrap(), [0.625, 0.25]);
/// ```
///
/// See also [`step_up_adjoint`], [`step_down`].
pub fn step_up<T: Float>(k: &[T], order: usize) -> Result<Vec<T>> {
    rows("step_up", "k", k.len(), order, "order reflection coefficients")?;
    let mut a = vec![T::zero(); k.len()];
    for (row, kr) in a.chunks_exact_mut(order).zip(k.chunks_exact(order)) {
        for (i, &ki) in kr.iter().enumerate() {
            raise(row, i + 1, ki);
        }
    }
    Ok(a)
}

/// Adjoint of [`step_up`]: `∂L/∂k` from `∂L/∂a`, by reverse mode through the recursion.
///
/// The stages `a^(1)..a^(N−1)` of each row are recomputed and stored (`N(N−1)/2` values), so the reverse
/// pass never divides by `1 − k²` and stays accurate for `|k|` near 1.
///
/// # Arguments
/// * `k` — `[sets, N]`, the forward's input; `order` — `N ≥ 1`.
/// * `ga` — `[sets, N]`, `∂L/∂a`.
///
/// # Returns
/// `[sets, N]`, `∂L/∂k`.
///
/// # Errors
/// [`Error::Empty`](crate::Error::Empty) for `order = 0`; [`Error::Shape`](crate::Error::Shape) when
/// `k.len()` is not a multiple of `order` or `ga.len() ≠ k.len()`.
///
/// # Examples
/// ```
/// use diffiir::param::step_up_adjoint;
/// // a1 = k1 + k2·k1, a2 = k2: ∂a1/∂k = (1 + k2, k1).
/// assert_eq!(step_up_adjoint(&[0.5, 0.25_f64], 2, &[1.0, 0.0]).unwrap(), [1.25, 0.5]);
/// ```
pub fn step_up_adjoint<T: Float>(k: &[T], order: usize, ga: &[T]) -> Result<Vec<T>> {
    const FA: &str = "step_up_adjoint";
    rows(FA, "k", k.len(), order, "order reflection coefficients")?;
    same(FA, "ga", ga.len(), k.len(), "= len(k), ∂L/∂a")?;
    let n = order;
    // Stage a^(i−1) (length i − 1) lives at offset (i−1)(i−2)/2.
    let at = |i: usize| (i - 1) * i.saturating_sub(2) / 2;
    let mut stages = vec![T::zero(); n * (n - 1) / 2];
    let mut cur = vec![T::zero(); n];
    let mut gk = vec![T::zero(); k.len()];
    for ((kr, gr), out) in k.chunks_exact(n).zip(ga.chunks_exact(n)).zip(gk.chunks_exact_mut(n)) {
        for (i, &ki) in kr.iter().enumerate().map(|(i, v)| (i + 1, v)) {
            stages[at(i)..at(i) + i - 1].copy_from_slice(&cur[..i - 1]);
            raise(&mut cur, i, ki);
        }
        // `g` is ∂L/∂a^(i) on entry to step i and ∂L/∂a^(i−1) after it.
        let g = &mut cur;
        g.copy_from_slice(gr);
        for i in (1..=n).rev() {
            let prev = &stages[at(i)..at(i) + i - 1];
            // Σ_{j=1..i−1} ḡ_j a^(i−1)_{i−j}: 0-based g[p]·prev[i − 2 − p].
            let mut s = g[i - 1];
            for (p, &gp) in g[..i - 1].iter().enumerate() {
                s = s + gp * prev[i - 2 - p];
            }
            out[i - 1] = s;
            // ḡ_j ← ḡ_j + k_i ḡ_{i−j}: the same pairing as the forward step.
            let ki = kr[i - 1];
            for (p, q) in pairs(i) {
                let (x, y) = (g[p], g[q]);
                g[p] = x + ki * y;
                g[q] = y + ki * x;
            }
        }
    }
    Ok(gk)
}

/// LPC coefficients to reflection coefficients by the step-down (backward Levinson) recursion: the
/// inverse of [`step_up`].
///
/// `k_i = a^(i)_i`, then `a^(i−1)_j = (a^(i)_j − k_i·a^(i)_{i−j}) / (1 − k_i²)`, for `i = N..1`. The filter
/// `1 / (1 + Σ a_j z^−j)` is stable iff every `|k_i| < 1` (a stability test, exact up to rounding, which
/// step-down amplifies by up to `Π 1/(1 − k_i²)`). A row with some `|k_i| = 1` (a root on the unit circle)
/// divides by `1 − k_i² = 0`: its lower-index `k` are then non-finite (or meaningless), as the crate's
/// non-finite values propagate; other rows are unaffected.
///
/// # Arguments
/// * `a` — `[sets, N]` rows `a_1..a_N`; `order` — `N ≥ 1`.
///
/// # Returns
/// `[sets, N]`, `k_1..k_N` per row.
///
/// # Errors
/// [`Error::Empty`](crate::Error::Empty) for `order = 0`; [`Error::Shape`](crate::Error::Shape) when
/// `a.len()` is not a multiple of `order`.
///
/// # Examples
/// ```
/// use diffiir::param::step_down;
/// assert_eq!(step_down(&[0.625, 0.25_f64], 2).unwrap(), [0.5, 0.25]);
/// ```
///
/// See also [`step_up`].
pub fn step_down<T: Float>(a: &[T], order: usize) -> Result<Vec<T>> {
    rows("step_down", "a", a.len(), order, "order LPC coefficients a_1..a_N")?;
    let mut k = vec![T::zero(); a.len()];
    let mut cur = vec![T::zero(); order];
    for (ar, kr) in a.chunks_exact(order).zip(k.chunks_exact_mut(order)) {
        cur.copy_from_slice(ar);
        for i in (1..=order).rev() {
            let ki = cur[i - 1];
            kr[i - 1] = ki;
            let d = T::one() - ki * ki;
            for (p, q) in pairs(i) {
                let (x, y) = (cur[p], cur[q]);
                cur[p] = (x - ki * y) / d;
                cur[q] = (y - ki * x) / d;
            }
        }
    }
    Ok(k)
}
