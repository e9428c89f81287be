//! The forward of one time-invariant section of order ≤ 2 in `f32` (`lfilter` biquads: W1, W6), one 8-step
//! tile at a time with the transposition inside the recursion, as [`allpole`'s tile loop](crate::allpole):
//! per tile and per group of 8 signals, 8 rows × 8 samples of `x` are loaded and transposed in registers, the
//! 8 steps run, and the outputs go back to the rows transposed. No scratch lanes, no gather or scatter pass.
//! One-thread medians against the lane path (`Par::Seq`, f32, minimum / median of alternated calls): 16 × 48000
//! 0.25 against 0.56–0.58 ms, 64 × 4000 0.079 against 0.144–0.151, 4096 × 1000 1.74–1.93 against 2.55–2.74.
//! Rows a multiple of 4 KiB apart (W6's 4096 × 1024; 16 × 49152) put all 16 rows' lines of `x` and `y` in
//! one L1 set and ran no faster or slower (2.59–2.70 against 2.55–2.59 ms on W6): rows within a line of that
//! keep the lane path, whose gather and scatter go four rows at a time there (`transpose.rs`). A few lines off
//! is enough for the tiles (4096 × 1000: 96 bytes off).
//!
//! Each step is [`step`](super::step::step)'s operations in its order, so the two paths agree bit for bit
//! (`tests/tile.rs`) and a block may end anywhere.

use crate::float::Float;
use crate::lanes::V;
use crate::simd::Simd;

