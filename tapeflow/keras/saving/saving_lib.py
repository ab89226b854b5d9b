"""save_model / load_model / save_weights / load_weights in Keras 3's file formats.

The weights file mirrors Keras's own walk over a model (``saving_lib._save_state``): every layer
writes its own variables to ``<path>/vars/0, 1, ...`` (trainable first), with its name as the
``name`` attribute; a Sequential or functional model's layers sit under ``layers/<class name in
snake case, made unique>``, other sublayers under the attribute that holds them (sorted, private
names last), and the optimizer under ``optimizer`` with its variables in Keras's order. So a file
written by Keras loads here and the other way round, bit for bit.
"""
import datetime
import json
import os
import re
import warnings

import numpy as np

from tapeflow.keras.saving import file_io
from tapeflow.keras.saving import serialization_lib as sl

# tapeflow attributes that hold layers for bookkeeping only (Keras skips its equivalents).
_INTERNAL = {"_stack", "_input_layer", "_operations", "_nodes", "_nodes_by_depth", "_inputs",
             "_outputs", "_inputs_struct", "_outputs_struct", "_outputs_kt", "_input_shape_arg",
             "_inbound_nodes", "_metrics", "_losses", "compiled_loss", "compiled_metrics",
             "_compile_loss", "_compile_metrics", "_loss_tracker", "_tracked", "history"}
# Optimizer slots Keras creates interleaved (one add_optimizer_variables call, several names).
_INTERLEAVED = (("momentum", "velocity"), ("momentum", "norm"),
                ("accumulated_grad", "accumulated_delta_var"))


def _version():
    import tapeflow.keras
    return tapeflow.keras.__version__


def to_snake_case(name):
    """Keras's naming.to_snake_case ('LayerNormalization' -> 'layer_normalization')."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _name_key(name):
    return f"~{name}" if name.startswith("_") else name


# ================================= the walk ===================================================
def _is_layer(obj):
    from tapeflow.keras.layers.layer import Layer
    return isinstance(obj, Layer)


def _is_optimizer(obj):
    from tapeflow.keras.optimizers.optimizer import Optimizer
    return isinstance(obj, Optimizer)


def _children(obj, include_optimizer):
    if _is_optimizer(obj):
        return
    from tapeflow.keras import models
    if isinstance(obj, (models.Sequential, models.Functional)):
        yield "layers", obj.layers
    attrs = {}
    for name in getattr(obj, "_tracked", ()):
        if name not in _INTERNAL and name in obj.__dict__:
            attrs[name] = obj.__dict__[name]
    if isinstance(obj, models.Model):
        attrs.setdefault("layers", obj.layers)
        if include_optimizer and getattr(obj, "optimizer", None) is not None:
            attrs["optimizer"] = obj.optimizer
    for name in sorted(attrs, key=_name_key):
        yield name, attrs[name]


def _join(path, name):
    return f"{path}/{name}" if path else name


def walk(model, include_optimizer=True):
    """[(path, object)] of every layer and the optimizer, in Keras's order and with its paths."""
    out, visited = [], set()

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        out.append((path, obj))
        for attr, child in _children(obj, include_optimizer):
            visit_value(child, _join(path, attr))

    def visit_value(value, path):
        if _is_layer(value) or _is_optimizer(value):
            visit(value, path)
        elif isinstance(value, (list, tuple, dict)):
            visit_container(value, path, set())

    def visit_container(container, path, seen):
        if id(container) in seen:
            return
        seen.add(id(container))
        used = {}
        for item in (container.values() if isinstance(container, dict) else container):
            if _is_layer(item) or _is_optimizer(item):
                visit(item, _join(path, _unique(to_snake_case(type(item).__name__), used)))
            elif isinstance(item, (list, tuple, dict)):
                visit_container(item, _join(path, _unique("container", used)), seen)

    visit(model, "")
    return out


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def _slot_name(variable):
    return str(variable.name).split(":")[0].rsplit("/", 1)[-1]


def optimizer_variables(optimizer):
    """The optimizer's variables in Keras's order (its interleaved slots interleaved)."""
    variables = list(optimizer.variables)
    n = len(getattr(optimizer, "_trainable_variables", []) or [])
    out, i = [], 0
    while i < len(variables):
        for first, second in _INTERLEAVED:
            block = variables[i:i + 2 * n]
            if n and len(block) == 2 * n and \
                    all(_slot_name(v).endswith("_" + first) for v in block[:n]) and \
                    all(_slot_name(v).endswith("_" + second) for v in block[n:]):
                for k in range(n):
                    out += [block[k], block[n + k]]
                i += 2 * n
                break
        else:
            out.append(variables[i])
            i += 1
    return out


