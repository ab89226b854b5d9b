"""keras.constraints against real Keras 3: each constraint's projection (zero weights, axis
variants, rate < 1), configs, ``get`` / ``serialize`` / ``deserialize`` and Keras's errors, the
constraints layers resolve by name or config and write back in ``get_config``, the optimizer's
projection after each step, and a constrained model through the ``.keras`` format.

Goldens: tests/golden/keras_constraints/constraints.json and model.keras, recorded by
record_constraints.py from the same constraint_cases.py under TensorFlow 2.21 / Keras 3.15.
"""
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from golden_compare import same

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import constraints, layers, saving

HERE = Path(__file__).resolve().parents[1] / "golden" / "keras_constraints"
sys.path.insert(0, str(HERE))
import constraint_cases  # noqa: E402

RECORDED = json.loads((HERE / "constraints.json").read_text())
GOLDEN = RECORDED["cases"]


def _run(name):
    keras.utils.clear_session()
    keras.utils.set_random_seed(0)
    return constraint_cases.CASES[name](keras)


# The projections themselves are exact float32 arithmetic: compared at rtol 1e-6.
@pytest.mark.parametrize("name", ["outputs", "float64_input", "changed_epsilon"])
def test_projections_match_keras(name):
    same(_run(name), GOLDEN[name], name, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["configs", "errors", "layer_configs", "weight_constraints"])
def test_configs_and_errors_match_keras(name):
    same(_run(name), GOLDEN[name], name)


def test_get_matches_keras():
    got, want = _run("get_identifiers"), dict(GOLDEN["get_identifiers"])
    # tapeflow's module also holds its imports and ALL_OBJECTS tables: Keras's names are there
    assert set(want.pop("public_names")) <= set(got.pop("public_names"))
    same(got, want, "get_identifiers")


# Training: the weights after a few steps, Keras's to rtol 1e-5.
@pytest.mark.parametrize("name", ["dense_non_neg_sgd", "dense_non_neg_fit", "dense_adam_fit",
                                  "constrained_model_sgd", "gradient_accumulation"])
def test_training_with_constraints_matches_keras(name):
    got, want = _run(name), dict(GOLDEN[name])
    got.pop("losses", None)  # train_on_batch's results: the test below
    want.pop("losses", None)
    same(got, want, name, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["dense_non_neg_sgd", "constrained_model_sgd"])
def test_train_on_batch_losses_match_keras(name):
    # Keras 3's train_on_batch resets the metrics first: each call reports its own batch
    same(_run(name)["losses"], GOLDEN[name]["losses"], name, rtol=1e-5, atol=1e-6)


def test_ema_is_taken_before_the_constraints_as_in_keras():
    # Keras 3 updates the EMA (and overwrites the weights with it) before the constraints
    same(_run("ema_order"), GOLDEN["ema_order"], "ema_order", rtol=1e-5, atol=1e-6)


def test_non_neg_kernel_stays_non_negative():
    got = _run("dense_non_neg_sgd")
    kernel = np.array(got["weights"][0])
    assert (kernel >= 0).all() and (kernel == 0).any()


