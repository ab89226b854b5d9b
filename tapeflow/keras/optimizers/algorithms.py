"""Keras 3's optimizers: SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, Lion,
Adafactor, Ftrl.

Each update_step is Keras 3's formula (keras/src/optimizers/*.py), written as assigns of
composed expressions. Hyperparameters that are Python floats enter ops as float32 scalars,
exactly as Keras casts them to the variable's dtype.
"""
import tapeflow as tf
from tapeflow.keras.optimizers import optimizer


def _lr(learning_rate, variable):
    """The learning rate as a value ops accept for this variable (cast like Keras)."""
    if isinstance(learning_rate, (int, float)):
        return float(learning_rate)
    if learning_rate.dtype != variable.dtype:
        return tf.cast(learning_rate, variable.dtype)
    return learning_rate


def _step_power(opt, beta, variable, offset=1):
    """beta ** (iterations + offset), computed in the variable's dtype as Keras does."""
    step = tf.cast(opt.iterations + offset, variable.dtype)
    return tf.pow(tf.cast(beta, variable.dtype), step)


def _plain(value):
    """A Python number (not a bool): a hyperparameter the fused update kernels take as is."""
    return type(value) is float or type(value) is int


def _grad(gradient, variable):
    gradient = tf.convert_to_tensor(gradient)
    return gradient if gradient.dtype == variable.dtype else tf.cast(gradient, variable.dtype)


class SGD(optimizer.Optimizer):
    """Gradient descent with optional (Nesterov) momentum; Keras 3 defaults lr=0.01."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        if not isinstance(momentum, (int, float)) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        lr, g = _lr(learning_rate, variable), _grad(gradient, variable)
        if self.momentum == 0:
            variable.assign_sub(g * lr)
            return
        m = self.momentums[self._get_variable_index(variable)]
        m.assign(m * self.momentum - g * lr)
        if self.nesterov:
            variable.assign_add(m * self.momentum - g * lr)
        else:
            variable.assign_add(m)

    def get_config(self):
        return dict(super().get_config(), momentum=self.momentum, nesterov=self.nesterov)


class RMSprop(optimizer.Optimizer):
    """v = rho v + (1 - rho) g^2;  w -= lr g / sqrt(v + eps)  (plus momentum / centered)."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        self._momentums = (self.add_optimizer_variables(variables, "momentum")
                           if self.momentum > 0 else [])
        self._average_gradients = (self.add_optimizer_variables(variables, "average_gradient")
                                   if self.centered else [])

    def _fused(self):
        """Plain RMSprop (no momentum, not centered) with Python-number hyperparameters runs
        as tf.raw_ops.KerasRMSpropUpdate: the formula's kernels, in order, bit for bit."""
        return not self.centered and not self.momentum > 0 and _plain(self.rho) and \
            _plain(self.epsilon)

    def _update_step_all(self, grads, variables, learning_rate):
        if type(self).update_step is not RMSprop.update_step or not self._fused():
            return super()._update_step_all(grads, variables, learning_rate)
        fused, index, rho, eps = tf.raw_ops.KerasRMSpropUpdate, self._index, self.rho, \
            self.epsilon
        for grad, variable in zip(grads, variables):  # update_step's fused branch, in a loop
            fused(variable, self._velocities[index[id(variable)]], _grad(grad, variable),
                  _lr(learning_rate, variable), rho, eps)

    def update_step(self, gradient, variable, learning_rate):
        lr, g = _lr(learning_rate, variable), _grad(gradient, variable)
        i = self._get_variable_index(variable)
        velocity, rho = self._velocities[i], self.rho
        if self._fused():
            # The same formula below, fused: same kernels, same order, bit for bit.
            tf.raw_ops.KerasRMSpropUpdate(variable, velocity, g, lr, rho, self.epsilon)
            return
        velocity.assign(velocity * rho + tf.square(g) * (1 - rho))
        if self.centered:
            average = self._average_gradients[i]
            average.assign(average * rho + g * (1 - rho))
            denominator = velocity - tf.square(average) + self.epsilon
        else:
            denominator = velocity + self.epsilon
        increment = g * lr / tf.sqrt(denominator)
        if self.momentum > 0:
            momentum = self._momentums[i]
            momentum.assign(momentum * self.momentum + increment)
            variable.assign_sub(momentum)
        else:
            variable.assign_sub(increment)

    def get_config(self):
        return dict(super().get_config(), rho=self.rho, momentum=self.momentum,
                    epsilon=self.epsilon, centered=self.centered)


