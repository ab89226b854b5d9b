"""keras.layers.Layer: state (weights) plus a call, built lazily on the first call.

A Layer owns KerasVariables made by ``add_weight`` and finds its sublayers through the
attributes they are assigned to (lists and dicts of layers too). ``__call__`` converts the
inputs (float inputs are autocast to float32), builds the layer from the first input shape,
checks the input spec, resolves the ``training`` flag (explicit, else inherited from the outer
call, else the signature default) and runs ``call``. Called on KerasTensors (``keras.Input``)
it records a Node instead, which is how functional models are wired.

>>> import tapeflow as tf
>>> class Scale(Layer):
...     def build(self, input_shape):
...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
...     def call(self, x):
...         return x * self.w
>>> Scale()(tf.ones((2, 3))).shape
TensorShape([2, 3])
"""
import inspect
import warnings

import numpy as np

import tapeflow as tf
from tapeflow.keras import backend

_FLOATX = tf.float32
_FLOAT_DTYPES = {"float16": tf.float16, "float32": tf.float32, "float64": tf.float64,
                 "bfloat16": getattr(tf, "bfloat16", tf.float32)}


def _snake(name):
    import re
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


class KerasVariable(tf.Variable):
    """A Keras weight: a tf.Variable that knows its layer path ('dense/kernel').

    ``name`` is the short name ('kernel') and ``path`` the full one, as in Keras 3.
    """

    __slots__ = ("_path", "_short_name", "regularizer")

    def __init__(self, initial_value, *, name, path, trainable=True, dtype=None,
                 regularizer=None, constraint=None):
        super().__init__(initial_value, trainable=trainable, name=name, dtype=dtype,
                         constraint=constraint)
        self._short_name = name
        self._path = path
        self.regularizer = regularizer

    @property
    def name(self):
        return self._short_name

    @property
    def path(self):
        return self._path

    def __repr__(self):
        return (f"<Variable path={self._path}, shape={tuple(self.shape)}, "
                f"dtype={self.dtype.name}, value={self.numpy()}>")

    __str__ = __repr__


class InputSpec:
    """What a layer accepts: ``ndim``/``min_ndim`` and fixed sizes on some ``axes``."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = shape
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = dict(axes or {})
        self.name = name
        self.optional = optional
        self._passed = None  # the last shape that passed: a layer sees one shape step after step

    def check(self, layer_name, index, shape):
        rank = len(shape)
        if self.ndim is not None and rank != self.ndim:
            raise ValueError(f"{self._head(layer_name, index)}expected ndim={self.ndim}, found "
                             f"ndim={rank}. Full shape received: {tuple(shape)}")
        if self.min_ndim is not None and rank < self.min_ndim:
            raise ValueError(f"{self._head(layer_name, index)}expected min_ndim={self.min_ndim}, "
                             f"found ndim={rank}. Full shape received: {tuple(shape)}")
        for axis, value in self.axes.items():
            if value is not None and -rank <= axis < rank and shape[axis] not in (value, None):
                raise ValueError(f"{self._head(layer_name, index)}expected axis {axis} of input "
                                 f"shape to have value {value}, but received input with shape "
                                 f"{tuple(shape)}")

    def _head(self, layer_name, index):
        return (f"Input {index} with name '{self.name}' of layer '{layer_name}' is incompatible "
                "with the layer: ")


class _CallContext:
    __slots__ = ("training",)

    def __init__(self, training):
        self.training = training


# Bumped by every change to what a model's weight walks find (a layer added, removed, frozen or
# unfrozen, a weight created): the trainer walks the layers again only after one.
structure_version = [0]

_context = [None]  # the outermost running call's context (training flag), or None
_pending_losses = [0]  # how many add_loss calls may need clearing at the next outer call
_name_stack = []  # names of the layers being called, outermost first (Keras's name scopes)

_SIGNATURES = {}  # class -> (has training arg, training default, has mask arg, n positional)


_PLAIN = (str, int, float, bool, type(None))
_NO_AUTO_CONFIG = """
Object {name} was created by passing
{why}

Example:


class CustomLayer(keras.layers.Layer):
    def __init__(self, arg1, arg2, **kwargs):
        super().__init__(**kwargs)
        self.arg1 = arg1
        self.arg2 = arg2

    def get_config(self):
        config = super().get_config()
        config.update({{
            "arg1": self.arg1,
            "arg2": self.arg2,
        }})
        return config
