"""Linear algebra: matmul, tensordot, einsum, inv, det, solve, norms."""
from tapeflow import errors
from tapeflow.backend import xp
from tapeflow.ops import _primitive as P
from tapeflow.ops import comparison, elementwise, manipulation, reduction


def _fail(op, text, fix):
    return errors.InvalidArgumentError(errors.op_message(op, text, fix))


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, grad_a=False, grad_b=False,
           name=None):
    """Matrix product of the last two axes; leading (batch) axes broadcast.

    >>> matmul([[1., 2.]], [[3.], [4.]]).numpy()
    array([[11.]], dtype=float32)
    """
    a, b = P.binary(a, b, "MatMul")
    av, bv = a._value, b._value
    ta, tb = transpose_a or adjoint_a, transpose_b or adjoint_b
    if av.ndim == 2 and bv.ndim == 2:
        if ta:
            av = av.T
        if tb:
            bv = bv.T
        if av.shape[1] != bv.shape[0] or av.dtype.kind == "b":
            raise _matmul_error(a, b, ta, tb)
        # ndarray.dot is the same BLAS call as matmul for 2-D, with a third of the overhead.
        return P.emit(av.dot(bv), (a, b), _matmul_vjp, (ta, tb))
    if av.ndim < 2 or bv.ndim < 2:
        raise errors.InvalidArgumentError(errors.op_message(
            "MatMul", f"In[0] and In[1] must be at least rank 2 (matrices), got shapes "
                      f"{list(av.shape)} and {list(bv.shape)}",
            "reshape vectors to matrices, e.g. tf.reshape(v, (-1, 1)), or use tf.linalg.matvec "
            "or tf.tensordot."))
    if ta:
        av = xp.swapaxes(av, -1, -2)
    if tb:
        bv = xp.swapaxes(bv, -1, -2)
    if av.shape[-1] != bv.shape[-2]:
        raise _matmul_error(a, b, ta, tb)
    try:
        out = xp.matmul(av, bv)
    except ValueError:
        raise _fail("BatchMatMulV2", f"batch dimensions of In[0]: {list(a._value.shape)} and "
                                     f"In[1]: {list(b._value.shape)} do not broadcast",
                    "make the leading dimensions equal or 1.") from None
    return P.emit(out, (a, b), _matmul_vjp, (ta, tb))


def _matmul_error(a, b, ta, tb):
    return _fail("MatMul", f"Matrix size-incompatible: In[0]: {list(a._value.shape)}, "
                           f"In[1]: {list(b._value.shape)}"
                           f"{' (transpose_a)' if ta else ''}{' (transpose_b)' if tb else ''}",
                 "the inner dimensions must agree: (m, k) @ (k, n).")


def _matmul_vjp(r, g):
    a, b = r.inputs
    ta, tb = r.attrs
    gv, av, bv = g._value, a._value, b._value
    mm = _mm2 if gv.ndim == 2 and av.ndim == 2 and bv.ndim == 2 and \
        gv.dtype == av.dtype == bv.dtype else _mm
    ga = gb = None
    if r.needs[0]:
        ga = mm(b, g, tb, True) if ta else mm(g, b, False, not tb)
    if r.needs[1]:
        gb = mm(g, a, True, ta) if tb else mm(a, g, not ta, False)
    return ga, gb


def _mm(x, y, ta, tb):
    return matmul(x, y, transpose_a=ta, transpose_b=tb)


def _mm2(x, y, ta, tb):
    """matmul's 2-D branch for a gradient, whose operands are already checked tensors of one
    dtype and agreeing shapes (the same dot, the same record)."""
    xv, yv = x._value, y._value
    return P.emit((xv.T if ta else xv).dot(yv.T if tb else yv), (x, y), _matmul_vjp, (ta, tb))


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    x = P.unary(a)
    nd = x._value.ndim
    if nd < 2:
        raise ValueError(f"matrix_transpose: input must be at least rank 2, got shape {x.shape}.")
    return manipulation.transpose(x, list(range(nd - 2)) + [nd - 1, nd - 2])


adjoint = matrix_transpose


