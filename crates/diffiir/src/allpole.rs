//! All-pole filters (direct form), time-invariant and time-varying, with their fused adjoint.
//!
//! # Forward
//! For each signal, with order `N` and coefficients `a_1..a_N` (no `a_0`; it is 1):
//!
//! ```text
//! y[n] = x[n] − Σ_{k=1..N} a_k[n] · y[n−k]          n = 0..T−1
//! zi = (y[−1], y[−2], …, y[−N]),   zf = (y[T−1], y[T−2], …, y[T−N])
//! ```
//!
//! `a_k[n]` is the coefficient set of sample `n` (time-varying, `[B, T, N]`) or one set for all samples
//! (`[N]` shared, `[B, N]` per signal). This is torchlpc's `sample_wise_lpc(x, A, zi)` exactly.
//!
//! # Adjoint
//! Given `ḡ = ∂L/∂y` (and optionally `∂L/∂zf`, added to `ḡ` at the samples zf holds), one reverse pass:
//!
//! ```text
//! u[n] = ḡ[n] − Σ_{k=1..N} a_k[n+k] · u[n+k],   u[n] = 0 for n ≥ T      (note the later time n+k)
//! ∂L/∂x[n]   = u[n]
//! ∂L/∂a_k[n] = −u[n] · y[n−k]                      (summed over n (and signals) when time-invariant)
//! ∂L/∂zi_m   = −Σ_{k=m..N, k−m<T} a_k[k−m] · u[k−m]   (m = 1..N; zi_m = y[−m])
//! ```
//!
//! The adjoint needs the forward output `y` and `zi`, not intermediate state.

use crate::error::Result;
use crate::float::Float;
use crate::lanes::{
    check_len, check_scratch, coef_out, drive, fwd_ahead, fwd_block, gather, next_back, reduce_partials, scatter, sink, split_free, take,
    Ahead, Out, SB, TB,
};
use crate::par::Par;
use crate::shape::{Coefs, Dims};
use crate::Filtered;
use std::ops::Range;

mod dot;
mod pack;
mod tile;
use dot::{correlate, sub_dot, sub_dot2, two, with_order};
use pack::{add_grads, add_gzf, fetch, load_history, outer2_rows, pack, pack_samples, store_history, zi_grads, zi_history};

const F: &str = "allpole";
const FA: &str = "allpole_adjoint";

/// Filters `x` with the all-pole filter `1 / (1 + Σ a_k z^−k)`, per-sample coefficients allowed.
///
/// Allocating form of [`allpole_into`] (uses [`Par::default()`]).
///
/// # Arguments
/// * `x` — `[B, T]` input, row-major (`dims` gives B and T).
/// * `a` — `a_1..a_N` (no leading 1): `[N]`, `[B, N]` or `[B, T, N]`, see [`Coefs`]. `N ≥ 1`.
/// * `zi` — `[B, N]` initial outputs `(y[−1], …, y[−N])`; `None` = zeros.
///
/// # Returns
/// [`Filtered`] with `y` `[B, T]` and `zf` `[B, N]` = `(y[T−1], …, y[T−N])`.
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) for a wrong length of `x`, `a` or `zi`;
/// [`Error::Empty`](crate::Error::Empty) for `N = 0`.
///
/// # Examples
/// ```
/// use diffiir::{allpole, Coefs, Dims};
/// // y[n] = x[n] + 0.5 y[n−1]: impulse response 1, 0.5, 0.25, …
/// let out = allpole(&[1.0, 0.0, 0.0, 0.0], Dims::new(1, 4), Coefs::shared(&[-0.5]), None).unwrap();
/// assert_eq!(out.y, [1.0, 0.5, 0.25, 0.125]);
/// assert_eq!(out.zf, [0.125]);
/// ```
///
/// See also [`allpole_adjoint`], [`lfilter`](crate::lfilter) (which uses transposed direct form II).
pub fn allpole<T: Float>(x: &[T], dims: Dims, a: Coefs<'_, T>, zi: Option<&[T]>) -> Result<Filtered<T>> {
    check(F, "x", x, dims, &a, zi)?;
    let par = Par::default();
    let mut y = vec![T::zero(); dims.numel()];
    let mut zf = vec![T::zero(); dims.batch * a.k];
    let mut scratch = vec![T::zero(); allpole_scratch_len::<T>(dims, &a, par)];
    allpole_into(x, dims, a, zi, &mut y, Some(&mut zf), &mut scratch, par)?;
    Ok(Filtered { y, zf })
}

