"""keras.backend: global Keras state -- layer-name counters, floatx, epsilon, image format.

>>> from tapeflow.keras import backend
>>> backend.floatx()
'float32'
"""
import collections

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
