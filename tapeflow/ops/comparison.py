"""Comparisons and logic: boolean results, no gradients."""
from tapeflow import dtypes, errors
from tapeflow.backend import xp
from tapeflow.ops import _primitive as P


def _compare(kernel, op):
    def compare(x, y, name=None):
        x, y = P.binary(x, y, op)
        return P.const(kernel(x._value, y._value))
    compare.__name__ = kernel.__name__
    compare.__doc__ = f"Elementwise {kernel.__name__} with broadcasting; a bool tensor."
    return compare


equal = _compare(xp.equal, "Equal")
not_equal = _compare(xp.not_equal, "NotEqual")
greater = _compare(xp.greater, "Greater")
greater_equal = _compare(xp.greater_equal, "GreaterEqual")
less = _compare(xp.less, "Less")
less_equal = _compare(xp.less_equal, "LessEqual")


def tensor_equals(x, y):
    """``x == y`` for Tensors: elementwise, and False when shapes cannot broadcast (as TF)."""
    if y is None:
        return False
    x, y = P.binary(x, y, "Equal")
    try:
        return P.const(xp.equal(x._value, y._value))
    except ValueError:
        return P.const(xp.asarray(False))


def tensor_not_equals(x, y):
    if y is None:
        return True
    x, y = P.binary(x, y, "NotEqual")
    try:
        return P.const(xp.not_equal(x._value, y._value))
    except ValueError:
        return P.const(xp.asarray(True))


def _logical(kernel, op):
    def logical(x, y, name=None):
        x, y = P.binary(x, y, op)
        _require_bool(x, op)
        return P.const(kernel(x._value, y._value))
    logical.__name__ = kernel.__name__
    return logical


def _require_bool(x, op):
    if x._value.dtype.kind != "b":
        raise errors.InvalidArgumentError(errors.op_message(
            op, f"cannot compute {op} as input #0(zero-based) was expected to be a bool tensor "
                f"but is a {x.dtype.name} tensor", "cast the inputs with tf.cast(x, tf.bool)."))


logical_and = _logical(xp.logical_and, "LogicalAnd")
logical_or = _logical(xp.logical_or, "LogicalOr")
logical_xor = _logical(xp.logical_xor, "LogicalXor")


def logical_not(x, name=None):
    x = P.unary(x)
    _require_bool(x, "LogicalNot")
    return P.const(xp.logical_not(x._value))


def invert(x, name=None):
    """Bitwise not for integers, logical not for bools (Python's ``~``)."""
    x = P.unary(x)
    if x._value.dtype.kind == "b":
        return logical_not(x)
    if x._value.dtype.kind not in "iu":
        raise TypeError(f"~ (Invert) needs a bool or integer tensor, got {x.dtype.name}.")
    return P.const(xp.invert(x._value))


def bool_and(x, y):
    """Python's ``&``: logical for bools, bitwise for integers."""
    x, y = P.binary(x, y, "LogicalAnd")
    if x._value.dtype.kind == "b":
        return P.const(xp.logical_and(x._value, y._value))
    return P.const(xp.bitwise_and(x._value, y._value))


def bool_or(x, y):
    x, y = P.binary(x, y, "LogicalOr")
    if x._value.dtype.kind == "b":
        return P.const(xp.logical_or(x._value, y._value))
    return P.const(xp.bitwise_or(x._value, y._value))


def bool_xor(x, y):
    x, y = P.binary(x, y, "LogicalXor")
    if x._value.dtype.kind == "b":
        return P.const(xp.logical_xor(x._value, y._value))
    return P.const(xp.bitwise_xor(x._value, y._value))


def is_dtype_bool(x):
    return P.unary(x).dtype is dtypes.bool
