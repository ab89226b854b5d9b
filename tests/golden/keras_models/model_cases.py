"""Model cases shared by the recorder (real Keras 3) and the tests (tapeflow.keras).

Every builder takes the ``keras`` module to use, so the same code runs on both. Weights are
set deterministically (``fixed_weights``) so model outputs can be compared number for number.
"""
import numpy as np

# ruff: noqa: C408  (compile/fit keyword sets read best as dict(...))


def fixed_weights(model):
    """Deterministic weights: a smooth pattern per weight, scaled by 1/sqrt(fan_in)."""
    out = []
    for i, w in enumerate(model.get_weights()):
        n = w.size
        values = np.sin(np.arange(n, dtype=np.float64) * 0.37 + i) / np.sqrt(max(w.shape[0], 1))
        out.append(values.reshape(w.shape).astype(np.float32))
    model.set_weights(out)
    return model


def plain(value):
    """A value as JSON gives it back (tuples become lists), for an exact comparison."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def error_of(fn):
    """{"type", "message"} of what ``fn()`` raises, or None."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 -- the type and message are the golden
        return {"type": type(e).__name__, "message": str(e)}
    return None


def chapter2(keras):
    model = keras.Sequential([keras.layers.Dense(512, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.build((None, 784))
    return model


def chapter7_sequential(keras):
    model = keras.Sequential(name="my_example_model")
    model.add(keras.layers.Dense(64, activation="relu", name="my_first_layer"))
    model.add(keras.layers.Dense(10, activation="softmax", name="my_last_layer"))
    model.build((None, 3))
    return model


def with_input(keras):
    return keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(4, activation="tanh"),
                             keras.layers.Dropout(0.3), keras.layers.Dense(2)])


def unbuilt(keras):
    return keras.Sequential([keras.layers.Dense(4), keras.layers.Dense(1)])


def frozen(keras):
    model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(3, name="base"),
                              keras.layers.Dense(1, name="head")])
    model.get_layer("base").trainable = False
    return model


def ticket(keras, vocabulary_size=100, num_tags=10, num_departments=4):
    layers = keras.layers
    title = keras.Input(shape=(vocabulary_size,), name="title")
    text_body = keras.Input(shape=(vocabulary_size,), name="text_body")
    tags = keras.Input(shape=(num_tags,), name="tags")
    features = layers.Concatenate()([title, text_body, tags])
    features = layers.Dense(64, activation="relu")(features)
    priority = layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = layers.Dense(num_departments, activation="softmax",
                              name="department")(features)
    return keras.Model(inputs=[title, text_body, tags], outputs=[priority, department])


def functional_chain(keras):
    layers = keras.layers
    inputs = keras.Input(shape=(6,), name="my_input")
    x = layers.Dense(5, activation="relu")(inputs)
    x = layers.LayerNormalization()(x)
    x = layers.Reshape((5, 1))(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(3, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="chain")


def merges(keras):
    layers = keras.layers
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(4,), name="b")
    added = layers.Add()([a, b])
    multiplied = layers.Multiply()([a, b])
    x = layers.Concatenate()([added, multiplied])
    x = layers.Rescaling(0.5, offset=0.1)(x)
    return keras.Model({"a": a, "b": b}, layers.Dense(2, name="out")(x), name="merges")


def embedding(keras):
    layers = keras.layers
    tokens = keras.Input(shape=(7,), dtype="int32", name="tokens")
    x = layers.Embedding(20, 4)(tokens)
    x = layers.Flatten()(x)
    return keras.Model(tokens, layers.Dense(1, activation="sigmoid")(x), name="embed")


def subclassed(keras):
    class Ticket(keras.Model):
        def __init__(self):
            super().__init__()
            self.concat_layer = keras.layers.Concatenate()
            self.mixing_layer = keras.layers.Dense(16, activation="relu")
            self.priority_scorer = keras.layers.Dense(1, activation="sigmoid")

        def call(self, inputs):
            return self.priority_scorer(self.mixing_layer(self.concat_layer(inputs)))
    model = Ticket()
    model([np.zeros((2, 3), "float32"), np.zeros((2, 5), "float32")])
    return model


def after_fit(keras):
    model = keras.Sequential([keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), verbose=0)
    return model


def nested_long_names(keras):
    layers = keras.layers
    inner = keras.Sequential([layers.Dense(5), layers.Dense(2)],
                             name="inner_block_with_a_rather_long_name")
    x = keras.Input((4,))
    z = layers.Dense(1, name="a_very_long_dense_layer_name_that_wraps")(inner(x))
    return keras.Model(x, z)


def subclassed_unbuilt(keras):
    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.a = keras.layers.Dense(3)
            self.b = keras.layers.Dropout(0.1)
            self.c = keras.layers.Flatten()

        def call(self, x):
            return self.c(self.b(self.a(x)))
    return Sub()


