//! The block-parallel ("chunked") path against the sequential one: equal to rounding in f64 for every
//! layout, state and gradient; within 2× of the sequential path's float32 error on resonant filters; the
//! automatic choice between them. Also: every instruction-set level ([`Simd`]) gives the same bits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::too_many_arguments)]

mod common;
use common::coefs::{cast, lfilter_all, C};
use common::{assert_rel, Rng};
use diffiir::*;

fn sosfilt_all<T: Float>(sos: &C<T>, x: &[T], d: Dims, zi: &[T], gy: &[T], gzf: &[T], par: Par) -> Vec<Vec<f64>> {
    let cs = sos.view();
    let ns = zi.len() / d.batch / 2;
    let mut y = vec![T::zero(); d.numel()];
    let mut zf = vec![T::zero(); zi.len()];
    let mut tape = vec![T::zero(); sosfilt_tape_len::<T>(d, ns)];
    let mut s = vec![T::zero(); sosfilt_scratch_len(&cs, d, par)];
    sosfilt_into(cs, x, d, Some(zi), &mut y, Some(&mut zf), Some(&mut tape), &mut s, par).unwrap();
    let (mut gx, mut gs, mut gzi) = (vec![T::zero(); d.numel()], vec![T::zero(); sos.data.len()], vec![T::zero(); zi.len()]);
    let mut sa = vec![T::zero(); sosfilt_adjoint_scratch_len(&cs, d, par)];
    let out = SosfiltGradsMut { x: Some(&mut gx), sos: Some(&mut gs), zi: Some(&mut gzi) };
    sosfilt_adjoint_into(cs, x, &y, &tape, d, gy, Some(gzf), out, &mut sa, par).unwrap();
    [y, zf, gx, gs, gzi].iter().map(|v| cast(v)).collect()
}

const NAMES_LF: [&str; 6] = ["y", "zf", "grad x", "grad b", "grad a", "grad zi"];
const NAMES_SOS: [&str; 5] = ["y", "zf", "grad x", "grad sos", "grad zi"];

fn chunked() -> [Par; 2] {
    [Par::Seq.with_path(Path::Chunked), Par::Rayon(2).with_grain(0).with_path(Path::Chunked)]
}

#[test]
fn lfilter_chunked_equals_sequential_f64() {
    let mut rng = Rng::new(71);
    // (batch, len, nb, na, b layout, a layout): shared/per-signal/per-sample, orders 1..4, a tail, a
    // chunk shorter than a block, more state than lanes.
    let cases = [
        (1, 70_001, 3, 3, Layout::Shared, Layout::Shared),
        (3, 5_003, 2, 4, Layout::PerSignal, Layout::PerSignal),
        (2, 3_001, 3, 3, Layout::PerSignal, Layout::PerSample),
        (1, 2_050, 4, 2, Layout::PerSample, Layout::PerSample),
        (1, 300, 2, 2, Layout::Shared, Layout::Shared),
    ];
    for (batch, len, nb, na, lb, la) in cases {
        let d = Dims::new(batch, len);
        let sets = |layout| match layout {
            Layout::Shared => 1,
            Layout::PerSignal => batch,
            _ => batch * len,
        };
        let b = C { data: (0..sets(lb) * nb).map(|_| rng.range(-1.0, 1.0)).collect(), layout: lb, k: nb };
        let mut av = vec![];
        for i in 0..sets(la) {
            // Per-sample sets drift slowly around one stable filter, with a0 ≠ 1.
            let base = if i == 0 || la != Layout::PerSample { rng.stable_a(na - 1, 0.95) } else { av[av.len() - na..].to_vec() };
            av.extend(base.iter().enumerate().map(|(j, v)| if j == 0 { 1.0 + 0.1 * (i as f64 * 1e-3).sin() } else { *v }));
        }
        let a = C { data: av, layout: la, k: na };
        let m = nb.max(na) - 1;
        let (x, zi, gy, gzf) = (rng.vec(d.numel()), rng.vec(batch * m), rng.vec(d.numel()), rng.vec(batch * m));
        let want = lfilter_all(&b, &a, &x, d, &zi, &gy, &gzf, Par::Seq.with_path(Path::Sequential));
        for par in chunked() {
            let got = lfilter_all(&b, &a, &x, d, &zi, &gy, &gzf, par);
            for (i, name) in NAMES_LF.iter().enumerate() {
                assert_rel(&format!("lfilter {batch}×{len} {lb:?}/{la:?} {par:?}: {name}"), &got[i], &want[i], 1e-9);
            }
        }
    }
}

