//! Transposed direct form II, as a cascade of `S` sections of order `M`: the one kernel behind
//! [`lfilter`](crate::lfilter()) (`S = 1`) and [`sosfilt`](crate::sosfilt()) (`M = 2`), forward and fused adjoint.
//!
//! # Forward (one section; coefficients normalised by `a_0[n]`, padded with zeros to `M`)
//! ```text
//! y[n]       = s_1[n] + b_0[n] x[n]
//! s_i[n+1]   = s_{i+1}[n] + b_i[n] x[n] − a_i[n] y[n]      i = 1..M,  s_{M+1} ≡ 0
//! zi = s[0],  zf = s[T]                                     (scipy's layout)
//! ```
//! A cascade feeds section `s`'s output to section `s+1` within the same time step, so the data is read
//! once. The adjoint needs every section's input; the forward records the *tape* — the state of sections
//! `0..S−1` before each `SB`-th sample (a checkpoint, `(S−1)·M` lane rows) — and the adjoint recomputes each
//! `SB`-step sub-block's section outputs from its checkpoint with the forward's own step (bit-identical
//! values). Storing the outputs themselves instead cost `(S−1)` signal-sized arrays written and read back
//! (W2: 21.5 MB), more than the recomputation.
//!
//! # Adjoint (per section, `ĝ` = total gradient of the section output)
//! ```text
//! ĝ[n] = g[n] − Σ_{i=1..M} a_i[n] ĝ[n+i],   seeded ĝ[T−1+i] = ∂L/∂zf_i      (a at the *current* time)
//! ∂L/∂x[n]   = Σ_{i=0..M} b_i[n] ĝ[n+i]      (the `g` of the previous section)
//! ∂L/∂b_i[n] = ĝ[n+i] x[n],    ∂L/∂a_i[n] = −ĝ[n+i] y[n],    ∂L/∂zi_i = ĝ[i−1]
//! ```
//! The adjoint keeps `(ĝ[n+1], …, ĝ[n+M])` per section as its running state, exactly mirroring the forward.
//! Gradients of the normalised coefficients are mapped back through `a_0` by [`Pack::unpack`].

use crate::dots::row_dots;
use crate::float::Float;
use crate::lanes::{
    checkpoints, fwd_ahead, fwd_block, gather, next_back, partial_len, scatter, sink, take, tape_get, tape_put, Ahead, Out, SB, TB, V,
};
use crate::shape::{Dims, Layout};
use crate::simd::{dispatch, Simd};
use std::ops::Range;

mod grads;
mod pack;
mod step;
mod tile;
use grads::{coef_grads, gx_row, row_path};
use pack::{load_state, pack_block, pack_chunk, raw_rows, sets_ahead, store_state, unpack_block};
pub(crate) use pack::{tape_rows, width, Pack, SampleRows};
use step::{cascade, cascade2, cascade2_adj, cascade_adj, step, step_adj};

/// The forward block length for filtering `dims` with `p` ([`fwd_block`]).
pub(crate) fn fwd_tf<T: Float>(p: &impl Pack<T>, dims: Dims) -> usize {
    fwd_block::<T>(dims.numel(), p.time_varying())
}

/// Scratch per worker (in `T`s) of [`fwd`] with `tf`-step blocks.
pub(crate) fn fwd_scratch<T: Float>(p: &impl Pack<T>, tf: usize) -> usize {
    let c = if p.time_varying() { tf * (width(p) + p.sections()) + raw_rows(p) } else { width(p) };
    T::LANES * (2 * tf + c + p.sections() * p.order())
}

/// Scratch per worker (in `T`s) of [`adj`]; the last `partial` elements take shared-gradient partial sums.
pub(crate) fn adj_scratch<T: Float>(p: &impl Pack<T>, partial: usize) -> usize {
    let w = width(p);
    let (c, g) = if p.time_varying() { (TB * (w + p.sections()) + raw_rows(p), TB * w) } else { (w, w) };
    let (s, m) = (p.sections(), p.order());
    let rows = if row_path::<T>(s, m, p.time_varying()) { TB + m } else { 0 };
    T::LANES * (3 * TB + c + g + (2 * s - 1) * m + s * (TB + m) + (s - 1) * SB + rows) + partial
}

