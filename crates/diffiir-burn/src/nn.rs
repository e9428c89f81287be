//! Ready-made filter modules (`burn::module::Module`): learnable parameters, stable by construction.
//!
//! | module | parameters | structure |
//! |---|---|---|
//! | [`BiquadCascade`] | gain, zero pair and triangle-mapped pole pair per section | `sosfilt` |
//! | [`ParametricEq`] | `(u_f, u_Q, gain dB)` per band: low shelf, `N` peaks, high shelf (RBJ) | `sosfilt` |
//! | [`AllPole`] | reflection parameters `u` (`k = (1 − ε) tanh u`) and a gain | `allpole` (LPC synthesis) |
//! | [`TimeVaryingAllPole`] | none: per-sample `u [B, T, N]` from another module | `allpole`, per sample |
//! | [`TimeVaryingBiquadCascade`] | none: per-sample `[B, T, S·5]` rows from another module | `sosfilt`, per sample |
//!
//! Every `forward(x)` takes `x` `[batch, time]` and returns `y` `[batch, time]`; gradients reach the parameters
//! through the ops' fused adjoints and the parameterisations' adjoints ([`crate::param::map`]).

use crate::param::{map, Map};
use crate::{allpole, sosfilt, Coef};
use burn::module::{Module, Param};
use burn::tensor::{DType, Tensor, TensorCreationOptions, TensorData};
use diffiir::param::Rbj;
use diffiir::Error;

/// Deterministic values in `[-1, 1)` for initialisation (SplitMix64).
fn uniform(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}

fn param<const D: usize>(v: Vec<f64>, shape: [usize; D], options: &TensorCreationOptions) -> Param<Tensor<D>> {
    Param::from_tensor(Tensor::from_data(TensorData::new(v, shape), options.clone()))
}

/// A learnable cascade of `S` biquads: section `s` is `g_s (1 + b1 z⁻¹ + b2 z⁻²) / (1 + a1 z⁻¹ + a2 z⁻²)` with
/// `(a1, a2)` = [`Map::Triangle`] of free parameters, so every pole stays inside the unit circle whatever the
/// optimiser does. Zeros are unconstrained (a filter may be non-minimum-phase).
///
/// # Examples
/// ```
/// use burn::tensor::{Device, Tensor};
/// use diffiir_burn::nn::BiquadCascade;
/// let dev = Device::flex().autodiff();
/// let model = BiquadCascade::new(4, 0, &dev);
/// let x = Tensor::<2>::ones([2, 100], &dev);
/// let y = model.forward(x).unwrap();
/// let grads = y.sum().backward(); // gradients for model.gain, model.zeros, model.poles
/// assert!(model.poles.val().grad(&grads).is_some());
/// ```
#[derive(Module, Debug)]
pub struct BiquadCascade {
    /// `[S]` section gains `g`.
    pub gain: Param<Tensor<1>>,
    /// `[S, 2]` zero quadratics `(b1, b2)`.
    pub zeros: Param<Tensor<2>>,
    /// `[S, 2]` free pole parameters, mapped to `(a1, a2)` by [`Map::Triangle`].
    pub poles: Param<Tensor<2>>,
}

impl BiquadCascade {
    /// `sections` biquads, near identity with small deterministic perturbations from `seed` (identical sections
    /// would receive identical gradients and never separate): `g = 1`, `(b1, b2), (u1, u2) ∈ ±0.1`.
    pub fn new(sections: usize, seed: u64, options: impl Into<TensorCreationOptions>) -> Self {
        let o = options.into();
        let r = uniform(4 * sections, seed);
        BiquadCascade {
            gain: param(vec![1.0; sections], [sections], &o),
            zeros: param(r[..2 * sections].iter().map(|v| 0.1 * v).collect(), [sections, 2], &o),
            poles: param(r[2 * sections..].iter().map(|v| 0.1 * v).collect(), [sections, 2], &o),
        }
    }

    /// A cascade equal to the given sos rows `[S, 6]` (normalised by each `a0`; `(a1, a2)` outside the stability
    /// triangle are pulled inside by [`diffiir::param::triangle_inverse`]). A section with `b0 = 0` gets a tiny
    /// gain, since the parameterisation factors it out of the zeros.
    ///
    /// # Errors
    /// [`Error::Shape`] when `sos` is not rows of 6; [`Error::ZeroLeadingCoefficient`] for `a0 = 0`.
    pub fn from_sos(sos: &[f64], options: impl Into<TensorCreationOptions>) -> Result<Self, Error> {
        if sos.is_empty() || !sos.len().is_multiple_of(6) {
            return Err(Error::Shape {
                func: "BiquadCascade::from_sos",
                arg: "sos",
                expected: "rows of 6".into(),
                got: sos.len().to_string(),
            });
        }
        let o = options.into();
        let (mut gain, mut zeros, mut a) = (vec![], vec![], vec![]);
        for (index, r) in sos.chunks_exact(6).enumerate() {
            if r[3] == 0.0 {
                return Err(Error::ZeroLeadingCoefficient { func: "BiquadCascade::from_sos", arg: "sos", index });
            }
            let g = if r[0] == 0.0 { 1e-6 } else { r[0] / r[3] };
            gain.push(g);
            zeros.extend([r[1] / r[3] / g, r[2] / r[3] / g]);
            a.extend([r[4] / r[3], r[5] / r[3]]);
        }
        let s = gain.len();
        let u = diffiir::param::triangle_inverse(&a)?;
        Ok(BiquadCascade { gain: param(gain, [s], &o), zeros: param(zeros, [s, 2], &o), poles: param(u, [s, 2], &o) })
    }

