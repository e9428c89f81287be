//! Lane dot products over a block of steps: the LTI coefficient gradients' reductions (`Σ_t u[t]·v[t−k]`).

use crate::float::Float;
use crate::lanes::V;

/// `out(j, Σ_t p_j[t]·q_j[t])` for the `m` pairs `pair(j) = (p_j, q_j)` (lane by lane; `q_j` at least as long
/// as `p_j`; each sum starts from zero and runs over t in order). Four pairs share one pass over t, each sum in
/// its own registers: one pair at a time made each sum a chain of dependent adds, one add latency per step.
#[inline(always)]
pub(crate) fn dots<'a, T: Float + 'a, const L: usize>(
    m: usize,
    pair: impl Fn(usize) -> (&'a [V<T, L>], &'a [V<T, L>]),
    mut out: impl FnMut(usize, &V<T, L>),
) {
    let z = [T::zero(); L];
    let mut j = 0;
    while j + 4 <= m {
        let ((p0, q0), (p1, q1), (p2, q2), (p3, q3)) = (pair(j), pair(j + 1), pair(j + 2), pair(j + 3));
        let n = p0.len();
        let (q0, p1, q1, p2, q2, p3, q3) = (&q0[..n], &p1[..n], &q1[..n], &p2[..n], &q2[..n], &p3[..n], &q3[..n]);
        let (mut s0, mut s1, mut s2, mut s3) = (z, z, z, z);
        for t in 0..n {
            madd(&mut s0, &p0[t], &q0[t]);
            madd(&mut s1, &p1[t], &q1[t]);
            madd(&mut s2, &p2[t], &q2[t]);
            madd(&mut s3, &p3[t], &q3[t]);
        }
        for (i, s) in [s0, s1, s2, s3].iter().enumerate() {
            out(j + i, s);
        }
        j += 4;
    }
    for j in j..m {
        let (p, q) = pair(j);
        let mut s = z;
        for (a, b) in p.iter().zip(q) {
            madd(&mut s, a, b);
        }
        out(j, &s);
    }
}

/// `p += c·v`, lane by lane.
#[inline(always)]
pub(crate) fn madd<T: Float, const L: usize>(p: &mut V<T, L>, c: &V<T, L>, v: &V<T, L>) {
    for l in 0..L {
        p[l] = p[l] + c[l] * v[l];
    }
}

/// Samples per step of [`row_dots`] (each sum's partial sums, as [`dots`] keeps one per lane).
const K: usize = 16;

/// The LTI coefficient gradients of one section of order `M ≤ 2` along one signal's row, with no
/// transposition: `out[j] = Σ_t x[t]·g[t+j]` for `j = 0..=M` and `out[M+j] = Σ_t y[t]·g[t+j]` for
/// `j = 1..=M` (`x`, `y`: the block's samples, `g`: `ĝ` over the block and `M` steps after it).
///
/// The rows are viewed as vectors of `K` consecutive samples and reduced by [`dots`], so sample `t` goes to
/// partial sum `t mod K`; the `K` are then added as a fixed tree. The result is the same at every
/// instruction-set level and for any lane count (a signal's row is summed alone).
#[inline(always)]
pub(crate) fn row_dots<T: Float, const M: usize>(g: &[T], x: &[T], y: &[T], out: &mut [T]) {
    debug_assert!((1..=2).contains(&M), "five sums");
    let n = x.len();
    let (xc, xt) = x.as_chunks::<K>();
    let (yc, yt) = y[..n].as_chunks::<K>();
    // ĝ shifted by 0, 1 and 2 samples. The shifts pass through `black_box`: seeing loads one sample apart,
    // the compiler assembled the shifted vectors from shuffles, slower than the transpositions this replaces.
    let (s1, s2) = std::hint::black_box((1, M));
    let gs: [&[T]; 3] = [&g[..n], &g[s1..][..n], &g[s2..][..n]];
    let gc = gs.map(|s| s.as_chunks::<K>().0);
    // Pair j as in the lanes' reduction: x against ĝ shifted by j for j ≤ M, then y against ĝ shifted by j − M.
    let pair = |j: usize| if j <= M { (0, j) } else { (1, j - M) };
    let mut acc = [[T::zero(); K]; 5];
    dots(
        2 * M + 1,
        |j| {
            let (v, sh) = pair(j);
            ([xc, yc][v], gc[sh])
        },
        |j, s| acc[j] = *s,
    );
    // The ragged tail as one more step on zero-padded copies.
    let t0 = n - xt.len();
    let pad = |s: &[T]| {
        let mut v = [T::zero(); K];
        v[..s.len()].copy_from_slice(s);
        v
    };
    let xy = [pad(xt), pad(yt)];
    let gv = gs.map(|s| pad(&s[t0..]));
    for (j, (o, a)) in out[..2 * M + 1].iter_mut().zip(&mut acc).enumerate() {
        let (v, sh) = pair(j);
        madd(a, &xy[v], &gv[sh]);
        let h: [T; 8] = std::array::from_fn(|k| a[k] + a[k + 8]);
        *o = ((h[0] + h[1]) + (h[2] + h[3])) + ((h[4] + h[5]) + (h[6] + h[7]));
    }
}
