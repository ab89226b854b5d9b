"""keras.layers: the Layer base, keras.Input and the core, merging and normalization layers."""
from tapeflow.keras.layers.activation_layers import (  # noqa: F401
    ELU,
    LeakyReLU,
    PReLU,
    ReLU,
    Softmax,
)
from tapeflow.keras.layers.core import (  # noqa: F401
    Activation,
    Add,
    Average,
    Concatenate,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Lambda,
    LayerNormalization,
    Maximum,
    Minimum,
    Multiply,
    Rescaling,
    Reshape,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from tapeflow.keras.layers.input_layer import Input, InputLayer, KerasTensor  # noqa: F401
from tapeflow.keras.layers.layer import InputSpec, KerasVariable, Layer  # noqa: F401


def serialize(layer):
    return {"module": "keras.layers", "class_name": type(layer).__name__,
            "config": layer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    cls = (custom_objects or {}).get(config["class_name"]) or globals()[config["class_name"]]
    return cls.from_config(config["config"])
