//! Reference implementations: one signal at a time, straight from the difference equations.
//!
//! Slow and obviously correct. They share no code with the kernels, so the tests use them (in `f64`) as an
//! oracle for the time-varying cases, and the benchmarks time them as the plain scalar baseline.
//! Shapes follow the main functions; they are validated the same way.

use crate::error::Result;
use crate::float::Float;
use crate::shape::{Coefs, Dims};
use crate::Filtered;

/// `y[n] = x[n] − Σ a_k[n] y[n−k]`, see [`allpole`](crate::allpole).
pub fn allpole<T: Float>(x: &[T], dims: Dims, a: Coefs<'_, T>, zi: Option<&[T]>) -> Result<Filtered<T>> {
    a.check("reference::allpole", "a", dims)?;
    dims.check_signal("reference::allpole", "x", x.len())?;
    if let Some(z) = zi {
        dims.check_state("reference::allpole", "zi", a.k, "N", z.len())?;
    }
    let n = a.k;
    let mut y = vec![T::zero(); dims.numel()];
    let mut zf = vec![T::zero(); dims.batch * n];
    for b in 0..dims.batch {
        // hist[j] = y[t−1−j]
        let mut hist: Vec<T> = zi.map_or(vec![T::zero(); n], |z| z[b * n..(b + 1) * n].to_vec());
        for t in 0..dims.len {
            let c = a.set(b, t, dims.len);
            let mut v = x[b * dims.len + t];
            for k in 0..n {
                v = v - c[k] * hist[k];
            }
            hist.rotate_right(1);
            hist[0] = v;
            y[b * dims.len + t] = v;
        }
        zf[b * n..(b + 1) * n].copy_from_slice(&hist);
    }
    Ok(Filtered { y, zf })
}

/// Transposed direct form II with per-sample `a[0]` normalisation, see [`lfilter`](crate::lfilter).
pub fn lfilter<T: Float>(b: Coefs<'_, T>, a: Coefs<'_, T>, x: &[T], dims: Dims, zi: Option<&[T]>) -> Result<Filtered<T>> {
    b.check("reference::lfilter", "b", dims)?;
    a.check("reference::lfilter", "a", dims)?;
    dims.check_signal("reference::lfilter", "x", x.len())?;
    let m = b.k.max(a.k) - 1;
    if let Some(z) = zi {
        dims.check_state("reference::lfilter", "zi", m, "M", z.len())?;
    }
    let mut y = vec![T::zero(); dims.numel()];
    let mut zf = vec![T::zero(); dims.batch * m];
    for s in 0..dims.batch {
        let mut z: Vec<T> = zi.map_or(vec![T::zero(); m], |z| z[s * m..(s + 1) * m].to_vec());
        for t in 0..dims.len {
            let (bs, as_) = (b.set(s, t, dims.len), a.set(s, t, dims.len));
            let bi = |i: usize| if i < bs.len() { bs[i] / as_[0] } else { T::zero() };
            let ai = |i: usize| if i < as_.len() { as_[i] / as_[0] } else { T::zero() };
            let xv = x[s * dims.len + t];
            let yv = if m > 0 { z[0] } else { T::zero() } + bi(0) * xv;
            for i in 0..m {
                let next = if i + 1 < m { z[i + 1] } else { T::zero() };
                z[i] = next + bi(i + 1) * xv - ai(i + 1) * yv;
            }
            y[s * dims.len + t] = yv;
        }
        zf[s * m..(s + 1) * m].copy_from_slice(&z);
    }
    Ok(Filtered { y, zf })
}

/// Second-order sections, section by section over the whole signal (as scipy), see [`sosfilt`](crate::sosfilt).
pub fn sosfilt<T: Float>(sos: Coefs<'_, T>, x: &[T], dims: Dims, zi: Option<&[T]>) -> Result<Filtered<T>> {
    sos.check("reference::sosfilt", "sos", dims)?;
    dims.check_signal("reference::sosfilt", "x", x.len())?;
    let ns = sos.k / 6;
    if let Some(z) = zi {
        dims.check_state("reference::sosfilt", "zi", 2 * ns, "sections × 2", z.len())?;
    }
    let mut y = x.to_vec();
    let mut zf = vec![T::zero(); dims.batch * ns * 2];
    for b in 0..dims.batch {
        for sec in 0..ns {
            let (mut z0, mut z1) = zi.map_or((T::zero(), T::zero()), |z| (z[(b * ns + sec) * 2], z[(b * ns + sec) * 2 + 1]));
            for t in 0..dims.len {
                let c = &sos.set(b, t, dims.len)[sec * 6..][..6];
                let xv = y[b * dims.len + t];
                let yv = z0 + c[0] / c[3] * xv;
                z0 = z1 + c[1] / c[3] * xv - c[4] / c[3] * yv;
                z1 = c[2] / c[3] * xv - c[5] / c[3] * yv;
                y[b * dims.len + t] = yv;
            }
            zf[(b * ns + sec) * 2] = z0;
            zf[(b * ns + sec) * 2 + 1] = z1;
        }
    }
    Ok(Filtered { y, zf })
}
