"""keras.models: Model (functional and subclassed) and Sequential."""
from tapeflow.keras.models.functional import Functional  # noqa: F401
from tapeflow.keras.models.model import Model  # noqa: F401
from tapeflow.keras.models.sequential import Sequential


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same layer configuration (fresh weights)."""
    from tapeflow.keras import layers
    if isinstance(model, Sequential):
        new = Sequential(name=None)
        for layer in model.layers:
            new.add(layers.deserialize(layers.serialize(layer)), rebuild=False)
        if model._input_layer is not None:
            new.build(model._input_layer.batch_shape)
        return new
    raise NotImplementedError("clone_model supports Sequential models in tapeflow for now.")