def tensordot(a, b, axes, name=None):
    """Sum products over ``axes`` of a and b (an int N: last N of a with first N of b)."""
    a, b = P.binary(a, b, "Tensordot")
    na, nb = a._value.ndim, b._value.ndim
    if isinstance(axes, int) or (hasattr(axes, "ndim") and getattr(axes, "ndim") == 0):
        n = int(axes)
        ax_a, ax_b = list(range(na - n, na)), list(range(n))
    else:
        ax_a, ax_b = axes
        ax_a = [x % na for x in ([ax_a] if isinstance(ax_a, int) else P.int_list(ax_a, "", ""))]
        ax_b = [x % nb for x in ([ax_b] if isinstance(ax_b, int) else P.int_list(ax_b, "", ""))]
    free_a = [i for i in range(na) if i not in ax_a]
    free_b = [i for i in range(nb) if i not in ax_b]
    sa, sb = a._value.shape, b._value.shape
    if [sa[i] for i in ax_a] != [sb[i] for i in ax_b]:
        raise _fail("Tensordot", f"contracted dimensions {[sa[i] for i in ax_a]} of a and "
                                 f"{[sb[i] for i in ax_b]} of b differ",
                    "contract axes of equal size.")
    k = 1
    for i in ax_a:
        k *= sa[i]
    a2 = manipulation.reshape(manipulation.transpose(a, free_a + ax_a), [-1, k])
    b2 = manipulation.reshape(manipulation.transpose(b, ax_b + free_b), [k, -1])
    out = matmul(a2, b2)
    return manipulation.reshape(out, [sa[i] for i in free_a] + [sb[i] for i in free_b])


def _parse_einsum(equation, shapes):
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, out = eq.split("->")
    else:
        lhs = eq
        letters = [c for c in lhs if c.isalpha()]
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
        out = ("..." if "..." in lhs else "") + out
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum: equation {equation!r} names {len(ins)} inputs, got "
                         f"{len(shapes)}.")
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used]
    nell = max([len(s) - (len(t) - 3) for t, s in zip(ins, shapes) if "..." in t] + [0])
    ell = "".join(spare[:nell])
    ins = [t.replace("...", ell[nell - (len(s) - (len(t) - 3)):]) if "..." in t else t
           for t, s in zip(ins, shapes)]
    out = out.replace("...", ell)
    return ins, out


def einsum(equation, *inputs, **kwargs):
    """Einstein summation (NumPy's notation, ``...`` included)."""
    ts = P.operands(inputs, "Einsum")
    ins, out = _parse_einsum(equation, [t._value.shape for t in ts])
    spec = ",".join(ins) + "->" + out
    try:
        v = xp.einsum(spec, *[t._value for t in ts])
    except ValueError as e:
        raise _fail("Einsum", f"{equation!r} does not fit shapes "
                              f"{[list(t._value.shape) for t in ts]}: {e}",
                    "check that each subscript letter has one size.") from None
    return P.emit(v, tuple(ts), _einsum_vjp, (ins, out))


def _einsum_vjp(r, g):
    ins, out = r.attrs
    grads = []
    for i, x in enumerate(r.inputs):
        if not r.needs[i]:
            grads.append(None)
            continue
        others = [t for j, t in enumerate(r.inputs) if j != i]
        other_subs = [s for j, s in enumerate(ins) if j != i]
        target = ins[i]
        # Letters of input i found nowhere else are broadcast back after the contraction.
        present = set(out).union(*[set(s) for s in other_subs])
        uniq = "".join(dict.fromkeys(c for c in target if c in present))
        gi = einsum(",".join([out] + other_subs) + "->" + uniq, g, *others)
        grads.append(_expand_to(gi, uniq, target, x._value.shape))
    return tuple(grads)


def _expand_to(gi, have, target, shape):
    """Put an einsum gradient over ``have`` letters into the layout of ``target``."""
    letters = list(dict.fromkeys(target))
    sizes = {c: d for c, d in zip(target, shape)}
    order = [have.index(c) for c in letters if c in have]
    gi = manipulation.transpose(gi, order) if order != list(range(len(order))) else gi
    gi = manipulation.reshape(gi, [sizes[c] if c in have else 1 for c in letters])
    gi = manipulation.broadcast_to(gi, [sizes[c] for c in letters])
    if len(letters) == len(target):
        return gi
    # Repeated letters (a diagonal, e.g. 'ii'): scatter the values onto the diagonal.
    idx = xp.indices(shape)
    on_diagonal = xp.ones(shape, dtype=bool)
    for c in letters:
        axes_c = [k for k, t in enumerate(target) if t == c]
        for k in axes_c[1:]:
            on_diagonal &= idx[axes_c[0]] == idx[k]
    positions = xp.argwhere(on_diagonal)
    src = [positions[:, target.index(c)] for c in letters]
    values = manipulation.take(gi, xp.ravel_multi_index(src, [sizes[c] for c in letters]))
    return manipulation.scatter_nd(P.const(positions), values, list(shape))


