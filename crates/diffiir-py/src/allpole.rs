//! `allpole` and its adjoint.

use crate::{arr, bufs, coefs, core_err, dims, np, opt_arr, opt_np, opt_slice, par, slice, Grads3, Out};
use pyo3::prelude::*;

dtype_fn! {
    #[pyo3(signature = (x, batch, a, la, k, zi=None))]
    fn allpole(py, x: &Out<'py>, batch: usize, a: &Out<'py>, la: u8, k: usize, zi: Option<&Out<'py>>) -> (Out<'py>, Out<'py>) where first = x {
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
}
