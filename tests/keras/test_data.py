"""tf.data.Dataset: sources, transformations, seeds, specs and cardinality, as TF 2.21 has them."""

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.data import _rows

Dataset = tf.data.Dataset


def values(ds):
    return [_plain(e) for e in ds.as_numpy_iterator()]


def _plain(e):
    if isinstance(e, tuple):
        return tuple(_plain(v) for v in e)
    if isinstance(e, dict):
        return {k: _plain(v) for k, v in e.items()}
    return np.asarray(e).tolist()


# -- sources ---------------------------------------------------------------------------------------
def test_from_tensor_slices_array_yields_tensors():
    ds = Dataset.from_tensor_slices(np.arange(5))
    first = next(iter(ds))
    assert isinstance(first, tf.Tensor) and first.dtype == tf.int64 and first.shape == ()
    assert values(ds) == [0, 1, 2, 3, 4]
    assert len(ds) == 5 and ds.cardinality().numpy() == 5


def test_from_tensor_slices_tuple_and_dict():
    ds = Dataset.from_tensor_slices(({"b": [[1, 2], [3, 4]], "a": [1.0, 2.0]}, [0, 1]))
    x, y = next(iter(ds))
    assert list(x) == ["b", "a"]  # the dict's own order, as TF's element_spec shows
    assert x["a"].dtype == tf.float32 and x["b"].dtype == tf.int32 and y.dtype == tf.int32
    assert values(ds) == [({"a": 1.0, "b": [1, 2]}, 0), ({"a": 2.0, "b": [3, 4]}, 1)]


def test_from_tensor_slices_copies_numpy_input():
    a = np.arange(4)
    ds = Dataset.from_tensor_slices(a)
    a[:] = 9
    assert values(ds) == [0, 1, 2, 3]


def test_from_tensor_slices_errors():
    with pytest.raises(ValueError, match="Dimensions 2 and 3 are not compatible"):
        Dataset.from_tensor_slices(([1, 2], [1, 2, 3]))
    with pytest.raises(ValueError, match="rank >= 1"):
        Dataset.from_tensor_slices(5)


def test_from_tensors_and_range():
    assert values(Dataset.from_tensors([1, 2])) == [[1, 2]]
    assert values(Dataset.range(5)) == [0, 1, 2, 3, 4]
    assert values(Dataset.range(2, 10, 3)) == [2, 5, 8]
    assert values(Dataset.range(5, 0, -2)) == [5, 3, 1]
    assert Dataset.range(3, output_type=tf.int32).element_spec.dtype == tf.int32
    assert next(iter(Dataset.range(3))).dtype == tf.int64


def test_zip_forms():
    a, b = Dataset.range(3), Dataset.range(10, 15)
    assert values(Dataset.zip(a, b)) == [(0, 10), (1, 11), (2, 12)]
    assert values(Dataset.zip((a, b))) == [(0, 10), (1, 11), (2, 12)]
    assert values(Dataset.zip({"x": a, "y": b}).take(1)) == [{"x": 0, "y": 10}]
    assert Dataset.zip(a, b).cardinality().numpy() == 3


def test_from_generator():
    def gen():
        for i in range(3):
            yield i, [i] * 2
    ds = Dataset.from_generator(gen, output_signature=(
        tf.TensorSpec(shape=(), dtype=tf.int32), tf.TensorSpec(shape=(2,), dtype=tf.float32)))
    assert values(ds) == [(0, [0.0, 0.0]), (1, [1.0, 1.0]), (2, [2.0, 2.0])]
    assert ds.cardinality().numpy() == tf.data.UNKNOWN_CARDINALITY
    assert len(values(ds)) == 3  # the generator is called afresh each iteration


def test_from_generator_with_output_types_and_args():
    def gen(n):
        for i in range(int(n)):
            yield {"x": [i, i]}, i % 2
    ds = Dataset.from_generator(gen, output_types=({"x": tf.float32}, tf.int64),
                                output_shapes=({"x": (2,)}, ()), args=(3,))
    assert repr(ds.element_spec) == ("({'x': TensorSpec(shape=(2,), dtype=tf.float32, "
                                     "name=None)}, TensorSpec(shape=(), dtype=tf.int64, "
                                     "name=None))")
    assert values(ds.batch(2)) == [({"x": [[0.0, 0.0], [1.0, 1.0]]}, [0, 1]),
                                   ({"x": [[2.0, 2.0]]}, [0])]


