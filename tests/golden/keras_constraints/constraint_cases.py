"""Weight-constraint cases shared by the recorder (real Keras 3 on TF 2.21) and the tests.

Each case takes the ``keras`` module and returns a dict of plain values: projected weights as
nested lists of floats, configs as JSON keeps them, errors as ``{"type", "message"}``, weights
after a few optimizer steps as nested lists.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "keras_models"))
from model_cases import error_of as _error  # noqa: E402  (shared case helpers)
from model_cases import fixed_weights  # noqa: E402  (the same weights as the model goldens)
from model_cases import plain as _plain  # noqa: E402

# ruff: noqa: C408

# -- fixed weights ---------------------------------------------------------------------------
WEIGHTS = {
    # columns: a small one, a large one, zeros, one of norm exactly 5
    "mixed": np.array([[0.5, -1.5, 0.0, 3.0], [-0.25, 2.0, 0.0, -4.0], [1.0, 0.5, 0.0, 0.0]],
                      dtype="float32"),
    "zeros": np.zeros((3, 4), dtype="float32"),
    "rank3": (np.arange(24, dtype="float32").reshape(2, 3, 4) * 0.1 - 1.0),
    "vector": np.array([3.0, -4.0, 0.5], dtype="float32"),
    "tiny": np.array([[1e-4, -2e-4], [3e-4, 0.0]], dtype="float32"),
}

# (label, class name, kwargs)
SPECS = [
    ("base", "Constraint", {}),
    ("non_neg", "NonNeg", {}),
    ("max_norm_default", "MaxNorm", {}),
    ("max_norm_0.5_axis1", "MaxNorm", dict(max_value=0.5, axis=1)),
    ("max_norm_1_axis01", "MaxNorm", dict(max_value=1.0, axis=[0, 1])),
    ("max_norm_3_axis-1", "MaxNorm", dict(max_value=3, axis=-1)),
    ("unit_norm_default", "UnitNorm", {}),
    ("unit_norm_axis1", "UnitNorm", dict(axis=1)),
    ("unit_norm_axis01", "UnitNorm", dict(axis=[0, 1])),
    ("min_max_default", "MinMaxNorm", {}),
    ("min_max_rate0.3", "MinMaxNorm", dict(min_value=0.5, max_value=1.5, rate=0.3)),
    ("min_max_rate0.5_axis1", "MinMaxNorm", dict(min_value=1.0, max_value=2.0, rate=0.5,
                                                  axis=1)),
    ("min_max_rate0", "MinMaxNorm", dict(min_value=2.0, max_value=3.0, rate=0.0)),
    ("min_max_axis01", "MinMaxNorm", dict(min_value=4.0, max_value=6.0, rate=1.0,
                                          axis=[0, 1])),
]

X = np.array([[0.5, -1.0, 2.0, 0.25], [1.5, 0.5, -0.5, 1.0], [-2.0, 1.0, 0.0, 0.5],
              [0.0, -0.5, 1.0, -1.5], [1.0, 1.0, 1.0, 1.0], [-1.0, 2.0, -0.5, 0.0],
              [0.25, 0.75, -1.25, 2.0], [2.0, -2.0, 0.5, -0.5]], dtype="float32")
Y = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -0.5], [1.5, 0.5, 0.0], [-1.0, 0.0, 1.0],
              [0.5, 0.5, 0.5], [2.0, -0.5, 1.0], [0.0, 1.0, -1.0], [-0.5, 1.5, 0.25]],
             dtype="float32")
TOKENS = np.array([[1, 2, 3, 0, 4], [5, 1, 0, 2, 2], [3, 3, 1, 4, 0], [0, 1, 2, 5, 4]],
                  dtype="int32")
TOKEN_Y = np.array([[0.5, -0.5], [1.0, 0.0], [-1.0, 1.0], [0.25, 0.75]], dtype="float32")


def _make(keras, cls_name, kwargs):
    return getattr(keras.constraints, cls_name)(**kwargs)


def _values(t):
    return np.asarray(t).astype(np.float64).tolist()


def _weights(model):
    return [_values(w) for w in model.get_weights()]


def _described(obj):
    if obj is None:
        return None
    return {"type": type(obj).__name__, "config": _plain(obj.get_config())}


# -- the constraints themselves --------------------------------------------------------------
def outputs(keras):
    """Every spec on every fixed weight its axis fits."""
    out = {}
    for label, cls_name, kwargs in SPECS:
        axis = kwargs.get("axis", 0)
        axes = axis if isinstance(axis, list) else [axis]
        out[label] = {}
        for name, w in WEIGHTS.items():
            if max(axes) >= w.ndim:
                continue
            result = _make(keras, cls_name, kwargs)(w)
            out[label][name] = {"dtype": str(np.asarray(result).dtype), "value": _values(result)}
    return out


def float64_input(keras):
    w = WEIGHTS["mixed"].astype("float64")
    got = {}
    for cls_name, kwargs in [("MaxNorm", dict(max_value=1.0)), ("UnitNorm", {}),
                             ("NonNeg", {}), ("MinMaxNorm", dict(rate=0.5))]:
        result = _make(keras, cls_name, kwargs)(w)
        got[cls_name] = {"dtype": str(np.asarray(result).dtype), "value": _values(result)}
    return got


def changed_epsilon(keras):
    """The epsilon is read from keras.config at each call."""
    old = keras.config.epsilon()
    keras.config.set_epsilon(0.5)
    try:
        return {"unit_norm": _values(keras.constraints.UnitNorm()(WEIGHTS["mixed"])),
                "max_norm": _values(keras.constraints.MaxNorm(1.0)(WEIGHTS["mixed"]))}
    finally:
        keras.config.set_epsilon(old)


def configs(keras):
    out = {}
    for label, cls_name, kwargs in SPECS:
        c = _make(keras, cls_name, kwargs)
        serialized = keras.constraints.serialize(c)
        again = keras.constraints.deserialize(serialized)
        out[label] = {"get_config": _plain(c.get_config()), "serialize": _plain(serialized),
                      "round_trip": _described(again),
                      "from_config": _described(type(c).from_config(c.get_config()))}
    out["serialize_none"] = keras.constraints.serialize(None)
    return out


def get_identifiers(keras):
    C = keras.constraints
    names = ["max_norm", "min_max_norm", "non_neg", "unit_norm", "constraint", "MaxNorm",
             "MinMaxNorm", "NonNeg", "UnitNorm", "Constraint"]
    dicts = {
        "plain": {"class_name": "MaxNorm", "config": {"max_value": 3, "axis": 1}},
        "with_module": {"module": "keras.constraints", "class_name": "MinMaxNorm",
                        "config": {"min_value": 0.1, "max_value": 0.2, "rate": 0.5, "axis": 0},
                        "registered_name": None},
        "snake_name": {"class_name": "unit_norm", "config": {"axis": 1}},
        "no_config": {"class_name": "NonNeg"},
        "config_none": {"class_name": "UnitNorm", "config": None},
    }
    instance = C.MaxNorm(4.0)

    def fn(w):
        return w

    return {
        "names": {n: _described(C.get(n)) for n in names},
        "classes": {c: _described(C.get(getattr(C, c)))
                    for c in ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm"]},
        "dicts": {k: _described(C.get(v)) for k, v in dicts.items()},
        "instance_passes_through": C.get(instance) is instance,
        "function_passes_through": C.get(fn) is fn,
        "none": C.get(None),
        "aliases": [C.max_norm is C.MaxNorm, C.min_max_norm is C.MinMaxNorm,
                    C.non_neg is C.NonNeg, C.unit_norm is C.UnitNorm],
        "deserialize_names": {n: _described(C.deserialize(n)) for n in ["max_norm", "NonNeg"]},
        "deserialize_unknown": [C.deserialize("foo"),
                                C.deserialize({"class_name": "Foo", "config": {}})],
        "public_names": sorted(n for n in dir(C) if not n.startswith("_")),
    }


def errors(keras):
    C = keras.constraints

    class WithWeight(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(2,), constraint="nope")

    return {
        "unknown_name": _error(lambda: C.get("foo")),
        "misspelt_name": _error(lambda: C.get("max_nrom")),
        "number": _error(lambda: C.get(3)),
        "unknown_class": _error(lambda: C.get({"class_name": "Foo", "config": {}})),
        "dict_without_class_name": _error(lambda: C.get({"config": {}})),
        "module_none": _error(lambda: C.get({"class_name": "Foo", "module": None,
                                              "config": {}})),
        "dense": _error(lambda: keras.layers.Dense(2, kernel_constraint="nope")),
        "dense_bias": _error(lambda: keras.layers.Dense(2, bias_constraint=1.5)),
        "embedding": _error(lambda: keras.layers.Embedding(4, 2, embeddings_constraint="x")),
        "layer_norm": _error(lambda: keras.layers.LayerNormalization(gamma_constraint="y")),
        "prelu": _error(lambda: keras.layers.PReLU(alpha_constraint="z")),
        "add_weight": _error(lambda: WithWeight()(np.ones((1, 2), "float32"))),
    }


# -- layers ------------------------------------------------------------------------------------
def layer_configs(keras):
    C = keras.constraints
    layers = [
        keras.layers.Dense(3, kernel_constraint="non_neg", bias_constraint=C.MaxNorm(1.5, [0]),
                           name="dense_c"),
        keras.layers.Dense(2, kernel_constraint=C.UnitNorm, name="dense_class"),
        keras.layers.Dense(2, kernel_constraint={"class_name": "MinMaxNorm",
                                                 "config": {"min_value": 0.5, "rate": 0.5}},
                           name="dense_dict"),
        keras.layers.Dense(2, name="dense_plain"),
        keras.layers.Embedding(5, 2, embeddings_constraint="unit_norm", name="emb"),
        keras.layers.LayerNormalization(gamma_constraint="NonNeg",
                                        beta_constraint={"class_name": "MaxNorm",
                                                         "config": {"max_value": 0.5,
                                                                    "axis": 0}},
                                        name="ln"),
        keras.layers.PReLU(alpha_constraint=C.MinMaxNorm(0.1, 0.9, rate=0.5), name="prelu"),
    ]
    return {layer.name: _plain(layer.get_config()) for layer in layers}


def weight_constraints(keras):
    """Which constraint each built weight carries."""
    C = keras.constraints

    class Custom(keras.layers.Layer):
        def build(self, input_shape):
            self.a = self.add_weight(shape=(2, 2), constraint="non_neg", name="a")
            self.b = self.add_weight(shape=(2,), constraint=C.MaxNorm(0.5), name="b")
            self.c = self.add_weight(shape=(2,), constraint=C.UnitNorm, name="c")
            self.d = self.add_weight(shape=(2,), name="d")

        def call(self, x):
            return x

    custom = Custom()
    custom(np.ones((1, 2), "float32"))
    dense = keras.layers.Dense(2, kernel_constraint="max_norm", bias_constraint="non_neg")
    dense(np.ones((1, 3), "float32"))
    emb = keras.layers.Embedding(4, 2, embeddings_constraint="unit_norm")
    emb(np.array([[1, 2]], "int32"))
    ln = keras.layers.LayerNormalization(gamma_constraint="non_neg", beta_constraint="max_norm")
    ln(np.ones((1, 3), "float32"))
    prelu = keras.layers.PReLU(alpha_constraint="non_neg")
    prelu(np.ones((1, 3), "float32"))
    return {f"{layer.name}/{w.name}": _described(w.constraint)
            for layer in (custom, dense, emb, ln, prelu) for w in layer.weights}


# -- training ----------------------------------------------------------------------------------
def dense_non_neg_sgd(keras):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, kernel_constraint="non_neg")])
    fixed_weights(model)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    losses = [float(model.train_on_batch(X, Y)) for _ in range(5)]
    return {"losses": losses, "weights": _weights(model)}


def dense_non_neg_fit(keras):
    model = keras.Sequential([keras.Input((4,)),
                              keras.layers.Dense(3, kernel_constraint="non_neg",
                                                 bias_constraint=keras.constraints.MaxNorm(0.2))])
    fixed_weights(model)
    model.compile(optimizer=keras.optimizers.SGD(0.2, momentum=0.5), loss="mse")
    history = model.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    return {"loss": [float(v) for v in history.history["loss"]], "weights": _weights(model)}


def build_model(keras):
    """Every layer that takes a constraint, and a custom weight with one by name."""
    C = keras.constraints

    @keras.saving.register_keras_serializable(package="constraint_cases")
    class Scale(keras.layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                         constraint="unit_norm", name="scale")

        def call(self, x):
            return x * self.scale

    inputs = keras.Input((5,), dtype="int32")
    h = keras.layers.Embedding(6, 4, embeddings_constraint=C.UnitNorm(axis=1), name="emb")(inputs)
    h = keras.layers.LayerNormalization(gamma_constraint="non_neg",
                                        beta_constraint=C.MaxNorm(0.05, axis=0), name="ln")(h)
    h = keras.layers.Flatten(name="flat")(h)
    h = keras.layers.Dense(6, kernel_constraint=C.MaxNorm(0.5), bias_constraint="non_neg",
                           name="hidden")(h)
    h = keras.layers.PReLU(alpha_constraint=C.MinMaxNorm(0.2, 0.4, rate=0.5), name="prelu")(h)
    h = Scale(name="scale")(h)
    outputs = keras.layers.Dense(2, kernel_constraint=C.MinMaxNorm(0.5, 1.0, rate=0.7),
                                 name="out")(h)
    return fixed_weights(keras.Model(inputs, outputs))


def compile_model(keras, model):
    # SGD with momentum: Keras's Adam squares an Embedding's IndexedSlices gradient per slice
    # (before duplicate rows are summed), which is not what this file is about.
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss="mse")
    return model


def constrained_model_sgd(keras):
    model = compile_model(keras, build_model(keras))
    losses = [float(model.train_on_batch(TOKENS, TOKEN_Y)) for _ in range(4)]
    return {"losses": losses, "weights": _weights(model),
            "predictions": _values(model.predict(TOKENS, verbose=0))}


def dense_adam_fit(keras):
    C = keras.constraints
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(5, activation="tanh",
                           kernel_constraint=C.MinMaxNorm(0.5, 1.0, rate=0.7),
                           bias_constraint=C.UnitNorm()),
        keras.layers.Dense(3, kernel_constraint=C.MaxNorm(0.4, axis=[0, 1]),
                           bias_constraint="non_neg")])
    fixed_weights(model)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    history = model.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    return {"loss": [float(v) for v in history.history["loss"]], "weights": _weights(model)}


def gradient_accumulation(keras):
    model = keras.Sequential([keras.Input((4,)),
                              keras.layers.Dense(3, kernel_constraint=keras.constraints.MaxNorm(
                                  0.6))])
    fixed_weights(model)
    model.compile(optimizer=keras.optimizers.SGD(0.5, gradient_accumulation_steps=2), loss="mse")
    for _ in range(3):
        model.train_on_batch(X, Y)
    return {"weights": _weights(model)}


def ema_order(keras):
    """Keras 3 takes the moving average before it applies the constraints (and overwrites the
    weights with the average, then constrains them)."""
    model = keras.Sequential([keras.Input((4,)),
                              keras.layers.Dense(3, kernel_constraint=keras.constraints.MaxNorm(
                                  0.6))])
    fixed_weights(model)
    model.compile(optimizer=keras.optimizers.SGD(0.5, use_ema=True, ema_momentum=0.5,
                                                 ema_overwrite_frequency=2), loss="mse")
    for _ in range(3):
        model.train_on_batch(X, Y)
    return {"weights": _weights(model)}


CASES = {f.__name__: f for f in [outputs, float64_input, changed_epsilon, configs,
                                 get_identifiers, errors, layer_configs, weight_constraints,
                                 dense_non_neg_sgd, dense_non_neg_fit, dense_adam_fit,
                                 constrained_model_sgd, gradient_accumulation, ema_order]}
