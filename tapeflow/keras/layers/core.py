"""The core layers: Dense, Activation, Dropout, Flatten, Reshape, Rescaling, Lambda, Embedding.

Each ``call`` is a few lines of public tapeflow ops (DESIGN rule 7).

>>> import tapeflow as tf
>>> Dense(4, activation="relu")(tf.ones((2, 3))).shape
TensorShape([2, 4])
"""
import inspect

import numpy as np

import tapeflow as tf
from tapeflow.keras.layers.layer import InputSpec, Layer


_ACTIVATIONS = []  # the module, imported on first use (it imports this one)


def _activations():
    if not _ACTIVATIONS:
        from tapeflow.keras import activations
        _ACTIVATIONS.append(activations)
    return _ACTIVATIONS[0]


def _serialize(module_name, obj):
    if obj is None:
        return None
    import importlib
    module = importlib.import_module(f"tapeflow.keras.{module_name}")
    serialize = getattr(module, "serialize", None)
    if serialize is not None:
        return serialize(obj)
    return obj if isinstance(obj, str) else {"class_name": type(obj).__name__,
                                             "config": obj.get_config()}


def _get(module_name, identifier):
    if identifier is None:
        return None
    import importlib
    return importlib.import_module(f"tapeflow.keras.{module_name}").get(identifier)


def _float_input(x, layer):
    """Dense & co. compute in floats: integer inputs are cast to the layer's dtype (Keras)."""
    if not x.dtype.is_floating:
        return tf.cast(x, layer._autocast_to)
    return x


class Dense(Layer):
    """``activation(inputs @ kernel + bias)``; kernel glorot_uniform, bias zeros."""

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 **kwargs):
        kwargs.pop("quantization_config", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError("Received an invalid value for `units`, expected a positive "
                             f"integer. Received: units={units}")
        self.units = int(units)
        self.activation = _activations().get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = _get("initializers", kernel_initializer)
        self.bias_initializer = _get("initializers", bias_initializer)
        self.kernel_regularizer = _get("regularizers", kernel_regularizer)
        self.bias_regularizer = _get("regularizers", bias_regularizer)
        self.kernel_constraint = _get("constraints", kernel_constraint)
        self.bias_constraint = _get("constraints", bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"The last dimension of the inputs to a Dense layer should be "
                             f"defined. Found None. Full input shape received: {input_shape}")
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.units,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: int(input_dim)})
        self.built = True

    def call(self, inputs):
        x = inputs if inputs.dtype.is_floating else _float_input(inputs, self)
        if x.ndim == 2 and self.bias is not None:
            # The affine map (and a relu) as one fused op, as TF's graph optimizer fuses
            # MatMul + BiasAdd + Relu: one recorded op per step instead of three.
            if self.activation is _activations().relu:
                return tf.compat.v1.nn.relu_layer(x, self.kernel, self.bias)
            return self.activation(tf.compat.v1.nn.xw_plus_b(x, self.kernel, self.bias))
        if x.ndim == 2:
            y = tf.matmul(x, self.kernel)
        else:
            y = tf.tensordot(x, self.kernel, [[x.ndim - 1], [0]])
        if self.bias is not None:
            y = y + self.bias
        return self.activation(y)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": _serialize("activations", self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": _serialize("initializers", self.kernel_initializer),
            "bias_initializer": _serialize("initializers", self.bias_initializer),
            "kernel_regularizer": _serialize("regularizers", self.kernel_regularizer),
            "bias_regularizer": _serialize("regularizers", self.bias_regularizer),
            "kernel_constraint": _serialize("constraints", self.kernel_constraint),
            "bias_constraint": _serialize("constraints", self.bias_constraint),
            "quantization_config": None,
        })
        return config


