"""Keras 3 configs of models and of the layers whose config needs the saver's help.

* Sequential: ``{"name", "trainable", "dtype", "layers": [InputLayer?, ...], "build_input_shape"}``;
* Functional: every layer with its ``name`` and ``inbound_nodes`` (each call's args, with
  KerasTensors written as ``{"class_name": "__keras_tensor__", "config": {"shape", "dtype",
  "keras_history": [layer name, node index, tensor index]}}``), plus ``input_layers`` and
  ``output_layers`` -- Keras's ``functional_from_config`` format, rebuilt here by replaying the
  calls on new layers;
* Lambda: the function as a registered/built-in function entry or, for a Python lambda, Keras's
  ``__lambda__`` entry (marshalled bytecode, refused on load unless ``safe_mode=False``);
* the compile configuration (optimizer, loss, metrics ...), rebuilt and compiled on load.
"""
import inspect

from tapeflow.keras.saving import serialization_lib as sl


def _keras():
    from tapeflow.keras import layers, models
    from tapeflow.keras.layers import core, input_layer
    return layers, models, core, input_layer


# ================================= writing ===================================================
def serialize_special(obj):
    """Configs tapeflow's own get_config cannot give in Keras's form; None for the rest."""
    _, models, core, input_layer = _keras()
    if type(obj) is core.OpLayer:
        raise ValueError(
            f"Layer '{obj.name}' comes from arithmetic or indexing written on KerasTensors "
            "(`x + 1`, `x[:, 0]`): it wraps a Python function and cannot be saved. Use layers "
            "instead (keras.layers.Add, Rescaling, Lambda with a registered function).")
    if isinstance(obj, models.Sequential):
        return _with_meta(obj, _sequential_config(obj))
    if isinstance(obj, models.Functional):
        return _with_meta(obj, functional_config(obj))
    if isinstance(obj, input_layer.InputLayer):
        return {"module": "keras.layers", "class_name": "InputLayer",
                "config": _input_layer_config(obj), "registered_name": None}
    if isinstance(obj, core.Lambda) and type(obj) is core.Lambda:
        config = obj.get_config()
        config["function"] = _function_entry(obj.function)
        if callable(config.get("output_shape")):
            config["output_shape"] = _function_entry(config["output_shape"])
        config["arguments"] = sl.serialize_keras_object(config.get("arguments") or {})
        out = {"module": "keras.layers", "class_name": "Lambda",
               "config": sl.serialize_dict(config), "registered_name": None}
        return sl.add_build_and_compile_config(obj, out)
    return None


def _function_entry(fn):
    entry = sl.serialize_keras_object(fn)
    if entry.get("class_name") == "__lambda__":
        code, defaults, closure = entry["config"]["value"]
        return {"class_name": "__lambda__",
                "config": {"code": code, "defaults": defaults, "closure": closure}}
    return entry


def _input_layer_config(layer):
    return {"batch_shape": list(layer.batch_shape), "dtype": layer.dtype,
            "sparse": bool(layer.sparse), "ragged": False, "name": layer.name,
            "optional": bool(getattr(layer, "optional", False))}


def _dtype_policy(layer):
    return {"module": "keras", "class_name": "DTypePolicy",
            "config": {"name": getattr(layer, "dtype", None) or "float32"},
            "registered_name": None}


def _with_meta(model, config):
    from tapeflow.keras.saving import object_registration as reg
    _, models, _, _ = _keras()
    cls = type(model)
    from tapeflow.keras.models import model as model_mod
    for user_cls, derived in getattr(model_mod, "_FUNCTIONAL_SUBCLASSES", {}).items():
        if derived is cls:  # CustomModel(inputs, outputs): save it as the user's class
            cls = user_cls
    registered = reg.GLOBAL_CUSTOM_NAMES.get(cls)
    if cls is models.Sequential:
        out = {"module": "keras", "class_name": "Sequential", "config": config,
               "registered_name": None}
    elif cls is models.Functional:
        out = {"module": "keras.src.models.functional", "class_name": "Functional",
               "config": config, "registered_name": "Functional"}
    else:
        out = {"module": cls.__module__, "class_name": cls.__name__, "config": config,
               "registered_name": registered or cls.__name__}
    shapes = getattr(model, "_build_shapes", None)
    if isinstance(model, models.Functional):
        out["build_config"] = {"input_shape": None}
    elif shapes is not None:
        out["build_config"] = {"input_shape": sl.serialize_keras_object(shapes)}
    compile_config = get_compile_config(model)
    if compile_config is not None:
        out["compile_config"] = compile_config
    return out


