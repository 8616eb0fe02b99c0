"""Tests of the synthetic Milano generator and of the file round trip."""

import numpy as np
import pandas as pd
import pytest

from lstmforecast.datasets import (
    TIMEZONE,
    TRAFFIC_TYPES,
    load_milano_totals,
    make_milano_traffic,
    read_milano,
    write_milano,
)
from lstmforecast.preprocessing import HourlyAggregator


def _local_date(frame):
    return frame["time"].dt.tz_localize(None).dt.normalize()


def _daily_totals(frame, column="internet"):
    return frame.groupby(_local_date(frame))[column].sum()


# ------------------------------------------------------------------- shapes
def test_make_milano_traffic_shape_and_dtypes():
    frame = make_milano_traffic(n_cells=4, n_days=2, random_state=0)
    assert frame.shape == (4 * 2 * 144, 2 + len(TRAFFIC_TYPES))
    assert list(frame.columns) == ["cell", "time", *TRAFFIC_TYPES]
    assert frame["cell"].dtype == np.int64
    assert frame["time"].dtype == pd.DatetimeTZDtype("ns", TIMEZONE)
    assert frame["cell"].nunique() == 4
    for _, one in frame.groupby("cell"):
        times = one["time"].reset_index(drop=True)
        assert times.iloc[0] == pd.Timestamp("2013-11-01", tz=TIMEZONE)
        assert (times.diff().dropna() == pd.Timedelta(minutes=10)).all()
    keys = list(zip(frame["cell"], frame["time"], strict=True))
    assert keys == sorted(keys)


def test_make_milano_traffic_dst_day_has_150_slots():
    frame = make_milano_traffic(cells=[3, 5161], start="2013-10-26", n_days=3)
    per_day = frame.groupby(["cell", _local_date(frame)]).size()
    assert per_day.xs(pd.Timestamp("2013-10-27"), level=1).tolist() == [150, 150]
    assert per_day.xs(pd.Timestamp("2013-10-26"), level=1).tolist() == [144, 144]
    assert per_day.xs(pd.Timestamp("2013-10-28"), level=1).tolist() == [144, 144]
    assert len(frame) == 2 * (144 + 150 + 144)
    # 02:00-02:50 local happens twice, once at +02:00 and once at +01:00
    two_am = frame.loc[frame["cell"] == 3, "time"].dt.strftime("%d %H:%M%z")
    assert (two_am == "27 02:30+0200").sum() == 1
    assert (two_am == "27 02:30+0100").sum() == 1


def test_make_milano_traffic_cells_and_types():
    frame = make_milano_traffic(cells=[5161, 3], types=[5, "sms_in"], n_days=1)
    assert list(frame.columns) == ["cell", "time", "sms_in", "internet"]
    assert sorted(frame["cell"].unique().tolist()) == [3, 5161]


def test_make_milano_traffic_is_reproducible():
    a = make_milano_traffic(n_cells=3, n_days=2, random_state=7)
    b = make_milano_traffic(n_cells=3, n_days=2, random_state=7)
    c = make_milano_traffic(n_cells=3, n_days=2, random_state=8)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not a.equals(c)
    rng = np.random.RandomState(3)
    d = make_milano_traffic(cells=[3], n_days=1, random_state=rng)
    e = make_milano_traffic(cells=[3], n_days=1, random_state=np.random.RandomState(3))
    pd.testing.assert_frame_equal(d, e, check_exact=True)


def test_make_milano_traffic_values_are_non_negative_multiples_of_1_1024():
    frame = make_milano_traffic(n_cells=5, n_days=3, random_state=1)
    values = frame[list(TRAFFIC_TYPES)].to_numpy()
    assert np.isfinite(values).all()
    assert (values >= 0).all()
    scaled = values * 1024
    np.testing.assert_array_equal(scaled, np.round(scaled))
    assert (values > 0).mean() > 0.9  # not trivially all zero


