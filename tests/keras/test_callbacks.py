"""keras.callbacks against goldens recorded with TensorFlow 2.21 / Keras 3, plus behaviour tests."""
import io
import sys

import golden_replay as _golden
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.keras import callbacks, optimizers
from tapeflow.keras.utils import progbar

CASES = _golden.cases("callbacks") + _golden.cases("progbar_logger")


@pytest.fixture(autouse=True)
def _colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden(case):
    _golden.assert_matches(_golden.run(case["code"]), case["result"], where=case["id"])


class FakeModel:
    def __init__(self):
        self.stop_training = False
        self.optimizer = optimizers.SGD(0.5)
        self.metrics = []

    def get_weights(self):
        return []

    def set_weights(self, weights):
        pass


def test_every_hook_is_forwarded_with_python_floats():
    calls = []

    class Spy(callbacks.Callback):
        def __getattribute__(self, name):
            attr = super().__getattribute__(name)
            if name.startswith("on_"):
                def spy(*args, **kwargs):
                    calls.append((name, args + tuple(kwargs.values())))
                    return attr(*args, **kwargs)
                return spy
            return attr

    hooks = callbacks.CallbackList([Spy()], model=FakeModel(), epochs=1, steps=1, verbose=0)
    hooks.on_train_begin()
    hooks.on_epoch_begin(0)
    hooks.on_train_batch_begin(0)
    hooks.on_train_batch_end(0, {"loss": tf.constant(0.5)})
    hooks.on_epoch_end(0, {"loss": np.float32(0.5)})
    hooks.on_train_end()
    for kind in ("test", "predict"):
        getattr(hooks, f"on_{kind}_begin")()
        getattr(hooks, f"on_{kind}_batch_begin")(0)
        getattr(hooks, f"on_{kind}_batch_end")(0, {})
        getattr(hooks, f"on_{kind}_end")()
    names = [n for n, _ in calls]
    assert names[:8] == ["on_train_begin", "on_epoch_begin", "on_train_batch_begin",
                         "on_batch_begin", "on_train_batch_end", "on_batch_end", "on_epoch_end",
                         "on_train_end"]
    assert "on_predict_batch_end" in names and "on_test_end" in names
    loss = dict(calls)["on_epoch_end"][1]["loss"]
    assert type(loss) is float


def test_unbalanced_end_raises():
    with pytest.raises(ValueError, match="without corresponding"):
        callbacks.CallbackList().on_train_end()


def test_history_plot(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    history = callbacks.History()
    history.on_train_begin()
    for epoch, (loss, acc) in enumerate([(1.0, 0.5), (0.5, 0.7)]):
        history.on_epoch_end(epoch, {"loss": loss, "accuracy": acc, "val_loss": loss + 0.1,
                                     "val_accuracy": acc - 0.1})
    fig = history.plot()
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    assert len(fig.axes[0].lines) == 2
    fig.savefig(tmp_path / "curves.png")
    assert "matplotlib" in sys.modules


def test_progbar_logger_in_a_pipe_prints_plain_lines(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(progbar.time, "time", lambda: clock[0])
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    hooks = callbacks.CallbackList([], add_progbar=True, model=FakeModel(), verbose=1, epochs=2,
                                   steps=3)
    hooks.on_train_begin()
    for epoch in range(2):
        hooks.on_epoch_begin(epoch)
        for batch in range(3):
            clock[0] += 0.1
            hooks.on_train_batch_end(batch, {"loss": 0.5})
        hooks.on_epoch_end(epoch, {"loss": 0.5, "val_loss": 0.25})
    hooks.on_train_end()
    text = out.getvalue()
    assert "\r" not in text and "\b" not in text and "\x1b" not in text
    assert text.splitlines() == [
        "Epoch 1/2", "3/3 ━━━━━━━━━━━━━━━━━━━━ 0s 100ms/step - loss: 0.5000 - val_loss: 0.2500",
        "Epoch 2/2", "3/3 ━━━━━━━━━━━━━━━━━━━━ 0s 100ms/step - loss: 0.5000 - val_loss: 0.2500"]


def test_lambda_callback_accepts_keras2_hooks():
    seen = []
    cb = callbacks.LambdaCallback(on_batch_end=lambda batch, logs: seen.append(batch))
    hooks = callbacks.CallbackList([cb])
    hooks.on_train_batch_end(3, {})
    assert seen == [3]


def test_terminate_on_nan_can_raise():
    cb = callbacks.TerminateOnNaN(raise_error=True)
    with pytest.raises(RuntimeError, match="NaN or Inf loss"):
        cb.on_batch_end(0, {"loss": float("inf")})


def test_reduce_lr_uses_metric_direction_from_model_metrics():
    from tapeflow.keras import metrics
    model = FakeModel()
    model.metrics = [metrics.AUC(name="auc")]
    cb = callbacks.ReduceLROnPlateau(monitor="val_auc", patience=0, factor=0.5)
    cb.set_model(model)
    cb.on_train_begin()
    for epoch, auc in enumerate([0.5, 0.6, 0.55]):
        cb.on_epoch_end(epoch, {"val_auc": auc})
    assert float(model.optimizer.learning_rate) == pytest.approx(0.25)


def _small_model():
    keras = pytest.importorskip("tapeflow.keras")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.SGD(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    return model, x, y


def test_fit_drives_the_callbacks(tmp_path):
    model, x, y = _small_model()
    log = tmp_path / "log.csv"
    seen = []
    cbs = [callbacks.CSVLogger(str(log)),
           callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5),
           callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(sorted(logs)))]
    history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0,
                        callbacks=cbs)
    assert history.epoch == [0, 1, 2]
    assert sorted(history.history) == ["accuracy", "learning_rate", "loss", "val_accuracy",
                                       "val_loss"]
    np.testing.assert_allclose(history.history["learning_rate"], [0.025, 0.0125, 0.00625],
                               rtol=1e-6)
    # CSVLogger runs before the scheduler adds learning_rate to the logs (list order, as Keras).
    assert log.read_text().splitlines()[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    assert len(seen) == 3


def test_early_stopping_restores_best_weights_in_fit():
    model, x, y = _small_model()
    stopper = callbacks.EarlyStopping(monitor="loss", patience=0, restore_best_weights=True)
    # A learning rate so large that the loss gets worse after the first epoch.
    model.optimizer.learning_rate = 50.0
    best = []

    class Snapshot(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if stopper.best == logs["loss"]:
                best[:] = [w.copy() for w in self.model.get_weights()]

    model.fit(x, y, epochs=20, batch_size=64, verbose=0, callbacks=[stopper, Snapshot()])
    assert stopper.stopped_epoch > 0
    for got, want in zip(model.get_weights(), best):
        np.testing.assert_array_equal(got, want)


def test_terminate_on_nan_stops_fit():
    model, x, y = _small_model()
    x = x.copy()
    x[5, 0] = np.nan
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0,
                        callbacks=[callbacks.TerminateOnNaN()])
    assert len(history.epoch) == 1
