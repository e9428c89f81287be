"""Bad-input matrix (issue #9): every public function of ``diffiir`` (numpy) and ``diffiir.torch``, fed wrong
ranks and shapes, mismatched batches, empty arrays, zero-length signals, ``a[0] = 0``, NaN/Inf, unsupported
dtypes, non-contiguous and negative-stride arrays, huge orders, bad ``zi``, bad ``axis``, wrong types; for torch
also non-CPU tensors, ``requires_grad`` combinations and mixed dtypes.

Documented behaviour, as tested here:

* **Errors** are ``ValueError`` (a bad value or shape) or ``TypeError`` (a bad type or dtype, a non-CPU tensor,
  mixed torch dtypes), of exactly that type, and the message names the offending argument.
* **Zero-length signals** are valid and give empty results, as ``scipy.signal.lfilter`` does (it returns an empty
  ``y`` and, with ``zi``, ``zf == zi``). ``scipy.signal.sosfilt`` raises on a zero-length ``x`` ("cannot reshape
  array of size 0"), an accident of its implementation rather than a check; diffiir's ``sosfilt`` follows
  ``lfilter`` instead. Empty *batches* (``x`` of shape ``(0, T)``, coefficient batches of size 0) are valid too.
  Empty *coefficient* arrays (``b = []``, ``sos`` of shape ``(0, 6)``) are errors.
* **NaN and Inf** propagate (IEEE arithmetic) instead of raising, as in scipy: the outputs equal scipy's
  element for element (NaN where scipy has NaN), and other signals of a batch are unaffected. Saturating
  parameterisations map ±Inf to their finite limits and NaN to NaN.
* **dtypes**: numpy integers and bools compute in float64, float16 in float32, big-endian arrays are accepted;
  complex, object, string and datetime arrays raise ``TypeError``. torch tensors must be float32 or float64 (one
  dtype per call); anything else raises ``TypeError``.
* **Non-contiguous, negative-stride, broadcast (stride 0) and big-endian** inputs work and give exactly the
  result of their contiguous copy.
* **Huge orders**: a direct-form order above 64 (``lfilter``, ``lfilter_zi``) is a ``ValueError`` at once; the
  functions whose cost is linear in the order (``sosfilt`` with 10 000 sections, ``allpole`` with N = 10 000,
  ``freqz``, the FSM, the LPC maps) just work.

The last test runs this whole module in a child interpreter and checks that it exits normally (no signal).
"""
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import diffiir
from diffiir import param as P

try:
    import scipy.signal as ss
except ImportError:  # pragma: no cover
    ss = None

try:
    import torch

    import diffiir.torch as dt
except ImportError:  # pragma: no cover
    torch = dt = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")
needs_scipy = pytest.mark.skipif(ss is None, reason="scipy is not installed")

X = np.arange(16.0).reshape(2, 8)  # batch (2,), T = 8
XT = np.ascontiguousarray(X.T)  # time on axis 0
B, A = [1.0, 0.3], [1.0, -0.5]
SOS = [[1.0, 0.2, 0.0, 1.0, -0.5, 0.0]]
HUGE_A = np.r_[1.0, np.zeros(10_000)]  # order 10 000
HUGE_SOS = np.tile([1.0, 0.0, 0.0, 1.0, 0.0, 0.0], (10_000, 1))


def E(id, call, exc, match, marks=()):
    """One error case: ``call()`` raises exactly ``exc`` with a message matching ``match`` (which names the
    offending argument)."""
    return pytest.param(call, exc, match, id=id, marks=marks)


# --------------------------------------------------------------------------------------------------------------
# numpy API: errors
# --------------------------------------------------------------------------------------------------------------

