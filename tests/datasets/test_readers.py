"""Tests of the Milano file readers on small files written by the tests themselves.

The expected frames are written out by hand from the fixture rows below; sums of
more than two values use dyadic numbers (exact in float64 whatever the order).
"""

import gzip
import warnings

import numpy as np
import pandas as pd
import pytest

from lstmforecast.datasets import (
    TIMEZONE,
    TRAFFIC_TYPES,
    MalformedFileError,
    read_dataverse,
    read_kaggle,
    read_lab_processed,
    read_milano,
)

KAGGLE_HEADER = "datetime,CellID,countrycode,smsin,smsout,callin,callout,internet"
T0 = 1383260400000  # 2013-11-01 00:00 Europe/Rome (23:00 UTC the day before)
SLOT_MS = 600_000

# Raw rows of 2013-11-01: cell, epoch ms, country code, sms-in, sms-out, call-in,
# call-out, internet ("" = empty field). Cell 10000 comes first on purpose (the
# output must be sorted). Rows 2-6 are the five rows of PROVENANCE.md verbatim.
# Cell 1 has no row at slot 2 (00:20).
RAW = [
    ("10000", "1383260400000", "39", "", "", "", "", "1.5"),
    ("1", "1383260400000", "0", "0.081363", "", "", "", ""),
    (
        "1",
        "1383260400000",
        "39",
        "0.141864",
        "0.156787",
        "0.160938",
        "0.052275",
        "11.028366",
    ),
    ("1", "1383261000000", "0", "0.136588", "", "", "0.027300", ""),
    ("1", "1383261000000", "33", "", "", "", "", "0.026137"),
    (
        "1",
        "1383261000000",
        "39",
        "0.278452",
        "0.119926",
        "0.188777",
        "0.133637",
        "11.100963",
    ),
    ("1", "1383262200000", "39", "0.5", "0.25", "", "", "2.75"),
    ("2", "1383260400000", "39", "1", "2", "3", "4", "5"),
    ("2", "1383261000000", "0", "0.5", "", "0.125", "", ""),
    ("2", "1383261000000", "39", "0.25", "0.75", "", "", "8"),
    ("2", "1383261000000", "44", "0.125", "", "0.5", "", "0.0625"),
]

# The tidy frame of RAW, by hand: (cell, local time, sms_in, sms_out, call_in,
# call_out, internet), sums over country codes, empty fields = 0.
EXPECTED_ROWS = [
    (
        1,
        "2013-11-01 00:00",
        0.081363 + 0.141864,
        0.156787,
        0.160938,
        0.052275,
        11.028366,
    ),
    (
        1,
        "2013-11-01 00:10",
        0.136588 + 0.278452,
        0.119926,
        0.188777,
        0.0273 + 0.133637,
        0.026137 + 11.100963,
    ),
    (1, "2013-11-01 00:30", 0.5, 0.25, 0.0, 0.0, 2.75),
    (2, "2013-11-01 00:00", 1.0, 2.0, 3.0, 4.0, 5.0),
    (2, "2013-11-01 00:10", 0.875, 0.75, 0.625, 0.0, 8.0625),
    (10000, "2013-11-01 00:00", 0.0, 0.0, 0.0, 0.0, 1.5),
]


def _expected(rows=EXPECTED_ROWS, types=TRAFFIC_TYPES):
    frame = pd.DataFrame(
        {
            "cell": np.array([r[0] for r in rows], dtype=np.int64),
            "time": pd.DatetimeIndex([r[1] for r in rows])
            .tz_localize(TIMEZONE)
            .as_unit("ns"),
            **{t: [float(r[2 + i]) for r in rows] for i, t in enumerate(TRAFFIC_TYPES)},
        }
    )
    return frame[["cell", "time", *types]]


def _utc_text(ms):
    return pd.Timestamp(int(ms), unit="ms").strftime("%Y-%m-%d %H:%M:%S")


def _dataverse_text(raw=RAW):
    return "".join("\t".join(r) + "\n" for r in raw)


def _kaggle_text(raw=RAW, newline="\n"):
    lines = [KAGGLE_HEADER]
    lines += [",".join((_utc_text(r[1]), r[0], *r[2:])) for r in raw]
    return newline.join(lines) + newline


def _lab_text(raw=RAW, sep=" "):
    """One line per (cell, slot), summed over country codes, in plain Python."""
    sums = {}
    for r in raw:
        key = (r[0], r[1])
        old = sums.get(key, [0.0] * 5)
        sums[key] = [
            a + (float(v) if v else 0.0) for a, v in zip(old, r[3:], strict=True)
        ]
    return "".join(sep.join((c, t, *map(repr, v))) + "\n" for (c, t), v in sums.items())


def _write(path, text):
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, newline="")
    return path


FORMATS = {
    # format: (reader, file name of 2013-11-01 without compression suffix, text)
    "dataverse": (
        read_dataverse,
        "sms-call-internet-mi-2013-11-01.txt",
        _dataverse_text,
    ),
    "kaggle": (read_kaggle, "sms-call-internet-mi-2013-11-01.csv", _kaggle_text),
    "lab": (read_lab_processed, "short_milan_processed_2013-11-01.txt", _lab_text),
}


def _fixture(tmp_path, fmt, *, gz=False, raw=RAW, name=None):
    _, default, text = FORMATS[fmt]
    name = (name or default) + (".gz" if gz else "")
    return _write(tmp_path / name, text(raw))


