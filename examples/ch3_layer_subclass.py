"""Chollet ch. 3: a Layer subclass with build/add_weight, a raw GradientTape linear classifier,
and compile/fit/predict with validation_data. Unchanged TensorFlow code: run it with
``tapeflow run examples/ch3_layer_subclass.py`` (or with real TensorFlow)."""
import numpy as np
import tensorflow as tf
from tensorflow import keras


class SimpleDense(keras.layers.Layer):
    def __init__(self, units, activation=None):
        super().__init__()
        self.units = units
        self.activation = activation

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.W = self.add_weight(shape=(input_dim, self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        y = tf.matmul(inputs, self.W) + self.b
        if self.activation is not None:
            y = self.activation(y)
        return y


my_dense = SimpleDense(units=32, activation=tf.nn.relu)
input_tensor = tf.ones(shape=(2, 784))
output_tensor = my_dense(input_tensor)
print(output_tensor.shape)
print(len(my_dense.weights), my_dense.weights[0].shape)

# The linear classifier of chapter 3, trained with a hand-written loop.
num_samples_per_class = 500
rng = np.random.default_rng(0)
negative_samples = rng.multivariate_normal(mean=[0, 3], cov=[[1, 0.5], [0.5, 1]],
                                           size=num_samples_per_class)
positive_samples = rng.multivariate_normal(mean=[3, 0], cov=[[1, 0.5], [0.5, 1]],
                                           size=num_samples_per_class)
inputs = np.vstack((negative_samples, positive_samples)).astype(np.float32)
targets = np.vstack((np.zeros((num_samples_per_class, 1), dtype="float32"),
                     np.ones((num_samples_per_class, 1), dtype="float32")))
W = tf.Variable(initial_value=tf.random.uniform(shape=(2, 1), seed=1))
b = tf.Variable(initial_value=tf.zeros(shape=(1,)))


def training_step(inputs, targets):
    with tf.GradientTape() as tape:
        predictions = tf.matmul(inputs, W) + b
        loss = tf.reduce_mean(tf.square(targets - predictions))
    grad_loss_wrt_W, grad_loss_wrt_b = tape.gradient(loss, [W, b])
    W.assign_sub(grad_loss_wrt_W * 0.1)
    b.assign_sub(grad_loss_wrt_b * 0.1)
    return loss


for step in range(40):
    loss = training_step(inputs, targets)
print(f"Loss at step 39: {loss:.4f}")
predictions = tf.matmul(inputs, W) + b
accuracy = float(np.mean((predictions.numpy() > 0.5) == targets))
print(f"linear classifier accuracy: {accuracy:.2f}")
assert accuracy > 0.9

# The same problem through compile/fit with a validation set.
model = keras.Sequential([keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
              loss=keras.losses.MeanSquaredError(),
              metrics=[keras.metrics.BinaryAccuracy()])
indices_permutation = np.random.default_rng(1).permutation(len(inputs))
shuffled_inputs = inputs[indices_permutation]
shuffled_targets = targets[indices_permutation]
num_validation_samples = int(0.3 * len(inputs))
val_inputs = shuffled_inputs[:num_validation_samples]
val_targets = shuffled_targets[:num_validation_samples]
training_inputs = shuffled_inputs[num_validation_samples:]
training_targets = shuffled_targets[num_validation_samples:]
history = model.fit(training_inputs, training_targets, epochs=5, batch_size=16,
                    validation_data=(val_inputs, val_targets), verbose=0)
print(sorted(history.history))
loss_and_metrics = model.evaluate(val_inputs, val_targets, batch_size=128, verbose=0)
print(len(loss_and_metrics))
# RMSprop(0.1) oscillates (the book shows 0.985, 1.0, 0.997, 0.988, 0.953): judge the best epoch.
print("best val binary_accuracy > 0.9:", max(history.history["val_binary_accuracy"]) > 0.9)
predictions = model.predict(val_inputs, batch_size=128, verbose=0)
print(predictions.shape, predictions.dtype)
