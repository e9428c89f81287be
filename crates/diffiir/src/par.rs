//! Parallelism as an explicit argument of the buffer-passing kernels.

use crate::simd::Simd;

/// How a kernel spreads its work over threads, and which evaluation path it takes.
///
/// Kernels never read a global thread count; the convenient allocating API uses [`Par::default()`].
/// Results do not depend on the thread count, except that gradients of
/// [`Layout::Shared`](crate::Layout::Shared) coefficients are summed over signals in a thread-count-dependent
/// order (last-bit differences). The [`Path`] changes rounding, not results beyond it.
///
/// A call spreads over at most one thread per [`grain`](Par::grain) of work: waking a pool thread costs
/// tens of microseconds (median 25–50 µs on the 2-vCPU machine of BENCHMARKS.md, "Small calls stay on one
/// thread"), more than a small call's half of the work saves. Work is counted in sample-orders: signals ×
/// samples × the filter's order (`lfilter`: `max(len(a), len(b)) − 1`; `sosfilt`: 2 per section; `allpole`:
/// `N`), twice that for an adjoint. [`with_grain`](Par::with_grain)`(0)` always uses every thread.
///
/// ```
/// use diffiir::{Par, Path};
/// let p = Par::Rayon(2).with_path(Path::Chunked);
/// assert_eq!(p.path(), Path::Chunked);
/// assert_eq!(Par::Seq.path(), Path::Auto);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Par {
    threads: Option<usize>,
    path: Path,
    simd: Simd,
    grain: usize,
}

/// Default [`Par::grain`]: 2^18 sample-orders per thread (a biquad forward of 131 072 samples, about 70 µs on one
/// thread of the machine in BENCHMARKS.md; there, 2-thread calls of 16 × 4096 and 64 × 1024 biquad samples were
/// slower in median than 1-thread ones, and of 256 × 1024 faster).
pub const GRAIN: usize = 1 << 18;

/// Sequential recursion over lane chunks of signals, or the block-parallel ("chunked") method that splits
/// each signal's time axis into chunks run in SIMD lanes and threads and then corrects the chunk boundaries
/// with the carried state (see the `chunked` section of ARCHITECTURE.md).
///
/// `Auto` (the default) chunks when there are too few signals to fill the lanes (`batch ≤ LANES / 4`:
/// 4 for `f32`, 2 for `f64`) and each signal is long (`len ≥ 1024 × chunks`, chunks = `4 × LANES`); it
/// applies to [`lfilter`](crate::lfilter) and [`sosfilt`](crate::sosfilt) and their adjoints, LTI and
/// time-varying. Before that, for [`lfilter`](crate::lfilter) with time-invariant `b`, `a` of at most three
/// coefficients (one biquad), `Auto` takes [`Path::Rows`] for the same few signals from 1024 samples on,
/// except where the chunked path applies and there are more threads than signals (the rows path gives each
/// signal one thread).
/// A forward that records an `sosfilt` tape and the adjoint that reads it must take the same
/// path (the tape's layout follows it): use the same `Par` for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Path {
    /// Choose from batch, length and sample type.
    #[default]
    Auto,
    /// Always the sequential lane kernel.
    Sequential,
    /// Chunked whenever the signal has at least one sample per chunk.
    Chunked,
    /// Row-layout block recursion: each signal advances eight samples per step where it lies in memory (no
    /// transposition into lanes), each signal on one thread (signals split over the threads). Applies to [`lfilter`](crate::lfilter)
    /// and its adjoint with time-invariant `b`, `a` of at most three coefficients each, on signals of at least
    /// 16 samples; elsewhere this runs as `Auto`.
    Rows,
}

#[allow(non_upper_case_globals, non_snake_case)]
impl Par {
    /// One thread, deterministic, allocation-free (the chunked path allocates `O(chunks × state²)` bytes).
    pub const Seq: Par = Par { threads: None, path: Path::Auto, simd: Simd::Auto, grain: GRAIN };

    /// Up to `n` rayon tasks (the global pool). Needs the `rayon` feature; without it this runs as `Seq`.
    pub const fn Rayon(n: usize) -> Par {
        Par { threads: Some(n), path: Path::Auto, simd: Simd::Auto, grain: GRAIN }
    }

