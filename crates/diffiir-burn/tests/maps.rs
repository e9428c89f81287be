//! The parameterisation op and the frequency-domain ops: forward equals the core; gradients through
//! `backward()` equal the core's adjoints and central finite differences of the ops themselves (f64).
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;
use burn::tensor::Device;
use common::{host, t, vals};
use diffiir::param::Rbj;
use diffiir::{Coefs, Dims};
use diffiir_burn::freq::{freqz, lfilter_fsm, mag_db, sosfilt_fsm, sosfreqz};
use diffiir_burn::param::{map, Map};
use diffiir_burn::Coef;

/// The core's map and adjoint for `m` on rows of `p` values (the reference the op must reproduce exactly).
fn core_map(m: Map, u: &[f64], p: usize, w: &[f64]) -> (Vec<f64>, Vec<f64>) {
    use diffiir::param as c;
    let split = |u: &[f64]| -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        (
            u.chunks(5).map(|r| r[0]).collect(),
            u.chunks(5).flat_map(|r| [r[1], r[2]]).collect(),
            u.chunks(5).flat_map(|r| [r[3], r[4]]).collect(),
        )
    };
    match m {
        Map::Triangle => (c::triangle(u).unwrap(), c::triangle_adjoint(u, w).unwrap()),
        Map::ConjugatePair => (c::conjugate_pair(u).unwrap(), c::conjugate_pair_adjoint(u, w).unwrap()),
        Map::PolarPair => (c::polar_pair(u).unwrap(), c::polar_pair_adjoint(u, w).unwrap()),
        Map::SosFromPairs => {
            let (g, z, pl) = split(u);
            let gr = c::sos_from_pairs_adjoint(&g, &z, w).unwrap();
            let grad = (0..g.len())
                .flat_map(|i| [gr.gain[i], gr.zeros[2 * i], gr.zeros[2 * i + 1], gr.poles[2 * i], gr.poles[2 * i + 1]])
                .collect();
            (c::sos_from_pairs(&g, &z, &pl).unwrap(), grad)
        }
        Map::Reflection => (c::reflection(u), c::reflection_adjoint(u, w).unwrap()),
        Map::LarReflection => (c::lar_reflection(u), c::lar_reflection_adjoint(u, w).unwrap()),
        Map::StepUp => (c::step_up(u, p).unwrap(), c::step_up_adjoint(u, p, w).unwrap()),
        Map::Rbj { kind, fs } => (c::rbj(kind, u, fs).unwrap(), c::rbj_adjoint(kind, u, fs, w).unwrap()),
        Map::RbjUnconstrained { kind, fs, q_min } => {
            (c::rbj_unconstrained(kind, u, fs, q_min).unwrap(), c::rbj_unconstrained_adjoint(kind, u, fs, q_min, w).unwrap())
        }
        Map::Svf => (c::svf(u).unwrap(), c::svf_adjoint(u, w).unwrap()),
    }
}

