"""Time order of one series or a panel of series: verified, never assumed.

A *panel* is a pandas object whose index is a :class:`~pandas.MultiIndex` with the
time as its **last** level and the series label(s) in the levels before it (the
``(cell, time)`` output of :class:`HourlyAggregator`). Everything here reads the
times themselves: rows may come in any order of series (sorted by series, or by
time), but within one series they must be in strictly increasing, regularly
spaced time order. What cannot be ordered (duplicated ``(series, time)`` pairs,
unsorted rows, times of a type that cannot be compared, a missing series label,
the time in another level) is an error that says how to fix it.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import Interval

from lstmforecast._validation import validate_params
from lstmforecast.datasets._schema import as_written, duration_text

__all__ = ["UnevenPanelWarning", "forecast_frame", "make_horizon_targets"]


class UnevenPanelWarning(UserWarning):
    """The series of a panel end at different instants in ``fit``.

    That is what a split by row position (sklearn's ``TimeSeriesSplit`` on a
    panel sorted by ``(series, time)``) produces: the training rows hold whole
    early series and part of one, the test rows the other series. Use
    :class:`lstmforecast.model_selection.PanelTimeSeriesSplit`, which cuts every
    series at the same instants. Series that really end at different times may
    ignore it (``warnings.filterwarnings("ignore", category=UnevenPanelWarning)``).

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from lstmforecast.preprocessing import LagFeatures, UnevenPanelWarning
    >>> idx = pd.MultiIndex.from_tuples(
    ...     [(1, 0), (1, 1), (1, 2), (2, 0), (2, 1)], names=["cell", "hour"])
    >>> X = pd.DataFrame({"v": [1.0, 2, 3, 4, 5]}, index=idx)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = LagFeatures(1).fit(X)
    >>> caught[0].category.__name__
    'UnevenPanelWarning'
    """


# ------------------------------------------------------------------- times
def _time_kind(index: pd.Index) -> tuple:
    """('datetime', tz) or ('integer', None): what two indexes must share."""
    if isinstance(index, pd.DatetimeIndex):
        return ("datetime", index.tz is not None)
    return ("integer", False)


def as_time_index(index: pd.Index, owner: str, where: str = "the index of X"):
    """Return ``index`` as a DatetimeIndex or an integer Index, or raise.

    Arrow timestamps and object columns of Timestamps become a DatetimeIndex;
    strings, floats and anything else whose order cannot be verified are refused
    (parsing strings would be a guess of their format).
    """
    if isinstance(index, pd.DatetimeIndex):
        return index
    dtype = index.dtype
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return index
    is_arrow_time = isinstance(dtype, pd.ArrowDtype) and dtype.kind == "M"
    if is_arrow_time or pd.api.types.is_datetime64_any_dtype(dtype):
        return pd.DatetimeIndex(index)
    if pd.api.types.is_object_dtype(dtype) and pd.api.types.infer_dtype(
        index, skipna=False
    ) in (
        "datetime",
        "datetime64",
    ):
        try:
            return pd.DatetimeIndex(index)
        except (TypeError, ValueError):  # e.g. several time zones
            raise TypeError(
                f"{owner} cannot order {where}: its Timestamps cannot be compared "
                "(they are in several time zones, or mix naive and tz-aware ones). "
                "Convert them to one time zone first (pd.to_datetime(..., "
                "utc=True))."
            ) from None
    sample = as_written(index[0]) if len(index) else "none"
    raise TypeError(
        f"{owner} needs {where} to be times (datetime) or integers to verify the "
        f"time order, but it holds {dtype} values (first: {sample}); rows are "
        "never lagged by position. Convert it (X.index = pd.to_datetime(X.index)) "
        "or index X by time."
    )


def _as_int64(index: pd.Index) -> np.ndarray:
    if isinstance(index, pd.DatetimeIndex):
        return index.as_unit("ns").asi8
    return index.to_numpy(np.int64)


def _show_step(step: int, kind: tuple) -> str:
    """Write a step as users do: ``'1h'`` for times, ``3`` for integers."""
    if kind[0] == "datetime":
        return duration_text(pd.Timedelta(step, "ns"))
    return str(step)


def _plain(value) -> str:
    """Format a label as users write it: 899, not np.int64(899)."""
    if isinstance(value, tuple):
        return "(" + ", ".join(_plain(v) for v in value) + ")"
    return str(value.item() if isinstance(value, np.generic) else value)


def _show_row(entry, names) -> str:
    """One panel row for messages: ``cell=899, time=2013-11-01 01:00:00+01:00``."""
    entry = entry if isinstance(entry, tuple) else (entry,)
    return ", ".join(f"{n}={_plain(v)}" for n, v in zip(names, entry, strict=False))


# ----------------------------------------------------------------- layout
@dataclass
class Layout:
    """How the rows of a panel lie in time.

    ``order`` lists the row positions sorted by series (stable, so by time within
    each series); the rows of group ``g`` are ``order[bounds[g]:bounds[g + 1]]``.
    """

    times: np.ndarray  # int64 per row (ns for datetimes)
    time_index: pd.Index  # the time of each row (DatetimeIndex or integers)
    kind: tuple
    step: int | None
    codes: np.ndarray  # group of each row
    keys: list  # series label of each group (a tuple for several levels)
    key_names: list
    order: np.ndarray
    bounds: np.ndarray

    @property
    def n_groups(self) -> int:
        return len(self.keys)

    def rows(self, g: int) -> np.ndarray:
        return self.order[self.bounds[g] : self.bounds[g + 1]]


def time_level(index: pd.MultiIndex, owner: str) -> pd.Index:
    """Return a panel's time level (the last), having refused times elsewhere."""
    names = list(index.names)
    for level in range(index.nlevels - 1):
        values = index.levels[level]
        if isinstance(values, pd.DatetimeIndex) or (
            values.dtype == object
            and pd.api.types.infer_dtype(values) in ("datetime", "datetime64")
        ):
            raise ValueError(
                f"{owner} reads the time from the last level of a MultiIndex, but "
                f"level {level} ({names[level]!r}) holds times and the last level "
                f"({names[-1]!r}) the series labels. Put the time last: "
                "X.reorder_levels([...series levels..., time level])."
            )
    return as_time_index(
        index.get_level_values(-1), owner, f"the time level {names[-1]!r} of X"
    )


