"""Finite-difference gradient checks (float64) for every differentiable op, and TF's kink rules.

Each row of ``CASES`` is ``(f, args, order)``: ``check_grads(f, args, order=order)`` compares
the tape's vector-Jacobian products with central differences, and with ``order=2`` also the
gradient of the gradient. Points are drawn from seeded generators and kept away from kinks
(|x| >= 0.2 for relu-like ops, distinct values for max/sort/top_k ...). Piecewise-linear ops
still get ``order=2``: away from a kink their second derivative is 0 and the VJP must agree.
Kink conventions (relu'(0) = 0, ties in maximum go to x ...) were recorded from TF 2.21.
"""
import itertools

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.testing import check_grads

SCALAR, VECTOR, MATRIX = (), (3,), (2, 3)
UNARY_SHAPES = [SCALAR, VECTOR, MATRIX]
# Pairs of operand shapes: equal shapes, and the broadcasts TF users meet.
BINARY_SHAPES = [((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((3, 1), (1, 4)), ((2, 3), (3,)),
                 ((), (2, 3)), ((2, 1, 3), (4, 1))]


def uniform(shape, lo=-2.0, hi=2.0, seed=0):
    return np.random.default_rng(seed).uniform(lo, hi, size=shape)


def away(shape, lo=0.2, hi=2.0, seed=0):
    """Values with |x| in [lo, hi] and a random sign: away from a kink at 0."""
    rng = np.random.default_rng(seed)
    return rng.uniform(lo, hi, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def spd(n, seed=0, batch=()):
    """A well-conditioned matrix (diagonally dominant): safe for inv, det, solve."""
    a = np.random.default_rng(seed).uniform(-1, 1, size=batch + (n, n))
    return a + 3 * np.eye(n)


# Cases that fail because tapeflow is wrong today (strict: the lead removes the entry once
# fixed). Keys are case ids.


def case(name, f, *args, order=2):
    return pytest.param(f, list(args), order, id=name)


def _shape_id(shape):
    return "x".join(map(str, shape)) or "scalar"


# --- elementwise, one input ------------------------------------------------------------------
# (name, function, sampler of points)
UNARY = [
    ("negative", tf.negative, uniform),
    ("math.negative", tf.math.negative, uniform),
    ("neg_operator", lambda x: -x, uniform),
    ("abs", tf.abs, away),
    ("abs_operator", abs, away),
    ("square", tf.square, uniform),
    ("sqrt", tf.sqrt, lambda s, seed: uniform(s, 0.5, 2.0, seed)),
    ("rsqrt", tf.math.rsqrt, lambda s, seed: uniform(s, 0.5, 2.0, seed)),
    ("exp", tf.exp, uniform),
    ("expm1", tf.math.expm1, uniform),
    ("log", tf.math.log, lambda s, seed: uniform(s, 0.5, 2.0, seed)),
    ("log1p", tf.math.log1p, lambda s, seed: uniform(s, -0.5, 2.0, seed)),
    ("sin", tf.sin, uniform),
    ("cos", tf.cos, uniform),
    ("tan", tf.tan, lambda s, seed: uniform(s, -1.0, 1.0, seed)),
    ("tanh", tf.tanh, uniform),
    ("math.tanh", tf.math.tanh, uniform),
    ("sigmoid", tf.sigmoid, uniform),
    ("math.sigmoid", tf.math.sigmoid, uniform),
    ("nn.sigmoid", tf.nn.sigmoid, uniform),
    ("atan", tf.math.atan, uniform),
    ("sinh", tf.math.sinh, uniform),
    ("cosh", tf.math.cosh, uniform),
    ("erf", tf.math.erf, uniform),
    ("reciprocal", tf.math.reciprocal, away),
    ("pow_scalar_exponent", lambda x: tf.pow(x, 3.0), uniform),
    ("pow_operator_half", lambda x: x ** 0.5, lambda s, seed: uniform(s, 0.5, 2.0, seed)),
    ("rpow_operator", lambda x: 2.0 ** x, uniform),
    ("identity", tf.identity, uniform),
    ("cast_f64_f64", lambda x: tf.cast(x, tf.float64), uniform),
    ("relu", tf.nn.relu, away),
    ("relu6", tf.nn.relu6, lambda s, seed: away(s, 0.2, 5.5, seed)),
    ("relu6_above_6", lambda x: tf.nn.relu6(x + 7.0), away),
    ("elu", tf.nn.elu, away),
    ("selu", tf.nn.selu, away),
    ("leaky_relu", tf.nn.leaky_relu, away),
    ("leaky_relu_alpha", lambda x: tf.nn.leaky_relu(x, alpha=0.3), away),
    ("gelu_exact", tf.nn.gelu, uniform),
    ("gelu_tanh", lambda x: tf.nn.gelu(x, approximate=True), uniform),
    ("softplus", tf.nn.softplus, uniform),
    ("math.softplus", tf.math.softplus, uniform),
    ("softsign", tf.nn.softsign, away),
    ("silu", tf.nn.silu, uniform),
    ("swish", tf.nn.swish, uniform),
    ("log_sigmoid", tf.math.log_sigmoid, uniform),
    ("clip_by_value_inside", lambda x: tf.clip_by_value(x, -3.0, 3.0), uniform),
    ("clip_by_value_clipped", lambda x: tf.clip_by_value(x, -0.1, 0.1), away),
    ("maximum_with_const", lambda x: tf.maximum(x, 0.1), away),
    ("minimum_with_const", lambda x: tf.minimum(x, 0.1), away),
]

UNARY_CASES = [
    case(f"{name}-{_shape_id(shape)}", f, sample(shape, seed=i))
    for (name, f, sample), (i, shape) in itertools.product(UNARY, enumerate(UNARY_SHAPES))
]

# --- elementwise, two inputs (with broadcasting) ---------------------------------------------


def _pos(shape, seed):
    return uniform(shape, 0.5, 2.0, seed)


BINARY = [
    ("add", tf.add, uniform, uniform),
    ("math.add", tf.math.add, uniform, uniform),
    ("add_operator", lambda x, y: x + y, uniform, uniform),
    ("subtract", tf.subtract, uniform, uniform),
    ("sub_operator", lambda x, y: x - y, uniform, uniform),
    ("multiply", tf.multiply, uniform, uniform),
    ("mul_operator", lambda x, y: x * y, uniform, uniform),
    ("divide", tf.divide, uniform, away),
    ("truediv_operator", lambda x, y: x / y, uniform, away),
    ("realdiv", tf.realdiv, uniform, away),
    ("pow", tf.pow, _pos, uniform),
    ("pow_operator", lambda x, y: x ** y, _pos, uniform),
    ("squared_difference", tf.math.squared_difference, uniform, uniform),
    ("maximum", tf.maximum, lambda s, seed: uniform(s, 0.5, 2.0, seed),
     lambda s, seed: uniform(s, -2.0, -0.5, seed)),
    ("maximum_y_wins", tf.maximum, lambda s, seed: uniform(s, -2.0, -0.5, seed),
     lambda s, seed: uniform(s, 0.5, 2.0, seed)),
    ("minimum", tf.minimum, lambda s, seed: uniform(s, 0.5, 2.0, seed),
     lambda s, seed: uniform(s, -2.0, -0.5, seed)),
    ("minimum_x_wins", tf.minimum, lambda s, seed: uniform(s, -2.0, -0.5, seed),
     lambda s, seed: uniform(s, 0.5, 2.0, seed)),
    # floormod(x, y) = x - floor(x / y) * y: x / y in (2.06, 2.4), away from the jumps.
    ("floormod", tf.math.floormod, lambda s, seed: uniform(s, 3.2, 3.6, seed),
     lambda s, seed: uniform(s, 1.5, 1.55, seed)),
    ("mod", tf.math.mod, lambda s, seed: uniform(s, 0.2, 1.3, seed),
     lambda s, seed: uniform(s, 1.5, 2.0, seed)),
    ("mod_operator", lambda x, y: x % y, lambda s, seed: uniform(s, 3.2, 3.6, seed),
     lambda s, seed: uniform(s, 1.5, 1.55, seed)),
    ("where_cond_from_x", lambda x, y: tf.where(x > 0, x * y, y), away, uniform),
]

BINARY_CASES = [
    case(f"{name}-{_shape_id(sx)}-{_shape_id(sy)}", f, sx_(sx, seed=i), sy_(sy, seed=i + 100))
    for (name, f, sx_, sy_), (i, (sx, sy)) in itertools.product(BINARY, enumerate(BINARY_SHAPES))
]

# --- reductions and scans --------------------------------------------------------------------
REDUCTIONS = [
    ("reduce_sum", tf.reduce_sum), ("math.reduce_sum", tf.math.reduce_sum),
    ("reduce_mean", tf.reduce_mean),
    ("reduce_max", tf.reduce_max), ("reduce_min", tf.reduce_min),
    ("reduce_prod", tf.reduce_prod), ("reduce_logsumexp", tf.reduce_logsumexp),
    ("reduce_variance", tf.math.reduce_variance), ("reduce_std", tf.math.reduce_std),
    ("reduce_euclidean_norm", tf.math.reduce_euclidean_norm),
]
# (input shape, axis, keepdims)
REDUCTION_AXES = [
    ((), None, False), ((4,), None, False), ((4,), 0, True), ((2, 3), None, False),
    ((2, 3), 0, False), ((2, 3), 1, True), ((2, 3), -1, False), ((2, 3), [0, 1], True),
    ((2, 3, 2), (0, 2), False), ((2, 3, 2), [-1, 1], True),
]


def _reduction(fn, axis, keepdims):
    return lambda x: fn(x, axis=axis, keepdims=keepdims)


REDUCTION_CASES = [
    case(f"{name}-{_shape_id(shape)}-axis{axis}-keep{keep}", _reduction(fn, axis, keep),
         # distinct values (max/min have no ties); prod away from 0
         away(shape, 0.5, 1.5, seed=i))
    for (name, fn), (i, (shape, axis, keep)) in itertools.product(REDUCTIONS,
                                                                   enumerate(REDUCTION_AXES))
    # the std of one element is sqrt(0): not differentiable (TF's gradient is nan too)
    if not (name == "reduce_std" and shape == ())
]

SCANS = [
    case(f"{name}-axis{axis}-excl{exclusive}-rev{reverse}",
         lambda x, fn=fn, a=axis, e=exclusive, r=reverse: fn(x, axis=a, exclusive=e, reverse=r),
         away((3, 4), 0.5, 1.5, seed=7))
    for (name, fn), axis, exclusive, reverse in itertools.product(
        [("cumsum", tf.cumsum), ("math.cumsum", tf.math.cumsum), ("cumprod", tf.math.cumprod)],
        [0, 1, -1], [False, True], [False, True])
] + [
    case("cumsum-vector", tf.cumsum, uniform((5,))),
    case("cumprod-vector", tf.math.cumprod, away((5,), 0.5, 1.5)),
]

# --- linear algebra --------------------------------------------------------------------------
LINALG = [
    case("matmul", tf.matmul, uniform((2, 3)), uniform((3, 4), seed=1)),
    case("linalg.matmul", tf.linalg.matmul, uniform((2, 3)), uniform((3, 4), seed=1)),
    case("matmul_operator", lambda a, b: a @ b, uniform((2, 3)), uniform((3, 4), seed=1)),
    case("matmul_transpose_a", lambda a, b: tf.matmul(a, b, transpose_a=True),
         uniform((3, 2)), uniform((3, 4), seed=1)),
    case("matmul_transpose_b", lambda a, b: tf.matmul(a, b, transpose_b=True),
         uniform((2, 3)), uniform((4, 3), seed=1)),
    case("matmul_transpose_both", lambda a, b: tf.matmul(a, b, transpose_a=True,
                                                         transpose_b=True),
         uniform((3, 2)), uniform((4, 3), seed=1)),
    case("matmul_batched", tf.matmul, uniform((2, 2, 3)), uniform((2, 3, 4), seed=1)),
    case("matmul_batched_transpose_b", lambda a, b: tf.matmul(a, b, transpose_b=True),
         uniform((2, 2, 3)), uniform((2, 4, 3), seed=1)),
    case("matmul_broadcast_batch", tf.matmul, uniform((2, 1, 2, 3)),
         uniform((3, 3, 4), seed=1)),
    case("matmul_batch_with_matrix", tf.matmul, uniform((2, 2, 3)), uniform((3, 4), seed=1)),
    case("matmul_vector_like", tf.matmul, uniform((1, 3)), uniform((3, 1), seed=1)),
    # the fused affine maps under Keras's Dense (the bias gradient is un-broadcast by the walk)
    case("xw_plus_b", tf.compat.v1.nn.xw_plus_b, uniform((4, 3)), uniform((3, 2), seed=1),
         uniform((2,), seed=2)),
    case("xw_plus_b_one_row", tf.compat.v1.nn.xw_plus_b, uniform((1, 3)),
         uniform((3, 1), seed=1), uniform((1,), seed=2)),
    case("relu_layer", tf.compat.v1.nn.relu_layer, uniform((4, 3)), uniform((3, 2), seed=1),
         uniform((2,), seed=2)),
    case("relu_layer_wide", tf.compat.v1.nn.relu_layer, uniform((2, 5)),
         uniform((5, 6), seed=3), uniform((6,), seed=4)),
    case("tensordot_1", lambda a, b: tf.tensordot(a, b, axes=1), uniform((2, 3)),
         uniform((3, 4), seed=1)),
    case("tensordot_2", lambda a, b: tf.tensordot(a, b, axes=2), uniform((2, 3)),
         uniform((2, 3), seed=1)),
    case("tensordot_0_outer", lambda a, b: tf.tensordot(a, b, axes=0), uniform((2,)),
         uniform((3,), seed=1)),
    case("tensordot_lists", lambda a, b: tf.tensordot(a, b, axes=[[0, 2], [2, 0]]),
         uniform((2, 3, 4)), uniform((4, 2, 2), seed=1)),
    case("einsum_matmul", lambda a, b: tf.einsum("ij,jk->ik", a, b), uniform((2, 3)),
         uniform((3, 4), seed=1)),
    case("einsum_diag", lambda a: tf.einsum("ii->i", a), uniform((3, 3))),
    case("einsum_trace", lambda a: tf.einsum("ii", a), uniform((3, 3))),
    case("einsum_sum_all", lambda a: tf.einsum("ij->", a), uniform((2, 3))),
    case("einsum_transpose", lambda a: tf.einsum("ij->ji", a), uniform((2, 3))),
    case("einsum_ellipsis", lambda a, b: tf.einsum("...ij,jk->...ik", a, b),
         uniform((2, 2, 3)), uniform((3, 4), seed=1)),
    case("einsum_batch", lambda a, b: tf.einsum("bij,bjk->bik", a, b), uniform((2, 2, 3)),
         uniform((2, 3, 4), seed=1)),
    case("einsum_outer", lambda a, b: tf.einsum("i,j->ij", a, b), uniform((2,)),
         uniform((3,), seed=1)),
    case("einsum_dot", lambda a, b: tf.einsum("i,i->", a, b), uniform((3,)),
         uniform((3,), seed=1)),
    case("einsum_three", lambda a, b, c: tf.einsum("ij,jk,kl->il", a, b, c), uniform((2, 3)),
         uniform((3, 2), seed=1), uniform((2, 2), seed=2)),
    case("einsum_reduce_one", lambda a, b: tf.einsum("ij,jk->i", a, b), uniform((2, 3)),
         uniform((3, 4), seed=1)),
    case("inv", tf.linalg.inv, spd(3)),
    case("inv_batched", tf.linalg.inv, spd(2, batch=(2,))),
    case("det", tf.linalg.det, spd(3)),
    case("det_batched", tf.linalg.det, spd(2, batch=(3,))),
    case("solve", tf.linalg.solve, spd(3), uniform((3, 2), seed=1)),
    case("solve_batched", tf.linalg.solve, spd(2, batch=(2,)), uniform((2, 2, 1), seed=1)),
    case("trace", tf.linalg.trace, uniform((3, 3))),
    case("trace_batched", tf.linalg.trace, uniform((2, 3, 3))),
    case("diag_part", tf.linalg.diag_part, uniform((3, 3))),
    case("diag", tf.linalg.diag, uniform((3,))),
    case("matrix_transpose", tf.linalg.matrix_transpose, uniform((2, 2, 3))),
    case("norm_euclidean", tf.norm, away((2, 3))),
    case("norm_vector", tf.norm, away((4,))),
    case("linalg.norm", tf.linalg.norm, away((4,))),
    case("norm_axis0", lambda x: tf.norm(x, axis=0), away((2, 3))),
    case("norm_axis1_keepdims", lambda x: tf.norm(x, axis=1, keepdims=True), away((2, 3))),
    case("norm_fro", lambda x: tf.norm(x, ord="fro", axis=[0, 1]), away((2, 3))),
    case("norm_ord2_axis", lambda x: tf.norm(x, ord=2, axis=-1), away((2, 3))),
    case("norm_ord1", lambda x: tf.norm(x, ord=1), away((2, 3))),
    case("norm_ord1_axis", lambda x: tf.norm(x, ord=1, axis=1), away((2, 3))),
    case("norm_inf", lambda x: tf.norm(x, ord=np.inf), away((2, 3))),
    case("norm_inf_axis", lambda x: tf.norm(x, ord=np.inf, axis=0), away((2, 3))),
    case("norm_ord3", lambda x: tf.norm(x, ord=3), away((4,))),
    case("norm_matrix_ord1", lambda x: tf.norm(x, ord=1, axis=[0, 1]), away((3, 3))),
    case("norm_matrix_inf", lambda x: tf.norm(x, ord=np.inf, axis=[-2, -1]), away((2, 3, 3))),
    case("global_norm", lambda a, b: tf.linalg.global_norm([a, b]), away((2, 3)),
         away((3,), seed=1)),
    case("clip_by_norm_clipped", lambda x: tf.clip_by_norm(x, 0.5), away((2, 3))),
    case("clip_by_norm_unclipped", lambda x: tf.clip_by_norm(x, 100.0), away((2, 3))),
    case("clip_by_norm_axes", lambda x: tf.clip_by_norm(x, 1.0, axes=[1]), away((3, 4))),
    case("clip_by_norm_wrt_clip", lambda x, c: tf.clip_by_norm(x, c), away((2, 3)),
         np.array(0.5)),
    case("clip_by_global_norm_clipped",
         lambda a, b: tf.concat([tf.reshape(t, [-1]) for t in
                                 tf.clip_by_global_norm([a, b], 0.5)[0]], 0),
         away((2, 3)), away((3,), seed=1)),
    case("clip_by_global_norm_unclipped",
         lambda a, b: tf.concat([tf.reshape(t, [-1]) for t in
                                 tf.clip_by_global_norm([a, b], 100.0)[0]], 0),
         away((2, 3)), away((3,), seed=1)),
    case("clip_by_global_norm_norm", lambda a, b: tf.clip_by_global_norm([a, b], 0.5)[1],
         away((2, 3)), away((3,), seed=1)),
]

# --- shape manipulation, indexing, gather/scatter --------------------------------------------
IDX = np.array([2, 0, 2, 1])  # a repeated index: gradients must accumulate

MANIPULATION = [
    case("reshape", lambda x: tf.reshape(x, [3, 2]), uniform((2, 3))),
    case("reshape_minus1", lambda x: tf.reshape(x, [-1]), uniform((2, 3))),
    case("reshape_to_scalar", lambda x: tf.reshape(x, []), uniform((1, 1))),
    case("transpose", tf.transpose, uniform((2, 3))),
    case("transpose_perm", lambda x: tf.transpose(x, perm=[2, 0, 1]), uniform((2, 3, 4))),
    case("expand_dims", lambda x: tf.expand_dims(x, 1), uniform((2, 3))),
    case("expand_dims_neg", lambda x: tf.expand_dims(x, -1), uniform((3,))),
    case("squeeze", tf.squeeze, uniform((1, 3, 1))),
    case("squeeze_axis", lambda x: tf.squeeze(x, axis=[2]), uniform((1, 3, 1))),
    case("concat", lambda a, b: tf.concat([a, b], 0), uniform((2, 3)), uniform((1, 3), seed=1)),
    case("concat_axis1", lambda a, b: tf.concat([a, b], axis=-1), uniform((2, 3)),
         uniform((2, 2), seed=1)),
    case("concat_same_tensor", lambda a: tf.concat([a, a * 2.0], 0), uniform((2, 3))),
    case("stack", lambda a, b: tf.stack([a, b]), uniform((2, 3)), uniform((2, 3), seed=1)),
    case("stack_axis1", lambda a, b: tf.stack([a, b], axis=1), uniform((2, 3)),
         uniform((2, 3), seed=1)),
    case("stack_scalars", lambda a, b: tf.stack([a, b]), uniform(()), uniform((), seed=1)),
    case("unstack", lambda x: tf.unstack(x)[1] * 2.0 + tf.unstack(x)[0], uniform((3, 2))),
    case("unstack_axis1_partial", lambda x: tf.unstack(x, axis=1)[2], uniform((2, 3))),
    case("unstack_restack", lambda x: tf.stack(tf.unstack(x, axis=1)[::-1]), uniform((2, 3))),
    case("split_num", lambda x: tf.split(x, 2, axis=1)[1], uniform((2, 4))),
    case("split_sizes", lambda x: tf.concat(tf.split(x, [1, -1], axis=0)[::-1], 0),
         uniform((3, 2))),
    case("split_sizes_partial", lambda x: tf.split(x, [1, 2, 1], axis=1)[1], uniform((2, 4))),
    case("tile", lambda x: tf.tile(x, [2, 3]), uniform((2, 3))),
    case("tile_vector", lambda x: tf.tile(x, [3]), uniform((2,))),
    case("pad_constant", lambda x: tf.pad(x, [[1, 0], [2, 1]]), uniform((2, 3))),
    case("pad_constant_value", lambda x: tf.pad(x, [[1, 1], [0, 1]], constant_values=3.0),
         uniform((2, 3))),
    case("pad_reflect", lambda x: tf.pad(x, [[1, 1], [2, 2]], mode="REFLECT"),
         uniform((3, 4))),
    case("pad_symmetric", lambda x: tf.pad(x, [[1, 2], [2, 3]], mode="SYMMETRIC"),
         uniform((3, 4))),
    case("pad_reflect_lower", lambda x: tf.pad(x, [[2, 1]], mode="reflect"), uniform((4,))),
    case("slice", lambda x: tf.slice(x, [0, 1], [2, 2]), uniform((3, 4))),
    case("slice_minus1", lambda x: tf.slice(x, [1, 0], [-1, 3]), uniform((3, 4))),
    case("getitem_int", lambda x: x[1], uniform((3, 4))),
    case("getitem_two_ints", lambda x: x[1, 2], uniform((3, 4))),
    case("getitem_negative", lambda x: x[-1, -2], uniform((3, 4))),
    case("getitem_slice", lambda x: x[1:], uniform((3, 4))),
    case("getitem_step", lambda x: x[::2, 1::2], uniform((5, 4))),
    case("getitem_negative_step", lambda x: x[::-1, -1:0:-2], uniform((3, 5))),
    case("getitem_ellipsis", lambda x: x[..., 1], uniform((2, 3, 4))),
    case("getitem_newaxis", lambda x: x[:, tf.newaxis, 1:3], uniform((2, 4))),
    case("getitem_ellipsis_newaxis", lambda x: x[tf.newaxis, ..., None], uniform((2, 3))),
    case("getitem_tensor_index", lambda x: x[tf.constant(1)], uniform((3, 4))),
    case("getitem_overlapping_reads", lambda x: x[0] * x[1:2] + x[:, 0:1], uniform((3, 3))),
    case("iterate", lambda x: tf.stack([r * float(i + 1) for i, r in enumerate(x)]),
         uniform((3, 2))),
    case("gather", lambda x: tf.gather(x, IDX), uniform((3, 2))),
    case("gather_axis1", lambda x: tf.gather(x, IDX, axis=1), uniform((2, 3))),
    case("gather_2d_indices", lambda x: tf.gather(x, [[0, 1], [2, 2]]), uniform((3, 2))),
    case("gather_batch_dims", lambda x: tf.gather(x, [[0, 2, 2], [1, 0, 1]], axis=1,
                                                   batch_dims=1), uniform((2, 3, 2))),
    case("gather_nd", lambda x: tf.gather_nd(x, [[0, 1], [2, 0], [0, 1]]), uniform((3, 2))),
    case("gather_nd_rows", lambda x: tf.gather_nd(x, [[1], [0], [1]]), uniform((2, 3))),
    case("gather_nd_batch_dims", lambda x: tf.gather_nd(x, [[1], [0]], batch_dims=1),
         uniform((2, 3, 2))),
    case("scatter_nd", lambda u: tf.scatter_nd([[0], [2], [0]], u, [4, 2]), uniform((3, 2))),
    case("scatter_nd_elements", lambda u: tf.scatter_nd([[0, 1], [1, 0]], u, [2, 2]),
         uniform((2,))),
    case("tensor_scatter_nd_update",
         lambda t, u: tf.tensor_scatter_nd_update(t, [[0], [2]], u), uniform((3, 2)),
         uniform((2, 2), seed=1)),
    case("tensor_scatter_nd_add",
         lambda t, u: tf.tensor_scatter_nd_add(t, [[0], [2], [0]], u), uniform((3, 2)),
         uniform((3, 2), seed=1)),
    case("tensor_scatter_nd_sub",
         lambda t, u: tf.tensor_scatter_nd_sub(t, [[1, 1], [0, 0]], u), uniform((3, 2)),
         uniform((2,), seed=1)),
    case("boolean_mask", lambda x: tf.boolean_mask(x, [True, False, True]), uniform((3, 2))),
    case("boolean_mask_2d", lambda x: tf.boolean_mask(x, [[True, False], [False, True]]),
         uniform((2, 2))),
    case("boolean_mask_axis1", lambda x: tf.boolean_mask(x, [False, True, True], axis=1),
         uniform((2, 3))),
    case("where", lambda x, y: tf.where([[True, False, True], [False, False, True]], x, y),
         uniform((2, 3)), uniform((2, 3), seed=1)),
    case("where_broadcast", lambda x, y: tf.where([True, False, True], x, y),
         uniform((2, 3)), uniform((3,), seed=1)),
    case("broadcast_to", lambda x: tf.broadcast_to(x, [2, 3]), uniform((3,))),
    case("broadcast_to_middle", lambda x: tf.broadcast_to(x, [2, 3, 4]), uniform((2, 1, 4))),
    case("reverse", lambda x: tf.reverse(x, [0]), uniform((3, 2))),
    case("reverse_two_axes", lambda x: tf.reverse(x, [0, -1]), uniform((3, 2))),
    case("repeat_axis", lambda x: tf.repeat(x, 2, axis=1), uniform((2, 3))),
    case("repeat_counts", lambda x: tf.repeat(x, [1, 0, 3], axis=0), uniform((3, 2))),
    case("repeat_flat", lambda x: tf.repeat(x, 2), uniform((2, 2))),
    case("sort", tf.sort, uniform((5,))),
    case("sort_descending", lambda x: tf.sort(x, direction="DESCENDING", axis=0),
         uniform((3, 2))),
    case("top_k_values", lambda x: tf.math.top_k(x, k=2).values, uniform((3, 4))),
    case("top_k_unsorted", lambda x: tf.math.top_k(x, k=3, sorted=False).values,
         uniform((5,))),
    case("add_n", lambda a, b: tf.add_n([a, b, a]), uniform((2, 3)), uniform((2, 3), seed=1)),
    case("unsorted_segment_sum",
         lambda x: tf.math.unsorted_segment_sum(x, [0, 2, 0], num_segments=3), uniform((3, 2))),
    case("unsorted_segment_sum_negative_ids",  # dropped rows get a zero gradient
         lambda x: tf.math.unsorted_segment_sum(x, [0, -1, 1, 0], num_segments=2),
         uniform((4, 3))),
]

# --- neural-network ops ----------------------------------------------------------------------


def _probs(shape, seed=0):
    """Rows that sum to 1 (soft labels)."""
    p = np.exp(uniform(shape, seed=seed))
    return p / p.sum(-1, keepdims=True)


NN = [
    case("softmax", tf.nn.softmax, uniform((2, 4))),
    case("softmax_vector", tf.nn.softmax, uniform((4,))),
    case("softmax_axis0", lambda x: tf.nn.softmax(x, axis=0), uniform((3, 2))),
    case("math.softmax", tf.math.softmax, uniform((2, 4))),
    case("softmax_large_logits", tf.nn.softmax, uniform((2, 3)) + 500.0),
    case("log_softmax", tf.nn.log_softmax, uniform((2, 4))),
    case("log_softmax_axis0", lambda x: tf.nn.log_softmax(x, axis=0), uniform((3, 2))),
    case("log_softmax_large_logits", tf.nn.log_softmax, uniform((2, 3)) - 800.0),
    case("sigmoid_xent_both",
         lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
         uniform((2, 3), 0, 1), away((2, 3), seed=1)),
    case("sigmoid_xent_large",
         lambda x: tf.nn.sigmoid_cross_entropy_with_logits(
             labels=tf.constant([[0.0, 1.0, 0.3]], tf.float64), logits=x),
         np.array([[40.3, -50.2, 60.1]])),
    case("softmax_xent_logits",
         lambda x: tf.nn.softmax_cross_entropy_with_logits(
             labels=tf.constant(_probs((2, 4)), tf.float64), logits=x), uniform((2, 4), seed=1)),
    case("softmax_xent_axis0",
         lambda x: tf.nn.softmax_cross_entropy_with_logits(
             labels=tf.constant(_probs((4, 3)).T, tf.float64), logits=x, axis=0),
         uniform((3, 4), seed=1)),
    # TF's fused kernel: d/dlogits = softmax - labels (labels assumed to sum to 1), so the
    # mixed second derivative differs from the math; first order only w.r.t. both arguments.
    case("softmax_xent_both",
         lambda z, x: tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=x),
         _probs((2, 4)), uniform((2, 4), seed=1), order=1),
    case("sparse_softmax_xent",
         lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(
             labels=tf.constant([3, 0]), logits=x), uniform((2, 4))),
    case("sparse_softmax_xent_large",
         lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(
             labels=tf.constant([1, 2], tf.int64), logits=x), uniform((2, 3)) * 100.0,
         order=1),
    case("l2_normalize", tf.nn.l2_normalize, away((2, 3))),
    case("l2_normalize_axis", lambda x: tf.nn.l2_normalize(x, axis=1), away((2, 3))),
    case("math.l2_normalize_axis0", lambda x: tf.math.l2_normalize(x, axis=0), away((2, 3))),
    case("bias_add", tf.nn.bias_add, uniform((2, 3)), uniform((3,), seed=1)),
    case("bias_add_4d", tf.nn.bias_add, uniform((2, 2, 2, 3)), uniform((3,), seed=1)),
    case("moments_mean", lambda x: tf.nn.moments(x, axes=[0])[0], uniform((3, 2))),
    # TF's moments stops the gradient through the mean inside the variance: first order is
    # exact (the dropped term sums to zero), the second derivative is TF's, not the math's.
    case("moments_variance", lambda x: tf.nn.moments(x, axes=[0, 1])[1], uniform((3, 2)),
         order=1),
    case("moments_keepdims", lambda x: tf.nn.moments(x, axes=[1], keepdims=True)[1],
         uniform((3, 2)), order=1),
    case("dropout_rate0", lambda x: tf.nn.dropout(x, rate=0.0), uniform((2, 3))),
]


def _seeded(fn):
    def draw(*args):
        tf.random.set_seed(1234)  # the same draw at every finite-difference probe
        return fn(*args)
    return draw


RANDOM = [
    case("random.normal_mean_stddev",
         _seeded(lambda m, s: tf.random.normal([3, 2], mean=m, stddev=s, dtype=tf.float64)),
         np.array(0.5), np.array(1.5)),
    case("random.normal_broadcast_mean",
         _seeded(lambda m: tf.random.normal([2, 3], mean=m, dtype=tf.float64)), uniform((3,))),
    case("random.truncated_normal_mean_stddev",
         _seeded(lambda m, s: tf.random.truncated_normal([4], mean=m, stddev=s,
                                                         dtype=tf.float64)),
         np.array(-0.5), np.array(2.0)),
    case("random.uniform_minval_maxval",
         _seeded(lambda lo, hi: tf.random.uniform([4], minval=lo, maxval=hi, dtype=tf.float64)),
         np.array(-1.0), np.array(3.0)),
    case("random.stateless_normal",
         lambda m, s: tf.random.stateless_normal([3], seed=[1, 2], mean=m, stddev=s,
                                                 dtype=tf.float64),
         np.array(0.5), np.array(1.5)),
]

COMPOSITIONS = [
    # A small network: matmul, bias, activation, loss -- what a training step differentiates.
    case("dense_mse", lambda x, w, b: tf.reduce_mean(tf.square(tf.tanh(x @ w + b) - 0.5)),
         uniform((4, 3)), uniform((3, 2), seed=1), uniform((2,), seed=2)),
    case("reused_input", lambda x: x * x * tf.sin(x) + x, uniform((3,))),
    case("logistic_regression",
         lambda w, b: tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
             labels=tf.constant([[1.0], [0.0], [1.0]], tf.float64),
             logits=tf.constant(uniform((3, 2), seed=5)) @ w + b)),
         uniform((2, 1)), uniform((1,), seed=1)),
]

