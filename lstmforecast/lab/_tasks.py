"""The lab's tasks 1-8, one function each, on the protocol of ``_protocol``.

Each task reads the run's config, adds its numbers to ``run.results`` and its
pictures to ``run.out`` (through ``run.save``), and returns what later tasks need.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from sklearn.metrics import mean_squared_error

from lstmforecast.datasets import load_milano_totals
from lstmforecast.lab._config import MAX_DAYS
from lstmforecast.lab._protocol import (
    Split,
    forecast,
    load_hourly,
    make_network,
    score,
)

LAB_WEEK = ("2013-12-02", "2013-12-08")  # Monday 2 - Sunday 8 December 2013
NAMES = ("mlp", "lstm", "seasonal_naive")  # the lab's MLP (five features), LSTM


def task_1_data(run) -> pd.Series:
    """Task 1: hourly traffic of the cells, and the trace plot of the lab's week."""
    c = run.config
    run.log(
        f"lstmforecast lab: Milano GRID, {c.traffic}, cell {c.cell}, {c.days} days "
        f"from 2013-11-01, last {c.test_days} as test"
    )
    run.log("Task 1: data and hourly aggregation")
    cells = sorted({c.cell, *c.trace_cells})
    hourly, source = load_hourly(c, cells, run.log)
    series = hourly.loc[c.cell, c.traffic]
    peak, mean = series.max(), series.mean()
    data_info = {
        "source": source,
        "hours": len(series),
        "first": series.index[0],
        "last": series.index[-1],
        "mean": float(mean),
        "peak": float(peak),
        "peak_to_mean": float(peak / mean),
    }
    if c.data_dir is None and c.days == MAX_DAYS:
        totals = load_milano_totals().set_index("cell")["internet"]
        ratio = hourly[c.traffic].groupby(level=0).sum() / totals.loc[cells]
        data_info["matches_bundled_totals"] = bool(abs(ratio - 1).max() < 1e-6)
    run.results["data"] = data_info
    run.log(
        f"  cell {c.cell}: {len(series)} hours, mean {mean:,.1f}, peak "
        f"{peak:,.1f} ({peak / mean:.1f}x the mean)"
    )
    if run.plt is not None:
        from lstmforecast.plotting import TrafficTraceDisplay

        week = hourly.loc[(slice(None), slice(*LAB_WEEK)), :]
        if len(week) == 0:  # the period ends before the lab's week
            week = hourly.groupby(level=0).head(7 * 24)
        display = TrafficTraceDisplay.from_frame(
            week, column=c.traffic, ylabel=f"{c.traffic} / hour"
        )
        display.figure_.suptitle(f"Hourly {c.traffic} activity, {_span(week)}")
        run.save(display.figure_, "traces_week.png")
    return series


def _span(frame: pd.DataFrame) -> str:
    """Name the days a panel's time level covers: 'Mon 2 - Sun 8 Dec 2013'."""
    times = frame.index.get_level_values(-1)
    first, last = times.min(), times.max()
    start = f"{first:%a} {first.day}"
    if (first.month, first.year) != (last.month, last.year):
        start += f" {first:%b}" + ("" if first.year == last.year else f" {first.year}")
    return f"{start} - {last:%a} {last.day} {last:%b %Y}"


def task_2_features(run, series: pd.Series) -> Split:
    """Task 2: the MLP's five features, their raw and scaled ranges, the split."""
    run.log("Task 2: features, scaling and split")
    split = Split(series, run.config)
    raw = pd.concat(split.features(scaled=False))
    scaled_train, scaled_test = split.features()
    scaled = pd.concat([scaled_train, scaled_test])
    table = pd.DataFrame(
        {
            "raw_min": raw.min(),
            "raw_max": raw.max(),
            "scaled_min": scaled.min(),
            "scaled_max": scaled.max(),
        }
    ).rename_axis("feature")
    complete = scaled_train.notna().all(axis=1).to_numpy()
    X, _, train_end = split.windows()
    splits = {
        "mlp_train": [int(complete.sum()), split.raw_train.shape[1]],
        "mlp_test": list(split.raw_test.shape),
        "lstm_train": list(X[:train_end].shape),
        "lstm_test": list(X[len(X) - split.n_test :].shape),
        "train_hours": split.n_train,
        "test_hours": split.n_test,
        "test_start": series.index[split.n_train],
    }
    run.results["features"] = {
        name: {k: float(v) for k, v in row.items()} for name, row in table.iterrows()
    }
    run.results["splits"] = splits
    run.log(table.round(3).to_string())
    run.log(
        f"  MLP: train {tuple(splits['mlp_train'])} (the first week has no "
        f"previous week), test {tuple(splits['mlp_test'])}; LSTM windows: train "
        f"{tuple(splits['lstm_train'])}, test {tuple(splits['lstm_test'])}"
    )
    return split


