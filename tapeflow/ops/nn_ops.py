"""Neural-network ops: activations, softmax and the numerically stable cross-entropies."""
import math as _math
import weakref

from tapeflow import errors, tape
from tapeflow.backend import xp
from tapeflow.ops import _primitive as P
from tapeflow.ops import comparison, elementwise, linalg, manipulation, reduction

E = elementwise
_active = tape.active  # the recording tapes (a VJP with none of them active may run fused)


def _float(x, op):
    return P.check_dtype(P.unary(x), op, P.FLOATS + "iu", P.NUMBER_NAMES)


def relu(features, name=None):
    """max(x, 0). The gradient at 0 is 0, as TF."""
    x = _float(features, "Relu")
    return P.emit(xp.maximum(x._value, 0).astype(x._value.dtype, copy=False), (x,), _relu_vjp)


def _relu_vjp(r, g):
    return (_relu_grad(g, r.out),)


def _relu_grad(g, y):
    """g where relu's output is positive, else 0 (so relu'(0) = 0): one pass, one op."""
    v = g._value * (y._value > 0)
    return P.emit(v, (g, y), _relu_grad_vjp)


def _relu_grad_vjp(r, gg):
    # Linear in g with the same mask; relu's output only selects, so no gradient flows to it.
    return (_relu_grad(gg, r.inputs[1]) if r.needs[0] else None), None


def relu6(features, name=None):
    """min(max(x, 0), 6); the gradient is 1 strictly inside (0, 6), 0 elsewhere (TF)."""
    x = _float(features, "Relu6")
    return P.emit(xp.clip(x._value, 0, 6).astype(x._value.dtype, copy=False), (x,), _relu6_vjp)


def _relu6_vjp(r, g):
    x = r.inputs[0]
    inside = comparison.logical_and(comparison.greater(x, 0), comparison.less(x, 6))
    return (manipulation.where(inside, g, E.zeros_like_value(g)),)


def elu(features, name=None):
    x = _float(features, "Elu")
    v = x._value
    out = xp.where(v > 0, v, xp.expm1(xp.minimum(v, 0))).astype(v.dtype, copy=False)
    return P.emit(out, (x,), _elu_vjp)


def _elu_vjp(r, g):
    y = r.out
    positive = comparison.greater(y, 0)
    return (manipulation.where(positive, g, E.multiply(g, E.add(y, 1))),)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(features, name=None):
    x = P.unary(features)
    neg = E.multiply(E.expm1(E.minimum(x, 0)), _SELU_ALPHA)
    # x < 0 picks the exponential branch, so selu'(0) is `scale`, as TF's SeluGrad.
    return E.multiply(manipulation.where(comparison.less(x, 0), neg, x), _SELU_SCALE)


def leaky_relu(features, alpha=0.2, name=None):
    x = P.unary(features)
    return manipulation.where(comparison.greater(x, 0), x, E.multiply(x, alpha))


def gelu(features, approximate=False, name=None):
    """x * Phi(x); ``approximate=True`` uses the tanh formula."""
    x = P.unary(features)
    if approximate:
        c = _math.sqrt(2 / _math.pi)
        inner = E.multiply(E.add(x, E.multiply(E.pow(x, 3), 0.044715)), c)
        return E.multiply(E.multiply(x, 0.5), E.add(E.tanh(inner), 1))
    return E.multiply(E.multiply(x, 0.5), E.add(E.erf(E.multiply(x, 1 / _math.sqrt(2))), 1))


def softplus(features, name=None):
    """log(1 + exp(x)), stable for large |x|; its gradient is sigmoid(x)."""
    x = P.check_dtype(P.unary(features), "Softplus", P.FLOATS, P.FLOAT_NAMES)
    v = x._value
    out = (xp.log1p(xp.exp(-xp.abs(v))) + xp.maximum(v, 0)).astype(v.dtype, copy=False)
    return P.emit(out, (x,), _softplus_vjp)


def _softplus_vjp(r, g):
    return (E.multiply(g, E.sigmoid(r.inputs[0])),)


def softsign(features, name=None):
    x = P.unary(features)
    return E.divide(x, E.add(E.abs(x), 1))


def silu(features, beta=1.0, name=None):
    x = P.unary(features)
    return E.multiply(x, E.sigmoid(E.multiply(x, beta) if beta != 1.0 else x))


swish = silu


def log_sigmoid(x, name=None):
    return E.negative(softplus(E.negative(x)))


