"""keras.config: the global settings (floatx, epsilon, image data format, backend name)."""
from tapeflow.keras.backend import (  # noqa: F401
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)

_interactive_logging = [True]


def enable_interactive_logging():
    _interactive_logging[0] = True


def disable_interactive_logging():
    _interactive_logging[0] = False


def is_interactive_logging_enabled():
    return _interactive_logging[0]


def enable_unsafe_deserialization():
    return None


def dtype_policy():
    return floatx()


def set_dtype_policy(policy):
    name = getattr(policy, "name", policy)
    if name not in ("float32", None):
        raise NotImplementedError(f"tapeflow computes in float32 only; got dtype policy {name!r}.")
