"""tf.data.experimental: the names from it that TF 2 code still uses."""

from tapeflow.data import _transforms
from tapeflow.data.dataset import (AUTOTUNE, INFINITE_CARDINALITY,  # noqa: F401
                                   UNKNOWN_CARDINALITY, Dataset)

INFINITE = INFINITE_CARDINALITY
UNKNOWN = UNKNOWN_CARDINALITY


def cardinality(dataset):
    """`tf.data.experimental.cardinality(ds)`: the same as `ds.cardinality()`."""
    return dataset.cardinality()


def assert_cardinality(expected_cardinality):
    """A transformation (for `ds.apply`) that declares, and checks, the number of elements."""
    return lambda dataset: _transforms._AssertCardinalityDataset(dataset,
                                                                 int(expected_cardinality))


def enumerate_dataset(start=0):
    """A transformation (for `ds.apply`) pairing each element with its index."""
    return lambda dataset: dataset.enumerate(start)


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False):
    return Dataset.sample_from_datasets(datasets, weights, seed, stop_on_empty_dataset)


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
    return Dataset.choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset)


def Counter(start=0, step=1, dtype=None):  # TF's name
    return Dataset.counter(start, step) if dtype is None else Dataset.counter(start, step, dtype)
