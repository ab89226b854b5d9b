"""CIFAR-100, as `keras.datasets.cifar100` serves it (downloaded via get_file).

Same cache layout as Keras: `~/.keras/datasets/cifar-100-python-target_archive`, extracted into
`cifar-100-python-target/cifar-100-python/{train,test}`; read with the restricted unpickler.
"""

from __future__ import annotations

import os

import numpy as np

from tapeflow.keras.datasets import _files, cifar10
from tapeflow.keras.utils import file_utils

#: sha256 of https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz (Keras's).
CIFAR100_SHA256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
KERAS_URL = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"


def load_data(label_mode="fine"):
    """Loads CIFAR-100: 50,000 training and 10,000 test 32x32 colour images.

    Args:
        label_mode: "fine" (100 classes) or "coarse" (20 superclasses).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape (n, 32, 32, 3) (channels
        first if `keras.backend.image_data_format()` says so) and int64 labels of shape (n, 1).

    Example:
        >>> (x_train, y_train), _ = load_data(label_mode="coarse")  # doctest: +SKIP
    """
    if label_mode not in ["fine", "coarse"]:
        raise ValueError(f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: '
                         f"label_mode={label_mode}.")
    path = file_utils.get_file(fname="cifar-100-python-target",
                               origin=_files.origin("cifar-100-python.tar.gz", KERAS_URL),
                               extract=True, file_hash=CIFAR100_SHA256)
    path = os.path.join(path, "cifar-100-python")
    x_train, y_train = cifar10.load_batch(os.path.join(path, "train"),
                                          label_key=f"{label_mode}_labels")
    x_test, y_test = cifar10.load_batch(os.path.join(path, "test"),
                                        label_key=f"{label_mode}_labels")
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    if cifar10._image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