def test_text_line_dataset_and_list_files(tmp_path):
    import gzip
    (tmp_path / "f1.csv").write_bytes(b"a,1\nbb,2\n\nlast")
    (tmp_path / "f2.csv").write_bytes(b"x\r\ny\n")
    (tmp_path / "f3.gz").write_bytes(gzip.compress(b"zipped\nlines\n"))
    ds = tf.data.TextLineDataset([str(tmp_path / "f1.csv"), str(tmp_path / "f2.csv")])
    assert repr(ds) == ("<TextLineDatasetV2 element_spec=TensorSpec(shape=(), dtype=tf.string, "
                        "name=None)>")
    assert list(ds.as_numpy_iterator()) == [b"a,1", b"bb,2", b"", b"last", b"x", b"y"]
    assert isinstance(ds, tf.data.TextLineDataset) and int(ds.cardinality()) == -2
    gz = tf.data.TextLineDataset(str(tmp_path / "f3.gz"), compression_type="GZIP")
    assert list(gz.as_numpy_iterator()) == [b"zipped", b"lines"]
    files = Dataset.list_files(str(tmp_path / "*.csv"), shuffle=False)
    assert [f.decode() for f in files.as_numpy_iterator()] == [
        str(tmp_path / "f1.csv"), str(tmp_path / "f2.csv")]
    assert sorted(Dataset.list_files(str(tmp_path / "*.csv")).as_numpy_iterator()) == \
        sorted(files.as_numpy_iterator())
    lines = files.interleave(tf.data.TextLineDataset, cycle_length=2)
    assert list(lines.as_numpy_iterator())[:4] == [b"a,1", b"x", b"bb,2", b"y"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="No files matched pattern"):
        Dataset.list_files(str(tmp_path / "*.nope"))


