"""The lab's evaluation protocol on one cell: LSTM, MLP and the seasonal-naive baseline.

Hourly internet traffic of 61 days (1 November - 31 December 2013); the last 240
hours (10 days) are the test set; inputs and target are scaled to [0, 1] on the
training part only.

- LSTM: windows of the previous 36 hours (``make_windows``), split in time order
  with a gap of one lookback, ``LSTMRegressor((7, 3))``, 50 epochs, batch 32.
- MLP: the lab's five features (day of week, hour, working day, same hour of the
  previous week and day), ``MLPRegressor((15, 10, 5), activation="sigmoid")``,
  500 epochs, batch 32; the first week (no previous week) is skipped in fit.
- Seasonal naive: the same hour of the previous day.

The metrics are computed on the scaled target and in original units. Used by
``benchmarks/bench_lab_accuracy.py`` and the slow accuracy test; the ``lstmforecast
lab`` command will build on it.
"""

from __future__ import annotations

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
    lstm_params: dict | None = None,
    mlp_params: dict | None = None,
) -> pd.DataFrame:
    """Train both networks on ``series`` with the lab's protocol; score the test set.

    Parameters
    ----------
    series : pandas.Series
        Hourly values with a regular ``DatetimeIndex``.
    seed : int, default=0
        ``random_state`` of both networks.
    lstm_params, mlp_params : dict or None, default=None
        Overrides of the networks' parameters (e.g. fewer epochs).

    Returns
    -------
    scores : pandas.DataFrame
        One row per model (``lstm``, ``mlp``, ``seasonal_naive``): ``mse``, ``mae``,
        ``r2`` on the scaled target and ``mse_units``, ``mae_units`` in the
        series' units, all on the last ``TEST_HOURS`` hours.
    """
    n_train = len(series) - TEST_HOURS
    scale = MinMaxScaler().fit(series.iloc[:n_train].to_frame())
    scaled = pd.Series(
        scale.transform(series.to_frame()).ravel(), index=series.index, name="y"
    )
    y_test = scaled.iloc[n_train:].to_numpy()
    rows = {}

    # LSTM on windows of the previous 36 hours; targets are the next hour.
    X, y = make_windows(scaled, lookback=LOOKBACK)
    n_windows = len(X)
    n_test = TEST_HOURS
    train_end = n_windows - n_test - LOOKBACK  # gap of one lookback
    lstm_defaults = {"hidden_size": (7, 3), "max_epochs": 50, "batch_size": 32}
    lstm = LSTMRegressor(
        **{**lstm_defaults, "random_state": seed, **(lstm_params or {})}
    )
    lstm.fit(X[:train_end], y[:train_end, 0])
    rows["lstm"] = _metrics(y_test, lstm.predict(X[n_windows - n_test :]), scale)

    # MLP on the lab's five features, scaled on the training part only.
    features = FeatureUnion(
        [
            ("calendar", CalendarFeatures()),
            ("lags", LagFeatures(lags={"prev_week": "7D", "prev_day": "1D"})),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    frame = scaled.to_frame()
    train_features = features.fit_transform(frame.iloc[:n_train])
    test_features = features.transform(frame.iloc[n_train:])  # continues the fit
    feature_scale = MinMaxScaler().fit(train_features)
    mlp_defaults = {
        "hidden_size": (15, 10, 5),
        "activation": "sigmoid",
        "max_epochs": 500,
        "batch_size": 32,
    }
    mlp = MLPRegressor(**{**mlp_defaults, "random_state": seed, **(mlp_params or {})})
    mlp.fit(feature_scale.transform(train_features), scaled.iloc[:n_train])
    rows["mlp"] = _metrics(
        y_test, mlp.predict(feature_scale.transform(test_features)), scale
    )

    # Seasonal naive: the same hour of the previous day.
    naive = scaled.shift(24).iloc[n_train:].to_numpy()
    rows["seasonal_naive"] = _metrics(y_test, naive, scale)
    return pd.DataFrame(rows).T


def protocol_table(cells, seeds=(0, 1, 2), **kwargs) -> pd.DataFrame:
    """Run :func:`run_protocol` per cell and seed; return the medians over seeds.

    Parameters
    ----------
    cells : iterable of int
        Bundled cells.
    seeds : iterable of int, default=(0, 1, 2)
        Seeds of the networks.
    **kwargs
        Passed to :func:`run_protocol`.

    Returns
    -------
    table : pandas.DataFrame
        Index ``(cell, model)``, the median of each metric over the seeds.
    """
    parts = []
    for cell in cells:
        series = lab_series(cell)
        runs = [run_protocol(series, seed=s, **kwargs) for s in seeds]
        median = pd.concat(runs).groupby(level=0).median()
        parts.append(median.assign(cell=cell).set_index("cell", append=True))
    table = pd.concat(parts).swaplevel().sort_index()
    table.index.names = ["cell", "model"]
    return table
