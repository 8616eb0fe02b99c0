r"""A fleet of per-cell LSTMs in one fit against a loop of single fits.

What it measures
----------------
``--cells`` (1,000) synthetic hourly cells of ``--hours`` (1,464: the lab's two
months) each, as one ``(cell, time)`` panel: a daily and a weekly cycle with a
phase, a level and a noise of their own per cell, scaled to [0, 1] per cell
(the generator of ``bench_threads.py``, vectorised over the cells). Every cell
gets the lab's network, ``LSTMRegressor((7, 3), batch_size=32,
max_epochs=--epochs, random_state=0, n_threads=1)``, on the windows of
``SlidingWindow(36)`` (the lab's 36-hour lookback; the first 36 hours of each
cell have no full window and are skipped), targets the cell's own next hour.

fleet
    ``FleetRegressor(that LSTMRegressor, window=SlidingWindow(36))`` fitted
    once on the whole panel: every cell's member in one vectorised loop
    (passes of ``--members-per-pass`` members), with its default
    ``compile='auto'``: at this size, each wave's elementwise work runs in the
    fleet's native kernels (C, compiled with the machine's compiler on first
    use and cached in the user's private cache folder).
loop
    What a user writes without it, for the first ``--loop-cells`` (20) cells
    only (the loop's cost per cell does not depend on how many cells follow):
    ``SlidingWindow(36).fit_transform`` of the cell, then a fresh
    ``LSTMRegressor`` fit on its windows.

Both on 1 torch thread, with the same data, epochs and batches, each after an
untimed warm-up fit of one epoch (the first calls pay for oneDNN and torch).
The fleet's warm-up (2 cells, 1 epoch) is far below ``compile='auto'``'s
threshold: it neither compiles nor loads the native kernels, so the timed fit
pays for loading them, and for compiling them (~0.15 s) when the on-disk cache
has no library for this source and compiler yet. The line ``native kernels``
says which it was; ``--cold-kernels`` deletes the cached library first, so
that the timed fit compiles it; ``--compile false`` times the eager fleet.
Throughput is members (cells) per second of wall time, so the ratio fleet /
loop compares the two fairly although the loop times fewer cells. Each side's
wall time, its CPU time (``time.process_time``: what the process itself
computed, less sensitive to other users of a shared machine) and the 1-minute
load average before it are printed. The check: every looped cell's predictions on its
windows against its fleet member's, max absolute difference (the issue asks
for 1e-4), and the ratio against the issue's 20x.

How to run
----------
From the repository root::

    python benchmarks/bench_fleet.py                    # 1,000 cells, a few minutes
    python benchmarks/bench_fleet.py --cells 50 --loop-cells 3 --epochs 1  # smoke
    python benchmarks/bench_fleet.py --cold-kernels     # compile in the timed fit
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd
from _machine import load_average, machine_line

TARGET_RATIO = 20.0
TOLERANCE = 1e-4


def make_cells(n_cells: int, hours: int, seed: int = 0) -> pd.DataFrame:
    """Return the ``(cell, time)`` panel of synthetic hourly loads in [0, 1]."""
    rng = np.random.default_rng(seed)
    t = np.arange(hours)[None, :]
    phase = rng.uniform(-3, 3, (n_cells, 1))
    level = rng.uniform(0.5, 1.5, (n_cells, 1))
    raw = (
        level
        + 0.6 * np.sin(2 * np.pi * (t - 6 - phase) / 24)
        + 0.2 * np.sin(2 * np.pi * t / 168)
        + rng.uniform(0.05, 0.15, (n_cells, 1)) * rng.standard_normal((n_cells, hours))
    )
    low, high = raw.min(axis=1, keepdims=True), raw.max(axis=1, keepdims=True)
    values = (raw - low) / (high - low)
    index = pd.MultiIndex.from_product(
        [np.arange(n_cells), pd.date_range("2013-11-01", periods=hours, freq="h")],
        names=["cell", "time"],
    )
    return pd.DataFrame({"load": values.ravel()}, index=index)


def network(args):
    """Return the lab's LSTM with the run's epochs, on one thread."""
    from lstmforecast.regressors import LSTMRegressor

    return LSTMRegressor(
        tuple(args.hidden),
        batch_size=args.batch,
        max_epochs=args.epochs,
        random_state=0,
        n_threads=1,
    )


def timed(fn):
    """Run ``fn()``; return (result, wall s, CPU s, load average before)."""
    load = load_average()
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu, load


def run_loop(X: pd.DataFrame, cells, args) -> dict:
    """Fit one LSTMRegressor per cell; return each cell's predictions."""
    from lstmforecast.preprocessing import SlidingWindow

    preds = {}
    for cell in cells:
        part = X.loc[[cell]]
        windows = SlidingWindow(args.lookback).fit_transform(part)
        model = network(args).fit(windows, part["load"].to_numpy())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the NaN first rows
            preds[cell] = model.predict(windows)
    return preds


def run_fleet(X: pd.DataFrame, args):
    """Fit the fleet on every cell."""
    from lstmforecast.preprocessing import SlidingWindow
    from lstmforecast.regressors import FleetRegressor

    fleet = FleetRegressor(
        network(args),
        window=SlidingWindow(args.lookback),
        members_per_pass=args.members_per_pass,
        compile={"auto": "auto", "true": True, "false": False}[args.compile],
    )
    return fleet.fit(X, X["load"])


