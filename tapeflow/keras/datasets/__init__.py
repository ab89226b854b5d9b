"""Datasets served as `keras.datasets` serves them: NumPy arrays.

mnist ships inside the package; the others download once through `keras.utils.get_file` into
the Keras cache (`~/.keras/datasets/`), checked against Keras's published hashes. Each loader
module is imported on first use (`keras.datasets.imdb`), so importing keras stays light.
"""

import importlib

__all__ = ["boston_housing", "california_housing", "cifar10", "cifar100", "fashion_mnist", "imdb",
           "mnist", "reuters"]


def __getattr__(name):
    if name in __all__:
        return importlib.import_module(f"tapeflow.keras.datasets.{name}")
    raise AttributeError(f"module 'tapeflow.keras.datasets' has no attribute '{name}'")


def __dir__():
    return sorted(list(globals()) + __all__)
