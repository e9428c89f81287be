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

/// Two consecutive steps of [`sub_dot`] whose windows overlap: `*out[0] = a = sub_dot(acc[0], n, c1, w)` and
/// `*out[1] = sub_dot(acc[1], n, c2, |j| w(j + 1))`, where the second step's newest value `w(n)` is `a` (`c1`
/// and `c2` are one closure for time-invariant coefficients, whose loads the two steps then share). Each output
/// gets the same operations in the same order as from [`sub_dot`], so results do not depend on how steps
/// pair up (a stream block may start anywhere). The second step's older terms need only values before `a`,
/// so both sets are summed in one pass that loads each coefficient and each window value once: a
/// time-invariant recursion of high order is bound by those loads (W3, `N = 16`: two vectors a term and
/// step). Lanes go in groups of `H` (one 32-byte vector) so the eight partial sums stay in registers.
#[inline(always)]
pub(super) fn sub_dot2<'a, T: Float + 'a, const L: usize>(
    acc: [&V<T, L>; 2],
    n: usize,
    c1: impl Fn(usize) -> &'a V<T, L>,
    c2: impl Fn(usize) -> &'a V<T, L>,
    w: impl Fn(usize) -> &'a V<T, L>,
    out: [&mut V<T, L>; 2],
) {
    match (std::mem::size_of::<T>(), L) {
        (4, 16) | (4, 8) => pair::<T, L, 8>(acc, n, c1, c2, w, out),
        (_, 1) => pair::<T, L, 1>(acc, n, c1, c2, w, out),
        _ => pair::<T, L, 4>(acc, n, c1, c2, w, out),
    }
}

#[inline(always)]
fn pair<'a, T: Float + 'a, const L: usize, const H: usize>(
    [acc1, acc2]: [&V<T, L>; 2],
    n: usize,
    c: impl Fn(usize) -> &'a V<T, L>,
    d: impl Fn(usize) -> &'a V<T, L>,
    w: impl Fn(usize) -> &'a V<T, L>,
    [o1, o2]: [&mut V<T, L>; 2],
) {
    let older = n - 1;
    for gi in 0..L / H {
        let z = [T::zero(); H];
        let (mut p0, mut p1, mut p2, mut p3) = (z, z, z, z);
        let (mut q0, mut q1, mut q2, mut q3) = (z, z, z, z);
        // Term `k` into accumulator pair (p, q). A macro, so each call is spelled out where it stands: folded
        // into a closure over `j`, the terms were not inlined (4× slower).
        macro_rules! term {
            ($p:ident, $q:ident, $k:expr) => {{
                let k = $k;
                let (ck, dk) = (grp::<T, L, H>(c(k), gi), grp::<T, L, H>(d(k), gi));
                both(&mut $p, &mut $q, [ck, dk], grp::<T, L, H>(w(k), gi), grp::<T, L, H>(w(k + 1), gi));
            }};
        }
        let mut j = 0;
        while j + 4 <= older {
            term!(p0, q0, j);
            term!(p1, q1, j + 1);
            term!(p2, q2, j + 2);
            term!(p3, q3, j + 3);
            j += 4;
        }
        if j < older {
            term!(p0, q0, j);
        }
        if j + 1 < older {
            term!(p1, q1, j + 1);
        }
        if j + 2 < older {
            term!(p2, q2, j + 2);
        }
        let (cn, dn, wn) = (grp::<T, L, H>(c(older), gi), grp::<T, L, H>(d(older), gi), grp::<T, L, H>(w(older), gi));
        let (x1, x2) = (grp::<T, L, H>(acc1, gi), grp::<T, L, H>(acc2, gi));
        let (mut a, mut b) = (z, z);
        for l in 0..H {
            a[l] = x1[l] - ((p0[l] + p1[l]) + (p2[l] + p3[l]));
            a[l] = a[l] - cn[l] * wn[l];
            b[l] = x2[l] - ((q0[l] + q1[l]) + (q2[l] + q3[l]));
            b[l] = b[l] - dn[l] * a[l];
        }
        o1.as_chunks_mut::<H>().0[gi] = a;
        o2.as_chunks_mut::<H>().0[gi] = b;
    }
}

/// `[&mut v[i], &mut v[i + 1]]`.
#[inline(always)]
pub(super) fn two<T>(v: &mut [T], i: usize) -> [&mut T; 2] {
    let (a, b) = v[i..].split_at_mut(1);
    [&mut a[0], &mut b[0]]
}

