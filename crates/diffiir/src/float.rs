//! The sample type: `f32` or `f64`.

/// A floating-point sample type the kernels are compiled for (`f32` and `f64`; sealed).
///
/// `LANES` is how many signals one kernel instance advances per time step. It is chosen so a lane block
/// fills several SIMD registers, which lets the compiler vectorise across signals while one recursion
/// chain stays sequential in time.
pub trait Float: num_traits::Float + Default + Send + Sync + std::fmt::Debug + std::iter::Sum + 'static + sealed::Sealed {
    /// Signals processed together by one kernel instance.
    const LANES: usize;
    /// Converts from `f64` (rounding for `f32`).
    fn of(v: f64) -> Self;
    /// Widens to `f64`.
    fn to64(self) -> f64;
    /// The slice as `f32`s when `Self` is `f32` (the entry of kernels written for `f32` only), else `None`.
    #[doc(hidden)]
    fn f32s(s: &[Self]) -> Option<&[f32]>;
    /// [`Float::f32s`] for a mutable slice.
    #[doc(hidden)]
    fn f32s_mut(s: &mut [Self]) -> Option<&mut [f32]>;
}

impl Float for f32 {
    const LANES: usize = 16;
    #[inline(always)]
    fn of(v: f64) -> Self {
        v as f32
    }
    #[inline(always)]
    fn to64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn f32s(s: &[Self]) -> Option<&[f32]> {
        Some(s)
    }
    #[inline(always)]
    fn f32s_mut(s: &mut [Self]) -> Option<&mut [f32]> {
        Some(s)
    }
}

impl Float for f64 {
    const LANES: usize = 8;
    #[inline(always)]
    fn of(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn to64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn f32s(_: &[Self]) -> Option<&[f32]> {
        None
    }
    #[inline(always)]
    fn f32s_mut(_: &mut [Self]) -> Option<&mut [f32]> {
        None
    }
}

mod sealed {
    pub trait Sealed: crate::transpose::Tile + crate::kernels::Kernels {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}
