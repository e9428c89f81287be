//! `sosfilt`: cascades of biquads in scipy's second-order-sections layout, fused into one pass over the
//! data, with the fused adjoint; and `sosfilt_zi` with its gradient.
//!
//! `sos` holds `S` rows `[b0, b1, b2, a0, a1, a2]` per coefficient set (`K = 6·S`); each section is
//! normalised by its own `a0` (scipy requires `a0 = 1` and raises otherwise; here `a0 ≠ 1` is allowed and
//! gets a gradient). zi/zf are `[B, S, 2]`, scipy's layout. Because the adjoint of a section needs that
//! section's input, the forward can record the *tape* ([`sosfilt_tape_len`] values): the state of the cascade
//! every 64 samples, from which the adjoint recomputes the intermediate section outputs stretch by stretch.
//! It is the adjoint's only extra memory, about `2S·B·T/64` values. The recursions are in
//! [`crate::tdf2`].

use crate::chunked;
use crate::error::{Error, Result};
use crate::float::Float;
use crate::lanes::{check_len, check_scratch, coef_out, drive, partial_len, reduce_partials, split_free, Out, Sink, V};
use crate::lfilter::check_grads;
use crate::norm::{normalise_set, steady_state, steady_state_adjoint, unnormalise, unnormalise_lanes};
use crate::par::Par;
use crate::shape::{Coefs, Dims, Layout};
use crate::tdf2::{self, Pack, SampleRows};
use std::sync::atomic::{AtomicBool, Ordering};

const F: &str = "sosfilt";
const FA: &str = "sosfilt_adjoint";

struct SosPack<'a, T> {
    sos: Coefs<'a, T>,
    tlen: usize,
    zero: AtomicBool,
}

impl<'a, T: Float> SosPack<'a, T> {
    fn new(sos: Coefs<'a, T>, tlen: usize) -> Self {
        Self { sos, tlen, zero: AtomicBool::new(false) }
    }

    /// The error for a zero `a0` the kernel met in a per-sample set ([`SampleRows::zero`]).
    fn zero_check(&self, func: &'static str) -> Result<()> {
        if self.zero.load(Ordering::Relaxed) {
            self.sos.check_nonzero(func, "sos", 3, 6)?;
        }
        Ok(())
    }
}

impl<T: Float> Pack<T> for SosPack<'_, T> {
    const ORDER_MAX: usize = 2;
    fn sections(&self) -> usize {
        self.sos.k / 6
    }
    fn order(&self) -> usize {
        2
    }
    fn state_len(&self) -> usize {
        2
    }
    fn time_varying(&self) -> bool {
        self.sos.is_time_varying()
    }
    #[inline(always)]
    fn pack<const L: usize>(&self, b: usize, n: usize, l: usize, out: &mut [V<T, L>]) {
        for (sec, c) in self.sos.set(b, n, self.tlen).chunks_exact(6).enumerate() {
            let o = &mut out[sec * 5..][..5];
            for (j, &v) in [c[0], c[1], c[2], c[4], c[5]].iter().enumerate() {
                o[j][l] = v / c[3];
            }
        }
    }
    fn unpack<const L: usize>(&self, b: usize, n: usize, l: usize, p: &[V<T, L>], g: &[V<T, L>], sinks: &mut [Sink<'_, T>; 2]) {
        let [sink, _] = sinks;
        for (sec, c) in self.sos.set(b, n, self.tlen).chunks_exact(6).enumerate() {
            let (ps, gs) = (&p[sec * 5..][..5], &g[sec * 5..][..5]);
            let o = sec * 6;
            // Packed [b0 b1 b2 a1 a2]: b̃_i at i, ã_i at 2 + i.
            unnormalise(c[3], 3, 3, 2, |j| ps[j][l], |j| gs[j][l], |is_a, i, v| sink.add(b, n, o + 3 * usize::from(is_a) + i, v));
        }
    }
    fn sample_rows(&self) -> Option<SampleRows<'_, T>> {
        self.sos.is_time_varying().then_some(SampleRows {
            data: [self.sos.data, &[]],
            k: [self.sos.k, 0],
            len: self.tlen,
            zero: &self.zero,
        })
    }
    #[inline(always)]
    fn norm<const L: usize>(&self, [raw, _]: [&[V<T, L>]; 2], out: &mut [V<T, L>], den: &mut [V<T, L>]) {
        for (sec, c) in raw.chunks_exact(6).enumerate() {
            den[sec] = c[3];
            for (j, v) in [c[0], c[1], c[2], c[4], c[5]].iter().enumerate() {
                for l in 0..L {
                    out[sec * 5 + j][l] = v[l] / c[3][l];
                }
            }
        }
    }
    #[inline(always)]
    fn unnorm<const L: usize>(&self, den: &[V<T, L>], p: &[V<T, L>], g: &[V<T, L>], [out, _]: [&mut [V<T, L>]; 2]) {
        for (sec, o) in out.chunks_exact_mut(6).enumerate() {
            let (ps, gs) = (&p[sec * 5..][..5], &g[sec * 5..][..5]);
            unnormalise_lanes(&den[sec], 3, 3, 2, |j| ps[j], |j| gs[j], |is_a, i, v| o[3 * usize::from(is_a) + i] = v);
        }
    }
}

