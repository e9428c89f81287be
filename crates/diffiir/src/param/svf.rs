//! The topology-preserving-transform (TPT, Zavalishin) state-variable filter as an equivalent biquad.
//!
//! # The filter
//! With `g = tan(π·f0/fs)`, damping `R` (`R = 1/(2Q)`) and mix gains, per sample:
//!
//! ```text
//! hp  = (x − (2R + g)·s1 − s2) / (1 + 2Rg + g²)
//! bp  = g·hp + s1;   s1 ← g·hp + bp
//! lp  = g·bp + s2;   s2 ← g·bp + lp
//! y   = c_LP·lp + c_BP·bp + c_HP·hp
//! ```
//!
//! Its integrators are trapezoidal, so the outputs are the bilinear transform `s = (1/g)·(1 − z⁻¹)/(1 + z⁻¹)`
//! of the analog SVF `HP = s²/D`, `BP = s/D`, `LP = 1/D`, `D = s² + 2Rs + 1`. Multiplying through by
//! `g²(1 + z⁻¹)²`:
//!
//! ```text
//! a = [1 + 2Rg + g²,  2(g² − 1),  1 − 2Rg + g²]
//! b = c_LP·[g², 2g², g²] + c_BP·[g, 0, −g] + c_HP·[1, −2, 1]
//! ```
//!
//! and the sos row is `[b, a] / a0`. (Check: `z = 1` gives `b/a = c_LP`, `z = −1` gives `c_HP`.) Poles are
//! inside the unit circle iff `R·g > 0`, e.g. `g > 0` and `R > 0` (Jury: `a0 + a1 + a2 = 4g²`,
//! `a0 − a1 + a2 = 4`, `a0 − a2 = 4Rg`, `a0 + a2 = 2 + 2g²`, all positive); the biquad is the same
//! linear map as the recursion above, but with a different state (use it for the transfer function, not to
//! swap state mid-stream).
//!
//! # Adjoint
//! Through the normalisation (see [`rbj`](mod@super::rbj)) and the partials of the raw row:
//!
//! ```text
//! ∂/∂g:    b = [2c_LP·g + c_BP, 4c_LP·g, 2c_LP·g − c_BP],   a = [2R + 2g, 4g, 2g − 2R]
//! ∂/∂R:    b = 0,                                           a = [2g, 0, −2g]
//! ∂/∂c_LP = [g², 2g², g²],  ∂/∂c_BP = [g, 0, −g],  ∂/∂c_HP = [1, −2, 1]      (b only)
//! ```

use super::{dot6, normalise, normalise_adjoint, rows, same};
use crate::error::Result;
use crate::float::Float;

/// The raw row `[b0, b1, b2, a0, a1, a2]` of one `(g, R, c_LP, c_BP, c_HP)`.
#[inline]
fn raw<T: Float>(p: &[T]) -> [T; 6] {
    let (g, r, cl, cb, ch) = (p[0], p[1], p[2], p[3], p[4]);
    let (o, two) = (T::one(), T::of(2.0));
    let g2 = g * g;
    let rg2 = two * r * g;
    [cl * g2 + cb * g + ch, two * (cl * g2 - ch), cl * g2 - cb * g + ch, o + rg2 + g2, two * (g2 - o), o - rg2 + g2]
}

/// Converts TPT state-variable-filter parameters to the equivalent biquad, one normalised sos row per row.
///
/// `a = [1 + 2Rg + g², 2(g² − 1), 1 − 2Rg + g²]`, `b = c_LP·[g², 2g², g²] + c_BP·[g, 0, −g] + c_HP·[1, −2, 1]`,
/// divided by `a0`; the derivation is in the [module docs](self). Stable iff `R·g > 0` (typical:
/// `g = tan(π f0/fs)`, `R = 1/(2Q)`; e.g. `g = softplus(u)` and `R = softplus(v)` keep it stable).
///
/// # Arguments
/// * `p` — `[sets, 5]` rows `(g, R, c_LP, c_BP, c_HP)`.
///
/// # Returns
/// `[sets, 6]` sos rows `[b0, b1, b2, 1, a1, a2]`.
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) when `p.len()` is not a multiple of 5.
///
/// # Examples
/// ```
/// use diffiir::param::svf;
/// // Lowpass output (c_LP = 1): unit DC gain.
/// let g = (std::f64::consts::PI * 1000.0 / 48000.0).tan();
/// let sos = svf(&[g, 0.5, 1.0, 0.0, 0.0]).unwrap();
/// assert!(((sos[0] + sos[1] + sos[2]) / (1.0 + sos[4] + sos[5]) - 1.0).abs() < 1e-12);
/// ```
///
/// See also [`svf_adjoint`], [`rbj`](fn@super::rbj).
pub fn svf<T: Float>(p: &[T]) -> Result<Vec<T>> {
    rows("svf", "p", p.len(), 5, "(g, R, c_LP, c_BP, c_HP)")?;
    let mut sos = Vec::with_capacity(p.len() / 5 * 6);
    for row in p.chunks_exact(5) {
        sos.extend(normalise(&raw(row)));
    }
    Ok(sos)
}

/// Adjoint of [`svf`]: `∂L/∂(g, R, c_LP, c_BP, c_HP)` from `∂L/∂sos` (the `a0` column's gradient is ignored).
///
/// # Arguments
/// * `p` — `[sets, 5]`, the forward's input; `gsos` — `[sets, 6]`, `∂L/∂sos`.
///
/// # Returns
/// `[sets, 5]`, the gradient of each parameter.
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) when `p.len()` is not a multiple of 5 or `gsos` is not `[sets, 6]`.
///
/// # Examples
/// ```
/// use diffiir::param::svf_adjoint;
/// // b0 = (c_LP g² + c_BP g + c_HP)/a0 is linear in the mix gains.
/// let g = svf_adjoint(&[0.5, 0.5, 1.0, 0.0, 0.0_f64], &[1.0, 0.0, 0.0, 0.0, 0.0, 0.0]).unwrap();
/// assert_eq!(g[4], 1.0 / (1.0 + 0.5 + 0.25));
/// ```
pub fn svf_adjoint<T: Float>(p: &[T], gsos: &[T]) -> Result<Vec<T>> {
    const FA: &str = "svf_adjoint";
    let n = rows(FA, "p", p.len(), 5, "(g, R, c_LP, c_BP, c_HP)")?;
    same(FA, "gsos", gsos.len(), 6 * n, "[sets, 6], ∂L/∂sos")?;
    let (z, two, four) = (T::zero(), T::of(2.0), T::of(4.0));
    let mut gp = Vec::with_capacity(p.len());
    for (row, gs) in p.chunks_exact(5).zip(gsos.chunks_exact(6)) {
        let (g, r, cl, cb) = (row[0], row[1], row[2], row[3]);
        let gr = normalise_adjoint(&raw(row), gs);
        let dg = [two * cl * g + cb, four * cl * g, two * cl * g - cb, two * (r + g), four * g, two * (g - r)];
        let dr = [z, z, z, two * g, z, -two * g];
        let g2 = g * g;
        gp.extend([
            dot6(&gr, &dg),
            dot6(&gr, &dr),
            gr[0] * g2 + gr[1] * two * g2 + gr[2] * g2,
            (gr[0] - gr[2]) * g,
            gr[0] - two * gr[1] + gr[2],
        ]);
    }
    Ok(gp)
}
