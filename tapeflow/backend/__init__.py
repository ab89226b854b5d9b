"""The array backend: the only core module that imports numpy.

Everything above this layer reaches array kernels through ``backend.xp`` (the array
namespace, NumPy today; an array-API module such as CuPy could stand in later).
"""
from tapeflow.backend import numpy_backend

xp = numpy_backend.xp
