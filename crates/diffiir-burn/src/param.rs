//! The core's parameterisations ([`diffiir::param`]) as one differentiable burn op, [`map`].
//!
//! Every map takes rows of parameters along the last axis and returns rows of coefficients along the last
//! axis (all leading axes are kept), so one op serves shared, per-signal and per-sample coefficients alike.
//! Its backward calls the core's adjoint (vector–Jacobian product) once.
//!
//! | [`Map`] | row in | row out | stable for |
//! |---|---|---|---|
//! | `Triangle` | `(u1, u2)` | `(a1, a2)` | every input |
//! | `ConjugatePair` | `(ρ, θ)` | `(−2r cos θ, r²)` | every input |
//! | `PolarPair` | `(r, θ)` | `(−2r cos θ, r²)` | `0 ≤ r < 1` |
//! | `SosFromPairs` | `(g, b1, b2, a1, a2)` | sos row `[g, g·b1, g·b2, 1, a1, a2]` | stable pole pair |
//! | `Reflection`, `LarReflection` | `N` values | `N` reflection coefficients, `|k| ≤ 1 − ε` | every input |
//! | `StepUp` | `k_1..k_N` | LPC `a_1..a_N` | `|k| < 1` |
//! | `Rbj { kind, fs }` | `(f0, Q, gain dB)` | sos row | `0 < f0 < fs/2`, `Q > 0` |
//! | `RbjUnconstrained { kind, fs, q_min }` | `(u_f, u_Q, gain dB)` | sos row | every input |
//! | `Svf` | `(g, R, c_LP, c_BP, c_HP)` | sos row | `g > 0`, `R > 0` |

use burn::backend::autodiff::checkpoint::{base::Checkpointer, strategy::CheckpointStrategy};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::Autodiff;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{backend_extension, AutodiffBackend, Backend, Dispatch, Flex, TensorMetadata};
use burn::tensor::{DType, Tensor, TensorData};
use diffiir::param::{self as core, Rbj};
use diffiir::{Error, Float};

/// Which parameterisation [`map`] applies (the core function of the same name; see the module table).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Map {
    /// [`diffiir::param::triangle`]: `(u1, u2) → (a1, a2)` inside the stability triangle.
    Triangle,
    /// [`diffiir::param::conjugate_pair`]: `(ρ, θ) → (−2r cos θ, r²)`, `r = (1 − ε)σ(ρ)`.
    ConjugatePair,
    /// [`diffiir::param::polar_pair`]: `(r, θ) → (−2r cos θ, r²)`.
    PolarPair,
    /// [`diffiir::param::sos_from_pairs`] with the row `(gain, b1, b2, a1, a2)`.
    SosFromPairs,
    /// [`diffiir::param::reflection`]: `k = (1 − ε) tanh(u)`, elementwise.
    Reflection,
    /// [`diffiir::param::lar_reflection`]: reflection coefficients from log-area ratios, elementwise.
    LarReflection,
    /// [`diffiir::param::step_up`]: LPC polynomial `a_1..a_N` from `k_1..k_N` (order = the last axis).
    StepUp,
    /// [`diffiir::param::rbj`]: the cookbook design from `(f0 Hz, Q, gain dB)`.
    Rbj {
        /// Filter type.
        kind: Rbj,
        /// Sample rate in Hz.
        fs: f64,
    },
    /// [`diffiir::param::rbj_unconstrained`]: the cookbook design from unconstrained `(u_f, u_Q, gain dB)`.
    RbjUnconstrained {
        /// Filter type.
        kind: Rbj,
        /// Sample rate in Hz.
        fs: f64,
        /// Smallest Q (`Q = q_min + softplus(u_Q)`).
        q_min: f64,
    },
    /// [`diffiir::param::svf`]: the TPT state-variable filter `(g, R, c_LP, c_BP, c_HP)` as an sos row.
    Svf,
}

