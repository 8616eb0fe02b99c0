"""The tidy Milano frame: column names, dtypes and the checks shared by all readers."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

#: Time zone of the Milano GRID data: slots and days are aligned on Milan local time.
TIMEZONE = "Europe/Rome"

#: dtype of the ``time`` column of every tidy frame.
TIME_DTYPE = pd.DatetimeTZDtype(unit="ns", tz=TIMEZONE)

#: The five activity types, in the order of the original files.
TRAFFIC_TYPES = ("sms_in", "sms_out", "call_in", "call_out", "internet")

#: The lab's integer codes (``traffic_type`` of its ``load_dataset``).
LAB_TYPE_CODES = {i + 1: name for i, name in enumerate(TRAFFIC_TYPES)}

#: Names used by the original files and by other projects, mapped to ours.
TYPE_ALIASES = {
    "smsin": "sms_in",
    "smsout": "sms_out",
    "callin": "call_in",
    "callout": "call_out",
    "sms-in": "sms_in",
    "sms-out": "sms_out",
    "call-in": "call_in",
    "call-out": "call_out",
    "internet_total": "internet",
}

#: Length of one Milano slot.
SLOT = pd.Timedelta(minutes=10)

_DURATION_UNITS = (
    ("days", "D"),
    ("hours", "h"),
    ("minutes", "min"),
    ("seconds", "s"),
    ("milliseconds", "ms"),
    ("microseconds", "us"),
    ("nanoseconds", "ns"),
)


def duration_text(delta: pd.Timedelta) -> str:
    """Write a duration as users type it: ``'10min'``, ``'1h30min'``, ``'-2D'``.

    The text parses back with ``pandas.Timedelta`` to the same duration.
    """
    if delta is pd.NaT:
        return "NaT"
    sign, delta = ("-", -delta) if delta < pd.Timedelta(0) else ("", delta)
    parts = delta.components
    values = {field: getattr(parts, field) for field, _ in _DURATION_UNITS}
    if delta % pd.Timedelta(days=1):  # '28h', not '1D4h'; whole days stay '2D'
        values["hours"] += 24 * values.pop("days")
    text = "".join(
        f"{values[field]}{unit}" for field, unit in _DURATION_UNITS if values.get(field)
    )
    return sign + (text or "0s")


def as_written(value) -> str:
    """Format a value for a message as users write it, never as a numpy repr.

    ``np.int64(899)`` becomes ``899``, an array a list, ``np.datetime64`` and
    ``Timestamp`` their date text, a ``Timedelta`` ``'10min'``; strings keep their
    quotes so that the message shows what was passed.
    """
    if isinstance(value, (pd.DataFrame, pd.Series, pd.Index)):
        return f"a {type(value).__name__} of shape {value.shape}"
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, np.timedelta64):
        value = pd.Timedelta(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (list, tuple)):
        inner = ", ".join(as_written(v) for v in value)
        if isinstance(value, list):
            return f"[{inner}]"
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, (pd.Timedelta, _dt.timedelta)):
        return repr(duration_text(pd.Timedelta(value)))
    if isinstance(value, (pd.Timestamp, pd.Period, _dt.date)):
        return repr(str(value))
    return repr(value)


def check_types(types, *, available: Sequence[str] = TRAFFIC_TYPES) -> list[str]:
    """Return the canonical, ordered list of traffic types asked for.

    ``types`` may be None (all available), one name or code, or an iterable of them.
    Integer codes follow the lab (1 = sms_in ... 5 = internet).
    """
    if types is None:
        return list(available)
    if isinstance(types, (str, int, np.integer)):
        types = [types]
    if not isinstance(types, Iterable):
        raise TypeError(
            "The 'types' parameter must be None, a traffic type or a list of them. "
            f"Got {as_written(types)} of type {type(types).__name__} instead."
        )
    out = []
    for t in types:
        name = t
        if isinstance(t, (int, np.integer)) and not isinstance(t, bool):
            name = LAB_TYPE_CODES.get(int(t))
        elif isinstance(t, str):
            name = TYPE_ALIASES.get(t.lower(), t.lower())
        if name not in TRAFFIC_TYPES:
            raise ValueError(
                f"Unknown traffic type {as_written(t)} in the 'types' parameter. "
                f"Expected one of {list(TRAFFIC_TYPES)} (or the lab's codes 1-5). Fix "
                "the spelling or leave 'types' as None for all of them."
            )
        if name not in available:
            raise ValueError(
                f"Traffic type {name!r} is not in this data: it holds only "
                f"{list(available)}. Ask for one of those."
            )
        if name not in out:
            out.append(name)
    if not out:
        raise ValueError(
            "The 'types' parameter selects no traffic type (got an empty list). "
            f"Pass at least one of {list(available)}, or None for all."
        )
    # Keep the canonical order so every reader returns the same column order.
    return [t for t in TRAFFIC_TYPES if t in out]


def check_cells(cells) -> np.ndarray | None:
    """Return the selected cell ids as a sorted int64 array, or None for all cells."""
    if cells is None:
        return None
    if isinstance(cells, (int, np.integer)) and not isinstance(cells, bool):
        cells = [cells]
    try:
        arr = np.asarray(list(cells))
    except TypeError:
        raise TypeError(
            "The 'cells' parameter must be None, a cell id or a list of cell ids. "
            f"Got {as_written(cells)} instead."
        ) from None
    if arr.size == 0:
        raise ValueError(
            "The 'cells' parameter is an empty list, so nothing would be read. "
            "Pass at least one cell id, or None for every cell."
        )
    if arr.dtype.kind not in "iu" or arr.ndim != 1:
        raise TypeError(
            "The 'cells' parameter must hold integer cell ids (1-10000 for the Milano "
            f"grid). Got {as_written(cells)} instead."
        )
    return np.unique(arr.astype(np.int64))


def _to_local(value, name: str, tz: str | None = TIMEZONE) -> pd.Timestamp:
    """Parse a bound; naive values are wall-clock time in ``tz`` (None: naive)."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"The '{name}' parameter must be a date or a timestamp such as "
            f"'2013-11-01' or '2013-11-01 08:00'. Got {as_written(value)} instead, "
            "which is not one."
        ) from None
    if ts is pd.NaT:
        raise ValueError(
            f"The '{name}' parameter must be a date such as '2013-11-01'. Got "
            f"{as_written(value)} instead."
        )
    if tz is None:
        if ts.tzinfo is not None:
            raise ValueError(
                f"The '{name}' parameter {as_written(value)} has a time zone but the "
                "data's timestamps are naive. Pass a naive bound, or localize the "
                "data with .dt.tz_localize(...)."
            )
        return ts
    if ts.tzinfo is not None:
        return ts.tz_convert(tz)
    try:
        return ts.tz_localize(tz)
    except ValueError as exc:  # ambiguous or non-existent local time (DST)
        why = (
            "it does not exist: clocks jump forward then"
            if "nonexistent" in str(exc).lower()
            else "it happens twice: clocks go back then"
        )
        raise ValueError(
            f"The '{name}' parameter {as_written(value)} is not a single instant in "
            f"{tz} local time ({why}). Give it with an offset, e.g. "
            "'2013-10-27 02:00+01:00'."
        ) from None


