//! The TDF-II step of one section on a lane vector, forward and adjoint, and the cascades made of it: one
//! time step through every section, or two per section visit for time-invariant coefficients (the equations
//! are in the [parent module](super)).

use crate::float::Float;
use crate::lanes::V;

/// One TDF-II step of one section on a lane vector; returns the section output.
#[inline(always)]
pub(super) fn step<T: Float, const L: usize, const M: usize>(st: &mut [V<T, L>; M], c: &[V<T, L>], v: &V<T, L>) -> V<T, L> {
    let c = &c[..2 * M + 1];
    let mut y = [T::zero(); L];
    for l in 0..L {
        y[l] = st[0][l] + c[0][l] * v[l];
    }
    for i in 0..M - 1 {
        for l in 0..L {
            st[i][l] = st[i + 1][l] + c[i + 1][l] * v[l] - c[M + 1 + i][l] * y[l];
        }
    }
    for l in 0..L {
        st[M - 1][l] = c[M][l] * v[l] - c[2 * M][l] * y[l];
    }
    y
}

/// One time step through every section of a cascade (`st`: each section's state; `c`: the step's packed
/// sets); `out(sec, v)` sees each section's output. Shared by the forward and the adjoint's recomputation of
/// section outputs from the tape's checkpoints, so both round alike.
#[inline(always)]
pub(super) fn cascade<T: Float, const L: usize, const M: usize>(
    st: &mut [[V<T, L>; M]],
    c: &[V<T, L>],
    x: V<T, L>,
    mut out: impl FnMut(usize, &V<T, L>),
) -> V<T, L> {
    let pw = 2 * M + 1;
    let mut v = x;
    for (sec, sst) in st.iter_mut().enumerate() {
        v = step(sst, &c[sec * pw..][..pw], &v);
        out(sec, &v);
    }
    v
}

/// Two time steps through every section of a time-invariant cascade ([`cascade`]'s operations, so the same
/// results): each section takes both steps in turn with its state in registers, so its coefficients are
/// loaded once for the two. Loads, not arithmetic, bound the one-step loop (each section step loads its
/// `2M + 1` coefficient and `M` state vectors); three or four steps per visit measured no faster than two.
#[inline(always)]
pub(super) fn cascade2<T: Float, const L: usize, const M: usize>(
    st: &mut [[V<T, L>; M]],
    c: &[V<T, L>],
    x: [V<T, L>; 2],
    mut out: impl FnMut(usize, &[V<T, L>; 2]),
) -> [V<T, L>; 2] {
    let mut v = x;
    for (sec, (sst, c)) in st.iter_mut().zip(c.chunks_exact(2 * M + 1)).enumerate() {
        let mut loc = *sst;
        v = [step(&mut loc, c, &v[0]), step(&mut loc, c, &v[1])];
        *sst = loc;
        out(sec, &v);
    }
    v
}

/// One adjoint step of one section: `h = (ĝ[n+1], …, ĝ[n+M])` in, `g` = gradient of the section output at
/// `n`; updates `h` to `(ĝ[n], …)` and returns `(ĝ[n], ∂L/∂input[n])`. Coefficient gradients are reduced
/// afterwards from the recorded `ĝ` ([`coef_grads`](super::grads::coef_grads)), which keeps this
/// loop-carried step small enough to stay in registers.
#[inline(always)]
pub(super) fn step_adj<T: Float, const L: usize, const M: usize>(h: &mut [V<T, L>; M], c: &[V<T, L>], g: &V<T, L>) -> (V<T, L>, V<T, L>) {
    let c = &c[..2 * M + 1];
    // Newest term `h[0]` subtracted last, `b_0·ĝ[n]` added last: each loop-carried chain is one multiply-add.
    let mut gh = *g;
    for i in (0..M).rev() {
        for l in 0..L {
            gh[l] = gh[l] - c[M + 1 + i][l] * h[i][l];
        }
    }
    let mut gx = [T::zero(); L];
    for i in (0..M).rev() {
        for l in 0..L {
            gx[l] = gx[l] + c[i + 1][l] * h[i][l];
        }
    }
    for l in 0..L {
        gx[l] = gx[l] + c[0][l] * gh[l];
    }
    for i in (1..M).rev() {
        h[i] = h[i - 1];
    }
    h[0] = gh;
    (gh, gx)
}

/// One adjoint time step through every section of a cascade, latest section first: [`cascade`] for the
/// adjoint. `g` is the last section's output gradient at `n`; `rec(sec, ĝ)` records each section's `ĝ[n]`;
/// returns `∂L/∂x[n]`.
#[inline(always)]
pub(super) fn cascade_adj<T: Float, const L: usize, const M: usize>(
    hs: &mut [[V<T, L>; M]],
    c: &[V<T, L>],
    g: V<T, L>,
    mut rec: impl FnMut(usize, &V<T, L>),
) -> V<T, L> {
    let pw = 2 * M + 1;
    let mut g = g;
    for (sec, h) in hs.iter_mut().enumerate().rev() {
        let gh;
        (gh, g) = step_adj(h, &c[sec * pw..][..pw], &g);
        rec(sec, &gh);
    }
    g
}

/// Two adjoint steps (`n`, then `n − 1`) through every section of a time-invariant cascade, latest section
/// first: [`cascade2`] for the adjoint, with the same operations as two [`cascade_adj`] passes. `g` holds
/// the last section's output gradients at `[n, n − 1]`; `rec(sec, ĝ)` records each section's `ĝ` at the two
/// steps.
#[inline(always)]
pub(super) fn cascade2_adj<T: Float, const L: usize, const M: usize>(
    hs: &mut [[V<T, L>; M]],
    c: &[V<T, L>],
    g: [V<T, L>; 2],
    mut rec: impl FnMut(usize, [V<T, L>; 2]),
) -> [V<T, L>; 2] {
    let mut g = g;
    for (sec, (h, c)) in hs.iter_mut().zip(c.chunks_exact(2 * M + 1)).enumerate().rev() {
        let mut loc = *h;
        let (a, ga) = step_adj(&mut loc, c, &g[0]);
        let (b, gb) = step_adj(&mut loc, c, &g[1]);
        *h = loc;
        rec(sec, [a, b]);
        g = [ga, gb];
    }
    g
}
