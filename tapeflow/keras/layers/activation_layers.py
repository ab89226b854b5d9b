"""The activation layers: ReLU, LeakyReLU, Softmax, ELU and PReLU (keras/src/layers/activations).

Each mirrors Keras 3: the same arguments, defaults, checks and configs, and a ``call`` that is
one of ``keras.activations``' functions (PReLU adds a learned slope ``alpha``). All of them
support masking: a mask on the inputs passes to the outputs unchanged; Softmax also uses it,
giving masked positions a probability of 0.

>>> import tapeflow as tf
>>> ReLU(max_value=10, negative_slope=0.5)(tf.constant([-10.0, -5.0, 0.0, 5.0, 10.0])).numpy()
array([-5. , -2.5,  0. ,  5. , 10. ], dtype=float32)
"""
import warnings

import tapeflow as tf
from tapeflow.keras import activations
from tapeflow.keras.layers.core import _get, _serialize
from tapeflow.keras.layers.layer import InputSpec, Layer, _name_stack


class ReLU(Layer):
    """``max(x, 0)``, with Keras's optional ``max_value`` ceiling, ``negative_slope`` leak and
    ``threshold`` (values below it are damped or zeroed)."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError("max_value of a ReLU layer cannot be a negative "
                             f"value. Received: max_value={max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError("negative_slope of a ReLU layer cannot be None or a "
                             f"negative value. Received: negative_slope={negative_slope}")
        if threshold is None or threshold < 0.0:
            raise ValueError("threshold of a ReLU layer cannot be None or a "
                             f"negative value. Received: threshold={threshold}")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.supports_masking = True
        self.built = True  # stateless: Keras builds it at construction

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                       "threshold": self.threshold})
        return config

    def compute_output_shape(self, input_shape):
        return input_shape


class LeakyReLU(Layer):
    """``x`` where ``x > 0``, else ``negative_slope * x`` (default 0.3).

    Keras 2's spelling ``LeakyReLU(alpha=0.1)`` still works and warns, as in Keras 3.
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.",
                          stacklevel=2)
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer "
                             "cannot be None or negative value. Expected a float."
                             f" Received: negative_slope={negative_slope}")
        self.negative_slope = negative_slope
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self):
        config = super().get_config()
        config.update({"negative_slope": self.negative_slope})
        return config

    def compute_output_shape(self, input_shape):
        return input_shape


def _large_negative_number(dtype):
    """What masked logits become: -1e9, or -3e4 in float16 (whose range ends at 65504)."""
    return -3e4 if dtype == tf.float16 else -1e9


class Softmax(Layer):
    """``exp(x) / sum(exp(x))`` over ``axis`` (an int, or a tuple/list of ints).

    ``mask`` (explicit, or the one attached to the inputs) keeps positions where it is True
    (or > 0.5): the others get -1e9 added to their logits and an output of exactly 0.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True
        self.built = True

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = tf.convert_to_tensor(mask)
            in_shape, mask_shape = tuple(inputs.shape), tuple(mask.shape)
            if len(mask_shape) > len(in_shape):
                raise ValueError("The `mask` must be broadcastable to `inputs` "
                                 "and must not have more dimensions. "
                                 f"Received: inputs.shape={in_shape}, "
                                 f"mask.shape={mask_shape}")
            for m_dim, i_dim in zip(mask_shape[::-1], in_shape[::-1]):
                if m_dim is not None and i_dim is not None and m_dim not in (1, i_dim):
                    raise ValueError("The `mask` must be broadcastable to "
                                     "`inputs`. Each mask dimension must be 1 "
                                     "or match the corresponding input "
                                     "dimension. Received: "
                                     f"inputs.shape={in_shape}, "
                                     f"mask.shape={mask_shape}")
            # Keep the positions where the mask is True (or > 0.5); push the others to -1e9.
            if mask.dtype != tf.bool:
                mask = tf.greater(mask, tf.cast(0.5, mask.dtype))
            inputs = tf.where(mask, inputs,
                              tf.cast(_large_negative_number(inputs.dtype), inputs.dtype))
        if isinstance(self.axis, (tuple, list)):
            if len(self.axis) > 1:
                outputs = tf.exp(inputs - tf.math.reduce_logsumexp(
                    inputs, axis=self.axis, keepdims=True))
            else:
                outputs = activations.softmax(inputs, axis=self.axis[0])
        else:
            outputs = activations.softmax(inputs, axis=self.axis)
        if mask is not None:
            # Zero the masked positions, even where a whole axis is masked (softmax would
            # give a uniform distribution there).
            outputs = tf.where(mask, outputs, tf.zeros((), outputs.dtype))
        return outputs

    def compute_mask(self, inputs, previous_mask=None):
        """The mask passes on unchanged, as Layer's default. Defined here so that an explicit
        ``mask=`` reaches the outputs even while no tensor carries a mask yet (Layer skips its
        mask bookkeeping then, unless the layer has a compute_mask of its own)."""
        return previous_mask

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis})
        return config

    def compute_output_shape(self, input_shape):
        return input_shape


class ELU(Layer):
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``.

    Keras's ELU has no ``get_config`` of its own: its config is Layer's automatic one, the
    constructor arguments as passed.
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape


class PReLU(Layer):
    """``x`` where ``x >= 0``, else ``alpha * x`` with ``alpha`` a learned weight shaped like
    one sample, of size 1 along ``shared_axes`` (e.g. ``[1, 2]``: one slope per channel)."""

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = _get("initializers", alpha_initializer)
        self.alpha_regularizer = _get("regularizers", alpha_regularizer)
        self.alpha_constraint = _get("constraints", alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        if self.shared_axes is not None:
            for i in self.shared_axes:
                param_shape[i - 1] = 1
        if any(d is None for d in param_shape):
            scope = list(_name_stack)
            if not scope or scope[-1] != self.name:
                scope.append(self.name)
            raise ValueError("Shapes used to initialize variables must be fully-defined (no "
                             f"`None` dimensions). Received: shape={tuple(param_shape)} for "
                             f"variable path='{'/'.join(scope + ['alpha'])}'")
        self.alpha = self.add_weight(shape=param_shape, name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {}
        if self.shared_axes:
            for i in range(1, len(input_shape)):
                if i not in self.shared_axes:
                    axes[i] = input_shape[i]
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        pos = activations.relu(inputs)
        neg = -self.alpha * activations.relu(-inputs)
        return pos + neg

    def get_config(self):
        config = super().get_config()
        config.update({
            "alpha_initializer": _serialize("initializers", self.alpha_initializer),
            "alpha_regularizer": _serialize("regularizers", self.alpha_regularizer),
            "alpha_constraint": _serialize("constraints", self.alpha_constraint),
            "shared_axes": self.shared_axes})
        return config

    def compute_output_shape(self, input_shape):
        return input_shape
