"""Import time: ``python -c "import tapeflow"`` in a fresh subprocess, beside numpy and ``pass``.

Each command runs 11 times (interleaved, so drift hits all alike). The figure is the import
cost: the median wall time of the process minus that of ``python -c pass`` (the whole-process
time is listed too); tapeflow minus numpy is what tapeflow adds on top of NumPy. .pyc files
are written and reused (under a temporary PYTHONPYCACHEPREFIX), as after a pip install; where
the environment sets PYTHONDONTWRITEBYTECODE=1 a second line shows that slower case. Then one
``-X importtime`` run lists the slowest modules under ``import tapeflow``.
Target: <= 0.2 s (TF 3.3 s, numpy alone 0.09 s).

Run: ``.venv/bin/python bench/import_time.py [--quick] [--json]``
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import common

TARGET_S = 0.2
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


PYC_DIR = os.path.join(tempfile.gettempdir(), "tapeflow-bench-pycache")


def _env(cached=True):
    """The subprocess environment. ``cached``: .pyc files are written and reused, as after a
    pip install, but under a temporary PYTHONPYCACHEPREFIX so the checkout stays clean (this
    matters where PYTHONDONTWRITEBYTECODE=1 would otherwise recompile tapeflow every run)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    if cached:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = PYC_DIR
    return env


def time_command(code, env):
    t0 = time.perf_counter_ns()
    subprocess.run([sys.executable, "-c", code], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter_ns() - t0) / 1e9


def time_imports(codes, runs, cached=True):
    env = _env(cached)
    samples = {code: [] for code in codes}
    for code in codes:  # warm the OS file cache and write the .pyc files once
        time_command(code, env)
        time_command(code, env)
    for _ in range(runs):
        for code in codes:
            samples[code].append(time_command(code, env))
    return {code: {"median_us": statistics.median(s) * 1e6, "min_us": min(s) * 1e6,
                   "max_us": max(s) * 1e6} for code, s in samples.items()}


def slowest_modules(top=10):
    """The slowest modules ``import tapeflow`` loads, as (cumulative_us, self_us, name).

    Returns tapeflow's own modules by cumulative time, and the other modules tapeflow itself
    pulls in (outside numpy's own import tree) by self time.
    """
    env = _env()
    subprocess.run([sys.executable, "-c", "import tapeflow"], env=env, check=True)  # .pyc
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import tapeflow"],
                          env=env, check=True, capture_output=True, text=True)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        self_us, cum_us, name = line[len("import time:"):].split("|")
        level = len(name) - len(name.lstrip(" "))
        rows.append((int(cum_us), int(self_us), name.strip(), level))
    # -X importtime prints children before their parent: walk backwards to find ancestors.
    stack, pulled = [], set()
    for cum, own, name, level in reversed(rows):
        while stack and stack[-1][0] >= level:
            stack.pop()
        chain = [n for _, n in stack]
        if "tapeflow" in chain and not any(n.startswith("numpy") for n in chain + [name]):
            pulled.add(name)
        stack.append((level, name))
    ours = sorted((r[:3] for r in rows if r[2].startswith("tapeflow")), reverse=True)[:top]
    theirs = sorted((r[:3] for r in rows
                     if not r[2].startswith("tapeflow") and r[2] in pulled),
                    key=lambda r: r[1], reverse=True)[:5]
    return ours, theirs


def run(quick=False):
    runs = 3 if quick else 11
    codes = {"tapeflow": "import tapeflow", "numpy": "import numpy", "pass": "pass"}
    if common.real_tensorflow() is not None:
        codes["TensorFlow"] = "import tensorflow"
    results = [_result("import tapeflow (over `pass`)", codes, runs, True)]
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        del codes["pass"]  # only tapeflow differs: its .pyc is never written here
        codes.pop("TensorFlow", None)
        codes["pass"] = "pass"
        results.append(_result("import tapeflow (no .pyc: env)", codes, runs, False))
    return results


def _result(name, codes, runs, cached):
    t = time_imports(list(codes.values()), runs, cached)
    t = {label: t[code] for label, code in codes.items()}
    base = t["pass"]["median_us"]
    # The figures are import costs: a process's median time minus the empty interpreter's
    # (the reference "numpy alone: 0.09 s" is measured that way).
    cost = {k: {key: v[key] - base for key in ("median_us", "min_us", "max_us")}
            for k, v in t.items()}
    rest = {"python -c pass (whole process)": t["pass"],
            "import tapeflow (whole process)": t["tapeflow"]}
    if "TensorFlow" in t:
        rest["import tensorflow (over pass)"] = cost["TensorFlow"]
    how = ".pyc cached, as after pip install" if cached else \
        "PYTHONDONTWRITEBYTECODE=1 is set here: tapeflow compiles from source every run"
    note = (f"{how}; tapeflow adds "
            f"{(t['tapeflow']['median_us'] - t['numpy']['median_us']) / 1e6:.3f} s over numpy")
    return common.result(name, cost["tapeflow"], cost["numpy"], TARGET_S * 1e6, rest, note)


def print_slowest():
    ours, theirs = slowest_modules()
    print("  slowest tapeflow modules (-X importtime, one run, .pyc cached): cumulative / self")
    for cum, own, name in ours:
        print(f"    {cum / 1000:7.1f} ms  {own / 1000:6.1f} ms  {name}")
    print("  slowest other modules tapeflow pulls in (outside numpy's imports), by self time:")
    for cum, own, name in theirs:
        print(f"    {cum / 1000:7.1f} ms  {own / 1000:6.1f} ms  {name}")
    if not theirs:
        print("    (none: everything else it loads comes through numpy)")


if __name__ == "__main__":
    args = common.parse_args("Import time of tapeflow vs numpy vs an empty interpreter")
    results = run(args.quick)
    if args.json:
        import json
        json.dump(results, sys.stdout, indent=1)
        print()
    else:
        print(common.machine_line())
        common.print_results("import time (seconds over an empty interpreter)", results)
        print_slowest()
