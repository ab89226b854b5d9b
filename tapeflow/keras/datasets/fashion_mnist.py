"""Fashion-MNIST (Zalando), as `keras.datasets.fashion_mnist` serves it (downloaded via get_file).

Keras publishes no hash for these four files, so each is checked before it is accepted into the
cache (and each cached copy before it is used): its idx header must be the right magic number
and shape, and the data must be exactly as long as the header says.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib

import numpy as np

from tapeflow.keras.datasets import _files
from tapeflow.keras.utils import file_utils

#: Images per split (the tests shrink these to serve small files).
COUNTS = {"train": 60000, "t10k": 10000}
_IMAGES_MAGIC, _LABELS_MAGIC = 2051, 2049
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
    """The array in a gzipped idx file, or ValueError if its header or length is wrong."""
    dims = magic - 2048
    expected = [count] + [28] * (dims - 1)
    try:
        with gzip.open(path, "rb") as stream:
            header = stream.read(4 * (1 + dims))
            if len(header) != 4 * (1 + dims):
                raise ValueError(f"header is {len(header)} bytes, expected {4 * (1 + dims)}")
            found, *shape = struct.unpack(f">{1 + dims}I", header)
            if found != magic:
                raise ValueError(f"magic number is {found:#010x}, expected {magic:#010x}")
            if shape != expected:
                raise ValueError(f"shape in header is {tuple(shape)}, expected {tuple(expected)}")
            array = np.empty(shape, dtype=np.uint8)
            size = stream.readinto(memoryview(array).cast("B"))
            if size != array.size or stream.read(1):
                raise ValueError(f"holds {'less' if size < array.size else 'more'} data than the "
                                 f"{array.size} bytes its header announces")
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{path} is not a readable gzip file ({error})") from None
    except ValueError as error:
        raise ValueError(f"fashion_mnist: {path} is corrupt: {error}") from None
    if magic == _LABELS_MAGIC and array.max(initial=0) > 9:
        raise ValueError(f"fashion_mnist: {path} is corrupt (a label is {array.max()}, not 0..9)")
    return array
