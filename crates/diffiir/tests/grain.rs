//! [`Par::grain`]: a call spreads over at most one thread per grain of work. Observed through the one result
//! that depends on the thread count, the summation order of a shared coefficient gradient: a small call under
//! `Rayon(2)` gives `Seq`'s bits, the same call with `with_grain(0)` (every thread) does not, and a large call
//! gives the bits of `with_grain(0)`, for each filter family.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::Rng;
use diffiir::*;

/// Bits of every gradient of a shared-coefficient `lfilter`, `sosfilt` and `allpole` adjoint on `d` (f32).
fn grads(d: Dims, par: Par) -> Vec<u32> {
    let mut rng = Rng::new(7);
    let x: Vec<f32> = (0..d.numel()).map(|_| rng.normal() as f32).collect();
    let gy: Vec<f32> = (0..d.numel()).map(|_| rng.normal() as f32).collect();
    let (b, a) = ([0.2f32, 0.3, 0.1], [1.0f32, -1.6, 0.8]);
    let sos = [0.2f32, 0.3, 0.1, 1.0, -1.6, 0.8, 1.0, 0.5, 0.2, 1.0, -0.5, 0.3];
    let ap = [1.0f32, -1.6, 0.8];
    let (cb, ca, cs, cp) = (Coefs::shared(&b), Coefs::shared(&a), Coefs::shared(&sos), Coefs::shared(&ap));
    let mut bits = Vec::new();
    let mut keep = |v: &[f32]| bits.extend(v.iter().map(|f| f.to_bits()));
    let y = lfilter(cb, ca, &x, d, None).unwrap().y;
    let g = lfilter_adjoint_with(cb, ca, &x, &y, d, &gy, par);
    keep(&g.0);
    keep(&g.1);
    let mut tape = vec![0f32; sosfilt_tape_len::<f32>(d, 2)];
    let mut ys = vec![0f32; d.numel()];
    let mut s = vec![0f32; sosfilt_scratch_len(&cs, d, par)];
    sosfilt_into(cs, &x, d, None, &mut ys, None, Some(&mut tape), &mut s, par).unwrap();
    let (mut gx, mut gs) = (vec![0f32; d.numel()], vec![0f32; sos.len()]);
    let mut sa = vec![0f32; sosfilt_adjoint_scratch_len(&cs, d, par)];
    let out = SosfiltGradsMut { x: Some(&mut gx), sos: Some(&mut gs), zi: None };
    sosfilt_adjoint_into(cs, &x, &ys, &tape, d, &gy, None, out, &mut sa, par).unwrap();
    keep(&gs);
    let yp = allpole(&x, d, cp, None).unwrap().y;
    let mut ga = vec![0f32; ap.len()];
    let mut sa = vec![0f32; allpole_adjoint_scratch_len::<f32>(d, &cp, par)];
    let out = AllpoleGradsMut { x: Some(&mut gx), a: Some(&mut ga), zi: None };
    allpole_adjoint_into(&yp, d, cp, None, &gy, None, out, &mut sa, par).unwrap();
    keep(&ga);
    bits
}

/// `∂L/∂b`, `∂L/∂a` of an `lfilter` adjoint under `par`.
fn lfilter_adjoint_with(b: Coefs<'_, f32>, a: Coefs<'_, f32>, x: &[f32], y: &[f32], d: Dims, gy: &[f32], par: Par) -> (Vec<f32>, Vec<f32>) {
    let (mut gx, mut gb, mut ga) = (vec![0f32; d.numel()], vec![0f32; b.k], vec![0f32; a.k]);
    let mut s = vec![0f32; lfilter_adjoint_scratch_len(&b, &a, d, par)];
    let out = LfilterGradsMut { x: Some(&mut gx), b: Some(&mut gb), a: Some(&mut ga), zi: None };
    lfilter_adjoint_into(b, a, x, y, d, gy, None, out, &mut s, par).unwrap();
    (gb, ga)
}

#[test]
fn small_calls_stay_on_one_thread() {
    // 16 × 1024 biquads: 32 768 sample-orders forward, 65 536 for the adjoint, below one grain (2^18).
    let d = Dims::new(16, 1024);
    let seq = Par::Seq.with_path(Path::Sequential);
    let two = Par::Rayon(2).with_path(Path::Sequential);
    let one = grads(d, seq);
    assert_eq!(grads(d, two), one, "a small call under Rayon(2) must run as Seq");
    assert_ne!(grads(d, two.with_grain(0)), one, "with_grain(0) must split (else this test shows nothing)");
}

#[test]
fn large_calls_use_every_thread() {
    // 16 × 16384 biquads: 2 grains forward, 4 for the adjoint.
    let d = Dims::new(16, 16384);
    let two = Par::Rayon(2).with_path(Path::Sequential);
    assert_eq!(grads(d, two), grads(d, two.with_grain(0)), "a large call must split as with_grain(0)");
    assert_ne!(grads(d, two), grads(d, Par::Seq.with_path(Path::Sequential)), "the split must show in the bits");
}

#[test]
fn grain_caps_threads_by_work() {
    // 48 signals (three lane chunks), three threads asked for, an lfilter adjoint of 786 432 sample-orders with
    // a grain of 300 000: two threads, so the bits of Rayon(2), not those of Rayon(3).
    let d = Dims::new(48, 4096);
    let mut rng = Rng::new(3);
    let x: Vec<f32> = (0..d.numel()).map(|_| rng.normal() as f32).collect();
    let gy: Vec<f32> = (0..d.numel()).map(|_| rng.normal() as f32).collect();
    let (b, a) = ([0.2f32, 0.3, 0.1], [1.0f32, -1.6, 0.8]);
    let (cb, ca) = (Coefs::shared(&b), Coefs::shared(&a));
    let y = lfilter(cb, ca, &x, d, None).unwrap().y;
    let g = |par: Par| lfilter_adjoint_with(cb, ca, &x, &y, d, &gy, par.with_path(Path::Sequential));
    let capped = g(Par::Rayon(3).with_grain(300_000));
    assert_eq!(capped, g(Par::Rayon(2).with_grain(0)));
    assert_ne!(capped, g(Par::Rayon(3).with_grain(0)), "three workers must sum in another order");
}
