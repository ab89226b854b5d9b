"""tf.Variable: names, reprs, the assign family, reads, operators (checked against TF 2.21)."""
import numpy as np
import pytest

import tapeflow as tf

# --- names -----------------------------------------------------------------------------------


def test_default_name():
    assert tf.Variable(1.0).name == "Variable:0"


def test_given_name():
    assert tf.Variable(1.0, name="w").name == "w:0"


def test_names_inside_name_scopes():
    with tf.name_scope("block"):
        with tf.name_scope("inner"):
            a = tf.Variable(1.0, name="w")
        b = tf.Variable(1.0)
    c = tf.Variable(1.0, name="w")
    assert (a.name, b.name, c.name) == ("block/inner/w:0", "block/Variable:0", "w:0")


def test_same_name_twice_is_allowed_in_eager():
    assert tf.Variable(1.0, name="w").name == tf.Variable(2.0, name="w").name == "w:0"


# --- repr / str ------------------------------------------------------------------------------

REPRS = [
    ([[1.0], [2.0], [3.0]], None,
     ("<tf.Variable 'Variable:0' shape=(3, 1) dtype=float32, numpy=\n"
      "array([[1.],\n       [2.],\n       [3.]], dtype=float32)>")),
    (1.5, None, "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=1.5>"),
    ([1, 2], None,
     "<tf.Variable 'Variable:0' shape=(2,) dtype=int32, numpy=array([1, 2], dtype=int32)>"),
    (np.array([0.1, 0.2]), None,
     "<tf.Variable 'Variable:0' shape=(2,) dtype=float64, numpy=array([0.1, 0.2])>"),
    (True, None, "<tf.Variable 'Variable:0' shape=() dtype=bool, numpy=True>"),
    (1, tf.float32, "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=1.0>"),
]


@pytest.mark.parametrize("init, dtype, expected", REPRS, ids=["3x1", "scalar", "int", "float64",
                                                              "bool", "dtype_arg"])
def test_repr(init, dtype, expected):
    v = tf.Variable(init, dtype=dtype)
    assert repr(v) == expected
    assert str(v) == expected


def test_repr_with_name():
    assert repr(tf.Variable([1.0, 2.0], name="w")) == (
        "<tf.Variable 'w:0' shape=(2,) dtype=float32, numpy=array([1., 2.], dtype=float32)>")


def test_repr_of_a_large_variable_is_summarised_like_numpy():
    v = tf.Variable(tf.zeros([20, 20]))
    text = repr(v)
    assert text.startswith("<tf.Variable 'Variable:0' shape=(20, 20) dtype=float32, numpy=\n"
                           "array([[0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., "
                           "0., 0.,\n        0., 0., 0., 0.],\n")
    assert text.endswith("        0., 0., 0., 0.]], dtype=float32)>")
    assert text.count("\n") == 40


# --- the assign family -----------------------------------------------------------------------


def unread(values):
    """TF's repr of what assign returns for a 2x2 float32 variable."""
    rows = ",\n       ".join("[" + ", ".join(f"{x:g}." for x in r) + "]" for r in values)
    return ("<tf.Variable 'UnreadVariable' shape=(2, 2) dtype=float32, numpy=\n"
            f"array([{rows}], dtype=float32)>")


def test_assign_family_returns_unread_variable():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    assert repr(v.assign([[5.0, 6.0], [7.0, 8.0]])) == unread([[5, 6], [7, 8]])
    assert repr(v.assign_add([[1.0, 1.0], [1.0, 1.0]])) == unread([[6, 7], [8, 9]])
    assert repr(v.assign_sub([[1.0, 1.0], [1.0, 1.0]])) == unread([[5, 6], [7, 8]])
    assert v.assign([[1.0, 2.0], [3.0, 4.0]], read_value=False) is None
    np.testing.assert_array_equal(v.numpy(), [[1, 2], [3, 4]])
    assert v.name == "Variable:0"  # the variable itself keeps its name


def test_assign_results_chain_and_read():
    v = tf.Variable([[1.0, 2.0]])
    r = v.assign([[1.0, 1.0]]).assign_add([[1.0, 1.0]])
    np.testing.assert_array_equal(v.numpy(), [[2.0, 2.0]])
    np.testing.assert_array_equal(r.numpy(), [[2.0, 2.0]])
    np.testing.assert_array_equal((v.assign([[3.0, 3.0]]) + 1).numpy(), [[4.0, 4.0]])


