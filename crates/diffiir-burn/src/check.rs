//! Validation before dispatch (backend ops cannot return errors). Shapes come from the tensors' dimensions; only
//! the leading denominator coefficients are read back to the host, never the whole coefficient tensor.

use crate::Coef;
use burn::tensor::{Tensor, TensorData};
use diffiir::{Coefs, Dims, Error};

/// Checks that `c`'s leading axes match `[B]` / `[B, T]` of the signal and that it has coefficients.
pub(crate) fn dims(func: &'static str, arg: &'static str, c: &Coef, d: Dims) -> Result<(), Error> {
    let (got, want): (Vec<usize>, Vec<usize>) = match c {
        Coef::Shared(t) => (t.dims().to_vec(), vec![c.k()]),
        Coef::PerSignal(t) => (t.dims().to_vec(), vec![d.batch, c.k()]),
        Coef::PerSample(t) => (t.dims().to_vec(), vec![d.batch, d.len, c.k()]),
    };
    if c.k() == 0 {
        return Err(Error::Empty { func, arg });
    }
    if got != want {
        return Err(Error::Shape { func, arg, expected: format!("{want:?}"), got: format!("{got:?}") });
    }
    Ok(())
}

/// Errors if coefficient `j` of any group of `stride` coefficients (a set, or a section) is zero.
pub(crate) fn lead(func: &'static str, arg: &'static str, c: &Coef, j: usize, stride: usize) -> Result<(), Error> {
    let flat: Tensor<1> = match c {
        Coef::Shared(t) => t.clone(),
        Coef::PerSignal(t) => t.clone().flatten(0, 1),
        Coef::PerSample(t) => t.clone().flatten(0, 2),
    };
    let groups = flat.dims()[0] / stride;
    let column = flat.reshape([groups, stride]).narrow(1, j, 1);
    let values = host(column.into_data(), func, arg)?;
    match values.iter().position(|&v| v == 0.0) {
        Some(index) => Err(Error::ZeroLeadingCoefficient { func, arg, index }),
        None => Ok(()),
    }
}

/// The core's order limit for `lfilter`, checked on a stand-in filter of the same lengths.
pub(crate) fn order(kb: usize, ka: usize) -> Result<usize, Error> {
    let (b, a) = (vec![0.0f64; kb], vec![1.0f64; ka]);
    diffiir::lfilter_check(&Coefs::shared(&b), &Coefs::shared(&a), Dims::new(1, 1))
}

/// `zi` checked against `[B, M]`, or zeros like `x`.
pub(crate) fn state(func: &'static str, zi: Option<Tensor<2>>, d: Dims, m: usize, x: &Tensor<2>) -> Result<Tensor<2>, Error> {
    match zi {
        Some(z) if z.dims() != [d.batch, m] => {
            Err(Error::Shape { func, arg: "zi", expected: format!("[{}, {m}]", d.batch), got: format!("{:?}", z.dims()) })
        }
        Some(z) => Ok(z),
        None => Ok(Tensor::<2>::zeros([d.batch, m], (&x.device(), x.dtype()))),
    }
}

/// A tensor's values as `f64` on the host.
pub(crate) fn host(data: TensorData, func: &'static str, arg: &'static str) -> Result<Vec<f64>, Error> {
    data.convert::<f64>().try_into_vec::<f64>().map_err(|e| Error::Shape {
        func,
        arg,
        expected: "a float tensor".into(),
        got: format!("{e:?}"),
    })
}
