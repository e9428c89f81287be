//! The row-layout block path ([`Path::Rows`]) beside the lane paths on the same data: `lfilter` biquad
//! forward and fused adjoint (`x`, `b`, `a`), f32, one `b`/`a` pair for every signal.
//!
//! Shapes: W5 (1 × 4.8 M, where `Auto` took the chunked path before and takes the rows path on one thread
//! now), a stereo second (2 × 48000), W1 (16 × 48000) and W6 (4096 × 1024), where `Auto` keeps the sequential
//! lane kernels. Each path runs on one thread and on two (the rows path gives each signal one thread, so a lone
//! signal gains nothing from the second, and `Auto` leaves a long one to the chunked path there). Minima and
//! medians over alternated rounds, ms.
//!
//! `cargo bench -p diffiir --bench rowblock`; `DIFFIIR_BENCH_QUICK=1` runs one round (a smoke test).
#![allow(clippy::unwrap_used)]
use diffiir::*;
use std::time::Instant;

fn main() {
    let quick = std::env::var("DIFFIIR_BENCH_QUICK").is_ok();
    let (bc, ac) = ([0.2f32, 0.3, 0.1], [1.0f32, -1.6, 0.8]);
    let (cb, ca) = (Coefs::shared(&bc), Coefs::shared(&ac));
    println!("| shape | path | forward | adjoint (x, b, a) | (ms: minimum, median) |");
    println!("|---|---|---|---|---|");
    for (name, bn, t) in
        [("W5 1 × 4.8M", 1, 4_800_000), ("2 × 48000", 2, 48_000), ("W1 16 × 48000", 16, 48_000), ("W6 4096 × 1024", 4096, 1024)]
    {
        let d = Dims::new(bn, t);
        let mut seed = 12345u64;
        let mut rnd = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as f64 / (1u64 << 31) as f64 - 0.5) as f32
        };
        let x: Vec<f32> = (0..bn * t).map(|_| rnd()).collect();
        let gy: Vec<f32> = (0..bn * t).map(|_| rnd()).collect();
        let lane = if bn * 4 <= f32::LANES && t >= 65_536 { Path::Chunked } else { Path::Sequential };
        let pars =
            [Par::Seq.with_path(lane), Par::Rayon(2).with_path(lane), Par::Seq.with_path(Path::Rows), Par::Rayon(2).with_path(Path::Rows)];
        let (mut y, mut gx) = (vec![0f32; bn * t], vec![0f32; bn * t]);
        let (mut gb, mut ga) = ([0f32; 3], [0f32; 3]);
        let mut s = vec![0f32; pars.iter().map(|&p| lfilter_scratch_len(&cb, &ca, d, p)).max().unwrap()];
        let mut sa = vec![0f32; pars.iter().map(|&p| lfilter_adjoint_scratch_len(&cb, &ca, d, p)).max().unwrap()];
        let mut times = vec![[Vec::new(), Vec::new()]; pars.len()];
        for _ in 0..if quick { 1 } else { 10 } {
            for (p, tm) in pars.iter().zip(&mut times) {
                let t0 = Instant::now();
                lfilter_into(cb, ca, &x, d, None, &mut y, None, &mut s, *p).unwrap();
                tm[0].push(t0.elapsed().as_secs_f64() * 1e3);
                let t0 = Instant::now();
                let out = LfilterGradsMut { x: Some(&mut gx), b: Some(&mut gb), a: Some(&mut ga), zi: None };
                lfilter_adjoint_into(cb, ca, &x, &y, d, &gy, None, out, &mut sa, *p).unwrap();
                tm[1].push(t0.elapsed().as_secs_f64() * 1e3);
            }
        }
        let cell = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            format!("{:.3}, {:.3}", v[0], v[v.len() / 2])
        };
        for (p, tm) in pars.iter().zip(&mut times) {
            let threads = if p.workers(2) > 1 { ", 2 threads" } else { "" };
            println!("| {name} | {:?}{threads} | {} | {} | |", p.path(), cell(&mut tm[0]), cell(&mut tm[1]));
        }
    }
}
