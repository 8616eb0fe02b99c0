"""Table-level and row-preserving transformers for hourly time series."""

from lstmforecast.preprocessing._aggregate import HourlyAggregator
from lstmforecast.preprocessing._calendar import CalendarFeatures
from lstmforecast.preprocessing._lags import LagFeatures
from lstmforecast.preprocessing._lazy import WindowArray
from lstmforecast.preprocessing._panel import (
    UnevenPanelWarning,
    forecast_frame,
    make_horizon_targets,
)
from lstmforecast.preprocessing._range import RangeScaler
from lstmforecast.preprocessing._windows import (
    SlidingWindow,
    make_windows,
    time_train_test_split,
)
from lstmforecast.preprocessing._windows import (  # deprecated name, not in __all__
    temporal_train_test_split as temporal_train_test_split,
)

__all__ = [
    "CalendarFeatures",
    "HourlyAggregator",
    "LagFeatures",
    "RangeScaler",
    "SlidingWindow",
    "UnevenPanelWarning",
    "WindowArray",
    "forecast_frame",
    "make_horizon_targets",
    "make_windows",
    "time_train_test_split",
]
