"""Activation-layer cases shared by the recorder (real Keras 3.15 on TF 2.21) and the tests.

Each case takes the ``keras`` module, the matching ``tf`` (real TensorFlow, or tapeflow) and
``get_mask`` (how to read the mask attached to an eager tensor), and returns a dict of plain
values: outputs and gradients as nested lists of floats, configs as dicts, errors and warnings
as ``{"type", "message"}``.
"""
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "keras_models"))
from model_cases import error_of as _error  # noqa: E402  (shared case helpers)
from model_cases import fixed_weights  # noqa: E402  (the same weights as the model goldens)
from model_cases import plain as _plain  # noqa: E402

# ruff: noqa: C408

# Negatives, zeros, and values exactly at the thresholds / ceilings used below (1.5, 2, 5, 6, 10).
X = np.array([[-10.0, -5.0, -1.5, -0.5, 0.0, 0.5],
              [1.0, 1.5, 2.0, 5.0, 6.0, 10.0]], dtype="float32")
X3 = (np.sin(np.arange(24, dtype=np.float64) * 1.3) * 3.0).astype("float32").reshape(2, 3, 4)
X3[0, 0, 0] = 0.0


def _w(shape, phase=0.0):
    """Fixed weights for the loss sum(y * w), so that every gradient entry differs."""
    n = int(np.prod(shape))
    return (np.cos(np.arange(n, dtype=np.float64) * 0.7 + phase) + 0.1).astype(
        "float32").reshape(shape)


def _list(t):
    return np.asarray(t).astype(np.float64).tolist()


def _run(tf, layer, x, mask=None, weights=False):
    """Output of ``layer(x)`` and the gradients of sum(y * w) w.r.t. x (and the weights)."""
    x = tf.constant(x)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = layer(x) if mask is None else layer(x, mask=mask)
        loss = tf.reduce_sum(y * _w(tuple(y.shape)))
    out = {"output": _list(y), "grad_x": _list(tape.gradient(loss, x))}
    if weights:
        out["grad_weights"] = [_list(g) for g in tape.gradient(loss, layer.trainable_weights)]
    return out


def _config(layer):
    return _plain(layer.get_config())


# -- outputs and gradients ---------------------------------------------------------------------
RELU_KWARGS = [dict(), dict(max_value=6.0), dict(max_value=5.0), dict(max_value=0.0),
               dict(max_value=10), dict(negative_slope=0.5), dict(threshold=1.5),
               dict(threshold=2.0, max_value=5.0), dict(negative_slope=0.5, max_value=5.0),
               dict(negative_slope=0.5, threshold=1.5), dict(negative_slope=0.5, max_value=6),
               dict(negative_slope=0.25, threshold=1.5, max_value=5.0)]
LEAKY_KWARGS = [dict(), dict(negative_slope=0.0), dict(negative_slope=0.1),
                dict(negative_slope=1.0), dict(negative_slope=2.0)]
ELU_KWARGS = [dict(), dict(alpha=0.5), dict(alpha=2.0), dict(alpha=0.0)]


def relu_outputs(keras, tf, get_mask):
    return {str(kw): _run(tf, keras.layers.ReLU(**kw), X) for kw in RELU_KWARGS}


def leaky_relu_outputs(keras, tf, get_mask):
    return {str(kw): _run(tf, keras.layers.LeakyReLU(**kw), X) for kw in LEAKY_KWARGS}


def elu_outputs(keras, tf, get_mask):
    return {str(kw): _run(tf, keras.layers.ELU(**kw), X) for kw in ELU_KWARGS}


def softmax_outputs(keras, tf, get_mask):
    out = {str(axis): _run(tf, keras.layers.Softmax(axis=axis), X)
           for axis in (-1, 0, 1, (1,), [0], (0, 1), [1, 0], None)}
    out.update({f"3d {axis}": _run(tf, keras.layers.Softmax(axis=axis), X3)
                for axis in (1, (1, 2), (0, 2), [-1, -2])})
    return out


def softmax_masks(keras, tf, get_mask):
    full = np.array([[True, False, True, True, False, True],
                     [False, False, False, False, False, False]])
    cases = {"bool": full, "row": np.array([True, True, False, True, False, True]),
             "column": np.array([[True], [False]]),
             "float": np.array([[0.2, 0.7, 1.0, 0.5, 0.51, 0.0], [1.0] * 6], "float32"),
             "int": np.array([[1, 0, 2, 0, 1, 1], [0, 0, 0, 0, 0, 1]], "int32")}
    out = {}
    for name, mask in cases.items():
        layer = keras.layers.Softmax()
        result = _run(tf, layer, X, mask=tf.constant(mask))
        y = layer(tf.constant(X), mask=tf.constant(mask))
        m = get_mask(y)
        result["output_mask"] = None if m is None else np.asarray(m).tolist()
        out[name] = result
    out["axis_tuple_bool"] = _run(tf, keras.layers.Softmax(axis=(0, 1)), X,
                                  mask=tf.constant(full))
    out["axis0_column"] = _run(tf, keras.layers.Softmax(axis=0), X,
                               mask=tf.constant(np.array([[True], [False]])))
    out["too_many_dims"] = _error(lambda: keras.layers.Softmax()(
        tf.constant(X), mask=tf.constant(np.ones((1, 2, 6), bool))))
    out["not_broadcastable"] = _error(lambda: keras.layers.Softmax()(
        tf.constant(X), mask=tf.constant(np.ones((2, 3), bool))))
    return out


