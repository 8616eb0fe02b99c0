r"""One global LSTM over a whole panel: lazy windows against the stacked ones.

What it measures
----------------
``--cells`` synthetic hourly cells of ``--hours`` (1,464: the lab's two months)
each, as one float32 ``(cell, time)`` panel (the generator of
``bench_fleet.py``), forecast by one shared network:
``Pipeline([SlidingWindow(--lookback), LSTMRegressor((--hidden,),
center="last", scale="std", batch_size=--batch, windows_per_epoch=--windows,
max_epochs=--epochs, n_threads=1)])``, the target each row's own hour. Each case
runs in a fresh Python process so that its peak memory is its own:

``lazy-N``
    ``SlidingWindow(..., lazy=True)``: the windows stay one padded copy of the
    rows (a ``WindowArray``) and each batch is gathered by index. In the same
    process, after the fit: a **hand-written torch loop** on the same windows
    (the same ``RecurrentModule``, Adam, squared error, ``torch.randperm``
    sample of ``--windows`` windows per epoch, batches gathered with
    ``WindowArray.take`` and centred / scaled in torch), and the **next-hour
    forecast of every cell**: ``pipeline.predict`` on one row per cell one hour
    after the data (the windows come from each cell's fitted tail), in float64
    (the CPU default) and with ``predict_dtype="float32"``.
``stacked-N``
    ``SlidingWindow(...)``: the windows of the panel as one array, which ``fit``
    then copies (today's route; what issue 13 measured at 6.7 GB).

Memory: the peak resident size during the pipeline's ``fit`` minus the
process's size after the imports (the panel, 6 MB per 1,000 cells, is part of
it; the generator's temporaries are not: the peak is reset after them). Time:
the seconds of the last training epoch (``history_["dur"]``, after the first
epoch warmed torch up) per window, against the hand loop's last epoch.
``--threads`` (1) torch threads everywhere but the forecasts, which use the
regressor's
``n_threads="auto"`` (torch's threads for this much work). The 1-minute load
average is printed before each case. With a CUDA GPU, ``lazy-N`` also times
the same fit on it (skipped otherwise; the fleet trains on the CPU only).

The targets of issue 13: fit's peak <= 0.5 GB above the imports for 1,000
cells and <= 1.5 GB for 10,000 (lookback 168, 32 units); an epoch <= 1.15x the
hand loop's; the next-hour forecasts of 10,000 cells in < 1 s.

How to run
----------
From the repository root::

    python benchmarks/bench_global.py                   # 1,000 and 10,000 cells
    python benchmarks/bench_global.py --cells 50 --hours 300 --lookback 24 \
        --windows 512 --sizes 50 --stacked 50           # smoke
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from _machine import (
    current_rss_kib,
    load_average,
    machine_line,
    peak_rss_kib,
    reset_peak_rss,
    run_case,
    usable_cpus,
)

TARGET_MIB = {1_000: 512, 10_000: 1_536}
TARGET_EPOCH_RATIO = 1.15
TARGET_FORECAST_S = 1.0


def make_panel(n_cells: int, hours: int, seed: int = 0):
    """Return the float32 ``(cell, time)`` panel of ``bench_fleet.make_cells``."""
    from bench_fleet import make_cells

    return make_cells(n_cells, hours, seed).astype(np.float32)


def pipeline(args, lazy: bool):
    """Return the window + global LSTM pipeline of the run."""
    from sklearn.pipeline import Pipeline

    from lstmforecast.preprocessing import SlidingWindow
    from lstmforecast.regressors import LSTMRegressor

    model = LSTMRegressor(
        (args.hidden,),
        center="last",
        scale="std",
        batch_size=args.batch,
        windows_per_epoch=args.windows,
        max_epochs=args.epochs,
        lr=1e-3,
        random_state=0,
        n_threads=args.threads,
        device=args.device,
    )
    return Pipeline(
        [("window", SlidingWindow(args.lookback, lazy=lazy)), ("lstm", model)]
    )


# ------------------------------------------------------------------ hand loop
def hand_loop(windows, y, rows, args, floor: float) -> float:
    """Train the same network by hand on the same lazy batches; last epoch's s."""
    import torch

    from lstmforecast.nn import RecurrentModule

    torch.manual_seed(0)
    module = RecurrentModule(input_size=windows.shape[2], hidden_size=(args.hidden,))
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    seconds = 0.0
    for _ in range(args.epochs):
        start = time.perf_counter()
        order = torch.randperm(len(rows))[: args.windows].numpy()
        for first in range(0, len(order), args.batch):
            picked = rows[order[first : first + args.batch]]
            X = torch.from_numpy(windows.take(picked, dtype=np.float32))
            target = torch.from_numpy(y[picked].astype(np.float32))[:, None]
            history = X[:, :, 0]
            level = history[:, -1:]
            spread = history.std(dim=1, correction=0, keepdim=True).clamp_min(floor)
            X = torch.cat([((history - level) / spread)[:, :, None], X[:, :, 1:]], 2)
            optimizer.zero_grad()
            loss = loss_fn(module(X), (target - level) / spread)
            loss.backward()
            optimizer.step()
        seconds = time.perf_counter() - start
    return seconds


