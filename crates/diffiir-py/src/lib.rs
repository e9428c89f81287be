//! Private module `diffiir._diffiir`: flat-array entry points over the core crate.
//!
//! Shapes, axes and broadcasting are resolved by the Python facade (`python/diffiir/_shapes.py`); it hands
//! over C-contiguous 1-D arrays of one dtype plus the batch size and each coefficient array's layout code
//! (0 shared `[K]`, 1 per signal `[B, K]`, 2 per sample `[B, T, K]`). Every numeric operation is the core's.
//! Each call dispatches once on the dtype of its first array (`f32` or `f64`); the others must match.
//! Kernels run with the interpreter released (`Python::detach`). Core errors become `ValueError`, dtype and
//! contiguity problems `TypeError` — never a panic across the boundary.

use diffiir::{Coefs, Dims, Layout, Par, Path, Simd};
use numpy::{Element, IntoPyArray, PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadwriteArray1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Threads for the kernels: 0 = all cores (rayon's pool), 1 = sequential, n = up to n.
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Evaluation path: 0 auto, 1 sequential, 2 chunked, 3 rows (see `diffiir::Path`).
static PATH: AtomicUsize = AtomicUsize::new(0);
const PATHS: [(&str, Path); 4] = [("auto", Path::Auto), ("sequential", Path::Sequential), ("chunked", Path::Chunked), ("rows", Path::Rows)];

pub(crate) fn par() -> Par {
    let p = match THREADS.load(Ordering::Relaxed) {
        0 => Par::default(),
        1 => Par::Seq,
        n => Par::Rayon(n),
    };
    p.with_path(PATHS[PATH.load(Ordering::Relaxed).min(PATHS.len() - 1)].1)
        .with_simd(SIMDS[SIMD.load(Ordering::Relaxed).min(SIMDS.len() - 1)])
        .with_grain(GRAIN.load(Ordering::Relaxed))
}

/// Work per thread (sample-orders, see `diffiir::Par::with_grain`); `diffiir::GRAIN` until set.
static GRAIN: AtomicUsize = AtomicUsize::new(diffiir::GRAIN);

/// Instruction-set level: an index into `SIMDS` (see `diffiir::Simd`).
static SIMD: AtomicUsize = AtomicUsize::new(0);
const SIMDS: [Simd; 3] = [Simd::Auto, Simd::Baseline, Simd::Avx2];

/// Sets the instruction-set level of the filter kernels: "auto" (default: the best this CPU has),
/// "baseline" (SSE2 on x86-64) or "avx2". Results are bit-identical at every level; only speed changes.
/// Raises ValueError for an unknown name or a level this CPU lacks.
#[pyfunction]
fn set_simd(level: &str) -> PyResult<()> {
    let names: Vec<&str> = SIMDS.iter().map(|s| s.name()).collect();
    let i = names
        .iter()
        .position(|n| *n == level)
        .ok_or_else(|| PyValueError::new_err(format!("simd level must be one of {names:?}, got {level:?}")))?;
    if !SIMDS[i].is_available() {
        return Err(PyValueError::new_err(format!("this CPU does not support simd level {level:?}")));
    }
    SIMD.store(i, Ordering::Relaxed);
    Ok(())
}

/// The current instruction-set level setting, and the level it runs as on this CPU: `(setting, level)`,
/// e.g. `("auto", "avx2")`.
#[pyfunction]
fn get_simd() -> (&'static str, &'static str) {
    let s = SIMDS[SIMD.load(Ordering::Relaxed).min(SIMDS.len() - 1)];
    (s.name(), s.detect().name())
}

/// Sets the evaluation path of `lfilter`/`sosfilt` and their gradients: "auto" (default: the row-layout
/// block recursion for a biquad `lfilter` on few signals, block-parallel for other filters on few long
/// signals), "sequential", "chunked" or "rows" (biquad `lfilter` only; elsewhere as "auto").
#[pyfunction]
fn set_path(path: &str) -> PyResult<()> {
    let i = PATHS
        .iter()
        .position(|(n, _)| *n == path)
        .ok_or_else(|| PyValueError::new_err(format!("path must be one of 'auto', 'sequential', 'chunked', 'rows', got {path:?}")))?;
    PATH.store(i, Ordering::Relaxed);
    Ok(())
}

/// The current evaluation path.
#[pyfunction]
fn get_path() -> &'static str {
    PATHS[PATH.load(Ordering::Relaxed).min(PATHS.len() - 1)].0
}

/// Sets how many threads the kernels use (0 = all cores, 1 = sequential).
///
/// A call uses at most one thread per grain of work (`set_grain`; by default 131072 biquad samples of a forward),
/// so small calls run on one thread whatever this says: waking a second thread costs more than it saves there.
///
/// Inside a torch training loop on a machine with few cores, torch's OpenMP workers keep spinning after each op
/// and take cores from these threads; `OMP_WAIT_POLICY=PASSIVE`, set in the environment before torch is
/// imported, lets them sleep (W6 kernels at 2 threads: 1.07x -> 1.35x of one thread; `bench/threads_in_torch.py`).
#[pyfunction]
fn set_num_threads(n: usize) {
    THREADS.store(n, Ordering::Relaxed);
}

/// The current thread setting (0 = all cores).
#[pyfunction]
fn get_num_threads() -> usize {
    THREADS.load(Ordering::Relaxed)
}

/// Sets the grain: a call uses at most one thread per `grain` sample-orders of work (signals x samples x filter
/// order, twice that for a backward; the order is max(len(a), len(b)) - 1 for `lfilter`, 2 per section for
/// `sosfilt`, N for `allpole`). The default, 262144 (2^18), was fitted on a 2-vCPU VM whose idle threads take
/// 25-50 us to wake; where threads wake faster a smaller grain lets mid-sized calls split. 0 uses every thread
/// `set_num_threads` allows on every call. Results change only in the last bits of shared-coefficient gradients
/// (their summation order follows the thread count).
#[pyfunction]
fn set_grain(grain: usize) {
    GRAIN.store(grain, Ordering::Relaxed);
}

/// The current grain (sample-orders of work per thread; see `set_grain`).
#[pyfunction]
fn get_grain() -> usize {
    GRAIN.load(Ordering::Relaxed)
}

pub(crate) fn core_err(e: diffiir::Error) -> PyErr {
    PyValueError::new_err(e.to_string())
}

pub(crate) type Out<'py> = Bound<'py, PyAny>;

/// A 1-D contiguous array of dtype `T`, or a `TypeError` naming the argument.
pub(crate) fn arr<'py, T: Element>(o: &Bound<'py, PyAny>, name: &str) -> PyResult<PyReadonlyArray1<'py, T>> {
    o.extract::<PyReadonlyArray1<'py, T>>().map_err(|_| {
        let want = std::any::type_name::<T>();
        PyTypeError::new_err(format!("{name} must be a 1-D numpy array of dtype {want} (the same dtype as x)"))
    })
}

