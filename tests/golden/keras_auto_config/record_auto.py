"""Record Keras 3's automatic layer configs (real TF 2.21) into auto_config.json.

Run: ``/root/tfvenv/bin/python tests/golden/keras_auto_config/record_auto.py``
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import auto_cases  # noqa: E402
import keras  # noqa: E402


def main():
    out = {"keras": keras.__version__, "cases": auto_cases.run(keras)}
    with open(os.path.join(HERE, "auto_config.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(out['cases'])} cases -> auto_config.json")


if __name__ == "__main__":
    main()
