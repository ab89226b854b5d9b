"""tf.math: elementwise, reduction and comparison ops under TF's tf.math names."""
from tapeflow.ops.comparison import (  # noqa: F401
    equal, greater, greater_equal, less, less_equal, logical_and, logical_not, logical_or,
    logical_xor, not_equal)
from tapeflow.ops.elementwise import (  # noqa: F401
    abs, acos, add, add_n, asin, atan, atan2, ceil, cos, cosh, divide, divide_no_nan, erf, exp,
    expm1, floor, floordiv, floormod, is_finite, is_inf, is_nan, log, log1p, maximum, minimum,
    multiply, negative, pow, real, realdiv, reciprocal, rint, round, rsqrt, sigmoid, sign, sin,
    sinh, sqrt, square, squared_difference, subtract, tan, tanh, truediv, truncatediv,
    truncatemod, xdivy, xlogy)
from tapeflow.ops.elementwise import floormod as mod  # noqa: F401
from tapeflow.ops.linalg import matmul, polyval  # noqa: F401
from tapeflow.ops.manipulation import (  # noqa: F401
    bincount, confusion_matrix, in_top_k, segment_mean, segment_sum, top_k,
    unsorted_segment_mean, unsorted_segment_sum)
from tapeflow.ops.nn_ops import l2_normalize, log_sigmoid, log_softmax, softmax, softplus  # noqa: F401
from tapeflow.ops.reduction import (  # noqa: F401
    argmax, argmin, count_nonzero, cumprod, cumsum, reduce_all, reduce_any,
    reduce_euclidean_norm, reduce_logsumexp, reduce_max, reduce_mean, reduce_min, reduce_prod,
    reduce_std, reduce_sum, reduce_variance)
