//! The burn `lfilter` op: forward equals the core; gradients through `backward()` equal the core's fused
//! adjoint and central finite differences of the op itself (f64), for shared, per-signal and per-sample
//! coefficients, with zi in and a loss on zf.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;
use burn::tensor::{DType, Device, Tensor, TensorData};
use common::{host, t, vals};
use diffiir::{Coefs, Dims};
use diffiir_burn::{lfilter, Coef};

fn t1(v: &[f64], dev: &Device) -> Tensor<1> {
    t(v, [v.len()], dev)
}
fn t2(v: &[f64], s: [usize; 2], dev: &Device) -> Tensor<2> {
    t(v, s, dev)
}
fn t3(v: &[f64], s: [usize; 3], dev: &Device) -> Tensor<3> {
    t(v, s, dev)
}

#[derive(Clone, Copy, Debug)]
enum L {
    Shared,
    Signal,
    Sample,
}

struct Case {
    l: L,
    b: Vec<f64>,
    a: Vec<f64>,
    x: Vec<f64>,
    zi: Vec<f64>,
    d: Dims,
}

const NB: usize = 3;
const NA: usize = 3;

impl Case {
    fn new(l: L, seed: u64) -> Case {
        let d = Dims::new(3, 11);
        let sets = match l {
            L::Shared => 1,
            L::Signal => d.batch,
            L::Sample => d.numel(),
        };
        let b = vals(sets * NB, seed);
        let a: Vec<f64> = vals(sets * 2, seed + 1).chunks(2).flat_map(|c| [1.3, 0.5 * c[0], 0.3 * c[1]]).collect();
        Case { l, b, a, x: vals(d.numel(), seed + 2), zi: vals(d.batch * 2, seed + 3), d }
    }
    fn coef(&self, v: &[f64], k: usize, dev: &Device) -> Coef {
        match self.l {
            L::Shared => Coef::Shared(t1(v, dev)),
            L::Signal => Coef::PerSignal(t2(v, [self.d.batch, k], dev)),
            L::Sample => Coef::PerSample(t3(v, [self.d.batch, self.d.len, k], dev)),
        }
    }
    fn core<'v>(&self, v: &'v [f64], k: usize) -> Coefs<'v, f64> {
        match self.l {
            L::Shared => Coefs::shared(v),
            L::Signal => Coefs::per_signal(v, k),
            L::Sample => Coefs::per_sample(v, k),
        }
    }
}

#[test]
fn forward_equals_the_core_on_plain_and_autodiff_devices() {
    for dev in [Device::flex(), Device::flex().autodiff()] {
        for l in [L::Shared, L::Signal, L::Sample] {
            let c = Case::new(l, 1);
            let (y, zf) =
                lfilter(c.coef(&c.b, NB, &dev), c.coef(&c.a, NA, &dev), t2(&c.x, [3, 11], &dev), Some(t2(&c.zi, [3, 2], &dev))).unwrap();
            let want = diffiir::lfilter(c.core(&c.b, NB), c.core(&c.a, NA), &c.x, c.d, Some(&c.zi)).unwrap();
            assert_eq!(host(y), want.y, "{l:?}");
            assert_eq!(host(zf), want.zf, "{l:?}");
        }
    }
}

