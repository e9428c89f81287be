//! Block-parallel ("chunked") evaluation of the TDF-II cascade for few long signals, forward and adjoint,
//! time-invariant and time-varying: the path [`Path::Chunked`] / [`Path::Auto`] take for
//! [`lfilter`](crate::lfilter) and [`sosfilt`](crate::sosfilt).
//!
//! One recursion chain is latency-bound (a biquad step waits ~4 dependent floating-point operations), so a
//! lone signal cannot use the lanes. Split signal `b`'s time axis into `K` chunks of `C` samples (a multiple of
//! the lane count) and a tail of `T − K·C < K` samples. With `D = S·m` state values and `s_k` the state
//! entering chunk `k`, linearity gives
//! ```text
//! s_{k+1} = Φ_k s_k + f_k      Φ_k: the chunk's state transition (D × D); f_k: its final state from rest
//! ```
//! 1. pass 1 — every chunk from rest, in lanes and threads: `f_k` (nothing else is written); time-invariant
//!    filters run only each chunk's last `n` samples, the horizon beyond which `‖Aⁿ‖∞ ≤ ε/1024` (`horizon`);
//! 2. transitions — time-invariant: the one-step transition (the kernel run one step from each unit state),
//!    raised to the `C`-th power in f64; time-varying: the kernel's free response over every chunk from each
//!    unit state (`D` zero-input passes);
//! 3. scan in f64 over the `K` boundaries: `s_0 = zi`, `s_{k+1} = Φ_k s_k + f_k`;
//! 4. pass 2 — every chunk from its `s_k`, writing `y` (and the `sosfilt` tape's checkpoints, in chunk
//!    time); the tail runs from `s_K` in one lane and yields `zf`.
//!
//! The adjoint is the same with time reversed: its state (`ĝ`, seeded by `∂L/∂zf`) is carried from the end,
//! so the tail runs first; pass 1 gives each chunk's `∂L/∂zi` from a zero seed, the transitions come from unit
//! seeds, the scan runs backwards, and pass 2 yields `∂L/∂x` and the coefficient gradients, whose per-chunk
//! sums are reduced per signal (per-sample gradients land in place).
//!
//! Cost: two passes (plus `D` free-response passes when time-varying) at lane throughput instead of one
//! pass at the chain's latency. Rounding: each chunk's error is the sequential error over `C` samples from a
//! state that the f64 scan carries with one rounding; the accuracy test (`tests/chunked.rs`) holds it within
//! 2× of the sequential path's error on resonant filters. Working memory: `O(K·D²)` f64 values, allocated.

use crate::float::Float;
use crate::lanes::{checkpoints, drive, partial_len, split_free, tape_stride, Out, Sink, V};
use crate::par::{Par, Path};
use crate::shape::{Dims, Layout};
use crate::tdf2::{self, AdjIo, Pack, SampleRows};
use std::ops::Range;

/// Samples per chunk below which [`Path::Auto`] stays sequential.
const MIN_CHUNK: usize = 1024;

/// Chunks per signal: a multiple of the lane count, enough lane groups for 4 workers. Depends on the sample
/// type only, so a forward and its adjoint always agree on the layout.
pub(crate) fn chunks<T: Float>() -> usize {
    4 * T::LANES
}

/// `Some((K, C))` when `par`'s path chunks a batch of this shape.
pub(crate) fn plan<T: Float>(dims: Dims, par: Par) -> Option<(usize, usize)> {
    let k = chunks::<T>();
    let c = dims.len / k;
    let on = match par.path() {
        Path::Sequential => false,
        Path::Chunked => c >= 1,
        // `Rows` runs as `Auto` where it does not apply (its own plan comes first).
        Path::Auto | Path::Rows => dims.batch * 4 <= T::LANES && c >= MIN_CHUNK,
    };
    (on && dims.batch > 0).then_some((k, c))
}

fn workers<T: Float>(p: &impl Pack<T>, k: usize, par: Par) -> usize {
    crate::lanes::workers_for::<T>(k, par).max(crate::lanes::workers_for::<T>(p.sections() * p.state_len(), par))
}

