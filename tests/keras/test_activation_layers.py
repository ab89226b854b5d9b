"""The activation layers (ReLU, LeakyReLU, Softmax, ELU, PReLU) against real Keras 3.15:
outputs and gradients, configs, validation errors, LeakyReLU's ``alpha`` deprecation warning,
Softmax's mask and tuple axes, PReLU's weights and input spec; then the layer harness and a
``.keras`` round trip (tapeflow's own file, and one written by Keras).

Goldens: tests/golden/keras_activation_layers/goldens.json and model.keras, recorded by
record.py from the same activation_cases.py under TensorFlow 2.21 / Keras 3.15.
"""
import json
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import golden_compare
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import activations, backend, layers, saving
from tapeflow.testing.layer_test import run_layer_test

HERE = Path(__file__).resolve().parents[1] / "golden" / "keras_activation_layers"
sys.path.insert(0, str(HERE))
import activation_cases  # noqa: E402

RECORDED = json.loads((HERE / "goldens.json").read_text())
GOLDEN = RECORDED["cases"]

# Keras decorates errors raised inside ``Layer.call`` with the call's arguments (its
# traceback_utils, for every layer); tapeflow raises the layer's own message alone.
_KERAS_CALL_WRAPPER = re.compile(r"^Exception encountered when calling \w+\.call\(\)\.\n\n"
                                 r"\x1b\[1m(.*)\x1b\[0m\n\nArguments received by .*$", re.DOTALL)


def get_mask(t):
    return backend.get_keras_mask(t) if isinstance(t, tf.Tensor) else None


def same(got, want, path="", rtol=1e-6, atol=1e-7):
    golden_compare.same(got, _unwrapped(want), path, rtol, atol)


def _unwrapped(want):
    """The golden with Keras's "Exception encountered when calling ..." wrapper taken off the
    error messages (tapeflow raises the inner message)."""
    if isinstance(want, dict):
        if set(want) == {"type", "message"}:
            return {"type": want["type"], "message": _KERAS_CALL_WRAPPER.sub(r"\1",
                                                                             want["message"])}
        return {k: _unwrapped(v) for k, v in want.items()}
    if isinstance(want, list):
        return [_unwrapped(v) for v in want]
    return want


@pytest.fixture(autouse=True)
def fresh_names():
    keras.utils.clear_session()
    yield


@pytest.mark.parametrize("name", sorted(activation_cases.CASES))
def test_activation_layers_match_keras(name):
    keras.utils.set_random_seed(0)
    same(activation_cases.CASES[name](keras, tf, get_mask), GOLDEN[name], name)


def test_the_goldens_cover_every_layer_and_were_recorded_from_keras_3_15():
    assert RECORDED["keras"] == "3.15.1" and RECORDED["tensorflow"].startswith("2.21")
    for cls in ("ReLU", "LeakyReLU", "Softmax", "ELU", "PReLU"):
        assert getattr(keras.layers, cls).__module__ == \
            "tapeflow.keras.layers.activation_layers"


# -- the layer harness ---------------------------------------------------------------------
HARNESS = [
    (layers.ReLU, {}, (2, 3), 0),
    (layers.ReLU, {"max_value": 6.0, "negative_slope": 0.1, "threshold": 0.5}, (2, 3, 4), 0),
    (layers.LeakyReLU, {"negative_slope": 0.2}, (2, 3), 0),
    (layers.Softmax, {}, (2, 5), 0),
    (layers.Softmax, {"axis": (1, 2)}, (2, 3, 4), 0),
    (layers.Softmax, {"axis": [1]}, (2, 3, 4), 0),
    (layers.ELU, {"alpha": 0.5}, (2, 3), 0),
    (layers.PReLU, {"alpha_initializer": "ones"}, (2, 3), 1),
    (layers.PReLU, {"alpha_initializer": "ones", "shared_axes": [1, 2],
                    "alpha_regularizer": "l2"}, (2, 3, 4, 5), 1),
]


@pytest.mark.parametrize("cls,kwargs,shape,n", HARNESS,
                         ids=[f"{c.__name__}-{i}" for i, (c, *_) in enumerate(HARNESS)])
def test_layer_harness(cls, kwargs, shape, n):
    expected_losses = 1 if kwargs.get("alpha_regularizer") else 0
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=shape,
                   expected_num_trainable_weights=n, expected_num_losses=expected_losses)


