"""Record Keras goldens (losses, activations, metrics, optimizers, schedules, progbar) from REAL
TensorFlow 2.21 + Keras 3:

    /root/tfvenv/bin/python tests/golden/keras_training/record_keras.py [group ...]

Writes tests/golden/keras_training/<group>.json: a list of {"id", "code", "result"} where
``code`` runs with ``tf``, ``np`` and ``keras`` in scope (see _snippets.py). The tests in
tests/keras/ run the same code on tapeflow and compare. Only this script imports tensorflow.
"""
import json
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _snippets  # noqa: E402

# -- losses ------------------------------------------------------------------------------------
YT_REG = "tf.constant([[0., 1., 2.], [3., -1., 0.5]])"
YP_REG = "tf.constant([[0.5, 1., 4.], [2., 1., 0.]])"
YT_1H = "tf.constant([[0., 1., 0.], [0., 0., 1.], [1., 0., 0.]])"
P_OK = "tf.constant([[0.05, 0.9, 0.05], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]])"
# zeros and ones: clipping decides
P_EXT = "tf.constant([[0., 1., 0.], [1., 0., 0.], [0.5, 0.5, 0.]])"
P_UNNORM = "tf.constant([[1., 2., 1.], [0.2, 0.2, 0.6], [3., 0., 1.]])"  # rows not summing to 1
LOGITS = "[[2., -1., 0.5], [100., -100., 0.], [0., 0., 0.]]"
LOGITS_EXT = "[[200., -300., 0.], [-50., 60., 0.], [1e4, 0., -1e4]]"
SPARSE = "tf.constant([1, 2, 0])"
YT_BIN = "tf.constant([[1.], [0.], [1.], [0.]])"
P_BIN = "tf.constant([[0.9], [0.2], [0.], [1.]])"
LOG_BIN = "tf.constant([[3.], [-2.], [-80.], [90.]])"

REGRESSION = ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
              "mean_squared_logarithmic_error", "huber", "log_cosh", "cosine_similarity",
              "poisson", "hinge", "squared_hinge", "categorical_hinge"]


