r"""scikit-learn's estimator checks on both regressors, many times in a row.

What it measures
----------------
A check that fails once in a few runs is worse than one that always fails: it
hides in CI. ``MLPRegressor`` once failed ``check_methods_sample_order_invariance``
in about 1 run of 6 (a float32 matrix product took another code path for a row
after the last full block of a batch). This script runs sklearn's whole
``check_estimator`` suite, ``--runs`` (200) times in a row in one process, on
every ``LSTMRegressor`` and ``MLPRegressor`` instance of ``tests/test_common.py``
(the same instances and the same expected failures that the test suite checks,
read from that file), each run with another seed: run ``i`` sets
``random_state=i`` (``--seed-offset`` shifts it), so each run draws other initial
weights and batch orders, and a failure is reproduced by its seed.

It prints one line per ``--every`` (10) runs, then a table: instance, runs,
checks per run, passed, expected failures (``xfail``), skipped, failed, seconds,
and every unexpected failure with its seed, check and the first line of its
message. Torch runs on each instance's own thread setting (the library default
``'auto'``: one thread for these tiny networks); the 1-minute load average is
printed beside the timings. Exit status 1 if any check failed unexpectedly.

How to run
----------
From the repository root::

    python benchmarks/bench_check_stability.py               # 200 runs, ~30 min
    python benchmarks/bench_check_stability.py --runs 5 --only MLP   # quick look
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import warnings
from pathlib import Path

from _machine import load_average, machine_line

TESTS = Path(__file__).parents[1] / "tests"


def suite_instances(only=None, closure=False):
    """Return the regressor instances of ``tests/test_common.py`` and its xfail rule.

    Parameters
    ----------
    only : str or None, default=None
        Keep the instances whose ``repr`` contains this text.
    closure : bool, default=False
        Also the instance with a closure optimizer (LBFGS) on torch's own thread
        setting: about 8 s a run on one thread, but 80 s on two threads of a busy
        2-core machine (the trap that ``n_threads='auto'`` avoids).

    Returns
    -------
    instances : list of estimators
        The ``LSTMRegressor`` and ``MLPRegressor`` entries of its ``ESTIMATORS``.
    expected_failed_checks : callable
        ``estimator -> {check name: reason}``, the suite's own.
    """
    spec = importlib.util.spec_from_file_location(
        "_common_checks", TESTS / "test_common.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from lstmforecast.regressors import LSTMRegressor, MLPRegressor

    instances = [
        e
        for e in module.ESTIMATORS
        if type(e) in (LSTMRegressor, MLPRegressor)
        and (only is None or only in repr(e))
        and (closure or "LBFGS" not in repr(e))
    ]
    return instances, module._expected_failed_checks


def run_checks(estimator, expected_failed_checks):
    """Run sklearn's ``check_estimator`` once; return its counts and failures.

    Parameters
    ----------
    estimator : estimator
        The instance to check (cloned by each check).
    expected_failed_checks : dict
        ``{check name: reason}``: failures of these checks are expected.

    Returns
    -------
    counts : dict
        ``{'passed', 'xfail', 'skipped', 'failed'}`` -> number of checks.
    failures : list of (str, str)
        ``(check name, first line of the exception)`` of each unexpected failure.
    """
    from sklearn.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(
            estimator,
            expected_failed_checks=expected_failed_checks,
            on_skip=None,
            on_fail=None,
        )
    counts = dict.fromkeys(("passed", "xfail", "skipped", "failed"), 0)
    failures = []
    for result in results:
        counts[result["status"]] += 1
        if result["status"] == "failed":
            text = str(result["exception"]).strip().splitlines() or [""]
            failures.append((result["check_name"], text[0][:200]))
    return counts, failures


def _label(estimator) -> str:
    from sklearn.base import clone

    return " ".join(repr(clone(estimator).set_params(random_state="seed")).split())


def stability(instances, expected, runs, seed_offset=0, every=10):
    """Check every instance ``runs`` times, run ``i`` with ``random_state=i``.

    Parameters
    ----------
    instances : list of estimators
        What to check.
    expected : callable
        ``estimator -> {check name: reason}``.
    runs : int
        Runs per instance.
    seed_offset : int, default=0
        Run ``i`` uses ``random_state=seed_offset + i``.
    every : int, default=10
        Print a progress line every this many runs (0: never).

    Returns
    -------
    rows : list of dict
        Per instance: ``label``, ``runs``, ``checks`` (per run), the summed counts,
        ``seconds`` and ``failures`` (``(seed, check, message)`` tuples).
    """
    from sklearn.base import clone

    rows = [
        {"label": _label(e), "runs": 0, "checks": 0, "seconds": 0.0, "failures": []}
        for e in instances
    ]
    for row in rows:
        row.update(dict.fromkeys(("passed", "xfail", "skipped", "failed"), 0))
    start = time.perf_counter()
    for i in range(runs):
        seed = seed_offset + i
        for estimator, row in zip(instances, rows, strict=True):
            seeded = clone(estimator).set_params(random_state=seed)
            tic = time.perf_counter()
            counts, failures = run_checks(seeded, expected(seeded))
            row["seconds"] += time.perf_counter() - tic
            row["runs"] += 1
            row["checks"] = sum(counts.values())
            for key, value in counts.items():
                row[key] += value
            row["failures"] += [(seed, *failure) for failure in failures]
        if every and (i + 1) % every == 0:
            failed = sum(r["failed"] for r in rows)
            print(
                f"  run {i + 1:>4}/{runs}: {failed} unexpected failure(s) so far, "
                f"{time.perf_counter() - start:,.0f} s, load {load_average():.2f}",
                flush=True,
            )
    return rows


def print_table(rows):
    """Print the per-instance table and every unexpected failure."""
    print("\n| instance | runs | checks/run | passed | xfail | skipped | failed | s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['label']} | {r['runs']} | {r['checks']} | {r['passed']} | "
            f"{r['xfail']} | {r['skipped']} | {r['failed']} | {r['seconds']:,.0f} |"
        )
    failures = [(r["label"], *f) for r in rows for f in r["failures"]]
    total = sum(r["runs"] * r["checks"] for r in rows)
    print(f"\n{len(failures)} unexpected failure(s) in {total:,} checks")
    for label, seed, check, message in failures:
        print(f"  seed {seed}: {check} on {label}: {message}")


def main(argv=None):
    """Run the benchmark; return the table rows (see :func:`stability`)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="runs (default: 200)")
    parser.add_argument("--only", default=None, help="instances whose repr has this")
    parser.add_argument("--seed-offset", type=int, default=0, help="first seed")
    parser.add_argument(
        "--closure", action="store_true", help="also the LBFGS instance (slow)"
    )
    parser.add_argument("--every", type=int, default=10, help="progress every N runs")
    args = parser.parse_args(argv)
    instances, expected = suite_instances(args.only, args.closure)
    if not instances:
        parser.error(f"--only {args.only!r} matches no instance of tests/test_common")
    print(machine_line())
    print(
        f"{len(instances)} instance(s) x {args.runs} run(s), seeds "
        f"{args.seed_offset} ... {args.seed_offset + args.runs - 1}; "
        f"load before {load_average():.2f}",
        flush=True,
    )
    rows = stability(instances, expected, args.runs, args.seed_offset, args.every)
    print_table(rows)
    print(f"load after {load_average():.2f}")
    return rows


if __name__ == "__main__":
    sys.exit(1 if any(r["failed"] for r in main()) else 0)
