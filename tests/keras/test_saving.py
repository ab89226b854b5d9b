"""keras.saving: the `.keras` format and `.weights.h5`, both ways with real Keras 3.15's files.

The goldens in tests/golden/keras_files were written by real Keras (record_keras_files.py):
tapeflow must load them with the weights bit for bit and Keras's predictions within rtol 1e-5,
and must write files with exactly Keras's layout.
"""
import json
import os
import sys
import zipfile

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import saving
from tapeflow.keras.saving import file_io, saving_lib

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden", "keras_files")
sys.path.insert(0, GOLDEN)
import cases

CUSTOM = cases.custom_objects(keras)
EXPECTED = np.load(os.path.join(GOLDEN, "expected.npz"), allow_pickle=False)


def _golden(name):
    return os.path.join(GOLDEN, name)


def _xs(name):
    xs = [EXPECTED[k] for k in sorted(k for k in EXPECTED.files if k.startswith(f"{name}/x"))]
    return xs if len(xs) > 1 else xs[0]


def _ys(name):
    return [EXPECTED[k] for k in sorted(k for k in EXPECTED.files if k.startswith(f"{name}/y"))]


def _predict(model, x):
    y = model.predict(x, verbose=0)
    return y if isinstance(y, list) else [y]


def _datasets(h5file):
    out = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            out[name] = (obj.shape, obj.dtype.str)
    h5file.visititems(visit)
    return out