#[test]
fn sosfilt_chunked_equals_sequential_f64() {
    let mut rng = Rng::new(72);
    for (batch, len, ns, layout) in [(1, 40_007, 3, Layout::PerSignal), (2, 4_100, 9, Layout::Shared), (1, 3_000, 2, Layout::PerSample)] {
        let d = Dims::new(batch, len);
        let sets = match layout {
            Layout::Shared => 1,
            Layout::PerSignal => batch,
            _ => batch * len,
        };
        let mut base = vec![];
        for _ in 0..ns.max(sets.min(batch) * ns) {
            // Resonant sections (r up to 0.9995), so chunk transitions are far from zero.
            let (r, th) = (rng.range(0.99, 0.9995), rng.range(0.0, std::f64::consts::PI));
            base.push([rng.range(-1.0, 1.0), rng.range(-1.0, 1.0), rng.range(-1.0, 1.0), 1.5, -3.0 * r * th.cos(), 1.5 * r * r]);
        }
        // Per-sample sets modulate the gains and a0 (poles stay put, so the filter stays stable).
        let mut sos = vec![];
        for i in 0..sets {
            for sec in 0..ns {
                let (g, a0) = (1.0 + 0.2 * (i as f64 * 1e-3).sin(), 1.0 + 0.1 * (i as f64 * 7e-4).cos());
                let row = base[(i * ns + sec) % base.len()];
                sos.extend(row.iter().enumerate().map(|(j, v)| v * if j < 3 { g } else { a0 }));
            }
        }
        let c = C { data: sos, layout, k: 6 * ns };
        let (x, zi, gy, gzf) = (rng.vec(d.numel()), rng.vec(batch * 2 * ns), rng.vec(d.numel()), rng.vec(batch * 2 * ns));
        let want = sosfilt_all(&c, &x, d, &zi, &gy, &gzf, Par::Seq.with_path(Path::Sequential));
        for par in chunked() {
            let got = sosfilt_all(&c, &x, d, &zi, &gy, &gzf, par);
            for (i, name) in NAMES_SOS.iter().enumerate() {
                assert_rel(&format!("sosfilt {batch}×{len}×{ns} {layout:?} {par:?}: {name}"), &got[i], &want[i], 1e-9);
            }
        }
    }
}

/// Largest error relative to the reference's peak, per output kind.
fn rel_err(got: &[Vec<f64>], want: &[Vec<f64>]) -> Vec<f64> {
    got.iter()
        .zip(want)
        .map(|(g, w)| {
            let peak = w.iter().fold(0f64, |m, v| m.max(v.abs())).max(1e-300);
            g.iter().zip(w).fold(0f64, |m, (a, b)| m.max((a - b).abs())) / peak
        })
        .collect()
}

/// A resonant biquad (poles at radius 0.999): float32 error of the chunked path vs float64 stays within
/// 2× of the sequential path's, for the output and every gradient; time-invariant and time-varying.
#[test]
fn chunked_float32_error_within_2x_of_sequential() {
    let mut rng = Rng::new(73);
    let len = 200_000;
    let d = Dims::new(1, len);
    for tv in [false, true] {
        let sets = if tv { len } else { 1 };
        let (mut bv, mut av) = (vec![], vec![]);
        for i in 0..sets {
            // Pole angle sweeps 300 Hz → 3 kHz at 48 kHz when time-varying.
            let f = if tv { 300.0 * 10f64.powf(i as f64 / len as f64) } else { 1000.0 };
            let (r, w) = (0.999, 2.0 * std::f64::consts::PI * f / 48_000.0);
            av.extend([1.0, -2.0 * r * w.cos(), r * r]);
            bv.extend([1.0 - r, 0.0, -(1.0 - r)]);
        }
        let layout = if tv { Layout::PerSample } else { Layout::Shared };
        let (b, a) = (C { data: bv, layout, k: 3 }, C { data: av, layout, k: 3 });
        let (x, zi, gy, gzf) = (rng.vec(len), vec![0.0; 2], rng.vec(len), vec![0.0; 2]);
        let exact = lfilter_all(&b, &a, &x, d, &zi, &gy, &gzf, Par::Seq.with_path(Path::Sequential));
        let run32 = |path| {
            let (b32, a32) = (b.cast::<f32>(), a.cast::<f32>());
            let f = |v: &[f64]| common::to32(v);
            lfilter_all(&b32, &a32, &f(&x), d, &f(&zi), &f(&gy), &f(&gzf), Par::Seq.with_path(path))
        };
        let (seq, chk) = (rel_err(&run32(Path::Sequential), &exact), rel_err(&run32(Path::Chunked), &exact));
        for (i, name) in NAMES_LF.iter().enumerate().filter(|(i, _)| [0, 1, 2, 3, 4].contains(i)) {
            eprintln!("tv={tv} {name}: sequential {:.2e}, chunked {:.2e}", seq[i], chk[i]);
            assert!(chk[i] <= 2.0 * seq[i] + 1e-7, "tv={tv} {name}: chunked {:.2e} vs sequential {:.2e}", chk[i], seq[i]);
        }
    }
}

