//! `lfilter`: general `b/a` filters exactly as `scipy.signal.lfilter` (transposed direct form II), batched and
//! time-varying, with the fused adjoint; and `lfilter_zi` with its gradient.
//!
//! Conventions (scipy's): `a[0]` normalises `b` and `a` (per sample when time-varying, and `a[0]` gets a
//! gradient too); `b` and `a` may differ in length; the state has `M = max(len(a), len(b)) − 1` values per
//! signal in scipy's zi layout, so `lfilter_zi(b, a) · x[0]` works unchanged. The recursions are in [`crate::tdf2`].

use crate::chunked;
use crate::error::{Error, Result};
use crate::float::Float;
use crate::lanes::{check_len, check_scratch, coef_out, drive, partial_len, quot, reduce_partials, split_free, Out, Sink, V};
use crate::norm::{normalise_set, steady_state, steady_state_adjoint, unnormalise, unnormalise_lanes};
use crate::par::Par;
use crate::rowblock;
use crate::shape::{Coefs, Dims};
use crate::tdf2::{self, Pack, SampleRows};
use crate::Filtered;
use std::sync::atomic::{AtomicBool, Ordering};

const F: &str = "lfilter";
const FA: &str = "lfilter_adjoint";

/// `b`/`a` as a one-section cascade for [`crate::tdf2`].
struct LfPack<'a, T> {
    b: Coefs<'a, T>,
    a: Coefs<'a, T>,
    m: usize,
    tlen: usize,
    zero: AtomicBool,
}

impl<'a, T: Float> LfPack<'a, T> {
    /// The error for a zero `a[0]` the kernel met in a per-sample set ([`SampleRows::zero`]).
    fn zero_check(&self, func: &'static str) -> Result<()> {
        if self.zero.load(Ordering::Relaxed) {
            self.a.check_nonzero(func, "a", 0, self.a.k)?;
        }
        Ok(())
    }

    fn new(b: Coefs<'a, T>, a: Coefs<'a, T>, tlen: usize) -> Self {
        // Orders beyond the largest class are rejected by `check` before a pack is built.
        Self { b, a, m: tdf2::order_class(b.k.max(a.k).saturating_sub(1)).unwrap_or(tdf2::MAX_ORDER), tlen, zero: AtomicBool::new(false) }
    }
}

impl<T: Float> Pack<T> for LfPack<'_, T> {
    fn sections(&self) -> usize {
        1
    }
    fn order(&self) -> usize {
        self.m
    }
    fn state_len(&self) -> usize {
        self.b.k.max(self.a.k).saturating_sub(1)
    }
    fn time_varying(&self) -> bool {
        self.b.is_time_varying() || self.a.is_time_varying()
    }
    #[inline(always)]
    fn pack<const L: usize>(&self, b: usize, n: usize, l: usize, out: &mut [V<T, L>]) {
        let (sb, sa) = (self.b.set(b, n, self.tlen), self.a.set(b, n, self.tlen));
        let a0 = sa[0];
        for (i, &v) in sb.iter().enumerate() {
            out[i][l] = v / a0;
        }
        for (i, &v) in sa.iter().enumerate().skip(1) {
            out[self.m + i][l] = v / a0;
        }
    }
    fn unpack<const L: usize>(&self, b: usize, n: usize, l: usize, p: &[V<T, L>], g: &[V<T, L>], sinks: &mut [Sink<'_, T>; 2]) {
        let a0 = self.a.set(b, n, self.tlen)[0];
        let [sb, sa] = sinks;
        unnormalise(
            a0,
            self.b.k,
            self.a.k,
            self.m,
            |j| p[j][l],
            |j| g[j][l],
            |is_a, i, v| if is_a { sa.add(b, n, i, v) } else { sb.add(b, n, i, v) },
        );
    }
    fn sample_rows(&self) -> Option<SampleRows<'_, T>> {
        (self.b.is_time_varying() && self.a.is_time_varying()).then_some(SampleRows {
            data: [self.b.data, self.a.data],
            k: [self.b.k, self.a.k],
            len: self.tlen,
            zero: &self.zero,
        })
    }
    #[inline(always)]
    fn norm<const L: usize>(&self, [rb, ra]: [&[V<T, L>]; 2], out: &mut [V<T, L>], den: &mut [V<T, L>]) {
        let a0 = &ra[0];
        den[0] = *a0;
        out.fill([T::zero(); L]);
        for (i, v) in rb.iter().enumerate() {
            out[i] = quot(v, a0);
        }
        for (i, v) in ra.iter().enumerate().skip(1) {
            out[self.m + i] = quot(v, a0);
        }
    }
    #[inline(always)]
    fn unnorm<const L: usize>(&self, den: &[V<T, L>], p: &[V<T, L>], g: &[V<T, L>], [gb, ga]: [&mut [V<T, L>]; 2]) {
        let (nb, na) = (self.b.k, self.a.k);
        unnormalise_lanes(&den[0], nb, na, self.m, |j| p[j], |j| g[j], |is_a, i, v| if is_a { ga[i] = v } else { gb[i] = v });
    }
}

