"""`tapeflow run` / `python -m tapeflow`: notebooks, scripts, figures and the tensorflow alias."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import tapeflow
from tapeflow import aliases, cli

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def core_ready():
    """Skips a test that needs the eager core (tf.ones, tf.Variable, GradientTape ...)."""
    if not hasattr(tapeflow, "GradientTape"):
        pytest.skip("core not landed yet (tapeflow.GradientTape is missing)")


def notebook(path: Path, *cells: str) -> Path:
    """Writes an nbformat-4 notebook whose code cells are `cells` (a markdown cell in between)."""
    nb_cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Prose\n", "x = 1/0\n"]}]
    for source in cells:
        lines = textwrap.dedent(source).strip("\n").splitlines(keepends=True)
        nb_cells.append(
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": lines,
            }
        )
    path.write_text(
        json.dumps({"cells": nb_cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    return path


def script(path: Path, source: str) -> Path:
    path.write_text(textwrap.dedent(source).lstrip("\n"))
    return path


def run_tapeflow(*args, cwd, env=None):
    """Runs `python -m tapeflow ARGS` in a subprocess, with an empty Keras cache."""
    environment = {**os.environ, "KERAS_HOME": str(Path(cwd) / ".keras-home"), **(env or {})}
    environment.pop("MPLBACKEND", None)
    return subprocess.run(
        [sys.executable, "-m", "tapeflow", *map(str, args)],
        cwd=cwd,
        env=environment,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )


def expected(*cells: str, failed: int = 0) -> str:
    body = "".join(f"--- cell {n} ---\n{out}" for n, out in enumerate(cells, start=1))
    return body + f"--- done: {failed} cells failed ---\n"


# --- notebooks ----------------------------------------------------------------------------------


def test_notebook_shows_what_jupyter_shows(tmp_path):
    nb = notebook(
        tmp_path / "basics.ipynb",
        "import numpy as np\nx = np.arange(3)\nx",
        "print('hello')\n1 + 1",
        "y = 5",
        "None",
        "x.sum();  # a trailing semicolon silences the value, as in Jupyter",
        "%matplotlib inline\n!pip install nothing\nif True:\n    %time 1\nprint('after magics')",
        "'text'",
        "def f():\n    return {'a': [1, 2]}\nf()",
    )
    result = run_tapeflow("run", nb, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == expected(
        "array([0, 1, 2])\n",
        "hello\n2\n",
        "",
        "",
        "",
        "after magics\n",
        "'text'\n",
        "{'a': [1, 2]}\n",
    )
    assert result.stderr == ""


def test_failing_cell_is_reported_and_the_run_goes_on(tmp_path):
    nb = notebook(
        tmp_path / "fails.ipynb",
        "print('before')",
        "def f(x):\n    return 1 / x",
        "print('partial')\ny = f(0)",
        "print('still running')",
        "def broken(:\n    pass",
        "import tensorflow.no_such_module",
    )
    result = run_tapeflow("run", nb, cwd=tmp_path)
    assert result.returncode == 1
    cells = split_cells(result.stdout)
    assert cells[1] == "before\n" and cells[4] == "still running\n"
    assert cells[2] == ""
    report = cells[3]
    assert report.startswith("partial\nTraceback (most recent call last):\n")
    assert 'File "<cell 3>", line 2, in <module>\n    y = f(0)' in report
    assert 'File "<cell 2>", line 2, in f\n    return 1 / x' in report
    assert "cell 3 failed: ZeroDivisionError: division by zero\n  at line 2: y = f(0)\n" in report
    assert "cli.py" not in report and "runpy" not in report  # the runner's frames are dropped
    assert "cell 5 failed: SyntaxError: " in cells[5] and "at line 1: def broken(:" in cells[5]
    assert (
        "cell 6 failed: ModuleNotFoundError: No module named 'tensorflow.no_such_module'"
        in (cells[6])
    )
    assert "'tapeflow.no_such_module'" in cells[6]
    assert result.stdout.endswith("--- done: 3 cells failed ---\n")
    assert "3 of 6 cells failed: 3, 5, 6" in result.stderr


def split_cells(stdout: str) -> dict[int, str]:
    """{cell number: its output} from the `--- cell N ---` framed output."""
    cells, number = {}, None
    for line in stdout.splitlines(keepends=True):
        if line.startswith("--- cell ") and line.endswith(" ---\n"):
            number = int(line[len("--- cell ") : -len(" ---\n")])
            cells[number] = ""
        elif line.startswith("--- done: "):
            number = None
        elif number is not None:
            cells[number] += line
    return cells


def test_notebook_figures_are_saved_as_png(tmp_path):
    pytest.importorskip("matplotlib")
    nb = notebook(
        tmp_path / "plots.ipynb",
        "import matplotlib\nimport matplotlib.pyplot as plt\nmatplotlib.get_backend().lower()",
        "plt.plot([1, 2, 3])\nplt.show()",
        "fig = plt.figure()\nplt.plot([3, 2, 1]);",  # left open: saved at the end
    )
    result = run_tapeflow("run", nb, "--figures", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == expected("'agg'\n", "", "")
    files = sorted((tmp_path / "out").iterdir())
    assert [f.name for f in files] == ["figure-1.png", "figure-2.png"]
    assert all(f.read_bytes().startswith(PNG_MAGIC) for f in files)
    assert f"2 figures saved in {tmp_path / 'out'}" in result.stderr
    assert not (tmp_path / "figures").exists()


def test_default_figures_folder_is_where_the_user_is(tmp_path):
    pytest.importorskip("matplotlib")
    (tmp_path / "nbs").mkdir()
    (tmp_path / "work").mkdir()
    nb = notebook(
        tmp_path / "nbs" / "plot.ipynb",
        "import os, matplotlib.pyplot as plt\nplt.plot([1]); plt.show()",
        "os.path.basename(os.getcwd())",  # a kernel runs in the notebook's folder
    )
    result = run_tapeflow("run", nb, cwd=tmp_path / "work")
    assert result.returncode == 0, result.stdout + result.stderr
    assert split_cells(result.stdout)[2] == "'nbs'\n"
    assert (tmp_path / "work" / "figures" / "figure-1.png").read_bytes().startswith(PNG_MAGIC)


def test_no_figures_no_folder_no_matplotlib(tmp_path):
    nb = notebook(tmp_path / "plain.ipynb", "import sys\n'matplotlib' in sys.modules")
    result = run_tapeflow("run", nb, cwd=tmp_path)
    assert result.stdout == expected("False\n")  # matplotlib loads only if the user imports it
    assert not (tmp_path / "figures").exists() and "figure" not in result.stderr


def test_bad_file_arguments(tmp_path):
    result = run_tapeflow("run", tmp_path / "missing.py", cwd=tmp_path)
    assert result.returncode == 2 and "no such file" in result.stderr
    (tmp_path / "bad.ipynb").write_text("{not json")
    result = run_tapeflow("run", tmp_path / "bad.ipynb", cwd=tmp_path)
    assert result.returncode == 2 and "not a Jupyter notebook" in result.stderr


# --- scripts ------------------------------------------------------------------------------------


def test_script_runs_as_main_with_its_folder_on_path_and_argv(tmp_path):
    pytest.importorskip("matplotlib")
    (tmp_path / "src").mkdir()
    script(tmp_path / "src" / "helper.py", "VALUE = 42\n")
    main = script(
        tmp_path / "src" / "main.py",
        """
        import sys
        import helper
        import matplotlib.pyplot as plt
        print(__name__, helper.VALUE, sys.argv[1:])
        plt.plot([1, 2]); plt.show()
        plt.plot([2, 1])
        """,
    )
    result = run_tapeflow(
        "run", main, "a", "--figures", "figs", "b", "--", "--figures", "c", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "__main__ 42 ['a', 'b', '--figures', 'c']\n"
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == ["figure-1.png", "figure-2.png"]


def test_script_errors_and_exit_codes(tmp_path):
    crash = script(tmp_path / "crash.py", "print('start')\nraise ValueError('bad value')\n")
    result = run_tapeflow("run", crash, cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == "start\n"
    assert "ValueError: bad value" in result.stderr and "crash.py" in result.stderr
    assert "runpy" not in result.stderr and "cli.py" not in result.stderr
    exits = script(tmp_path / "exits.py", "import sys\nsys.exit(3)\n")
    assert run_tapeflow("run", exits, cwd=tmp_path).returncode == 3


def test_tensorflow_and_keras_resolve_to_tapeflow_in_a_run(tmp_path):
    program = script(
        tmp_path / "aliases.py",
        """
        import tensorflow as tf
        import tensorflow.keras.datasets.mnist as m
        from tensorflow.keras.datasets import mnist
        import keras
        from keras.datasets import mnist as keras_mnist
        print(tf.__name__, mnist.__name__, keras.__name__)
        print(m is mnist is keras_mnist, tf.__spec__.name, mnist.__spec__.name)
        (x_train, y_train), _ = mnist.load_data()
        print(x_train.shape, y_train[420])
        try:
            import tensorflow.contrib.layers
        except ImportError as error:
            print(type(error).__name__, error.name)
            print("tapeflow.contrib" in str(error))
        """,
    )
    result = run_tapeflow("run", program, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "tapeflow tapeflow.keras.datasets.mnist tapeflow.keras",
        "True tapeflow tapeflow.keras.datasets.mnist",
        "(60000, 28, 28) 5",
        "ModuleNotFoundError tensorflow.contrib",
        "True",
    ]


def test_console_script_and_version(tmp_path):
    result = run_tapeflow("--version", cwd=tmp_path)
    assert result.stdout.strip() == f"tapeflow {tapeflow.__version__}"
    console = Path(sys.executable).parent / "tapeflow"
    if not console.exists():
        pytest.skip("the tapeflow console script is not installed next to this python")
    result = subprocess.run([str(console), "--help"], check=False, capture_output=True, text=True)
    assert result.returncode == 0 and "run" in result.stdout and "lab" in result.stdout


# --- nothing leaks outside a run ----------------------------------------------------------------


def test_keras_and_tensorflow_are_not_aliased_outside_run(tmp_path):
    code = textwrap.dedent("""
        import importlib.util, sys
        import tapeflow, tapeflow.cli, tapeflow.aliases, tapeflow.keras
        for name in ("keras", "tensorflow"):
            spec = importlib.util.find_spec(name)
            print(name, spec is None or "tapeflow" not in (spec.origin or ""))
        print(any(isinstance(f, tapeflow.aliases.AliasFinder) for f in sys.meta_path))
        print("matplotlib" in sys.modules)
        """)
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, cwd=tmp_path
    )
    assert result.stdout.splitlines() == ["keras True", "tensorflow True", "False", "False"]
    assert result.stderr == ""


def test_import_tapeflow_is_silent(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import tapeflow"],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def _snapshot():
    return (
        list(sys.meta_path),
        sys.argv[:],
        sys.path[:],
        sys.modules.get("__main__"),
        os.getcwd(),
        os.environ.get("MPLBACKEND"),
        {n for n in sys.modules if n.split(".")[0] in ("tensorflow", "keras")},
    )


def test_in_process_run_restores_the_interpreter(tmp_path, capsys):
    nb = notebook(
        tmp_path / "inproc.ipynb",
        "import tensorflow as tf, keras, sys\nimport tensorflow.keras.datasets\n"
        "print(tf.__name__, keras.__name__, sys.argv)",
        "raise RuntimeError('boom')",
    )
    before = _snapshot()
    status = cli.main(["run", str(nb), "--figures", str(tmp_path / "figs"), "--", "x"])
    out = capsys.readouterr().out
    assert status == 1
    assert f"tapeflow tapeflow.keras ['{nb}', 'x']" in out
    assert "cell 2 failed: RuntimeError: boom" in out
    assert _snapshot() == before
    assert not any(isinstance(f, aliases.AliasFinder) for f in sys.meta_path)
    assert tapeflow.__spec__.name == "tapeflow"
    with pytest.raises(ImportError):
        import tensorflow.keras.datasets  # noqa: F401  (no alias any more)


def test_alias_sets_aside_modules_already_imported_under_the_name(monkeypatch):
    import types

    impostor = types.ModuleType("keras")
    monkeypatch.setitem(sys.modules, "keras", impostor)
    with aliases.tensorflow_aliases():
        import keras

        assert keras is tapeflow.keras
    assert sys.modules["keras"] is impostor


def test_after_import_hook_fires_once_module_runs(monkeypatch):
    seen = []
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    with aliases.after_import("colorsys", seen.append):
        import colorsys
    assert seen == [colorsys] and callable(colorsys.rgb_to_hsv)
    assert colorsys.__spec__.name == "colorsys"


# --- with the core (these turn on by themselves when tapeflow.GradientTape exists) -------------


def test_notebook_with_tensorflow_code(tmp_path):
    core_ready()
    nb = notebook(
        tmp_path / "tf.ipynb",
        "import tensorflow as tf\nx = tf.ones(shape=(2, 1))\nprint(x)",
        "from tensorflow.keras.datasets import mnist\n(x_train, y_train), _ = mnist.load_data()\n"
        "x_train.shape",
        "import keras\nkeras.datasets.mnist is mnist",
        "tf.keras.datasets.mnist is mnist",
        "v = tf.Variable(tf.zeros((2,)))\nv.assign_add(tf.ones((2,)))",
        "w = tf.Variable(3.0)\nwith tf.GradientTape() as tape:\n    y = w * w\n"
        "print(f'{float(tape.gradient(y, w)):.1f}')",
    )
    result = run_tapeflow("run", nb, cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout == expected(
        "tf.Tensor(\n[[1.]\n [1.]], shape=(2, 1), dtype=float32)\n",
        "(60000, 28, 28)\n",
        "True\n",
        "True\n",
        "<tf.Variable 'UnreadVariable' shape=(2,) dtype=float32, numpy=array([1., 1.], "
        "dtype=float32)>\n",
        "6.0\n",
    )


def test_script_with_tensorflow_code(tmp_path):
    core_ready()
    program = script(
        tmp_path / "fit.py",
        """
        import numpy as np
        import tensorflow as tf

        W = tf.Variable(tf.zeros((2, 1)))
        b = tf.Variable(tf.zeros((1,)))
        x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32")
        y = np.array([[1.0], [2.0]], dtype="float32")
        for step in range(200):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(tf.matmul(x, W) + b - y))
            gW, gb = tape.gradient(loss, [W, b])
            W.assign_sub(gW * 0.05)
            b.assign_sub(gb * 0.05)
        print("converged" if float(loss) < 1e-3 else f"not converged: {loss:.4f}")
        """,
    )
    result = run_tapeflow("run", program, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "converged\n"
