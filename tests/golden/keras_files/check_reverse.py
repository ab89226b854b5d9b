"""The other direction: files saved by tapeflow, loaded by REAL Keras 3 (wherever TF is installed).

    .venv/bin/python tests/golden/keras_files/check_reverse.py [--tf-python /root/tfvenv/bin/python]

Step 1 (this Python, tapeflow): build every case of cases.py, train two steps, save
``<case>.keras`` and ``<case>.weights.h5`` and tapeflow's predictions to a temporary folder.
Step 2 (TensorFlow's Python, same script with --keras-side): ``keras.saving.load_model`` each
file, compare predictions (rtol 1e-5) and every weight and optimizer variable bit for bit
against the arrays in the file, load each ``.weights.h5`` into a model Keras builds itself, and
train one more step. Prints one line per check; exits 1 if any fails.
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cases
import numpy as np


def _as_list(y):
    return list(y) if isinstance(y, (list, tuple)) else [y]


def tapeflow_side(folder):
    from tapeflow import keras
    from tapeflow.keras import saving
    expected = {}
    for name in cases.CASES:
        keras.utils.set_random_seed(1)
        model, compile_kwargs = cases.build(name, keras)
        model.compile(**compile_kwargs)
        model.fit(cases.inputs(name), cases.targets(name), batch_size=3, epochs=1, verbose=0,
                  shuffle=False)
        saving.save_model(model, os.path.join(folder, f"{name}.keras"))
        saving.save_weights(model, os.path.join(folder, f"{name}.weights.h5"))
        for i, y in enumerate(_as_list(model.predict(cases.inputs(name), verbose=0))):
            expected[f"{name}/y{i}"] = np.asarray(y)
    lam = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda t: t * 2.0 + 1.0),
                            keras.layers.Dense(2)])
    saving.save_model(lam, os.path.join(folder, "lambda.keras"))
    expected["lambda/y0"] = lam.predict(cases.inputs("lambda"), verbose=0)
    np.savez(os.path.join(folder, "tapeflow_predictions.npz"), **expected)


def keras_side(folder):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import io
    import zipfile

    import h5py
    import keras
    cases.custom_objects(keras)
    expected = np.load(os.path.join(folder, "tapeflow_predictions.npz"), allow_pickle=False)
    failures = 0

    def report(ok, what):
        nonlocal failures
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {what}")

    def same_predictions(model, name):
        got = _as_list(model.predict(cases.inputs(name), verbose=0))
        want = [expected[k] for k in sorted(k for k in expected.files
                                            if k.startswith(f"{name}/y"))]
        return len(got) == len(want) and all(
            np.allclose(g, w, rtol=1e-5, atol=1e-6) for g, w in zip(got, want))

    def file_arrays(h5):
        out = {}
        h5.visititems(lambda key, obj: out.__setitem__(key, obj[()])
                      if isinstance(obj, h5py.Dataset) else None)
        return out

    print(f"keras {keras.__version__}, files from tapeflow in {folder}")
    for name in cases.CASES:
        path = os.path.join(folder, f"{name}.keras")
        try:
            model = keras.saving.load_model(path)
        except Exception as error:  # noqa: BLE001 - report and go on
            report(False, f"{name}.keras: load_model raised {type(error).__name__}: {error}")
            continue
        report(same_predictions(model, name), f"{name}.keras: predictions (rtol 1e-5)")
        with zipfile.ZipFile(path) as archive:
            arrays = file_arrays(h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r"))
        weights_ok = all(any(np.array_equal(w.numpy(), a) for a in arrays.values())
                         for w in model.weights)
        report(weights_ok, f"{name}.keras: every weight equals an array of the file bit for bit")
        opt = [np.asarray(v.numpy()) for v in model.optimizer.variables]
        saved = [arrays[f"optimizer/vars/{i}"] for i in range(len(opt))
                 if f"optimizer/vars/{i}" in arrays]
        report(len(opt) == len(saved) and all(np.array_equal(a, b) for a, b in zip(opt, saved)),
               f"{name}.keras: optimizer state ({len(opt)} variables, iterations "
               f"{int(model.optimizer.iterations.numpy())}) bit for bit")
        history = model.fit(cases.inputs(name), cases.targets(name), epochs=1, verbose=0)
        report(np.isfinite(history.history["loss"][0]), f"{name}.keras: training resumes")
        keras.utils.set_random_seed(3)
        fresh, compile_kwargs = cases.build(name, keras)
        fresh.compile(**compile_kwargs)
        fresh.optimizer.build(fresh.trainable_variables)
        try:
            fresh.load_weights(os.path.join(folder, f"{name}.weights.h5"))
            report(same_predictions(fresh, name), f"{name}.weights.h5: load_weights, predictions")
        except Exception as error:  # noqa: BLE001
            report(False, f"{name}.weights.h5: load_weights raised {error}")
    try:
        keras.saving.load_model(os.path.join(folder, "lambda.keras"))
        report(False, "lambda.keras: Keras refused the lambda under safe_mode")
    except ValueError:
        report(True, "lambda.keras: Keras refuses the lambda under safe_mode")
    model = keras.saving.load_model(os.path.join(folder, "lambda.keras"), safe_mode=False)
    report(same_predictions(model, "lambda"), "lambda.keras: safe_mode=False, predictions")
    print("all checks passed" if not failures else f"{failures} check(s) failed")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tf-python", default=os.environ.get("TF_PYTHON",
                                                              "/root/tfvenv/bin/python"))
    parser.add_argument("--keras-side", metavar="FOLDER")
    args = parser.parse_args()
    if args.keras_side:
        return keras_side(args.keras_side)
    if not os.path.exists(args.tf_python):
        print(f"No TensorFlow Python at {args.tf_python}; pass --tf-python.")
        return 2
    with tempfile.TemporaryDirectory() as folder:
        tapeflow_side(folder)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow")
        return subprocess.call([args.tf_python, os.path.abspath(__file__), "--keras-side",
                                folder], env=env)


if __name__ == "__main__":
    sys.exit(main())
