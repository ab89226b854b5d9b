"""`tf.data.Dataset` and its transformations.

Two ways an element stream is produced:

* `_elements()`: a generator of elements (tuples/dicts of NumPy arrays). Every dataset has it.
* `_plan()`: for datasets whose elements are rows of in-memory arrays, a `_Plan` — the arrays
  (a `_Source`) plus a function giving, per iteration, the row selections in order (slices or
  index arrays). Shuffle, take, skip, repeat, cache and prefetch transform the selections only;
  batch then gathers each batch with one slice or one fancy index per array.

Transformations are lazy: nothing runs until the dataset is iterated. Iteration yields
tapeflow Tensors; `as_numpy_iterator()` yields NumPy values.
"""

from __future__ import annotations

import numpy as np

from tapeflow import dtypes, errors, shapes
from tapeflow.data import _structure as S
from tapeflow.function import TensorSpec  # tapeflow.function is shadowed by tf.function
from tapeflow.ops import random_ops
from tapeflow.tensor import Tensor

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
_INF, _UNKNOWN = INFINITE_CARDINALITY, UNKNOWN_CARDINALITY
_CHUNK = 4096  # rows per selection when a plan streams indices


# -- sources and plans ------------------------------------------------------------------------
class _Source:
    """Rows of in-memory arrays: the leaves of `structure`, all with the same leading size."""

    def __init__(self, structure):
        self.structure = structure
        self.leaves = S.flatten(structure)
        self.size = self.leaves[0].shape[0]

    def gather(self, selection):
        return S.pack(self.structure, [leaf[selection] for leaf in self.leaves])

    def row(self, i):
        return S.pack(self.structure, [leaf[i, ...] for leaf in self.leaves])


class _RangeSource(_Source):
    def __init__(self, start, step, size, np_dtype):
        self.start, self.step, self.size, self.np_dtype = start, step, size, np_dtype

    def gather(self, selection):
        if isinstance(selection, slice):
            selection = np.arange(selection.start, selection.stop, dtype=np.int64)
        out = (self.start + selection.astype(np.int64) * self.step).astype(self.np_dtype)
        out.flags.writeable = False
        return out

    def row(self, i):
        return np.array(self.start + i * self.step, dtype=self.np_dtype)


class _Plan:
    """A source and `selections()`: a fresh generator of row selections per iteration.

    `identity` marks a plan that reads every row once, in order (what zip can line up).
    """

    def __init__(self, source, selections, identity=False):
        self.source = source
        self.selections = selections
        self.identity = identity


def _in_order(source, n=None):
    n = source.size if n is None else n
    return _Plan(source, lambda: (slice(i, min(i + _CHUNK, n)) for i in range(0, n, _CHUNK)),
                 identity=True)


class _ZipSource(_Source):
    """Rows of several sources side by side (zip of datasets that read their rows in order)."""

    def __init__(self, structure, size):
        self.structure, self.sources, self.size = structure, S.flatten(structure), size

    def gather(self, selection):
        return S.pack(self.structure, [s.gather(selection) for s in self.sources])

    def row(self, i):
        return S.pack(self.structure, [s.row(i) for s in self.sources])


def _length(selection):
    return selection.stop - selection.start if isinstance(selection, slice) else len(selection)


def _as_indices(selection):
    if isinstance(selection, slice):
        return np.arange(selection.start, selection.stop, dtype=np.int64)
    return selection


def _trim(selections, start, stop):
    """The rows numbered [start, stop) of a stream of selections (stop None: to the end)."""
    seen = 0
    for sel in selections:
        n = _length(sel)
        lo, hi = max(start - seen, 0), n if stop is None else min(stop - seen, n)
        seen += n
        if lo < hi:
            yield sel[lo:hi] if not isinstance(sel, slice) else slice(sel.start + lo, sel.start + hi)
        if stop is not None and seen >= stop:
            return


def _regroup(selections, size, drop_remainder):
    """Selections re-cut into pieces of exactly `size` rows (the last may be short)."""
    pending, count = [], 0
    for sel in selections:
        while _length(sel):
            take = min(size - count, _length(sel))
            head = sel[:take] if not isinstance(sel, slice) else slice(sel.start, sel.start + take)
            sel = sel[take:] if not isinstance(sel, slice) else slice(sel.start + take, sel.stop)
            pending.append(head)
            count += take
            if count == size:
                yield _join(pending)
                pending, count = [], 0
    if pending and not drop_remainder:
        yield _join(pending)


def _join(pieces):
    if len(pieces) == 1:
        return pieces[0]
    return np.concatenate([_as_indices(p) for p in pieces])


# -- peeking ---------------------------------------------------------------------------------------
_peeking = [False]


def _peek(dataset):
    """The first element, without advancing any shuffle's iteration count (for element_spec)."""
    before, _peeking[0] = _peeking[0], True
    try:
        return next(iter(dataset._elements()), None)
    finally:
        _peeking[0] = before


