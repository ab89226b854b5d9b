"""`tf.data.Dataset`: the base class, its iterators, and the public constants.

Every dataset produces its elements (tuples/dicts of NumPy arrays) with `_elements()`, lazily;
datasets over in-memory rows also describe them as a row plan (`_plan()`, see `_rows.py`), so
batching gathers whole batches instead of stacking elements. Sources live in `_sources.py`,
transformations in `_transforms.py`. Iteration yields tapeflow Tensors; `as_numpy_iterator()`
yields NumPy values.
"""

from __future__ import annotations

import numpy as np

from tapeflow import dtypes, errors
from tapeflow.data import _structure as S
from tapeflow.tensor import Tensor

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
INF, UNKNOWN = INFINITE_CARDINALITY, UNKNOWN_CARDINALITY  # the short names used internally


class Dataset:
    """A lazy sequence of elements (`tf.data.Dataset`).

    Example:
        >>> ds = Dataset.from_tensor_slices([1, 2, 3]).map(lambda x: x * 2).batch(2)
        >>> [b.numpy().tolist() for b in ds]
        [[2, 4], [6]]
    """

    # -- what subclasses provide
    def _elements(self):
        plan = self._plan()
        if plan is None:
            raise NotImplementedError
        return self._plan_rows(plan)

    @staticmethod
    def _plan_rows(plan):
        source = plan.source
        for sel in plan.selections():
            if isinstance(sel, slice):
                for i in range(sel.start, sel.stop):
                    yield source.row(i)
            else:
                for i in sel.tolist():
                    yield source.row(i)

    def _plan(self):
        return None

    def _cardinality(self):
        return UNKNOWN

    @property
    def element_spec(self):
        raise NotImplementedError

    # -- Python protocol
    def __iter__(self):
        return Iterator(self)

    def __bool__(self):
        return True

    def __len__(self):
        n = self._cardinality()
        if n == INF:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return n

    def __repr__(self):
        return f"<{type(self).__name__} element_spec={self.element_spec!r}>"

    def cardinality(self):
        """The number of elements as an int64 scalar Tensor; -1 infinite, -2 unknown."""
        return Tensor(np.array(self._cardinality(), dtype=np.int64))

    def as_numpy_iterator(self):
        """An iterator of NumPy values (NumPy scalars for rank-0 elements)."""
        return NumpyIterator(self)

    # -- sources
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """Slices `tensors` (an array, or a tuple/dict of them) along the first axis."""
        return sources._TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors, name=None):
        """One element: `tensors` as they are."""
        return sources._TensorDataset(tensors)

    @staticmethod
    def range(*args, output_type=dtypes.int64, name=None):
        """Like Python's range: `range(stop)`, `range(start, stop[, step])`."""
        return sources._RangeDataset(*args, output_type=output_type)

    @staticmethod
    def zip(*datasets, name=None):
        """Elements of several datasets side by side, as a tuple (or the given nesting)."""
        if len(datasets) == 1 and isinstance(datasets[0], (tuple, dict)):
            datasets = datasets[0]
        return sources._ZipDataset(datasets)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        """Elements from a Python generator function (called afresh on each iteration)."""
        return sources._GeneratorDataset(generator, output_types, output_shapes, args,
                                         output_signature)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None):
        """The files matching a glob pattern (or several), shuffled unless shuffle=False."""
        return sources.list_files(file_pattern, shuffle, seed)

    @staticmethod
    def counter(start=0, step=1, dtype=dtypes.int64, name=None):
        """start, start + step, ... forever."""
        return Dataset.from_tensors(np.array(0, dtypes.as_dtype(dtype)._np)).repeat().scan(
            np.array(start, dtypes.as_dtype(dtype)._np),
            lambda state, _: (state + step, state))

    @staticmethod
    def random(seed=None, rerandomize_each_iteration=None, name=None):
        """Random int64 values forever (seeded like shuffle)."""
        return sources._RandomDataset(seed, bool(rerandomize_each_iteration))

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
        """Element i comes from `datasets[choice_i]` (choice_dataset yields int64 indexes)."""
        return sources._DirectedInterleaveDataset(list(datasets), choice_dataset,
                                                  stop_on_empty_dataset)

    @staticmethod
    def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                             rerandomize_each_iteration=None):
        """Each element from a dataset drawn at random (with `weights`, default uniform)."""
        datasets = list(datasets)
        if len(datasets) == 1:
            return datasets[0]  # as TF: nothing to sample between
        w = np.full(len(datasets), 1 / len(datasets)) if weights is None else \
            np.asarray(weights._value if isinstance(weights, Tensor) else weights, np.float64)
        choice = sources._ChoiceDataset(w / w.sum(), seed)
        return sources._DirectedInterleaveDataset(datasets, choice, stop_on_empty_dataset)

    # -- transformations
    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Stacks `batch_size` consecutive elements; the last batch may be smaller."""
        return transforms._BatchDataset(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):
        """Batches elements of different shapes, padding each to the batch's (or given) shape."""
        return transforms._PaddedBatchDataset(self, batch_size, padded_shapes, padding_values,
                                   drop_remainder)

    def flat_map(self, map_func, name=None):
        """Maps each element to a dataset and chains those datasets."""
        return transforms._FlatMapDataset(self, map_func, cycle_length=1)

    def interleave(self, map_func, cycle_length=None, block_length=None,
                   num_parallel_calls=None, deterministic=None, name=None):
        """Maps elements to datasets and takes `block_length` elements from each in turn."""
        return transforms._InterleaveDataset(self, map_func, cycle_length=cycle_length or 16,
                                  block_length=block_length or 1)

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
        """Windows of `size` elements (`stride` apart), each a dataset, every `shift` elements."""
        return transforms._WindowDataset(self, rows.int_arg(size, "window", "size"),
                              rows.int_arg(size if shift is None else shift, "window", "shift"),
                              rows.int_arg(stride, "window", "stride"), bool(drop_remainder))

    def take_while(self, predicate, name=None):
        """Elements up to (not including) the first one for which `predicate` is False."""
        return transforms._TakeWhileDataset(self, predicate)

    def unique(self, name=None):
        """Each distinct element once, in order of first appearance (scalar elements)."""
        return transforms._UniqueDataset(self)

    def scan(self, initial_state, scan_func, name=None):
        """Threads a state: `new_state, output = scan_func(state, element)`."""
        return transforms._ScanDataset(self, initial_state, scan_func)

    def unbatch(self, name=None):
        """Splits each element along its first axis (the inverse of batch)."""
        return transforms._UnbatchDataset(self)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Randomly shuffles with a buffer of `buffer_size` elements (TF's algorithm)."""
        return transforms._ShuffleDataset(self, buffer_size, seed, reshuffle_each_iteration)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Applies `map_func` to each element (a tuple element is passed as arguments)."""
        return transforms._MapDataset(self, map_func)

    def filter(self, predicate, name=None):
        """Keeps the elements for which `predicate` returns True."""
        return transforms._FilterDataset(self, predicate)

    def take(self, count, name=None):
        """At most the first `count` elements (all for count=-1)."""
        return transforms._TakeDataset(self, rows.int_arg(count, "take", "count"))

    def skip(self, count, name=None):
        """All but the first `count` elements (none for count=-1)."""
        return transforms._SkipDataset(self, rows.int_arg(count, "skip", "count"))

    def repeat(self, count=None, name=None):
        """The dataset `count` times over (forever for None or -1)."""
        times = -1 if count is None else rows.int_arg(count, "repeat", "count")
        return transforms._RepeatDataset(self, times)

    def cache(self, filename="", name=None):
        """Remembers the elements of the first complete iteration and replays them (in memory)."""
        return transforms.CacheDataset(self, filename)

    def prefetch(self, buffer_size, name=None):
        """Accepted for TF code; elements are produced on demand."""
        return transforms._PrefetchDataset(self)

    def concatenate(self, dataset, name=None):
        return sources._ConcatenateDataset(self, dataset)

    def enumerate(self, start=0, name=None):
        return Dataset.zip((Dataset.range(start, np.iinfo(np.int64).max), self))

    def shard(self, num_shards, index, name=None):
        return self.enumerate().filter(lambda i, x: i % num_shards == index).map(
            lambda i, x: x)

    def apply(self, transformation_func):
        return transformation_func(self)

    def reduce(self, initial_state, reduce_func, name=None):
        state = initial_state
        for element in self:
            args = element if isinstance(element, tuple) else (element,)
            state = reduce_func(state, *args)
        return S.to_tensors(S.outputs_to_arrays(state))

    def get_single_element(self, name=None):
        it = iter(self)
        try:
            element = next(it)
        except StopIteration:
            raise errors.InvalidArgumentError("Dataset was empty.") from None
        try:
            next(it)
        except StopIteration:
            return element
        raise errors.InvalidArgumentError("Dataset had more than one element.")

    def options(self):
        """The `tf.data.Options` set with `with_options` (accepted; nothing to tune here)."""
        return getattr(self, "_options", None) or Options()

    def with_options(self, options, name=None):
        """The same elements, carrying `options` (a new dataset, as TF returns)."""
        return transforms._OptionsDataset(self, options)


class _Elements:
    """Iteration over a dataset's elements; subclasses say how an element is returned."""

    def __init__(self, dataset):
        self._dataset = dataset
        self._elements = dataset._elements()

    def __iter__(self):
        return self


class Iterator(_Elements):
    """What `iter(dataset)` returns: yields elements as tapeflow Tensors."""

    def __next__(self):
        return S.to_tensors(next(self._elements))

    def get_next(self):
        try:
            return self.__next__()
        except StopIteration:
            raise errors.OutOfRangeError("End of sequence") from None

    def get_next_as_optional(self):
        raise NotImplementedError("get_next_as_optional is not supported by tapeflow; use "
                                  "next(iterator) and catch StopIteration.")

    @property
    def element_spec(self):
        return self._dataset.element_spec

    next = get_next


class NumpyIterator(_Elements):
    """What `dataset.as_numpy_iterator()` returns: yields NumPy values."""

    def __next__(self):
        return S.to_numpy(next(self._elements))

    next = __next__

    def __repr__(self):
        return f"NumpyIterator(iterator=<Iterator of {type(self._dataset).__name__}>)"


class DatasetSpec:
    """The spec of a dataset (only its element_spec is kept)."""

    def __init__(self, element_spec, dataset_shape=()):
        self.element_spec = element_spec

    def __repr__(self):
        return f"DatasetSpec({self.element_spec!r}, TensorShape([]))"


class Options:
    """`tf.data.Options`: accepted, and ignored (no threads to tune)."""

    def __init__(self):
        self.deterministic = None
        self.experimental_deterministic = None

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        value = _AnyOptions()
        object.__setattr__(self, name, value)
        return value


class _AnyOptions(Options):
    pass


# The subclasses import this module for `Dataset`: imported last, once it exists.
from tapeflow.data import _rows as rows  # noqa: E402
from tapeflow.data import _sources as sources  # noqa: E402
from tapeflow.data import _transforms as transforms  # noqa: E402
