//! `lfilter` and its adjoint.

use crate::{arr, coefs, core_err, dims, opt_arr, opt_slice, out_arrays, out_slices, outs, par, slice, some, Out};
use pyo3::prelude::*;

dtype_fn! {
    #[pyo3(signature = (b, lb, kb, a, la, ka, x, batch, zi=None))]
    fn lfilter(py, b: &Out<'py>, lb: u8, kb: usize, a: &Out<'py>, la: u8, ka: usize, x: &Out<'py>, batch: usize, zi: Option<&Out<'py>>) -> (Out<'py>, Out<'py>) where first = x {
        let (b, a, x, zi) = (arr::<T>(b, "b")?, arr::<T>(a, "a")?, arr::<T>(x, "x")?, opt_arr::<T>(zi, "zi")?);
        let (cb, ca, xs, zs) = (coefs(slice(&b, "b")?, lb, kb)?, coefs(slice(&a, "a")?, la, ka)?, slice(&x, "x")?, opt_slice(&zi, "zi")?);
        let d = dims(xs.len(), batch)?;
        let m = kb.max(ka).saturating_sub(1);
        let p = par();
        let mut o = outs::<T, 2>(py, [true; 2], [d.numel(), d.batch * m])?;
        let [y, zf] = out_slices(&mut o)?;
        py.detach(|| {
            let mut s = vec![T::zero(); diffiir::lfilter_scratch_len(&cb, &ca, d, p)];
            diffiir::lfilter_into(cb, ca, xs, d, zs, y.unwrap_or_default(), zf, &mut s, p)
        })
        .map_err(core_err)?;
        let [y, zf] = out_arrays(o);
        Ok((some(y)?, some(zf)?))
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
        let mut o = outs::<T, 4>(py, want, [d.numel(), cb.data.len(), ca.data.len(), d.batch * m])?;
        let [x, b, a, zi] = out_slices(&mut o)?;
        py.detach(|| {
            let mut s = vec![T::zero(); diffiir::lfilter_adjoint_scratch_len(&cb, &ca, d, p)];
            diffiir::lfilter_adjoint_into(cb, ca, xs, ys, d, gys, gzfs, diffiir::LfilterGradsMut { x, b, a, zi }, &mut s, p)
        })
        .map_err(core_err)?;
        let [gx, gb, ga, gzi] = out_arrays(o);
        Ok((gx, gb, ga, gzi))
    }
}