# -- seeds ----------------------------------------------------------------------------------------
def _base_seed(seed):
    """A 63-bit seed for a shuffle, following TF's global/op seed rules (see random_ops)."""
    if seed is None:
        # Unseeded: fresh randomness; with tf.random.set_seed: the next op seed in the sequence.
        return int(random_ops.stream(None).integers(0, 2**63 - 1))
    g = random_ops.get_global_seed()
    g = random_ops.DEFAULT_GLOBAL_SEED if g is None else g
    return int(random_ops.generator_from((g, int(seed))).integers(0, 2**63 - 1))


# -- cardinality arithmetic -----------------------------------------------------------------------
def _card_take(n, count):
    if count < 0:
        return n
    if n == _INF:
        return count
    if n == _UNKNOWN:
        return _UNKNOWN
    return min(n, count)


def _card_skip(n, count):
    if n in (_INF, _UNKNOWN):
        return n
    return 0 if count < 0 else max(n - count, 0)


def _card_repeat(n, count):
    if count == 0 or n == 0:
        return 0
    if n == _UNKNOWN:
        return _UNKNOWN
    if count < 0 or n == _INF:
        return _INF
    return n * count


def _card_batch(n, size, drop_remainder):
    if n in (_INF, _UNKNOWN):
        return n
    return n // size if drop_remainder else -(-n // size)


# -- the Dataset base ---------------------------------------------------------------------------
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
        return _UNKNOWN

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
        if n == _INF:
            raise TypeError("The dataset is infinite.")
        if n == _UNKNOWN:
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
        return _TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors, name=None):
        """One element: `tensors` as they are."""
        return _TensorDataset(tensors)

    @staticmethod
    def range(*args, output_type=dtypes.int64, name=None):
        """Like Python's range: `range(stop)`, `range(start, stop[, step])`."""
        return _RangeDataset(*args, output_type=output_type)

    @staticmethod
    def zip(*datasets, name=None):
        """Elements of several datasets side by side, as a tuple (or the given nesting)."""
        if len(datasets) == 1 and isinstance(datasets[0], (tuple, dict)):
            datasets = datasets[0]
        return _ZipDataset(datasets)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        """Elements from a Python generator function (called afresh on each iteration)."""
        return _GeneratorDataset(generator, output_types, output_shapes, args, output_signature)

    @staticmethod
    def counter(start=0, step=1, dtype=dtypes.int64, name=None):
        """start, start + step, ... forever."""
        return Dataset.from_tensors(np.array(0, dtypes.as_dtype(dtype)._np)).repeat().scan(
            np.array(start, dtypes.as_dtype(dtype)._np),
            lambda state, _: (state + step, state))

    @staticmethod
    def random(seed=None, rerandomize_each_iteration=None, name=None):
        """Random int64 values forever (seeded like shuffle)."""
        return _RandomDataset(seed, bool(rerandomize_each_iteration))

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
        """Element i comes from `datasets[choice_i]` (choice_dataset yields int64 indexes)."""
        return _DirectedInterleaveDataset(list(datasets), choice_dataset, stop_on_empty_dataset)

    @staticmethod
    def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                             rerandomize_each_iteration=None):
        """Each element from a dataset drawn at random (with `weights`, default uniform)."""
        datasets = list(datasets)
        w = np.full(len(datasets), 1 / len(datasets)) if weights is None else \
            np.asarray(weights._value if isinstance(weights, Tensor) else weights, np.float64)
        return _DirectedInterleaveDataset(datasets, _ChoiceDataset(w / w.sum(), seed),
                                          stop_on_empty_dataset)

    # -- transformations
    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Stacks `batch_size` consecutive elements; the last batch may be smaller."""
        return _BatchDataset(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):
        """Batches elements of different shapes, padding each to the batch's (or given) shape."""
        return _PaddedBatchDataset(self, batch_size, padded_shapes, padding_values,
                                   drop_remainder)

    def flat_map(self, map_func, name=None):
        """Maps each element to a dataset and chains those datasets."""
        return _FlatMapDataset(self, map_func, cycle_length=1)

    def interleave(self, map_func, cycle_length=None, block_length=None,
                   num_parallel_calls=None, deterministic=None, name=None):
        """Maps elements to datasets and takes `block_length` elements from each in turn."""
        return _InterleaveDataset(self, map_func, cycle_length=cycle_length or 16,
                                  block_length=block_length or 1)

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
        """Windows of `size` elements (`stride` apart), each a dataset, every `shift` elements."""
        return _WindowDataset(self, _int(size, "window", "size"),
                              _int(size if shift is None else shift, "window", "shift"),
                              _int(stride, "window", "stride"), bool(drop_remainder))

    def take_while(self, predicate, name=None):
        """Elements up to (not including) the first one for which `predicate` is False."""
        return _TakeWhileDataset(self, predicate)

    def unique(self, name=None):
        """Each distinct element once, in order of first appearance (scalar elements)."""
        return _UniqueDataset(self)

    def scan(self, initial_state, scan_func, name=None):
        """Threads a state: `new_state, output = scan_func(state, element)`."""
        return _ScanDataset(self, initial_state, scan_func)

    def unbatch(self, name=None):
        """Splits each element along its first axis (the inverse of batch)."""
        return _UnbatchDataset(self)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Randomly shuffles with a buffer of `buffer_size` elements (TF's algorithm)."""
        return _ShuffleDataset(self, buffer_size, seed, reshuffle_each_iteration)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Applies `map_func` to each element (a tuple element is passed as arguments)."""
        return _MapDataset(self, map_func)

    def filter(self, predicate, name=None):
        """Keeps the elements for which `predicate` returns True."""
        return _FilterDataset(self, predicate)

    def take(self, count, name=None):
        """At most the first `count` elements (all for count=-1)."""
        return _TakeDataset(self, _int(count, "take", "count"))

    def skip(self, count, name=None):
        """All but the first `count` elements (none for count=-1)."""
        return _SkipDataset(self, _int(count, "skip", "count"))

    def repeat(self, count=None, name=None):
        """The dataset `count` times over (forever for None or -1)."""
        return _RepeatDataset(self, -1 if count is None else _int(count, "repeat", "count"))

    def cache(self, filename="", name=None):
        """Remembers the elements of the first complete iteration and replays them (in memory)."""
        return CacheDataset(self, filename)

    def prefetch(self, buffer_size, name=None):
        """Accepted for TF code; elements are produced on demand."""
        return _PrefetchDataset(self)

    def concatenate(self, dataset, name=None):
        return _ConcatenateDataset(self, dataset)

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
        return getattr(self, "_options", None) or Options()

    def with_options(self, options, name=None):
        self._options = options
        return self


def _integer(value):
    """An int from an int, NumPy integer or integer tensor; TF's TypeError for anything else."""
    v = value._value if isinstance(value, Tensor) else value
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer, np.ndarray)) or (
            isinstance(v, np.ndarray) and (v.ndim or v.dtype.kind not in "iu")):
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype int64")
    return int(v)


