"""keras.utils: to_categorical, normalize, pad_sequences, set_random_seed, re-exports."""

import importlib.util
import json
import pathlib
import random

import numpy as np
import pytest

import tapeflow as tf
from tapeflow import keras
from tapeflow.keras import utils

_FOLDER = pathlib.Path(__file__).resolve().parents[1] / "golden" / "keras_data"
_spec = importlib.util.spec_from_file_location("keras_data_fixtures", _FOLDER / "fixtures.py")
FIXTURES = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(FIXTURES)
GOLDENS = json.loads((_FOLDER / "goldens.json").read_text())["utils"]


@pytest.mark.parametrize("case", sorted(FIXTURES.UTILS_CASES))
def test_matches_keras(case):
    import tapeflow.keras.preprocessing  # noqa: F401 - keras.preprocessing.sequence
    expected = GOLDENS[case]
    scope = {"keras": keras, "tf": tf, "np": np}
    if "error" in expected:
        with pytest.raises(Exception) as info:
            eval(FIXTURES.UTILS_CASES[case], scope)
        assert type(info.value).__name__ == expected["error"]
        assert str(info.value).splitlines()[0] == expected["message"]
    else:
        value = eval(FIXTURES.UTILS_CASES[case], scope)
        assert FIXTURES.describe(value) == expected["ok"]


def test_to_categorical_returns_numpy_and_tensor_kinds():
    assert type(utils.to_categorical([0, 1])) is np.ndarray
    out = utils.to_categorical(tf.constant([[1], [0]]), 2)  # a trailing 1-axis is dropped
    assert isinstance(out, tf.Tensor) and out.shape == (2, 2) and out.dtype == tf.float32


def test_to_categorical_out_of_range_says_what_to_do():
    with pytest.raises(IndexError, match="num_classes=2"):
        utils.to_categorical([3], 2)


def test_normalize_orders():
    x = np.array([[1.0, -2.0, 2.0]])
    np.testing.assert_allclose(utils.normalize(x, order=1), x / 5)
    np.testing.assert_allclose(utils.normalize(x), x / 3)
    t = utils.normalize(tf.constant([[0.0, 0.0]]))
    assert t.numpy().tolist() == [[0.0, 0.0]]


def test_pad_sequences_maxlen_zero_and_empty():
    assert utils.pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)
    assert utils.pad_sequences([]).shape == (0, 0)


def test_pad_sequences_is_fast_enough_for_imdb():
    import time
    seqs = [list(range(n % 400)) for n in range(25000)]
    start = time.perf_counter()
    out = utils.pad_sequences(seqs, maxlen=256)
    assert out.shape == (25000, 256) and time.perf_counter() - start < 5


def _draws():
    return (random.random(), float(np.random.rand()),
            float(tf.random.uniform([]).numpy()),
            [int(v) for v in tf.data.Dataset.range(10).shuffle(10).as_numpy_iterator()])


def test_set_random_seed_repeats_every_generator():
    utils.set_random_seed(1337)
    first = _draws()
    utils.set_random_seed(1337)
    assert _draws() == first
    assert utils.get_random_seed() == 1337
    utils.set_random_seed(7)
    assert _draws() != first


def test_set_random_seed_rejects_non_int():
    with pytest.raises(ValueError, match="Expected `seed` argument to be an integer"):
        utils.set_random_seed(np.float32(1))


def test_reexports_are_lazy_and_resolve_when_present():
    assert {"to_categorical", "normalize", "pad_sequences", "set_random_seed",
            "get_file"} <= set(dir(utils))
    for name in ("Progbar", "clear_session"):
        try:
            getattr(utils, name)
        except ImportError:
            pass  # the module that defines it is not written yet
    with pytest.raises(AttributeError):
        utils.no_such_thing  # noqa: B018


def test_preprocessing_sequence_is_the_same_function():
    from tapeflow.keras.preprocessing import sequence
    assert sequence.pad_sequences is utils.pad_sequences


