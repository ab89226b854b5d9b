"""tf.math: the elementwise, reduction and comparison ops under TF's tf.math names."""
from tapeflow.ops.comparison import (equal, greater, greater_equal, less, less_equal,  # noqa: F401
                                     logical_and, logical_not, logical_or, logical_xor,
                                     not_equal)
from tapeflow.ops.elementwise import (abs, add, add_n, atan, ceil, cos, cosh, divide,  # noqa: F401
                                      divide_no_nan, erf, exp, expm1, floor, floordiv,
                                      floormod, is_finite, is_inf, is_nan, log, log1p, maximum,
                                      minimum, multiply, negative, pow, real, realdiv,
                                      reciprocal, rint, round, rsqrt, sigmoid, sign, sin, sinh,
                                      sqrt, square, squared_difference, subtract, tan, tanh,
                                      truediv, truncatediv, truncatemod)
from tapeflow.ops.elementwise import floormod as mod  # noqa: F401
from tapeflow.ops.linalg import matmul  # noqa: F401
from tapeflow.ops.manipulation import top_k, unsorted_segment_sum  # noqa: F401
from tapeflow.ops.nn_ops import log_sigmoid, softplus  # noqa: F401
from tapeflow.ops.nn_ops import log_softmax, softmax  # noqa: F401
from tapeflow.ops.reduction import (argmax, argmin, count_nonzero, cumprod, cumsum,  # noqa: F401
                                    reduce_all, reduce_any, reduce_euclidean_norm,
                                    reduce_logsumexp, reduce_max, reduce_mean, reduce_min,
                                    reduce_prod, reduce_std, reduce_sum, reduce_variance)
from tapeflow.ops.nn_ops import l2_normalize  # noqa: F401,E402
