"""tf.data: input pipelines (`tf.data.Dataset`), lazy and eager, on NumPy arrays.

    import tapeflow as tf
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(1024).batch(32)
    for xb, yb in ds: ...          # tapeflow Tensors

Elements travel through the pipeline as NumPy arrays and become Tensors only when they leave
it. Pipelines over in-memory slices (from_tensor_slices, range, zip, shuffle, take, skip,
repeat, cache, prefetch) move index arrays, so `batch` slices the source arrays once per batch
instead of stacking per-element tensors.
"""

from tapeflow.data import _sources, experimental
from tapeflow.data.dataset import (AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset,
                                   DatasetSpec, Iterator, NumpyIterator, Options)

TextLineDataset = _sources.TextLineDatasetV2

# Not TF API: the batch-at-a-time window source behind keras.utils.timeseries_dataset_from_array.
_windows = _sources.windows

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "DatasetSpec",
           "Iterator", "NumpyIterator", "Options", "TextLineDataset", "experimental"]
