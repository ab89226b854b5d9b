"""get_file: Keras's download-and-cache, made safe to interrupt.

What differs from Keras 3.15 (the signature and the cache layout are the same):
* the download streams into a temporary file in the cache folder and is renamed onto its
  final name only after its hash (or `validator`) accepted it, so a killed download never
  leaves a half file under the real name;
* archives extract into a temporary folder, refusing members that would land outside it, and
  are renamed into place when complete;
* a failed download says where the file belongs and how to put it there by hand.

The cache is `$KERAS_HOME/<cache_subdir>` (KERAS_HOME defaults to `~/.keras`; `/tmp/.keras`
if that is not writable), exactly where Keras looks, so files Keras downloaded are reused.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile

#: Seconds without data before a download gives up.
TIMEOUT = 60
_BLOCK = 1 << 20


class DownloadError(OSError):
    """A file could not be fetched; the message says where to place it by hand."""


def keras_home() -> str:
    """`$KERAS_HOME`, or `~/.keras` (read at call time, so tests may point it elsewhere)."""
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False, *, validator=None):
    """Downloads a file from a URL unless it is already in the cache; returns its path.

    Args:
        fname: the file's name in the cache (default: the origin's last path part). Not a path.
        origin: the URL.
        untar: deprecated; the same as `extract=True` with a tar archive.
        md5_hash: deprecated; `file_hash` with `hash_algorithm="md5"`.
        file_hash: the expected sha256 (64 hex digits) or md5 of the file.
        cache_subdir: the folder under the cache dir (an absolute path is used as is).
        hash_algorithm: "auto" (sha256 for a 64-digit hash, else md5), "sha256" or "md5".
        extract: extract the archive (tar, tar.gz, zip) and return the extracted folder.
        archive_format: "auto", "tar", "zip", or a list of them.
        cache_dir: the cache root (default `$KERAS_HOME` or `~/.keras`).
        force_download: download even when a valid cached file exists.
        validator: tapeflow only: a callable `validator(path)` that raises ValueError for a
            bad file; used where no published hash exists (checked like a hash).

    Returns:
        The path of the file (or, with extract, of the folder it was extracted into).

    Raises:
        ValueError: no origin, a path given as fname, or a download with the wrong hash.
        DownloadError: the download failed (the message says where to put the file by hand).

    Example:
        >>> path = get_file("data.npz", origin="http://127.0.0.1:8000/data.npz")  # doctest: +SKIP
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    datadir = _cache_folder(cache_dir, cache_subdir)
    fname = os.fspath(fname) if fname is not None else None
    provided_fname = bool(fname)
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'."
                             "Please specify the `fname` argument.")
    elif os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError("Paths are no longer accepted as the `fname` argument. To specify the "
                         f"file's parent directory, use the `cache_dir` argument. "
                         f"Received: fname={fname}")
    extract = extract or untar
    target, extraction_dir = _targets(datadir, fname, extract, provided_fname)

    def acceptable(path):
        return _is_valid(path, file_hash, hash_algorithm, validator)

    downloaded = False
    if force_download or not os.path.exists(target):
        if not force_download and extract and _nonempty_dir(extraction_dir):
            return extraction_dir  # extracted earlier (or placed there by hand); archive gone
        _download(origin, target, file_hash, hash_algorithm, validator)
        downloaded = True
    elif not acceptable(target):
        print(f"A local file was found, but it seems to be incomplete or outdated because the "
              f"{hash_algorithm} file hash does not match the original value of {file_hash} so "
              f"we will re-download the data.")
        _download(origin, target, file_hash, hash_algorithm, validator)
        downloaded = True
    if extract:
        if downloaded or not _nonempty_dir(extraction_dir):
            _extract(target, extraction_dir, "tar" if untar else archive_format)
        return extraction_dir
    return target


def _cache_folder(cache_dir, cache_subdir):
    """`<cache_dir>/<cache_subdir>`, created; `/tmp/.keras/...` if the cache dir is not writable."""
    base = os.path.expanduser(os.fspath(cache_dir)) if cache_dir is not None else keras_home()
    try:
        os.makedirs(base, exist_ok=True)
        writable = os.access(base, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        base = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(),
                            ".keras")
    datadir = os.path.join(base, os.fspath(cache_subdir))
    os.makedirs(datadir, exist_ok=True)
    return datadir


def _targets(datadir, fname, extract, provided_fname=True):
    """Keras 3's names: the archive and the folder it extracts to."""
    if not extract:
        return os.path.join(datadir, fname), None
    if provided_fname and "." in fname:
        stem = fname[:fname.find(".")]
        return os.path.join(datadir, fname), os.path.join(datadir, f"{stem}_extracted")
    return os.path.join(datadir, f"{fname}_archive"), os.path.join(datadir, fname)


def _nonempty_dir(path):
    return path is not None and os.path.isdir(path) and bool(os.listdir(path))


# -- hashes -----------------------------------------------------------------------------------
def resolve_hasher(algorithm, file_hash=None):
    if algorithm == "sha256":
        return hashlib.sha256()
    if algorithm == "auto" and file_hash is not None and len(file_hash) == 64:
        return hashlib.sha256()
    return hashlib.md5()


