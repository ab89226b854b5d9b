"""keras.optimizers: SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, Lion,
Adafactor, Ftrl, schedules.

    >>> from tapeflow.keras import optimizers
    >>> optimizers.get("rmsprop").get_config()["rho"]
    0.9
"""
from tapeflow.keras.optimizers import schedules  # noqa: F401
from tapeflow.keras.optimizers.algorithms import (  # noqa: F401
    SGD,
    Adadelta,
    Adafactor,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Ftrl,
    Lion,
    Nadam,
    RMSprop,
)
from tapeflow.keras.optimizers.optimizer import Optimizer  # noqa: F401


class legacy:  # noqa: N801 - TF 2.11-2.15's tf.keras.optimizers.legacy.* names
    """Keras 2's ``optimizers.legacy`` classes, served by the current optimizers."""

    SGD, RMSprop, Adam, Adagrad, Adadelta, Adamax, Nadam = (SGD, RMSprop, Adam, Adagrad,
                                                           Adadelta, Adamax, Nadam)
    Ftrl = Ftrl
    Optimizer = Optimizer


class experimental(legacy):  # noqa: N801 - TF 2.9-2.10's optimizers.experimental.*
    """TF 2.9-2.10's ``optimizers.experimental`` names (AdamW lived there)."""

    AdamW, Adafactor, Lion = AdamW, Adafactor, Lion


ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in (
    Optimizer, SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, Lion, Adafactor,
    Ftrl)}


def serialize(optimizer):
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """An optimizer from ``{'class_name': ..., 'config': {...}}`` (names case-insensitive)."""
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or ALL_OBJECTS_DICT.get(name.lower())
    if cls is None:
        raise ValueError(f"Could not interpret optimizer identifier: '{name}'. Expected one of "
                         f"{sorted(ALL_OBJECTS_DICT)} or an Optimizer instance.")
    return cls.from_config(config.get("config", {}))


def get(identifier):
    """An optimizer from a name ('rmsprop', 'adam', 'sgd' ...), a config dict or an instance."""
    if identifier is None:
        return None
    obj = identifier
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = deserialize({"class_name": identifier, "config": {}})
    if isinstance(obj, Optimizer):
        return obj
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
