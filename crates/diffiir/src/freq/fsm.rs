//! The frequency-sampling method (FSM): filtering as a product of spectra,
//! `y = irfft(rfft(x, n) · H_n)[..T]` with `H_n = rfft(b, n) / rfft(a, n)`, and its exact adjoint.
//!
//! # Error model
//! FSM computes the circular convolution of `x` with the *aliased* impulse response
//! `h_n[j] = Σ_m h[j + m·n]`. For the first `T` outputs the difference from the exact recursion comes from the
//! response beyond `n − T` samples (wrapped around, or aliased). With poles of radius `≤ r`, `|h[j]|` decays
//! like `r^j`, so choosing `n ≥ T + L`, `L = ln(tol)/ln(r)` (plus a margin for repeated poles) bounds the
//! error by about `tol` relative to the response's peak. The default `n_fft` ([`lfilter_fsm_n_fft`]) uses
//! [`FSM_TOL`], the largest pole radius (roots of `a`; closed form per section for `sosfilt`), and the next
//! length whose prime factors are 2, 3 and 5. Poles on or outside the unit circle never decay: the default is
//! then an error, as it is when the needed length exceeds [`FSM_MAX_N`]. FSM is time-invariant only.
//!
//! # Adjoint
//! With `X = rfft(x)`, `GY = rfft(∂L/∂y)` (zero-padded), `GH = conj(X)·GY`:
//! `∂L/∂x = irfft(conj(H)·GY)[..T]`, `∂L/∂b = irfft(GH / conj(A))[..nb]`,
//! `∂L/∂a = −irfft(GH·conj(H) / conj(A))[..na]` (for sections, `H` and `A` are the section's, times the
//! product of the other sections).

use super::freqz::check_lti;
use crate::error::{Error, Result};
use crate::float::Float;
use crate::shape::{Coefs, Dims};
use num_complex::Complex;
use realfft::{FftNum, RealFftPlanner};

/// Relative error the default `n_fft` aims for (time aliasing and circular wrap-around, relative to the
/// impulse response's peak).
pub const FSM_TOL: f64 = 1e-7;

/// The largest FFT length the default choice accepts (2^24).
pub const FSM_MAX_N: usize = 1 << 24;

type C<T> = Complex<T>;

/// Smallest `n ≥ min` with no prime factor above 5 (fast for rustfft).
fn fast_len(min: usize) -> usize {
    let mut n = min.max(1);
    loop {
        let mut m = n;
        for p in [2, 3, 5] {
            while m.is_multiple_of(p) {
                m /= p;
            }
        }
        if m == 1 {
            return n;
        }
        n += 1;
    }
}

/// Largest root modulus of `c_0 z^M + c_1 z^{M−1} + … + c_M` (Durand–Kerner in f64).
pub(crate) fn max_root_radius(c: &[f64]) -> f64 {
    let c: Vec<f64> = {
        let first = c.iter().position(|&v| v != 0.0).unwrap_or(c.len());
        c[first..].to_vec()
    };
    let m = c.len().saturating_sub(1);
    if m == 0 {
        return 0.0;
    }
    let monic: Vec<C<f64>> = c.iter().map(|&v| C::new(v / c[0], 0.0)).collect();
    let eval = |z: C<f64>| monic.iter().fold(C::new(0.0, 0.0), |acc, &v| acc * z + v);
    let bound = 1.0 + monic[1..].iter().map(|v| v.norm()).fold(0.0, f64::max);
    let mut roots: Vec<C<f64>> =
        (0..m).map(|k| C::from_polar(0.5 * bound, 0.4 + 2.0 * std::f64::consts::PI * k as f64 / m as f64)).collect();
    for _ in 0..500 {
        let mut moved = 0.0f64;
        for i in 0..m {
            let den = (0..m).filter(|&j| j != i).fold(C::new(1.0, 0.0), |acc, j| acc * (roots[i] - roots[j]));
            if den.norm() == 0.0 {
                roots[i] += C::new(1e-9, 1e-9);
                continue;
            }
            let step = eval(roots[i]) / den;
            roots[i] -= step;
            moved = moved.max(step.norm());
        }
        if moved < 1e-14 {
            break;
        }
    }
    roots.iter().map(|r| r.norm()).fold(0.0, f64::max)
}

