"""keras.Sequential: a plain stack of layers, each feeding the next.

Built as soon as the input shape is known (an ``Input``/``input_shape=`` first, ``build``, or
the first call); building also wires the layers symbolically so ``summary`` shows shapes.

>>> import tapeflow.keras as keras
>>> model = keras.Sequential([keras.layers.Dense(4), keras.layers.Dense(1)])
>>> model.build((None, 3)); model.count_params()
21
"""
import tapeflow as tf
from tapeflow.keras import backend
from tapeflow.keras.layers import input_layer as il
from tapeflow.keras.layers import layer as layer_mod
from tapeflow.keras.layers.layer import Layer
from tapeflow.keras.models import model as model_mod


class Sequential(model_mod.Model):
    """``Sequential([Dense(512, activation="relu"), Dense(10, activation="softmax")])``."""

    def __init__(self, layers=None, trainable=True, name=None, **kwargs):
        model_mod.Model.__init__(self, trainable=trainable,
                                 name=name or backend.unique_name("sequential"))
        self._stack = []
        self._input_layer = None
        self._graph_built = False
        if layers:
            for layer in layers:
                self.add(layer, rebuild=False)
            self._maybe_rebuild()

    @property
    def layers(self):
        return list(self._stack)

    def add(self, layer, rebuild=True):
        """Appends a layer (a ``keras.Input`` here sets the input shape)."""
        if isinstance(layer, il.KerasTensor):
            layer = layer._keras_history.operation
        if isinstance(layer, il.InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError(f"Sequential model '{self.name}' has already been configured "
                                 "to use input shape. You cannot add a different Input layer "
                                 "to it.")
            self._input_layer = layer
            return
        if not isinstance(layer, Layer):
            raise ValueError("Only instances of `keras.Layer` can be added to a Sequential "  # noqa: TRY004
                             f"model. Received: {layer} (of type {type(layer)})")
        names = [existing.name for existing in self._stack]
        if layer.name in names:
            raise ValueError(f"All layers added to a Sequential model should have unique "
                             f"names. Name '{layer.name}' is already the name of a layer in "
                             "this model. Update the `name` argument to pass a unique name.")
        self._stack.append(layer)
        layer_mod.structure_version[0] += 1
        self.built = False
        self._graph_built = False
        if rebuild:
            self._maybe_rebuild()

    def pop(self, rebuild=True):
        """Removes and returns the last layer."""
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        layer_mod.structure_version[0] += 1
        self.built = False
        self._graph_built = False
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self):
        if self._input_layer is not None:
            self.build(self._input_layer.batch_shape)
        elif self._stack and getattr(self._stack[0], "_input_shape_arg", None) is not None:
            self.build(self._stack[0]._input_shape_arg)

    def build(self, input_shape=None):
        """Builds every layer for inputs of ``input_shape`` (batch size may be None)."""
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError("You must provide an `input_shape` argument.")
            input_shape = self._input_layer.batch_shape
        input_shape = tuple(None if d is None else int(d) for d in input_shape)
        if self._input_layer is None or self._input_layer.batch_shape != input_shape:
            if self._input_layer is None:
                backend.unique_name("input_layer")  # Keras makes an InputLayer here
            self._input_layer = il.InputLayer(batch_shape=input_shape,
                                              name=f"_{self.name}_input")
        backend.unique_name("functional")  # and a Functional (names stay as in Keras)
        x = self._input_layer._input_tensor
        from tapeflow.keras.layers import layer as layer_mod
        stack = layer_mod._name_stack
        pushed = not stack or stack[-1] != self.name  # not already inside our own call
        if pushed:
            stack.append(self.name)
        try:
            for layer in self._stack:
                x = layer(x)
        finally:
            if pushed:
                stack.pop()
        self._outputs_kt = x
        self._build_shapes = input_shape
        self._graph_built = True
        self.built = True

    def _maybe_build(self, shapes):
        if self.built:
            return
        if isinstance(shapes, tuple) and all(isinstance(d, (int, type(None))) for d in shapes):
            self.build((None,) + tuple(shapes[1:]))
        else:
            self.built = True

    def compute_mask(self, inputs, mask=None):
        # Keras's models: the outputs carry whatever masks their layers attached; overriding
        # compute_mask also makes the model support masking (no "destroys the mask" warning)
        return None

    def call(self, inputs, training=None, mask=None):
        x = inputs
        if mask is not None and isinstance(x, tf.Tensor):  # Keras: a given mask rides the input
            backend.set_keras_mask(x, mask)
        for layer in self._stack:
            x = layer(x)
        return x

    @property
    def input_shape(self):
        if self._input_layer is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input shape "
                                 "yet.")
        return self._input_layer.batch_shape

    @property
    def output_shape(self):
        if not self._graph_built:
            raise AttributeError(f"Sequential model '{self.name}' has no defined outputs yet.")
        return self._outputs_kt.shape

    @property
    def inputs(self):
        return [self._input_layer._input_tensor] if self._graph_built else None

    @property
    def outputs(self):
        return [self._outputs_kt] if self._graph_built else None

    @property
    def input(self):
        return self._input_layer._input_tensor if self._graph_built else None

    @property
    def output(self):
        return self._outputs_kt if self._graph_built else None

    def get_config(self):
        from tapeflow.keras import layers as layers_mod
        config = {"name": self.name, "trainable": self.trainable,
                  "layers": [layers_mod.serialize(layer) for layer in self._stack]}
        if self._input_layer is not None:
            config["build_input_shape"] = self._input_layer.batch_shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tapeflow.keras import layers as layers_mod
        model = cls(name=config.get("name"))
        for layer_config in config["layers"]:
            model.add(layers_mod.deserialize(layer_config, custom_objects), rebuild=False)
        if config.get("build_input_shape") is not None:
            model.build(config["build_input_shape"])
        return model


_ = tf
