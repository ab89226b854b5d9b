"""The GradientTape contract, as TensorFlow 2.21 keeps it (values checked against real TF)."""
import numpy as np
import pytest

import tapeflow as tf

NON_PERSISTENT = "A non-persistent GradientTape can only be used to compute one set of gradients"


def value(t):
    return None if t is None else t.numpy()


# --- what the tape watches -------------------------------------------------------------------


def test_trainable_variables_read_inside_are_watched_automatically():
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = v * v
    assert float(tape.gradient(y, v)) == 6.0


def test_variable_created_inside_the_tape_is_watched_on_read():
    with tf.GradientTape() as tape:
        v = tf.Variable(2.0)
        y = v * v
    assert float(tape.gradient(y, v)) == 4.0


def test_variable_read_before_the_tape_is_not_connected():
    v = tf.Variable(3.0)
    y0 = v * 2.0
    with tf.GradientTape() as tape:
        y = y0 * 3.0
    assert tape.gradient(y, v) is None


def test_watch_accessed_variables_false():
    v = tf.Variable(2.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        y = v * v
    assert tape.gradient(y, v) is None
    assert tape.watched_variables() == ()


def test_watch_accessed_variables_false_with_explicit_watch():
    v, w = tf.Variable(2.0), tf.Variable(5.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(v)
        y = v * v * w
        assert tape.watched_variables() == (v,)
    gv, gw = tape.gradient(y, [v, w])
    assert float(gv) == 20.0 and gw is None


def test_non_trainable_variables_are_not_watched():
    v = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as tape:
        y = v * v
    assert tape.watched_variables() == ()
    assert tape.gradient(y, v) is None


def test_non_trainable_variable_watched_explicitly():
    v = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as tape:
        tape.watch(v)
        y = v * v
    assert float(tape.gradient(y, v)) == 4.0


def test_watch_tensor():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert float(tape.gradient(y, x)) == 6.0


def test_unwatched_tensor_gives_none():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x) is None


def test_watch_nested_structure():
    a, b = tf.constant(1.0), tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch({"a": a, "rest": [b]})
        y = a * b
    ga, gb = tape.gradient(y, [a, b])
    assert (float(ga), float(gb)) == (2.0, 1.0)


def test_watch_refuses_a_python_number():
    with tf.GradientTape() as tape, pytest.raises(ValueError, match="not tf.Tensor or tf.Var"):
        tape.watch(1.0)


def test_watched_variables_in_creation_order():
    a, b = tf.Variable(1.0, name="a"), tf.Variable(2.0, name="b")
    with tf.GradientTape() as tape:
        _ = b * a + b
    assert [v.name for v in tape.watched_variables()] == ["a:0", "b:0"]
    assert isinstance(tape.watched_variables(), tuple)


# --- gradient(): structures, seeds, unconnected ----------------------------------------------


def test_source_structures_are_mirrored():
    x = tf.constant(3.0)
    v = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x * v
    assert float(tape.gradient(y, x)) == 12.0  # a single source: a single tensor back
    g = tape.gradient(y, [x, v])
    assert isinstance(g, list) and [float(t) for t in g] == [12.0, 9.0]
    g = tape.gradient(y, (x, v))
    assert isinstance(g, tuple)
    g = tape.gradient(y, {"x": x, "inner": [v, (x,)]})
    assert set(g) == {"x", "inner"}
    assert float(g["x"]) == 12.0 and float(g["inner"][0]) == 9.0
    assert isinstance(g["inner"][1], tuple) and float(g["inner"][1][0]) == 12.0


def test_non_scalar_target_is_summed():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2.0, 4.0, 6.0])


def test_list_and_dict_of_targets_are_summed():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y1, y2 = x * x, x * 2.0
    assert float(tape.gradient([y1, y2], x)) == 8.0
    assert float(tape.gradient({"a": y1, "b": [y2]}, x)) == 8.0
    assert float(tape.gradient([y1, y1], x)) == 12.0


def test_output_gradients():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    assert float(tape.gradient(y, x, output_gradients=tf.constant(2.0))) == 12.0
    xs = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(xs)
        y1, y2 = xs * xs, xs * 3.0
    g = tape.gradient([y1, y2], xs, output_gradients=[tf.constant([1.0, 0.0]),
                                                      tf.constant([0.0, 1.0])])
    np.testing.assert_array_equal(g.numpy(), [2.0, 3.0])


