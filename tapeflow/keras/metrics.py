"""keras.metrics: metric functions (pure) and Metric classes (state in Variables).

A Metric accumulates over batches: ``update_state(y_true, y_pred, sample_weight=None)`` adds
to its variables, ``result()`` reads them, ``reset_state()`` zeroes them (fit does this at
each epoch). Formulas and names are Keras 3's.

    >>> from tapeflow.keras import metrics
    >>> m = metrics.SparseCategoricalAccuracy()
    >>> m.update_state([0, 1], [[0.9, 0.1], [0.8, 0.2]])
    >>> float(m.result())
    0.5
"""
import re
import warnings

import numpy as np

import tapeflow as tf
from tapeflow.keras import activations, losses

NEG_INF = -1e10  # Keras's metrics_utils.NEG_INF, used to push out non-top-k predictions


def _snake(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def auto_name(cls_name):
    """Keras's auto_name: snake_case, uniquified by the global counter ('precision_1')."""
    from tapeflow.keras import backend
    return backend.unique_name(_snake(cls_name))


def _floatx():
    return tf.float32


def _tensor(x, dtype=None):
    return losses._tensor(x, dtype)


# -- metric functions (one value per sample) ---------------------------------------------------
def accuracy(y_true, y_pred):
    """1.0 where y_true == y_pred exactly."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    y_true, y_pred = losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
    return tf.cast(tf.equal(y_true, y_pred), _floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where (y_pred > threshold) equals the 0/1 label."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true)
    y_true, y_pred = losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = tf.cast(y_pred > tf.cast(threshold, y_pred.dtype), y_true.dtype)
    return tf.cast(tf.equal(y_true, y_pred), _floatx())


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) equals argmax(y_true) (one-hot labels)."""
    y_pred = _tensor(y_pred)
    y_true = tf.cast(tf.argmax(_tensor(y_true), axis=-1), y_pred.dtype)
    original_shape = list(y_true.shape)
    reshape = len(y_true.shape) == len(y_pred.shape)
    if reshape:
        y_true = tf.squeeze(y_true, -1)
    y_pred = tf.cast(tf.argmax(y_pred, axis=-1), y_true.dtype)
    matches = tf.cast(tf.equal(y_true, y_pred), _floatx())
    return tf.reshape(matches, original_shape) if reshape else matches


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) equals the integer label."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    reshape = y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1
    if reshape:
        original_shape = list(y_true.shape)
        y_true = tf.squeeze(y_true, -1)
    y_pred = tf.cast(tf.argmax(y_pred, axis=-1), y_true.dtype)
    matches = tf.cast(tf.equal(y_true, y_pred), _floatx())
    if reshape:
        matches = tf.reshape(matches, original_shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = tf.squeeze(matches, -1)
    return matches


def in_top_k(targets, predictions, k):
    """TF's in_top_k: fewer than k classes score strictly higher than the target's class
    (ties at the boundary count as in), and a non-finite score is never in."""
    predictions = _tensor(predictions)
    depth = predictions.shape[-1]
    is_target = tf.cast(tf.one_hot(tf.cast(targets, tf.int32), depth), tf.bool)
    target_score = tf.reduce_sum(tf.where(is_target, predictions, tf.zeros_like(predictions)),
                                 axis=-1)
    higher = tf.reduce_sum(tf.cast(predictions > tf.expand_dims(target_score, -1), tf.int32),
                           axis=-1)
    finite = tf.reduce_all(tf.math.is_finite(predictions), axis=-1)
    return tf.logical_and(higher < k, finite)


def _top_k_matches(y_true_ids, y_pred, k):
    original_shape = list(y_true_ids.shape)
    reshape = len(y_true_ids.shape) > 1
    if len(y_pred.shape) > 2:
        y_pred = tf.reshape(y_pred, [-1, y_pred.shape[-1]])
    if reshape:
        y_true_ids = tf.reshape(y_true_ids, [-1])
    matches = tf.cast(in_top_k(y_true_ids, y_pred, k), _floatx())
    return tf.reshape(matches, original_shape) if reshape else matches


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot label's class is among the k highest predictions."""
    y_pred = _tensor(y_pred)
    y_true = tf.argmax(_tensor(y_true, y_pred.dtype), axis=-1)
    return _top_k_matches(y_true, y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the k highest predictions."""
    y_pred = _tensor(y_pred)
    if from_sorted_ids:  # y_pred holds class ids, best first
        y_true = _tensor(y_true, y_pred.dtype)
        hit = tf.reduce_any(tf.equal(tf.expand_dims(y_true, 1), y_pred[:, :k]), axis=1)
        return tf.cast(hit, _floatx())
    return _top_k_matches(tf.cast(_tensor(y_true), tf.int32), y_pred, k)


# -- the base class ----------------------------------------------------------------------------
class Metric:
    """Base class: state in Variables made with ``add_variable`` / ``add_weight``.

    Subclasses implement ``update_state`` and ``result``; ``reset_state`` zeroes every variable.
    """

    def __init__(self, dtype=None, name=None):
        self.name = name or auto_name(type(self).__name__)
        self._dtype = tf.as_dtype(dtype or "float32").name
        self._variables = []

    @property
    def dtype(self):
        return self._dtype

    @property
    def variables(self):
        found = list(self._variables)
        for value in vars(self).values():  # metrics held by this metric (Keras's tracker)
            if isinstance(value, Metric):
                found.extend(value.variables)
        return found

    weights = variables

    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation="sum",
                     name=None):
        """A non-trainable Variable that ``reset_state`` zeroes."""
        from tapeflow.keras import initializers
        if not hasattr(self, "_variables"):
            raise RuntimeError("You forgot to call `super().__init__()` in the `__init__()` "
                               "method. Go add it!")
        if isinstance(shape, str) and name is None:  # Keras 2: add_weight(name, shape, ...)
            shape, name = (), shape
        dtype = tf.as_dtype(dtype or self._dtype)
        value = initializers.get(initializer or "zeros")(tuple(shape), dtype=dtype.name)
        with tf.name_scope(self.name.replace("/", ">")):
            variable = tf.Variable(value, trainable=False, name=name or "variable", dtype=dtype)
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None, **kwargs):
        if isinstance(shape, str):  # Keras 2 order: add_weight(name, shape=...)
            shape, name = kwargs.pop("shape", ()), shape
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state()")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result()")

    def reset_state(self):
        for v in self.variables:
            v.assign(tf.zeros(v.shape, dtype=v.dtype))

    reset_states = reset_state  # Keras 2 spelling

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__


# -- reduction metrics -------------------------------------------------------------------------
def _samplewise(values, sample_weight, reduce_fn, dtype):
    """Reduce values to one per sample and apply the weights, as Keras's reduction metrics."""
    values = _tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = _tensor(sample_weight, dtype)
        values, sample_weight = losses.squeeze_or_expand_to_same_rank(values, sample_weight)
        w_ndim, v_ndim = sample_weight.ndim, values.ndim
        if v_ndim > w_ndim:
            values = reduce_fn(values, axis=list(range(w_ndim, v_ndim)))
        sample_weight = tf.broadcast_to(sample_weight, list(values.shape))
        values = values * sample_weight
        if w_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=list(range(1, w_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=list(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of every value seen."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = _samplewise(values, sample_weight, tf.reduce_sum, tf.as_dtype(self.dtype))
        self.total.assign_add(tf.reduce_sum(values))

    def result(self):
        return tf.identity(self.total)


class Mean(Metric):
    """The (weighted) mean of every value seen: total / count."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", name="total")
        self.count = self.add_variable((), "zeros", name="count")

    def update_state(self, values, sample_weight=None):
        dtype = tf.as_dtype(self.dtype)
        if type(sample_weight) is int or type(sample_weight) is float:
            values = _tensor(values, dtype)
            if values.ndim == 0:  # the trainer's loss tracker: one value, one weight
                weight = float(sample_weight)  # enters both as the metric's dtype, as a tensor
                self.total.assign_add(values * weight)
                self.count.assign_add(weight)
                return
        values, sample_weight = _samplewise(values, sample_weight, tf.reduce_mean, dtype)
        self.total.assign_add(tf.reduce_sum(values))
        if sample_weight is not None:
            self.count.assign_add(tf.cast(tf.reduce_sum(sample_weight), dtype))
        else:  # a Python count converts to the variable's dtype, as tf.cast would
            self.count.assign_add(float(values.shape[0]) if values.ndim >= 1 else 1.0)

    def result(self):
        return tf.math.divide_no_nan(self.total, self.count)


class MeanMetricWrapper(Mean):
    """The mean of a per-sample function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or auto_name(type(self).__name__), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = losses.get_keras_mask(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if mask is not None:
            sample_weight = losses._apply_mask(
                None if sample_weight is None else _tensor(sample_weight, tf.float32),
                _tensor(mask), tf.as_dtype(self.dtype), "sum")
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = dict(super().get_config(), **self._fn_kwargs)
        if type(self) is MeanMetricWrapper:
            config["fn"] = getattr(self._fn, "__name__", self._fn)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("fn"), str):
            config["fn"] = losses.get(config["fn"]) if config["fn"] in \
                losses.ALL_OBJECTS_DICT else globals()[config["fn"]]
        return cls(**config)


def _wrapper_class(cls_name, fn, default_name, params=(), direction="up", doc=""):
    """A MeanMetricWrapper subclass whose keyword ``params`` (name, default) configure fn."""
    names = [p for p, _ in params]

    def __init__(self, name=default_name, dtype=None, **kwargs):
        values = dict(params)
        unknown = set(kwargs) - set(values)
        if unknown:
            raise TypeError(f"{cls_name} got unexpected keyword arguments {sorted(unknown)}; "
                            f"it accepts {['name', 'dtype'] + names}")
        values.update(kwargs)
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **values)
        for key, value in values.items():
            setattr(self, key, value)
        self._direction = direction

    cls = type(cls_name, (MeanMetricWrapper,), {"__init__": __init__,
                                                "__doc__": doc or fn.__doc__})
    cls.__module__ = __name__
    return cls


Accuracy = _wrapper_class("Accuracy", accuracy, "accuracy")
BinaryAccuracy = _wrapper_class("BinaryAccuracy", binary_accuracy, "binary_accuracy",
                                [("threshold", 0.5)])
CategoricalAccuracy = _wrapper_class("CategoricalAccuracy", categorical_accuracy,
                                     "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper_class("SparseCategoricalAccuracy",
                                           sparse_categorical_accuracy,
                                           "sparse_categorical_accuracy")
TopKCategoricalAccuracy = _wrapper_class("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                         "top_k_categorical_accuracy", [("k", 5)])
SparseTopKCategoricalAccuracy = _wrapper_class(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy", [("k", 5), ("from_sorted_ids", False)])
MeanSquaredError = _wrapper_class("MeanSquaredError", losses.mean_squared_error,
                                  "mean_squared_error", direction="down")
MeanAbsoluteError = _wrapper_class("MeanAbsoluteError", losses.mean_absolute_error,
                                   "mean_absolute_error", direction="down")
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", losses.mean_absolute_percentage_error,
    "mean_absolute_percentage_error", direction="down")
MeanSquaredLogarithmicError = _wrapper_class(
    "MeanSquaredLogarithmicError", losses.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", direction="down")
CosineSimilarity = _wrapper_class("CosineSimilarity", losses.cosine_similarity,
                                  "cosine_similarity", [("axis", -1)])
LogCoshError = _wrapper_class("LogCoshError", losses.log_cosh, "logcosh", direction="down")
Hinge = _wrapper_class("Hinge", losses.hinge, "hinge", direction="down")
SquaredHinge = _wrapper_class("SquaredHinge", losses.squared_hinge, "squared_hinge",
                              direction="down")
CategoricalHinge = _wrapper_class("CategoricalHinge", losses.categorical_hinge,
                                  "categorical_hinge", direction="down")
KLDivergence = _wrapper_class("KLDivergence", losses.kl_divergence, "kl_divergence",
                              direction="down")
Poisson = _wrapper_class("Poisson", losses.poisson, "poisson", direction="down")
BinaryCrossentropy = _wrapper_class(
    "BinaryCrossentropy", losses.binary_crossentropy, "binary_crossentropy",
    [("from_logits", False), ("label_smoothing", 0.0)], direction="down")
CategoricalCrossentropy = _wrapper_class(
    "CategoricalCrossentropy", losses.categorical_crossentropy, "categorical_crossentropy",
    [("from_logits", False), ("label_smoothing", 0.0), ("axis", -1)], direction="down")
SparseCategoricalCrossentropy = _wrapper_class(
    "SparseCategoricalCrossentropy", losses.sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", [("from_logits", False), ("axis", -1)],
    direction="down")


class RootMeanSquaredError(Mean):
    """sqrt of the mean squared error over everything seen."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None):
        dtype = tf.as_dtype(self.dtype)
        y_true, y_pred = losses.squeeze_or_expand_to_same_rank(_tensor(y_true, dtype),
                                                               _tensor(y_pred, dtype))
        return super().update_state(tf.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return tf.sqrt(super().result())


# -- confusion-matrix metrics ------------------------------------------------------------------
def _filter_top_k(x, k):
    _, idx = tf.math.top_k(x, k)
    mask = tf.reduce_sum(tf.one_hot(idx, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * mask + NEG_INF * (1 - mask)


def update_confusion_matrix_variables(variables, y_true, y_pred, thresholds, top_k=None,
                                      class_id=None, sample_weight=None, multi_label=False,
                                      label_weights=None, thresholds_distributed_evenly=False):
    """Add the (weighted) counts of tp/fp/tn/fn at each threshold to ``variables``.

    ``variables`` maps 'tp', 'fp', 'tn', 'fn' to Variables of shape (num_thresholds,) (or
    (num_thresholds, num_labels) when ``multi_label``). A prediction is positive where it is
    strictly greater than the threshold, as Keras. With ``thresholds_distributed_evenly``
    (thresholds ``[0, 1/(n-1), ..., 1]``) the counts come from Keras's bucket path instead
    (`_bucketed_confusion_counts`).
    """
    dtype = next(iter(variables.values())).dtype
    y_true, y_pred = _tensor(y_true, dtype), _tensor(y_pred, dtype)
    y_pred, y_true = losses.squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = tf.expand_dims(_tensor(sample_weight, dtype), -1)
        _, sample_weight = losses.squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                                 expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if len(y_pred.shape) == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {y_pred.shape}")
        y_true, y_pred = y_true[..., class_id:class_id + 1], y_pred[..., class_id:class_id + 1]
    weights = None
    if sample_weight is not None:
        weights = tf.broadcast_to(sample_weight, list(y_pred.shape))
    if label_weights is not None and not multi_label:
        lw = tf.broadcast_to(tf.cast(label_weights, dtype), list(y_pred.shape))
        weights = lw if weights is None else weights * lw
    if thresholds_distributed_evenly:
        return _bucketed_confusion_counts(variables, y_true, y_pred, thresholds, weights,
                                          multi_label)
    thresholds = tf.constant(np.asarray(thresholds, dtype=dtype.name))
    if multi_label:  # (T, N, L)
        preds = tf.expand_dims(y_pred, 0)
        labels = tf.expand_dims(tf.cast(y_true, tf.bool), 0)
        thresh = tf.reshape(thresholds, [-1, 1, 1])
    else:  # (T, N * L)
        preds = tf.reshape(y_pred, [1, -1])
        labels = tf.reshape(tf.cast(y_true, tf.bool), [1, -1])
        thresh = tf.reshape(thresholds, [-1, 1])
        if weights is not None:
            weights = tf.reshape(weights, [1, -1])
    pred_pos = preds > thresh
    label_pos = tf.broadcast_to(labels, list(pred_pos.shape))
    cases = {"tp": (label_pos, pred_pos), "fn": (label_pos, tf.logical_not(pred_pos)),
             "fp": (tf.logical_not(label_pos), pred_pos),
             "tn": (tf.logical_not(label_pos), tf.logical_not(pred_pos))}
    for key, variable in variables.items():
        both = tf.logical_and(*cases[key])
        if weights is not None:
            counts = tf.where(both, tf.broadcast_to(weights, list(both.shape)),
                              tf.zeros(both.shape, dtype))
        else:
            counts = tf.cast(both, dtype)
        variable.assign(variable + tf.reduce_sum(counts, axis=1))


def _bucketed_confusion_counts(variables, y_true, y_pred, thresholds, weights, multi_label):
    """Keras's memory-light path for evenly spaced thresholds (metrics_utils'
    ``_update_confusion_matrix_variables_optimized``), op for op.

    A prediction p falls in bucket ``ceil(p * (n - 1)) - 1`` and counts as positive at every
    threshold up to its bucket: a reversed cumulative sum of the per-bucket label sums. The
    predictions are clipped to [0, 1] first, so a p above 1 is not positive at threshold 1.0
    (the plain path says it is); p = 0 falls in bucket -1, which counts nowhere, unless the end
    thresholds carry an epsilon (AUC's), when bucket -1 becomes 0.
    """
    dtype = y_pred.dtype
    n = len(thresholds)
    with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    labels = y_pred.shape[-1] if multi_label else 1  # counted apart: columns of (rows, labels)
    if weights is None:
        weights = tf.ones_like(y_pred)
    y_pred = tf.reshape(tf.clip_by_value(y_pred, 0.0, 1.0), [-1, labels])
    y_true = tf.reshape(tf.cast(tf.cast(y_true, tf.bool), dtype), [-1, labels])
    weights = tf.reshape(weights, [-1, labels])
    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights
    buckets = tf.math.ceil(y_pred * float(n - 1)) - 1.0
    if with_epsilon:
        buckets = tf.nn.relu(buckets)
    buckets = tf.cast(buckets, tf.int32)
    # One segment per (bucket, label). TF's segment sum drops bucket -1; here it goes to an
    # extra last segment that is cut off.
    segment = buckets * labels + tf.range(labels)
    segment = tf.reshape(tf.where(buckets >= 0, segment, tf.fill(segment.shape, n * labels)),
                         [-1])

    def above_threshold(values):
        by_bucket = tf.math.unsorted_segment_sum(tf.reshape(values, [-1]), segment,
                                                 n * labels + 1)[:n * labels]
        return tf.cumsum(tf.reshape(by_bucket, [n, labels]), axis=0, reverse=True)

    tp, fp = above_threshold(true_labels), above_threshold(false_labels)
    counts = {"tp": tp, "fp": fp, "tn": tf.reduce_sum(false_labels, axis=0) - fp,
              "fn": tf.reduce_sum(true_labels, axis=0) - tp}
    for key, variable in variables.items():
        count = counts[key] if multi_label else tf.reshape(counts[key], [-1])
        variable.assign(variable + count)


def _check_thresholds(thresholds):
    for t in thresholds:
        if t is None or t < 0 or t > 1:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {thresholds}")


class _PrecisionRecall(Metric):
    """Precision and Recall share thresholds, top_k, class_id and the tp counter."""

    _other = None  # 'fp' for Precision, 'fn' for Recall

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        if thresholds is not None:
            _check_thresholds(thresholds if isinstance(thresholds, (list, tuple))
                              else [thresholds])
        default = 0.5 if top_k is None else NEG_INF
        chosen = default if thresholds is None else thresholds
        self.thresholds = list(chosen) if isinstance(chosen, (list, tuple)) else [chosen]
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), "zeros", name="true_positives")
        other = "false_positives" if self._other == "fp" else "false_negatives"
        setattr(self, other, self.add_variable((n,), "zeros", name=other))
        self._other_var = getattr(self, other)

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables(
            {"tp": self.true_positives, self._other: self._other_var}, y_true, y_pred,
            self.thresholds, top_k=self.top_k, class_id=self.class_id,
            sample_weight=sample_weight)

    def result(self):
        out = tf.math.divide_no_nan(self.true_positives, self.true_positives + self._other_var)
        return out[0] if len(self.thresholds) == 1 else out

    def get_config(self):
        return dict(super().get_config(), thresholds=self.init_thresholds, top_k=self.top_k,
                    class_id=self.class_id)


class Precision(_PrecisionRecall):
    """tp / (tp + fp) of predictions above the threshold (default 0.5)."""

    _other = "fp"


class Recall(_PrecisionRecall):
    """tp / (tp + fn) of predictions above the threshold (default 0.5)."""

    _other = "fn"


class _ConditionCount(Metric):
    """The (weighted) count of one confusion-matrix cell at each threshold (default 0.5)."""

    _cell = None  # 'tp', 'fp', 'tn' or 'fn'

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        chosen = 0.5 if thresholds is None else thresholds
        self.thresholds = list(chosen) if isinstance(chosen, (list, tuple)) else [chosen]
        _check_thresholds(self.thresholds)
        self.accumulator = self.add_variable((len(self.thresholds),), "zeros",
                                             name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables({self._cell: self.accumulator}, y_true, y_pred,
                                          self.thresholds, sample_weight=sample_weight)

    def result(self):
        return self.accumulator[0] if len(self.thresholds) == 1 else tf.identity(self.accumulator)

    def get_config(self):
        return dict(super().get_config(), thresholds=self.init_thresholds)


class TruePositives(_ConditionCount):
    _cell = "tp"


class FalsePositives(_ConditionCount):
    _cell = "fp"


class TrueNegatives(_ConditionCount):
    _cell = "tn"


class FalseNegatives(_ConditionCount):
    _cell = "fn"


# -- F-scores ----------------------------------------------------------------------------------
def fbeta_from_counts(tp, fp, fn, support, beta=1.0, average=None):
    """F-beta per class from the counts (eps-guarded as Keras), then averaged as asked."""
    eps = losses._epsilon()
    precision = tp / (tp + fp + eps)
    recall = tp / (tp + fn + eps)
    score = precision * recall / (beta ** 2 * precision + recall + eps) * (1 + beta ** 2)
    if average == "weighted":
        return tf.reduce_sum(score * (support / (tf.reduce_sum(support) + eps)))
    if average is not None:  # micro (counts already pooled) or macro
        return tf.reduce_mean(score)
    return score


class FBetaScore(Metric):
    """F-beta of multi-label/multi-class predictions; ``average`` None, micro, macro, weighted.

    Without ``threshold`` the highest prediction of each row counts as the positive class.
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, "
                             f"'micro', 'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float) or beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be a Python float > 0. "
                             f"Received: beta={beta}")
        if threshold is not None and (not isinstance(threshold, float)
                                      or not 0.0 < threshold <= 1.0):
            raise ValueError("Invalid `threshold` argument value. It should be a Python float "
                             f"with 0 < threshold <= 1. Received: threshold={threshold}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("FBetaScore expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for name in ("true_positives", "false_positives", "false_negatives",
                     "intermediate_weights"):
            setattr(self, name, self.add_variable(shape, "zeros", name=name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        dtype = tf.as_dtype(self.dtype)
        y_true, y_pred = _tensor(y_true, dtype), _tensor(y_pred, dtype)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        if self.threshold is None:
            top = tf.reduce_max(y_pred, axis=-1, keepdims=True)
            y_pred = tf.logical_and(y_pred >= top, tf.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = tf.cast(y_pred, dtype)
        weight = None if sample_weight is None else tf.expand_dims(
            _tensor(sample_weight, dtype), 1)

        def weighted_sum(values):
            return tf.reduce_sum(values if weight is None else values * weight, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(y_pred * y_true))
        self.false_positives.assign_add(weighted_sum(y_pred * (1 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1 - y_pred) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self):
        return fbeta_from_counts(self.true_positives, self.false_positives,
                                 self.false_negatives, self.intermediate_weights, self.beta,
                                 self.average)

    def reset_state(self):
        if self._built:
            Metric.reset_state(self)

    def get_config(self):
        return dict(super().get_config(), average=self.average, beta=self.beta,
                    threshold=self.threshold)


class F1Score(FBetaScore):
    """FBetaScore with beta = 1."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


# -- AUC math: pure functions of the confusion counts at each threshold ------------------------
def riemann_auc_terms(tp, fp, tn, fn, curve="ROC", summation_method="interpolation"):
    """The area between consecutive thresholds under the ROC, PR or PR-gain curve."""
    recall = tf.math.divide_no_nan(tp, tp + fn)
    if curve == "ROC":
        x, y = tf.math.divide_no_nan(fp, fp + tn), recall
    elif curve == "PR":
        x, y = recall, tf.math.divide_no_nan(tp, tp + fp)
    else:  # PRGAIN
        scale = tf.math.divide_no_nan(tp + fn, tn + fp)
        recall_gain = 1.0 - scale * tf.math.divide_no_nan(fn, tp)
        precision_gain = 1.0 - scale * tf.math.divide_no_nan(fp, tp)
        no_tp = tf.equal(tp, 0.0)
        x = tf.maximum(tf.where(no_tp, tf.zeros_like(tp), recall_gain), 0.0)
        y = tf.where(no_tp, tf.ones_like(tp), precision_gain)
    if summation_method == "interpolation":
        heights = (y[:-1] + y[1:]) / 2.0
    elif summation_method == "minoring":
        heights = tf.minimum(y[:-1], y[1:])
    else:
        heights = tf.maximum(y[:-1], y[1:])
    return (x[:-1] - x[1:]) * heights


def interpolated_pr_auc_terms(tp, fp, fn):
    """Davis & Goadrich (2006): the PR curve interpolated in the count space, per interval."""
    dtp = tp[:-1] - tp[1:]
    p = tp + fp
    dp = p[:-1] - p[1:]
    prec_slope = tf.math.divide_no_nan(dtp, tf.maximum(dp, 0.0))
    intercept = tp[1:] - prec_slope * p[1:]
    safe_p_ratio = tf.where(tf.logical_and(p[:-1] > 0, p[1:] > 0),
                            tf.math.divide_no_nan(p[:-1], tf.maximum(p[1:], 0.0)),
                            tf.ones_like(p[1:]))
    return tf.math.divide_no_nan(prec_slope * (dtp + intercept * tf.math.log(safe_p_ratio)),
                                 tf.maximum(tp[1:] + fn[1:], 0.0))


def _by_label(terms, multi_label, label_weights):
    """Sum the intervals; with several labels, (weighted) mean of the per-label areas."""
    if not multi_label:
        return tf.reduce_sum(terms)
    by_label = tf.reduce_sum(terms, axis=0)
    if label_weights is None:
        return tf.reduce_mean(by_label)
    return tf.math.divide_no_nan(tf.reduce_sum(by_label * label_weights),
                                 tf.reduce_sum(label_weights))


class AUC(Metric):
    """Area under the ROC or PR curve, from counts at num_thresholds thresholds (Keras 3)."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        self._direction = "up"
        curve = str(curve).upper()
        if curve not in ("ROC", "PR", "PRGAIN"):
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are '
                             '["PR", "ROC", "PRGAIN"]')
        summation_method = str(summation_method).lower()
        if summation_method not in ("interpolation", "majoring", "minoring"):
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)]
        eps = losses._epsilon()
        self._thresholds = np.array([0.0 - eps] + list(thresholds) + [1.0 + eps])
        self.curve, self.summation_method = curve, summation_method
        Metric.__init__(self, name=name, dtype=dtype)
        self.multi_label, self.num_labels = multi_label, num_labels
        self.label_weights = None if label_weights is None else tf.constant(
            np.asarray(label_weights, dtype=self.dtype))
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found "
                                 f"rank {len(shape)}. Full shape received for `y_pred`: "
                                 f"{shape}")
            self._num_labels = shape[1]
            var_shape = (self.num_thresholds, self._num_labels)
        else:
            var_shape = (self.num_thresholds,)
        for name in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, name, self.add_variable(var_shape, "zeros", name=name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _tensor(y_pred)
        if not self._built:
            self._build(list(y_pred.shape))
        if self._from_logits:
            y_pred = activations.sigmoid(y_pred)
        update_confusion_matrix_variables(
            {"tp": self.true_positives, "tn": self.true_negatives,
             "fp": self.false_positives, "fn": self.false_negatives},
            y_true, y_pred, self._thresholds, sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights)

    def interpolate_pr_auc(self):
        """Davis & Goadrich's interpolation of the PR curve, as Keras."""
        return _by_label(interpolated_pr_auc_terms(self.true_positives, self.false_positives,
                                                   self.false_negatives),
                         self.multi_label, self.label_weights)

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        terms = riemann_auc_terms(self.true_positives, self.false_positives,
                                  self.true_negatives, self.false_negatives, self.curve,
                                  self.summation_method)
        return _by_label(terms, self.multi_label, self.label_weights)

    def reset_state(self):
        if self._built:
            Metric.reset_state(self)

    def get_config(self):
        lw = self.label_weights
        config = dict(Metric.get_config(self), num_thresholds=self.num_thresholds,
                      curve=self.curve, summation_method=self.summation_method,
                      multi_label=self.multi_label, num_labels=self.num_labels,
                      label_weights=None if lw is None else lw.numpy().tolist(),
                      from_logits=self._from_logits)
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


# -- regression: R2 ----------------------------------------------------------------------------
class R2Score(Metric):
    """The coefficient of determination, 1 - SS_res / SS_tot, per output column then aggregated
    (``class_aggregation`` None, 'uniform_average' or 'variance_weighted_average'); with
    ``num_regressors`` > 0 the adjusted R2. Inputs are 2D (batch_size, output_dim).

    As Keras 3, ``num_samples`` (used by the adjusted score) counts every element of y_true,
    not every row, and a column whose y_true is constant scores 0 (its -inf is replaced).

        >>> m = R2Score()
        >>> m.update_state([[1.], [4.], [3.]], [[2.], [4.], [4.]])
        >>> round(float(m.result()), 5)
        0.57143
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             f"{valid}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.num_samples = self.add_variable((), "zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        num_classes = y_pred_shape[-1]
        self.squared_sum = self.add_variable((num_classes,), "zeros", name="squared_sum")
        self.sum = self.add_variable((num_classes,), "zeros", name="sum")
        self.total_mse = self.add_variable((num_classes,), "zeros", name="residual")
        self.count = self.add_variable((num_classes,), "zeros", name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        dtype = tf.as_dtype(self.dtype)
        y_true, y_pred = losses.squeeze_or_expand_to_same_rank(_tensor(y_true, dtype),
                                                               _tensor(y_pred, dtype))
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        weight = _tensor(1 if sample_weight is None else sample_weight, dtype)
        if weight.ndim == 1:  # one weight per row: give it the feature axis
            weight = tf.expand_dims(weight, 1)
        weight = tf.broadcast_to(weight, list(y_true.shape))
        weighted_y_true = y_true * weight
        self.sum.assign(self.sum + tf.reduce_sum(weighted_y_true, axis=0))
        self.squared_sum.assign(self.squared_sum + tf.reduce_sum(y_true * weighted_y_true,
                                                                 axis=0))
        self.total_mse.assign(self.total_mse + tf.reduce_sum(tf.square(y_true - y_pred) * weight,
                                                             axis=0))
        self.count.assign(self.count + tf.reduce_sum(weight, axis=0))
        self.num_samples.assign(self.num_samples + tf.cast(tf.size(y_true), dtype))

    def result(self):
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        raw_scores = 1 - (self.total_mse / total)
        raw_scores = tf.where(tf.math.is_inf(raw_scores), tf.zeros_like(raw_scores), raw_scores)
        if self.class_aggregation == "uniform_average":
            r2_score = tf.reduce_mean(raw_scores)
        elif self.class_aggregation == "variance_weighted_average":
            r2_score = tf.reduce_sum(total * raw_scores) / tf.reduce_sum(total)
        else:
            r2_score = raw_scores
        if self.num_regressors == 0:
            return r2_score
        num_samples = float(self.num_samples.numpy())
        if self.num_regressors > num_samples - 1:
            warnings.warn("More independent predictors than datapoints in adjusted R2 score. "
                          "Falling back to standard R2 score.", stacklevel=2)
        elif self.num_regressors == num_samples - 1:
            warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 "
                          "score.", stacklevel=2)
        else:
            n = tf.cast(self.num_samples, r2_score.dtype)
            p = tf.cast(self.num_regressors, r2_score.dtype)
            r2_score = 1.0 - ((1.0 - r2_score) * (n - 1.0)) / ((n - p) - 1.0)
        return r2_score

    def get_config(self):
        return dict(super().get_config(), class_aggregation=self.class_aggregation,
                    num_regressors=self.num_regressors)


# -- correlation -------------------------------------------------------------------------------
def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's r along ``axis``: the mean product of the standardised values (population
    standard deviations)."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    y_true, y_pred = losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_true_norm = y_true - tf.reduce_mean(y_true, axis=axis, keepdims=True)
    y_pred_norm = y_pred - tf.reduce_mean(y_pred, axis=axis, keepdims=True)
    y_true_norm = y_true_norm / tf.math.reduce_std(y_true_norm, axis=axis, keepdims=True)
    y_pred_norm = y_pred_norm / tf.math.reduce_std(y_pred_norm, axis=axis, keepdims=True)
    return tf.reduce_mean(y_true_norm * y_pred_norm, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation along ``axis``, as Keras 3 computes it.

    Keras 3 centres y_true on the mean of *y_pred* in the covariance term,
    ``mean(2 * (y_true - mean(y_pred)) * (y_pred - mean(y_pred)) / (var_t + var_p + d**2))``;
    kept so the numbers match.
    """
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    y_true, y_pred = losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_true_mean = tf.reduce_mean(y_true, axis=axis, keepdims=True)
    y_pred_mean = tf.reduce_mean(y_pred, axis=axis, keepdims=True)
    y_true_var = tf.math.reduce_variance(y_true - y_true_mean, axis=axis, keepdims=True)
    y_pred_var = tf.math.reduce_variance(y_pred - y_pred_mean, axis=axis, keepdims=True)
    covar = (y_true - y_pred_mean) * (y_pred - y_pred_mean)
    norm = y_true_var + y_pred_var + tf.square(y_true_mean - y_pred_mean)
    return tf.reduce_mean(2 * covar / (norm + losses._epsilon()), axis=axis)


PearsonCorrelation = _wrapper_class("PearsonCorrelation", pearson_correlation,
                                    "pearson_correlation", [("axis", -1)])
ConcordanceCorrelation = _wrapper_class("ConcordanceCorrelation", concordance_correlation,
                                        "concordance_correlation", [("axis", -1)])


# -- best value under a constraint, from counts at evenly spaced thresholds --------------------
class SensitivitySpecificityBase(Metric):
    """Counts tp/fp/tn/fn at ``num_thresholds`` thresholds evenly spaced over [0, 1] (just 0.5
    when ``num_thresholds`` is 1); subclasses pick the best statistic whose partner statistic
    satisfies the constraint ``>= value``."""

    _given = _given_rate = _best = None  # (subclasses) the argument held >= value, the rate
    # it names, and the rate maximized under that constraint

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_rate(self._given, value)
        super().__init__(name=name, dtype=dtype)
        setattr(self, self._given, value)
        self.num_thresholds = num_thresholds
        self._direction = "up"
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds}")
        self.value, self.class_id = value, class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            self._thresholds_distributed_evenly = True
        n = len(self.thresholds)
        for var in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, var, self.add_variable((n,), "zeros", name=var))

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables(
            {"tp": self.true_positives, "tn": self.true_negatives,
             "fp": self.false_positives, "fn": self.false_negatives},
            y_true, y_pred, self.thresholds, class_id=self.class_id,
            sample_weight=sample_weight,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly)

    def _rates(self):
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        return {"sensitivity": tf.math.divide_no_nan(tp, tp + fn),
                "specificity": tf.math.divide_no_nan(tn, tn + fp),
                "precision": tf.math.divide_no_nan(tp, tp + fp)}

    def _find_max_under_constraint(self, constrained, dependent):
        """The largest ``dependent`` value where ``constrained >= value``; 0 where none."""
        feasible = constrained >= self.value
        best = tf.reduce_max(tf.where(feasible, dependent, tf.zeros_like(dependent)))
        return tf.maximum(best, tf.zeros_like(best))

    def result(self):
        rates = self._rates()
        return self._find_max_under_constraint(rates[self._given_rate], rates[self._best])

    def get_config(self):
        return dict(super().get_config(), class_id=self.class_id,
                    num_thresholds=self.num_thresholds, **{self._given: self.value})



def _check_rate(argument, value):
    if value < 0 or value > 1:
        raise ValueError(f"Argument `{argument}` must be in the range [0, 1]. "
                         f"Received: {argument}={value}")


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The best sensitivity tp / (tp + fn) at a threshold where specificity tn / (tn + fp) is
    >= ``specificity``."""

    _given, _given_rate, _best = "specificity", "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The best specificity tn / (tn + fp) at a threshold where sensitivity tp / (tp + fn) is
    >= ``sensitivity``."""

    _given, _given_rate, _best = "sensitivity", "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


class PrecisionAtRecall(SensitivitySpecificityBase):
    """The best precision tp / (tp + fp) at a threshold where recall tp / (tp + fn) is
    >= ``recall``.

        >>> m = PrecisionAtRecall(0.5, num_thresholds=3)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> float(m.result())
        0.5
    """

    _given, _given_rate, _best = "recall", "sensitivity", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(SensitivitySpecificityBase):
    """The best recall tp / (tp + fn) at a threshold where precision tp / (tp + fp) is
    >= ``precision``."""

    _given, _given_rate, _best = "precision", "precision", "sensitivity"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)


# -- intersection over union -------------------------------------------------------------------
def confusion_matrix(labels, predictions, num_classes, weights=None, dtype="int32"):
    """The (num_classes, num_classes) matrix of (weighted) counts, rows the labels and columns
    the predictions (Keras's metrics_utils.confusion_matrix: a scatter-add, no range check)."""
    dtype = tf.as_dtype(dtype)
    labels, predictions = _tensor(labels, dtype), _tensor(predictions, dtype)
    labels, predictions = losses.squeeze_or_expand_to_same_rank(labels, predictions)
    indices = tf.cast(tf.stack([labels, predictions], axis=1), tf.int64)
    values = tf.ones_like(predictions) if weights is None else _tensor(weights, dtype)
    num_classes = int(num_classes)
    return tf.scatter_nd(indices, values, [num_classes, num_classes])


_DTYPE_ALIASES = {"int": "int64", "float": "float32"}  # Keras's standardize_dtype


class _IoUBase(Metric):
    """Accumulates a (num_classes, num_classes) confusion matrix of class ids.

    The metric's dtype defaults to int64, as Keras: the matrix holds integer counts, so float
    sample weights are truncated toward zero (Keras warns). Ids outside [0, num_classes) and
    labels equal to ``ignore_class`` are left out.
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        dtype = _DTYPE_ALIASES.get(dtype, dtype)
        super().__init__(name=name, dtype=dtype or "int64")
        self._direction = "up"
        self.num_classes, self.ignore_class = num_classes, ignore_class
        self.sparse_y_true, self.sparse_y_pred, self.axis = sparse_y_true, sparse_y_pred, axis
        self.total_cm = self.add_variable((num_classes, num_classes), "zeros",
                                          name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        dtype = tf.as_dtype(self.dtype)
        if not self.sparse_y_true:
            y_true = tf.argmax(_tensor(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = tf.argmax(_tensor(y_pred), axis=self.axis)
        y_true, y_pred = _tensor(y_true, dtype), _tensor(y_pred, dtype)
        if y_pred.ndim > 1:
            y_pred = tf.reshape(y_pred, [-1])
        if y_true.ndim > 1:
            y_true = tf.reshape(y_true, [-1])
        if sample_weight is None:
            sample_weight = 1
        elif (hasattr(sample_weight, "dtype") and "float" in str(sample_weight.dtype)
              and "int" in str(self.dtype)):
            warnings.warn("You are passing weight as `float`, but dtype is `int`. This may "
                          "result in an incorrect weight due to type casting Consider using "
                          "integer weights.", stacklevel=2)
        sample_weight = _tensor(sample_weight, dtype)
        if sample_weight.ndim > 1:
            sample_weight = tf.reshape(sample_weight, [-1])
        sample_weight = tf.broadcast_to(sample_weight, list(y_true.shape))
        # Out-of-range ids (and the ignored class) become cell (0, 0) with weight 0.
        num_classes = tf.cast(self.num_classes, y_true.dtype)
        in_bounds = tf.logical_and(
            tf.logical_and(y_true >= tf.zeros_like(y_true), y_true < num_classes),
            tf.logical_and(y_pred >= tf.zeros_like(y_pred), y_pred < num_classes))
        if self.ignore_class is not None:
            in_bounds = tf.logical_and(
                in_bounds, tf.not_equal(y_true, tf.cast(self.ignore_class, y_true.dtype)))
        y_true = tf.where(in_bounds, y_true, tf.zeros_like(y_true))
        y_pred = tf.where(in_bounds, y_pred, tf.zeros_like(y_pred))
        sample_weight = tf.where(in_bounds, sample_weight, tf.zeros_like(sample_weight))
        current = confusion_matrix(y_true, y_pred, self.num_classes, weights=sample_weight,
                                   dtype=dtype)
        self.total_cm.assign(self.total_cm + current)

    def reset_state(self):
        self.total_cm.assign(tf.zeros(self.total_cm.shape, dtype=self.total_cm.dtype))


class IoU(_IoUBase):
    """Intersection over union, tp / (tp + fp + fn), averaged over ``target_class_ids``
    (classes never seen, in labels or predictions, are left out of the mean).

        >>> m = IoU(num_classes=2, target_class_ids=[0])
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
        >>> round(float(m.result()), 4)
        0.3333
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, num_classes=num_classes, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis,
                         dtype=dtype)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which "
                             f"is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self):
        dtype = tf.as_dtype(self.dtype)
        sum_over_row = tf.cast(tf.reduce_sum(self.total_cm, axis=0), dtype)
        sum_over_col = tf.cast(tf.reduce_sum(self.total_cm, axis=1), dtype)
        true_positives = tf.cast(tf.linalg.diag_part(self.total_cm), dtype)
        # sum_over_row + sum_over_col = 2 * tp + fp + fn
        denominator = sum_over_row + sum_over_col - true_positives
        ids = tf.constant(self.target_class_ids, dtype=tf.int32)
        true_positives = tf.cast(tf.gather(true_positives, ids), tf.float32)
        denominator = tf.cast(tf.gather(denominator, ids), tf.float32)
        valid = denominator > 1e-9  # an absent class counts neither in the sum nor the mean
        num_valid = tf.reduce_sum(tf.cast(valid, tf.float32))
        iou = true_positives / (denominator + losses._epsilon())
        iou = tf.where(valid, iou, tf.zeros_like(iou))
        return tf.reduce_sum(iou, axis=self.axis) / (num_valid + losses._epsilon())

    def get_config(self):
        return dict(super().get_config(), num_classes=self.num_classes,
                    target_class_ids=self.target_class_ids, ignore_class=self.ignore_class,
                    sparse_y_true=self.sparse_y_true, sparse_y_pred=self.sparse_y_pred,
                    axis=self.axis)


class BinaryIoU(IoU):
    """IoU of two classes: a prediction >= ``threshold`` is class 1, below it class 0."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        dtype = tf.as_dtype(self.dtype)
        y_true = _tensor(y_true, dtype)
        y_pred = tf.cast(_tensor(y_pred, tf.float32) >= self.threshold, dtype)
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over every class (that was seen)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(name=name, num_classes=num_classes,
                         target_class_ids=list(range(num_classes)), axis=axis, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU of one-hot labels (and, unless ``sparse_y_pred``, scores): argmax over ``axis``."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids, name=name,
                         dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "name": self.name, "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """MeanIoU of one-hot labels (and, unless ``sparse_y_pred``, scores)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, axis=axis, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


# -- names -------------------------------------------------------------------------------------
_CLASSES = [Metric, Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy,
            CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
            SparseTopKCategoricalAccuracy, MeanSquaredError, RootMeanSquaredError,
            MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
            CosineSimilarity, LogCoshError, Hinge, SquaredHinge, CategoricalHinge, KLDivergence,
            Poisson, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
            AUC, Precision, Recall, TruePositives, FalsePositives, TrueNegatives, FalseNegatives,
            FBetaScore, F1Score, R2Score, PearsonCorrelation, ConcordanceCorrelation,
            PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
            SpecificityAtSensitivity, IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU]
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({_snake(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update(
    bce=BinaryCrossentropy, BCE=BinaryCrossentropy, mse=MeanSquaredError,
    MSE=MeanSquaredError, mae=MeanAbsoluteError, MAE=MeanAbsoluteError,
    mape=MeanAbsolutePercentageError, MAPE=MeanAbsolutePercentageError,
    msle=MeanSquaredLogarithmicError, MSLE=MeanSquaredLogarithmicError,
    acc=Accuracy, auc=AUC, rmse=RootMeanSquaredError)

# Keras exports the metric functions too (keras.metrics.mean_squared_error ...).
mean_squared_error = losses.mean_squared_error
mean_absolute_error = losses.mean_absolute_error
mean_absolute_percentage_error = losses.mean_absolute_percentage_error
mean_squared_logarithmic_error = losses.mean_squared_logarithmic_error
binary_crossentropy = losses.binary_crossentropy
categorical_crossentropy = losses.categorical_crossentropy
sparse_categorical_crossentropy = losses.sparse_categorical_crossentropy
kl_divergence = losses.kl_divergence
poisson = losses.poisson
hinge = losses.hinge
squared_hinge = losses.squared_hinge
categorical_hinge = losses.categorical_hinge
log_cosh = losses.log_cosh
huber = losses.huber
categorical_focal_crossentropy = losses.categorical_focal_crossentropy


def serialize(metric):
    if isinstance(metric, Metric):
        return {"module": "keras.metrics", "class_name": type(metric).__name__,
                "config": metric.get_config(), "registered_name": None}
    return {"module": "builtins", "class_name": "function",
            "config": getattr(metric, "__name__", str(metric)), "registered_name": "function"}


def deserialize(config, custom_objects=None):
    table = dict(ALL_OBJECTS_DICT, **(custom_objects or {}))
    if isinstance(config, str):
        if config in table:
            return table[config]
        if config in globals() and callable(globals()[config]):
            return globals()[config]
        raise ValueError(f"Unknown metric: '{config}'. Use a name such as 'accuracy', 'mae', "
                         "'AUC', a keras.metrics.Metric, or a callable(y_true, y_pred).")
    if config.get("class_name") == "function":
        return deserialize(config["config"], custom_objects)
    cls = table.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"Unknown metric class: '{config.get('class_name')}'.")
    return cls.from_config(config.get("config") or {})


def get(identifier):
    """A metric from a name ('accuracy', 'mse', 'AUC'), a config dict or a callable.

    Names of classes give a fresh instance, as Keras 3: ``get('mse')`` is a MeanSquaredError.
    (compile resolves 'accuracy' / 'acc' against the loss; that is the trainer's business.)
    """
    if identifier is None:
        return None
    obj = deserialize(identifier) if isinstance(identifier, (str, dict)) else identifier
    if isinstance(obj, type) and issubclass(obj, Metric):
        return obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret metric identifier: {identifier}")