/// Order classes the kernels are compiled for; a filter's order is zero-padded up to its class (the padded
/// state stays exactly zero, so results are those of the unpadded filter).
pub(crate) const MAX_ORDER: usize = 64;

/// The class of order `m` (≥ 1), or `None` beyond [`MAX_ORDER`].
pub(crate) fn order_class(m: usize) -> Option<usize> {
    match m {
        0..=2 => Some(m.max(1)),
        3..=4 => Some(4),
        5..=8 => Some(8),
        9..=16 => Some(16),
        17..=32 => Some(32),
        33..=MAX_ORDER => Some(MAX_ORDER),
        _ => None,
    }
}

/// Calls `$f::<T, P, L, M>($args)` with the const order `M` = `$m` (an order class), compiled for the
/// instruction-set level `$simd` ([`dispatch`]; `$f` must be `#[inline(always)]`). Classes above
/// [`Pack::ORDER_MAX`] are never compiled.
macro_rules! with_order {
    ($m:expr, $simd:expr, $f:ident::<$T:ty, $P:ty, $L:ident>($($arg:expr),*)) => {
        with_order!(@arms $m, $simd, $f, $T, $P, $L, ($($arg),*), [1, 2, 4, 8, 16, 32])
    };
    (@arms $m:expr, $simd:expr, $f:ident, $T:ty, $P:ty, $L:ident, $args:tt, [$($c:expr),*]) => {{
        let m = $m;
        $(
            if m <= $c {
                return with_order!(@class $simd, $f, $T, $P, $L, $c, $args);
            }
        )*
        with_order!(@class $simd, $f, $T, $P, $L, MAX_ORDER, $args)
    }};
    (@class $simd:expr, $f:ident, $T:ty, $P:ty, $L:ident, $c:expr, $args:tt) => {
        if const { $c <= <$P as Pack<$T>>::ORDER_MAX } {
            dispatch::<$L, { $c }, _>($simd, #[inline(always)] || with_order!(@call $f, $T, $P, $L, $c, $args))
        } else {
            // `p.order()` never exceeds `ORDER_MAX` (a packer's invariant, not user input).
            unreachable!("order class {} above Pack::ORDER_MAX", $c)
        }
    };
    (@call $f:ident, $T:ty, $P:ty, $L:ident, $c:expr, ($($arg:expr),*)) => {
        $f::<$T, $P, $L, { $c }>($($arg),*)
    };
}

/// One prefetch step of the adjoint's next block (a function, not a closure: the closure stopped being inlined
/// into the recursion once the row path made the kernel larger).
#[inline(always)]
fn fetch<T: Float>(ahead: &[Ahead<'_, T>; 3], agx: &Ahead<'_, T>, t: usize) {
    ahead.iter().for_each(|a| a.line(t));
    agx.line(t);
}

/// Forward of the chunks of signals `br` over samples `span` of each (the whole `0..len` except in the
/// chunked path's first pass) in `tf`-step blocks ([`fwd_scratch`] of the same `tf` per worker). `outs = [y,
/// zf, tape]` (worker rows); `x = None` is a zero input (the free response from `zi`, which the chunked path
/// uses to find state transitions).
#[allow(clippy::too_many_arguments)]
pub(crate) fn fwd<T: Float, P: Pack<T>, const L: usize>(
    p: &P,
    x: Option<&[T]>,
    dims: Dims,
    zi: Option<&[T]>,
    br: Range<usize>,
    outs: &mut [Out<'_, T>; 3],
    s: &mut [T],
    span: (Range<usize>, usize),
    simd: Simd,
) {
    with_order!(p.order(), simd, fwd_m::<T, P, L>(p, x, dims, zi, br, outs, s, span, simd))
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn fwd_m<T: Float, P: Pack<T>, const L: usize, const M: usize>(
    p: &P,
    x: Option<&[T]>,
    dims: Dims,
    zi: Option<&[T]>,
    br: Range<usize>,
    outs: &mut [Out<'_, T>; 3],
    s: &mut [T],
    (span, tf): (Range<usize>, usize),
    simd: Simd,
) {
    let (ns, ms, tv, w, tlen) = (p.sections(), p.state_len(), p.time_varying(), width(p), dims.len);
    let (xs, s) = take::<T, L>(s, tf);
    let (ys, s) = take::<T, L>(s, tf);
    let (cs, s) = take::<T, L>(s, if tv { tf * w } else { w });
    let (den, s) = take::<T, L>(s, if tv { tf * ns } else { 0 });
    let (raw, s) = take::<T, L>(s, if tv { raw_rows(p) } else { 0 });
    let (st, _) = take::<T, L>(s, ns * M);
    let [yo, zfo, tapeo] = outs;
    let g = crate::lanes::tape_group::<T>(dims.batch);
    // The tape: the state of sections 0..S−1 before each SB-th sample (absolute sample indices: a span that
    // records it starts at 0), `rows` values per checkpoint.
    let rows = (ns - 1) * M;
    let per_group = checkpoints(tlen) * rows;
    debug_assert!(tapeo.data.is_none() || span.start == 0);
    let srows = if tv { p.sample_rows() } else { None };
    for b0 in br.clone().step_by(L) {
        let nl = L.min(br.end - b0);
        load_state(st, zi, b0, nl, ns, M, ms);
        if !tv {
            pack_chunk(p, b0, nl, 0, cs);
        }
        let mut tape = tapeo.data.as_deref_mut().map(|d| &mut d[(b0 - br.start) * per_group..][..L * per_group]);
        let st: &mut [[V<T, L>; M]] = st.as_chunks_mut::<M>().0;
        // One time-invariant section of order 2 in f32 runs in tiles ([`tile`]) up to the last multiple of 8 samples.
        let whole = ns == 1 && M == 2 && !tv && span == (0..tlen);
        let done = if let (true, Some(x)) = (whole, x) {
            tile::fwd2(x, tlen, b0, nl, yo.data.as_deref_mut(), b0 - br.start, cs, &mut st[0], simd)
        } else {
            0
        };
        for t0 in (span.start + done..span.end).step_by(tf) {
            let len = tf.min(span.end - t0);
            match x {
                Some(x) => gather(x, tlen, b0, nl, t0, &mut xs[..len]),
                None => xs[..len].fill([T::zero(); L]),
            }
            if tv {
                pack_block(p, (b0, nl, t0, len), w, cs, den, raw);
            }
            // The next block is fetched during this block's recursion ([`Ahead`]).
            let (nb, nnl, nt, nlen) = fwd_ahead::<T, L>(b0, t0, &span, &br, tf);
            let ax = Ahead::new(x, tlen, nb, nnl, nt, nlen);
            let ay = Ahead::new(yo.data.as_deref(), tlen, nb - br.start, nnl, nt, nlen);
            let ac = sets_ahead(srows.as_ref(), (nb, nnl, nt, nlen), tf);
            if ns == 1 {
                // One section (lfilter, a lone biquad): the state lives in registers for the block.
                let mut loc = st[0];
                if tv {
                    for t in 0..len {
                        ax.line(t);
                        ay.line(t);
                        ac.iter().for_each(|(a, per)| a.lines(t, *per));
                        ys[t] = step(&mut loc, &cs[t * w..][..w], &xs[t]);
                    }
                } else {
                    // Apart from the time-varying loop, so this one carries no per-step branch on it.
                    let c = &cs[..w];
                    for (t, (y, x)) in ys[..len].iter_mut().zip(&xs[..len]).enumerate() {
                        ax.line(t);
                        ay.line(t);
                        *y = step(&mut loc, c, x);
                    }
                }
                st[0] = loc;
            } else {
                let mut t = 0;
                while t < len {
                    ax.line(t);
                    ay.line(t);
                    if tv {
                        ac.iter().for_each(|(a, per)| a.lines(t, *per));
                    }
                    if let (Some(tp), 0) = (tape.as_deref_mut(), (t0 + t) % SB) {
                        let k = (t0 + t) / SB * rows;
                        for (r, v) in st[..ns - 1].as_flattened().iter().enumerate() {
                            tape_put(tp, g, per_group, k + r, v);
                        }
                    }
                    if !tv && t + 1 < len && (t0 + t + 1) % SB != 0 {
                        // Two steps per section visit (no checkpoint between them).
                        ax.line(t + 1);
                        ay.line(t + 1);
                        [ys[t], ys[t + 1]] = cascade2(st, &cs[..w], [xs[t], xs[t + 1]], |_, _| {});
                        t += 2;
                    } else {
                        let c = if tv { &cs[t * w..][..w] } else { &cs[..w] };
                        ys[t] = cascade(st, c, xs[t], |_, _| {});
                        t += 1;
                    }
                }
            }
            if let Some(yd) = yo.data.as_deref_mut() {
                scatter(&ys[..len], yd, tlen, b0 - br.start, nl, t0);
            }
        }
        if let Some(zf) = zfo.data.as_deref_mut() {
            store_state(st.as_flattened(), zf, b0 - br.start, nl, ns, M, ms);
        }
    }
}

/// Inputs of the adjoint besides coefficients.
pub(crate) struct AdjIo<'a, T> {
    pub x: &'a [T],
    pub y: &'a [T],
    pub tape: &'a [T],
    /// `None`: zero (the adjoint's free response from `gzf`, for the chunked path).
    pub gy: Option<&'a [T]>,
    pub gzf: Option<&'a [T]>,
    pub want: [bool; 2],
}

/// Adjoint of the chunks of signals `br` over samples `span` of each (see [`fwd`]). `outs = [gx, gzi, gcoef0, gcoef1]` (worker rows); `cdesc` gives
/// the layout and set size of the two coefficient arrays whose gradients the sinks receive.
#[allow(clippy::too_many_arguments)]
pub(crate) fn adj<T: Float, P: Pack<T>, const L: usize>(
    p: &P,
    io: &AdjIo<'_, T>,
    dims: Dims,
    br: Range<usize>,
    outs: &mut [Out<'_, T>; 4],
    s: &mut [T],
    cdesc: [(Layout, usize); 2],
    span: Range<usize>,
    simd: Simd,
) {
    with_order!(p.order(), simd, adj_m::<T, P, L>(p, io, dims, br, outs, s, cdesc, span, simd))
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn adj_m<T: Float, P: Pack<T>, const L: usize, const M: usize>(
    p: &P,
    io: &AdjIo<'_, T>,
    dims: Dims,
    br: Range<usize>,
    outs: &mut [Out<'_, T>; 4],
    s: &mut [T],
    cdesc: [(Layout, usize); 2],
    span: Range<usize>,
    simd: Simd,
) {
    let (ns, ms, tv, w, tlen) = (p.sections(), p.state_len(), p.time_varying(), width(p), dims.len);
    let pw = 2 * M + 1;
    let want_c = io.want[0] || io.want[1];
    // Partial sums sit at the end of the worker's scratch, where the caller reduces them (for any L).
    let plen = partial_len(cdesc[0]) + partial_len(cdesc[1]);
    let (s, partial) = s.split_at_mut(s.len() - plen);
    let (xs, s) = take::<T, L>(s, TB);
    let (ys, s) = take::<T, L>(s, TB);
    let (gs, s) = take::<T, L>(s, TB);
    let (cs, s) = take::<T, L>(s, if tv { TB * w } else { w });
    let (den, s) = take::<T, L>(s, if tv { TB * ns } else { 0 });
    let (raw, s) = take::<T, L>(s, if tv { raw_rows(p) } else { 0 });
    let (gc, s) = take::<T, L>(s, if tv { TB * w } else { w });
    let (h, s) = take::<T, L>(s, ns * M);
    let (ghs, s) = take::<T, L>(s, ns * (TB + M));
    let rows = (ns - 1) * M;
    let (sio, s) = take::<T, L>(s, (ns - 1) * SB);
    let (rs, s) = take::<T, L>(s, rows);
    let rs: &mut [[V<T, L>; M]] = rs.as_chunks_mut::<M>().0;
    // ĝ as rows (stride TB + M) for the row path's reductions, and for the tile loop's ∂L/∂x.
    let row_ok = row_path::<T>(ns, M, tv);
    let by_rows = want_c && row_ok;
    let (gr, _) = take::<T, L>(s, if row_ok { TB + M } else { 0 });
    let gr = gr.as_flattened_mut();
    let [gxo, gzio, c0, c1] = outs;
    let g = crate::lanes::tape_group::<T>(dims.batch);
    let per_group = checkpoints(tlen) * rows;
    let (p0, p1) = partial.split_at_mut(partial_len(cdesc[0]));
    p0.fill(T::zero());
    p1.fill(T::zero());
    let mut sinks = [sink(c0, p0, io.want[0], cdesc[0], br.start, tlen), sink(c1, p1, io.want[1], cdesc[1], br.start, tlen)];
    for b0 in br.clone().step_by(L) {
        let nl = L.min(br.end - b0);
        load_state(h, io.gzf, b0, nl, ns, M, ms);
        if !tv {
            pack_chunk(p, b0, nl, 0, cs);
            gc.fill([T::zero(); L]);
        }
        let tape: &[T] = if ns > 1 && want_c { &io.tape[(b0 / L) * L * per_group..][..L * per_group] } else { &[] };
        let hs: &mut [[V<T, L>; M]] = h.as_chunks_mut::<M>().0;
        for t0 in span.clone().step_by(TB).rev() {
            let len = TB.min(span.end - t0);
            // One time-invariant f32 biquad whose ĝ goes to rows runs the block in tiles ([`tile`]).
            let tiled = match io.gy.filter(|_| row_ok && ns == 1 && M == 2 && !tv) {
                Some(gy) => tile::adj2(gy, (tlen, t0, len), (b0, nl), gr, cs, &mut hs[0], simd),
                None => false,
            };
            // The next block's rows are fetched during this block's recursion.
            let (nb, nnl, nt, nlen) = next_back::<L>(b0, t0, &span, &br);
            let ahead = [io.gy, want_c.then_some(io.x), want_c.then_some(io.y)].map(|a| Ahead::new(a, tlen, nb, nnl, nt, nlen));
            let agx = Ahead::new(gxo.data.as_deref(), tlen, nb - br.start, nnl, nt, nlen);
            if !tiled {
                match io.gy {
                    Some(gy) => gather(gy, tlen, b0, nl, t0, &mut gs[..len]),
                    None => gs[..len].fill([T::zero(); L]),
                }
                if want_c && !by_rows {
                    gather(io.x, tlen, b0, nl, t0, &mut xs[..len]);
                    gather(io.y, tlen, b0, nl, t0, &mut ys[..len]);
                }
                if tv {
                    pack_block(p, (b0, nl, t0, len), w, cs, den, raw);
                }
                // Record ĝ per section; rows len..len+M take ĝ just after the block (the current state).
                for (sec, hsec) in hs.iter().enumerate() {
                    ghs[sec * (TB + M) + len..][..M].copy_from_slice(hsec);
                }
                // Sub-blocks of SB steps, latest first: the recursion, then the coefficient reductions over the
                // same steps while their rows are still in L1.
                for u0 in (0..len).step_by(SB).rev() {
                    let ue = len.min(u0 + SB);
                    if ns == 1 && !tv {
                        // One time-invariant section (lfilter, a lone biquad): the state stays in registers.
                        let mut loc = hs[0];
                        for t in (u0..ue).rev() {
                            fetch(&ahead, &agx, t);
                            (ghs[t], gs[t]) = step_adj(&mut loc, &cs[..w], &gs[t]);
                        }
                        hs[0] = loc;
                    } else {
                        let mut t = ue;
                        while t > u0 {
                            if !tv && t - u0 >= 2 {
                                // Two steps per section visit, as in the forward ([`cascade2`]).
                                fetch(&ahead, &agx, t - 1);
                                fetch(&ahead, &agx, t - 2);
                                let rec = |sec: usize, [a, b]: [V<T, L>; 2]| {
                                    ghs[sec * (TB + M) + t - 1] = a;
                                    ghs[sec * (TB + M) + t - 2] = b;
                                };
                                [gs[t - 1], gs[t - 2]] = cascade2_adj(hs, &cs[..w], [gs[t - 1], gs[t - 2]], rec);
                                t -= 2;
                                continue;
                            }
                            t -= 1;
                            fetch(&ahead, &agx, t);
                            let c = if tv { &cs[t * w..][..w] } else { &cs[..w] };
                            gs[t] = cascade_adj(hs, c, gs[t], |sec, gh| ghs[sec * (TB + M) + t] = *gh);
                        }
                    }
                    if !want_c || by_rows {
                        continue;
                    }
                    // Each section's input and output as contiguous lane rows: x and y at the ends, the outputs of
                    // the sections in between recomputed from the state the forward checkpointed at this
                    // sub-block's start (a forward pass over the sub-block instead of storing and reading back
                    // every section's output).
                    let n = ue - u0;
                    if ns > 1 {
                        debug_assert!((t0 + u0) % SB == 0, "adjoint sub-blocks start on checkpoints");
                        let k = (t0 + u0) / SB * rows;
                        for (r, v) in rs.as_flattened_mut().iter_mut().enumerate() {
                            *v = tape_get::<T, L>(tape, g, per_group, k + r);
                        }
                        let inner = &mut *rs;
                        let mut t = 0;
                        while t < n {
                            if !tv && t + 1 < n {
                                let out = |sec: usize, v: &[V<T, L>; 2]| sio[sec * SB + t..][..2].copy_from_slice(v);
                                cascade2(inner, &cs[..w], [xs[u0 + t], xs[u0 + t + 1]], out);
                                t += 2;
                            } else {
                                let c = if tv { &cs[(u0 + t) * w..][..w] } else { &cs[..w] };
                                cascade(inner, c, xs[u0 + t], |sec, v| sio[sec * SB + t] = *v);
                                t += 1;
                            }
                        }
                    }
                    for sec in (0..ns).rev() {
                        let xin = if sec == 0 { &xs[u0..ue] } else { &sio[(sec - 1) * SB..][..n] };
                        let yout = if sec + 1 == ns { &ys[u0..ue] } else { &sio[sec * SB..][..n] };
                        let gsec = if tv { &mut gc[u0 * w + sec * pw..] } else { &mut gc[sec * pw..][..pw] };
                        coef_grads::<T, L, M>(&ghs[sec * (TB + M) + u0..], xin, yout, gsec, tv.then_some(w));
                    }
                }
                if let Some(gx) = gxo.data.as_deref_mut() {
                    scatter(&gs[..len], gx, tlen, b0 - br.start, nl, t0);
                }
            }
            if by_rows || tiled {
                // One transposition of ĝ (into L1/L2) instead of two of x and y; the products are element-wise
                // in (signal, sample), so each signal's sums run along its rows.
                if !tiled {
                    scatter(&ghs[..len + M], gr, TB + M, 0, nl, 0);
                }
                for l in 0..nl {
                    let g = &gr[l * (TB + M)..][..len + M];
                    if let (true, Some(gx)) = (tiled, gxo.data.as_deref_mut()) {
                        gx_row(g, [0, 1, 2].map(|k| cs[k][l]), &mut gx[(b0 - br.start + l) * tlen + t0..][..len]);
                    }
                    if by_rows {
                        let (r, mut o) = ((b0 + l) * tlen + t0, [T::zero(); 5]);
                        row_dots::<T, M>(g, &io.x[r..][..len], &io.y[r..][..len], &mut o);
                        for (j, o) in o[..pw].iter().enumerate() {
                            gc[j][l] = if j <= M { gc[j][l] + *o } else { gc[j][l] - *o };
                        }
                    }
                }
            }
            if want_c && tv {
                unpack_block(p, (b0, nl, t0, len), w, [cs, gc, den], raw, &mut sinks);
            }
        }
        if want_c && !tv {
            for l in 0..nl {
                p.unpack(b0 + l, 0, l, cs, gc, &mut sinks);
            }
        }
        if let Some(gzi) = gzio.data.as_deref_mut() {
            store_state(hs.as_flattened(), gzi, b0 - br.start, nl, ns, M, ms);
        }
    }
}
