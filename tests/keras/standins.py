"""Tiny stand-ins for engineer B's Keras modules, installed only where the real one is missing.

The layer/model/trainer tests import this first; once initializers, regularizers, metrics,
optimizers and callbacks land, ``install()`` does nothing and the real modules are tested.
"""
import importlib
import sys
import types

import numpy as np

import tapeflow as tf


def _initializers():
    m = types.ModuleType("tapeflow.keras.initializers")

    class Initializer:
        def get_config(self):
            return {}

    def make(name, fn):
        cls = type(name, (Initializer,), {"__call__": lambda self, shape, dtype=None:
                                          tf.constant(fn(shape), dtype=dtype or "float32")})
        return cls

    rng = np.random.default_rng(0)

    def glorot(shape):
        fan_in, fan_out = (shape[0], shape[-1]) if len(shape) >= 2 else (1, 1)
        lim = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-lim, lim, shape).astype("float32")

    table = {"zeros": make("Zeros", lambda s: np.zeros(s, "float32")),
             "ones": make("Ones", lambda s: np.ones(s, "float32")),
             "glorot_uniform": make("GlorotUniform", glorot),
             "uniform": make("RandomUniform", lambda s: rng.uniform(-.05, .05, s)),
             "random_normal": make("RandomNormal", lambda s: rng.normal(0, .05, s))}

    def get(identifier):
        if identifier is None or callable(identifier) and not isinstance(identifier, type):
            return identifier
        if isinstance(identifier, dict):
            identifier = {"Zeros": "zeros", "Ones": "ones", "GlorotUniform": "glorot_uniform",
                          "RandomUniform": "uniform", "RandomNormal": "random_normal"}[
                identifier["class_name"]]
        return table[identifier]()

    def serialize(obj):
        return {"module": "keras.initializers", "class_name": type(obj).__name__,
                "config": {}, "registered_name": None}
    m.get, m.serialize, m.Initializer = get, serialize, Initializer
    return m


def _regularizers():
    m = types.ModuleType("tapeflow.keras.regularizers")

    class L2:
        def __init__(self, l2=0.01):
            self.l2 = l2

        def __call__(self, x):
            return self.l2 * tf.reduce_sum(tf.square(x))

        def get_config(self):
            return {"l2": self.l2}

    def get(identifier):
        if identifier is None or callable(identifier):
            return identifier
        if isinstance(identifier, dict):
            return L2(**identifier["config"])
        return L2()

    def serialize(obj):
        return {"module": "keras.regularizers", "class_name": "L2", "config": obj.get_config(),
                "registered_name": None}
    m.get, m.serialize, m.L2, m.l2 = get, serialize, L2, L2
    return m


