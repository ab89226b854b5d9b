"""Shape and index manipulation: reshape, transpose, concat, gather, scatter, where, pad ...

Index-moving ops whose gradient is not a simple inverse are expressed as ``take`` of flat
positions: the op is applied once to ``arange(size)`` to learn which input element lands
where, and ``take``/``segment_sum`` (each the other's gradient) move values and gradients.
"""
import builtins

from tapeflow import dtypes, errors
from tapeflow.backend import xp
from tapeflow.ops import _primitive as P
from tapeflow.tensor import Tensor

_IAE = errors.InvalidArgumentError


def _fail(op, text, fix):
    return _IAE(errors.op_message(op, text, fix))


# -- identity-like ---------------------------------------------------------------------------
def identity(input, name=None):  # noqa: A002
    x = P.unary(input)
    return P.emit(x._value, (x,), _identity_vjp)


def _identity_vjp(r, g):
    return (g,)


def stop_gradient(input, name=None):  # noqa: A002
    """The same value, never recorded: gradients stop here."""
    return P.const(P.unary(input)._value)


def shape(input, out_type=dtypes.int32, name=None):  # noqa: A002
    x = P.unary(input)
    return P.const(xp.asarray(x._value.shape, dtypes.as_dtype(out_type)._np))


def size(input, out_type=dtypes.int32, name=None):  # noqa: A002
    return P.const(xp.asarray(P.unary(input)._value.size, dtypes.as_dtype(out_type)._np))


def rank(input, name=None):  # noqa: A002
    return P.const(xp.asarray(P.unary(input)._value.ndim, xp.int32))


# -- shapes ----------------------------------------------------------------------------------
def reshape(tensor, shape, name=None):
    """A new shape with the same elements; one dimension may be -1 (inferred)."""
    x = P.unary(tensor)
    try:
        dims = P.int_list(shape, "Reshape", "shape")
    except TypeError:
        raise _fail("Reshape", f"Value for attr 'Tshape' of a non-integer shape {shape!r} is "
                               "not in the list of allowed values: int32, int64",
                    "pass the new shape as integers.") from None
    n = x._value.size
    known = 1
    for d in dims:
        known *= d if d != -1 else 1
    if dims.count(-1) > 1 or (-1 not in dims and known != n) or \
            (-1 in dims and (known == 0 or n % known)):
        raise _fail("Reshape", f"Input to reshape is a tensor with {n} values, but the "
                               f"requested shape has {known} (requested shape {dims})",
                    "make the product of the new shape equal the number of values, or use "
                    "-1 for one dimension to infer it.")
    return P.emit(x._value.reshape(dims), (x,), _reshape_vjp)


def _reshape_vjp(r, g):
    return (reshape(g, r.inputs[0]._value.shape),)


def transpose(a, perm=None, conjugate=False, name=None):
    x = P.unary(a)
    nd = x._value.ndim
    perm = list(range(nd))[::-1] if perm is None else P.int_list(perm, "Transpose", "perm")
    if sorted(perm) != list(range(nd)):
        raise _fail("Transpose", f"perm {perm} is not a permutation of 0..{nd - 1} for a tensor "
                                 f"of shape {x.shape}",
                    f"pass each axis 0..{nd - 1} exactly once.")
    return P.emit(xp.transpose(x._value, perm), (x,), _transpose_vjp, perm)


def _transpose_vjp(r, g):
    return (transpose(g, [int(i) for i in xp.argsort(r.attrs)]),)


def expand_dims(input, axis, name=None):  # noqa: A002
    x = P.unary(input)
    a = P.axis_index(axis, x._value.ndim, "ExpandDims", extra=1)
    return P.emit(xp.expand_dims(x._value, a), (x,), _reshape_vjp)


def squeeze(input, axis=None, name=None):  # noqa: A002
    x = P.unary(input)
    shp = x._value.shape
    if axis is None:
        ax = tuple(i for i, d in enumerate(shp) if d == 1)
    else:
        ax = P.axes(axis, len(shp), "Squeeze")
        for a in ax:
            if shp[a] != 1:
                raise _fail("Squeeze", f"Can not squeeze dim[{a}], expected a dimension of 1, "
                                       f"got {shp[a]}",
                            "squeeze only axes of size 1 (or pass axis=None for all of them).")
    return P.emit(xp.squeeze(x._value, ax), (x,), _reshape_vjp)


