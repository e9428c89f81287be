//! Small-tile transposition between signal rows and time-major lane blocks — the data movement every lane
//! kernel does twice per array, so it sets their speed (see BENCHMARKS.md).
//!
//! A tile is `G` rows × `G` time steps (`G` = values per 128-bit register: 4 for `f32`, 2 for `f64`): `G`
//! loads, a register transpose, `G` stores — one instruction per value moved, against two for element-wise
//! copies. On x86-64 this uses SSE2 (part of the baseline, so no runtime dispatch); elsewhere, and for the
//! ragged end of a block, a plain element loop. Measured on W1's layout (16 rows × 1024-sample blocks, f32):
//! gather 0.16 ms per 3 MB against 0.31 ms element-wise, i.e. the speed of `copy_from_slice`.

/// Values per tile side for `T`: one 128-bit register.
pub(crate) const fn group<T>() -> usize {
    16 / std::mem::size_of::<T>()
}

/// Row-to-lane and lane-to-row tile moves for one sample type (sealed: a bound of [`Float`](crate::Float)).
pub trait Tile: Sized + Copy {
    /// `dst[t][lb + k] = rows[k][t]` for `k < group`, `t < dst.len()` (each row at least `dst.len()` long).
    fn rows_to_lanes<const L: usize>(rows: &[&[Self]], lb: usize, dst: &mut [[Self; L]]);
    /// `rows[k][t] = src[t][lb + k]` for `k < group`, `t < src.len()`.
    fn lanes_to_rows<const L: usize>(src: &[[Self; L]], lb: usize, rows: &mut [&mut [Self]]);
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
    pub fn tr4(a: __m128, b: __m128, c: __m128, d: __m128) -> [__m128; 4] {
        // SAFETY: register-only shuffles; SSE is part of the x86-64 baseline.
        unsafe {
            let (ab0, cd0) = (_mm_unpacklo_ps(a, b), _mm_unpacklo_ps(c, d));
            let (ab1, cd1) = (_mm_unpackhi_ps(a, b), _mm_unpackhi_ps(c, d));
            [_mm_movelh_ps(ab0, cd0), _mm_movehl_ps(cd0, ab0), _mm_movelh_ps(ab1, cd1), _mm_movehl_ps(cd1, ab1)]
        }
    }

    #[inline(always)]
    pub fn tr2(a: __m128d, b: __m128d) -> [__m128d; 2] {
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

impl Tile for f32 {
    #[inline(always)]
    fn rows_to_lanes<const L: usize>(rows: &[&[f32]], lb: usize, dst: &mut [[f32; L]]) {
        #[cfg(target_arch = "x86_64")]
        if rows.len() == 4 && lb + 4 <= L {
            let full = dst.len() / 4 * 4;
            for t in (0..full).step_by(4) {
                let v =
                    sse::tr4(sse::ld4(arr(rows[0], t)), sse::ld4(arr(rows[1], t)), sse::ld4(arr(rows[2], t)), sse::ld4(arr(rows[3], t)));
                for (j, vj) in v.into_iter().enumerate() {
                    sse::st4(arr_mut(&mut dst[t + j], lb), vj);
                }
            }
            return rows_to_lanes_plain(rows, lb, dst, full);
        }
        rows_to_lanes_plain(rows, lb, dst, 0)
    }

    #[inline(always)]
    fn lanes_to_rows<const L: usize>(src: &[[f32; L]], lb: usize, rows: &mut [&mut [f32]]) {
        #[cfg(target_arch = "x86_64")]
        if rows.len() == 4 && lb + 4 <= L {
            let full = src.len() / 4 * 4;
            for t in (0..full).step_by(4) {
                let v = sse::tr4(
                    sse::ld4(arr(&src[t], lb)),
                    sse::ld4(arr(&src[t + 1], lb)),
                    sse::ld4(arr(&src[t + 2], lb)),
                    sse::ld4(arr(&src[t + 3], lb)),
                );
                for (r, vk) in rows.iter_mut().zip(v) {
                    sse::st4(arr_mut(r, t), vk);
                }
            }
            return lanes_to_rows_plain(src, lb, rows, full);
        }
        lanes_to_rows_plain(src, lb, rows, 0)
    }
}

impl Tile for f64 {
    #[inline(always)]
    fn rows_to_lanes<const L: usize>(rows: &[&[f64]], lb: usize, dst: &mut [[f64; L]]) {
        #[cfg(target_arch = "x86_64")]
        if rows.len() == 2 && lb + 2 <= L {
            let full = dst.len() / 2 * 2;
            for t in (0..full).step_by(2) {
                let v = sse::tr2(sse::ld2(arr(rows[0], t)), sse::ld2(arr(rows[1], t)));
                for (j, vj) in v.into_iter().enumerate() {
                    sse::st2(arr_mut(&mut dst[t + j], lb), vj);
                }
            }
            return rows_to_lanes_plain(rows, lb, dst, full);
        }
        rows_to_lanes_plain(rows, lb, dst, 0)
    }

    #[inline(always)]
    fn lanes_to_rows<const L: usize>(src: &[[f64; L]], lb: usize, rows: &mut [&mut [f64]]) {
        #[cfg(target_arch = "x86_64")]
        if rows.len() == 2 && lb + 2 <= L {
            let full = src.len() / 2 * 2;
            for t in (0..full).step_by(2) {
                let v = sse::tr2(sse::ld2(arr(&src[t], lb)), sse::ld2(arr(&src[t + 1], lb)));
                for (r, vk) in rows.iter_mut().zip(v) {
                    sse::st2(arr_mut(r, t), vk);
                }
            }
            return lanes_to_rows_plain(src, lb, rows, full);
        }
        lanes_to_rows_plain(src, lb, rows, 0)
    }
}
