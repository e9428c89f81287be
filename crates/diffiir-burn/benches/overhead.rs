//! What the burn adapter adds: the burn op's forward + backward (autodiff device, loss = sum(y)) against the
//! core's forward + fused adjoint on the same data (allocating API), W1 (biquad, 16 × 48k) and W4 (all-pole
//! N = 2 per sample, 16 × 48k), f32, in one run. `cargo bench -p diffiir-burn --bench overhead`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use burn::tensor::{DType, Device, Tensor, TensorData};
use diffiir::{Coefs, Dims};
use diffiir_burn::{allpole, lfilter, Coef};
use std::time::Instant;

fn median_ms(mut f: impl FnMut()) -> f64 {
    f();
    let mut v = vec![];
    let start = Instant::now();
    while v.len() < 5 || (start.elapsed().as_secs_f64() < 1.5 && v.len() < 100) {
        let t = Instant::now();
        f();
        v.push(t.elapsed().as_secs_f64() * 1e3);
        if std::env::var("DIFFIIR_BENCH_QUICK").is_ok() {
            break;
        }
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let d = Dims::new(16, 48_000);
    let x: Vec<f32> = (0..d.numel()).map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5).collect();
    let ones = vec![1.0f32; d.numel()];
    let dev = Device::flex().autodiff();
    let t2 = |v: &[f32], s: [usize; 2]| Tensor::<2>::from_data(TensorData::new(v.to_vec(), s), (&dev, DType::F32));
    println!("| workload | core fwd+adjoint (ms) | burn op fwd+bwd (ms) | adapter overhead |");
    println!("|---|---|---|---|");

    let (b, a): (Vec<f32>, Vec<f32>) = ([0.1f32, 0.2, 0.1].repeat(16), [1.0f32, -1.5, 0.7].repeat(16));
    let core = median_ms(|| {
        let (cb, ca) = (Coefs::per_signal(&b, 3), Coefs::per_signal(&a, 3));
        let y = diffiir::lfilter(cb, ca, &x, d, None).unwrap().y;
        std::hint::black_box(diffiir::lfilter_adjoint(cb, ca, &x, &y, d, &ones, None).unwrap());
    });
    // Tensors are created once (cloning one is an Arc clone), so only the op and its backward are timed.
    let (bt, at, xt) = (t2(&b, [16, 3]).require_grad(), t2(&a, [16, 3]).require_grad(), t2(&x, [16, 48_000]).require_grad());
    let burn = median_ms(|| {
        let (y, _) = lfilter(Coef::PerSignal(bt.clone()), Coef::PerSignal(at.clone()), xt.clone(), None).unwrap();
        let g = y.sum().backward();
        std::hint::black_box(xt.grad(&g));
    });
    println!("| W1 lfilter (biquad per signal) | {core:.2} | {burn:.2} | {:+.0} % |", 100.0 * (burn / core - 1.0));

    let a4: Vec<f32> = (0..d.numel()).flat_map(|i| [-1.6 + 0.2 * ((i % 48_000) as f32 / 48_000.0), 0.8]).collect();
    let core = median_ms(|| {
        let ca = Coefs::per_sample(&a4, 2);
        let y = diffiir::allpole(&x, d, ca, None).unwrap().y;
        std::hint::black_box(diffiir::allpole_adjoint(&y, d, ca, None, &ones, None).unwrap());
    });
    let at = Tensor::<3>::from_data(TensorData::new(a4.clone(), [16, 48_000, 2]), (&dev, DType::F32)).require_grad();
    let burn = median_ms(|| {
        let (y, _) = allpole(xt.clone(), Coef::PerSample(at.clone()), None).unwrap();
        let g = y.sum().backward();
        std::hint::black_box(xt.grad(&g));
    });
    println!("| W4 allpole (N = 2, per sample) | {core:.2} | {burn:.2} | {:+.0} % |", 100.0 * (burn / core - 1.0));
}
