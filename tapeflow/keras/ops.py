"""keras.ops: Keras 3's backend-agnostic ops, here over tapeflow (the common ones).

NumPy-style names and arguments (``axis=``, ``keepdims=``); every op computes through the
public tapeflow API, so it is differentiable under a GradientTape.

>>> from tapeflow.keras import ops
>>> float(ops.sum(ops.ones((2, 3))))
6.0
"""
import tapeflow as tf


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    return tf.convert_to_tensor(x, dtype=dtype)


def convert_to_numpy(x):
    import numpy as np
    return np.asarray(x)


def cast(x, dtype):
    return tf.cast(x, dtype)


def shape(x):
    return tuple(x.shape)


def dtype(x):
    return tf.convert_to_tensor(x).dtype.name


def zeros(shape, dtype="float32"):
    return tf.zeros(shape, dtype=dtype)


def ones(shape, dtype="float32"):
    return tf.ones(shape, dtype=dtype)


def zeros_like(x, dtype=None):
    return tf.zeros_like(x, dtype=dtype)


def ones_like(x, dtype=None):
    return tf.ones_like(x, dtype=dtype)


def full(shape, fill_value, dtype=None):
    return tf.fill(shape, tf.constant(fill_value, dtype=dtype or "float32"))


def eye(n, m=None, k=0, dtype="float32"):
    return tf.eye(n, m, dtype=dtype)


