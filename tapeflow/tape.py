"""Recording state: the stack of active tapes and what each recorded.

An op asks ``if active:`` (the hot-path check) and, only then, calls ``record``. A tape records
an op when one of its inputs is watched -- a watched source or something computed from one --
so a gradient never walks records that cannot reach a source.
"""

# The recording tapes, innermost last. Empty almost always: that is the fast path.
active = []


class Record:
    """One recorded op: its VJP, inputs, output(s) and saved attributes.

    ``needs`` is filled in by the backward walk: which inputs want a gradient.
    """

    __slots__ = ("vjp", "inputs", "out", "attrs", "needs")

    def __init__(self, vjp, inputs, out, attrs):
        self.vjp = vjp
        self.inputs = inputs
        self.out = out
        self.attrs = attrs
        self.needs = None

    @property
    def outputs(self):
        return self.out if type(self.out) is tuple else (self.out,)


class TapeState:
    """What one GradientTape holds: its records and the ids it tracks."""

    __slots__ = ("records", "watched", "variables", "watch_accessed_variables")

    def __init__(self, watch_accessed_variables=True):
        self.records = []
        self.watched = {}  # id -> object, keeps the object alive so the id stays unique
        self.variables = {}  # id -> Variable, in the order first watched
        self.watch_accessed_variables = watch_accessed_variables

    def watch(self, x):
        if _differentiable(x):
            self.watched[id(x)] = x

    def watch_variable(self, v):
        # Listed by watched_variables() whatever its dtype (as TF); tracked only if it can
        # have a gradient.
        self.variables.setdefault(id(v), v)
        if _differentiable(v):
            self.watched[id(v)] = v


def _differentiable(x):
    return x._value.dtype.kind in "fc"


def record(vjp, inputs, out, attrs=None):
    """Record an op on every active tape that watches one of its inputs."""
    for state in active:
        watched = state.watched
        for x in inputs:
            if id(x) in watched:
                break
        else:
            continue
        if type(out) is not tuple:  # the common case: one output
            if out._value.dtype.kind in "fc":
                state.records.append(Record(vjp, inputs, out, attrs))
                watched[id(out)] = out
            continue
        outs = [o for o in out if _differentiable(o)]
        if outs:
            state.records.append(Record(vjp, inputs, out, attrs))
            for o in outs:
                watched[id(o)] = o


def record_read(variable, tensor, vjp):
    """A trainable variable was read: auto-watch it and record the read."""
    for state in active:
        watched = state.watched
        if id(variable) not in watched and state.watch_accessed_variables and \
                variable.trainable:
            state.watch_variable(variable)
        if id(variable) in watched:
            state.records.append(Record(vjp, (variable,), tensor, None))
            watched[id(tensor)] = tensor


class paused:
    """Context manager: stop recording on ``states`` (default: all tapes) for a while."""

    def __init__(self, states=None):
        self._states = states

    def __enter__(self):
        self._saved = list(active)
        if self._states is None:
            active.clear()
        else:
            active[:] = [s for s in active if s not in self._states]
        return self

    def __exit__(self, *exc):
        active[:] = self._saved
        return False
