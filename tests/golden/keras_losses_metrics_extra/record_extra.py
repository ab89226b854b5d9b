"""Record the extra losses and metrics under real Keras 3 (TensorFlow 2.21) into extra.json.

Run with an interpreter that has TensorFlow (never a project dependency):
``/root/tfvenv/bin/python tests/golden/keras_losses_metrics_extra/record_extra.py``
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import extra_cases  # noqa: E402


def main():
    out = {"tensorflow": tf.__version__, "keras": keras.__version__,
           "recorded_by": "tests/golden/keras_losses_metrics_extra/record_extra.py",
           "cases": {}}
    for name, case in extra_cases.CASES.items():
        keras.utils.clear_session()
        keras.utils.set_random_seed(0)
        out["cases"][name] = case(keras)
    with open(os.path.join(HERE, "extra.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(out['cases'])} cases -> extra.json")


if __name__ == "__main__":
    main()
