//! Workloads W1–W6 (`shared/reference/workloads.md`), f32, forward and forward+backward, each beside a plain
//! scalar loop (one recursion chain at a time) timed in the same run, so BENCHMARKS.md can quote ratios.
//!
//! `cargo bench -p diffiir --bench workloads` prints a Markdown table. `DIFFIIR_BENCH_QUICK=1` runs each
//! measurement once (a smoke test). Medians of repeated runs; the machine is shared, so read ratios. The 1- and
//! 2-thread fwd+bwd run alternately, and "1 → 2 threads" is the median of their per-pair ratios.
//!
//! The roofline columns come from the same run. "memory bound" is the data movement the workload cannot avoid,
//! done with plain loops on arrays of the signal's size and timed in rounds alternated with the 1-thread fwd+bwd:
//! the forward and the loss gradient are a copy each (read one array, write one); the adjoint reads `∂L/∂y` and
//! what it needs (`x` and `y` for `lfilter`/`sosfilt`, `y` for `allpole`, plus the per-sample `a` for W4, two
//! arrays) and writes `∂L/∂x` (W4 also `∂L/∂a`). "compute bound" is the workload's flop count at
//! [`PEAK_GFLOPS`]. "fwd+bwd / roofline" is the median over rounds of fwd+bwd ÷ the memory traffic's time (or ÷ the
//! compute bound where that is larger).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;
use common::{median_ms as time, Rng};
use diffiir::*;
use std::f64::consts::PI;

const FS: f64 = 48_000.0;

/// The arithmetic peak the compute bound assumes: AVX2 without FMA, two multiply and two add pipes of 8 `f32`
/// lanes at 2.6 GHz (the kernels keep separate multiplies and adds so results match across instruction sets).
const PEAK_GFLOPS: f64 = 83.0;

fn rbj_lowpass(f0: f64, q: f64) -> ([f64; 3], [f64; 3]) {
    let w = 2.0 * PI * f0 / FS;
    let (c, alpha) = (w.cos(), w.sin() / (2.0 * q));
    ([(1.0 - c) / 2.0, 1.0 - c, (1.0 - c) / 2.0], [1.0 + alpha, -2.0 * c, 1.0 - alpha])
}

fn rbj_peaking(f0: f64, q: f64, gain_db: f64) -> [f64; 6] {
    let w = 2.0 * PI * f0 / FS;
    let (c, alpha, a) = (w.cos(), w.sin() / (2.0 * q), 10f64.powf(gain_db / 40.0));
    [1.0 + alpha * a, -2.0 * c, 1.0 - alpha * a, 1.0 + alpha / a, -2.0 * c, 1.0 - alpha / a]
}

fn log_uniform(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    (lo.ln() + (hi.ln() - lo.ln()) * rng.uniform()).exp()
}

/// Reflection coefficients → LPC `a_1..a_N` (step-up recursion).
fn step_up(k: &[f64]) -> Vec<f64> {
    let mut a: Vec<f64> = vec![];
    for (i, &ki) in k.iter().enumerate() {
        let prev = a.clone();
        a.push(ki);
        for j in 0..i {
            a[j] = prev[j] + ki * prev[i - 1 - j];
        }
    }
    a
}

fn f32v(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}

/// The baseline: a plain TDF-II loop over one signal at a time, pre-normalised coefficients (what a
/// straightforward compiled implementation does).
fn scalar_sos(sos: &[f32], k: usize, x: &[f32], t: usize, y: &mut [f32]) {
    for (r, (xr, yr)) in x.chunks(t).zip(y.chunks_mut(t)).enumerate() {
        yr.copy_from_slice(xr);
        for c in sos[r * k..(r + 1) * k].chunks(6) {
            let (b0, b1, b2, a1, a2) = (c[0] / c[3], c[1] / c[3], c[2] / c[3], c[4] / c[3], c[5] / c[3]);
            let (mut z0, mut z1) = (0.0f32, 0.0f32);
            for v in yr.iter_mut() {
                let xv = *v;
                let out = z0 + b0 * xv;
                z0 = z1 + b1 * xv - a1 * out;
                z1 = b2 * xv - a2 * out;
                *v = out;
            }
        }
    }
}

