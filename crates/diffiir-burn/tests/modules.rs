//! The modules: gradients of a loss on `forward(x)` reach every parameter through `backward()` and equal central
//! finite differences of the module itself (f64); the time-varying modules pass gradients to the per-sample
//! parameters that drive them; poles stay inside the unit circle for wild parameters.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use burn::module::Param;
mod common;
use burn::tensor::{DType, Device, Tensor};
use common::{host, t, vals};
use diffiir_burn::nn::{AllPole, BiquadCascade, ParametricEq, TimeVaryingAllPole, TimeVaryingBiquadCascade};

const B: usize = 2;
const T: usize = 30;

/// Central differences (1e-5) against `grads`, each of which must not be identically zero.
fn fd_check(what: &str, params: &[Vec<f64>], grads: &[Vec<f64>], loss: &dyn Fn(&[Vec<f64>]) -> f64) {
    for (i, g) in grads.iter().enumerate() {
        assert!(g.iter().any(|v| *v != 0.0), "{what}: gradient {i} is identically zero");
    }
    common::fd_check(what, params, grads, loss, 1e-5);
}

fn weighted(y: Tensor<2>, w: &[f64], dev: &Device) -> Tensor<1> {
    (y * t(w, [B, T], dev)).sum()
}

#[test]
fn biquad_cascade_gradients_reach_every_parameter() {
    let (plain, ad) = (Device::flex(), Device::flex().autodiff());
    let (x, w) = (vals(B * T, 1), vals(B * T, 2));
    let init = BiquadCascade::new(3, 5, (&plain, DType::F64));
    let params = vec![host(init.gain.val()), host(init.zeros.val()), host(init.poles.val())];
    let build = |p: &[Vec<f64>], dev: &Device| BiquadCascade {
        gain: Param::from_tensor(t(&p[0], [3], dev)),
        zeros: Param::from_tensor(t(&p[1], [3, 2], dev)),
        poles: Param::from_tensor(t(&p[2], [3, 2], dev)),
    };
    let loss = |p: &[Vec<f64>]| host(weighted(build(p, &plain).forward(t(&x, [B, T], &plain)).unwrap(), &w, &plain))[0];
    let m = build(&params, &ad);
    let grads = weighted(m.forward(t(&x, [B, T], &ad)).unwrap(), &w, &ad).backward();
    let got = vec![
        host(m.gain.val().grad(&grads).unwrap()),
        host(m.zeros.val().grad(&grads).unwrap()),
        host(m.poles.val().grad(&grads).unwrap()),
    ];
    fd_check("BiquadCascade", &params, &got, &loss);
}

#[test]
fn parametric_eq_gradients_reach_every_band() {
    let (plain, ad) = (Device::flex(), Device::flex().autodiff());
    let (x, w) = (vals(B * T, 3), vals(B * T, 4));
    let bands = [[150.0, 0.8, 3.0], [1000.0, 1.5, -4.0], [6000.0, 2.0, 2.0], [9000.0, 0.7, -2.0]];
    let init = ParametricEq::from_bands(&bands, 48_000.0, (&plain, DType::F64));
    // The constructor inverts the parameterisation: the bands come back.
    for (got, want) in init.bands().unwrap().iter().zip(&bands) {
        for k in 0..3 {
            assert!((got[k] - want[k]).abs() < 1e-9 * want[k].abs().max(1.0), "{got:?} vs {want:?}");
        }
    }
    let params = vec![host(init.bands.val())];
    let build = |p: &[Vec<f64>], dev: &Device| ParametricEq { bands: Param::from_tensor(t(&p[0], [4, 3], dev)), fs: 48_000.0, q_min: 0.1 };
    let loss = |p: &[Vec<f64>]| host(weighted(build(p, &plain).forward(t(&x, [B, T], &plain)).unwrap(), &w, &plain))[0];
    let m = build(&params, &ad);
    let grads = weighted(m.forward(t(&x, [B, T], &ad)).unwrap(), &w, &ad).backward();
    fd_check("ParametricEq", &params, &[host(m.bands.val().grad(&grads).unwrap())], &loss);
}

