//! Fuzz checks for every public entry of the core, shared by the `cargo fuzz` targets (`fuzz/fuzz_targets`) and
//! by the corpus replay test (`crates/diffiir/tests/fuzz_corpus.rs`), so every interesting input found stays a
//! regression test.
//!
//! Each check derives shapes, orders and values from the bytes and asserts invariants; a panic is a finding:
//! * no entry panics, whatever the lengths and values (it returns `Ok` or `Err`);
//! * outputs are finite whenever the inputs are finite and the filter is stable (coefficients built by the
//!   stable-by-construction maps);
//! * streaming in arbitrary blocks equals one call, bit for bit;
//! * the adjoint agrees with a central finite-difference probe of one random parameter (small cases, `f64`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use diffiir::freq::{self, Complex};
use diffiir::param;
use diffiir::{Coefs, Dims, Layout, Stream};

/// Reads the fuzz input as a stream of choices; exhausted input reads as zeros.
pub struct Input<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Input { data, pos: 0 }
    }
    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (usize::from(self.byte()) << 8 | usize::from(self.byte())) % n
        }
    }
    pub fn bool(&mut self) -> bool {
        self.byte() & 1 == 1
    }
    /// Any `f64` bit pattern: NaN, ±Inf, subnormals, huge values.
    pub fn any(&mut self) -> f64 {
        let mut b = [0u8; 8];
        b.iter_mut().for_each(|v| *v = self.byte());
        f64::from_le_bytes(b)
    }
    /// A moderate finite value in [-lim, lim].
    pub fn moderate(&mut self, lim: f64) -> f64 {
        (f64::from(self.byte()) * 256.0 + f64::from(self.byte())) / 65535.0 * 2.0 * lim - lim
    }
    /// Mostly moderate values, sometimes arbitrary bit patterns.
    pub fn value(&mut self, wild: bool) -> f64 {
        if wild && self.byte() < 40 {
            self.any()
        } else {
            self.moderate(3.0)
        }
    }
    pub fn vec(&mut self, n: usize, wild: bool) -> Vec<f64> {
        (0..n).map(|_| self.value(wild)).collect()
    }
}

fn layout(r: &mut Input) -> Layout {
    [Layout::Shared, Layout::PerSignal, Layout::PerSample][r.below(3)]
}

fn sets(l: Layout, d: Dims) -> usize {
    match l {
        Layout::Shared => 1,
        Layout::PerSignal => d.batch,
        Layout::PerSample => d.numel(),
    }
}

fn coefs(data: &[f64], l: Layout, k: usize) -> Coefs<'_, f64> {
    Coefs { data, layout: l, k }
}

/// A length near `want`: usually right, sometimes off by a little or wildly.
fn len_near(r: &mut Input, want: usize) -> usize {
    match r.byte() {
        0..=215 => want,
        216..=235 => want.saturating_sub(1),
        236..=250 => want + 1,
        _ => r.below(4 * want + 3),
    }
}

