"""tf.experimental.dlpack: tensors that share memory with another library's arrays.

``tf.convert_to_tensor`` copies a NumPy array, as TensorFlow does, so that changing the array
later cannot change the tensor. ``from_dlpack`` is the explicit way not to copy: the tensor
and the array share one buffer, and the caller promises not to write to the array while the
tensor is in use (Keras's fit does this with the batches it gathers itself).

>>> import numpy as np, tapeflow as tf
>>> a = np.arange(3.0, dtype=np.float32)
>>> t = tf.experimental.dlpack.from_dlpack(a)
>>> np.shares_memory(t.numpy(), a)
True
"""
from tapeflow.backend import xp
from tapeflow.tensor import Tensor, convert_to_tensor


class _Capsule:
    """A bare DLPack capsule (what ``to_dlpack`` returns) presented as an exporter."""

    def __init__(self, capsule):
        self._capsule = capsule

    def __dlpack__(self, *args, **kwargs):
        return self._capsule

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU


def from_dlpack(dlcapsule):
    """A Tensor on the memory of ``dlcapsule``: a DLPack capsule, or any object exporting one
    (a NumPy array, a torch CPU tensor ...)."""
    source = dlcapsule if hasattr(dlcapsule, "__dlpack__") else _Capsule(dlcapsule)
    try:
        return Tensor(xp.from_dlpack(source))
    except (TypeError, ValueError, BufferError, RuntimeError) as e:
        raise ValueError(f"from_dlpack: could not import {type(dlcapsule).__name__} as a "
                         f"tensor ({e}). Pass a DLPack capsule or an object with __dlpack__ "
                         "on the CPU, or use tf.convert_to_tensor (which copies).") from None


def to_dlpack(tf_tensor):
    """A DLPack capsule sharing the tensor's memory (for tf/torch/jax ``from_dlpack``)."""
    a = xp.asarray(convert_to_tensor(tf_tensor)._value)  # (a rank-0 result may be a scalar)
    try:
        return a.__dlpack__()
    except BufferError:  # a read-only buffer (a broadcast view ...): export a copy
        return a.copy().__dlpack__()