ALL_CASES = (UNARY_CASES + BINARY_CASES + REDUCTION_CASES + SCANS + LINALG + MANIPULATION + NN
             + RANDOM + COMPOSITIONS)


@pytest.fixture(autouse=True)
def _no_global_seed_afterwards():
    yield
    tf.random.set_seed(None)  # the random.* cases set a seed: leave no trace for other tests


@pytest.mark.parametrize("f, args, order", ALL_CASES)
def test_gradient_matches_finite_differences(f, args, order):
    check_grads(f, args, order=order)


# --- TF's conventions at kinks and for non-differentiable ops (recorded from TF 2.21) ---------


def grads(f, *values, dtype=tf.float64):
    xs = [tf.constant(v, dtype) for v in values]
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = f(*xs)
    return [None if g is None else g.numpy() for g in tape.gradient(y, xs)]


POINTS = [-1.0, 0.0, 1.0, 6.0, 7.0]

KINKS = [
    ("relu", tf.nn.relu, [0, 0, 1, 1, 1]),
    ("relu6", tf.nn.relu6, [0, 0, 1, 0, 0]),
    ("leaky_relu", tf.nn.leaky_relu, [0.2, 0.2, 1, 1, 1]),
    ("elu", tf.nn.elu, [np.exp(-1.0), 1, 1, 1, 1]),
    ("abs", tf.abs, [-1, 0, 1, 1, 1]),
    ("sign", tf.sign, [0, 0, 0, 0, 0]),
    ("clip_by_value", lambda x: tf.clip_by_value(x, 0.0, 6.0), [0, 1, 1, 1, 0]),
    ("softplus", tf.nn.softplus, 1 / (1 + np.exp(-np.array(POINTS)))),
]