/// Every filter family on arbitrary lengths and values: must not panic (shapes off by one included), and the
/// error path must not allocate from unchecked sizes.
pub fn filters_any(data: &[u8]) {
    let mut r = Input::new(data);
    let d = Dims::new(r.below(4), r.below(50));
    let l = layout(&mut r);
    let k = r.below(8);
    let n = len_near(&mut r, sets(l, d) * k);
    let c = r.vec(n, true);
    let c2 = {
        let n2 = len_near(&mut r, sets(l, d) * k);
        r.vec(n2, true)
    };
    let x = {
        let n = len_near(&mut r, d.numel());
        r.vec(n, true)
    };
    let zi = {
        let n = len_near(&mut r, d.batch * k);
        r.vec(n, true)
    };
    let with_zi = r.bool();
    let zi = with_zi.then_some(&zi[..]);
    let (ca, cb) = (coefs(&c, l, k), coefs(&c2, l, k));
    match r.below(3) {
        0 => {
            if let Ok(out) = diffiir::allpole(&x, d, ca, zi) {
                let _ = diffiir::allpole_adjoint(&out.y, d, ca, zi, &x, Some(&out.zf));
            }
            let _ = diffiir::allpole_adjoint(&x, d, ca, zi, &x, None);
        }
        1 => {
            if let Ok(out) = diffiir::lfilter(cb, ca, &x, d, zi) {
                let _ = diffiir::lfilter_adjoint(cb, ca, &x, &out.y, d, &x, Some(&out.zf));
            }
            let _ = diffiir::lfilter_zi(cb, ca, d.batch);
            let _ = diffiir::lfilter_zi_adjoint(cb, ca, d.batch, zi.unwrap_or(&[]));
        }
        _ => {
            let cs = coefs(&c, l, 6 * k.max(1));
            if let Ok((out, tape)) = diffiir::sosfilt_with_tape(cs, &x, d, zi) {
                let _ = diffiir::sosfilt_adjoint(cs, &x, &out.y, &tape, d, &x, Some(&out.zf));
            }
            let _ = diffiir::sosfilt(cs, &x, d, zi);
            let _ = diffiir::sosfilt_zi(cs, d.batch);
        }
    }
    // Buffer-passing forms with caller buffers of fuzz-chosen (possibly wrong) sizes, both parallel modes and
    // every evaluation path.
    let path = [diffiir::Path::Auto, diffiir::Path::Sequential, diffiir::Path::Chunked, diffiir::Path::Rows][r.below(4)];
    let par = if r.bool() { diffiir::Par::Seq } else { diffiir::Par::Rayon(2) }.with_path(path);
    let mut y = vec![0.0; len_near(&mut r, d.numel())];
    let mut zf = vec![0.0; len_near(&mut r, d.batch * k)];
    let mut scratch = vec![0.0; r.below(4096)];
    let _ = diffiir::allpole_into(&x, d, ca, zi, &mut y, Some(&mut zf), &mut scratch, par);
    let _ = diffiir::lfilter_into(cb, ca, &x, d, zi, &mut y, Some(&mut zf), &mut scratch, par);
    let mut tape = vec![0.0; r.below(512)];
    let _ = diffiir::sosfilt_into(coefs(&c, l, 6 * k.max(1)), &x, d, zi, &mut y, Some(&mut zf), Some(&mut tape), &mut scratch, par);

    // Stability checks on arbitrary coefficients.
    let _ = diffiir::check_stable(ca, d);
    let _ = diffiir::check_stable_allpole(ca, d);
    let _ = diffiir::check_stable_sos(coefs(&c, l, 6 * k.max(1)), d);

    // Streaming with mismatched buffers.
    let mut s = Stream::<f64>::new(d.batch, k);
    let mut y = vec![0.0; len_near(&mut r, x.len())];
    let _ = s.allpole(ca, &x, &mut y);
    let _ = s.lfilter(cb, ca, &x, &mut y);
}

/// A stable filter of one family with finite moderate inputs: `(family, layout, dims, b-or-sos, a, zi)`.
struct Stable {
    family: usize,
    l: Layout,
    d: Dims,
    b: Vec<f64>,
    a: Vec<f64>,
    k: usize,
    zi: Vec<f64>,
}

impl Stable {
    fn new(r: &mut Input) -> Stable {
        let d = Dims::new(1 + r.below(3), r.below(30));
        let l = layout(r);
        let family = r.below(3);
        let n = sets(l, d);
        let order = 1 + r.below(4);
        match family {
            0 => {
                // All-pole from reflection coefficients: stable for every u.
                let u = r.vec(n * order, false);
                let a = param::step_up(&param::reflection(&u), order).unwrap();
                let zi = r.vec(d.batch * order, false);
                Stable { family, l, d, b: vec![], a, k: order, zi }
            }
            1 => {
                // b/a with a = [a0, a0·step_up(k)], a0 ∈ [0.5, 2].
                let u = r.vec(n * order, false);
                let poly = param::step_up(&param::reflection(&u), order).unwrap();
                let mut a = vec![];
                for set in poly.chunks(order) {
                    let a0 = 0.5 + r.moderate(0.75).abs() * 2.0;
                    a.push(a0);
                    a.extend(set.iter().map(|v| v * a0));
                }
                let b = r.vec(n * (order + 1), false);
                let zi = r.vec(d.batch * order, false);
                Stable { family, l, d, b, a, k: order + 1, zi }
            }
            _ => {
                let s = order.min(3);
                let u = r.vec(n * s * 2, false);
                let poles = param::triangle(&u).unwrap();
                let gain = r.vec(n * s, false);
                let zeros = r.vec(n * s * 2, false);
                let sos = param::sos_from_pairs(&gain, &zeros, &poles).unwrap();
                let zi = r.vec(d.batch * 2 * s, false);
                Stable { family, l, d, b: sos, a: vec![], k: 6 * s, zi }
            }
        }
    }

