//! The coefficient and history plumbing of the [`allpole`](super) kernels: moves of coefficient sets, initial
//! outputs and coefficient gradients between the user's layouts and the kernels' lane rows.

use crate::float::Float;
use crate::lanes::{gather, Ahead, Sink, V};
use crate::shape::Coefs;

/// `ys[n−1−j][l] = zi[b0+l][j]` (y[−1−j]), zeros without `zi`.
pub(super) fn load_history<T: Float, const L: usize>(ys: &mut [V<T, L>], zi: Option<&[T]>, b0: usize, nl: usize, n: usize) {
    for r in ys[..n].iter_mut() {
        *r = [T::zero(); L];
    }
    if let Some(zi) = zi {
        for l in 0..nl {
            for j in 0..n {
                ys[n - 1 - j][l] = zi[(b0 + l) * n + j];
            }
        }
    }
}

/// `zf[w+l][j] = ys[n−1−j][l]` (y[T−1−j]): the inverse of [`load_history`] into the worker's rows from `w`
/// (nothing without `zf`).
pub(super) fn store_history<T: Float, const L: usize>(ys: &[V<T, L>], zf: Option<&mut [T]>, w: usize, nl: usize, n: usize) {
    let Some(zf) = zf else { return };
    for l in 0..nl {
        for j in 0..n {
            zf[(w + l) * n + j] = ys[n - 1 - j][l];
        }
    }
}

/// Transposes the coefficient sets of the chunk's signals at sample `t` into `c[k][lane]`.
pub(super) fn pack<T: Float, const L: usize>(a: &Coefs<'_, T>, b0: usize, nl: usize, t: usize, tlen: usize, c: &mut [V<T, L>]) {
    for l in 0..L {
        if l < nl {
            for (row, &v) in c.iter_mut().zip(a.set(b0 + l, t, tlen)) {
                row[l] = v;
            }
        } else {
            c.iter_mut().for_each(|row| row[l] = T::zero());
        }
    }
}

/// Transposes per-sample sets of samples `t0..t0+rows` into `c[t·N + k][lane]` (zeros past `tlen`): per
/// signal the block's sets are one contiguous run, so this is [`gather`] on rows of `T·N` values.
#[inline(always)]
pub(super) fn pack_samples<T: Float, const L: usize>(
    a: &Coefs<'_, T>,
    b0: usize,
    nl: usize,
    t0: usize,
    rows: usize,
    tlen: usize,
    c: &mut [V<T, L>],
) {
    let n = a.k;
    let valid = rows.min(tlen.saturating_sub(t0)) * n;
    gather(a.data, tlen * n, b0, nl, t0 * n, &mut c[..valid]);
    c[valid..rows * n].fill([T::zero(); L]);
}

/// Fills history rows `ys[0..n]` with y[t0−n .. t0) where those times are negative (from zi).
pub(super) fn zi_history<T: Float, const L: usize>(ys: &mut [V<T, L>], zi: Option<&[T]>, b0: usize, nl: usize, n: usize, t0: usize) {
    for (r, row) in ys.iter_mut().enumerate().take(n.saturating_sub(t0)) {
        // Row r holds time t0 − n + r < 0, i.e. y[−1−j] with j = n − r − t0 − 1.
        let j = n - r - t0 - 1;
        for (l, v) in row.iter_mut().enumerate() {
            *v = match zi {
                Some(z) if l < nl => z[(b0 + l) * n + j],
                _ => T::zero(),
            };
        }
    }
}

/// Adds a lane block of coefficient gradients `g[k][lane]` (signal `b0 + lane`, sample `t`) to the sink.
pub(super) fn add_grads<T: Float, const L: usize>(ga: &mut Sink<'_, T>, g: &mut [V<T, L>], b0: usize, nl: usize, t: usize) {
    for l in 0..nl {
        for (j, row) in g.iter().enumerate() {
            ga.add(b0 + l, t, j, row[l]);
        }
    }
}

