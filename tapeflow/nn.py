"""tf.nn: activations, softmax, cross-entropies, dropout."""
from tapeflow.ops import _primitive as P
from tapeflow.ops import comparison, elementwise, manipulation, random_ops
from tapeflow.ops.elementwise import sigmoid, tanh  # noqa: F401
from tapeflow.ops.manipulation import in_top_k  # noqa: F401
from tapeflow.ops.nn_ops import (  # noqa: F401
    avg_pool, avg_pool2d, bias_add, conv2d, elu, gelu, l2_loss, l2_normalize, leaky_relu,
    log_softmax, max_pool, max_pool2d, moments, relu, relu6, selu,
    sigmoid_cross_entropy_with_logits, silu, softmax, softmax_cross_entropy_with_logits,
    softplus, softsign, sparse_softmax_cross_entropy_with_logits, swish,
    weighted_cross_entropy_with_logits)
from tapeflow.tensor import Tensor

softmax_cross_entropy_with_logits_v2 = softmax_cross_entropy_with_logits


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zero each element with probability ``rate``; scale the rest by 1 / (1 - rate)."""
    x = P.unary(x)
    rate = float(rate)
    if not 0 <= rate < 1:
        raise ValueError(f"rate must be a scalar tensor or a float in the range [0, 1), got "
                         f"{rate}")
    if rate == 0:
        return x
    shape = x._value.shape if noise_shape is None else tuple(
        d if d is not None else s for d, s in zip(P.int_list(noise_shape, "Dropout", "noise"),
                                                  x._value.shape))
    u = random_ops.uniform(random_ops.stream(seed), shape, x._value.dtype)
    keep = comparison.greater_equal(Tensor(u), rate)
    scaled = elementwise.multiply(x, 1 / (1 - rate))
    return manipulation.where(keep, scaled, elementwise.zeros_like_value(scaled))
