"""tf.Module: a named container that finds its variables and submodules by itself."""
import re

from tapeflow import variable as _variable

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-/]*$")


def _camel_to_snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


class Module:
    """Base class for objects that own Variables (Keras layers build on it).

    Variables and submodules are found by walking attributes, lists, tuples and dicts.

    >>> class Dense(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = _variable.Variable([[1.0]])
    >>> len(Dense().trainable_variables)
    1
    """

    _TF_MODULE_IGNORED_PROPERTIES = frozenset()

    def __init__(self, name=None):
        if name is None:
            name = _camel_to_snake(type(self).__name__)
        elif not _NAME.match(name):
            raise ValueError(f"'{name}' is not a valid module name. Module names must be valid "
                             "Python identifiers (e.g. a valid class name).")
        self._name = name
        self._scope_name = _variable.scoped_name(name) + "/"  # absolute, as TF's

    @property
    def name(self):
        return self._name

    @property
    def name_scope(self):
        return _variable.name_scope(self._scope_name)

    @property
    def variables(self):
        return tuple(self._flatten(lambda x: isinstance(x, _variable.Variable)))

    @property
    def trainable_variables(self):
        return tuple(self._flatten(lambda x: isinstance(x, _variable.Variable) and x.trainable))

    @property
    def non_trainable_variables(self):
        return tuple(self._flatten(lambda x: isinstance(x, _variable.Variable)
                                   and not x.trainable))

    @property
    def submodules(self):
        return tuple(self._flatten(lambda x: isinstance(x, Module)))

    def _flatten(self, predicate, recursive=True):
        """Matching attribute values: a module's own (sorted attributes, containers
        flattened) first, then its submodules' in the order found, each object once (TF's)."""
        seen, out = {id(self)}, []

        def walk(module):
            submodules = []
            for value in _leaves(module):
                if id(value) in seen:
                    continue
                seen.add(id(value))
                if predicate(value):
                    out.append(value)
                if recursive and isinstance(value, Module):
                    submodules.append(value)
            for sub in submodules:
                walk(sub)
        walk(self)
        return out

    @classmethod
    def with_name_scope(cls, method):
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        wrapped.__name__ = method.__name__
        return wrapped

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object at {hex(id(self))}>"


def _leaves(module):
    """The leaves of a module's attributes, sorted by name; lists and dicts are flattened."""
    ignored = getattr(module, "_TF_MODULE_IGNORED_PROPERTIES", ())
    d = vars(module)
    out, stack = [], []
    for key in sorted(d, reverse=True):
        if key not in ignored:
            stack.append(d[key])
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v[k] for k in sorted(v, key=str, reverse=True))
        elif isinstance(v, (list, tuple)):
            stack.extend(reversed(v))
        else:
            out.append(v)
    return out
