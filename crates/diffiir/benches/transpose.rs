//! Why `src/transpose.rs` uses SSE2 register tiles (its `unsafe` loads and stores): the lane kernels move
//! every array through a rows ↔ time-major-lanes transposition, and this probe times that move on W1's
//! layout (16 rows × 48000 f32, 1024-step blocks) both ways in one run, beside a plain `copy_from_slice` of
//! the same 3 MB as the bandwidth reference.
//!
//! `cargo bench -p diffiir --bench transpose`. The element-wise versions are what the kernels did before
//! (lockstep gather, row-by-row scatter); the tile versions walk each row group over the whole block (the
//! previous `transpose.rs`) or over 256-step spans of it (the current one).
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
    println!("| move (16 × 48000 f32, 3 MB) | ms |\n|---|---|");
    println!("| copy_from_slice | {copy:.3} |\n| gather, element-wise | {ge:.3} |\n| scatter, element-wise | {se:.3} |");
    #[cfg(target_arch = "x86_64")]
    println!("| gather, SSE2 4×4 tiles, whole block per row group | {gt:.3} |\n| scatter, same | {st:.3} |");
    #[cfg(target_arch = "x86_64")]
    println!("| gather, SSE2 4×4 tiles, 256-step spans (transpose.rs) | {gs:.3} |\n| scatter, same | {ss:.3} |");
}
