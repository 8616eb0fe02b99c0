"""Table-level and row-preserving transformers for hourly time series."""

from lstmforecast.preprocessing._aggregate import HourlyAggregator

__all__ = ["HourlyAggregator"]