def broadcast_to(input, shape, name=None):  # noqa: A002
    """Broadcast to ``shape`` (NumPy's rules); the gradient sums back (in the backward walk)."""
    x = P.unary(input)
    dims = P.int_list(shape, "BroadcastTo", "shape")
    try:
        v = xp.broadcast_to(x._value, dims)
    except ValueError:
        raise _fail("BroadcastTo", f"Unable to broadcast tensor of shape {x.shape} to "
                                   f"tensor of shape {tuple(dims)}",
                    "each dimension must match or be 1 in the input.") from None
    return P.emit(v, (x,), _identity_vjp)


# -- joining and splitting -------------------------------------------------------------------
def concat(values, axis, name=None):
    if not isinstance(values, (list, tuple)):
        values = [values]
    if not values:
        raise _fail("ConcatV2", "ConcatV2 needs at least one input, got an empty list",
                    "pass a non-empty list of tensors.")
    ts = P.operands(values, "ConcatV2")
    nd = ts[0]._value.ndim
    a = P.axis_index(axis, nd, "ConcatV2")
    for i, t in enumerate(ts):
        s0, s = ts[0]._value.shape, t._value.shape
        if len(s) != nd or any(d0 != d for j, (d0, d) in enumerate(zip(s0, s)) if j != a):
            raise _fail("ConcatV2", f"ConcatOp : Dimension mismatch: input 0 has shape {list(s0)}"
                                    f" and input {i} has shape {list(s)} (axis {a})",
                        "all inputs must have the same rank and the same size on every axis "
                        "but the concatenation axis.")
    v = xp.concatenate([t._value for t in ts], axis=a)
    return P.emit(v, tuple(ts), _concat_vjp, a)


def _concat_vjp(r, g):
    sizes = [t._value.shape[r.attrs] for t in r.inputs]
    return split(g, sizes, axis=r.attrs)


def stack(values, axis=0, name=None):
    ts = P.operands(values, "Pack")
    nd = ts[0]._value.ndim
    a = P.axis_index(axis, nd, "Pack", extra=1)
    for i, t in enumerate(ts):
        if t._value.shape != ts[0]._value.shape:
            raise _fail("Pack", f"Shapes of all inputs must match: values[0].shape = "
                                f"{list(ts[0]._value.shape)} != values[{i}].shape = "
                                f"{list(t._value.shape)}", "give every tensor the same shape.")
    return P.emit(xp.stack([t._value for t in ts], axis=a), tuple(ts), _stack_vjp, a)


def _stack_vjp(r, g):
    return unstack(g, axis=r.attrs)


def unstack(value, num=None, axis=0, name=None):
    x = P.unary(value)
    if x._value.ndim == 0:
        raise ValueError("unstack: input must be at least rank 1, got a scalar.")
    a = P.axis_index(axis, x._value.ndim, "Unpack")
    n = x._value.shape[a]
    if num is not None and num != n:
        raise ValueError(f"unstack: num={num} does not match dimension {n} of axis {a}.")
    parts = [xp.take(x._value, i, axis=a) for i in range(n)]
    return list(P.emit_many(parts, (x,), _unstack_vjp, a))


def _unstack_vjp(r, gs):
    gs = [g if g is not None else _zeros(o) for g, o in zip(gs, r.out)]
    return (stack(gs, axis=r.attrs),)


def _zeros(t):
    return P.const(xp.zeros(t._value.shape, t._value.dtype))


