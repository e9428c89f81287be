//! Parameterisations (`diffiir::param`): stability by construction (f64 and f32, extreme inputs included),
//! RBJ designs against the cookbook formulas (fixture from `scripts/make_param_fixtures.py`), step-up /
//! step-down round trips, SVF against a time-domain TPT recursion, and every adjoint against central finite
//! differences.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::{assert_close, assert_rel, dot, fd_grad, Rng};
use diffiir::param::*;
use diffiir::{allpole, allpole_adjoint, sosfilt, sosfilt_adjoint, sosfilt_with_tape, Coefs, Dims, Error, Float};
use serde_json::Value;
use std::f64::consts::PI;

const REL: f64 = 1e-6;

/// Inputs that break naive maps: saturating magnitudes, signed zeros, tiny values.
const EXTREMES: [f64; 16] = [1e6, -1e6, 0.0, -0.0, 1e3, -1e3, 40.0, -40.0, 20.0, -20.0, 9.0, -9.0, 1e-300, -1e-300, 1.0, -1.0];

/// A mix of extremes (one in three) and typical values `3·N(0, 1)`.
fn inputs(rng: &mut Rng, n: usize) -> Vec<f64> {
    (0..n).map(|_| if rng.below(3) == 0 { EXTREMES[rng.below(EXTREMES.len())] } else { 3.0 * rng.normal() }).collect()
}

fn of<T: Float>(v: &[f64]) -> Vec<T> {
    v.iter().map(|&x| T::of(x)).collect()
}

fn wide<T: Float>(v: &[T]) -> Vec<f64> {
    v.iter().map(|x| x.to64()).collect()
}

// ------------------------------------------------------------------------------------------------
// Independent stability checks (f64)
// ------------------------------------------------------------------------------------------------

/// Largest pole radius of `z² + a1 z + a2`, by the quadratic formula in its cancellation-free form.
fn biquad_radius(a1: f64, a2: f64) -> f64 {
    let disc = a1 * a1 - 4.0 * a2;
    if disc < 0.0 {
        return a2.sqrt(); // a complex pair: |z|² = a2
    }
    let q = -0.5 * (a1 + a1.signum() * disc.sqrt());
    let r2 = if q != 0.0 { (a2 / q).abs() } else { 0.0 };
    q.abs().max(r2)
}

/// Both poles strictly inside: by the roots, and by the triangle (Jury) conditions.
#[track_caller]
fn assert_biquad_stable(what: &str, a1: f64, a2: f64) {
    let r = biquad_radius(a1, a2);
    let jury = a2.abs() < 1.0 && a1.abs() < 1.0 + a2;
    assert!(r < 1.0 && jury, "{what}: a = ({a1:e}, {a2:e}) has pole radius {r} (Jury {jury})");
}

/// Step-down written independently of the crate (full copy per stage). Its error grows like
/// `Π 1/(1 − k_i²)`, so it only serves moderate `k` (round trips); stability is certified by [`lpc_radius`].
fn reflection_of(a: &[f64]) -> Vec<f64> {
    let n = a.len();
    let mut cur = a.to_vec();
    let mut k = vec![0.0; n];
    for i in (1..=n).rev() {
        let ki = cur[i - 1];
        k[i - 1] = ki;
        let prev: Vec<f64> = (1..i).map(|j| (cur[j - 1] - ki * cur[i - j - 1]) / (1.0 - ki * ki)).collect();
        cur = prev;
    }
    k
}

/// A double-double number `hi + lo` (≈ 106-bit significand): enough for an accurate step-down.
#[derive(Clone, Copy, Debug)]
struct Dd(f64, f64);

fn two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    let bb = s - a;
    Dd(s, (a - (s - bb)) + (b - bb))
}
fn fast_two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    Dd(s, b - (s - a))
}
impl std::ops::Add for Dd {
    type Output = Dd;
    fn add(self, o: Dd) -> Dd {
        let s = two_sum(self.0, o.0);
        let t = two_sum(self.1, o.1);
        let u = fast_two_sum(s.0, s.1 + t.0);
        fast_two_sum(u.0, u.1 + t.1)
    }
}
impl std::ops::Neg for Dd {
    type Output = Dd;
    fn neg(self) -> Dd {
        Dd(-self.0, -self.1)
    }
}
impl std::ops::Sub for Dd {
    type Output = Dd;
    fn sub(self, o: Dd) -> Dd {
        self + -o
    }
}
impl std::ops::Mul for Dd {
    type Output = Dd;
    fn mul(self, o: Dd) -> Dd {
        let p = self.0 * o.0;
        let e = self.0.mul_add(o.0, -p) + (self.0 * o.1 + self.1 * o.0);
        fast_two_sum(p, e)
    }
}
impl std::ops::Div for Dd {
    type Output = Dd;
    fn div(self, o: Dd) -> Dd {
        // Long division: three f64 quotient digits.
        let q1 = self.0 / o.0;
        let r = self - o * Dd(q1, 0.0);
        let q2 = r.0 / o.0;
        let r = r - o * Dd(q2, 0.0);
        let q3 = r.0 / o.0;
        fast_two_sum(q1, q2) + Dd(q3, 0.0)
    }
}

