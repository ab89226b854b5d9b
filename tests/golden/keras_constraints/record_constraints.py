"""Record the weight constraints under real Keras 3 (TensorFlow 2.21) into constraints.json, and
save a trained model with constraints on every kind of weight as model.keras (its predictions
and layer configs go into constraints.json too).

Run with an interpreter that has TensorFlow (never a project dependency):
``/root/tfvenv/bin/python tests/golden/keras_constraints/record_constraints.py``
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import constraint_cases  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402


def main():
    assert keras.__version__ == "3.15.1", keras.__version__
    out = {"tensorflow": tf.__version__, "keras": keras.__version__,
           "recorded_by": "tests/golden/keras_constraints/record_constraints.py", "cases": {}}
    for name, case in constraint_cases.CASES.items():
        keras.utils.clear_session()
        keras.utils.set_random_seed(0)
        out["cases"][name] = case(keras)
    keras.utils.clear_session()
    model = constraint_cases.compile_model(keras, constraint_cases.build_model(keras))
    for _ in range(2):
        model.train_on_batch(constraint_cases.TOKENS, constraint_cases.TOKEN_Y)
    model.save(os.path.join(HERE, "model.keras"))
    out["model"] = {
        "predictions": model.predict(constraint_cases.TOKENS, verbose=0).astype(
            "float64").tolist(),
        "layers": {layer.name: constraint_cases._plain(layer.get_config())
                   for layer in model.layers[1:]}}
    with open(os.path.join(HERE, "constraints.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(out['cases'])} cases -> constraints.json, model.keras")


if __name__ == "__main__":
    main()