@pytest.mark.parametrize("fraction", [0.0, 0.05, 0.3])
def test_make_milano_traffic_empty_fraction(fraction):
    frame = make_milano_traffic(
        cells=[5161, 4159], n_days=7, empty_fraction=fraction, random_state=2
    )
    all_zero = (frame[list(TRAFFIC_TYPES)] == 0).all(axis=1)
    any_zero = (frame[list(TRAFFIC_TYPES)] == 0).any(axis=1)
    assert (all_zero == any_zero).all()  # busy cells: zeros only in empty slots
    n = len(frame)
    expected = fraction * n
    assert abs(all_zero.sum() - expected) <= 4 * np.sqrt(n * 0.25) + 1
    if fraction == 0:
        assert all_zero.sum() == 0


def test_make_milano_traffic_hourly_is_the_sum_of_six_slots():
    frame, hourly = make_milano_traffic(
        n_cells=2, start="2013-10-26", n_days=3, random_state=4, return_hourly=True
    )
    assert list(hourly.columns) == list(frame.columns)
    assert len(hourly) == len(frame) // 6 == 2 * (24 + 25 + 24)
    for cell, one in frame.groupby("cell"):
        got = hourly[hourly["cell"] == cell]
        np.testing.assert_array_equal(got["time"], one["time"].to_numpy()[::6])
        for t in TRAFFIC_TYPES:
            six = one[t].to_numpy().reshape(-1, 6).sum(axis=1)
            np.testing.assert_array_equal(got[t].to_numpy(), six)


# ------------------------------------------------------------ realistic levels
def test_make_milano_traffic_cell_levels_follow_the_real_totals():
    totals = load_milano_totals().set_index("cell")["internet"]
    busiest = int(totals.idxmax())
    assert busiest == 5161
    quiet = int((totals - totals.median()).abs().idxmin())  # a typical cell
    frame = make_milano_traffic(cells=[busiest, quiet], n_days=7, random_state=0)
    means = frame.groupby("cell")["internet"].mean()
    assert means[busiest] > means[quiet]
    ratio = (means[busiest] / means[quiet]) / (totals[busiest] / totals[quiet])
    assert 0.9 < ratio < 1.1
    # the other types follow internet at lower levels
    for t in ("sms_in", "sms_out", "call_in", "call_out"):
        assert frame.groupby("cell")[t].mean()[busiest] > frame[t].mean() / 2
        assert frame[t].mean() < frame["internet"].mean()


def test_make_milano_traffic_weekly_cycle():
    # Mon 4 Nov 2013 to Sun 17 Nov 2013: no holidays
    frame = make_milano_traffic(
        cells=[5161], start="2013-11-04", n_days=14, random_state=0
    )
    daily = _daily_totals(frame)
    weekday = daily[daily.index.day_of_week < 5]
    sundays = daily[daily.index.day_of_week == 6]
    saturdays = daily[daily.index.day_of_week == 5]
    assert len(weekday) == 10 and len(sundays) == 2
    assert sundays.max() < weekday.min()
    assert sundays.mean() < saturdays.mean() < weekday.mean()


@pytest.mark.parametrize(
    ("holiday", "comparable", "control"),
    [
        # Christmas, a Wednesday, against the Wednesdays before it
        ("2013-12-25", "2013-12-18", "2013-12-11"),
        # Sant'Ambrogio (Milan only), a Saturday, against the Saturdays around it
        ("2013-12-07", "2013-11-30", "2013-12-14"),
    ],
)
def test_make_milano_traffic_holidays_are_quieter(holiday, comparable, control):
    frame = make_milano_traffic(
        cells=[5161, 4159], start="2013-11-30", n_days=27, random_state=0
    )
    daily = _daily_totals(frame)
    same_kind = daily[pd.Timestamp(comparable)] / daily[pd.Timestamp(control)]
    assert 0.95 < same_kind < 1.05
    assert daily[pd.Timestamp(holiday)] < 0.95 * daily[pd.Timestamp(comparable)]
    assert daily[pd.Timestamp(holiday)] < 0.95 * daily[pd.Timestamp(control)]


