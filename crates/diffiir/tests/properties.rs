//! Property tests over random orders, lengths (0 and 1 included), batch sizes and layouts. One shared
//! checker runs every entry form of a family (allocating, `_into` with dirty scratch under each
//! parallelism, streaming in random block splits) against the naive f64 reference loop.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::{assert_close, to32, to64, Rng};
use diffiir::*;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fam {
    Allpole,
    Lfilter,
    Sosfilt,
}

/// A random problem: coefficient arrays (b unused for allpole/sosfilt), their layouts, x, zi.
#[derive(Clone, Debug)]
struct Case {
    fam: Fam,
    d: Dims,
    b: Vec<f64>,
    nb: usize,
    lb: Layout,
    a: Vec<f64>,
    na: usize,
    la: Layout,
    x: Vec<f64>,
    zi: Option<Vec<f64>>,
}

fn layout(rng: &mut Rng) -> Layout {
    [Layout::Shared, Layout::PerSignal, Layout::PerSample][rng.below(3)]
}

fn sets(l: Layout, d: Dims) -> usize {
    match l {
        Layout::Shared => 1,
        Layout::PerSignal => d.batch,
        Layout::PerSample => d.batch * d.len,
    }
}

fn c<T>(data: &[T], l: Layout, k: usize) -> Coefs<'_, T> {
    Coefs { data, layout: l, k }
}

impl Case {
    fn random(fam: Fam, rng: &mut Rng) -> Case {
        let batch = [1, 2, 7, 8, 9, 16, 17][rng.below(7)];
        let len = [0, 1, 2, 3, 63, 64, 65, 130, 300][rng.below(9)];
        let d = Dims::new(batch, len);
        let (lb, la) = (layout(rng), layout(rng));
        let (nb, na, state) = match fam {
            Fam::Allpole => {
                let n = 1 + rng.below(12);
                (0, n, n)
            }
            Fam::Lfilter => {
                let (nb, na) = (1 + rng.below(13), 1 + rng.below(13));
                (nb, na, nb.max(na) - 1)
            }
            Fam::Sosfilt => {
                let s = 1 + rng.below(5);
                (0, 6 * s, 2 * s)
            }
        };
        // Per-sample coefficients switch every 40 samples between stable filters: arbitrary per-sample
        // draws of high order make the time-varying recursion blow up, which tests nothing.
        let mut a = vec![];
        let mut held = vec![];
        for set in 0..sets(la, d) {
            if la == Layout::PerSample && !(set % d.len.max(1)).is_multiple_of(40) {
                a.extend_from_within(a.len() - held.len()..);
                continue;
            }
            let before = a.len();
            match fam {
                Fam::Allpole => a.extend_from_slice(&rng.stable_a(na, 0.9)[1..]),
                Fam::Lfilter => {
                    let a0 = rng.range(0.5, 2.0);
                    a.extend(rng.stable_a(na - 1, 0.9).iter().map(|v| v * a0));
                }
                Fam::Sosfilt => {
                    for _ in 0..na / 6 {
                        let p = rng.stable_a(2, 0.95);
                        let a0 = rng.range(0.5, 2.0);
                        a.extend([rng.normal(), rng.normal(), rng.normal(), a0, p[1] * a0, p[2] * a0]);
                    }
                }
            }
            held = a[before..].to_vec();
        }
        let b = rng.vec(sets(lb, d) * nb);
        let x = rng.vec(d.numel());
        let zi = (rng.uniform() < 0.7).then(|| rng.vec(batch * state));
        Case { fam, d, b, nb, lb, a, na, la, x, zi }
    }

    fn state_len(&self) -> usize {
        match self.fam {
            Fam::Allpole => self.na,
            Fam::Lfilter => self.nb.max(self.na) - 1,
            Fam::Sosfilt => self.na / 3,
        }
    }

    fn reference(&self) -> Filtered<f64> {
        let (a, b, zi) = (c(&self.a, self.la, self.na), c(&self.b, self.lb, self.nb), self.zi.as_deref());
        match self.fam {
            Fam::Allpole => reference::allpole(&self.x, self.d, a, zi),
            Fam::Lfilter => reference::lfilter(b, a, &self.x, self.d, zi),
            Fam::Sosfilt => reference::sosfilt(a, &self.x, self.d, zi),
        }
        .unwrap()
    }

