"""keras.losses: loss functions (pure), Loss classes (configuration), and names.

Each loss function maps ``(y_true, y_pred)`` to one value per sample (the last axis reduced).
A `Loss` object adds the configuration and the one place where ``sample_weight`` is applied
and the per-sample values are reduced (`reduce_weighted_values`), as Keras 3 does.

Numerics follow Keras 3 on TensorFlow: probabilities are renormalised and clipped to
[1e-7, 1 - 1e-7] before the log, ``from_logits=True`` uses TF's fused stable cross-entropies,
and a probability tensor made by `keras.activations.softmax`/`sigmoid` is traced back to its
logits (`activations.mark_logits`), so saturated predictions give TF's finite losses.

    >>> import tapeflow as tf
    >>> from tapeflow.keras import losses
    >>> float(losses.MeanSquaredError()([[0., 1.]], [[1., 1.]]))
    0.5
"""
import re
import warnings

import tapeflow as tf
from tapeflow.keras import activations, backend

EPSILON = 1e-7  # Keras's backend.epsilon() default


def _epsilon():
    return backend.epsilon()  # follows keras.backend.set_epsilon


def _tensor(x, dtype=None):
    """x as a Tensor of ``dtype`` (cast when needed); a Tensor of that dtype is returned as is,
    so the logits recorded for it stay reachable."""
    if not isinstance(x, tf.Tensor):
        x = tf.convert_to_tensor(x)
    if dtype is not None and x.dtype != dtype:
        x = tf.cast(x, dtype)
    return x


# Keras's set_keras_mask/get_keras_mask (the table lives in keras.backend): a loss function may
# mark entries of its result as invalid (ignore_class), layers mark padded steps
# (Embedding(mask_zero=True)); the Loss reduction then averages over the valid ones only.
_MASKS = backend._MASKS
set_keras_mask = backend.set_keras_mask
get_keras_mask = backend.get_keras_mask


def _shape(x):
    return tuple(x.shape)


# -- reduction and sample weights: the one place -----------------------------------------------
REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


class Reduction:
    """Keras 2's names for the reductions (``tf.keras.losses.Reduction.NONE`` ...), kept so that
    Keras 2 code runs; Keras 3 takes the strings directly."""

    AUTO = "sum_over_batch_size"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)


