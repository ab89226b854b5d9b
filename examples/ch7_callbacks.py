"""Chollet ch. 7: EarlyStopping (restore_best_weights) and a custom callback."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers


class LossHistory(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.per_batch_losses = []
        self.epoch_ends = []

    def on_batch_end(self, batch, logs=None):
        self.per_batch_losses.append(logs.get("loss"))

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_ends.append((epoch, sorted(logs)))


rng = np.random.default_rng(0)
x = rng.random((256, 20)).astype("float32")
y = (x[:, :10].sum(axis=1) > x[:, 10:].sum(axis=1)).astype("int64")
train_x, val_x, train_y, val_y = x[:192], x[192:], y[:192], y[192:]

model = keras.Sequential([layers.Dense(32, activation="relu"), layers.Dense(2, activation="softmax")])
model.compile(optimizer=keras.optimizers.RMSprop(1.0), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
callbacks_list = [
    keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=2,
                                  restore_best_weights=True),
    LossHistory(),
]
history = model.fit(train_x, train_y, epochs=30, batch_size=32, callbacks=callbacks_list,
                    validation_data=(val_x, val_y), verbose=0)
print("stopped early:", len(history.epoch) < 30)
print(len(callbacks_list[1].per_batch_losses) == 6 * len(history.epoch))
print(callbacks_list[1].epoch_ends[0])
