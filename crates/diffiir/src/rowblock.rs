//! Row-layout block recursion for [`lfilter`](crate::lfilter) with time-invariant coefficients of order ≤ 2
//! (one biquad or a first-order section): the path [`Path::Rows`] takes, and [`Path::Auto`] for few signals.
//!
//! The lane kernels transpose signals into lanes so one vector step advances many signals by one sample;
//! with few signals the lanes stay empty and each step waits on the previous one. Here one signal advances by
//! a block of eight samples per step, read and written where it lies in memory. With the normalised
//! coefficients (`a0 = 1`) and direct form I, `y[t] = Σ_k b_k x[t−k] − a_1 y[t−1] − a_2 y[t−2]`, linearity gives
//! for the block `t0 .. t0+8`
//! ```text
//! y[t0+i] = Σ_{j<8} h_j[i]·x[t0+j] + h_8[i]·x[t0−1] + h_9[i]·x[t0−2] + q_1[i]·y[t0−1] + q_2[i]·(y[t0−1] − y[t0−2])
//! ```
//! where the twelve 8-vectors are the block's responses to each unit input, computed once per coefficient set
//! in f64 (the history as a value and a difference: see [`Cols::new`]). Only the `q` terms wait on the previous
//! block, and the two history scalars have their own recurrence, so the loop-carried chain is one multiply and
//! two adds per eight samples instead of per sample.
//!
//! The adjoint of `λ[t] = ∂L/∂y[t] − a_1 λ[t+1] − a_2 λ[t+2]` is the same block recursion run backwards (columns
//! `g_j`, `d_1`, `d_2`). Chunk by chunk of [`CH`] samples (so `λ` stays in L1), one pass along the rows then gives
//! ```text
//! ∂L/∂x[t] = Σ_k b_k λ[t+k]      ∂L/∂b_k = Σ_t λ[t]·x[t−k]      ∂L/∂a_k = −Σ_t λ[t]·y[t−k]      ∂L/∂zi_j = λ[j]
//! ```
//! plus the direct terms of `∂L/∂zf` (scipy's `zf` is `b_1 x[T−1] − a_1 y[T−1] + b_2 x[T−2] − a_2 y[T−2]` and
//! `b_2 x[T−1] − a_2 y[T−1]`). The first two samples run scipy's transposed direct form II from `zi` (`zi` enters
//! as extra input to `y[0]`, `y[1]`), the blocks start at sample 2 and a tail of 2–9 samples runs one step at a
//! time, so `∂L/∂zf` seeds only scalar steps.
//!
//! Rounding differs from the lane kernels' transposed direct form II (the block sums its terms in another
//! order); `tests/rowblock.rs` holds the float32 error within 2× of the sequential path's on resonant filters.
//! Each signal runs alone on one thread (signals are split over threads): the path is for few signals, where it
//! measured faster than the lane kernels with their lanes mostly empty, and than the chunked path's two passes
//! on as many threads as signals (BENCHMARKS.md, "Row-layout block recursion").

use crate::float::Float;
use crate::lanes::{coef_out, drive, partial_len, reduce_partials, sink, split_free, Out};
use crate::norm::unnormalise;
use crate::par::{Par, Path};
use crate::shape::{Coefs, Dims, Layout};
use crate::simd::Simd;
use crate::LfilterGradsMut;
use std::ops::Range;

mod cols;
use cols::Cols;

type V8<T> = [T; 8];

/// Samples per adjoint chunk (a multiple of 8): its `λ` stays in L1 between the recursion and the pass that
/// reads it.
const CH: usize = 1024;

/// Shortest signal the path takes: the head, one block and the tail.
pub(crate) const MIN_LEN: usize = 16;

/// Shortest signal [`Path::Auto`] gives this path. Shorter calls cost little either way, and there `Auto`
/// keeps the sequential lane kernels' rounding, which [`Stream`](crate::Stream) reproduces bit for bit.
pub(crate) const AUTO_MIN_LEN: usize = 1024;

/// Whether the path applies: time-invariant `b`, `a` of at most three coefficients (order 1 or 2), signals of
/// at least [`MIN_LEN`] samples.
fn applies<T>(b: &Coefs<'_, T>, a: &Coefs<'_, T>, dims: Dims) -> bool {
    let lti = !b.is_time_varying() && !a.is_time_varying();
    lti && b.k <= 3 && a.k <= 3 && b.k.max(a.k) >= 2 && dims.len >= MIN_LEN && dims.batch > 0
}