/// Scratch (in `T`s) of [`fwd`].
pub(crate) fn fwd_scratch<T: Float>(p: &impl Pack<T>, dims: Dims, (k, _): (usize, usize), par: Par) -> usize {
    workers(p, k, par) * tdf2::fwd_scratch(p, tdf2::fwd_tf(p, dims))
}

/// Coefficient layouts as the chunk batch sees them: a signal's own set is shared by its chunks.
fn chunk_desc(cdesc: [(Layout, usize); 2]) -> [(Layout, usize); 2] {
    cdesc.map(|(l, k)| if l == Layout::PerSample { (l, k) } else { (Layout::Shared, k) })
}

fn adj_per<T: Float>(p: &impl Pack<T>, cdesc: [(Layout, usize); 2]) -> usize {
    let cd = chunk_desc(cdesc);
    tdf2::adj_scratch(p, partial_len(cd[0]) + partial_len(cd[1]))
}

/// Scratch (in `T`s) of [`adj`].
pub(crate) fn adj_scratch<T: Float>(p: &impl Pack<T>, cdesc: [(Layout, usize); 2], (k, _): (usize, usize), par: Par) -> usize {
    workers(p, k, par) * adj_per(p, cdesc)
}

/// Signal `b`'s samples from `off` as a batch of chunks of `c` samples (chunk `kk` = samples `off + kk·c ..`).
struct ChunkPack<'p, P> {
    inner: &'p P,
    b: usize,
    off: usize,
    c: usize,
    tlen: usize,
}

impl<T: Float, P: Pack<T>> Pack<T> for ChunkPack<'_, P> {
    const ORDER_MAX: usize = P::ORDER_MAX;
    fn sections(&self) -> usize {
        self.inner.sections()
    }
    fn order(&self) -> usize {
        self.inner.order()
    }
    fn state_len(&self) -> usize {
        self.inner.state_len()
    }
    fn time_varying(&self) -> bool {
        self.inner.time_varying()
    }
    #[inline(always)]
    fn pack<const L: usize>(&self, kk: usize, n: usize, l: usize, out: &mut [V<T, L>]) {
        self.inner.pack(self.b, self.off + kk * self.c + n, l, out);
    }
    fn unpack<const L: usize>(&self, kk: usize, n: usize, l: usize, p: &[V<T, L>], g: &[V<T, L>], sinks: &mut [Sink<'_, T>; 2]) {
        // The worker's per-sample rows start at its first chunk; shared/per-signal sets go to its partials.
        let (b, tlen, off, c) = (self.b, self.tlen, self.off, self.c);
        let mut re = sinks.each_mut().map(|s| Sink {
            data: s.data.as_deref_mut(),
            layout: s.layout,
            k: s.k,
            base: b,
            len: tlen,
            shift: off + s.base * c,
        });
        self.inner.unpack(b, off + kk * c + n, l, p, g, &mut re);
    }
    fn sample_rows(&self) -> Option<SampleRows<'_, T>> {
        // Chunk kk's sets start at sample off + kk·c of signal b: rows c samples apart.
        let r = self.inner.sample_rows()?;
        let at = |i: usize| &r.data[i][(self.b * r.len + self.off) * r.k[i]..];
        Some(SampleRows { data: [at(0), at(1)], k: r.k, len: self.c, zero: r.zero })
    }
    #[inline(always)]
    fn norm<const L: usize>(&self, raw: [&[V<T, L>]; 2], out: &mut [V<T, L>], den: &mut [V<T, L>]) {
        self.inner.norm(raw, out, den);
    }
    #[inline(always)]
    fn unnorm<const L: usize>(&self, den: &[V<T, L>], p: &[V<T, L>], g: &[V<T, L>], out: [&mut [V<T, L>]; 2]) {
        self.inner.unnorm(den, p, g, out);
    }
}

