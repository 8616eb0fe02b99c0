"""Plots of traffic and forecasts; matplotlib is imported only when drawing."""

from lstmforecast.plotting._traces import TrafficTraceDisplay

__all__ = ["TrafficTraceDisplay"]