def test_assign_result_follows_later_assigns():
    v = tf.Variable(1.0)
    r = v.assign(2.0)
    v.assign(5.0)
    assert float(r) == 5.0  # an UnreadVariable is the variable, not a snapshot


def test_assign_accepts_convertible_values():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    v.assign([[1, 2], [3, 4]])  # Python ints convert to the variable's float32
    v.assign(np.ones((2, 2)))  # a float64 NumPy array too
    assert v.dtype == tf.float32
    np.testing.assert_array_equal(v.numpy(), np.ones((2, 2)))


def test_sliced_assign_element():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    r = v[0, 0].assign(3.0)
    assert repr(r) == unread([[3, 2], [3, 4]])
    np.testing.assert_array_equal(v.numpy(), [[3, 2], [3, 4]])


def test_sliced_assign_rows_and_broadcast_column():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    v[1:].assign([[9.0, 9.0]])
    np.testing.assert_array_equal(v.numpy(), [[1, 2], [9, 9]])
    v[:, 1].assign(0.0)
    np.testing.assert_array_equal(v.numpy(), [[1, 0], [9, 0]])
    v[0, 1].assign(7.0)
    np.testing.assert_array_equal(v.numpy(), [[1, 7], [9, 0]])


def test_sliced_assign_with_steps_and_negative_indices():
    v = tf.Variable([0.0, 1.0, 2.0, 3.0, 4.0])
    v[::2].assign([10.0, 20.0, 30.0])
    v[-1].assign(-1.0)
    np.testing.assert_array_equal(v.numpy(), [10, 1, 20, 3, -1])


def test_sliced_assign_wrong_shape():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot broadcast"):
        v[0].assign([1.0, 2.0, 3.0])


def test_assign_wrong_shape_raises_value_error():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="Shape mismatch"):
        v.assign([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(v.numpy(), [[1, 2], [3, 4]])


@pytest.mark.parametrize("delta", [[1.0, 2.0, 3.0], [1.0, 2.0], 1.0],
                         ids=["wrong", "broadcastable", "scalar"])
@pytest.mark.parametrize("op", ["assign_add", "assign_sub"])
def test_assign_add_sub_need_the_exact_shape(op, delta):
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="shapes must be equal"):
        getattr(v, op)(delta)


@pytest.mark.parametrize("value", [tf.constant([[1, 2], [3, 4]]),
                                   tf.constant([[1.0, 2.0], [3.0, 4.0]], tf.float64)],
                         ids=["int32", "float64"])
def test_assign_wrong_dtype_tensor_raises_value_error(value):
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32"):
        v.assign(value)


def test_int_variable_refuses_floats():
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.Variable([1, 2]).assign([2.5, 1.0])
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.Variable(1).assign_add(1.5)


# --- reads -----------------------------------------------------------------------------------


def test_read_value_and_value_are_tensors():
    v = tf.Variable([[1.0, 2.0]])
    for t in (v.read_value(), v.value(), tf.convert_to_tensor(v), tf.identity(v)):
        assert isinstance(t, tf.Tensor)
        assert t.dtype == tf.float32 and t.shape == (1, 2)
        np.testing.assert_array_equal(t.numpy(), [[1.0, 2.0]])
    assert repr(v.read_value()) == ("<tf.Tensor: shape=(1, 2), dtype=float32, "
                                    "numpy=array([[1., 2.]], dtype=float32)>")


def test_numpy_is_a_copy():
    v = tf.Variable([1.0, 2.0])
    a = v.numpy()
    a[0] = 100.0
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    assert isinstance(v.numpy(), np.ndarray)
    assert tf.Variable(2.5).numpy() == 2.5


def test_initial_numpy_array_is_copied():
    a = np.array([1.0, 2.0])
    v = tf.Variable(a)
    a[0] = 9.0
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])


def test_reads_before_an_assign_keep_their_old_value():
    v = tf.Variable([1.0, 2.0])
    reads = [v.read_value(), v + 0, v.numpy(), tf.identity(v), tf.convert_to_tensor(v),
             v.value(), v[0:2]]
    v.assign([5.0, 5.0])
    v.assign_add([1.0, 1.0])
    for r in reads:
        np.testing.assert_array_equal(np.asarray(r), [1.0, 2.0])
    np.testing.assert_array_equal(v.numpy(), [6.0, 6.0])