def _max_keep(v, a):
    """``v.max(axis=a, keepdims=True)``. NumPy reduces a short last axis row by row (6.7 us for
    a 128x10 batch of logits); with many short rows the transposed copy reduces elementwise
    instead (2.7 us). The same values either way: max is exact."""
    n = v.shape[-1] if v.ndim >= 2 and a == v.ndim - 1 else 0
    if 0 < n <= 32 and v.size >= 32 * n and v.flags.c_contiguous:
        m = xp.maximum.reduce(v.reshape(-1, n).T.copy(), axis=0)
        return m.reshape(v.shape[:-1] + (1,))
    return v.max(axis=a, keepdims=True)


# The last softmax over a last axis: (weakref to its logits, shifted logits, exp, row sums).
# A softmax layer's output usually meets a cross-entropy on the very same logits (Keras's
# logits shortcut); that op reuses these arrays instead of computing them again. One entry,
# dropped with its logits; the arrays are never written to. Only for batches up to
# _SOFTMAX_KEEP elements: for a vocabulary-sized softmax the memory matters more.
_last_softmax = [None]
_SOFTMAX_KEEP = 1 << 20


def _forget_softmax(ref):
    entry = _last_softmax[0]
    if entry is not None and entry[0] is ref:
        _last_softmax[0] = None


def softmax(logits, axis=None, name=None):
    """exp(x) / sum(exp(x)) along ``axis`` (default last), max-subtracted for stability."""
    x = P.check_dtype(P.unary(logits), "Softmax", P.FLOATS, P.FLOAT_NAMES)
    a = P.axis_index(-1 if axis is None else axis, x._value.ndim, "Softmax")
    v = x._value
    shifted = v - _max_keep(v, a)
    e = xp.exp(shifted)
    total = xp.add.reduce(e, axis=a, keepdims=True)  # ndarray.sum's kernel, without its wrapper
    if a == v.ndim - 1 and v.size <= _SOFTMAX_KEEP:
        _last_softmax[0] = (weakref.ref(x, _forget_softmax), shifted, e, total)
    return P.emit(e / total, (x,), _softmax_vjp, a)


def _softmax_vjp(r, g):
    y, a = r.out, r.attrs
    inner = reduction.reduce_sum(E.multiply(g, y), a, keepdims=True)
    return (E.multiply(y, E.subtract(g, inner)),)


def log_softmax(logits, axis=None, name=None):
    x = P.check_dtype(P.unary(logits), "LogSoftmax", P.FLOATS, P.FLOAT_NAMES)
    a = P.axis_index(-1 if axis is None else axis, x._value.ndim, "LogSoftmax")
    v = x._value
    shifted = v - _max_keep(v, a)
    out = shifted - xp.log(xp.sum(xp.exp(shifted), axis=a, keepdims=True))
    return P.emit(out, (x,), _log_softmax_vjp, a)


def _log_softmax_vjp(r, g):
    y, a = r.out, r.attrs
    return (E.subtract(g, E.multiply(E.exp(y), reduction.reduce_sum(g, a, keepdims=True))),)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """max(x, 0) - x * z + log(1 + exp(-|x|)): TF's overflow-free form."""
    if labels is None or logits is None:
        raise ValueError("sigmoid_cross_entropy_with_logits needs both labels= and logits=.")
    logits, labels = P.binary(logits, labels, "SigmoidCrossEntropyWithLogits")
    if logits._value.shape != labels._value.shape:
        raise ValueError(f"logits and labels must have the same shape, received "
                         f"({logits.shape} vs {labels.shape}).")
    zeros = E.zeros_like_value(logits)
    cond = comparison.greater_equal(logits, zeros)
    relu_logits = manipulation.where(cond, logits, zeros)
    neg_abs_logits = manipulation.where(cond, E.negative(logits), logits)
    return E.add(E.subtract(relu_logits, E.multiply(logits, labels)),
                 E.log1p(E.exp(neg_abs_logits)))


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """-sum(labels * log_softmax(logits)); gradient softmax - labels, as TF's fused kernel."""
    logits, labels = P.binary(logits, labels, "SoftmaxCrossEntropyWithLogits")
    if logits._value.shape != labels._value.shape:
        raise errors.InvalidArgumentError(errors.op_message(
            "SoftmaxCrossEntropyWithLogits", f"logits and labels must be broadcastable: "
            f"logits_size={list(logits.shape)} labels_size={list(labels.shape)}",
            "give labels the logits' shape (one-hot); for integer class ids use "
            "sparse_softmax_cross_entropy_with_logits."))
    a = P.axis_index(axis, logits._value.ndim, "SoftmaxCrossEntropyWithLogits")
    ls = log_softmax(logits, a)
    loss = -xp.sum(labels._value * ls._value, axis=a)
    return P.emit(loss, (logits, labels), _softmax_xent_vjp, (a, ls))


