"""keras.models: Model (functional and subclassed) and Sequential."""
from tapeflow.keras.models.functional import Functional  # noqa: F401
from tapeflow.keras.models.model import Model  # noqa: F401
from tapeflow.keras.models.sequential import Sequential


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """Load a `.keras` file (data only: see keras.saving)."""
    from tapeflow.keras import saving
    return saving.load_model(filepath, custom_objects=custom_objects, compile=compile,
                             safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, **kwargs):
    from tapeflow.keras import saving
    return saving.save_model(model, filepath, overwrite=overwrite, **kwargs)


def model_from_json(json_string, custom_objects=None):
    from tapeflow.keras import saving
    return saving.model_from_json(json_string, custom_objects=custom_objects)


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