/// Default FFT length for `T` samples and poles of radius up to `r` with multiplicity up to `order`.
fn default_n(func: &'static str, arg: &'static str, t: usize, r: f64, order: usize) -> Result<usize> {
    let tail = if r <= 0.0 {
        order + 1
    } else if r >= 1.0 - 1e-12 {
        return Err(Error::Shape {
            func,
            arg,
            expected: "poles strictly inside the unit circle for the frequency-sampling method (use the exact recursion)".into(),
            got: format!("a pole of radius {r:.6}"),
        });
    } else {
        // r^L ≤ tol, plus room for the polynomial growth of repeated poles.
        ((FSM_TOL.ln() / r.ln()).ceil() as usize).saturating_mul(1 + order / 4) + 4 * order
    };
    let need = t.saturating_add(tail);
    if need > FSM_MAX_N {
        // The caller did not choose n_fft: the pole radius did. Say so, on the coefficients.
        return Err(Error::Shape {
            func,
            arg,
            expected: format!(
                "poles far enough inside the unit circle for the default n_fft (≤ {FSM_MAX_N}; relative error {FSM_TOL:e}) — or pass n_fft, or use the exact recursion"
            ),
            got: format!("a pole of radius {r:.9}, which needs n_fft ≈ {need}"),
        });
    }
    Ok(fast_len(need))
}

/// Default FFT length of [`lfilter_fsm`] for these filters and signal length (largest over the batch).
pub fn lfilter_fsm_n_fft<T: Float>(b: Coefs<'_, T>, a: Coefs<'_, T>, dims: Dims) -> Result<usize> {
    check_lti("lfilter_fsm", "b", &b, dims.batch)?;
    check_lti("lfilter_fsm", "a", &a, dims.batch)?;
    let sets = a.sets(Dims::new(dims.batch, 1));
    let r = (0..sets).map(|s| max_root_radius(&a.set(s, 0, 1).iter().map(|v| v.to64()).collect::<Vec<_>>())).fold(0.0, f64::max);
    default_n("lfilter_fsm", "a", dims.len, r, a.k.max(b.k))
}

/// Default FFT length of [`sosfilt_fsm`].
pub fn sosfilt_fsm_n_fft<T: Float>(sos: Coefs<'_, T>, dims: Dims) -> Result<usize> {
    check_sos_rows("sosfilt_fsm", &sos, dims.batch)?;
    let sets = sos.sets(Dims::new(dims.batch, 1));
    let r = (0..sets)
        .flat_map(|s| {
            sos.set(s, 0, 1).chunks_exact(6).map(|c| max_root_radius(&[c[3].to64(), c[4].to64(), c[5].to64()])).collect::<Vec<_>>()
        })
        .fold(0.0, f64::max);
    default_n("sosfilt_fsm", "sos", dims.len, r, 2 * sos.k / 6)
}

/// Transforms of one filter at `n` points: numerator and denominator spectra per section, and their product.
struct Spectra<T> {
    num: Vec<Vec<C<T>>>,
    den: Vec<Vec<C<T>>>,
    h: Vec<C<T>>,
}

struct Fft<T: FftNum> {
    n: usize,
    fwd: std::sync::Arc<dyn realfft::RealToComplex<T>>,
    inv: std::sync::Arc<dyn realfft::ComplexToReal<T>>,
}

