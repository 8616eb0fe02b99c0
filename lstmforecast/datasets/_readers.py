"""Readers for the three shapes of the Telecom Italia Milano GRID files.

All readers return the same tidy frame: one row per cell and 10-minute slot, columns
``cell``, ``time`` (tz-aware, Europe/Rome) and one float column per asked-for traffic
type, activity summed over country codes (a missing field counts as 0).

Files are read in pieces of 4 MiB of text, each parsed by pyarrow's CSV reader:
only the needed columns are converted, rows of unselected cells and times are
dropped piece by piece, and each piece is reduced to one row per (cell, slot)
before the next is read. A 300 MB daily file of the whole grid is read in about two
seconds, and selecting a few cells needs about 100 MB whatever the file size
(``benchmarks/bench_readers.py`` measures both).
"""

from __future__ import annotations

import bz2
import glob
import gzip
import lzma
import math
import os
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from lstmforecast.datasets._schema import (
    TIMEZONE,
    TRAFFIC_TYPES,
    check_cells,
    check_selection,
    check_time_range,
    check_types,
    finalize,
)

__all__ = [
    "MalformedFileError",
    "read_dataverse",
    "read_kaggle",
    "read_lab_processed",
    "read_milano",
]

_CHUNK_BYTES = 4 << 20  # text parsed at a time: 4 MiB
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


class MalformedFileError(ValueError):
    r"""A Milano file has a line that cannot be parsed.

    The message names the file, the line number (1-based, counting a header line)
    and what is wrong with it. Pass ``on_bad_lines="skip"`` to the reader to skip
    such lines instead; the number skipped is then reported.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from lstmforecast.datasets import MalformedFileError, read_lab_processed
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "short_milan_processed_2013-11-01.txt"
    >>> _ = path.write_text("3 1383260400000 0.2 0.1 0.3 0.1 55.5\n3 oops\n")
    >>> try:
    ...     read_lab_processed(path)
    ... except MalformedFileError as exc:
    ...     print(str(exc).split(": ", 1)[1])
    expected 7 fields separated by ' ', found 2. The line reads '3 oops'. Fix ...
    """


@dataclass(frozen=True)
class _Format:
    name: str
    columns: tuple[str, ...]
    pattern: str  # glob pattern of the file names in a directory
    delimiter: str | None  # None: one tab or one space, sniffed from the first line
    header: tuple[str, ...] | None  # expected header (lower case), None if none
    time_is_text: bool
    blank_is_zero: bool  # empty value fields are missing activity (counted as 0)
    timezone: str = "UTC"  # of naive timestamp texts


_DATAVERSE = _Format(
    name="dataverse",
    columns=("cell", "time", "country", *TRAFFIC_TYPES),
    pattern="sms-call-internet-mi-*.txt*",
    delimiter="\t",
    header=None,
    time_is_text=False,
    blank_is_zero=True,
)
_KAGGLE = _Format(
    name="kaggle",
    columns=("time", "cell", "country", *TRAFFIC_TYPES),
    pattern="sms-call-internet-mi-*.csv*",
    delimiter=",",
    header=(
        "datetime",
        "cellid",
        "countrycode",
        "smsin",
        "smsout",
        "callin",
        "callout",
        "internet",
    ),
    time_is_text=True,
    blank_is_zero=True,
)
_LAB = _Format(
    name="lab",
    columns=("cell", "time", *TRAFFIC_TYPES),
    pattern="short_milan_processed_*.txt*",
    delimiter=None,
    header=None,
    time_is_text=True,
    blank_is_zero=False,
    timezone=TIMEZONE,
)
_FORMATS = {f.name: f for f in (_DATAVERSE, _KAGGLE, _LAB)}


@dataclass(frozen=True)
class _Context:
    """What reading one file needs: where, how, and which rows to keep."""

    path: Path
    fmt: _Format
    types: list[str]
    delimiter: str
    cells: np.ndarray | None
    lo_ns: int | None
    hi_ns: int | None
    timezone: str
    on_bad_lines: str


class _TimeZoneError(ValueError):
    """A naive local time that is ambiguous or does not exist (DST)."""


