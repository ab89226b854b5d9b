"""Python indexing of tensors: ``t[0]``, ``t[1:, ::2]``, ``t[..., tf.newaxis]`` (StridedSlice)."""
import builtins

from tapeflow import errors, tape
from tapeflow.backend import xp
from tapeflow.ops import _primitive as P
from tapeflow.tensor import Tensor

_VALID = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
          "tf.int32/tf.int64 tensors are valid indices")


def _scalar_int(v):
    if isinstance(v, builtins.bool):
        raise TypeError(f"{_VALID}, got {v!r}")
    if isinstance(v, int):
        return v
    if isinstance(v, Tensor) or hasattr(type(v), "_as_tensor"):
        t = P.unary(v)
        if t._value.ndim == 0 and t._value.dtype.kind in "iu":
            return int(t._value)
        raise TypeError(f"{_VALID}, got {v!r}")
    if isinstance(v, xp.integer) or (isinstance(v, xp.ndarray) and v.ndim == 0
                                     and v.dtype.kind in "iu"):
        return int(v)
    raise TypeError(f"{_VALID}, got {v!r}")


def _bound(v):
    return None if v is None else _scalar_int(v)


def normalize_key(key, shape):
    """Check an index against ``shape`` and turn it into a tuple NumPy slices the same way."""
    if isinstance(key, list):
        key = tuple(key)  # TF reads a list as one index per axis: x[[0, 1]] is x[0, 1]
    elif not isinstance(key, tuple):
        key = (key,)
    consumed = builtins.sum(1 for k in key if k is not None and k is not Ellipsis)
    if builtins.sum(1 for k in key if k is Ellipsis) > 1:
        raise ValueError("Multiple ellipses in slice spec not allowed")
    if consumed > len(shape):
        raise errors.InvalidArgumentError(errors.op_message(
            "StridedSlice", f"Index out of range using input dim {len(shape)}; input has only "
                            f"{len(shape)} dims", "use at most one index per axis."))
    out, dim = [], 0
    for k in key:
        if k is None:
            out.append(None)
        elif k is Ellipsis:
            out.append(Ellipsis)
            dim += len(shape) - consumed
        elif isinstance(k, builtins.slice):
            out.append(builtins.slice(_bound(k.start), _bound(k.stop), _bound(k.step)))
            if out[-1].step == 0:
                raise ValueError("slice step cannot be zero")
            dim += 1
        else:
            i = _scalar_int(k)
            n = shape[dim]
            if not -n <= i < n:
                raise errors.InvalidArgumentError(errors.op_message(
                    "StridedSlice", f"slice index {i} of dimension {dim} out of bounds "
                                    f"(size {n})",
                    f"use an index in [{-n}, {n}) for this axis."))
            out.append(i)
            dim += 1
    return tuple(out)


def getitem(x, key):
    """``x[key]`` for a Tensor. A bool tensor as the key is a mask (tf.boolean_mask)."""
    x = P.unary(x)
    if isinstance(key, Tensor) and key._value.dtype.kind == "b":
        from tapeflow.ops import manipulation
        return manipulation.boolean_mask(x, key)
    return strided(x, normalize_key(key, x._value.shape))


def strided(x, key):
    """The slicing primitive, for an already-normalised key."""
    return P.emit(x._value[key], (x,), _strided_vjp, key)


def _strided_vjp(r, g):
    return (_scatter_slice(g, r.attrs, r.inputs[0]._value.shape),)


def _scatter_slice(g, key, shape):
    """Zeros of ``shape`` with ``g`` written at ``key``: the adjoint of slicing."""
    out = xp.zeros(shape, g._value.dtype)
    out[key] = g._value
    return P.emit(out, (g,), _scatter_slice_vjp, key)


def _scatter_slice_vjp(r, g):
    return (strided(g, r.attrs),)


def variable_getitem(var, key, sliced_cls):
    """``v[key]``: a read of the variable, sliced, that also offers ``.assign``."""
    x = var.value()
    key = normalize_key(key, x._value.shape)
    out = sliced_cls(x._value[key], var, key)
    if P._active:
        tape.record(_strided_vjp, (x,), out, key)
    return out


def iterate(x):
    """Iterate over the first axis, as TF: scalars cannot be iterated."""
    x = P.unary(x)
    if x._value.ndim == 0:
        raise TypeError("Cannot iterate over a scalar tensor.")
    return (strided(x, (i,)) for i in range(x._value.shape[0]))
