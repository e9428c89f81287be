//! Frequency sampling (FSM) against the exact recursion: speed (forward and forward+backward) and FSM's
//! error against n_fft, for a mild and a resonant biquad. `cargo bench -p diffiir --bench fsm` prints
//! Markdown tables for BENCHMARKS.md (ratios from one run). f64, 16 signals × 48000 samples.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;
use common::{median_ms, Rng};
use diffiir::freq::{lfilter_fsm, lfilter_fsm_adjoint, lfilter_fsm_n_fft};
use diffiir::{lfilter, lfilter_adjoint, Coefs, Dims};

fn main() {
    let d = Dims::new(16, 48_000);
    let mut rng = Rng::new(7);
    let x = rng.vec(d.numel());
    let gy = rng.vec(d.numel());
    let (r, th) = (0.999, 2.0 * std::f64::consts::PI * 1000.0 / 48_000.0);
    let filters = [
        ("mild (RBJ lowpass 4 kHz, Q 0.7; pole radius 0.62)", vec![0.0495, 0.0990, 0.0495], vec![1.0, -1.2796, 0.4776]),
        ("resonant (poles r = 0.999 at 1 kHz)", vec![1.0 - r, 0.0, -(1.0 - r)], vec![1.0, -2.0 * r * th.cos(), r * r]),
    ];
    println!(
        "| filter | exact fwd (ms) | exact fwd+bwd (ms) | FSM n_fft (default) | FSM fwd (ms) | FSM fwd+bwd (ms) | FSM / exact, fwd+bwd |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut errors = vec![];
    for (name, b, a) in &filters {
        let (cb, ca) = (Coefs::shared(&b[..]), Coefs::shared(&a[..]));
        let exact = lfilter(cb, ca, &x, d, None).unwrap().y;
        let t_fwd = median_ms(1.0, || drop(lfilter(cb, ca, &x, d, None).unwrap()));
        let t_both = median_ms(1.0, || {
            let y = lfilter(cb, ca, &x, d, None).unwrap().y;
            drop(lfilter_adjoint(cb, ca, &x, &y, d, &gy, None).unwrap());
        });
        let n = lfilter_fsm_n_fft(cb, ca, d).unwrap();
        let f_fwd = median_ms(1.0, || drop(lfilter_fsm(cb, ca, &x, d, None).unwrap()));
        let f_both = median_ms(1.0, || {
            drop(lfilter_fsm(cb, ca, &x, d, None).unwrap());
            drop(lfilter_fsm_adjoint(cb, ca, &x, d, None, &gy).unwrap());
        });
        println!("| {name} | {t_fwd:.2} | {t_both:.2} | {n} | {f_fwd:.2} | {f_both:.2} | {:.1}× |", f_both / t_both);
        let peak = exact.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for n in [48_000, 50_000, 60_000, 96_000, 192_000, 480_000, n] {
            let y = lfilter_fsm(cb, ca, &x, d, Some(n)).unwrap();
            let e = y.iter().zip(&exact).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max) / peak;
            errors.push((name.split(' ').next().unwrap_or(""), n, e));
        }
    }
    println!("\n| filter | n_fft | max error relative to the output peak |");
    println!("|---|---|---|");
    for (name, n, e) in errors {
        println!("| {name} | {n} | {e:.1e} |");
    }
}