def own_variables(obj):
    if _is_optimizer(obj):
        return optimizer_variables(obj)
    return list(obj._own_trainable) + list(obj._own_non_trainable)


def _value(variable):
    value = variable.numpy()
    return np.asarray(value)


def weights_bytes(model, include_optimizer=True):
    """The model's weights (and optimizer state) as Keras 3's ``.weights.h5`` bytes."""
    entries = []
    for path, obj in walk(model, include_optimizer):
        name = obj.name if isinstance(getattr(obj, "name", None), str) else None
        entries.append((path, name, [_value(v) for v in own_variables(obj)]))
    return file_io.write_h5(entries)


def load_weights_from_bytes(model, data, path, skip_mismatch=False, max_bytes=None):
    """Reads every expected array (checked, shapes first), then assigns them all."""
    reader = file_io.H5Reader(data, path, **({"max_bytes": max_bytes} if max_bytes else {}))
    assignments = []
    try:
        for inner, obj in walk(model):
            variables = own_variables(obj)
            keys = reader.keys(inner)
            if len(keys) != len(variables) or any(str(i) not in keys
                                                  for i in range(len(variables))):
                message = _count_message(obj, variables, keys)
                if _is_optimizer(obj):
                    warnings.warn(message, stacklevel=3)
                    continue
                if skip_mismatch:
                    warnings.warn(f"Skipping loading of weights for {obj.name}: {message}",
                                  stacklevel=3)
                    continue
                raise ValueError(message)
            values = []
            try:
                for i, variable in enumerate(variables):
                    values.append(reader.read(inner, str(i), tuple(variable.shape),
                                              variable.dtype.name))
            except ValueError as error:
                if skip_mismatch and not isinstance(error, file_io.CorruptFileError):
                    warnings.warn(f"Skipping loading of weights for {obj.name}: {error}",
                                  stacklevel=3)
                    continue
                raise
            assignments += list(zip(variables, values))
    finally:
        reader.close()
    for variable, value in assignments:
        variable.assign(value)


def _count_message(obj, variables, keys):
    if _is_optimizer(obj):
        message = (f"Skipping variable loading for optimizer '{obj.name}', because it has "
                   f"{len(variables)} variables whereas the saved optimizer has {len(keys)} "
                   "variables. ")
        if not variables:
            message += "This is likely because the optimizer has not been called/built yet."
        return message
    return (f"Layer '{obj.name}' expected {len(variables)} variables, but received "
            f"{len(keys)} variables during loading. Expected: "
            f"{[v.name for v in variables]}")


# ================================= .keras ======================================================
def _ask_to_proceed(filepath):
    answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    return answer == "y"


