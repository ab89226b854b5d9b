"""The `tapeflow` command: run TensorFlow code, unchanged, on tapeflow.

    tapeflow run FILE.py|FILE.ipynb [--figures DIR] [ARGS ...]
    tapeflow lab [--figures DIR]

While the file runs, `import tensorflow` (and every `tensorflow.X.Y`) gives tapeflow and
`import keras` gives `tapeflow.keras` (see `tapeflow.aliases`). A notebook's code cells run in
order in one namespace and print what Jupyter shows, framed exactly as the seed's reference
recorder (`--- cell N ---` ... `--- done: K cells failed ---`), so outputs diff cleanly against
real TensorFlow's. matplotlib draws off-screen (Agg); every `plt.show()` saves the open figures
as `figure-1.png`, `figure-2.png` ... in the figures folder, and so does the end of the run for
figures left open. Where they went is reported on stderr, keeping stdout comparable.

Example:
    $ tapeflow run train.py --figures plots -- --epochs 3
    $ python -m tapeflow lab
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import linecache
import os
import runpy
import sys
import tokenize
import traceback
import types
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path

import tapeflow
from tapeflow import aliases

_DEFAULT_FIGURES = "figures"


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the `tapeflow` command line; returns the exit status.

    Example:
        >>> main(["run", "examples/hello.py"])  # doctest: +SKIP
        0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything after `--` belongs to the program (argparse would swallow the `--` itself).
    tail: list[str] = []
    if "--" in argv:
        argv, tail = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
    args = _parser().parse_args(argv)
    args.tail = tail
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("tapeflow: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tapeflow",
        description="Run TensorFlow/Keras code unchanged on tapeflow (NumPy, no TensorFlow).",
    )
    parser.add_argument("--version", action="version", version=f"tapeflow {tapeflow.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run a .py file or a notebook's code cells with tensorflow/keras mapped to tapeflow",
        description="Run FILE (.py, or .ipynb: its code cells in order, showing what Jupyter "
        "shows) with `tensorflow` and `keras` resolving to tapeflow. Arguments after FILE go to "
        "the program as sys.argv[1:], except a --figures option before any `--`.",
    )
    run.add_argument("file", metavar="FILE", help="a Python file or a Jupyter notebook (.ipynb)")
    _add_figures_option(run)
    run.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    run.set_defaults(handler=_command_run)

    lab = commands.add_parser(
        "lab",
        help="run the bundled lab (TensorFlow basics, MNIST, a GradientTape classifier)",
        description="Run the code cells of the bundled lab notebook and save its 4 figures.",
    )
    _add_figures_option(lab)
    lab.set_defaults(handler=_command_lab)
    return parser


def _add_figures_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--figures",
        metavar="DIR",
        default=None,
        help=f"folder for the PNG files of the figures (default: ./{_DEFAULT_FIGURES})",
    )


def _split_program_args(args: argparse.Namespace) -> list[str]:
    """Takes tapeflow's own --figures out of the arguments after FILE; the rest are the program's.

    Arguments after `--` are passed on untouched.
    """
    program_args, rest = [], list(args.args)
    while rest:
        arg = rest.pop(0)
        if arg == "--figures" and rest:
            args.figures = rest.pop(0)
        elif arg.startswith("--figures="):
            args.figures = arg.split("=", 1)[1]
        else:
            program_args.append(arg)
    return program_args + args.tail


def _command_run(args: argparse.Namespace) -> int:
    program_args = _split_program_args(args)
    file = Path(args.file)
    if not file.is_file():
        print(f"tapeflow run: no such file: {file}", file=sys.stderr)
        return 2
    figures = Figures(args.figures or _DEFAULT_FIGURES)
    if file.suffix == ".ipynb":
        status = run_notebook(file, figures, argv=program_args, chdir=True)
    else:
        status = run_script(file, figures, argv=program_args)
    figures.report()
    return status


def _command_lab(args: argparse.Namespace) -> int:
    from tapeflow import lab

    figures = Figures(args.figures or _DEFAULT_FIGURES)
    with resources.as_file(lab.notebook()) as notebook:
        # The lab runs where the user is (not inside the installed package), as `jupyter` would
        # for a notebook opened from the current folder.
        status = run_notebook(notebook, figures, path_entry=os.getcwd())
    figures.report()
    return status


# --- figures ------------------------------------------------------------------------------------


class Figures:
    """Saves matplotlib figures as `figure-N.png` in a folder instead of opening windows.

    While `capturing()` is active, matplotlib uses the off-screen Agg backend and `plt.show()`
    saves every open figure, then closes them (as Jupyter's inline backend does). matplotlib is
    never imported here: the hook fires only if the user's code imports `matplotlib.pyplot`.
    """

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(os.path.abspath(folder))  # fixed now: the program may chdir
        self.saved: list[Path] = []

    def show(self, *args, **kwargs) -> None:
        """Stands in for `matplotlib.pyplot.show` (its arguments, like block=, are ignored)."""
        self.save_open()

    def save_open(self) -> None:
        """Saves each open figure as the next `figure-N.png`, then closes them all."""
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is None:
            return
        for number in pyplot.get_fignums():
            self.folder.mkdir(parents=True, exist_ok=True)
            file = self.folder / f"figure-{len(self.saved) + 1}.png"
            pyplot.figure(number).savefig(file)
            self.saved.append(file)
        pyplot.close("all")

    @contextlib.contextmanager
    def capturing(self) -> Iterator[Figures]:
        """Off-screen rendering and saving `plt.show()` for the block; figures left open at its
        end are saved too."""
        saved_backend = os.environ.get("MPLBACKEND")
        os.environ["MPLBACKEND"] = "Agg"  # read when matplotlib is first imported
        originals: dict[str, object] = {}

        def patch(pyplot: types.ModuleType) -> None:
            pyplot.switch_backend("Agg")
            originals["show"] = pyplot.show
            pyplot.show = self.show

        try:
            with aliases.after_import("matplotlib.pyplot", patch):
                yield self
                self._save_left_open()
        finally:
            pyplot = sys.modules.get("matplotlib.pyplot")
            if pyplot is not None and "show" in originals and pyplot.show == self.show:
                pyplot.show = originals["show"]
            if saved_backend is None:
                os.environ.pop("MPLBACKEND", None)
            else:
                os.environ["MPLBACKEND"] = saved_backend

    def _save_left_open(self) -> None:
        try:
            self.save_open()
        except Exception as error:  # noqa: BLE001 (an undrawable figure must not hide results)
            print(f"tapeflow: could not save a figure left open: {error!r}", file=sys.stderr)

    def report(self, stream=None) -> None:
        """Tells the user where the figures are (on stderr, so stdout stays comparable)."""
        if not self.saved:
            return
        names = ", ".join(file.name for file in self.saved)
        count = len(self.saved)
        print(
            f"tapeflow: {count} figure{'s' if count != 1 else ''} saved in {self.folder}: {names}",
            file=stream or sys.stderr,
        )


# --- running user code --------------------------------------------------------------------------


@contextlib.contextmanager
def _user_program(
    figures: Figures,
    *,
    argv: list[str],
    path_entry: str,
    main_module: types.ModuleType | None = None,
    chdir: Path | None = None,
) -> Iterator[None]:
    """The process state a program expects (argv, sys.path[0], __main__, cwd), tensorflow
    aliased and figures captured; all of it is put back afterwards."""
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    saved_main, saved_cwd = sys.modules.get("__main__"), os.getcwd()
    sys.argv = list(argv)
    sys.path.insert(0, path_entry)
    if main_module is not None:
        sys.modules["__main__"] = main_module
    try:
        if chdir is not None:
            os.chdir(chdir)
        with aliases.tensorflow_aliases(), figures.capturing():
            yield
    finally:
        os.chdir(saved_cwd)
        sys.argv = saved_argv
        sys.path[:] = saved_path
        if main_module is not None and saved_main is not None:
            sys.modules["__main__"] = saved_main


def run_script(file: str | os.PathLike, figures: Figures, *, argv: Sequence[str] = ()) -> int:
    """Runs a Python file as `__main__` (its folder first on sys.path); returns its exit status."""
    file = Path(file)
    with _user_program(figures, argv=[str(file), *argv], path_entry=str(file.resolve().parent)):
        try:
            runpy.run_path(str(file), run_name="__main__")
        except SystemExit as exit_:
            return _exit_status(exit_.code)
        except Exception as error:  # noqa: BLE001 (any error of the program is reported)
            sys.stdout.flush()
            user_tb = _from_frame_of(error.__traceback__, str(file))
            traceback.print_exception(type(error), error, user_tb, file=sys.stderr)
            print(_hint(error), end="", file=sys.stderr)
            return 1
    return 0


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _from_frame_of(tb, filename: str):
    """The traceback from the first frame running `filename` on: the runner's own frames (cli,
    runpy) are dropped. None if the error came before the user's code ran (a SyntaxError)."""
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    return tb