/// Whether `par` takes this path: [`Path::Rows`] wherever it applies; [`Path::Auto`] where it applies, the
/// signals are too few to fill the lanes (`batch ≤ LANES / 4`, as the chunked path's rule) and at least
/// [`AUTO_MIN_LEN`] long, unless there are more threads than signals (this path gives each signal one thread)
/// and the chunked path applies.
pub(crate) fn plan<T: Float>(b: &Coefs<'_, T>, a: &Coefs<'_, T>, dims: Dims, par: Par) -> bool {
    applies(b, a, dims)
        && match par.path() {
            Path::Rows => true,
            Path::Auto => {
                dims.batch * 4 <= T::LANES
                    && dims.len >= AUTO_MIN_LEN
                    && (par.workers(usize::MAX) <= dims.batch || crate::chunked::plan::<T>(dims, par).is_none())
            }
            Path::Sequential | Path::Chunked => false,
        }
}

/// Scratch per worker of the adjoint for `λ`: one chunk and the two samples after it.
const LAM: usize = CH + 8;

#[inline(always)]
fn v8<T: Float>(s: &[T]) -> &V8<T> {
    s[..8].try_into().unwrap_or_else(|_| unreachable!("callers pass at least 8 values"))
}

/// `c0·s0 + c1·s1`.
#[inline(always)]
fn pair<T: Float>(c0: &V8<T>, s0: T, c1: &V8<T>, s1: T) -> V8<T> {
    std::array::from_fn(|i| c0[i] * s0 + c1[i] * s1)
}

#[inline(always)]
fn add<T: Float>(p: V8<T>, q: V8<T>) -> V8<T> {
    std::array::from_fn(|i| p[i] + q[i])
}

/// `Σ_{j<8} c[j]·v[j]` as a tree of pairs, so the terms do not wait on each other.
#[inline(always)]
fn toeplitz<T: Float>(c: &[V8<T>], v: &V8<T>) -> V8<T> {
    let p = |j: usize| pair(&c[j], v[j], &c[j + 1], v[j + 1]);
    add(add(p(0), p(2)), add(p(4), p(6)))
}

/// End of the blocks: they cover `2 .. e` and leave a tail of 2–9 samples (`n ≥ MIN_LEN`).
fn blocks_end(n: usize) -> usize {
    2 + 8 * ((n - 4) / 8)
}

/// One signal forward from `zi`; returns scipy's `zf` (padded to two values).
#[inline(always)]
fn fwd_row<T: Float>(c: &Cols<T>, x: &[T], y: &mut [T], zi: [T; 2]) -> [T; 2] {
    let n = x.len();
    let ([b0, b1, b2], [a1, a2]) = (c.b, c.a);
    // Head: scipy's transposed direct form II, where zi enters.
    let [mut z0, mut z1] = zi;
    for t in 0..2 {
        let v = b0 * x[t] + z0;
        z0 = b1 * x[t] - a1 * v + z1;
        z1 = b2 * x[t] - a2 * v;
        y[t] = v;
    }
    let e = blocks_end(n);
    // The history (y[t0−1], y[t0−1] − y[t0−2]) is carried as two scalars with their own recurrence (the first
    // with the operations of the block's last lane, so it equals the stored output): the loop-carried chain is
    // then a multiply and two adds, not a lane extraction, a subtraction, a broadcast and those.
    let (mut y1, mut dy) = (y[1], y[1] - y[0]);
    for t0 in (2..e).step_by(8) {
        let p = add(toeplitz(&c.h, v8(&x[t0..])), pair(&c.h[8], x[t0 - 1], &c.h[9], x[t0 - 2]));
        let out = add(p, pair(&c.q[0], y1, &c.q[1], dy));
        y[t0..t0 + 8].copy_from_slice(&out);
        (y1, dy) = (p[7] + (c.q[0][7] * y1 + c.q[1][7] * dy), (p[7] - p[6]) + (c.qd[0] * y1 + c.qd[1] * dy));
    }
    for t in e..n {
        y[t] = b0 * x[t] + b1 * x[t - 1] + b2 * x[t - 2] - a1 * y[t - 1] - a2 * y[t - 2];
    }
    [b1 * x[n - 1] - a1 * y[n - 1] + (b2 * x[n - 2] - a2 * y[n - 2]), b2 * x[n - 1] - a2 * y[n - 1]]
}

