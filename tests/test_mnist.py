"""keras.datasets.mnist.load_data: the bundled real MNIST, and where else it may come from."""

import gzip
import shutil
import struct

import numpy as np
import pytest

from tapeflow.keras.datasets import mnist


@pytest.fixture(autouse=True)
def empty_keras_home(tmp_path, monkeypatch):
    """Every test starts with an empty Keras cache, whatever the machine's ~/.keras holds."""
    home = tmp_path / "keras-home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


@pytest.fixture(scope="module")
def bundled():
    return mnist.load_data()


def _fake_npz(file, fill=7):
    np.savez(
        file,
        x_train=np.full((3, 28, 28), fill, np.uint8),
        y_train=np.array([1, 2, 3], np.uint8),
        x_test=np.full((2, 28, 28), fill, np.uint8),
        y_test=np.array([4, 5], np.uint8),
    )
    return file


def test_shapes_and_dtypes_are_tensorflows(bundled):
    (x_train, y_train), (x_test, y_test) = bundled
    assert [a.shape for a in (x_train, y_train, x_test, y_test)] == [
        (60000, 28, 28),
        (60000,),
        (10000, 28, 28),
        (10000,),
    ]
    assert all(a.dtype == np.uint8 for a in (x_train, y_train, x_test, y_test))
    assert all(isinstance(a, np.ndarray) for a in (x_train, y_train, x_test, y_test))


def test_values_are_the_real_mnist(bundled):
    (x_train, y_train), (x_test, y_test) = bundled
    # The lab shows train_images[420]; real TensorFlow prints its label as np.uint8(5)
    # (the lab's comment "the label is 9" comes from the book, which shows train_images[4]).
    assert y_train[420] == 5 and repr(y_train[420]) == "np.uint8(5)"
    assert y_train[4] == 9
    assert list(y_train[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert list(y_test[:5]) == [7, 2, 1, 0, 4]
    assert x_train.min() == 0 and x_train.max() == 255 and x_test.max() == 255
    assert sorted(np.unique(y_train)) == list(range(10))
    assert np.bincount(y_train).tolist()[:2] == [5923, 6742]
    # MNIST's well-known normalisation constants (mean 0.1307, std 0.3081 of pixels / 255).
    assert abs(x_train.mean() / 255 - 0.1307) < 1e-4 and abs(x_train.std() / 255 - 0.3081) < 1e-4
    assert x_train.flags.writeable  # users normalise in place: x /= 255 needs a writable array


def test_each_call_returns_fresh_arrays(bundled):
    (x_train, _), _ = bundled
    (again, _), _ = mnist.load_data()
    assert again is not x_train and not np.shares_memory(again, x_train)


def test_explicit_path_wins(tmp_path):
    file = _fake_npz(tmp_path / "mine.npz")
    (x_train, _), (_, y_test) = mnist.load_data(path=str(file))
    assert x_train.shape == (3, 28, 28) and (x_train == 7).all()
    assert y_test.tolist() == [4, 5]
    (x_train, _), _ = mnist.load_data(path=file)  # a PathLike works too
    assert x_train.shape == (3, 28, 28)


def test_cache_file_with_a_foreign_hash_is_ignored(empty_keras_home, bundled):
    (empty_keras_home / "datasets").mkdir(parents=True)
    _fake_npz(empty_keras_home / "datasets" / "mnist.npz")
    (x_train, _), _ = mnist.load_data()
    assert x_train.shape == (60000, 28, 28)
    assert np.array_equal(x_train[:5], bundled[0][0][:5])


def test_cache_file_with_kerass_hash_is_used(empty_keras_home, monkeypatch):
    cache = empty_keras_home / "datasets" / "mnist.npz"
    cache.parent.mkdir(parents=True)
    _fake_npz(cache, fill=3)
    # We cannot ship Keras's own mnist.npz here, so pretend the fake's hash is the published one.
    monkeypatch.setattr(mnist, "KERAS_MNIST_SHA256", mnist._sha256(cache))
    (x_train, _), _ = mnist.load_data()
    assert x_train.shape == (3, 28, 28) and (x_train == 3).all()


def test_default_name_in_cwd_is_not_an_explicit_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _fake_npz(tmp_path / "mnist.npz")
    (x_train, _), _ = mnist.load_data()  # "mnist.npz" names the cache file, as in Keras
    assert x_train.shape == (60000, 28, 28)


def test_npz_missing_arrays_is_a_clear_error(tmp_path):
    file = tmp_path / "partial.npz"
    np.savez(file, x_train=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(ValueError, match=r"lacks \['y_train', 'x_test', 'y_test'\]"):
        mnist.load_data(path=str(file))


def _bundle_copy(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(mnist.DATA_DIR, data)
    monkeypatch.setattr(mnist, "DATA_DIR", data)
    return data


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda f: f.write_bytes(b"this is not gzip data at all"), "corrupt"),
        (lambda f: f.write_bytes(f.read_bytes()[:100_000]), "corrupt"),  # truncated download
        (
            lambda f: f.write_bytes(gzip.compress(struct.pack(">IIII", 2049, 60000, 28, 28))),
            r"magic number is 0x00000801, expected 0x00000803",
        ),
        (
            lambda f: f.write_bytes(gzip.compress(struct.pack(">IIII", 2051, 5, 28, 28))),
            r"shape in header is \(5, 28, 28\), expected \(60000, 28, 28\)",
        ),
        (
            lambda f: f.write_bytes(
                gzip.compress(struct.pack(">IIII", 2051, 60000, 28, 28) + b"\0" * 10)
            ),
            "less data than",
        ),
    ],
    ids=["not-gzip", "truncated", "wrong-magic", "wrong-count", "short-data"],
)
def test_corrupt_bundled_file_is_a_clear_error(tmp_path, monkeypatch, damage, message):
    data = _bundle_copy(tmp_path, monkeypatch)
    damage(data / "train-images-idx3-ubyte.gz")
    with pytest.raises(ValueError, match=message) as info:
        mnist.load_data()
    assert "train-images-idx3-ubyte.gz" in str(info.value)
    assert "mnist.load_data" in str(info.value)


def test_extra_data_and_bad_labels_are_caught(tmp_path, monkeypatch):
    data = _bundle_copy(tmp_path, monkeypatch)
    labels = data / "t10k-labels-idx1-ubyte.gz"
    raw = gzip.decompress(labels.read_bytes())
    labels.write_bytes(gzip.compress(raw + b"\0"))
    with pytest.raises(ValueError, match="more data than"):
        mnist.load_data()
    labels.write_bytes(gzip.compress(raw[:-1] + b"\x0c"))
    with pytest.raises(ValueError, match="a label is 12"):
        mnist.load_data()


def test_missing_bundled_file_says_how_to_fix(tmp_path, monkeypatch):
    data = _bundle_copy(tmp_path, monkeypatch)
    (data / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="reinstall tapeflow"):
        mnist.load_data()


def test_reachable_as_keras_datasets():
    import tapeflow.keras

    assert tapeflow.keras.datasets.mnist is mnist
    assert mnist.load_data.__doc__ and "Example" in mnist.load_data.__doc__


def test_licence_note_ships_beside_the_data():
    note = (mnist.DATA_DIR / "README.md").read_text()
    assert "CC BY-SA 3.0" in note and "LeCun" in note and "Cortes" in note
    assert sorted(p.name for p in mnist.DATA_DIR.glob("*.gz")) == [
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
    ]