@pytest.mark.parametrize("f, expected", [pytest.param(f, e, id=n) for n, f, e in KINKS])
def test_kink_convention(f, expected):
    (g,) = grads(f, POINTS)
    np.testing.assert_allclose(g, expected, rtol=1e-6)


def test_maximum_tie_goes_to_x():
    gx, gy = grads(tf.maximum, [1.0, 2.0, 3.0], [1.0, 1.0, 4.0])
    np.testing.assert_array_equal(gx, [1, 1, 0])
    np.testing.assert_array_equal(gy, [0, 0, 1])


def test_minimum_tie_goes_to_x():
    gx, gy = grads(tf.minimum, [1.0, 2.0, 3.0], [1.0, 1.0, 4.0])
    np.testing.assert_array_equal(gx, [1, 0, 1])
    np.testing.assert_array_equal(gy, [0, 1, 0])


def test_maximum_tie_with_broadcast_sums_into_y():
    gx, gy = grads(tf.maximum, [[1.0, 1.0]], [1.0])
    np.testing.assert_array_equal(gx, [[1, 1]])
    np.testing.assert_array_equal(gy, [0])


def test_clip_by_value_at_bounds_passes_gradient_and_bounds_get_the_rest():
    gx, glo, ghi = grads(lambda x, lo, hi: tf.clip_by_value(x, lo, hi), POINTS, 0.0, 6.0)
    np.testing.assert_array_equal(gx, [0, 1, 1, 1, 0])
    assert float(glo) == 1.0 and float(ghi) == 1.0


