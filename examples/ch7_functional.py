"""Chollet ch. 7: a functional model with several inputs and outputs (the ticket model),
trained with lists and with dicts of losses and metrics."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

vocabulary_size = 100
num_tags = 10
num_departments = 4

title = keras.Input(shape=(vocabulary_size,), name="title")
text_body = keras.Input(shape=(vocabulary_size,), name="text_body")
tags = keras.Input(shape=(num_tags,), name="tags")
features = layers.Concatenate()([title, text_body, tags])
features = layers.Dense(16, activation="relu")(features)
priority = layers.Dense(1, activation="sigmoid", name="priority")(features)
department = layers.Dense(num_departments, activation="softmax", name="department")(features)
model = keras.Model(inputs=[title, text_body, tags], outputs=[priority, department])
model.summary()

num_samples = 64
rng = np.random.default_rng(0)
title_data = rng.integers(0, 2, size=(num_samples, vocabulary_size))
text_body_data = rng.integers(0, 2, size=(num_samples, vocabulary_size))
tags_data = rng.integers(0, 2, size=(num_samples, num_tags))
priority_data = rng.random(size=(num_samples, 1))
department_data = rng.integers(0, 2, size=(num_samples, num_departments))

model.compile(optimizer="rmsprop",
              loss=["mean_squared_error", "categorical_crossentropy"],
              metrics=[["mean_absolute_error"], ["accuracy"]])
history = model.fit([title_data, text_body_data, tags_data], [priority_data, department_data],
                    epochs=1, verbose=0)
print(list(history.history))
results = model.evaluate([title_data, text_body_data, tags_data],
                         [priority_data, department_data], verbose=0)
print(len(results))
priority_preds, department_preds = model.predict([title_data, text_body_data, tags_data],
                                                 verbose=0)
print(priority_preds.shape, department_preds.shape)

model.compile(optimizer="rmsprop",
              loss={"priority": "mean_squared_error", "department": "categorical_crossentropy"},
              metrics={"priority": ["mean_absolute_error"], "department": ["accuracy"]})
model.fit({"title": title_data, "text_body": text_body_data, "tags": tags_data},
          {"priority": priority_data, "department": department_data}, epochs=1, verbose=0)
print(model.evaluate({"title": title_data, "text_body": text_body_data, "tags": tags_data},
                     {"priority": priority_data, "department": department_data}, verbose=0,
                     return_dict=True).keys())
print([layer.name for layer in model.layers])
print(model.layers[3].input)
print(model.layers[3].output)
features = model.layers[4].output
difficulty = layers.Dense(3, activation="softmax", name="difficulty")(features)
new_model = keras.Model(inputs=[title, text_body, tags], outputs=[priority, department, difficulty])
print(len(new_model.outputs))
