"""to_categorical and normalize, as `keras.utils` has them (NumPy in, NumPy out)."""

from __future__ import annotations

import numpy as np

from tapeflow import Tensor


def to_categorical(x, num_classes: int | None = None):
    """Converts a class vector (integers) to a one-hot matrix of float64 (Keras's dtype).

    Args:
        x: class indices, any shape; a trailing axis of size 1 is dropped, as Keras does.
        num_classes: the number of classes; None infers `max(x) + 1`.

    Returns:
        A NumPy array of shape `x.shape + (num_classes,)` (a float32 Tensor for Tensor input).

    Example:
        >>> to_categorical([0, 2], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.]])
    """
    if isinstance(x, Tensor):
        # Keras hands tensors to the backend's one_hot: a float32 tensor comes back.
        import tapeflow as tf
        values = np.asarray(x._value)
        if values.ndim > 1 and values.shape[-1] == 1:
            values = values.reshape(values.shape[:-1])
        depth = int(num_classes) if num_classes else int(values.max(initial=-1)) + 1
        return tf.one_hot(tf.constant(values), depth)
    x = np.array(x, dtype="int64")
    input_shape = x.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    x = x.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(x)) + 1 if x.size else 0
    num_classes = int(num_classes)
    bad = (x >= num_classes) | (x < -num_classes)
    if bad.any():
        raise IndexError(
            f"to_categorical: class index {int(x[bad][0])} is out of range for "
            f"num_classes={num_classes} (valid: 0..{num_classes - 1}); pass a larger "
            f"num_classes, or leave it None to use max(x) + 1.")
    categorical = np.zeros((x.shape[0], num_classes))
    categorical[np.arange(x.shape[0]), x] = 1  # negative indices wrap, as in Keras
    return categorical.reshape(input_shape + (num_classes,))


def normalize(x, axis: int = -1, order: int = 2):
    """Divides `x` by its `order`-norm along `axis` (zero norms left as they are).

    A NumPy array gives a NumPy array (an int array gives float64); anything else (lists,
    tensors) gives a Tensor, as Keras's backend path does.

    Example:
        >>> normalize(np.array([[3., 4.]]))
        array([[0.6, 0.8]])
    """
    if isinstance(x, np.ndarray):
        norm = np.atleast_1d(np.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        axis = axis or -1
        return x / np.expand_dims(norm, axis)
    import tapeflow as tf
    tensor = tf.convert_to_tensor(x)
    if not tensor.dtype.is_floating:
        tensor = tf.cast(tensor, tf.float32)
    values = np.asarray(tensor._value)
    if values.ndim == 0:
        values = values[None]
    eps = values.dtype.type(1e-7)  # keras.backend.epsilon()
    if order == 2:  # Keras's special case: x * min(rsqrt(sum(x**2)), 1 / epsilon)
        with np.errstate(divide="ignore"):
            inv = 1 / np.sqrt(np.sum(np.square(values), axis=axis, keepdims=True))
        return tf.constant((values * np.minimum(inv, 1 / eps)).astype(values.dtype))
    norm = np.linalg.norm(values, ord=order, axis=axis, keepdims=True)
    return tf.constant((values / np.maximum(norm, eps)).astype(values.dtype))
