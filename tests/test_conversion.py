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


def test_asarray_of_a_tensor_is_read_only_as_in_tf():
    t = tf.constant([1.0, 2.0])
    a = np.asarray(t)
    assert not a.flags.writeable  # TF 2.21: np.asarray(tensor) is read-only
    with pytest.raises(ValueError):
        a += 1
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])
    b = t.numpy()  # numpy() is a fresh, writable copy (TF too)
    b[0] = 5.0
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])


def test_add_n_of_one_array_does_not_alias_it():
    a = np.ones(3, np.float32)
    r = tf.add_n([a])
    a[:] = -1.0
    np.testing.assert_array_equal(r.numpy(), [1.0, 1.0, 1.0])


def test_to_dlpack_exports_scalars_and_read_only_tensors():
    for t in [tf.reduce_sum(tf.ones([3])), tf.broadcast_to(tf.constant([1.0, 2.0]), [3, 2])]:
        back = tf.experimental.dlpack.from_dlpack(tf.experimental.dlpack.to_dlpack(t))
        np.testing.assert_array_equal(back.numpy(), t.numpy())


def test_predict_returns_fresh_writable_arrays_even_for_an_identity_model():
    from tapeflow import keras
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Activation("linear")])
    for out in (model.predict(x, verbose=0), model.predict_on_batch(x)):
        assert out.flags.writeable and not np.shares_memory(out, x)
        out[0, 0] = 99.0
        assert x[0, 0] == 0.0
