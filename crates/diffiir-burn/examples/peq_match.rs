//! Train a parametric EQ with burn's Adam to match a hidden "vintage" EQ from white noise.
//!
//! A hidden equaliser (low shelf, three peaks, high shelf; RBJ designs at 48 kHz) colours noise. A
//! [`ParametricEq`] with the same structure starts from bands placed on the measured response ([`peq_guess`])
//! and Adam fits it in two stages:
//! 1. **spectral**: the log-magnitude error against the response measured from the noise
//!    ([`transfer_estimate`]) on 256 log-spaced frequencies — the `sosfreqz` op and its adjoint. Errors in dB
//!    weigh every band alike, so bands move to where they are needed instead of settling in a local minimum
//!    of the waveform error;
//! 2. **waveform**: the mean squared error between the EQ's output and the target recording — the `sosfilt`
//!    op and its fused adjoint — which is exact (no estimate) and polishes the fit.
//!
//! Every gradient reaches the bands through the RBJ parameterisation's adjoint. The run prints the loss, the
//! fitted bands and the worst magnitude error over 20 Hz–20 kHz, and exits non-zero if that misses 0.5 dB.
//!
//! `cargo run --release -p diffiir-burn --example peq_match`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{DType, Device, Tensor, TensorData};
use diffiir::freq::{sosfreqz as core_sosfreqz, transfer_estimate};
use diffiir::param::peq_guess;
use diffiir::{Coefs, Dims};
use diffiir_burn::freq::{mag_db, sosfreqz};
use diffiir_burn::nn::ParametricEq;
use diffiir_burn::Coef;
use std::time::Instant;

const FS: f64 = 48_000.0;

/// Deterministic white noise (SplitMix64 + Box–Muller).
fn noise(n: usize, mut state: u64) -> Vec<f32> {
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n).map(|_| ((-2.0 * next().max(1e-300).ln()).sqrt() * (std::f64::consts::TAU * next()).cos()) as f32).collect()
}

/// Magnitude (dB) of a cascade at `freqs` Hz.
fn response_db(sos: &[f64], freqs: &[f64]) -> Vec<f64> {
    let w: Vec<f64> = freqs.iter().map(|f| std::f64::consts::TAU * f / FS).collect();
    core_sosfreqz(Coefs::shared(sos), 1, &w).unwrap().iter().map(|h| 20.0 * h.norm().log10()).collect()
}

fn sos_of(eq: &ParametricEq) -> Vec<f64> {
    eq.sos().unwrap().into_data().convert::<f64>().try_to_vec::<f64>().unwrap()
}

fn main() {
    let start = Instant::now();
    let dev = Device::flex().autodiff();
    let hidden = [[120.0, 0.7, 4.0], [350.0, 1.4, -3.5], [1800.0, 0.9, 2.5], [5200.0, 2.5, -5.0], [11_000.0, 0.7, 3.0]];
    let target = ParametricEq::from_bands(&hidden, FS, (&dev, DType::F32));
    let mut adam = AdamConfig::new().init();

    let (batch, len) = (4, 16_384);
    let x_host = noise(batch * len, 7);
    let x = Tensor::<2>::from_data(TensorData::new(x_host.clone(), [batch, len]), (&dev, DType::F32));
    let wet = target.forward(x.clone()).unwrap().detach();
    let wet_host: Vec<f32> = wet.clone().into_data().try_to_vec::<f32>().unwrap();

    // Stage 1: spectral, against the response measured from the recordings.
    let freqs: Vec<f64> = (0..256).map(|i| 20.0 * 1000f64.powf(i as f64 / 255.0)).collect();
    let w: Vec<f64> = freqs.iter().map(|f| std::f64::consts::TAU * f / FS).collect();
    let wf: Vec<f32> = w.iter().map(|&v| v as f32).collect();
    let measured = transfer_estimate(&x_host, &wet_host, Dims::new(batch, len), &wf).unwrap();
    let measured_db: Vec<f32> = measured.iter().map(|h| (20.0 * h.norm().log10()) as f32).collect();
    // Bands placed by matching pursuit on the measured response (a flat start leaves them stranded).
    let guess = peq_guess(&freqs, &measured_db.iter().map(|&v| f64::from(v)).collect::<Vec<_>>(), 3, FS).unwrap();
    let mut model = ParametricEq::from_bands(&guess, FS, (&dev, DType::F32));
    let measured_db = Tensor::<2>::from_data(TensorData::new(measured_db, [1, 256]), (&dev, DType::F32));
    let steps = 400;
    println!("stage 1: log-spectral loss vs the response measured from {batch} × {len} samples of noise ({steps} Adam steps)");
    for step in 0..steps {
        let sos = model.sos().unwrap();
        let n = sos.dims()[0] * 6;
        let db = mag_db(sosfreqz(Coef::Shared(sos.reshape([n])), &w).unwrap(), 1e-12);
        let loss = (db - measured_db.clone()).powi_scalar(2).mean();
        if step % 100 == 0 || step == steps - 1 {
            println!("  step {step:4}  loss {:.3e} dB²", loss.clone().into_scalar::<f32>());
        }
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = adam.step(0.05 * 0.1f64.powf(step as f64 / steps as f64), model, grads);
    }

    // Stage 2: waveform, exact.
    let steps = 200;
    let mut adam = AdamConfig::new().init();
    println!("stage 2: waveform MSE through the sosfilt op ({steps} Adam steps)");
    for step in 0..steps {
        let loss = (model.forward(x.clone()).unwrap() - wet.clone()).powi_scalar(2).mean();
        if step % 50 == 0 || step == steps - 1 {
            println!("  step {step:4}  loss {:.3e}", loss.clone().into_scalar::<f32>());
        }
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = adam.step(2e-3 * 0.1f64.powf(step as f64 / steps as f64), model, grads);
    }

    println!("band            fitted (f0 Hz, Q, dB)        hidden");
    for (i, (f, h)) in model.bands().unwrap().iter().zip(&hidden).enumerate() {
        let name = ["low shelf", "peak", "peak", "peak", "high shelf"][i];
        println!("{name:<10} {:>9.1} {:>6.2} {:>+6.2}    {:>9.1} {:>6.2} {:>+6.2}", f[0], f[1], f[2], h[0], h[1], h[2]);
    }
    let freqs: Vec<f64> = (0..=400).map(|i| 20.0 * 1000f64.powf(i as f64 / 400.0)).collect();
    let (fit, want) = (response_db(&sos_of(&model), &freqs), response_db(&sos_of(&target), &freqs));
    let worst = fit.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    println!("worst magnitude error 20 Hz–20 kHz: {worst:.4} dB (goal < 0.5 dB); {:.2} s", start.elapsed().as_secs_f64());
    if worst >= 0.5 {
        std::process::exit(1);
    }
}
