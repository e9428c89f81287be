//! The tile loops (AVX2 level, `f32`: `allpole` of order 2 with per-sample coefficients, `lfilter` of order 2
//! with time-invariant ones) against the lane path (baseline level): the same bits for `y` and `zf`, whole
//! chunks and ragged ones, lengths around the tile of 8 samples, one and two threads, with and without `zi`,
//! signed zeros; and against the reference loop to rounding.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::Rng;
use diffiir::*;

fn run(x: &[f32], d: Dims, a: &[f32], zi: Option<&[f32]>, par: Par) -> (Vec<f32>, Vec<f32>) {
    let a = Coefs::per_sample(a, 2);
    let (mut y, mut zf) = (vec![f32::NAN; d.numel()], vec![f32::NAN; d.batch * 2]);
    let mut s = vec![0.0; allpole_scratch_len(d, &a, par)];
    allpole_into(x, d, a, zi, &mut y, Some(&mut zf), &mut s, par).unwrap();
    (y, zf)
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Per-sample sets of a resonant sweep (poles up to radius 0.999), as W4's.
fn sweep(rng: &mut Rng, d: Dims) -> Vec<f32> {
    let mut a = Vec::with_capacity(d.numel() * 2);
    for _ in 0..d.batch {
        let (r, w0, dw) = (rng.range(0.9, 0.999), rng.range(0.01, 3.0), rng.range(-1e-3, 1e-3));
        for t in 0..d.len {
            let w = (w0 + dw * t as f64).clamp(0.001, 3.1);
            a.extend([(-2.0 * r * w.cos()) as f32, (r * r) as f32]);
        }
    }
    a
}

#[test]
fn tile_loop_equals_lane_path() {
    #[cfg(target_arch = "x86_64")]
    assert!(Simd::Avx2.is_available(), "this test needs an AVX2 CPU to compare the tile loop at all");
    let mut rng = Rng::new(81);
    // 16 and 32 rows: whole 16-lane chunks (on two threads, 8-lane ones); 24 and 21: a ragged last chunk.
    for (batch, len) in [(16, 4_000), (16, 13), (16, 8), (16, 7), (32, 1_001), (24, 263), (21, 96), (16, 2_048)] {
        let d = Dims::new(batch, len);
        let x: Vec<f32> = rng.vec(d.numel()).into_iter().map(|v| v as f32).collect();
        let a = sweep(&mut rng, d);
        let zi: Vec<f32> = rng.vec(batch * 2).into_iter().map(|v| v as f32).collect();
        for zi in [None, Some(&zi[..])] {
            for par in [Par::Seq, Par::Rayon(2).with_grain(0)] {
                let want = run(&x, d, &a, zi, par.with_simd(Simd::Baseline));
                let got = run(&x, d, &a, zi, par.with_simd(Simd::Auto));
                let what = format!("{batch}×{len} zi {} {par:?}", zi.is_some());
                assert_eq!(bits(&got.0), bits(&want.0), "y: {what}");
                assert_eq!(bits(&got.1), bits(&want.1), "zf: {what}");
                let r = reference::allpole(&x, d, Coefs::per_sample(&a, 2), zi).unwrap();
                // Normwise: both loops round in f32, and near-marginal poles amplify the differences.
                let peak = r.y.iter().fold(1.0f32, |m, w| m.max(w.abs()));
                let err = got.0.iter().zip(&r.y).map(|(g, w)| (g - w).abs()).fold(0.0, f32::max) / peak;
                assert!(err < 1e-3, "{what}: error {err} of the peak {peak} against the reference loop");
            }
        }
    }
}

/// `−0` inputs with zero coefficients: the lane path computes `(x − (0 + a_2·y[n−2])) − a_1·y[n−1]`, whose
/// `0 +` turns a `−0` product into `+0`; the tile loop must keep it to give the same signs.
#[test]
fn tile_loop_keeps_signed_zeros() {
    let d = Dims::new(16, 24);
    let x: Vec<f32> = (0..d.numel()).map(|i| if i % 3 == 0 { -0.0 } else { 0.0 }).collect();
    let a: Vec<f32> = (0..d.numel() * 2).map(|i| if i % 5 == 0 { -0.0 } else { 0.0 }).collect();
    let zi: Vec<f32> = (0..d.batch * 2).map(|i| if i % 2 == 0 { -0.0 } else { 1.0 }).collect();
    for zi in [None, Some(&zi[..])] {
        let want = run(&x, d, &a, zi, Par::Seq.with_simd(Simd::Baseline));
        let got = run(&x, d, &a, zi, Par::Seq);
        assert_eq!(bits(&got.0), bits(&want.0), "y, zi {}", zi.is_some());
        assert_eq!(bits(&got.1), bits(&want.1), "zf, zi {}", zi.is_some());
    }
}

/// A stream's blocks may end anywhere (here at lengths that are no multiple of the tile): the outputs equal
/// one call over the whole signal.
#[test]
fn tile_loop_streams() {
    let mut rng = Rng::new(82);
    let d = Dims::new(16, 1_000);
    let x: Vec<f32> = rng.vec(d.numel()).into_iter().map(|v| v as f32).collect();
    let a = sweep(&mut rng, d);
    let whole = run(&x, d, &a, None, Par::Seq);
    let mut zi = vec![0.0f32; 32];
    let mut y = vec![0.0f32; d.numel()];
    let mut t0 = 0;
    for len in [5, 8, 101, 256, 630] {
        let dd = Dims::new(16, len);
        let xb: Vec<f32> = (0..16).flat_map(|b| x[b * 1000 + t0..][..len].to_vec()).collect();
        let ab: Vec<f32> = (0..16).flat_map(|b| a[(b * 1000 + t0) * 2..][..len * 2].to_vec()).collect();
        let (yb, zf) = run(&xb, dd, &ab, Some(&zi), Par::Seq);
        for b in 0..16 {
            y[b * 1000 + t0..][..len].copy_from_slice(&yb[b * len..][..len]);
        }
        zi = zf;
        t0 += len;
    }
    assert_eq!(bits(&y), bits(&whole.0));
    assert_eq!(bits(&zi), bits(&whole.1));
}

/// `y`, `zf` and, for the loss `Σ w·y + Σ v·zf`, every gradient: `x`, `b`, `a`, `zi` (`b` and `a` skipped, left
/// NaN, without `want_c`).
fn run_lf(
    x: &[f32],
    d: Dims,
    b: Coefs<'_, f32>,
    a: Coefs<'_, f32>,
    zi: Option<&[f32]>,
    want_c: bool,
    par: Par,
) -> (Vec<f32>, Vec<f32>, Vec<Vec<f32>>) {
    let (mut y, mut zf) = (vec![f32::NAN; d.numel()], vec![f32::NAN; d.batch * 2]);
    let mut s = vec![0.0; lfilter_scratch_len(&b, &a, d, par)];
    lfilter_into(b, a, x, d, zi, &mut y, Some(&mut zf), &mut s, par).unwrap();
    let gy: Vec<f32> = (0..d.numel()).map(|i| ((i * 37) % 11) as f32 / 5.0 - 1.0).collect();
    let gzf: Vec<f32> = (0..zf.len()).map(|i| i as f32 / 7.0 - 1.0).collect();
    let mut g = [vec![f32::NAN; d.numel()], vec![f32::NAN; b.data.len()], vec![f32::NAN; a.data.len()], vec![f32::NAN; zf.len()]];
    let mut s = vec![0.0; lfilter_adjoint_scratch_len(&b, &a, d, par)];
    let [gx, gb, ga, gzi] = &mut g;
    let out = LfilterGradsMut { x: Some(gx), b: pick(gb, want_c), a: pick(ga, want_c), zi: Some(gzi) };
    lfilter_adjoint_into(b, a, x, &y, d, &gy, Some(&gzf), out, &mut s, par).unwrap();
    (y, zf, g.to_vec())
}

/// `lfilter` biquads (per-signal and shared sets, `a_0 ≠ 1`, a first-order numerator): the tile loops' bits —
/// forward, and the adjoint's every gradient, with and without the coefficients' — equal the lane path's. 16 × 1024 and 16 × 2051 have rows (within
/// a line of) a multiple of 4 KiB apart, which keep the lane path; an adjoint block whose length is no multiple
/// of 8 (2100 = 2·1024 + 52) keeps it too.
#[test]
fn lfilter_tile_loop_equals_lane_path() {
    #[cfg(target_arch = "x86_64")]
    assert!(Simd::Avx2.is_available(), "this test needs an AVX2 CPU to compare the tile loop at all");
    let mut rng = Rng::new(83);
    for (batch, len) in [(16, 3_000), (16, 13), (16, 7), (32, 1_001), (24, 263), (16, 1_024), (48, 96), (16, 2_100), (16, 2_051)] {
        let d = Dims::new(batch, len);
        let x: Vec<f32> = rng.vec(d.numel()).into_iter().map(|v| v as f32).collect();
        let zi: Vec<f32> = rng.vec(batch * 2).into_iter().map(|v| v as f32).collect();
        let sets = |rng: &mut Rng, n: usize, nb: usize| -> (Vec<f32>, Vec<f32>) {
            let b = (0..n * nb).map(|_| rng.range(-1.0, 1.0) as f32).collect();
            let a = (0..n).flat_map(|_| rng.stable_a(2, 0.999).into_iter().map(|v| (1.3 * v) as f32)).collect();
            (b, a)
        };
        let (bp, ap) = sets(&mut rng, batch, 3);
        let (bs, as_) = sets(&mut rng, 1, 2);
        let cases =
            [("per signal", Coefs::per_signal(&bp, 3), Coefs::per_signal(&ap, 3)), ("shared", Coefs::shared(&bs), Coefs::shared(&as_))];
        for (name, b, a) in cases {
            for zi in [None, Some(&zi[..])] {
                for (par, want_c) in [(Par::Seq, true), (Par::Rayon(2).with_grain(0), true), (Par::Seq, false)] {
                    let par = par.with_path(Path::Sequential);
                    let want = run_lf(&x, d, b, a, zi, want_c, par.with_simd(Simd::Baseline));
                    let got = run_lf(&x, d, b, a, zi, want_c, par.with_simd(Simd::Auto));
                    let what = format!("{name} {batch}×{len} zi {} {par:?} coefficient gradients {want_c}", zi.is_some());
                    assert_eq!(bits(&got.0), bits(&want.0), "y: {what}");
                    assert_eq!(bits(&got.1), bits(&want.1), "zf: {what}");
                    for (name, (g, w)) in ["x", "b", "a", "zi"].iter().zip(got.2.iter().zip(&want.2)) {
                        assert_eq!(bits(g), bits(w), "grad {name}: {what}");
                    }
                    let r = reference::lfilter(b, a, &x, d, zi).unwrap();
                    let peak = r.y.iter().fold(1.0f32, |m, w| m.max(w.abs()));
                    let err = got.0.iter().zip(&r.y).map(|(g, w)| (g - w).abs()).fold(0.0, f32::max) / peak;
                    assert!(err < 1e-3, "{what}: error {err} of the peak {peak} against the reference loop");
                }
            }
        }
    }
}

fn pick(g: &mut [f32], w: bool) -> Option<&mut [f32]> {
    w.then_some(g)
}

/// Every gradient of `allpole` (per-sample sets of order 2) for the loss `Σ w·y + Σ v·zf` (`v` only with
/// `gzf`), the outputs `want` picks (`x`, `a`, `zi`) written and the rest skipped.
fn run_adj(y: &[f32], d: Dims, a: &[f32], zi: Option<&[f32]>, with_gzf: bool, want: [bool; 3], par: Par) -> [Vec<f32>; 3] {
    let a = Coefs::per_sample(a, 2);
    let gy: Vec<f32> = (0..d.numel()).map(|i| ((i * 37) % 11) as f32 / 5.0 - 1.0).collect();
    let gzf: Vec<f32> = (0..d.batch * 2).map(|i| i as f32 / 7.0 - 1.0).collect();
    let mut g = [vec![f32::NAN; d.numel()], vec![f32::NAN; a.data.len()], vec![f32::NAN; d.batch * 2]];
    let mut s = vec![0.0; allpole_adjoint_scratch_len(d, &a, par)];
    let [gx, ga, gzi] = &mut g;
    let out = AllpoleGradsMut { x: pick(gx, want[0]), a: pick(ga, want[1]), zi: pick(gzi, want[2]) };
    allpole_adjoint_into(y, d, a, zi, &gy, with_gzf.then_some(&gzf[..]), out, &mut s, par).unwrap();
    g
}

/// The adjoint's tile loop (order 2, per-sample sets) gives the lane path's bits for every gradient: with and
/// without `zi` and `∂L/∂zf` (whose block keeps the lane path), `∂L/∂x` wanted or not (`u` then goes to
/// scratch rows for `∂L/∂a`), ragged chunks and a last block whose length is no multiple of 8 (2100 = 2·1024 + 52).
#[test]
fn allpole_adjoint_tile_loop_equals_lane_path() {
    #[cfg(target_arch = "x86_64")]
    assert!(Simd::Avx2.is_available(), "this test needs an AVX2 CPU to compare the tile loop at all");
    let mut rng = Rng::new(84);
    for (batch, len) in [(16, 3_000), (16, 2_100), (16, 13), (16, 8), (32, 1_001), (24, 263), (16, 2_048), (21, 96)] {
        let d = Dims::new(batch, len);
        let x: Vec<f32> = rng.vec(d.numel()).into_iter().map(|v| v as f32).collect();
        let a = sweep(&mut rng, d);
        let zi: Vec<f32> = rng.vec(batch * 2).into_iter().map(|v| v as f32).collect();
        for zi in [None, Some(&zi[..])] {
            let y = run(&x, d, &a, zi, Par::Seq).0;
            for (gzf, want) in [(false, [true; 3]), (true, [true; 3]), (false, [true, false, false]), (true, [false, true, true])] {
                for par in [Par::Seq, Par::Rayon(2).with_grain(0)] {
                    let par = par.with_path(Path::Sequential);
                    let lanes = run_adj(&y, d, &a, zi, gzf, want, par.with_simd(Simd::Baseline));
                    let tiles = run_adj(&y, d, &a, zi, gzf, want, par.with_simd(Simd::Auto));
                    let what = format!("{batch}×{len} zi {} gzf {gzf} want {want:?} {par:?}", zi.is_some());
                    for (name, (g, w)) in ["x", "a", "zi"].iter().zip(tiles.iter().zip(&lanes)) {
                        assert_eq!(bits(g), bits(w), "grad {name}: {what}");
                    }
                }
            }
        }
    }
}
