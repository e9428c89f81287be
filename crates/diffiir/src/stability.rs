//! Stability on request: are all poles strictly inside the unit circle?
//!
//! The filters never check stability themselves — an unstable filter is a legitimate linear recursion, and
//! checking every call would cost a root-finding pass per coefficient set (per sample, for time-varying ones).
//! An unstable filter runs and its output grows geometrically (to ±Inf and then NaN for long signals);
//! gradients grow alike. Call these checks where coefficients come from outside (user input, a network
//! without a stable parameterisation), or use the stable-by-construction maps of [`crate::param`].
//!
//! The test is the Schur–Cohn recursion (step-down to reflection coefficients, in `f64`): a monic polynomial
//! `1 + c_1 z⁻¹ + … + c_N z⁻ᴺ` has all roots strictly inside the unit circle iff every reflection coefficient has
//! `|k| < 1`. Non-finite coefficients count as unstable.

use crate::error::{Error, Result};
use crate::float::Float;
use crate::shape::{Coefs, Dims};

/// The first `|k| ≥ 1` (or NaN) of the Schur–Cohn recursion of monic `c` (`c[0] = 1` implied), if any.
fn schur_cohn(c: &[f64]) -> Option<f64> {
    let mut cur = c.to_vec();
    for i in (1..=cur.len()).rev() {
        let k = cur[i - 1];
        if k.is_nan() || k.abs() >= 1.0 {
            return Some(k);
        }
        let d = 1.0 - k * k;
        let prev: Vec<f64> = (1..i).map(|j| (cur[j - 1] - k * cur[i - j - 1]) / d).collect();
        cur.truncate(i - 1);
        cur.copy_from_slice(&prev);
    }
    None
}

fn unstable(func: &'static str, arg: &'static str, index: usize, k: f64) -> Error {
    Error::Unstable { func, arg, index, k }
}

/// Checks that every denominator `a` (`[a0, a1, …, aN]`, `lfilter`'s layout, normalised by `a0`) is stable.
///
/// # Arguments
/// * `a` — shared `[K]`, per signal `[B, K]` or per sample `[B, T, K]` ([`Coefs`]).
/// * `dims` — the signal shape the coefficients are for.
///
/// # Errors
/// [`Error::Unstable`] naming the first unstable set (a pole on or outside the unit circle, or a non-finite
/// coefficient); the shape errors of [`crate::lfilter`] for `a`; [`Error::ZeroLeadingCoefficient`] for `a0 = 0`.
///
/// # Examples
/// ```
/// use diffiir::{check_stable, Coefs, Dims, Error};
/// let d = Dims::new(1, 100);
/// assert!(check_stable(Coefs::shared(&[1.0, -1.8, 0.81]), d).is_ok()); // double pole at 0.9
/// assert!(matches!(check_stable(Coefs::shared(&[1.0, -2.0, 1.0]), d), Err(Error::Unstable { .. }))); // at 1
/// ```
pub fn check_stable<T: Float>(a: Coefs<'_, T>, dims: Dims) -> Result<()> {
    const F: &str = "check_stable";
    a.check(F, "a", dims)?;
    a.check_nonzero(F, "a", 0, a.k)?;
    for (index, set) in a.data.chunks_exact(a.k).enumerate() {
        let a0 = set[0].to64();
        let c: Vec<f64> = set[1..].iter().map(|v| v.to64() / a0).collect();
        if let Some(k) = schur_cohn(&c) {
            return Err(unstable(F, "a", index, k));
        }
    }
    Ok(())
}

/// Checks [`allpole`](crate::allpole) coefficients `a_1..a_N` (`A(z) = 1 + Σ a_k z⁻ᵏ`): see [`check_stable`].
pub fn check_stable_allpole<T: Float>(a: Coefs<'_, T>, dims: Dims) -> Result<()> {
    const F: &str = "check_stable_allpole";
    a.check(F, "a", dims)?;
    for (index, set) in a.data.chunks_exact(a.k).enumerate() {
        let c: Vec<f64> = set.iter().map(|v| v.to64()).collect();
        if let Some(k) = schur_cohn(&c) {
            return Err(unstable(F, "a", index, k));
        }
    }
    Ok(())
}

/// Checks every section of [`sosfilt`](crate::sosfilt) coefficients (rows `[b0, b1, b2, a0, a1, a2]`); `index`
/// in the error counts sections in memory order.
pub fn check_stable_sos<T: Float>(sos: Coefs<'_, T>, dims: Dims) -> Result<()> {
    const F: &str = "check_stable_sos";
    crate::sosfilt_check(&sos, dims)?;
    for (index, row) in sos.data.chunks_exact(6).enumerate() {
        let a0 = row[3].to64();
        if let Some(k) = schur_cohn(&[row[4].to64() / a0, row[5].to64() / a0]) {
            return Err(unstable(F, "sos", index, k));
        }
    }
    Ok(())
}
