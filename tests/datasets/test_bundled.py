import gzip
import hashlib
import re

import numpy as np
import pandas as pd
import pytest

from lstmforecast.datasets import (
    BUNDLED_CELLS,
    TIMEZONE,
    get_data_dir,
    load_dataset,
    load_lab_reference,
    load_milano_cells,
    load_milano_totals,
    make_milano_traffic,
    write_milano,
)
from lstmforecast.preprocessing import HourlyAggregator


def _provenance_checksums():
    """(relative path, sha256 of the .gz, sha256 of the content) from PROVENANCE.md."""
    text = (get_data_dir() / "PROVENANCE.md").read_text()
    pattern = r"\| `data/milano/([^`]+)` \| `([0-9a-f]{64})` \| (?:`([0-9a-f]{64})`|\()"
    return re.findall(pattern, text)


CHECKSUMS = _provenance_checksums()


def test_provenance_lists_every_bundled_file():
    listed = {path for path, _, _ in CHECKSUMS}
    shipped = {
        str(p.relative_to(get_data_dir()))
        for p in get_data_dir().rglob("*")
        if p.is_file() and p.suffix in (".gz", ".csv")
    }
    assert listed == shipped


@pytest.mark.parametrize(
    ("path", "sha_file", "sha_content"), CHECKSUMS, ids=[c[0] for c in CHECKSUMS]
)
def test_bundled_files_match_their_provenance(path, sha_file, sha_content):
    raw = (get_data_dir() / path).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == sha_file
    if sha_content:
        content = gzip.decompress(raw)
        assert hashlib.sha256(content).hexdigest() == sha_content


def test_provenance_and_licence_ship_with_the_data():
    folder = get_data_dir()
    assert "ODbL" in (folder / "LICENSE.md").read_text()
    assert "doi:10.7910/DVN/EGZHFV" in (folder / "PROVENANCE.md").read_text()


def test_load_milano_cells_is_the_tidy_frame():
    frame = load_milano_cells()
    assert list(frame.columns) == ["cell", "time", "internet"]
    assert frame["cell"].dtype == np.int64
    assert str(frame["time"].dtype) == f"datetime64[ns, {TIMEZONE}]"
    assert frame["internet"].dtype == np.float64
    assert frame.groupby("cell").size().to_dict() == dict.fromkeys(BUNDLED_CELLS, 8928)
    first = frame.groupby("cell")["time"].min()
    assert (first == pd.Timestamp("2013-11-01", tz=TIMEZONE)).all()
    assert frame.groupby("cell")["time"].is_monotonic_increasing.all()


def test_load_milano_cells_selection():
    frame = load_milano_cells([5161, 4159], start="2013-12-02", end="2013-12-08")
    assert sorted(frame["cell"].unique()) == [4159, 5161]
    assert len(frame) == 2 * 7 * 144
    assert frame["time"].min() == pd.Timestamp("2013-12-02 00:00", tz=TIMEZONE)
    assert frame["time"].max() == pd.Timestamp("2013-12-08 23:50", tz=TIMEZONE)


