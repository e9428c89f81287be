//! `lfilter` and its adjoint.

use crate::{arr, bufs, coefs, core_err, dims, np, opt_arr, opt_np, opt_slice, par, slice, Out};
use pyo3::prelude::*;

dtype_fn! {
    #[pyo3(signature = (b, lb, kb, a, la, ka, x, batch, zi=None))]
    fn lfilter(py, b: &Out<'py>, lb: u8, kb: usize, a: &Out<'py>, la: u8, ka: usize, x: &Out<'py>, batch: usize, zi: Option<&Out<'py>>) -> (Out<'py>, Out<'py>) where first = x {
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
}

type Grads4<'py> = (Option<Out<'py>>, Option<Out<'py>>, Option<Out<'py>>, Option<Out<'py>>);

dtype_fn! {
    #[pyo3(signature = (b, lb, kb, a, la, ka, x, y, batch, gy, gzf, want))]
    fn lfilter_adjoint(py, b: &Out<'py>, lb: u8, kb: usize, a: &Out<'py>, la: u8, ka: usize, x: &Out<'py>, y: &Out<'py>, batch: usize, gy: &Out<'py>, gzf: Option<&Out<'py>>, want: [bool; 4]) -> Grads4<'py> where first = x {
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
}