def _int(value, op, arg):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise TypeError(f"Dataset.{op}: `{arg}` must be an integer, got {value!r}.") from None


# -- sources ------------------------------------------------------------------------------------
class _TensorSliceDataset(Dataset):
    def __init__(self, tensors):
        if isinstance(tensors, list) and tensors and any(S.is_structure(t) for t in tensors):
            tensors = tuple(tensors)
        arrays = S.map_structure(S.to_array, tensors)
        leaves = S.flatten(arrays)
        if not leaves:
            raise ValueError("Invalid `element`. `element` should not be empty.")
        for leaf in leaves:
            if leaf.ndim == 0:
                raise ValueError("Unbatching a tensor is only supported for rank >= 1")
        sizes = [leaf.shape[0] for leaf in leaves]
        if len(set(sizes)) > 1:
            raise ValueError(f"Dimensions {sizes[0]} and "
                             f"{next(s for s in sizes if s != sizes[0])} are not compatible")
        self._source = _Source(arrays)
        self._spec = S.spec_of(arrays, batched=True, batch_dim=None)
        self._spec = S.map_structure(_drop_leading, self._spec)

    def _plan(self):
        return _in_order(self._source)

    def _cardinality(self):
        return self._source.size

    @property
    def element_spec(self):
        return self._spec


def _drop_leading(spec):
    return TensorSpec(shapes.TensorShape(spec.shape.as_list()[1:]), spec.dtype)


class _TensorDataset(Dataset):
    def __init__(self, tensors):
        self._element = S.map_structure(S.to_array, tensors)

    def _elements(self):
        yield self._element

    def _cardinality(self):
        return 1

    @property
    def element_spec(self):
        return S.spec_of(self._element)


class _RangeDataset(Dataset):
    def __init__(self, *args, output_type=dtypes.int64):
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Dataset.range takes 1 to 3 arguments (stop; start, stop; start, "
                             f"stop, step), got {len(args)}.")
        r = range(*[_integer(a) for a in args])
        self._range = r
        self._dtype = dtypes.as_dtype(output_type)
        self._source = _RangeSource(r.start, r.step, len(r), self._dtype._np)

    def _plan(self):
        return _in_order(self._source)

    def _cardinality(self):
        return len(self._range)

    @property
    def element_spec(self):
        return TensorSpec(shapes.TensorShape([]), self._dtype)


class _ZipDataset(Dataset):
    def __init__(self, datasets):
        for d in S.flatten(datasets) if isinstance(datasets, (tuple, dict)) else [datasets]:
            if isinstance(d, list):
                raise TypeError("Invalid input to `zip`. Inputs are expected to be (nested) "
                                "structures of `tf.data.Dataset` objects. Python `list` is not "
                                "supported and you should use `tuple` instead.")
            if not isinstance(d, Dataset):
                raise TypeError(f"Invalid input to `zip`. Inputs are expected to be (nested) "
                                f"structures of `tf.data.Dataset` objects, got "
                                f"{type(d).__name__}.")
        self._datasets = datasets

    def _plan(self):
        # Datasets that each read their in-memory rows in order zip into one source, so
        # zip(...).shuffle(...).batch(...) still gathers whole batches at once.
        plans = [d._plan() for d in S.flatten(self._datasets)]
        if not all(p is not None and p.identity for p in plans):
            return None
        structure = S.pack(self._datasets, [p.source for p in plans])
        source = _ZipSource(structure, min(p.source.size for p in plans))
        return _in_order(source)

    def _elements(self):
        plan = self._plan()
        if plan is not None:
            return self._plan_rows(plan)
        return self._zip()

    def _zip(self):
        flat = S.flatten(self._datasets)
        for parts in zip(*[d._elements() for d in flat]):
            yield S.pack(self._datasets, parts)

    def _cardinality(self):
        cards = [d._cardinality() for d in S.flatten(self._datasets)]
        finite = [c for c in cards if c >= 0]
        if finite:
            return min(finite) if _UNKNOWN not in cards else _UNKNOWN
        return _UNKNOWN if _UNKNOWN in cards else _INF

    @property
    def element_spec(self):
        return S.map_structure(lambda d: d.element_spec, self._datasets)


