//! The main job on built-in data: recover a hidden "vintage" EQ from white noise by gradient descent through
//! the exact filter and its fused adjoint.
//!
//! A hidden two-section cascade (a +4 dB low shelf at 300 Hz and a −6 dB bell at 2.5 kHz, RBJ designs at
//! 48 kHz) colours four seconds of noise. A learnable cascade starts flat; Adam minimises the mean squared
//! error between its output and the target, with the gradient of every coefficient from `sosfilt_adjoint`.
//! The denominators are kept inside the stability triangle by projection after each step.
//!
//! Run: `cargo run --release -p diffiir --example fit_hidden` (prints the loss, the fitted sections and the
//! worst magnitude error over 20 Hz–20 kHz; exits non-zero if the fit misses 0.5 dB).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diffiir::{sosfilt, sosfilt_adjoint, sosfilt_with_tape, Coefs, Dims};
use std::f64::consts::PI;
use std::time::Instant;

const FS: f64 = 48_000.0;

/// RBJ cookbook low shelf (Q form) and peaking EQ, normalised to a0 = 1: `[b0, b1, b2, 1, a1, a2]`.
fn rbj(kind: &str, f0: f64, q: f64, gain_db: f64) -> [f64; 6] {
    let (w, a) = (2.0 * PI * f0 / FS, 10f64.powf(gain_db / 40.0));
    let (c, alpha) = (w.cos(), w.sin() / (2.0 * q));
    let s = match kind {
        "lowshelf" => {
            let sq = 2.0 * a.sqrt() * alpha;
            [
                a * ((a + 1.0) - (a - 1.0) * c + sq),
                2.0 * a * ((a - 1.0) - (a + 1.0) * c),
                a * ((a + 1.0) - (a - 1.0) * c - sq),
                (a + 1.0) + (a - 1.0) * c + sq,
                -2.0 * ((a - 1.0) + (a + 1.0) * c),
                (a + 1.0) + (a - 1.0) * c - sq,
            ]
        }
        _ => [1.0 + alpha * a, -2.0 * c, 1.0 - alpha * a, 1.0 + alpha / a, -2.0 * c, 1.0 - alpha / a],
    };
    [s[0] / s[3], s[1] / s[3], s[2] / s[3], 1.0, s[4] / s[3], s[5] / s[3]]
}

/// |H(e^{jω})| in dB of a cascade at frequency `f`.
fn mag_db(sos: &[f64], f: f64) -> f64 {
    let w = 2.0 * PI * f / FS;
    let mut h = 1.0;
    for s in sos.chunks(6) {
        let eval = |c: &[f64]| {
            let re = c[0] + c[1] * w.cos() + c[2] * (2.0 * w).cos();
            let im = -c[1] * w.sin() - c[2] * (2.0 * w).sin();
            (re * re + im * im).sqrt()
        };
        h *= eval(&s[..3]) / eval(&s[3..]);
    }
    20.0 * h.log10()
}

/// Deterministic white noise (SplitMix64 + Box–Muller).
fn noise(n: usize, mut state: u64) -> Vec<f64> {
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n).map(|_| (-2.0 * next().max(1e-300).ln()).sqrt() * (2.0 * PI * next()).cos()).collect()
}

