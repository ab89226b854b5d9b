"""keras.utils: to_categorical, normalize, pad_sequences, set_random_seed, get_file, Progbar,
clear_session, PyDataset, timeseries/image/text dataset builders."""

from tapeflow.keras.utils.dataset_utils import (
    PyDataset,
    Sequence,
    pack_x_y_sample_weight,
    split_dataset,
    timeseries_dataset_from_array,
    unpack_x_y_sample_weight,
)
from tapeflow.keras.utils.directory_utils import (
    image_dataset_from_directory,
    text_dataset_from_directory,
)
from tapeflow.keras.utils.file_utils import get_file, hash_file, validate_file
from tapeflow.keras.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from tapeflow.keras.utils.model_visualization import model_to_dot, plot_model
from tapeflow.keras.utils.numerical_utils import normalize, to_categorical
from tapeflow.keras.utils.rng_utils import get_random_seed, set_random_seed
from tapeflow.keras.utils.sequence_utils import pad_sequences

__all__ = ["Progbar", "PyDataset", "Sequence", "array_to_img", "clear_session", "get_file",
           "get_random_seed", "hash_file", "image_dataset_from_directory", "img_to_array",
           "load_img", "model_to_dot", "normalize", "pack_x_y_sample_weight", "pad_sequences",
           "plot_model", "save_img",
           "set_random_seed", "split_dataset", "text_dataset_from_directory",
           "timeseries_dataset_from_array",
           "to_categorical", "unpack_x_y_sample_weight", "validate_file"]


_SAVING = ("register_keras_serializable", "custom_object_scope", "CustomObjectScope",
           "get_custom_objects", "get_registered_name", "get_registered_object",
           "serialize_keras_object", "deserialize_keras_object")


def __getattr__(name):
    # Progbar (keras/utils/progbar.py) and clear_session (keras/backend.py) live in modules
    # written alongside this one; they load on first use, so this package imports without them.
    if name == "Progbar":
        from tapeflow.keras.utils.progbar import Progbar
        return Progbar
    if name == "clear_session":
        from tapeflow.keras.backend import clear_session
        return clear_session
    if name in _SAVING:  # Keras also offers the object registry here
        from tapeflow.keras import saving
        return getattr(saving, name)
    raise AttributeError(f"module 'tapeflow.keras.utils' has no attribute '{name}'")
