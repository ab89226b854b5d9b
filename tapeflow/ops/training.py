"""Fused, non-differentiable variable updates for optimizers (public as ``tf.raw_ops``).

An optimizer step written as composed ops allocates one array per op; on a large weight that
memory traffic costs more than the arithmetic. These kernels run the *same* backend kernels in
the *same* order, on the same operand dtypes, reusing a few fresh buffers (``out=``), so the
results are bit for bit those of the composed ops. They never write into an array a Variable
already holds (a tensor read earlier may share it): new values replace the old ones, as every
``assign`` does. Nothing is recorded on a tape: an optimizer step is not differentiated.
"""
from tapeflow import errors
from tapeflow.backend import xp
from tapeflow.ops import _primitive as P
from tapeflow.tensor import Tensor, convert_to_tensor
from tapeflow.variable import Variable


def _scalar(value, np_dtype, what):
    """A hyperparameter as the composed ops see it: a Python number converted to the variable's
    dtype (``x * 0.9``), or a tensor/Variable's array, which must already have that dtype."""
    if type(value) is float or type(value) is int:
        return P.scalar(value, np_dtype)._value  # hyperparameters repeat every step: cached
    if isinstance(value, (Tensor, Variable)):
        v = value._value
    elif hasattr(type(value), "_as_tensor"):
        v = convert_to_tensor(value)._value
    else:
        raise TypeError(f"KerasRMSpropUpdate: {what} must be a Python number or a tensor, "
                        f"got {value!r}.")
    if v.dtype != np_dtype:
        raise errors.InvalidArgumentError(
            f"KerasRMSpropUpdate: {what} has dtype {v.dtype.name}, expected "
            f"{xp.dtype(np_dtype).name}; cast it first.")
    return v


def _array_of(x, np_dtype, shape, what):
    v = x._value if isinstance(x, (Tensor, Variable)) else convert_to_tensor(x)._value
    if v.dtype != np_dtype or v.shape != shape:
        raise errors.InvalidArgumentError(
            f"KerasRMSpropUpdate: {what} has dtype {v.dtype.name} and shape {list(v.shape)}, "
            f"expected {xp.dtype(np_dtype).name} and {list(shape)}.")
    return v


def KerasRMSpropUpdate(var, velocity, grad, lr, rho, epsilon, name=None):  # noqa: N802 - TF's raw_ops style
    """Keras 3's plain RMSprop step (no momentum, not centered), fused:

        velocity <- velocity * rho + square(grad) * (1 - rho)
        var      <- var - grad * lr / sqrt(velocity + epsilon)

    ``rho``, ``epsilon`` (Python numbers) and ``lr`` (a number, or a tensor/Variable of the
    variable's dtype) enter exactly as the composed ops convert them; ``1 - rho`` is computed
    in Python first, as Keras writes it.
    """
    w = var._value
    dt = w.dtype
    g = _array_of(grad, dt, w.shape, "grad")
    v = _array_of(velocity, dt, w.shape, "velocity")
    new_v = xp.multiply(v, _scalar(rho, dt, "rho"), out=xp.empty(w.shape, dt))
    tmp = xp.square(g, out=xp.empty(w.shape, dt))
    xp.multiply(tmp, _scalar(1 - rho, dt, "1 - rho"), out=tmp)
    xp.add(new_v, tmp, out=new_v)
    xp.add(new_v, _scalar(epsilon, dt, "epsilon"), out=tmp)
    xp.sqrt(tmp, out=tmp)
    step = xp.multiply(g, _scalar(lr, dt, "lr"), out=xp.empty(w.shape, dt))
    xp.divide(step, tmp, out=step)
    xp.subtract(w, step, out=step)
    velocity._value = new_v
    var._value = step