NUMPY_ERRORS = [
    # lfilter: ranks and shapes
    E("lfilter-x-scalar", lambda: diffiir.lfilter(B, A, 3.0), ValueError, r"lfilter: x must have at least one dimension"),
    E("lfilter-b-scalar", lambda: diffiir.lfilter(1.0, A, X), ValueError, r"lfilter: b must have at least 1 dimension"),
    E("lfilter-b-batch-mismatch", lambda: diffiir.lfilter(np.ones((3, 2)), A, X), ValueError, r"lfilter: b has shape \(3, 2\)"),
    E("lfilter-a-per-sample-wrong-T", lambda: diffiir.lfilter(B, np.ones((2, 7, 2)), X), ValueError, r"lfilter: a has shape \(2, 7, 2\)"),
    E("lfilter-b-too-many-dims", lambda: diffiir.lfilter(np.ones((2, 8, 2, 1)), A, X), ValueError, r"lfilter: b has shape \(2, 8, 2, 1\)"),
    E("lfilter-b-empty", lambda: diffiir.lfilter([], A, X), ValueError, r"lfilter: b is empty"),
    E("lfilter-a-empty", lambda: diffiir.lfilter(B, [], X), ValueError, r"lfilter: a is empty"),
    E("lfilter-a-empty-per-signal", lambda: diffiir.lfilter(B, np.ones((2, 0)), X), ValueError, r"lfilter: a is empty"),
    # a[0] == 0
    E("lfilter-a0-zero", lambda: diffiir.lfilter(B, [0.0, 1.0], X), ValueError, r"lfilter: a\[0\] is zero"),
    E("lfilter-a0-zero-per-signal", lambda: diffiir.lfilter(B, [[1.0, 0.5], [0.0, 1.0]], X), ValueError, r"a\[0\] is zero in coefficient set 1"),
    E("lfilter-a0-zero-per-sample", lambda: diffiir.lfilter(B, np.where(np.arange(8)[:, None] == 5, [0.0, 1.0], [1.0, 0.5])[None].repeat(2, 0), X), ValueError, r"a\[0\] is zero in coefficient set 5"),
    # huge orders: a clear error at once (the direct form supports order <= 64)
    E("lfilter-a-order-10000", lambda: diffiir.lfilter(B, HUGE_A, X), ValueError, r"lfilter: b, a give order 10000; at most 64"),
    E("lfilter-b-order-10000", lambda: diffiir.lfilter(np.ones(10_001), A, X), ValueError, r"lfilter: b, a give order 10000; at most 64"),
    E("lfilter-order-65", lambda: diffiir.lfilter(B, np.r_[1.0, np.zeros(65)], X), ValueError, r"b, a give order 65"),
    # zi of the wrong shape
    E("lfilter-zi-1d-for-2d-x", lambda: diffiir.lfilter(B, A, X, zi=np.zeros(1)), ValueError, r"lfilter: zi has shape \(1,\); expected \(2, 1\)"),
    E("lfilter-zi-too-long", lambda: diffiir.lfilter(B, A, X, zi=np.zeros((2, 3))), ValueError, r"lfilter: zi has shape \(2, 3\); expected \(2, 1\)"),
    E("lfilter-zi-wrong-batch", lambda: diffiir.lfilter(B, A, X, zi=np.zeros((3, 1))), ValueError, r"lfilter: zi has shape \(3, 1\)"),
    E("lfilter-zi-axis0-layout", lambda: diffiir.lfilter(B, A, XT, axis=0, zi=np.zeros((2, 1))), ValueError, r"lfilter: zi has shape \(2, 1\); expected \(1, 2\)"),
    E("lfilter-zi-scalar", lambda: diffiir.lfilter(B, A, X, zi=0.0), ValueError, r"lfilter: zi has shape \(\)"),
    # axis
    E("lfilter-axis-2", lambda: diffiir.lfilter(B, A, X, axis=2), ValueError, r"lfilter: axis 2 is out of bounds"),
    E("lfilter-axis--3", lambda: diffiir.lfilter(B, A, X, axis=-3), ValueError, r"lfilter: axis -3 is out of bounds"),
    E("lfilter-axis-str", lambda: diffiir.lfilter(B, A, X, axis="0"), TypeError, r"lfilter: axis must be an integer; got str"),
    E("lfilter-axis-float", lambda: diffiir.lfilter(B, A, X, axis=0.0), TypeError, r"lfilter: axis must be an integer; got float"),
    E("lfilter-axis-None", lambda: diffiir.lfilter(B, A, X, axis=None), TypeError, r"lfilter: axis must be an integer; got NoneType"),
    E("lfilter-axis-bool", lambda: diffiir.lfilter(B, A, X, axis=True), TypeError, r"lfilter: axis must be an integer; got bool"),
    # dtypes
    E("lfilter-x-complex", lambda: diffiir.lfilter(B, A, X + 1j), TypeError, r"lfilter: x is complex"),
    E("lfilter-b-complex", lambda: diffiir.lfilter([1j], A, X), TypeError, r"lfilter: b is complex"),
    E("lfilter-a-complex", lambda: diffiir.lfilter(B, [1.0, 0.5j], X), TypeError, r"lfilter: a is complex"),
    E("lfilter-zi-complex", lambda: diffiir.lfilter(B, A, X, zi=np.zeros((2, 1), complex)), TypeError, r"lfilter: zi is complex"),
    E("lfilter-x-object", lambda: diffiir.lfilter(B, A, X.astype(object)), TypeError, r"lfilter: x has dtype object"),
    E("lfilter-x-datetime", lambda: diffiir.lfilter(B, A, np.array(["2020-01-01"], "M8[D]")), TypeError, r"lfilter: x has dtype datetime64"),
    # wrong types
    E("lfilter-x-strings", lambda: diffiir.lfilter(B, A, ["a", "b"]), TypeError, r"lfilter: x has dtype <U1"),
    E("lfilter-b-strings", lambda: diffiir.lfilter(["a", "b"], A, X), TypeError, r"lfilter: b has dtype <U1"),
    E("lfilter-x-None", lambda: diffiir.lfilter(B, A, None), TypeError, r"lfilter: x is None"),
    E("lfilter-b-None", lambda: diffiir.lfilter(None, A, X), TypeError, r"lfilter: b is None"),
    E("lfilter-a-None", lambda: diffiir.lfilter(B, None, X), TypeError, r"lfilter: a is None"),
    E("lfilter-b-ragged", lambda: diffiir.lfilter([[1.0], [1.0, 2.0]], A, X), TypeError, r"lfilter: b cannot be converted"),
    E("lfilter-x-dict", lambda: diffiir.lfilter(B, A, {"x": 1}), TypeError, r"lfilter: x has dtype object"),
    # sosfilt
    E("sosfilt-sos-1d", lambda: diffiir.sosfilt(SOS[0], X), ValueError, r"sosfilt: sos has shape \(6,\)"),
    E("sosfilt-sos-5-columns", lambda: diffiir.sosfilt(np.ones((1, 5)), X), ValueError, r"sosfilt: sos has shape \(1, 5\)"),
    E("sosfilt-sos-empty", lambda: diffiir.sosfilt(np.ones((0, 6)), X), ValueError, r"sosfilt: sos is empty"),
    E("sosfilt-sos-batch-mismatch", lambda: diffiir.sosfilt(np.ones((3, 1, 6)), X), ValueError, r"sosfilt: sos has shape \(3, 1, 6\)"),
    E("sosfilt-a0-zero", lambda: diffiir.sosfilt([[1.0, 0, 0, 0, 1, 0]], X), ValueError, r"sosfilt: sos\[0\] is zero"),
    E("sosfilt-zi-2d", lambda: diffiir.sosfilt(SOS, X, zi=np.zeros((2, 2))), ValueError, r"sosfilt: zi has shape \(2, 2\)"),
    E("sosfilt-zi-wrong-sections", lambda: diffiir.sosfilt(SOS, X, zi=np.zeros((2, 2, 2))), ValueError, r"sosfilt: zi has shape \(2, 2, 2\); expected \(1, 2, 2\)"),
    E("sosfilt-zi-axis0-layout", lambda: diffiir.sosfilt(SOS, XT, axis=0, zi=np.zeros((1, 8, 2))), ValueError, r"sosfilt: zi has shape \(1, 8, 2\); expected \(1, 2, 2\)"),
    E("sosfilt-axis-5", lambda: diffiir.sosfilt(SOS, X, axis=5), ValueError, r"sosfilt: axis 5 is out of bounds"),
    E("sosfilt-axis-str", lambda: diffiir.sosfilt(SOS, X, axis="a"), TypeError, r"sosfilt: axis must be an integer"),
    E("sosfilt-x-scalar", lambda: diffiir.sosfilt(SOS, 1.0), ValueError, r"sosfilt: x must have at least one dimension"),
    E("sosfilt-x-None", lambda: diffiir.sosfilt(SOS, None), TypeError, r"sosfilt: x is None"),
    E("sosfilt-sos-None", lambda: diffiir.sosfilt(None, X), TypeError, r"sosfilt: sos is None"),
    E("sosfilt-sos-complex", lambda: diffiir.sosfilt(np.array(SOS, complex), X), TypeError, r"sosfilt: sos is complex"),
    E("sosfilt-x-object", lambda: diffiir.sosfilt(SOS, X.astype(object)), TypeError, r"sosfilt: x has dtype object"),
    E("sosfilt-zi-strings", lambda: diffiir.sosfilt(SOS, X, zi=[["a", "b"]]), TypeError, r"sosfilt: zi has dtype <U1"),
    # allpole
    E("allpole-x-scalar", lambda: diffiir.allpole(1.0, [0.5]), ValueError, r"allpole: x must have at least one dimension"),
    E("allpole-a-scalar", lambda: diffiir.allpole(X, 0.5), ValueError, r"allpole: a must have at least 1 dimension"),
    E("allpole-a-empty", lambda: diffiir.allpole(X, []), ValueError, r"allpole: a is empty"),
    E("allpole-a-batch-mismatch", lambda: diffiir.allpole(X, np.ones((3, 1))), ValueError, r"allpole: a has shape \(3, 1\)"),
    E("allpole-a-per-sample-wrong-T", lambda: diffiir.allpole(X, np.ones((2, 7, 1))), ValueError, r"allpole: a has shape \(2, 7, 1\)"),
    E("allpole-zi-wrong-order", lambda: diffiir.allpole(X, [0.5], zi=np.zeros((2, 2))), ValueError, r"allpole: zi has shape \(2, 2\); expected \(2, 1\)"),
    E("allpole-zi-1d-for-2d-x", lambda: diffiir.allpole(X, [0.5], zi=np.zeros(1)), ValueError, r"allpole: zi has shape \(1,\)"),
    E("allpole-x-complex", lambda: diffiir.allpole(X + 0j, [0.5]), TypeError, r"allpole: x is complex"),
    E("allpole-a-complex", lambda: diffiir.allpole(X, [0.5j]), TypeError, r"allpole: a is complex"),
    E("allpole-zi-object", lambda: diffiir.allpole(X, [0.5], zi=np.zeros((2, 1), object)), TypeError, r"allpole: zi has dtype object"),
    E("allpole-a-None", lambda: diffiir.allpole(X, None), TypeError, r"allpole: a is None"),
    # lfilter_zi
    E("lfilter_zi-b-scalar", lambda: diffiir.lfilter_zi(1.0, A), ValueError, r"lfilter_zi: b has shape \(\)"),
    E("lfilter_zi-b-empty", lambda: diffiir.lfilter_zi([], A), ValueError, r"lfilter_zi: b is empty"),
    E("lfilter_zi-a-empty", lambda: diffiir.lfilter_zi(B, []), ValueError, r"lfilter_zi: a is empty"),
    E("lfilter_zi-batch-mismatch", lambda: diffiir.lfilter_zi(np.ones((2, 1)), np.ones((3, 2))), ValueError, r"lfilter_zi: b has shape \(2, 1\) and a \(3, 2\)"),
    E("lfilter_zi-a0-zero", lambda: diffiir.lfilter_zi(B, [0.0, 1.0]), ValueError, r"lfilter_zi: a\[0\] is zero"),
    E("lfilter_zi-sum-a-zero", lambda: diffiir.lfilter_zi(B, [1.0, -1.0]), ValueError, r"lfilter_zi: a has sum\(a\) = 0"),
    E("lfilter_zi-sum-a-zero-in-batch", lambda: diffiir.lfilter_zi([[1.0], [1.0]], [[1.0, 0.5], [1.0, -1.0]]), ValueError, r"a has sum\(a\) = 0 in coefficient set 1"),
    E("lfilter_zi-a-order-10000", lambda: diffiir.lfilter_zi(B, HUGE_A), ValueError, r"lfilter_zi: b, a give order 10000"),
    E("lfilter_zi-b-None", lambda: diffiir.lfilter_zi(None, A), TypeError, r"lfilter_zi: b is None"),
    E("lfilter_zi-b-complex", lambda: diffiir.lfilter_zi([1j], A), TypeError, r"lfilter_zi: b is complex"),
    E("lfilter_zi-a-object", lambda: diffiir.lfilter_zi(B, np.array(A, object)), TypeError, r"lfilter_zi: a has dtype object"),
    E("lfilter_zi-b-0d-string", lambda: diffiir.lfilter_zi(np.array("x"), A), TypeError, r"lfilter_zi: b has dtype <U1"),
    # sosfilt_zi
    E("sosfilt_zi-sos-1d", lambda: diffiir.sosfilt_zi(SOS[0]), ValueError, r"sosfilt_zi: sos has shape \(6,\)"),
    E("sosfilt_zi-sos-5-columns", lambda: diffiir.sosfilt_zi(np.ones((1, 5))), ValueError, r"sosfilt_zi: sos has shape \(1, 5\)"),
    E("sosfilt_zi-sos-empty", lambda: diffiir.sosfilt_zi(np.ones((0, 6))), ValueError, r"sosfilt_zi: sos is empty"),
    E("sosfilt_zi-a0-zero", lambda: diffiir.sosfilt_zi([[1.0, 0, 0, 0, 1, 0]]), ValueError, r"sosfilt_zi: sos\[0\] is zero"),
    E("sosfilt_zi-sum-a-zero", lambda: diffiir.sosfilt_zi([[1.0, 0, 0, 1, -2, 1]]), ValueError, r"sosfilt_zi: sos has sum\(a\) = 0"),
    E("sosfilt_zi-sos-None", lambda: diffiir.sosfilt_zi(None), TypeError, r"sosfilt_zi: sos is None"),
    E("sosfilt_zi-sos-complex", lambda: diffiir.sosfilt_zi(np.array(SOS, complex)), TypeError, r"sosfilt_zi: sos is complex"),
    # freqz
    E("freqz-b-empty", lambda: diffiir.freqz([], A), ValueError, r"freqz: b is empty"),
    E("freqz-a-empty", lambda: diffiir.freqz(B, []), ValueError, r"freqz: a is empty"),
    E("freqz-batch-mismatch", lambda: diffiir.freqz(np.ones((2, 3)), np.ones((3, 2))), ValueError, r"freqz: the batch dims of b, a differ"),
    E("freqz-b-complex", lambda: diffiir.freqz([1j], A), TypeError, r"freqz: b is complex"),
    E("freqz-a-None", lambda: diffiir.freqz(B, None), TypeError, r"freqz: a is None"),
    E("freqz-worN-negative", lambda: diffiir.freqz(B, A, worN=-3), ValueError, r"freqz: worN must be nonnegative"),
    E("freqz-worN-2d", lambda: diffiir.freqz(B, A, worN=np.ones((2, 2))), ValueError, r"freqz: worN must be a count or a 1-D array"),
    E("freqz-worN-str", lambda: diffiir.freqz(B, A, worN="abc"), TypeError, r"freqz: worN must be a count or a 1-D array"),
    E("freqz-worN-complex", lambda: diffiir.freqz(B, A, worN=[0.1j]), TypeError, r"freqz: worN must be a count or a 1-D array"),
    E("freqz-worN-2**62", lambda: diffiir.freqz(B, A, worN=2**62), ValueError, r"freqz: worN = 4611686018427387904 frequencies"),
    E("freqz-fs-zero", lambda: diffiir.freqz(B, A, fs=0.0), ValueError, r"freqz: fs must be a positive number"),
    E("freqz-fs-inf", lambda: diffiir.freqz(B, A, fs=np.inf), ValueError, r"freqz: fs must be a positive number"),
    E("freqz-fs-nan", lambda: diffiir.freqz(B, A, fs=np.nan), ValueError, r"freqz: fs must be a positive number"),
    E("freqz-fs-str", lambda: diffiir.freqz(B, A, fs="48000"), TypeError, r"freqz: fs must be a real number; got str"),
    E("freqz-fs-None", lambda: diffiir.freqz(B, A, fs=None), TypeError, r"freqz: fs must be a real number; got NoneType"),
    E("freqz-fs-array", lambda: diffiir.freqz(B, A, fs=[48000.0]), TypeError, r"freqz: fs must be a real number; got list"),
    # sosfreqz
    E("sosfreqz-sos-1d", lambda: diffiir.sosfreqz(SOS[0]), ValueError, r"sosfreqz: sos has shape \(6,\)"),
    E("sosfreqz-sos-5-columns", lambda: diffiir.sosfreqz(np.ones((1, 5))), ValueError, r"sosfreqz: sos has shape \(1, 5\)"),
    E("sosfreqz-sos-empty", lambda: diffiir.sosfreqz(np.ones((0, 6))), ValueError, r"sosfreqz: sos is empty"),
    E("sosfreqz-sos-None", lambda: diffiir.sosfreqz(None), TypeError, r"sosfreqz: sos is None"),
    E("sosfreqz-worN-negative", lambda: diffiir.sosfreqz(SOS, worN=-1), ValueError, r"sosfreqz: worN must be nonnegative"),
    E("sosfreqz-fs-negative", lambda: diffiir.sosfreqz(SOS, fs=-1.0), ValueError, r"sosfreqz: fs must be a positive number"),
    # lfilter_fsm
    E("lfilter_fsm-a-per-sample", lambda: diffiir.lfilter_fsm(B, np.ones((2, 8, 2)) * A, X), ValueError, r"lfilter_fsm: a has per-sample coefficients"),
    E("lfilter_fsm-a0-zero", lambda: diffiir.lfilter_fsm(B, [0.0, 1.0], X), ValueError, r"lfilter_fsm: a\[0\] is zero"),
    E("lfilter_fsm-a-unstable", lambda: diffiir.lfilter_fsm(B, [1.0, -1.5], X), ValueError, r"lfilter_fsm: a has a pole of radius 1.5"),
    E("lfilter_fsm-b-batch-mismatch", lambda: diffiir.lfilter_fsm(np.ones((3, 1)), A, X), ValueError, r"lfilter_fsm: b has shape \(3, 1\)"),
    E("lfilter_fsm-x-scalar", lambda: diffiir.lfilter_fsm(B, A, 1.0), ValueError, r"lfilter_fsm: x must have at least one dimension"),
    E("lfilter_fsm-x-complex", lambda: diffiir.lfilter_fsm(B, A, X + 1j), TypeError, r"lfilter_fsm: x is complex"),
    E("lfilter_fsm-n_fft-below-T", lambda: diffiir.lfilter_fsm(B, A, X, n_fft=4), ValueError, r"lfilter_fsm: n_fft has 4"),
    E("lfilter_fsm-n_fft-negative", lambda: diffiir.lfilter_fsm(B, A, X, n_fft=-4), ValueError, r"lfilter_fsm: n_fft has -4"),
    E("lfilter_fsm-n_fft-2**40", lambda: diffiir.lfilter_fsm(B, A, X, n_fft=2**40), ValueError, r"lfilter_fsm: n_fft has 1099511627776"),
    E("lfilter_fsm-n_fft-float", lambda: diffiir.lfilter_fsm(B, A, X, n_fft=16.0), TypeError, r"lfilter_fsm: n_fft must be an integer or None; got float"),
    E("lfilter_fsm-n_fft-str", lambda: diffiir.lfilter_fsm(B, A, X, n_fft="16"), TypeError, r"lfilter_fsm: n_fft must be an integer or None; got str"),
    E("lfilter_fsm-n_fft-bool", lambda: diffiir.lfilter_fsm(B, A, X, n_fft=True), TypeError, r"lfilter_fsm: n_fft must be an integer or None; got bool"),
    E(
        "lfilter_fsm-a-pole-near-unit-circle",
        lambda: diffiir.lfilter_fsm(B, [1.0, -0.99999999], X),
        ValueError,
        r"lfilter_fsm: a has",
    ),
    # sosfilt_fsm
    E("sosfilt_fsm-sos-1d", lambda: diffiir.sosfilt_fsm(SOS[0], X), ValueError, r"sosfilt_fsm: sos has shape \(6,\)"),
    E("sosfilt_fsm-sos-5-columns", lambda: diffiir.sosfilt_fsm(np.ones((1, 5)), X), ValueError, r"sosfilt_fsm: sos has shape \(1, 5\)"),
    E("sosfilt_fsm-sos-empty", lambda: diffiir.sosfilt_fsm(np.ones((0, 6)), X), ValueError, r"sosfilt_fsm: sos is empty|sosfilt_fsm: sos has shape \(0, 6\)"),
    E("sosfilt_fsm-a0-zero", lambda: diffiir.sosfilt_fsm([[1.0, 0, 0, 0, 1, 0]], X), ValueError, r"sosfilt_fsm: sos\[\.\.\., 3\] \(a0\) is zero"),
    E("sosfilt_fsm-x-None", lambda: diffiir.sosfilt_fsm(SOS, None), TypeError, r"sosfilt_fsm: x is None"),
    E("sosfilt_fsm-sos-per-sample", lambda: diffiir.sosfilt_fsm(np.ones((2, 8, 1, 6)), X), ValueError, r"sosfilt_fsm: sos has per-sample coefficients"),
    E(
        "sosfilt_fsm-sos-unstable",
        lambda: diffiir.sosfilt_fsm([[1.0, 0, 0, 1, -1.5, 0]], X),
        ValueError,
        r"sosfilt_fsm: sos has a pole",
    ),
    # param
    E("biquad_triangle-broadcast", lambda: P.biquad_triangle(np.ones(2), np.ones(3)), ValueError, r"biquad_triangle: the inputs do not broadcast together: u1 \(2,\), u2 \(3,\)"),
    E("biquad_triangle-u1-complex", lambda: P.biquad_triangle(1j, 0.0), TypeError, r"biquad_triangle: u1 is complex"),
    E("pole_pair-theta-None", lambda: P.pole_pair(0.0, None), TypeError, r"pole_pair: theta is None"),
    E("pole_pair-r_raw-strings", lambda: P.pole_pair(["a"], 0.0), TypeError, r"pole_pair: r_raw has dtype <U1"),
    E("reflection-u-object", lambda: P.reflection(np.array([0.5], object)), TypeError, r"reflection: u has dtype object"),
    E("lar_to_reflection-g-complex", lambda: P.lar_to_reflection([1j]), TypeError, r"lar_to_reflection: g is complex"),
    E("reflection_to_lpc-k-empty", lambda: P.reflection_to_lpc([]), ValueError, r"reflection_to_lpc: k must have at least 1 entries"),
    E("reflection_to_lpc-k-scalar", lambda: P.reflection_to_lpc(0.5), ValueError, r"reflection_to_lpc: k must have at least 1 entries"),
    E("reflection_to_lpc-k-None", lambda: P.reflection_to_lpc(None), TypeError, r"reflection_to_lpc: k is None"),
    E("lpc_to_reflection-a-too-short", lambda: P.lpc_to_reflection([1.0]), ValueError, r"lpc_to_reflection: a must have at least 2 entries"),
    E("lpc_to_reflection-a0-zero", lambda: P.lpc_to_reflection([0.0, 1.0]), ValueError, r"lpc_to_reflection: a\[\.\.\., 0\] is zero"),
    E("lpc_to_reflection-a0-zero-in-batch", lambda: P.lpc_to_reflection([[1.0, 0.5], [0.0, 0.5]]), ValueError, r"lpc_to_reflection: a\[\.\.\., 0\] is zero"),
    E("lpc_to_reflection-a-complex", lambda: P.lpc_to_reflection([1.0, 0.5j]), TypeError, r"lpc_to_reflection: a is complex"),
    E("rbj-kind-unknown", lambda: P.rbj("LOWPASS", 1e3, 0.7, 0.0, 48e3), ValueError, r"rbj: kind 'LOWPASS' is not one of"),
    E("rbj-kind-None", lambda: P.rbj(None, 1e3, 0.7, 0.0, 48e3), TypeError, r"rbj: kind must be a string"),
    E("rbj-fs-zero", lambda: P.rbj("lowpass", 1e3, 0.7, 0.0, 0.0), ValueError, r"rbj: fs must be positive"),
    E("rbj-fs-array", lambda: P.rbj("lowpass", 1e3, 0.7, 0.0, np.array([48e3])), TypeError, r"rbj: fs must be a real scalar"),
    E("rbj-fs-bool", lambda: P.rbj("lowpass", 1e3, 0.7, 0.0, True), TypeError, r"rbj: fs must be a real scalar; got bool"),
    E("rbj-f0-q-broadcast", lambda: P.rbj("peaking", np.ones(2), np.ones(3), 0.0, 48e3), ValueError, r"rbj: the inputs do not broadcast together: f0 \(2,\), q \(3,\)"),
    E("rbj-gain_db-complex", lambda: P.rbj("peaking", 1e3, 0.7, 1j, 48e3), TypeError, r"rbj: gain_db is complex"),
    E("rbj_params-q_min-zero", lambda: P.rbj_params(0.0, 0.0, 0.0, 48e3, q_min=0.0), ValueError, r"rbj_params: q_min must be positive"),
    E("rbj_params-fs-str", lambda: P.rbj_params(0.0, 0.0, 0.0, "48000"), TypeError, r"rbj_params: fs must be a real scalar; got str"),
    E("rbj_params-u_f-None", lambda: P.rbj_params(None, 0.0, 0.0, 48e3), TypeError, r"rbj_params: u_f is None"),
    E("svf-broadcast", lambda: P.svf(np.ones(2), np.ones(3), 1.0, 0.0, 0.0), ValueError, r"svf: the inputs do not broadcast together: g \(2,\), r \(3,\)"),
    E("svf-c_hp-strings", lambda: P.svf(0.1, 0.5, 1.0, 0.0, ["x"]), TypeError, r"svf: c_hp has dtype <U1"),
]


