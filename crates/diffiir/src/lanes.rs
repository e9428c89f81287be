//! The lane engine shared by every family: time-major lane blocks, coefficient packing, output splitting.
//!
//! Signals are stored `[B, T]` (time contiguous), but one recursion chain is latency-bound, so kernels
//! advance `L` signals ("lanes") per time step. A lane chunk's samples are gathered into a small time-major
//! block `[t][lane]` ([`fwd_block`] steps in the forward, [`TB`] in the adjoint), the recursion runs over it
//! with the inner loop over lanes (which the compiler vectorises), and results are scattered back. Chunks are
//! independent, so they are split over workers ([`drive`]); each worker owns a slice of the caller's scratch.

use crate::float::Float;
use crate::par::{join, Par};
use crate::shape::{Coefs, Dims, Layout};
use std::ops::Range;

/// Time steps per adjoint block: a block's lane rows (64 KiB per array at 16 `f32` lanes) stay in L2, each
/// gather or scatter streams 4 KiB runs of every row, and the recursion runs in [`SB`]-step sub-blocks.
pub(crate) const TB: usize = 1024;

/// Time steps per forward block below 8 MiB per array and for per-sample coefficients ([`fwd_block`]): `x`
/// and `y` rows (16 KiB per array at 16 `f32` lanes) stay in L1 between the gather, the recursion and the
/// scatter. Measured against 1024 (`cargo bench --bench workloads`, *Intel*, 1 thread, before the next-block
/// prefetch): forward W1 1.01 → 0.71–0.74 ms, W4 1.44 → 0.99, W6 5.3–6.1 → 4.3.
pub(crate) const TF: usize = 256;

/// Forward block for arrays that come from DRAM ([`fwd_block`]): the recursion waits on the prefetch of the
/// next block's lines, and 4 KiB runs per row arrive faster than 1 KiB ones. W6 forward 4.5–5.3 → 3.6–4.5 ms
/// (workloads bench, four alternated rounds; W5's chunked forward unchanged).
pub(crate) const TF_DRAM: usize = 1024;

/// The forward block length for arrays of `elems` `T`s: [`TF_DRAM`] from 8 MiB per array, [`TF`] below and for
/// per-sample coefficients (whose packed rows grow with the block). Biquads on `B × 1024` `f32`, four rounds:
/// 1024 steps faster at 8.4 MB and up (12.6 MB: 2.4–3.2 vs 3.1–4.1 ms), a tie at 6.3 MB, no faster at 1–4 MB
/// (W1, 3 MB: slower).
pub(crate) fn fwd_block<T>(elems: usize, time_varying: bool) -> usize {
    if !time_varying && elems.saturating_mul(size_of::<T>()) >= 8 << 20 {
        TF_DRAM
    } else {
        TF
    }
}

/// Steps per adjoint sub-block: the adjoints run their recursion over `SB` steps, then reduce the
/// coefficient gradients of those steps while their rows are still in L1 (4 KiB per array at 16 `f32` lanes).
pub(crate) const SB: usize = 64;

/// A lane vector: one value per signal of a chunk.
pub(crate) type V<T, const L: usize> = [T; L];

/// An optional output with `row` elements per signal; a worker sees the rows of its own signals only.
pub(crate) struct Out<'a, T> {
    pub data: Option<&'a mut [T]>,
    pub row: usize,
}

impl<'a, T> Out<'a, T> {
    pub fn new(data: Option<&'a mut [T]>, row: usize) -> Self {
        Self { data, row }
    }

    fn split(self, rows: usize) -> (Self, Self) {
        let row = self.row;
        match self.data {
            Some(d) => {
                let at = (rows * row).min(d.len());
                let (l, r) = d.split_at_mut(at);
                (Self { data: Some(l), row }, Self { data: Some(r), row })
            }
            None => (Self { data: None, row }, Self { data: None, row }),
        }
    }
}