fn scalar_allpole(a: &[f32], n: usize, tv: bool, x: &[f32], t: usize, y: &mut [f32]) {
    for (r, (xr, yr)) in x.chunks(t).zip(y.chunks_mut(t)).enumerate() {
        for i in 0..t {
            let c = if tv { &a[(r * t + i) * n..][..n] } else { &a[r * n..][..n] };
            let mut acc = xr[i];
            for k in 1..=n.min(i) {
                acc -= c[k - 1] * yr[i - k];
            }
            yr[i] = acc;
        }
    }
}

/// One workload, in f32: coefficients and input.
enum Work {
    Lfilter { b: Vec<f32>, a: Vec<f32> },
    Sos { sos: Vec<f32>, k: usize },
    Allpole { a: Vec<f32>, n: usize, tv: bool },
}

struct Row {
    id: &'static str,
    what: &'static str,
    d: Dims,
    work: Work,
    /// Unavoidable fwd+bwd traffic in signal-sized arrays: (copies, reads).
    traffic: (usize, usize),
    /// fwd+bwd flops per sample.
    flops: f64,
}

fn workloads(rng: &mut Rng) -> Vec<Row> {
    let lowpass_set = |rng: &mut Rng, b: usize| {
        let (mut bb, mut aa) = (vec![], vec![]);
        for _ in 0..b {
            let (nb, na) = rbj_lowpass(log_uniform(rng, 100.0, 12_000.0), rng.range(0.5, 4.0));
            bb.extend(nb);
            aa.extend(na);
        }
        Work::Lfilter { b: f32v(&bb), a: f32v(&aa) }
    };
    let mut rows = vec![];
    // Flops per sample: a biquad's forward is 5 multiplies + 4 adds; its adjoint the same recursion plus five
    // coefficient-gradient products and sums; the loss gradient 2.
    let biquad = |id, what, d, work| Row { id, what, d, work, traffic: (3, 2), flops: 30.0 };
    rows.push(biquad("W1", "biquad, LTI, 16 × 48k", Dims::new(16, 48_000), lowpass_set(rng, 16)));
    let mut sos = vec![];
    for _ in 0..16 * 8 {
        sos.extend(rbj_peaking(log_uniform(rng, 100.0, 12_000.0), rng.range(0.5, 4.0), rng.range(-12.0, 12.0)));
    }
    rows.push(Row {
        id: "W2",
        what: "8 biquads (SOS), LTI, 16 × 48k",
        d: Dims::new(16, 48_000),
        work: Work::Sos { sos: f32v(&sos), k: 48 },
        traffic: (3, 2),
        flops: 226.0,
    });
    let mut a = vec![];
    for _ in 0..16 {
        let k: Vec<f64> = (0..16).map(|_| rng.range(-0.9, 0.9)).collect();
        a.extend(step_up(&k).iter().enumerate().map(|(i, v)| v * 0.995f64.powi(i as i32 + 1)));
    }
    rows.push(Row {
        id: "W3",
        what: "all-pole N=16, LTI, 16 × 48k",
        d: Dims::new(16, 48_000),
        work: Work::Allpole { a: f32v(&a), n: 16, tv: false },
        traffic: (3, 1),
        flops: 96.0,
    });
    let t = 48_000;
    let mut a = vec![];
    for _ in 0..16 {
        let q = rng.range(2.0, 8.0);
        for i in 0..t {
            // Cutoff sweeps log 100 Hz → 8 kHz and back.
            let ph = 1.0 - (2.0 * i as f64 / t as f64 - 1.0).abs();
            let (_, den) = rbj_lowpass(100.0 * (80.0f64).powf(ph), q);
            a.extend([den[1] / den[0], den[2] / den[0]]);
        }
    }
    rows.push(Row {
        id: "W4",
        what: "all-pole N=2, time-varying, 16 × 48k",
        d: Dims::new(16, t),
        work: Work::Allpole { a: f32v(&a), n: 2, tv: true },
        traffic: (5, 3),
        flops: 12.0,
    });
    rows.push(biquad("W5", "biquad, LTI, 1 × 4.8M", Dims::new(1, 4_800_000), lowpass_set(rng, 1)));
    rows.push(biquad("W6", "biquad, LTI, 4096 × 1024", Dims::new(4096, 1024), lowpass_set(rng, 4096)));
    rows
}

