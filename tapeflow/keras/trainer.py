"""The training loop -- the only one: compile, fit, evaluate, predict and their *_on_batch.

``train_step`` is Keras's own on TensorFlow: GradientTape -> gradient -> apply_gradients, then
metric updates. ``fit`` feeds it batches from NumPy arrays, tensors, dicts, Python generators
or iterables of batches, and tf.data Datasets, and runs the callbacks (History, progress bar).

>>> import numpy as np, tapeflow.keras as keras
>>> model = keras.Sequential([keras.layers.Dense(1)])
>>> model.compile(optimizer="sgd", loss="mse")
>>> history = model.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=2, verbose=0)
>>> sorted(history.history)
['loss']
"""
import numpy as np

import tapeflow as tf


def _modules():
    from tapeflow.keras import callbacks, losses, metrics, optimizers
    return losses, metrics, optimizers, callbacks


# -- compile: losses and metrics per output ---------------------------------------------------
def _object_name(obj):
    name = getattr(obj, "name", None)
    if isinstance(name, str):
        return name
    return getattr(obj, "__name__", type(obj).__name__)


def _resolve_loss(identifier):
    losses = _modules()[0]
    if identifier is None:
        return None
    fn = losses.get(identifier)
    if isinstance(fn, losses.Loss):
        return fn
    return losses.LossFunctionWrapper(fn, name=_object_name(fn))


def _resolve_metric(identifier, y_true, y_pred):
    metrics = _modules()[1]
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        pred_shape, true_shape = tuple(y_pred.shape), tuple(np.shape(y_true))
        if pred_shape[-1:] == (1,):
            fn = metrics.binary_accuracy
        elif len(true_shape) == len(pred_shape) - 1 or true_shape[-1:] == (1,):
            fn = metrics.sparse_categorical_accuracy
        else:
            fn = metrics.categorical_accuracy
        obj = metrics.MeanMetricWrapper(fn, name=identifier)
        return obj, identifier
    obj = metrics.get(identifier)
    if isinstance(obj, type):
        obj = obj()
    name = identifier if isinstance(identifier, str) else _object_name(obj)
    if not isinstance(obj, metrics.Metric):
        obj = metrics.MeanMetricWrapper(obj, name=name)
    return obj, name


