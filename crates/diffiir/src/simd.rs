//! Instruction-set levels: the lane kernels are compiled once per level and picked at run time.
//!
//! The kernels are plain Rust loops over lane vectors; the compiler vectorises them for whatever the
//! enclosing function may use. Compiled for the x86-64 baseline (SSE2) they run everywhere; compiled inside a
//! `#[target_feature(enable = "avx2")]` function, the same loops use 256-bit registers. [`dispatch`] runs a
//! kernel body in the function for the chosen level, so each body exists once per level (every hot function
//! below it is `#[inline(always)]`, which is what makes it part of that function).
//!
//! Results are **bit-identical across levels**: Rust never contracts `a * b + c` into a fused multiply-add
//! and never reorders float operations, so wider registers compute the same operations per lane
//! (`tests/chunked.rs`, `simd_levels_bit_identical_*`, checks it for every family; `python/tests/test_path.py`
//! through `diffiir.torch`). The level only changes speed.

/// Which instruction set the lane kernels use; part of [`Par`](crate::Par) (`Par::with_simd`).
///
/// `Auto` (the default) takes the best level this CPU has, as measured on this project's benchmarks (see
/// BENCHMARKS.md): AVX2 where present. A level the CPU lacks falls back to the best one below it that it
/// has, so every level is safe to ask for on every machine; [`Simd::detect`] tells which one runs.
///
/// ```
/// use diffiir::{Par, Simd};
/// let p = Par::Seq.with_simd(Simd::Baseline);
/// assert_eq!(p.simd(), Simd::Baseline);
/// assert!(Simd::Baseline.is_available());
/// assert_ne!(Simd::Auto.detect(), Simd::Auto); // Auto resolves to a concrete level
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum Simd {
    /// The best level available (AVX2 on x86-64 CPUs that have it, else the baseline).
    #[default]
    Auto,
    /// The target's baseline (SSE2 on x86-64): runs on every CPU of the target.
    Baseline,
    /// x86-64 AVX2 (256-bit registers).
    Avx2,
}

impl Simd {
    /// Every concrete level, lowest first.
    pub const LEVELS: [Simd; 2] = [Simd::Baseline, Simd::Avx2];

    /// Whether this CPU can run the level (`Auto` always can).
    pub fn is_available(self) -> bool {
        match self {
            Simd::Auto | Simd::Baseline => true,
            Simd::Avx2 => has_avx2(),
        }
    }

    /// The concrete level a kernel runs with when asked for `self` on this CPU.
    pub fn detect(self) -> Simd {
        match self {
            Simd::Auto | Simd::Avx2 if has_avx2() => Simd::Avx2,
            _ => Simd::Baseline,
        }
    }

    /// Lower-case name (`"auto"`, `"baseline"`, `"avx2"`), as the Python package spells it.
    pub fn name(self) -> &'static str {
        match self {
            Simd::Auto => "auto",
            Simd::Baseline => "baseline",
            Simd::Avx2 => "avx2",
        }
    }
}

/// Whether the `f32` tile loops (`allpole/tile.rs`, `tdf2/tile.rs`) take a lane chunk of `nl` signals in `L`
/// lanes at level `simd`: whole chunks of one or two groups of 8 signals, at the AVX2 level.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn tiles<const L: usize>(nl: usize, simd: Simd) -> bool {
    L.is_multiple_of(8) && L <= 16 && nl == L && simd.detect() == Simd::Avx2
}

#[cfg(target_arch = "x86_64")]
fn has_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

#[cfg(not(target_arch = "x86_64"))]
fn has_avx2() -> bool {
    false
}

/// Runs `f` compiled for the level `simd` resolves to. `f` must be an `#[inline(always)]` closure whose hot
/// callees are `#[inline(always)]` too: only code inlined into the level's function is compiled for it.
///
/// `L` (lanes) and `M` (order class) decide whether a wide copy exists at all: one lane has nothing to
/// vectorise across, and order classes above 16 are rare enough not to be worth their compile time (every
/// copy of a kernel costs minutes of build on this project's machines). Those run at the baseline. The
/// condition is a constant, so the unused copy is never compiled.
#[inline(always)]
pub(crate) fn dispatch<const L: usize, const M: usize, R>(simd: Simd, f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if const { L > 1 && M <= 16 } && simd.detect() == Simd::Avx2 {
        // SAFETY: `detect` returns `Avx2` only when the CPU reports AVX2, the one requirement of `avx2`.
        return unsafe { avx2(f) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = simd;
    baseline(f)
}

// The two copies live in separate modules, so the compiler puts them in separate codegen units and builds
// them in parallel (a generic function's instances go to its own module's unit).
mod base {
    /// The baseline copy of a kernel body; never inlined, so each body stays its own function.
    #[inline(never)]
    pub(super) fn baseline<R>(f: impl FnOnce() -> R) -> R {
        f()
    }
}
use base::baseline;

#[cfg(target_arch = "x86_64")]
mod x86 {
    /// The AVX2 copy of a kernel body.
    #[target_feature(enable = "avx2")]
    pub(super) fn avx2<R>(f: impl FnOnce() -> R) -> R {
        f()
    }
}
#[cfg(target_arch = "x86_64")]
use x86::avx2;