    fn run<T: Float>(&self, a: &[T], b: &[T], x: &[T], zi: Option<&[T]>) -> Filtered<T> {
        let (ca, cb) = (c(a, self.la, self.na), c(b, self.lb, self.nb));
        match self.fam {
            Fam::Allpole => allpole(x, self.d, ca, zi),
            Fam::Lfilter => lfilter(cb, ca, x, self.d, zi),
            Fam::Sosfilt => sosfilt(ca, x, self.d, zi),
        }
        .unwrap()
    }

    /// The buffer-passing form with NaN-filled outputs and scratch.
    fn run_into(&self, par: Par) -> Filtered<f64> {
        let (ca, cb, zi) = (c(&self.a, self.la, self.na), c(&self.b, self.lb, self.nb), self.zi.as_deref());
        let mut y = vec![f64::NAN; self.d.numel()];
        let mut zf = vec![f64::NAN; self.d.batch * self.state_len()];
        match self.fam {
            Fam::Allpole => {
                let mut s = vec![f64::NAN; allpole_scratch_len::<f64>(self.d, &ca, par)];
                allpole_into(&self.x, self.d, ca, zi, &mut y, Some(&mut zf), &mut s, par).unwrap();
            }
            Fam::Lfilter => {
                let mut s = vec![f64::NAN; lfilter_scratch_len(&cb, &ca, self.d, par)];
                lfilter_into(cb, ca, &self.x, self.d, zi, &mut y, Some(&mut zf), &mut s, par).unwrap();
            }
            Fam::Sosfilt => {
                let mut s = vec![f64::NAN; sosfilt_scratch_len(&ca, self.d, par)];
                let mut tape = vec![f64::NAN; sosfilt_tape_len::<f64>(self.d, self.na / 6)];
                sosfilt_into(ca, &self.x, self.d, zi, &mut y, Some(&mut zf), Some(&mut tape), &mut s, par).unwrap();
            }
        }
        Filtered { y, zf }
    }

    /// Streams the signal in blocks of random lengths (per-sample coefficients sliced per block).
    fn run_stream(&self, rng: &mut Rng) -> Filtered<f64> {
        let (d, k) = (self.d, self.state_len());
        let mut s = self.zi.as_ref().map_or_else(|| Stream::new(d.batch, k), |z| Stream::with_state(d.batch, z));
        let mut y = vec![0.0; d.numel()];
        let mut t0 = 0;
        while t0 < d.len || (t0 == 0 && d.len == 0) {
            let n = (1 + rng.below(80)).min(d.len - t0);
            let bd = Dims::new(d.batch, n);
            let slice = |v: &[f64], l: Layout, k: usize| -> Vec<f64> {
                if l != Layout::PerSample {
                    return v.to_vec();
                }
                (0..d.batch).flat_map(|b| v[(b * d.len + t0) * k..(b * d.len + t0 + n) * k].to_vec()).collect()
            };
            let (a, b) = (slice(&self.a, self.la, self.na), slice(&self.b, self.lb, self.nb));
            let xb: Vec<f64> = (0..d.batch).flat_map(|r| self.x[r * d.len + t0..r * d.len + t0 + n].to_vec()).collect();
            let mut yb = vec![0.0; bd.numel()];
            let (ca, cb) = (c(&a, self.la, self.na), c(&b, self.lb, self.nb));
            match self.fam {
                Fam::Allpole => s.allpole(ca, &xb, &mut yb),
                Fam::Lfilter => s.lfilter(cb, ca, &xb, &mut yb),
                Fam::Sosfilt => s.sosfilt(ca, &xb, &mut yb),
            }
            .unwrap();
            for r in 0..d.batch {
                y[r * d.len + t0..r * d.len + t0 + n].copy_from_slice(&yb[r * n..(r + 1) * n]);
            }
            t0 += n;
            if n == 0 {
                break;
            }
        }
        Filtered { y, zf: s.state().to_vec() }
    }
}

