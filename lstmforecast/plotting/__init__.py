"""Plots of traffic, forecasts and provisioning (matplotlib loads only to draw)."""

from lstmforecast.plotting._attention import AttentionDisplay
from lstmforecast.plotting._horizon import HorizonErrorDisplay
from lstmforecast.plotting._provisioning import (
    CapacityDisplay,
    CostSurfaceDisplay,
    ProvisioningReportDisplay,
)
from lstmforecast.plotting._structure import NetworkDisplay
from lstmforecast.plotting._traces import TrafficTraceDisplay

__all__ = [
    "AttentionDisplay",
    "CapacityDisplay",
    "CostSurfaceDisplay",
    "HorizonErrorDisplay",
    "NetworkDisplay",
    "ProvisioningReportDisplay",
    "TrafficTraceDisplay",
]
