//! Why `src/transpose.rs` uses SSE2 register tiles (its `unsafe` loads and stores): the lane kernels move
//! every array through a rows ↔ time-major-lanes transposition, and this probe times that move on W1's
//! layout (16 rows × 48000 f32, 1024-step blocks) both ways in one run, beside a plain `copy_from_slice` of
//! the same 3 MB as the bandwidth reference.
//!
//! `cargo bench -p diffiir --bench transpose`. The element-wise versions are what the kernels did before
//! (lockstep gather, row-by-row scatter); the tile versions walk each row group over the whole block (the
//! previous `transpose.rs`) or over 256-step spans of it (the current one, whose 4×4 SSE2 tiles are now
//! the fallback), and the AVX 8×8 tiles over the same spans (what `transpose.rs` takes when the CPU has AVX).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;
use common::median_ms as time;
#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

const L: usize = 16;
const TB: usize = 1024;

fn gather_elementwise(src: &[f32], tlen: usize, t0: usize, dst: &mut [[f32; L]]) {
    let rows: [&[f32]; L] = std::array::from_fn(|l| &src[l * tlen + t0..][..dst.len()]);
    for (t, d) in dst.iter_mut().enumerate() {
        for l in 0..L {
            d[l] = rows[l][t];
        }
    }
}