/// `Path::Auto` chunks few long signals (the result equals the explicit chunked path bit for bit) and keeps
/// full batches and short signals sequential. (A third-order numerator: biquads on few signals take the rows
/// path, `tests/rowblock.rs`.)
#[test]
fn auto_path_choice() {
    let (b, a) = (
        C { data: vec![0.2f32, 0.3, 0.1, 0.05], layout: Layout::Shared, k: 4 },
        C { data: vec![1.0f32, -1.5, 0.7], layout: Layout::Shared, k: 3 },
    );
    let run = |batch: usize, len: usize, path| {
        let d = Dims::new(batch, len);
        let f = |v: Vec<f64>| common::to32(&v);
        let mut r = Rng::new(75);
        let (x, gy) = (f(r.vec(d.numel())), f(r.vec(d.numel())));
        let z = vec![0f32; batch * 3];
        lfilter_all(&b, &a, &x, d, &z, &gy, &z, Par::Seq.with_path(path))
    };
    // f32: 64 chunks of ≥ 1024 samples for ≤ 4 signals.
    for (batch, len, chunks) in [(1, 65_536, true), (4, 70_000, true), (1, 65_535, false), (5, 70_000, false), (16, 70_000, false)] {
        let auto = run(batch, len, Path::Auto);
        let (c, s) = (run(batch, len, Path::Chunked), run(batch, len, Path::Sequential));
        assert_eq!(auto == c, chunks, "{batch}×{len}: auto should {}chunk", if chunks { "" } else { "not " });
        assert_eq!(auto == s, !chunks, "{batch}×{len}");
    }
}

/// Three random per-signal sections for each of `batch` signals, and `x`, `∂L/∂y` for `d`.
fn random_cascade(rng: &mut Rng, d: Dims) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut sos = vec![];
    for _ in 0..d.batch * 3 {
        sos.extend([rng.range(-1.0, 1.0), rng.range(-1.0, 1.0), rng.range(-1.0, 1.0)]);
        sos.extend(rng.stable_a(2, 0.95));
    }
    let (x, gy) = (rng.vec(d.numel()), rng.vec(d.numel()));
    (sos, x, gy)
}

/// `(∂L/∂x, ∂L/∂sos)` of that cascade: forward under `pf` recording the tape into a buffer pre-filled with
/// `fill`, adjoint under `pa`.
fn cascade_grads(sos: &[f64], x: &[f64], gy: &[f64], d: Dims, pf: Par, pa: Par, fill: f64) -> (Vec<f64>, Vec<f64>) {
    let cs = Coefs::per_signal(sos, 18);
    let mut y = vec![0.0; d.numel()];
    let mut tape = vec![fill; sosfilt_tape_len::<f64>(d, 3)];
    let mut s = vec![0.0; sosfilt_scratch_len(&cs, d, pf)];
    sosfilt_into(cs, x, d, None, &mut y, None, Some(&mut tape), &mut s, pf).unwrap();
    let (mut gx, mut gs) = (vec![0.0; d.numel()], vec![0.0; sos.len()]);
    let mut sa = vec![0.0; sosfilt_adjoint_scratch_len(&cs, d, pa)];
    let out = SosfiltGradsMut { x: Some(&mut gx), sos: Some(&mut gs), zi: None };
    sosfilt_adjoint_into(cs, x, &y, &tape, d, gy, None, out, &mut sa, pa).unwrap();
    (gx, gs)
}