def test_load_milano_cells_returns_a_fresh_frame_each_time():
    one = load_milano_cells(4159)
    one["internet"] = 0.0
    assert load_milano_cells(4159)["internet"].sum() > 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cells": 3}, r"Cell\(s\) \[3\] are not bundled.*4159"),
        ({"cells": []}, "empty list"),
        ({"types": "sms_in"}, "'sms_in' is not in this data"),
        ({"types": "voice"}, "Unknown traffic type 'voice'"),
        ({"start": "2013-10-01"}, "outside the bundled data"),
        ({"end": "2014-02-01"}, "outside the bundled data"),
        ({"start": "2013-12-05", "end": "2013-12-01"}, "after 'end'"),
        ({"start": "yesterday-ish"}, "'start' parameter must be a date"),
    ],
)
def test_load_milano_cells_bad_input(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        load_milano_cells(**kwargs)


def test_load_milano_totals():
    totals = load_milano_totals()
    assert totals.shape == (10_000, 2)
    assert totals["cell"].tolist() == list(range(1, 10_001))
    # values quoted in PROVENANCE.md (float32 sums)
    by_cell = totals.set_index("cell")["internet"]
    np.testing.assert_allclose(by_cell[[3, 5, 4993]], [93768.336, 83630.695, 64158.87])
    assert by_cell.idxmax() == 5161


def test_load_lab_reference():
    table = load_lab_reference()
    assert table.shape == (7, 24)
    assert table.index.tolist() == list(range(32, 39))
    assert table[[10, 11, 12, 13]].isna().all().all()  # elided by pandas in the lab
    assert table.drop(columns=[10, 11, 12, 13]).notna().all().all()


def test_load_dataset_days_32_to_38_are_mon_2_to_sun_8_december():
    table = load_dataset(5161, start_day=32, num_days=7, traffic_type=5)
    assert table.shape == (7, 24)
    assert table.index.tolist() == list(range(32, 39))
    assert table.columns.tolist() == list(range(24))
    dates = table.attrs["dates"]
    assert dates[0] == pd.Timestamp("2013-12-02") and dates[0].day_name() == "Monday"
    assert dates[-1] == pd.Timestamp("2013-12-08") and dates[-1].day_name() == "Sunday"
    # each entry is the sum of that hour's six slots
    slots = load_milano_cells(5161, start="2013-12-02", end="2013-12-08")
    sums = slots["internet"].to_numpy().reshape(7, 24, 6).sum(axis=2)
    np.testing.assert_allclose(table.to_numpy(), sums, rtol=1e-12)


def test_load_dataset_accepts_type_names_and_codes():
    by_code = load_dataset(4159, 1, 2, 5)
    by_name = load_dataset(4159, 1, 2, "internet")
    pd.testing.assert_frame_equal(by_code, by_name)


@pytest.mark.parametrize("fmt", ["dataverse", "kaggle", "lab"])
def test_load_dataset_from_files_of_each_format(tmp_path, fmt):
    slots, truth = make_milano_traffic(
        cells=[3, 5], n_days=3, random_state=0, return_hourly=True
    )
    write_milano(slots, tmp_path, format=fmt, random_state=0)
    # original/Kaggle files have no line for an empty slot: those count as zero
    missing = "raise" if fmt == "lab" else "zero"
    table = load_dataset(
        3, start_day=2, num_days=2, traffic_type=2, data=tmp_path, missing=missing
    )
    one = truth[truth["cell"] == 3]["sms_out"].to_numpy().reshape(3, 24)
    np.testing.assert_array_equal(table.to_numpy(), one[1:3])


def test_load_dataset_from_a_frame():
    slots = make_milano_traffic(cells=[7], n_days=2, random_state=1, empty_fraction=0)
    table = load_dataset(7, 1, 2, "call_in", data=slots)
    expected = slots["call_in"].to_numpy().reshape(2, 24, 6).sum(axis=2)
    np.testing.assert_array_equal(table.to_numpy(), expected)


def test_load_dataset_refuses_a_missing_slot_instead_of_shifting_hours():
    slots = make_milano_traffic(cells=[7], n_days=1, random_state=1)
    holed = slots.drop(index=40)
    with pytest.raises(ValueError, match="missing slot"):
        load_dataset(7, 1, 1, 5, data=holed)


def test_load_dataset_keeps_silent_last_hours_of_the_window():
    # The last two hours of the day have no line (no activity): with 'zero' they
    # are zeros in the table, not a shorter day; with 'raise' they are reported.
    slots = make_milano_traffic(cells=[7], n_days=1, random_state=1, empty_fraction=0)
    quiet = slots[slots["time"] < slots["time"].min() + pd.Timedelta("22h")]
    table = load_dataset(7, 1, 1, 5, data=quiet, missing="zero")
    assert table.shape == (1, 24)
    assert (table.loc[1, [22, 23]] == 0).all() and (table.loc[1, :21] > 0).all()
    with pytest.raises(ValueError, match="12 missing slot"):
        load_dataset(7, 1, 1, 5, data=quiet)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda f: f.drop(columns="cell"), r"no column\(s\) \['cell'\]"),
        (lambda f: f.drop(columns="internet"), r"no column\(s\) \['internet'\]"),
        (
            lambda f: f.assign(time=f["time"].dt.tz_localize(None)),
            "must hold tz-aware timestamps.*tz_localize",
        ),
        (lambda f: f.assign(cell=8), r"Cell\(s\) \[7\] not found.*holds cells \[8\]"),
    ],
)
def test_load_dataset_checks_a_frame_up_front(change, match):
    slots = make_milano_traffic(cells=[7], n_days=1, random_state=1)
    frame = change(slots)
    before = frame.copy()
    with pytest.raises(ValueError, match=match):
        load_dataset(7, 1, 1, 5, data=frame)
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("5161", 32, 7, 5), "'cell_id' parameter must be an int >= 1.*str"),
        ((5161, 0, 7, 5), "'start_day' parameter must be an int >= 1"),
        ((5161, 32, 0, 5), "'num_days' parameter must be an int >= 1"),
        ((5161, 32, 7, 6), "'traffic_type' parameter must be 1"),
        ((5161, 32, 7, 1), "'sms_in' is not in this data"),
        ((3, 32, 7, 5), r"Cell\(s\) \[3\] are not bundled"),
        ((5161, 60, 7, 5), "outside the bundled data"),
    ],
)
def test_load_dataset_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        load_dataset(*args)


def test_lab_reference_is_consistent_with_the_sum_rule():
    # Cell 3 has no 10-minute data here; its real 62-day total (93768.336) gives a
    # mean of 63.0 per hour under the sum-of-six-slots rule, and the lab's printed
    # hours for 2-8 Dec average 63.4: a mean of slots would be 6x smaller.
    table = load_lab_reference()
    total = load_milano_totals().set_index("cell").loc[3, "internet"]
    per_hour_sum_rule = total / (62 * 24)
    assert abs(table.stack().mean() / per_hour_sum_rule - 1) < 0.05
    assert abs(table.stack().mean() / (per_hour_sum_rule / 6) - 1) > 4


def test_hourly_aggregation_of_bundled_cells_round_trips_to_totals():
    hourly = HourlyAggregator().fit_transform(load_milano_cells())
    totals = load_milano_totals().set_index("cell")["internet"]
    got = hourly["internet"].groupby(level="cell").sum()
    np.testing.assert_allclose(got, totals[list(BUNDLED_CELLS)], rtol=2e-7)