/// A worker's job: its signal range, its output rows, its scratch.
pub(crate) type Leaf<'f, T, const N: usize> = dyn for<'o> Fn(Range<usize>, &mut [Out<'o, T>; N], &mut [T]) + Sync + 'f;

/// Splits signals `0..batch` into chunk-aligned ranges and runs `leaf` on each with its rows of `outs` and its
/// worker's `per_worker` slice of `scratch` (in parallel under [`Par::Rayon`]): one range per worker, or with
/// `balance` (calls whose results do not depend on the split) more pieces than workers, taken as workers
/// become free ([`pool`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn drive<T: Send, const N: usize>(
    par: Par,
    batch: usize,
    lanes: usize,
    outs: [Out<'_, T>; N],
    scratch: &mut [T],
    per_worker: usize,
    balance: bool,
    leaf: &Leaf<'_, T, N>,
) {
    let workers = par.workers(batch.div_ceil(lanes));
    if balance && workers > 1 && batch.div_ceil(lanes) > workers {
        pool::balanced(batch, workers, lanes, outs, scratch, per_worker, leaf);
    } else {
        rec(0..batch, workers, lanes, outs, scratch, per_worker, leaf);
    }
}

fn rec<T: Send, const N: usize>(
    b: Range<usize>,
    workers: usize,
    lanes: usize,
    mut outs: [Out<'_, T>; N],
    scratch: &mut [T],
    per_worker: usize,
    leaf: &Leaf<'_, T, N>,
) {
    let chunks = b.len().div_ceil(lanes);
    if workers <= 1 || chunks <= 1 {
        leaf(b, &mut outs, &mut scratch[..per_worker]);
        return;
    }
    let wl = workers / 2;
    let mid = (b.start + (chunks * wl / workers).max(1) * lanes).min(b.end);
    let (left, right) = split_outs(outs, mid - b.start);
    let (s1, s2) = scratch.split_at_mut(wl * per_worker);
    join(|| rec(b.start..mid, wl, lanes, left, s1, per_worker, leaf), || rec(mid..b.end, workers - wl, lanes, right, s2, per_worker, leaf));
}

/// Splits every output array after its first `rows` signals. The right part keeps any padding past the last
/// signal (a tape is padded to whole lane chunks), so the piece holding the last signal must be a right part.
fn split_outs<'o, T, const N: usize>(outs: [Out<'o, T>; N], rows: usize) -> ([Out<'o, T>; N], [Out<'o, T>; N]) {
    let mut left: [Out<'o, T>; N] = std::array::from_fn(|_| Out::new(None, 0));
    let mut right: [Out<'o, T>; N] = std::array::from_fn(|_| Out::new(None, 0));
    for (i, o) in outs.into_iter().enumerate() {
        (left[i], right[i]) = o.split(rows);
    }
    (left, right)
}

/// Views a scratch slice as lane vectors, taking the first `rows` of them; returns them and the rest.
pub(crate) fn take<T, const L: usize>(s: &mut [T], rows: usize) -> (&mut [V<T, L>], &mut [T]) {
    let (head, rest) = s.split_at_mut(rows * L);
    (head.as_chunks_mut::<L>().0, rest)
}

/// `dst[t][l] = src[(b0 + l)·tlen + t0 + t]` for the chunk's `nl` signals; unused lanes get zero.
///
/// By register tiles, a few rows at a time, in spans that keep the block's lane rows in L1
/// ([`Tile`](crate::transpose::Tile)).
/// Blocks are visited in the caller's order (backwards in the adjoint); within a block the direction does not
/// matter to the prefetcher.
#[inline(always)]
pub(crate) fn gather<T: Float, const L: usize>(src: &[T], tlen: usize, b0: usize, nl: usize, t0: usize, dst: &mut [V<T, L>]) {
    let len = dst.len();
    let rows: [&[T]; L] = std::array::from_fn(|j| if j < nl { &src[(b0 + j) * tlen + t0..][..len] } else { &[] });
    T::rows_to_lanes(&rows[..nl], dst);
    if nl < L {
        dst.iter_mut().for_each(|d| d[nl..].fill(T::zero()));
    }
}

/// The block of `[B, tlen]` rows a lane kernel reads or writes next (rows `b0..b0 + nl`, samples
/// `t0..t0 + len`), prefetched one cache line per [`line`](Ahead::line) call from inside the current block's
/// recursion. The recursion is latency-bound and leaves the load ports idle, while the gathers and scatters
/// between recursions wait on memory (the hardware prefetcher does not run ahead into the next block):
/// fetching it during the recursion overlaps the two. Used by the `tdf2` and `allpole` adjoints (`∂L/∂y`, `x`,
/// `y`, `∂L/∂x`, per-sample coefficients; the block from [`next_back`]) and by their forwards (`x`, `y` — whose
/// lines the scatter would otherwise read for ownership — and per-sample all-pole coefficients; the block from
/// [`next_fwd`]); see BENCHMARKS.md for the figures.
#[derive(Clone, Copy)]
pub(crate) struct Ahead<'a, T> {
    src: &'a [T],
    tlen: usize,
    b0: usize,
    nl: usize,
    t0: usize,
    len: usize,
    /// log2 of the line slots per row (a power of two, so a call's row and line are a shift and a mask).
    shift: u32,
}

impl<'a, T> Ahead<'a, T> {
    const LINE: usize = 64 / std::mem::size_of::<T>();

    /// The block `(b0.., t0..)` of `src`, `nl` rows × `len` samples; `None` (or `nl = 0`) fetches nothing.
    pub(crate) fn new(src: Option<&'a [T]>, tlen: usize, b0: usize, nl: usize, t0: usize, len: usize) -> Self {
        let shift = len.div_ceil(Self::LINE).next_power_of_two().trailing_zeros();
        match src {
            Some(src) => Self { src, tlen, b0, nl, t0, len, shift },
            None => Self { src: &[], tlen, b0, nl: 0, t0, len, shift },
        }
    }

    /// Prefetches line `i` of the block (row `i >> shift`, the rows' lines in order); past the block, nothing.
    /// `i` over `0..nl·2^shift` covers it: one call per step of a recursion as long as the block is enough.
    #[inline(always)]
    pub(crate) fn line(&self, i: usize) {
        if let Some(v) = self.target(i).and_then(|k| self.src.get(k)) {
            prefetch(v);
        }
    }

    /// Prefetches the `per` lines of step `t` (calls `t·per ..`); with `per` = [`per_step`](Ahead::per_step) a
    /// walk over the block's steps covers it.
    #[inline(always)]
    pub(crate) fn lines(&self, t: usize, per: usize) {
        (0..per).for_each(|j| self.line(t * per + j));
    }

    /// Calls per step for `steps` steps to reach every line of the block.
    pub(crate) fn per_step(&self, steps: usize) -> usize {
        (self.nl << self.shift).div_ceil(steps.max(1))
    }

    /// The index in `src` that call `i` fetches (`None` past the block).
    #[inline(always)]
    fn target(&self, i: usize) -> Option<usize> {
        let (row, off) = (i >> self.shift, (i & ((1 << self.shift) - 1)) * Self::LINE);
        (row < self.nl && off < self.len).then(|| (self.b0 + row) * self.tlen + self.t0 + off)
    }
}

/// The block an adjoint visits after `(b0, t0)` when it walks `span` backwards in [`TB`]-step blocks and the
/// worker's signals `br` in lane chunks of `L`: the previous block of these signals, or the last block of the
/// next chunk. Returns its `(b0, nl, t0, len)`; `nl = 0` past the worker's last chunk.
pub(crate) fn next_back<const L: usize>(b0: usize, t0: usize, span: &Range<usize>, br: &Range<usize>) -> (usize, usize, usize, usize) {
    let last = span.start + span.len().saturating_sub(1) / TB * TB;
    let (nb, nt) = if t0 >= span.start + TB { (b0, t0 - TB) } else { (b0 + L, last) };
    (nb, L.min(br.end.saturating_sub(nb)), nt, TB.min(span.end - nt))
}

/// The block a forward visits after `(b0, t0)` when it walks `span` forwards in `tf`-step blocks and the
/// worker's signals `br` in lane chunks of `L`: the next block of these signals, or the first block of the next
/// chunk. Returns its `(b0, nl, t0, len)`; `nl = 0` past the worker's last chunk.
pub(crate) fn next_fwd<const L: usize>(
    b0: usize,
    t0: usize,
    span: &Range<usize>,
    br: &Range<usize>,
    tf: usize,
) -> (usize, usize, usize, usize) {
    let (nb, nt) = if t0 + tf < span.end { (b0, t0 + tf) } else { (b0 + L, span.start) };
    (nb, L.min(br.end.saturating_sub(nb)), nt, tf.min(span.end - nt))
}

/// The block a forward prefetches during block `(b0, t0)` ([`Ahead`]): [`next_fwd`]'s with full lane vectors,
/// where it pays (forward, 1 thread, medians: W3 0–12 %, W4 12–36 %, W5 26–29 %, W6 21–22 % faster;
/// BENCHMARKS.md); none (`nl = 0`) with half vectors — a small batch split across workers — where each step's
/// recursion is one short vector and the extra instructions cost more than they hide (W1 on 2 threads: 10 %
/// slower, W4 on 2 threads unchanged).
pub(crate) fn fwd_ahead<T: Float, const L: usize>(
    b0: usize,
    t0: usize,
    span: &Range<usize>,
    br: &Range<usize>,
    tf: usize,
) -> (usize, usize, usize, usize) {
    let (nb, nl, nt, len) = next_fwd::<L>(b0, t0, span, br, tf);
    (nb, if L == T::LANES { nl } else { 0 }, nt, len)
}

/// `v / d`, lane by lane (per-sample coefficient sets normalised by their `a_0`).
#[inline(always)]
pub(crate) fn quot<T: Float, const L: usize>(v: &V<T, L>, d: &V<T, L>) -> V<T, L> {
    let mut q = [T::zero(); L];
    for l in 0..L {
        q[l] = v[l] / d[l];
    }
    q
}

/// A hint to bring `v`'s cache line into L1 (nothing where the target has no such instruction).
#[inline(always)]
fn prefetch<T>(v: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and reads nothing architecturally; the address is a live reference anyway.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((v as *const T).cast::<i8>())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = v;
}

/// Inverse of [`gather`] into a worker's rows: `dst[(lb0 + l)·tlen + t0 + t] = src[t][l]`.
#[inline(always)]
pub(crate) fn scatter<T: Float, const L: usize>(src: &[V<T, L>], dst: &mut [T], tlen: usize, lb0: usize, nl: usize, t0: usize) {
    let len = src.len();
    let mut it = dst[lb0 * tlen..].chunks_mut(tlen).take(nl);
    let mut rows: [&mut [T]; L] = std::array::from_fn(|_| match it.next() {
        Some(r) => &mut r[t0..][..len],
        None => <&mut [T]>::default(),
    });
    T::lanes_to_rows(src, &mut rows[..nl]);
}

/// A gradient destination in a coefficient layout, as seen by one worker: per-signal and per-sample rows
/// are the worker's own (signal `b` is row `b − base`); shared gradients go to the worker's partial sum.
pub(crate) struct Sink<'s, T> {
    pub data: Option<&'s mut [T]>,
    pub layout: Layout,
    pub k: usize,
    pub base: usize,
    pub len: usize,
    /// Samples subtracted from `n` for per-sample rows (a worker of the chunked path sees its slice of
    /// one signal's rows, starting at sample `shift`).
    pub shift: usize,
}

impl<T: Float> Sink<'_, T> {
    /// Adds `v` to coefficient `j` of the set of signal `b` at sample `n`.
    #[inline(always)]
    pub fn add(&mut self, b: usize, n: usize, j: usize, v: T) {
        if let Some(d) = self.data.as_deref_mut() {
            let o = match self.layout {
                Layout::Shared => 0,
                Layout::PerSignal => (b - self.base) * self.k,
                Layout::PerSample => ((b - self.base) * self.len + n - self.shift) * self.k,
            };
            d[o + j] = d[o + j] + v;
        }
    }
}