class _GeneratorDataset(Dataset):
    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        if not callable(generator):
            raise TypeError("Dataset.from_generator: `generator` must be a callable that "
                            "returns a generator (pass the function, not gen()).")
        if output_signature is None:
            if output_types is None:
                raise TypeError("Dataset.from_generator: pass `output_signature` (TensorSpecs), "
                                "or `output_types`.")
            if output_shapes is None:
                output_shapes = S.map_structure(lambda _: None, output_types)
            output_signature = S.pack(output_types, [
                TensorSpec(s, t) for t, s in zip(
                    S.flatten(output_types), _flat_shapes(output_types, output_shapes))])
        self._generator, self._args = generator, tuple(args or ())
        self._spec = output_signature

    def __repr__(self):  # TF builds from_generator out of range().flat_map(...)
        return f"<_FlatMapDataset element_spec={self.element_spec!r}>"

    def _elements(self):
        specs = S.flatten(self._spec)
        for item in self._generator(*self._args):
            if isinstance(item, list) and len(specs) > 1:
                item = tuple(item)
            leaves = S.flatten(item) if S.is_structure(item) else [item]
            if len(leaves) != len(specs):
                raise TypeError(f"Dataset.from_generator: the generator yielded {item!r}, "
                                f"which does not match the structure of {self._spec!r}.")
            arrays = []
            for leaf, spec in zip(leaves, specs):
                array = np.asarray(leaf, dtype=spec.dtype._np)
                if not spec.shape.is_compatible_with(shapes.TensorShape(array.shape)):
                    raise errors.InvalidArgumentError(
                        f"`generator` yielded an element of shape {array.shape} where an "
                        f"element of shape {spec.shape} was expected.")
                arrays.append(array)
            yield S.pack(self._spec, arrays)

    @property
    def element_spec(self):
        return self._spec


def _flat_shapes(types, shapes_):
    if S.is_structure(types):
        return S.flatten(shapes_) if S.is_structure(shapes_) else [shapes_]
    return [shapes_]


# -- unary transformations --------------------------------------------------------------------
class _UnaryDataset(Dataset):
    def __init__(self, input_dataset):
        if not isinstance(input_dataset, Dataset):
            raise TypeError(f"expected a tf.data.Dataset, got {type(input_dataset).__name__}.")
        self._input = input_dataset

    def _cardinality(self):
        return self._input._cardinality()

    @property
    def element_spec(self):
        return self._input.element_spec


class _BatchDataset(_UnaryDataset):
    def __init__(self, input_dataset, batch_size, drop_remainder):
        super().__init__(input_dataset)
        self._size = _int(batch_size, "batch", "batch_size")
        if self._size <= 0:
            raise errors.InvalidArgumentError(f"Batch size must be greater than zero, got "
                                              f"{self._size}.")
        self._drop = bool(drop_remainder)

    def _elements(self):
        plan = self._input._plan()
        if plan is not None:
            source = plan.source
            for sel in _regroup(plan.selections(), self._size, self._drop):
                yield source.gather(sel)
            return
        batch = []
        for element in self._input._elements():
            batch.append(element)
            if len(batch) == self._size:
                yield _stack(batch)
                batch = []
        if batch and not self._drop:
            yield _stack(batch)

    def _cardinality(self):
        return _card_batch(self._input._cardinality(), self._size, self._drop)

    @property
    def element_spec(self):
        dim = self._size if self._drop else None
        return S.map_structure(
            lambda s: TensorSpec(shapes.TensorShape(
                None if s.shape.rank is None else [dim] + s.shape.as_list()), s.dtype),
            self._input.element_spec)


