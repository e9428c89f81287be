"""Bad input raises ValueError/TypeError naming the argument; never a crash of the interpreter."""
import numpy as np
import pytest

import diffiir
from diffiir import _diffiir

X = np.zeros((2, 8))


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: diffiir.lfilter([], [1.0], X), ValueError, "b is empty"),
        (lambda: diffiir.lfilter([1.0], [], X), ValueError, "a is empty"),
        (lambda: diffiir.lfilter([1.0], [0.0, 1.0], X), ValueError, r"a\[0\] is zero"),
        (lambda: diffiir.lfilter([1.0], [1.0, 0.5], X, zi=np.zeros((2, 2))), ValueError, "zi has shape"),
        (lambda: diffiir.lfilter(np.ones((3, 2)), [1.0], X), ValueError, "b has shape"),
        (lambda: diffiir.lfilter([1.0], [1.0], X, axis=2), ValueError, "axis 2 is out of bounds"),
        (lambda: diffiir.lfilter([1.0], [1.0], 3.0), ValueError, "x must have at least one dimension"),
        (lambda: diffiir.lfilter([1j], [1.0], X), TypeError, "b is complex"),
        (lambda: diffiir.lfilter([1.0], [1.0], np.array(["a", "b"])), TypeError, "x has dtype"),
        (lambda: diffiir.sosfilt([1.0, 0, 0, 1, 0, 0], X), ValueError, "sos has shape"),
        (lambda: diffiir.sosfilt([[1.0, 0, 0, 0, 0, 0]], X), ValueError, r"sos\[0\] is zero"),
        (lambda: diffiir.sosfilt([[1.0, 0, 0, 1, 0, 0]], X, zi=np.zeros((2, 2))), ValueError, "zi has shape"),
        (lambda: diffiir.lfilter_zi([1.0], [1.0, -1.0]), ValueError, r"sum\(a\) = 0"),
        (lambda: diffiir.sosfilt_zi([[1.0, 0, 0, 1, -2, 1]]), ValueError, r"sum\(a\) = 0"),
        (lambda: diffiir.allpole(X, np.ones((3, 2))), ValueError, "a has shape"),
        (lambda: diffiir.allpole(X, [0.5], zi=np.zeros(2)), ValueError, "zi has shape"),
        (lambda: diffiir.lfilter(np.ones(70), [1.0], X), ValueError, "at most 64 is supported"),
        # The private module, called directly with bad input: a Python exception, not a PanicException.
        (lambda: _diffiir.lfilter(np.ones(3), 0, 3, np.ones(2), 0, 2, np.ones(7), 2), ValueError, "do not split"),
        (lambda: _diffiir.lfilter(np.ones(3), 0, 3, np.ones(2), 0, 2, np.ones(8), 2, np.ones(5)), ValueError, "zi"),
        (lambda: _diffiir.allpole(np.ones(8, np.float32), 2, np.ones(2), 0, 2), TypeError, "a must be"),
        (lambda: _diffiir.allpole(np.ones(8), 2, np.ones(2), 7, 2), ValueError, "layout code"),
        (lambda: _diffiir.sosfilt(np.ones(6), 0, 6, np.ones(16)[::2], 2), TypeError, "x must be C-contiguous"),
        (lambda: _diffiir.sosfilt(np.ones(5), 0, 5, np.ones(8), 2), ValueError, "sos has 5 coefficients"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
