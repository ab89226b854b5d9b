"""Chollet chapter 3 and 7 workflows: every script in examples/ runs under `tapeflow run`
and prints what it prints on real TensorFlow 2.21 (recorded in tests/golden/keras_models/
examples/ by record_keras.py). Numbers that depend on random initialisation (those with a
decimal point) are compared as placeholders; everything else -- shapes, History keys, layer
names, whole summary tables -- must match line for line."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "keras_models" / "examples"
SCRIPTS = sorted((ROOT / "examples").glob("*.py"))
_FLOAT = re.compile(r"-?\d+\.\d+(e-?\d+)?")


def normalise(text):
    return [_FLOAT.sub("#", line.rstrip()) for line in text.splitlines()]


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_example_runs_like_tensorflow(script):
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "tapeflow", "run", str(script)],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=300,
                         check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    assert normalise(run.stdout) == normalise((GOLDEN / f"{script.stem}.out").read_text())


def test_every_example_has_a_golden():
    assert {s.stem for s in SCRIPTS} == {g.stem for g in GOLDEN.glob("*.out")}