def test_np_array_of_variable():
    v = tf.Variable([[1.0, 2.0]])
    a = np.array(v)
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, [[1.0, 2.0]])


# --- operators that read the value -----------------------------------------------------------

OPERATORS = [
    ("add", lambda v: v + 1, [[2.0, 3.0]]),
    ("radd", lambda v: 1 + v, [[2.0, 3.0]]),
    ("sub", lambda v: v - 1.0, [[0.0, 1.0]]),
    ("rsub", lambda v: 1.0 - v, [[0.0, -1.0]]),
    ("mul", lambda v: v * v, [[1.0, 4.0]]),
    ("div", lambda v: v / 2.0, [[0.5, 1.0]]),
    ("pow", lambda v: v ** 2, [[1.0, 4.0]]),
    ("neg", lambda v: -v, [[-1.0, -2.0]]),
    ("abs", lambda v: abs(-v), [[1.0, 2.0]]),
    ("matmul", lambda v: v @ tf.constant([[1.0], [1.0]]), [[3.0]]),
    ("rmatmul", lambda v: tf.constant([[1.0], [1.0]]) @ v, [[1.0, 2.0], [1.0, 2.0]]),
    ("getitem_row", lambda v: v[0], [1.0, 2.0]),
    ("getitem_element", lambda v: v[0, 1], 2.0),
    ("getitem_slice", lambda v: v[:, ::-1], [[2.0, 1.0]]),
    ("eq", lambda v: v == tf.constant([[1.0, 3.0]]), [[True, False]]),
    ("gt", lambda v: v > 1, [[False, True]]),
    ("tf_op", lambda v: tf.reduce_sum(v), 3.0),
    ("tf_math", lambda v: tf.math.square(v), [[1.0, 4.0]]),
]


@pytest.mark.parametrize("op, expected", [pytest.param(f, e, id=n) for n, f, e in OPERATORS])
def test_operators_read_the_value(op, expected):
    v = tf.Variable([[1.0, 2.0]])
    out = op(v)
    assert isinstance(out, tf.Tensor)
    np.testing.assert_array_equal(out.numpy(), expected)


def test_operator_results_are_float32_tensors_with_tf_repr():
    v = tf.Variable([[1.0, 2.0]])
    assert repr(v + 1) == ("<tf.Tensor: shape=(1, 2), dtype=float32, "
                           "numpy=array([[2., 3.]], dtype=float32)>")
    assert repr(v[0, 1]) == "<tf.Tensor: shape=(), dtype=float32, numpy=2.0>"


# --- attributes ------------------------------------------------------------------------------


def test_attributes():
    v = tf.Variable([[1.0, 2.0]])
    assert v.shape == tf.TensorShape([1, 2]) and v.shape == (1, 2)
    assert repr(v.shape) == "TensorShape([1, 2])"
    assert v.get_shape() == (1, 2)
    assert v.dtype == tf.float32
    assert v.trainable is True
    assert tf.Variable(1.0, trainable=False).trainable is False
    assert tf.Variable([1.0, 2.0], dtype=tf.float64).dtype == tf.float64
    assert float(tf.Variable(2.5)) == 2.5


def test_callable_initial_value():
    v = tf.Variable(lambda: tf.ones([2]))
    np.testing.assert_array_equal(v.numpy(), [1.0, 1.0])


def test_missing_initial_value():
    with pytest.raises(ValueError, match="initial_value"):
        tf.Variable()


def test_variable_is_unhashable_but_has_ref():
    v = tf.Variable(1.0)
    with pytest.raises(TypeError, match="Variable is unhashable"):
        hash(v)
    d = {v.ref(): 1}
    assert d[v.ref()] == 1
    assert v.ref().deref() is v


def test_bool_of_non_scalar_variable():
    with pytest.raises(ValueError):
        bool(tf.Variable([1.0, 2.0]))
    assert bool(tf.Variable(1.0))


# === Regressions: TF behaviours tapeflow once got wrong (found by gradient and contract checks) ===


def test_unread_variable_name():
    assert tf.Variable(1.0).assign(2.0).name == "UnreadVariable"


def test_scalar_variable_stays_array_like_after_arithmetic_assigns():
    v = tf.Variable(0.)
    v.assign_add(1.)
    v.assign_sub(0.5)
    assert np.asarray(v) == np.float32(0.5) and np.asarray(v).dtype == np.float32
