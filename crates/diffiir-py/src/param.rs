//! `diffiir::param`: the parameterisations (parameters → coefficients) and their adjoints.
//!
//! Every map takes flat row-major `[sets, P]` arrays and returns `[sets, K]` (the core's layout); the Python
//! facade (`python/diffiir/param.py`) broadcasts, stacks and splits. Each adjoint takes the forward's inputs
//! and `∂L/∂outputs` and returns `∂L/∂inputs`.

use crate::{arr, core_err, np, slice, Out};
use diffiir::param::{self as p, Rbj};
use diffiir::Float;
use numpy::Element;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

type R<T> = diffiir::Result<Vec<T>>;

/// `f(u)` for a 1-D array `u` named `name`.
fn call1<'py, T: Float + Element>(py: Python<'py>, u: &Out<'py>, name: &str, f: impl Fn(&[T]) -> R<T> + Send + Sync) -> PyResult<Out<'py>> {
    let u = arr::<T>(u, name)?;
    let us = slice(&u, name)?;
    let out = py.detach(|| f(us)).map_err(core_err)?;
    Ok(np(py, out))
}

/// `f(u, g)` for the forward's input `u` and an incoming gradient `g`.
fn call2<'py, T: Float + Element>(
    py: Python<'py>,
    u: &Out<'py>,
    g: &Out<'py>,
    name: &str,
    f: impl Fn(&[T], &[T]) -> R<T> + Send + Sync,
) -> PyResult<Out<'py>> {
    let (u, g) = (arr::<T>(u, name)?, arr::<T>(g, "grad")?);
    let (us, gs) = (slice(&u, name)?, slice(&g, "grad")?);
    let out = py.detach(|| f(us, gs)).map_err(core_err)?;
    Ok(np(py, out))
}

/// Declares `#[pyfunction] $name(u)` calling the core map `$f::<T>(u)`.
macro_rules! map1 {
    ($name:ident, $t:ident, $arg:literal, $f:expr) => {
        #[pyfunction]
        pub(crate) fn $name<'py>(py: Python<'py>, u: &Out<'py>) -> PyResult<Out<'py>> {
            by_dtype!(u, $t(py, u))
        }
        fn $t<'py, T: Float + Element>(py: Python<'py>, u: &Out<'py>) -> PyResult<Out<'py>> {
            call1::<T>(py, u, $arg, $f)
        }
    };
}

/// Declares `#[pyfunction] $name(u, g)` calling the core adjoint `$f::<T>(u, g)`.
macro_rules! map2 {
    ($name:ident, $t:ident, $arg:literal, $f:expr) => {
        #[pyfunction]
        pub(crate) fn $name<'py>(py: Python<'py>, u: &Out<'py>, g: &Out<'py>) -> PyResult<Out<'py>> {
            by_dtype!(u, $t(py, u, g))
        }
        fn $t<'py, T: Float + Element>(py: Python<'py>, u: &Out<'py>, g: &Out<'py>) -> PyResult<Out<'py>> {
            call2::<T>(py, u, g, $arg, $f)
        }
    };
}

map1!(triangle, triangle_t, "u", |u| p::triangle(u));
map2!(triangle_adjoint, triangle_adjoint_t, "u", |u, g| p::triangle_adjoint(u, g));
map1!(conjugate_pair, conjugate_pair_t, "u", |u| p::conjugate_pair(u));
map2!(conjugate_pair_adjoint, conjugate_pair_adjoint_t, "u", |u, g| p::conjugate_pair_adjoint(u, g));
map1!(reflection, reflection_t, "u", |u| Ok(p::reflection(u)));
map2!(reflection_adjoint, reflection_adjoint_t, "u", |u, g| p::reflection_adjoint(u, g));
map1!(lar_reflection, lar_reflection_t, "lar", |u| Ok(p::lar_reflection(u)));
map2!(lar_reflection_adjoint, lar_reflection_adjoint_t, "lar", |u, g| p::lar_reflection_adjoint(u, g));
map1!(svf, svf_t, "p", |u| p::svf(u));
map2!(svf_adjoint, svf_adjoint_t, "p", |u, g| p::svf_adjoint(u, g));

