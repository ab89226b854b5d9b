"""Cases for the Dice, Tversky and CategoricalFocalCrossentropy losses and the R2, IoU,
*At* (PrecisionAtRecall ...) and correlation metrics, shared by the recorder (real Keras 3 on
TF 2.21) and the tests (tapeflow.keras).

Each case takes the ``keras`` module and returns plain values: numbers and nested lists
(``value``), exceptions as ``{"error": class name, "message": text}``, configs as JSON-ready
dicts (tuples become lists). The same code runs on both sides, so every input is a float32
NumPy array or a Python list, made here.
"""
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "keras_models"))
from model_cases import fixed_weights  # noqa: E402  (the same weights as the model goldens)
from model_cases import plain  # noqa: E402  (shared case helpers)

# ruff: noqa: C408


def f32(x):
    return np.asarray(x, dtype="float32")


def value(x):
    """A tensor / array / number as plain Python (floats as float64, ints kept)."""
    a = np.asarray(x)
    if a.dtype.kind == "f":
        a = a.astype(np.float64)
    return a.tolist()


def raises(fn):
    try:
        fn()
    except Exception as e:  # the class name and message are the golden
        return {"error": type(e).__name__, "message": str(e)}
    return {"error": None}


def caught_warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    return value(out), [str(w.message) for w in caught]


def rng(seed):
    return np.random.default_rng(seed)


RNG = np.random.default_rng(7)  # module-level inputs only: a case draws from its own rng(seed)
SEG_TRUE = f32(RNG.integers(0, 2, size=(3, 4, 4, 1)))
SEG_PRED = f32(RNG.uniform(0, 1, size=(3, 4, 4, 1)))
SEG_W = f32([0.5, 2.0, 1.0])
ONE_HOT = f32(np.eye(4)[RNG.integers(0, 4, size=6)])
PROBS = RNG.uniform(0.05, 1.0, size=(6, 4))
PROBS = f32(PROBS / PROBS.sum(-1, keepdims=True))
LOGITS = f32(RNG.normal(0, 2, size=(6, 4)))
W6 = f32([1.0, 0.5, 0.0, 2.0, 1.5, 0.25])


# -- losses ------------------------------------------------------------------------------------
def _reductions(keras, make, y_true, y_pred, sample_weight):
    out = {}
    for reduction in ("sum_over_batch_size", "sum", "none", "mean_with_sample_weight"):
        loss = make(reduction)
        out[reduction] = value(loss(y_true, y_pred))
        out[reduction + "+sw"] = value(loss(y_true, y_pred, sample_weight=sample_weight))
    return out


def dice_losses(keras):
    L = keras.losses
    out = {
        "fn_axis_none": value(L.dice(SEG_TRUE, SEG_PRED)),
        "fn_axis_123": value(L.dice(SEG_TRUE, SEG_PRED, axis=(1, 2, 3))),
        "fn_axis_last_2d": value(L.dice(SEG_TRUE[:, 0, :, 0], SEG_PRED[:, 0, :, 0], axis=-1)),
        "fn_lists": value(L.dice([[1.0, 0.0, 1.0]], [[0.5, 0.5, 1.0]])),
        "fn_int_labels": value(L.dice(np.array([[1, 0, 1]]), f32([[0.9, 0.2, 0.4]]))),
        "zeros": value(L.dice(f32([[0.0, 0.0]]), f32([[0.0, 0.0]]))),
        "perfect": value(L.dice(f32([[1.0, 0.0, 1.0]]), f32([[1.0, 0.0, 1.0]]))),
        "opposite": value(L.dice(f32([[1.0, 0.0]]), f32([[0.0, 1.0]]), axis=-1)),
        "class_default": value(L.Dice()(SEG_TRUE, SEG_PRED)),
        "class_axis_sw": value(L.Dice(axis=(1, 2, 3))(SEG_TRUE, SEG_PRED, sample_weight=SEG_W)),
    }
    out["reductions_axis_123"] = _reductions(
        keras, lambda r: L.Dice(reduction=r, axis=(1, 2, 3)), SEG_TRUE, SEG_PRED, SEG_W)
    out["reductions_axis_none"] = _reductions(
        keras, lambda r: L.Dice(reduction=r), SEG_TRUE, SEG_PRED, SEG_W)
    out["rank_3_axis_last_sw_2d"] = value(L.Dice(axis=-1)(
        SEG_TRUE[..., 0], SEG_PRED[..., 0], sample_weight=f32(rng(101).uniform(0, 1, (3, 4)))))
    return out