# ---------------------------------------------------------------- tidy frame
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_reader_returns_the_hand_computed_tidy_frame(tmp_path, fmt, gz):
    reader = FORMATS[fmt][0]
    path = _fixture(tmp_path, fmt, gz=gz)
    frame = reader(path)
    pd.testing.assert_frame_equal(frame, _expected(), check_exact=True)
    assert frame.attrs["n_skipped_lines"] == 0


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_reader_columns_dtypes_and_sort_order(tmp_path, fmt):
    frame = FORMATS[fmt][0](_fixture(tmp_path, fmt))
    assert list(frame.columns) == ["cell", "time", *TRAFFIC_TYPES]
    assert frame["cell"].dtype == np.int64
    assert frame["time"].dtype == pd.DatetimeTZDtype("ns", TIMEZONE)
    for t in TRAFFIC_TYPES:
        assert frame[t].dtype == np.float64
    keys = list(zip(frame["cell"], frame["time"], strict=True))
    assert keys == sorted(keys)
    assert list(frame.index) == list(range(len(frame)))


@pytest.mark.parametrize("fmt", ["dataverse", "kaggle"])
def test_reader_sums_country_codes_with_missing_as_zero(tmp_path, fmt):
    frame = FORMATS[fmt][0](_fixture(tmp_path, fmt))
    second = frame[(frame["cell"] == 1) & (frame["time"].dt.minute == 10)]
    assert len(second) == 1
    row = second.iloc[0]
    assert row["internet"] == 0.026137 + 11.100963
    assert row["call_out"] == 0.0273 + 0.133637
    assert row["sms_out"] == 0.119926  # empty on codes 0 and 33
    assert frame.loc[frame["cell"] == 10000, "sms_in"].tolist() == [0.0]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_reader_slot_without_rows_has_no_row(tmp_path, fmt):
    frame = FORMATS[fmt][0](_fixture(tmp_path, fmt))
    times = frame.loc[frame["cell"] == 1, "time"].dt.strftime("%H:%M").tolist()
    assert times == ["00:00", "00:10", "00:30"]


def test_reader_times_are_milan_local_time(tmp_path):
    frame = read_dataverse(_fixture(tmp_path, "dataverse"))
    first = frame["time"].iloc[0]
    assert str(first.tz) == TIMEZONE
    assert first == pd.Timestamp("2013-10-31 23:00", tz="UTC")
    assert first.strftime("%Y-%m-%d %H:%M %z") == "2013-11-01 00:00 +0100"


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_reader_handles_the_dst_night(tmp_path, fmt):
    # 2013-10-27 02:30 local happens twice: 00:30 UTC (+02:00) and 01:30 UTC (+01:00)
    ms = [
        int(pd.Timestamp(f"2013-10-27 0{h}:30", tz="UTC").value // 10**6)
        for h in (0, 1)
    ]
    raw = [("4", str(m), "39", "1", "", "", "", str(k)) for k, m in enumerate(ms)]
    name = FORMATS[fmt][1].replace("2013-11-01", "2013-10-27")
    frame = FORMATS[fmt][0](_fixture(tmp_path, fmt, raw=raw, name=name))
    assert frame["time"].dt.strftime("%H:%M%z").tolist() == ["02:30+0200", "02:30+0100"]
    assert frame["internet"].tolist() == [0.0, 1.0]


def test_read_kaggle_timezone_for_local_naive_datetimes(tmp_path):
    path = tmp_path / "sms-call-internet-mi-2013-11-01.csv"
    path.write_text(f"{KAGGLE_HEADER}\n2013-11-01 00:10:00,5,39,1,,,,2\n")
    frame = read_kaggle(path, timezone=TIMEZONE)
    assert frame["time"].tolist() == [pd.Timestamp("2013-11-01 00:10", tz=TIMEZONE)]


def test_read_kaggle_accepts_crlf_line_endings(tmp_path):
    path = _write(
        tmp_path / "sms-call-internet-mi-2013-11-01.csv", _kaggle_text(newline="\r\n")
    )
    pd.testing.assert_frame_equal(read_kaggle(path), _expected(), check_exact=True)


def test_read_lab_processed_accepts_tab_separated_lines(tmp_path):
    path = _write(
        tmp_path / "short_milan_processed_2013-11-01.txt", _lab_text(sep="\t")
    )
    pd.testing.assert_frame_equal(
        read_lab_processed(path), _expected(), check_exact=True
    )


def test_reader_sums_a_slot_split_across_read_pieces(tmp_path):
    # The readers parse 4 MiB of text at a time: the (cell, slot) whose rows
    # straddle the first boundary must still come out as one summed row.
    cells = np.arange(1, 10001)
    codes = [0, 1, 33, 39, 44, 49]
    n_slots = 3
    rows = [
        f"{c}\t{T0 + s * SLOT_MS}\t{code}\t\t\t\t\t{c / 64}\n"
        for c in cells
        for s in range(n_slots)
        for code in codes
    ]
    text = "".join(rows)
    cut = text.rfind("\n", 0, 4 << 20) + 1
    before, after = text[:cut].splitlines()[-1], text[cut:].split("\n", 1)[0]
    assert before.split("\t")[:2] == after.split("\t")[:2]  # a slot is split
    path = _write(tmp_path / "sms-call-internet-mi-2013-11-01.txt", text)
    frame = read_dataverse(path, types="internet")
    assert len(frame) == n_slots * len(cells)
    assert not frame.duplicated(["cell", "time"]).any()
    np.testing.assert_array_equal(frame["cell"], np.repeat(cells, n_slots))
    np.testing.assert_array_equal(
        frame["internet"], np.repeat(cells * len(codes) / 64, n_slots)
    )


# ------------------------------------------------------------ same data, 3 shapes
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_read_milano_three_formats_give_identical_frames(tmp_path, gz):
    frames = {}
    for fmt in FORMATS:
        folder = tmp_path / fmt
        folder.mkdir()
        frames[fmt] = read_milano(_fixture(folder, fmt, gz=gz))
        frames[fmt + "-explicit"] = read_milano(folder, format=fmt)
    for fmt, frame in frames.items():
        pd.testing.assert_frame_equal(frame, frames["dataverse"], check_exact=True)
        assert len(frame) == len(EXPECTED_ROWS), fmt


# ---------------------------------------------------------------------- options
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_reader_cells_filters(tmp_path, fmt):
    path = _fixture(tmp_path, fmt)
    expected = _expected()
    for cells in ([10000, 1], (2,), 2, np.array([1, 2])):
        got = FORMATS[fmt][0](path, cells=cells)
        want = expected[expected["cell"].isin(np.atleast_1d(cells))]
        pd.testing.assert_frame_equal(
            got, want.reset_index(drop=True), check_exact=True
        )


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_reader_cells_not_present_raises_naming_the_cell(tmp_path, fmt):
    path = _fixture(tmp_path, fmt)
    with pytest.raises(ValueError, match=r"\[4242\]"):
        FORMATS[fmt][0](path, cells=[1, 4242])


@pytest.mark.parametrize(
    ("types", "columns"),
    [
        ("internet", ["internet"]),
        (5, ["internet"]),
        ([1, 3], ["sms_in", "call_in"]),
        (["call_out", "sms_out"], ["sms_out", "call_out"]),  # canonical order
        (["internet", 5, "internet"], ["internet"]),
    ],
)
def test_reader_types_selects_columns(tmp_path, types, columns):
    frame = read_dataverse(_fixture(tmp_path, "dataverse"), types=types)
    assert list(frame.columns) == ["cell", "time", *columns]
    pd.testing.assert_frame_equal(frame, _expected(types=columns), check_exact=True)


@pytest.mark.parametrize("bad", ["sms", 6, 0, ["internet", "voice"]])
def test_reader_unknown_type_raises_naming_it(tmp_path, bad):
    path = _fixture(tmp_path, "kaggle")
    name = "voice" if isinstance(bad, list) else str(bad)
    with pytest.raises(ValueError, match="'types'") as info:
        read_kaggle(path, types=bad)
    assert name in str(info.value)


def _two_days(tmp_path, fmt):
    """Fixture day plus 23:50 of 1 Nov and 00:00 of 2 Nov (second daily file)."""
    late = str(T0 + 143 * SLOT_MS)
    day2 = str(T0 + 144 * SLOT_MS)
    _fixture(tmp_path, fmt, raw=[*RAW, ("1", late, "39", "1", "", "", "", "7")])
    name = FORMATS[fmt][1].replace("2013-11-01", "2013-11-02")
    _fixture(tmp_path, fmt, raw=[("1", day2, "39", "", "", "", "", "9")], name=name)
    return tmp_path


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_reader_start_end_are_inclusive(tmp_path, fmt):
    folder = _two_days(tmp_path, fmt)
    frame = FORMATS[fmt][0](folder, start="2013-11-01 00:10", end="2013-11-01 00:30")
    got = list(zip(frame["cell"], frame["time"].dt.strftime("%H:%M"), strict=True))
    assert got == [(1, "00:10"), (1, "00:30"), (2, "00:10")]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_reader_date_only_end_includes_the_whole_day(tmp_path, fmt):
    folder = _two_days(tmp_path, fmt)
    whole = FORMATS[fmt][0](folder)
    assert whole["time"].max() == pd.Timestamp("2013-11-02 00:00", tz=TIMEZONE)
    frame = FORMATS[fmt][0](folder, end="2013-11-01")
    assert frame["time"].max() == pd.Timestamp("2013-11-01 23:50", tz=TIMEZONE)
    assert len(frame) == len(whole) - 1
    day2 = FORMATS[fmt][0](folder, start="2013-11-02")
    assert day2["internet"].tolist() == [9.0]


def test_reader_start_end_accept_aware_timestamps(tmp_path):
    folder = _two_days(tmp_path, "dataverse")
    start = pd.Timestamp("2013-11-01 22:50", tz="UTC")  # 23:50 local
    frame = read_dataverse(folder, start=start, end="2013-11-01 23:00+00:00")
    assert frame["internet"].tolist() == [7.0, 9.0]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start": "2013-12-01"},  # no file dated there
        {"end": "2013-10-01"},
        {"start": "2013-11-02 00:10", "end": "2013-11-02 10:00"},  # file, no row
    ],
)
def test_reader_range_outside_the_data_raises(tmp_path, kwargs):
    folder = _two_days(tmp_path, "kaggle")
    with pytest.raises(ValueError, match="empty"):
        read_kaggle(folder, **kwargs)


