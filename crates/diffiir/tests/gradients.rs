//! Every gradient of every family against central finite differences in f64 (relative error ≤ 1e-6):
//! time-invariant (shared, per signal) and time-varying coefficients, with and without zi, with a loss that
//! also depends on zf or not; plus the zi functions, and f32 against f64.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::{assert_rel, dot, fd_grad, to32, to64, Rng};
use diffiir::*;

const REL: f64 = 1e-6;

#[derive(Clone, Copy, Debug, PartialEq)]
enum L {
    Shared,
    Signal,
    Sample,
}

fn coefs(l: L, data: &[f64], k: usize) -> Coefs<'_, f64> {
    match l {
        L::Shared => Coefs::shared(data),
        L::Signal => Coefs::per_signal(data, k),
        L::Sample => Coefs::per_sample(data, k),
    }
}

fn sets(l: L, d: Dims) -> usize {
    match l {
        L::Shared => 1,
        L::Signal => d.batch,
        L::Sample => d.batch * d.len,
    }
}

/// Checks each analytic gradient against finite differences of `loss`.
fn check(name: &str, names: &[&str], params: &[Vec<f64>], analytic: &[Vec<f64>], loss: &dyn Fn(&[Vec<f64>]) -> f64) {
    for (i, n) in names.iter().enumerate() {
        let fd = fd_grad(params, i, loss);
        assert_rel(&format!("{name}: ∂L/∂{n}"), &analytic[i], &fd, REL);
    }
}

const DIMS: [(usize, usize); 5] = [(3, 9), (9, 70), (2, 1), (2, 0), (1, 12)];

#[test]
fn allpole_gradients_match_finite_differences() {
    let mut rng = Rng::new(1);
    for (bt, &(b, t)) in DIMS.iter().enumerate() {
        let d = Dims::new(b, t);
        for l in [L::Shared, L::Signal, L::Sample] {
            for n in [1, 3, 4, 8, 11, 16] {
                for (with_zi, with_gzf) in [(false, false), (true, false), (false, true), (true, true)] {
                    if bt == 1 && (n == 1 || l == L::Signal) {
                        continue; // the long case once per layout is enough
                    }
                    let a: Vec<f64> = (0..sets(l, d)).flat_map(|_| rng.stable_a(n, 0.8)[1..].to_vec()).collect();
                    let x = rng.vec(d.numel());
                    let zi = if with_zi { rng.vec(b * n) } else { vec![0.0; b * n] };
                    let (wy, wzf) = (rng.vec(d.numel()), if with_gzf { rng.vec(b * n) } else { vec![0.0; b * n] });
                    let loss = |p: &[Vec<f64>]| {
                        let o = allpole(&p[0], d, coefs(l, &p[1], n), Some(&p[2])).unwrap();
                        dot(&wy, &o.y) + dot(&wzf, &o.zf)
                    };
                    let zin = with_zi.then_some(&zi[..]);
                    let y = allpole(&x, d, coefs(l, &a, n), zin).unwrap().y;
                    let g = allpole_adjoint(&y, d, coefs(l, &a, n), zin, &wy, with_gzf.then_some(&wzf[..])).unwrap();
                    let name = format!("allpole {l:?} N={n} [{b}, {t}] zi={with_zi} gzf={with_gzf}");
                    check(&name, &["x", "a", "zi"], &[x, a, zi], &[g.x, g.a, g.zi], &loss);
                }
            }
        }
    }
}