#[test]
fn all_pole_gradients_reach_reflection_parameters_and_gain() {
    let (plain, ad) = (Device::flex(), Device::flex().autodiff());
    let (x, w) = (vals(B * T, 5), vals(B * T, 6));
    let params = vec![vals(4, 7), vec![0.8]];
    let build =
        |p: &[Vec<f64>], dev: &Device| AllPole { u: Param::from_tensor(t(&p[0], [4], dev)), gain: Param::from_tensor(t(&p[1], [1], dev)) };
    let loss = |p: &[Vec<f64>]| host(weighted(build(p, &plain).forward(t(&x, [B, T], &plain)).unwrap(), &w, &plain))[0];
    let m = build(&params, &ad);
    let grads = weighted(m.forward(t(&x, [B, T], &ad)).unwrap(), &w, &ad).backward();
    let got = vec![host(m.u.val().grad(&grads).unwrap()), host(m.gain.val().grad(&grads).unwrap())];
    fd_check("AllPole", &params, &got, &loss);
    // A fresh AllPole is the identity.
    let y = AllPole::new(6, (&plain, DType::F64)).forward(t(&x, [B, T], &plain)).unwrap();
    assert_eq!(host(y), x);
}

#[test]
fn time_varying_modules_pass_gradients_to_their_driving_parameters() {
    let (plain, ad) = (Device::flex(), Device::flex().autodiff());
    let (x, w) = (vals(B * T, 8), vals(B * T, 9));
    let u = vals(B * T * 3, 10);
    let loss = |p: &[Vec<f64>]| {
        host(weighted(TimeVaryingAllPole.forward(t(&x, [B, T], &plain), t(&p[0], [B, T, 3], &plain)).unwrap(), &w, &plain))[0]
    };
    let ut = t(&u, [B, T, 3], &ad).require_grad();
    let grads = weighted(TimeVaryingAllPole.forward(t(&x, [B, T], &ad), ut.clone()).unwrap(), &w, &ad).backward();
    fd_check("TimeVaryingAllPole", std::slice::from_ref(&u), &[host(ut.grad(&grads).unwrap())], &loss);

    let p: Vec<f64> = vals(B * T * 10, 11).iter().map(|v| 0.5 * v).collect();
    let loss = |q: &[Vec<f64>]| {
        host(weighted(TimeVaryingBiquadCascade.forward(t(&x, [B, T], &plain), t(&q[0], [B, T, 10], &plain)).unwrap(), &w, &plain))[0]
    };
    let pt = t(&p, [B, T, 10], &ad).require_grad();
    let grads = weighted(TimeVaryingBiquadCascade.forward(t(&x, [B, T], &ad), pt.clone()).unwrap(), &w, &ad).backward();
    fd_check("TimeVaryingBiquadCascade", std::slice::from_ref(&p), &[host(pt.grad(&grads).unwrap())], &loss);
    assert!(TimeVaryingBiquadCascade.forward(t(&x, [B, T], &plain), t(&p[..B * T * 9], [B, T, 9], &plain)).is_err());
}

#[test]
fn wild_parameters_still_give_stable_filters() {
    let plain = Device::flex();
    let huge: Vec<f64> = vals(12, 12).iter().map(|v| v * 1e6).collect();
    let m = BiquadCascade {
        gain: Param::from_tensor(t(&[1.0; 3], [3], &plain)),
        zeros: Param::from_tensor(t(&huge[..6], [3, 2], &plain)),
        poles: Param::from_tensor(t(&huge[6..], [3, 2], &plain)),
    };
    // from_sos round-trips a stable cascade.
    let sos = [0.3, 0.2, 0.1, 2.0, -1.0, 0.5, 1.0, -1.2, 0.4, 1.0, 0.3, 0.2];
    let back = host(BiquadCascade::from_sos(&sos, (&plain, DType::F64)).unwrap().sos().unwrap());
    let want = [0.15, 0.1, 0.05, 1.0, -0.5, 0.25, 1.0, -1.2, 0.4, 1.0, 0.3, 0.2];
    assert!(back.iter().zip(&want).all(|(x, y)| (x - y).abs() < 1e-9), "{back:?}");
    for s in host(m.sos().unwrap()).chunks(6) {
        // Inside the stability triangle: |a2| < 1 and |a1| < 1 + a2.
        assert!(s[5].abs() < 1.0 && s[4].abs() < 1.0 + s[5], "{s:?}");
    }
    // Wild frequencies and Qs (the gain is in dB and unbounded by design: ±30 dB here).
    let bands: Vec<f64> = huge.iter().enumerate().map(|(i, v)| if i % 3 == 2 { v.signum() * 30.0 } else { *v }).collect();
    let eq = ParametricEq { bands: Param::from_tensor(t(&bands, [4, 3], &plain)), fs: 48_000.0, q_min: 0.1 };
    let y = host(eq.forward(t(&vals(B * 200, 13), [B, 200], &plain)).unwrap());
    assert!(y.iter().all(|v| v.is_finite()));
}
