//! The block columns of the [`rowblock`](super) path: one coefficient set's responses over an eight-sample
//! block to each unit input, for the forward and the adjoint, computed in f64 and rounded once.

use super::V8;
use crate::float::Float;

/// One signal's normalised coefficients and block columns.
pub(super) struct Cols<T> {
    /// `b̃_0, b̃_1, b̃_2` (zero-padded).
    pub(super) b: [T; 3],
    /// `ã_1, ã_2` (zero-padded).
    pub(super) a: [T; 2],
    /// `a_0` as given, for the gradients' un-normalisation.
    pub(super) a0: T,
    /// Forward: `h[j]` the response to `x[t0+j]` (`j < 8`), `h[8]`, `h[9]` to `x[t0−1]`, `x[t0−2]`.
    pub(super) h: [V8<T>; 10],
    /// Forward: responses to `y[t0−1]` and to `y[t0−1] − y[t0−2]` (`y[t0−1] = y[t0−2] = 1`, and `y[t0−2] = −1`).
    pub(super) q: [V8<T>; 2],
    /// Adjoint: `g[j]` the response of `λ[t0..t0+8]` to `∂L/∂y[t0+j]`.
    pub(super) g: [V8<T>; 8],
    /// Adjoint: responses to `λ[t0+8]` and to `λ[t0+8] − λ[t0+9]`, as `q`.
    pub(super) d: [V8<T>; 2],
    /// `q[k][7] − q[k][6]`, `d[k][0] − d[k][1]`: the carried differences' own recurrences (rounded once).
    pub(super) qd: [T; 2],
    pub(super) dd: [T; 2],
}

fn unit<const N: usize>(j: usize) -> [f64; N] {
    std::array::from_fn(|i| if i == j { 1.0 } else { 0.0 })
}

impl<T: Float> Cols<T> {
    pub(super) fn new(b: &[T], a: &[T]) -> Self {
        let a0 = a[0];
        let bt: [T; 3] = std::array::from_fn(|i| b.get(i).map_or(T::zero(), |&v| v / a0));
        let at: [T; 2] = std::array::from_fn(|i| a.get(i + 1).map_or(T::zero(), |&v| v / a0));
        let (b64, a64) = (bt.map(T::to64), at.map(T::to64));
        // Inputs xs[0..8] in the block, xs[8] = x[−1], xs[9] = x[−2]; ys = (y[−1], y[−2]).
        let fwd = |xs: [f64; 10], ys: [f64; 2]| -> [f64; 8] {
            let xv = |t: isize| if t >= 0 { xs[t as usize] } else { xs[(7 - t) as usize] };
            let mut y = [ys[1], ys[0], 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
            for t in 0..8isize {
                let u = t as usize + 2;
                y[u] = b64[0] * xv(t) + b64[1] * xv(t - 1) + b64[2] * xv(t - 2) - a64[0] * y[u - 1] - a64[1] * y[u - 2];
            }
            std::array::from_fn(|i| y[i + 2])
        };
        // λ[i] = s[i] − ã_1 λ[i+1] − ã_2 λ[i+2] backwards, λ[8], λ[9] carried in.
        let back = |s: [f64; 8], l8: f64, l9: f64| -> [f64; 8] {
            let mut l = [0f64; 10];
            (l[8], l[9]) = (l8, l9);
            for i in (0..8).rev() {
                l[i] = s[i] - a64[0] * l[i + 1] - a64[1] * l[i + 2];
            }
            l[..8].try_into().unwrap_or([0.0; 8])
        };
        let (q, d) = ([fwd([0.0; 10], [1.0, 1.0]), fwd([0.0; 10], [0.0, -1.0])], [back([0.0; 8], 1.0, 1.0), back([0.0; 8], 0.0, -1.0)]);
        Cols {
            b: bt,
            a: at,
            a0,
            h: std::array::from_fn(|j| fwd(unit(j), [0.0; 2]).map(T::of)),
            // (y[−1], y[−1] − y[−2]) rather than (y[−1], y[−2]): a slowly varying resonant output makes the two
            // history columns large and of opposite sign, and their cancellation cost float32 2.3× the
            // sequential path's error (poles at radius 0.999, 100 Hz); the difference is exact (Sterbenz).
            q: q.map(|v| v.map(T::of)),
            g: std::array::from_fn(|j| back(unit(j), 0.0, 0.0).map(T::of)),
            d: d.map(|v| v.map(T::of)),
            qd: q.map(|v| T::of(v[7] - v[6])),
            dd: d.map(|v| T::of(v[0] - v[1])),
        }
    }

    /// Packed normalised values in [`unnormalise`]'s order for order class 2: `b̃_0..b̃_2, ã_1, ã_2`.
    pub(super) fn packed(&self) -> [T; 5] {
        [self.b[0], self.b[1], self.b[2], self.a[0], self.a[1]]
    }
}
