//! Where the adjoint's time goes: for W1–W4 shapes (16 × 48000 `f32`, 1 thread), the forward, the adjoint for
//! the input only, and the adjoint for the input and every coefficient (the difference is the coefficient
//! gradients: gathering `x`/`y`, reading the sosfilt tape, the reductions), beside a plain 3 MB copy. Each
//! phase runs at every instruction-set level this CPU has ([`Simd`]), interleaved run by run so drift on a
//! shared machine hits the levels alike; figures are `baseline / avx2`.
//!
//! `cargo bench -p diffiir --bench phases`. Fixed stable coefficients, uniform noise; medians over ≥ 1 s.
#![allow(clippy::unwrap_used)]
use diffiir::*;
use std::time::Instant;

/// Median milliseconds of `f(par)` per available SIMD level, runs interleaved over at least one second per
/// level and five runs; returned as `"a / b"`.
fn med(mut f: impl FnMut(Par)) -> String {
    let levels: Vec<Simd> = Simd::LEVELS.into_iter().filter(|s| s.is_available()).collect();
    let mut v = vec![vec![]; levels.len()];
    let t0 = Instant::now();
    while t0.elapsed().as_secs_f64() < levels.len() as f64 || v[0].len() < 5 {
        for (i, &l) in levels.iter().enumerate() {
            let t = Instant::now();
            f(Par::Seq.with_simd(l));
            v[i].push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    let m: Vec<String> = v
        .iter_mut()
        .map(|v| {
            v.sort_by(|a, b| a.partial_cmp(b).unwrap());
            format!("{:.3}", v[v.len() / 2])
        })
        .collect();
    m.join(" / ")
}
fn main() {
    let d = Dims::new(16, 48000);
    let mut r = 1u64;
    let mut rnd = || {
        r = r.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((r >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    };
    let x: Vec<f32> = (0..d.numel()).map(|_| rnd()).collect();
    let par = Par::Seq;
    let names: Vec<&str> = Simd::LEVELS.into_iter().filter(|s| s.is_available()).map(|s| s.name()).collect();
    println!("levels: {}", names.join(" / "));
    // W1
    let b: Vec<f32> = (0..16).flat_map(|_| [0.1f32, 0.2, 0.1]).collect();
    let a: Vec<f32> = (0..16).flat_map(|_| [1.0f32, -1.6, 0.8]).collect();
    let (cb, ca) = (Coefs::per_signal(&b, 3), Coefs::per_signal(&a, 3));
    let mut y = vec![0f32; d.numel()];
    let mut gx = vec![0f32; d.numel()];
    let gy: Vec<f32> = x.iter().map(|v| v * 0.5).collect();
    let mut s = vec![0f32; lfilter_scratch_len(&cb, &ca, d, par)];
    let mut sa = vec![0f32; lfilter_adjoint_scratch_len(&cb, &ca, d, par)];
    let (mut gb, mut ga) = (vec![0f32; b.len()], vec![0f32; a.len()]);
    let fwd = med(|par| lfilter_into(cb, ca, &x, d, None, &mut y, None, &mut s, par).unwrap());
    let adjx = med(|par| {
        let out = LfilterGradsMut { x: Some(&mut gx), b: None, a: None, zi: None };
        lfilter_adjoint_into(cb, ca, &x, &y, d, &gy, None, out, &mut sa, par).unwrap();
    });
    let adj = med(|par| {
        let out = LfilterGradsMut { x: Some(&mut gx), b: Some(&mut gb), a: Some(&mut ga), zi: None };
        lfilter_adjoint_into(cb, ca, &x, &y, d, &gy, None, out, &mut sa, par).unwrap();
    });
    let cp = med(|_| y.copy_from_slice(&x));
    println!("W1 lfilter biquad: fwd {fwd} ms, adjoint x only {adjx}, adjoint all {adj}; 3 MB copy {cp}");
    // W2
    let sos: Vec<f32> = (0..16 * 8).flat_map(|i| [1.0f32 + 0.01 * (i % 7) as f32, -1.7, 0.8, 1.0, -1.7, 0.79]).collect();
    let k = 48;
    let cs = Coefs::per_signal(&sos, k);
    let mut s = vec![0f32; sosfilt_scratch_len(&cs, d, par)];
    let mut sa = vec![0f32; sosfilt_adjoint_scratch_len(&cs, d, par)];
    let mut tape = vec![0f32; sosfilt_tape_len::<f32>(d, 8)];
    let mut gs = vec![0f32; sos.len()];
    let fwd = med(|par| sosfilt_into(cs, &x, d, None, &mut y, None, None, &mut s, par).unwrap());
    let fwdt = med(|par| sosfilt_into(cs, &x, d, None, &mut y, None, Some(&mut tape), &mut s, par).unwrap());
    let adjx = med(|par| {
        let out = SosfiltGradsMut { x: Some(&mut gx), sos: None, zi: None };
        sosfilt_adjoint_into(cs, &x, &y, &tape, d, &gy, None, out, &mut sa, par).unwrap();
    });
    let adj = med(|par| {
        let out = SosfiltGradsMut { x: Some(&mut gx), sos: Some(&mut gs), zi: None };
        sosfilt_adjoint_into(cs, &x, &y, &tape, d, &gy, None, out, &mut sa, par).unwrap();
    });
    println!("W2 sosfilt 8 sections: fwd {fwd} ms, fwd + tape {fwdt}, adjoint x only {adjx}, adjoint all {adj}");
    for (n, tv) in [(16usize, false), (2, true)] {
        let a: Vec<f32> = if tv {
            (0..d.numel()).flat_map(|i| [-1.6f32 + 0.1 * ((i % 1000) as f32 / 1000.0), 0.8]).collect()
        } else {
            (0..16).flat_map(|_| (0..n).map(|k| if k == 0 { -0.5f32 } else { 0.01 })).collect()
        };
        let ca = if tv { Coefs::per_sample(&a, n) } else { Coefs::per_signal(&a, n) };
        let mut s = vec![0f32; allpole_scratch_len::<f32>(d, &ca, par)];
        let mut sa = vec![0f32; allpole_adjoint_scratch_len::<f32>(d, &ca, par)];
        let mut ga = vec![0f32; a.len()];
        let fwd = med(|par| allpole_into(&x, d, ca, None, &mut y, None, &mut s, par).unwrap());
        let adjx = med(|par| {
            let out = AllpoleGradsMut { x: Some(&mut gx), a: None, zi: None };
            allpole_adjoint_into(&y, d, ca, None, &gy, None, out, &mut sa, par).unwrap();
        });
        let adj = med(|par| {
            let out = AllpoleGradsMut { x: Some(&mut gx), a: Some(&mut ga), zi: None };
            allpole_adjoint_into(&y, d, ca, None, &gy, None, out, &mut sa, par).unwrap();
        });
        let id = if tv { "W4" } else { "W3" };
        println!("{id} allpole N={n}{}: fwd {fwd} ms, adjoint x only {adjx}, adjoint all {adj}", if tv { " per sample" } else { "" });
    }
}
