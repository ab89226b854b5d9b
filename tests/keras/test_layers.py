"""Keras layers: the Layer contract, every core layer through the harness, functional wiring."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers
from tapeflow.testing.layer_test import run_layer_test


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()
    yield


HARNESS = [
    (layers.Dense, {"units": 3}, (2, 4), (2, 3), 2),
    (layers.Dense, {"units": 3, "activation": "relu", "use_bias": False}, (2, 5, 4),
     (2, 5, 3), 1),
    (layers.Activation, {"activation": "tanh"}, (2, 3), (2, 3), 0),
    (layers.Dropout, {"rate": 0.5}, (2, 3), (2, 3), 0),
    (layers.Flatten, {}, (2, 3, 4), (2, 12), 0),
    (layers.Reshape, {"target_shape": (2, 6)}, (2, 3, 4), (2, 2, 6), 0),
    (layers.Reshape, {"target_shape": (-1, 3)}, (2, 3, 4), (2, 4, 3), 0),
    (layers.Rescaling, {"scale": 1 / 255.0, "offset": 0.5}, (2, 3), (2, 3), 0),
    (layers.LayerNormalization, {}, (2, 5), (2, 5), 2),
    (layers.LayerNormalization, {"axis": [1, 2], "epsilon": 1e-5}, (2, 3, 4), (2, 3, 4), 2),
]


@pytest.mark.parametrize("cls,kwargs,shape,out,n", HARNESS,
                         ids=[f"{c.__name__}-{i}" for i, (c, *_) in enumerate(HARNESS)])
def test_layer_harness(cls, kwargs, shape, out, n):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=out,
                   expected_num_trainable_weights=n)


def test_embedding_harness():
    run_layer_test(layers.Embedding, {"input_dim": 5, "output_dim": 3}, input_shape=(2, 4),
                   input_dtype="int32", expected_output_shape=(2, 4, 3),
                   expected_num_trainable_weights=1)


@pytest.mark.parametrize("cls,out", [(layers.Concatenate, (2, 6)), (layers.Add, (2, 3)),
                                     (layers.Multiply, (2, 3)), (layers.Subtract, (2, 3)),
                                     (layers.Average, (2, 3)), (layers.Maximum, (2, 3)),
                                     (layers.Minimum, (2, 3))])
def test_merge_harness(cls, out):
    run_layer_test(cls, {}, input_shape=[(2, 3), (2, 3)], expected_output_shape=out,
                   expected_num_trainable_weights=0)


def _double(x):
    return x * 2.0


def test_lambda_harness():
    run_layer_test(layers.Lambda, {"function": _double}, input_shape=(2, 3),
                   expected_output_shape=(2, 3), expected_num_trainable_weights=0)


def test_merge_layers_refuse_a_single_input():
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Add()(np.ones((2, 3), "float32"))


def test_add_weight_positional_name_refused_as_keras3_and_input_dim():
    class Old(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", shape=(input_shape[-1], 2), initializer="zeros")

        def call(self, x):
            return tf.matmul(x, self.w)
    with pytest.raises(ValueError, match="`name` must be passed as a keyword argument"):
        Old()(np.ones((1, 3), "float32"))

    class New(Old):
        def build(self, input_shape):
            self.w = self.add_weight((input_shape[-1], 2), "zeros", name="w")
    new = New()
    assert new(np.ones((1, 3), "float32")).shape == (1, 2) and new.w.path == "new/w"
    model = keras.Sequential([layers.Dense(2, input_dim=5)])
    assert model.built and model.count_params() == 12


def test_lambda_layer():
    layer = layers.Lambda(lambda x: x * 2.0)
    np.testing.assert_allclose(layer(np.ones((2, 2), "float32")), 2 * np.ones((2, 2)))
    assert layer(keras.Input((3,))).shape == (None, 3)


def test_names_unique_and_reset_by_clear_session():
    assert [layers.Dense(1).name for _ in range(3)] == ["dense", "dense_1", "dense_2"]
    keras.backend.clear_session()
    assert layers.Dense(1).name == "dense"
    assert layers.Dense(1, name="head").name == "head"


def test_lazy_build_weights_and_paths():
    d = layers.Dense(4)
    assert not d.built and d.weights == []
    d(np.ones((2, 3)))
    assert d.built and [w.path for w in d.weights] == ["dense/kernel", "dense/bias"]
    assert d.kernel.name == "kernel" and d.kernel.shape == (3, 4)
    assert repr(d.bias).startswith("<Variable path=dense/bias, shape=(4,), dtype=float32, ")
    assert d.count_params() == 16


def test_subclassed_layer_with_add_weight_and_training_flag():
    class Noisy(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
            self.n = self.add_weight(shape=(), initializer="zeros", trainable=False)

        def call(self, x, training=False):
            return x * self.w + (1.0 if training else 0.0)

    class Outer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = Noisy()

        def call(self, x):
            return self.inner(x)

    outer = Outer()
    assert float(tf.reduce_sum(outer(np.zeros((1, 2))))) == 0.0
    assert float(tf.reduce_sum(outer(np.zeros((1, 2)), training=True))) == 2.0
    assert len(outer.weights) == 2 and len(outer.trainable_weights) == 1
    assert len(outer.non_trainable_weights) == 1


def test_trainable_freezing():
    d = layers.Dense(2)
    d.build((None, 3))
    d.trainable = False
    assert d.trainable_weights == [] and len(d.non_trainable_weights) == 2
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(d(np.ones((1, 3))))
    assert tape.gradient(y, d.kernel) is None
    d.trainable = True
    assert len(d.trainable_weights) == 2


def test_losses_from_regularizers_and_add_loss():
    d = layers.Dense(2, kernel_regularizer=keras.regularizers.l2(0.1))
    d(np.ones((1, 3)))
    assert len(d.losses) == 1
    expected = 0.1 * np.sum(np.square(d.kernel.numpy()))
    np.testing.assert_allclose(float(d.losses[0]), expected, rtol=1e-5)

    class Act(layers.Layer):
        def call(self, x):
            self.add_loss(tf.reduce_sum(x))
            return x
    a = Act()
    a(np.ones((2, 2)))
    assert len(a.losses) == 1
    a(np.ones((2, 2)))
    assert len(a.losses) == 1  # cleared by the next outer call


def test_autocast_and_int_inputs():
    d = layers.Dense(2)
    assert d(np.ones((2, 3), "float64")).dtype == tf.float32
    assert layers.Dense(2)(np.ones((2, 3), "int64")).dtype == tf.float32


def test_input_shape_check_names_layer_and_shapes():
    d = layers.Dense(3)
    d(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"layer 'dense'.*expected axis -1 of input shape to "
                                         r"have value 3, but received input with shape \(2, 4\)"):
        d(np.ones((2, 4)))


def test_get_config_from_config():
    d = layers.Dense(3, activation="relu", name="d")
    config = d.get_config()
    assert config["units"] == 3 and config["activation"] == "relu" and config["name"] == "d"
    assert config["dtype"]["config"]["name"] == "float32"
    assert layers.Dense.from_config(config).get_config() == config


def test_keras_tensor_and_symbolic_shapes():
    x = keras.Input(shape=(3,))
    assert x.shape == (None, 3) and x.dtype == "float32"
    assert repr(x).startswith("<KerasTensor shape=(None, 3), dtype=float32, sparse=False")
    y = layers.Dense(5)(x)
    assert y.shape == (None, 5)
    assert layers.Concatenate()([x, y]).shape == (None, 8)
    assert layers.Embedding(10, 4)(keras.Input((None,), dtype="int32")).shape == (None, None, 4)
    assert (x + 1.0).shape == (None, 3)


def test_namespaces():
    import importlib
    for name in ["layers", "models", "losses", "activations", "backend", "config", "datasets",
                 "initializers", "regularizers", "ops"]:
        assert getattr(keras, name) is importlib.import_module(f"tapeflow.keras.{name}")
    assert keras.Sequential is keras.models.Sequential and keras.Input is layers.Input


def test_keras_ops_eager_and_symbolic():
    from tapeflow.keras import ops
    assert float(ops.sum(ops.ones((2, 3)))) == 6.0
    np.testing.assert_allclose(ops.softmax(np.zeros((1, 4), "float32")), np.full((1, 4), 0.25))
    a, b = keras.Input((3,)), keras.Input((3,))
    c = ops.concatenate([a, b], axis=-1)
    e = ops.mean(ops.relu(c), axis=-1, keepdims=True)
    assert c.shape == (None, 6) and e.shape == (None, 1)
    model = keras.Model([a, b], [c, e])
    _, out = model([np.ones((2, 3)), -np.ones((2, 3))])
    np.testing.assert_allclose(out, np.full((2, 1), 0.5))
    assert (a * b).shape == (None, 3) and a[:, :2].shape == (None, 2)


def test_forgotten_super_init_is_explained():
    class Bad(layers.Layer):
        def __init__(self):
            self.units = 3

        def call(self, x):
            return x
    with pytest.raises(RuntimeError, match=r"forgot to call `super\(\).__init__\(\)`"):
        Bad()(np.ones((1, 2), "float32"))


def test_inputs_are_autocast_to_the_layers_own_float_dtype():
    # Keras 3 casts floating inputs to the layer's compute dtype (TF 2.21: float64 here)
    import tapeflow as tf
    from tapeflow import keras
    assert keras.layers.Dense(2, dtype="float64")(tf.ones((1, 3))).dtype == tf.float64
    assert keras.layers.Dense(2)(tf.ones((1, 3), tf.float64)).dtype == tf.float32
    assert keras.layers.Dense(2, dtype="float64")(tf.ones((1, 3), tf.int32)).dtype == tf.float64
