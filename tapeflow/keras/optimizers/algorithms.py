"""Keras 3's optimizers: SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam.

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
