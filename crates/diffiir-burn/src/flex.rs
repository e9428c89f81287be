//! The Flex (CPU) backend: unwrap to slices, call the core, wrap the result. A dtype switch and nothing else.

use crate::ops::IirOps;
use burn::backend::flex::FlexTensor;
use burn::backend::{Flex, TensorMetadata};
use burn::tensor::{DType, TensorData};
use diffiir::{Coefs, Dims, Float, Layout};

/// A contiguous tensor's data as a slice of `T` (shapes were validated before dispatch).
fn data<T: Float + burn::tensor::Element + bytemuck::Pod>(t: &FlexTensor) -> &[T] {
    t.as_slice::<T>().unwrap_or(&[])
}

fn coefs<'a, T>(data: &'a [T], rank: usize, k: usize) -> Coefs<'a, T> {
    let layout = match rank {
        1 => Layout::Shared,
        2 => Layout::PerSignal,
        _ => Layout::PerSample,
    };
    Coefs { data, layout, k }
}

fn tensor<T: burn::tensor::Element>(v: Vec<T>, shape: Vec<usize>) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(v, shape))
}

fn lfilter_t<T: Float + burn::tensor::Element + bytemuck::Pod>(
    b: &FlexTensor,
    a: &FlexTensor,
    x: &FlexTensor,
    zi: &FlexTensor,
) -> (FlexTensor, FlexTensor) {
    let (bs, as_, xs) = (b.shape(), a.shape(), x.shape());
    let (kb, ka) = (bs[bs.num_dims() - 1], as_[as_.num_dims() - 1]);
    let d = Dims::new(xs[0], xs[1]);
    let m = kb.max(ka) - 1;
    let (cb, ca) = (coefs(data::<T>(b), bs.num_dims(), kb), coefs(data::<T>(a), as_.num_dims(), ka));
    let zi = (m > 0).then(|| data::<T>(zi));
    let out = diffiir::lfilter(cb, ca, data::<T>(x), d, zi)
        .unwrap_or_else(|_| diffiir::Filtered { y: vec![T::nan(); d.numel()], zf: vec![T::nan(); d.batch * m] });
    (tensor(out.y, xs.to_vec()), tensor(out.zf, vec![d.batch, m]))
}

#[allow(clippy::type_complexity)]
fn lfilter_adjoint_t<T: Float + burn::tensor::Element + bytemuck::Pod>(
    b: &FlexTensor,
    a: &FlexTensor,
    x: &FlexTensor,
    y: &FlexTensor,
    gy: &FlexTensor,
    gzf: &FlexTensor,
) -> (FlexTensor, FlexTensor, FlexTensor, FlexTensor) {
    let (bs, as_, xs) = (b.shape(), a.shape(), x.shape());
    let (kb, ka) = (bs[bs.num_dims() - 1], as_[as_.num_dims() - 1]);
    let d = Dims::new(xs[0], xs[1]);
    let m = kb.max(ka) - 1;
    let (cb, ca) = (coefs(data::<T>(b), bs.num_dims(), kb), coefs(data::<T>(a), as_.num_dims(), ka));
    let g = diffiir::lfilter_adjoint(cb, ca, data::<T>(x), data::<T>(y), d, data::<T>(gy), (m > 0).then(|| data::<T>(gzf))).unwrap_or_else(
        |_| diffiir::LfilterGrads {
            x: vec![T::nan(); d.numel()],
            b: vec![T::nan(); cb.data.len()],
            a: vec![T::nan(); ca.data.len()],
            zi: vec![T::nan(); d.batch * m],
        },
    );
    (tensor(g.b, bs.to_vec()), tensor(g.a, as_.to_vec()), tensor(g.x, xs.to_vec()), tensor(g.zi, vec![d.batch, m]))
}

fn sosfilt_t<T: Float + burn::tensor::Element + bytemuck::Pod>(
    sos: &FlexTensor,
    x: &FlexTensor,
    zi: &FlexTensor,
) -> (FlexTensor, FlexTensor, FlexTensor) {
    let (ss, xs) = (sos.shape(), x.shape());
    let k = ss[ss.num_dims() - 1];
    let d = Dims::new(xs[0], xs[1]);
    let m = k / 3;
    let cs = coefs(data::<T>(sos), ss.num_dims(), k);
    let (out, tape) = diffiir::sosfilt_with_tape(cs, data::<T>(x), d, Some(data::<T>(zi)))
        .unwrap_or_else(|_| (diffiir::Filtered { y: vec![T::nan(); d.numel()], zf: vec![T::nan(); d.batch * m] }, vec![]));
    let n = tape.len();
    (tensor(out.y, xs.to_vec()), tensor(out.zf, vec![d.batch, m]), tensor(tape, vec![n]))
}

fn sosfilt_adjoint_t<T: Float + burn::tensor::Element + bytemuck::Pod>(
    sos: &FlexTensor,
    x: &FlexTensor,
    y: &FlexTensor,
    tape: &FlexTensor,
    gy: &FlexTensor,
    gzf: &FlexTensor,
) -> (FlexTensor, FlexTensor, FlexTensor) {
    let (ss, xs) = (sos.shape(), x.shape());
    let k = ss[ss.num_dims() - 1];
    let d = Dims::new(xs[0], xs[1]);
    let cs = coefs(data::<T>(sos), ss.num_dims(), k);
    let g = diffiir::sosfilt_adjoint(cs, data::<T>(x), data::<T>(y), data::<T>(tape), d, data::<T>(gy), Some(data::<T>(gzf)))
        .unwrap_or_else(|_| diffiir::SosfiltGrads {
            x: vec![T::nan(); d.numel()],
            sos: vec![T::nan(); cs.data.len()],
            zi: vec![T::nan(); d.batch * k / 3],
        });
    (tensor(g.sos, ss.to_vec()), tensor(g.x, xs.to_vec()), tensor(g.zi, vec![d.batch, k / 3]))
}

