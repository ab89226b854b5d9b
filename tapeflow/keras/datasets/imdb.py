"""IMDB movie-review sentiment, as `keras.datasets.imdb` serves it (downloaded via get_file).

Reviews are sequences of word indexes (a word's index is its frequency rank, 1 = most
frequent, shifted by `index_from`); labels are 1 (positive) or 0 (negative).
"""

from __future__ import annotations

import json

import numpy as np

from tapeflow.keras.datasets import _files
from tapeflow.keras.datasets import _sequences as seq

#: sha256 of Keras's imdb.npz, and md5 of imdb_word_index.json (Keras's published hashes).
IMDB_SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1,
              oov_char=2, index_from=3, **kwargs):
    """Loads the IMDB dataset (25,000 training and 25,000 test reviews).

    Args:
        path: the file's name in the Keras cache (`~/.keras/datasets/`), or the path of an
            existing `imdb.npz` to use offline.
        num_words: keep the `num_words` most frequent words; others become `oov_char`.
        skip_top: also replace the `skip_top` most frequent words by `oov_char`.
        maxlen: drop the sequences of `maxlen` words or more.
        seed: the seed of the shuffle applied to each split.
        start_char: the index that starts every sequence (None: no start marker).
        oov_char: the index of out-of-vocabulary words (None: drop them).
        index_from: the offset added to word indexes.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x are 1-D object arrays of Python lists of int,
        y are int64 arrays of 0/1 labels.

    Example:
        >>> (x_train, y_train), _ = load_data(num_words=10000)  # doctest: +SKIP
    """
    file = _files.fetch(path, "imdb.npz", IMDB_SHA256, "imdb.load_data")
    arrays = _files.load_npz(file)
    x_train, labels_train, x_test, labels_test = _files.require(
        arrays, ("x_train", "y_train", "x_test", "y_test"), file, "imdb.load_data")

    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]

    train = seq.shift(seq.Ragged.from_sequences(x_train), start_char, index_from)
    test = seq.shift(seq.Ragged.from_sequences(x_test), start_char, index_from)
    if maxlen:
        keep_train, keep_test = seq.shorter_than(train, maxlen), seq.shorter_than(test, maxlen)
        train, labels_train = train.take(keep_train), labels_train[keep_train]
        test, labels_test = test.take(keep_test), labels_test[keep_test]
        if not len(train.lengths) or not len(test.lengths):
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no "
                             f"sequence was kept. Increase maxlen.")
    xs = seq.concat(train, test)
    labels = np.concatenate([labels_train, labels_test])
    if not num_words:
        num_words = seq.max_word(xs)
    xs = seq.limit_words(xs, num_words, skip_top, oov_char)
    train, test = seq.split(xs, len(train.lengths))
    idx = len(train.lengths)
    return ((train.to_object_array(), labels[:idx]), (test.to_object_array(), labels[idx:]))


def get_word_index(path="imdb_word_index.json"):
    """The word -> index dictionary (indexes before `index_from` is added).

    Example:
        >>> word_index = get_word_index()  # doctest: +SKIP
        >>> reverse = {i + 3: w for w, i in word_index.items()}  # doctest: +SKIP
    """
    file = _files.fetch(path, "imdb_word_index.json", WORD_INDEX_MD5, "imdb.get_word_index")
    with open(file) as stream:
        return json.load(stream)


__all__ = ["get_word_index", "load_data"]
