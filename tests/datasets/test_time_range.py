"""Date-range selection on Milan local time, DST days included."""

import pandas as pd
import pytest

from lstmforecast.datasets import (
    TIMEZONE,
    make_milano_traffic,
    read_milano,
    write_milano,
)


@pytest.fixture(scope="module")
def dst_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dst")
    frame = make_milano_traffic(
        cells=[5161], n_days=3, start="2013-10-26", empty_fraction=0, random_state=0
    )
    write_milano(frame, folder, random_state=0)
    return folder


def test_date_only_end_includes_the_whole_25_hour_day(dst_files):
    frame = read_milano(dst_files, start="2013-10-27", end="2013-10-27")
    assert len(frame) == 25 * 6
    assert frame["time"].iloc[0] == pd.Timestamp("2013-10-27 00:00", tz=TIMEZONE)
    assert frame["time"].iloc[-1] == pd.Timestamp("2013-10-27 23:50", tz=TIMEZONE)


def test_timestamp_end_is_inclusive(dst_files):
    frame = read_milano(dst_files, start="2013-10-26 08:00", end="2013-10-26 09:00")
    assert len(frame) == 7  # 08:00 ... 09:00


@pytest.mark.parametrize("value", ["2013-10-27 02:00", "2013-03-31 02:30"])
def test_ambiguous_or_nonexistent_local_time_names_the_parameter(dst_files, value):
    with pytest.raises(ValueError, match="'start' parameter .* not a single instant"):
        read_milano(dst_files, start=value)


def test_offset_makes_an_ambiguous_time_usable(dst_files):
    frame = read_milano(
        dst_files, start="2013-10-27 02:00+01:00", end="2013-10-27 02:50+01:00"
    )
    assert len(frame) == 6
    assert (frame["time"].dt.strftime("%z") == "+0100").all()