/// Every entry form of `fam` on random problems: reference agreement (eps-scaled), bit-identical
/// `_into`/parallel/streaming forms, dirty scratch, f32 within a bound of f64.
fn check_family(fam: Fam, salt: u64) {
    let mut rng = Rng::new(salt);
    for i in 0..60 {
        let case = Case::random(fam, &mut rng);
        let what = format!(
            "{fam:?} case {i}: {:?} orders ({}, {}) layouts ({:?}, {:?}) zi {}",
            case.d,
            case.nb,
            case.na,
            case.lb,
            case.la,
            case.zi.is_some()
        );
        let want = case.reference();
        let got = case.run(&case.a, &case.b, &case.x, case.zi.as_deref());
        let scale = want.y.iter().chain(&want.zf).fold(1.0f64, |s, v| s.max(v.abs()));
        let tol = 100.0 * f64::EPSILON * scale * (case.d.len.max(1) * (case.na + case.nb)) as f64;
        assert_close(&format!("{what}: y vs reference"), &got.y, &want.y, 0.0, tol);
        assert_close(&format!("{what}: zf vs reference"), &got.zf, &want.zf, 0.0, tol);
        for par in [Par::Seq, Par::Rayon(2).with_grain(0), Par::Rayon(3).with_grain(0)] {
            assert_eq!(case.run_into(par), got, "{what}: _into under {par:?} with dirty scratch differs");
        }
        assert_eq!(case.run_stream(&mut rng), got, "{what}: streaming differs from one call");
        let zi32 = case.zi.as_deref().map(to32);
        let g32 = case.run(&to32(&case.a), &to32(&case.b), &to32(&case.x), zi32.as_deref());
        assert_close(&format!("{what}: f32 vs f64"), &to64(&g32.y), &got.y, 0.0, 1e-4 * scale * (case.na + case.nb) as f64);
    }
}

#[test]
fn allpole_all_forms_agree() {
    check_family(Fam::Allpole, 11);
}

#[test]
fn lfilter_all_forms_agree() {
    check_family(Fam::Lfilter, 12);
}

#[test]
fn sosfilt_all_forms_agree() {
    check_family(Fam::Sosfilt, 13);
}

/// Time-varying coefficients that are constant give the time-invariant result, bit for bit.
#[test]
fn constant_time_varying_equals_time_invariant() {
    let mut rng = Rng::new(14);
    let d = Dims::new(5, 150);
    let x = rng.vec(d.numel());
    let rep = |v: &[f64], n: usize| -> Vec<f64> { (0..n).flat_map(|_| v.to_vec()).collect() };
    let a = rng.stable_a(6, 0.9);
    let b = rng.vec(4);
    let sos: Vec<f64> = (0..3).flat_map(|_| [rng.normal(), rng.normal(), rng.normal(), 1.0, -0.5, 0.3]).collect();
    let (at, bt, st) = (rep(&a[1..], d.numel()), rep(&b, d.numel()), rep(&sos, d.numel()));
    let lti = allpole(&x, d, Coefs::shared(&a[1..]), None).unwrap();
    assert_eq!(allpole(&x, d, Coefs::per_sample(&at, 6), None).unwrap(), lti);
    let lti = lfilter(Coefs::shared(&b), Coefs::shared(&a), &x, d, None).unwrap();
    assert_eq!(lfilter(Coefs::per_sample(&bt, 4), Coefs::per_sample(&rep(&a, d.numel()), 7), &x, d, None).unwrap(), lti);
    let lti = sosfilt(Coefs::shared(&sos), &x, d, None).unwrap();
    assert_eq!(sosfilt(Coefs::per_sample(&st, 18), &x, d, None).unwrap(), lti);
    // …and the gradients: time-invariant ones are the sums of the per-sample ones.
    let gy = rng.vec(d.numel());
    let y = allpole(&x, d, Coefs::shared(&a[1..]), None).unwrap().y;
    let g = allpole_adjoint(&y, d, Coefs::shared(&a[1..]), None, &gy, None).unwrap();
    let gt = allpole_adjoint(&y, d, Coefs::per_sample(&at, 6), None, &gy, None).unwrap();
    assert_eq!(g.x, gt.x);
    let summed: Vec<f64> = (0..6).map(|k| gt.a.iter().skip(k).step_by(6).sum()).collect();
    assert_close("allpole: Σ per-sample ∂L/∂a = shared ∂L/∂a", &g.a, &summed, 1e-10, 1e-10);
}

