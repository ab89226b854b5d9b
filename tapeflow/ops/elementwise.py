"""Elementwise math: each op's kernel and its gradient (VJP) side by side.

VJPs are written in tapeflow ops, so they are themselves differentiable (second derivatives
come for free), and never mention broadcasting: the backward walk un-broadcasts once.
"""
import math as _math

from tapeflow import dtypes, errors, tape
from tapeflow.backend import xp
from tapeflow.ops import _primitive as P
from tapeflow.ops import comparison, manipulation
from tapeflow.tensor import Tensor

_F = P.FLOATS
_active = tape.active


# -- arithmetic ------------------------------------------------------------------------------
def add(x, y, name=None):
    """x + y, elementwise with broadcasting (strings concatenate, as TF's Add)."""
    return _arith(xp.add, x, y, "AddV2", _add_vjp)


def _arith(kernel, x, y, op, vjp):
    """The shared body of +, -, *: TF's dtype rule, the kernel, the record -- kept one call
    deep, because these are the hottest ops of every training step."""
    if type(x) is not Tensor or type(y) is not Tensor:
        x, y = P.binary(x, y, op)
    xv, yv = x._value, y._value
    if xv.dtype != yv.dtype:
        raise P.mismatch(op, 1, x.dtype, y.dtype)
    kind = xv.dtype.kind
    if kind not in "iufc":
        if kind == "O" and op == "AddV2":
            return P.const(xp.asarray(_kernel(xp.add, x, y, "Add"), dtype=object))
        raise _no_bool(op, x)
    try:
        v = kernel(xv, yv)
    except ValueError:
        raise P.incompatible(op, x, y) from None
    out = Tensor(v)
    if _active:
        tape.record(vjp, (x, y), out)
    return out


def _kernel(kernel, x, y, op):
    """Run a broadcasting kernel, turning NumPy's shape error into TF's."""
    try:
        return kernel(x._value, y._value)
    except ValueError:
        raise P.incompatible(op, x, y) from None


def _numeric(x, op):
    """Refuse bool and string tensors in arithmetic (TF has no kernel for them)."""
    if x._value.dtype.kind not in "iufc":
        raise _no_bool(op, x)


def _no_bool(op, x):
    return errors.InvalidArgumentError(errors.op_message(
        op, f"Value for attr 'T' of {x.dtype.name} is not in the list of allowed values: "
            f"bfloat16, half, float, double, uint8, uint16, uint32, uint64, int8, int16, "
            f"int32, int64, complex64, complex128",
        "cast first, e.g. tf.cast(x, tf.float32) (or use tf.logical_* for bools)."))


def _add_vjp(r, g):
    return g, g


def add_n(inputs, name=None):
    """The sum of a list of tensors of one shape and dtype."""
    ts = P.operands(inputs, "AddN")
    out = ts[0]
    if len(ts) == 1 and not (isinstance(inputs, (list, tuple)) and out is inputs[0]):
        return P.const(xp.array(out._value))  # converted from the caller's own array: a copy
    for t in ts[1:]:
        out = add(out, t)
    return out


def subtract(x, y, name=None):
    return _arith(xp.subtract, x, y, "Sub", _subtract_vjp)


def _subtract_vjp(r, g):
    return g, (negative(g) if r.needs[1] else None)


def multiply(x, y, name=None):
    return _arith(xp.multiply, x, y, "Mul", _multiply_vjp)


def _multiply_vjp(r, g):
    x, y = r.inputs
    return (multiply(g, y) if r.needs[0] else None), (multiply(g, x) if r.needs[1] else None)


_TRUEDIV_TYPE = {"int8": "float32", "uint8": "float32", "int16": "float32",
                 "uint16": "float32", "int32": "float64", "uint32": "float64",
                 "int64": "float64", "uint64": "float64"}


