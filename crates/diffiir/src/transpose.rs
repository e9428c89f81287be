//! Small-tile transposition between signal rows and time-major lane blocks — the data movement every lane
//! kernel does twice per array, so it sets their speed (see BENCHMARKS.md).
//!
//! A tile is `G` rows × `G` time steps (`G` = values per 128-bit register: 4 for `f32`, 2 for `f64`): `G`
//! loads, a register transpose, `G` stores — one instruction per value moved, against two for element-wise
//! copies. On x86-64 this uses SSE2 (part of the baseline), and 256-bit [`avx`] tiles for whole groups of
//! rows where the CPU has AVX; elsewhere, and for the ragged end of a block, a plain element loop. Measured on W1's layout (16 rows × 1024-sample blocks, f32):
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

/// The parts the 4×4 tiles leave: rows past the last whole group (every step), and the steps past the last
/// whole tile (rows `w..tiled`; rows before `w` went by 8×8 tiles).
fn rows_to_lanes_rest<T: Copy, const L: usize>(rows: &[&[T]], w: usize, tiled: usize, full: usize, dst: &mut [[T; L]]) {
    rows_to_lanes_plain(&rows[w..tiled], w, dst, full);
    rows_to_lanes_plain(&rows[tiled..], tiled, dst, 0);
}