/// 16 signals on 2 threads run as two 8-lane chunks, on 1 thread as one 16-lane chunk: the sosfilt tape's
/// layout does not depend on that, so a forward and an adjoint under different `Par` still agree.
#[test]
fn tape_layout_independent_of_lane_count() {
    let mut rng = Rng::new(76);
    let d = Dims::new(16, 999);
    let (sos, x, gy) = random_cascade(&mut rng, d);
    let grads = |pf: Par, pa: Par| cascade_grads(&sos, &x, &gy, d, pf, pa, 0.0);
    let want = grads(Par::Seq, Par::Seq);
    for (pf, pa) in [
        (Par::Rayon(2).with_grain(0), Par::Seq),
        (Par::Seq, Par::Rayon(2).with_grain(0)),
        (Par::Rayon(2).with_grain(0), Par::Rayon(2).with_grain(0)),
    ] {
        let got = grads(pf, pa);
        assert_rel("grad x", &got.0, &want.0, 1e-12);
        assert_rel("grad sos", &got.1, &want.1, 1e-12);
    }
}

/// The tape holds the cascade's state every 64 samples, not the section outputs: W2's shape (16 × 48000, 8
/// sections) needs under 1/20 of the 7 signal-sized outputs it replaced; a lone section needs none.
#[test]
fn tape_holds_checkpoints_not_section_outputs() {
    let d = Dims::new(16, 48_000);
    let n = sosfilt_tape_len::<f32>(d, 8);
    assert!(n * 20 < 7 * d.numel(), "tape of {n} values");
    assert_eq!(sosfilt_tape_len::<f32>(d, 1), 0);
    assert_eq!(sosfilt_tape_len::<f64>(Dims::new(1, 1), 1), 0);
}

/// A tape buffer is fully written by the forward where the adjoint reads it, so a reused buffer needs no
/// clearing (the Python layer pools tape buffers): gradients from a NaN-poisoned buffer equal those from a
/// zeroed one, bit for bit, on both paths, for batches that leave lanes or threads idle.
#[test]
fn reused_tape_buffer_needs_no_clearing() {
    let mut rng = Rng::new(77);
    for (d, paths) in [
        (Dims::new(3, 700), vec![Par::Seq, Par::Rayon(2).with_grain(0)]),
        (Dims::new(17, 300), vec![Par::Seq, Par::Rayon(2).with_grain(0)]),
        (
            Dims::new(1, 70_000),
            vec![
                Par::Seq.with_path(Path::Sequential),
                Par::Seq.with_path(Path::Chunked),
                Par::Rayon(2).with_grain(0).with_path(Path::Chunked),
            ],
        ),
    ] {
        let (sos, x, gy) = random_cascade(&mut rng, d);
        for par in paths {
            let grads = |fill: f64| {
                let (gx, gs) = cascade_grads(&sos, &x, &gy, d, par, par, fill);
                [gx, gs].map(|v| v.iter().map(|g| g.to_bits()).collect::<Vec<_>>())
            };
            let (clean, poisoned) = (grads(0.0), grads(f64::NAN));
            assert!(clean == poisoned, "{d:?} {par:?}: gradients depend on the tape buffer's old contents");
        }
    }
}

/// A random set array of `layout` for `d`: `k` values per set; `den` sets are `[a0, a1, a2]` of a stable
/// section scaled by a random `a0 ≠ 1` (so the normalisation and `∂L/∂a0` are exercised).
fn random_sets(rng: &mut Rng, layout: Layout, d: Dims, k: usize, den: bool) -> C<f64> {
    let sets = match layout {
        Layout::Shared => 1,
        Layout::PerSignal => d.batch,
        _ => d.numel(),
    };
    let mut data = vec![];
    for _ in 0..sets {
        if den {
            let s = rng.range(0.5, 2.0);
            data.extend(rng.stable_a(k - 1, 0.95).iter().map(|v| v * s));
        } else {
            data.extend(rng.vec(k));
        }
    }
    C { data, layout, k }
}

