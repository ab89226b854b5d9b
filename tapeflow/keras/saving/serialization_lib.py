"""Objects to Keras 3 config dicts and back, resolving names only through the allow-list.

``serialize_keras_object`` writes Keras 3's layout (``module``, ``class_name``, ``config``,
``registered_name``, plus ``build_config``/``compile_config`` for layers and models), so files
move between tapeflow and Keras both ways. ``deserialize_keras_object`` first checks the whole
config -- every ``class_name`` must resolve through `object_registration` (custom objects, the
user's registry, tapeflow's own classes); a Python lambda (marshalled bytecode) is refused unless
``safe_mode=False`` -- and only then instantiates anything, so a refused file has no effect.

>>> from tapeflow.keras import layers
>>> config = serialize_keras_object(layers.Dense(2, name="d"))
>>> config["class_name"], config["module"]
('Dense', 'keras.layers')
>>> deserialize_keras_object(config).units
2
"""
import builtins as _py_builtins
import codecs
import inspect
import marshal
import types
import warnings

import numpy as np

from tapeflow.keras.saving import object_registration as reg

MAX_CONFIG_ARRAY_ELEMENTS = 1 << 24  # a __numpy__ value in a config: 16M elements at most
MAX_CONFIG_DEPTH = 200  # nesting levels (Keras's own configs use a few dozen)

LAMBDA_MESSAGE = (
    "Requested the deserialization of a Python lambda. This carries a potential risk of "
    "arbitrary code execution and thus it is disallowed by default. If you trust the source of "
    "the artifact, you can override this error by passing `safe_mode=False` to the loading "
    "function, or calling `keras.config.enable_unsafe_deserialization().")
LAMBDA_LAYER_MESSAGE = (
    "Requested the deserialization of a `Lambda` layer whose `function` is a Python lambda. "
    "This carries a potential risk of arbitrary code execution and thus it is disallowed by "
    "default. If you trust the source of the artifact, you can override this error by passing "
    "`safe_mode=False` to the loading function, or calling "
    "`keras.config.enable_unsafe_deserialization().")

# Names Keras itself refuses as "non-modeling" (not needed for safety -- none of them is in the
# allow-list -- but a file naming one deserves Keras's clearer message).
NON_MODELING_APIS = {
    "get_file", "load_model", "save_model", "load_weights", "save_weights", "load_img",
    "save_img", "image_dataset_from_directory", "text_dataset_from_directory",
    "audio_dataset_from_directory", "timeseries_dataset_from_array",
    "enable_unsafe_deserialization", "clear_session", "serialize_keras_object",
    "deserialize_keras_object", "register_keras_serializable", "model_from_json",
    "TFSMLayer"}

_SPECIAL = {"__keras_tensor__", "__numpy__", "__tensor__", "__bytes__", "__slice__",
            "__ellipsis__"}
_DTYPE_POLICIES = {"DTypePolicy", "FloatDTypePolicy"}


# ================================= serialization =============================================
def _public_module(kind, obj):
    if kind == "models":
        return "keras.src.models.functional" if type(obj).__name__ == "Functional" else "keras"
    return f"keras.{kind}"


def _kind_of_class(cls):
    for kind, table in reg.builtins().items():
        if table.get(cls.__name__) is cls:
            return "models" if kind == "layers" and cls.__name__ in (
                "Sequential", "Functional", "Model") else kind
    return None


def _builtin_function_entry(fn):
    for kind in ("activations", "losses", "metrics"):
        for name, value in reg.builtins()[kind].items():
            if value is fn and name == getattr(fn, "__name__", None):
                return kind, name
    for kind in ("activations", "losses", "metrics"):
        for name, value in reg.builtins()[kind].items():
            if value is fn:
                return kind, name
    return None


def func_dump(func):
    """(base64 marshalled code, defaults, closure values) -- Keras's format for lambdas."""
    code = codecs.encode(marshal.dumps(func.__code__), "base64").decode("ascii")
    closure = tuple(c.cell_contents for c in func.__closure__) if func.__closure__ else None
    return code, func.__defaults__, closure


def func_load(code, defaults=None, closure=None):
    """Rebuilds a function from `func_dump`'s output. Runs code: only under safe_mode=False."""
    if isinstance(code, (tuple, list)):
        code, defaults, closure = code
    if isinstance(defaults, list):
        defaults = tuple(defaults)

    def cell(value):
        return (lambda: value).__closure__[0]

    if closure is not None:
        closure = tuple(cell(v) for v in closure)
    raw = codecs.decode(code.encode("ascii"), "base64")
    code_obj = marshal.loads(raw)
    import tapeflow
    import tapeflow.keras
    globs = {"__builtins__": _py_builtins, "tf": tapeflow, "keras": tapeflow.keras, "np": np}
    return types.FunctionType(code_obj, globs, name=code_obj.co_name, argdefs=defaults,
                              closure=closure)


