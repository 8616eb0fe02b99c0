"""The Politecnico di Milano traffic-prediction lab, tasks 1-8, in one call.

:func:`run_lab` is what ``lstmforecast lab`` runs: the Telecom Italia Milano data
(bundled real cells, or raw files), hourly aggregation, the MLP's calendar and lag
features, the MLP (15-10-5, sigmoid) and the LSTM (7-3) against the seasonal naive,
the effect of scaling (the lab's task 4d), the Gbit/s rescaling and the
provisioning cost with its energy report, and a small ``GridSearchCV`` scored by
the cost. Every number goes to ``metrics.json``, every picture to a PNG, and
``report.md`` ties them together.
"""

from __future__ import annotations

import json
import numbers
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import MinMaxScaler

from lstmforecast.datasets import (
    BUNDLED_CELLS,
    LAB_DAY_ONE,
    TRAFFIC_TYPES,
    load_milano_cells,
    load_milano_totals,
    read_milano,
)
from lstmforecast.preprocessing import (
    CalendarFeatures,
    HourlyAggregator,
    LagFeatures,
    make_windows,
)

__all__ = ["run_lab"]

LAB_WEEK = ("2013-12-02", "2013-12-08")  # Monday 2 - Sunday 8 December 2013
MAX_DAYS = 62  # 1 November 2013 - 1 January 2014


def _check(name, value, ok, expected):
    if not ok:
        raise ValueError(f"{name}: expected {expected}; got {value!r}.")


def _validate(cell, trace_cells, traffic, days, test_days, lookback, epochs, grids):
    _check("cell", cell, isinstance(cell, numbers.Integral), "an integer cell id")
    for c in trace_cells:
        _check("trace_cells", c, isinstance(c, numbers.Integral), "integer cell ids")
    _check("traffic", traffic, traffic in TRAFFIC_TYPES, f"one of {TRAFFIC_TYPES}")
    _check(
        "days",
        days,
        isinstance(days, numbers.Integral) and 1 <= days <= MAX_DAYS,
        f"an integer from 1 to {MAX_DAYS} (days from 1 November 2013)",
    )
    _check(
        "test_days",
        test_days,
        isinstance(test_days, numbers.Integral) and test_days >= 1,
        "an integer >= 1",
    )
    if days - test_days < 9:
        raise ValueError(
            f"days={days} with test_days={test_days} leaves {days - test_days} "
            "training days; the lab needs at least 9 (a week for the previous-week "
            "lag, then data to learn from). Raise days or lower test_days."
        )
    _check(
        "lookback",
        lookback,
        isinstance(lookback, numbers.Integral) and 1 <= lookback <= 7 * 24,
        "an integer from 1 to 168 hours",
    )
    for name, value in epochs.items():
        _check(
            name,
            value,
            isinstance(value, numbers.Integral) and value >= 1,
            "an integer >= 1",
        )
    for name, grid in grids.items():
        arr = np.asarray(grid, dtype=float)
        _check(
            name,
            list(grid),
            arr.ndim == 1
            and len(arr) >= 2
            and np.isfinite(arr).all()
            and (arr >= 0).all(),
            "at least two finite prices >= 0",
        )


def _output_dir(path) -> Path:
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".lstmforecast-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise ValueError(
            f"output_dir: cannot write to {str(out)!r} ({exc.strerror or exc}); "
            "choose a folder you can write to."
        ) from None
    return out