#[test]
fn lfilter_gradients_match_finite_differences() {
    let mut rng = Rng::new(2);
    let layouts = [(L::Shared, L::Shared), (L::Signal, L::Signal), (L::Sample, L::Sample), (L::Shared, L::Sample), (L::Sample, L::Signal)];
    for (bt, &(b, t)) in DIMS.iter().enumerate() {
        let d = Dims::new(b, t);
        for (lb, la) in layouts {
            for (nb, na) in [(3, 3), (1, 4), (4, 2), (2, 1)] {
                for (with_zi, with_gzf) in [(false, false), (true, true), (true, false), (false, true)] {
                    if bt == 1 && (with_zi != with_gzf || nb != 3) {
                        continue;
                    }
                    let m = nb.max(na) - 1;
                    let bb = rng.vec(sets(lb, d) * nb);
                    let aa: Vec<f64> = (0..sets(la, d))
                        .flat_map(|_| {
                            let a0 = rng.range(0.5, 2.0) * if rng.uniform() < 0.5 { -1.0 } else { 1.0 };
                            rng.stable_a(na - 1, 0.8).into_iter().map(move |v| v * a0).collect::<Vec<_>>()
                        })
                        .collect();
                    let x = rng.vec(d.numel());
                    let zi = if with_zi { rng.vec(b * m) } else { vec![0.0; b * m] };
                    let (wy, wzf) = (rng.vec(d.numel()), if with_gzf { rng.vec(b * m) } else { vec![0.0; b * m] });
                    let loss = |p: &[Vec<f64>]| {
                        let o = lfilter(coefs(lb, &p[1], nb), coefs(la, &p[2], na), &p[0], d, Some(&p[3])).unwrap();
                        dot(&wy, &o.y) + dot(&wzf, &o.zf)
                    };
                    let y = lfilter(coefs(lb, &bb, nb), coefs(la, &aa, na), &x, d, with_zi.then_some(&zi[..])).unwrap().y;
                    let g = lfilter_adjoint(coefs(lb, &bb, nb), coefs(la, &aa, na), &x, &y, d, &wy, with_gzf.then_some(&wzf[..])).unwrap();
                    let name = format!("lfilter b {lb:?} a {la:?} nb={nb} na={na} [{b}, {t}] zi={with_zi} gzf={with_gzf}");
                    check(&name, &["x", "b", "a", "zi"], &[x, bb, aa, zi], &[g.x, g.b, g.a, g.zi], &loss);
                }
            }
        }
    }
}

fn random_sos(rng: &mut Rng, sets: usize, s: usize) -> Vec<f64> {
    (0..sets * s)
        .flat_map(|_| {
            let a0 = rng.range(0.5, 2.0);
            let a = rng.stable_a(2, 0.8);
            let b = rng.vec(3);
            [b[0], b[1], b[2], a0, a[1] * a0, a[2] * a0]
        })
        .collect()
}

#[test]
fn sosfilt_gradients_match_finite_differences() {
    let mut rng = Rng::new(3);
    for (bt, &(b, t)) in DIMS.iter().enumerate() {
        let d = Dims::new(b, t);
        for l in [L::Shared, L::Signal, L::Sample] {
            for s in [1, 3] {
                for (with_zi, with_gzf) in [(false, false), (true, true), (true, false), (false, true)] {
                    if bt == 1 && with_zi != with_gzf {
                        continue;
                    }
                    let k = 6 * s;
                    let sos = random_sos(&mut rng, sets(l, d), s);
                    let x = rng.vec(d.numel());
                    let zi = if with_zi { rng.vec(b * 2 * s) } else { vec![0.0; b * 2 * s] };
                    let (wy, wzf) = (rng.vec(d.numel()), if with_gzf { rng.vec(b * 2 * s) } else { vec![0.0; b * 2 * s] });
                    let loss = |p: &[Vec<f64>]| {
                        let o = sosfilt(coefs(l, &p[1], k), &p[0], d, Some(&p[2])).unwrap();
                        dot(&wy, &o.y) + dot(&wzf, &o.zf)
                    };
                    let (o, tape) = sosfilt_with_tape(coefs(l, &sos, k), &x, d, with_zi.then_some(&zi[..])).unwrap();
                    let g = sosfilt_adjoint(coefs(l, &sos, k), &x, &o.y, &tape, d, &wy, with_gzf.then_some(&wzf[..])).unwrap();
                    let name = format!("sosfilt {l:?} S={s} [{b}, {t}] zi={with_zi} gzf={with_gzf}");
                    check(&name, &["x", "sos", "zi"], &[x, sos, zi], &[g.x, g.sos, g.zi], &loss);
                }
            }
        }
    }
}