/// Lanes `gi·H ..` of a lane vector.
#[inline(always)]
fn grp<T, const L: usize, const H: usize>(v: &V<T, L>, gi: usize) -> &[T; H] {
    &v.as_chunks::<H>().0[gi]
}

/// `p += c·w0`, `q += d·w1`, lane by lane.
#[inline(always)]
fn both<T: Float, const H: usize>(p: &mut [T; H], q: &mut [T; H], [c, d]: [&[T; H]; 2], w0: &[T; H], w1: &[T; H]) {
    for l in 0..H {
        p[l] = p[l] + c[l] * w0[l];
        q[l] = q[l] + d[l] * w1[l];
    }
}

/// `g[k−1] −= Σ_t u[t]·y[t−k]` for k = 1..=n over one sub-block (`y` holds the n rows before it, then its
/// own rows). Lags go in tiles of `R` ([`lag_tile`]) where a lane group fills a 32-byte vector; the lags left
/// over (and narrow lane vectors) go through [`dots`]. Both sum each lag over t in order from zero, so the result
/// does not depend on which path a lag takes.
#[inline(always)]
pub(super) fn correlate<T: Float, const L: usize>(u: &[V<T, L>], y: &[V<T, L>], n: usize, g: &mut [V<T, L>]) {
    let tiled = match (std::mem::size_of::<T>(), L) {
        (4, 16) | (4, 8) => lag_tiles::<T, L, 8>(u, y, n, g),
        (8, 8) | (8, 4) => lag_tiles::<T, L, 4>(u, y, n, g),
        _ => 0,
    };
    dots(
        n - tiled,
        |j| (u, &y[n - 1 - tiled - j..]),
        |j, s| {
            for l in 0..L {
                g[tiled + j][l] = g[tiled + j][l] - s[l];
            }
        },
    );
}

/// Lags per tile of [`lag_tile`]: six sums and six window values in registers per lane group, with `u[t]`
/// 13 of the 16 vector registers. Six independent sums per step hide the add latency (four left each step
/// waiting on its adds: W3's adjoint got slower than with [`dots`]); eight spilled (slower again).
const R: usize = 6;

/// [`correlate`] for the first `n / R · R` lags, `R` at a time; returns how many it did.
#[inline(always)]
fn lag_tiles<T: Float, const L: usize, const H: usize>(u: &[V<T, L>], y: &[V<T, L>], n: usize, g: &mut [V<T, L>]) -> usize {
    let tiled = n / R * R;
    for j0 in (0..tiled).step_by(R) {
        for gi in 0..L / H {
            let s = lag_tile::<T, L, H>(u, y, n, j0, gi);
            for (r, s) in s.iter().enumerate() {
                let o = &mut g[j0 + r].as_chunks_mut::<H>().0[gi];
                for l in 0..H {
                    o[l] = o[l] - s[l];
                }
            }
        }
    }
    tiled
}

/// `Σ_t u[t]·y[t−k]` for the `R` lags `k = j0+1 ..= j0+R`, lanes `gi·H ..`. The window `y[t−k]` of the tile
/// slides by one row a step: carried in registers, each step loads `u[t]` and one new `y` row for `R`
/// multiplies and `R` adds, where [`dots`] loads a `y` row per lag (load-bound at W3's 16 lags). The shift is
/// spelled out register by register: `copy_within` on the window kept it in memory.
#[inline(always)]
fn lag_tile<T: Float, const L: usize, const H: usize>(u: &[V<T, L>], y: &[V<T, L>], n: usize, j0: usize, gi: usize) -> [[T; H]; R] {
    let m = u.len();
    // Lag j0 + r + 1 reads y[n − 1 − j0 − r + t]; the newest lag's row for step t + 1 is `next[t]`.
    let mut w: [[T; H]; R] = std::array::from_fn(|r| *grp::<T, L, H>(&y[n - 1 - j0 - r], gi));
    let next = &y[n - j0..][..m];
    let mut s = [[T::zero(); H]; R];
    for (ut, yn) in u.iter().zip(next) {
        let ut = grp::<T, L, H>(ut, gi);
        for r in 0..R {
            madd(&mut s[r], ut, &w[r]);
        }
        for r in (1..R).rev() {
            w[r] = w[r - 1];
        }
        w[0] = *grp::<T, L, H>(yn, gi);
    }
    s
}