# -- saving ------------------------------------------------------------------------------------
def test_a_model_of_all_five_saves_and_loads(tmp_path):
    model = activation_cases.build_model(keras)
    model.compile(optimizer="adam", loss="mse")
    x = activation_cases.MODEL_X
    model.fit(x, np.ones((5, 6), "float32") / 6, epochs=2, verbose=0)
    before = model.predict(x, verbose=0)
    saving.save_model(model, tmp_path / "act.keras")
    again = saving.load_model(tmp_path / "act.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), before)
    for a, b in zip(model.layers, again.layers):
        assert type(a) is type(b)
        assert a.get_config() == b.get_config() or isinstance(a, layers.Softmax)
    assert again.get_layer("softmax").axis == [1, 2]  # JSON keeps a tuple as a list (Keras too)
    assert again.get_layer("prelu").alpha.shape == (1, 3)


def test_the_model_keras_saved_loads_with_its_predictions():
    model = saving.load_model(HERE / "model.keras")
    want = RECORDED["model"]
    assert [layer.name for layer in model.layers] == want["layers"]
    np.testing.assert_allclose(model.predict(activation_cases.MODEL_X, verbose=0),
                               np.array(want["predictions"]), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose([float(v) for v in model.losses], want["losses"], rtol=1e-6)
    relu = model.get_layer("relu")
    assert (relu.max_value, relu.negative_slope, relu.threshold) == (2.0, 0.1, 0.0)
    assert model.get_layer("prelu").shared_axes == [1]


# -- behaviour beyond the goldens ---------------------------------------------------------------
def test_symbolic_calls_keep_shapes_and_build_prelu_from_the_input():
    inputs = keras.Input((3, 4))
    y = layers.Softmax(axis=(1, 2))(layers.PReLU(shared_axes=[1])(inputs))
    assert tuple(y.shape) == (None, 3, 4)
    model = keras.Model(inputs, layers.ELU()(layers.LeakyReLU()(layers.ReLU()(y))))
    assert model.layers[1].alpha.shape == (1, 4)
    assert model.predict(np.ones((2, 3, 4), "float32"), verbose=0).shape == (2, 3, 4)


def test_softmax_marks_its_logits_only_where_keras_does():
    x = tf.constant([[1.0, 2.0, 3.0]])
    assert activations.logits_of(layers.Softmax()(x)) is x
    assert activations.logits_of(layers.Softmax(axis=(1,))(x)) is x
    assert activations.logits_of(layers.Softmax(axis=(0, 1))(x)) is None
    assert activations.logits_of(layers.Softmax()(x, mask=tf.constant([[True] * 3]))) is None


def test_softmax_mask_may_be_an_array_and_a_fully_masked_row_gives_zeros():
    out = layers.Softmax()(tf.constant([[1.0, 2.0], [3.0, 4.0]]),
                           mask=np.array([[True, False], [False, False]]))
    np.testing.assert_array_equal(out.numpy(), [[1.0, 0.0], [0.0, 0.0]])


def test_prelu_constraint_callable_is_applied_by_the_optimizer():
    layer = layers.PReLU(alpha_initializer="ones", alpha_constraint=lambda w: tf.minimum(w, 0.5))
    x = tf.constant([[-1.0, -2.0]])
    layer(x)
    optimizer = keras.optimizers.SGD(0.1)
    with tf.GradientTape() as tape:
        loss = -tf.reduce_sum(layer(x))
    optimizer.apply_gradients(zip(tape.gradient(loss, layer.trainable_weights),
                                  layer.trainable_weights))
    np.testing.assert_allclose(layer.alpha.numpy(), [0.5, 0.5])


def test_leaky_relu_alpha_warning_points_at_the_caller():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layers.LeakyReLU(alpha=0.1)
    assert [Path(w.filename).name for w in caught] == [Path(__file__).name]


def test_elu_config_is_its_constructor_arguments_as_in_keras():
    config = layers.ELU(alpha=2, name="e", dtype="float32").get_config()
    assert config["alpha"] == 2 and type(config["alpha"]) is int
    assert layers.ELU.from_config(config).alpha == 2
    with pytest.raises(NotImplementedError, match="non-serializable argument values"):
        layers.ELU(alpha=np.float32(0.5)).get_config()
