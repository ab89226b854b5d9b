"""Record the activation layers under real Keras 3.15 (TensorFlow 2.21) into goldens.json, and
save a model of all five as model.keras (its predictions go into goldens.json too).

Run with an interpreter that has TensorFlow (never a project dependency):
``/root/tfvenv/bin/python tests/golden/keras_activation_layers/record.py``
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import activation_cases  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402


def get_mask(t):
    return getattr(t, "_keras_mask", None)


def main():
    assert keras.__version__ == "3.15.1", keras.__version__
    out = {"tensorflow": tf.__version__, "keras": keras.__version__,
           "recorded_by": "tests/golden/keras_activation_layers/record.py", "cases": {}}
    for name, case in activation_cases.CASES.items():
        keras.utils.clear_session()
        keras.utils.set_random_seed(0)
        out["cases"][name] = case(keras, tf, get_mask)
    keras.utils.clear_session()
    model = activation_cases.build_model(keras)
    model.save(os.path.join(HERE, "model.keras"))
    out["model"] = {"predictions": model.predict(activation_cases.MODEL_X, verbose=0).astype(
        "float64").tolist(), "losses": [float(v) for v in model.losses],
        "layers": [layer.name for layer in model.layers]}
    with open(os.path.join(HERE, "goldens.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(out['cases'])} cases -> goldens.json, model.keras")


if __name__ == "__main__":
    main()
