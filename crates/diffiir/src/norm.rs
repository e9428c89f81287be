//! `a[0]` normalisation and the steady state of a section, with their gradients (shared by `lfilter`,
//! `sosfilt` and their `*_zi` functions).

use crate::float::Float;
use crate::lanes::V;

/// `(b, a) / a[0]`, zero-padded to `M + 1`; returns `a[0]`.
pub(crate) fn normalise_set<T: Float>(b: &[T], a: &[T], bt: &mut [T], at: &mut [T]) -> T {
    let a0 = a[0];
    bt.fill(T::zero());
    at.fill(T::zero());
    for (d, &v) in bt.iter_mut().zip(b) {
        *d = v / a0;
    }
    for (d, &v) in at.iter_mut().zip(a) {
        *d = v / a0;
    }
    a0
}

/// Maps gradients of one normalised section `(b̃_0..b̃_M, ã_1..ã_M) = (b, a_1..a_M) / a_0` back to the
/// user's `nb` numerator and `na` denominator coefficients (including `a_0`).
///
/// `pv(j)`/`gv(j)` read packed value / gradient `j` (`b̃_i` at `i`, `ã_i` at `M + i`); `add(is_a, i, v)`
/// receives `∂L/∂b_i` (`is_a = false`) or `∂L/∂a_i`.
/// `∂L/∂b_i = ḡb_i / a_0`, `∂L/∂a_i = ḡa_i / a_0` (i ≥ 1), `∂L/∂a_0 = −(Σ ḡb_i b̃_i + Σ ḡa_i ã_i) / a_0`.
#[allow(clippy::too_many_arguments)]
#[inline]
pub(crate) fn unnormalise<T: Float>(
    a0: T,
    nb: usize,
    na: usize,
    m: usize,
    pv: impl Fn(usize) -> T,
    gv: impl Fn(usize) -> T,
    mut add: impl FnMut(bool, usize, T),
) {
    unnormalise_lanes::<T, 1>(&[a0], nb, na, m, |j| [pv(j)], |j| [gv(j)], |is_a, i, v| add(is_a, i, v[0]));
}

/// [`unnormalise`] for `L` sets at once, lane by lane (the same operations in the same order per lane, so the
/// results are bit-identical): what the time-varying kernels use on whole lane rows of per-sample sets.
#[inline(always)]
pub(crate) fn unnormalise_lanes<T: Float, const L: usize>(
    a0: &V<T, L>,
    nb: usize,
    na: usize,
    m: usize,
    pv: impl Fn(usize) -> V<T, L>,
    gv: impl Fn(usize) -> V<T, L>,
    mut add: impl FnMut(bool, usize, V<T, L>),
) {
    let mut dot = [T::zero(); L];
    // Term (is_a, i) is packed row j: b̃_i at i, then ã_i at m + i.
    for (is_a, i, j) in (0..nb).map(|i| (false, i, i)).chain((1..na).map(|i| (true, i, m + i))) {
        let (g, p) = (gv(j), pv(j));
        let mut v = [T::zero(); L];
        for l in 0..L {
            dot[l] = dot[l] + g[l] * p[l];
            v[l] = g[l] / a0[l];
        }
        add(is_a, i, v);
    }
    let mut v = [T::zero(); L];
    for l in 0..L {
        v[l] = -dot[l] / a0[l];
    }
    add(true, 0, v);
}

/// Steady state of one normalised TDF-II section for a unit step: returns `(G, Σã)` and writes
/// `zi_i = Σ_{j=i..M} (b̃_j − ã_j·G)` (i = 1..M) into `zi`, where `G = Σb̃ / Σã` is the DC gain.
/// `bt`, `at` have `M + 1` entries (`at[0] = 1`). Returns `None` when `Σã = 0` (a pole at z = 1).
pub(crate) fn steady_state<T: Float>(bt: &[T], at: &[T], zi: &mut [T]) -> Option<(T, T)> {
    let sa = at.iter().fold(T::zero(), |s, &v| s + v);
    if sa == T::zero() {
        return None;
    }
    let g = bt.iter().fold(T::zero(), |s, &v| s + v) / sa;
    let mut acc = T::zero();
    for i in (1..bt.len()).rev() {
        acc = acc + (bt[i] - at[i] * g);
        zi[i - 1] = acc;
    }
    Some((g, sa))
}

/// Adjoint of [`steady_state`]: given `w = ∂L/∂zi` and `gg = ∂L/∂G` (extra, from a cascade's scaling),
/// writes `∂L/∂b̃_j` into `gb` and `∂L/∂ã_j` into `ga` (`ga[0]` unused).
pub(crate) fn steady_state_adjoint<T: Float>(at: &[T], g: T, sa: T, w: &[T], gg: T, gb: &mut [T], ga: &mut [T]) {
    // zi_i = Σ_{j≥i} b̃_j − G·C_i with C_i = Σ_{j≥i} ã_j; ∂G/∂b̃_j = 1/Σã, ∂G/∂ã_j = −G/Σã.
    let mut k = gg;
    let mut c = T::zero();
    for i in (1..at.len()).rev() {
        c = c + at[i];
        k = k - w[i - 1] * c;
    }
    let mut prefix = T::zero();
    for j in 0..at.len() {
        if j >= 1 {
            prefix = prefix + w[j - 1];
        }
        gb[j] = prefix + k / sa;
        ga[j] = -g * prefix - k * g / sa;
    }
}
