"""Small models built the same way by real Keras 3.15 and by tapeflow (pass the `keras` module).

`record_keras_files.py` (run with TensorFlow's Python) builds each case, trains it a couple of
steps so the optimizer has state, and saves ``<case>.keras``, ``<case>.weights.h5`` and the
predictions on fixed inputs in ``expected.npz``. The tests load them in tapeflow;
`check_reverse.py` does the opposite direction wherever TensorFlow is installed.
"""
import numpy as np

PACKAGE = "tapeflow_golden"


def custom_objects(keras):
    """A registered layer with sublayers and a registered subclassed model (for both sides)."""
    register = keras.saving.register_keras_serializable(package=PACKAGE)

    class Block(keras.layers.Layer):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.d1 = keras.layers.Dense(units, activation="relu")
            self.d2 = keras.layers.Dense(units)
            self.norm = keras.layers.LayerNormalization()

        def call(self, x):
            return self.norm(self.d2(self.d1(x)))

        def get_config(self):
            return dict(super().get_config(), units=self.units)

    class Tower(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.zeta = keras.layers.Dense(5, activation="tanh", name="entry")
            self.alpha = Block(4)
            self.head = keras.layers.Dense(2)

        def call(self, x):
            return self.head(self.alpha(self.zeta(x)))

    Block = register(Block)
    Tower = register(Tower)
    return {"Block": Block, "Tower": Tower}


def inputs(name):
    rng = np.random.default_rng(7)
    if name == "functional":
        return [rng.normal(size=(6, 4)).astype("float32"), rng.normal(size=(6, 3)).astype("float32")]
    if name == "embedding":
        return rng.integers(0, 10, size=(6, 5)).astype("int32")
    return rng.normal(size=(6, 4)).astype("float32")


def targets(name):
    rng = np.random.default_rng(8)
    if name == "mlp":
        return rng.integers(0, 3, size=(6,)).astype("int32")
    if name == "functional":
        return [rng.normal(size=(6, 1)).astype("float32"), rng.normal(size=(6, 4)).astype("float32")]
    if name == "embedding":
        return rng.integers(0, 2, size=(6, 1)).astype("float32")
    return rng.normal(size=(6, 2)).astype("float32")


def build(name, keras):
    """(model, compile kwargs) for case ``name``."""
    layers = keras.layers
    if name == "mlp":
        model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                                  layers.Dropout(0.1), layers.Dense(3, activation="softmax")])
        return model, {"optimizer": keras.optimizers.Adam(learning_rate=0.01),
                           "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}
    if name == "functional":
        a = keras.Input((4,), name="a")
        b = keras.Input((3,), name="b")
        h = layers.Dense(6, activation="relu", name="hidden")(a)
        c = layers.Concatenate()([h, b])
        n = layers.LayerNormalization()(c)
        o1 = layers.Dense(1, name="score")(n)
        s = layers.Dense(4, name="side")(n)
        o2 = layers.Add()([s, layers.Dense(4, name="skip")(a)])
        model = keras.Model([a, b], [o1, o2], name="two_heads")
        return model, {"optimizer": keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                           "loss": ["mse", "mae"], "loss_weights": [1.0, 0.5]}
    if name == "embedding":
        model = keras.Sequential([keras.Input((5,), dtype="int32"), layers.Embedding(10, 4),
                                  layers.Flatten(), layers.Dense(1, activation="sigmoid")])
        return model, {"optimizer": keras.optimizers.RMSprop(learning_rate=0.01, momentum=0.5),
                           "loss": "binary_crossentropy", "metrics": ["accuracy"]}
    if name == "misc":
        x = keras.Input((4,))
        r = layers.Rescaling(0.5, offset=0.1)(x)
        t = layers.Activation("tanh")(layers.Dense(6)(r))
        g = layers.Reshape((2, 3))(t)
        f = layers.Flatten()(g)
        m = layers.Multiply()([f, layers.Dense(6, activation="sigmoid")(x)])
        model = keras.Model(x, layers.Dense(2)(m))
        return model, {"optimizer": keras.optimizers.Adamax(learning_rate=0.02), "loss": "mse"}
    if name == "subclassed":
        model = custom_objects(keras)["Tower"]()
        model(inputs(name))
        return model, {"optimizer": keras.optimizers.Nadam(learning_rate=0.01), "loss": "mse"}
    raise KeyError(name)


CASES = ("mlp", "functional", "embedding", "misc", "subclassed")