impl Map {
    /// Output row length for input rows of `p` values, or the shape error.
    fn out_len(self, p: usize) -> Result<usize, Error> {
        let want = match self {
            Map::Triangle | Map::ConjugatePair | Map::PolarPair => 2,
            Map::SosFromPairs | Map::Svf => 5,
            Map::Rbj { .. } | Map::RbjUnconstrained { .. } => 3,
            Map::Reflection | Map::LarReflection | Map::StepUp => return if p == 0 { Err(self.empty()) } else { Ok(p) },
        };
        if p != want {
            return Err(Error::Shape { func: self.name(), arg: "u", expected: format!("rows of {want}"), got: format!("rows of {p}") });
        }
        Ok(match self {
            Map::SosFromPairs | Map::Svf | Map::Rbj { .. } | Map::RbjUnconstrained { .. } => 6,
            _ => 2,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Map::Triangle => "triangle",
            Map::ConjugatePair => "conjugate_pair",
            Map::PolarPair => "polar_pair",
            Map::SosFromPairs => "sos_from_pairs",
            Map::Reflection => "reflection",
            Map::LarReflection => "lar_reflection",
            Map::StepUp => "step_up",
            Map::Rbj { .. } => "rbj",
            Map::RbjUnconstrained { .. } => "rbj_unconstrained",
            Map::Svf => "svf",
        }
    }

    fn empty(self) -> Error {
        Error::Empty { func: self.name(), arg: "u" }
    }

    /// The core map on rows of `p` values.
    fn forward<T: Float>(self, u: &[T], p: usize) -> Result<Vec<T>, Error> {
        let f = T::of;
        match self {
            Map::Triangle => core::triangle(u),
            Map::ConjugatePair => core::conjugate_pair(u),
            Map::PolarPair => core::polar_pair(u),
            Map::SosFromPairs => {
                let (g, z, pl) = split_pairs(u);
                core::sos_from_pairs(&g, &z, &pl)
            }
            Map::Reflection => Ok(core::reflection(u)),
            Map::LarReflection => Ok(core::lar_reflection(u)),
            Map::StepUp => core::step_up(u, p),
            Map::Rbj { kind, fs } => core::rbj(kind, u, f(fs)),
            Map::RbjUnconstrained { kind, fs, q_min } => core::rbj_unconstrained(kind, u, f(fs), f(q_min)),
            Map::Svf => core::svf(u),
        }
    }

    /// The core adjoint: `∂L/∂u` from `u` and `g = ∂L/∂(output)`.
    fn adjoint<T: Float>(self, u: &[T], p: usize, g: &[T]) -> Result<Vec<T>, Error> {
        let f = T::of;
        match self {
            Map::Triangle => core::triangle_adjoint(u, g),
            Map::ConjugatePair => core::conjugate_pair_adjoint(u, g),
            Map::PolarPair => core::polar_pair_adjoint(u, g),
            Map::SosFromPairs => {
                let (gain, z, _) = split_pairs(u);
                let gr = core::sos_from_pairs_adjoint(&gain, &z, g)?;
                Ok((0..gain.len())
                    .flat_map(|i| [gr.gain[i], gr.zeros[2 * i], gr.zeros[2 * i + 1], gr.poles[2 * i], gr.poles[2 * i + 1]])
                    .collect())
            }
            Map::Reflection => core::reflection_adjoint(u, g),
            Map::LarReflection => core::lar_reflection_adjoint(u, g),
            Map::StepUp => core::step_up_adjoint(u, p, g),
            Map::Rbj { kind, fs } => core::rbj_adjoint(kind, u, f(fs), g),
            Map::RbjUnconstrained { kind, fs, q_min } => core::rbj_unconstrained_adjoint(kind, u, f(fs), f(q_min), g),
            Map::Svf => core::svf_adjoint(u, g),
        }
    }
}

/// Rows `(g, b1, b2, a1, a2)` → `(gain, zeros, poles)`.
fn split_pairs<T: Float>(u: &[T]) -> (Vec<T>, Vec<T>, Vec<T>) {
    let g = u.chunks_exact(5).map(|r| r[0]).collect();
    let z = u.chunks_exact(5).flat_map(|r| [r[1], r[2]]).collect();
    let p = u.chunks_exact(5).flat_map(|r| [r[3], r[4]]).collect();
    (g, z, p)
}

/// Applies a parameterisation to the rows along the last axis of `u`; differentiable.
///
/// # Arguments
/// * `u` — `[..., P]`: parameters, `P` as the [`Map`] requires (table in the [module docs](self)).
/// * `map` — which map, with its settings.
///
/// # Returns
/// `[..., K]` coefficients, leading axes unchanged.
///
/// # Errors
/// [`Error::Shape`] for a wrong `P`; the core's errors for invalid settings (`fs ≤ 0`, `q_min ≤ 0`).
///
/// # Examples
/// ```
/// use burn::tensor::{Device, Tensor};
/// use diffiir_burn::param::{map, Map};
/// let u = Tensor::<2>::from_data([[0.3, -0.2], [40.0, 40.0]], &Device::flex());
/// let a = map(u, Map::Triangle).unwrap(); // [2, 2]: (a1, a2) rows, every one stable
/// assert_eq!(a.dims(), [2, 2]);
/// ```
pub fn map<const D: usize>(u: Tensor<D>, map: Map) -> Result<Tensor<D>, Error> {
    let p = u.dims()[D - 1];
    map.out_len(p)?;
    // Settings (fs, q_min) are validated by the core on one neutral row before dispatch.
    let probe: Vec<f64> = match map {
        Map::Rbj { .. } => vec![0.1 * map_fs(map), 1.0, 0.0],
        _ => vec![0.5; p],
    };
    map.forward(&probe, p)?;
    Ok(Tensor::from_dispatch(Dispatch::param_map(u.into_dispatch(), map)))
}

fn map_fs(map: Map) -> f64 {
    match map {
        Map::Rbj { fs, .. } | Map::RbjUnconstrained { fs, .. } => fs,
        _ => 1.0,
    }
}

/// The parameterisation op: forward and adjoint.
#[backend_extension(Flex, Autodiff)]
pub trait ParamOps: Backend {
    /// `u [..., P] → [..., K]`.
    fn param_map(u: FloatTensor<Self>, map: Map) -> FloatTensor<Self>;
    /// `∂L/∂u` from `u` and `∂L/∂(output)`.
    fn param_map_adjoint(u: FloatTensor<Self>, g: FloatTensor<Self>, map: Map) -> FloatTensor<Self>;
}

fn flex_map<T: Float + burn::tensor::Element + bytemuck::Pod>(u: &FlexTensor, map: Map) -> FlexTensor {
    let mut shape = u.shape().to_vec();
    let p = shape.last().copied().unwrap_or(0);
    let k = map.out_len(p).unwrap_or(p);
    let data = u.as_slice::<T>().unwrap_or(&[]);
    let rows = data.len().checked_div(p).unwrap_or(0);
    let out = map.forward(data, p).unwrap_or_else(|_| vec![T::nan(); rows * k]);
    if let Some(last) = shape.last_mut() {
        *last = k;
    }
    FlexTensor::from_data(TensorData::new(out, shape))
}

fn flex_map_adjoint<T: Float + burn::tensor::Element + bytemuck::Pod>(u: &FlexTensor, g: &FlexTensor, map: Map) -> FlexTensor {
    let shape = u.shape().to_vec();
    let p = shape.last().copied().unwrap_or(0);
    let data = u.as_slice::<T>().unwrap_or(&[]);
    let out = map.adjoint(data, p, g.as_slice::<T>().unwrap_or(&[])).unwrap_or_else(|_| vec![T::nan(); data.len()]);
    FlexTensor::from_data(TensorData::new(out, shape))
}

impl ParamOps for Flex {
    fn param_map(u: FlexTensor, map: Map) -> FlexTensor {
        let u = u.to_contiguous();
        match u.dtype() {
            DType::F64 => flex_map::<f64>(&u, map),
            _ => flex_map::<f32>(&u, map),
        }
    }