# -- the .keras format ---------------------------------------------------------------------------
def test_a_constrained_model_saves_and_loads(tmp_path):
    keras.utils.clear_session()
    model = constraint_cases.compile_model(keras, constraint_cases.build_model(keras))
    x, y = constraint_cases.TOKENS, constraint_cases.TOKEN_Y
    model.train_on_batch(x, y)
    before = model.predict(x, verbose=0)
    saving.save_model(model, tmp_path / "c.keras")
    again = saving.load_model(tmp_path / "c.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), before)
    for a, b in zip(model.layers, again.layers):
        assert type(a) is type(b)
        assert a.get_config() == b.get_config()
    for a, b in zip(model.weights, again.weights):
        assert type(a.constraint) is type(b.constraint)
        if a.constraint is not None:
            assert a.constraint.get_config() == b.constraint.get_config()
    # the loaded model keeps training as the original does, constraints included
    for m in (model, again):
        for _ in range(2):
            m.train_on_batch(x, y)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_the_model_keras_saved_loads_with_its_constraints():
    keras.utils.clear_session()
    constraint_cases.build_model(keras)  # registers the Scale layer, as the recorder did
    model = saving.load_model(HERE / "model.keras")
    want = RECORDED["model"]
    np.testing.assert_allclose(model.predict(constraint_cases.TOKENS, verbose=0),
                               np.array(want["predictions"]), rtol=1e-5, atol=1e-6)
    # the custom Scale layer's base config is Layer's, not this file's subject (Keras's also
    # lists activity_regularizer and autocast): compared for the built-in layers only
    want_layers = {k: v for k, v in want["layers"].items() if k != "scale"}
    same({layer.name: constraint_cases._plain(layer.get_config())
          for layer in model.layers[1:] if layer.name != "scale"}, want_layers, "model")
    assert type(model.get_layer("scale").scale.constraint) is constraints.UnitNorm


# -- behaviour beyond the goldens ---------------------------------------------------------------
def test_keras_namespace_and_aliases():
    import importlib
    assert keras.constraints is importlib.import_module("tapeflow.keras.constraints")
    assert "constraints" in keras.__all__
    from tapeflow import aliases
    with aliases.tensorflow_aliases():
        import keras as aliased
        import tensorflow as aliased_tf
        from keras import constraints as aliased_constraints
        assert aliased.constraints is constraints is aliased_constraints
        assert aliased_tf.keras.constraints.NonNeg is constraints.NonNeg


def test_a_custom_constraint_by_class_and_registered_config():
    @saving.register_keras_serializable(package="test_constraints")
    class Clip(constraints.Constraint):
        def __init__(self, limit=1.0):
            self.limit = limit

        def __call__(self, w):
            return tf.clip_by_value(w, -self.limit, self.limit)

        def get_config(self):
            return {"limit": self.limit}

    layer = layers.Dense(2, kernel_constraint=Clip(0.25))
    config = layer.get_config()["kernel_constraint"]
    assert config == {"module": __name__, "class_name": "Clip", "config": {"limit": 0.25},
                      "registered_name": "test_constraints>Clip"}
    again = layers.Dense.from_config(layer.get_config())
    assert isinstance(again.kernel_constraint, Clip) and again.kernel_constraint.limit == 0.25
    assert constraints.deserialize(config).limit == 0.25
    assert isinstance(constraints.get(Clip), Clip)
    assert constraints.deserialize("Clip", custom_objects={"Clip": Clip}) is Clip


def test_the_optimizer_applies_a_constraint_given_by_name():
    class Free(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(3,), initializer="ones", constraint="non_neg")

        def call(self, x):
            return x * self.w

    layer = Free()
    layer(tf.ones((1, 3)))
    assert isinstance(layer.w.constraint, constraints.NonNeg)
    opt = keras.optimizers.SGD(1.0)
    opt.apply_gradients([(tf.constant([2.0, -1.0, 0.5]), layer.w)])
    np.testing.assert_array_equal(layer.w.numpy(), [0.0, 2.0, 0.5])


def test_constraints_accept_variables_and_keep_zero_norms_finite():
    v = tf.Variable(np.zeros((2, 3), "float32"))
    for c in (constraints.MaxNorm(), constraints.UnitNorm(), constraints.MinMaxNorm(1.0, 2.0)):
        out = c(v)
        assert isinstance(out, tf.Tensor) and np.isfinite(out.numpy()).all()
        np.testing.assert_array_equal(out.numpy(), 0.0)


@pytest.mark.parametrize("module", ["constraints"])
def test_docstring_examples_run(module):
    import doctest
    import importlib
    mod = importlib.import_module(f"tapeflow.keras.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