def _split_levels(index: pd.MultiIndex, owner: str):
    """Return (series codes, their labels, time index) of a panel's MultiIndex.

    The codes number the series in order of first appearance (-1: a missing
    label). With one series level they are read from the index's own codes, so
    the labels of a 10-million-row panel are never materialised.
    """
    time = time_level(index, owner)
    if index.nlevels == 2:
        level_codes = np.asarray(index.codes[0])
        codes, first_seen = pd.factorize(level_codes)
        if (first_seen < 0).any():  # a missing label: code -1 everywhere
            codes = np.where(level_codes < 0, -1, codes)
            first_seen = first_seen[first_seen >= 0]
        keys = list(index.levels[0][first_seen])
        return codes, keys, time
    codes, uniques = index.droplevel(-1).factorize()
    return codes, list(uniques), time


def _check_one_step(layout_parts, kind, owner: str) -> None:
    """Refuse series of different time steps (each one's first step), naming two."""
    diffs, bounds, keys = layout_parts
    sizes = np.diff(bounds)
    longer = np.flatnonzero(sizes >= 2)
    if not len(longer):
        return
    first = diffs[bounds[longer]]
    found = np.unique(first)
    if len(found) < 2:
        return
    a, b = (int(longer[np.flatnonzero(first == s)[0]]) for s in found[:2])
    raise ValueError(
        f"{owner} needs every series of the panel at one frequency, but series "
        f"{_plain(keys[a])} steps by {_show_step(int(found[0]), kind)} and series "
        f"{_plain(keys[b])} by {_show_step(int(found[1]), kind)}. Put them on one "
        "grid first (HourlyAggregator(freq=...) or asfreq per series)."
    )


