//! A starting point for fitting a parametric EQ to a measured magnitude response.
//!
//! Gradient descent on a parametric EQ from a flat start has a blind spot: a band at 0 dB has no gradient
//! in its frequency or Q, so the optimiser's first steps move those at random and bands get stranded far from
//! the features they should explain. [`peq_guess`] places the bands first, by greedy matching pursuit on the
//! dB response: the shelves take the mean levels below 60 Hz and above 12 kHz; then each peaking band goes
//! to the largest remaining deviation, with that deviation as its gain, and its response is subtracted.

use super::rbj::{rbj, Rbj};
use crate::error::{Error, Result};
use crate::freq::sosfreqz;
use crate::Coefs;

const F: &str = "peq_guess";

/// Initial `(f0 Hz, Q, gain dB)` bands — low shelf, `peaks` peaking bands, high shelf — for a measured response.
///
/// # Arguments
/// * `freqs` — `[N]` frequencies in Hz, increasing, within `(0, fs/2)` (log-spaced works best).
/// * `db` — `[N]` measured magnitude in dB at `freqs`.
/// * `peaks` — number of peaking bands.
/// * `fs` — sample rate in Hz.
///
/// # Returns
/// `peaks + 2` rows: the low shelf (100 Hz, Q 0.71), the peaks (Q 1.4, or 0.7 where the deviation is broad), the
/// high shelf (8 kHz, Q 0.71). Feed them to a parametric EQ's constructor.
///
/// # Errors
/// [`Error::Shape`] when `freqs` and `db` differ in length or are empty, or `fs` is not positive.
///
/// # Examples
/// ```
/// use diffiir::param::peq_guess;
/// let freqs: Vec<f64> = (0..200).map(|i| 20.0 * 1000f64.powf(i as f64 / 199.0)).collect();
/// // A +6 dB bump around 1 kHz.
/// let db: Vec<f64> = freqs.iter().map(|f| 6.0 * (-(f / 1000.0).log2().powi(2) * 4.0).exp()).collect();
/// let bands = peq_guess(&freqs, &db, 2, 48_000.0).unwrap();
/// assert_eq!(bands.len(), 4);
/// assert!((bands[1][0] / 1000.0 - 1.0).abs() < 0.1 && (bands[1][2] - 6.0).abs() < 1.0);
/// ```
pub fn peq_guess(freqs: &[f64], db: &[f64], peaks: usize, fs: f64) -> Result<Vec<[f64; 3]>> {
    if freqs.len() != db.len() || freqs.is_empty() {
        return Err(Error::Shape {
            func: F,
            arg: "db",
            expected: format!("{} values (one per frequency)", freqs.len()),
            got: db.len().to_string(),
        });
    }
    if !(fs > 0.0 && fs.is_finite()) {
        return Err(Error::Shape { func: F, arg: "fs", expected: "a positive sample rate".into(), got: fs.to_string() });
    }
    let mean_where = |keep: &dyn Fn(f64) -> bool| {
        let v: Vec<f64> = freqs.iter().zip(db).filter(|(f, _)| keep(**f)).map(|(_, d)| *d).collect();
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let mut bands = vec![[100.0, 0.71, mean_where(&|f| f < 60.0)], [8000.0, 0.71, mean_where(&|f| f > 12_000.0)]];
    let w: Vec<f64> = freqs.iter().map(|f| std::f64::consts::TAU * f / fs).collect();
    let response = |kind: Rbj, band: [f64; 3]| -> Result<Vec<f64>> {
        let sos = rbj(kind, &band, fs)?;
        Ok(sosfreqz(Coefs::shared(&sos), 1, &w)?.iter().map(|h| 20.0 * h.norm().max(1e-300).log10()).collect())
    };
    let mut residual = db.to_vec();
    for (kind, band) in [(Rbj::LowShelf, bands[0]), (Rbj::HighShelf, bands[1])] {
        response(kind, band)?.iter().zip(&mut residual).for_each(|(r, v)| *v -= r);
    }
    let mut peak_bands = vec![];
    for _ in 0..peaks {
        let (i, dev) = residual.iter().enumerate().fold((0, 0.0), |best, (i, &v)| if v.abs() > f64::abs(best.1) { (i, v) } else { best });
        // Broad deviations (still above half their size an octave away) get a low Q.
        let octave = |f: f64| freqs.iter().position(|&g| g >= f).unwrap_or(freqs.len() - 1);
        let broad = [octave(freqs[i] * 2.0), octave(freqs[i] / 2.0)].iter().all(|&j| residual[j] * dev > 0.25 * dev * dev);
        // min/max, not clamp: a tiny fs must give an error from the design, not a panic.
        let band = [freqs[i].min(0.45 * fs).max(f64::MIN_POSITIVE), if broad { 0.7 } else { 1.4 }, dev];
        response(Rbj::Peaking, band)?.iter().zip(&mut residual).for_each(|(r, v)| *v -= r);
        peak_bands.push(band);
    }
    peak_bands.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let high = bands.pop().unwrap_or([8000.0, 0.71, 0.0]);
    bands.extend(peak_bands);
    bands.push(high);
    Ok(bands)
}