def tversky_losses(keras):
    L = keras.losses
    out = {
        "fn_default": value(L.tversky(SEG_TRUE, SEG_PRED)),
        "fn_alpha_beta": value(L.tversky(SEG_TRUE, SEG_PRED, alpha=0.7, beta=0.3)),
        "fn_beta_alpha": value(L.tversky(SEG_TRUE, SEG_PRED, alpha=0.3, beta=0.7)),
        "fn_axis_123": value(L.tversky(SEG_TRUE, SEG_PRED, alpha=0.2, beta=0.8,
                                       axis=(1, 2, 3))),
        "fn_lists": value(L.tversky([[1.0, 0.0, 1.0]], [[0.5, 0.5, 1.0]], 0.9, 0.1, -1)),
        "fn_equals_dice": value(L.tversky(SEG_TRUE, SEG_PRED, alpha=0.5, beta=0.5)),
        "zeros": value(L.tversky(f32([[0.0, 0.0]]), f32([[0.0, 0.0]]))),
        "alpha_only": value(L.tversky(f32([[1.0, 1.0, 0.0]]), f32([[0.0, 1.0, 1.0]]),
                                      alpha=1.0, beta=0.0)),
        "beta_only": value(L.tversky(f32([[1.0, 1.0, 0.0]]), f32([[0.0, 1.0, 1.0]]),
                                     alpha=0.0, beta=1.0)),
        "class_positional": value(L.Tversky(0.6, 0.4)(SEG_TRUE, SEG_PRED)),
    }
    out["reductions_axis_123"] = _reductions(
        keras, lambda r: L.Tversky(alpha=0.7, beta=0.3, reduction=r, axis=(1, 2, 3)),
        SEG_TRUE, SEG_PRED, SEG_W)
    out["reductions_axis_none"] = _reductions(
        keras, lambda r: L.Tversky(reduction=r), SEG_TRUE, SEG_PRED, SEG_W)
    return out


def categorical_focal_losses(keras):
    L = keras.losses
    fn = L.categorical_focal_crossentropy
    edge_true = f32([[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]])
    edge_pred = f32([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.2, 0.3, 0.5], [2.0, 1.0, 1.0]])
    seq_true = f32(np.eye(3)[rng(102).integers(0, 3, size=(2, 5))])
    seq_pred = f32(rng(103).uniform(0.1, 1.0, size=(2, 5, 3)))
    out = {
        "fn_default": value(fn(ONE_HOT, PROBS)),
        "fn_keras_doc": value(fn([[0, 1, 0], [0, 0, 1]], [[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]])),
        "fn_alpha_list": value(fn(ONE_HOT, PROBS, alpha=[0.1, 0.2, 0.3, 0.4])),
        "fn_gamma_0_alpha_1": value(fn(ONE_HOT, PROBS, alpha=1.0, gamma=0.0)),
        "fn_gamma_3": value(fn(ONE_HOT, PROBS, gamma=3.0)),
        "fn_from_logits": value(fn(ONE_HOT, LOGITS, from_logits=True)),
        "fn_from_logits_smoothing": value(fn(ONE_HOT, LOGITS, from_logits=True,
                                             label_smoothing=0.2)),
        "fn_label_smoothing": value(fn(ONE_HOT, PROBS, label_smoothing=0.1)),
        "fn_edges": value(fn(edge_true, edge_pred)),
        "fn_axis_1": value(fn(np.swapaxes(seq_true, 1, 2), np.swapaxes(seq_pred, 1, 2),
                              axis=1)),
        "fn_rank_3": value(fn(seq_true, seq_pred)),
        "class_default": value(L.CategoricalFocalCrossentropy()(ONE_HOT, PROBS)),
        "class_logits": value(L.CategoricalFocalCrossentropy(
            alpha=0.5, gamma=1.0, from_logits=True, label_smoothing=0.05)(ONE_HOT, LOGITS)),
        "class_rank_3_sw_2d": value(L.CategoricalFocalCrossentropy()(
            seq_true, seq_pred, sample_weight=f32(rng(104).uniform(0, 1, (2, 5))))),
    }
    out["reductions"] = _reductions(
        keras, lambda r: L.CategoricalFocalCrossentropy(alpha=[0.5, 1.0, 1.5, 2.0],
                                                        reduction=r),
        ONE_HOT, PROBS, W6)
    out["one_class_warns"] = caught_warnings(lambda: fn(f32([[1.0], [1.0]]), f32([[0.3], [0.9]])))
    out["bool_axis"] = raises(lambda: fn(ONE_HOT, PROBS, axis=True))
    return out


