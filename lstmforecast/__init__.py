"""lstmforecast: hourly forecasting with LSTM and MLP networks as sklearn estimators.

The subpackages:

- :mod:`lstmforecast.datasets`: readers for the Milano GRID files, the bundled real
  cells, a synthetic generator;
- :mod:`lstmforecast.preprocessing`: :class:`HourlyAggregator` and (soon) the
  calendar, lag and window transformers.

Plotting and sktime are never imported here.
"""

from importlib.metadata import PackageNotFoundError, version

from lstmforecast import datasets, preprocessing
from lstmforecast.datasets import (
    load_dataset,
    load_milano_cells,
    load_milano_totals,
    make_milano_traffic,
    read_milano,
)
from lstmforecast.preprocessing import HourlyAggregator

try:
    __version__ = version("lstmforecast")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "HourlyAggregator",
    "__version__",
    "datasets",
    "load_dataset",
    "load_milano_cells",
    "load_milano_totals",
    "make_milano_traffic",
    "preprocessing",
    "read_milano",
]