class _PaddedBatchDataset(_BatchDataset):
    def __init__(self, input_dataset, batch_size, padded_shapes, padding_values,
                 drop_remainder):
        super().__init__(input_dataset, batch_size, drop_remainder)
        self._shapes, self._values = padded_shapes, padding_values

    def _elements(self):
        batch = []
        for element in self._input._elements():
            batch.append(element)
            if len(batch) == self._size:
                yield self._pad(batch)
                batch = []
        if batch and not self._drop:
            yield self._pad(batch)

    def _pad(self, elements):
        structure = elements[0]
        n = len(S.flatten(structure))
        shapes_ = _per_leaf(structure, self._shapes, n)
        values = _per_leaf(structure, self._values, n)
        out = []
        for c, leaves in enumerate(zip(*[S.flatten(e) for e in elements])):
            rank = leaves[0].ndim
            if any(leaf.ndim != rank for leaf in leaves):
                raise errors.InvalidArgumentError(
                    f"padded_batch: component {c} has elements of different ranks.")
            longest = [max(leaf.shape[d] for leaf in leaves) for d in range(rank)]
            target = longest if shapes_[c] is None else [
                m if d is None or d == -1 else int(d)
                for d, m in zip(shapes.TensorShape(shapes_[c]).as_list(), longest)]
            for leaf in leaves:
                if any(s > t for s, t in zip(leaf.shape, target)):
                    raise errors.DataLossError(  # TF's class for this, oddly
                        f"Attempted to pad to a smaller size than the input element: "
                        f"{list(leaf.shape)} into {target}.")
            fill = 0 if values[c] is None else np.asarray(
                values[c]._value if isinstance(values[c], Tensor) else values[c])
            batch = np.full([len(leaves)] + target, fill, dtype=leaves[0].dtype)
            for i, leaf in enumerate(leaves):
                batch[(i,) + tuple(slice(0, s) for s in leaf.shape)] = leaf
            out.append(batch)
        return S.pack(structure, out)

    @property
    def element_spec(self):
        dim = self._size if self._drop else None
        spec = self._input.element_spec
        n = len(S.flatten(spec))
        given = _per_leaf(spec, self._shapes, n)
        leaves = [TensorSpec(shapes.TensorShape(
            [dim] + ([None] * (s.shape.rank or 0) if g is None else
                     [None if d in (None, -1) else d
                      for d in shapes.TensorShape(g).as_list()])), s.dtype)
            for s, g in zip(S.flatten(spec), given)]
        return S.pack(spec, leaves)


def _per_leaf(structure, option, n):
    """An option given once for all components, or per component in the element's structure."""
    if option is None:
        return [None] * n
    if S.is_structure(structure):
        return S.flatten(option) if S.is_structure(option) else [option] * n
    return [option]


class _FlatMapDataset(_UnaryDataset):
    def __init__(self, input_dataset, map_func, cycle_length=1, block_length=1):
        super().__init__(input_dataset)
        self._func, self._cycle, self._block = map_func, int(cycle_length), int(block_length)
        if self._cycle == AUTOTUNE:
            self._cycle = 16

    def _datasets(self):
        for element in self._input._elements():
            args = S.to_tensors(element)
            ds = self._func(*args) if isinstance(args, tuple) else self._func(args)
            if not isinstance(ds, Dataset):
                raise TypeError(f"The function passed to flat_map/interleave must return a "
                                f"tf.data.Dataset, got {type(ds).__name__}.")
            yield ds

    def _elements(self):
        sources = self._datasets()
        active = []
        for ds in sources:  # fill the cycle
            active.append(ds._elements())
            if len(active) == self._cycle:
                break
        while active:
            for it in list(active):
                for _ in range(self._block):
                    try:
                        yield next(it)
                    except StopIteration:
                        active.remove(it)
                        nxt = next(sources, None)
                        if nxt is not None:
                            active.append(nxt._elements())
                        break

    def _cardinality(self):
        return _UNKNOWN

    @property
    def element_spec(self):
        before, _peeking[0] = _peeking[0], True
        try:
            for ds in self._datasets():
                return ds.element_spec
            return None
        finally:
            _peeking[0] = before


class _InterleaveDataset(_FlatMapDataset):
    pass


