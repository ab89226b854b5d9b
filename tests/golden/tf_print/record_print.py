"""Record what real TensorFlow's tf.print writes, into tests/golden/tf_print/print.json.

Run with a Python that has tensorflow-cpu 2.21: `/root/tfvenv/bin/python tests/golden/tf_print/record_print.py`.
Each case is one tf.print call; it runs with output_stream='file://...' appended and what it
writes is recorded verbatim.
"""
import json
import tempfile
from pathlib import Path

import numpy as np
import tensorflow as tf

CASES = [
    ("scalar_float", "tf.print(tf.constant(1.5))"),
    ("scalar_int", "tf.print(tf.constant(3))"),
    ("vector", "tf.print(tf.constant([1, 2, 3]))"),
    ("vector_float", "tf.print(tf.constant([0.5, 1.25, -2.0]))"),
    ("matrix", "tf.print(tf.constant([[1., 2.], [3., 4.]]))"),
    ("long_vector", "tf.print(tf.range(10))"),
    ("long_vector_summarize_2", "tf.print(tf.range(10), summarize=2)"),
    ("long_vector_summarize_all", "tf.print(tf.range(10), summarize=-1)"),
    ("big_matrix", "tf.print(tf.reshape(tf.range(64), (8, 8)))"),
    ("rank3", "tf.print(tf.reshape(tf.range(8), (2, 2, 2)))"),
    ("mixed", "tf.print('loss:', tf.constant(0.25), 'step', 3)"),
    ("sep_end", "tf.print('a', tf.constant([1, 2]), sep='|', end='!\\n')"),
    ("string_tensor", "tf.print(tf.constant('hello'))"),
    ("string_vector", "tf.print(tf.constant(['a', 'b']))"),
    ("bool_vector", "tf.print(tf.constant([True, False]))"),
    ("variable", "tf.print(tf.Variable([1., 2.]))"),
    ("float_precision", "tf.print(tf.constant([0.1, 1/3]))"),
    ("empty", "tf.print(tf.zeros((0,)))"),
    ("python_list", "tf.print([1, 2], {'a': tf.constant(1)})"),
]


def main():
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for cid, code in CASES:
            target = Path(tmp) / f"{cid}.txt"
            # TF writes to the C-level stream, so print to a file and read it back.
            exec(code[:-1] + f", output_stream='file://{target}')", {"tf": tf, "np": np})
            out.append({"id": cid, "code": code, "printed": target.read_text()})
    path = Path(__file__).with_name("print.json")
    path.write_text(json.dumps({"tensorflow": tf.__version__, "cases": out}, indent=1) + "\n")
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    main()
