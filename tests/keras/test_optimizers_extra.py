"""Lion, Adafactor and Ftrl against real Keras 3.15: steps on fixed variables and gradients
(matrix, vector, rank-3 and scalar variables; Adafactor's factored and unfactored slots; Ftrl's
regularizers), with clipping, weight decay, schedules, EMA and gradient accumulation; configs,
names and errors; short fits; and `.keras` files with the optimizer state, both ways.

Goldens: tests/golden/keras_optimizers_extra/optimizers.json and fit_*.keras, recorded by
record_optimizers_extra.py from the same optimizer_cases.py under TensorFlow 2.21 / Keras 3.
"""
import io
import json
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from golden_compare import same

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import optimizers

HERE = Path(__file__).resolve().parents[1] / "golden" / "keras_optimizers_extra"
sys.path.insert(0, str(HERE))
import optimizer_cases  # noqa: E402

GOLDEN = json.loads((HERE / "optimizers.json").read_text())["cases"]


def variable(value, name):
    return tf.Variable(value, name=name)


def run(name):
    keras.utils.clear_session()
    keras.utils.set_random_seed(0)
    return optimizer_cases.CASES[name](keras, variable)


@pytest.mark.parametrize("name", sorted(optimizer_cases.STEP_CASES))
def test_steps_match_keras(name):
    same(run(f"steps/{name}"), GOLDEN[f"steps/{name}"], name)


@pytest.mark.parametrize("name", sorted(optimizer_cases.FIT_CASES))
def test_fit_matches_keras(name):
    same(run(f"fit/{name}"), GOLDEN[f"fit/{name}"], name, rtol=1e-4)


def test_configs_match_keras():
    same(run("configs"), GOLDEN["configs"], "configs", rtol=0, atol=0)


def test_get_by_name_matches_keras():
    same(run("get_by_name"), GOLDEN["get_by_name"], "get", rtol=0, atol=0)


def test_errors_match_keras():
    same(run("errors"), GOLDEN["errors"], "errors")


@pytest.mark.parametrize("cls", [optimizers.Lion, optimizers.Adafactor, optimizers.Ftrl])
def test_serialize_round_trip(cls):
    opt = cls(learning_rate=0.25, name="x")
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert type(again) is cls and again.get_config() == opt.get_config()
    assert optimizers.ALL_OBJECTS_DICT[cls.__name__.lower()] is cls


def test_adafactor_relative_step_caps_the_rate_at_one_over_sqrt_t():
    w = tf.Variable([[2.0, -2.0], [2.0, -2.0]])
    opt = optimizers.Adafactor(learning_rate=10.0, clip_threshold=100.0)
    opt.apply_gradients([(tf.constant([[1.0, -1.0], [1.0, -1.0]]), w)])
    # rho = min(10, 1/sqrt(1)) = 1, alpha = rms(w) * rho = 2, u = g / |g| = sign(g).
    np.testing.assert_allclose(w.numpy(), [[0.0, 0.0], [0.0, 0.0]], atol=1e-6)


def test_lion_update_is_the_sign_times_the_rate():
    w = tf.Variable([0.0, 0.0, 0.0])
    opt = optimizers.Lion(learning_rate=0.25)
    opt.apply_gradients([(tf.constant([3.0, -1e-6, 0.0]), w)])
    np.testing.assert_array_equal(w.numpy(), [-0.25, 0.25, 0.0])


# -- .keras files with the optimizer state -----------------------------------------------------
h5py = pytest.importorskip("h5py")
from tapeflow.keras import saving  # noqa: E402
from tapeflow.keras.saving import saving_lib  # noqa: E402

NAMES = ["lion", "adafactor", "ftrl"]


def _layout(path):
    with zipfile.ZipFile(path) as archive:
        h5 = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
        out = {}
        h5.visititems(lambda k, obj: out.__setitem__(k, (obj.shape, obj.dtype.str))
                      if isinstance(obj, h5py.Dataset) else None)
        config = json.loads(archive.read("config.json"))
    return out, config["compile_config"]["optimizer"]


def _state(opt):
    return [[str(v.numpy().dtype), list(v.numpy().shape), v.numpy().tolist()]
            for v in saving_lib.optimizer_variables(opt)]


@pytest.mark.parametrize("name", NAMES)
def test_keras_file_loads_with_its_optimizer_state(name):
    keras.utils.clear_session()
    model = saving.load_model(HERE / f"fit_{name}.keras")
    want = GOLDEN[f"fit/{name}"]
    assert type(model.optimizer).__name__ == {"lion": "Lion", "adafactor": "Adafactor",
                                              "ftrl": "Ftrl"}[name]
    same([w.astype(np.float64).tolist() for w in model.get_weights()], want["weights"], name,
         rtol=0, atol=0)
    same(_state(model.optimizer), want["state"], name, rtol=0, atol=0)
    _, their_optimizer = _layout(HERE / f"fit_{name}.keras")
    assert model.optimizer.get_config() == their_optimizer["config"]


@pytest.mark.parametrize("name", NAMES)
def test_tapeflow_file_has_keras_layout_and_resumes_exactly(name, tmp_path):
    keras.utils.clear_session()
    model, _ = optimizer_cases.fit_model(keras, name)
    target = tmp_path / f"{name}.keras"
    saving.save_model(model, target)
    ours, our_optimizer = _layout(target)
    theirs, their_optimizer = _layout(HERE / f"fit_{name}.keras")
    assert ours == theirs
    assert our_optimizer["class_name"] == their_optimizer["class_name"]
    assert our_optimizer["config"] == their_optimizer["config"]
    again = saving.load_model(target)
    assert _state(again.optimizer) == _state(model.optimizer)
    for m in (model, again):  # one more epoch from the saved state: the same numbers
        m.fit(optimizer_cases.X, optimizer_cases.Y, batch_size=4, epochs=1, shuffle=False,
              verbose=0)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert _state(again.optimizer) == _state(model.optimizer)
