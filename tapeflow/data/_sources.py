"""Dataset sources: from_tensor_slices, from_tensors, range, zip, from_generator, concatenate,
random, choose/sample_from_datasets, and the per-window datasets of `window`."""

from __future__ import annotations

import glob
import gzip
import io
import os
import zlib

import numpy as np

from tapeflow import dtypes, errors, shapes
from tapeflow.data import _rows as rows
from tapeflow.data import _structure as S
from tapeflow.data import dataset
from tapeflow.def_function import TensorSpec
from tapeflow.ops import random_ops


class _TensorSliceDataset(dataset.Dataset):
    def __init__(self, tensors):
        if isinstance(tensors, list) and tensors and any(S.is_structure(t) for t in tensors):
            tensors = tuple(tensors)
        arrays = S.map_structure(S.to_array, tensors)
        leaves = S.flatten(arrays)
        if not leaves:
            raise ValueError("Invalid `element`. `element` should not be empty.")
        for leaf in leaves:
            if leaf.ndim == 0:
                raise ValueError("Unbatching a tensor is only supported for rank >= 1\n"
                                 "(from_tensor_slices slices along the first axis, and a "
                                 "scalar has none; use Dataset.from_tensors for one element.)")
        sizes = [leaf.shape[0] for leaf in leaves]
        if len(set(sizes)) > 1:
            raise ValueError(f"Dimensions {sizes[0]} and "
                             f"{next(s for s in sizes if s != sizes[0])} are not compatible\n"
                             f"(from_tensor_slices needs every component to have the same "
                             f"first dimension; got {sizes}.)")
        self._source = rows.Source(arrays)
        self._spec = S.spec_of(arrays, batched=True, batch_dim=None)
        self._spec = S.map_structure(_drop_leading, self._spec)

    def _plan(self):
        return rows.in_order(self._source)

    def _cardinality(self):
        return self._source.size

    @property
    def element_spec(self):
        return self._spec


def _drop_leading(spec):
    return TensorSpec(shapes.TensorShape(spec.shape.as_list()[1:]), spec.dtype)


class _TensorDataset(dataset.Dataset):
    def __init__(self, tensors):
        self._element = S.map_structure(S.to_array, tensors)

    def _elements(self):
        yield self._element

    def _cardinality(self):
        return 1

    @property
    def element_spec(self):
        return S.spec_of(self._element)


class _RangeDataset(dataset.Dataset):
    def __init__(self, *args, output_type=dtypes.int64):
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Dataset.range takes 1 to 3 arguments (stop; start, stop; start, "
                             f"stop, step), got {len(args)}.")
        r = range(*[rows.integer(a) for a in args])
        self._range = r
        self._dtype = dtypes.as_dtype(output_type)
        self._source = rows.RangeSource(r.start, r.step, len(r), self._dtype._np)

    def _plan(self):
        return rows.in_order(self._source)

    def _cardinality(self):
        return len(self._range)

    @property
    def element_spec(self):
        return TensorSpec(shapes.TensorShape([]), self._dtype)


class _ZipDataset(dataset.Dataset):
    def __init__(self, datasets):
        for d in S.flatten(datasets) if isinstance(datasets, (tuple, dict)) else [datasets]:
            if isinstance(d, list):
                raise TypeError("Invalid input to `zip`. Inputs are expected to be (nested) "
                                "structures of `tf.data.Dataset` objects. Python `list` is not "
                                "supported and you should use `tuple` instead.")
            if not isinstance(d, dataset.Dataset):
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
        source = rows.ZipSource(structure, min(p.source.size for p in plans))
        return rows.in_order(source)

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
            return min(finite) if dataset.UNKNOWN not in cards else dataset.UNKNOWN
        return dataset.UNKNOWN if dataset.UNKNOWN in cards else dataset.INF

    @property
    def element_spec(self):
        return S.map_structure(lambda d: d.element_spec, self._datasets)


class _GeneratorDataset(dataset.Dataset):
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
            output_types = S.map_structure(dtypes.as_dtype, output_types)
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
    """The shapes matching each leaf of `types` (a shape is itself a tuple: flatten up to types)."""
    if isinstance(types, dict):
        return [s for k in sorted(types) for s in _flat_shapes(types[k], shapes_[k])]
    if isinstance(types, tuple):
        return [s for t, sh in zip(types, shapes_) for s in _flat_shapes(t, sh)]
    return [shapes_]


class _SlicesOf(dataset.Dataset):
    """One component of a window: rows of an array (already private)."""

    def __init__(self, array):
        self._source = rows.Source(array)

    def _plan(self):
        return rows.in_order(self._source)

    def _cardinality(self):
        return self._source.size

    @property
    def element_spec(self):
        return S.map_structure(_drop_leading, S.spec_of(self._source.structure))

    def __repr__(self):
        return f"<_VariantDataset element_spec={self.element_spec!r}>"


class _RandomDataset(dataset.Dataset):
    def __init__(self, seed, rerandomize):
        self._seed, self._rerandomize, self._epoch = rows.base_seed(seed), rerandomize, 0

    def _elements(self):
        epoch = self._epoch
        if self._rerandomize and not rows.peeking[0]:
            self._epoch += 1
        rng = random_ops.generator_from((self._seed, epoch))
        while True:
            for v in rng.integers(0, 2**63 - 1, rows.CHUNK, dtype=np.int64):
                yield np.array(v)

    def _cardinality(self):
        return dataset.INF

    @property
    def element_spec(self):
        return TensorSpec(shapes.TensorShape([]), dtypes.int64)


