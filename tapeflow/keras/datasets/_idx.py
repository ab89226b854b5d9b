"""The idx file format of MNIST and Fashion-MNIST (gzipped), read and checked in one place."""
from __future__ import annotations

import gzip
import struct
import zlib

import numpy as np

LABELS_MAGIC = 0x00000801  # unsigned bytes, one dimension
IMAGES_MAGIC = 0x00000803  # unsigned bytes, three dimensions


class IdxError(ValueError):
    """The file is not a readable idx file of the expected shape (corrupt or truncated)."""


def read_idx(path, magic: int, count: int) -> np.ndarray:
    """The uint8 array in a gzipped idx file of ``count`` 28x28 images or labels 0..9.

    Raises FileNotFoundError if the file is missing and IdxError saying what is wrong if its
    gzip stream, header, length or labels are not what the format promises.
    """
    dims = magic - 2048  # the magic's low byte is the number of dimensions
    try:
        with gzip.open(path, "rb") as stream:
            header = stream.read(4 * (1 + dims))
            if len(header) != 4 * (1 + dims):
                raise IdxError(f"header is {len(header)} bytes, expected {4 * (1 + dims)}")
            found, *shape = struct.unpack(f">{1 + dims}I", header)
            if found != magic:
                raise IdxError(f"magic number is {found:#010x}, expected {magic:#010x}")
            expected = [count] + [28] * (dims - 1)
            if shape != expected:
                raise IdxError(f"shape in header is {tuple(shape)}, expected {tuple(expected)}")
            array = np.empty(shape, dtype=np.uint8)
            size = stream.readinto(memoryview(array).cast("B"))
            if size != array.size or stream.read(1):
                raise IdxError(f"holds {'less' if size < array.size else 'more'} data than the "
                               f"{array.size} bytes its header announces")
    except FileNotFoundError:
        raise
    except (OSError, EOFError, zlib.error) as error:
        raise IdxError(f"not a readable gzip file ({error})") from None
    if magic == LABELS_MAGIC and array.max(initial=0) > 9:
        raise IdxError(f"a label is {array.max()}, not 0..9")
    return array
