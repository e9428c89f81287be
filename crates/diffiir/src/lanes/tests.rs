//! Tests of the lane engine's block walks and prefetch coverage.

use super::{fwd_block, next_back, next_fwd, Ahead, TB, TF, TF_DRAM};
use std::ops::Range;

/// Calls `0..nl·2^shift` reach every cache line of the block once and nothing outside it, for f32 and
/// f64 rows, blocks shorter than a line and ragged ends.
#[test]
fn ahead_covers_its_block() {
    fn check<T: Default + Clone>(tlen: usize, b0: usize, nl: usize, t0: usize, len: usize) {
        let src = vec![T::default(); (b0 + nl + 1) * tlen];
        let a = Ahead::new(Some(&src[..]), tlen, b0, nl, t0, len);
        let mut got: Vec<usize> = (0..nl << a.shift).filter_map(|i| a.target(i)).collect();
        got.sort_unstable();
        let line = Ahead::<T>::LINE;
        let want: Vec<usize> = (0..nl).flat_map(|r| (0..len).step_by(line).map(move |o| (b0 + r) * tlen + t0 + o)).collect();
        assert_eq!(got, want, "tlen {tlen} rows {b0}+{nl} samples {t0}+{len}");
    }
    for (tlen, b0, nl, t0, len) in
        [(1024, 0, 16, 0, 1024), (48000, 3, 8, 46080, 1920), (100, 1, 3, 90, 10), (5, 0, 2, 0, 5), (300, 2, 16, 0, 0)]
    {
        check::<f32>(tlen, b0, nl, t0, len);
        check::<f64>(tlen, b0, nl, t0, len);
    }
    let none = Ahead::<f32>::new(None, 100, 0, 4, 0, 100);
    assert!((0..1000).all(|i| none.target(i).is_none()));
}

/// `next_fwd` and `next_back` name the block each walk visits next, and nothing (`nl = 0`) after the last.
#[test]
fn next_blocks_follow_the_walks() {
    fn walks<const L: usize>(br: Range<usize>, span: Range<usize>) {
        let block = |b0: usize, t0: usize, step: usize| (b0, L.min(br.end - b0), t0, step.min(span.end - t0));
        let chunks = || br.clone().step_by(L);
        let fwd = |tf| chunks().flat_map(|b0| span.clone().step_by(tf).map(move |t0| (b0, t0))).collect::<Vec<_>>();
        let bwd: Vec<_> = chunks().flat_map(|b0| span.clone().step_by(TB).rev().map(move |t0| (b0, t0))).collect();
        for (order, step, back) in [(fwd(TF), TF, false), (fwd(TF_DRAM), TF_DRAM, false), (bwd, TB, true)] {
            for (i, &(b0, t0)) in order.iter().enumerate() {
                let got = if back { next_back::<L>(b0, t0, &span, &br) } else { next_fwd::<L>(b0, t0, &span, &br, step) };
                match order.get(i + 1) {
                    Some(&(nb, nt)) => assert_eq!(got, block(nb, nt, step), "{br:?} {span:?} after ({b0}, {t0})"),
                    None => assert_eq!(got.1, 0, "{br:?} {span:?}: a block after the last"),
                }
            }
        }
    }
    walks::<16>(0..40, 0..3000);
    walks::<8>(3..20, 1000..2100);
    walks::<16>(16..32, 0..256);
    walks::<4>(0..3, 5..6);
    assert_eq!((fwd_block::<f32>(4096 * 1024, false), fwd_block::<f64>(1 << 20, false)), (TF_DRAM, TF_DRAM));
    assert_eq!((fwd_block::<f32>(16 * 48000, false), fwd_block::<f32>(1 << 30, true)), (TF, TF));
}
