"""California housing prices, as `keras.datasets.california_housing` serves it (via get_file).

20,640 districts of the 1990 census, 8 features; targets are median house values in dollars.
`version="small"` keeps the first 600 samples (Chollet's third edition uses it).
"""

from __future__ import annotations

from tapeflow.keras.datasets import _files

#: sha256 of Keras's california_housing.npz.
CALIFORNIA_SHA256 = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Loads the California housing dataset.

    Args:
        version: "large" (all 20,640 samples) or "small" (the first 600).
        path: the file's name in the Keras cache, or the path of an existing file.
        test_split: the fraction of the (shuffled) samples kept for the test set.
        seed: the seed of the shuffle.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: arrays of 8 features, and the targets.

    Example:
        >>> (x_train, y_train), _ = load_data(version="small")  # doctest: +SKIP
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between 0 and "
                         f"1 (exclusive of 1).")
    file = _files.fetch(path, "california_housing.npz", CALIFORNIA_SHA256,
                        "california_housing.load_data")
    x, y = _files.load_xy(file, "california_housing.load_data")
    if version == "small":
        x, y = x[:600], y[:600]
    elif version != "large":
        raise ValueError(f"Argument `version` must be one of 'small', 'large'. "
                         f"Received: version={version}")
    return _files.shuffle_split(x, y, test_split, seed)


__all__ = ["load_data"]
