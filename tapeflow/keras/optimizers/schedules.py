"""keras.optimizers.schedules: learning rates as functions of the optimizer's step.

Each schedule is Keras 3's formula computed with tapeflow ops in the initial rate's dtype
(float32 for a Python float), so the values match TF's to the last bit.

    >>> from tapeflow.keras.optimizers import schedules
    >>> float(schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)(10))
    0.05000000074505806
"""
import math

import tapeflow as tf


class LearningRateSchedule:
    """Base class: ``__call__(step)`` returns the learning rate; ``get_config`` describes it."""

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _check_steps(decay_steps, what="decay_steps"):
    if decay_steps <= 0:
        raise ValueError(f"Argument `{what}` must be > 0. Received: {what}={decay_steps}")


def _setup(initial_learning_rate, step):
    lr = tf.convert_to_tensor(initial_learning_rate)
    return lr, lr.dtype, tf.cast(step, lr.dtype)


class ExponentialDecay(LearningRateSchedule):
    """initial * decay_rate ** (step / decay_steps), floored with ``staircase=True``."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name
        _check_steps(decay_steps)

    def __call__(self, step):
        lr, dtype, step = _setup(self.initial_learning_rate, step)
        p = step / tf.cast(self.decay_steps, dtype)
        if self.staircase:
            p = tf.floor(p)
        return lr * tf.pow(tf.cast(self.decay_rate, dtype), p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """initial / (1 + decay_rate * step / decay_steps)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name
        _check_steps(decay_steps)

    def __call__(self, step):
        lr, dtype, step = _setup(self.initial_learning_rate, step)
        p = step / tf.cast(self.decay_steps, dtype)
        if self.staircase:
            p = tf.floor(p)
        return lr / (tf.cast(1, dtype) + tf.cast(self.decay_rate, dtype) * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[i] while boundaries[i-1] < step <= boundaries[i]."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of "
                             f"values. Received: boundaries={boundaries} of length "
                             f"{len(boundaries)}, and values={values} of length {len(values)}.")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step):
        step = tf.convert_to_tensor(step)
        bounds = [tf.cast(b, step.dtype) for b in self.boundaries]
        values = [tf.convert_to_tensor(v) for v in self.values]
        dtype = values[0].dtype
        result = tf.cast(step <= bounds[0], dtype) * values[0]
        result = result + tf.cast(step > bounds[-1], dtype) * values[-1]
        for low, high, value in zip(bounds[:-1], bounds[1:], values[1:-1]):
            inside = tf.logical_and(step > low, step <= high)
            result = result + tf.cast(inside, dtype) * value
        return result

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """(initial - end) * (1 - step / decay_steps) ** power + end."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle = end_learning_rate, power, cycle
        self.name = name
        _check_steps(decay_steps)

    def __call__(self, step):
        lr, dtype, step = _setup(self.initial_learning_rate, step)
        end = tf.cast(self.end_learning_rate, dtype)
        decay_steps = tf.cast(self.decay_steps, dtype)
        if self.cycle:
            multiplier = 1.0 if float(step) == 0 else tf.math.ceil(step / self.decay_steps)
            decay_steps = decay_steps * multiplier
        else:
            step = tf.minimum(step, decay_steps)
        p = step / decay_steps
        return (lr - end) * tf.pow(1 - p, tf.cast(self.power, dtype)) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Half a cosine from initial to alpha * initial over decay_steps (optional warmup)."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.alpha, self.name = alpha, name
        self.warmup_target, self.warmup_steps = warmup_target, warmup_steps
        _check_steps(decay_steps)

    def _decay(self, step, decay_steps, decay_from_lr, dtype):
        fraction = step / decay_steps
        cosine = 0.5 * (1.0 + tf.cos(tf.cast(math.pi, dtype) * fraction))
        return decay_from_lr * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        lr, dtype, step = _setup(self.initial_learning_rate, step)
        decay_steps = tf.cast(self.decay_steps, dtype)
        if self.warmup_target is None:
            return self._decay(tf.minimum(step, decay_steps), decay_steps, lr, dtype)
        target = tf.cast(self.warmup_target, dtype)
        warmup_steps = tf.cast(self.warmup_steps, dtype)
        step = tf.minimum(step, decay_steps + warmup_steps)
        if bool(step < warmup_steps):
            return (target - lr) * (step / warmup_steps) + lr
        return self._decay(step - warmup_steps, decay_steps, target, dtype)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


_ALL = {c.__name__: c for c in (LearningRateSchedule, ExponentialDecay, InverseTimeDecay,
                                PiecewiseConstantDecay, PolynomialDecay, CosineDecay)}


def serialize(learning_rate_schedule):
    return {"module": "keras.optimizers.schedules",
            "class_name": type(learning_rate_schedule).__name__,
            "config": learning_rate_schedule.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    table = dict(_ALL, **(custom_objects or {}))
    cls = table.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"Unknown decay: '{config.get('class_name')}'. Expected one of "
                         f"{sorted(_ALL)}.")
    return cls.from_config(config.get("config", {}))