softmax_cross_entropy_with_logits_v2 = softmax_cross_entropy_with_logits


def _softmax_xent_vjp(r, g):
    logits, labels = r.inputs
    a, ls = r.attrs
    g = manipulation.expand_dims(g, a)
    glogits = E.multiply(g, E.subtract(softmax(logits, a), labels)) if r.needs[0] else None
    glabels = E.multiply(g, E.negative(log_softmax(logits, a))) if r.needs[1] else None
    return glogits, glabels


def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """-log_softmax(logits)[label] for integer class ids; stable for large logits."""
    logits = P.check_dtype(P.unary(logits), "SparseSoftmaxCrossEntropyWithLogits", P.FLOATS,
                           P.FLOAT_NAMES)
    labels = P.unary(labels)
    lv, xv = labels._value, logits._value
    op = "SparseSoftmaxCrossEntropyWithLogits"
    if lv.dtype.kind not in "iu":
        raise errors.InvalidArgumentError(errors.op_message(
            op, f"Value for attr 'Tlabels' of {labels.dtype.name} is not in the list of allowed "
                "values: int32, int64", "labels must be integer class ids; for one-hot labels "
                                        "use softmax_cross_entropy_with_logits."))
    if lv.shape != xv.shape[:-1]:
        raise ValueError(f"Shape mismatch: The shape of labels (received {labels.shape}) should "
                         f"equal the shape of logits except for the last dimension (received "
                         f"{logits.shape}).")
    n = xv.shape[-1]
    # One pass for both bounds: as unsigned, a negative id is huge
    if lv.size and (lv.view(lv.dtype.str.replace("i", "u")) >= n).any():
        bad = lv[(lv < 0) | (lv >= n)].reshape(-1)[0]
        raise errors.InvalidArgumentError(errors.op_message(
            op, f"Received a label value of {bad} which is outside the valid range of [0, {n})."
                f"  Label values: {' '.join(str(v) for v in lv.reshape(-1)[:20].tolist())}",
            f"class ids must lie in [0, {n}): check the labels, or the number of output units."))
    cached = _last_softmax[0]
    if cached is not None and cached[0]() is logits:  # softmax(logits) ran: its arrays
        _, shifted, e, total = cached
    else:
        shifted = xv - _max_keep(xv, xv.ndim - 1)
        e = xp.exp(shifted)
        total = xp.add.reduce(e, axis=-1, keepdims=True)
    # log_softmax at each row's label only: shifted[label] - log(sum), the same values as
    # picking from the whole log_softmax, without computing the rest of it
    if shifted.ndim == 2:  # a batch of rows: pick each row's label directly
        picked = shifted[xp.arange(shifted.shape[0]), lv] - xp.log(total[:, 0])
    else:
        picked = xp.take_along_axis(shifted, lv[..., None].astype(xp.intp), -1)[..., 0] - \
            xp.log(total[..., 0])
    # softmax's own kernels, e / sum(e), need e and its sum: kept for the gradient
    return P.emit(-picked, (logits,), _sparse_xent_vjp, (lv, e, total))