pub(crate) fn opt_arr<'py, T: Element>(o: Option<&Bound<'py, PyAny>>, name: &str) -> PyResult<Option<PyReadonlyArray1<'py, T>>> {
    o.map(|o| arr::<T>(o, name)).transpose()
}

pub(crate) fn slice<'a, T: Element>(a: &'a PyReadonlyArray1<'_, T>, name: &str) -> PyResult<&'a [T]> {
    a.as_slice().map_err(|_| PyTypeError::new_err(format!("{name} must be C-contiguous")))
}

pub(crate) fn opt_slice<'a, T: Element>(a: &'a Option<PyReadonlyArray1<'_, T>>, name: &str) -> PyResult<Option<&'a [T]>> {
    a.as_ref().map(|a| slice(a, name)).transpose()
}

pub(crate) fn layout(code: u8) -> PyResult<Layout> {
    match code {
        0 => Ok(Layout::Shared),
        1 => Ok(Layout::PerSignal),
        2 => Ok(Layout::PerSample),
        _ => Err(PyValueError::new_err(format!("layout code {code} is not 0, 1 or 2"))),
    }
}

pub(crate) fn dims(numel: usize, batch: usize) -> PyResult<Dims> {
    match (numel, batch) {
        (0, 0) => Ok(Dims::new(0, 0)),
        (n, b) if b > 0 && n % b == 0 => Ok(Dims::new(b, n / b)),
        _ => Err(PyValueError::new_err(format!("x: {numel} samples do not split into {batch} signals"))),
    }
}

