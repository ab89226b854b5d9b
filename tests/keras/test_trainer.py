"""The training loop: compile/fit/evaluate/predict over every data kind, and overrides."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers


@pytest.fixture(autouse=True)
def fresh():
    keras.backend.clear_session()
    np.random.seed(0)
    yield


def blobs(n=256, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    centers = rng.normal(0, 3, (classes, 4))
    x = (centers[y] + rng.normal(0, 0.5, (n, 4))).astype("float32")
    return x, y.astype("int64")


def classifier(classes=3, lr=0.01):
    model = keras.Sequential([layers.Dense(16, activation="relu"),
                              layers.Dense(classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.RMSprop(lr),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_fit_learns_and_history_keys():
    x, y = blobs()
    model = classifier()
    history = model.fit(x, y, epochs=5, batch_size=32, verbose=0, validation_split=0.25)
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.epoch == [0, 1, 2, 3, 4]
    assert history.history["accuracy"][-1] > 0.9
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(isinstance(v, float) for v in history.history["loss"])


def test_evaluate_float_list_dict():
    x, y = blobs()
    model = classifier()
    model.fit(x, y, epochs=1, verbose=0)
    loss, acc = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float) and 0 <= acc <= 1
    d = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(d) == ["accuracy", "loss"] and d["loss"] == pytest.approx(loss)
    plain = keras.Sequential([layers.Dense(1)])
    plain.compile(optimizer="sgd", loss="mse")
    assert isinstance(plain.evaluate(x, x[:, :1], verbose=0), float)


def test_predict_numpy_batched_and_small_batch():
    x, _ = blobs(70)
    model = classifier()
    out = model.predict(x, batch_size=32, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (70, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out, model(x), rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x[:2]), out[:2], rtol=1e-6)


@pytest.mark.parametrize("loss,y_shape,classes,expected", [
    ("sparse_categorical_crossentropy", (8,), 3, "sparse_categorical_accuracy"),
    ("categorical_crossentropy", (8, 3), 3, "categorical_accuracy"),
    ("binary_crossentropy", (8, 1), 1, "binary_accuracy"),
])
def test_accuracy_resolves_from_shapes(loss, y_shape, classes, expected):
    model = keras.Sequential([layers.Dense(classes, activation="sigmoid" if classes == 1
                                           else "softmax")])
    model.compile(optimizer="sgd", loss=loss, metrics=["acc"])
    rng = np.random.default_rng(0)
    y = rng.integers(0, max(classes, 2), y_shape[0])
    y = np.eye(3)[y] if len(y_shape) == 2 and classes == 3 else y.reshape(y_shape)
    logs = model.fit(rng.random((8, 4)), y, epochs=1, verbose=0).history
    assert "acc" in logs
    fn = model._compile_metrics.metrics[0]._fn
    assert fn.__name__ == expected


def test_multi_output_lists_dicts_and_keys():
    title, body = keras.Input((3,), name="title"), keras.Input((4,), name="body")
    h = layers.Dense(8, activation="relu")(layers.Concatenate()([title, body]))
    model = keras.Model([title, body], [layers.Dense(1, name="priority")(h),
                                        layers.Dense(5, activation="softmax", name="dept")(h)])
    rng = np.random.default_rng(0)
    xs = [rng.random((20, 3)), rng.random((20, 4))]
    ys = [rng.random((20, 1)), rng.integers(0, 5, 20)]
    model.compile(optimizer="rmsprop", loss=["mse", "sparse_categorical_crossentropy"],
                  metrics=[["mae"], ["accuracy"]], loss_weights=[1.0, 0.5])
    logs = model.fit(xs, ys, epochs=1, verbose=0, validation_data=(xs, ys)).history
    assert list(logs) == ["dept_accuracy", "dept_loss", "loss", "priority_loss", "priority_mae",
                          "val_dept_accuracy", "val_dept_loss", "val_loss",
                          "val_priority_loss", "val_priority_mae"]
    result = model.evaluate(xs, ys, verbose=0)
    assert len(result) == 5
    model.compile(optimizer="rmsprop",
                  loss={"priority": "mse", "dept": "sparse_categorical_crossentropy"},
                  metrics={"priority": ["mae"], "dept": ["accuracy"]})
    model.fit({"title": xs[0], "body": xs[1]}, {"priority": ys[0], "dept": ys[1]}, epochs=1,
              verbose=0)
    assert model.metrics_names == ["loss", "compile_metrics", "priority_loss", "dept_loss"]


def test_generator_iterable_and_dataset():
    x, y = blobs(96)
    model = classifier()

    def gen():
        while True:
            for i in range(0, 96, 32):
                yield x[i:i + 32], y[i:i + 32]
    h = model.fit(gen(), steps_per_epoch=3, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2
    batches = [(x[i:i + 32], y[i:i + 32]) for i in range(0, 96, 32)]
    model.fit(batches, epochs=2, verbose=0)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    model.fit(ds, epochs=2, verbose=0, validation_data=ds)
    assert len(model.evaluate(ds, verbose=0)) == 2
    assert model.predict(ds.map(lambda a, b: a), verbose=0).shape == (96, 3)


def test_sample_and_class_weight_and_initial_epoch():
    x, y = blobs(64)
    model = classifier()
    model.fit(x, y, sample_weight=np.ones(64), epochs=1, verbose=0)
    h = model.fit(x, y, class_weight={0: 1.0, 1: 2.0, 2: 0.5}, epochs=3, initial_epoch=1,
                  verbose=0)
    assert h.epoch == [1, 2]
    h = model.fit(x, y, epochs=1, steps_per_epoch=1, batch_size=16, verbose=0)
    assert len(h.history["loss"]) == 1


def test_on_batch_methods():
    x, y = blobs(32)
    model = classifier()
    loss, acc = model.train_on_batch(x, y)
    assert np.ndim(loss) == 0 and 0 <= float(acc) <= 1
    d = model.test_on_batch(x, y, return_dict=True)
    assert sorted(d) == ["accuracy", "loss"]


def test_stop_training_and_callbacks():
    x, y = blobs(64)
    model = classifier()

    class Stop(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.seen = logs
            if epoch == 1:
                self.model.stop_training = True
    stop = Stop()
    h = model.fit(x, y, epochs=10, verbose=0, callbacks=[stop])
    assert h.epoch == [0, 1] and "loss" in stop.seen


def test_train_step_test_step_override_with_metrics_property():
    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)
            self.loss_tracker = keras.metrics.Mean(name="loss")

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self(x, training=True) - y))
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            self.loss_tracker.update_state(loss)
            return {"loss": self.loss_tracker.result()}

        def test_step(self, data):
            x, y = data
            self.loss_tracker.update_state(tf.reduce_mean(tf.square(self(x) - y)))
            return {"loss": self.loss_tracker.result()}

        @property
        def metrics(self):
            return [self.loss_tracker]

    rng = np.random.default_rng(0)
    x = rng.random((64, 2)).astype("float32")
    y = x @ np.array([[1.0], [-2.0]], "float32")
    model = Custom()
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    h = model.fit(x, y, epochs=5, verbose=0)
    assert list(h.history) == ["loss"] and h.history["loss"][-1] < h.history["loss"][0]
    assert isinstance(model.evaluate(x, y, verbose=0), float)


def test_keras2_compiled_loss_and_metrics_in_train_step():
    class Old(keras.Sequential):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            self.compiled_metrics.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics if m.name != "compile_metrics"}
    x, y = blobs(64)
    model = Old([layers.Dense(3, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=1, verbose=0)


def test_compute_loss_override_and_regularization():
    class Weighted(keras.Sequential):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                         training=True):
            return 2.0 * super().compute_loss(x, y, y_pred, sample_weight)
    x, y = blobs(32)
    model = Weighted([layers.Dense(3, activation="softmax",
                                   kernel_regularizer=keras.regularizers.l2(0.01))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    h = model.fit(x, y, epochs=1, verbose=0, shuffle=False)
    assert h.history["loss"][0] > 0


def test_fit_requires_compile():
    with pytest.raises(ValueError, match="compile"):
        keras.Sequential([layers.Dense(1)]).fit(np.ones((2, 2)), np.ones((2, 1)), verbose=0)


# -- goldens recorded from real Keras 3 (tests/golden/keras_models/record_keras.py) ------------
GOLDEN_DIR = __import__("pathlib").Path(__file__).resolve().parents[1] / "golden" / "keras_models"
__import__("sys").path.insert(0, str(GOLDEN_DIR))
import model_cases as cases

GOLDEN = __import__("json").loads((GOLDEN_DIR / "keras_models.json").read_text())["training"]


@pytest.mark.parametrize("index", range(len(GOLDEN)))
def test_history_keys_and_evaluate_shapes_match_keras(index):
    name, model, compile_kwargs, (x, y), fit_kwargs = cases.training_cases(keras)[index]
    want = GOLDEN[name]
    model.compile(**compile_kwargs)
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0, **fit_kwargs)
    assert list(history.history) == want["history_keys"]
    assert history.epoch == want["epoch"]
    assert {k: history.params[k] for k in want["params"]} == want["params"]
    result = model.evaluate(x, y, verbose=0)
    as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
    assert type(result).__name__ == want["evaluate_type"]
    assert list(as_dict) == want["evaluate_dict_keys"]
    if isinstance(result, list):
        assert result == [as_dict[k] for k in want["evaluate_order"]]
    assert model.metrics_names == want["metrics_names"]


def test_set_random_seed_makes_fit_bit_identical():
    def run():
        keras.utils.set_random_seed(7)
        x, y = blobs(64)
        model = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dropout(0.5),
                                  layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        return model.get_weights()
    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)


def test_fit_on_tensors_and_repeated_dataset():
    x, y = blobs(64)
    model = classifier()
    model.fit(tf.constant(x), tf.constant(y), epochs=1, verbose=0)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16).repeat()
    h = model.fit(ds, epochs=2, steps_per_epoch=3, verbose=0)
    assert len(h.history["loss"]) == 2


def test_fit_resumes_from_initial_epoch_and_step_hooks():
    x, y = blobs(64)
    model = classifier()
    seen = []

    class Resume(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.model._initial_epoch, self.model._initial_step = 1, 2

        def on_train_batch_begin(self, batch, logs=None):
            seen.append(batch)
    h = model.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[Resume()])
    assert h.epoch == [1, 2] and seen == [2, 3, 0, 1, 2, 3]