/// Whether every reflection coefficient of the (exactly given) `a` has `|k| < 1`: step-down in
/// double-double. Its error grows like `Π 1/(1 − k_i²)`, which within the budget of [`lar_sum`] stays far
/// below the distance of `|k|` from 1; plain f64 would misjudge rows with several `|k|` near 1.
fn lpc_stable_dd(a: &[f64]) -> bool {
    let n = a.len();
    let one = Dd(1.0, 0.0);
    let mut cur: Vec<Dd> = a.iter().map(|&v| Dd(v, 0.0)).collect();
    for i in (1..=n).rev() {
        let k = cur[i - 1];
        let m = if k.0 < 0.0 { -k } else { k };
        let margin = one - m;
        if !(margin.0 > 0.0 || (margin.0 == 0.0 && margin.1 > 0.0)) {
            return false;
        }
        let d = one - k * k;
        cur = (1..i).map(|j| (cur[j - 1] - k * cur[i - j - 1]) / d).collect();
    }
    true
}

/// `Σ ln((1 + |k_i|)/(1 − |k_i|))`, the log-area-ratio budget of `param::step_up`'s docs.
fn lar_sum(k: &[f64]) -> f64 {
    k.iter().map(|k| ((1.0 + k.abs()) / (1.0 - k.abs())).ln()).sum()
}

/// `ln(1/(2N·u))`: within this budget the rounded step-up output is stable (Rouché).
fn lar_budget<T: Float>(order: usize) -> f64 {
    let u = T::epsilon().to64() / 2.0;
    (1.0 / (2.0 * order as f64 * u)).ln()
}

#[track_caller]
fn assert_lpc_stable(what: &str, a: &[f64]) {
    assert!(lpc_stable_dd(a), "{what}: a = {a:?} has a reflection coefficient |k| ≥ 1");
}

// ------------------------------------------------------------------------------------------------
// Stability by construction
// ------------------------------------------------------------------------------------------------

fn triangle_and_pairs_stable<T: Float>(name: &str) {
    let mut rng = Rng::new(1);
    let mut u = inputs(&mut rng, 4000);
    for &x in &EXTREMES {
        for &y in &EXTREMES {
            u.extend([x, y]);
        }
    }
    let a = wide(&triangle(&of::<T>(&u)).unwrap());
    for (i, p) in a.chunks(2).enumerate() {
        assert_biquad_stable(&format!("{name} triangle u = {:?}", &u[2 * i..2 * i + 2]), p[0], p[1]);
    }
    // θ takes extremes too (any angle is allowed).
    let c = wide(&conjugate_pair(&of::<T>(&u)).unwrap());
    for (i, p) in c.chunks(2).enumerate() {
        assert_biquad_stable(&format!("{name} conjugate_pair u = {:?}", &u[2 * i..2 * i + 2]), p[0], p[1]);
    }
    // Through sos_from_pairs, zeros anywhere.
    let n = u.len() / 2;
    let gain = of::<T>(&inputs(&mut rng, n));
    let zeros = polar_pair(&of::<T>(&inputs(&mut rng, 2 * n))).unwrap();
    let sos = wide(&sos_from_pairs(&gain, &zeros, &triangle(&of::<T>(&u)).unwrap()).unwrap());
    for (i, s) in sos.chunks(6).enumerate() {
        assert_eq!(s[3], 1.0);
        assert_biquad_stable(&format!("{name} sos_from_pairs set {i}"), s[4], s[5]);
    }
}

#[test]
fn triangle_and_conjugate_pairs_are_stable_for_any_input() {
    triangle_and_pairs_stable::<f64>("f64");
    triangle_and_pairs_stable::<f32>("f32");
}

#[test]
fn saturated_inputs_land_exactly_on_the_capped_values() {
    let e = eps::<f64>();
    let a = triangle(&[1e6, 1e6, -1e6, -1e6, 0.0, -1e6]).unwrap();
    assert_eq!(a[0], 2.0 - 2.0 * e);
    assert_eq!(a[1], 1.0 - e * e); // the corner: margin ε²
    assert_eq!(a[2], -(2.0 - 2.0 * e));
    assert_eq!(a[4], 0.0);
    assert_eq!(a[5], -(1.0 - e));
    let e32 = eps::<f32>();
    let a32 = triangle(&[1e6f32, 1e6, 1e6, -1e6]).unwrap();
    assert!(a32[1] < 1.0 && a32[0] < 1.0 + a32[1] && a32[0] < 1.0 + a32[3] && a32[3] > a32[2] - 1.0);
    assert_eq!(conjugate_pair(&[1e6f32, 0.0]).unwrap()[1], (1.0 - e32) * (1.0 - e32));
    assert_eq!(reflection(&[1e6f32, -1e6])[..], [1.0 - e32, e32 - 1.0]);
    assert_eq!(lar_reflection(&[1e6, -1e6])[..], [1.0 - e, e - 1.0]);
    // Gradients stay finite (0) where the map has saturated.
    for g in [
        triangle_adjoint(&[1e6, -1e6], &[1.0, 1.0]).unwrap(),
        conjugate_pair_adjoint(&[1e6, 1e6], &[1.0, 1.0]).unwrap(),
        reflection_adjoint(&[1e6, -1e6], &[1.0, 1.0]).unwrap(),
        lar_reflection_adjoint(&[1e6, -1e6], &[1.0, 1.0]).unwrap(),
        rbj_unconstrained_adjoint(Rbj::Peaking, &[1e6, 1e6, 6.0, -1e6, -1e6, -6.0], 48000.0, 0.1, &[1.0; 12]).unwrap(),
    ] {
        assert!(g.iter().all(|v: &f64| v.is_finite()), "{g:?}");
    }
}