def divide(x, y, name=None):
    """x / y. Integers are first cast to floats, as TF's truediv: int32 / int32 -> float64.

    A plain ``y`` is converted to x's dtype if it can be; a remaining dtype mismatch is a
    TypeError here (TF's truediv checks before any op runs).
    """
    if type(x) is not Tensor or type(y) is not Tensor:
        x = P._operand(x, None)
        y = P._operand(y, x.dtype)
    if x._value.dtype != y._value.dtype:
        raise TypeError(f"`x` and `y` must have the same dtype, got {x.dtype!r} != {y.dtype!r}."
                        f" Cast one of them, e.g. tf.cast(y, {x.dtype!r}).")
    kind = x._value.dtype.kind
    if kind not in "fc":
        _numeric(x, "RealDiv")
        target = _TRUEDIV_TYPE[x._value.dtype.name]
        x, y = cast(x, target), cast(y, target)
    return realdiv(x, y)


truediv = divide


def realdiv(x, y, name=None):
    x, y = P.binary(x, y, "RealDiv")
    if x._value.dtype.kind not in "fc":
        raise errors.NotFoundError(errors.op_message(
            "RealDiv", f"Could not find device for node: {{{{node RealDiv}}}} = RealDiv["
                       f"T=DT_{x.dtype.name.upper()}]: RealDiv has kernels for floats only",
            "use tf.divide (which casts integers first) or tf.math.floordiv."))
    return P.emit(_kernel(xp.divide, x, y, "RealDiv"), (x, y), _div_vjp)


def _div_vjp(r, g):
    x, y = r.inputs
    gx = divide(g, y) if r.needs[0] else None
    gy = negative(multiply(g, divide(divide(x, y), y))) if r.needs[1] else None
    return gx, gy


def divide_no_nan(x, y, name=None):
    """x / y, and 0 where y is 0. For floats one op: the kernels of the composition
    ``where(y == 0, 0, x / where(y == 0, 1, y))`` (bit for bit), and that composition's
    gradient in ``_divide_no_nan_vjp``; other dtypes run the composition itself."""
    x, y = P.binary(x, y, "DivNoNan")
    xv, yv = x._value, y._value
    if xv.dtype.kind not in _F:
        safe = manipulation.where(comparison.equal(y, 0), xp.ones((), yv.dtype), y)
        return manipulation.where(comparison.equal(y, 0), xp.zeros((), xv.dtype),
                                  divide(x, safe))
    zero = xp.equal(yv, 0)
    if not zero.any():  # the common case: the composition's wheres pass the values through
        try:
            return P.emit(xp.divide(xv, yv), (x, y), _divide_no_nan_vjp, zero)
        except ValueError:
            raise P.incompatible("RealDiv", x, y) from None
    safe = xp.where(zero, P.scalar(1, yv.dtype)._value, yv)  # a cached 0-d one, never written
    try:
        q = xp.divide(xv, safe)
    except ValueError:
        raise P.incompatible("RealDiv", x, y) from None
    return P.emit(xp.where(zero, xp.zeros((), xv.dtype), q), (x, y), _divide_no_nan_vjp, zero)


def _divide_no_nan_vjp(r, g):
    # The composition's backward walk, op for op: the outer where masks g, realdiv's VJP runs
    # on the safe divisor, the inner where masks the divisor's gradient.
    x, y = r.inputs
    zero = r.attrs
    if not _active and not zero.any():  # no zero divisor: both wheres pass values through
        gx = divide(g, y) if r.needs[0] else None
        gy = negative(multiply(g, divide(divide(x, y), y))) if r.needs[1] else None
        return gx, gy
    safe = manipulation.where(zero, P.scalar(1, y._value.dtype), y)  # recorded: 2nd order
    g = manipulation.where(zero, _zeros(g), g)
    gx = divide(g, safe) if r.needs[0] else None
    gy = None
    if r.needs[1]:
        gs = negative(multiply(g, divide(divide(x, safe), safe)))
        gy = manipulation.where(zero, _zeros(gs), gs)
    return gx, gy


def _zeros(t):
    return P.const(xp.zeros(t._value.shape, t._value.dtype))


def floordiv(x, y, name=None):
    """Floor division (rounds toward -inf); integer division by zero raises as TF."""
    x, y = P.binary(x, y, "FloorDiv")
    _numeric(x, "FloorDiv")
    _check_int_division(y, "FloorDiv")
    return P.const(_kernel(xp.floor_divide, x, y, "FloorDiv"))