def loss_cases():
    c = []
    for fn in REGRESSION:
        c.append((f"fn/{fn}", f"keras.losses.{fn}(tf.constant({YT_REG}), tf.constant({YP_REG}))"))
    for cls in ["MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
                "MeanSquaredLogarithmicError", "Huber", "LogCosh", "Poisson", "Hinge"]:
        c.append((f"cls/{cls}", f"keras.losses.{cls}()({YT_REG}, {YP_REG})"))
    c += [
        ("huber/delta", f"keras.losses.Huber(delta=0.5)({YT_REG}, {YP_REG})"),
        ("mse/rank1", "keras.losses.MeanSquaredError()(tf.constant([1., 2., 3.]), "
                      "tf.constant([1.5, 2., 2.]))"),
        ("mse/np64", "keras.losses.MeanSquaredError()(np.array([[1.], [2.]]), "
                     "np.array([[1.5], [2.]]))"),
        ("mse/col_vs_vec", "keras.losses.MeanSquaredError()(tf.constant([[1.], [2.], [3.]]), "
                           "tf.constant([1.5, 2., 2.]))"),
        ("mse/sw", f"keras.losses.MeanSquaredError()({YT_REG}, {YP_REG}, "
                   "sample_weight=tf.constant([0.3, 0.7]))"),
        ("mse/sw_col", f"keras.losses.MeanSquaredError()({YT_REG}, {YP_REG}, "
                       "sample_weight=tf.constant([[2.], [0.]]))"),
        ("mse/sum", f"keras.losses.MeanSquaredError(reduction='sum')({YT_REG}, {YP_REG})"),
        ("mse/none", f"keras.losses.MeanSquaredError(reduction=None)({YT_REG}, {YP_REG})"),
        ("mse/mean_sw", f"keras.losses.MeanSquaredError(reduction='mean_with_sample_weight')"
                        f"({YT_REG}, {YP_REG}, sample_weight=tf.constant([0.5, 0.25]))"),
        ("kld", f"keras.losses.KLDivergence()({YT_1H}, {P_OK})"),
        ("kld/fn_ext", f"keras.losses.kl_divergence({YT_1H}, {P_EXT})"),
        ("mape/zero_true", "keras.losses.MeanAbsolutePercentageError()(tf.constant([[0., 2.]]), "
                           "tf.constant([[1., 1.]]))"),
    ]
    for name, p in [("ok", P_OK), ("ext", P_EXT), ("unnorm", P_UNNORM)]:
        c += [
            (f"cce/{name}", f"keras.losses.categorical_crossentropy({YT_1H}, {p})"),
            (f"cce_cls/{name}", f"keras.losses.CategoricalCrossentropy()({YT_1H}, {p})"),
            (f"cce_ls/{name}", f"keras.losses.CategoricalCrossentropy(label_smoothing=0.1)"
                               f"({YT_1H}, {p})"),
            (f"scce/{name}", f"keras.losses.sparse_categorical_crossentropy({SPARSE}, {p})"),
            (f"scce_cls/{name}", f"keras.losses.SparseCategoricalCrossentropy()"
                                 f"(tf.cast({SPARSE}, 'uint8'), {p})"),
        ]
    for name, lg in [("logits", LOGITS), ("logits_ext", LOGITS_EXT)]:
        c += [
            (f"cce_fl/{name}", f"keras.losses.CategoricalCrossentropy(from_logits=True)"
                               f"({YT_1H}, tf.constant({lg}))"),
            (f"cce_fl_ls/{name}", f"keras.losses.CategoricalCrossentropy(from_logits=True, "
                                  f"label_smoothing=0.2)({YT_1H}, tf.constant({lg}))"),
            (f"scce_fl/{name}", f"keras.losses.SparseCategoricalCrossentropy(from_logits=True)"
                                f"({SPARSE}, tf.constant({lg}))"),
            # the logits shortcut: probabilities from keras.activations.softmax
            (f"cce_via_softmax/{name}", f"keras.losses.CategoricalCrossentropy()({YT_1H}, "
                                        f"keras.activations.softmax(tf.constant({lg})))"),
            (f"scce_via_softmax/{name}", f"keras.losses.SparseCategoricalCrossentropy()"
                                         f"({SPARSE}, keras.activations.softmax("
                                         f"tf.constant({lg})))"),
            (f"cce_fn_via_softmax/{name}", f"keras.losses.categorical_crossentropy({YT_1H}, "
                                           f"keras.activations.softmax(tf.constant({lg})))"),
            (f"cce_tfnn_softmax/{name}", f"keras.losses.categorical_crossentropy({YT_1H}, "
                                         f"tf.nn.softmax(tf.constant({lg})))"),
            (f"scce_grad_via_softmax/{name}",
             f"x = tf.constant({lg})\nwith tf.GradientTape() as t:\n    t.watch(x)\n"
             f"    l = keras.losses.SparseCategoricalCrossentropy()({SPARSE}, "
             "keras.activations.softmax(x))\nt.gradient(l, x)"),
            (f"scce_grad_probs/{name}",
             f"x = tf.constant({lg})\nwith tf.GradientTape() as t:\n    t.watch(x)\n"
             f"    l = keras.losses.SparseCategoricalCrossentropy()({SPARSE}, "
             "tf.nn.softmax(x))\nt.gradient(l, x)"),
        ]
    c += [
        ("scce/col_labels", "keras.losses.SparseCategoricalCrossentropy()("
                            f"tf.constant([[1], [2], [0]]), {P_OK})"),
        ("scce/sw", f"keras.losses.SparseCategoricalCrossentropy()({SPARSE}, {P_OK}, "
                    "sample_weight=tf.constant([1., 0., 2.]))"),
        ("scce/ignore", f"keras.losses.SparseCategoricalCrossentropy(ignore_class=2)"
                        f"({SPARSE}, {P_OK})"),
        ("scce/seq", "keras.losses.SparseCategoricalCrossentropy()(tf.constant([[0, 1], [1, 1]]), "
                     "tf.constant([[[0.9, 0.1], [0.4, 0.6]], [[0.5, 0.5], [0.01, 0.99]]]))"),
        ("bce/ok", f"keras.losses.BinaryCrossentropy()({YT_BIN}, {P_BIN})"),
        ("bce/fn", f"keras.losses.binary_crossentropy({YT_BIN}, {P_BIN})"),
        ("bce/ls", f"keras.losses.BinaryCrossentropy(label_smoothing=0.2)({YT_BIN}, {P_BIN})"),
        ("bce/int_labels", "keras.losses.BinaryCrossentropy()("
                           "tf.constant(np.array([[1], [0], [1], [0]])), "
                           f"{P_BIN})"),
        ("bce/vec_labels", "keras.losses.BinaryCrossentropy()(tf.constant([1., 0., 1., 0.]), "
                           f"{P_BIN})"),
        ("bce/multi", "keras.losses.BinaryCrossentropy()(tf.constant([[1., 0.], [0., 1.]]), "
                      "tf.constant([[0.8, 0.1], [0.3, 0.]]))"),
        ("bce/fl", f"keras.losses.BinaryCrossentropy(from_logits=True)({YT_BIN}, {LOG_BIN})"),
        ("bce/fl_ls", f"keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)"
                      f"({YT_BIN}, {LOG_BIN})"),
        ("bce/via_sigmoid", f"keras.losses.BinaryCrossentropy()({YT_BIN}, "
                            f"keras.activations.sigmoid({LOG_BIN}))"),
        ("bce/tf_sigmoid", f"keras.losses.BinaryCrossentropy()({YT_BIN}, "
                           f"tf.sigmoid({LOG_BIN}))"),
        ("bce/grad_via_sigmoid",
         f"x = {LOG_BIN}\nwith tf.GradientTape() as t:\n    t.watch(x)\n"
         f"    l = keras.losses.BinaryCrossentropy()({YT_BIN}, keras.activations.sigmoid(x))\n"
         "t.gradient(l, x)"),
        ("bce/focal", f"keras.losses.BinaryFocalCrossentropy()({YT_BIN}, {P_BIN})"),
        ("cce/grad_probs",
         f"p = {P_OK}\nwith tf.GradientTape() as t:\n    t.watch(p)\n"
         f"    l = keras.losses.CategoricalCrossentropy()({YT_1H}, p)\nt.gradient(l, p)"),
        ("config/cce", "keras.losses.CategoricalCrossentropy(from_logits=True).get_config()"),
    ]
    grad = ("p = {pred}\nwith tf.GradientTape() as t:\n    t.watch(p)\n"
            "    l = keras.losses.{cls}({{args}})({true}, p)\nt.gradient(l, p)")
    for cls, args in [("MeanSquaredError", ""), ("MeanAbsoluteError", ""), ("Huber", "delta=0.7"),
                      ("LogCosh", ""), ("MeanAbsolutePercentageError", ""),
                      ("MeanSquaredLogarithmicError", ""), ("CosineSimilarity", "")]:
        c.append((f"grad/{cls}", grad.format(pred=YP_REG, cls=cls, true=YT_REG).format(args=args)))
    for cls, args, true, pred in [
            ("BinaryCrossentropy", "", YT_BIN, P_BIN),
            ("BinaryCrossentropy", "from_logits=True", YT_BIN, LOG_BIN),
            ("BinaryCrossentropy", "label_smoothing=0.1", YT_BIN, P_BIN),
            ("CategoricalCrossentropy", "from_logits=True", YT_1H, f"tf.constant({LOGITS_EXT})"),
            ("CategoricalCrossentropy", "", YT_1H, P_EXT),
            ("KLDivergence", "", YT_1H, P_OK),
            ("SparseCategoricalCrossentropy", "", SPARSE, P_EXT)]:
        c.append((f"grad/{cls}/{args or 'default'}",
                  grad.format(pred=pred, cls=cls, true=true).format(args=args)))
    c += [
        ("config/mse", "keras.losses.MeanSquaredError().get_config()"),
        ("config/bce", "keras.losses.BinaryCrossentropy(label_smoothing=0.1).get_config()"),
        ("name/huber", "keras.losses.Huber().name"),
        ("name/kld", "keras.losses.KLDivergence().name"),
        ("serialize/cls", "keras.losses.serialize(keras.losses.BinaryCrossentropy())"),
        ("get/cls", "type(keras.losses.get('CategoricalCrossentropy')).__name__"),
        ("get/fn", "keras.losses.get('mse').__name__"),
        ("get/dict", "keras.losses.get({'class_name': 'CategoricalCrossentropy', "
                     "'config': {'from_logits': True}}).from_logits"),
    ]
    return c


# -- activations -------------------------------------------------------------------------------
ACT_X = "tf.constant([-20., -3., -1., -0.5, 0., 0.5, 1., 3., 7., 20.])"