/// Filters `x` through a cascade of second-order sections, as `scipy.signal.sosfilt(sos, x, zi=zi)`,
/// batched and optionally time-varying; one fused pass over the data for all sections.
///
/// Prefer this to [`lfilter`](crate::lfilter) for any filter beyond second order: sections keep the
/// poles well conditioned, in `f32` especially.
///
/// # Arguments
/// * `sos` — `[S, 6]` rows `[b0, b1, b2, a0, a1, a2]`: `Coefs::shared(&sos)` (`K = 6S`), or one cascade per
///   signal `[B, S, 6]` / per sample `[B, T, S, 6]` with `K = 6S`. Every `a0 ≠ 0`.
/// * `x` — `[B, T]`; `zi` — `[B, S, 2]` initial states (scipy's layout), `None` = zeros.
///
/// # Returns
/// [`Filtered`](crate::Filtered) `y` `[B, T]`, `zf` `[B, S, 2]`.
///
/// # Errors
/// [`Error::Shape`] (also when `K` is not a multiple of 6), [`Error::Empty`], [`Error::ZeroLeadingCoefficient`].
///
/// # Examples
/// ```
/// use diffiir::{sosfilt, lfilter, Coefs, Dims};
/// let sos = [1.0, 0.5, 0.0, 1.0, -0.3, 0.0,   1.0, 0.0, 0.0, 1.0, 0.2, 0.0_f64];
/// let x = [1.0, 0.0, 0.0, 0.0];
/// let y = sosfilt(Coefs::shared(&sos), &x, Dims::new(1, 4), None).unwrap().y;
/// // The same filter as one polynomial: (1 + 0.5 z⁻¹) / ((1 − 0.3 z⁻¹)(1 + 0.2 z⁻¹))
/// let y2 = lfilter(Coefs::shared(&[1.0, 0.5]), Coefs::shared(&[1.0, -0.1, -0.06]), &x, Dims::new(1, 4), None).unwrap().y;
/// assert!(y.iter().zip(&y2).all(|(a, b)| (a - b).abs() < 1e-12));
/// ```
///
/// See also [`sosfilt_with_tape`], [`sosfilt_adjoint`], [`sosfilt_zi`].
pub fn sosfilt<T: Float>(sos: Coefs<'_, T>, x: &[T], dims: Dims, zi: Option<&[T]>) -> Result<crate::Filtered<T>> {
    let (out, _) = run(sos, x, dims, zi, false)?;
    Ok(out)
}

/// [`sosfilt`] that also returns the tape its adjoint needs ([`sosfilt_adjoint`]).
pub fn sosfilt_with_tape<T: Float>(sos: Coefs<'_, T>, x: &[T], dims: Dims, zi: Option<&[T]>) -> Result<(crate::Filtered<T>, Vec<T>)> {
    run(sos, x, dims, zi, true)
}

fn run<T: Float>(sos: Coefs<'_, T>, x: &[T], dims: Dims, zi: Option<&[T]>, with_tape: bool) -> Result<(crate::Filtered<T>, Vec<T>)> {
    let s = check(F, &sos, dims, true)?;
    dims.check_signal(F, "x", x.len())?;
    let par = Par::default();
    let mut y = vec![T::zero(); dims.numel()];
    let mut zf = vec![T::zero(); dims.batch * 2 * s];
    let mut tape = vec![T::zero(); if with_tape { sosfilt_tape_len::<T>(dims, s) } else { 0 }];
    let mut scratch = vec![T::zero(); sosfilt_scratch_len(&sos, dims, par)];
    let t = with_tape.then_some(&mut tape[..]);
    sosfilt_into(sos, x, dims, zi, &mut y, Some(&mut zf), t, &mut scratch, par)?;
    Ok((crate::Filtered { y, zf }, tape))
}

