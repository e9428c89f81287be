//! Streaming: filter consecutive blocks of a signal with the state carried between calls.
//!
//! A [`Stream`] owns only state and scratch; coefficients are passed to every call (so one coefficient
//! array can serve many streams, and time-varying coefficients arrive block by block). It runs the same
//! kernels as the one-shot calls on their sequential path, so the output of any block split equals one
//! sequential call ([`Path::Sequential`](crate::Path)) on the concatenated signal to the last bit.

use crate::error::Result;
use crate::float::Float;
use crate::par::{Par, Path};

/// One thread, sequential path: a block's result then depends on nothing but its samples and state, so
/// any split of a signal gives the same bits as one sequential call (the chunked path rounds differently).
const SEQ: Par = Par::Seq.with_path(Path::Sequential);
use crate::shape::{Coefs, Dims};
use crate::{allpole_into, allpole_scratch_len, lfilter_into, lfilter_scratch_len, sosfilt_into, sosfilt_scratch_len};

/// Carried state of `batch` parallel streams of one filter family.
///
/// # Examples
/// ```
/// use diffiir::{lfilter, Coefs, Dims, Stream};
/// let (b, a) = ([0.5, 0.5], [1.0, -0.9]);
/// let x: Vec<f32> = (0..100).map(|i| (i as f32 * 0.3).sin()).collect();
/// let whole = lfilter(Coefs::shared(&b), Coefs::shared(&a), &x, Dims::new(1, 100), None).unwrap().y;
/// let mut s = Stream::new(1, 1); // one signal, state length max(len(a), len(b)) − 1 = 1
/// let mut y = vec![0.0; 100];
/// for (xb, yb) in x.chunks(32).zip(y.chunks_mut(32)) {
///     s.lfilter(Coefs::shared(&b), Coefs::shared(&a), xb, yb).unwrap();
/// }
/// assert_eq!(y, whole); // bit-identical
/// ```
#[derive(Clone, Debug)]
pub struct Stream<T> {
    batch: usize,
    state: Vec<T>,
    next: Vec<T>,
    scratch: Vec<T>,
}

impl<T: Float> Stream<T> {
    /// `batch` streams at rest, with `state_len` state values per signal: `N` for `allpole`,
    /// `max(len(a), len(b)) − 1` for `lfilter`, `2·S` for `sosfilt`.
    pub fn new(batch: usize, state_len: usize) -> Self {
        let n = batch * state_len;
        Self { batch, state: vec![T::zero(); n], next: vec![T::zero(); n], scratch: Vec::new() }
    }

    /// Streams starting from the state `zi` (`[B, state_len]`, the family's zi layout).
    pub fn with_state(batch: usize, zi: &[T]) -> Self {
        Self { batch, state: zi.to_vec(), next: zi.to_vec(), scratch: Vec::new() }
    }

    /// The current state (the family's zf layout).
    pub fn state(&self) -> &[T] {
        &self.state
    }

    /// Back to rest (zero state).
    pub fn reset(&mut self) {
        self.state.iter_mut().for_each(|v| *v = T::zero());
    }

    fn dims(&self, x: &[T]) -> Dims {
        Dims::new(self.batch, x.len().checked_div(self.batch).unwrap_or(0))
    }

    fn run(&mut self, need: usize, f: impl FnOnce(&[T], &mut [T], &mut [T]) -> Result<()>) -> Result<()> {
        if self.scratch.len() < need {
            self.scratch.resize(need, T::zero());
        }
        f(&self.state, &mut self.next, &mut self.scratch)?;
        std::mem::swap(&mut self.state, &mut self.next);
        Ok(())
    }

    /// Next block of [`allpole`](crate::allpole): `x`, `y` are `[B, T_block]`; per-sample `a` is
    /// `[B, T_block, N]` for this block.
    pub fn allpole(&mut self, a: Coefs<'_, T>, x: &[T], y: &mut [T]) -> Result<()> {
        let d = self.dims(x);
        // Validate before sizing scratch from the coefficients' claimed order.
        crate::allpole_check(&a, d)?;
        self.run(allpole_scratch_len::<T>(d, &a, SEQ), |zi, zf, s| allpole_into(x, d, a, Some(zi), y, Some(zf), s, SEQ))
    }

    /// Next block of [`lfilter`](crate::lfilter).
    pub fn lfilter(&mut self, b: Coefs<'_, T>, a: Coefs<'_, T>, x: &[T], y: &mut [T]) -> Result<()> {
        let d = self.dims(x);
        crate::lfilter_check(&b, &a, d)?;
        self.run(lfilter_scratch_len(&b, &a, d, SEQ), |zi, zf, s| lfilter_into(b, a, x, d, Some(zi), y, Some(zf), s, SEQ))
    }

    /// Next block of [`sosfilt`](crate::sosfilt).
    pub fn sosfilt(&mut self, sos: Coefs<'_, T>, x: &[T], y: &mut [T]) -> Result<()> {
        let d = self.dims(x);
        crate::sosfilt_check(&sos, d)?;
        self.run(sosfilt_scratch_len(&sos, d, SEQ), |zi, zf, s| sosfilt_into(sos, x, d, Some(zi), y, Some(zf), None, s, SEQ))
    }
}