def activation_cases():
    names = ["relu", "leaky_relu", "relu6", "softmax", "sigmoid", "elu", "selu", "softplus",
             "softsign", "silu", "swish", "gelu", "tanh", "exponential", "hard_sigmoid",
             "linear", "log_softmax", "hard_silu", "mish", "log_sigmoid"]
    c = [(f"get/{n}", f"keras.activations.get('{n}')({ACT_X})") for n in names]
    c += [
        ("relu/slope", f"keras.activations.relu({ACT_X}, negative_slope=0.1)"),
        ("relu/max", f"keras.activations.relu({ACT_X}, max_value=2.)"),
        ("relu/all", f"keras.activations.relu({ACT_X}, negative_slope=0.1, max_value=2., "
                     "threshold=0.3)"),
        ("gelu/approx", f"keras.activations.gelu({ACT_X}, approximate=True)"),
        ("elu/alpha", f"keras.activations.elu({ACT_X}, alpha=0.5)"),
        ("softmax/axis0", "keras.activations.softmax(tf.constant([[1., 2.], [3., 5.]]), axis=0)"),
        ("serialize/relu", "keras.activations.serialize(keras.activations.relu)"),
        ("serialize/softmax", "keras.activations.serialize(keras.activations.get('softmax'))"),
        ("get/none", "keras.activations.get(None).__name__"),
    ]
    return c


# -- optimizers --------------------------------------------------------------------------------
OPT_STEPS = """w = tf.Variable([[0.5, -1.0, 2.0], [0.0, 3.0, -0.25]])
b = tf.Variable([0.3, -0.2, 0.0])
opt = {ctor}
out = []
for k in range(4):
    gw = tf.constant([[0.1, -0.2, 0.3], [1.5, 0.0, -2.0]]) * (1.0 + k) - 0.3 * k
    gb = tf.constant([0.5, -0.5, 0.0]) / (1.0 + k)
    opt.apply_gradients(zip([gw, gb], [w, b]))
    out.append([w.numpy(), b.numpy()])
[out, int(opt.iterations)]"""

OPTIMIZERS = {
    "sgd": "keras.optimizers.SGD()",
    "sgd_lr": "keras.optimizers.SGD(learning_rate=0.1)",
    "sgd_momentum": "keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)",
    "sgd_nesterov": "keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)",
    "rmsprop": "keras.optimizers.RMSprop()",
    "rmsprop_lr": "keras.optimizers.RMSprop(0.01)",
    "rmsprop_momentum": "keras.optimizers.RMSprop(0.01, momentum=0.5)",
    "rmsprop_centered": "keras.optimizers.RMSprop(0.01, centered=True, rho=0.8)",
    "adam": "keras.optimizers.Adam()",
    "adam_lr": "keras.optimizers.Adam(0.1, beta_1=0.8, beta_2=0.9, epsilon=1e-3)",
    "adam_amsgrad": "keras.optimizers.Adam(0.1, amsgrad=True)",
    "adamw": "keras.optimizers.AdamW(0.1)",
    "adamw_wd": "keras.optimizers.AdamW(0.01, weight_decay=0.1)",
    "adagrad": "keras.optimizers.Adagrad(0.1)",
    "adadelta": "keras.optimizers.Adadelta(1.0)",
    "adamax": "keras.optimizers.Adamax(0.1)",
    "nadam": "keras.optimizers.Nadam(0.1)",
    "sgd_clipnorm": "keras.optimizers.SGD(0.1, clipnorm=0.5)",
    "sgd_clipvalue": "keras.optimizers.SGD(0.1, clipvalue=0.25)",
    "sgd_global_clipnorm": "keras.optimizers.SGD(0.1, global_clipnorm=1.0)",
    "sgd_weight_decay": "keras.optimizers.SGD(0.1, weight_decay=0.5)",
    "adam_global_clipnorm": "keras.optimizers.Adam(0.1, global_clipnorm=0.3)",
    "sgd_exp_decay": "keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay("
                     "0.1, decay_steps=2, decay_rate=0.5))",
    "rmsprop_piecewise": "keras.optimizers.RMSprop(keras.optimizers.schedules."
                         "PiecewiseConstantDecay([1, 2], [0.1, 0.01, 0.001]))",
    "adam_accumulate": "keras.optimizers.Adam(0.1, gradient_accumulation_steps=2)",
    "sgd_ema": "keras.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5)",
    "sgd_ema_overwrite": "keras.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5, "
                         "ema_overwrite_frequency=2)",
    "rmsprop_loss_scale": "keras.optimizers.RMSprop(0.01, loss_scale_factor=4.0)",
}


def optimizer_cases():
    c = [(f"steps/{k}", OPT_STEPS.format(ctor=v)) for k, v in OPTIMIZERS.items()]
    for name in ["sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta", "adamax", "nadam"]:
        c.append((f"get/{name}", f"o = keras.optimizers.get('{name}')\n"
                                 "c = o.get_config()\nc.pop('name')\n"
                                 "[type(o).__name__, o.name.rstrip('0123456789_'), c]"))
    c += [
        ("names", "[keras.optimizers.RMSprop().name.split('_')[0], "
                  "keras.optimizers.SGD(name='mine').name]"),
        ("lr_variable", "o = keras.optimizers.Adam(0.5)\n[float(o.learning_rate), "
                        "tf.as_dtype(o.learning_rate.dtype).name, int(o.iterations), "
                        "tf.as_dtype(o.iterations.dtype).name]"),
        ("lr_set", "o = keras.optimizers.SGD(0.5)\no.learning_rate = 0.25\n"
                   "float(o.learning_rate)"),
        ("variables", "w = tf.Variable([1., 2.])\no = keras.optimizers.Adam()\n"
                      "o.apply_gradients([(tf.constant([1., 1.]), w)])\n"
                      "[len(o.variables), [tuple(v.shape) for v in o.variables]]"),
        ("int_lr", "keras.optimizers.SGD(1)"),
        ("lr_kwarg", "keras.optimizers.SGD(lr=0.1)"),
        ("two_clips", "keras.optimizers.SGD(clipnorm=1., clipvalue=1.)"),
        ("bad_momentum", "keras.optimizers.SGD(momentum=2.)"),
        ("adamw_none", "keras.optimizers.AdamW(weight_decay=None)"),
        ("unknown_var", "o = keras.optimizers.SGD()\n"
                        "o.apply_gradients([(tf.constant(1.), tf.Variable(1.))])\n"
                        "o.apply_gradients([(tf.constant(1.), tf.Variable(2.))])"),
        ("no_grads", "keras.optimizers.SGD().apply_gradients([(None, tf.Variable(1.))])"),
        ("ema_finalize", "w = tf.Variable([1., 2.])\no = keras.optimizers.SGD(0.5, use_ema=True,"
                         " ema_momentum=0.9)\nfor k in range(3):\n"
                         "    o.apply_gradients([(tf.constant([1., -1.]), w)])\n"
                         "before = w.numpy()\no.finalize_variable_values([w])\n"
                         "[before, w.numpy(), len(o.variables)]"),
        ("accumulate_iterations", "w = tf.Variable([1.])\no = keras.optimizers.SGD(0.5, "
                                  "gradient_accumulation_steps=3)\nout = []\n"
                                  "for k in range(7):\n"
                                  "    o.apply_gradients([(tf.constant([float(k)]), w)])\n"
                                  "    out.append([int(o.iterations), w.numpy()])\nout"),
    ]
    return c