def loss_configs(keras):
    L = keras.losses
    objs = {
        "dice": L.Dice(), "dice_axis": L.Dice(reduction="sum", name="d", axis=(0, 1)),
        "tversky": L.Tversky(), "tversky_set": L.Tversky(0.3, 0.7, "none", "tv", -1),
        "cfc": L.CategoricalFocalCrossentropy(),
        "cfc_set": L.CategoricalFocalCrossentropy(alpha=[0.2, 0.8], gamma=1.0, from_logits=True,
                                                  label_smoothing=0.1, axis=1,
                                                  reduction="mean_with_sample_weight",
                                                  name="focal"),
    }
    out = {}
    for key, obj in objs.items():
        config = obj.get_config()
        again = type(obj).from_config(config)
        out[key] = {"config": plain(config), "round_trip": plain(again.get_config()),
                    "value": value(again(ONE_HOT[:2, :2], PROBS[:2, :2]))}
    return out


def loss_names(keras):
    out = {}
    for name in ("dice", "tversky", "categorical_focal_crossentropy", "Dice", "Tversky",
                 "CategoricalFocalCrossentropy"):
        obj = keras.losses.get(name)
        kind = "class_instance" if not isinstance(obj, type(loss_names)) else "function"
        label = type(obj).__name__ if kind == "class_instance" else obj.__name__
        out[name] = {"kind": kind, "name": label,
                     "value": value(obj(ONE_HOT, PROBS)),
                     "serialized_name": keras.losses.serialize(obj).get("class_name")}
    out["metrics_fn"] = value(keras.metrics.categorical_focal_crossentropy(ONE_HOT, PROBS))
    return out


# -- metrics -----------------------------------------------------------------------------------
def _run(metric, batches, extra=None):
    """update_state per batch (y_true, y_pred[, sample_weight]); result after each; then
    reset_state and the result of a fresh update with the first batch."""
    out = {"results": []}
    for batch in batches:
        metric.update_state(*batch)
        out["results"].append(value(metric.result()))
        if extra is not None:
            out.setdefault("state", []).append(extra(metric))
    metric.reset_state()
    out["after_reset"] = [value(v) for v in metric.variables]
    metric.update_state(*batches[0])
    out["first_again"] = value(metric.result())
    return out


REG_TRUE = [f32(RNG.normal(0, 1, (5, 3))) for _ in range(3)]
REG_PRED = [t + f32(RNG.normal(0, 0.5, (5, 3))) for t in REG_TRUE]