@pytest.mark.parametrize("f, x, expected", [
    pytest.param(tf.reduce_max, [1.0, 3.0, 3.0, 2.0], [0, 0.5, 0.5, 0], id="max"),
    pytest.param(tf.reduce_min, [1.0, 3.0, 1.0, 2.0], [0.5, 0, 0.5, 0], id="min"),
    pytest.param(lambda x: tf.reduce_max(x, axis=1), [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]],
                 [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]], id="max_axis1"),
    pytest.param(lambda x: tf.reduce_max(x, axis=0), [[1.0, 1.0], [1.0, 2.0]],
                 [[0.5, 0], [0.5, 1]], id="max_axis0"),
    pytest.param(lambda x: tf.norm(x, ord=np.inf), [1.0, -3.0, 3.0], [0, -0.5, 0.5],
                 id="norm_inf"),
])
def test_reduce_extreme_ties_share_equally(f, x, expected):
    (g,) = grads(f, x)
    np.testing.assert_allclose(g, expected)


@pytest.mark.parametrize("f", [tf.round, tf.floor, tf.math.ceil, tf.math.rint,
                               lambda x: tf.cast(x, tf.int32), lambda x: tf.argmax(x),
                               lambda x: tf.cast(tf.equal(x, 1.0), tf.float64),
                               lambda x: tf.math.floordiv(x, 2.0)],
                         ids=["round", "floor", "ceil", "rint", "cast_int", "argmax",
                              "equal", "floordiv"])
