"""keras.activations against goldens recorded with TensorFlow 2.21 / Keras 3."""
import golden_replay as _golden
import pytest

import tapeflow as tf
from tapeflow.keras import activations

CASES = _golden.cases("activations")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden(case):
    _golden.assert_matches(_golden.run(case["code"]), case["result"], rtol=2e-5, atol=1e-6,
                           where=case["id"])


def test_get_rejects_unknown_names():
    with pytest.raises(ValueError, match="Could not interpret activation"):
        activations.get("nope")


def test_softmax_axis_none_and_gradient():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    y = activations.softmax(x, axis=None)
    assert abs(float(tf.reduce_sum(y)) - 1.0) < 1e-6
    with tf.GradientTape() as tape:
        tape.watch(x)
        z = tf.reduce_sum(activations.swish(x))
    assert tape.gradient(z, x).shape == (2, 2)


def test_deserialize_round_trip():
    for name in ("relu", "softmax", "gelu", "swish"):
        fn = activations.get(name)
        assert activations.deserialize(activations.serialize(fn)) is fn


def test_serialize_any_function_like_keras():
    assert activations.serialize(tf.nn.relu) == "relu"  # by name, as Keras does
    config = activations.serialize(lambda x: x)
    assert config["class_name"] == "function" and config["config"] == "<lambda>"


@pytest.mark.parametrize("module", [
    "activations", "losses", "metrics", "callbacks", "initializers", "regularizers",
    "optimizers", "optimizers.optimizer", "optimizers.schedules", "utils.progbar"])
def test_docstring_examples_run(module):
    import doctest
    import importlib
    mod = importlib.import_module(f"tapeflow.keras.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
