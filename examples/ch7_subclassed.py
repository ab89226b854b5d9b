"""Chollet ch. 7: the ticket model as a subclassed keras.Model, and mixing styles."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers


class CustomerTicketModel(keras.Model):
    def __init__(self, num_departments):
        super().__init__()
        self.concat_layer = layers.Concatenate()
        self.mixing_layer = layers.Dense(16, activation="relu")
        self.priority_scorer = layers.Dense(1, activation="sigmoid")
        self.department_classifier = layers.Dense(num_departments, activation="softmax")

    def call(self, inputs):
        title = inputs["title"]
        text_body = inputs["text_body"]
        tags = inputs["tags"]
        features = self.concat_layer([title, text_body, tags])
        features = self.mixing_layer(features)
        priority = self.priority_scorer(features)
        department = self.department_classifier(features)
        return priority, department


rng = np.random.default_rng(0)
n, vocab, num_tags = 64, 100, 10
data = {"title": rng.integers(0, 2, (n, vocab)), "text_body": rng.integers(0, 2, (n, vocab)),
        "tags": rng.integers(0, 2, (n, num_tags))}
priority_data = rng.random((n, 1))
department_data = rng.integers(0, 2, (n, 4))

model = CustomerTicketModel(num_departments=4)
priority, department = model(data)
print(priority.shape, department.shape)
model.compile(optimizer="rmsprop", loss=["mean_squared_error", "categorical_crossentropy"],
              metrics=[["mean_absolute_error"], ["accuracy"]])
model.fit(data, [priority_data, department_data], epochs=1, verbose=0)
print(len(model.evaluate(data, [priority_data, department_data], verbose=0)))
priority_preds, department_preds = model.predict(data, verbose=0)
print(priority_preds.shape, department_preds.shape)
print(len(model.layers), len(model.trainable_weights))


class Classifier(keras.Model):
    def __init__(self, num_classes=2):
        super().__init__()
        if num_classes == 2:
            num_units, activation = 1, "sigmoid"
        else:
            num_units, activation = num_classes, "softmax"
        self.dense = layers.Dense(num_units, activation=activation)

    def call(self, inputs):
        return self.dense(inputs)


inputs = keras.Input(shape=(3,))
features = layers.Dense(64, activation="relu")(inputs)
outputs = Classifier(num_classes=10)(features)
model = keras.Model(inputs=inputs, outputs=outputs)
print(model(np.ones((2, 3))).shape)

inputs = keras.Input(shape=(64,))
outputs = layers.Dense(1, activation="sigmoid")(inputs)
binary_classifier = keras.Model(inputs=inputs, outputs=outputs)


class MyModel(keras.Model):
    def __init__(self, num_classes=2):
        super().__init__()
        self.dense = layers.Dense(64, activation="relu")
        self.classifier = binary_classifier

    def call(self, inputs):
        return self.classifier(self.dense(inputs))


model = MyModel()
print(model(np.ones((2, 3))).shape)
