"""Bytes in and out: atomic writes, the ``.keras`` zip read in memory, and HDF5 weight stores.

Writing: every file is written to a temporary file in the target's folder, flushed, fsynced and
renamed over the target (``os.replace``), then the folder is fsynced; on any failure the
temporary file is removed and an existing target is left untouched.

Reading is data-only: the zip is opened from bytes, only the format's member names are
accepted, every size is checked before anything is allocated (declared sizes, expansion ratio,
then the bytes actually read), and HDF5 files are opened from memory with only plain numeric
datasets, hard links and no external storage accepted. Anything else is reported as corrupt,
with what is wrong.
"""
import io
import os
import tempfile
import zipfile
import zlib

import numpy as np

from tapeflow.keras.utils import file_utils

KERAS_MEMBERS = ("metadata.json", "config.json", "model.weights.h5")
MAX_JSON_BYTES = 64 << 20  # config.json / metadata.json
MAX_WEIGHTS_BYTES = 4 << 30  # model.weights.h5 / .weights.h5 (Keras's 4 GiB floor)
MAX_EXPANSION = 100  # a compressed member may expand at most this many times (Keras's rule)


class CorruptFileError(ValueError):
    """A model or weights file that cannot be read as what it claims to be."""


def corrupt(path, what):
    return CorruptFileError(f"The file {os.fspath(path)!r} is corrupt: {what}")


# ================================= atomic writes ==============================================
def atomic_write(path, write):
    """Calls ``write(fileobj)`` on a temporary file beside ``path``, then renames it over path.

    The previous file (if any) stays intact unless the whole write succeeded.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    file_utils.fsync_folder(folder)


def atomic_write_bytes(path, data):
    atomic_write(path, lambda f: f.write(data))


# ================================= reading files ==============================================
def read_file(path, limit, what):
    """The bytes of a file no larger than ``limit`` (checked before reading)."""
    path = os.fspath(path)
    size = os.path.getsize(path)
    if size > limit:
        raise corrupt(path, f"it is {size} bytes, more than the {limit} bytes allowed for "
                            f"{what}.")
    with open(path, "rb") as f:
        return f.read(limit + 1)


def read_keras_archive(path, limits=None):
    """{member name: bytes} of a ``.keras`` zip, read in memory with every check applied."""
    limits = dict({"metadata.json": MAX_JSON_BYTES, "config.json": MAX_JSON_BYTES,
                   "model.weights.h5": MAX_WEIGHTS_BYTES}, **(limits or {}))
    return read_archive(path, limits, required=("config.json", "model.weights.h5"),
                        what="a `.keras` file")


def read_archive(path, limits, required=(), what="this archive"):
    """{member: bytes} of a zip whose member names are exactly some of ``limits``' keys."""
    path = os.fspath(path)
    allowed = tuple(limits)
    data = read_file(path, sum(limits.values()) + (1 << 20), what)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise corrupt(path, f"it is not a valid zip archive ({error}); {what} is a zip "
                            f"holding {', '.join(allowed)}. It may be truncated or "
                            "damaged.") from None
    except (OSError, ValueError, EOFError) as error:
        raise corrupt(path, f"the zip archive cannot be read ({error}).") from None
    infos = archive.infolist()
    names = [info.filename for info in infos]
    for info in infos:
        if info.filename not in allowed:
            raise corrupt(path, f"unexpected member {info.filename!r}; {what} holds only "
                                f"{', '.join(allowed)}. Nothing was extracted.")
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise corrupt(path, f"member(s) {sorted(duplicates)} appear more than once.")
    for member in required:
        if member not in names:
            raise corrupt(path, f"the member {member!r} is missing (members: {names}).")
    return {info.filename: _read_member(path, archive, info, limits[info.filename])
            for info in infos}


def _read_member(path, archive, info, limit):
    name = info.filename
    if info.flag_bits & 0x1:
        raise corrupt(path, f"member {name!r} is encrypted.")
    if info.file_size > limit:
        raise corrupt(path, f"member {name!r} declares {info.file_size} bytes, more than the "
                            f"{limit} bytes allowed.")
    if info.compress_type != zipfile.ZIP_STORED and \
            info.file_size > MAX_EXPANSION * max(info.compress_size, 1) and \
            info.file_size > (1 << 20):
        raise corrupt(path, f"member {name!r} would expand from {info.compress_size} to "
                            f"{info.file_size} bytes (more than {MAX_EXPANSION}x): refused as "
                            "a decompression bomb.")
    try:
        with archive.open(info) as f:
            data = f.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
            zlib.error) as error:
        raise corrupt(path, f"member {name!r} cannot be read ({error}).") from None
    if len(data) != info.file_size:
        raise corrupt(path, f"member {name!r} holds {len(data)} bytes where its header "
                            f"declares {info.file_size}.")
    return data


def write_keras_archive(fileobj, members):
    """A ``.keras`` zip (members stored uncompressed, as Keras writes them)."""
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in KERAS_MEMBERS:
            if name in members:
                archive.writestr(zipfile.ZipInfo(name, date_time=_now()), members[name],
                                 compress_type=zipfile.ZIP_STORED)


