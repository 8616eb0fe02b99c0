"""Cost surface, capacity-over-time and report plots: what they draw, bad input."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from lstmforecast.metrics import provisioning_cost, provisioning_report
from lstmforecast.plotting import (
    CapacityDisplay,
    CostSurfaceDisplay,
    ProvisioningReportDisplay,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DEMAND = np.array([0.2, 0.9, 2.4, 1.1, 0.4, 1.7])
LOW = np.array([0.1, 0.8, 2.0, 1.0, 0.3, 1.5])
HIGH = np.array([0.6, 1.3, 2.9, 1.5, 0.8, 2.2])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_cost_surface_matches_provisioning_cost_on_every_grid_point():
    alphas, betas = [0.5, 1.0, 4.0], [1.0, 3.0, 10.0, 20.0]
    display = CostSurfaceDisplay.from_predictions(
        DEMAND, {"low": LOW, "high": HIGH}, alphas=alphas, betas=betas, step=1.0
    )
    for name, forecast in {"low": LOW, "high": HIGH}.items():
        costs = display.costs_[name]
        assert costs.shape == (len(betas), len(alphas))
        for i, beta in enumerate(betas):
            for j, alpha in enumerate(alphas):
                expected = provisioning_cost(
                    DEMAND, forecast, alpha=alpha, beta=beta, step=1.0
                )
                assert costs[i, j] == pytest.approx(expected)
    # blocking is dear at high beta: the high forecast is the cheaper one there
    assert display.cheapest_[-1, 0] == 1  # "high"
    assert display.cheapest_[0, -1] == 0  # "low": waste is dear, blocking cheap
    assert display.axes_[0].name == "3d"
    assert len(display.axes_) == 4  # surface, two heat maps, cheapest map


@pytest.mark.parametrize(("kind", "n_axes"), [("surface", 1), ("heatmap", 1)])
def test_cost_surface_kinds_for_one_forecast(kind, n_axes):
    display = CostSurfaceDisplay.from_predictions(DEMAND, LOW, kind=kind)
    assert len(display.axes_) == n_axes
    assert list(display.costs_) == ["forecast"]
    assert display.costs_["forecast"].shape == (10, 10)  # default 1..10 grid


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"alphas": [1.0]}, "'alphas' must be a 1-D grid"),
        ({"betas": [1.0, -2.0]}, "'betas' must be a 1-D grid"),
        ({"kind": "bars"}, "kind must be"),
    ],
)
def test_cost_surface_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CostSurfaceDisplay.from_predictions(DEMAND, LOW, **kwargs)


def test_capacity_display_marks_exactly_the_blocked_hours():
    index = pd.date_range("2013-12-22", periods=len(DEMAND), freq="h")
    demand = pd.Series(DEMAND, index=index)
    display = CapacityDisplay.from_predictions(demand, LOW, step=1.0, name="lstm")
    capacity = np.ceil(LOW)
    np.testing.assert_array_equal(display.capacity.to_numpy(), capacity)
    assert display.blocked_hours_ == int((DEMAND > capacity).sum()) == 2
    assert display.acceptance_ == pytest.approx(
        np.minimum(capacity, DEMAND).sum() / DEMAND.sum()
    )
    assert display.capacity.index.equals(index)
    assert "2 of 6 hours blocked" in display.ax_.get_title(loc="left")
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert {"blocked", "capacity", "demand", "lstm"} <= set(labels)
    # a margin lifts capacity: nothing blocked any more
    safe = CapacityDisplay.from_predictions(DEMAND, LOW, step=1.0, margin=1.0)
    assert safe.blocked_hours_ == 0 and safe.acceptance_ == 1.0


def test_capacity_display_bad_input():
    with pytest.raises(ValueError, match="'y_pred' has 5 hours but 'y_true' has 6"):
        CapacityDisplay.from_predictions(DEMAND, LOW[:5])
    with pytest.raises(ValueError, match="'y_true' has NaN"):
        CapacityDisplay.from_predictions(np.r_[DEMAND[:-1], np.nan], LOW)


def test_report_display_draws_every_row_and_column():
    report = provisioning_report(DEMAND, {"low": LOW, "high": HIGH})
    display = ProvisioningReportDisplay.from_report(report)
    assert len(display.axes_) == 4
    for axis, column in zip(display.axes_, display.columns, strict=True):
        widths = [bar.get_width() for bar in axis.patches]
        np.testing.assert_allclose(widths, report[column].to_numpy())
    with pytest.raises(ValueError, match="lacks the column"):
        ProvisioningReportDisplay.from_report(report.drop(columns="cost"))
