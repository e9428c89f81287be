//! Frequency responses `H(e^{jω}) = B(e^{jω}) / A(e^{jω})` (scipy's `freqz`, `sosfreqz`) and their adjoints,
//! plus the magnitude in dB with its adjoint, and the group delay.
//!
//! # Adjoint convention (PyTorch's, for complex values)
//! The gradient of a real loss w.r.t. a complex `h` is `ḡ = ∂L/∂Re h + i·∂L/∂Im h`. For a real coefficient `c`,
//! `∂L/∂c = Σ_ω Re(conj(ḡ) · ∂h/∂c)`, with `∂h/∂b_k = e^{−jωk}/A` and `∂h/∂a_k = −h·e^{−jωk}/A`
//! (`a_0` included: `freqz` does not normalise, exactly as scipy).

use crate::error::{Error, Result};
use crate::float::Float;
use crate::shape::{Coefs, Dims};
use num_complex::Complex;

/// Evaluates `Σ_k c_k z^{−k}` at `z^{−1} = e^{−jω}` (Horner).
#[inline]
fn poly<T: Float>(c: &[T], zinv: Complex<T>) -> Complex<T> {
    c.iter().rev().fold(Complex::new(T::zero(), T::zero()), |acc, &v| acc * zinv + Complex::new(v, T::zero()))
}

fn zinv<T: Float>(w: T) -> Complex<T> {
    Complex::new(w.cos(), -w.sin())
}

/// Validates a frequency-response coefficient array: shared `[K]` or one set per filter `[B, K]`.
pub(crate) fn check_lti<T: Float>(func: &'static str, arg: &'static str, c: &Coefs<'_, T>, batch: usize) -> Result<()> {
    if c.is_time_varying() {
        return Err(Error::Shape { func, arg, expected: "[K] or [B, K] (time-invariant)".into(), got: "per-sample coefficients".into() });
    }
    c.check(func, arg, Dims::new(batch, 1))
}

/// Frequency response of `B(z)/A(z)` at `w` (radians per sample), as `scipy.signal.freqz(b, a, worN=w)`.
///
/// # Arguments
/// * `b`, `a` — `[nb]`/`[na]` shared or `[B, nb]`/`[B, na]` per filter ([`Coefs`]); `a` is not normalised.
/// * `batch` — number of filters `B` (1 for shared coefficients).
/// * `w` — `[N]` angular frequencies in radians per sample (`2π·f/fs`).
///
/// # Returns
/// `h`, `[B, N]` complex.
///
/// # Examples
/// ```
/// use diffiir::{freq::freqz, Coefs};
/// let h = freqz(Coefs::shared(&[1.0, 1.0]), Coefs::shared(&[2.0]), 1, &[0.0, std::f64::consts::PI]).unwrap();
/// assert!((h[0].re - 1.0).abs() < 1e-15 && h[1].norm() < 1e-15);
/// ```
pub fn freqz<T: Float>(b: Coefs<'_, T>, a: Coefs<'_, T>, batch: usize, w: &[T]) -> Result<Vec<Complex<T>>> {
    check_lti("freqz", "b", &b, batch)?;
    check_lti("freqz", "a", &a, batch)?;
    let mut h = Vec::with_capacity(batch * w.len());
    for s in 0..batch {
        let (bs, as_) = (b.set(s, 0, 1), a.set(s, 0, 1));
        h.extend(w.iter().map(|&w| {
            let z = zinv(w);
            poly(bs, z) / poly(as_, z)
        }));
    }
    Ok(h)
}

/// Adjoint of [`freqz`]: given `gh = ∂L/∂h` (`[B, N]`, PyTorch's complex convention) returns `(∂L/∂b, ∂L/∂a)`
/// in the layouts of `b` and `a`.
pub fn freqz_adjoint<T: Float>(b: Coefs<'_, T>, a: Coefs<'_, T>, batch: usize, w: &[T], gh: &[Complex<T>]) -> Result<(Vec<T>, Vec<T>)> {
    check_lti("freqz_adjoint", "b", &b, batch)?;
    check_lti("freqz_adjoint", "a", &a, batch)?;
    crate::lanes::check_len("freqz_adjoint", "gh", batch * w.len(), gh.len())?;
    let (mut gb, mut ga) = (vec![T::zero(); b.data.len()], vec![T::zero(); a.data.len()]);
    for s in 0..batch {
        let (bs, as_) = (b.set(s, 0, 1), a.set(s, 0, 1));
        let (ob, oa) = (b.offset(s, 0, 1), a.offset(s, 0, 1));
        for (i, &wi) in w.iter().enumerate() {
            let z = zinv(wi);
            let (den, h) = (poly(as_, z), poly(bs, z) / poly(as_, z));
            let c = gh[s * w.len() + i].conj() / den;
            let ch = -c * h;
            let mut zk = Complex::new(T::one(), T::zero());
            for k in 0..bs.len().max(as_.len()) {
                if k < bs.len() {
                    gb[ob + k] = gb[ob + k] + (c * zk).re;
                }
                if k < as_.len() {
                    ga[oa + k] = ga[oa + k] + (ch * zk).re;
                }
                zk = zk * z;
            }
        }
    }
    Ok((gb, ga))
}