/// Filters `x` with the rational transfer function `B(z)/A(z)` in transposed direct form II, as
/// `scipy.signal.lfilter(b, a, x, axis=-1, zi=zi)`, for a batch of signals and optionally per-sample
/// coefficients.
///
/// For filters of order above ~4, especially in `f32`, prefer [`sosfilt`](crate::sosfilt): a high-order
/// `b/a` polynomial is badly conditioned (as scipy warns).
///
/// # Arguments
/// * `b` — numerator `[nb]`, `[B, nb]` or `[B, T, nb]` ([`Coefs`]), `nb ≥ 1`.
/// * `a` — denominator incl. `a[0]`, `[na]`, `[B, na]` or `[B, T, na]`; `a[0] ≠ 0` normalises (per sample).
/// * `x` — `[B, T]` input; `dims` gives B and T.
/// * `zi` — `[B, M]` initial state, `M = max(na, nb) − 1`, scipy's layout; `None` = zeros (rest).
///
/// # Returns
/// [`Filtered`] with `y` `[B, T]` and `zf` `[B, M]` (the final state, scipy's layout).
///
/// # Errors
/// [`Error::Shape`], [`Error::Empty`] (`nb` or `na` is 0), [`Error::ZeroLeadingCoefficient`] (any `a[0] = 0`).
///
/// # Examples
/// scipy's docstring example: start from the steady state of the step response, `zi = lfilter_zi(b, a)·x[0]`.
/// ```
/// use diffiir::{lfilter, lfilter_zi, Coefs, Dims};
/// let (b, a) = ([0.0675, 0.1349, 0.0675], [1.0, -1.1430, 0.4128]); // butter(2, 0.25)
/// let zi = lfilter_zi(Coefs::shared(&b), Coefs::shared(&a), 1).unwrap();
/// let x = [1.0_f64; 5];
/// let zi0: Vec<f64> = zi.iter().map(|z| z * x[0]).collect();
/// let out = lfilter(Coefs::shared(&b), Coefs::shared(&a), &x, Dims::new(1, 5), Some(&zi0)).unwrap();
/// let dc = b.iter().sum::<f64>() / a.iter().sum::<f64>();
/// assert!(out.y.iter().all(|y| (y - dc).abs() < 1e-12)); // no transient
/// ```
///
/// See also [`lfilter_adjoint`], [`lfilter_zi`], [`sosfilt`](crate::sosfilt), [`allpole`](crate::allpole).
pub fn lfilter<T: Float>(b: Coefs<'_, T>, a: Coefs<'_, T>, x: &[T], dims: Dims, zi: Option<&[T]>) -> Result<Filtered<T>> {
    let m = check(F, &b, &a, dims, true)?;
    dims.check_signal(F, "x", x.len())?; // before sizing any allocation from dims
    let par = Par::default();
    let mut y = vec![T::zero(); dims.numel()];
    let mut zf = vec![T::zero(); dims.batch * m];
    let mut scratch = vec![T::zero(); lfilter_scratch_len(&b, &a, dims, par)];
    lfilter_into(b, a, x, dims, zi, &mut y, Some(&mut zf), &mut scratch, par)?;
    Ok(Filtered { y, zf })
}

/// Scratch length (in `T`s) that [`lfilter_into`] needs.
pub fn lfilter_scratch_len<T: Float>(b: &Coefs<'_, T>, a: &Coefs<'_, T>, dims: Dims, par: Par) -> usize {
    let par = par.for_work(dims, order(b, a), false);
    if rowblock::plan(b, a, dims, par) {
        return 0;
    }
    let p = LfPack::new(*b, *a, dims.len);
    match chunked::plan::<T>(dims, par) {
        Some(kc) => chunked::fwd_scratch(&p, dims, kc, par),
        None => crate::lanes::workers_for::<T>(dims.batch, par) * tdf2::fwd_scratch(&p, tdf2::fwd_tf(&p, dims)),
    }
}

