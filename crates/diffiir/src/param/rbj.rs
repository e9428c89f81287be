//! RBJ Audio-EQ-Cookbook biquads (Robert Bristow-Johnson) from `(f0, Q, gain dB)`, and a map from
//! unconstrained reals to those parameters.
//!
//! # Forward
//! With `w0 = 2π·f0/fs`, `c = cos w0`, `α = sin w0 / (2Q)` (the cookbook's **Q form** for every type,
//! shelves included, i.e. not the shelf-slope `S` form), `A = 10^(gain/40)`, `√A`, the raw coefficients
//! `[b0, b1, b2, a0, a1, a2]` are
//!
//! ```text
//! Lowpass     (1−c)/2, 1−c, (1−c)/2,          1+α, −2c, 1−α
//! Highpass    (1+c)/2, −(1+c), (1+c)/2,       1+α, −2c, 1−α
//! Bandpass    α, 0, −α                        1+α, −2c, 1−α      (constant 0 dB peak gain)
//! Notch       1, −2c, 1,                      1+α, −2c, 1−α
//! Allpass     1−α, −2c, 1+α,                  1+α, −2c, 1−α
//! Peaking     1+αA, −2c, 1−αA,                1+α/A, −2c, 1−α/A
//! LowShelf    A[(A+1) − (A−1)c + 2√Aα], 2A[(A−1) − (A+1)c], A[(A+1) − (A−1)c − 2√Aα],
//!             (A+1) + (A−1)c + 2√Aα, −2[(A−1) + (A+1)c], (A+1) + (A−1)c − 2√Aα
//! HighShelf   A[(A+1) + (A−1)c + 2√Aα], −2A[(A−1) + (A+1)c], A[(A+1) + (A−1)c − 2√Aα],
//!             (A+1) − (A−1)c + 2√Aα, 2[(A−1) − (A+1)c], (A+1) − (A−1)c − 2√Aα
//! ```
//!
//! and the returned sos row is divided by `a0`. Gain is used by `Peaking` and the shelves only. Every design
//! is stable for `0 < f0 < fs/2`, `Q > 0` and finite gain (`α > 0`, `A > 0`).
//!
//! [`rbj_params`] maps unconstrained `(u_f, u_Q, u_g)` to `f0 = fs/2·(ε + (1 − 2ε)·σ(u_f))` (strictly inside
//! `(0, fs/2)`: `[ε, 1 − ε]·fs/2` with ε = [`eps`]), `Q = q_min + softplus(u_Q)` (`> q_min > 0`) and
//! `gain = u_g` (dB, the identity).
//!
//! # Adjoint
//! Through the normalisation (`∂L/∂a0 = −Σ ḡ_j r_j / a0²`, `∂L/∂r_j = ḡ_j / a0`), then the partials of the raw
//! coefficients in `(c, α, A)` (the table above, differentiated per type), then
//! `∂c/∂f0 = −sin w0·2π/fs`, `∂α/∂f0 = cos w0·2π/(2Q·fs)`, `∂α/∂Q = −α/Q`, `∂A/∂gain = A·ln 10/40`;
//! for the unconstrained map `∂f0/∂u_f = fs/2·(1 − 2ε)σ(1 − σ)`, `∂Q/∂u_Q = σ(u_Q)`, `∂gain/∂u_g = 1`.

use super::{dot6, eps, normalise, normalise_adjoint, rows, same, sigmoid, softplus};
use crate::error::{Error, Result};
use crate::float::Float;

/// The cookbook's filter types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rbj {
    /// Second-order lowpass, `H(s) = 1 / (s² + s/Q + 1)`.
    Lowpass,
    /// Second-order highpass, `H(s) = s² / (s² + s/Q + 1)`.
    Highpass,
    /// Bandpass with constant 0 dB peak gain, `H(s) = (s/Q) / (s² + s/Q + 1)`.
    Bandpass,
    /// Notch, `H(s) = (s² + 1) / (s² + s/Q + 1)`.
    Notch,
    /// Allpass, `H(s) = (s² − s/Q + 1) / (s² + s/Q + 1)`.
    Allpass,
    /// Peaking EQ, `H(s) = (s² + s·A/Q + 1) / (s² + s/(A·Q) + 1)`.
    Peaking,
    /// Low shelf, `H(s) = A·(s² + (√A/Q)s + A) / (A·s² + (√A/Q)s + 1)`.
    LowShelf,
    /// High shelf, `H(s) = A·(A·s² + (√A/Q)s + 1) / (s² + (√A/Q)s + A)`.
    HighShelf,
}

