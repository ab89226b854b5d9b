"""Keras 3's automatic get_config for Layer subclasses that do not write one (shared by the
recorder under real Keras and the tests). Each case returns plain values: a config dict, or
the error class and message."""


def _classes(keras):
    class NoInit(keras.layers.Layer):
        def call(self, x):
            return x

    class Units(keras.layers.Layer):
        def __init__(self, units=3, activation="relu", **kw):  # varkw not named "kwargs"
            super().__init__(**kw)
            self.units, self.activation_name = units, activation

        def call(self, x):
            return x

    class Named(keras.layers.Layer):
        def __init__(self, units, scale=0.5, name=None, **kwargs):
            super().__init__(name=name, **kwargs)
            self.units, self.scale = units, scale

        def call(self, x):
            return x * self.scale

    class Nested(keras.layers.Layer):
        def __init__(self, sizes=(2, 3), options=None, **kwargs):
            super().__init__(**kwargs)
            self.sizes, self.options = sizes, options

        def call(self, x):
            return x

    class Holder(keras.layers.Layer):
        def __init__(self, fn, **kwargs):
            super().__init__(**kwargs)
            self.fn = fn

        def call(self, x):
            return x

    class Varargs(keras.layers.Layer):
        def __init__(self, *sizes, **kwargs):
            super().__init__(**kwargs)
            self.sizes = sizes

        def call(self, x):
            return x

    return NoInit, Units, Named, Nested, Holder, Varargs


def _config_or_error(make):
    try:
        return {"config": make().get_config()}
    except Exception as e:  # noqa: BLE001 - the error is the golden
        return {"error": type(e).__name__, "message": str(e).strip().splitlines()[0:2]}


def run(keras):
    NoInit, Units, Named, Nested, Holder, Varargs = _classes(keras)
    cases = {
        "no_init": lambda: NoInit(),
        "no_init_named": lambda: NoInit(name="plain", trainable=False),
        "units_default": lambda: Units(),
        "units_given": lambda: Units(units=5, activation="tanh", name="u"),
        "named_positional": lambda: Named(7, name="n"),
        "nested_values": lambda: Nested(sizes=[4, 5], options={"a": 1, "b": [True, None]}),
        "non_serializable": lambda: Holder(lambda x: x),
        "varargs_given": lambda: Varargs(1, 2),
        "varargs_empty": lambda: Varargs(),
    }
    out = {}
    for name, make in cases.items():
        keras.utils.clear_session()
        out[name] = _config_or_error(make)
    # a custom layer without get_config saves and loads with its arguments (units=5)
    return out