def _raises_exactly(call, exc, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy's own warnings (e.g. ComplexWarning) are not under test
        with pytest.raises(exc, match=match) as info:
            call()
    assert type(info.value) is exc, f"raised {type(info.value).__name__}, a subclass of {exc.__name__}"


@pytest.mark.parametrize("call, exc, match", NUMPY_ERRORS)
def test_numpy_error(call, exc, match):
    _raises_exactly(call, exc, match)


# --------------------------------------------------------------------------------------------------------------
# diffiir.torch: errors
# --------------------------------------------------------------------------------------------------------------

# A device the CPU-only kernels must refuse: CUDA where there is one, otherwise torch's "meta" device.
DEV = "cuda" if torch is not None and torch.cuda.is_available() else "meta"
D64 = None if torch is None else torch.float64
D32 = None if torch is None else torch.float32


def t64(v, dtype=None, **kw):
    return torch.tensor(np.asarray(v, dtype=float), dtype=dtype or D64, **kw)


def dev(shape, dtype=None):
    return torch.empty(shape, dtype=dtype or D64, device=DEV)


def TE(id, call, exc, match, marks=()):
    return E(id, call, exc, match, marks=(needs_torch,) + tuple(marks))


TORCH_ERRORS = [
    # non-CPU tensors, every tensor argument of every function
    TE("torch.lfilter-x-device", lambda: dt.lfilter(t64(B), t64(A), dev(3)), TypeError, r"diffiir.torch.lfilter: x is on device"),
    TE("torch.lfilter-b-device", lambda: dt.lfilter(dev(2), t64(A), t64(X)), TypeError, r"diffiir.torch.lfilter: b is on device"),
    TE("torch.lfilter-a-device", lambda: dt.lfilter(t64(B), dev(2), t64(X)), TypeError, r"diffiir.torch.lfilter: a is on device"),
    TE("torch.lfilter-zi-device", lambda: dt.lfilter(t64(B), t64(A), t64(X), zi=dev((2, 1))), TypeError, r"diffiir.torch.lfilter: zi is on device"),
    TE("torch.sosfilt-sos-device", lambda: dt.sosfilt(dev((1, 6)), t64(X)), TypeError, r"diffiir.torch.sosfilt: sos is on device"),
    TE("torch.sosfilt-x-device", lambda: dt.sosfilt(t64(SOS), dev(8)), TypeError, r"diffiir.torch.sosfilt: x is on device"),
    TE("torch.sosfilt-zi-device", lambda: dt.sosfilt(t64(SOS), t64(X), zi=dev((1, 2, 2))), TypeError, r"diffiir.torch.sosfilt: zi is on device"),
    TE("torch.allpole-x-device", lambda: dt.allpole(dev(8), t64([0.5])), TypeError, r"diffiir.torch.allpole: x is on device"),
    TE("torch.allpole-a-device", lambda: dt.allpole(t64(X), dev(1)), TypeError, r"diffiir.torch.allpole: a is on device"),
    TE("torch.allpole-zi-device", lambda: dt.allpole(t64(X), t64([0.5]), zi=dev((2, 1))), TypeError, r"diffiir.torch.allpole: zi is on device"),
    TE("torch.lfilter_zi-b-device", lambda: dt.lfilter_zi(dev(2), t64(A)), TypeError, r"diffiir.torch.lfilter_zi: b is on device"),
    TE("torch.lfilter_zi-a-device", lambda: dt.lfilter_zi(t64(B), dev(2)), TypeError, r"diffiir.torch.lfilter_zi: a is on device"),
    TE("torch.sosfilt_zi-sos-device", lambda: dt.sosfilt_zi(dev((1, 6))), TypeError, r"diffiir.torch.sosfilt_zi: sos is on device"),
    TE("torch.freqz-b-device", lambda: dt.freqz(dev(2), t64(A)), TypeError, r"diffiir.torch.freqz: b is on device"),
    TE("torch.sosfreqz-sos-device", lambda: dt.sosfreqz(dev((1, 6))), TypeError, r"diffiir.torch.sosfreqz: sos is on device"),
    TE("torch.lfilter_fsm-x-device", lambda: dt.lfilter_fsm(t64(B), t64(A), dev(8)), TypeError, r"diffiir.torch.lfilter_fsm: x is on device"),
    TE("torch.sosfilt_fsm-sos-device", lambda: dt.sosfilt_fsm(dev((1, 6)), t64(X)), TypeError, r"diffiir.torch.sosfilt_fsm: sos is on device"),
    TE("torch.param.reflection-u-device", lambda: dt.param.reflection(dev(3)), TypeError, r"diffiir.torch.param.reflection: u is on device"),
    TE("torch.param.rbj-q-device", lambda: dt.param.rbj("lowpass", t64(1e3), dev(()), t64(0.0), 48e3), TypeError, r"diffiir.torch.param.rbj: q is on device"),
    TE("torch.param.reflection_to_lpc-k-device", lambda: dt.param.reflection_to_lpc(dev(3)), TypeError, r"diffiir.torch.param.reflection_to_lpc: k is on device"),
    TE("torch.param.lpc_to_reflection-a-device", lambda: dt.param.lpc_to_reflection(dev(3)), TypeError, r"diffiir.torch.param.lpc_to_reflection: a is on device"),
    # mismatched dtypes between x and the coefficients (one dtype per call)
    TE("torch.lfilter-b-f32-x-f64", lambda: dt.lfilter(t64(B, D32), t64(A, D32), t64(X)), TypeError, r"diffiir.torch.lfilter: x has dtype torch.float64 but an earlier"),
    TE("torch.lfilter-a-f32", lambda: dt.lfilter(t64(B), t64(A, D32), t64(X)), TypeError, r"diffiir.torch.lfilter: a has dtype torch.float32 but"),
    TE("torch.lfilter-zi-f32", lambda: dt.lfilter(t64(B), t64(A), t64(X), zi=torch.zeros(2, 1)), TypeError, r"diffiir.torch.lfilter: zi has dtype torch.float32 but"),
    TE("torch.sosfilt-x-f32", lambda: dt.sosfilt(t64(SOS), t64(X, D32)), TypeError, r"diffiir.torch.sosfilt: x has dtype torch.float32 but"),
    TE("torch.allpole-a-f32", lambda: dt.allpole(t64(X), t64([0.5], D32)), TypeError, r"diffiir.torch.allpole: a has dtype torch.float32 but"),
    TE("torch.lfilter_zi-a-f64-b-f32", lambda: dt.lfilter_zi(t64(B, D32), t64(A)), TypeError, r"diffiir.torch.lfilter_zi: a has dtype torch.float64 but"),
    TE("torch.freqz-a-f64-b-f32", lambda: dt.freqz(t64(B, D32), t64(A)), TypeError, r"diffiir.torch.freqz: a has dtype torch.float64 but"),
    TE("torch.lfilter_fsm-x-f32", lambda: dt.lfilter_fsm(t64(B), t64(A), t64(X, D32)), TypeError, r"diffiir.torch.lfilter_fsm: b has dtype torch.float64 but"),
    TE("torch.sosfilt_fsm-x-f32", lambda: dt.sosfilt_fsm(t64(SOS), t64(X, D32)), TypeError, r"diffiir.torch.sosfilt_fsm: sos has dtype torch.float64 but"),
    TE("torch.param.biquad_triangle-u2-f32", lambda: dt.param.biquad_triangle(t64([1.0]), t64([1.0], D32)), TypeError, r"biquad_triangle: u2 has dtype torch.float32 but"),
    TE("torch.param.svf-r-f32", lambda: dt.param.svf(t64(0.1), t64(0.5, D32), t64(1.0), 0.0, 0.0), TypeError, r"param.svf: r has dtype torch.float32 but"),
    # unsupported dtypes
    TE("torch.lfilter-x-int64", lambda: dt.lfilter(t64(B), t64(A), torch.arange(3)), TypeError, r"diffiir.torch.lfilter: x has dtype torch.int64; expected torch.float32 or"),
    TE("torch.lfilter-b-float16", lambda: dt.lfilter(t64(B).half(), t64(A).half(), t64(X).half()), TypeError, r"diffiir.torch.lfilter: b has dtype torch.float16"),
    TE("torch.sosfilt-sos-bfloat16", lambda: dt.sosfilt(t64(SOS).bfloat16(), t64(X).bfloat16()), TypeError, r"diffiir.torch.sosfilt: sos has dtype torch.bfloat16"),
    TE("torch.allpole-x-complex", lambda: dt.allpole(t64(X).to(torch.complex128), t64([0.5])), TypeError, r"diffiir.torch.allpole: x has dtype torch.complex128"),
    TE("torch.param.reflection-u-int", lambda: dt.param.reflection(torch.tensor([1])), TypeError, r"diffiir.torch.param.reflection: u has dtype torch.int64"),
    TE("torch.param.reflection_to_lpc-k-bool", lambda: dt.param.reflection_to_lpc(torch.tensor([True])), TypeError, r"reflection_to_lpc: k has dtype torch.bool"),
    # not a tensor, or None
    TE("torch.lfilter-x-ndarray", lambda: dt.lfilter(t64(B), t64(A), X), TypeError, r"diffiir.torch.lfilter: x must be a torch.Tensor; got ndarray"),
    TE("torch.lfilter-b-list", lambda: dt.lfilter(B, t64(A), t64(X)), TypeError, r"diffiir.torch.lfilter: b must be a torch.Tensor; got list"),
    TE("torch.lfilter-x-None", lambda: dt.lfilter(t64(B), t64(A), None), TypeError, r"diffiir.torch.lfilter: x must be a torch.Tensor; got NoneType"),
    TE("torch.sosfilt-sos-None", lambda: dt.sosfilt(None, t64(X)), TypeError, r"diffiir.torch.sosfilt: sos must be a torch.Tensor; got NoneType"),
    TE("torch.allpole-a-None", lambda: dt.allpole(t64(X), None), TypeError, r"diffiir.torch.allpole: a must be a torch.Tensor; got NoneType"),
    TE("torch.lfilter_zi-b-None", lambda: dt.lfilter_zi(None, t64(A)), TypeError, r"diffiir.torch.lfilter_zi: b must be a torch.Tensor"),
    TE("torch.sosfilt_zi-sos-None", lambda: dt.sosfilt_zi(None), TypeError, r"diffiir.torch.sosfilt_zi: sos must be a torch.Tensor"),
    TE("torch.freqz-b-None", lambda: dt.freqz(None, t64(A)), TypeError, r"diffiir.torch.freqz: b must be a torch.Tensor"),
    TE("torch.freqz-a-list", lambda: dt.freqz(t64(B), A), TypeError, r"diffiir.torch.freqz: a must be a torch.Tensor; got list"),
    TE("torch.sosfreqz-sos-None", lambda: dt.sosfreqz(None), TypeError, r"diffiir.torch.sosfreqz: sos must be a torch.Tensor"),
    TE("torch.lfilter_fsm-b-None", lambda: dt.lfilter_fsm(None, t64(A), t64(X)), TypeError, r"diffiir.torch.lfilter_fsm: b must be a torch.Tensor"),
    TE("torch.sosfilt_fsm-sos-ndarray", lambda: dt.sosfilt_fsm(np.array(SOS), t64(X)), TypeError, r"diffiir.torch.sosfilt_fsm: sos must be a torch.Tensor; got ndarray"),
    TE("torch.param.reflection-u-None", lambda: dt.param.reflection(None), TypeError, r"diffiir.torch.param.reflection: u must be a torch.Tensor; got NoneType"),
    TE("torch.param.reflection-u-str", lambda: dt.param.reflection("a"), TypeError, r"diffiir.torch.param.reflection: u must be a torch.Tensor; got str"),
    TE("torch.param.pole_pair-numbers-only", lambda: dt.param.pole_pair(1.0, 2.0), TypeError, r"pole_pair: at least one of r_raw, theta must be a torch.Tensor"),
    TE("torch.param.rbj-f0-None", lambda: dt.param.rbj("lowpass", None, t64(0.7), t64(0.0), 48e3), TypeError, r"param.rbj: f0 must be a torch.Tensor; got NoneType"),
    TE("torch.param.rbj-fs-tensor", lambda: dt.param.rbj("lowpass", t64(1e3), t64(0.7), t64(0.0), t64(48e3)), TypeError, r"param.rbj: fs must be a real scalar; got Tensor"),
    TE("torch.param.lpc_to_reflection-a-None", lambda: dt.param.lpc_to_reflection(None), TypeError, r"param.lpc_to_reflection: a must be a torch.Tensor"),
    # shapes, zi, axis, a[0] = 0, huge orders
    TE("torch.lfilter-zi-wrong-shape", lambda: dt.lfilter(t64(B), t64(A), t64(X), zi=t64(np.zeros((3, 1)))), ValueError, r"diffiir.torch.lfilter: zi has shape \(3, 1\)"),
    TE("torch.sosfilt-zi-wrong-shape", lambda: dt.sosfilt(t64(SOS), t64(X), zi=t64(np.zeros((3, 1)))), ValueError, r"diffiir.torch.sosfilt: zi has shape \(3, 1\)"),
    TE("torch.allpole-zi-wrong-shape", lambda: dt.allpole(t64(X), t64([0.5]), zi=t64(np.zeros((3, 1)))), ValueError, r"diffiir.torch.allpole: zi has shape \(3, 1\)"),
    TE("torch.lfilter-axis-2", lambda: dt.lfilter(t64(B), t64(A), t64(X), axis=2), ValueError, r"diffiir.torch.lfilter: axis 2 is out of bounds"),
    TE("torch.sosfilt-axis-str", lambda: dt.sosfilt(t64(SOS), t64(X), axis="x"), TypeError, r"diffiir.torch.sosfilt: axis must be an integer"),
    TE("torch.lfilter-a0-zero", lambda: dt.lfilter(t64(B), t64([0.0, 1.0]), t64(X)), ValueError, r"a\[0\] is zero"),
    TE("torch.lfilter-a-order-10000", lambda: dt.lfilter(t64(B), t64(HUGE_A), t64(X)), ValueError, r"b, a give order 10000"),
    TE("torch.lfilter_zi-batch-mismatch", lambda: dt.lfilter_zi(t64(np.ones((2, 1))), t64(np.ones((3, 2)))), ValueError, r"b has shape \(2, 1\) and a \(3, 2\)"),
    TE("torch.sosfreqz-sos-5-columns", lambda: dt.sosfreqz(t64(np.ones((1, 5)))), ValueError, r"diffiir.torch.sosfreqz: sos has shape \(1, 5\)"),
    TE("torch.sosfilt_fsm-sos-5-columns", lambda: dt.sosfilt_fsm(t64(np.ones((1, 5))), t64(X)), ValueError, r"diffiir.torch.sosfilt_fsm: sos has shape \(1, 5\)"),
    TE("torch.sosfilt_fsm-a0-zero", lambda: dt.sosfilt_fsm(t64([[1.0, 0, 0, 0, 1, 0]]), t64(X)), ValueError, r"diffiir.torch.sosfilt_fsm: sos\[\.\.\., 3\] \(a0\) is zero"),
    TE("torch.lfilter_fsm-n_fft-float", lambda: dt.lfilter_fsm(t64(B), t64(A), t64(X), n_fft=16.0), TypeError, r"diffiir.torch.lfilter_fsm: n_fft must be an integer"),
    TE("torch.freqz-worN-str", lambda: dt.freqz(t64(B), t64(A), worN="x"), TypeError, r"diffiir.torch.freqz: worN must be"),
    TE("torch.param.svf-broadcast", lambda: dt.param.svf(t64([1.0, 2.0]), t64([1.0, 2.0, 3.0]), 0.0, 0.0, 0.0), ValueError, r"param.svf: the inputs do not broadcast together: g \(2,\), r \(3,\)"),
    TE("torch.param.lpc_to_reflection-a0-zero", lambda: dt.param.lpc_to_reflection(t64([0.0, 1.0])), ValueError, r"lpc_to_reflection: a\[\.\.\., 0\] is zero"),
    TE("torch.param.reflection_to_lpc-k-scalar", lambda: dt.param.reflection_to_lpc(t64(0.5)), ValueError, r"reflection_to_lpc: k must have at least 1 entries"),
    TE("torch.param.rbj-kind-int", lambda: dt.param.rbj(3, t64(1e3), t64(0.7), t64(0.0), 48e3), TypeError, r"param.rbj: kind must be a string"),
]


@pytest.mark.parametrize("call, exc, match", TORCH_ERRORS)
def test_torch_error(call, exc, match):
    _raises_exactly(call, exc, match)


# --------------------------------------------------------------------------------------------------------------
# Zero-length signals and empty batches: valid, empty results (scipy.signal.lfilter's behaviour)
# --------------------------------------------------------------------------------------------------------------

ZI1 = np.array([0.25])  # lfilter zi for order 1
ZIS = np.array([[0.25, -0.5]])  # sosfilt zi, one section

EMPTY_CASES = [
    pytest.param(lambda: diffiir.lfilter(B, A, np.zeros(0)), (0,), id="lfilter-T0"),
    pytest.param(lambda: diffiir.lfilter(B, A, np.zeros((3, 0))), (3, 0), id="lfilter-batch3-T0"),
    pytest.param(lambda: diffiir.lfilter(B, A, np.zeros((0, 5))), (0, 5), id="lfilter-empty-batch"),
    pytest.param(lambda: diffiir.lfilter(np.ones((0, 1)), A, np.zeros((0, 5))), (0, 5), id="lfilter-empty-batch-per-signal-b"),
    pytest.param(lambda: diffiir.sosfilt(SOS, np.zeros(0)), (0,), id="sosfilt-T0"),
    pytest.param(lambda: diffiir.sosfilt(np.zeros((0, 1, 6)), np.zeros((0, 4))), (0, 4), id="sosfilt-empty-batch-per-signal-sos"),
    pytest.param(lambda: diffiir.allpole(np.zeros((2, 0)), [0.5]), (2, 0), id="allpole-T0"),
    pytest.param(lambda: diffiir.lfilter_fsm(B, A, np.zeros(0)), (0,), id="lfilter_fsm-T0"),
    pytest.param(lambda: diffiir.sosfilt_fsm(SOS, np.zeros((2, 0))), (2, 0), id="sosfilt_fsm-T0"),
    pytest.param(lambda: diffiir.lfilter_zi(np.ones((0, 2)), np.ones((0, 2))), (0, 1), id="lfilter_zi-empty-batch"),
    pytest.param(lambda: diffiir.sosfilt_zi(np.ones((0, 1, 6))), (1, 0, 2), id="sosfilt_zi-empty-batch"),
    # scipy raises here ("length of a must be at least 2"); order 0 has an empty state, which lfilter accepts as zi
    pytest.param(lambda: diffiir.lfilter_zi([1.0], [2.0]), (0,), id="lfilter_zi-order-0"),
    pytest.param(lambda: diffiir.freqz(B, A, worN=0)[1], (0,), id="freqz-worN-0"),
    pytest.param(lambda: diffiir.sosfreqz(SOS, worN=[])[1], (0,), id="sosfreqz-worN-empty"),
    pytest.param(lambda: P.reflection([]), (0,), id="reflection-empty"),
    pytest.param(lambda: P.rbj("lowpass", np.zeros(0), 0.7, 0.0, 48e3)[0], (0, 3), id="rbj-empty"),
    pytest.param(lambda: P.svf(np.zeros((0, 2)), 0.5, 1.0, 0.0, 0.0)[1], (0, 2, 3), id="svf-empty"),
    pytest.param(lambda: P.reflection_to_lpc(np.zeros((0, 2))), (0, 3), id="reflection_to_lpc-empty-batch"),
    pytest.param(lambda: P.lpc_to_reflection(np.ones((0, 2))), (0, 1), id="lpc_to_reflection-empty-batch"),
]


@pytest.mark.parametrize("call, shape", EMPTY_CASES)
def test_empty_is_valid(call, shape):
    out = call()
    assert out.shape == shape


@pytest.mark.parametrize("kind", ["lfilter", "sosfilt"])
def test_zero_length_signal_with_zi_returns_zi(kind):
    """With no samples the state passes through untouched: ``([], zi)``. scipy.signal.lfilter returns the same
    shapes, but its ``zf`` is uninitialised memory there (scipy 1.17: e.g. ``[1e-323]``), so only the shapes are
    compared with scipy."""
    if kind == "lfilter":
        y, zf = diffiir.lfilter(B, A, np.zeros(0), zi=ZI1)
        if ss is not None:
            ys, zs = ss.lfilter(B, A, np.zeros(0), zi=ZI1)
            assert ys.shape == y.shape and zs.shape == zf.shape
        assert np.array_equal(zf, ZI1)
    else:
        y, zf = diffiir.sosfilt(SOS, np.zeros(0), zi=ZIS)
        assert np.array_equal(zf, ZIS)
    assert y.shape == (0,)


@needs_scipy
def test_zero_length_matches_scipy_lfilter():
    for x in (np.zeros(0), np.zeros((3, 0)), np.zeros((0, 5))):
        y, ys = diffiir.lfilter(B, A, x), ss.lfilter(B, A, x)
        assert y.shape == ys.shape and y.dtype == ys.dtype


@needs_torch
@pytest.mark.parametrize("fn", ["lfilter", "sosfilt", "allpole", "lfilter_fsm", "sosfilt_fsm"])
def test_torch_zero_length_backward(fn):
    x = torch.zeros(2, 0, dtype=D64, requires_grad=True)
    c = t64(SOS, requires_grad=True) if "sos" in fn else t64(A, requires_grad=True)
    y = {
        "lfilter": lambda: dt.lfilter(t64(B), c, x),
        "sosfilt": lambda: dt.sosfilt(c, x),
        "allpole": lambda: dt.allpole(x, t64([0.5], requires_grad=True)),
        "lfilter_fsm": lambda: dt.lfilter_fsm(t64(B), c, x),
        "sosfilt_fsm": lambda: dt.sosfilt_fsm(c, x),
    }[fn]()
    assert y.shape == (2, 0)
    y.sum().backward()
    assert x.grad.shape == (2, 0)


# --------------------------------------------------------------------------------------------------------------
# NaN / Inf: propagate as in scipy, never raise; other signals of the batch are unaffected
# --------------------------------------------------------------------------------------------------------------

NAN, INF = np.nan, np.inf
X1 = np.array([0.0, 1.0, 0.0, 0.5, 0.0, 0.0])


def _same(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)  # NaN where scipy has NaN; inf must match in sign


SCIPY_NAN_CASES = [
    pytest.param(lambda m: m.lfilter(B, A, np.r_[0.0, NAN, X1[2:]]), id="lfilter-x-nan"),
    pytest.param(lambda m: m.lfilter(B, A, np.r_[0.0, INF, X1[2:]]), id="lfilter-x-inf"),
    pytest.param(lambda m: m.lfilter([NAN, 0.3], A, X1), id="lfilter-b-nan"),
    pytest.param(lambda m: m.lfilter([INF], A, X1), id="lfilter-b-inf"),
    pytest.param(lambda m: m.lfilter(B, [1.0, NAN], X1), id="lfilter-a1-nan"),
    pytest.param(lambda m: m.lfilter(B, [NAN, 0.5], X1), id="lfilter-a0-nan"),
    pytest.param(lambda m: m.lfilter(B, A, X1, zi=[NAN]), id="lfilter-zi-nan"),
    pytest.param(lambda m: m.sosfilt([[1.0, 0.3, 0, 1, NAN, 0]], X1), id="sosfilt-sos-nan"),
    pytest.param(lambda m: m.sosfilt(SOS, np.r_[0.0, INF, X1[2:]]), id="sosfilt-x-inf"),
    pytest.param(lambda m: m.sosfilt([[1.0, 0.3, 0, 1, 0.5, 0]], X1, zi=[[INF, 0.0]]), id="sosfilt-zi-inf"),
    pytest.param(lambda m: m.lfilter_zi(B, [1.0, NAN]), id="lfilter_zi-a-nan"),
    pytest.param(lambda m: m.lfilter_zi([INF], A), id="lfilter_zi-b-inf"),
    pytest.param(lambda m: m.sosfilt_zi([[1.0, 0, 0, 1, NAN, 0]]), id="sosfilt_zi-sos-nan"),
    pytest.param(lambda m: m.freqz([NAN], A, worN=4)[1], id="freqz-b-nan"),
    pytest.param(lambda m: m.freqz([INF], A, worN=4)[1], id="freqz-b-inf"),
    pytest.param(lambda m: m.freqz(B, A, worN=[NAN, 0.1])[1], id="freqz-worN-nan"),
    pytest.param(lambda m: m.sosfreqz([[1.0, 0, 0, 1, NAN, 0]], worN=4)[1], id="sosfreqz-sos-nan"),
]


@needs_scipy
@pytest.mark.parametrize("call", SCIPY_NAN_CASES)
def test_nan_inf_match_scipy(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, ref = call(diffiir), call(ss)
    if isinstance(ours, tuple):
        for o, r in zip(ours, ref):
            _same(o, r)
    else:
        _same(ours, ref)
    assert not np.all(np.isfinite(ours if not isinstance(ours, tuple) else ours[0]))


BATCH_NAN_CASES = [  # (f, causal): the recursions leave the samples before the NaN alone; the FSM's FFT does not
    pytest.param(lambda x: diffiir.lfilter(B, A, x), True, id="lfilter"),
    pytest.param(lambda x: diffiir.lfilter(np.array([B, B]), np.array([A, A]), x), True, id="lfilter-per-signal"),
    pytest.param(lambda x: diffiir.sosfilt(SOS, x), True, id="sosfilt"),
    pytest.param(lambda x: diffiir.allpole(x, [-0.5]), True, id="allpole"),
    pytest.param(lambda x: diffiir.lfilter_fsm(B, A, x), False, id="lfilter_fsm"),
    pytest.param(lambda x: diffiir.sosfilt_fsm(SOS, x), False, id="sosfilt_fsm"),
]


@pytest.mark.parametrize("f, causal", BATCH_NAN_CASES)
def test_nan_stays_in_its_signal(f, causal):
    x = np.array(X)
    x[0, 3] = np.nan
    y, clean = f(x), f(X)
    assert np.isnan(y[0, 3:]).all()
    if causal:
        np.testing.assert_array_equal(y[0, :3], clean[0, :3])
    np.testing.assert_array_equal(y[1], clean[1])


def test_nan_allpole_coefficient():
    """``allpole`` computes ``y[n] = x[n] - sum a_k y[n-k]`` with the zero initial state multiplied in (as torchlpc),
    so a NaN coefficient shows from ``n = 0`` on (``NaN * 0``); lfilter's transposed form first uses ``a`` at
    ``n = 1``. From there on both are NaN."""
    a = [NAN, 0.25]
    y, ref = diffiir.allpole(X1, a), diffiir.lfilter([1.0], np.r_[1.0, a], X1)
    assert np.isnan(y).all() and np.isnan(ref[1:]).all()
    _same(diffiir.allpole(X1, [0.5], zi=[NAN])[1:], np.full(5, NAN))


@pytest.mark.parametrize(
    "f",
    [
        pytest.param(P.reflection, id="reflection"),
        pytest.param(P.lar_to_reflection, id="lar_to_reflection"),
        pytest.param(lambda u: P.biquad_triangle(u, u)[0], id="biquad_triangle"),
        pytest.param(lambda u: P.pole_pair(u, 0.0)[1], id="pole_pair"),
    ],
)
def test_param_saturates_inf_and_propagates_nan(f):
    out = f(np.array([NAN, INF, -INF]))
    assert np.isnan(out[0]) and np.isfinite(out[1:]).all()


def test_param_nan_propagates():
    assert np.isnan(P.reflection_to_lpc([NAN, 0.5])[1])
    assert np.isnan(P.lpc_to_reflection([1.0, NAN, 0.5])[0])
    assert np.isnan(P.rbj("lowpass", NAN, 0.7, 0.0, 48e3)[0]).all()
    assert np.isnan(P.svf(NAN, 0.5, 1.0, 0.0, 0.0)[0]).all()
    assert np.isnan(P.rbj_params(NAN, 0.0, 0.0, 48e3)[0])


# --------------------------------------------------------------------------------------------------------------
# dtypes that are accepted: the documented conversions
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype, result",
    [
        pytest.param(np.int64, np.float64, id="int64"),
        pytest.param(np.int8, np.float64, id="int8"),
        pytest.param(np.uint16, np.float64, id="uint16"),
        pytest.param(np.bool_, np.float64, id="bool"),
        pytest.param(np.float16, np.float32, id="float16"),
        pytest.param(np.dtype(">f8"), np.float64, id="big-endian-float64"),
        pytest.param(np.dtype(">f4"), np.float32, id="big-endian-float32"),
    ],
)
def test_accepted_dtypes(dtype, result):
    """All arguments of one dtype: integers and bools compute in float64, float16 in float32, byte order is
    irrelevant. (Mixed with float32 arguments, numpy's promotion decides: int8 + float32 is float32.)"""
    b, a, x = (np.array(v).astype(dtype) for v in ([1, 1], [1], np.arange(6) % 3))
    y = diffiir.lfilter(b, a, x)
    assert y.dtype == result
    np.testing.assert_array_equal(y, diffiir.lfilter(b.astype(float), a.astype(float), x.astype(float)))
    y = diffiir.sosfilt(np.array([[1, 1, 0, 1, 0, 0]]).astype(dtype), x)
    assert y.dtype == result


# --------------------------------------------------------------------------------------------------------------
# Non-contiguous, negative-stride, broadcast and big-endian inputs: same result as the contiguous copy
# --------------------------------------------------------------------------------------------------------------

_R = np.random.default_rng(9)
XW = _R.standard_normal((3, 24))
SOS2 = np.array([[0.3, 0.2, 0.1, 1.0, -0.5, 0.1], [1.0, -0.4, 0.2, 2.0, 0.3, 0.4]])
BIG = np.zeros((4, 12))  # a wide buffer for strided coefficient views
BIG[:, ::3] = [[0.3, 0.2, 0.1, 0.05]] * 4
AW = np.array([1.0, -0.6, 0.2])


def _views():
    """(id, strange view, its contiguous copy) for x of shape (3, 12)."""
    base = XW[:, ::2]  # (3, 12), stride 2
    return [
        ("strided", base),
        ("reversed", XW[:, ::-2]),
        ("fortran", np.asfortranarray(XW[:, :12])),
        ("transposed-view", XW[:, :12].T.copy().T),
        ("broadcast", np.broadcast_to(XW[0, :12], (3, 12))),
        ("big-endian", XW[:, :12].astype(">f8")),
    ]


NONCONTIG_FUNCS = [
    ("lfilter", lambda x, b, a, sos, z: diffiir.lfilter(b, a, x)),
    ("lfilter-axis0", lambda x, b, a, sos, z: diffiir.lfilter(b, a, x.T, axis=0)),
    ("lfilter-zi", lambda x, b, a, sos, z: diffiir.lfilter(b, a, x, zi=z[:, :3])),
    ("sosfilt", lambda x, b, a, sos, z: diffiir.sosfilt(sos, x)),
    ("sosfilt-zi-axis0", lambda x, b, a, sos, z: diffiir.sosfilt(sos, x.T, axis=0, zi=np.stack([z[:, :2].T, z[:, 2:4].T]))),
    ("allpole", lambda x, b, a, sos, z: diffiir.allpole(x, a[1:], zi=z[:, :2])),
    ("lfilter_fsm", lambda x, b, a, sos, z: diffiir.lfilter_fsm(b, a, x)),
    ("sosfilt_fsm", lambda x, b, a, sos, z: diffiir.sosfilt_fsm(sos, x)),
    ("lfilter_zi", lambda x, b, a, sos, z: diffiir.lfilter_zi(b, a)),
    ("sosfilt_zi", lambda x, b, a, sos, z: diffiir.sosfilt_zi(sos)),
    ("freqz", lambda x, b, a, sos, z: diffiir.freqz(b, a, worN=x[0, :5] ** 2)[1]),
    ("sosfreqz", lambda x, b, a, sos, z: diffiir.sosfreqz(sos, worN=16)[1]),
    ("param.svf", lambda x, b, a, sos, z: P.svf(x ** 2, x[::-1] ** 2 + 0.1, x, 1.0, x)),
    ("param.reflection_to_lpc", lambda x, b, a, sos, z: P.reflection_to_lpc(np.tanh(x))),
    ("param.lpc_to_reflection", lambda x, b, a, sos, z: P.lpc_to_reflection(a)),
    ("param.biquad_triangle", lambda x, b, a, sos, z: P.biquad_triangle(x, x[:, ::-1])[1]),
]


@pytest.mark.parametrize("name, f", NONCONTIG_FUNCS, ids=[n for n, _ in NONCONTIG_FUNCS])
def test_noncontiguous_equals_contiguous(name, f):
    b_view = BIG[0, ::3]  # stride 3
    a_view = np.r_[AW, 0.0][::-1][::-1][:3]  # an owned copy, then a reversed view below
    a_rev = AW[::-1].copy()[::-1]  # negative stride
    sos_view = np.ascontiguousarray(SOS2[::-1])[::-1]  # negative stride over sections
    z = np.ascontiguousarray(XW[:, ::6]) * 0.1  # (3, 4)
    z_view = np.asfortranarray(z)
    for vid, xv in _views():
        xc = np.ascontiguousarray(xv, dtype=np.float64)
        got = f(xv, b_view, a_rev, sos_view, z_view)
        want = f(xc, b_view.copy(), a_view.copy(), SOS2.copy(), z.copy())
        for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
            np.testing.assert_array_equal(g, w, err_msg=f"{name} with a {vid} x")


@needs_torch
@pytest.mark.parametrize("fn", ["lfilter", "sosfilt", "allpole", "lfilter_fsm", "lfilter_zi", "sosfilt_zi", "freqz", "param.svf"])
def test_torch_noncontiguous_forward_and_backward(fn):
    raw = torch.tensor(XW, dtype=D64)
    views = [raw[:, ::2], raw.flip(-1)[:, :12], raw[:, :12].t().contiguous().t(), raw[0, :12].expand(3, 12)]
    f = {
        "lfilter": lambda x, c: dt.lfilter(c[:2], c[2:] * torch.tensor([1.0, 0.5], dtype=D64) + torch.tensor([1.0, -0.4], dtype=D64), x),
        "sosfilt": lambda x, c: dt.sosfilt(torch.cat([c.view(1, 4)[:, :3], torch.tensor([[1.0]], dtype=D64), 0.3 * c.view(1, 4)[:, 2:]], -1), x),
        "allpole": lambda x, c: dt.allpole(x, 0.2 * c[1:3]),
        "lfilter_fsm": lambda x, c: dt.lfilter_fsm(c[:2], torch.tensor([1.0, -0.3], dtype=D64) + 0.0 * c[2:], x),
        "lfilter_zi": lambda x, c: dt.lfilter_zi(c[:2] + x.sum() * 0, torch.tensor([1.0, -0.3], dtype=D64) + 0.1 * c[2:]),
        "sosfilt_zi": lambda x, c: dt.sosfilt_zi(torch.cat([c[None, :3], torch.tensor([[1.0]], dtype=D64), 0.1 * c[None, 2:]], -1)) + 0 * x.sum(),
        "freqz": lambda x, c: dt.freqz(c[:2], torch.tensor([1.0], dtype=D64) + 0.0 * c[2:3], worN=8)[1].abs() + 0 * x.sum(),
        "param.svf": lambda x, c: dt.param.svf(x.abs() + 0.1, x.abs() + 0.2, c[0], c[1], c[2])[0],
    }[fn]
    c_base = torch.tensor([0.3, 0.0, 0.2, 0.0, 0.1, 0.0, 0.4, 0.0], dtype=D64)
    for i, v in enumerate(views):
        results = []
        for x, c in ((v.detach(), c_base[::2].detach()), (v.contiguous().detach(), c_base[::2].contiguous())):
            x, c = x.requires_grad_(True), c.requires_grad_(True)
            y = f(x, c)
            y.pow(2).sum().backward()
            results.append((y.detach(), x.grad, c.grad))
        (y0, gx0, gc0), (y1, gx1, gc1) = results
        assert not views[i].is_contiguous()
        assert torch.equal(y0, y1), (fn, i)
        torch.testing.assert_close(gc0, gc1, rtol=1e-12, atol=0)
        if gx0 is not None or gx1 is not None:
            torch.testing.assert_close(gx0, gx1, rtol=1e-12, atol=0)


# --------------------------------------------------------------------------------------------------------------
# Huge orders where the cost is linear in the order: they work (and fast), they do not hang
# --------------------------------------------------------------------------------------------------------------

HUGE_VALID = [
    pytest.param(lambda: np.array_equal(diffiir.sosfilt(HUGE_SOS, X), X), id="sosfilt-10000-sections"),
    pytest.param(lambda: np.array_equal(diffiir.allpole(X, np.zeros(10_000)), X), id="allpole-N-10000"),
    pytest.param(lambda: np.array_equal(diffiir.sosfilt_zi(HUGE_SOS), np.zeros((10_000, 2))), id="sosfilt_zi-10000-sections"),
    pytest.param(lambda: np.allclose(diffiir.freqz(HUGE_A, [1.0], worN=8)[1], 1.0), id="freqz-10000-taps"),
    pytest.param(lambda: np.allclose(diffiir.sosfreqz(HUGE_SOS, worN=8)[1], 1.0), id="sosfreqz-10000-sections"),
    pytest.param(lambda: np.allclose(diffiir.lfilter_fsm(HUGE_A, [1.0], X), X), id="lfilter_fsm-10000-taps"),
    pytest.param(lambda: np.array_equal(P.reflection_to_lpc(np.zeros(10_000)), HUGE_A), id="reflection_to_lpc-N-10000"),
    pytest.param(lambda: np.array_equal(P.lpc_to_reflection(HUGE_A), np.zeros(10_000)), id="lpc_to_reflection-N-10000"),
    pytest.param(lambda: np.array_equal(diffiir.lfilter(B, np.r_[1.0, np.zeros(64)], X), diffiir.lfilter(B, [1.0], X)), id="lfilter-order-64-limit"),
]


@pytest.mark.parametrize("check", HUGE_VALID)
def test_huge_orders_that_are_valid(check):
    assert check()


# --------------------------------------------------------------------------------------------------------------
# torch: requires_grad combinations; gradients reach exactly the tensors that ask for them
# --------------------------------------------------------------------------------------------------------------


def _torch_specs():
    sos = np.array(SOS2)
    return {
        "lfilter": (lambda b, a, x, zi: dt.lfilter(b, a, x, zi=zi), dict(b=B, a=AW, x=XW[:, :10], zi=np.zeros((3, 2)) + 0.1)),
        "sosfilt": (lambda sos, x, zi: dt.sosfilt(sos, x, zi=zi), dict(sos=sos, x=XW[:, :10], zi=np.full((2, 3, 2), 0.1))),
        "allpole": (lambda x, a, zi: dt.allpole(x, a, zi=zi), dict(x=XW[:, :10], a=AW[1:], zi=np.full((3, 2), 0.1))),
        "lfilter_zi": (lambda b, a: dt.lfilter_zi(b, a), dict(b=B, a=AW)),
        "sosfilt_zi": (lambda sos: dt.sosfilt_zi(sos), dict(sos=sos)),
        "freqz": (lambda b, a: dt.freqz(b, a, worN=8)[1].abs(), dict(b=B, a=AW)),
        "sosfreqz": (lambda sos: dt.sosfreqz(sos, worN=8)[1].abs(), dict(sos=sos)),
        "lfilter_fsm": (lambda b, a, x: dt.lfilter_fsm(b, a, x), dict(b=B, a=AW, x=XW[:, :10])),
        "sosfilt_fsm": (lambda sos, x: dt.sosfilt_fsm(sos, x), dict(sos=sos, x=XW[:, :10])),
        "param.rbj": (lambda f0, q, gain_db: dt.param.rbj("peaking", f0, q, gain_db, 48e3)[0], dict(f0=[1e3, 2e3], q=0.7, gain_db=3.0)),
        "param.lpc_to_reflection": (lambda a: dt.param.lpc_to_reflection(a), dict(a=AW)),
        "param.reflection_to_lpc": (lambda k: dt.param.reflection_to_lpc(k), dict(k=[0.5, -0.2])),
    }


def _grad_combos():
    if torch is None:
        return [pytest.param(None, None, marks=needs_torch, id="torch-missing")]
    out = []
    for name, (_, args) in _torch_specs().items():
        names = list(args)
        for which in [()] + [(n,) for n in names] + ([tuple(names)] if len(names) > 1 else []):
            out.append(pytest.param(name, which, id=f"{name}-grad-{'+'.join(which) or 'none'}"))
    return out


@needs_torch
@pytest.mark.parametrize("name, which", _grad_combos())
def test_torch_requires_grad_combos(name, which):
    f, args = _torch_specs()[name]
    ts = {k: torch.tensor(np.asarray(v, dtype=float), dtype=D64, requires_grad=k in which) for k, v in args.items()}
    out = f(**ts)
    y = out[0] if isinstance(out, tuple) else out
    if isinstance(out, tuple):  # (y, zf): a loss on both
        y = out[0].sum() + out[1].sum()
    assert y.requires_grad == bool(which)
    with torch.no_grad():
        assert not (f(**ts)[0] if isinstance(out, tuple) else f(**ts)).requires_grad
    if not which:
        return
    y.sum().backward()
    for k, t in ts.items():
        if k in which:
            assert t.grad is not None and t.grad.shape == t.shape and torch.isfinite(t.grad).all(), k
        else:
            assert t.grad is None, k


# --------------------------------------------------------------------------------------------------------------
# No case crashes the interpreter
# --------------------------------------------------------------------------------------------------------------


def test_child_process_runs_matrix_without_crash():
    """The whole matrix, once, in a child interpreter: pytest exits 0 (all passed) or 1 (some failed — reported
    by the parent run anyway), never by a signal (a negative return code: a segfault, an abort, a Rust panic
    that unwinds through the FFI)."""
    env = dict(os.environ, PYTHONFAULTHANDLER="1")
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", __file__, "-k", "not child_process"],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=os.path.dirname(os.path.abspath(__file__)),
    )
    assert r.returncode in (0, 1), f"child exited with {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
