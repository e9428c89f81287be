//! What a second core can give on this machine: W1 (16 × 48000) and W6 (4096 × 1024) biquad `lfilter`
//! forward + loss gradient + fused adjoint (f32), timed three ways in alternating rounds:
//!
//! * **alone** — one job on one thread (`Par::Seq`);
//! * **pair** — two independent copies of that job (own arrays, own scratch) on two OS threads at once, each
//!   `Par::Seq`; the slower of the two is the round's time. No split, no shared output, no lane change: the
//!   throughput ratio `2 · alone / pair` is the most any split of one job over two threads could reach here
//!   when the second job's arrays do not crowd out the first's;
//! * **split** — one job on two threads (`Par::Rayon(2)`): the library's own 1 → 2 thread ratio.
//!
//! `cargo bench -p diffiir --bench scaling`; `DIFFIIR_BENCH_QUICK=1` runs a round each (a smoke test).
#![allow(clippy::unwrap_used)]
use diffiir::*;
use std::sync::Barrier;
use std::time::Instant;

struct Job {
    x: Vec<f32>,
    y: Vec<f32>,
    gx: Vec<f32>,
    gy: Vec<f32>,
    coefs: [Vec<f32>; 2],
    grads: [Vec<f32>; 2],
    s: Vec<f32>,
    sa: Vec<f32>,
    d: Dims,
}

impl Job {
    fn new(d: Dims, seed: u64) -> Job {
        let mut r = seed;
        let x = (0..d.numel())
            .map(|_| {
                r = r.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((r >> 40) as f32 / (1u64 << 24) as f32) - 0.5
            })
            .collect();
        let coefs = [[0.1f32, 0.2, 0.1], [1.0, -1.6, 0.8]].map(|c| c.repeat(d.batch));
        let pars = [Par::Seq, Par::Rayon(2)];
        let (cb, ca) = (Coefs::per_signal(&coefs[0], 3), Coefs::per_signal(&coefs[1], 3));
        let s = vec![0.0; pars.map(|p| lfilter_scratch_len(&cb, &ca, d, p)).into_iter().max().unwrap()];
        let sa = vec![0.0; pars.map(|p| lfilter_adjoint_scratch_len(&cb, &ca, d, p)).into_iter().max().unwrap()];
        let z = vec![0.0; d.numel()];
        Job { x, y: z.clone(), gx: z.clone(), gy: z, grads: [vec![0.0; 3 * d.batch], vec![0.0; 3 * d.batch]], coefs, s, sa, d }
    }

    /// Forward, ∂L/∂y for L = mean(y²), adjoint for x and every coefficient; milliseconds.
    fn run(&mut self, par: Par) -> f64 {
        let t = Instant::now();
        let (cb, ca) = (Coefs::per_signal(&self.coefs[0], 3), Coefs::per_signal(&self.coefs[1], 3));
        lfilter_into(cb, ca, &self.x, self.d, None, &mut self.y, None, &mut self.s, par).unwrap();
        let n = self.y.len() as f32;
        self.gy.iter_mut().zip(&self.y).for_each(|(g, v)| *g = 2.0 * v / n);
        let [gb, ga] = &mut self.grads;
        let out = LfilterGradsMut { x: Some(&mut self.gx), b: Some(gb), a: Some(ga), zi: None };
        lfilter_adjoint_into(cb, ca, &self.x, &self.y, self.d, &self.gy, None, out, &mut self.sa, par).unwrap();
        t.elapsed().as_secs_f64() * 1e3
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let quick = std::env::var_os("DIFFIIR_BENCH_QUICK").is_some();
    println!("| workload | alone (ms) | pair: two jobs at once (ms, slower) | pair throughput | split: one job, 2 threads (ms) | split speed-up |");
    println!("|---|---|---|---|---|---|");
    for (id, d) in [("W1", Dims::new(16, 48_000)), ("W6", Dims::new(4096, 1024))] {
        let (mut a, mut b) = (Job::new(d, 1), Job::new(d, 2));
        let (mut alone, mut pair, mut split) = (vec![], vec![], vec![]);
        let barrier = Barrier::new(2);
        let t0 = Instant::now();
        while alone.is_empty() || (!quick && (t0.elapsed().as_secs_f64() < 4.0 || alone.len() < 5)) {
            alone.push(a.run(Par::Seq));
            split.push(a.run(Par::Rayon(2)));
            let other = std::thread::scope(|sc| {
                let h = sc.spawn(|| {
                    barrier.wait();
                    b.run(Par::Seq)
                });
                barrier.wait();
                a.run(Par::Seq).max(h.join().unwrap())
            });
            pair.push(other);
        }
        let (al, pa, sp) = (median(alone), median(pair), median(split));
        println!("| {id} | {al:.2} | {pa:.2} | {:.2}× | {sp:.2} | {:.2}× |", 2.0 * al / pa, al / sp);
    }
}
