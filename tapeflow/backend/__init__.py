"""The array backend: the only core module that imports numpy.

Everything above this layer reaches array kernels through ``backend.xp`` (the array
namespace, NumPy today; an array-API module such as CuPy could stand in later).
"""
import warnings as _warnings

from tapeflow.backend import numpy_backend

xp = numpy_backend.xp

# TF computes 1/0 -> inf and log(0) -> -inf silently; NumPy warns. Silence NumPy's floating
# point RuntimeWarnings only where tapeflow's own modules call the kernels (the user's NumPy
# code keeps its warnings).
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"tapeflow(\.|$)")
