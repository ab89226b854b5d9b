"""keras.Input, InputLayer, KerasTensor and Node: the symbolic side of the functional API.

Calling a layer on KerasTensors does not compute: it builds the layer, works out the output
shape (``compute_output_shape`` where a layer defines one, else by running ``call`` once on
small zero tensors, twice with different stand-ins for unknown sizes so that they stay None),
and records a Node linking input KerasTensors to new output KerasTensors. A functional Model
later replays those nodes on real tensors.

>>> x = Input(shape=(3,))
>>> x.shape
(None, 3)
"""

import tapeflow as tf
from tapeflow.keras import backend
from tapeflow.keras.layers import layer as layer_mod


class KerasHistory:
    __slots__ = ("node_index", "operation", "tensor_index")

    def __init__(self, operation, node_index, tensor_index):
        self.operation = operation
        self.node_index = node_index
        self.tensor_index = tensor_index

    @property
    def layer(self):
        return self.operation

    def __iter__(self):
        return iter((self.operation, self.node_index, self.tensor_index))


class KerasTensor:
    """A symbolic tensor: a shape (None for unknown sizes), a dtype and where it came from."""

    def __init__(self, shape, dtype="float32", sparse=False, ragged=False, name=None):
        self._shape = tuple(None if d is None else int(d) for d in shape)
        self._dtype = tf.as_dtype(getattr(dtype, "name", dtype)).name
        self.sparse = sparse
        self.ragged = ragged
        self.name = name or backend.unique_name("keras_tensor")
        self._keras_history = None

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return len(self._shape)

    def __repr__(self):
        return (f"<KerasTensor shape={self._shape}, dtype={self._dtype}, sparse={self.sparse}, "
                f"ragged={self.ragged}, name={self.name}>")

    def __len__(self):
        raise TypeError("A KerasTensor is symbolic: it has no length. Use `x.shape[0]`.")

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor cannot be used as a Python `bool`.")

    def __array__(self, *args, **kwargs):
        raise ValueError(
            "A KerasTensor is symbolic: it's a placeholder for a shape and a dtype. It doesn't "
            "have any actual numerical value. You cannot convert it to a NumPy array.")

    # Arithmetic on KerasTensors becomes a small op layer in the graph.
    def _op(self, fn, other=None, name="op"):
        from tapeflow.keras.layers import core
        return core.OpLayer(fn, name=backend.unique_name(name))(self, other) if other is not None \
            else core.OpLayer(fn, name=backend.unique_name(name))(self)

    def __add__(self, other):
        return _binary(lambda a, b: a + b, self, other, "add")

    def __radd__(self, other):
        return _binary(lambda a, b: b + a, self, other, "add")

    def __sub__(self, other):
        return _binary(lambda a, b: a - b, self, other, "subtract")

    def __rsub__(self, other):
        return _binary(lambda a, b: b - a, self, other, "subtract")

    def __mul__(self, other):
        return _binary(lambda a, b: a * b, self, other, "multiply")

    def __rmul__(self, other):
        return _binary(lambda a, b: b * a, self, other, "multiply")

    def __truediv__(self, other):
        return _binary(lambda a, b: a / b, self, other, "divide")

    def __neg__(self):
        from tapeflow.keras.layers import core
        return core.OpLayer(lambda a: -a, name=backend.unique_name("negative"))(self)

    def __getitem__(self, key):
        from tapeflow.keras.layers import core
        return core.OpLayer(lambda a: a[key], name=backend.unique_name("get_item"))(self)


def _binary(fn, x, other, name):
    from tapeflow.keras.layers import core
    layer = core.OpLayer(fn, name=backend.unique_name(name))
    if isinstance(other, KerasTensor):
        return layer([x, other])
    return core.OpLayer(lambda a: fn(a, other), name=layer.name)(x)


class Node:
    """One call of a layer on KerasTensors: the call's arguments and its outputs."""

    def __init__(self, layer, call_args=(), call_kwargs=None, outputs=()):
        self.operation = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs or {}
        self.outputs = outputs
        self.input_tensors = [t for t in tf.nest.flatten((call_args, self.call_kwargs))
                              if isinstance(t, KerasTensor)]
        self.output_tensors = list(tf.nest.flatten(outputs))

    @property
    def layer(self):
        return self.operation

    @property
    def parent_nodes(self):
        out = []
        for t in self.input_tensors:
            h = t._keras_history
            out.append(h.operation._inbound_nodes[h.node_index])
        return out


class InputLayer(layer_mod.Layer):
    """The layer behind ``keras.Input``: no weights, its one node has no inputs."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, **kwargs):
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        kwargs.pop("ragged", None)
        super().__init__(name=name or backend.unique_name("input_layer"), **kwargs)
        if batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument.")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        self._batch_shape = tuple(batch_shape)
        self._input_dtype = tf.as_dtype(getattr(dtype, "name", dtype) or backend.floatx()).name
        self.sparse = bool(sparse)
        self.optional = optional
        self.built = True
        if input_tensor is None:
            input_tensor = KerasTensor(self._batch_shape, self._input_dtype, name=name)
        input_tensor._keras_history = KerasHistory(self, 0, 0)
        self._inbound_nodes.append(Node(self, outputs=input_tensor))
        self._input_tensor = input_tensor

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def dtype(self):
        return self._input_dtype

    def call(self):
        return None

    def get_config(self):
        return {"batch_shape": self._batch_shape, "dtype": self._input_dtype,
                "sparse": self.sparse, "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional=False):
    """A symbolic input for the functional API: ``x = keras.Input(shape=(784,))``."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name, optional=optional)
    return layer._input_tensor