def panel_layout(
    index: pd.MultiIndex, owner: str, *, step: int | None = None, fit_kind=None
):
    """Verify a panel's index and return its :class:`Layout`.

    ``step`` is the fitted step (transform), used when the times are of the
    fitted kind ``fit_kind``; None infers it from the data (fit), which then
    needs a series with at least two rows, all series on one step.
    """
    codes, keys, time = _split_levels(index, owner)
    if _time_kind(time) != fit_kind:
        step = None
    if time.hasnans:
        at = int(np.flatnonzero(pd.isna(time))[0])
        raise ValueError(
            f"The time level of X has a missing time (NaT) at row {at}: every row "
            "needs its time. Drop or fix those rows."
        )
    names = [n if n is not None else f"level_{i}" for i, n in enumerate(index.names)]
    if len(codes) and codes.min() < 0:
        at = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(
            f"X has a missing series label at row {at} "
            f"({_show_row(index[at], names)}): every row of a panel needs its "
            "series label in the levels before the time. "
            "Fill or drop those rows."
        )
    times = _as_int64(time)
    if (codes[1:] >= codes[:-1]).all():  # already by series: no sort, no copies
        order, sorted_codes, sorted_times = np.arange(len(codes)), codes, times
    else:
        order = np.argsort(codes, kind="stable")
        sorted_codes, sorted_times = codes[order], times[order]
    same = sorted_codes[1:] == sorted_codes[:-1]
    diffs = np.diff(sorted_times)
    kind = _time_kind(time)

    def where(k):  # the k-th consecutive pair of the sorted rows, for messages
        return _show_row(index[order[k + 1]], names), _show_row(index[order[k]], names)

    _check_strictly_increasing(same, diffs, where, owner)
    bounds = np.r_[0, np.flatnonzero(~same) + 1, len(order)]
    if step is None:
        _check_one_step((diffs, bounds, keys), kind, owner)
        if not same.any():
            raise ValueError(
                f"{owner} got a panel whose series have one row each "
                f"({len(keys)} series): the time step cannot be verified and no "
                "lag or window fits. Give each series at least two rows."
            )
        step = int(diffs[int(np.argmax(same))])
    off = same & (diffs != step)
    if off.any():
        k = int(np.argmax(off))
        later, earlier = where(k)
        raise ValueError(
            f"{owner} needs each series on a regular grid, but X jumps from "
            f"({earlier}) to ({later}) ({_show_step(int(diffs[k]), kind)}) where the "
            f"step is {_show_step(step, kind)}. Put the rows on a regular grid "
            "first (HourlyAggregator with a 'missing' policy, or asfreq per "
            "series)."
        )
    return Layout(
        times=times,
        time_index=time,
        kind=kind,
        step=step,
        codes=codes,
        keys=keys,
        key_names=names[:-1],
        order=order,
        bounds=bounds,
    )


def _check_strictly_increasing(same, diffs, where, owner: str) -> None:
    """Refuse repeated (series, time) pairs and rows out of time order."""
    bad = same & (diffs <= 0)
    if not bad.any():
        return
    k = int(np.argmax(bad))
    later, earlier = where(k)
    if diffs[k] == 0:
        raise ValueError(
            f"{owner} got the (series, time) pair ({later}) twice: a time "
            "cannot be ordered against itself. Drop or aggregate the "
            "duplicates first (X[~X.index.duplicated()], or HourlyAggregator)."
        )
    raise ValueError(
        f"{owner} needs the rows of each series in time order, but ({later}) "
        f"comes after ({earlier}) in X. Sort X first (X.sort_index())."
    )


def one_row_series(layout: Layout) -> list:
    """Labels of the series that have a single row."""
    sizes = np.diff(layout.bounds)
    return [layout.keys[g] for g in np.flatnonzero(sizes == 1)]


