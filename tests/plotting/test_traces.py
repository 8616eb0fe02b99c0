import numpy as np
import pandas as pd
import pytest

from lstmforecast.datasets import load_milano_cells
from lstmforecast.plotting import TrafficTraceDisplay
from lstmforecast.preprocessing import HourlyAggregator


@pytest.fixture
def pyplot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_one_panel_per_cell_with_the_data(pyplot):
    hourly = HourlyAggregator().fit_transform(load_milano_cells(end="2013-11-03"))
    display = TrafficTraceDisplay.from_frame(hourly)
    assert len(display.axes_) == 3
    assert [a.get_title(loc="left") for a in display.axes_] == [
        "cell 4159",
        "cell 4556",
        "cell 5161",
    ]
    np.testing.assert_array_equal(
        display.lines_[2].get_ydata(), hourly.loc[5161, "internet"].to_numpy()
    )


def test_single_series_and_bad_column(pyplot):
    frame = pd.DataFrame(
        {"x": np.arange(5.0)}, index=pd.date_range("2013-11-01", periods=5, freq="h")
    )
    display = TrafficTraceDisplay.from_frame(frame)
    assert len(display.lines_) == 1
    with pytest.raises(ValueError, match="Column 'y' is not in the frame"):
        TrafficTraceDisplay.from_frame(frame, column="y")
    with pytest.raises(TypeError, match="needs a DataFrame"):
        TrafficTraceDisplay.from_frame(frame["x"])
