//! Frequency domain: freqz/sosfreqz/group_delay against scipy fixtures; adjoints against central finite
//! differences (f64); the frequency-sampling method converges to the exact recursion, meets its stated
//! tolerance with the default n_fft, refuses unstable filters, and has exact gradients.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::{assert_close, assert_rel, dot, fd_grad, Rng};
use diffiir::freq::*;
use diffiir::{lfilter, sosfilt, Coefs, Dims};
use num_complex::Complex;
use serde_json::Value;

fn fixtures() -> Value {
    let path = format!("{}/tests/fixtures/freqz.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn arr(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().flat_map(arr).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap()],
        _ => vec![],
    }
}

fn split(h: &[Complex<f64>]) -> (Vec<f64>, Vec<f64>) {
    (h.iter().map(|c| c.re).collect(), h.iter().map(|c| c.im).collect())
}

#[test]
fn freqz_sosfreqz_group_delay_match_scipy() {
    let f = fixtures();
    for (i, c) in f["freqz"].as_array().unwrap().iter().enumerate() {
        let (b, a, w) = (arr(&c["b"]), arr(&c["a"]), arr(&c["w"]));
        let h = freqz(Coefs::shared(&b), Coefs::shared(&a), 1, &w).unwrap();
        let (re, im) = split(&h);
        let scale = arr(&c["re"]).iter().chain(&arr(&c["im"])).fold(1.0f64, |m, v| m.max(v.abs()));
        assert_close(&format!("freqz case {i} re"), &re, &arr(&c["re"]), 0.0, 1e-12 * scale);
        assert_close(&format!("freqz case {i} im"), &im, &arr(&c["im"]), 0.0, 1e-12 * scale);
        // Batched: the same filter twice, one set per filter.
        let (b2, a2) = ([b.clone(), b.clone()].concat(), [a.clone(), a.clone()].concat());
        let h2 = freqz(Coefs::per_signal(&b2, b.len()), Coefs::per_signal(&a2, a.len()), 2, &w).unwrap();
        assert_eq!(&h2[w.len()..], &h[..]);
    }
    for (i, c) in f["sosfreqz"].as_array().unwrap().iter().enumerate() {
        let (sos, w) = (arr(&c["sos"]), arr(&c["w"]));
        let (re, im) = split(&sosfreqz(Coefs::shared(&sos), 1, &w).unwrap());
        let scale = arr(&c["re"]).iter().chain(&arr(&c["im"])).fold(1.0f64, |m, v| m.max(v.abs()));
        assert_close(&format!("sosfreqz case {i} re"), &re, &arr(&c["re"]), 0.0, 1e-12 * scale);
        assert_close(&format!("sosfreqz case {i} im"), &im, &arr(&c["im"]), 0.0, 1e-12 * scale);
    }
    for (i, c) in f["group_delay"].as_array().unwrap().iter().enumerate() {
        let gd = group_delay(Coefs::shared(&arr(&c["b"])), Coefs::shared(&arr(&c["a"])), 1, &arr(&c["w"])).unwrap();
        assert_close(&format!("group_delay case {i}"), &gd, &arr(&c["gd"]), 1e-9, 1e-9);
    }
}

/// L = Σ Re(conj(W)·h) for a fixed complex W: then ∂L/∂h (PyTorch convention) = W.
fn closs(w: &[Complex<f64>], h: &[Complex<f64>]) -> f64 {
    w.iter().zip(h).map(|(w, h)| w.re * h.re + w.im * h.im).sum()
}