    fn m(&self) -> usize {
        match self.family {
            0 => self.k,
            1 => self.k - 1,
            _ => self.k / 3,
        }
    }

    /// `(y, zf)` of the forward.
    fn forward(&self, x: &[f64], zi: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let out = match self.family {
            0 => diffiir::allpole(x, self.d, coefs(&self.a, self.l, self.k), Some(zi)),
            1 => diffiir::lfilter(coefs(&self.b, self.l, self.k), coefs(&self.a, self.l, self.k), x, self.d, Some(zi)),
            _ => diffiir::sosfilt(coefs(&self.b, self.l, self.k), x, self.d, Some(zi)),
        }
        .unwrap();
        (out.y, out.zf)
    }

    /// `L = Σ wy·y + Σ wz·zf` and its gradients `[x, coefficient arrays…, zi]`.
    fn loss_and_grads(&self, x: &[f64], zi: &[f64], wy: &[f64], wz: &[f64]) -> (f64, Vec<Vec<f64>>) {
        let (y, zf) = self.forward(x, zi);
        let loss = dot(&y, wy) + dot(&zf, wz);
        let g = match self.family {
            0 => {
                let g = diffiir::allpole_adjoint(&y, self.d, coefs(&self.a, self.l, self.k), Some(zi), wy, Some(wz)).unwrap();
                vec![g.x, g.a, g.zi]
            }
            1 => {
                let (cb, ca) = (coefs(&self.b, self.l, self.k), coefs(&self.a, self.l, self.k));
                let g = diffiir::lfilter_adjoint(cb, ca, x, &y, self.d, wy, Some(wz)).unwrap();
                vec![g.x, g.b, g.a, g.zi]
            }
            _ => {
                let cs = coefs(&self.b, self.l, self.k);
                let (_, tape) = diffiir::sosfilt_with_tape(cs, x, self.d, Some(zi)).unwrap();
                let g = diffiir::sosfilt_adjoint(cs, x, &y, &tape, self.d, wy, Some(wz)).unwrap();
                vec![g.x, g.sos, g.zi]
            }
        };
        (loss, g)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

/// Stable filters with finite inputs: finite outputs, streaming = one call, adjoint = finite differences.
pub fn filters_stable(data: &[u8]) {
    let mut r = Input::new(data);
    let f = Stable::new(&mut r);
    let d = f.d;
    let x = r.vec(d.numel(), false);
    let (y, zf) = f.forward(&x, &f.zi);
    assert!(y.iter().chain(&zf).all(|v| v.is_finite()), "non-finite output of a stable filter");
    // The stability checks agree that these filters are stable (all built by stable maps).
    let stable = match f.family {
        0 => diffiir::check_stable_allpole(coefs(&f.a, f.l, f.k), d),
        1 => diffiir::check_stable(coefs(&f.a, f.l, f.k), d),
        _ => diffiir::check_stable_sos(coefs(&f.b, f.l, f.k), d),
    };
    assert!(stable.is_ok(), "check_stable rejects a stable-by-construction filter: {stable:?}");

    // Streaming in arbitrary blocks (time-invariant layouts; per-sample coefficients are sliced per block).
    if f.l != Layout::PerSample && d.len > 0 {
        let mut s = Stream::with_state(d.batch, &f.zi);
        let mut ys = vec![0.0; d.numel()];
        let mut start = 0;
        while start < d.len {
            let n = (1 + r.below(d.len)).min(d.len - start);
            let xb: Vec<f64> = (0..d.batch).flat_map(|b| x[b * d.len + start..b * d.len + start + n].to_vec()).collect();
            let mut yb = vec![0.0; xb.len()];
            match f.family {
                0 => s.allpole(coefs(&f.a, f.l, f.k), &xb, &mut yb),
                1 => s.lfilter(coefs(&f.b, f.l, f.k), coefs(&f.a, f.l, f.k), &xb, &mut yb),
                _ => s.sosfilt(coefs(&f.b, f.l, f.k), &xb, &mut yb),
            }
            .unwrap();
            for b in 0..d.batch {
                ys[b * d.len + start..b * d.len + start + n].copy_from_slice(&yb[b * n..(b + 1) * n]);
            }
            start += n;
        }
        assert_eq!(ys, y, "streaming differs from one call");
        assert_eq!(s.state(), &zf[..], "streaming final state differs");
    }

    // Adjoint vs a central difference in one parameter.
    let (wy, wz) = (r.vec(d.numel(), false), r.vec(d.batch * f.m(), false));
    let (_, g) = f.loss_and_grads(&x, &f.zi, &wy, &wz);
    let which = r.below(g.len());
    if g[which].is_empty() {
        return;
    }
    let j = r.below(g[which].len());
    let h = 1e-6;
    let eval = |delta: f64| {
        let mut p = f.clone_with(&x);
        p.bump(which, j, delta);
        let (loss, _) = p.stable.loss_and_grads(&p.x, &p.stable.zi, &wy, &wz);
        loss
    };
    let (lp, lm) = (eval(h), eval(-h));
    let fd = (lp - lm) / (2.0 * h);
    let scale = 1.0 + lp.abs() + g[which][j].abs();
    assert!(
        (fd - g[which][j]).abs() <= 1e-5 * scale,
        "adjoint {} vs finite difference {fd} (family {}, param {which}[{j}])",
        g[which][j],
        f.family
    );
}

/// A perturbable copy of a stable case.
struct Probe {
    stable: Stable,
    x: Vec<f64>,
}

impl Stable {
    fn clone_with(&self, x: &[f64]) -> Probe {
        Probe {
            stable: Stable {
                family: self.family,
                l: self.l,
                d: self.d,
                b: self.b.clone(),
                a: self.a.clone(),
                k: self.k,
                zi: self.zi.clone(),
            },
            x: x.to_vec(),
        }
    }
}

impl Probe {
    /// Adds `delta` to entry `j` of gradient slot `which` (`[x, coefficient arrays…, zi]`).
    fn bump(&mut self, which: usize, j: usize, delta: f64) {
        let s = &mut self.stable;
        let slot: &mut Vec<f64> = match (s.family, which) {
            (_, 0) => &mut self.x,
            (0, 1) => &mut s.a,
            (1, 1) | (2, 1) => &mut s.b,
            (1, 2) => &mut s.a,
            _ => &mut s.zi,
        };
        slot[j] += delta;
    }
}

/// Frequency responses, FSM and parameterisations: arbitrary values never panic; stable inputs give finite
/// outputs; the stability maps keep their promise for every finite input; adjoints match a difference probe.
pub fn freq_param(data: &[u8]) {
    let mut r = Input::new(data);
    let wild = r.bool();
    let batch = 1 + r.below(3);
    let (kb, ka) = (r.below(6), r.below(6));
    let b = r.vec(batch * kb, wild);
    let a = r.vec(batch * ka, wild);
    let nw = r.below(9);
    let w = r.vec(nw, wild);
    let (cb, ca) = (Coefs::per_signal(&b, kb), Coefs::per_signal(&a, ka));
    let _ = freq::freqz(cb, ca, batch, &w);
    let _ = freq::group_delay(cb, ca, batch, &w);
    let _ = freq::sosfreqz(Coefs::per_signal(&b, kb), batch, &w);
    let h: Vec<Complex<f64>> = w.iter().map(|&v| Complex::new(v, r.value(wild))).collect();
    let _ = freq::mag_db(&h, 1e-20);
    let _ = freq::mag_db_adjoint(&h, 1e-20, &w);
    let d = Dims::new(batch, r.below(40));
    let x = r.vec(d.numel(), wild);
    let n_fft = r.bool().then(|| r.below(300));
    let _ = freq::lfilter_fsm(cb, ca, &x, d, n_fft);
    let _ = freq::sosfilt_fsm(Coefs::per_signal(&b, kb), &x, d, n_fft);
    let _ = freq::transfer_estimate(&x, &x, d, &w);
    let _ = freq::lfilter_fsm_n_fft(cb, ca, d);
    let _ = freq::sosfilt_fsm_n_fft(Coefs::per_signal(&b, kb), d);
    let _ = freq::lfilter_fsm_adjoint(cb, ca, &x, d, n_fft, &x);
    let _ = freq::sosfilt_fsm_adjoint(Coefs::per_signal(&b, kb), &x, d, n_fft, &x);
    let ng = len_near(&mut r, batch * w.len());
    let gh: Vec<Complex<f64>> = (0..ng).map(|_| Complex::new(r.value(wild), r.value(wild))).collect();
    let _ = freq::freqz_adjoint(cb, ca, batch, &w, &gh);
    let _ = freq::sosfreqz_adjoint(Coefs::per_signal(&b, kb), batch, &w, &gh);

    // Parameterisations on arbitrary values.
    let nu = 2 * (1 + r.below(4));
    let u = r.vec(nu, wild);
    let stable_pair = |p: &[f64]| p[1].abs() < 1.0 && p[0].abs() < 1.0 + p[1];
    for (name, out) in [("triangle", param::triangle(&u)), ("conjugate_pair", param::conjugate_pair(&u))] {
        let out = out.unwrap();
        for (pin, pout) in u.chunks(2).zip(out.chunks(2)) {
            if pin.iter().all(|v| v.is_finite()) {
                assert!(stable_pair(pout), "{name}({pin:?}) = {pout:?} is not stable");
            }
        }
    }
    let k = param::reflection(&u);
    for (kv, uv) in k.iter().zip(&u) {
        if uv.is_finite() {
            assert!(kv.abs() < 1.0, "reflection({uv}) = {kv}");
        }
    }
    let _ = param::lar_reflection(&u);
    let _ = param::step_up(&k, 1 + r.below(4));
    let _ = param::step_down(&u, 1 + r.below(4));
    let _ = param::polar_pair(&u);
    let ns = 5 * (1 + r.below(2));
    let _ = param::svf(&r.vec(ns, wild));
    let fs = if r.bool() { r.any() } else { 48_000.0 };
    let np = 3 * (1 + r.below(3));
    let p3 = r.vec(np, wild);
    for kind in param::Rbj::ALL {
        let _ = param::rbj(kind, &p3, fs);
        let _ = param::rbj_unconstrained(kind, &p3, fs, 0.1);
    }
    let _ = param::peq_guess(&w, &w, r.below(4), fs);
    let _ = param::triangle_inverse(&u);
    // Every adjoint, with gradient buffers of fuzz-chosen (possibly wrong) lengths.
    let ng = len_near(&mut r, u.len());
    let g = r.vec(ng, wild);
    let _ = param::triangle_adjoint(&u, &g);
    let _ = param::conjugate_pair_adjoint(&u, &g);
    let _ = param::polar_pair_adjoint(&u, &g);
    let _ = param::reflection_adjoint(&u, &g);
    let _ = param::lar_reflection_adjoint(&u, &g);
    let _ = param::step_up_adjoint(&k, 1 + r.below(4), &g);
    let ng6 = len_near(&mut r, 2 * p3.len());
    let g6 = r.vec(ng6, wild);
    for kind in param::Rbj::ALL {
        let _ = param::rbj_adjoint(kind, &p3, fs, &g6);
        let _ = param::rbj_unconstrained_adjoint(kind, &p3, fs, 0.1, &g6);
    }
    let _ = param::rbj_params(&p3, fs, 0.1);
    let _ = param::rbj_params_adjoint(&p3, fs, 0.1, &g);
    let ns5 = len_near(&mut r, 10);
    let p5 = r.vec(ns5, wild);
    let _ = param::svf_adjoint(&p5, &g6);
    let gain = r.vec(u.len() / 2, wild);
    let _ = param::sos_from_pairs(&gain, &u, &g);
    let _ = param::sos_from_pairs_adjoint(&gain, &u, &g6);

    // Adjoint probes on moderate values: triangle and the RBJ unconstrained map.
    let u = r.vec(2, false);
    let g = r.vec(2, false);
    let adj = param::triangle_adjoint(&u, &g).unwrap();
    let i = r.below(2);
    let f = |d: f64| {
        let mut v = u.clone();
        v[i] += d;
        dot(&param::triangle(&v).unwrap(), &g)
    };
    let fd = (f(1e-6) - f(-1e-6)) / 2e-6;
    assert!((fd - adj[i]).abs() <= 1e-6 * (1.0 + fd.abs()), "triangle adjoint {} vs {fd} at {u:?}", adj[i]);
}
