"""HourlyAggregator: fine-grained records to hourly (or any coarser) totals."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from lstmforecast._validation import PlainParamsMixin, validated_data
from lstmforecast.datasets._schema import (
    as_written,
    check_time_range,
    duration_text,
    range_text,
)

__all__ = ["HourlyAggregator"]

# numpy reductions over the slots of a period (axis 1 of a (periods, k, f) block).
# Only missing='nan' leaves NaN in the blocks; those periods are masked to NaN.
_AGGS = {
    "sum": lambda b: b.sum(axis=1),
    "mean": lambda b: b.mean(axis=1),
    "median": lambda b: np.median(b, axis=1),
    "min": lambda b: b.min(axis=1),
    "max": lambda b: b.max(axis=1),
    "first": lambda b: b[:, 0],
    "last": lambda b: b[:, -1],
}
_IRREGULAR = "irregular"
_NOT_A_SERIES = object()  # marks frame input (a Series may be named None)
_EXPECTED = "2-D (n_rows, n_columns)"


def _as_timedelta(value, name):
    """Return a strictly positive fixed duration, or raise naming the parameter."""
    try:
        delta = pd.Timedelta(value)
    except (TypeError, ValueError):
        delta = None
    if delta is None or delta is pd.NaT or delta <= pd.Timedelta(0):
        raise ValueError(
            f"The '{name}' parameter of HourlyAggregator must be a positive fixed "
            f"duration such as '10min', '1h' or '1D'. Got {as_written(value)} "
            "instead."
        )
    return delta


def _plain(value) -> str:
    """Write a label without quotes or numpy repr: ``899``, ``A1``."""
    if isinstance(value, np.generic):
        value = value.item()
    return str(value)


def _runs(mask: np.ndarray):
    """Start and end (exclusive) of each run of True in each row of a 2-D mask."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    step = np.diff(padded, axis=1)
    rows, starts = np.nonzero(step == 1)
    _, ends = np.nonzero(step == -1)  # row-major order: aligned with the starts
    return rows, starts, ends


@dataclass
class _Table:
    """A timed input, taken apart without copying: times, cells, value columns."""

    times: pd.DatetimeIndex
    cells: np.ndarray | None
    values: pd.DataFrame