def split(value, num_or_size_splits, axis=0, num=None, name=None):
    x = P.unary(value)
    a = P.axis_index(axis, x._value.ndim, "Split")
    n = x._value.shape[a]
    if isinstance(num_or_size_splits, int) or (
            isinstance(num_or_size_splits, Tensor) and num_or_size_splits._value.ndim == 0):
        k = int(num_or_size_splits)
        if k <= 0 or n % k:
            raise _fail("Split", f"Number of ways to split should evenly divide the split "
                                 f"dimension, but got split_dim {a} (size = {n}) and "
                                 f"num_split {k}", "pick a number that divides the axis, or "
                                                   "pass a list of sizes.")
        sizes = [n // k] * k
    else:
        sizes = P.int_list(num_or_size_splits, "SplitV", "size_splits")
        if sizes.count(-1) == 1:
            sizes[sizes.index(-1)] = n - (sum(sizes) + 1)
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise _fail("SplitV", f"Determined shape must either match input shape along "
                                  f"split_dim exactly if fully specified, or be less than the "
                                  f"size of the input along split_dim if not fully specified. "
                                  f"Got: {sum(sizes)} vs {n} (sizes {sizes})",
                        "make the sizes add up to the axis length (one may be -1).")
    bounds = list(xp.cumsum(sizes)[:-1])
    parts = xp.split(x._value, bounds, axis=a)
    return list(P.emit_many(parts, (x,), _split_vjp, a))


def _split_vjp(r, gs):
    gs = [g if g is not None else _zeros(o) for g, o in zip(gs, r.out)]
    return (concat(gs, axis=r.attrs),)


# -- flat-position gathers: one primitive pair serves many ops ------------------------------
def take(x, positions):
    """Elements of ``x`` at flat ``positions`` (a backend int array of any shape)."""
    x = P.unary(x)
    return P.emit(x._value.reshape(-1)[positions], (x,), _take_vjp, positions)


def _take_vjp(r, g):
    x = r.inputs[0]
    return (reshape(segment_sum_flat(g, r.attrs, x._value.size), x._value.shape),)


def segment_sum_flat(data, positions, n):
    """A length-``n`` vector with ``data`` added at flat ``positions`` (``take``'s adjoint)."""
    data = P.unary(data)
    flat = data._value.reshape(-1)
    pos = positions.reshape(-1)
    if flat.dtype.kind == "f":
        out = xp.bincount(pos, weights=flat, minlength=n).astype(flat.dtype)
    else:
        out = xp.zeros(n, flat.dtype)
        xp.add.at(out, pos, flat)
    return P.emit(out, (data,), _segment_vjp, positions)


def _segment_vjp(r, g):
    return (take(g, r.attrs),)


def _positions(x):
    return xp.arange(x._value.size).reshape(x._value.shape)


def _by_position(x, index_fn):
    """Run an index-only op as ``take`` of the positions it selects."""
    return take(x, index_fn(_positions(x)))


# -- gathers and scatters --------------------------------------------------------------------
def _int_indices(indices, op):
    idx = P.unary(indices)
    if idx._value.dtype.kind not in "iu":
        raise _fail(op, f"indices must be an int32 or int64 tensor, got {idx.dtype.name}",
                    "cast the indices: tf.cast(indices, tf.int32).")
    return idx._value


def _check_range(idx, n, op, what="indices"):
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)].reshape(-1)[0]
        raise _fail(op, f"{what} = {bad} is not in [0, {n})",
                    "make every index non-negative and smaller than the axis size.")


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """Slices of ``params`` along ``axis`` at ``indices`` (any shape)."""
    x = P.unary(params)
    idx = _int_indices(indices, "GatherV2")
    a = P.axis_index(0 if axis is None else axis, x._value.ndim, "GatherV2")
    _check_range(idx, x._value.shape[a], "GatherV2")
    if batch_dims == 0 and a == 0:
        return P.emit(x._value[idx], (x,), _gather0_vjp, idx)
    return _by_position(x, lambda pos: _batched_take(pos, idx, a, batch_dims))


def _gather0_vjp(r, g):
    x = r.inputs[0]
    rows = x._value.shape[0]
    flat_g = reshape(g, (-1,) + x._value.shape[1:])
    return (unsorted_segment_sum(flat_g, r.attrs.reshape(-1), rows),)