def _load(cells, traffic, days, data_dir, log):
    first = LAB_DAY_ONE
    last = first + pd.Timedelta(days=days - 1)
    window = {"start": first.date(), "end": last.date()}
    if data_dir is None:
        if traffic != "internet":
            raise ValueError(
                f"traffic={traffic!r}: the bundled cells hold internet activity only; "
                "give raw Telecom Italia files with data_dir (--data-dir) for the "
                "other types."
            )
        missing = sorted(set(cells) - set(BUNDLED_CELLS))
        if missing:
            raise ValueError(
                f"cell(s) {missing} are not bundled (bundled: {list(BUNDLED_CELLS)}); "
                "give raw files with data_dir (--data-dir) for other cells."
            )
        slots = load_milano_cells(sorted(cells), types=traffic, **window)
        source = "bundled real data (ODbL 1.0)"
    else:
        folder = Path(data_dir)
        if not folder.is_dir():
            raise ValueError(
                f"data_dir: {str(folder)!r} is not a folder; give the folder that "
                "holds the Telecom Italia daily files."
            )
        files = sorted(
            p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
        )
        if not files:
            raise ValueError(f"data_dir: {str(folder)!r} holds no files.")
        slots = read_milano(files, cells=sorted(cells), types=traffic, **window)
        found = set(slots["cell"].unique())
        absent = sorted(set(cells) - found)
        if absent:
            raise ValueError(
                f"cell(s) {absent} have no rows in {str(folder)!r} for "
                f"{window['start']} - {window['end']}; check the cell ids."
            )
        source = f"{len(files)} file(s) in {folder}"
    log(f"  data: {source}; {len(slots):,} ten-minute slots")
    agg = HourlyAggregator(missing="zero", **window)
    hourly = agg.fit_transform(slots)
    if agg.n_missing_:
        log(f"  {agg.n_missing_} ten-minute slots have no line: counted as 0 activity")
    return hourly, f"{source}; {agg.n_missing_} missing slots counted as 0"


def _metrics(y_true, y_pred, data_range):
    mse = mean_squared_error(y_true, y_pred)
    mae = mean_absolute_error(y_true, y_pred)
    return {
        "mse": float(mse),
        "mae": float(mae),
        "r2": float(r2_score(y_true, y_pred)),
        "mse_units": float(mse * data_range**2),
        "mae_units": float(mae * data_range),
    }


def _unit_metrics(y_true, y_pred, data_range):
    """Metrics of forecasts made in original units, also on the [0, 1] scale."""
    mse = mean_squared_error(y_true, y_pred)
    mae = mean_absolute_error(y_true, y_pred)
    return {
        "mse": float(mse / data_range**2),
        "mae": float(mae / data_range),
        "r2": float(r2_score(y_true, y_pred)),
        "mse_units": float(mse),
        "mae_units": float(mae),
    }


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    return value


def _table_md(frame: pd.DataFrame, floatfmt="{:.4g}") -> str:
    cols = [frame.index.name or ""] + [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + " --- |" * len(cols)]
    for idx, row in frame.iterrows():
        cells = [
            floatfmt.format(v) if isinstance(v, (float, np.floating)) else str(v)
            for v in row
        ]
        lines.append("| " + " | ".join([str(idx), *cells]) + " |")
    return "\n".join(lines)