/// The pass along the rows over `t0 .. t0 + len` with `λ[t0 + i] = lam[i]` (`len = lam.len() − 2`): `∂L/∂x` into `gx`
/// (when wanted) and the five correlations `Σ λ[t]·(x[t], x[t−1], x[t−2], y[t−1], y[t−2])` into `acc`.
#[inline(always)]
fn rows_pass<T: Float>(c: &Cols<T>, lam: &[T], x: &[T], y: &[T], t0: usize, gx: Option<&mut [T]>, acc: &mut [V8<T>; 5]) {
    let ([b0, b1, b2], len) = (c.b, lam.len() - 2);
    let mut gx = gx;
    let one = |t: usize, i: usize, acc: &mut [V8<T>; 5]| {
        let l = lam[i];
        let vals = [
            Some(x[t]),
            t.checked_sub(1).map(|u| x[u]),
            t.checked_sub(2).map(|u| x[u]),
            t.checked_sub(1).map(|u| y[u]),
            t.checked_sub(2).map(|u| y[u]),
        ];
        for (a, v) in acc.iter_mut().zip(vals) {
            if let Some(v) = v {
                a[0] = a[0] + l * v;
            }
        }
        b0 * lam[i] + b1 * lam[i + 1] + b2 * lam[i + 2]
    };
    // Samples before t = 2 reach before the signal's start.
    let head = (2usize.saturating_sub(t0)).min(len);
    for i in 0..head {
        let g = one(t0 + i, i, acc);
        if let Some(gx) = gx.as_deref_mut() {
            gx[t0 + i] = g;
        }
    }
    // The sums in locals for the loop: through `acc` they went to the stack and back every block.
    let mut sums = *acc;
    let mut i = head;
    while i + 8 <= len {
        let t = t0 + i;
        let (l0, l1, l2) = (v8(&lam[i..]), v8(&lam[i + 1..]), v8(&lam[i + 2..]));
        if let Some(gx) = gx.as_deref_mut() {
            let o: V8<T> = std::array::from_fn(|k| b0 * l0[k] + b1 * l1[k] + b2 * l2[k]);
            gx[t..t + 8].copy_from_slice(&o);
        }
        let rows = [v8(&x[t..]), v8(&x[t - 1..]), v8(&x[t - 2..]), v8(&y[t - 1..]), v8(&y[t - 2..])];
        for (a, r) in sums.iter_mut().zip(rows) {
            *a = std::array::from_fn(|k| a[k] + l0[k] * r[k]);
        }
        i += 8;
    }
    *acc = sums;
    for i in i..len {
        let g = one(t0 + i, i, acc);
        if let Some(gx) = gx.as_deref_mut() {
            gx[t0 + i] = g;
        }
    }
}

