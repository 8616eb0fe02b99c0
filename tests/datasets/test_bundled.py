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
    load_lab_reference,
    load_milano_cells,
    load_milano_totals,
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