class Adam(optimizer.Optimizer):
    """m, v moving averages; w -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(variables, "velocity_hat")

    def update_step(self, gradient, variable, learning_rate):
        lr, g = _lr(learning_rate, variable), _grad(gradient, variable)
        i = self._get_variable_index(variable)
        beta_1_power = _step_power(self, self.beta_1, variable)
        beta_2_power = _step_power(self, self.beta_2, variable)
        m, v = self._momentums[i], self._velocities[i]
        alpha = lr * tf.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m.assign_add((g - m) * (1 - self.beta_1))
        v.assign_add((tf.square(g) - v) * (1 - self.beta_2))
        if self.amsgrad:
            v_hat = self._velocity_hats[i]
            v_hat.assign(tf.maximum(v_hat, v))
            v = v_hat
        variable.assign_sub(m * alpha / (tf.sqrt(v) + self.epsilon))

    def get_config(self):
        return dict(super().get_config(), beta_1=self.beta_1, beta_2=self.beta_2,
                    epsilon=self.epsilon, amsgrad=self.amsgrad)


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.004)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")


class Adagrad(optimizer.Optimizer):
    """acc += g^2;  w -= lr g / sqrt(acc + eps); the accumulator starts at 0.1."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        from tapeflow.keras import initializers
        self._accumulators = self.add_optimizer_variables(
            variables, "accumulator", initializers.Constant(self.initial_accumulator_value))

    def update_step(self, gradient, variable, learning_rate):
        lr, g = _lr(learning_rate, variable), _grad(gradient, variable)
        accumulator = self._accumulators[self._get_variable_index(variable)]
        accumulator.assign_add(tf.square(g))
        variable.assign_sub(g * lr / tf.sqrt(accumulator + self.epsilon))

    def get_config(self):
        return dict(super().get_config(), initial_accumulator_value=self.initial_accumulator_value,
                    epsilon=self.epsilon)


class Adadelta(optimizer.Optimizer):
    """Zeiler's Adadelta with Keras 3's lr scaling (default lr 0.001, rho 0.95)."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            variables, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, gradient, variable, learning_rate):
        lr, g = _lr(learning_rate, variable), _grad(gradient, variable)
        i, rho, eps = self._get_variable_index(variable), self.rho, self.epsilon
        acc_grad, acc_delta = self._accumulated_grads[i], self._accumulated_delta_vars[i]
        acc_grad.assign(acc_grad * rho + tf.square(g) * (1 - rho))
        delta_var = -(tf.sqrt(acc_delta + eps) * g / tf.sqrt(acc_grad + eps))
        acc_delta.assign(acc_delta * rho + tf.square(delta_var) * (1 - rho))
        variable.assign_add(delta_var * lr)

    def get_config(self):
        return dict(super().get_config(), rho=self.rho, epsilon=self.epsilon)


class Adamax(optimizer.Optimizer):
    """Adam with the infinity norm: u = max(b2 u, |g|)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._m, self._u = self.add_optimizer_variables(variables, ["momentum", "norm"])

    def update_step(self, gradient, variable, learning_rate):
        lr, g = _lr(learning_rate, variable), _grad(gradient, variable)
        i = self._get_variable_index(variable)
        beta_1_power = _step_power(self, self.beta_1, variable)
        m, u = self._m[i], self._u[i]
        m.assign_add((g - m) * (1 - self.beta_1))
        u.assign(tf.maximum(u * self.beta_2, tf.abs(g)))
        variable.assign_sub(m * lr / ((1 - beta_1_power) * (u + self.epsilon)))

    def get_config(self):
        return dict(super().get_config(), beta_1=self.beta_1, beta_2=self.beta_2,
                    epsilon=self.epsilon)


class Nadam(optimizer.Optimizer):
    """Adam with Nesterov momentum and Keras's momentum-decay schedule (0.96 ** t)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables):
        if self.built:
            return
        dtype = variables[0].dtype if variables else tf.float32
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])
        self._u_product = self._new_variable(1.0, "u_product", dtype)

    def _update_step_all(self, grads, variables, learning_rate):
        dtype = self._u_product.dtype
        step = tf.cast(self.iterations + 1, dtype)
        self._u_product.assign(self._u_product * self.beta_1 *
                               (1.0 - 0.5 * tf.pow(tf.cast(0.96, dtype), step)))
        super()._update_step_all(grads, variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        lr, g = _lr(learning_rate, variable), _grad(gradient, variable)
        dt = variable.dtype
        i = self._get_variable_index(variable)
        decay, beta_1 = tf.cast(0.96, dt), tf.cast(self.beta_1, dt)
        u_t = beta_1 * (1.0 - 0.5 * tf.pow(decay, tf.cast(self.iterations + 1, dt)))
        u_t_1 = beta_1 * (1.0 - 0.5 * tf.pow(decay, tf.cast(self.iterations + 2, dt)))
        u_product_t = tf.cast(self._u_product, dt)
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = _step_power(self, self.beta_2, variable)
        m, v = self._momentums[i], self._velocities[i]
        m.assign_add((g - m) * (1 - self.beta_1))
        v.assign_add((tf.square(g) - v) * (1 - self.beta_2))
        m_hat = u_t_1 * m / (1 - u_product_t_1) + (1 - u_t) * g / (1 - u_product_t)
        v_hat = v / (1 - beta_2_power)
        variable.assign_sub(m_hat * lr / (tf.sqrt(v_hat) + self.epsilon))

    def get_config(self):
        return dict(super().get_config(), beta_1=self.beta_1, beta_2=self.beta_2,
                    epsilon=self.epsilon)


def _cast(value, variable):
    """``ops.cast(value, variable.dtype)``: Keras casts hyperparameters to the variable's dtype."""
    return tf.cast(value, variable.dtype)