@pytest.mark.parametrize("mode", ["zero", tf.UnconnectedGradients.ZERO])
def test_unconnected_gradients_zero(mode):
    x, unused = tf.constant([1.0, 2.0]), tf.constant([[1.0, 2.0]])
    v = tf.Variable([[1.0], [2.0]])
    with tf.GradientTape() as tape:
        tape.watch([x, unused])
        y = x * 2.0
    gx, gu, gv = tape.gradient(y, [x, unused, v], unconnected_gradients=mode)
    np.testing.assert_array_equal(gx.numpy(), [2.0, 2.0])
    assert gu.shape == (1, 2) and gu.dtype == tf.float32 and not gu.numpy().any()
    assert gv.shape == (2, 1) and not gv.numpy().any()


@pytest.mark.parametrize("mode", ["none", tf.UnconnectedGradients.NONE])
def test_unconnected_gradients_none(mode):
    x, unused = tf.constant(1.0), tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch([x, unused])
        y = x * 2.0
    assert tape.gradient(y, unused, unconnected_gradients=mode) is None


def test_unknown_unconnected_gradients_value():
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0
    with pytest.raises(ValueError):
        tape.gradient(y, x, unconnected_gradients="bogus")


def test_integer_sources_give_none():
    i = tf.constant(3)
    with tf.GradientTape() as tape:
        tape.watch(i)
        y = i * i
    assert tape.gradient(y, i) is None


def test_integer_source_with_zero_gives_integer_zeros():
    i = tf.constant([3, 4])
    with tf.GradientTape() as tape:
        tape.watch(i)
        y = i * i
    g = tape.gradient(y, i, unconnected_gradients="zero")
    assert g.dtype == tf.int32
    np.testing.assert_array_equal(g.numpy(), [0, 0])


def test_integer_path_cuts_the_gradient():
    x = tf.constant(2.7)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(tf.cast(x, tf.int32), tf.float32) * x
    assert float(tape.gradient(y, x)) == 2.0


def test_gradient_of_a_tensor_with_respect_to_itself():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
    np.testing.assert_array_equal(tape.gradient(x, x).numpy(), [1.0, 1.0])
    with tf.GradientTape() as tape:  # TF: ones even when x was never watched
        pass
    np.testing.assert_array_equal(tape.gradient(x, x).numpy(), [1.0, 1.0])


def test_gradient_with_respect_to_a_variable_itself():
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = v.read_value()
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [1.0, 1.0])


def test_target_none_raises_type_error():
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
    with pytest.raises(TypeError):
        tape.gradient(None, x)


def test_unconnected_variable_gives_none_and_zero():
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        y = tf.constant(1.0) * 2.0
    assert tape.gradient(y, v) is None
    np.testing.assert_array_equal(tape.gradient(y, v, unconnected_gradients="zero").numpy(),
                                  [0.0, 0.0])


def test_gradient_flows_into_variable_slices():
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = v[0] * 3.0 + v[1:] * 2.0
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [6.0, 2.0, 2.0])


def test_gradient_dtype_matches_the_source():
    x = tf.constant([1.0, 2.0], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x * x)
    g = tape.gradient(y, x)
    assert g.dtype == tf.float64 and g.shape == (2,)


def test_broadcast_gradients_are_summed_to_the_source_shape():
    b = tf.Variable([1.0, 2.0, 3.0])
    x = tf.ones([4, 3])
    with tf.GradientTape() as tape:
        y = x * b
    np.testing.assert_array_equal(tape.gradient(y, b).numpy(), [4.0, 4.0, 4.0])


# --- persistence, nesting, recording control -------------------------------------------------


def test_second_gradient_on_non_persistent_tape_raises():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = v * v
    tape.gradient(y, v)
    with pytest.raises(RuntimeError, match=NON_PERSISTENT):
        tape.gradient(y, v)


def test_gradient_after_jacobian_on_non_persistent_tape_raises():
    v = tf.Variable([2.0])
    with tf.GradientTape() as tape:
        y = v * v
    tape.jacobian(y, v)
    with pytest.raises(RuntimeError, match=NON_PERSISTENT):
        tape.gradient(y, v)


def test_persistent_tape_allows_many_gradients():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert float(tape.gradient(y, x)) == 6.0
    assert float(tape.gradient(z, x)) == 108.0
    assert float(tape.gradient(z, y)) == 18.0
    assert float(tape.gradient(y, x)) == 6.0


def test_ops_after_the_with_block_are_not_recorded():
    v = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y = v * v
    z = y * y
    assert tape.gradient(z, v) is None


