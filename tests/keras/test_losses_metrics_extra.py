"""Dice, Tversky, CategoricalFocalCrossentropy and the R2, IoU, *At* and correlation metrics
against real Keras 3: values (edge inputs, sample weights, reductions, thresholds), configs and
their round trips, names through get, training histories; plus float64 gradient checks.

Goldens: tests/golden/keras_losses_metrics_extra/extra.json, recorded by record_extra.py from
the same extra_cases.py under TensorFlow 2.21 / Keras 3.
"""
import json
import sys
from pathlib import Path

import numpy as np
import golden_compare
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import losses, metrics
from tapeflow.testing import check_grads

HERE = Path(__file__).resolve().parents[1] / "golden" / "keras_losses_metrics_extra"
sys.path.insert(0, str(HERE))
import extra_cases  # noqa: E402

GOLDEN = json.loads((HERE / "extra.json").read_text())["cases"]
# The training histories compound rounding over steps: Keras on TF vs NumPy kernels.
TOLERANCE = {"fit_focal": 1e-4, "fit_tversky": 1e-4, "fit_dice_string": 1e-4}


def same(got, want, path="", tol=1e-5):
    golden_compare.same(got, want, path, rtol=tol, atol=1e-7, strict_types=False)


# 0/0 and x/0 (a constant column, one value per row) give NaN/inf as in TF; NumPy also warns.
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:divide by zero encountered:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:You are passing weight as `float`:UserWarning")
@pytest.mark.filterwarnings("ignore:In loss categorical_focal_crossentropy:SyntaxWarning")
@pytest.mark.parametrize("name", sorted(extra_cases.CASES))
def test_matches_keras(name):
    keras.utils.clear_session()
    keras.utils.set_random_seed(0)
    same(extra_cases.CASES[name](keras), GOLDEN[name], name, TOLERANCE.get(name, 1e-5))


# -- gradients (float64, finite differences) ---------------------------------------------------
def _probs(shape, seed):
    p = np.random.default_rng(seed).uniform(0.1, 1.0, size=shape)
    return p / p.sum(-1, keepdims=True)


def _labels(shape, seed):
    return np.random.default_rng(seed).uniform(0.0, 1.0, size=shape)


GRAD_CASES = [
    ("dice", lambda t, p: losses.dice(t, p), (3, 4)),
    ("dice_axis", lambda t, p: losses.dice(t, p, axis=(1, 2)), (2, 3, 4)),
    ("dice_axis_last", lambda t, p: losses.dice(t, p, axis=-1), (3, 4)),
    ("tversky", lambda t, p: losses.tversky(t, p, alpha=0.7, beta=0.3), (3, 4)),
    ("tversky_axis", lambda t, p: losses.tversky(t, p, 0.2, 0.8, axis=-1), (2, 3, 4)),
    ("focal", lambda t, p: losses.categorical_focal_crossentropy(t, p), (3, 4)),
    ("focal_alpha_list", lambda t, p: losses.categorical_focal_crossentropy(
        t, p, alpha=[0.1, 0.2, 0.3, 0.4], gamma=1.5, label_smoothing=0.1), (3, 4)),
    ("focal_logits", lambda t, p: losses.categorical_focal_crossentropy(
        t, p * 3.0, from_logits=True), (3, 4)),
    ("focal_axis_1", lambda t, p: losses.categorical_focal_crossentropy(t, p, axis=1),
     (2, 4, 3)),
    ("Dice_sw", lambda t, p: losses.Dice(axis=-1, dtype="float64")(
        t, p, sample_weight=tf.constant([0.5, 1.0, 2.0], tf.float64)), (3, 4)),
    ("Tversky_sum", lambda t, p: losses.Tversky(0.4, 0.6, reduction="sum", axis=-1,
                                                dtype="float64")(t, p), (3, 4)),
    ("Focal_mean_sw", lambda t, p: losses.CategoricalFocalCrossentropy(
        reduction="mean_with_sample_weight", dtype="float64")(
            t, p, sample_weight=tf.constant([1.0, 0.0, 3.0], tf.float64)), (3, 4)),
]


@pytest.mark.parametrize("f,shape", [(f, s) for _, f, s in GRAD_CASES],
                         ids=[n for n, _, _ in GRAD_CASES])
def test_loss_gradients_match_finite_differences(f, shape):
    axis = 1 if len(shape) == 3 and shape[1] == 4 else -1
    probs = np.moveaxis(_probs(np.moveaxis(np.zeros(shape), axis, -1).shape, 1), -1, axis)
    check_grads(f, [_labels(shape, 2), probs], order=2)


def test_new_losses_return_float64_for_float64_inputs():
    t, p = tf.constant(_labels((2, 3), 0)), tf.constant(_probs((2, 3), 1))
    for fn in (losses.dice, losses.tversky, losses.categorical_focal_crossentropy):
        assert fn(t, p).dtype == tf.float64


# -- behaviour that is not a number ------------------------------------------------------------
def test_dice_and_tversky_keep_keras_positional_order():
    assert losses.Dice("sum").reduction == "sum"
    tv = losses.Tversky(0.2, 0.8, "none", "t", -1)
    assert (tv.alpha, tv.beta, tv.reduction, tv.name, tv.axis) == (0.2, 0.8, "none", "t", -1)
    cfc = losses.CategoricalFocalCrossentropy(0.5, 1.0, True, 0.1, 1, "sum", "f")
    assert (cfc.alpha, cfc.gamma, cfc.from_logits, cfc.label_smoothing, cfc.axis,
            cfc.reduction, cfc.name) == (0.5, 1.0, True, 0.1, 1, "sum", "f")


