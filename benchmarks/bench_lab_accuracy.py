r"""Accuracy of the lab's LSTM and MLP on the three bundled real cells.

What it measures
----------------
The lab's protocol, the one ``lstmforecast lab`` runs (``lstmforecast.lab``,
:func:`~lstmforecast.lab.protocol_table`): hourly internet traffic of 1 November -
31 December 2013, the last 240 hours as the test set, inputs and target scaled to
[0, 1] on the training part only, 36-hour windows. Models: ``lstm``
(``LSTMRegressor((7, 3), center="last")``, 50 epochs, level-free windows),
``lstm_raw`` (the same on raw windows, the lab's literal setting), ``mlp_windows``
(``MLPRegressor((15, 10, 5), activation="sigmoid", center="last")``, 500 epochs, on
the same windows), ``mlp`` (the same MLP on the lab's five features, as in
``lstmforecast lab``) and the seasonal-naive forecast (same hour of the previous
day). For each cell and model: MSE, MAE and R² on the scaled target, MSE and MAE in
CDR activity units, the median over ``--seeds`` seeds, and each model's MSE as a
ratio of the seasonal-naive MSE (below 1 beats it). ``--days 51`` moves the test set
before the holidays (12 - 21 December).

How to run
----------
From the repository root::

    python benchmarks/bench_lab_accuracy.py            # 3 cells x 3 seeds
    python benchmarks/bench_lab_accuracy.py --seeds 1  # quicker

It runs torch on one thread (``--threads``): these networks are tiny, and on two
cores one thread is both faster and steadier.
"""

from __future__ import annotations

import argparse
import platform
import time

import torch

from lstmforecast.datasets import BUNDLED_CELLS
from lstmforecast.lab import LabConfig, protocol_table


def main(argv=None):
    """Run the protocol per cell and seed and print the table of medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds per cell")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    days = LabConfig().days
    parser.add_argument(
        "--days",
        type=int,
        default=days,
        help="days from 1 Nov 2013; the test set is the last 10 of them (default: "
        f"{days}, i.e. 22-31 Dec, the Christmas holidays; 51 ends on 21 Dec)",
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(
        f"{platform.platform()}; python {platform.python_version()}, torch "
        f"{torch.__version__}, {args.threads} thread(s)"
    )
    t0 = time.perf_counter()
    table = protocol_table(
        BUNDLED_CELLS, seeds=range(args.seeds), days=args.days, n_threads=args.threads
    )
    naive = table.xs("seasonal_naive", level="model")["mse"]
    table["mse_vs_naive"] = (
        table["mse"] / naive.reindex(table.index.get_level_values("cell")).to_numpy()
    )
    with_units = table.assign(
        mse_units=table["mse_units"].map("{:.4g}".format),
        mae_units=table["mae_units"].map("{:.1f}".format),
    )
    print(with_units.round(4).to_string())
    print(f"\n{args.seeds} seed(s) per cell, medians; {time.perf_counter() - t0:.0f} s")
    beaten = table["mse_vs_naive"].drop(index="seasonal_naive", level="model") < 1
    for (cell, model), ok in beaten.items():
        print(f"cell {cell} {model}: {'beats' if ok else 'does NOT beat'} naive")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
