"""Replay the Keras goldens recorded by tests/golden/keras_training/record_keras.py."""
import importlib.util
import json
import os
import types
import warnings

import numpy as np

import tapeflow as tf

GOLDEN = os.path.join(os.path.dirname(__file__), os.pardir, "golden", "keras_training")
# Load the recorder's helper by path under a unique name (other golden folders have helpers too).
_spec = importlib.util.spec_from_file_location("keras_training_snippets",
                                               os.path.join(GOLDEN, "_snippets.py"))
_snippets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_snippets)

_NAMESPACE = None


def keras_namespace():
    global _NAMESPACE
    if _NAMESPACE is None:
        _NAMESPACE = _build_namespace()
    return _NAMESPACE


def _build_namespace():
    """tapeflow.keras, with engineer B's modules attached if the package does not export them."""
    import importlib
    keras = importlib.import_module("tapeflow.keras")
    ns = types.SimpleNamespace()
    for k in dir(keras):
        if not k.startswith("__"):
            try:
                setattr(ns, k, getattr(keras, k))
            except Exception:  # noqa: BLE001 - a sibling module still being written
                pass
    for name in ("losses", "metrics", "optimizers", "callbacks", "activations", "initializers",
                 "regularizers"):
        try:
            setattr(ns, name, importlib.import_module(f"tapeflow.keras.{name}"))
        except ImportError:
            pass  # not written yet
    try:
        ns.utils = importlib.import_module("tapeflow.keras.utils")
    except Exception:  # noqa: BLE001 - engineer C's package may be mid-change
        ns.utils = types.SimpleNamespace()
    try:
        has_progbar = hasattr(ns.utils, "Progbar")
    except Exception:  # noqa: BLE001
        has_progbar = False
    if not has_progbar:
        try:
            progbar = importlib.import_module("tapeflow.keras.utils.progbar")
            ns.utils = types.SimpleNamespace(Progbar=progbar.Progbar)
        except ImportError:
            pass
    return ns


def cases(group):
    with open(os.path.join(GOLDEN, f"{group}.json")) as f:
        return json.load(f)


def run(code):
    import importlib
    ns = {"tf": tf, "np": np, "keras": keras_namespace(),
          "pbmod": importlib.import_module("tapeflow.keras.utils.progbar")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _snippets.describe(_snippets.run(code, ns))
        except Exception as e:  # noqa: BLE001
            return {"error": type(e).__name__, "message": str(e)}


def assert_matches(got, want, rtol=1e-5, atol=1e-6, where=""):
    if isinstance(want, dict) and "error" in want:
        assert isinstance(got, dict) and got.get("error") == want["error"], (where, got, want)
        return
    if isinstance(want, dict) and "value" in want:
        assert isinstance(got, dict) and "value" in got, (where, got, want)
        assert got["shape"] == want["shape"], (where, got["shape"], want["shape"])
        np.testing.assert_allclose(np.asarray(got["value"], dtype=float),
                                   np.asarray(want["value"], dtype=float), rtol=rtol,
                                   atol=atol, err_msg=where)
        return
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), (where, got, want)
        for k in want:
            assert_matches(got[k], want[k], rtol, atol, f"{where}.{k}")
        return
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), (where, got, want)
        for i, (g, w) in enumerate(zip(got, want)):
            assert_matches(g, w, rtol, atol, f"{where}[{i}]")
        return
    if isinstance(want, float):
        if isinstance(got, dict) and "value" in got:
            got = float(np.asarray(got["value"]))
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=where)
        return
    assert got == want, (where, got, want)