    fn param_map_adjoint(u: FlexTensor, g: FlexTensor, map: Map) -> FlexTensor {
        let (u, g) = (u.to_contiguous(), g.to_contiguous());
        match u.dtype() {
            DType::F64 => flex_map_adjoint::<f64>(&u, &g, map),
            _ => flex_map_adjoint::<f32>(&u, &g, map),
        }
    }
}

#[derive(Debug)]
struct MapBackward;

impl<B: ParamOps> Backward<B, 1> for MapBackward {
    type State = (FloatTensor<B>, Map);

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let g = grads.consume::<B>(&ops.node);
        let (u, map) = ops.state;
        if let [Some(parent)] = &ops.parents {
            grads.register::<B>(parent.id, B::param_map_adjoint(u, g, map));
        }
    }
}

impl<B: ParamOps, C: CheckpointStrategy> ParamOps for Autodiff<B, C> {
    fn param_map(u: FloatTensor<Self>, map: Map) -> FloatTensor<Self> {
        let guards = [u.node()];
        let up = u.primitive().clone();
        let out = B::param_map(u.into_primitive(), map);
        match MapBackward.prepare::<C>(guards).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish((up, map), out),
            OpsKind::UnTracked(prep) => prep.finish(out),
        }
    }

    fn param_map_adjoint(u: FloatTensor<Self>, g: FloatTensor<Self>, map: Map) -> FloatTensor<Self> {
        Autodiff::<B, C>::from_inner(B::param_map_adjoint(u.into_primitive(), g.into_primitive(), map))
    }
}