    /// The sections as sos rows `[S, 6]` (`[g, g·b1, g·b2, 1, a1, a2]`).
    pub fn sos(&self) -> Result<Tensor<2>, Error> {
        let s = self.gain.dims()[0];
        let a = map(self.poles.val(), Map::Triangle)?;
        let rows = Tensor::cat(vec![self.gain.val().reshape([s, 1]), self.zeros.val(), a], 1);
        map(rows, Map::SosFromPairs)
    }

    /// Filters `x` `[B, T]` through the cascade.
    pub fn forward(&self, x: Tensor<2>) -> Result<Tensor<2>, Error> {
        let sos = self.sos()?;
        let n = sos.dims()[0] * 6;
        Ok(sosfilt(Coef::Shared(sos.reshape([n])), x, None)?.0)
    }
}

/// A parametric equaliser: low shelf, `N` peaking bands and high shelf (RBJ cookbook designs), each band
/// `(u_f, u_Q, gain dB)` through [`Map::RbjUnconstrained`] — `f0 = fs/2·(ε + (1 − 2ε)σ(u_f))`,
/// `Q = q_min + softplus(u_Q)` — so every setting the optimiser reaches is a valid, stable design.
///
/// # Examples
/// ```
/// use burn::tensor::{Device, Tensor};
/// use diffiir_burn::nn::ParametricEq;
/// let eq = ParametricEq::new(3, 48_000.0, &Device::flex());
/// let bands = eq.bands().unwrap(); // (f0 Hz, Q, gain dB) per band, flat at first
/// assert_eq!(bands.len(), 5);
/// assert!(bands.iter().all(|b| b[2] == 0.0));
/// ```
#[derive(Module, Debug)]
pub struct ParametricEq {
    /// `[N + 2, 3]` free parameters `(u_f, u_Q, gain dB)`: row 0 the low shelf, rows `1..=N` the peaks, row
    /// `N + 1` the high shelf.
    pub bands: Param<Tensor<2>>,
    /// Sample rate in Hz.
    #[module(skip)]
    pub fs: f64,
    /// Smallest Q.
    #[module(skip)]
    pub q_min: f64,
}

impl ParametricEq {
    /// `peaks` peaking bands between a low and a high shelf, flat (0 dB): shelves at 100 Hz and 8 kHz
    /// (`Q = 0.71`), peaks log-spaced over 80 Hz–12 kHz (`Q = 1`); `q_min = 0.1`.
    pub fn new(peaks: usize, fs: f64, options: impl Into<TensorCreationOptions>) -> Self {
        let mut bands = vec![[100.0, 0.71, 0.0]];
        for i in 0..peaks {
            let t = if peaks > 1 { i as f64 / (peaks - 1) as f64 } else { 0.5 };
            bands.push([80.0 * (12_000.0f64 / 80.0).powf(t), 1.0, 0.0]);
        }
        bands.push([8000.0, 0.71, 0.0]);
        Self::from_bands(&bands, fs, options)
    }

    /// An equaliser with the given bands `(f0 Hz, Q, gain dB)` — low shelf, peaks, high shelf (at least the two
    /// shelves) — by inverting the parameterisation (`f0` is clamped into `(0, 0.45·fs]`, `Q` to above
    /// `q_min = 0.1`).
    pub fn from_bands(bands: &[[f64; 3]], fs: f64, options: impl Into<TensorCreationOptions>) -> Self {
        let o = options.into();
        let eps = if o.dtype == Some(DType::F64) { diffiir::param::EPS_F64 } else { f64::from(diffiir::param::EPS_F32) };
        let q_min = 0.1;
        let nyq = (fs / 2.0).max(1.0);
        let v: Vec<f64> = bands
            .iter()
            .flat_map(|&[f0, q, gain]| {
                let p = ((f0.min(0.45 * fs) / nyq - eps) / (1.0 - 2.0 * eps)).clamp(1e-6, 1.0 - 1e-6);
                [(p / (1.0 - p)).ln(), ((q - q_min).max(1e-6).exp() - 1.0).ln(), gain]
            })
            .collect();
        ParametricEq { bands: param(v, [bands.len(), 3], &o), fs, q_min }
    }