class HourlyAggregator(PlainParamsMixin, TransformerMixin, BaseEstimator):
    """Aggregate 10-minute (or any finer) records to hourly values, per cell.

    The lab's rule by default: an hour's value is the **sum** of its six 10-minute
    slots, hours on the data's own (Milan local) clock. Missing slots are never
    hidden: they raise, or are filled by an explicit ``missing`` policy and counted.

    .. note::
       This is a **table-level** step: it changes the number of rows (six 10-minute
       rows become one hourly row). Run it on the whole table *before* splitting X
       and y and before a :class:`~sklearn.pipeline.Pipeline`; every step inside a
       Pipeline keeps one row per input row.

    Parameters
    ----------
    freq : str or pandas.Timedelta, default='1h'
        Target frequency, a positive fixed duration (``'1h'``, ``'30min'``,
        ``'1D'``...) that is a whole multiple of the input spacing. Periods start
        on the data's clock: on tz-aware data, days start at local midnight and
        DST days have 23 or 25 hours, none invented or lost.
    agg : {'sum', 'mean', 'median', 'min', 'max', 'first', 'last'}, default='sum'
        How the values of one period are combined: its slots, each counted once
        (see ``duplicates``), or with ``input_freq='irregular'`` its readings.
    input_freq : str, pandas.Timedelta, 'irregular' or None, default=None
        Spacing of the input slots. None infers it from the timestamps (the
        smallest gap) in :meth:`fit`. Input without timestamps (an array, or a
        frame with neither a time column nor a ``DatetimeIndex``) needs it: the
        spacing of its rows cannot be guessed (half-hourly rows taken as 10-minute
        slots would make 3-hour periods). ``'irregular'`` is for readings at
        irregular times (e.g. every 5 minutes or so, with gaps): there is no slot
        grid, each period combines by ``agg`` the readings inside it (``'mean'``
        for levels), and a period without a reading is missing.
    missing : {'raise', 'zero', 'interpolate', 'nan'}, default='raise'
        What to do with missing slots. The slot grid is shared by all cells: it
        runs from the start of the period holding ``start`` (or the earliest
        timestamp of the whole table) to the end of the period holding ``end`` (or
        the latest timestamp), so a cell that starts late or ends early has
        missing slots there. Absent rows, slots of a period cut off at either end
        and NaN values are all missing.

        - ``'raise'``: a ``ValueError`` that names the first missing slots.
        - ``'zero'``: count them as no activity (what an absent line means in the
          original Milano files).
        - ``'interpolate'``: linear in time within each cell, the nearest value at
          either end, over gaps of at most ``max_gap``. It uses the next real
          slot, so it belongs to cleaning a historical table, not to a live
          forecasting loop.
        - ``'nan'``: a period with any missing slot becomes NaN.

        The number filled and which slots were filled are kept in
        ``n_missing_`` and ``missing_slots_``. With ``input_freq='irregular'`` the
        missing items are periods without a reading (NaN readings are ignored,
        unless ``missing='raise'``).
    max_gap : str, pandas.Timedelta or None, default='1h'
        Longest run of consecutive missing slots (their number times the input
        spacing; periods times ``freq`` for irregular input) that
        ``missing='interpolate'`` fills, leading and trailing runs included. A
        longer gap is an error naming the cell and the gap, never filled silently:
        a straight line over many hours hides the daily cycle. The default fills
        up to one hour: six 10-minute slots, or one missing hour of irregular
        readings. None fills gaps of any length.
    duplicates : {'raise', 'sum', 'mean', 'first'}, default='raise'
        Several rows for the same cell and time: raise, or first make them one
        value. ``'sum'`` adds them up (parts of one slot's total, like the country
        codes of the Milano files), ``'mean'`` averages them (repeated readings of
        one level), ``'first'`` keeps the first row in the order of X; NaN values
        are ignored unless every row is NaN (``'first'`` keeps the first row as it
        is). ``agg`` then combines each slot once: with ``duplicates='sum'`` and
        ``agg='mean'`` a period's value is the mean of its slot totals, i.e. the
        period's sum over its number of slots, never a mean over rows.
    start, end : str, date, datetime or None, default=None
        The window the table is expected to cover, both inclusive (a date alone as
        ``end`` includes that whole day, ``'2013-11'`` the whole month; naive
        values are on the data's clock). Slots of the window with no row are
        missing, so hours absent at either end of the data are reported or filled
        rather than silently left out. Rows outside the window raise an error. None
        uses the data's first / last timestamp. Only for timestamped input.
    time_column : str, default='time'
        Where the timestamps are: a column of that name, else an index level of
        that name, else the frame's ``DatetimeIndex`` (whatever its name). It also
        names the time level of the output.
    cell_column : str or None, default='cell'
        Column (or index level) of cell ids; each cell is aggregated on its own.
        Ignored when the frame has no such column or level.

    Attributes
    ----------
    input_freq_ : pandas.Timedelta or 'irregular'
        Spacing of the input slots (given or inferred).
    n_features_in_ : int
        Number of columns seen in :meth:`fit` (time and cell columns included).
    feature_names_in_ : ndarray of str
        Their names, when ``X`` was a DataFrame with string column names.
    n_missing_ : int
        Number of missing slots (absent or NaN; periods for irregular input) in
        the table passed to :meth:`fit` / :meth:`fit_transform`, filled by the
        ``missing`` policy.
    missing_slots_ : pandas.DataFrame
        Those slots: columns ``cell`` (when there is a cell column) and ``time``,
        or ``row`` for input without timestamps.

    See Also
    --------
    lstmforecast.datasets.read_milano : Produces the tidy frame this consumes.
    pandas.DataFrame.resample : The pandas tool behind the periods.

    Notes
    -----
    Input and output layout:

    - tidy frame with a ``cell`` column (or ``(cell, time)`` index, as this
      returns) -> index ``(cell, time)``, one column per value column
      (``hourly.loc[4159]`` is one cell's hourly frame; use
      ``hourly["internet"].unstack("cell")`` for one column per cell);
    - frame with a ``DatetimeIndex`` or a time column and no cell column ->
      ``DatetimeIndex`` named ``time``;
    - ``Series`` indexed by time -> ``Series`` of the same name;
    - array or frame without timestamps (``input_freq`` required) -> array (or
      frame) of ``ceil(n_rows / k)`` rows, ``k`` = slots per period, rows grouped
      from the first one.

    The input is never modified.

    Examples
    --------
    >>> from lstmforecast.datasets import load_milano_cells
    >>> from lstmforecast.preprocessing import HourlyAggregator
    >>> slots = load_milano_cells([4159, 5161], end="2013-11-02")
    >>> hourly = HourlyAggregator().fit_transform(slots)
    >>> hourly.shape
    (96, 1)
    >>> hourly.loc[5161].head(2)
                                  internet
    time
    2013-11-01 00:00:00+01:00  2125.89097
    2013-11-01 01:00:00+01:00  1203.83396

    Hours with no row at the end of the expected window are missing, not dropped:

    >>> agg = HourlyAggregator(missing="zero", end="2013-11-03")
    >>> agg.fit_transform(slots).shape, agg.n_missing_
    ((144, 1), 288)

    Rows without timestamps need their spacing, here half-hourly:

    >>> import numpy as np
    >>> HourlyAggregator(input_freq="30min").fit_transform(np.arange(4.0)[:, None])
    array([[1.],
           [5.]])

    Readings at irregular times, averaged per hour:

    >>> import pandas as pd
    >>> times = pd.to_datetime(["2013-11-01 00:04", "2013-11-01 00:31",
    ...                         "2013-11-01 01:17"])
    >>> load = pd.Series([2.0, 4.0, 5.0], index=times, name="load")
    >>> HourlyAggregator(agg="mean", input_freq="irregular").fit_transform(load)
    time
    2013-11-01 00:00:00    3.0
    2013-11-01 01:00:00    5.0
    Name: load, dtype: float64
    """

    _parameter_constraints = {
        "freq": [str, pd.Timedelta, _dt.timedelta],
        "agg": [StrOptions(set(_AGGS))],
        "input_freq": [str, pd.Timedelta, _dt.timedelta, None],
        "missing": [StrOptions({"raise", "zero", "interpolate", "nan"})],
        "max_gap": [str, pd.Timedelta, _dt.timedelta, None],
        "duplicates": [StrOptions({"raise", "sum", "mean", "first"})],
        "start": [str, _dt.date, np.datetime64, None],
        "end": [str, _dt.date, np.datetime64, None],
        "time_column": [str],
        "cell_column": [str, None],
    }

    def __init__(
        self,
        freq="1h",
        agg="sum",
        *,
        input_freq=None,
        missing="raise",
        max_gap="1h",
        duplicates="raise",
        start=None,
        end=None,
        time_column="time",
        cell_column="cell",
    ):
        self.freq = freq
        self.agg = agg
        self.input_freq = input_freq
        self.missing = missing
        self.max_gap = max_gap
        self.duplicates = duplicates
        self.start = start
        self.end = end
        self.time_column = time_column
        self.cell_column = cell_column

    # ------------------------------------------------------------------ public
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the table, learn the spacing of its slots and count missing ones.

        Parameters
        ----------
        X : pandas.DataFrame, pandas.Series or array-like of shape (n_rows, n_cols)
            A frame with a ``DatetimeIndex``, a time column or a time index level
            (and optionally a cell column or level), a Series indexed by time, or
            an array of consecutive slots (then ``input_freq`` is required).
        y : None
            Ignored.

        Returns
        -------
        self : HourlyAggregator
            The fitted aggregator; ``n_missing_`` and ``missing_slots_`` describe
            ``X``.
        """
        self._fit_transform(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit to ``X`` and aggregate it, in one pass.

        Parameters
        ----------
        X : pandas.DataFrame, pandas.Series or array-like of shape (n_rows, n_cols)
            The table to aggregate. It is not modified.
        y : None
            Ignored.

        Returns
        -------
        X_out : pandas.DataFrame, pandas.Series or ndarray
            One row per cell and period (see Notes for the layout).
        """
        return self._fit_transform(X)

    def transform(self, X):
        """Aggregate ``X`` to ``freq`` periods.

        Parameters
        ----------
        X : pandas.DataFrame, pandas.Series or array-like of shape (n_rows, n_cols)
            Same kind of input as in :meth:`fit`. It is not modified.

        Returns
        -------
        X_out : pandas.DataFrame, pandas.Series or ndarray
            One row per cell and period (see Notes for the layout).
        """
        check_is_fitted(self)
        return self._run(X, reset=False)[0]

    def fit_transform_chunks(self, chunks, progress=None):
        """Fit and aggregate a table given as consecutive chunks, one at a time.

        Equal to ``fit_transform(pd.concat(chunks))`` (same output, same
        ``n_missing_`` and ``missing_slots_``), but only one chunk (and the
        output) is in memory at a time: a city of 10,000 cells over months read
        file by file (:func:`~lstmforecast.datasets.iter_milano`) needs the
        memory of its hourly table, not of its 10-minute rows. Each chunk's
        complete periods are aggregated as it comes; the rows of its last period
        wait for the next chunk, which may continue that period; the cells, the
        window of periods and the missing slots of cells absent from a chunk are
        settled after the last one.

        Parameters
        ----------
        chunks : iterable of pandas.DataFrame
            Pieces of one table with timestamps (a time column or index level,
            or a ``DatetimeIndex``), all with the same columns, in time order: no
            chunk may hold a row of a period that an earlier chunk has completed
            (daily files in date order qualify). Empty chunks are skipped.
        progress : callable or None, default=None
            Called as ``progress(k, chunk)`` after chunk ``k`` (from 0) is taken
            in, e.g. to print a line per file.

        Returns
        -------
        X_out : pandas.DataFrame
            One row per cell and period, as :meth:`fit_transform` returns.

        Raises
        ------
        ValueError
            With ``missing='interpolate'`` (a slot's neighbours may be in another
            chunk: aggregate the whole table with :meth:`fit_transform`), with a
            ``freq`` that neither divides one hour nor is ``'1D'`` (longer
            periods are anchored on the table's first day), for chunks out of
            time order, and for everything :meth:`fit_transform` refuses, the
            message starting with the chunk's number.

        Examples
        --------
        >>> from lstmforecast.datasets import load_milano_cells
        >>> from lstmforecast.preprocessing import HourlyAggregator
        >>> slots = load_milano_cells([4159, 5161], end="2013-11-03")
        >>> days = [day for _, day in slots.groupby(slots["time"].dt.date)]
        >>> streamed = HourlyAggregator().fit_transform_chunks(days)
        >>> streamed.equals(HourlyAggregator().fit_transform(slots))
        True
        """
        from lstmforecast.preprocessing._stream import fit_transform_chunks

        return fit_transform_chunks(self, chunks, progress)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: the input's value columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; None uses ``feature_names_in_`` (or ``x0``,
            ``x1``... when fitted on an array).

        Returns
        -------
        feature_names_out : ndarray of str
            The value columns (time and cell columns removed).
        """
        check_is_fitted(self, "n_features_in_")
        names = _check_feature_names_in(self, input_features)
        drop = {self.time_column, self.cell_column}
        return np.asarray([f for f in names if f not in drop], dtype=object)

    def __sklearn_tags__(self):
        """Declare NaN support by the ``missing`` policy (NaN raise by default)."""
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self.missing != "raise"
        return tags

    # ------------------------------------------------------------- the passes
    def _fit_transform(self, X):
        out, self.missing_slots_ = self._run(X, reset=True)
        self.n_missing_ = len(self.missing_slots_)
        return out

    def _run(self, X, reset):
        """Validate and aggregate; return (output, missing slots)."""
        freq = _as_timedelta(self.freq, "freq")
        if self.max_gap is not None:
            _as_timedelta(self.max_gap, "max_gap")
        frame, name = self._unwrap_series(X)
        table = self._locate(frame)
        if table is None:
            out, slots = self._run_positional(frame, freq, reset)
        else:
            validated_data(
                self, frame, expected=_EXPECTED, reset=reset, skip_check_array=True
            )
            if reset:
                self.input_freq_ = self._learn_input_freq(table.times, freq)
            if self.input_freq_ == _IRREGULAR:
                out, slots = self._transform_irregular(table)
            else:
                out, slots = self._transform_timed(table)
        self._check_overflow(out)
        if name is not _NOT_A_SERIES:
            out = out.iloc[:, 0].rename(name)
        return out, slots

    def _run_positional(self, X, freq, reset):
        """Rows without timestamps: consecutive slots of ``input_freq``."""
        if self.start is not None or self.end is not None:
            raise ValueError(
                "The 'start' and 'end' parameters need timestamps, but X has none "
                f"(got {type(X).__name__}). Pass a frame with a DatetimeIndex or "
                f"a {self.time_column!r} column, or leave start/end as None."
            )
        if reset:
            self.input_freq_ = self._positional_input_freq(X, freq)
        elif self.input_freq_ == _IRREGULAR:
            raise ValueError(
                "This HourlyAggregator was fitted with input_freq='irregular', which "
                "needs timestamps, but X has none. Pass a frame or Series indexed "
                "by time."
            )
        if isinstance(X, pd.DataFrame):
            self._check_numeric(X, X.columns)
        X_arr = validated_data(
            self,
            X,
            expected=_EXPECTED,
            reset=reset,
            ensure_all_finite="allow-nan",
            dtype=np.float64,
        )
        out, slots = self._transform_positional(X_arr)
        if isinstance(X, pd.DataFrame):
            out = pd.DataFrame(out, columns=self.get_feature_names_out())
        return out, slots

    def _positional_input_freq(self, X, freq):
        if self.input_freq is None:
            raise ValueError(
                f"X has no timestamps (got {type(X).__name__} without a "
                f"{self.time_column!r} column or DatetimeIndex), so the spacing of "
                "its rows is unknown and HourlyAggregator does not guess it. Pass "
                "input_freq, the time between two rows (e.g. input_freq='10min' for "
                "Milano slots, '30min' for half-hourly data), or a frame indexed by "
                "time."
            )
        if self.input_freq == _IRREGULAR:
            raise ValueError(
                "input_freq='irregular' aggregates readings by their timestamps, but "
                f"X has none (got {type(X).__name__}). Pass a frame or Series "
                "indexed by time, or the spacing of the rows as input_freq."
            )
        step = _as_timedelta(self.input_freq, "input_freq")
        self._check_multiple(freq, step, "from 'input_freq'")
        return step

    def _learn_input_freq(self, times, freq):
        if self.input_freq == _IRREGULAR:
            return _IRREGULAR
        if self.input_freq is not None:
            step = _as_timedelta(self.input_freq, "input_freq")
            self._check_multiple(freq, step, "from 'input_freq'")
            return step
        step = self._infer_input_freq(times)
        t_ns = times.as_unit("ns").asi8
        regular = ((t_ns - t_ns.min()) % step.value == 0).all()
        source = "inferred from the smallest gap between timestamps"
        if not regular:
            source += ", which are not all on a grid of it"
        self._check_multiple(freq, step, source, suggest_irregular=not regular)
        return step

    def _check_multiple(self, freq, step, source, suggest_irregular=False):
        if freq % step == pd.Timedelta(0):
            return
        fix = "pick a 'freq' that is a multiple of it, or set 'input_freq'"
        if suggest_irregular:
            fix = (
                "pass input_freq='irregular' to aggregate readings taken at "
                "irregular times, or set 'input_freq' to the real spacing"
            )
        raise ValueError(
            f"The 'freq' parameter of HourlyAggregator ({as_written(self.freq)}) "
            "must be a whole "
            f"multiple of the input spacing {duration_text(step)} ({source}): "
            f"{fix}."
        )

    def _infer_input_freq(self, times):
        uniq = pd.DatetimeIndex(times).unique().sort_values()
        if len(uniq) < 2:
            raise ValueError(
                f"Cannot infer the input spacing: X has a single timestamp "
                f"({uniq[0]}). Set 'input_freq' (e.g. '10min' for Milano data)."
            )
        return (uniq[1:] - uniq[:-1]).min()

    # ------------------------------------------------------ taking X apart
    def _unwrap_series(self, X):
        """Turn a Series indexed by time into a one-column frame (and its name)."""
        if not isinstance(X, pd.Series):
            return X, _NOT_A_SERIES
        levels = [lvl for lvl in X.index.names if lvl is not None]
        if not (isinstance(X.index, pd.DatetimeIndex) or self.time_column in levels):
            raise ValueError(
                f"X is a pandas Series whose index ({type(X.index).__name__}) holds "
                "no timestamps, so HourlyAggregator cannot tell when its values "
                "were recorded. Index it by time (a DatetimeIndex, or an index "
                f"level named {self.time_column!r}), or pass X.to_frame() with "
                "input_freq set to the spacing of its values."
            )
        return X.to_frame(), X.name

    def _locate(self, X) -> _Table | None:
        """Find the times, cells and value columns of X; None if it has no times."""
        if not isinstance(X, pd.DataFrame):
            return None
        times = self._find_times(X)
        if times is None:
            return None
        if len(X) == 0:
            raise ValueError(
                "X has 0 rows: there is nothing to aggregate. Check the selection "
                "that produced it."
            )
        cells = self._find(X, self.cell_column)
        if cells is not None:
            cells = cells.to_numpy()
            if pd.isna(cells).any():
                raise ValueError(
                    f"The cell ids ({self.cell_column!r}) of X have missing values "
                    f"(first in row {int(np.argmax(pd.isna(cells)))}). Drop or fix "
                    "those rows first."
                )
        values = X.drop(
            columns=[c for c in (self.time_column, self.cell_column) if c in X.columns]
        )
        if values.shape[1] == 0:
            raise ValueError(
                "X has no value column to aggregate: only the time and cell columns "
                f"({self.time_column!r}, {self.cell_column!r}). Add the traffic "
                "columns."
            )
        self._check_numeric(values, values.columns)
        if times.hasnans:
            raise ValueError(
                "The timestamps of X contain NaT (missing times), first in row "
                f"{int(np.argmax(times.isna()))}. Drop or fix those rows first: a "
                "value without a time cannot be put in a period."
            )
        return _Table(times, cells, values)

    def _find(self, X: pd.DataFrame, name):
        """Return the column, else the index level, called ``name`` (or None)."""
        if name is None:
            return None
        if name in X.columns:
            return X[name]
        if name in [n for n in X.index.names if n is not None]:
            return pd.Series(X.index.get_level_values(name), index=X.index)
        return None

    def _find_times(self, X: pd.DataFrame) -> pd.DatetimeIndex | None:
        found = self._find(X, self.time_column)
        if found is None and isinstance(X.index, pd.DatetimeIndex):
            return X.index
        if found is None:
            self._refuse_hidden_times(X)
            return None
        if not pd.api.types.is_datetime64_any_dtype(found):
            where = "Column" if self.time_column in X.columns else "Index level"
            first = as_written(found.iloc[0]) if len(found) else "nothing"
            raise TypeError(
                f"{where} {self.time_column!r} must hold datetimes (dtype "
                f"datetime64), but X's has dtype {found.dtype} (first value {first}). "
                "Convert it with pandas.to_datetime, or set 'time_column' to the "
                "column that holds the times."
            )
        return pd.DatetimeIndex(found)

    def _refuse_hidden_times(self, X: pd.DataFrame) -> None:
        """Refuse times under another name rather than read them as numbers."""
        dated = [
            c for c in X.columns if pd.api.types.is_datetime64_any_dtype(X[c].dtype)
        ]
        dated += (
            [
                n
                for n, lvl in zip(X.index.names, X.index.levels, strict=True)
                if n is not None and pd.api.types.is_datetime64_any_dtype(lvl.dtype)
            ]
            if isinstance(X.index, pd.MultiIndex)
            else []
        )
        if dated:
            raise ValueError(
                f"X has no {self.time_column!r} column or index level, but "
                f"{as_written(dated)} hold(s) datetimes. Pass "
                f"time_column={as_written(dated[0])} to use it as the time."
            )
        if self.time_column != "time":
            raise ValueError(
                f"The 'time_column' parameter ({self.time_column!r}) names no column "
                f"or index level of X (columns {as_written(list(X.columns))}). Fix "
                "the name, or leave it as 'time' for a frame without timestamps "
                "(then input_freq is required)."
            )

    def _check_numeric(self, values: pd.DataFrame, columns) -> None:
        bad = [
            c
            for c in columns
            if not pd.api.types.is_numeric_dtype(values[c])
            or pd.api.types.is_bool_dtype(values[c])
        ]
        if bad:
            raise TypeError(
                f"Column(s) {as_written(bad)} of X are not numeric (dtypes "
                f"{[str(values[c].dtype) for c in bad]}). HourlyAggregator "
                "aggregates value columns: convert them with pandas.to_numeric, or "
                "drop them (or name the time column with 'time_column')."
            )

    # ------------------------------------------------------------- checks
    def _check_overflow(self, out) -> None:
        """Refuse periods whose aggregate is infinite (an overflowing sum)."""
        values = np.asarray(out, dtype=np.float64)
        if values.size == 0 or not np.isinf(values).any():  # no copy of the values
            return
        bad = np.isinf(values).any(axis=0)
        names = self.get_feature_names_out()
        columns = [str(c) for c, b in zip(names, bad, strict=False) if b]
        raise ValueError(
            f"The {self.agg!r} of column(s) {columns} is infinite for "
            f"{int(np.isinf(values).sum())} period(s): the values overflow float64 "
            "(or X holds inf). Scale the data down first (e.g. to Gbit/s)."
        )

    def _check_values(self, values: np.ndarray, label):
        """Refuse inf, and NaN under missing='raise'; ``label(i, j)`` names a value."""
        for kind, mask in (("inf", np.isinf(values)), ("NaN", np.isnan(values))):
            if kind == "NaN" and self.missing != "raise":
                return
            if mask.any():
                i, j = np.unravel_index(np.argmax(mask), mask.shape)
                fix = (
                    "Replace them (e.g. with NaN and a 'missing' policy) first."
                    if kind == "inf"
                    else "Choose a policy for them: missing='zero', 'interpolate' "
                    "or 'nan'."
                )
                raise ValueError(
                    f"X contains {int(mask.sum())} {kind} value(s), first "
                    f"{label(int(i), int(j))}, and HourlyAggregator(missing="
                    f"{self.missing!r}) cannot aggregate them. {fix}"
                )

    def _raise_missing(self, slots, places, unit, step, what):
        """Raise for missing slots (or periods), naming the first three."""
        first = [
            places.slot(c, s)
            for c, s in zip(places.codes(slots), places.positions(slots), strict=True)
        ][:3]
        raise ValueError(
            f"HourlyAggregator found {len(slots)} missing {unit}(s) of "
            f"{duration_text(step)} ({what}), first: {'; '.join(first)}. Choose a "
            "policy with missing='zero' (no activity: what an absent line means in "
            "the Milano files), 'interpolate' or 'nan'."
        )

    # ------------------------------------------------------- shared steps
    def _collapse(self, flat, data, size, describe):
        """One value per position ``flat`` (rows of equal position are duplicates).

        Returns ``(size, n_features)`` values, NaN where no row; ``describe(pos)``
        names a position for the error message.
        """
        counts = np.bincount(flat, minlength=size)
        out = np.full((size, data.shape[1]), np.nan)
        if counts.max(initial=0) <= 1:
            out[flat] = data
            return out
        if self.duplicates == "raise":
            first = int(np.flatnonzero(counts > 1)[0])
            raise ValueError(
                f"X has {int((counts[counts > 1] - 1).sum())} duplicate row(s) for "
                f"the same cell and time, first: {describe(first)}. Remove them, or "
                "pass duplicates='sum' (parts of one total), 'mean' (repeated "
                "readings of a level) or 'first'."
            )
        if self.duplicates == "first":
            positions, rows = np.unique(flat, return_index=True)
            out[positions] = data[rows]
            return out
        for j in range(data.shape[1]):  # 'sum' or 'mean'; NaN if every row is NaN
            col = data[:, j]
            seen = ~np.isnan(col)
            total = np.bincount(flat[seen], weights=col[seen], minlength=size)
            n_seen = np.bincount(flat[seen], minlength=size)
            if self.duplicates == "mean":
                total = total / np.maximum(n_seen, 1)
            out[:, j] = np.where(n_seen > 0, total, np.nan)
        return out

    def _fill(self, series, step, places, names, unit):
        """Fill NaN in ``series`` of shape (n_series, n_slots, n_features)."""
        if self.missing == "zero":
            return np.where(np.isnan(series), 0.0, series)
        if self.missing != "interpolate":
            return series  # 'nan' and 'raise' (raise happens before)
        n, g, f = series.shape
        # one column per (series, feature): a single vectorised pandas call
        wide = pd.DataFrame(series.transpose(1, 0, 2).reshape(g, n * f))
        empty = wide.isna().all(axis=0).to_numpy()
        if empty.any():
            c, j = divmod(int(np.argmax(empty)), f)
            raise ValueError(
                f"missing='interpolate' found no value at all in column "
                f"{_plain(names[j])!r} of {places.series(c)}, so there is nothing "
                "to interpolate from. Drop it, or use missing='zero' or 'nan'."
            )
        self._check_gaps(np.isnan(series), step, places, names, unit)
        wide = wide.interpolate(method="linear", limit_direction="both")
        return wide.to_numpy().reshape(g, n, f).transpose(1, 0, 2)

    def _check_gaps(self, mask, step, places, names, unit):
        """Refuse to interpolate over a run of missing slots longer than max_gap."""
        if self.max_gap is None:
            return
        limit = _as_timedelta(self.max_gap, "max_gap")
        n, g, f = mask.shape
        rows, starts, ends = _runs(mask.transpose(0, 2, 1).reshape(n * f, g))
        too_long = (ends - starts) * step.value > limit.value
        if not too_long.any():
            return
        k = int(np.argmax(too_long))
        c, j = divmod(int(rows[k]), f)
        length = int(ends[k] - starts[k])
        raise ValueError(
            f"missing='interpolate' would fill {length} missing {unit}(s) in a row "
            f"({duration_text(length * step)}) in column {_plain(names[j])!r} of "
            f"{places.series(c)}, from {places.when(int(starts[k]))} to "
            f"{places.when(int(ends[k]) - 1)}, but max_gap is "
            f"{as_written(self.max_gap)}: a straight line over that long hides the "
            "daily cycle. Pass a larger max_gap (or None) to fill it anyway, or use "
            "missing='nan' or 'zero'."
        )

    def _window(self, times: pd.DatetimeIndex):
        """Return the first and last expected slot times, on the data's clock."""
        lo, hi = check_time_range(self.start, self.end, tz=times.tz)
        t_min, t_max = times.min(), times.max()
        outside = (lo is not None and t_min < lo) or (hi is not None and t_max >= hi)
        if outside:
            bad = t_min if lo is not None and t_min < lo else t_max
            raise ValueError(
                "X has rows outside the window set by 'start'/'end' "
                f"({range_text(lo, hi)}), "
                f"e.g. at {bad}. Select the rows first, or widen 'start'/'end' (they "
                "are the window X is expected to cover)."
            )
        lo = t_min if lo is None else lo
        last = t_max if hi is None else hi - pd.Timedelta(1, "ns")
        return lo, last

    def _periods(self, times: pd.DatetimeIndex):
        """Period starts and the end of the last one, on the data's clock.

        pandas' own bins: local midnight origin, and '1D' is a calendar day, so
        DST days have 23 or 25 hours.
        """
        lo, last = self._window(times)
        bins = pd.Series(0, index=pd.DatetimeIndex([lo, last]))
        bins = bins.resample(self.freq).size().index
        end = pd.date_range(bins[-1], periods=2, freq=bins.freq)[1]
        return bins, end

    def _output(self, result, bins, cell_ids, has_cells, columns):
        """Frame of ``result`` (n_cells, n_periods, n_features) in the layout."""
        result = result.reshape(-1, len(columns))
        if not has_cells:
            index = pd.DatetimeIndex(bins, name=self.time_column, freq=None)
        else:
            index = pd.MultiIndex.from_product(
                [cell_ids, bins], names=[self.cell_column, self.time_column]
            )
        # the result is ours: no copy (pandas 3 copies arrays by default)
        return pd.DataFrame(result, index=index, columns=columns, copy=False)

    @staticmethod
    def _codes(cells, n_rows):
        """Sorted cell ids and each row's position among them."""
        if cells is None:
            return np.zeros(1, np.int64), np.zeros(n_rows, np.intp)
        return np.unique(cells, return_inverse=True)

    @staticmethod
    def _missing(series, cell_ids, times, has_cells) -> pd.DataFrame:
        """Return the (cell, time) of each missing slot: NaN in any column."""
        c_idx, s_idx = np.nonzero(np.isnan(series).any(axis=2))
        slots = pd.DataFrame({"cell": cell_ids[c_idx], "time": times[s_idx]})
        return slots if has_cells else slots.drop(columns="cell")

    # ---------------------------------------------------------- the paths
    def _transform_positional(self, X: np.ndarray):
        names = self.get_feature_names_out()
        self._check_values(X, lambda i, j: f"in row {i}, column {_plain(names[j])!r}")
        k = int(_as_timedelta(self.freq, "freq") // self.input_freq_)
        n, f = X.shape
        n_out = -(-n // k)
        padded = np.full((n_out * k, f), np.nan)
        padded[:n] = X
        missing_rows = np.flatnonzero(np.isnan(padded).any(axis=1))
        slots = pd.DataFrame({"row": missing_rows})
        places = _Places(None, None, n)
        if len(slots) and self.missing == "raise":
            what = "rows of a period cut off after the last row"
            self._raise_missing(slots, places, "slot", self.input_freq_, what)
        filled = self._fill(padded[None], self.input_freq_, places, names, "slot")[0]
        blocks = filled.reshape(n_out, k, f)
        out = _AGGS[self.agg](blocks)
        if self.missing == "nan":  # 'first'/'last' do not propagate NaN by themselves
            out = np.where(np.isnan(blocks).any(axis=1), np.nan, out)
        return out.astype(np.float64), slots

    def _checked_values(self, table: _Table):
        """Return (times, columns, values, cell ids, cell code per row, places)."""
        times, columns = table.times, list(table.values.columns)
        data = table.values.to_numpy(dtype=np.float64)  # read only: X never changes
        cell_ids, code = self._codes(table.cells, len(times))
        has_cells = table.cells is not None
        rows = _Places(cell_ids if has_cells else None, times, codes_=code)
        self._check_values(
            data, lambda i, j: f"in column {_plain(columns[j])!r} at {rows.row(i)}"
        )
        return times, columns, data, cell_ids, code, rows

    def _transform_timed(self, table: _Table):
        """Timestamps on a grid of ``input_freq_`` slots shared by all cells."""
        times, columns, data, cell_ids, code, rows = self._checked_values(table)
        has_cells = table.cells is not None
        step = self.input_freq_
        bins, end = self._periods(times)
        grid = pd.date_range(bins[0], end, freq=step, inclusive="left")
        pos = self._grid_positions(times, grid, step)
        places = _Places(cell_ids if has_cells else None, grid)
        n_slots = len(grid)
        series = self._collapse(
            code * n_slots + pos,
            data,
            len(cell_ids) * n_slots,
            lambda p: places.slot(*divmod(p, n_slots)),
        ).reshape(len(cell_ids), n_slots, len(columns))
        slots = self._missing(series, cell_ids, grid, has_cells)
        if len(slots) and self.missing == "raise":
            what = "absent rows, cut-off periods or NaN values"
            self._raise_missing(slots, places, "slot", step, what)
        series = self._fill(series, step, places, columns, "slot")
        bins_ns, grid_ns = bins.as_unit("ns").asi8, grid.as_unit("ns").asi8
        period = np.searchsorted(bins_ns, grid_ns, "right") - 1
        result = _reduce_periods(series, period, len(bins), self.agg)
        if self.missing == "nan":  # a period with a missing slot is NaN
            starts = np.searchsorted(period, np.arange(len(bins)))
            holed = np.logical_or.reduceat(np.isnan(series), starts, axis=1)
            result[holed] = np.nan
        return self._output(result, bins, cell_ids, has_cells, columns), slots

    def _grid_positions(self, times, grid, step) -> np.ndarray:
        """Each timestamp's slot on the grid; an off-grid timestamp is an error."""
        step_ns = int(step / pd.Timedelta(1, "ns"))
        offset = times.as_unit("ns").asi8 - grid[0].as_unit("ns").value
        off_grid = offset % step_ns != 0
        if off_grid.any():
            raise ValueError(
                f"Timestamp {times[np.argmax(off_grid)]} is not on the "
                f"{duration_text(step)} grid of the input slots starting at "
                f"{grid[0]}. Set 'input_freq' to the real spacing of the data, align "
                "the timestamps, or pass input_freq='irregular' to aggregate "
                "readings taken at irregular times."
            )
        return offset // step_ns

    def _transform_irregular(self, table: _Table):
        """Aggregate readings at any times: each period combines those inside it."""
        times, columns, data, cell_ids, code, rows = self._checked_values(table)
        has_cells = table.cells is not None
        bins, _ = self._periods(times)
        # one value per (cell, time), duplicates resolved as on a grid
        t_ns = times.as_unit("ns").asi8
        order = np.lexsort((t_ns, code))
        new = np.ones(len(order), dtype=bool)
        new[1:] = (np.diff(code[order]) != 0) | (np.diff(t_ns[order]) != 0)
        group = np.empty(len(order), np.intp)
        group[order] = np.cumsum(new) - 1
        first = order[new]  # one row of each (cell, time), sorted by cell and time
        readings = self._collapse(
            group, data, len(first), lambda g: rows.row(int(first[g]))
        )
        period = np.searchsorted(bins.as_unit("ns").asi8, t_ns[first], "right") - 1
        flat = code[first] * len(bins) + period
        grouped = pd.DataFrame(readings).groupby(flat)
        agg = grouped.sum(min_count=1) if self.agg == "sum" else grouped.agg(self.agg)
        result = np.full((len(cell_ids) * len(bins), len(columns)), np.nan)
        result[agg.index.to_numpy()] = agg.to_numpy()
        result = result.reshape(len(cell_ids), len(bins), len(columns))
        slots = self._missing(result, cell_ids, bins, has_cells)
        places = _Places(cell_ids if has_cells else None, bins)
        freq = _as_timedelta(self.freq, "freq")
        if len(slots) and self.missing == "raise":
            self._raise_missing(slots, places, "period", freq, "no reading in them")
        result = self._fill(result, freq, places, columns, "period")
        return self._output(result, bins, cell_ids, has_cells, columns), slots


def _reduce_periods(series: np.ndarray, period: np.ndarray, n_bins: int, agg: str):
    """Combine the slots of each period: (cells, slots, f) -> (cells, periods, f).

    ``period`` (sorted) is each slot's period; every period has a slot. Segment
    reductions along the slot axis: no transposed or per-column copy of the
    table (a groupby over cells x columns needed several).
    """
    starts = np.searchsorted(period, np.arange(n_bins))
    counts = np.diff(np.append(starts, len(period)))
    if agg == "sum":
        return np.add.reduceat(series, starts, axis=1)
    if agg == "mean":
        return np.add.reduceat(series, starts, axis=1) / counts[None, :, None]
    if agg in ("min", "max"):
        ufunc = np.minimum if agg == "min" else np.maximum
        return ufunc.reduceat(series, starts, axis=1)
    if agg in ("first", "last"):
        return series[:, starts if agg == "first" else starts + counts - 1].copy()
    n, g, f = series.shape  # median: one groupby over the periods
    wide = pd.DataFrame(series.transpose(1, 0, 2).reshape(g, n * f))
    out = wide.groupby(period).agg(agg).to_numpy()
    return out.reshape(n_bins, n, f).transpose(1, 0, 2).copy()


@dataclass
class _Places:
    """How messages name a series (a cell) and a slot of it."""

    cell_ids: np.ndarray | None  # None: one series (no cell column)
    times: pd.DatetimeIndex | None  # slot (or row) times; None: no timestamps
    n_rows: int = 0  # without timestamps: rows from here on are past the end
    codes_: np.ndarray | None = None  # each row's cell position (row labels)

    def series(self, c: int) -> str:
        return "X" if self.cell_ids is None else f"cell {_plain(self.cell_ids[c])}"

    def when(self, s: int) -> str:
        if self.times is None:
            return f"row {s}" + (" (after the last row)" if s >= self.n_rows else "")
        return str(self.times[s])

    def slot(self, c: int, s: int) -> str:
        prefix = "" if self.cell_ids is None else f"{self.series(c)} at "
        return prefix + self.when(s)

    def row(self, i: int) -> str:
        """Name row ``i`` of X by its cell and time."""
        c = 0 if self.codes_ is None else int(self.codes_[i])
        return self.slot(c, i)

    def codes(self, slots: pd.DataFrame):
        if "cell" not in slots:
            return np.zeros(len(slots), np.intp)
        return np.searchsorted(self.cell_ids, slots["cell"].to_numpy())

    def positions(self, slots: pd.DataFrame):
        if self.times is None:
            return slots["row"].to_numpy()
        return self.times.get_indexer(pd.DatetimeIndex(slots["time"]))
