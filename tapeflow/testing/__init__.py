"""Gradient checking for users and for tapeflow's own tests.

``check_grads(f, args)`` compares the tape's gradients with central finite differences in
float64, for first and (``order=2``) second derivatives. NumPy is used directly here: this is
a testing tool, not part of the core.
"""
import numpy as np

from tapeflow import gradient_tape
from tapeflow.tensor import Tensor, convert_to_tensor


def _as_f64(a):
    return np.asarray(a, dtype=np.float64)


def _call(f, arrays):
    out = f(*[Tensor(a) for a in arrays])
    return convert_to_tensor(out)


def numerical_vjp(f, arrays, cotangent, eps=1e-6):
    """d <cotangent, f(args)> / d args by central differences, one array per argument."""
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for j in np.ndindex(a.shape):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[i][j] += eps
            minus[i][j] -= eps
            fp = np.sum(cotangent * _call(f, plus).numpy())
            fm = np.sum(cotangent * _call(f, minus).numpy())
            g[j] = (fp - fm) / (2 * eps)
        grads.append(g)
    return grads


def tape_vjp(f, arrays, cotangent):
    """d <cotangent, f(args)> / d args from GradientTape (zeros where unconnected)."""
    xs = [Tensor(a) for a in arrays]
    with gradient_tape.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = convert_to_tensor(f(*xs))
    gs = tape.gradient(y, xs, output_gradients=Tensor(np.asarray(cotangent, y.numpy().dtype)),
                       unconnected_gradients="zero")
    return [g.numpy() for g in gs]


def check_grads(f, args, order=1, eps=1e-6, rtol=1e-5, atol=1e-6, seed=0):
    """Assert the tape's gradients of ``f`` at ``args`` match finite differences.

    Args:
        f: a function of tensors returning a tensor.
        args: the point (arrays or numbers), converted to float64.
        order: 1 checks first derivatives; 2 also checks the gradient's own gradient.

    >>> from tapeflow.ops import elementwise
    >>> check_grads(elementwise.sin, [[0.5, 1.0]], order=2)
    """
    rng = np.random.default_rng(seed)
    arrays = [_as_f64(a) for a in args]
    y = _call(f, arrays).numpy()
    u = rng.standard_normal(np.shape(y))
    analytic = tape_vjp(f, arrays, u)
    numeric = numerical_vjp(f, arrays, u, eps)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        if not np.allclose(a, n, rtol=rtol, atol=atol):
            raise AssertionError(f"gradient of argument {i} differs from finite differences:\n"
                                 f"tape:    {a}\nnumeric: {n}\nat args {arrays}")
    if order >= 2:
        vs = [rng.standard_normal(a.shape) for a in arrays]

        def directional(*xs):
            # <d f / d args, v>: a scalar whose gradient is the second derivative applied to v.
            with gradient_tape.GradientTape() as inner:
                for x in xs:
                    inner.watch(x)
                out = convert_to_tensor(f(*xs))
            gs = inner.gradient(out, list(xs), output_gradients=Tensor(u.astype(np.float64)),
                                unconnected_gradients="zero")
            total = Tensor(np.float64(0.0))
            for g, v in zip(gs, vs):
                total = total + _dot(g, v)
            return total
        check_grads(directional, arrays, order=order - 1, eps=eps, rtol=rtol * 10,
                    atol=atol * 10, seed=seed + 1)


def _dot(g, v):
    from tapeflow.ops import reduction
    return reduction.reduce_sum(g * Tensor(v))


def compute_gradient(f, x, delta=None):
    """tf.test.compute_gradient: (theoretical, numerical) Jacobians, as lists of arrays."""
    arrays = [np.asarray(convert_to_tensor(a).numpy()) for a in x]
    delta = 1e-3 if delta is None else delta
    y = _call(f, arrays).numpy()
    theoretical, numerical = [], []
    for i, a in enumerate(arrays):
        jt = np.zeros((y.size, a.size), dtype=a.dtype)
        jn = np.zeros((y.size, a.size), dtype=a.dtype)
        for k in range(y.size):
            e = np.zeros(y.size)
            e[k] = 1
            e = e.reshape(y.shape)
            jt[k] = tape_vjp(f, arrays, e)[i].reshape(-1)
            jn[k] = numerical_vjp(f, arrays, e, delta)[i].reshape(-1)
        theoretical.append(jt)
        numerical.append(jn)
    return theoretical, numerical