SUMMARY_CASES = ["chapter2", "chapter7_sequential", "with_input", "unbuilt", "frozen", "ticket",
                 "functional_chain", "merges", "embedding", "subclassed", "after_fit",
                 "nested_long_names", "subclassed_unbuilt"]
SUMMARY_KWARGS = {"nested_long_names": {"show_trainable": True}, "ticket": {"line_length": 98},
                  "after_fit": {"show_trainable": True}}

# (case, inputs) for fixed-weight outputs
OUTPUT_CASES = {
    "chapter2": lambda: np.linspace(0, 1, 3 * 784, dtype=np.float32).reshape(3, 784),
    "with_input": lambda: np.linspace(-1, 1, 16, dtype=np.float32).reshape(2, 8),
    "functional_chain": lambda: np.linspace(-2, 2, 18, dtype=np.float32).reshape(3, 6),
    "merges": lambda: {"a": np.linspace(0, 1, 8, dtype=np.float32).reshape(2, 4),
                       "b": np.linspace(1, 2, 8, dtype=np.float32).reshape(2, 4)},
    "embedding": lambda: (np.arange(14) % 20).astype("int32").reshape(2, 7),
}


def blobs(n=64, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = (rng.normal(0, 3, (3, 4))[y] + rng.normal(0, 0.5, (n, 4))).astype("float32")
    return x, y


def training_cases(keras):
    """(name, model, compile kwargs, fit data, fit kwargs) for History keys / evaluate shapes."""
    layers = keras.layers
    x, y = blobs()

    def mlp(classes=3, activation="softmax"):
        return keras.Sequential([keras.Input(shape=(4,)), layers.Dense(8, activation="relu"),
                                 layers.Dense(classes, activation=activation)])
    onehot = np.eye(3, dtype="float32")[y]
    ticket_x = [np.ones((64, 100), "float32"), np.ones((64, 100), "float32"),
                np.ones((64, 10), "float32")]
    ticket_y = [np.full((64, 1), 0.5, "float32"), np.eye(4, dtype="float32")[y % 4]]
    return [
        ("no_metrics", mlp(), dict(optimizer="rmsprop", loss="sparse_categorical_crossentropy"),
         (x, y), {}),
        ("accuracy_val_split", mlp(), dict(optimizer="rmsprop",
                                           loss="sparse_categorical_crossentropy",
                                           metrics=["accuracy"]), (x, y),
         {"validation_split": 0.25}),
        ("acc_categorical", mlp(), dict(optimizer="adam", loss="categorical_crossentropy",
                                        metrics=["acc", "mae"]), (x, onehot), {}),
        ("metric_objects", mlp(), dict(optimizer="sgd", loss="sparse_categorical_crossentropy",
                                       metrics=[keras.metrics.SparseCategoricalAccuracy(),
                                                keras.metrics.SparseTopKCategoricalAccuracy(k=2)
                                                ]),
         (x, y), {"validation_data": (x, y)}),
        ("binary", mlp(1, "sigmoid"), dict(optimizer="rmsprop", loss="binary_crossentropy",
                                           metrics=["accuracy"]),
         (x, (y > 0).astype("float32")), {}),
        ("ticket_lists", ticket(keras), dict(
            optimizer="rmsprop", loss=["mean_squared_error", "categorical_crossentropy"],
            metrics=[["mean_absolute_error"], ["accuracy"]]), (ticket_x, ticket_y),
         {"validation_split": 0.25}),
        ("ticket_dicts", ticket(keras), dict(
            optimizer="rmsprop", loss={"priority": "mean_squared_error",
                                       "department": "categorical_crossentropy"},
            metrics={"priority": ["mean_absolute_error"], "department": ["accuracy"]}),
         (ticket_x, ticket_y), {}),
    ]


def nested_models(keras):
    """Models inside models, for summary(expand_nested=True)."""
    inner = keras.Sequential([keras.layers.Dense(4, activation="relu"), keras.layers.Dense(3)],
                             name="inner")
    deeper = keras.Sequential([inner, keras.layers.Dense(3, name="a_rather_long_layer_name")],
                              name="deeper")
    model = keras.Sequential([keras.Input((5,)), deeper, keras.layers.Dense(2)], name="outer")
    return model


def nested_functional(keras):
    inner = keras.Sequential([keras.layers.Dense(4, activation="relu"), keras.layers.Dense(3)],
                             name="inner")
    a = keras.Input((5,), name="a")
    b = keras.Input((3,), name="b")
    h = keras.layers.Add()([inner(a), b])
    return keras.Model([a, b], keras.layers.Dense(2)(h), name="nested_functional")