def softmax_attached_mask(keras, tf, get_mask):
    """The mask an Embedding(mask_zero=True) attaches reaches Softmax's ``mask`` argument. Keras
    aligns it with the inputs from the right: mask (1, 4) against inputs (1, 4, 4) broadcasts
    over the first axes; mask (2, 4) against (2, 4, 4) is refused."""
    emb = keras.layers.Embedding(5, 4, mask_zero=True)
    emb.build((None, 4))
    emb.set_weights([_w((5, 4), 1.0)])
    e = emb(np.array([[1, 2, 0, 3]], "int32"))
    y = keras.layers.Softmax()(e)
    e2 = emb(np.array([[1, 2, 0, 0], [3, 0, 4, 0]], "int32"))
    return {"output": _list(y), "output_mask": np.asarray(get_mask(y)).tolist(),
            "batch_of_two": _error(lambda: keras.layers.Softmax()(e2))}


def softmax_logits_shortcut(keras, tf, get_mask):
    """Categorical cross-entropy of a saturated Softmax output: Keras computes from the logits
    the layer remembers (int axis, 1-tuple axis, no mask), else from the clipped probabilities."""
    logits = np.array([[100.0, 0.0, -100.0]], "float32")
    y_true = np.array([[0.0, 0.0, 1.0]], "float32")
    loss = keras.losses.CategoricalCrossentropy()
    out = {}
    for name, layer, mask in [("int_axis", keras.layers.Softmax(), None),
                              ("tuple1_axis", keras.layers.Softmax(axis=(1,)), None),
                              ("tuple2_axis", keras.layers.Softmax(axis=(0, 1)), None),
                              ("masked", keras.layers.Softmax(),
                               np.array([[True, True, True]]))]:
        y = layer(tf.constant(logits)) if mask is None else layer(tf.constant(logits),
                                                                   mask=tf.constant(mask))
        out[name] = float(loss(y_true, y))
    return out


def prelu_weights(keras, tf, get_mask):
    out = {}
    for shared in (None, [1], 2, (1, 2), [2], -1):
        layer = keras.layers.PReLU(shared_axes=shared)
        layer.build((2, 3, 4))
        alpha = layer.get_weights()[0]
        layer.set_weights([_w(alpha.shape, 2.0) - 0.3])
        result = _run(tf, layer, X3, weights=True)
        spec = layer.input_spec
        result.update({"alpha_shape": list(alpha.shape), "initial_alpha": _list(alpha),
                       "alpha_name": layer.weights[0].name, "alpha_path": layer.weights[0].path,
                       "spec_ndim": spec.ndim,
                       "spec_axes": {str(k): v for k, v in sorted(spec.axes.items())},
                       "config": _config(layer)})
        out[str(shared)] = result
    layer = keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25),
                               alpha_regularizer="l2", shared_axes=[1, 2])
    result = _run(tf, layer, X3, weights=True)
    result["losses"] = [float(v) for v in layer.losses]
    result["config"] = _config(layer)
    out["constant_l2"] = result
    two_d = keras.layers.PReLU(alpha_initializer="ones")
    out["2d_ones"] = _run(tf, two_d, X, weights=True)
    return out


def prelu_errors(keras, tf, get_mask):
    layer = keras.layers.PReLU(shared_axes=[1])
    layer(tf.constant(X3))
    plain = keras.layers.PReLU()
    plain(tf.constant(X3))
    return {"axis_mismatch": _error(lambda: layer(tf.constant(np.ones((2, 3, 5), "float32")))),
            "ndim_mismatch": _error(lambda: layer(tf.constant(X))),
            "unshared_other_batch": _run(tf, plain, X3[:1]),
            "none_dim": _error(lambda: keras.layers.PReLU()(keras.Input((None, 3)))),
            "bad_initializer": _error(lambda: keras.layers.PReLU(alpha_initializer="nope")),
            "bad_constraint": _error(lambda: keras.layers.PReLU(alpha_constraint="nope"))}


