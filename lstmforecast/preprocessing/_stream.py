"""HourlyAggregator over a table given in consecutive chunks (e.g. one per file).

Peak memory follows the output (the hourly table), not the input: each chunk is
aggregated as it comes and then dropped. The result equals ``fit_transform`` of
the concatenated chunks, because each period is aggregated in exactly one chunk
(the rows of a chunk's last period wait for the next chunk, which may continue
it) and everything that depends on the whole table (the cells, the window of
periods, the missing slots of cells absent from a chunk) is settled at the end.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.base import clone

from lstmforecast.datasets._schema import as_written

_HOUR = pd.Timedelta(hours=1)
_DAY = pd.Timedelta(days=1)


def _check_streamable(agg, freq: pd.Timedelta) -> None:
    """Refuse the settings whose result would depend on how the table is cut."""
    if agg.missing == "interpolate":
        raise ValueError(
            "HourlyAggregator(missing='interpolate') fills a slot from its "
            "neighbours, which may be in another chunk, so it cannot aggregate "
            "chunk by chunk. Use fit_transform on the whole table, or missing="
            "'zero' / 'nan' / 'raise' for fit_transform_chunks."
        )
    if not (_HOUR % freq == pd.Timedelta(0) or freq == _DAY):
        raise ValueError(
            f"fit_transform_chunks needs a 'freq' that divides one hour, or '1D' "
            f"(got {as_written(agg.freq)}): longer periods are anchored on the "
            "first day of the table and shift at DST changes, so chunks could cut "
            "them differently. Aggregate the chunks to '1h' (or '1D'), then "
            "aggregate that table again with fit_transform."
        )


def can_stream(agg) -> bool:
    """Whether :func:`fit_transform_chunks` accepts ``agg``'s settings."""
    try:
        _check_streamable(agg, pd.Timedelta(agg.freq))
    except (ValueError, TypeError):
        return False
    return True


def _bins(times: pd.DatetimeIndex, freq) -> pd.DatetimeIndex:
    """Period starts covering ``times``, as HourlyAggregator draws them."""
    index = pd.DatetimeIndex([times.min(), times.max()])
    return pd.Series(0, index=index).resample(freq).size().index


class _Chunks:
    """Splits each chunk into its complete periods and a carry (the last one)."""

    def __init__(self, agg, freq):
        self.agg, self.freq = agg, freq
        self.carry = None  # rows of the last period seen, not yet aggregated
        self.done_until = None  # start of the first period not yet aggregated
        self.columns = None

    def _times(self, frame: pd.DataFrame, k: int) -> pd.DatetimeIndex:
        times = self.agg._find_times(frame)
        if times is None:
            raise ValueError(
                f"Chunk {k} has no timestamps (no {self.agg.time_column!r} column or "
                "index level, and no DatetimeIndex): fit_transform_chunks "
                "aggregates by time. Pass frames with a time column or index."
            )
        return times

    def _check_columns(self, frame: pd.DataFrame, k: int) -> None:
        columns = list(frame.columns)
        if self.columns is None:
            self.columns = columns
        elif columns != self.columns:
            raise ValueError(
                f"Chunk {k} has columns {as_written(columns)}, but chunk 0 had "
                f"{as_written(self.columns)}. Every chunk must have the same columns "
                "in the same order (select them, e.g. frame[columns])."
            )

    def split(self, frame, k: int):
        """Return the rows of complete periods (None if none); keep the rest."""
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(
                f"Chunk {k} is a {type(frame).__name__}; fit_transform_chunks takes "
                "pandas DataFrames (e.g. the frames of iter_milano). Wrap arrays "
                "in a frame with a time column."
            )
        self._check_columns(frame, k)
        if len(frame) == 0:
            return None
        times = self._times(frame, k)
        if times.hasnans:
            return frame  # the aggregator names the NaT row
        if self.done_until is not None and times.min() < self.done_until:
            raise ValueError(
                f"Chunk {k} has a row at {times.min()}, in a period already "
                f"aggregated (before {self.done_until}): fit_transform_chunks needs "
                "the chunks in time order, not overlapping. Sort them (e.g. the "
                "daily files by date), or use fit_transform on the whole table."
            )
        if self.carry is not None:
            frame = pd.concat([self.carry, frame])
            times = self._times(frame, k)
        last = _bins(times, self.agg.freq)[-1]
        later = np.asarray(times >= last)
        self.carry = frame[later]
        self.done_until = last
        return frame[~later] if not later.all() else None

    def rest(self):
        """Return the carried rows (the table's last period), or None."""
        carry, self.carry = self.carry, None
        return carry if carry is not None and len(carry) else None