def r2_scores(keras):
    M = keras.metrics
    plain_batches = [(t, p) for t, p in zip(REG_TRUE, REG_PRED)]
    r = rng(105)
    weighted = [(t, p, f32(r.uniform(0, 2, 5))) for t, p in zip(REG_TRUE, REG_PRED)]
    weighted_2d = [(t, p, f32(r.uniform(0, 2, (5, 3)))) for t, p in zip(REG_TRUE, REG_PRED)]
    out = {}
    for agg in (None, "uniform_average", "variance_weighted_average"):
        out[f"agg_{agg}"] = _run(M.R2Score(class_aggregation=agg), plain_batches)
        out[f"agg_{agg}_sw"] = _run(M.R2Score(class_aggregation=agg), weighted)
    out["sw_2d"] = _run(M.R2Score(), weighted_2d)
    out["sw_scalar"] = _run(M.R2Score(), [(REG_TRUE[0], REG_PRED[0], 2.0)])
    out["one_column_1d_true"] = _run(M.R2Score(), [(f32([1, 4, 3]), f32([[2], [4], [4]]))])
    out["adjusted"] = _run(M.R2Score(num_regressors=2), plain_batches)
    m = M.R2Score(num_regressors=14)  # 15 elements: n - 1 == p
    m.update_state(REG_TRUE[0], REG_PRED[0])
    out["adjusted_division_by_zero"] = caught_warnings(m.result)
    m = M.R2Score(num_regressors=30)
    m.update_state(REG_TRUE[0], REG_PRED[0])
    out["adjusted_too_many"] = caught_warnings(m.result)
    # A constant column: its score is -inf, reported as 0; exact small integers.
    out["constant_column"] = _run(M.R2Score(class_aggregation=None),
                                  [(f32([[1, 2], [1, 4], [1, 3]]), f32([[2, 2], [1, 4], [0, 4]]))])
    out["errors"] = {
        "rank_1": raises(lambda: M.R2Score().update_state(f32([1, 2, 3]), f32([1, 2, 2]))),
        "rank_3": raises(lambda: M.R2Score().update_state(f32(np.ones((2, 2, 2))),
                                                          f32(np.ones((2, 2, 2))))),
        "aggregation": raises(lambda: M.R2Score(class_aggregation="mean")),
        "regressors": raises(lambda: M.R2Score(num_regressors=-1)),
    }
    return out


def correlations(keras):
    M = keras.metrics
    batches = [(t, p) for t, p in zip(REG_TRUE, REG_PRED)]
    r = rng(107)
    weighted = [(t, p, f32(r.uniform(0, 2, 5))) for t, p in zip(REG_TRUE, REG_PRED)]
    out = {}
    for cls in (M.PearsonCorrelation, M.ConcordanceCorrelation):
        key = cls.__name__
        out[key] = _run(cls(), batches)
        out[key + "_sw"] = _run(cls(), weighted)
        out[key + "_axis0"] = _run(cls(axis=0), batches)
        out[key + "_3d"] = _run(cls(), [(f32(rng(108).normal(0, 1, (2, 3, 4))),
                                         f32(rng(109).normal(0, 1, (2, 3, 4))))])
    out["pearson_fn"] = value(M.pearson_correlation(REG_TRUE[0], REG_PRED[0]))
    out["pearson_fn_axis0"] = value(M.pearson_correlation(REG_TRUE[0], REG_PRED[0], axis=0))
    out["concordance_fn"] = value(M.concordance_correlation(REG_TRUE[0], REG_PRED[0]))
    out["concordance_fn_axis0"] = value(M.concordance_correlation(REG_TRUE[0], REG_PRED[0],
                                                                  axis=0))
    out["pearson_fn_col"] = value(M.pearson_correlation(f32([1, 2, 4, 5]), f32([[1], [3], [3],
                                                                                  [6]])))
    return out


# Predictions on the thresholds (0, 0.5, 1), outside [0, 1], and in between.
BIN_TRUE = [f32([0, 1, 1, 0, 1, 0, 1, 1]), f32([1, 0, 0, 1, 1, 0, 0, 1]),
            f32([0, 0, 1, 1, 0, 1, 1, 0])]
BIN_PRED = [f32([0.0, 0.5, 1.0, 0.25, 0.75, 0.5, 0.3, 1.2]),
            f32([0.9, 0.1, 0.6, 0.4, 0.35, -0.2, 0.55, 0.8]),
            f32([0.33, 0.66, 0.2, 0.9, 0.7, 0.45, 0.05, 0.95])]
BIN_W = [f32([1, 0.5, 2, 1, 0, 1, 1.5, 1]), f32([0.2, 1, 1, 3, 1, 1, 0.5, 0.5]),
         f32([1, 1, 1, 0, 2, 1, 1, 1])]
MULTI_TRUE = f32(RNG.integers(0, 2, (6, 3)))
MULTI_PRED = f32(RNG.uniform(0, 1, (6, 3)))
MULTI_W = f32(RNG.uniform(0, 1, 6))