/// One second-order section through sosfilt equals lfilter with the same b, a (same kernel path: exact).
#[test]
fn one_section_sosfilt_equals_lfilter() {
    let mut rng = Rng::new(15);
    let d = Dims::new(9, 100);
    let x = rng.vec(d.numel());
    let a = rng.stable_a(2, 0.95).iter().map(|v| v * 1.7).collect::<Vec<_>>();
    let b = rng.vec(3);
    let sos = [b[0], b[1], b[2], a[0], a[1], a[2]];
    let zi = rng.vec(d.batch * 2);
    let s = sosfilt(Coefs::shared(&sos), &x, d, Some(&zi)).unwrap();
    let l = lfilter(Coefs::shared(&b), Coefs::shared(&a), &x, d, Some(&zi)).unwrap();
    assert_eq!(s, l);
    let (gy, gzf) = (rng.vec(d.numel()), rng.vec(d.batch * 2));
    let gs = sosfilt_adjoint(Coefs::shared(&sos), &x, &s.y, &[], d, &gy, Some(&gzf)).unwrap();
    let gl = lfilter_adjoint(Coefs::shared(&b), Coefs::shared(&a), &x, &l.y, d, &gy, Some(&gzf)).unwrap();
    assert_eq!((&gs.x, &gs.zi), (&gl.x, &gl.zi));
    assert_close("sos vs lfilter ∂L/∂b", &gs.sos[..3], &gl.b, 1e-12, 0.0);
    assert_close("sos vs lfilter ∂L/∂a", &gs.sos[3..], &gl.a, 1e-12, 0.0);
}

/// Requesting only some gradients gives the same values as requesting all; parallel adjoints agree.
#[test]
fn partial_requests_and_parallel_adjoints_agree() {
    let mut rng = Rng::new(16);
    let d = Dims::new(40, 90);
    let x = rng.vec(d.numel());
    let gy = rng.vec(d.numel());
    let b = rng.vec(3);
    let a = rng.stable_a(4, 0.9);
    let (cb, ca) = (Coefs::shared(&b), Coefs::shared(&a));
    let y = lfilter(cb, ca, &x, d, None).unwrap().y;
    let full = lfilter_adjoint(cb, ca, &x, &y, d, &gy, None).unwrap();
    for par in [Par::Seq, Par::Rayon(2).with_grain(0), Par::Rayon(5).with_grain(0)] {
        let mut s = vec![f64::NAN; lfilter_adjoint_scratch_len(&cb, &ca, d, par)];
        let mut gx = vec![f64::NAN; d.numel()];
        let out = LfilterGradsMut { x: Some(&mut gx), b: None, a: None, zi: None };
        lfilter_adjoint_into(cb, ca, &x, &y, d, &gy, None, out, &mut s, par).unwrap();
        assert_eq!(gx, full.x, "{par:?}: ∂L/∂x alone");
        let mut ga = vec![f64::NAN; a.len()];
        let out = LfilterGradsMut { x: None, b: None, a: Some(&mut ga), zi: None };
        lfilter_adjoint_into(cb, ca, &x, &y, d, &gy, None, out, &mut s, par).unwrap();
        assert_close(&format!("{par:?}: shared ∂L/∂a alone"), &ga, &full.a, 1e-12, 0.0);
    }
}

