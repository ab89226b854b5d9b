"""tf.function and TensorSpec: accepted, and run eagerly (no tracing yet).

(Named after TF's own module: ``tapeflow.function`` would be shadowed by ``tf.function``.)
"""
import functools

from tapeflow import dtypes, shapes


class TensorSpec:
    """Describes a tensor: shape, dtype, name (used in ``input_signature``)."""

    def __init__(self, shape, dtype=dtypes.float32, name=None):
        self.shape = shapes.as_shape(shape)
        self.dtype = dtypes.as_dtype(dtype)
        self.name = name

    @classmethod
    def from_tensor(cls, tensor, name=None):
        return cls(tensor.shape, tensor.dtype, name)

    def is_compatible_with(self, other):
        return self.dtype == other.dtype and self.shape.is_compatible_with(other.shape)

    def __eq__(self, other):
        return (isinstance(other, TensorSpec) and self.shape == other.shape
                and self.dtype == other.dtype and self.name == other.name)

    def __hash__(self):
        return hash((self.shape, self.dtype, self.name))

    def __repr__(self):
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype!r}, name={self.name!r})"


class Function:
    """What ``@tf.function`` returns: calls the Python function eagerly."""

    def __init__(self, fn, input_signature=None, **options):
        self._fn = fn
        self.input_signature = input_signature
        self._options = options
        functools.update_wrapper(self, fn)

    @property
    def python_function(self):
        return self._fn

    def __call__(self, *args, **kwargs):
        return self._fn(*args, **kwargs)

    def __get__(self, instance, owner):
        if instance is None:
            return self
        return functools.partial(self.__call__, instance)

    def get_concrete_function(self, *args, **kwargs):
        return self

    def experimental_get_tracing_count(self):
        return 0


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """Decorator accepted for TF code: the function runs eagerly, silently."""
    def decorate(fn):
        return Function(fn, input_signature=input_signature, jit_compile=jit_compile)
    return decorate if func is None else decorate(func)
