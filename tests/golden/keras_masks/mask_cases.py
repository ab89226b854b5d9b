"""Mask propagation cases shared by the recorder (real Keras 3 on TF 2.21) and the tests.

Each case takes the ``keras`` module and ``get_mask`` (how to read the mask attached to an
eager tensor) and returns a dict of plain values: masks as nested lists of bools, losses and
metrics as floats, weights after a step as nested lists.
"""
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "keras_models"))
from model_cases import fixed_weights  # noqa: E402  (the same weights as the model goldens)

# ruff: noqa: C408


X = np.array([[1, 2, 3, 0, 0], [4, 0, 5, 0, 0], [2, 2, 0, 0, 0]], dtype="int32")
Y = np.array([[1, 0, 2, 3, 1], [2, 3, 1, 0, 0], [0, 1, 2, 2, 2]], dtype="int32")


def _mask(get_mask, t):
    m = get_mask(t)
    return None if m is None else np.asarray(m).astype(bool).tolist()


def _sequence_model(keras, activation="softmax", units=4):
    model = keras.Sequential([keras.Input(shape=(5,), dtype="int32"),
                              keras.layers.Embedding(6, 3, mask_zero=True),
                              keras.layers.Dense(units, activation=activation)])
    return fixed_weights(model)


def embedding_masks(keras, get_mask):
    emb = keras.layers.Embedding(6, 3, mask_zero=True)
    dense = keras.layers.Dense(2)
    e = emb(X)
    d = dense(e)
    return {"embedding": _mask(get_mask, e), "dense": _mask(get_mask, d),
            "no_mask_zero": _mask(get_mask, keras.layers.Embedding(6, 3)(X))}


def masked_sparse_crossentropy(keras, get_mask):
    model = _sequence_model(keras)
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    before = model.evaluate(X, Y, verbose=0, return_dict=True)
    step = model.train_on_batch(X, Y, return_dict=True)
    after = model.evaluate(X, Y, verbose=0, return_dict=True)
    return {"evaluate": {k: float(v) for k, v in before.items()},
            "train_on_batch": {k: float(v) for k, v in step.items()},
            "after_step": {k: float(v) for k, v in after.items()},
            "weights": [np.round(w.astype(np.float64), 6).tolist() for w in model.get_weights()]}


def masked_mse(keras, get_mask):
    model = _sequence_model(keras, activation=None, units=1)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    y = (Y[..., None] / 3.0).astype("float32")
    return {k: float(v) for k, v in model.evaluate(X, y, verbose=0, return_dict=True).items()}


def flatten_drops_the_mask(keras, get_mask):
    e = keras.layers.Embedding(6, 3, mask_zero=True)(X)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f = keras.layers.Flatten()(e)
    return {"mask": _mask(get_mask, f),
            "warnings": [str(w.message) for w in caught
                         if "does not support masking" in str(w.message)]}


def merge_masks(keras, get_mask):
    a = np.array([[1, 0, 2], [0, 0, 3]], dtype="int32")
    b = np.array([[0, 0, 1], [5, 0, 0]], dtype="int32")
    ea = keras.layers.Embedding(6, 2, mask_zero=True)(a)
    eb = keras.layers.Embedding(6, 2, mask_zero=True)(b)
    plain = keras.layers.Embedding(6, 2)(b)
    return {"add": _mask(get_mask, keras.layers.Add()([ea, eb])),
            "maximum": _mask(get_mask, keras.layers.Maximum()([ea, eb])),
            "add_with_unmasked": _mask(get_mask, keras.layers.Add()([ea, plain])),
            "concatenate_last": _mask(get_mask, keras.layers.Concatenate()([ea, eb])),
            "concatenate_with_unmasked": _mask(get_mask,
                                               keras.layers.Concatenate()([ea, plain])),
            "concatenate_axis1": _mask(get_mask, keras.layers.Concatenate(axis=1)([ea, eb]))}


def functional_two_inputs(keras, get_mask):
    ia = keras.Input(shape=(3,), dtype="int32")
    ib = keras.Input(shape=(3,), dtype="int32")
    emb = keras.layers.Embedding(6, 2, mask_zero=True)
    h = keras.layers.Add()([emb(ia), emb(ib)])
    out = keras.layers.Dense(3, activation="softmax")(h)
    model = fixed_weights(keras.Model([ia, ib], out))
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    a = np.array([[1, 0, 2], [0, 0, 3]], dtype="int32")
    b = np.array([[0, 0, 1], [5, 0, 0]], dtype="int32")
    y = np.array([[0, 1, 2], [1, 1, 0]], dtype="int32")
    pred = model([a, b])
    return {"output_mask": _mask(get_mask, pred),
            "evaluate": {k: float(v) for k, v in
                         model.evaluate([a, b], y, verbose=0, return_dict=True).items()}}


def lambda_masks(keras, get_mask):
    e = keras.layers.Embedding(6, 3, mask_zero=True)(X)
    seen = {}

    def f(x, mask=None):
        seen["mask"] = None if mask is None else np.asarray(mask).astype(bool).tolist()
        return x * 2.0

    out = keras.layers.Lambda(f)(e)
    custom = keras.layers.Lambda(lambda x: x, mask=lambda inputs, mask: mask[:, :2])(e)
    return {"fn_got": seen["mask"], "plain_lambda_output": _mask(get_mask, out),
            "custom_mask": _mask(get_mask, custom)}


CASES = {f.__name__: f for f in [embedding_masks, masked_sparse_crossentropy, masked_mse,
                                 flatten_drops_the_mask, merge_masks, functional_two_inputs,
                                 lambda_masks]}
