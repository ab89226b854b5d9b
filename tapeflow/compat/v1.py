"""tf.compat.v1: the TensorFlow 1 names tapeflow implements, with TF's semantics.

>>> import tapeflow as tf
>>> tf.compat.v1.nn.relu_layer([[1., -2.]], [[1.], [1.]], [0.5]).numpy()
array([[0.]], dtype=float32)
"""
from tapeflow.ops import nn_ops


class nn:  # noqa: N801 - TF's namespace name
    """tf.compat.v1.nn: the fused affine maps Keras's Dense layer runs on."""

    xw_plus_b = staticmethod(nn_ops.xw_plus_b)
    relu_layer = staticmethod(nn_ops.relu_layer)