def _batched_take(pos, idx, axis, batch_dims):
    if batch_dims < 0:
        batch_dims += idx.ndim
    if batch_dims == 0:
        return xp.take(pos, idx, axis=axis)
    return xp.stack([_batched_take(p, i, axis - 1, batch_dims - 1) for p, i in zip(pos, idx)])


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Rows of ``data`` summed into ``num_segments`` buckets by ``segment_ids``."""
    x = P.unary(data)
    ids = segment_ids._value if isinstance(segment_ids, Tensor) else xp.asarray(segment_ids)
    n = int(num_segments)
    rest = x._value.shape[ids.ndim:]
    flat_ids, rows = ids.reshape(-1), x._value.reshape((-1,) + rest)
    too_big = xp.nonzero(flat_ids >= n)[0]
    if too_big.size:
        i = int(too_big[0])
        raise _fail("UnsortedSegmentSum", f"segment_ids[{i}] = {flat_ids[i]} is out of range "
                    f"[0, {n})", "give every segment id a value below num_segments (negative "
                    "ids are dropped).")
    keep = flat_ids >= 0
    if not keep.all():  # TF drops the rows of negative ids
        flat_ids, rows = flat_ids[keep], rows[keep]
    out = xp.zeros((n,) + rest, x._value.dtype)
    xp.add.at(out, flat_ids, rows)
    return P.emit(out, (x,), _unsorted_segment_vjp, ids)


def _unsorted_segment_vjp(r, g):
    ids = r.attrs
    if ids.size == 0 or ids.min() >= 0:
        return (gather(g, P.const(ids)),)
    # a dropped row's gradient is 0 (TF's _GatherDropNegatives)
    picked = gather(g, P.const(xp.maximum(ids, 0)))
    kept = P.const((ids >= 0).reshape(ids.shape + (1,) * (picked._value.ndim - ids.ndim)))
    return (where(kept, picked, P.const(xp.zeros(picked._value.shape, picked._value.dtype))),)


def gather_nd(params, indices, batch_dims=0, name=None):
    x = P.unary(params)
    idx = _int_indices(indices, "GatherNd")
    k = idx.shape[-1]
    for j in range(k):
        _check_range(idx[..., j], x._value.shape[batch_dims + j], "GatherNd",
                     f"indices[...,{j}]")

    def pick(pos):
        if batch_dims == 0:
            return pos[tuple(idx[..., j] for j in range(k))]
        return xp.stack([gather_nd_array(p, i, batch_dims - 1) for p, i in zip(pos, idx)])
    return _by_position(x, pick)


def gather_nd_array(pos, idx, batch_dims):
    if batch_dims == 0:
        return pos[tuple(idx[..., j] for j in range(idx.shape[-1]))]
    return xp.stack([gather_nd_array(p, i, batch_dims - 1) for p, i in zip(pos, idx)])


def scatter_nd(indices, updates, shape, name=None):
    """Zeros of ``shape`` with ``updates`` added at ``indices`` (duplicates add up)."""
    idx = _int_indices(indices, "ScatterNd")
    u = P.unary(updates)
    dims = P.int_list(shape, "ScatterNd", "shape")
    base = P.const(xp.zeros(dims, u._value.dtype))
    return tensor_scatter_nd_add(base, idx, u)


def _scatter_key(idx):
    return tuple(idx[..., j] for j in range(idx.shape[-1]))


def _scatter_args(tensor, indices, updates, op):
    x = P.unary(tensor)
    idx = indices if not isinstance(indices, Tensor) and hasattr(indices, "dtype") \
        else _int_indices(indices, op)
    x, u = P.binary(x, updates, op)
    k = idx.shape[-1]
    for j in range(k):
        _check_range(idx[..., j], x._value.shape[j], op, f"indices[...,{j}]")
    want = idx.shape[:-1] + x._value.shape[k:]
    if u._value.shape != want:
        raise _fail(op, f"updates must have shape {list(want)} (indices.shape[:-1] + "
                        f"tensor.shape[{k}:]), got {list(u._value.shape)}",
                    "reshape the updates to match the indexed slices.")
    return x, idx, u


def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    x, idx, u = _scatter_args(tensor, indices, updates, "TensorScatterUpdate")
    out = x._value.copy()
    out[_scatter_key(idx)] = u._value
    return P.emit(out, (x, u), _scatter_update_vjp, idx)


def _scatter_update_vjp(r, g):
    idx = r.attrs
    gx = tensor_scatter_nd_update(g, idx, _zeros_of(idx.shape[:-1] + g._value.shape[
        idx.shape[-1]:], g)) if r.needs[0] else None
    return gx, (gather_nd(g, P.const(idx)) if r.needs[1] else None)


def _zeros_of(shape, like):
    return P.const(xp.zeros(shape, like._value.dtype))


def tensor_scatter_nd_add(tensor, indices, updates, name=None):
    x, idx, u = _scatter_args(tensor, indices, updates, "TensorScatterAdd")
    out = x._value.copy()
    xp.add.at(out, _scatter_key(idx), u._value)
    return P.emit(out, (x, u), _scatter_add_vjp, idx)


def _scatter_add_vjp(r, g):
    return g, (gather_nd(g, P.const(r.attrs)) if r.needs[1] else None)


def tensor_scatter_nd_sub(tensor, indices, updates, name=None):
    x, idx, u = _scatter_args(tensor, indices, updates, "TensorScatterSub")
    out = x._value.copy()
    xp.subtract.at(out, _scatter_key(idx), u._value)
    return P.emit(out, (x, u), _scatter_sub_vjp, idx)


def _scatter_sub_vjp(r, g):
    from tapeflow.ops import elementwise
    gu = elementwise.negative(gather_nd(g, P.const(r.attrs))) if r.needs[1] else None
    return g, gu


def _scatter_extreme(kernel, op):
    def scatter(tensor, indices, updates, name=None):
        x, idx, u = _scatter_args(tensor, indices, updates, op)
        out = x._value.copy()
        kernel.at(out, _scatter_key(idx), u._value)
        return P.emit(out, (x, u), _scatter_extreme_vjp, idx)
    return scatter


def _scatter_extreme_vjp(r, g):
    # The gradient goes to whichever value survived: the tensor's or an update's.
    from tapeflow.ops import comparison
    x, u = r.inputs
    idx = P.const(r.attrs)
    kept = comparison.equal(x, r.out)
    gx = where(kept, g, _zeros(g))
    gu = where(comparison.equal(u, gather_nd(r.out, idx)), gather_nd(g, idx),
               _zeros_of(u._value.shape, g))
    return gx, gu


tensor_scatter_nd_max = _scatter_extreme(xp.maximum, "TensorScatterMax")
tensor_scatter_nd_min = _scatter_extreme(xp.minimum, "TensorScatterMin")


def boolean_mask(tensor, mask, axis=None, name=None):
    x = P.unary(tensor)
    m = P.unary(mask)
    if m._value.dtype.kind != "b":
        m = P.const(m._value.astype(bool))  # TF accepts 0/1 masks
    a = 0 if axis is None else P.axis_index(axis, x._value.ndim, "BooleanMask")
    k = m._value.ndim
    if k == 0 or x._value.shape[a:a + k] != m._value.shape:
        raise ValueError(f"boolean_mask: shapes {x.shape[a:a + k]} and {m.shape} are "
                         f"incompatible (tensor shape {x.shape}, mask shape {m.shape}, "
                         f"axis {a}).")
    key = (builtins.slice(None),) * a + (m._value,)
    return _by_position(x, lambda pos: pos[key])


def where(condition, x=None, y=None, name=None):
    """With x and y: elementwise choice (broadcasting). Alone: int64 indices of True."""
    c = P.unary(condition)
    if x is None and y is None:
        return P.const(xp.argwhere(c._value).astype(xp.int64))
    if x is None or y is None:
        raise ValueError("where: x and y must both be given, or neither.")
    if c._value.dtype.kind != "b":
        raise _fail("SelectV2", f"condition must be a bool tensor, got {c.dtype.name}",
                    "compare first, e.g. tf.where(x > 0, x, y).")
    x, y = P.binary(x, y, "SelectV2")
    try:
        v = xp.where(c._value, x._value, y._value)
    except ValueError:
        raise _fail("SelectV2", f"condition {c.shape}, x {x.shape} and y {y.shape} do not "
                                f"broadcast together", "give shapes that broadcast.") from None
    return P.emit(v, (x, y), _where_vjp, c)


def _where_vjp(r, g):
    c = r.attrs
    z = _zeros(g)
    return (where(c, g, z) if r.needs[0] else None), (where(c, z, g) if r.needs[1] else None)


# -- slicing, padding, tiling ----------------------------------------------------------------
def slice(input_, begin, size, name=None):  # noqa: A001
    x = P.unary(input_)
    b = P.int_list(begin, "Slice", "begin")
    s = P.int_list(size, "Slice", "size")
    shp = x._value.shape
    if len(b) != len(shp) or len(s) != len(shp):
        raise _fail("Slice", f"Expected begin and size arguments to be 1-D tensors of size "
                             f"{len(shp)}, got {len(b)} and {len(s)}", "give one entry per axis.")
    key = []
    for d, (bi, si) in enumerate(zip(b, s)):
        end = shp[d] if si == -1 else bi + si
        if bi < 0 or end > shp[d] or end < bi:
            raise _fail("Slice", f"Expected begin[{d}] in [0, {shp[d]}] and size[{d}] in "
                                 f"[0, {shp[d] - bi}], but got begin {bi}, size {si}",
                        "keep begin + size within the input's shape (size -1 means 'to the end').")
        key.append(_slice_obj(bi, end))
    from tapeflow.ops import indexing
    return indexing.strided(x, tuple(key))


def _slice_obj(b, e):
    return builtins.slice(b, e)


def reverse(tensor, axis, name=None):
    x = P.unary(tensor)
    ax = P.axes(axis, x._value.ndim, "ReverseV2")
    return P.emit(xp.flip(x._value, ax), (x,), _reverse_vjp, ax)


def _reverse_vjp(r, g):
    return (reverse(g, list(r.attrs)),)


def tile(input, multiples, name=None):  # noqa: A002
    x = P.unary(input)
    m = P.int_list(multiples, "Tile", "multiples")
    if len(m) != x._value.ndim:
        raise _fail("Tile", f"Expected multiples argument to be a vector of length "
                            f"{x._value.ndim} but got length {len(m)}",
                    "give one multiple per axis.")
    return _by_position(x, lambda pos: xp.tile(pos, m))


def repeat(input, repeats, axis=None, name=None):  # noqa: A002
    x = P.unary(input)
    reps = repeats._value if isinstance(repeats, Tensor) else repeats
    return _by_position(x, lambda pos: xp.repeat(pos, reps, axis=axis))


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """Pad with ``constant_values`` (CONSTANT) or a mirror of the edges (REFLECT, SYMMETRIC)."""
    x = P.unary(tensor)
    p = xp.asarray(paddings._value if isinstance(paddings, Tensor) else paddings)
    if p.shape != (x._value.ndim, 2):
        raise _fail("Pad", f"The first dimension of paddings must be the rank of inputs "
                           f"{x._value.ndim}, paddings shape {list(p.shape)}",
                    "pass [[before, after]] for every axis.")
    width = [(int(a), int(b)) for a, b in p.tolist()]
    mode = mode.upper()
    if mode == "CONSTANT":
        from tapeflow.ops import indexing
        c = P.binary(x, constant_values, "PadV2")[1]
        v = xp.pad(x._value, width, constant_values=c._value)
        key = tuple(_slice_obj(a, a + d) for (a, _), d in zip(width, x._value.shape))
        return P.emit(v, (x,), lambda r, g: (indexing.strided(g, key),))
    if mode not in ("REFLECT", "SYMMETRIC"):
        raise ValueError(f"pad: mode must be CONSTANT, REFLECT or SYMMETRIC, got {mode!r}.")
    np_mode = "reflect" if mode == "REFLECT" else "symmetric"
    limit = 0 if mode == "REFLECT" else 1
    for (before, after), d in zip(width, x._value.shape):
        if before > d - 1 + limit or after > d - 1 + limit:
            raise _fail("MirrorPad", f"paddings must be less than{' or equal to' if limit else ''}"
                                     f" the dimension size: {before}, {after} not less than {d}",
                        "use smaller paddings for REFLECT/SYMMETRIC, or mode='CONSTANT'.")
    return _by_position(x, lambda pos: xp.pad(pos, width, mode=np_mode))


def sort(values, axis=-1, direction="ASCENDING", name=None):
    x = P.unary(values)
    a = P.axis_index(axis, x._value.ndim, "Sort")
    v = x._value
    if direction == "DESCENDING":
        v = ~v if v.dtype.kind == "b" else -v
    order = xp.argsort(v, axis=a, kind="stable")
    return _by_position(x, lambda pos: xp.take_along_axis(pos, order, a))


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    x = P.unary(values)
    a = P.axis_index(axis, x._value.ndim, "ArgSort")
    v = x._value if direction == "ASCENDING" else -x._value
    return P.const(xp.argsort(v, axis=a, kind="stable").astype(xp.int32))


def top_k(input, k=1, sorted=True, name=None):  # noqa: A002
    """The k largest entries of the last axis and their int32 indices (ties: lower index)."""
    x = P.unary(input)
    k = int(k)
    if k > x._value.shape[-1]:
        raise _fail("TopKV2", f"input must have at least k={k} columns, got "
                              f"{x._value.shape[-1]}", "lower k.")
    idx = xp.argsort(-x._value, axis=-1, kind="stable")[..., :k]
    values = _by_position(x, lambda pos: xp.take_along_axis(pos, idx, -1))
    return TopKV2(values, P.const(idx.astype(xp.int32)))


class TopKV2(tuple):
    """``(values, indices)`` with names, as TF's TopKV2 result."""

    def __new__(cls, values, indices):
        return super().__new__(cls, (values, indices))

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    idx = P.unary(indices)
    if idx._value.dtype.kind not in "iu":
        raise _fail("OneHot", f"indices must be uint8, int32 or int64, got {idx.dtype.name}",
                    "cast the indices: tf.cast(indices, tf.int32).")
    if dtype is None:
        for v in (on_value, off_value):
            if v is not None:
                dtype = P.unary(v).dtype
                break
    dt = dtypes.as_dtype(dtype or dtypes.float32)
    if int(depth) < 0:
        raise _fail("OneHot", f"depth must be non-negative, got: {int(depth)}",
                    "pass the number of classes as depth.")
    d = int(depth)
    hot = idx._value[..., None] == xp.arange(d)
    if on_value is None and off_value is None:
        out = hot.astype(dt._np)  # True -> 1, False -> 0: where(hot, 1, 0) in one pass
    else:
        on = xp.asarray(1 if on_value is None else P.unary(on_value)._value).astype(dt._np)
        off = xp.asarray(0 if off_value is None else P.unary(off_value)._value).astype(dt._np)
        out = xp.where(hot, on, off).astype(dt._np)
    if axis is not None and axis != -1:
        out = xp.moveaxis(out, -1, axis)
    return P.const(out)


