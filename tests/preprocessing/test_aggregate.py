import numpy as np
import pandas as pd
import pytest

from lstmforecast.datasets import (
    BUNDLED_CELLS,
    TIMEZONE,
    load_milano_cells,
    load_milano_totals,
    make_milano_traffic,
)
from lstmforecast.preprocessing import HourlyAggregator


@pytest.fixture(scope="module")
def real_cells():
    return load_milano_cells()


def _series(values, start="2013-11-01", freq="10min", tz=TIMEZONE, name="internet"):
    index = pd.date_range(start, periods=len(values), freq=freq, tz=tz, name="time")
    return pd.DataFrame({name: np.asarray(values, dtype=float)}, index=index)


# --------------------------------------------------------------- the real data
def test_real_cells_have_1488_hours_without_gaps(real_cells):
    agg = HourlyAggregator()
    hourly = agg.fit_transform(real_cells)
    assert agg.n_missing_ == 0
    for cell in BUNDLED_CELLS:
        one = hourly.loc[cell]
        assert one.shape == (62 * 24, 1)
        assert one.index[0] == pd.Timestamp("2013-11-01 00:00", tz=TIMEZONE)
        assert one.index[-1] == pd.Timestamp("2014-01-01 23:00", tz=TIMEZONE)
        steps = np.diff(one.index.asi8)
        assert (steps == pd.Timedelta("1h").value).all()
        assert one["internet"].notna().all()


def test_real_cells_hourly_sum_equals_bundled_totals(real_cells):
    hourly = HourlyAggregator().fit_transform(real_cells)
    totals = load_milano_totals().set_index("cell")["internet"]
    for cell in BUNDLED_CELLS:
        # the totals were accumulated in float32: agree to float32 precision
        np.testing.assert_allclose(
            hourly.loc[cell, "internet"].sum(), totals[cell], rtol=2e-7
        )


def test_hour_is_sum_of_its_six_slots(real_cells):
    one = real_cells[real_cells["cell"] == 4556]
    expected = one["internet"].to_numpy().reshape(-1, 6).sum(axis=1)
    hourly = HourlyAggregator().fit_transform(one)
    np.testing.assert_allclose(hourly["internet"].to_numpy(), expected, rtol=1e-12)
    # the hour's label is its first slot, on Milan local time
    assert hourly.index.get_level_values("time")[7].hour == 7


def test_input_is_not_modified(real_cells):
    before = real_cells.copy(deep=True)
    shuffled = real_cells.sample(frac=1.0, random_state=0)
    shuffled_before = shuffled.copy(deep=True)
    HourlyAggregator().fit_transform(shuffled)
    pd.testing.assert_frame_equal(real_cells, before)
    pd.testing.assert_frame_equal(shuffled, shuffled_before)


def test_unsorted_input_gives_the_sorted_result(real_cells):
    small = real_cells[real_cells["time"] < "2013-11-03"]
    expected = HourlyAggregator().fit_transform(small)
    shuffled = small.sample(frac=1.0, random_state=1)
    pd.testing.assert_frame_equal(HourlyAggregator().fit_transform(shuffled), expected)


def test_wide_layout_by_unstacking(real_cells):
    hourly = HourlyAggregator().fit_transform(real_cells)
    wide = hourly["internet"].unstack("cell")
    assert list(wide.columns) == list(BUNDLED_CELLS)
    assert wide.shape == (1488, 3)


# ----------------------------------------------------------- synthetic checks
def test_matches_generator_truth_exactly():
    slots, truth = make_milano_traffic(
        n_cells=4, n_days=3, random_state=3, return_hourly=True
    )
    hourly = HourlyAggregator().fit_transform(slots).reset_index()
    pd.testing.assert_frame_equal(hourly, truth, check_exact=True)


@pytest.mark.parametrize(
    ("start", "hours_on_day_two"),
    [("2013-10-26", 25), ("2014-03-29", 23)],  # autumn and spring DST changes
)
def test_dst_days_neither_create_nor_lose_hours(start, hours_on_day_two):
    slots, truth = make_milano_traffic(
        cells=[5161], n_days=3, start=start, random_state=0, return_hourly=True
    )
    hourly = HourlyAggregator().fit_transform(slots).loc[5161]
    days = hourly.index.tz_convert(TIMEZONE).normalize()
    counts = pd.Series(1, index=days).groupby(level=0).size().to_numpy()
    assert counts.tolist() == [24, hours_on_day_two, 24]
    assert len(hourly) == len(slots) // 6
    assert hourly.index.is_unique
    assert hourly["internet"].sum() == slots["internet"].sum()
    daily = HourlyAggregator(freq="1D").fit_transform(slots).loc[5161]
    assert len(daily) == 3
    assert (daily.index.hour == 0).all()  # days start at local midnight
    np.testing.assert_array_equal(
        daily["internet"].to_numpy(),
        hourly["internet"].groupby(days).sum().to_numpy(),
    )


