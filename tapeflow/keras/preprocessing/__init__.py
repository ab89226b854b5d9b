"""keras.preprocessing: the Keras 2 spellings that Keras 3 keeps (`sequence.pad_sequences`,
`timeseries_dataset_from_array`)."""

from tapeflow.keras.preprocessing import sequence
from tapeflow.keras.utils.dataset_utils import timeseries_dataset_from_array

__all__ = ["sequence", "timeseries_dataset_from_array"]