/// Rows of `u` for order `n`: the extreme/typical mix, rows scaled to fill a fraction of the rounding budget,
/// and rows with one or two saturated entries (±10⁶) plus a scaled rest.
fn lpc_inputs(rng: &mut Rng, n: usize, budget: f64, cap_lar: f64) -> Vec<f64> {
    let mut u = inputs(rng, n * 200);
    for r in 0..400 {
        let sat = (r % 3).min(n - 1).min(((budget - 1.0) / cap_lar).floor().max(0.0) as usize);
        let left = (budget - 1.0 - sat as f64 * cap_lar).max(0.0) * rng.range(0.05, 0.97);
        let z = rng.vec(n);
        let l1: f64 = z[sat..].iter().map(|v| v.abs()).sum::<f64>().max(1e-300);
        let mut row: Vec<f64> = z.iter().map(|v| v * left / (2.0 * l1)).collect(); // |LAR| ≤ 2|u|
        for _ in 0..sat {
            row[rng.below(n)] = if rng.below(2) == 0 { 1e6 } else { -1e6 };
        }
        u.extend(row);
    }
    u
}

fn lpc_stable<T: Float>(name: &str) {
    let mut rng = Rng::new(2);
    let cap_lar = lar_sum(&[1.0 - eps::<T>().to64()]);
    for order in 1..=16 {
        let budget = lar_budget::<T>(order);
        let u = lpc_inputs(&mut rng, order, budget, cap_lar);
        let mut checked = 0;
        for (label, k) in [("reflection", reflection(&of::<T>(&u))), ("lar_reflection", lar_reflection(&of::<T>(&u)))] {
            let a = wide(&step_up(&k, order).unwrap());
            for (i, (row, kr)) in a.chunks(order).zip(k.chunks(order)).enumerate() {
                // Within the documented budget (minus a little slack) the rounded polynomial must be stable.
                if lar_sum(&wide(kr)) < budget - 0.5 {
                    checked += 1;
                    assert_lpc_stable(&format!("{name} {label} order {order} u = {:?}", &u[i * order..(i + 1) * order]), row);
                }
            }
        }
        assert!(checked >= 500, "{name} order {order}: only {checked} rows within the budget");
    }
}

#[test]
fn reflection_parameterised_lpc_is_stable_within_the_rounding_budget_up_to_order_16() {
    lpc_stable::<f64>("f64");
    lpc_stable::<f32>("f32");
}

/// `A(±1) = 1 + Σ (±1)^j a_j` in double-double (exact enough: its error is ≪ the values that matter). `A(1) ≤ 0`
/// or `A(−1) ≤ 0` puts a real root of `z^N A(z)` on or outside the unit circle.
fn a_at_pm1(a: &[f64]) -> (f64, f64) {
    let (mut p, mut m) = (Dd(1.0, 0.0), Dd(1.0, 0.0));
    for (j, &v) in a.iter().enumerate() {
        p = p + Dd(v, 0.0);
        m = m + Dd(if j % 2 == 0 { -v } else { v }, 0.0);
    }
    (p.0 + p.1, m.0 + m.1)
}

/// The documented limit is real: beyond the budget, rounding the direct form loses strict stability. Three `k`
/// at the cap `−(1 − ε)` round to `A(1) = 0` exactly (a pole on the circle), in f64 and f32; and typical
/// order-16 rows of `u ~ N(0, 9)` often round to `A(±1) < 0` (a pole outside). Two at the cap stay within the
/// budget and are stable.
#[test]
fn beyond_the_rounding_budget_the_direct_form_can_lose_stability() {
    let k = reflection(&[-1e6; 3]);
    assert!(lar_sum(&k) > lar_budget::<f64>(3));
    assert!(a_at_pm1(&step_up(&k, 3).unwrap()).0 <= 0.0);
    assert!(a_at_pm1(&wide(&step_up(&reflection(&[-1e6f32; 3]), 3).unwrap())).0 <= 0.0);
    let k = reflection(&[-1e6; 2]);
    assert!(lar_sum(&k) < lar_budget::<f64>(2) && lpc_stable_dd(&step_up(&k, 2).unwrap()));
    let mut rng = Rng::new(14);
    let u: Vec<f64> = (0..16 * 200).map(|_| 3.0 * rng.normal()).collect();
    let a = step_up(&reflection(&u), 16).unwrap();
    let outside = a.chunks(16).filter(|r| {
        let (p, m) = a_at_pm1(r);
        p < 0.0 || m < 0.0
    });
    assert!(outside.count() >= 20);
}

