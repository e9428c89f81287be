//! Shapes: the `[batch, time]` signal layout and the three coefficient layouts.

use crate::error::{shape, Error, Result};

/// Shape of a batch of signals stored row-major as `[batch, len]` (one signal per row, time contiguous).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    /// Number of signals `B`.
    pub batch: usize,
    /// Samples per signal `T`.
    pub len: usize,
}

impl Dims {
    /// `[batch, len]`.
    pub const fn new(batch: usize, len: usize) -> Self {
        Self { batch, len }
    }

    /// `batch · len`, the number of samples.
    /// Saturates instead of overflowing, so an absurd shape fails validation instead of panicking.
    pub const fn numel(&self) -> usize {
        self.batch.saturating_mul(self.len)
    }

    pub(crate) fn check_signal(&self, func: &'static str, arg: &'static str, got: usize) -> Result<()> {
        if got != self.numel() {
            return Err(shape(func, arg, format!("length {} = [batch {}, time {}]", self.numel(), self.batch, self.len), got));
        }
        Ok(())
    }

    pub(crate) fn check_state(&self, func: &'static str, arg: &'static str, per: usize, what: &str, got: usize) -> Result<()> {
        let want = self.batch.saturating_mul(per);
        if got != want {
            return Err(shape(func, arg, format!("length {want} = [batch {}, {what} {per}]", self.batch), got));
        }
        Ok(())
    }
}

/// How a coefficient array is shared across signals and time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `[K]`: one coefficient set for every signal and sample (time-invariant).
    Shared,
    /// `[B, K]`: one set per signal (time-invariant).
    PerSignal,
    /// `[B, T, K]`: one set per signal and sample (time-varying).
    PerSample,
}

/// A read-only coefficient array with its layout: `K` coefficients per set, sets laid out as [`Layout`] says.
///
/// ```
/// use diffiir::{Coefs, Layout};
/// let a = [1.0, -0.5];
/// let c = Coefs::shared(&a);
/// assert_eq!((c.k, c.layout), (2, Layout::Shared));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Coefs<'a, T> {
    /// The coefficients, row-major.
    pub data: &'a [T],
    /// How sets are shared.
    pub layout: Layout,
    /// Coefficients per set.
    pub k: usize,
}

impl<'a, T> Coefs<'a, T> {
    /// One set `[K]` shared by every signal and sample; `K = data.len()`.
    pub fn shared(data: &'a [T]) -> Self {
        Self { data, layout: Layout::Shared, k: data.len() }
    }
    /// One set per signal, `[B, K]`.
    pub fn per_signal(data: &'a [T], k: usize) -> Self {
        Self { data, layout: Layout::PerSignal, k }
    }
    /// One set per sample, `[B, T, K]` (time-varying).
    pub fn per_sample(data: &'a [T], k: usize) -> Self {
        Self { data, layout: Layout::PerSample, k }
    }

    /// Whether the coefficients change with time.
    pub fn is_time_varying(&self) -> bool {
        self.layout == Layout::PerSample
    }

    /// Number of coefficient sets for signals of shape `dims`.
    pub(crate) fn sets(&self, dims: Dims) -> usize {
        match self.layout {
            Layout::Shared => 1,
            Layout::PerSignal => dims.batch,
            Layout::PerSample => dims.numel(),
        }
    }

    /// Checks `K ≥ 1` and the data length against `dims`.
    pub(crate) fn check(&self, func: &'static str, arg: &'static str, dims: Dims) -> Result<()> {
        if self.k == 0 {
            return Err(Error::Empty { func, arg });
        }
        let want = self.sets(dims).saturating_mul(self.k);
        if self.data.len() != want {
            let expected = match self.layout {
                Layout::Shared => format!("length {want} = [K {}]", self.k),
                Layout::PerSignal => format!("length {want} = [batch {}, K {}]", dims.batch, self.k),
                Layout::PerSample => {
                    format!("length {want} = [batch {}, time {}, K {}]", dims.batch, dims.len, self.k)
                }
            };
            return Err(shape(func, arg, expected, self.data.len()));
        }
        Ok(())
    }

    /// Offset of the set used by signal `b` at sample `n`.
    #[inline(always)]
    pub(crate) fn offset(&self, b: usize, n: usize, len: usize) -> usize {
        match self.layout {
            Layout::Shared => 0,
            Layout::PerSignal => b * self.k,
            Layout::PerSample => (b * len + n) * self.k,
        }
    }

    /// The set used by signal `b` at sample `n` of signals `len` long.
    #[inline(always)]
    pub(crate) fn set(&self, b: usize, n: usize, len: usize) -> &'a [T] {
        let o = self.offset(b, n, len);
        &self.data[o..o + self.k]
    }
}

impl<T: num_traits::Zero + PartialEq> Coefs<'_, T> {
    /// Errors if coefficient `j` of any set (or, with `stride`, of any group of `stride` coefficients) is zero.
    pub(crate) fn check_nonzero(&self, func: &'static str, arg: &'static str, j: usize, stride: usize) -> Result<()> {
        if stride == 0 || j >= stride {
            return Err(Error::Empty { func, arg });
        }
        for (index, set) in self.data.chunks_exact(stride).enumerate() {
            if set[j] == T::zero() {
                return Err(Error::ZeroLeadingCoefficient { func, arg, index });
            }
        }
        Ok(())
    }
}
