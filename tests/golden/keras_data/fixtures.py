"""Small dataset files in Keras's on-disk formats, generated deterministically.

Shared by `record_keras_data.py` (which feeds them to real Keras) and the tests (which serve
them from a server on 127.0.0.1 to tapeflow), so both sides load identical data. NumPy only.
"""

import gzip
import io
import json
import os
import pickle
import struct
import tarfile

import numpy as np


def _ragged(rng, n, vocab, lo=3, hi=30):
    out = np.empty(n, dtype=object)
    for i in range(n):
        # Zipf-like word ranks so num_words / skip_top cut something
        out[i] = [int(w) for w in np.minimum(rng.zipf(1.3, rng.randint(lo, hi)), vocab)]
    return out


def write_imdb(folder):
    rng = np.random.RandomState(0)
    path = os.path.join(folder, "imdb.npz")
    np.savez(path, x_train=_ragged(rng, 40, 200), y_train=rng.randint(0, 2, 40),
             x_test=_ragged(rng, 30, 200), y_test=rng.randint(0, 2, 30))
    return path


def write_reuters(folder):
    rng = np.random.RandomState(1)
    path = os.path.join(folder, "reuters.npz")
    np.savez(path, x=_ragged(rng, 57, 300), y=rng.randint(0, 46, 57))
    return path


def write_boston(folder):
    rng = np.random.RandomState(2)
    path = os.path.join(folder, "boston_housing.npz")
    np.savez(path, x=rng.rand(23, 13) * 100, y=rng.rand(23) * 50)
    return path


def write_california(folder):
    rng = np.random.RandomState(5)
    path = os.path.join(folder, "california_housing.npz")
    # 610 samples so version="small" (the first 600) cuts; 3 small-integer features keep the
    # goldens short (the loader does not look at the feature count)
    np.savez(path, x=rng.randint(0, 10, (610, 3)).astype("float32"),
             y=rng.randint(0, 99, 610).astype("float32"))
    return path


def write_word_index(folder, name):
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        json.dump({"the": 1, "and": 2, "a": 3, "of": 4, "film": 19}, f)
    return path


#: Images per split in the generated Fashion-MNIST files.
FASHION_COUNTS = {"train": 12, "t10k": 5}


def idx_bytes(array, magic):
    header = struct.pack(f">{1 + array.ndim}I", magic, *array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes(), mtime=0)


def write_fashion(folder):
    rng = np.random.RandomState(3)
    paths = {}
    for split, n in FASHION_COUNTS.items():
        labels = rng.randint(0, 10, n).astype(np.uint8)
        images = rng.randint(0, 256, (n, 28, 28)).astype(np.uint8)
        for kind, arr, magic in (("labels-idx1", labels, 2049), ("images-idx3", images, 2051)):
            name = f"{split}-{kind}-ubyte.gz"
            with open(os.path.join(folder, name), "wb") as f:
                f.write(idx_bytes(arr, magic))
            paths[name] = arr
    return paths


CIFAR_BATCH = 4  # images per generated CIFAR batch file


def cifar_arrays():
    rng = np.random.RandomState(4)
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batches[name] = (rng.randint(0, 256, (CIFAR_BATCH, 3072)).astype(np.uint8),
                         [int(v) for v in rng.randint(0, 10, CIFAR_BATCH)])
    return batches


def cifar100_arrays():
    rng = np.random.RandomState(6)
    return {name: (rng.randint(0, 256, (n, 3072)).astype(np.uint8),
                   [int(v) for v in rng.randint(0, 100, n)],
                   [int(v) for v in rng.randint(0, 20, n)])
            for name, n in (("train", 6), ("test", 3))}


