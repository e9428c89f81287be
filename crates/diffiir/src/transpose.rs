//! Small-tile transposition between signal rows and time-major lane blocks — the data movement every lane
//! kernel does twice per array, so it sets their speed (see BENCHMARKS.md).
//!
//! A tile is `G` rows × `G` time steps (`G` = values per 128-bit register: 4 for `f32`, 2 for `f64`): `G`
//! loads, a register transpose, `G` stores — one instruction per value moved, against two for element-wise
//! copies. On x86-64 this uses SSE2 (part of the baseline, so no runtime dispatch); elsewhere, and for the
//! ragged end of a block, a plain element loop. Measured on W1's layout (16 rows × 1024-sample blocks, f32):
//! gather 0.16 ms per 3 MB against 0.31 ms element-wise, i.e. the speed of `copy_from_slice`.

/// Time steps per span: the tiles walk one group of rows across a span, then the next group; a span of lane
/// rows (16 KiB at 16 `f32` lanes) stays in L1 while the groups fill or drain it.
const SPAN: usize = 256;

/// Whether this target moves tiles by registers (elsewhere every move is the plain element loop).
const TILED: bool = cfg!(target_arch = "x86_64");

/// Row-to-lane and lane-to-row moves for one sample type (sealed: a bound of [`Float`](crate::Float)).
///
/// Rows go in groups of one tile (`G`): only `G` rows stream at once, so rows a multiple of 4 KiB apart (all in
/// one L1 set) do not evict each other as a lockstep walk over all of them did. Each group fills (or drains)
/// its `G` lanes of a [`SPAN`] of the lane block before the next group: the span stays in L1 however long
/// the block is. A group walking a whole 1024-step adjoint block (64 KiB of lanes) instead wrote each lane
/// row back from L2 once per group: W1's adjoint spent 60 % of its time in its three gathers, and with spans
/// fwd+bwd went 2.50 → 1.95 ms (W6 16.3 → 12.8; `cargo bench --bench workloads`, one run each way).
pub trait Tile: Sized + Copy {
    /// `dst[t][k] = rows[k][t]` for `k < rows.len() ≤ L`, `t < dst.len()` (each row at least `dst.len()` long).
    fn rows_to_lanes<const L: usize>(rows: &[&[Self]], dst: &mut [[Self; L]]);
    /// `rows[k][t] = src[t][k]` for `k < rows.len() ≤ L`, `t < src.len()`.
    fn lanes_to_rows<const L: usize>(src: &[[Self; L]], rows: &mut [&mut [Self]]);
}

fn rows_to_lanes_plain<T: Copy, const L: usize>(rows: &[&[T]], lb: usize, dst: &mut [[T; L]], from: usize) {
    for (k, r) in rows.iter().enumerate() {
        for (d, &s) in dst[from..].iter_mut().zip(&r[from..]) {
            d[lb + k] = s;
        }
    }
}

fn lanes_to_rows_plain<T: Copy, const L: usize>(src: &[[T; L]], lb: usize, rows: &mut [&mut [T]], from: usize) {
    for (k, r) in rows.iter_mut().enumerate() {
        for (d, s) in r[from..].iter_mut().zip(&src[from..]) {
            *d = s[lb + k];
        }
    }
}

/// The parts the tiles leave: rows past the last whole group (every step), and the steps past the last whole
/// tile (the tiled rows).
fn rows_to_lanes_rest<T: Copy, const L: usize>(rows: &[&[T]], tiled: usize, full: usize, dst: &mut [[T; L]]) {
    rows_to_lanes_plain(&rows[..tiled], 0, dst, full);
    rows_to_lanes_plain(&rows[tiled..], tiled, dst, 0);
}

fn lanes_to_rows_rest<T: Copy, const L: usize>(src: &[[T; L]], rows: &mut [&mut [T]], tiled: usize, full: usize) {
    let (head, tail) = rows.split_at_mut(tiled);
    lanes_to_rows_plain(src, 0, head, full);
    lanes_to_rows_plain(src, tiled, tail, 0);
}

#[cfg(target_arch = "x86_64")]
mod sse {
    use std::arch::x86_64::*;

    // SAFETY (the four moves below): SSE2 is part of the x86-64 baseline, and each pointer comes from a slice of
    // exactly the register's width, so the unaligned load/store stays inside it.
    #[inline(always)]
    pub fn ld4(s: &[f32; 4]) -> __m128 {
        unsafe { _mm_loadu_ps(s.as_ptr()) }
    }
    #[inline(always)]
    pub fn st4(d: &mut [f32; 4], v: __m128) {
        unsafe { _mm_storeu_ps(d.as_mut_ptr(), v) }
    }
    #[inline(always)]
    pub fn ld2(s: &[f64; 2]) -> __m128d {
        unsafe { _mm_loadu_pd(s.as_ptr()) }
    }
    #[inline(always)]
    pub fn st2(d: &mut [f64; 2], v: __m128d) {
        unsafe { _mm_storeu_pd(d.as_mut_ptr(), v) }
    }