/// Scratch length (in `T`s) that [`allpole_into`] needs for these shapes and this parallelism.
pub fn allpole_scratch_len<T: Float>(dims: Dims, a: &Coefs<'_, T>, par: Par) -> usize {
    let (n, tf, par) = (a.k, fwd_block::<T>(dims.numel(), a.is_time_varying()), par.for_work(dims, a.k, false));
    let c = if a.is_time_varying() { tf * n } else { n };
    crate::lanes::workers_for::<T>(dims.batch, par) * T::LANES * (2 * tf + n + c)
}

/// Buffer-passing form of [`allpole`]: writes `y` (`[B, T]`) and, if given, `zf` (`[B, N]`).
/// Allocation-free under [`Par::Seq`]; `scratch` needs [`allpole_scratch_len`] elements (contents ignored).
#[allow(clippy::too_many_arguments)]
pub fn allpole_into<T: Float>(
    x: &[T],
    dims: Dims,
    a: Coefs<'_, T>,
    zi: Option<&[T]>,
    y: &mut [T],
    zf: Option<&mut [T]>,
    scratch: &mut [T],
    par: Par,
) -> Result<()> {
    T::allpole_into(x, dims, a, zi, y, zf, scratch, par.for_work(dims, a.k, false))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn allpole_into_impl<T: Float>(
    x: &[T],
    dims: Dims,
    a: Coefs<'_, T>,
    zi: Option<&[T]>,
    y: &mut [T],
    zf: Option<&mut [T]>,
    scratch: &mut [T],
    par: Par,
) -> Result<()> {
    check(F, "x", x, dims, &a, zi)?;
    dims.check_signal(F, "y", y.len())?;
    if let Some(zf) = zf.as_deref() {
        dims.check_state(F, "zf", a.k, "N", zf.len())?;
    }
    check_scratch(F, scratch, allpole_scratch_len::<T>(dims, &a, par))?;
    let per = allpole_scratch_len::<T>(dims, &a, Par::Seq);
    let outs = [Out::new(Some(y), dims.len), Out::new(zf, a.k)];
    crate::lanes!(T, dims.batch, par, L => drive(par, dims.batch, L, outs, scratch, per, true, &|br, o, s| with_order!(a.k, par.simd(), fwd::<T, L>(x, dims, &a, zi, br, o, s, par.simd()))));
    Ok(())
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn fwd<T: Float, const L: usize, const N: usize>(
    x: &[T],
    dims: Dims,
    a: &Coefs<'_, T>,
    zi: Option<&[T]>,
    br: Range<usize>,
    outs: &mut [Out<'_, T>; 2],
    s: &mut [T],
    simd: crate::Simd,
) {
    let (n, tlen, tv) = (if N > 0 { N } else { a.k }, dims.len, a.is_time_varying());
    // The same block length as `allpole_scratch_len`'s.
    let tf = fwd_block::<T>(dims.numel(), tv);
    let (xs, s) = take::<T, L>(s, tf);
    let (ys, s) = take::<T, L>(s, n + tf);
    let (cs, _) = take::<T, L>(s, if tv { tf * n } else { n });
    let [yo, zfo] = outs;
    for b0 in br.clone().step_by(L) {
        let nl = L.min(br.end - b0);
        load_history(ys, zi, b0, nl, n);
        if !tv {
            pack(a, b0, nl, 0, tlen, cs);
        }
        // Order 2 per sample in f32 runs in tiles ([`tile`]) up to the last multiple of 8 samples.
        let done = if tv && n == 2 { tile::fwd2(x, a.data, tlen, b0, nl, yo.data.as_deref_mut(), b0 - br.start, ys, simd) } else { 0 };
        for t0 in (done..tlen).step_by(tf) {
            let len = tf.min(tlen - t0);
            gather(x, tlen, b0, nl, t0, &mut xs[..len]);
            if tv {
                pack_samples(a, b0, nl, t0, len, tlen, cs);
            }
            // The next block is fetched during this block's recursion ([`Ahead`]); per-sample coefficients take
            // N lines a step.
            let (nb, nnl, nt, nlen) = fwd_ahead::<T, L>(b0, t0, &(0..tlen), &br, tf);
            let ax = Ahead::new(Some(x), tlen, nb, nnl, nt, nlen);
            let ay = Ahead::new(yo.data.as_deref(), tlen, nb - br.start, nnl, nt, nlen);
            let acs = Ahead::new(tv.then_some(a.data), tlen * n, nb, nnl, nt * n, nlen * n);
            let mut t = 0;
            if !tv {
                // Two steps at a time, sharing their loads ([`sub_dot2`]).
                while t + 2 <= len {
                    for u in [t, t + 1] {
                        ax.line(u);
                        ay.line(u);
                    }
                    // Slices of length n, so the compiler sees every index in bounds.
                    let ((hist, next), c) = (ys.split_at_mut(n + t), &cs[..n]);
                    let c = |j: usize| &c[n - 1 - j];
                    sub_dot2([&xs[t], &xs[t + 1]], n, c, c, |j| &hist[t..][j], two(next, 0));
                    t += 2;
                }
            } else {
                // Per-sample coefficients: two steps at a time all the same, so the newer step takes the older's
                // output from a register (one step a loop waited on the store of the previous output).
                while t + 2 <= len {
                    for u in [t, t + 1] {
                        ax.line(u);
                        ay.line(u);
                        (0..n).for_each(|j| acs.line(u * n + j));
                    }
                    let ((hist, next), (c1, c2)) = (ys.split_at_mut(n + t), (&cs[t * n..][..n], &cs[(t + 1) * n..][..n]));
                    sub_dot2([&xs[t], &xs[t + 1]], n, |j| &c1[n - 1 - j], |j| &c2[n - 1 - j], |j| &hist[t..][j], two(next, 0));
                    t += 2;
                }
            }
            for t in t..len {
                ax.line(t);
                ay.line(t);
                (0..if tv { n } else { 0 }).for_each(|j| acs.line(t * n + j));
                let c = if tv { &cs[t * n..][..n] } else { &cs[..n] };
                ys[n + t] = sub_dot(xs[t], n, |j| &c[n - 1 - j], |j| &ys[t + j]);
            }
            if let Some(yd) = yo.data.as_deref_mut() {
                scatter(&ys[n..n + len], yd, tlen, b0 - br.start, nl, t0);
            }
            ys.copy_within(len..len + n, 0);
        }
        store_history(ys, zfo.data.as_deref_mut(), b0 - br.start, nl, n);
    }
}

/// Gradients of an all-pole filter (allocating form of [`allpole_adjoint_into`]).
#[derive(Clone, Debug, PartialEq)]
pub struct AllpoleGrads<T> {
    /// `∂L/∂x`, `[B, T]`.
    pub x: Vec<T>,
    /// `∂L/∂a`, in the layout of `a`.
    pub a: Vec<T>,
    /// `∂L/∂zi`, `[B, N]`.
    pub zi: Vec<T>,
}

/// Where [`allpole_adjoint_into`] writes each gradient; `None` skips it (and its reductions).
pub struct AllpoleGradsMut<'a, T> {
    /// `∂L/∂x`, `[B, T]`.
    pub x: Option<&'a mut [T]>,
    /// `∂L/∂a`, in the layout of `a` (overwritten).
    pub a: Option<&'a mut [T]>,
    /// `∂L/∂zi`, `[B, N]`.
    pub zi: Option<&'a mut [T]>,
}

/// Fused adjoint of [`allpole`]: every gradient in one reverse pass.
///
/// # Arguments
/// * `y` — the forward output `[B, T]`; `a`, `zi` — as given to the forward.
/// * `gy` — `∂L/∂y`, `[B, T]`; `gzf` — `∂L/∂zf`, `[B, N]` (`None` when the loss ignores zf).
///
/// # Examples
/// ```
/// use diffiir::{allpole, allpole_adjoint, Coefs, Dims};
/// let (x, a, d) = ([1.0, 2.0, 3.0], [-0.5], Dims::new(1, 3));
/// let y = allpole(&x, d, Coefs::shared(&a), None).unwrap().y;
/// // L = y[2] = x[2] + 0.5 x[1] + 0.25 x[0]
/// let g = allpole_adjoint(&y, d, Coefs::shared(&a), None, &[0.0, 0.0, 1.0], None).unwrap();
/// assert_eq!(g.x, [0.25, 0.5, 1.0]);
/// ```
pub fn allpole_adjoint<T: Float>(
    y: &[T],
    dims: Dims,
    a: Coefs<'_, T>,
    zi: Option<&[T]>,
    gy: &[T],
    gzf: Option<&[T]>,
) -> Result<AllpoleGrads<T>> {
    check(FA, "y", y, dims, &a, zi)?;
    let par = Par::default();
    let mut g = AllpoleGrads { x: vec![T::zero(); dims.numel()], a: vec![T::zero(); a.data.len()], zi: vec![T::zero(); dims.batch * a.k] };
    let mut scratch = vec![T::zero(); allpole_adjoint_scratch_len::<T>(dims, &a, par)];
    let out = AllpoleGradsMut { x: Some(&mut g.x), a: Some(&mut g.a), zi: Some(&mut g.zi) };
    allpole_adjoint_into(y, dims, a, zi, gy, gzf, out, &mut scratch, par)?;
    Ok(g)
}

/// Scratch length (in `T`s) that [`allpole_adjoint_into`] needs.
pub fn allpole_adjoint_scratch_len<T: Float>(dims: Dims, a: &Coefs<'_, T>, par: Par) -> usize {
    let (n, par) = (a.k, par.for_work(dims, a.k, true));
    let (c, g) = if a.is_time_varying() { ((TB + n) * n, TB * n) } else { (n, n) };
    let rows = TB + (TB + n) + (n + TB) + c + g;
    crate::lanes::workers_for::<T>(dims.batch, par) * (T::LANES * rows + n)
}

/// Buffer-passing form of [`allpole_adjoint`]. Allocation-free under [`Par::Seq`].
#[allow(clippy::too_many_arguments)]
pub fn allpole_adjoint_into<T: Float>(
    y: &[T],
    dims: Dims,
    a: Coefs<'_, T>,
    zi: Option<&[T]>,
    gy: &[T],
    gzf: Option<&[T]>,
    out: AllpoleGradsMut<'_, T>,
    scratch: &mut [T],
    par: Par,
) -> Result<()> {
    T::allpole_adjoint_into(y, dims, a, zi, gy, gzf, out, scratch, par.for_work(dims, a.k, true))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn allpole_adjoint_into_impl<T: Float>(
    y: &[T],
    dims: Dims,
    a: Coefs<'_, T>,
    zi: Option<&[T]>,
    gy: &[T],
    gzf: Option<&[T]>,
    out: AllpoleGradsMut<'_, T>,
    scratch: &mut [T],
    par: Par,
) -> Result<()> {
    check(FA, "y", y, dims, &a, zi)?;
    dims.check_signal(FA, "gy", gy.len())?;
    if let Some(g) = gzf {
        dims.check_state(FA, "gzf", a.k, "N", g.len())?;
    }
    if let Some(g) = out.x.as_deref() {
        dims.check_signal(FA, "grad x", g.len())?;
    }
    if let Some(g) = out.a.as_deref() {
        check_len(FA, "grad a", a.data.len(), g.len())?;
    }
    if let Some(g) = out.zi.as_deref() {
        dims.check_state(FA, "grad zi", a.k, "N", g.len())?;
    }
    check_scratch(FA, scratch, allpole_adjoint_scratch_len::<T>(dims, &a, par))?;
    let per = allpole_adjoint_scratch_len::<T>(dims, &a, Par::Seq);
    let want_a = out.a.is_some();
    let mut ga = out.a;
    // Shared and per-signal gradients are accumulated, so they start from zero (the contract is
    // "overwritten"); per-sample ones are each written once by the kernel, and zeroing them first would be a
    // whole extra pass over an array twice the signal's size (W4: 6 MB).
    if let Some(g) = ga.as_deref_mut().filter(|_| !a.is_time_varying()) {
        g.fill(T::zero());
    }
    let outs = [Out::new(out.x, dims.len), coef_out(ga.as_deref_mut(), &a, dims), Out::new(out.zi, a.k)];
    let io = AdjIo { y, gy, gzf, zi, want_a, simd: par.simd() };
    crate::lanes!(T, dims.batch, par, L => drive(par, dims.batch, L, outs, scratch, per, split_free(&[(a.layout, a.k)], &[want_a]), &|br, o, s| with_order!(a.k, par.simd(), adj::<T, L>(&io, dims, &a, br, o, s))));
    reduce_partials(ga, &a, scratch, per, crate::lanes::workers_for::<T>(dims.batch, par), per - a.k);
    Ok(())
}

struct AdjIo<'a, T> {
    y: &'a [T],
    gy: &'a [T],
    gzf: Option<&'a [T]>,
    zi: Option<&'a [T]>,
    want_a: bool,
    simd: crate::Simd,
}

#[inline(always)]
fn adj<T: Float, const L: usize, const N: usize>(
    io: &AdjIo<'_, T>,
    dims: Dims,
    a: &Coefs<'_, T>,
    br: Range<usize>,
    outs: &mut [Out<'_, T>; 3],
    s: &mut [T],
) {
    let (n, tlen, tv) = (if N > 0 { N } else { a.k }, dims.len, a.is_time_varying());
    // The shared-gradient partial sum sits at the end of the worker's scratch, where the caller reduces it.
    let (s, partial) = s.split_at_mut(s.len() - n);
    let (gs, s) = take::<T, L>(s, TB);
    let (us, s) = take::<T, L>(s, TB + n);
    let (ys, s) = take::<T, L>(s, n + TB);
    let (cs, s) = take::<T, L>(s, if tv { (TB + n) * n } else { n });
    let (gc, _) = take::<T, L>(s, if tv { TB * n } else { n });
    partial.fill(T::zero());
    // Per-sample ∂L/∂a of order 2 (W4) is computed along the rows ([`outer2`]); other orders in lanes, where a
    // sample-by-sample row loop measured slower (N = 3, 4, 16).
    let rows = tv && io.want_a && N == 2;
    let [gxo, gao, gzio] = outs;
    let mut ga = sink(gao, partial, io.want_a, (a.layout, a.k), br.start, tlen);
    for b0 in br.clone().step_by(L) {
        let nl = L.min(br.end - b0);
        us.fill([T::zero(); L]);
        if !tv {
            pack(a, b0, nl, 0, tlen, cs);
            gc.fill([T::zero(); L]);
        }
        let mut t0 = tlen.saturating_sub(1) / TB * TB;
        while t0 < tlen {
            let len = TB.min(tlen - t0);
            us.copy_within(0..n, len);
            // Order 2 per sample in f32 runs in tiles ([`tile`]), `u` going to `∂L/∂x` or to scratch rows for
            // `∂L/∂a` (blocks not reached by ∂L/∂zf).
            let tiled = tv && N == 2 && io.gzf.is_none_or(|_| t0 + len + n <= tlen) && {
                let dst = match gxo.data.as_deref_mut() {
                    Some(gx) => (gx, tlen, (b0 - br.start) * tlen + t0),
                    None => (gc.as_flattened_mut(), len, 0),
                };
                tile::adj2(io.gy, a.data, (tlen, t0, len), (b0, nl), dst, us, io.simd)
            };
            // The next block is fetched during this block's recursion ([`Ahead`]); per-sample coefficients take
            // N lines a step.
            let (nb, nnl, nt, nlen) = next_back::<L>(b0, t0, &(0..tlen), &br);
            let srcs = [(Some(io.gy), nb), (io.want_a.then_some(io.y), nb), (gxo.data.as_deref(), nb - br.start)];
            let ahead = srcs.map(|(v, b)| Ahead::new(v, tlen, b, nnl, nt, nlen));
            let acs = Ahead::new(tv.then_some(a.data), tlen * n, nb, nnl, nt * n, nlen * n);
            let fetch = |t: usize| fetch(&ahead, &acs, if tv { n } else { 0 }, t);
            if !tiled {
                gather(io.gy, tlen, b0, nl, t0, &mut gs[..len]);
                add_gzf(&mut gs[..len], io.gzf, b0, nl, n, tlen, t0);
            }
            if io.want_a && !rows {
                // Rows 0..n+len hold y[t0−n .. t0+len): negative times from zi, the rest from y.
                let h = n.min(t0);
                zi_history(ys, io.zi, b0, nl, n, t0);
                gather(io.y, tlen, b0, nl, t0 - h, &mut ys[n - h..n + len]);
            }
            if tv && !tiled {
                // a_k[n+k] reaches n rows past the block; rows past T are zero (u is zero there).
                pack_samples(a, b0, nl, t0, len + n, tlen, cs);
            }
            // Sub-blocks of SB steps, latest first: the recursion, then ∂L/∂a_k[n] = −u[n]·y[n−k] over the
            // same steps while their rows are in L1 (reduced apart from the recursion so its loop-carried
            // step stays small).
            for u0 in (0..if tiled { 0 } else { len }).step_by(SB).rev() {
                let ue = len.min(u0 + SB);
                let mut e = ue;
                if !tv {
                    // Two steps at a time, sharing their loads ([`sub_dot2`]): t and t − 1.
                    while e >= u0 + 2 {
                        let t = e - 1;
                        fetch(t);
                        fetch(t - 1);
                        let ((done, win), c) = (us.split_at_mut(t + 1), &cs[..n]);
                        let [o2, o1] = two(done, t - 1);
                        let c = |j: usize| &c[n - j - 1];
                        sub_dot2([&gs[t], &gs[t - 1]], n, c, c, |j| &win[..n][n - 1 - j], [o1, o2]);
                        e -= 2;
                    }
                } else {
                    // Per-sample: step t's term j, a_{n−j}[t+n−j], is element (n−1−j)·(n+1) of the sets from t + 1.
                    while e >= u0 + 2 {
                        let t = e - 1;
                        fetch(t);
                        fetch(t - 1);
                        let ((done, win), (c1, c2)) = (us.split_at_mut(t + 1), (&cs[(t + 1) * n..][..n * n], &cs[t * n..][..n * n]));
                        let [o2, o1] = two(done, t - 1);
                        let at = |j: usize| (n - 1 - j) * (n + 1);
                        sub_dot2([&gs[t], &gs[t - 1]], n, |j| &c1[at(j)], |j| &c2[at(j)], |j| &win[..n][n - 1 - j], [o1, o2]);
                        e -= 2;
                    }
                }
                for t in (u0..e).rev() {
                    fetch(t);
                    // Term j is k = n − j: a_k[t+k]·u[t+k], the newest (u[t+1]) last.
                    let c = |j: usize| if tv { &cs[(t + n - j) * n + n - j - 1] } else { &cs[n - j - 1] };
                    us[t] = sub_dot(gs[t], n, c, |j| &us[t + n - j]);
                }
                if io.want_a && tv && !rows {
                    for t in u0..ue {
                        for k in 1..=n {
                            let (u, yk, g) = (&us[t], &ys[n + t - k], &mut gc[t * n + k - 1]);
                            for l in 0..L {
                                g[l] = -(u[l] * yk[l]);
                            }
                        }
                    }
                } else if io.want_a && !tv {
                    correlate(&us[u0..ue], &ys[u0..n + ue], n, gc);
                }
            }
            if let (false, Some(gx)) = (tiled, gxo.data.as_deref_mut()) {
                scatter(&us[..len], gx, tlen, b0 - br.start, nl, t0);
            }
            if let (true, Some(d)) = (tv && !rows, ga.data.as_deref_mut()) {
                // Per-sample gradients have per-sample layout: the inverse transposition of `pack_samples`.
                scatter(&gc[..len * n], d, tlen * n, b0 - br.start, nl, t0 * n);
            } else if let (true, Some(d)) = (rows, ga.data.as_deref_mut()) {
                // ∂L/∂a_k[n] = −u[n]·y[n−k] is element-wise in (signal, sample): computed along the rows, from
                // `u` as scattered to `∂L/∂x` (or to scratch rows) and `y` as the user gave it, so neither `y`
                // nor the gradient (two values a sample) goes through a lane transposition.
                let (ur, stride, start) = match gxo.data.as_deref() {
                    Some(gx) => (gx, tlen, (b0 - br.start) * tlen + t0),
                    None => {
                        let flat = gc.as_flattened_mut();
                        if !tiled {
                            scatter(&us[..len], flat, len, 0, nl, 0);
                        }
                        (&*flat, len, 0)
                    }
                };
                outer2_rows((ur, stride, start), io.y, io.zi, (b0, b0 - br.start, nl), (tlen, t0, len), d);
            }
            t0 = t0.wrapping_sub(TB);
        }
        if io.want_a && !tv {
            add_grads(&mut ga, gc, b0, nl, 0);
        }
        if let Some(gzi) = gzio.data.as_deref_mut() {
            zi_grads(a, us, io.gzf, b0, nl, tlen, &mut gzi[(b0 - br.start) * n..][..nl * n]);
        }
    }
}

/// The coefficient checks every `allpole` entry runs (length of `a` for `dims`, `N ≥ 1`), for adapters that
/// validate before dispatching.
pub fn allpole_check<T: Float>(a: &Coefs<'_, T>, dims: Dims) -> Result<()> {
    a.check(F, "a", dims)
}

fn check<T: Float>(func: &'static str, xname: &'static str, x: &[T], dims: Dims, a: &Coefs<'_, T>, zi: Option<&[T]>) -> Result<()> {
    a.check(func, "a", dims)?;
    dims.check_signal(func, xname, x.len())?;
    if let Some(zi) = zi {
        dims.check_state(func, "zi", a.k, "N", zi.len())?;
    }
    Ok(())
}