def read_code_cells(file: str | os.PathLike) -> list[str]:
    """Returns the source of each code cell of a notebook (nbformat 4, or 3's worksheets)."""
    try:
        notebook = json.loads(Path(file).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{file} is not a Jupyter notebook (invalid JSON: {error})") from None
    cells = notebook.get("cells")
    if cells is None:  # nbformat 3 keeps cells in worksheets, and code in "input"
        cells = [cell for sheet in notebook.get("worksheets", []) for cell in sheet["cells"]]
    sources = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            source = cell.get("source", cell.get("input", ""))
            sources.append(source if isinstance(source, str) else "".join(source))
    return sources


def run_notebook(
    file: str | os.PathLike,
    figures: Figures,
    *,
    argv: Sequence[str] = (),
    path_entry: str | None = None,
    chdir: bool = False,
) -> int:
    """Runs a notebook's code cells in order in one `__main__` namespace, printing what Jupyter
    shows for each; a failing cell is reported and the run goes on. Returns 1 if any cell failed.

    `chdir=True` runs in the notebook's folder, as a Jupyter kernel does.
    """
    file = Path(file)
    try:
        cells = read_code_cells(file)
    except ValueError as error:
        print(f"tapeflow run: {error}", file=sys.stderr)
        return 2
    folder = file.resolve().parent
    main_module = types.ModuleType("__main__")
    main_module.display = _display  # Jupyter's builtin, common in notebooks
    failed = []
    with _user_program(
        figures,
        argv=[str(file), *argv],
        path_entry=path_entry or str(folder),
        main_module=main_module,
        chdir=folder if chdir else None,
    ):
        for number, source in enumerate(cells, start=1):
            print(f"--- cell {number} ---", flush=True)
            try:
                run_cell(source, main_module.__dict__, f"<cell {number}>")
            except (Exception, SystemExit) as error:  # noqa: BLE001 (as Jupyter: report, go on)
                failed.append(number)
                sys.stdout.flush()
                print(_cell_error_report(number, error), end="", flush=True)
            sys.stdout.flush()
    print(f"--- done: {len(failed)} cells failed ---", flush=True)
    if failed:
        numbers = ", ".join(map(str, failed))
        print(f"tapeflow: {len(failed)} of {len(cells)} cells failed: {numbers}", file=sys.stderr)
    return 1 if failed else 0


def _display(*objects, **kwargs) -> None:
    for obj in objects:
        print(repr(obj))


def skip_magics(source: str) -> str:
    """Turns IPython magics and shell escapes (`%...`, `!...`) into `pass`, keeping line numbers
    and indentation (the seed recorder's rule, so both runners see the same code)."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            line = line[: len(line) - len(stripped)] + "pass  # " + stripped
        lines.append(line)
    return "\n".join(lines)


def run_cell(source: str, namespace: dict, filename: str = "<cell>") -> None:
    """Executes one cell; prints the repr of its trailing expression when it is not None (and
    not silenced by a trailing `;`, as in Jupyter)."""
    source = skip_magics(source)
    # Registered so tracebacks show the cell's lines, as they do for files.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    tree = ast.parse(source, filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr) and not _ends_with_semicolon(source):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, filename, "exec"), namespace)  # noqa: S102 (running the user's cell)
    if last is not None:
        value = eval(compile(last, filename, "eval"), namespace)
        if value is not None:
            print(repr(value))


def _ends_with_semicolon(source: str) -> bool:
    skip = {
        tokenize.NEWLINE,
        tokenize.NL,
        tokenize.COMMENT,
        tokenize.ENDMARKER,
        tokenize.INDENT,
        tokenize.DEDENT,
    }
    try:
        tokens = [
            t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type not in skip
        ]
    except (tokenize.TokenError, SyntaxError):
        return False
    return bool(tokens) and tokens[-1].string == ";"


def _cell_error_report(number: int, error: BaseException) -> str:
    """The traceback from the cell down (the runner's frames dropped), then one summary line
    naming the cell, its failing line, the exception class and message."""
    filename = f"<cell {number}>"
    tb = _from_frame_of(error.__traceback__, filename)
    text = "".join(traceback.format_exception(type(error), error, tb))
    if isinstance(error, SyntaxError) and error.filename == filename:
        lineno, line = error.lineno, (error.text or "").strip()
    elif tb is not None:
        lineno = tb.tb_lineno
        line = linecache.getline(filename, lineno).strip()
    else:
        lineno, line = None, ""
    message = traceback.format_exception_only(type(error), error)[-1].strip()
    where = f"  at line {lineno}: {line}\n" if lineno else ""
    return f"{text}cell {number} failed: {message}\n{where}{_hint(error)}"


def _hint(error: BaseException) -> str:
    if (
        isinstance(error, ModuleNotFoundError)
        and error.name
        and error.name.startswith("matplotlib")
    ):
        return "hint: plots need matplotlib: pip install matplotlib (or 'tapeflow[plot]')\n"
    return ""
