"""diffiir: exact, fast, differentiable recursive (IIR) filters.

The numpy functions follow scipy.signal (``lfilter``, ``sosfilt``, ``lfilter_zi``, ``sosfilt_zi``) and torchlpc
(``allpole``), extended to batches of filters and per-sample coefficients. PyTorch autograd versions with the
same signatures live in ``diffiir.torch`` (imported on demand; ``import diffiir`` does not need torch).
Frequency responses and the frequency-sampling method: ``freqz``, ``sosfreqz``, ``lfilter_fsm``, ``sosfilt_fsm``.
Stable-by-construction parameterisations (parameters -> coefficients) are in ``diffiir.param`` and
``diffiir.torch.param``.
Kernel settings (process-wide): ``set_num_threads``, ``set_grain`` (work per thread), ``set_path`` (sequential / block-parallel / row blocks) and ``set_simd``
(instruction-set level; results are bit-identical at every level), each with its ``get_*``.
"""

from ._diffiir import __version__, get_grain, get_num_threads, get_path, get_simd, release_buffers, set_grain, set_num_threads, set_path, set_simd
from . import param
from .freq import freqz, lfilter_fsm, sosfilt_fsm, sosfreqz
from .signal import allpole, lfilter, lfilter_zi, sosfilt, sosfilt_zi
from .stability import check_stable, check_stable_allpole, check_stable_sos

__all__ = ["lfilter", "sosfilt", "lfilter_zi", "sosfilt_zi", "allpole", "check_stable", "check_stable_allpole", "check_stable_sos", "freqz", "sosfreqz", "lfilter_fsm", "sosfilt_fsm", "param", "set_num_threads", "get_num_threads", "set_grain", "get_grain", "set_path", "get_path", "set_simd", "get_simd", "release_buffers", "__version__"]