# --------------------------------------------------------------- round trip
@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("fmt", ["dataverse", "kaggle", "lab"])
def test_write_read_aggregate_round_trip_is_exact(tmp_path, fmt, compress):
    frame, truth = make_milano_traffic(
        n_cells=3,
        start="2013-10-26",
        n_days=3,
        empty_fraction=0.05,
        random_state=0,
        return_hourly=True,
    )
    assert (frame[list(TRAFFIC_TYPES)] == 0).all(axis=1).any()  # has empty slots
    before = frame.copy()
    paths = write_milano(frame, tmp_path, format=fmt, compress=compress, random_state=0)
    pd.testing.assert_frame_equal(frame, before, check_exact=True)
    suffix = ".gz" if compress else ""
    assert [p.name[-(14 + len(suffix)) :] for p in paths] == [
        f"2013-10-2{d}.{'csv' if fmt == 'kaggle' else 'txt'}{suffix}" for d in (6, 7, 8)
    ]
    slots = read_milano(tmp_path)
    if fmt == "lab":  # every slot is written
        pd.testing.assert_frame_equal(slots, frame, check_exact=True)
    else:  # empty slots have no line
        assert (
            len(slots)
            == len(frame) - (frame[list(TRAFFIC_TYPES)] == 0).all(axis=1).sum()
        )
    hourly = HourlyAggregator(missing="zero").fit_transform(slots).reset_index()
    pd.testing.assert_frame_equal(hourly, truth, check_exact=True)


def test_write_milano_splits_slots_over_country_codes(tmp_path):
    frame = make_milano_traffic(
        cells=[5161], n_days=1, empty_fraction=0, random_state=0
    )
    (path,) = write_milano(frame, tmp_path, format="dataverse", random_state=0)
    raw = pd.read_csv(path, sep="\t", header=None)
    assert raw.shape[1] == 8
    assert len(raw) > len(frame)  # several country codes per slot
    assert raw[2].isin([39, 0, 33, 49, 44, 34, 86, 1]).all()
    sums = raw.groupby([0, 1])[7].sum()  # empty fields read as NaN, skipped
    np.testing.assert_array_equal(sums.to_numpy(), frame["internet"].to_numpy())


def test_write_milano_country_codes_are_distinct_within_a_slot(tmp_path):
    frame = make_milano_traffic(cells=[5161], n_days=1, random_state=0)
    (path,) = write_milano(frame, tmp_path, format="dataverse", random_state=0)
    raw = pd.read_csv(path, sep="\t", header=None)
    assert not raw.duplicated([0, 1, 2]).any()


# ------------------------------------------------------------ bad parameters
@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_days": 0}, "'n_days'"),
        ({"n_days": 1.5}, "'n_days'"),
        ({"empty_fraction": 1}, "'empty_fraction'"),
        ({"empty_fraction": -0.1}, "'empty_fraction'"),
        ({"noise": -1}, "'noise'"),
        ({"n_cells": 0}, "'n_cells'"),
        ({"n_cells": 10001}, "'n_cells'"),
        ({"cells": [3, 0]}, "'cells'"),
        ({"cells": [10001]}, "'cells'"),
        ({"cells": []}, "'cells' parameter is an empty list"),
        ({"cells": [5, 5]}, "'cells' parameter repeats"),
        ({"types": "voice"}, "'types'"),
        ({"start": "someday"}, "'start'"),
    ],
)
def test_make_milano_traffic_bad_parameters_raise_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=name):
        make_milano_traffic(**kwargs)


def test_make_milano_traffic_accepts_a_tz_aware_start():
    aware = make_milano_traffic(cells=[3], n_days=1, start="2013-11-01T00:00+01:00")
    naive = make_milano_traffic(cells=[3], n_days=1, start="2013-11-01")
    assert aware["time"].equals(naive["time"])


def test_make_milano_traffic_unknown_cells_are_named():
    with pytest.raises(ValueError, match=r"\[10001\]"):
        make_milano_traffic(cells=[3, 10001])


def test_write_milano_bad_parameters_raise_naming_them(tmp_path):
    frame = make_milano_traffic(cells=[3], n_days=1, random_state=0)
    with pytest.raises(ValueError, match="'format'"):
        write_milano(frame, tmp_path, format="csv")
    with pytest.raises(ValueError, match="cell"):
        write_milano(frame.drop(columns="cell"), tmp_path)
    assert list(tmp_path.iterdir()) == []
