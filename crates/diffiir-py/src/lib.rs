//! Private module `diffiir._diffiir`: flat-array entry points over the core crate.
//!
//! Shapes, axes and broadcasting are resolved by the Python facade (`python/diffiir/_shapes.py`); it hands
//! over C-contiguous 1-D arrays of one dtype plus the batch size and each coefficient array's layout code
//! (0 shared `[K]`, 1 per signal `[B, K]`, 2 per sample `[B, T, K]`). Every numeric operation is the core's.
//! Each call dispatches once on the dtype of its first array (`f32` or `f64`); the others must match.
//! Kernels run with the interpreter released (`Python::detach`). Core errors become `ValueError`, dtype and
//! contiguity problems `TypeError` — never a panic across the boundary.

use diffiir::{Coefs, Dims, Float, Layout, Par};
use numpy::{Element, IntoPyArray, PyReadonlyArray1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Threads for the kernels: 0 = all cores (rayon's pool), 1 = sequential, n = up to n.
static THREADS: AtomicUsize = AtomicUsize::new(0);

fn par() -> Par {
    match THREADS.load(Ordering::Relaxed) {
        0 => Par::default(),
        1 => Par::Seq,
        n => Par::Rayon(n),
    }
}

/// Sets how many threads the kernels use (0 = all cores, 1 = sequential).
#[pyfunction]
fn set_num_threads(n: usize) {
    THREADS.store(n, Ordering::Relaxed);
}

/// The current thread setting (0 = all cores).
#[pyfunction]
fn get_num_threads() -> usize {
    THREADS.load(Ordering::Relaxed)
}

fn core_err(e: diffiir::Error) -> PyErr {
    PyValueError::new_err(e.to_string())
}

type Out<'py> = Bound<'py, PyAny>;

/// A 1-D contiguous array of dtype `T`, or a `TypeError` naming the argument.
fn arr<'py, T: Element>(o: &Bound<'py, PyAny>, name: &str) -> PyResult<PyReadonlyArray1<'py, T>> {
    o.extract::<PyReadonlyArray1<'py, T>>().map_err(|_| {
        let want = std::any::type_name::<T>();
        PyTypeError::new_err(format!("{name} must be a 1-D numpy array of dtype {want} (the same dtype as x)"))
    })
}

fn opt_arr<'py, T: Element>(o: Option<&Bound<'py, PyAny>>, name: &str) -> PyResult<Option<PyReadonlyArray1<'py, T>>> {
    o.map(|o| arr::<T>(o, name)).transpose()
}

fn slice<'a, T: Element>(a: &'a PyReadonlyArray1<'_, T>, name: &str) -> PyResult<&'a [T]> {
    a.as_slice().map_err(|_| PyTypeError::new_err(format!("{name} must be C-contiguous")))
}

fn opt_slice<'a, T: Element>(a: &'a Option<PyReadonlyArray1<'_, T>>, name: &str) -> PyResult<Option<&'a [T]>> {
    a.as_ref().map(|a| slice(a, name)).transpose()
}

fn layout(code: u8) -> PyResult<Layout> {
    match code {
        0 => Ok(Layout::Shared),
        1 => Ok(Layout::PerSignal),
        2 => Ok(Layout::PerSample),
        _ => Err(PyValueError::new_err(format!("layout code {code} is not 0, 1 or 2"))),
    }
}

fn dims(numel: usize, batch: usize) -> PyResult<Dims> {
    match (numel, batch) {
        (0, 0) => Ok(Dims::new(0, 0)),
        (n, b) if b > 0 && n % b == 0 => Ok(Dims::new(b, n / b)),
        _ => Err(PyValueError::new_err(format!("x: {numel} samples do not split into {batch} signals"))),
    }
}

fn coefs<'a, T>(data: &'a [T], code: u8, k: usize) -> PyResult<Coefs<'a, T>> {
    Ok(Coefs { data, layout: layout(code)?, k })
}

fn np<'py, T: Element>(py: Python<'py>, v: Vec<T>) -> Out<'py> {
    v.into_pyarray(py).into_any()
}

