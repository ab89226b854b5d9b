"""Keras models: Sequential, functional, subclassed; summary, weights, get_layer."""
import io
import sys

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import layers


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()
    yield


def chapter2():
    model = keras.Sequential([layers.Dense(512, activation="relu"),
                              layers.Dense(10, activation="softmax")])
    model.build((None, 784))
    return model


def test_sequential_list_add_build_pop():
    model = keras.Sequential(name="stack")
    model.add(layers.Dense(64, activation="relu"))
    assert not model.built
    model.add(layers.Dense(10))
    model.build((None, 3))
    assert model.count_params() == 3 * 64 + 64 + 64 * 10 + 10 == 906
    assert [w.path for w in model.weights][:2] == ["stack/dense/kernel", "stack/dense/bias"]
    popped = model.pop()
    assert popped.name == "dense_1" and len(model.layers) == 1
    assert model.output_shape == (None, 64)


def test_sequential_with_input_and_input_shape():
    a = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])
    assert a.built and a.count_params() == 10 and len(a.layers) == 1
    b = keras.Sequential([layers.Dense(2, input_shape=(4,))])
    assert b.built and b.count_params() == 10


def test_sequential_eager_call_builds():
    model = keras.Sequential([layers.Dense(3), layers.Dense(1)])
    y = model(np.ones((5, 2), "float32"))
    assert y.shape == (5, 1) and model.built and len(model.weights) == 4


def test_functional_lists_dicts_get_layer():
    title = keras.Input(shape=(3,), name="title")
    body = keras.Input(shape=(4,), name="body")
    x = layers.Concatenate()([title, body])
    x = layers.Dense(8, activation="relu")(x)
    priority = layers.Dense(1, activation="sigmoid", name="priority")(x)
    dept = layers.Dense(5, activation="softmax", name="dept")(x)
    model = keras.Model(inputs=[title, body], outputs=[priority, dept])
    assert [layer.name for layer in model.layers] == ["title", "body", "concatenate",
                                                      "dense", "priority", "dept"]
    assert model.get_layer("dept").units == 5 and model.get_layer(index=2).name == "concatenate"
    p, d = model([np.ones((2, 3)), np.ones((2, 4))])
    assert p.shape == (2, 1) and d.shape == (2, 5)
    p2, _ = model({"title": np.ones((2, 3)), "body": np.ones((2, 4))})
    np.testing.assert_allclose(p2, p)
    out = keras.Model({"title": title, "body": body}, {"p": priority, "d": dept})(
        {"title": np.ones((2, 3)), "body": np.ones((2, 4))})
    np.testing.assert_allclose(out["d"], d)
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")


def test_functional_nested_model_as_layer():
    inner_in = keras.Input((3,))
    inner = keras.Model(inner_in, layers.Dense(2)(inner_in), name="inner")
    x = keras.Input((3,))
    outer = keras.Model(x, layers.Dense(1)(inner(x)))
    assert outer(np.ones((4, 3))).shape == (4, 1) and len(outer.trainable_weights) == 4


def test_subclassed_model():
    class Classifier(keras.Model):
        def __init__(self, num_classes=3):
            super().__init__()
            self.hidden = layers.Dense(8, activation="relu")
            self.drop = layers.Dropout(0.5)
            self.out = layers.Dense(num_classes, activation="softmax")

        def call(self, inputs, training=False):
            return self.out(self.drop(self.hidden(inputs), training=training))

    model = Classifier()
    assert model.name == "classifier"
    y = model(np.ones((2, 4)))
    assert y.shape == (2, 3) and len(model.layers) == 3 and len(model.weights) == 4
    np.testing.assert_allclose(np.sum(y, axis=1), [1, 1], rtol=1e-6)


def test_get_set_weights_round_trip():
    a, b = chapter2(), chapter2()
    b.set_weights(a.get_weights())
    x = np.random.default_rng(0).random((3, 784)).astype("float32")
    np.testing.assert_allclose(a(x), b(x))
    with pytest.raises(ValueError):
        b.set_weights(a.get_weights()[:1])


def capture_summary(model, **kwargs):
    out = io.StringIO()
    old = sys.stdout
    sys.stdout = out
    try:
        model.summary(**kwargs)
    finally:
        sys.stdout = old
    return out.getvalue()


