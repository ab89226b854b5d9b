"""keras.saving: the `.keras` format, `.weights.h5` files and the object registry.

Files are Keras 3's (a zip of ``metadata.json``, ``config.json`` and ``model.weights.h5``,
stored uncompressed), so models move between tapeflow and Keras/TensorFlow both ways. Loading
is data-only by construction: classes resolve through an allow-list (tapeflow's own, plus what
you register or pass as ``custom_objects``), never through a module path found in the file; no
pickle; a Lambda's Python bytecode is refused unless ``safe_mode=False``; sizes are checked
before anything is allocated. Every save is atomic. h5py is needed only here, imported lazily.

>>> import tapeflow.keras as keras
>>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
>>> keras.saving.save_model(model, "/tmp/tapeflow_doc.keras")
>>> keras.saving.load_model("/tmp/tapeflow_doc.keras").layers[0].units
2
"""
from tapeflow.keras.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from tapeflow.keras.saving.saving_lib import (
    load_model,
    load_weights,
    model_from_json,
    save_model,
    save_weights,
    to_json,
)
from tapeflow.keras.saving.serialization_lib import (
    deserialize_keras_object,
    serialize_keras_object,
)

__all__ = [
    "BackupAndRestore",
    "CustomObjectScope",
    "ModelCheckpoint",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "load_weights",
    "model_from_json",
    "register_keras_serializable",
    "save_model",
    "save_weights",
    "serialize_keras_object",
    "to_json",
]


def __getattr__(name):
    if name in ("ModelCheckpoint", "BackupAndRestore"):
        from tapeflow.keras.saving import checkpoint_callbacks
        return getattr(checkpoint_callbacks, name)
    raise AttributeError(f"module 'tapeflow.keras.saving' has no attribute '{name}'")