fn opt_np<'py, T: Element>(py: Python<'py>, v: Option<Vec<T>>) -> Option<Out<'py>> {
    v.map(|v| np(py, v))
}

/// Zeroed buffers for the requested gradients.
fn bufs<T: Float, const N: usize>(want: [bool; N], lens: [usize; N]) -> [Option<Vec<T>>; N] {
    std::array::from_fn(|i| want[i].then(|| vec![T::zero(); lens[i]]))
}

/// Calls `$f::<f32>` or `$f::<f64>` by the dtype of `$x`, or raises `TypeError`.
macro_rules! by_dtype {
    ($x:expr, $f:ident($($arg:expr),*)) => {
        if $x.extract::<PyReadonlyArray1<'_, f64>>().is_ok() {
            $f::<f64>($($arg),*)
        } else if $x.extract::<PyReadonlyArray1<'_, f32>>().is_ok() {
            $f::<f32>($($arg),*)
        } else {
            Err(PyTypeError::new_err("x must be a 1-D numpy array of dtype float32 or float64"))
        }
    };
}

// ---------------------------------------------------------------- allpole

#[pyfunction]
#[pyo3(signature = (x, batch, a, la, k, zi=None))]
fn allpole<'py>(
    py: Python<'py>,
    x: &Out<'py>,
    batch: usize,
    a: &Out<'py>,
    la: u8,
    k: usize,
    zi: Option<&Out<'py>>,
) -> PyResult<(Out<'py>, Out<'py>)> {
    by_dtype!(x, allpole_t(py, x, batch, a, la, k, zi))
}

fn allpole_t<'py, T: Float + Element>(
    py: Python<'py>,
    x: &Out<'py>,
    batch: usize,
    a: &Out<'py>,
    la: u8,
    k: usize,
    zi: Option<&Out<'py>>,
) -> PyResult<(Out<'py>, Out<'py>)> {
    let (x, a, zi) = (arr::<T>(x, "x")?, arr::<T>(a, "a")?, opt_arr::<T>(zi, "zi")?);
    let (xs, ca, zs) = (slice(&x, "x")?, coefs(slice(&a, "a")?, la, k)?, opt_slice(&zi, "zi")?);
    let d = dims(xs.len(), batch)?;
    let p = par();
    let (y, zf) = py
        .detach(|| {
            let (mut y, mut zf) = (vec![T::zero(); d.numel()], vec![T::zero(); d.batch * k]);
            let mut s = vec![T::zero(); diffiir::allpole_scratch_len::<T>(d, &ca, p)];
            diffiir::allpole_into(xs, d, ca, zs, &mut y, Some(&mut zf), &mut s, p).map(|_| (y, zf))
        })
        .map_err(core_err)?;
    Ok((np(py, y), np(py, zf)))
}

type Grads3<'py> = (Option<Out<'py>>, Option<Out<'py>>, Option<Out<'py>>);

#[pyfunction]
#[pyo3(signature = (y, batch, a, la, k, zi, gy, gzf, want))]
#[allow(clippy::too_many_arguments)]
fn allpole_adjoint<'py>(
    py: Python<'py>,
    y: &Out<'py>,
    batch: usize,
    a: &Out<'py>,
    la: u8,
    k: usize,
    zi: Option<&Out<'py>>,
    gy: &Out<'py>,
    gzf: Option<&Out<'py>>,
    want: [bool; 3],
) -> PyResult<Grads3<'py>> {
    by_dtype!(y, allpole_adjoint_t(py, y, batch, a, la, k, zi, gy, gzf, want))
}

