"""tf.random: TF's seed semantics, and the distributions (TF's exact numbers cannot be matched).

The statistical checks use large seeded samples and bounds far outside sampling noise, so they
are deterministic and cannot flake.
"""
import numpy as np
import pytest

import tapeflow as tf


@pytest.fixture(autouse=True)
def _unseed():
    yield
    tf.random.set_seed(None)


def draws(f):
    return np.asarray(f().numpy(), dtype=np.float64)


def test_normal_moments():
    tf.random.set_seed(1)
    x = draws(lambda: tf.random.normal((200_000,), mean=2.0, stddev=3.0))
    assert abs(x.mean() - 2.0) < 0.05 and abs(x.std() - 3.0) < 0.05


def test_uniform_range_and_mean():
    tf.random.set_seed(1)
    x = draws(lambda: tf.random.uniform((200_000,), minval=-1.0, maxval=3.0))
    assert x.min() >= -1.0 and x.max() < 3.0 and abs(x.mean() - 1.0) < 0.02


def test_uniform_int_needs_maxval_and_stays_in_range():
    with pytest.raises(ValueError, match="maxval"):
        tf.random.uniform((3,), dtype=tf.int32)
    x = tf.random.uniform((10_000,), minval=2, maxval=5, dtype=tf.int32)
    assert x.dtype == tf.int32 and set(np.unique(x.numpy())) == {2, 3, 4}


def test_truncated_normal_within_two_stddev():
    tf.random.set_seed(1)
    x = draws(lambda: tf.random.truncated_normal((100_000,), stddev=2.0))
    assert np.abs(x).max() <= 4.0 and abs(x.std() - 2.0 * 0.8796) < 0.03


def test_global_seed_repeats_the_sequence_and_calls_differ():
    tf.random.set_seed(7)
    a, b = tf.random.normal((4,)), tf.random.normal((4,))
    tf.random.set_seed(7)
    a2, b2 = tf.random.normal((4,)), tf.random.normal((4,))
    assert not np.array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(a.numpy(), a2.numpy())
    np.testing.assert_array_equal(b.numpy(), b2.numpy())


def test_an_op_seed_owns_one_stream_whose_calls_differ():
    tf.random.set_seed(None)
    first = tf.random.uniform((3,), seed=5)
    second = tf.random.uniform((3,), seed=5)
    assert not np.array_equal(first.numpy(), second.numpy())  # one stream per op seed


def test_stateless_ops_depend_only_on_the_seed():
    a = tf.random.stateless_normal((5,), seed=[1, 2])
    b = tf.random.stateless_normal((5,), seed=[1, 2])
    c = tf.random.stateless_normal((5,), seed=[1, 3])
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(a.numpy(), c.numpy())
    u = tf.random.stateless_uniform((1000,), seed=[3, 4], minval=0, maxval=10, dtype=tf.int64)
    assert u.dtype == tf.int64 and 0 <= u.numpy().min() and u.numpy().max() < 10


def test_generator_from_seed_and_split():
    g1, g2 = tf.random.Generator.from_seed(1), tf.random.Generator.from_seed(1)
    np.testing.assert_array_equal(g1.normal((3,)).numpy(), g2.normal((3,)).numpy())
    c1, c2 = g1.split(2)
    assert not np.array_equal(c1.uniform((3,)).numpy(), c2.uniform((3,)).numpy())
    x = np.asarray(tf.random.Generator.from_seed(3).normal((100_000,)).numpy(), np.float64)
    assert abs(x.mean()) < 0.02 and abs(x.std() - 1) < 0.02


def test_shuffle_is_a_permutation_of_rows():
    tf.random.set_seed(2)
    x = tf.reshape(tf.range(20), (10, 2))
    y = tf.random.shuffle(x).numpy()
    assert sorted(map(tuple, y)) == sorted(map(tuple, x.numpy()))
    assert not np.array_equal(y, x.numpy())


def test_categorical_follows_the_softmax():
    tf.random.set_seed(3)
    logits = tf.math.log([[0.1, 0.6, 0.3]])
    s = tf.random.categorical(logits, 60_000)
    assert s.shape == (1, 60_000) and s.dtype == tf.int64
    freq = np.bincount(s.numpy()[0], minlength=3) / 60_000
    np.testing.assert_allclose(freq, [0.1, 0.6, 0.3], atol=0.01)


def test_dropout_keeps_the_expected_value():
    tf.random.set_seed(4)
    x = tf.ones((100_000,))
    y = tf.nn.dropout(x, rate=0.25).numpy()
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.01 and abs(y.mean() - 1.0) < 0.02