fn rbj_stable<T: Float>(name: &str, uq: &dyn Fn(&mut Rng) -> f64) {
    let mut rng = Rng::new(3);
    let n = 600;
    let mut u = Vec::with_capacity(3 * n);
    for _ in 0..n {
        u.extend([inputs(&mut rng, 1)[0], uq(&mut rng), 20.0 * rng.normal()]);
    }
    for kind in Rbj::ALL {
        for (fs, q_min) in [(48000.0, 0.1), (44100.0, 0.5), (8000.0, 0.05)] {
            let sos = wide(&rbj_unconstrained(kind, &of::<T>(&u), T::of(fs), T::of(q_min)).unwrap());
            for (i, s) in sos.chunks(6).enumerate() {
                assert!(s.iter().all(|v| v.is_finite()), "{name} {kind:?} u = {:?}: {s:?}", &u[3 * i..3 * i + 3]);
                assert_biquad_stable(&format!("{name} {kind:?} fs {fs} u = {:?}", &u[3 * i..3 * i + 3]), s[4], s[5]);
            }
        }
    }
}

#[test]
fn unconstrained_rbj_is_stable() {
    // f64: every input, Q up to 10⁶.
    rbj_stable::<f64>("f64", &|r| inputs(r, 1)[0]);
    // f32: Q bounded (q_min + softplus(u_Q) ≤ q_min + 6), as documented at `rbj_params`.
    rbj_stable::<f32>("f32", &|r| [-1e6, -20.0, -1.0, 0.0, 1.0, 6.0][r.below(6)]);
}

#[test]
fn svf_is_stable_for_positive_g_and_r() {
    let mut rng = Rng::new(4);
    for _ in 0..2000 {
        let (g, r) = ((PI * rng.range(1e-4, 0.4999)).tan(), 10f64.powf(rng.range(-3.0, 1.0)));
        let s = svf(&[g, r, rng.normal(), rng.normal(), rng.normal()]).unwrap();
        assert_biquad_stable(&format!("svf g {g} R {r}"), s[4], s[5]);
    }
}

// ------------------------------------------------------------------------------------------------
// RBJ cookbook fixture
// ------------------------------------------------------------------------------------------------

fn kind_of(name: &str) -> Rbj {
    match name {
        "lowpass" => Rbj::Lowpass,
        "highpass" => Rbj::Highpass,
        "bandpass" => Rbj::Bandpass,
        "notch" => Rbj::Notch,
        "allpass" => Rbj::Allpass,
        "peaking" => Rbj::Peaking,
        "lowshelf" => Rbj::LowShelf,
        "highshelf" => Rbj::HighShelf,
        _ => panic!("unknown kind {name}"),
    }
}

