"""Records the Keras goldens from real TensorFlow 2.21 / Keras 3.15 into keras_models.json.

Run with TensorFlow's interpreter, from the repository root:
    COLUMNS=80 /root/tfvenv/bin/python tests/golden/keras_models/record_keras.py
It also records the stdout of every script in examples/ (under examples/*.out here).
"""
import contextlib
import io
import json
import os
import pathlib
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE))

import keras
import model_cases as cases
import numpy as np


def summary_text(model, **kwargs):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.summary(**kwargs)
    return out.getvalue()


def record():
    golden = {"versions": {"keras": keras.__version__}, "summaries": {}, "params": {},
              "outputs": {}, "training": {}}
    for name in cases.SUMMARY_CASES:
        keras.backend.clear_session()
        model = getattr(cases, name)(keras)
        golden["summaries"][name] = summary_text(model)
        if name in cases.SUMMARY_KWARGS:
            golden["summaries"][name + "+kwargs"] = summary_text(model,
                                                                 **cases.SUMMARY_KWARGS[name])
        golden["params"][name] = {
            "total": int(sum(np.prod(w.shape) for w in model.weights)),
            "trainable": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
            "non_trainable": int(sum(np.prod(w.shape) for w in model.non_trainable_weights)),
            "weights": [[w.path, list(w.shape)] for w in model.weights]}
    for name, make_input in cases.OUTPUT_CASES.items():
        keras.backend.clear_session()
        model = cases.fixed_weights(getattr(cases, name)(keras))
        golden["outputs"][name] = np.asarray(model.predict(make_input(), verbose=0)).tolist()
    for name, model, compile_kwargs, (x, y), fit_kwargs in cases.training_cases(keras):
        keras.backend.clear_session()
        model.compile(**compile_kwargs)
        history = model.fit(x, y, epochs=2, batch_size=16, verbose=0, **fit_kwargs)
        result = model.evaluate(x, y, verbose=0)
        as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
        golden["training"][name] = {
            "history_keys": list(history.history), "epoch": history.epoch,
            "params": {k: v for k, v in history.params.items()},
            "evaluate_type": type(result).__name__,
            "evaluate_len": len(result) if isinstance(result, list) else None,
            "evaluate_dict_keys": list(as_dict),
            "evaluate_order": _order(result, as_dict),
            "metrics_names": model.metrics_names}
    (HERE / "keras_models.json").write_text(json.dumps(golden, indent=1, sort_keys=True))
    examples = HERE / "examples"
    examples.mkdir(exist_ok=True)
    for script in sorted((ROOT / "examples").glob("*.py")):
        run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                             cwd=ROOT, env={**os.environ, "COLUMNS": "80"}, check=True)
        (examples / (script.stem + ".out")).write_text(run.stdout)


def _order(result, as_dict):
    """Which dict key each position of the evaluate list holds (matched by value)."""
    if not isinstance(result, list):
        return None
    order, keys = [], list(as_dict)
    for value in result:
        match = [k for k in keys if abs(as_dict[k] - value) < 1e-9 and k not in order]
        order.append(match[0] if len(match) == 1 else "?")
    return order


if __name__ == "__main__":
    record()
