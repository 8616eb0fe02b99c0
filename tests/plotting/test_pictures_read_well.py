"""Each picture is drawn from the data it claims: titles, units, panels, artists.

Issue 16, item 3: the cost surface as a readable grid with units and a title,
data-driven titles, Gbit/s labels where the values are Gbit/s, structure
pictures that match the model.
"""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from lstmforecast.lab._tasks import LAB_WEEK, _span
from lstmforecast.plotting import CapacityDisplay, CostSurfaceDisplay, NetworkDisplay
from lstmforecast.regressors import LSTMRegressor, MLPRegressor

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DEMAND = np.array([0.2, 0.9, 2.4, 1.1, 0.4, 1.7])
FORECASTS = {
    "low": np.array([0.1, 0.8, 2.0, 1.0, 0.3, 1.5]),
    "high": np.array([0.6, 1.3, 2.9, 1.5, 0.8, 2.2]),
    "exact": DEMAND + 0.01,
}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_cost_surface_is_a_grid_with_units_and_a_data_driven_title():
    display = CostSurfaceDisplay.from_predictions(
        DEMAND, FORECASTS, step=0.5, units="Gbit/s"
    )
    # the 3-D planes, one heat map per forecast, the cheapest map: 5 panels
    assert len(display.axes_) == 5
    rows = {round(ax.get_position().y0, 2) for ax in display.axes_}
    assert len(rows) == 2  # two rows of at most three panels, not a strip
    width, height = display.figure_.get_size_inches()
    assert width / height < 2.5
    title = display.figure_.get_suptitle()
    assert "3 forecasts" in title and "6 hours" in title
    assert "steps of 0.5 Gbit/s" in title
    for ax in display.axes_:
        assert "Gbit/s" in ax.get_xlabel() and "Gbit/s" in ax.get_ylabel()
    heat = display.axes_[1:4]
    for ax, name in zip(heat, FORECASTS, strict=True):
        assert ax.get_title().endswith(name)
        np.testing.assert_array_equal(ax.images[0].get_array(), display.costs_[name])


def test_a_single_colour_map_says_which_forecast_wins_everywhere():
    display = CostSurfaceDisplay.from_predictions(DEMAND, FORECASTS, step=None)
    cheapest = display.axes_[-1]
    assert np.unique(display.cheapest_).tolist() == [2]  # 'exact' everywhere
    texts = [t.get_text() for t in cheapest.texts]
    assert texts == ["exact\ncheapest everywhere"]
    mixed = CostSurfaceDisplay.from_predictions(
        DEMAND, {k: FORECASTS[k] for k in ("low", "high")}, step=None
    )
    assert len(np.unique(mixed.cheapest_)) == 2
    assert len(mixed.axes_[-1].texts) == 0


def test_capacity_axis_names_the_units():
    display = CapacityDisplay.from_predictions(
        DEMAND, FORECASTS["high"], step=0.5, units="Gbit/s"
    )
    assert display.ax_.get_ylabel() == "Gbit/s"
    plain = CapacityDisplay.from_predictions(DEMAND, FORECASTS["high"], step=0.5)
    assert plain.ax_.get_ylabel() == "capacity units"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (*LAB_WEEK, "Mon 2 - Sun 8 Dec 2013"),
        ("2013-11-29", "2013-12-05", "Fri 29 Nov - Thu 5 Dec 2013"),
        ("2013-12-28", "2014-01-03", "Sat 28 Dec 2013 - Fri 3 Jan 2014"),
    ],
)
def test_trace_titles_name_the_days_drawn(start, end, expected):
    times = pd.date_range(start, f"{end} 23:00", freq="h", tz="Europe/Rome")
    index = pd.MultiIndex.from_product([[5161], times], names=["cell", "time"])
    frame = pd.DataFrame({"internet": np.ones(len(index))}, index=index)
    assert _span(frame) == expected


@pytest.mark.parametrize(
    ("make", "dropout_boxes"),
    [
        (lambda: LSTMRegressor((4, 3), max_epochs=1, random_state=0), 0),
        (lambda: LSTMRegressor((4, 3), dropout=0.3, max_epochs=1, random_state=0), 1),
        (lambda: MLPRegressor((4,), max_epochs=1, random_state=0), 0),
    ],
)
def test_structure_pictures_match_the_model(make, dropout_boxes):
    X = np.random.default_rng(0).random((40, 6))
    model = make().fit(X, X[:, -1])
    display = NetworkDisplay.from_estimator(model)
    heads = [box.get_text().splitlines()[0] for box in display.boxes_]
    assert heads[0] == "input"
    assert heads[1:] == [f"{name}: {kind}" for name, kind, _, _ in model.layers()]
    assert sum("Dropout" in h for h in heads) == dropout_boxes
    # the parameters drawn add up to the model's
    drawn = sum(n for _, _, _, n in model.layers())
    assert drawn == model.n_params_
