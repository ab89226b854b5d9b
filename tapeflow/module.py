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
        self._scope_name = _variable.scoped_name(name)

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
        """Every attribute value matching ``predicate``, depth first, each object once."""
        seen, out = {id(self)}, []

        def walk(obj, depth):
            items = _children(obj)
            for value in items:
                if id(value) in seen:
                    continue
                if isinstance(value, (_variable.Variable, Module)) or not _is_container(value):
                    seen.add(id(value))
                if predicate(value):
                    out.append(value)
                if isinstance(value, Module):
                    if recursive:
                        walk(value, depth + 1)
                elif _is_container(value):
                    walk(value, depth + 1)
        walk(self, 0)
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


def _is_container(v):
    return isinstance(v, (list, tuple, dict))


def _children(obj):
    if isinstance(obj, Module):
        ignored = getattr(obj, "_TF_MODULE_IGNORED_PROPERTIES", ())
        d = vars(obj)
        return [d[k] for k in sorted(d) if k not in ignored]
    if isinstance(obj, dict):
        return [obj[k] for k in sorted(obj, key=str)]
    if isinstance(obj, (list, tuple)):
        return list(obj)
    return []