#[test]
fn zi_function_gradients_match_finite_differences() {
    let mut rng = Rng::new(4);
    for (nb, na) in [(3, 3), (1, 5), (6, 2), (4, 1), (13, 13)] {
        for (l, batch) in [(L::Shared, 1), (L::Signal, 3)] {
            let bb = rng.vec(batch * nb);
            let aa: Vec<f64> =
                (0..batch).flat_map(|_| rng.stable_a(na - 1, 0.9).into_iter().map(|v| v * -1.5).collect::<Vec<_>>()).collect();
            let m = nb.max(na) - 1;
            let w = rng.vec(batch * m);
            let loss = |p: &[Vec<f64>]| dot(&w, &lfilter_zi(coefs(l, &p[0], nb), coefs(l, &p[1], na), batch).unwrap());
            let (gb, ga) = lfilter_zi_adjoint(coefs(l, &bb, nb), coefs(l, &aa, na), batch, &w).unwrap();
            check(&format!("lfilter_zi {l:?} nb={nb} na={na}"), &["b", "a"], &[bb, aa], &[gb, ga], &loss);
        }
    }
    for s in [1, 2, 4] {
        for (l, batch) in [(L::Shared, 1), (L::Signal, 2)] {
            let sos = random_sos(&mut rng, batch, s);
            let w = rng.vec(batch * s * 2);
            let loss = |p: &[Vec<f64>]| dot(&w, &sosfilt_zi(coefs(l, &p[0], 6 * s), batch).unwrap());
            let g = sosfilt_zi_adjoint(coefs(l, &sos, 6 * s), batch, &w).unwrap();
            check(&format!("sosfilt_zi {l:?} S={s}"), &["sos"], &[sos], &[g], &loss);
        }
    }
}

/// The f32 adjoint agrees with the f64 adjoint to within f32 accuracy (moderate filters, T = 200).
#[test]
fn f32_gradients_agree_with_f64() {
    let mut rng = Rng::new(5);
    let d = Dims::new(5, 200);
    let x = rng.vec(d.numel());
    let wy = rng.vec(d.numel());
    let a: Vec<f64> = (0..d.batch).flat_map(|_| rng.stable_a(4, 0.9)[1..].to_vec()).collect();
    let y = allpole(&x, d, Coefs::per_signal(&a, 4), None).unwrap().y;
    let g = allpole_adjoint(&y, d, Coefs::per_signal(&a, 4), None, &wy, None).unwrap();
    let (a32, x32, wy32) = (to32(&a), to32(&x), to32(&wy));
    let y32 = allpole(&x32, d, Coefs::per_signal(&a32, 4), None).unwrap().y;
    let g32 = allpole_adjoint(&y32, d, Coefs::per_signal(&a32, 4), None, &wy32, None).unwrap();
    assert_rel("allpole f32 ∂L/∂x", &to64(&g32.x), &g.x, 1e-4);
    assert_rel("allpole f32 ∂L/∂a", &to64(&g32.a), &g.a, 1e-4);

    let sos = random_sos(&mut rng, 1, 3);
    let (o, tape) = sosfilt_with_tape(Coefs::shared(&sos), &x, d, None).unwrap();
    let g = sosfilt_adjoint(Coefs::shared(&sos), &x, &o.y, &tape, d, &wy, None).unwrap();
    let sos32 = to32(&sos);
    let (o32, tape32) = sosfilt_with_tape(Coefs::shared(&sos32), &x32, d, None).unwrap();
    let g32 = sosfilt_adjoint(Coefs::shared(&sos32), &x32, &o32.y, &tape32, d, &wy32, None).unwrap();
    assert_rel("sosfilt f32 ∂L/∂x", &to64(&g32.x), &g.x, 1e-4);
    assert_rel("sosfilt f32 ∂L/∂sos", &to64(&g32.sos), &g.sos, 1e-4);
}