def _sequential_config(model):
    layer_configs = []
    if model._input_layer is not None:
        layer_configs.append(sl.serialize_keras_object(model._input_layer))
    layer_configs += [sl.serialize_keras_object(layer) for layer in model.layers]
    config = {"name": model.name, "trainable": model.trainable, "dtype": _dtype_policy(model),
              "layers": layer_configs}
    if model._input_layer is not None:
        config["build_input_shape"] = list(model._input_layer.batch_shape)
    return config


def functional_config(model):
    """Keras 3's functional config: the layers, how each was called, the inputs and outputs."""
    model_nodes = {id(n) for nodes in model._nodes_by_depth.values() for n in nodes}
    node_index_map = {}  # (layer id, original index) -> index among this model's nodes
    for layer in model.layers:
        kept = 0
        for i, node in enumerate(layer._inbound_nodes):
            if id(node) in model_nodes:
                node_index_map[(id(layer), i)] = kept
                kept += 1

    def tensor_entry(kt):
        op, node_index, tensor_index = kt._keras_history
        return {"class_name": "__keras_tensor__", "config": {
            "shape": list(kt.shape), "dtype": kt.dtype,
            "keras_history": [op.name, node_index_map.get((id(op), node_index), node_index),
                              tensor_index]}}

    def convert(value):
        from tapeflow.keras.layers import input_layer
        if isinstance(value, input_layer.KerasTensor):
            return tensor_entry(value)
        if isinstance(value, (list, tuple)):
            return [convert(v) for v in value]
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        return sl.serialize_keras_object(value)

    layer_configs = []
    for layer in model.layers:
        entry = dict(sl.serialize_keras_object(layer))
        entry["name"] = layer.name
        nodes = []
        for node in layer._inbound_nodes:
            if id(node) in model_nodes and node.call_args:
                nodes.append({"args": convert(list(node.call_args)),
                              "kwargs": convert(dict(node.call_kwargs))})
        entry["inbound_nodes"] = nodes
        layer_configs.append(entry)

    def history(kt):
        op, node_index, tensor_index = kt._keras_history
        return [op.name, node_index_map.get((id(op), node_index), node_index), tensor_index]

    def structure(struct):
        from tapeflow.keras.layers import input_layer
        if isinstance(struct, input_layer.KerasTensor):
            return history(struct)
        if isinstance(struct, dict):
            return {k: structure(v) for k, v in struct.items()}
        return [structure(v) for v in struct]

    return {"name": model.name, "trainable": model.trainable, "layers": layer_configs,
            "input_layers": structure(model._inputs_struct),
            "output_layers": structure(model._outputs_struct)}


def get_compile_config(model):
    """The compile arguments as Keras 3 writes them, or None for an uncompiled model."""
    if not getattr(model, "compiled", False) or getattr(model, "optimizer", None) is None:
        return None
    own = getattr(model, "get_compile_config", None)
    if own is not None:
        config = own()
        return sl.serialize_dict(config) if config is not None else None
    compile_loss = getattr(model, "_compile_loss", None)
    compile_metrics = getattr(model, "_compile_metrics", None)
    loss_weights = compile_loss._spec[1] if compile_loss is not None else None
    metrics, weighted = compile_metrics._spec if compile_metrics is not None else (None, None)
    return sl.serialize_dict({
        "optimizer": model.optimizer, "loss": getattr(model, "loss", None),
        "loss_weights": loss_weights, "metrics": metrics, "weighted_metrics": weighted,
        "run_eagerly": False, "steps_per_execution": getattr(model, "steps_per_execution", 1),
        "jit_compile": False})