/// Routes a user's coefficient-gradient buffer: per-signal/per-sample buffers are split between workers
/// (returned as an [`Out`]); a shared one is summed from per-worker partials (see [`reduce_partials`]).
pub(crate) fn coef_out<'a, T>(g: Option<&'a mut [T]>, c: &Coefs<'_, T>, dims: Dims) -> Out<'a, T> {
    match c.layout {
        Layout::Shared => Out::new(None, 0),
        Layout::PerSignal => Out::new(g, c.k),
        Layout::PerSample => Out::new(g, c.k * dims.len),
    }
}

/// Builds a worker's sink for coefficient gradients (layout, set size `k`) from its split output rows or,
/// for a shared layout, its zeroed partial buffer.
pub(crate) fn sink<'s, T>(
    out: &'s mut Out<'_, T>,
    partial: &'s mut [T],
    want: bool,
    (layout, k): (Layout, usize),
    base: usize,
    len: usize,
) -> Sink<'s, T> {
    let data = match (want, layout) {
        (false, _) => None,
        (true, Layout::Shared) => Some(partial),
        (true, _) => out.data.as_deref_mut(),
    };
    Sink { data, layout, k, base, len, shift: 0 }
}

/// Partial-sum elements a worker needs for a shared gradient of this layout and set size.
pub(crate) fn partial_len((layout, k): (Layout, usize)) -> usize {
    if layout == Layout::Shared {
        k
    } else {
        0
    }
}