def _metrics():
    m = types.ModuleType("tapeflow.keras.metrics")

    class Metric:
        def __init__(self, name=None, dtype=None):
            self.name = name or type(self).__name__.lower()
            self.total = tf.Variable(0.0, trainable=False)
            self.count = tf.Variable(0.0, trainable=False)

        @property
        def variables(self):
            return [self.total, self.count]

        def reset_state(self):
            self.total.assign(0.0)
            self.count.assign(0.0)

        def result(self):
            return self.total / tf.maximum(self.count, 1.0)

        def __call__(self, *args, **kwargs):
            self.update_state(*args, **kwargs)
            return self.result()

    class Mean(Metric):
        def update_state(self, values, sample_weight=None):
            v = tf.cast(tf.convert_to_tensor(values), tf.float32)
            self.total.assign_add(tf.reduce_sum(v))
            self.count.assign_add(float(np.prod(v.shape)))

    class MeanMetricWrapper(Mean):
        def __init__(self, fn, name=None, dtype=None, **kwargs):
            Metric.__init__(self, name=name)
            self._fn = fn

        def update_state(self, y_true, y_pred, sample_weight=None):
            super().update_state(self._fn(y_true, y_pred))

    def sparse_categorical_accuracy(y_true, y_pred):
        y_true = tf.reshape(tf.cast(tf.convert_to_tensor(y_true), tf.int64), (-1,))
        return tf.cast(tf.equal(tf.argmax(y_pred, axis=-1), y_true), tf.float32)

    def binary_accuracy(y_true, y_pred):
        y_true = tf.cast(tf.convert_to_tensor(y_true), tf.float32)
        return tf.reduce_mean(tf.cast(tf.equal(y_true, tf.cast(y_pred > 0.5, tf.float32)),
                                      tf.float32), axis=-1)

    def categorical_accuracy(y_true, y_pred):
        return tf.cast(tf.equal(tf.argmax(y_true, axis=-1), tf.argmax(y_pred, axis=-1)),
                       tf.float32)

    def mae(y_true, y_pred):
        y_true = tf.cast(tf.convert_to_tensor(y_true), tf.float32)
        return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)

    def make(fn, default):
        return type(default, (MeanMetricWrapper,), {"__init__": lambda self, name=default,
                    dtype=None: MeanMetricWrapper.__init__(self, fn, name=name)})

    SparseCategoricalAccuracy = make(sparse_categorical_accuracy, "sparse_categorical_accuracy")
    BinaryAccuracy = make(binary_accuracy, "binary_accuracy")
    CategoricalAccuracy = make(categorical_accuracy, "categorical_accuracy")
    MeanAbsoluteError = make(mae, "mean_absolute_error")
    table = {"sparse_categorical_accuracy": SparseCategoricalAccuracy,
             "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
             "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError}

    def get(identifier):
        if isinstance(identifier, str):
            return table[identifier]()
        return identifier

    class _Mean(Mean):
        def update_state(self, values, sample_weight=None):
            v = tf.cast(tf.convert_to_tensor(values), tf.float32)
            w = 1.0 if sample_weight is None else float(np.asarray(sample_weight))
            self.total.assign_add(tf.reduce_sum(v) * w)
            self.count.assign_add(float(np.prod(v.shape)) * w)
    _Mean.__name__ = "Mean"
    Mean = _Mean
    for k, v in dict(Metric=Metric, Mean=Mean, MeanMetricWrapper=MeanMetricWrapper,
                     SparseCategoricalAccuracy=SparseCategoricalAccuracy,
                     BinaryAccuracy=BinaryAccuracy, CategoricalAccuracy=CategoricalAccuracy,
                     MeanAbsoluteError=MeanAbsoluteError, get=get,
                     sparse_categorical_accuracy=sparse_categorical_accuracy,
                     binary_accuracy=binary_accuracy, categorical_accuracy=categorical_accuracy,
                     mean_absolute_error=mae).items():
        setattr(m, k, v)
    return m


def _optimizers():
    m = types.ModuleType("tapeflow.keras.optimizers")

    class Optimizer:
        def __init__(self, learning_rate=0.001, **kwargs):
            self.learning_rate = learning_rate
            self.iterations = tf.Variable(0, trainable=False, dtype="int64")
            self.built = False
            self.variables = []

        def apply_gradients(self, grads_and_vars):
            for g, v in grads_and_vars:
                if g is not None:
                    self._update(g, v)
            self.iterations.assign_add(1)

    class SGD(Optimizer):
        def __init__(self, learning_rate=0.01, **kwargs):
            super().__init__(learning_rate)

        def _update(self, g, v):
            v.assign_sub(self.learning_rate * g)

    class RMSprop(Optimizer):
        def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-7, **kwargs):
            super().__init__(learning_rate)
            self.rho, self.epsilon, self._acc = rho, epsilon, {}

        def _update(self, g, v):
            a = self._acc.setdefault(id(v), tf.Variable(tf.zeros_like(v), trainable=False))
            a.assign(self.rho * a + (1 - self.rho) * tf.square(g))
            v.assign_sub(self.learning_rate * g / (tf.sqrt(a) + self.epsilon))

    def get(identifier):
        if isinstance(identifier, str):
            return {"sgd": SGD, "rmsprop": RMSprop, "adam": RMSprop}[identifier.lower()]()
        return identifier
    m.Optimizer, m.SGD, m.RMSprop, m.Adam, m.get = Optimizer, SGD, RMSprop, RMSprop, get
    return m


def _callbacks():
    m = types.ModuleType("tapeflow.keras.callbacks")

    class Callback:
        def __init__(self):
            self.model = None
            self.params = {}

        def set_model(self, model):
            self.model = model

        def set_params(self, params):
            self.params = params

        def __getattr__(self, name):
            if name.startswith("on_"):
                return lambda *a, **k: None
            raise AttributeError(name)

    class History(Callback):
        def on_train_begin(self, logs=None):
            self.epoch, self.history = [], {}

        def on_epoch_end(self, epoch, logs=None):
            self.epoch.append(epoch)
            for k, v in (logs or {}).items():
                self.history.setdefault(k, []).append(v)
            self.model.history = self

    class CallbackList:
        def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                     **params):
            self.callbacks = list(callbacks or [])
            if add_history:
                self.callbacks.append(History())
            for c in self.callbacks:
                c.set_model(model)
                c.set_params(params)
            self.model = model

        def __getattr__(self, name):
            if name.startswith("on_"):
                def hook(*args, **kwargs):
                    for c in self.callbacks:
                        getattr(c, name)(*args, **kwargs)
                return hook
            raise AttributeError(name)

    m.Callback, m.History, m.CallbackList = Callback, History, CallbackList
    return m


_MAKERS = {"initializers": _initializers, "regularizers": _regularizers, "metrics": _metrics,
           "optimizers": _optimizers, "callbacks": _callbacks}


def install():
    """Puts a stand-in in place of every missing module of engineer B; returns their names."""
    done = []
    for name, make in _MAKERS.items():
        full = f"tapeflow.keras.{name}"
        try:
            importlib.import_module(full)
        except ImportError:
            sys.modules[full] = make()
            done.append(name)
    return done


install()
