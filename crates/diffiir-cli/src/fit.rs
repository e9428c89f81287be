//! `match`: fit a filter model to a dry → wet pair with burn (the adapter's modules, burn's Adam).
//!
//! 1. **Measure** the response from the recordings (`diffiir::freq::transfer_estimate`, channels pooled) on 256
//!    log-spaced frequencies over 20 Hz–20 kHz (capped below Nyquist).
//! 2. **Start** where the measurement says: parametric-EQ bands by matching pursuit (`param::peq_guess`); a biquad
//!    cascade from those bands' designs; an all-pole filter at the identity with the mean level as gain.
//! 3. **Spectral stage** (2/3 of the steps): Adam on the mean squared dB error against the measurement — the
//!    `sosfreqz`/`freqz` ops. dB errors weigh quiet and loud bands alike, so bands go where they are needed.
//! 4. **Waveform stage** (1/3): Adam on the relative squared error between the model's output and the target —
//!    the `sosfilt`/`allpole` ops — exact, no estimate, on up to 1 s of the recordings. Kept only if it does
//!    not worsen the spectral fit (a wet signal with delay or noise can pull it astray).

use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{DType, Device, Tensor, TensorData};
use diffiir::param::{peq_guess, rbj, Rbj};
use diffiir_burn::freq::{freqz, mag_db, sosfreqz};
use diffiir_burn::nn::{AllPole, BiquadCascade, ParametricEq};
use diffiir_burn::Coef;
use indicatif::{ProgressBar, ProgressStyle};
use std::str::FromStr;

/// A model to fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelSpec {
    /// Low shelf, `n` peaking bands, high shelf.
    Peq(usize),
    /// `n` free biquads (stable by the triangle parameterisation).
    Sos(usize),
    /// All-pole filter of order `n` (reflection coefficients) with a gain.
    AllPole(usize),
}

impl FromStr for ModelSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("model {s:?}: expected peq:N (1–32 peaks), sos:N (1–32 sections) or allpole:N (1–64)");
        let (kind, n) = s.split_once(':').ok_or_else(bad)?;
        let n: usize = n.parse().map_err(|_| bad())?;
        match kind {
            "peq" if (1..=32).contains(&n) => Ok(ModelSpec::Peq(n)),
            "sos" if (1..=32).contains(&n) => Ok(ModelSpec::Sos(n)),
            "allpole" if (1..=64).contains(&n) => Ok(ModelSpec::AllPole(n)),
            _ => Err(bad()),
        }
    }
}

impl std::fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelSpec::Peq(n) => write!(f, "peq:{n}"),
            ModelSpec::Sos(n) => write!(f, "sos:{n}"),
            ModelSpec::AllPole(n) => write!(f, "allpole:{n}"),
        }
    }
}

enum Model {
    Peq(ParametricEq),
    Sos(BiquadCascade),
    AllPole(AllPole),
}

type E = String;
fn err(e: diffiir::Error) -> E {
    e.to_string()
}

impl Model {
    /// `|H|` in dB at `w` (radians per sample), `[1, N]`.
    fn response_db(&self, w: &[f64]) -> Result<Tensor<2>, E> {
        let h = match self {
            Model::Peq(m) => sosfreqz(Coef::Shared(flat(m.sos().map_err(err)?)), w),
            Model::Sos(m) => sosfreqz(Coef::Shared(flat(m.sos().map_err(err)?)), w),
            Model::AllPole(m) => {
                let a = m.a().map_err(err)?;
                let one = Tensor::<1>::ones([1], (&a.device(), a.dtype()));
                freqz(Coef::Shared(m.gain.val()), Coef::Shared(Tensor::cat(vec![one, a], 0)), w)
            }
        };
        Ok(mag_db(h.map_err(err)?, 1e-20))
    }

    fn forward(&self, x: Tensor<2>) -> Result<Tensor<2>, E> {
        match self {
            Model::Peq(m) => m.forward(x),
            Model::Sos(m) => m.forward(x),
            Model::AllPole(m) => m.forward(x),
        }
        .map_err(err)
    }
}

/// Flattens `[S, 6]` to `[S·6]`.
fn flat(sos: Tensor<2>) -> Tensor<1> {
    let n = sos.dims()[0] * 6;
    sos.reshape([n])
}

/// The result of a fit.
pub struct Fit {
    /// The filter, ready to save.
    pub filter: crate::filter::FilterFile,
    /// Frequencies (Hz) of the spectral comparison.
    pub freqs: Vec<f64>,
    /// Measured response, dB.
    pub measured_db: Vec<f64>,
    /// Fitted response, dB.
    pub fitted_db: Vec<f64>,
    /// Loss after each step: `(stage, value)`; stage 1 in dB², stage 2 relative.
    pub losses: Vec<(u8, f64)>,
}