def test_summary_box_layout_matches_keras(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    text = capture_summary(chapter2())
    assert text.splitlines() == [
        'Model: "sequential"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ dense (Dense)                   │ (None, 512)            │       401,920 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ dense_1 (Dense)                 │ (None, 10)             │         5,130 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 407,050 (1.55 MB)",
        " Trainable params: 407,050 (1.55 MB)",
        " Non-trainable params: 0 (0.00 B)"]


def test_summary_ascii_fallback(monkeypatch):
    class Latin1(io.StringIO):
        encoding = "latin-1"
    monkeypatch.setenv("COLUMNS", "80")
    out = Latin1()
    monkeypatch.setattr(sys, "stdout", out)
    chapter2().summary()
    text = out.getvalue()
    text.encode("ascii")
    assert "| dense (Dense)                   | (None, 512)            |       401,920 |" in text


def test_summary_unbuilt_and_print_fn(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    lines = []
    keras.Sequential([layers.Dense(4)]).summary(print_fn=lines.append)
    assert len(lines) == 1 and "│ dense (Dense)                   │ ?" in lines[0]
    assert "0 (unbuilt)" in lines[0]


def test_count_params_unbuilt_raises():
    with pytest.raises(ValueError, match="isn't built"):
        layers.Dense(3).count_params()


def test_variables_are_tapeflow_variables():
    model = chapter2()
    assert all(isinstance(w, tf.Variable) for w in model.trainable_variables)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(np.ones((2, 784), "float32")))
    grads = tape.gradient(loss, model.trainable_weights)
    assert [g.shape for g in grads] == [w.shape for w in model.trainable_weights]


# -- goldens recorded from real Keras 3 (tests/golden/keras_models/record_keras.py) ------------
GOLDEN_DIR = __import__("pathlib").Path(__file__).resolve().parents[1] / "golden" / "keras_models"
sys.path.insert(0, str(GOLDEN_DIR))
import model_cases as cases

GOLDEN = __import__("json").loads((GOLDEN_DIR / "keras_models.json").read_text())


@pytest.mark.parametrize("name", cases.SUMMARY_CASES)
def test_summary_and_params_match_keras(name, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    model = getattr(cases, name)(keras)
    assert capture_summary(model) == GOLDEN["summaries"][name]
    if name in cases.SUMMARY_KWARGS:
        assert capture_summary(model, **cases.SUMMARY_KWARGS[name]) == \
            GOLDEN["summaries"][name + "+kwargs"]
    params = GOLDEN["params"][name]
    assert sum(int(np.prod(w.shape)) for w in model.weights) == params["total"]
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == params["trainable"]
    assert [[w.path, list(w.shape)] for w in model.weights] == params["weights"]


SUMMARY_EXTRAS = __import__("json").loads((GOLDEN_DIR / "summary_ranges.json").read_text())
RANGES = SUMMARY_EXTRAS["cases"]


@pytest.mark.parametrize("case", SUMMARY_EXTRAS["nested"],
                         ids=lambda c: f"{c['model']}-{sorted(c['kwargs'].items())}")
def test_summary_expand_nested_matches_keras(case, monkeypatch):
    # recorded by tests/golden/keras_models/record_summary_ranges.py
    monkeypatch.setenv("COLUMNS", "80")
    keras.backend.clear_session()
    model = getattr(cases, case["model"])(keras)
    assert capture_summary(model, **case["kwargs"]) == case["text"]


@pytest.mark.parametrize("case", RANGES, ids=lambda c: f"{c['model']}-{c['layer_range']}")
def test_summary_layer_range_matches_keras(case, monkeypatch):
    # recorded by tests/golden/keras_models/record_summary_ranges.py
    monkeypatch.setenv("COLUMNS", "80")
    keras.backend.clear_session()
    model = getattr(cases, case["model"])(keras)
    if "error" in case:
        with pytest.raises(ValueError) as info:
            model.summary(layer_range=case["layer_range"])
        assert str(info.value) == case["message"]
    else:
        assert capture_summary(model, layer_range=case["layer_range"]) == case["text"]


@pytest.mark.parametrize("name", sorted(cases.OUTPUT_CASES))
def test_outputs_for_fixed_weights_match_keras(name):
    model = cases.fixed_weights(getattr(cases, name)(keras))
    got = model.predict(cases.OUTPUT_CASES[name](), verbose=0)
    np.testing.assert_allclose(got, np.array(GOLDEN["outputs"][name], np.float32), rtol=2e-5,
                               atol=2e-6)
