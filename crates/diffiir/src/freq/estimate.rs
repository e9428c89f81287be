//! Measuring a transfer function from an input and an output recording (the H1 estimator).
//!
//! `H(ω) = Σ_b Y_b(ω) · conj(X_b(ω)) / Σ_b |X_b(ω)|²`, with `X_b`, `Y_b` the Hann-windowed DTFTs of signal `b`
//! at the requested frequencies. For a linear time-invariant system `y = h ∗ x` this recovers `H` up to an
//! edge error of order `L/T` (`L` the effective impulse-response length): the window tapers the transients at
//! both ends that do not obey `Y = H·X`. Pooling the batch averages out frequencies where one input has
//! little energy. It is what an EQ-matching loss in the log-magnitude domain needs as a target, and it is
//! not differentiable (it measures data).

use crate::error::{Error, Result};
use crate::float::Float;
use crate::shape::Dims;
use num_complex::Complex;

const F: &str = "transfer_estimate";

/// Estimates the transfer function from `x` to `y` at angular frequencies `w` (radians per sample).
///
/// # Arguments
/// * `x`, `y` — `[B, T]` input and output signals, row-major; the batch is pooled.
/// * `dims` — `B` and `T`.
/// * `w` — `[N]` angular frequencies `2π·f/fs`.
///
/// # Returns
/// `[N]` complex `H(w)` (computed in `f64`).
///
/// # Errors
/// [`Error::Shape`] for lengths that do not match `dims`, [`Error::Empty`] for `T = 0`, [`Error::Silent`] when
/// `x` has no energy.
///
/// # Examples
/// ```
/// use diffiir::{freq::{freqz, transfer_estimate}, lfilter, Coefs, Dims};
/// let d = Dims::new(1, 8000);
/// let x: Vec<f64> = (0..8000u64).map(|i| ((i * 2654435761) % 1000) as f64 / 500.0 - 1.0).collect();
/// let (b, a) = ([0.2, 0.3], [1.0, -0.5]);
/// let y = lfilter(Coefs::shared(&b), Coefs::shared(&a), &x, d, None).unwrap().y;
/// let w = [0.1, 1.0, 2.5];
/// let h = transfer_estimate(&x, &y, d, &w).unwrap();
/// let exact = freqz(Coefs::shared(&b), Coefs::shared(&a), 1, &w).unwrap();
/// for (e, t) in h.iter().zip(&exact) {
///     assert!((e - Complex::new(t.re, t.im)).norm() < 1e-2 * t.norm());
/// }
/// # use diffiir::freq::Complex;
/// ```
pub fn transfer_estimate<T: Float>(x: &[T], y: &[T], dims: Dims, w: &[T]) -> Result<Vec<Complex<f64>>> {
    dims.check_signal(F, "x", x.len())?;
    dims.check_signal(F, "y", y.len())?;
    if dims.len == 0 || dims.batch == 0 {
        return Err(Error::Empty { func: F, arg: "x" });
    }
    if x.iter().all(|v| *v == T::zero()) {
        return Err(Error::Silent { func: F, arg: "x" });
    }
    let t = dims.len;
    let window: Vec<f64> = (0..t).map(|n| 0.5 - 0.5 * (std::f64::consts::TAU * (n as f64 + 0.5) / t as f64).cos()).collect();
    Ok(w.iter()
        .map(|&w| {
            let (mut cross, mut power) = (Complex::new(0.0, 0.0), 0.0);
            for (xr, yr) in x.chunks_exact(t).zip(y.chunks_exact(t)) {
                let (xw, yw) = dtft(xr, yr, &window, w.to64());
                cross += yw * xw.conj();
                power += xw.norm_sqr();
            }
            if power > 0.0 {
                cross / power
            } else {
                Complex::new(f64::NAN, f64::NAN)
            }
        })
        .collect())
}

/// Windowed DTFTs of `x` and `y` at `w`, by a rotating phasor renormalised every 1024 samples (so its
/// magnitude error stays at rounding level over any length).
fn dtft<T: Float>(x: &[T], y: &[T], window: &[f64], w: f64) -> (Complex<f64>, Complex<f64>) {
    let step = Complex::new(w.cos(), -w.sin());
    let (mut sx, mut sy) = (Complex::new(0.0, 0.0), Complex::new(0.0, 0.0));
    let mut z = Complex::new(1.0, 0.0);
    for (n, ((xv, yv), wv)) in x.iter().zip(y).zip(window).enumerate() {
        sx += z * (xv.to64() * wv);
        sy += z * (yv.to64() * wv);
        z *= step;
        if n % 1024 == 1023 {
            let phase = -w * (n + 1) as f64;
            z = Complex::new(phase.cos(), phase.sin());
        }
    }
    (sx, sy)
}
