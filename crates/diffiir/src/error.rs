//! The crate's one error type.
//!
//! Contract violations (shapes, lengths, empty coefficient arrays) are separate variants from data-dependent
//! numerical conditions (a leading coefficient of zero, a singular steady-state system), so callers can tell a
//! programming error from a bad filter.

use std::fmt;

/// Result alias used by every fallible function of the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong in a call into `diffiir`.
///
/// Every message names the function and the argument; shape errors also give the expected and the received
/// shape, e.g. `lfilter: zi has length 5; expected 6 = batch 3 × (max(len(a), len(b)) − 1 = 2)`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// An argument has the wrong length or shape.
    Shape {
        /// Function that rejected the call.
        func: &'static str,
        /// Argument at fault.
        arg: &'static str,
        /// The expected shape, in words.
        expected: String,
        /// What was received.
        got: String,
    },
    /// A coefficient array is empty (a filter needs at least `a[0]`, `b[0]` or one section).
    Empty {
        /// Function that rejected the call.
        func: &'static str,
        /// Argument at fault.
        arg: &'static str,
    },
    /// The leading denominator coefficient `a[0]` (of a signal, a sample or a section) is zero, so the
    /// filter cannot be normalised.
    ZeroLeadingCoefficient {
        /// Function that rejected the call.
        func: &'static str,
        /// Argument at fault.
        arg: &'static str,
        /// Flat index of the offending coefficient set (signal, sample or section, in memory order).
        index: usize,
    },
    /// The filter order exceeds what the kernels support. A polynomial of such order is numerically
    /// meaningless anyway; factor it into second-order sections and use `sosfilt`.
    OrderTooLarge {
        /// Function that rejected the call.
        func: &'static str,
        /// Argument at fault.
        arg: &'static str,
        /// The order received.
        order: usize,
        /// The largest supported order.
        max: usize,
    },
    /// The steady-state system of `lfilter_zi`/`sosfilt_zi` is singular: the filter has a pole at z = 1
    /// (sum(a) = 0), so no steady state exists for a step input.
    Singular {
        /// Function that rejected the call.
        func: &'static str,
        /// Argument at fault.
        arg: &'static str,
        /// Flat index of the offending coefficient set.
        index: usize,
    },
    /// A filter is not stable: a pole on or outside the unit circle (from the `check_stable*` functions).
    Unstable {
        /// Function that rejected the call.
        func: &'static str,
        /// Argument at fault.
        arg: &'static str,
        /// Flat index of the offending coefficient set (signal, sample or section, in memory order).
        index: usize,
        /// The first Schur–Cohn reflection coefficient with `|k| ≥ 1` (NaN for non-finite coefficients).
        k: f64,
    },
    /// A signal that must carry energy is silent (all zeros), e.g. the input of a transfer-function estimate.
    Silent {
        /// Function that rejected the call.
        func: &'static str,
        /// Argument at fault.
        arg: &'static str,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Shape { func, arg, expected, got } => {
                write!(f, "{func}: {arg} has {got}; expected {expected}")
            }
            Error::Empty { func, arg } => write!(f, "{func}: {arg} is empty; it needs at least one coefficient"),
            Error::ZeroLeadingCoefficient { func, arg, index } => {
                write!(f, "{func}: {arg}[0] is zero in coefficient set {index}; the filter cannot be normalised by a[0]")
            }
            Error::OrderTooLarge { func, arg, order, max } => {
                write!(f, "{func}: {arg} give order {order}; at most {max} is supported (use sosfilt with second-order sections)")
            }
            Error::Singular { func, arg, index } => {
                write!(f, "{func}: {arg} has sum(a) = 0 in coefficient set {index} (a pole at z = 1); no steady state exists")
            }
            Error::Unstable { func, arg, index, k } => write!(
                f,
                "{func}: {arg} is unstable in coefficient set {index} (a pole on or outside the unit circle; Schur–Cohn |k| = {:.6} ≥ 1)",
                k.abs()
            ),
            Error::Silent { func, arg } => write!(f, "{func}: {arg} is silent (all zeros); nothing can be measured from it"),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand used by the validators: a length mismatch.
pub(crate) fn shape(func: &'static str, arg: &'static str, expected: String, got: usize) -> Error {
    Error::Shape { func, arg, expected, got: format!("length {got}") }
}
