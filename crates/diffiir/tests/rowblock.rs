//! The row-layout block path ([`Path::Rows`]) against the sequential lane path: equal to rounding in f64 for
//! every layout, order ≤ 2, length class, state and gradient; within 2× of the sequential path's float32 error
//! on a resonant biquad; where `Auto` takes it; bit-identical across instruction-set levels; and `Rows` asked
//! for where it does not apply runs as `Auto`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::coefs::{lfilter_all, C};
use common::{assert_rel, Rng};
use diffiir::*;

const NAMES: [&str; 6] = ["y", "zf", "grad x", "grad b", "grad a", "grad zi"];

fn rows() -> Par {
    Par::Seq.with_path(Path::Rows)
}

fn seq() -> Par {
    Par::Seq.with_path(Path::Sequential)
}

/// Random `b`, `a` (`a0 ≠ 1`, poles within radius 0.97), `x`, `zi`, `∂L/∂y`, `∂L/∂zf` for one case.
#[allow(clippy::type_complexity)]
fn case(rng: &mut Rng, d: Dims, (nb, na): (usize, usize), (lb, la): (Layout, Layout)) -> (C<f64>, C<f64>, [Vec<f64>; 4]) {
    let sets = |l| if l == Layout::Shared { 1 } else { d.batch };
    let b = C { data: (0..sets(lb) * nb).map(|_| rng.range(-1.0, 1.0)).collect(), layout: lb, k: nb };
    let mut av = vec![];
    for _ in 0..sets(la) {
        let a0 = rng.range(0.5, 2.0);
        av.extend(rng.stable_a(na - 1, 0.97).iter().map(|v| v * a0));
    }
    let a = C { data: av, layout: la, k: na };
    let m = nb.max(na) - 1;
    let v = [d.numel(), d.batch * m, d.numel(), d.batch * m].map(|n| rng.vec(n));
    (b, a, v)
}

/// Every order ≤ 2 (b and a of different lengths too), shared and per-signal sets in all four pairings,
/// lengths at and around the block edges (16 is the shortest the path takes; tails of 2–9 samples; several
/// adjoint chunks), with zi and ∂L/∂zf.
#[test]
fn rows_equal_sequential_f64() {
    let mut rng = Rng::new(91);
    let orders = [(3, 3), (2, 2), (1, 3), (3, 1), (2, 3), (3, 2), (1, 2), (2, 1)];
    let layouts = [
        (Layout::Shared, Layout::Shared),
        (Layout::PerSignal, Layout::PerSignal),
        (Layout::Shared, Layout::PerSignal),
        (Layout::PerSignal, Layout::Shared),
    ];
    let shapes = [(1, 16), (2, 17), (3, 23), (1, 24), (2, 25), (1, 26), (3, 1000), (1, 2051), (2, 5003)];
    for (i, &(batch, len)) in shapes.iter().enumerate() {
        for (j, &ord) in orders.iter().enumerate() {
            let lay = layouts[(i + j) % layouts.len()];
            let d = Dims::new(batch, len);
            let (b, a, [x, zi, gy, gzf]) = case(&mut rng, d, ord, lay);
            let want = lfilter_all(&b, &a, &x, d, &zi, &gy, &gzf, seq());
            for par in [rows(), Par::Rayon(2).with_grain(0).with_path(Path::Rows)] {
                let got = lfilter_all(&b, &a, &x, d, &zi, &gy, &gzf, par);
                for (k, name) in NAMES.iter().enumerate() {
                    assert_rel(&format!("{batch}×{len} b{ord:?} {lay:?} {name}"), &got[k], &want[k], 1e-9);
                }
                // (An FIR's block sums can round exactly as the sequential steps do.)
                if len >= 1000 && ord.1 == 3 {
                    assert_ne!(got[0], want[0], "{batch}×{len}: the rows path should round differently (did it run?)");
                }
            }
        }
    }
}

/// A resonant biquad (poles at radius 0.999) at three frequencies, four signals: the float32 error of the rows
/// path vs float64 stays within 2× of the sequential path's, for the output and every gradient. Errors are
/// relative to the largest exact value of each output, except `zf`'s, relative to `y`'s: the final state is a
/// few values of the size of `y`, and one of them near zero would make the ratio a coin toss.
#[test]
fn rows_float32_error_within_2x_of_sequential() {
    let mut rng = Rng::new(93);
    let len = 200_000;
    let d = Dims::new(4, len);
    for f in [100.0, 1000.0, 8000.0] {
        let (r, w) = (0.999, 2.0 * std::f64::consts::PI * f / 48_000.0);
        let b = C { data: vec![1.0 - r, 0.0, -(1.0 - r)], layout: Layout::Shared, k: 3 };
        let a = C { data: vec![1.0, -2.0 * r * w.cos(), r * r], layout: Layout::Shared, k: 3 };
        let n = d.numel();
        let (x, zi, gy, gzf) = (rng.vec(n), rng.vec(8), rng.vec(n), rng.vec(8));
        let exact = lfilter_all(&b, &a, &x, d, &zi, &gy, &gzf, seq());
        let run32 = |par| {
            let f = |v: &[f64]| common::to32(v);
            lfilter_all(&b.cast::<f32>(), &a.cast::<f32>(), &f(&x), d, &f(&zi), &f(&gy), &f(&gzf), par)
        };
        let peak = |v: &[f64]| v.iter().fold(0f64, |m, v| m.max(v.abs())).max(1e-30);
        let err = |got: &[Vec<f64>]| -> Vec<f64> {
            (0..NAMES.len())
                .map(|k| {
                    let scale = peak(&exact[if k == 1 { 0 } else { k }]);
                    got[k].iter().zip(&exact[k]).fold(0f64, |m, (p, q)| m.max((p - q).abs())) / scale
                })
                .collect()
        };
        let (s, r) = (err(&run32(seq())), err(&run32(rows())));
        for (k, name) in NAMES.iter().enumerate() {
            eprintln!("f={f} {name}: sequential {:.2e}, rows {:.2e}", s[k], r[k]);
            assert!(r[k] <= 2.0 * s[k] + 1e-7, "f={f} {name}: rows {:.2e} vs sequential {:.2e}", r[k], s[k]);
        }
    }
}

