//! The fitted filter as a file: a JSON description (model, parameters, coefficients, sample rate) that `apply`
//! and `plot` read back, and the one place that turns it into a filter.

use diffiir::{Coefs, Dims, Stream};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One band of a parametric EQ.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Band {
    /// `low_shelf`, `peak` or `high_shelf`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Centre / corner frequency in Hz.
    pub f0: f64,
    /// Quality factor.
    pub q: f64,
    /// Gain in dB.
    pub gain_db: f64,
}

/// How well the fit went.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FitReport {
    /// Largest magnitude error over 20 Hz–20 kHz against the measured response, dB.
    pub max_error_db: f64,
    /// Mean absolute magnitude error over the same grid, dB.
    pub mean_error_db: f64,
    /// Optimiser steps taken.
    pub steps: usize,
}

/// A filter description. Either `sos` (second-order sections `[b0, b1, b2, a0, a1, a2]`) or `b`/`a` is set.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FilterFile {
    /// The model it was fitted as, e.g. `peq:6`.
    pub model: String,
    /// Sample rate in Hz the coefficients are designed for.
    pub sample_rate: f64,
    /// Parametric-EQ bands (`peq` models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bands: Option<Vec<Band>>,
    /// Reflection coefficients (`allpole` models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reflection: Option<Vec<f64>>,
    /// Second-order sections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sos: Option<Vec<[f64; 6]>>,
    /// Numerator (`allpole`: the gain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b: Option<Vec<f64>>,
    /// Denominator `[1, a1, …, aN]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a: Option<Vec<f64>>,
    /// Fit quality, when the file came from `match`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit: Option<FitReport>,
}

impl FilterFile {
    /// Reads and validates a filter file.
    pub fn read(path: &Path) -> Result<FilterFile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read filter ({e})", path.display()))?;
        let f: FilterFile = serde_json::from_str(&text).map_err(|e| format!("{}: not a diffiir filter file ({e})", path.display()))?;
        f.validate().map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(f)
    }

    /// Writes the file (atomically).
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| format!("cannot encode filter ({e})"))?;
        let tmp = crate::wav::temp_path(path);
        std::fs::write(&tmp, text + "\n").map_err(|e| format!("{}: cannot write ({e})", path.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| format!("{}: cannot write ({e})", path.display()))
    }

    fn validate(&self) -> Result<(), String> {
        if !(self.sample_rate > 0.0 && self.sample_rate.is_finite()) {
            return Err(format!("sample_rate must be positive; got {}", self.sample_rate));
        }
        let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
        match (&self.sos, &self.b, &self.a) {
            (Some(sos), None, None) if !sos.is_empty() && sos.iter().all(|r| finite(r) && r[3] != 0.0) => Ok(()),
            (Some(_), None, None) => Err("sos must be non-empty rows [b0, b1, b2, a0, a1, a2] of finite values with a0 ≠ 0".into()),
            (None, Some(b), Some(a)) if !b.is_empty() && !a.is_empty() && a[0] != 0.0 && finite(b) && finite(a) => {
                diffiir::lfilter_check(&Coefs::shared(b), &Coefs::shared(a), Dims::new(1, 1)).map(|_| ()).map_err(|e| e.to_string())
            }
            (None, Some(_), Some(_)) => Err("b and a must be non-empty and finite, with a[0] ≠ 0".into()),
            _ => Err("the filter needs either sos, or b and a".into()),
        }
    }

    /// Sections flattened, if the filter is an sos cascade.
    pub fn sos_flat(&self) -> Option<Vec<f64>> {
        self.sos.as_ref().map(|s| s.iter().flatten().copied().collect())
    }

    /// Frequency response at `freqs` Hz.
    pub fn response(&self, freqs: &[f64]) -> Result<Vec<diffiir::freq::Complex<f64>>, String> {
        let w: Vec<f64> = freqs.iter().map(|f| std::f64::consts::TAU * f / self.sample_rate).collect();
        let h = match (self.sos_flat(), &self.b, &self.a) {
            (Some(sos), _, _) => diffiir::freq::sosfreqz(Coefs::shared(&sos), 1, &w),
            (None, Some(b), Some(a)) => diffiir::freq::freqz(Coefs::shared(b), Coefs::shared(a), 1, &w),
            _ => return Err("the filter needs either sos, or b and a".into()),
        };
        h.map_err(|e| e.to_string())
    }

    /// Filters `x` (one channel) block by block with carried state; the result equals one call on the whole
    /// signal bit for bit (the core's streaming guarantee).
    pub fn apply(&self, x: &[f64], block: usize) -> Result<Vec<f64>, String> {
        let mut y = vec![0.0; x.len()];
        let block = block.max(1);
        match (self.sos_flat(), &self.b, &self.a) {
            (Some(sos), _, _) => {
                let mut s = Stream::new(1, sos.len() / 3);
                for (xb, yb) in x.chunks(block).zip(y.chunks_mut(block)) {
                    s.sosfilt(Coefs::shared(&sos), xb, yb).map_err(|e| e.to_string())?;
                }
            }
            (None, Some(b), Some(a)) => {
                let mut s = Stream::new(1, b.len().max(a.len()) - 1);
                for (xb, yb) in x.chunks(block).zip(y.chunks_mut(block)) {
                    s.lfilter(Coefs::shared(b), Coefs::shared(a), xb, yb).map_err(|e| e.to_string())?;
                }
            }
            _ => return Err("the filter needs either sos, or b and a".into()),
        }
        Ok(y)
    }
}