def arange(start, stop=None, step=1, dtype=None):
    return tf.range(start, stop, step, dtype=dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    return tf.linspace(float(start), float(stop), num)


def _unary(fn):
    def op(x):
        return fn(tf.convert_to_tensor(x))
    op.__name__ = fn.__name__
    return op


abs = absolute = _unary(tf.abs)
exp = _unary(tf.exp)
log = _unary(tf.math.log)
sqrt = _unary(tf.sqrt)
square = _unary(tf.square)
negative = _unary(tf.negative)
sign = _unary(tf.sign)
sin = _unary(tf.sin)
cos = _unary(tf.cos)
tanh = _unary(tf.tanh)
floor = _unary(tf.floor)
ceil = _unary(tf.ceil)
round = _unary(tf.round)
rsqrt = _unary(tf.math.rsqrt)


def add(x1, x2):
    return tf.add(x1, x2)


def subtract(x1, x2):
    return tf.subtract(x1, x2)


def multiply(x1, x2):
    return tf.multiply(x1, x2)


def divide(x1, x2):
    return tf.divide(x1, x2)


true_divide = divide


def power(x1, x2):
    return tf.pow(x1, x2)


def maximum(x1, x2):
    return tf.maximum(x1, x2)


def minimum(x1, x2):
    return tf.minimum(x1, x2)


def clip(x, x_min, x_max):
    return tf.clip_by_value(x, x_min, x_max)


def matmul(x1, x2):
    return tf.matmul(x1, x2)


def dot(x1, x2):
    return tf.tensordot(x1, x2, 1) if len(x1.shape) <= 2 else tf.matmul(x1, x2)


def einsum(subscripts, *operands):
    return tf.einsum(subscripts, *operands)


def transpose(x, axes=None):
    return tf.transpose(x, perm=axes)


def reshape(x, newshape):
    return tf.reshape(x, newshape)


def expand_dims(x, axis):
    return tf.expand_dims(x, axis)


def squeeze(x, axis=None):
    return tf.squeeze(x, axis=axis)


def concatenate(xs, axis=0):
    return tf.concat(list(xs), axis=axis)


def stack(x, axis=0):
    return tf.stack(list(x), axis=axis)


def tile(x, repeats):
    return tf.tile(x, repeats)


def take(x, indices, axis=None):
    if axis is None:
        return tf.gather(tf.reshape(x, (-1,)), indices)
    return tf.gather(x, indices, axis=axis)


def where(condition, x1=None, x2=None):
    return tf.where(condition, x1, x2)


def one_hot(x, num_classes, axis=-1, dtype="float32"):
    return tf.one_hot(tf.cast(x, tf.int32), num_classes, axis=axis, dtype=dtype)


def sum(x, axis=None, keepdims=False):
    return tf.reduce_sum(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    return tf.reduce_mean(x, axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False, initial=None):
    return tf.reduce_max(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False, initial=None):
    return tf.reduce_min(x, axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False, dtype=None):
    return tf.reduce_prod(x, axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    return tf.math.reduce_variance(x, axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return tf.math.reduce_std(x, axis=axis, keepdims=keepdims)


def argmax(x, axis=None, keepdims=False):
    out = tf.argmax(tf.reshape(x, (-1,)) if axis is None else x, axis=0 if axis is None else axis)
    return tf.cast(out, tf.int32)


def argmin(x, axis=None, keepdims=False):
    out = tf.argmin(tf.reshape(x, (-1,)) if axis is None else x, axis=0 if axis is None else axis)
    return tf.cast(out, tf.int32)


def all(x, axis=None, keepdims=False):
    return tf.reduce_all(tf.cast(x, tf.bool), axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return tf.reduce_any(tf.cast(x, tf.bool), axis=axis, keepdims=keepdims)


def equal(x1, x2):
    return tf.equal(x1, x2)


def not_equal(x1, x2):
    return tf.not_equal(x1, x2)


def greater(x1, x2):
    return tf.greater(x1, x2)


def less(x1, x2):
    return tf.less(x1, x2)


def logical_and(x1, x2):
    return tf.logical_and(x1, x2)


def logical_or(x1, x2):
    return tf.logical_or(x1, x2)


def logical_not(x):
    return tf.logical_not(x)


def stop_gradient(x):
    return tf.stop_gradient(x)


def relu(x):
    return tf.nn.relu(x)


def sigmoid(x):
    return tf.sigmoid(x)


def softmax(x, axis=-1):
    return tf.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return tf.nn.log_softmax(x, axis=axis)


def softplus(x):
    return tf.nn.softplus(x)


def gelu(x, approximate=True):
    return tf.nn.gelu(x, approximate=approximate)


def silu(x):
    return tf.nn.silu(x)


def logsumexp(x, axis=None, keepdims=False):
    return tf.reduce_logsumexp(x, axis=axis, keepdims=keepdims)


def norm(x, ord=None, axis=None, keepdims=False):
    return tf.norm(x, ord="euclidean" if ord is None else ord, axis=axis, keepdims=keepdims)


def sort(x, axis=-1):
    return tf.sort(x, axis=axis)


def cumsum(x, axis=None, dtype=None):
    return tf.cumsum(tf.reshape(x, (-1,)) if axis is None else x, axis=0 if axis is None else axis)


def top_k(x, k, sorted=True):
    return tf.math.top_k(x, k=k, sorted=sorted)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    from tapeflow.keras import losses
    return losses.sparse_categorical_crossentropy(target, output, from_logits=from_logits)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    from tapeflow.keras import losses
    return losses.categorical_crossentropy(target, output, from_logits=from_logits)


def binary_crossentropy(target, output, from_logits=False):
    from tapeflow.keras import losses
    return losses.binary_crossentropy(target, output, from_logits=from_logits)


def is_tensor(x):
    return tf.is_tensor(x)


# -- symbolic use: keras.ops on KerasTensors (functional models) becomes a graph node -----------
def _symbolic(fn):
    import functools

    @functools.wraps(fn)
    def op(*args, **kwargs):
        from tapeflow.keras.layers import core, input_layer
        if input_layer.any_symbolic(args[0] if args else None, args, kwargs) or \
                (args and isinstance(args[0], (list, tuple)) and input_layer._has_kt(args[0])):
            from tapeflow.keras import backend
            layer = core.OpLayer(lambda *values: fn(*_fill(args, values), **kwargs),
                                 name=backend.unique_name(fn.__name__))
            return layer(_collect(args))
        return fn(*args, **kwargs)
    return op


def _collect(args):
    from tapeflow.keras.layers import input_layer
    out = []
    for a in args:
        if isinstance(a, input_layer.KerasTensor):
            out.append(a)
        elif isinstance(a, (list, tuple)):
            out.extend(t for t in a if isinstance(t, input_layer.KerasTensor))
    return out


def _fill(args, values):
    from tapeflow.keras.layers import input_layer
    it = iter(values)
    out = []
    for a in args:
        if isinstance(a, input_layer.KerasTensor):
            out.append(next(it))
        elif isinstance(a, (list, tuple)):
            out.append(type(a)(next(it) if isinstance(t, input_layer.KerasTensor) else t
                               for t in a))
        else:
            out.append(a)
    return out


for _name, _fn in list(globals().items()):
    if callable(_fn) and not _name.startswith("_") and getattr(_fn, "__module__", None) == \
            __name__ and _name not in ("convert_to_numpy", "shape", "dtype", "is_tensor"):
        globals()[_name] = _symbolic(_fn)
