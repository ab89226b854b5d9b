"""The one dispatcher: operand conversion, TF's dtype rule, and emitting a recorded result.

Every op calls into this module: ``binary``/``unary``/``operands`` convert its inputs with
TensorFlow's rules (decided here once), the op runs its backend kernel, and ``emit`` wraps the
result and records it when a tape is active.
"""
from tapeflow import errors, tape
from tapeflow.backend import xp
from tapeflow.tensor import Tensor, array_of, convert_to_tensor, is_tensor_like

_active = tape.active  # the same list object: ``if _active`` is the hot-path check
_ndarray = xp.ndarray


def emit(value, inputs, vjp, attrs=None):
    """Wrap a kernel's result as a Tensor and record it (inputs, VJP) on active tapes."""
    out = Tensor(value)
    if _active:
        tape.record(vjp, inputs, out, attrs)
    return out


def emit_many(values, inputs, vjp, attrs=None):
    """``emit`` for ops with several outputs (split, unstack ...): returns a tuple."""
    outs = tuple(Tensor(v) for v in values)
    if _active:
        tape.record(vjp, inputs, outs, attrs)
    return outs


def const(value):
    """A Tensor that is never recorded (results of non-differentiable ops)."""
    return Tensor(value)


_scalars = {}


def scalar(value, np_dtype):
    """A Python number as a 0-d constant of a backend dtype, cached: VJPs, optimizers and
    ``x * 0.5`` in a loop convert each number once. Bounded, since a loop may also bring a new
    number every time."""
    if not value:  # 0.0 == -0.0 as keys, but their signs differ: zeros are not cached
        return Tensor(xp.asarray(value, np_dtype))
    key = (value, np_dtype)
    t = _scalars.get(key)
    if t is None:
        if len(_scalars) >= 512:
            _scalars.clear()
        t = _scalars[key] = Tensor(xp.asarray(value, np_dtype))
    return t


def unary(x):
    """The operand of a one-input op as a Tensor (Variables are read, values converted)."""
    if type(x) is Tensor:
        return x
    return convert_to_tensor(x)


def mismatch(op, i, expected, got):
    return errors.InvalidArgumentError(errors.op_message(
        op, f"cannot compute {op} as input #{i}(zero-based) was expected to be a "
            f"{expected.name} tensor but is a {got.name} tensor",
        f"cast one operand first, e.g. tf.cast(y, tf.{expected.name})."))


def binary(x, y, op):
    """Two operands of one dtype, by TF's rule for an op call, read left to right.

    Two tensors must already agree (InvalidArgumentError otherwise). A plain Python or NumPy
    operand before any tensor keeps its own inferred dtype; one after a tensor is converted to
    that tensor's dtype if it can be (2 -> 2.0, float64 array -> float32), else keeps its own,
    and the op then refuses the mismatch: ``tf.add(1, 2.)`` is an InvalidArgumentError.
    """
    if type(x) is Tensor and type(y) is Tensor:
        if x._value.dtype != y._value.dtype:
            raise mismatch(op, 1, x.dtype, y.dtype)
        return x, y
    x = _operand(x, None)
    ty = type(y)
    if ty is not Tensor and ty is not _ndarray and hasattr(ty, "_as_tensor"):
        y = y._as_tensor()  # a Variable: read, no hint needed
    else:
        y = _operand(y, x.dtype)
    if x._value.dtype != y._value.dtype:
        raise mismatch(op, 1, x.dtype, y.dtype)
    return x, y


def _operand(v, hint):
    if isinstance(v, Tensor):
        return v
    if type(v) is _ndarray and (v.dtype == hint._np if hint is not None
                                else v.dtype.kind in "biufc"):
        return Tensor(v)  # the common case: a NumPy batch, already of the wanted dtype
    if hasattr(type(v), "_as_tensor"):
        return v._as_tensor()
    if hint is not None:
        try:
            return Tensor(array_of(v, hint))
        except (TypeError, ValueError):
            pass
    return Tensor(array_of(v))


