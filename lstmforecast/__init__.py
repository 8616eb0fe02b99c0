"""lstmforecast: hourly forecasting with LSTM and MLP networks as sklearn estimators.

The subpackages:

- :mod:`lstmforecast.datasets`: readers for the Milano GRID files, the bundled real
  cells, a synthetic generator;
- :mod:`lstmforecast.preprocessing`: :class:`HourlyAggregator` (table level) and
  the row-preserving :class:`CalendarFeatures`, :class:`LagFeatures`,
  :class:`SlidingWindow`, with :func:`make_windows` for the lab's route;
- :mod:`lstmforecast.regressors`: :class:`LSTMRegressor`, :class:`MLPRegressor`;
- :mod:`lstmforecast.nn`: the pure torch modules and losses behind them;
- :mod:`lstmforecast.metrics`: :func:`provisioning_cost` and its scorer.

Plotting and sktime are never imported here.
"""

from importlib.metadata import PackageNotFoundError, version

from lstmforecast import datasets, metrics, nn, preprocessing, regressors
from lstmforecast.datasets import (
    load_dataset,
    load_milano_cells,
    load_milano_totals,
    make_milano_traffic,
    read_milano,
)
from lstmforecast.metrics import make_provisioning_scorer, provisioning_cost
from lstmforecast.preprocessing import (
    CalendarFeatures,
    HourlyAggregator,
    LagFeatures,
    SlidingWindow,
    make_windows,
    temporal_train_test_split,
)
from lstmforecast.regressors import LSTMRegressor, MLPRegressor

try:
    __version__ = version("lstmforecast")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "CalendarFeatures",
    "HourlyAggregator",
    "LSTMRegressor",
    "LagFeatures",
    "MLPRegressor",
    "SlidingWindow",
    "__version__",
    "datasets",
    "load_dataset",
    "load_milano_cells",
    "load_milano_totals",
    "make_milano_traffic",
    "make_provisioning_scorer",
    "make_windows",
    "metrics",
    "nn",
    "preprocessing",
    "provisioning_cost",
    "read_milano",
    "regressors",
    "temporal_train_test_split",
]