def _square(x, op):
    s = x._value.shape
    if len(s) < 2 or s[-1] != s[-2]:
        raise _fail(op, f"Input matrix must be square, got shape {list(s)}",
                    "pass [..., n, n] matrices.")


def inv(input, adjoint=False, name=None):  # noqa: A002
    x = P.check_dtype(P.unary(input), "MatrixInverse", P.FLOATS, P.FLOAT_NAMES)
    _square(x, "MatrixInverse")
    try:
        v = xp.linalg.inv(x._value)
    except xp.linalg.LinAlgError:
        raise _fail("MatrixInverse", "Input is not invertible.",
                    "check the matrix is square and non-singular.") from None
    return P.emit(v, (x,), _inv_vjp)


def _inv_vjp(r, g):
    y = r.out
    return (elementwise.negative(matmul(y, matmul(g, y, transpose_b=True), transpose_a=True)),)


def det(input, name=None):  # noqa: A002
    x = P.check_dtype(P.unary(input), "MatrixDeterminant", P.FLOATS, P.FLOAT_NAMES)
    _square(x, "MatrixDeterminant")
    return P.emit(xp.linalg.det(x._value).astype(x._value.dtype), (x,), _det_vjp)


def _det_vjp(r, g):
    scale = manipulation.reshape(elementwise.multiply(g, r.out), list(r.out._value.shape) + [1, 1])
    return (elementwise.multiply(scale, matrix_transpose(inv(r.inputs[0]))),)


def solve(matrix, rhs, adjoint=False, name=None):
    a, b = P.binary(matrix, rhs, "MatrixSolve")
    if adjoint:
        a = matrix_transpose(a)
    _square(a, "MatrixSolve")
    if b._value.ndim < 2 or b._value.shape[-2] != a._value.shape[-1]:
        raise _fail("MatrixSolve", f"Input matrix and rhs are incompatible: matrix "
                                   f"{list(a._value.shape)}, rhs {list(b._value.shape)}",
                    "rhs must be [..., n, k] for an [..., n, n] matrix.")
    try:
        v = xp.linalg.solve(a._value, b._value)
    except xp.linalg.LinAlgError:
        raise _fail("MatrixSolve", "Input matrix is not invertible.",
                    "check the matrix is square and non-singular.") from None
    return P.emit(v, (a, b), _solve_vjp)


def _solve_vjp(r, g):
    a = r.inputs[0]
    gb = solve(matrix_transpose(a), g)
    ga = elementwise.negative(matmul(gb, r.out, transpose_b=True)) if r.needs[0] else None
    return ga, gb


def trace(x, name=None):
    x = P.unary(x)
    return reduction.reduce_sum(diag_part(x), axis=-1)


def diag_part(input, name=None):  # noqa: A002
    x = P.unary(input)
    n = min(x._value.shape[-2:])
    return manipulation._by_position(x, lambda pos: xp.diagonal(pos, 0, -2, -1)[..., :n])


def diag(diagonal, name=None):
    d = P.unary(diagonal)
    n = d._value.shape[-1]
    eye = P.const(xp.eye(n, dtype=d._value.dtype))
    return elementwise.multiply(manipulation.expand_dims(d, -1), eye)


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):  # noqa: A002
    """Vector norms (euclidean/2, 1, inf, any p) and the Frobenius norm over two axes."""
    x = P.unary(tensor)
    keep = bool(keepdims)
    if isinstance(axis, (list, tuple)) and len(axis) == 2 and ord not in ("euclidean", "fro"):
        return _matrix_norm(x, ord, axis, keep)
    if ord in ("euclidean", "fro", 2, 2.0):
        return elementwise.sqrt(reduction.reduce_sum(elementwise.square(x), axis, keep))
    if ord in (1, 1.0):
        return reduction.reduce_sum(elementwise.abs(x), axis, keep)
    if ord in (float("inf"), xp.inf):
        return reduction.reduce_max(elementwise.abs(x), axis, keep)
    p = float(ord)
    if p <= 0:
        raise ValueError(f"norm: ord must be a positive number, 'euclidean' or 'fro', got {ord}.")
    s = reduction.reduce_sum(elementwise.pow(elementwise.abs(x), p), axis, keep)
    return elementwise.pow(s, 1.0 / p)


