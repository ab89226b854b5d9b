"""The immutable Tensor, and the conversion of Python and NumPy values to tensors.

A Tensor wraps one backend array (or backend scalar). Its operators (``+``, ``@``, ``[]`` ...)
are attached by the ops package at import, from one table, so this module never imports ops.
"""
import builtins

from tapeflow import dtypes, shapes
from tapeflow.backend import xp

_int32_min, _int32_max = -(2**31), 2**31 - 1


def _shape(dims):
    s = object.__new__(shapes.TensorShape)
    s._dims = dims
    return s


class Tensor:
    """An immutable multidimensional array with a dtype and a shape (TF's EagerTensor).

    >>> t = Tensor(xp.ones((2, 1), "float32")); print(t.shape)
    (2, 1)
    """

    __slots__ = ("_value", "__weakref__")
    # Make NumPy defer to our reflected operators: ``array * tensor`` gives a Tensor.
    __array_priority__ = 100

    def __init__(self, value):
        self._value = value

    # -- what a tensor is -------------------------------------------------------------
    @property
    def dtype(self):
        d = dtypes.FROM_NP.get(self._value.dtype)
        return d if d is not None else dtypes.from_array_dtype(self._value.dtype)

    @property
    def shape(self):
        return _shape(self._value.shape)

    def get_shape(self):
        return self.shape

    def set_shape(self, shape):
        if not self.shape.is_compatible_with(shape):
            raise ValueError(f"Tensor's shape {self.shape} is not compatible with supplied "
                             f"shape {shapes.as_shape(shape)}.")

    @property
    def ndim(self):
        return self._value.ndim

    @property
    def device(self):
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    @property
    def name(self):
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    def numpy(self):
        """A NumPy copy of the value (a NumPy scalar for rank 0), as TF returns."""
        v = self._value
        if isinstance(v, xp.ndarray):
            return v[()] if v.ndim == 0 else v.copy()
        return v

    def ref(self):
        return Reference(self)

    experimental_ref = ref

    def __array__(self, dtype=None, copy=None):
        a = xp.asarray(self._value)
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        if copy:
            return a.copy()
        view = a.view()  # read-only, as TF's: np.asarray(t) must not be a way to change t
        view.flags.writeable = False
        return view

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return convert_to_tensor, (self.numpy(),)

    # -- Python protocol ---------------------------------------------------------------
    def __len__(self):
        if self._value.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._value.shape[0]

    def __bool__(self):
        return builtins.bool(self._value)

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __index__(self):
        if self._value.dtype.kind not in "iu" or self._value.ndim != 0:
            raise TypeError(f"Only integer scalar tensors can be used as an index, got a "
                            f"{self.dtype.name} tensor of shape {self.shape}.")
        return int(self._value)

    def __complex__(self):
        return complex(self._value)

    def __format__(self, format_spec):
        return format(self.numpy(), format_spec)

    def _unhashable(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    __hash__ = _unhashable

    def __setitem__(self, key, value):
        raise TypeError("'tensorflow.python.framework.ops.EagerTensor' object does not support "
                        "item assignment. Tensors are immutable: use tf.tensor_scatter_nd_update "
                        "to build a new tensor, or a tf.Variable and its .assign().")

    def __repr__(self):
        return (f"<tf.Tensor: shape={self.shape}, dtype={self.dtype.name}, "
                f"numpy={numpy_text(self._value, True)}>")

    def __str__(self):
        return f"tf.Tensor({numpy_text(self._value, False)}, shape={self.shape}, " \
               f"dtype={self.dtype.name})"


EagerTensor = Tensor


class Reference:
    """A hashable reference to a Tensor or Variable (``tensor.ref()``)."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def deref(self):
        return self._obj

    def __hash__(self):
        return id(self._obj)

    def __eq__(self, other):
        return isinstance(other, Reference) and other._obj is self._obj

    def __repr__(self):
        return f"<Reference wrapping {self._obj!r}>"


def numpy_text(value, is_repr):
    """The text TF prints for a value: NumPy's, with a newline before a multi-line array."""
    if is_repr:
        if value.ndim == 0:
            text = repr(value.item())
        else:
            text = repr(xp.asarray(value))
    else:
        text = str(xp.asarray(value) if value.ndim else value[()])
    return "\n" + text if "\n" in text else text


# -- conversion -----------------------------------------------------------------------------
def _mixed(value):
    """Refuse what TF refuses in a Python sequence: bools or strings mixed with numbers.

    Returns whether the first leaf is a NumPy value: then, as in TF, the sequence keeps
    NumPy's dtype (``[np.float64(2.), 1.5]`` is float64; ``[1.5, np.float64(2.)]`` float32).
    """
    first = value
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    kinds, stack = set(), [value]
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, builtins.bool):
            kinds.add("b")
        elif isinstance(v, (int, float, complex)):
            kinds.add("n")
        elif isinstance(v, (str, bytes)):
            kinds.add("s")
        else:
            kinds.add("o")
    if len(kinds - {"o"}) > 1:
        raise ValueError("Can't convert Python sequence with mixed types to Tensor.")
    return isinstance(first, (xp.ndarray, xp.generic))