/// One signal's adjoint: `∂L/∂x` into `gx` (when wanted); returns the normalised coefficient gradients
/// (`b̃_0..b̃_2, ã_1, ã_2`) and `∂L/∂zi` (padded to two values). `lam`: [`LAM`] values.
#[inline(always)]
fn adj_row<T: Float>(c: &Cols<T>, x: &[T], y: &[T], gy: &[T], gzf: [T; 2], mut gx: Option<&mut [T]>, lam: &mut [T]) -> ([T; 5], [T; 2]) {
    let n = x.len();
    let ([b1, b2], [a1, a2], [g0, g1]) = ([c.b[1], c.b[2]], c.a, gzf);
    let e = blocks_end(n);
    let mut acc = [[T::zero(); 8]; 5];
    // Tail, one step at a time: ∂L/∂zf joins ∂L/∂y[T−1] and ∂L/∂y[T−2] through zf's y terms.
    let tl = n - e;
    lam[tl..tl + 2].fill(T::zero());
    for i in (0..tl).rev() {
        let t = e + i;
        let mut s = gy[t];
        if t == n - 1 {
            s = s - (a1 * g0 + a2 * g1);
        } else if t == n - 2 {
            s = s - a2 * g0;
        }
        lam[i] = s - a1 * lam[i + 1] - a2 * lam[i + 2];
    }
    rows_pass(c, &lam[..tl + 2], x, y, e, gx.as_deref_mut(), &mut acc);
    // Blocks, chunk by chunk from the end; (λ[c1], λ[c1+1]) carried between chunks.
    let mut carry = [lam[0], lam[1]];
    let mut c1 = e;
    while c1 > 2 {
        let c0 = c1.saturating_sub(CH).max(2);
        let len = c1 - c0;
        (lam[len], lam[len + 1]) = (carry[0], carry[1]);
        // (λ[t0+8], λ[t0+8] − λ[t0+9]) carried as scalars, as the forward's history.
        let (mut l8, mut dl) = (carry[0], carry[0] - carry[1]);
        for i0 in (0..len).step_by(8).rev() {
            let p = toeplitz(&c.g, v8(&gy[c0 + i0..]));
            let out = add(p, pair(&c.d[0], l8, &c.d[1], dl));
            lam[i0..i0 + 8].copy_from_slice(&out);
            (l8, dl) = (p[0] + (c.d[0][0] * l8 + c.d[1][0] * dl), (p[0] - p[1]) + (c.dd[0] * l8 + c.dd[1] * dl));
        }
        rows_pass(c, &lam[..len + 2], x, y, c0, gx.as_deref_mut(), &mut acc);
        carry = [lam[0], lam[1]];
        c1 = c0;
    }
    // Head: samples 1 and 0.
    (lam[2], lam[3]) = (carry[0], carry[1]);
    for i in (0..2).rev() {
        lam[i] = gy[i] - a1 * lam[i + 1] - a2 * lam[i + 2];
    }
    rows_pass(c, &lam[..4], x, y, 0, gx.as_deref_mut(), &mut acc);
    // zf's direct terms.
    if let Some(gx) = gx {
        gx[n - 1] = gx[n - 1] + (b1 * g0 + b2 * g1);
        gx[n - 2] = gx[n - 2] + b2 * g0;
    }
    let s = acc.map(|a| {
        let h: [T; 4] = std::array::from_fn(|k| a[k] + a[k + 4]);
        (h[0] + h[1]) + (h[2] + h[3])
    });
    let gb = [s[0], s[1] + g0 * x[n - 1], s[2] + (g0 * x[n - 2] + g1 * x[n - 1])];
    let ga = [-(s[3] + g0 * y[n - 1]), -(s[4] + (g0 * y[n - 2] + g1 * y[n - 1]))];
    ([gb[0], gb[1], gb[2], ga[0], ga[1]], [lam[0], lam[1]])
}

/// What every worker of one call reads: the coefficients, the rows, the state or its gradient (`zi` for the
/// forward, `∂L/∂zf` for the adjoint; `m` values per signal).
struct Io<'a, T> {
    b: Coefs<'a, T>,
    a: Coefs<'a, T>,
    x: &'a [T],
    y: &'a [T],
    gy: &'a [T],
    state: Option<&'a [T]>,
    n: usize,
    m: usize,
    simd: Simd,
}

impl<T: Float> Io<'_, T> {
    /// Signal `s`'s state values, zero-padded to two.
    fn state(&self, s: usize) -> [T; 2] {
        let m = self.m;
        self.state.map_or([T::zero(); 2], |z| std::array::from_fn(|j| if j < m { z[s * m + j] } else { T::zero() }))
    }

    /// Signal `s`'s normalised coefficients and columns.
    fn cols(&self, s: usize) -> Cols<T> {
        Cols::new(self.b.set(s, 0, self.n), self.a.set(s, 0, self.n))
    }

    /// Whether signal `s` after the first of a worker's range needs columns of its own.
    fn new_set(&self, s: usize, br: &Range<usize>) -> bool {
        s > br.start && (self.b.layout != Layout::Shared || self.a.layout != Layout::Shared)
    }
}

/// Forward of every signal, `m` state values per signal in `zi`/`zf`; [`drive`] gives each worker whole
/// signals (one lane per chunk).
#[allow(clippy::too_many_arguments)]
pub(crate) fn fwd<T: Float>(
    b: &Coefs<'_, T>,
    a: &Coefs<'_, T>,
    x: &[T],
    dims: Dims,
    zi: Option<&[T]>,
    y: &mut [T],
    zf: Option<&mut [T]>,
    m: usize,
    par: Par,
) {
    let io = Io { b: *b, a: *a, x, y: &[], gy: &[], state: zi, n: dims.len, m, simd: par.simd() };
    let outs = [Out::new(Some(y), dims.len), Out::new(zf, m)];
    drive(par, dims.batch, 1, outs, &mut [], 0, true, &|br, o, _| {
        let [yo, zfo] = o;
        let n = io.n;
        let mut c = io.cols(br.start);
        for s in br.clone() {
            if io.new_set(s, &br) {
                c = io.cols(s);
            }
            let l = s - br.start;
            let (xr, z) = (&io.x[s * n..][..n], io.state(s));
            let yr = &mut yo.data.as_deref_mut().unwrap_or_default()[l * n..][..n];
            let f = crate::simd::dispatch::<8, 2, _>(
                io.simd,
                #[inline(always)]
                || fwd_row(&c, xr, yr, z),
            );
            if let Some(zf) = zfo.data.as_deref_mut() {
                zf[l * m..][..m].copy_from_slice(&f[..m]);
            }
        }
    });
}