impl<T: Float + FftNum> Fft<T> {
    fn new(n: usize) -> Self {
        let mut p = RealFftPlanner::<T>::new();
        Self { n, fwd: p.plan_fft_forward(n), inv: p.plan_fft_inverse(n) }
    }
    /// rfft of `v` zero-padded (or truncated) to `n`.
    fn rfft(&self, v: &[T]) -> Vec<C<T>> {
        let mut buf = vec![T::zero(); self.n];
        let k = v.len().min(self.n);
        buf[..k].copy_from_slice(&v[..k]);
        let mut out = self.fwd.make_output_vec();
        let _ = self.fwd.process(&mut buf, &mut out); // lengths are right by construction
        out
    }
    /// Normalised irfft (`irfft(rfft(v)) = v`), first `keep` samples.
    fn irfft(&self, mut s: Vec<C<T>>, keep: usize) -> Vec<T> {
        let last = s.len() - 1;
        s[0].im = T::zero();
        if self.n.is_multiple_of(2) {
            s[last].im = T::zero();
        }
        let mut out = vec![T::zero(); self.n];
        let _ = self.inv.process(&mut s, &mut out); // DC/Nyquist imaginary parts are zeroed above
        let scale = T::one() / T::of(self.n as f64);
        out.truncate(keep.min(self.n));
        out.iter_mut().for_each(|v| *v = *v * scale);
        out
    }
    fn spectra(&self, sections: &[(&[T], &[T])]) -> Spectra<T> {
        let num: Vec<_> = sections.iter().map(|(b, _)| self.rfft(b)).collect();
        let den: Vec<_> = sections.iter().map(|(_, a)| self.rfft(a)).collect();
        let mut h = vec![C::new(T::one(), T::zero()); self.n / 2 + 1];
        for (nb, da) in num.iter().zip(&den) {
            for ((h, b), a) in h.iter_mut().zip(nb).zip(da) {
                *h = *h * *b / *a;
            }
        }
        Spectra { num, den, h }
    }
}

/// Filters `x` by frequency sampling with `b/a` (shared or per signal): an FIR approximation of
/// [`lfilter`](crate::lfilter) (see the module's error model). `n_fft = None` picks the default.
///
/// # Examples
/// ```
/// use diffiir::{freq::lfilter_fsm, lfilter, Coefs, Dims};
/// let (b, a) = ([0.2, 0.3], [1.0, -0.6]);
/// let x: Vec<f64> = (0..500).map(|i| (i as f64 * 0.37).sin()).collect();
/// let d = Dims::new(1, 500);
/// let exact = lfilter(Coefs::shared(&b), Coefs::shared(&a), &x, d, None).unwrap().y;
/// let approx = lfilter_fsm(Coefs::shared(&b), Coefs::shared(&a), &x, d, None).unwrap();
/// assert!(exact.iter().zip(&approx).all(|(e, f)| (e - f).abs() < 1e-6));
/// ```
pub fn lfilter_fsm<T: Float + FftNum>(b: Coefs<'_, T>, a: Coefs<'_, T>, x: &[T], dims: Dims, n_fft: Option<usize>) -> Result<Vec<T>> {
    check_lti("lfilter_fsm", "b", &b, dims.batch)?;
    check_lti("lfilter_fsm", "a", &a, dims.batch)?;
    let n = fsm_n(n_fft, || lfilter_fsm_n_fft(b, a, dims), dims, "lfilter_fsm")?;
    dims.check_signal("lfilter_fsm", "x", x.len())?;
    a.check_nonzero("lfilter_fsm", "a", 0, a.k)?;
    let shared = b.layout != crate::Layout::PerSignal && a.layout != crate::Layout::PerSignal;
    run(n, dims, x, shared, |s| vec![(b.set(s, 0, 1), a.set(s, 0, 1))])
}

/// [`lfilter_fsm`] for second-order sections (`[S, 6]` shared or `[B, S, 6]`).
pub fn sosfilt_fsm<T: Float + FftNum>(sos: Coefs<'_, T>, x: &[T], dims: Dims, n_fft: Option<usize>) -> Result<Vec<T>> {
    check_sos_rows("sosfilt_fsm", &sos, dims.batch)?;
    let n = fsm_n(n_fft, || sosfilt_fsm_n_fft(sos, dims), dims, "sosfilt_fsm")?;
    dims.check_signal("sosfilt_fsm", "x", x.len())?;
    run(n, dims, x, sos.layout != crate::Layout::PerSignal, |s| sections(&sos, s))
}