def test_reader_start_after_end_raises(tmp_path):
    path = _fixture(tmp_path, "dataverse")
    with pytest.raises(ValueError, match="'start'.*after.*'end'"):
        read_dataverse(path, start="2013-11-01 00:30", end="2013-11-01 00:10")


def test_reader_bad_start_raises_naming_it(tmp_path):
    path = _fixture(tmp_path, "dataverse")
    with pytest.raises(ValueError, match="'start'"):
        read_dataverse(path, start="not a date")


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_reader_directory_glob_and_list_inputs(tmp_path, fmt):
    folder = _two_days(tmp_path, fmt)
    files = sorted(p for p in folder.iterdir())
    reader = FORMATS[fmt][0]
    by_dir = reader(folder)
    assert by_dir["time"].dt.date.nunique() == 2
    pattern = str(folder / FORMATS[fmt][1].replace("2013-11-01", "2013-11-0*"))
    for other in (reader(pattern), reader(files), reader([str(p) for p in files])):
        pd.testing.assert_frame_equal(other, by_dir, check_exact=True)
    one = reader(str(files[0]))
    assert one["time"].dt.date.nunique() == 1


def test_read_milano_auto_tells_the_formats_apart(tmp_path):
    # the same rows on three days, each day in another format
    expected = []
    for day, fmt in zip((1, 2, 3), FORMATS, strict=True):
        shift = (day - 1) * 144 * SLOT_MS
        raw = [(r[0], str(int(r[1]) + shift), *r[2:]) for r in RAW]
        name = FORMATS[fmt][1].replace("2013-11-01", f"2013-11-0{day}")
        _fixture(tmp_path, fmt, raw=raw, name=name, gz=(day == 2))
        part = _expected()
        part["time"] += pd.Timedelta(days=day - 1)
        expected.append(part)
    want = pd.concat(expected).sort_values(["cell", "time"], ignore_index=True)
    frame = read_milano(tmp_path)
    pd.testing.assert_frame_equal(frame, want, check_exact=True)


