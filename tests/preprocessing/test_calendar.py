"""CalendarFeatures: values on Milan's clock, holidays, encodings, bad input."""

import numpy as np
import pandas as pd
import pytest

from lstmforecast.preprocessing import CalendarFeatures

ALL = [
    "minute",
    "hour",
    "day_of_week",
    "day_of_month",
    "day_of_year",
    "week_of_year",
    "month",
    "quarter",
    "is_weekend",
    "is_holiday",
    "working_day",
]


def _hours(start="2013-11-01", periods=24 * 61, tz="Europe/Rome"):
    index = pd.date_range(start, periods=periods, freq="h", tz=tz, name="time")
    return pd.DataFrame({"internet": np.arange(periods, dtype=float)}, index=index)


def _features(X, **params):
    est = CalendarFeatures(**params).set_output(transform="pandas")
    return est.fit_transform(X)


def test_ordinal_values_match_pandas_on_local_time():
    X = _hours()
    out = _features(X, features=ALL)
    idx = X.index
    assert out["hour"].tolist() == idx.hour.tolist()
    assert out["day_of_week"].tolist() == idx.day_of_week.tolist()
    assert out["week_of_year"].tolist() == idx.isocalendar().week.tolist()
    assert out["day_of_month"].tolist() == idx.day.tolist()
    assert out.index.equals(idx)


def test_working_days_of_milan_in_november_december_2013():
    daily = _features(_hours(), features=["working_day", "is_holiday"]).iloc[::24]
    days = daily.index.strftime("%m-%d")
    off = set(days[daily["working_day"] == 0])
    holidays = set(days[daily["is_holiday"] == 1])
    # All Saints, Sant'Ambrogio (Milan only), Immaculate Conception, Christmas,
    # St Stephen; 3 Nov is listed by the holidays package (a Sunday anyway)
    assert {"11-01", "12-07", "12-08", "12-25", "12-26"} <= holidays
    national = _features(_hours(), features=["is_holiday"], subdiv=None)
    assert national.loc["2013-12-07", "is_holiday"].eq(0).all()  # not outside Milan
    weekends = {d for d, w in zip(days, daily.index.day_of_week, strict=True) if w >= 5}
    assert off == weekends | holidays
    assert len(daily) - len(off) == 40  # working days in the 61 days


def test_dst_day_hours_follow_the_local_clock():
    X = _hours(start="2013-10-27", periods=26)
    hours = _features(X, features=["hour"])["hour"].tolist()
    assert hours[:4] == [0, 1, 2, 2] and hours[-2:] == [23, 0]


def test_cyclical_encoding_is_on_the_unit_circle_and_wraps():
    out = _features(_hours(), features=["hour", "day_of_year"], encoding="cyclical")
    assert out.columns.tolist() == [
        "hour_sin",
        "hour_cos",
        "day_of_year_sin",
        "day_of_year_cos",
    ]
    np.testing.assert_allclose(out["hour_sin"] ** 2 + out["hour_cos"] ** 2, 1.0)
    # 23:00 is as close to 00:00 as 00:00 is to 01:00
    p = out[["hour_sin", "hour_cos"]].to_numpy()
    np.testing.assert_allclose(
        np.linalg.norm(p[23] - p[24]), np.linalg.norm(p[24] - p[25])
    )


def test_onehot_columns_do_not_depend_on_the_data():
    few = _hours(periods=3)
    est = CalendarFeatures(features=["hour", "working_day"], encoding="onehot")
    out = est.fit_transform(few)
    assert out.shape == (3, 25)
    assert est.get_feature_names_out()[:2].tolist() == ["hour_0", "hour_1"]
    assert (out[:, :24].sum(axis=1) == 1).all()


def test_time_column_and_epoch_milliseconds():
    X = _hours(periods=30)
    ms = X.index.tz_convert("UTC").tz_localize(None).as_unit("ms").asi8
    raw = pd.DataFrame({"time": ms, "internet": 1.0})
    # epoch ms are UTC instants: compare with the same instants on a UTC index
    by_index = CalendarFeatures(country=None).fit_transform(
        X.set_axis(X.index.tz_convert("UTC"))
    )
    by_ms = CalendarFeatures(time_column="time", unit="ms", country=None).fit_transform(
        raw
    )
    np.testing.assert_array_equal(by_index, by_ms)
    by_array = CalendarFeatures(unit="ms", country=None).fit_transform(raw.to_numpy())
    np.testing.assert_array_equal(by_array, by_ms)


def test_input_is_not_modified():
    X = _hours(periods=10)
    before = X.copy()
    _features(X, features=ALL, encoding="cyclical")
    pd.testing.assert_frame_equal(X, before)


@pytest.mark.parametrize(
    ("params", "X", "match"),
    [
        ({}, pd.DataFrame({"a": [1.0, 2.0]}), "needs timestamps.*RangeIndex"),
        ({}, np.ones((3, 1)), "array without timestamps.*'unit'"),
        (
            {"features": ["hour", "weekday"]},
            _hours(periods=3),
            r"\['weekday'\] unknown",
        ),
        ({"features": []}, _hours(periods=3), "empty"),
        ({"country": "XX"}, _hours(periods=3), "'country'/'subdiv'.*not known"),
        ({"weekend": (6, 7)}, _hours(periods=3), "'weekend' parameter"),
        ({"time_column": "when"}, _hours(periods=3), "names 'when'"),
        ({"time_column": "internet"}, _hours(periods=3), "holds numbers.*'unit'"),
        ({"encoding": "binary"}, _hours(periods=3), "'encoding' parameter"),
    ],
)
def test_bad_input_is_a_clear_error(params, X, match):
    with pytest.raises((ValueError, TypeError), match=match):
        CalendarFeatures(**params).fit(X)


def test_cyclical_week_of_year_uses_the_iso_year_length():
    idx = pd.date_range("2015-12-27", "2016-01-05", freq="D", name="time")
    X = pd.DataFrame({"x": 0.0}, index=idx)
    out = _features(X, features=["week_of_year"], encoding="cyclical", country=None)
    week53 = out.loc["2015-12-28":"2016-01-03"].drop_duplicates()
    assert len(week53) == 1  # ISO week 53 of 2015 is one point on the circle
    assert not np.allclose(week53.to_numpy(), out.loc["2016-01-04"].to_numpy())


def test_nan_in_other_array_columns_is_ignored_but_missing_times_are_not():
    ms = _hours(periods=3).index.as_unit("ms").asi8.astype(float)
    arr = np.column_stack([ms, [1.0, np.nan, 3.0]])
    assert CalendarFeatures(unit="ms").fit_transform(arr).shape == (3, 3)
    arr[1, 0] = np.nan
    with pytest.raises(ValueError, match="NaT / NaN"):
        CalendarFeatures(unit="ms").fit(arr)
