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
}

mod sealed {
    pub trait Sealed: crate::transpose::Tile + crate::kernels::Kernels {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}
