"""The provisioning cost: what a forecast costs an operator that allocates from it."""

from lstmforecast.metrics._provisioning import (
    make_provisioning_scorer,
    provisioning_cost,
)
from lstmforecast.metrics._report import provisioning_report, scale_to_peak

__all__ = [
    "make_provisioning_scorer",
    "provisioning_cost",
    "provisioning_report",
    "scale_to_peak",
]