# -- transformations -----------------------------------------------------------------------------
def test_batch_and_drop_remainder():
    ds = Dataset.range(10)
    assert values(ds.batch(4)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert values(ds.batch(4, drop_remainder=True)) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(ds.batch(4)) == 3 and len(ds.batch(4, drop_remainder=True)) == 2
    assert str(ds.batch(4).element_spec.shape) == "(None,)"
    assert str(ds.batch(4, drop_remainder=True).element_spec.shape) == "(4,)"


def test_batch_slices_arrays_without_per_element_work(monkeypatch):
    x = np.random.rand(1000, 3).astype("float32")
    ds = Dataset.from_tensor_slices((x, np.arange(1000))).batch(128)

    def no_rows(*args, **kwargs):
        raise AssertionError("batching slices should not build single elements")
    monkeypatch.setattr(_rows.Source, "row", no_rows)
    batches = list(ds)
    assert [b[0].shape[0] for b in batches] == [128] * 7 + [104]
    np.testing.assert_array_equal(batches[1][0].numpy(), x[128:256])
    # shuffle, take, skip, repeat, cache, prefetch keep the fast path
    fast = Dataset.from_tensor_slices(x).shuffle(100, seed=1).repeat(2).skip(3).take(1500)
    assert sum(b.shape[0] for b in fast.cache().prefetch(2).batch(64)) == 1500


def test_zip_of_slices_keeps_the_fast_path(monkeypatch):
    x, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    ds = Dataset.zip((Dataset.from_tensor_slices(x), Dataset.from_tensor_slices(y)))
    monkeypatch.setattr(_rows.Source, "row", None)  # any per-row work would fail
    batches = list(ds.shuffle(10, seed=1).batch(4))
    xs = np.concatenate([b[0].numpy() for b in batches])
    ys = np.concatenate([b[1].numpy() for b in batches])
    np.testing.assert_array_equal(xs[:, 0] / 2, ys)  # rows stay paired through the shuffle
    assert sorted(ys.tolist()) == list(range(10))


def test_batch_across_repeat_boundaries():
    assert values(Dataset.range(3).repeat(2).batch(4)) == [[0, 1, 2, 0], [1, 2]]


def test_batch_of_ragged_elements_raises():
    ds = Dataset.from_tensor_slices([1, 2]).map(lambda x: tf.range(x)).batch(2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="different shapes"):
        list(ds)


def test_unbatch():
    ds = Dataset.from_tensor_slices(np.arange(14).reshape(7, 2)).batch(3).unbatch()
    assert values(ds) == [[2 * i, 2 * i + 1] for i in range(7)]
    assert str(ds.element_spec.shape) == "(2,)"


def test_map_passes_tuples_as_arguments_and_dicts_whole():
    ds = Dataset.from_tensor_slices(([1, 2], [10, 20]))
    assert values(ds.map(lambda x, y: x + y)) == [11, 22]
    d = Dataset.from_tensor_slices({"a": [1, 2]})
    assert values(d.map(lambda e: e["a"] * 3)) == [3, 6]
    assert values(ds.map(lambda x, y: [x, y], num_parallel_calls=tf.data.AUTOTUNE)) == [
        (1, 10), (2, 20)]  # a list result becomes a tuple


def test_map_element_spec_keeps_unknown_batch_dimension():
    ds = Dataset.range(10).batch(3).map(lambda x: (x, x[0]))
    assert repr(ds.element_spec) == (
        "(TensorSpec(shape=(None,), dtype=tf.int64, name=None), "
        "TensorSpec(shape=(), dtype=tf.int64, name=None))")


def test_dataset_functions_run_off_the_tape():
    v, w = tf.Variable(2.0), tf.Variable(1.0)
    ds = Dataset.from_tensor_slices([1.0, 2.0]).map(lambda x: x * v).filter(lambda x: x > v)
    with tf.GradientTape() as tape:
        out = [float(x) for x in ds]
        y = w * 3.0
    assert out == [4.0]
    assert [id(u) for u in tape.watched_variables()] == [id(w)]  # v was read off the tape
    assert float(tape.gradient(y, w)) == 3.0


def test_filter():
    ds = Dataset.range(10).filter(lambda x: x % 3 == 0)
    assert values(ds) == [0, 3, 6, 9]
    assert ds.cardinality().numpy() == -2
    with pytest.raises(TypeError, match="length is unknown"):
        len(ds)


def test_take_skip_repeat():
    ds = Dataset.range(5)
    assert values(ds.take(2)) == [0, 1] and values(ds.take(-1)) == [0, 1, 2, 3, 4]
    assert values(ds.skip(3)) == [3, 4] and values(ds.skip(-1)) == []
    assert values(ds.repeat(2)) == [0, 1, 2, 3, 4] * 2
    assert values(ds.repeat().take(7)) == [0, 1, 2, 3, 4, 0, 1]
    with pytest.raises(TypeError, match="infinite"):
        len(ds.repeat())
    # the generic (non-slice) path too
    m = ds.map(lambda x: x + 1)
    assert values(m.take(2)) == [1, 2] and values(m.skip(3)) == [4, 5]
    assert values(m.repeat(2).take(6)) == [1, 2, 3, 4, 5, 1]


@pytest.mark.parametrize("make, expected", [
    (lambda d: d, 10), (lambda d: d.take(-1), 10), (lambda d: d.skip(20), 0),
    (lambda d: d.repeat(0), 0), (lambda d: d.repeat().take(5), 5),
    (lambda d: d.repeat().skip(5), -1), (lambda d: d.batch(3, True), 3),
    (lambda d: d.batch(3), 4), (lambda d: d.shuffle(3), 10), (lambda d: d.repeat(3), 30),
    (lambda d: d.repeat().batch(3), -1), (lambda d: d.batch(3).unbatch(), -2),
    (lambda d: d.concatenate(d), 20), (lambda d: d.map(lambda x: x), 10),
    (lambda d: d.cache().prefetch(1), 10), (lambda d: Dataset.zip(d.take(3), d), 3),
])
def test_cardinality_matches_tensorflow(make, expected):
    ds = make(Dataset.from_tensor_slices(np.arange(10)))
    card = ds.cardinality()
    assert isinstance(card, tf.Tensor) and card.dtype == tf.int64 and card.numpy() == expected
    assert tf.data.experimental.cardinality(ds).numpy() == expected


def test_shuffle_is_a_permutation_and_reshuffles():
    ds = Dataset.range(100).shuffle(100)
    a, b = values(ds), values(ds)
    assert sorted(a) == list(range(100)) and sorted(b) == list(range(100)) and a != b


def test_shuffle_small_buffer_is_local():
    order = values(Dataset.range(1000).shuffle(10, seed=0))
    assert sorted(order) == list(range(1000))
    # with a buffer of 10, element i cannot come out before position i - 9
    assert all(pos >= v - 9 for pos, v in enumerate(order))


def test_shuffle_seed_gives_same_order_and_reshuffle_flag():
    make = lambda **kw: Dataset.range(50).shuffle(50, seed=7, **kw)
    assert values(make()) == values(make())
    fixed = make(reshuffle_each_iteration=False)
    assert values(fixed) == values(fixed)
    ds = make()
    assert values(ds) != values(ds)


def test_global_seed_makes_runs_repeatable():
    def run():
        tf.random.set_seed(1234)
        ds = Dataset.range(30).shuffle(30).batch(10)
        return [values(ds), values(ds), values(Dataset.range(30).shuffle(8))]
    assert run() == run()


def test_asking_for_element_spec_does_not_change_the_shuffle_sequence():
    def orders(peek):
        tf.random.set_seed(5)
        ds = Dataset.range(20).shuffle(20).map(lambda x: x * 1)
        if peek:
            repr(ds)
        return [values(ds), values(ds)]
    assert orders(peek=True) == orders(peek=False)


def test_shuffle_generic_path_with_map():
    tf.random.set_seed(3)
    order = values(Dataset.range(20).map(lambda x: x * 2).shuffle(5))
    assert sorted(order) == list(range(0, 40, 2))


def test_cache_replays_the_first_iteration():
    ds = Dataset.range(20).shuffle(20).cache()
    assert values(ds) == values(ds)
    calls = []
    m = Dataset.range(3).map(lambda x: (calls.append(1), x)[1]).cache()
    assert values(m) == values(m) == [0, 1, 2] and len(calls) == 3


def test_concatenate_enumerate_reduce_single_element():
    a = Dataset.range(2)
    assert values(a.concatenate(Dataset.range(5, 7))) == [0, 1, 5, 6]
    assert values(Dataset.from_tensor_slices([7, 8]).enumerate()) == [(0, 7), (1, 8)]
    assert Dataset.range(5).reduce(np.int64(0), lambda s, x: s + x).numpy() == 10
    assert Dataset.range(1).get_single_element().numpy() == 0


def test_as_numpy_iterator_values_are_numpy_and_writable():
    it = Dataset.from_tensor_slices(np.zeros((4, 2), "float32")).batch(2).as_numpy_iterator()
    first = next(it)
    assert type(first) is np.ndarray and first.flags.writeable
    first += 1  # the user's own copy
    scalar = next(Dataset.range(3).as_numpy_iterator())
    assert repr(scalar) == "np.int64(0)"


def test_iterator_get_next_and_out_of_range():
    it = iter(Dataset.range(1))
    assert it.get_next().numpy() == 0
    with pytest.raises(tf.errors.OutOfRangeError):
        it.get_next()


def test_with_options_returns_a_new_dataset():
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = 0  # nested option groups are accepted
    ds = Dataset.range(3)
    tuned = ds.with_options(options)
    assert tuned is not ds and tuned.options() is options and ds.options() is not options
    assert values(tuned) == [0, 1, 2] and len(tuned) == 3


def test_experimental_transformations():
    exp = tf.data.experimental
    ds = Dataset.range(5).filter(lambda x: x < 3).apply(exp.assert_cardinality(3))
    assert repr(ds).startswith("<_AssertCardinalityDataset") and len(ds) == 3
    assert values(ds) == [0, 1, 2]
    with pytest.raises(tf.errors.FailedPreconditionError, match="contained at least 4"):
        values(Dataset.range(5).apply(exp.assert_cardinality(3)))
    with pytest.raises(tf.errors.FailedPreconditionError, match="contained only 5"):
        values(Dataset.range(5).apply(exp.assert_cardinality(7)))
    assert values(Dataset.range(2).apply(exp.enumerate_dataset(5))) == [(5, 0), (6, 1)]
    single = Dataset.range(2)
    assert exp.sample_from_datasets([single], seed=1) is single
    assert values(exp.Counter(3).take(2)) == [3, 4]


def test_autotune_constants():
    assert tf.data.AUTOTUNE == -1 and tf.data.experimental.AUTOTUNE == -1
    assert tf.data.INFINITE_CARDINALITY == -1 and tf.data.UNKNOWN_CARDINALITY == -2


def test_dataset_is_usable_as_keras_input_shape():
    # fit/evaluate/predict iterate (x, y) or (x, y, w) batches and ask for a cheap cardinality.
    ds = Dataset.from_tensor_slices((np.ones((10, 3)), np.zeros(10), np.ones(10))).batch(4)
    batches = list(ds)
    assert len(batches) == ds.cardinality().numpy() == 3
    assert all(isinstance(b, tuple) and len(b) == 3 for b in batches)


def test_tensorflow_alias_reaches_tf_data():
    from tapeflow import aliases
    with aliases.tensorflow_aliases():
        import tensorflow
        assert tensorflow.data.Dataset is Dataset


# -- goldens recorded from TensorFlow 2.21 (tests/golden/keras_data/record_keras_data.py) ----------
def _golden():
    import importlib.util
    import json
    import pathlib
    folder = pathlib.Path(__file__).resolve().parents[1] / "golden" / "keras_data"
    spec = importlib.util.spec_from_file_location("keras_data_fixtures", folder / "fixtures.py")
    fixtures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fixtures)
    return fixtures, json.loads((folder / "goldens.json").read_text())


