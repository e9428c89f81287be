//! The inner products of the all-pole kernels: the recursions' (forward and adjoint alike), the LTI
//! coefficient gradient's correlation, and the unrolled-order dispatch.

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

/// `p += c·v`, lane by lane.
#[inline(always)]
fn madd<T: Float, const L: usize>(p: &mut V<T, L>, c: &V<T, L>, v: &V<T, L>) {
    for l in 0..L {
        p[l] = p[l] + c[l] * v[l];
    }
}

/// `g[k−1] −= Σ_t u[t]·y[t−k]` for k = 1..=n over one sub-block (`y` holds the n rows before it, then its
/// own rows). Four lags share each load of `u[t]` and have their own sums in registers: one sum per lag at a
/// time made each lag a chain of dependent adds. Each sum still runs over t in order (same results).
#[inline(always)]
pub(super) fn correlate<T: Float, const L: usize>(u: &[V<T, L>], y: &[V<T, L>], n: usize, g: &mut [V<T, L>]) {
    let len = u.len();
    let lag = |k: usize| &y[n - k..][..len];
    let mut k = 1;
    while k + 3 <= n {
        let (r0, r1, r2, r3) = (lag(k), lag(k + 1), lag(k + 2), lag(k + 3));
        let z = [T::zero(); L];
        let (mut s0, mut s1, mut s2, mut s3) = (z, z, z, z);
        for t in 0..len {
            madd(&mut s0, &u[t], &r0[t]);
            madd(&mut s1, &u[t], &r1[t]);
            madd(&mut s2, &u[t], &r2[t]);
            madd(&mut s3, &u[t], &r3[t]);
        }
        for (j, s) in [s0, s1, s2, s3].iter().enumerate() {
            sub(&mut g[k - 1 + j], s);
        }
        k += 4;
    }
    for k in k..=n {
        let mut s = [T::zero(); L];
        for (ut, yt) in u.iter().zip(lag(k)) {
            madd(&mut s, ut, yt);
        }
        sub(&mut g[k - 1], &s);
    }
}

/// `g −= s`, lane by lane.
#[inline(always)]
fn sub<T: Float, const L: usize>(g: &mut V<T, L>, s: &V<T, L>) {
    for l in 0..L {
        g[l] = g[l] - s[l];
    }
}