/// Coefficient-gradient buffers are overwritten whatever they held: per-sample sets moved by block write each
/// gradient once (no zeroing pass), sets moved one by one accumulate into a zeroed buffer. Layout mixes, both
/// paths, threads, partial lane chunks.
#[test]
fn coefficient_gradient_buffers_are_overwritten() {
    let mut rng = Rng::new(79);
    let seq = vec![Par::Seq, Par::Rayon(2).with_grain(0)];
    for (d, pars) in [(Dims::new(3, 700), seq.clone()), (Dims::new(17, 300), seq), (Dims::new(1, 40_000), chunked().to_vec())] {
        let (x, gy) = (rng.vec(d.numel()), rng.vec(d.numel()));
        for (lb, la) in
            [(Layout::PerSample, Layout::PerSample), (Layout::PerSample, Layout::PerSignal), (Layout::Shared, Layout::PerSample)]
        {
            let (b, a) = (random_sets(&mut rng, lb, d, 3, false), random_sets(&mut rng, la, d, 3, true));
            let (cb, ca) = (b.view(), a.view());
            for par in &pars {
                let grads = |fill: f64| {
                    let mut y = vec![0.0; d.numel()];
                    let mut s = vec![0.0; lfilter_scratch_len(&cb, &ca, d, *par)];
                    lfilter_into(cb, ca, &x, d, None, &mut y, None, &mut s, *par).unwrap();
                    let (mut gb, mut ga) = (vec![fill; b.data.len()], vec![fill; a.data.len()]);
                    let mut sa = vec![0.0; lfilter_adjoint_scratch_len(&cb, &ca, d, *par)];
                    let out = LfilterGradsMut { x: None, b: Some(&mut gb), a: Some(&mut ga), zi: None };
                    lfilter_adjoint_into(cb, ca, &x, &y, d, &gy, None, out, &mut sa, *par).unwrap();
                    [gb, ga].map(|v| v.iter().map(|g| g.to_bits()).collect::<Vec<_>>())
                };
                assert!(grads(0.0) == grads(f64::NAN), "lfilter {lb:?}/{la:?} {d:?} {par:?}: gradients depend on the buffers' contents");
            }
        }
        let sos: Vec<f64> = (0..d.numel() * 2)
            .flat_map(|_| {
                let (num, den) = (rng.vec(3), random_sets(&mut rng, Layout::Shared, d, 3, true).data);
                num.into_iter().chain(den)
            })
            .collect();
        let cs = Coefs::per_sample(&sos, 12);
        for par in &pars {
            let grads = |fill: f64| {
                let mut y = vec![0.0; d.numel()];
                let mut tape = vec![0.0; sosfilt_tape_len::<f64>(d, 2)];
                let mut s = vec![0.0; sosfilt_scratch_len(&cs, d, *par)];
                sosfilt_into(cs, &x, d, None, &mut y, None, Some(&mut tape), &mut s, *par).unwrap();
                let mut gs = vec![fill; sos.len()];
                let mut sa = vec![0.0; sosfilt_adjoint_scratch_len(&cs, d, *par)];
                let out = SosfiltGradsMut { x: None, sos: Some(&mut gs), zi: None };
                sosfilt_adjoint_into(cs, &x, &y, &tape, d, &gy, None, out, &mut sa, *par).unwrap();
                gs.iter().map(|g| g.to_bits()).collect::<Vec<_>>()
            };
            assert!(grads(0.0) == grads(f64::NAN), "sosfilt per-sample {d:?} {par:?}: gradients depend on the buffer's contents");
        }
    }
}

fn allpole_all<T: Float>(a: &C<T>, x: &[T], d: Dims, zi: &[T], gy: &[T], gzf: &[T], par: Par) -> Vec<Vec<f64>> {
    let ca = a.view();
    let mut y = vec![T::zero(); d.numel()];
    let mut zf = vec![T::zero(); zi.len()];
    let mut s = vec![T::zero(); allpole_scratch_len(d, &ca, par)];
    allpole_into(x, d, ca, Some(zi), &mut y, Some(&mut zf), &mut s, par).unwrap();
    let (mut gx, mut ga, mut gzi) = (vec![T::zero(); d.numel()], vec![T::zero(); a.data.len()], vec![T::zero(); zi.len()]);
    let mut sa = vec![T::zero(); allpole_adjoint_scratch_len(d, &ca, par)];
    let out = AllpoleGradsMut { x: Some(&mut gx), a: Some(&mut ga), zi: Some(&mut gzi) };
    allpole_adjoint_into(&y, d, ca, Some(zi), gy, Some(gzf), out, &mut sa, par).unwrap();
    [y, zf, gx, ga, gzi].iter().map(|v| cast(v)).collect()
}

