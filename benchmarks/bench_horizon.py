r"""24 hours ahead on the three bundled cells as one panel: MIMO, direct, recursive.

What it measures
----------------
The three bundled real cells (4159, 4556, 5161; hourly internet, 1 Nov - 31 Dec
2013) as one ``(cell, time)`` panel, each cell in Gbit/s with its busiest
*training* hour at 1 Gbit/s. The last ``--test-days`` days (22 - 31 December by
default) are the test set, cut at the same instant in every cell
(``time_train_test_split``). Targets are ``make_horizon_targets(y, 24)`` built
on the training part only (its last 23 hours per cell have NaN steps, which the
regressors skip: no row is dropped by hand), and the test windows continue each
cell's own training history, so every test hour of every cell is forecast.

Three Pipelines of the same LSTM (``LSTMRegressor((16,), center="last",
scale="std")``, 36-hour windows):

- **MIMO**: ``SlidingWindow(36)`` + one network with 24 outputs;
- **direct**: ``SlidingWindow(36)`` + ``DirectRegressor``: 24 one-output networks;
- **recursive**: ``RecursiveRegressor(window=SlidingWindow(36))``: one one-step
  network rolled 24 times over its own forecasts.

Each is tuned by ``GridSearchCV(cv=PanelTimeSeriesSplit(n_splits=3,
test_size=168, gap=23), scoring=make_provisioning_scorer(alpha=1, beta=10,
step=0.1))`` over ``loss`` in {squared error, provisioning} (direct: the
candidates' cost is measured on step-1 models to keep its run short, see
``--tune-direct``), refitted on the whole training part, and judged per horizon
step (``horizon_report``) against the seasonal naive (the same hour the day
before, ``seasonal_naive_forecast``): MSE and the provisioning cost (0.1 Gbit/s
steps rounded up, alpha:beta = 1:10), with the ratios side by side.

Prints the load average beside the timings (torch on one thread). Writes
``horizon_error.png`` (error by step) and ``horizon_report.csv`` to
``--output-dir``.

How to run
----------
From the repository root::

    python benchmarks/bench_horizon.py                  # about 10 minutes on 2 cores
    python benchmarks/bench_horizon.py --epochs 2 --horizon 6 --quick   # smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _machine import machine_line
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from lstmforecast.datasets import load_milano_cells
from lstmforecast.metrics import (
    horizon_report,
    make_provisioning_scorer,
    seasonal_naive_forecast,
)
from lstmforecast.model_selection import PanelTimeSeriesSplit
from lstmforecast.preprocessing import (
    HourlyAggregator,
    SlidingWindow,
    make_horizon_targets,
    time_train_test_split,
)
from lstmforecast.regressors import DirectRegressor, LSTMRegressor, RecursiveRegressor

COST = {"alpha": 1.0, "beta": 10.0, "step": 0.1}


def panel_in_gbps(test_days: int) -> tuple[pd.DataFrame, pd.Series]:
    """Load the bundled cells' hourly traffic, each training peak at 1 Gbit/s."""
    slots = load_milano_cells(end="2013-12-31")
    hourly = HourlyAggregator().fit_transform(slots)[["internet"]]
    times = hourly.index.get_level_values("time")
    train = times < times.max() - pd.Timedelta(days=test_days) + pd.Timedelta("1h")
    peak = hourly[train].groupby(level="cell")["internet"].max()
    factor = 1.0 / hourly.index.get_level_values("cell").map(peak).to_numpy()
    return hourly.mul(factor, axis=0), peak


def lstm(args, **params) -> LSTMRegressor:
    return LSTMRegressor(
        (16,),
        center="last",
        scale="std",
        lr=3e-3,
        max_epochs=args.epochs,
        batch_size=64,
        random_state=args.seed,
        n_threads=1,
        **params,
    )


def strategies(args) -> dict:
    """Build the three Pipelines and the parameter grid of each."""
    window = SlidingWindow(args.lookback)
    losses = ["squared_error", "provisioning"]
    return {
        "MIMO": (
            Pipeline([("window", window), ("model", lstm(args))]),
            {"model__loss": losses},
        ),
        "direct": (
            Pipeline([("window", window), ("model", DirectRegressor(lstm(args)))]),
            {"model__estimator__loss": losses},
        ),
        "recursive": (
            Pipeline(
                [
                    (
                        "model",
                        RecursiveRegressor(
                            lstm(args), horizon=args.horizon, window=window
                        ),
                    )
                ]
            ),
            {"model__estimator__loss": losses},
        ),
    }


def tune(name, pipe, grid, X, Y, args):
    """GridSearchCV by provisioning cost; returns (best params, cv table)."""
    cv = PanelTimeSeriesSplit(n_splits=3, test_size=168, gap=args.horizon - 1)
    scorer = make_provisioning_scorer(**COST)
    Y_cv = Y
    if name == "direct" and not args.tune_direct:
        # candidates compared on their step-1 model (one network per fold),
        # then the winner is refitted with all its steps
        Y_cv = Y.iloc[:, :1]
    search = GridSearchCV(pipe, grid, cv=cv, scoring=scorer, refit=False)
    search.fit(X, Y_cv)
    table = pd.DataFrame(search.cv_results_)[["params", "mean_test_score"]]
    table["cost"] = -table.pop("mean_test_score")
    return search.best_params_, table


