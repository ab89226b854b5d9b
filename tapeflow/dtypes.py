"""DType objects (``tf.float32`` ...), ``as_dtype``, and the map from backend array dtypes."""
from tapeflow.backend import xp


class DType:
    """A TensorFlow data type: ``tf.float32``, ``tf.int32``, ``tf.string`` ...

    Compares equal to its name and to the matching NumPy dtype (``tf.float32 == "float32"``).
    """

    __slots__ = ("_name", "_np")

    def __init__(self, name, np_dtype):
        self._name = name
        self._np = xp.dtype(np_dtype)

    @property
    def name(self):
        return self._name

    @property
    def as_numpy_dtype(self):
        return self._np.type

    @property
    def base_dtype(self):
        return self

    @property
    def real_dtype(self):
        return {"complex64": float32, "complex128": float64}.get(self._name, self)

    @property
    def is_floating(self):
        return self._np.kind == "f"

    @property
    def is_integer(self):
        return self._np.kind in "iu"

    @property
    def is_unsigned(self):
        return self._np.kind == "u"

    @property
    def is_bool(self):
        return self._np.kind == "b"

    @property
    def is_complex(self):
        return self._np.kind == "c"

    @property
    def is_numeric(self):
        return self._np.kind in "iufc"

    @property
    def is_quantized(self):
        return False

    @property
    def is_numpy_compatible(self):
        return True

    @property
    def size(self):
        return 8 if self is string else self._np.itemsize

    @property
    def itemsize(self):
        return self.size

    @property
    def min(self):
        return self._limits()[0]

    @property
    def max(self):
        return self._limits()[1]

    @property
    def limits(self):
        return self._limits()

    def _limits(self):
        kind = self._np.kind
        if kind == "f":
            info = xp.finfo(self._np)
            return info.min, info.max
        if kind in "iu":
            info = xp.iinfo(self._np)
            return info.min, info.max
        if kind == "b":
            return False, True
        raise TypeError(f"Cannot find minimum/maximum value of {self._name}.")

    def is_compatible_with(self, other):
        return self == other

    def __eq__(self, other):
        if other is self:
            return True
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __ne__(self, other):
        return other is not self and not self.__eq__(other)

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return f"tf.{self._name}"

    def __str__(self):
        return f"<dtype: '{self._name}'>"

    def __reduce__(self):
        return as_dtype, (self._name,)


float16 = DType("float16", "float16")
float32 = DType("float32", "float32")
float64 = DType("float64", "float64")
int8 = DType("int8", "int8")
int16 = DType("int16", "int16")
int32 = DType("int32", "int32")
int64 = DType("int64", "int64")
uint8 = DType("uint8", "uint8")
uint16 = DType("uint16", "uint16")
uint32 = DType("uint32", "uint32")
uint64 = DType("uint64", "uint64")
complex64 = DType("complex64", "complex64")
complex128 = DType("complex128", "complex128")
bool = DType("bool", "bool")  # noqa: A001  (TF's public name)
# Strings live in object arrays of ``bytes``, the way TensorFlow's ``.numpy()`` returns them.
string = DType("string", "object")
half, double = float16, float64

_ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
        complex64, complex128, bool, string)
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update(half=float16, float=float32, double=float64, complex=complex128)
# Backend array dtype -> DType: the hot lookup behind ``Tensor.dtype``.
FROM_NP = {d._np: d for d in _ALL}


def from_array_dtype(np_dtype):
    """The DType of a backend array's dtype (``S``/``U``/object arrays are strings)."""
    d = FROM_NP.get(np_dtype)
    if d is None:
        if np_dtype.kind in "SUO":
            return string
        raise TypeError(f"Cannot convert array dtype {np_dtype} to a TensorFlow DType.")
    return d


def as_dtype(type_value):
    """Convert a name, NumPy dtype or Python type to a DType (``tf.as_dtype``).

    >>> as_dtype("float32")
    tf.float32
    """
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        d = _BY_NAME.get(type_value)
        if d is not None:
            return d
    elif type_value is str or type_value is bytes:
        return string
    elif type_value is float:
        return float32  # TF maps Python's float to float32, not NumPy's float64
    else:
        try:
            np_dtype = xp.dtype(type_value)
        except TypeError:
            np_dtype = None
        if np_dtype is not None and (np_dtype in FROM_NP or np_dtype.kind in "SU"):
            return from_array_dtype(np_dtype)
    raise TypeError(f"Cannot convert the argument `type_value`: {type_value!r} to a "
                    "TensorFlow DType.")
