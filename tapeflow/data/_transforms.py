"""Dataset transformations: batch, padded_batch, unbatch, shuffle, map, filter, take, skip,
repeat, cache, prefetch, flat_map, interleave, window, take_while, unique, scan."""

from __future__ import annotations

import numpy as np

from tapeflow import errors, shapes
from tapeflow.data import _rows as rows
from tapeflow.data import _sources as sources
from tapeflow.data import _structure as S
from tapeflow.data import dataset
from tapeflow.def_function import TensorSpec
from tapeflow.ops import random_ops
from tapeflow.tensor import Tensor


def _card_take(n, count):
    if count < 0:
        return n
    if n == dataset.INF:
        return count
    if n == dataset.UNKNOWN:
        return dataset.UNKNOWN
    return min(n, count)


def _card_skip(n, count):
    if n in (dataset.INF, dataset.UNKNOWN):
        return n
    return 0 if count < 0 else max(n - count, 0)


def _card_repeat(n, count):
    if count == 0 or n == 0:
        return 0
    if n == dataset.UNKNOWN:
        return dataset.UNKNOWN
    if count < 0 or n == dataset.INF:
        return dataset.INF
    return n * count


def _card_batch(n, size, drop_remainder):
    if n in (dataset.INF, dataset.UNKNOWN):
        return n
    return n // size if drop_remainder else -(-n // size)