def meshgrid(*args, indexing="xy", name=None):
    ts = [P.unary(a) for a in args]
    n = len(ts)
    outs = []
    for i, t in enumerate(ts):
        shape = [1] * n
        shape[i] = -1
        outs.append(reshape(t, shape))
    if indexing == "xy" and n >= 2:
        outs = [transpose(o, [1, 0] + list(range(2, n))) for o in outs]
    full = [o._value.shape for o in outs]
    target = xp.broadcast_shapes(*full)
    return [broadcast_to(o, target) for o in outs]


def roll(input, shift, axis, name=None):  # noqa: A002
    x = P.unary(input)
    s = P.int_list(shift, "Roll", "shift")
    a = P.int_list(axis, "Roll", "axis")
    return _by_position(x, lambda pos: xp.roll(pos, s if len(s) > 1 else s[0],
                                               tuple(a) if len(a) > 1 else a[0]))


def unique(x, out_idx=dtypes.int32, name=None):
    """The distinct values in order of first appearance, and each element's index into them."""
    v = P.unary(x)._value
    if v.ndim != 1:
        raise _fail("Unique", f"unique expects a 1D vector, got shape {list(v.shape)}",
                    "flatten first: tf.reshape(x, [-1]).")
    _, first, inverse = xp.unique(v, return_index=True, return_inverse=True)
    order = xp.argsort(first, kind="stable")
    rank = xp.empty_like(order)
    rank[order] = xp.arange(order.size)
    return UniqueResult(P.const(v[xp.sort(first)]),
                        P.const(rank[inverse.reshape(-1)].astype(dtypes.as_dtype(out_idx)._np)))


