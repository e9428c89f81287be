//! Shared test helpers: a seeded generator, random stable filters, tolerant comparisons, a
//! central-difference gradient checker.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod coefs;

/// SplitMix64: small, seeded, reproducible. The seed comes from `DIFFIIR_SEED` or a constant and is
/// printed by every assertion failure.
pub struct Rng(pub u64, pub u64);

impl Rng {
    pub fn new(salt: u64) -> Self {
        let seed = std::env::var("DIFFIIR_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261130);
        Rng(seed ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15), seed)
    }
    pub fn seed(&self) -> u64 {
        self.1
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform().max(1e-300), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    pub fn vec(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.normal()).collect()
    }
    /// `[1, a_1..a_order]` of a random stable polynomial with poles of radius ≤ `rmax`.
    pub fn stable_a(&mut self, order: usize, rmax: f64) -> Vec<f64> {
        let mut p = vec![1.0];
        let mut left = order;
        while left > 0 {
            let f = if left >= 2 {
                let (r, th) = (self.range(0.0, rmax), self.range(0.0, std::f64::consts::PI));
                left -= 2;
                vec![1.0, -2.0 * r * th.cos(), r * r]
            } else {
                left -= 1;
                vec![1.0, -self.range(-rmax, rmax)]
            };
            p = poly_mul(&p, &f);
        }
        p
    }
}

pub fn poly_mul(p: &[f64], q: &[f64]) -> Vec<f64> {
    let mut r = vec![0.0; p.len() + q.len() - 1];
    for (i, a) in p.iter().enumerate() {
        for (j, b) in q.iter().enumerate() {
            r[i + j] += a * b;
        }
    }
    r
}

/// Asserts `|got − want| ≤ atol + rtol·|want|` elementwise, reporting the first failing index.
#[track_caller]
pub fn assert_close(what: &str, got: &[f64], want: &[f64], rtol: f64, atol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length {} vs expected {}", got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let ok = (g - w).abs() <= atol + rtol * w.abs() || (g.is_nan() && w.is_nan());
        assert!(ok, "{what}: first difference at index {i}: got {g:e}, expected {w:e} (seed {})", Rng::new(0).seed());
    }
}

/// Asserts `‖got − want‖∞ ≤ rel · max(‖want‖∞, floor)`: the relative-error measure of the gradient checks.
#[track_caller]
pub fn assert_rel(what: &str, got: &[f64], want: &[f64], rel: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length {} vs expected {}", got.len(), want.len());
    let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-3);
    let (mut worst, mut at) = (0.0f64, 0);
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let e = (g - w).abs() / scale;
        if e > worst || e.is_nan() {
            (worst, at) = (e, i);
        }
    }
    assert!(
        worst <= rel,
        "{what}: relative error {worst:e} > {rel:e} at index {at}: got {:e}, expected {:e} (seed {})",
        got[at],
        want[at],
        Rng::new(0).seed()
    );
}

/// Central finite differences of `loss` w.r.t. every entry of `params[which]`.
pub fn fd_grad(params: &[Vec<f64>], which: usize, loss: &dyn Fn(&[Vec<f64>]) -> f64) -> Vec<f64> {
    let mut p = params.to_vec();
    (0..params[which].len())
        .map(|i| {
            let v = params[which][i];
            let h = 1e-6 * v.abs().max(1.0);
            p[which][i] = v + h;
            let lp = loss(&p);
            p[which][i] = v - h;
            let lm = loss(&p);
            p[which][i] = v;
            (lp - lm) / (2.0 * h)
        })
        .collect()
}

/// Σ w·v.
pub fn dot(w: &[f64], v: &[f64]) -> f64 {
    w.iter().zip(v).map(|(a, b)| a * b).sum()
}

pub fn to32(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}
pub fn to64(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| x as f64).collect()
}

/// Benchmarks: median wall time in ms of `f` after a warm-up, repeated for about `budget` seconds (at least 3
/// runs; one run when `DIFFIIR_BENCH_QUICK` is set, for smoke tests).
pub fn median_ms(budget: f64, mut f: impl FnMut()) -> f64 {
    let quick = std::env::var("DIFFIIR_BENCH_QUICK").is_ok();
    f();
    let mut v = vec![];
    let start = std::time::Instant::now();
    while v.len() < 3 || (start.elapsed().as_secs_f64() < budget && v.len() < 200) {
        let t = std::time::Instant::now();
        f();
        v.push(t.elapsed().as_secs_f64() * 1e3);
        if quick {
            break;
        }
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}
