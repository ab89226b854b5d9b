"""A layer-test harness (Keras's ``run_layer_test``, slimmed): one call checks a layer's contract.

``run_layer_test(layers.Dense, {"units": 3}, input_shape=(2, 4), expected_output_shape=(2, 3),
expected_num_trainable_weights=2)`` builds the layer, calls it eagerly and symbolically,
checks the output shapes and weight counts, round-trips ``get_config``/``from_config``, and runs
one training step (GradientTape -> SGD update) to see that trainable weights move.

NumPy is used directly here for test data: this is a testing tool.
"""
import numpy as np


def _data(shape, dtype, rng):
    if "int" in str(dtype):
        return rng.integers(0, 4, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype or "float32")


def _shapes(x):
    if isinstance(x, (list, tuple)):
        return [tuple(t.shape) for t in x]
    return tuple(x.shape)


def run_layer_test(layer_cls, init_kwargs=None, input_shape=None, input_dtype="float32",
                   input_data=None, expected_output_shape=None,
                   expected_num_trainable_weights=None, expected_num_non_trainable_weights=0,
                   expected_num_losses=0, supports_training=True, run_training_check=True,
                   seed=0):
    """Checks a layer class end to end; raises AssertionError naming the failed property."""
    import tapeflow as tf
    from tapeflow import keras
    init_kwargs = dict(init_kwargs or {})
    rng = np.random.default_rng(seed)
    if input_data is None:
        if isinstance(input_shape, list):
            input_data = [_data(s, input_dtype, rng) for s in input_shape]
        else:
            input_data = _data(input_shape, input_dtype, rng)

    # 1. eager call: builds lazily, output shape, weight counts
    layer = layer_cls(**init_kwargs)
    assert not layer.built or not layer.weights, f"{layer_cls.__name__}: built before a call"
    out = layer(input_data)
    assert layer.built, f"{layer_cls.__name__}: not built after the first call"
    if expected_output_shape is not None:
        assert _shapes(out) == _as_shapes(expected_output_shape), \
            f"{layer_cls.__name__}: output shape {_shapes(out)} != {expected_output_shape}"
    if expected_num_trainable_weights is not None:
        n = len(layer.trainable_weights)
        assert n == expected_num_trainable_weights, \
            f"{layer_cls.__name__}: {n} trainable weights, expected " \
            f"{expected_num_trainable_weights}"
    n = len(layer.non_trainable_weights)
    assert n == expected_num_non_trainable_weights, \
        f"{layer_cls.__name__}: {n} non-trainable weights, expected " \
        f"{expected_num_non_trainable_weights}"
    assert len(layer.losses) == expected_num_losses, \
        f"{layer_cls.__name__}: {len(layer.losses)} losses, expected {expected_num_losses}"

    # 2. symbolic call: the same output shape with the batch size unknown
    if isinstance(input_data, list):
        sym = [keras.Input(batch_shape=(None,) + tuple(x.shape[1:]), dtype=str(x.dtype))
               for x in input_data]
    else:
        sym = keras.Input(batch_shape=(None,) + tuple(input_data.shape[1:]),
                          dtype=str(input_data.dtype))
    sym_out = layer_cls(**init_kwargs)(sym)
    if expected_output_shape is not None:
        want = _as_shapes(expected_output_shape)
        got = _shapes(sym_out)
        want_sym = [(None,) + s[1:] for s in want] if isinstance(want, list) else \
            (None,) + want[1:]
        assert got == want_sym, f"{layer_cls.__name__}: symbolic shape {got} != {want_sym}"

    # 3. config round trip: same config, same output given the same weights
    config = layer.get_config()
    clone = layer_cls.from_config(config)
    clone_config = clone.get_config()
    assert _strip_name(clone_config) == _strip_name(config), \
        f"{layer_cls.__name__}: config changed in a round trip:\n{config}\n{clone_config}"
    clone(input_data)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(_np(clone(input_data)), _np(layer(input_data)), rtol=1e-6,
                               atol=1e-6, err_msg=f"{layer_cls.__name__}: clone output differs")

    # 4. one training step moves every trainable weight
    if run_training_check and layer.trainable_weights:
        before = [w.numpy().copy() for w in layer.trainable_weights]
        with tf.GradientTape() as tape:
            y = layer(input_data, training=True) if supports_training else layer(input_data)
            loss = tf.add_n([tf.reduce_sum(tf.square(t)) for t in tf.nest.flatten(y)])
        grads = tape.gradient(loss, layer.trainable_weights)
        assert all(g is not None for g in grads), f"{layer_cls.__name__}: a None gradient"
        for g, w in zip(grads, layer.trainable_weights):
            w.assign_sub(0.1 * g)
        moved = [not np.allclose(b, w.numpy()) for b, w in zip(before,
                                                               layer.trainable_weights)]
        assert any(moved), f"{layer_cls.__name__}: no weight moved in a training step"
    return layer


def _as_shapes(s):
    if isinstance(s, list):
        return [tuple(x) for x in s]
    return tuple(s)


def _np(x):
    return np.asarray(x)


def _strip_name(config):
    return {k: v for k, v in config.items() if k != "name"}
