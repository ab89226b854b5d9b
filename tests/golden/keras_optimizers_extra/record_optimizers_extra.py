"""Record Lion, Adafactor and Ftrl under real Keras 3 (TensorFlow 2.21) into optimizers.json,
and a ``fit_<case>.keras`` file per fit case (model + optimizer state, written by Keras).

Run with an interpreter that has TensorFlow (never a project dependency):
``/root/tfvenv/bin/python tests/golden/keras_optimizers_extra/record_optimizers_extra.py``
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import optimizer_cases  # noqa: E402


def variable(value, name):
    return keras.Variable(value, name=name)


def main():
    out = {"tensorflow": tf.__version__, "keras": keras.__version__,
           "recorded_by": "tests/golden/keras_optimizers_extra/record_optimizers_extra.py",
           "cases": {}}
    for name, case in optimizer_cases.CASES.items():
        keras.utils.clear_session()
        keras.utils.set_random_seed(0)
        out["cases"][name] = case(keras, variable)
    with open(os.path.join(HERE, "optimizers.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    for name in ("lion", "adafactor", "ftrl"):
        keras.utils.clear_session()
        keras.utils.set_random_seed(0)
        model, _ = optimizer_cases.fit_model(keras, name)
        model.save(os.path.join(HERE, f"fit_{name}.keras"))
    print(f"{len(out['cases'])} cases -> optimizers.json, 3 .keras files")


if __name__ == "__main__":
    main()