def check_even_ends(layout: Layout, owner: str) -> None:
    """Warn when the series of a fitted panel end at different instants."""
    last = layout.times[layout.order[layout.bounds[1:] - 1]]
    if last.min() == last.max():
        return
    early = [_plain(layout.keys[g]) for g in np.flatnonzero(last < last.max())]
    warnings.warn(
        f"{owner} was fitted on a panel whose series end at different instants "
        f"({len(early)} series end before the others, e.g. {', '.join(early[:3])}). "
        "A split by "
        "row position (sklearn's TimeSeriesSplit on a (series, time)-sorted "
        "panel) gives this: use lstmforecast.model_selection.PanelTimeSeriesSplit, "
        "which cuts every series at the same instants. Ignore this if the series "
        "really end at different times.",
        UnevenPanelWarning,
        stacklevel=4,
    )


def check_aligned(X, y, owner: str) -> None:
    """Refuse a pandas ``y`` whose index is not ``X``'s (rows would mismatch)."""
    if not isinstance(y, (pd.Series, pd.DataFrame)) or not isinstance(
        X, (pd.Series, pd.DataFrame)
    ):
        return
    if len(y) == len(X) and y.index.equals(X.index):
        return
    if len(y) != len(X):
        got = f"{len(y)} rows of y for {len(X)} of X"
    else:
        at = int(np.flatnonzero(y.index != X.index)[0])
        got = f"row {at} is {y.index[at]} in y but {X.index[at]} in X"
    raise ValueError(
        f"{owner} got y with another index than X ({got}): targets would be "
        "matched to the wrong rows. Align them first (y = y.reindex(X.index), or "
        "take both from the same frame)."
    )


# ------------------------------------------------------------------ leads
def lead_positions(index, steps: int, owner: str, *, n=None, layout=None):
    """Row position of the value ``steps`` steps after each row, in its series.

    ``steps`` may be negative (earlier rows). -1 marks rows whose lead is not in
    the data (beyond the series' end, or before its start). ``index`` is a panel
    MultiIndex, a time index of one series (verified regular), or None for an
    array of ``n`` rows in time order. ``layout`` reuses a verified panel layout.
    """
    if index is None or not isinstance(index, pd.MultiIndex):
        if index is not None:
            regular_step(as_time_index(index, owner), owner)
            n = len(index)
        pos = np.arange(n) + steps
        return np.where((pos >= 0) & (pos < n), pos, -1)
    if layout is None:
        layout = panel_layout(index, owner)
    n, order = len(index), layout.order
    group = layout.codes[order]  # group of each sorted row: contiguous runs
    sorted_src = np.full(n, -1, dtype=np.int64)
    k = abs(int(steps))
    if k < n:
        same = group[: n - k] == group[k:]
        if steps >= 0:
            sorted_src[: n - k] = np.where(same, order[k:], -1)
        else:
            sorted_src[k:] = np.where(same, order[: n - k], -1)
    out = np.empty(n, dtype=np.int64)
    out[order] = sorted_src
    return out


def regular_step(index: pd.Index, owner: str, where: str = "the index of X"):
    """Return the constant step of a datetime or integer index, or None.

    None means a single row. An unsorted, repeated or irregular index is an error:
    lags and windows count rows, so rows must be evenly spaced in time.
    """
    values = _as_int64(index)
    if len(values) < 2:
        return None
    diffs = np.diff(values)
    if (diffs <= 0).any():
        at = int(np.argmax(diffs <= 0)) + 1
        raise ValueError(
            f"{owner} needs rows in time order, but {where} is not strictly "
            f"increasing (row {at}: {index[at]} after {index[at - 1]}). Sort it "
            "with .sort_index() and drop duplicate times first."
        )
    if (diffs != diffs[0]).any():
        at = int(np.argmax(diffs != diffs[0])) + 1
        kind = _time_kind(index)
        gap = _show_step(int(diffs[at - 1]), kind)
        step = _show_step(int(diffs[0]), kind)
        raise ValueError(
            f"{owner} needs a regular index (one row per step), but {where} "
            f"jumps by {gap} at {index[at]} where the first step is {step}. Put the "
            "rows on a regular grid first (HourlyAggregator with a 'missing' policy, "
            "or X.asfreq(...))."
        )
    return int(diffs[0])


