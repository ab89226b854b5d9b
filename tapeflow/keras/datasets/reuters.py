"""Reuters newswire topics, as `keras.datasets.reuters` serves it (downloaded via get_file).

11,228 newswires over 46 topics; 80% train, 20% test by default.
"""

from __future__ import annotations

import json

import numpy as np

from tapeflow.keras.datasets import _files
from tapeflow.keras.datasets import _sequences as seq

#: sha256 of Keras's reuters.npz, and md5 of reuters_word_index.json (Keras's published hashes).
REUTERS_SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_MD5 = "4d44cc38712099c9e383dc6e5f11a921"


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3):
    """Loads the Reuters newswire classification dataset.

    Args:
        path: the file's name in the Keras cache, or the path of an existing `reuters.npz`.
        num_words, skip_top, maxlen, seed, start_char, oov_char, index_from: as in
            `imdb.load_data`.
        test_split: the fraction of the (shuffled) data kept for the test set.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x are 1-D object arrays of Python lists of int,
        y are int64 topic indexes 0..45.

    Example:
        >>> (x_train, y_train), _ = load_data(num_words=10000)  # doctest: +SKIP
    """
    file = _files.fetch(path, "reuters.npz", REUTERS_SHA256, "reuters.load_data")
    xs, labels = _files.require(_files.load_npz(file), ("x", "y"), file, "reuters.load_data")

    rng = np.random.RandomState(seed)
    indices = np.arange(len(xs))
    rng.shuffle(indices)
    xs, labels = xs[indices], labels[indices]

    seqs = seq.shift(seq.Ragged.from_sequences(xs), start_char, index_from)
    if maxlen:
        keep = seq.shorter_than(seqs, maxlen)
        seqs, labels = seqs.take(keep), labels[keep]
    if not num_words:
        num_words = seq.max_word(seqs)
    seqs = seq.limit_words(seqs, num_words, skip_top, oov_char)

    idx = int(len(seqs.lengths) * (1 - test_split))
    train, test = seq.split(seqs, idx)
    return ((train.to_object_array(), np.array(labels[:idx])),
            (test.to_object_array(), np.array(labels[idx:])))


def get_word_index(path="reuters_word_index.json"):
    """The word -> index dictionary (indexes before `index_from` is added)."""
    file = _files.fetch(path, "reuters_word_index.json", WORD_INDEX_MD5,
                        "reuters.get_word_index")
    with open(file) as stream:
        return json.load(stream)


def get_label_names():
    """The 46 topic names, in label order."""
    return ("cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
            "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass",
            "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum",
            "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi",
            "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
            "dlr", "gas", "silver", "wpi", "hog", "lead")
