"""Run a golden snippet and turn its value into JSON: shared by the recorder and the tests.

A snippet is Python code run with ``tf``, ``np`` and ``keras`` in scope; the value of its last
expression is the result. Tensors, Variables, NumPy values, lists, tuples and dicts of them
become nested lists of floats (dtype kept as a string); Python scalars stay as they are.
"""
import ast

import numpy as np


def run(code, namespace):
    tree = ast.parse(code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<snippet>", "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), "<snippet>", "eval"), namespace)


def describe(value):
    if isinstance(value, dict):
        return {str(k): describe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [describe(v) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, np.generic):
        return value
    a = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    if a.dtype == object:
        return str(value)
    return {"dtype": str(a.dtype), "shape": list(a.shape),
            "value": a.astype(np.float64).tolist() if a.dtype != bool else a.tolist()}