def _per_output(value, names, what):
    """A compile argument as a list with one entry per output (None where absent)."""
    if value is None:
        return [None] * len(names)
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(f"In the dict argument `{what}`, key '{unknown[0]}' does not "
                             f"correspond to any model output. Received:\n{what}={value}")
        return [value.get(n) for n in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(f"For a model with multiple outputs, when providing the `{what}` "
                             f"argument as a list, it should have as many entries as the model "
                             f"has outputs. Received:\n{what}={value}\nof length {len(value)} "
                             f"whereas the model has {len(names)} outputs.")
        return list(value)
    return [value] * len(names)


class _Plan:
    """What the default train step reads from the model's structure -- its trainable weights
    and the layers that may hold ``add_loss`` losses -- collected once and reused until the
    structure changes (``layer.structure_version``: a layer frozen,
    unfrozen, added or removed, a weight created), instead of walking the layers every step."""

    __slots__ = ("weights", "_layers", "version")

    def __init__(self, model):
        self.weights = model.trainable_weights
        self._layers = model._flatten_layers()
        self.version = _layer_module().structure_version[0]

    def losses(self):
        """``model.losses``, in its order: the layers' added losses, then the regularizers of
        the trainable weights (read each step: a regularizer may be attached at any time)."""
        out = []
        for layer in self._layers:
            out.extend(layer._losses)
        for w in self.weights:
            if w.regularizer is not None:
                out.append(w.regularizer(w))
        return out

    @staticmethod
    def of(model):
        """The model's plan while it is current, else None."""
        plan = model.__dict__.get("_plan")
        if plan is not None and plan.version == _layer_module().structure_version[0]:
            return plan
        return None

    @staticmethod
    def make(model):
        layer_cls = _layer_module().Layer
        if model.built and type(model).trainable_weights is layer_cls.trainable_weights \
                and type(model).losses is layer_cls.losses:
            object.__setattr__(model, "_plan", _Plan(model))


_LAYER_MODULE = []  # tapeflow.keras.layers.layer, imported on first use (it imports this one)


def _layer_module():
    if not _LAYER_MODULE:
        from tapeflow.keras.layers import layer
        _LAYER_MODULE.append(layer)
    return _LAYER_MODULE[0]


class CompileLoss:
    """The compiled loss: one loss per output, weighted and summed (and per-output trackers)."""

    def __init__(self, loss, loss_weights, output_names):
        self._spec = (loss, loss_weights)
        self.output_names = output_names
        self.built = False
        self.metrics = []

    def build(self, output_names):
        metrics_mod = _modules()[1]
        loss, weights = self._spec
        self.output_names = output_names
        if len(output_names) > 1 and not isinstance(loss, (list, tuple, dict)):
            loss = [loss] * len(output_names)
        self.losses = [_resolve_loss(x) for x in _per_output(loss, output_names, "loss")]
        w = _per_output(weights, output_names, "loss_weights")
        self.weights = [1.0 if x is None else float(x) for x in w]
        if len(output_names) > 1:
            self.metrics = [metrics_mod.Mean(name=f"{n}_loss") for n, fn in
                            zip(output_names, self.losses) if fn is not None]
        self.built = True

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        if not self.built:
            self.build(_names_from(y_pred, self.output_names))
        ys_true, ys_pred, sws = _align(y_true, y_pred, sample_weight, self.output_names)
        total = None
        trackers = iter(self.metrics)
        for fn, w, yt, yp, sw in zip(self.losses, self.weights, ys_true, ys_pred, sws):
            if fn is None:
                continue
            value = fn(yt, yp, sample_weight=sw)
            if self.metrics:
                next(trackers).update_state(value, sample_weight=_batch_size(yp))
            if w != 1.0:
                value = value * w
            total = value if total is None else total + value
        if regularization_losses:
            total = total + tf.add_n(list(regularization_losses))
        return total

    def reset_state(self):
        for m in self.metrics:
            m.reset_state()


class CompileMetrics:
    """The compiled metrics, built on the first batch (accuracy needs the shapes)."""

    def __init__(self, metrics, weighted_metrics, output_names):
        self._spec = (metrics, weighted_metrics)
        self.output_names = output_names
        self.built = False
        self.name = "compile_metrics"
        self._entries = []  # (output index, metric, log name, weighted)
        self._pure = None  # reads_predictions_only(), once built

    @property
    def metrics(self):
        return [m for _, m, _, _ in self._entries]

    def build(self, y_true, y_pred):
        names = self.output_names = _names_from(y_pred, self.output_names)
        ys_true, ys_pred, _ = _align(y_true, y_pred, None, names)
        multi = len(names) > 1
        for weighted, spec in ((False, self._spec[0]), (True, self._spec[1])):
            if spec is None:
                continue
            if multi and isinstance(spec, (list, tuple)) and spec and \
                    not any(isinstance(s, (list, tuple, dict)) for s in spec):
                per = [list(spec)] * len(names)  # a flat list: every output
            else:
                per = _per_output(spec, names, "metrics")
            for i, entry in enumerate(per):
                if entry is None:
                    continue
                for ident in (entry if isinstance(entry, (list, tuple)) else [entry]):
                    if ident is None:
                        continue
                    metric, name = _resolve_metric(ident, ys_true[i], ys_pred[i])
                    log = f"{names[i]}_{name}" if multi else name
                    if weighted and not multi:
                        log = f"weighted_{name}" if log in [e[2] for e in self._entries] else log
                    self._entries.append((i, metric, log, weighted))
        self.built = True

    def __repr__(self):
        return f"<CompileMetrics name={self.name}>"

    def reads_predictions_only(self):
        """True once built, when every metric is one of Keras's own (its state follows from
        y_true, y_pred and sample weights alone), so it may be updated before the optimizer
        step as well as after."""
        if not self.built:
            return False
        if self._pure is None:
            metrics = _modules()[1]
            own = (metrics.__name__, _modules()[0].__name__)
            self._pure = all(type(m).__module__ == own[0] and (
                not isinstance(m, metrics.MeanMetricWrapper) or
                getattr(m._fn, "__module__", None) in own) for _, m, _, _ in self._entries)
        return self._pure

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        if not self._entries:
            return
        ys_true, ys_pred, sws = _align(y_true, y_pred, sample_weight, self.output_names)
        for i, metric, _, weighted in self._entries:
            metric.update_state(ys_true[i], ys_pred[i], sample_weight=sws[i] if weighted else None)

    def result(self):
        return {log: metric.result() for _, metric, log, _ in self._entries}

    def reset_state(self):
        for m in self.metrics:
            m.reset_state()

    @property
    def variables(self):
        return [v for m in self.metrics for v in m.variables]


def _names_from(y_pred, names):
    """Output names once the predictions are seen (subclassed models: output_1, output_2 ...)."""
    if names is not None:
        return names
    if isinstance(y_pred, dict):
        return list(y_pred)
    if isinstance(y_pred, (list, tuple)):
        return [f"output_{i + 1}" for i in range(len(y_pred))]
    return ["output_1"]


def _batch_size(y):
    first = y if type(y) is tf.Tensor else tf.nest.flatten(y)[0]
    return int(first.shape[0])


def _align(y_true, y_pred, sample_weight, names):
    """Targets, predictions and sample weights as lists in output order."""
    if len(names) == 1:
        if isinstance(y_pred, (list, tuple)) and len(y_pred) == 1:
            y_pred = y_pred[0]
        if isinstance(y_true, (list, tuple)) and len(y_true) == 1:
            y_true = y_true[0]
        if isinstance(y_true, dict):
            y_true = y_true[names[0]]
        if isinstance(y_pred, dict):
            y_pred = next(iter(y_pred.values()))
        return [y_true], [y_pred], [sample_weight]
    preds = [y_pred[n] for n in names] if isinstance(y_pred, dict) else list(y_pred)
    trues = [y_true[n] for n in names] if isinstance(y_true, dict) else list(y_true)
    if isinstance(sample_weight, dict):
        sws = [sample_weight.get(n) for n in names]
    elif isinstance(sample_weight, (list, tuple)):
        sws = list(sample_weight)
    else:
        sws = [sample_weight] * len(names)
    return trues, preds, sws


# -- data ----------------------------------------------------------------------------------
def _is_array(x):
    return isinstance(x, (np.ndarray, tf.Tensor)) or hasattr(type(x), "_as_tensor") or \
        (type(x).__module__.startswith("pandas"))


def _is_array_struct(x):
    if x is None:
        return True
    if _is_array(x):
        return True
    if isinstance(x, dict):
        return all(_is_array(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        return all(_is_array(v) or isinstance(v, (int, float, list)) for v in x) and len(x) > 0 \
            and _is_array(x[0])
    return False


def _to_numpy(x):
    if x is None:
        return None
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, dict):
        return {k: _to_numpy(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_to_numpy(v) for v in x]
    return np.asarray(x)


def _slice(x, idx):
    if x is None:
        return None
    if isinstance(x, np.ndarray):
        return _rows(x, idx)
    if isinstance(x, dict):
        return {k: _slice(v, idx) for k, v in x.items()}
    return [_slice(v, idx) for v in x]


def _rows(x, idx):
    """``x[idx]`` along the first axis: a slice is a view; shuffled indices gather with
    ``take`` (the same rows as fancy indexing, in less time)."""
    return x[idx] if type(idx) is slice else x.take(idx, axis=0)


def _first_len(x):
    return len(tf.nest.flatten(x)[0])


def _borrowed(batch):
    """A batch the loop cut from the data as a tensor on the same memory (DLPack, no copy):
    nothing writes to it while the step runs, and what the user gets back is copied (predict
    returns fresh arrays). tf.convert_to_tensor would copy it (as TF does)."""
    try:
        return tf.experimental.dlpack.from_dlpack(batch)
    except ValueError:  # a dtype DLPack cannot carry (strings, objects, byte-swapped)
        return tf.convert_to_tensor(batch)


def _to_tensors(x):
    """A batch of NumPy data as tensors; floats as float32 (Keras casts to floatx)."""
    if x is None:
        return None
    if isinstance(x, np.ndarray):
        if x.dtype.kind == "f" and x.dtype != np.float32:
            x = x.astype(np.float32)
        return _borrowed(x)
    if isinstance(x, tf.Tensor):
        return x
    if isinstance(x, dict):
        return {k: _to_tensors(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_to_tensors(v) for v in x) if type(x) in (list, tuple) else x
    if hasattr(type(x), "_as_tensor"):
        return tf.convert_to_tensor(x)
    return tf.convert_to_tensor(np.asarray(x))


def unpack_x_y_sample_weight(data):
    """(x, y, sample_weight) from a batch: x, (x,), (x, y) or (x, y, sample_weight)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found: {data}")


def _class_weights(y, class_weight):
    y = np.asarray(y)
    one_hot = y.ndim > 1 and y.shape[-1] > 1
    labels = np.argmax(y, axis=-1) if one_hot else y.reshape(len(y), -1)[:, 0]
    table = np.zeros(int(max(max(class_weight), labels.max())) + 1, np.float32)
    table[:] = 1.0
    for k, v in class_weight.items():
        table[int(k)] = v
    return table[labels.astype(np.int64)]


class _ArrayData:
    """Batches of in-memory arrays; shuffled per epoch with NumPy's global RNG."""

    def __init__(self, x, y, sample_weight, batch_size, shuffle, class_weight=None):
        self.x, self.y = _to_numpy(x), _to_numpy(y)
        self.sw = _to_numpy(sample_weight)
        if class_weight is not None and self.y is not None and self.sw is None:
            self.sw = _class_weights(self.y, class_weight)
        self.n = _first_len(self.x)
        for name, v in (("y", self.y), ("sample_weight", self.sw)):
            if v is not None:
                for a in tf.nest.flatten(v):
                    if len(a) != self.n:
                        raise ValueError(f"Data cardinality is ambiguous: x sizes: {self.n}, "
                                         f"{name} sizes: {len(a)}. Make sure all arrays "
                                         "contain the same number of samples.")
        self.batch_size = batch_size or 32
        self.shuffle = shuffle
        self.steps = -(-self.n // self.batch_size)
        self._simple = isinstance(self.x, np.ndarray) and \
            (self.y is None or isinstance(self.y, np.ndarray))

    def epoch(self, steps=None):
        n, bs = self.n, self.batch_size
        order = np.random.permutation(n) if self.shuffle else None
        count = self.steps if steps is None else steps
        for step in range(count):
            start = (step % self.steps) * bs
            idx = slice(start, min(start + bs, n)) if order is None else \
                order[start:start + bs]
            if self._simple and self.sw is None:
                x = _to_tensors(_rows(self.x, idx))
                yield (x,) if self.y is None else (x, _to_tensors(_rows(self.y, idx)))
                continue
            x, y, sw = (_to_tensors(_slice(v, idx)) for v in (self.x, self.y, self.sw))
            if y is None:
                yield (x,)
            else:
                yield (x, y) if sw is None else (x, y, sw)


class _IterData:
    """Batches from a tf.data Dataset, a Python generator or any iterable of batches."""

    def __init__(self, data, steps=None):
        self.data = data
        self.reiterable = iter(data) is not data if hasattr(data, "__iter__") else False
        self._it = None
        # With an explicit steps_per_epoch, epochs continue one iterator (Keras); otherwise a
        # re-iterable source (a Dataset, a list) starts afresh every epoch.
        self._continue_iterator = steps is not None
        try:
            self.steps = len(data) if steps is None else steps
        except (TypeError, ValueError):
            self.steps = steps

    def epoch(self, steps=None):
        steps = steps if steps is not None else self.steps
        if self._it is None or (self.reiterable and not self._continue_iterator):
            self._it = iter(self.data)
        count = 0
        while steps is None or count < steps:
            try:
                batch = next(self._it)
            except StopIteration:
                self._it = None
                return
            count += 1
            if isinstance(batch, (tuple, list)):
                yield tuple(_to_tensors(_to_numpy_if_needed(v)) for v in batch)
            else:
                yield (_to_tensors(_to_numpy_if_needed(batch)),)


def _to_numpy_if_needed(v):
    if v is None or isinstance(v, (np.ndarray, tf.Tensor, dict, list, tuple)):
        return v
    return np.asarray(v)


def _make_data(x, y, sample_weight, batch_size, shuffle, steps, class_weight=None):
    if _is_array_struct(x):
        if x is None:
            raise ValueError("Unrecognized data type: x=None. Pass NumPy arrays, tensors, a "
                             "tf.data.Dataset or a generator of batches.")
        return _ArrayData(x, y, sample_weight, batch_size, shuffle, class_weight)
    if y is not None:
        raise ValueError("When providing `x` as a tf.data.Dataset or a generator, `y` should "
                         "not be passed. Instead, the targets should be included as part of "
                         "the dataset `x`.")
    return _IterData(x, steps)


def _split_validation(x, y, sample_weight, split):
    if not _is_array_struct(x):
        raise ValueError("`validation_split` is only supported for Tensors or NumPy arrays, "
                         f"found following types in the input: {type(x)}")
    x, y, sample_weight = _to_numpy(x), _to_numpy(y), _to_numpy(sample_weight)
    n = _first_len(x)
    cut = int(n * (1.0 - split))
    if cut == 0 or cut == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to split "
                         f"it into a validation and training set as specified by "
                         f"`validation_split={split}`. Either provide more data, or a different "
                         "value for the `validation_split` argument.")
    head, tail = slice(0, cut), slice(cut, n)
    return ((_slice(x, head), _slice(y, head), _slice(sample_weight, head)),
            (_slice(x, tail), _slice(y, tail), _slice(sample_weight, tail)))


def _pythonify(logs):
    out = {}
    for k in sorted(logs):
        v = logs[k]
        if isinstance(v, dict):
            out.update(_pythonify(v))
            continue
        try:
            out[k] = float(v)
        except (TypeError, ValueError):
            out[k] = v
    return out


class Trainer:
    """compile / fit / evaluate / predict, mixed into keras.Model."""

    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self.stop_training = False
        self.history = None
        self.train_function = self.test_function = self.predict_function = None

    # -- compile --------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Configures the model for training (optimizer, loss, metrics by object or name)."""
        _, metrics_mod, optimizers, _ = _modules()
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        names = self._output_names_for_compile()
        self._compile_loss = CompileLoss(loss, loss_weights, names) if loss is not None else None
        if self._compile_loss is not None and names is not None:
            self._compile_loss.build(names)
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics, names) \
            if (metrics is not None or weighted_metrics is not None) else None
        self._loss_tracker = metrics_mod.Mean(name="loss")
        self.compiled = True
        self.stop_training = False
        self.run_eagerly = True
        self.jit_compile = False
        self.steps_per_execution = steps_per_execution
        # Keras 2 spellings for custom train_steps (not tracked as metrics of the model).
        object.__setattr__(self, "compiled_loss", self._compile_loss)
        object.__setattr__(self, "compiled_metrics", self._compile_metrics if
                           self._compile_metrics is not None else
                           CompileMetrics(None, None, names))

    def _output_names_for_compile(self):
        names = getattr(self, "output_names", None)
        if names:
            return list(names)
        if getattr(self, "_graph_built", False) or hasattr(self, "_stack"):
            return ["output_1"]  # Sequential: one output
        return None  # subclassed: known at the first batch

    @property
    def metrics(self):
        out = []
        if self.compiled:
            if self._loss_tracker is not None:
                out.append(self._loss_tracker)
            if self._compile_metrics is not None:
                out.append(self._compile_metrics)
            if self._compile_loss is not None:
                out.extend(self._compile_loss.metrics)
        out.extend(self._metrics)
        for layer in self._flatten_layers(include_self=False):
            if isinstance(layer, Trainer):
                continue
            out.extend(layer.metrics)
        return out

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    # -- the steps ------------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss plus the model's regularization and ``add_loss`` losses."""
        total = None
        if self._compile_loss is not None and y is not None:
            total = self._compile_loss(y, y_pred, sample_weight)
        plan = _Plan.of(self)
        extra = plan.losses() if plan is not None else self.losses
        if extra:
            reg = tf.add_n([tf.cast(v, tf.float32) for v in extra])
            total = reg if total is None else total + reg
        if total is None:
            if self._compile_loss is None:
                raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
            return tf.constant(0.0)
        return total

    def _compute_loss_entry(self, x, y, y_pred, sample_weight, training):
        if type(self).compute_loss is Trainer.compute_loss:
            return self.compute_loss(x, y, y_pred, sample_weight, training)
        try:
            return self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                     training=training)
        except TypeError:
            return self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        if self._compile_metrics is not None and y is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        out = {}
        for m in self.metrics:
            r = m.result()
            if isinstance(r, dict):
                out.update(r)
            else:
                out[m.name] = r
        return out

    def train_step(self, data):
        """One optimizer step on a batch: GradientTape -> gradient -> apply_gradients."""
        return self._train_step(data, True)

    def _train_step(self, data, want_logs):
        """train_step; with ``want_logs`` False (fit, when no callback reads per-batch logs)
        the metrics are updated but their results are not computed."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self._compute_loss_entry(x, y, y_pred, sample_weight, True)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        # Keras updates the compiled metrics after the optimizer step. Built-in metrics read
        # y_true and y_pred only, so here they are updated first, while the caches still hold
        # what the loss touched; the results (which may read anything) still come after.
        default_metrics = type(self).compute_metrics is Trainer.compute_metrics
        compiled = self._compile_metrics if y is not None else None
        early = default_metrics and compiled is not None and compiled.reads_predictions_only()
        if early:
            compiled.update_state(y, y_pred, sample_weight)
        plan = _Plan.of(self)
        weights = plan.weights if plan is not None else self.trainable_weights
        if weights:
            grads = tape.gradient(loss, weights)
            self.optimizer.apply_gradients(zip(grads, weights))
        if plan is None:  # after a step every weight exists: reused until the structure changes
            _Plan.make(self)
        if not default_metrics:
            return self.compute_metrics(x, y, y_pred, sample_weight)
        if compiled is not None and not early:
            compiled.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result() if want_logs else None

    def test_step(self, data):
        return self._test_step(data, True)

    def _test_step(self, data, want_logs):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self._compute_loss_entry(x, y, y_pred, sample_weight, False)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        return self._metric_logs(x, y, y_pred, sample_weight, want_logs)

    def _metric_logs(self, x, y, y_pred, sample_weight, want_logs):
        if want_logs or type(self).compute_metrics is not Trainer.compute_metrics:
            return self.compute_metrics(x, y, y_pred, sample_weight)
        if self._compile_metrics is not None and y is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return None

    def predict_step(self, data):
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def make_train_function(self, force=False):
        self.train_function = self.train_step
        return self.train_function

    def make_test_function(self, force=False):
        self.test_function = self.test_step
        return self.test_function

    def make_predict_function(self, force=False):
        self.predict_function = self.predict_step
        return self.predict_function

    def _assert_compiled(self):
        if not self.compiled:
            raise ValueError("You must call `compile()` before using the model.")

    def _build_for(self, data):
        """Builds an unbuilt model from a batch before training (batch size left unknown)."""
        if self.built:
            return
        x, _, _ = unpack_x_y_sample_weight(data)
        self._maybe_build(tuple(x.shape) if isinstance(x, tf.Tensor) else
                          tf.nest.map_structure(lambda t: tuple(t.shape), x))

    def _callbacks(self, callbacks, verbose, epochs, steps):
        cbs = _modules()[3]
        if isinstance(callbacks, cbs.CallbackList):
            return callbacks
        return cbs.CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                                model=self, verbose=verbose, epochs=epochs, steps=steps)

    # -- fit ------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Trains for ``epochs`` epochs; returns the History (``history.history`` per epoch)."""
        self._assert_compiled()
        verbose = 1 if verbose == "auto" else verbose
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = _split_validation(x, y, sample_weight,
                                                                       validation_split)
        data = _make_data(x, y, sample_weight, batch_size, shuffle, steps_per_epoch,
                          class_weight)
        val = None
        if validation_data is not None:
            if isinstance(validation_data, tuple) and _is_array_struct(validation_data[0]):
                vx, vy, vsw = unpack_x_y_sample_weight(validation_data)
                val = _make_data(vx, vy, vsw, validation_batch_size or batch_size, False, None)
            else:
                val = _make_data(validation_data, None, None, None, False, validation_steps)
        steps = steps_per_epoch or data.steps
        cb = self._callbacks(callbacks, verbose, epochs, steps)
        self.stop_training = False
        self.make_train_function()
        cb.on_train_begin()
        # BackupAndRestore sets these in on_train_begin to resume where a killed fit stopped
        # (Keras's trainer reads _initial_epoch the same way).
        initial_epoch = max(initial_epoch, getattr(self, "_initial_epoch", None) or 0)
        initial_step = getattr(self, "_initial_step", None) or 0
        train_step = self.train_step
        if getattr(train_step, "__func__", None) is Trainer.train_step and \
                not cb.needs_batch_logs("on_train_batch_end"):
            def train_step(batch):  # Keras's own step, minus results nobody reads
                return self._train_step(batch, False)
        logs = {}
        epoch_logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cb.on_epoch_begin(epoch)
            step = -1
            skip = initial_step if epoch == initial_epoch else 0
            for step, batch in enumerate(data.epoch(steps_per_epoch)):
                if step < skip:  # drawn (same shuffle) but already trained before a restart
                    continue
                if not self.built:
                    self._build_for(batch)
                cb.on_train_batch_begin(step)
                logs = train_step(batch)
                cb.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            if step < 0 and epoch == initial_epoch:
                raise ValueError("Expected input data to be non-empty.")
            epoch_logs = _pythonify(self._metrics_or_logs(logs) if step >= skip else
                                    self.get_metrics_result())
            if val is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self.evaluate(callbacks=cb, _data=val, return_dict=True,
                                         steps=validation_steps, verbose=0)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            cb.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cb.on_train_end(logs=epoch_logs)
        history = self.history
        if history is None or getattr(history, "model", self) is not self:
            history = _find_history(cb)
        return history

    def _metrics_or_logs(self, logs):
        result = self.get_metrics_result()
        if isinstance(logs, dict) and set(logs) == set(result):
            return result
        return logs if isinstance(logs, dict) else result

    # -- evaluate / predict ---------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, _data=None, **kwargs):
        """Loss and metrics on the data: a float, a list ``[loss, *metrics]`` or a dict."""
        self._assert_compiled()
        verbose = 1 if verbose == "auto" else verbose
        data = _data or _make_data(x, y, sample_weight, batch_size, False, steps)
        cb = self._callbacks(callbacks, verbose, 1, steps or data.steps)  # fit passes its own
        self.make_test_function()
        self.reset_metrics()
        cb.on_test_begin()
        test_step = self.test_step
        if getattr(test_step, "__func__", None) is Trainer.test_step and \
                not cb.needs_batch_logs("on_test_batch_end"):
            def test_step(batch):
                return self._test_step(batch, False)
        logs = {}
        for step, batch in enumerate(data.epoch(steps)):
            if not self.built:
                self._build_for(batch)
            cb.on_test_batch_begin(step)
            logs = test_step(batch)
            cb.on_test_batch_end(step, logs)
        logs = _pythonify(self._metrics_or_logs(logs))
        cb.on_test_end(logs)
        if return_dict:
            return logs
        return self._flatten_in_order(logs)

    def _flatten_in_order(self, logs):
        names = []
        for m in self.metrics:
            if isinstance(m, CompileMetrics):
                names += [log for _, _, log, _ in m._entries if not
                          (len(m.output_names) > 1)]
                names += [getattr(s, "name", None) for s in m.metrics]
            else:
                names.append(m.name)
        out = [logs[n] for n in dict.fromkeys(names) if n in logs]
        out += [logs[k] for k in sorted(logs) if k not in names]
        return out[0] if len(out) == 1 else out

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Model outputs for ``x`` as NumPy arrays, computed batch by batch."""
        verbose = 1 if verbose == "auto" else verbose
        data = _make_data(x, None, None, batch_size, False, steps)
        cb = self._callbacks(callbacks, verbose, 1, steps or data.steps)
        self.make_predict_function()
        cb.on_predict_begin()
        outs = []
        for step, batch in enumerate(data.epoch(steps)):
            cb.on_predict_batch_begin(step)
            y = self.predict_step(batch)
            flat = [np.asarray(t) for t in tf.nest.flatten(y)]
            outs.append(flat)
            cb.on_predict_batch_end(step, {"outputs": y})
        cb.on_predict_end()
        if not outs:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). "
                             "Please use `Model.compile(..., run_eagerly=True)`, or "
                             "`tf.config.run_functions_eagerly(True)` for more information of "
                             "where went wrong, or file a issue/bug to `tf.keras`.")
        # fresh, writable arrays as Keras returns (a batch's output may view its input)
        merged = [np.array(o[0]) if len(outs) == 1 else np.concatenate(o) for o in zip(*outs)]
        return tf.nest.pack_sequence_as(y, merged)

    # -- on a single batch ----------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        self._assert_compiled()
        if class_weight is not None and sample_weight is None:
            sample_weight = _class_weights(y, class_weight)
        batch = tuple(v for v in (_to_tensors(_to_numpy_if_array(x)),
                                  _to_tensors(_to_numpy_if_array(y)),
                                  _to_tensors(_to_numpy_if_array(sample_weight)))
                      if v is not None)
        self._build_for(batch)
        self.make_train_function()
        self.reset_metrics()  # Keras 3: each call reports its own batch
        logs = self.train_step(batch)
        logs = {k: np.array(v) for k, v in _sorted_flat(self._metrics_or_logs(logs)).items()}
        return logs if return_dict else self._flatten_in_order(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compiled()
        batch = tuple(v for v in (_to_tensors(_to_numpy_if_array(x)),
                                  _to_tensors(_to_numpy_if_array(y)),
                                  _to_tensors(_to_numpy_if_array(sample_weight)))
                      if v is not None)
        self.reset_metrics()
        logs = self.test_step(batch)
        logs = {k: np.array(v) for k, v in _sorted_flat(self._metrics_or_logs(logs)).items()}
        return logs if return_dict else self._flatten_in_order(logs)

    def predict_on_batch(self, x):
        y = self(_to_tensors(_to_numpy_if_array(x)), training=False)
        return tf.nest.map_structure(np.array, y)  # fresh and writable, as Keras


def _to_numpy_if_array(x):
    if x is None or isinstance(x, (np.ndarray, tf.Tensor)):
        return x
    if isinstance(x, dict):
        return {k: _to_numpy_if_array(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and x and not isinstance(x[0], (int, float)):
        return [_to_numpy_if_array(v) for v in x]
    return np.asarray(x)


def _sorted_flat(logs):
    out = {}
    for k in sorted(logs):
        v = logs[k]
        if isinstance(v, dict):
            out.update(v)
        else:
            out[k] = v
    return dict(sorted(out.items()))


def _find_history(cb):
    history = _modules()[3].History
    for c in getattr(cb, "callbacks", []):
        if isinstance(c, history):
            return c
    return None