class UniqueResult(tuple):
    """``(y, idx)`` with names, as TF's Unique result."""

    def __new__(cls, y, idx):
        return super().__new__(cls, (y, idx))

    y = property(lambda self: self[0])
    idx = property(lambda self: self[1])


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    n = P.unary(lengths)._value
    m = int(n.max()) if maxlen is None else int(maxlen)
    return P.const((xp.arange(m) < n[..., None]).astype(dtypes.as_dtype(dtype)._np))


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0,
                  ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """TF's StridedSlice with its bit masks; ``x[...]`` is the friendlier spelling."""
    b = P.int_list(begin, "StridedSlice", "begin")
    e = P.int_list(end, "StridedSlice", "end")
    st = [1] * len(b) if strides is None else P.int_list(strides, "StridedSlice", "strides")
    key = []
    for i, (bi, ei, si) in enumerate(zip(b, e, st)):
        bit = 1 << i
        if ellipsis_mask & bit:
            key.append(Ellipsis)
        elif new_axis_mask & bit:
            key.append(None)
        elif shrink_axis_mask & bit:
            key.append(bi)
        else:
            key.append(builtins.slice(None if begin_mask & bit else bi,
                                      None if end_mask & bit else ei, si))
    from tapeflow.ops import indexing
    return indexing.getitem(input_, tuple(key))