def _confusion(m):
    return [value(v) for v in (m.true_positives, m.false_positives, m.true_negatives,
                               m.false_negatives)]


def at_metrics(keras):
    M = keras.metrics
    plain_batches = list(zip(BIN_TRUE, BIN_PRED))
    weighted = list(zip(BIN_TRUE, BIN_PRED, BIN_W))
    out = {}
    makers = {"SensitivityAtSpecificity": (M.SensitivityAtSpecificity, 0.6),
              "SpecificityAtSensitivity": (M.SpecificityAtSensitivity, 0.7),
              "PrecisionAtRecall": (M.PrecisionAtRecall, 0.5),
              "RecallAtPrecision": (M.RecallAtPrecision, 0.6)}
    for key, (cls, v) in makers.items():
        for n in (200, 1, 2, 3, 7):
            out[f"{key}_n{n}"] = _run(cls(v, num_thresholds=n), plain_batches,
                                      _confusion if n <= 7 else None)
        out[f"{key}_sw"] = _run(cls(v, num_thresholds=11), weighted, _confusion)
        out[f"{key}_n1_sw"] = _run(cls(v, num_thresholds=1), weighted, _confusion)
        out[f"{key}_class_id"] = _run(cls(v, num_thresholds=9, class_id=1),
                                      [(MULTI_TRUE, MULTI_PRED),
                                       (MULTI_TRUE[::-1], MULTI_PRED, MULTI_W)],
                                      _confusion)
        out[f"{key}_2d"] = _run(cls(v, num_thresholds=5), [(MULTI_TRUE, MULTI_PRED)], _confusion)
        for bound in (0.0, 1.0):
            out[f"{key}_value_{bound}"] = _run(cls(bound, num_thresholds=13), weighted)
        out[f"{key}_errors"] = {
            "value": raises(lambda cls=cls: cls(1.5)),
            "negative": raises(lambda cls=cls: cls(-0.1)),
            "num_thresholds": raises(lambda cls=cls, v=v: cls(v, num_thresholds=0))}
    return out


SEG_IDS_TRUE = [np.array([0, 1, 2, 2, 1, 0, 3, 1]), np.array([[2, 2, 0, 1], [1, 3, 3, 0]])]
SEG_IDS_PRED = [np.array([0, 2, 2, 1, 1, 0, 3, 0]), np.array([[2, 1, 0, 1], [3, 3, 0, 0]])]
SEG_IDS_W = [np.array([1, 2, 1, 0, 1, 1, 3, 1]), np.array([[1, 1, 2, 1], [0, 1, 1, 1]])]