# ================================= reading ===================================================
def instantiate(cls, config, custom_objects, safe_mode):
    """Models, InputLayer and Lambda rebuilt from their Keras configs; None for other classes."""
    _, models, core, input_layer = _keras()
    if not inspect.isclass(cls):
        return None
    inner = config.get("config") or {}
    if issubclass(cls, models.Sequential):
        return _sequential_from_config(cls, inner, custom_objects, safe_mode)
    if "input_layers" in inner and "output_layers" in inner and issubclass(cls, models.Model):
        return functional_from_config(cls, inner, custom_objects, safe_mode)
    if cls is input_layer.InputLayer:
        kwargs = {k: v for k, v in inner.items() if k in ("batch_shape", "dtype", "sparse",
                                                          "name", "optional", "shape",
                                                          "batch_size", "input_shape",
                                                          "batch_input_shape")}
        if isinstance(kwargs.get("dtype"), dict):
            kwargs["dtype"] = kwargs["dtype"].get("config", {}).get("name")
        return cls(**kwargs)
    if cls is core.Lambda:
        return _lambda_from_config(cls, inner, custom_objects, safe_mode)
    return None


def _lambda_from_config(cls, inner, custom_objects, safe_mode):
    inner = dict(inner)
    for key in ("function", "output_shape", "mask"):
        value = inner.get(key)
        if isinstance(value, dict) and value.get("class_name") == "__lambda__":
            if safe_mode:
                raise ValueError(sl.LAMBDA_LAYER_MESSAGE)
            body = value.get("config") or {}
            if "code" in body:
                inner[key] = sl.func_load(body["code"], body.get("defaults"), body.get("closure"))
            else:
                inner[key] = sl.func_load(body["value"])
        elif sl.is_object_config(value):
            inner[key] = sl.deserialize_keras_object(value, custom_objects, safe_mode=safe_mode)
    inner["arguments"] = sl.resolve_nested(inner.get("arguments") or {}, custom_objects,
                                           safe_mode)
    inner.pop("mask", None)
    if isinstance(inner.get("dtype"), dict):
        inner["dtype"] = inner["dtype"].get("config", {}).get("name")
    return cls(**inner)


def _layer_from_entry(entry, custom_objects, safe_mode):
    entry = {k: v for k, v in entry.items() if k not in ("name", "inbound_nodes")}
    return sl._instantiate(entry, custom_objects, safe_mode)


def _sequential_from_config(cls, inner, custom_objects, safe_mode):
    model = cls(name=inner.get("name"))
    for entry in inner.get("layers", []):
        layer = _layer_from_entry(entry, custom_objects, safe_mode)
        model.add(layer, rebuild=False)
    shape = inner.get("build_input_shape")
    if model._input_layer is not None:
        model.build(model._input_layer.batch_shape)
    elif isinstance(shape, (list, tuple)) and shape:
        model.build(tuple(shape))
    if inner.get("trainable") is False:
        model.trainable = False
    return model


def _is_history(value):
    return isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) and \
        isinstance(value[1], int) and isinstance(value[2], int)


