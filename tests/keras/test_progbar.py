"""keras.utils.Progbar: Keras 3's bytes on a terminal, one plain line per bar in a file/pipe."""
import io
import re
import subprocess
import sys

import golden_replay as _golden
import pytest

from tapeflow.keras.utils import progbar

CASES = _golden.cases("progbar")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(autouse=True)
def _colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_terminal_output_is_keras_byte_for_byte(case):
    assert _golden.run(case["code"]) == case["result"]


def _plain_run(body, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(progbar.time, "time", lambda: clock[0])
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    body(clock)
    return out.getvalue()


def test_pipe_gets_one_plain_line(monkeypatch):
    def body(clock):
        bar = progbar.Progbar(3)
        assert not bar._dynamic_display  # StringIO is not a terminal
        for i in range(3):
            clock[0] += 0.5
            bar.update(i + 1, [("loss", 0.25)])

    text = _plain_run(body, monkeypatch)
    assert text == "3/3 ━━━━━━━━━━━━━━━━━━━━ 2s 500ms/step - loss: 0.2500\n"


def test_plain_line_is_the_terminal_final_state_without_control_codes(monkeypatch):
    case = next(c for c in CASES if c["id"] == "progbar/basic")
    final = ANSI.sub("", case["result"].split("\r")[-1]).rstrip(" \n")

    def body(clock):
        bar = progbar.Progbar(5)
        for i in range(5):
            clock[0] += 0.1
            bar.update(i + 1, [("loss", 0.5 / (i + 1)), ("acc", 1e-4)])

    assert _plain_run(body, monkeypatch) == final + "\n"


def test_no_color_keeps_redraws_but_drops_escapes(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")

    def body(clock):
        bar = progbar.Progbar(2)
        bar._dynamic_display = True
        for i in range(2):
            clock[0] += 0.1
            bar.update(i + 1)

    text = _plain_run(body, monkeypatch)
    assert "\x1b" not in text and "\r" in text
    assert text.endswith("2/2 ━━━━━━━━━━━━━━━━━━━━ 0s 100ms/step\n")


def test_unencodable_stream_falls_back_to_equals(tmp_path):
    code = ("import sys, io\n"
            "sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding='ascii')\n"
            "from tapeflow.keras.utils.progbar import Progbar\n"
            "p = Progbar(2)\np.update(1)\np.update(2)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert re.fullmatch(r"2/2 =+ \d+s \d+us/step\n", out), out


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="Only one of"):
        progbar.Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])