FIXTURES, GOLDENS = _golden()


@pytest.mark.parametrize("case", sorted(FIXTURES.DATASET_CASES))
def test_pipeline_matches_tensorflow(case):
    expected = GOLDENS["datasets"][case]
    ds = eval(FIXTURES.DATASET_CASES[case], {"tf": tf, "np": np})
    assert repr(ds) == expected["repr"]
    assert repr(ds.element_spec) == expected["element_spec"]
    assert int(ds.cardinality()) == expected["cardinality"]
    if "elements" in expected:
        assert [FIXTURES.describe(e) for e in ds] == expected["elements"]
    elif "first" in expected:
        first = next(iter(ds))
        assert [list(t.shape) for t in tf.nest.flatten(first)] == expected["first"]["shapes"]


@pytest.mark.parametrize("case", sorted(FIXTURES.ERROR_CASES))
def test_errors_match_tensorflow(case):
    expected = GOLDENS["errors"][case]
    with pytest.raises(Exception) as info:
        eval(FIXTURES.ERROR_CASES[case], {"tf": tf, "np": np})
    assert type(info.value).__name__ == expected["error"]
    if case in FIXTURES.EXACT_MESSAGES:
        assert str(info.value).splitlines()[0] == expected["message"]


def test_tapeflow_run_script_with_seeded_shuffle_repeats_across_processes(tmp_path):
    import subprocess
    import sys
    script = tmp_path / "pipeline.py"
    script.write_text(
        "import numpy as np\n"
        "import tensorflow as tf\n"
        "tf.random.set_seed(42)\n"
        "ds = tf.data.Dataset.from_tensor_slices((np.arange(12), np.arange(12) * 2))\n"
        "ds = ds.shuffle(12).batch(5).prefetch(tf.data.AUTOTUNE)\n"
        "for epoch in range(2):\n"
        "    print([x.numpy().tolist() for x, y in ds])\n")
    runs = [subprocess.run([sys.executable, "-m", "tapeflow", "run", str(script)],
                           capture_output=True, text=True, timeout=120, check=False)
            for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    first, second = runs[0].stdout.splitlines()
    assert first != second  # reshuffled each epoch, identically in both processes


def test_sample_from_datasets_and_random_are_seeded():
    make = lambda: Dataset.sample_from_datasets(
        [Dataset.range(50), Dataset.range(100, 150)], weights=[0.9, 0.1], seed=3)
    a, b = values(make()), values(make())
    assert a == b and sorted(a) == list(range(50)) + list(range(100, 150))
    assert sum(1 for v in a[:50] if v < 100) > 35  # the 0.9 weight shows early on
    assert values(Dataset.random(seed=1).take(5)) == values(Dataset.random(seed=1).take(5))


def test_window_elements_are_datasets():
    windows = list(Dataset.range(5).window(2))
    assert all(isinstance(w, tf.data.Dataset) for w in windows)
    assert [values(w) for w in windows] == [[0, 1], [2, 3], [4]]


def test_fit_iterates_a_dataset_afresh_every_epoch():
    from tapeflow import keras
    x = np.random.RandomState(0).rand(40, 3).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    ds = Dataset.from_tensor_slices((x, y)).shuffle(40, seed=1).batch(8)
    seen = []
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    callback = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(batch))
    history = model.fit(ds, epochs=3, verbose=0, callbacks=[callback])
    assert seen == list(range(5)) * 3
    assert all(loss > 0 for loss in history.history["loss"])
