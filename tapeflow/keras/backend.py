"""keras.backend: global Keras state -- layer-name counters, floatx, epsilon, image format.

>>> from tapeflow.keras import backend
>>> backend.floatx()
'float32'
"""
import collections
import weakref

_state = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}
_name_counts = collections.defaultdict(int)  # prefix -> how many names were handed out


def unique_name(prefix):
    """'dense', then 'dense_1', 'dense_2' ... until clear_session (Keras's global counter)."""
    n = _name_counts[prefix]
    _name_counts[prefix] = n + 1
    return prefix if n == 0 else f"{prefix}_{n}"


def clear_session(free_memory=True):
    """Resets the name counters (the next Dense is 'dense' again)."""
    _name_counts.clear()


def backend():
    return "tensorflow"


def floatx():
    return _state["floatx"]


def set_floatx(value):
    value = str(getattr(value, "name", value))
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of float16, bfloat16, "
                         "float32, float64.")
    _state["floatx"] = value


def epsilon():
    return _state["epsilon"]


def set_epsilon(value):
    _state["epsilon"] = float(value)


def image_data_format():
    return _state["image_data_format"]


def set_image_data_format(data_format):
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    _state["image_data_format"] = data_format


def is_keras_tensor(x):
    from tapeflow.keras.layers import core
    return isinstance(x, core.KerasTensor)


def int_shape(x):
    return tuple(x.shape)


def count_params(x):
    n = 1
    for d in x.shape:
        n *= int(d)
    return n


def get_uid(prefix=""):
    _name_counts[prefix] += 1
    return _name_counts[prefix]


def standardize_dtype(dtype):
    return str(getattr(dtype, "name", dtype))


# -- tensors' side tables (Tensor has no __dict__ for Keras's ``_keras_mask``) ----------------
class SideTable:
    """Attach a value to a tensor object without touching it (Tensor has no ``__dict__``).

    Keyed by id; the entry goes when the tensor is garbage-collected (a weakref callback).
    """

    def __init__(self):
        self._entries = {}  # id(tensor) -> (weakref to tensor, value)

    def set(self, tensor, value):
        key = id(tensor)
        entries = self._entries

        def _drop(ref, key=key):
            entry = entries.get(key)
            if entry is not None and entry[0] is ref:
                del entries[key]

        try:
            entries[key] = (weakref.ref(tensor, _drop), value)
        except TypeError:  # not weak-referenceable (a NumPy array): nothing to remember
            pass
        return tensor

    def get(self, tensor):
        entry = self._entries.get(id(tensor))
        if entry is not None and entry[0]() is tensor:
            return entry[1]
        return None

    def __contains__(self, key):
        return key in self._entries

    def __len__(self):  # empty (false) until something is attached: lookups can be skipped
        return len(self._entries)


# Keras's set_keras_mask/get_keras_mask: layers attach the mask of their outputs here
# (Embedding(mask_zero=True), then every layer that supports masking passes it on), and a loss
# or metric given a masked prediction averages over the unmasked entries only.
_MASKS = SideTable()


def set_keras_mask(x, mask):
    """Attach a boolean mask to tensor ``x`` (Keras's backend.set_keras_mask); returns ``x``."""
    return _MASKS.set(x, mask)


def get_keras_mask(x):
    """The mask attached to ``x`` by `set_keras_mask`, or None."""
    return _MASKS.get(x) if _MASKS else None