def schedule_cases():
    S = "keras.optimizers.schedules."
    scheds = {
        "exp": S + "ExponentialDecay(0.1, decay_steps=3, decay_rate=0.7)",
        "exp_stair": S + "ExponentialDecay(0.1, decay_steps=3, decay_rate=0.7, staircase=True)",
        "inv": S + "InverseTimeDecay(0.5, decay_steps=2, decay_rate=0.3)",
        "inv_stair": S + "InverseTimeDecay(0.5, decay_steps=2, decay_rate=0.3, staircase=True)",
        "piece": S + "PiecewiseConstantDecay([2, 5], [1.0, 0.5, 0.1])",
        "cos": S + "CosineDecay(0.2, decay_steps=6)",
        "cos_alpha": S + "CosineDecay(0.2, decay_steps=6, alpha=0.1)",
        "cos_warm": S + "CosineDecay(0.0, decay_steps=5, warmup_target=0.3, warmup_steps=3)",
        "poly": S + "PolynomialDecay(0.1, decay_steps=4, end_learning_rate=0.01, power=2.)",
    }
    c = [(f"values/{k}", f"s = {v}\n[s(step) for step in range(10)]") for k, v in
         scheds.items()]
    c += [(f"config/{k}", f"{v}.get_config()") for k, v in scheds.items()]
    c += [("values/int_step_tensor", f"{scheds['exp']}(tf.constant(4))")]
    return c


# -- initializers and regularizers ----------------------------------------------------------
INIT_NAMES = ["zeros", "ones", "constant", "random_normal", "random_uniform", "truncated_normal",
              "variance_scaling", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
              "lecun_uniform", "lecun_normal", "orthogonal", "identity"]


def initializer_cases():
    c = [(f"config/{n}", f"i = keras.initializers.get('{n}')\n[type(i).__name__, i.get_config()]")
         for n in INIT_NAMES]
    c += [
        ("values/zeros", "keras.initializers.Zeros()((2, 3))"),
        ("values/ones", "keras.initializers.Ones()((3,), dtype='float64')"),
        ("values/constant", "keras.initializers.Constant(0.7)((2, 2))"),
        ("values/identity", "keras.initializers.Identity(gain=2.)((2, 3))"),
        ("config/vs", "keras.initializers.VarianceScaling(2., 'fan_out', 'uniform', seed=3)"
                      ".get_config()"),
        ("config/ru", "keras.initializers.RandomUniform(-1., 1., seed=4).get_config()"),
        ("seeded_repeat", "i = keras.initializers.GlorotUniform(seed=7)\n"
                          "bool(np.array_equal(np.asarray(i((3, 4))), np.asarray(i((3, 4)))))"),
        ("unseeded_differ", "i = keras.initializers.GlorotUniform()\n"
                            "bool(np.array_equal(np.asarray(i((3, 4))), np.asarray(i((3, 4)))))"),
        ("orthogonal_is_orthogonal", "q = np.asarray(keras.initializers.Orthogonal(seed=1)((5, 3)))"
                                     "\nnp.round(q.T @ q, 5)"),
        ("reg/l2", "keras.regularizers.l2(0.01)(tf.constant([[1., -2.], [3., 0.5]]))"),
        ("reg/l1", "keras.regularizers.l1(0.1)(tf.constant([[1., -2.], [3., 0.5]]))"),
        ("reg/l1_l2", "keras.regularizers.l1_l2(l1=0.1, l2=0.2)(tf.constant([1., -2.]))"),
        ("reg/l1_l2_default", "keras.regularizers.l1_l2()(tf.constant([1., -2.]))"),
        ("reg/L1L2_default", "keras.regularizers.L1L2().get_config()"),
        ("reg/l2_default", "keras.regularizers.L2().get_config()"),
        ("reg/config", "keras.regularizers.L1L2(l1=0.5).get_config()"),
        ("reg/get", "type(keras.regularizers.get('l2')).__name__"),
        ("reg/orth", "keras.regularizers.OrthogonalRegularizer(0.1)(tf.constant([[1., 0.5], "
                     "[0.2, 1.], [0., -1.]]))"),
        ("reg/negative", "keras.regularizers.L2(-1.)"),
    ]
    return c


# -- metrics -----------------------------------------------------------------------------------
METRIC_TWO_BATCHES = """m = {ctor}
m.update_state(np.array({t1}), np.array({p1}, "float32"){sw1})
r1 = np.array(m.result())  # a copy: Keras may return the live state variable
m.update_state(np.array({t2}), np.array({p2}, "float32"))
r2 = np.array(m.result())
m.reset_state()
[r1, r2, np.array(m.result()), m.name.rstrip("0123456789_"), len(m.variables)]"""

BIN_T1, BIN_P1 = "[[0], [1], [1], [0], [1]]", "[[0.2], [0.8], [0.4], [0.6], [0.99]]"
BIN_T2, BIN_P2 = "[[1], [1], [0]]", "[[0.5], [0.51], [0.1]]"
CAT_T1 = "[[0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 1, 0]]"
CAT_P1 = "[[0.1, 0.3, 0.6], [0.5, 0.4, 0.1], [0.7, 0.2, 0.1], [0.3, 0.3, 0.4]]"
CAT_T2, CAT_P2 = "[[1, 0, 0], [0, 0, 1]]", "[[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]]"
SP_T1, SP_T2 = "[2, 1, 0, 1]", "[0, 2]"
REG_T1, REG_P1 = "[[1., 2.], [3., 4.], [-1., 0.5]]", "[[1.5, 2.], [2., 4.5], [0., 0.]]"
REG_T2, REG_P2 = "[[0., 1.]]", "[[2., -1.]]"

