"""W2: one epoch of Chollet's chapter-2 MNIST network through ``model.fit``.

Dense(512, relu) -> Dense(10, softmax), rmsprop, sparse_categorical_crossentropy, accuracy,
batch 128, on synthetic MNIST-shaped data (60000 x 784 float32 in [0, 1), labels 0..9). Beside
it, in the same run and interleaved epoch by epoch (so machine load hits both alike), the same
network written by hand in NumPy: shuffled batches, forward, softmax cross-entropy, backward,
RMSprop (Keras's formula: rho 0.9, epsilon 1e-7) and the running loss/accuracy means.
Target: fit <= 1.1x the NumPy epoch (about 1.2 s per epoch on the reference machine; TF's fit
2.06 s there).

Run: ``.venv/bin/python bench/w2_fit_epoch.py [--quick] [--json]``
"""

import common
import numpy as np

TARGET_RATIO = 1.1
N, D, H, C, BATCH = 60000, 784, 512, 10, 128


def synthetic(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((N, D), dtype=np.float32)
    y = rng.integers(0, C, N).astype(np.uint8)
    return x, y


def glorot(rng, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


class NumpyNet:
    """The network by hand: forward, backward and RMSprop, all in place where NumPy allows."""

    def __init__(self, seed=0, lr=1e-3, rho=0.9, eps=1e-7):
        rng = np.random.default_rng(seed)
        self.params = [glorot(rng, D, H), np.zeros(H, np.float32), glorot(rng, H, C),
                       np.zeros(C, np.float32)]
        self.acc = [np.zeros_like(p) for p in self.params]
        self.lr, self.rho, self.eps = np.float32(lr), np.float32(rho), np.float32(eps)

    def step(self, x, y):
        w1, b1, w2, b2 = self.params
        n = len(x)
        h = x @ w1
        h += b1
        np.maximum(h, 0, out=h)
        logits = h @ w2
        logits += b2
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        loss = -np.mean(np.log(np.clip(p[rows, y], 1e-7, 1.0)))
        correct = np.count_nonzero(p.argmax(axis=1) == y)
        g = p
        g[rows, y] -= 1.0
        g /= n
        gw2 = h.T @ g
        gb2 = g.sum(axis=0)
        gh = g @ w2.T
        gh *= h > 0
        gw1 = x.T @ gh
        gb1 = gh.sum(axis=0)
        for param, acc, grad in zip(self.params, self.acc, (gw1, gb1, gw2, gb2)):
            acc *= self.rho
            acc += (1 - self.rho) * np.square(grad)
            param -= self.lr * grad / (np.sqrt(acc) + self.eps)
        return loss, correct

    def epoch(self, x, y):
        order = np.random.permutation(len(x))
        total, correct = 0.0, 0
        for start in range(0, len(x), BATCH):
            idx = order[start:start + BATCH]
            loss, c = self.step(x[idx], y[idx].astype(np.int64))
            total += loss * len(idx)
            correct += c
        return total / len(x), correct / len(x)


def tapeflow_model(seed=0):
    from tapeflow import keras
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.layers.Dense(H, activation="relu"),
                              keras.layers.Dense(C, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def run(quick=False):
    """Interleaved blocks (common.compare) of 40-batch fits and 40-batch NumPy epochs, scaled
    to a 60000-sample epoch: medians of many short blocks resist a busy machine far better
    than a few whole epochs."""
    x, y = synthetic()
    sub = BATCH * 40
    xs, ys = x[:sub], y[:sub]
    net, model = NumpyNet(), tapeflow_model()
    model.fit(xs[:BATCH * 4], ys[:BATCH * 4], batch_size=BATCH, epochs=1, verbose=0)
    cases = {
        "tapeflow": lambda: model.fit(xs, ys, batch_size=BATCH, epochs=1, verbose=0),
        "numpy": lambda: net.epoch(xs, ys),
    }
    settings = {"blocks": 5, "block_s": 0.2, "warmup_s": 0.2} if quick else \
        {"blocks": 15, "block_s": 0.5, "warmup_s": 0.5}
    t = common.compare(cases, **settings)
    scale = N / sub
    for v in t.values():
        for k in ("median_us", "min_us", "max_us"):
            v[k] *= scale
    target_us = t["numpy"]["median_us"] * TARGET_RATIO
    return [common.result("W2 fit epoch (60000 samples)", t["tapeflow"], t["numpy"],
                          target_us, note=f"target <= {TARGET_RATIO}x numpy; medians of "
                          f"interleaved blocks of 40-batch epochs, scaled to {N} samples")]


if __name__ == "__main__":
    common.main("W2: MNIST MLP epoch through fit vs NumPy by hand", run)
