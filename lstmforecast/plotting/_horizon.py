"""Error by horizon step: MSE and provisioning cost, model against the naive."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lstmforecast.plotting._traces import _check_matplotlib

__all__ = ["HorizonErrorDisplay"]


def _span(values) -> str:
    """Format a per-step column as 'a at h1, b at hH', or its only value."""
    values = np.asarray(values, dtype=float)
    text = [f"{v:.3g}" for v in values[[0, -1]]]
    if len(values) == 1:
        return text[0]
    return f"{text[0]} at h1, {text[1]} at h{len(values)}"


def _cost_title(cost_params: dict) -> str:
    """Title of the cost panel, with the prices it was computed at."""
    if not cost_params:
        return "provisioning cost"
    prices = f"alpha={cost_params['alpha']:g}, beta={cost_params['beta']:g}"
    if cost_params.get("step") is not None:
        prices += f", capacity steps of {cost_params['step']:g}"
    return f"provisioning cost ({prices})"


class HorizonErrorDisplay:
    """MSE and provisioning cost of a multi-step forecast at each horizon step.

    Two panels against the step ``h = 1 .. H``: the mean squared error and the
    provisioning cost per hour (see :func:`~lstmforecast.metrics.horizon_report`),
    the model as a solid line and, when the report has one, the seasonal naive
    dashed. The title says how the model compares with the naive (the ratios at
    the first and last steps, and at how many steps it is cheaper).

    Build it with :meth:`from_predictions` or :meth:`from_report` (which draw at
    once), or from a report and call :meth:`plot`.

    Parameters
    ----------
    report : pandas.DataFrame or dict of str to DataFrame
        The output of :func:`~lstmforecast.metrics.horizon_report`: one row per
        step, columns ``mse``, ``cost``, ``n`` and optionally ``naive_mse``,
        ``naive_cost``; or several such reports by model name (for instance the
        MIMO, direct and recursive strategies), drawn side by side with the
        naive of the first.
    name : str, default='model'
        Label of the forecast (of a single report).
    naive_name : str, default='seasonal naive'
        Label of the reference forecast.
    units : str or None, default=None
        Units of the target (e.g. ``'Gbit/s'``), for the MSE axis (units
        squared); None leaves the label unitless.

    Attributes
    ----------
    figure_ : matplotlib.figure.Figure
        The figure, after :meth:`plot`.
    axes_ : ndarray of 2 matplotlib.axes.Axes
        The MSE panel and the cost panel.
    lines_ : dict of str to matplotlib.lines.Line2D
        The curves, by report column: ``'mse'``, ``'cost'`` and, with a naive,
        ``'naive_mse'``, ``'naive_cost'``; with several reports the model
        curves are ``'{name}/mse'`` and ``'{name}/cost'``.
    title_ : str
        The figure's title, computed from the report.

    See Also
    --------
    lstmforecast.metrics.horizon_report : The numbers drawn.
    lstmforecast.metrics.seasonal_naive_forecast : The reference forecast.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from lstmforecast.plotting import HorizonErrorDisplay
    >>> rng = np.random.default_rng(0)
    >>> y_true = rng.uniform(1, 3, size=(50, 3))
    >>> y_pred = y_true + rng.normal(0, 0.1, size=(50, 3)) * [1, 2, 3]
    >>> y_naive = y_true + rng.normal(0, 0.5, size=(50, 3))
    >>> display = HorizonErrorDisplay.from_predictions(
    ...     y_true, y_pred, y_naive=y_naive, name="lstm", alpha=1, beta=10
    ... )
    >>> sorted(display.lines_)
    ['cost', 'mse', 'naive_cost', 'naive_mse']
    >>> print(display.title_)
    lstm vs seasonal naive over 3 steps (50 rows per step)
    MSE / naive: 0.0367 at h1, 0.48 at h3; cost / naive: 0.19 at h1, 0.966 at h3; ...
    """

    required = ("mse", "cost", "n")

    def __init__(
        self, report, *, name="model", naive_name="seasonal naive", units=None
    ):
        self.report = report
        self.name = name
        self.naive_name = naive_name
        self.units = units

    @classmethod
    def from_report(
        cls, report, *, name="model", naive_name="seasonal naive", units=None, ax=None
    ):
        """Draw a report of :func:`~lstmforecast.metrics.horizon_report`.

        Parameters
        ----------
        report : pandas.DataFrame
            One row per horizon step, as returned by ``horizon_report``.
        name : str, default='model'
            Label of the forecast.
        naive_name : str, default='seasonal naive'
            Label of the reference forecast.
        units : str or None, default=None
            Units of the target, for the MSE axis.
        ax : array of 2 matplotlib Axes or None, default=None
            Axes to draw on (MSE, cost); None makes a new figure.

        Returns
        -------
        display : HorizonErrorDisplay
            The drawn display.
        """
        for one in report.values() if isinstance(report, dict) else [report]:
            framed = isinstance(one, pd.DataFrame)
            columns = list(one.columns) if framed else []
            missing = [c for c in cls.required if c not in columns]
            if missing or not framed or len(one) == 0:
                got = (
                    f"columns {columns} and {len(one)} rows"
                    if framed
                    else f"a {type(one).__name__}"
                )
                raise ValueError(
                    f"'report' must be the DataFrame returned by horizon_report (one "
                    f"row per step, columns {list(cls.required)}), or a dict of "
                    f"them; got {got}. Pass "
                    "horizon_report(y_true, y_pred, y_naive=...)."
                )
        display = cls(report, name=name, naive_name=naive_name, units=units)
        return display.plot(ax=ax)

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_pred,
        *,
        y_naive=None,
        name="model",
        naive_name="seasonal naive",
        units=None,
        ax=None,
        **cost_params,
    ):
        """Score a multi-step forecast step by step and draw it.

        Parameters
        ----------
        y_true : array-like of shape (n_samples, horizon)
            Targets; NaN where the value is not in the data (left out).
        y_pred : array-like of the same shape, or dict of str to array-like
            The model's forecasts, or several models' by name.
        y_naive : array-like of the same shape or None, default=None
            A reference forecast, e.g. from
            :func:`~lstmforecast.metrics.seasonal_naive_forecast`.
        name : str, default='model'
            Label of the forecast.
        naive_name : str, default='seasonal naive'
            Label of the reference forecast.
        units : str or None, default=None
            Units of the target, for the MSE axis.
        ax : array of 2 matplotlib Axes or None, default=None
            Axes to draw on (MSE, cost); None makes a new figure.
        **cost_params : dict
            ``alpha``, ``beta``, ``step``, ``policy``, ``margin``,
            ``relative_margin``: passed to
            :func:`~lstmforecast.metrics.horizon_report`.

        Returns
        -------
        display : HorizonErrorDisplay
            The drawn display.
        """
        from lstmforecast.metrics import horizon_report

        if isinstance(y_pred, dict):
            report = {
                key: horizon_report(y_true, pred, y_naive=y_naive, **cost_params)
                for key, pred in y_pred.items()
            }
        else:
            report = horizon_report(y_true, y_pred, y_naive=y_naive, **cost_params)
        return cls.from_report(
            report, name=name, naive_name=naive_name, units=units, ax=ax
        )

    def _reports(self) -> dict:
        """Return the reports by model name (one, or those of a dict)."""
        if isinstance(self.report, dict):
            return dict(self.report)
        return {self.name: self.report}

    def _title(self) -> str:
        if isinstance(self.report, dict):
            return self._several_title()
        report, steps = self.report, len(self.report)
        over = f"over {steps} step{'s' if steps > 1 else ''}"
        n = report["n"].to_numpy()
        rows = f"{n.min()}" if n.min() == n.max() else f"{n.min()}-{n.max()}"
        if "naive_mse" not in report:
            return (
                f"{self.name} {over} ({rows} rows per step)\n"
                f"MSE {_span(report['mse'])}; cost {_span(report['cost'])}"
            )
        mse_ratio = report["mse"] / report["naive_mse"]
        cost_ratio = report["cost"] / report["naive_cost"]
        cheaper = int((report["cost"] < report["naive_cost"]).sum())
        return (
            f"{self.name} vs {self.naive_name} {over} ({rows} rows per "
            f"step)\nMSE / naive: {_span(mse_ratio)}; cost / naive: "
            f"{_span(cost_ratio)}; cheaper at {cheaper} of {steps} steps"
        )

    def _several_title(self) -> str:
        reports = self._reports()
        first = next(iter(reports.values()))
        steps, n = len(first), first["n"].to_numpy()
        rows = f"{n.min()}" if n.min() == n.max() else f"{n.min()}-{n.max()}"
        head = f"{', '.join(reports)} over {steps} steps ({rows} rows per step)"
        if "naive_cost" not in first:
            return head
        parts = [
            f"{key} {_span(r['cost'] / r['naive_cost'])}" for key, r in reports.items()
        ]
        return f"{head}\ncost / {self.naive_name}: " + "; ".join(parts)

    def plot(self, ax=None):
        """Draw the MSE and the cost against the horizon step.

        Parameters
        ----------
        ax : array of 2 matplotlib Axes or None, default=None
            Axes to draw on (MSE, cost); None makes a new figure.

        Returns
        -------
        self : HorizonErrorDisplay
            With ``figure_``, ``axes_``, ``lines_`` and ``title_`` set.
        """
        plt = _check_matplotlib()
        from matplotlib.ticker import MaxNLocator

        if ax is None:
            _, ax = plt.subplots(1, 2, figsize=(11, 4.0))
        ax = np.atleast_1d(ax)
        if len(ax) != 2:
            raise ValueError(
                f"'ax' must be 2 Axes (MSE, cost); got {len(ax)}. Pass "
                "plt.subplots(1, 2)[1], or None for a new figure."
            )
        reports = self._reports()
        first = next(iter(reports.values()))
        steps = first.index.to_numpy()
        squared = f" ({self.units})²" if self.units else ""
        panels = (("mse", f"MSE{squared}"), ("cost", "cost per hour"))
        several = isinstance(self.report, dict)
        self.lines_ = {}
        for axis, (column, ylabel) in zip(ax, panels, strict=True):
            for k, (key, report) in enumerate(reports.items()):
                (self.lines_[f"{key}/{column}" if several else column],) = axis.plot(
                    report.index.to_numpy(), report[column], marker="o", ms=3.5,
                    lw=1.6, color=f"C{k}", label=key,
                )  # fmt: skip
            if f"naive_{column}" in first:
                (self.lines_[f"naive_{column}"],) = axis.plot(
                    steps, first[f"naive_{column}"], marker="s", ms=3, lw=1.2,
                    ls="--", color="0.45", label=self.naive_name,
                )  # fmt: skip
            axis.set_xlabel("horizon step h (steps after the last known value)")
            axis.set_ylabel(ylabel)
            axis.set_ylim(bottom=0)
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
            axis.grid(True, alpha=0.3)
            axis.legend(loc="upper left", fontsize=8)
        ax[0].set_title("mean squared error", fontsize=10)
        ax[1].set_title(_cost_title(self._cost_params()), fontsize=10)
        self.title_ = self._title()
        self.figure_ = ax[0].figure
        self.figure_.suptitle(self.title_, fontsize=10)
        self.axes_ = ax
        self.figure_.tight_layout()
        return self

    def _cost_params(self) -> dict:
        first = next(iter(self._reports().values()))
        return dict(getattr(first, "attrs", {}).get("cost_params", {}))
