"""W3: the overhead of one eager op on 2x2 float32 tensors.

On 2x2 the arithmetic is free: what is measured is dispatch (operand checks, wrapping the
result, the "is a tape recording?" test). Each tapeflow op is set beside the NumPy call doing
the same arithmetic on 2x2 arrays. Target: <= 1.5 us per op (TF 18 us, PyTorch 1.3 us).

Run: ``.venv/bin/python bench/w3_op_overhead.py [--quick] [--json]``
"""
import numpy as np

import common

TARGET_US = 1.5

# label -> (tapeflow statement, numpy statement); statements are compiled into the timing loop.
OPS = {
    "W3 a + b": ("a + b", "na + nb"),
    "W3 tf.add(a, b)": ("tf.add(a, b)", "np.add(na, nb)"),
    "W3 tf.matmul(a, b)": ("tf.matmul(a, b)", "np.matmul(na, nb)"),
    "W3 a @ b": ("a @ b", "na @ nb"),
}


def others(ns):
    """Statements for the frameworks that import, per op label."""
    extra = {}
    tf = common.real_tensorflow()
    if tf is not None:
        ns["rtf"] = tf
        ns["ta"], ns["tb"] = tf.constant(ns["na"]), tf.constant(ns["nb"])
        extra["TensorFlow eager"] = {"W3 a + b": "ta + tb", "W3 tf.add(a, b)": "rtf.add(ta, tb)",
                                     "W3 tf.matmul(a, b)": "rtf.matmul(ta, tb)",
                                     "W3 a @ b": "ta @ tb"}
    torch = common.torch_module()
    if torch is not None:
        ns["torch"] = torch
        ns["pa"], ns["pb"] = torch.from_numpy(ns["na"]), torch.from_numpy(ns["nb"])
        extra["PyTorch"] = {"W3 a + b": "pa + pb", "W3 tf.add(a, b)": "torch.add(pa, pb)",
                            "W3 tf.matmul(a, b)": "torch.matmul(pa, pb)", "W3 a @ b": "pa @ pb"}
    return extra


def run(quick=False):
    import tapeflow as tf
    rng = np.random.default_rng(0)
    na = rng.standard_normal((2, 2)).astype(np.float32)
    nb = rng.standard_normal((2, 2)).astype(np.float32)
    ns = {"tf": tf, "np": np, "na": na, "nb": nb, "a": tf.constant(na), "b": tf.constant(nb)}
    extra = others(ns)
    # All the cases in one round-robin, so a busy moment on the machine hits every op alike.
    cases = {}
    for label, (tf_stmt, np_stmt) in OPS.items():
        cases[(label, "tapeflow")] = tf_stmt
        cases[(label, "numpy")] = np_stmt
        for fw, stmts in extra.items():
            cases[(label, fw)] = stmts[label]
    t = common.compare(cases, ns, **common.settings(quick))
    results = []
    for label in OPS:
        rest = {fw: t[(label, fw)] for fw in extra}
        results.append(common.result(label, t[(label, "tapeflow")], t[(label, "numpy")],
                                     TARGET_US, rest))
    return results


if __name__ == "__main__":
    common.main("W3: one eager op on 2x2 float32, us per op", run)