def write_cifar100(folder):
    path = os.path.join(folder, "cifar-100-python.tar.gz")
    with tarfile.open(path, "w:gz") as tar:
        for name, (data, fine, coarse) in cifar100_arrays().items():
            blob = pickle.dumps({b"filenames": [b"x.png"] * len(fine), b"fine_labels": fine,
                                 b"coarse_labels": coarse, b"data": data}, protocol=4)
            info = tarfile.TarInfo(f"cifar-100-python/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return path


def write_cifar(folder, extra_member=None):
    path = os.path.join(folder, "cifar-10-python.tar.gz")
    with tarfile.open(path, "w:gz") as tar:
        for name, (data, labels) in cifar_arrays().items():
            blob = pickle.dumps({b"batch_label": name.encode(), b"labels": labels,
                                 b"data": data, b"filenames": [b"x.png"] * len(labels)},
                                protocol=4)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
        if extra_member:
            info = tarfile.TarInfo(extra_member)
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
    return path


def png_bytes(pixels):
    """A PNG file (8-bit grey, RGB or RGBA, no filtering) for a uint8 array, without Pillow."""
    import zlib
    pixels = np.asarray(pixels, np.uint8)
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    color_type = {1: 0, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(height))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


#: (class, file name, height, width, channels) of the generated image folder
IMAGE_FILES = [("cats", "a.png", 6, 9, 3), ("cats", "b.png", 11, 4, 3), ("cats", "c.PNG", 5, 5, 1),
               ("dogs", "d.png", 8, 8, 4), ("dogs", "nested/e.png", 3, 12, 3),
               ("dogs", "f.png", 7, 6, 3), ("dogs", "notes.txt", 0, 0, 0)]


def write_image_folder(folder):
    rng = np.random.RandomState(7)
    for cls, name, h, w, c in IMAGE_FILES:
        path = os.path.join(folder, cls, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if name.endswith(".txt"):
            with open(path, "w") as f:
                f.write("not an image")
            continue
        shape = (h, w) if c == 1 else (h, w, c)
        with open(path, "wb") as f:
            f.write(png_bytes(rng.randint(0, 256, shape)))
    return folder


TEXT_FILES = [("neg", "1.txt", "bad movie"), ("neg", "2.txt", "awful, really awful"),
              ("pos", "3.txt", "great film"), ("pos", "4.txt", "loved it \u2764"),
              ("pos", "skip.md", "not read")]


def write_text_folder(folder):
    for cls, name, text in TEXT_FILES:
        path = os.path.join(folder, cls, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return folder


#: directory datasets: `value = <code>` with `keras`, `tf`, `np` and `root` (the folder) in scope
DIRECTORY_CASES = {
    "images_bilinear": "keras.utils.image_dataset_from_directory(root + '/images', "
                       "image_size=(5, 7), batch_size=4, shuffle=False)",
    "images_nearest_gray_categorical": "keras.utils.image_dataset_from_directory(root + "
                                       "'/images', image_size=(4, 4), batch_size=3, "
                                       "shuffle=False, color_mode='grayscale', "
                                       "interpolation='nearest', label_mode='categorical')",
    "images_binary_rgba_crop": "keras.utils.image_dataset_from_directory(root + '/images', "
                               "image_size=(6, 3), batch_size=2, shuffle=False, "
                               "color_mode='rgba', label_mode='binary', "
                               "crop_to_aspect_ratio=True)",
    "images_no_labels_unbatched": "keras.utils.image_dataset_from_directory(root + '/images', "
                                  "labels=None, image_size=(3, 3), batch_size=None, "
                                  "shuffle=False)",
    "images_upscale": "keras.utils.image_dataset_from_directory(root + '/images', "
                      "image_size=(9, 13), batch_size=8, shuffle=False)",
    "images_split": "keras.utils.image_dataset_from_directory(root + '/images', "
                    "image_size=(4, 4), batch_size=2, validation_split=0.4, subset='both', "
                    "seed=11)",
    "images_shuffled_training": "keras.utils.image_dataset_from_directory(root + '/images', "
                                "image_size=(4, 4), validation_split=0.4, subset='training', "
                                "seed=3)",
    "text": "keras.utils.text_dataset_from_directory(root + '/texts', batch_size=3, "
            "shuffle=False)",
    "text_max_length_binary": "keras.utils.text_dataset_from_directory(root + '/texts', "
                              "batch_size=2, shuffle=False, max_length=5, label_mode='binary')",
    "text_shuffled": "keras.utils.text_dataset_from_directory(root + '/texts', seed=5)",
}
#: cases whose element order is random: only file order, specs and class names are compared
DIRECTORY_SHUFFLED = {"images_split", "images_shuffled_training", "text_shuffled"}


def describe(value):
    """A JSON-able picture of a value (tuples, dicts, tensors, arrays), the same on both sides."""
    if isinstance(value, tuple):
        return {"tuple": [describe(v) for v in value]}
    if isinstance(value, dict):
        return {"dict": {str(k): describe(value[k]) for k in sorted(value)}}
    if hasattr(value, "numpy"):
        value = value.numpy()
    a = np.asarray(value)
    if a.dtype == object or a.dtype.kind == "S":
        return {"dtype": "object", "shape": list(a.shape), "value": _plain(a.tolist())}
    values = a.tolist()
    if a.dtype.kind == "f":
        values = np.round(a.astype(np.float64), 6).tolist()
    return {"dtype": str(a.dtype), "shape": list(a.shape), "value": values}


def _plain(v):
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v.decode("utf-8") if isinstance(v, bytes) else v


# -- the cases: code run with `tf` and `np` in scope -----------------------------------------------
#: Pipelines: `ds = <code>`; element_spec, repr, cardinality and (unshuffled) elements recorded.
DATASET_CASES = {
    "slices_int64": "tf.data.Dataset.from_tensor_slices(np.arange(10))",
    "slices_pylist_int": "tf.data.Dataset.from_tensor_slices([1, 2, 3])",
    "slices_pylist_float": "tf.data.Dataset.from_tensor_slices([1.5, 2.0])",
    "slices_float64_matrix": "tf.data.Dataset.from_tensor_slices(np.ones((3, 2)))",
    "slices_tuple": "tf.data.Dataset.from_tensor_slices((np.zeros((5, 3), 'float32'), "
                    "np.arange(5)))",
    "slices_dict": "tf.data.Dataset.from_tensor_slices({'b': [[1, 2], [3, 4]], 'a': [1., 2.]})",
    "slices_nested": "tf.data.Dataset.from_tensor_slices(({'x': np.ones((4, 2), 'float32')}, "
                     "np.arange(4, dtype='int32')))",
    "slices_strings": "tf.data.Dataset.from_tensor_slices(['a', 'bc'])",
    "tensors": "tf.data.Dataset.from_tensors(([1, 2], 3.0))",
    "range": "tf.data.Dataset.range(5)",
    "range_step": "tf.data.Dataset.range(2, 11, 3)",
    "range_int32": "tf.data.Dataset.range(3, output_type=tf.int32)",
    "batch": "tf.data.Dataset.range(10).batch(4)",
    "batch_drop": "tf.data.Dataset.range(10).batch(4, drop_remainder=True)",
    "batch_tuple": "tf.data.Dataset.from_tensor_slices((np.zeros((7, 3), 'float32'), "
                   "np.arange(7))).batch(3)",
    "batch_dict": "tf.data.Dataset.from_tensor_slices({'a': np.arange(6).reshape(3, 2)}).batch(2)",
    "batch_batch": "tf.data.Dataset.range(10).batch(2).batch(2)",
    "repeat_batch": "tf.data.Dataset.range(3).repeat(2).batch(4)",
    "unbatch": "tf.data.Dataset.from_tensor_slices(np.arange(14).reshape(7, 2)).batch(3)"
               ".unbatch()",
    "map_scalar": "tf.data.Dataset.range(4).map(lambda x: x * 2)",
    "map_tuple_args": "tf.data.Dataset.from_tensor_slices(([1, 2], [10, 20]))"
                      ".map(lambda x, y: (x + y, y))",
    "map_to_dict": "tf.data.Dataset.range(3).map(lambda x: {'v': x, 'w': tf.cast(x, "
                   "tf.float32)})",
    "map_after_batch": "tf.data.Dataset.range(10).batch(3).map(lambda x: (x, x[0]))",
    "map_cast_float": "tf.data.Dataset.from_tensor_slices(np.arange(6, dtype='uint8')"
                      ".reshape(3, 2)).map(lambda x: tf.cast(x, tf.float32) / 255.0)",
    "filter": "tf.data.Dataset.range(10).filter(lambda x: x % 3 == 0)",
    "take": "tf.data.Dataset.range(10).take(3)",
    "take_all": "tf.data.Dataset.range(4).take(-1)",
    "skip": "tf.data.Dataset.range(10).skip(7)",
    "skip_all": "tf.data.Dataset.range(10).skip(-1)",
    "repeat_take": "tf.data.Dataset.range(3).repeat().take(7)",
    "repeat_n": "tf.data.Dataset.range(2).repeat(3)",
    "cache_prefetch": "tf.data.Dataset.range(5).cache().prefetch(tf.data.AUTOTUNE)",
    "zip_args": "tf.data.Dataset.zip(tf.data.Dataset.range(3), tf.data.Dataset.range(5, 10))",
    "zip_dict": "tf.data.Dataset.zip({'a': tf.data.Dataset.range(2), "
                "'b': tf.data.Dataset.from_tensor_slices([1., 2., 3.])})",
    "concatenate": "tf.data.Dataset.range(2).concatenate(tf.data.Dataset.range(5, 7))",
    "enumerate": "tf.data.Dataset.from_tensor_slices([7, 8]).enumerate()",
    "shuffle_batch": "tf.data.Dataset.range(10).shuffle(10).batch(4)",
    "shuffle_batch_drop": "tf.data.Dataset.range(10).shuffle(10).batch(4, drop_remainder=True)",
    "repeat_infinite": "tf.data.Dataset.range(10).repeat()",
    "repeat_skip": "tf.data.Dataset.range(10).repeat().skip(5)",
    "repeat_batch_inf": "tf.data.Dataset.range(10).repeat().batch(3)",
    "filter_batch": "tf.data.Dataset.range(10).filter(lambda x: x > 4).batch(2)",
    "zip_take": "tf.data.Dataset.zip(tf.data.Dataset.range(10).take(3), "
                "tf.data.Dataset.range(10))",
    "padded_batch": "tf.data.Dataset.from_tensor_slices([1, 3, 2]).map(lambda x: tf.range(x))"
                    ".padded_batch(2)",
    "padded_batch_shapes": "tf.data.Dataset.from_tensor_slices([1, 3, 2]).map(lambda x: "
                           "tf.range(x)).padded_batch(2, padded_shapes=[5], padding_values=-1)",
    "flat_map": "tf.data.Dataset.range(3).flat_map(lambda x: tf.data.Dataset.range(x))",
    "interleave": "tf.data.Dataset.range(1, 4).interleave(lambda x: tf.data.Dataset"
                  ".from_tensors(x).repeat(3), cycle_length=2, block_length=2)",
    "from_generator": "tf.data.Dataset.from_generator(lambda: iter([(1, [1., 2.]), (2, [3., 4.])]),"
                      " output_signature=(tf.TensorSpec(shape=(), dtype=tf.int32), "
                      "tf.TensorSpec(shape=(2,), dtype=tf.float32)))",
    "timeseries": "tf.keras.utils.timeseries_dataset_from_array(np.arange(20.).reshape(10, 2), "
                  "np.arange(10), sequence_length=3, batch_size=4)",
    "timeseries_strided": "tf.keras.utils.timeseries_dataset_from_array(np.arange(20), None, "
                          "sequence_length=4, sequence_stride=2, sampling_rate=2, "
                          "batch_size=None, start_index=1, end_index=15)",
    "timeseries_shuffled": "tf.keras.utils.timeseries_dataset_from_array(np.ones((50, 3), "
                           "'float32'), np.zeros(50, 'int32'), sequence_length=5, batch_size=8, "
                           "shuffle=True, seed=1)",
    "window_repr": "tf.data.Dataset.range(7).window(3, shift=2)",
    "window_tuple_repr": "tf.data.Dataset.from_tensor_slices((np.arange(5), np.arange(5) * 10))"
                         ".window(2)",
    "window_batched": "tf.data.Dataset.range(10).window(3, shift=1, stride=3)"
                      ".flat_map(lambda w: w.batch(3))",
    "window_drop": "tf.data.Dataset.range(7).window(3, shift=2, drop_remainder=True)"
                   ".flat_map(lambda w: w.batch(3))",
    "window_sparse": "tf.data.Dataset.range(12).window(2, shift=5).flat_map(lambda w: w.batch(2))",
    "window_tuple": "tf.data.Dataset.from_tensor_slices((np.arange(5), np.arange(5) * 10))"
                    ".window(2).flat_map(lambda a, b: tf.data.Dataset.zip((a.batch(2), "
                    "b.batch(2))))",
    "take_while": "tf.data.Dataset.range(10).take_while(lambda x: x < 4)",
    "unique": "tf.data.Dataset.from_tensor_slices([1, 3, 1, 2, 3]).unique()",
    "scan": "tf.data.Dataset.range(5).scan(np.int64(0), lambda s, x: (s + x, s * 2))",
    "counter": "tf.data.Dataset.counter(start=2, step=3)",
    "choose_from_datasets": "tf.data.Dataset.choose_from_datasets([tf.data.Dataset.from_tensors("
                            "'a').repeat(), tf.data.Dataset.from_tensors('b').repeat()], "
                            "tf.data.Dataset.from_tensor_slices(np.array([0, 1, 1, 0], "
                            "np.int64)))",
    "sample_from_datasets": "tf.data.Dataset.sample_from_datasets([tf.data.Dataset.range(3), "
                            "tf.data.Dataset.range(10, 13)], seed=1)",
    "random": "tf.data.Dataset.random(seed=4)",
    "mnist_like": "tf.data.Dataset.from_tensor_slices((np.zeros((300, 28, 28), 'uint8'), "
                  "np.zeros(300, 'uint8'))).batch(128)",
}
#: cases whose elements are random or infinite: only specs, reprs and cardinality are compared
NO_VALUES = {"counter", "sample_from_datasets", "random", "timeseries_shuffled", "mnist_like", "shuffle_batch", "shuffle_batch_drop", "repeat_infinite", "repeat_skip",
             "repeat_batch_inf"}

#: elements are datasets: only repr, element_spec and cardinality are compared
REPR_ONLY = {"window_repr", "window_tuple_repr"}

#: Pipelines that fail (at creation or while iterated): TF's exception class is compared, and
#: the first line of its message for the cases in EXACT_MESSAGES.
ERROR_CASES = {
    "batch_zero": "list(tf.data.Dataset.range(3).batch(0))",
    "shuffle_zero": "list(tf.data.Dataset.range(3).shuffle(0))",
    "zip_list": "tf.data.Dataset.zip((tf.data.Dataset.range(3), [1, 2]))",
    "map_returns_none": "list(tf.data.Dataset.range(3).map(lambda x: None))",
    "filter_int": "list(tf.data.Dataset.range(3).filter(lambda x: x))",
    "unbatch_scalar": "tf.data.Dataset.range(3).unbatch()",
    "slices_mismatch": "tf.data.Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))",
    "slices_scalar": "tf.data.Dataset.from_tensor_slices(1.0)",
    "slices_empty": "tf.data.Dataset.from_tensor_slices(())",
    "len_infinite": "len(tf.data.Dataset.range(3).repeat())",
    "len_unknown": "len(tf.data.Dataset.range(3).filter(lambda x: x > 0))",
    "batch_ragged": "list(tf.data.Dataset.from_tensor_slices([1, 2]).map(lambda x: tf.range(x))"
                    ".batch(2))",
    "get_next_at_end": "(lambda it: (next(it), it.get_next()))(iter(tf.data.Dataset.range(1)))",
    "map_arity": "list(tf.data.Dataset.from_tensor_slices(([1], [2])).map(lambda x: x))",
    "range_float": "tf.data.Dataset.range(2.5)",
    "take_string": "tf.data.Dataset.range(2).take('a')",
    "map_not_callable": "tf.data.Dataset.range(2).map(3)",
    "single_element_empty": "tf.data.Dataset.range(0).get_single_element()",
    "single_element_many": "tf.data.Dataset.range(2).get_single_element()",
    "padded_batch_too_small": "list(tf.data.Dataset.from_tensor_slices([3]).map(lambda x: "
                              "tf.range(x)).padded_batch(1, padded_shapes=[2]))",
}
EXACT_MESSAGES = {"zip_list", "filter_int", "unbatch_scalar", "slices_mismatch",
                  "slices_scalar", "slices_empty", "len_infinite", "len_unknown", "map_arity",
                  "range_float", "map_not_callable"}

#: keras.utils calls: `value = <code>` with `keras`, `tf`, `np` in scope.
UTILS_CASES = {
    "to_categorical_list": "keras.utils.to_categorical([0, 2, 1])",
    "to_categorical_num_classes": "keras.utils.to_categorical(np.array([1, 2]), 4)",
    "to_categorical_column": "keras.utils.to_categorical(np.array([[1], [2]]), 4)",
    "to_categorical_2d": "keras.utils.to_categorical(np.array([[1, 2], [0, 3]]))",
    "to_categorical_scalar": "keras.utils.to_categorical(np.array(2), 3)",
    "to_categorical_floats": "keras.utils.to_categorical([1.0, 2.0])",
    "to_categorical_negative": "keras.utils.to_categorical([-1], 3)",
    "to_categorical_uint8": "keras.utils.to_categorical(np.array([3, 0, 9], 'uint8'), 10)",
    "to_categorical_tensor": "keras.utils.to_categorical(tf.constant([1, 0]), 3)",
    "normalize_l2": "keras.utils.normalize(np.array([[3., 4.], [1., 0.]]))",
    "normalize_axis0_l1": "keras.utils.normalize(np.array([[3, 4], [0, 0]]), axis=0, order=1)",
    "normalize_float32": "keras.utils.normalize(np.array([[3., 4.]], dtype='float32'))",
    "normalize_zero": "keras.utils.normalize(np.array([[0., 0.]]))",
    "normalize_1d": "keras.utils.normalize(np.array([3., 4.]))",
    "normalize_3d": "keras.utils.normalize(np.arange(12.).reshape(2, 3, 2), axis=1)",
    "normalize_list": "keras.utils.normalize([[3., 4.]])",
    "pad_default": "keras.utils.pad_sequences([[1, 2, 3], [4, 5], [6]])",
    "pad_maxlen": "keras.utils.pad_sequences([[1, 2, 3], [4, 5], [6]], maxlen=2)",
    "pad_post": "keras.utils.pad_sequences([[1, 2, 3], [4, 5], [6]], maxlen=2, "
                "truncating='post', padding='post', value=-1)",
    "pad_float": "keras.utils.pad_sequences([[1.5, 2], [3]], dtype='float32')",
    "pad_float_into_int": "keras.utils.pad_sequences([[1.5, 2], [3]])",
    "pad_empty_row": "keras.utils.pad_sequences([[], [1]])",
    "pad_strings": "keras.utils.pad_sequences([['a', 'b'], ['c']], dtype=object, value='')",
    "pad_3d": "keras.utils.pad_sequences([[[1, 2], [3, 4]], [[5, 6]]])",
    "pad_array_input": "keras.utils.pad_sequences(np.array([[1, 2], [3, 4]]), maxlen=3)",
    "pad_preprocessing": "keras.preprocessing.sequence.pad_sequences([[1], [2, 3]], maxlen=3)",
    "pad_bad_padding": "keras.utils.pad_sequences([[1]], padding='x')",
    "pad_str_value_int_dtype": "keras.utils.pad_sequences([['a']], value='x')",
    "pad_not_iterable": "keras.utils.pad_sequences(5)",
    "set_random_seed_float": "keras.utils.set_random_seed(1.5)",
    "split_array": "tuple(tuple(d.as_numpy_iterator()) for d in keras.utils.split_dataset("
                   "np.arange(10), left_size=0.7))",
    "split_shuffled_tuple": "tuple(tuple(d.as_numpy_iterator()) for d in keras.utils."
                            "split_dataset((np.arange(8), np.arange(8) * 2.0), right_size=3, "
                            "shuffle=True, seed=4))",
    "split_batched_dataset": "tuple(tuple(d.as_numpy_iterator()) for d in keras.utils."
                             "split_dataset(tf.data.Dataset.range(9).batch(2), left_size=4, "
                             "shuffle=True, seed=1))",
    "split_dict_dataset": "tuple(tuple(d.as_numpy_iterator()) for d in keras.utils.split_dataset("
                          "tf.data.Dataset.from_tensor_slices({'a': np.arange(5), 'b': "
                          "np.ones((5, 2))}), left_size=0.4))",
    "split_bad_size": "keras.utils.split_dataset(np.arange(4), left_size=1.5)",
    "split_empty_side": "keras.utils.split_dataset(np.arange(4), left_size=0.1)",
}

#: dataset loaders over the generated files: `value = <code>` with `keras` in scope.
LOADER_CASES = {
    "imdb_default": "keras.datasets.imdb.load_data()",
    "imdb_num_words": "keras.datasets.imdb.load_data(num_words=20)",
    "imdb_skip_top_maxlen": "keras.datasets.imdb.load_data(num_words=30, skip_top=4, maxlen=15)",
    "imdb_no_oov": "keras.datasets.imdb.load_data(num_words=10, oov_char=None)",
    "imdb_no_start": "keras.datasets.imdb.load_data(start_char=None, index_from=0, seed=7)",
    "imdb_no_start_index": "keras.datasets.imdb.load_data(start_char=None, index_from=5)",
    "imdb_word_index": "keras.datasets.imdb.get_word_index()",
    "reuters_default": "keras.datasets.reuters.load_data()",
    "reuters_args": "keras.datasets.reuters.load_data(num_words=25, skip_top=2, maxlen=20, "
                    "test_split=0.3, seed=5)",
    "reuters_word_index": "keras.datasets.reuters.get_word_index()",
    "reuters_labels": "keras.datasets.reuters.get_label_names()",
    "boston_default": "keras.datasets.boston_housing.load_data()",
    "boston_split": "keras.datasets.boston_housing.load_data(test_split=0.5, seed=3)",
    "california_default": "keras.datasets.california_housing.load_data()",
    "california_small": "keras.datasets.california_housing.load_data(version='small', "
                        "test_split=0.25, seed=9)",
    "california_bad_version": "keras.datasets.california_housing.load_data(version='medium')",
}
