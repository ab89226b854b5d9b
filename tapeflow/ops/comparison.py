"""Comparisons and logic: boolean results, no gradients."""
from tapeflow import errors
from tapeflow.backend import xp
from tapeflow.ops import _primitive as P


def _compare(kernel, op):
    def compare(x, y, name=None):
        x, y = P.binary(x, y, op)
        try:
            return P.const(kernel(x._value, y._value))
        except ValueError:
            raise P.incompatible(op, x, y) from None
    compare.__name__ = kernel.__name__
    compare.__doc__ = f"Elementwise {kernel.__name__} with broadcasting; a bool tensor."
    return compare


equal = _compare(xp.equal, "Equal")
not_equal = _compare(xp.not_equal, "NotEqual")
greater = _compare(xp.greater, "Greater")
greater_equal = _compare(xp.greater_equal, "GreaterEqual")
less = _compare(xp.less, "Less")
less_equal = _compare(xp.less_equal, "LessEqual")


def _python_comparison(kernel, op, when_unequal_shapes):
    def compare(x, y):
        if y is None:
            return when_unequal_shapes
        x, y = P.binary(x, y, op)
        try:
            return P.const(kernel(x._value, y._value))
        except ValueError:  # shapes that do not broadcast are simply unequal, as in TF
            return P.const(xp.asarray(when_unequal_shapes))
    return compare


tensor_equals = _python_comparison(xp.equal, "Equal", False)
tensor_equals.__doc__ = "``x == y`` for Tensors: elementwise; False if shapes cannot broadcast."
tensor_not_equals = _python_comparison(xp.not_equal, "NotEqual", True)


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
    return _bitwise(x, y, xp.logical_and, xp.bitwise_and, "BitwiseAnd")


def bool_or(x, y):
    return _bitwise(x, y, xp.logical_or, xp.bitwise_or, "BitwiseOr")


def bool_xor(x, y):
    return _bitwise(x, y, xp.logical_xor, xp.bitwise_xor, "BitwiseXor")


def _bitwise(x, y, logical, bitwise, op):
    """Python's ``&``, ``|``, ``^``: logical for bools, bitwise for integers, else refused."""
    x, y = P.binary(x, y, op)
    kind = x._value.dtype.kind
    if kind not in "biu":
        raise errors.InvalidArgumentError(errors.op_message(
            op, f"Value for attr 'T' of {x.dtype.name} is not in the list of allowed values: "
                "int8, int16, int32, int64, uint8, uint16, uint32, uint64",
            "use bool or integer tensors (compare floats first, e.g. (x > 0) & (y > 0))."))
    try:
        return P.const((logical if kind == "b" else bitwise)(x._value, y._value))
    except ValueError:
        raise P.incompatible(op, x, y) from None