/// Buffer-passing form of [`lfilter`]: writes `y` `[B, T]` and, if given, `zf` `[B, M]`.
/// Allocation-free under [`Par::Seq`]; `scratch` needs [`lfilter_scratch_len`] elements (contents ignored).
///
/// A zero `a[0]` among per-sample sets (`b` and `a` both per sample) is found while filtering, so on that
/// error the outputs hold unspecified values; every other error is returned before anything is written.
#[allow(clippy::too_many_arguments)]
pub fn lfilter_into<T: Float>(
    b: Coefs<'_, T>,
    a: Coefs<'_, T>,
    x: &[T],
    dims: Dims,
    zi: Option<&[T]>,
    y: &mut [T],
    zf: Option<&mut [T]>,
    scratch: &mut [T],
    par: Par,
) -> Result<()> {
    T::lfilter_into(b, a, x, dims, zi, y, zf, scratch, par.for_work(dims, order(&b, &a), false))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn lfilter_into_impl<T: Float>(
    b: Coefs<'_, T>,
    a: Coefs<'_, T>,
    x: &[T],
    dims: Dims,
    zi: Option<&[T]>,
    y: &mut [T],
    zf: Option<&mut [T]>,
    scratch: &mut [T],
    par: Par,
) -> Result<()> {
    let m = check(F, &b, &a, dims, true)?;
    dims.check_signal(F, "x", x.len())?;
    dims.check_signal(F, "y", y.len())?;
    if let Some(zi) = zi {
        dims.check_state(F, "zi", m, "max(len(a), len(b)) − 1", zi.len())?;
    }
    if let Some(zf) = zf.as_deref() {
        dims.check_state(F, "zf", m, "max(len(a), len(b)) − 1", zf.len())?;
    }
    check_scratch(F, scratch, lfilter_scratch_len(&b, &a, dims, par))?;
    if rowblock::plan(&b, &a, dims, par) {
        rowblock::fwd(&b, &a, x, dims, zi, y, zf, m, par);
        return Ok(());
    }
    let p = LfPack::new(b, a, dims.len);
    if let Some(kc) = chunked::plan::<T>(dims, par) {
        chunked::fwd(&p, x, dims, zi, y, zf, None, scratch, par, kc);
        return p.zero_check(F);
    }
    let tf = tdf2::fwd_tf(&p, dims);
    let per = tdf2::fwd_scratch(&p, tf);
    let outs = [Out::new(Some(y), dims.len), Out::new(zf, m), Out::new(None, 0)];
    crate::lanes!(T, dims.batch, par, L => drive(par, dims.batch, L, outs, scratch, per, true, &|br, o, s| tdf2::fwd::<T, _, L>(&p, Some(x), dims, zi, br, o, s, (0..dims.len, tf), par.simd())));
    p.zero_check(F)
}

/// Gradients of [`lfilter`].
#[derive(Clone, Debug, PartialEq)]
pub struct LfilterGrads<T> {
    /// `∂L/∂x`, `[B, T]`.
    pub x: Vec<T>,
    /// `∂L/∂b`, in the layout of `b`.
    pub b: Vec<T>,
    /// `∂L/∂a` (incl. `a[0]`), in the layout of `a`.
    pub a: Vec<T>,
    /// `∂L/∂zi`, `[B, M]`.
    pub zi: Vec<T>,
}

/// Where [`lfilter_adjoint_into`] writes; `None` skips a gradient and its reductions.
pub struct LfilterGradsMut<'a, T> {
    /// `∂L/∂x`, `[B, T]`.
    pub x: Option<&'a mut [T]>,
    /// `∂L/∂b`, layout of `b` (overwritten).
    pub b: Option<&'a mut [T]>,
    /// `∂L/∂a`, layout of `a` (overwritten).
    pub a: Option<&'a mut [T]>,
    /// `∂L/∂zi`, `[B, M]`.
    pub zi: Option<&'a mut [T]>,
}

