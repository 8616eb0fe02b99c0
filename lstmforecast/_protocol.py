"""The lab's evaluation protocol on one cell: LSTM, MLP and the seasonal-naive baseline.

Hourly internet traffic of 61 days (1 November - 31 December 2013); the last 240
hours (10 days) are the test set; inputs and target are scaled to [0, 1] on the
training part only. Models (``MODELS``):

- ``lstm``: ``LSTMRegressor((7, 3), center="last")`` on level-free windows of the
  previous 36 hours (``make_windows``), split in time order with a gap of one
  lookback, 50 epochs, batch 32.
- ``lstm_raw``: the same LSTM on the raw windows (the lab's literal setting).
- ``mlp``: ``MLPRegressor((15, 10, 5), activation="sigmoid", center="last")`` on the
  same level-free 36-hour windows, 500 epochs, batch 32.
- ``mlp_lab``: the same MLP on the lab's five features (day of week, hour, working
  day, same hour of the previous week and day); the first week (no previous week)
  is skipped in fit.
- ``seasonal_naive``: the same hour of the previous day.

The metrics are computed on the scaled target and in original units. Used by
``benchmarks/bench_lab_accuracy.py`` and the slow accuracy test; the ``lstmforecast
lab`` command will build on it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import MinMaxScaler

from lstmforecast.datasets import load_milano_cells
from lstmforecast.preprocessing import (
    CalendarFeatures,
    HourlyAggregator,
    LagFeatures,
    make_windows,
)
from lstmforecast.regressors import LSTMRegressor, MLPRegressor

TEST_HOURS = 240
LOOKBACK = 36
MODELS = ("lstm", "lstm_raw", "mlp", "mlp_lab", "seasonal_naive")


def lab_series(cell: int, end: str = "2013-12-31") -> pd.Series:
    """Return the hourly internet series of a bundled cell (61 days by default)."""
    slots = load_milano_cells(cell, end=end, types="internet")
    return HourlyAggregator().fit_transform(slots).loc[cell, "internet"]


def _metrics(y_true, y_pred, scale: MinMaxScaler) -> dict:
    to_unit = scale.data_range_[0]
    mse = mean_squared_error(y_true, y_pred)
    return {
        "mse": mse,
        "mae": mean_absolute_error(y_true, y_pred),
        "r2": r2_score(y_true, y_pred),
        "mse_units": mse * to_unit**2,
        "mae_units": mean_absolute_error(y_true, y_pred) * to_unit,
    }


def run_protocol(
    series: pd.Series,
    *,
    seed: int = 0,
    models=MODELS,
    lstm_params: dict | None = None,
    mlp_params: dict | None = None,
) -> pd.DataFrame:
    """Train the networks on ``series`` with the lab's protocol; score the test set.

    Parameters
    ----------
    series : pandas.Series
        Hourly values with a regular ``DatetimeIndex``.
    seed : int, default=0
        ``random_state`` of the networks.
    models : sequence of str, default=MODELS
        Which of ``MODELS`` to run.
    lstm_params, mlp_params : dict or None, default=None
        Overrides of the networks' parameters (e.g. fewer epochs).

    Returns
    -------
    scores : pandas.DataFrame
        One row per model: ``mse``, ``mae``, ``r2`` on the scaled target and
        ``mse_units``, ``mae_units`` in the series' units, all on the last
        ``TEST_HOURS`` hours.
    """
    unknown = sorted(set(models) - set(MODELS))
    if unknown:
        raise ValueError(f"models: unknown {unknown}; choose from {list(MODELS)}.")
    n_train = len(series) - TEST_HOURS
    scale = MinMaxScaler().fit(series.iloc[:n_train].to_frame())
    scaled = pd.Series(
        scale.transform(series.to_frame()).ravel(), index=series.index, name="y"
    )
    y_test = scaled.iloc[n_train:].to_numpy()
    rows = {}

    # Networks on windows of the previous 36 hours; targets are the next hour.
    X, y = make_windows(scaled, lookback=LOOKBACK)
    n_windows = len(X)
    train_end = n_windows - TEST_HOURS - LOOKBACK  # gap of one lookback
    X_test = X[n_windows - TEST_HOURS :]
    window_models = {
        "lstm": (LSTMRegressor, _LSTM, lstm_params, "last"),
        "lstm_raw": (LSTMRegressor, _LSTM, lstm_params, None),
        "mlp": (MLPRegressor, _MLP, mlp_params, "last"),
    }
    for name, (cls, defaults, params, center) in window_models.items():
        if name in models:
            model = cls(
                **{**defaults, "center": center, "random_state": seed},
                **(params or {}),
            )
            model.fit(X[:train_end], y[:train_end, 0])
            rows[name] = _metrics(y_test, model.predict(X_test), scale)

    if "mlp_lab" in models:
        # The lab's five features, scaled on the training part only.
        features = FeatureUnion(
            [
                ("calendar", CalendarFeatures()),
                ("lags", LagFeatures(lags={"prev_week": "7D", "prev_day": "1D"})),
            ],
            verbose_feature_names_out=False,
        ).set_output(transform="pandas")
        frame = scaled.to_frame()
        train_features = features.fit_transform(frame.iloc[:n_train])
        test_features = features.transform(frame.iloc[n_train:])  # continues fit
        feature_scale = MinMaxScaler().fit(train_features)
        mlp = MLPRegressor(**{**_MLP, "random_state": seed}, **(mlp_params or {}))
        mlp.fit(feature_scale.transform(train_features), scaled.iloc[:n_train])
        rows["mlp_lab"] = _metrics(
            y_test, mlp.predict(feature_scale.transform(test_features)), scale
        )

    if "seasonal_naive" in models:
        naive = scaled.shift(24).iloc[n_train:].to_numpy()
        rows["seasonal_naive"] = _metrics(y_test, naive, scale)
    return pd.DataFrame(rows).T


_LSTM = {"hidden_size": (7, 3), "max_epochs": 50, "batch_size": 32}
_MLP = {
    "hidden_size": (15, 10, 5),
    "activation": "sigmoid",
    "max_epochs": 500,
    "batch_size": 32,
}


def protocol_table(cells, seeds=(0, 1, 2), *, end="2013-12-31", **kwargs):
    """Run :func:`run_protocol` per cell and seed; return the medians over seeds.

    Parameters
    ----------
    cells : iterable of int
        Bundled cells.
    seeds : iterable of int, default=(0, 1, 2)
        Seeds of the networks.
    end : str, default="2013-12-31"
        Last day of the series (the test set is the 10 days up to it).
    **kwargs
        Passed to :func:`run_protocol`.

    Returns
    -------
    table : pandas.DataFrame
        Index ``(cell, model)``, the median of each metric over the seeds.
    """
    parts = []
    for cell in cells:
        series = lab_series(cell, end=end)
        runs = [run_protocol(series, seed=s, **kwargs) for s in seeds]
        median = pd.concat(runs).groupby(level=0).median()
        parts.append(median.assign(cell=cell).set_index("cell", append=True))
    table = pd.concat(parts).swaplevel().sort_index()
    table.index.names = ["cell", "model"]
    return table


def cost_protocol(
    series: pd.Series,
    *,
    seed: int = 0,
    alpha: float = 1.0,
    beta: float = 10.0,
    step: float | None = 0.1,
    validation_hours: int = 168,
    window_scale: str | None = "std",
    lstm_params: dict | None = None,
) -> dict:
    """Forecasts judged by the provisioning cost (the lab's Task 8) on one cell.

    The lab protocol's ``lstm`` (level-free 36-hour windows, ``(7, 3)``, scaled by
    their spread unless ``window_scale=None``) trained
    three ways on the same training part: squared error; squared error plus the
    constant safety margin that minimises the cost on a validation part (the
    ``validation_hours`` before the test gap, predicted by the same network fitted
    without them); and ``loss="provisioning"`` with ``alpha``, ``beta``. Demand and
    forecasts are in Gbit/s: the cell's busiest hour of the whole period is 1 Gbit/s
    (the lab's rescaling); capacity comes in ``step`` units.

    Parameters
    ----------
    series : pandas.Series
        Hourly values with a regular ``DatetimeIndex``.
    seed : int, default=0
        ``random_state`` of the networks.
    alpha, beta : float, default=1.0, 10.0
        Cost per Gbit/s-hour over / under.
    step : float or None, default=0.1
        Capacity granularity in Gbit/s.
    validation_hours : int, default=168
        Hours at the end of the training part on which the margin is chosen.
    window_scale : {'std', None}, default='std'
        ``scale`` of the three LSTMs: windows divided by their spread, so the
        forecast band narrows on quiet days.
    lstm_params : dict or None, default=None
        Overrides of the LSTM's parameters (e.g. fewer epochs).

    Returns
    -------
    result : dict
        ``forecasts`` (DataFrame on the test hours: ``demand`` and one column per
        forecast, Gbit/s), ``costs`` (DataFrame, one row per forecast: ``cost``,
        ``over``, ``under``), ``mse`` (Series, Gbit/s squared), ``margin``
        (Gbit/s) and ``factor`` (Gbit/s per activity unit).
    """
    from lstmforecast.metrics import provisioning_cost, scale_to_peak

    n_train = len(series) - TEST_HOURS
    scale = MinMaxScaler().fit(series.iloc[:n_train].to_frame())
    scaled = scale.transform(series.to_frame()).ravel()
    factor, _ = scale_to_peak(series.to_numpy(), peak=1.0)

    def to_gbit(values):
        unscaled = scale.inverse_transform(np.asarray(values).reshape(-1, 1))
        return unscaled.ravel() * factor

    X, y = make_windows(scaled, lookback=LOOKBACK)
    y = y[:, 0]
    n_windows = len(X)
    train_end = n_windows - TEST_HOURS - LOOKBACK  # gap of one lookback
    X_test = X[n_windows - TEST_HOURS :]
    params = {
        **_LSTM,
        "center": "last",
        "scale": window_scale,
        "random_state": seed,
        **(lstm_params or {}),
    }
    squared = LSTMRegressor(**params).fit(X[:train_end], y[:train_end])
    blocking = LSTMRegressor(
        **{**params, "loss": "provisioning", "alpha": alpha, "beta": beta}
    ).fit(X[:train_end], y[:train_end])

    # the margin: chosen on validation hours the network did not train on
    fit_end = train_end - validation_hours - LOOKBACK
    held_out = LSTMRegressor(**params).fit(X[:fit_end], y[:fit_end])
    val = slice(train_end - validation_hours, train_end)
    val_demand, val_pred = to_gbit(y[val]), to_gbit(held_out.predict(X[val]))
    margins = np.round(np.arange(-0.2, 0.5 + 1e-9, 0.0025), 4)
    val_costs = [
        provisioning_cost(
            val_demand, val_pred, alpha=alpha, beta=beta, step=step, margin=m
        )
        for m in margins
    ]
    margin = float(margins[int(np.argmin(val_costs))])

    demand = series.to_numpy()[n_train:] * factor
    lstm = to_gbit(squared.predict(X_test))
    forecasts = pd.DataFrame(
        {
            "demand": demand,
            "lstm (squared error)": lstm,
            f"lstm + margin {margin:.3f}": lstm + margin,
            f"lstm (provisioning {alpha:g}:{beta:g})": to_gbit(
                blocking.predict(X_test)
            ),
            "seasonal naive": series.to_numpy()[n_train - 24 : -24] * factor,
        },
        index=series.index[n_train:],
    )
    costs = {
        name: provisioning_cost(
            demand,
            forecasts[name],
            alpha=alpha,
            beta=beta,
            step=step,
            return_parts=True,
        )  # fmt: skip
        for name in forecasts.columns[1:]
    }
    return {
        "forecasts": forecasts,
        "costs": pd.DataFrame(costs).T[["cost", "over", "under"]],
        "mse": ((forecasts.iloc[:, 1:].sub(demand, axis=0)) ** 2).mean(),
        "margin": margin,
        "factor": factor,
    }
