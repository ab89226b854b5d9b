"""Reductions (sum, mean, max ...), arg-reductions and cumulative sums."""
from tapeflow import dtypes, errors
from tapeflow.backend import xp
from tapeflow.ops import _primitive as P
from tapeflow.ops import comparison, elementwise, manipulation


def _reduce_args(x, axis, op):
    x = P.unary(x)
    return x, P.axes(axis, x._value.ndim, op)


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else d for i, d in enumerate(shape))


def _broadcast_back(g, r):
    """A reduction's output gradient, spread back over the input's shape."""
    return spread(g, r.inputs[0]._value.shape, r.attrs)


def spread(g, shape, axes, scale=None):
    """``g``, the result of a reduction over ``axes``, broadcast back to ``shape`` (times
    ``scale``): the gradient of sum and mean, as one op. Its own gradient sums back."""
    g = P.unary(g)
    v = g._value
    if scale is not None:
        v = v * scale
    if v.size == 1:  # a full reduction (a loss): fill, cheaper than a broadcast view
        out = xp.empty(shape, v.dtype)
        out.fill(v if v.ndim == 0 else v.reshape(()))
    else:
        out = xp.broadcast_to(v.reshape(_kept_shape(shape, axes)), shape)
    return P.emit(out, (g,), _spread_vjp, (axes, scale))


_add_reduce = xp.add.reduce  # what ndarray.sum calls, without its Python wrapper


def sum_to(g, shape):
    """Sum ``g`` down to ``shape`` (the adjoint of broadcasting), as one op; the backward walk
    un-broadcasts with it. Its own gradient broadcasts back."""
    g = P.unary(g)
    v = g._value
    vshape = v.shape
    if len(vshape) == 2 and len(shape) == 1 and vshape[1] == shape[0]:  # a bias's gradient
        return P.emit(_add_reduce(v, axis=0, dtype=v.dtype), (g,), _sum_to_vjp)
    lead = len(vshape) - len(shape)
    axes = tuple(range(lead))
    for i, d in enumerate(shape):
        if d == 1 and vshape[lead + i] != 1:
            axes += (lead + i,)
    out = _add_reduce(v, axis=axes, keepdims=True, dtype=v.dtype).reshape(shape) if axes \
        else v.reshape(shape)
    return P.emit(out, (g,), _sum_to_vjp)


def _sum_to_vjp(r, gg):
    return (manipulation.broadcast_to(gg, r.inputs[0]._value.shape),)


def _spread_vjp(r, gg):
    axes, scale = r.attrs
    s = manipulation.reshape(reduce_sum(gg, axes), r.inputs[0]._value.shape)
    return (s if scale is None else elementwise.multiply(s, P.scalar(scale, s._value.dtype)),)


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """Sum over ``axis`` (all axes if None).

    >>> reduce_sum([[1, 2], [3, 4]], axis=0).numpy()
    array([4, 6], dtype=int32)
    """
    x, ax = _reduce_args(input_tensor, axis, "Sum")
    P.check_dtype(x, "Sum", P.NUMBERS, P.NUMBER_NAMES)
    v = x._value
    return P.emit(_add_reduce(v, axis=ax, dtype=v.dtype, keepdims=keepdims), (x,), _sum_vjp,
                  ax)


