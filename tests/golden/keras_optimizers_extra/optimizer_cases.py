"""Lion, Adafactor and Ftrl cases shared by the recorder (real Keras 3 on TF 2.21) and the tests.

Every case takes the ``keras`` module and ``variable(value, name)`` (how to make a plain
variable: ``keras.Variable`` under Keras, ``tf.Variable`` under tapeflow) and returns plain
values: weights after each step, the optimizer's variables (dtype, shape, values) in order,
configs, error messages, fit histories.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "keras_models"))
from model_cases import fixed_weights  # noqa: E402  (the same weights as the model goldens)

# ruff: noqa: C408

SHAPES = {"matrix": (3, 4), "vector": (4,), "tensor3": (2, 3, 4), "scalar": ()}
STEPS = 4


def _initial(shape, i):
    n = int(np.prod(shape))
    return (np.sin(np.arange(n) * 0.53 + i) * 0.8).reshape(shape).astype("float32")


def _gradient(shape, step, i):
    """A smooth pattern with exact zeros (sign(0) = 0, rows of zeros for Adafactor)."""
    n = int(np.prod(shape))
    g = np.cos(np.arange(n) * 0.71 + 1.3 * step + i) * (1.0 + 0.5 * step)
    g[::5] = 0.0
    return g.reshape(shape).astype("float32")


def _values(v):
    a = np.asarray(v.numpy())
    return a.astype(np.float64).tolist() if a.dtype.kind == "f" else a.tolist()


def _state(opt):
    return [[str(np.asarray(v.numpy()).dtype), list(np.shape(v.numpy())), _values(v)]
            for v in opt.variables]


def run_steps(keras, variable, opt, names=("matrix", "vector"), steps=STEPS):
    """``steps`` apply_gradients calls on fixed variables with fixed gradients."""
    variables = [variable(_initial(SHAPES[n], i), n) for i, n in enumerate(names)]
    weights = []
    for step in range(steps):
        grads = [_gradient(SHAPES[n], step, i) for i, n in enumerate(names)]
        opt.apply_gradients(zip(grads, variables))
        weights.append([_values(v) for v in variables])
    return {"weights": weights, "state": _state(opt)}


def _schedule(keras):
    return keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)


ALL = ("matrix", "vector", "tensor3", "scalar")

# name -> (optimizer class name, constructor kwargs (or a function of keras), variables)
STEP_CASES = {
    "lion_default": ("Lion", {}, ALL),
    "lion_custom": ("Lion", dict(learning_rate=0.05, beta_1=0.5, beta_2=0.8), ALL),
    "lion_beta_1_one": ("Lion", dict(learning_rate=0.1, beta_1=1.0), ("matrix", "vector")),
    "lion_weight_decay": ("Lion", dict(learning_rate=0.05, weight_decay=0.1),
                          ("matrix", "vector")),
    "lion_clipnorm": ("Lion", dict(learning_rate=0.05, clipnorm=0.5), ("matrix", "vector")),
    "lion_schedule": ("Lion", lambda keras: dict(learning_rate=_schedule(keras)),
                      ("matrix", "vector")),
    "lion_ema": ("Lion", dict(learning_rate=0.05, use_ema=True, ema_momentum=0.5,
                              ema_overwrite_frequency=3), ("matrix", "vector")),
    "adafactor_default": ("Adafactor", {}, ALL),
    "adafactor_custom": ("Adafactor", dict(learning_rate=0.1, beta_2_decay=-0.5,
                                           epsilon_1=1e-20, epsilon_2=0.01,
                                           clip_threshold=0.5), ALL),
    "adafactor_large_lr": ("Adafactor", dict(learning_rate=0.7), ALL),
    "adafactor_no_relative_step": ("Adafactor", dict(learning_rate=0.7, relative_step=False),
                                   ("matrix", "vector")),
    "adafactor_weight_decay_clipnorm": ("Adafactor", dict(learning_rate=0.05,
                                                          weight_decay=0.2, clipnorm=0.3),
                                        ("matrix", "vector")),
    "adafactor_global_clipnorm": ("Adafactor", dict(learning_rate=0.3, global_clipnorm=0.5),
                                  ("matrix", "vector", "tensor3")),
    "adafactor_schedule": ("Adafactor", lambda keras: dict(learning_rate=_schedule(keras)),
                           ("matrix", "vector")),
    "adafactor_gradient_accumulation": ("Adafactor", dict(learning_rate=0.3,
                                                          gradient_accumulation_steps=2),
                                        ("matrix", "vector")),
    "ftrl_default": ("Ftrl", {}, ALL),
    "ftrl_l1": ("Ftrl", dict(learning_rate=0.1, l1_regularization_strength=0.05), ALL),
    "ftrl_l2": ("Ftrl", dict(learning_rate=0.1, l2_regularization_strength=0.1),
                ("matrix", "vector")),
    "ftrl_l2_shrinkage": ("Ftrl", dict(learning_rate=0.1,
                                       l2_shrinkage_regularization_strength=0.2),
                          ("matrix", "vector")),
    "ftrl_beta": ("Ftrl", dict(learning_rate=0.1, beta=0.5), ("matrix", "vector")),
    "ftrl_power_zero": ("Ftrl", dict(learning_rate=0.1, learning_rate_power=0.0),
                        ("matrix", "vector")),
    "ftrl_power": ("Ftrl", dict(learning_rate=0.2, learning_rate_power=-0.3,
                                initial_accumulator_value=0.05), ("matrix", "vector")),
    "ftrl_all": ("Ftrl", dict(learning_rate=0.2, learning_rate_power=-0.7,
                              initial_accumulator_value=0.2, l1_regularization_strength=0.01,
                              l2_regularization_strength=0.02,
                              l2_shrinkage_regularization_strength=0.03, beta=0.1), ALL),
    "ftrl_clipvalue_weight_decay": ("Ftrl", dict(learning_rate=0.1, clipvalue=0.3,
                                                 weight_decay=0.05), ("matrix", "vector")),
    "ftrl_schedule": ("Ftrl", lambda keras: dict(learning_rate=_schedule(keras),
                                                 l1_regularization_strength=0.01),
                      ("matrix", "vector")),
}


def make_optimizer(keras, name):
    class_name, kwargs, _ = STEP_CASES[name]
    kwargs = kwargs(keras) if callable(kwargs) else kwargs
    return getattr(keras.optimizers, class_name)(**kwargs)


def step_case(keras, variable, name):
    return run_steps(keras, variable, make_optimizer(keras, name), STEP_CASES[name][2])


# -- configs, names, errors --------------------------------------------------------------------
CUSTOM = {
    "Lion": dict(learning_rate=0.02, beta_1=0.8, beta_2=0.95, weight_decay=0.01, clipnorm=1.0,
                 name="my_lion"),
    "Adafactor": dict(learning_rate=0.2, beta_2_decay=-0.6, epsilon_1=1e-25, epsilon_2=0.002,
                      clip_threshold=2.0, relative_step=False, global_clipnorm=3.0,
                      use_ema=True, name="my_adafactor"),
    "Ftrl": dict(learning_rate=0.3, learning_rate_power=-0.25, initial_accumulator_value=0.5,
                 l1_regularization_strength=0.1, l2_regularization_strength=0.2,
                 l2_shrinkage_regularization_strength=0.3, beta=0.4, clipvalue=0.5,
                 gradient_accumulation_steps=3, name="my_ftrl"),
}


def configs(keras, variable):
    out = {}
    for class_name, kwargs in CUSTOM.items():
        cls = getattr(keras.optimizers, class_name)
        default, custom = cls().get_config(), cls(**kwargs).get_config()
        out[class_name] = {"default": default, "custom": custom,
                           "round_trip": cls.from_config(custom).get_config(),
                           "schedule": cls(learning_rate=_schedule(keras)).get_config()}
    return out


def get_by_name(keras, variable):
    out = {}
    for name in ("lion", "adafactor", "ftrl", "Lion", "Adafactor", "Ftrl"):
        opt = keras.optimizers.get(name)
        out[name] = [type(opt).__name__, opt.get_config()]
    for class_name, kwargs in CUSTOM.items():
        opt = keras.optimizers.get({"class_name": class_name, "config": kwargs})
        out[f"dict_{class_name}"] = [type(opt).__name__, opt.get_config()]
    return out


ERRORS = {
    "lion_beta_1_zero": ("Lion", dict(beta_1=0.0)),
    "lion_beta_1_negative": ("Lion", dict(beta_1=-0.5)),
    "lion_beta_1_above_one": ("Lion", dict(beta_1=1.5)),
    "lion_unknown_kwarg": ("Lion", dict(beta_3=0.5)),
    "ftrl_initial_accumulator_value": ("Ftrl", dict(initial_accumulator_value=-0.1)),
    "ftrl_learning_rate_power": ("Ftrl", dict(learning_rate_power=0.5)),
    "ftrl_l1": ("Ftrl", dict(l1_regularization_strength=-1.0)),
    "ftrl_l2": ("Ftrl", dict(l2_regularization_strength=-2)),
    "ftrl_l2_shrinkage": ("Ftrl", dict(l2_shrinkage_regularization_strength=-0.25)),
    "ftrl_first_error_wins": ("Ftrl", dict(l2_regularization_strength=-1.0,
                                           learning_rate_power=1.0)),
    "adafactor_two_clips": ("Adafactor", dict(clipnorm=1.0, clipvalue=1.0)),
}


def errors(keras, variable):
    out = {}
    for name, (class_name, kwargs) in ERRORS.items():
        try:
            getattr(keras.optimizers, class_name)(**kwargs)
        except Exception as error:  # noqa: BLE001 - the class is part of the golden
            out[name] = [type(error).__name__, str(error)]
        else:
            out[name] = None
    return out


# -- fit ---------------------------------------------------------------------------------------
X = (np.sin(np.arange(40, dtype=np.float64) * 0.9).reshape(10, 4) * 1.5).astype("float32")
Y = np.stack([np.tanh(X[:, 0] - X[:, 1]), X[:, 2] * X[:, 3] * 0.5], axis=1).astype("float32")

FIT_CASES = {
    "lion": lambda keras: keras.optimizers.Lion(learning_rate=0.01),
    "lion_by_name": lambda keras: "lion",
    "adafactor": lambda keras: keras.optimizers.Adafactor(learning_rate=0.1,
                                                          clip_threshold=0.5),
    "adafactor_by_name": lambda keras: "adafactor",
    "ftrl": lambda keras: keras.optimizers.Ftrl(learning_rate=0.2,
                                                l1_regularization_strength=0.001,
                                                l2_regularization_strength=0.01),
    "ftrl_by_name": lambda keras: "ftrl",
}


def fit_model(keras, name, epochs=2):
    """A small MLP (matrix and vector weights) compiled with the case's optimizer, fitted."""
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="tanh"),
                              keras.layers.Dense(2)])
    fixed_weights(model)
    model.compile(optimizer=FIT_CASES[name](keras), loss="mse", metrics=["mae"])
    history = model.fit(X, Y, batch_size=4, epochs=epochs, shuffle=False, verbose=0)
    return model, history


def fit_case(keras, variable, name):
    model, history = fit_model(keras, name)
    return {"history": {k: [float(x) for x in v] for k, v in history.history.items()},
            "weights": [np.asarray(w).astype(np.float64).tolist() for w in model.get_weights()],
            "state": _state(model.optimizer)}


CASES = {"configs": configs, "get_by_name": get_by_name, "errors": errors}
CASES.update({f"steps/{n}": (lambda k, v, n=n: step_case(k, v, n)) for n in STEP_CASES})
CASES.update({f"fit/{n}": (lambda k, v, n=n: fit_case(k, v, n)) for n in FIT_CASES})