def _rms(x):
    return tf.sqrt(tf.reduce_mean(tf.square(x)))


class Lion(optimizer.Optimizer):
    """Sign of an interpolated momentum: w -= lr sign(b1 m + (1 - b1) g); m = b2 m + (1 - b2) g.

    >>> import tapeflow as tf
    >>> from tapeflow.keras import optimizers
    >>> w = tf.Variable([1.0, 2.0])
    >>> _ = optimizers.Lion(learning_rate=0.5).apply_gradients([(tf.constant([3.0, -0.1]), w)])
    >>> w.numpy()
    array([0.5, 2.5], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.beta_1, self.beta_2 = beta_1, beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                             f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        lr, g = _cast(learning_rate, variable), _grad(gradient, variable)
        beta_1, beta_2 = _cast(self.beta_1, variable), _cast(self.beta_2, variable)
        m = self._momentums[self._get_variable_index(variable)]
        variable.assign_sub(lr * tf.sign(m * beta_1 + g * (1.0 - beta_1)))
        m.assign(m * beta_2 + g * (1.0 - beta_2))

    def get_config(self):
        return dict(super().get_config(), beta_1=self.beta_1, beta_2=self.beta_2)


class Adafactor(optimizer.Optimizer):
    """Shazeer and Stern's Adafactor: the second moment of a matrix kept as row and column means.

    Variables of rank >= 2 factor their last two axes (slots ``r``, ``c``); smaller ones keep
    a full velocity. The step is ``max(epsilon_2, rms(w)) * min(lr, 1/sqrt(t))`` times the
    update, whose rms is clipped to ``clip_threshold``.

    >>> import tapeflow as tf
    >>> from tapeflow.keras import optimizers
    >>> w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    >>> opt = optimizers.Adafactor(learning_rate=0.1)
    >>> _ = opt.apply_gradients([(tf.ones((2, 2)), w)])
    >>> [tuple(v.shape) for v in opt.variables[2:]]
    [(2,), (2,), (2, 2)]
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.beta_2_decay, self.epsilon_1, self.epsilon_2 = beta_2_decay, epsilon_1, epsilon_2
        self.clip_threshold, self.relative_step = clip_threshold, relative_step

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._r, self._c, self._v = [], [], []
        for var in variables:
            name = str(var.name).split(":")[0]
            if len(var.shape) < 2:
                # Keras keeps int32 scalar placeholders for the factors of an unfactored
                # variable; they are tracked, so they are saved with the optimizer's state.
                self._r.append(self._placeholder(name))
                self._c.append(self._placeholder(name))
            else:  # always factor the last two axes
                shape = tuple(var.shape)
                self._r.append(self.add_variable(shape[:-1], dtype=var.dtype, name=name))
                self._c.append(self.add_variable(shape[:-2] + shape[-1:], dtype=var.dtype,
                                                 name=name))
            self._v.append(self.add_variable_from_reference(var, "velocity"))

    def _placeholder(self, name):
        variable = tf.Variable(0, name=name, trainable=False)
        self._variables.append(variable)
        return variable

    def update_step(self, gradient, variable, learning_rate):
        lr, g = _cast(learning_rate, variable), _grad(gradient, variable)
        epsilon_2, one = _cast(self.epsilon_2, variable), _cast(1.0, variable)
        local_step = _cast(self.iterations + 1, variable)
        schedule = self._learning_rate
        if self.relative_step and (isinstance(schedule, tf.Variable) or not callable(schedule)):
            lr = tf.minimum(lr, 1 / tf.sqrt(local_step))
        i = self._get_variable_index(variable)
        r, c, v = self._r[i], self._c[i], self._v[i]
        rho_t = tf.minimum(lr, 1 / tf.sqrt(local_step))
        alpha_t = tf.maximum(epsilon_2, _rms(variable)) * rho_t
        regulated_grad_square = tf.square(g) + self.epsilon_1
        beta_2_t = 1 - tf.pow(local_step, self.beta_2_decay)
        if len(variable.shape) >= 2:
            # r drops the last axis of the gradient, c the one before it.
            r.assign(beta_2_t * r + (1 - beta_2_t) * tf.reduce_mean(regulated_grad_square,
                                                                    axis=-1))
            c.assign(beta_2_t * c + (1 - beta_2_t) * tf.reduce_mean(regulated_grad_square,
                                                                    axis=-2))
            v.assign(tf.expand_dims(r / tf.reduce_mean(r, axis=-1, keepdims=True), axis=-1) *
                     tf.expand_dims(c, -2))
        else:
            v.assign(beta_2_t * v + (1 - beta_2_t) * regulated_grad_square)
        u_t = g / tf.sqrt(v)
        u_t_hat = u_t / tf.maximum(one, _rms(u_t) / self.clip_threshold)
        variable.assign_sub(alpha_t * u_t_hat)

    def get_config(self):
        return dict(super().get_config(), beta_2_decay=self.beta_2_decay,
                    epsilon_1=self.epsilon_1, epsilon_2=self.epsilon_2,
                    clip_threshold=self.clip_threshold, relative_step=self.relative_step)