def _infer_python(value, narrow=True):
    """An array for a Python value with TF's inference: float -> float32, int -> int32.

    With ``narrow=False`` (a dtype was requested) floats stay float64 until cast to it, so
    ``tf.constant(0.1, tf.float64)`` is exactly 0.1.
    """
    numpy_leaves = isinstance(value, (list, tuple)) and _mixed(value)
    try:
        a = xp.asarray(value)
    except (ValueError, OverflowError):
        if isinstance(value, (list, tuple)):
            raise ValueError("Can't convert non-rectangular Python sequence to Tensor.") from None
        raise ValueError("Can't convert Python sequence with out-of-range integer to "
                         "Tensor.") from None
    kind = a.dtype.kind
    if kind == "f":
        return a.astype(xp.float32) if narrow and not numpy_leaves else a
    if kind == "i" or (kind == "u" and numpy_leaves):
        if a.size == 0 or (_int32_min <= a.min() and a.max() <= _int32_max):
            return a.astype(xp.int32)
        return a
    if kind == "u" or (kind == "O" and _has_int(value)):
        raise ValueError("Can't convert Python sequence with out-of-range integer to Tensor.")
    if kind in "SU":
        return _to_bytes(a)
    if kind == "O":
        return _object_array(value, a)
    return a  # bool, complex


def _has_int(value):
    return isinstance(value, int) or (isinstance(value, (list, tuple)) and builtins.any(
        _has_int(v) for v in value))


def _to_bytes(a):
    out = xp.empty(a.shape, dtype=object)
    flat = out.reshape(-1)
    for i, s in enumerate(a.reshape(-1).tolist()):
        flat[i] = s.encode("utf-8") if isinstance(s, str) else s
    return out


def _object_array(value, a):
    # Sequences holding Tensors (``tf.constant([t1, t2])``) or strings of mixed widths.
    if a.ndim and builtins.all(isinstance(v, (bytes, str)) for v in a.reshape(-1).tolist()):
        return _to_bytes(a)
    if isinstance(value, (list, tuple)) and value and builtins.any(
            isinstance(v, Tensor) or hasattr(type(v), "_as_tensor") for v in value):
        parts = [convert_to_tensor(v)._value for v in value]
        return xp.stack(parts)
    if a.ndim == 0 and isinstance(a.item(), (bytes, str)):
        return _to_bytes(a)
    raise ValueError(f"Attempt to convert a value ({value!r}) with an unsupported type "
                     f"({type(value)}) to a Tensor.")


_PY_SCALARS = (builtins.bool, int, float, complex)


def _with_dtype(value, a, dtype):
    """Cast an inferred array to a requested dtype, refusing what TF refuses."""
    target = dtype._np
    if a.dtype == target:
        return a
    src, dst = a.dtype.kind, target.kind
    if a.size == 0 and src != "O":
        return a.astype(target)
    if dtype is dtypes.string or src == "O":
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype.name}")
    if not isinstance(value, (xp.ndarray, xp.generic)):
        # Python values: no floats into ints or bools, no ints into bools. Bools become
        # 1/0 and ints wrap around into narrower integer types, as TF does.
        if (src in "fc" and dst in "iub") or (src == "c" and dst == "f") or \
                (src in "iu" and dst == "b"):
            raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype.name}")
    return a.astype(target)


def array_of(value, dtype=None):
    """The backend array for a Python/NumPy value, with TF's dtype inference or ``dtype``."""
    if isinstance(value, (xp.ndarray, xp.generic)):
        a = value
        if a.dtype.kind in "SU":
            a = _to_bytes(xp.asarray(a))
        elif a.dtype.kind == "O":
            a = _object_array(value, xp.asarray(a))
    elif isinstance(value, (bytes, str)):
        a = xp.array(value.encode("utf-8") if isinstance(value, str) else value, dtype=object)
    elif isinstance(value, _PY_SCALARS) or isinstance(value, (list, tuple)):
        a = _infer_python(value, narrow=dtype is None)
    elif hasattr(value, "__array__"):
        a = xp.asarray(value)
    else:
        raise ValueError(f"Attempt to convert a value ({value!r}) with an unsupported type "
                         f"({type(value)}) to a Tensor.")
    if dtype is not None:
        a = _with_dtype(value, a, dtype)
    return a


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """Convert a Tensor, Variable, NumPy array or Python value to a Tensor (TF's rules).

    >>> convert_to_tensor(1.5).dtype
    tf.float32
    """
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype is not dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with "
                             f"dtype {value.dtype.name}: {value!r}")
        return value
    as_tensor = getattr(type(value), "_as_tensor", None)
    if as_tensor is not None:
        t = as_tensor(value)
        if dtype is not None and t.dtype is not dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with "
                             f"dtype {t.dtype.name}: {value!r}")
        return t
    if dtype is None and dtype_hint is not None:
        try:
            return Tensor(_owned(value, array_of(value, dtypes.as_dtype(dtype_hint))))
        except (TypeError, ValueError):
            pass
    return Tensor(_owned(value, array_of(value, dtype)))


def _owned(value, a):
    """``a``, copied if it is the caller's own NumPy array: a tensor never shares memory with
    an array its caller can still write to (TensorFlow copies too; tf.experimental.dlpack is
    the explicit way to share)."""
    return a.copy() if a is value and type(a) is not xp.generic and \
        isinstance(a, xp.ndarray) else a


def is_tensor_like(x):
    return isinstance(x, Tensor) or hasattr(type(x), "_as_tensor")

