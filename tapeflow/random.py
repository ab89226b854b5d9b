"""tf.random: seeded draws with TensorFlow's global/op seed semantics."""
from tapeflow import dtypes, errors
from tapeflow.backend import xp
from tapeflow.ops import _primitive as P
from tapeflow.ops import elementwise, nn_ops, random_ops
from tapeflow.tensor import Tensor

set_seed = random_ops.set_seed
# tapeflow extensions (TF keeps this state inside its kernels): save and restore every random
# stream, so a checkpoint (keras.callbacks.BackupAndRestore) resumes training bit for bit.
get_state = random_ops.get_state
set_state = random_ops.set_state


def _shape(shape):
    return tuple(P.int_list(shape, "RandomStandardNormal", "shape"))


def _float_dtype(dtype, op):
    dt = dtypes.as_dtype(dtype)
    if not dt.is_floating:
        # TF fails converting the default mean 0.0 to the integer dtype: a TypeError.
        raise TypeError(f"Cannot convert 0.0 to EagerTensor of dtype {dt.name} ({op} draws "
                        "floats only; use tf.random.uniform with maxval= for integers).")
    return dt


def _scale(raw, mean, stddev, dt):
    # As TF: rnd * stddev + mean with ordinary ops, so mean and stddev stay differentiable.
    out = Tensor(raw)
    if not (isinstance(stddev, (int, float)) and stddev == 1):
        out = elementwise.multiply(out, stddev)
    if not (isinstance(mean, (int, float)) and mean == 0):
        out = elementwise.add(out, mean)
    return out


def normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Draws from N(mean, stddev**2)."""
    dt = _float_dtype(dtype, "random.normal")
    raw = random_ops.normal(random_ops.stream(seed), _shape(shape), dt._np)
    return _scale(raw, mean, stddev, dt)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normal draws, redrawn until within two standard deviations of the mean."""
    dt = _float_dtype(dtype, "random.truncated_normal")
    raw = random_ops.truncated_normal(random_ops.stream(seed), _shape(shape), dt._np)
    return _scale(raw, mean, stddev, dt)


def _uniform(gen, shape, minval, maxval, dtype, op):
    dt = dtypes.as_dtype(dtype)
    shp = _shape(shape)
    if dt.is_integer:
        if maxval is None:
            if minval in (0, None):
                raise ValueError(f"Must specify maxval for integer dtype {dt.name}")
        lo, hi = int(minval or 0), int(maxval)
        if lo >= hi:
            raise errors.InvalidArgumentError(errors.op_message(
                op, f"Need minval < maxval: {lo} >= {hi}", "pass minval smaller than maxval."))
        return Tensor(random_ops.uniform_int(gen, shp, lo, hi, dt._np))
    if not dt.is_floating:
        raise ValueError(f"{op}: dtype must be a float or integer type, got {dt.name}.")
    raw = Tensor(random_ops.uniform(gen, shp, dt._np))
    lo = 0.0 if minval is None else minval
    hi = 1.0 if maxval is None else maxval
    if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and (lo, hi) == (0, 1):
        return raw
    return elementwise.add(elementwise.multiply(raw, elementwise.subtract(
        P.binary(raw, hi, op)[1], P.binary(raw, lo, op)[1])), lo)


def uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Draws from [minval, maxval). Integer dtypes need ``maxval``, as TF."""
    return _uniform(random_ops.stream(seed), shape, minval, maxval, dtype, "RandomUniform")


def shuffle(value, seed=None, name=None):
    """A random permutation along the first axis."""
    x = P.unary(value)
    if x._value.ndim == 0:
        return x
    order = random_ops.stream(seed).permutation(x._value.shape[0])
    return P.const(x._value[order])


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Class ids drawn from softmax(logits) per row: shape [batch, num_samples], int64."""
    x = P.unary(logits)
    if x._value.ndim != 2:
        raise errors.InvalidArgumentError(errors.op_message(
            "Multinomial", f"logits should be a matrix, got shape {list(x._value.shape)}",
            "pass logits of shape [batch, classes], e.g. tf.expand_dims(logits, 0)."))
    p = nn_ops.softmax(P.const(x._value.astype(xp.float64)))._value
    gen = random_ops.stream(seed)
    u = gen.random((x._value.shape[0], int(num_samples)))
    cdf = xp.cumsum(p, axis=1)
    cdf[:, -1] = 1.0
    idx = (u[:, :, None] > cdf[:, None, :]).sum(-1)
    return P.const(idx.astype(dtypes.as_dtype(dtype or dtypes.int64)._np))


