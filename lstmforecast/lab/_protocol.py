"""The lab's protocol: its data, split, scaling, inputs, networks and scores.

One copy, used by ``lstmforecast lab`` (:func:`~lstmforecast.lab.run_lab`), the
slow accuracy tests and the benchmarks. A :class:`Split` cuts a cell's hourly
series into the training hours and the last ``test_days`` days, scales inputs and
target on the training part only and gives each model (``MODELS``) its inputs:

- ``mlp``: ``MLPRegressor((15, 10, 5), activation="sigmoid")`` on the lab's five
  features (day of week, hour, working day, the same hour of the previous week and
  day); the first week (no previous week) is skipped in fit.
- ``mlp_windows``: the same MLP on level-free windows of the previous ``lookback``
  hours (``center="last"``).
- ``lstm``: ``LSTMRegressor((7, 3), center="last")`` on the same windows, split in
  time order with a gap of one lookback.
- ``lstm_raw``: the same LSTM on the raw windows (the lab's literal setting).
- ``seasonal_naive``: the same hour of the previous day
  (:class:`~lstmforecast.regressors.SeasonalNaiveRegressor`, ``season=24``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import MinMaxScaler

from lstmforecast.datasets import (
    BUNDLED_CELLS,
    LAB_DAY_ONE,
    load_milano_cells,
    read_milano,
)
from lstmforecast.lab._config import MIN_TRAIN_DAYS, _is_int, resolve_config
from lstmforecast.preprocessing import (
    CalendarFeatures,
    HourlyAggregator,
    LagFeatures,
    SlidingWindow,
    make_windows,
)

__all__ = ["cost_protocol", "lab_series", "protocol_table", "run_protocol"]


MODELS = ("mlp", "mlp_windows", "lstm", "lstm_raw", "seasonal_naive")
# network, its parameters, and what it reads: the five features or the windows
_NETWORKS = {
    "mlp": ("mlp", {"center": None}, "features"),
    "mlp_windows": ("mlp", {"center": "last"}, "windows"),
    "lstm": ("lstm", {"center": "last"}, "windows"),
    "lstm_raw": ("lstm", {"center": None}, "windows"),
}
_SHAPES = {
    "mlp": {"hidden_size": (15, 10, 5), "activation": "sigmoid"},
    "lstm": {"hidden_size": (7, 3)},
}


def load_hourly(config, cells, log=print):
    """Hourly traffic of ``cells`` over the config's days; and where it came from."""
    first = LAB_DAY_ONE
    last = first + pd.Timedelta(days=config.days - 1)
    window = {"start": first.date(), "end": last.date()}
    slots, source = _read_slots(config, sorted(cells), window)
    log(f"  data: {source}; {len(slots):,} ten-minute slots")
    agg = HourlyAggregator(missing="zero", **window)
    hourly = agg.fit_transform(slots)
    if agg.n_missing_:
        log(f"  {agg.n_missing_} ten-minute slots have no line: counted as 0 activity")
    return hourly, f"{source}; {agg.n_missing_} missing slots counted as 0"


def _read_slots(config, cells, window):
    traffic = config.traffic
    if config.data_dir is None:
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
        slots = load_milano_cells(cells, types=traffic, **window)
        return slots, "bundled real data (ODbL 1.0)"
    folder = Path(config.data_dir)
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
    slots = read_milano(files, cells=cells, types=traffic, **window)
    absent = sorted(set(cells) - set(slots["cell"].unique()))
    if absent:
        raise ValueError(
            f"cell(s) {absent} have no rows in {str(folder)!r} for "
            f"{window['start']} - {window['end']}; check the cell ids."
        )
    return slots, f"{len(files)} file(s) in {folder}"


def lab_series(config=None, **overrides) -> pd.Series:
    """Return the hourly series the lab forecasts: ``cell``'s ``traffic``.

    The data of :func:`run_lab`'s task 1: the bundled real cells (or the raw files
    of ``data_dir``), ``days`` days from 1 November 2013, summed to hours (a
    ten-minute slot with no line counts as no activity).

    Parameters
    ----------
    config : LabConfig or None, default=None
        The lab's parameters; None uses the defaults.
    **overrides
        Fields of :class:`LabConfig` to change, e.g. ``cell=4159``.

    Returns
    -------
    series : pandas.Series
        Hourly values with a regular, Milan-time ``DatetimeIndex``.

    Examples
    --------
    >>> from lstmforecast.lab import lab_series
    >>> series = lab_series(cell=4159, days=14, test_days=3)
    >>> len(series), series.index[0].day_name()
    (336, 'Friday')
    """
    config = resolve_config(config, overrides)
    hourly, _ = load_hourly(config, [config.cell], log=lambda message: None)
    return hourly.loc[config.cell, config.traffic]


