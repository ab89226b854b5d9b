"""Shared, pure-Python/NumPy helpers for the golden recorder and the golden test.

Both `record_tf.py` (run under real TensorFlow) and `tests/test_goldens.py`
(run under tapeflow, or under TensorFlow as a harness self-check) use these
functions, so a result is described in exactly the same way on both sides.

Nothing here imports tensorflow or tapeflow: the `tf` module is passed in.
"""
from __future__ import annotations

import ast
import math
import re

import numpy as np

_ADDR = re.compile(r"0x[0-9a-fA-F]+")


def mask_addresses(text: str) -> str:
    """Replace object addresses (0x7f...) so reprs are reproducible."""
    return _ADDR.sub("0x...", text)


def run_snippet(code: str, namespace: dict):
    """Run `code` like a notebook cell: exec all statements but the last and,
    if the last one is an expression, evaluate and return it (else None)."""
    tree = ast.parse(code, mode="exec")
    body = tree.body
    last = None
    if body and isinstance(body[-1], ast.Expr):
        last = ast.Expression(body.pop().value)
    if body:
        module = ast.Module(body=body, type_ignores=[])
        exec(compile(module, "<case>", "exec"), namespace)  # noqa: S102 - the point
    if last is not None:
        return eval(compile(last, "<case>", "eval"), namespace)
    return None


def _plain(x, flags: set):
    """Make a `.tolist()` result JSON-friendly. Floats are kept exact (json
    writes repr(float), NaN and Infinity are allowed). bytes are decoded as
    latin-1 and flagged; complex numbers become {"re":..,"im":..}."""
    if isinstance(x, (list, tuple)):
        return [_plain(i, flags) for i in x]
    if isinstance(x, bytes):
        flags.add("bytes")
        return x.decode("latin-1")
    if isinstance(x, np.generic):
        return _plain(x.item(), flags)
    if isinstance(x, complex):
        return {"re": x.real, "im": x.imag}
    return x


def _shape_list(shape):
    try:
        return [None if d is None else int(d) for d in shape]
    except (TypeError, ValueError):  # unknown rank
        return None


def _kind(v, tf) -> str:
    variable_cls = getattr(tf, "Variable", None)
    tensor_cls = getattr(tf, "Tensor", None)
    if v is None:
        return "None"
    if isinstance(variable_cls, type) and isinstance(v, variable_cls):
        return "Variable"
    if isinstance(tensor_cls, type) and isinstance(v, tensor_cls):
        return "Tensor"
    return type(v).__name__


def describe(v, tf, depth: int = 0) -> dict:
    """Describe a case result as a JSON-friendly dict."""
    kind = _kind(v, tf)
    d = {"type": kind, "class": type(v).__name__}
    try:
        d["repr"] = mask_addresses(repr(v))
    except Exception as e:  # noqa: BLE001 - report, don't crash
        d["repr"] = f"<repr raised {type(e).__name__}>"
    try:
        d["str"] = mask_addresses(str(v))
    except Exception as e:  # noqa: BLE001 - report, don't crash
        d["str"] = f"<str raised {type(e).__name__}>"
    d["dtype"] = None
    d["shape"] = None
    d["value"] = None
    flags: set = set()
    if kind in ("Tensor", "Variable"):
        d["dtype"] = v.dtype.name
        d["shape"] = _shape_list(v.shape)
        d["value"] = _plain(np.asarray(v.numpy()).tolist(), flags)
    elif kind == "DType" or type(v).__name__ == "DType":
        d["value"] = v.name
    elif kind == "TensorShape":
        d["value"] = None if v.rank is None else _shape_list(v)
    elif isinstance(v, np.ndarray):
        d["dtype"] = v.dtype.name
        d["shape"] = list(v.shape)
        d["value"] = _plain(v.tolist(), flags)
    elif isinstance(v, np.generic):
        d["dtype"] = v.dtype.name
        d["shape"] = []
        d["value"] = _plain(v.item(), flags)
    elif isinstance(v, (bool, int, float, str, bytes, complex)):
        d["value"] = _plain(v, flags)
    elif isinstance(v, (list, tuple)) and depth < 4:
        d["items"] = [describe(x, tf, depth + 1) for x in v]
    elif isinstance(v, dict) and depth < 4:
        d["items"] = {str(k): describe(x, tf, depth + 1) for k, x in v.items()}
    if "bytes" in flags:
        d["bytes"] = True
    return d


def describe_error(e: BaseException) -> dict:
    return {
        "type": type(e).__name__,
        "module": type(e).__module__,
        # runs of spaces are collapsed: some TF kernel messages pad randomly
        # (protobuf debug strings are deliberately randomised: mask them too)
        "message": re.sub(r"[ \t]+", " ", re.sub(r"goo\.gle/debug\w+", "goo.gle/debug...",
                                                 mask_addresses(str(e))))[:300],
    }


# --------------------------------------------------------------------------
# comparison (used by the test)
# --------------------------------------------------------------------------

_NUM = re.compile(r"-?\d+\.?\d*(e[+-]?\d+)?")


def mask_digits(text: str) -> str:
    return _NUM.sub("N", text)


_FLOAT_DTYPES = {"float16", "bfloat16", "float32", "float64", "half", "double",
                 "complex64", "complex128"}


def _has_float(x) -> bool:
    if isinstance(x, list):
        return any(_has_float(i) for i in x)
    return isinstance(x, (float, dict)) and not isinstance(x, bool)


def _to_complex(x):
    if isinstance(x, list):
        return [_to_complex(i) for i in x]
    if isinstance(x, dict):
        return complex(x["re"], x["im"])
    return x


def values_equal(expected, got, dtype=None) -> tuple[bool, str]:
    """Exact for ints/bools/strings, allclose(rtol=atol=1e-6, NaN-aware) for
    floats (float16/bfloat16 use their own epsilon)."""
    if expected is None or got is None:
        return (expected is None and got is None), "None vs value"
    floaty = (dtype in _FLOAT_DTYPES) or _has_float(expected) or _has_float(got)
    if not floaty:
        if expected == got and _same_bool_kind(expected, got):
            return True, ""
        return False, "exact value mismatch"
    try:
        e = np.asarray(_to_complex(expected))
        g = np.asarray(_to_complex(got))
    except Exception as exc:  # noqa: BLE001 - ragged etc.
        return False, f"cannot compare values: {exc}"
    if e.shape != g.shape:
        return False, f"value shape {g.shape} != expected {e.shape}"
    if e.dtype.kind in "OUS" or g.dtype.kind in "OUS":
        return (e.tolist() == g.tolist()), "object value mismatch"
    tol = 1e-6
    if dtype in ("float16", "half", "bfloat16"):
        tol = 1e-3 if dtype != "bfloat16" else 1e-2
    try:
        ok = np.allclose(g.astype(complex if e.dtype.kind == "c" else float),
                         e.astype(complex if e.dtype.kind == "c" else float),
                         rtol=tol, atol=tol, equal_nan=True)
        # infinities must match in sign/position (allclose handles that)
    except Exception as exc:  # noqa: BLE001
        return False, f"cannot compare values: {exc}"
    return bool(ok), f"float value mismatch (rtol=atol={tol:g})"


def _same_bool_kind(a, b) -> bool:
    """True == 1 in Python; make sure bools stay bools and ints stay ints."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_bool_kind(x, y) for x, y in zip(a, b))
    return isinstance(a, bool) == isinstance(b, bool)


def is_nan(x) -> bool:
    return isinstance(x, float) and math.isnan(x)
