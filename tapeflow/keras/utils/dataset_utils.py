"""Data helpers of keras.utils: PyDataset (Sequence), pack/unpack_x_y_sample_weight,
timeseries_dataset_from_array."""

from __future__ import annotations

import itertools
import warnings

import numpy as np

import tapeflow as tf


class PyDataset:
    """Base class for Python batch producers: implement `__getitem__` and `__len__`.

    `fit`/`evaluate`/`predict` iterate it like any iterable of batches. Iterating it to the end
    counts as an epoch: `on_epoch_begin()` runs before the first batch and `on_epoch_end()`
    after the last (override them to reshuffle). `workers`, `use_multiprocessing` and
    `max_queue_size` are accepted and kept; batches are produced in the calling thread.

    Example:
        >>> class Batches(PyDataset):
        ...     def __init__(self, x, y, batch_size, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.x, self.y, self.batch_size = x, y, batch_size
        ...     def __len__(self):
        ...         return -(-len(self.x) // self.batch_size)
        ...     def __getitem__(self, i):
        ...         s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        ...         return self.x[s], self.y[s]
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _warn_if_super_not_called(self):
        missing = [n for n in ("_workers", "_use_multiprocessing", "_max_queue_size")
                   if not hasattr(self, n)]
        if missing:
            self._workers = getattr(self, "_workers", 1)
            self._use_multiprocessing = getattr(self, "_use_multiprocessing", False)
            self._max_queue_size = getattr(self, "_max_queue_size", 10)
            warnings.warn("Your `PyDataset` class should call `super().__init__(**kwargs)` in "
                          "its constructor. `**kwargs` can include `workers`, "
                          "`use_multiprocessing`, `max_queue_size`. Do not pass these "
                          "arguments to `fit()`, as they will be ignored.", stacklevel=3)

    @property
    def workers(self):
        self._warn_if_super_not_called()
        return self._workers

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        self._warn_if_super_not_called()
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        self._warn_if_super_not_called()
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    def __getitem__(self, index):
        """The batch number `index`: `x`, `(x, y)` or `(x, y, sample_weight)`."""
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index).")

    @property
    def num_batches(self):
        """The number of batches (by default `len(self)`); None for an endless dataset."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError("You need to implement the `num_batches` property:\n\n"
                                  "@property\ndef num_batches(self):\n  return ...")

    def __iter__(self):
        try:
            count = self.num_batches
        except NotImplementedError:
            count = None
        indexes = itertools.count() if count is None else range(count)
        self.on_epoch_begin()
        for index in indexes:
            yield self[index]
        self.on_epoch_end()

    def on_epoch_begin(self):
        """Called before an epoch's first batch."""

    def on_epoch_end(self):
        """Called after an epoch's last batch (reshuffle here)."""


