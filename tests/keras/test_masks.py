"""Mask propagation against real Keras 3: Embedding(mask_zero=True) marks padded steps, the
layers that support masking pass the mask on (merge layers combine theirs), one that does not
warns and drops it, and losses and metrics average over the unmasked steps only.

Goldens: tests/golden/keras_masks/masks.json, recorded by record_masks.py from the same
mask_cases.py under TensorFlow 2.21 / Keras 3.
"""
import json
import sys
from pathlib import Path

import golden_compare
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import backend

HERE = Path(__file__).resolve().parents[1] / "golden" / "keras_masks"
sys.path.insert(0, str(HERE))
import mask_cases  # noqa: E402

GOLDEN = json.loads((HERE / "masks.json").read_text())["cases"]


def get_mask(t):
    return backend.get_keras_mask(t) if isinstance(t, tf.Tensor) else None


def same(got, want, path="", tol=1e-5):
    golden_compare.same(got, want, path, rtol=tol, atol=tol, strict_types=False)


@pytest.mark.filterwarnings("ignore:Layer .* does not support masking:UserWarning")
@pytest.mark.parametrize("name", sorted(mask_cases.CASES))
def test_masks_match_keras(name):
    keras.utils.clear_session()
    keras.utils.set_random_seed(0)
    same(mask_cases.CASES[name](keras, get_mask), GOLDEN[name], name)


def test_unmasked_models_attach_no_masks():
    keras.utils.clear_session()
    model = keras.Sequential([keras.layers.Dense(3, activation="relu"), keras.layers.Dense(2)])
    out = model(tf.ones((4, 5)))
    assert get_mask(out) is None


def test_an_explicit_mask_argument_wins_over_the_attached_one():
    seen = []

    class Probe(keras.layers.Layer):
        def call(self, inputs, mask=None):
            seen.append(None if mask is None else mask.numpy().tolist())
            return inputs

    e = keras.layers.Embedding(6, 2, mask_zero=True)(tf.constant([[1, 0]]))
    with pytest.warns(UserWarning, match="does not support masking"):  # Keras's warning
        Probe()(e)
        Probe()(e, mask=tf.constant([[True, True]]))
    assert seen == [[[True, False]], [[True, True]]]


def test_an_explicit_mask_is_passed_on_by_a_masking_layer():
    keras.utils.clear_session()
    mask = tf.constant([[True, False, True]])

    class Keep(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.supports_masking = True

        def call(self, inputs, mask=None):
            return inputs * 2.0

    out = Keep()(tf.ones((1, 3, 4)), mask=mask)  # Keras: the outputs carry the given mask
    assert get_mask(out).numpy().tolist() == [[True, False, True]]


def test_a_mask_passed_positionally_is_not_filled_again():
    seen = []

    class Probe(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.supports_masking = True

        def call(self, inputs, mask=None):
            seen.append(None if mask is None else mask.numpy().tolist())
            return inputs

    e = keras.layers.Embedding(6, 2, mask_zero=True)(tf.constant([[1, 0]]))  # a live mask
    Probe()(e, tf.constant([[False, True]]))
    assert seen == [[[False, True]]]


def test_a_layer_overriding_compute_mask_supports_masking():
    class Halve(keras.layers.Layer):
        def call(self, inputs):
            return inputs

        def compute_mask(self, inputs, mask=None):
            return tf.constant([[True, False]])

    layer = Halve()
    assert layer.supports_masking
    assert get_mask(layer(tf.ones((1, 2)))).numpy().tolist() == [[True, False]]


def test_a_loss_reads_the_mask_of_a_float64_prediction():
    y_pred = backend.set_keras_mask(tf.constant([[0.2, 0.8], [0.6, 0.4]], tf.float64),
                                    tf.constant([True, False]))
    y_true = tf.constant([1, 0])
    masked = keras.losses.SparseCategoricalCrossentropy()(y_true, y_pred)
    first_only = keras.losses.SparseCategoricalCrossentropy()(y_true[:1], y_pred[:1])
    assert abs(float(masked) - float(first_only)) < 1e-6  # the masked row does not count


def test_a_mask_given_to_a_model_rides_its_input():
    keras.utils.clear_session()
    seq = keras.Sequential([keras.layers.Dense(2)])
    m = tf.constant([[True, False, True]])
    assert get_mask(seq(tf.ones((1, 3, 4)), mask=m)).numpy().tolist() == [[True, False, True]]
    i = keras.Input((3, 4))
    fn = keras.Model(i, keras.layers.Dense(2)(i))
    assert get_mask(fn(tf.ones((1, 3, 4)), mask=m)).numpy().tolist() == [[True, False, True]]


def test_ops_on_keras_tensors_neither_warn_nor_pass_masks():
    import warnings
    keras.utils.clear_session()
    i = keras.Input((3,), dtype="int32")
    h = keras.layers.Embedding(6, 2, mask_zero=True)(i)
    model = keras.Model(i, h * 2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = model(tf.constant([[1, 0, 2]]))
    assert get_mask(out) is None
