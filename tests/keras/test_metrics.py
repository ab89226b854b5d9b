"""keras.metrics against goldens recorded with TensorFlow 2.21 / Keras 3, plus behaviour tests."""
import golden_replay as _golden
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.keras import metrics

CASES = _golden.cases("metrics")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden(case):
    _golden.assert_matches(_golden.run(case["code"]), case["result"], rtol=2e-5, atol=1e-6,
                           where=case["id"])


def test_state_lives_in_variables_and_resets():
    m = metrics.Mean()
    m.update_state([1.0, 2.0])
    assert all(isinstance(v, tf.Variable) and not v.trainable for v in m.variables)
    m.reset_state()
    assert float(m.result()) == 0.0


def test_custom_metric_must_call_super():
    class Broken(metrics.Metric):
        def __init__(self):
            self.total = self.add_weight(name="total")

    with pytest.raises(RuntimeError, match="super"):
        Broken()


def test_keras2_add_weight_name_first():
    class M(metrics.Metric):
        def __init__(self):
            super().__init__(name="m")
            self.total = self.add_weight("total", initializer="zeros")

    assert M().total.shape == ()


def test_get_unknown_metric():
    with pytest.raises(ValueError, match="Unknown metric"):
        metrics.get("acuracy")


def test_in_top_k_ties_and_non_finite():
    preds = tf.constant([[0.5, 0.5, 0.1], [np.inf, 0.2, 0.1]])
    got = metrics.in_top_k(tf.constant([1, 1]), preds, 1).numpy()
    assert got.tolist() == [True, False]


def test_auc_multi_label():
    m = metrics.AUC(multi_label=True)
    y_true = np.array([[0, 1], [1, 0], [1, 1]])
    m.update_state(y_true, np.array([[0.1, 0.9], [0.8, 0.3], [0.6, 0.7]], "float32"))
    assert float(m.result()) == pytest.approx(1.0)


@pytest.mark.parametrize("metric", [metrics.BinaryAccuracy(threshold=0.3), metrics.AUC(
    num_thresholds=11, curve="PR"), metrics.Precision(thresholds=[0.2, 0.7]),
    metrics.TopKCategoricalAccuracy(k=2), metrics.Mean(name="avg")])
def test_config_round_trip(metric):
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is type(metric)
    assert again.get_config() == metric.get_config()
