r"""Seasonal anchoring and the linear path on the bundled cells, 1 and 24 hours ahead.

What it measures
----------------
The three bundled real cells (4159, 4556, 5161; hourly internet, 1 Nov - 31 Dec
2013) as one ``(cell, time)`` panel in Gbit/s (each cell's busiest training hour
at 1 Gbit/s, as ``bench_horizon.py``), the last ``--test-days`` (10) days the
test set of every cell, the test windows continuing each cell's history. One
global ``LSTMRegressor((16,), center="last", scale="std")`` on lazy
``SlidingWindow(--lookback)`` windows (168 hours: long enough for a weekly
anchor) per configuration, MIMO over ``H`` steps (1 and 24):

- ``base``: the network alone;
- ``anchor=24`` / ``anchor=168``: each step learnt as the change from the same
  hour yesterday / last week;
- ``linear``: ``linear_path=True``;
- ``anchor=24 + linear``;
- ``ridge`` / ``anchor=24 + ridge``: ``linear_path="ridge"`` (the linear map
  fitted in closed form first, the network gated in from zero); ``ridge +
  provisioning loss`` (``(stepped)``) / ``ridge + capacity (...)``: the same
  network trained for the cost, or inside the capacity rule named;
- ``calendar`` / ``anchor=24 + linear + calendar``: the calendar of every
  forecast hour (``CalendarFeatures(["hour", "day_of_week", "working_day"],
  encoding="cyclical", horizon=H)``, Milan's holidays) as ``future_columns`` of
  the windows, repeated along each window;
- ``quantiles``: the 10 %, 50 % and 90 % quantiles in one fit (``loss="quantile",
  quantiles=[0.1, 0.5, 0.9], nonnegative=True``), scored by the median; the
  ``coverage`` column is the share of test hours and steps inside its 10 - 90 %
  interval (nominal 80 %);
- ``provisioning loss``: the network trained for the cost (``loss="provisioning"``,
  1:10), which knows nothing of the steps;
- ``provisioning loss (stepped)``: the same with ``capacity_step=--step``: the
  loss is the expected cost after the forecast is rounded up to the steps
  (``(twice the step)``: told ``2 * --step``, a larger assumed rounding);
  ``stepped loss + capacity (...)`` / ``twice the step + capacity (...)``:
  that network inside the capacity rule named below;
- ``capacity``: the ``base`` pipeline inside ``CapacityRegressor(over_cost=1,
  under_cost=10, step=--step, calibration_fraction=0.15, gap=H - 1)``: its
  forecasts shifted by the offset that minimises the cost *after rounding up to
  the steps* on the latest 15 % of the training instants, then refitted on all
  of them;
- ``capacity (rolling)``: the same with ``calibration_window=--window`` (168
  instants) and the realised demand given to ``update`` at the end of every
  test day (the rows whose ``H`` steps are all known by then): the offset of
  each day is chosen on the latest week's errors, the network is not refitted;
- ``conformal`` / ``conformal (rolling)``: the ``base`` pipeline inside
  ``ConformalRegressor(calibration_fraction=0.15, gap=H - 1, refit=True)``, its
  10 - 90 % split-conformal interval scored in ``coverage`` (the point forecast
  is the ``base`` one); rolling: updated every day as above;
- ``(per cell)``: the same with ``per_series=True``, each cell's offset or
  interval from its own errors;
- ``(relative)``: with ``relative=True``, errors and offsets as shares of the
  forecast (a margin and an interval that follow the level);
- ``(expected cost, ...)``: ``decision="expected_cost"``: each hour gets the
  whole step of least expected cost under the kept errors, not one offset
  rounded up;
- ``base + best offset in hindsight (a bound)``: not a method, a bound: the
  ``base`` forecast of each cell and step plus the constant offset that
  minimises its cost **on the test hours themselves** (``bench_cost_bound``'s
  search). No rule that adds a constant margin per cell and step to the
  ``base`` forecast can cost less on this test period.

Each configuration is fitted with ``--seeds`` (3) random states; the table gives
the median over seeds of the test MSE and of the provisioning cost (capacity in
``--step`` Gbit/s steps rounded up, 0.05 by default; alpha:beta = 1:10), per
cell, each as a ratio to the seasonal naive's (the same hour the day before)
pooled over the ``H`` steps; lower is better, below 1 beats the naive. The
``under`` column is the share of test hours and steps whose demand exceeds the
capacity (blocked users): at 1:10, exact allocation (no steps) from a
calibrated forecast distribution leaves 1 / 11 = 9.1 % of the hours under. Fit
seconds (median) and the load average are printed beside them (torch on one
thread).

How to run
----------
From the repository root::

    python benchmarks/bench_options.py                  # every configuration, ~50 min
    python benchmarks/bench_options.py --window 72 \
        --configs "conformal (rolling, per cell)"    # the intervals of the guide
    python benchmarks/bench_options.py --epochs 1 --seeds 1 --horizons 1  # smoke
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from _machine import load_average, machine_line

CONFIGS = {
    "base": {},
    "anchor=24": {"anchor": 24},
    "anchor=168": {"anchor": 168},
    "linear": {"linear_path": True},
    "anchor=24 + linear": {"anchor": 24, "linear_path": True},
    "ridge": {"linear_path": "ridge"},
    "anchor=24 + ridge": {"anchor": 24, "linear_path": "ridge"},
    "calendar": {"calendar": True},
    "anchor=24 + linear + calendar": {
        "anchor": 24,
        "linear_path": True,
        "calendar": True,
    },
    "quantiles": {
        "loss": "quantile",
        "quantiles": [0.1, 0.5, 0.9],
        "nonnegative": True,
    },
    "provisioning loss": {"loss": "provisioning"},
    "provisioning loss (stepped)": {"loss": "provisioning", "capacity_step": "step"},
    "provisioning loss (twice the step)": {
        "loss": "provisioning",
        "capacity_step": "2 steps",
    },
    "capacity": {"capacity": True},
    "capacity (rolling)": {"capacity": True, "rolling": True},
    "conformal": {"conformal": True},
    "conformal (rolling)": {"conformal": True, "rolling": True},
    "capacity (per cell)": {"capacity": True, "per_series": True},
    "capacity (rolling, per cell)": {
        "capacity": True,
        "rolling": True,
        "per_series": True,
    },
    "conformal (per cell)": {"conformal": True, "per_series": True},
    "conformal (rolling, per cell)": {
        "conformal": True,
        "rolling": True,
        "per_series": True,
    },
    "capacity (relative)": {"capacity": True, "relative": True},
    "capacity (relative, rolling, per cell)": {
        "capacity": True,
        "relative": True,
        "rolling": True,
        "per_series": True,
    },
    "capacity (expected cost, rolling, per cell)": {
        "capacity": True,
        "decision": "expected_cost",
        "rolling": True,
        "per_series": True,
    },
    "capacity (expected cost, relative, rolling, per cell)": {
        "capacity": True,
        "decision": "expected_cost",
        "relative": True,
        "rolling": True,
        "per_series": True,
    },
    "stepped loss + capacity (rolling, per cell)": {
        "loss": "provisioning",
        "capacity_step": "step",
        "capacity": True,
        "rolling": True,
        "per_series": True,
    },
    "stepped loss + capacity (relative, rolling, per cell)": {
        "loss": "provisioning",
        "capacity_step": "step",
        "capacity": True,
        "relative": True,
        "rolling": True,
        "per_series": True,
    },
    "stepped loss + capacity (expected cost, rolling, per cell)": {
        "loss": "provisioning",
        "capacity_step": "step",
        "capacity": True,
        "decision": "expected_cost",
        "rolling": True,
        "per_series": True,
    },
    "twice the step + capacity (expected cost, rolling, per cell)": {
        "loss": "provisioning",
        "capacity_step": "2 steps",
        "capacity": True,
        "decision": "expected_cost",
        "rolling": True,
        "per_series": True,
    },
    "ridge + provisioning loss": {"linear_path": "ridge", "loss": "provisioning"},
    "ridge + provisioning loss (stepped)": {
        "linear_path": "ridge",
        "loss": "provisioning",
        "capacity_step": "step",
    },
    "ridge + capacity (relative, rolling, per cell)": {
        "linear_path": "ridge",
        "capacity": True,
        "relative": True,
        "rolling": True,
        "per_series": True,
    },
    "ridge + capacity (expected cost, rolling, per cell)": {
        "linear_path": "ridge",
        "capacity": True,
        "decision": "expected_cost",
        "rolling": True,
        "per_series": True,
    },
    "base + best offset in hindsight (a bound)": {"hindsight": True},
    "conformal (relative)": {"conformal": True, "relative": True},
    "conformal (relative, rolling, per cell)": {
        "conformal": True,
        "relative": True,
        "rolling": True,
        "per_series": True,
    },
}


def data(args):
    """Return (train panel, test panel) in Gbit/s: the split of bench_horizon."""
    from bench_horizon import panel_in_gbps

    from lstmforecast.preprocessing import time_train_test_split

    panel, _ = panel_in_gbps(args.test_days)
    return time_train_test_split(panel, test_size=24 * args.test_days)


def _network(params: dict, seed: int, args):
    from lstmforecast.regressors import LSTMRegressor

    return LSTMRegressor(
        (16,),
        center="last",
        scale="std",
        lr=3e-3,
        batch_size=64,
        max_epochs=args.epochs,
        random_state=seed,
        n_threads=1,
        **params,
    )


def _with_calendar(H: int, lookback: int):
    """Return the panel with its H forecast hours' calendar, then the windows."""
    from sklearn.compose import make_column_selector
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer

    from lstmforecast.preprocessing import CalendarFeatures, SlidingWindow

    calendar = CalendarFeatures(
        ["hour", "day_of_week", "working_day"], encoding="cyclical", horizon=H
    )
    features = FeatureUnion(
        [
            ("traffic", FunctionTransformer(feature_names_out="one-to-one")),
            ("calendar", calendar),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    future = make_column_selector(pattern=r"_h\d+$")
    window = SlidingWindow(
        lookback, columns=["internet"], future_columns=future, lazy=True
    )
    return Pipeline([("features", features), ("window", window)])


def day_by_day(plan, train, test, H: int, interval: bool):
    """Forecast the test days in turn, giving ``update`` each day's demand.

    Day d's rows are forecast with the calibration of the end of day d - 1
    (their windows read the test rows before them, as in one batch); then the
    rows whose ``H`` steps are all known by the end of day d are recorded.
    Returns the forecasts, and the 80 % intervals when ``interval``.
    """
    from lstmforecast.preprocessing import make_horizon_targets

    whole = pd.concat([train, test]).sort_index()
    truth = make_horizon_targets(whole["internet"], H).loc[test.index].to_numpy()
    times = test.index.get_level_values("time")
    last_known = times + pd.Timedelta(hours=H - 1)  # a row's last target hour
    pred = np.full((len(test), H), np.nan)
    bounds = np.full((len(test), H, 2), np.nan)
    for day in pd.unique(times.floor("D")):
        end = day + pd.Timedelta(hours=23)
        upto, today = times <= end, (times >= day) & (times <= end)
        rows = test[upto]
        pred[today] = plan.predict(rows).reshape(-1, H)[today[upto]]
        if interval:
            found = plan.predict_interval(rows, 0.8).reshape(-1, H, 2)
            bounds[today] = found[today[upto]]
        new = (last_known <= end) & (last_known > end - pd.Timedelta(days=1))
        plan.update(rows, np.where(new[upto][:, None], truth[upto], np.nan))
    return pred, bounds if interval else None


def _calibrated(pipe, params: dict, train, test, H: int, args):
    """Fit a CapacityRegressor or ConformalRegressor; forecast the test rows."""
    from lstmforecast.preprocessing import make_horizon_targets
    from lstmforecast.regressors import CapacityRegressor, ConformalRegressor

    common = {
        "calibration_fraction": 0.15,
        "gap": H - 1,
        "refit": True,
        "calibration_window": args.window if params.get("rolling") else None,
        "per_series": params.get("per_series", False),
        "relative": params.get("relative", False),
    }
    if params.get("capacity"):  # offset for the cost after rounding, on the tail
        plan = CapacityRegressor(
            pipe,
            over_cost=1,
            under_cost=10,
            step=args.step,
            decision=params.get("decision") or "offset",
            **common,
        )
    else:
        plan = ConformalRegressor(pipe, **common)
    start = time.perf_counter()
    plan.fit(train, make_horizon_targets(train["internet"], H))
    seconds = time.perf_counter() - start
    interval = not params.get("capacity")
    if params.get("rolling"):
        return (*day_by_day(plan, train, test, H, interval), seconds)
    bounds = plan.predict_interval(test, 0.8).reshape(-1, H, 2) if interval else None
    return plan.predict(test).reshape(len(test), H), bounds, seconds


def fit_predict(train, test, H: int, name: str, seed: int, args):
    """Fit one configuration; return (forecasts (n, H), interval or None, fit s)."""
    from sklearn.pipeline import Pipeline

    from lstmforecast.preprocessing import SlidingWindow, make_horizon_targets

    params = dict(CONFIGS[name])
    if params.get("capacity_step") == "step":  # the step the cost is judged at
        params["capacity_step"] = args.step
    if params.get("capacity_step") == "2 steps":  # the loss told a coarser step
        params["capacity_step"] = 2 * args.step
    window = SlidingWindow(args.lookback, lazy=True)
    if params.pop("calendar", False):
        window = _with_calendar(H, args.lookback)
    params.pop("hindsight", None)  # applied to the forecasts in run()
    calibrated = {
        k: params.pop(k, False)
        for k in (
            "capacity",
            "conformal",
            "rolling",
            "per_series",
            "relative",
            "decision",
        )
    }
    model = _network(params, seed, args)
    if calibrated["capacity"] or calibrated["conformal"]:
        pipe = Pipeline([("window", window), ("lstm", model)])
        return _calibrated(pipe, calibrated, train, test, H, args)
    Y = make_horizon_targets(train["internet"], H)
    start = time.perf_counter()
    window.fit(train)
    model.fit(window.transform(train), Y)
    seconds = time.perf_counter() - start
    windows = window.transform(test)
    pred = model.predict(windows).reshape(len(test), H)
    interval = None
    if "quantiles" in params:
        interval = model.predict_interval(windows, 0.8).reshape(len(test), H, 2)
    return pred, interval, seconds


def _scored(test, H: int, naive):
    """Return (truth (n, H), each row's cell, the scored entries (n, H)).

    Scored: the steps whose target and seasonal naive are both known.
    """
    from lstmforecast.preprocessing import make_horizon_targets

    truth = make_horizon_targets(test["internet"], H).to_numpy()
    return (
        truth,
        test.index.get_level_values("cell"),
        np.isfinite(truth) & np.isfinite(naive),
    )


def scores(test, pred, H: int, naive, interval=None, step=0.05) -> dict:
    """MSE and provisioning cost per cell over the complete test rows and steps."""
    from bench_cost_bound import rounded_up

    from lstmforecast.metrics import provisioning_cost

    truth, cells, scored = _scored(test, H, naive)
    out = {}
    for cell in pd.unique(cells):
        rows = cells == cell
        ok = scored[rows]
        y, p, n = truth[rows][ok], pred[rows][ok], naive[rows][ok]

        def cost(f, y=y):
            return provisioning_cost(y, f, alpha=1, beta=10, step=step)

        out[cell] = {
            "mse": np.mean((p - y) ** 2) / np.mean((n - y) ** 2),
            "cost": cost(p) / cost(n),
            "under": np.mean(y > rounded_up(p, step)),
            "coverage": np.nan,
        }
        if interval is not None:
            low, high = interval[rows][ok][:, 0], interval[rows][ok][:, 1]
            out[cell]["coverage"] = np.mean((y >= low) & (y <= high))
    return out


def in_hindsight(test, pred, H: int, step: float, naive) -> np.ndarray:
    """Shift each cell's and step's forecasts by its best offset on the test hours.

    One offset per cell and forecast step (as ``CapacityRegressor(per_series=
    True)`` keeps one per series and output), that of
    ``bench_cost_bound.best_offset_ratio`` over the entries ``scores`` scores;
    a bound, never a forecast (it reads the truth).
    """
    from bench_cost_bound import best_offset_ratio

    truth, cells, scored = _scored(test, H, naive)
    shifted = pred.copy()
    for cell in pd.unique(cells):
        rows = cells == cell
        for h in range(H):
            ok = scored[rows, h] & np.isfinite(pred[rows, h])
            offset = best_offset_ratio(truth[rows, h][ok], pred[rows, h][ok], step)[1]
            shifted[rows, h] = pred[rows, h] + offset
    return shifted


def seasonal_naive(train, test, H: int) -> np.ndarray:
    """Return the value 24 hours before each test step, from the whole series."""
    from lstmforecast.metrics import seasonal_naive_forecast

    whole = pd.concat([train, test]).sort_index()
    naive = seasonal_naive_forecast(whole["internet"], H, season=24)
    return np.asarray(naive.loc[test.index], dtype=float)


def run(args) -> pd.DataFrame:
    """Every configuration, horizon and seed; the medians per cell."""
    train, test = data(args)
    rows, fitted = [], {}  # fits shared by configurations that differ in scoring
    for H in args.horizons:
        naive = seasonal_naive(train, test, H)
        for name in args.configs:
            runs = []
            for seed in range(args.seeds):
                same = {k: v for k, v in CONFIGS[name].items() if k != "hindsight"}
                key = (H, seed, repr(sorted(same.items())))
                if key not in fitted:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", UserWarning)
                        fitted[key] = fit_predict(train, test, H, name, seed, args)
                pred, interval, seconds = fitted[key]
                if CONFIGS[name].get("hindsight"):
                    pred = in_hindsight(test, pred, H, args.step, naive)
                runs.append(
                    (scores(test, pred, H, naive, interval, args.step), seconds)
                )
            for cell in runs[0][0]:
                rows.append(
                    {
                        "H": H,
                        "config": name,
                        "cell": cell,
                        "mse / naive": np.median([r[0][cell]["mse"] for r in runs]),
                        "cost / naive": np.median([r[0][cell]["cost"] for r in runs]),
                        "under": np.median([r[0][cell]["under"] for r in runs]),
                        "coverage": np.median([r[0][cell]["coverage"] for r in runs]),
                        "fit s": np.median([r[1] for r in runs]),
                    }
                )
            print(f"  H={H} {name}: done (load {load_average():.2f})", flush=True)
    return pd.DataFrame(rows)


def main(argv=None) -> pd.DataFrame:
    """Run the benchmark and print the side-by-side table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--test-days", type=int, default=10)
    parser.add_argument("--lookback", type=int, default=168)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--horizons", type=int, nargs="+", default=[1, 24])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS))
    parser.add_argument(
        "--step", type=float, default=0.05, help="capacity step, Gbit/s (0.05)"
    )
    parser.add_argument(
        "--window", type=int, default=168, help="rolling calibration instants (168)"
    )
    args = parser.parse_args(argv)
    print(machine_line())
    print(
        f"lookback {args.lookback}, {args.epochs} epochs, {args.seeds} seeds, "
        f"capacity steps of {args.step} Gbit/s; load {load_average():.2f}"
    )
    table = run(args)
    wide = table.pivot_table(
        index=["H", "config"],
        columns="cell",
        values=["mse / naive", "cost / naive", "under", "coverage"],
        dropna=False,
    )
    print(wide.to_string(float_format=lambda v: f"{v:.3f}"))
    fits = table.groupby(["H", "config"])["fit s"].median()
    print("\nfit seconds (median):")
    print(fits.to_string(float_format=lambda v: f"{v:.1f}"))
    print(f"load average at the end: {load_average():.2f}")
    return table


if __name__ == "__main__":
    main()