_FTRL_CHECKS = (
    ("initial_accumulator_value", lambda x: x < 0.0, "positive or zero"),
    ("learning_rate_power", lambda x: x > 0.0, "negative or zero"),
    ("l1_regularization_strength", lambda x: x < 0.0, "positive or zero"),
    ("l2_regularization_strength", lambda x: x < 0.0, "positive or zero"),
    ("l2_shrinkage_regularization_strength", lambda x: x < 0.0, "positive or zero"),
)


class Ftrl(optimizer.Optimizer):
    """Follow The Regularized Leader (McMahan et al., 2013), with L1, L2 and L2 shrinkage.

    n += g^2;  z += g - (n^-p - n_prev^-p) / lr * w;
    w = (clip(z, -l1, l1) - z) / (n^-p / lr + 2 (l2 + beta / (2 lr))),  p = learning_rate_power.

    >>> import tapeflow as tf
    >>> from tapeflow.keras import optimizers
    >>> w = tf.Variable([1.0, -1.0])
    >>> _ = optimizers.Ftrl(0.5, l1_regularization_strength=1.0).apply_gradients(
    ...     [(tf.constant([2.0, 0.1]), w)])
    >>> w.numpy().round(4)
    array([0.103, 0.   ], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        values = locals()
        for arg, bad, expected in _FTRL_CHECKS:
            if bad(values[arg]):
                raise ValueError(f"`{arg}` needs to be {expected}. Received: "
                                 f"{arg}={values[arg]}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        from tapeflow.keras import initializers
        accumulator_initializer = initializers.Constant(self.initial_accumulator_value)
        self._accumulators, self._linears = [], []
        for var in variables:  # Keras's order: the two slots interleaved, variable by variable
            self._accumulators.append(self.add_variable_from_reference(
                var, "accumulator", accumulator_initializer))
            self._linears.append(self.add_variable_from_reference(var, "linear"))

    def update_step(self, gradient, variable, learning_rate):
        lr, g = _cast(learning_rate, variable), _grad(gradient, variable)
        i = self._get_variable_index(variable)
        accum, linear = self._accumulators[i], self._linears[i]
        lr_power = self.learning_rate_power
        l2_reg = self.l2_regularization_strength + self.beta / (2.0 * lr)
        grad_to_use = g + 2 * self.l2_shrinkage_regularization_strength * variable
        new_accum = accum + tf.square(g)
        linear.assign_add(grad_to_use - (tf.pow(new_accum, -lr_power) -
                                         tf.pow(accum, -lr_power)) / lr * variable)
        quadratic = tf.pow(new_accum, -lr_power) / lr + 2 * l2_reg
        l1 = self.l1_regularization_strength
        linear_clipped = tf.clip_by_value(linear, -l1, l1)
        variable.assign((linear_clipped - linear) / quadratic)
        accum.assign(new_accum)

    def get_config(self):
        return dict(super().get_config(), learning_rate_power=self.learning_rate_power,
                    initial_accumulator_value=self.initial_accumulator_value,
                    l1_regularization_strength=self.l1_regularization_strength,
                    l2_regularization_strength=self.l2_regularization_strength,
                    l2_shrinkage_regularization_strength=(
                        self.l2_shrinkage_regularization_strength),
                    beta=self.beta)