floor_div = floordiv


def floormod(x, y, name=None):
    """The remainder of floor division; its sign follows y (TF's FloorMod)."""
    x, y = P.binary(x, y, "FloorMod")
    _numeric(x, "FloorMod")
    _check_int_division(y, "FloorMod")
    return P.emit(_kernel(xp.mod, x, y, "FloorMod"), (x, y), _floormod_vjp)


mod = floormod


def _floormod_vjp(r, g):
    x, y = r.inputs
    gy = negative(multiply(g, floor(divide(x, y)))) if r.needs[1] else None
    return g, gy


def truncatediv(x, y, name=None):
    x, y = P.binary(x, y, "TruncateDiv")
    _check_int_division(y, "TruncateDiv")
    if x._value.dtype.kind in "iu":
        return P.const((xp.trunc(x._value / y._value)).astype(x._value.dtype))
    return P.const(xp.trunc(x._value / y._value))


def truncatemod(x, y, name=None):
    x, y = P.binary(x, y, "TruncateMod")
    _check_int_division(y, "TruncateMod")
    return P.const(xp.fmod(x._value, y._value))


def _check_int_division(y, op):
    if y._value.dtype.kind in "iu" and not xp.all(y._value):
        raise errors.InvalidArgumentError(errors.op_message(
            op, "Integer division by zero", "make sure the divisor has no zeros."))


def pow(x, y, name=None):  # noqa: A001  (TF's public name)
    """x ** y. Integer tensors to negative integer powers raise as TF."""
    x, y = P.binary(x, y, "Pow")
    if x._value.dtype.kind in "iu" and xp.any(y._value < 0):
        raise errors.InvalidArgumentError(errors.op_message(
            "Pow", "Integers to negative integer powers are not allowed",
            "cast the base to a float dtype first."))
    _numeric(x, "Pow")
    return P.emit(_kernel(xp.power, x, y, "Pow"), (x, y), _pow_vjp)


def _pow_vjp(r, g):
    x, y = r.inputs
    gx = gy = None
    if r.needs[0]:
        gx = multiply(g, multiply(y, pow(x, subtract(y, 1))))
    if r.needs[1]:
        # d/dy x**y = log(x) x**y, taken as 0 where x <= 0 (TF's convention).
        positive = comparison.greater(x, 0)
        safe_x = manipulation.where(positive, x, ones_like_value(x))
        log_x = manipulation.where(positive, log(safe_x), zeros_like_value(x))
        gy = multiply(g, multiply(r.out, log_x))
    return gx, gy


def squared_difference(x, y, name=None):
    x, y = P.binary(x, y, "SquaredDifference")
    return square(subtract(x, y))


def negative(x, name=None):
    x = P.unary(x)
    if x._value.dtype.kind not in "ifc":
        raise _no_bool("Neg", x)
    return P.emit(xp.negative(x._value), (x,), _negative_vjp)


neg = negative


def _negative_vjp(r, g):
    return (negative(g),)


def abs(x, name=None):  # noqa: A001
    x = P.unary(x)
    return P.emit(xp.abs(x._value), (x,), _abs_vjp)


def _abs_vjp(r, g):
    return (multiply(g, sign(r.inputs[0])),)


def sign(x, name=None):
    x = P.unary(x)
    return P.emit(xp.sign(x._value), (x,), _zero_vjp)


def _zero_vjp(r, g):
    # The derivative exists and is zero almost everywhere (sign): TF returns zeros.
    return (zeros_like_value(r.inputs[0]),)


def _none_vjp(r, g):
    # No gradient at all (round, floor, ceil): TF returns None, like an unconnected source.
    return (None,)


def square(x, name=None):
    x = P.unary(x)
    return P.emit(xp.square(x._value), (x,), _square_vjp)


def _square_vjp(r, g):
    return (_square_grad(g, r.inputs[0]),)


