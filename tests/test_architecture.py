"""The import direction of DESIGN.md, checked by parsing every module of the package (ast).

Layers, bottom to top (a module may import its own layer or any layer below):

    utilities  backend (the only core code that imports numpy), errors, nest
    dtypes     dtypes, shapes
    tensor     tensor, variable -- and tape (see below)
    ops        ops/*
    autodiff   autodiff
    gradient   gradient_tape
    public     tapeflow/__init__, math, nn, random, linalg, data, config, debugging, testing
               (check_grads), function, misc, module, compat (tf.compat.v1)
    keras      keras/* (through the public API only; numpy for data handling), and
               testing/layer_test (the shipped layer harness, which drives keras)
    cli        cli, aliases (tapeflow run's import aliases), __main__, lab

``tape`` is "recording state only" and imports nothing from tapeflow; ``variable`` records its
reads on it, so in the code it sits beside tensor/variable rather than above them as
DESIGN.md's picture draws it. The test pins what matters: tape.py stays a leaf.

Function-level imports count like module-level ones. A lazy import hides a dependency from
the reader but does not remove it: ``variable -> ops`` inside a method is still an upward edge
(a cycle waiting to happen). DESIGN.md already names the mechanism for such needs -- the
layer above injects the behaviour (ops attaches the Tensor/Variable operators at import) --
so no exception is made for lazy imports. Lazy imports within one layer (ops modules that
need each other) and of optional heavy libraries are fine: they are not upward edges.
"""
import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tapeflow

PACKAGE = Path(tapeflow.__file__).resolve().parent
ROOT = PACKAGE.parent

RANKS = [  # (module prefix, layer rank); the longest matching prefix wins
    ("tapeflow.backend", 0), ("tapeflow.errors", 0), ("tapeflow.nest", 0),
    ("tapeflow.dtypes", 1), ("tapeflow.shapes", 1),
    ("tapeflow.tensor", 2), ("tapeflow.variable", 2), ("tapeflow.tape", 2),
    ("tapeflow.ops", 4),
    ("tapeflow.autodiff", 5),
    ("tapeflow.gradient_tape", 6),
    ("tapeflow", 7),  # the package root and the public namespaces (testing: check_grads)
    ("tapeflow.keras", 8), ("tapeflow.testing.layer_test", 8),  # the layer harness tests keras
    ("tapeflow.cli", 9), ("tapeflow.aliases", 9), ("tapeflow.__main__", 9), ("tapeflow.lab", 9),
]

# Core modules must reach numpy through tapeflow.backend; these are DESIGN.md's exceptions.
# tf.data joins keras's exception: like keras.datasets it is data handling (slicing and
# batching input arrays), never computation on the tape.
NUMPY_ALLOWED = ("tapeflow.backend", "tapeflow.testing", "tapeflow.keras", "tapeflow.cli",
                 "tapeflow.aliases", "tapeflow.data")

# What keras may import from tapeflow: the public API (TF's public namespaces) and itself.
KERAS_MAY_IMPORT = ("tapeflow", "tapeflow.keras", "tapeflow.math", "tapeflow.nn",
                    "tapeflow.random", "tapeflow.linalg", "tapeflow.errors", "tapeflow.data",
                    "tapeflow.config", "tapeflow.debugging", "tapeflow.nest", "tapeflow.dtypes")

LOW_LEVEL = ("tapeflow.tensor", "tapeflow.dtypes", "tapeflow.shapes", "tapeflow.tape",
             "tapeflow.variable")

# Violations present today (strict xfail: the lead removes an entry once the module is fixed).
KNOWN_VIOLATIONS = {
}


def module_name(path):
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules():
    return sorted((module_name(p), p) for p in PACKAGE.rglob("*.py")
                  if "__pycache__" not in p.parts)


def is_module(name):
    rel = Path(*name.split("."))
    return (ROOT / rel).with_suffix(".py").is_file() or (ROOT / rel / "__init__.py").is_file()