#[test]
fn gradients_equal_the_core_adjoint_and_finite_differences() {
    let dev = Device::flex().autodiff();
    for l in [L::Shared, L::Signal, L::Sample] {
        let c = Case::new(l, 7);
        let (wy, wz) = (vals(c.d.numel(), 11), vals(c.d.batch * 2, 12));
        // Loss L = Σ wy·y + Σ wz·zf through burn's autodiff.
        let loss_of = |b: &[f64], a: &[f64], x: &[f64], zi: &[f64]| -> f64 {
            let (y, zf) = lfilter(
                c.coef(b, NB, &Device::flex()),
                c.coef(a, NA, &Device::flex()),
                t2(x, [3, 11], &Device::flex()),
                Some(t2(zi, [3, 2], &Device::flex())),
            )
            .unwrap();
            host(y).iter().zip(&wy).map(|(p, q)| p * q).sum::<f64>() + host(zf).iter().zip(&wz).map(|(p, q)| p * q).sum::<f64>()
        };
        let (bt, at) = (c.coef(&c.b, NB, &dev), c.coef(&c.a, NA, &dev));
        let (bt, at) = match (bt, at) {
            (Coef::Shared(b), Coef::Shared(a)) => (Coef::Shared(b.require_grad()), Coef::Shared(a.require_grad())),
            (Coef::PerSignal(b), Coef::PerSignal(a)) => (Coef::PerSignal(b.require_grad()), Coef::PerSignal(a.require_grad())),
            (Coef::PerSample(b), Coef::PerSample(a)) => (Coef::PerSample(b.require_grad()), Coef::PerSample(a.require_grad())),
            _ => unreachable!(),
        };
        let (x, zi) = (t2(&c.x, [3, 11], &dev).require_grad(), t2(&c.zi, [3, 2], &dev).require_grad());
        let (y, zf) = lfilter(bt.clone(), at.clone(), x.clone(), Some(zi.clone())).unwrap();
        let loss = (y * t2(&wy, [3, 11], &dev)).sum() + (zf * t2(&wz, [3, 2], &dev)).sum();
        let grads = loss.backward();
        let grad_of = |c: &Coef| -> Vec<f64> {
            match c {
                Coef::Shared(t) => host(t.grad(&grads).unwrap()),
                Coef::PerSignal(t) => host(t.grad(&grads).unwrap()),
                Coef::PerSample(t) => host(t.grad(&grads).unwrap()),
            }
        };
        let (gb, ga, gx, gzi) = (grad_of(&bt), grad_of(&at), host(x.grad(&grads).unwrap()), host(zi.grad(&grads).unwrap()));
        // Equal to the core's fused adjoint…
        let yv = diffiir::lfilter(c.core(&c.b, NB), c.core(&c.a, NA), &c.x, c.d, Some(&c.zi)).unwrap().y;
        let want = diffiir::lfilter_adjoint(c.core(&c.b, NB), c.core(&c.a, NA), &c.x, &yv, c.d, &wy, Some(&wz)).unwrap();
        assert_eq!((&gb, &ga, &gx, &gzi), (&want.b, &want.a, &want.x, &want.zi), "{l:?}");
        // …and to central differences of the op itself.
        let params = [c.b.clone(), c.a.clone(), c.x.clone(), c.zi.clone()];
        for (i, g) in [&gb, &ga, &gx, &gzi].into_iter().enumerate() {
            for j in 0..params[i].len() {
                let h = 1e-6;
                let mut p = params.clone();
                p[i][j] += h;
                let lp = loss_of(&p[0], &p[1], &p[2], &p[3]);
                p[i][j] -= 2.0 * h;
                let lm = loss_of(&p[0], &p[1], &p[2], &p[3]);
                let fd = (lp - lm) / (2.0 * h);
                assert!((fd - g[j]).abs() <= 1e-6 * fd.abs().max(1.0), "{l:?} param {i}[{j}]: fd {fd} vs {}", g[j]);
            }
        }
    }
}

#[test]
fn float32_and_errors() {
    let dev = Device::flex().autodiff();
    let x = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 0.0, 0.0, 0.0], [1, 4]), (&dev, DType::F32)).require_grad();
    let b = Coef::Shared(Tensor::<1>::from_data(TensorData::new(vec![1.0f32], [1]), (&dev, DType::F32)));
    let a = Coef::Shared(Tensor::<1>::from_data(TensorData::new(vec![1.0f32, -0.5], [2]), (&dev, DType::F32)));
    let (y, _) = lfilter(b.clone(), a.clone(), x.clone(), None).unwrap();
    assert_eq!(y.clone().into_data().try_to_vec::<f32>().unwrap(), vec![1.0, 0.5, 0.25, 0.125]);
    let g = y.sum().backward();
    assert_eq!(x.grad(&g).unwrap().into_data().try_to_vec::<f32>().unwrap(), vec![1.875, 1.75, 1.5, 1.0]);
    let bad = Coef::Shared(Tensor::<1>::from_data(TensorData::new(vec![0.0f32, 1.0], [2]), (&dev, DType::F32)));
    let e = lfilter(b.clone(), bad, x.clone(), None).unwrap_err();
    assert!(e.to_string().contains("a[0] is zero"), "{e}");
    let e = lfilter(b, a, x, Some(Tensor::<2>::zeros([2, 1], (&dev, DType::F32)))).unwrap_err();
    assert!(e.to_string().starts_with("lfilter: zi has [2, 1]; expected [1, 1]"), "{e}");
}