#[allow(clippy::too_many_arguments)]
fn allpole_adjoint_t<'py, T: Float + Element>(
    py: Python<'py>,
    y: &Out<'py>,
    batch: usize,
    a: &Out<'py>,
    la: u8,
    k: usize,
    zi: Option<&Out<'py>>,
    gy: &Out<'py>,
    gzf: Option<&Out<'py>>,
    want: [bool; 3],
) -> PyResult<Grads3<'py>> {
    let (y, a, zi, gy, gzf) =
        (arr::<T>(y, "y")?, arr::<T>(a, "a")?, opt_arr::<T>(zi, "zi")?, arr::<T>(gy, "grad y")?, opt_arr::<T>(gzf, "grad zf")?);
    let (ys, ca, zs, gys, gzfs) =
        (slice(&y, "y")?, coefs(slice(&a, "a")?, la, k)?, opt_slice(&zi, "zi")?, slice(&gy, "grad y")?, opt_slice(&gzf, "grad zf")?);
    let d = dims(ys.len(), batch)?;
    let p = par();
    let [gx, ga, gzi] = py
        .detach(|| {
            let mut g = bufs::<T, 3>(want, [d.numel(), ca.data.len(), d.batch * k]);
            let mut s = vec![T::zero(); diffiir::allpole_adjoint_scratch_len::<T>(d, &ca, p)];
            let [gx, ga, gzi] = &mut g;
            let out = diffiir::AllpoleGradsMut { x: gx.as_deref_mut(), a: ga.as_deref_mut(), zi: gzi.as_deref_mut() };
            diffiir::allpole_adjoint_into(ys, d, ca, zs, gys, gzfs, out, &mut s, p).map(|_| g)
        })
        .map_err(core_err)?;
    Ok((opt_np(py, gx), opt_np(py, ga), opt_np(py, gzi)))
}

// ---------------------------------------------------------------- lfilter

#[pyfunction]
#[pyo3(signature = (b, lb, kb, a, la, ka, x, batch, zi=None))]
#[allow(clippy::too_many_arguments)]
fn lfilter<'py>(
    py: Python<'py>,
    b: &Out<'py>,
    lb: u8,
    kb: usize,
    a: &Out<'py>,
    la: u8,
    ka: usize,
    x: &Out<'py>,
    batch: usize,
    zi: Option<&Out<'py>>,
) -> PyResult<(Out<'py>, Out<'py>)> {
    by_dtype!(x, lfilter_t(py, b, lb, kb, a, la, ka, x, batch, zi))
}

#[allow(clippy::too_many_arguments)]
fn lfilter_t<'py, T: Float + Element>(
    py: Python<'py>,
    b: &Out<'py>,
    lb: u8,
    kb: usize,
    a: &Out<'py>,
    la: u8,
    ka: usize,
    x: &Out<'py>,
    batch: usize,
    zi: Option<&Out<'py>>,
) -> PyResult<(Out<'py>, Out<'py>)> {
    let (b, a, x, zi) = (arr::<T>(b, "b")?, arr::<T>(a, "a")?, arr::<T>(x, "x")?, opt_arr::<T>(zi, "zi")?);
    let (cb, ca, xs, zs) = (coefs(slice(&b, "b")?, lb, kb)?, coefs(slice(&a, "a")?, la, ka)?, slice(&x, "x")?, opt_slice(&zi, "zi")?);
    let d = dims(xs.len(), batch)?;
    let m = kb.max(ka).saturating_sub(1);
    let p = par();
    let (y, zf) = py
        .detach(|| {
            let (mut y, mut zf) = (vec![T::zero(); d.numel()], vec![T::zero(); d.batch * m]);
            let mut s = vec![T::zero(); diffiir::lfilter_scratch_len(&cb, &ca, d, p)];
            diffiir::lfilter_into(cb, ca, xs, d, zs, &mut y, Some(&mut zf), &mut s, p).map(|_| (y, zf))
        })
        .map_err(core_err)?;
    Ok((np(py, y), np(py, zf)))
}

type Grads4<'py> = (Option<Out<'py>>, Option<Out<'py>>, Option<Out<'py>>, Option<Out<'py>>);

#[pyfunction]
#[pyo3(signature = (b, lb, kb, a, la, ka, x, y, batch, gy, gzf, want))]
#[allow(clippy::too_many_arguments)]
fn lfilter_adjoint<'py>(
    py: Python<'py>,
    b: &Out<'py>,
    lb: u8,
    kb: usize,
    a: &Out<'py>,
    la: u8,
    ka: usize,
    x: &Out<'py>,
    y: &Out<'py>,
    batch: usize,
    gy: &Out<'py>,
    gzf: Option<&Out<'py>>,
    want: [bool; 4],
) -> PyResult<Grads4<'py>> {
    by_dtype!(x, lfilter_adjoint_t(py, b, lb, kb, a, la, ka, x, y, batch, gy, gzf, want))
}