def parse_step(step, owner: str, times: pd.Index | None = None):
    """Return ``step`` as a positive ``Timedelta`` (datetimes) or int (integers)."""
    integer_times = times is not None and not isinstance(times, pd.DatetimeIndex)
    if integer_times and isinstance(step, numbers.Integral) and step > 0:
        return int(step)
    try:
        value = pd.Timedelta(step) if not isinstance(step, bool) else pd.NaT
    except (TypeError, ValueError):
        value = pd.NaT
    if integer_times or value is pd.NaT or value <= pd.Timedelta(0):
        kind = "a positive integer" if integer_times else "a positive duration"
        raise ValueError(
            f"The 'step' parameter of {owner} must be {kind} such as "
            f"{'1' if integer_times else repr('1h')}. Got {as_written(step)} instead."
        )
    return value


def common_step(times: pd.Index, groups: np.ndarray, owner: str, fix: str):
    """Return the one step between consecutive times within each group (series).

    ``times`` is a DatetimeIndex (the step is a ``Timedelta``, absolute time) or
    integers; rows may come in any order. No step (every group has one row) or
    several are an error ending with ``fix``.
    """
    dated = isinstance(times, pd.DatetimeIndex)
    values = times.as_unit("ns").asi8 if dated else np.asarray(times, np.int64)
    order = np.lexsort((values, groups))
    same = np.diff(groups[order]) == 0
    steps = np.unique(np.diff(values[order])[same])
    if len(steps) != 1 or steps[0] <= 0:
        shown = [str(pd.Timedelta(int(v))) if dated else str(v) for v in steps[:3]]
        raise ValueError(
            f"{owner} needs the rows' time step, but the times (within each "
            f"series) are not evenly spaced: steps {shown or 'none (one row)'}. "
            f"{fix}"
        )
    return pd.Timedelta(int(steps[0])) if dated else int(steps[0])