    /// The same threads with an explicit [`Path`].
    pub const fn with_path(self, path: Path) -> Par {
        Par { path, ..self }
    }

    /// The evaluation path asked for.
    pub const fn path(self) -> Path {
        self.path
    }

    /// The same threads and path with an explicit instruction-set level ([`Simd`]; results do not change).
    pub const fn with_simd(self, simd: Simd) -> Par {
        Par { simd, ..self }
    }

    /// The instruction-set level asked for.
    pub const fn simd(self) -> Simd {
        self.simd
    }

    /// The same settings with at most one thread per `grain` sample-orders of a call's work ([`GRAIN`] by
    /// default; 0: every thread whatever the size).
    ///
    /// ```
    /// use diffiir::{Par, GRAIN};
    /// assert_eq!(Par::Rayon(2).grain(), GRAIN);
    /// assert_eq!(Par::Rayon(2).with_grain(0).grain(), 0);
    /// ```
    pub const fn with_grain(self, grain: usize) -> Par {
        Par { grain, ..self }
    }

    /// Sample-orders of work per thread (see [`with_grain`](Par::with_grain)).
    pub const fn grain(self) -> usize {
        self.grain
    }

    /// The settings a call on `dims` with a filter of `order` runs with: its threads capped at one per
    /// [`grain`](Par::grain) of its work, `batch × len × order` sample-orders (order at least 1), twice that for
    /// an adjoint (its step does about twice a forward step's work). Every public entry point applies it first,
    /// its scratch length too, so both see the same workers.
    pub(crate) fn for_work(self, dims: crate::Dims, order: usize, adjoint: bool) -> Par {
        let work = dims.batch.saturating_mul(dims.len).saturating_mul(order.max(1)).saturating_mul(1 + usize::from(adjoint));
        match self.threads {
            Some(n) if self.grain > 0 => Par { threads: Some(n.min(work / self.grain).max(1)), ..self },
            _ => self,
        }
    }
}

impl Default for Par {
    /// `Rayon(available cores)` with the `rayon` feature, else `Seq`.
    fn default() -> Self {
        #[cfg(feature = "rayon")]
        {
            Par::Rayon(rayon::current_num_threads())
        }
        #[cfg(not(feature = "rayon"))]
        {
            Par::Seq
        }
    }
}

impl Par {
    /// Number of independent workers (each needs its own scratch), for `chunks` lane chunks.
    pub fn workers(self, chunks: usize) -> usize {
        match self.threads {
            None => 1,
            Some(n) => n.clamp(1, chunks.max(1)),
        }
    }
}

/// Runs `f(a)` and `g(b)`, in parallel when the `rayon` feature is on.
///
/// From a thread outside the pool (the caller's), `rayon::join` would park that thread until a pool worker
/// woke up to run `f`, and `g` would wait for a second worker; a sleeping worker takes 0.2–0.5 ms to wake on
/// this project's VM (BENCHMARKS.md, "Waking the pool"), against 0.5–1 ms for a whole W1 kernel call. So
/// the calling thread runs `f` at once, offers `g` to the pool, and runs `g` itself if no worker has taken
/// it by then. Which thread runs `g` changes nothing in its result.
pub(crate) fn join<A: Send, B: Send>(f: impl FnOnce() -> A + Send, g: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(feature = "rayon")]
    {
        use std::sync::{Mutex, PoisonError};
        if rayon::current_thread_index().is_some() {
            return rayon::join(f, g);
        }
        let (g, b) = (Mutex::new(Some(g)), Mutex::new(None));
        let run_g = || {
            let g = g.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some(g) = g {
                *b.lock().unwrap_or_else(PoisonError::into_inner) = Some(g());
            }
        };
        let a = rayon::in_place_scope(|s| {
            s.spawn(|_| run_g());
            let a = f();
            run_g();
            a
        });
        let b = b.into_inner().unwrap_or_else(PoisonError::into_inner);
        (a, b.unwrap_or_else(|| unreachable!("g ran on one of the two threads")))
    }
    #[cfg(not(feature = "rayon"))]
    {
        (f(), g())
    }
}