# -- Keras -> tapeflow -------------------------------------------------------------------------
@pytest.mark.parametrize("name", cases.CASES)
def test_keras_file_loads_with_keras_predictions(name):
    model = saving.load_model(_golden(f"{name}.keras"))
    for got, want in zip(_predict(model, _xs(name)), _ys(name)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", cases.CASES)
def test_keras_file_weights_and_optimizer_bit_for_bit(name):
    model = saving.load_model(_golden(f"{name}.keras"))
    with zipfile.ZipFile(_golden(f"{name}.keras")) as archive:
        import io
        h5 = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
    used = set()
    for path, obj in saving_lib.walk(model):
        for i, variable in enumerate(saving_lib.own_variables(obj)):
            key = f"{path}/vars/{i}" if path else f"vars/{i}"
            np.testing.assert_array_equal(np.asarray(variable.numpy()), h5[key][()], err_msg=key)
            used.add(key)
    assert used == set(_datasets(h5)), "every array in Keras's file has its variable"
    assert int(model.optimizer.iterations.numpy()) == 2


@pytest.mark.parametrize("name", cases.CASES)
def test_keras_weights_file_loads_into_a_tapeflow_model(name):
    keras.utils.set_random_seed(3)
    model, compile_kwargs = cases.build(name, keras)
    model.compile(**compile_kwargs)
    model.optimizer.build(model.trainable_weights)
    saving.load_weights(model, _golden(f"{name}.weights.h5"))
    for got, want in zip(_predict(model, _xs(name)), _ys(name)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert int(model.optimizer.iterations.numpy()) == 2


def test_keras_compile_config_is_restored():
    model = saving.load_model(_golden("mlp.keras"))
    assert type(model.optimizer).__name__ == "Adam"
    assert model.optimizer.learning_rate.numpy() == np.float32(0.01)
    history = model.fit(_xs("mlp"), cases.targets("mlp"), epochs=1, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss"]
    assert int(model.optimizer.iterations.numpy()) == 3  # Keras's 2 steps, then one more


def test_compile_false_leaves_the_model_uncompiled():
    model = saving.load_model(_golden("mlp.keras"), compile=False)
    assert not model.compiled
    np.testing.assert_allclose(_predict(model, _xs("mlp"))[0], _ys("mlp")[0], rtol=1e-5)


# -- tapeflow -> Keras layout ------------------------------------------------------------------
@pytest.mark.parametrize("name", cases.CASES)
def test_tapeflow_writes_keras_layout(name, tmp_path):
    keras.utils.set_random_seed(1)
    model, compile_kwargs = cases.build(name, keras)
    model.compile(**compile_kwargs)
    model.fit(cases.inputs(name), cases.targets(name), batch_size=3, epochs=1, verbose=0,
              shuffle=False)
    target = tmp_path / f"{name}.keras"
    saving.save_model(model, target)
    with zipfile.ZipFile(target) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["metadata.json", "config.json",
                                              "model.weights.h5"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        import io
        ours = _datasets(h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r"))
        config = json.loads(archive.read("config.json"))
        meta = json.loads(archive.read("metadata.json"))
    with zipfile.ZipFile(_golden(f"{name}.keras")) as archive:
        theirs = _datasets(h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r"))
        their_config = json.loads(archive.read("config.json"))
    assert ours == theirs
    assert meta["keras_version"] == "3.15.1"
    assert config["class_name"] == their_config["class_name"]
    assert config["compile_config"].keys() == their_config["compile_config"].keys()
    again = saving.load_model(target)
    for got, want in zip(_predict(again, cases.inputs(name)), _predict(model, cases.inputs(name))):
        np.testing.assert_array_equal(got, want)
    for a, b in zip(saving_lib.optimizer_variables(model.optimizer),
                    saving_lib.optimizer_variables(again.optimizer)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("name", ["mlp", "functional", "misc"])
def test_layer_configs_match_keras(name, tmp_path):
    keras.backend.clear_session()
    keras.utils.set_random_seed(1)
    model, compile_kwargs = cases.build(name, keras)
    model.compile(**compile_kwargs)
    ours = json.loads(saving.to_json(model))
    with zipfile.ZipFile(_golden(f"{name}.keras")) as archive:
        theirs = json.loads(archive.read("config.json"))

    def strip(config):  # object ids and names differ between sessions
        if isinstance(config, dict):
            return {k: strip(v) for k, v in config.items() if k not in ("shared_object_id",)}
        if isinstance(config, list):
            return [strip(v) for v in config]
        return config
    mine = [entry["class_name"] for entry in strip(ours)["config"]["layers"]]
    keras_layers = [entry["class_name"] for entry in strip(theirs)["config"]["layers"]]
    assert mine == keras_layers
    if name != "functional":
        return
    edges = [[n["args"] for n in entry["inbound_nodes"]] for entry in ours["config"]["layers"]]
    their_edges = [[n["args"] for n in entry["inbound_nodes"]]
                   for entry in theirs["config"]["layers"]]
    assert edges == their_edges
    assert ours["config"]["input_layers"] == theirs["config"]["input_layers"]
    assert ours["config"]["output_layers"] == theirs["config"]["output_layers"]


# -- API: weights, json, registry, errors ------------------------------------------------------
def _small_model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), verbose=0)
    return model


def test_save_and_load_weights_round_trip(tmp_path):
    model = _small_model()
    path = tmp_path / "m.weights.h5"
    saving.save_weights(model, path)
    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1)])
    saving.load_weights(other, path)
    for a, b in zip(model.weights, other.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_load_weights_from_a_keras_file(tmp_path):
    model = _small_model()
    saving.save_model(model, tmp_path / "m.keras")
    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1)])
    saving.load_weights(other, tmp_path / "m.keras")
    np.testing.assert_array_equal(other.layers[0].kernel.numpy(), model.layers[0].kernel.numpy())


def test_weight_shape_mismatch_names_the_weight(tmp_path):
    model = _small_model()
    saving.save_weights(model, tmp_path / "m.weights.h5")
    other = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"layers/dense/vars/0.*\(3, 4\).*\(5, 4\)"):
        saving.load_weights(other, tmp_path / "m.weights.h5")
    fewer = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, use_bias=False),
                              keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="expected 1 variables, but received 2"):
        saving.load_weights(fewer, tmp_path / "m.weights.h5")