/// sosfilt: forward = core; gradients through backward() = core adjoint and central differences, every layout.
#[test]
fn sosfilt_forward_and_gradients() {
    let dev = Device::flex().autodiff();
    let d = Dims::new(3, 9);
    let s = 2;
    for l in [L::Shared, L::Signal, L::Sample] {
        let sets = match l {
            L::Shared => 1,
            L::Signal => d.batch,
            L::Sample => d.numel(),
        };
        let sos: Vec<f64> = vals(sets * s * 3, 21)
            .chunks(3)
            .zip(vals(sets * s * 2, 22).chunks(2))
            .flat_map(|(b, a)| [b[0], b[1], b[2], 1.2, 0.5 * a[0], 0.3 * a[1]])
            .collect();
        let (x, zi) = (vals(d.numel(), 23), vals(d.batch * 2 * s, 24));
        let (wy, wz) = (vals(d.numel(), 25), vals(d.batch * 2 * s, 26));
        let mk = |v: &[f64], dev: &Device| match l {
            L::Shared => Coef::Shared(t1(v, dev)),
            L::Signal => Coef::PerSignal(t2(v, [d.batch, 6 * s], dev)),
            L::Sample => Coef::PerSample(t3(v, [d.batch, d.len, 6 * s], dev)),
        };
        let layout = match l {
            L::Shared => diffiir::Layout::Shared,
            L::Signal => diffiir::Layout::PerSignal,
            L::Sample => diffiir::Layout::PerSample,
        };
        let cs = |v| Coefs { data: v, layout, k: 6 * s };
        let loss_of = |p: &[Vec<f64>]| -> f64 {
            let f = Device::flex();
            let (y, zf) = diffiir_burn::sosfilt(mk(&p[0], &f), t2(&p[1], [3, 9], &f), Some(t2(&p[2], [3, 4], &f))).unwrap();
            host(y).iter().zip(&wy).map(|(p, q)| p * q).sum::<f64>() + host(zf).iter().zip(&wz).map(|(p, q)| p * q).sum::<f64>()
        };
        let st = match mk(&sos, &dev) {
            Coef::Shared(t) => Coef::Shared(t.require_grad()),
            Coef::PerSignal(t) => Coef::PerSignal(t.require_grad()),
            Coef::PerSample(t) => Coef::PerSample(t.require_grad()),
        };
        let (xt, zt) = (t2(&x, [3, 9], &dev).require_grad(), t2(&zi, [3, 4], &dev).require_grad());
        let (y, zf) = diffiir_burn::sosfilt(st.clone(), xt.clone(), Some(zt.clone())).unwrap();
        let want = diffiir::sosfilt_with_tape(cs(&sos[..]), &x, d, Some(&zi)).unwrap();
        assert_eq!((host(y.clone()), host(zf.clone())), (want.0.y.clone(), want.0.zf.clone()), "{l:?} forward");
        let grads = ((y * t2(&wy, [3, 9], &dev)).sum() + (zf * t2(&wz, [3, 4], &dev)).sum()).backward();
        let gs = match &st {
            Coef::Shared(t) => host(t.grad(&grads).unwrap()),
            Coef::PerSignal(t) => host(t.grad(&grads).unwrap()),
            Coef::PerSample(t) => host(t.grad(&grads).unwrap()),
        };
        let (gx, gzi) = (host(xt.grad(&grads).unwrap()), host(zt.grad(&grads).unwrap()));
        let core_g = diffiir::sosfilt_adjoint(cs(&sos[..]), &x, &want.0.y, &want.1, d, &wy, Some(&wz)).unwrap();
        assert_eq!((&gs, &gx, &gzi), (&core_g.sos, &core_g.x, &core_g.zi), "{l:?} gradients vs core");
        let params = [sos.clone(), x.clone(), zi.clone()];
        for (i, g) in [&gs, &gx, &gzi].into_iter().enumerate() {
            for j in 0..params[i].len() {
                let mut p = params.to_vec();
                p[i][j] += 1e-6;
                let lp = loss_of(&p);
                p[i][j] -= 2e-6;
                let fd = (lp - loss_of(&p)) / 2e-6;
                assert!((fd - g[j]).abs() <= 1e-6 * fd.abs().max(1.0), "{l:?} param {i}[{j}]: fd {fd} vs {}", g[j]);
            }
        }
    }
}

