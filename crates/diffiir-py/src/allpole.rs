//! `allpole` and its adjoint.

use crate::{arr, coefs, core_err, dims, opt_arr, opt_slice, out_arrays, out_slices, outs, par, slice, some, Grads3, Out};
use pyo3::prelude::*;

dtype_fn! {
    #[pyo3(signature = (x, batch, a, la, k, zi=None))]
    fn allpole(py, x: &Out<'py>, batch: usize, a: &Out<'py>, la: u8, k: usize, zi: Option<&Out<'py>>) -> (Out<'py>, Out<'py>) where first = x {
        let (x, a, zi) = (arr::<T>(x, "x")?, arr::<T>(a, "a")?, opt_arr::<T>(zi, "zi")?);
        let (xs, ca, zs) = (slice(&x, "x")?, coefs(slice(&a, "a")?, la, k)?, opt_slice(&zi, "zi")?);
        let d = dims(xs.len(), batch)?;
        let p = par();
        let mut o = outs::<T, 2>(py, [true; 2], [d.numel(), d.batch * k])?;
        let [y, zf] = out_slices(&mut o)?;
        py.detach(|| {
            let mut s = vec![T::zero(); diffiir::allpole_scratch_len::<T>(d, &ca, p)];
            diffiir::allpole_into(xs, d, ca, zs, y.unwrap_or_default(), zf, &mut s, p)
        })
        .map_err(core_err)?;
        let [y, zf] = out_arrays(o);
        Ok((some(y)?, some(zf)?))
    }
}

dtype_fn! {
    #[pyo3(signature = (y, batch, a, la, k, zi, gy, gzf, want))]
    fn allpole_adjoint(py, y: &Out<'py>, batch: usize, a: &Out<'py>, la: u8, k: usize, zi: Option<&Out<'py>>, gy: &Out<'py>, gzf: Option<&Out<'py>>, want: [bool; 3]) -> Grads3<'py> where first = y {
        let (y, a, zi, gy, gzf) =
            (arr::<T>(y, "y")?, arr::<T>(a, "a")?, opt_arr::<T>(zi, "zi")?, arr::<T>(gy, "grad y")?, opt_arr::<T>(gzf, "grad zf")?);
        let (ys, ca, zs, gys, gzfs) =
            (slice(&y, "y")?, coefs(slice(&a, "a")?, la, k)?, opt_slice(&zi, "zi")?, slice(&gy, "grad y")?, opt_slice(&gzf, "grad zf")?);
        let d = dims(ys.len(), batch)?;
        let p = par();
        let mut o = outs::<T, 3>(py, want, [d.numel(), ca.data.len(), d.batch * k])?;
        let [x, a, zi] = out_slices(&mut o)?;
        py.detach(|| {
            let mut s = vec![T::zero(); diffiir::allpole_adjoint_scratch_len::<T>(d, &ca, p)];
            diffiir::allpole_adjoint_into(ys, d, ca, zs, gys, gzfs, diffiir::AllpoleGradsMut { x, a, zi }, &mut s, p)
        })
        .map_err(core_err)?;
        let [gx, ga, gzi] = out_arrays(o);
        Ok((gx, ga, gzi))
    }
}