#[allow(clippy::too_many_arguments)]
fn lfilter_adjoint_t<'py, T: Float + Element>(
    py: Python<'py>,
    b: &Out<'py>,
    lb: u8,
    kb: usize,
    a: &Out<'py>,
    la: u8,
    ka: usize,
    x: &Out<'py>,
    y: &Out<'py>,
    batch: usize,
    gy: &Out<'py>,
    gzf: Option<&Out<'py>>,
    want: [bool; 4],
) -> PyResult<Grads4<'py>> {
    let (b, a, x, y) = (arr::<T>(b, "b")?, arr::<T>(a, "a")?, arr::<T>(x, "x")?, arr::<T>(y, "y")?);
    let (gy, gzf) = (arr::<T>(gy, "grad y")?, opt_arr::<T>(gzf, "grad zf")?);
    let (cb, ca) = (coefs(slice(&b, "b")?, lb, kb)?, coefs(slice(&a, "a")?, la, ka)?);
    let (xs, ys, gys, gzfs) = (slice(&x, "x")?, slice(&y, "y")?, slice(&gy, "grad y")?, opt_slice(&gzf, "grad zf")?);
    let d = dims(xs.len(), batch)?;
    let m = kb.max(ka).saturating_sub(1);
    let p = par();
    let [gx, gb, ga, gzi] = py
        .detach(|| {
            let mut g = bufs::<T, 4>(want, [d.numel(), cb.data.len(), ca.data.len(), d.batch * m]);
            let mut s = vec![T::zero(); diffiir::lfilter_adjoint_scratch_len(&cb, &ca, d, p)];
            let [gx, gb, ga, gzi] = &mut g;
            let out = diffiir::LfilterGradsMut { x: gx.as_deref_mut(), b: gb.as_deref_mut(), a: ga.as_deref_mut(), zi: gzi.as_deref_mut() };
            diffiir::lfilter_adjoint_into(cb, ca, xs, ys, d, gys, gzfs, out, &mut s, p).map(|_| g)
        })
        .map_err(core_err)?;
    Ok((opt_np(py, gx), opt_np(py, gb), opt_np(py, ga), opt_np(py, gzi)))
}

// ---------------------------------------------------------------- sosfilt

#[pyfunction]
#[pyo3(signature = (sos, ls, k, x, batch, zi=None, tape=false))]
#[allow(clippy::too_many_arguments)]
fn sosfilt<'py>(
    py: Python<'py>,
    sos: &Out<'py>,
    ls: u8,
    k: usize,
    x: &Out<'py>,
    batch: usize,
    zi: Option<&Out<'py>>,
    tape: bool,
) -> PyResult<(Out<'py>, Out<'py>, Option<Out<'py>>)> {
    by_dtype!(x, sosfilt_t(py, sos, ls, k, x, batch, zi, tape))
}

#[allow(clippy::too_many_arguments)]
fn sosfilt_t<'py, T: Float + Element>(
    py: Python<'py>,
    sos: &Out<'py>,
    ls: u8,
    k: usize,
    x: &Out<'py>,
    batch: usize,
    zi: Option<&Out<'py>>,
    tape: bool,
) -> PyResult<(Out<'py>, Out<'py>, Option<Out<'py>>)> {
    let (sos, x, zi) = (arr::<T>(sos, "sos")?, arr::<T>(x, "x")?, opt_arr::<T>(zi, "zi")?);
    let (cs, xs, zs) = (coefs(slice(&sos, "sos")?, ls, k)?, slice(&x, "x")?, opt_slice(&zi, "zi")?);
    let d = dims(xs.len(), batch)?;
    let sections = k / 6;
    let p = par();
    let (y, zf, t) = py
        .detach(|| {
            let (mut y, mut zf) = (vec![T::zero(); d.numel()], vec![T::zero(); d.batch * 2 * sections]);
            let mut t = tape.then(|| vec![T::zero(); diffiir::sosfilt_tape_len::<T>(d, sections)]);
            let mut s = vec![T::zero(); diffiir::sosfilt_scratch_len(&cs, d, p)];
            diffiir::sosfilt_into(cs, xs, d, zs, &mut y, Some(&mut zf), t.as_deref_mut(), &mut s, p).map(|_| (y, zf, t))
        })
        .map_err(core_err)?;
    Ok((np(py, y), np(py, zf), opt_np(py, t)))
}

