"""Plots of the provisioning cost: cost surface, capacity over time, the report."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lstmforecast.datasets._schema import as_written
from lstmforecast.metrics._provisioning import _capacity, check_cost_params
from lstmforecast.metrics._report import _finite_1d
from lstmforecast.plotting._traces import _check_matplotlib

__all__ = ["CapacityDisplay", "CostSurfaceDisplay", "ProvisioningReportDisplay"]


def _grid(values, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or len(arr) < 2 or not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(
            f"'{name}' must be a 1-D grid of at least 2 finite values >= 0; got "
            f"{as_written(values)}."
        )
    return arr


def _forecast_dict(forecasts) -> dict:
    if isinstance(forecasts, dict):
        if not forecasts:
            raise ValueError("'forecasts' is empty: give at least one forecast.")
        return {str(k): v for k, v in forecasts.items()}
    return {"forecast": forecasts}


class CostSurfaceDisplay:
    """Provisioning cost of forecasts over a grid of ``(alpha, beta)``.

    The lab's Task 8 picture: the mean cost per hour ``alpha * over + beta *
    under`` of each forecast, as a 3-D surface and as heat maps, plus (for several
    forecasts) a map of which forecast is cheapest where. ``over`` and ``under``
    do not depend on the prices, so each surface is a plane; the map shows where
    the planes cross.

    Build it with :meth:`from_predictions` (which draws at once) or from
    precomputed parts and call :meth:`plot`.

    Parameters
    ----------
    alphas, betas : ndarray of shape (n_alphas,), (n_betas,)
        The grid: over- and under-provisioning cost per unit.
    over, under : dict of str to float
        Mean over- / under-provisioned units per hour of each forecast.
    units : str, default='capacity units'
        What the demand is measured in (``'Gbit/s'``): the prices are per unit
        and hour, and the axes say so.
    title : str or None, default=None
        Figure title; None says what is drawn.

    Attributes
    ----------
    costs_ : dict of str to ndarray of shape (n_betas, n_alphas)
        Cost of each forecast on the grid.
    cheapest_ : ndarray of shape (n_betas, n_alphas)
        Index (in ``costs_`` order) of the cheapest forecast at each point.
    figure_ : matplotlib.figure.Figure
        The figure, after :meth:`plot`.
    axes_ : list of matplotlib.axes.Axes
        The panels drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from lstmforecast.plotting import CostSurfaceDisplay
    >>> demand = [0.2, 0.9, 2.4, 1.1]
    >>> display = CostSurfaceDisplay.from_predictions(
    ...     demand, {"low": [0.1, 0.8, 2.0, 1.0], "high": [0.6, 1.3, 2.9, 1.5]},
    ...     alphas=[1, 2, 3], betas=[1, 5, 10], step=None,
    ... )
    >>> display.costs_["high"].shape
    (3, 3)
    >>> len(display.axes_)  # 3-D surfaces, two heat maps, the cheapest-forecast map
    4
    >>> display.figure_.get_suptitle()
    'Provisioning cost per hour of 2 forecasts over 4 hours (exact capacity)'
    """

    def __init__(
        self, alphas, betas, over, under, *, units="capacity units", title=None
    ):
        self.alphas = alphas
        self.betas = betas
        self.over = over
        self.under = under
        self.units = units
        self.title = title

    @classmethod
    def from_predictions(
        cls,
        y_true,
        forecasts,
        *,
        alphas=None,
        betas=None,
        step=1.0,
        policy="ceil",
        kind="both",
        units="capacity units",
        title=None,
        ax=None,
    ):
        """Compute each forecast's over / under provisioning and draw the costs.

        Parameters
        ----------
        y_true : array-like of shape (n_hours,)
            Demand, in capacity units.
        forecasts : array-like of shape (n_hours,) or dict of str to array-like
            One forecast, or several by name, in the same units.
        alphas, betas : array-like or None, default=None
            The grid; None uses 1, 2, ..., 10 for both.
        step : float or None, default=1.0
            Capacity granularity (see :func:`~lstmforecast.metrics.provisioning_cost`).
        policy : {'ceil', 'round'}, default='ceil'
            How forecasts are put on the steps.
        kind : {'both', 'surface', 'heatmap'}, default='both'
            What to draw (see :meth:`plot`).
        units : str, default='capacity units'
            What demand and forecasts are measured in (``'Gbit/s'``).
        title : str or None, default=None
            Figure title; None names the forecasts, hours and capacity steps.
        ax : list of matplotlib Axes or None, default=None
            Axes to draw on (see :meth:`plot`).

        Returns
        -------
        display : CostSurfaceDisplay
            The drawn display.
        """
        from lstmforecast.metrics import provisioning_cost

        owner = "CostSurfaceDisplay.from_predictions"
        demand = _finite_1d(y_true, "y_true", owner)
        over, under = {}, {}
        for name, forecast in _forecast_dict(forecasts).items():
            arr = _finite_1d(forecast, f"forecasts[{name!r}]", owner)
            parts = provisioning_cost(
                demand, arr, alpha=1.0, beta=1.0, step=step, policy=policy,
                return_parts=True,
            )  # fmt: skip
            over[name], under[name] = parts["over"], parts["under"]
        grid = np.arange(1.0, 11.0)
        if title is None:
            steps = "exact capacity" if step is None else f"steps of {step:g} {units}"
            count = f"{len(over)} forecasts" if len(over) > 1 else "the forecast"
            title = (
                f"Provisioning cost per hour of {count} over {len(demand)} hours "
                f"({steps})"
            )
        display = cls(
            _grid(grid if alphas is None else alphas, "alphas"),
            _grid(grid if betas is None else betas, "betas"),
            over,
            under,
            units=units,
            title=title,
        )
        return display.plot(kind=kind, ax=ax)

    def _costs(self):
        a, b = np.meshgrid(self.alphas, self.betas)
        self.costs_ = {
            name: a * self.over[name] + b * self.under[name] for name in self.over
        }
        self.cheapest_ = np.argmin(np.stack(list(self.costs_.values())), axis=0)

    def plot(self, kind="both", ax=None):
        """Draw the surfaces and / or heat maps.

        Parameters
        ----------
        kind : {'both', 'surface', 'heatmap'}, default='both'
            ``'surface'``: one 3-D axes with a surface per forecast;
            ``'heatmap'``: a heat map per forecast (shared colour scale) and, for
            several forecasts, the map of the cheapest one; ``'both'``: all.
        ax : list of matplotlib Axes or None, default=None
            One Axes per panel (the surface needs ``projection='3d'``); None makes
            a new figure, the panels on a grid of at most three columns.

        Returns
        -------
        self : CostSurfaceDisplay
            With ``costs_``, ``cheapest_``, ``figure_`` and ``axes_`` set.
        """
        if kind not in ("both", "surface", "heatmap"):
            raise ValueError(
                f"kind must be 'both', 'surface' or 'heatmap'; got {kind!r}."
            )
        plt = _check_matplotlib()
        self._costs()
        names = list(self.costs_)
        n_heat = 0 if kind == "surface" else len(names) + (len(names) > 1)
        n_panels = n_heat + (kind != "heatmap")
        ax = self._panels(plt, kind, n_panels) if ax is None else list(np.ravel(ax))
        if len(ax) != n_panels:
            raise ValueError(
                f"'ax' must hold one Axes per panel ({n_panels} for kind={kind!r}); "
                f"got {len(ax)}. Pass that many Axes, or None for a new figure."
            )
        panels = iter(ax)
        if kind != "heatmap":
            self._draw_surface(next(panels), names)
        if kind != "surface":
            self._draw_heatmaps(plt, panels, names)
        self.axes_ = ax
        self.figure_ = ax[0].figure
        if self.title:
            self.figure_.suptitle(self.title, fontsize=13)
        self.figure_.tight_layout()
        return self

    def _labels(self, axis) -> None:
        axis.set_xlabel(f"alpha (price per {self.units} h over)", fontsize=10)
        axis.set_ylabel(f"beta (price per {self.units} h blocked)", fontsize=10)

    @staticmethod
    def _panels(plt, kind: str, n_panels: int) -> list:
        """Make a figure with the panels on a grid of at most three columns."""
        n_rows = -(-n_panels // 3)
        n_cols = -(-n_panels // n_rows)  # balanced: 4 panels are 2 x 2
        fig = plt.figure(figsize=(5.2 * n_cols, 4.6 * n_rows))
        return [
            fig.add_subplot(
                n_rows,
                n_cols,
                i + 1,
                projection="3d" if kind != "heatmap" and i == 0 else None,
            )
            for i in range(n_panels)
        ]

    def _draw_surface(self, axis, names: list) -> None:
        if not hasattr(axis, "plot_surface"):
            raise ValueError(
                "The surface panel needs a 3-D Axes: fig.add_subplot(projection='3d')."
            )
        a, b = np.meshgrid(self.alphas, self.betas)
        for i, name in enumerate(names):
            axis.plot_surface(
                a, b, self.costs_[name], alpha=0.6, color=f"C{i}", label=name
            )
        self._labels(axis)
        axis.set_zlabel("cost per hour", fontsize=10)
        axis.set_title("every forecast's cost plane", fontsize=11)
        axis.legend(loc="upper left", fontsize=9)

    def _draw_heatmaps(self, plt, panels, names: list) -> None:
        vmax = max(c.max() for c in self.costs_.values())
        extent = (self.alphas[0], self.alphas[-1], self.betas[0], self.betas[-1])
        for name in names:
            axis = next(panels)
            image = axis.imshow(
                self.costs_[name], origin="lower", aspect="auto", extent=extent,
                vmin=0, vmax=vmax, cmap="viridis",
            )  # fmt: skip
            axis.set_title(f"cost per hour: {name}", fontsize=11)
            self._labels(axis)
            axis.figure.colorbar(image, ax=axis, shrink=0.85, label="cost per hour")
        if len(names) < 2:
            return
        axis = next(panels)
        cmap = plt.get_cmap("tab10", len(names))
        image = axis.imshow(
            self.cheapest_, origin="lower", aspect="auto", extent=extent,
            cmap=cmap, vmin=-0.5, vmax=len(names) - 0.5,
        )  # fmt: skip
        bar = axis.figure.colorbar(image, ax=axis, ticks=range(len(names)))
        bar.ax.set_yticklabels(names)
        winners = np.unique(self.cheapest_)
        if len(winners) == 1:  # one colour: say it in words
            axis.text(
                0.5, 0.5, f"{names[winners[0]]}\ncheapest everywhere",
                transform=axis.transAxes, ha="center", va="center", fontsize=12,
                bbox={"fc": "white", "alpha": 0.8, "ec": "0.5"},
            )  # fmt: skip
        axis.set_title("cheapest forecast at each price pair", fontsize=11)
        self._labels(axis)


class CapacityDisplay:
    """Demand, forecast and the capacity allocated from it, blocked traffic in red.

    Parameters
    ----------
    demand, forecast, capacity : pandas.Series
        Hourly demand, forecast and allocated capacity on one index.
    name : str, default='forecast'
        Label of the forecast.
    units : str, default='capacity units'
        What demand and capacity are measured in (the y axis: ``'Gbit/s'``).

    Attributes
    ----------
    blocked_hours_ : int
        Hours with demand above capacity.
    acceptance_ : float
        Served / offered traffic.
    figure_ : matplotlib.figure.Figure
        The figure, after :meth:`plot`.
    ax_ : matplotlib.axes.Axes
        The axes.
    blocked_ : matplotlib.collections.PolyCollection
        The red area of blocked traffic.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from lstmforecast.plotting import CapacityDisplay
    >>> display = CapacityDisplay.from_predictions(
    ...     [0.2, 0.9, 2.4, 1.1], [0.3, 1.2, 1.9, 1.0], step=1.0
    ... )
    >>> display.capacity.tolist()
    [1.0, 2.0, 2.0, 1.0]
    >>> display.blocked_hours_
    2
    """

    def __init__(
        self, demand, forecast, capacity, *, name="forecast", units="capacity units"
    ):
        self.demand = demand
        self.forecast = forecast
        self.capacity = capacity
        self.name = name
        self.units = units

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_pred,
        *,
        step=1.0,
        policy="ceil",
        margin=0.0,
        relative_margin=0.0,
        index=None,
        name="forecast",
        units="capacity units",
        ax=None,
    ):
        """Allocate capacity from ``y_pred`` and draw it against the demand.

        Parameters
        ----------
        y_true, y_pred : array-like of shape (n_hours,)
            Demand and forecast, in capacity units; a pandas Series keeps its
            index for the x axis.
        step, policy, margin, relative_margin
            How capacity is allocated (see
            :func:`~lstmforecast.metrics.provisioning_cost`).
        index : array-like or None, default=None
            x values (e.g. timestamps); None uses ``y_true``'s index or 0, 1, ...
        name : str, default='forecast'
            Label of the forecast.
        units : str, default='capacity units'
            What demand and forecast are measured in (the y axis: ``'Gbit/s'``).
        ax : matplotlib Axes or None, default=None
            Axes to draw on; None makes a new figure.

        Returns
        -------
        display : CapacityDisplay
            The drawn display.
        """
        owner = "CapacityDisplay.from_predictions"
        allocation = {
            "step": step,
            "policy": policy,
            "margin": margin,
            "relative_margin": relative_margin,
        }
        check_cost_params(allocation, owner)
        demand = _finite_1d(y_true, "y_true", owner)
        forecast = _finite_1d(y_pred, "y_pred", owner)
        if len(forecast) != len(demand):
            raise ValueError(
                f"'y_pred' has {len(forecast)} hours but 'y_true' has {len(demand)}."
            )
        if index is None:
            index = (
                y_true.index
                if isinstance(y_true, pd.Series)
                else np.arange(len(demand))
            )
        if len(index) != len(demand):
            raise ValueError(
                f"'index' has {len(index)} values for {len(demand)} hours."
            )
        capacity = _capacity(forecast, **allocation)
        display = cls(
            pd.Series(demand, index=index, name="demand"),
            pd.Series(forecast, index=index, name=name),
            pd.Series(capacity, index=index, name="capacity"),
            name=name,
            units=units,
        )
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw demand, forecast, capacity and the blocked / wasted areas.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Axes to draw on; None makes a new figure.

        Returns
        -------
        self : CapacityDisplay
            With ``figure_``, ``ax_``, ``blocked_``, ``blocked_hours_`` and
            ``acceptance_`` set.
        """
        plt = _check_matplotlib()
        if ax is None:
            _, ax = plt.subplots(figsize=(11, 3.6))
        x = self.demand.index
        demand, capacity = self.demand.to_numpy(), self.capacity.to_numpy()
        blocked = demand > capacity
        ax.fill_between(
            x, capacity, demand, where=~blocked, step="mid", color="C2", alpha=0.15,
            label="over-provisioned",
        )  # fmt: skip
        self.blocked_ = ax.fill_between(
            x, capacity, demand, where=blocked, step="mid", color="red", alpha=0.6,
            label="blocked",
        )  # fmt: skip
        ax.plot(x, capacity, drawstyle="steps-mid", color="C2", lw=1.2,
                label="capacity")  # fmt: skip
        ax.plot(x, demand, color="black", lw=0.9, label="demand")
        ax.plot(x, self.forecast.to_numpy(), color="C0", lw=0.9, ls="--",
                label=self.name)  # fmt: skip
        self.blocked_hours_ = int(blocked.sum())
        offered = demand.sum()
        self.acceptance_ = (
            float(np.minimum(capacity, demand).sum() / offered) if offered > 0 else 1.0
        )
        ax.set_title(
            f"{self.name}: {self.blocked_hours_} of {len(demand)} hours blocked, "
            f"acceptance {self.acceptance_:.2%}",
            loc="left",
            fontsize=10,
        )
        ax.set_ylabel(getattr(self, "units", "capacity units"))
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper right", fontsize=8, ncol=5)
        self.ax_ = ax
        self.figure_ = ax.figure
        if isinstance(x, pd.DatetimeIndex):
            self.figure_.autofmt_xdate()
        return self