def _now():
    import time
    return time.localtime()[:6]


# ================================= HDF5 ========================================================
def h5py():
    try:
        import h5py as module
    except ImportError:
        raise ImportError("Saving and loading `.keras` and `.weights.h5` files needs h5py: "
                          "`pip install tapeflow[h5]` (or `pip install h5py`).") from None
    return module


def write_h5(entries):
    """HDF5 bytes holding ``entries``: [(path, name or None, [arrays])] as Keras lays them out
    (``<path>/vars/<i>``, the owner's name as the ``name`` attribute of ``vars``)."""
    h5 = h5py()
    buffer = io.BytesIO()
    with h5.File(buffer, "w") as f:
        for path, name, arrays in entries:
            if name is None and not arrays:
                continue
            group = f.create_group(f"{path}/vars" if path else "vars")
            if name is not None:
                group.attrs["name"] = name
            for i, value in enumerate(arrays):
                group[str(i)] = np.asarray(value)
    return buffer.getvalue()


class H5Reader:
    """A weights file opened from memory; every dataset is checked before it is read."""

    def __init__(self, data, path, max_bytes=MAX_WEIGHTS_BYTES):
        h5 = h5py()
        self.path = path
        self._h5 = h5
        self._declared_limit = MAX_EXPANSION * len(data) + (1 << 20)
        self._declared = 0
        self.max_bytes = max_bytes
        try:
            self.file = h5.File(io.BytesIO(data), "r")
        except (OSError, ValueError) as error:
            raise corrupt(path, f"the weights are not a readable HDF5 file ({error}); it may "
                                "be truncated or damaged.") from None

    def close(self):
        self.file.close()

    def _group(self, path):
        """The ``vars`` group at path, walking hard links only; None when absent."""
        node = self.file
        parts = [p for p in (path.split("/") if path else []) if p] + ["vars"]
        for part in parts:
            try:
                link = node.get(part, getlink=True)
            except (KeyError, ValueError, OSError) as error:
                raise corrupt(self.path, f"cannot read HDF5 entry {part!r} ({error}).") from None
            if link is None:
                return None
            if not isinstance(link, self._h5.HardLink):
                raise corrupt(self.path, f"HDF5 entry {path!r} is a {type(link).__name__}; "
                                         "only plain groups and datasets are accepted.")
            node = node[part]
            if not isinstance(node, self._h5.Group):
                raise corrupt(self.path, f"HDF5 entry {part!r} under {path!r} is not a group.")
        return node

    def keys(self, path):
        group = self._group(path)
        return [] if group is None else list(group.keys())

    def read(self, path, key, expected_shape, expected_dtype=None):
        """The dataset ``<path>/vars/<key>`` as an array, after checking what it declares."""
        group = self._group(path)
        where = f"{path}/vars/{key}" if path else f"vars/{key}"
        if group is None or key not in group:
            raise corrupt(self.path, f"the weight {where!r} is missing.")
        link = group.get(key, getlink=True)
        if not isinstance(link, self._h5.HardLink):
            raise corrupt(self.path, f"HDF5 entry {where!r} is a {type(link).__name__}; only "
                                     "plain datasets are accepted.")
        ds = group[key]
        if not isinstance(ds, self._h5.Dataset):
            raise corrupt(self.path, f"HDF5 entry {where!r} is not a dataset.")
        dtype = ds.dtype
        if dtype.kind not in "biuf" or dtype.fields is not None or \
                self._h5.check_dtype(vlen=dtype) is not None:
            raise corrupt(self.path, f"dataset {where!r} has dtype {dtype}; only numeric and "
                                     "bool arrays are accepted (no objects, strings or "
                                     "references).")
        if ds.external or getattr(ds, "is_virtual", False):
            raise corrupt(self.path, f"dataset {where!r} stores its data outside the file; "
                                     "refused.")
        shape = tuple(int(d) for d in ds.shape) if ds.shape is not None else None
        if shape is None:
            raise corrupt(self.path, f"dataset {where!r} has no shape.")
        nbytes = int(np.prod(shape, dtype=np.float64) * dtype.itemsize)
        if nbytes > self.max_bytes:
            raise corrupt(self.path, f"dataset {where!r} declares shape {shape} "
                                     f"({nbytes} bytes), more than the {self.max_bytes} "
                                     "bytes allowed; nothing was allocated.")
        if expected_shape is not None and shape != tuple(expected_shape):
            raise ValueError(f"The weight {where!r} in {self.path!r} has shape {shape}, but the "
                             f"model's variable has shape {tuple(expected_shape)}.")
        self._declared += nbytes
        if self._declared > self._declared_limit:
            raise corrupt(self.path, f"its datasets declare {self._declared} bytes, more than "
                                     f"{MAX_EXPANSION}x the file's size; refused before "
                                     "allocating.")
        try:
            value = ds[()]
        except (OSError, ValueError, TypeError) as error:
            raise corrupt(self.path, f"dataset {where!r} cannot be read ({error}).") from None
        value = np.asarray(value)
        if expected_dtype is not None and value.dtype != np.dtype(expected_dtype):
            value = value.astype(expected_dtype)
        return value