impl Rbj {
    /// Every type, in declaration order.
    pub const ALL: [Rbj; 8] =
        [Rbj::Lowpass, Rbj::Highpass, Rbj::Bandpass, Rbj::Notch, Rbj::Allpass, Rbj::Peaking, Rbj::LowShelf, Rbj::HighShelf];

    /// Whether the design depends on the gain (`Peaking`, `LowShelf`, `HighShelf`).
    pub fn uses_gain(self) -> bool {
        matches!(self, Rbj::Peaking | Rbj::LowShelf | Rbj::HighShelf)
    }
}

/// Raw (unnormalised) coefficients and their partials in `c = cos w0`, `α` and `A`.
struct Raw<T> {
    r: [T; 6],
    dc: [T; 6],
    dal: [T; 6],
    da: [T; 6],
}

/// The cookbook formulas of the [module docs](self) and their partials; `s = √A`.
#[inline]
fn coefs<T: Float>(kind: Rbj, c: T, al: T, a: T, s: T) -> Raw<T> {
    let (o, z, two) = (T::one(), T::zero(), T::of(2.0));
    let h = T::of(0.5);
    let den = [o + al, -two * c, o - al];
    let dden = [z, -two, z];
    let dalden = [o, z, -o];
    let std = |b: [T; 3], db: [T; 3], dalb: [T; 3]| Raw {
        r: [b[0], b[1], b[2], den[0], den[1], den[2]],
        dc: [db[0], db[1], db[2], dden[0], dden[1], dden[2]],
        dal: [dalb[0], dalb[1], dalb[2], dalden[0], dalden[1], dalden[2]],
        da: [z; 6],
    };
    match kind {
        Rbj::Lowpass => std([(o - c) * h, o - c, (o - c) * h], [-h, -o, -h], [z; 3]),
        Rbj::Highpass => std([(o + c) * h, -(o + c), (o + c) * h], [h, -o, h], [z; 3]),
        Rbj::Bandpass => std([al, z, -al], [z; 3], [o, z, -o]),
        Rbj::Notch => std([o, -two * c, o], [z, -two, z], [z; 3]),
        Rbj::Allpass => std([o - al, -two * c, o + al], [z, -two, z], [-o, z, o]),
        Rbj::Peaking => {
            let ia = o / a;
            Raw {
                r: [o + al * a, -two * c, o - al * a, o + al * ia, -two * c, o - al * ia],
                dc: [z, -two, z, z, -two, z],
                dal: [a, z, -a, ia, z, -ia],
                da: [al, z, -al, -al * ia * ia, z, al * ia * ia],
            }
        }
        Rbj::LowShelf | Rbj::HighShelf => {
            // The high shelf is the low shelf with c → −c and b1, a1 negated: write both through σc = ±c.
            let sg = if kind == Rbj::LowShelf { o } else { -o };
            let cc = sg * c;
            let (p, m, t) = (a + o, a - o, two * s * al);
            // ∂t/∂A = 2α·∂√A/∂A = α/√A.
            let dt = al / s;
            let (x, y, w) = (p - m * cc + t, m - p * cc, p - m * cc - t);
            let (d0, d1, d2) = (p + m * cc + t, -two * (m + p * cc), p + m * cc - t);
            Raw {
                r: [a * x, sg * two * a * y, a * w, d0, sg * d1, d2],
                dc: [sg * (-a * m), -two * a * p, sg * (-a * m), sg * m, -two * p, sg * m],
                dal: [two * a * s, z, -two * a * s, two * s, z, -two * s],
                da: [
                    x + a * (o - cc + dt),
                    sg * two * (y + a * (o - cc)),
                    w + a * (o - cc - dt),
                    o + cc + dt,
                    sg * (-two) * (o + cc),
                    o + cc - dt,
                ],
            }
        }
    }
}