def max_difference(fleet, X: pd.DataFrame, loop_preds: dict) -> float:
    """Largest |fleet - single fit| over the looped cells' complete rows."""
    worst = 0.0
    for cell, single in loop_preds.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            mine = fleet.predict(X.loc[[cell]])
        both = np.isfinite(single) & np.isfinite(mine)
        worst = max(worst, float(np.abs(mine[both] - single[both]).max()))
    return worst


def kernel_state(args) -> str:
    """Say whether the timed fleet fit will compile or load its native kernels."""
    from lstmforecast.nn import _fleet

    if args.compile == "false":
        return "not used (--compile false: eager torch)"
    cold, path = args.cold_kernels, _fleet._library_path()
    if cold and os.path.exists(path):
        os.remove(path)
    if os.path.exists(path):
        return f"warm (the timed fit loads {path})"
    return "cold (the timed fit compiles them: ~0.15 s)"


def table(rows) -> None:
    """Print the side-by-side table."""
    head = ("", "members", "wall s", "CPU s", "load", "members/s", "ms/member")
    cells = [head] + [
        (
            name,
            f"{n:,}",
            f"{wall:.2f}",
            f"{cpu:.2f}",
            f"{load:.2f}",
            f"{n / wall:.2f}",
            f"{1e3 * wall / n:.1f}",
        )
        for name, n, wall, cpu, load in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    for r in cells:
        print(
            "  "
            + "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )


def parse(argv):
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--cells", type=int, default=1000, help="cells in the fleet (1000)")
    add("--loop-cells", type=int, default=20, help="cells fitted one by one (20)")
    add("--hours", type=int, default=1464, help="hours per cell (1464)")
    add("--epochs", type=int, default=5, help="epochs of every fit (5)")
    add("--batch", type=int, default=32, help="batch size (32)")
    add("--lookback", type=int, default=36, help="window length in hours (36)")
    add("--hidden", type=int, nargs="+", default=[7, 3], help="layer sizes (7 3)")
    add("--members-per-pass", type=int, default=256, help="fleet pass size (256)")
    add(
        "--compile",
        choices=["auto", "true", "false"],
        default="auto",
        help="the fleet's compile parameter (auto; false: eager torch only)",
    )
    add(
        "--cold-kernels",
        action="store_true",
        help="delete the cached native kernels first (the timed fit compiles them)",
    )
    add("--no-check", action="store_true", help="exit 0 even if a target fails")
    args = parser.parse_args(argv)
    if min(args.cells, args.loop_cells, args.epochs, args.batch) < 1:
        parser.error("--cells, --loop-cells, --epochs and --batch must be >= 1")
    if args.loop_cells > args.cells:
        parser.error("--loop-cells must be <= --cells (the loop fits fleet cells)")
    if args.hours <= args.lookback + 1:
        parser.error("--hours must exceed --lookback + 1")
    return args


def main(argv=None):
    """Time the fleet and the loop, print the table; return the numbers."""
    args = parse(argv)
    import torch

    torch.set_num_threads(1)
    print(machine_line())
    print(
        f"torch {torch.__version__}, 1 thread; {args.cells:,} cells x "
        f"{args.hours:,} h, LSTM {tuple(args.hidden)}, lookback {args.lookback}, "
        f"batch {args.batch}, {args.epochs} epochs"
    )
    X = make_cells(args.cells, args.hours)
    cells = list(range(args.loop_cells))
    warm = argparse.Namespace(**{**vars(args), "epochs": 1})
    run_loop(X, cells[:1], warm)  # untimed: first calls pay for oneDNN and torch
    run_fleet(X.loc[cells[:2]], warm)
    loop_preds, loop_wall, loop_cpu, loop_load = timed(lambda: run_loop(X, cells, args))
    kernels = kernel_state(args)
    fleet, fleet_wall, fleet_cpu, fleet_load = timed(lambda: run_fleet(X, args))
    diff = max_difference(fleet, X, loop_preds)
    print()
    table(
        [
            ("loop of single fits", args.loop_cells, loop_wall, loop_cpu, loop_load),
            ("fleet, one fit", args.cells, fleet_wall, fleet_cpu, fleet_load),
        ]
    )
    ratio = (args.cells / fleet_wall) / (args.loop_cells / loop_wall)
    cpu_ratio = (args.cells / fleet_cpu) / (args.loop_cells / loop_cpu)
    ok_ratio, ok_diff = ratio >= TARGET_RATIO, diff <= TOLERANCE
    print(
        f"\nthroughput ratio fleet / loop: {ratio:.1f}x wall, {cpu_ratio:.1f}x CPU "
        f"(target >= {TARGET_RATIO:.0f}x: {'PASS' if ok_ratio else 'FAIL'})"
    )
    print(
        f"max |fleet - single fit| prediction over {args.loop_cells} cells: "
        f"{diff:.2e} (target <= {TOLERANCE:.0e}: {'PASS' if ok_diff else 'FAIL'})"
    )
    print(f"native kernels: {kernels}")
    print(f"load average at the end: {load_average():.2f}")
    result = {
        "ratio": ratio,
        "cpu_ratio": cpu_ratio,
        "max_difference": diff,
        "fleet_wall": fleet_wall,
        "loop_wall": loop_wall,
        "passed": ok_ratio and ok_diff,
    }
    return result


if __name__ == "__main__":
    out = main()
    sys.exit(0 if out["passed"] or "--no-check" in sys.argv else 1)
