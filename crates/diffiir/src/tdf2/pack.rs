//! The coefficient and state plumbing of the [`tdf2`](super) kernels: the [`Pack`] trait through which
//! `lfilter`, `sosfilt` and the chunked path hand their coefficient sets to the lane engine, and the moves of
//! sets and states between the user's layouts and the kernels' lane rows.

use crate::float::Float;
use crate::lanes::{Sink, V};

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

/// Packs the sets of samples `t0..t0+len` into `cs` (`w` rows per sample).
#[inline(always)]
pub(crate) fn pack_block<T: Float, P: Pack<T>, const L: usize>(
    p: &P,
    b0: usize,
    nl: usize,
    t0: usize,
    len: usize,
    w: usize,
    cs: &mut [V<T, L>],
) {
    cs[..len * w].fill([T::zero(); L]);
    for l in 0..nl {
        for (t, c) in cs.chunks_exact_mut(w).take(len).enumerate() {
            p.pack(b0 + l, t0 + t, l, c);
        }
    }
}
