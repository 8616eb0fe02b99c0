"""lstmforecast: hourly forecasting with LSTM and MLP networks as sklearn estimators.

The subpackages:

- :mod:`lstmforecast.datasets`: readers for the Milano GRID files, the bundled real
  cells, a synthetic generator;
- :mod:`lstmforecast.preprocessing`: :class:`HourlyAggregator` (table level) and
  the row-preserving :class:`CalendarFeatures`, :class:`LagFeatures`,
  :class:`SlidingWindow`, with :func:`make_windows` for the lab's route;
- :mod:`lstmforecast.regressors`: :class:`LSTMRegressor`, :class:`MLPRegressor`,
  the multi-step :class:`DirectRegressor`, :class:`RecursiveRegressor`, and
  :class:`FleetRegressor` (one network per series of a panel, in one fit);
- :mod:`lstmforecast.nn`: the pure torch modules and losses behind them;
- :mod:`lstmforecast.model_selection`: :class:`PanelTimeSeriesSplit`, which cuts
  every series of a panel at the same instants;
- :mod:`lstmforecast.metrics`: :func:`provisioning_cost` and its scorer,
  :func:`horizon_report` and :func:`seasonal_naive_forecast` for horizons;
- :mod:`lstmforecast.lab`: the Milano lab (:func:`run_lab`, its
  :class:`LabConfig` and protocol) and the lab's table, :func:`load_dataset`.

Plotting and sktime are never imported here, and torch / skorch only when the
networks are first used (``lstmforecast.LSTMRegressor``, ``lstmforecast.nn``...), so
the data layer and the command line start fast.
"""

import importlib
from importlib.metadata import PackageNotFoundError, version

from lstmforecast import datasets, metrics, model_selection, preprocessing
from lstmforecast.datasets import (
    load_milano_cells,
    load_milano_totals,
    make_milano_traffic,
    read_milano,
)
from lstmforecast.lab import load_dataset
from lstmforecast.metrics import make_provisioning_scorer, provisioning_cost
from lstmforecast.model_selection import PanelTimeSeriesSplit
from lstmforecast.preprocessing import (
    CalendarFeatures,
    HourlyAggregator,
    LagFeatures,
    SlidingWindow,
    make_horizon_targets,
    make_windows,
    time_train_test_split,
)
from lstmforecast.preprocessing import (  # deprecated name, not in __all__
    temporal_train_test_split as temporal_train_test_split,
)

try:
    __version__ = version("lstmforecast")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "CalendarFeatures",
    "DirectRegressor",
    "FleetRegressor",
    "HourlyAggregator",
    "LSTMRegressor",
    "LagFeatures",
    "MLPRegressor",
    "PanelTimeSeriesSplit",
    "RecursiveRegressor",
    "SlidingWindow",
    "__version__",
    "datasets",
    "load_dataset",
    "load_milano_cells",
    "load_milano_totals",
    "make_horizon_targets",
    "make_milano_traffic",
    "make_provisioning_scorer",
    "make_windows",
    "metrics",
    "model_selection",
    "nn",
    "preprocessing",
    "provisioning_cost",
    "read_milano",
    "regressors",
    "time_train_test_split",
]

# Names that need torch, imported on first use (PEP 562).
_LAZY = {
    "nn": ("lstmforecast.nn", None),
    "regressors": ("lstmforecast.regressors", None),
    "LSTMRegressor": ("lstmforecast.regressors", "LSTMRegressor"),
    "MLPRegressor": ("lstmforecast.regressors", "MLPRegressor"),
    "DirectRegressor": ("lstmforecast.regressors", "DirectRegressor"),
    "FleetRegressor": ("lstmforecast.regressors", "FleetRegressor"),
    "RecursiveRegressor": ("lstmforecast.regressors", "RecursiveRegressor"),
}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'lstmforecast' has no attribute {name!r}")
    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