def broadcast_static_shape(shape_x, shape_y):
    from tapeflow import shapes
    try:
        return shapes.TensorShape(xp.broadcast_shapes(tuple(shape_x.as_list()),
                                                      tuple(shape_y.as_list())))
    except ValueError:
        raise ValueError(f"Incompatible shapes for broadcasting. Two shapes are compatible if "
                         f"for each dimension pair they are either equal or one of them is 1. "
                         f"Received: {shape_x} and {shape_y}.") from None


def broadcast_dynamic_shape(shape_x, shape_y):
    sx = P.int_list(shape_x, "BroadcastArgs", "shape")
    sy = P.int_list(shape_y, "BroadcastArgs", "shape")
    return P.const(xp.asarray(xp.broadcast_shapes(tuple(sx), tuple(sy)), xp.int32))


def _sorted_segment_ids(segment_ids, op):
    """The ids of a sorted segment op: unlike the unsorted ops' negative ids, which are
    dropped, a negative one is TF's error here."""
    ids = P.unary(segment_ids)._value
    n = int(ids.max()) + 1 if ids.size else 0
    if ids.size and ids.min() < 0:
        raise _fail(op, f"Segment id {ids.reshape(-1)[ids.reshape(-1) < 0][0]} out of range "
                        f"[0, {n}), possibly because 'segment_ids' input is not sorted.",
                    "segment ids must be sorted and non-negative (the unsorted_segment_* ops "
                    "drop negative ids).")
    return ids, n