# --------------------------------------------------------------------------- files
def _open_text(path: Path):
    """Open a possibly compressed text file (chosen by its suffix)."""
    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(
        path.suffix.lower(), open
    )
    return opener(path, "rt", encoding="utf-8", errors="replace", newline="")


def _expand_paths(paths, fmt: _Format | None) -> list[Path]:
    """Files named by ``paths``: a file, a directory, a glob pattern, or a list."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if not isinstance(paths, Iterable):
        raise TypeError(
            "The 'paths' parameter must be a file, a directory, a glob pattern or a "
            f"list of them. Got {paths!r} of type {type(paths).__name__} instead."
        )
    files: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            patterns = [fmt.pattern] if fmt else [f.pattern for f in _FORMATS.values()]
            found = sorted({q for pat in patterns for q in path.glob(pat)})
            if not found:
                raise FileNotFoundError(
                    f"No Milano file in directory '{path}': expected names matching "
                    f"{patterns}. Pass the files themselves, or set 'format'."
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif glob.has_magic(str(p)):
            found = sorted(Path(q) for q in glob.glob(str(p)))
            if not found:
                raise FileNotFoundError(f"The pattern '{p}' matches no file.")
            files.extend(found)
        else:
            raise FileNotFoundError(
                f"'{p}' is not a file or a directory. Check the path passed in "
                "'paths' (relative paths start from the current directory)."
            )
    if not files:
        raise ValueError("The 'paths' parameter names no file. Pass at least one.")
    return files


def _guess_format(path: Path) -> _Format:
    name = path.name.lower()
    if name.startswith("short_milan_processed"):
        return _LAB
    with _open_text(path) as fh:
        first = fh.readline()
    if first.lower().replace(" ", "").replace('"', "").startswith("datetime,"):
        return _KAGGLE
    if "\t" in first:
        return _DATAVERSE
    raise ValueError(
        f"Cannot tell the format of '{path}': its first line is {first[:80]!r}. "
        "Pass format='dataverse', 'kaggle' or 'lab'."
    )


def _file_may_hold(path: Path, lo, hi) -> bool:
    """Use the date in a daily file's name to skip files outside the range."""
    m = _DATE_IN_NAME.search(path.name)
    if m is None:
        return True
    day = pd.Timestamp(m.group(1)).tz_localize(TIMEZONE)
    # one day of margin on each side: a file's slots may straddle midnight in UTC
    if lo is not None and day + pd.Timedelta(days=2) <= lo:
        return False
    if hi is not None and day - pd.Timedelta(days=1) >= hi:
        return False
    return True


# ---------------------------------------------------------------- slow path: lines
def _split(fmt: _Format, line: str, delimiter: str) -> list[str]:
    return line.split() if fmt.delimiter is None else line.split(delimiter)


def _line_problem(fmt: _Format, fields: list[str], types, delimiter: str) -> str | None:
    """Say what is wrong with one line's fields, or None if it is fine."""
    n = len(fmt.columns)
    if len(fields) != n:
        return f"expected {n} fields separated by {delimiter!r}, found {len(fields)}"
    named = dict(zip(fmt.columns, fields, strict=True))
    for col in ("cell", "time") if not fmt.time_is_text else ("cell",):
        try:
            int(named[col])
        except ValueError:
            return f"column '{col}' must be an integer, found {named[col]!r}"
    if fmt.time_is_text:
        value = named["time"].strip()
        if not value:
            return "column 'time' is empty"
        if not value.isdigit():
            try:
                pd.Timestamp(value)
            except ValueError:
                return f"column 'time' must be a timestamp, found {value!r}"
    for col in types:
        value = named[col].strip()
        if value == "" and fmt.blank_is_zero:
            continue
        try:
            number = float(value)
        except ValueError:
            return f"column '{col}' must be a number, found {value!r}"
        if not math.isfinite(number):
            return f"column '{col}' must be a finite number, found {value!r}"
    return None