def _square_grad(g, x):
    """2 * g * x as one op (the gradient of square runs in every squared-error loss)."""
    v = g._value * x._value
    return P.emit(v + v, (g, x), _square_grad_vjp)


def _square_grad_vjp(r, gg):
    g, x = r.inputs
    two = P.scalar(2, x._value.dtype)
    return (multiply(multiply(gg, x), two) if r.needs[0] else None,
            multiply(multiply(gg, g), two) if r.needs[1] else None)


def _float_unary(x, op):
    return P.check_dtype(P.unary(x), op, _F, P.FLOAT_NAMES)


def sqrt(x, name=None):
    x = _float_unary(x, "Sqrt")
    return P.emit(xp.sqrt(x._value), (x,), _sqrt_vjp)


def _sqrt_vjp(r, g):
    # Where the incoming gradient is 0 the result is 0, even at sqrt(0) (TF's SqrtGrad), so
    # tf.where(x > 0, tf.sqrt(x), 0.) has gradient 0 at 0, not NaN.
    return (_times_no_nan(g, divide(_half(r.out), r.out)),)


def _times_no_nan(g, factor):
    zero = zeros_like_value(g)
    return manipulation.where(comparison.equal(g, zero), zero, multiply(g, factor))


def rsqrt(x, name=None):
    x = _float_unary(x, "Rsqrt")
    return P.emit(1 / xp.sqrt(x._value), (x,), _rsqrt_vjp)


def _rsqrt_vjp(r, g):
    y = r.out
    return (multiply(g, multiply(pow(y, xp.asarray(3, y._value.dtype)), -_half(y)._value)),)


def _half(t):
    return P.const(xp.asarray(0.5, t._value.dtype))


def exp(x, name=None):
    x = _float_unary(x, "Exp")
    return P.emit(xp.exp(x._value), (x,), _exp_vjp)


def _exp_vjp(r, g):
    return (multiply(g, r.out),)


def expm1(x, name=None):
    x = _float_unary(x, "Expm1")
    return P.emit(xp.expm1(x._value), (x,), _expm1_vjp)


def _expm1_vjp(r, g):
    return (multiply(g, exp(r.inputs[0])),)


def log(x, name=None):
    x = _float_unary(x, "Log")
    return P.emit(xp.log(x._value), (x,), _log_vjp)


def _log_vjp(r, g):
    return (divide(g, r.inputs[0]),)


def log1p(x, name=None):
    x = _float_unary(x, "Log1p")
    return P.emit(xp.log1p(x._value), (x,), _log1p_vjp)


def _log1p_vjp(r, g):
    x = r.inputs[0]
    return (divide(g, add(x, xp.asarray(1, x._value.dtype))),)


def sin(x, name=None):
    x = _float_unary(x, "Sin")
    return P.emit(xp.sin(x._value), (x,), _sin_vjp)


def _sin_vjp(r, g):
    return (multiply(g, cos(r.inputs[0])),)


def cos(x, name=None):
    x = _float_unary(x, "Cos")
    return P.emit(xp.cos(x._value), (x,), _cos_vjp)


def _cos_vjp(r, g):
    return (negative(multiply(g, sin(r.inputs[0]))),)


def tan(x, name=None):
    x = _float_unary(x, "Tan")
    return P.emit(xp.tan(x._value), (x,), _tan_vjp)


def _tan_vjp(r, g):
    return (divide(g, square(cos(r.inputs[0]))),)


def tanh(x, name=None):
    x = _float_unary(x, "Tanh")
    return P.emit(xp.tanh(x._value), (x,), _tanh_vjp)


def _tanh_vjp(r, g):
    y = r.out
    return (multiply(g, subtract(xp.asarray(1, y._value.dtype), square(y))),)


def sigmoid(x, name=None):
    """1 / (1 + exp(-x)), computed without overflow for large |x|."""
    x = _float_unary(x, "Sigmoid")
    v = x._value
    # exp of a non-positive number never overflows: split by sign.
    e = xp.exp(-xp.abs(v))
    out = xp.where(v >= 0, 1 / (1 + e), e / (1 + e)).astype(v.dtype, copy=False)
    return P.emit(out, (x,), _sigmoid_vjp)


