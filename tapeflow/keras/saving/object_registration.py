"""The allow-list: which names a saved file may resolve to a class or a function.

Loading never imports a module named by a file. A ``class_name`` resolves only through

1. the ``custom_objects`` passed to the loader (and any open ``custom_object_scope``),
2. objects the user registered with ``@register_keras_serializable`` (``'package>Name'``),
3. tapeflow's own modelling classes and functions (layers, models, optimizers, schedules,
   losses, metrics, initializers, regularizers, activations) -- the built-in table below.

Anything else -- ``os.system``, ``keras.utils.get_file``, ``keras.saving.load_model`` -- is simply
not in any table, so it cannot be reached, whatever ``module`` the file claims.

>>> @register_keras_serializable(package="demo")
... def double(x):
...     return 2 * x
>>> get_registered_name(double)
'demo>double'
>>> get_registered_object("demo>double") is double
True
"""
import importlib
import inspect
import threading

GLOBAL_CUSTOM_OBJECTS = {}  # 'package>Name' -> object
GLOBAL_CUSTOM_NAMES = {}  # object -> 'package>Name'
_SCOPE = threading.local()

# Which built-in table a file's "module" hint selects (only a hint: nothing is imported from it).
_KINDS = ("layers", "models", "optimizers", "schedules", "losses", "metrics", "initializers",
          "regularizers", "activations", "constraints")


class CustomObjectScope:
    """``with custom_object_scope({'MyLayer': MyLayer}):`` exposes objects to deserialization."""

    def __init__(self, custom_objects):
        self.custom_objects = dict(custom_objects or {})
        self._backup = None

    def __enter__(self):
        self._backup = dict(getattr(_SCOPE, "objects", {}))
        _SCOPE.objects = dict(self._backup, **self.custom_objects)
        return self

    def __exit__(self, *exc):
        _SCOPE.objects = self._backup


custom_object_scope = CustomObjectScope


def get_custom_objects():
    """The live global dict of registered custom objects (``'package>Name' -> object``)."""
    return GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(package="Custom", name=None):
    """Registers a class or function under ``'package>name'`` so saved files can name it.

    >>> @register_keras_serializable(package="my_package")
    ... class Gain:
    ...     def get_config(self):
    ...         return {}
    >>> get_registered_name(Gain)
    'my_package>Gain'
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"Invalid package name: {package!r}. It must be a string without '>'.")

    def decorator(arg):
        class_name = name if name is not None else arg.__name__
        registered_name = f"{package}>{class_name}"
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg

    return decorator


def get_registered_name(obj):
    """The name ``obj`` was registered under, else its ``__name__``."""
    if obj in GLOBAL_CUSTOM_NAMES:
        return GLOBAL_CUSTOM_NAMES[obj]
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object for ``name`` from custom_objects, the open scope, the registry, or None."""
    for table in (custom_objects or {}, getattr(_SCOPE, "objects", {}), GLOBAL_CUSTOM_OBJECTS,
                  module_objects or {}):
        if name in table:
            return table[name]
    return None


def _user_tables(custom_objects):
    return (custom_objects or {}), getattr(_SCOPE, "objects", {}), GLOBAL_CUSTOM_OBJECTS


def lookup_custom(class_name, registered_name, custom_objects):
    """A user object for this entry: by registered name, then by class name."""
    for table in _user_tables(custom_objects):
        for key in (registered_name, class_name):
            if isinstance(key, str) and key in table:
                return table[key]
    # A registered object written by its bare name, with no package (tapeflow's
    # activations.serialize does so): accepted when exactly one registration has that name.
    if registered_name not in (None, "function", class_name):
        return None
    matches = [v for k, v in GLOBAL_CUSTOM_OBJECTS.items() if k.split(">", 1)[-1] == class_name]
    return matches[0] if len(matches) == 1 else None


# -- the built-in table ------------------------------------------------------------------------
_BUILTINS = {}


def _classes_of(module, base):
    out = {}
    for key, value in vars(module).items():
        if inspect.isclass(value) and issubclass(value, base) and not key.startswith("_"):
            out[key] = value
    return out


def builtins():
    """{kind: {name: object}} of tapeflow's own serializable objects (built once)."""
    if _BUILTINS:
        return _BUILTINS
    from tapeflow.keras import (
        activations,
        initializers,
        layers,
        losses,
        metrics,
        models,
        optimizers,
        regularizers,
    )
    from tapeflow.keras.optimizers import schedules
    layer_table = _classes_of(layers, layers.Layer)
    layer_table.pop("KerasTensor", None)
    model_table = {"Sequential": models.Sequential, "Functional": models.Functional,
                   "Model": models.Model}
    layer_table.update(model_table)
    tables = {
        "layers": layer_table,
        "models": model_table,
        "optimizers": _classes_of(optimizers, optimizers.Optimizer),
        "schedules": _classes_of(schedules, schedules.LearningRateSchedule),
        "losses": {k: v for k, v in losses.ALL_OBJECTS_DICT.items()},
        "metrics": {k: v for k, v in metrics.ALL_OBJECTS_DICT.items()},
        "initializers": dict(initializers.ALL_OBJECTS_DICT),
        "regularizers": dict(regularizers.ALL_OBJECTS_DICT),
        "activations": dict(activations.ALL_OBJECTS_DICT),
    }
    for name in ("mean_squared_error", "mean_absolute_error", "binary_crossentropy",
                 "categorical_crossentropy", "sparse_categorical_crossentropy"):
        tables["metrics"].setdefault(name, getattr(losses, name))
    for fn_name in ("accuracy", "binary_accuracy", "categorical_accuracy",
                    "sparse_categorical_accuracy", "top_k_categorical_accuracy",
                    "sparse_top_k_categorical_accuracy"):
        if hasattr(metrics, fn_name):
            tables["metrics"].setdefault(fn_name, getattr(metrics, fn_name))
    try:
        constraints = importlib.import_module("tapeflow.keras.constraints")
        tables["constraints"] = dict(getattr(constraints, "ALL_OBJECTS_DICT", {}))
    except ImportError:
        tables["constraints"] = {}
    _BUILTINS.update(tables)
    return _BUILTINS


def kinds_for_module(module):
    """The built-in tables a file's ``module`` hint points at (all of them when unknown)."""
    if isinstance(module, str):
        parts = module.replace("keras.src.", "keras.").split(".")
        for kind in sorted(_KINDS, key=lambda k: k != "schedules"):
            if kind in parts:
                if kind == "models":
                    return ("models", "layers")
                return (kind,)
        if module in ("keras", "keras.layers"):
            return ("layers", "models")
    return _KINDS


def _foreign(module):
    """A module hint that is neither Keras's nor tapeflow's: nothing built-in is found there."""
    if module is None or module == "builtins":
        return False
    return not (isinstance(module, str) and
                module.split(".")[0] in ("keras", "tapeflow", "tf_keras", "tensorflow"))


def lookup_builtin(class_name, module=None, kinds=None):
    """A tapeflow object named ``class_name`` in the tables ``module`` (or ``kinds``) selects."""
    if _foreign(module):
        return None
    tables = builtins()
    for kind in kinds or kinds_for_module(module):
        obj = tables.get(kind, {}).get(class_name)
        if obj is not None:
            return obj
    return None


def builtin_kind_of(obj):
    """The first built-in table holding ``obj`` (for writing the Keras 'module' field)."""
    for kind, table in builtins().items():
        for value in table.values():
            if value is obj:
                return kind
    return None