/// Length (in `T`s) of the tape — the cascade's state checkpoints the adjoint recomputes section outputs
/// from — for `sections` sections (0 for one: a lone section's adjoint needs none). About `2·(sections−1)·B·T/64`:
/// the state of every section but the last, whose output is `y`.
pub fn sosfilt_tape_len<T: Float>(dims: Dims, sections: usize) -> usize {
    crate::lanes::tape_len::<T>(dims, sections, 2)
}

/// Scratch length (in `T`s) that [`sosfilt_into`] needs.
pub fn sosfilt_scratch_len<T: Float>(sos: &Coefs<'_, T>, dims: Dims, par: Par) -> usize {
    let par = par.for_work(dims, order(sos), false);
    let p = SosPack::new(*sos, dims.len);
    match chunked::plan::<T>(dims, par) {
        Some(kc) => chunked::fwd_scratch(&p, dims, kc, par),
        None => crate::lanes::workers_for::<T>(dims.batch, par) * tdf2::fwd_scratch(&p, tdf2::fwd_tf(&p, dims)),
    }
}

/// Buffer-passing form of [`sosfilt`]; records the tape when `tape` is given
/// ([`sosfilt_tape_len`] elements). Allocation-free under [`Par::Seq`].
///
/// A zero `a0` in a per-sample `sos` is found while filtering, so on that
/// error the outputs hold unspecified values; every other error is returned before anything is written.
#[allow(clippy::too_many_arguments)]
pub fn sosfilt_into<T: Float>(
    sos: Coefs<'_, T>,
    x: &[T],
    dims: Dims,
    zi: Option<&[T]>,
    y: &mut [T],
    zf: Option<&mut [T]>,
    tape: Option<&mut [T]>,
    scratch: &mut [T],
    par: Par,
) -> Result<()> {
    T::sosfilt_into(sos, x, dims, zi, y, zf, tape, scratch, par.for_work(dims, order(&sos), false))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn sosfilt_into_impl<T: Float>(
    sos: Coefs<'_, T>,
    x: &[T],
    dims: Dims,
    zi: Option<&[T]>,
    y: &mut [T],
    zf: Option<&mut [T]>,
    tape: Option<&mut [T]>,
    scratch: &mut [T],
    par: Par,
) -> Result<()> {
    let s = check(F, &sos, dims, true)?;
    dims.check_signal(F, "x", x.len())?;
    dims.check_signal(F, "y", y.len())?;
    for (name, z) in [("zi", zi), ("zf", zf.as_deref())] {
        if let Some(z) = z {
            dims.check_state(F, name, 2 * s, "sections × 2", z.len())?;
        }
    }
    if let Some(t) = tape.as_deref() {
        check_len(F, "tape", sosfilt_tape_len::<T>(dims, s), t.len())?;
    }
    check_scratch(F, scratch, sosfilt_scratch_len(&sos, dims, par))?;
    let p = SosPack::new(sos, dims.len);
    let tf = tdf2::fwd_tf(&p, dims);
    let per = tdf2::fwd_scratch(&p, tf);
    let tape = if s > 1 { tape } else { None };
    if let Some(kc) = chunked::plan::<T>(dims, par) {
        chunked::fwd(&p, x, dims, zi, y, zf, tape, scratch, par, kc);
        return p.zero_check(F);
    }
    let outs = [Out::new(Some(y), dims.len), Out::new(zf, 2 * s), Out::new(tape, crate::lanes::checkpoints(dims.len) * 2 * (s - 1))];
    crate::lanes!(T, dims.batch, par, L => drive(par, dims.batch, L, outs, scratch, per, true, &|br, o, sc| tdf2::fwd::<T, _, L>(&p, Some(x), dims, zi, br, o, sc, (0..dims.len, tf), par.simd())));
    p.zero_check(F)
}

/// Gradients of [`sosfilt`].
#[derive(Clone, Debug, PartialEq)]
pub struct SosfiltGrads<T> {
    /// `∂L/∂x`, `[B, T]`.
    pub x: Vec<T>,
    /// `∂L/∂sos`, in the layout of `sos` (incl. each `a0`).
    pub sos: Vec<T>,
    /// `∂L/∂zi`, `[B, S, 2]`.
    pub zi: Vec<T>,
}

/// Where [`sosfilt_adjoint_into`] writes; `None` skips a gradient and its reductions.
pub struct SosfiltGradsMut<'a, T> {
    /// `∂L/∂x`, `[B, T]`.
    pub x: Option<&'a mut [T]>,
    /// `∂L/∂sos`, layout of `sos` (overwritten).
    pub sos: Option<&'a mut [T]>,
    /// `∂L/∂zi`, `[B, S, 2]`.
    pub zi: Option<&'a mut [T]>,
}

