"""Fashion-MNIST (Zalando), as `keras.datasets.fashion_mnist` serves it (downloaded via get_file).

Keras publishes no hash for these four files, so each is checked before it is accepted into the
cache (and each cached copy before it is used): its idx header must be the right magic number
and shape, and the data must be exactly as long as the header says.
"""

from __future__ import annotations

import os

from tapeflow.keras.datasets import _files, _idx
from tapeflow.keras.utils import file_utils

#: Images per split (the tests shrink these to serve small files).
COUNTS = {"train": 60000, "t10k": 10000}
_IMAGES_MAGIC, _LABELS_MAGIC = _idx.IMAGES_MAGIC, _idx.LABELS_MAGIC
#: Class names, in label order (for plots: class_names[y]).
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")


def load_data():
    """Loads Fashion-MNIST: 60,000 training and 10,000 test 28x28 grayscale images, 10 classes.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shapes (60000, 28, 28),
        (60000,), (10000, 28, 28), (10000,).

    Files live in `~/.keras/datasets/fashion-mnist/` (or `$KERAS_HOME/...`); to work offline,
    put the four `*-idx*-ubyte.gz` files there.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
    """
    splits = []
    for split in ("train", "t10k"):
        count = COUNTS[split]
        labels = _get(f"{split}-labels-idx1-ubyte.gz", _LABELS_MAGIC, count)
        images = _get(f"{split}-images-idx3-ubyte.gz", _IMAGES_MAGIC, count)
        splits.append((images, labels))
    return tuple(splits)


def _get(fname, magic, count):
    path = file_utils.get_file(fname, origin=_files.origin(fname),
                               cache_subdir=os.path.join("datasets", "fashion-mnist"),
                               validator=lambda p: _read_idx(p, magic, count))
    return _read_idx(path, magic, count)


def _read_idx(path, magic, count):
    """The array in a gzipped idx file, or ValueError saying what is wrong with it."""
    try:
        return _idx.read_idx(path, magic, count)
    except _idx.IdxError as error:
        raise ValueError(f"fashion_mnist: {path} is corrupt: {error}") from None