def _sigmoid_vjp(r, g):
    y = r.out
    return (multiply(g, multiply(y, subtract(xp.asarray(1, y._value.dtype), y))),)


def atan(x, name=None):
    x = _float_unary(x, "Atan")
    return P.emit(xp.arctan(x._value), (x,), _atan_vjp)


def _atan_vjp(r, g):
    x = r.inputs[0]
    return (divide(g, add(xp.asarray(1, x._value.dtype), square(x))),)


def sinh(x, name=None):
    x = _float_unary(x, "Sinh")
    return P.emit(xp.sinh(x._value), (x,), lambda r, g: (multiply(g, cosh(r.inputs[0])),))


def cosh(x, name=None):
    x = _float_unary(x, "Cosh")
    return P.emit(xp.cosh(x._value), (x,), lambda r, g: (multiply(g, sinh(r.inputs[0])),))


_erf_kernel = xp.frompyfunc(_math.erf, 1, 1)


def erf(x, name=None):
    """The error function (exact, via Python's math.erf: NumPy has no erf kernel)."""
    x = _float_unary(x, "Erf")
    return P.emit(xp.asarray(_erf_kernel(x._value), dtype=x._value.dtype), (x,), _erf_vjp)


def _erf_vjp(r, g):
    x = r.inputs[0]
    two_over_sqrt_pi = xp.asarray(2 / _math.sqrt(_math.pi), x._value.dtype)
    return (multiply(g, multiply(two_over_sqrt_pi, exp(negative(square(x))))),)


def asin(x, name=None):
    x = _float_unary(x, "Asin")
    return P.emit(xp.arcsin(x._value), (x,), _asin_vjp)


def _asin_vjp(r, g):
    x = r.inputs[0]
    return (multiply(g, rsqrt(subtract(xp.asarray(1, x._value.dtype), square(x)))),)


def acos(x, name=None):
    x = _float_unary(x, "Acos")
    return P.emit(xp.arccos(x._value), (x,), _acos_vjp)


def _acos_vjp(r, g):
    x = r.inputs[0]
    return (negative(multiply(g, rsqrt(subtract(xp.asarray(1, x._value.dtype), square(x))))),)


def atan2(y, x, name=None):
    y, x = P.binary(y, x, "Atan2")
    return P.emit(_kernel(xp.arctan2, y, x, "Atan2"), (y, x), _atan2_vjp)


def _atan2_vjp(r, g):
    y, x = r.inputs
    denom = add(square(x), square(y))
    return multiply(g, divide(x, denom)), negative(multiply(g, divide(y, denom)))


def xdivy(x, y, name=None):
    """x / y, and 0 where x == 0 (even if y == 0)."""
    x, y = P.binary(x, y, "Xdivy")
    zero = zeros_like_value(x)
    return manipulation.where(comparison.equal(x, zero), zero, divide(x, y))


def xlogy(x, y, name=None):
    """x * log(y), and 0 where x == 0."""
    x, y = P.binary(x, y, "Xlogy")
    zero = zeros_like_value(x)
    safe_y = manipulation.where(comparison.equal(x, zero), ones_like_value(y), y)
    return manipulation.where(comparison.equal(x, zero), zero, multiply(x, log(safe_y)))


def reciprocal(x, name=None):
    x = P.check_dtype(P.unary(x), "Reciprocal", P.NUMBERS, P.NUMBER_NAMES)
    return P.emit(xp.reciprocal(x._value), (x,), _reciprocal_vjp)


def _reciprocal_vjp(r, g):
    return (negative(multiply(g, square(r.out))),)


# -- elementwise selection ------------------------------------------------------------------
def maximum(x, y, name=None):
    x, y = P.binary(x, y, "Maximum")
    return P.emit(_kernel(xp.maximum, x, y, "Maximum"), (x, y), _maximum_vjp)


def _maximum_vjp(r, g):
    x, y = r.inputs
    return _select_grads(r, g, comparison.greater_equal(x, y))  # ties go to x, as TF