#[test]
fn every_map_matches_the_core_and_finite_differences() {
    let fs = 48_000.0;
    let cases: Vec<(Map, usize, Vec<f64>)> = vec![
        (Map::Triangle, 2, vals(6, 1)),
        (Map::ConjugatePair, 2, vals(6, 2)),
        (Map::PolarPair, 2, vals(6, 3).iter().map(|v| 0.5 + 0.4 * v).collect()),
        (Map::SosFromPairs, 5, vals(15, 4).iter().map(|v| 0.5 * v).collect()),
        (Map::Reflection, 4, vals(12, 5)),
        (Map::LarReflection, 4, vals(12, 6)),
        (Map::StepUp, 4, vals(12, 7).iter().map(|v| 0.8 * v).collect()),
        (Map::Rbj { kind: Rbj::Peaking, fs }, 3, [1000.0, 0.7, 6.0, 200.0, 2.0, -3.0, 9000.0, 1.1, 1.0].to_vec()),
        (Map::Rbj { kind: Rbj::LowShelf, fs }, 3, [100.0, 0.7, 6.0, 300.0, 0.5, -3.0, 900.0, 1.1, 1.0].to_vec()),
        (Map::RbjUnconstrained { kind: Rbj::HighShelf, fs, q_min: 0.1 }, 3, vals(9, 8)),
        (Map::Svf, 5, vals(15, 9).iter().enumerate().map(|(i, v)| if i % 5 < 2 { 0.6 + 0.3 * v } else { *v }).collect()),
    ];
    let (plain, ad) = (Device::flex(), Device::flex().autodiff());
    for (m, p, u) in cases {
        let rows = u.len() / p;
        let out = map(t(&u, [rows, p], &plain), m).unwrap();
        let k = out.dims()[1];
        let w = vals(rows * k, 99);
        let loss = |ps: &[Vec<f64>]| -> f64 {
            let y = host(map(t(&ps[0], [rows, p], &plain), m).unwrap());
            y.iter().zip(&w).map(|(a, b)| a * b).sum()
        };
        let ut = t(&u, [rows, p], &ad).require_grad();
        let y = map(ut.clone(), m).unwrap();
        let grads = (y * t(&w, [rows, k], &ad)).sum().backward();
        let g = host(ut.grad(&grads).unwrap());
        common::fd_check(&format!("{m:?}"), std::slice::from_ref(&u), std::slice::from_ref(&g), &loss, 2e-6);
        // Forward and gradient are exactly the core's function and adjoint.
        let (want_y, want_g) = core_map(m, &u, p, &w);
        assert_eq!(host(out), want_y, "{m:?} forward");
        assert_eq!(g, want_g, "{m:?} gradient");
    }
    // Bad rows and bad settings are errors, not NaN.
    assert!(map(t(&[1.0, 2.0, 3.0], [1, 3], &plain), Map::Triangle).is_err());
    assert!(map(t(&[1.0, 2.0, 3.0], [1, 3], &plain), Map::Rbj { kind: Rbj::Peaking, fs: -1.0 }).is_err());
}

#[test]
fn freqz_and_sosfreqz_match_the_core_and_finite_differences() {
    let (plain, ad) = (Device::flex(), Device::flex().autodiff());
    let w: Vec<f64> = (0..7).map(|i| 0.4 * i as f64 + 0.05).collect();
    let b = vals(6, 11);
    let a: Vec<f64> = vals(4, 12).chunks(2).flat_map(|c| [1.2, 0.4 * c[0], 0.3 * c[1]]).collect();
    let wt = vals(2 * 7 * 2, 13);
    let loss = |ps: &[Vec<f64>]| -> f64 {
        let h = freqz(Coef::PerSignal(t(&ps[0], [2, 3], &plain)), Coef::PerSignal(t(&ps[1], [2, 3], &plain)), &w).unwrap();
        host(h).iter().zip(&wt).map(|(p, q)| p * q).sum()
    };
    let (bt, at) = (t(&b, [2, 3], &ad).require_grad(), t(&a, [2, 3], &ad).require_grad());
    let h = freqz(Coef::PerSignal(bt.clone()), Coef::PerSignal(at.clone()), &w).unwrap();
    assert_eq!(h.dims(), [2, 7, 2]);
    let core = diffiir::freq::freqz(Coefs::per_signal(&b, 3), Coefs::per_signal(&a, 3), 2, &w).unwrap();
    assert_eq!(host(h.clone()), core.iter().flat_map(|h| [h.re, h.im]).collect::<Vec<_>>());
    let grads = (h * t(&wt, [2, 7, 2], &ad)).sum().backward();
    let (gb, ga) = (host(bt.grad(&grads).unwrap()), host(at.grad(&grads).unwrap()));
    let gh: Vec<diffiir::freq::Complex<f64>> = wt.chunks(2).map(|c| diffiir::freq::Complex::new(c[0], c[1])).collect();
    let want = diffiir::freq::freqz_adjoint(Coefs::per_signal(&b, 3), Coefs::per_signal(&a, 3), 2, &w, &gh).unwrap();
    assert_eq!((&gb, &ga), (&want.0, &want.1), "freqz gradient = the core adjoint");
    common::fd_check("freqz", &[b.clone(), a.clone()], &[gb, ga], &loss, 2e-6);

    // sosfreqz, shared sections, through mag_db (burn primitives after the op).
    let sos = [0.2, 0.3, 0.1, 1.0, -0.5, 0.2, 0.7, -0.1, 0.3, 1.0, 0.3, 0.4].to_vec();
    let loss = |ps: &[Vec<f64>]| -> f64 {
        let h = sosfreqz(Coef::Shared(t(&ps[0], [12], &plain)), &w).unwrap();
        host(mag_db(h, 1e-20)).iter().sum()
    };
    let st = t(&sos, [12], &ad).require_grad();
    let db = mag_db(sosfreqz(Coef::Shared(st.clone()), &w).unwrap(), 1e-20);
    let g = host(st.grad(&db.sum().backward()).unwrap());
    common::fd_check("sosfreqz → mag_db", std::slice::from_ref(&sos), &[g], &loss, 2e-6);
}