class _ChoiceDataset(dataset.Dataset):
    """Indexes drawn with probabilities `weights`, forever (for sample_from_datasets)."""

    def __init__(self, weights, seed):
        self._weights, self._seed, self._epoch = weights, rows.base_seed(seed), 0

    def _elements(self):
        epoch = self._epoch
        if not rows.peeking[0]:
            self._epoch += 1
        rng = random_ops.generator_from((self._seed, epoch))
        while True:
            for v in rng.choice(len(self._weights), rows.CHUNK, p=self._weights):
                yield np.array(v, dtype=np.int64)

    def _cardinality(self):
        return dataset.INF

    @property
    def element_spec(self):
        return TensorSpec(shapes.TensorShape([]), dtypes.int64)


class _DirectedInterleaveDataset(dataset.Dataset):
    def __init__(self, datasets, choice_dataset, stop_on_empty_dataset):
        if not datasets or not all(isinstance(d, dataset.Dataset) for d in datasets):
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
        return dataset.INF if all(c == dataset.INF for c in cards) else dataset.UNKNOWN

    @property
    def element_spec(self):
        spec = self._datasets[0].element_spec
        for d in self._datasets[1:]:
            spec = S.relax(spec, d.element_spec)
        return spec


class _ConcatenateDataset(dataset.Dataset):
    def __init__(self, first, second):
        self._first, self._second = first, second

    def _elements(self):
        yield from self._first._elements()
        yield from self._second._elements()

    def _cardinality(self):
        a, b = self._first._cardinality(), self._second._cardinality()
        if dataset.INF in (a, b):
            return dataset.INF
        if dataset.UNKNOWN in (a, b):
            return dataset.UNKNOWN
        return a + b

    @property
    def element_spec(self):
        return S.relax(self._first.element_spec, self._second.element_spec)


class WindowSource(rows.Source):
    """Row i: the window `data[positions[i] + offsets]` (with `targets[positions[i]]`)."""

    def __init__(self, data, targets, positions, offsets):
        self.data, self.targets, self.positions, self.offsets = data, targets, positions, offsets
        self.size = len(positions)

    def gather(self, selection):
        starts = self.positions[selection]
        windows = self.data[starts[:, None] + self.offsets]
        return windows if self.targets is None else (windows, self.targets[starts])

    def row(self, i):
        start = int(self.positions[i])
        window = self.data[start + self.offsets]
        return window if self.targets is None else (window, self.targets[start, ...])


class _WindowsDataset(dataset.Dataset):
    """Sliding windows over arrays, gathered a batch at a time (timeseries_dataset_from_array)."""

    def __init__(self, data, targets, positions, offsets):
        data = _private(data)
        targets = None if targets is None else _private(targets)
        self._source = WindowSource(data, targets, np.asarray(positions), np.asarray(offsets))
        # TF gathers each window with a computed range: its length is unknown to the spec
        spec = TensorSpec(shapes.TensorShape([None, *data.shape[1:]]), S.dtype_of(data))
        if targets is not None:
            spec = (spec, TensorSpec(shapes.TensorShape(list(targets.shape[1:])),
                                     S.dtype_of(targets)))
        self._spec = spec

    def _plan(self):
        return rows.in_order(self._source)

    def _cardinality(self):
        return self._source.size

    @property
    def element_spec(self):
        return self._spec


def _private(array):
    array = np.array(array._value if hasattr(array, "_value") else array)  # TF copies too
    array.flags.writeable = False
    return array


def windows(data, targets, positions, offsets):
    """A dataset of `data[p + offsets]` (and `targets[p]`) for each start p in `positions`."""
    return _WindowsDataset(data, targets, positions, offsets)


class TextLineDatasetV2(dataset.Dataset):
    """The lines of text files, without their line endings, as string scalars."""

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        if isinstance(filenames, dataset.Dataset):
            filenames = [f for f in filenames.as_numpy_iterator()]
        elif hasattr(filenames, "numpy"):
            filenames = np.asarray(filenames.numpy(), dtype=object).reshape(-1).tolist()
        elif isinstance(filenames, (str, bytes, os.PathLike)):
            filenames = [filenames]
        self._files = [os.fsdecode(f) for f in filenames]
        self._compression = (compression_type or "").upper()
        if self._compression not in ("", "GZIP", "ZLIB"):
            raise ValueError(f"compression_type must be None, '', 'GZIP' or 'ZLIB', got "
                             f"{compression_type!r}.")

    def _open(self, path):
        if self._compression == "GZIP":
            return gzip.open(path, "rb")
        if self._compression == "ZLIB":
            with open(path, "rb") as f:
                return io.BytesIO(zlib.decompress(f.read()))
        return open(path, "rb")

    def _elements(self):
        for path in self._files:
            try:
                stream = self._open(path)
            except FileNotFoundError:
                raise errors.NotFoundError(f"{path}; No such file or directory") from None
            with stream:
                for line in stream:
                    yield np.array(line.rstrip(b"\n").rstrip(b"\r"), dtype=object)

    @property
    def element_spec(self):
        return TensorSpec(shapes.TensorShape([]), dtypes.string)


def list_files(file_pattern, shuffle=None, seed=None):
    """`Dataset.list_files`: the sorted paths matching the glob pattern(s), shuffled by default."""
    patterns = file_pattern
    if hasattr(patterns, "numpy"):
        patterns = np.asarray(patterns.numpy(), dtype=object).reshape(-1).tolist()
    elif isinstance(patterns, (str, bytes, os.PathLike)):
        patterns = [patterns]
    patterns = [os.fsdecode(p) for p in patterns]
    matches = sorted({m for p in patterns for m in glob.glob(p)})
    if not matches:
        raise errors.InvalidArgumentError(
            f"Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: "
            f"b'No files matched pattern: {', '.join(patterns)}'")
    files = dataset.Dataset.from_tensor_slices(np.array(matches, dtype=object))
    if shuffle is None or shuffle:
        files = files.shuffle(len(matches), seed=seed)
    return files