/// `g[2i + k − 1] = −u[i]·y[t0 + i − k]` for one signal's samples `t0 .. t0 + u.len()`, `k = 1, 2` (per-sample
/// `∂L/∂a` of order 2); `y[−1−j]` is `zi[j]` (zero without `zi`).
#[inline(always)]
pub(super) fn outer2<T: Float>(u: &[T], y: &[T], zi: Option<&[T]>, t0: usize, g: &mut [T]) {
    // `yv(t + 2 − k)` is y[t − k]; samples t < 2 reach back into zi.
    let yv = |j: usize| if j >= 2 { y[j - 2] } else { zi.map_or(T::zero(), |z| z[1 - j]) };
    let one = |g: &mut [T], i: usize| {
        let t = t0 + i;
        g[2 * i] = -(u[i] * yv(t + 1));
        g[2 * i + 1] = -(u[i] * yv(t));
    };
    let head = 2usize.saturating_sub(t0).min(u.len());
    (0..head).for_each(|i| one(g, i));
    // Four samples at a time, so the products are whole vectors and the interleaving of y[t−1] and y[t−2] a
    // shuffle (sample by sample it was a scalar loop, 60 % of W4's adjoint in `perf`). Sample `head + 4j + q`
    // reads y[t − 2], y[t − 1] at w[q], w[q + 1].
    let (gc, _) = g[head * 2..].as_chunks_mut::<8>();
    let (uc, _) = u[head..].as_chunks::<4>();
    let done = head + uc.len() * 4;
    for (j, (g8, u4)) in gc.iter_mut().zip(uc).enumerate() {
        let w: &[T; 5] = y[t0 + head + 4 * j - 2..][..5].try_into().unwrap_or_else(|_| unreachable!());
        let p1: [T; 4] = std::array::from_fn(|q| -(u4[q] * w[q + 1]));
        let p2: [T; 4] = std::array::from_fn(|q| -(u4[q] * w[q]));
        *g8 = [p1[0], p2[0], p1[1], p2[1], p1[2], p2[2], p1[3], p2[3]];
    }
    (done..u.len()).for_each(|i| one(g, i));
}

/// Adds `∂L/∂zf` to the block's `ḡ` rows (block from `t0`): zf_j = y[T−1−j], so its gradient joins ḡ there.
#[inline(always)]
pub(super) fn add_gzf<T: Float, const L: usize>(
    gs: &mut [V<T, L>],
    gzf: Option<&[T]>,
    b0: usize,
    nl: usize,
    n: usize,
    tlen: usize,
    t0: usize,
) {
    let Some(gzf) = gzf else { return };
    for t in tlen.saturating_sub(n).max(t0)..t0 + gs.len() {
        for l in 0..nl {
            gs[t - t0][l] = gs[t - t0][l] + gzf[(b0 + l) * n + (tlen - 1 - t)];
        }
    }
}

/// [`outer2`] for the block `t0 .. t0 + len` of the chunk's signals `b0 .. b0 + nl` (worker rows from `w0`)
/// into `d` (per-sample `∂L/∂a`, worker rows): signal `l`'s `u` is `ur[start + l·stride ..][..len]`.
#[inline(always)]
pub(super) fn outer2_rows<T: Float>(
    (ur, stride, start): (&[T], usize, usize),
    y: &[T],
    zi: Option<&[T]>,
    (b0, w0, nl): (usize, usize, usize),
    (tlen, t0, len): (usize, usize, usize),
    d: &mut [T],
) {
    for l in 0..nl {
        let (b, w) = (b0 + l, w0 + l);
        let u = &ur[start + l * stride..][..len];
        outer2(u, &y[b * tlen..][..tlen], zi.map(|z| &z[b * 2..][..2]), t0, &mut d[(w * tlen + t0) * 2..][..len * 2]);
    }
}

/// `∂L/∂zi` of the chunk's signals `b0..b0+nl` into `rows` (`[nl, N]`), from `u[0..N)` in lanes:
/// `−Σ_{k=m..N, k−m<T} a_k[k−m]·u[k−m]` for `zi_m`, plus `∂L/∂zf` passed through when `T < N` (zf_j, j ≥ T, is
/// zi_{j−T}).
pub(super) fn zi_grads<T: Float, const L: usize>(
    a: &Coefs<'_, T>,
    us: &[V<T, L>],
    gzf: Option<&[T]>,
    b0: usize,
    nl: usize,
    tlen: usize,
    rows: &mut [T],
) {
    let n = a.k;
    for (l, row) in rows.chunks_exact_mut(n).enumerate().take(nl) {
        for m in 1..=n {
            let mut s = T::zero();
            for k in (m..=n).filter(|k| k - m < tlen) {
                s = s + a.set(b0 + l, k - m, tlen)[k - 1] * us[k - m][l];
            }
            row[m - 1] = -s;
        }
        if let Some(gzf) = gzf {
            for j in tlen..n {
                row[j - tlen] = row[j - tlen] + gzf[(b0 + l) * n + j];
            }
        }
    }
}

/// One prefetch step of the adjoint's next block: a line each of `∂L/∂y`, `y`, `∂L/∂x`, `per` of per-sample
/// coefficients (a function: as a closure it was not inlined into the recursion, 6 % of W3's time).
#[inline(always)]
pub(super) fn fetch<T>(ahead: &[Ahead<'_, T>; 3], acs: &Ahead<'_, T>, per: usize, t: usize) {
    ahead.iter().for_each(|a| a.line(t));
    acs.lines(t, per);
}
