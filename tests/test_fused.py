"""Fused kernels and fast paths give the bits of the compositions they replace.

Several hot paths run one kernel (or skip recording) where the plain formula would run a few
ops: tf.compat.v1.nn.xw_plus_b / relu_layer (Keras's Dense), the sparse cross-entropy and
divide_no_nan gradients when no tape records them, softmax's row max. Each promises the very
values of its composition; these tests hold them to it, bit for bit, and check that second
derivatives (nested tapes, where the composed VJPs run) still agree.
"""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras


def rng_values(shape, seed, zeros=0):
    v = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    if zeros:
        v.reshape(-1)[:zeros] = 0.0
    return v


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and \
        np.array_equal(a.view(np.uint8), b.view(np.uint8))


def composed_affine(x, w, b, relu):
    y = tf.nn.bias_add(tf.matmul(x, w), b)
    return tf.nn.relu(y) if relu else y


@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("shape", [(1, 1, 1), (5, 3, 4), (64, 33, 17)])
def test_affine_ops_match_the_composition(relu, shape):
    n, k, m = shape
    x, w, b = rng_values((n, k), 0), rng_values((k, m), 1), rng_values((m,), 2)
    b[: m // 2] = -(x @ w)[0, : m // 2]  # some pre-activations land near 0, the relu's kink
    fused = tf.compat.v1.nn.relu_layer if relu else tf.compat.v1.nn.xw_plus_b
    xs, ws, bs = tf.constant(x), tf.Variable(w), tf.Variable(b)
    outs, grads = [], []
    for f in (lambda *a: fused(*a), lambda *a: composed_affine(*a, relu)):
        with tf.GradientTape() as tape:
            tape.watch(xs)
            y = f(xs, ws, bs)
            loss = tf.reduce_sum(y * y)
        outs.append(y.numpy())
        grads.append([g.numpy() for g in tape.gradient(loss, [xs, ws, bs])])
    assert same(outs[0], outs[1])
    for g_fused, g_composed in zip(*grads):
        assert same(g_fused, g_composed)


@pytest.mark.parametrize("relu", [False, True])
def test_affine_ops_second_derivatives_match_the_composition(relu):
    x, w, b = (tf.constant(rng_values(s, i)) for i, s in enumerate([(4, 3), (3, 2), (2,)]))
    fused = tf.compat.v1.nn.relu_layer if relu else tf.compat.v1.nn.xw_plus_b
    results = []
    for f in (lambda: fused(x, w, b), lambda: composed_affine(x, w, b, relu)):
        with tf.GradientTape() as outer:
            outer.watch([x, w, b])
            with tf.GradientTape() as inner:
                inner.watch([x, w, b])
                y = tf.reduce_sum(f() ** 3)
            gw = inner.gradient(y, w)
            z = tf.reduce_sum(gw * gw)
        results.append([g.numpy() for g in outer.gradient(z, [x, w, b])])
    for a, c in zip(*results):
        assert same(a, c)


def test_affine_ops_fall_back_to_the_composition_for_other_ranks():
    x = tf.constant(rng_values((2, 3, 4), 0))
    w, b = tf.constant(rng_values((4, 5), 1)), tf.constant(rng_values((5,), 2))
    assert same(tf.compat.v1.nn.relu_layer(x, w, b), tf.nn.relu(tf.matmul(x, w) + b))


def test_dense_runs_one_recorded_op_and_keeps_its_gradients():
    layer = keras.layers.Dense(3, activation="relu")
    x = tf.constant(rng_values((6, 4), 0))
    layer(x)
    kernel, bias = layer.kernel, layer.bias
    with tf.GradientTape() as tape:
        y = layer(x)
        loss = tf.reduce_sum(y * y)
    fused = tape.gradient(loss, [kernel, bias])
    with tf.GradientTape() as tape:
        y2 = tf.nn.relu(tf.matmul(x, kernel) + bias)
        loss2 = tf.reduce_sum(y2 * y2)
    composed = tape.gradient(loss2, [kernel, bias])
    assert same(y, y2)
    for a, c in zip(fused, composed):
        assert same(a, c)


def _grads_with_and_without_outer_tape(f, *sources):
    """The gradient as fit computes it (no other tape: the fused VJP paths), and again with
    an outer persistent tape watching (the composed, recorded VJPs)."""
    with tf.GradientTape() as tape:
        tape.watch(list(sources))
        y = f(*sources)
    fast = tape.gradient(y, list(sources))
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(list(sources))
        with tf.GradientTape() as tape:
            tape.watch(list(sources))
            y = f(*sources)
        slow = tape.gradient(y, list(sources))
    return fast, slow


@pytest.mark.parametrize("shape", [(5,), (7, 4), (3, 2, 6)])
def test_sparse_cross_entropy_gradient_fast_path_matches_the_composition(shape):
    logits = tf.constant(rng_values(shape, 3) * 4)
    labels = tf.constant(np.random.default_rng(4).integers(0, shape[-1], shape[:-1]))
    weights = tf.constant(rng_values(shape[:-1], 5))
    fast, slow = _grads_with_and_without_outer_tape(
        lambda z: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=z)
        * weights, logits)
    assert same(fast[0], slow[0])


@pytest.mark.parametrize("y", [[2.0, 4.0, 0.5], [2.0, 0.0, 0.5]])
def test_divide_no_nan_gradient_fast_path_matches_the_composition(y):
    x, d = tf.constant([3.0, -1.0, 2.0]), tf.constant(y)
    fast, slow = _grads_with_and_without_outer_tape(
        lambda a, b: tf.math.divide_no_nan(a, b) * tf.constant([1.0, 2.0, 3.0]), x, d)
    for a, c in zip(fast, slow):
        assert same(a, c)


@pytest.mark.parametrize("shape", [(64, 10), (33, 3), (2, 40, 5), (4, 10), (128, 40)])
def test_softmax_row_max_keeps_numpys_values(shape):
    v = rng_values(shape, 6) * 30
    v.reshape(-1, shape[-1])[1, 0] = np.nan
    v.reshape(-1, shape[-1])[2, :] = -np.inf
    with np.errstate(invalid="ignore"):
        e = np.exp(v - v.max(axis=-1, keepdims=True))
        expected = e / e.sum(axis=-1, keepdims=True)
        assert same(tf.nn.softmax(tf.constant(v)), expected)


def test_cross_entropy_after_softmax_reuses_its_arrays_with_the_same_bits():
    from tapeflow.ops import nn_ops
    v = rng_values((16, 7), 8) * 5
    labels = tf.constant(np.random.default_rng(9).integers(0, 7, 16))
    fresh = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                           logits=tf.constant(v))
    logits = tf.constant(v)
    with tf.GradientTape() as tape:
        tape.watch(logits)
        tf.nn.softmax(logits)  # leaves its arrays for the cross-entropy on these logits
        assert nn_ops._last_softmax[0][0]() is logits
        reused = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert same(fresh, reused)
    assert same(tape.gradient(reused, logits),
                tf.nn.softmax(tf.constant(v)) - tf.one_hot(labels, 7))
    del logits, tape
    import gc
    gc.collect()
    assert nn_ops._last_softmax[0] is None or nn_ops._last_softmax[0][0]() is not None