#: Keras 2's name for PyDataset.
Sequence = PyDataset


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """`x` alone, `(x, y)` or `(x, y, sample_weight)`: the tuple formats `fit` takes."""
    if y is None:
        return x if not isinstance(x, (tuple, list)) else (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """`(x, y, sample_weight)` from `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) == 1:
        return (data[0], None, None)
    if len(data) == 2:
        return (data[0], data[1], None)
    if len(data) == 3:
        return (data[0], data[1], data[2])
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found: {data}")


# -- timeseries ----------------------------------------------------------------------------------
def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """Sliding windows over a timeseries, as a tf.data Dataset of batches.

    Window i starts at row `start_index + i * sequence_stride` and takes `sequence_length`
    rows `sampling_rate` apart; its target is `targets[start]` (the row the window starts at).

    Example:
        >>> ds = timeseries_dataset_from_array(np.arange(10), None, sequence_length=3,
        ...                                    batch_size=None)
        >>> [w.tolist() for w in ds.take(2).as_numpy_iterator()]
        [[0, 1, 2], [1, 2, 3]]
    """
    n = len(data)
    _check_timeseries_args(n, start_index, end_index, sampling_rate, sequence_stride)
    start_index = start_index or 0
    end_index = n if end_index is None else end_index
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    positions = np.arange(0, max(num_seqs, 0), sequence_stride,
                          dtype="int32" if num_seqs < 2147483647 else "int64")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(positions)
    window = np.asarray(_values(data))[start_index:end_index]
    target = None if targets is None else np.asarray(_values(targets))[start_index:end_index]
    offsets = np.arange(0, sequence_length * sampling_rate, sampling_rate)
    dataset = tf.data._windows(window, target, positions, offsets).prefetch(tf.data.AUTOTUNE)
    if batch_size is not None:
        if shuffle:
            dataset = dataset.shuffle(buffer_size=batch_size * 8, seed=seed)
        return dataset.batch(batch_size)
    if shuffle:
        dataset = dataset.shuffle(buffer_size=1024, seed=seed)
    return dataset


def _values(array):
    return array.numpy() if isinstance(array, tf.Tensor) else array


def _check_timeseries_args(n, start_index, end_index, sampling_rate, sequence_stride):
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: "
                             f"start_index={start_index}")
        if start_index >= n:
            raise ValueError(f"`start_index` must be lower than the length of the data. "
                             f"Received: start_index={start_index}, for data of length {n}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, and end_index={end_index} ")
        if end_index >= n:
            raise ValueError(f"`end_index` must be lower than the length of the data. "
                             f"Received: end_index={end_index}, for data of length {n}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: "
                             f"end_index={end_index}")
    if sampling_rate <= 0:
        raise ValueError(f"`sampling_rate` must be higher than 0. Received: "
                         f"sampling_rate={sampling_rate}")
    if sampling_rate >= n:
        raise ValueError(f"`sampling_rate` must be lower than the length of the data. "
                         f"Received: sampling_rate={sampling_rate}, for data of length {n}")
    if sequence_stride <= 0:
        raise ValueError(f"`sequence_stride` must be higher than 0. Received: "
                         f"sequence_stride={sequence_stride}")
    if sequence_stride >= n:
        raise ValueError(f"`sequence_stride` must be lower than the length of the data. "
                         f"Received: sequence_stride={sequence_stride}, for data of length {n}")


# -- split_dataset --------------------------------------------------------------------------------
def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None,
                  preferred_backend=None):
    """Splits arrays, a tuple/list of arrays or a tf.data Dataset into two Datasets.

    Sizes are counts (int) or fractions (float); one may be None (the rest). With
    `shuffle=True` the elements are shuffled with Python's `random` seeded by `seed`, as
    Keras does, so a seed gives Keras's split. A batched dataset's splits are batched alike.

    Example:
        >>> left, right = split_dataset(np.arange(10), left_size=0.8)
        >>> len(left), len(right)
        (8, 2)
    """
    import random

    if right_size is None and left_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    leaves, structure, batch_size = _split_source(dataset)
    total = len(leaves[0])
    order = list(range(total))
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        random.seed(seed)
        random.shuffle(order)
    left_size, right_size = _split_sizes(left_size, right_size, total)
    order = np.array(order, dtype=np.int64)
    splits = []
    for rows in (order[:left_size], order[total - right_size:]):
        part = tf.nest.pack_sequence_as(structure, [leaf[rows] for leaf in leaves]) \
            if structure is not None else leaves[0][rows]
        ds = tf.data.Dataset.from_tensor_slices(part)
        if batch_size is not None:
            ds = ds.batch(batch_size)
        splits.append(ds.prefetch(tf.data.AUTOTUNE))
    return tuple(splits)


def _split_source(dataset):
    """(leaf arrays, structure or None, batch size or None) of what split_dataset accepts."""
    if isinstance(dataset, np.ndarray):
        if dataset.ndim == 1 and dataset.dtype.kind in "iu":
            # Keras hands TF a list of NumPy integer scalars, which TF reads as int32
            fits = dataset.size == 0 or (dataset.min() >= -2**31 and dataset.max() < 2**31)
            dataset = dataset.astype("int32" if fits else "int64")
        return [dataset], None, None
    if isinstance(dataset, (list, tuple)):
        if not dataset:
            raise ValueError("Received an empty list dataset. Please provide a non-empty "
                             "list/tuple of arrays.")
        arrays = [np.asarray(a) for a in dataset]
        if len({len(a) for a in arrays}) > 1:
            raise ValueError("Received a list of NumPy arrays with different lengths. Please "
                             "provide a list of NumPy arrays of the same length.")
        return arrays, tuple(range(len(arrays))), None
    if isinstance(dataset, tf.data.Dataset):
        batch_size = getattr(dataset, "_batch_size", None)
        elements = list((dataset.unbatch() if batch_size else dataset).as_numpy_iterator())
        if not elements:
            raise ValueError("Received an empty dataset.")
        flat = [tf.nest.flatten(e) for e in elements]
        leaves = [np.stack(column) for column in zip(*flat)]
        return leaves, elements[0] if tf.nest.is_nested(elements[0]) else None, batch_size
    raise TypeError("The `dataset` argument must be either a `tf.data.Dataset` object, or a "
                    f"list/tuple of arrays. Received: dataset={dataset} of type "
                    f"{type(dataset)}")


def _split_sizes(left_size, right_size, total):
    """Keras's _rescale_dataset_split_sizes: counts from ints, fractions or None."""
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is not None and type(size) not in (int, float):
            raise TypeError(f"Invalid `{name}` Type. Expected: int or float or None, "
                            f"Received: type({name})={type(size)}.")
    if left_size == 0 and right_size == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the split "
                         "sizes must be non-zero.")
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if (type(size) is int and (size <= 0 or size >= total)) or \
                (type(size) is float and (size <= 0 or size >= 1)):
            raise ValueError(f"`{name}` should be either a positive integer smaller than "
                             f"{total}, or a float within the range `[0, 1]`. Received: "
                             f"{name}={size}")
    if type(left_size) is type(right_size) is float and left_size + right_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be "
                         "less than or equal to 1.")
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    if left is None:
        left = total - right
    elif right is None:
        right = total - left
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than the "
                         f"{total}. Received: left_size + right_size = {left + right}and "
                         f"total_length = {total}")
    for split, side in ((left, "left"), (right, "right")):
        if split == 0:
            raise ValueError(f"With `dataset` of length={total}, `left_size`={left} and "
                             f"`right_size`={right}.Resulting {side} side dataset split "
                             "will be empty. Adjust any of the aforementioned parameters")
    return int(left), int(right)