class _UnaryDataset(dataset.Dataset):
    def __init__(self, input_dataset):
        if not isinstance(input_dataset, dataset.Dataset):
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
        self._size = rows.int_arg(batch_size, "batch", "batch_size")
        if self._size <= 0:
            raise errors.InvalidArgumentError(f"Batch size must be greater than zero, got "
                                              f"{self._size}.")
        self._drop = bool(drop_remainder)

    def _elements(self):
        plan = self._input._plan()
        if plan is not None:
            source = plan.source
            for sel in rows.regroup(plan.selections(), self._size, self._drop):
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

    @property
    def _batch_size(self):  # TF's attribute, which Keras reads to tell a batched dataset
        return self._size

    def _cardinality(self):
        return _card_batch(self._input._cardinality(), self._size, self._drop)

    @property
    def element_spec(self):
        dim = self._size if self._drop else None
        if self._input.element_spec is None:  # an empty map: nothing to describe
            return None
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
        if self._cycle == dataset.AUTOTUNE:
            self._cycle = 16

    def _datasets(self):
        for element in self._input._elements():
            ds = S.call(self._func, element)
            if not isinstance(ds, dataset.Dataset):
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
        return dataset.UNKNOWN

    @property
    def element_spec(self):
        before, rows.peeking[0] = rows.peeking[0], True
        try:
            for ds in self._datasets():
                return ds.element_spec
            return None
        finally:
            rows.peeking[0] = before


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
        return S.pack(structure, [sources._SlicesOf(np.stack(c)) for c in columns])

    def _cardinality(self):
        n = self._input._cardinality()
        if n in (dataset.INF, dataset.UNKNOWN):
            return n
        if self._drop:
            full = n - (self._size - 1) * self._stride
            return max(0, -(-full // self._shift))
        return -(-n // self._shift)

    @property
    def element_spec(self):
        return S.map_structure(dataset.DatasetSpec, self._input.element_spec)


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
        return dataset.UNKNOWN


def _call_predicate(predicate, element):
    keep = S.call(predicate, element)
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
        return dataset.UNKNOWN if self._input._cardinality() != dataset.INF else dataset.INF


class _ScanDataset(_UnaryDataset):
    def __init__(self, input_dataset, initial_state, scan_func):
        super().__init__(input_dataset)
        self._initial = S.outputs_to_arrays(initial_state)
        self._func = scan_func
        self._spec = None

    def _elements(self):
        state = self._initial
        for element in self._input._elements():
            result = S.call(self._func, element, S.to_tensors(state))
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise TypeError("The scan function must return a pair (new_state, output).")
            state = S.outputs_to_arrays(result[0])
            yield S.outputs_to_arrays(result[1])

    @property
    def element_spec(self):
        if self._spec is None:
            first = rows.peek(self)
            self._spec = None if first is None else S.spec_of(first)
        return self._spec


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
        return dataset.UNKNOWN if self._input._cardinality() != dataset.INF else dataset.INF

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
        self._buffer = rows.int_arg(buffer_size, "shuffle", "buffer_size")
        if self._buffer == dataset.AUTOTUNE:
            self._buffer = 1 << 62
        if self._buffer <= 0:
            raise errors.InvalidArgumentError(
                f"buffer_size must be greater than zero or AUTOTUNE, got {buffer_size}.")
        self._seed = rows.base_seed(seed)
        self._reshuffle = bool(reshuffle_each_iteration)
        self._epoch = 0

    def _next_generator(self):
        epoch = self._epoch
        if self._reshuffle and not rows.peeking[0]:
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
                head.append(rows.as_indices(sel))
                count += rows.length(sel)
                if count > self._buffer:
                    break
            else:
                every = np.concatenate(head) if head else np.zeros(0, np.int64)
                order = every[rng.permutation(count)]
                yield from (order[i:i + rows.CHUNK] for i in range(0, count, rows.CHUNK))
                return
            stream_rows = (i for part in (head, (rows.as_indices(s) for s in stream))
                           for sel in part for i in sel.tolist())
            order = rows.buffer_shuffle(stream_rows, self._buffer, rng)
            while True:
                chunk = np.array(rows.take_n(order, rows.CHUNK), dtype=np.int64)
                if not len(chunk):
                    return
                yield chunk
        return rows.Plan(plan.source, selections)

    def _elements(self):
        plan = self._plan()
        if plan is not None:
            return self._plan_rows(plan)
        return rows.buffer_shuffle(self._input._elements(), self._buffer, self._next_generator())


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
        return S.outputs_to_arrays(S.call(self._func, element))

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
        first = rows.peek(self._input)
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
        return dataset.UNKNOWN


class _TakeDataset(_UnaryDataset):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = count

    def _plan(self):
        plan = self._input._plan()
        if plan is None or self._count < 0:
            return plan
        return rows.Plan(plan.source, lambda: rows.trim(plan.selections(), 0, self._count))

    def _elements(self):
        plan = self._plan()
        return self._plan_rows(plan) if plan is not None else self._take()

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
            return rows.Plan(plan.source, lambda: iter(()))
        return rows.Plan(plan.source, lambda: rows.trim(plan.selections(), self._count, None))

    def _elements(self):
        plan = self._plan()
        return self._plan_rows(plan) if plan is not None else self._skip()

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
                    empty = empty and not rows.length(sel)
                    yield sel
                if empty:
                    return
        return rows.Plan(plan.source, selections)

    def _elements(self):
        plan = self._plan()
        return self._plan_rows(plan) if plan is not None else self._repeat()

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
        return rows.Plan(plan.source, selections)

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


class _OptionsDataset(_PrefetchDataset):
    def __init__(self, input_dataset, options):
        super().__init__(input_dataset)
        self._options = options


class _AssertCardinalityDataset(_UnaryDataset):
    def __init__(self, input_dataset, expected):
        super().__init__(input_dataset)
        self._expected = expected

    def _elements(self):
        count = 0
        for element in self._input._elements():
            count += 1
            if count > self._expected:
                raise errors.FailedPreconditionError(
                    f"Input dataset was expected to contain {self._expected} elements but "
                    f"contained at least {count} elements.")
            yield element
        if count < self._expected:
            raise errors.FailedPreconditionError(
                f"Input dataset was expected to contain {self._expected} elements but "
                f"contained only {count} elements.")

    def _cardinality(self):
        return self._expected