/// Fused adjoint of [`sosfilt`]: all sections' gradients in one reverse pass.
///
/// # Arguments
/// `sos`, `x` as given to the forward; `y` and `tape` from [`sosfilt_with_tape`] (or [`sosfilt_into`]);
/// `gy = ∂L/∂y` `[B, T]`; `gzf = ∂L/∂zf` `[B, S, 2]` or `None`.
///
/// # Examples
/// ```
/// use diffiir::{sosfilt_with_tape, sosfilt_adjoint, Coefs, Dims};
/// let sos = [1.0, 0.0, 0.0, 1.0, -0.5, 0.0,   1.0, 0.0, 0.0, 1.0, -0.5, 0.0];
/// let (x, d) = ([1.0, 0.0], Dims::new(1, 2));
/// let (out, tape) = sosfilt_with_tape(Coefs::shared(&sos), &x, d, None).unwrap();
/// assert_eq!(out.y, [1.0, 1.0]); // two poles at 0.5: 1, 2·0.5
/// let g = sosfilt_adjoint(Coefs::shared(&sos), &x, &out.y, &tape, d, &[0.0, 1.0], None).unwrap();
/// assert_eq!(g.x, [1.0, 1.0]); // ∂y[1]/∂x = (h[1], h[0])
/// ```
#[allow(clippy::too_many_arguments)]
pub fn sosfilt_adjoint<T: Float>(
    sos: Coefs<'_, T>,
    x: &[T],
    y: &[T],
    tape: &[T],
    dims: Dims,
    gy: &[T],
    gzf: Option<&[T]>,
) -> Result<SosfiltGrads<T>> {
    let s = check(FA, &sos, dims, true)?;
    dims.check_signal(FA, "x", x.len())?;
    let par = Par::default();
    let mut g =
        SosfiltGrads { x: vec![T::zero(); dims.numel()], sos: vec![T::zero(); sos.data.len()], zi: vec![T::zero(); dims.batch * 2 * s] };
    let mut scratch = vec![T::zero(); sosfilt_adjoint_scratch_len(&sos, dims, par)];
    let out = SosfiltGradsMut { x: Some(&mut g.x), sos: Some(&mut g.sos), zi: Some(&mut g.zi) };
    sosfilt_adjoint_into(sos, x, y, tape, dims, gy, gzf, out, &mut scratch, par)?;
    Ok(g)
}

/// Scratch length (in `T`s) that [`sosfilt_adjoint_into`] needs.
pub fn sosfilt_adjoint_scratch_len<T: Float>(sos: &Coefs<'_, T>, dims: Dims, par: Par) -> usize {
    let par = par.for_work(dims, order(sos), true);
    let p = SosPack::new(*sos, dims.len);
    match chunked::plan::<T>(dims, par) {
        Some(kc) => chunked::adj_scratch(&p, [(sos.layout, sos.k), (Layout::PerSignal, 0)], kc, par),
        None => crate::lanes::workers_for::<T>(dims.batch, par) * tdf2::adj_scratch(&p, partial_len((sos.layout, sos.k))),
    }
}