METRIC_SETS = {
    "binary": (BIN_T1, BIN_P1, BIN_T2, BIN_P2),
    "categorical": (CAT_T1, CAT_P1, CAT_T2, CAT_P2),
    "sparse": (SP_T1, CAT_P1, SP_T2, CAT_P2),
    "regression": (REG_T1, REG_P1, REG_T2, REG_P2),
}
METRICS = [
    ("Accuracy", "keras.metrics.Accuracy()", "regression_int"),
    ("BinaryAccuracy", "keras.metrics.BinaryAccuracy()", "binary"),
    ("BinaryAccuracy_t", "keras.metrics.BinaryAccuracy(threshold=0.7)", "binary"),
    ("CategoricalAccuracy", "keras.metrics.CategoricalAccuracy()", "categorical"),
    ("SparseCategoricalAccuracy", "keras.metrics.SparseCategoricalAccuracy()", "sparse"),
    ("TopK", "keras.metrics.TopKCategoricalAccuracy(k=2)", "categorical"),
    ("SparseTopK", "keras.metrics.SparseTopKCategoricalAccuracy(k=2)", "sparse"),
    ("SparseTopK1", "keras.metrics.SparseTopKCategoricalAccuracy(k=1)", "sparse"),
    ("MSE", "keras.metrics.MeanSquaredError()", "regression"),
    ("MAE", "keras.metrics.MeanAbsoluteError()", "regression"),
    ("RMSE", "keras.metrics.RootMeanSquaredError()", "regression"),
    ("MAPE", "keras.metrics.MeanAbsolutePercentageError()", "regression"),
    ("AUC", "keras.metrics.AUC()", "binary"),
    ("AUC_PR", "keras.metrics.AUC(curve='PR')", "binary"),
    ("AUC_minoring", "keras.metrics.AUC(num_thresholds=7, summation_method='minoring')",
     "binary"),
    ("AUC_thresholds", "keras.metrics.AUC(thresholds=[0.3, 0.5, 0.7])", "binary"),
    ("AUC_logits", "keras.metrics.AUC(from_logits=True)", "regression"),
    ("Precision", "keras.metrics.Precision()", "binary"),
    ("Precision_thr", "keras.metrics.Precision(thresholds=[0.3, 0.55, 0.9])", "binary"),
    ("Precision_topk", "keras.metrics.Precision(top_k=1)", "categorical"),
    ("Precision_class", "keras.metrics.Precision(class_id=2)", "categorical"),
    ("Recall", "keras.metrics.Recall()", "binary"),
    ("Recall_topk", "keras.metrics.Recall(top_k=2)", "categorical"),
    ("TruePositives", "keras.metrics.TruePositives()", "binary"),
    ("F1", "keras.metrics.F1Score()", "categorical"),
    ("F1_micro", "keras.metrics.F1Score(average='micro', threshold=0.35)", "categorical"),
    ("F1_macro", "keras.metrics.F1Score(average='macro')", "categorical"),
    ("F1_weighted", "keras.metrics.F1Score(average='weighted')", "categorical"),
    ("FBeta", "keras.metrics.FBetaScore(beta=2.0, threshold=0.25)", "categorical"),
    ("FalsePositives", "keras.metrics.FalsePositives(thresholds=[0.3, 0.9])", "binary"),
    ("TrueNegatives", "keras.metrics.TrueNegatives()", "binary"),
    ("FalseNegatives", "keras.metrics.FalseNegatives(thresholds=0.7)", "binary"),
    ("BCE", "keras.metrics.BinaryCrossentropy()", "binary"),
    ("CCE", "keras.metrics.CategoricalCrossentropy()", "categorical"),
    ("SCCE", "keras.metrics.SparseCategoricalCrossentropy()", "sparse"),
    ("KLD", "keras.metrics.KLDivergence()", "categorical"),
]


def metric_cases():
    c = []
    for cid, ctor, group in METRICS:
        if group == "regression_int":
            t1, p1, t2, p2 = "[[1], [2], [3], [4]]", "[[0], [2], [3], [4]]", "[[1]]", "[[2]]"
        else:
            t1, p1, t2, p2 = METRIC_SETS[group]
        n = len(eval(t1))
        sw = ", sample_weight=np.array(%s)" % [0.5 + 0.25 * i for i in range(n)]
        c.append((f"plain/{cid}", METRIC_TWO_BATCHES.format(ctor=ctor, t1=t1, p1=p1, t2=t2,
                                                            p2=p2, sw1="")))
        c.append((f"weighted/{cid}", METRIC_TWO_BATCHES.format(ctor=ctor, t1=t1, p1=p1, t2=t2,
                                                               p2=p2, sw1=sw)))
    c += [
        ("mean/plain", "m = keras.metrics.Mean()\nm.update_state([1., 2., 3.])\n"
                       "m.update_state(5.)\n[m.result(), m.name]"),
        ("mean/weighted", "m = keras.metrics.Mean(name='my_mean')\n"
                          "m.update_state([1., 2., 3.], sample_weight=[1., 0., 2.])\n"
                          "[m.result(), m.name]"),
        ("mean/matrix", "m = keras.metrics.Mean()\nm.update_state([[1., 2.], [3., 5.]])\n"
                        "[m.result(), m.count]"),
        ("sum", "m = keras.metrics.Sum()\nm.update_state([1., 2.])\nm.update_state([[3.], [4.]])"
                "\nm.result()"),
        ("call", "keras.metrics.BinaryAccuracy()([[1], [0]], [[0.7], [0.7]])"),
        ("wrapper", "m = keras.metrics.MeanMetricWrapper(keras.losses.mean_squared_error)\n"
                    "m.update_state([[1., 2.]], [[2., 2.]])\n[m.result(), m.name]"),
        ("get/names", "[type(keras.metrics.get(n)).__name__ for n in ['mse', 'mae', 'accuracy', "
                      "'AUC', 'binary_accuracy', 'Precision', 'categorical_accuracy']]"),
        ("config/precision", "c = keras.metrics.Precision(thresholds=0.3).get_config()\n"
                             "c.pop('name')\nc"),
        ("config/auc", "c = keras.metrics.AUC(num_thresholds=10).get_config()\n"
                       "c.pop('name')\nc"),
        ("auto_names", "keras.backend.clear_session()\n[keras.metrics.Precision().name, "
                       "keras.metrics.Precision().name, keras.metrics.AUC().name]"),
        ("config/binacc", "keras.metrics.BinaryAccuracy(threshold=0.4).get_config()"),
        ("config/topk", "keras.metrics.TopKCategoricalAccuracy(k=3).get_config()"),
        ("custom_metric_ch7",
         "class RootMeanSquaredError(keras.metrics.Metric):\n"
         "    def __init__(self, name='rmse', **kwargs):\n"
         "        super().__init__(name=name, **kwargs)\n"
         "        self.mse_sum = self.add_weight(name='mse_sum', initializer='zeros')\n"
         "        self.total_samples = self.add_weight(name='total_samples', "
         "initializer='zeros', dtype='int32')\n"
         "    def update_state(self, y_true, y_pred, sample_weight=None):\n"
         "        y_true = tf.one_hot(y_true, depth=tf.shape(y_pred)[1])\n"
         "        mse = tf.reduce_sum(tf.square(y_true - y_pred))\n"
         "        self.mse_sum.assign_add(mse)\n"
         "        num_samples = tf.shape(y_pred)[0]\n"
         "        self.total_samples.assign_add(num_samples)\n"
         "    def result(self):\n"
         "        return tf.sqrt(self.mse_sum / tf.cast(self.total_samples, tf.float32))\n"
         "    def reset_state(self):\n"
         "        self.mse_sum.assign(0.)\n"
         "        self.total_samples.assign(0)\n"
         "m = RootMeanSquaredError()\n"
         f"m.update_state(tf.constant({SP_T1}), tf.constant({CAT_P1}))\n"
         "r = m.result()\nm.reset_state()\n[r, m.result(), m.name]"),
    ]
    return c