def _serialize_function(fn):
    if isinstance(fn, types.FunctionType) and fn.__name__ == "<lambda>":
        return {"class_name": "__lambda__", "config": {"value": list(func_dump(fn))}}
    registered = reg.GLOBAL_CUSTOM_NAMES.get(fn)
    if registered is not None:
        return {"module": getattr(fn, "__module__", None), "class_name": "function",
                "config": registered, "registered_name": registered}
    entry = _builtin_function_entry(fn)
    if entry is not None:
        return {"module": f"keras.{entry[0]}", "class_name": "function", "config": entry[1],
                "registered_name": entry[1]}
    name = getattr(fn, "__name__", None)
    if name is None:
        raise TypeError(f"Cannot serialize object {fn!r} of type {type(fn)}. To be "
                        "serializable, a class must implement the `get_config()` method.")
    return {"module": getattr(fn, "__module__", None), "class_name": "function", "config": name,
            "registered_name": name}


def serialize_dict(config):
    return {k: serialize_keras_object(v) for k, v in config.items()}


def _is_dtype(obj):
    import tapeflow as tf
    return isinstance(obj, tf.DType)


def serialize_keras_object(obj):
    """A JSON-ready Keras 3 config for ``obj`` (layer, model, optimizer, loss, function ...)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(v) for v in obj]
    if isinstance(obj, dict):
        return serialize_dict(obj)
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {
            "start": serialize_keras_object(obj.start), "stop": serialize_keras_object(obj.stop),
            "step": serialize_keras_object(obj.step)}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        if obj.ndim == 0:
            return obj.item()
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(),
                                                      "dtype": obj.dtype.name}}
    if _is_dtype(obj):
        return obj.name
    import tapeflow as tf
    if isinstance(obj, tf.TensorShape):
        return obj.as_list() if obj.rank is not None else None
    if isinstance(obj, (tf.Tensor, tf.Variable)):
        value = np.asarray(obj.numpy())
        return {"class_name": "__tensor__", "config": {"value": value.tolist(),
                                                       "dtype": value.dtype.name}}
    from tapeflow.keras.layers import input_layer
    if isinstance(obj, input_layer.KerasTensor):
        history = obj._keras_history
        history = [history.operation.name, history.node_index, history.tensor_index] \
            if history is not None else None
        return {"class_name": "__keras_tensor__", "config": {
            "shape": list(obj.shape), "dtype": obj.dtype, "keras_history": history}}
    if type(obj).__name__ == "_DTypePolicy":
        return obj.serialize()
    if inspect.isfunction(obj) or inspect.isbuiltin(obj) or \
            (callable(obj) and not hasattr(obj, "get_config") and hasattr(obj, "__name__")
             and not inspect.isclass(obj)):
        return _serialize_function(obj)
    from tapeflow.keras.saving import model_config
    special = model_config.serialize_special(obj)
    if special is not None:
        return special
    return _serialize_object(obj)


def _serialize_object(obj):
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize object {obj!r} of type {type(obj)}. To be "
                        "serializable, a class must implement the `get_config()` method.")
    config = obj.get_config()
    if not isinstance(config, dict):
        raise TypeError(f"The `get_config()` method of {obj} should return a dict. It "
                        f"returned: {config}")
    cls = type(obj)
    registered = reg.GLOBAL_CUSTOM_NAMES.get(cls)
    kind = _kind_of_class(cls) if registered is None else None
    if kind is not None:
        out = {"module": _public_module(kind, obj), "class_name": cls.__name__,
               "config": serialize_dict(config), "registered_name": None}
    else:
        out = {"module": cls.__module__, "class_name": cls.__name__,
               "config": serialize_dict(config),
               "registered_name": registered or cls.__name__}
    add_build_and_compile_config(obj, out)
    return out


def add_build_and_compile_config(obj, out):
    from tapeflow.keras.layers.layer import Layer
    if isinstance(obj, Layer):
        build = obj.get_build_config() if hasattr(obj, "get_build_config") else None
        if build is not None:
            out["build_config"] = serialize_dict(build)
        from tapeflow.keras.saving import model_config
        compile_config = model_config.get_compile_config(obj)
        if compile_config is not None:
            out["compile_config"] = compile_config
    return out


# ================================= checking ===================================================
def is_object_config(value):
    return isinstance(value, dict) and isinstance(value.get("class_name"), str) and \
        ("config" in value or "module" in value)


def _not_found(class_name, module):
    if class_name in NON_MODELING_APIS:
        where = f"{module}.{class_name}" if module else class_name
        return ValueError(
            f"Cannot deserialize `{where}` because it is not a modeling function. Non-modeling "
            "APIs are disallowed during deserialization for security. Only layers, models, "
            "optimizers, losses, metrics, initializers, regularizers, activations and "
            "schedules can be named in a saved file.")
    return TypeError(
        f"Could not locate class '{class_name}' (the file says module {module!r}; tapeflow never "
        "imports a module named by a file). Make sure custom classes and functions are "
        "decorated with `@keras.saving.register_keras_serializable()`, or pass them to the "
        "loader with `custom_objects={...}`. If the name is a tapeflow class, check its "
        "spelling.")


def resolve(config, custom_objects=None, kinds=None):
    """The class or function a serialized entry names, through the allow-list only."""
    class_name = config.get("class_name")
    module = config.get("module")
    registered = config.get("registered_name")
    if class_name == "function":
        name = config.get("config")
        if not isinstance(name, str):
            raise ValueError(f"A serialized function must name the function as a string; "
                             f"received config={name!r}.")
        found = reg.lookup_custom(name, registered, custom_objects)
        if found is None:
            found = reg.lookup_builtin(name, module, kinds or
                                       ("activations", "losses", "metrics"))
        if found is None or inspect.isclass(found):
            raise _not_found(name, module)
        return found
    found = reg.lookup_custom(class_name, registered, custom_objects)
    if found is None:
        found = reg.lookup_builtin(class_name, module, kinds)
        if found is None and kinds:
            found = reg.lookup_builtin(class_name, module)
    if found is None:
        raise _not_found(class_name, module)
    return found


def _check_numpy(config):
    inner = config.get("config") or {}
    dtype = inner.get("dtype")
    try:
        kind = np.dtype(dtype).kind
    except TypeError:
        kind = "O"
    if kind not in "biuf":
        raise ValueError(f"A {config['class_name']} value in the config has dtype {dtype!r}; "
                         "only numeric and bool arrays are accepted (no objects, no pickle).")
    count, stack = 0, [inner.get("value")]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        count += 1
        if count > MAX_CONFIG_ARRAY_ELEMENTS:
            raise ValueError("A __numpy__ value in the config is larger than "
                             f"{MAX_CONFIG_ARRAY_ELEMENTS} elements: refused.")


def check_config(config, custom_objects=None, safe_mode=True, _parent=None):
    """Walks a whole config and raises if any entry is not allowed. Instantiates nothing."""
    stack = [(config, _parent, 0)]
    while stack:
        value, parent, depth = stack.pop()
        if depth > MAX_CONFIG_DEPTH:
            raise ValueError(f"The config is nested more than {MAX_CONFIG_DEPTH} levels deep; "
                             "refused (a Keras model config is far shallower).")
        depth += 1
        if isinstance(value, list):
            stack.extend((v, parent, depth) for v in value)
            continue
        if not isinstance(value, dict):
            continue
        if not is_object_config(value):
            stack.extend((v, parent, depth) for v in value.values())
            continue
        class_name = value["class_name"]
        if class_name == "__lambda__":
            if safe_mode:
                raise ValueError(LAMBDA_LAYER_MESSAGE if parent == "Lambda" else LAMBDA_MESSAGE)
            continue
        if class_name in ("__numpy__", "__tensor__"):
            _check_numpy(value)
            continue
        if class_name in _SPECIAL:
            stack.extend((v, parent, depth) for v in (value.get("config") or {}).values()
                         if class_name != "__keras_tensor__")
            continue
        if class_name in _DTYPE_POLICIES and not value.get("registered_name"):
            continue
        if class_name == "__typespec__":
            raise ValueError("A __typespec__ entry cannot be deserialized by tapeflow.")
        found = resolve(value, custom_objects)
        name = getattr(found, "__name__", class_name)
        inner = value.get("config")
        if class_name != "function" and inner is not None:
            stack.append((inner, name, depth))
        # build/compile configs, and a functional layer's inbound_nodes, sit beside "config"
        for key in ("build_config", "compile_config", "inbound_nodes"):
            if value.get(key) is not None:
                stack.append((value[key], name, depth))


# ================================= deserialization ============================================
def _array(config):
    inner = config["config"]
    value = np.asarray(inner["value"], dtype=np.dtype(inner["dtype"]))
    if config["class_name"] == "__tensor__":
        import tapeflow as tf
        return tf.constant(value)
    return value


def _special(config, safe_mode):
    class_name, inner = config["class_name"], config.get("config") or {}
    if class_name in ("__numpy__", "__tensor__"):
        _check_numpy(config)
        return _array(config)
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__slice__":
        return slice(*(deserialize_keras_object(inner.get(k), safe_mode=safe_mode)
                       for k in ("start", "stop", "step")))
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__lambda__":
        if safe_mode:
            raise ValueError(LAMBDA_MESSAGE)
        return func_load(inner["value"])
    raise ValueError(f"A {class_name} entry is only valid inside a functional model's graph.")


def resolve_nested(value, custom_objects, safe_mode):
    """Config values that name user objects, functions, lambdas or arrays, as objects.

    tapeflow's layers resolve built-in names themselves (``'relu'``, initializer dicts); a
    registered or custom object is instantiated here, through the allow-list, so the layer
    receives the object.
    """
    if isinstance(value, list):
        return [resolve_nested(v, custom_objects, safe_mode) for v in value]
    if not isinstance(value, dict):
        return value
    if not is_object_config(value):
        return {k: resolve_nested(v, custom_objects, safe_mode) for k, v in value.items()}
    class_name = value["class_name"]
    if class_name in ("__numpy__", "__tensor__", "__lambda__", "__bytes__"):
        return _special(value, safe_mode)
    if class_name in _SPECIAL or class_name in _DTYPE_POLICIES:
        return value
    custom = reg.lookup_custom(class_name if class_name != "function" else value.get("config"),
                               value.get("registered_name"), custom_objects)
    if custom is not None or class_name == "function":
        return deserialize_keras_object(value, custom_objects, safe_mode=safe_mode)
    return value


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """The object a Keras 3 config describes; names resolve through the allow-list only.

    The whole config is checked before anything is created, so a refused file has no effect.
    """
    module_objects = kwargs.pop("module_objects", None)
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, str):
        if module_objects and config in module_objects:
            return module_objects[config]
        found = reg.get_registered_object(config, custom_objects)
        return found if found is not None else config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(v, custom_objects, safe_mode) for v in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config!r}")
    if not is_object_config(config):
        return {k: deserialize_keras_object(v, custom_objects, safe_mode)
                for k, v in config.items()}
    check_config(config, custom_objects, safe_mode)
    with reg.CustomObjectScope(custom_objects):
        return _instantiate(config, custom_objects, safe_mode)


def _instantiate(config, custom_objects, safe_mode):
    class_name = config["class_name"]
    if class_name in _SPECIAL or class_name == "__lambda__":
        return _special(config, safe_mode)
    if class_name in _DTYPE_POLICIES and not config.get("registered_name"):
        return (config.get("config") or {}).get("name", "float32")
    found = resolve(config, custom_objects)
    if class_name == "function":
        return found
    from tapeflow.keras.saving import model_config
    obj = model_config.instantiate(found, config, custom_objects, safe_mode)
    if obj is None:
        inner = resolve_nested(config.get("config") or {}, custom_objects, safe_mode)
        obj = _from_config(found, inner, custom_objects)
    model_config.restore_build_and_compile(obj, config, custom_objects, safe_mode)
    return obj


_LAYER_KWARGS = {"input_shape", "input_dim", "batch_input_shape", "batch_size", "weights",
                 "activity_regularizer", "trainable", "dtype", "autocast", "name"}


def _drop_unknown_nones(cls, inner):
    """Keras 3.15 writes some options as None that a tapeflow layer may not take yet
    (``quantization_config``, ``lora_rank`` ...): dropped when None, for tapeflow's own layers."""
    if reg.GLOBAL_CUSTOM_NAMES.get(cls) or reg.lookup_builtin(cls.__name__, kinds=("layers",)) \
            is not cls or not isinstance(inner, dict):
        return inner
    accepted = set(_LAYER_KWARGS)
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is not None:
            try:
                accepted |= set(inspect.signature(init).parameters)
            except (TypeError, ValueError):
                pass
    return {k: v for k, v in inner.items() if k in accepted or v is not None}


def _from_config(cls, inner, custom_objects):
    if not inspect.isclass(cls):
        return cls
    inner = _drop_unknown_nones(cls, inner)
    from_config = getattr(cls, "from_config", None)
    if from_config is None:
        return cls(**inner)
    try:
        params = inspect.signature(from_config).parameters
    except (TypeError, ValueError):
        params = {}
    try:
        if "custom_objects" in params:
            return from_config(inner, custom_objects=custom_objects)
        return from_config(inner)
    except TypeError as error:
        raise TypeError(
            f"{cls.__name__} could not be deserialized properly. Please ensure that components "
            "that are Python object instances (layers, models, etc.) returned by `get_config()` "
            "are explicitly deserialized in the model's `from_config()` method.\n\n"
            f"config={inner}.\n\nException encountered: {error}") from error


def warn(message):
    warnings.warn(message, stacklevel=3)