def test_read_milano_auto_refuses_an_unknown_shape(tmp_path):
    path = tmp_path / "traffic-2013-11-01.csv"
    path.write_text("cell,time,internet\n1,1383260400000,2.0\n")
    with pytest.raises(ValueError, match="format"):
        read_milano(path)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_reader_does_not_open_files_dated_outside_the_range(tmp_path, fmt):
    _fixture(tmp_path, fmt)
    far = FORMATS[fmt][1].replace("2013-11-01", "2014-06-01")
    (tmp_path / far).write_bytes(b"garbage\tnot a\tmilano file\n")
    (tmp_path / (far.replace("06-01", "06-02") + ".gz")).write_bytes(b"not gzip")
    with pytest.raises((MalformedFileError, OSError, ValueError)):
        FORMATS[fmt][0](tmp_path)  # the corrupt files are really corrupt
    for reader in (FORMATS[fmt][0], read_milano):
        # the fixture covers only 00:00-00:30 of the day asked for: a warning says so
        with pytest.warns(UserWarning, match="data only.*to 2013-11-01 00:30"):
            frame = reader(tmp_path, end="2013-11-01")
        pd.testing.assert_frame_equal(frame, _expected(), check_exact=True)


# -------------------------------------------------------------- malformed lines
GOOD_DV = "3\t1383260400000\t39\t1\t2\t3\t4\t5"
BAD_LINES = {
    "dataverse": [
        ("too many", GOOD_DV + "\t6"),
        ("too few", "3\t1383261000000\t39\t1\t2\t3\t4"),
        ("value", "3\t1383261000000\t39\t1\tabc\t3\t4\t5"),
        ("cell", "x3\t1383261000000\t39\t1\t2\t3\t4\t5"),
    ],
    "kaggle": [
        ("too many", "2013-10-31 23:10:00,3,39,1,2,3,4,5,6"),
        ("too few", "2013-10-31 23:10:00,3,39,1,2,3,4"),
        ("value", "2013-10-31 23:10:00,3,39,1,2,3,4,five"),
        ("cell", "2013-10-31 23:10:00,3.5,39,1,2,3,4,5"),
    ],
    "lab": [
        ("too many", "3 1383261000000 1 2 3 4 5 6"),
        ("too few", "3 1383261000000 1 2 3 4"),
        ("value", "3 1383261000000 1 2 3 x 5"),
        ("cell", "c3 1383261000000 1 2 3 4 5"),
    ],
}
GOOD_LINE = {
    "dataverse": GOOD_DV,
    "kaggle": "2013-10-31 23:00:00,3,39,1,2,3,4,5",
    "lab": "3 1383260400000 1 2 3 4 5",
}
# the good line's tidy row
GOOD_ROW = (3, "2013-11-01 00:00", 1.0, 2.0, 3.0, 4.0, 5.0)


def _malformed(tmp_path, fmt, bad, *, gz=False):
    """Good line, bad line, good line: the bad one is line 2 (3 with a header)."""
    good2 = GOOD_LINE[fmt].replace("3", "8", 1) if fmt != "kaggle" else None
    good2 = good2 or GOOD_LINE[fmt].replace(",3,", ",8,", 1)
    lines = [GOOD_LINE[fmt], bad, good2]
    if fmt == "kaggle":
        lines.insert(0, KAGGLE_HEADER)
    if fmt == "lab" and "\t" in bad:  # a tab-separated lab file
        lines = [line.replace(" ", "\t") for line in lines]
    name = FORMATS[fmt][1] + (".gz" if gz else "")
    return _write(tmp_path / name, "\n".join(lines) + "\n")


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize(
    ("fmt", "case", "bad"),
    [(f, c, b) for f, cases in BAD_LINES.items() for c, b in cases],
)
def test_reader_malformed_line_names_file_and_line(tmp_path, fmt, case, bad, gz):
    path = _malformed(tmp_path, fmt, bad, gz=gz)
    lineno = 3 if fmt == "kaggle" else 2
    with pytest.raises(MalformedFileError) as info:
        FORMATS[fmt][0](path)
    message = str(info.value)
    assert path.name in message
    assert f"line {lineno}:" in message
    assert isinstance(info.value, ValueError)
    with pytest.raises(MalformedFileError, match=f"line {lineno}:"):
        read_milano(path)


@pytest.mark.parametrize(
    ("fmt", "case", "bad"),
    [(f, c, b) for f, cases in BAD_LINES.items() for c, b in cases],
)
def test_reader_skip_bad_lines_returns_good_rows(tmp_path, fmt, case, bad):
    path = _malformed(tmp_path, fmt, bad)
    with pytest.warns(UserWarning, match=r"Skipped 1 malformed line") as record:
        frame = FORMATS[fmt][0](path, on_bad_lines="skip")
    assert path.name in str(record[0].message)
    assert frame.attrs["n_skipped_lines"] == 1
    expected = _expected([GOOD_ROW, (8, *GOOD_ROW[1:])])
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)


def test_reader_skip_counts_lines_over_several_files(tmp_path):
    lines = [GOOD_DV, "3\t1", "3\t1383261000000\t39\t1\tx\t3\t4\t5", "junk"]
    _write(tmp_path / "sms-call-internet-mi-2013-11-01.txt", "\n".join(lines) + "\n")
    day2 = ["3\t1383346800000\t39\t1\t1\t1\t1\t1", "3\t1383346800000"]
    _write(tmp_path / "sms-call-internet-mi-2013-11-02.txt", "\n".join(day2) + "\n")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        frame = read_dataverse(tmp_path, on_bad_lines="skip")
    messages = [str(w.message) for w in record if w.category is UserWarning]
    assert len(messages) == 2
    assert any("Skipped 3 " in m and "2013-11-01" in m for m in messages)
    assert any("Skipped 1 " in m and "2013-11-02" in m for m in messages)
    assert frame.attrs["n_skipped_lines"] == 4
    assert frame["internet"].tolist() == [5.0, 1.0]


