"""W4: one small tape step on 2x2: forward + backward of reduce_sum(a*b + a), a and b watched.

The NumPy version computes the same forward value and the same two gradients by hand
(d/da = b + 1, d/db = a). Target: <= 30 us (TF 527 us, PyTorch 46 us).

Run: ``.venv/bin/python bench/w4_tape_step.py [--quick] [--json]``
"""
import numpy as np

import common

TARGET_US = 30.0


def tapeflow_step(tf, a, b):
    def step():
        with tf.GradientTape() as tape:
            tape.watch(a)
            tape.watch(b)
            y = tf.reduce_sum(a * b + a)
        return tape.gradient(y, [a, b])
    return step


def numpy_step(na, nb):
    one = np.float32(1)

    def step():
        y = np.sum(na * nb + na)
        ga = np.ones_like(na) * (nb + one)  # seed (ones) spread through the sum, times d/da
        gb = np.ones_like(nb) * na
        return y, ga, gb
    return step


def others(na, nb):
    cases = {}
    tf = common.real_tensorflow()
    if tf is not None:
        cases["TensorFlow eager"] = tapeflow_step(tf, tf.constant(na), tf.constant(nb))
    torch = common.torch_module()
    if torch is not None:
        pa = torch.tensor(na, requires_grad=True)
        pb = torch.tensor(nb, requires_grad=True)

        def torch_step():
            y = (pa * pb + pa).sum()
            return torch.autograd.grad(y, [pa, pb])
        cases["PyTorch"] = torch_step
    return cases


def run(quick=False):
    import tapeflow as tf
    rng = np.random.default_rng(0)
    na = rng.standard_normal((2, 2)).astype(np.float32)
    nb = rng.standard_normal((2, 2)).astype(np.float32)
    cases = {"tapeflow": tapeflow_step(tf, tf.constant(na), tf.constant(nb)),
             "numpy": numpy_step(na, nb)}
    cases.update(others(na, nb))
    t = common.compare(cases, **common.settings(quick))
    rest = {k: v for k, v in t.items() if k not in ("tapeflow", "numpy")}
    return [common.result("W4 tape step 2x2", t["tapeflow"], t["numpy"], TARGET_US, rest)]


if __name__ == "__main__":
    common.main("W4: one small tape step, us per step", run)