#[test]
fn response_adjoints_match_finite_differences() {
    let mut rng = Rng::new(31);
    let w: Vec<f64> = (0..23).map(|i| 0.13 * i as f64).collect();
    for batch in [1, 3] {
        let (nb, na) = (4, 3);
        let b = rng.vec(batch * nb);
        let a: Vec<f64> = (0..batch).flat_map(|_| rng.stable_a(na - 1, 0.9).into_iter().map(|v| v * 1.7).collect::<Vec<_>>()).collect();
        let gw: Vec<Complex<f64>> = (0..batch * w.len()).map(|_| Complex::new(rng.normal(), rng.normal())).collect();
        let loss = |p: &[Vec<f64>]| closs(&gw, &freqz(co(&p[0], batch, nb), co(&p[1], batch, na), batch, &w).unwrap());
        let (gb, ga) = freqz_adjoint(co(&b, batch, nb), co(&a, batch, na), batch, &w, &gw).unwrap();
        let params = [b.clone(), a.clone()];
        assert_rel("freqz ∂L/∂b", &gb, &fd_grad(&params, 0, &loss), 1e-6);
        assert_rel("freqz ∂L/∂a", &ga, &fd_grad(&params, 1, &loss), 1e-6);

        let sos: Vec<f64> = (0..batch * 3)
            .flat_map(|_| {
                let p = rng.stable_a(2, 0.9);
                [rng.normal(), rng.normal(), rng.normal(), 1.3, p[1] * 1.3, p[2] * 1.3]
            })
            .collect();
        let loss = |p: &[Vec<f64>]| closs(&gw, &sosfreqz(co(&p[0], batch, 18), batch, &w).unwrap());
        let g = sosfreqz_adjoint(co(&sos, batch, 18), batch, &w, &gw).unwrap();
        assert_rel("sosfreqz ∂L/∂sos", &g, &fd_grad(std::slice::from_ref(&sos), 0, &loss), 1e-6);
    }
    // dB magnitude: L = Σ v·dB(h(b, a)) through both adjoints.
    let (b, a) = (rng.vec(3), rng.stable_a(2, 0.9));
    let v = rng.vec(w.len());
    let loss = |p: &[Vec<f64>]| dot(&v, &mag_db(&freqz(Coefs::shared(&p[0]), Coefs::shared(&p[1]), 1, &w).unwrap(), 1e-20));
    let h = freqz(Coefs::shared(&b), Coefs::shared(&a), 1, &w).unwrap();
    let gh = mag_db_adjoint(&h, 1e-20, &v).unwrap();
    let (gb, ga) = freqz_adjoint(Coefs::shared(&b), Coefs::shared(&a), 1, &w, &gh).unwrap();
    assert_rel("dB ∂L/∂b", &gb, &fd_grad(&[b.clone(), a.clone()], 0, &loss), 1e-6);
    assert_rel("dB ∂L/∂a", &ga, &fd_grad(&[b, a], 1, &loss), 1e-6);
}

/// Shared coefficients for one filter, one set per filter otherwise.
fn co(d: &[f64], batch: usize, k: usize) -> Coefs<'_, f64> {
    if batch == 1 {
        Coefs::shared(d)
    } else {
        Coefs::per_signal(d, k)
    }
}

fn max_err(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(1e-300f64, |m, v| m.max(v.abs()));
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max) / scale
}

