"""Boston housing prices, as `keras.datasets.boston_housing` serves it (downloaded via get_file).

506 samples of 13 features; targets are median home values in k$.
"""

from __future__ import annotations

from tapeflow.keras.datasets import _files

#: sha256 of Keras's boston_housing.npz.
BOSTON_SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Loads the Boston housing dataset.

    Args:
        path: the file's name in the Keras cache, or the path of an existing file.
        test_split: the fraction of the (shuffled) samples kept for the test set.
        seed: the seed of the shuffle.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float64 arrays of shapes (404, 13), (404,),
        (102, 13), (102,) with the defaults.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between 0 and "
                         f"1 (exclusive of 1).")
    file = _files.fetch(path, "boston_housing.npz", BOSTON_SHA256, "boston_housing.load_data")
    x, y = _files.load_xy(file, "boston_housing.load_data")
    return _files.shuffle_split(x, y, test_split, seed)