#[allow(clippy::too_many_arguments)]
fn run_fwd<T: Float, P: Pack<T>>(
    p: &P,
    x: Option<&[T]>,
    d: Dims,
    zi: Option<&[T]>,
    outs: [Out<'_, T>; 3],
    scratch: &mut [T],
    per: usize,
    par: Par,
    (span, tf): (Range<usize>, usize),
) {
    crate::lanes!(T, d.batch, par, L => drive(par, d.batch, L, outs, scratch, per, true, &|br, o, s| tdf2::fwd::<T, _, L>(p, x, d, zi, br, o, s, (span.clone(), tf), par.simd())));
}

#[allow(clippy::too_many_arguments)]
fn run_adj<T: Float, P: Pack<T>>(
    p: &P,
    io: &AdjIo<'_, T>,
    d: Dims,
    outs: [Out<'_, T>; 4],
    scratch: &mut [T],
    per: usize,
    par: Par,
    cdesc: [(Layout, usize); 2],
    span: Range<usize>,
) {
    crate::lanes!(T, d.batch, par, L => drive(par, d.batch, L, outs, scratch, per, split_free(&cdesc, &io.want), &|br, o, s| tdf2::adj::<T, _, L>(p, io, d, br, o, s, cdesc, span.clone(), par.simd())));
}

/// `n` copies of the `d × d` identity as user-layout states (`[n][d][d]`): unit state `j` of copy `i` at
/// `(i·d + j)·d + j` — or, with `only = Some(j)`, `[n][d]` holding unit state `j` in every copy.
fn units<T: Float>(n: usize, d: usize, only: Option<usize>) -> Vec<T> {
    match only {
        Some(j) => (0..n * d).map(|i| if i % d == j { T::one() } else { T::zero() }).collect(),
        None => (0..n * d * d).map(|i| if i % d == (i / d) % d { T::one() } else { T::zero() }).collect(),
    }
}

fn matmul(a: &[f64], b: &[f64], d: usize) -> Vec<f64> {
    let mut r = vec![0.0; d * d];
    for i in 0..d {
        for k in 0..d {
            let v = a[i * d + k];
            for j in 0..d {
                r[i * d + j] += v * b[k * d + j];
            }
        }
    }
    r
}

/// `a^e` for a row-major `d × d` matrix, by squaring.
fn matpow(a: Vec<f64>, d: usize, mut e: usize) -> Vec<f64> {
    let mut r: Vec<f64> = (0..d * d).map(|i| if i / d == i % d { 1.0 } else { 0.0 }).collect();
    let mut base = a;
    while e > 0 {
        if e & 1 == 1 {
            r = matmul(&r, &base, d);
        }
        e >>= 1;
        if e > 0 {
            base = matmul(&base, &base, d);
        }
    }
    r
}

/// The chunk transitions (row-major; one per chunk when time-varying, else one for all) and the horizon `n`
/// of pass 1 (`c` when time-varying). `free(Some(j))` runs every chunk from unit state `j` with zero input
/// (`[k][d]`); `free(None)` runs one step from each unit state (`[d][d]`), the one-step transition whose
/// `c`-th power is a time-invariant chunk's.
fn transitions<T: Float>(tv: bool, k: usize, d: usize, c: usize, mut free: impl FnMut(Option<usize>) -> Vec<T>) -> (Vec<f64>, usize) {
    if tv {
        return (assemble::<T>(k, d, |j| free(Some(j))), c);
    }
    let one = free(None);
    let a = assemble::<T>(1, d, |j| one[j * d..][..d].to_vec());
    let n = horizon::<T>(&a, d, c);
    (matpow(a, d, c), n)
}

/// Samples of history a chunk's final state from rest depends on, to below rounding: the smallest power of
/// two `n` with `‖Aⁿ‖∞ ≤ ε/1024` (`A` the one-step transition, `ε` the type's epsilon), or `c` if none
/// `≤ c` — so what pass 1 drops changes that state by less than a thousandth of its rounding.
fn horizon<T: Float>(a: &[f64], d: usize, c: usize) -> usize {
    let tol = T::epsilon().to64() / 1024.0;
    let (mut p, mut n) = (a.to_vec(), 1);
    while n <= c {
        let norm = (0..d).map(|i| p[i * d..][..d].iter().map(|v| v.abs()).sum::<f64>()).fold(0.0, f64::max);
        if norm <= tol {
            return n;
        }
        p = matmul(&p, &p, d);
        n *= 2;
    }
    c
}

/// Row-major transitions from kernel runs: `cols(j)` is the response to unit state `j` (`[n][d]`, one per
/// chunk); returns `n` matrices `Φ[i][j]`.
fn assemble<T: Float>(n: usize, d: usize, mut cols: impl FnMut(usize) -> Vec<T>) -> Vec<f64> {
    let mut phi = vec![0.0; n * d * d];
    for j in 0..d {
        let col = cols(j);
        for m in 0..n {
            for i in 0..d {
                phi[(m * d + i) * d + j] = col[m * d + i].to64();
            }
        }
    }
    phi
}

/// `s ← Φ s + f` in f64 (`Φ` row-major).
fn step_state<T: Float>(s: &mut Vec<f64>, phi: &[f64], f: &[T]) {
    let d = s.len();
    *s = (0..d).map(|i| (0..d).map(|j| phi[i * d + j] * s[j]).sum::<f64>() + f[i].to64()).collect();
}

fn to_t<T: Float>(s: &[f64]) -> Vec<T> {
    s.iter().map(|&v| T::of(v)).collect()
}

/// Forward of every signal by chunks; outputs as [`tdf2::fwd`] in the user's layouts (`tape`: signal `b`'s
/// checkpoints at `b · tape_stride · S·M`, the `K` chunks' first, then the tail's: the chunked path's own order).
#[allow(clippy::too_many_arguments)]
pub(crate) fn fwd<T: Float, P: Pack<T>>(
    p: &P,
    x: &[T],
    dims: Dims,
    zi: Option<&[T]>,
    y: &mut [T],
    mut zf: Option<&mut [T]>,
    mut tape: Option<&mut [T]>,
    scratch: &mut [T],
    par: Par,
    (k, c): (usize, usize),
) {
    let (d, tl, rows, tf) = (p.sections() * p.state_len(), dims.len, tdf2::tape_rows(p), tdf2::fwd_tf(p, dims));
    let per = tdf2::fwd_scratch(p, tf);
    let (main, cd) = (k * c, Dims::new(k, c));
    let none = || Out::new(None, 0);
    for b in 0..dims.batch {
        let cp = ChunkPack { inner: p, b, off: 0, c, tlen: tl };
        let xb = &x[b * tl..][..tl];
        // Transitions first: for a time-invariant filter they also bound how much of a chunk its final state
        // from rest depends on, so pass 1 runs only over that horizon.
        let (phi, n) = transitions::<T>(p.time_varying(), k, d, c, |j| {
            let mut col = vec![T::zero(); if j.is_some() { k * d } else { d * d }];
            let cols = [none(), Out::new(Some(&mut col), d), none()];
            match j {
                Some(j) => run_fwd(&cp, None, cd, Some(&units(k, d, Some(j))), cols, scratch, per, par, (0..c, tf)),
                None => {
                    let zeros = vec![T::zero(); d];
                    run_fwd(&cp, Some(&zeros), Dims::new(d, 1), Some(&units(1, d, None)), cols, scratch, per, par, (0..1, tf))
                }
            }
            col
        });
        let span = c - n..c;
        let mut fk = vec![T::zero(); k * d];
        run_fwd(&cp, Some(xb), cd, None, [none(), Out::new(Some(&mut fk), d), none()], scratch, per, par, (span, tf));
        let mut s: Vec<f64> = zi.map_or(vec![0.0; d], |z| z[b * d..][..d].iter().map(|v| v.to64()).collect());
        let mut zc = vec![T::zero(); k * d];
        for kk in 0..k {
            zc[kk * d..][..d].copy_from_slice(&to_t(&s));
            let ph = if p.time_varying() { &phi[kk * d * d..][..d * d] } else { &phi[..] };
            step_state(&mut s, ph, &fk[kk * d..][..d]);
        }
        let (ym, yt) = y[b * tl..][..tl].split_at_mut(main);
        let (tm, tt) = match tape.as_deref_mut() {
            Some(t) => {
                let (a, r) = t[b * tape_stride::<T>(tl) * rows..].split_at_mut(k * checkpoints(c) * rows);
                (Some(a), Some(&mut r[..checkpoints(tl - main) * rows]))
            }
            None => (None, None),
        };
        let tout = Out::new(tm, checkpoints(c) * rows);
        run_fwd(&cp, Some(xb), cd, Some(&zc), [Out::new(Some(ym), c), none(), tout], scratch, per, par, (0..c, tf));
        let tp = ChunkPack { inner: p, b, off: main, c: 0, tlen: tl };
        let zfb = zf.as_deref_mut().map(|z| &mut z[b * d..][..d]);
        let mut outs = [Out::new(Some(yt), tl - main), Out::new(zfb, d), Out::new(tt, checkpoints(tl - main) * rows)];
        tdf2::fwd::<T, _, 1>(
            &tp,
            Some(&xb[main..]),
            Dims::new(1, tl - main),
            Some(&to_t(&s)),
            0..1,
            &mut outs,
            &mut scratch[..per],
            (0..tl - main, tf),
            par.simd(),
        );
    }
}

/// Gradient outputs of [`adj`], in the user's layouts.
pub(crate) struct AdjOut<'a, T> {
    pub gx: Option<&'a mut [T]>,
    pub gzi: Option<&'a mut [T]>,
    pub coef: [Option<&'a mut [T]>; 2],
}

/// Adds each worker's partial sums (at `off` of its scratch) into signal `b`'s coefficient gradients.
fn add_partials<T: Float>(g: &mut [Option<&mut [T]>; 2], cdesc: [(Layout, usize); 2], b: usize, scratch: &[T], per: usize, workers: usize) {
    let cd = chunk_desc(cdesc);
    let mut off = per - partial_len(cd[0]) - partial_len(cd[1]);
    for (gi, (layout, kc)) in g.iter_mut().zip(cdesc) {
        if layout == Layout::PerSample {
            continue;
        }
        if let Some(gi) = gi.as_deref_mut() {
            let row = if layout == Layout::Shared { &mut gi[..kc] } else { &mut gi[b * kc..][..kc] };
            for (j, r) in row.iter_mut().enumerate() {
                *r = (0..workers).fold(*r, |acc, w| acc + scratch[w * per + off + j]);
            }
        }
        off += kc;
    }
}

/// Per-sample coefficient-gradient rows of signal `b`, samples `from..to`, as a kernel output.
fn coef_rows<'a, T>(
    g: &'a mut Option<&mut [T]>,
    (layout, kc): (Layout, usize),
    b: usize,
    tl: usize,
    (from, to): (usize, usize),
    row: usize,
) -> Out<'a, T> {
    match (layout, g.as_deref_mut()) {
        (Layout::PerSample, Some(g)) => Out::new(Some(&mut g[(b * tl + from) * kc..(b * tl + to) * kc]), row * kc),
        _ => Out::new(None, 0),
    }
}