/// Sums each worker's partial shared gradient (`k` values at `offset` of its scratch) into `g`.
pub(crate) fn reduce_partials<T: Float>(
    g: Option<&mut [T]>,
    c: &Coefs<'_, T>,
    scratch: &[T],
    per_worker: usize,
    workers: usize,
    offset: usize,
) {
    if let (Some(g), Layout::Shared) = (g, c.layout) {
        for (j, gj) in g.iter_mut().enumerate() {
            *gj = (0..workers).map(|w| scratch[w * per_worker + offset + j]).fold(T::zero(), |s, v| s + v);
        }
    }
}

/// Whether an adjoint's results are independent of how [`drive`] splits the signals: no shared coefficient
/// gradient (summed per worker) is wanted.
pub(crate) fn split_free(cdesc: &[(Layout, usize)], want: &[bool]) -> bool {
    !cdesc.iter().zip(want).any(|(&(layout, _), &w)| w && layout == Layout::Shared)
}

/// Errors unless a caller-provided buffer has exactly `want` elements.
pub(crate) fn check_len(func: &'static str, arg: &'static str, want: usize, got: usize) -> crate::Result<()> {
    if want != got {
        return Err(crate::error::shape(func, arg, format!("length {want}"), got));
    }
    Ok(())
}

/// Errors unless the caller's scratch has at least `need` elements.
pub(crate) fn check_scratch<T>(func: &'static str, scratch: &[T], need: usize) -> crate::Result<()> {
    if scratch.len() < need {
        return Err(crate::error::shape(func, "scratch", format!("length ≥ {need}"), scratch.len()));
    }
    Ok(())
}