def run_lab(
    *,
    cell=5161,
    trace_cells=None,
    traffic="internet",
    data_dir=None,
    days=61,
    test_days=10,
    lookback=36,
    lstm_epochs=50,
    mlp_epochs=500,
    alpha=1.0,
    beta=10.0,
    alphas=(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
    betas=(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
    step=0.1,
    grid=True,
    grid_epochs=15,
    device="cpu",
    n_threads=1,
    output_dir="results",
    seed=0,
    verbose=1,
):
    """Run the Milano traffic-prediction lab (tasks 1-8) and save its artefacts.

    Task 1: hourly traffic of the cells (trace plot of Mon 2 - Sun 8 Dec 2013).
    Task 2: the MLP's five features (day of week, hour, working day, same hour
    of the previous day and week), raw and scaled ranges, the train / test split.
    Task 3: ``MLPRegressor((15, 10, 5), activation="sigmoid")``. Task 4:
    ``LSTMRegressor((7, 3), center="last")`` on windows of the previous
    ``lookback`` hours. Task 5-6: test MSE, MAE and R² (scaled and in original
    units) side by side with the seasonal naive, and the same models trained on
    unscaled data (the lab's task 4d). Task 7: forecast plots. Task 8: Gbit/s
    units (the cell's busiest hour of the period is 1 Gbit/s), provisioning cost,
    cost surface over ``alphas x betas``, the energy report, and a
    ``GridSearchCV(TimeSeriesSplit)`` over lookback and loss scored by the cost.

    Parameters
    ----------
    cell : int, default=5161
        Cell whose traffic the models forecast (5161: Duomo, the busiest).
    trace_cells : list of int or None, default=None
        Cells in the trace plot; None uses ``cell`` and, on bundled data, all
        bundled cells.
    traffic : str, default='internet'
        Traffic type (bundled data: internet only).
    data_dir : str, path or None, default=None
        Folder of raw Telecom Italia files (any of the three shapes); None uses
        the bundled real data.
    days : int, default=61
        Days from 1 November 2013 (61: to 31 December, as the lab).
    test_days : int, default=10
        The last days, kept for the test.
    lookback : int, default=36
        Hours in each LSTM window.
    lstm_epochs, mlp_epochs : int, default=50, 500
        Training epochs.
    alpha, beta : float, default=1.0, 10.0
        Over- / under-provisioning cost per Gbit/s-hour.
    alphas, betas : sequence of float
        Grid of the cost surface.
    step : float or None, default=0.1
        Capacity step in Gbit/s for the energy report and the capacity plot.
    grid : bool, default=True
        Run the small grid search.
    grid_epochs : int, default=15
        Epochs of each grid-search candidate.
    device : str, default='cpu'
        Device of the networks (``'cpu'``, ``'cuda'``, ``'auto'``).
    n_threads : int or None, default=1
        torch threads of each network: one is fastest for these tiny networks on
        few cores; None keeps torch's setting.
    output_dir : str or path, default='results'
        Folder for the PNG plots, ``metrics.json``, ``forecasts.csv`` and
        ``report.md`` (created).
    seed : int, default=0
        ``random_state`` of every network: the same seed gives the same metrics.
    verbose : int, default=1
        0 silent; 1 progress and tables.

    Returns
    -------
    results : dict
        What ``metrics.json`` holds: ``config``, ``data``, ``features``,
        ``splits``, ``models``, ``metrics``, ``metrics_unscaled``,
        ``provisioning``, ``grid_search``, ``artefacts``, ``elapsed_s``.

    Examples
    --------
    >>> import tempfile
    >>> from lstmforecast.lab import run_lab
    >>> results = run_lab(days=20, test_days=3, lstm_epochs=2, mlp_epochs=2,
    ...                   grid=False, output_dir=tempfile.mkdtemp(), verbose=0)
    >>> sorted(results["metrics"])
    ['lstm', 'mlp', 'seasonal_naive']
    """
    t_start = time.perf_counter()
    trace_cells = list(trace_cells) if trace_cells is not None else None
    _validate(
        cell,
        trace_cells or [],
        traffic,
        days,
        test_days,
        lookback,
        {
            "lstm_epochs": lstm_epochs,
            "mlp_epochs": mlp_epochs,
            "grid_epochs": grid_epochs,
        },
        {"alphas": alphas, "betas": betas},
    )
    out = _output_dir(output_dir)

    def log(message=""):
        if verbose:
            print(message, flush=True)

    from lstmforecast.metrics import (
        make_provisioning_scorer,
        provisioning_cost,
        provisioning_report,
    )
    from lstmforecast.regressors import EpochProgress, LSTMRegressor, MLPRegressor

    if trace_cells is None:
        trace_cells = sorted({cell, *BUNDLED_CELLS}) if data_dir is None else [cell]
    cells = sorted({cell, *trace_cells})
    artefacts = {}
    results = {
        "config": {
            "cell": cell,
            "trace_cells": trace_cells,
            "traffic": traffic,
            "data_dir": None if data_dir is None else str(data_dir),
            "days": days,
            "test_days": test_days,
            "lookback": lookback,
            "lstm_epochs": lstm_epochs,
            "mlp_epochs": mlp_epochs,
            "alpha": alpha,
            "beta": beta,
            "alphas": list(alphas),
            "betas": list(betas),
            "step": step,
            "grid": grid,
            "grid_epochs": grid_epochs,
            "device": device,
            "n_threads": n_threads,
            "seed": seed,
        },
    }
    plt = None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - plots need the [plot] extra
        log(
            "  matplotlib is not installed: no plots (pip install 'lstmforecast[plot]')"
        )

    def save(fig, name):
        if plt is None:
            return
        path = out / name
        fig.savefig(path, dpi=100, bbox_inches="tight")
        plt.close(fig)
        artefacts[name.rsplit(".", 1)[0]] = name

    # ---------------------------------------------------------------- task 1
    log(
        f"lstmforecast lab: Milano GRID, {traffic}, cell {cell}, {days} days "
        f"from 2013-11-01, last {test_days} as test"
    )
    log("Task 1: data and hourly aggregation")
    hourly, source = _load(cells, traffic, days, data_dir, log)
    series = hourly.loc[cell, traffic]
    n_hours = len(series)
    data_info = {
        "source": source,
        "hours": n_hours,
        "first": series.index[0],
        "last": series.index[-1],
        "mean": float(series.mean()),
        "peak": float(series.max()),
        "peak_to_mean": float(series.max() / series.mean()),
    }
    if data_dir is None:
        totals = load_milano_totals().set_index("cell")["internet"]
        if days == MAX_DAYS:
            data_info["matches_bundled_totals"] = bool(
                abs(
                    hourly[traffic].groupby(level=0).sum() / totals.loc[cells] - 1
                ).max()
                < 1e-6
            )
    results["data"] = data_info
    log(
        f"  cell {cell}: {n_hours} hours, mean {series.mean():,.1f}, peak "
        f"{series.max():,.1f} ({series.max() / series.mean():.1f}x the mean)"
    )
    if plt is not None:
        from lstmforecast.plotting import TrafficTraceDisplay

        week = hourly.loc[(slice(None), slice(*LAB_WEEK)), :]
        if len(week) == 0:  # the period ends before the lab's week
            week = hourly.groupby(level=0).head(7 * 24)
        display = TrafficTraceDisplay.from_frame(
            week, column=traffic, ylabel=f"{traffic} / hour"
        )
        display.figure_.suptitle(f"Hourly {traffic} activity, Mon 2 - Sun 8 Dec 2013")
        save(display.figure_, "traces_week.png")

    # ---------------------------------------------------------------- task 2
    log("Task 2: features, scaling and split")
    n_test = test_days * 24
    n_train = n_hours - n_test
    frame = series.to_frame("y")
    features = FeatureUnion(
        [
            ("calendar", CalendarFeatures()),
            ("lags", LagFeatures(lags={"prev_week": "7D", "prev_day": "1D"})),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    raw_train = features.fit_transform(frame.iloc[:n_train])
    raw_test = features.transform(frame.iloc[n_train:])  # continues the fit
    feature_scale = MinMaxScaler().fit(raw_train)
    scaled_train = pd.DataFrame(
        feature_scale.transform(raw_train),
        index=raw_train.index,
        columns=raw_train.columns,
    )
    scaled_test = pd.DataFrame(
        feature_scale.transform(raw_test),
        index=raw_test.index,
        columns=raw_test.columns,
    )
    both_raw = pd.concat([raw_train, raw_test])
    both_scaled = pd.concat([scaled_train, scaled_test])
    feature_table = pd.DataFrame(
        {
            "raw_min": both_raw.min(),
            "raw_max": both_raw.max(),
            "scaled_min": both_scaled.min(),
            "scaled_max": both_scaled.max(),
        }
    ).rename_axis("feature")
    target_scale = MinMaxScaler().fit(frame.iloc[:n_train])
    data_range = float(target_scale.data_range_[0])
    scaled = pd.Series(
        target_scale.transform(frame).ravel(), index=series.index, name="y"
    )
    y_train, y_test = scaled.iloc[:n_train], scaled.iloc[n_train:]
    complete = scaled_train.notna().all(axis=1).to_numpy()
    X, y = make_windows(scaled, lookback=lookback)
    n_windows = len(X)
    train_end = n_windows - n_test - lookback  # a gap of one lookback
    splits = {
        "mlp_train": [int(complete.sum()), raw_train.shape[1]],
        "mlp_test": list(raw_test.shape),
        "lstm_train": list(X[:train_end].shape),
        "lstm_test": list(X[n_windows - n_test :].shape),
        "train_hours": n_train,
        "test_hours": n_test,
        "test_start": series.index[n_train],
    }
    results["features"] = {
        name: {k: float(v) for k, v in row.items()}
        for name, row in feature_table.iterrows()
    }
    results["splits"] = splits
    log(feature_table.round(3).to_string())
    log(
        f"  MLP: train {tuple(splits['mlp_train'])} (the first week has no "
        f"previous week), test {tuple(splits['mlp_test'])}; LSTM windows: train "
        f"{tuple(splits['lstm_train'])}, test {tuple(splits['lstm_test'])}"
    )

    # -------------------------------------------------------------- tasks 3-4
    models, metrics, forecasts = {}, {}, {}

    def progress(name, epochs):
        every = max(1, epochs // 5)
        return [EpochProgress(every=every, name=f"  {name}")] if verbose else None

    def train(name, model, X_fit, y_fit):
        t0 = time.perf_counter()
        model.fit(X_fit, y_fit)
        seconds = time.perf_counter() - t0
        keep = ~np.isnan(X_fit.reshape(len(X_fit), -1)).any(axis=1)
        fitted = model.predict(X_fit[keep])
        models[name] = {
            "train_time_s": seconds,
            "train_mse": float(mean_squared_error(np.asarray(y_fit)[keep], fitted)),
            "n_params": int(model.n_params_),
            "epochs": int(len(model.history_)),
            "summary": model.summary(),
        }
        log(model.summary())
        log(
            f"  {name}: trained in {seconds:.1f} s, training MSE "
            f"{models[name]['train_mse']:.5f}"
        )
        if plt is not None:
            from lstmforecast.plotting import NetworkDisplay

            save(NetworkDisplay.from_estimator(model).figure_, f"{name}_structure.png")
        return model

    log("Task 3: the MLP (15-10-5, sigmoid) on the five features")
    mlp_params = {
        "hidden_size": (15, 10, 5),
        "activation": "sigmoid",
        "batch_size": 32,
        "random_state": seed,
        "device": device,
        "n_threads": n_threads,
    }
    mlp = train(
        "mlp",
        MLPRegressor(
            **mlp_params, max_epochs=mlp_epochs, callbacks=progress("mlp", mlp_epochs)
        ),
        scaled_train.to_numpy(),
        y_train.to_numpy(),
    )
    forecasts["mlp"] = mlp.predict(scaled_test.to_numpy())

    log(f"Task 4: the LSTM (7-3) on level-free windows of {lookback} hours")
    lstm_params = {
        "hidden_size": (7, 3),
        "center": "last",
        "batch_size": 32,
        "random_state": seed,
        "device": device,
        "n_threads": n_threads,
    }
    lstm = train(
        "lstm",
        LSTMRegressor(
            **lstm_params,
            max_epochs=lstm_epochs,
            callbacks=progress("lstm", lstm_epochs),
        ),
        X[:train_end],
        y[:train_end, 0],
    )
    forecasts["lstm"] = lstm.predict(X[n_windows - n_test :])
    forecasts["seasonal_naive"] = scaled.shift(24).iloc[n_train:].to_numpy()
    for name, forecast in forecasts.items():
        metrics[name] = _metrics(y_test.to_numpy(), forecast, data_range)
    results["models"] = models
    results["metrics"] = metrics

    # ---------------------------------------------------------------- task 4d
    log("Task 4d: the same networks on unscaled data")
    raw_y = series.to_numpy()
    raw_X, _ = make_windows(series.to_numpy(), lookback=lookback)
    unscaled = {}
    mlp_raw = MLPRegressor(**mlp_params, max_epochs=mlp_epochs).fit(
        raw_train.to_numpy(), raw_y[:n_train]
    )
    unscaled["mlp"] = mlp_raw.predict(raw_test.to_numpy())
    lstm_raw = LSTMRegressor(**lstm_params, max_epochs=lstm_epochs).fit(
        raw_X[:train_end], raw_y[lookback:][:train_end]
    )
    unscaled["lstm"] = lstm_raw.predict(raw_X[n_windows - n_test :])
    unscaled["seasonal_naive"] = series.shift(24).iloc[n_train:].to_numpy()
    truth = raw_y[n_train:]
    results["metrics_unscaled"] = {
        name: _unit_metrics(truth, forecast, data_range)
        for name, forecast in unscaled.items()
    }

    # ---------------------------------------------------------------- task 7
    test_index = series.index[n_train:]
    in_units = pd.DataFrame(
        {"truth": truth}
        | {
            name: target_scale.inverse_transform(f.reshape(-1, 1)).ravel()
            for name, f in forecasts.items()
        },
        index=test_index,
    )
    in_units.to_csv(out / "forecasts.csv")
    artefacts["forecasts_csv"] = "forecasts.csv"
    if plt is not None:
        fig, ax = plt.subplots(figsize=(11, 3.8))
        ax.plot(test_index, in_units["truth"], color="black", lw=1.2, label="truth")
        for name, style in (("mlp", ":"), ("lstm", "-"), ("seasonal_naive", "--")):
            mse = metrics[name]["mse"]
            ax.plot(
                test_index,
                in_units[name],
                ls=style,
                lw=1,
                label=f"{name} (MSE {mse:.4f})",
            )
        ax.set_ylabel(f"{traffic} / hour")
        ax.set_title(
            f"Cell {cell}: the last {test_days} days, forecasts vs truth",
            loc="left",
            fontsize=10,
        )
        ax.legend(fontsize=8)
        ax.grid(True, alpha=0.3)
        fig.autofmt_xdate()
        save(fig, "forecasts.png")
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
        for axis, (name, model) in zip(
            axes, (("mlp", mlp), ("lstm", lstm)), strict=True
        ):
            axis.plot(model.history_["epoch"], model.history_["train_loss"])
            axis.set_yscale("log")
            axis.set_title(f"{name}: training loss", fontsize=10)
            axis.set_xlabel("epoch")
            axis.grid(True, alpha=0.3)
        save(fig, "training_curves.png")

    # ---------------------------------------------------------------- task 8
    log("Task 8: Gbit/s, provisioning cost and the energy report")
    factor = 1.0 / float(series.max())  # the period's busiest hour is 1 Gbit/s
    gbit = in_units * factor
    demand = gbit["truth"]
    named = {n: gbit[n] for n in ("mlp", "lstm", "seasonal_naive")}
    costs = {}
    for name, forecast in named.items():
        exact = provisioning_cost(
            demand, forecast, alpha=alpha, beta=beta, return_parts=True
        )
        costs[name] = {
            "cost": exact["cost"],
            "over": exact["over"],
            "under": exact["under"],
            "cost_on_steps": provisioning_cost(
                demand, forecast, alpha=alpha, beta=beta, step=step
            ),
        }
    report = provisioning_report(demand, named, step=step, alpha=alpha, beta=beta)
    results["provisioning"] = {
        "factor_gbit_per_unit": factor,
        "alpha": alpha,
        "beta": beta,
        "step": step,
        "costs": costs,
        "report": {n: row.to_dict() for n, row in report.iterrows()},
    }
    log(report.round(3).to_string())
    if plt is not None:
        from lstmforecast.plotting import (
            CapacityDisplay,
            CostSurfaceDisplay,
            ProvisioningReportDisplay,
        )

        surface = CostSurfaceDisplay.from_predictions(
            demand, named, alphas=alphas, betas=betas, step=None
        )
        save(surface.figure_, "cost_surface.png")
        fig, axes = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True)
        for axis, name in zip(axes, ("mlp", "lstm"), strict=True):
            CapacityDisplay.from_predictions(
                demand, named[name], step=step or 0.1, name=name, ax=axis
            )
        save(fig, "capacity.png")
        save(ProvisioningReportDisplay.from_report(report).figure_, "report.png")

    # ------------------------------------------------------ task 8: tuning
    if grid:
        from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
        from sklearn.pipeline import Pipeline

        from lstmforecast.preprocessing import SlidingWindow

        log(
            "Task 8: GridSearchCV(TimeSeriesSplit) over lookback and loss, scored "
            f"by the {alpha:g}:{beta:g} provisioning cost"
        )
        # Gbit/s with the training weeks' own peak: no constant from the test days
        train_part = series.iloc[:n_train]
        train_frame = (train_part / train_part.max()).to_frame(traffic)
        pipe = Pipeline(
            [
                ("window", SlidingWindow(lookback)),
                (
                    "lstm",
                    LSTMRegressor(
                        **{**lstm_params, "scale": "std"},
                        lr=3e-3,
                        max_epochs=grid_epochs,
                        alpha=alpha,
                        beta=beta,
                    ),
                ),
            ]
        )
        lookbacks = sorted({24, lookback})
        search = GridSearchCV(
            pipe,
            {
                "window__lookback": lookbacks,
                "lstm__loss": ["squared_error", "provisioning"],
            },
            cv=TimeSeriesSplit(n_splits=3, test_size=min(168, n_train // 4)),
            scoring={
                "cost": make_provisioning_scorer(alpha=alpha, beta=beta),
                "mse": "neg_mean_squared_error",
            },
            refit=False,
            verbose=2 * verbose,  # one line per fold and candidate
        )
        search.fit(train_frame, train_frame[traffic])
        cv = search.cv_results_
        rows = []
        for i, params in enumerate(cv["params"]):
            rows.append(
                {
                    "lookback": params["window__lookback"],
                    "loss": params["lstm__loss"],
                    "cost": float(-cv["mean_test_cost"][i]),
                    "mse": float(-cv["mean_test_mse"][i]),
                    "rank_cost": int(cv["rank_test_cost"][i]),
                    "rank_mse": int(cv["rank_test_mse"][i]),
                }
            )
        best = min(rows, key=lambda r: r["rank_cost"])
        results["grid_search"] = {
            "candidates": rows,
            "best_by_cost": best,
            "best_by_mse": min(rows, key=lambda r: r["rank_mse"]),
        }
        log(pd.DataFrame(rows).round(5).to_string(index=False))
    else:
        results["grid_search"] = None

    # -------------------------------------------------------------- outputs
    results["artefacts"] = artefacts
    results["elapsed_s"] = time.perf_counter() - t_start
    results = _jsonable(results)
    (out / "metrics.json").write_text(json.dumps(results, indent=2))
    (out / "report.md").write_text(_report_md(results, feature_table))
    table = pd.DataFrame(metrics).T[["mse", "mae", "r2", "mse_units", "mae_units"]]
    table["mse_vs_naive"] = table["mse"] / table.loc["seasonal_naive", "mse"]
    log("\nSummary: test set, scaled target (MSE, MAE, R²) and original units")
    log(table.round(4).to_string())
    log(
        f"provisioning cost per hour ({alpha:g}:{beta:g}, Gbit/s): "
        + ", ".join(f"{n} {c['cost']:.4f}" for n, c in costs.items())
    )
    log(
        f"saved under {out}/: metrics.json, report.md, forecasts.csv"
        + (f" and {len(artefacts) - 1} PNG plots" if plt is not None else "")
    )
    log(f"done in {results['elapsed_s']:.1f} s")
    return results


def _report_md(results: dict, feature_table: pd.DataFrame) -> str:
    cfg = results["config"]
    art = results["artefacts"]

    def image(key, caption):
        return f"![{caption}]({art[key]})\n" if key in art else ""

    metrics = pd.DataFrame(results["metrics"]).T.rename_axis("model")
    unscaled = pd.DataFrame(results["metrics_unscaled"]).T.rename_axis("model")
    prov = results["provisioning"]
    report = pd.DataFrame(prov["report"]).T.rename_axis("allocation")
    costs = pd.DataFrame(prov["costs"]).T.rename_axis("forecast")
    models = (
        pd.DataFrame(results["models"])
        .T[["n_params", "epochs", "train_time_s", "train_mse"]]
        .rename_axis("model")
    )
    parts = [
        "# The Milano traffic-prediction lab\n",
        f"Cell {cfg['cell']}, {cfg['traffic']}, {cfg['days']} days from 2013-11-01 "
        f"({results['data']['source']}); the last {cfg['test_days']} days are the "
        f"test set; seed {cfg['seed']}.\n",
        "## 1. Data\n",
        image("traces_week", "traces"),
        "## 2. Features and split\n",
        _table_md(feature_table) + "\n",
        "\nSplits (shapes; the MLP's first week has no previous week):\n\n",
        "\n".join(f"- {k}: `{v}`" for k, v in results["splits"].items()) + "\n",
        "## 3-4. Models\n",
        _table_md(models) + "\n",
        image("mlp_structure", "MLP"),
        image("lstm_structure", "LSTM"),
        image("training_curves", "training curves"),
        "## 5-6. Test metrics (scaled target; `_units`: original units)\n",
        _table_md(metrics) + "\n",
        "\nThe same networks on unscaled data (task 4d):\n\n",
        _table_md(unscaled) + "\n",
        "## 7. Forecasts\n",
        image("forecasts", "forecasts"),
        "## 8. Provisioning\n",
        f"Gbit/s factor {prov['factor_gbit_per_unit']:.4g} per activity unit; "
        f"alpha {prov['alpha']:g}, beta {prov['beta']:g}, step {prov['step']}.\n\n",
        _table_md(costs) + "\n\n",
        _table_md(report) + "\n",
        image("cost_surface", "cost surface"),
        image("capacity", "capacity"),
        image("report", "report"),
    ]
    if results["grid_search"]:
        grid = pd.DataFrame(results["grid_search"]["candidates"]).set_index("lookback")
        parts += ["## 8. Grid search by provisioning cost\n", _table_md(grid) + "\n"]
    return "\n".join(parts)