def test_gradient_inside_the_block_of_a_non_persistent_tape():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        g = tape.gradient(y, x)
        h = g * 2.0
    np.testing.assert_array_equal(h.numpy(), [4.0, 8.0])
    with pytest.raises(RuntimeError, match=NON_PERSISTENT):
        tape.gradient(h, x)


def test_persistent_tape_records_its_own_gradient_for_second_order():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x * x
        g = tape.gradient(y, x)
    np.testing.assert_array_equal(tape.gradient(g, x).numpy(), [6.0, 12.0])


def test_nested_tapes_give_second_derivatives():
    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x ** 3
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    assert float(dy) == 12.0  # 3x^2
    assert float(d2y) == 12.0  # 6x


def test_nested_tapes_third_derivative_with_variable():
    v = tf.Variable(2.0)
    with tf.GradientTape() as t3:
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                y = v ** 4
            d1 = t1.gradient(y, v)
        d2 = t2.gradient(d1, v)
    d3 = t3.gradient(d2, v)
    assert (float(d1), float(d2), float(d3)) == (32.0, 48.0, 48.0)  # 4v^3, 12v^2, 24v


def test_inner_tape_does_not_see_outer_watches():
    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            y = x * x
        assert inner.gradient(y, x) is None
    assert float(outer.gradient(y, x)) == 4.0


def test_stop_recording():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        with tape.stop_recording():
            y = x * x
        z = y * x
    assert float(tape.gradient(z, x)) == 9.0  # y is a constant for the tape


def test_stop_recording_pauses_only_this_tape():
    x = tf.constant(3.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            with inner.stop_recording():
                y = x * x
        assert inner.gradient(y, x) is None
    assert float(outer.gradient(y, x)) == 6.0


def test_stop_recording_outside_the_block_raises():
    tape = tf.GradientTape()
    with pytest.raises(RuntimeError), tape.stop_recording():
        pass


def test_reset_inside_the_block():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        tape.reset()
        tape.watch(x)
        z = x * 5.0
    assert tape.gradient(y, x) is None
    assert float(tape.gradient(z, x)) == 5.0


def test_reset_forgets_watched_tensors_and_records():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        tape.reset()
        z = x * 5.0
    assert tape.gradient(y, x) is None
    assert tape.gradient(z, x) is None


def test_reset_forgets_variables_but_reads_after_are_recorded():
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        _ = v * v
        tape.reset()
        assert tape.watched_variables() == ()
        z = v * 5.0
    assert float(tape.gradient(z, v)) == 5.0


def test_reentering_a_tape_records_more():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        _ = v * v
    with tape:
        z = v * 3.0
    assert float(tape.gradient(z, v)) == 3.0


# --- jacobians -------------------------------------------------------------------------------


def test_jacobian_elementwise():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    np.testing.assert_array_equal(tape.jacobian(y, x).numpy(), np.diag([2.0, 4.0, 6.0]))


def test_jacobian_of_matmul_has_target_then_source_shape():
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])  # 3x2
    x = tf.constant([[1.0, -1.0, 2.0]])  # 1x3
    with tf.GradientTape() as tape:
        y = x @ w  # 1x2
    j = tape.jacobian(y, w)
    assert j.shape == (1, 2, 3, 2)
    expected = np.zeros((1, 2, 3, 2), np.float32)
    for k in range(2):
        expected[0, k, :, k] = [1.0, -1.0, 2.0]
    np.testing.assert_array_equal(j.numpy(), expected)