class Activation(Layer):
    """Applies an activation function: ``Activation("relu")``."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = _activations().get(activation)
        self.built = True  # stateless: Keras marks it built at construction

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["activation"] = _serialize("activations", self.activation)
        return config


class Dropout(Layer):
    """Zeros a ``rate`` fraction of inputs while training and scales the rest by 1/(1-rate)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError("Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return tf.nn.dropout(inputs, self.rate, noise_shape=self.noise_shape)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config


class Flatten(Layer):
    """Flattens all but the batch axis: (batch, 28, 28) -> (batch, 784)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        shape = tuple(inputs.shape)
        return tf.reshape(inputs, (shape[0], int(np.prod(shape[1:], dtype=np.int64))))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(np.prod(rest, dtype=np.int64))
        return (input_shape[0], size)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(Layer):
    """Reshapes to ``(batch,) + target_shape``; one entry may be -1."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        self.built = True

    def call(self, inputs):
        return tf.reshape(inputs, (inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        target = list(self.target_shape)
        if -1 in target:
            known = int(np.prod([d for d in target if d != -1]))
            rest = input_shape[1:]
            total = None if any(d is None for d in rest) else int(np.prod(rest))
            target[target.index(-1)] = None if total is None else total // known
        return (input_shape[0],) + tuple(target)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


class Rescaling(Layer):
    """``inputs * scale + offset`` (e.g. ``Rescaling(1./255)``)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        x = _float_input(inputs, self)
        return x * self.scale + self.offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale, "offset": self.offset})
        return config


class Lambda(Layer):
    """Wraps a function as a layer: ``Lambda(lambda x: x ** 2)``."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self._output_shape = output_shape
        self.arguments = arguments or {}
        self.mask = mask  # the outputs' mask: a value, or fn(inputs, mask) (Keras's Lambda)
        self.supports_masking = mask is not None
        params = _parameters(function)
        self._fn_expects_mask = "mask" in params
        self._fn_expects_training = "training" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask:
            kwargs["mask"] = mask
        if self._fn_expects_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        return self.mask(inputs, mask) if callable(self.mask) else self.mask

    def get_config(self):
        config = super().get_config()
        config.update({"function": self.function, "output_shape": self._output_shape,
                       "arguments": self.arguments})
        return config


class OpLayer(Layer):
    """Arithmetic written on KerasTensors (``x + 1``, ``x[:, 0]``) as a node of the graph."""

    def __init__(self, function, **kwargs):
        super().__init__(**kwargs)
        self.function = function

    def call(self, inputs):
        if isinstance(inputs, list):
            return self.function(*inputs)
        return self.function(inputs)

    def _call_masked(self, inputs, args, kwargs, has_mask):
        # an op on tensors, not a layer: masks neither pass through nor warn (Keras's ops)
        return self.call(inputs, *args[1:], **kwargs)


class Embedding(Layer):
    """Turns integer indices into dense vectors: a lookup in an (input_dim, output_dim) table."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, **kwargs):
        kwargs.pop("input_length", None)
        kwargs.pop("quantization_config", None)
        super().__init__(**kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = _get("initializers", embeddings_initializer)
        self.embeddings_regularizer = _get("regularizers", embeddings_regularizer)
        self.embeddings_constraint = _get("constraints", embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.autocast = False

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint,
                                          name="embeddings")
        self.built = True

    def call(self, inputs):
        if inputs.dtype.name not in ("int32", "int64"):
            inputs = tf.cast(inputs, tf.int32)
        return tf.gather(self.embeddings, inputs)

    def compute_mask(self, inputs, mask=None):
        return tf.not_equal(inputs, 0) if self.mask_zero else None

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim, "output_dim": self.output_dim,
            "embeddings_initializer": _serialize("initializers", self.embeddings_initializer),
            "embeddings_regularizer": _serialize("regularizers", self.embeddings_regularizer),
            "activity_regularizer": None,
            "embeddings_constraint": _serialize("constraints", self.embeddings_constraint),
            "mask_zero": self.mask_zero, "quantization_config": None})
        return config


class LayerNormalization(Layer):
    """Normalizes each sample over ``axis`` to mean 0, variance 1, then scales and shifts."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = _get("initializers", beta_initializer)
        self.gamma_initializer = _get("initializers", gamma_initializer)
        self.beta_regularizer = _get("regularizers", beta_regularizer)
        self.gamma_regularizer = _get("regularizers", gamma_regularizer)
        self.beta_constraint = _get("constraints", beta_constraint)
        self.gamma_constraint = _get("constraints", gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        self._axes = sorted(a % rank for a in axes)
        shape = tuple(input_shape[a] for a in self._axes)
        self.gamma = self.add_weight(name="gamma", shape=shape,
                                     initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(name="beta", shape=shape,
                                    initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None
        self._rank = rank
        self.built = True

    def _broadcast(self, w):
        if self._axes == [self._rank - 1]:
            return w
        shape = [1] * self._rank
        for a in self._axes:
            shape[a] = w.shape[self._axes.index(a)]
        return tf.reshape(w, shape)

    def call(self, inputs):
        x = _float_input(inputs, self)
        mean, variance = tf.nn.moments(x, axes=self._axes, keepdims=True)
        if self.rms_scaling:
            y = x * tf.math.rsqrt(variance + self.epsilon)
            return y * self._broadcast(self.gamma) if self.gamma is not None else y
        y = (x - mean) * tf.math.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            y = y * self._broadcast(self.gamma)
        if self.beta is not None:
            y = y + self._broadcast(self.beta)
        return y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale, "rms_scaling": self.rms_scaling,
            "beta_initializer": _serialize("initializers", self.beta_initializer),
            "gamma_initializer": _serialize("initializers", self.gamma_initializer),
            "beta_regularizer": _serialize("regularizers", self.beta_regularizer),
            "gamma_regularizer": _serialize("regularizers", self.gamma_regularizer),
            "beta_constraint": _serialize("constraints", self.beta_constraint),
            "gamma_constraint": _serialize("constraints", self.gamma_constraint)})
        return config


# -- merging layers ---------------------------------------------------------------------------
class _Merge(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or \
                not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(f"A merge layer {type(self).__name__} should be called on a list "
                             f"of inputs. Received: input_shape={input_shape} (not a list of "
                             "shapes)")
        self.built = True

    def call(self, inputs):
        xs = [x if x.dtype.is_floating else _float_input(x, self) for x in inputs]
        return self._merge(xs)

    def compute_mask(self, inputs, mask=None):
        """Keras's merge mask: a step is valid if it is in any input (None if one has none)."""
        masks = _check_merge_masks(inputs, mask)
        if masks is None or any(m is None for m in masks):
            return None
        out = masks[0]
        for m in masks[1:]:
            out = tf.logical_or(out, m)
        return out

    def compute_output_shape(self, input_shape):
        return _broadcast_shapes(input_shape)


def _check_merge_masks(inputs, mask):
    if mask is None:
        return None
    if not isinstance(mask, (tuple, list)):
        raise ValueError(f"`mask` should be a list. Received: mask={mask}")
    if not isinstance(inputs, (tuple, list)):
        raise ValueError(f"`inputs` should be a list. Received: inputs={inputs}")
    if len(mask) != len(inputs):
        raise ValueError(f"The lists `inputs` and `mask` should have the same length. "
                         f"Received: inputs={inputs} of length {len(inputs)}, and mask={mask} "
                         f"of length {len(mask)}")
    return list(mask)


def _parameters(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return {}


def _broadcast_shapes(shapes):
    shapes = [tuple(s) for s in shapes]
    rank = max(len(s) for s in shapes)
    out = []
    for dims in zip(*[(1,) * (rank - len(s)) + s for s in shapes]):
        known = [d for d in dims if d not in (None, 1)]
        out.append(known[0] if known else (None if None in dims else 1))
    return tuple(out)


class Add(_Merge):
    """Sums a list of inputs of one shape."""

    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Subtract(_Merge):
    def _merge(self, xs):
        if len(xs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: inputs={len(xs)} tensors")
        return xs[0] - xs[1]


class Multiply(_Merge):
    """Multiplies a list of inputs elementwise."""

    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


class Average(_Merge):
    def _merge(self, xs):
        return Add._merge(self, xs) / float(len(xs))


class Maximum(_Merge):
    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = tf.maximum(out, x)
        return out


class Minimum(_Merge):
    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = tf.minimum(out, x)
        return out


class Concatenate(_Merge):
    """Concatenates a list of inputs along ``axis`` (default the last)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _merge(self, xs):
        return tf.concat(xs, axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        """Keras's: the inputs' masks (all-true for an unmasked one, broadcast to the input's
        rank) concatenated along the axis, then reduced with any() over the last axis."""
        masks = _check_merge_masks(inputs, mask)
        if masks is None or all(m is None for m in masks):
            return None
        full = []
        for x, m in zip(inputs, masks):
            if m is None:
                full.append(tf.ones_like(x, dtype=tf.bool))
            elif m.ndim < x.ndim:
                full.append(tf.logical_or(tf.expand_dims(m, -1), tf.zeros_like(x, dtype=tf.bool)))
            else:
                full.append(m)
        return tf.reduce_any(tf.concat(full, axis=self.axis), axis=-1)

    def compute_output_shape(self, input_shape):
        shapes = [list(s) for s in input_shape]
        out = list(shapes[0])
        axis = self.axis % len(out)
        sizes = [s[axis] for s in shapes]
        out[axis] = None if any(d is None for d in sizes) else sum(sizes)
        return tuple(out)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)


