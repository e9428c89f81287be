//! `lfilter_zi`, `sosfilt_zi` and their adjoints.

use crate::{arr, coefs, core_err, np, slice, Out};
use diffiir::Float;
use numpy::{Element, PyReadonlyArray1};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

#[pyfunction]
pub(crate) fn lfilter_zi<'py>(
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
pub(crate) fn lfilter_zi_adjoint<'py>(
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
pub(crate) fn sosfilt_zi<'py>(py: Python<'py>, sos: &Out<'py>, per_signal: bool, k: usize, batch: usize) -> PyResult<Out<'py>> {
    by_dtype!(sos, sosfilt_zi_t(py, sos, per_signal, k, batch))
}

fn sosfilt_zi_t<'py, T: Float + Element>(py: Python<'py>, sos: &Out<'py>, per_signal: bool, k: usize, batch: usize) -> PyResult<Out<'py>> {
    let sos = arr::<T>(sos, "sos")?;
    let zi = diffiir::sosfilt_zi(coefs(slice(&sos, "sos")?, u8::from(per_signal), k)?, batch).map_err(core_err)?;
    Ok(np(py, zi))
}

#[pyfunction]
pub(crate) fn sosfilt_zi_adjoint<'py>(
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
