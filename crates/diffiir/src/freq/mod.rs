//! Frequency domain: differentiable frequency responses and the frequency-sampling method.
//!
//! | need | use | exact? | cost |
//! |---|---|---|---|
//! | the response itself (spectral losses, EQ matching, filter design) | [`freqz`], [`sosfreqz`], [`mag_db`] | yes | `O(N·K)` per filter, no signal |
//! | filtered signals, any filter | [`lfilter`](crate::lfilter), [`sosfilt`](crate::sosfilt) | yes | `O(T·K)`, sequential in time |
//! | a measured response from input/output recordings (the target of an EQ match) | [`transfer_estimate`] | estimate (edge error `O(L/T)`) | `O(N·T)` |
//! | filtered signals, long or strongly damped filters, loss in the frequency domain anyway | [`lfilter_fsm`], [`sosfilt_fsm`] | no: FIR approximation (time aliasing, circular wrap) | `O(n log n)` per signal |
//!
//! The frequency-sampling method (FSM) evaluates `H(e^{jω})` on an FFT grid, multiplies it with the input's
//! spectrum and transforms back. It is an approximation: the impulse response is truncated and wraps around
//! (see [`fsm`]'s error model), it is time-invariant only, and resonant filters (poles near the unit circle)
//! need very long transforms. For the low-order filters common in audio the exact recursion is both exact
//! and faster (BENCHMARKS.md has the table); prefer FSM when the response must be sampled anyway.

pub mod estimate;
pub mod freqz;
pub mod fsm;

pub use estimate::transfer_estimate;
pub use freqz::{freqz, freqz_adjoint, group_delay, mag_db, mag_db_adjoint, sosfreqz, sosfreqz_adjoint};
pub use fsm::{
    lfilter_fsm, lfilter_fsm_adjoint, lfilter_fsm_n_fft, sosfilt_fsm, sosfilt_fsm_adjoint, sosfilt_fsm_n_fft, FsmGrads, FSM_MAX_N, FSM_TOL,
};

/// The complex type of the responses (re-exported from num-complex).
pub use num_complex::Complex;
/// The FFT sample bound of the frequency-sampling functions (re-exported from realfft; `f32` and `f64`).
pub use realfft::FftNum;
