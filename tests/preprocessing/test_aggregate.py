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
def test_array_rows_are_consecutive_ten_minute_slots():
    X = np.arange(24.0).reshape(12, 2)
    out = HourlyAggregator().fit_transform(X)
    np.testing.assert_array_equal(out, [X[:6].sum(axis=0), X[6:].sum(axis=0)])


def test_pandas_output_for_arrays():
    agg = HourlyAggregator().set_output(transform="pandas")
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
    with pytest.raises(ValueError, match="not on the 0 days 00:10:00 grid"):
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
    with pytest.raises(ValueError, match="12 missing slot.*2 at 2013-11-01 03:00"):
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
    out = HourlyAggregator(agg=agg, missing="nan").fit_transform(X)
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
    positional = HourlyAggregator(agg=agg).fit_transform(values.reshape(-1, 1))
    np.testing.assert_allclose(timed["internet"].to_numpy(), positional[:, 0])


def test_feature_names_follow_sklearn_rules():
    frame = _two_cells(2, 2)
    agg = HourlyAggregator().fit(frame)
    assert agg.get_feature_names_out().tolist() == ["internet"]
    with pytest.raises(ValueError, match="input_features is not equal"):
        agg.get_feature_names_out(["cell", "time", "other"])
    array_agg = HourlyAggregator().fit(np.ones((12, 2)))
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
