"""keras.initializers: Keras 3's weight initializers, with its defaults and scaling rules.

An initializer is called as ``init(shape, dtype="float32")`` and returns a Tensor. It returns
the same values on every call, as Keras 3's initializers do: with ``seed=`` from that seed,
without one from a seed drawn from tapeflow's global random stream when it is created (Keras 3
draws it from Python's ``random``), so ``keras.utils.set_random_seed`` makes runs repeatable.
The random streams are tapeflow's: values differ from TF's, the distributions are the same.

    >>> from tapeflow.keras import initializers
    >>> initializers.get("ones")((2,)).numpy()
    array([1., 1.], dtype=float32)
"""
import math

import numpy as np

import tapeflow as tf

_TRUNC_STDDEV = 0.87962566103423978  # stddev of a unit normal truncated to [-2, 2]


def _dtype(dtype):
    return tf.as_dtype(dtype or "float32")


def compute_fans(shape):
    """(fan_in, fan_out) as Keras: dense kernels (in, out); conv kernels x receptive field."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: ``__call__(shape, dtype=None)`` and ``get_config``."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"Initializer {type(self).__name__} does not implement "
                                  "__call__(shape, dtype).")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return tf.zeros(shape, dtype=_dtype(dtype))


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return tf.ones(shape, dtype=_dtype(dtype))


class Constant(Initializer):
    """Every entry ``value`` (a scalar, or an array broadcast to the shape)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        value = tf.cast(tf.convert_to_tensor(self.value), _dtype(dtype))
        return tf.broadcast_to(value, shape)

    def get_config(self):
        value = self.value
        return {"value": value.tolist() if hasattr(value, "tolist") else value}


class RandomInitializer(Initializer):
    """Shares the seed handling: an int seed gives the same values on every call."""

    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, int):
            raise ValueError(f"`seed` argument should be an instance of int or None. "
                             f"Received: seed={seed}")
        self.seed = seed
        if seed is None:  # Keras's make_default_seed, from the global stream
            seed = int(tf.random.uniform((), 1, 10**9, dtype=tf.int32))
        self._seed_pair = [seed, 0]

    def _uniform(self, shape, minval, maxval, dtype):
        return tf.random.stateless_uniform(shape, self._seed_pair, minval, maxval, dtype=dtype)

    def _normal(self, shape, mean, stddev, dtype):
        return tf.random.stateless_normal(shape, self._seed_pair, mean, stddev, dtype=dtype)

    def _truncated(self, shape, mean, stddev, dtype):
        return tf.random.stateless_truncated_normal(shape, self._seed_pair, mean, stddev,
                                                    dtype=dtype)

    def get_config(self):
        return {"seed": self.seed}


class RandomUniform(RandomInitializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        return self._uniform(shape, self.minval, self.maxval, _dtype(dtype))

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(RandomInitializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return self._normal(shape, self.mean, self.stddev, _dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    """Normal draws redrawn until within two standard deviations of the mean."""

    def __call__(self, shape, dtype=None):
        return self._truncated(shape, self.mean, self.stddev, _dtype(dtype))


class VarianceScaling(RandomInitializer):
    """Draws with variance scale / n, n = fan_in, fan_out or their average."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        super().__init__(seed)
        self.input_axes, self.output_axes = input_axes, output_axes
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError("Invalid `mode` argument: expected one of {'fan_in', 'fan_out', "
                             f"'fan_avg'}}. Received: mode={mode}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError("Invalid `distribution` argument: expected one of {'uniform', "
                             "'truncated_normal', 'untruncated_normal'}. Received: "
                             f"distribution={distribution}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out,
             "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        dt = _dtype(dtype)
        if self.distribution == "truncated_normal":
            return self._truncated(shape, 0.0, math.sqrt(scale) / _TRUNC_STDDEV, dt)
        if self.distribution == "untruncated_normal":
            return self._normal(shape, 0.0, math.sqrt(scale), dt)
        limit = math.sqrt(3.0 * scale)
        return self._uniform(shape, -limit, limit, dt)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


def _scaling(name, scale, mode, distribution, doc):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution,
                                 seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                           "__doc__": doc, "__module__": __name__})


GlorotUniform = _scaling("GlorotUniform", 1.0, "fan_avg", "uniform",
                         "Uniform in +-sqrt(6 / (fan_in + fan_out)); Dense's default kernel.")
GlorotNormal = _scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                        "Truncated normal, stddev sqrt(2 / (fan_in + fan_out)).")
HeUniform = _scaling("HeUniform", 2.0, "fan_in", "uniform", "Uniform in +-sqrt(6 / fan_in).")
HeNormal = _scaling("HeNormal", 2.0, "fan_in", "truncated_normal",
                    "Truncated normal, stddev sqrt(2 / fan_in).")
LecunUniform = _scaling("LecunUniform", 1.0, "fan_in", "uniform",
                        "Uniform in +-sqrt(3 / fan_in).")
LecunNormal = _scaling("LecunNormal", 1.0, "fan_in", "truncated_normal",
                       "Truncated normal, stddev sqrt(1 / fan_in).")


class Orthogonal(RandomInitializer):
    """A (gain-scaled) orthogonal matrix from the QR decomposition of a normal draw."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        a = self._normal(flat, 0.0, 1.0, tf.float32).numpy().astype("float64")
        # tapeflow's core has no tf.linalg.qr yet: the decomposition runs in NumPy, on the
        # freshly drawn initial values (data, not part of any computation that is traced).
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return tf.cast(tf.reshape(tf.constant(self.gain * q), shape), _dtype(dtype))

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """gain * the identity matrix (2-D shapes only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        return tf.eye(shape[0], shape[1], dtype=_dtype(dtype)) * self.gain

    def get_config(self):
        return {"gain": self.gain}


IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal

_CLASSES = [Zeros, Ones, Constant, RandomUniform, RandomNormal, TruncatedNormal, VarianceScaling,
            GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal,
            Orthogonal, Identity]
_ALIASES = {"zeros": Zeros, "ones": Ones, "constant": Constant, "uniform": RandomUniform,
            "random_uniform": RandomUniform, "normal": RandomNormal,
            "random_normal": RandomNormal, "truncated_normal": TruncatedNormal,
            "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
            "glorot_normal": GlorotNormal, "he_uniform": HeUniform, "he_normal": HeNormal,
            "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
            "orthogonal": Orthogonal, "identity": Identity}
ALL_OBJECTS_DICT = dict({c.__name__: c for c in _CLASSES}, **_ALIASES)


def serialize(initializer):
    return {"module": "keras.initializers", "class_name": type(initializer).__name__,
            "config": initializer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    table = dict(ALL_OBJECTS_DICT, **(custom_objects or {}))
    if isinstance(config, str):
        cls = table.get(config)
        cfg = {}
    else:
        cls = table.get(config.get("class_name"))
        cfg = config.get("config") or {}
    if cls is None:
        raise ValueError(f"Could not interpret initializer identifier: {config}")
    return cls.from_config(cfg)


def get(identifier):
    """An initializer from a name ('glorot_uniform', 'HeNormal'), a dict, or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier}. Expected a "
                     f"name such as 'glorot_uniform', a dict, or a callable(shape, dtype).")


# Keras 3 exposes the snake_case names as functions-like classes too (initializers.he_normal()).
zeros, ones, constant = Zeros, Ones, Constant
random_uniform, random_normal, truncated_normal = RandomUniform, RandomNormal, TruncatedNormal
variance_scaling, orthogonal, identity = VarianceScaling, Orthogonal, Identity
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal, lecun_uniform, lecun_normal = HeUniform, HeNormal, LecunUniform, \
    LecunNormal
