"""The Keras 3 optimizer base: variables, learning rate, clipping, weight decay, the step loop.

A subclass creates its slot variables in ``build`` and writes one ``update_step`` per variable;
``apply_gradients`` does the rest in Keras 3's order: drop missing gradients, clip, decay the
weights, update each variable, apply constraints, count the iteration.

Updates are written as ``variable.assign(<composed tapeflow expression>)``: the fewest ops and
temporaries, since each op allocates a full-size array (the MNIST benchmark's RMSprop step on a
784x512 kernel must cost about what hand-written NumPy costs).
"""
import re
import warnings

import tapeflow as tf
from tapeflow.keras.optimizers import schedules as schedules_mod


def _snake(name):
    # Keras's auto_name: 'RMSprop' -> 'rm_sprop', 'SGD' -> 'sgd', 'AdamW' -> 'adam_w'.
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _unique_name(base):
    from tapeflow.keras import backend  # the global name counter (reset by clear_session)
    return backend.unique_name(base)


class Optimizer:
    """Base optimizer: ``apply_gradients(zip(grads, variables))`` updates the variables.

    >>> import tapeflow as tf
    >>> from tapeflow.keras import optimizers
    >>> w = tf.Variable([1.0, 2.0])
    >>> opt = optimizers.SGD(learning_rate=0.1)
    >>> _ = opt.apply_gradients([(tf.constant([1.0, 1.0]), w)])
    >>> w.numpy()
    array([0.9, 1.9], dtype=float32)
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if "lr" in kwargs:  # Keras 2 spelling
            lr = kwargs.pop("lr")
            if learning_rate is None or learning_rate == self._default_learning_rate():
                learning_rate = lr
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. Received: "
                             f"gradient_accumulation_steps={gradient_accumulation_steps}")
        if use_ema and not 0 <= ema_momentum <= 1:
            raise ValueError("`ema_momentum` must be in the range [0, 1]. Received: "
                             f"ema_momentum={ema_momentum}")
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                             f"set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        self.name = name or _unique_name(_snake(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._index = {}  # id(variable) -> its position in the built list
        self._exclude_ids, self._exclude_pattern = set(), None
        self._iterations = self._new_variable(0, "iteration", tf.int64)
        self._learning_rate = self._make_learning_rate(learning_rate)

    @classmethod
    def _default_learning_rate(cls):
        import inspect
        return inspect.signature(cls.__init__).parameters["learning_rate"].default

    def _make_learning_rate(self, learning_rate):
        if isinstance(learning_rate, schedules_mod.LearningRateSchedule) or (
                callable(learning_rate) and not isinstance(learning_rate, tf.Variable)):
            return learning_rate
        if isinstance(learning_rate, bool) or not isinstance(
                learning_rate, (int, float, tf.Tensor, tf.Variable)) and not hasattr(
                learning_rate, "__float__"):
            raise ValueError("Argument `learning_rate` should be float, or an instance of "
                             "LearningRateSchedule, or a callable (that takes in the current "
                             "iteration value and returns the corresponding learning rate "
                             f"value). Received instead: learning_rate={learning_rate}")
        return self._new_variable(float(learning_rate), "learning_rate", tf.float32)

    def _new_variable(self, value, name, dtype):
        with tf.name_scope(self.name):
            var = tf.Variable(value, name=name, dtype=dtype, trainable=False)
        self._variables.append(var)
        return var

    # -- state ---------------------------------------------------------------------------------
    @property
    def iterations(self):
        """Steps applied; with gradient accumulation, the number of real updates."""
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @property
    def variables(self):
        return self._variables[:]

    @property
    def learning_rate(self):
        """The current learning rate: the Variable, or the schedule's value at this step."""
        lr = self._learning_rate
        if isinstance(lr, schedules_mod.LearningRateSchedule):
            return lr(self._iterations)
        if isinstance(lr, tf.Variable):
            return lr
        return lr() if callable(lr) else lr

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, schedules_mod.LearningRateSchedule) or (
                callable(value) and not isinstance(value, tf.Variable)):
            self._learning_rate = value
        elif isinstance(self._learning_rate, schedules_mod.LearningRateSchedule):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object "
                            "as its `learning_rate` constructor argument, hence its learning "
                            "rate is not settable. If you need the learning rate to be "
                            "settable, you should instantiate the optimizer with a float "
                            "`learning_rate` argument.")
        elif isinstance(self._learning_rate, tf.Variable):
            self._learning_rate.assign(float(value))
        else:
            self._learning_rate = self._make_learning_rate(value)

    lr = learning_rate  # Keras 2 alias

    def build(self, variables):
        """Creates the slot variables for ``variables`` (called by the first apply)."""
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(variables,
                                                                                "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = self.add_optimizer_variables(
                variables, "gradient_accumulator")
        for i, variable in enumerate(variables):
            self._index[id(variable)] = i
        self._trainable_variables = list(variables)
        self.built = True

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None):
        from tapeflow.keras import initializers
        value = initializers.get(initializer)(tuple(shape), dtype=dtype or "float32")
        return self._new_variable(value, name or "variable", dtype or tf.float32)

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        ref_name = getattr(reference_variable, "path", None) or reference_variable.name
        full = f"{str(ref_name).replace('/', '_').replace(':', '_')}_{name or 'var'}"
        return self.add_variable(reference_variable.shape, initializer=initializer,
                                 dtype=reference_variable.dtype, name=full)

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One slot per variable; ``name`` may be a list, giving one list of slots per name."""
        names = [name] if isinstance(name, str) else list(name)
        slots = tuple([self.add_variable_from_reference(v, n, initializer)
                       for v in trainable_variables] for n in names)
        return slots[0] if isinstance(name, str) else slots

    def _get_variable_index(self, variable):
        return self._index[id(variable)]

    # -- the step ------------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Apply ``[(gradient, variable), ...]`` (any iterable, e.g. a zip); returns iterations."""
        grads_and_vars = list(grads_and_vars)
        if not grads_and_vars:
            return self._iterations
        grads, variables = zip(*grads_and_vars)
        self.apply(grads, variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must "
                                 "already be built on a list of variables. Call "
                                 "`optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        self._check_known(trainable_variables)
        grads, trainable_variables = self._filter_empty_gradients(grads, trainable_variables)
        if self.loss_scale_factor is not None:
            grads = [g / self.loss_scale_factor for g in grads]
        if self.gradient_accumulation_steps:
            self._accumulate_or_update(grads, trainable_variables)
        else:
            self._update(grads, trainable_variables)
        if self.use_ema:  # Keras: the moving averages see the update before the constraints
            self._update_moving_averages()
        for variable in trainable_variables:
            if getattr(variable, "constraint", None) is not None:
                variable.assign(variable.constraint(variable))
        self._iterations.assign_add(1)

    def _update(self, grads, variables):
        grads = self._clip_gradients(grads)
        learning_rate = self.learning_rate
        self._apply_weight_decay(variables, learning_rate)
        self._update_step_all(grads, variables, learning_rate)

    def _accumulate_or_update(self, grads, variables):
        """Sum gradients for ``gradient_accumulation_steps`` steps, then apply their mean."""
        steps = self.gradient_accumulation_steps
        accumulators = [self._accumulated_gradients[self._index[id(v)]] for v in variables]
        if (int(self._iterations) + 1) % steps:
            for g, acc in zip(grads, accumulators):
                acc.assign(g + acc)
            return
        self._update([(g + acc) / steps for g, acc in zip(grads, accumulators)], variables)
        for acc in self._accumulated_gradients:
            acc.assign(tf.zeros(acc.shape, dtype=acc.dtype))

    def _update_moving_averages(self):
        """EMA of the weights (momentum 0 on the first step), overwriting them every
        ``ema_overwrite_frequency`` steps when that is set."""
        momentum = 0.0 if int(self.iterations) == 0 else self.ema_momentum
        for var, average in zip(self._trainable_variables, self._model_variables_moving_average):
            average.assign(average * momentum + var * (1 - momentum))
        if self.ema_overwrite_frequency and (int(self.iterations) + 1) % \
                self.ema_overwrite_frequency == 0:
            self.finalize_variable_values(self._trainable_variables)

    def _update_step_all(self, grads, variables, learning_rate):
        for grad, variable in zip(grads, variables):
            self.update_step(grad, variable, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        raise NotImplementedError(f"{type(self).__name__} must implement update_step")

    def _check_known(self, variables):
        for v in variables:
            if id(v) not in self._index:
                raise ValueError(f"Unknown variable: {v}. This optimizer can only be called for "
                                 "the variables it was originally built with. When working "
                                 "with a new set of variables, you should recreate a new "
                                 "optimizer instance.")

    @staticmethod
    def _filter_empty_gradients(grads, variables):
        for g in grads:
            if g is None:
                break
        else:
            return grads, variables  # the common case: every variable has its gradient
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        if len(kept) < len(grads):
            missing = [getattr(v, "path", v.name) for g, v in zip(grads, variables) if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          "loss. If using `model.compile()`, did you forget to provide a "
                          "`loss` argument?", stacklevel=3)
        return [g for g, _ in kept], [v for _, v in kept]

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            return [self._clip_by_norm(g) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            return [tf.clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def _clip_by_norm(self, values):
        # Keras's two-tap where: a zero gradient stays zero, with no NaN from sqrt(0)'s slope.
        l2sum = tf.reduce_sum(tf.square(values), keepdims=True)
        positive = l2sum > 0
        l2norm = tf.where(positive, tf.sqrt(tf.where(positive, l2sum, tf.ones_like(l2sum))),
                          l2sum)
        return values * self.clipnorm / tf.maximum(l2norm, self.clipnorm)

    # -- weight decay --------------------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempt variables (by object, or by a substring of their names) from weight decay."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the "
                             "optimizer is built.")
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        return not (self._exclude_pattern is not None
                    and self._exclude_pattern.search(variable.name) is not None)

    def _apply_weight_decay(self, variables, learning_rate):
        if self.weight_decay is None:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                lr = tf.cast(learning_rate, variable.dtype)
                wd = tf.cast(self.weight_decay, variable.dtype)
                variable.assign(variable - variable * wd * lr)

    # -- weights and config --------------------------------------------------------------------
    def get_weights(self):
        return [v.numpy() for v in self._variables]

    def set_weights(self, weights):
        if not self.built:
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet "
                             "been built. Please call `optimizer.build(trainable_variables)` "
                             "to create the optimizer weights before calling `set_weights()`.")
        for variable, weight in zip(self._variables, weights):
            variable.assign(weight)

    def finalize_variable_values(self, var_list):
        """Keras's hook after fit: with ``use_ema``, the weights become their moving averages."""
        if self.use_ema:
            for var, average in zip(var_list, self._model_variables_moving_average):
                var.assign(average)

    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, schedules_mod.LearningRateSchedule):
            lr = schedules_mod.serialize(lr)
        elif isinstance(lr, tf.Variable):
            lr = float(lr.numpy())
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue, "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules_mod.deserialize(config["learning_rate"],
                                                                custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} name={self.name}>"


def global_norm(value_list):
    return tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(v)) for v in value_list if v is not None]))


def clip_by_global_norm(value_list, clip_norm):
    """Scale every gradient by clip_norm / max(global_norm, clip_norm) (NaN if the norm is)."""
    use_norm = global_norm(value_list)
    scale = clip_norm * tf.minimum(1.0 / use_norm, 1.0 / clip_norm)
    scale = scale + (use_norm - use_norm)
    return [v * scale if v is not None else v for v in value_list]
