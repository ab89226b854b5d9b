"""Records the golden model files with REAL Keras 3.15 (run with TensorFlow's Python):

    /root/tfvenv/bin/python tests/golden/keras_files/record_keras_files.py

Writes <case>.keras, <case>.weights.h5, lambda.keras (a Lambda holding Python bytecode) and
expected.npz (inputs and Keras's predictions; numeric arrays only, loaded with
allow_pickle=False).
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cases
import keras
import numpy as np


def main():
    assert keras.__version__ == "3.15.1", keras.__version__
    expected = {}
    for name in cases.CASES:
        keras.utils.set_random_seed(1)
        model, compile_kwargs = cases.build(name, keras)
        model.compile(**compile_kwargs)
        model.fit(cases.inputs(name), cases.targets(name), batch_size=3, epochs=1, verbose=0,
                  shuffle=False)
        model.save(os.path.join(HERE, f"{name}.keras"))
        model.save_weights(os.path.join(HERE, f"{name}.weights.h5"))
        x = cases.inputs(name)
        for i, value in enumerate(x if isinstance(x, list) else [x]):
            expected[f"{name}/x{i}"] = value
        y = model.predict(x, verbose=0)
        for i, value in enumerate(y if isinstance(y, list) else [y]):
            expected[f"{name}/y{i}"] = np.asarray(value)
    keras.utils.set_random_seed(1)
    lam = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda t: t * 2.0 + 1.0),
                            keras.layers.Dense(2)])
    lam.save(os.path.join(HERE, "lambda.keras"))
    expected["lambda/x0"] = cases.inputs("lambda")
    expected["lambda/y0"] = lam.predict(cases.inputs("lambda"), verbose=0)
    np.savez(os.path.join(HERE, "expected.npz"), **expected)
    print("recorded", sorted(expected))


if __name__ == "__main__":
    main()