def _five_features():
    return FeatureUnion(
        [
            ("calendar", CalendarFeatures()),
            ("lags", LagFeatures(lags={"prev_week": "7D", "prev_day": "1D"})),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")


class Split:
    """A series cut in time order: the last ``test_days`` days are the test.

    Inputs and target are scaled to [0, 1] on the training hours only; the
    windows' training part ends one lookback before the test (a gap), so no
    training window reads a test hour. ``scaled=False`` gives the same inputs and
    target in the series' own units (the lab's task 4d).
    """

    def __init__(self, series: pd.Series, config):
        self.series = series
        self.lookback = config.lookback
        self.n_test = config.test_days * 24
        self.n_train = len(series) - self.n_test
        if self.n_train < 24 * MIN_TRAIN_DAYS:
            raise ValueError(
                f"series: {len(series)} hours leave {self.n_train} training hours "
                f"before the last {self.n_test} (test_days={config.test_days}); the "
                f"lab needs at least {24 * MIN_TRAIN_DAYS} (a week for the "
                "previous-week lag, then data to learn from)."
            )
        frame = series.to_frame("y")
        features = _five_features()
        self.raw_train = features.fit_transform(frame.iloc[: self.n_train])
        self.raw_test = features.transform(frame.iloc[self.n_train :])  # continues
        self.feature_scale = MinMaxScaler().fit(self.raw_train)
        self.target_scale = MinMaxScaler().fit(frame.iloc[: self.n_train])
        self.data_range = float(self.target_scale.data_range_[0])
        self.scaled = pd.Series(
            self.target_scale.transform(frame).ravel(), index=series.index, name="y"
        )

    def features(self, scaled=True):
        """Return the five features of the training and of the test hours."""
        if not scaled:
            return self.raw_train, self.raw_test
        return tuple(
            pd.DataFrame(
                self.feature_scale.transform(part),
                index=part.index,
                columns=part.columns,
            )
            for part in (self.raw_train, self.raw_test)
        )

    def target(self, scaled=True) -> pd.Series:
        """Return the target of every hour."""
        return self.scaled if scaled else self.series

    def windows(self, scaled=True):
        """Return windows of ``lookback`` hours, their next hours and the train end."""
        values = self.scaled if scaled else self.series.to_numpy()
        X, y = make_windows(values, lookback=self.lookback)
        return X, y, len(X) - self.n_test - self.lookback

    def inputs(self, name, scaled=True):
        """``X_fit, y_fit, X_test`` of network ``name`` (a key of ``_NETWORKS``)."""
        if _NETWORKS[name][2] == "features":
            train, test = self.features(scaled)
            y_fit = self.target(scaled).iloc[: self.n_train].to_numpy()
            return train.to_numpy(), y_fit, test.to_numpy()
        X, y, train_end = self.windows(scaled)
        return X[:train_end], y[:train_end, 0], X[len(X) - self.n_test :]

    def naive(self, scaled=True) -> np.ndarray:
        """Return the seasonal-naive forecast of the test hours (the day before)."""
        from lstmforecast.regressors import SeasonalNaiveRegressor

        # windows of the whole series in row order (each reads only earlier rows)
        values = self.target(scaled).to_numpy()
        windows = SlidingWindow(24).fit_transform(values[:, None])
        naive = SeasonalNaiveRegressor(season=24)
        naive.fit(windows[: self.n_train], values[: self.n_train])
        return naive.predict(windows[self.n_train :])

    def to_units(self, values) -> np.ndarray:
        """Return scaled values in the series' units."""
        values = np.asarray(values).reshape(-1, 1)
        return self.target_scale.inverse_transform(values).ravel()


def make_network(name, config, **params):
    """Return the unfitted network of model ``name``, seeded by the config."""
    from lstmforecast.regressors import LSTMRegressor, MLPRegressor

    kind, own, _ = _NETWORKS[name]
    classes = {"mlp": MLPRegressor, "lstm": LSTMRegressor}
    epochs = {"mlp": config.mlp_epochs, "lstm": config.lstm_epochs}
    return classes[kind](
        **{
            **_SHAPES[kind],
            **own,
            "batch_size": 32,
            "random_state": config.seed,
            "device": config.device,
            "n_threads": config.n_threads,
            "max_epochs": epochs[kind],
            **params,
        }
    )


def score(y_true, y_pred, data_range, *, in_units=False) -> dict:
    """MSE, RMSE, MAE, R² on the [0, 1] scale; MSE, RMSE, MAE in the series' units."""
    mse = mean_squared_error(y_true, y_pred)
    mae = mean_absolute_error(y_true, y_pred)
    r2 = float(r2_score(y_true, y_pred))
    if in_units:  # forecasts made in the series' units
        return {
            "mse": float(mse / data_range**2),
            "rmse": float(np.sqrt(mse) / data_range),
            "mae": float(mae / data_range),
            "r2": r2,
            "mse_units": float(mse),
            "rmse_units": float(np.sqrt(mse)),
            "mae_units": float(mae),
        }
    return {
        "mse": float(mse),
        "rmse": float(np.sqrt(mse)),
        "mae": float(mae),
        "r2": r2,
        "mse_units": float(mse * data_range**2),
        "rmse_units": float(np.sqrt(mse) * data_range),
        "mae_units": float(mae * data_range),
    }


def forecast(name, split, config, *, scaled=True, **params):
    """Fit model ``name`` on the training hours; return it and its test forecast."""
    if name == "seasonal_naive":
        return None, split.naive(scaled)
    X_fit, y_fit, X_test = split.inputs(name, scaled)
    model = make_network(name, config, **params).fit(X_fit, y_fit)
    return model, model.predict(X_test)


def run_protocol(series, config=None, *, models=MODELS, **overrides) -> pd.DataFrame:
    """Train the lab's networks on ``series``; score them on the test days.

    Parameters
    ----------
    series : pandas.Series
        Hourly values with a regular ``DatetimeIndex`` (e.g. :func:`lab_series`).
    config : LabConfig or None, default=None
        The lab's parameters (``test_days``, ``lookback``, the epochs, ``seed``...);
        None uses the defaults.
    models : sequence of str, default=MODELS
        Which models to run: ``'mlp'`` (the lab's five features),
        ``'mlp_windows'``, ``'lstm'``, ``'lstm_raw'``, ``'seasonal_naive'``.
    **overrides
        Fields of :class:`LabConfig` to change, e.g. ``seed=1``.

    Returns
    -------
    scores : pandas.DataFrame
        One row per model: ``mse``, ``rmse``, ``mae``, ``r2`` on the scaled
        target and ``mse_units``, ``rmse_units``, ``mae_units`` in the series'
        units, on the test hours.

    Examples
    --------
    >>> from lstmforecast.lab import lab_series, run_protocol
    >>> series = lab_series(days=14, test_days=3)
    >>> scores = run_protocol(series, days=14, test_days=3, lstm_epochs=1,
    ...                       models=("lstm", "seasonal_naive"))
    >>> scores.columns.tolist()
    ['mse', 'rmse', 'mae', 'r2', 'mse_units', 'rmse_units', 'mae_units']
    """
    config = resolve_config(config, overrides)
    unknown = sorted(set(models) - set(MODELS))
    if unknown:
        raise ValueError(f"models: unknown {unknown}; choose from {list(MODELS)}.")
    split = Split(series, config)
    y_test = split.scaled.iloc[split.n_train :].to_numpy()
    rows = {}
    for name in models:
        _, predicted = forecast(name, split, config)
        rows[name] = score(y_test, predicted, split.data_range)
    return pd.DataFrame(rows).T


def protocol_table(cells, seeds=(0, 1, 2), config=None, *, models=MODELS, **overrides):
    """Run :func:`run_protocol` per cell and seed; return the medians over seeds.

    Parameters
    ----------
    cells : iterable of int
        Cells (bundled ones, unless the config's ``data_dir`` holds others).
    seeds : iterable of int, default=(0, 1, 2)
        Seeds of the networks.
    config : LabConfig or None, default=None
        The lab's parameters; None uses the defaults (``days=51`` puts the test
        days before the holidays).
    models : sequence of str, default=MODELS
        Passed to :func:`run_protocol`.
    **overrides
        Fields of :class:`LabConfig` to change.

    Returns
    -------
    table : pandas.DataFrame
        Index ``(cell, model)``, the median of each metric over the seeds.

    Examples
    --------
    >>> from lstmforecast.lab import protocol_table
    >>> table = protocol_table([4159], seeds=[0], days=14, test_days=3,
    ...                        models=("seasonal_naive",))
    >>> table.index.tolist()
    [(4159, 'seasonal_naive')]
    """
    config = resolve_config(config, overrides)
    parts = []
    for cell in cells:
        series = lab_series(config, cell=cell)
        runs = [run_protocol(series, config, models=models, seed=s) for s in seeds]
        median = pd.concat(runs).groupby(level=0).median()
        parts.append(median.assign(cell=cell).set_index("cell", append=True))
    table = pd.concat(parts).swaplevel().sort_index()
    table.index.names = ["cell", "model"]
    return table


def cost_protocol(
    series, config=None, *, validation_hours=168, window_scale="std", **overrides
) -> dict:
    """Forecasts judged by the provisioning cost (the lab's Task 8) on one cell.

    The protocol's ``lstm`` (level-free windows, ``(7, 3)``, scaled by their
    spread unless ``window_scale=None``) trained three ways on the same training
    part: squared error; squared error plus the constant safety margin that
    minimises the cost on a validation part (the ``validation_hours`` before the
    test gap, predicted by the same network fitted without them); and
    ``loss="provisioning"`` with the config's ``alpha``, ``beta``. Demand and
    forecasts are in Gbit/s: the cell's busiest hour of the whole period is 1 Gbit/s
    (the lab's rescaling); capacity comes in ``step`` units.

    Parameters
    ----------
    series : pandas.Series
        Hourly values with a regular ``DatetimeIndex`` (e.g. :func:`lab_series`).
    config : LabConfig or None, default=None
        The lab's parameters (``alpha``, ``beta``, ``step``, ``lstm_epochs``,
        ``seed``...); None uses the defaults.
    validation_hours : int, default=168
        Hours at the end of the training part on which the margin is chosen.
    window_scale : {'std', None}, default='std'
        ``scale`` of the three LSTMs: windows divided by their spread, so the
        forecast band narrows on quiet days.
    **overrides
        Fields of :class:`LabConfig` to change, e.g. ``seed=1, step=None``.

    Returns
    -------
    result : dict
        ``forecasts`` (DataFrame on the test hours: ``demand`` and one column per
        forecast, Gbit/s), ``costs`` (DataFrame, one row per forecast: ``cost``,
        ``over``, ``under``), ``mse`` (Series, Gbit/s squared), ``margin``
        (Gbit/s) and ``factor`` (Gbit/s per activity unit).

    Examples
    --------
    >>> from lstmforecast.lab import cost_protocol, lab_series
    >>> series = lab_series(days=14, test_days=2)
    >>> result = cost_protocol(series, days=14, test_days=2, lstm_epochs=1,
    ...                        validation_hours=24)
    >>> result["costs"].columns.tolist()
    ['cost', 'over', 'under']
    """
    from lstmforecast.metrics import provisioning_cost, scale_to_peak

    config = resolve_config(config, overrides)
    split = Split(series, config)
    X, y, train_end = split.windows()
    y = y[:, 0]
    ok = _is_int(validation_hours, 1)
    fit_end = train_end - validation_hours - split.lookback if ok else 0  # a gap
    if fit_end < 1:
        raise ValueError(
            f"validation_hours: expected an integer >= 1 that leaves training "
            f"windows before it ({train_end} in all); got {validation_hours!r}."
        )
    factor, _ = scale_to_peak(series.to_numpy(), peak=1.0)

    def fitted(end, **params):
        lstm = make_network("lstm", config, scale=window_scale, **params)
        return lstm.fit(X[:end], y[:end])

    def to_gbit(values):
        return split.to_units(values) * factor

    squared = fitted(train_end)
    blocking = fitted(
        train_end,
        loss="provisioning",
        over_cost=config.alpha,
        under_cost=config.beta,
    )
    val = slice(train_end - validation_hours, train_end)  # unseen by held_out
    held_out = fitted(fit_end)
    margin = _best_margin(to_gbit(y[val]), to_gbit(held_out.predict(X[val])), config)
    X_test = X[len(X) - split.n_test :]
    demand = split.target(scaled=False).to_numpy()[split.n_train :] * factor
    lstm = to_gbit(squared.predict(X_test))
    a, b = config.alpha, config.beta
    forecasts = pd.DataFrame(
        {
            "demand": demand,
            "lstm (squared error)": lstm,
            f"lstm + margin {margin:.3f}": lstm + margin,
            f"lstm (provisioning {a:g}:{b:g})": to_gbit(blocking.predict(X_test)),
            "seasonal naive": split.naive(scaled=False) * factor,
        },
        index=series.index[split.n_train :],
    )
    costs = {
        name: provisioning_cost(
            demand,
            forecasts[name],
            alpha=a,
            beta=b,
            step=config.step,
            return_parts=True,
        )
        for name in forecasts.columns[1:]
    }
    return {
        "forecasts": forecasts,
        "costs": pd.DataFrame(costs).T[["cost", "over", "under"]],
        "mse": ((forecasts.iloc[:, 1:].sub(demand, axis=0)) ** 2).mean(),
        "margin": margin,
        "factor": factor,
    }


def _best_margin(demand, predicted, config) -> float:
    """Return the constant margin (Gbit/s) that costs least on validation hours."""
    from lstmforecast.metrics import provisioning_cost

    margins = np.round(np.arange(-0.2, 0.5 + 1e-9, 0.0025), 4)
    costs = [
        provisioning_cost(
            demand,
            predicted,
            alpha=config.alpha,
            beta=config.beta,
            step=config.step,
            margin=m,
        )
        for m in margins
    ]
    return float(margins[int(np.argmin(costs))])
