//! Frequency responses and frequency-sampling filters, with their adjoints. Complex values cross the boundary
//! as interleaved `(re, im)` pairs of the real dtype (numpy's `complex.view(float)` layout).

use crate::{arr, coefs, core_err, dims, np, slice, Out};
use diffiir::freq::Complex;
use diffiir::{freq, Float};
use pyo3::prelude::*;

fn to_complex<T: Float>(v: &[T]) -> Vec<Complex<T>> {
    v.chunks_exact(2).map(|c| Complex::new(c[0], c[1])).collect()
}

fn interleave<T: Float>(v: Vec<Complex<T>>) -> Vec<T> {
    v.into_iter().flat_map(|c| [c.re, c.im]).collect()
}

dtype_fn! {
    fn freqz(py, b: &Out<'py>, lb: u8, kb: usize, a: &Out<'py>, la: u8, ka: usize, batch: usize, w: &Out<'py>) -> Out<'py> where first = w {
        let (b, a, w) = (arr::<T>(b, "b")?, arr::<T>(a, "a")?, arr::<T>(w, "worN")?);
        let (cb, ca, ws) = (coefs(slice(&b, "b")?, lb, kb)?, coefs(slice(&a, "a")?, la, ka)?, slice(&w, "worN")?);
        let h = py.detach(|| freq::freqz(cb, ca, batch, ws)).map_err(core_err)?;
        Ok(np(py, interleave(h)))
    }
}

dtype_fn! {
    fn freqz_adjoint(py, b: &Out<'py>, lb: u8, kb: usize, a: &Out<'py>, la: u8, ka: usize, batch: usize, w: &Out<'py>, gh: &Out<'py>) -> (Out<'py>, Out<'py>) where first = w {
        let (b, a, w, gh) = (arr::<T>(b, "b")?, arr::<T>(a, "a")?, arr::<T>(w, "worN")?, arr::<T>(gh, "grad h")?);
        let (cb, ca, ws, ghs) =
            (coefs(slice(&b, "b")?, lb, kb)?, coefs(slice(&a, "a")?, la, ka)?, slice(&w, "worN")?, to_complex(slice(&gh, "grad h")?));
        let (gb, ga) = py.detach(|| freq::freqz_adjoint(cb, ca, batch, ws, &ghs)).map_err(core_err)?;
        Ok((np(py, gb), np(py, ga)))
    }
}

dtype_fn! {
    fn sosfreqz(py, sos: &Out<'py>, ls: u8, k: usize, batch: usize, w: &Out<'py>) -> Out<'py> where first = w {
        let (sos, w) = (arr::<T>(sos, "sos")?, arr::<T>(w, "worN")?);
        let (cs, ws) = (coefs(slice(&sos, "sos")?, ls, k)?, slice(&w, "worN")?);
        let h = py.detach(|| freq::sosfreqz(cs, batch, ws)).map_err(core_err)?;
        Ok(np(py, interleave(h)))
    }
}

dtype_fn! {
    fn sosfreqz_adjoint(py, sos: &Out<'py>, ls: u8, k: usize, batch: usize, w: &Out<'py>, gh: &Out<'py>) -> Out<'py> where first = w {
        let (sos, w, gh) = (arr::<T>(sos, "sos")?, arr::<T>(w, "worN")?, arr::<T>(gh, "grad h")?);
        let (cs, ws, ghs) = (coefs(slice(&sos, "sos")?, ls, k)?, slice(&w, "worN")?, to_complex(slice(&gh, "grad h")?));
        let g = py.detach(|| freq::sosfreqz_adjoint(cs, batch, ws, &ghs)).map_err(core_err)?;
        Ok(np(py, g))
    }
}

dtype_fn! {
    /// Frequency-sampling filter; `b`/`a` given = `lfilter_fsm`, else `sos` = `sosfilt_fsm`. Returns
    /// `(y, n_fft used)`.
    #[pyo3(signature = (c0, l0, k0, c1, l1, k1, sos, x, batch, n_fft=None))]
    fn fsm(py, c0: &Out<'py>, l0: u8, k0: usize, c1: &Out<'py>, l1: u8, k1: usize, sos: bool, x: &Out<'py>, batch: usize, n_fft: Option<usize>) -> (Out<'py>, usize) where first = x {
        let (c0, c1, x) = (arr::<T>(c0, "b")?, arr::<T>(c1, "a")?, arr::<T>(x, "x")?);
        let (p0, p1, xs) = (coefs(slice(&c0, "b")?, l0, k0)?, coefs(slice(&c1, "a")?, l1, k1)?, slice(&x, "x")?);
        let d = dims(xs.len(), batch)?;
        let (y, n) = py
            .detach(|| {
                let n = match (n_fft, sos) {
                    (Some(n), _) => n,
                    (None, true) => freq::sosfilt_fsm_n_fft(p0, d)?,
                    (None, false) => freq::lfilter_fsm_n_fft(p0, p1, d)?,
                };
                let y = if sos { freq::sosfilt_fsm(p0, xs, d, Some(n))? } else { freq::lfilter_fsm(p0, p1, xs, d, Some(n))? };
                Ok((y, n))
            })
            .map_err(core_err)?;
        Ok((np(py, y), n))
    }
}

dtype_fn! {
    /// Adjoint of [`fsm`] with the same `n_fft`: `(∂L/∂x, ∂L/∂b or ∂L/∂sos, ∂L/∂a (empty for sos))`.
    fn fsm_adjoint(py, c0: &Out<'py>, l0: u8, k0: usize, c1: &Out<'py>, l1: u8, k1: usize, sos: bool, x: &Out<'py>, batch: usize, n_fft: usize, gy: &Out<'py>) -> (Out<'py>, Out<'py>, Out<'py>) where first = x {
        let (c0, c1, x, gy) = (arr::<T>(c0, "b")?, arr::<T>(c1, "a")?, arr::<T>(x, "x")?, arr::<T>(gy, "grad y")?);
        let (p0, p1, xs, gys) = (coefs(slice(&c0, "b")?, l0, k0)?, coefs(slice(&c1, "a")?, l1, k1)?, slice(&x, "x")?, slice(&gy, "grad y")?);
        let d = dims(xs.len(), batch)?;
        let g = py
            .detach(|| {
                if sos {
                    freq::sosfilt_fsm_adjoint(p0, xs, d, Some(n_fft), gys)
                } else {
                    freq::lfilter_fsm_adjoint(p0, p1, xs, d, Some(n_fft), gys)
                }
            })
            .map_err(core_err)?;
        Ok((np(py, g.x), np(py, g.b), np(py, g.a)))
    }
}