/// Per-sample all-pole `∂L/∂a` alone (no `∂L/∂x` buffer: order 2 then takes `u` from the kernel's scratch rows) is bit
/// for bit the one computed beside `∂L/∂x`, across block edges (T past one 1024-step block), orders with and
/// without a compiled class, `zi` reaching into the first samples, signals shorter than the order, ragged lane
/// chunks and worker splits.
#[test]
fn per_sample_allpole_gradient_alone_agrees() {
    let mut rng = Rng::new(19);
    for (batch, len, n) in [(21, 2100, 2), (4, 1, 2), (6, 7, 2), (5, 1030, 3), (17, 7, 16), (3, 2, 5), (9, 1024, 1)] {
        let d = Dims::new(batch, len);
        let x = rng.vec(d.numel());
        let gy = rng.vec(d.numel());
        let zi = rng.vec(batch * n);
        let a: Vec<f64> = (0..batch * len).flat_map(|_| rng.stable_a(n, 0.9)[1..].to_vec()).collect();
        let ca = Coefs::per_sample(&a, n);
        let y = allpole(&x, d, ca, Some(&zi)).unwrap().y;
        let full = allpole_adjoint(&y, d, ca, Some(&zi), &gy, None).unwrap();
        let (ya, ziv) = (&y[..], &zi[..]);
        // The oracle: ∂L/∂a_k[t] = −∂L/∂x[t]·y[t−k], y[−1−j] = zi[j].
        let want: Vec<f64> = (0..batch * len * n)
            .map(|i| {
                let (b, t, k) = (i / (len * n), i / n % len, i % n + 1);
                let yv = if t >= k { ya[b * len + t - k] } else { ziv[b * n + k - t - 1] };
                -(full.x[b * len + t] * yv)
            })
            .collect();
        assert_eq!(full.a, want, "{batch}×{len}, N = {n}: ∂L/∂a beside ∂L/∂x");
        for par in [Par::Seq, Par::Rayon(2).with_grain(0), Par::Rayon(5).with_grain(0)] {
            let mut s = vec![f64::NAN; allpole_adjoint_scratch_len(d, &ca, par)];
            let mut ga = vec![f64::NAN; a.len()];
            let out = AllpoleGradsMut { x: None, a: Some(&mut ga), zi: None };
            allpole_adjoint_into(&y, d, ca, Some(&zi), &gy, None, out, &mut s, par).unwrap();
            assert_eq!(ga, want, "{batch}×{len}, N = {n}, {par:?}: ∂L/∂a alone");
        }
    }
}

/// Non-finite values propagate within their own signal only (documented policy).
#[test]
fn non_finite_values_stay_in_their_signal() {
    let mut rng = Rng::new(17);
    let d = Dims::new(20, 50);
    let mut x = rng.vec(d.numel());
    x[3 * 50 + 10] = f64::NAN;
    x[12 * 50 + 5] = f64::INFINITY;
    let sos: Vec<f64> = [0.2, 0.4, 0.2, 1.0, -0.5, 0.2, 1.0, 0.1, 0.0, 1.0, 0.3, 0.0].to_vec();
    let y = sosfilt(Coefs::shared(&sos), &x, d, None).unwrap().y;
    for r in 0..d.batch {
        let row = &y[r * 50..(r + 1) * 50];
        match r {
            3 => assert!(row[..10].iter().all(|v| v.is_finite()) && row[10..].iter().all(|v| v.is_nan())),
            12 => assert!(row[..5].iter().all(|v| v.is_finite()) && !row[5].is_finite()),
            _ => assert!(row.iter().all(|v| v.is_finite()), "signal {r} was contaminated"),
        }
    }
    let a = [f64::NAN, 0.5];
    let per_signal: Vec<f64> = (0..d.batch).flat_map(|r| if r == 7 { a } else { [-0.5, 0.1] }).collect();
    let y = allpole(&rng.vec(d.numel()), d, Coefs::per_signal(&per_signal, 2), None).unwrap().y;
    for r in 0..d.batch {
        assert_eq!(y[r * 50..(r + 1) * 50].iter().all(|v| v.is_finite()), r != 7, "signal {r}");
    }
}

/// Empty batches and empty signals are valid and give empty outputs (zf = zi for T = 0).
#[test]
fn empty_batch_and_empty_signal() {
    let b = [1.0, 0.5];
    let a = [1.0, -0.2];
    let o = lfilter(Coefs::shared(&b), Coefs::shared(&a), &[], Dims::new(0, 10), None).unwrap();
    assert!(o.y.is_empty() && o.zf.is_empty());
    let o = lfilter(Coefs::shared(&b), Coefs::shared(&a), &[], Dims::new(2, 0), Some(&[1.0, 2.0])).unwrap();
    assert_eq!((o.y.len(), o.zf), (0, vec![1.0, 2.0]));
    let o = allpole(&[], Dims::new(2, 0), Coefs::shared(&[0.5, 0.1]), Some(&[1.0, 2.0, 3.0, 4.0])).unwrap();
    assert_eq!(o.zf, [1.0, 2.0, 3.0, 4.0]);
}