/// Intermediates of one `(f0, Q, gain)` row: `(cos w0, sin w0, α, A, √A)`.
#[inline]
fn inter<T: Float>(f0: T, q: T, gain: T, fs: T) -> (T, T, T, T, T) {
    let w0 = T::of(2.0 * std::f64::consts::PI) * f0 / fs;
    let (sw, cw) = w0.sin_cos();
    let a = T::of(10.0).powf(gain / T::of(40.0));
    (cw, sw, sw / (q + q), a, a.sqrt())
}

fn check_fs<T: Float>(func: &'static str, fs: T) -> Result<()> {
    positive(func, "fs", fs, "a positive finite sample rate")
}

fn positive<T: Float>(func: &'static str, arg: &'static str, v: T, expected: &str) -> Result<()> {
    if v > T::zero() && v.is_finite() {
        return Ok(());
    }
    Err(Error::Shape { func, arg, expected: expected.into(), got: format!("value {v:?}") })
}

/// Designs RBJ cookbook biquads from physical parameters `(f0, Q, gain dB)`, one sos row per row.
///
/// The formulas (Q form for every type) are in the [module docs](self); the row is normalised (`a0 = 1`).
/// Stable for `0 < f0 < fs/2`, `Q > 0`, finite gain; other values are computed as given (non-finite
/// values propagate). For parameters that may take any real value use [`rbj_unconstrained`].
///
/// # Arguments
/// * `kind` — the filter type.
/// * `p` — `[sets, 3]` rows `(f0 Hz, Q, gain dB)`; the gain is ignored unless [`Rbj::uses_gain`].
/// * `fs` — the sample rate in Hz.
///
/// # Returns
/// `[sets, 6]` sos rows `[b0, b1, b2, 1, a1, a2]`.
///
/// # Errors
/// [`Error::Shape`] when `p.len()` is not a multiple of 3 or `fs` is not positive and finite.
///
/// # Examples
/// ```
/// use diffiir::param::{rbj, Rbj};
/// let sos = rbj(Rbj::Lowpass, &[1000.0, std::f64::consts::FRAC_1_SQRT_2, 0.0], 48000.0).unwrap();
/// // Unit gain at DC: (b0 + b1 + b2) / (1 + a1 + a2) = 1.
/// assert!(((sos[0] + sos[1] + sos[2]) / (1.0 + sos[4] + sos[5]) - 1.0).abs() < 1e-12);
/// ```
///
/// See also [`rbj_adjoint`], [`rbj_unconstrained`], [`sosfilt`](crate::sosfilt).
pub fn rbj<T: Float>(kind: Rbj, p: &[T], fs: T) -> Result<Vec<T>> {
    const F: &str = "rbj";
    rows(F, "p", p.len(), 3, "(f0, Q, gain dB)")?;
    check_fs(F, fs)?;
    let mut sos = Vec::with_capacity(2 * p.len());
    for row in p.chunks_exact(3) {
        let (cw, _, al, a, s) = inter(row[0], row[1], row[2], fs);
        sos.extend(normalise(&coefs(kind, cw, al, a, s).r));
    }
    Ok(sos)
}

/// Adjoint of [`rbj`]: `∂L/∂(f0, Q, gain)` from `∂L/∂sos` (the `a0` column's gradient is ignored).
///
/// # Arguments
/// * `kind`, `p` `[sets, 3]`, `fs` — the forward's inputs.
/// * `gsos` — `[sets, 6]`, `∂L/∂sos`.
///
/// # Returns
/// `[sets, 3]`, `∂L/∂(f0, Q, gain dB)` (the gain's is 0 unless [`Rbj::uses_gain`]).
///
/// # Errors
/// [`Error::Shape`] when `p.len()` is not a multiple of 3, `gsos` is not `[sets, 6]` or `fs` is not positive
/// and finite.
///
/// # Examples
/// ```
/// use diffiir::param::{rbj_adjoint, Rbj};
/// let g = rbj_adjoint(Rbj::Peaking, &[1000.0, 2.0, 6.0_f64], 48000.0, &[1.0, 0.0, 0.0, 0.0, 0.0, 0.0]).unwrap();
/// assert!(g.iter().all(|v| v.is_finite()) && g[2] > 0.0); // more boost, larger b0
/// ```
pub fn rbj_adjoint<T: Float>(kind: Rbj, p: &[T], fs: T, gsos: &[T]) -> Result<Vec<T>> {
    const FA: &str = "rbj_adjoint";
    let n = rows(FA, "p", p.len(), 3, "(f0, Q, gain dB)")?;
    same(FA, "gsos", gsos.len(), 6 * n, "[sets, 6], ∂L/∂sos")?;
    check_fs(FA, fs)?;
    let dw = T::of(2.0 * std::f64::consts::PI) / fs;
    let dgain = T::of(std::f64::consts::LN_10 / 40.0);
    let mut gp = Vec::with_capacity(p.len());
    for (row, g) in p.chunks_exact(3).zip(gsos.chunks_exact(6)) {
        let (cw, sw, al, a, s) = inter(row[0], row[1], row[2], fs);
        let raw = coefs(kind, cw, al, a, s);
        let gr = normalise_adjoint(&raw.r, g);
        let (gc, gal, ga) = (dot6(&gr, &raw.dc), dot6(&gr, &raw.dal), dot6(&gr, &raw.da));
        let q = row[1];
        gp.push((-gc * sw + gal * cw / (q + q)) * dw);
        gp.push(-gal * al / q);
        gp.push(ga * a * dgain);
    }
    Ok(gp)
}