def test_set_random_seed_makes_fit_bit_identical():
    try:
        import tapeflow.keras.callbacks  # noqa: F401 - fit needs them
        from tapeflow.keras import layers, models  # noqa: F401
    except ImportError as error:
        pytest.skip(f"the training loop is not complete yet ({error})")
    x = np.random.RandomState(0).rand(64, 5).astype("float32")
    y = (x.sum(axis=1) > 2.5).astype("float32")

    def run():
        utils.set_random_seed(123)
        model = keras.Sequential([keras.layers.Dense(8, activation="relu"),
                                  keras.layers.Dropout(0.3),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(64).batch(16)
        model.fit(ds, epochs=2, verbose=0)
        model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=True)
        return [w.copy() for w in model.get_weights()]
    first, second = run(), run()
    assert all(np.array_equal(a, b) for a, b in zip(first, second))


class _Batches(utils.PyDataset):
    def __init__(self, n, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.batch_size, self.events = np.arange(n), batch_size, []

    def __len__(self):
        return (len(self.x) + self.batch_size - 1) // self.batch_size

    def __getitem__(self, i):
        part = self.x[i * self.batch_size:(i + 1) * self.batch_size]
        return part, part * 2

    def on_epoch_begin(self):
        self.events.append("begin")

    def on_epoch_end(self):
        self.events.append("end")


def test_pydataset_iterates_batches_as_an_epoch():
    data = _Batches(10, 4, workers=2)
    batches = list(data)
    assert [b[0].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert data.num_batches == len(data) == 3 and data.workers == 2
    assert data.events == ["begin", "end"]
    assert utils.Sequence is utils.PyDataset


def test_pydataset_without_super_init_warns():
    class Bare(utils.PyDataset):
        def __init__(self):
            pass
    with pytest.warns(UserWarning, match="should call `super\\(\\).__init__"):
        assert Bare().workers == 1


def test_pack_and_unpack_x_y_sample_weight():
    assert utils.pack_x_y_sample_weight(1) == 1
    assert utils.pack_x_y_sample_weight(1, 2) == (1, 2)
    assert utils.pack_x_y_sample_weight(1, 2, 3) == (1, 2, 3)
    assert utils.unpack_x_y_sample_weight((1,)) == (1, None, None)
    assert utils.unpack_x_y_sample_weight([1, 2]) == (1, 2, None)
    with pytest.raises(ValueError, match="found"):
        utils.unpack_x_y_sample_weight((1, 2, 3, 4))


def test_timeseries_windows_batch_by_slicing_and_check_arguments():
    data = np.arange(100.0).reshape(50, 2)
    ds = utils.timeseries_dataset_from_array(data, np.arange(50), sequence_length=5,
                                             sampling_rate=2, batch_size=16)
    x, y = next(iter(ds))
    assert x.shape == (16, 5, 2) and x.numpy()[3, :, 0].tolist() == [6, 10, 14, 18, 22]
    assert y.numpy()[3] == 3 and len(ds) == 3  # 42 windows
    with pytest.raises(ValueError, match="`sampling_rate` must be higher than 0"):
        utils.timeseries_dataset_from_array(data, None, 3, sampling_rate=0)
    from tapeflow.keras import preprocessing
    assert preprocessing.timeseries_dataset_from_array is utils.timeseries_dataset_from_array


# -- image_dataset_from_directory / text_dataset_from_directory, against Keras's output ------------
DIRECTORY_GOLDENS = json.loads((_FOLDER / "goldens.json").read_text())["directories"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    pytest.importorskip("PIL")
    root = tmp_path_factory.mktemp("folders")
    FIXTURES.write_image_folder(str(root / "images"))
    FIXTURES.write_text_folder(str(root / "texts"))
    return str(root)


def _describe_directory(ds, root, shuffled):
    import os
    if isinstance(ds, list):
        return [_describe_directory(d, root, shuffled) for d in ds]
    entry = {"repr": repr(ds), "element_spec": repr(ds.element_spec),
             "cardinality": int(ds.cardinality()),
             "class_names": getattr(ds, "class_names", None),
             "file_paths": [os.path.relpath(p, root) for p in ds.file_paths]}
    if not shuffled:
        entry["elements"] = [FIXTURES.describe(e) for e in ds]
    return entry


@pytest.mark.parametrize("case", sorted(FIXTURES.DIRECTORY_CASES))
def test_directory_datasets_match_keras(folders, case, capsys):
    ds = eval(FIXTURES.DIRECTORY_CASES[case],
              {"keras": keras, "tf": tf, "np": np, "root": folders})
    got = _describe_directory(ds, folders, case in FIXTURES.DIRECTORY_SHUFFLED)
    expected = DIRECTORY_GOLDENS[case]
    for g, e in zip(got if isinstance(got, list) else [got],
                    expected if isinstance(expected, list) else [expected]):
        if e["file_paths"] is None:  # Keras sets file_paths on image datasets only
            g["file_paths"] = None
        assert {k: v for k, v in g.items() if k != "elements"} == \
            {k: v for k, v in e.items() if k != "elements"}
        if "elements" in e:
            _assert_close(g["elements"], e["elements"])
    assert "Found" in capsys.readouterr().out


def _assert_close(got, expected):
    if isinstance(expected, dict) and "value" in expected:
        assert (got["dtype"], got["shape"]) == (expected["dtype"], expected["shape"])
        if expected["dtype"].startswith("float"):
            np.testing.assert_allclose(got["value"], expected["value"], rtol=0, atol=2e-4)
        else:
            assert got["value"] == expected["value"]
    elif isinstance(expected, dict):
        assert got.keys() == expected.keys()
        for k in expected:
            _assert_close(got[k], expected[k])
    else:
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            _assert_close(g, e)


def test_directory_argument_errors(folders):
    with pytest.raises(ValueError, match="you must provide a `seed`"):
        utils.image_dataset_from_directory(folders + "/images", validation_split=0.2,
                                           subset="training")
    with pytest.raises(ValueError, match="Expected the lengths of `labels` to match"):
        utils.image_dataset_from_directory(folders + "/images", labels=[0, 1])
    with pytest.raises(ValueError, match="`color_mode` must be one of"):
        utils.image_dataset_from_directory(folders + "/images", color_mode="cmyk")


def test_image_helpers_round_trip(tmp_path):
    pytest.importorskip("PIL")
    from tapeflow.keras.preprocessing import image
    x = np.random.RandomState(0).randint(0, 256, (6, 8, 3)).astype("float32")
    utils.save_img(tmp_path / "x.png", x, scale=False)
    img = utils.load_img(tmp_path / "x.png")
    assert img.size == (8, 6) and img.mode == "RGB"
    np.testing.assert_array_equal(utils.img_to_array(img), x)
    assert utils.img_to_array(utils.load_img(tmp_path / "x.png", color_mode="grayscale")).shape \
        == (6, 8, 1)
    assert utils.load_img(tmp_path / "x.png", target_size=(3, 4)).size == (4, 3)
    assert utils.load_img(tmp_path / "x.png", target_size=(4, 4), keep_aspect_ratio=True).size \
        == (4, 4)
    assert utils.array_to_img(np.zeros((2, 2, 1))).mode == "L"
    assert image.load_img is utils.load_img
    with pytest.raises(ValueError, match="rank 3"):
        utils.array_to_img(np.zeros((2, 2)))
