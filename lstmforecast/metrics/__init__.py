"""The provisioning cost of a forecast, its report, and errors by horizon step."""

from lstmforecast.metrics._horizon import horizon_report, seasonal_naive_forecast
from lstmforecast.metrics._provisioning import (
    make_provisioning_scorer,
    provisioning_cost,
)
from lstmforecast.metrics._report import provisioning_report, scale_to_peak

__all__ = [
    "horizon_report",
    "make_provisioning_scorer",
    "provisioning_cost",
    "provisioning_report",
    "scale_to_peak",
    "seasonal_naive_forecast",
]