class _WindowDataset(_UnaryDataset):
    def __init__(self, input_dataset, size, shift, stride, drop_remainder):
        super().__init__(input_dataset)
        if min(size, shift, stride) <= 0:
            raise errors.InvalidArgumentError(
                f"Window size, shift and stride must be positive, got size={size}, "
                f"shift={shift}, stride={stride}.")
        self._size, self._shift, self._stride, self._drop = size, shift, stride, drop_remainder

    def _elements(self):
        span = (self._size - 1) * self._stride + 1
        buffer, skip, structure = [], 0, None  # buffer starts at the next window's first element
        for element in self._input._elements():
            if skip:
                skip -= 1
                continue
            buffer.append(element)
            structure = element
            if len(buffer) == span:
                yield self._window(buffer[::self._stride], structure)
                skip = max(self._shift - len(buffer), 0)
                buffer = buffer[self._shift:]
        while buffer and not self._drop:
            yield self._window(buffer[:span:self._stride], structure)
            buffer = buffer[self._shift:]

    @staticmethod
    def _window(elements, structure):
        columns = zip(*[S.flatten(e) for e in elements])
        return S.pack(structure, [_SlicesOf(np.stack(c)) for c in columns])

    def _cardinality(self):
        n = self._input._cardinality()
        if n in (_INF, _UNKNOWN):
            return n
        if self._drop:
            full = n - (self._size - 1) * self._stride
            return max(0, -(-full // self._shift))
        return -(-n // self._shift)

    @property
    def element_spec(self):
        return S.map_structure(DatasetSpec, self._input.element_spec)


class _SlicesOf(Dataset):
    """One component of a window: rows of an array (already private)."""

    def __init__(self, array):
        self._source = _Source(array)

    def _plan(self):
        return _in_order(self._source)

    def _cardinality(self):
        return self._source.size

    @property
    def element_spec(self):
        return S.map_structure(_drop_leading, S.spec_of(self._source.structure))

    def __repr__(self):
        return f"<_VariantDataset element_spec={self.element_spec!r}>"


class _TakeWhileDataset(_UnaryDataset):
    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        self._predicate = predicate

    def _elements(self):
        for element in self._input._elements():
            if not _call_predicate(self._predicate, element):
                return
            yield element

    def _cardinality(self):
        return _UNKNOWN


def _call_predicate(predicate, element):
    args = S.to_tensors(element)
    keep = predicate(*args) if isinstance(args, tuple) else predicate(args)
    value = np.asarray(keep._value if isinstance(keep, Tensor) else keep)
    if value.shape != () or value.dtype != np.bool_:
        raise ValueError(f"Invalid `predicate`. `predicate` must return a `tf.bool` scalar "
                         f"tensor, but its return type is {S.spec_of(value)!r}.")
    return bool(value)


class _UniqueDataset(_UnaryDataset):
    def __init__(self, input_dataset):
        super().__init__(input_dataset)
        spec = input_dataset.element_spec
        if S.is_structure(spec) or spec.shape.rank != 0:
            raise TypeError("Dataset.unique() currently only supports datasets whose elements "
                            f"are scalar tensors, got {spec!r}.")

    def _elements(self):
        seen = set()
        for element in self._input._elements():
            key = element.item() if element.dtype != object else element[()]
            if key not in seen:
                seen.add(key)
                yield element

    def _cardinality(self):
        return _UNKNOWN if self._input._cardinality() != _INF else _INF


class _ScanDataset(_UnaryDataset):
    def __init__(self, input_dataset, initial_state, scan_func):
        super().__init__(input_dataset)
        self._initial = S.outputs_to_arrays(initial_state)
        self._func = scan_func
        self._spec = None

    def _elements(self):
        state = self._initial
        for element in self._input._elements():
            args = S.to_tensors(element)
            args = args if isinstance(args, tuple) else (args,)
            result = self._func(S.to_tensors(state), *args)
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise TypeError("The scan function must return a pair (new_state, output).")
            state = S.outputs_to_arrays(result[0])
            yield S.outputs_to_arrays(result[1])

    @property
    def element_spec(self):
        if self._spec is None:
            first = _peek(self)
            self._spec = None if first is None else S.spec_of(first)
        return self._spec


class _RandomDataset(Dataset):
    def __init__(self, seed, rerandomize):
        self._seed, self._rerandomize, self._epoch = _base_seed(seed), rerandomize, 0

    def _elements(self):
        epoch = self._epoch
        if self._rerandomize and not _peeking[0]:
            self._epoch += 1
        rng = random_ops.generator_from((self._seed, epoch))
        while True:
            for v in rng.integers(0, 2**63 - 1, _CHUNK, dtype=np.int64):
                yield np.array(v)

    def _cardinality(self):
        return _INF

    @property
    def element_spec(self):
        return TensorSpec(shapes.TensorShape([]), dtypes.int64)


class _ChoiceDataset(Dataset):
    """Indexes drawn with probabilities `weights`, forever (for sample_from_datasets)."""

    def __init__(self, weights, seed):
        self._weights, self._seed, self._epoch = weights, _base_seed(seed), 0

    def _elements(self):
        epoch = self._epoch
        if not _peeking[0]:
            self._epoch += 1
        rng = random_ops.generator_from((self._seed, epoch))
        while True:
            for v in rng.choice(len(self._weights), _CHUNK, p=self._weights):
                yield np.array(v, dtype=np.int64)

    def _cardinality(self):
        return _INF

    @property
    def element_spec(self):
        return TensorSpec(shapes.TensorShape([]), dtypes.int64)


class _DirectedInterleaveDataset(Dataset):
    def __init__(self, datasets, choice_dataset, stop_on_empty_dataset):
        if not datasets or not all(isinstance(d, Dataset) for d in datasets):
            raise TypeError("Expected a non-empty list of tf.data.Dataset objects.")
        self._datasets, self._choice = datasets, choice_dataset
        self._stop = stop_on_empty_dataset

    def _elements(self):
        iterators = [d._elements() for d in self._datasets]
        alive = [True] * len(iterators)
        for choice in self._choice._elements():
            i = int(choice)
            if not 0 <= i < len(iterators):
                raise errors.InvalidArgumentError(
                    f"Selector index out of range: {i} (there are {len(iterators)} datasets).")
            if not alive[i]:
                continue
            try:
                yield next(iterators[i])
            except StopIteration:
                if self._stop:
                    return
                alive[i] = False
                if not any(alive):
                    return

    def _cardinality(self):
        cards = [d._cardinality() for d in self._datasets]
        return _INF if all(c == _INF for c in cards) else _UNKNOWN

    @property
    def element_spec(self):
        spec = self._datasets[0].element_spec
        for d in self._datasets[1:]:
            spec = S.relax(spec, d.element_spec)
        return spec


def _stack(elements):
    flat = [S.flatten(e) for e in elements]
    out = []
    for component, leaves in enumerate(zip(*flat)):
        first = leaves[0].shape
        for j, leaf in enumerate(leaves):
            if leaf.shape != first:
                raise errors.InvalidArgumentError(
                    f"Cannot batch tensors with different shapes in component {component}. "
                    f"First element had shape {list(first)} and element {j} had shape "
                    f"{list(leaf.shape)}. Pad the elements to one shape (in map), or use "
                    f"padded_batch.")
        out.append(np.stack(leaves))
    return S.pack(elements[0], out)


class _UnbatchDataset(_UnaryDataset):
    def __init__(self, input_dataset):
        super().__init__(input_dataset)
        spec = input_dataset.element_spec
        specs = S.flatten(spec) if spec is not None else []
        if any(s.shape.rank == 0 for s in specs):
            raise ValueError("Cannot unbatch an input with scalar components.")

    def _elements(self):
        for element in self._input._elements():
            leaves = S.flatten(element)
            if any(leaf.ndim == 0 for leaf in leaves):
                raise errors.InvalidArgumentError(
                    "Input element must have a non-scalar value in each component.")
            n = leaves[0].shape[0]
            for i in range(n):
                yield S.pack(element, [leaf[i, ...] for leaf in leaves])

    def _cardinality(self):
        return _UNKNOWN if self._input._cardinality() != _INF else _INF

    @property
    def element_spec(self):
        def leaf(s):
            if s.shape.rank == 0:
                raise ValueError("Unbatching a dataset is only supported for rank >= 1")
            return TensorSpec(shapes.TensorShape(
                None if s.shape.rank is None else s.shape.as_list()[1:]), s.dtype)
        return S.map_structure(leaf, self._input.element_spec)


class _ShuffleDataset(_UnaryDataset):
    def __init__(self, input_dataset, buffer_size, seed, reshuffle_each_iteration):
        super().__init__(input_dataset)
        self._buffer = _int(buffer_size, "shuffle", "buffer_size")
        if self._buffer == AUTOTUNE:
            self._buffer = 1 << 62
        if self._buffer <= 0:
            raise errors.InvalidArgumentError(
                f"buffer_size must be greater than zero or AUTOTUNE, got {buffer_size}.")
        self._seed = _base_seed(seed)
        self._reshuffle = bool(reshuffle_each_iteration)
        self._epoch = 0

    def _next_generator(self):
        epoch = self._epoch
        if self._reshuffle and not _peeking[0]:
            self._epoch += 1
        return random_ops.generator_from((self._seed, epoch))

    def _plan(self):
        plan = self._input._plan()
        if plan is None:
            return None

        def selections():
            rng = self._next_generator()
            stream = plan.selections()
            head, count = [], 0
            for sel in stream:  # read ahead: a buffer holding the whole stream is a permutation
                head.append(_as_indices(sel))
                count += _length(sel)
                if count > self._buffer:
                    break
            else:
                rows = np.concatenate(head) if head else np.zeros(0, np.int64)
                order = rows[rng.permutation(count)]
                yield from (order[i:i + _CHUNK] for i in range(0, count, _CHUNK))
                return
            rows = (i for part in (head, (_as_indices(s) for s in stream))
                    for sel in part for i in sel.tolist())
            order = _buffer_shuffle(rows, self._buffer, rng)
            while True:
                chunk = np.array(_take_n(order, _CHUNK), dtype=np.int64)
                if not len(chunk):
                    return
                yield chunk
        return _Plan(plan.source, selections)

    def _elements(self):
        plan = self._plan()
        if plan is not None:
            return self._plan_rows(plan)
        return _buffer_shuffle(self._input._elements(), self._buffer, self._next_generator())


def _take_n(iterator, n):
    out = []
    for item in iterator:
        out.append(item)
        if len(out) == n:
            break
    return out


def _buffer_shuffle(items, buffer_size, rng):
    """TF's shuffle: fill a buffer, then emit a random slot and refill it with the next item.

    A buffer at least as large as the stream gives a uniform random permutation.
    """
    buffer = _take_n(items, buffer_size)
    if len(buffer) < buffer_size:
        for i in rng.permutation(len(buffer)).tolist():
            yield buffer[i]
        return
    draws, k = rng.integers(0, buffer_size, _CHUNK).tolist(), 0
    for item in items:
        if k == len(draws):
            draws, k = rng.integers(0, buffer_size, _CHUNK).tolist(), 0
        j = draws[k]
        k += 1
        yield buffer[j]
        buffer[j] = item
    for i in rng.permutation(len(buffer)).tolist():
        yield buffer[i]


class _MapDataset(_UnaryDataset):
    def __init__(self, input_dataset, map_func):
        super().__init__(input_dataset)
        if not callable(map_func):
            raise ValueError(  # noqa: TRY004 - TF's class
                f"Argument `func` must be a callable. Received func={map_func!r} "
                f"(of type {type(map_func)})")
        self._func = map_func
        self._spec = None

    def _apply(self, element):
        args = S.to_tensors(element)
        out = self._func(*args) if isinstance(args, tuple) and not hasattr(args, "_fields") \
            else self._func(args)
        return S.outputs_to_arrays(out)

    def _elements(self):
        apply = self._apply
        for element in self._input._elements():
            yield apply(element)

    @property
    def element_spec(self):
        # TF traces map_func; tapeflow runs it on the first element and keeps the input's
        # unknown batch dimension unknown in the result.
        if self._spec is None:
            self._spec = self._infer_spec()
        return self._spec

    def _infer_spec(self):
        first = _peek(self._input)
        if first is None:
            return None
        out = self._apply(first)
        in_leaves = S.flatten(self._input.element_spec)
        batch = None
        if in_leaves and all(s.shape.rank and s.shape[0] is None for s in in_leaves):
            batch = S.flatten(first)[0].shape[0]
        spec = S.spec_of(out)
        if batch is None:
            return spec
        return S.map_structure(
            lambda s: TensorSpec(shapes.TensorShape([None] + s.shape.as_list()[1:]),
                                          s.dtype)
            if s.shape.rank and s.shape[0] == batch else s, spec)


class _FilterDataset(_UnaryDataset):
    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        if not callable(predicate):
            raise ValueError(  # noqa: TRY004 - TF's class
                f"Argument `func` must be a callable. Received func={predicate!r} "
                f"(of type {type(predicate)})")
        self._predicate = predicate

    def _elements(self):
        for element in self._input._elements():
            if _call_predicate(self._predicate, element):
                yield element

    def _cardinality(self):
        return _UNKNOWN


class _TakeDataset(_UnaryDataset):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = count

    def _plan(self):
        plan = self._input._plan()
        if plan is None or self._count < 0:
            return plan
        return _Plan(plan.source, lambda: _trim(plan.selections(), 0, self._count))

    def _elements(self):
        if self._plan() is not None:
            return self._plan_rows(self._plan())
        return self._take()

    def _take(self):
        if self._count == 0:
            return
        for i, element in enumerate(self._input._elements()):
            yield element
            if i + 1 == self._count:
                return

    def _cardinality(self):
        return _card_take(self._input._cardinality(), self._count)


class _SkipDataset(_UnaryDataset):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = count

    def _plan(self):
        plan = self._input._plan()
        if plan is None:
            return None
        if self._count < 0:
            return _Plan(plan.source, lambda: iter(()))
        return _Plan(plan.source, lambda: _trim(plan.selections(), self._count, None))

    def _elements(self):
        if self._plan() is not None:
            return self._plan_rows(self._plan())
        return self._skip()

    def _skip(self):
        if self._count < 0:
            return
        for i, element in enumerate(self._input._elements()):
            if i >= self._count:
                yield element

    def _cardinality(self):
        return _card_skip(self._input._cardinality(), self._count)


class _RepeatDataset(_UnaryDataset):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = count

    def _epochs(self):
        i = 0
        while self._count < 0 or i < self._count:
            yield i
            i += 1

    def _plan(self):
        plan = self._input._plan()
        if plan is None:
            return None

        def selections():
            for _ in self._epochs():
                empty = True
                for sel in plan.selections():
                    empty = empty and not _length(sel)
                    yield sel
                if empty:
                    return
        return _Plan(plan.source, selections)

    def _elements(self):
        if self._plan() is not None:
            return self._plan_rows(self._plan())
        return self._repeat()

    def _repeat(self):
        for _ in self._epochs():
            empty = True
            for element in self._input._elements():
                empty = False
                yield element
            if empty:
                return

    def _cardinality(self):
        return _card_repeat(self._input._cardinality(), self._count)


class CacheDataset(_UnaryDataset):
    def __init__(self, input_dataset, filename):
        super().__init__(input_dataset)
        self._filename = filename
        self._cache = None  # the selections, or the elements, of the first complete iteration

    def _plan(self):
        plan = self._input._plan()
        if plan is None:
            return None

        def selections():
            if self._cache is not None:
                yield from self._cache
                return
            seen = []
            for sel in plan.selections():
                seen.append(sel)
                yield sel
            self._cache = seen
        return _Plan(plan.source, selections)

    def _elements(self):
        plan = self._plan()
        if plan is not None:
            return self._plan_rows(plan)
        return self._cached_elements()

    def _cached_elements(self):
        if self._cache is not None:
            yield from self._cache
            return
        seen = []
        for element in self._input._elements():
            seen.append(element)
            yield element
        self._cache = seen


class _PrefetchDataset(_UnaryDataset):
    def _plan(self):
        return self._input._plan()

    def _elements(self):
        return self._input._elements()


class _ConcatenateDataset(Dataset):
    def __init__(self, first, second):
        self._first, self._second = first, second

    def _elements(self):
        yield from self._first._elements()
        yield from self._second._elements()

    def _cardinality(self):
        a, b = self._first._cardinality(), self._second._cardinality()
        if _INF in (a, b):
            return _INF
        if _UNKNOWN in (a, b):
            return _UNKNOWN
        return a + b

    @property
    def element_spec(self):
        return S.relax(self._first.element_spec, self._second.element_spec)


# -- iterators ------------------------------------------------------------------------------------
class Iterator:
    """What `iter(dataset)` returns: yields elements as tapeflow Tensors."""

    def __init__(self, dataset):
        self._dataset = dataset
        self._elements = dataset._elements()

    def __iter__(self):
        return self

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


class NumpyIterator:
    """What `dataset.as_numpy_iterator()` returns: yields NumPy values."""

    def __init__(self, dataset):
        self._dataset = dataset
        self._elements = dataset._elements()

    def __iter__(self):
        return self

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