#[pyfunction]
#[pyo3(signature = (sos, ls, k, x, y, tape, batch, gy, gzf, want))]
#[allow(clippy::too_many_arguments)]
fn sosfilt_adjoint<'py>(
    py: Python<'py>,
    sos: &Out<'py>,
    ls: u8,
    k: usize,
    x: &Out<'py>,
    y: &Out<'py>,
    tape: &Out<'py>,
    batch: usize,
    gy: &Out<'py>,
    gzf: Option<&Out<'py>>,
    want: [bool; 3],
) -> PyResult<Grads3<'py>> {
    by_dtype!(x, sosfilt_adjoint_t(py, sos, ls, k, x, y, tape, batch, gy, gzf, want))
}

#[allow(clippy::too_many_arguments)]
fn sosfilt_adjoint_t<'py, T: Float + Element>(
    py: Python<'py>,
    sos: &Out<'py>,
    ls: u8,
    k: usize,
    x: &Out<'py>,
    y: &Out<'py>,
    tape: &Out<'py>,
    batch: usize,
    gy: &Out<'py>,
    gzf: Option<&Out<'py>>,
    want: [bool; 3],
) -> PyResult<Grads3<'py>> {
    let (sos, x, y, tape) = (arr::<T>(sos, "sos")?, arr::<T>(x, "x")?, arr::<T>(y, "y")?, arr::<T>(tape, "tape")?);
    let (gy, gzf) = (arr::<T>(gy, "grad y")?, opt_arr::<T>(gzf, "grad zf")?);
    let cs = coefs(slice(&sos, "sos")?, ls, k)?;
    let (xs, ys, ts, gys, gzfs) =
        (slice(&x, "x")?, slice(&y, "y")?, slice(&tape, "tape")?, slice(&gy, "grad y")?, opt_slice(&gzf, "grad zf")?);
    let d = dims(xs.len(), batch)?;
    let p = par();
    let [gx, gs, gzi] = py
        .detach(|| {
            let mut g = bufs::<T, 3>(want, [d.numel(), cs.data.len(), d.batch * 2 * (k / 6)]);
            let mut s = vec![T::zero(); diffiir::sosfilt_adjoint_scratch_len(&cs, d, p)];
            let [gx, gs, gzi] = &mut g;
            let out = diffiir::SosfiltGradsMut { x: gx.as_deref_mut(), sos: gs.as_deref_mut(), zi: gzi.as_deref_mut() };
            diffiir::sosfilt_adjoint_into(cs, xs, ys, ts, d, gys, gzfs, out, &mut s, p).map(|_| g)
        })
        .map_err(core_err)?;
    Ok((opt_np(py, gx), opt_np(py, gs), opt_np(py, gzi)))
}

// ---------------------------------------------------------------- steady state

#[pyfunction]
fn lfilter_zi<'py>(
    py: Python<'py>,
    b: &Out<'py>,
    a: &Out<'py>,
    per_signal: bool,
    kb: usize,
    ka: usize,
    batch: usize,
) -> PyResult<Out<'py>> {
    by_dtype!(b, lfilter_zi_t(py, b, a, per_signal, kb, ka, batch))
}

fn lfilter_zi_t<'py, T: Float + Element>(
    py: Python<'py>,
    b: &Out<'py>,
    a: &Out<'py>,
    per_signal: bool,
    kb: usize,
    ka: usize,
    batch: usize,
) -> PyResult<Out<'py>> {
    let (b, a) = (arr::<T>(b, "b")?, arr::<T>(a, "a")?);
    let l = u8::from(per_signal);
    let (cb, ca) = (coefs(slice(&b, "b")?, l, kb)?, coefs(slice(&a, "a")?, l, ka)?);
    let zi = diffiir::lfilter_zi(cb, ca, batch).map_err(core_err)?;
    Ok(np(py, zi))
}