/// Every instruction-set level gives the baseline's results bit for bit (Rust does not contract to FMA or
/// reorder float operations, so wider registers must not change a single rounding): every family, forward
/// and adjoint, f32 and f64, shared / per-signal / per-sample coefficients, ragged lane chunks, 1 and 2
/// threads (against the baseline at the same thread count: shared gradients are summed per worker), sequential
/// and chunked paths.
fn simd_levels_bit_identical<T: Float>() {
    let levels: Vec<Simd> = Simd::LEVELS.into_iter().filter(|s| s.is_available()).collect();
    eprintln!("{}: levels on this CPU: {levels:?}", std::any::type_name::<T>());
    let mut rng = Rng::new(76);
    let f = |v: Vec<f64>| v.into_iter().map(|x| T::from(x).unwrap()).collect::<Vec<T>>();
    let pars = |chunked: bool| {
        let path = if chunked { Path::Chunked } else { Path::Sequential };
        levels.iter().flat_map(move |&l| [Par::Seq.with_simd(l).with_path(path), Par::Rayon(2).with_grain(0).with_simd(l).with_path(path)])
    };
    let same = |what: &str, got: &[Vec<f64>], want: &[Vec<f64>]| {
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert!(bits(g) == bits(w), "{what}: output {i} differs from the baseline level");
        }
    };
    // (batch, len, chunked): ragged 16-lane chunks, a few signals, one long signal on the chunked path.
    for (batch, len, chunked) in [(17, 1_500, false), (3, 700, false), (1, 70_000, true)] {
        let d = Dims::new(batch, len);
        let (x, gy) = (f(rng.vec(d.numel())), f(rng.vec(d.numel())));
        for (k, layout) in [(2, Layout::Shared), (3, Layout::PerSignal), (6, Layout::PerSample)] {
            let sets = [1, batch, batch * len][layout as usize];
            let mut av = vec![];
            for _ in 0..sets {
                av.extend(rng.stable_a(k - 1, 0.95).iter().enumerate().map(|(j, v)| if j == 0 { 1.2 } else { *v }));
            }
            let a = C { data: f(av), layout, k };
            let b = C { data: f((0..sets * 3).map(|_| rng.range(-1.0, 1.0)).collect()), layout, k: 3 };
            let m = k.max(3) - 1;
            let (zi, gzf) = (f(rng.vec(batch * m)), f(rng.vec(batch * m)));
            for par in pars(chunked) {
                let want = lfilter_all(&b, &a, &x, d, &zi, &gy, &gzf, par.with_simd(Simd::Baseline));
                same(&format!("lfilter {batch}×{len} k={k} {layout:?} {par:?}"), &lfilter_all(&b, &a, &x, d, &zi, &gy, &gzf, par), &want);
            }
            // The same denominators as 1 + (k − 1) all-pole coefficients; the first three as 3 sections.
            let ap = C { data: a.data.chunks(k).flat_map(|c| c[1..].iter().map(|v| *v / c[0])).collect(), layout, k: k - 1 };
            let zi_ap = f(rng.vec(batch * (k - 1)));
            let gzf_ap = f(rng.vec(batch * (k - 1)));
            for par in pars(false) {
                let want = allpole_all(&ap, &x, d, &zi_ap, &gy, &gzf_ap, par.with_simd(Simd::Baseline));
                same(
                    &format!("allpole {batch}×{len} N={} {layout:?} {par:?}", k - 1),
                    &allpole_all(&ap, &x, d, &zi_ap, &gy, &gzf_ap, par),
                    &want,
                );
            }
            let sos = C {
                data: f((0..sets * 3)
                    .flat_map(|_| {
                        let a = rng.stable_a(2, 0.99);
                        [rng.range(-1.0, 1.0), rng.range(-1.0, 1.0), rng.range(-1.0, 1.0), 1.1, a[1] * 1.1, a[2] * 1.1]
                    })
                    .collect()),
                layout,
                k: 18,
            };
            let (zs, gzs) = (f(rng.vec(batch * 6)), f(rng.vec(batch * 6)));
            for par in pars(chunked) {
                let want = sosfilt_all(&sos, &x, d, &zs, &gy, &gzs, par.with_simd(Simd::Baseline));
                same(&format!("sosfilt {batch}×{len}×3 {layout:?} {par:?}"), &sosfilt_all(&sos, &x, d, &zs, &gy, &gzs, par), &want);
            }
        }
    }
}

#[test]
fn simd_levels_bit_identical_f32() {
    simd_levels_bit_identical::<f32>();
}

#[test]
fn simd_levels_bit_identical_f64() {
    simd_levels_bit_identical::<f64>();
}

/// Every output of one family's forward + adjoint on the signals in a row range.
type RowsRun<'a> = &'a dyn Fn(std::ops::Range<usize>, Par) -> Vec<Vec<f64>>;

/// Rows `r` of a `[batch, w]` array.
fn rows(v: &[f64], batch: usize, r: std::ops::Range<usize>) -> Vec<f64> {
    let w = v.len() / batch;
    v[r.start * w..r.end * w].to_vec()
}

