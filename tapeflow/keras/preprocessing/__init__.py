"""keras.preprocessing: the Keras 2 spellings that Keras 3 keeps (`sequence.pad_sequences`,
`image.load_img` ..., and the dataset builders)."""

from tapeflow.keras.preprocessing import image, sequence
from tapeflow.keras.utils.dataset_utils import timeseries_dataset_from_array
from tapeflow.keras.utils.directory_utils import (image_dataset_from_directory,
                                                  text_dataset_from_directory)

__all__ = ["image", "image_dataset_from_directory", "sequence", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]
