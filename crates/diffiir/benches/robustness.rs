//! Robustness figures (issue #9), one run, printed as Markdown rows for BENCHMARKS.md:
//! 1. **Subnormals**: a resonant all-pole filter's impulse response decays through the subnormal range; its time
//!    against the same filter on noise (same shapes, f32 and f64). A ratio near 1 means no denormal slowdown.
//! 2. **Adjoint memory on W5** (one signal of 4.8 M samples, one biquad and a 4-section cascade, f32): the peak
//!    resident memory the forward and the adjoint add beyond their inputs and outputs, from the kernel's
//!    high-water mark (`/proc/self/status` VmHWM, reset through `/proc/self/clear_refs`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diffiir::{allpole, sosfilt_adjoint, sosfilt_with_tape, Coefs, Dims, Float};
use std::time::Instant;

fn median_ms(mut f: impl FnMut()) -> f64 {
    f();
    let mut v: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    v.sort_by(|a, b| a.total_cmp(b));
    v[3]
}

fn subnormals<T: Float>(name: &str) {
    let d = Dims::new(16, 400_000);
    let (r, w) = (0.9995, 0.3f64);
    let a = [T::of(-2.0 * r * w.cos()), T::of(r * r)];
    let mut s = 1u64;
    let noise: Vec<T> = (0..d.numel())
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            T::of((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5)
        })
        .collect();
    // Written, not calloc'ed: untouched zero pages would make the impulse input artificially cheap to read.
    let mut impulse = noise.clone();
    impulse.fill(T::zero());
    for b in 0..d.batch {
        impulse[b * d.len] = T::one();
    }
    let y = allpole(&impulse, d, Coefs::shared(&a), None).unwrap().y;
    let sub = y.iter().filter(|v| **v != T::zero() && v.abs() < T::min_positive_value()).count();
    let (mut t_imp, mut t_noise) = (vec![], vec![]);
    for _ in 0..3 {
        t_imp.push(median_ms(|| drop(allpole(&impulse, d, Coefs::shared(&a), None).unwrap())));
        t_noise.push(median_ms(|| drop(allpole(&noise, d, Coefs::shared(&a), None).unwrap())));
    }
    let (t_imp, t_noise) = (t_imp.iter().copied().fold(f64::MAX, f64::min), t_noise.iter().copied().fold(f64::MAX, f64::min));
    println!(
        "| decaying tail, {name} (16 × 400k, r = 0.9995; {:.0} % of outputs subnormal) | {t_imp:.2} | {t_noise:.2} | {:.2} |",
        100.0 * sub as f64 / y.len() as f64,
        t_imp / t_noise
    );
}

fn status_kb(key: &str) -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)
}

/// Peak RSS (MB) reached while `f` runs, above the RSS before it.
fn extra_peak_mb(f: impl FnOnce()) -> f64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_kb("VmRSS:");
    f();
    (status_kb("VmHWM:") - before) / 1024.0
}

fn memory(sections: usize) {
    let d = Dims::new(1, 4_800_000);
    let x: Vec<f32> = (0..d.numel()).map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5).collect();
    let sos: Vec<f32> = (0..sections).flat_map(|_| [0.2f32, 0.4, 0.2, 1.0, -0.6, 0.25]).collect();
    let signal_mb = (d.numel() * 4) as f64 / 1e6;
    let mut kept = None;
    let fwd = extra_peak_mb(|| kept = Some(sosfilt_with_tape(Coefs::shared(&sos), &x, d, None).unwrap()));
    let (out, tape) = kept.unwrap();
    let gy = vec![1.0f32; d.numel()];
    let adj = extra_peak_mb(|| drop(sosfilt_adjoint(Coefs::shared(&sos), &x, &out.y, &tape, d, &gy, None).unwrap()));
    println!(
        "| W5 sosfilt, {sections} section(s), f32 (signal {signal_mb:.1} MB) | forward + tape: {fwd:.1} MB (tape {:.1} MB) | adjoint: {adj:.1} MB |",
        (tape.len() * 4) as f64 / 1e6
    );
}

fn main() {
    println!("| workload | impulse (decays into subnormals), ms | noise, ms | ratio |");
    println!("|---|---|---|---|");
    subnormals::<f32>("f32");
    subnormals::<f64>("f64");
    println!();
    println!("| workload | peak extra memory, forward | peak extra memory, adjoint |");
    println!("|---|---|---|");
    memory(1);
    memory(4);
}