def functional_from_config(cls, inner, custom_objects, safe_mode):
    """Keras's functional_from_config: make each layer, then replay its calls in order."""
    created = {}
    pending = {}
    order = []
    for entry in inner.get("layers", []):
        name = entry.get("name") or (entry.get("config") or {}).get("name")
        if not isinstance(name, str) or name in created:
            raise ValueError(f"Corrupt functional config: layer name {name!r} is missing or "
                             "repeated.")
        created[name] = _layer_from_entry(entry, custom_objects, safe_mode)
        pending[name] = list(entry.get("inbound_nodes") or [])
        order.append(name)

    def tensor(history):
        name, node_index, tensor_index = history
        layer = created.get(name)
        if layer is None:
            raise ValueError(f"Corrupt functional config: no layer named {name!r}.")
        return layer._inbound_nodes[node_index].output_tensors[tensor_index]

    def replace(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            history = (value.get("config") or {}).get("keras_history")
            if not _is_history(history):
                raise ValueError(f"Corrupt functional config: bad keras_history {history!r}.")
            return tensor(history)
        if isinstance(value, list):
            return [replace(v) for v in value]
        if isinstance(value, dict):
            if sl.is_object_config(value):
                return sl.deserialize_keras_object(value, custom_objects, safe_mode=safe_mode)
            return {k: replace(v) for k, v in value.items()}
        return value

    progress = True
    while progress and any(pending.values()):
        progress = False
        for name in order:
            layer = created[name]
            while pending[name]:
                node = pending[name][0]
                try:
                    args = replace(node.get("args", []))
                    kwargs = replace(node.get("kwargs", {}))
                except IndexError:
                    break  # an input comes from a call not replayed yet
                kwargs = _accepted_kwargs(layer, kwargs)
                layer(*args, **kwargs)
                pending[name].pop(0)
                progress = True
    if any(pending.values()):
        raise ValueError("Corrupt functional config: some layer calls refer to outputs that "
                         "are never produced.")

    def structure(value):
        if _is_history(value):
            return tensor(value)
        if isinstance(value, dict):
            return {k: structure(v) for k, v in value.items()}
        if isinstance(value, list):
            return [structure(v) for v in value]
        raise ValueError(f"Corrupt functional config: bad input/output entry {value!r}.")

    inputs = structure(inner["input_layers"])
    outputs = structure(inner["output_layers"])
    _, models, _, _ = _keras()
    kwargs = {"name": inner.get("name")}
    if inner.get("trainable") is False:
        kwargs["trainable"] = False
    if cls is models.Functional or cls is models.Model:
        return models.Model(inputs, outputs, **kwargs)
    return cls(inputs=inputs, outputs=outputs, **kwargs)


def _accepted_kwargs(layer, kwargs):
    """Keras writes ``mask=None`` and such for every call; drop Nones the call does not take."""
    try:
        params = inspect.signature(layer.call).parameters
    except (TypeError, ValueError):
        return kwargs
    open_kwargs = any(p.kind is p.VAR_KEYWORD for p in params.values())
    return {k: v for k, v in kwargs.items() if v is not None or open_kwargs or k in params}


def restore_build_and_compile(obj, config, custom_objects, safe_mode):
    build_config = config.get("build_config")
    if build_config and not getattr(obj, "built", True) and hasattr(obj, "build_from_config"):
        shape = build_config.get("input_shape")
        if shape is not None:
            _build(obj, shape)
    compile_config = config.get("compile_config")
    if compile_config and hasattr(obj, "compile"):
        compile_from_config(obj, compile_config, custom_objects, safe_mode)


def _to_shape(value):
    if isinstance(value, list) and all(isinstance(d, (int, type(None))) for d in value):
        return tuple(value)
    if isinstance(value, list):
        return [_to_shape(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_shape(v) for k, v in value.items()}
    return value


def _build(obj, shape):
    from tapeflow.keras import models
    shape = _to_shape(shape)
    if isinstance(obj, models.Model) and isinstance(shape, tuple):
        obj.build(shape)
    else:
        obj.build_from_config({"input_shape": shape})


def compile_from_config(model, config, custom_objects=None, safe_mode=True):
    """``model.compile(**config)`` with every entry resolved through the allow-list."""
    from tapeflow.keras import trainer
    if type(model).compile is not trainer.Trainer.compile:
        sl.warn("`compile()` was not called as part of model loading because the model's "
                "`compile()` method is custom. All subclassed Models that have `compile()` "
                "overridden should also override `get_compile_config()` and "
                "`compile_from_config(config)`. Alternatively, you can call `compile()` "
                "manually after loading.")
        return
    kwargs = {}
    for key, kinds in (("optimizer", ("optimizers",)), ("loss", ("losses",)),
                       ("metrics", ("metrics",)), ("weighted_metrics", ("metrics",)),
                       ("loss_weights", None)):
        if key in config:
            kwargs[key] = _compile_entry(config[key], kinds, custom_objects, safe_mode)
    if config.get("steps_per_execution") is not None:
        kwargs["steps_per_execution"] = config["steps_per_execution"]
    model.compile(**kwargs)
    if getattr(model, "built", False) and model.optimizer is not None and \
            not model.optimizer.built and model.trainable_weights:
        model.optimizer.build(model.trainable_weights)


def _compile_entry(value, kinds, custom_objects, safe_mode):
    if isinstance(value, list):
        return [_compile_entry(v, kinds, custom_objects, safe_mode) for v in value]
    if isinstance(value, dict) and not sl.is_object_config(value):
        return {k: _compile_entry(v, kinds, custom_objects, safe_mode) for k, v in value.items()}
    if not sl.is_object_config(value):
        if isinstance(value, str):
            found = reg_lookup(value, custom_objects)
            return found if found is not None else value
        return value
    found = sl.resolve(value, custom_objects, kinds)
    if value["class_name"] == "function":
        return found
    inner = sl.resolve_nested(value.get("config") or {}, custom_objects, safe_mode)
    return sl._from_config(found, inner, custom_objects)


def reg_lookup(name, custom_objects):
    from tapeflow.keras.saving import object_registration as reg
    return reg.get_registered_object(name, custom_objects)
