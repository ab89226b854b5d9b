"""Tensors never share memory with a NumPy array their caller can still write to (TF copies
on conversion); tf.experimental.dlpack shares on purpose."""
import numpy as np
import pytest

import tapeflow as tf


@pytest.mark.parametrize("convert", [
    tf.convert_to_tensor, tf.constant, lambda a: tf.convert_to_tensor(a, dtype=tf.float32),
    lambda a: tf.convert_to_tensor(a, dtype_hint=tf.float32), tf.identity,
    lambda a: tf.reshape(a, (3,)), lambda a: tf.nn.relu(a)])
def test_a_converted_array_can_change_without_changing_the_tensor(convert):
    a = np.ones(3, np.float32)
    t = convert(a)
    a[0] = 5.0
    np.testing.assert_array_equal(t.numpy(), [1.0, 1.0, 1.0])  # TF 2.21 prints [1. 1. 1.]


def test_dlpack_shares_memory_both_ways():
    a = np.arange(3.0, dtype=np.float32)
    t = tf.experimental.dlpack.from_dlpack(a)
    a[0] = 9.0
    np.testing.assert_array_equal(t.numpy(), [9.0, 1.0, 2.0])
    back = tf.experimental.dlpack.from_dlpack(tf.experimental.dlpack.to_dlpack(t))
    np.testing.assert_array_equal(back.numpy(), [9.0, 1.0, 2.0])


def test_dlpack_refuses_what_it_cannot_import():
    with pytest.raises(ValueError, match="from_dlpack: could not import int"):
        tf.experimental.dlpack.from_dlpack(5)


def test_fit_batches_from_read_only_data():
    from tapeflow import keras
    x = np.random.default_rng(0).random((32, 3), dtype=np.float32)
    y = np.zeros(32, np.int64)
    x.setflags(write=False)  # e.g. np.load(..., mmap_mode="r"): DLPack cannot export it
    model = keras.Sequential([keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert np.isfinite(history.history["loss"][0])
