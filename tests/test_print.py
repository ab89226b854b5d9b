"""tf.print writes exactly what TensorFlow 2.21 writes (tests/golden/tf_print/print.json)."""
import json
from pathlib import Path

import pytest

import tapeflow as tf

GOLDEN = json.loads((Path(__file__).parent / "golden" / "tf_print" / "print.json").read_text())


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=[c["id"] for c in GOLDEN["cases"]])
def test_print_matches_tensorflow(case, tmp_path):
    target = tmp_path / "out.txt"
    exec(case["code"][:-1] + f", output_stream='file://{target}')", {"tf": tf})
    assert target.read_text() == case["printed"]


def test_print_goes_to_stderr_by_default(capsys):
    tf.print(tf.constant([1, 2]))
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "[1 2]\n")


def test_print_to_stdout_object(capsys):
    import sys
    tf.print("x", tf.constant(0.5), output_stream=sys.stdout)
    assert capsys.readouterr().out == "x 0.5\n"