def _scan_piece(piece: bytes, first_line: int, ctx: _Context):
    """Check one piece's lines in Python; return (clean text, skipped) or raise.

    Only a piece the fast parser refused is scanned, so one bad line in a 300 MB
    file costs a 4 MiB rescan. ``first_line`` is the file line number of the
    piece's first line.
    """
    kept: list[str] = []
    skipped: list[tuple[int, str]] = []
    text = piece.decode("utf-8", errors="replace")
    for offset, line in enumerate(text.split("\n")):
        lineno = first_line + offset
        body = line.rstrip("\r")
        if not body.strip():
            continue
        fields = _split(ctx.fmt, body, ctx.delimiter)
        problem = _line_problem(ctx.fmt, fields, ctx.types, ctx.delimiter)
        if problem is None:
            kept.append(body)
            continue
        if ctx.on_bad_lines != "skip":
            raise MalformedFileError(
                f"{ctx.path}, line {lineno}: {problem}. The line reads "
                f"{body[:120]!r}. Fix or remove the line, or pass "
                "on_bad_lines='skip' to skip malformed lines (their number is "
                "reported)."
            )
        skipped.append((lineno, problem))
    return "\n".join(kept) + "\n", skipped


# ---------------------------------------------------------------- fast path: arrow
def _sniff_delimiter(path: Path, fmt: _Format) -> str:
    if fmt.delimiter is not None:
        return fmt.delimiter
    with _open_text(path) as fh:
        first = fh.readline()
    return "\t" if "\t" in first else " "


def _check_header(path: Path, fmt: _Format) -> None:
    if fmt.header is None:
        return
    with _open_text(path) as fh:
        first = fh.readline().rstrip("\r\n")
    got = tuple(c.strip().strip('"').lower() for c in first.split(fmt.delimiter))
    if got != fmt.header:
        raise MalformedFileError(
            f"{path}, line 1: expected the header {','.join(fmt.header)!r} (in any "
            f"letter case), found {first[:120]!r}. Is this a Kaggle-format file? "
            "Pass the right 'format', or fix the header."
        )


def _time_to_ns(arr: pa.Array, fmt: _Format, timezone: str) -> pa.Array:
    """Convert a time column to int64 nanoseconds since the epoch (UTC)."""
    if not fmt.time_is_text:
        return pc.multiply(arr.cast(pa.int64()), pa.scalar(1_000_000, pa.int64()))
    enc = arr.dictionary_encode()  # slots repeat: parse each distinct value once
    text = pd.Series(enc.dictionary.to_pylist(), dtype=object).str.strip()
    digits = text.str.fullmatch(r"\d+")
    stamps = pd.Series(pd.NaT, index=text.index, dtype=f"datetime64[ns, {TIMEZONE}]")
    if digits.any():
        stamps[digits] = pd.to_datetime(
            text[digits].astype(np.int64), unit="ms", utc=True
        ).dt.tz_convert(TIMEZONE)
    if (~digits).any():
        parsed = pd.to_datetime(text[~digits], format="ISO8601", utc=False)
        if getattr(parsed.dt, "tz", None) is None:
            try:
                parsed = parsed.dt.tz_localize(
                    timezone, ambiguous="raise", nonexistent="raise"
                )
            except ValueError as exc:
                raise _TimeZoneError(
                    f"a naive time is not a single instant in {timezone} ({exc}): "
                    "clocks change then, so the same text names two instants (or "
                    "none). Read the file with the time zone it was written in "
                    "(the Kaggle files are naive UTC: timezone='UTC'), or write "
                    "times with an offset or as epoch milliseconds"
                ) from None
        stamps[~digits] = parsed.dt.tz_convert(TIMEZONE)
    if stamps.isna().any():
        raise ValueError("a time value could not be parsed")
    ns = stamps.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")
    values = pa.array(ns.to_numpy().view(np.int64))
    return values.take(enc.indices)


