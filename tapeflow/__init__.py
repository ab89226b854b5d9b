"""tapeflow: TensorFlow's eager core and Keras, in readable Python on NumPy.

    import tapeflow as tf
    x = tf.constant([[1., 2.]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x * x)
    tape.gradient(y, x)   # <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[2., 4.]], ...)>
"""
__version__ = "0.1.0"

# Importing ops attaches the Python operators to Tensor and Variable (one table).
from tapeflow import ops as _ops  # noqa: F401
from tapeflow import (compat, config, debugging, dtypes, errors, experimental,  # noqa: F401
                      linalg, math, nest, nn, random, raw_ops)
from tapeflow.dtypes import (DType, as_dtype, bool, complex64, complex128, double,  # noqa: F401
                             float16, float32, float64, half, int8, int16, int32, int64,
                             string, uint8, uint16, uint32, uint64)
from tapeflow.def_function import Function, TensorSpec, function  # noqa: F401
from tapeflow.gradient_tape import GradientTape, UnconnectedGradients, custom_gradient  # noqa: F401
from tapeflow.misc import (case, cond, control_dependencies, device, ensure_shape,  # noqa: F401
                           executing_eagerly, group, init_scope, is_tensor, map_fn, no_op,
                           numpy_function, print, py_function, vectorized_map, while_loop)
from tapeflow.module import Module  # noqa: F401
from tapeflow.ops.comparison import (equal, greater, greater_equal, less,  # noqa: F401
                                     less_equal, logical_and, logical_not, logical_or,
                                     logical_xor, not_equal)
from tapeflow.ops.creation import (constant, eye, fill, linspace, ones, ones_like,  # noqa: F401
                                   range, zeros, zeros_like)
from tapeflow.ops.elementwise import (  # noqa: F401
    abs, acos, add, add_n, asin, atan, cast, ceil, clip_by_value, cos, cosh, divide, exp, floor,
    floordiv, log, maximum, minimum, multiply, negative, pow, realdiv, round, saturate_cast,
    sigmoid, sign, sin, sinh, sqrt, square, subtract, tan, tanh, truediv, truncatediv,
    truncatemod)
from tapeflow.ops.elementwise import floormod as mod  # noqa: F401
from tapeflow.ops.linalg import (clip_by_global_norm, clip_by_norm, einsum,  # noqa: F401
                                 global_norm, matmul, norm, tensordot)
from tapeflow.ops.manipulation import (  # noqa: F401
    argsort, boolean_mask, broadcast_dynamic_shape, broadcast_static_shape, broadcast_to,
    concat, expand_dims, gather, gather_nd, identity, meshgrid, one_hot, pad, rank, repeat,
    reshape, reverse, roll, scatter_nd, sequence_mask, shape, size, slice, sort, split, squeeze,
    stack, stop_gradient, strided_slice, tensor_scatter_nd_add, tensor_scatter_nd_max,
    tensor_scatter_nd_min, tensor_scatter_nd_sub, tensor_scatter_nd_update, tile, transpose,
    unique, unstack, where)
from tapeflow.ops.reduction import (argmax, argmin, cumsum, reduce_all,  # noqa: F401
                                    reduce_any, reduce_logsumexp, reduce_max, reduce_mean,
                                    reduce_min, reduce_prod, reduce_std, reduce_sum,
                                    reduce_variance)
from tapeflow.shapes import TensorShape  # noqa: F401
from tapeflow.tensor import EagerTensor, Tensor, convert_to_tensor  # noqa: F401
from tapeflow.variable import (Variable, VariableAggregation,  # noqa: F401
                               VariableSynchronization, name_scope)

newaxis = None
# tf.dtypes.cast / saturate_cast: the ops live above dtypes, so the public layer attaches them.
dtypes.cast = cast
dtypes.saturate_cast = saturate_cast


class test:  # noqa: N801 - TF's namespace name
    """tf.test: gradient checking and device queries."""

    @staticmethod
    def compute_gradient(f, x, delta=None):
        from tapeflow import testing
        return testing.compute_gradient(f, x, delta)

    @staticmethod
    def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
        return False

    @staticmethod
    def is_built_with_cuda():
        return False

    @staticmethod
    def gpu_device_name():
        return ""


class autograph:  # noqa: N801
    @staticmethod
    def experimental_do_not_convert(func=None):
        return func if func is not None else (lambda f: f)

    @staticmethod
    def set_verbosity(level, alsologtostdout=False):
        return None


def get_logger():
    import logging
    return logging.getLogger("tensorflow")


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    base_type._as_tensor = lambda self: convert_to_tensor(conversion_func(self, None, None, False))


def __getattr__(name):
    # Heavy or optional parts load on first use, so `import tapeflow` stays a blink.
    import importlib
    if name in ("keras", "data"):
        return importlib.import_module(f"tapeflow.{name}")
    raise AttributeError(f"module 'tapeflow' has no attribute '{name}'")
