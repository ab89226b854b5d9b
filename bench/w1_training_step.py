"""W1: the seed lab's training step (2000x2 inputs, matmul + bias + MSE, tape, two assign_sub).

tapeflow runs the lab's code as written (inputs and targets are NumPy arrays, converted by each
op). The NumPy version does the same work by hand: forward, hand-written backward, in-place
updates. Target: <= 40 us per step (TF eager 1,160 us; tf.function 251; PyTorch 193; JAX jit 38;
NumPy by hand 16, on the reference 2-core machine).

Run: ``.venv/bin/python bench/w1_training_step.py [--quick] [--json]``
"""
import numpy as np

import common

TARGET_US = 40.0
LEARNING_RATE = 0.1


def lab_data(n_per_class=1000, seed=0):
    """The lab's two Gaussian clouds: inputs (2000, 2) float32, targets (2000, 1) float32."""
    rng = np.random.default_rng(seed)
    cov = [[1, 0.5], [0.5, 1]]
    neg = rng.multivariate_normal([0, 3], cov, size=n_per_class)
    pos = rng.multivariate_normal([3, 0], cov, size=n_per_class)
    inputs = np.vstack((neg, pos)).astype(np.float32)
    targets = np.vstack((np.zeros((n_per_class, 1), "float32"),
                         np.ones((n_per_class, 1), "float32")))
    w0 = rng.uniform(size=(2, 1)).astype(np.float32)
    return inputs, targets, w0


def tapeflow_step(tf, inputs, targets, w0):
    W = tf.Variable(initial_value=w0)
    b = tf.Variable(initial_value=tf.zeros(shape=(1,)))

    def step():
        with tf.GradientTape() as tape:
            predictions = tf.matmul(inputs, W) + b
            loss = tf.reduce_mean(tf.square(targets - predictions))
        gW, gb = tape.gradient(loss, [W, b])
        W.assign_sub(gW * LEARNING_RATE)
        b.assign_sub(gb * LEARNING_RATE)
        return loss
    return step


def numpy_step(inputs, targets, w0):
    W = w0.copy()
    b = np.zeros((1,), np.float32)
    lr = np.float32(LEARNING_RATE)
    scale = np.float32(-2.0 / len(inputs))

    def step():
        predictions = inputs @ W + b
        diff = targets - predictions
        loss = np.mean(np.square(diff))
        g_pred = diff * scale                 # d loss / d predictions
        gW = inputs.T @ g_pred
        gb = g_pred.sum(axis=0)
        np.subtract(W, gW * lr, out=W)  # in place, as assign_sub
        np.subtract(b, gb * lr, out=b)
        return loss
    return step


def others(inputs, targets, w0):
    cases = {}
    tf = common.real_tensorflow()
    if tf is not None:
        for label, wrap in (("TensorFlow eager", lambda f: f),
                            ("TensorFlow tf.function", tf.function)):
            W = tf.Variable(w0)
            b = tf.Variable(tf.zeros((1,)))
            x, y = tf.constant(inputs), tf.constant(targets)

            def tf_step(W=W, b=b, x=x, y=y):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(tf.square(y - (tf.matmul(x, W) + b)))
                gW, gb = tape.gradient(loss, [W, b])
                W.assign_sub(gW * LEARNING_RATE)
                b.assign_sub(gb * LEARNING_RATE)
                return loss
            cases[label] = wrap(tf_step)
    torch = common.torch_module()
    if torch is not None:
        tW = torch.tensor(w0, requires_grad=True)
        tb = torch.zeros(1, requires_grad=True)
        tx, ty = torch.from_numpy(inputs), torch.from_numpy(targets)

        def torch_step():
            loss = ((ty - (tx @ tW + tb)) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                tW.sub_(tW.grad * LEARNING_RATE)  # in place (``tW -= ...`` would rebind)
                tb.sub_(tb.grad * LEARNING_RATE)
            tW.grad = None
            tb.grad = None
            return loss
        cases["PyTorch eager"] = torch_step
    jax = common.jax_module()
    if jax is not None:
        jnp = jax.numpy
        params = {"W": jnp.asarray(w0), "b": jnp.zeros((1,), jnp.float32)}
        jx, jy = jnp.asarray(inputs), jnp.asarray(targets)

        def loss_fn(p, x, y):
            return jnp.mean(jnp.square(y - (x @ p["W"] + p["b"])))

        @jax.jit
        def update(p, x, y):
            loss, g = jax.value_and_grad(loss_fn)(p, x, y)
            return {k: p[k] - LEARNING_RATE * g[k] for k in p}, loss

        def jax_step():
            new, loss = update(params, jx, jy)
            params.update(new)
            loss.block_until_ready()
        cases["JAX jit"] = jax_step
    return cases


def run(quick=False):
    import tapeflow as tf
    inputs, targets, w0 = lab_data()
    cases = {
        "tapeflow": tapeflow_step(tf, inputs, targets, w0),
        "tapeflow (tensor inputs)": tapeflow_step(tf, tf.constant(inputs), tf.constant(targets),
                                                  w0),
        "numpy": numpy_step(inputs, targets, w0),
    }
    cases.update(others(inputs, targets, w0))
    t = common.compare(cases, **common.settings(quick))
    rest = {k: v for k, v in t.items() if not k.startswith(("tapeflow", "numpy"))}
    return [
        common.result("W1 training step (lab, np inputs)", t["tapeflow"], t["numpy"],
                      TARGET_US, rest),
        common.result("W1 training step (tensor inputs)", t["tapeflow (tensor inputs)"],
                      t["numpy"], TARGET_US),
    ]


if __name__ == "__main__":
    common.main("W1: seed lab training step, us per step", run)