fn lanes_to_rows_rest<T: Copy, const L: usize>(src: &[[T; L]], rows: &mut [&mut [T]], w: usize, tiled: usize, full: usize) {
    let (head, tail) = rows.split_at_mut(tiled);
    lanes_to_rows_plain(src, w, &mut head[w..], full);
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

/// 256-bit tiles — 8×8 for `f32`, 4×4 for `f64` — for whole groups of their rows: half the loads and stores
/// per value moved of the 128-bit tiles, and a lane row's 8 (4) values written as one store. Taken whenever
/// the CPU has AVX, whatever [`Simd`](crate::Simd) level runs the arithmetic: a transposition moves values
/// and cannot change them. Without AVX the 128-bit tiles move every row. Inside the kernels (16 × 48000
/// `f32`, 1 thread, minima of alternated builds) W1 forward 0.40–0.41 → 0.38–0.39 ms, W4 forward 0.72–0.73 →
/// 0.67–0.68; see BENCHMARKS.md.
/// Whether rows `dist` bytes apart start less than `within` bytes from a multiple of 4 KiB apart (one L1 way), so
/// that rows streamed at once share L1 sets: 512 for [`avx`]'s spans of 256 steps (1 KiB a row), 64 (one line)
/// for the tile loops, whose rows each touch one 32-byte piece at a time.
pub(crate) fn near_way(dist: usize, within: usize) -> bool {
    let off = dist % 4096;
    off.min(4096 - off) < within
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx {
    use super::{arr, arr_mut, SPAN};
    use std::arch::x86_64::*;

    /// How many leading rows of `n` go by AVX tiles of `g` rows: whole groups, none without AVX — and none
    /// when the first two rows (`first`) start less than 512 bytes from a multiple of 4 KiB apart (one L1
    /// way): then the rows' spans share L1 sets, which 8 streams overfill where 4 fit. W6's 1024-sample
    /// `f32` rows (forward 3.09 → 3.31 ms with 8×8 tiles, `cargo bench --bench workloads`) and the `tdf2`
    /// adjoint's 1026-sample rows of ĝ are such rows.
    #[inline(always)]
    pub fn rows<T>(n: usize, g: usize, first: Option<[*const T; 2]>) -> usize {
        let near = |[a, b]: [*const T; 2]| super::near_way(a.addr().abs_diff(b.addr()), 512);
        if n >= g && !first.is_some_and(near) && std::arch::is_x86_feature_detected!("avx") {
            n / g * g
        } else {
            0
        }
    }

    // SAFETY (the loads and stores below): each pointer comes from a slice at least as long as the access,
    // so the unaligned 128- or 256-bit access stays inside it.
    #[target_feature(enable = "avx")]
    pub(crate) fn ld8(s: &[f32; 8]) -> __m256 {
        unsafe { _mm256_loadu_ps(s.as_ptr()) }
    }
    #[target_feature(enable = "avx")]
    pub(crate) fn st8(d: &mut [f32; 8], v: __m256) {
        unsafe { _mm256_storeu_ps(d.as_mut_ptr(), v) }
    }
    /// `v[at..at + 8]` (a bounds panic past the end: the tile loops' indices are crate-internal).
    #[target_feature(enable = "avx")]
    pub(crate) fn ld_at(v: &[f32], at: usize) -> __m256 {
        ld8(arr(v, at))
    }
    /// Stores `x` to `v[at..at + 8]`.
    #[target_feature(enable = "avx")]
    pub(crate) fn st_at(v: &mut [f32], at: usize, x: __m256) {
        st8(arr_mut(v, at), x)
    }
    /// Rows `a` (low half) and `b` (high half), 4 values each.
    #[target_feature(enable = "avx")]
    fn ld44(a: &[f32; 4], b: &[f32; 4]) -> __m256 {
        unsafe { _mm256_insertf128_ps::<1>(_mm256_castps128_ps256(_mm_loadu_ps(a.as_ptr())), _mm_loadu_ps(b.as_ptr())) }
    }

    /// The 4×4 transpose in each 128-bit half.
    #[target_feature(enable = "avx")]
    fn tr44([a, b, c, d]: [__m256; 4]) -> [__m256; 4] {
        let (ab0, cd0) = (_mm256_unpacklo_ps(a, b), _mm256_unpacklo_ps(c, d));
        let (ab1, cd1) = (_mm256_unpackhi_ps(a, b), _mm256_unpackhi_ps(c, d));
        [
            _mm256_shuffle_ps::<0x44>(ab0, cd0),
            _mm256_shuffle_ps::<0xEE>(ab0, cd0),
            _mm256_shuffle_ps::<0x44>(ab1, cd1),
            _mm256_shuffle_ps::<0xEE>(ab1, cd1),
        ]
    }

    /// 8×8 transpose of rows `r` into columns: a 4×4 transpose in each half, then the halves exchanged.
    #[target_feature(enable = "avx")]
    pub(crate) fn tr8(r: [__m256; 8]) -> [__m256; 8] {
        let lo = tr44([r[0], r[1], r[2], r[3]]);
        let hi = tr44([r[4], r[5], r[6], r[7]]);
        let cross = |k: usize, h| match h {
            false => _mm256_permute2f128_ps::<0x20>(lo[k], hi[k]),
            true => _mm256_permute2f128_ps::<0x31>(lo[k], hi[k]),
        };
        [cross(0, false), cross(1, false), cross(2, false), cross(3, false), cross(0, true), cross(1, true), cross(2, true), cross(3, true)]
    }

    /// `dst[t][k] = rows[k][t]` for `k < rows.len()` (a multiple of 8, `≤ L`) and `t < dst.len()` (a multiple
    /// of 8). Rows `k` and `k + 4` share each load (one per 128-bit half), so one 4×4 pass per half finishes
    /// the transpose without lane crossings.
    #[target_feature(enable = "avx")]
    pub fn rows_to_lanes8<const L: usize>(rows: &[&[f32]], dst: &mut [[f32; L]]) {
        for s in (0..dst.len()).step_by(SPAN) {
            let e = dst.len().min(s + SPAN);
            let d = &mut dst[s..e];
            for lb in (0..rows.len()).step_by(8) {
                let r: [&[f32]; 8] = std::array::from_fn(|k| &rows[lb + k][s..e]);
                for t in (0..e - s).step_by(8) {
                    let half = |o| tr44(std::array::from_fn(|k| ld44(arr(r[k], t + o), arr(r[k + 4], t + o))));
                    let (v, w) = (half(0), half(4));
                    for j in 0..4 {
                        st8(arr_mut(&mut d[t + j], lb), v[j]);
                        st8(arr_mut(&mut d[t + 4 + j], lb), w[j]);
                    }
                }
            }
        }
    }

    #[target_feature(enable = "avx")]
    fn ld4d(s: &[f64; 4]) -> __m256d {
        unsafe { _mm256_loadu_pd(s.as_ptr()) }
    }
    #[target_feature(enable = "avx")]
    fn st4d(d: &mut [f64; 4], v: __m256d) {
        unsafe { _mm256_storeu_pd(d.as_mut_ptr(), v) }
    }

    /// 4×4 `f64` transpose: pairs within each 128-bit half, then the halves exchanged.
    #[target_feature(enable = "avx")]
    fn tr4d([a, b, c, d]: [__m256d; 4]) -> [__m256d; 4] {
        let (ab0, ab1) = (_mm256_unpacklo_pd(a, b), _mm256_unpackhi_pd(a, b));
        let (cd0, cd1) = (_mm256_unpacklo_pd(c, d), _mm256_unpackhi_pd(c, d));
        [
            _mm256_permute2f128_pd::<0x20>(ab0, cd0),
            _mm256_permute2f128_pd::<0x20>(ab1, cd1),
            _mm256_permute2f128_pd::<0x31>(ab0, cd0),
            _mm256_permute2f128_pd::<0x31>(ab1, cd1),
        ]
    }

    /// `rows_to_lanes8` for `f64`, 4×4 tiles (`rows.len()` and `dst.len()` multiples of 4).
    #[target_feature(enable = "avx")]
    pub fn rows_to_lanes4<const L: usize>(rows: &[&[f64]], dst: &mut [[f64; L]]) {
        for s in (0..dst.len()).step_by(SPAN) {
            let e = dst.len().min(s + SPAN);
            let d = &mut dst[s..e];
            for lb in (0..rows.len()).step_by(4) {
                let r: [&[f64]; 4] = std::array::from_fn(|k| &rows[lb + k][s..e]);
                for t in (0..e - s).step_by(4) {
                    let v = tr4d(std::array::from_fn(|k| ld4d(arr(r[k], t))));
                    for (j, vj) in v.into_iter().enumerate() {
                        st4d(arr_mut(&mut d[t + j], lb), vj);
                    }
                }
            }
        }
    }

    /// `rows[k][t] = src[t][k]` for `k < rows.len()` and `t < src.len()` (multiples of `$g`, rows `≤ L`): the
    /// full `$g`×`$g` transpose per tile.
    macro_rules! lanes_to_rows {
        ($name:ident, $T:ty, $g:literal, $ld:ident, $st:ident, $tr:ident) => {
            #[target_feature(enable = "avx")]
            pub fn $name<const L: usize>(src: &[[$T; L]], rows: &mut [&mut [$T]]) {
                for s in (0..src.len()).step_by(SPAN) {
                    let e = src.len().min(s + SPAN);
                    let d = &src[s..e];
                    for lb in (0..rows.len()).step_by($g) {
                        let r = arr_mut::<_, $g>(rows, lb).each_mut().map(|r| &mut r[s..e]);
                        for t in (0..e - s).step_by($g) {
                            let v = $tr(std::array::from_fn(|j| $ld(arr(&d[t + j], lb))));
                            for (k, vk) in v.into_iter().enumerate() {
                                $st(arr_mut(r[k], t), vk);
                            }
                        }
                    }
                }
            }
        };
    }
    lanes_to_rows!(lanes_to_rows8, f32, 8, ld8, st8, tr8);
    lanes_to_rows!(lanes_to_rows4, f64, 4, ld4d, st4d, tr4d);
}

#[cfg(not(target_arch = "x86_64"))]
mod avx {
    #[inline(always)]
    pub fn rows<T>(_: usize, _: usize, _: Option<[*const T; 2]>) -> usize {
        0
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

/// The tile loops of one type: `$g` rows × `$g` steps per register tile, `$ld`/`$st`/`$tr` its moves; `$wide`
/// the rows per [`avx`] tile (taken first, for whole groups of them, when the CPU has AVX), `$w2l`/`$l2r` its
/// moves.
macro_rules! tiles {
    ($T:ty, $g:literal, $ld:ident, $st:ident, $tr:ident, $wg:literal, $w2l:ident, $l2r:ident) => {
        impl Tile for $T {
            #[inline(always)]
            fn rows_to_lanes<const L: usize>(rows: &[&[$T]], dst: &mut [[$T; L]]) {
                let w = avx::rows(rows.len(), $wg, rows.get(..2).map(|r| [r[0].as_ptr(), r[1].as_ptr()]));
                #[cfg(target_arch = "x86_64")]
                if w > 0 {
                    let full = dst.len() / $wg * $wg;
                    // SAFETY: `avx::rows` is non-zero only when the CPU reports AVX, the one requirement.
                    unsafe { avx::$w2l(&rows[..w], &mut dst[..full]) };
                    rows_to_lanes_plain(&rows[..w], 0, dst, full);
                }
                let tiled = if TILED { w + (rows.len() - w) / $g * $g } else { 0 };
                let full = if TILED { dst.len() / $g * $g } else { 0 };
                #[cfg(target_arch = "x86_64")]
                for s in (0..full).step_by(SPAN) {
                    let e = full.min(s + SPAN);
                    let d = &mut dst[s..e];
                    for lb in (w..tiled).step_by($g) {
                        let r: [&[$T]; $g] = std::array::from_fn(|k| &rows[lb + k][s..e]);
                        for t in (0..e - s).step_by($g) {
                            let v = sse::$tr(std::array::from_fn(|k| sse::$ld(arr(r[k], t))));
                            for (j, vj) in v.into_iter().enumerate() {
                                sse::$st(arr_mut(&mut d[t + j], lb), vj);
                            }
                        }
                    }
                }
                rows_to_lanes_rest(rows, w, tiled, full, dst);
            }

            #[inline(always)]
            fn lanes_to_rows<const L: usize>(src: &[[$T; L]], rows: &mut [&mut [$T]]) {
                let w = avx::rows(rows.len(), $wg, rows.get(..2).map(|r| [r[0].as_ptr(), r[1].as_ptr()]));
                #[cfg(target_arch = "x86_64")]
                if w > 0 {
                    let full = src.len() / $wg * $wg;
                    // SAFETY: as in `rows_to_lanes`.
                    unsafe { avx::$l2r(&src[..full], &mut rows[..w]) };
                    lanes_to_rows_plain(src, 0, &mut rows[..w], full);
                }
                let tiled = if TILED { w + (rows.len() - w) / $g * $g } else { 0 };
                let full = if TILED { src.len() / $g * $g } else { 0 };
                #[cfg(target_arch = "x86_64")]
                for s in (0..full).step_by(SPAN) {
                    let e = full.min(s + SPAN);
                    let d = &src[s..e];
                    for lb in (w..tiled).step_by($g) {
                        let r = arr_mut::<_, $g>(rows, lb).each_mut().map(|r| &mut r[s..e]);
                        for t in (0..e - s).step_by($g) {
                            let v = sse::$tr(std::array::from_fn(|j| sse::$ld(arr(&d[t + j], lb))));
                            for (k, vk) in v.into_iter().enumerate() {
                                sse::$st(arr_mut(r[k], t), vk);
                            }
                        }
                    }
                }
                lanes_to_rows_rest(src, rows, w, tiled, full);
            }
        }
    };
}

tiles!(f32, 4, ld4, st4, tr4, 8, rows_to_lanes8, lanes_to_rows8);
tiles!(f64, 2, ld2, st2, tr2, 4, rows_to_lanes4, lanes_to_rows4);

#[cfg(test)]
mod tests {
    use super::Tile;

    /// Every row count up to `L` and lengths around the tile, span and block edges, both ways: each value
    /// lands at its transposed place and lanes past the rows keep what they held.
    fn round_trip<T: Tile + PartialEq + std::fmt::Debug + From<u16>, const L: usize>() {
        for nl in 1..=L {
            for len in [0, 1, 3, 4, 5, 7, 8, 9, 15, 17, 255, 256, 257, 300, 513, 1030] {
                let val = |k: usize, t: usize| T::from((k * 2000 + t) as u16);
                let src: Vec<Vec<T>> = (0..nl).map(|k| (0..len).map(|t| val(k, t)).collect()).collect();
                let rows: Vec<&[T]> = src.iter().map(|r| &r[..]).collect();
                let mark = T::from(u16::MAX);
                let mut lanes = vec![[mark; L]; len];
                T::rows_to_lanes(&rows, &mut lanes);
                for (t, d) in lanes.iter().enumerate() {
                    for (k, v) in d.iter().enumerate() {
                        assert_eq!(*v, if k < nl { val(k, t) } else { mark }, "gather nl {nl} len {len} t {t} k {k}");
                    }
                }
                let mut back: Vec<Vec<T>> = vec![vec![mark; len]; nl];
                let mut rows: Vec<&mut [T]> = back.iter_mut().map(|r| &mut r[..]).collect();
                T::lanes_to_rows(&lanes, &mut rows);
                assert_eq!(back, src, "scatter nl {nl} len {len}");
            }
        }
    }

    #[test]
    fn tiles_move_every_value_f32() {
        round_trip::<f32, 16>();
        round_trip::<f32, 8>();
    }

    #[test]
    fn tiles_move_every_value_f64() {
        round_trip::<f64, 8>();
        round_trip::<f64, 4>();
    }
}