    /// 4×4 transpose of `[a, b, c, d]` (rows) into columns.
    #[inline(always)]
    pub fn tr4([a, b, c, d]: [__m128; 4]) -> [__m128; 4] {
        // SAFETY: register-only shuffles; SSE is part of the x86-64 baseline.
        unsafe {
            let (ab0, cd0) = (_mm_unpacklo_ps(a, b), _mm_unpacklo_ps(c, d));
            let (ab1, cd1) = (_mm_unpackhi_ps(a, b), _mm_unpackhi_ps(c, d));
            [_mm_movelh_ps(ab0, cd0), _mm_movehl_ps(cd0, ab0), _mm_movelh_ps(ab1, cd1), _mm_movehl_ps(cd1, ab1)]
        }
    }

    #[inline(always)]
    pub fn tr2([a, b]: [__m128d; 2]) -> [__m128d; 2] {
        // SAFETY: register-only shuffles; SSE2 is part of the x86-64 baseline.
        unsafe { [_mm_unpacklo_pd(a, b), _mm_unpackhi_pd(a, b)] }
    }
}

/// `&s[t..t + N]` as an array (the caller guarantees `t + N ≤ s.len()`; a violation is a bounds panic
/// in a crate-internal loop, never reached from user input).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn arr<T, const N: usize>(s: &[T], t: usize) -> &[T; N] {
    s[t..t + N].as_chunks::<N>().0.first().unwrap_or_else(|| unreachable!())
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn arr_mut<T, const N: usize>(s: &mut [T], t: usize) -> &mut [T; N] {
    s[t..t + N].as_chunks_mut::<N>().0.first_mut().unwrap_or_else(|| unreachable!())
}

/// The tile loops of one type: `$g` rows × `$g` steps per register tile, `$ld`/`$st`/`$tr` its moves.
macro_rules! tiles {
    ($T:ty, $g:literal, $ld:ident, $st:ident, $tr:ident) => {
        impl Tile for $T {
            #[inline(always)]
            fn rows_to_lanes<const L: usize>(rows: &[&[$T]], dst: &mut [[$T; L]]) {
                let tiled = if TILED { rows.len() / $g * $g } else { 0 };
                let full = if TILED { dst.len() / $g * $g } else { 0 };
                #[cfg(target_arch = "x86_64")]
                for s in (0..full).step_by(SPAN) {
                    let e = full.min(s + SPAN);
                    let d = &mut dst[s..e];
                    for lb in (0..tiled).step_by($g) {
                        let r: [&[$T]; $g] = std::array::from_fn(|k| &rows[lb + k][s..e]);
                        for t in (0..e - s).step_by($g) {
                            let v = sse::$tr(std::array::from_fn(|k| sse::$ld(arr(r[k], t))));
                            for (j, vj) in v.into_iter().enumerate() {
                                sse::$st(arr_mut(&mut d[t + j], lb), vj);
                            }
                        }
                    }
                }
                rows_to_lanes_rest(rows, tiled, full, dst);
            }

            #[inline(always)]
            fn lanes_to_rows<const L: usize>(src: &[[$T; L]], rows: &mut [&mut [$T]]) {
                let tiled = if TILED { rows.len() / $g * $g } else { 0 };
                let full = if TILED { src.len() / $g * $g } else { 0 };
                #[cfg(target_arch = "x86_64")]
                for s in (0..full).step_by(SPAN) {
                    let e = full.min(s + SPAN);
                    let d = &src[s..e];
                    for lb in (0..tiled).step_by($g) {
                        let r = arr_mut::<_, $g>(rows, lb).each_mut().map(|r| &mut r[s..e]);
                        for t in (0..e - s).step_by($g) {
                            let v = sse::$tr(std::array::from_fn(|j| sse::$ld(arr(&d[t + j], lb))));
                            for (k, vk) in v.into_iter().enumerate() {
                                sse::$st(arr_mut(r[k], t), vk);
                            }
                        }
                    }
                }
                lanes_to_rows_rest(src, rows, tiled, full);
            }
        }
    };
}

tiles!(f32, 4, ld4, st4, tr4);
tiles!(f64, 2, ld2, st2, tr2);