/// `Auto` takes the rows path for a biquad on few signals (`batch ≤ LANES / 4`) of ≥ 1024 samples, and not for
/// shorter ones, full batches, longer filters, time-varying ones, or a long lone signal the chunked path spreads
/// over threads.
#[test]
fn auto_takes_rows_for_few_biquads() {
    let mut rng = Rng::new(95);
    let run = |rng: &mut Rng, batch: usize, len: usize, ord: (usize, usize), tv: bool, par: Par| {
        let d = Dims::new(batch, len);
        let (mut b, mut a, [x, zi, gy, gzf]) = case(rng, d, ord, (Layout::PerSignal, Layout::PerSignal));
        if tv {
            // One set per sample: each signal's set repeated.
            for c in [&mut b, &mut a] {
                c.data = c.data.chunks(c.k).flat_map(|s| std::iter::repeat_n(s.to_vec(), len).flatten()).collect();
                c.layout = Layout::PerSample;
            }
        }
        let (b, a) = (b.cast::<f32>(), a.cast::<f32>());
        let f = |v: &[f64]| common::to32(v);
        let go = |path| lfilter_all(&b, &a, &f(&x), d, &f(&zi), &f(&gy), &f(&gzf), par.with_path(path));
        (go(Path::Auto), go(Path::Rows), go(Path::Sequential), go(Path::Chunked))
    };
    let (one, two) = (Par::Seq, Par::Rayon(2).with_grain(0));
    // (batch, len, b/a lengths, time-varying, threads, the path applies, Auto takes it)
    for (batch, len, ord, tv, par, applies, want) in [
        (1, 1024, (3, 3), false, one, true, true),
        (2, 1023, (3, 3), false, one, true, false),
        (4, 3000, (2, 3), false, one, true, true),
        (1, 70_000, (3, 3), false, one, true, true),
        (1, 3000, (3, 3), false, two, true, true),
        (1, 70_000, (3, 3), false, two, true, false),
        (2, 70_000, (3, 3), false, two, true, true),
        (5, 3000, (3, 3), false, one, true, false),
        (16, 3000, (3, 3), false, one, true, false),
        (1, 3000, (4, 3), false, one, false, false),
        (1, 15, (3, 3), false, one, false, false),
        (1, 3000, (3, 3), true, one, false, false),
    ] {
        let (auto, rows, sequential, chunked) = run(&mut rng, batch, len, ord, tv, par);
        let what = format!("{batch}×{len} b/a {ord:?} tv={tv} {par:?}");
        assert_eq!(auto == rows, want || !applies, "{what}: Rows where it does not apply runs as Auto");
        assert_eq!(
            auto == sequential || auto == chunked,
            !want,
            "{what}: Auto should {}take the rows path",
            if want { "" } else { "not " }
        );
    }
}

/// Every instruction-set level gives the same bits on the rows path.
#[test]
fn rows_simd_levels_bit_identical() {
    let mut rng = Rng::new(97);
    let d = Dims::new(2, 4001);
    let (b, a, [x, zi, gy, gzf]) = case(&mut rng, d, (3, 3), (Layout::PerSignal, Layout::Shared));
    let (b, a) = (b.cast::<f32>(), a.cast::<f32>());
    let f = |v: &[f64]| common::to32(v);
    let runs: Vec<_> = Simd::LEVELS
        .into_iter()
        .filter(|s| s.is_available())
        .map(|s| lfilter_all(&b, &a, &f(&x), d, &f(&zi), &f(&gy), &f(&gzf), rows().with_simd(s)))
        .collect();
    for r in &runs[1..] {
        for (k, name) in NAMES.iter().enumerate() {
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&r[k]), bits(&runs[0][k]), "{name}");
        }
    }
}

/// Gradients the caller does not ask for are skipped, and the rest are unchanged by that.
#[test]
fn rows_partial_gradients() {
    let mut rng = Rng::new(99);
    let d = Dims::new(2, 1003);
    let (b, a, [x, _, gy, _]) = case(&mut rng, d, (3, 3), (Layout::PerSignal, Layout::PerSignal));
    let (cb, ca) = (b.view(), a.view());
    let y = lfilter(cb, ca, &x, d, None).unwrap().y;
    let full = lfilter_adjoint(cb, ca, &x, &y, d, &gy, None).unwrap();
    let mut s = vec![0.0; lfilter_adjoint_scratch_len(&cb, &ca, d, rows())];
    let mut ga = vec![f64::NAN; a.data.len()];
    let out = LfilterGradsMut { x: None, b: None, a: Some(&mut ga), zi: None };
    lfilter_adjoint_into(cb, ca, &x, &y, d, &gy, None, out, &mut s, rows()).unwrap();
    assert_rel("grad a alone", &ga, &full.a, 1e-9);
}
