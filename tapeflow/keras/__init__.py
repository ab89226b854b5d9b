"""Keras on tapeflow: `import tapeflow.keras as keras` (or, under `tapeflow run`, `import keras`).

For now only `datasets` is here; layers, models, losses, optimizers ... follow the core.
"""

from tapeflow.keras import datasets

__all__ = ["datasets"]