/// Runs the forward of a whole lane chunk (`nl == L` signals from row `b0` of `x`; row `yrow` of `y`) over its
/// first `tlen / 8 · 8` samples when the tile loop applies (`f32`, AVX2 level, `L` a multiple of 8 up to 16,
/// rows not within a line of a multiple of 4 KiB apart); `c` holds the packed set (`b_0, b_1, b_2, a_1, a_2`, lane rows), `st`
/// the state, updated. Returns how many samples it did: 0 when it does not apply.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn fwd2<T: Float, const L: usize>(
    x: &[T],
    tlen: usize,
    b0: usize,
    nl: usize,
    y: Option<&mut [T]>,
    yrow: usize,
    c: &[V<T, L>],
    st: &mut [V<T, L>],
    simd: Simd,
) -> usize {
    let t8 = tlen / 8 * 8;
    #[cfg(target_arch = "x86_64")]
    if applies::<T, L>(nl, tlen, simd) && t8 > 0 {
        let (c, h) = (T::f32s(c[..5].as_flattened()), T::f32s_mut(st[..2].as_flattened_mut()));
        if let (Some(x), Some(y), Some(c), Some(h)) = (T::f32s(x), y.and_then(T::f32s_mut), c, h) {
            // SAFETY: `detect` returns `Avx2` only when the CPU reports AVX2, the one requirement.
            unsafe { avx2::fwd2::<L>(&x[b0 * tlen..][..L * tlen], &mut y[yrow * tlen..][..L * tlen], tlen, t8, c, h) };
            return t8;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (x, b0, nl, y, yrow, c, st, simd);
    0
}

/// [`tiles`](crate::simd::tiles), for rows of `tlen` samples not within a line of a multiple of 4 KiB apart.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn applies<T, const L: usize>(nl: usize, tlen: usize, simd: Simd) -> bool {
    crate::simd::tiles::<L>(nl, simd) && !crate::transpose::near_way(tlen * std::mem::size_of::<T>(), 64)
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use crate::transpose::avx::{ld8, ld_at, st8, st_at, tr8};
    use std::arch::x86_64::*;

    /// The tile loop over `L` rows of `tlen` samples for samples `0..t8`; `c` holds 5 lane rows of `L`, `h`
    /// the state (`s_0` in `h[..L]`, `s_1` in `h[L..]`), updated.
    #[target_feature(enable = "avx2")]
    pub(super) fn fwd2<const L: usize>(x: &[f32], y: &mut [f32], tlen: usize, t8: usize, c: &[f32], h: &mut [f32]) {
        let xr: [&[[f32; 8]]; L] = std::array::from_fn(|k| x[k * tlen..][..t8].as_chunks::<8>().0);
        let mut rows = y.chunks_exact_mut(tlen).map(|r| r[..t8].as_chunks_mut::<8>().0);
        let yr: [&mut [[f32; 8]]; L] = std::array::from_fn(|_| rows.next().unwrap_or_else(|| unreachable!()));
        let lane = |v: &[f32], j: usize, g: usize| ld_at(v, j * L + 8 * g);
        let zero = _mm256_setzero_ps();
        // At most two groups of 8 lanes (L ≤ 16); with L = 8 only the first is used.
        let (mut cs, mut s0, mut s1) = ([[zero; 5]; 2], [zero; 2], [zero; 2]);
        for g in 0..L / 8 {
            cs[g] = std::array::from_fn(|k| lane(c, k, g));
            (s0[g], s1[g]) = (lane(h, 0, g), lane(h, 1, g));
        }
        let mut xs = [[zero; 8]; 2];
        for i in 0..t8 / 8 {
            for g in 0..L / 8 {
                xs[g] = tr8(std::array::from_fn(|k| ld8(&xr[8 * g + k][i])));
            }
            let mut ys = [[zero; 8]; 2];
            for s in 0..8 {
                // Both groups' steps interleaved, so their recursion chains overlap.
                for g in 0..L / 8 {
                    let ([b0, b1, b2, a1, a2], v) = (cs[g], xs[g][s]);
                    let out = _mm256_add_ps(s0[g], _mm256_mul_ps(b0, v));
                    s0[g] = _mm256_sub_ps(_mm256_add_ps(s1[g], _mm256_mul_ps(b1, v)), _mm256_mul_ps(a1, out));
                    s1[g] = _mm256_sub_ps(_mm256_mul_ps(b2, v), _mm256_mul_ps(a2, out));
                    ys[g][s] = out;
                }
            }
            for g in 0..L / 8 {
                for (k, v) in tr8(ys[g]).into_iter().enumerate() {
                    st8(&mut yr[8 * g + k][i], v);
                }
            }
        }
        for g in 0..L / 8 {
            for (j, v) in [s0[g], s1[g]].into_iter().enumerate() {
                st_at(h, j * L + 8 * g, v);
            }
        }
    }

    /// [`super::adj2`]'s loop: `gy` holds the chunk's `L` rows of `tlen`; `gr` rows of `TB + 2`.
    #[target_feature(enable = "avx2")]
    pub(super) fn adj2<const L: usize>(gy: &[f32], (tlen, t0, len): (usize, usize, usize), gr: &mut [f32], c: &[f32], h: &mut [f32]) {
        let stride = crate::lanes::TB + 2;
        let lane = |v: &[f32], j: usize, g: usize| ld_at(v, j * L + 8 * g);
        let zero = _mm256_setzero_ps();
        let (mut cs, mut h0, mut h1) = ([[zero; 5]; 2], [zero; 2], [zero; 2]);
        for g in 0..L / 8 {
            cs[g] = std::array::from_fn(|k| lane(c, k, g));
            (h0[g], h1[g]) = (lane(h, 0, g), lane(h, 1, g));
        }
        // ĝ just after the block: the state on entry.
        for l in 0..L {
            gr[l * stride + len] = h[l];
            gr[l * stride + len + 1] = h[L + l];
        }
        let mut gs = [[zero; 8]; 2];
        for i in (0..len / 8).rev() {
            let t = t0 + 8 * i;
            for (g, v) in gs.iter_mut().enumerate().take(L / 8) {
                *v = tr8(std::array::from_fn(|k| ld_at(gy, (8 * g + k) * tlen + t)));
            }
            let mut ghs = [[zero; 8]; 2];
            for s in (0..8).rev() {
                // Both groups' steps interleaved, so their recursion chains overlap.
                for g in 0..L / 8 {
                    let [_, _, _, a1, a2] = cs[g];
                    let gh = _mm256_sub_ps(_mm256_sub_ps(gs[g][s], _mm256_mul_ps(a2, h1[g])), _mm256_mul_ps(a1, h0[g]));
                    (h1[g], h0[g], ghs[g][s]) = (h0[g], gh, gh);
                }
            }
            for (g, gh) in ghs.iter().enumerate().take(L / 8) {
                for (k, v) in tr8(*gh).into_iter().enumerate() {
                    st_at(gr, (8 * g + k) * stride + 8 * i, v);
                }
            }
        }
        for g in 0..L / 8 {
            for (j, v) in [h0[g], h1[g]].into_iter().enumerate() {
                st_at(h, j * L + 8 * g, v);
            }
        }
    }
}

/// The adjoint recursion of the same filters over one block (`t0..t0 + len`, `len` a multiple of 8) of a whole
/// lane chunk, walked backwards a tile at a time: `∂L/∂y` is loaded from its rows and transposed in registers,
/// the 8 steps of [`step_adj`](super::step::step_adj)'s recursion run (its operations in its order), and `ĝ`
/// goes back to the row path's scratch rows `gr` (stride `TB + 2`, the block's `ĝ` then the two after it, which
/// `h` holds on entry). `h` is the adjoint state, updated. `∂L/∂x`, an FIR on `ĝ`, is left to the row pass
/// ([`gx_row`](super::grads::gx_row)), which reads those rows anyway: computed here it cost a third
/// transposition, and W1's adjoint took 0.82–0.84 ms against 0.68–0.74 without it (`--example` probe,
/// alternated builds). Returns false (having done nothing) when the tile loop does not apply.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn adj2<T: Float, const L: usize>(
    gy: &[T],
    (tlen, t0, len): (usize, usize, usize),
    (b0, nl): (usize, usize),
    gr: &mut [T],
    c: &[V<T, L>],
    h: &mut [V<T, L>],
    simd: Simd,
) -> bool {
    #[cfg(target_arch = "x86_64")]
    if applies::<T, L>(nl, tlen, simd) && len.is_multiple_of(8) {
        let (c, hf) = (T::f32s(c[..5].as_flattened()), T::f32s_mut(h[..2].as_flattened_mut()));
        if let (Some(gy), Some(gr), Some(c), Some(hf)) = (T::f32s(gy), T::f32s_mut(gr), c, hf) {
            // SAFETY: `detect` returns `Avx2` only when the CPU reports AVX2, the one requirement.
            unsafe { avx2::adj2::<L>(&gy[b0 * tlen..][..L * tlen], (tlen, t0, len), gr, c, hf) };
            return true;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (gy, tlen, t0, len, b0, nl, gr, c, h, simd);
    false
}