def _sum_slots(cell: np.ndarray, time: np.ndarray, values: list[np.ndarray]):
    """Sum rows of the same (cell, slot): the sum over country codes.

    ``values`` holds one array per type, NaN for empty fields, which count as 0.
    Rows are sorted by cell then time first, unless they already are (the original
    files are), then each run of equal keys is added up with ``np.add.reduceat``:
    linear time, no hashing.
    """
    if len(cell) > 1:
        step = (cell[1:] > cell[:-1]) | (
            (cell[1:] == cell[:-1]) & (time[1:] >= time[:-1])
        )
        if not step.all():
            order = np.lexsort((time, cell))
            cell, time = cell[order], time[order]
            values = [v[order] for v in values]
    values = [np.where(np.isnan(v), 0.0, v) for v in values]
    new = np.ones(len(cell), dtype=bool)
    new[1:] = (cell[1:] != cell[:-1]) | (time[1:] != time[:-1])
    if new.all():
        return cell, time, values
    starts = np.flatnonzero(new)
    return cell[starts], time[starts], [np.add.reduceat(v, starts) for v in values]


def _chunks(source, size: int):
    """Yield the stream's bytes in pieces of about ``size`` that end on a newline.

    Parsing fixed pieces one at a time keeps memory flat: pyarrow's streaming
    reader reads far ahead of its consumer (hundreds of MB on a daily file).
    """
    rest = b""
    while True:
        data = source.read(size)
        if not data:
            if rest.strip():
                yield rest
            return
        data = rest + data
        cut = data.rfind(b"\n") + 1
        if cut == 0:  # a single line longer than the piece: keep reading
            rest = data
            continue
        rest = data[cut:]
        yield data[:cut]


