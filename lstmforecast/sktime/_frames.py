"""The frames behind the sktime forecasters: y and X on one grid, the cutoff's window.

sktime hands the forecasters ``y`` and ``X`` as pandas frames (one series, or a
``(series..., time)`` MultiIndex for panels and hierarchies) indexed by a
``DatetimeIndex``, a ``PeriodIndex`` or integers. The library's transformers
order rows by datetimes or integers, so :class:`TimeAxis` maps the time level to
one of those (a ``PeriodIndex`` to its integer ordinals) and back.

The window a forecast starts from is the one the library's convention gives the
*row of the first future instant*: the row at time t (its window ends at t - 1)
has target column h1 = the value at t. :func:`cutoff_rows` builds that row for
each series (one step after its last observation) below the last ``lookback``
observed rows, so ``SlidingWindow`` reads the window ending at the last
observation, and the row's known-in-advance inputs (the exogenous ``X``) at the
first forecast step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lstmforecast.datasets._schema import as_written
from lstmforecast.preprocessing._panel import (
    _plain,
    as_time_index,
    panel_layout,
    regular_step,
)

#: The target's column in the frames the pipeline reads.
TARGET = "y"


@dataclass(frozen=True)
class TimeAxis:
    """How the time index of ``y`` maps to the grid the windows are cut on.

    ``kind`` is ``'datetime'`` (kept as it is), ``'period'`` (integer ordinals
    of ``freq``) or ``'integer'`` (kept as it is).
    """

    kind: str
    freq: object = None

    @classmethod
    def of(cls, index: pd.Index, owner: str) -> TimeAxis:
        """Return the axis of ``index`` (a panel's last level), or raise."""
        time = _time_values(index)
        if isinstance(time, pd.PeriodIndex):
            return cls("period", time.freq)
        if isinstance(time, pd.DatetimeIndex):
            return cls("datetime")
        if pd.api.types.is_integer_dtype(time.dtype):
            return cls("integer")
        raise TypeError(
            f"{owner} needs y indexed by time: a DatetimeIndex, a PeriodIndex or "
            f"integers, but its time index holds {time.dtype} values. Convert it "
            "(y.index = pd.to_datetime(y.index)) or index y by time steps."
        )

    def inner(self, index: pd.Index, owner: str, where: str) -> pd.Index:
        """Return ``index`` with its time on the grid (a panel: its last level)."""
        if isinstance(index, pd.MultiIndex):
            levels = [index.get_level_values(i) for i in range(index.nlevels - 1)]
            time = self._inner_time(index.get_level_values(-1), owner, where)
            return pd.MultiIndex.from_arrays([*levels, time], names=index.names)
        return self._inner_time(index, owner, where)

    def _inner_time(self, time: pd.Index, owner: str, where: str) -> pd.Index:
        if self.kind != "period":
            return time
        if not isinstance(time, pd.PeriodIndex) or time.freq != self.freq:
            got = getattr(time, "freq", None) or time.dtype
            raise ValueError(
                f"{owner} was fitted on a PeriodIndex of frequency {self.freq}, but "
                f"{where} is indexed by {got}. Pass data on the same time index as "
                "in fit."
            )
        return pd.Index(time.asi8, dtype=np.int64, name=time.name)

    def outer(self, time: pd.Index) -> pd.Index:
        """Return grid times as the index type of ``y`` (inverse of ``inner``)."""
        if self.kind == "period":
            return pd.PeriodIndex.from_ordinals(
                np.asarray(time, dtype=np.int64), freq=self.freq
            ).rename(time.name)
        return time


def _time_values(index: pd.Index) -> pd.Index:
    return index.get_level_values(-1) if isinstance(index, pd.MultiIndex) else index


def _series_levels(index: pd.Index) -> list:
    return list(range(index.nlevels - 1))


def grid_step(index: pd.Index, owner: str, where: str):
    """Return the verified step of ``index`` (inner), as a Timedelta or an int.

    One series must be evenly spaced, a panel's series on one grid; a monthly or
    yearly ``DatetimeIndex`` (no constant step) is refused with the fix. None
    means no series has two rows.
    """
    if isinstance(index, pd.MultiIndex):
        step = panel_layout(index, owner).step
        is_time = isinstance(index.get_level_values(-1), pd.DatetimeIndex)
    else:
        time = as_time_index(index, owner, where)
        try:
            step = regular_step(time, owner, where)
        except ValueError:
            freq = getattr(time, "freq", None) or (
                pd.infer_freq(time) if len(time) > 2 else None
            )
            if freq is None or not isinstance(time, pd.DatetimeIndex):
                raise
            raise ValueError(
                f"{owner} counts time in steps of one length, but {where} has "
                f"calendar steps of frequency {freq} (months or years differ in "
                "length). Index y and X by periods instead: "
                "y.index = y.index.to_period()."
            ) from None
        is_time = isinstance(time, pd.DatetimeIndex)
    if step is None:
        return None
    return pd.Timedelta(int(step), "ns") if is_time else int(step)


def merged(old: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """``old`` and ``new`` rows together, ``new`` winning on repeated instants."""
    if old is None:
        return new.sort_index()
    both = pd.concat([old, new])
    return both[~both.index.duplicated(keep="last")].sort_index()


def series_lengths(index: pd.Index) -> pd.Series:
    """Rows per series (one entry, labelled None, for a single series)."""
    if not isinstance(index, pd.MultiIndex):
        return pd.Series([len(index)], index=[None])
    rows = pd.Series(0, index=index)
    return rows.groupby(level=_series_levels(index), sort=False).size()


@dataclass
class CutoffRows:
    """The rows ``SlidingWindow`` reads the cutoff's windows from.

    ``frame``: the last ``lookback`` observed rows of each series, then one row
    per series one step after its last observation (the last ``len(next_index)``
    rows, ``y`` NaN there). ``last``: each series' last observed time (inner).
    """

    frame: pd.DataFrame
    next_index: pd.Index
    last: pd.Index


def cutoff_rows(y_hist, X_hist, X_next, *, lookback, step, cutoff, owner):
    """Build the :class:`CutoffRows` of every series at ``cutoff`` (inner time).

    Each series' window ends at its last observation up to ``cutoff`` (series of
    a panel may end before it); ``X`` of the new row comes from ``X_next`` (the
    ``X`` of predict) or else from the ``X`` seen in fit / update.
    """
    hist = y_hist[_time_values(y_hist.index) <= cutoff]
    if isinstance(hist.index, pd.MultiIndex):
        groups = hist.groupby(level=_series_levels(hist.index), sort=False)
        tail, ends = groups.tail(lookback), groups.tail(1).index
        keys = [ends.get_level_values(i) for i in range(ends.nlevels - 1)]
        last = ends.get_level_values(-1)
        next_index = pd.MultiIndex.from_arrays([*keys, last + step], names=ends.names)
        counts = groups.size()
    else:
        tail, last = hist.iloc[-lookback:], hist.index[-1:]
        next_index = last + step
        counts = pd.Series([len(hist)], index=[None])
    short = counts[counts < lookback]
    if len(short):
        which = "y" if short.index[0] is None else f"series {_plain(short.index[0])}"
        raise ValueError(
            f"{owner} needs lookback={lookback} observed steps up to the cutoff to "
            f"read the window a forecast starts from, but {which} has "
            f"{int(short.iloc[0])}. Use a shorter 'lookback' or give that series "
            "more history."
        )
    rows = pd.DataFrame({TARGET: np.nan}, index=next_index)
    if X_hist is not None:
        tail = pd.concat([tail, X_hist.reindex(tail.index)], axis=1)
        rows = pd.concat([rows, _next_X(X_hist, X_next, next_index, owner)], axis=1)
    return CutoffRows(pd.concat([tail, rows]), next_index, last)


def _next_X(X_hist, X_next, next_index, owner: str) -> pd.DataFrame:
    """``X`` at each series' first forecast step: from predict's X, else fit's."""
    sources = [x for x in (X_next, X_hist) if x is not None]
    found = np.zeros(len(next_index), dtype=bool)
    out = pd.DataFrame(np.nan, index=next_index, columns=X_hist.columns)
    for source in sources:
        have = next_index.isin(source.index) & ~found
        if have.any():
            out.iloc[np.flatnonzero(have)] = source.reindex(next_index[have]).to_numpy()
            found |= have
    if not found.all():
        missing = next_index[~found][0]
        raise ValueError(
            f"The 'X' parameter of {owner}.predict must hold the exogenous columns at "
            "the first step after the cutoff (they are the known-in-advance input "
            f"of the window a forecast starts from), but X has no row for "
            f"{as_written(missing)}. Pass X for the forecast period, from the step "
            "after the cutoff."
        )
    return out


def forecast_index(next_index: pd.Index, steps, step, axis: TimeAxis) -> pd.Index:
    """Index of the forecasts: each series' ``steps`` after its last observation.

    Rows are series by series (in the order of ``next_index``), steps in order.
    """
    n, k = len(next_index), len(steps)
    offsets = np.tile(np.asarray(steps, dtype=np.int64) - 1, n)
    if isinstance(step, pd.Timedelta):
        delta = pd.to_timedelta(offsets * step.value, unit="ns")
    else:
        delta = offsets * int(step)
    first = _time_values(next_index)
    time = axis.outer(pd.Index(first.repeat(k) + delta, name=first.name))
    if not isinstance(next_index, pd.MultiIndex):
        return time
    levels = [
        next_index.get_level_values(i).repeat(k) for i in range(next_index.nlevels - 1)
    ]
    return pd.MultiIndex.from_arrays([*levels, time], names=next_index.names)
