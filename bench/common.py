"""Shared timing machinery for the side-by-side benchmarks.

Every benchmark times tapeflow next to a hand-written NumPy version of the same work, in the
same process and the same run, and reports the ratio tapeflow / numpy, so a figure still
means something on a noisy or slower machine. TensorFlow, PyTorch and JAX columns appear when
they import (run a script with another interpreter, e.g. ``/root/tfvenv/bin/python
bench/w3_op_overhead.py``, to get a real TensorFlow column).

How a figure is made (``compare``):
  * each case is a callable or a statement string, compiled into a tight ``for`` loop as
    ``timeit`` does (a string adds no call overhead; a callable adds ~30 ns per call);
  * every case is warmed up, then the loop count ``n`` is calibrated so one block lasts about
    ``block_s`` seconds;
  * ``blocks`` blocks are run round-robin across the cases (so drift on the machine hits all
    of them alike), each timed with ``time.perf_counter_ns``;
  * the figure is the MEDIAN over blocks of (block time / n), never a mean.
The garbage collector stays enabled: it is part of what a user's loop pays.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

# Benchmark this checkout's tapeflow, also from another interpreter (e.g. one with real TF).
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

_TEMPLATE = """
def _bench_inner(_n, _perf=_perf):
    _range = range(_n)
    _t0 = _perf()
    for _ in _range:
        {stmt}
    return _perf() - _t0
"""


def make_loop(case, namespace=None):
    """``inner(n) -> ns`` for a callable or a statement string run in ``namespace``."""
    ns = dict(namespace or {})
    ns["_perf"] = time.perf_counter_ns
    if callable(case):
        ns["_fn"] = case
        stmt = "_fn()"
    else:
        stmt = case
    exec(compile(_TEMPLATE.format(stmt=stmt), "<bench>", "exec"), ns)
    return ns["_bench_inner"]


def calibrate(inner, block_s, warmup_s):
    """Warm ``inner`` up for ``warmup_s`` seconds and return n so one block takes ~block_s."""
    n = 1
    deadline = time.perf_counter_ns() + int(warmup_s * 1e9)
    while True:
        t = inner(n)
        if time.perf_counter_ns() >= deadline and t >= block_s * 1e9 / 4:
            break
        if t < block_s * 1e9 / 4:
            n *= 2
    per = t / n
    return max(1, int(block_s * 1e9 / per))


def compare(cases, namespace=None, blocks=15, block_s=0.04, warmup_s=0.1):
    """Time several cases side by side. ``cases`` maps label -> callable or statement.

    Returns label -> dict(median_us, min_us, max_us, n, blocks) with per-call microseconds.
    """
    loops = {label: make_loop(case, namespace) for label, case in cases.items()}
    counts = {label: calibrate(inner, block_s, warmup_s) for label, inner in loops.items()}
    samples = {label: [] for label in loops}
    order = list(loops.items())
    for round_ in range(blocks):
        # ABAB... would give each case a fixed neighbour and a fixed phase in any periodic
        # load; alternating the order (AB, BA, AB ...) lets both see the same conditions
        for label, inner in (order if round_ % 2 == 0 else order[::-1]):
            n = counts[label]
            samples[label].append(inner(n) / n / 1000.0)
    return {label: {"median_us": statistics.median(s), "min_us": min(s), "max_us": max(s),
                    "n": counts[label], "blocks": len(s)} for label, s in samples.items()}


# -- optional frameworks ---------------------------------------------------------------------
def real_tensorflow():
    """The real TensorFlow module if importable (never tapeflow's alias), else None."""
    if os.environ.get("BENCH_NO_FRAMEWORKS"):
        return None
    try:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow
    except Exception:
        return None
    if "tapeflow" in (getattr(tensorflow, "__file__", "") or ""):
        return None
    return tensorflow


def torch_module():
    if os.environ.get("BENCH_NO_FRAMEWORKS"):
        return None
    try:
        import torch
    except Exception:
        return None
    return torch


def jax_module():
    if os.environ.get("BENCH_NO_FRAMEWORKS"):
        return None
    try:
        import jax
        import jax.numpy  # noqa: F401
    except Exception:
        return None
    return jax


# -- reporting -------------------------------------------------------------------------------
def result(name, tapeflow, numpy, target_us, others=None, note=""):
    """One benchmark line: tapeflow and numpy timing dicts, target, other frameworks."""
    tf_us, np_us = tapeflow["median_us"], numpy["median_us"]
    return {"name": name, "tapeflow_us": tf_us, "numpy_us": np_us, "ratio": tf_us / np_us,
            "target_us": target_us, "met": tf_us <= target_us,
            "tapeflow_range_us": [tapeflow["min_us"], tapeflow["max_us"]],
            "numpy_range_us": [numpy["min_us"], numpy["max_us"]],
            "others": {k: v["median_us"] for k, v in (others or {}).items()}, "note": note}


def fmt_us(us):
    if us >= 100_000:
        return f"{us / 1e6:.3f} s"
    if us >= 10_000:
        return f"{us / 1e3:.1f} ms"
    if us >= 100:
        return f"{us:,.0f} us"
    return f"{us:.2f} us"


def print_results(title, results, file=None):
    out = file or sys.stdout
    print(f"== {title}", file=out)
    for r in results:
        lo, hi = r["tapeflow_range_us"]
        print(f"  {r['name']:<34} tapeflow {fmt_us(r['tapeflow_us']):>10}  "
              f"(blocks {fmt_us(lo)}..{fmt_us(hi)})   numpy {fmt_us(r['numpy_us']):>10}   "
              f"ratio {r['ratio']:6.2f}x   target <= {fmt_us(r['target_us'])}  "
              f"{'MET' if r['met'] else 'MISSED'}", file=out)
        for k, v in r["others"].items():
            print(f"      {k:<30} {fmt_us(v):>10}   ({v / r['numpy_us']:.1f}x numpy)", file=out)
        if r["note"]:
            print(f"      note: {r['note']}", file=out)


def machine_line():
    import numpy
    cores = os.cpu_count()
    blas = os.environ.get("OPENBLAS_CORETYPE")
    extra = f", OPENBLAS_CORETYPE={blas}" if blas else ""
    return (f"python {platform.python_version()}, numpy {numpy.__version__}, "
            f"{cores} cores{extra}, {platform.machine()}")


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="fewer, shorter blocks (smoke run)")
    p.add_argument("--json", action="store_true", help="print results as JSON")
    return p.parse_args()


def settings(quick):
    return dict(blocks=5, block_s=0.01, warmup_s=0.02) if quick else \
        dict(blocks=21, block_s=0.05, warmup_s=0.2)


def main(title, run):
    """Entry point shared by the scripts: ``run(quick) -> list of results``."""
    args = parse_args(title)
    results = run(args.quick)
    if args.json:
        json.dump(results, sys.stdout, indent=1)
        print()
    else:
        print(machine_line())
        print_results(title, results)
    return results
