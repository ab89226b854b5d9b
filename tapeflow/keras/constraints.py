"""keras.constraints: projections the optimizer applies to a weight after each update.

A constraint is called as ``constraint(w)`` and returns the projected weight; a layer takes one
per weight (``Dense(4, kernel_constraint="non_neg")``), and the optimizer assigns
``variable.constraint(variable)`` after every step. The formulas, and their
``keras.backend.epsilon()`` guard against a zero norm, are Keras 3's
(keras/src/constraints/constraints.py).

    >>> import tapeflow as tf
    >>> from tapeflow.keras import constraints
    >>> constraints.get("non_neg")(tf.constant([-1.0, 2.0])).numpy()
    array([0., 2.], dtype=float32)
    >>> w = constraints.MaxNorm(1.0)(tf.constant([3.0, 4.0]))
    >>> [round(float(v), 3) for v in w]
    [0.6, 0.8]
"""
import inspect

import tapeflow as tf
from tapeflow.keras import backend


class Constraint:
    """Base class: ``__call__(w)`` returns the projected weight (here: ``w`` unchanged)."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    """The L2 norm of ``w`` along ``axis`` (an int or a list), kept as size-1 dimensions."""
    return tf.sqrt(tf.reduce_sum(tf.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescales the weights along ``axis`` whose norm exceeds ``max_value`` down to it.

    ``axis=0`` constrains each column of a Dense kernel (the weights into one unit).
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = tf.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = tf.clip_by_value(norms, 0, self.max_value)
        return tf.cast(w, norms.dtype) * (desired / (backend.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Clips the weights at zero from below."""

    def __call__(self, w):
        w = tf.convert_to_tensor(w)
        return tf.maximum(w, tf.zeros((), dtype=w.dtype))


class UnitNorm(Constraint):
    """Rescales the weights along ``axis`` to unit norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = tf.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        return tf.cast(w, norms.dtype) / (backend.epsilon() + norms)

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves the norm along ``axis`` towards [min_value, max_value]: the new norm is
    ``rate * clip(norm, min_value, max_value) + (1 - rate) * norm`` (rate=1: strictly)."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = tf.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = (self.rate * tf.clip_by_value(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return tf.cast(w, norms.dtype) * (desired / (backend.epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


# Keras 3 exports the snake_case names as aliases of the classes.
max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm

ALL_OBJECTS = (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({"constraint": Constraint, "max_norm": MaxNorm,
                         "min_max_norm": MinMaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm})


def serialize(constraint):
    """Keras 3's config dict for ``constraint`` (None stays None)."""
    from tapeflow.keras.saving import serialization_lib
    return serialization_lib.serialize_keras_object(constraint)


def _is_custom(config, custom_objects):
    from tapeflow.keras.saving import object_registration as reg
    inner = config.get("config")
    names = [config["class_name"], config.get("registered_name")]
    if isinstance(inner, str):
        names.append(inner)
    return any(isinstance(name, str) and
               reg.get_registered_object(name, custom_objects) is not None for name in names)


def deserialize(config, custom_objects=None):
    """The constraint a name or a config names, as Keras 3's deserialize with this module's
    objects: an unknown name comes back unchanged (``get`` then rejects it)."""
    from tapeflow.keras.saving import object_registration as reg
    from tapeflow.keras.saving import serialization_lib
    if config is None:
        return None
    if isinstance(config, str):
        found = reg.get_registered_object(config, custom_objects)
        if found is not None:
            return found
    if isinstance(config, (list, tuple)):
        return serialization_lib.deserialize_keras_object(config, custom_objects)
    inner = None
    if isinstance(config, dict):
        inner = config.get("config")
        if "class_name" not in config:
            raise ValueError(f"Unknown `config` as a `dict`, config={config}")
        if _is_custom(config, custom_objects):
            return serialization_lib.deserialize_keras_object(config, custom_objects)
        if config["class_name"] == "function":
            config = config["config"] if config.get("module") == "builtins" else \
                config.get("registered_name")
        else:
            if config.get("module", "_") is None:
                raise TypeError(f"Cannot deserialize object of type `{config['class_name']}`. "
                                f"If `{config['class_name']}` is a custom class, please "
                                "register it using the "
                                "`@keras.saving.register_keras_serializable()` decorator.")
            config = config["class_name"]
    if not isinstance(config, str) or config not in ALL_OBJECTS_DICT:
        return config
    return ALL_OBJECTS_DICT[config].from_config(inner or {})


def get(identifier):
    """A constraint from None, a name ('non_neg', 'MaxNorm'), a config dict, a class
    (instantiated with its defaults) or any callable."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier, None)
    else:
        obj = identifier
    if callable(obj):
        if inspect.isclass(obj):
            obj = obj()
        return obj
    raise ValueError(f"Could not interpret constraint identifier: {identifier}")