def run(args) -> dict:
    torch.set_num_threads(1)
    panel, peak = panel_in_gbps(args.test_days)
    X = panel
    y = panel["internet"]
    test_hours = 24 * args.test_days
    X_tr, X_te, y_tr, y_te = time_train_test_split(X, y, test_size=test_hours)
    Y_tr = make_horizon_targets(y_tr, args.horizon)  # NaN at each cell's end
    Y_all = make_horizon_targets(y, args.horizon)
    Y_te = Y_all.loc[X_te.index]  # the truth, beyond the test end: NaN
    naive = seasonal_naive_forecast(y, args.horizon, season=24).loc[X_te.index]
    print(
        f"panel: {X.index.get_level_values('cell').nunique()} cells x "
        f"{len(X) // 3} hours; train {len(X_tr)} rows (targets complete for "
        f"{int(Y_tr.notna().all(axis=1).sum())}), test {len(X_te)} rows; "
        f"H={args.horizon}, lookback={args.lookback}, {args.epochs} epochs"
    )
    results, reports, timings, tuned = {}, {}, {}, {}
    for name, (pipe, grid) in strategies(args).items():
        if args.only and name not in args.only:
            continue
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # NaN windows after gaps
            best, table = (
                tune(name, pipe, grid, X_tr, Y_tr, args)
                if not args.quick
                else ({key: values[0] for key, values in grid.items()}, None)
            )
            model = pipe.set_params(**best).fit(X_tr, Y_tr)
            pred = model.predict(X_te)
        timings[name] = time.perf_counter() - start
        tuned[name] = {"best": best, "cv": None if table is None else table}
        n_nan = int(np.isnan(pred).sum())
        results[name] = pred
        reports[name] = horizon_report(Y_te, pred, y_naive=naive, **COST)
        print(
            f"{name:>9}: {timings[name]:6.1f} s (tuning + refit), best {best}, "
            f"NaN forecasts: {n_nan} of {pred.size}"
        )
        if table is not None:
            for _, row in table.iterrows():
                print(f"           cv cost {row['cost']:.4f}  {row['params']}")
    return {
        "reports": reports,
        "timings": timings,
        "tuned": tuned,
        "peak": peak,
        "predictions": results,
        "Y_te": Y_te,
        "naive": naive,
    }


def side_by_side(reports: dict) -> pd.DataFrame:
    names = list(reports)
    first = reports[names[0]]
    table = pd.DataFrame(index=first.index)
    table["naive MSE"] = first["naive_mse"]
    table["naive cost"] = first["naive_cost"]
    for name in names:
        table[f"{name} MSE/naive"] = reports[name]["mse_ratio"]
    for name in names:
        table[f"{name} cost/naive"] = reports[name]["cost_ratio"]
    return table


def plot(out: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lstmforecast.plotting import HorizonErrorDisplay

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    display = HorizonErrorDisplay.from_predictions(
        out["Y_te"],
        out["predictions"],
        y_naive=out["naive"],
        units="Gbit/s",
        ax=axes,
        **COST,
    )
    display.figure_.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--horizon", type=int, default=24)
    parser.add_argument("--lookback", type=int, default=36)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--test-days", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", help="strategies to run (default all)")
    parser.add_argument(
        "--quick", action="store_true", help="no grid search (smoke run)"
    )
    parser.add_argument(
        "--tune-direct",
        action="store_true",
        help="tune the direct strategy on all its steps (24x the networks)",
    )
    parser.add_argument("--output-dir", type=Path, default=Path("results/horizon"))
    args = parser.parse_args(argv)
    print(machine_line())
    print(f"load average before: {os.getloadavg()}")
    out = run(args)
    print(f"load average after: {os.getloadavg()}")
    table = side_by_side(out["reports"])
    with pd.option_context("display.width", 200, "display.precision", 3):
        print("\nper step (pooled over the three cells; ratios: model / naive)")
        print(table.to_string())
        print("\nall steps:")
        for name, report in out["reports"].items():
            w = report["n"]
            mse = float((report["mse"] * w).sum() / w.sum())
            naive_mse = float((report["naive_mse"] * w).sum() / w.sum())
            cost = float((report["cost"] * w).sum() / w.sum())
            naive_cost = float((report["naive_cost"] * w).sum() / w.sum())
            print(
                f"  {name:>9}: MSE / naive {mse / naive_mse:.2f}, "
                f"cost / naive {cost / naive_cost:.2f}"
            )
    args.output_dir.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.output_dir / "horizon_report.csv")
    plot(out, args.output_dir / "horizon_error.png")
    summary = {
        name: {
            "mse_ratio": report["mse_ratio"].round(4).tolist(),
            "cost_ratio": report["cost_ratio"].round(4).tolist(),
            "seconds": round(out["timings"][name], 1),
            "nan_forecasts": int(np.isnan(out["predictions"][name]).sum()),
        }
        for name, report in out["reports"].items()
    }
    (args.output_dir / "summary.json").write_text(json.dumps(summary, indent=1))
    print(f"\nwrote {args.output_dir}/horizon_error.png, horizon_report.csv")
    return out


if __name__ == "__main__":
    main()