/// Buffer-passing form of [`sosfilt_adjoint`]. Allocation-free under [`Par::Seq`].
///
/// A zero `a0` in a per-sample `sos` is found while filtering, so on that
/// error the outputs hold unspecified values; every other error is returned before anything is written.
#[allow(clippy::too_many_arguments)]
pub fn sosfilt_adjoint_into<T: Float>(
    sos: Coefs<'_, T>,
    x: &[T],
    y: &[T],
    tape: &[T],
    dims: Dims,
    gy: &[T],
    gzf: Option<&[T]>,
    out: SosfiltGradsMut<'_, T>,
    scratch: &mut [T],
    par: Par,
) -> Result<()> {
    T::sosfilt_adjoint_into(sos, x, y, tape, dims, gy, gzf, out, scratch, par.for_work(dims, order(&sos), true))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn sosfilt_adjoint_into_impl<T: Float>(
    sos: Coefs<'_, T>,
    x: &[T],
    y: &[T],
    tape: &[T],
    dims: Dims,
    gy: &[T],
    gzf: Option<&[T]>,
    out: SosfiltGradsMut<'_, T>,
    scratch: &mut [T],
    par: Par,
) -> Result<()> {
    let s = check(FA, &sos, dims, true)?;
    for (name, v) in [("x", x), ("y", y), ("gy", gy)] {
        dims.check_signal(FA, name, v.len())?;
    }
    check_len(FA, "tape", sosfilt_tape_len::<T>(dims, s), tape.len())?;
    if let Some(g) = gzf {
        dims.check_state(FA, "gzf", 2 * s, "sections × 2", g.len())?;
    }
    check_grads(
        FA,
        [
            ("grad x", out.x.as_deref(), dims.numel()),
            ("grad sos", out.sos.as_deref(), sos.data.len()),
            ("grad zi", out.zi.as_deref(), dims.batch * 2 * s),
        ],
    )?;
    check_scratch(FA, scratch, sosfilt_adjoint_scratch_len(&sos, dims, par))?;
    let p = SosPack::new(sos, dims.len);
    let partial = partial_len((sos.layout, sos.k));
    let per = tdf2::adj_scratch(&p, partial);
    let io = tdf2::AdjIo { x, y, tape, gy: Some(gy), gzf, want: [out.sos.is_some(), false] };
    let mut gs = out.sos;
    if let Some(g) = gs.as_deref_mut().filter(|_| p.sample_rows().is_none()) {
        g.fill(T::zero()); // set by set the kernels accumulate; the contract is "overwritten"
    }
    let cdesc = [(sos.layout, sos.k), (Layout::PerSignal, 0)];
    if let Some(kc) = chunked::plan::<T>(dims, par) {
        let out = chunked::AdjOut { gx: out.x, gzi: out.zi, coef: [gs, None] };
        chunked::adj(&p, &io, dims, out, cdesc, scratch, par, kc);
        return p.zero_check(FA);
    }
    let outs = [Out::new(out.x, dims.len), Out::new(out.zi, 2 * s), coef_out(gs.as_deref_mut(), &sos, dims), Out::new(None, 0)];
    crate::lanes!(T, dims.batch, par, L => drive(par, dims.batch, L, outs, scratch, per, split_free(&cdesc, &io.want), &|br, o, sc| tdf2::adj::<T, _, L>(&p, &io, dims, br, o, sc, cdesc, 0..dims.len, par.simd())));
    reduce_partials(gs, &sos, scratch, per, crate::lanes::workers_for::<T>(dims.batch, par), per - partial);
    p.zero_check(FA)
}

/// Steady-state initial conditions for a step, as `scipy.signal.sosfilt_zi(sos)`: section `s` starts at
/// `lfilter_zi(section s) · Π_{r<s} G_r`, `G_r` the DC gains of the sections before it.
///
/// `sos` is `[S, 6]` (shared) or `[B, S, 6]` (per signal); returns `[S, 2]` or `[B, S, 2]`.
///
/// # Errors
/// [`Error::Singular`] when a section has `Σa = 0`; as [`sosfilt`] otherwise; time-varying is rejected.
pub fn sosfilt_zi<T: Float>(sos: Coefs<'_, T>, batch: usize) -> Result<Vec<T>> {
    let (sets, s) = check_zi("sosfilt_zi", &sos, batch)?;
    let mut zi = vec![T::zero(); sets * s * 2];
    for set in 0..sets {
        let c = sos.set(set, 0, 1);
        let mut scale = T::one();
        for sec in 0..s {
            let (mut bt, mut at) = ([T::zero(); 3], [T::zero(); 3]);
            normalise_set(&c[sec * 6..][..3], &c[sec * 6 + 3..][..3], &mut bt, &mut at);
            let z = &mut zi[(set * s + sec) * 2..][..2];
            let (g, _) = steady_state(&bt, &at, z).ok_or(Error::Singular { func: "sosfilt_zi", arg: "sos", index: set * s + sec })?;
            z.iter_mut().for_each(|v| *v = *v * scale);
            scale = scale * g;
        }
    }
    Ok(zi)
}

/// Gradient of [`sosfilt_zi`]: given `gzi = ∂L/∂zi` returns `∂L/∂sos` in the layout of `sos`.
pub fn sosfilt_zi_adjoint<T: Float>(sos: Coefs<'_, T>, batch: usize, gzi: &[T]) -> Result<Vec<T>> {
    const FZ: &str = "sosfilt_zi_adjoint";
    let (sets, s) = check_zi(FZ, &sos, batch)?;
    check_len(FZ, "gzi", sets * s * 2, gzi.len())?;
    let mut gsos = vec![T::zero(); sos.data.len()];
    // Per section: normalised coefficients, unscaled steady state z, DC gain G, Σã, and its input scale.
    let mut secs = vec![([T::zero(); 3], [T::zero(); 3], [T::zero(); 2], T::zero(), T::zero(), T::zero()); s];
    for set in 0..sets {
        let c = sos.set(set, 0, 1);
        let mut scale = T::one();
        for (sec, st) in secs.iter_mut().enumerate() {
            normalise_set(&c[sec * 6..][..3], &c[sec * 6 + 3..][..3], &mut st.0, &mut st.1);
            let (g, sa) = steady_state(&st.0, &st.1, &mut st.2).ok_or(Error::Singular { func: FZ, arg: "sos", index: set * s + sec })?;
            (st.3, st.4, st.5) = (g, sa, scale);
            scale = scale * g;
        }
        // Reverse over sections: ∂L/∂scale_s = w_s·z_s + ∂L/∂scale_{s+1}·G_s; ∂L/∂G_s = ∂L/∂scale_{s+1}·scale_s.
        let mut gscale_next = T::zero();
        for sec in (0..s).rev() {
            let (bt, at, z, g, sa, scale) = secs[sec];
            let w = &gzi[(set * s + sec) * 2..][..2];
            let ws = [w[0] * scale, w[1] * scale];
            let gg = gscale_next * scale;
            let (mut gbt, mut gat) = ([T::zero(); 3], [T::zero(); 3]);
            steady_state_adjoint(&at, g, sa, &ws, gg, &mut gbt, &mut gat);
            let o = set * sos.k + sec * 6;
            unnormalise(
                c[sec * 6 + 3],
                3,
                3,
                2,
                |j| if j <= 2 { bt[j] } else { at[j - 2] },
                |j| if j <= 2 { gbt[j] } else { gat[j - 2] },
                |is_a, i, v| gsos[o + 3 * usize::from(is_a) + i] = v,
            );
            gscale_next = w[0] * z[0] + w[1] * z[1] + gscale_next * g;
        }
    }
    Ok(gsos)
}

fn check_zi<T: Float>(func: &'static str, sos: &Coefs<'_, T>, batch: usize) -> Result<(usize, usize)> {
    let dims = Dims::new(batch, 1);
    let s = check(func, sos, dims, false)?;
    if sos.is_time_varying() {
        return Err(Error::Shape { func, arg: "sos", expected: "[S, 6] or [B, S, 6]".into(), got: "per-sample coefficients".into() });
    }
    Ok((sos.sets(dims), s))
}

/// The checks every `sosfilt` entry runs (length for `dims`, rows of 6, every `a0 ≠ 0`), for adapters that
/// validate before dispatching. Returns the number of sections.
pub fn sosfilt_check<T: Float>(sos: &Coefs<'_, T>, dims: Dims) -> Result<usize> {
    check(F, sos, dims, false)
}

/// Validates `sos` for `dims`; returns the number of sections. `kernel`: for an entry that runs the kernel,
/// which checks `a0` of per-sample sets itself ([`SosPack::zero_check`]).
fn check<T: Float>(func: &'static str, sos: &Coefs<'_, T>, dims: Dims, kernel: bool) -> Result<usize> {
    sos.check(func, "sos", dims)?;
    if !sos.k.is_multiple_of(6) {
        return Err(Error::Shape {
            func,
            arg: "sos",
            expected: "rows of 6 coefficients [b0, b1, b2, a0, a1, a2]".into(),
            got: format!("{} coefficients per set", sos.k),
        });
    }
    if !(kernel && sos.is_time_varying()) {
        sos.check_nonzero(func, "sos", 3, 6)?;
    }
    Ok(sos.k / 6)
}

/// The cascade's order for [`Par::for_work`](crate::Par): 2 per section.
fn order<T>(sos: &Coefs<'_, T>) -> usize {
    2 * (sos.k / 6)
}