def strict(x, y):
    """Operands of a Python operator on tensor ``x``: a plain ``y`` must take x's dtype.

    ``int_tensor * 2.5`` raises TypeError (TF converts the plain operand with the tensor's
    dtype, and 2.5 is no int32); another tensor is left to the op's own dtype check.
    """
    x = x if type(x) is Tensor else convert_to_tensor(x)
    xd = x._value.dtype
    ty = type(y)
    if (ty is float or ty is int) and xd.kind == "f":
        return x, scalar(y, xd)  # a Python number for a float tensor: exact
    if ty is _ndarray and y.dtype == xd:  # before the attribute probe: arrays are common
        return x, Tensor(y)
    if isinstance(y, Tensor) or hasattr(ty, "_as_tensor"):
        return x, y
    return x, Tensor(array_of(y, x.dtype))


def incompatible(op, x, y):
    """The error for operands whose shapes do not broadcast."""
    return errors.InvalidArgumentError(errors.op_message(
        op, f"Incompatible shapes: {list(x._value.shape)} vs. {list(y._value.shape)}",
        "make the shapes broadcastable: equal, or 1, in each trailing dimension."))


def operands(values, op):
    """Several operands of one dtype (concat, stack, add_n): the first tensor decides."""
    values = list(values)
    dtype = None
    for v in values:
        if is_tensor_like(v):
            dtype = convert_to_tensor(v).dtype
            break
    out = []
    for i, v in enumerate(values):
        t = convert_to_tensor(v) if is_tensor_like(v) else Tensor(array_of(v, dtype))
        if dtype is None:
            dtype = t.dtype
        elif t.dtype is not dtype:
            raise mismatch(op, i, dtype, t.dtype)
        out.append(t)
    return out


def check_dtype(x, op, kinds, what):
    """Refuse a dtype the op has no kernel for (TF: InvalidArgumentError on attr 'T')."""
    if x._value.dtype.kind not in kinds:
        raise errors.InvalidArgumentError(errors.op_message(
            op, f"Value for attr 'T' of {x.dtype.name} is not in the list of allowed values: "
                f"{what}", "cast the input first, e.g. tf.cast(x, tf.float32)."))
    return x


FLOATS = "fc"
FLOAT_NAMES = "half, float, double, complex64, complex128"
NUMBERS = "iufc"
NUMBER_NAMES = "integer, float and complex types"


def axes(axis, ndim, op):
    """Normalise ``axis`` (None, int, list, tensor) to a tuple of non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, Tensor):
        axis = axis._value.tolist()
    if isinstance(axis, (list, tuple)):
        return tuple(axis_index(a, ndim, op) for a in axis)
    return (axis_index(axis, ndim, op),)


def _int(v, whole):
    """An int from an int-like value; floats are refused as TF refuses them (TypeError)."""
    if isinstance(v, (float, str, bytes)) or (hasattr(v, "dtype") and v.dtype.kind not in "iu"):
        raise TypeError(f"Cannot convert {whole!r} to EagerTensor of dtype int32")
    try:
        return int(v)
    except (TypeError, ValueError):
        raise TypeError(f"Cannot convert {whole!r} to EagerTensor of dtype int32") from None


def axis_index(axis, ndim, op, extra=0):
    """One axis in ``[-ndim - extra, ndim + extra)`` as a non-negative int."""
    a = _int(axis, axis)
    n = ndim + extra
    if not -n <= a < n:
        lo, hi = -n, n
        raise errors.InvalidArgumentError(errors.op_message(
            op, f"Invalid axis {a}: expected a value in [{lo}, {hi}) for a tensor of rank "
                f"{ndim}", "pass an axis within the tensor's rank (negative counts from the end)."))
    return a + n if a < 0 else a


def int_list(value, op, what):
    """A shape-like argument (list, tuple, TensorShape, tensor) as a list of ints."""
    if hasattr(type(value), "_as_tensor"):
        value = convert_to_tensor(value)
    if isinstance(value, Tensor):
        if value._value.dtype.kind not in "iu":
            raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype int32")
        return [int(v) for v in value._value.reshape(-1).tolist()]
    if value is None or isinstance(value, (float, str, bytes)):
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype int32 ({op} expects "
                        f"{what} as a list of ints).")
    if not hasattr(value, "__len__") and hasattr(value, "__index__"):
        return [int(value)]
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"{op}: expected {what} as a list of ints, got {value!r}.") from None
    return [int(v._value) if isinstance(v, Tensor) else _int(v, value) for v in items]
