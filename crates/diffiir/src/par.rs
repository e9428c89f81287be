//! Parallelism as an explicit argument of the buffer-passing kernels.

/// How a kernel spreads independent lane chunks (groups of [`Float::LANES`](crate::Float::LANES) signals)
/// over threads.
///
/// Kernels never read a global thread count; the convenient allocating API uses [`Par::default()`].
/// Results do not depend on the choice, except that gradients of [`Layout::Shared`](crate::Layout::Shared)
/// coefficients are summed over signals in a thread-count-dependent order (last-bit differences).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Par {
    /// One thread, deterministic, allocation-free.
    Seq,
    /// Up to `n` rayon tasks (the global pool). Needs the `rayon` feature; without it this runs as `Seq`.
    Rayon(usize),
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
        match self {
            Par::Seq => 1,
            Par::Rayon(n) => n.clamp(1, chunks.max(1)),
        }
    }
}

/// Runs `f(a)` and `g(b)`, in parallel when the `rayon` feature is on.
pub(crate) fn join<A: Send, B: Send>(f: impl FnOnce() -> A + Send, g: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(feature = "rayon")]
    {
        rayon::join(f, g)
    }
    #[cfg(not(feature = "rayon"))]
    {
        (f(), g())
    }
}