/// Time-invariant rows of 6 coefficients with `a0 ≠ 0` in every section.
fn check_sos_rows<T: Float>(func: &'static str, sos: &Coefs<'_, T>, batch: usize) -> Result<()> {
    check_lti(func, "sos", sos, batch)?;
    if !sos.k.is_multiple_of(6) {
        let got = format!("{} coefficients per set", sos.k);
        return Err(Error::Shape { func, arg: "sos", expected: "rows of 6 coefficients [b0, b1, b2, a0, a1, a2]".into(), got });
    }
    sos.check_nonzero(func, "sos", 3, 6)
}

fn sections<'a, T>(sos: &Coefs<'a, T>, s: usize) -> Vec<(&'a [T], &'a [T])> {
    sos.set(s, 0, 1).chunks_exact(6).map(|c| (&c[..3], &c[3..])).collect()
}

fn fsm_n(n_fft: Option<usize>, default: impl FnOnce() -> Result<usize>, dims: Dims, func: &'static str) -> Result<usize> {
    match n_fft {
        Some(n) if n == 0 || n < dims.len || n > FSM_MAX_N => Err(Error::Shape {
            func,
            arg: "n_fft",
            expected: format!("between T = {} and {FSM_MAX_N}", dims.len.max(1)),
            got: format!("{n}"),
        }),
        Some(n) => Ok(n),
        None => default(),
    }
}

/// Filters each row; `shared` = one filter for all rows (its spectrum is computed once).
fn run<'a, T: Float + FftNum>(
    n: usize,
    dims: Dims,
    x: &[T],
    shared: bool,
    secs: impl Fn(usize) -> Vec<(&'a [T], &'a [T])>,
) -> Result<Vec<T>> {
    let fft = Fft::new(n);
    let mut y = Vec::with_capacity(dims.numel());
    let mut cache: Option<Spectra<T>> = None;
    for r in 0..dims.batch {
        if cache.is_none() || !shared {
            cache = Some(fft.spectra(&secs(r)));
        }
        let h = cache.as_ref().map(|c| &c.h[..]).unwrap_or(&[]);
        let xs = fft.rfft(&x[r * dims.len..(r + 1) * dims.len]);
        y.extend(fft.irfft(xs.iter().zip(h).map(|(x, h)| *x * *h).collect(), dims.len));
    }
    Ok(y)
}

/// Gradients of the frequency-sampling filters.
#[derive(Clone, Debug, PartialEq)]
pub struct FsmGrads<T> {
    /// `∂L/∂x`, `[B, T]`.
    pub x: Vec<T>,
    /// `∂L/∂b` (layout of `b`; for `sosfilt_fsm`, `∂L/∂sos` in the layout of `sos`).
    pub b: Vec<T>,
    /// `∂L/∂a` (layout of `a`; empty for `sosfilt_fsm`).
    pub a: Vec<T>,
}

/// Exact adjoint of [`lfilter_fsm`] (same `n_fft`): given `gy = ∂L/∂y` returns the gradients w.r.t. `x`, `b`,
/// `a`.
pub fn lfilter_fsm_adjoint<T: Float + FftNum>(
    b: Coefs<'_, T>,
    a: Coefs<'_, T>,
    x: &[T],
    dims: Dims,
    n_fft: Option<usize>,
    gy: &[T],
) -> Result<FsmGrads<T>> {
    check_lti("lfilter_fsm_adjoint", "b", &b, dims.batch)?;
    check_lti("lfilter_fsm_adjoint", "a", &a, dims.batch)?;
    let n = fsm_n(n_fft, || lfilter_fsm_n_fft(b, a, dims), dims, "lfilter_fsm_adjoint")?;
    dims.check_signal("lfilter_fsm_adjoint", "x", x.len())?;
    dims.check_signal("lfilter_fsm_adjoint", "gy", gy.len())?;
    a.check_nonzero("lfilter_fsm_adjoint", "a", 0, a.k)?;
    let mut g = FsmGrads { x: vec![], b: vec![T::zero(); b.data.len()], a: vec![T::zero(); a.data.len()] };
    adjoint(
        n,
        dims,
        x,
        gy,
        |s| vec![(b.set(s, 0, 1), a.set(s, 0, 1))],
        &mut g.x,
        |s, _sec, gb, ga| {
            let (ob, oa) = (b.offset(s, 0, 1), a.offset(s, 0, 1));
            gb.iter().enumerate().for_each(|(k, v)| g.b[ob + k] = g.b[ob + k] + *v);
            ga.iter().enumerate().for_each(|(k, v)| g.a[oa + k] = g.a[oa + k] + *v);
        },
    );
    Ok(g)
}