def standardize_reduction(reduction):
    if reduction == "auto":  # Keras 2
        reduction = "sum_over_batch_size"
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of "
                         f"{set(REDUCTIONS)}. Received: reduction={reduction}")
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Squeeze or expand a trailing 1 so two tensors whose ranks differ by one line up."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = tf.expand_dims(x2, -1)
        else:
            x1 = tf.squeeze(x1, -1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = tf.expand_dims(x1, -1)
        else:
            x2 = tf.squeeze(x2, -1)
    return x1, x2


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Sum, or sum divided by the element count (or the weight sum), as Keras 3."""
    if reduction in (None, "none") or values.ndim == 0 or (values.ndim == 1 and
                                                          values.shape[0] == 0):
        return values
    loss = tf.reduce_sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = tf.cast(tf.reduce_sum(sample_weight), loss.dtype)
    else:
        divisor = tf.cast(tf.size(values), loss.dtype)
    return tf.math.divide_no_nan(loss, divisor)


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype=None):
    """Weight per-sample ``values`` by ``sample_weight`` (and a mask) then reduce them."""
    reduction = standardize_reduction(reduction)
    values = _tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = _tensor(sample_weight, values.dtype)
    if mask is not None:
        sample_weight = _apply_mask(sample_weight, _tensor(mask), values.dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def _apply_mask(sample_weight, mask, dtype, reduction):
    if reduction in ("mean", "sum_over_batch_size"):
        # Rescale so the mean over the valid entries equals the mean over all of them.
        total = tf.cast(tf.size(mask), dtype)
        valid = tf.reduce_sum(tf.cast(mask, dtype))
        weight = tf.math.divide_no_nan(total, valid)
        float_mask = tf.where(tf.cast(mask, tf.bool), weight, tf.zeros_like(weight))
    else:
        float_mask = tf.cast(mask, dtype)
    if sample_weight is None:
        return float_mask
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


# -- the logits shortcut and the three cross-entropy kernels (Keras's TF backend) -------------
def _get_logits(output, from_logits, fn_name):
    """(tensor, from_logits): the recorded logits when ``output`` came from softmax/sigmoid."""
    logits = activations.logits_of(output)
    if logits is None:
        return output, from_logits
    if from_logits:
        warnings.warn(f'"`{fn_name}` received `from_logits=True`, but the `output` argument was '
                      "produced by a sigmoid or softmax activation and thus does not represent "
                      "logits. Was this intended?", stacklevel=3)
    return logits, True


def _check_same_shape(target, output, fn_name):
    ts, os_ = _shape(target), _shape(output)
    if len(ts) != len(os_):
        what = "must have the same rank (ndim)"
    elif any(a is not None and b is not None and a != b for a, b in zip(ts, os_)):
        what = "must have the same shape"
    else:
        return
    hint = ""
    if fn_name == "categorical_crossentropy" and len(os_) >= 1 and (
            len(ts) == len(os_) - 1 or (len(ts) == len(os_) and ts[-1] == 1)):
        hint = (" The labels look like integer class indices: use "
                "loss='sparse_categorical_crossentropy' (keras.losses."
                "SparseCategoricalCrossentropy) for them, or one-hot encode them with "
                "keras.utils.to_categorical.")
    raise ValueError(f"Arguments `target` and `output` {what}. Received: target.shape={ts}, "
                     f"output.shape={os_}.{hint}")


def _categorical_crossentropy(target, output, from_logits=False, axis=-1):
    _check_same_shape(target, output, "categorical_crossentropy")
    output, from_logits = _get_logits(output, from_logits, "categorical_crossentropy")
    if from_logits:
        return tf.nn.softmax_cross_entropy_with_logits(labels=target, logits=output, axis=axis)
    # Renormalise so each row sums to 1, then clip away log(0).
    output = output / tf.reduce_sum(output, axis, keepdims=True)
    eps = _epsilon()
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -tf.reduce_sum(target * tf.math.log(output), axis)


def _sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if axis != -1 and axis != output.ndim - 1:
        raise ValueError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    output, from_logits = _get_logits(output, from_logits, "sparse_categorical_crossentropy")
    target = tf.cast(_tensor(target), tf.int64)
    ts, os_ = tuple(target.shape), tuple(output.shape)
    if len(ts) == len(os_) and ts and ts[-1] == 1:
        target = tf.squeeze(target, -1)
        ts = ts[:-1]
    if len(os_) < 1:
        raise ValueError(f"Argument `output` must be at least rank 1. Received: "
                         f"output.shape={os_}")
    if len(ts) != len(os_) - 1 or any(a != b for a, b in zip(ts, os_[:-1])):
        hint = ""
        if len(ts) == len(os_) and ts[-1] == os_[-1]:
            hint = (" The labels look one-hot encoded: use loss='categorical_crossentropy' "
                    "(keras.losses.CategoricalCrossentropy) for them.")
        first = ("Argument `output` must have rank (ndim) `target.ndim - 1`"
                 if len(ts) != len(os_) - 1 else "Arguments `target` and `output` must have "
                 "the same shape up until the last dimension")
        raise ValueError(f"{first}. Received: target.shape={ts}, output.shape={os_}.{hint}")
    if not from_logits:
        eps = _epsilon()
        output = tf.math.log(tf.clip_by_value(output, eps, 1.0 - eps))
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)


def _binary_crossentropy(target, output, from_logits=False):
    _check_same_shape(target, output, "binary_crossentropy")
    output, from_logits = _get_logits(output, from_logits, "binary_crossentropy")
    if from_logits:
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = _epsilon()
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    bce = target * tf.math.log(output)
    bce = bce + (1.0 - target) * tf.math.log(1.0 - output)
    return -bce


# -- loss functions (one value per sample) -----------------------------------------------------
def _pair(y_true, y_pred):
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred)**2, axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_true - y_pred|, axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|(y_true - y_pred) / max(|y_true|, eps)|, axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    diff = tf.abs((y_true - y_pred) / tf.maximum(tf.abs(y_true), _epsilon()))
    return 100.0 * tf.reduce_mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    eps = _epsilon()
    first = tf.math.log(tf.maximum(y_pred, eps) + 1.0)
    second = tf.math.log(tf.maximum(y_true, eps) + 1.0)
    return tf.reduce_mean(tf.square(first - second), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """0.5 * e**2 where |e| <= delta, else delta * |e| - 0.5 * delta**2; mean over axis -1."""
    y_true, y_pred = _pair(y_true, y_pred)
    delta = tf.cast(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = tf.abs(error)
    return tf.reduce_mean(tf.where(abs_error <= delta, 0.5 * tf.square(error),
                                   delta * abs_error - 0.5 * tf.square(delta)), axis=-1)


def log_cosh(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    return tf.reduce_mean(x + tf.math.softplus(x * -2.0) - 0.6931471805599453, axis=-1)


def kl_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred), axis=-1), both clipped to [eps, 1]."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    eps = _epsilon()
    y_true = tf.clip_by_value(y_true, eps, 1.0)
    y_pred = tf.clip_by_value(y_pred, eps, 1.0)
    return tf.reduce_sum(y_true * tf.math.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    return tf.reduce_mean(y_pred - y_true * tf.math.log(y_pred + _epsilon()), axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    y_true, y_pred = _pair(y_true, y_pred)
    y_pred = tf.math.l2_normalize(y_pred, axis=axis)
    y_true = tf.math.l2_normalize(y_true, axis=axis)
    return -tf.reduce_sum(y_true * y_pred, axis=axis)


def _hinge_labels(y_true):
    # Keras maps {0, 1} labels to {-1, 1}; other labels are used as given.
    is_binary = tf.reduce_all(tf.logical_or(tf.equal(y_true, 0), tf.equal(y_true, 1)))
    return 2.0 * y_true - 1.0 if bool(is_binary) else y_true


def hinge(y_true, y_pred):
    y_pred = _tensor(y_pred)
    y_true = _hinge_labels(_tensor(y_true, y_pred.dtype))
    return tf.reduce_mean(tf.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    y_pred = _tensor(y_pred)
    y_true = _hinge_labels(_tensor(y_true, y_pred.dtype))
    return tf.reduce_mean(tf.square(tf.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    pos = tf.reduce_sum(y_true * y_pred, axis=-1)
    neg = tf.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return tf.maximum(neg - pos + 1.0, 0.0)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-sum(y_true * log(y_pred)) over ``axis``; y_true one-hot (or soft) labels."""
    y_true, y_pred = _categorical_inputs(y_true, y_pred, label_smoothing, axis,
                                         "categorical_crossentropy")
    return _categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def _categorical_inputs(y_true, y_pred, label_smoothing, axis, loss_name):
    """What Keras's categorical losses do first: check ``axis``, convert, warn about a
    single-class ``y_pred``, smooth the labels."""
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    if y_pred.shape[-1] == 1:
        warnings.warn(f"In loss {loss_name}, expected y_pred.shape to be "
                      "(batch_size, num_classes) with num_classes > 1. Received: "
                      f"y_pred.shape={_shape(y_pred)}. Consider using 'binary_crossentropy' if "
                      "you only have 2 classes.", SyntaxWarning, stacklevel=3)
    if label_smoothing:
        num_classes = float(y_true.shape[-1])
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)
    return y_true, y_pred


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Cross-entropy with integer class labels (shape ``y_pred.shape[:-1]``, or with a 1)."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[axis] == 1:
        y_true = tf.squeeze(y_true, axis)
    valid = None
    if ignore_class is not None:
        valid = tf.not_equal(y_true, tf.cast(ignore_class, y_true.dtype))
        y_true = tf.where(valid, y_true, tf.zeros_like(y_true))
        y_pred = tf.where(tf.expand_dims(valid, axis), y_pred, tf.zeros_like(y_pred))
    res = _sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)
    if valid is not None:
        valid = tf.reshape(valid, list(res.shape))
        res = _MASKS.set(tf.where(valid, res, tf.zeros_like(res)), valid)
    return res


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """mean over ``axis`` of -(y log p + (1 - y) log(1 - p))."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return tf.reduce_mean(_binary_crossentropy(y_true, y_pred, from_logits=from_logits),
                          axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = tf.sigmoid(y_pred)
    bce = _binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = tf.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return tf.reduce_mean(focal, axis=axis)



def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """sum over ``axis`` of alpha * (1 - p)**gamma * -y_true * log(p), p the renormalised and
    clipped probabilities (Lin et al., 2018); ``alpha`` a float or one per class."""
    y_true, y_pred = _categorical_inputs(y_true, y_pred, label_smoothing, axis,
                                         "categorical_focal_crossentropy")
    if from_logits:
        y_pred = tf.nn.softmax(y_pred, axis=axis)
    # Renormalise so each row sums to 1, then clip away log(0), as categorical_crossentropy.
    output = y_pred / tf.reduce_sum(y_pred, axis, keepdims=True)
    eps = _epsilon()
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    cce = -y_true * tf.math.log(output)
    modulating_factor = tf.pow(1.0 - output, gamma)
    weighting_factor = modulating_factor * _tensor(alpha, output.dtype)
    return tf.reduce_sum(weighting_factor * cce, axis=axis)


def dice(y_true, y_pred, axis=None):
    """1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + eps) over ``axis`` (all
    axes when None: one value for the whole batch)."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    intersection = tf.reduce_sum(y_true * y_pred, axis=axis)
    score = (2.0 * intersection) / (tf.reduce_sum(y_true, axis=axis)
                                    + tf.reduce_sum(y_pred, axis=axis) + _epsilon())
    return 1 - score


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """1 - tp / (tp + alpha * fp + beta * fn + eps) over ``axis`` (Salehi et al., 2017).

    As Keras 3, ``fp`` is sum((1 - y_pred) * y_true) and ``fn`` sum(y_pred * (1 - y_true)):
    alpha weighs the missed positives and beta the false alarms, whatever the names say.
    """
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    intersection = tf.reduce_sum(y_true * y_pred, axis=axis)
    fp = tf.reduce_sum((1 - y_pred) * y_true, axis=axis)
    fn = tf.reduce_sum(y_pred * (1 - y_true), axis=axis)
    score = intersection / (intersection + fp * alpha + fn * beta + _epsilon())
    return 1 - score