# -- progbar -----------------------------------------------------------------------------------
# ``pbmod`` is the Progbar's module (keras.src.utils.progbar / tapeflow.keras.utils.progbar):
# its clock is replaced by a fake one so the text is reproducible. ``_dynamic_display`` forces
# the terminal mode, the one where tapeflow reproduces Keras byte for byte.
PB_HARNESS = """import contextlib, io
class FakeTime:
    now = 1000.0
    @staticmethod
    def time():
        return FakeTime.now
real_time = pbmod.time
pbmod.time = FakeTime
buf = io.StringIO()
try:
    with contextlib.redirect_stdout(buf):
{body}
finally:
    pbmod.time = real_time
buf.getvalue()"""


def _pb(body):
    return PB_HARNESS.format(body="\n".join("        " + line for line in body.splitlines()))


PROGBARS = {
    "basic": """pb = keras.utils.Progbar(5)
pb._dynamic_display = True
for i in range(5):
    FakeTime.now += 0.1
    pb.update(i + 1, [("loss", 0.5 / (i + 1)), ("acc", 1e-4)])""",
    "fast_updates_throttled": """pb = keras.utils.Progbar(10)
pb._dynamic_display = True
for i in range(10):
    FakeTime.now += 0.02
    pb.update(i + 1, [("loss", float(i))])""",
    "stateful": """pb = keras.utils.Progbar(4, stateful_metrics=["acc"])
pb._dynamic_display = True
for i in range(4):
    FakeTime.now += 0.3
    pb.update(i + 1, [("loss", 1.0 + i), ("acc", 0.25 * i)])""",
    "stateless_set_like_fit": """pb = keras.utils.Progbar(3, stateless_metrics=set())
pb._dynamic_display = True
for i in range(3):
    FakeTime.now += 1.5
    pb.update(i + 1, [("accuracy", 0.5 + 0.1 * i), ("loss", -0.25)], finalize=False)
pb.update(3, [("accuracy", 0.9), ("loss", 2e-5)], finalize=True)""",
    "unknown_target": """pb = keras.utils.Progbar(None)
pb._dynamic_display = True
for i in range(3):
    FakeTime.now += 0.5
    pb.update(i + 1, [("loss", 0.1)])
pb.update(3, [("loss", 0.2)], finalize=True)""",
    "eta_minutes_hours": """pb = keras.utils.Progbar(469)
pb._dynamic_display = True
FakeTime.now += 2.0
pb.update(1)
FakeTime.now += 30.0
pb.update(2)
FakeTime.now += 200.0
pb.update(3)
FakeTime.now += 0.001
pb.update(469)""",
    "shrinking_line": """pb = keras.utils.Progbar(3)
pb._dynamic_display = True
FakeTime.now += 0.2
pb.update(1, [("loss", 123456.0)])
FakeTime.now += 0.2
pb.update(2, [("loss", -123456.0)])
FakeTime.now += 0.2
pb.update(3, [("loss", 0.5)])""",
    "add": """pb = keras.utils.Progbar(6, width=10, unit_name="sample")
pb._dynamic_display = True
for i in range(3):
    FakeTime.now += 0.0004
    pb.add(2, [("x", 3.0)])""",
    "verbose2": """pb = keras.utils.Progbar(12, verbose=2)
for i in range(12):
    FakeTime.now += 0.25
    pb.update(i + 1, [("loss", 0.5), ("neg", -0.5), ("tiny", 1e-5)])""",
    "verbose0": """pb = keras.utils.Progbar(2, verbose=0)
pb.update(1, [("loss", 1.0)])
pb.update(2, [("loss", 1.0)])""",
    "float32_values": """pb = keras.utils.Progbar(2, stateful_metrics=["m"])
pb._dynamic_display = True
FakeTime.now += 0.1
pb.update(1, [("m", np.float32(0.123456)), ("avg", np.float32(0.33333334))])
FakeTime.now += 0.1
pb.update(2, [("m", np.float32(0.99995)), ("avg", np.float32(0.1))])""",
}


def progbar_cases():
    return [(k, _pb(v)) for k, v in PROGBARS.items()]