def model_archive_members(model):
    """{member: bytes} of a ``.keras`` file for ``model`` (nothing written)."""
    config = sl.serialize_keras_object(model)
    metadata = {"keras_version": _version(),
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    return {"metadata.json": json.dumps(metadata).encode("utf-8"),
            "config.json": json.dumps(config).encode("utf-8"),
            "model.weights.h5": weights_bytes(model)}


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Saves ``model`` to a ``.keras`` file (config, compile config, weights, optimizer state).

    The file is written next to its final name and renamed into place: an interrupted save
    leaves the previous file as it was.
    """
    include_optimizer = kwargs.pop("include_optimizer", True)
    kwargs.pop("save_format", None)
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
    filepath = os.fspath(filepath)
    if filepath.endswith((".h5", ".hdf5")):
        raise ValueError("tapeflow does not write the legacy H5 model format (it stores Python "
                         "code for some layers); use the native `.keras` format: "
                         f"`model.save('{filepath.rsplit('.', 1)[0]}.keras')`. Received: "
                         f"filepath={filepath}.")
    if not filepath.endswith(".keras"):
        raise ValueError(
            "Invalid filepath extension for saving. Please add either a `.keras` extension for "
            "the native Keras format (recommended) or a `.h5` extension. Use "
            "`model.export(filepath)` if you want to export a SavedModel for use with "
            f"TFLite/TFServing/etc. Received: filepath={filepath}.")
    if os.path.exists(filepath) and not overwrite and not _ask_to_proceed(filepath):
        return
    members = model_archive_members(model)
    if not include_optimizer:
        members["model.weights.h5"] = weights_bytes(model, include_optimizer=False)
    file_io.atomic_write(filepath, lambda f: file_io.write_keras_archive(f, members))


def _parse_json(data, path, member):
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise file_io.corrupt(path, f"member {member!r} is not valid JSON ({error}).") from None


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a ``.keras`` file: data only (no pickle, no imports named by the file).

    A Python lambda inside (a `Lambda` layer's bytecode) is refused unless ``safe_mode=False``.
    """
    filepath = os.fspath(filepath)
    if filepath.endswith((".h5", ".hdf5")):
        raise ValueError("tapeflow does not load the legacy H5 model format (it can carry "
                         "Python bytecode that runs on load); re-save the model with Keras 3 "
                         f"as `.keras`. Received: filepath={filepath}.")
    if not filepath.endswith(".keras"):
        raise ValueError(
            f"File format not supported: filepath={filepath}. Keras 3 only supports V3 "
            "`.keras` files, legacy H5 format files (`.h5` extension). Note that the legacy "
            "SavedModel format is not supported by `load_model()` in Keras 3. In order to "
            "reload a TensorFlow SavedModel as an inference-only layer in Keras 3, use "
            f"`keras.layers.TFSMLayer({filepath}, call_endpoint='serving_default')` (note that "
            "your `call_endpoint` might have a different name).")
    if not os.path.isfile(filepath):
        raise ValueError(f"File not found: filepath={filepath}. Please ensure the file is an "
                         "accessible `.keras` zip file.")
    members = file_io.read_keras_archive(filepath)
    config = _parse_json(members["config.json"], filepath, "config.json")
    if "metadata.json" in members:
        _parse_json(members["metadata.json"], filepath, "metadata.json")
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise file_io.corrupt(filepath, "config.json does not describe a Keras object.")
    if not compile:
        config = dict(config)
        config.pop("compile_config", None)
    model = sl.deserialize_keras_object(config, custom_objects, safe_mode=safe_mode)
    load_weights_from_bytes(model, members["model.weights.h5"], filepath)
    return model


# ================================= weights only ================================================
def save_weights(model, filepath, overwrite=True, **kwargs):
    """Writes the weights (and optimizer state) to a ``.weights.h5`` file, atomically."""
    filepath = os.fspath(filepath)
    if kwargs.get("max_shard_size") is not None:
        raise ValueError("tapeflow does not write sharded weights (`max_shard_size`).")
    if not filepath.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: "
                         f"filepath={filepath}")
    if os.path.exists(filepath) and not overwrite and not _ask_to_proceed(filepath):
        return
    data = weights_bytes(model)
    file_io.atomic_write_bytes(filepath, data)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Loads weights from a ``.weights.h5`` or ``.keras`` file into a built model."""
    filepath = os.fspath(filepath)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    if filepath.endswith(".keras"):
        if not os.path.isfile(filepath):
            raise ValueError(f"File not found: filepath={filepath}. Please ensure the file is "
                             "an accessible `.keras` zip file.")
        data = file_io.read_keras_archive(filepath)["model.weights.h5"]
    elif filepath.endswith(".weights.h5"):
        if not os.path.isfile(filepath):
            raise FileNotFoundError(f"No such weights file: {filepath!r}.")
        data = file_io.read_file(filepath, file_io.MAX_WEIGHTS_BYTES, "a weights file")
    else:
        raise ValueError(
            f"File format not supported: filepath={filepath}. Keras 3 only supports V3 "
            "`.keras` files, `.weights.h5` files, legacy H5 format files (`.h5` extension), "
            "or Orbax checkpoints.")
    load_weights_from_bytes(model, data, filepath, skip_mismatch=skip_mismatch)


# ================================= JSON ========================================================
def to_json(model, **kwargs):
    """The model's config as a JSON string (``model.to_json()``)."""
    return json.dumps(sl.serialize_keras_object(model), **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A new (untrained) model from `to_json`'s string; same allow-list as load_model."""
    try:
        config = json.loads(json_string)
    except (ValueError, RecursionError) as error:
        raise ValueError(f"model_from_json: the string is not valid JSON ({error}).") from None
    return sl.deserialize_keras_object(config, custom_objects=custom_objects)
