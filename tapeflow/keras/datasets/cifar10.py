"""CIFAR-10, as `keras.datasets.cifar10` serves it (downloaded via get_file).

The archive is Keras's (`cifar-10-python.tar.gz`, sha256 checked) with the same cache layout:
`~/.keras/datasets/cifar-10-batches-py-target_archive` extracted into
`~/.keras/datasets/cifar-10-batches-py-target/cifar-10-batches-py/`. The batches are pickles;
they are read with an unpickler that only rebuilds NumPy arrays, so no code runs from them.
"""

from __future__ import annotations

import os
import pickle

import numpy as np

from tapeflow.keras.datasets import _files
from tapeflow.keras.utils import file_utils

#: sha256 of https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz (Keras's).
CIFAR10_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
KERAS_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck")


def load_data():
    """Loads CIFAR-10: 50,000 training and 10,000 test 32x32 colour images, 10 classes.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shapes (50000, 32, 32, 3),
        (50000, 1), (10000, 32, 32, 3), (10000, 1) (channels first if
        `keras.backend.image_data_format()` is "channels_first").

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
    """
    path = file_utils.get_file(fname="cifar-10-batches-py-target",
                               origin=_files.origin("cifar-10-python.tar.gz", KERAS_URL),
                               extract=True, file_hash=CIFAR10_SHA256)
    path = os.path.join(path, "cifar-10-batches-py")
    train = [load_batch(os.path.join(path, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([x for x, _ in train]).astype(np.uint8)
    y_train = np.concatenate([np.asarray(y) for _, y in train]).astype(np.uint8)
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    x_test = np.asarray(x_test).astype(np.uint8)
    y_train = y_train.reshape(len(y_train), 1)
    y_test = np.reshape(y_test, (len(y_test), 1)).astype(np.uint8)
    if _image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)


def load_batch(fpath, label_key="labels"):
    """One CIFAR batch file: (data of shape (n, 3, 32, 32), labels list)."""
    try:
        with open(fpath, "rb") as stream:
            d = _files.RestrictedUnpickler(stream, encoding="bytes").load()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"cifar10.load_data: {fpath} is missing from the extracted archive; delete "
            f"{os.path.dirname(os.path.dirname(fpath))} and its _archive file to download "
            f"again.") from None
    except (pickle.UnpicklingError, EOFError, ValueError) as error:
        raise ValueError(f"cifar10.load_data: {fpath} is corrupt ({error}).") from None
    d = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in d.items()}
    data = d["data"]
    return data.reshape(data.shape[0], 3, 32, 32), d[label_key]


def _image_data_format():
    try:
        from tapeflow.keras import backend
        return backend.image_data_format()
    except (ImportError, AttributeError):
        return "channels_last"