def gamma(shape, alpha, beta=None, dtype=dtypes.float32, seed=None, name=None):
    """Gamma(alpha, beta) draws; the result's shape is shape + alpha's shape (TF's layout)."""
    dt = _float_dtype(dtype, "random.gamma")
    a = xp.asarray(P.unary(alpha)._value, xp.float64)
    b = 1.0 if beta is None else xp.asarray(P.unary(beta)._value, xp.float64)
    full = _shape(shape) + xp.broadcast_shapes(a.shape, xp.shape(b))
    raw = random_ops.stream(seed).gamma(xp.broadcast_to(a, full), size=full) / b
    return Tensor(raw.astype(dt._np))


def poisson(shape, lam, dtype=dtypes.float32, seed=None, name=None):
    """Poisson(lam) draws; the result's shape is shape + lam's shape."""
    lam_ = xp.asarray(P.unary(lam)._value, xp.float64)
    full = _shape(shape) + lam_.shape
    raw = random_ops.stream(seed).poisson(xp.broadcast_to(lam_, full), size=full)
    return Tensor(raw.astype(dtypes.as_dtype(dtype)._np))


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None,
                     alg="auto_select"):
    dt = _float_dtype(dtype, "random.stateless_normal")
    raw = random_ops.normal(random_ops.stateless(_seed(seed)), _shape(shape), dt._np)
    return _scale(raw, mean, stddev, dt)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32,
                               name=None, alg="auto_select"):
    dt = _float_dtype(dtype, "random.stateless_truncated_normal")
    raw = random_ops.truncated_normal(random_ops.stateless(_seed(seed)), _shape(shape), dt._np)
    return _scale(raw, mean, stddev, dt)


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None,
                      alg="auto_select"):
    return _uniform(random_ops.stateless(_seed(seed)), shape, minval, maxval, dtype,
                    "StatelessRandomUniformV2")


def _seed(seed):
    return seed._value if isinstance(seed, Tensor) else seed


class Generator:
    """A random generator with its own state (``tf.random.Generator.from_seed(1)``)."""

    def __init__(self, copy_from=None, state=None, alg=None, _key=None):
        if _key is None:
            _key = [int(v) for v in xp.random.SeedSequence().generate_state(2)]
        self._key = list(_key)
        self._gen = random_ops.generator_from(self._key)
        self._splits = 0

    @classmethod
    def from_seed(cls, seed, alg=None):
        return cls(_key=[int(seed), 0])

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        return cls(_key=[int(v) for v in xp.random.SeedSequence().generate_state(2)])

    @property
    def algorithm(self):
        return 1  # Philox, as TF's default

    @property
    def state(self):
        return Tensor(xp.asarray(self._gen.bit_generator.state["state"]["counter"][:3]
                                 .astype(xp.int64)))

    def reset_from_seed(self, seed):
        self._key = [int(seed), 0]
        self._gen = random_ops.generator_from(self._key)
        self._splits = 0

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        dt = _float_dtype(dtype, "Generator.normal")
        return _scale(random_ops.normal(self._gen, _shape(shape), dt._np), mean, stddev, dt)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        dt = _float_dtype(dtype, "Generator.truncated_normal")
        raw = random_ops.truncated_normal(self._gen, _shape(shape), dt._np)
        return _scale(raw, mean, stddev, dt)

    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None):
        return _uniform(self._gen, shape, minval, maxval, dtype, "StatefulUniform")

    def uniform_full_int(self, shape, dtype=dtypes.uint64, name=None):
        dt = dtypes.as_dtype(dtype)
        info = xp.iinfo(dt._np)
        return Tensor(self._gen.integers(info.min, info.max, size=_shape(shape), dtype=dt._np,
                                         endpoint=True))

    def make_seeds(self, count=1):
        return Tensor(self._gen.integers(0, 2**62, size=(2, count), dtype=xp.int64))

    def split(self, count=1):
        """``count`` new independent generators; this one advances."""
        out = []
        for _ in range(count):
            self._splits += 1
            child = self._gen.integers(0, 2**63 - 1, size=2)
            out.append(Generator(_key=[int(child[0]), int(child[1])]))
        return out


_global_generator = None


def get_global_generator():
    global _global_generator
    if _global_generator is None:
        _global_generator = Generator.from_non_deterministic_state()
    return _global_generator


def set_global_generator(generator):
    global _global_generator
    _global_generator = generator

