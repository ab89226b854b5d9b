"""What the downloading datasets share: origins, explicit local paths, pickle-free .npz reading.

Every download goes through `keras.utils.get_file` (cache, hashes, atomic rename). The origin
is Keras's; `$TAPEFLOW_DATASETS_ORIGIN` (a base URL ending in '/') replaces it for every dataset
file at once, which is how the tests point the loaders at a server on 127.0.0.1.
"""

from __future__ import annotations

import io
import os
import pickle
import warnings
import zipfile

import numpy as np

from tapeflow.keras.utils import file_utils

#: Keras's dataset bucket.
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
ORIGIN_ENV = "TAPEFLOW_DATASETS_ORIGIN"


def origin(name: str, keras_url: str | None = None) -> str:
    """The URL of dataset file `name`: Keras's, unless $TAPEFLOW_DATASETS_ORIGIN overrides."""
    base = os.environ.get(ORIGIN_ENV)
    if base:
        return base.rstrip("/") + "/" + name
    return keras_url or KERAS_ORIGIN + name


def fetch(path, default_name: str, file_hash: str | None, dataset: str) -> str:
    """The local file for `path`: an existing file named by a path, else the Keras cache.

    A path to an existing file (anything but a bare file name) is used offline as it is; its
    hash is still checked, and a mismatch warns (it may be a deliberate subset) instead of
    failing. A bare name is looked up in (and downloaded into) `$KERAS_HOME/datasets/`.
    """
    path = os.fspath(path)
    if (os.sep in path or (os.altsep and os.altsep in path)) and os.path.isfile(path):
        if file_hash and not file_utils.validate_file(path, file_hash):
            warnings.warn(f"{dataset}: {path} does not have the hash Keras publishes for "
                          f"{default_name} ({file_hash}); using it anyway because it was "
                          f"passed explicitly.", stacklevel=3)
        return path
    if os.sep in path or (os.altsep and os.altsep in path):
        raise FileNotFoundError(
            f"{dataset}: no file at path={path!r}. Pass the path of an existing "
            f"{default_name}, or a bare file name to use the Keras cache "
            f"({os.path.join(file_utils.keras_home(), 'datasets')}).")
    try:
        return file_utils.get_file(fname=path, origin=origin(default_name), file_hash=file_hash)
    except file_utils.DownloadError as error:
        raise file_utils.DownloadError(
            f"{error}\nOr load a copy kept anywhere: {dataset}(path='/path/to/{default_name}')."
        ) from None


_ALLOWED_PICKLE_GLOBALS = frozenset({
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
})


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles NumPy arrays and plain Python containers only: no code runs from a file."""

    def find_class(self, module, name):
        if (module, name) in _ALLOWED_PICKLE_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"Refusing to deserialize `{module}.{name}` while loading a "
                                     f"Keras dataset. The file may be corrupted or malicious.")


def load_npz(path) -> dict:
    """The arrays of an .npz; object arrays (ragged sequences) via the restricted unpickler."""
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith(".npy"):
                    with archive.open(member) as raw:
                        arrays[member[:-4]] = _read_npy(io.BytesIO(raw.read()))
    except (zipfile.BadZipFile, EOFError, pickle.UnpicklingError) as error:
        raise ValueError(f"{path} is not a readable .npz file ({error}).") from None
    return arrays


def _read_npy(stream):
    try:
        return np.lib.format.read_array(stream, allow_pickle=False)
    except ValueError:
        stream.seek(0)
        version = np.lib.format.read_magic(stream)
        if version[0] == 1:
            np.lib.format.read_array_header_1_0(stream)
        else:
            np.lib.format.read_array_header_2_0(stream)
        return RestrictedUnpickler(stream).load()


def require(arrays: dict, keys, path, dataset):
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise ValueError(f"{dataset}: {path} has arrays {sorted(arrays)} but lacks {missing}; "
                         f"expected {list(keys)} (Keras's file layout).")
    return [arrays[k] for k in keys]


def load_xy(file, dataset):
    """The `x` and `y` arrays of a pickle-free .npz (boston_housing, california_housing)."""
    try:
        with np.load(file, allow_pickle=False) as data:
            x, y = require(data, ("x", "y"), file, dataset)
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        if "lacks" in str(error):
            raise
        raise ValueError(f"{dataset}: {file} is not a readable .npz ({error}); delete it and "
                         f"retry.") from None
    return x, y


def shuffle_split(x, y, test_split, seed):
    """Keras's split: shuffle with RandomState(seed), the first (1 - test_split) for training."""
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))