# ---------------------------------------------------------------- targets
@validate_params(
    {
        "y": ["array-like"],
        "horizon": [Interval(numbers.Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def make_horizon_targets(y, horizon):
    """Turn a target into ``horizon`` columns: each row's next ``horizon`` values.

    The row at time t (whose window ends at t - 1) gets ``y(t), y(t + 1), ...,
    y(t + horizon - 1)``: column ``h1`` is its own one-step target, column
    ``h{k}`` the value ``k - 1`` steps after it, read **by time within the
    row's own series**, never from another series. Where that future is not in
    the data the value is NaN; the regressors skip such rows in ``fit`` (and
    count them in ``n_skipped_``), so a Pipeline needs no hand-dropped rows.

    .. code-block:: text

        time          t-2  t-1 |  t   t+1  t+2   (horizon=3)
        window of t   [v   v ] |
        targets of t           | y(t) y(t+1) y(t+2)  -> columns h1 h2 h3
        last row of a series   | y(T)  NaN   NaN

    Parameters
    ----------
    y : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
        The target, one row per row of ``X``. With a time index (or a panel's
        ``(series, time)`` MultiIndex, rows in any order of series) the future
        is read by time and the order is verified; an array is taken as one
        series in time order.
    horizon : int
        Number of steps, >= 1.

    Returns
    -------
    Y : pandas.DataFrame or ndarray of shape (n, horizon) or (n, k * horizon)
        A DataFrame with ``y``'s index and columns ``{name}_h1`` ...
        ``{name}_h{horizon}`` (per column, in column order) for pandas input;
        an array otherwise.

    See Also
    --------
    SlidingWindow : The windows these targets follow.
    lstmforecast.model_selection.PanelTimeSeriesSplit : Cross-validation with
        ``gap=horizon - 1``.

    Examples
    --------
    >>> import pandas as pd
    >>> from lstmforecast.preprocessing import make_horizon_targets
    >>> idx = pd.MultiIndex.from_product(
    ...     [[4159, 5161], pd.date_range("2013-11-01", periods=3, freq="h")],
    ...     names=["cell", "time"])
    >>> y = pd.Series([1.0, 2, 3, 10, 20, 30], index=idx, name="internet")
    >>> make_horizon_targets(y, 2)
                              internet_h1  internet_h2
    cell time
    4159 2013-11-01 00:00:00          1.0          2.0
         2013-11-01 01:00:00          2.0          3.0
         2013-11-01 02:00:00          3.0          NaN
    5161 2013-11-01 00:00:00         10.0         20.0
         2013-11-01 01:00:00         20.0         30.0
         2013-11-01 02:00:00         30.0          NaN
    """
    owner = "make_horizon_targets"
    if isinstance(y, (pd.Series, pd.DataFrame)):
        frame = y.to_frame() if isinstance(y, pd.Series) else y
        values, index = _numeric(frame, owner), frame.index
        names = [
            "y" if c is None else str(c)
            for c in (frame.columns if isinstance(y, pd.DataFrame) else [y.name])
        ]
    else:
        arr = np.asarray(y)
        if arr.ndim not in (1, 2) or arr.dtype.kind not in "fiub":
            raise ValueError(
                f"The 'y' parameter of {owner} must be a 1-D or 2-D numeric array, "
                f"Series or DataFrame; got dtype {arr.dtype}, shape {arr.shape}."
            )
        values = arr.reshape(len(arr), -1 if len(arr) else 1).astype(np.float64)
        index, names = None, None
    n, k = values.shape
    if n == 0:
        raise ValueError(
            f"The 'y' parameter of {owner} has 0 rows: there is no target to shift. "
            "Pass the target series."
        )
    layout = panel_layout(index, owner) if isinstance(index, pd.MultiIndex) else None
    if layout is not None:
        longest = int(np.diff(layout.bounds).max())
    elif index is not None:
        where = "the index of y"
        regular_step(as_time_index(index, owner, where), owner, where)
        longest = n
    else:
        longest = n
    if horizon > longest:
        raise ValueError(
            f"The 'horizon' parameter of {owner} ({horizon}) is longer than the "
            f"longest series of y ({longest} rows): no row would get all its "
            "targets. Use a shorter horizon or more data."
        )
    # one contiguous row per (column, step): column c, step h at c * horizon + h
    columns = np.empty((k, horizon, n))
    by_column = np.ascontiguousarray(values.T)
    for h in range(horizon):
        if layout is not None:
            src = lead_positions(index, h, owner, layout=layout)
        else:  # one series, its order verified above
            src = lead_positions(None, h, owner, n=n)
        absent = src < 0
        columns[:, h] = by_column[:, np.maximum(src, 0)]  # a gather, then NaN
        columns[:, h, absent] = np.nan
    out = columns.reshape(k * horizon, n).T  # a view: pandas keeps its blocks
    if index is None:
        return np.ascontiguousarray(out)
    columns = [f"{name}_h{h + 1}" for name in names for h in range(horizon)]
    return pd.DataFrame(out, index=index, columns=columns)


def _numeric(frame: pd.DataFrame, owner: str) -> np.ndarray:
    bad = [
        c
        for c, t in frame.dtypes.items()
        if not pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t)
    ]
    if bad:
        raise TypeError(
            f"The 'y' parameter of {owner} must hold numbers; column(s) {bad} do "
            "not. Convert them with pandas.to_numeric."
        )
    return frame.to_numpy(dtype=np.float64)


def _index_of(X, owner: str) -> pd.Index:
    index = X.index if isinstance(X, (pd.DataFrame, pd.Series)) else X
    if not isinstance(index, pd.Index):
        raise TypeError(
            f"The 'X' parameter of {owner} must be the frame the forecasts were made "
            f"for (or its index), to read their times; got {type(X).__name__}. "
            "Pass X itself, not an array."
        )
    return index


def forecast_frame(y_pred, X, *, step=None, name="forecast"):
    """Put forecasts with their timestamps: one row per series, cutoff and time.

    Row t of ``X`` (its window ends at t - 1) forecasts hours t, t + step, ...:
    column ``h`` of ``y_pred`` is the forecast of time ``t + (h - 1) * step``
    made at the **cutoff** ``t - step``, the last time it knew. The result is
    indexed by the series (the levels of a panel's index before the time), the
    cutoff and the forecast time, sorted, so ``frame.xs(cutoff, level="cutoff")``
    is one forecast path per series. Nothing is dropped: a NaN forecast stays.

    Parameters
    ----------
    y_pred : array-like of shape (n_samples,) or (n_samples, H)
        What a regressor's ``predict(X)`` returned, one row per row of ``X``.
    X : pandas.DataFrame, pandas.Series or pandas.Index
        The rows forecast (or their index): a time index, or a panel's
        ``(series, time)`` MultiIndex with the time last.
    step : str, pandas.Timedelta, int or None, default=None
        Time between steps; None reads it from the index (one step within each
        series), which needs a series with two rows: pass ``step="1h"`` to
        forecast from single rows (the last hour of each cell).
    name : str, default='forecast'
        Name of the forecast column.

    Returns
    -------
    frame : pandas.DataFrame
        Columns ``step`` (1 ... H) and ``name``; index ``(*series, 'cutoff',
        'time')``.

    See Also
    --------
    make_horizon_targets : The targets these columns follow.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from lstmforecast.preprocessing import forecast_frame
    >>> idx = pd.MultiIndex.from_product(
    ...     [[4159, 5161], pd.date_range("2013-12-31 23:00", periods=1, freq="h")],
    ...     names=["cell", "time"])
    >>> forecast_frame(np.array([[1.0, 2.0], [10.0, 20.0]]), idx, step="1h")
                                                  step  forecast
    cell cutoff              time
    4159 2013-12-31 22:00:00 2013-12-31 23:00:00     1       1.0
                             2014-01-01 00:00:00     2       2.0
    5161 2013-12-31 22:00:00 2013-12-31 23:00:00     1      10.0
                             2014-01-01 00:00:00     2      20.0
    """
    owner = "forecast_frame"
    index = _index_of(X, owner)
    pred = np.asarray(y_pred, dtype=np.float64)
    if pred.ndim not in (1, 2) or len(pred) != len(index):
        raise ValueError(
            f"The 'y_pred' parameter of {owner} must have one row per row of X "
            f"({len(index)}), 1-D or (n, H); got shape {pred.shape}. Pass "
            "predict(X)'s output for that X."
        )
    pred = pred.reshape(len(index), -1)
    panel = isinstance(index, pd.MultiIndex)
    times = index.get_level_values(-1) if panel else index
    times = as_time_index(times, owner, "the time of X")
    if step is None:
        groups = pd.factorize(index.droplevel(-1))[0] if panel else None
        groups = np.zeros(len(times), np.int64) if groups is None else groups
        step = common_step(times, groups, owner, "Pass step='1h' (the data's step).")
    else:
        step = parse_step(step, owner, times)
    horizon = pred.shape[1]
    cutoff = times - step
    series = [index.get_level_values(i) for i in range(index.nlevels - 1)]
    levels = [np.repeat(np.asarray(level), horizon) for level in series]
    levels += [
        np.repeat(cutoff, horizon),
        np.concatenate([times + h * step for h in range(horizon)])
        .reshape(horizon, -1)
        .T.ravel(),
    ]
    names = [*index.names[:-1], "cutoff", "time"] if panel else ["cutoff", "time"]
    out_index = pd.MultiIndex.from_arrays(levels, names=names)
    steps = np.tile(np.arange(1, horizon + 1), len(index))
    frame = pd.DataFrame({"step": steps, name: pred.ravel()}, index=out_index)
    return frame.sort_index()