# -- symbolic calls ----------------------------------------------------------------------------
def _has_kt(x):
    if isinstance(x, KerasTensor):
        return True
    if isinstance(x, (list, tuple)):
        return any(_has_kt(v) for v in x)
    if isinstance(x, dict):
        return any(_has_kt(v) for v in x.values())
    return False


def any_symbolic(inputs, args, kwargs):
    return _has_kt(inputs) or (len(args) > 1 and _has_kt(args[1:])) or \
        (bool(kwargs) and _has_kt(kwargs))


def _concrete(x, fill):
    """Zero tensors standing in for KerasTensors (unknown sizes replaced by ``fill``)."""
    if isinstance(x, KerasTensor):
        shape = tuple(fill if d is None else d for d in x.shape)
        return tf.zeros(shape, dtype=x.dtype)
    if isinstance(x, list):
        return [_concrete(v, fill) for v in x]
    if isinstance(x, tuple):
        return tuple(_concrete(v, fill) for v in x)
    if isinstance(x, dict):
        return {k: _concrete(v, fill) for k, v in x.items()}
    return x


def _is_shape(x):
    return isinstance(x, (list, tuple)) and all(isinstance(d, (int, type(None))) for d in x)


def _from_shape(x, fill):
    if isinstance(x, tf.TensorShape):
        x = x.as_list()
    if isinstance(x, (list, tuple)) and not _is_shape(x):
        return [_from_shape(v, fill) for v in x]
    if isinstance(x, dict):
        return {k: _from_shape(v, fill) for k, v in x.items()}
    return tf.zeros(tuple(fill if d is None else int(d) for d in x))


def _run(layer, args, kwargs):
    return layer(*args, **kwargs)


def _merge_shapes(a, b):
    if isinstance(a, (list, tuple)):
        return type(a)(_merge_shapes(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return {k: _merge_shapes(a[k], b[k]) for k in a}
    sa, sb = tuple(a.shape), tuple(b.shape)
    return (tuple(x if x == y else None for x, y in zip(sa, sb)), a.dtype.name)


def _trace(layer, args, kwargs, shape_args=False):
    kwargs = dict(kwargs)
    if "training" in kwargs and isinstance(kwargs["training"], KerasTensor):
        kwargs.pop("training")
    kwargs.setdefault("training", False) if layer_mod._call_signature(type(layer))[0] else None
    conv = _from_shape if shape_args else _concrete
    out2 = _run(layer, [conv(a, 2) for a in args], {k: conv(v, 2) for k, v in kwargs.items()})
    out3 = _run(layer, [conv(a, 3) for a in args], {k: conv(v, 3) for k, v in kwargs.items()})
    return _merge_shapes(out2, out3)


def trace_shape(layer, input_shape):
    """The output shape (None where unknown) of ``layer`` on inputs of ``input_shape``."""
    spec = _trace(layer, [input_shape], {}, shape_args=True)
    return _strip(spec)


def _strip(spec):
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], str):
        return spec[0]
    if isinstance(spec, (list, tuple)):
        return type(spec)(_strip(s) for s in spec)
    if isinstance(spec, dict):
        return {k: _strip(v) for k, v in spec.items()}
    return spec


def _to_kt(spec, dtype_default):
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], str):
        return KerasTensor(spec[0], spec[1])
    if isinstance(spec, (list, tuple)):
        return type(spec)(_to_kt(s, dtype_default) for s in spec)
    if isinstance(spec, dict):
        return {k: _to_kt(v, dtype_default) for k, v in spec.items()}
    return KerasTensor(spec, dtype_default)


def _shapes_to_kt(shape):
    if isinstance(shape, tf.TensorShape):
        shape = shape.as_list()
    if _is_shape(shape):
        return KerasTensor(tuple(shape), "float32")
    if isinstance(shape, dict):
        return {k: _shapes_to_kt(v) for k, v in shape.items()}
    return type(shape)(_shapes_to_kt(s) for s in shape)


def _kt_shapes(x):
    if isinstance(x, KerasTensor):
        return x.shape
    if isinstance(x, (list, tuple)):
        return [_kt_shapes(v) for v in x]
    if isinstance(x, dict):
        return {k: _kt_shapes(v) for k, v in x.items()}
    return None


def symbolic_outputs(layer, args, kwargs):
    """Output KerasTensors of ``layer`` on the KerasTensors in ``args``, without recording."""
    if not layer.built:
        layer._maybe_build(_kt_shapes(args[0]))
    own = type(layer).compute_output_shape
    first = args[0]
    if own is not layer_mod.Layer.compute_output_shape and isinstance(first, KerasTensor) \
            and len(args) == 1:
        return _shapes_to_kt(layer.compute_output_shape(first.shape))
    return _to_kt(_trace(layer, args, kwargs), "float32")


def call_symbolic(layer, inputs, rest, kwargs):
    """``layer(keras_tensors)``: build, infer outputs, record a Node; returns KerasTensors."""
    args = (inputs,) + tuple(rest)
    if not layer.built:
        layer._maybe_build(_kt_shapes(inputs))
    if layer.input_spec is not None:
        layer._check_input_spec(inputs)
    outputs = symbolic_outputs(layer, args, kwargs)
    node_index = len(layer._inbound_nodes)
    for i, t in enumerate(tf.nest.flatten(outputs)):
        t._keras_history = KerasHistory(layer, node_index, i)
    layer._inbound_nodes.append(Node(layer, args, dict(kwargs), outputs))
    return outputs