def _end_of_label(value, tz: str | None) -> pd.Timestamp | None:
    """Exclusive end of a partial date label (``'2013-11'``, a date), else None.

    Strings are read as pandas reads partial-string labels: ``'2013-11'`` is the
    whole month, ``'2013-11-07'`` the whole day, ``'2013-11-07 08'`` the whole hour.
    A ``datetime``/``Timestamp`` object is an instant (None is returned).
    """
    if isinstance(value, _dt.datetime) or not isinstance(value, (str, _dt.date)):
        return None
    try:
        if isinstance(value, str):
            if pd.Timestamp(value).tzinfo is not None:
                return None
            period = pd.Period(value)
        else:
            period = pd.Period(value, freq="D")
    except (TypeError, ValueError):
        return None
    if period.freqstr in ("s", "ms", "us", "ns"):
        return None  # a full timestamp: an instant
    nxt = (period + 1).start_time
    return nxt if tz is None else nxt.tz_localize(tz)


def check_time_range(
    start, end, tz: str | None = TIMEZONE
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Turn ``start``/``end`` into a half-open interval ``[lo, hi)`` in ``tz``.

    Both bounds are inclusive for the user, as in pandas' label slicing: a partial
    date string as ``end`` includes the whole of it (``end="2013-11-07"`` reads up to
    23:50 of 7 November, ``end="2013-11"`` to the end of November, DST days with
    their 23 or 25 hours). A ``datetime`` or ``Timestamp`` is an instant.
    """
    lo = hi = None
    if start is not None:
        lo = _to_local(start, "start", tz)
    if end is not None:
        hi = _end_of_label(end, tz)
        if hi is None:
            hi = _to_local(end, "end", tz) + pd.Timedelta(1, "ns")
        else:
            _to_local(end, "end", tz)  # same checks and messages as 'start'
    if lo is not None and hi is not None and hi <= lo:
        raise ValueError(
            f"The date range is empty: 'start' ({as_written(start)}) is after 'end' "
            f"({as_written(end)}). "
            "Swap them or widen the range."
        )
    return lo, hi


def finalize(frame: pd.DataFrame, types: Sequence[str]) -> pd.DataFrame:
    """Give a tidy frame its canonical dtypes, column order, sort order and index."""
    out = frame[["cell", "time", *types]]
    out = out.astype(
        {"cell": np.int64, "time": TIME_DTYPE, **dict.fromkeys(types, float)}
    )
    cell, time = out["cell"].to_numpy(), pd.DatetimeIndex(out["time"]).asi8
    ordered = (cell[1:] > cell[:-1]) | (
        (cell[1:] == cell[:-1]) & (time[1:] >= time[:-1])
    )
    if ordered.all():
        out = out.reset_index(drop=True)
    else:
        out = out.sort_values(["cell", "time"], kind="stable", ignore_index=True)
    out.columns.name = None
    return out


def check_selection(
    frame: pd.DataFrame,
    *,
    cells: np.ndarray | None,
    lo: pd.Timestamp | None,
    hi: pd.Timestamp | None,
    source: str,
    available_cells: np.ndarray | None = None,
    available_span: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> None:
    """Raise a clear error when a selection matched nothing or missed asked-for cells.

    ``available_cells`` and ``available_span`` describe what the source holds (when
    the caller knows it), so the error can say what would have worked.
    """
    if cells is not None:
        present = np.unique(frame["cell"].to_numpy()) if len(frame) else np.array([])
        missing = np.setdiff1d(cells, present)
        if missing.size:
            where = ""
            if available_cells is not None and len(available_cells) <= 20:
                where = f" It holds cells {list(map(int, available_cells))}."
            elif available_cells is not None:
                where = (
                    f" It holds {len(available_cells)} cells, "
                    f"{int(available_cells.min())}-{int(available_cells.max())}."
                )
            raise ValueError(
                f"Cell(s) {list(map(int, missing))} not found in {source} for the "
                f"selected dates.{where} Check the 'cells' parameter and the date "
                "range."
            )
    if len(frame) == 0:
        if lo is None and hi is None:
            raise ValueError(
                f"The selection is empty: {source} hold(s) no data line (the file "
                "is empty, or holds only a header or blank lines). Check the files, "
                "e.g. a download or copy that was cut short."
            )
        span = ""
        if available_span is not None:
            span = f" The data covers {available_span[0]} to {available_span[1]}."
        raise ValueError(
            f"The selection is empty: no rows of {source} fall in the date range "
            f"{range_text(lo, hi)}.{span} Widen 'start'/'end' or check the files."
        )


def range_text(lo, hi) -> str:
    """``[lo, hi)``, an open end written as the start / end of the data."""
    first = "the start of the data" if lo is None else str(lo)
    last = "the end of the data" if hi is None else str(hi)
    return f"[{first}, {last})"