/// Frequency response of second-order sections (`[S, 6]` shared or `[B, S, 6]`), as `scipy.signal.sosfreqz`:
/// the product of the sections' responses. Returns `[B, N]`.
pub fn sosfreqz<T: Float>(sos: Coefs<'_, T>, batch: usize, w: &[T]) -> Result<Vec<Complex<T>>> {
    check_sos("sosfreqz", &sos, batch)?;
    let mut h = Vec::with_capacity(batch * w.len());
    for s in 0..batch {
        let set = sos.set(s, 0, 1);
        h.extend(w.iter().map(|&w| {
            let z = zinv(w);
            set.chunks_exact(6).fold(Complex::new(T::one(), T::zero()), |acc, c| acc * poly(&c[..3], z) / poly(&c[3..], z))
        }));
    }
    Ok(h)
}

/// Adjoint of [`sosfreqz`]: `∂L/∂sos` in the layout of `sos`. Each section's sensitivity uses the product of
/// the *other* sections (prefix and suffix products, no division), so zeros on the unit circle are fine.
pub fn sosfreqz_adjoint<T: Float>(sos: Coefs<'_, T>, batch: usize, w: &[T], gh: &[Complex<T>]) -> Result<Vec<T>> {
    check_sos("sosfreqz_adjoint", &sos, batch)?;
    crate::lanes::check_len("sosfreqz_adjoint", "gh", batch * w.len(), gh.len())?;
    let ns = sos.k / 6;
    let mut g = vec![T::zero(); sos.data.len()];
    let mut hs = vec![Complex::new(T::zero(), T::zero()); ns];
    let mut suffix = vec![Complex::new(T::zero(), T::zero()); ns + 1];
    for s in 0..batch {
        let (set, o) = (sos.set(s, 0, 1), sos.offset(s, 0, 1));
        for (i, &wi) in w.iter().enumerate() {
            let z = zinv(wi);
            for (hsec, c) in hs.iter_mut().zip(set.chunks_exact(6)) {
                *hsec = poly(&c[..3], z) / poly(&c[3..], z);
            }
            suffix[ns] = Complex::new(T::one(), T::zero());
            for k in (0..ns).rev() {
                suffix[k] = suffix[k + 1] * hs[k];
            }
            let mut prefix = Complex::new(T::one(), T::zero());
            let gc = gh[s * w.len() + i].conj();
            for (sec, c) in set.chunks_exact(6).enumerate() {
                let others = prefix * suffix[sec + 1];
                let den = poly(&c[3..], z);
                let cb = gc * others / den;
                let ca = -cb * hs[sec];
                let mut zk = Complex::new(T::one(), T::zero());
                for k in 0..3 {
                    g[o + sec * 6 + k] = g[o + sec * 6 + k] + (cb * zk).re;
                    g[o + sec * 6 + 3 + k] = g[o + sec * 6 + 3 + k] + (ca * zk).re;
                    zk = zk * z;
                }
                prefix = prefix * hs[sec];
            }
        }
    }
    Ok(g)
}

fn check_sos<T: Float>(func: &'static str, sos: &Coefs<'_, T>, batch: usize) -> Result<()> {
    check_lti(func, "sos", sos, batch)?;
    if !sos.k.is_multiple_of(6) {
        return Err(Error::Shape { func, arg: "sos", expected: "rows of 6 coefficients".into(), got: format!("{} per set", sos.k) });
    }
    Ok(())
}

/// Magnitude in dB, `10·log10(|h|² + floor)`; `floor` (e.g. `1e-20`) keeps the log and its gradient finite at
/// zeros of the response.
pub fn mag_db<T: Float>(h: &[Complex<T>], floor: T) -> Vec<T> {
    let ten = T::of(10.0);
    h.iter().map(|h| ten * (h.norm_sqr() + floor).log10()).collect()
}

/// Adjoint of [`mag_db`]: given `∂L/∂dB` returns `∂L/∂h` (PyTorch's complex convention):
/// `∂dB/∂Re h = (20/ln 10)·Re h/(|h|² + floor)`, likewise for `Im h`.
pub fn mag_db_adjoint<T: Float>(h: &[Complex<T>], floor: T, gdb: &[T]) -> Result<Vec<Complex<T>>> {
    crate::lanes::check_len("mag_db_adjoint", "gdb", h.len(), gdb.len())?;
    let k = T::of(20.0 / std::f64::consts::LN_10);
    Ok(h.iter().zip(gdb).map(|(h, &g)| *h * (g * k / (h.norm_sqr() + floor))).collect())
}

/// Group delay in samples, `−dφ/dω = Re(Σ k b_k z^{−k} / B) − Re(Σ k a_k z^{−k} / A)`, as
/// `scipy.signal.group_delay((b, a), w)` (no gradient). `[B, N]`.
pub fn group_delay<T: Float>(b: Coefs<'_, T>, a: Coefs<'_, T>, batch: usize, w: &[T]) -> Result<Vec<T>> {
    check_lti("group_delay", "b", &b, batch)?;
    check_lti("group_delay", "a", &a, batch)?;
    let ramp = |c: &[T]| -> Vec<T> { c.iter().enumerate().map(|(k, &v)| v * T::of(k as f64)).collect() };
    let mut out = Vec::with_capacity(batch * w.len());
    for s in 0..batch {
        let (bs, as_) = (b.set(s, 0, 1), a.set(s, 0, 1));
        let (rb, ra) = (ramp(bs), ramp(as_));
        out.extend(w.iter().map(|&w| {
            let z = zinv(w);
            (poly(&rb, z) / poly(bs, z)).re - (poly(&ra, z) / poly(as_, z)).re
        }));
    }
    Ok(out)
}