#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn lfilter_zi_adjoint<'py>(
    py: Python<'py>,
    b: &Out<'py>,
    a: &Out<'py>,
    per_signal: bool,
    kb: usize,
    ka: usize,
    batch: usize,
    gzi: &Out<'py>,
) -> PyResult<(Out<'py>, Out<'py>)> {
    by_dtype!(b, lfilter_zi_adjoint_t(py, b, a, per_signal, kb, ka, batch, gzi))
}

#[allow(clippy::too_many_arguments)]
fn lfilter_zi_adjoint_t<'py, T: Float + Element>(
    py: Python<'py>,
    b: &Out<'py>,
    a: &Out<'py>,
    per_signal: bool,
    kb: usize,
    ka: usize,
    batch: usize,
    gzi: &Out<'py>,
) -> PyResult<(Out<'py>, Out<'py>)> {
    let (b, a, g) = (arr::<T>(b, "b")?, arr::<T>(a, "a")?, arr::<T>(gzi, "grad zi")?);
    let l = u8::from(per_signal);
    let (cb, ca) = (coefs(slice(&b, "b")?, l, kb)?, coefs(slice(&a, "a")?, l, ka)?);
    let (gb, ga) = diffiir::lfilter_zi_adjoint(cb, ca, batch, slice(&g, "grad zi")?).map_err(core_err)?;
    Ok((np(py, gb), np(py, ga)))
}

#[pyfunction]
fn sosfilt_zi<'py>(py: Python<'py>, sos: &Out<'py>, per_signal: bool, k: usize, batch: usize) -> PyResult<Out<'py>> {
    by_dtype!(sos, sosfilt_zi_t(py, sos, per_signal, k, batch))
}

fn sosfilt_zi_t<'py, T: Float + Element>(py: Python<'py>, sos: &Out<'py>, per_signal: bool, k: usize, batch: usize) -> PyResult<Out<'py>> {
    let sos = arr::<T>(sos, "sos")?;
    let zi = diffiir::sosfilt_zi(coefs(slice(&sos, "sos")?, u8::from(per_signal), k)?, batch).map_err(core_err)?;
    Ok(np(py, zi))
}

#[pyfunction]
fn sosfilt_zi_adjoint<'py>(
    py: Python<'py>,
    sos: &Out<'py>,
    per_signal: bool,
    k: usize,
    batch: usize,
    gzi: &Out<'py>,
) -> PyResult<Out<'py>> {
    by_dtype!(sos, sosfilt_zi_adjoint_t(py, sos, per_signal, k, batch, gzi))
}

fn sosfilt_zi_adjoint_t<'py, T: Float + Element>(
    py: Python<'py>,
    sos: &Out<'py>,
    per_signal: bool,
    k: usize,
    batch: usize,
    gzi: &Out<'py>,
) -> PyResult<Out<'py>> {
    let (sos, g) = (arr::<T>(sos, "sos")?, arr::<T>(gzi, "grad zi")?);
    let cs = coefs(slice(&sos, "sos")?, u8::from(per_signal), k)?;
    let gs = diffiir::sosfilt_zi_adjoint(cs, batch, slice(&g, "grad zi")?).map_err(core_err)?;
    Ok(np(py, gs))
}

#[pymodule]
fn _diffiir(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(allpole, m)?)?;
    m.add_function(wrap_pyfunction!(allpole_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(lfilter, m)?)?;
    m.add_function(wrap_pyfunction!(lfilter_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(sosfilt, m)?)?;
    m.add_function(wrap_pyfunction!(sosfilt_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(lfilter_zi, m)?)?;
    m.add_function(wrap_pyfunction!(lfilter_zi_adjoint, m)?)?;
    m.add_function(wrap_pyfunction!(sosfilt_zi, m)?)?;
    m.add_function(wrap_pyfunction!(sosfilt_zi_adjoint, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