def test_reader_error_mode_issues_no_warning_on_clean_file(tmp_path):
    path = _fixture(tmp_path, "dataverse")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = read_dataverse(path, on_bad_lines="skip")
    assert frame.attrs["n_skipped_lines"] == 0


def test_reader_empty_cell_id_is_a_malformed_line(tmp_path):
    path = _malformed(tmp_path, "dataverse", "\t1383261000000\t39\t1\t2\t3\t4\t5")
    with pytest.raises(MalformedFileError, match="line 2:"):
        read_dataverse(path)


@pytest.mark.parametrize(
    ("fmt", "bad"),
    [
        ("dataverse", "3\t\t39\t1\t2\t3\t4\t5"),
        ("kaggle", ",3,39,1,2,3,4,5"),
        ("lab", "3\t\t1\t2\t3\t4\t5"),
    ],
)
def test_reader_empty_time_is_a_malformed_line(tmp_path, fmt, bad):
    path = _malformed(tmp_path, fmt, bad)
    with pytest.raises(
        MalformedFileError, match=f"line {3 if fmt == 'kaggle' else 2}:"
    ):
        FORMATS[fmt][0](path)


def test_read_lab_processed_empty_value_is_a_malformed_line(tmp_path):
    path = _malformed(tmp_path, "lab", "3\t1383261000000\t1\t\t3\t4\t5")
    assert "\t" in path.read_text().splitlines()[0]
    with pytest.raises(MalformedFileError, match="line 2:"):
        read_lab_processed(path)


@pytest.mark.parametrize(
    "header",
    [
        "time,CellID,countrycode,smsin,smsout,callin,callout,internet",
        "datetime,CellID,countrycode,smsin,smsout,callin,callout",
        None,  # no header at all: the first line is data
    ],
)
def test_read_kaggle_wrong_header_raises(tmp_path, header):
    body = "2013-10-31 23:00:00,3,39,1,2,3,4,5\n"
    path = tmp_path / "sms-call-internet-mi-2013-11-01.csv"
    path.write_text((header + "\n" if header else "") + body)
    with pytest.raises(MalformedFileError, match="header") as info:
        read_kaggle(path)
    assert "line 1" in str(info.value)
    assert path.name in str(info.value)


def test_read_kaggle_header_in_any_letter_case(tmp_path):
    path = tmp_path / "sms-call-internet-mi-2013-11-01.csv"
    path.write_text(KAGGLE_HEADER.upper() + "\n" + _kaggle_text().split("\n", 1)[1])
    pd.testing.assert_frame_equal(read_kaggle(path), _expected(), check_exact=True)


@pytest.mark.parametrize("value", ["warn", "ignore", None, "SKIP"])
def test_reader_bad_on_bad_lines_raises_naming_it(tmp_path, value):
    path = _fixture(tmp_path, "dataverse")
    with pytest.raises(ValueError, match="'on_bad_lines'"):
        read_dataverse(path, on_bad_lines=value)


@pytest.mark.parametrize("value", ["csv", "Kaggle", None])
def test_read_milano_bad_format_raises_naming_it(tmp_path, value):
    path = _fixture(tmp_path, "dataverse")
    with pytest.raises(ValueError, match="'format'"):
        read_milano(path, format=value)


def test_reader_missing_path_raises_file_not_found(tmp_path):
    missing = tmp_path / "sms-call-internet-mi-2013-11-01.txt"
    for paths in (missing, [missing], str(tmp_path / "nothing-*.txt")):
        with pytest.raises(FileNotFoundError, match="sms-call|nothing-"):
            read_dataverse(paths)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="empty"):
        read_milano(empty)


# -------------------------------------------------------- inputs never modified
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_reader_does_not_modify_its_inputs(tmp_path, fmt, gz):
    folder = _two_days(tmp_path, fmt)
    files = sorted(folder.iterdir())
    if gz:
        for p in files:
            _write(p.with_name(p.name + ".gz"), p.read_text())
            p.unlink()
        files = sorted(folder.iterdir())
    before = {p: p.read_bytes() for p in files}
    paths = [str(p) for p in files]
    paths_copy = list(paths)
    cells = [10000, 1]
    cells_array = np.array([2, 1])
    FORMATS[fmt][0](paths, cells=cells, types=["internet"], start="2013-11-01")
    read_milano(files, cells=cells_array, on_bad_lines="skip")
    assert paths == paths_copy
    assert cells == [10000, 1]
    np.testing.assert_array_equal(cells_array, [2, 1])
    assert sorted(folder.iterdir()) == files
    assert {p: p.read_bytes() for p in files} == before


def test_reader_non_utf8_byte_is_a_malformed_line(tmp_path):
    path = tmp_path / "sms-call-internet-mi-2013-11-01.txt"
    path.write_bytes(GOOD_DV.encode() + b"\n3\t1383261000000\t39\t1\t2\t3\t4\t\xe95\n")
    with pytest.raises(MalformedFileError, match="line 2:") as info:
        read_dataverse(path)
    assert path.name in str(info.value)