/// Grid of the spectral stage and the reported error: 256 log-spaced frequencies over 20 Hz–min(20 kHz, 0.45·fs).
pub fn grid(fs: f64) -> Vec<f64> {
    let top = (0.45 * fs).min(20_000.0);
    (0..256).map(|i| 20.0 * (top / 20.0).powf(i as f64 / 255.0)).collect()
}

/// How `fit` reports progress on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// A progress bar with the current loss (an interactive terminal).
    Bar,
    /// A line every 100 steps (logs, CI).
    Lines,
    /// Nothing.
    Quiet,
}

/// Fits `spec` to `dry` → `wet` (channels of equal length, pooled) at `fs`, with `steps` optimiser steps.
pub fn fit(dry: &[Vec<f64>], wet: &[Vec<f64>], fs: f64, spec: ModelSpec, steps: usize, progress: Progress) -> Result<Fit, E> {
    let dev = Device::flex().autodiff();
    let opts = (&dev, DType::F64);
    let (c, t) = (dry.len(), dry.first().map_or(0, Vec::len));
    let freqs = grid(fs);
    let w: Vec<f64> = freqs.iter().map(|f| std::f64::consts::TAU * f / fs).collect();
    // The measurement: at most 10 s per channel is plenty for 256 frequencies.
    let tm = t.min((10.0 * fs) as usize);
    let (dx, dy): (Vec<f64>, Vec<f64>) =
        (dry.iter().flat_map(|v| &v[..tm]).copied().collect(), wet.iter().flat_map(|v| &v[..tm]).copied().collect());
    let h = diffiir::freq::transfer_estimate(&dx, &dy, diffiir::Dims::new(c, tm), &w).map_err(|e| match e {
        diffiir::Error::Silent { .. } => "the input is silent (all zeros); nothing can be fitted".to_string(),
        e => e.to_string(),
    })?;
    let measured_db: Vec<f64> = h.iter().map(|h| 10.0 * (h.norm_sqr() + 1e-20).log10()).collect();
    if measured_db.iter().any(|v| !v.is_finite()) {
        return Err("the measured response is not finite (is the input silent at some frequencies?)".into());
    }

    let mut model = match spec {
        ModelSpec::Peq(n) => Model::Peq(ParametricEq::from_bands(&peq_guess(&freqs, &measured_db, n, fs).map_err(err)?, fs, opts)),
        ModelSpec::Sos(n) => {
            let bands = peq_guess(&freqs, &measured_db, n.saturating_sub(2), fs).map_err(err)?;
            let kinds =
                std::iter::once(Rbj::LowShelf).chain(std::iter::repeat_n(Rbj::Peaking, n.saturating_sub(2))).chain([Rbj::HighShelf]);
            let mut sos = vec![];
            for (kind, b) in kinds.zip(&bands).take(n) {
                sos.extend(rbj(kind, b, fs).map_err(err)?);
            }
            Model::Sos(BiquadCascade::from_sos(&sos, opts).map_err(err)?)
        }
        ModelSpec::AllPole(n) => {
            let mut m = AllPole::new(n, opts);
            let level = measured_db.iter().sum::<f64>() / measured_db.len() as f64;
            m.gain = burn::module::Param::from_tensor(Tensor::from_data(TensorData::new(vec![10f64.powf(level / 20.0)], [1]), opts));
            Model::AllPole(m)
        }
    };

    let bar = if progress == Progress::Bar { ProgressBar::new(steps as u64) } else { ProgressBar::hidden() };
    let line = |step: usize, stage: &str, value: f64, unit: &str| {
        if progress == Progress::Lines && (step.is_multiple_of(100) || step + 1 == steps) {
            eprintln!("step {:>5}/{steps}  {stage:<8} loss {value:.3e}{unit}", step + 1);
        }
    };
    bar.set_style(ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}").unwrap_or_else(|_| ProgressStyle::default_bar()));
    let mut losses = vec![];
    let target_db = Tensor::<2>::from_data(TensorData::new(measured_db.clone(), [1, freqs.len()]), opts);
    let s1 = (2 * steps).div_ceil(3);
    let mut adam = AdamConfig::new().init();
    bar.set_prefix("spectral");
    for i in 0..s1 {
        let loss = (model.response_db(&w)? - target_db.clone()).powi_scalar(2).mean();
        let value = loss.clone().into_scalar::<f64>();
        losses.push((1, value));
        bar.set_message(format!("loss {value:.3e} dB²"));
        bar.inc(1);
        line(i, "spectral", value, " dB²");
        let lr = 0.05 * 0.1f64.powf(i as f64 / s1 as f64);
        model = step(&mut adam, model, loss, lr);
    }
    let spectral_error = max_err(&db_of(&model, &w)?, &measured_db);

    // Waveform stage on up to 1 s per channel: a polish, and its cost is linear in the length.
    let tw = t.min(fs as usize);
    let to_t = |v: &[Vec<f64>]| {
        Tensor::<2>::from_data(TensorData::new(v.iter().flat_map(|c| &c[..tw]).copied().collect::<Vec<_>>(), [c, tw]), opts)
    };
    let (x, y) = (to_t(dry), to_t(wet));
    let power = y.clone().powi_scalar(2).mean().into_scalar::<f64>().max(1e-30);
    let before = snapshot(&model);
    let mut adam = AdamConfig::new().init();
    bar.set_prefix("waveform");
    let s2 = steps - s1;
    for i in 0..s2 {
        let loss = (model.forward(x.clone())? - y.clone()).powi_scalar(2).mean() / power;
        let value = loss.clone().into_scalar::<f64>();
        losses.push((2, value));
        bar.set_message(format!("loss {value:.3e} (relative)"));
        bar.inc(1);
        line(s1 + i, "waveform", value, " (relative)");
        model = step(&mut adam, model, loss, 2e-3 * 0.1f64.powf(i as f64 / s2.max(1) as f64));
    }
    bar.finish_and_clear();
    let mut fitted_db = db_of(&model, &w)?;
    if max_err(&fitted_db, &measured_db) > spectral_error {
        model = before;
        fitted_db = db_of(&model, &w)?;
    }
    let filter = describe(&model, spec, fs, &fitted_db, &measured_db, steps)?;
    Ok(Fit { filter, freqs, measured_db, fitted_db, losses })
}

