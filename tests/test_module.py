"""tf.Module: names, name scopes and automatic tracking (checked against TF 2.21)."""
import pytest

import tapeflow as tf


class Dense(tf.Module):
    def __init__(self, n_in, n_out, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.w = tf.Variable(tf.ones([n_in, n_out]), name="w")
            self.b = tf.Variable(tf.zeros([n_out]), name="b")

    def __call__(self, x):
        return tf.matmul(x, self.w) + self.b


class MLP(tf.Module):
    """Variables and modules through attributes, a list, a dict and a tuple."""

    def __init__(self, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.layers = [Dense(2, 3), Dense(3, 1, name="out")]
            self.extra = {"scale": tf.Variable(1.0, name="scale"),
                          "steps": tf.Variable(0, trainable=False, name="steps")}
            self.pair = (tf.Variable(2.0, name="p0"), Dense(1, 1, name="tup"))


def names(items):
    return sorted(x.name for x in items)


# --- names -----------------------------------------------------------------------------------


def test_default_name_is_the_snake_case_class_name():
    assert Dense(1, 1).name == "dense"
    assert tf.Module().name == "module"

    class CamelCaseModule(tf.Module):
        pass
    assert CamelCaseModule().name == "camel_case_module"


def test_given_name():
    assert Dense(1, 1, name="my_dense").name == "my_dense"


def test_invalid_name():
    with pytest.raises(ValueError, match="is not a valid module name"):
        tf.Module(name="bad name")


def test_variables_are_named_under_the_module_scope():
    d = Dense(1, 1, name="d")
    assert names(d.variables) == ["d/b:0", "d/w:0"]


def test_reentering_the_name_scope():
    d = Dense(1, 1, name="d")
    with d.name_scope:
        v = tf.Variable(1.0, name="late")
    assert v.name == "d/late:0"


def test_with_name_scope_decorator():
    class WithMethod(tf.Module):
        def __init__(self):
            super().__init__(name="wm")
            self.v = None

        @tf.Module.with_name_scope
        def build(self):
            self.v = tf.Variable(1.0, name="v")
            return self.v.name

    assert WithMethod().build() == "wm/v:0"


# --- tracking --------------------------------------------------------------------------------


def test_tracking_through_attributes_lists_dicts_and_tuples():
    m = MLP()
    assert m.name == "mlp"
    assert len(m.variables) == 9
    assert len(m.trainable_variables) == 8
    assert [v.name.split("/")[-1] for v in m.non_trainable_variables] == ["steps:0"]
    assert sorted(s.name for s in m.submodules) == ["dense", "out", "tup"]
    assert isinstance(m.variables, tuple) and isinstance(m.submodules, tuple)
    assert isinstance(m.trainable_variables, tuple)


def test_trainable_variables_are_the_variables_minus_non_trainable():
    m = MLP()
    assert {id(v) for v in m.trainable_variables} == \
        {id(v) for v in m.variables if v.trainable}
    assert all(v.trainable for v in m.trainable_variables)


def test_nested_modules_contribute_their_variables():
    m = MLP()
    inner = {id(v) for layer in m.layers for v in layer.variables}
    assert inner <= {id(v) for v in m.variables}


def test_shared_variables_and_modules_are_listed_once():
    class Shared(tf.Module):
        def __init__(self):
            super().__init__()
            self.a = Dense(1, 1, name="a")
            self.b = self.a
            self.v = self.a.w
            self.lst = [self.a.w, self.a]

    s = Shared()
    assert names(s.variables) == ["a/b:0", "a/w:0"]
    assert [m.name for m in s.submodules] == ["a"]


def test_deeply_nested_containers_and_other_attributes():
    class Deep(tf.Module):
        def __init__(self):
            super().__init__()
            self.nested = {"x": [(tf.Variable(1.0, name="deep"),)]}
            self.not_a_variable = tf.constant(1.0)
            self.number = 3
            self.text = "hello"

    assert [v.name for v in Deep().variables] == ["deep:0"]


def test_attributes_added_later_are_tracked():
    m = tf.Module()
    m.v = tf.Variable(1.0)
    m.sub = Dense(1, 1, name="s")
    assert len(m.variables) == 3 and len(m.submodules) == 1
    m.sub = None
    assert len(m.variables) == 1 and m.submodules == ()


def test_module_does_not_list_itself_and_handles_cycles():
    a, b = tf.Module(name="a"), tf.Module(name="b")
    a.child, b.child = b, a
    a.v = tf.Variable(1.0)
    assert [m.name for m in a.submodules] == ["b"]
    assert len(a.variables) == 1


def test_trainable_variables_feed_a_tape():
    m = MLP()
    with tf.GradientTape() as tape:
        y = m.layers[1](m.layers[0](tf.ones([1, 2]))) * m.extra["scale"]
    grads = dict(zip([v.name for v in m.trainable_variables],
                     tape.gradient(y, m.trainable_variables)))
    assert grads["mlp/p0:0"] is None
    assert grads["mlp/scale:0"].shape == ()
    connected = sorted(k for k, g in grads.items() if g is not None)
    assert len(connected) == 5  # scale and the two Dense layers' w and b


# === Regressions: TF behaviours tapeflow once got wrong (found by gradient and contract checks) ===


def test_nested_module_variable_names():
    assert names(MLP().variables) == [
        "mlp/dense/b:0", "mlp/dense/w:0", "mlp/out/b:0", "mlp/out/w:0", "mlp/p0:0",
        "mlp/scale:0", "mlp/steps:0", "mlp/tup/b:0", "mlp/tup/w:0"]
    with tf.name_scope("outer"):
        d = Dense(1, 1, name="d")
    assert names(d.variables) == ["outer/d/b:0", "outer/d/w:0"]


def test_name_scope_name_is_the_full_path_with_slash():
    assert Dense(1, 1, name="d").name_scope.name == "d/"
    with tf.name_scope("outer"):
        d = Dense(1, 1, name="d")
    assert d.name_scope.name == "outer/d/"


def test_variables_order_is_tfs():
    m = MLP()
    assert [v.name for v in m.variables] == [
        "mlp/scale:0", "mlp/steps:0", "mlp/p0:0", "mlp/dense/b:0", "mlp/dense/w:0",
        "mlp/out/b:0", "mlp/out/w:0", "mlp/tup/b:0", "mlp/tup/w:0"]