/// ∂L/∂y for L = mean(y²), on `par`'s threads: the loss belongs to the caller's framework, which runs it on
/// its own threads (torch does), so a serial loop here would cap the 2-thread column on short kernels. Split
/// as an OpenMP parallel loop splits (torch's elementwise ops): the calling thread runs the first half at once
/// and the second too if no pool worker has taken it by then. `rayon::join` from outside the pool instead parks
/// the caller until a sleeping worker wakes (25–50 µs on the project's VM), which made this 3 MB loss slower on
/// two threads than on one (W1: 0.176 against 0.156 ms, medians).
fn loss_grad(y: &[f32], gy: &mut [f32], par: Par) {
    let n = y.len() as f32;
    let half = |y: &[f32], gy: &mut [f32]| gy.iter_mut().zip(y).for_each(|(g, v)| *g = 2.0 * v / n);
    #[cfg(feature = "rayon")]
    if par.workers(2) > 1 {
        use std::sync::Mutex;
        let h = y.len() / 2;
        let ((y0, y1), (g0, g1)) = (y.split_at(h), gy.split_at_mut(h));
        let second = Mutex::new(Some((y1, g1)));
        let run_second = || {
            let job = second.lock().unwrap().take();
            if let Some((y1, g1)) = job {
                half(y1, g1);
            }
        };
        rayon::in_place_scope(|s| {
            s.spawn(|_| run_second());
            half(y0, g0);
            run_second();
        });
        return;
    }
    let _ = par;
    half(y, gy);
}

/// A runner of one workload that owns its buffers (one set for every `Par`, so alternating thread counts does
/// not double the working set): the forward alone (`backward = false`), or the forward, the loss gradient
/// and the fused adjoint for the input and every coefficient.
fn runner<'a>(row: &'a Row, x: &'a [f32], backward: bool) -> Box<dyn FnMut(Par) + 'a> {
    let d = row.d;
    let pars = [Par::Seq, Par::Rayon(2)];
    let (mut y, mut gx, mut gy) = (vec![0f32; d.numel()], vec![0f32; d.numel()], vec![0f32; d.numel()]);
    match &row.work {
        Work::Lfilter { b, a } => {
            let (cb, ca) = (Coefs::per_signal(b, 3), Coefs::per_signal(a, 3));
            let mut s = vec![0f32; pars.map(|par| lfilter_scratch_len(&cb, &ca, d, par)).into_iter().max().unwrap_or(0)];
            let mut sa = vec![0f32; pars.map(|par| lfilter_adjoint_scratch_len(&cb, &ca, d, par)).into_iter().max().unwrap_or(0)];
            let (mut gb, mut ga) = (vec![0f32; b.len()], vec![0f32; a.len()]);
            Box::new(move |par| {
                lfilter_into(cb, ca, x, d, None, &mut y, None, &mut s, par).unwrap();
                if backward {
                    loss_grad(&y, &mut gy, par);
                    let out = LfilterGradsMut { x: Some(&mut gx), b: Some(&mut gb), a: Some(&mut ga), zi: None };
                    lfilter_adjoint_into(cb, ca, x, &y, d, &gy, None, out, &mut sa, par).unwrap();
                }
            })
        }
        Work::Sos { sos, k } => {
            let cs = Coefs::per_signal(sos, *k);
            let mut s = vec![0f32; pars.map(|par| sosfilt_scratch_len(&cs, d, par)).into_iter().max().unwrap_or(0)];
            let mut sa = vec![0f32; pars.map(|par| sosfilt_adjoint_scratch_len(&cs, d, par)).into_iter().max().unwrap_or(0)];
            let mut tape = vec![0f32; if backward { sosfilt_tape_len::<f32>(d, k / 6) } else { 0 }];
            let mut gs = vec![0f32; sos.len()];
            Box::new(move |par| {
                let tp = if backward { Some(&mut tape[..]) } else { None };
                sosfilt_into(cs, x, d, None, &mut y, None, tp, &mut s, par).unwrap();
                if backward {
                    loss_grad(&y, &mut gy, par);
                    let out = SosfiltGradsMut { x: Some(&mut gx), sos: Some(&mut gs), zi: None };
                    sosfilt_adjoint_into(cs, x, &y, &tape, d, &gy, None, out, &mut sa, par).unwrap();
                }
            })
        }
        Work::Allpole { a, n, tv } => {
            let ca = if *tv { Coefs::per_sample(a, *n) } else { Coefs::per_signal(a, *n) };
            let mut s = vec![0f32; pars.map(|par| allpole_scratch_len::<f32>(d, &ca, par)).into_iter().max().unwrap_or(0)];
            let mut sa = vec![0f32; pars.map(|par| allpole_adjoint_scratch_len::<f32>(d, &ca, par)).into_iter().max().unwrap_or(0)];
            let mut ga = vec![0f32; a.len()];
            Box::new(move |par| {
                allpole_into(x, d, ca, None, &mut y, None, &mut s, par).unwrap();
                if backward {
                    loss_grad(&y, &mut gy, par);
                    let out = AllpoleGradsMut { x: Some(&mut gx), a: Some(&mut ga), zi: None };
                    allpole_adjoint_into(&y, d, ca, None, &gy, None, out, &mut sa, par).unwrap();
                }
            })
        }
    }
}