# ------------------------------------------------- pieces, overlaps, time zones
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_bad_line_far_into_a_file_of_many_pieces_is_located(tmp_path, fmt, monkeypatch):
    # 64-byte pieces: the bad line sits in a late piece; only that piece is
    # rescanned, and the line number must still count every line before it.
    from lstmforecast.datasets import _readers

    monkeypatch.setattr(_readers, "_CHUNK_BYTES", 64)
    header = [KAGGLE_HEADER] if fmt == "kaggle" else []
    good = [GOOD_LINE[fmt]] * 40
    bad = BAD_LINES[fmt][2][1]  # a non-numeric value
    path = _write(
        tmp_path / FORMATS[fmt][1], "\n".join([*header, *good, bad, *good]) + "\n"
    )
    lineno = len(header) + 41
    if fmt == "lab":  # one line per slot there: use distinct cells
        good = [f"{i} 1383260400000 1 2 3 4 5" for i in range(1, 81)]
        path = _write(
            tmp_path / FORMATS[fmt][1], "\n".join([*good[:40], bad, *good[40:]])
        )
    with pytest.raises(MalformedFileError, match=f"line {lineno}:"):
        FORMATS[fmt][0](path)
    with pytest.warns(UserWarning, match=f"Skipped 1 .*line {lineno},"):
        frame = FORMATS[fmt][0](path, on_bad_lines="skip")
    if fmt == "lab":
        assert frame["cell"].tolist() == list(range(1, 81))
        frame = frame.groupby("time")[["internet"]].sum()
    # 80 good lines of the same slot, summed (dataverse/kaggle: country codes)
    assert frame["internet"].tolist() == [5.0 * 80]


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "NaN"])
def test_non_finite_values_are_malformed(tmp_path, value):
    bad = f"3\t1383261000000\t39\t1\t2\t3\t4\t{value}"
    path = _malformed(tmp_path, "dataverse", bad)
    with pytest.raises(
        MalformedFileError, match="line 2: column 'internet' must be a finite"
    ):
        read_dataverse(path)
    # a column not asked for is not converted, so it is not checked either
    assert len(read_dataverse(path, types="sms_in")) == 3


def test_a_day_read_twice_is_refused_naming_both_files(tmp_path):
    plain = _fixture(tmp_path, "dataverse")
    gz = _fixture(tmp_path, "dataverse", gz=True)
    with pytest.raises(
        ValueError, match="both hold cell 1 at 2013-11-01 00:00"
    ) as info:
        read_dataverse(tmp_path)  # the folder pattern matches .txt and .txt.gz
    assert plain.name in str(info.value) and gz.name in str(info.value)
    kaggle = _fixture(
        tmp_path / "k" if (tmp_path / "k").mkdir() is None else None, "kaggle"
    )
    with pytest.raises(ValueError, match="count that activity twice"):
        read_milano([plain, kaggle])
    # disjoint days are fine
    assert len(read_dataverse(plain)) == len(_expected())


def test_kaggle_local_times_on_the_dst_night_are_a_clear_error(tmp_path):
    path = tmp_path / "sms-call-internet-mi-2013-10-27.csv"
    path.write_text(f"{KAGGLE_HEADER}\n2013-10-27 02:00:00,1,39,1,1,1,1,1\n")
    with pytest.raises(MalformedFileError, match=f"{path.name}.*not a single instant"):
        read_kaggle(path, timezone="Europe/Rome")
    # as naive UTC (the Kaggle files' own convention) the same text is one instant
    frame = read_kaggle(path)
    assert frame["time"].iloc[0] == pd.Timestamp("2013-10-27 02:00", tz="UTC")


@pytest.mark.parametrize("split", [False, True], ids=["one-piece", "two-pieces"])
def test_lab_file_with_a_repeated_slot_is_refused(tmp_path, split, monkeypatch):
    from lstmforecast.datasets import _readers

    if split:
        monkeypatch.setattr(_readers, "_CHUNK_BYTES", 40)
    line = "3 1383260400000 1 2 3 4 5"
    path = _write(
        tmp_path / FORMATS["lab"][1], f"{line}\n4 1383260400000 1 1 1 1 1\n{line}\n"
    )
    with pytest.raises(MalformedFileError, match="two lines for the same slot"):
        read_lab_processed(path)


def test_partial_month_end_label_reads_the_whole_month(tmp_path):
    _fixture(tmp_path, "dataverse")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = read_dataverse(tmp_path, start="2013-11", end="2013-11")
    pd.testing.assert_frame_equal(frame, _expected(), check_exact=True)


# ------------------------------------------- data sanity and clear errors (issue 12)
BOM = b"\xef\xbb\xbf"


def _one_line(message):
    assert "\n" not in str(message), str(message)
    return str(message)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_reader_accepts_a_utf8_byte_order_mark(tmp_path, fmt, gz):
    _, name, text = FORMATS[fmt]
    data = BOM + text().encode()
    path = tmp_path / (name + (".gz" if gz else ""))
    path.write_bytes(gzip.compress(data) if gz else data)
    for reader in (FORMATS[fmt][0], read_milano):
        pd.testing.assert_frame_equal(reader(path), _expected(), check_exact=True)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_byte_order_mark_does_not_make_line_one_malformed(tmp_path, fmt):
    # the line-by-line check must see the first line without the mark too
    path = _malformed(tmp_path, fmt, BAD_LINES[fmt][2][1])
    path.write_bytes(BOM + path.read_bytes())
    lineno = 3 if fmt == "kaggle" else 2
    with pytest.raises(MalformedFileError, match=f"line {lineno}:"):
        FORMATS[fmt][0](path)
    with pytest.warns(UserWarning, match=f"Skipped 1 malformed .*line {lineno},"):
        frame = FORMATS[fmt][0](path, on_bad_lines="skip")
    assert frame["cell"].tolist() == [3, 8]


def test_utf16_file_is_refused_naming_the_file_and_the_fix(tmp_path):
    path = tmp_path / "sms-call-internet-mi-2013-11-01.csv"
    path.write_bytes(_kaggle_text().encode("utf-16"))
    for reader in (read_kaggle, read_milano):
        with pytest.raises(MalformedFileError, match="UTF-16.*UTF-8") as info:
            reader(path)
        assert path.name in _one_line(info.value)