/// Lanes per chunk: [`Float::LANES`]; half of them when full chunks would leave some of `par`'s workers idle
/// (16 signals on 2 threads run as two chunks of 8); 1 for a single signal (padding one signal out to a lane
/// vector would multiply its work — long single signals take the chunked path instead).
pub(crate) fn lanes_for<T: Float>(batch: usize, par: Par) -> usize {
    if batch == 1 {
        1
    } else if batch.div_ceil(T::LANES) < par.workers(batch.div_ceil(T::LANES / 2)) {
        T::LANES / 2
    } else {
        T::LANES
    }
}

/// Workers [`drive`] uses for `batch` signals under `par` (each needs its own scratch).
pub(crate) fn workers_for<T: Float>(batch: usize, par: Par) -> usize {
    par.workers(batch.div_ceil(lanes_for::<T>(batch, par)))
}

/// Lanes per tape group: the sosfilt tape is stored `[group][checkpoint][row][g]`, with `g` fixed by the batch
/// alone (half a full lane vector), so a forward and an adjoint that chose different lane counts still agree.
pub(crate) fn tape_group<T: Float>(batch: usize) -> usize {
    if batch == 1 {
        1
    } else {
        T::LANES / 2
    }
}

/// Checkpoints of a `len`-sample run: the cascade's state before every `SB`-th sample, where each adjoint
/// sub-block starts.
pub(crate) fn checkpoints(len: usize) -> usize {
    len.div_ceil(SB)
}

