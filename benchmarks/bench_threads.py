r"""Fit time of the networks on 1 thread, on all threads and with ``n_threads='auto'``.

What it measures
----------------
Each network is fitted with ``LSTMRegressor(..., n_threads=N, random_state=0)``
for N = 1, N = ``--threads`` (default: the usable CPUs, torch's own default) and
N = ``'auto'`` (the library's default policy, with torch set to ``--threads``
first, as torch starts), first on an idle machine, then with a child process
``python -c "while True: pass"`` keeping one core busy (started by this script,
ended when the busy runs are done). Each fit is followed by a predict on the
training windows (the median of 3 calls) on the same setting.

Networks, on the lab's data: a synthetic hourly series of two months (1,464
values, daily and weekly cycles, scaled to [0, 1]) cut into 36-hour windows and
split in time order (gap 36) into 1,152 training windows of 36 x 1:

lab
    ``LSTMRegressor((7, 3))``, batch 32, ``--epochs`` (30) epochs: 428
    parameters x 32 rows x 36 steps = 493,056 per batch (the ``work`` column).
big
    ``LSTMRegressor(--big-hidden)`` (128), batch ``--big-batch`` (256),
    ``--big-epochs`` (30) epochs: 67,201 x 256 x 36 = 619 million.

``--networks sweep`` times networks in between (LSTM 16 / 32 / 64 units and MLPs, at
several batch sizes) on 1 thread and on ``--threads``, ``--sweep-epochs`` (5)
epochs each, idle and busy, to place the size where more threads start to pay:
the threshold of ``'auto'``. ``work`` is what ``'auto'`` compares with it:
parameters x rows per batch x time steps per row (36 for the LSTM, 1 for the
MLP), about the multiply-adds of a batch's forward pass.

Each setting of a network is timed ``--reps`` (3) times, interleaved (1 thread,
all threads, auto, then again), after one untimed warm-up fit; a cell stops
repeating once its fits have taken ``--cell-budget`` (40) seconds. The tables
give the median fit time, the predict time, what ``'auto'`` resolved to
(``n_threads_``; in the sweep, which does not time it, what it would pick), the
ratios all-threads / 1-thread and auto / best, the 1-minute load average before
each network's runs (``os.getloadavg``) and ``others``: the cores that other
processes kept busy meanwhile (``/proc/stat`` minus this process; the spinning
child counts, so about 1 when busy). On a
shared machine another user's job may run meanwhile: a network whose runs saw
other processes use more than ``--max-others`` (0.25) cores beyond the expected
(0 idle, 1 busy) is timed again, up to ``--retries`` (2) times, and the table
shows the last timing with its ``others``.

How to run
----------
From the repository root::

    python benchmarks/bench_threads.py                   # lab and big, ~10 min
    python benchmarks/bench_threads.py --networks sweep  # the sizes, ~5 min
    python benchmarks/bench_threads.py --epochs 3 --big-epochs 2 --reps 1  # quick
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import time

import numpy as np
from _machine import load_average, machine_line, usable_cpus

SPIN = "while True: pass"


@contextlib.contextmanager
def busy_core():
    """Keep one core busy with a spinning child process while the block runs."""
    child = subprocess.Popen([sys.executable, "-c", SPIN])
    try:
        time.sleep(2.0)  # let it get going (and the load average start to rise)
        yield child.pid
    finally:
        child.kill()
        child.wait()


def lab_windows(seed: int = 0):
    """Return the 1,152 training windows (36 x 1) and targets of the lab series."""
    from lstmforecast.preprocessing import make_windows, time_train_test_split

    rng = np.random.default_rng(seed)
    hours = np.arange(1464)
    raw = (
        1.0
        + 0.6 * np.sin(2 * np.pi * (hours - 6) / 24)
        + 0.2 * np.sin(2 * np.pi * hours / 168)
        + 0.1 * rng.standard_normal(len(hours))
    )
    series = ((raw - raw.min()) / (raw.max() - raw.min())).astype(np.float32)
    X, y = make_windows(series, 36)
    X_tr, _, y_tr, _ = time_train_test_split(X, y, test_size=240, gap=36)
    return np.ascontiguousarray(X_tr), np.asarray(y_tr).ravel()


class Case:
    """One network to time: a name, an estimator factory and its epochs."""

    def __init__(self, name, kind, hidden, batch, epochs):
        self.name, self.kind, self.hidden = name, kind, hidden
        self.batch, self.epochs = batch, epochs

    def make(self, n_threads, epochs=None):
        """Return the unfitted estimator on ``n_threads``."""
        from lstmforecast.regressors import LSTMRegressor, MLPRegressor

        cls = LSTMRegressor if self.kind == "lstm" else MLPRegressor
        return cls(
            self.hidden,
            batch_size=self.batch,
            max_epochs=epochs or self.epochs,
            random_state=0,
            n_threads=n_threads,
        )

    def work(self, X):
        """Parameters x batch rows x time steps: what ``n_threads='auto'`` reads."""
        model = self.make(1, epochs=1).fit(X[: self.batch], np.zeros(self.batch))
        return model._thread_work(model.n_params_, min(self.batch, len(X)))


def cpu_seconds():
    """Return (busy CPU seconds of the whole machine, of this process).

    From ``/proc/stat`` (all CPUs, idle and iowait excluded) and
    :func:`time.process_time`; the machine's is NaN where there is no
    ``/proc/stat``.
    """
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:9]]
        machine = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        machine = float("nan")
    return machine, time.process_time()


def time_one(case, n_threads, X, y):
    """Fit and predict once; return (fit s, predict s, threads fit used)."""
    model = case.make(n_threads)
    t0 = time.perf_counter()
    model.fit(X, y)
    fit_s = time.perf_counter() - t0
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        model.predict(X)
        times.append(time.perf_counter() - t0)
    return fit_s, statistics.median(times), model.n_threads_


def time_case(case, settings, X, y, reps, budget):
    """Time one case on every setting, interleaved, after an untimed warm-up.

    Returns
    -------
    res : dict
        ``{"load": float, "others": float, setting: {"fit": [...], "predict":
        [...], "threads": int}}``; ``others`` is the cores other processes kept
        busy meanwhile.
    """
    case.make(settings[0][1], epochs=1).fit(X, y)  # warm-up, untimed
    res = {"load": load_average()}
    res.update({label: {"fit": [], "predict": []} for label, _ in settings})
    wall, (machine, own) = time.perf_counter(), cpu_seconds()
    for rep in range(reps):
        for label, n_threads in settings:
            cell = res[label]
            if rep and sum(cell["fit"]) > budget:
                continue
            fit_s, pred_s, used = time_one(case, n_threads, X, y)
            cell["fit"].append(fit_s)
            cell["predict"].append(pred_s)
            cell["threads"] = used
    machine_end, own_end = cpu_seconds()
    res["others"] = (machine_end - machine - (own_end - own)) / (
        time.perf_counter() - wall
    )
    return res


def time_cases(cases, settings, X, y, args, expected_others):
    """Time every case; re-time one whose runs other processes disturbed.

    A case during which other processes kept more than ``expected_others +
    args.max_others`` cores busy (``expected_others``: 1 for the spinning child
    of the busy runs) is timed again, up to ``args.retries`` times; the last
    timing is kept and its ``others`` shows it.
    """
    results = {}
    for case in cases:
        for attempt in range(args.retries + 1):
            res = time_case(case, settings, X, y, args.reps, args.cell_budget)
            disturbed = res["others"] > expected_others + args.max_others
            print(
                f"  {case.name}: load {res['load']:.2f}, other processes "
                f"{res['others']:.2f} cores"
                + (
                    " (disturbed: again)"
                    if disturbed and attempt < args.retries
                    else ""
                ),
                flush=True,
            )
            if not disturbed:
                break
        results[case.name] = res
    return results


def fmt(seconds: float) -> str:
    """Format a duration in s or ms."""
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1e3:.1f} ms"


def auto_threads(work: int, threads: int) -> int:
    """Return what ``n_threads='auto'`` picks for ``work`` when torch has ``threads``.

    The library's own rule (``_resolve_threads``), with torch set to ``threads``.
    """
    import torch

    from lstmforecast.regressors._base import _resolve_threads

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(threads)
        return _resolve_threads("auto", work, "cpu")
    finally:
        torch.set_num_threads(before)


def table(title, cases, results, works, settings):
    """Print one condition's table: medians, what auto chose, ratios."""
    labels = [label for label, _ in settings]
    head = ["network", "work", "load", "others"]
    head += [f"fit {lb}" for lb in labels] + [f"predict {lb}" for lb in labels]
    head += [f"{labels[1]}/1", "auto uses", "auto/best"]
    rows = [head]
    for case in cases:
        res = results[case.name]
        fit = {lb: statistics.median(res[lb]["fit"]) for lb in labels}
        pred = {lb: statistics.median(res[lb]["predict"]) for lb in labels}
        row = [case.name, f"{works[case.name]:,}", f"{res['load']:.2f}"]
        row.append(f"{res['others']:.2f}")
        row += [fmt(fit[lb]) for lb in labels] + [fmt(pred[lb]) for lb in labels]
        row.append(f"{fit[labels[1]] / fit[labels[0]]:.2f}")
        if "auto" in res:
            best = min(fit[labels[0]], fit[labels[1]])
            row += [f"{res['auto']['threads']}", f"{fit['auto'] / best:.2f}"]
        else:  # not timed: what the policy would pick (torch set to all threads)
            row += [f"{auto_threads(works[case.name], settings[1][1])}", ""]
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    print(f"\n{title}")
    for r in rows:
        cells = (
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        print("  " + "  ".join(cells))


def sweep_cases(epochs):
    """Networks between the lab's and the big one, for placing the threshold."""
    return [
        Case("lstm 16, b64", "lstm", 16, 64, epochs),
        Case("lstm 32, b64", "lstm", 32, 64, epochs),
        Case("lstm 32, b128", "lstm", 32, 128, epochs),
        Case("lstm 64, b64", "lstm", 64, 64, epochs),
        Case("lstm 64, b128", "lstm", 64, 128, epochs),
        Case("lstm 64, b256", "lstm", 64, 256, epochs),
        Case("mlp (15,10,5), b32", "mlp", (15, 10, 5), 32, epochs),
        Case("mlp (256,256), b64", "mlp", (256, 256), 64, epochs),
        Case("mlp (256,256), b256", "mlp", (256, 256), 256, epochs),
    ]


def parse(argv):
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--threads", type=int, default=usable_cpus(), help="'all threads' (CPUs)")
    add("--epochs", type=int, default=30, help="lab epochs (30)")
    add("--big-hidden", type=int, default=128, help="big LSTM units (128)")
    add("--big-batch", type=int, default=256, help="big batch size (256)")
    add("--big-epochs", type=int, default=30, help="big epochs (30)")
    add("--reps", type=int, default=3, help="timed fits per cell (3)")
    add("--cell-budget", type=float, default=40.0, help="seconds per cell (40)")
    add(
        "--networks",
        choices=["main", "sweep", "all"],
        default="main",
        help="lab and big (main), the sizes in between (sweep), or both",
    )
    add("--sweep-epochs", type=int, default=5, help="epochs in the sweep (5)")
    add("--max-others", type=float, default=0.25, help="cores others may use")
    add("--retries", type=int, default=2, help="re-timings of a disturbed case")
    args = parser.parse_args(argv)
    if args.retries < 0 or args.max_others < 0:
        parser.error("--retries and --max-others must be >= 0")
    if min(args.threads, args.epochs, args.big_epochs, args.reps) < 1:
        parser.error("--threads, --epochs, --big-epochs and --reps must be >= 1")
    if args.threads < 2:
        parser.error("--threads must be >= 2: the comparison is 1 thread vs more")
    return args


def main(argv=None):
    """Run the idle and the busy timings and print the tables."""
    args = parse(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # ends the child too
    import torch

    from lstmforecast.regressors._base import _AUTO_THREADS_MIN_WORK

    torch.set_num_threads(args.threads)  # torch's default: one per usable CPU
    print(machine_line())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads to start")
    print(
        f"auto threshold: {_AUTO_THREADS_MIN_WORK:,} (parameters x batch rows x "
        "time steps)"
    )
    print(f"load average at start: {load_average():.2f}")
    X, y = lab_windows()
    big = f"big {args.big_hidden}, b{args.big_batch}"
    main_cases = [
        Case("lab (7, 3), b32", "lstm", (7, 3), 32, args.epochs),
        Case(big, "lstm", args.big_hidden, args.big_batch, args.big_epochs),
    ]
    if args.networks == "sweep":
        main_cases = []
    sweep = sweep_cases(args.sweep_epochs) if args.networks != "main" else []
    works = {case.name: case.work(X) for case in main_cases + sweep}
    full = [("1 thread", 1), (f"{args.threads} threads", args.threads)]
    full.append(("auto", "auto"))
    out = {}
    start = time.perf_counter()
    for condition in ("idle", "busy"):
        busy = condition == "busy"
        with busy_core() if busy else contextlib.nullcontext():
            print(f"\n{condition}:", flush=True)
            out[condition] = time_cases(main_cases, full, X, y, args, int(busy))
            out[condition].update(time_cases(sweep, full[:2], X, y, args, int(busy)))
    for condition in ("idle", "busy"):
        if condition == "busy":
            condition += " (a child process spinning on one core)"
        res = out[condition.split()[0]]
        if main_cases:
            table(f"{condition}:", main_cases, res, works, full)
        if sweep:
            table(f"{condition}, sweep:", sweep, res, works, full[:2])
    print(
        f"\ntotal {time.perf_counter() - start:.0f} s; load average at the end: "
        f"{load_average():.2f}"
    )
    return out


if __name__ == "__main__":
    main()
    sys.exit(0)