class _Pieces:
    """Aggregated chunks, assembled at the end on the whole table's grid."""

    def __init__(self):
        self.blocks = []  # (cell ids, period starts, values (cells, periods, cols))
        self.slots = []  # missing slots found inside each chunk
        self.t_min = self.t_max = None
        self.has_cells = None
        self.columns = None

    def add(self, out: pd.DataFrame, slots: pd.DataFrame, times) -> None:
        self.columns = list(out.columns)
        self.has_cells = isinstance(out.index, pd.MultiIndex)
        lo, hi = times.min(), times.max()
        self.t_min = lo if self.t_min is None else min(self.t_min, lo)
        self.t_max = hi if self.t_max is None else max(self.t_max, hi)
        if self.has_cells:
            cells = out.index.levels[0].to_numpy()
            bins = out.index.levels[1]
        else:
            cells, bins = np.zeros(1, np.int64), out.index
        values = out.to_numpy().reshape(len(cells), len(bins), out.shape[1])
        self.blocks.append((cells, pd.DatetimeIndex(bins), values))
        self.slots.append(slots)


def _absent_slots(cells, bins, covered, step, end, irregular):
    """Missing-slot rows for each (cell, period) that no chunk aggregated."""
    c_idx, p_idx = np.nonzero(~covered)
    if not len(c_idx):
        return pd.DataFrame({"cell": cells[:0], "time": bins[:0]})
    if irregular:
        return pd.DataFrame({"cell": cells[c_idx], "time": bins[p_idx]})
    grid = pd.date_range(bins[0], end, freq=step, inclusive="left")
    period = np.searchsorted(bins.asi8, grid.asi8, "right") - 1
    slot_starts = np.searchsorted(period, np.arange(len(bins)), "left")
    slot_ends = np.searchsorted(period, np.arange(len(bins)), "right")
    rows_c, rows_t = [], []
    for c, p in zip(c_idx, p_idx, strict=True):
        span = grid[slot_starts[p] : slot_ends[p]]
        rows_c.append(np.full(len(span), cells[c]))
        rows_t.append(span)
    return pd.DataFrame(
        {
            "cell": np.concatenate(rows_c),
            "time": pd.DatetimeIndex(np.concatenate(rows_t)),
        }
    )


def _assemble(agg, pieces: _Pieces, columns, fill: float):
    """Place every chunk's periods on the whole table's grid of cells x periods."""
    bins, end = agg._periods(pd.DatetimeIndex([pieces.t_min, pieces.t_max]))
    cells = np.unique(np.concatenate([b[0] for b in pieces.blocks]))
    # np.empty commits a page when a block first writes to it, while the blocks
    # are freed as they are placed: the peak stays near one copy of the output
    result = np.empty((len(cells), len(bins), len(columns)))
    covered = np.zeros((len(cells), len(bins)), dtype=bool)
    pieces.blocks.reverse()
    while pieces.blocks:  # each block is freed once placed: no second copy of all
        block_cells, block_bins, values = pieces.blocks.pop()
        rows = np.searchsorted(cells, block_cells)
        cols = bins.get_indexer(block_bins)
        result[np.ix_(rows, cols)] = values
        covered[np.ix_(rows, cols)] = True
        del values
    result[~covered] = fill
    irregular = agg.input_freq_ == "irregular"
    absent = _absent_slots(cells, bins, covered, agg.input_freq_, end, irregular)
    slots = pd.concat([*pieces.slots, absent], ignore_index=True)
    if len(slots):
        slots = slots.sort_values(
            ["cell", "time"] if pieces.has_cells else ["time"], kind="stable"
        ).reset_index(drop=True)
    if not pieces.has_cells:
        slots = slots.drop(columns="cell", errors="ignore")
    return agg._output(result, bins, cells, pieces.has_cells, columns), slots, bins


