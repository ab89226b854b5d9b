"""Run every benchmark and print one compact table.

    .venv/bin/python bench/run_all.py            # full run (~1 min)
    .venv/bin/python bench/run_all.py --quick    # smoke run (~15 s), figures are rough
    .venv/bin/python bench/run_all.py --json     # machine-readable
    /root/tfvenv/bin/python bench/run_all.py   # an interpreter with real TF: adds its columns

Each line: tapeflow's median, the hand-written NumPy median from the same run, their ratio,
the target, and whether it is met. Frameworks that import (TensorFlow, PyTorch, JAX) are
listed under the table, per benchmark.
"""
import json
import sys

import common
import import_time
import w1_training_step
import w3_op_overhead
import w4_tape_step

SUITES = [w1_training_step, w3_op_overhead, w4_tape_step, import_time]


def table(results):
    head = f"{'benchmark':<36}{'tapeflow':>11}{'numpy':>11}{'ratio':>8}{'target':>13}  met?"
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(f"{r['name']:<36}{common.fmt_us(r['tapeflow_us']):>11}"
                     f"{common.fmt_us(r['numpy_us']):>11}{r['ratio']:>7.2f}x"
                     f"{'<= ' + common.fmt_us(r['target_us']):>13}  "
                     f"{'yes' if r['met'] else 'NO'}")
    return "\n".join(lines)


def main():
    args = common.parse_args("Run all tapeflow benchmarks and print a table")
    results = []
    for suite in SUITES:
        print(f"running {suite.__name__} ...", file=sys.stderr, flush=True)
        results.extend(suite.run(args.quick))
    if args.json:
        json.dump({"machine": common.machine_line(), "results": results}, sys.stdout, indent=1)
        print()
        return
    print(common.machine_line())
    print(table(results))
    for r in results:
        if r["others"] or r["note"]:
            bits = [f"{k} {common.fmt_us(v)}" for k, v in r["others"].items()]
            print(f"  {r['name']}: " + "; ".join(bits))
            if r["note"]:
                print(f"    {r['note']}")


if __name__ == "__main__":
    main()