def task_3_mlp(run, split: Split):
    """Task 3: ``MLPRegressor((15, 10, 5), activation="sigmoid")``; its forecast."""
    run.log("Task 3: the MLP (15-10-5, sigmoid) on the five features")
    return _train(run, "mlp", split)


def task_4_lstm(run, split: Split):
    """Task 4: ``LSTMRegressor((7, 3), center="last")`` on windows; its forecast."""
    lookback = run.config.lookback
    run.log(f"Task 4: the LSTM (7-3) on level-free windows of {lookback} hours")
    return _train(run, "lstm", split)


def _train(run, name: str, split: Split):
    """Fit protocol model ``name`` with progress lines; record and draw it."""
    from lstmforecast.regressors import EpochProgress

    epochs = run.config.mlp_epochs if name == "mlp" else run.config.lstm_epochs
    every = max(1, epochs // 5)
    progress = [EpochProgress(every=every, name=f"  {name}")]
    model = make_network(name, run.config, callbacks=progress if run.verbose else None)
    X_fit, y_fit, X_test = split.inputs(name)
    t0 = time.perf_counter()
    model.fit(X_fit, y_fit)
    seconds = time.perf_counter() - t0
    keep = ~np.isnan(X_fit.reshape(len(X_fit), -1)).any(axis=1)
    train_mse = float(
        mean_squared_error(np.asarray(y_fit)[keep], model.predict(X_fit[keep]))
    )
    run.results.setdefault("models", {})[name] = {
        "train_time_s": seconds,
        "train_mse": train_mse,
        "n_params": int(model.n_params_),
        "epochs": int(len(model.history_)),
        "summary": model.summary(),
    }
    run.log(model.summary())
    run.log(f"  {name}: trained in {seconds:.1f} s, training MSE {train_mse:.5f}")
    if run.plt is not None:
        from lstmforecast.plotting import NetworkDisplay

        run.save(NetworkDisplay.from_estimator(model).figure_, f"{name}_structure.png")
    return model, model.predict(X_test)


def task_5_6_metrics(run, split: Split, forecasts: dict) -> None:
    """Tasks 5-6: test MSE, RMSE, MAE and R², scaled and in original units."""
    y_test = split.target().iloc[split.n_train :].to_numpy()
    run.results["metrics"] = {
        name: score(y_test, predicted, split.data_range)
        for name, predicted in forecasts.items()
    }


def task_4d_unscaled(run, split: Split) -> None:
    """Task 4d: the same networks trained on unscaled data, scored the same way."""
    run.log("Task 4d: the same networks on unscaled data")
    truth = split.target(scaled=False).to_numpy()[split.n_train :]
    run.results["metrics_unscaled"] = {
        name: score(
            truth,
            forecast(name, split, run.config, scaled=False)[1],
            split.data_range,
            in_units=True,
        )
        for name in NAMES
    }


def task_7_forecasts(run, split: Split, forecasts: dict, models: dict):
    """Task 7: the test forecasts in original units (CSV), forecast and loss plots."""
    test_index = split.series.index[split.n_train :]
    truth = split.target(scaled=False).to_numpy()[split.n_train :]
    in_units = pd.DataFrame(
        {"truth": truth} | {name: split.to_units(f) for name, f in forecasts.items()},
        index=test_index,
    )
    in_units.to_csv(run.out / "forecasts.csv")
    run.artefacts["forecasts_csv"] = "forecasts.csv"
    if run.plt is None:
        return in_units
    fig, ax = run.plt.subplots(figsize=(11, 3.8))
    ax.plot(test_index, in_units["truth"], color="black", lw=1.2, label="truth")
    for name, style in zip(NAMES, (":", "-", "--"), strict=True):
        mse = run.results["metrics"][name]["mse"]
        label = f"{name} (MSE {mse:.4f})"
        ax.plot(test_index, in_units[name], ls=style, lw=1, label=label)
    ax.set_ylabel(f"{run.config.traffic} / hour")
    title = f"Cell {run.config.cell}: the last {run.config.test_days} days, "
    ax.set_title(title + "forecasts vs truth", loc="left", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    fig.autofmt_xdate()
    run.save(fig, "forecasts.png")
    fig, axes = run.plt.subplots(1, 2, figsize=(10, 3.2))
    for axis, (name, model) in zip(axes, models.items(), strict=True):
        axis.plot(model.history_["epoch"], model.history_["train_loss"])
        axis.set_yscale("log")
        axis.set_title(f"{name}: training loss", fontsize=10)
        axis.set_xlabel("epoch")
        axis.grid(True, alpha=0.3)
    run.save(fig, "training_curves.png")
    return in_units


def task_8_provisioning(run, split: Split, in_units: pd.DataFrame) -> None:
    """Task 8: Gbit/s units, the provisioning cost, its surface, the energy report."""
    from lstmforecast.metrics import (
        provisioning_cost,
        provisioning_report,
        scale_to_peak,
    )

    c = run.config
    run.log("Task 8: Gbit/s, provisioning cost and the energy report")
    # the period's busiest hour is 1 Gbit/s
    factor, _ = scale_to_peak(split.target(scaled=False).to_numpy(), peak=1.0)
    gbit = in_units * factor
    demand = gbit["truth"]
    named = {n: gbit[n] for n in NAMES}
    prices = {"alpha": c.alpha, "beta": c.beta}
    costs = {}
    for name, predicted in named.items():
        exact = provisioning_cost(demand, predicted, **prices, return_parts=True)
        costs[name] = {
            "cost": exact["cost"],
            "over": exact["over"],
            "under": exact["under"],
            "cost_on_steps": provisioning_cost(
                demand, predicted, **prices, step=c.step
            ),
        }
    report = provisioning_report(demand, named, step=c.step, **prices)
    run.results["provisioning"] = {
        "factor_gbit_per_unit": factor,
        "alpha": c.alpha,
        "beta": c.beta,
        "step": c.step,
        "costs": costs,
        "report": {n: row.to_dict() for n, row in report.iterrows()},
    }
    run.log(report.round(3).to_string())
    if run.plt is not None:
        _plot_provisioning(run, demand, named, report)


def _plot_provisioning(run, demand, named: dict, report: pd.DataFrame) -> None:
    from lstmforecast.plotting import (
        CapacityDisplay,
        CostSurfaceDisplay,
        ProvisioningReportDisplay,
    )

    c = run.config
    surface = CostSurfaceDisplay.from_predictions(
        demand, named, alphas=c.alphas, betas=c.betas, step=None, units="Gbit/s"
    )
    run.save(surface.figure_, "cost_surface.png")
    fig, axes = run.plt.subplots(2, 1, figsize=(11, 6.5), sharex=True)
    for axis, name in zip(axes, ("mlp", "lstm"), strict=True):
        CapacityDisplay.from_predictions(
            demand, named[name], step=c.step or 0.1, name=name, units="Gbit/s",
            ax=axis,
        )  # fmt: skip
    run.save(fig, "capacity.png")
    run.save(ProvisioningReportDisplay.from_report(report).figure_, "report.png")


def task_8_grid_search(run, split: Split) -> None:
    """Task 8: ``GridSearchCV(TimeSeriesSplit)`` over lookback and loss, by cost."""
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    from sklearn.pipeline import Pipeline

    from lstmforecast.metrics import make_provisioning_scorer
    from lstmforecast.preprocessing import SlidingWindow

    c = run.config
    if not c.grid:
        run.results["grid_search"] = None
        return
    run.log(
        "Task 8: GridSearchCV(TimeSeriesSplit) over lookback and loss, scored "
        f"by the {c.alpha:g}:{c.beta:g} provisioning cost"
    )
    # Gbit/s with the training weeks' own peak: no constant from the test days
    train_part = split.target(scaled=False).iloc[: split.n_train]
    train_frame = (train_part / train_part.max()).to_frame(c.traffic)
    lstm = make_network(
        "lstm",
        c,
        scale="std",
        lr=3e-3,
        max_epochs=c.grid_epochs,
        over_cost=c.alpha,
        under_cost=c.beta,
    )
    search = GridSearchCV(
        Pipeline([("window", SlidingWindow(c.lookback)), ("lstm", lstm)]),
        {
            "window__lookback": sorted({24, c.lookback}),
            "lstm__loss": ["squared_error", "provisioning"],
        },
        cv=TimeSeriesSplit(n_splits=3, test_size=min(168, split.n_train // 4)),
        scoring={
            "cost": make_provisioning_scorer(alpha=c.alpha, beta=c.beta),
            "mse": "neg_mean_squared_error",
        },
        refit=False,
        verbose=2 * run.verbose,  # one line per fold and candidate
    )
    search.fit(train_frame, train_frame[c.traffic])
    rows = _candidates(search.cv_results_)
    run.results["grid_search"] = {
        "candidates": rows,
        "best_by_cost": min(rows, key=lambda r: r["rank_cost"]),
        "best_by_mse": min(rows, key=lambda r: r["rank_mse"]),
    }
    run.log(pd.DataFrame(rows).round(5).to_string(index=False))


def _candidates(cv: dict) -> list[dict]:
    return [
        {
            "lookback": params["window__lookback"],
            "loss": params["lstm__loss"],
            "cost": float(-cv["mean_test_cost"][i]),
            "mse": float(-cv["mean_test_mse"][i]),
            "rank_cost": int(cv["rank_test_cost"][i]),
            "rank_mse": int(cv["rank_test_mse"][i]),
        }
        for i, params in enumerate(cv["params"])
    ]