class ProvisioningReportDisplay:
    """Bar charts of a provisioning report: energy, acceptance, hours served, cost.

    Parameters
    ----------
    report : pandas.DataFrame
        The output of :func:`~lstmforecast.metrics.provisioning_report`.

    Attributes
    ----------
    figure_ : matplotlib.figure.Figure
        The figure, after :meth:`plot`.
    axes_ : ndarray of matplotlib.axes.Axes
        One panel per column drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from lstmforecast.metrics import provisioning_report
    >>> from lstmforecast.plotting import ProvisioningReportDisplay
    >>> report = provisioning_report([0.2, 0.9, 2.4, 1.1], {"f": [0.3, 1.2, 2.1, 1.0]})
    >>> len(ProvisioningReportDisplay.from_report(report).axes_)
    4
    """

    columns = ("energy_vs_peak", "acceptance", "hours_served", "cost")

    def __init__(self, report):
        self.report = report

    @classmethod
    def from_report(cls, report, *, ax=None):
        """Draw the report.

        Parameters
        ----------
        report : pandas.DataFrame
            The output of :func:`~lstmforecast.metrics.provisioning_report`.
        ax : array of 4 matplotlib Axes or None, default=None
            Axes to draw on; None makes a new figure.

        Returns
        -------
        display : ProvisioningReportDisplay
            The drawn display.
        """
        missing = [c for c in cls.columns if c not in getattr(report, "columns", [])]
        if missing:
            raise ValueError(
                f"'report' lacks the column(s) {missing}: pass the DataFrame "
                "returned by provisioning_report."
            )
        return cls(report).plot(ax=ax)

    def plot(self, ax=None):
        """Draw one horizontal bar panel per column.

        Parameters
        ----------
        ax : array of 4 matplotlib Axes or None, default=None
            Axes to draw on; None makes a new figure.

        Returns
        -------
        self : ProvisioningReportDisplay
            With ``figure_`` and ``axes_`` set.
        """
        plt = _check_matplotlib()
        if ax is None:
            _, ax = plt.subplots(1, 4, figsize=(13, 0.5 * len(self.report) + 1.6),
                                 sharey=True)  # fmt: skip
        ax = np.atleast_1d(ax)
        if len(ax) != len(self.columns):
            raise ValueError(
                f"'ax' must hold one Axes per panel ({len(self.columns)}: "
                f"{', '.join(self.columns)}); got {len(ax)}. Pass that many Axes, or "
                "None for a new figure."
            )
        names = [str(n) for n in self.report.index]
        colors = [
            "0.6" if n.startswith("static") else "C1" if n == "oracle" else "C0"
            for n in names
        ]
        for axis, column in zip(ax, self.columns, strict=True):
            values = self.report[column].to_numpy(dtype=float)
            bars = axis.barh(names, values, color=colors)
            percent = column != "cost"
            axis.bar_label(
                bars, labels=[f"{v:.2%}" if percent else f"{v:.3g}" for v in values],
                fontsize=8, padding=2,
            )  # fmt: skip
            axis.set_title(column.replace("_", " "), fontsize=10)
            axis.set_xlim(0, max(values.max(), 1e-12) * 1.3)
            axis.grid(True, axis="x", alpha=0.3)
        ax[0].invert_yaxis()
        self.axes_ = ax
        self.figure_ = ax[0].figure
        self.figure_.tight_layout()
        return self
