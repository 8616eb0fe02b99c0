"""forecast_frame: forecasts with their timestamps, by series, cutoff and time."""

import numpy as np
import pandas as pd
import pytest

from lstmforecast.preprocessing import forecast_frame, make_horizon_targets

TZ = "Europe/Rome"


def panel(periods=30, shuffle=False):
    times = pd.date_range("2013-12-30 12:00", periods=periods, freq="h", tz=TZ)
    index = pd.MultiIndex.from_product([[4159, 5161], times], names=["cell", "time"])
    y = pd.Series(np.arange(len(index), dtype=float), index=index, name="internet")
    if shuffle:  # series in another order (each one's rows stay in time order)
        y = y.loc[[5161, 4159]]
    return y


def test_one_series_by_hand():
    times = pd.date_range("2013-12-31 22:00", periods=2, freq="h", tz=TZ)
    frame = forecast_frame(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), times)
    assert frame.index.names == ["cutoff", "time"]
    first = frame.xs(times[0] - pd.Timedelta("1h"), level="cutoff")
    assert list(first.index) == [times[0], times[1], times[1] + pd.Timedelta("1h")]
    assert first["forecast"].tolist() == [1.0, 2.0, 3.0]
    assert first["step"].tolist() == [1, 2, 3]
    assert frame.loc[(times[0], times[1] + pd.Timedelta("2h")), "forecast"] == 6.0


@pytest.mark.parametrize("shuffle", [False, True])
def test_the_truth_lands_on_its_own_time_in_every_series(shuffle):
    """make_horizon_targets' columns put through forecast_frame give y at time."""
    y = panel(shuffle=shuffle)
    H = 4
    Y = make_horizon_targets(y, H)
    frame = forecast_frame(Y.to_numpy(), y.index, name="truth")
    assert frame.index.names == ["cell", "cutoff", "time"]
    assert len(frame) == len(y) * H
    known = frame.dropna()
    expected = y.reindex(
        pd.MultiIndex.from_arrays(
            [known.index.get_level_values("cell"), known.index.get_level_values("time")]
        )
    )
    np.testing.assert_array_equal(known["truth"].to_numpy(), expected.to_numpy())
    # the NaN steps past the data are kept, never dropped
    assert frame["truth"].isna().sum() == 2 * (H * (H - 1) // 2)
    cutoff = frame.index.get_level_values("cutoff")
    time = frame.index.get_level_values("time")
    steps = (time - cutoff) / pd.Timedelta("1h")
    np.testing.assert_array_equal(steps, frame["step"].to_numpy())


def test_one_row_per_series_needs_the_step():
    last = panel().groupby(level="cell").tail(1)
    with pytest.raises(ValueError, match=r"none \(one row\).*step='1h'"):
        forecast_frame(np.ones((2, 3)), last)
    frame = forecast_frame(np.ones((2, 3)), last, step="1h")
    assert frame.groupby(level="cell").size().tolist() == [3, 3]


def test_integer_times_and_one_step_forecasts():
    index = pd.Index([10, 11, 12], name="hour")
    frame = forecast_frame([1.0, 2.0, 3.0], index)
    assert list(frame.index) == [(9, 10), (10, 11), (11, 12)]
    assert frame["step"].tolist() == [1, 1, 1]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"y_pred": np.ones(5)}, "one row per row of X"),
        ({"y_pred": np.ones((3, 2)), "X": np.arange(3)}, "must be the frame"),
        ({"step": "soon"}, "'step' parameter of forecast_frame"),
        ({"step": -1}, "positive duration"),
    ],
)
def test_bad_input(kwargs, match):
    times = pd.date_range("2013-12-31", periods=3, freq="h")
    args = {"y_pred": np.ones((3, 2)), "X": times, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        forecast_frame(**args)
