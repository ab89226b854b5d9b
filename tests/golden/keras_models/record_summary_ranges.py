"""Records Keras 3's ``summary(layer_range=..., expand_nested=...)`` into summary_ranges.json
(real TF 2.21).

Run from the repository root:
    COLUMNS=80 /root/tfvenv/bin/python tests/golden/keras_models/record_summary_ranges.py
"""
import contextlib
import io
import json
import os
import pathlib
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import keras  # noqa: E402
import model_cases as cases  # noqa: E402

# (model case, layer_range): names, regex patterns, a reversed pair, errors
RANGES = [("chapter7_sequential", ["my_first_layer", "my_first_layer"]),
          ("with_input", ["dense", "dropout"]),
          ("with_input", ["dropout", "dense_1"]),
          ("with_input", ["dense_1", "dense"]),
          ("functional_chain", ["dense.*", "dense.*"]),
          ("merges", ["concatenate", "add"]),
          ("with_input", ["nothing", "dense"]),
          ("with_input", ["dense"]),
          ("with_input", ["dense", 3])]
# (model case, summary kwargs) for nested models
NESTED = [("nested_models", {"expand_nested": True}),
          ("nested_models", {"expand_nested": False}),
          ("nested_models", {"expand_nested": True, "show_trainable": True}),
          ("nested_models", {"expand_nested": True, "layer_range": ["deeper", "deeper"]}),
          ("nested_functional", {"expand_nested": True})]


def main():
    out = {"keras": keras.__version__, "cases": []}
    for name, layer_range in RANGES:
        keras.backend.clear_session()
        model = getattr(cases, name)(keras)
        buf = io.StringIO()
        try:
            with contextlib.redirect_stdout(buf):
                model.summary(layer_range=layer_range)
            result = {"text": buf.getvalue()}
        except Exception as e:  # noqa: BLE001 - the error is the golden
            result = {"error": type(e).__name__, "message": str(e)}
        out["cases"].append({"model": name, "layer_range": layer_range, **result})
    out["nested"] = []
    for name, kwargs in NESTED:
        keras.backend.clear_session()
        model = getattr(cases, name)(keras)
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            model.summary(**kwargs)
        out["nested"].append({"model": name, "kwargs": kwargs, "text": buf.getvalue()})
    (HERE / "summary_ranges.json").write_text(json.dumps(out, indent=1) + "\n",
                                               encoding="utf-8")
    print(f"{len(out['cases'])} cases -> summary_ranges.json")


if __name__ == "__main__":
    main()
