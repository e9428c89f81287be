//! Coefficient arrays with their layout, and every output of an `lfilter` forward + adjoint, for the tests
//! that compare evaluation paths.
use diffiir::*;

/// A coefficient array with its layout.
#[derive(Clone)]
pub struct C<T> {
    pub data: Vec<T>,
    pub layout: Layout,
    pub k: usize,
}

impl<T: Float> C<T> {
    pub fn view(&self) -> Coefs<'_, T> {
        match self.layout {
            Layout::Shared => Coefs::shared(&self.data),
            Layout::PerSignal => Coefs::per_signal(&self.data, self.k),
            _ => Coefs::per_sample(&self.data, self.k),
        }
    }
    pub fn cast<U: Float>(&self) -> C<U> {
        C { data: self.data.iter().map(|v| U::from(*v).unwrap()).collect(), layout: self.layout, k: self.k }
    }
}

pub fn cast<T: Float, U: Float>(v: &[T]) -> Vec<U> {
    v.iter().map(|x| U::from(*x).unwrap()).collect()
}

/// Every output of lfilter forward + adjoint, concatenated per kind, as f64.
#[allow(clippy::too_many_arguments)]
pub fn lfilter_all<T: Float>(b: &C<T>, a: &C<T>, x: &[T], d: Dims, zi: &[T], gy: &[T], gzf: &[T], par: Par) -> Vec<Vec<f64>> {
    let (cb, ca) = (b.view(), a.view());
    let m = zi.len() / d.batch;
    let mut y = vec![T::zero(); d.numel()];
    let mut zf = vec![T::zero(); zi.len()];
    let mut s = vec![T::zero(); lfilter_scratch_len(&cb, &ca, d, par)];
    lfilter_into(cb, ca, x, d, Some(zi), &mut y, Some(&mut zf), &mut s, par).unwrap();
    let (mut gx, mut gb, mut ga, mut gzi) =
        (vec![T::zero(); d.numel()], vec![T::zero(); b.data.len()], vec![T::zero(); a.data.len()], vec![T::zero(); d.batch * m]);
    let mut sa = vec![T::zero(); lfilter_adjoint_scratch_len(&cb, &ca, d, par)];
    let out = LfilterGradsMut { x: Some(&mut gx), b: Some(&mut gb), a: Some(&mut ga), zi: Some(&mut gzi) };
    lfilter_adjoint_into(cb, ca, x, &y, d, gy, Some(gzf), out, &mut sa, par).unwrap();
    [y, zf, gx, gb, ga, gzi].iter().map(|v| cast(v)).collect()
}