def _matrix_norm(x, ord, axis, keep):  # noqa: A002
    """Induced matrix norms: 1 is the largest column sum of |x|, inf the largest row sum."""
    rows, cols = (P.axis_index(a, x._value.ndim, "Norm") for a in axis)
    if ord in (1, 1.0):
        summed, over = rows, cols
    elif ord in (float("inf"), xp.inf):
        summed, over = cols, rows
    else:
        raise NotImplementedError(f"norm: matrix norm ord={ord!r} is not implemented yet; use "
                                  "ord='euclidean' (Frobenius), 1 or np.inf.")
    s = reduction.reduce_sum(elementwise.abs(x), summed, keepdims=True)
    out = reduction.reduce_max(s, over, keepdims=True)
    return out if keep else manipulation.squeeze(out, [rows, cols])


def global_norm(t_list, name=None):
    sq = [reduction.reduce_sum(elementwise.square(t)) for t in t_list if t is not None]
    return elementwise.sqrt(elementwise.add_n(sq))


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """Scale t so its L2 norm over ``axes`` is at most ``clip_norm`` (safe at zero)."""
    t = P.unary(t)
    l2sum = reduction.reduce_sum(elementwise.square(t), axes, keepdims=True)
    positive = comparison.greater(l2sum, 0)
    safe = manipulation.where(positive, l2sum, elementwise.ones_like_value(l2sum))
    l2norm = manipulation.where(positive, elementwise.sqrt(safe), l2sum)
    c = P.binary(t, clip_norm, "ClipByNorm")[1]
    return elementwise.divide(elementwise.multiply(t, c), elementwise.maximum(l2norm, c))


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scale every tensor by clip_norm / max(global_norm, clip_norm); returns (list, norm)."""
    t_list = list(t_list)
    norm_ = global_norm(t_list) if use_norm is None else P.unary(use_norm)
    c = P.binary(norm_, clip_norm, "ClipByGlobalNorm")[1]
    one = P.const(xp.asarray(1, norm_._value.dtype))
    scale = elementwise.multiply(c, elementwise.minimum(elementwise.divide(one, norm_),
                                                        elementwise.divide(one, c)))
    if not xp.isfinite(norm_._value):
        scale = P.const(xp.asarray(xp.nan, norm_._value.dtype))
    out = [None if t is None else elementwise.multiply(t, elementwise.cast(scale, P.unary(t).dtype))
           for t in t_list]
    return out, norm_


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None):
    """Matrix times vector: (..., m, n) x (..., n) -> (..., m)."""
    b = P.unary(b)
    out = matmul(a, manipulation.expand_dims(b, -1), transpose_a=transpose_a or adjoint_a)
    return manipulation.squeeze(out, -1)


def band_part(input, num_lower, num_upper, name=None):  # noqa: A002
    """Keep a band of diagonals (num_lower below, num_upper above; -1 means all)."""
    x = P.unary(input)
    m, n = x._value.shape[-2:]
    i, j = xp.arange(m)[:, None], xp.arange(n)[None, :]
    lo, hi = int(num_lower), int(num_upper)
    keep = ((lo < 0) | (i - j <= lo)) & ((hi < 0) | (j - i <= hi))
    return elementwise.multiply(x, P.const(keep.astype(x._value.dtype)))


def polyval(coeffs, x, name=None):
    """coeffs[0] * x**(n-1) + ... + coeffs[n-1], by Horner's rule."""
    x = P.unary(x)
    out = elementwise.zeros_like_value(x)
    for c in coeffs:
        out = elementwise.add(elementwise.multiply(out, x), c)
    return out
