"""Chollet ch. 7: a custom Metric (RMSE) in compile, on MNIST-shaped random data."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


def get_mnist_model():
    inputs = keras.Input(shape=(28 * 28,))
    features = layers.Dense(64, activation="relu")(inputs)
    features = layers.Dropout(0.5)(features)
    outputs = layers.Dense(10, activation="softmax")(features)
    return keras.Model(inputs, outputs)


class RootMeanSquaredError(keras.metrics.Metric):
    def __init__(self, name="rmse", **kwargs):
        super().__init__(name=name, **kwargs)
        self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
        self.total_samples = self.add_weight(name="total_samples", initializer="zeros",
                                             dtype="int32")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = tf.one_hot(y_true, depth=tf.shape(y_pred)[1])
        mse = tf.reduce_sum(tf.square(y_true - y_pred))
        self.mse_sum.assign_add(mse)
        num_samples = tf.shape(y_pred)[0]
        self.total_samples.assign_add(num_samples)

    def result(self):
        return tf.sqrt(self.mse_sum / tf.cast(self.total_samples, tf.float32))

    def reset_state(self):
        self.mse_sum.assign(0.0)
        self.total_samples.assign(0)


rng = np.random.default_rng(0)
images = rng.random((512, 28 * 28)).astype("float32")
labels = rng.integers(0, 10, 512).astype("uint8")
train_images, val_images = images[:384], images[384:]
train_labels, val_labels = labels[:384], labels[384:]

model = get_mnist_model()
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
              metrics=["accuracy", RootMeanSquaredError()])
history = model.fit(train_images, train_labels, epochs=2, verbose=0,
                    validation_data=(val_images, val_labels))
print(sorted(history.history))
test_metrics = model.evaluate(val_images, val_labels, verbose=0)
print(len(test_metrics))
assert 0.5 < test_metrics[2] < 1.5, test_metrics