/// allpole: forward = core; gradients through backward() = core adjoint and central differences, every layout.
#[test]
fn allpole_forward_and_gradients() {
    let dev = Device::flex().autodiff();
    let (d, n) = (Dims::new(3, 10), 2);
    for l in [L::Shared, L::Signal, L::Sample] {
        let (layout, sets) = match l {
            L::Shared => (diffiir::Layout::Shared, 1),
            L::Signal => (diffiir::Layout::PerSignal, d.batch),
            L::Sample => (diffiir::Layout::PerSample, d.numel()),
        };
        let a: Vec<f64> = vals(sets * n, 31).iter().map(|v| 0.4 * v).collect();
        let (x, zi, wy, wz) = (vals(d.numel(), 32), vals(d.batch * n, 33), vals(d.numel(), 34), vals(d.batch * n, 35));
        let mk = |v: &[f64], dev: &Device| match l {
            L::Shared => Coef::Shared(t1(v, dev)),
            L::Signal => Coef::PerSignal(t2(v, [d.batch, n], dev)),
            L::Sample => Coef::PerSample(t3(v, [d.batch, d.len, n], dev)),
        };
        let ca = |v| Coefs { data: v, layout, k: n };
        let loss_of = |p: &[Vec<f64>]| -> f64 {
            let f = Device::flex();
            let (y, zf) = diffiir_burn::allpole(t2(&p[1], [3, 10], &f), mk(&p[0], &f), Some(t2(&p[2], [3, 2], &f))).unwrap();
            host(y).iter().zip(&wy).map(|(p, q)| p * q).sum::<f64>() + host(zf).iter().zip(&wz).map(|(p, q)| p * q).sum::<f64>()
        };
        let at = match mk(&a, &dev) {
            Coef::Shared(t) => Coef::Shared(t.require_grad()),
            Coef::PerSignal(t) => Coef::PerSignal(t.require_grad()),
            Coef::PerSample(t) => Coef::PerSample(t.require_grad()),
        };
        let (xt, zt) = (t2(&x, [3, 10], &dev).require_grad(), t2(&zi, [3, 2], &dev).require_grad());
        let (y, zf) = diffiir_burn::allpole(xt.clone(), at.clone(), Some(zt.clone())).unwrap();
        let want = diffiir::allpole(&x, d, ca(&a[..]), Some(&zi)).unwrap();
        assert_eq!((host(y.clone()), host(zf.clone())), (want.y.clone(), want.zf.clone()), "{l:?} forward");
        let grads = ((y * t2(&wy, [3, 10], &dev)).sum() + (zf * t2(&wz, [3, 2], &dev)).sum()).backward();
        let ga = match &at {
            Coef::Shared(t) => host(t.grad(&grads).unwrap()),
            Coef::PerSignal(t) => host(t.grad(&grads).unwrap()),
            Coef::PerSample(t) => host(t.grad(&grads).unwrap()),
        };
        let (gx, gzi) = (host(xt.grad(&grads).unwrap()), host(zt.grad(&grads).unwrap()));
        let core_g = diffiir::allpole_adjoint(&want.y, d, ca(&a[..]), Some(&zi), &wy, Some(&wz)).unwrap();
        assert_eq!((&ga, &gx, &gzi), (&core_g.a, &core_g.x, &core_g.zi), "{l:?} gradients vs core");
        let params = [a.clone(), x.clone(), zi.clone()];
        for (i, g) in [&ga, &gx, &gzi].into_iter().enumerate() {
            for j in 0..params[i].len() {
                let mut p = params.to_vec();
                p[i][j] += 1e-6;
                let lp = loss_of(&p);
                p[i][j] -= 2e-6;
                let fd = (lp - loss_of(&p)) / 2e-6;
                assert!((fd - g[j]).abs() <= 1e-6 * fd.abs().max(1.0), "{l:?} param {i}[{j}]: fd {fd} vs {}", g[j]);
            }
        }
    }
}

/// `y` and `zf` are separate nodes (zf a child of y): a loss on only one of them must still give the core's
/// adjoint with the other gradient zero, and using both (or `zf` twice) must add up.
#[test]
fn loss_on_y_only_on_zf_only_and_on_zf_twice() {
    let dev = Device::flex().autodiff();
    let c = Case::new(L::Signal, 21);
    let yv = diffiir::lfilter(c.core(&c.b, NB), c.core(&c.a, NA), &c.x, c.d, Some(&c.zi)).unwrap().y;
    let (wy, wz) = (vals(c.d.numel(), 22), vals(c.d.batch * 2, 23));
    let zeros_y = vec![0.0; c.d.numel()];
    for (use_y, zf_times) in [(true, 0), (false, 1), (false, 2), (true, 2)] {
        let x = t2(&c.x, [3, 11], &dev).require_grad();
        let zi = t2(&c.zi, [3, 2], &dev).require_grad();
        let (y, zf) = lfilter(c.coef(&c.b, NB, &dev), c.coef(&c.a, NA, &dev), x.clone(), Some(zi.clone())).unwrap();
        let mut loss = Tensor::<1>::zeros([1], (&dev, DType::F64));
        if use_y {
            loss = loss + (y * t2(&wy, [3, 11], &dev)).sum();
        }
        for _ in 0..zf_times {
            loss = loss + (zf.clone() * t2(&wz, [3, 2], &dev)).sum();
        }
        let grads = loss.backward();
        let gz: Vec<f64> = wz.iter().map(|w| w * zf_times as f64).collect();
        let gy = if use_y { &wy } else { &zeros_y };
        let want = diffiir::lfilter_adjoint(c.core(&c.b, NB), c.core(&c.a, NA), &c.x, &yv, c.d, gy, Some(&gz)).unwrap();
        let (gx, gzi) = (host(x.grad(&grads).unwrap()), host(zi.grad(&grads).unwrap()));
        for (got, want) in [(&gx, &want.x), (&gzi, &want.zi)] {
            for (g, w) in got.iter().zip(want.iter()) {
                assert!((g - w).abs() <= 1e-12 * w.abs().max(1.0), "use_y {use_y}, zf × {zf_times}: {g} vs {w}");
            }
        }
    }
}