# -- Loss classes ------------------------------------------------------------------------------
def _snake(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class Loss:
    """Base class: subclass and implement ``call(y_true, y_pred)`` (per-sample values).

    ``__call__`` converts both to the loss dtype (float32), calls ``call`` and applies
    ``sample_weight`` and the reduction in `reduce_weighted_values`.
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if name is None:  # Keras's auto_name, uniquified by the global counter
            from tapeflow.keras import backend
            name = backend.unique_name(_snake(type(self).__name__))
        self.name = name
        self.reduction = standardize_reduction(reduction)
        self._dtype = tf.as_dtype(dtype or "float32").name

    @property
    def dtype(self):
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        dt = tf.as_dtype(self._dtype)
        in_mask = get_keras_mask(y_pred)  # before the conversion, which makes a new tensor
        y_pred, y_true = _tensor(y_pred, dt), _tensor(y_true, dt)
        losses = self.call(y_true, y_pred)
        out_mask = get_keras_mask(losses)
        if sample_weight is None and in_mask is None and out_mask is None:  # the common case
            return reduce_values(_tensor(losses, dt), None, standardize_reduction(self.reduction))
        if in_mask is not None and out_mask is not None:
            mask = tf.logical_and(tf.cast(in_mask, tf.bool), tf.cast(out_mask, tf.bool))
        else:
            mask = in_mask if in_mask is not None else out_mask
        return reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask,
                                      reduction=self.reduction, dtype=dt)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A Loss that calls a loss function with fixed keyword arguments."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = Loss.get_config(self)
        config.update(self._fn_kwargs)
        return config

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


def _wrapper(fn, default_name, *params, doc=""):
    """A LossFunctionWrapper subclass whose keyword ``params`` (name, default) configure fn."""
    names = [p for p, _ in params]

    def __init__(self, *args, reduction="sum_over_batch_size", name=default_name, dtype=None,
                 **kwargs):
        values = dict(params)
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes at most {len(names)} positional "
                            f"arguments ({', '.join(names)}), got {len(args)}")
        values.update(zip(names, args))
        unknown = set(kwargs) - set(values)
        if unknown:
            raise TypeError(f"{type(self).__name__} got unexpected keyword arguments "
                            f"{sorted(unknown)}; it accepts {names + ['reduction', 'name']}")
        values.update(kwargs)
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, dtype=dtype,
                                     **values)
        for key, value in values.items():
            setattr(self, key, value)

    return {"__init__": __init__, "__doc__": doc or fn.__doc__}


def _loss_class(cls_name, fn, default_name, *params):
    return type(cls_name, (LossFunctionWrapper,), _wrapper(fn, default_name, *params))


MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _loss_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _loss_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error")
Huber = _loss_class("Huber", huber, "huber_loss", ("delta", 1.0))
LogCosh = _loss_class("LogCosh", log_cosh, "log_cosh")
KLDivergence = _loss_class("KLDivergence", kl_divergence, "kl_divergence")
Poisson = _loss_class("Poisson", poisson, "poisson")
CosineSimilarity = _loss_class("CosineSimilarity", cosine_similarity, "cosine_similarity",
                               ("axis", -1))
Hinge = _loss_class("Hinge", hinge, "hinge")
SquaredHinge = _loss_class("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _loss_class("CategoricalHinge", categorical_hinge, "categorical_hinge")
BinaryCrossentropy = _loss_class(
    "BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
    ("from_logits", False), ("label_smoothing", 0.0), ("axis", -1))
BinaryFocalCrossentropy = _loss_class(
    "BinaryFocalCrossentropy", binary_focal_crossentropy, "binary_focal_crossentropy",
    ("apply_class_balancing", False), ("alpha", 0.25), ("gamma", 2.0), ("from_logits", False),
    ("label_smoothing", 0.0), ("axis", -1))
CategoricalCrossentropy = _loss_class(
    "CategoricalCrossentropy", categorical_crossentropy, "categorical_crossentropy",
    ("from_logits", False), ("label_smoothing", 0.0), ("axis", -1))
SparseCategoricalCrossentropy = _loss_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", ("from_logits", False), ("ignore_class", None),
    ("axis", -1))
for _cls in (MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
             MeanSquaredLogarithmicError, Huber, LogCosh, KLDivergence, Poisson,
             CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge, BinaryCrossentropy,
             BinaryFocalCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy):
    _cls.__module__ = __name__



class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """The alpha-balanced focal cross-entropy of one-hot labels (`categorical_focal_crossentropy`).

        >>> float(CategoricalFocalCrossentropy()([[0., 1.]], [[0.2, 0.8]]))  # doctest: +ELLIPSIS
        0.00223...
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.alpha, self.gamma = alpha, gamma

    def get_config(self):
        return dict(Loss.get_config(self), from_logits=self.from_logits,
                    label_smoothing=self.label_smoothing, axis=self.axis, alpha=self.alpha,
                    gamma=self.gamma)


class Dice(LossFunctionWrapper):
    """The Dice loss (`dice`); with ``axis=None`` one value for the whole batch.

        >>> float(Dice()([[1., 0.]], [[1., 1.]]))  # doctest: +ELLIPSIS
        0.33333...
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return dict(Loss.get_config(self), axis=self.axis)


class Tversky(LossFunctionWrapper):
    """The Tversky loss (`tversky`); alpha = beta = 0.5 gives the Dice loss.

        >>> float(Tversky(alpha=0.7, beta=0.3)([[1., 0.]], [[0.5, 0.5]]))  # doctest: +ELLIPSIS
        0.5000...
    """

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha,
                         beta=beta, axis=axis)
        self.alpha, self.beta, self.axis = alpha, beta, axis

    def get_config(self):
        return dict(Loss.get_config(self), alpha=self.alpha, beta=self.beta, axis=self.axis)


# -- names -------------------------------------------------------------------------------------
_CLASSES = [Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError,
            MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Huber, LogCosh,
            KLDivergence, Poisson, CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge,
            BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy, CategoricalFocalCrossentropy, Dice, Tversky]
_FUNCTIONS = [mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
              mean_squared_logarithmic_error, huber, log_cosh, kl_divergence, poisson,
              cosine_similarity, hinge, squared_hinge, categorical_hinge, binary_crossentropy,
              binary_focal_crossentropy, categorical_crossentropy,
              sparse_categorical_crossentropy, categorical_focal_crossentropy, dice, tversky]
ALL_OBJECTS_DICT = {obj.__name__: obj for obj in _CLASSES + _FUNCTIONS}
ALL_OBJECTS_DICT.update(
    bce=binary_crossentropy, BCE=binary_crossentropy, kld=kl_divergence, KLD=kl_divergence,
    kullback_leibler_divergence=kl_divergence, mae=mean_absolute_error,
    MAE=mean_absolute_error, mse=mean_squared_error, MSE=mean_squared_error,
    mape=mean_absolute_percentage_error, MAPE=mean_absolute_percentage_error,
    msle=mean_squared_logarithmic_error, MSLE=mean_squared_logarithmic_error,
    logcosh=log_cosh, huber_loss=huber)
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


def serialize(loss):
    """Keras 3's config dict for a Loss object or a built-in loss function."""
    if isinstance(loss, Loss):
        return {"module": "keras.losses", "class_name": type(loss).__name__,
                "config": loss.get_config(), "registered_name": None}
    name = getattr(loss, "__name__", None)
    if name is not None:  # a built-in loss function, or the user's own (named, not registered)
        module = "builtins" if ALL_OBJECTS_DICT.get(name) is loss else loss.__module__
        return {"module": module, "class_name": "function", "config": name,
                "registered_name": "function"}
    raise ValueError(f"Cannot serialize loss {loss!r}: it is neither a keras.losses.Loss nor "
                     "a named function.")


def deserialize(name, custom_objects=None):
    """The inverse of `serialize`; also accepts a plain name."""
    table = dict(ALL_OBJECTS_DICT, **(custom_objects or {}))
    if isinstance(name, str):
        if name in table:
            return table[name]
        raise ValueError(f"Unknown loss function: '{name}'. Expected one of "
                         f"{sorted(k for k in ALL_OBJECTS_DICT if k[0].islower())}, a "
                         "keras.losses.Loss, or a callable(y_true, y_pred).")
    if isinstance(name, dict):
        cls_name, config = name.get("class_name"), name.get("config")
        if cls_name == "function" and isinstance(config, str):
            return deserialize(config, custom_objects)
        cls = table.get(cls_name)
        if cls is None:
            raise ValueError(f"Unknown loss class: '{cls_name}' in {name}.")
        return cls.from_config(config or {})
    raise ValueError(f"Could not interpret loss identifier: {name}")


def get(identifier):
    """A loss from a name ('mse', 'categorical_crossentropy', 'Huber'), dict or callable."""
    if identifier is None:
        return None
    obj = identifier
    if isinstance(identifier, (dict, str)):
        obj = deserialize(identifier)
    if callable(obj):
        return obj() if isinstance(obj, type) else obj
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


mark_logits = activations.mark_logits  # for layers that apply softmax/sigmoid themselves