#[test]
fn frequency_sampling_filters_match_the_core_and_finite_differences() {
    let (plain, ad) = (Device::flex(), Device::flex().autodiff());
    let d = Dims::new(2, 40);
    let x = vals(d.numel(), 21);
    let wy = vals(d.numel(), 22);
    let (b, a) = (vec![0.3, 0.2, 0.1], vec![1.0, -0.6, 0.25]);
    let loss = |ps: &[Vec<f64>]| -> f64 {
        let y =
            lfilter_fsm(Coef::Shared(t(&ps[0], [3], &plain)), Coef::Shared(t(&ps[1], [3], &plain)), t(&ps[2], [2, 40], &plain), Some(64))
                .unwrap();
        host(y).iter().zip(&wy).map(|(p, q)| p * q).sum()
    };
    let (bt, at, xt) = (t(&b, [3], &ad).require_grad(), t(&a, [3], &ad).require_grad(), t(&x, [2, 40], &ad).require_grad());
    let y = lfilter_fsm(Coef::Shared(bt.clone()), Coef::Shared(at.clone()), xt.clone(), Some(64)).unwrap();
    let core = diffiir::freq::lfilter_fsm(Coefs::shared(&b), Coefs::shared(&a), &x, d, Some(64)).unwrap();
    assert_eq!(host(y.clone()), core);
    let grads = (y * t(&wy, [2, 40], &ad)).sum().backward();
    let gs = [host(bt.grad(&grads).unwrap()), host(at.grad(&grads).unwrap()), host(xt.grad(&grads).unwrap())];
    let want = diffiir::freq::lfilter_fsm_adjoint(Coefs::shared(&b), Coefs::shared(&a), &x, d, Some(64), &wy).unwrap();
    assert_eq!((&gs[0], &gs[1], &gs[2]), (&want.b, &want.a, &want.x));
    common::fd_check("lfilter_fsm", &[b, a, x.clone()], &gs, &loss, 2e-6);

    // sosfilt_fsm with per-signal sections and the default n_fft.
    let sos: Vec<f64> = [0.2, 0.3, 0.1, 1.0, -0.5, 0.2, 0.7, -0.1, 0.3, 1.0, 0.3, 0.4].to_vec();
    let loss = |ps: &[Vec<f64>]| -> f64 {
        let y = sosfilt_fsm(Coef::PerSignal(t(&ps[0], [2, 6], &plain)), t(&ps[1], [2, 40], &plain), None).unwrap();
        host(y).iter().zip(&wy).map(|(p, q)| p * q).sum()
    };
    let (st, xt) = (t(&sos, [2, 6], &ad).require_grad(), t(&x, [2, 40], &ad).require_grad());
    let y = sosfilt_fsm(Coef::PerSignal(st.clone()), xt.clone(), None).unwrap();
    let grads = (y * t(&wy, [2, 40], &ad)).sum().backward();
    let gs = [host(st.grad(&grads).unwrap()), host(xt.grad(&grads).unwrap())];
    let want = diffiir::freq::sosfilt_fsm_adjoint(Coefs::per_signal(&sos, 6), &x, d, None, &wy).unwrap();
    assert_eq!((&gs[0], &gs[1]), (&want.b, &want.x), "sosfilt_fsm gradient = the core adjoint");
    common::fd_check("sosfilt_fsm", &[sos, x], &gs, &loss, 2e-6);
    // Unstable poles with the default n_fft are an error.
    let bad = Coef::Shared(t(&[1.0, 0.0, 0.0, 1.0, -2.5, 1.2], [6], &plain));
    assert!(sosfilt_fsm(bad, t(&vals(40, 3), [1, 40], &plain), None).is_err());
}
