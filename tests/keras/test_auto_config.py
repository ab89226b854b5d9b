"""Layer subclasses without a get_config of their own: Keras 3's automatic config (the
constructor's arguments, defaults included), its errors, and what it means for saving."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from tapeflow import keras

HERE = Path(__file__).resolve().parents[1] / "golden" / "keras_auto_config"
sys.path.insert(0, str(HERE))
import auto_cases  # noqa: E402

GOLDEN = json.loads((HERE / "auto_config.json").read_text())["cases"]


def plain(value):
    return json.loads(json.dumps(value))  # tuples -> lists, as the recorded JSON has them


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_auto_config_matches_keras(name):
    got = auto_cases.run(keras)[name]
    assert plain(got) == GOLDEN[name]


def test_a_layer_without_get_config_saves_and_loads_with_its_arguments(tmp_path):
    h5py = pytest.importorskip("h5py")  # noqa: F841 - .keras files need it

    @keras.saving.register_keras_serializable(package="test_auto")
    class Scale(keras.layers.Layer):
        def __init__(self, factor=1.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

    model = keras.Sequential([keras.Input((2,)), Scale(factor=3.0)])
    path = tmp_path / "scale.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.layers[-1].factor == 3.0
    np.testing.assert_array_equal(loaded(np.ones((1, 2), np.float32)), [[3.0, 3.0]])