def iou_metrics(keras):
    M = keras.metrics
    plain_batches = list(zip(SEG_IDS_TRUE, SEG_IDS_PRED))
    weighted = list(zip(SEG_IDS_TRUE, SEG_IDS_PRED, SEG_IDS_W))
    float_w = [(t, p, f32(w) * 0.75) for t, p, w in weighted]

    def cm(m):
        return value(m.total_cm)

    out = {
        "iou_02": _run(M.IoU(4, [0, 2]), plain_batches, cm),
        "iou_3_sw": _run(M.IoU(4, [3], name="iou3"), weighted, cm),
        "iou_float_sw_truncated": _run(M.IoU(4, [0, 1, 2]), float_w, cm),
        "iou_float_dtype": _run(M.IoU(4, [0, 1, 2], dtype="float32"), float_w, cm),
        "iou_ignore_class": _run(M.IoU(4, [0, 1, 3], ignore_class=1), weighted, cm),
        "iou_out_of_range": _run(M.IoU(3, [0, 1, 2]),
                                 [(np.array([0, 1, 5, -1, 2, 2]), np.array([0, 1, 2, 1, 7, 2]))],
                                 cm),
        "iou_ignore_minus_1": _run(M.IoU(3, [0, 1, 2], ignore_class=-1),
                                   [(np.array([0, -1, 1, 2, -1]), np.array([0, 1, 1, 0, 2]))],
                                   cm),
        "iou_float_labels": _run(M.IoU(3, [1, 2]), [(f32([0, 1, 1.7, 2]), f32([0, 1.2, 1, 2]))],
                                 cm),
        "iou_dense": _run(M.IoU(3, [0, 2], sparse_y_true=False, sparse_y_pred=False),
                          [(f32(np.eye(3)[[0, 1, 2, 2]]), PROBS[:4, :3])], cm),
        "iou_dense_axis0": _run(M.IoU(3, [1], sparse_y_pred=False, axis=0),
                                [(np.array([0, 1, 2, 1]), PROBS[:4, :3].T)], cm),
        "iou_unseen_class": _run(M.IoU(5, [3, 4]), plain_batches, cm),
        "mean_iou": _run(M.MeanIoU(4), plain_batches, cm),
        "mean_iou_sw": _run(M.MeanIoU(4, ignore_class=0), weighted, cm),
        "binary_iou": _run(M.BinaryIoU(), list(zip(BIN_TRUE, BIN_PRED)), cm),
        "binary_iou_1_t03": _run(M.BinaryIoU(target_class_ids=[1], threshold=0.3),
                                 list(zip(BIN_TRUE, BIN_PRED, BIN_W)), cm),
        "binary_iou_0": _run(M.BinaryIoU([0], 0.6), list(zip(BIN_TRUE, BIN_PRED)), cm),
        "one_hot_iou": _run(M.OneHotIoU(4, [1, 3]), [(ONE_HOT, PROBS), (ONE_HOT[::-1], PROBS)],
                            cm),
        "one_hot_iou_sparse_pred": _run(M.OneHotIoU(4, [0, 2], sparse_y_pred=True),
                                        [(ONE_HOT, np.argmax(PROBS, -1))], cm),
        "one_hot_mean_iou": _run(M.OneHotMeanIoU(4), [(ONE_HOT, PROBS, W6.astype("int32")),
                                                      (ONE_HOT[::-1], PROBS)], cm),
        "one_hot_mean_iou_ignore": _run(M.OneHotMeanIoU(4, ignore_class=2),
                                        [(ONE_HOT, PROBS)], cm),
        "fresh_result": value(M.MeanIoU(3).result()),
    }
    m = M.IoU(4, [0, 1])
    out["float_weight_warns"] = caught_warnings(
        lambda: (m.update_state(SEG_IDS_TRUE[0], SEG_IDS_PRED[0], f32(SEG_IDS_W[0])),
                 m.result())[1])
    out["errors"] = {"target_id": raises(lambda: M.IoU(3, [0, 3])),
                     "binary_target_id": raises(lambda: M.BinaryIoU([2])),
                     "one_hot_target_id": raises(lambda: M.OneHotIoU(2, [5]))}
    return out


def metric_configs(keras):
    M = keras.metrics
    objs = {
        "r2": M.R2Score(), "r2_set": M.R2Score(None, 3, "r2", "float32"),
        "pearson": M.PearsonCorrelation(), "concordance": M.ConcordanceCorrelation(axis=0),
        "sas": M.SensitivityAtSpecificity(0.4), "sas_set": M.SensitivityAtSpecificity(
            0.4, num_thresholds=7, class_id=2, name="s"),
        "spas": M.SpecificityAtSensitivity(0.3, 50), "par": M.PrecisionAtRecall(0.8),
        "rap": M.RecallAtPrecision(0.9, num_thresholds=1, class_id=0),
        "iou": M.IoU(3, (0, 2)), "iou_set": M.IoU(4, [1], name="i", dtype="float32",
                                                  ignore_class=255, sparse_y_true=False,
                                                  sparse_y_pred=False, axis=1),
        "binary_iou": M.BinaryIoU(), "binary_iou_set": M.BinaryIoU((1,), 0.25, "b"),
        "mean_iou": M.MeanIoU(5, ignore_class=0),
        "one_hot_iou": M.OneHotIoU(3, [0, 1], sparse_y_pred=True),
        "one_hot_mean_iou": M.OneHotMeanIoU(3, axis=1),
    }
    out = {}
    for key, obj in objs.items():
        config = obj.get_config()
        again = type(obj).from_config(config)
        out[key] = {"config": plain(config), "round_trip": plain(again.get_config()),
                    "variables": sorted([v.name.split("/")[-1].split(":")[0], list(v.shape)]
                                        for v in obj.variables),
                    "dtype": str(obj.dtype)}
    return out


