"""Hourly traffic traces, one panel per series."""

from __future__ import annotations

import pandas as pd

__all__ = ["TrafficTraceDisplay"]


def _check_matplotlib():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "Plotting needs matplotlib: pip install 'lstmforecast[plot]'."
        ) from exc
    return plt


class TrafficTraceDisplay:
    """Traffic traces, one panel per series.

    Build it with :meth:`from_frame` from the output of
    :class:`~lstmforecast.preprocessing.HourlyAggregator`, then draw it with
    :meth:`plot` (``from_frame`` draws at once).

    Parameters
    ----------
    series : dict of str to pandas.Series
        Panel title to series with a ``DatetimeIndex``.
    ylabel : str, default='activity'
        Label of the y axes.

    Attributes
    ----------
    figure_ : matplotlib.figure.Figure
        The figure, after :meth:`plot`.
    axes_ : ndarray of matplotlib.axes.Axes
        One per series.
    lines_ : list of matplotlib.lines.Line2D
        The traces.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from lstmforecast.datasets import load_milano_cells
    >>> from lstmforecast.preprocessing import HourlyAggregator
    >>> from lstmforecast.plotting import TrafficTraceDisplay
    >>> hourly = HourlyAggregator().fit_transform(load_milano_cells(end="2013-11-07"))
    >>> display = TrafficTraceDisplay.from_frame(hourly, column="internet")
    >>> len(display.axes_)
    3
    """

    def __init__(self, series, *, ylabel="activity"):
        self.series = series
        self.ylabel = ylabel

    @classmethod
    def from_frame(cls, frame, *, column=None, ylabel=None, ax=None):
        """Draw each cell's trace of ``column`` from an hourly frame.

        Parameters
        ----------
        frame : pandas.DataFrame
            Index ``(cell, time)`` or a ``DatetimeIndex``.
        column : str or None, default=None
            Column to draw; None takes the first.
        ylabel : str or None, default=None
            Label of the y axes; None uses ``column``.
        ax : array of matplotlib Axes or None, default=None
            Axes to draw on, one per series; None makes a new figure.

        Returns
        -------
        display : TrafficTraceDisplay
            The drawn display.
        """
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(
                "TrafficTraceDisplay.from_frame needs a DataFrame (the output of "
                f"HourlyAggregator); got {type(frame).__name__}."
            )
        column = frame.columns[0] if column is None else column
        if column not in frame.columns:
            raise ValueError(
                f"Column {column!r} is not in the frame; it has {list(frame.columns)}."
            )
        if isinstance(frame.index, pd.MultiIndex):
            series = {
                f"cell {cell}": part.droplevel(0)
                for cell, part in frame[column].groupby(level=0)
            }
        else:
            series = {str(column): frame[column]}
        return cls(series, ylabel=ylabel or str(column)).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the traces.

        Parameters
        ----------
        ax : array of matplotlib Axes or None, default=None
            One Axes per series; None makes a new figure.

        Returns
        -------
        self : TrafficTraceDisplay
            With ``figure_``, ``axes_`` and ``lines_`` set.
        """
        plt = _check_matplotlib()
        import numpy as np

        n = len(self.series)
        if ax is None:
            fig, ax = plt.subplots(
                n, 1, figsize=(11, 2.4 * n), sharex=True, squeeze=False
            )
            ax = ax[:, 0]
        ax = np.atleast_1d(ax)
        if len(ax) != n:
            raise ValueError(
                f"'ax' must hold one Axes per series ({n}); got {len(ax)}. Pass one "
                "per series, or None for a new figure."
            )
        self.lines_ = []
        for axis, (title, values) in zip(ax, self.series.items(), strict=True):
            (line,) = axis.plot(values.index, values.to_numpy(), lw=0.7)
            self.lines_.append(line)
            axis.set_title(title, loc="left", fontsize=10)
            axis.set_ylabel(self.ylabel)
            axis.grid(True, alpha=0.3)
        self.axes_ = ax
        self.figure_ = ax[0].figure
        self.figure_.autofmt_xdate()
        return self