/// Maps unconstrained `(u_f, u_Q, u_g)` rows to RBJ parameters `(f0, Q, gain dB)`.
///
/// `f0 = fs/2·(ε + (1 − 2ε)·σ(u_f)) ∈ [ε·fs/2, (1 − ε)·fs/2]` (ε = [`eps`]: 2⁻²⁰ in f64, 2⁻¹⁰ in
/// f32 — at 48 kHz f0 ≥ 0.023 Hz resp. 23.4 Hz), `Q = q_min + softplus(u_Q) ≥ q_min`, `gain = u_g`. `u_f = 0`
/// is fs/4, `u_Q = 0` is `q_min + ln 2`.
///
/// The designs are stable in exact arithmetic for every input. After rounding a pole radius is about
/// `1 − α/A` (`α = sin w0/(2Q)`), so poles can reach the unit circle where that is below the precision
/// (f32: `α/A ≲ 10⁻⁷`, e.g. `Q ≳ 10⁴` at the lowest f0; f64: `Q ≳ 10¹⁰`). The gain is unconstrained but
/// `10^(gain/40)` overflows beyond ≈ ±12000 dB (f64) / ±1500 dB (f32).
///
/// # Arguments
/// * `u` — `[sets, 3]` rows `(u_f, u_Q, u_g)`, any real values.
/// * `fs` — the sample rate; `q_min` — the smallest Q, `> 0` (e.g. 0.1).
///
/// # Returns
/// `[sets, 3]` rows `(f0, Q, gain dB)` for [`rbj`].
///
/// # Errors
/// [`Error::Shape`] when `u.len()` is not a multiple of 3 or `fs`, `q_min` are not positive and finite.
///
/// # Examples
/// ```
/// use diffiir::param::rbj_params;
/// let p = rbj_params(&[0.0, 0.0, -3.0_f64, 1e6, -1e6, 0.0], 48000.0, 0.1).unwrap();
/// assert_eq!(p[0], 12000.0);
/// assert!((p[1] - (0.1 + 2f64.ln())).abs() < 1e-15 && p[2] == -3.0);
/// assert!(p[3] < 24000.0 && p[4] == 0.1);
/// ```
///
/// See also [`rbj_params_adjoint`], [`rbj_unconstrained`].
pub fn rbj_params<T: Float>(u: &[T], fs: T, q_min: T) -> Result<Vec<T>> {
    const F: &str = "rbj_params";
    rows(F, "u", u.len(), 3, "(u_f, u_Q, u_g)")?;
    check_fs(F, fs)?;
    positive(F, "q_min", q_min, "a positive finite minimum Q")?;
    let (e, half) = (eps::<T>(), fs * T::of(0.5));
    let span = T::one() - e - e;
    let mut p = Vec::with_capacity(u.len());
    for r in u.chunks_exact(3) {
        p.extend([half * (e + span * sigmoid(r[0])), q_min + softplus(r[1]), r[2]]);
    }
    Ok(p)
}