def minimum(x, y, name=None):
    x, y = P.binary(x, y, "Minimum")
    return P.emit(_kernel(xp.minimum, x, y, "Minimum"), (x, y), _minimum_vjp)


def _minimum_vjp(r, g):
    x, y = r.inputs
    return _select_grads(r, g, comparison.less_equal(x, y))


def _select_grads(r, g, x_wins):
    zeros = zeros_like_value(g)
    gx = manipulation.where(x_wins, g, zeros) if r.needs[0] else None
    gy = manipulation.where(x_wins, zeros, g) if r.needs[1] else None
    return gx, gy


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """Clip t to [min, max]; at the bounds the gradient passes (ties of max/min go to t)."""
    t = P.unary(t)
    lo = P.binary(t, clip_value_min, "ClipByValue")[1]
    hi = P.binary(t, clip_value_max, "ClipByValue")[1]
    out = minimum(maximum(t, lo), hi)
    if out._value.shape != t._value.shape:
        raise errors.InvalidArgumentError(errors.op_message(
            "ClipByValue", f"clip_value_min/max of shapes {lo.shape}, {hi.shape} would broadcast "
                           f"t of shape {t.shape} to {out.shape}",
            "give bounds that are scalars or broadcast to t's shape."))
    return out


def round(x, name=None):  # noqa: A001
    """Round half to even (banker's rounding), as TF."""
    x = P.unary(x)
    if x._value.dtype.kind in "iu":
        return x
    return P.emit(xp.round(x._value), (x,), _none_vjp)


def floor(x, name=None):
    x = _float_unary(x, "Floor")
    return P.emit(xp.floor(x._value), (x,), _none_vjp)


def ceil(x, name=None):
    x = _float_unary(x, "Ceil")
    return P.emit(xp.ceil(x._value), (x,), _none_vjp)


def rint(x, name=None):
    return round(x)


# -- dtype -----------------------------------------------------------------------------------
def cast(x, dtype, name=None):
    """Change the dtype. Float -> int truncates toward zero; bool -> 1/0, as TF."""
    dtype = dtypes.as_dtype(dtype)
    x = P.unary(x)
    if x._value.dtype == dtype._np:
        return x
    if dtype is dtypes.string or x._value.dtype.kind == "O":
        raise errors.UnimplementedError(errors.op_message(
            "Cast", f"Cast {x.dtype.name} to {dtype.name} is not supported",
            "use tf.strings.as_string / tf.strings.to_number for strings."))
    target = dtype._np
    if x._value.dtype.kind in "fc" and target.kind not in "fc":
        with xp.errstate(invalid="ignore"):  # NaN/inf into ints: TF casts silently
            value = x._value.astype(target)
    else:
        value = x._value.astype(target)
    return P.emit(value, (x,), _cast_vjp)


def _cast_vjp(r, g):
    x = r.inputs[0]
    if x._value.dtype.kind not in "fc" or g._value.dtype.kind not in "fc":
        return (None,)
    return (cast(g, x.dtype),)


def saturate_cast(value, dtype, name=None):
    dtype = dtypes.as_dtype(dtype)
    value = P.unary(value)
    if dtype.is_integer or dtype.is_floating:
        lo, hi = dtype.limits
        value = clip_by_value(value, max(lo, value.dtype.min), min(hi, value.dtype.max))
    return cast(value, dtype)


def zeros_like_value(x):
    """Zeros of x's shape and dtype (an untracked constant, for use inside VJPs)."""
    return P.const(xp.zeros(x._value.shape, x._value.dtype))


def ones_like_value(x):
    return P.const(xp.ones(x._value.shape, x._value.dtype))


def real(x, name=None):
    x = P.unary(x)
    return x if x._value.dtype.kind != "c" else P.const(xp.real(x._value))


def is_nan(x, name=None):
    return P.const(xp.isnan(_float_unary(x, "IsNan")._value))


def is_inf(x, name=None):
    return P.const(xp.isinf(_float_unary(x, "IsInf")._value))


def is_finite(x, name=None):
    return P.const(xp.isfinite(_float_unary(x, "IsFinite")._value))