def segment_sum(data, segment_ids, name=None):
    ids, n = _sorted_segment_ids(segment_ids, "SegmentSum")
    return unsorted_segment_sum(data, P.const(ids), n)


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    from tapeflow.ops import elementwise
    x = P.unary(data)
    ids = P.unary(segment_ids)._value
    total = unsorted_segment_sum(x, P.const(ids), num_segments)  # (checks the ids)
    flat = ids.reshape(-1)
    counts = xp.bincount(flat[flat >= 0], minlength=int(num_segments)).astype(x._value.dtype)
    counts = xp.maximum(counts, 1).reshape((-1,) + (1,) * (x._value.ndim - ids.ndim))
    return elementwise.divide(total, P.const(counts))


def segment_mean(data, segment_ids, name=None):
    ids, n = _sorted_segment_ids(segment_ids, "SegmentMean")
    return unsorted_segment_mean(data, P.const(ids), n)


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32, name=None,
             axis=None, binary_output=False):
    a = P.unary(arr)._value.reshape(-1)
    n = max(int(a.max()) + 1 if a.size else 0, int(minlength or 0))
    if maxlength is not None:
        n = min(n, int(maxlength))
        keep = a < n
        a = a[keep]
    w = None if weights is None else P.unary(weights)._value.reshape(-1)
    if w is not None and maxlength is not None:
        w = w[keep]
    out = xp.bincount(a, weights=w, minlength=n)[:n]
    if binary_output:
        out = out > 0
    dt = dtypes.as_dtype(dtype) if w is None else P.unary(weights).dtype
    return P.const(out.astype(dt._np))


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=dtypes.int32,
                     name=None):
    lab = P.unary(labels)._value.reshape(-1).astype(xp.int64)
    pred = P.unary(predictions)._value.reshape(-1).astype(xp.int64)
    n = int(max(lab.max(), pred.max()) + 1) if num_classes is None else int(num_classes)
    w = xp.ones(lab.shape) if weights is None else P.unary(weights)._value.reshape(-1)
    out = xp.zeros((n, n), dtype=dtypes.as_dtype(dtype)._np)
    xp.add.at(out, (lab, pred), w.astype(out.dtype))
    return P.const(out)


def in_top_k(targets, predictions, k, name=None):
    """Whether each row's target class is among its k largest predictions (ties count in)."""
    t = P.unary(targets)._value.astype(xp.int64)
    p = P.unary(predictions)._value
    target_scores = p[xp.arange(p.shape[0]), t]
    better = (p > target_scores[:, None]).sum(axis=1)
    return P.const((better < int(k)) & xp.isfinite(target_scores))