# ---------------------------------------------------------------------- child
def _next_hour(panel):
    """One row per cell, one hour after the panel's last (values unknown: NaN)."""
    import pandas as pd

    cells = panel.index.get_level_values("cell").unique()
    last = panel.index.get_level_values("time").max()
    index = pd.MultiIndex.from_product(
        [cells, [last + pd.Timedelta("1h")]], names=["cell", "time"]
    )
    return pd.DataFrame({"load": np.full(len(index), np.nan, np.float32)}, index=index)


def _forecast_seconds(pipe, X_next, dtype: str):
    pipe.named_steps["lstm"].set_params(predict_dtype=dtype, n_threads="auto")
    start = time.perf_counter()
    pred = pipe.predict(X_next)
    seconds = time.perf_counter() - start
    if not np.isfinite(pred).all():
        raise AssertionError("a next-hour forecast is not finite")
    return seconds


def _extras(pipe, panel, args) -> dict:
    """Time the hand loop, the next-hour forecasts and a GPU fit (lazy only)."""
    import torch

    lstm = pipe.named_steps["lstm"]
    windows = pipe.named_steps["window"].transform(panel)
    y = panel["load"].to_numpy()
    rows = np.flatnonzero(windows.complete() & np.isfinite(y))
    out = {"hand_epoch_s": hand_loop(windows, y, rows, args, lstm.scale_floor_)}
    X_next = _next_hour(panel)
    torch.set_num_threads(usable_cpus())  # the forecasts: n_threads="auto"
    _forecast_seconds(pipe, X_next.iloc[:10], None)  # warm up
    out["forecast_s"] = _forecast_seconds(pipe, X_next, None)
    out["forecast32_s"] = _forecast_seconds(pipe, X_next, "float32")
    out["forecast_rows"] = len(X_next)
    if torch.cuda.is_available():
        gpu = pipeline(argparse.Namespace(**{**vars(args), "device": "cuda"}), True)
        gpu.fit(panel, panel["load"])
        out["gpu_epoch_s"] = float(gpu.named_steps["lstm"].history_["dur"].iloc[-1])
    return out


def child(case: str, args, out: Path) -> None:
    """Measure one case in this (fresh) process; write its result as JSON."""
    import pandas  # noqa: F401  (the imports are part of the baseline)
    import sklearn.pipeline  # noqa: F401
    import torch

    import lstmforecast.regressors  # noqa: F401

    torch.set_num_threads(args.threads)
    imports_kib = current_rss_kib()  # the size after the imports, not their peak
    kind, n_cells = case.split("-")
    panel = make_panel(int(n_cells), args.hours)
    data_mib = panel.memory_usage(deep=True).sum() / 2**20
    reset_peak_rss()  # the generator's temporaries are not fit's
    pipe = pipeline(args, lazy=kind == "lazy")
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the first windows are NaN
        pipe.fit(panel, panel["load"])
    fit_s = time.perf_counter() - start
    peak_kib = peak_rss_kib()
    lstm = pipe.named_steps["lstm"]
    result = {
        "case": case,
        "cells": int(n_cells),
        "fit_s": fit_s,
        "peak_mib": (peak_kib - imports_kib) / 1024,
        "data_mib": data_mib,
        "epoch_s": float(lstm.history_["dur"].iloc[-1]),
        "windows": min(args.windows, len(panel) - lstm.n_skipped_),
        "train_rows": len(panel) - lstm.n_skipped_,
    }
    if kind == "lazy":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            result.update(_extras(pipe, panel, args))
    out.write_text(json.dumps(result))


