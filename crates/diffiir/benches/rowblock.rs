//! A prototype, not a library path: the biquad recursion in row layout, eight samples per step, beside the
//! library's lane kernels on the same data (f32, 1 thread, one `b`/`a` pair for every signal).
//!
//! The lane kernels transpose signals into lanes so one vector step advances 16 signals by one sample. This
//! prototype instead advances one signal by a block of eight samples, reading and writing rows as they lie in
//! memory (no transposition). With `y[t] = Σ b_k x[t−k] − Σ a_k y[t−k]` (direct form I, `a0 = 1`), linearity
//! gives for the block `t0 .. t0+8`
//! ```text
//! y[t0+i] = Σ_{j<8} h_j[i]·x[t0+j] + p_1[i]·x[t0−1] + p_2[i]·x[t0−2] + q_1[i]·y[t0−1] + q_2[i]·y[t0−2]
//! ```
//! with the twelve 8-vectors `h_j`, `p`, `q` the block's responses to each unit input (computed once, in f64).
//! Only the last two terms wait on the previous block, so the loop-carried chain is one broadcast, one multiply
//! and two adds per eight samples; `R` signals interleave to fill the arithmetic pipes. The adjoint runs the
//! same block recursion backwards for `λ[t] = ∂L/∂y[t] − a_1 λ[t+1] − a_2 λ[t+2]`, then one pass along the
//! rows gives `∂L/∂x[t] = Σ b_k λ[t+k]`, `∂L/∂b_k = Σ λ[t] x[t−k]` and `∂L/∂a_k = −Σ λ[t] y[t−k]`.
//!
//! `cargo bench -p diffiir --bench rowblock`: W1 (16 × 48000), W5 (1 × 4.8 M: the library takes its chunked
//! path) and W6 (4096 × 1024), minima and medians over alternated rounds (ms). The prototype's outputs are
//! checked against the library's before timing. Findings are in BENCHMARKS.md ("Row-layout block recursion").
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::needless_range_loop)]
use diffiir::*;
use std::time::Instant;

type V8 = [f32; 8];

/// The block's response columns: `h[j]` to `x[t0+j]` (`j < 8`), `h[8]`/`h[9]` to `x[t0−1]`/`x[t0−2]`, `q[0]`/`q[1]`
/// to `y[t0−1]`/`y[t0−2]`; `g[j]`/`d` the same for the adjoint's all-pole recursion run backwards.
#[derive(Clone, Copy)]
struct Cols {
    h: [V8; 10],
    q: [V8; 2],
    g: [V8; 8],
    d: [V8; 2],
    b: [f32; 3],
}

