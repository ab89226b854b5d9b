"""keras.utils.get_file and the downloading datasets, against a server on 127.0.0.1 only.

Every test runs with an empty Keras cache, `$TAPEFLOW_DATASETS_ORIGIN` pointing at a local
HTTP server that serves small generated files, and a guard that fails any request to a host
other than 127.0.0.1: the tests never reach Keras's real origins.
"""

import hashlib
import http.server
import importlib.util
import json
import os
import pathlib
import shutil
import tarfile
import threading
import urllib.parse

import numpy as np
import pytest

from tapeflow.keras.datasets import (_files, boston_housing, california_housing, cifar10,
                                     cifar100, fashion_mnist, imdb, reuters)
from tapeflow.keras.utils import file_utils, get_file

_FOLDER = pathlib.Path(__file__).resolve().parents[1] / "golden" / "keras_data"
_spec = importlib.util.spec_from_file_location("keras_data_fixtures", _FOLDER / "fixtures.py")
FIXTURES = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(FIXTURES)
GOLDENS = json.loads((_FOLDER / "goldens.json").read_text())["loaders"]


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def md5(path):
    return hashlib.md5(pathlib.Path(path).read_bytes()).hexdigest()


class Server:
    """A threaded HTTP server on 127.0.0.1 serving `root`; records the paths requested."""

    def __init__(self, root):
        self.root, self.requests, self.truncate = root, [], set()
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(root), **kwargs)

            def do_GET(self):
                name = self.path.lstrip("/")
                server.requests.append(name)
                if name in server.truncate:  # announce the full size, send half, hang up
                    data = (root / name).read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Fails any download from a host other than 127.0.0.1."""
    real = file_utils._open_url

    def guarded(origin):
        host = urllib.parse.urlsplit(origin).hostname
        assert host == "127.0.0.1", f"test tried to reach {origin}"
        return real(origin)
    monkeypatch.setattr(file_utils, "_open_url", guarded)


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    home = tmp_path / "keras-home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


@pytest.fixture
def server(tmp_path, monkeypatch, keras_home):
    root = tmp_path / "www"
    root.mkdir()
    s = Server(root)
    monkeypatch.setenv(_files.ORIGIN_ENV, s.url)
    yield s
    s.close()


def no_partial_files(folder):
    return not [p for p in pathlib.Path(folder).rglob("*.part")]


# -- get_file ------------------------------------------------------------------------------------
def test_downloads_into_the_keras_cache_once(server, keras_home, capsys):
    (server.root / "data.bin").write_bytes(b"hello" * 1000)
    digest = sha256(server.root / "data.bin")
    path = get_file("data.bin", origin=server.url + "data.bin", file_hash=digest)
    assert path == str(keras_home / "datasets" / "data.bin")
    assert pathlib.Path(path).read_bytes() == b"hello" * 1000
    assert f"Downloading data from {server.url}data.bin" in capsys.readouterr().out
    assert get_file("data.bin", origin=server.url + "data.bin", file_hash=digest) == path
    assert server.requests == ["data.bin"]  # the second call used the cache
    assert no_partial_files(keras_home)


def test_fname_defaults_to_the_origins_name_and_cache_dir_is_honoured(server, tmp_path):
    (server.root / "x.txt").write_text("x")
    path = get_file(origin=server.url + "x.txt", cache_dir=tmp_path / "c", cache_subdir="sub")
    assert path == str(tmp_path / "c" / "sub" / "x.txt")


def test_wrong_hash_on_download_leaves_nothing_behind(server, keras_home):
    (server.root / "data.bin").write_bytes(b"tampered")
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected. The auto file "
                                         "hash does not match the provided value of 0000"):
        get_file("data.bin", origin=server.url + "data.bin", file_hash="0" * 64)
    folder = keras_home / "datasets"
    assert not (folder / "data.bin").exists() and no_partial_files(folder)


def test_corrupt_cache_is_downloaded_again(server, keras_home, capsys):
    (server.root / "data.bin").write_bytes(b"good data")
    cached = keras_home / "datasets" / "data.bin"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"good da")  # a truncated copy from an earlier, interrupted tool
    get_file("data.bin", origin=server.url + "data.bin", file_hash=sha256(server.root /
                                                                           "data.bin"))
    assert cached.read_bytes() == b"good data"
    assert "hash does not match the original value" in capsys.readouterr().out


def test_interrupted_download_never_appears_under_the_real_name(server, keras_home):
    (server.root / "big.bin").write_bytes(os.urandom(200_000))
    server.truncate.add("big.bin")
    with pytest.raises(file_utils.DownloadError, match="URL fetch failure"):
        get_file("big.bin", origin=server.url + "big.bin")
    folder = keras_home / "datasets"
    assert not (folder / "big.bin").exists() and no_partial_files(folder)


def test_ctrl_c_mid_download_leaves_the_cache_as_it_was(server, keras_home, monkeypatch):
    cached = keras_home / "datasets" / "data.bin"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"old copy")

    def interrupted(origin, out, *args):
        out.write(b"half of the new fi")
        raise KeyboardInterrupt
    monkeypatch.setattr(file_utils, "_fetch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        get_file("data.bin", origin=server.url + "data.bin", force_download=True)
    assert cached.read_bytes() == b"old copy" and no_partial_files(cached.parent)


def test_http_error_explains_how_to_place_the_file_by_hand(server, keras_home):
    with pytest.raises(file_utils.DownloadError) as info:
        get_file("missing.npz", origin=server.url + "missing.npz", file_hash="a" * 64)
    message = str(info.value)
    assert message.startswith(f"URL fetch failure on {server.url}missing.npz: 404 -- ")
    assert str(keras_home / "datasets" / "missing.npz") in message
    assert "copy it to" in message and "a" * 64 in message


def test_unreachable_origin_is_a_download_error(keras_home, monkeypatch):
    monkeypatch.setattr(file_utils, "TIMEOUT", 5)
    with pytest.raises(file_utils.DownloadError, match="URL fetch failure on http://127.0.0.1:9/"):
        get_file("f.bin", origin="http://127.0.0.1:9/f.bin")  # the discard port: refused


def test_a_file_placed_by_hand_is_used_offline(keras_home):
    folder = keras_home / "datasets"
    folder.mkdir(parents=True)
    (folder / "hand.bin").write_bytes(b"by hand")
    digest = hashlib.sha256(b"by hand").hexdigest()
    # no server at all: an attempt to download would fail
    assert get_file("hand.bin", origin="http://127.0.0.1:9/hand.bin", file_hash=digest) == str(
        folder / "hand.bin")


def test_md5_hash_and_force_download(server, keras_home):
    (server.root / "w.json").write_text("{}")
    path = get_file("w.json", origin=server.url + "w.json", md5_hash=md5(server.root / "w.json"))
    get_file("w.json", origin=server.url + "w.json", force_download=True)
    assert server.requests == ["w.json", "w.json"] and pathlib.Path(path).read_text() == "{}"


def test_argument_errors_are_keras():
    with pytest.raises(ValueError, match='Please specify the "origin" argument'):
        get_file("x")
    with pytest.raises(ValueError, match="Paths are no longer accepted as the `fname` argument"):
        get_file("a/b.npz", origin="http://127.0.0.1:9/b.npz")


def test_extract_tar_into_its_folder(server, keras_home):
    FIXTURES.write_cifar(server.root)
    path = get_file("cifar-10-batches-py-target", origin=server.url + "cifar-10-python.tar.gz",
                    extract=True)
    assert path == str(keras_home / "datasets" / "cifar-10-batches-py-target")
    assert min(os.listdir(os.path.join(path, "cifar-10-batches-py"))) == "data_batch_1"
    assert (keras_home / "datasets" / "cifar-10-batches-py-target_archive").is_file()


def test_extract_zip_with_a_dotted_fname(server, keras_home):
    import zipfile
    with zipfile.ZipFile(server.root / "pack.zip", "w") as zf:
        zf.writestr("inner/data.txt", "zipped")
    path = get_file("pack.zip", origin=server.url + "pack.zip", extract=True)
    assert path == str(keras_home / "datasets" / "pack_extracted")  # Keras 3's naming
    assert (pathlib.Path(path) / "inner" / "data.txt").read_text() == "zipped"
    assert get_file("pack.zip", origin=server.url + "pack.zip", extract=True) == path
    assert server.requests == ["pack.zip"]


def test_extract_without_fname_names_folders_as_keras(server, keras_home):
    import zipfile
    with zipfile.ZipFile(server.root / "pack.zip", "w") as zf:
        zf.writestr("data.txt", "zipped")
    path = get_file(origin=server.url + "pack.zip", extract=True)
    assert path == str(keras_home / "datasets" / "pack.zip")  # the folder takes the name
    assert (keras_home / "datasets" / "pack.zip_archive").is_file()
    assert (pathlib.Path(path) / "data.txt").read_text() == "zipped"


def test_extract_refuses_members_outside_the_folder(server, keras_home):
    FIXTURES.write_cifar(server.root, extra_member="../escaped.txt")
    with pytest.raises(ValueError, match="outside"):
        get_file("evil", origin=server.url + "cifar-10-python.tar.gz", extract=True)
    assert not (keras_home / "datasets" / "escaped.txt").exists()
    assert not (keras_home / "datasets" / "evil").exists()


def test_validator_rejects_a_bad_download(server, keras_home):
    (server.root / "v.bin").write_bytes(b"bad")

    def validator(path):
        if pathlib.Path(path).read_bytes() != b"good":
            raise ValueError("not good")
    with pytest.raises(ValueError, match="not good"):
        get_file("v.bin", origin=server.url + "v.bin", validator=validator)
    assert not (keras_home / "datasets" / "v.bin").exists()


# -- the loaders, against Keras's own output on the same files ---------------------------------------
@pytest.fixture
def text_server(server, monkeypatch):
    for write in (FIXTURES.write_imdb, FIXTURES.write_reuters, FIXTURES.write_boston,
                  FIXTURES.write_california):
        write(server.root)
    for name in ("imdb_word_index.json", "reuters_word_index.json"):
        FIXTURES.write_word_index(server.root, name)
    monkeypatch.setattr(imdb, "IMDB_SHA256", sha256(server.root / "imdb.npz"))
    monkeypatch.setattr(imdb, "WORD_INDEX_MD5", md5(server.root / "imdb_word_index.json"))
    monkeypatch.setattr(reuters, "REUTERS_SHA256", sha256(server.root / "reuters.npz"))
    monkeypatch.setattr(reuters, "WORD_INDEX_MD5", md5(server.root / "reuters_word_index.json"))
    monkeypatch.setattr(boston_housing, "BOSTON_SHA256",
                        sha256(server.root / "boston_housing.npz"))
    monkeypatch.setattr(california_housing, "CALIFORNIA_SHA256",
                        sha256(server.root / "california_housing.npz"))
    return server


@pytest.mark.parametrize("case", sorted(FIXTURES.LOADER_CASES))
def test_loader_matches_keras(text_server, case):
    from tapeflow import keras
    expected = GOLDENS[case]
    if "error" in expected:
        with pytest.raises(Exception) as info:
            eval(FIXTURES.LOADER_CASES[case], {"keras": keras})
        assert type(info.value).__name__ == expected["error"]
        assert str(info.value).splitlines()[0] == expected["message"]
        return
    value = eval(FIXTURES.LOADER_CASES[case], {"keras": keras})
    assert FIXTURES.describe(value) == expected["ok"]


def test_loaders_return_keras_types(text_server):
    (x_train, y_train), _ = imdb.load_data(num_words=50)
    assert x_train.dtype == object and x_train.ndim == 1 and type(x_train[0]) is list
    assert type(x_train[0][0]) is int and y_train.dtype == np.int64
    (bx, by), _ = boston_housing.load_data()
    assert bx.dtype == np.float64 and by.dtype == np.float64 and bx.shape[1] == 13


def test_the_cache_is_used_on_the_second_call(text_server):
    imdb.load_data()
    imdb.load_data(num_words=10)
    assert text_server.requests == ["imdb.npz"]


def test_loader_download_error_also_suggests_path(keras_home, monkeypatch):
    monkeypatch.setenv(_files.ORIGIN_ENV, "http://127.0.0.1:9/")
    with pytest.raises(file_utils.DownloadError) as info:
        reuters.load_data()
    assert str(keras_home / "datasets" / "reuters.npz") in str(info.value)
    assert "reuters.load_data(path='/path/to/reuters.npz')" in str(info.value)


def test_explicit_path_works_offline_and_warns_on_a_foreign_hash(tmp_path, keras_home):
    path = FIXTURES.write_boston(tmp_path)
    with pytest.warns(UserWarning, match="does not have the hash Keras publishes"):
        (x, _), _ = boston_housing.load_data(path=path)
    assert x.shape == (18, 13)
    with pytest.raises(FileNotFoundError, match="no file at path="):
        boston_housing.load_data(path=str(tmp_path / "nope" / "boston_housing.npz"))


def test_keras_signatures():
    import inspect
    sig = {name: str(inspect.signature(f)) for name, f in [
        ("imdb", imdb.load_data), ("reuters", reuters.load_data),
        ("boston", boston_housing.load_data), ("fashion", fashion_mnist.load_data),
        ("cifar10", cifar10.load_data), ("imdb_wi", imdb.get_word_index),
        ("california", california_housing.load_data), ("cifar100", cifar100.load_data),
        ("reuters_wi", reuters.get_word_index)]}
    assert sig == {
        "imdb": "(path='imdb.npz', num_words=None, skip_top=0, maxlen=None, seed=113, "
                "start_char=1, oov_char=2, index_from=3, **kwargs)",
        "reuters": "(path='reuters.npz', num_words=None, skip_top=0, maxlen=None, "
                   "test_split=0.2, seed=113, start_char=1, oov_char=2, index_from=3)",
        "boston": "(path='boston_housing.npz', test_split=0.2, seed=113)",
        "fashion": "()", "cifar10": "()",
        "california": "(version='large', path='california_housing.npz', test_split=0.2, "
                      "seed=113)",
        "cifar100": "(label_mode='fine')",
        "imdb_wi": "(path='imdb_word_index.json')",
        "reuters_wi": "(path='reuters_word_index.json')"}
    assert str(inspect.signature(get_file)).startswith(
        "(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None, "
        "cache_subdir='datasets', hash_algorithm='auto', extract=False, archive_format='auto', "
        "cache_dir=None, force_download=False")


def test_boston_rejects_bad_test_split():
    with pytest.raises(ValueError, match="Invalid `test_split` argument: 1"):
        boston_housing.load_data(test_split=1)


def test_a_malicious_pickle_in_an_npz_is_refused(server, keras_home, monkeypatch):
    import io
    import pickle
    import zipfile

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|O", "fortran_order": False,
                                                  "shape": (1,)})
    blob = header.getvalue() + pickle.dumps([Evil()])
    with zipfile.ZipFile(server.root / "imdb.npz", "w") as zf:
        for key in ("x_train", "y_train", "x_test", "y_test"):
            zf.writestr(f"{key}.npy", blob)
    monkeypatch.setattr(imdb, "IMDB_SHA256", sha256(server.root / "imdb.npz"))
    with pytest.raises(ValueError, match="Refusing to deserialize `posix.system`|"
                                         "Refusing to deserialize"):
        imdb.load_data()


# -- fashion_mnist: no published hash, so idx headers and sizes are checked -------------------------
@pytest.fixture
def fashion_server(server, monkeypatch):
    arrays = FIXTURES.write_fashion(server.root)
    monkeypatch.setattr(fashion_mnist, "COUNTS", FIXTURES.FASHION_COUNTS)
    return server, arrays


def test_fashion_mnist_downloads_and_checks(fashion_server, keras_home):
    server, arrays = fashion_server
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (12, 28, 28) and y_train.shape == (12,) and x_test.shape == (5, 28, 28)
    assert all(a.dtype == np.uint8 for a in (x_train, y_train, x_test, y_test))
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert (keras_home / "datasets" / "fashion-mnist" / "train-images-idx3-ubyte.gz").is_file()
    fashion_mnist.load_data()
    assert len(server.requests) == 4  # cached


def test_fashion_mnist_refuses_a_truncated_download(fashion_server, keras_home):
    server, _ = fashion_server
    name = "train-images-idx3-ubyte.gz"
    good = (server.root / name).read_bytes()
    import gzip
    (server.root / name).write_bytes(gzip.compress(gzip.decompress(good)[:-100]))
    with pytest.raises(ValueError, match="holds less data than"):
        fashion_mnist.load_data()
    assert not (keras_home / "datasets" / "fashion-mnist" / name).exists()


def test_fashion_mnist_replaces_a_corrupt_cached_file(fashion_server, keras_home):
    server, arrays = fashion_server
    cached = keras_home / "datasets" / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"not gzip")
    (_, _), (_, y_test) = fashion_mnist.load_data()
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert "t10k-labels-idx1-ubyte.gz" in server.requests


# -- cifar10 ----------------------------------------------------------------------------------------
def test_cifar10_shapes_values_and_channels_last(server, keras_home, monkeypatch):
    archive = FIXTURES.write_cifar(server.root)
    monkeypatch.setattr(cifar10, "CIFAR10_SHA256", sha256(archive))
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    n = FIXTURES.CIFAR_BATCH
    assert x_train.shape == (5 * n, 32, 32, 3) and y_train.shape == (5 * n, 1)
    assert x_test.shape == (n, 32, 32, 3) and y_test.shape == (n, 1)
    assert all(a.dtype == np.uint8 for a in (x_train, y_train, x_test, y_test))
    batches = FIXTURES.cifar_arrays()
    data, labels = batches["data_batch_2"]
    np.testing.assert_array_equal(x_train[n], data[0].reshape(3, 32, 32).transpose(1, 2, 0))
    assert y_train[n:2 * n, 0].tolist() == labels
    assert y_test[:, 0].tolist() == batches["test_batch"][1]
    shutil.rmtree(server.root)  # offline now: the extracted cache is enough
    (again, _), _ = cifar10.load_data()
    np.testing.assert_array_equal(again, x_train)


@pytest.mark.parametrize("mode, column", [("fine", 1), ("coarse", 2)])
def test_cifar100_label_modes(server, keras_home, monkeypatch, mode, column):
    archive = FIXTURES.write_cifar100(server.root)
    monkeypatch.setattr(cifar100, "CIFAR100_SHA256", sha256(archive))
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode=mode)
    arrays = FIXTURES.cifar100_arrays()
    assert x_train.shape == (6, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (6, 1) and y_test.shape == (3, 1)
    assert y_train[:, 0].tolist() == arrays["train"][column]
    np.testing.assert_array_equal(x_test[2], arrays["test"][0][2].reshape(3, 32, 32)
                                  .transpose(1, 2, 0))
    with pytest.raises(ValueError, match="`label_mode` must be one of"):
        cifar100.load_data(label_mode="medium")


def test_cifar10_archive_with_the_wrong_hash_is_refused(server, keras_home):
    FIXTURES.write_cifar(server.root)
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected"):
        cifar10.load_data()
    assert not list((keras_home / "datasets").iterdir())


def test_tar_links_are_refused(server, keras_home):
    path = server.root / "links.tar"
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("link")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(ValueError, match="link"):
        get_file("links", origin=server.url + "links.tar", extract=True)
