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
import datetime as _dt
import difflib
import errno
import glob
import gzip
import lzma
import math
import os
import re
import warnings
import zlib
import zoneinfo
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from lstmforecast.datasets._schema import (
    SLOT,
    TIMEZONE,
    TRAFFIC_TYPES,
    as_written,
    check_cells,
    check_selection,
    check_time_range,
    check_types,
    finalize,
    range_text,
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
_SLOT_NS = SLOT.value
_MAX_MS = (2**63 - 1) // 1_000_000  # epoch ms that fit nanosecond timestamps
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
# suffix: (magic bytes, name) of the compressed formats read
_COMPRESSION = {
    ".gz": (b"\x1f\x8b", "gzip"),
    ".bz2": (b"BZh", "bzip2"),
    ".xz": (b"\xfd7zXZ\x00", "xz"),
}


class MalformedFileError(ValueError):
    r"""A Milano file has a line that cannot be parsed, or cannot be read at all.

    The message names the file, the line number (1-based, counting a header line)
    and what is wrong with it. Pass ``on_bad_lines="skip"`` to the reader to skip
    such lines instead; the number skipped is then reported. Implausible values
    (negative activity, times off the 10-minute grid or on another day than the
    file name's) raise it too, unless ``on_bad_values`` says otherwise. A file
    that cannot be decompressed, or that is UTF-16 text, raises it naming the file.

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
    on_bad_values: str = "error"
    day: str | None = None  # the date in the file name, if any
    day_ns: tuple[int, int] | None = None  # that local day, as UTC ns [lo, hi)


@dataclass
class _Tally:
    """Rows of one file with implausible values (skipped or kept), by kind."""

    counts: dict[str, int] = field(default_factory=dict)
    first: str | None = None  # "line 7: column 'internet' is negative (-5.0)"

    def add(self, other: _Tally | None) -> None:
        if other is None:
            return
        for kind, n in other.counts.items():
            self.counts[kind] = self.counts.get(kind, 0) + n
        self.first = self.first or other.first

    @property
    def rows(self) -> int:
        return self.counts.get("rows", 0)


_BAD_KINDS = {
    "negative": "negative",
    "off_grid": "off the 10-minute grid",
    "other_day": "dated another day than the file name",
}


class _TimeZoneError(ValueError):
    """A naive local time that is ambiguous or does not exist (DST)."""


# --------------------------------------------------------------------------- files
def _one_line(exc: BaseException) -> str:
    """Return the first line of an exception's message (pandas' span several)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _check_compression(path: Path) -> None:
    """Refuse a file whose compression suffix does not match its first bytes."""
    suffix = path.suffix.lower()
    if suffix not in _COMPRESSION:
        return
    magic, kind = _COMPRESSION[suffix]
    with open(path, "rb") as fh:
        head = fh.read(len(magic))
    if head != magic:
        raise MalformedFileError(
            f"{path}: the name ends in '{path.suffix}' but the file is not "
            f"{kind}-compressed (it starts with {head!r}). Download it again, or "
            f"remove the '{path.suffix}' suffix if it is plain text."
        )


