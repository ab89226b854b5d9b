"""Tensors made from nothing but a shape or a value: constant, zeros, ones, range, eye ..."""
import builtins

from tapeflow import dtypes, errors
from tapeflow.backend import xp
from tapeflow.ops import _primitive as P
from tapeflow.tensor import Tensor, array_of, convert_to_tensor


def constant(value, dtype=None, shape=None, name=None):
    """A tensor holding a copy of ``value`` (TF's inference: 1.0 -> float32, 1 -> int32).

    >>> constant([[1., 2.]]).shape
    TensorShape([1, 2])
    """
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(value, Tensor) or hasattr(type(value), "_as_tensor"):
        t = convert_to_tensor(value)
        if dtype is not None and t.dtype is not dtype:
            raise TypeError(f"Expected tensor {t._value} with dtype {dtype!r}, but got dtype "
                            f"{t.dtype!r}. Use tf.cast(value, {dtype!r}) to change a tensor's "
                            "dtype.")
        a = t._value
    else:
        if isinstance(value, (list, tuple)) and any(
                isinstance(v, Tensor) or hasattr(type(v), "_as_tensor") for v in value):
            raise ValueError("tf.constant cannot pack a list of tensors (TF: 'Scalar tensor has "
                             "no `len()`'); use tf.stack(values) or tf.convert_to_tensor(values).")
        a = array_of(value, dtype)
        if a is value:
            a = a.copy()
    a = xp.asarray(a)
    if shape is not None:
        dims = P.int_list(shape, "Const", "shape")
        n = 1
        for d in dims:
            n *= d
        if a.size == 1:
            a = xp.full(dims, a.reshape(()), a.dtype)
        elif a.size == n:
            a = a.reshape(dims)
        else:
            raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor "
                            f"{a} (converted from {value!r}) has {a.size} elements, but got "
                            f"`shape` {tuple(dims)} with {n} elements).")
    return Tensor(a)


def _shape_arg(shape, op):
    dims = P.int_list(shape, op, "shape")
    for d in dims:
        if d < 0:
            raise errors.InvalidArgumentError(errors.op_message(
                "Fill", f"Dimension {d} must be >= 0", "pass non-negative dimensions."))
    return dims


def zeros(shape, dtype=dtypes.float32, name=None, layout=None):
    dt = dtypes.as_dtype(dtype)
    return Tensor(xp.zeros(_shape_arg(shape, "Zeros"), dt._np if dt is not dtypes.string
                           else object))


def ones(shape, dtype=dtypes.float32, name=None, layout=None):
    return Tensor(xp.ones(_shape_arg(shape, "Ones"), dtypes.as_dtype(dtype)._np))


def zeros_like(input, dtype=None, name=None, layout=None):  # noqa: A002
    x = P.unary(input)
    dt = x._value.dtype if dtype is None else dtypes.as_dtype(dtype)._np
    return Tensor(xp.zeros(x._value.shape, dt))


def ones_like(input, dtype=None, name=None, layout=None):  # noqa: A002
    x = P.unary(input)
    dt = x._value.dtype if dtype is None else dtypes.as_dtype(dtype)._np
    return Tensor(xp.ones(x._value.shape, dt))


def fill(dims, value, name=None, layout=None):
    v = P.unary(value)
    if v._value.ndim != 0:
        raise errors.InvalidArgumentError(errors.op_message(
            "Fill", f"value must be a scalar, got shape {v.shape}", "pass a single number."))
    return Tensor(xp.full(_shape_arg(dims, "Fill"), v._value, v._value.dtype))


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001
    """Numbers from ``start`` up to (not including) ``limit`` by ``delta``."""
    if limit is None:
        start, limit = 0, start
    vals = [P.unary(v) if isinstance(v, Tensor) or hasattr(type(v), "_as_tensor")
            else convert_to_tensor(v) for v in (start, limit, delta)]
    if dtype is None:
        # The widest of the arguments' dtypes, as TF: any float makes it float32.
        order = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]
        dt = builtins.max((v.dtype for v in vals), key=lambda d: order.index(d)
                          if d in order else 0)
    else:
        dt = dtypes.as_dtype(dtype)
    s, lim, d = (v._value.item() for v in vals)
    if d == 0:
        raise errors.InvalidArgumentError(errors.op_message(
            "Range", "Requires delta != 0: 0", "use a non-zero delta."))
    if (d > 0 and s > lim) or (d < 0 and s < lim):
        raise errors.InvalidArgumentError(errors.op_message(
            "Range", f"Requires start <= limit when delta > 0: {s}/{lim}",
            "swap start and limit, or flip the sign of delta."))
    return Tensor(xp.arange(s, lim, d).astype(dt._np))


def linspace(start, stop, num, name=None, axis=0):
    a, b = P.binary(start, stop, "LinSpace")
    if a._value.dtype.kind in "iu":  # TF computes integer endpoints in float64
        a, b = (P.const(t._value.astype(xp.float64)) for t in (a, b))
    if a._value.dtype.kind not in "f":
        raise errors.InvalidArgumentError(errors.op_message(
            "LinSpace", f"start and stop must be float tensors, got {a.dtype.name}",
            "pass floats, e.g. tf.linspace(0., 1., 5)."))
    out = xp.linspace(a._value, b._value, int(num), axis=axis).astype(a._value.dtype)
    return Tensor(out)


lin_space = linspace


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    m = xp.eye(int(num_rows), None if num_columns is None else int(num_columns),
               dtype=dtypes.as_dtype(dtype)._np)
    if batch_shape is not None:
        m = xp.broadcast_to(m, tuple(P.int_list(batch_shape, "Eye", "batch_shape")) + m.shape)
        m = m.copy()
    return Tensor(m)