def test_piecewise_constant_ops_are_unconnected(f):
    assert grads(f, [0.3, 1.7, -2.5]) == [None]


def test_stop_gradient_blocks_only_its_branch():
    (g,) = grads(lambda x: tf.stop_gradient(x) * x, [3.0, -2.0])
    np.testing.assert_array_equal(g, [3.0, -2.0])
    assert grads(tf.stop_gradient, [1.0]) == [None]


def test_sign_gradient_is_zeros():
    (g,) = grads(tf.sign, [-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(g, [0, 0, 0])


def test_cast_float64_to_float32_passes_gradient_back_in_float64():
    x = tf.constant([1.5, -2.0], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(x, tf.float32) * 3.0
    g = tape.gradient(y, x)
    assert g.dtype == tf.float64
    np.testing.assert_array_equal(g.numpy(), [3.0, 3.0])


def test_cast_float32_to_float64_gradient_is_float32():
    x = tf.constant([1.5, -2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(x, tf.float64) ** 2
    g = tape.gradient(y, x)
    assert g.dtype == tf.float32
    np.testing.assert_allclose(g.numpy(), [3.0, -4.0])


def test_floormod_gradient_values():
    gx, gy = grads(tf.math.floormod, [3.3], [1.5])
    np.testing.assert_allclose(gx, [1.0])
    np.testing.assert_allclose(gy, [-2.0])


def test_sort_and_top_k_ties_route_to_one_element():
    (g,) = grads(lambda x: tf.sort(x) * [1.0, 2.0, 3.0], [1.0, 1.0, 2.0])
    np.testing.assert_array_equal(g, [1, 2, 3])
    (g,) = grads(lambda x: tf.math.top_k(x, 2).values * [1.0, 2.0], [1.0, 2.0, 2.0])
    np.testing.assert_array_equal(g, [0, 1, 2])


def test_sigmoid_cross_entropy_gradient_wrt_labels_is_minus_logits():
    gz, gx = grads(lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
                   [0.3], [0.5])
    np.testing.assert_allclose(gz, [-0.5])
    np.testing.assert_allclose(gx, [1 / (1 + np.exp(-0.5)) - 0.3])


def test_stable_cross_entropies_have_finite_gradients_at_huge_logits():
    (g,) = grads(lambda x: tf.nn.softmax_cross_entropy_with_logits(
        labels=tf.constant([[0.0, 1.0, 0.0]], tf.float64), logits=x), [[1000.0, -1000.0, 0.0]])
    np.testing.assert_allclose(g, [[1, -1, 0]])
    (g,) = grads(lambda x: tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.constant([1.0, 0.0], tf.float64), logits=x), [-1000.0, 1000.0])
    np.testing.assert_allclose(g, [-1, 1])
    (g,) = grads(tf.reduce_logsumexp, [1000.0, 1000.0])
    np.testing.assert_allclose(g, [0.5, 0.5])


def test_pow_at_zero_base():
    # TF: d/dx x**2 at 0 is 0 and d/dy 0**y is 0 (not nan from log(0)).
    gx, gy = grads(tf.pow, [0.0], [2.0])
    np.testing.assert_array_equal(gx, [0.0])
    np.testing.assert_array_equal(gy, [0.0])


def test_pow_negative_base_integer_exponent():
    gx, gy = grads(tf.pow, [-2.0], [2.0])
    np.testing.assert_array_equal(gx, [-4.0])
    np.testing.assert_array_equal(gy, [0.0])


def test_clip_by_norm_of_zero_is_finite():
    (g,) = grads(lambda x: tf.clip_by_norm(x, 1.0), [0.0, 0.0])
    np.testing.assert_array_equal(g, [1.0, 1.0])


def test_l2_normalize_of_zero_uses_epsilon():
    (g,) = grads(tf.nn.l2_normalize, [0.0, 0.0])
    np.testing.assert_allclose(g, [1e6, 1e6], rtol=1e-6)


def test_divide_no_nan_gradient():
    gx, gy = grads(tf.math.divide_no_nan, [1.0, 2.0], [0.0, 2.0])
    np.testing.assert_array_equal(gx, [0.0, 0.5])
    np.testing.assert_array_equal(gy, [0.0, -0.5])


def test_float32_gradients_stay_float32():
    for f in (tf.exp, tf.nn.relu, tf.nn.softmax, tf.reduce_logsumexp, tf.nn.gelu,
              lambda x: tf.norm(x), lambda x: x @ tf.transpose(x)):
        (g,) = grads(f, [[0.5, -1.0]], dtype=tf.float32)
        assert g.dtype == np.float32


# === Regressions: TF behaviours tapeflow once got wrong (found by gradient and contract checks) ===


def test_selu_kink_convention():
    (g,) = grads(tf.nn.selu, POINTS)
    scale, alpha = 1.0507009873554805, 1.6732632423543772
    np.testing.assert_allclose(g, [scale * alpha * np.exp(-1.0), scale, scale, scale, scale],
                               rtol=1e-6)


def test_python_float_constant_keeps_float64_precision_in_gradients():
    (g,) = grads(lambda x: x * 0.1, [1.0, 2.0])
    np.testing.assert_array_equal(g, [0.1, 0.1])
    (g,) = grads(lambda x: tf.multiply(x, 1.0507009873554805), [1.0])
    np.testing.assert_array_equal(g, [1.0507009873554805])


def test_divide_no_nan_is_its_composition_bit_for_bit():
    # One op for floats; its value, gradient and second derivative are the composition's.
    from tapeflow.ops import comparison, manipulation
    from tapeflow.ops import elementwise as E

    def composed(x, y):
        zero = comparison.equal(y, 0)
        safe = manipulation.where(zero, np.ones((), y.dtype.as_numpy_dtype), y)
        return manipulation.where(comparison.equal(y, 0), np.zeros((), x.dtype.as_numpy_dtype),
                                  E.divide(x, safe))

    rng = np.random.default_rng(3)
    xv = rng.standard_normal((3, 4)).astype(np.float32)
    yv = np.where(rng.random(4) < 0.5, 0, rng.standard_normal(4)).astype(np.float32)
    results = []
    for f in (tf.math.divide_no_nan, composed):
        x, y = tf.Variable(xv), tf.Variable(yv)
        with tf.GradientTape(persistent=True) as outer:
            with tf.GradientTape() as inner:
                z = f(x, y)
                s = tf.reduce_sum(z * z)
            gx, gy = inner.gradient(s, [x, y])
            t = tf.reduce_sum(gx) + tf.reduce_sum(gy)
        hx, hy = outer.gradient(t, [x, y])
        results.append([v.numpy() for v in (z, gx, gy, hx, hy)])
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