fn allpole_t<T: Float + burn::tensor::Element + bytemuck::Pod>(
    x: &FlexTensor,
    a: &FlexTensor,
    zi: &FlexTensor,
) -> (FlexTensor, FlexTensor) {
    let (as_, xs) = (a.shape(), x.shape());
    let n = as_[as_.num_dims() - 1];
    let d = Dims::new(xs[0], xs[1]);
    let out = diffiir::allpole(data::<T>(x), d, coefs(data::<T>(a), as_.num_dims(), n), Some(data::<T>(zi)))
        .unwrap_or_else(|_| diffiir::Filtered { y: vec![T::nan(); d.numel()], zf: vec![T::nan(); d.batch * n] });
    (tensor(out.y, xs.to_vec()), tensor(out.zf, vec![d.batch, n]))
}

fn allpole_adjoint_t<T: Float + burn::tensor::Element + bytemuck::Pod>(
    y: &FlexTensor,
    a: &FlexTensor,
    zi: &FlexTensor,
    gy: &FlexTensor,
    gzf: &FlexTensor,
) -> (FlexTensor, FlexTensor, FlexTensor) {
    let (as_, ys) = (a.shape(), y.shape());
    let n = as_[as_.num_dims() - 1];
    let d = Dims::new(ys[0], ys[1]);
    let ca = coefs(data::<T>(a), as_.num_dims(), n);
    let g = diffiir::allpole_adjoint(data::<T>(y), d, ca, Some(data::<T>(zi)), data::<T>(gy), Some(data::<T>(gzf))).unwrap_or_else(|_| {
        diffiir::AllpoleGrads { x: vec![T::nan(); d.numel()], a: vec![T::nan(); ca.data.len()], zi: vec![T::nan(); d.batch * n] }
    });
    (tensor(g.x, ys.to_vec()), tensor(g.a, as_.to_vec()), tensor(g.zi, vec![d.batch, n]))
}

macro_rules! by_dtype {
    ($t:expr, $f:ident($($arg:expr),*)) => {
        match $t.dtype() {
            DType::F64 => $f::<f64>($($arg),*),
            _ => $f::<f32>($($arg),*),
        }
    };
}

impl IirOps for Flex {
    fn lfilter(b: FlexTensor, a: FlexTensor, x: FlexTensor, zi: FlexTensor) -> (FlexTensor, FlexTensor) {
        let (b, a, x, zi) = (b.to_contiguous(), a.to_contiguous(), x.to_contiguous(), zi.to_contiguous());
        by_dtype!(x, lfilter_t(&b, &a, &x, &zi))
    }

    fn lfilter_adjoint(
        b: FlexTensor,
        a: FlexTensor,
        x: FlexTensor,
        y: FlexTensor,
        gy: FlexTensor,
        gzf: FlexTensor,
    ) -> (FlexTensor, FlexTensor, FlexTensor, FlexTensor) {
        let c = |t: FlexTensor| t.to_contiguous();
        let (b, a, x, y, gy, gzf) = (c(b), c(a), c(x), c(y), c(gy), c(gzf));
        by_dtype!(x, lfilter_adjoint_t(&b, &a, &x, &y, &gy, &gzf))
    }

    fn sosfilt(sos: FlexTensor, x: FlexTensor, zi: FlexTensor) -> (FlexTensor, FlexTensor, FlexTensor) {
        let (sos, x, zi) = (sos.to_contiguous(), x.to_contiguous(), zi.to_contiguous());
        by_dtype!(x, sosfilt_t(&sos, &x, &zi))
    }

    fn sosfilt_adjoint(
        sos: FlexTensor,
        x: FlexTensor,
        y: FlexTensor,
        tape: FlexTensor,
        gy: FlexTensor,
        gzf: FlexTensor,
    ) -> (FlexTensor, FlexTensor, FlexTensor) {
        let c = |t: FlexTensor| t.to_contiguous();
        let (sos, x, y, tape, gy, gzf) = (c(sos), c(x), c(y), c(tape), c(gy), c(gzf));
        by_dtype!(x, sosfilt_adjoint_t(&sos, &x, &y, &tape, &gy, &gzf))
    }

    fn allpole(x: FlexTensor, a: FlexTensor, zi: FlexTensor) -> (FlexTensor, FlexTensor) {
        let (x, a, zi) = (x.to_contiguous(), a.to_contiguous(), zi.to_contiguous());
        by_dtype!(x, allpole_t(&x, &a, &zi))
    }

    fn allpole_adjoint(
        y: FlexTensor,
        a: FlexTensor,
        zi: FlexTensor,
        gy: FlexTensor,
        gzf: FlexTensor,
    ) -> (FlexTensor, FlexTensor, FlexTensor) {
        let c = |t: FlexTensor| t.to_contiguous();
        let (y, a, zi, gy, gzf) = (c(y), c(a), c(zi), c(gy), c(gzf));
        by_dtype!(y, allpole_adjoint_t(&y, &a, &zi, &gy, &gzf))
    }
}
