"""tf.Variable: mutable, trainable state, and the name scopes that name it.

A Variable holds one backend array. Every assign replaces that array (never writes into it),
so tensors read earlier keep their values: reads are snapshots, as in TensorFlow.
"""
import itertools

from tapeflow import dtypes, errors, shapes, tape
from tapeflow.backend import xp
from tapeflow.tensor import Tensor, convert_to_tensor, numpy_text

_scopes = []  # the active tf.name_scope names, outermost first
_uids = itertools.count()  # creation order: watched_variables() lists variables by it


class name_scope:
    """``with tf.name_scope("block"):`` prefixes the names of Variables made inside."""

    def __init__(self, name, *args, **kwargs):
        self._name = name

    @property
    def name(self):
        return self._name

    def __enter__(self):
        self._saved = list(_scopes)
        name = self._name or ""
        if name.endswith("/"):  # a full scope name, as TF: re-entered, not nested
            _scopes[:] = [name.rstrip("/")]
        else:
            _scopes.append(name)
        return "/".join(s for s in _scopes if s) + "/"

    def __exit__(self, *exc):
        _scopes[:] = self._saved
        return False


def scoped_name(name):
    prefix = "/".join(s for s in _scopes if s)
    return f"{prefix}/{name}" if prefix else name


def _read_vjp(r, g):
    return (g,)


class VariableAggregation:
    NONE, SUM, MEAN, ONLY_FIRST_REPLICA = 0, 1, 2, 3


class VariableSynchronization:
    AUTO, NONE, ON_WRITE, ON_READ = 0, 1, 2, 3


