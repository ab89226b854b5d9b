"""keras.regularizers: weight penalties added to the training loss (``layer.losses``).

    >>> import tapeflow as tf
    >>> from tapeflow.keras import regularizers
    >>> float(regularizers.l2(0.01)(tf.constant([1.0, 2.0])))
    0.04999999701976776
"""
import math

import tapeflow as tf


def _check_penalty(value, name):
    if not isinstance(value, (int, float)) or math.isinf(value) or math.isnan(value):
        raise ValueError(f"Value {value} is not a valid regularization penalty number, a "
                         "positive/negative infinity or NaN is not a property value")
    if value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float."
                         f"Received: {name}={value}")


class Regularizer:
    """Base class: ``__call__(x)`` returns a scalar penalty."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config()")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x**2)."""

    def __init__(self, l1=0.0, l2=0.0):
        l1 = 0.0 if l1 is None else l1
        l2 = 0.0 if l2 is None else l2
        _check_penalty(l1, "l1")
        _check_penalty(l2, "l2")
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        x = tf.convert_to_tensor(x)
        penalty = tf.constant(0.0, dtype=x.dtype)
        if self.l1:
            penalty = penalty + self.l1 * tf.reduce_sum(tf.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * tf.reduce_sum(tf.square(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """l1 * sum(|x|); Keras 3's default factor 0.01."""

    def __init__(self, l1=0.01):
        l1 = 0.01 if l1 is None else l1
        _check_penalty(l1, "l1")
        self.l1 = float(l1)

    def __call__(self, x):
        return self.l1 * tf.reduce_sum(tf.abs(x))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """l2 * sum(x**2); Keras 3's default factor 0.01."""

    def __init__(self, l2=0.01):
        l2 = 0.01 if l2 is None else l2
        _check_penalty(l2, "l2")
        self.l2 = float(l2)

    def __call__(self, x):
        return self.l2 * tf.reduce_sum(tf.square(x))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """factor * mean of |off-diagonal| cosine similarities between rows (or columns)."""

    def __init__(self, factor=0.01, mode="rows"):
        _check_penalty(factor, "factor")
        if mode not in ("rows", "columns"):
            raise ValueError("Invalid value for argument `mode`. Expected one of "
                             f"{{'rows', 'columns'}}. Received: mode={mode}")
        self.factor, self.mode = factor, mode

    def __call__(self, inputs):
        inputs = tf.convert_to_tensor(inputs)
        if len(inputs.shape) != 2:
            raise ValueError("Inputs to OrthogonalRegularizer must have rank 2. Received: "
                             f"inputs.shape={inputs.shape}")
        if self.mode == "rows":
            inputs = tf.math.l2_normalize(inputs, axis=1)
            product = tf.matmul(inputs, tf.transpose(inputs))
            size = inputs.shape[0]
        else:
            inputs = tf.math.l2_normalize(inputs, axis=0)
            product = tf.matmul(tf.transpose(inputs), inputs)
            size = inputs.shape[1]
        off_diagonal = product * (1.0 - tf.eye(size, dtype=inputs.dtype))
        num_pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * tf.reduce_sum(tf.abs(off_diagonal)) / num_pairs

    def get_config(self):
        return {"factor": float(self.factor), "mode": self.mode}


l1_l2 = L1L2
l1 = L1
l2 = L2
orthogonal_regularizer = OrthogonalRegularizer

ALL_OBJECTS_DICT = {"Regularizer": Regularizer, "L1": L1, "L2": L2, "L1L2": L1L2,
                    "OrthogonalRegularizer": OrthogonalRegularizer, "l1": L1, "l2": L2,
                    "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer}


def serialize(regularizer):
    return {"module": "keras.regularizers", "class_name": type(regularizer).__name__,
            "config": regularizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    table = dict(ALL_OBJECTS_DICT, **(custom_objects or {}))
    if isinstance(config, str):
        cls, cfg = table.get(config), {}
    else:
        cls, cfg = table.get(config.get("class_name")), config.get("config") or {}
    if cls is None:
        raise ValueError(f"Could not interpret regularizer identifier: {config}")
    return cls.from_config(cfg)


def get(identifier):
    """A regularizer from a name ('l2'), a config dict, or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")
