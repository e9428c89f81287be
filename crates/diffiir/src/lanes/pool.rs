//! Balanced work split for [`drive`](super::drive): signals cut into more pieces than workers, each worker
//! taking the next free piece until none is left.
//!
//! A static split (one range per worker) finishes when the slowest worker does. On a machine whose cores are
//! shared — a neighbour's vCPU, or torch's OpenMP workers, which spin for milliseconds after each parallel
//! op — one worker can run at half speed, and two threads were then no faster than one (W6 through
//! `diffiir.torch` at 2 threads: kernels 13.4 ms against 14.2 on one thread; with OpenMP told not to spin,
//! 8.7). With pieces, the worker that runs at full speed takes more of them.
//!
//! Only for calls whose result cannot depend on which worker ran which piece: each piece writes its own
//! output rows. A shared coefficient gradient is summed per worker (each worker's partial in its scratch), so
//! those calls keep the static split and their fixed summation order.

use super::{split_outs, Leaf, Out};
use crate::par::join;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Pieces per worker: enough for the fast worker to take over a slow one's share, few enough that each
/// piece's start (packing, the first block's prefetch) stays small.
const PER_WORKER: usize = 4;

/// Upper bound on the pieces (their output rows live in a fixed array: no allocation).
const MAX: usize = 64;

/// One piece's signal range and output rows, taken by the first worker that asks.
type Slot<'o, T, const N: usize> = Mutex<Option<(Range<usize>, [Out<'o, T>; N])>>;

/// Runs `leaf` over chunk-aligned pieces of `0..batch` on `workers` workers (each with its `per_worker` slice
/// of `scratch`), the pieces handed out in order as workers become free.
pub(super) fn balanced<'o, T: Send, const N: usize>(
    batch: usize,
    workers: usize,
    lanes: usize,
    outs: [Out<'o, T>; N],
    scratch: &mut [T],
    per_worker: usize,
    leaf: &Leaf<'_, T, N>,
) {
    let chunks = batch.div_ceil(lanes);
    let pieces = (workers * PER_WORKER).min(chunks).min(MAX);
    let slots: [Slot<'o, T, N>; MAX] = std::array::from_fn(|_| Mutex::new(None));
    let put = |slot: &Slot<'o, T, N>, piece| *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(piece);
    let mut rest = outs;
    let mut start = 0;
    for (i, slot) in slots.iter().enumerate().take(pieces - 1) {
        let end = chunks * (i + 1) / pieces * lanes;
        let (piece, next) = split_outs(rest, end - start);
        put(slot, (start..end, piece));
        rest = next;
        start = end;
    }
    // The last piece keeps the arrays' padding past the last signal (a tape's partial lane chunk).
    put(&slots[pieces - 1], (start..batch, rest));
    let taken = AtomicUsize::new(0);
    let work = |s: &mut [T]| {
        while let Some(slot) = slots.get(taken.fetch_add(1, Ordering::Relaxed)) {
            // Slots past the last piece are empty.
            let Some((range, mut o)) = slot.lock().unwrap_or_else(|e| e.into_inner()).take() else { break };
            leaf(range, &mut o, s);
        }
    };
    spread(workers, scratch, per_worker, &work);
}

/// Runs `work` once on each of `workers` workers, each with its own `per_worker` slice of `scratch`.
fn spread<T: Send>(workers: usize, scratch: &mut [T], per_worker: usize, work: &(dyn Fn(&mut [T]) + Sync)) {
    if workers <= 1 {
        work(&mut scratch[..per_worker]);
        return;
    }
    let wl = workers / 2;
    let (s1, s2) = scratch.split_at_mut(wl * per_worker);
    join(|| spread(wl, s1, per_worker, work), || spread(workers - wl, s2, per_worker, work));
}
