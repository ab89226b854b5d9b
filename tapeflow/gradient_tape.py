"""tf.GradientTape: record a computation, then ask for gradients, jacobians, or both again."""
import enum
import functools

from tapeflow import autodiff, errors, nest, tape
from tapeflow.backend import xp
from tapeflow.ops import _primitive as P
from tapeflow.ops import manipulation
from tapeflow.tensor import Tensor, convert_to_tensor, is_tensor_like
from tapeflow.variable import UnreadVariable, Variable


class UnconnectedGradients(enum.Enum):
    """What ``gradient`` returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


def _unconnected(value):
    try:
        return UnconnectedGradients(value).value
    except ValueError:
        raise ValueError(f"Unknown value for unconnected_gradients: {value!r}; use 'none' or "
                         "'zero' (tf.UnconnectedGradients.NONE / ZERO).") from None


def _source(v):
    """The variable behind what ``assign`` returned (gradients are keyed by the variable)."""
    return v._parent if type(v) is UnreadVariable else v


class GradientTape:
    """Records operations for automatic differentiation.

    >>> x = convert_to_tensor(3.0)
    >>> with GradientTape() as t:
    ...     t.watch(x)
    ...     y = x * x
    >>> float(t.gradient(y, x))
    6.0
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._state = tape.TapeState(watch_accessed_variables)
        self._recording = False
        self._used = False

    def __enter__(self):
        tape.active.append(self._state)
        self._recording = True
        return self

    def __exit__(self, *exc):
        self._pop()
        return False

    def _pop(self):
        if self._recording:
            if self._state in tape.active:
                tape.active.remove(self._state)
            self._recording = False

    def watch(self, tensor):
        """Track a tensor (or variables, or a nested structure of them) as a source."""
        for t in ((tensor,) if type(tensor) is Tensor else nest.flatten(tensor)):
            if not is_tensor_like(t):
                raise ValueError(f"Passed in object {t!r} of type {type(t).__name__!r}, not "
                                 "tf.Tensor or tf.Variable or ExtensionType.")
            if isinstance(t, Tensor):
                self._state.watch(t)
            else:
                self._state.watch_variable(_source(t))

    def stop_recording(self):
        """Context manager: ops run inside are not recorded on this tape."""
        if not self._recording:
            raise RuntimeError("Tape.stop_recording() can only be used when the tape is "
                               "recording, inside its `with` block.")
        return tape.paused([self._state])

    def reset(self):
        """Forget everything recorded so far (the tape keeps recording if inside ``with``)."""
        if not self._recording:
            raise ValueError("Tape is not recording.")
        recording = self._recording
        self._pop()
        self._state = tape.TapeState(self._watch_accessed)
        if recording:
            self.__enter__()

    def watched_variables(self):
        """The variables this tape watched, in the order they were created (as TF)."""
        return tuple(sorted(self._state.variables.values(), key=lambda v: v._uid))

    def _check_usable(self):
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians)")

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """d(sum of target) / d(sources), in the structure of ``sources``.

        Integer or unwatched sources give None (or zeros with
        ``unconnected_gradients='zero'``).
        """
        self._check_usable()
        if target is None:
            raise TypeError("Argument `target` should be a list or nested structure of Tensors, "
                            "Variables or CompositeTensors to be differentiated, but received "
                            "None.")
        if self._recording and not self._persistent:
            self._pop()  # the gradient's own ops are not recorded on this tape
        unconnected = "none" if unconnected_gradients is UnconnectedGradients.NONE else \
            _unconnected(unconnected_gradients)
        targets = nest.flatten(target)
        # a plain list of sources (the training-loop case) is its own flat form
        plain_list = type(sources) is list and nest._flat(sources)
        flat_sources = sources if plain_list else nest.flatten(sources)
        keys = []
        for s in flat_sources:
            ts = type(s)
            if ts is Tensor or ts is Variable:
                keys.append(id(s))
                continue
            if ts is not UnreadVariable and isinstance(s, Variable):  # Keras's variables
                keys.append(id(s))
                continue
            if not is_tensor_like(s):
                raise ValueError(f"Argument `sources` contains an object of type "
                                 f"{type(s).__name__} ({s!r}); expected tf.Tensor or "
                                 "tf.Variable.")
            keys.append(id(s) if isinstance(s, Tensor) else id(_source(s)))
        if output_gradients is not None:
            seeds_list = nest.flatten(output_gradients)
            if len(seeds_list) != len(targets):
                raise ValueError(f"output_gradients has {len(seeds_list)} entries for "
                                 f"{len(targets)} targets.")
        else:
            seeds_list = [None] * len(targets)
        seeds = {}
        for t, s in zip(targets, seeds_list):
            t = t if isinstance(t, Tensor) else convert_to_tensor(t)
            v = t._value
            if s is not None:
                seed = convert_to_tensor(s, dtype=t.dtype)
                if seed._value.shape != v.shape:
                    raise errors.InvalidArgumentError(
                        f"Mismatch between the shape of output_gradients {seed.shape} and the "
                        f"target {t.shape}: give one gradient of the target's shape per target.")
            elif v.ndim == 0:
                seed = P.scalar(1, v.dtype)
            else:
                seed = P.const(xp.ones(v.shape, v.dtype))
            k = id(t)
            seeds[k] = seed if k not in seeds else seeds[k] + seed
        grads = autodiff.backward(self._state.records, seeds, self._state.watched)
        if not self._persistent:
            self._used = True
            self._state.records = []  # free the recorded values; watched_variables() stays
        out = []
        for s, k in zip(flat_sources, keys):
            g = grads.get(k)
            if g is None and unconnected == "zero":
                v = P.unary(s)._value if isinstance(s, Tensor) else s._value
                g = P.const(xp.zeros(v.shape, v.dtype))
            out.append(g)
        return out if plain_list else nest.pack_sequence_as(sources, out)

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """d target[i...] / d source[j...], shaped target.shape + source.shape."""
        self._check_usable()
        persistent, self._persistent = self._persistent, True
        try:
            target = convert_to_tensor(target)
            flat_sources = nest.flatten(sources)
            n = target._value.size
            rows = [[] for _ in flat_sources]
            for i in range(n):
                seed = xp.zeros(n, target._value.dtype)
                seed[i] = 1
                gs = self.gradient(target, flat_sources,
                                   output_gradients=P.const(seed.reshape(target._value.shape)),
                                   unconnected_gradients=unconnected_gradients)
                for row, g in zip(rows, gs):
                    row.append(g)
        finally:
            self._persistent = persistent
        if not persistent:
            self._used = True
        out = []
        for s, row in zip(flat_sources, rows):
            sv = s._value if not isinstance(s, Tensor) else s._value
            if any(g is None for g in row):
                out.append(None)
                continue
            stacked = manipulation.stack(row) if row else P.const(xp.zeros((0,) + sv.shape,
                                                                          sv.dtype))
            out.append(manipulation.reshape(stacked, target._value.shape + sv.shape))
        return nest.pack_sequence_as(sources, out)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example jacobian: result[b, i..., j...] = d target[b, i...] / d source[b, j...]."""
        target = convert_to_tensor(target)
        sv = source._value
        b = target._value.shape[0]
        if sv.shape[0] != b:
            raise ValueError(f"Need first dimension of target shape ({target.shape}) and "
                             f"source shape ({source.shape}) to match.")
        jac = self.jacobian(target, source, unconnected_gradients)
        if jac is None:
            return None
        t_rest, s_rest = target._value.shape[1:], sv.shape[1:]
        j = manipulation.reshape(jac, [b, -1, b, max(1, int(xp.prod(s_rest)))])
        diag = manipulation.stack([j[i, :, i, :] for i in range(b)])
        return manipulation.reshape(diag, (b,) + t_rest + s_rest)


def custom_gradient(f=None):
    """Decorator: ``f`` returns ``(y, grad_fn)``; the tape uses ``grad_fn`` for d y.

    ``grad_fn(upstream)`` returns one gradient per input; if ``f`` read variables,
    ``grad_fn(upstream, variables=None)`` returns ``(input_grads, variable_grads)``.
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        inputs = [convert_to_tensor(a) if is_tensor_like(a) or not callable(a) else a
                  for a in args]
        inputs = [a for a in inputs if isinstance(a, Tensor)]
        probe = tape.TapeState(watch_accessed_variables=True)
        with tape.paused():
            tape.active.append(probe)
            try:
                y, grad_fn = f(*args, **kwargs)
            finally:
                tape.active.remove(probe)
        variables = list(probe.variables.values())
        for state in tape.active:
            if state.watch_accessed_variables:
                for v in variables:
                    if v.trainable:
                        state.watch_variable(v)
        import inspect  # only custom gradients need it; keeps `import tapeflow` light
        takes_vars = "variables" in inspect.signature(grad_fn).parameters
        if variables and not takes_vars:
            raise TypeError("If using @custom_gradient with a function that uses variables, "
                            "then grad_fn must accept a keyword argument 'variables'.")
        flat_y = [convert_to_tensor(v) for v in nest.flatten(y)]

        def vjp(r, gs):
            gs = list(gs) if isinstance(gs, (list, tuple)) else [gs]
            gs = [g if g is not None else P.const(xp.zeros(o._value.shape, o._value.dtype))
                  for g, o in zip(gs, flat_y)]
            upstream = gs[0] if len(gs) == 1 else gs
            if takes_vars:
                in_grads, var_grads = grad_fn(*([upstream] if len(gs) == 1 else gs),
                                              variables=variables)
            else:
                in_grads, var_grads = grad_fn(*([upstream] if len(gs) == 1 else gs)), []
            in_grads = list(in_grads) if isinstance(in_grads, (list, tuple)) else [in_grads]
            if len(in_grads) != len(inputs):
                raise ValueError(f"custom_gradient function expected to return {len(inputs)} "
                                 f"gradients, but returned {len(in_grads)} instead.")
            return [None if g is None else convert_to_tensor(g)
                    for g in in_grads + list(var_grads)]

        outs = tuple(Tensor(t._value) for t in flat_y)
        if tape.active:
            tape.record(vjp, tuple(inputs) + tuple(variables),
                        outs if len(outs) > 1 else outs[0])
        return nest.pack_sequence_as(y, list(outs))

    return wrapped