/// Adjoint of [`rbj_params`]: `∂L/∂u` from `∂L/∂(f0, Q, gain)`.
///
/// # Arguments
/// * `u` `[sets, 3]`, `fs`, `q_min` — the forward's inputs; `gp` — `[sets, 3]`, `∂L/∂(f0, Q, gain)`.
///
/// # Returns
/// `[sets, 3]`, `∂L/∂(u_f, u_Q, u_g)`.
///
/// # Errors
/// As [`rbj_params`], and [`Error::Shape`] when `gp.len() ≠ u.len()`.
///
/// # Examples
/// ```
/// use diffiir::param::rbj_params_adjoint;
/// let g = rbj_params_adjoint(&[0.0, 0.0, 0.0_f64], 48000.0, 0.1, &[1.0, 1.0, 1.0]).unwrap();
/// assert!((g[0] - 24000.0 * (1.0 - 2.0 * diffiir::param::eps::<f64>()) / 4.0).abs() < 1e-9);
/// assert_eq!((g[1], g[2]), (0.5, 1.0));
/// ```
pub fn rbj_params_adjoint<T: Float>(u: &[T], fs: T, q_min: T, gp: &[T]) -> Result<Vec<T>> {
    const FA: &str = "rbj_params_adjoint";
    rows(FA, "u", u.len(), 3, "(u_f, u_Q, u_g)")?;
    same(FA, "gp", gp.len(), u.len(), "= len(u), ∂L/∂(f0, Q, gain)")?;
    check_fs(FA, fs)?;
    positive(FA, "q_min", q_min, "a positive finite minimum Q")?;
    let (e, half) = (eps::<T>(), fs * T::of(0.5));
    let span = T::one() - e - e;
    let mut g = Vec::with_capacity(u.len());
    for (r, gr) in u.chunks_exact(3).zip(gp.chunks_exact(3)) {
        let s = sigmoid(r[0]);
        g.extend([gr[0] * half * span * s * (T::one() - s), gr[1] * sigmoid(r[1]), gr[2]]);
    }
    Ok(g)
}

/// RBJ cookbook biquads from unconstrained parameters: [`rbj`] of [`rbj_params`]`(u, fs, q_min)`.
///
/// Stable for every real input (within the precision limits stated at [`rbj_params`]).
///
/// # Arguments
/// * `kind` — the filter type; `u` — `[sets, 3]` rows `(u_f, u_Q, u_g)`; `fs`; `q_min > 0`.
///
/// # Returns
/// `[sets, 6]` normalised sos rows.
///
/// # Errors
/// As [`rbj_params`].
///
/// # Examples
/// ```
/// use diffiir::param::{rbj_unconstrained, Rbj};
/// let sos = rbj_unconstrained(Rbj::HighShelf, &[1e6, -1e6, 12.0_f64], 48000.0, 0.1).unwrap();
/// assert!(sos[5].abs() < 1.0 && sos[4].abs() < 1.0 + sos[5]); // poles inside the unit circle
/// ```
///
/// See also [`rbj_unconstrained_adjoint`].
pub fn rbj_unconstrained<T: Float>(kind: Rbj, u: &[T], fs: T, q_min: T) -> Result<Vec<T>> {
    rbj(kind, &rbj_params(u, fs, q_min)?, fs)
}

/// Adjoint of [`rbj_unconstrained`]: `∂L/∂u` from `∂L/∂sos`.
///
/// # Arguments
/// * `kind`, `u` `[sets, 3]`, `fs`, `q_min` — the forward's inputs; `gsos` — `[sets, 6]`, `∂L/∂sos`.
///
/// # Returns
/// `[sets, 3]`, `∂L/∂(u_f, u_Q, u_g)`.
///
/// # Errors
/// As [`rbj_params`], and [`Error::Shape`] when `gsos` is not `[sets, 6]`.
///
/// # Examples
/// ```
/// use diffiir::param::{rbj_unconstrained_adjoint, Rbj};
/// let g = rbj_unconstrained_adjoint(Rbj::Notch, &[0.0, 0.0, 0.0_f64], 48000.0, 0.1, &[0.0; 6]).unwrap();
/// assert_eq!(g, [0.0; 3]);
/// ```
pub fn rbj_unconstrained_adjoint<T: Float>(kind: Rbj, u: &[T], fs: T, q_min: T, gsos: &[T]) -> Result<Vec<T>> {
    let p = rbj_params(u, fs, q_min)?;
    let gp = rbj_adjoint(kind, &p, fs, gsos)?;
    rbj_params_adjoint(u, fs, q_min, &gp)
}