@contextmanager
def _naming_the_file(path: Path):
    """Turn decompression errors (which name no file) into one-line errors."""
    try:
        yield
    except (OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
        if path.suffix.lower() not in _COMPRESSION or isinstance(
            exc, (FileNotFoundError, PermissionError, IsADirectoryError)
        ):
            raise
        kind = _COMPRESSION[path.suffix.lower()][1]
        raise MalformedFileError(
            f"{path}: cannot be decompressed as {kind} ({_one_line(exc)}). The file "
            "is damaged, e.g. cut short by an interrupted download or copy: "
            "download or compress it again."
        ) from exc


def _strip_bom(head: bytes, path: Path) -> bytes:
    """Drop a UTF-8 byte-order mark (spreadsheet programs write one); refuse UTF-16."""
    if head.startswith(_UTF8_BOM):
        return head[len(_UTF8_BOM) :]
    if head.startswith(_UTF32_BOMS + _UTF16_BOMS):
        size = 4 if head.startswith(_UTF32_BOMS) else 2
        kind = f"UTF-{8 * size}"
        raise MalformedFileError(
            f"{path}: the file is {kind} text (it starts with the byte-order mark "
            f"{head[:size].hex(' ')}), but Milano files are UTF-8. Save it again as "
            "UTF-8 (a spreadsheet program's 'CSV UTF-8'), or convert it with "
            f"'iconv -f {kind} -t UTF-8'."
        )
    return head


def _first_line(path: Path) -> str:
    """Return the first line of a (compressed) file, without a byte-order mark."""
    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(
        path.suffix.lower(), open
    )
    _check_compression(path)
    with _naming_the_file(path), opener(path, "rb") as fh:
        head = fh.readline(1 << 16)
    return _strip_bom(head, path).decode("utf-8", errors="replace")


def _check_link(path: Path) -> None:
    """Raise a one-line error for a symbolic link that loops or points nowhere."""
    if not path.is_symlink() or path.exists():
        return
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13: "Symlink loop from ..."
        loop = True
    except OSError as exc:
        loop = exc.errno == errno.ELOOP
    else:
        return
    if loop:
        raise FileNotFoundError(
            f"'{path}' is a symbolic link that loops (following it leads back to "
            "itself), so it names no file. Point the link at the real file, or "
            "pass the file itself."
        )
    raise FileNotFoundError(
        f"'{path}' is a symbolic link to '{os.readlink(path)}', which does not "
        "exist. Fix or remove the link, or pass the real file."
    )


def _check_timezone(timezone, reader: str) -> None:
    """Refuse a time zone pandas does not know, suggesting close names."""
    ok = isinstance(timezone, (str, _dt.tzinfo))
    if ok:
        try:
            pd.Timestamp("2000-01-01").tz_localize(timezone)
        except Exception:  # pandas raises several types for unknown zones
            ok = False
    if ok:
        return
    hint = "Check the spelling: zoneinfo.available_timezones() lists the names."
    if isinstance(timezone, str):
        close = difflib.get_close_matches(
            timezone, sorted(zoneinfo.available_timezones()), n=3
        )
        if close:
            hint = f"Did you mean {' or '.join(repr(c) for c in close)}?"
    raise ValueError(
        f"The 'timezone' parameter of {reader} must be a time zone name such as "
        f"'UTC' or 'Europe/Rome'. Got {as_written(timezone)} instead, which is not "
        f"a known time zone. {hint}"
    )


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
        _check_link(path)
        if path.is_dir():
            patterns = [fmt.pattern] if fmt else [f.pattern for f in _FORMATS.values()]
            found = sorted({q for pat in patterns for q in path.glob(pat)})
            if not found:
                raise FileNotFoundError(
                    f"No Milano file in directory '{path}': expected names matching "
                    f"{patterns}. Pass the files themselves, or set 'format'."
                )
            for q in found:
                _check_link(q)
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif glob.has_magic(str(p)):
            found = sorted(Path(q) for q in glob.glob(str(p)))
            if not found:
                raise FileNotFoundError(f"The pattern '{p}' matches no file.")
            for q in found:
                _check_link(q)
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
    first = _first_line(path)
    if first.lower().replace(" ", "").replace('"', "").startswith("datetime,"):
        return _KAGGLE
    if "\t" in first:
        return _DATAVERSE
    if not first.strip():
        raise ValueError(
            f"Cannot tell the format of '{path}': its first line is empty (the file "
            "is empty, or starts with a blank line). Check the file, e.g. a download "
            "or copy that was cut short, or pass format='dataverse', 'kaggle' or "
            "'lab'."
        )
    raise ValueError(
        f"Cannot tell the format of '{path}': its first line is {first[:80]!r}. "
        "Pass format='dataverse', 'kaggle' or 'lab'."
    )


def _file_may_hold(path: Path, lo, hi) -> bool:
    """Use the date in a daily file's name to skip files outside the range."""
    day, _ = _name_day(path)
    if day is None:
        return True
    day = pd.Timestamp(day).tz_localize(TIMEZONE)
    # one day of margin on each side: a file's slots may straddle midnight in UTC
    if lo is not None and day + pd.Timedelta(days=2) <= lo:
        return False
    if hi is not None and day - pd.Timedelta(days=1) >= hi:
        return False
    return True


# ---------------------------------------------------------------- slow path: lines
def _split(fmt: _Format, line: str, delimiter: str) -> list[str]:
    return line.split() if fmt.delimiter is None else line.split(delimiter)


def _time_problem(fmt: _Format, value: str) -> str | None:
    """Say what is wrong with one time field, parsed as the fast path parses it."""
    value = value.strip()
    if not value:
        return "column 'time' is empty"
    if not fmt.time_is_text or value.isdigit():
        try:
            ms = int(value)
        except ValueError:
            return (
                "column 'time' must be epoch milliseconds (an integer), found "
                f"{value!r}"
            )
        if abs(ms) > _MAX_MS:
            return (
                "column 'time' must be epoch milliseconds within the years "
                f"1677-2262, found {value!r}"
            )
        return None
    try:
        pd.to_datetime(value, format="ISO8601")
    except (ValueError, OverflowError):
        return (
            "column 'time' must be an ISO 8601 timestamp such as "
            f"'2013-11-01 00:00:00' (or epoch milliseconds), found {value!r}"
        )
    return None


def _line_problem(fmt: _Format, fields: list[str], types, delimiter: str) -> str | None:
    """Say what is wrong with one line's fields, or None if it is fine."""
    n = len(fmt.columns)
    if len(fields) != n:
        return f"expected {n} fields separated by {delimiter!r}, found {len(fields)}"
    named = dict(zip(fmt.columns, fields, strict=True))
    try:
        int(named["cell"])
    except ValueError:
        return f"column 'cell' must be an integer, found {named['cell']!r}"
    problem = _time_problem(fmt, named["time"])
    if problem is not None:
        return problem
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
    """Check one piece's lines in Python; return (clean lines, skipped) or raise.

    Only a piece the fast parser refused is scanned, so one bad line in a 300 MB
    file costs a 4 MiB rescan. ``first_line`` is the file line number of the
    piece's first line. The clean lines are ``(line number, text)`` pairs.
    """
    kept: list[tuple[int, str]] = []
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
            kept.append((lineno, body))
            continue
        if ctx.on_bad_lines != "skip":
            raise MalformedFileError(
                f"{ctx.path}, line {lineno}: {problem}. The line reads "
                f"{body[:120]!r}. Fix or remove the line, or pass "
                "on_bad_lines='skip' to skip malformed lines (their number is "
                "reported)."
            )
        skipped.append((lineno, problem))
    return kept, skipped


# ---------------------------------------------------------------- fast path: arrow
def _sniff_delimiter(path: Path, fmt: _Format) -> str:
    if fmt.delimiter is not None:
        return fmt.delimiter
    first = _first_line(path)
    return "\t" if "\t" in first else " "


def _check_header(path: Path, fmt: _Format) -> None:
    if fmt.header is None:
        return
    first = _first_line(path).rstrip("\r\n")
    got = tuple(c.strip().strip('"').lower() for c in first.split(fmt.delimiter))
    if got != fmt.header:
        raise MalformedFileError(
            f"{path}, line 1: expected the header {','.join(fmt.header)!r} (in any "
            f"letter case), found {first[:120]!r}. Is this a Kaggle-format file? "
            "Pass the right 'format', or fix the header."
        )


def _time_to_ns(arr: pa.Array, fmt: _Format, timezone: str) -> pa.Array:
    """Convert a time column to int64 nanoseconds since the epoch (UTC)."""
    if not fmt.time_is_text:  # an overflow is ArrowInvalid: the slow path names it
        return pc.multiply_checked(
            arr.cast(pa.int64()), pa.scalar(1_000_000, pa.int64())
        )
    enc = arr.dictionary_encode()  # slots repeat: parse each distinct value once
    text = pd.Series(enc.dictionary.to_pylist(), dtype=object).str.strip()
    digits = text.str.fullmatch(r"\d+")
    stamps = pd.Series(pd.NaT, index=text.index, dtype=f"datetime64[ns, {TIMEZONE}]")
    if digits.any():
        try:
            ms = text[digits].astype(np.int64)
        except OverflowError:
            raise ValueError("an epoch time does not fit 64 bits") from None
        stamps[digits] = pd.to_datetime(ms, unit="ms", utc=True).dt.tz_convert(TIMEZONE)
    if (~digits).any():
        parsed = pd.to_datetime(text[~digits], format="ISO8601", utc=False)
        if getattr(parsed.dt, "tz", None) is None:
            local = parsed.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
            lost = (local.isna() & parsed.notna()).to_numpy()  # NaT: the slow path
            if lost.any():
                first = text[~digits][lost].iloc[0]
                raise _TimeZoneError(
                    f"the naive time {first!r} is not a single instant in {timezone}: "
                    "clocks change then, so it names two instants (or none). Read "
                    "the file with the time zone it was written in (the Kaggle "
                    "files are naive UTC: timezone='UTC'), or write times with an "
                    "offset or as epoch milliseconds"
                )
            parsed = local
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


def _check_required(table: pa.Table, ctx: _Context) -> None:
    """Raise ArrowInvalid (the slow path then names the line) on empty or inf."""
    fmt = ctx.fmt
    required = ["cell", "time"] if fmt.blank_is_zero else ["cell", "time", *ctx.types]
    if any(table[c].null_count for c in required):
        # an empty id, time or (lab files) value: the slow path names the line
        raise pa.ArrowInvalid("an empty required field")
    for t in ctx.types:  # 'nan' and 'inf' parse as floats but are not activity
        if pc.all(pc.is_finite(table[t])).as_py() is False:
            raise pa.ArrowInvalid(f"a non-finite value in column '{t}'")


def _bad_values(time: np.ndarray, values: list[np.ndarray], ctx: _Context):
    """Masks of the rows with implausible values, by kind (only kinds found)."""
    found = {}
    negative = None
    for v in values:
        below = v < 0  # NaN (empty field) compares False
        negative = below if negative is None else negative | below
    if negative is not None and negative.any():
        found["negative"] = negative
    off_grid = time % _SLOT_NS != 0
    if off_grid.any():
        found["off_grid"] = off_grid
    if ctx.day_ns is not None:
        other = (time < ctx.day_ns[0]) | (time >= ctx.day_ns[1])
        if other.any():
            found["other_day"] = other
    return found


def _describe_bad(kind: str, i: int, time, values, ctx: _Context) -> str:
    """Say what is implausible about row ``i``."""
    when = pd.Timestamp(int(time[i]), tz="UTC").tz_convert(TIMEZONE)
    if kind == "negative":
        col, v = next(
            (t, v[i]) for t, v in zip(ctx.types, values, strict=True) if v[i] < 0
        )
        return (
            f"column '{col}' is negative ({float(v)!r}), but activity cannot be below 0"
        )
    if kind == "off_grid":
        return (
            f"time {when} is not on the 10-minute grid of the Milano slots "
            "(minutes :00, :10, ... :50, second 0)"
        )
    hint = ""
    if ctx.fmt.time_is_text:
        hint = (
            " (if every file is an hour or two off at its ends, its naive times are "
            "in another time zone: check 'timezone')"
        )
    return (
        f"time {when} is on {when.date()}, not on {ctx.day}, the day of the file "
        f"name (days on Milan local time){hint}"
    )


def _handle_bad(found, time, values, ctx: _Context, locate, row_of):
    """Raise for the first implausible row, or count them; return (keep, tally)."""
    bad = np.logical_or.reduce(list(found.values()))
    counts = {"rows": int(bad.sum())}
    counts.update({kind: int(m.sum()) for kind, m in found.items()})
    if ctx.on_bad_values == "keep":
        return None, _Tally(counts)
    i = int(np.argmax(bad))
    kind = next(k for k, m in found.items() if m[i])
    lineno, text = locate(row_of(i))
    problem = _describe_bad(kind, i, time, values, ctx)
    if ctx.on_bad_values == "error":
        raise MalformedFileError(
            f"{ctx.path}, line {lineno}: {problem}. The line reads {text[:120]!r}. "
            "Fix the line (or the file name), or pass on_bad_values='skip' to drop "
            "such rows (their number is reported) or on_bad_values='keep' to keep "
            "them."
        )
    return ~bad, _Tally(counts, f"line {lineno}: {problem}")


def _reduce_piece(table: pa.Table, ctx: _Context, locate):
    """Check, filter and sum one parsed piece; return (sums or None, tally).

    ``locate(row)`` gives the line number and text of a row of ``table``.
    """
    _check_required(table, ctx)
    selected = None
    if ctx.cells is not None:
        selected = pc.is_in(table["cell"], value_set=pa.array(ctx.cells))
        table = table.filter(selected)
    if table.num_rows == 0:
        return None, None
    time = _time_to_ns(table["time"].combine_chunks(), ctx.fmt, ctx.timezone)
    time = time.to_numpy()
    cell = table["cell"].to_numpy()
    values = [table[t].to_numpy(zero_copy_only=False) for t in ctx.types]
    keep, tally = None, None
    found = _bad_values(time, values, ctx)
    if found:

        def row_of(i):  # the row of the parsed piece, before the cell filter
            if selected is None:
                return i
            return int(np.flatnonzero(selected.to_numpy(zero_copy_only=False))[i])

        keep, tally = _handle_bad(found, time, values, ctx, locate, row_of)
    if ctx.lo_ns is not None or ctx.hi_ns is not None:
        in_range = np.ones(len(time), dtype=bool) if keep is None else keep
        if ctx.lo_ns is not None:
            in_range &= time >= ctx.lo_ns
        if ctx.hi_ns is not None:
            in_range &= time < ctx.hi_ns
        keep = in_range
    if keep is not None:
        cell, time, values = cell[keep], time[keep], [v[keep] for v in values]
    if len(cell) == 0:
        return None, tally
    summed = _sum_slots(cell, time, values)
    _check_one_line_per_slot(summed, len(cell), ctx)
    return summed, tally


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


def _nth_line(piece: bytes, first_line: int, row: int) -> tuple[int, str]:
    """Line number and text of the ``row``-th non-empty line (arrow's row)."""
    seen = -1
    for offset, line in enumerate(piece.split(b"\n")):
        body = line.rstrip(b"\r")
        if body:
            seen += 1
            if seen == row:
                return first_line + offset, body.decode("utf-8", errors="replace")
    raise IndexError(row)  # pragma: no cover - arrow has as many rows as lines


def _read_piece(piece: bytes, first_line: int, n_lines: int, ctx: _Context):
    """Parse and reduce one piece; return (sums or None, skipped lines, tally).

    The piece goes through pyarrow's fast parser. A piece it refuses (wrong field
    count, text in a number column, empty ids...) is checked line by line in
    Python to name the exact line, or to drop bad lines with
    ``on_bad_lines='skip'``.
    """
    bad_rows: list = []

    def handler(row):
        bad_rows.append(row.number)  # row.text may not be valid UTF-8
        return "skip" if ctx.on_bad_lines == "skip" else "error"

    try:
        table = _parse_piece(piece, ctx, handler)
        if bad_rows:  # skipped by arrow: rescan to count and locate them
            raise pa.ArrowInvalid("rows with a wrong number of fields")
        part, tally = _reduce_piece(
            table, ctx, lambda r: _nth_line(piece, first_line, r)
        )
        return part, [], tally
    except _TimeZoneError:
        raise
    except (pa.ArrowInvalid, ValueError) as exc:
        if isinstance(exc, MalformedFileError):
            raise
        kept, skipped = _scan_piece(piece, first_line, ctx)
        if not skipped:  # nothing wrong line by line: report pyarrow's reason
            last = first_line + n_lines
            raise MalformedFileError(
                f"{ctx.path}, lines {first_line}-{last}: could not be read "
                f"({_one_line(exc)}). Check these lines."
            ) from exc
    if not kept:
        return None, skipped, None
    text = "\n".join(body for _, body in kept) + "\n"
    part, tally = _reduce_piece(
        _parse_piece(text.encode(), ctx, None), ctx, lambda r: kept[r]
    )
    return part, skipped, tally


def _read_pieces(source, ctx: _Context):
    """Read a stream piece by piece; return (per-piece sums, skipped, tally)."""
    parts, skipped, tally = [], [], _Tally()
    first_line = 1
    for i, piece in enumerate(_chunks(source, _CHUNK_BYTES)):
        if i == 0:
            piece = _strip_bom(piece, ctx.path)
            if ctx.fmt.header is not None:  # checked by _check_header
                cut = piece.find(b"\n") + 1 or len(piece)
                piece, first_line = piece[cut:], 2
        n_lines = piece.count(b"\n")
        if piece.strip():
            part, bad, piece_tally = _read_piece(piece, first_line, n_lines, ctx)
            skipped.extend(bad)
            tally.add(piece_tally)
            if part is not None:
                parts.append(part)
        first_line += n_lines
    return parts, skipped, tally


def _merge_parts(parts, types):
    """Join the pieces' sums; slots split across two pieces are added up."""
    cell = np.concatenate([p[0] for p in parts])
    time = np.concatenate([p[1] for p in parts])
    values = [np.concatenate([p[2][i] for p in parts]) for i in range(len(types))]
    return _sum_slots(cell, time, values)


def _open_stream(path: Path):
    """Open a file as a binary stream, decompressed (pyarrow has no xz codec)."""
    if path.suffix.lower() == ".xz":
        return lzma.open(path, "rb")
    return pa.input_stream(str(path), compression="detect")


def _name_day(path: Path):
    """Return the date in a daily file's name and that local day in UTC ns."""
    m = _DATE_IN_NAME.search(path.name)
    if m is None:
        return None, None
    try:
        day = pd.Timestamp(m.group(1))
    except ValueError:  # e.g. 2013-13-45: not a date
        return None, None
    lo = day.tz_localize(TIMEZONE)
    hi = (day + pd.Timedelta(days=1)).tz_localize(TIMEZONE)
    return m.group(1), (lo.as_unit("ns").value, hi.as_unit("ns").value)


def _read_file(path: Path, fmt: _Format, types, cells, lo, hi, options):
    """Read one file into (cell, time_ns, values) sums, skipped lines and a tally.

    ``options`` holds ``on_bad_lines``, ``on_bad_values`` and ``timezone``.
    """
    _check_header(path, fmt)
    day, day_ns = _name_day(path)
    ctx = _Context(
        path=path,
        fmt=fmt,
        types=types,
        delimiter=_sniff_delimiter(path, fmt),
        cells=cells,
        lo_ns=None if lo is None else lo.as_unit("ns").value,
        hi_ns=None if hi is None else hi.as_unit("ns").value,
        day=day,
        day_ns=day_ns,
        **options,
    )
    try:
        with _open_stream(path) as source:
            parts, skipped, tally = _read_pieces(source, ctx)
    except _TimeZoneError as exc:
        raise MalformedFileError(f"{path}: {exc}.") from None
    if not parts:
        return None, skipped, tally
    merged = _merge_parts(parts, types)
    _check_one_line_per_slot(merged, sum(len(p[0]) for p in parts), ctx)
    return merged, skipped, tally


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


_READERS = {
    "dataverse": "read_dataverse",
    "kaggle": "read_kaggle",
    "lab": "read_lab_processed",
    "auto": "read_milano",
}


def _check_options(fmt_name, on_bad_lines, on_bad_values, timezone) -> None:
    if fmt_name not in _READERS:
        raise ValueError(
            "The 'format' parameter of read_milano must be one of 'auto', "
            f"'dataverse', 'kaggle', 'lab'. Got {as_written(fmt_name)} instead."
        )
    for name, value, allowed in (
        ("on_bad_lines", on_bad_lines, ("error", "skip")),
        ("on_bad_values", on_bad_values, ("error", "skip", "keep")),
    ):
        if not isinstance(value, str) or value not in allowed:
            choices = ", ".join(repr(a) for a in allowed[:-1])
            raise ValueError(
                f"The '{name}' parameter of {_READERS[fmt_name]} must be {choices} "
                f"or {allowed[-1]!r}. Got {as_written(value)} instead."
            )
    if timezone is not None:
        _check_timezone(timezone, _READERS[fmt_name])


def _warn_skipped(path: Path, skipped, tally: _Tally) -> None:
    """One warning per file for skipped lines, one for skipped implausible rows."""
    if skipped:
        first_line, why = skipped[0]
        warnings.warn(
            f"Skipped {len(skipped)} malformed line(s) of {path} (first: line "
            f"{first_line}, {why}).",
            UserWarning,
            stacklevel=5,
        )
    if tally.rows and tally.first is not None:  # on_bad_values='skip'
        kinds = ", ".join(
            f"{tally.counts[k]} {text}"
            for k, text in _BAD_KINDS.items()
            if k in tally.counts
        )
        warnings.warn(
            f"Skipped {tally.rows} row(s) of {path} with implausible values "
            f"({kinds}; first: {tally.first}).",
            UserWarning,
            stacklevel=5,
        )


def _read_all(files, fixed, type_list, cell_arr, lo, hi, options):
    """Read every file that may hold the range; return (tables, files, counts)."""
    tables, read_files = [], []
    counts = {"files": 0, "lines": 0, "values": 0}
    for path in files:
        if not _file_may_hold(path, lo, hi):
            continue
        counts["files"] += 1
        with _naming_the_file(path):
            _check_compression(path)
            fmt = fixed or _guess_format(path)
            file_options = {**options, "timezone": options["timezone"] or fmt.timezone}
            table, skipped, tally = _read_file(
                path, fmt, type_list, cell_arr, lo, hi, file_options
            )
        _warn_skipped(path, skipped, tally)
        counts["lines"] += len(skipped)
        counts["values"] += tally.rows
        if table is not None:
            tables.append(table)
            read_files.append(path)
    return tables, read_files, counts


def _read(
    paths, fmt_name, *, cells, start, end, types, on_bad_lines, on_bad_values, timezone
):
    _check_options(fmt_name, on_bad_lines, on_bad_values, timezone)
    type_list = check_types(types)
    cell_arr = check_cells(cells)
    lo, hi = check_time_range(start, end)
    fixed = None if fmt_name == "auto" else _FORMATS[fmt_name]
    files = _expand_paths(paths, fixed)
    options = {
        "on_bad_lines": on_bad_lines,
        "on_bad_values": on_bad_values,
        "timezone": timezone,
    }
    tables, read_files, counts = _read_all(
        files, fixed, type_list, cell_arr, lo, hi, options
    )
    if len(tables) > 1:
        _check_no_overlap(tables, read_files)
    frame = _to_frame(tables, type_list)
    where = str(files[0]) if len(files) == 1 else f"{len(files)} files"
    if counts["files"] == 0:
        raise ValueError(
            f"The selection is empty: none of the {len(files)} file(s) is dated within "
            f"{range_text(lo, hi)} (judged by the date in the file names). Widen "
            "'start'/'end'."
        )
    check_selection(frame, cells=cell_arr, lo=lo, hi=hi, source=where)
    _warn_partial_coverage(frame["time"], lo, hi, where)
    out = finalize(frame, type_list)
    out.attrs["n_skipped_lines"] = counts["lines"]
    out.attrs["n_bad_values"] = counts["values"]
    return out


def _warn_partial_coverage(time: pd.Series, lo, hi, where: str) -> None:
    """Warn when the data found covers clearly less than the asked-for range."""
    first, last = time.min(), time.max()
    hour = pd.Timedelta(hours=1)
    short_start = lo is not None and first - lo >= hour
    short_end = hi is not None and hi - last > hour
    if short_start or short_end:
        warnings.warn(
            f"The date range asked for is {range_text(lo, hi)} but {where} hold(s) "
            "data only "
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
    on_bad_values : {'error', 'skip', 'keep'}, default='error'
        A row that parses but is implausible: a negative activity, a time off the
        10-minute grid of the slots, or a time on another (Milan local) day than
        the date in the file name. ``'error'`` raises :class:`MalformedFileError`
        naming the file, the line and the value; ``'skip'`` drops such rows and
        gives a ``UserWarning`` per file with their number by kind and the first
        one; ``'keep'`` keeps them as they are. With ``'skip'`` and ``'keep'`` the
        number of such rows is in ``frame.attrs['n_bad_values']``. See Notes.
"""

_NOTES_DOC = """
    Notes
    -----
    Files may start with a UTF-8 byte-order mark (spreadsheet programs write
    one); it is ignored. UTF-16 text and a compressed file that cannot be
    decompressed are errors naming the file.

    Implausible values are looked for in every row of the selected cells (and
    types) of the files opened, whether or not the row falls within
    ``start``/``end``: activity below 0, a time that is not a slot start
    (``:00``, ``:10``, ... ``:50``), and a time on another local day than the
    ``YYYY-MM-DD`` in the file name (not checked when the name holds no date).
    Each of them is read without complaint by a CSV parser and then misleads
    silently: a negative value cancels real activity in an hourly sum, an
    off-grid time is a slot of its own that the hourly grid cannot place, and a
    file holding another day than its name is opened, or skipped, by
    ``start``/``end`` for the wrong day. So they are treated like malformed lines:
    an error by default, naming the file, the line and the value, because a
    ``UserWarning`` is shown once per place and easily lost in a notebook, while
    a false alarm costs one keyword (``on_bad_values='keep'``, e.g. for files cut
    on UTC days, or ``'skip'`` to drop the rows with a count).
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
    doc = doc.replace("    %(notes)s\n", _NOTES_DOC.strip("\n") + "\n")
    func.__doc__ = doc.replace("    %(returns)s\n", _RETURNS_DOC.strip("\n") + "\n")
    return func


@_doc
def read_dataverse(
    paths,
    *,
    cells=None,
    start=None,
    end=None,
    types=None,
    on_bad_lines="error",
    on_bad_values="error",
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

    %(notes)s

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
        on_bad_values=on_bad_values,
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
    on_bad_values="error",
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

    %(notes)s

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
        on_bad_values=on_bad_values,
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
    on_bad_values="error",
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
    lstmforecast.lab.load_dataset : The lab's day x hour table from any of these files.

    %(notes)s

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
        on_bad_values=on_bad_values,
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
    on_bad_values="error",
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

    %(notes)s

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
        on_bad_values=on_bad_values,
        timezone=None,
    )