dtype_fn! {
    /// Step-up (Levinson): `[sets, order]` reflection coefficients → `[sets, order]` LPC `a_1..a_N`.
    fn step_up(py, k: &Out<'py>, order: usize) -> Out<'py> where first = k {
        call1::<T>(py, k, "k", move |k| p::step_up(k, order))
    }
}

dtype_fn! {
    /// Adjoint of [`step_up`]: `∂L/∂k` from `∂L/∂a`.
    fn step_up_adjoint(py, k: &Out<'py>, order: usize, ga: &Out<'py>) -> Out<'py> where first = k {
        call2::<T>(py, k, ga, "k", move |k, g| p::step_up_adjoint(k, order, g))
    }
}

dtype_fn! {
    /// Step-down: `[sets, order]` LPC `a_1..a_N` → `[sets, order]` reflection coefficients.
    fn step_down(py, a: &Out<'py>, order: usize) -> Out<'py> where first = a {
        call1::<T>(py, a, "a", move |a| p::step_down(a, order))
    }
}

/// The cookbook type named `kind` (lowercase, as in the Python API), or a `ValueError` listing the names.
fn kind(name: &str) -> PyResult<Rbj> {
    Ok(match name {
        "lowpass" => Rbj::Lowpass,
        "highpass" => Rbj::Highpass,
        "bandpass" => Rbj::Bandpass,
        "notch" => Rbj::Notch,
        "allpass" => Rbj::Allpass,
        "peaking" => Rbj::Peaking,
        "lowshelf" => Rbj::LowShelf,
        "highshelf" => Rbj::HighShelf,
        _ => {
            let names = "lowpass, highpass, bandpass, notch, allpass, peaking, lowshelf, highshelf";
            return Err(PyValueError::new_err(format!("rbj: kind {name:?} is not one of {names}")));
        }
    })
}

dtype_fn! {
    /// RBJ cookbook biquads: `[sets, 3]` rows `(f0, Q, gain dB)` → `[sets, 6]` normalised sos rows.
    fn rbj(py, name: &str, prm: &Out<'py>, fs: f64) -> Out<'py> where first = prm {
        let k = kind(name)?;
        call1::<T>(py, prm, "p", move |v| p::rbj(k, v, T::of(fs)))
    }
}

dtype_fn! {
    /// Adjoint of [`rbj`]: `∂L/∂(f0, Q, gain dB)` from `∂L/∂sos`.
    fn rbj_adjoint(py, name: &str, prm: &Out<'py>, fs: f64, gsos: &Out<'py>) -> Out<'py> where first = prm {
        let k = kind(name)?;
        call2::<T>(py, prm, gsos, "p", move |v, g| p::rbj_adjoint(k, v, T::of(fs), g))
    }
}

dtype_fn! {
    /// Unconstrained `(u_f, u_Q, u_g)` rows → `(f0, Q, gain dB)` rows (sigmoid into `(0, fs/2)`, `q_min + softplus`).
    fn rbj_params(py, u: &Out<'py>, fs: f64, q_min: f64) -> Out<'py> where first = u {
        call1::<T>(py, u, "u", move |v| p::rbj_params(v, T::of(fs), T::of(q_min)))
    }
}

dtype_fn! {
    /// Adjoint of [`rbj_params`]: `∂L/∂u` from `∂L/∂(f0, Q, gain dB)`.
    fn rbj_params_adjoint(py, u: &Out<'py>, fs: f64, q_min: f64, gp: &Out<'py>) -> Out<'py> where first = u {
        call2::<T>(py, u, gp, "u", move |v, g| p::rbj_params_adjoint(v, T::of(fs), T::of(q_min), g))
    }
}