def test_jacobian_scalar_and_structures():
    s, x = tf.constant(2.0), tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([s, x])
        y = s * x
        q = tf.reduce_sum(x * x)
    np.testing.assert_array_equal(tape.jacobian(y, s).numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(tape.jacobian(q, x).numpy(), [2.0, 4.0])
    js, jx = tape.jacobian(y, [s, x])
    np.testing.assert_array_equal(js.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(jx.numpy(), [[2.0, 0.0], [0.0, 2.0]])


def test_jacobian_unconnected():
    x, other = tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * 2.0
    assert tape.jacobian(y, other) is None
    j = tape.jacobian(y, other, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert j.shape == (2, 3) and not j.numpy().any()


def test_jacobian_on_variable():
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.stack([v[0] * v[1], v[0] + 3.0 * v[1]])
    np.testing.assert_array_equal(tape.jacobian(y, v).numpy(), [[2.0, 1.0], [1.0, 3.0]])


def test_batch_jacobian():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.stack([x[:, 0] * x[:, 1], x[:, 0] ** 2, x[:, 1] * 3.0], axis=1)  # [2, 3]
    j = tape.batch_jacobian(y, x)
    assert j.shape == (2, 3, 2)
    expected = [[[2.0, 1.0], [2.0, 0.0], [0.0, 3.0]], [[4.0, 3.0], [6.0, 0.0], [0.0, 3.0]]]
    np.testing.assert_array_equal(j.numpy(), expected)


def test_batch_jacobian_higher_rank():
    x = tf.reshape(tf.range(12, dtype=tf.float32), [2, 3, 2])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x * x, axis=2)  # [2, 3]
    j = tape.batch_jacobian(y, x)
    assert j.shape == (2, 3, 3, 2)
    xv = x.numpy()
    expected = np.zeros((2, 3, 3, 2), np.float32)
    for b in range(2):
        for i in range(3):
            expected[b, i, i] = 2 * xv[b, i]
    np.testing.assert_array_equal(j.numpy(), expected)


def test_batch_jacobian_checks_the_batch_dimension():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reshape(x, [4, 1])
    with pytest.raises(ValueError):
        tape.batch_jacobian(y, x)


# --- custom_gradient -------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # exp(100) overflows float32, as in TF
def test_custom_gradient_replaces_the_gradient():
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)

        def grad(upstream):
            return upstream * (1 - 1 / (1 + e))
        return tf.math.log(1 + e), grad

    x = tf.constant(100.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    assert float(tape.gradient(y, x)) == 1.0  # the naive gradient would be nan


def test_custom_gradient_upstream_is_the_output_gradient():
    @tf.custom_gradient
    def f(x):
        def grad(dy):
            return dy * 10.0
        return x * x, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x) * 2.0
    assert float(tape.gradient(y, x)) == 20.0
    assert float(f(x)) == 9.0  # no tape: plain forward


def test_custom_gradient_two_inputs_used_twice():
    @tf.custom_gradient
    def f(a, b):
        def grad(dy):
            return dy * 2.0, dy * 3.0
        return a * b, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x, x)
    assert float(tape.gradient(y, x)) == 5.0


def test_custom_gradient_with_variables():
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def f(x):
        y = x * v

        def grad(dy, variables=None):
            assert list(variables) == [v]
            return dy * 10.0, [dy * 100.0]
        return y, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    gx, gv = tape.gradient(y, [x, v])
    assert (float(gx), float(gv)) == (10.0, 100.0)


def test_custom_gradient_inner_ops_are_not_recorded():
    @tf.custom_gradient
    def f(x):
        def grad(dy):
            return dy * 10.0
        return x * x, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        g = inner.gradient(y, x)
    assert float(g) == 10.0
    assert outer.gradient(g, x) is None  # TF: dy * 10 does not depend on x


def test_custom_gradient_differentiable_grad_fn_gives_second_order():
    @tf.custom_gradient
    def cube(x):
        def grad(dy):
            return dy * 3.0 * x * x
        return x * x * x, grad

    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = cube(x)
        g = inner.gradient(y, x)
    assert float(g) == 12.0
    assert float(outer.gradient(g, x)) == 12.0


def test_custom_gradient_with_multiple_outputs():
    @tf.custom_gradient
    def f(x):
        def grad(da, db):
            return da * 2.0 + db * 3.0
        return (x * 2.0, x * 3.0), grad

    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        a, b = f(x)
        y = a + b * 10.0
    assert float(tape.gradient(y, x)) == 32.0


# --- variables and assignments inside a tape -------------------------------------------------


def test_read_after_assign_is_connected():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        v.assign(3.0)
        y = v * v
    assert float(tape.gradient(y, v)) == 6.0


