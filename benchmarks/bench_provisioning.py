r"""Forecasts judged by the provisioning cost on the three bundled real cells.

What it measures
----------------
The lab's Task 8 with the lab's protocol (hourly internet, last 240 hours = 22-31
December as test, 36-hour windows, Gbit/s units with each cell's busiest hour of
the two months at 1 Gbit/s), ``alpha:beta = 1:10``. The same LSTM
(``LSTMRegressor((7, 3), center="last", scale="std")``, 50 epochs) trained with
squared error, with squared error plus the constant safety margin that minimises
the cost on the last training week (chosen on hours the network did not train
on), and with ``loss="provisioning"``; the seasonal naive for reference
(``lstmforecast.lab.cost_protocol``, on the protocol ``lstmforecast lab`` runs).
Printed, medians of ``--seeds`` seeds:

1. the cost per hour with exact allocation (the cost the loss optimises);
2. the same forecasts on 100 Mbit/s steps (``step=0.1``, ``policy="ceil"``), and the
   provisioning forecast rounded to the nearest step (``policy="round"``);
3. the energy report per cell (seed 0): static peak, static average, the forecasts
   and the oracle, with energy relative to the peak and acceptance.

Plots (PNG, under ``--output-dir``): the cost over an ``(alpha, beta)`` grid, the
capacity allocated from each forecast on the Duomo cell, and the report.

How to run
----------
From the repository root::

    python benchmarks/bench_provisioning.py               # 3 cells x 3 seeds
    python benchmarks/bench_provisioning.py --seeds 1     # quicker
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _machine import machine_line

from lstmforecast.datasets import BUNDLED_CELLS
from lstmforecast.lab import LabConfig, cost_protocol, lab_series
from lstmforecast.metrics import provisioning_cost, provisioning_report

ALPHA, BETA = LabConfig().alpha, LabConfig().beta  # the lab's 1:10


def _short(name: str) -> str:
    return "lstm + margin" if name.startswith("lstm + margin") else name


def _stepped_costs(result: dict, step: float) -> pd.Series:
    forecasts = result["forecasts"]
    demand = forecasts["demand"]
    costs = {
        _short(name): provisioning_cost(
            demand, forecasts[name], alpha=ALPHA, beta=BETA, step=step
        )
        for name in forecasts.columns[1:]
    }
    prov = next(n for n in forecasts.columns if "provisioning" in n)
    costs[f"{prov}, round"] = provisioning_cost(
        demand, forecasts[prov], alpha=ALPHA, beta=BETA, step=step, policy="round"
    )
    return pd.Series(costs)


def _plots(result: dict, cell: int, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lstmforecast.plotting import (
        CapacityDisplay,
        CostSurfaceDisplay,
        ProvisioningReportDisplay,
    )

    out.mkdir(parents=True, exist_ok=True)
    forecasts = result["forecasts"].rename(columns=_short)
    demand = forecasts.pop("demand")
    paths = []
    surface = CostSurfaceDisplay.from_predictions(
        demand,
        {n: forecasts[n] for n in forecasts.columns},
        alphas=np.linspace(0.5, 5, 10),
        betas=np.linspace(1, 20, 20),
        step=None,
    )
    paths.append(out / f"cost_surface_{cell}.png")
    surface.figure_.savefig(paths[-1], dpi=110)
    fig, axes = plt.subplots(3, 1, figsize=(11, 9), sharex=True)
    for axis, name in zip(axes, forecasts.columns[:3], strict=True):
        CapacityDisplay.from_predictions(demand, forecasts[name], step=0.1,
                                         name=name, ax=axis)  # fmt: skip
    paths.append(out / f"capacity_{cell}.png")
    fig.savefig(paths[-1], dpi=110)
    report = provisioning_report(demand, forecasts, step=0.1, alpha=ALPHA, beta=BETA)
    display = ProvisioningReportDisplay.from_report(report)
    paths.append(out / f"report_{cell}.png")
    display.figure_.savefig(paths[-1], dpi=110)
    plt.close("all")
    return paths


def main(argv=None):
    """Run the comparison per cell and seed; print the tables, save the plots."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds per cell")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--output-dir", default="results/provisioning", type=Path)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"{machine_line()}; torch {torch.__version__}, {args.threads} thread(s)")
    t0 = time.perf_counter()
    exact, stepped, margins, first = {}, {}, {}, {}
    for cell in BUNDLED_CELLS:
        series = lab_series(cell=cell)
        runs = [
            cost_protocol(series, seed=s, step=None, n_threads=args.threads)
            for s in range(args.seeds)
        ]
        exact[cell] = pd.concat(
            [r["costs"]["cost"].rename(_short) for r in runs], axis=1
        )
        stepped[cell] = pd.concat([_stepped_costs(r, 0.1) for r in runs], axis=1)
        margins[cell] = [r["margin"] for r in runs]
        first[cell] = runs[0]

    def table(parts):
        medians = {cell: part.median(axis=1) for cell, part in parts.items()}
        return pd.DataFrame(medians).T.rename_axis("cell")

    print("\n1. Cost per hour, exact allocation (alpha:beta = 1:10, Gbit/s), medians")
    print(table(exact).round(4).to_string())
    print("   per seed:")
    for cell, part in exact.items():
        print(f"   {cell}: " + "; ".join(
            f"{name} {' '.join(f'{v:.4f}' for v in row)}"
            for name, row in part.iterrows()
        ) + f"; margins {margins[cell]}")  # fmt: skip
    print("\n2. Cost per hour on 0.1 Gbit/s steps (ceil unless marked round), medians")
    print(table(stepped).round(4).to_string())
    print("\n3. Energy report on 0.1 Gbit/s steps (seed 0)")
    for cell, result in first.items():
        forecasts = result["forecasts"].rename(columns=_short)
        demand = forecasts.pop("demand")
        report = provisioning_report(
            demand, forecasts, step=0.1, alpha=ALPHA, beta=BETA
        )
        print(f"cell {cell}: mean demand {demand.mean():.3f} Gbit/s, peak of the "
              f"test days {demand.max():.3f} (factor {result['factor']:.3g} "
              "Gbit/s per activity unit)")  # fmt: skip
        cols = ["energy", "energy_vs_peak", "acceptance", "hours_served", "cost"]
        print(report[cols].round(3).to_string())
    paths = _plots(first[5161], 5161, args.output_dir)
    print(f"\nplots: {', '.join(str(p) for p in paths)}")
    print(f"{args.seeds} seed(s) per cell; {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
