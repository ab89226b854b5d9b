"""Every op, and the one table that gives Tensor and Variable their Python operators."""
from tapeflow.ops import (comparison, creation, elementwise, indexing, linalg, manipulation,
                          nn_ops, reduction)
from tapeflow.tensor import Tensor
from tapeflow.variable import SlicedVariable, Variable

E = elementwise


def _reflected(op):
    """``y OP x`` for ``x.__rOP__(y)``: the plain operand takes the tensor's dtype."""
    def reflected(x, y):
        return op(y, x)
    return reflected


def _add(x, y):
    # TF's ``+`` only hints the plain operand's dtype (int tensor + 2.5: InvalidArgumentError).
    return E.add(*_primitive.binary_hint(x, y, "AddV2"))


def _div(x, y):
    x, y = _primitive.binary_hint(x, y, "RealDiv")
    if x.dtype is not y.dtype:  # TF's truediv refuses with TypeError, not an op error
        raise TypeError(f"`x` and `y` must have the same dtype, got {x.dtype!r} != {y.dtype!r}."
                        f" Cast one of them, e.g. tf.cast(y, {x.dtype!r}).")
    return E.divide(x, y)


def _eq(x, y):
    return comparison.tensor_equals(x, y)


def _ne(x, y):
    return comparison.tensor_not_equals(x, y)


OPERATORS = {
    "__add__": _add, "__radd__": _reflected(E.add),
    "__sub__": E.subtract, "__rsub__": _reflected(E.subtract),
    "__mul__": E.multiply, "__rmul__": _reflected(E.multiply),
    "__truediv__": _div, "__rtruediv__": _reflected(E.divide),
    "__floordiv__": E.floordiv, "__rfloordiv__": _reflected(E.floordiv),
    "__mod__": E.floormod, "__rmod__": _reflected(E.floormod),
    "__pow__": E.pow, "__rpow__": _reflected(E.pow),
    "__matmul__": linalg.matmul, "__rmatmul__": _reflected(linalg.matmul),
    "__neg__": E.negative, "__abs__": E.abs, "__pos__": lambda x: x,
    "__invert__": comparison.invert,
    "__and__": comparison.bool_and, "__rand__": _reflected(comparison.bool_and),
    "__or__": comparison.bool_or, "__ror__": _reflected(comparison.bool_or),
    "__xor__": comparison.bool_xor, "__rxor__": _reflected(comparison.bool_xor),
    "__lt__": comparison.less, "__le__": comparison.less_equal,
    "__gt__": comparison.greater, "__ge__": comparison.greater_equal,
    "__eq__": _eq, "__ne__": _ne,
    "__getitem__": indexing.getitem, "__iter__": indexing.iterate,
}

from tapeflow.ops import _primitive  # noqa: E402  (used by the table's functions)

for _cls in (Tensor, Variable):
    for _name, _fn in OPERATORS.items():
        setattr(_cls, _name, _fn)
    _cls.__hash__ = _cls.__dict__.get("__hash__") or Tensor.__hash__
Tensor.__hash__ = Tensor.__dict__["__hash__"]


def _variable_getitem(v, key):
    return indexing.variable_getitem(v, key, SlicedVariable)


Variable.__getitem__ = _variable_getitem
del _cls, _name, _fn
__all__ = ["comparison", "creation", "elementwise", "indexing", "linalg", "manipulation",
           "nn_ops", "reduction", "OPERATORS"]
