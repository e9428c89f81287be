//! The `sosfilt` tape handed from the forward to its adjoint, with a small pool of freed buffers.
//!
//! A training loop records a tape every step (state checkpoints, `≈ 2S·B·T/64` values: multi-megabyte for
//! long signals or big batches; before the checkpoints it held every section output, W2: 21.5 MB). A fresh buffer is page-faulted in
//! on every call (glibc returns large frees to the kernel), which cost more than the forward itself here
//! (`sosfilt` 16 × 48000, 8 sections, `f32`: 2.7 ms without a tape, 5.6–6.4 ms with one kept alive until the
//! backward). So a dropped [`Tape`] gives its buffer back to a pool of at most [`KEEP`] buffers per dtype,
//! and the next forward of the same size reuses it. The forward overwrites every tape value, so a reused
//! buffer is not cleared (`tests/chunked.rs` checks this on a poisoned buffer). `release_buffers()` empties
//! the pool.

use diffiir::Float;
use pyo3::prelude::*;
use std::sync::Mutex;

/// Buffers kept per dtype: one step's tape plus one in flight.
const KEEP: usize = 2;
/// Smaller buffers are cheap to allocate and are not pooled.
const MIN_BYTES: usize = 1 << 20;

static POOL32: Mutex<Vec<Vec<f32>>> = Mutex::new(Vec::new());
static POOL64: Mutex<Vec<Vec<f64>>> = Mutex::new(Vec::new());

pub(crate) enum Buf {
    F32(Vec<f32>),
    F64(Vec<f64>),
}

/// A sample type with a tape pool.
pub(crate) trait Pooled: Float {
    fn pool() -> &'static Mutex<Vec<Vec<Self>>>;
    fn wrap(v: Vec<Self>) -> Buf;
    fn view(b: &Buf) -> Option<&[Self]>;
}

/// `Pooled` for one sample type: its pool and its `Buf` variant.
macro_rules! pooled {
    ($t:ty, $pool:ident, $var:ident) => {
        impl Pooled for $t {
            fn pool() -> &'static Mutex<Vec<Vec<$t>>> {
                &$pool
            }
            fn wrap(v: Vec<$t>) -> Buf {
                Buf::$var(v)
            }
            fn view(b: &Buf) -> Option<&[$t]> {
                match b {
                    Buf::$var(v) => Some(v),
                    _ => None,
                }
            }
        }
    };
}

pooled!(f32, POOL32, F32);
pooled!(f64, POOL64, F64);

/// A buffer of `len` values: a pooled one of exactly that length (contents left over), or a new zeroed one.
pub(crate) fn take<T: Pooled>(len: usize) -> Vec<T> {
    if len * size_of::<T>() >= MIN_BYTES {
        if let Ok(mut p) = T::pool().lock() {
            if let Some(i) = p.iter().position(|v| v.len() == len) {
                return p.swap_remove(i);
            }
        }
    }
    vec![T::zero(); len]
}

fn give<T: Pooled>(v: Vec<T>) {
    if v.len() * size_of::<T>() < MIN_BYTES {
        return;
    }
    if let Ok(mut p) = T::pool().lock() {
        if p.len() >= KEEP {
            p.remove(0);
        }
        p.push(v);
    }
}

/// Opaque tape from `sosfilt(..., tape=True)` for `sosfilt_adjoint`.
#[pyclass(frozen, module = "diffiir._diffiir")]
pub(crate) struct Tape(pub(crate) Buf);

impl Tape {
    /// The values as `T`, or a `TypeError` when the tape was recorded in the other dtype.
    pub(crate) fn slice<T: Pooled>(&self) -> PyResult<&[T]> {
        T::view(&self.0).ok_or_else(|| pyo3::exceptions::PyTypeError::new_err("tape was recorded in another dtype than x"))
    }
}

impl Drop for Tape {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.0, Buf::F32(Vec::new())) {
            Buf::F32(v) => give(v),
            Buf::F64(v) => give(v),
        }
    }
}

/// Frees the buffers `diffiir.torch.sosfilt` keeps for reuse: each is one forward's tape of intermediate
/// section outputs (`(S − 1)·B·T` values, kept only from 1 MiB up), at most two per dtype, reused by the next
/// forward of the same size. Call it to hand that memory back, e.g. after training.
#[pyfunction]
pub(crate) fn release_buffers() {
    if let Ok(mut p) = POOL32.lock() {
        p.clear();
    }
    if let Ok(mut p) = POOL64.lock() {
        p.clear();
    }
}
