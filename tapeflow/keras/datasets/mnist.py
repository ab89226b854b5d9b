"""MNIST handwritten digits, as `keras.datasets.mnist` serves them, offline.

The four original idx files (Yann LeCun and Corinna Cortes, CC BY-SA 3.0; see
`data/mnist/README.md`) ship inside the package, so `load_data()` never needs the network.

Where the arrays come from, in order:
1. `path=` naming an existing `.npz` file (other than the default name): that file.
2. Keras's cache, `$KERAS_HOME/datasets/<path>` (KERAS_HOME defaults to `~/.keras`), if its
   sha256 is the one Keras publishes for `mnist.npz` (a file with another hash is ignored, as
   Keras would ignore it and download a fresh copy).
3. The bundled idx files.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from tapeflow.keras.datasets import _idx

#: sha256 of https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz (Keras's).
KERAS_MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"

DATA_DIR = Path(__file__).resolve().parent / "data" / "mnist"
_DEFAULT_NAME = "mnist.npz"
_NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
_IMAGES_MAGIC, _LABELS_MAGIC = _idx.IMAGES_MAGIC, _idx.LABELS_MAGIC
_SPLITS = {"train": 60000, "t10k": 10000}


def load_data(path: str | os.PathLike = _DEFAULT_NAME):
    """Loads the MNIST dataset.

    Args:
        path: an `.npz` file holding `x_train`, `y_train`, `x_test`, `y_test`, or the name of the
            file in Keras's cache folder (`~/.keras/datasets/`, or `$KERAS_HOME/datasets/`).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 NumPy arrays of shapes (60000, 28, 28),
        (60000,), (10000, 28, 28) and (10000,); pixels 0..255, labels 0..9.

    Raises:
        ValueError: a data file is corrupt or an `.npz` lacks one of the four arrays.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()
        >>> x_train.shape, y_train[420]
        ((60000, 28, 28), np.uint8(5))
    """
    path = os.fspath(path)
    if path != _DEFAULT_NAME and os.path.isfile(path):
        return _load_npz(Path(path))
    cached = _cache_file(path)
    if cached.is_file() and _sha256(cached) == KERAS_MNIST_SHA256:
        return _load_npz(cached)
    return _load_bundled()


def _cache_file(path: str) -> Path:
    if os.path.isabs(path):
        return Path(path)
    keras_home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(keras_home) / "datasets" / path


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_npz(file: Path):
    with np.load(file, allow_pickle=False) as data:
        missing = [key for key in _NPZ_KEYS if key not in data.files]
        if missing:
            raise ValueError(
                f"mnist.load_data: {file} has arrays {sorted(data.files)} but lacks {missing}; "
                f"expected an .npz with {list(_NPZ_KEYS)} (Keras's mnist.npz layout)."
            )
        x_train, y_train, x_test, y_test = (data[key] for key in _NPZ_KEYS)
    return (x_train, y_train), (x_test, y_test)


def _load_bundled():
    splits = []
    for prefix, count in _SPLITS.items():
        images = _read_idx(DATA_DIR / f"{prefix}-images-idx3-ubyte.gz", _IMAGES_MAGIC, count)
        labels = _read_idx(DATA_DIR / f"{prefix}-labels-idx1-ubyte.gz", _LABELS_MAGIC, count)
        splits.append((images, labels))
    return tuple(splits)


def _read_idx(file: Path, magic: int, count: int) -> np.ndarray:
    """Reads one bundled gzipped idx file, with a message that says how to recover."""
    try:
        return _idx.read_idx(file, magic, count)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"mnist.load_data: the bundled MNIST file {file} is missing; reinstall tapeflow, "
            f"or pass path= an mnist.npz (keys {list(_NPZ_KEYS)})."
        ) from None
    except _idx.IdxError as error:
        raise ValueError(
            f"mnist.load_data: {file} is corrupt ({error}); reinstall tapeflow, or pass path= an "
            f"mnist.npz (keys {list(_NPZ_KEYS)})."
        ) from None