def test_other_frequency_and_aggregation():
    frame = _series(np.arange(12.0))
    half = HourlyAggregator(freq="30min").fit_transform(frame)
    np.testing.assert_array_equal(half["internet"], [0 + 1 + 2, 3 + 4 + 5, 21, 30])
    peak = HourlyAggregator(agg="max").fit_transform(frame)
    np.testing.assert_array_equal(peak["internet"], [5, 11])
    mean = HourlyAggregator(agg="mean").fit_transform(frame)
    np.testing.assert_array_equal(mean["internet"], [2.5, 8.5])


def test_datetimeindex_frame_without_cell_column_keeps_a_datetimeindex():
    out = HourlyAggregator().fit_transform(_series(np.ones(12)))
    assert isinstance(out.index, pd.DatetimeIndex)
    assert out.index.name == "time"
    assert out.index.tz is not None
    assert list(out.columns) == ["internet"]


def test_naive_time_column_is_supported():
    frame = pd.DataFrame(
        {"time": pd.date_range("2013-11-01", periods=12, freq="10min"), "x": 1.0}
    )
    out = HourlyAggregator().fit_transform(frame)
    assert out.index.tz is None
    np.testing.assert_array_equal(out["x"], [6.0, 6.0])


# ------------------------------------------------------------- missing slots
def _with_gap():
    frame = _series(np.arange(1.0, 13.0))  # two full hours, values 1..12
    return frame.drop(frame.index[[2, 3]])  # slots 00:20 and 00:30 absent


def test_missing_slots_raise_by_default_and_name_them():
    with pytest.raises(ValueError, match=r"2 missing slot.*00:20.*missing='zero'"):
        HourlyAggregator().fit_transform(_with_gap())


@pytest.mark.parametrize(
    ("policy", "first_hour"),
    [
        ("zero", 1 + 2 + 5 + 6),  # absent slots count as 0
        ("interpolate", 1 + 2 + 3 + 4 + 5 + 6),  # linear between 2 and 5
        ("nan", np.nan),
    ],
)
def test_missing_policies_fill_and_count(policy, first_hour):
    agg = HourlyAggregator(missing=policy)
    out = agg.fit_transform(_with_gap())
    np.testing.assert_array_equal(out["internet"], [first_hour, sum(range(7, 13))])
    assert agg.n_missing_ == 2
    assert agg.missing_slots_["time"].dt.strftime("%H:%M").tolist() == [
        "00:20",
        "00:30",
    ]


def test_cut_off_period_at_the_end_is_missing():
    frame = _series(np.ones(9))  # 1.5 hours
    with pytest.raises(ValueError, match="3 missing slot"):
        HourlyAggregator().fit_transform(frame)
    agg = HourlyAggregator(missing="zero")
    np.testing.assert_array_equal(agg.fit_transform(frame)["internet"], [6.0, 3.0])
    assert agg.n_missing_ == 3