/// Scratch (in `T`s) of one adjoint worker: [`LAM`] and the partial sums of shared coefficient gradients.
fn adj_per<T>(b: &Coefs<'_, T>, a: &Coefs<'_, T>) -> usize {
    LAM + partial_len((b.layout, b.k)) + partial_len((a.layout, a.k))
}

/// Scratch (in `T`s) of the adjoint: [`adj_per`] for each worker.
pub(crate) fn adj_scratch<T>(b: &Coefs<'_, T>, a: &Coefs<'_, T>, dims: Dims, par: Par) -> usize {
    par.workers(dims.batch) * adj_per(b, a)
}

/// Adjoint of every signal, [`drive`] giving each worker whole signals; coefficient gradients are added into
/// `gb`/`ga` (the caller zeroes them) through [`Sink`]s, shared ones via per-worker partial sums.
#[allow(clippy::too_many_arguments)]
pub(crate) fn adj<T: Float>(
    b: &Coefs<'_, T>,
    a: &Coefs<'_, T>,
    x: &[T],
    y: &[T],
    dims: Dims,
    gy: &[T],
    gzf: Option<&[T]>,
    out: LfilterGradsMut<'_, T>,
    m: usize,
    scratch: &mut [T],
    par: Par,
) {
    let io = Io { b: *b, a: *a, x, y, gy, state: gzf, n: dims.len, m, simd: par.simd() };
    let (cdesc, want) = ([(b.layout, b.k), (a.layout, a.k)], [out.b.is_some(), out.a.is_some()]);
    let (mut gb, mut ga) = (out.b, out.a);
    let outs = [Out::new(out.x, dims.len), Out::new(out.zi, m), coef_out(gb.as_deref_mut(), b, dims), coef_out(ga.as_deref_mut(), a, dims)];
    let per = adj_per(b, a);
    drive(par, dims.batch, 1, outs, scratch, per, split_free(&cdesc, &want), &|br, o, s| {
        let [gxo, gzio, c0, c1] = o;
        let n = io.n;
        let (lam, partial) = s.split_at_mut(LAM);
        let (p0, p1) = partial.split_at_mut(partial_len(cdesc[0]));
        p0.fill(T::zero());
        p1.fill(T::zero());
        let mut sinks = [sink(c0, p0, want[0], cdesc[0], br.start, n), sink(c1, p1, want[1], cdesc[1], br.start, n)];
        let mut c = io.cols(br.start);
        for s in br.clone() {
            if io.new_set(s, &br) {
                c = io.cols(s);
            }
            let l = s - br.start;
            let (xr, yr, gyr, g) = (&io.x[s * n..][..n], &io.y[s * n..][..n], &io.gy[s * n..][..n], io.state(s));
            let gxr = gxo.data.as_deref_mut().map(|v| &mut v[l * n..][..n]);
            let (gc, gz) = crate::simd::dispatch::<8, 2, _>(
                io.simd,
                #[inline(always)]
                || adj_row(&c, xr, yr, gyr, g, gxr, lam),
            );
            if let Some(d) = gzio.data.as_deref_mut() {
                d[l * m..][..m].copy_from_slice(&gz[..m]);
            }
            let p = c.packed();
            let [sb, sa] = &mut sinks;
            unnormalise(
                c.a0,
                io.b.k,
                io.a.k,
                2,
                |j| p[j],
                |j| gc[j],
                |is_a, i, v| if is_a { sa.add(s, 0, i, v) } else { sb.add(s, 0, i, v) },
            );
        }
    });
    let workers = par.workers(dims.batch);
    reduce_partials(gb, b, scratch, per, workers, LAM);
    reduce_partials(ga, a, scratch, per, workers, LAM + partial_len(cdesc[0]));
}
