//! `sosfilt` and its adjoint.

use crate::tape::{take, Tape};
use crate::{arr, coefs, core_err, dims, opt_arr, opt_slice, out_arrays, out_slices, outs, par, slice, some, Grads3, Out};
use pyo3::prelude::*;

dtype_fn! {
    #[pyo3(signature = (sos, ls, k, x, batch, zi=None, tape=false))]
    fn sosfilt(py, sos: &Out<'py>, ls: u8, k: usize, x: &Out<'py>, batch: usize, zi: Option<&Out<'py>>, tape: bool) -> (Out<'py>, Out<'py>, Option<Tape>) where first = x {
        let (sos, x, zi) = (arr::<T>(sos, "sos")?, arr::<T>(x, "x")?, opt_arr::<T>(zi, "zi")?);
        let (cs, xs, zs) = (coefs(slice(&sos, "sos")?, ls, k)?, slice(&x, "x")?, opt_slice(&zi, "zi")?);
        let d = dims(xs.len(), batch)?;
        let sections = k / 6;
        let p = par();
        let mut o = outs::<T, 2>(py, [true; 2], [d.numel(), d.batch * 2 * sections])?;
        let [y, zf] = out_slices(&mut o)?;
        let t = py
            .detach(|| {
                let mut t = tape.then(|| take::<T>(diffiir::sosfilt_tape_len::<T>(d, sections)));
                let mut s = vec![T::zero(); diffiir::sosfilt_scratch_len(&cs, d, p)];
                diffiir::sosfilt_into(cs, xs, d, zs, y.unwrap_or_default(), zf, t.as_deref_mut(), &mut s, p).map(|_| t)
            })
            .map_err(core_err)?;
        let [y, zf] = out_arrays(o);
        Ok((some(y)?, some(zf)?, t.map(|t| Tape(T::wrap(t)))))
    }
}

dtype_fn! {
    #[pyo3(signature = (sos, ls, k, x, y, tape, batch, gy, gzf, want))]
    fn sosfilt_adjoint(py, sos: &Out<'py>, ls: u8, k: usize, x: &Out<'py>, y: &Out<'py>, tape: &Bound<'py, Tape>, batch: usize, gy: &Out<'py>, gzf: Option<&Out<'py>>, want: [bool; 3]) -> Grads3<'py> where first = x {
        let (sos, x, y) = (arr::<T>(sos, "sos")?, arr::<T>(x, "x")?, arr::<T>(y, "y")?);
        let (gy, gzf) = (arr::<T>(gy, "grad y")?, opt_arr::<T>(gzf, "grad zf")?);
        let cs = coefs(slice(&sos, "sos")?, ls, k)?;
        let (xs, ys, ts, gys, gzfs) =
            (slice(&x, "x")?, slice(&y, "y")?, tape.get().slice::<T>()?, slice(&gy, "grad y")?, opt_slice(&gzf, "grad zf")?);
        let d = dims(xs.len(), batch)?;
        let p = par();
        let mut o = outs::<T, 3>(py, want, [d.numel(), cs.data.len(), d.batch * 2 * (k / 6)])?;
        let [x, sos, zi] = out_slices(&mut o)?;
        py.detach(|| {
            let mut s = vec![T::zero(); diffiir::sosfilt_adjoint_scratch_len(&cs, d, p)];
            diffiir::sosfilt_adjoint_into(cs, xs, ys, ts, d, gys, gzfs, diffiir::SosfiltGradsMut { x, sos, zi }, &mut s, p)
        })
        .map_err(core_err)?;
        let [gx, gs, gzi] = out_arrays(o);
        Ok((gx, gs, gzi))
    }
}
