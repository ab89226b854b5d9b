"""keras.optimizers and schedules against goldens recorded with TensorFlow 2.21 / Keras 3."""
import golden_replay as _golden
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.keras import optimizers

# Where tapeflow is deliberately more lenient than Keras 3 (Keras 2 spellings, int rates).
LENIENT = {"optimizers/int_lr", "optimizers/lr_kwarg"}
CASES = [c for c in _golden.cases("optimizers") + _golden.cases("schedules")
         if c["id"] not in LENIENT]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden(case):
    _golden.assert_matches(_golden.run(case["code"]), case["result"], rtol=1e-5, atol=2e-6,
                           where=case["id"])


def test_keras2_spellings_are_accepted():
    assert float(optimizers.SGD(lr=0.1).learning_rate) == pytest.approx(0.1)
    assert float(optimizers.RMSprop(1).learning_rate) == 1.0
    assert float(optimizers.Adam(lr=0.5).lr) == 0.5


def test_get_unknown_name():
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get("rmsprob")


def test_schedule_learning_rate_cannot_be_set():
    opt = optimizers.SGD(optimizers.schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.2


def test_config_round_trip_with_schedule():
    opt = optimizers.Adam(optimizers.schedules.CosineDecay(0.1, 100), beta_1=0.8)
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert isinstance(again, optimizers.Adam) and again.beta_1 == 0.8
    assert isinstance(again._learning_rate, optimizers.schedules.CosineDecay)


def test_exclude_from_weight_decay():
    w, b = tf.Variable([1.0]), tf.Variable([1.0], name="bias")
    opt = optimizers.SGD(0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply_gradients([(tf.constant([0.0]), w), (tf.constant([0.0]), b)])
    np.testing.assert_allclose([w.numpy()[0], b.numpy()[0]], [0.95, 1.0], rtol=1e-6)


def test_missing_gradient_warns_and_updates_the_rest():
    w, b = tf.Variable([1.0]), tf.Variable([1.0])
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        optimizers.SGD(0.5).apply_gradients([(tf.constant([1.0]), w), (None, b)])
    assert w.numpy()[0] == 0.5 and b.numpy()[0] == 1.0


def test_training_loop_converges():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], "float32")
    w = tf.Variable(tf.zeros((3, 1)))
    for opt in (optimizers.Adam(0.1), optimizers.RMSprop(0.05), optimizers.SGD(0.1, momentum=0.5)):
        w.assign(tf.zeros((3, 1)))
        for _ in range(200):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
            opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
        assert float(loss) < 1e-2, type(opt).__name__


def test_legacy_and_experimental_names():
    assert optimizers.legacy.Adam is optimizers.Adam
    assert optimizers.experimental.AdamW is optimizers.AdamW


FITS = _golden.cases("fits")


@pytest.mark.parametrize("case", FITS, ids=[c["id"] for c in FITS])
def test_fit_matches_tensorflow(case):
    """Four epochs of fit from fixed weights: optimizer, loss and metrics as TF computes them."""
    pytest.importorskip("tapeflow.keras.models")
    _golden.assert_matches(_golden.run(case["code"]), case["result"], rtol=2e-5, atol=2e-6,
                           where=case["id"])


def _rmsprop_trajectory(fused, dtype, shape, learning_rate, monkeypatch):
    from tapeflow.keras.optimizers import algorithms
    if not fused:  # the composed formula: what the fused kernel must reproduce bit for bit
        monkeypatch.setattr(algorithms, "_plain", lambda value: False)
    rng = np.random.default_rng(7)
    variable = tf.Variable(rng.standard_normal(shape).astype(dtype))
    opt = optimizers.RMSprop(learning_rate=learning_rate)
    snapshot = variable.value()
    before = snapshot.numpy().copy()
    for _ in range(4):
        opt.apply_gradients([(tf.constant(rng.standard_normal(shape).astype(dtype)), variable)])
    np.testing.assert_array_equal(snapshot.numpy(), before)  # reads stay snapshots
    monkeypatch.undo()
    return variable.numpy(), opt._velocities[0].numpy()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (7,), (5, 3)])
@pytest.mark.parametrize("schedule", [False, True])
def test_fused_rmsprop_step_is_the_composed_formula_bit_for_bit(dtype, shape, schedule,
                                                                monkeypatch):
    def lr():
        return optimizers.schedules.ExponentialDecay(0.01, 3, 0.5) if schedule else 0.01
    fused = _rmsprop_trajectory(True, dtype, shape, lr(), monkeypatch)
    composed = _rmsprop_trajectory(False, dtype, shape, lr(), monkeypatch)
    for a, b in zip(fused, composed):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