#[test]
fn fsm_converges_and_default_n_fft_meets_the_tolerance() {
    let mut rng = Rng::new(32);
    let d = Dims::new(3, 2000);
    let x = rng.vec(d.numel());
    let resonant = |r: f64, th: f64| vec![1.0, -2.0 * r * th.cos(), r * r];
    let filters: Vec<(&str, Vec<f64>, Vec<f64>)> = vec![
        ("mild lowpass", vec![0.2, 0.4, 0.2], vec![1.0, -0.5, 0.2]),
        ("resonant r=0.99", vec![0.01, 0.0, -0.01], resonant(0.99, 0.3)),
        ("resonant r=0.999", vec![0.001, 0.0, -0.001], resonant(0.999, 0.05)),
        ("order 6", rng.vec(5), rng.stable_a(6, 0.97)),
    ];
    for (name, b, a) in &filters {
        let (cb, ca) = (Coefs::shared(&b[..]), Coefs::shared(&a[..]));
        let exact = lfilter(cb, ca, &x, d, None).unwrap().y;
        let mut last = f64::INFINITY;
        for n in [2048, 2300, 3000, 6000, 20000] {
            let e = max_err(&lfilter_fsm(cb, ca, &x, d, Some(n)).unwrap(), &exact);
            assert!(e <= last * 1.0001 + 1e-14, "{name}: error grew from {last:e} to {e:e} at n_fft {n}");
            last = e;
        }
        let n = lfilter_fsm_n_fft(cb, ca, d).unwrap();
        let e = max_err(&lfilter_fsm(cb, ca, &x, d, None).unwrap(), &exact);
        assert!(e <= 10.0 * FSM_TOL, "{name}: default n_fft {n} gives relative error {e:e} > 10·{FSM_TOL:e}");
    }
    // sosfilt_fsm on a resonant cascade.
    let sos: Vec<f64> = [resonant(0.995, 0.2), resonant(0.9, 1.0)].iter().flat_map(|a| [0.1, 0.0, -0.1, a[0], a[1], a[2]]).collect();
    let exact = sosfilt(Coefs::shared(&sos), &x, d, None).unwrap().y;
    let e = max_err(&sosfilt_fsm(Coefs::shared(&sos), &x, d, None).unwrap(), &exact);
    assert!(e <= 10.0 * FSM_TOL, "sos cascade: default n_fft error {e:e}");
}

#[test]
fn fsm_refuses_unstable_filters_and_bad_lengths() {
    let x = vec![0.0; 100];
    let d = Dims::new(1, 100);
    let e = lfilter_fsm(Coefs::shared(&[1.0]), Coefs::shared(&[1.0, -1.0]), &x, d, None).unwrap_err();
    assert!(e.to_string().contains("poles strictly inside the unit circle"), "{e}");
    let e = sosfilt_fsm(Coefs::shared(&[1.0, 0.0, 0.0, 1.0, 0.0, 1.01]), &x, d, None).unwrap_err();
    assert!(e.to_string().starts_with("sosfilt_fsm: sos has a pole of radius"), "{e}");
    let e = lfilter_fsm(Coefs::shared(&[1.0]), Coefs::shared(&[1.0, -0.5]), &x, d, Some(50)).unwrap_err();
    assert!(e.to_string().starts_with("lfilter_fsm: n_fft has 50; expected between T = 100"), "{e}");
    // A pole so close to the circle that the needed length is absurd.
    // The fault is the pole (on a), not an n_fft the caller never passed.
    let e = lfilter_fsm(Coefs::shared(&[1.0]), Coefs::shared(&[1.0, -0.9999999]), &x, d, None).unwrap_err();
    assert!(e.to_string().starts_with("lfilter_fsm: a has a pole of radius 0.99999990"), "{e}");
    assert!(e.to_string().contains("use the exact recursion"), "{e}");
    // sos rows are validated: length a multiple of 6, a0 ≠ 0 (forward and adjoint).
    let e = sosfilt_fsm(Coefs::shared(&[1.0, 0.0, 0.0, 1.0, 0.5]), &x, d, Some(128)).unwrap_err();
    assert!(e.to_string().contains("rows of 6"), "{e}");
    let e = sosfilt_fsm(Coefs::shared(&[1.0, 0.0, 0.0, 0.0, 0.5, 0.0]), &x, d, Some(128)).unwrap_err();
    assert!(matches!(e, diffiir::Error::ZeroLeadingCoefficient { .. }), "{e}");
    let e = sosfilt_fsm_adjoint(Coefs::shared(&[1.0, 0.0, 0.0, 0.0, 0.5, 0.0]), &x, d, Some(128), &x).unwrap_err();
    assert!(matches!(e, diffiir::Error::ZeroLeadingCoefficient { .. }), "{e}");
}

