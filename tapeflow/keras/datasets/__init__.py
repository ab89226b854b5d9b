"""Datasets served as `keras.datasets` serves them: NumPy arrays, offline from package data."""

from tapeflow.keras.datasets import mnist

__all__ = ["mnist"]