def test_no_gradient_flows_through_an_assign():
    v = tf.Variable(2.0)
    x = tf.constant(5.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        v.assign(x * 2.0)
        y = v * 1.0
    gx, gv = tape.gradient(y, [x, v])
    assert gx is None and float(gv) == 1.0


def test_gradient_through_the_value_assign_returns():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        r = v.assign_add(1.0)
        y = r * r
    assert float(tape.gradient(y, v)) == 6.0


def test_read_before_assign_keeps_its_value_and_gradient():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = v * v
        v.assign(10.0)
    assert float(y) == 4.0
    assert float(tape.gradient(y, v)) == 4.0


def test_training_loop_with_assign_sub():
    w = tf.Variable(0.0)
    for _ in range(50):
        with tf.GradientTape() as tape:
            loss = (w - 3.0) ** 2
        w.assign_sub(0.1 * tape.gradient(loss, w))
    assert abs(float(w) - 3.0) < 1e-3


# --- long chains, functions, misc ------------------------------------------------------------


def test_chain_of_10000_ops_has_no_recursion_limit():
    x = tf.constant(1.0, tf.float64)
    c = tf.constant(np.float64(1.0001))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x
        for _ in range(10_000):
            y = y * c
    g = tape.gradient(y, x)
    np.testing.assert_allclose(float(g), 1.0001 ** 10_000, rtol=1e-9)


def test_chain_of_10000_mixed_ops():
    v = tf.Variable(0.5)
    with tf.GradientTape() as tape:
        y = v
        for _ in range(5_000):
            y = tf.sin(y) + 0.0
    expected = 1.0
    yv = 0.5
    for _ in range(5_000):
        expected *= np.cos(yv)
        yv = np.sin(yv)
    np.testing.assert_allclose(float(tape.gradient(y, v)), expected, rtol=1e-3)


def test_tape_inside_a_function_used_twice():
    v = tf.Variable(2.0)

    def step(x):
        with tf.GradientTape() as tape:
            loss = v * x * x
        return tape.gradient(loss, [v])[0]

    assert float(step(tf.constant(3.0))) == 9.0
    assert float(step(tf.constant(4.0))) == 16.0


def test_tf_function_with_tape_inside():
    v = tf.Variable(2.0)

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            loss = v * x
        return tape.gradient(loss, v)

    assert float(step(tf.constant(3.0))) == 3.0
    assert float(step(tf.constant(5.0))) == 5.0


def test_sources_must_be_tensors_or_variables():
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0
    with pytest.raises((ValueError, TypeError, AttributeError)):
        tape.gradient(y, [1.0])


def test_gradients_of_python_operators_on_variables():
    v = tf.Variable([[1.0, 2.0]])
    m = tf.constant([[1.0], [3.0]])
    with tf.GradientTape() as tape:
        y = (-v + 1.0) * 2.0 - v / 2.0 + v @ m + abs(v) + v ** 2
    # y is [1, 2] (v @ m is [1, 1], broadcast over 2 columns): d/dv = -2 - 0.5 + 2 m^T + 1 + 2v
    np.testing.assert_allclose(tape.gradient(y, v).numpy(),
                               [[-2 - 0.5 + 2 + 1 + 2, -2 - 0.5 + 6 + 1 + 4]])


def test_stop_gradient_and_identity():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.stop_gradient(x * x) * x
        z = tf.identity(x) * x
    assert float(tape.gradient(y, x)) == 4.0
    assert float(tape.gradient(z, x)) == 4.0


def test_test_compute_gradient():
    theoretical, numerical = tf.test.compute_gradient(lambda x: x * x,
                                                      [tf.constant([1.0, 2.0], tf.float64)])
    np.testing.assert_allclose(theoretical[0], [[2.0, 0.0], [0.0, 4.0]])
    np.testing.assert_allclose(numerical[0], theoretical[0], rtol=1e-6)


def test_check_grads_detects_a_wrong_gradient():
    from tapeflow.testing import check_grads

    @tf.custom_gradient
    def wrong(x):
        def grad(dy):
            return dy * 3.0
        return x * x, grad

    with pytest.raises(AssertionError):
        check_grads(wrong, [np.array([1.0, 2.0])])
    with pytest.raises(AssertionError):  # right first derivative, wrong second
        check_grads(lambda x: _cube_with_bad_second_order(x), [np.array([0.5, 2.0])], order=2)


@tf.custom_gradient
def _cube_with_bad_second_order(x):
    def grad(dy):
        return dy * tf.stop_gradient(3.0 * x * x)
    return x * x * x, grad


# === Regressions: TF behaviours tapeflow once got wrong (found by gradient and contract checks) ===


def test_watched_variables_survive_gradient():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = v * v
    tape.gradient(y, v)
    assert tape.watched_variables() == (v,)


def test_int_variable_is_watched_but_has_no_gradient():
    i, w = tf.Variable(3), tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = i * i
        z = w * w
    assert tape.watched_variables() == (i, w)
    assert tape.gradient([y, z], [i, w])[0] is None


def test_output_gradients_must_match_the_target_shape():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(tf.errors.InvalidArgumentError):
        tape.gradient(y, x, output_gradients=tf.constant([1.0, 2.0]))


def test_reset_outside_the_block_raises():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
    with pytest.raises(ValueError, match="not recording"):
        tape.reset()


def test_custom_gradient_with_variables_requires_variables_argument():
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def f(x):
        def grad(dy):
            return dy * 10.0
        return x * v, grad

    x = tf.constant(3.0)
    with pytest.raises(TypeError, match="variables"):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        tape.gradient(y, [x, v])