def test_nan_values_follow_the_missing_policy():
    frame = _series(np.ones(12))
    frame.iloc[7, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        HourlyAggregator().fit_transform(frame)
    out = HourlyAggregator(missing="zero").fit_transform(frame)
    np.testing.assert_array_equal(out["internet"], [6.0, 5.0])


def test_a_cell_missing_an_hour_that_others_have_is_caught():
    slots = make_milano_traffic(cells=[1, 2], n_days=1, random_state=0)
    late = slots[(slots["cell"] == 2) & (slots["time"] >= slots["time"].iloc[12])]
    part = pd.concat([slots[slots["cell"] == 1], late])
    agg = HourlyAggregator(missing="nan")
    out = agg.fit_transform(part)
    assert agg.n_missing_ == 12
    assert out.loc[2, "internet"].isna().sum() == 2
    assert out.loc[1, "internet"].notna().all()


def test_fit_reports_missing_but_transform_does_not_change_state():
    agg = HourlyAggregator(missing="zero").fit(_with_gap())
    assert agg.n_missing_ == 2
    agg.transform(_series(np.ones(12)))
    assert agg.n_missing_ == 2


# ------------------------------------------------------------------ duplicates
def test_duplicates_raise_or_sum():
    frame = _series(np.ones(12))
    doubled = pd.concat([frame, frame.iloc[[3]]])
    with pytest.raises(ValueError, match="1 duplicate row.*duplicates='sum'"):
        HourlyAggregator().fit_transform(doubled)
    out = HourlyAggregator(duplicates="sum").fit_transform(doubled)
    np.testing.assert_array_equal(out["internet"], [7.0, 6.0])


# ------------------------------------------------------------------ arrays
def test_array_rows_are_consecutive_slots_of_input_freq():
    # changed (issue 12): arrays carry no timestamps, so input_freq is required
    X = np.arange(24.0).reshape(12, 2)
    out = HourlyAggregator(input_freq="10min").fit_transform(X)
    np.testing.assert_array_equal(out, [X[:6].sum(axis=0), X[6:].sum(axis=0)])


def test_pandas_output_for_arrays():
    agg = HourlyAggregator(input_freq="10min").set_output(transform="pandas")
    out = agg.fit_transform(pd.DataFrame({"a": np.ones(12), "b": np.zeros(12)}))
    assert list(out.columns) == ["a", "b"]
    assert len(out) == 2


# ------------------------------------------------------------------ bad input
def test_non_numeric_value_column_is_named():
    frame = _series(np.ones(12))
    frame["label"] = "x"
    with pytest.raises(TypeError, match=r"\['label'\].*not numeric"):
        HourlyAggregator().fit_transform(frame)


def test_time_column_must_hold_datetimes():
    frame = pd.DataFrame({"time": ["2013-11-01 00:00"] * 2, "x": [1.0, 2.0]})
    with pytest.raises(TypeError, match="'time' must hold datetimes.*to_datetime"):
        HourlyAggregator().fit_transform(frame)


def test_inf_and_nat_are_refused():
    frame = _series(np.ones(12))
    frame.iloc[0, 0] = np.inf
    with pytest.raises(ValueError, match="inf"):
        HourlyAggregator(missing="zero").fit_transform(frame)
    frame = pd.DataFrame({"time": pd.to_datetime(["2013-11-01", None]), "x": 1.0})
    with pytest.raises(ValueError, match="NaT"):
        HourlyAggregator().fit_transform(frame)


def test_off_grid_timestamps_and_incompatible_frequencies():
    frame = _series(np.ones(12))
    odd = pd.concat([frame, _series([1.0], start="2013-11-01 00:05")]).sort_index()
    # changed (issue 12): durations are written as users write them ('10min')
    with pytest.raises(ValueError, match="not on the 10min grid"):
        HourlyAggregator(input_freq="10min").fit_transform(odd)
    with pytest.raises(ValueError, match="'freq' parameter .* whole multiple"):
        HourlyAggregator(freq="25min").fit(frame)
    with pytest.raises(ValueError, match="'freq' parameter"):
        HourlyAggregator(freq="hourly").fit(frame)


def test_invalid_policy_names_the_parameter():
    with pytest.raises(ValueError, match="'missing' parameter of HourlyAggregator"):
        HourlyAggregator(missing="drop").fit(_series(np.ones(12)))


def test_only_time_and_cell_columns_is_an_error():
    frame = pd.DataFrame({"cell": [1], "time": pd.to_datetime(["2013-11-01"])})
    with pytest.raises(ValueError, match="no value column"):
        HourlyAggregator(input_freq="10min").fit_transform(frame)


# ----------------------------------------------------- expected window (start/end)
def _two_cells(hours_a, hours_b):
    """Tidy frame: cell 1 with ``hours_a`` hours of slots, cell 2 with ``hours_b``."""
    parts = []
    for cell, hours in ((1, hours_a), (2, hours_b)):
        frame = _series(np.arange(hours * 6) + 1.0).reset_index()
        parts.append(frame.assign(cell=cell))
    return pd.concat(parts, ignore_index=True)[["cell", "time", "internet"]]


def test_end_makes_absent_edge_hours_missing_not_dropped():
    slots = _two_cells(20, 20)  # 20 hours of 1 Nov; the day has 24
    with pytest.raises(ValueError, match="48 missing slot"):
        HourlyAggregator(end="2013-11-01").fit(slots)
    agg = HourlyAggregator(missing="zero", end="2013-11-01")
    hourly = agg.fit_transform(slots)
    assert hourly.loc[1].shape == (24, 1)
    assert (hourly.loc[1]["internet"].iloc[20:] == 0).all()
    assert agg.n_missing_ == 2 * 4 * 6
    assert agg.missing_slots_["time"].min() == pd.Timestamp(
        "2013-11-01 20:00", tz=TIMEZONE
    )
    # without a window, the grid ends at the last timestamp of the data
    assert HourlyAggregator().fit_transform(slots).loc[1].shape == (20, 1)


def test_start_makes_absent_leading_hours_missing():
    slots = _two_cells(3, 3)
    slots = slots.assign(time=slots["time"] + pd.Timedelta("2h"))
    hourly = HourlyAggregator(missing="nan", start="2013-11-01").fit_transform(slots)
    assert hourly.loc[2].index[0] == pd.Timestamp("2013-11-01", tz=TIMEZONE)
    assert hourly.loc[2]["internet"].isna().tolist() == [True, True] + [False] * 3


def test_grid_is_shared_by_all_cells():
    # cell 2 ends two hours before cell 1: its last two hours are missing
    slots = _two_cells(5, 3)
    with pytest.raises(
        ValueError, match="12 missing slot.*first: cell 2 at 2013-11-01 03:00"
    ):
        HourlyAggregator().fit(slots)


def test_rows_outside_the_window_are_an_error_not_dropped():
    slots = _two_cells(30, 30)
    with pytest.raises(ValueError, match="outside the window.*2013-11-02 05:50"):
        HourlyAggregator(end="2013-11-01").fit(slots)
    with pytest.raises(ValueError, match="outside the window"):
        HourlyAggregator(start="2013-11-01 01:00").fit(slots)


def test_window_on_a_dst_day_keeps_its_25_hours():
    index = pd.date_range("2013-10-27", periods=10, freq="10min", tz=TIMEZONE)
    slots = pd.DataFrame({"internet": 1.0}, index=index)
    out = HourlyAggregator(missing="zero", end="2013-10-27").fit_transform(slots)
    assert len(out) == 25


def test_window_needs_timestamps():
    with pytest.raises(ValueError, match="'start' and 'end' parameters need"):
        HourlyAggregator(end="2013-11-01").fit(np.ones((12, 1)))


# ------------------------------------------------------------ parameters, arrays
@pytest.mark.parametrize("freq", ["0h", "-1h", "banana", pd.Timedelta(0)])
def test_freq_must_be_a_positive_duration(freq):
    with pytest.raises(ValueError, match="'freq' parameter.*positive"):
        HourlyAggregator(freq=freq).fit(_series(np.ones(12)))


def test_calendar_offsets_are_refused_by_parameter_validation():
    with pytest.raises(Exception, match="'freq' parameter"):
        HourlyAggregator(freq=pd.offsets.MonthEnd()).fit(_series(np.ones(12)))


@pytest.mark.parametrize(
    "agg", ["sum", "mean", "median", "min", "max", "first", "last"]
)
def test_arrays_with_missing_nan_give_nan_periods(agg):
    X = np.arange(14, dtype=float).reshape(-1, 1)
    X[3] = np.nan
    X.flags.writeable = False  # read-only input must work (and stay untouched)
    out = HourlyAggregator(agg=agg, missing="nan", input_freq="10min").fit_transform(X)
    assert out.shape == (3, 1)
    assert np.isnan(out[0, 0]) and np.isnan(out[2, 0])  # NaN slot, cut-off end
    block = pd.Series(X[6:12, 0])
    expected = (
        block.iloc[0 if agg == "first" else -1]
        if agg in ("first", "last")
        else block.agg(agg)
    )
    assert out[1, 0] == expected


@pytest.mark.parametrize(
    "agg", ["sum", "mean", "median", "min", "max", "first", "last"]
)
def test_timed_and_positional_paths_agree(agg):
    rng = np.random.default_rng(0)
    values = rng.random(6 * 30)
    timed = HourlyAggregator(agg=agg).fit_transform(_series(values))
    positional = HourlyAggregator(agg=agg, input_freq="10min").fit_transform(
        values.reshape(-1, 1)
    )
    np.testing.assert_allclose(timed["internet"].to_numpy(), positional[:, 0])


def test_feature_names_follow_sklearn_rules():
    frame = _two_cells(2, 2)
    agg = HourlyAggregator().fit(frame)
    assert agg.get_feature_names_out().tolist() == ["internet"]
    with pytest.raises(ValueError, match="input_features is not equal"):
        agg.get_feature_names_out(["cell", "time", "other"])
    array_agg = HourlyAggregator(input_freq="10min").fit(np.ones((12, 2)))
    assert array_agg.get_feature_names_out().tolist() == ["x0", "x1"]


def test_interpolate_is_linear_within_each_cell_only():
    slots = _two_cells(2, 2)
    slots["internet"] = np.r_[np.arange(12.0), np.arange(12.0) * 100]
    slots.loc[[3, 15], "internet"] = np.nan
    agg = HourlyAggregator(missing="interpolate", freq="10min")
    out = agg.fit_transform(slots)
    assert out.loc[(1, slots["time"][3]), "internet"] == 3.0
    assert out.loc[(2, slots["time"][15]), "internet"] == 300.0
    assert agg.n_missing_ == 2


def test_interpolate_needs_a_value_to_start_from():
    frame = _series([np.nan] * 6)
    with pytest.raises(ValueError, match="nothing to interpolate from"):
        HourlyAggregator(missing="interpolate").fit(frame)


def test_empty_and_single_timestamp_tables_have_clear_errors():
    with pytest.raises(ValueError, match="X has 0 rows"):
        HourlyAggregator().fit(_series([]))
    with pytest.raises(ValueError, match="single timestamp"):
        HourlyAggregator().fit(_series([1.0]))


def test_duplicates_sum_keeps_nan_only_where_every_row_is_nan():
    frame = _series([1.0, 2.0, np.nan, 4.0, 5.0, 6.0]).reset_index()
    doubled = pd.concat([frame, frame.assign(internet=[1.0, np.nan, np.nan, 1, 1, 1])])
    agg = HourlyAggregator(duplicates="sum", missing="nan", freq="10min")
    out = agg.fit_transform(doubled)["internet"]
    assert out.tolist()[:2] == [2.0, 2.0]
    assert np.isnan(out.iloc[2])
    assert agg.n_missing_ == 1


# -------------------------------------------- sklearn conventions on the frame path
def test_frame_path_clones_pickles_and_refits_identically():
    import pickle

    from sklearn.base import clone

    frame = _two_cells(4, 4)
    before = frame.copy(deep=True)
    agg = HourlyAggregator(missing="nan", end="2013-11-01")
    first = agg.fit_transform(frame)
    pd.testing.assert_frame_equal(frame, before)
    again = pickle.loads(pickle.dumps(agg)).transform(frame)
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(clone(agg).fit_transform(frame), first)
    assert agg.fit(frame).transform(frame).equals(first)
    with pytest.raises(ValueError, match="feature names"):
        agg.transform(frame.rename(columns={"internet": "sms_in"}))


def test_a_sum_that_overflows_is_an_error_naming_the_column():
    from lstmforecast.datasets import make_milano_traffic

    frame = make_milano_traffic(1, 1, random_state=0, types=["internet"])
    frame["internet"] = 1e308
    before = frame.copy()
    with np.errstate(over="ignore"):
        with pytest.raises(ValueError, match=r"'sum' of column\(s\) \['internet'\]"):
            HourlyAggregator().fit_transform(frame)
    pd.testing.assert_frame_equal(frame, before)


# ------------------------------------------------ other data than Milano (issue 12)
def _one_line(info):
    message = str(info.value)
    assert "\n" not in message, message
    assert "np." not in message, message  # no numpy reprs such as np.int64(899)
    return message


def test_series_indexed_by_time_gives_a_series_of_the_same_name():
    frame = _series(np.arange(12.0))
    series = frame["internet"]
    before = series.copy()
    out = HourlyAggregator().fit_transform(series)
    assert isinstance(out, pd.Series) and out.name == "internet"
    pd.testing.assert_series_equal(
        out, HourlyAggregator().fit_transform(frame)["internet"]
    )
    assert out.tolist() == [15.0, 51.0]
    pd.testing.assert_series_equal(series, before)
    unnamed = HourlyAggregator(agg="max").fit_transform(series.rename(None))
    assert unnamed.name is None and unnamed.tolist() == [5.0, 11.0]


def test_series_without_timestamps_is_refused_with_the_fix():
    with pytest.raises(
        ValueError, match="Series whose index .*RangeIndex.*Index it by time"
    ):
        HourlyAggregator().fit_transform(pd.Series(np.ones(12)))


def test_time_in_any_named_column_or_index_level():
    frame = _series(np.arange(12.0)).reset_index().rename(columns={"time": "ts"})
    before = frame.copy()
    out = HourlyAggregator(time_column="ts").fit_transform(frame)
    assert out.index.name == "ts" and out["internet"].tolist() == [15.0, 51.0]
    pd.testing.assert_frame_equal(frame, before)
    levels = _two_cells(3, 3).set_index(["cell", "time"])
    pd.testing.assert_frame_equal(
        HourlyAggregator().fit_transform(levels),
        HourlyAggregator().fit_transform(_two_cells(3, 3)),
    )


def test_hourly_output_aggregates_again_to_days():
    slots, truth = make_milano_traffic(2, 3, random_state=0, return_hourly=True)
    hourly = HourlyAggregator().fit_transform(slots)
    daily = HourlyAggregator(freq="1D").fit_transform(hourly)  # (cell, time) index
    pd.testing.assert_frame_equal(
        daily, HourlyAggregator(freq="1D").fit_transform(slots)
    )
    series = HourlyAggregator(freq="1D").fit_transform(hourly["internet"])
    pd.testing.assert_series_equal(series, daily["internet"])
    assert daily.shape == (6, 5)


def test_time_column_under_another_name_is_named_in_the_error():
    frame = _series(np.ones(12)).reset_index().rename(columns={"time": "ts"})
    with pytest.raises(
        ValueError, match=r"no 'time' column.*\['ts'\].*time_column='ts'"
    ) as info:
        HourlyAggregator().fit_transform(frame)
    _one_line(info)
    levels = (
        _two_cells(1, 1).rename(columns={"time": "when"}).set_index(["cell", "when"])
    )
    with pytest.raises(ValueError, match="time_column='when'"):
        HourlyAggregator().fit_transform(levels)
    with pytest.raises(ValueError, match="no 'stamp' column.*time_column='ts'"):
        HourlyAggregator(time_column="stamp").fit_transform(frame)
    numbers = pd.DataFrame({"internet": np.ones(12)})
    with pytest.raises(ValueError, match="'time_column' parameter .*'stamp'.*names no"):
        HourlyAggregator(time_column="stamp").fit_transform(numbers)
    strings = frame.assign(ts=frame["ts"].astype(str))
    with pytest.raises(
        TypeError, match="'ts' must hold datetimes.*first value '2013"
    ) as info:
        HourlyAggregator(time_column="ts").fit_transform(strings)
    _one_line(info)


@pytest.mark.parametrize(
    "X",
    [np.ones((12, 1)), pd.DataFrame({"internet": np.ones(12)})],
    ids=["array", "frame without times"],
)
def test_input_without_timestamps_needs_input_freq(X):
    with pytest.raises(
        ValueError, match="no timestamps.*does not guess.*input_freq"
    ) as info:
        HourlyAggregator().fit(X)
    _one_line(info)
    with pytest.raises(ValueError, match="'irregular' .* needs|X has none"):
        HourlyAggregator(input_freq="irregular").fit(X)


def test_half_hourly_rows_become_hours_not_three_hour_blocks():
    X = np.arange(6.0).reshape(-1, 1)  # half-hourly: 0, 1 | 2, 3 | 4, 5
    out = HourlyAggregator(input_freq="30min").fit_transform(X)
    np.testing.assert_array_equal(out, [[1.0], [5.0], [9.0]])


def test_array_errors_name_the_row_and_column():
    with pytest.raises(ValueError, match=r"X\[1, 0\] is 'abc', not a number") as info:
        HourlyAggregator(input_freq="10min").fit(
            np.array([["1"], ["abc"]], dtype=object)
        )
    _one_line(info)
    X = np.ones((6, 2))
    X[4, 1] = np.nan
    with pytest.raises(ValueError, match="1 NaN value.*row 4, column 'x1'"):
        HourlyAggregator(input_freq="10min").fit(X)
    with pytest.raises(
        ValueError, match=r"5 missing slot.*first: row 7 \(after the last row\)"
    ) as info:
        HourlyAggregator(input_freq="10min").fit(np.ones((7, 1)))
    _one_line(info)


# ------------------------------------------------------------- irregular readings
def _readings():
    """Readings about every 5 minutes, with a gap from 01:00 to 03:00 (hand-made)."""
    times = pd.to_datetime(
        ["00:02", "00:07", "00:13", "00:55", "03:04", "03:09", "03:31", "04:58"],
        format="%H:%M",
    ) + pd.Timedelta(days=41577)  # 2013-11-01
    values = [1.0, 2.0, 6.0, 3.0, 10.0, 20.0, 30.0, 4.0]
    return pd.DataFrame({"load": values}, index=pd.DatetimeIndex(times, name="time"))


def test_irregular_readings_mean_over_each_hour():
    frame = _readings()
    assert frame.index[0] == pd.Timestamp("2013-11-01 00:02")
    shuffled = frame.sample(frac=1.0, random_state=0)
    before = shuffled.copy()
    agg = HourlyAggregator(agg="mean", input_freq="irregular", missing="nan")
    out = agg.fit_transform(shuffled)["load"]
    assert out.index.hour.tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(out, [3.0, np.nan, np.nan, 20.0, 4.0])
    assert agg.input_freq_ == "irregular" and agg.n_missing_ == 2
    assert agg.missing_slots_["time"].dt.hour.tolist() == [1, 2]
    pd.testing.assert_frame_equal(shuffled, before)
    first = HourlyAggregator(agg="first", input_freq="irregular", missing="zero")
    assert first.fit_transform(shuffled)["load"].tolist() == [1.0, 0, 0, 10.0, 4.0]


def test_irregular_readings_without_the_option_point_to_it():
    with pytest.raises(
        ValueError, match="not on the 5min grid.*input_freq='irregular'"
    ) as info:
        HourlyAggregator(agg="mean").fit(_readings())
    _one_line(info)
    # a smallest gap that does not divide the hour: the spacing is not a grid
    odd = _readings().iloc[[0, 2, 3]]  # gaps of 11 and 42 minutes
    with pytest.raises(ValueError, match="11min.*not all on a grid.*'irregular'"):
        HourlyAggregator(agg="mean").fit(odd)
    with pytest.raises(
        ValueError, match="2 missing period.*no reading.*01:00:00"
    ) as info:
        HourlyAggregator(agg="mean", input_freq="irregular").fit(_readings())
    _one_line(info)


def test_irregular_interpolation_respects_max_gap():
    frame = _readings()
    with pytest.raises(ValueError, match=r"2 missing period\(s\) in a row \(2h\)"):
        HourlyAggregator(agg="mean", input_freq="irregular", missing="interpolate").fit(
            frame
        )
    agg = HourlyAggregator(
        agg="mean", input_freq="irregular", missing="interpolate", max_gap="2h"
    )
    out = agg.fit_transform(frame)["load"]
    np.testing.assert_allclose(out, [3.0, 3.0 + 17 / 3, 3.0 + 34 / 3, 20.0, 4.0])


def test_irregular_readings_per_cell_and_nan_readings():
    frame = pd.concat([_readings().assign(cell=1), _readings().assign(cell=2)])
    frame = frame.reset_index()
    frame.loc[0, "load"] = np.nan  # cell 1's first reading
    with pytest.raises(ValueError, match="NaN value.*column 'load' at cell 1 at 2013"):
        HourlyAggregator(agg="mean", input_freq="irregular").fit(frame)
    out = HourlyAggregator(
        agg="mean", input_freq="irregular", missing="zero"
    ).fit_transform(frame)["load"]
    assert out.loc[1].tolist() == [11 / 3, 0.0, 0.0, 20.0, 4.0]  # NaN reading ignored
    assert out.loc[2].tolist() == [3.0, 0.0, 0.0, 20.0, 4.0]


# ------------------------------------------------------------------- max_gap
def _hours_with_gap(hours=28):
    """Hourly values 0..47 with ``hours`` hours missing from 10:00."""
    index = pd.date_range("2013-11-01", periods=48, freq="1h", tz=TIMEZONE, name="time")
    frame = pd.DataFrame({"x": np.arange(48.0)}, index=index)
    return frame.drop(index[10 : 10 + hours])


def test_interpolate_refuses_a_28_hour_gap_by_default():
    agg = HourlyAggregator(missing="interpolate", input_freq="1h")
    with pytest.raises(
        ValueError, match=r"28 missing slot\(s\) in a row \(28h\)"
    ) as info:
        agg.fit(_hours_with_gap())
    message = _one_line(info)
    assert "from 2013-11-01 10:00:00+01:00 to 2013-11-02 13:00:00+01:00" in message
    assert "max_gap is '1h'" in message
    filled = HourlyAggregator(missing="interpolate", input_freq="1h", max_gap=None)
    np.testing.assert_allclose(
        filled.fit_transform(_hours_with_gap())["x"], np.arange(48.0)
    )
    exact = HourlyAggregator(missing="interpolate", input_freq="1h", max_gap="28h")
    assert exact.fit(_hours_with_gap()).n_missing_ == 28


def test_max_gap_counts_runs_per_cell_and_at_the_edges():
    # the default fills one hour: six 10-minute slots, not seven
    six = _series(np.arange(24.0)).drop(_series(np.arange(24.0)).index[6:12])
    out = HourlyAggregator(missing="interpolate").fit_transform(six)["internet"]
    assert out.tolist() == [15.0, 51.0, 87.0, 123.0]
    seven = _series(np.arange(24.0)).drop(_series(np.arange(24.0)).index[6:13])
    with pytest.raises(ValueError, match=r"7 missing slot\(s\) in a row \(1h10min\)"):
        HourlyAggregator(missing="interpolate").fit(seven)
    slots = _two_cells(3, 1)  # cell 2 ends 2 hours early: a trailing 12-slot run
    with pytest.raises(ValueError, match="in column 'internet' of cell 2, from"):
        HourlyAggregator(missing="interpolate").fit(slots)
    assert (
        HourlyAggregator(missing="interpolate", max_gap="2h").fit(slots).n_missing_
        == 12
    )


@pytest.mark.parametrize("max_gap", ["0h", "-1h", "soon"])
def test_max_gap_must_be_a_positive_duration(max_gap):
    with pytest.raises(ValueError, match="'max_gap' parameter.*positive"):
        HourlyAggregator(max_gap=max_gap).fit(_series(np.ones(12)))


# ---------------------------------------------------------------- duplicates
def _doubled():
    """One hour: 00:00 has two rows (2 and 4), the five other slots hold 3."""
    frame = _series([2.0, 3, 3, 3, 3, 3]).reset_index()
    return pd.concat([frame, frame.iloc[[0]].assign(internet=4.0)], ignore_index=True)


@pytest.mark.parametrize(
    ("duplicates", "agg", "expected"),
    [
        # each slot counts once; the duplicates of 00:00 become one slot value
        ("sum", "sum", 6 + 5 * 3),  # slot 00:00 = 2 + 4
        ("sum", "mean", (6 + 5 * 3) / 6),  # the mean slot total, not a row mean
        ("sum", "max", 6.0),
        ("mean", "sum", 3 + 5 * 3),  # slot 00:00 = (2 + 4) / 2
        ("mean", "mean", 3.0),
        ("first", "sum", 2 + 5 * 3),  # the first row of 00:00 in X's order
        ("first", "mean", (2 + 5 * 3) / 6),
    ],
)
def test_duplicates_policies_with_hand_computed_values(duplicates, agg, expected):
    out = HourlyAggregator(agg=agg, duplicates=duplicates).fit_transform(_doubled())
    assert out["internet"].tolist() == [pytest.approx(expected, rel=1e-15)]


def test_duplicates_first_follows_the_order_of_x_and_mean_ignores_nan():
    doubled = _doubled()
    reordered = doubled.iloc[[6, 0, 1, 2, 3, 4, 5]]
    out = HourlyAggregator(duplicates="first").fit_transform(reordered)
    assert out["internet"].tolist() == [4 + 5 * 3]
    with_nan = doubled.assign(internet=doubled["internet"].where(doubled.index != 6))
    out = HourlyAggregator(duplicates="mean", missing="nan").fit_transform(with_nan)
    assert out["internet"].tolist() == [2 + 5 * 3]


def test_duplicate_error_names_the_cell_without_numpy_repr():
    slots = _two_cells(1, 1)
    slots["cell"] = slots["cell"].map({1: 899, 2: 900}).astype(np.int64)
    doubled = pd.concat([slots, slots.iloc[[3]]])
    with pytest.raises(ValueError, match="first: cell 899 at 2013-11-01 00:30") as info:
        HourlyAggregator().fit(doubled)
    assert "'mean' (repeated readings" in _one_line(info)


# ------------------------------------------------- messages name real cells
def test_missing_slot_error_names_real_cells_not_zero():
    gap = _with_gap()
    with pytest.raises(ValueError, match="first: 2013-11-01 00:20:00") as info:
        HourlyAggregator().fit(gap)
    assert "0 at" not in _one_line(info)
    tidy = gap.reset_index().assign(cell=np.int64(899))
    with pytest.raises(ValueError, match="first: cell 899 at 2013-11-01 00:20") as info:
        HourlyAggregator().fit(tidy)
    _one_line(info)


def test_frequencies_in_messages_are_written_as_users_write_them():
    with pytest.raises(
        ValueError,
        match=r"'freq' parameter of HourlyAggregator \('25min'\).*spacing 10min",
    ) as info:
        HourlyAggregator(freq=pd.Timedelta("25min")).fit(_series(np.ones(12)))
    _one_line(info)
    with pytest.raises(ValueError, match="missing slot.* of 10min"):
        HourlyAggregator().fit(_with_gap())


def test_new_inputs_are_never_modified():
    inputs = {
        "series": _series(np.arange(12.0))["internet"],
        "levels": _two_cells(2, 2).set_index(["cell", "time"]),
        "readings": _readings(),
        "array": np.arange(12.0).reshape(-1, 1),
    }
    copies = {k: v.copy() for k, v in inputs.items()}
    HourlyAggregator().fit_transform(inputs["series"])
    HourlyAggregator(missing="interpolate").fit_transform(inputs["levels"])
    HourlyAggregator(agg="mean", input_freq="irregular", missing="zero").fit_transform(
        inputs["readings"]
    )
    HourlyAggregator(input_freq="10min", missing="zero").fit_transform(inputs["array"])
    pd.testing.assert_series_equal(inputs["series"], copies["series"])
    pd.testing.assert_frame_equal(inputs["levels"], copies["levels"])
    pd.testing.assert_frame_equal(inputs["readings"], copies["readings"])
    np.testing.assert_array_equal(inputs["array"], copies["array"])
