"""Every op, and the one table that gives Tensor and Variable their Python operators."""
from tapeflow.ops import (comparison, creation, elementwise, indexing, linalg, manipulation,
                          nn_ops, reduction)
from tapeflow.tensor import Tensor
from tapeflow.variable import SlicedVariable, Variable

E = elementwise


def _operator(op):
    """``x OP y`` on a tensor: a plain ``y`` must take x's dtype (TypeError if it cannot)."""
    def operator(x, y):
        if type(y) is Tensor:
            return op(x, y)
        return op(*_primitive.strict(x, y))
    operator.__name__ = op.__name__
    return operator


def _reflected(op):
    """``y OP x`` for ``x.__rOP__(y)``: the plain ``y`` must take x's dtype."""
    def reflected(x, y):
        x, y = _primitive.strict(x, y)
        return op(y, x)
    reflected.__name__ = op.__name__
    return reflected


def _eq(x, y):
    return comparison.tensor_equals(*_primitive.strict(x, y)) if y is not None else False


def _ne(x, y):
    return comparison.tensor_not_equals(*_primitive.strict(x, y)) if y is not None else True


def _in_place(symbol, method):
    def refuse(self, other):
        raise RuntimeError(f"`variable {symbol}= value` with `tf.Variable`s is not supported. "
                           f"Use `variable.{method}(value)` to modify the variable, or `out = "
                           f"variable {symbol} value` if you need to get a new output Tensor.")
    return refuse


OPERATORS = {
    # ``+`` is the op call itself: TF only hints the plain operand (int + 2.5: InvalidArgument).
    "__add__": E.add, "__radd__": _reflected(E.add),
    "__sub__": _operator(E.subtract), "__rsub__": _reflected(E.subtract),
    "__mul__": _operator(E.multiply), "__rmul__": _reflected(E.multiply),
    "__truediv__": E.divide, "__rtruediv__": _reflected(E.divide),
    "__floordiv__": _operator(E.floordiv), "__rfloordiv__": _reflected(E.floordiv),
    "__mod__": _operator(E.floormod), "__rmod__": _reflected(E.floormod),
    "__pow__": _operator(E.pow), "__rpow__": _reflected(E.pow),
    "__matmul__": _operator(linalg.matmul), "__rmatmul__": _reflected(linalg.matmul),
    "__neg__": E.negative, "__abs__": E.abs,
    "__invert__": comparison.invert,
    "__and__": _operator(comparison.bool_and), "__rand__": _reflected(comparison.bool_and),
    "__or__": _operator(comparison.bool_or), "__ror__": _reflected(comparison.bool_or),
    "__xor__": _operator(comparison.bool_xor), "__rxor__": _reflected(comparison.bool_xor),
    "__lt__": _operator(comparison.less), "__le__": _operator(comparison.less_equal),
    "__gt__": _operator(comparison.greater), "__ge__": _operator(comparison.greater_equal),
    "__eq__": _eq, "__ne__": _ne,
    "__getitem__": indexing.getitem, "__iter__": indexing.iterate,
}

from tapeflow.ops import _primitive  # noqa: E402  (used by the table's functions)

for _cls in (Tensor, Variable):
    for _name, _fn in OPERATORS.items():
        setattr(_cls, _name, _fn)
# Defining __eq__ drops the class's __hash__: keep TF's "unhashable, use .ref()" errors.
Tensor.__hash__ = Tensor._unhashable
Variable.__hash__ = Variable._unhashable
for _symbol, _method, _names in (("+", "assign_add", ("__iadd__",)),
                                 ("-", "assign_sub", ("__isub__",)),
                                 ("*", "assign", ("__imul__",)),
                                 ("/", "assign", ("__itruediv__",))):
    for _n in _names:
        setattr(Variable, _n, _in_place(_symbol, _method))


def _variable_getitem(v, key):
    return indexing.variable_getitem(v, key, SlicedVariable)


Variable.__getitem__ = _variable_getitem
del _cls, _name, _fn, _symbol, _method, _names, _n
__all__ = ["comparison", "creation", "elementwise", "indexing", "linalg", "manipulation",
           "nn_ops", "reduction", "OPERATORS"]
