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