/// Fused adjoint of [`lfilter`]: gradients w.r.t. `x`, `b`, `a` and `zi` in one reverse pass.
///
/// # Arguments
/// * `b`, `a`, `x` — as given to the forward; `y` — its output `[B, T]` (zi itself is not needed).
/// * `gy` — `∂L/∂y` `[B, T]`; `gzf` — `∂L/∂zf` `[B, M]`, or `None` when the loss ignores zf.
///
/// # Examples
/// ```
/// use diffiir::{lfilter, lfilter_adjoint, Coefs, Dims};
/// let (b, a, x, d) = ([2.0], [1.0, -0.5], [1.0, 0.0], Dims::new(1, 2));
/// let y = lfilter(Coefs::shared(&b), Coefs::shared(&a), &x, d, None).unwrap().y; // [2, 1]
/// let g = lfilter_adjoint(Coefs::shared(&b), Coefs::shared(&a), &x, &y, d, &[0.0, 1.0], None).unwrap();
/// assert_eq!(g.b, [0.5]);        // y[1] = 0.5·b0·x[0]
/// assert_eq!(g.a, [-2.0, -2.0]); // y[1] = −a1·b0·x[0]/a0²
/// ```
#[allow(clippy::too_many_arguments)]
pub fn lfilter_adjoint<T: Float>(
    b: Coefs<'_, T>,
    a: Coefs<'_, T>,
    x: &[T],
    y: &[T],
    dims: Dims,
    gy: &[T],
    gzf: Option<&[T]>,
) -> Result<LfilterGrads<T>> {
    let m = check(FA, &b, &a, dims, true)?;
    dims.check_signal(FA, "x", x.len())?;
    let par = Par::default();
    let mut g = LfilterGrads {
        x: vec![T::zero(); dims.numel()],
        b: vec![T::zero(); b.data.len()],
        a: vec![T::zero(); a.data.len()],
        zi: vec![T::zero(); dims.batch * m],
    };
    let mut scratch = vec![T::zero(); lfilter_adjoint_scratch_len(&b, &a, dims, par)];
    let out = LfilterGradsMut { x: Some(&mut g.x), b: Some(&mut g.b), a: Some(&mut g.a), zi: Some(&mut g.zi) };
    lfilter_adjoint_into(b, a, x, y, dims, gy, gzf, out, &mut scratch, par)?;
    Ok(g)
}

/// Scratch length (in `T`s) that [`lfilter_adjoint_into`] needs.
pub fn lfilter_adjoint_scratch_len<T: Float>(b: &Coefs<'_, T>, a: &Coefs<'_, T>, dims: Dims, par: Par) -> usize {
    let par = par.for_work(dims, order(b, a), true);
    if rowblock::plan(b, a, dims, par) {
        return rowblock::adj_scratch(b, a, dims, par);
    }
    let partial = partial_len((b.layout, b.k)) + partial_len((a.layout, a.k));
    let p = LfPack::new(*b, *a, dims.len);
    match chunked::plan::<T>(dims, par) {
        Some(kc) => chunked::adj_scratch(&p, [(b.layout, b.k), (a.layout, a.k)], kc, par),
        None => crate::lanes::workers_for::<T>(dims.batch, par) * tdf2::adj_scratch(&p, partial),
    }
}

