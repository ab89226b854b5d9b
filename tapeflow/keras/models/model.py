"""keras.Model: a Layer that trains (through trainer.Trainer) and prints a summary.

``keras.Model(inputs, outputs)`` returns a functional model; subclass ``keras.Model`` and write
``call`` for a subclassed one.

>>> import tapeflow.keras as keras
>>> class Tiny(keras.Model):
...     def __init__(self):
...         super().__init__()
...         self.dense = keras.layers.Dense(1)
...     def call(self, x):
...         return self.dense(x)
>>> Tiny()(tf.ones((2, 3))).shape
TensorShape([2, 1])
"""
import tapeflow as tf
from tapeflow.keras import trainer
from tapeflow.keras.layers.layer import Layer


def _is_functional_call(args, kwargs):
    return (len(args) == 2 or (len(args) == 1 and "outputs" in kwargs)
            or ("inputs" in kwargs and "outputs" in kwargs))


class Model(trainer.Trainer, Layer):
    """A trainable stack of layers: compile / fit / evaluate / predict / summary."""

    def __new__(cls, *args, **kwargs):
        if _is_functional_call(args, kwargs):
            from tapeflow.keras.models import functional
            if cls is Model:
                return Layer.__new__(functional.Functional)
            if not issubclass(cls, functional.Functional):
                # A Model subclass built from inputs/outputs (Chollet's CustomModel(inputs,
                # outputs)): Keras injects Functional into its bases; we derive once per class.
                derived = _FUNCTIONAL_SUBCLASSES.get(cls)
                if derived is None:
                    derived = type(cls.__name__, (cls, functional.Functional),
                                   {"__module__": cls.__module__})
                    _FUNCTIONAL_SUBCLASSES[cls] = derived
                return Layer.__new__(derived)
        return Layer.__new__(cls)

    def __init__(self, *args, **kwargs):
        if _is_functional_call(args, kwargs):
            from tapeflow.keras.models import functional
            if isinstance(self, functional.Functional):
                kwargs.setdefault("name", None)
                functional.Functional.__init__(self, *args, **kwargs)
                return
        if type(self) is Model and (args or kwargs.get("inputs") is not None):
            raise TypeError("keras.Model(inputs, outputs) builds a functional model; pass both.")
        trainable = kwargs.pop("trainable", True)
        name = kwargs.pop("name", None)
        dtype = kwargs.pop("dtype", None)
        Layer.__init__(self, trainable=trainable, name=name, dtype=dtype,
                       **{k: v for k, v in kwargs.items() if k in ("input_shape",)})
        trainer.Trainer.__init__(self)

    @property
    def layers(self):
        return [layer for layer in self._direct_layers() if not _is_metric_layer(layer)]

    @layers.setter
    def layers(self, value):
        raise AttributeError("`Model.layers` attribute is reserved and should not be used. "
                             "Please use another name.")

    def get_layer(self, name=None, index=None):
        """The layer with this ``name`` (or at this ``index`` in ``layers``)."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(self.layers)} layers.")
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[layer.name for layer in self.layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def build(self, input_shape=None):
        """Builds a subclassed model by calling it once on zeros of ``input_shape``."""
        if self.built:
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        shape = tuple(1 if d is None else d for d in input_shape)
        self._build_shapes = tuple(input_shape)
        self(tf.zeros(shape), training=False)
        self.built = True

    build._is_default = True

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Prints the layers, their output shapes and parameter counts (Keras 3's table)."""
        from tapeflow.keras.models import summary
        summary.print_summary(self, line_length=line_length, positions=positions,
                              print_fn=print_fn, show_trainable=show_trainable,
                              layer_range=layer_range, expand_nested=expand_nested)

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)

    # -- files: the `.keras` format lives in keras.saving (h5py loads only when used) ------
    def save(self, filepath, overwrite=True, **kwargs):
        """Save architecture, weights, optimizer state and compile config to a `.keras` file."""
        from tapeflow.keras import saving
        return saving.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        from tapeflow.keras import saving
        return saving.save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        from tapeflow.keras import saving
        return saving.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def to_json(self, **kwargs):
        from tapeflow.keras import saving
        return saving.to_json(self, **kwargs)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


_FUNCTIONAL_SUBCLASSES = {}


def _is_metric_layer(layer):
    return hasattr(layer, "update_state") and hasattr(layer, "result")