fn main() {
    let start = Instant::now();
    let hidden: Vec<f64> = [rbj("lowshelf", 300.0, 0.707, 4.0), rbj("peaking", 2500.0, 1.2, -6.0)].concat();
    let d = Dims::new(8, 24_000);
    let x = noise(d.numel(), 7);
    let target = sosfilt(Coefs::shared(&hidden), &x, d, None).unwrap().y;

    // Learnable cascade, one (gain, zero pair, pole pair) per section, radius r = sigmoid(ρ), angle θ:
    // b = g·[1, −2 r_z cos θ_z, r_z²], a = [1, −2 r_p cos θ_p, r_p²] — stable for any parameters.
    // Flat start: zeros on the poles, at 300 Hz and 3 kHz.
    let logit = |r: f64| (r / (1.0 - r)).ln();
    let th = |f: f64| 2.0 * PI * f / FS;
    let mut p = vec![1.0, logit(0.9), th(300.0), logit(0.9), th(300.0), 1.0, logit(0.9), th(3000.0), logit(0.9), th(3000.0)];
    let to_sos = |p: &[f64]| -> Vec<f64> {
        p.chunks(5)
            .flat_map(|q| {
                let (rz, rp) = (1.0 / (1.0 + (-q[1]).exp()), 1.0 / (1.0 + (-q[3]).exp()));
                [q[0], -2.0 * q[0] * rz * q[2].cos(), q[0] * rz * rz, 1.0, -2.0 * rp * q[4].cos(), rp * rp]
            })
            .collect()
    };
    let (mut m, mut v) = (vec![0.0; p.len()], vec![0.0; p.len()]);
    let (b1, b2, eps) = (0.9, 0.999, 1e-12);
    let steps = 1500;
    println!("fitting a 2-section cascade to a hidden EQ from {} s of noise ({} signals)", d.len as f64 / FS, d.batch);
    for step in 1..=steps {
        let sos = to_sos(&p);
        let (out, tape) = sosfilt_with_tape(Coefs::shared(&sos), &x, d, None).unwrap();
        let n = d.numel() as f64;
        let err: Vec<f64> = out.y.iter().zip(&target).map(|(y, t)| y - t).collect();
        let loss = err.iter().map(|e| e * e).sum::<f64>() / n;
        let gy: Vec<f64> = err.iter().map(|e| 2.0 * e / n).collect();
        let gs = sosfilt_adjoint(Coefs::shared(&sos), &x, &out.y, &tape, d, &gy, None).unwrap().sos;
        // Chain rule from ∂L/∂sos to the section parameters.
        let mut g = vec![0.0; p.len()];
        for ((q, gq), s) in p.chunks(5).zip(g.chunks_mut(5)).zip(gs.chunks(6)) {
            let (rz, rp) = (1.0 / (1.0 + (-q[1]).exp()), 1.0 / (1.0 + (-q[3]).exp()));
            let (drz, drp) = (rz * (1.0 - rz), rp * (1.0 - rp));
            gq[0] = s[0] - 2.0 * rz * q[2].cos() * s[1] + rz * rz * s[2];
            gq[1] = (-2.0 * q[0] * q[2].cos() * s[1] + 2.0 * q[0] * rz * s[2]) * drz;
            gq[2] = 2.0 * q[0] * rz * q[2].sin() * s[1];
            gq[3] = (-2.0 * q[4].cos() * s[4] + 2.0 * rp * s[5]) * drp;
            gq[4] = 2.0 * rp * q[4].sin() * s[4];
        }
        let lr = 0.02 * if step > steps * 2 / 3 { 0.1 } else { 1.0 };
        for j in 0..p.len() {
            m[j] = b1 * m[j] + (1.0 - b1) * g[j];
            v[j] = b2 * v[j] + (1.0 - b2) * g[j] * g[j];
            let (mh, vh) = (m[j] / (1.0 - b1.powi(step)), v[j] / (1.0 - b2.powi(step)));
            p[j] -= lr * mh / (vh.sqrt() + eps);
        }
        if step == 1 || step % 250 == 0 {
            println!("step {step:5}  loss {loss:.3e}");
        }
    }
    let sos = to_sos(&p);
    let freqs: Vec<f64> = (0..400).map(|i| 20.0 * 1000f64.powf(i as f64 / 399.0)).collect();
    let worst = freqs.iter().map(|&f| (mag_db(&sos, f) - mag_db(&hidden, f)).abs()).fold(0.0, f64::max);
    println!("fitted sections [b0 b1 b2 a0 a1 a2]:");
    for s in sos.chunks(6) {
        println!("  {:?}", s.iter().map(|v| (v * 1e4).round() / 1e4).collect::<Vec<_>>());
    }
    println!("worst magnitude error 20 Hz–20 kHz: {worst:.4} dB (goal < 0.5 dB); {:.2} s", start.elapsed().as_secs_f64());
    if worst >= 0.5 {
        std::process::exit(1);
    }
}