def _raise_missing(agg, slots, bins, end, has_cells) -> None:
    """Raise the in-memory error for missing slots, over the whole table."""
    from lstmforecast.preprocessing._aggregate import _Places

    irregular = agg.input_freq_ == "irregular"
    step = pd.Timedelta(agg.freq) if irregular else agg.input_freq_
    grid = (
        bins if irregular else pd.date_range(bins[0], end, freq=step, inclusive="left")
    )
    cells = np.unique(slots["cell"].to_numpy()) if has_cells else None
    places = _Places(cells, grid)
    unit = "period" if irregular else "slot"
    what = (
        "no reading in them"
        if irregular
        else "absent rows, cut-off periods or NaN values"
    )
    agg._raise_missing(slots, places, unit, step, what)


def _aggregate_one(agg, template, frame, k: int):
    """Aggregate one chunk's complete periods with a clone; learn the spacing."""
    try:
        out = template.fit_transform(frame)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"Chunk {k}: {exc}") from None
    if not hasattr(agg, "input_freq_"):
        agg.input_freq_ = template.input_freq_
        agg.n_features_in_ = template.n_features_in_
        if hasattr(template, "feature_names_in_"):
            agg.feature_names_in_ = template.feature_names_in_
        fixed = "irregular" if agg.input_freq_ == "irregular" else agg.input_freq_
        template.set_params(input_freq=fixed)
    return out, template.missing_slots_


def fit_transform_chunks(agg, chunks: Iterable, progress=None):
    """Aggregate consecutive chunks of one table; see HourlyAggregator's method."""
    freq = pd.Timedelta(agg.freq)
    agg._validate_params()
    _check_streamable(agg, freq)
    policy = "nan" if agg.missing == "raise" else agg.missing
    template = clone(agg).set_params(missing=policy, start=None, end=None)
    for name in ("input_freq_", "n_features_in_", "feature_names_in_"):
        agg.__dict__.pop(name, None)
    splitter, pieces = _Chunks(agg, freq), _Pieces()
    k = -1
    for k, chunk in enumerate(chunks):
        part = splitter.split(chunk, k)
        if part is not None:
            _add(agg, template, part, k, pieces)
        if progress is not None:
            progress(k, chunk)
        del chunk, part  # not alive while the next chunk is read
    rest = splitter.rest()
    if rest is not None:
        _add(agg, template, rest, k, pieces)
    if not pieces.blocks:
        raise ValueError(
            f"fit_transform_chunks got {k + 1} chunk(s) and no row: there is "
            "nothing to aggregate. Check the files or the selection."
        )
    fill = 0.0 if agg.missing == "zero" else np.nan
    out, slots, bins = _assemble(agg, pieces, pieces.columns, fill)
    if len(slots) and agg.missing == "raise":
        _, end = agg._periods(pd.DatetimeIndex([pieces.t_min, pieces.t_max]))
        _raise_missing(agg, slots, bins, end, pieces.has_cells)
    agg._check_overflow(out)
    agg.missing_slots_, agg.n_missing_ = slots, len(slots)
    return out


def _add(agg, template, part, k, pieces) -> None:
    times = agg._find_times(part)
    if not times.hasnans:
        agg._window(times)  # rows outside start/end: the in-memory error
    if agg.missing == "raise":
        _refuse_nan(agg, part, k)
    out, slots = _aggregate_one(agg, template, part, k)
    pieces.add(out, slots, times)


def _refuse_nan(agg, part, k) -> None:
    """missing='raise' refuses NaN values, as fit_transform does."""
    drop = [c for c in (agg.time_column, agg.cell_column) if c in part.columns]
    values = part.drop(columns=drop)
    numeric = values.select_dtypes("number")
    if numeric.isna().to_numpy().any():
        template = clone(agg).set_params(start=None, end=None)
        if hasattr(agg, "input_freq_"):
            template.set_params(input_freq=agg.input_freq_)
        try:
            template.fit(part)
        except ValueError as exc:
            raise ValueError(f"Chunk {k}: {exc}") from None