/// A batch of 8 MiB and more runs the forward in longer blocks than a small one (1024 steps against 256):
/// every output of each family, gradients included, on 1 and 2 threads, equals that of the same signals filtered 146 at a time
/// (a ragged last block, 1500 = 1024 + 476, and ragged lane chunks); on one signal of that size the chunked
/// path equals the sequential one and the reference loop.
#[test]
fn dram_sized_batches_equal_small_ones() {
    let mut rng = Rng::new(74);
    let (batch, len, part) = (730, 1500, 146);
    let d = Dims::new(batch, len);
    assert!(d.numel() * 8 >= 8 << 20 && part * len * 8 < 8 << 20);
    let per_signal = |data: Vec<f64>, k| C { data, layout: Layout::PerSignal, k };
    let b = per_signal(rng.vec(batch * 3), 3);
    let a = per_signal((0..batch).flat_map(|_| rng.stable_a(2, 0.99)).collect(), 3);
    let sos = per_signal((0..2 * batch).flat_map(|_| [rng.vec(3), rng.stable_a(2, 0.99)].concat()).collect(), 12);
    let ap = per_signal((0..batch).flat_map(|_| rng.stable_a(4, 0.99)[1..].to_vec()).collect(), 4);
    let (x, gy) = (rng.vec(d.numel()), rng.vec(d.numel()));
    let (zi2, zi4) = (rng.vec(batch * 2), rng.vec(batch * 4));
    let seq = Par::Seq.with_path(Path::Sequential);
    let sub = |c: &C<f64>, r: std::ops::Range<usize>| per_signal(rows(&c.data, batch, r), c.k);
    let run: [(&str, RowsRun); 3] = [
        ("lfilter", &|r, par| {
            let (zi, dr) = (rows(&zi2, batch, r.clone()), Dims::new(r.len(), len));
            lfilter_all(&sub(&b, r.clone()), &sub(&a, r.clone()), &rows(&x, batch, r.clone()), dr, &zi, &rows(&gy, batch, r), &zi, par)
        }),
        ("sosfilt", &|r, par| {
            let (zi, dr) = (rows(&zi4, batch, r.clone()), Dims::new(r.len(), len));
            sosfilt_all(&sub(&sos, r.clone()), &rows(&x, batch, r.clone()), dr, &zi, &rows(&gy, batch, r), &zi, par)
        }),
        ("allpole", &|r, par| {
            let (zi, dr) = (rows(&zi4, batch, r.clone()), Dims::new(r.len(), len));
            allpole_all(&sub(&ap, r.clone()), &rows(&x, batch, r.clone()), dr, &zi, &rows(&gy, batch, r), &zi, par)
        }),
    ];
    for (name, f) in run {
        let parts: Vec<_> = (0..batch).step_by(part).map(|r0| f(r0..r0 + part, seq)).collect();
        for par in [seq, Par::Rayon(2).with_grain(0).with_path(Path::Sequential)] {
            for (i, w) in f(0..batch, par).iter().enumerate() {
                let joined: Vec<f64> = parts.iter().flat_map(|p| p[i].iter().copied()).collect();
                assert_rel(&format!("{name} {batch}×{len} {par:?}, output {i}"), w, &joined, 1e-12);
            }
        }
    }
    let d1 = Dims::new(1, 1_100_003);
    let (x1, zi1) = (rng.vec(d1.numel()), rng.vec(2));
    let (b1, a1) = (rng.vec(3), rng.stable_a(2, 0.999));
    let want = reference::lfilter(Coefs::shared(&b1), Coefs::shared(&a1), &x1, d1, Some(&zi1)).unwrap();
    for par in [seq, Par::Seq.with_path(Path::Chunked)] {
        let mut y = vec![0.0; d1.numel()];
        let mut zf = vec![0.0; 2];
        let mut s = vec![0.0; lfilter_scratch_len(&Coefs::shared(&b1), &Coefs::shared(&a1), d1, par)];
        lfilter_into(Coefs::shared(&b1), Coefs::shared(&a1), &x1, d1, Some(&zi1), &mut y, Some(&mut zf), &mut s, par).unwrap();
        assert_rel(&format!("lfilter 1×{} {par:?}: y", d1.len), &y, &want.y, 1e-9);
        assert_rel(&format!("lfilter 1×{} {par:?}: zf", d1.len), &zf, &want.zf, 1e-9);
    }
    // sosfilt with its tape and adjoint: the chunked path against the sequential one, which meets the reference.
    let sos1 = C { data: [rng.vec(3), rng.stable_a(2, 0.99), rng.vec(3), rng.stable_a(2, 0.999)].concat(), layout: Layout::Shared, k: 12 };
    let (zs, gy1, gzf) = (rng.vec(4), rng.vec(d1.numel()), rng.vec(4));
    let want = reference::sosfilt(sos1.view(), &x1, d1, Some(&zs)).unwrap();
    let seq_all = sosfilt_all(&sos1, &x1, d1, &zs, &gy1, &gzf, seq);
    assert_rel("sosfilt 1×1100003 sequential: y", &seq_all[0], &want.y, 1e-9);
    let got = sosfilt_all(&sos1, &x1, d1, &zs, &gy1, &gzf, Par::Seq.with_path(Path::Chunked));
    for (i, name) in NAMES_SOS.iter().enumerate() {
        assert_rel(&format!("sosfilt 1×1100003 chunked: {name}"), &got[i], &seq_all[i], 1e-9);
    }
}