fn scatter_elementwise(src: &[[f32; L]], dst: &mut [f32], tlen: usize, t0: usize) {
    for (ti, tile) in src.chunks(16).enumerate() {
        for l in 0..L {
            for (t, s) in tile.iter().enumerate() {
                dst[l * tlen + t0 + ti * 16 + t] = s[l];
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn tr4(a: __m128, b: __m128, c: __m128, d: __m128) -> [__m128; 4] {
    unsafe {
        let (ab0, cd0) = (_mm_unpacklo_ps(a, b), _mm_unpacklo_ps(c, d));
        let (ab1, cd1) = (_mm_unpackhi_ps(a, b), _mm_unpackhi_ps(c, d));
        [_mm_movelh_ps(ab0, cd0), _mm_movehl_ps(cd0, ab0), _mm_movelh_ps(ab1, cd1), _mm_movehl_ps(cd1, ab1)]
    }
}

#[cfg(target_arch = "x86_64")]
fn gather_tiles(src: &[f32], tlen: usize, t0: usize, dst: &mut [[f32; L]]) {
    for lb in (0..L).step_by(4) {
        let r: [&[f32]; 4] = std::array::from_fn(|k| &src[(lb + k) * tlen + t0..][..dst.len()]);
        for t in (0..dst.len()).step_by(4) {
            let v = unsafe { tr4(_mm_loadu_ps(&r[0][t]), _mm_loadu_ps(&r[1][t]), _mm_loadu_ps(&r[2][t]), _mm_loadu_ps(&r[3][t])) };
            for (j, vj) in v.into_iter().enumerate() {
                unsafe { _mm_storeu_ps(dst[t + j][lb..lb + 4].as_mut_ptr(), vj) };
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn scatter_tiles(src: &[[f32; L]], dst: &mut [f32], tlen: usize, t0: usize) {
    for lb in (0..L).step_by(4) {
        for t in (0..src.len()).step_by(4) {
            let v = unsafe {
                tr4(_mm_loadu_ps(&src[t][lb]), _mm_loadu_ps(&src[t + 1][lb]), _mm_loadu_ps(&src[t + 2][lb]), _mm_loadu_ps(&src[t + 3][lb]))
            };
            for (k, vk) in v.into_iter().enumerate() {
                unsafe { _mm_storeu_ps(dst[(lb + k) * tlen + t0 + t..][..4].as_mut_ptr(), vk) };
            }
        }
    }
}

/// The tiles as `transpose.rs` now walks them: one row group across a 256-step span, then the next group, so
/// the span's lane rows stay in L1 (the whole-block walk above rewrites a 64 KiB block from L2 once per group).
#[cfg(target_arch = "x86_64")]
fn gather_spans(src: &[f32], tlen: usize, t0: usize, dst: &mut [[f32; L]]) {
    for s in (0..dst.len()).step_by(256) {
        let n = 256.min(dst.len() - s);
        gather_tiles(src, tlen, t0 + s, &mut dst[s..s + n]);
    }
}

#[cfg(target_arch = "x86_64")]
fn scatter_spans(src: &[[f32; L]], dst: &mut [f32], tlen: usize, t0: usize) {
    for s in (0..src.len()).step_by(256) {
        let n = 256.min(src.len() - s);
        scatter_tiles(&src[s..s + n], dst, tlen, t0 + s);
    }
}

/// 8×8 tiles in 256-bit registers over 256-step spans, as `transpose.rs` moves groups of 8 rows with AVX: the
/// gather loads rows `k` and `k + 4` into one register's halves, so a 4×4 shuffle per half finishes it.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn gather_avx(src: &[f32], tlen: usize, t0: usize, dst: &mut [[f32; L]]) {
    let tr44 = |[a, b, c, d]: [__m256; 4]| {
        let (ab0, cd0) = (_mm256_unpacklo_ps(a, b), _mm256_unpacklo_ps(c, d));
        let (ab1, cd1) = (_mm256_unpackhi_ps(a, b), _mm256_unpackhi_ps(c, d));
        [
            _mm256_shuffle_ps::<0x44>(ab0, cd0),
            _mm256_shuffle_ps::<0xEE>(ab0, cd0),
            _mm256_shuffle_ps::<0x44>(ab1, cd1),
            _mm256_shuffle_ps::<0xEE>(ab1, cd1),
        ]
    };
    for s in (0..dst.len()).step_by(256) {
        let n = 256.min(dst.len() - s);
        for lb in (0..L).step_by(8) {
            let r: [&[f32]; 8] = std::array::from_fn(|k| &src[(lb + k) * tlen + t0 + s..][..n]);
            for t in (0..n).step_by(8) {
                let half = |o: usize| {
                    tr44(std::array::from_fn(|k| unsafe {
                        let lo = _mm256_castps128_ps256(_mm_loadu_ps(r[k][t + o..][..4].as_ptr()));
                        _mm256_insertf128_ps::<1>(lo, _mm_loadu_ps(r[k + 4][t + o..][..4].as_ptr()))
                    }))
                };
                let (v, w) = (half(0), half(4));
                for j in 0..4 {
                    unsafe { _mm256_storeu_ps(dst[s + t + j][lb..lb + 8].as_mut_ptr(), v[j]) };
                    unsafe { _mm256_storeu_ps(dst[s + t + 4 + j][lb..lb + 8].as_mut_ptr(), w[j]) };
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn scatter_avx(src: &[[f32; L]], dst: &mut [f32], tlen: usize, t0: usize) {
    for s in (0..src.len()).step_by(256) {
        let n = 256.min(src.len() - s);
        for lb in (0..L).step_by(8) {
            for t in (0..n).step_by(8) {
                let r: [__m256; 8] = std::array::from_fn(|j| unsafe { _mm256_loadu_ps(src[s + t + j][lb..lb + 8].as_ptr()) });
                let u: [__m256; 8] = std::array::from_fn(|k| {
                    let (a, b) = (r[k / 2 * 2], r[k / 2 * 2 + 1]);
                    if k % 2 == 0 {
                        _mm256_unpacklo_ps(a, b)
                    } else {
                        _mm256_unpackhi_ps(a, b)
                    }
                });
                let q: [__m256; 8] = std::array::from_fn(|k| {
                    let (a, b) = (u[k / 4 * 4 + k % 2], u[k / 4 * 4 + k % 2 + 2]);
                    if k % 4 < 2 {
                        _mm256_shuffle_ps::<0x44>(a, b)
                    } else {
                        _mm256_shuffle_ps::<0xEE>(a, b)
                    }
                });
                // q[k] holds rows lb + (0, 2, 1, 3)[k % 4]'s 4-step groups at steps t..t+4 (low half) and t+4..
                let row = [0, 2, 1, 3];
                for k in 0..4 {
                    let lo = _mm256_permute2f128_ps::<0x20>(q[k], q[k + 4]);
                    let hi = _mm256_permute2f128_ps::<0x31>(q[k], q[k + 4]);
                    let base = (lb + row[k]) * tlen + t0 + s + t;
                    unsafe { _mm256_storeu_ps(dst[base..][..8].as_mut_ptr(), lo) };
                    unsafe { _mm256_storeu_ps(dst[base + 4 * tlen..][..8].as_mut_ptr(), hi) };
                }
            }
        }
    }
}

fn main() {
    let tlen = 48_000;
    let x: Vec<f32> = (0..L * tlen).map(|i| i as f32).collect();
    let mut y = vec![0f32; x.len()];
    let mut blk = vec![[0f32; L]; TB];
    let blocks = |f: &mut dyn FnMut(usize, usize)| (0..tlen).step_by(TB).for_each(|t0| f(t0, TB.min(tlen - t0)));
    let copy = time(1.0, || y.copy_from_slice(&x));
    let g = |f: fn(&[f32], usize, usize, &mut [[f32; L]]), blk: &mut [[f32; L]]| {
        time(1.0, || blocks(&mut |t0, n| f(&x, tlen, t0, &mut blk[..n])))
    };
    let ge = g(gather_elementwise, &mut blk);
    #[cfg(target_arch = "x86_64")]
    let gt = g(gather_tiles, &mut blk);
    #[cfg(target_arch = "x86_64")]
    let gs = g(gather_spans, &mut blk);
    let se = time(1.0, || blocks(&mut |t0, n| scatter_elementwise(&blk[..n], &mut y, tlen, t0)));
    #[cfg(target_arch = "x86_64")]
    let st = time(1.0, || blocks(&mut |t0, n| scatter_tiles(&blk[..n], &mut y, tlen, t0)));
    #[cfg(target_arch = "x86_64")]
    let ss = time(1.0, || blocks(&mut |t0, n| scatter_spans(&blk[..n], &mut y, tlen, t0)));
    #[cfg(target_arch = "x86_64")]
    let avx = std::arch::is_x86_feature_detected!("avx");
    // SAFETY (both): called only where the CPU reports AVX, their one requirement.
    #[cfg(target_arch = "x86_64")]
    let ga = avx.then(|| time(1.0, || blocks(&mut |t0, n| unsafe { gather_avx(&x, tlen, t0, &mut blk[..n]) })));
    #[cfg(target_arch = "x86_64")]
    let sa = avx.then(|| time(1.0, || blocks(&mut |t0, n| unsafe { scatter_avx(&blk[..n], &mut y, tlen, t0) })));
    #[cfg(target_arch = "x86_64")]
    if avx {
        // The AVX pair round-trips the rows exactly (the others are the kernels' history, checked by use).
        y.fill(0.0);
        blocks(&mut |t0, n| unsafe {
            gather_avx(&x, tlen, t0, &mut blk[..n]);
            scatter_avx(&blk[..n], &mut y, tlen, t0);
        });
        assert_eq!(x, y, "AVX gather + scatter");
    }
    println!("| move (16 × 48000 f32, 3 MB) | ms |\n|---|---|");
    println!("| copy_from_slice | {copy:.3} |\n| gather, element-wise | {ge:.3} |\n| scatter, element-wise | {se:.3} |");
    #[cfg(target_arch = "x86_64")]
    println!("| gather, SSE2 4×4 tiles, whole block per row group | {gt:.3} |\n| scatter, same | {st:.3} |");
    #[cfg(target_arch = "x86_64")]
    println!("| gather, SSE2 4×4 tiles, 256-step spans (transpose.rs) | {gs:.3} |\n| scatter, same | {ss:.3} |");
    #[cfg(target_arch = "x86_64")]
    if let (Some(ga), Some(sa)) = (ga, sa) {
        println!("| gather, AVX 8×8 tiles, 256-step spans (transpose.rs with AVX) | {ga:.3} |\n| scatter, same | {sa:.3} |");
    }
}
