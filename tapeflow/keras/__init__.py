"""Keras on tapeflow: `import tapeflow.keras as keras` (or, under `tapeflow run`, `import keras`).

Submodules load on first use (``keras.layers``, ``keras.models`` ...), so importing the package
costs almost nothing. ``keras.Sequential``, ``keras.Model`` and ``keras.Input`` are here too.

>>> import tapeflow.keras as keras
>>> model = keras.Sequential([keras.layers.Dense(1)])
"""
import importlib

from tapeflow.keras import datasets

__version__ = "3.15.1"

_SUBMODULES = ("activations", "backend", "callbacks", "config", "datasets", "initializers",
               "layers", "losses", "metrics", "models", "ops", "optimizers", "regularizers",
               "utils", "trainer", "constraints", "saving", "preprocessing", "applications",
               "mixed_precision", "random", "src")
_FROM = {"Sequential": "models", "Model": "models", "Input": "layers", "Layer": "layers",
         "InputSpec": "layers", "KerasTensor": "layers", "Variable": "layers",
         "Loss": "losses", "Metric": "metrics", "Optimizer": "optimizers",
         "Initializer": "initializers", "Regularizer": "regularizers", "Callback": "callbacks",
         "clear_session": "backend"}

__all__ = [
    "Callback",
    "Initializer",
    "Input",
    "InputSpec",
    "KerasTensor",
    "Layer",
    "Loss",
    "Metric",
    "Model",
    "Optimizer",
    "Regularizer",
    "Sequential",
    "Variable",
    "activations",
    "backend",
    "callbacks",
    "clear_session",
    "config",
    "constraints",
    "datasets",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "ops",
    "optimizers",
    "regularizers",
    "utils",
]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"tapeflow.keras.{name}")
    if name in _FROM:
        module = importlib.import_module(f"tapeflow.keras.{_FROM[name]}")
        attr = "KerasVariable" if name == "Variable" else name
        return getattr(module, attr)
    raise AttributeError(f"module 'tapeflow.keras' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(__all__))