pub(crate) fn coefs<'a, T>(data: &'a [T], code: u8, k: usize) -> PyResult<Coefs<'a, T>> {
    Ok(Coefs { data, layout: layout(code)?, k })
}

pub(crate) fn np<'py, T: Element>(py: Python<'py>, v: Vec<T>) -> Out<'py> {
    v.into_pyarray(py).into_any()
}

/// New numpy arrays, held for writing, for the requested outputs (`want[i]`: `lens[i]` values) of a kernel
/// that overwrites every value of its outputs (the core's contract, tested on NaN-filled buffers). They come
/// from `numpy.empty`, not zero-filled: a zeroed `Vec` cost a `memset` per call, and numpy backs large arrays
/// with transparent huge pages where the kernel allows it, so a fresh multi-megabyte output takes a few page
/// faults instead of thousands (`bench/compare.py` W5, one 4.8 M-sample signal: see BENCHMARKS.md).
pub(crate) fn outs<'py, T: Element, const N: usize>(
    py: Python<'py>,
    want: [bool; N],
    lens: [usize; N],
) -> PyResult<[Option<PyReadwriteArray1<'py, T>>; N]> {
    let empty = py.import("numpy")?.getattr("empty")?;
    let mut o: [Option<PyReadwriteArray1<'py, T>>; N] = std::array::from_fn(|_| None);
    for ((o, &w), &n) in o.iter_mut().zip(&want).zip(&lens) {
        if w {
            let a = empty.call1((n, numpy::dtype::<T>(py)))?.cast_into::<PyArray1<T>>().map_err(|e| PyTypeError::new_err(e.to_string()))?;
            *o = Some(a.try_into_readwrite().map_err(|e| PyTypeError::new_err(e.to_string()))?);
        }
    }
    Ok(o)
}

/// The outputs of [`outs`] as slices for the kernel (`None` where not requested).
pub(crate) fn out_slices<'a, T: Element, const N: usize>(
    o: &'a mut [Option<PyReadwriteArray1<'_, T>>; N],
) -> PyResult<[Option<&'a mut [T]>; N]> {
    let mut s: [Option<&'a mut [T]>; N] = std::array::from_fn(|_| None);
    for (s, o) in s.iter_mut().zip(o.iter_mut()) {
        if let Some(o) = o {
            *s = Some(o.as_slice_mut().map_err(|_| PyTypeError::new_err("output array is not contiguous"))?);
        }
    }
    Ok(s)
}

/// The outputs of [`outs`] released for Python.
pub(crate) fn out_arrays<'py, T: Element, const N: usize>(o: [Option<PyReadwriteArray1<'py, T>>; N]) -> [Option<Out<'py>>; N] {
    o.map(|o| o.map(|w| w.as_any().clone()))
}

/// A requested output (always present: requested with `true`).
pub(crate) fn some<'py>(o: Option<Out<'py>>) -> PyResult<Out<'py>> {
    o.ok_or_else(|| PyValueError::new_err("internal error: an output was not allocated"))
}

/// Calls `$f::<f32>` or `$f::<f64>` by the dtype of `$x`, or raises `TypeError`.
macro_rules! by_dtype {
    ($x:expr, $f:ident($($arg:expr),*)) => {
        if $x.extract::<::numpy::PyReadonlyArray1<'_, f64>>().is_ok() {
            $f::<f64>($($arg),*)
        } else if $x.extract::<::numpy::PyReadonlyArray1<'_, f32>>().is_ok() {
            $f::<f32>($($arg),*)
        } else {
            Err(::pyo3::exceptions::PyTypeError::new_err("x must be a 1-D numpy array of dtype float32 or float64"))
        }
    };
}

