"""Chollet ch. 7: overriding train_step (with a metrics property) and test_step, then fit."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

loss_fn = keras.losses.SparseCategoricalCrossentropy()
loss_tracker = keras.metrics.Mean(name="loss")


class CustomModel(keras.Model):
    def train_step(self, data):
        inputs, targets = data
        with tf.GradientTape() as tape:
            predictions = self(inputs, training=True)
            loss = loss_fn(targets, predictions)
        gradients = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        loss_tracker.update_state(loss)
        return {"loss": loss_tracker.result()}

    @property
    def metrics(self):
        return [loss_tracker]


def get_model():
    inputs = keras.Input(shape=(28 * 28,))
    features = layers.Dense(64, activation="relu")(inputs)
    features = layers.Dropout(0.5)(features)
    outputs = layers.Dense(10, activation="softmax")(features)
    return inputs, outputs


rng = np.random.default_rng(0)
train_images = rng.random((256, 28 * 28)).astype("float32")
train_labels = rng.integers(0, 10, 256).astype("uint8")

inputs, outputs = get_model()
model = CustomModel(inputs, outputs)
model.compile(optimizer=keras.optimizers.RMSprop())
history = model.fit(train_images, train_labels, epochs=3, verbose=0)
print(list(history.history), len(history.history["loss"]))


class CustomModel2(keras.Model):
    def train_step(self, data):
        inputs, targets = data
        with tf.GradientTape() as tape:
            predictions = self(inputs, training=True)
            loss = self.compute_loss(y=targets, y_pred=predictions)
        gradients = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(targets, predictions)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        inputs, targets = data
        predictions = self(inputs, training=False)
        loss = self.compute_loss(y=targets, y_pred=predictions)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(targets, predictions)
        return {m.name: m.result() for m in self.metrics}


inputs, outputs = get_model()
model = CustomModel2(inputs, outputs)
model.compile(optimizer=keras.optimizers.RMSprop(),
              loss=keras.losses.SparseCategoricalCrossentropy(),
              metrics=[keras.metrics.SparseCategoricalAccuracy()])
history = model.fit(train_images, train_labels, epochs=2, verbose=0,
                    validation_data=(train_images[:64], train_labels[:64]))
print(sorted(history.history))
print(sorted(model.evaluate(train_images, train_labels, verbose=0, return_dict=True)))