def imports(path, name):
    """Every module imported by the file: (imported module, line, function-level?)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            lazy = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                     ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, in_function) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[:len(anchor) - child.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                for a in child.names:
                    sub = f"{base}.{a.name}"
                    found.append((sub if is_module(sub) else base, child.lineno, in_function))
            visit(child, lazy)
    visit(tree, False)
    return found


def rank(name):
    best = max((p for p, _ in RANKS if name == p or name.startswith(p + ".")), key=len)
    return dict(RANKS)[best]


def within(name, prefixes):
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def params(kind, modules):
    out = []
    for name, path in modules:
        reason = KNOWN_VIOLATIONS.get((kind, name))
        marks = [pytest.mark.xfail(strict=True, reason=f"tapeflow bug: {reason}")] if reason \
            else []
        out.append(pytest.param(name, path, id=name, marks=marks))
    return out


MODULES = all_modules()


def describe(bad):
    return "\n".join(f"  line {line}: imports {target}{' (inside a function)' if lazy else ''}"
                     for target, line, lazy in bad)


def test_the_walk_finds_the_layers():
    names = {n for n, _ in MODULES}
    for expected in ("tapeflow", "tapeflow.backend", "tapeflow.tensor", "tapeflow.tape",
                     "tapeflow.ops.elementwise", "tapeflow.autodiff", "tapeflow.gradient_tape",
                     "tapeflow.keras"):
        assert expected in names
    found = {t for t, _, _ in imports(PACKAGE / "ops" / "__init__.py", "tapeflow.ops")}
    assert "tapeflow.ops.elementwise" in found and "tapeflow.tensor" in found


@pytest.mark.parametrize("name, path", params("numpy", [m for m in MODULES
                                                        if not within(m[0], NUMPY_ALLOWED)]))
def test_only_the_backend_imports_numpy(name, path):
    bad = [i for i in imports(path, name) if i[0].split(".")[0] == "numpy"]
    assert not bad, f"{name} imports numpy directly (use tapeflow.backend.xp):\n{describe(bad)}"


@pytest.mark.parametrize("name, path", params("downward", MODULES))
def test_imports_only_go_downward(name, path):
    mine = rank(name)
    bad = [i for i in imports(path, name)
           if within(i[0], ("tapeflow",)) and rank(i[0]) > mine]
    assert not bad, f"{name} (layer {mine}) imports from a higher layer:\n{describe(bad)}"


@pytest.mark.parametrize("name, path", params("low_level", [m for m in MODULES
                                                            if m[0] in LOW_LEVEL]))
def test_low_level_modules_never_import_ops_or_keras(name, path):
    bad = [i for i in imports(path, name)
           if within(i[0], ("tapeflow.ops", "tapeflow.keras", "tapeflow.autodiff",
                            "tapeflow.gradient_tape")) or i[0] == "tapeflow"]
    assert not bad, f"{name} imports a higher layer:\n{describe(bad)}"


def test_tape_is_a_leaf():
    bad = [i for i in imports(PACKAGE / "tape.py", "tapeflow.tape") if within(i[0], ("tapeflow",))]
    assert not bad, f"tapeflow.tape must import nothing from tapeflow:\n{describe(bad)}"


@pytest.mark.parametrize("name, path", params("keras", [m for m in MODULES
                                                        if within(m[0], ("tapeflow.keras",))]))
def test_keras_uses_only_the_public_api(name, path):
    bad = [i for i in imports(path, name)
           if within(i[0], ("tapeflow",)) and not (i[0] in KERAS_MAY_IMPORT
                                                   or within(i[0], ("tapeflow.keras",)))]
    assert not bad, (f"{name} reaches into tapeflow internals; use `import tapeflow as tf` "
                     f"and tf.* instead:\n{describe(bad)}")


def _run(code):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAPEFLOW")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60, check=False)


HEAVY = ("matplotlib", "h5py", "scipy", "pandas", "PIL", "IPython", "tensorflow", "keras",
         "torch", "jax")


def test_import_tapeflow_is_silent_and_light():
    code = ("import sys\n"
            "import tapeflow\n"
            f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
            "lazy = sorted(m for m in sys.modules if m.startswith(('tapeflow.keras', "
            "'tapeflow.data', 'tapeflow.cli', 'tapeflow.lab')))\n"
            "sys.stderr.write(repr((heavy, lazy)))\n")
    out = _run(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "", f"import tapeflow printed: {out.stdout!r}"
    heavy, lazy = ast.literal_eval(out.stderr)
    assert heavy == [], f"import tapeflow pulled in {heavy}"
    assert lazy == [], f"import tapeflow eagerly imported {lazy} (they load on first use)"


def test_import_tapeflow_warns_nothing():
    out = _run("import warnings; warnings.simplefilter('always'); import tapeflow")
    assert out.returncode == 0
    assert (out.stdout, out.stderr) == ("", "")


def test_lazy_namespaces_still_resolve():
    out = _run("import sys, tapeflow as tf; tf.keras; "
               "assert 'tapeflow.keras' in sys.modules; "
               "assert 'matplotlib' not in sys.modules")
    assert out.returncode == 0, out.stderr
