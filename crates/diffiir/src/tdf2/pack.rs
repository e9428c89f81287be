//! The coefficient and state plumbing of the [`tdf2`](super) kernels: the [`Pack`] trait through which
//! `lfilter`, `sosfilt` and the chunked path hand their coefficient sets to the lane engine, and the moves of
//! sets and states between the user's layouts and the kernels' lane rows.

use crate::float::Float;
use crate::lanes::{gather, scatter, Ahead, Sink, V};
use std::sync::atomic::{AtomicBool, Ordering};

/// A coefficient source for the cascade: knows the packed layout `[S][b_0..b_M, a_1..a_M]` and how to map
/// gradients of packed (normalised) coefficients back to the user's arrays.
pub(crate) trait Pack<T: Float>: Sync {
    /// Sections `S`.
    fn sections(&self) -> usize;
    /// Internal order per section `M ≥ 1`.
    fn order(&self) -> usize;
    /// State values per section in the user's zi/zf (`≤ M`).
    fn state_len(&self) -> usize;
    /// Whether any coefficient is per sample.
    fn time_varying(&self) -> bool;
    /// The largest order class [`order`](Pack::order) can return: classes above it are not compiled.
    const ORDER_MAX: usize = super::MAX_ORDER;
    /// Writes signal `b`'s normalised set at sample `n` into lane `l` of `out` (`S·(2M+1)` rows).
    /// Implementations are `#[inline(always)]`: time-varying kernels call it per sample ([`dispatch`](crate::simd::dispatch)).
    fn pack<const L: usize>(&self, b: usize, n: usize, l: usize, out: &mut [V<T, L>]);
    /// Maps gradients `g` of the packed set `p` (lane `l`) of signal `b` at sample `n` into the sinks.
    fn unpack<const L: usize>(&self, b: usize, n: usize, l: usize, p: &[V<T, L>], g: &[V<T, L>], sinks: &mut [Sink<'_, T>; 2]);
    /// Where the sets lie when every coefficient array is per sample, so that [`pack_block`] and
    /// [`unpack_block`] move blocks of them by register tiles; `None` (mixed layouts): set by set through
    /// [`pack`](Pack::pack) and [`unpack`](Pack::unpack).
    fn sample_rows(&self) -> Option<SampleRows<'_, T>>;
    /// [`pack`](Pack::pack) on lane rows: one sample's packed rows `out` (`S·(2M+1)`) and each section's
    /// `a_0` (`den`, `S` rows) from its raw sets (`raw[r]`: the `k_r` lane rows of array `r`).
    fn norm<const L: usize>(&self, raw: [&[V<T, L>]; 2], out: &mut [V<T, L>], den: &mut [V<T, L>]);
    /// [`unpack`](Pack::unpack) on lane rows: gradients of one sample's raw sets (`out[r]`, `k_r` rows) from its
    /// `den`, packed values `p` and their gradients `g`.
    fn unnorm<const L: usize>(&self, den: &[V<T, L>], p: &[V<T, L>], g: &[V<T, L>], out: [&mut [V<T, L>]; 2]);
}

/// The per-sample coefficient arrays of a [`Pack`] (one or two; `k_r = 0`: absent): lane row `i` of array `r`
/// — the `i`-th signal the kernel sees, a chunk in the chunked path — holds one set of `k_r` values per
/// sample from `data[r][i·len·k_r ..]`. Each row is then a `[B, len·k_r]` matrix for
/// [`gather`]/[`scatter`].
pub(crate) struct SampleRows<'a, T> {
    pub data: [&'a [T]; 2],
    pub k: [usize; 2],
    /// Samples per lane row.
    pub len: usize,
    /// Set when [`pack_block`] meets a zero `a_0`: the entry points leave that check of per-sample sets to
    /// the kernel (one pass over the largest array fewer) and report the error afterwards.
    pub zero: &'a AtomicBool,
}

/// Samples per sub-block of the per-sample moves: the raw sets of `RB` samples are gathered (or their
/// gradients scattered) in one transposition, so each lane row moves `RB·k` contiguous values.
const RB: usize = 32;

/// Scratch lane rows [`pack_block`] and [`unpack_block`] need for raw sets (0 when set by set).
pub(crate) fn raw_rows<T: Float>(p: &impl Pack<T>) -> usize {
    p.sample_rows().map_or(0, |r| RB * (r.k[0] + r.k[1]))
}

/// Packed rows per time step.
pub(crate) fn width<T: Float>(p: &impl Pack<T>) -> usize {
    p.sections() * (2 * p.order() + 1)
}

/// State rows per tape checkpoint: `(S−1)·M`, the sections whose outputs the adjoint recomputes (the last
/// section's output is `y`; 0 for one section, whose adjoint needs no tape).
pub(crate) fn tape_rows<T: Float>(p: &impl Pack<T>) -> usize {
    (p.sections() - 1) * p.order()
}

/// Loads the user's `[B, S, state_len]` state (or zeros) into internal rows `[S·M][lane]`.
pub(crate) fn load_state<T: Float, const L: usize>(
    st: &mut [V<T, L>],
    z: Option<&[T]>,
    b0: usize,
    nl: usize,
    s: usize,
    m: usize,
    ms: usize,
) {
    st.fill([T::zero(); L]);
    if let Some(z) = z {
        for l in 0..nl {
            for sec in 0..s {
                for i in 0..ms {
                    st[sec * m + i][l] = z[((b0 + l) * s + sec) * ms + i];
                }
            }
        }
    }
}

/// Stores internal rows `[S·M][lane]` into the user's `[B, S, state_len]` state (lanes `< nl`).
pub(crate) fn store_state<T: Float, const L: usize>(st: &[V<T, L>], z: &mut [T], lb0: usize, nl: usize, s: usize, m: usize, ms: usize) {
    for l in 0..nl {
        for sec in 0..s {
            for i in 0..ms {
                z[((lb0 + l) * s + sec) * ms + i] = st[sec * m + i][l];
            }
        }
    }
}

/// Packs the chunk's coefficient sets at sample `n` (lanes beyond `nl` stay zero: they filter nothing).
pub(crate) fn pack_chunk<T: Float, P: Pack<T>, const L: usize>(p: &P, b0: usize, nl: usize, n: usize, c: &mut [V<T, L>]) {
    c.fill([T::zero(); L]);
    for l in 0..nl {
        p.pack(b0 + l, n, l, c);
    }
}

/// Prefetchers ([`Ahead`]) of block `(nb.., nt..)` (`nl` rows, `len` samples) of the coefficient arrays of
/// `rows`, each with the calls per step that cover it in `steps` steps; none (0 calls) for an absent array,
/// for sets moved one by one (`rows = None`), and where a step would take more than [`MAX_PER_STEP`] calls.
pub(crate) fn sets_ahead<'a, T>(
    rows: Option<&SampleRows<'a, T>>,
    (nb, nl, nt, len): (usize, usize, usize, usize),
    steps: usize,
) -> [(Ahead<'a, T>, usize); 2] {
    std::array::from_fn(|i| match rows {
        Some(r) if r.k[i] > 0 => {
            let a = Ahead::new(Some(r.data[i]), r.len * r.k[i], nb, nl, nt * r.k[i], len * r.k[i]);
            let per = a.per_step(steps);
            (a, if per <= MAX_PER_STEP { per } else { 0 })
        }
        _ => (Ahead::new(None, 0, 0, 0, 0, 0), 0),
    })
}

/// Prefetch calls per step and array beyond which the forwards leave per-sample sets to the hardware: a
/// biquad's (3 values a sample and array, 4 calls) gained, a four-section cascade's (24 values, 32 calls)
/// lost to the calls' own instructions (BENCHMARKS.md, "Time-varying `lfilter` and `sosfilt`"). The
/// adjoints, whose steps carry more work, gained nothing from it for either and do not prefetch sets.
const MAX_PER_STEP: usize = 4;

/// Packs the sets of signals `b0..b0+nl`, samples `t0..t0+len` into `cs` (`w` rows per sample) and their
/// denominators into `den` (`S` rows per sample; by block only, for [`unpack_block`]); `raw`: [`raw_rows`] lane
/// rows of scratch.
#[inline(always)]
pub(crate) fn pack_block<T: Float, P: Pack<T>, const L: usize>(
    p: &P,
    (b0, nl, t0, len): (usize, usize, usize, usize),
    w: usize,
    cs: &mut [V<T, L>],
    den: &mut [V<T, L>],
    raw: &mut [V<T, L>],
) {
    let Some(rows) = p.sample_rows() else {
        cs[..len * w].fill([T::zero(); L]);
        for l in 0..nl {
            for (t, c) in cs.chunks_exact_mut(w).take(len).enumerate() {
                p.pack(b0 + l, t0 + t, l, c);
            }
        }
        return;
    };
    let (k, s) = (rows.k, p.sections());
    for s0 in (0..len).step_by(RB) {
        let n = RB.min(len - s0);
        let (r0, r1) = raw.split_at_mut(RB * k[0]);
        for (r, (dst, kr)) in [(&mut *r0, k[0]), (&mut *r1, k[1])].into_iter().enumerate() {
            if kr > 0 {
                gather(rows.data[r], rows.len * kr, b0, nl, (t0 + s0) * kr, &mut dst[..n * kr]);
            }
        }
        for t in s0..s0 + n {
            let rt = [&r0[(t - s0) * k[0]..][..k[0]], &r1[(t - s0) * k[1]..][..k[1]]];
            p.norm(rt, &mut cs[t * w..][..w], &mut den[t * s..][..s]);
        }
        let mut zero = false;
        for d in &den[s0 * s..(s0 + n) * s] {
            for (l, v) in d.iter().enumerate() {
                zero |= (*v == T::zero()) & (l < nl);
            }
        }
        if zero {
            rows.zero.store(true, Ordering::Relaxed);
        }
    }
    if nl < L {
        // Unused lanes gathered zeros (0/0 once normalised): they filter nothing, as set by set.
        cs[..len * w].iter_mut().for_each(|c| c[nl..].fill(T::zero()));
    }
}

/// Maps the gradients `gc` of the packed sets `cs` of samples `t0..t0+len` (`w` rows per sample) into the
/// sinks: by block when [`pack_block`] packed by block (`den` its denominators, `raw` its scratch; the
/// per-sample sinks are *written*, every set once), else set by set (added).
#[inline(always)]
pub(crate) fn unpack_block<T: Float, P: Pack<T>, const L: usize>(
    p: &P,
    (b0, nl, t0, len): (usize, usize, usize, usize),
    w: usize,
    [cs, gc, den]: [&[V<T, L>]; 3],
    raw: &mut [V<T, L>],
    sinks: &mut [Sink<'_, T>; 2],
) {
    let Some(k) = p.sample_rows().map(|r| r.k) else {
        for t in 0..len {
            for l in 0..nl {
                p.unpack(b0 + l, t0 + t, l, &cs[t * w..][..w], &gc[t * w..][..w], sinks);
            }
        }
        return;
    };
    let s = p.sections();
    for s0 in (0..len).step_by(RB) {
        let n = RB.min(len - s0);
        let (r0, r1) = raw.split_at_mut(RB * k[0]);
        for t in s0..s0 + n {
            let out = [&mut r0[(t - s0) * k[0]..][..k[0]], &mut r1[(t - s0) * k[1]..][..k[1]]];
            p.unnorm(&den[t * s..][..s], &cs[t * w..][..w], &gc[t * w..][..w], out);
        }
        for (sink, (src, kr)) in sinks.iter_mut().zip([(&*r0, k[0]), (&*r1, k[1])]) {
            debug_assert!(sink.data.is_none() || sink.layout == crate::shape::Layout::PerSample);
            if let (Some(d), true) = (sink.data.as_deref_mut(), kr > 0) {
                scatter(&src[..n * kr], d, sink.len * kr, b0 - sink.base, nl, (t0 + s0) * kr);
            }
        }
    }
}