/// The plain scalar forward of one workload, in ms.
fn scalar_ms(row: &Row, x: &[f32]) -> f64 {
    let mut y = vec![0f32; row.d.numel()];
    match &row.work {
        Work::Lfilter { b, a } => {
            let sos: Vec<f32> = b.chunks(3).zip(a.chunks(3)).flat_map(|(b, a)| [b[0], b[1], b[2], a[0], a[1], a[2]]).collect();
            time(1.0, || scalar_sos(&sos, 6, x, row.d.len, &mut y))
        }
        Work::Sos { sos, k } => time(1.0, || scalar_sos(sos, *k, x, row.d.len, &mut y)),
        Work::Allpole { a, n, tv } => time(1.0, || scalar_allpole(a, *n, *tv, x, row.d.len, &mut y)),
    }
}

/// `f(0)`, `f(1)`, … `f(N - 1)` timed in alternating rounds (ms): the medians of each, and for each `i` the median
/// over rounds of the ratio of round 0's median to round `i`'s, so drift on this shared machine hits all alike (two
/// separate timing windows could differ by 1.5×). A round runs one setting several times and drops its first
/// run, which pays for the switch (waking or idling the pool thread, rows last touched by the other core).
fn alternated<const N: usize>(budget: f64, mut f: impl FnMut(usize)) -> ([f64; N], [f64; N]) {
    let quick = std::env::var("DIFFIIR_BENCH_QUICK").is_ok();
    let med = |v: &mut Vec<f64>| {
        v.sort_by(|p, q| p.total_cmp(q));
        v[v.len() / 2]
    };
    let mut round = |i| {
        let mut v: Vec<f64> = (0..if quick { 1 } else { 6 })
            .map(|_| {
                let t = std::time::Instant::now();
                f(i);
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        if v.len() > 1 {
            v.remove(0);
        }
        med(&mut v)
    };
    let (mut times, mut ratios): ([Vec<f64>; N], [Vec<f64>; N]) = (std::array::from_fn(|_| vec![]), std::array::from_fn(|_| vec![]));
    let start = std::time::Instant::now();
    while times[0].len() < 3 || (start.elapsed().as_secs_f64() < budget && times[0].len() < 50) {
        let t: [f64; N] = std::array::from_fn(&mut round);
        for i in 0..N {
            times[i].push(t[i]);
            ratios[i].push(t[0] / t[i]);
        }
        if quick {
            break;
        }
    }
    (times.each_mut().map(med), ratios.each_mut().map(med))
}

/// The workload's unavoidable memory traffic on arrays of the signal's size: `copies` copies (read one array,
/// write another) and `reads` reads, rotating over four arrays so none stays in a core's private caches.
struct Traffic {
    arrays: [Vec<f32>; 4],
    copies: usize,
    reads: usize,
}

impl Traffic {
    fn new(n: usize, (copies, reads): (usize, usize)) -> Self {
        Traffic { arrays: std::array::from_fn(|i| vec![i as f32; n]), copies, reads }
    }

    /// Each move works on the front arrays, then the four rotate (moving the `Vec`s, not their data).
    fn run(&mut self) {
        for _ in 0..self.copies {
            let [s, d, ..] = &mut self.arrays;
            // A loop, not `copy_from_slice`: memcpy streams DRAM-sized arrays past the cache (non-temporal
            // stores), which no kernel here does; `+ 0.0` keeps it a loop (it is not an identity for −0.0).
            d.iter_mut().zip(s.iter()).for_each(|(d, s)| *d = *s + 0.0);
            self.arrays.rotate_left(1);
        }
        for _ in 0..self.reads {
            // Eight partial sums so the adds vectorise and do not wait on each other.
            let mut acc = [0f32; 8];
            for c in self.arrays[0].chunks_exact(8) {
                acc.iter_mut().zip(c).for_each(|(a, v)| *a += v);
            }
            std::hint::black_box(acc);
            self.arrays.rotate_left(1);
        }
    }
}

/// White noise, each row scaled so the exact output has unit RMS.
fn input(row: &Row, rng: &mut Rng) -> Vec<f32> {
    let d = row.d;
    let mut x: Vec<f32> = (0..d.numel()).map(|_| rng.normal() as f32).collect();
    let mut y = vec![0f32; d.numel()];
    match &row.work {
        Work::Lfilter { b, a } => y = lfilter(Coefs::per_signal(b, 3), Coefs::per_signal(a, 3), &x, d, None).unwrap().y,
        Work::Sos { sos, k } => y = sosfilt(Coefs::per_signal(sos, *k), &x, d, None).unwrap().y,
        Work::Allpole { a, n, tv } => {
            let ca = if *tv { Coefs::per_sample(a, *n) } else { Coefs::per_signal(a, *n) };
            y.copy_from_slice(&allpole(&x, d, ca, None).unwrap().y);
        }
    }
    for (xr, yr) in x.chunks_mut(d.len).zip(y.chunks(d.len)) {
        let rms = (yr.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / d.len as f64).sqrt();
        xr.iter_mut().for_each(|v| *v /= rms.max(1e-30) as f32);
    }
    x
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument selects workloads by id.
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let mut rng = Rng::new(42);
    println!(
        "| workload | what | scalar fwd (ms) | diffiir fwd (ms) | scalar / diffiir fwd | diffiir fwd+bwd (ms) | fwd+bwd, 2 threads (ms) | 1 → 2 threads | memory bound (ms) | compute bound (ms) | fwd+bwd / roofline |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for row in workloads(&mut rng) {
        if !filter.is_empty() && !filter.iter().any(|f| f == row.id) {
            continue;
        }
        let x = input(&row, &mut rng);
        let scalar = scalar_ms(&row, &x);
        let mut f = runner(&row, &x, false);
        let fwd = time(1.0, || f(Par::Seq));
        let mut r = runner(&row, &x, true);
        let mut traffic = Traffic::new(row.d.numel(), row.traffic);
        let compute = row.flops * row.d.numel() as f64 / PEAK_GFLOPS / 1e6;
        let ([both, both2, memory], [_, gain, of_memory]) = alternated(2.0, |i| match i {
            0 => r(Par::Seq),
            1 => r(Par::Rayon(2)),
            _ => traffic.run(),
        });
        let of_roofline = if compute > memory { both / compute } else { of_memory };
        println!(
            "| {} | {} | {scalar:.2} | {fwd:.2} | {:.1}× | {both:.2} | {both2:.2} | {gain:.2}× | {memory:.2} | {compute:.2} | {of_roofline:.2}× |",
            row.id,
            row.what,
            scalar / fwd
        );
    }
}