#[test]
fn fsm_adjoints_match_finite_differences() {
    let mut rng = Rng::new(33);
    for (batch, n) in [(1, 64), (2, 45)] {
        let d = Dims::new(batch, 30);
        let x = rng.vec(d.numel());
        let gy = rng.vec(d.numel());
        let b = rng.vec(batch * 3);
        let a: Vec<f64> = (0..batch).flat_map(|_| rng.stable_a(2, 0.8).into_iter().map(|v| v * 0.8).collect::<Vec<_>>()).collect();
        let loss = |p: &[Vec<f64>]| dot(&gy, &lfilter_fsm(co(&p[1], batch, 3), co(&p[2], batch, 3), &p[0], d, Some(n)).unwrap());
        let g = lfilter_fsm_adjoint(co(&b, batch, 3), co(&a, batch, 3), &x, d, Some(n), &gy).unwrap();
        let params = [x.clone(), b.clone(), a.clone()];
        assert_rel("lfilter_fsm ∂L/∂x", &g.x, &fd_grad(&params, 0, &loss), 1e-6);
        assert_rel("lfilter_fsm ∂L/∂b", &g.b, &fd_grad(&params, 1, &loss), 1e-6);
        assert_rel("lfilter_fsm ∂L/∂a", &g.a, &fd_grad(&params, 2, &loss), 1e-6);

        let sos: Vec<f64> = (0..batch * 2)
            .flat_map(|_| {
                let p = rng.stable_a(2, 0.8);
                [rng.normal(), rng.normal(), rng.normal(), 1.2, p[1] * 1.2, p[2] * 1.2]
            })
            .collect();
        let loss = |p: &[Vec<f64>]| dot(&gy, &sosfilt_fsm(co(&p[1], batch, 12), &p[0], d, Some(n)).unwrap());
        let g = sosfilt_fsm_adjoint(co(&sos, batch, 12), &x, d, Some(n), &gy).unwrap();
        let params = [x.clone(), sos.clone()];
        assert_rel("sosfilt_fsm ∂L/∂x", &g.x, &fd_grad(&params, 0, &loss), 1e-6);
        assert_rel("sosfilt_fsm ∂L/∂sos", &g.b, &fd_grad(&params, 1, &loss), 1e-6);
    }
}

/// The H1 estimate from noise recovers the exact response (sosfreqz) of a resonant cascade to a small dB error
/// that shrinks with the signal length (edge error O(L/T)); a silent input and bad lengths are errors.
#[test]
fn transfer_estimate_recovers_a_known_response() {
    let mut rng = Rng::new(41);
    // A 4 kHz resonance (r = 0.99) and a low shelf-like section at 48 kHz.
    let w0 = std::f64::consts::TAU * 4000.0 / 48_000.0;
    let sos = [0.5, 0.1, 0.2, 1.0, -2.0 * 0.99 * w0.cos(), 0.99 * 0.99, 1.0, -0.9, 0.0, 1.0, -0.95, 0.0];
    let w: Vec<f64> = (0..64).map(|i| std::f64::consts::TAU * 20.0 * 1000f64.powf(i as f64 / 63.0) / 48_000.0).collect();
    let exact: Vec<f64> = sosfreqz(Coefs::shared(&sos), 1, &w).unwrap().iter().map(|h| 20.0 * h.norm().log10()).collect();
    let mut errs = vec![];
    for len in [4_000, 64_000] {
        let d = Dims::new(3, len);
        let x: Vec<f64> = (0..d.numel()).map(|_| rng.normal()).collect();
        let y = sosfilt(Coefs::shared(&sos), &x, d, None).unwrap().y;
        let h = transfer_estimate(&x, &y, d, &w).unwrap();
        let db: Vec<f64> = h.iter().map(|h| 20.0 * h.norm().log10()).collect();
        errs.push(max_err(&db, &exact));
    }
    eprintln!("transfer_estimate dB errors {errs:?}");
    assert!(errs[1] < 0.05 && errs[1] < errs[0], "dB errors {errs:?}");
    let d = Dims::new(1, 10);
    assert!(matches!(transfer_estimate(&[0.0; 10], &[1.0; 10], d, &w), Err(diffiir::Error::Silent { .. })));
    assert!(matches!(transfer_estimate(&[1.0; 9], &[1.0; 10], d, &w), Err(diffiir::Error::Shape { .. })));
}