fn cols(b: [f64; 3], a: [f64; 3]) -> Cols {
    let (b, a1, a2) = (b.map(|v| v / a[0]), a[1] / a[0], a[2] / a[0]);
    // Forward: inputs xs[0..8] in the block, xs[8] = x[−1], xs[9] = x[−2]; ys = (y[−1], y[−2]).
    let fwd = |xs: [f64; 10], ys: [f64; 2]| -> V8 {
        let xv = |t: isize| if t >= 0 { xs[t as usize] } else { xs[(7 - t) as usize] };
        let mut y = [ys[1], ys[0], 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        for t in 0..8isize {
            let u = t as usize + 2;
            y[u] = b[0] * xv(t) + b[1] * xv(t - 1) + b[2] * xv(t - 2) - a1 * y[u - 1] - a2 * y[u - 2];
        }
        std::array::from_fn(|i| y[i + 2] as f32)
    };
    // Adjoint, backwards: λ[i] = s[i] − a1 λ[i+1] − a2 λ[i+2], with λ[8], λ[9] carried in.
    let back = |s: [f64; 8], l8: f64, l9: f64| -> V8 {
        let mut l = [0f64; 10];
        (l[8], l[9]) = (l8, l9);
        for i in (0..8).rev() {
            l[i] = s[i] - a1 * l[i + 1] - a2 * l[i + 2];
        }
        std::array::from_fn(|i| l[i] as f32)
    };
    Cols {
        h: std::array::from_fn(|j| fwd(unit(j), [0.0; 2])),
        q: [fwd([0.0; 10], [1.0, 0.0]), fwd([0.0; 10], [0.0, 1.0])],
        g: std::array::from_fn(|j| back(unit(j), 0.0, 0.0)),
        d: [back([0.0; 8], 1.0, 0.0), back([0.0; 8], 0.0, 1.0)],
        b: b.map(|v| v as f32),
    }
}

/// The unit vector `e_j`.
fn unit<const N: usize>(j: usize) -> [f64; N] {
    std::array::from_fn(|i| if i == j { 1.0 } else { 0.0 })
}

fn v8(s: &[f32]) -> &V8 {
    s[..8].try_into().unwrap()
}

/// `c0·s0 + c1·s1`.
#[inline(always)]
fn pair(c0: &V8, s0: f32, c1: &V8, s1: f32) -> V8 {
    std::array::from_fn(|i| c0[i] * s0 + c1[i] * s1)
}

#[inline(always)]
fn add(p: V8, q: V8) -> V8 {
    std::array::from_fn(|i| p[i] + q[i])
}

/// `Σ_j c[j]·v[j]` over eight columns, as a tree of pairs.
#[inline(always)]
fn toeplitz(c: &[V8], v: &V8) -> V8 {
    let p = |j: usize| pair(&c[j], v[j], &c[j + 1], v[j + 1]);
    add(add(p(0), p(2)), add(p(4), p(6)))
}

/// Rows of `t` samples (a multiple of 8), `R` signals interleaved.
#[target_feature(enable = "avx2")]
fn fwd_rows<const R: usize>(x: &[f32], y: &mut [f32], t: usize, c: &Cols) {
    for r0 in (0..x.len() / t).step_by(R) {
        let (mut py, mut px) = ([[0f32; 8]; R], [[0f32; 8]; R]);
        for i0 in (0..t).step_by(8) {
            for r in 0..R {
                let xb = *v8(&x[(r0 + r) * t + i0..]);
                let p = add(toeplitz(&c.h, &xb), pair(&c.h[8], px[r][7], &c.h[9], px[r][6]));
                let out = add(p, pair(&c.q[0], py[r][7], &c.q[1], py[r][6]));
                y[(r0 + r) * t + i0..][..8].copy_from_slice(&out);
                (py[r], px[r]) = (out, xb);
            }
        }
    }
}

/// `∂L/∂x` into `gx`, `∂L/∂b` and `∂L/∂a_{1,2}` summed over the signals; `lam` holds `R` rows of `t + 8`.
#[target_feature(enable = "avx2")]
fn adj_rows<const R: usize>(x: &[f32], y: &[f32], gy: &[f32], t: usize, c: &Cols, gx: &mut [f32], lam: &mut [f32]) -> [f32; 5] {
    let w = t + 8;
    let mut sums = [0f32; 5];
    for r0 in (0..x.len() / t).step_by(R) {
        let mut pl = [[0f32; 8]; R];
        for r in 0..R {
            lam[r * w + t..][..8].fill(0.0);
        }
        for i0 in (0..t).step_by(8).rev() {
            for r in 0..R {
                let p = toeplitz(&c.g, v8(&gy[(r0 + r) * t + i0..]));
                let out = add(p, pair(&c.d[0], pl[r][0], &c.d[1], pl[r][1]));
                lam[r * w + i0..][..8].copy_from_slice(&out);
                pl[r] = out;
            }
        }
        for r in 0..R {
            let s = r0 + r;
            let (l, xr, yr, g) = (&lam[r * w..][..w], &x[s * t..][..t], &y[s * t..][..t], &mut gx[s * t..][..t]);
            let mut acc = [[0f32; 8]; 5];
            for i0 in (8..t).step_by(8) {
                let (l0, l1, l2) = (v8(&l[i0..]), v8(&l[i0 + 1..]), v8(&l[i0 + 2..]));
                let o: V8 = std::array::from_fn(|i| c.b[0] * l0[i] + c.b[1] * l1[i] + c.b[2] * l2[i]);
                g[i0..][..8].copy_from_slice(&o);
                let rows = [v8(&xr[i0..]), v8(&xr[i0 - 1..]), v8(&xr[i0 - 2..]), v8(&yr[i0 - 1..]), v8(&yr[i0 - 2..])];
                for (a, v) in acc.iter_mut().zip(rows) {
                    *a = std::array::from_fn(|i| a[i] + l0[i] * v[i]);
                }
            }
            for i in 0..8 {
                g[i] = c.b[0] * l[i] + c.b[1] * l[i + 1] + c.b[2] * l[i + 2];
                for (k, (row, lag)) in [(xr, 0), (xr, 1), (xr, 2), (yr, 1), (yr, 2)].into_iter().enumerate() {
                    if i >= lag {
                        acc[k][0] += l[i] * row[i - lag];
                    }
                }
            }
            for (k, a) in acc.iter().enumerate() {
                sums[k] += a.iter().sum::<f32>() * if k >= 3 { -1.0 } else { 1.0 };
            }
        }
    }
    sums
}

fn max_abs_diff(p: &[f32], q: &[f32]) -> f32 {
    p.iter().zip(q).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max)
}