fn step(adam: &mut burn::optim::ModuleOptimizer, model: Model, loss: Tensor<1>, lr: f64) -> Model {
    let grads = loss.backward();
    match model {
        Model::Peq(m) => {
            let g = GradientsParams::from_grads(grads, &m);
            Model::Peq(adam.step(lr, m, g))
        }
        Model::Sos(m) => {
            let g = GradientsParams::from_grads(grads, &m);
            Model::Sos(adam.step(lr, m, g))
        }
        Model::AllPole(m) => {
            let g = GradientsParams::from_grads(grads, &m);
            Model::AllPole(adam.step(lr, m, g))
        }
    }
}

/// A copy of the model's current parameters (detached).
fn snapshot(model: &Model) -> Model {
    use burn::module::Param;
    let d = |p: &Param<Tensor<2>>| Param::from_tensor(p.val().detach());
    let d1 = |p: &Param<Tensor<1>>| Param::from_tensor(p.val().detach());
    match model {
        Model::Peq(m) => Model::Peq(ParametricEq { bands: d(&m.bands), fs: m.fs, q_min: m.q_min }),
        Model::Sos(m) => Model::Sos(BiquadCascade { gain: d1(&m.gain), zeros: d(&m.zeros), poles: d(&m.poles) }),
        Model::AllPole(m) => Model::AllPole(AllPole { u: d1(&m.u), gain: d1(&m.gain) }),
    }
}

fn host<const D: usize>(t: Tensor<D>) -> Result<Vec<f64>, E> {
    t.into_data().convert::<f64>().try_into_vec::<f64>().map_err(|e| format!("{e:?}"))
}

fn db_of(model: &Model, w: &[f64]) -> Result<Vec<f64>, E> {
    host(model.response_db(w)?.detach())
}

fn max_err(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

fn describe(
    model: &Model,
    spec: ModelSpec,
    fs: f64,
    fitted: &[f64],
    measured: &[f64],
    steps: usize,
) -> Result<crate::filter::FilterFile, E> {
    use crate::filter::{Band, FilterFile, FitReport};
    let rows = |v: Vec<f64>| v.chunks_exact(6).map(|r| [r[0], r[1], r[2], r[3], r[4], r[5]]).collect::<Vec<[f64; 6]>>();
    let mean = fitted.iter().zip(measured).map(|(x, y)| (x - y).abs()).sum::<f64>() / fitted.len().max(1) as f64;
    let mut f = FilterFile {
        model: spec.to_string(),
        sample_rate: fs,
        bands: None,
        reflection: None,
        sos: None,
        b: None,
        a: None,
        fit: Some(FitReport { max_error_db: max_err(fitted, measured), mean_error_db: mean, steps }),
    };
    match model {
        Model::Peq(m) => {
            let bands = m.bands().map_err(err)?;
            let n = bands.len();
            f.bands = Some(
                bands
                    .iter()
                    .enumerate()
                    .map(|(i, b)| Band {
                        kind: if i == 0 {
                            "low_shelf"
                        } else if i + 1 == n {
                            "high_shelf"
                        } else {
                            "peak"
                        }
                        .into(),
                        f0: b[0],
                        q: b[1],
                        gain_db: b[2],
                    })
                    .collect(),
            );
            f.sos = Some(rows(host(m.sos().map_err(err)?)?));
        }
        Model::Sos(m) => f.sos = Some(rows(host(m.sos().map_err(err)?)?)),
        Model::AllPole(m) => {
            f.reflection = Some(host(diffiir_burn::param::map(m.u.val(), diffiir_burn::param::Map::Reflection).map_err(err)?)?);
            f.b = Some(host(m.gain.val())?);
            f.a = Some(std::iter::once(1.0).chain(host(m.a().map_err(err)?)?).collect());
        }
    }
    Ok(f)
}