@pytest.mark.parametrize("call, message", [
    (lambda m, p: saving.save_model(m, p / "m.txt"), "Invalid filepath extension for saving"),
    (lambda m, p: saving.save_model(m, p / "m.h5"), "legacy H5"),
    (lambda m, p: saving.save_weights(m, p / "m.h5"), "must end in `.weights.h5`"),
    (lambda m, p: saving.load_model(p / "m.txt"), "File format not supported"),
    (lambda m, p: saving.load_model(p / "missing.keras"), "File not found"),
    (lambda m, p: saving.load_weights(m, p / "m.npz"), "File format not supported"),
])
def test_wrong_extensions_get_keras_messages(call, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        call(_small_model(), tmp_path)


def test_to_json_and_model_from_json():
    model = _small_model()
    text = saving.to_json(model)
    assert json.loads(text)["class_name"] == "Sequential"
    again = saving.model_from_json(text)
    assert [type(layer).__name__ for layer in again.layers] == ["Dense", "Dense"]
    assert again.layers[0].units == 4


def test_register_and_custom_objects(tmp_path):
    @saving.register_keras_serializable(package="test_saving")
    def scaled_relu(x):
        return tf.nn.relu(x) * 2.0

    assert saving.get_registered_name(scaled_relu) == "test_saving>scaled_relu"
    assert saving.get_registered_object("test_saving>scaled_relu") is scaled_relu
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation=scaled_relu)])
    saving.save_model(model, tmp_path / "r.keras")
    again = saving.load_model(tmp_path / "r.keras")
    assert again.layers[0].activation is scaled_relu

    class Doubler(keras.layers.Layer):  # not registered: needs custom_objects
        def call(self, x):
            return x * 2.0

    model = keras.Sequential([keras.Input((2,)), Doubler()])
    saving.save_model(model, tmp_path / "c.keras")
    with pytest.raises(TypeError, match="Could not locate class 'Doubler'"):
        saving.load_model(tmp_path / "c.keras")
    again = saving.load_model(tmp_path / "c.keras", custom_objects={"Doubler": Doubler})
    np.testing.assert_array_equal(again.predict(np.ones((1, 2)), verbose=0), [[2.0, 2.0]])
    with saving.custom_object_scope({"Doubler": Doubler}):
        assert isinstance(saving.load_model(tmp_path / "c.keras").layers[0], Doubler)


@pytest.mark.parametrize("obj", [
    keras.optimizers.Adam(learning_rate=0.003, amsgrad=True),
    keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)),
    keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
    keras.metrics.AUC(num_thresholds=50),
    keras.initializers.HeNormal(seed=3),
    keras.regularizers.L1L2(l1=0.01, l2=0.02),
    keras.layers.LayerNormalization(epsilon=0.01),
    keras.layers.Embedding(5, 3, mask_zero=True),
])
def test_serialize_round_trip(obj):
    config = saving.serialize_keras_object(obj)
    json.dumps(config)
    again = saving.deserialize_keras_object(config)
    assert type(again) is type(obj)
    assert saving.serialize_keras_object(again)["config"] == config["config"]


def test_functions_serialize_by_name():
    entry = saving.serialize_keras_object(keras.activations.relu)
    assert entry == {"module": "keras.activations", "class_name": "function",
                     "config": "relu", "registered_name": "relu"}
    assert saving.deserialize_keras_object(entry) is keras.activations.relu


def test_lambda_from_keras_needs_safe_mode_false():
    with pytest.raises(ValueError, match="Lambda` layer whose `function` is a Python lambda"):
        saving.load_model(_golden("lambda.keras"))
    model = saving.load_model(_golden("lambda.keras"), safe_mode=False)
    np.testing.assert_allclose(model.predict(_xs("lambda"), verbose=0), _ys("lambda")[0],
                               rtol=1e-5, atol=1e-6)


def test_tapeflow_lambda_round_trip(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(lambda t: t + 3.0)])
    saving.save_model(model, tmp_path / "l.keras")
    with pytest.raises(ValueError, match="safe_mode=False"):
        saving.load_model(tmp_path / "l.keras")
    again = saving.load_model(tmp_path / "l.keras", safe_mode=False)
    np.testing.assert_array_equal(again.predict(np.zeros((1, 2)), verbose=0), [[3.0, 3.0]])


# -- atomic writes -----------------------------------------------------------------------------
def _leftovers(folder):
    return [n for n in os.listdir(folder) if n.endswith(".tmp")]


def test_failed_save_leaves_the_old_file_untouched(tmp_path, monkeypatch):
    model = _small_model()
    target = tmp_path / "m.keras"
    saving.save_model(model, target)
    before = target.read_bytes()

    def half_then_fail(fileobj, members):
        fileobj.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(file_io, "write_keras_archive", half_then_fail)
    model.layers[0].kernel.assign(np.zeros((3, 4), "float32"))
    with pytest.raises(OSError, match="simulated"):
        saving.save_model(model, target)
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []
    assert saving.load_model(target).layers[0].kernel.numpy().any()


