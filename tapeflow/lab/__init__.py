"""The bundled lab that `tapeflow lab` runs.

`lab7a.ipynb` holds only the code cells of the seed lab "Introduction to TensorFlow and Keras"
(NumPy tensors, MNIST slices, TensorFlow tensors and variables, a linear classifier trained with
GradientTape, and its plots). The lab's prose quotes a book and is deliberately not shipped.
"""

from __future__ import annotations

from importlib import resources

NOTEBOOK = "lab7a.ipynb"


def notebook():
    """Returns the bundled lab notebook as an `importlib.resources` Traversable.

    Example:
        >>> notebook().name
        'lab7a.ipynb'
    """
    return resources.files(__name__) / NOTEBOOK
