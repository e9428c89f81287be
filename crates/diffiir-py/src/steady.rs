//! `lfilter_zi`, `sosfilt_zi` and their adjoints.

use crate::{arr, coefs, core_err, np, slice, Out};
use pyo3::prelude::*;

dtype_fn! {
    fn lfilter_zi(py, b: &Out<'py>, a: &Out<'py>, per_signal: bool, kb: usize, ka: usize, batch: usize) -> Out<'py> where first = b {
        let (b, a) = (arr::<T>(b, "b")?, arr::<T>(a, "a")?);
        let l = u8::from(per_signal);
        let (cb, ca) = (coefs(slice(&b, "b")?, l, kb)?, coefs(slice(&a, "a")?, l, ka)?);
        let zi = diffiir::lfilter_zi(cb, ca, batch).map_err(core_err)?;
        Ok(np(py, zi))
    }
}

dtype_fn! {
    fn lfilter_zi_adjoint(py, b: &Out<'py>, a: &Out<'py>, per_signal: bool, kb: usize, ka: usize, batch: usize, gzi: &Out<'py>) -> (Out<'py>, Out<'py>) where first = b {
        let (b, a, g) = (arr::<T>(b, "b")?, arr::<T>(a, "a")?, arr::<T>(gzi, "grad zi")?);
        let l = u8::from(per_signal);
        let (cb, ca) = (coefs(slice(&b, "b")?, l, kb)?, coefs(slice(&a, "a")?, l, ka)?);
        let (gb, ga) = diffiir::lfilter_zi_adjoint(cb, ca, batch, slice(&g, "grad zi")?).map_err(core_err)?;
        Ok((np(py, gb), np(py, ga)))
    }
}

dtype_fn! {
    fn sosfilt_zi(py, sos: &Out<'py>, per_signal: bool, k: usize, batch: usize) -> Out<'py> where first = sos {
        let sos = arr::<T>(sos, "sos")?;
        let zi = diffiir::sosfilt_zi(coefs(slice(&sos, "sos")?, u8::from(per_signal), k)?, batch).map_err(core_err)?;
        Ok(np(py, zi))
    }
}

dtype_fn! {
    fn sosfilt_zi_adjoint(py, sos: &Out<'py>, per_signal: bool, k: usize, batch: usize, gzi: &Out<'py>) -> Out<'py> where first = sos {
        let (sos, g) = (arr::<T>(sos, "sos")?, arr::<T>(gzi, "grad zi")?);
        let cs = coefs(slice(&sos, "sos")?, u8::from(per_signal), k)?;
        let gs = diffiir::sosfilt_zi_adjoint(cs, batch, slice(&g, "grad zi")?).map_err(core_err)?;
        Ok(np(py, gs))
    }
}

dtype_fn! {
    /// Schur–Cohn stability of `sets` coefficient sets of `k` values each: `kind` 0 = `lfilter`'s `a` (with `a0`),
    /// 1 = `allpole`'s `a_1..a_N`, 2 = sos rows. Raises ValueError naming the first unstable set.
    fn check_stable(py, c: &Out<'py>, kind: u8, k: usize, sets: usize) -> () where first = c {
        let _ = py;
        let c = arr::<T>(c, "a")?;
        let cs = coefs(slice(&c, "a")?, 1, k)?;
        let d = diffiir::Dims::new(sets, 1);
        match kind {
            0 => diffiir::check_stable(cs, d),
            1 => diffiir::check_stable_allpole(cs, d),
            _ => diffiir::check_stable_sos(cs, d),
        }
        .map_err(core_err)
    }
}