def test_failed_weights_save_leaves_the_old_file_untouched(tmp_path, monkeypatch):
    model = _small_model()
    target = tmp_path / "m.weights.h5"
    saving.save_weights(model, target)
    before = target.read_bytes()
    real_write = file_io.atomic_write

    def failing(path, write):
        def half(f):
            f.write(b"\x89HDF half")
            raise KeyboardInterrupt
        return real_write(path, half)

    monkeypatch.setattr(file_io, "atomic_write", failing)
    with pytest.raises(KeyboardInterrupt):
        file_io.atomic_write_bytes(target, b"new")
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_save_replaces_and_keeps_permissions(tmp_path):
    model = _small_model()
    target = tmp_path / "m.keras"
    saving.save_model(model, target)
    saving.save_model(model, target)
    mode = os.stat(target).st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask
    assert _leftovers(tmp_path) == []


def test_overwrite_false_asks(tmp_path, monkeypatch):
    model = _small_model()
    target = tmp_path / "m.keras"
    saving.save_model(model, target)
    before = target.read_bytes()
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    saving.save_model(model, target, overwrite=False)
    assert target.read_bytes() == before


def test_import_tapeflow_keras_does_not_import_h5py():
    import subprocess
    code = ("import sys, tapeflow, tapeflow.keras as k; k.layers; k.models; k.callbacks; "
            "k.saving; print('h5py' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# -- every built-in class round-trips through its JSON config -----------------------------------
_ARGS = {"Dense": (3,), "Activation": ("relu",), "Dropout": (0.5,), "Reshape": ((2, 2),),
         "Rescaling": (0.5,), "Embedding": (5, 3), "Constant": (2.0,), "L1": (0.01,),
         "L2": (0.01,), "OrthogonalRegularizer": (0.01,), "ExponentialDecay": (0.1, 10, 0.9),
         "InverseTimeDecay": (0.1, 10, 0.5), "PiecewiseConstantDecay": ([10], [0.1, 0.01]),
         "PolynomialDecay": (0.1, 10), "CosineDecay": (0.1, 10),
         "IoU": (3, [0, 2]), "MeanIoU": (3,), "OneHotIoU": (3, [1]), "OneHotMeanIoU": (3,),
         "PrecisionAtRecall": (0.5,), "RecallAtPrecision": (0.5,),
         "SensitivityAtSpecificity": (0.5,), "SpecificityAtSensitivity": (0.5,)}
_ABSTRACT = {"Lambda", "InputLayer", "Sequential", "Functional", "Model", "Layer", "OpLayer",
             "LearningRateSchedule", "Optimizer", "Loss", "LossFunctionWrapper", "Metric",
             "MeanMetricWrapper", "Regularizer", "Initializer"}


def _builtin_classes():
    import inspect

    from tapeflow.keras.saving import object_registration as reg
    out = []
    for kind in ("layers", "optimizers", "schedules", "losses", "metrics", "initializers",
                 "regularizers"):
        for name, cls in sorted(reg.builtins()[kind].items()):
            if inspect.isclass(cls) and name == cls.__name__ and name not in _ABSTRACT:
                out.append(pytest.param(cls, id=f"{kind}.{name}"))
    return out


@pytest.mark.parametrize("cls", _builtin_classes())
def test_every_builtin_config_round_trips_through_json(cls):
    obj = cls(*_ARGS.get(cls.__name__, ()))
    config = json.loads(json.dumps(saving.serialize_keras_object(obj)))
    again = saving.deserialize_keras_object(config)
    assert type(again) is cls
    assert saving.serialize_keras_object(again)["config"] == config["config"]


def test_functional_model_of_a_registered_subclass(tmp_path):
    @saving.register_keras_serializable(package="test_saving")
    class CustomModel(keras.Model):
        def train_step(self, data):
            return super().train_step(data)

    x = keras.Input((3,))
    model = CustomModel(x, keras.layers.Dense(2)(x))
    model.compile(optimizer="sgd", loss="mse")
    saving.save_model(model, tmp_path / "c.keras")
    again = saving.load_model(tmp_path / "c.keras")
    assert isinstance(again, CustomModel)
    np.testing.assert_array_equal(again.predict(np.ones((1, 3)), verbose=0),
                                  model.predict(np.ones((1, 3)), verbose=0))
