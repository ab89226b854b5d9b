"""tf.linalg."""
from tapeflow.ops.creation import eye  # noqa: F401
from tapeflow.ops.linalg import (adjoint, det, diag, diag_part, einsum, global_norm,  # noqa: F401
                                 inv, matmul, matrix_transpose, norm, solve, tensordot, trace)
from tapeflow.ops.nn_ops import l2_normalize  # noqa: F401