def _parse_piece(piece: bytes, ctx: _Context, handler):
    """Parse one piece of text into an arrow table of the needed columns."""
    fmt = ctx.fmt
    column_types = {"cell": pa.int64(), **dict.fromkeys(ctx.types, pa.float64())}
    column_types["time"] = pa.string() if fmt.time_is_text else pa.int64()
    return pv.read_csv(
        pa.py_buffer(piece),
        read_options=pv.ReadOptions(
            column_names=list(fmt.columns),
            block_size=max(_CHUNK_BYTES // 2, 1 << 20),
        ),
        parse_options=pv.ParseOptions(
            delimiter=ctx.delimiter, invalid_row_handler=handler
        ),
        convert_options=pv.ConvertOptions(
            column_types=column_types,
            include_columns=["cell", "time", *ctx.types],
            null_values=[""],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _reduce_piece(table: pa.Table, ctx: _Context):
    """Check, filter and sum one parsed piece; None if no row is kept."""
    fmt = ctx.fmt
    required = ["cell", "time"] if fmt.blank_is_zero else ["cell", "time", *ctx.types]
    if any(table[c].null_count for c in required):
        # an empty id, time or (lab files) value: the slow path names the line
        raise pa.ArrowInvalid("an empty required field")
    for t in ctx.types:  # 'nan' and 'inf' parse as floats but are not activity
        if pc.all(pc.is_finite(table[t])).as_py() is False:
            raise pa.ArrowInvalid(f"a non-finite value in column '{t}'")
    if ctx.cells is not None:
        table = table.filter(pc.is_in(table["cell"], value_set=pa.array(ctx.cells)))
    if table.num_rows == 0:
        return None
    times = _time_to_ns(table["time"].combine_chunks(), fmt, ctx.timezone)
    table = table.set_column(1, "time", times)
    if ctx.lo_ns is not None:
        table = table.filter(pc.greater_equal(table["time"], ctx.lo_ns))
    if ctx.hi_ns is not None:
        table = table.filter(pc.less(table["time"], ctx.hi_ns))
    if table.num_rows == 0:
        return None
    values = [table[t].to_numpy(zero_copy_only=False) for t in ctx.types]
    summed = _sum_slots(table["cell"].to_numpy(), table["time"].to_numpy(), values)
    _check_one_line_per_slot(summed, table.num_rows, ctx)
    return summed


def _check_one_line_per_slot(summed, n_rows: int, ctx: _Context) -> None:
    """Lab files have one line per cell and slot: a repeat would be added twice."""
    if "country" in ctx.fmt.columns or len(summed[0]) == n_rows:
        return
    raise MalformedFileError(
        f"{ctx.path}: some cell has two lines for the same slot, but a lab file "
        "holds one line per cell and slot (already summed over country codes), so "
        "both would be counted. Remove the repeated lines (e.g. with "
        "'sort -u'), or check that the file was not written twice."
    )


def _read_pieces(source, ctx: _Context):
    """Read a stream piece by piece; return (per-piece sums, skipped lines).

    Each piece goes through pyarrow's fast parser. A piece it refuses (wrong field
    count, text in a number column, empty ids...) is checked line by line in Python
    to name the exact line, or to drop bad lines with ``on_bad_lines='skip'``.
    """
    parts, skipped = [], []
    first_line = 1
    for i, piece in enumerate(_chunks(source, _CHUNK_BYTES)):
        if i == 0 and ctx.fmt.header is not None:  # checked by _check_header
            cut = piece.find(b"\n") + 1 or len(piece)
            piece, first_line = piece[cut:], 2
        n_lines = piece.count(b"\n")
        if not piece.strip():
            first_line += n_lines
            continue
        bad_rows: list = []

        def handler(row, bad_rows=bad_rows):
            bad_rows.append(row.number)  # row.text may not be valid UTF-8
            return "skip" if ctx.on_bad_lines == "skip" else "error"

        try:
            table = _parse_piece(piece, ctx, handler)
            if bad_rows:  # skipped by arrow: rescan to count and locate them
                raise pa.ArrowInvalid("rows with a wrong number of fields")
            part = _reduce_piece(table, ctx)
        except _TimeZoneError:
            raise
        except (pa.ArrowInvalid, ValueError) as exc:
            text, bad = _scan_piece(piece, first_line, ctx)
            if not bad:  # nothing wrong line by line: report pyarrow's reason
                last = first_line + n_lines
                raise MalformedFileError(
                    f"{ctx.path}, lines {first_line}-{last}: could not be read ({exc})."
                ) from exc
            skipped.extend(bad)
            part = None
            if text.strip():
                part = _reduce_piece(_parse_piece(text.encode(), ctx, None), ctx)
        if part is not None:
            parts.append(part)
        first_line += n_lines
    return parts, skipped


def _merge_parts(parts, types):
    """Join the pieces' sums; slots split across two pieces are added up."""
    cell = np.concatenate([p[0] for p in parts])
    time = np.concatenate([p[1] for p in parts])
    values = [np.concatenate([p[2][i] for p in parts]) for i in range(len(types))]
    return _sum_slots(cell, time, values)


def _read_file(path: Path, fmt: _Format, types, cells, lo, hi, on_bad_lines, timezone):
    """Read one file into (cell, time_ns, values) sums and a list of skipped lines."""
    _check_header(path, fmt)
    ctx = _Context(
        path=path,
        fmt=fmt,
        types=types,
        delimiter=_sniff_delimiter(path, fmt),
        cells=cells,
        lo_ns=None if lo is None else lo.as_unit("ns").value,
        hi_ns=None if hi is None else hi.as_unit("ns").value,
        timezone=timezone,
        on_bad_lines=on_bad_lines,
    )
    try:
        parts, skipped = _read_pieces(
            pa.input_stream(str(path), compression="detect"), ctx
        )
    except _TimeZoneError as exc:
        raise MalformedFileError(f"{path}: {exc}.") from None
    if not parts:
        return None, skipped
    merged = _merge_parts(parts, types)
    _check_one_line_per_slot(merged, sum(len(p[0]) for p in parts), ctx)
    return merged, skipped


def _check_no_overlap(results, files) -> None:
    """Raise if two files hold the same (cell, slot): it would be counted twice.

    Daily files cover disjoint days, so usually no pair of files even overlaps in
    time and nothing is compared; only overlapping pairs are checked row by row.
    """
    spans = [(r[1].min(), r[1].max()) for r in results]
    order = sorted(range(len(results)), key=lambda i: spans[i][0])
    for a_pos, a in enumerate(order):
        for b in order[a_pos + 1 :]:
            if spans[b][0] > spans[a][1]:
                break
            cell = np.concatenate([results[a][0], results[b][0]])
            time = np.concatenate([results[a][1], results[b][1]])
            keys = pd.MultiIndex.from_arrays([cell, time])
            if keys.has_duplicates:
                dup = keys[keys.duplicated()][0]
                when = pd.Timestamp(dup[1], tz="UTC").tz_convert(TIMEZONE)
                raise ValueError(
                    f"Files '{files[a]}' and '{files[b]}' both hold cell {dup[0]} at "
                    f"{when} (and maybe more): reading both would count that "
                    "activity twice. Pass only one of them (e.g. not both a .txt "
                    "and its .txt.gz, or the same day in two formats)."
                )


def _to_frame(results, types) -> pd.DataFrame:
    if not results:
        results = [
            (
                np.array([], np.int64),
                np.array([], np.int64),
                [np.array([], float) for _ in types],
            )
        ]
    columns = {"cell": np.concatenate([r[0] for r in results])}
    time = np.concatenate([r[1] for r in results])
    columns["time"] = pd.to_datetime(time, unit="ns", utc=True)
    for i, t in enumerate(types):
        columns[t] = np.concatenate([r[2][i] for r in results])
    return pd.DataFrame(columns)


def _read(paths, fmt_name, *, cells, start, end, types, on_bad_lines, timezone):
    if on_bad_lines not in ("error", "skip"):
        raise ValueError(
            "The 'on_bad_lines' parameter must be 'error' or 'skip'. "
            f"Got {on_bad_lines!r} instead."
        )
    type_list = check_types(types)
    cell_arr = check_cells(cells)
    lo, hi = check_time_range(start, end)
    if fmt_name not in (*_FORMATS, "auto"):
        raise ValueError(
            "The 'format' parameter must be one of 'auto', 'dataverse', 'kaggle', "
            f"'lab'. Got {fmt_name!r} instead."
        )
    fixed = None if fmt_name == "auto" else _FORMATS[fmt_name]
    files = _expand_paths(paths, fixed)
    tables, read_files, n_skipped, n_files = [], [], 0, 0
    for path in files:
        if not _file_may_hold(path, lo, hi):
            continue
        n_files += 1
        fmt = fixed or _guess_format(path)
        table, skipped = _read_file(
            path,
            fmt,
            type_list,
            cell_arr,
            lo,
            hi,
            on_bad_lines,
            timezone or fmt.timezone,
        )
        if skipped:
            n_skipped += len(skipped)
            first_line, why = skipped[0]
            warnings.warn(
                f"Skipped {len(skipped)} malformed line(s) of {path} (first: line "
                f"{first_line}, {why}).",
                UserWarning,
                stacklevel=3,
            )
        if table is not None:
            tables.append(table)
            read_files.append(path)
    if len(tables) > 1:
        _check_no_overlap(tables, read_files)
    frame = _to_frame(tables, type_list)
    where = str(files[0]) if len(files) == 1 else f"{len(files)} files"
    if n_files == 0:
        raise ValueError(
            f"The selection is empty: none of the {len(files)} file(s) is dated within "
            f"[{lo}, {hi}) (judged by the date in the file names). Widen 'start'/'end'."
        )
    check_selection(frame, cells=cell_arr, lo=lo, hi=hi, source=where)
    _warn_partial_coverage(frame["time"], lo, hi, where)
    out = finalize(frame, type_list)
    out.attrs["n_skipped_lines"] = n_skipped
    return out


def _warn_partial_coverage(time: pd.Series, lo, hi, where: str) -> None:
    """Warn when the data found covers clearly less than the asked-for range."""
    first, last = time.min(), time.max()
    hour = pd.Timedelta(hours=1)
    short_start = lo is not None and first - lo >= hour
    short_end = hi is not None and hi - last > hour
    if short_start or short_end:
        warnings.warn(
            f"The date range asked for is [{lo}, {hi}) but {where} hold(s) data only "
            f"from {first.tz_convert(TIMEZONE)} to {last.tz_convert(TIMEZONE)}. "
            "Add the missing files, or narrow 'start'/'end' to silence this.",
            UserWarning,
            stacklevel=4,
        )


_COMMON_DOC = """
    Parameters
    ----------
    paths : str, path-like or list of them
        Files (plain or compressed: ``.gz``, ``.bz2``, ``.xz``), directories (every
        file whose name matches the format's pattern) or glob patterns.
    cells : int, list of int or None, default=None
        Cells (squares of the Milano grid, 1-10000) to keep; None keeps all. Rows of
        other cells are dropped while the file streams by. Asking for a cell that is
        not in the selected data is an error.
    start, end : str, date, datetime or None, default=None
        Inclusive bounds on the slot time; naive values are Milan local time. As in
        pandas' label slicing a partial date as ``end`` covers the whole of it
        (``'2013-11-07'`` the day, ``'2013-11'`` the month); a ``datetime`` is an
        instant. Daily files whose name dates them outside the range are not
        opened. A range that selects nothing is an error; one the files cover only
        in part gives a ``UserWarning``.
    types : str, int, list or None, default=None
        Traffic types to read: names from ``TRAFFIC_TYPES`` (``'sms_in'``,
        ``'sms_out'``, ``'call_in'``, ``'call_out'``, ``'internet'``) or the lab's
        codes 1-5; None reads all five. Only these columns are converted.
    on_bad_lines : {'error', 'skip'}, default='error'
        A line with the wrong number of fields or a non-numeric value raises
        :class:`MalformedFileError` naming the file and line. With ``'skip'`` such
        lines are skipped, a ``UserWarning`` gives their number per file, and the
        total is in ``frame.attrs['n_skipped_lines']``. Non-finite values count as
        malformed. The same cell and slot in two files (e.g. a ``.txt`` and its
        ``.txt.gz``) is an error: it would be counted twice.
"""

_RETURNS_DOC = """
    Returns
    -------
    frame : pandas.DataFrame
        The tidy frame: one row per cell and slot, sorted by cell then time, with
        columns ``cell`` (int64), ``time`` (``datetime64[ns, Europe/Rome]``) and one
        float64 column per selected type, summed over country codes (missing fields
        count as 0). A slot with no line in the file has no row: the file records no
        activity for it (see ``HourlyAggregator(missing=...)``).
"""


def _doc(func):
    doc = func.__doc__.replace("    %(common)s\n", _COMMON_DOC.strip("\n") + "\n")
    func.__doc__ = doc.replace("    %(returns)s\n", _RETURNS_DOC.strip("\n") + "\n")
    return func


@_doc
def read_dataverse(
    paths, *, cells=None, start=None, end=None, types=None, on_bad_lines="error"
) -> pd.DataFrame:
    r"""Read the original Telecom Italia daily files ``sms-call-internet-mi-*.txt``.

    These are the Harvard Dataverse files (doi:10.7910/DVN/EGZHFV): tab-separated,
    no header, columns square id, time interval (epoch milliseconds, slot start),
    country code, sms-in, sms-out, call-in, call-out, internet. Empty fields are
    missing activity. A slot has one line per country code, or none.

    %(common)s

    %(returns)s

    See Also
    --------
    read_kaggle, read_lab_processed : The other two shapes of the same data.
    read_milano : Any of the three, told apart by name and first line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from lstmforecast.datasets import read_dataverse
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> lines = ["1\t1383260400000\t0\t0.08\t\t\t\t",
    ...          "1\t1383260400000\t39\t0.14\t0.15\t0.16\t0.05\t11.0"]
    >>> _ = (tmp / "sms-call-internet-mi-2013-11-01.txt").write_text("\n".join(lines))
    >>> read_dataverse(tmp, types=["sms_in", "internet"])
       cell                      time  sms_in  internet
    0     1 2013-11-01 00:00:00+01:00    0.22      11.0
    """
    return _read(
        paths,
        "dataverse",
        cells=cells,
        start=start,
        end=end,
        types=types,
        on_bad_lines=on_bad_lines,
        timezone=None,
    )


@_doc
def read_kaggle(
    paths,
    *,
    cells=None,
    start=None,
    end=None,
    types=None,
    on_bad_lines="error",
    timezone="UTC",
) -> pd.DataFrame:
    r"""Read the Kaggle redistribution ``sms-call-internet-mi-*.csv``.

    Comma-separated with the header
    ``datetime,CellID,countrycode,smsin,smsout,callin,callout,internet``; one line
    per cell, slot and country code, like the original files.

    %(common)s
    timezone : str, default='UTC'
        Time zone of naive ``datetime`` values. The Kaggle files were written from
        the original epoch milliseconds as naive UTC (``2013-10-31 23:00:00`` is
        local midnight of 1 November); pass ``'Europe/Rome'`` for files written in
        local time. Values that carry an offset, or that are epoch milliseconds,
        need no time zone.

    %(returns)s

    See Also
    --------
    read_dataverse, read_lab_processed, read_milano

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from lstmforecast.datasets import read_kaggle
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "sms-call-internet-mi-2013-11-01.csv"
    >>> _ = path.write_text(
    ...     "datetime,CellID,countrycode,smsin,smsout,callin,callout,internet\n"
    ...     "2013-10-31 23:00:00,1,39,0.14,0.15,0.16,0.05,11.0\n"
    ...     "2013-10-31 23:10:00,1,39,0.27,0.11,0.18,0.13,11.1\n")
    >>> read_kaggle(path, types="internet")
       cell                      time  internet
    0     1 2013-11-01 00:00:00+01:00      11.0
    1     1 2013-11-01 00:10:00+01:00      11.1
    """
    return _read(
        paths,
        "kaggle",
        cells=cells,
        start=start,
        end=end,
        types=types,
        on_bad_lines=on_bad_lines,
        timezone=timezone,
    )


@_doc
def read_lab_processed(
    paths,
    *,
    cells=None,
    start=None,
    end=None,
    types=None,
    on_bad_lines="error",
    timezone=TIMEZONE,
) -> pd.DataFrame:
    r"""Read the Politecnico lab's ``short_milan_processed_YYYY-MM-DD.txt`` files.

    One line per cell and slot, no header, fields separated by one tab or one space
    (as the lab's ``line.split()`` reads them): cell id, slot time, then sms-in,
    sms-out, call-in, call-out, internet, already summed over country codes. The
    time is epoch milliseconds (as in the original files) or a timestamp text; in
    space-separated files that text must not hold a space (``2013-11-01T00:00:00``).
    Each cell and slot has one line: a repeated one is an error, not a sum.

    %(common)s
    timezone : str, default='Europe/Rome'
        Time zone of naive timestamp texts in the time column.

    %(returns)s

    See Also
    --------
    read_dataverse, read_kaggle, read_milano
    load_dataset : The lab's day x hour table from any of these files.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from lstmforecast.datasets import read_lab_processed
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "short_milan_processed_2013-11-01.txt"
    >>> _ = path.write_text("3 1383260400000 0.2 0.1 0.3 0.1 55.5\n"
    ...                     "3 1383261000000 0.1 0.1 0.2 0.0 49.5\n")
    >>> read_lab_processed(path, types=5)
       cell                      time  internet
    0     3 2013-11-01 00:00:00+01:00      55.5
    1     3 2013-11-01 00:10:00+01:00      49.5
    """
    return _read(
        paths,
        "lab",
        cells=cells,
        start=start,
        end=end,
        types=types,
        on_bad_lines=on_bad_lines,
        timezone=timezone,
    )


@_doc
def read_milano(
    paths,
    *,
    format="auto",
    cells=None,
    start=None,
    end=None,
    types=None,
    on_bad_lines="error",
) -> pd.DataFrame:
    """Read Milano GRID files of any of the three shapes into the tidy frame.

    %(common)s
    format : {'auto', 'dataverse', 'kaggle', 'lab'}, default='auto'
        With ``'auto'`` each file's shape is told by its name
        (``short_milan_processed_*`` is the lab's) and first line (a ``datetime,``
        header is Kaggle's, tabs are the original files'). Time zones take the
        readers' defaults.

    %(returns)s

    See Also
    --------
    read_dataverse, read_kaggle, read_lab_processed

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from lstmforecast.datasets import make_milano_traffic, read_milano
    >>> from lstmforecast.datasets import write_milano
    >>> truth = make_milano_traffic(n_cells=2, n_days=1, empty_fraction=0,
    ...                             random_state=0)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> files = write_milano(truth, folder, format="kaggle", random_state=0)
    >>> frame = read_milano(folder, types="internet")
    >>> frame.shape
    (288, 3)
    """
    return _read(
        paths,
        format,
        cells=cells,
        start=start,
        end=end,
        types=types,
        on_bad_lines=on_bad_lines,
        timezone=None,
    )