# Rows that parse but are implausible, in the dataverse shape (one per case):
# cell 3 at 00:10 has a negative value, an off-grid time, or 3 November's date.
IMPLAUSIBLE = {
    "negative": ("3\t1383261000000\t39\t1\t2\t3\t4\t-5.5", "column 'internet'"),
    "off_grid": ("3\t1383260700000\t39\t1\t2\t3\t4\t5", "00:05:00.*10-minute grid"),
    "other_day": (
        "3\t1383433800000\t39\t1\t2\t3\t4\t5",
        "2013-11-03, not on 2013-11-01",
    ),
}


def _shape_line(fmt, dataverse_line):
    """The same row in another shape (Kaggle: naive UTC text; lab: no country)."""
    f = dataverse_line.split("\t")
    if fmt == "kaggle":
        return ",".join((_utc_text(f[1]), f[0], *f[2:]))
    if fmt == "lab":
        return " ".join((f[0], f[1], *f[3:]))
    return dataverse_line


@pytest.mark.parametrize("kind", list(IMPLAUSIBLE))
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_implausible_value_is_an_error_naming_file_line_and_value(tmp_path, fmt, kind):
    line, what = IMPLAUSIBLE[kind]
    path = _malformed(tmp_path, fmt, _shape_line(fmt, line))
    lineno = 3 if fmt == "kaggle" else 2
    for reader in (FORMATS[fmt][0], read_milano):
        with pytest.raises(
            MalformedFileError, match=f"line {lineno}: .*{what}"
        ) as info:
            reader(path)
        message = _one_line(info.value)
        assert path.name in message
        assert "on_bad_values='skip'" in message
    if kind == "negative":
        assert "(-5.5)" in message


@pytest.mark.parametrize("kind", list(IMPLAUSIBLE))
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_implausible_rows_skipped_or_kept_with_a_count(tmp_path, fmt, kind):
    line, _ = IMPLAUSIBLE[kind]
    path = _malformed(tmp_path, fmt, _shape_line(fmt, line))
    lineno = 3 if fmt == "kaggle" else 2
    reader = FORMATS[fmt][0]
    with pytest.warns(UserWarning, match=f"Skipped 1 row.*implausible.*line {lineno}:"):
        frame = reader(path, on_bad_values="skip")
    pd.testing.assert_frame_equal(
        frame, _expected([GOOD_ROW, (8, *GOOD_ROW[1:])]), check_exact=True
    )
    assert frame.attrs["n_bad_values"] == 1
    assert frame.attrs["n_skipped_lines"] == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 'keep' is a deliberate choice: no warning
        kept = reader(path, on_bad_values="keep")
    assert len(kept) == 3 and kept.attrs["n_bad_values"] == 1
    if kind == "negative":
        assert kept["internet"].min() == -5.5


def test_implausible_rows_are_counted_by_kind_over_pieces(tmp_path, monkeypatch):
    # 64-byte pieces and a cell filter: line numbers must survive both
    from lstmforecast.datasets import _readers

    monkeypatch.setattr(_readers, "_CHUNK_BYTES", 64)
    good = [
        f"{c}\t{T0 + SLOT_MS * s}\t39\t1\t1\t1\t1\t1" for s in range(3) for c in (3, 8)
    ]
    lines = [
        *good,
        IMPLAUSIBLE["negative"][0].replace("\t1\t", "\t-1\t", 1),  # line 7
        "8\t1383260700000\t39\t1\t1\t1\t1\t1",  # line 8: off grid, cell 8
        IMPLAUSIBLE["other_day"][0],  # line 9
        *good,
    ]
    path = _write(tmp_path / FORMATS["dataverse"][1], "\n".join(lines) + "\n")
    with pytest.raises(MalformedFileError, match="line 8: time .*00:05:00"):
        read_dataverse(path, cells=8)
    with pytest.raises(MalformedFileError, match="line 7: column 'sms_in' is negative"):
        read_dataverse(path)
    with pytest.warns(UserWarning) as record:
        frame = read_dataverse(path, on_bad_values="skip")
    message = str(record[0].message)
    assert "Skipped 3 row(s)" in message and "first: line 7:" in message
    assert "1 negative, 1 off the 10-minute grid, 1 dated another day" in message
    assert frame.attrs["n_bad_values"] == 3
    assert frame["internet"].tolist() == [2.0] * 6


def test_implausible_row_in_a_piece_rescanned_for_a_malformed_line(tmp_path):
    lines = [GOOD_DV, "junk", IMPLAUSIBLE["negative"][0], GOOD_DV.replace("3", "8", 1)]
    path = _write(tmp_path / FORMATS["dataverse"][1], "\n".join(lines) + "\n")
    with pytest.raises(MalformedFileError, match="line 3: column 'internet'"):
        read_dataverse(path, on_bad_lines="skip")
    with pytest.warns(UserWarning) as record:
        frame = read_dataverse(path, on_bad_lines="skip", on_bad_values="skip")
    assert len(record) == 2  # one for the malformed line, one for the negative row
    assert frame.attrs["n_skipped_lines"] == 1 and frame.attrs["n_bad_values"] == 1
    assert frame["cell"].tolist() == [3, 8]


def test_implausible_values_are_checked_only_where_read(tmp_path):
    path = _malformed(tmp_path, "dataverse", IMPLAUSIBLE["negative"][0])
    assert read_dataverse(path, cells=8)["cell"].tolist() == [8]  # other cells
    assert len(read_dataverse(path, types="sms_in")) == 3  # other columns
    # another day than the file name's is reported even outside start/end
    path = _malformed(tmp_path, "dataverse", IMPLAUSIBLE["other_day"][0])
    with pytest.raises(MalformedFileError, match="not on 2013-11-01"):
        read_dataverse(path, end="2013-11-01")


def test_other_day_hint_for_naive_times_in_another_time_zone(tmp_path):
    # the fixture's naive UTC Kaggle texts read as local time: 23:00 of 31 October
    path = _fixture(tmp_path, "kaggle")
    with pytest.raises(MalformedFileError, match="2013-10-31.*check 'timezone'"):
        read_kaggle(path, timezone=TIMEZONE)
    # a name without a date is not checked
    undated = tmp_path / "k" / "sms-call-internet-mi.csv"
    undated.parent.mkdir()
    undated.write_bytes(path.read_bytes())
    assert len(read_kaggle(undated, timezone=TIMEZONE)) == len(EXPECTED_ROWS)