fn split_signal<T>(s: &[T], b: usize, tl: usize, main: usize) -> (&[T], &[T]) {
    s[b * tl..][..tl].split_at(main)
}

/// Adjoint of every signal by chunks (see the module docs); coefficient gradients are accumulated into
/// `out.coef`, which the caller zeroed.
#[allow(clippy::too_many_arguments)]
pub(crate) fn adj<T: Float, P: Pack<T>>(
    p: &P,
    io: &AdjIo<'_, T>,
    dims: Dims,
    mut out: AdjOut<'_, T>,
    cdesc: [(Layout, usize); 2],
    scratch: &mut [T],
    par: Par,
    (k, c): (usize, usize),
) {
    let (d, tl, rows, per) = (p.sections() * p.state_len(), dims.len, tdf2::tape_rows(p), adj_per(p, cdesc));
    let (main, cd, cdc) = (k * c, Dims::new(k, c), chunk_desc(cdesc));
    let none = || Out::new(None, 0);
    let want0 = [false, false];
    for b in 0..dims.batch {
        let cp = ChunkPack { inner: p, b, off: 0, c, tlen: tl };
        let ((xm, xt), (ym, yt)) = (split_signal(io.x, b, tl, main), split_signal(io.y, b, tl, main));
        let gy = io.gy.map(|g| split_signal(g, b, tl, main));
        let (tm, tt) = if rows > 0 && io.want != [false, false] {
            let (a, r) = io.tape[b * tape_stride::<T>(tl) * rows..].split_at(k * checkpoints(c) * rows);
            (a, &r[..checkpoints(tl - main) * rows])
        } else {
            (&[][..], &[][..])
        };
        // The tail first: its adjoint state at the tail's start seeds the scan.
        let mut ht = vec![T::zero(); d];
        {
            let tp = ChunkPack { inner: p, b, off: main, c: 0, tlen: tl };
            let tio = AdjIo { x: xt, y: yt, tape: tt, gy: gy.map(|g| g.1), gzf: io.gzf.map(|g| &g[b * d..][..d]), want: io.want };
            let gxt = out.gx.as_deref_mut().map(|g| &mut g[b * tl + main..(b + 1) * tl]);
            let [g0, g1] = &mut out.coef;
            let mut outs = [
                Out::new(gxt, tl - main),
                Out::new(Some(&mut ht), d),
                coef_rows(g0, cdesc[0], b, tl, (main, tl), tl - main),
                coef_rows(g1, cdesc[1], b, tl, (main, tl), tl - main),
            ];
            tdf2::adj::<T, _, 1>(&tp, &tio, Dims::new(1, tl - main), 0..1, &mut outs, &mut scratch[..per], cdc, 0..tl - main, par.simd());
            add_partials(&mut out.coef, cdesc, b, scratch, per, 1);
        }
        let mio = AdjIo { x: xm, y: ym, tape: tm, gy: gy.map(|g| g.0), gzf: None, want: want0 };
        let (psi, n) = transitions::<T>(p.time_varying(), k, d, c, |j| {
            let mut col = vec![T::zero(); if j.is_some() { k * d } else { d * d }];
            let cols = [none(), Out::new(Some(&mut col), d), none(), none()];
            match j {
                Some(j) => {
                    let seed = units(k, d, Some(j));
                    let fio = AdjIo { gy: None, gzf: Some(&seed), ..mio };
                    run_adj(&cp, &fio, cd, cols, scratch, per, par, cdc, 0..c);
                }
                None => {
                    let seed = units(1, d, None);
                    let fio = AdjIo { x: &[], y: &[], tape: &[], gy: None, gzf: Some(&seed), want: want0 };
                    run_adj(&cp, &fio, Dims::new(d, 1), cols, scratch, per, par, cdc, 0..1);
                }
            }
            col
        });
        let span = 0..n;
        let mut g0 = vec![T::zero(); k * d];
        run_adj(&cp, &mio, cd, [none(), Out::new(Some(&mut g0), d), none(), none()], scratch, per, par, cdc, span);
        let mut h: Vec<f64> = ht.iter().map(|v| v.to64()).collect();
        let mut seeds = vec![T::zero(); k * d];
        for kk in (0..k).rev() {
            seeds[kk * d..][..d].copy_from_slice(&to_t(&h));
            let ps = if p.time_varying() { &psi[kk * d * d..][..d * d] } else { &psi[..] };
            step_state(&mut h, ps, &g0[kk * d..][..d]);
        }
        if let Some(gzi) = out.gzi.as_deref_mut() {
            gzi[b * d..][..d].copy_from_slice(&to_t(&h));
        }
        let fio = AdjIo { gzf: Some(&seeds), want: io.want, ..mio };
        let gxm = out.gx.as_deref_mut().map(|g| &mut g[b * tl..][..main]);
        let [g0c, g1c] = &mut out.coef;
        let outs = [Out::new(gxm, c), none(), coef_rows(g0c, cdesc[0], b, tl, (0, main), c), coef_rows(g1c, cdesc[1], b, tl, (0, main), c)];
        run_adj(&cp, &fio, cd, outs, scratch, per, par, cdc, 0..c);
        add_partials(&mut out.coef, cdesc, b, scratch, per, crate::lanes::workers_for::<T>(k, par));
    }
}