impl Case {
    /// All gradients through the buffer-passing adjoint, with NaN-filled gradient buffers and scratch.
    fn grads_into(&self, par: Par, gy: &[f64], gzf: &[f64]) -> Vec<Vec<f64>> {
        let (ca, cb, d, zi) = (c(&self.a, self.la, self.na), c(&self.b, self.lb, self.nb), self.d, self.zi.as_deref());
        let f = self.run(&self.a, &self.b, &self.x, zi);
        let nan = |n: usize| vec![f64::NAN; n];
        let (mut gx, mut ga, mut gb, mut gzi) = (nan(d.numel()), nan(self.a.len()), nan(self.b.len()), nan(d.batch * self.state_len()));
        match self.fam {
            Fam::Allpole => {
                let mut s = nan(allpole_adjoint_scratch_len::<f64>(d, &ca, par));
                let out = AllpoleGradsMut { x: Some(&mut gx), a: Some(&mut ga), zi: Some(&mut gzi) };
                allpole_adjoint_into(&f.y, d, ca, zi, gy, Some(gzf), out, &mut s, par).unwrap();
            }
            Fam::Lfilter => {
                let mut s = nan(lfilter_adjoint_scratch_len(&cb, &ca, d, par));
                let out = LfilterGradsMut { x: Some(&mut gx), b: Some(&mut gb), a: Some(&mut ga), zi: Some(&mut gzi) };
                lfilter_adjoint_into(cb, ca, &self.x, &f.y, d, gy, Some(gzf), out, &mut s, par).unwrap();
            }
            Fam::Sosfilt => {
                let (f, tape) = sosfilt_with_tape(ca, &self.x, d, zi).unwrap();
                let mut s = nan(sosfilt_adjoint_scratch_len(&ca, d, par));
                let out = SosfiltGradsMut { x: Some(&mut gx), sos: Some(&mut ga), zi: Some(&mut gzi) };
                sosfilt_adjoint_into(ca, &self.x, &f.y, &tape, d, gy, Some(gzf), out, &mut s, par).unwrap();
            }
        }
        if self.fam != Fam::Lfilter {
            gb.clear();
        }
        vec![gx, ga, gb, gzi]
    }
}

/// The buffer-passing adjoints overwrite NaN-filled gradient buffers and scratch, and agree across
/// parallelism settings (bit for bit except shared-coefficient sums, whose order depends on the split).
#[test]
fn adjoints_overwrite_dirty_buffers_and_agree_across_parallelism() {
    let mut rng = Rng::new(18);
    for fam in [Fam::Allpole, Fam::Lfilter, Fam::Sosfilt] {
        for i in 0..25 {
            let case = Case::random(fam, &mut rng);
            let gy = rng.vec(case.d.numel());
            let gzf = rng.vec(case.d.batch * case.state_len());
            let seq = case.grads_into(Par::Seq, &gy, &gzf);
            assert!(seq.iter().flatten().all(|v| v.is_finite()), "{fam:?} case {i}: non-finite gradient (dirty buffer leaked?)");
            assert_eq!(case.grads_into(Par::Seq, &gy, &gzf), seq, "{fam:?} case {i}: not deterministic");
            let par = case.grads_into(Par::Rayon(3).with_grain(0), &gy, &gzf);
            for (k, (p, s)) in par.iter().zip(&seq).enumerate() {
                let scale = s.iter().fold(1.0f64, |m, v| m.max(v.abs()));
                assert_close(
                    &format!("{fam:?} case {i}: gradient {k} under Rayon(3)"),
                    p,
                    s,
                    0.0,
                    1e-12 * scale * case.d.numel().max(1) as f64,
                );
            }
        }
    }
}