# -- configs, validation, warnings ---------------------------------------------------------
def configs(keras, tf, get_mask):
    L = keras.layers
    layers = {"relu": L.ReLU(), "relu_custom": L.ReLU(max_value=6, negative_slope=0.1,
                                                      threshold=0.5, name="r", trainable=False),
              "leaky": L.LeakyReLU(), "leaky_custom": L.LeakyReLU(negative_slope=0.01),
              "softmax": L.Softmax(), "softmax_tuple": L.Softmax(axis=(1, 2)),
              "softmax_list": L.Softmax(axis=[1]), "elu": L.ELU(), "elu_custom": L.ELU(0.7),
              "elu_int": L.ELU(alpha=2, name="e"), "prelu": L.PReLU(),
              "prelu_int_axis": L.PReLU(shared_axes=1)}
    out = {}
    for key, layer in layers.items():
        config = layer.get_config()
        again = type(layer).from_config(config)
        out[key] = {"config": _plain(config), "again": _plain(again.get_config()),
                    "built": layer.built, "supports_masking": layer.supports_masking,
                    "weights": len(layer.weights)}
    out["elu_numpy_alpha"] = _error(lambda: L.ELU(alpha=np.float32(0.5)).get_config())
    return out


def validation(keras, tf, get_mask):
    L = keras.layers
    calls = {"relu_max_value": lambda: L.ReLU(max_value=-1.0),
             "relu_negative_slope": lambda: L.ReLU(negative_slope=-0.1),
             "relu_negative_slope_none": lambda: L.ReLU(negative_slope=None),
             "relu_threshold": lambda: L.ReLU(threshold=-2),
             "relu_threshold_none": lambda: L.ReLU(threshold=None),
             "relu_unknown_kwarg": lambda: L.ReLU(foo=1),
             "leaky_negative": lambda: L.LeakyReLU(negative_slope=-0.5),
             "leaky_none": lambda: L.LeakyReLU(negative_slope=None),
             "softmax_unknown_kwarg": lambda: L.Softmax(axes=1),
             "elu_unknown_kwarg": lambda: L.ELU(beta=1.0)}
    out = {}
    for key, fn in calls.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[key] = _error(fn)
    return out


def leaky_alpha_warning(keras, tf, get_mask):
    def caught(fn):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            result = fn()
        return result, [{"type": w.category.__name__, "message": str(w.message)} for w in got
                        if "alpha" in str(w.message)]

    layer, warned = caught(lambda: keras.layers.LeakyReLU(alpha=0.05))
    _, none_warned = caught(lambda: keras.layers.LeakyReLU(negative_slope=0.05))
    error, error_warned = caught(lambda: _error(lambda: keras.layers.LeakyReLU(alpha=-1.0)))
    return {"warnings": warned, "negative_slope_warnings": none_warned,
            "negative_slope": layer.negative_slope, "config": _config(layer),
            "output": _run(tf, layer, X)["output"], "negative_alpha": error,
            "negative_alpha_warnings": error_warned}


# -- masking through the other layers ------------------------------------------------------
def masks_pass_through(keras, tf, get_mask):
    tokens = np.array([[1, 2, 0], [3, 0, 0]], "int32")
    out = {}
    for name, layer in [("relu", keras.layers.ReLU()), ("leaky", keras.layers.LeakyReLU()),
                        ("elu", keras.layers.ELU()), ("prelu", keras.layers.PReLU())]:
        e = keras.layers.Embedding(4, 3, mask_zero=True)(tokens)
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            y = layer(e)
        m = get_mask(y)
        out[name] = {"mask": None if m is None else np.asarray(m).tolist(),
                     "warnings": [str(w.message) for w in got]}
    return out


# -- a model of all five, saved by Keras -----------------------------------------------------
MODEL_X = (np.sin(np.arange(20, dtype=np.float64) * 0.9) * 2.0).astype("float32").reshape(5, 4)


def build_model(keras):
    L = keras.layers
    inputs = keras.Input((4,))
    h = L.Dense(6)(inputs)
    h = L.ReLU(max_value=2.0, negative_slope=0.1, name="relu")(h)
    h = L.Dense(6)(h)
    h = L.LeakyReLU(negative_slope=0.2, name="leaky")(h)
    h = L.ELU(alpha=0.7, name="elu")(h)
    h = L.Reshape((2, 3))(h)
    h = L.PReLU(alpha_initializer=keras.initializers.Constant(0.3), shared_axes=[1],
                alpha_regularizer="l2", name="prelu")(h)
    h = L.Softmax(axis=(1, 2), name="softmax")(h)
    outputs = L.Flatten()(h)
    return fixed_weights(keras.Model(inputs, outputs))


CASES = {f.__name__: f for f in [relu_outputs, leaky_relu_outputs, elu_outputs, softmax_outputs,
                                 softmax_masks, softmax_attached_mask, softmax_logits_shortcut,
                                 prelu_weights, prelu_errors, configs, validation,
                                 leaky_alpha_warning, masks_pass_through]}