def hash_file(fpath, algorithm="sha256", chunk_size=65535):
    """The hex digest of a file (`algorithm` "sha256", "md5", "auto" or a hashlib object)."""
    hasher = resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as stream:
        for chunk in iter(lambda: stream.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    """Whether the file's hash is `file_hash`."""
    return hash_file(fpath, resolve_hasher(algorithm, file_hash), chunk_size) == str(file_hash)


def _is_valid(path, file_hash, algorithm, validator):
    if file_hash is not None and not validate_file(path, file_hash, algorithm):
        return False
    if validator is not None:
        try:
            validator(path)
        except ValueError:
            return False
    return True


# -- download -----------------------------------------------------------------------------------
def _download(origin, target, file_hash, algorithm, validator):
    """Streams `origin` into a temp file beside `target`; renames it there once accepted."""
    print(f"Downloading data from {origin}")
    folder = os.path.dirname(target)
    fd, partial = tempfile.mkstemp(dir=folder, prefix=os.path.basename(target) + ".",
                                   suffix=".part")
    hasher = resolve_hasher(algorithm, file_hash) if file_hash is not None else None
    try:
        with os.fdopen(fd, "wb") as out:
            _fetch(origin, out, hasher, target, file_hash)
            out.flush()
            os.fsync(out.fileno())
        if hasher is not None and hasher.hexdigest() != str(file_hash):
            raise ValueError(
                f"Incomplete or corrupted file detected. The {algorithm} file hash does not "
                f"match the provided value of {file_hash}. (Received {hasher.hexdigest()} "
                f"from {origin}; nothing was written to {target}. Retry, or place a good copy "
                f"there by hand.)")
        if validator is not None:
            try:
                validator(partial)
            except ValueError as error:
                raise ValueError(f"The file downloaded from {origin} is not valid ({error}); "
                                 f"nothing was written to {target}.") from None
        os.replace(partial, target)
        fsync_folder(folder)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise


def fsync_folder(folder):
    """Makes the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _open_url(origin):
    return urllib.request.urlopen(origin, timeout=TIMEOUT)


def _fetch(origin, out, hasher, target, file_hash):
    try:
        with _open_url(origin) as response:
            total = response.headers.get("Content-Length")
            bar = _progbar(int(total) if total and total.isdigit() else None)
            done = 0
            while True:
                block = response.read(_BLOCK)
                if not block:
                    break
                out.write(block)
                if hasher is not None:
                    hasher.update(block)
                done += len(block)
                if bar is not None:
                    bar.update(done)
            if total and total.isdigit() and done != int(total):
                raise http.client.IncompleteRead(b"", int(total) - done)
    except urllib.error.HTTPError as error:
        raise DownloadError(_fetch_failure(origin, error.code, error.msg, target,
                                           file_hash)) from None
    except urllib.error.URLError as error:
        raise DownloadError(_fetch_failure(origin, error.errno, error.reason, target,
                                           file_hash)) from None
    except (OSError, ValueError, http.client.HTTPException) as error:  # resets, cut-offs
        raise DownloadError(_fetch_failure(origin, getattr(error, "errno", None), error,
                                           target, file_hash)) from None


def _fetch_failure(origin, code, reason, target, file_hash):
    lines = [f"URL fetch failure on {origin}: {code} -- {reason}",
             (f"To use this file without the network, download {origin} on a machine that "
              f"can reach it and copy it to"),
             f"    {target}"]
    if file_hash:
        kind = "sha256" if len(file_hash) == 64 else "md5"
        lines.append(f"(its {kind} must be {file_hash}); the next call verifies it there and "
                     f"downloads nothing.")
    else:
        lines.append("The next call finds it there and downloads nothing.")
    return "\n".join(lines)


def _progbar(total):
    """Engineer B's Progbar when present and the size is known; otherwise no bar."""
    if total is None:
        return None
    try:
        from tapeflow.keras.utils.progbar import Progbar
    except ImportError:
        return None
    try:
        return Progbar(total)
    except Exception:  # noqa: BLE001 - a Progbar still being written must not break a download
        return None


# -- archives -------------------------------------------------------------------------------------
def _extract(archive, extraction_dir, archive_format="auto"):
    """Extracts into a temp folder beside `extraction_dir`, then renames it into place."""
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    parent = os.path.dirname(extraction_dir)
    for kind in formats:
        if kind not in ("tar", "zip"):
            raise NotImplementedError(kind)
        is_match = tarfile.is_tarfile if kind == "tar" else zipfile.is_zipfile
        if not is_match(archive):
            continue
        temp = tempfile.mkdtemp(dir=parent, prefix=os.path.basename(extraction_dir) + ".")
        try:
            if kind == "tar":
                with tarfile.open(archive) as tar:
                    _safe_tar_extract(tar, temp)
            else:
                with zipfile.ZipFile(archive) as zf:
                    zf.extractall(temp)  # zipfile strips '..' and leading '/' itself
            if os.path.isdir(extraction_dir):
                shutil.rmtree(extraction_dir)
            os.replace(temp, extraction_dir)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
        return True
    raise ValueError(f"Could not extract {archive}: it is not a {' or '.join(formats)} archive.")


def _safe_tar_extract(tar, dest):
    base = os.path.realpath(dest)
    for member in tar.getmembers():
        path = os.path.realpath(os.path.join(base, member.name))
        if os.path.commonpath([base, path]) != base or member.issym() or member.islnk():
            raise ValueError(f"Refusing to extract {member.name!r}: it would land outside "
                             f"{dest} or is a link.")
        if not (member.isfile() or member.isdir()):
            raise ValueError(f"Refusing to extract {member.name!r}: not a file or folder.")
    if hasattr(tarfile, "data_filter"):
        tar.extractall(dest, filter="data")
    else:  # pragma: no cover - Pythons before the extraction filters; members checked above
        tar.extractall(dest)


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extracts a tar or zip archive into `path`; True if it was one."""
    try:
        return _extract(os.fspath(file_path), os.fspath(path), archive_format)
    except ValueError:
        return False
