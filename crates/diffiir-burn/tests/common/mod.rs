//! Helpers shared by the integration tests: f64 tensors from slices and back, deterministic values, and the
//! central-difference check.
#![allow(dead_code, clippy::unwrap_used)]

use burn::tensor::{DType, Device, Tensor, TensorData};

/// An f64 tensor of shape `s` from `v`.
pub fn t<const D: usize>(v: &[f64], s: [usize; D], dev: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(v.to_vec(), s), (dev, DType::F64))
}

/// A tensor's values as f64 on the host.
pub fn host<const D: usize>(t: Tensor<D>) -> Vec<f64> {
    t.into_data().convert::<f64>().try_to_vec::<f64>().unwrap()
}

/// Deterministic pseudo-random values in [-1, 1) (xorshift).
pub fn vals(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
        .collect()
}

/// Checks `grads` against central differences (step `1e-6·max(|p|, 1)`) of `loss` in every entry of every
/// parameter vector, to `tol` relative (absolute below 1).
pub fn fd_check(what: &str, params: &[Vec<f64>], grads: &[Vec<f64>], loss: &dyn Fn(&[Vec<f64>]) -> f64, tol: f64) {
    for (i, g) in grads.iter().enumerate() {
        assert_eq!(g.len(), params[i].len(), "{what}: gradient {i} length");
        for j in 0..params[i].len() {
            let h = 1e-6 * params[i][j].abs().max(1.0);
            let mut p = params.to_vec();
            p[i][j] += h;
            let lp = loss(&p);
            p[i][j] -= 2.0 * h;
            let lm = loss(&p);
            let fd = (lp - lm) / (2.0 * h);
            assert!((fd - g[j]).abs() <= tol * fd.abs().max(1.0), "{what} param {i}[{j}]: fd {fd} vs {}", g[j]);
        }
    }
}