/// Exact adjoint of [`sosfilt_fsm`]: `FsmGrads::b` holds `∂L/∂sos`.
pub fn sosfilt_fsm_adjoint<T: Float + FftNum>(
    sos: Coefs<'_, T>,
    x: &[T],
    dims: Dims,
    n_fft: Option<usize>,
    gy: &[T],
) -> Result<FsmGrads<T>> {
    check_sos_rows("sosfilt_fsm_adjoint", &sos, dims.batch)?;
    let n = fsm_n(n_fft, || sosfilt_fsm_n_fft(sos, dims), dims, "sosfilt_fsm_adjoint")?;
    dims.check_signal("sosfilt_fsm_adjoint", "x", x.len())?;
    dims.check_signal("sosfilt_fsm_adjoint", "gy", gy.len())?;
    let mut g = FsmGrads { x: vec![], b: vec![T::zero(); sos.data.len()], a: vec![] };
    adjoint(
        n,
        dims,
        x,
        gy,
        |s| sections(&sos, s),
        &mut g.x,
        |s, sec, gb, ga| {
            let o = sos.offset(s, 0, 1) + 6 * sec;
            gb.iter().chain(ga).enumerate().for_each(|(k, v)| g.b[o + k] = g.b[o + k] + *v);
        },
    );
    Ok(g)
}

#[allow(clippy::too_many_arguments)]
fn adjoint<'a, T: Float + FftNum>(
    n: usize,
    dims: Dims,
    x: &[T],
    gy: &[T],
    secs: impl Fn(usize) -> Vec<(&'a [T], &'a [T])>,
    gx: &mut Vec<T>,
    mut put: impl FnMut(usize, usize, &[T], &[T]),
) {
    let fft = Fft::new(n);
    for r in 0..dims.batch {
        let sections = secs(r);
        let sp = fft.spectra(&sections);
        let row = r * dims.len..(r + 1) * dims.len;
        let (xs, gys) = (fft.rfft(&x[row.clone()]), fft.rfft(&gy[row]));
        gx.extend(fft.irfft(gys.iter().zip(&sp.h).map(|(g, h)| *g * h.conj()).collect(), dims.len));
        // GH = conj(X)·GY is the gradient w.r.t. the sampled response, up to the inverse transform.
        let gh: Vec<C<T>> = xs.iter().zip(&gys).map(|(x, g)| x.conj() * *g).collect();
        for (sec, (bs, as_)) in sections.iter().enumerate() {
            // Sensitivity to this section: the product of the other sections (no division by B_s).
            let others: Vec<C<T>> = (0..gh.len())
                .map(|f| {
                    (0..sections.len()).filter(|&o| o != sec).fold(C::new(T::one(), T::zero()), |acc, o| acc * sp.num[o][f] / sp.den[o][f])
                })
                .collect();
            let (num, den) = (&sp.num[sec], &sp.den[sec]);
            let qb: Vec<C<T>> = (0..gh.len()).map(|f| gh[f] * others[f].conj() / den[f].conj()).collect();
            let qa: Vec<C<T>> = (0..gh.len()).map(|f| -(qb[f] * (num[f] / den[f]).conj())).collect();
            let (gb, ga) = (fft.irfft(qb, bs.len()), fft.irfft(qa, as_.len()));
            put(r, sec, &gb, &ga);
        }
    }
}
