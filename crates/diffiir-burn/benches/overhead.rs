//! What the burn adapter adds on W1 (biquad, 16 × 48k) and W4 (all-pole N = 2 per sample, 16 × 48k), f32.
//!
//! Both sides do the same work for the loss `L = Σ y`: the core side runs the forward, sums `y`, allocates
//! `∂L/∂y = 1` (as burn's `sum` backward does) and runs the fused adjoint; the burn side runs the op on the autodiff
//! device and `backward()`. The two are interleaved iteration by iteration so drift on this shared machine hits
//! both alike; medians are reported. Fresh multi-MB buffers cost page faults on glibc's default allocator (heap
//! trimming returns them to the kernel); rerun with `GLIBC_TUNABLES=glibc.malloc.trim_threshold=1073741824:glibc.malloc.mmap_threshold=1073741824`
//! to see the figures without that cost. `cargo bench -p diffiir-burn --bench overhead`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use burn::tensor::{DType, Device, Tensor, TensorData};
use diffiir::{Coefs, Dims};
use diffiir_burn::{allpole, lfilter, Coef};
use std::hint::black_box;
use std::time::Instant;

/// Medians of `core` and `burn`, run alternately.
fn interleaved(mut core: impl FnMut(), mut burn: impl FnMut()) -> (f64, f64) {
    let quick = std::env::var("DIFFIIR_BENCH_QUICK").is_ok();
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed().as_secs_f64() * 1e3
    };
    core();
    burn();
    let (mut c, mut b) = (vec![], vec![]);
    let start = Instant::now();
    while c.len() < 5 || (start.elapsed().as_secs_f64() < 4.0 && c.len() < 200) {
        c.push(time(&mut core));
        b.push(time(&mut burn));
        if quick {
            break;
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    (median(c), median(b))
}

fn row(name: &str, (core, burn): (f64, f64)) {
    println!("| {name} | {core:.2} | {burn:.2} | {:+.0} % |", 100.0 * (burn / core - 1.0));
}

fn main() {
    let d = Dims::new(16, 48_000);
    let x: Vec<f32> = (0..d.numel()).map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5).collect();
    let dev = Device::flex().autodiff();
    let t2 = |v: &[f32], s: [usize; 2]| Tensor::<2>::from_data(TensorData::new(v.to_vec(), s), (&dev, DType::F32));
    println!("| workload | core fwd + loss + adjoint (ms) | burn op fwd + loss + backward (ms) | adapter overhead |");
    println!("|---|---|---|---|");

    let (b, a): (Vec<f32>, Vec<f32>) = ([0.1f32, 0.2, 0.1].repeat(16), [1.0f32, -1.5, 0.7].repeat(16));
    // Tensors are created once (cloning one is an Arc clone), so only the op, the loss and backward are timed.
    let (bt, at, xt) = (t2(&b, [16, 3]).require_grad(), t2(&a, [16, 3]).require_grad(), t2(&x, [16, 48_000]).require_grad());
    let w1 = interleaved(
        || {
            let (cb, ca) = (Coefs::per_signal(&b, 3), Coefs::per_signal(&a, 3));
            let y = diffiir::lfilter(cb, ca, &x, d, None).unwrap().y;
            black_box(y.iter().sum::<f32>());
            let gy = vec![1.0f32; d.numel()];
            black_box(diffiir::lfilter_adjoint(cb, ca, &x, &y, d, &gy, None).unwrap());
        },
        || {
            let (y, _) = lfilter(Coef::PerSignal(bt.clone()), Coef::PerSignal(at.clone()), xt.clone(), None).unwrap();
            let g = y.sum().backward();
            black_box((xt.grad(&g), bt.grad(&g)));
        },
    );
    row("W1 lfilter (biquad per signal)", w1);

    let a4: Vec<f32> = (0..d.numel()).flat_map(|i| [-1.6 + 0.2 * ((i % 48_000) as f32 / 48_000.0), 0.8]).collect();
    let at = Tensor::<3>::from_data(TensorData::new(a4.clone(), [16, 48_000, 2]), (&dev, DType::F32)).require_grad();
    let w4 = interleaved(
        || {
            let ca = Coefs::per_sample(&a4, 2);
            let y = diffiir::allpole(&x, d, ca, None).unwrap().y;
            black_box(y.iter().sum::<f32>());
            let gy = vec![1.0f32; d.numel()];
            black_box(diffiir::allpole_adjoint(&y, d, ca, None, &gy, None).unwrap());
        },
        || {
            let (y, _) = allpole(xt.clone(), Coef::PerSample(at.clone()), None).unwrap();
            let g = y.sum().backward();
            black_box((xt.grad(&g), at.grad(&g)));
        },
    );
    row("W4 allpole (N = 2, per sample)", w4);
}