def metric_names(keras):
    out = {}
    for name in ("r2_score", "R2Score", "pearson_correlation", "PearsonCorrelation",
                 "concordance_correlation", "ConcordanceCorrelation"):
        m = keras.metrics.get(name)
        m.update_state(REG_TRUE[0], REG_PRED[0])
        out[name] = {"class": type(m).__name__, "name": m.name, "result": value(m.result())}
    for name in ("precision_at_recall", "RecallAtPrecision", "sensitivity_at_specificity",
                 "SpecificityAtSensitivity", "io_u", "MeanIoU", "binary_io_u", "one_hot_io_u",
                 "one_hot_mean_io_u"):
        try:
            m = keras.metrics.get(name)
            out[name] = {"class": type(m).__name__, "name": m.name}
        except TypeError:  # a required argument: Keras calls the class with none
            out[name] = {"error": "TypeError"}
    return out


# -- fit ---------------------------------------------------------------------------------------
def _history(history):
    return {k: [float(v) for v in vs] for k, vs in history.history.items()}


def fit_focal(keras):
    r = rng(3)
    x = f32(r.normal(0, 1, (40, 4)))
    y = f32(np.eye(3)[(x[:, 0] + x[:, 1] > 0).astype(int) + (x[:, 2] > 1).astype(int)])
    model = fixed_weights(keras.Sequential([keras.Input(shape=(4,)),
                                            keras.layers.Dense(6, activation="tanh"),
                                            keras.layers.Dense(3, activation="softmax")]))
    model.compile(optimizer=keras.optimizers.SGD(0.2),
                  loss=keras.losses.CategoricalFocalCrossentropy(alpha=[0.3, 0.5, 0.2],
                                                                 gamma=1.5),
                  metrics=[keras.metrics.OneHotMeanIoU(3), keras.metrics.PearsonCorrelation(),
                           keras.metrics.PrecisionAtRecall(0.5, num_thresholds=50)])
    history = model.fit(x[:32], y[:32], batch_size=8, epochs=3, shuffle=False, verbose=0,
                        validation_data=(x[32:], y[32:]))
    return {"history": _history(history),
            "weights": [np.round(w.astype(np.float64), 6).tolist() for w in model.get_weights()]}


def fit_tversky(keras):
    r = rng(5)
    x = f32(r.normal(0, 1, (24, 5)))
    y = f32(np.stack([x[:, 0] > 0, x[:, 1] + x[:, 2] > 0.5, x[:, 3] < -0.3], -1))
    model = fixed_weights(keras.Sequential([keras.Input(shape=(5,)),
                                            keras.layers.Dense(3, activation="sigmoid")]))
    model.compile(optimizer=keras.optimizers.Adam(0.05),
                  loss=keras.losses.Tversky(alpha=0.3, beta=0.7, axis=-1),
                  metrics=[keras.metrics.BinaryIoU(target_class_ids=[1], threshold=0.4),
                           keras.metrics.R2Score(),
                           keras.metrics.SensitivityAtSpecificity(0.5, num_thresholds=20)])
    history = model.fit(x, y, batch_size=6, epochs=3, shuffle=False, verbose=0)
    ev = model.evaluate(x, y, verbose=0, return_dict=True)
    return {"history": _history(history), "evaluate": {k: float(v) for k, v in ev.items()}}


def fit_dice_string(keras):
    r = rng(9)
    x = f32(r.normal(0, 1, (16, 3)))
    y = f32(x[:, :2] > 0)
    model = fixed_weights(keras.Sequential([keras.Input(shape=(3,)),
                                            keras.layers.Dense(2, activation="sigmoid")]))
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="dice",
                  metrics=["r2_score", "concordance_correlation"])
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    return {"history": _history(history)}


CASES = {f.__name__: f for f in [dice_losses, tversky_losses, categorical_focal_losses,
                                 loss_configs, loss_names, r2_scores, correlations, at_metrics,
                                 iou_metrics, metric_configs, metric_names, fit_focal,
                                 fit_tversky, fit_dice_string]}
