"""keras.activations: pure functions over tapeflow ops, and `get` / `serialize` by name.

softmax and sigmoid remember the logits they were given (see `mark_logits`), as Keras on
TensorFlow does with ``output._keras_logits``: a cross-entropy loss that later receives such a
probability tensor computes from the logits instead, so saturated predictions give TF's finite
numbers rather than log(0). tapeflow's Tensor has no ``__dict__``, so the logits live in a side
table keyed by the probability tensor's id and dropped when that tensor dies (a weakref).

    >>> import tapeflow as tf
    >>> from tapeflow.keras import activations
    >>> activations.get("relu")(tf.constant([-1.0, 2.0])).numpy()
    array([0., 2.], dtype=float32)
"""
import tapeflow as tf
from tapeflow.keras import backend


# -- the logits side table --------------------------------------------------------------------
SideTable = backend.SideTable  # (where it lives: keras.backend, beside the mask table)

_LOGITS = SideTable()


def mark_logits(probs, logits):
    """Record that ``probs`` = softmax(logits) or sigmoid(logits); returns ``probs``.

    Layers that apply a softmax/sigmoid by other means (not through this module) call this so
    that cross-entropy losses take TF's logits shortcut. Keyed by id, released with ``probs``.
    """
    return _LOGITS.set(probs, logits)


def logits_of(probs):
    """The logits recorded by `mark_logits` for exactly this tensor object, else None."""
    return _LOGITS.get(probs)


# -- activations ------------------------------------------------------------------------------
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """max(x, 0), with Keras's optional leak, ceiling and threshold."""
    x = tf.convert_to_tensor(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return tf.nn.relu(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0:
        return tf.nn.leaky_relu(x, alpha=negative_slope)
    negative_part = None
    if negative_slope != 0.0:
        negative_part = tf.nn.relu(-x + threshold) if threshold != 0 else tf.nn.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        x = tf.where(x > tf.cast(threshold, x.dtype), x, tf.zeros_like(x))
    elif max_value == 6:
        x, clip_max = tf.nn.relu6(x), False
    else:
        x = tf.nn.relu(x)
    if clip_max:
        x = tf.clip_by_value(x, tf.cast(0.0, x.dtype), tf.cast(max_value, x.dtype))
    if negative_part is not None:
        x = x - negative_slope * negative_part
    return x


def leaky_relu(x, negative_slope=0.2):
    return tf.nn.leaky_relu(x, alpha=negative_slope)


def relu6(x):
    return tf.nn.relu6(x)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)); remembers ``x`` as the logits for cross-entropy losses."""
    x = tf.convert_to_tensor(x)
    if axis is None:  # Keras: softmax over every element
        out = tf.reshape(tf.nn.softmax(tf.reshape(x, [-1])), list(x.shape))
    else:
        out = tf.nn.softmax(x, axis=axis)
    return mark_logits(out, x)


def sigmoid(x):
    """1 / (1 + exp(-x)); remembers ``x`` as the logits for binary cross-entropy."""
    x = tf.convert_to_tensor(x)
    return mark_logits(tf.sigmoid(x), x)


def elu(x, alpha=1.0):
    res = tf.nn.elu(x)
    return res if alpha == 1 else tf.where(tf.convert_to_tensor(x) > 0, res, alpha * res)


def selu(x):
    return tf.nn.selu(x)


def softplus(x):
    return tf.math.softplus(x)


def softsign(x):
    return tf.nn.softsign(x)


def silu(x):
    return tf.nn.silu(x)


swish = silu


def gelu(x, approximate=False):
    return tf.nn.gelu(x, approximate=approximate)


def tanh(x):
    return tf.tanh(x)


def exponential(x):
    return tf.exp(x)


def hard_sigmoid(x):
    """relu6(x + 3) / 6, Keras 3's definition (Keras 2 used 0.2 * x + 0.5)."""
    x = tf.convert_to_tensor(x)
    return tf.nn.relu6(x + 3.0) / 6.0


def hard_silu(x):
    x = tf.convert_to_tensor(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def linear(x):
    return x


def log_softmax(x, axis=-1):
    return tf.nn.log_softmax(x, axis=axis)


def log_sigmoid(x):
    return tf.math.log_sigmoid(x)


def mish(x):
    x = tf.convert_to_tensor(x)
    return x * tf.tanh(tf.math.softplus(x))


def celu(x, alpha=1.0):
    x = tf.convert_to_tensor(x)
    return tf.maximum(x, 0.0) + alpha * tf.math.expm1(tf.minimum(x, 0.0) / alpha)


def hard_tanh(x):
    return tf.clip_by_value(x, -1.0, 1.0)


def tanh_shrink(x):
    x = tf.convert_to_tensor(x)
    return x - tf.tanh(x)


_ALL = [relu, leaky_relu, relu6, softmax, sigmoid, elu, selu, softplus, softsign, silu, gelu,
        tanh, exponential, hard_sigmoid, hard_silu, linear, log_softmax, log_sigmoid, mish,
        celu, hard_tanh, tanh_shrink]
ALL_OBJECTS_DICT = {fn.__name__: fn for fn in _ALL}
ALL_OBJECTS_DICT.update(swish=silu, hard_swish=hard_silu)


def get(identifier):
    """An activation function from a name, a config dict, a callable, or None (linear)."""
    if identifier is None:
        return linear
    obj = identifier
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")


def serialize(activation):
    """The name Keras stores for an activation: ``serialize(relu) == 'relu'``.

    As Keras, any function whose name is a built-in activation's (``tf.nn.relu``) serializes to
    that name; other functions and callables become a config dict naming them.
    """
    name = getattr(activation, "__name__", None)
    if name in ALL_OBJECTS_DICT:
        return name
    if hasattr(activation, "get_config"):
        return {"module": type(activation).__module__, "class_name": type(activation).__name__,
                "config": activation.get_config(), "registered_name": None}
    if name is not None:
        return {"module": getattr(activation, "__module__", None), "class_name": "function",
                "config": name, "registered_name": "function"}
    raise ValueError(f"Unknown activation function '{activation}' cannot be serialized due to "
                     "invalid function name. Make sure to use an activation name that matches "
                     "the references defined in activations.py.")


def deserialize(config, custom_objects=None):
    """The inverse of `serialize`: a name, or a dict with ``class_name``/``config``."""
    table = dict(ALL_OBJECTS_DICT, **(custom_objects or {}))
    if isinstance(config, str):
        name = config
    elif isinstance(config, dict):
        name = config.get("config") if isinstance(config.get("config"), str) else \
            config.get("class_name")
    else:
        name = None
    if name in table:
        return table[name]
    raise ValueError(f"Could not interpret activation function identifier: {config}")
