"""load_dataset: the lab's day x hour table, from bundled cells, files or a frame."""

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lstmforecast
import lstmforecast.datasets
from lstmforecast.datasets import load_milano_cells, make_milano_traffic, write_milano
from lstmforecast.lab import load_dataset


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
        (
            ("5161", 32, 7, 5),
            "'cell_id' parameter of load_dataset must be an int >= 1.*str",
        ),
        ((5161, 0, 7, 5), "'start_day' parameter of load_dataset must be an int >= 1"),
        ((5161, 32, 0, 5), "'num_days' parameter of load_dataset must be an int >= 1"),
        ((5161, 32, 7, 6), "'traffic_type' parameter of load_dataset must be 1"),
        ((5161, 32, 7, 1), "'sms_in' is not in this data"),
        ((3, 32, 7, 5), r"Cell\(s\) \[3\] are not bundled"),
        ((5161, 60, 7, 5), "outside the bundled data"),
    ],
)
def test_load_dataset_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        load_dataset(*args)


def test_the_old_places_still_give_the_same_function():
    assert lstmforecast.load_dataset is load_dataset
    with pytest.warns(DeprecationWarning, match="moved to lstmforecast.lab"):
        from lstmforecast.datasets import load_dataset as old
    assert old is load_dataset


def _imported(nodes):
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            yield node.module or ""
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_the_data_layer_imports_neither_preprocessing_nor_the_lab():
    # data flows reader -> aggregator: datasets never imports what comes after it
    # (only the deprecated alias reaches the lab, lazily, when it is asked for)
    for path in Path(lstmforecast.datasets.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        anywhere = list(_imported(ast.walk(tree)))
        on_import = list(_imported(tree.body))
        assert not [n for n in anywhere if n.startswith("lstmforecast.preprocessing")]
        assert not [n for n in on_import if n.startswith("lstmforecast.lab")], path


def test_load_dataset_interpolates_short_gaps_and_refuses_long_ones_by_max_gap():
    slots = make_milano_traffic(cells=[7], n_days=1, random_state=1, empty_fraction=0)
    # three consecutive slots (30 minutes) of hour 5 removed
    holed = slots.drop(index=slots.index[31:34])
    table = load_dataset(7, 1, 1, 5, data=holed, missing="interpolate")
    values = slots["internet"].to_numpy()
    filled = np.interp([31, 32, 33], [30, 34], values[[30, 34]])
    expected = values.reshape(24, 6).sum(axis=1)
    expected[5] += filled.sum() - values[31:34].sum()
    np.testing.assert_allclose(table.loc[1].to_numpy(), expected, rtol=1e-12)
    with pytest.raises(ValueError, match="max_gap"):
        load_dataset(7, 1, 1, 5, data=holed, missing="interpolate", max_gap="20min")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"traffic_type": "mms"}, r"'traffic_type' parameter of load_dataset.*'mms'"),
        ({"missing": "skip"}, r"'missing' parameter of load_dataset.*'skip'"),
        ({"max_gap": "soon"}, r"'max_gap' parameter of load_dataset.*'soon'"),
        ({"max_gap": "-1h"}, r"'max_gap' parameter of load_dataset.*'-1h'"),
    ],
)
def test_load_dataset_names_itself_in_every_parameter_error(kwargs, match):
    args = {"cell_id": 5161, "start_day": 32, "num_days": 2, "traffic_type": 5}
    with pytest.raises(ValueError, match=match):
        load_dataset(**{**args, **kwargs})
