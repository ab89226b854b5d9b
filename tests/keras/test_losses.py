"""keras.losses against goldens recorded with TensorFlow 2.21 / Keras 3, plus behaviour tests."""
import golden_replay as _golden
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.keras import activations, losses

CASES = _golden.cases("losses")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden(case):
    _golden.assert_matches(_golden.run(case["code"]), case["result"], rtol=2e-5, atol=1e-6,
                           where=case["id"])


def test_integer_labels_with_categorical_crossentropy_names_the_sparse_loss():
    probs = tf.constant([[0.1, 0.9], [0.8, 0.2]])
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        losses.CategoricalCrossentropy()(np.array([1, 0]), probs)
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        losses.get("categorical_crossentropy")(np.array([[1], [0]]), probs)


def test_one_hot_labels_with_sparse_loss_names_the_categorical_loss():
    probs = tf.constant([[0.1, 0.9], [0.8, 0.2]])
    with pytest.raises(ValueError, match="'categorical_crossentropy'"):
        losses.SparseCategoricalCrossentropy()(np.array([[0, 1], [1, 0]]), probs)


def test_logits_shortcut_gives_finite_loss_and_gradient():
    x = tf.constant([[1000.0, -1000.0, 0.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = losses.SparseCategoricalCrossentropy()([1], activations.softmax(x))
    assert float(loss) == pytest.approx(2000.0)
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), [[1.0, -1.0, 0.0]], atol=1e-6)


def test_mark_logits_is_released_with_the_tensor():
    import gc
    probs = activations.softmax(tf.constant([1.0, 2.0]))
    key = id(probs)
    assert activations.logits_of(probs) is not None
    del probs
    gc.collect()
    assert key not in activations._LOGITS


def test_mark_logits_for_layers_that_compute_softmax_themselves():
    x = tf.constant([[50.0, -50.0]])
    p = losses.mark_logits(tf.nn.softmax(x), x)
    assert float(losses.categorical_crossentropy([[0.0, 1.0]], p)[0]) == pytest.approx(100.0)


def test_get_and_deserialize_round_trip():
    loss = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)
    again = losses.deserialize(losses.serialize(loss))
    assert type(again) is losses.CategoricalCrossentropy
    assert again.get_config() == loss.get_config()
    assert losses.get("mse") is losses.mean_squared_error
    assert isinstance(losses.get("Huber"), losses.Huber)
    assert losses.deserialize(losses.serialize(losses.mae)) is losses.mean_absolute_error
    with pytest.raises(ValueError, match="Unknown loss"):
        losses.get("no_such_loss")


def test_custom_loss_subclass():
    class Scaled(losses.Loss):
        def call(self, y_true, y_pred):
            return tf.reduce_sum(tf.abs(y_true - y_pred), axis=-1)

    loss = Scaled()
    assert loss.name == "scaled"
    assert float(loss([[1.0, 2.0]], [[0.0, 0.0]], sample_weight=[2.0])) == pytest.approx(6.0)


def test_invalid_reduction():
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="avg")


def test_serialize_user_function():
    def my_loss(y_true, y_pred):
        return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)

    config = losses.serialize(my_loss)
    assert config["config"] == "my_loss"
    assert losses.deserialize(config, custom_objects={"my_loss": my_loss}) is my_loss


def test_keras2_reduction_names():
    y, p = [[1.0], [3.0]], [[0.0], [0.0]]
    assert float(losses.MeanSquaredError(reduction=losses.Reduction.SUM)(y, p)) == 10.0
    assert float(losses.MeanSquaredError(reduction="auto")(y, p)) == 5.0
    assert losses.MeanSquaredError(reduction=losses.Reduction.NONE)(y, p).shape == (2,)


def test_masked_predictions_average_over_valid_entries():
    # Values checked against Keras 3 (keras.src.backend.set_keras_mask on the prediction).
    y_true = tf.constant([[1.0, 1.0, 1.0]])
    y_pred = losses.set_keras_mask(tf.constant([[0.0, 0.0, 5.0]]),
                                   tf.constant([[True, True, False]]))
    per_step = losses.LossFunctionWrapper(lambda t, p: tf.square(t - p))
    assert float(per_step(y_true, y_pred)) == pytest.approx(1.0)  # (1 + 1) / 2 valid steps
    got = losses.MeanSquaredError(reduction=None)(y_true, y_pred).numpy()
    np.testing.assert_allclose(got, [[6.0, 6.0, 0.0]])
    assert float(losses.MeanSquaredError()(y_true, y_pred)) == pytest.approx(6.0)
