"""tf.linalg."""
from tapeflow.ops.creation import eye  # noqa: F401
from tapeflow.ops.linalg import (  # noqa: F401
    adjoint, band_part, det, diag, diag_part, einsum, global_norm, inv, matmul, matrix_transpose,
    matvec, norm, solve, tensordot, trace)
from tapeflow.ops.nn_ops import l2_normalize  # noqa: F401