/// `f32` `lfilter` gradients of time-invariant filters of order ≤ 2 (whose coefficient gradients the adjoint
/// sums along the signals' rows, 16 samples a vector, with the ragged rest as one padded vector) agree with
/// the `f64` adjoint (which reduces in lanes; checked against finite differences above) to within `f32`
/// accuracy — lengths around the 16-sample vector and the 1024-step block, ragged lane chunks, `a[0] ≠ 1`,
/// `zi` and `∂L/∂zf` — and are bit-identical across thread counts (but for shared coefficients).
#[test]
fn lfilter_f32_low_order_gradients_agree_with_f64() {
    let mut rng = Rng::new(8);
    for (nb, na) in [(3, 3), (2, 2), (1, 3), (3, 1), (2, 3)] {
        for len in [1, 7, 16, 17, 1023, 1024, 1026, 2100] {
            for batch in [3, 17] {
                for l in [L::Shared, L::Signal] {
                    let d = Dims::new(batch, len);
                    let m = nb.max(na) - 1;
                    let what = format!("nb {nb} na {na} T {len} B {batch} {l:?}");
                    let bb = rng.vec(sets(l, d) * nb);
                    let aa: Vec<f64> =
                        (0..sets(l, d)).flat_map(|_| rng.stable_a(na - 1, 0.9).iter().map(|v| 1.3 * v).collect::<Vec<_>>()).collect();
                    let (x, wy, zi, wzf) = (rng.vec(d.numel()), rng.vec(d.numel()), rng.vec(batch * m), rng.vec(batch * m));
                    let y = lfilter(coefs(l, &bb, nb), coefs(l, &aa, na), &x, d, Some(&zi)).unwrap().y;
                    let g = lfilter_adjoint(coefs(l, &bb, nb), coefs(l, &aa, na), &x, &y, d, &wy, Some(&wzf)).unwrap();
                    let (b32, a32, x32, wy32, zi32, wzf32) = (to32(&bb), to32(&aa), to32(&x), to32(&wy), to32(&zi), to32(&wzf));
                    fn c32(l: L, v: &[f32], k: usize) -> Coefs<'_, f32> {
                        if l == L::Shared {
                            Coefs::shared(v)
                        } else {
                            Coefs::per_signal(v, k)
                        }
                    }
                    let (cb, ca) = (c32(l, &b32, nb), c32(l, &a32, na));
                    let y32 = lfilter(cb, ca, &x32, d, Some(&zi32)).unwrap().y;
                    let g32 = lfilter_adjoint(cb, ca, &x32, &y32, d, &wy32, Some(&wzf32)).unwrap();
                    assert_rel(&format!("{what}: f32 ∂L/∂x"), &to64(&g32.x), &g.x, 1e-4);
                    assert_rel(&format!("{what}: f32 ∂L/∂b"), &to64(&g32.b), &g.b, 1e-4);
                    assert_rel(&format!("{what}: f32 ∂L/∂a"), &to64(&g32.a), &g.a, 1e-4);
                    assert_rel(&format!("{what}: f32 ∂L/∂zi"), &to64(&g32.zi), &g.zi, 1e-4);
                    for par in [Par::Seq, Par::Rayon(2).with_grain(0), Par::Rayon(5).with_grain(0)] {
                        let mut s = vec![f32::NAN; lfilter_adjoint_scratch_len(&cb, &ca, d, par)];
                        let (mut gx, mut gb, mut ga, mut gzi) =
                            (vec![f32::NAN; x.len()], vec![f32::NAN; b32.len()], vec![f32::NAN; a32.len()], vec![f32::NAN; zi.len()]);
                        let out = LfilterGradsMut { x: Some(&mut gx), b: Some(&mut gb), a: Some(&mut ga), zi: Some(&mut gzi) };
                        lfilter_adjoint_into(cb, ca, &x32, &y32, d, &wy32, Some(&wzf32), out, &mut s, par).unwrap();
                        assert_eq!((&gx, &gzi), (&g32.x, &g32.zi), "{what}: {par:?}");
                        if l == L::Signal {
                            assert_eq!((&gb, &ga), (&g32.b, &g32.a), "{what}: {par:?}");
                        } else {
                            // Shared gradients: per-worker partial sums, grouped by the thread count.
                            assert_rel(&format!("{what}: {par:?} ∂L/∂b"), &to64(&gb), &to64(&g32.b), 1e-5);
                            assert_rel(&format!("{what}: {par:?} ∂L/∂a"), &to64(&ga), &to64(&g32.a), 1e-5);
                        }
                    }
                }
            }
        }
    }
}