/// Tape length (in `T`s) for `(S−1)·M` state rows (0 for one section: its adjoint needs no tape): per
/// signal, room for the checkpoints of a whole-signal run and of the chunked path's runs (`K` chunks and a
/// tail, each rounding up to a whole checkpoint), lane-rounded as the sequential path stores it.
pub(crate) fn tape_len<T: Float>(dims: Dims, sections: usize, order: usize) -> usize {
    let l = if dims.batch == 1 { 1 } else { T::LANES };
    dims.batch.div_ceil(l) * l * tape_stride::<T>(dims.len) * sections.saturating_sub(1) * order
}

/// Checkpoints per signal in a tape (see [`tape_len`]); the chunked path places signal `b`'s at
/// `b · tape_stride · rows`.
pub(crate) fn tape_stride<T: Float>(len: usize) -> usize {
    checkpoints(len) + crate::chunked::chunks::<T>() + 1
}

/// Stores lane vector `v` as tape entry `i` of a lane chunk's tape (`[L/g][entries][g]`, `per_group` entries
/// per group; `g` is `L` or `L/2`, spelled out so the copies have constant lengths).
#[inline(always)]
pub(crate) fn tape_put<T: Float, const L: usize>(tp: &mut [T], g: usize, per_group: usize, i: usize, v: &V<T, L>) {
    if g == L {
        tp[i * L..][..L].copy_from_slice(v);
    } else {
        let h = L / 2;
        tp[i * h..][..h].copy_from_slice(&v[..h]);
        tp[(per_group + i) * h..][..h].copy_from_slice(&v[h..]);
    }
}

/// Tape entry `i` of a lane chunk, as stored by [`tape_put`].
#[inline(always)]
pub(crate) fn tape_get<T: Float, const L: usize>(tp: &[T], g: usize, per_group: usize, i: usize) -> V<T, L> {
    let mut v = [T::zero(); L];
    if g == L {
        v.copy_from_slice(&tp[i * L..][..L]);
    } else {
        let h = L / 2;
        v[..h].copy_from_slice(&tp[i * h..][..h]);
        v[h..].copy_from_slice(&tp[(per_group + i) * h..][..h]);
    }
    v
}

/// Runs `$body` with the const lane count `$L` = [`lanes_for`]`::<T>(batch, par)`.
#[macro_export]
#[doc(hidden)]
macro_rules! lanes {
    ($T:ty, $batch:expr, $par:expr, $L:ident => $body:expr) => {
        match $crate::lanes::lanes_for::<$T>($batch, $par) {
            1 => {
                const $L: usize = 1;
                $body
            }
            16 => {
                const $L: usize = 16;
                $body
            }
            8 => {
                const $L: usize = 8;
                $body
            }
            _ => {
                const $L: usize = 4;
                $body
            }
        }
    };
}

mod pool;
#[cfg(test)]
mod tests;