"""
# Keras's two reasons, line for line
_NON_SERIALIZABLE = """non-serializable argument values in `__init__()`,
and therefore the object must override `get_config()` in
order to be serializable. Please implement `get_config()`."""
_POSITIONAL = """positional only or variadic positional arguments (e.g.,
`*args`) to `__init__()`, which is not supported by the
automatic config generation. Please remove all positional
only and variadic arguments from `__init__()`
or override `get_config()` and `from_config()` to make
the object serializatble."""


def _auto_config(cls, args, kwargs):
    """Keras's automatic config (Operation.__new__): the constructor's arguments, defaults
    included and ``name`` left out, when every value is a plain str/int/float/bool/None; else
    None, or the reason there is none (positional-only or variadic arguments)."""
    try:
        signature = inspect.signature(cls.__init__)
        spec = inspect.getfullargspec(cls.__init__)
        bound = signature.bind(None, *args, **kwargs)
    except (TypeError, ValueError):
        return None
    positional_only = _POSITIONAL
    if any(p.kind == inspect.Parameter.POSITIONAL_ONLY for n, p in signature.parameters.items()
           if n != spec.args[0]):
        return positional_only
    bound.apply_defaults()
    config = dict(bound.arguments)
    if spec.varkw is not None:
        config.update(config.pop(spec.varkw, {}))
    config.pop(spec.args[0])
    config.pop("name", None)
    if spec.varargs is not None and config.pop(spec.varargs):
        return positional_only
    try:
        flat = tf.nest.flatten(config)
    except TypeError:
        return None
    if not all(isinstance(v, _PLAIN) for v in flat):
        return None
    return config


def _masks_of(inputs):
    """The masks attached to ``inputs`` (a tensor, or a list/dict of them), None where none."""
    if type(inputs) is tf.Tensor:
        return backend.get_keras_mask(inputs)
    return tf.nest.map_structure(
        lambda x: backend.get_keras_mask(x) if isinstance(x, tf.Tensor) else None, inputs)


def _call_signature(cls):
    sig = _SIGNATURES.get(cls)
    if sig is None:
        params = inspect.signature(cls.call).parameters
        training = params.get("training")
        default = None if training is None or training.default is inspect.Parameter.empty \
            else training.default
        sig = (training is not None, default, "mask" in params)
        _SIGNATURES[cls] = sig
    return sig


def _is_layer_container(value):
    return isinstance(value, (list, tuple, dict))


def _is_metric(value):
    return hasattr(value, "update_state") and hasattr(value, "reset_state") and \
        hasattr(value, "result") and not isinstance(value, type)


def _shape_of(x):
    if isinstance(x, (list, tuple)):
        return [_shape_of(v) for v in x]
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    shape = getattr(x, "shape", None)
    if shape is None:
        return None
    return tuple(shape)


class Layer(tf.Module):
    """Base class of every Keras layer (and of Model). Subclass and write build/call."""

    _keras_trackable = True

    def __new__(cls, *args, **kwargs):
        self = super().__new__(cls)
        # Set before any __init__ so __setattr__ tracking works in subclass constructors.
        object.__setattr__(self, "_tracked", [])
        object.__setattr__(self, "_own_trainable", [])
        object.__setattr__(self, "_own_non_trainable", [])
        object.__setattr__(self, "_losses", [])
        object.__setattr__(self, "_metrics", [])
        object.__setattr__(self, "built", False)
        object.__setattr__(self, "_trainable", True)
        object.__setattr__(self, "_name", None)
        object.__setattr__(self, "_inbound_nodes", [])
        object.__setattr__(self, "_build_shapes", None)
        object.__setattr__(self, "autocast", True)
        object.__setattr__(self, "input_spec", None)
        object.__setattr__(self, "_dtype_name", "float32")
        object.__setattr__(self, "_autocast_to", _FLOATX)  # Keras's compute_dtype, for autocast
        object.__setattr__(self, "_auto_config", _auto_config(cls, args, kwargs))
        return self

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None, autocast=True,
                 name=None, **kwargs):
        input_shape = kwargs.pop("input_shape", None)
        input_dim = kwargs.pop("input_dim", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        kwargs.pop("weights", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                             f"{kwargs}")
        if name is None:
            name = backend.unique_name(_snake(type(self).__name__))
        elif not isinstance(name, str):
            raise TypeError(f"Argument `name` must be a string, got {name!r}.")
        self._name = name
        self._scope_name = name
        self._trainable = bool(trainable)
        self._dtype_name = _dtype_name(dtype)
        object.__setattr__(self, "_autocast_to", _FLOAT_DTYPES.get(self._dtype_name, _FLOATX))
        self.autocast = autocast
        # Keras: a layer that overrides compute_mask supports masking unless it says otherwise
        self.supports_masking = type(self).compute_mask is not Layer.compute_mask
        self.input_spec = None
        self.activity_regularizer = activity_regularizer
        if batch_input_shape is not None:
            self._input_shape_arg = tuple(batch_input_shape)
        elif input_shape is not None:
            self._input_shape_arg = (batch_size,) + tuple(input_shape)
        elif input_dim is not None:
            self._input_shape_arg = (batch_size, input_dim)
        else:
            self._input_shape_arg = None

    # -- attribute tracking ------------------------------------------------------------------
    def __setattr__(self, name, value):
        if not name.startswith("__") and name != "_build_shapes" and \
                (isinstance(value, Layer) or _is_layer_container(value) or _is_metric(value)):
            # (_build_shapes holds shapes, never layers: untracked, the per-step walks skip it)
            tracked = self._tracked
            if name not in tracked:
                tracked.append(name)
            structure_version[0] += 1
            if not name.startswith("_") and _is_metric(value) and \
                    not isinstance(value, Layer) and value not in self._metrics:
                self._metrics.append(value)
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        structure_version[0] += 1
        object.__delattr__(self, name)
        if name in self._tracked:
            self._tracked.remove(name)

    def _direct_layers(self):
        """Sublayers assigned to attributes (or held in lists/dicts there), in order, once."""
        if not self._tracked:  # a leaf layer (Dense ...): nothing to visit
            return []
        out, seen = [], set()

        def visit(v):
            if isinstance(v, Layer):
                if id(v) not in seen and v is not self:
                    seen.add(id(v))
                    out.append(v)
                return
            for x in (v.values() if isinstance(v, dict) else v):
                if isinstance(x, _NESTS):  # leaves (ints of a shape, names) need no call
                    visit(x)
        d = self.__dict__
        for name in self._tracked:
            if name in d:
                v = d[name]
                if isinstance(v, _NESTS):
                    visit(v)
        return out

    def _flatten_layers(self, include_self=True, recursive=True):
        out = [self] if include_self else []
        seen = {id(self)}
        stack = list(reversed(self._direct_layers()))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            if recursive:
                stack.extend(reversed(layer._direct_layers()))
        return out

    # -- naming, dtype, trainability ---------------------------------------------------------
    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        self._name = value

    @property
    def dtype(self):
        return self._dtype_name

    @property
    def compute_dtype(self):
        return self._dtype_name

    @property
    def variable_dtype(self):
        return self._dtype_name

    @property
    def dtype_policy(self):
        return _DTypePolicy(self._dtype_name)

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        structure_version[0] += 1
        self._trainable = value
        for v in self._own_trainable:
            v._trainable = value
        for layer in self._direct_layers():
            layer.trainable = value

    # -- weights -------------------------------------------------------------------------------
    _ADD_WEIGHT_ARGS = ("shape", "initializer", "dtype", "trainable", "autocast", "regularizer",
                        "constraint", "aggregation", "overwrite_with_gradient", "name")

    def add_weight(self, *args, **kwargs):
        """Creates a weight (a KerasVariable) and tracks it on this layer.

        ``add_weight(shape=None, initializer=None, dtype=None, trainable=True, autocast=True,
        regularizer=None, constraint=None, aggregation="none", overwrite_with_gradient=False,
        name=None)``, Keras 3's signature.
        """
        _check_init(self)
        if args and isinstance(args[0], str):
            raise ValueError(f"`name` must be passed as a keyword argument. Received: "
                             f"add_weight('{args[0]}', ...). Use: add_weight(shape=..., "
                             f"name='{args[0]}').")
        for key, value in zip(self._ADD_WEIGHT_ARGS, args):
            if key in kwargs:
                raise TypeError(f"add_weight() got multiple values for argument '{key}'")
            kwargs[key] = value
        return self._add_weight(**kwargs)

    def _add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                    autocast=True, regularizer=None, constraint=None, aggregation="none",
                    overwrite_with_gradient=False, name=None, **kwargs):
        shape = () if shape is None else tuple(int(d) for d in shape)
        dtype = _dtype_name(dtype) if dtype is not None else self._dtype_name
        from tapeflow.keras import constraints, initializers, regularizers
        if initializer is None:
            initializer = "glorot_uniform" if "float" in dtype else "zeros"
        init = initializers.get(initializer)
        value = init(shape, dtype=dtype) if callable(init) else init
        value = tf.cast(value, dtype) if tf.convert_to_tensor(value).dtype.name != dtype \
            else value
        name = name or "variable"
        scope = list(_name_stack)
        if not scope or scope[-1] != self._name:
            scope.append(self._name)
        var = KerasVariable(value, name=name, path="/".join(scope + [name]),
                            trainable=trainable and self._trainable, dtype=dtype,
                            regularizer=regularizers.get(regularizer) if regularizer else None,
                            constraint=constraints.get(constraint))
        (self._own_trainable if trainable else self._own_non_trainable).append(var)
        structure_version[0] += 1
        return var

    @property
    def weights(self):
        out, seen = [], set()
        for layer in self._flatten_layers():
            for w in layer._own_trainable + layer._own_non_trainable:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def trainable_weights(self):
        if not self._trainable:
            return []
        return self._own_then_sublayers(self._own_trainable, "trainable_weights")

    @property
    def non_trainable_weights(self):
        if not self._trainable:
            return self.weights
        return self._own_then_sublayers(self._own_non_trainable, "non_trainable_weights")

    def _own_then_sublayers(self, own, attribute):
        """This layer's ``own`` weights, then each direct sublayer's ``attribute``, each once."""
        out, seen = [], set()
        for group in [own] + [getattr(layer, attribute) for layer in self._direct_layers()]:
            for w in group:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def get_weights(self):
        """The weights' values as NumPy arrays, in ``weights`` order."""
        return [w.numpy() if w.ndim else np.asarray(w.numpy()) for w in self.weights]

    def set_weights(self, weights):
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f"Layer {self.name} weight shape mismatch: you called "
                             f"`set_weights(weights)` on layer '{self.name}' with a weight list "
                             f"of length {len(weights)}, but the layer was expecting "
                             f"{len(params)} weights.")
        for p, w in zip(params, weights):
            if tuple(p.shape) != tuple(np.shape(w)):
                raise ValueError(f"Layer {self.name} weight shape {tuple(p.shape)} is not "
                                 f"compatible with provided weight shape {tuple(np.shape(w))}.")
        for p, w in zip(params, weights):
            p.assign(w)

    def count_params(self):
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the "
                             "layer isn't built. You can build it manually via: "
                             f"`layer.build(input_shape)`.")
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    # -- losses and metrics ------------------------------------------------------------------
    def add_loss(self, loss):
        """Adds a loss tensor (recomputed on every call) to ``layer.losses``."""
        self._losses.append(loss)
        _pending_losses[0] += 1

    @property
    def losses(self):
        """Keras 3's order: every ``add_loss`` loss (this layer's, then its sublayers'), then
        the regularizers of the trainable weights (a frozen layer's penalties drop out)."""
        out = []
        for layer in self._flatten_layers():
            out.extend(layer._losses)
        for w in self.trainable_weights:
            if w.regularizer is not None:
                out.append(w.regularizer(w))
        return out

    def _clear_losses(self):
        for layer in self._flatten_layers():
            layer._losses.clear()

    @property
    def metrics(self):
        out = list(self._metrics)
        for layer in self._direct_layers():
            out.extend(layer.metrics)
        return out

    @property
    def metrics_variables(self):
        return [v for m in self.metrics for v in m.variables]

    # -- building and calling ----------------------------------------------------------------
    def build(self, input_shape=None):
        self.built = True

    build._is_default = True

    def _maybe_build(self, shapes):
        if self.built:
            return
        _check_init(self)
        self._build_shapes = shapes
        with tf.init_scope():
            if not getattr(type(self).build, "_is_default", False):
                self.build(shapes)
        self.built = True

    def compute_output_shape(self, input_shape):
        return _trace_output_shape(self, input_shape)

    def compute_output_spec(self, *args, **kwargs):
        from tapeflow.keras.layers import input_layer
        return input_layer.symbolic_outputs(self, args, kwargs)

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"Layer {type(self).__name__} does not have a `call()` "
                                  "method implemented.")

    def __call__(self, *args, **kwargs):
        if args:
            inputs = args[0]
        elif "inputs" in kwargs:
            inputs = kwargs.pop("inputs")
        else:
            inputs = None
        if type(inputs) is not tf.Tensor:
            from tapeflow.keras.layers import input_layer
            if input_layer.any_symbolic(inputs, args, kwargs):
                _name_stack.append(self._name)
                try:
                    return input_layer.call_symbolic(self, inputs, args[1:], kwargs)
                finally:
                    _name_stack.pop()
            inputs = self._convert_inputs(inputs)
        elif self.autocast:
            target = self._autocast_to
            if inputs.dtype is not target and inputs.dtype.is_floating:
                inputs = tf.cast(inputs, target)
        _name_stack.append(self._name)  # weights made inside get paths like 'sequential/dense'
        try:
            return self._call_resolved(inputs, args, kwargs)
        finally:
            _name_stack.pop()

    def _call_resolved(self, inputs, args, kwargs):
        if not self.built:
            self._maybe_build(_shape_of(inputs))
        if self.input_spec is not None:
            self._check_input_spec(inputs)
        has_training, default, has_mask = _call_signature(type(self))
        outer = _context[0]
        training = kwargs.get("training")
        if outer is None:
            if _pending_losses[0]:
                _pending_losses[0] = 0
                self._clear_losses()
            if training is None:
                training = default
            _context[0] = _CallContext(training)
            try:
                if has_training and training is not None:
                    kwargs["training"] = training
                elif not has_training:
                    kwargs.pop("training", None)
                return self._call_masked(inputs, args, kwargs, has_mask)
            finally:
                _context[0] = None
        if training is None:
            training = outer.training
            if training is None:
                training = default
        saved = outer.training
        outer.training = training
        try:
            if has_training and training is not None:
                kwargs["training"] = training
            elif not has_training:
                kwargs.pop("training", None)
            return self._call_masked(inputs, args, kwargs, has_mask)
        finally:
            outer.training = saved

    def _call_masked(self, inputs, args, kwargs, has_mask):
        """``self.call``, with Keras's mask bookkeeping: a ``mask`` argument is filled from
        the masks attached to the inputs, and a layer that supports masking attaches
        ``compute_mask``'s result to its outputs (one that does not warns that it drops it).
        Free while no tensor carries a mask and the layer makes none."""
        if has_mask and kwargs.get("mask") is None and len(args) <= 1 and \
                (backend._MASKS or type(inputs) is not tf.Tensor) and \
                not any(isinstance(v, tf.Tensor) for v in tf.nest.flatten(list(kwargs.values()))):
            # (a lone tensor while no tensor carries a mask would get None: the default)
            # Keras fills ``mask`` when the inputs are the call's only tensor argument (a mask
            # given positionally or by keyword wins)
            kwargs["mask"] = _masks_of(inputs)
        makes_masks = self.supports_masking and type(self).compute_mask is not Layer.compute_mask
        if not backend._MASKS and not makes_masks and kwargs.get("mask") is None:
            return self.call(inputs, *args[1:], **kwargs)
        previous_mask = kwargs.get("mask")
        if previous_mask is None:
            previous_mask = _masks_of(inputs)
        outputs = self.call(inputs, *args[1:], **kwargs)
        if self.supports_masking:
            self._set_mask_metadata(inputs, outputs, previous_mask)
        elif any(m is not None for m in tf.nest.flatten(previous_mask)):
            warnings.warn(f"Layer '{self.name}' (of type {type(self).__name__}) was passed an "
                          "input with a mask attached to it. However, this layer does not "
                          "support masking and will therefore destroy the mask information. "
                          "Downstream layers will not see the mask.", stacklevel=4)
        return outputs

    def _set_mask_metadata(self, inputs, outputs, previous_mask):
        flat_outputs = tf.nest.flatten(outputs)
        if all(backend.get_keras_mask(x) is not None for x in flat_outputs):
            return  # set inside the call already (a model's output carries its layers' mask)
        output_masks = self.compute_mask(inputs, previous_mask)
        if output_masks is None:
            return
        for tensor, mask in zip(flat_outputs, tf.nest.flatten(output_masks)):
            if backend.get_keras_mask(tensor) is None and mask is not None:
                backend.set_keras_mask(tensor, mask)

    def compute_mask(self, inputs, previous_mask=None):
        """The mask of the outputs: by default the inputs' mask, passed on unchanged."""
        return previous_mask

    def _convert_inputs(self, x):
        if isinstance(x, tf.Tensor):
            target = self._autocast_to
            if self.autocast and x.dtype is not target and x.dtype.is_floating:
                return tf.cast(x, target)
            return x
        if isinstance(x, (list, tuple)):
            return type(x)(self._convert_inputs(v) for v in x) if type(x) in (list, tuple) \
                else x
        if isinstance(x, dict):
            return {k: self._convert_inputs(v) for k, v in x.items()}
        if isinstance(x, tf.Variable):
            return x
        if x is None:
            return x
        target = self._autocast_to
        if isinstance(x, np.ndarray) and self.autocast and x.dtype.kind == "f":
            return tf.convert_to_tensor(x.astype(target.as_numpy_dtype, copy=False))
        try:
            t = tf.convert_to_tensor(x)
        except (TypeError, ValueError):
            return x
        if self.autocast and t.dtype is not target and t.dtype.is_floating:
            t = tf.cast(t, target)
        return t

    def _check_input_spec(self, inputs):
        spec = self.input_spec
        if type(spec) is InputSpec and type(inputs) is tf.Tensor:  # the common case, memoized
            key = (tuple(inputs.shape), spec.ndim, spec.min_ndim, tuple(spec.axes.items()))
            if key != spec._passed:  # (the spec's fields are in the key: edits invalidate it)
                spec.check(self.name, 0, key[0])
                spec._passed = key
            return
        specs = self.input_spec if isinstance(self.input_spec, (list, tuple)) \
            else [self.input_spec]
        values = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        for i, (spec, x) in enumerate(zip(specs, values)):
            if spec is not None and hasattr(x, "shape"):
                spec.check(self.name, i, x.shape)

    # -- functional-API introspection ----------------------------------------------------------
    @property
    def input(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no input to return.")
        return _unwrap(self._inbound_nodes[0].input_tensors)

    @property
    def output(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has never been called and thus has no "
                                 "defined output.")
        return _unwrap(self._inbound_nodes[0].outputs)

    @property
    def input_shape(self):
        return _shape_of(self.input)

    @property
    def output_shape(self):
        return _shape_of(self.output)

    # -- config ----------------------------------------------------------------------------------
    def get_config(self):
        """Keras's base config; a subclass that does not write its own get_config gets its
        constructor's arguments too (Keras's auto config), so it saves and loads as built."""
        config = {"name": self.name}
        if type(self).get_config is Layer.get_config:  # not overridden: the auto config
            auto = self._auto_config
            if not isinstance(auto, dict):
                raise NotImplementedError(_NO_AUTO_CONFIG.format(
                    name=type(self).__name__, why=auto or _NON_SERIALIZABLE))
            config.update(auto)
            params = inspect.signature(type(self).__init__).parameters
            kwargs = params.get("kwargs")
            if "name" not in params and not (kwargs is not None and
                                             kwargs.kind == inspect.Parameter.VAR_KEYWORD):
                config.pop("name", None)  # __init__ could not take it back
        config.update({"trainable": self.trainable,
                       "dtype": _DTypePolicy(self._dtype_name).serialize()})
        if self._input_shape_arg is not None:
            config["batch_input_shape"] = self._input_shape_arg
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        return cls(**config)

    def get_build_config(self):
        return {"input_shape": self._build_shapes} if self._build_shapes is not None else None

    def build_from_config(self, config):
        if config and config.get("input_shape") is not None:
            self._maybe_build(config["input_shape"])

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


_NESTS = (Layer, dict, list, tuple)  # what _direct_layers looks inside


class _DTypePolicy:
    def __init__(self, name):
        self.name = name
        self.compute_dtype = name
        self.variable_dtype = name

    def serialize(self):
        return {"module": "keras", "class_name": "DTypePolicy",
                "config": {"name": self.name}, "registered_name": None}

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'


def _dtype_name(dtype):
    if dtype is None:
        return backend.floatx()
    if isinstance(dtype, dict):
        return dtype.get("config", {}).get("name", backend.floatx())
    if isinstance(dtype, _DTypePolicy):
        return dtype.name
    return tf.as_dtype(getattr(dtype, "name", dtype)).name


def _check_init(layer):
    if layer.__dict__.get("_name") is None:
        raise RuntimeError(f"You forgot to call `super().__init__()` in the `__init__()` method "
                           f"of {type(layer).__name__}. Go add it!")


def _unwrap(x):
    if isinstance(x, (list, tuple)) and len(x) == 1:
        return x[0]
    return x


def _trace_output_shape(layer, input_shape):
    from tapeflow.keras.layers import input_layer
    return input_layer.trace_shape(layer, input_shape)