# -- callbacks (driven by a stand-in model, as fit would drive them) -------------------------
CB_HARNESS = """import contextlib, io
class FakeModel:
    def __init__(self):
        self.stop_training = False
        self.optimizer = keras.optimizers.SGD(0.5)
        self.weights_ = [np.array([0.0])]
        self.metrics = []
    def get_weights(self):
        return [w.copy() for w in self.weights_]
    def set_weights(self, weights):
        self.weights_ = [np.array(w) for w in weights]
def drive(callbacks, series, epochs=None, steps=2):
    model = FakeModel()
    epochs = epochs or len(series)
    hooks = keras.callbacks.CallbackList(callbacks, add_history=True, model=model,
                                         verbose=0, epochs=epochs, steps=steps)
    hooks.on_train_begin()
    ran = []
    for epoch in range(epochs):
        hooks.on_epoch_begin(epoch)
        for batch in range(steps):
            hooks.on_train_batch_begin(batch)
            hooks.on_train_batch_end(batch, series[epoch])
        model.weights_ = [np.array([float(epoch)])]
        hooks.on_epoch_end(epoch, dict(series[epoch]))
        ran.append(epoch)
        if model.stop_training:
            break
    hooks.on_train_end()
    return model, model.history, ran
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
{body}
"""


def _cb(body, result):
    code = CB_HARNESS.format(body="\n".join("    " + line for line in body.splitlines()))
    return code + result


VAL = "[{'loss': 1.0, 'val_loss': v, 'val_accuracy': 1 - v} for v in " \
      "[1.0, 0.8, 0.85, 0.9, 0.7, 0.95, 0.96, 0.97, 0.98, 0.99]]"
CALLBACKS = {
    "early_stopping": ("es = keras.callbacks.EarlyStopping(patience=2, verbose=1)\n"
                       f"model, hist, ran = drive([es], {VAL})",
                       "[ran, es.stopped_epoch, es.best, es.wait, buf.getvalue(), "
                       "model.weights_, hist.epoch, sorted(hist.history)]"),
    "early_stopping_restore": ("es = keras.callbacks.EarlyStopping(patience=2, verbose=1, "
                               "restore_best_weights=True)\n"
                               f"model, hist, ran = drive([es], {VAL})",
                               "[ran, es.best_epoch, buf.getvalue(), model.weights_]"),
    "early_stopping_max_min_delta": ("es = keras.callbacks.EarlyStopping("
                                     "monitor='val_accuracy', mode='max', min_delta=0.15, "
                                     f"patience=1)\nmodel, hist, ran = drive([es], {VAL})",
                                     "[ran, es.stopped_epoch, es.best]"),
    "early_stopping_baseline": ("es = keras.callbacks.EarlyStopping(baseline=0.75, "
                                f"patience=3)\nmodel, hist, ran = drive([es], {VAL})",
                                "[ran, es.stopped_epoch, es.best, es.wait]"),
    "early_stopping_start": ("es = keras.callbacks.EarlyStopping(patience=0, "
                             f"start_from_epoch=3)\nmodel, hist, ran = drive([es], {VAL})",
                             "[ran, es.stopped_epoch]"),
    "early_stopping_missing": ("es = keras.callbacks.EarlyStopping(monitor='val_nope', "
                               "mode='min')\nimport warnings\n"
                               "with warnings.catch_warnings(record=True) as w:\n"
                               "    warnings.simplefilter('always')\n"
                               f"    model, hist, ran = drive([es], {VAL}, epochs=2)",
                               "[ran, str(w[0].message)]"),
    "reduce_lr": ("rl = keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=1, "
                  f"verbose=1, min_lr=0.1, cooldown=1)\nmodel, hist, ran = drive([rl], {VAL})",
                  "[ran, buf.getvalue(), float(model.optimizer.learning_rate), "
                  "hist.history['learning_rate']]"),
    "lr_scheduler": ("ls = keras.callbacks.LearningRateScheduler(lambda e, lr: lr * 0.5 if e "
                     "else lr, verbose=1)\n"
                     f"model, hist, ran = drive([ls], {VAL}, epochs=3)",
                     "[buf.getvalue(), hist.history['learning_rate']]"),
    "lr_scheduler_one_arg": ("ls = keras.callbacks.LearningRateScheduler(lambda e: 0.1 / "
                             f"(e + 1))\nmodel, hist, ran = drive([ls], {VAL}, epochs=3)",
                             "hist.history['learning_rate']"),
    "terminate_on_nan": ("t = keras.callbacks.TerminateOnNaN()\n"
                         "series = [{'loss': 1.0}, {'loss': float('nan')}, {'loss': 2.0}]\n"
                         "model, hist, ran = drive([t], series)",
                         "[ran, buf.getvalue()]"),
    "lambda": ("seen = []\nlc = keras.callbacks.LambdaCallback("
               "on_epoch_begin=lambda e, logs: seen.append(('eb', e)), "
               "on_epoch_end=lambda e, logs: seen.append(('ee', e, sorted(logs))), "
               "on_train_batch_end=lambda b, logs: seen.append(('be', b)), "
               "on_train_begin=lambda logs: seen.append('tb'), "
               "on_train_end=lambda logs: seen.append('te'))\n"
               f"model, hist, ran = drive([lc], {VAL}, epochs=2)",
               "seen"),
    "history": (f"model, hist, ran = drive([], {VAL}, epochs=3)",
                "[hist.history, hist.epoch, hist.params]"),
    "logs_are_python_sorted": ("got = []\nclass C(keras.callbacks.Callback):\n"
                               "    def on_epoch_end(self, epoch, logs=None):\n"
                               "        got.append([(k, type(v).__name__) for k, v in "
                               "logs.items()])\n"
                               "series = [{'z': np.float32(1.5), 'a': tf.constant(2.0), "
                               "'m': 3}]\nmodel, hist, ran = drive([C()], series)",
                               "got"),
    "batch_alias": ("got = []\nclass C(keras.callbacks.Callback):\n"
                    "    def on_batch_end(self, batch, logs=None):\n"
                    "        got.append((batch, logs['loss']))\n"
                    f"model, hist, ran = drive([C()], {VAL}, epochs=1)",
                    "got"),
}


