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

/// Declares the sealed `Kernels` trait from one list of entry points and implements it for `f32` and `f64` by
/// calling each entry's generic implementation (`Self` stands for the sample type in both).
macro_rules! kernels {
    ($(fn $name:ident($($arg:ident: $ty:ty),* $(,)?) => $imp:path;)*) => {
        /// The buffer-passing kernels for one sample type (sealed: a bound of [`Float`](crate::Float)).
        #[allow(clippy::too_many_arguments)]
        pub trait Kernels: Sized {
            $(
                #[doc(hidden)]
                fn $name($($arg: $ty),*) -> Result<()>;
            )*
        }
        kernels!(@impl f32, $(fn $name($($arg: $ty),*) => $imp;)*);
        kernels!(@impl f64, $(fn $name($($arg: $ty),*) => $imp;)*);
    };
    (@impl $t:ty, $(fn $name:ident($($arg:ident: $ty:ty),*) => $imp:path;)*) => {
        impl Kernels for $t {
            $(
                fn $name($($arg: $ty),*) -> Result<()> {
                    $imp($($arg),*)
                }
            )*
        }
    };
}

kernels! {
    fn lfilter_into(
        b: Coefs<'_, Self>, a: Coefs<'_, Self>, x: &[Self], dims: Dims, zi: Option<&[Self]>, y: &mut [Self],
        zf: Option<&mut [Self]>, scratch: &mut [Self], par: Par,
    ) => crate::lfilter::lfilter_into_impl;
    fn lfilter_adjoint_into(
        b: Coefs<'_, Self>, a: Coefs<'_, Self>, x: &[Self], y: &[Self], dims: Dims, gy: &[Self], gzf: Option<&[Self]>,
        out: LfilterGradsMut<'_, Self>, scratch: &mut [Self], par: Par,
    ) => crate::lfilter::lfilter_adjoint_into_impl;
    fn sosfilt_into(
        sos: Coefs<'_, Self>, x: &[Self], dims: Dims, zi: Option<&[Self]>, y: &mut [Self], zf: Option<&mut [Self]>,
        tape: Option<&mut [Self]>, scratch: &mut [Self], par: Par,
    ) => crate::sosfilt::sosfilt_into_impl;
    fn sosfilt_adjoint_into(
        sos: Coefs<'_, Self>, x: &[Self], y: &[Self], tape: &[Self], dims: Dims, gy: &[Self], gzf: Option<&[Self]>,
        out: SosfiltGradsMut<'_, Self>, scratch: &mut [Self], par: Par,
    ) => crate::sosfilt::sosfilt_adjoint_into_impl;
    fn allpole_into(
        x: &[Self], dims: Dims, a: Coefs<'_, Self>, zi: Option<&[Self]>, y: &mut [Self], zf: Option<&mut [Self]>,
        scratch: &mut [Self], par: Par,
    ) => crate::allpole::allpole_into_impl;
    fn allpole_adjoint_into(
        y: &[Self], dims: Dims, a: Coefs<'_, Self>, zi: Option<&[Self]>, gy: &[Self], gzf: Option<&[Self]>,
        out: AllpoleGradsMut<'_, Self>, scratch: &mut [Self], par: Par,
    ) => crate::allpole::allpole_adjoint_into_impl;
}
