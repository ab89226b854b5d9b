"""tf.raw_ops: low-level kernels without gradients.

TensorFlow's namespace holds its own ResourceApply* kernels (with TF's formulas). tapeflow's
holds fused variable updates that follow Keras 3's optimizer formulas operation by operation,
bit for bit the result of the composed ops, with fewer temporary arrays (see
``tapeflow/ops/training.py``). Keras's optimizers call them through ``tf.raw_ops``.
"""
from tapeflow.ops.training import KerasRMSpropUpdate  # noqa: F401
