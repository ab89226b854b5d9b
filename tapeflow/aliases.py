"""Import aliases that let unchanged TensorFlow code run on tapeflow.

`tensorflow_aliases()` installs, for the duration of a `with` block only, a meta-path finder that
resolves `tensorflow` (and every `tensorflow.X.Y`) to `tapeflow` (`tapeflow.X.Y`), and `keras`
(`keras.X`) to `tapeflow.keras` (`tapeflow.keras.X`). Outside the block `import tensorflow` and
`import keras` behave exactly as they would without tapeflow: nothing is installed under those
names, and the alias entries are removed from `sys.modules` again when the block ends.

`after_import(name, callback)` is the other hook `tapeflow run` needs: it calls `callback(module)`
right after `name` is first imported (used to patch `matplotlib.pyplot.show` without importing
matplotlib ourselves).

Example:
    >>> from tapeflow import aliases
    >>> with aliases.tensorflow_aliases():
    ...     import tensorflow as tf
    >>> tf.__name__
    'tapeflow'
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Callable, Iterator, Mapping

#: Alias name -> the tapeflow module it stands for.
ALIASES: dict[str, str] = {"tensorflow": "tapeflow", "keras": "tapeflow.keras"}


def _covers(prefix: str, fullname: str) -> bool:
    return fullname == prefix or fullname.startswith(prefix + ".")


class _AliasLoader(importlib.abc.Loader):
    """Loads an alias by importing the real tapeflow module and handing that same object back."""

    def __init__(self, alias: str, target: str) -> None:
        self.alias = alias
        self.target = target
        self._real_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        try:
            module = importlib.import_module(self.target)
        except ModuleNotFoundError as error:
            # Only translate "the tapeflow module itself is missing"; a missing third-party
            # module imported *by* tapeflow keeps its own, more precise error.
            if error.name is None or not _covers(error.name, self.target):
                raise
            raise ModuleNotFoundError(
                f"No module named {self.alias!r}: tapeflow maps it to {self.target!r}, which "
                f"tapeflow does not provide (yet). Use an API tapeflow has, or run this code "
                f"with real TensorFlow.",
                name=self.alias,
            ) from None
        self._real_spec = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        # The import system stamped the alias spec onto the shared module object; give the real
        # module its own spec back so tapeflow's identity (reload, resources) is unchanged.
        if self._real_spec is not None:
            module.__spec__ = self._real_spec


class AliasFinder(importlib.abc.MetaPathFinder):
    """Meta-path finder mapping alias package names onto tapeflow modules (see module doc)."""

    def __init__(self, aliases: Mapping[str, str] = ALIASES) -> None:
        self.aliases = dict(aliases)

    def target_of(self, fullname: str) -> str | None:
        """Returns the tapeflow module name `fullname` stands for, or None if not an alias."""
        for alias, target in self.aliases.items():
            if _covers(alias, fullname):
                return target + fullname[len(alias) :]
        return None

    def find_spec(self, fullname, path=None, target=None):
        real = self.target_of(fullname)
        if real is None:
            return None
        # Every alias name is claimed here, even a missing one, so a real TensorFlow or Keras
        # installed next to tapeflow can never be half-imported into the same program.
        # No origin and no search locations: the import system then leaves the real module's
        # __file__ and __path__ alone (submodules are found through the real __path__).
        return importlib.util.spec_from_loader(fullname, _AliasLoader(fullname, real))


def _is_alias_module(name: str, aliases: Mapping[str, str]) -> bool:
    return any(_covers(alias, name) for alias in aliases)


@contextlib.contextmanager
def tensorflow_aliases(aliases: Mapping[str, str] = ALIASES) -> Iterator[AliasFinder]:
    """Makes `import tensorflow` / `import keras` resolve to tapeflow inside the block.

    Modules already imported under the alias names (a real TensorFlow, say) are set aside for
    the block and put back afterwards; the alias entries the block created are removed.

    Example:
        >>> with tensorflow_aliases():
        ...     from tensorflow.keras.datasets import mnist
        >>> mnist.__name__
        'tapeflow.keras.datasets.mnist'
    """
    finder = AliasFinder(aliases)
    set_aside = {n: m for n, m in sys.modules.items() if _is_alias_module(n, finder.aliases)}
    for name in set_aside:
        del sys.modules[name]
    sys.meta_path.insert(0, finder)
    try:
        yield finder
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if _is_alias_module(n, finder.aliases)]:
            del sys.modules[name]
        sys.modules.update(set_aside)


class _CallbackLoader(importlib.abc.Loader):
    """Wraps a module's real loader and calls `callback(module)` once the module has executed."""

    def __init__(self, loader: importlib.abc.Loader, callback: Callable[[types.ModuleType], None]):
        self._loader = loader
        self._callback = callback

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self._loader.exec_module(module)
        self._callback(module)

    def __getattr__(self, name: str):
        return getattr(self._loader, name)  # get_source, is_package ... of the real loader


class _AfterImportFinder(importlib.abc.MetaPathFinder):
    def __init__(self, name: str, callback: Callable[[types.ModuleType], None]) -> None:
        self.name = name
        self.callback = callback

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _CallbackLoader(spec.loader, self.callback)
                return spec
        return None


@contextlib.contextmanager
def after_import(name: str, callback: Callable[[types.ModuleType], None]) -> Iterator[None]:
    """Calls `callback(module)` when `name` is imported inside the block (at once if it already is).

    Nothing is imported by this function itself, so heavy modules stay unloaded unless the code
    in the block imports them.

    Example:
        >>> seen = []
        >>> with after_import("json", seen.append):
        ...     import json
        >>> seen[0].__name__
        'json'
    """
    if name in sys.modules:
        callback(sys.modules[name])
        yield
        return
    finder = _AfterImportFinder(name, callback)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