fn main() {
    if !is_x86_feature_detected!("avx2") {
        println!("rowblock: needs AVX2");
        return;
    }
    let quick = std::env::var("DIFFIIR_BENCH_QUICK").is_ok();
    let (bc, ac) = ([0.2f32, 0.3, 0.1], [1.0f32, -1.6, 0.8]);
    let c = cols(bc.map(f64::from), ac.map(f64::from));
    println!("| shape | lanes fwd | rows fwd | lanes adjoint | rows adjoint | (ms: minimum, median over rounds) |");
    println!("|---|---|---|---|---|---|");
    for (name, bn, t) in [("W1 16 × 48000", 16, 48000), ("W5 1 × 4.8M", 1, 4_800_000), ("W6 4096 × 1024", 4096, 1024)] {
        let d = Dims::new(bn, t);
        let mut seed = 12345u64;
        let mut rnd = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as f64 / (1u64 << 31) as f64 - 0.5) as f32
        };
        let x: Vec<f32> = (0..bn * t).map(|_| rnd()).collect();
        let gy: Vec<f32> = (0..bn * t).map(|_| rnd()).collect();
        let (cb, ca) = (Coefs::shared(&bc), Coefs::shared(&ac));
        let par = Par::Seq;
        let (mut y, mut y2, mut gx, mut gx2) = (vec![0f32; bn * t], vec![0f32; bn * t], vec![0f32; bn * t], vec![0f32; bn * t]);
        let mut s = vec![0f32; lfilter_scratch_len::<f32>(&cb, &ca, d, par)];
        let mut sa = vec![0f32; lfilter_adjoint_scratch_len::<f32>(&cb, &ca, d, par)];
        let mut lam = vec![0f32; 2 * (t + 8)];
        let (mut gb, mut ga) = ([0f32; 3], [0f32; 3]);
        let mut sums = [0f32; 5];
        let mut run = |k: usize| match k {
            0 => lfilter_into(cb, ca, &x, d, None, &mut y, None, &mut s, par).unwrap(),
            // SAFETY (both prototype calls): AVX2 was detected above.
            1 if bn % 2 == 0 => unsafe { fwd_rows::<2>(&x, &mut y2, t, &c) },
            1 => unsafe { fwd_rows::<1>(&x, &mut y2, t, &c) },
            2 => {
                let out = LfilterGradsMut { x: Some(&mut gx), b: Some(&mut gb), a: Some(&mut ga), zi: None };
                lfilter_adjoint_into(cb, ca, &x, &y, d, &gy, None, out, &mut sa, par).unwrap()
            }
            _ if bn % 2 == 0 => sums = unsafe { adj_rows::<2>(&x, &y, &gy, t, &c, &mut gx2, &mut lam) },
            _ => sums = unsafe { adj_rows::<1>(&x, &y, &gy, t, &c, &mut gx2, &mut lam) },
        };
        (0..4).for_each(&mut run);
        let mut times = [(); 4].map(|_| Vec::new());
        let rounds = if quick { 1 } else { 12 };
        for _ in 0..rounds {
            for (k, v) in times.iter_mut().enumerate() {
                let t0 = Instant::now();
                run(k);
                v.push(t0.elapsed().as_secs_f64() * 1e3);
            }
        }
        // Checked after timing so the closure's borrows have ended; the data did not change.
        let scale = y.iter().fold(0f32, |m, v| m.max(v.abs()));
        let gscale = gx.iter().fold(0f32, |m, v| m.max(v.abs()));
        assert!(max_abs_diff(&y, &y2) <= 1e-5 * scale, "{name}: forward differs");
        assert!(max_abs_diff(&gx, &gx2) <= 1e-5 * gscale, "{name}: ∂L/∂x differs");
        let lib = [gb[0], gb[1], gb[2], ga[1], ga[2]];
        for (p, q) in lib.iter().zip(&sums) {
            assert!((p - q).abs() <= 1e-3 * p.abs().max(1.0), "{name}: coefficient gradients differ: {lib:?} vs {sums:?}");
        }
        let cell = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            format!("{:.3}, {:.3}", v[0], v[v.len() / 2])
        };
        let [f0, f1, a0, a1] = times.each_mut().map(cell);
        println!("| {name} | {f0} | {f1} | {a0} | {a1} | |");
    }
}