/// Defines a `#[pyfunction]` whose body is generic over the sample type `T` (`f32` or `f64`, chosen once by
/// the dtype of the argument named after `first`): one signature per binding, no per-dtype copies.
macro_rules! dtype_fn {
    ($(#[$m:meta])* fn $name:ident($py:ident, $($arg:ident: $ty:ty),*) -> $ret:ty where first = $first:ident $body:block) => {
        #[::pyo3::pyfunction]
        $(#[$m])*
        #[allow(clippy::too_many_arguments)]
        pub(crate) fn $name<'py>($py: ::pyo3::Python<'py>, $($arg: $ty),*) -> ::pyo3::PyResult<$ret> {
            #[allow(clippy::too_many_arguments)]
            fn imp<'py, T: ::diffiir::Float + ::numpy::Element + ::diffiir::freq::FftNum + crate::tape::Pooled>(
                $py: ::pyo3::Python<'py>,
                $($arg: $ty),*
            ) -> ::pyo3::PyResult<$ret> $body
            by_dtype!($first, imp($py, $($arg),*))
        }
    };
}

pub(crate) type Grads3<'py> = (Option<Out<'py>>, Option<Out<'py>>, Option<Out<'py>>);

mod allpole;
mod freq;
mod lfilter;
mod param;
mod sosfilt;
mod steady;
mod tape;

#[pymodule]
fn _diffiir(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(set_grain, m)?)?;
    m.add_function(wrap_pyfunction!(get_grain, m)?)?;
    m.add_function(wrap_pyfunction!(set_path, m)?)?;
    m.add_function(wrap_pyfunction!(get_path, m)?)?;
    m.add_function(wrap_pyfunction!(set_simd, m)?)?;
    m.add_function(wrap_pyfunction!(get_simd, m)?)?;
    m.add_function(wrap_pyfunction!(tape::release_buffers, m)?)?;
    m.add_class::<tape::Tape>()?;
    m.add_function(wrap_pyfunction!(allpole::allpole, m)?)?;
    m.add_function(wrap_pyfunction!(allpole::allpole_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(lfilter::lfilter, m)?)?;
    m.add_function(wrap_pyfunction!(lfilter::lfilter_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(sosfilt::sosfilt, m)?)?;
    m.add_function(wrap_pyfunction!(sosfilt::sosfilt_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(steady::lfilter_zi, m)?)?;
    m.add_function(wrap_pyfunction!(steady::check_stable, m)?)?;
    m.add_function(wrap_pyfunction!(steady::lfilter_zi_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(steady::sosfilt_zi, m)?)?;
    m.add_function(wrap_pyfunction!(steady::sosfilt_zi_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(freq::freqz, m)?)?;
    m.add_function(wrap_pyfunction!(freq::freqz_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(freq::sosfreqz, m)?)?;
    m.add_function(wrap_pyfunction!(freq::sosfreqz_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(freq::fsm, m)?)?;
    m.add_function(wrap_pyfunction!(freq::fsm_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(param::triangle, m)?)?;
    m.add_function(wrap_pyfunction!(param::triangle_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(param::conjugate_pair, m)?)?;
    m.add_function(wrap_pyfunction!(param::conjugate_pair_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(param::reflection, m)?)?;
    m.add_function(wrap_pyfunction!(param::reflection_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(param::lar_reflection, m)?)?;
    m.add_function(wrap_pyfunction!(param::lar_reflection_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(param::step_up, m)?)?;
    m.add_function(wrap_pyfunction!(param::step_up_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(param::step_down, m)?)?;
    m.add_function(wrap_pyfunction!(param::rbj, m)?)?;
    m.add_function(wrap_pyfunction!(param::rbj_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(param::rbj_params, m)?)?;
    m.add_function(wrap_pyfunction!(param::rbj_params_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(param::svf, m)?)?;
    m.add_function(wrap_pyfunction!(param::svf_adjoint, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
