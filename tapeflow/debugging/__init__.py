"""tf.debugging: checks that raise TF's errors with a clear message."""
from tapeflow import errors
from tapeflow.backend import xp
from tapeflow.ops import _primitive as P


def check_numerics(tensor, message, name=None):
    """Raise InvalidArgumentError if the tensor has a NaN or Inf; otherwise return it."""
    t = P.unary(tensor)
    v = t._value
    if v.dtype.kind in "fc" and not xp.all(xp.isfinite(v)):
        kinds = " and ".join(k for k, bad in (("NaN", xp.isnan(v).any()),
                                              ("Inf", xp.isinf(v).any())) if bad)
        raise errors.InvalidArgumentError(errors.op_message(
            "CheckNumerics", f"{message} : Tensor had {kinds} values",
            "look for a division by zero, a log of 0, or a learning rate that is too high."))
    return t


def _assert(ok, message, default):
    if not ok:
        raise errors.InvalidArgumentError(message or default)


def assert_equal(x, y, message=None, summarize=None, name=None):
    x, y = P.binary(x, y, "AssertEqual")
    _assert(bool(xp.all(x._value == y._value)), message, f"Condition x == y did not hold: "
            f"x = {x._value}, y = {y._value}")


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    x, y = P.binary(x, y, "AssertNear")
    eps = 10 * xp.finfo(x._value.dtype).eps
    ok = xp.allclose(x._value, y._value, rtol=eps if rtol is None else rtol,
                     atol=eps if atol is None else atol)
    _assert(bool(ok), message, f"x and y not equal to tolerance: x = {x._value}, y = {y._value}")


def assert_positive(x, message=None, summarize=None, name=None):
    v = P.unary(x)._value
    _assert(bool(xp.all(v > 0)), message, f"Condition x > 0 did not hold: x = {v}")


def assert_non_negative(x, message=None, summarize=None, name=None):
    v = P.unary(x)._value
    _assert(bool(xp.all(v >= 0)), message, f"Condition x >= 0 did not hold: x = {v}")


def assert_rank(x, rank, message=None, name=None):
    v = P.unary(x)._value
    if v.ndim != int(rank):
        raise ValueError(message or f"Tensor must have rank {rank}. Received rank {v.ndim}, "
                                    f"shape {v.shape}")


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    return None


def assert_all_finite(t, msg, name=None, x=None, message=None):
    return check_numerics(t if t is not None else x, msg or message)


def set_log_device_placement(enabled):
    return None


def enable_check_numerics(*args, **kwargs):
    return None
