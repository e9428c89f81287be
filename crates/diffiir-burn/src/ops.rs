//! The backend extension: one method per forward and one per fused adjoint.

use burn::backend::{backend_extension, tensor::FloatTensor, Backend};

/// Recursive filters as backend operations. Shapes: `x` `[B, T]`; coefficients `[K]`, `[B, K]` or
/// `[B, T, K]` (shared, per signal, per sample); `zi`/`zf` `[B, M]`, `M = max(nb, na) − 1`.
#[backend_extension(Flex, Autodiff)]
pub trait IirOps: Backend {
    /// `lfilter` forward; returns `(y [B, T], zf [B, M])`.
    fn lfilter(
        b: FloatTensor<Self>,
        a: FloatTensor<Self>,
        x: FloatTensor<Self>,
        zi: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>);
    /// Fused adjoint of `lfilter`: `(∂b, ∂a, ∂x, ∂zi)` from `y` `[B, T]`, `gy` `[B, T]`, `gzf` `[B, M]`.
    fn lfilter_adjoint(
        b: FloatTensor<Self>,
        a: FloatTensor<Self>,
        x: FloatTensor<Self>,
        y: FloatTensor<Self>,
        gy: FloatTensor<Self>,
        gzf: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
    /// `sosfilt` forward (`sos` `[S·6]`, `[B, S·6]` or `[B, T, S·6]`, `zi` `[B, 2S]`); returns `y`, `zf` and the
    /// tape (1-D: the cascade's state checkpoints) the adjoint needs.
    fn sosfilt(
        sos: FloatTensor<Self>,
        x: FloatTensor<Self>,
        zi: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
    /// Fused adjoint of `sosfilt`: `(∂sos, ∂x, ∂zi)`.
    fn sosfilt_adjoint(
        sos: FloatTensor<Self>,
        x: FloatTensor<Self>,
        y: FloatTensor<Self>,
        tape: FloatTensor<Self>,
        gy: FloatTensor<Self>,
        gzf: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
    /// `allpole` forward (`a` `[N]`, `[B, N]` or `[B, T, N]`, `zi` `[B, N]`); returns `(y, zf)`.
    fn allpole(x: FloatTensor<Self>, a: FloatTensor<Self>, zi: FloatTensor<Self>) -> (FloatTensor<Self>, FloatTensor<Self>);
    /// Fused adjoint of `allpole`: `(∂x, ∂a, ∂zi)`.
    fn allpole_adjoint(
        y: FloatTensor<Self>,
        a: FloatTensor<Self>,
        zi: FloatTensor<Self>,
        gy: FloatTensor<Self>,
        gzf: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
}