def test_new_losses_and_metrics_are_in_the_name_tables():
    for name in ("Dice", "Tversky", "CategoricalFocalCrossentropy", "dice", "tversky",
                 "categorical_focal_crossentropy"):
        assert name in losses.ALL_OBJECTS_DICT
    for cls in (metrics.R2Score, metrics.IoU, metrics.MeanIoU, metrics.BinaryIoU,
                metrics.OneHotIoU, metrics.OneHotMeanIoU, metrics.PrecisionAtRecall,
                metrics.RecallAtPrecision, metrics.SensitivityAtSpecificity,
                metrics.SpecificityAtSensitivity, metrics.PearsonCorrelation,
                metrics.ConcordanceCorrelation):
        assert metrics.ALL_OBJECTS_DICT[cls.__name__] is cls
        assert metrics.ALL_OBJECTS_DICT[metrics._snake(cls.__name__)] is cls
        assert cls.__module__ == "tapeflow.keras.metrics"
        assert getattr(keras.metrics, cls.__name__) is cls


def test_serialize_deserialize_round_trip():
    for obj in (losses.Tversky(0.3, 0.7, axis=-1), losses.CategoricalFocalCrossentropy(gamma=1.)):
        again = losses.deserialize(losses.serialize(obj))
        assert type(again) is type(obj) and again.get_config() == obj.get_config()
    for obj in (metrics.IoU(3, [1, 2], ignore_class=0), metrics.RecallAtPrecision(0.7, 11),
                metrics.R2Score("variance_weighted_average", 1)):
        again = metrics.deserialize(metrics.serialize(obj))
        assert type(again) is type(obj) and again.get_config() == obj.get_config()


def test_directions_are_up_for_early_stopping():
    for m in (metrics.R2Score(), metrics.MeanIoU(2), metrics.PrecisionAtRecall(0.5),
              metrics.PearsonCorrelation(), metrics.ConcordanceCorrelation()):
        assert m._direction == "up"


def test_r2_adjusted_score_value():
    y_true = np.arange(12, dtype="float32").reshape(6, 2)
    y_pred = y_true + np.array([[0.5, -0.5]] * 6, dtype="float32")
    plain, adjusted = metrics.R2Score(), metrics.R2Score(num_regressors=3)
    for m in (plain, adjusted):
        m.update_state(y_true, y_pred)
    r2, n = float(plain.result()), 12.0  # Keras counts elements, not rows
    assert float(adjusted.result()) == pytest.approx(1 - (1 - r2) * (n - 1) / (n - 3 - 1))


def test_sensitivity_family_bucket_path_counts_a_prediction_above_one_below_the_last():
    plain = metrics.PrecisionAtRecall(0.5, num_thresholds=1)  # the 0.5 threshold, no buckets
    even = metrics.PrecisionAtRecall(0.5, num_thresholds=3)  # thresholds 0, 0.5, 1
    for m in (plain, even):
        m.update_state([1.0, 0.0], [1.5, 0.0])
    assert plain.true_positives.numpy().tolist() == [1.0]
    assert even.true_positives.numpy().tolist() == [1.0, 1.0, 0.0]  # clipped to 1: not > 1
    assert even.false_positives.numpy().tolist() == [0.0, 0.0, 0.0]  # 0 is in no bucket


def test_iou_default_dtype_is_int64_and_results_float32():
    m = metrics.MeanIoU(3)
    assert m.dtype == "int64" and m.total_cm.dtype == tf.int64
    m.update_state([0, 1, 2], [0, 1, 1])
    assert m.result().dtype == tf.float32
    assert metrics.IoU(2, [0], dtype="int").dtype == "int64"


def test_compiled_model_with_new_loss_and_metrics_saves_and_loads(tmp_path):
    keras.utils.clear_session()
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, "softmax")])
    model.compile(optimizer="sgd", loss=losses.CategoricalFocalCrossentropy(gamma=1.0),
                  metrics=[metrics.OneHotMeanIoU(2), metrics.RecallAtPrecision(0.5)])
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    y = np.eye(2, dtype="float32")[np.arange(8) % 2]
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.loss, losses.CategoricalFocalCrossentropy)
    assert loaded.loss.get_config() == model.loss.get_config()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    want = model.evaluate(x, y, verbose=0, return_dict=True)
    got = loaded.evaluate(x, y, verbose=0, return_dict=True)
    assert set(got) == set(want)
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=1e-6)


@pytest.mark.parametrize("multi_label", [False, True])
@pytest.mark.parametrize("thresholds", [[0.0, 0.25, 0.5, 0.75, 1.0],
                                        [-1e-7, 0.25, 0.5, 0.75, 1.0 + 1e-7]])
def test_bucket_path_agrees_with_the_plain_path_inside_the_buckets(multi_label, thresholds):
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, (10, 3)).astype("float32")
    y_pred = rng.uniform(0.01, 0.99, (10, 3)).astype("float32")
    y_pred[np.abs(y_pred[..., None] - np.array([0.25, 0.5, 0.75])).min(-1) < 1e-3] = 0.6
    weights = rng.uniform(0, 2, 10).astype("float32")
    shape = (5, 3) if multi_label else (5,)
    got = []
    for evenly in (False, True):
        variables = {k: tf.Variable(tf.zeros(shape)) for k in ("tp", "fp", "tn", "fn")}
        metrics.update_confusion_matrix_variables(
            variables, y_true, y_pred, thresholds, sample_weight=weights,
            multi_label=multi_label, thresholds_distributed_evenly=evenly)
        got.append({k: v.numpy() for k, v in variables.items()})
    for k in got[0]:
        np.testing.assert_allclose(got[1][k], got[0][k], rtol=1e-6, atol=1e-5)  # tn = sum - fp
