//! The forward and the adjoint recursion of order 2 with per-sample coefficients in `f32` (W4's shape), one
//! 8-step tile at a time with the transposition inside the recursion ([`fwd2`]; [`adj2`], the same scheme
//! walked backwards: W4 fwd+bwd 2.06 → 1.66 ms, see BENCHMARKS.md).
//!
//! Per tile and per group of 8 signals: load 8 rows × 8 samples of `x` and 8 rows × 16 values of `a` (two
//! sets a sample), transpose them in registers (8×8 AVX tiles), run the 8 recursion steps, transpose the 8
//! outputs back and store them to the rows. The lane path ([`super::fwd`]) instead gathers a 256-step block of
//! `x` and of `a` into scratch lanes, runs the recursion from there and scatters `y`: three passes over L1
//! where this makes one. W4 forward (16 × 48000, 1 thread, minimum / median of alternated calls on the same
//! data): 0.40 / 0.42 ms against 0.67 / 0.68 (see BENCHMARKS.md). Rows a multiple of 4 KiB apart (16 × 49152)
//! slow it by a tenth, and it still beats the lane path there (medians 0.61 against 0.83–0.87 ms), so unlike
//! [`tdf2`'s](crate::tdf2) it runs whatever the rows' spacing.
//!
//! Each output gets the lane path's operations in its order — `y = (x − (0 + a_2·y[n−2])) − a_1·y[n−1]`, which
//! is what [`sub_dot`](super::dot::sub_dot) computes for `N = 2` once its zero partial sums are added — so
//! the two paths agree bit for bit (`tests/tile.rs`), and a [`Stream`](crate::Stream) block may end anywhere.

use crate::float::Float;
use crate::lanes::V;
use crate::simd::Simd;

