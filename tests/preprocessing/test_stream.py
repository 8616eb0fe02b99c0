"""HourlyAggregator.fit_transform_chunks and iter_milano: aggregating chunk by chunk
gives exactly the in-memory table, whatever the cuts, or a one-line error."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmforecast.datasets import (
    iter_milano,
    make_milano_traffic,
    read_milano,
    write_milano,
)
from lstmforecast.preprocessing import HourlyAggregator


def _holed_slots():
    """Four cells, four days; one cell absent all of day 2, some slots missing."""
    slots = make_milano_traffic(n_cells=4, n_days=4, random_state=0)
    day = slots["time"].dt.tz_convert("Europe/Rome").dt.day
    first = slots["cell"].unique()[0]
    return slots[~((day == 2) & (slots["cell"] == first))].reset_index(drop=True)


SLOTS = _holed_slots()


def _by_day(frame):
    day = frame["time"].dt.tz_convert("Europe/Rome").dt.date
    return [part for _, part in frame.groupby(day)]


def _cut(frame, bounds):
    """Consecutive pieces of ``frame`` in time order, cut at row positions."""
    keys = [k for k in ("time", "cell") if k in frame.columns]
    ordered = frame.sort_values(keys, kind="stable")
    edges = [0, *sorted(bounds), len(ordered)]
    return [ordered.iloc[a:b] for a, b in zip(edges[:-1], edges[1:], strict=True)]


def _assert_same(params, chunks, table):
    ref = HourlyAggregator(**params)
    expected = ref.fit_transform(table)
    agg = HourlyAggregator(**params)
    got = agg.fit_transform_chunks(chunks)
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(agg.missing_slots_, ref.missing_slots_)
    assert agg.n_missing_ == ref.n_missing_
    assert agg.input_freq_ == ref.input_freq_
    assert list(agg.feature_names_in_) == list(ref.feature_names_in_)
    return agg


@pytest.mark.parametrize(
    "params",
    [
        {"missing": "zero"},
        {"missing": "nan"},
        {"missing": "zero", "freq": "1D"},
        {"missing": "zero", "agg": "mean"},
        {"missing": "nan", "freq": "30min", "start": "2013-10-31"},
        {"missing": "zero", "end": "2013-11-06"},
        {"missing": "zero", "duplicates": "sum"},
    ],
    ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()),
)
def test_daily_chunks_give_the_in_memory_table(params):
    agg = _assert_same(params, _by_day(SLOTS), SLOTS)
    assert agg.n_missing_ > 0  # the absent cell-day is counted, not dropped


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, len(SLOTS)), max_size=8), st.sampled_from(["1h", "1D"]))
def test_any_cut_in_time_order_gives_the_in_memory_table(bounds, freq):
    _assert_same({"missing": "zero", "freq": freq}, _cut(SLOTS, bounds), SLOTS)


def test_duplicates_split_across_chunks_are_resolved_as_in_memory():
    doubled = pd.concat([SLOTS, SLOTS.iloc[::7]], ignore_index=True)
    chunks = _cut(doubled, [len(doubled) // 2])
    _assert_same({"missing": "zero", "duplicates": "sum"}, chunks, doubled)


def test_dst_days_and_irregular_readings():
    dst = make_milano_traffic(n_cells=2, n_days=3, start="2013-10-26", random_state=0)
    for freq in ("1h", "1D"):  # 27 October has 25 hours
        _assert_same({"missing": "zero", "freq": freq}, _by_day(dst), dst)
    rng = np.random.default_rng(0)
    seconds = np.sort(rng.choice(3 * 86_400, 400, replace=False))
    times = pd.Timestamp("2013-11-01", tz="Europe/Rome") + pd.to_timedelta(
        seconds, unit="s"
    )
    readings = pd.DataFrame({"time": times, "load": rng.normal(size=400)})
    params = {"missing": "nan", "agg": "mean", "input_freq": "irregular"}
    _assert_same(params, _cut(readings, [100, 250]), readings)


def test_missing_raise_gives_the_in_memory_message():
    with pytest.raises(ValueError) as in_memory:
        HourlyAggregator().fit_transform(SLOTS)
    with pytest.raises(ValueError) as streamed:
        HourlyAggregator().fit_transform_chunks(_by_day(SLOTS))
    assert str(streamed.value) == str(in_memory.value)
    assert "missing slot(s)" in str(streamed.value)


def test_progress_is_called_once_per_chunk_and_inputs_are_not_modified():
    chunks = _by_day(SLOTS)
    copies = [c.copy() for c in chunks]
    seen = []
    HourlyAggregator(missing="zero").fit_transform_chunks(
        chunks, progress=lambda k, chunk: seen.append((k, len(chunk)))
    )
    assert seen == [(k, len(c)) for k, c in enumerate(chunks)]
    for chunk, copy in zip(chunks, copies, strict=True):
        pd.testing.assert_frame_equal(chunk, copy)


@pytest.mark.parametrize(
    ("params", "chunks", "match"),
    [
        (
            {"missing": "interpolate"},
            _by_day(SLOTS),
            r"missing='interpolate'.*another chunk.*fit_transform",
        ),
        ({"missing": "zero", "freq": "2h"}, _by_day(SLOTS), r"'freq'.*'2h'.*'1h'"),
        (
            {"missing": "zero"},
            _by_day(SLOTS)[::-1],
            r"Chunk 1 has a row at .* already aggregated .* time order",
        ),
        (
            {"missing": "zero"},
            [SLOTS.iloc[:10], SLOTS.iloc[10:20].drop(columns="sms_in")],
            r"Chunk 1 has columns \[.*\], but chunk 0 had",
        ),
        ({"missing": "zero"}, [SLOTS.to_numpy()], r"Chunk 0 is a ndarray"),
        ({"missing": "zero"}, [SLOTS.iloc[:0]] * 2, r"got 2 chunk\(s\) and no row"),
        (
            {"missing": "zero", "end": "2013-11-02"},
            _by_day(SLOTS),
            r"rows outside the window",
        ),
        (
            {"missing": "zero"},
            [SLOTS.iloc[:50], SLOTS.iloc[50:60].assign(sms_in="x")],
            r"^Chunk 1: Column\(s\) \['sms_in'\] of X are not numeric",
        ),
    ],
    ids=[
        "interpolate",
        "freq-2h",
        "out-of-order",
        "columns",
        "array",
        "empty",
        "window",
        "text",
    ],
)
def test_bad_chunks_are_one_line_errors(params, chunks, match):
    with pytest.raises((ValueError, TypeError), match=match) as info:
        HourlyAggregator(**params).fit_transform_chunks(chunks)
    assert "\n" not in str(info.value)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("raw")
    write_milano(SLOTS, path, format="dataverse", random_state=0)
    return path


def test_iter_milano_yields_read_milanos_rows_file_by_file(folder):
    frames = list(iter_milano(folder, types=["internet", "sms_in"]))
    assert len(frames) == 4
    assert all(f.attrs["source"].endswith(".txt") for f in frames)
    joined = pd.concat(frames).sort_values(["cell", "time"], ignore_index=True)
    pd.testing.assert_frame_equal(
        joined, read_milano(folder, types=["internet", "sms_in"])
    )
    agg = HourlyAggregator(missing="zero")
    streamed = agg.fit_transform_chunks(iter_milano(folder))
    pd.testing.assert_frame_equal(
        streamed, HourlyAggregator(missing="zero").fit_transform(read_milano(folder))
    )


def test_iter_milano_reads_in_date_order_and_checks_the_whole_selection(folder):
    files = sorted(folder.iterdir())
    days = [f.attrs["source"] for f in iter_milano(files[::-1])]
    assert days == [str(f) for f in files]
    with pytest.raises(ValueError, match=r"Cell\(s\) \[9999\] not found"):
        list(iter_milano(folder, cells=[9999]))
    with pytest.raises(ValueError, match="none of the 4 file"):
        list(iter_milano(folder, start="2014-01-01"))
    with pytest.raises(ValueError, match="'on_bad_lines' parameter"):
        iter_milano(folder, on_bad_lines="ignore")  # checked before any file
