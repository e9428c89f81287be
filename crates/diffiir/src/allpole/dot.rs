//! The inner products of the all-pole kernels: the recursions' (forward and adjoint alike), the LTI
//! coefficient gradient's correlation ([`dots`]), and the unrolled-order dispatch.

use crate::dots::{dots, madd};
use crate::float::Float;
use crate::lanes::V;

/// Calls `$f::<T, L, N>($args)` compiled for `$simd` ([`dispatch`](crate::simd::dispatch)), with the const order `N` = `$n` when
/// it is one of the unrolled orders (2, 4, 8, 16: the loops over `k` unroll and their bounds checks go),
/// else `N = 0` (the order read at run time). Both compute the same operations in the same order.
macro_rules! with_order {
    ($n:expr, $simd:expr, $f:ident::<$T:ty, $L:ident>($($arg:expr),*)) => {
        match $n {
            2 => $crate::simd::dispatch::<$L, 1, _>($simd, #[inline(always)] || $f::<$T, $L, 2>($($arg),*)),
            4 => $crate::simd::dispatch::<$L, 1, _>($simd, #[inline(always)] || $f::<$T, $L, 4>($($arg),*)),
            8 => $crate::simd::dispatch::<$L, 1, _>($simd, #[inline(always)] || $f::<$T, $L, 8>($($arg),*)),
            16 => $crate::simd::dispatch::<$L, 1, _>($simd, #[inline(always)] || $f::<$T, $L, 16>($($arg),*)),
            _ => $crate::simd::dispatch::<$L, 1, _>($simd, #[inline(always)] || $f::<$T, $L, 0>($($arg),*)),
        }
    };
}
pub(super) use with_order;

/// `acc − Σ_{j<n} c(j)·v(j)`, term `j = n−1` being the newest value (the loop-carried one): the older terms
/// go to four interleaved partial sums, then the newest is subtracted last. One running sum made every step
/// a chain of `n` dependent subtractions, which the out-of-order window could not overlap across steps at
/// `n = 16` (W3's forward: ~75 cycles per step).
#[inline(always)]
pub(super) fn sub_dot<'a, T: Float + 'a, const L: usize>(
    mut acc: V<T, L>,
    n: usize,
    c: impl Fn(usize) -> &'a V<T, L>,
    v: impl Fn(usize) -> &'a V<T, L>,
) -> V<T, L> {
    let older = n - 1;
    let z = [T::zero(); L];
    let (mut p0, mut p1, mut p2, mut p3) = (z, z, z, z);
    let mut j = 0;
    while j + 4 <= older {
        madd(&mut p0, c(j), v(j));
        madd(&mut p1, c(j + 1), v(j + 1));
        madd(&mut p2, c(j + 2), v(j + 2));
        madd(&mut p3, c(j + 3), v(j + 3));
        j += 4;
    }
    if j < older {
        madd(&mut p0, c(j), v(j));
    }
    if j + 1 < older {
        madd(&mut p1, c(j + 1), v(j + 1));
    }
    if j + 2 < older {
        madd(&mut p2, c(j + 2), v(j + 2));
    }
    let (cn, vn) = (c(older), v(older));
    for l in 0..L {
        acc[l] = acc[l] - ((p0[l] + p1[l]) + (p2[l] + p3[l]));
        acc[l] = acc[l] - cn[l] * vn[l];
    }
    acc
}

/// `g[k−1] −= Σ_t u[t]·y[t−k]` for k = 1..=n over one sub-block (`y` holds the n rows before it, then its
/// own rows).
#[inline(always)]
pub(super) fn correlate<T: Float, const L: usize>(u: &[V<T, L>], y: &[V<T, L>], n: usize, g: &mut [V<T, L>]) {
    dots(
        n,
        |j| (u, &y[n - 1 - j..]),
        |j, s| {
            for l in 0..L {
                g[j][l] = g[j][l] - s[l];
            }
        },
    );
}
