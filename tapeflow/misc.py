"""The calls tutorials sprinkle around: tf.print, tf.device, tf.cond, tf.map_fn ..."""
import contextlib
import sys

from tapeflow import errors, nest
from tapeflow.backend import xp
from tapeflow.ops import _primitive as P
from tapeflow.ops import manipulation
from tapeflow.tensor import convert_to_tensor, is_tensor_like


def _float_text(x, short, full, cast):
    """TF's FloatToBuffer: the short form if it reads back exactly, else the long one."""
    text = short % x
    return text if cast(float(text)) == x else full % x


def _scalar_text(x, kind):
    if kind == "f":
        if x.dtype.itemsize <= 4:  # float16/32 print as float32 does
            x = xp.float32(x)
            return _float_text(x, "%.6g", "%.9g", xp.float32)
        return _float_text(x, "%.15g", "%.17g", xp.float64)
    if kind == "b":
        return "1" if x else "0"
    if kind == "O":
        return '"' + x.decode("utf-8", "replace") + '"'
    return str(x)


def _array_text(v, summarize):
    """TF's SummarizeValue layout: nested brackets, at most ``summarize`` items each end."""
    kind = v.dtype.kind

    def rec(a, depth):
        n = a.shape[0]
        if 0 <= summarize and n > 2 * summarize:
            idx = list(range(summarize)) + [None] + list(range(n - summarize, n))
        else:
            idx = range(n)
        if a.ndim == 1:
            return "[" + " ".join("..." if i is None else _scalar_text(a[i], kind)
                                  for i in idx) + "]"
        sep = "\n" * (a.ndim - 1) + " " * (depth + 1)
        return "[" + sep.join("..." if i is None else rec(a[i], depth + 1) for i in idx) + "]"
    if v.ndim == 0:
        x = v[()]
        if kind == "O":
            return x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x)
        return _scalar_text(x, kind)
    return rec(v, 0)


def _print_text(x, summarize, top=True):
    if is_tensor_like(x):
        return _array_text(xp.asarray(P.unary(x)._value), summarize)
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_print_text(v, summarize, False)}"
                               for k, v in x.items()) + "}"
    if isinstance(x, (list, tuple)):
        inner = ", ".join(_print_text(v, summarize, False) for v in x)
        return f"[{inner}]" if isinstance(x, list) else f"({inner}{',' if len(x) == 1 else ''})"
    return str(x) if top else repr(x)


_STDERR = sys.stderr


def print(*inputs, output_stream=sys.stderr, summarize=3, sep=" ", end="\n", name=None):  # noqa: A001
    """TF's print: tensors shown as values (``[1 2 3]``, at most ``summarize`` items at each
    end of an axis; -1 for all), to stderr by default, as TF."""
    summarize = 3 if summarize is None else int(summarize)
    text = sep.join(_print_text(x, summarize) for x in inputs) + end
    stream = output_stream
    # The default is the sys.stderr of import time: write to whatever sys.stderr is now
    # (redirections and notebooks replace it).
    if stream is sys.stderr or stream is sys.__stderr__ or stream is _STDERR or \
            stream == "stderr":
        sys.stderr.write(text)
    elif stream is sys.stdout or stream is sys.__stdout__ or stream == "stdout":
        sys.stdout.write(text)
    elif isinstance(stream, str) and stream.startswith("file://"):
        with open(stream[len("file://"):], "a") as f:
            f.write(text)
    elif hasattr(stream, "write"):
        stream.write(text)
    else:
        raise ValueError(f"tf.print: output_stream must be sys.stdout, sys.stderr, a "
                         f"'file://' path or a writable object, got {stream!r}.")


@contextlib.contextmanager
def device(device_name):
    """Accepted for TF code; everything runs on the CPU."""
    yield


@contextlib.contextmanager
def control_dependencies(control_inputs):
    yield


@contextlib.contextmanager
def init_scope():
    yield


def executing_eagerly():
    return True


def is_tensor(x):
    return is_tensor_like(x)


def ensure_shape(x, shape, name=None):
    from tapeflow import shapes
    t = P.unary(x)
    if not t.shape.is_compatible_with(shapes.as_shape(shape)):
        raise errors.InvalidArgumentError(errors.op_message(
            "EnsureShape", f"Shape of tensor {t.shape} is not compatible with expected shape "
                           f"{shapes.as_shape(shape)}.", "reshape the tensor or fix the shape."))
    return t


def cond(pred, true_fn=None, false_fn=None, name=None):
    return true_fn() if bool(P.unary(pred)._value) else false_fn()


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name=None):
    for p, fn in pred_fn_pairs:
        if bool(P.unary(p)._value):
            return fn()
    return default()


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None):
    single = not isinstance(loop_vars, (list, tuple))
    vars_ = [loop_vars] if single else list(loop_vars)
    i = 0
    while bool(P.unary(cond(*vars_))._value):
        if maximum_iterations is not None and i >= int(maximum_iterations):
            break
        out = body(*vars_)
        vars_ = [out] if single else list(out) if isinstance(out, (list, tuple)) else [out]
        i += 1
    return vars_[0] if single else type(loop_vars)(vars_) if isinstance(
        loop_vars, tuple) else vars_


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True,
           swap_memory=False, infer_shape=True, name=None, fn_output_signature=None):
    flat = [P.unary(e) for e in nest.flatten(elems)]
    n = flat[0]._value.shape[0]
    results = []
    for i in range(n):
        item = nest.pack_sequence_as(elems, [f[i] for f in flat])
        results.append(fn(item))
    flat_results = [nest.flatten(r) for r in results]
    stacked = [manipulation.stack([r[j] for r in flat_results]) for j in
               range(len(flat_results[0]))]
    return nest.pack_sequence_as(results[0], stacked)


vectorized_map = map_fn


def py_function(func, inp, Tout, name=None):  # noqa: N803
    out = func(*inp)
    return out if isinstance(out, (list, tuple)) else convert_to_tensor(out)


def numpy_function(func, inp, Tout, stateful=True, name=None):  # noqa: N803
    out = func(*[xp.asarray(P.unary(x)._value) for x in inp])
    if isinstance(out, (list, tuple)):
        return [convert_to_tensor(o) for o in out]
    return convert_to_tensor(out)


def no_op(name=None):
    return None


def group(*inputs, **kwargs):
    return None