#[test]
fn rbj_matches_the_cookbook_formulas() {
    let path = format!("{}/tests/fixtures/rbj.json", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 500);
    let mut seen = std::collections::HashSet::new();
    for c in cases {
        let kind = kind_of(c["kind"].as_str().unwrap());
        seen.insert(kind);
        let p = [c["f0"].as_f64().unwrap(), c["q"].as_f64().unwrap(), c["gain_db"].as_f64().unwrap()];
        let fs = c["fs"].as_f64().unwrap();
        let want: Vec<f64> = c["sos"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        let got = rbj(kind, &p, fs).unwrap();
        assert_close(&format!("rbj {kind:?} f0 {} Q {} gain {} fs {fs}", p[0], p[1], p[2]), &got, &want, 1e-12, 1e-12);
    }
    assert_eq!(seen.len(), 8);
    // Batched: all cases of one kind and sample rate in one call give the same rows.
    for kind in Rbj::ALL {
        let sel: Vec<&Value> = cases.iter().filter(|c| kind_of(c["kind"].as_str().unwrap()) == kind && c["fs"] == 48000.0).collect();
        let p: Vec<f64> = sel.iter().flat_map(|c| ["f0", "q", "gain_db"].map(|k| c[k].as_f64().unwrap())).collect();
        let want: Vec<f64> = sel.iter().flat_map(|c| c["sos"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap())).collect();
        assert_close(&format!("rbj {kind:?} batched"), &rbj(kind, &p, 48000.0).unwrap(), &want, 1e-12, 1e-12);
    }
}

// ------------------------------------------------------------------------------------------------
// Step-up / step-down
// ------------------------------------------------------------------------------------------------

#[test]
fn step_up_and_step_down_round_trip() {
    let mut rng = Rng::new(5);
    for order in 1..=16 {
        for _ in 0..50 {
            let k: Vec<f64> = (0..order).map(|_| rng.range(-0.95, 0.95)).collect();
            // Step-down amplifies errors by up to Π 1/(1 − k²), on coefficients of size up to Π(1 + |k|):
            // scale the tolerance by both.
            let cond: f64 = k.iter().map(|k| (1.0 + k.abs()) / (1.0 - k * k)).product();
            let a = step_up(&k, order).unwrap();
            let tol = 8.0 * order as f64 * f64::EPSILON * cond;
            assert_close(&format!("step_down(step_up(k)) order {order}"), &step_down(&a, order).unwrap(), &k, 0.0, tol);
            assert_close(&format!("independent step-down, order {order}"), &reflection_of(&a), &k, 0.0, tol);
            // And from the polynomial side: a random stable polynomial.
            let a = rng.stable_a(order, 0.95)[1..].to_vec();
            let k = step_down(&a, order).unwrap();
            assert!(k.iter().all(|k| k.abs() < 1.0), "order {order}: stable polynomial with |k| ≥ 1");
            let cond: f64 = k.iter().map(|k| (1.0 + k.abs()) / (1.0 - k * k)).product();
            let tol = 8.0 * order as f64 * f64::EPSILON * cond;
            assert_close(&format!("step_up(step_down(a)) order {order}"), &step_up(&k, order).unwrap(), &a, 0.0, tol);
        }
        // Batched rows give the same as row by row.
        let k: Vec<f64> = (0..order * 5).map(|_| rng.range(-0.9, 0.9)).collect();
        let rows: Vec<f64> = k.chunks(order).flat_map(|r| step_up(r, order).unwrap()).collect();
        assert_eq!(step_up(&k, order).unwrap(), rows);
    }
    // The recursion by hand at order 3.
    let (k1, k2, k3) = (0.5, -0.3, 0.2);
    let (a1, a2) = (k1 + k2 * k1, k2);
    assert_close("order 3", &step_up(&[k1, k2, k3], 3).unwrap(), &[a1 + k3 * a2, a2 + k3 * a1, k3], 1e-15, 0.0);
    // A root on the unit circle: non-finite, no panic; the other row is unaffected.
    let k: Vec<f64> = step_down(&[0.56, 0.56, 1.0, 0.625, 0.25, 0.0], 3).unwrap();
    assert!(k[2] == 1.0 && !k[..2].iter().all(|k| k.is_finite()));
    assert_eq!(&k[3..], [0.5, 0.25, 0.0]);
}

// ------------------------------------------------------------------------------------------------
// SVF against the TPT recursion
// ------------------------------------------------------------------------------------------------

/// The TPT state-variable filter, sample by sample, as in `param::svf`'s docs.
fn tpt_svf(x: &[f64], g: f64, r: f64, cl: f64, cb: f64, ch: f64) -> Vec<f64> {
    let (mut s1, mut s2) = (0.0, 0.0);
    x.iter()
        .map(|&x| {
            let hp = (x - (2.0 * r + g) * s1 - s2) / (1.0 + 2.0 * r * g + g * g);
            let bp = g * hp + s1;
            s1 = g * hp + bp;
            let lp = g * bp + s2;
            s2 = g * bp + lp;
            cl * lp + cb * bp + ch * hp
        })
        .collect()
}

#[test]
fn svf_biquad_matches_the_tpt_recursion() {
    let mut rng = Rng::new(6);
    let (batch, len, fs) = (12, 2000, 48000.0);
    let mut p = Vec::new();
    for i in 0..batch {
        let f0 = rng.range(100.0, 20000.0);
        let r = rng.range(0.05, 2.0);
        // A few pure outputs (LP, BP, HP) and random mixes.
        let mix = match i {
            0 => [1.0, 0.0, 0.0],
            1 => [0.0, 1.0, 0.0],
            2 => [0.0, 0.0, 1.0],
            _ => [rng.normal(), rng.normal(), rng.normal()],
        };
        p.extend([(PI * f0 / fs).tan(), r, mix[0], mix[1], mix[2]]);
    }
    let x = rng.vec(batch * len);
    let sos = svf(&p).unwrap();
    let y = sosfilt(Coefs::per_signal(&sos, 6), &x, Dims::new(batch, len), None).unwrap().y;
    for b in 0..batch {
        let q = &p[5 * b..5 * b + 5];
        let want = tpt_svf(&x[b * len..(b + 1) * len], q[0], q[1], q[2], q[3], q[4]);
        let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        assert_close(&format!("svf signal {b} p = {q:?}"), &y[b * len..(b + 1) * len], &want, 0.0, 1e-10 * scale);
    }
}

// ------------------------------------------------------------------------------------------------
// Adjoints against finite differences
// ------------------------------------------------------------------------------------------------

/// An adjoint under test: `(inputs, ∂L/∂outputs) ↦ ∂L/∂inputs`.
type Vjp<'a> = dyn Fn(&[f64], &[f64]) -> Vec<f64> + 'a;

/// Checks `adj(x, w)` against central differences of `w · fwd(x)`. Sets (`per` inputs, `out` outputs each) are
/// independent, so the differences are taken one set and one output at a time (little rounding noise) and
/// compared per input column (`∂L/∂f0` of every set together, …), so columns of different scale (Hz vs Q)
/// are each held to the relative tolerance.
fn check_vjp(name: &str, x: &[f64], per: usize, out: usize, fwd: &dyn Fn(&[f64]) -> Vec<f64>, adj: &Vjp<'_>) {
    let mut rng = Rng::new(name.len() as u64);
    let sets = x.len() / per;
    let w = rng.vec(sets * out);
    let analytic = adj(x, &w);
    assert_eq!(analytic.len(), x.len(), "{name}: gradient length");
    let mut fd = Vec::with_capacity(x.len());
    for s in 0..sets {
        // The Jacobian by differences, one output at a time, then contracted with w: an output that does not
        // depend on an input (f0 in Hz vs u_Q) then adds no rounding noise to that input's difference.
        let xs = [x[s * per..(s + 1) * per].to_vec()];
        let mut g = vec![0.0; per];
        for m in 0..out {
            let jm = fd_grad(&xs, 0, &|p| fwd(&p[0])[m]);
            g.iter_mut().zip(&jm).for_each(|(g, j)| *g += w[s * out + m] * j);
        }
        fd.extend(g);
    }
    for j in 0..per {
        let col = |v: &[f64]| v.iter().skip(j).step_by(per).copied().collect::<Vec<f64>>();
        assert_rel(&format!("{name}: ∂L/∂x[{j}] over {sets} sets"), &col(&analytic), &col(&fd), REL);
    }
}

#[test]
fn triangle_and_pair_adjoints_match_finite_differences() {
    let mut rng = Rng::new(7);
    // Typical values, and the interior near saturation (|u| = 6..8): small but exact gradients.
    let mut u = rng.vec(40);
    u.extend([6.0, -7.0, -8.0, 6.5, 7.5, 0.3]);
    check_vjp("triangle", &u, 2, 2, &|u| triangle(u).unwrap(), &|u, g| triangle_adjoint(u, g).unwrap());
    check_vjp("conjugate_pair", &u, 2, 2, &|u| conjugate_pair(u).unwrap(), &|u, g| conjugate_pair_adjoint(u, g).unwrap());
    let rt: Vec<f64> = (0..20).flat_map(|_| [rng.range(0.0, 1.5), rng.range(-4.0, 4.0)]).collect();
    check_vjp("polar_pair", &rt, 2, 2, &|x| polar_pair(x).unwrap(), &|x, g| polar_pair_adjoint(x, g).unwrap());
    // sos_from_pairs: pack (gain, b1, b2, a1, a2) per set.
    let p = rng.vec(5 * 10);
    let split = |x: &[f64]| {
        let n = x.len() / 5;
        let gain: Vec<f64> = (0..n).map(|s| x[5 * s]).collect();
        let z: Vec<f64> = (0..n).flat_map(|s| [x[5 * s + 1], x[5 * s + 2]]).collect();
        let a: Vec<f64> = (0..n).flat_map(|s| [x[5 * s + 3], x[5 * s + 4]]).collect();
        (gain, z, a)
    };
    check_vjp(
        "sos_from_pairs",
        &p,
        5,
        6,
        &|x| {
            let (g, z, a) = split(x);
            sos_from_pairs(&g, &z, &a).unwrap()
        },
        &|x, gs| {
            let (g, z, _) = split(x);
            let r = sos_from_pairs_adjoint(&g, &z, gs).unwrap();
            (0..g.len()).flat_map(|s| [r.gain[s], r.zeros[2 * s], r.zeros[2 * s + 1], r.poles[2 * s], r.poles[2 * s + 1]]).collect()
        },
    );
}

#[test]
fn reflection_adjoints_match_finite_differences() {
    let mut rng = Rng::new(8);
    let mut u = rng.vec(30);
    u.extend([6.0, -7.5, 12.0]);
    check_vjp("reflection", &u, 1, 1, &|u| reflection(u), &|u, g| reflection_adjoint(u, g).unwrap());
    check_vjp("lar_reflection", &u, 1, 1, &|u| lar_reflection(u), &|u, g| lar_reflection_adjoint(u, g).unwrap());
    for order in [1, 2, 3, 4, 5, 8, 12, 16] {
        let mut k: Vec<f64> = (0..order * 6).map(|_| rng.range(-0.95, 0.95)).collect();
        k.extend((0..order).map(|i| if i % 2 == 0 { 0.999 } else { -0.998 }));
        let name = format!("step_up order {order}");
        check_vjp(&name, &k, order, order, &|k| step_up(k, order).unwrap(), &|k, g| step_up_adjoint(k, order, g).unwrap());
    }
}

#[test]
fn rbj_adjoints_match_finite_differences() {
    let mut rng = Rng::new(9);
    let fs = 48000.0;
    let mut p = Vec::new();
    for _ in 0..12 {
        p.extend([rng.range(30.0, 23000.0), rng.range(0.2, 8.0), rng.range(-18.0, 18.0)]);
    }
    let mut u = rng.vec(36);
    u.extend([9.0, -8.0, 30.0, -9.0, 10.0, -30.0]);
    for kind in Rbj::ALL {
        let n = format!("rbj {kind:?}");
        check_vjp(&n, &p, 3, 6, &|p| rbj(kind, p, fs).unwrap(), &|p, g| rbj_adjoint(kind, p, fs, g).unwrap());
        let n = format!("rbj_unconstrained {kind:?}");
        let (fw, ad) = (
            |u: &[f64]| rbj_unconstrained(kind, u, fs, 0.1).unwrap(),
            |u: &[f64], g: &[f64]| rbj_unconstrained_adjoint(kind, u, fs, 0.1, g).unwrap(),
        );
        check_vjp(&n, &u, 3, 6, &fw, &ad);
        if !kind.uses_gain() {
            assert!(rbj_adjoint(kind, &p, fs, &rng.vec(6 * 12)).unwrap().chunks(3).all(|g| g[2] == 0.0));
        }
    }
    check_vjp("rbj_params", &u, 3, 3, &|u| rbj_params(u, fs, 0.3).unwrap(), &|u, g| rbj_params_adjoint(u, fs, 0.3, g).unwrap());
}

#[test]
fn svf_adjoint_matches_finite_differences() {
    let mut rng = Rng::new(10);
    let mut p = Vec::new();
    for _ in 0..16 {
        p.extend([(PI * rng.range(0.001, 0.45)).tan(), rng.range(0.05, 3.0), rng.normal(), rng.normal(), rng.normal()]);
    }
    check_vjp("svf", &p, 5, 6, &|p| svf(p).unwrap(), &|p, g| svf_adjoint(p, g).unwrap());
}

/// End to end: u → reflection → step_up → per-sample allpole → L = Σ w·y, against finite differences in u.
#[test]
fn gradient_flows_from_an_allpole_loss_to_reflection_parameters() {
    let mut rng = Rng::new(11);
    let (batch, len, order) = (2, 40, 6);
    let u = rng.vec(batch * len * order); // per-sample coefficients
    let x = rng.vec(batch * len);
    let w = rng.vec(batch * len);
    let d = Dims::new(batch, len);
    let loss = |p: &[Vec<f64>]| {
        let a = step_up(&reflection(&p[0]), order).unwrap();
        dot(&w, &allpole(&x, d, Coefs::per_sample(&a, order), None).unwrap().y)
    };
    let k = reflection(&u);
    let a = step_up(&k, order).unwrap();
    let y = allpole(&x, d, Coefs::per_sample(&a, order), None).unwrap().y;
    let g = allpole_adjoint(&y, d, Coefs::per_sample(&a, order), None, &w, None).unwrap();
    let gu = reflection_adjoint(&u, &step_up_adjoint(&k, order, &g.a).unwrap()).unwrap();
    assert_rel("allpole ∘ step_up ∘ reflection", &gu, &fd_grad(std::slice::from_ref(&u), 0, &loss), REL);
}

/// End to end: u → rbj_unconstrained (two sections per signal) → sosfilt → L = Σ w·y.
#[test]
fn gradient_flows_from_an_sosfilt_loss_to_rbj_parameters() {
    let mut rng = Rng::new(12);
    let (batch, len, fs) = (3, 64, 48000.0);
    let u = rng.vec(batch * 2 * 3);
    let x = rng.vec(batch * len);
    let w = rng.vec(batch * len);
    let d = Dims::new(batch, len);
    let design = |u: &[f64]| {
        // Section 0 a peaking EQ, section 1 a high shelf: design per kind, interleave rows.
        let (pk, hs): (Vec<f64>, Vec<f64>) =
            (u.chunks(6).flat_map(|c| c[..3].to_vec()).collect(), u.chunks(6).flat_map(|c| c[3..].to_vec()).collect());
        let (s0, s1) = (rbj_unconstrained(Rbj::Peaking, &pk, fs, 0.2).unwrap(), rbj_unconstrained(Rbj::HighShelf, &hs, fs, 0.2).unwrap());
        (pk, hs, s0.chunks(6).zip(s1.chunks(6)).flat_map(|(a, b)| [a, b].concat()).collect::<Vec<f64>>())
    };
    let loss = |p: &[Vec<f64>]| dot(&w, &sosfilt(Coefs::per_signal(&design(&p[0]).2, 12), &x, d, None).unwrap().y);
    let (pk, hs, sos) = design(&u);
    let (out, tape) = sosfilt_with_tape(Coefs::per_signal(&sos, 12), &x, d, None).unwrap();
    let g = sosfilt_adjoint(Coefs::per_signal(&sos, 12), &x, &out.y, &tape, d, &w, None).unwrap();
    let (g0, g1): (Vec<f64>, Vec<f64>) =
        (g.sos.chunks(12).flat_map(|c| c[..6].to_vec()).collect(), g.sos.chunks(12).flat_map(|c| c[6..].to_vec()).collect());
    let gpk = rbj_unconstrained_adjoint(Rbj::Peaking, &pk, fs, 0.2, &g0).unwrap();
    let ghs = rbj_unconstrained_adjoint(Rbj::HighShelf, &hs, fs, 0.2, &g1).unwrap();
    let gu: Vec<f64> = gpk.chunks(3).zip(ghs.chunks(3)).flat_map(|(a, b)| [a, b].concat()).collect();
    assert_rel("sosfilt ∘ rbj_unconstrained", &gu, &fd_grad(std::slice::from_ref(&u), 0, &loss), REL);
}

/// f32 maps and adjoints agree with f64 ones (one generic code path) up to the different caps.
#[test]
fn f32_maps_and_adjoints_agree_with_f64() {
    let mut rng = Rng::new(13);
    let u = rng.vec(24);
    let w = rng.vec(48);
    let u32: Vec<f32> = of(&u);
    let w32: Vec<f32> = of(&w);
    let pairs: [(&str, Vec<f64>, Vec<f64>); 4] = [
        ("triangle", wide(&triangle(&u32).unwrap()), triangle(&u).unwrap()),
        ("triangle_adjoint", wide(&triangle_adjoint(&u32, &w32[..24]).unwrap()), triangle_adjoint(&u, &w[..24]).unwrap()),
        ("step_up", wide(&step_up(&reflection(&u32), 6).unwrap()), step_up(&reflection(&u), 6).unwrap()),
        ("rbj_unconstrained", wide(&rbj_unconstrained(Rbj::LowShelf, &u32, 48000.0, 0.1).unwrap()), {
            rbj_unconstrained(Rbj::LowShelf, &u, 48000.0, 0.1).unwrap()
        }),
    ];
    // The caps differ (ε = 2⁻¹⁰ vs 2⁻²⁰), so the maps differ by O(ε) relative, amplified a little by step-up.
    for (name, got, want) in pairs {
        assert_close(name, &got, &want, 1e-2, 1e-2);
    }
}

// ------------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------------

#[test]
fn wrong_shapes_and_values_are_typed_errors() {
    let shape = |r: Result<Vec<f64>, Error>| matches!(r, Err(Error::Shape { .. }));
    assert!(shape(triangle(&[1.0])));
    assert!(shape(triangle_adjoint(&[1.0, 2.0], &[1.0])));
    assert!(shape(conjugate_pair(&[1.0, 2.0, 3.0])));
    assert!(shape(polar_pair_adjoint(&[1.0, 2.0], &[1.0, 2.0, 3.0])));
    assert!(matches!(sos_from_pairs(&[1.0], &[1.0, 2.0], &[0.5]), Err(Error::Shape { arg: "poles", .. })));
    assert!(matches!(sos_from_pairs_adjoint(&[1.0], &[1.0, 2.0], &[0.0; 5]), Err(Error::Shape { arg: "gsos", .. })));
    assert!(shape(reflection_adjoint(&[1.0], &[])));
    assert!(shape(lar_reflection_adjoint(&[1.0], &[1.0, 2.0])));
    assert!(shape(step_up(&[0.1, 0.2, 0.3], 2)));
    assert!(matches!(step_up(&[0.1], 0), Err(Error::Empty { .. })));
    assert!(matches!(step_down(&[0.1], 0), Err(Error::Empty { .. })));
    assert!(shape(step_up_adjoint(&[0.1, 0.2], 2, &[1.0])));
    assert!(shape(rbj(Rbj::Lowpass, &[1000.0, 0.7], 48000.0)));
    assert!(matches!(rbj(Rbj::Lowpass, &[1000.0, 0.7, 0.0], 0.0), Err(Error::Shape { arg: "fs", .. })));
    assert!(matches!(rbj(Rbj::Lowpass, &[1000.0, 0.7, 0.0], f64::NAN), Err(Error::Shape { arg: "fs", .. })));
    assert!(shape(rbj_adjoint(Rbj::Lowpass, &[1000.0, 0.7, 0.0], 48000.0, &[0.0; 5])));
    assert!(matches!(rbj_params(&[0.0; 3], 48000.0, 0.0), Err(Error::Shape { arg: "q_min", .. })));
    assert!(matches!(rbj_unconstrained(Rbj::Notch, &[0.0; 3], 48000.0, -1.0), Err(Error::Shape { arg: "q_min", .. })));
    assert!(shape(rbj_params_adjoint(&[0.0; 3], 48000.0, 0.1, &[0.0; 2])));
    assert!(shape(svf(&[1.0; 6])));
    assert!(shape(svf_adjoint(&[1.0; 5], &[0.0; 7])));
    let msg = rbj(Rbj::Lowpass, &[1000.0, 0.7, 0.0], -1.0).unwrap_err().to_string();
    assert!(msg.contains("rbj") && msg.contains("fs"), "{msg}");
    // Empty batches are fine.
    assert!(triangle::<f64>(&[]).unwrap().is_empty() && rbj::<f64>(Rbj::Peaking, &[], 48000.0).unwrap().is_empty());
    // Non-finite parameters propagate to their own set only.
    let a = triangle(&[f64::NAN, 0.0, 0.5, 0.5]).unwrap();
    assert!(a[0].is_nan() && a[2].is_finite() && a[3].is_finite());
}

/// `triangle_inverse` undoes `triangle` inside the triangle and stays finite (and lands inside) for any point.
#[test]
fn triangle_inverse_round_trips_and_clamps() {
    let mut rng = Rng::new(77);
    for _ in 0..500 {
        let a2 = rng.range(-0.99, 0.99);
        let a1 = rng.range(-0.99, 0.99) * (1.0 + a2);
        let back = triangle(&triangle_inverse(&[a1, a2]).unwrap()).unwrap();
        assert!((back[0] - a1).abs() < 1e-9 && (back[1] - a2).abs() < 1e-9, "({a1}, {a2}) → {back:?}");
    }
    for a in [[3.0, 5.0], [-2.0, 1.0], [0.0, -1.0], [f64::MAX, -f64::MAX]] {
        let u = triangle_inverse(&a).unwrap();
        assert!(u.iter().all(|v| v.is_finite()), "{a:?} → {u:?}");
        let back = triangle(&u).unwrap();
        assert!(back[1].abs() < 1.0 && back[0].abs() < 1.0 + back[1], "{a:?} → {back:?}");
    }
    assert!(triangle_inverse(&[1.0, 2.0, 3.0]).is_err());
}