# --------------------------------------------------------------------- parent
def run_child(case: str, argv: list, out_dir: str) -> dict:
    """Run one case in a fresh interpreter; return its result dict."""
    out = Path(out_dir) / f"{case}.json"
    cmd = [sys.executable, __file__, *argv, "--child", case, "--out", str(out)]
    return run_case(case, cmd, out)


def _verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def print_table(rows, args) -> None:
    """Print the cases side by side, the ratios and the issue's targets."""
    print(
        "\n| case | cells | training windows | fit s | peak MiB above imports | "
        "panel MiB | epoch s | us / window | load |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        if r.get("failed"):
            print(
                f"| {r['case']} | failed (see stderr) | | | | | | | {r['load']:.2f} |"
            )
            continue
        print(
            f"| {r['case']} | {r['cells']:,} | {r['train_rows']:,} | {r['fit_s']:.1f} "
            f"| {r['peak_mib']:,.0f} | {r['data_mib']:,.0f} | {r['epoch_s']:.2f} | "
            f"{1e6 * r['epoch_s'] / r['windows']:,.0f} | {r['load']:.2f} |"
        )
    by = {r["case"]: r for r in rows if not r.get("failed")}
    for n in args.sizes:
        lazy, stacked = by.get(f"lazy-{n}"), by.get(f"stacked-{n}")
        if lazy and stacked:
            print(
                f"\n{n:,} cells: fit's peak {stacked['peak_mib']:,.0f} MiB stacked, "
                f"{lazy['peak_mib']:,.0f} MiB lazy "
                f"({stacked['peak_mib'] / max(lazy['peak_mib'], 1):.1f}x less)"
            )
        if lazy:
            _print_lazy(n, lazy)


def _print_lazy(n: int, r: dict) -> None:
    target = TARGET_MIB.get(n)
    if target:
        print(
            f"{n:,} cells lazy: peak {r['peak_mib']:,.0f} MiB above the imports, "
            f"{_verdict(r['peak_mib'] <= target)} the {target:,} MiB target"
        )
    ratio = r["epoch_s"] / r["hand_epoch_s"]
    print(
        f"{n:,} cells: epoch {r['epoch_s']:.2f} s, hand-written loop "
        f"{r['hand_epoch_s']:.2f} s: {ratio:.3f}x, "
        f"{_verdict(ratio <= TARGET_EPOCH_RATIO)} the {TARGET_EPOCH_RATIO}x target"
    )
    print(
        f"{n:,} cells: next-hour forecasts of {r['forecast_rows']:,} cells in "
        f"{r['forecast_s']:.3f} s (float64), {r['forecast32_s']:.3f} s "
        f"(predict_dtype='float32'); "
        f"{_verdict(r['forecast32_s'] < TARGET_FORECAST_S)} the < 1 s target"
    )
    if "gpu_epoch_s" in r:
        print(
            f"{n:,} cells: epoch on the GPU {r['gpu_epoch_s']:.2f} s, on the CPU "
            f"{r['epoch_s']:.2f} s ({r['epoch_s'] / r['gpu_epoch_s']:.1f}x)"
        )
    else:
        print(f"{n:,} cells: GPU skipped (torch sees no CUDA device)")


def parse(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--stacked", type=int, nargs="*", default=[1_000])
    parser.add_argument("--hours", type=int, default=1_464)
    parser.add_argument("--lookback", type=int, default=168)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--windows", type=int, default=4_096)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="torch threads in fit")
    parser.add_argument("--device", default="cpu", help=argparse.SUPPRESS)
    parser.add_argument("--cells", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None):
    """Run the benchmark; return the result rows."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse(argv)
    if args.child:
        child(args.child, args, args.out)
        return []
    print(machine_line())
    print(
        f"lookback {args.lookback}, {args.hidden} units, batch {args.batch}, "
        f"{args.windows:,} windows per epoch, {args.epochs} epochs, "
        f"{args.threads} torch thread(s) in fit, "
        f"{args.hours:,} hours per cell; load {load_average():.2f}"
    )
    plan = [f"lazy-{n}" for n in args.sizes] + [f"stacked-{n}" for n in args.stacked]
    rows = []
    with tempfile.TemporaryDirectory() as out_dir:
        for case in plan:
            print(f"  {case} ...", flush=True)
            rows.append(run_child(case, argv, out_dir))
    print_table(rows, args)
    return rows


if __name__ == "__main__":
    results = main()
    sys.exit(1 if any(r.get("failed") for r in results) else 0)