def callback_cases():
    c = [(k, _cb(body, result)) for k, (body, result) in CALLBACKS.items()]
    c += [
        ("csv_logger", "import tempfile, os\nd = tempfile.mkdtemp()\n"
                       "path = os.path.join(d, 'log.csv')\n"
                       "cb = keras.callbacks.CSVLogger(path)\n"
                       "cb.set_model(None)\ncb.on_train_begin()\n"
                       "cb.on_epoch_end(0, {'loss': 0.5, 'accuracy': 0.25})\n"
                       "cb.on_epoch_end(1, {'loss': 0.25, 'accuracy': 0.5})\n"
                       "cb.on_train_end()\nopen(path).read()"),
        ("csv_logger_sep_val", "import tempfile, os\nd = tempfile.mkdtemp()\n"
                               "path = os.path.join(d, 'log.csv')\n"
                               "cb = keras.callbacks.CSVLogger(path, separator=';')\n"
                               "cb.on_train_begin()\n"
                               "cb.on_epoch_end(0, {'loss': 0.5, 'val_loss': 0.75})\n"
                               "cb.on_train_end()\ncb2 = keras.callbacks.CSVLogger(path, "
                               "separator=';', append=True)\ncb2.on_train_begin()\n"
                               "cb2.on_epoch_end(1, {'loss': 0.4, 'val_loss': 0.7})\n"
                               "cb2.on_train_end()\nopen(path).read()"),
        ("reduce_lr_bad_factor", "keras.callbacks.ReduceLROnPlateau(factor=1.5)"),
        ("monitor_unknown_direction", _cb("es = keras.callbacks.EarlyStopping(monitor='val_xyz')"
                                          "\nseries = [{'val_xyz': 1.0}]\n"
                                          "model, hist, ran = drive([es], series)", "ran")),
        ("callbacklist_default_members", "cl = keras.callbacks.CallbackList(None, "
                                         "add_history=True, add_progbar=True)\n"
                                         "[type(c).__name__ for c in cl.callbacks]"),
    ]
    return c


# ProgbarLogger as fit drives it, on a (forced) terminal, with a fake clock.
PBL = """pbl = keras.callbacks.ProgbarLogger()
hooks = keras.callbacks.CallbackList([pbl], add_history=True, verbose={verbose}, epochs=2,
                                     steps=3, model=type("M", (), {{}})())
hooks.on_train_begin()
for epoch in range(2):
    hooks.on_epoch_begin(epoch)
    pbl.progbar._dynamic_display = True
    for batch in range(3):
        FakeTime.now += 0.25
        hooks.on_train_batch_begin(batch)
        hooks.on_train_batch_end(batch, {{"loss": 1.0 / (batch + 1), "accuracy": 0.5}})
    hooks.on_test_begin()
    hooks.on_test_batch_end(0, {{"loss": 9.0}})
    hooks.on_test_end({{"loss": 0.3}})
    hooks.on_epoch_end(epoch, {{"loss": 0.5, "accuracy": 0.75, "val_loss": 0.3,
                               "val_accuracy": 0.8}})
hooks.on_train_end()
ev = keras.callbacks.CallbackList([keras.callbacks.ProgbarLogger()], verbose={verbose},
                                  epochs=1, steps=2)
ev.on_test_begin()
ev.callbacks[0].progbar._dynamic_display = True
for batch in range(2):
    FakeTime.now += 0.01
    ev.on_test_batch_end(batch, {{"loss": 0.1 * batch}})
ev.on_test_end({{"loss": 0.05, "accuracy": 1.0}})
pr = keras.callbacks.CallbackList([keras.callbacks.ProgbarLogger()], verbose={verbose},
                                  epochs=1, steps=None)
pr.on_predict_begin()
pr.callbacks[0].progbar._dynamic_display = True
for batch in range(2):
    FakeTime.now += 0.002
    pr.on_predict_batch_end(batch, {{"outputs": None}})
pr.on_predict_end()"""


def progbar_logger_cases():
    return [(f"verbose{v}", _pb(PBL.format(verbose=v))) for v in (1, 2)]


# -- whole fits: B's optimizers, losses and metrics driven by the training loop -------------
FIT = """rng = np.random.default_rng(0)
x = rng.normal(size=(96, 6)).astype("float32")
y = rng.integers(0, 3, 96)
w1 = rng.normal(size=(6, 16)).astype("float32") * 0.3
w2 = rng.normal(size=(16, 3)).astype("float32") * 0.3
model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(3, activation="softmax")])
model.set_weights([w1, np.zeros(16, "float32"), w2, np.zeros(3, "float32")])
model.compile(optimizer={opt}, loss={loss!r}, metrics=["accuracy"])
history = model.fit(x, {labels}, batch_size=32, epochs=4, shuffle=False, verbose=0)
[history.history, model.get_weights()]"""

FITS = {
    "rmsprop_scce": ("keras.optimizers.RMSprop(0.01)", "sparse_categorical_crossentropy", "y"),
    "adam_amsgrad": ("keras.optimizers.Adam(0.01, amsgrad=True)",
                     "sparse_categorical_crossentropy", "y"),
    "sgd_nesterov_clip": ("keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True, clipnorm=1.0)",
                          "sparse_categorical_crossentropy", "y"),
    "nadam": ("keras.optimizers.Nadam(0.01)", "sparse_categorical_crossentropy", "y"),
    "adamw_cce": ("keras.optimizers.AdamW(0.01)", "categorical_crossentropy",
                  "np.eye(3, dtype='float32')[y]"),
    "adagrad_schedule": ("keras.optimizers.Adagrad(keras.optimizers.schedules.ExponentialDecay("
                         "0.5, 3, 0.5))", "sparse_categorical_crossentropy", "y"),
    "rmsprop_string": ("'rmsprop'", "sparse_categorical_crossentropy", "y"),
}


def fit_cases():
    return [(k, FIT.format(opt=o, loss=loss, labels=labels)) for k, (o, loss, labels) in
            FITS.items()]


GROUPS = {"losses": loss_cases, "fits": fit_cases, "initializers": initializer_cases,
          "metrics": metric_cases,
          "progbar": progbar_cases, "callbacks": callback_cases,
          "progbar_logger": progbar_logger_cases, "activations": activation_cases,
          "optimizers": optimizer_cases, "schedules": schedule_cases}


def record(group, cases, namespace):
    out = []
    for case_id, code in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                result = _snippets.describe(_snippets.run(code, dict(namespace)))
            except Exception as e:  # noqa: BLE001 - the error is the golden
                result = {"error": type(e).__name__, "message": str(e)[:300]}
        out.append({"id": f"{group}/{case_id}", "code": code, "result": result})
    with open(os.path.join(HERE, f"{group}.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"{group}: {len(out)} cases")


def main(argv):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import numpy as np
    import tensorflow as tf
    tf.keras.utils.set_random_seed(0)
    from keras.src.utils import progbar as pbmod
    ns = {"tf": tf, "np": np, "keras": keras, "pbmod": pbmod}
    for group in argv or list(GROUPS):
        record(group, GROUPS[group](), ns)


if __name__ == "__main__":
    main(sys.argv[1:])
