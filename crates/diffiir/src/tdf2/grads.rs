//! The adjoint's coefficient gradients of one `tdf2` section: the lane reductions over a sub-block, and which
//! filters reduce along the signals' rows instead.

use crate::dots::{dots, madd};
use crate::float::Float;
use crate::lanes::V;

/// Whether the adjoint forms the coefficient gradients along the signals' rows
/// ([`row_dots`](crate::dots::row_dots): one time-invariant section of order ≤ 2 — `lfilter` biquads — whose `x`
/// and `y` then never pass through the transposition). `f32` only: its 16 partial sums per gradient are one `f32`
/// lane vector; `f64` keeps the lane reductions, where the row path is unmeasured.
pub(super) fn row_path<T: Float>(sections: usize, order: usize, tv: bool) -> bool {
    sections == 1 && order <= 2 && !tv && T::LANES == 16
}

/// Coefficient gradients of one section over a block of `len = xin.len()` samples, from its recorded `ĝ`
/// (`gh[t]` = ĝ at block time `t`, rows `len..len+M` = ĝ just after the block) and its input and output
/// series: `∂L/∂b̃_i[t] = ĝ[t+i]·x[t]`, `∂L/∂ã_i[t] = −ĝ[t+i]·y[t]`. Time-invariant (`g` = the section's `2M+1` rows): summed into `g`. Time-varying: written to
/// `g[t·w ..]` (the section's rows of sample `t`, `w` rows per sample).
#[inline(always)]
pub(super) fn coef_grads<T: Float, const L: usize, const M: usize>(
    gh: &[V<T, L>],
    xin: &[V<T, L>],
    yout: &[V<T, L>],
    g: &mut [V<T, L>],
    tv: Option<usize>,
) {
    let len = xin.len();
    let (gh, yout) = (&gh[..len + M], &yout[..len]);
    if let Some(w) = tv {
        for t in 0..len {
            let (x, y, gt) = (xin[t], yout[t], &mut g[t * w..][..2 * M + 1]);
            for i in 0..=M {
                for l in 0..L {
                    gt[i][l] = gh[t + i][l] * x[l];
                }
            }
            for i in 1..=M {
                for l in 0..L {
                    gt[M + i][l] = -(gh[t + i][l] * y[l]);
                }
            }
        }
        return;
    }
    // Sum j is b_j's for j ≤ M, else a_{j−M}'s (whose products enter with a minus sign).
    let add = |g: &mut [V<T, L>], j: usize, s: &V<T, L>| {
        for l in 0..L {
            g[j][l] = if j <= M { g[j][l] + s[l] } else { g[j][l] - s[l] };
        }
    };
    if M <= 2 && L.is_multiple_of(8) {
        // f32: 8 lanes are one AVX2 register; f64: 4.
        let mut s = [[T::zero(); L]; 5];
        if size_of::<T>() == 4 {
            window_sums::<T, L, M, 8>(gh, xin, yout, &mut s);
        } else {
            window_sums::<T, L, M, 4>(gh, xin, yout, &mut s);
        }
        for (j, s) in s[..2 * M + 1].iter().enumerate() {
            add(g, j, s);
        }
        return;
    }
    // Pair j: b_j (x against ∂L/∂h shifted by j) for j ≤ M, then a_{j−M} (y against it).
    dots(2 * M + 1, |j| if j <= M { (xin, &gh[j..]) } else { (yout, &gh[j - M..]) }, |j, s| add(g, j, s));
}

/// [`coef_grads`]' time-invariant sums for `M ≤ 2` in one pass over the block: `s[i] = Σ_t x[t]·ĝ[t+i]`
/// (`i = 0..=M`), `s[M+i] = Σ_t y[t]·ĝ[t+i]` (`i = 1..=M`), each in order over `t` as [`dots`] sums them (so
/// the same values). `H` lanes at a time, with `ĝ[t..=t+M]` carried in registers from step to step: each step
/// loads `x[t]`, `y[t]` and `ĝ[t+M]` once for its `2M + 1` products, where `dots` pairs reload `ĝ` per pair and
/// leave the loop load-bound.
#[inline(always)]
fn window_sums<T: Float, const L: usize, const M: usize, const H: usize>(
    gh: &[V<T, L>],
    xin: &[V<T, L>],
    yout: &[V<T, L>],
    s: &mut [V<T, L>; 5],
) {
    let n = xin.len();
    let (gh, yout) = (&gh[..n + M], &yout[..n]);
    let part = |v: &V<T, L>, c: usize| -> [T; H] { std::array::from_fn(|l| v[c * H + l]) };
    for c in 0..L / H {
        let mut acc = [[T::zero(); H]; 5];
        // w[i] = ĝ[t + i].
        let mut w = [[T::zero(); H]; 3];
        for (i, w) in w[..M].iter_mut().enumerate() {
            *w = part(&gh[i], c);
        }
        for t in 0..n {
            w[M] = part(&gh[t + M], c);
            let (x, y) = (part(&xin[t], c), part(&yout[t], c));
            for i in 0..=M {
                madd(&mut acc[i], &x, &w[i]);
            }
            for i in 1..=M {
                madd(&mut acc[M + i], &y, &w[i]);
            }
            for i in 0..M {
                w[i] = w[i + 1];
            }
        }
        for (s, acc) in s.iter_mut().zip(&acc) {
            s[c * H..][..H].copy_from_slice(acc);
        }
    }
}

/// `∂L/∂x` of one time-invariant section of order 2 along one signal's row of `ĝ` (`g`: the block's `ĝ` and the
/// two after it): `gx[t] = ((0 + b_2·ĝ[t+2]) + b_1·ĝ[t+1]) + b_0·ĝ[t]`, [`step_adj`](super::step::step_adj)'s
/// operations in its order. The tile loop leaves `∂L/∂x` to this pass over rows already in L1, where it costs
/// no transposition.
#[inline(always)]
pub(super) fn gx_row<T: Float>(g: &[T], [b0, b1, b2]: [T; 3], gx: &mut [T]) {
    let n = gx.len();
    let (g0, g1, g2) = (&g[..n], &g[1..][..n], &g[2..][..n]);
    for t in 0..n {
        gx[t] = ((T::zero() + b2 * g2[t]) + b1 * g1[t]) + b0 * g0[t];
    }
}