def _sparse_xent_vjp(r, g):
    logits = r.inputs[0]
    lv, e, total = r.attrs
    if not _active:  # nothing records this gradient: the same kernels, in place, no records
        d = e / total
        flat = d.reshape(-1, d.shape[-1])
        flat[xp.arange(flat.shape[0]), lv.reshape(-1)] -= 1  # probs - one_hot, entry by entry
        d *= g._value[..., None]
        return (P.const(d),)
    probs = P.emit(e / total, (logits,), _softmax_vjp, logits._value.ndim - 1)  # softmax(logits)
    hot = manipulation.one_hot(P.const(lv), logits._value.shape[-1], dtype=logits.dtype)
    return (E.multiply(manipulation.expand_dims(g, -1), E.subtract(probs, hot)),)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x**2), epsilon)) along ``axis``."""
    x = P.unary(x)
    axis = dim if axis is None and dim is not None else axis
    sq = reduction.reduce_sum(E.square(x), axis, keepdims=True)
    return E.multiply(x, E.rsqrt(E.maximum(sq, epsilon)))


def bias_add(value, bias, data_format=None, name=None):
    value, bias = P.binary(value, bias, "BiasAdd")
    if bias._value.ndim != 1 or (value._value.ndim and
                                 value._value.shape[-1] != bias._value.shape[0]):
        raise errors.InvalidArgumentError(errors.op_message(
            "BiasAdd", f"Must provide as many biases as the last dimension of the input "
                       f"tensor: {list(bias.shape)} vs. {list(value.shape)}",
            "give a 1-D bias with one entry per channel (last axis)."))
    return E.add(value, bias)


def xw_plus_b(x, weights, biases, name=None):
    """``matmul(x, weights) + biases`` (TF1's tf.compat.v1.nn.xw_plus_b): a Dense layer's
    affine map as one op.

    >>> xw_plus_b([[1., 2.]], [[1.], [1.]], [0.5]).numpy()
    array([[3.5]], dtype=float32)
    """
    return _affine(x, weights, biases, False)


def relu_layer(x, weights, biases, name=None):
    """``relu(matmul(x, weights) + biases)`` (TF1's tf.compat.v1.nn.relu_layer), one op."""
    return _affine(x, weights, biases, True)


def _affine(x, weights, biases, relu_after):
    """One op for what is three (matmul, bias add, relu) when composed: a Dense layer records
    one op a step instead of three, and the bias and relu run in place on the product. The
    same kernels in the same order, so the values are bit for bit the composition's; other
    ranks and dtypes (and every error) go through the composition itself."""
    x, w = P.binary(x, weights, "MatMul")
    b = P.unary(biases)
    xv, wv, bv = x._value, w._value, b._value
    if not (xv.ndim == 2 and wv.ndim == 2 and bv.ndim == 1 and xv.dtype.kind == "f"
            and bv.dtype == xv.dtype and xv.shape[1] == wv.shape[0]
            and bv.shape[0] == wv.shape[1]):
        y = bias_add(linalg.matmul(x, w), b)
        return relu(y) if relu_after else y
    v = xv.dot(wv)
    xp.add(v, bv, out=v)
    if relu_after:
        xp.maximum(v, 0, out=v)
    return P.emit(v, (x, w, b), _affine_vjp, relu_after)


def _affine_vjp(r, g):
    x, w, _ = r.inputs
    if r.attrs:  # relu's gradient first: g where the output is positive (relu'(0) = 0)
        g = _relu_grad(g, r.out)
    gx = linalg._mm2(g, w, False, True) if r.needs[0] else None  # matmul's own VJP products
    gw = linalg._mm2(x, g, True, False) if r.needs[1] else None
    return gx, gw, g  # the bias's gradient is g summed over the batch: the walk's sum_to


def moments(x, axes, shift=None, keepdims=False, name=None):
    x = P.unary(x)
    mean = reduction.reduce_mean(x, axes, keepdims=True)
    var = reduction.reduce_mean(E.square(E.subtract(x, manipulation.stop_gradient(mean))),
                                axes, keepdims=True)
    if not keepdims:
        mean = manipulation.squeeze(mean, axes)
        var = manipulation.squeeze(var, axes)
    return mean, var


def l2_loss(t, name=None):
    """sum(t ** 2) / 2."""
    return E.divide(reduction.reduce_sum(E.square(t)), 2)


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None):
    """Sigmoid cross-entropy with positives weighted by ``pos_weight`` (TF's stable form)."""
    logits, labels = P.binary(logits, labels, "WeightedCrossEntropyWithLogits")
    one = E.ones_like_value(labels)
    log_weight = E.add(E.multiply(labels, E.subtract(pos_weight, 1.0)), one)
    softplus_neg = E.add(E.log1p(E.exp(E.negative(E.abs(logits)))), relu(E.negative(logits)))
    return E.add(E.multiply(E.subtract(one, labels), logits), E.multiply(log_weight, softplus_neg))


# -- convolution and pooling: patches (a flat-position gather) then matmul or a reduction -----
def _pair(v, n=2):
    vals = P.int_list(v, "Conv2D", "size") if not isinstance(v, int) else [v]
    if len(vals) == 1:
        return [vals[0]] * n
    if len(vals) == n + 2:  # NHWC form [1, h, w, 1]
        return vals[1:-1]
    return vals


def _same_pads(size, k, s, d=1):
    k_eff = (k - 1) * d + 1
    out = -(-size // s)
    total = max((out - 1) * s + k_eff - size, 0)
    return total // 2, total - total // 2


def _patches(x, ksize, strides, padding, dilations=(1, 1), fill=0.0):
    """[N, OH, OW, KH*KW*C] windows of an NHWC tensor; gradients flow through ``take``."""
    n, h, w, c = x._value.shape
    kh, kw = ksize
    sh, sw = strides
    dh, dw = dilations
    if isinstance(padding, str) and padding.upper() == "SAME":
        pads = [_same_pads(h, kh, sh, dh), _same_pads(w, kw, sw, dw)]
    elif isinstance(padding, str) and padding.upper() == "VALID":
        pads = [(0, 0), (0, 0)]
    else:
        raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}.")
    pos = xp.arange(x._value.size).reshape(x._value.shape)
    pos = xp.pad(pos, [(0, 0), pads[0], pads[1], (0, 0)], constant_values=x._value.size)
    hp, wp = pos.shape[1], pos.shape[2]
    oh = (hp - ((kh - 1) * dh + 1)) // sh + 1
    ow = (wp - ((kw - 1) * dw + 1)) // sw + 1
    if oh <= 0 or ow <= 0:
        raise errors.InvalidArgumentError(errors.op_message(
            "Conv2D", f"Computed output size would be negative: input {h}x{w}, window {kh}x{kw}",
            "use a smaller window or padding='SAME'."))
    windows = [pos[:, i * dh:i * dh + (oh - 1) * sh + 1:sh, j * dw:j * dw + (ow - 1) * sw + 1:sw, :]
               for i in range(kh) for j in range(kw)]
    idx = xp.stack(windows, axis=3).reshape(n, oh, ow, kh * kw * c)
    flat = manipulation.concat([manipulation.reshape(x, [-1]),
                                P.const(xp.asarray([fill], x._value.dtype))], 0)
    return manipulation.take(flat, idx), (oh, ow)


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None,  # noqa: A002
           name=None):
    """2-D convolution (cross-correlation) of NHWC input with HWIO filters."""
    x = P.check_dtype(P.unary(input), "Conv2D", P.FLOATS, P.FLOAT_NAMES)
    f = P.unary(filters)
    if data_format != "NHWC":
        raise NotImplementedError("conv2d: only data_format='NHWC' is supported on the CPU.")
    kh, kw, cin, cout = f._value.shape
    if x._value.shape[-1] != cin:
        raise errors.InvalidArgumentError(errors.op_message(
            "Conv2D", f"input depth must be evenly divisible by filter depth: "
                      f"{x._value.shape[-1]} vs {cin}", "match the filters' in-channels."))
    patches, (oh, ow) = _patches(x, (kh, kw), _pair(strides), padding,
                                 _pair(dilations) if dilations is not None else (1, 1))
    out = linalg.matmul(manipulation.reshape(patches, [-1, kh * kw * cin]),
                        manipulation.reshape(f, [kh * kw * cin, cout]))
    return manipulation.reshape(out, [x._value.shape[0], oh, ow, cout])


def _pool(input, ksize, strides, padding, reduce, op):  # noqa: A002
    x = P.unary(input)
    kh, kw = _pair(ksize)
    c = x._value.shape[-1]
    fill = -xp.inf if op == "MaxPool" else 0.0
    patches, (oh, ow) = _patches(x, (kh, kw), _pair(strides), padding, fill=fill)
    windows = manipulation.reshape(patches, [x._value.shape[0], oh, ow, kh * kw, c])
    return reduce(windows, (oh, ow))


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    return _pool(input, ksize, strides, padding,
                 lambda w, _: reduction.reduce_max(w, axis=3), "MaxPool")


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Average over each window, counting only real (unpadded) elements, as TF."""
    x = P.unary(input)

    def mean(windows, out_hw):
        ones = P.const(xp.ones(x._value.shape[:3] + (1,), x._value.dtype))
        count_windows, _ = _patches(ones, _pair(ksize), _pair(strides), padding)
        counts = reduction.reduce_sum(count_windows, axis=3, keepdims=True)
        return E.divide(reduction.reduce_sum(windows, axis=3), counts)
    return _pool(x, ksize, strides, padding, mean, "AvgPool")


max_pool = max_pool2d
avg_pool = avg_pool2d
