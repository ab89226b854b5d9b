"""fit's shortcuts change nothing a user can see.

fit skips computing per-batch metric results when no callback reads them, reads the model's
trainable weights and loss sources once per epoch, and updates the compiled metrics before the
gradient (they depend on y_pred only). These tests pin that History, per-batch logs, frozen
layers and add_loss/regularizer losses come out as with Keras's plain order of work.
"""
import numpy as np

import tapeflow as tf
from tapeflow import keras


def data(n=96, d=5, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, d), dtype=np.float32), rng.integers(0, classes, n)


def model(seed=0, regularize=False):
    keras.utils.set_random_seed(seed)
    reg = keras.regularizers.l2(0.01) if regularize else None
    m = keras.Sequential([keras.layers.Dense(8, activation="relu", kernel_regularizer=reg),
                          keras.layers.Dense(3, activation="softmax")])
    m.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
    return m


class KerasOrder(keras.Sequential):
    """compute_metrics overridden (to itself): the trainer keeps Keras's order of work and
    computes every batch's results."""

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        return super().compute_metrics(x, y, y_pred, sample_weight)


def keras_order_model(seed=0, regularize=False):
    keras.utils.set_random_seed(seed)
    reg = keras.regularizers.l2(0.01) if regularize else None
    m = KerasOrder([keras.layers.Dense(8, activation="relu", kernel_regularizer=reg),
                    keras.layers.Dense(3, activation="softmax")])
    m.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
    return m


def test_history_is_the_same_with_and_without_the_shortcuts():
    x, y = data()
    fast = model().fit(x, y, batch_size=16, epochs=3, verbose=0).history
    plain = keras_order_model().fit(x, y, batch_size=16, epochs=3, verbose=0).history
    assert fast == plain


def test_regularized_losses_are_the_same_through_the_epoch_plan():
    x, y = data()
    fast = model(regularize=True).fit(x, y, batch_size=16, epochs=2, verbose=0).history
    plain = keras_order_model(regularize=True).fit(x, y, batch_size=16, epochs=2,
                                                   verbose=0).history
    assert fast == plain


def test_no_per_batch_results_are_computed_when_no_callback_reads_them(monkeypatch):
    x, y = data()
    m = model()
    calls = []
    mean_result = keras.metrics.Mean.result
    monkeypatch.setattr(keras.metrics.Mean, "result",
                        lambda self: calls.append(self.name) or mean_result(self))
    m.fit(x, y, batch_size=16, epochs=2, verbose=0)  # 6 steps per epoch
    assert sorted(calls) == ["accuracy", "accuracy", "loss", "loss"]  # once per epoch


def test_a_callback_reading_batch_logs_gets_them():
    x, y = data()
    seen = []
    cb = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(logs))
    history = model().fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[cb])
    assert len(seen) == 6 and all(set(logs) == {"loss", "accuracy"} for logs in seen)
    assert seen[-1]["loss"] == history.history["loss"][0]
    assert seen[-1]["accuracy"] == history.history["accuracy"][0]


def test_a_layer_frozen_mid_epoch_stops_training_from_the_next_step():
    x, y = data()
    m = model()
    seen = []

    class Freeze(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(self.model.layers[0].kernel.numpy())
            if batch == 1:
                self.model.layers[0].trainable = False

    m.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[Freeze()])
    assert not np.array_equal(seen[0], seen[1])  # trained by the second step
    for later in seen[2:]:  # frozen after it: the very next step leaves it alone
        np.testing.assert_array_equal(later, seen[1])


def test_batch_logs_are_computed_after_the_optimizer_step():
    x, y = data()

    class Logged(keras.Sequential):
        def get_metrics_result(self):
            out = super().get_metrics_result()
            out["step"] = int(self.optimizer.iterations)
            return out

    keras.utils.set_random_seed(0)
    m = Logged([keras.layers.Dense(3, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    steps = []
    cb = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: steps.append(
        logs["step"]))
    m.fit(x[:64], y[:64], batch_size=16, epochs=1, verbose=0, callbacks=[cb])
    assert steps == [1, 2, 3, 4]  # Keras: results after apply_gradients


def test_a_layer_frozen_by_a_callback_stays_frozen_from_the_next_epoch():
    x, y = data()
    m = model()

    class Freeze(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 0:
                self.model.layers[0].trainable = False
                self.kernel = m.layers[0].kernel.numpy()

    freeze = Freeze()
    m.fit(x, y, batch_size=16, epochs=3, verbose=0, callbacks=[freeze])
    np.testing.assert_array_equal(m.layers[0].kernel.numpy(), freeze.kernel)


def test_train_step_called_directly_still_returns_the_logs():
    x, y = data()
    m = model()
    m.fit(x, y, batch_size=16, epochs=1, verbose=0)
    logs = m.train_step((tf.constant(x[:16]), tf.constant(y[:16])))
    assert set(logs) == {"loss", "accuracy"}


def test_piped_progress_line_keeps_training_metrics_before_validation(capsys):
    x, y = data()
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.layers.Dense(3, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
              metrics=[keras.metrics.SparseCategoricalAccuracy(name="zacc")])
    m.fit(x, y, batch_size=32, epochs=1, verbose=1, validation_data=(x, y))
    line = [ln for ln in capsys.readouterr().out.splitlines() if "val_loss" in ln][0]
    names = [part.split(":")[0].strip() for part in line.split(" - ") if ":" in part]
    assert names == ["loss", "zacc", "val_loss", "val_zacc"]


def test_regularizers_count_for_trainable_weights_only():
    keras.utils.clear_session()
    dense = keras.layers.Dense(3, kernel_regularizer=keras.regularizers.l2(10.0))
    m = keras.Sequential([keras.Input((5,)), dense])
    assert len(m.losses) == 1
    dense.trainable = False  # Keras 3: a frozen weight's penalty is not in model.losses
    assert len(m.losses) == 0


def test_a_regularizer_attached_during_fit_counts_from_then_on():
    x, y = data()
    m = model()

    class Attach(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 0:
                self.model.layers[0].kernel.regularizer = keras.regularizers.l2(100.0)

    losses = m.fit(x, y, batch_size=16, epochs=2, verbose=0,
                   callbacks=[Attach()]).history["loss"]
    assert losses[1] > 10 * losses[0]  # the penalty is in the second epoch's loss
