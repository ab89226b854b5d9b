"""Nested elements of a dataset: tuples and dicts of NumPy arrays (lists count as one tensor).

TF's rule: a tuple or a dict is a structure, a list is a tensor (`from_tensor_slices([a, b])`
stacks a and b). Leaves are visited in sorted-key order (TF's nest.flatten order); dicts keep
their own key order, as TF's element_spec shows it.
"""

import numpy as np

from tapeflow import errors, shapes, tape, tensor
from tapeflow.def_function import TensorSpec
from tapeflow.tensor import Tensor


def is_structure(value):
    return isinstance(value, (tuple, dict))


def map_structure(fn, value):
    """`fn` applied to each leaf, the tuples and dicts around them rebuilt."""
    if isinstance(value, tuple):
        items = [map_structure(fn, v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, dict):
        # Leaves are visited in sorted-key order (TF's flatten order); the dict keeps its own.
        done = {k: map_structure(fn, value[k]) for k in sorted(value)}
        return {k: done[k] for k in value}
    return fn(value)


def flatten(value):
    if isinstance(value, tuple):
        return [leaf for v in value for leaf in flatten(v)]
    if isinstance(value, dict):
        return [leaf for k in sorted(value) for leaf in flatten(value[k])]
    return [value]


def pack(structure, leaves):
    """Leaves (in `flatten` order) put back into the shape of `structure`."""
    it = iter(leaves)
    return map_structure(lambda _: next(it), structure)


def to_array(value):
    """The NumPy array a leaf stands for, with TF's dtype inference (Python float -> float32).

    NumPy input is copied (TF copies into its own buffers) and the copy made read-only, so the
    slices and views handed out later cannot change under the user's feet.
    """
    if isinstance(value, Tensor):
        return np.asarray(value._value)
    array = tensor.convert_to_tensor(value)._value
    if isinstance(value, np.ndarray) and np.shares_memory(array, value):
        array = array.copy()
    array = np.asarray(array)
    array.flags.writeable = False
    return array


def outputs_to_arrays(value):
    """A user function's result (tensors, arrays, Python values; lists as tuples) as arrays."""
    if value is None:
        raise errors.InvalidArgumentError(
            "The function passed to a tf.data transformation returned None; return a tensor, "
            "or a tuple or dict of tensors.")
    if isinstance(value, list):
        value = tuple(value)
    if isinstance(value, tuple):
        items = [outputs_to_arrays(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, dict):
        return {k: outputs_to_arrays(value[k]) for k in value}
    if isinstance(value, Tensor):
        return np.asarray(value._value)
    return np.asarray(tensor.convert_to_tensor(value)._value)


def to_tensors(value):
    # window() elements are datasets: they pass through as they are
    return map_structure(lambda v: v if hasattr(v, "_elements") else Tensor(v), value)


def to_numpy(value):
    """Arrays the user may keep and change; rank-0 leaves as NumPy scalars, as TF gives them."""
    def leaf(a):
        if a.ndim == 0:
            return a[()]
        return a if a.flags.writeable else a.copy()
    return map_structure(leaf, value)


def dtype_of(array):
    return Tensor(array).dtype


def spec_of(element, batched=False, batch_dim=None):
    """TensorSpecs for an element; `batched` replaces each leading dimension by `batch_dim`."""
    def leaf(a):
        dims = list(a.shape)
        if batched:
            dims = [batch_dim] + dims[1:]
        return TensorSpec(shapes.TensorShape(dims), dtype_of(a))
    return map_structure(leaf, element)


def relax(spec, other):
    """The most specific spec compatible with both (dims that differ become None)."""
    def leaf(a, b):
        sa, sb = a.shape.as_list() if a.shape.rank is not None else None, \
            b.shape.as_list() if b.shape.rank is not None else None
        if sa is None or sb is None or len(sa) != len(sb):
            return TensorSpec(shapes.TensorShape(None), a.dtype)
        dims = [x if x == y else None for x, y in zip(sa, sb)]
        return TensorSpec(shapes.TensorShape(dims), a.dtype)
    return pack(spec, [leaf(a, b) for a, b in zip(flatten(spec), flatten(other))])


def call(fn, element, *leading):
    """`fn` on an element's tensors (a tuple element unpacked into arguments), off the tape.

    TF runs dataset functions in their own graph: a GradientTape around the iteration never
    records them. Pausing the active tapes gives the same, and keeps their records small.
    """
    args = to_tensors(element)
    args = args if isinstance(args, tuple) and not hasattr(args, "_fields") else (args,)
    paused = tape.active[:]
    tape.active.clear()
    try:
        return fn(*leading, *args)
    finally:
        tape.active[:] = paused