    /// The bands as sos rows `[N + 2, 6]`.
    pub fn sos(&self) -> Result<Tensor<2>, Error> {
        let n = self.bands.dims()[0];
        let (fs, q_min) = (self.fs, self.q_min);
        let band = |start, len, kind| map(self.bands.val().narrow(0, start, len), Map::RbjUnconstrained { kind, fs, q_min });
        let mut parts = vec![band(0, 1, Rbj::LowShelf)?];
        if n > 2 {
            parts.push(band(1, n - 2, Rbj::Peaking)?);
        }
        parts.push(band(n - 1, 1, Rbj::HighShelf)?);
        Ok(Tensor::cat(parts, 0))
    }

    /// Filters `x` `[B, T]` through every band.
    pub fn forward(&self, x: Tensor<2>) -> Result<Tensor<2>, Error> {
        let sos = self.sos()?;
        let n = sos.dims()[0] * 6;
        Ok(sosfilt(Coef::Shared(sos.reshape([n])), x, None)?.0)
    }

    /// The bands in physical units, `(f0 Hz, Q, gain dB)` per band (low shelf, peaks, high shelf), computed in
    /// the parameters' precision.
    pub fn bands(&self) -> Result<Vec<[f64; 3]>, Error> {
        let data = self.bands.val().into_data();
        let p: Vec<f64> = if data.dtype() == DType::F64 {
            let u = crate::check::host(data, "ParametricEq", "bands")?;
            diffiir::param::rbj_params(&u, self.fs, self.q_min)?
        } else {
            let u: Vec<f32> = crate::check::host(data, "ParametricEq", "bands")?.iter().map(|&v| v as f32).collect();
            diffiir::param::rbj_params(&u, self.fs as f32, self.q_min as f32)?.iter().map(|&v| f64::from(v)).collect()
        };
        Ok(p.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect())
    }
}

/// A learnable all-pole (LPC synthesis) filter `y = g · x / A(z)`, `A(z) = 1 + Σ a_k z⁻ᵏ` from reflection
/// coefficients `k = (1 − ε) tanh(u)` ([`Map::Reflection`], then [`Map::StepUp`]). Starts as the identity.
#[derive(Module, Debug)]
pub struct AllPole {
    /// `[N]` free reflection parameters.
    pub u: Param<Tensor<1>>,
    /// `[1]` gain.
    pub gain: Param<Tensor<1>>,
}

impl AllPole {
    /// Order `order`, `u = 0` (`A(z) = 1`), gain 1.
    pub fn new(order: usize, options: impl Into<TensorCreationOptions>) -> Self {
        let o = options.into();
        AllPole { u: param(vec![0.0; order], [order], &o), gain: param(vec![1.0], [1], &o) }
    }

    /// The LPC polynomial `a_1..a_N`, `[N]`.
    pub fn a(&self) -> Result<Tensor<1>, Error> {
        map(map(self.u.val(), Map::Reflection)?, Map::StepUp)
    }

    /// Filters `x` `[B, T]`.
    pub fn forward(&self, x: Tensor<2>) -> Result<Tensor<2>, Error> {
        let x = x * self.gain.val().unsqueeze::<2>();
        Ok(allpole(x, Coef::Shared(self.a()?), None)?.0)
    }
}

/// A time-varying all-pole filter driven by per-sample reflection parameters from another module (e.g. a
/// network predicting LPC frames, upsampled to the sample rate): `y[n] = x[n] − Σ a_k[n] y[n−k]` with
/// `a[n]` = step-up of `(1 − ε) tanh(u[n])` — stable at every sample for every input.
#[derive(Module, Debug, Default)]
pub struct TimeVaryingAllPole;

impl TimeVaryingAllPole {
    /// Filters `x` `[B, T]` with `u` `[B, T, N]`.
    pub fn forward(&self, x: Tensor<2>, u: Tensor<3>) -> Result<Tensor<2>, Error> {
        let a = map(map(u, Map::Reflection)?, Map::StepUp)?;
        Ok(allpole(x, Coef::PerSample(a), None)?.0)
    }
}

/// A time-varying biquad cascade driven by per-sample parameters from another module: `p` `[B, T, S·5]` holds,
/// per section, `(g, b1, b2, u1, u2)` — gain, zero pair and free pole parameters mapped by [`Map::Triangle`], so
/// the poles stay inside the unit circle at every sample.
#[derive(Module, Debug, Default)]
pub struct TimeVaryingBiquadCascade;

impl TimeVaryingBiquadCascade {
    /// Filters `x` `[B, T]` with `p` `[B, T, S·5]`.
    pub fn forward(&self, x: Tensor<2>, p: Tensor<3>) -> Result<Tensor<2>, Error> {
        let [b, t, k] = p.dims();
        if k == 0 || !k.is_multiple_of(5) {
            let got = format!("{k} values per sample");
            return Err(Error::Shape { func: "TimeVaryingBiquadCascade", arg: "p", expected: "S·5 values per sample".into(), got });
        }
        let s = k / 5;
        let p = p.reshape([b, t, s, 5]);
        let poles = map(p.clone().narrow(3, 3, 2), Map::Triangle)?;
        let sos = map(Tensor::cat(vec![p.narrow(3, 0, 3), poles], 3), Map::SosFromPairs)?;
        Ok(sosfilt(Coef::PerSample(sos.reshape([b, t, s * 6])), x, None)?.0)
    }
}