/// Many lane chunks on several workers take the balanced split (more pieces than workers, each taken by
/// whichever worker is free): every output, and every gradient except a shared coefficient's, equals the
/// sequential run bit for bit, whichever worker ran which piece. Shared coefficient gradients keep the static
/// split (summed per worker) and agree to rounding. f32 and f64; a ragged last chunk; every family and layout;
/// a two-section cascade, whose tape is padded past the last signal.
fn balanced_split_equals_sequential<T: Float>(tol: f64) {
    let mut rng = Rng::new(81);
    let f = |v: Vec<f64>| v.into_iter().map(|x| T::from(x).unwrap()).collect::<Vec<T>>();
    let d = Dims::new(203, 300); // 13 chunks of 16 lanes, the last with 11
    let (x, gy) = (f(rng.vec(d.numel())), f(rng.vec(d.numel())));
    let check = |what: String, got: &[Vec<f64>], want: &[Vec<f64>], shared: &[usize]| {
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            if shared.contains(&i) {
                assert_rel(&format!("{what}: output {i}"), g, w, tol);
            } else {
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert!(bits(g) == bits(w), "{what}: output {i} differs from the sequential run");
            }
        }
    };
    for layout in [Layout::Shared, Layout::PerSignal, Layout::PerSample] {
        let sets = [1, d.batch, d.numel()][layout as usize];
        let shared = layout == Layout::Shared;
        let b = C { data: f((0..sets * 3).map(|_| rng.range(-1.0, 1.0)).collect()), layout, k: 3 };
        let a = C { data: f((0..sets).flat_map(|_| rng.stable_a(2, 0.95)).collect()), layout, k: 3 };
        let ap = C { data: a.data.chunks(3).flat_map(|c| c[1..].to_vec()).collect(), layout, k: 2 };
        // Two sections, so that sosfilt keeps a tape (padded to whole lane chunks: the ragged last piece).
        let sos = C { data: b.data.chunks(3).zip(a.data.chunks(3)).flat_map(|(p, q)| [p, q, p, q].concat()).collect(), layout, k: 12 };
        let (zi, gzf) = (f(rng.vec(d.batch * 2)), f(rng.vec(d.batch * 2)));
        let (zi2, gzf2) = (f(rng.vec(d.batch * 4)), f(rng.vec(d.batch * 4)));
        let lf = |par| lfilter_all(&b, &a, &x, d, &zi, &gy, &gzf, par);
        let ap_ = |par| allpole_all(&ap, &x, d, &zi, &gy, &gzf, par);
        let so = |par| sosfilt_all(&sos, &x, d, &zi2, &gy, &gzf2, par);
        let (want_lf, want_ap, want_so) = (lf(Par::Seq), ap_(Par::Seq), so(Par::Seq));
        for workers in [2, 3, 4] {
            let par = Par::Rayon(workers).with_grain(0);
            let at = |v: &[usize]| if shared { v.to_vec() } else { vec![] };
            check(format!("lfilter {layout:?} {par:?}"), &lf(par), &want_lf, &at(&[3, 4]));
            check(format!("allpole {layout:?} {par:?}"), &ap_(par), &want_ap, &at(&[3]));
            check(format!("sosfilt {layout:?} {par:?}"), &so(par), &want_so, &at(&[3]));
        }
    }
}

#[test]
fn balanced_split_equals_sequential_f32() {
    balanced_split_equals_sequential::<f32>(1e-5);
}

#[test]
fn balanced_split_equals_sequential_f64() {
    balanced_split_equals_sequential::<f64>(1e-12);
}