class Variable:
    """A mutable tensor-like value that GradientTape watches automatically when trainable.

    >>> v = Variable(1.0); v.assign_add(2.0); float(v)
    3.0
    """

    __slots__ = ("_value", "_name", "_trainable", "_constraint", "_shape", "_uid",
                 "__weakref__")
    __array_priority__ = 100

    def __init__(self, initial_value=None, trainable=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 import_scope=None, constraint=None,
                 synchronization=VariableSynchronization.AUTO,
                 aggregation=VariableAggregation.NONE, shape=None,
                 experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError("The `initial_value` arg (None) must be specified: pass a tensor, "
                             "a NumPy array, a Python number or a callable returning one.")
        if callable(initial_value) and not isinstance(initial_value, Tensor):
            initial_value = initial_value()
        t = convert_to_tensor(initial_value, dtype=dtype) if not isinstance(
            initial_value, (Tensor, Variable)) or dtype is None else _cast_to(initial_value, dtype)
        value = t._value
        if value is initial_value:  # a NumPy array the caller may still change
            value = value.copy()
        self._value = xp.asarray(value)
        self._name = scoped_name(name or "Variable") + ":0"
        self._trainable = True if trainable is None else bool(trainable)
        self._constraint = constraint
        self._shape = None if shape is None else shapes.as_shape(shape)
        self._uid = next(_uids)

    # -- reading ----------------------------------------------------------------------------
    def value(self):
        """The current value as a Tensor; inside a tape this read is recorded."""
        t = Tensor(self._value)
        if tape.active:
            tape.record_read(self, t, _read_vjp)
        return t

    read_value = value
    _as_tensor = value

    def numpy(self):
        v = self._value
        return v[()] if v.ndim == 0 else v.copy()

    def __array__(self, dtype=None, copy=None):
        a = xp.asarray(self._value) if dtype is None else xp.asarray(self._value, dtype)
        return a.copy() if copy else a

    # -- what it is -------------------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        d = dtypes.FROM_NP.get(self._value.dtype)  # the hot lookup, as Tensor.dtype
        return d if d is not None else dtypes.from_array_dtype(self._value.dtype)

    @property
    def shape(self):
        return self._shape if self._shape is not None else shapes.TensorShape(self._value.shape)

    def get_shape(self):
        return self.shape

    @property
    def ndim(self):
        return self._value.ndim

    @property
    def trainable(self):
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    @property
    def device(self):
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    @property
    def handle(self):
        return self

    @property
    def initial_value(self):
        return Tensor(self._value)

    @property
    def aggregation(self):
        return VariableAggregation.NONE

    @property
    def synchronization(self):
        return VariableSynchronization.AUTO

    def ref(self):
        from tapeflow.tensor import Reference
        return Reference(self)

    experimental_ref = ref

    # -- writing ----------------------------------------------------------------------------
    def _converted(self, value, op):
        t = convert_to_tensor(value, dtype=self.dtype)
        if not self.shape.is_compatible_with(t.shape):
            raise ValueError(f"Cannot assign value to variable ' {self._name}': Shape mismatch."
                             f"The variable shape {self.shape}, and the assigned value shape "
                             f"{t.shape} are incompatible.")
        return t._value

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Replace the value (same shape and dtype); returns the variable, as TF shows it."""
        v = self._converted(value, "AssignVariableOp")
        self._value = v.copy() if v is value else _array(v)
        return UnreadVariable(self) if read_value else None

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        self._value = _array(self._value + self._delta(delta, "AssignAddVariableOp"))
        return UnreadVariable(self) if read_value else None

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        self._value = _array(self._value - self._delta(delta, "AssignSubVariableOp"))
        return UnreadVariable(self) if read_value else None

    def _delta(self, delta, op):
        if type(delta) is Tensor and delta._value.dtype == self._value.dtype and \
                delta._value.shape == self._value.shape:
            return delta._value  # the optimizer's case: already the right dtype and shape
        ty, v = type(delta), self._value
        if v.ndim == 0 and v.dtype.itemsize >= 4 and (
                (ty is float and v.dtype.kind == "f") or
                (ty is int and v.dtype.kind in "if" and 0 <= delta < 2**31)):
            return xp.asarray(delta, v.dtype)  # a counter's += 1: what the conversion gives
        t = convert_to_tensor(delta, dtype=self.dtype)
        if t._value.shape != self._value.shape:
            raise errors.InvalidArgumentError(errors.op_message(
                op, f"Cannot update variable with shape {list(self._value.shape)} using a "
                    f"Tensor with shape {list(t._value.shape)}, shapes must be equal.",
                "give the update the variable's shape."))
        return t._value

    def _assign_at(self, key, value):
        t = convert_to_tensor(value, dtype=self.dtype)
        target = self._value[key]
        if xp.shape(target) != t._value.shape:
            try:
                xp.broadcast_to(t._value, xp.shape(target))
            except ValueError:
                raise errors.InvalidArgumentError(errors.op_message(
                    "ResourceStridedSliceAssign", f"Cannot broadcast input shape "
                    f"{list(t._value.shape)} into final shape {list(xp.shape(target))} of the "
                    f"slice of variable '{self._name}'", "give the value the slice's shape."
                )) from None
        new = self._value.copy()
        new[key] = t._value
        self._value = new
        return UnreadVariable(self)

    def scatter_nd_update(self, indices, updates, name=None):
        new = self._value.copy()
        new[self._scatter_key(indices)] = convert_to_tensor(updates, dtype=self.dtype)._value
        self._value = new
        return UnreadVariable(self)

    def scatter_nd_add(self, indices, updates, name=None):
        new = self._value.copy()
        xp.add.at(new, self._scatter_key(indices),
                  convert_to_tensor(updates, dtype=self.dtype)._value)
        self._value = new
        return UnreadVariable(self)

    @staticmethod
    def _scatter_key(indices):
        idx = xp.asarray(convert_to_tensor(indices)._value)
        return tuple(idx[..., j] for j in range(idx.shape[-1]))

    # -- Python protocol --------------------------------------------------------------------
    def __len__(self):
        if self._value.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._value.shape[0]

    def __bool__(self):
        return bool(self._value)

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __index__(self):
        return Tensor(self._value).__index__()

    def __format__(self, spec):
        return format(self.numpy(), spec)

    def _unhashable(self):
        raise TypeError("Variable is unhashable. Instead, use variable.ref() as the key. "
                        f"(Variable: {self!r})")

    __hash__ = _unhashable

    def __repr__(self):
        return (f"<tf.Variable '{self._display_name()}' shape={self.shape} "
                f"dtype={self.dtype.name}, numpy={numpy_text(self._value, True)}>")

    def __str__(self):
        return self.__repr__()

    def _display_name(self):
        return self._name

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return Variable(self._value.copy(), trainable=self._trainable,
                        name=self._name.rsplit(":", 1)[0])


class UnreadVariable(Variable):
    """What ``assign`` returns: the same variable, shown as TF shows it ('UnreadVariable')."""

    __slots__ = ("_parent",)

    def __init__(self, parent):  # noqa: D107 - shares the parent's state
        self._parent = parent

    _value = property(lambda self: self._parent._value,
                      lambda self, v: setattr(self._parent, "_value", v))
    _name = property(lambda self: self._parent._name)
    _trainable = property(lambda self: self._parent._trainable)
    _constraint = property(lambda self: self._parent._constraint)
    _shape = property(lambda self: self._parent._shape)
    _uid = property(lambda self: self._parent._uid)

    def value(self):
        return self._parent.value()

    read_value = value
    _as_tensor = value

    @property
    def name(self):
        return "UnreadVariable"

    def _display_name(self):
        return "UnreadVariable"


class SlicedVariable(Tensor):
    """``v[0, 0]``: a Tensor read of a slice that can also be assigned (``v[0, 0].assign(3.)``)."""

    __slots__ = ("_var", "_key")

    def __init__(self, value, var, key):
        self._value = value
        self._var = var
        self._key = key

    def assign(self, value, use_locking=None, name=None, read_value=True):
        out = self._var._assign_at(self._key, value)
        return out if read_value else None


def _array(v):
    """Keep a variable's value an array: NumPy returns scalars from 0-d arithmetic."""
    return v if type(v) is xp.ndarray else xp.asarray(v)


def _cast_to(value, dtype):
    t = convert_to_tensor(value)
    dt = dtypes.as_dtype(dtype)
    if t.dtype is not dt:
        raise ValueError(f"Tensor conversion requested dtype {dt.name} for Tensor with dtype "
                         f"{t.dtype.name}: {t!r}")
    return t