@pytest.mark.parametrize("value", ["warn", "ignore", None, "SKIP"])
def test_reader_bad_on_bad_values_raises_naming_it(tmp_path, value):
    path = _fixture(tmp_path, "dataverse")
    with pytest.raises(ValueError, match="'on_bad_values' parameter of read_dataverse"):
        read_dataverse(path, on_bad_values=value)


@pytest.mark.parametrize(
    ("fmt", "bad", "what"),
    [
        ("kaggle", "01/11/2013 00:10,3,39,1,2,3,4,5", "ISO 8601 .*'01/11/2013 00:10'"),
        ("kaggle", "99999999999999999999,3,39,1,2,3,4,5", "epoch milliseconds"),
        ("dataverse", "3\t99999999999999999\t39\t1\t2\t3\t4\t5", "epoch milliseconds"),
        ("lab", "3 2013-11-01T25:00:00 1 2 3 4 5", "ISO 8601"),
    ],
)
def test_unreadable_time_names_file_line_and_column(tmp_path, fmt, bad, what):
    path = _malformed(tmp_path, fmt, bad)
    lineno = 3 if fmt == "kaggle" else 2
    with pytest.raises(
        MalformedFileError, match=f"line {lineno}: column 'time'.*{what}"
    ) as info:
        FORMATS[fmt][0](path)
    assert path.name in _one_line(info.value)
    with pytest.warns(UserWarning, match="Skipped 1 malformed"):
        assert len(FORMATS[fmt][0](path, on_bad_lines="skip")) == 2


@pytest.mark.parametrize(
    ("suffix", "compress"),
    [(".gz", gzip.compress), (".bz2", None), (".xz", None)],
)
def test_compression_errors_name_the_file(tmp_path, suffix, compress):
    import bz2
    import lzma

    compress = compress or {".bz2": bz2.compress, ".xz": lzma.compress}[suffix]
    path = tmp_path / (FORMATS["dataverse"][1] + suffix)
    path.write_bytes(_dataverse_text().encode())  # plain text under a .gz name
    for reader in (read_dataverse, read_milano):
        with pytest.raises(
            MalformedFileError, match=f"not .*-compressed.*'{suffix}'"
        ) as info:
            reader(path)
        assert path.name in _one_line(info.value)
    path.write_bytes(compress(_dataverse_text().encode() * 50)[:-30])  # cut short
    for reader in (read_dataverse, read_milano):
        with pytest.raises(MalformedFileError, match="cannot be decompressed") as info:
            reader(path)
        assert path.name in _one_line(info.value)


def test_symbolic_link_loops_and_dangling_links_are_one_line_errors(tmp_path):
    loop = tmp_path / FORMATS["dataverse"][1]
    loop.symlink_to(loop)
    for paths in (loop, [loop], tmp_path, str(tmp_path / "sms-*.txt")):
        with pytest.raises(FileNotFoundError, match="symbolic link that loops") as info:
            read_dataverse(paths)
        assert loop.name in _one_line(info.value)
    loop.unlink()
    loop.symlink_to(tmp_path / "gone.txt")
    with pytest.raises(FileNotFoundError, match="link to .*gone.txt.*does not exist"):
        read_milano(loop)


@pytest.mark.parametrize(
    ("timezone", "match"),
    [
        ("Europe/Rom", "Did you mean 'Europe/Rome'"),
        ("Mars/Olympus", "not a known time zone"),
        (5, "Got 5 instead"),
    ],
)
def test_unknown_time_zone_is_a_one_line_error(tmp_path, timezone, match):
    path = _fixture(tmp_path, "kaggle")
    with pytest.raises(
        ValueError, match=f"'timezone' parameter of read_kaggle.*{match}"
    ) as info:
        read_kaggle(path, timezone=timezone)
    _one_line(info.value)
    lab = _fixture(tmp_path, "lab")
    with pytest.raises(ValueError, match="'timezone' parameter of read_lab_processed"):
        read_lab_processed(lab, timezone=timezone)


@pytest.mark.parametrize(
    ("kwargs", "shown", "hidden"),
    [
        ({"types": np.int64(6)}, "traffic type 6 ", "np.int64"),
        ({"cells": np.array([1.5])}, "Got [1.5] instead", "array("),
        (
            {"start": np.datetime64("2013-11-05"), "end": "2013-11-01"},
            "'start' ('2013-11-05 00:00:00')",
            "np.datetime64",
        ),
    ],
)
def test_messages_show_values_as_users_write_them(tmp_path, kwargs, shown, hidden):
    path = _fixture(tmp_path, "dataverse")
    with pytest.raises((TypeError, ValueError)) as info:
        read_dataverse(path, **kwargs)
    message = _one_line(info.value)
    assert shown in message and hidden not in message


@pytest.mark.parametrize("suffix", [".bz2", ".xz"])
def test_bz2_and_xz_files_are_read(tmp_path, suffix):
    import bz2
    import lzma

    compress = {".bz2": bz2.compress, ".xz": lzma.compress}[suffix]
    path = tmp_path / (FORMATS["dataverse"][1] + suffix)
    path.write_bytes(compress(_dataverse_text().encode()))
    pd.testing.assert_frame_equal(read_dataverse(path), _expected(), check_exact=True)
    pd.testing.assert_frame_equal(read_milano(path), _expected(), check_exact=True)


def test_a_name_with_an_impossible_date_is_not_judged_by_it(tmp_path):
    path = tmp_path / "sms-call-internet-mi-2013-13-45.txt"
    path.write_text(_dataverse_text())
    frame = read_dataverse(path, start="2013-11-01")
    pd.testing.assert_frame_equal(frame, _expected(), check_exact=True)
