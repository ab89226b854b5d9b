"""Rows of in-memory arrays and the selections that walk them; shuffling; seeds; peeking.

A `Plan` is a `Source` (arrays whose rows are the elements) plus `selections()`: a fresh
generator, per iteration, of row selections in order (slices, or int64 index arrays). Shuffle,
take, skip, repeat, cache and prefetch rewrite the selections; batch regroups them and gathers
each batch with one slice or one fancy index per array.
"""

from __future__ import annotations

import numpy as np

from tapeflow.data import _structure as S
from tapeflow.ops import random_ops
from tapeflow.tensor import Tensor

CHUNK = 4096  # rows per selection when a plan streams indices


class Source:
    """Rows of in-memory arrays: the leaves of `structure`, all with the same leading size."""

    def __init__(self, structure):
        self.structure = structure
        self.leaves = S.flatten(structure)
        self.size = self.leaves[0].shape[0]

    def gather(self, selection):
        return S.pack(self.structure, [leaf[selection] for leaf in self.leaves])

    def row(self, i):
        return S.pack(self.structure, [leaf[i, ...] for leaf in self.leaves])


class RangeSource(Source):
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


class Plan:
    """A source and `selections()`: a fresh generator of row selections per iteration.

    `identity` marks a plan that reads every row once, in order (what zip can line up).
    """

    def __init__(self, source, selections, identity=False):
        self.source = source
        self.selections = selections
        self.identity = identity


def in_order(source, n=None):
    n = source.size if n is None else n
    return Plan(source, lambda: (slice(i, min(i + CHUNK, n)) for i in range(0, n, CHUNK)),
                 identity=True)


class ZipSource(Source):
    """Rows of several sources side by side (zip of datasets that read their rows in order)."""

    def __init__(self, structure, size):
        self.structure, self.sources, self.size = structure, S.flatten(structure), size

    def gather(self, selection):
        return S.pack(self.structure, [s.gather(selection) for s in self.sources])

    def row(self, i):
        return S.pack(self.structure, [s.row(i) for s in self.sources])


def length(selection):
    return selection.stop - selection.start if isinstance(selection, slice) else len(selection)


def as_indices(selection):
    if isinstance(selection, slice):
        return np.arange(selection.start, selection.stop, dtype=np.int64)
    return selection


def trim(selections, start, stop):
    """The rows numbered [start, stop) of a stream of selections (stop None: to the end)."""
    seen = 0
    for sel in selections:
        n = length(sel)
        lo, hi = max(start - seen, 0), n if stop is None else min(stop - seen, n)
        seen += n
        if lo < hi:
            yield sel[lo:hi] if not isinstance(sel, slice) else \
                slice(sel.start + lo, sel.start + hi)
        if stop is not None and seen >= stop:
            return


def regroup(selections, size, drop_remainder):
    """Selections re-cut into pieces of exactly `size` rows (the last may be short)."""
    pending, count = [], 0
    for sel in selections:
        while length(sel):
            take = min(size - count, length(sel))
            head = sel[:take] if not isinstance(sel, slice) else slice(sel.start, sel.start + take)
            sel = sel[take:] if not isinstance(sel, slice) else slice(sel.start + take, sel.stop)
            pending.append(head)
            count += take
            if count == size:
                yield join(pending)
                pending, count = [], 0
    if pending and not drop_remainder:
        yield join(pending)


def join(pieces):
    if len(pieces) == 1:
        return pieces[0]
    return np.concatenate([as_indices(p) for p in pieces])


peeking = [False]


def peek(dataset):
    """The first element, without advancing any shuffle's iteration count (for element_spec)."""
    before, peeking[0] = peeking[0], True
    try:
        return next(iter(dataset._elements()), None)
    finally:
        peeking[0] = before


def base_seed(seed):
    """A 63-bit seed for a shuffle, following TF's global/op seed rules (see random_ops)."""
    if seed is None:
        # Unseeded: fresh randomness; with tf.random.set_seed: the next op seed in the sequence.
        return int(random_ops.stream(None).integers(0, 2**63 - 1))
    g = random_ops.get_global_seed()
    g = random_ops.DEFAULT_GLOBAL_SEED if g is None else g
    return int(random_ops.generator_from((g, int(seed))).integers(0, 2**63 - 1))


def integer(value):
    """An int from an int, NumPy integer or integer tensor; TF's TypeError for anything else."""
    v = value._value if isinstance(value, Tensor) else value
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer, np.ndarray)) or (
            isinstance(v, np.ndarray) and (v.ndim or v.dtype.kind not in "iu")):
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype int64")
    return int(v)


def int_arg(value, op, arg):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise TypeError(f"Dataset.{op}: `{arg}` must be an integer, got {value!r}.") from None


def take_n(iterator, n):
    out = []
    for item in iterator:
        out.append(item)
        if len(out) == n:
            break
    return out


def buffer_shuffle(items, buffer_size, rng):
    """TF's shuffle: fill a buffer, then emit a random slot and refill it with the next item.

    A buffer at least as large as the stream gives a uniform random permutation.
    """
    buffer = take_n(items, buffer_size)
    if len(buffer) < buffer_size:
        for i in rng.permutation(len(buffer)).tolist():
            yield buffer[i]
        return
    draws, k = rng.integers(0, buffer_size, CHUNK).tolist(), 0
    for item in items:
        if k == len(draws):
            draws, k = rng.integers(0, buffer_size, CHUNK).tolist(), 0
        j = draws[k]
        k += 1
        yield buffer[j]
        buffer[j] = item
    for i in rng.permutation(len(buffer)).tolist():
        yield buffer[i]
