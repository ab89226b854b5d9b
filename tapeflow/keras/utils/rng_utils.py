"""set_random_seed: one call seeds Python, NumPy and tapeflow (tf.random, tf.data shuffles)."""

import random

import numpy as np


def set_random_seed(seed):
    """Sets the seeds of Python's `random`, NumPy's global RNG and `tf.random.set_seed`.

    With the same seed on the same machine, weight initialisation, dropout, `fit`'s shuffling
    and `tf.data` shuffles repeat exactly, so a training run is bit-identical.

    Example:
        >>> set_random_seed(42)
    """
    if not isinstance(seed, int):
        raise ValueError(  # noqa: TRY004 - Keras's class
            "Expected `seed` argument to be an integer. "
            f"Received: seed={seed} (of type {type(seed)})")
    global _seed
    _seed = seed
    random.seed(seed)
    np.random.seed(seed)
    import tapeflow as tf
    tf.random.set_seed(seed)


_seed = None


def get_random_seed():
    """The integer last passed to `set_random_seed`, or None."""
    return _seed
