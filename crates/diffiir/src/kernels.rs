//! Where the kernels are compiled: once per sample type, in this crate.
//!
//! The public `*_into` functions are generic, and a generic function is compiled in every crate that calls
//! it — each test binary, bench and adapter would otherwise build its own copy of every kernel (at every
//! [`Simd`](crate::Simd) level). They forward to these methods, whose `f32` and `f64` bodies are compiled
//! here, once.

use crate::allpole::AllpoleGradsMut;
use crate::error::Result;
use crate::lfilter::LfilterGradsMut;
use crate::par::Par;
use crate::shape::{Coefs, Dims};
use crate::sosfilt::SosfiltGradsMut;

/// The buffer-passing kernels for one sample type (sealed: a bound of [`Float`](crate::Float)).
#[allow(clippy::too_many_arguments)]
pub trait Kernels: Sized {
    #[doc(hidden)]
    fn lfilter_into(
        b: Coefs<'_, Self>,
        a: Coefs<'_, Self>,
        x: &[Self],
        dims: Dims,
        zi: Option<&[Self]>,
        y: &mut [Self],
        zf: Option<&mut [Self]>,
        scratch: &mut [Self],
        par: Par,
    ) -> Result<()>;
    #[doc(hidden)]
    fn lfilter_adjoint_into(
        b: Coefs<'_, Self>,
        a: Coefs<'_, Self>,
        x: &[Self],
        y: &[Self],
        dims: Dims,
        gy: &[Self],
        gzf: Option<&[Self]>,
        out: LfilterGradsMut<'_, Self>,
        scratch: &mut [Self],
        par: Par,
    ) -> Result<()>;
    #[doc(hidden)]
    fn sosfilt_into(
        sos: Coefs<'_, Self>,
        x: &[Self],
        dims: Dims,
        zi: Option<&[Self]>,
        y: &mut [Self],
        zf: Option<&mut [Self]>,
        tape: Option<&mut [Self]>,
        scratch: &mut [Self],
        par: Par,
    ) -> Result<()>;
    #[doc(hidden)]
    fn sosfilt_adjoint_into(
        sos: Coefs<'_, Self>,
        x: &[Self],
        y: &[Self],
        tape: &[Self],
        dims: Dims,
        gy: &[Self],
        gzf: Option<&[Self]>,
        out: SosfiltGradsMut<'_, Self>,
        scratch: &mut [Self],
        par: Par,
    ) -> Result<()>;
    #[doc(hidden)]
    fn allpole_into(
        x: &[Self],
        dims: Dims,
        a: Coefs<'_, Self>,
        zi: Option<&[Self]>,
        y: &mut [Self],
        zf: Option<&mut [Self]>,
        scratch: &mut [Self],
        par: Par,
    ) -> Result<()>;
    #[doc(hidden)]
    fn allpole_adjoint_into(
        y: &[Self],
        dims: Dims,
        a: Coefs<'_, Self>,
        zi: Option<&[Self]>,
        gy: &[Self],
        gzf: Option<&[Self]>,
        out: AllpoleGradsMut<'_, Self>,
        scratch: &mut [Self],
        par: Par,
    ) -> Result<()>;
}

macro_rules! kernels {
    ($($t:ty),*) => {$(
        impl Kernels for $t {
            fn lfilter_into(b: Coefs<'_, $t>, a: Coefs<'_, $t>, x: &[$t], dims: Dims, zi: Option<&[$t]>, y: &mut [$t], zf: Option<&mut [$t]>, scratch: &mut [$t], par: Par) -> Result<()> {
                crate::lfilter::lfilter_into_impl(b, a, x, dims, zi, y, zf, scratch, par)
            }
            fn lfilter_adjoint_into(b: Coefs<'_, $t>, a: Coefs<'_, $t>, x: &[$t], y: &[$t], dims: Dims, gy: &[$t], gzf: Option<&[$t]>, out: LfilterGradsMut<'_, $t>, scratch: &mut [$t], par: Par) -> Result<()> {
                crate::lfilter::lfilter_adjoint_into_impl(b, a, x, y, dims, gy, gzf, out, scratch, par)
            }
            fn sosfilt_into(sos: Coefs<'_, $t>, x: &[$t], dims: Dims, zi: Option<&[$t]>, y: &mut [$t], zf: Option<&mut [$t]>, tape: Option<&mut [$t]>, scratch: &mut [$t], par: Par) -> Result<()> {
                crate::sosfilt::sosfilt_into_impl(sos, x, dims, zi, y, zf, tape, scratch, par)
            }
            fn sosfilt_adjoint_into(sos: Coefs<'_, $t>, x: &[$t], y: &[$t], tape: &[$t], dims: Dims, gy: &[$t], gzf: Option<&[$t]>, out: SosfiltGradsMut<'_, $t>, scratch: &mut [$t], par: Par) -> Result<()> {
                crate::sosfilt::sosfilt_adjoint_into_impl(sos, x, y, tape, dims, gy, gzf, out, scratch, par)
            }
            fn allpole_into(x: &[$t], dims: Dims, a: Coefs<'_, $t>, zi: Option<&[$t]>, y: &mut [$t], zf: Option<&mut [$t]>, scratch: &mut [$t], par: Par) -> Result<()> {
                crate::allpole::allpole_into_impl(x, dims, a, zi, y, zf, scratch, par)
            }
            fn allpole_adjoint_into(y: &[$t], dims: Dims, a: Coefs<'_, $t>, zi: Option<&[$t]>, gy: &[$t], gzf: Option<&[$t]>, out: AllpoleGradsMut<'_, $t>, scratch: &mut [$t], par: Par) -> Result<()> {
                crate::allpole::allpole_adjoint_into_impl(y, dims, a, zi, gy, gzf, out, scratch, par)
            }
        }
    )*};
}

kernels!(f32, f64);