/// Runs the forward of a whole lane chunk (`nl == L` signals from row `b0` of `x` and `a`; row `yrow` of `y`)
/// over its first `tlen / 8 · 8` samples, when the tile loop applies (`f32`, AVX2 level, `L` a multiple of 8,
/// `y` wanted); `ys[0]`, `ys[1]` hold `y[−2]`, `y[−1]` on entry and the two outputs before the first sample
/// left undone on return. Returns how many samples it did: 0 when it does not apply.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn fwd2<T: Float, const L: usize>(
    x: &[T],
    a: &[T],
    tlen: usize,
    b0: usize,
    nl: usize,
    y: Option<&mut [T]>,
    yrow: usize,
    ys: &mut [V<T, L>],
    simd: Simd,
) -> usize {
    let t8 = tlen / 8 * 8;
    #[cfg(target_arch = "x86_64")]
    if crate::simd::tiles::<L>(nl, simd) && t8 > 0 {
        let h = T::f32s_mut(ys[..2].as_flattened_mut());
        if let (Some(x), Some(a), Some(y), Some(h)) = (T::f32s(x), T::f32s(a), y.and_then(T::f32s_mut), h) {
            let (x, a) = (&x[b0 * tlen..][..L * tlen], &a[b0 * 2 * tlen..][..L * 2 * tlen]);
            // SAFETY: `detect` returns `Avx2` only when the CPU reports AVX2, the one requirement.
            unsafe { avx2::fwd2::<L>(x, a, &mut y[yrow * tlen..][..L * tlen], tlen, t8, h) };
            return t8;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (x, a, b0, nl, y, yrow, ys, simd);
    0
}

/// The adjoint recursion of the same filters, `u[t] = (ḡ[t] − (0 + a_2[t+2]·u[t+2])) − a_1[t+1]·u[t+1]` (the
/// lane path's [`sub_dot`](super::dot::sub_dot) order), over one block (`t0..t0 + len`, `len` a multiple of 8)
/// of a whole lane chunk, walked backwards a tile at a time: `∂L/∂y` and the block's coefficient sets are
/// loaded from their rows and transposed in registers, and `u` goes back to rows — signal `l`'s to
/// `dst[start + l·stride ..][..len]` (`∂L/∂x`, or scratch rows for the row path's `∂L/∂a`). `us` holds the
/// lane rows of `u`: `u[t0+len]`, `u[t0+len+1]` in rows `len`, `len + 1` on entry, `u[t0]`, `u[t0+1]` in rows
/// 0 and 1 on return. Returns false (having done nothing) when the tile loop does not apply.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn adj2<T: Float, const L: usize>(
    gy: &[T],
    a: &[T],
    (tlen, t0, len): (usize, usize, usize),
    (b0, nl): (usize, usize),
    (dst, stride, start): (&mut [T], usize, usize),
    us: &mut [V<T, L>],
    simd: Simd,
) -> bool {
    #[cfg(target_arch = "x86_64")]
    if crate::simd::tiles::<L>(nl, simd) && len.is_multiple_of(8) {
        let h = T::f32s_mut(us[..len + 2].as_flattened_mut());
        if let (Some(gy), Some(a), Some(dst), Some(h)) = (T::f32s(gy), T::f32s(a), T::f32s_mut(dst), h) {
            let (gy, a) = (&gy[b0 * tlen..][..L * tlen], &a[b0 * 2 * tlen..][..L * 2 * tlen]);
            // SAFETY: `detect` returns `Avx2` only when the CPU reports AVX2, the one requirement.
            unsafe { avx2::adj2::<L>(gy, a, (tlen, t0, len), (dst, stride, start), h) };
            return true;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (gy, a, tlen, t0, len, b0, nl, dst, stride, start, us, simd);
    false
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use crate::transpose::avx::{ld8, ld_at, st8, st_at, tr8};
    use std::arch::x86_64::*;

    /// The tile loop over `L` rows (`x`, `y`: `tlen` samples each; `a`: `2·tlen`) for samples `0..t8`; `h` is
    /// the history, `y[−2]` in `h[..L]` and `y[−1]` in `h[L..]`, updated to the last two outputs.
    #[target_feature(enable = "avx2")]
    pub(super) fn fwd2<const L: usize>(x: &[f32], a: &[f32], y: &mut [f32], tlen: usize, t8: usize, h: &mut [f32]) {
        let xr: [&[[f32; 8]]; L] = std::array::from_fn(|k| x[k * tlen..][..t8].as_chunks::<8>().0);
        let ar: [&[[f32; 8]]; L] = std::array::from_fn(|k| a[k * 2 * tlen..][..2 * t8].as_chunks::<8>().0);
        let mut rows = y.chunks_exact_mut(tlen).map(|r| r[..t8].as_chunks_mut::<8>().0);
        let yr: [&mut [[f32; 8]]; L] = std::array::from_fn(|_| rows.next().unwrap_or_else(|| unreachable!()));
        let hv = |j: usize, g: usize| ld_at(h, j * L + 8 * g);
        let zero = _mm256_setzero_ps();
        // At most two groups of 8 lanes (L ≤ 16); with L = 8 only the first is used.
        let (mut y2, mut y1) = ([zero; 2], [zero; 2]);
        for g in 0..L / 8 {
            (y2[g], y1[g]) = (hv(0, g), hv(1, g));
        }
        // Both groups' tiles are loaded first and their steps interleaved, so the two recursion chains overlap.
        let mut xs = [[zero; 8]; 2];
        let (mut alo, mut ahi) = (xs, xs);
        for i in 0..t8 / 8 {
            for g in 0..L / 8 {
                let r = 8 * g;
                xs[g] = tr8(std::array::from_fn(|k| ld8(&xr[r + k][i])));
                // Sample t's set (a_1, a_2) is columns 2t, 2t + 1: steps 0–3 from the first 8 values, 4–7 from the next.
                alo[g] = tr8(std::array::from_fn(|k| ld8(&ar[r + k][2 * i])));
                ahi[g] = tr8(std::array::from_fn(|k| ld8(&ar[r + k][2 * i + 1])));
            }
            let mut ys = [[zero; 8]; 2];
            for s in 0..8 {
                for g in 0..L / 8 {
                    let c = if s < 4 { &alo[g][2 * s..] } else { &ahi[g][2 * s - 8..] };
                    let p = _mm256_add_ps(zero, _mm256_mul_ps(c[1], y2[g]));
                    ys[g][s] = _mm256_sub_ps(_mm256_sub_ps(xs[g][s], p), _mm256_mul_ps(c[0], y1[g]));
                    (y2[g], y1[g]) = (y1[g], ys[g][s]);
                }
            }
            for g in 0..L / 8 {
                for (k, v) in tr8(ys[g]).into_iter().enumerate() {
                    st8(&mut yr[8 * g + k][i], v);
                }
            }
        }
        for g in 0..L / 8 {
            for (j, v) in [y2[g], y1[g]].into_iter().enumerate() {
                st_at(h, j * L + 8 * g, v);
            }
        }
    }

    /// [`super::adj2`]'s loop over the chunk's `L` rows (`gy`: `tlen` samples each; `a`: `2·tlen`); `h` is the
    /// flattened lane rows of `u` (`L` values a row).
    #[target_feature(enable = "avx2")]
    pub(super) fn adj2<const L: usize>(
        gy: &[f32],
        a: &[f32],
        (tlen, t0, len): (usize, usize, usize),
        (dst, stride, start): (&mut [f32], usize, usize),
        h: &mut [f32],
    ) {
        let zero = _mm256_setzero_ps();
        // a_j[t] (j = 0 for a_1) of group g's lanes, zero past the signal's end as the lane path packs it.
        let at = |g: usize, t: usize, j: usize| {
            ld8(&std::array::from_fn(|k| if t < tlen { a[(8 * g + k) * 2 * tlen + 2 * t + j] } else { 0.0 }))
        };
        // u[t+1], u[t+2] of the step about to run; a_1[t+8], a_2[t+8], a_2[t+9] for the tile at t (the later
        // tile's first sets).
        let (mut u1, mut u2, mut nx) = ([zero; 2], [zero; 2], [[zero; 3]; 2]);
        for g in 0..L / 8 {
            (u1[g], u2[g]) = (ld_at(h, len * L + 8 * g), ld_at(h, (len + 1) * L + 8 * g));
            nx[g] = [at(g, t0 + len, 0), at(g, t0 + len, 1), at(g, t0 + len + 1, 1)];
        }
        let (mut gs, mut alo, mut ahi) = ([[zero; 8]; 2], [[zero; 8]; 2], [[zero; 8]; 2]);
        for i in (0..len / 8).rev() {
            let t = t0 + 8 * i;
            for g in 0..L / 8 {
                let r = 8 * g;
                gs[g] = tr8(std::array::from_fn(|k| ld_at(gy, (r + k) * tlen + t)));
                alo[g] = tr8(std::array::from_fn(|k| ld_at(a, (r + k) * 2 * tlen + 2 * t)));
                ahi[g] = tr8(std::array::from_fn(|k| ld_at(a, (r + k) * 2 * tlen + 2 * t + 8)));
            }
            let mut us = [[zero; 8]; 2];
            for s in (0..8).rev() {
                // Both groups' steps interleaved, so their recursion chains overlap.
                for g in 0..L / 8 {
                    // a_{j+1}[t + q]: columns 2q + j of the tile's sets, the later tile's past q = 7.
                    let c = |q: usize, j: usize| match q {
                        0..4 => alo[g][2 * q + j],
                        4..8 => ahi[g][2 * q - 8 + j],
                        8 => nx[g][j],
                        _ => nx[g][2],
                    };
                    let p = _mm256_add_ps(zero, _mm256_mul_ps(c(s + 2, 1), u2[g]));
                    let v = _mm256_sub_ps(_mm256_sub_ps(gs[g][s], p), _mm256_mul_ps(c(s + 1, 0), u1[g]));
                    (u2[g], u1[g], us[g][s]) = (u1[g], v, v);
                }
            }
            for g in 0..L / 8 {
                nx[g] = [alo[g][0], alo[g][1], alo[g][3]];
                for (k, v) in tr8(us[g]).into_iter().enumerate() {
                    st_at(dst, start + (8 * g + k) * stride + 8 * i, v);
                }
            }
        }
        for g in 0..L / 8 {
            st_at(h, 8 * g, u1[g]);
            st_at(h, L + 8 * g, u2[g]);
        }
    }
}