def _sum_vjp(r, g):
    return (_broadcast_back(g, r),)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """The mean over ``axis``. Integer tensors stay integer (truncating), as TF."""
    x, ax = _reduce_args(input_tensor, axis, "Mean")
    P.check_dtype(x, "Mean", P.NUMBERS, P.NUMBER_NAMES)
    v = x._value
    if v.dtype.kind in "iu":
        count = max(1, _count(v.shape, ax))
        s = xp.sum(v, axis=ax, keepdims=keepdims, dtype=v.dtype)
        return P.const((xp.sign(s) * (xp.abs(s) // count)).astype(v.dtype))
    # sum / count, as TF's Mean kernel (and a fifth of NumPy's mean's Python overhead)
    s = _add_reduce(v, axis=ax, dtype=v.dtype, keepdims=keepdims)  # ndarray.sum's kernel
    return P.emit(s / v.dtype.type(_count(v.shape, ax)), (x,), _mean_vjp, ax)


def _count(shape, axes):
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def _mean_vjp(r, g):
    shape = r.inputs[0]._value.shape
    return (spread(g, shape, r.attrs, 1 / max(1, _count(shape, r.attrs))),)


def _extreme(kernel, op):
    def reduce(input_tensor, axis=None, keepdims=False, name=None):
        x, ax = _reduce_args(input_tensor, axis, op)
        if x._value.size == 0 and any(x._value.shape[a] == 0 for a in ax):
            info = xp.finfo if x._value.dtype.kind == "f" else xp.iinfo
            fill = info(x._value.dtype).min if op == "Max" else info(x._value.dtype).max
            shape = xp.sum(xp.zeros(x._value.shape), axis=ax, keepdims=keepdims).shape
            if x._value.dtype.kind == "f":
                fill = -xp.inf if op == "Max" else xp.inf
            return P.const(xp.full(shape, fill, x._value.dtype))
        return P.emit(kernel(x._value, axis=ax, keepdims=keepdims), (x,), _extreme_vjp, ax)
    return reduce


reduce_max = _extreme(xp.max, "Max")
reduce_min = _extreme(xp.min, "Min")
reduce_max.__doc__ = "The maximum over ``axis``; the gradient is shared equally among ties."
reduce_min.__doc__ = "The minimum over ``axis``; the gradient is shared equally among ties."


def _extreme_vjp(r, g):
    x = r.inputs[0]
    kept = _kept_shape(x._value.shape, r.attrs)
    y = manipulation.reshape(r.out, kept)
    hits = elementwise.cast(comparison.equal(x, y), x.dtype)
    share = elementwise.divide(hits, reduce_sum(hits, r.attrs, keepdims=True))
    return (elementwise.multiply(_broadcast_back(g, r), share),)


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    x, ax = _reduce_args(input_tensor, axis, "Prod")
    return P.emit(xp.prod(x._value, axis=ax, keepdims=keepdims), (x,), _prod_vjp, ax)


def _prod_vjp(r, g):
    # d prod / d x_i = product of the others: exclusive cumprods from both sides, exact at 0.
    x, ax = r.inputs[0], r.attrs
    nd = x._value.ndim
    rest = [a for a in range(nd) if a not in ax]
    perm = rest + list(ax)
    xt = manipulation.transpose(x, perm)
    flat = manipulation.reshape(xt, [_count(x._value.shape, rest), _count(x._value.shape, ax)])
    others = elementwise.multiply(cumprod(flat, axis=1, exclusive=True),
                                  cumprod(flat, axis=1, exclusive=True, reverse=True))
    others = manipulation.transpose(manipulation.reshape(others, xt._value.shape),
                                    list(xp.argsort(perm)))
    return (elementwise.multiply(_broadcast_back(g, r), others),)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    x, ax = _reduce_args(input_tensor, axis, "Any")
    _require_bool(x, "Any")
    return P.const(xp.any(x._value, axis=ax, keepdims=keepdims))


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    x, ax = _reduce_args(input_tensor, axis, "All")
    _require_bool(x, "All")
    return P.const(xp.all(x._value, axis=ax, keepdims=keepdims))


def _require_bool(x, op):
    if x._value.dtype.kind != "b":
        raise errors.InvalidArgumentError(errors.op_message(
            op, f"cannot compute {op} as input #0(zero-based) was expected to be a bool tensor "
                f"but is a {x.dtype.name} tensor", "compare first, e.g. tf.reduce_any(x > 0)."))


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """log(sum(exp(x))) without overflow: the max is subtracted first."""
    x, ax = _reduce_args(input_tensor, axis, "Logsumexp")
    raw_max = reduce_max(x, ax, keepdims=True)
    finite = elementwise.is_finite(raw_max)
    m = manipulation.stop_gradient(manipulation.where(finite, raw_max,
                                                      elementwise.zeros_like_value(raw_max)))
    out = elementwise.add(elementwise.log(reduce_sum(elementwise.exp(
        elementwise.subtract(x, m)), ax, keepdims=True)), m)
    return out if keepdims else manipulation.reshape(out, [d for i, d in enumerate(
        x._value.shape) if i not in ax])


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    x = P.unary(input_tensor)
    mean = reduce_mean(x, axis, keepdims=True)
    return reduce_mean(elementwise.square(elementwise.subtract(x, mean)), axis, keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    return elementwise.sqrt(reduce_variance(input_tensor, axis, keepdims))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    return elementwise.sqrt(reduce_sum(elementwise.square(input_tensor), axis, keepdims))


def count_nonzero(input, axis=None, keepdims=None, dtype=dtypes.int64, name=None):  # noqa: A002
    x, ax = _reduce_args(input, axis, "CountNonzero")
    n = xp.count_nonzero(x._value, axis=ax, keepdims=bool(keepdims))
    return P.const(xp.asarray(n, dtypes.as_dtype(dtype)._np))


def _arg(kernel, op):
    def arg(input, axis=None, output_type=dtypes.int64, name=None):  # noqa: A002
        x = P.unary(input)
        a = P.axis_index(0 if axis is None else axis, x._value.ndim, op)
        v = x._value
        if v.dtype.kind == "f" and v.size and xp.isnan(v.max()):  # max is NaN iff a NaN is in
            # TF skips NaNs (argmax([1, nan, 3]) is 2); NumPy would stop at the NaN.
            v = xp.where(xp.isnan(v), -xp.inf if op == "ArgMax" else xp.inf, v)
        out = kernel(v, axis=a).astype(dtypes.as_dtype(output_type)._np, copy=False)
        return P.const(out)
    return arg


argmax = _arg(xp.ndarray.argmax, "ArgMax")  # the methods: a third of the functions' overhead
argmin = _arg(xp.ndarray.argmin, "ArgMin")
argmax.__doc__ = "Index of the largest value along ``axis`` (default 0), int64; first of ties."
argmin.__doc__ = "Index of the smallest value along ``axis`` (default 0), int64; first of ties."


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative sum along ``axis``; ``exclusive`` shifts by one, ``reverse`` runs backwards."""
    x = P.unary(x)
    a = P.axis_index(axis, x._value.ndim, "Cumsum")
    v = _cumulative(xp.cumsum, x._value, a, exclusive, reverse, 0)
    return P.emit(v, (x,), _cumsum_vjp, (a, exclusive, reverse))


def _cumsum_vjp(r, g):
    a, exclusive, reverse = r.attrs
    return (cumsum(g, a, exclusive=exclusive, reverse=not reverse),)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    x = P.unary(x)
    a = P.axis_index(axis, x._value.ndim, "Cumprod")
    v = _cumulative(xp.cumprod, x._value, a, exclusive, reverse, 1)
    return P.emit(v, (x,), _cumprod_vjp, (a, exclusive, reverse))


def _cumprod_vjp(r, g):
    a, exclusive, reverse = r.attrs
    x = r.inputs[0]
    s = cumsum(elementwise.multiply(r.out, g), a, exclusive=exclusive, reverse=not reverse)
    return (elementwise.divide(s, x),)


def _cumulative(kernel, v, axis, exclusive, reverse, identity):
    if reverse:
        v = xp.flip(v, axis)
    out = kernel(v, axis=axis, dtype=v.dtype)
    if exclusive:
        out = xp.concatenate([xp.full_like(xp.take(out, [0], axis), identity),
                              xp.take(out, xp.arange(out.shape[axis] - 1), axis)], axis)
    return xp.flip(out, axis) if reverse else out