/// Buffer-passing form of [`lfilter_adjoint`]. Allocation-free under [`Par::Seq`].
///
/// A zero `a[0]` among per-sample sets (`b` and `a` both per sample) is found while filtering, so on that
/// error the outputs hold unspecified values; every other error is returned before anything is written.
#[allow(clippy::too_many_arguments)]
pub fn lfilter_adjoint_into<T: Float>(
    b: Coefs<'_, T>,
    a: Coefs<'_, T>,
    x: &[T],
    y: &[T],
    dims: Dims,
    gy: &[T],
    gzf: Option<&[T]>,
    out: LfilterGradsMut<'_, T>,
    scratch: &mut [T],
    par: Par,
) -> Result<()> {
    T::lfilter_adjoint_into(b, a, x, y, dims, gy, gzf, out, scratch, par.for_work(dims, order(&b, &a), true))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn lfilter_adjoint_into_impl<T: Float>(
    b: Coefs<'_, T>,
    a: Coefs<'_, T>,
    x: &[T],
    y: &[T],
    dims: Dims,
    gy: &[T],
    gzf: Option<&[T]>,
    out: LfilterGradsMut<'_, T>,
    scratch: &mut [T],
    par: Par,
) -> Result<()> {
    let m = check(FA, &b, &a, dims, true)?;
    for (name, s) in [("x", x), ("y", y), ("gy", gy)] {
        dims.check_signal(FA, name, s.len())?;
    }
    if let Some(g) = gzf {
        dims.check_state(FA, "gzf", m, "max(len(a), len(b)) − 1", g.len())?;
    }
    check_grads(
        FA,
        [
            ("grad x", out.x.as_deref(), dims.numel()),
            ("grad b", out.b.as_deref(), b.data.len()),
            ("grad a", out.a.as_deref(), a.data.len()),
            ("grad zi", out.zi.as_deref(), dims.batch * m),
        ],
    )?;
    check_scratch(FA, scratch, lfilter_adjoint_scratch_len(&b, &a, dims, par))?;
    let p = LfPack::new(b, a, dims.len);
    let partial = partial_len((b.layout, b.k)) + partial_len((a.layout, a.k));
    let per = tdf2::adj_scratch(&p, partial);
    let io = tdf2::AdjIo { x, y, tape: &[], gy: Some(gy), gzf, want: [out.b.is_some(), out.a.is_some()] };
    let (mut gb, mut ga) = (out.b, out.a);
    // Set by set the kernels accumulate (a per-signal b with per-sample a sums over time) and the contract is
    // "overwritten"; per-sample sets moved by block are written once each, and zeroing first would be a
    // whole extra pass over arrays three times the signal's size.
    if p.sample_rows().is_none() {
        for g in [gb.as_deref_mut(), ga.as_deref_mut()].into_iter().flatten() {
            g.fill(T::zero());
        }
    }
    let cdesc = [(b.layout, b.k), (a.layout, a.k)];
    if rowblock::plan(&b, &a, dims, par) {
        let out = LfilterGradsMut { x: out.x, b: gb, a: ga, zi: out.zi };
        rowblock::adj(&b, &a, x, y, dims, gy, gzf, out, m, scratch, par);
        return Ok(());
    }
    if let Some(kc) = chunked::plan::<T>(dims, par) {
        let out = chunked::AdjOut { gx: out.x, gzi: out.zi, coef: [gb, ga] };
        chunked::adj(&p, &io, dims, out, cdesc, scratch, par, kc);
        return p.zero_check(FA);
    }
    let outs =
        [Out::new(out.x, dims.len), Out::new(out.zi, m), coef_out(gb.as_deref_mut(), &b, dims), coef_out(ga.as_deref_mut(), &a, dims)];
    crate::lanes!(T, dims.batch, par, L => drive(par, dims.batch, L, outs, scratch, per, split_free(&cdesc, &io.want), &|br, o, s| tdf2::adj::<T, _, L>(&p, &io, dims, br, o, s, cdesc, 0..dims.len, par.simd())));
    let workers = crate::lanes::workers_for::<T>(dims.batch, par);
    let off = per - partial;
    reduce_partials(gb, &b, scratch, per, workers, off);
    reduce_partials(ga, &a, scratch, per, workers, off + partial_len((b.layout, b.k)));
    p.zero_check(FA)
}

/// Steady-state initial condition of the step response, as `scipy.signal.lfilter_zi(b, a)`, for one
/// filter (`[nb]`, `[na]`, `batch` ignored) or one per signal (`[B, nb]`, `[B, na]`).
///
/// Returns `[B, M]` (or `[M]` for shared coefficients); multiply by `x[0]` to start a signal at rest at
/// its first value. Computed in closed form, `zi_i = Σ_{j≥i} (b̃_j − ã_j·G)` with the DC gain
/// `G = Σb/Σa`, which is scipy's linear solve written out.
///
/// # Errors
/// [`Error::Singular`] when `Σa = 0` (pole at z = 1); time-varying coefficients are rejected
/// ([`Error::Shape`]); as [`lfilter`] otherwise.
pub fn lfilter_zi<T: Float>(b: Coefs<'_, T>, a: Coefs<'_, T>, batch: usize) -> Result<Vec<T>> {
    const FZ: &str = "lfilter_zi";
    let (sets, m) = check_zi(FZ, &b, &a, batch)?;
    let mut zi = vec![T::zero(); sets * m];
    let (mut bt, mut at) = (vec![T::zero(); m + 1], vec![T::zero(); m + 1]);
    for (s, z) in zi.chunks_exact_mut(m.max(1)).enumerate().take(sets) {
        normalise_set(b.set(s, 0, 1), a.set(s, 0, 1), &mut bt, &mut at);
        steady_state(&bt, &at, &mut z[..m]).ok_or(Error::Singular { func: FZ, arg: "a", index: s })?;
    }
    Ok(zi)
}

/// Gradient of [`lfilter_zi`]: given `gzi = ∂L/∂zi` (shape of its output) returns `(∂L/∂b, ∂L/∂a)` in
/// the layouts of `b` and `a` (`a[0]` included).
pub fn lfilter_zi_adjoint<T: Float>(b: Coefs<'_, T>, a: Coefs<'_, T>, batch: usize, gzi: &[T]) -> Result<(Vec<T>, Vec<T>)> {
    const FZ: &str = "lfilter_zi_adjoint";
    let (sets, m) = check_zi(FZ, &b, &a, batch)?;
    check_len(FZ, "gzi", sets * m, gzi.len())?;
    let (mut gb, mut ga) = (vec![T::zero(); b.data.len()], vec![T::zero(); a.data.len()]);
    let (mut bt, mut at, mut z) = (vec![T::zero(); m + 1], vec![T::zero(); m + 1], vec![T::zero(); m]);
    let (mut gbt, mut gat) = (vec![T::zero(); m + 1], vec![T::zero(); m + 1]);
    for s in 0..sets {
        let a0 = normalise_set(b.set(s, 0, 1), a.set(s, 0, 1), &mut bt, &mut at);
        let (g, sa) = steady_state(&bt, &at, &mut z).ok_or(Error::Singular { func: FZ, arg: "a", index: s })?;
        steady_state_adjoint(&at, g, sa, &gzi[s * m..][..m], T::zero(), &mut gbt, &mut gat);
        let (ob, oa) = (s * b.k, s * a.k);
        unnormalise(
            a0,
            b.k,
            a.k,
            m,
            |j| if j <= m { bt[j] } else { at[j - m] },
            |j| if j <= m { gbt[j] } else { gat[j - m] },
            |is_a, i, v| if is_a { ga[oa + i] = v } else { gb[ob + i] = v },
        );
    }
    Ok((gb, ga))
}

fn check_zi<T: Float>(func: &'static str, b: &Coefs<'_, T>, a: &Coefs<'_, T>, batch: usize) -> Result<(usize, usize)> {
    let dims = Dims::new(batch, 1);
    let m = check(func, b, a, dims, false)?;
    if b.is_time_varying() || a.is_time_varying() || b.layout != a.layout {
        return Err(Error::Shape {
            func,
            arg: "b, a",
            expected: "both [K] or both [B, K]".into(),
            got: format!("layouts {:?} and {:?}", b.layout, a.layout),
        });
    }
    Ok((b.sets(dims), m))
}

/// The checks every `lfilter` entry runs, for adapters that validate before dispatching work elsewhere:
/// lengths of `b` and `a` for `dims`, `a[0] ≠ 0`, the order limit. Returns the state length `M`.
pub fn lfilter_check<T: Float>(b: &Coefs<'_, T>, a: &Coefs<'_, T>, dims: Dims) -> Result<usize> {
    check(F, b, a, dims, false)
}

/// Validates `b`, `a` (lengths for `dims`, a[0] ≠ 0); returns the state length `M`. `kernel`: for an entry
/// that runs the kernel, which checks a[0] of per-sample sets itself ([`LfPack::zero_check`]).
fn check<T: Float>(func: &'static str, b: &Coefs<'_, T>, a: &Coefs<'_, T>, dims: Dims, kernel: bool) -> Result<usize> {
    b.check(func, "b", dims)?;
    a.check(func, "a", dims)?;
    if !(kernel && b.is_time_varying() && a.is_time_varying()) {
        a.check_nonzero(func, "a", 0, a.k)?;
    }
    let m = order(b, a);
    if tdf2::order_class(m).is_none() {
        return Err(Error::OrderTooLarge { func, arg: "b, a", order: m, max: tdf2::MAX_ORDER });
    }
    Ok(m)
}

/// The filter's order, its state length `M = max(len(a), len(b)) − 1`.
fn order<T>(b: &Coefs<'_, T>, a: &Coefs<'_, T>) -> usize {
    b.k.max(a.k).saturating_sub(1)
}

/// Checks the lengths of caller-provided gradient buffers `(name, buffer, expected length)`.
pub(crate) fn check_grads<T, const N: usize>(func: &'static str, g: [(&'static str, Option<&[T]>, usize); N]) -> Result<()> {
    for (name, buf, want) in g {
        if let Some(buf) = buf {
            check_len(func, name, want, buf.len())?;
        }
    }
    Ok(())
}
