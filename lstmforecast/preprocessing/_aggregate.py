"""HourlyAggregator: fine-grained records to hourly (or any coarser) totals."""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_is_fitted,
    validate_data,
)

from lstmforecast.datasets._schema import check_time_range

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


def _as_timedelta(value, name):
    """Return a strictly positive fixed duration, or raise naming the parameter."""
    try:
        delta = pd.Timedelta(value)
    except (TypeError, ValueError):
        delta = None
    if delta is None or delta is pd.NaT or delta <= pd.Timedelta(0):
        raise ValueError(
            f"The '{name}' parameter of HourlyAggregator must be a positive fixed "
            f"duration such as '10min', '1h' or '1D'. Got {value!r} instead."
        )
    return delta


class HourlyAggregator(TransformerMixin, BaseEstimator):
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
        How the slots of one period are combined.
    input_freq : str, pandas.Timedelta or None, default=None
        Spacing of the input slots. None infers it from the timestamps (the
        smallest gap) in :meth:`fit`; arrays without timestamps are taken as
        consecutive 10-minute slots (the Milano resolution), as the lab's loader
        reads six consecutive lines per hour.
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
          either end. It uses the next real slot, so it belongs to cleaning a
          historical table, not to a live forecasting loop.
        - ``'nan'``: a period with any missing slot becomes NaN.

        The number filled and which slots were filled are kept in
        ``n_missing_`` and ``missing_slots_``.
    duplicates : {'raise', 'sum'}, default='raise'
        Two rows for the same cell and time raise, or are summed first.
    start, end : str, date, datetime or None, default=None
        The window the table is expected to cover, both inclusive (a date alone as
        ``end`` includes that whole day, ``'2013-11'`` the whole month; naive
        values are on the data's clock). Slots of the window with no row are
        missing, so hours absent at either end of the data are reported or filled
        rather than silently left out. Rows outside the window raise an error. None
        uses the data's first / last timestamp. Only for timestamped input.
    time_column : str, default='time'
        Column of timestamps, used when the frame has no ``DatetimeIndex``.
    cell_column : str or None, default='cell'
        Column of cell ids; each cell is aggregated on its own. Ignored when the
        frame has no such column.

    Attributes
    ----------
    input_freq_ : pandas.Timedelta
        Spacing of the input slots (given or inferred).
    n_features_in_ : int
        Number of columns seen in :meth:`fit` (time and cell columns included).
    feature_names_in_ : ndarray of str
        Their names, when ``X`` was a DataFrame with string column names.
    n_missing_ : int
        Number of missing slots (absent or NaN) in the table passed to
        :meth:`fit` / :meth:`fit_transform`, filled by the ``missing`` policy.
    missing_slots_ : pandas.DataFrame
        Those slots: columns ``cell`` (when there is a cell column) and ``time``,
        or ``row`` for arrays.

    See Also
    --------
    lstmforecast.datasets.read_milano : Produces the tidy frame this consumes.
    pandas.DataFrame.resample : The pandas tool behind the periods.

    Notes
    -----
    Output layout:

    - tidy frame with a ``cell`` column -> index ``(cell, time)``, one column per
      value column (``hourly.loc[4159]`` is one cell's hourly frame; use
      ``hourly["internet"].unstack("cell")`` for one column per cell);
    - frame with a ``DatetimeIndex`` or ``time`` column and no cell column ->
      ``DatetimeIndex`` named ``time``;
    - array (no timestamps) -> array of ``ceil(n_rows / k)`` rows, ``k`` = slots
      per period, rows grouped from the first one.

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
    """

    _parameter_constraints = {
        "freq": [str, pd.Timedelta, _dt.timedelta],
        "agg": [StrOptions(set(_AGGS))],
        "input_freq": [str, pd.Timedelta, _dt.timedelta, None],
        "missing": [StrOptions({"raise", "zero", "interpolate", "nan"})],
        "duplicates": [StrOptions({"raise", "sum"})],
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
        X : pandas.DataFrame or array-like of shape (n_rows, n_columns)
            A frame with a ``DatetimeIndex`` or a time column (and optionally a
            cell column), or an array of consecutive slots.
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
        X : pandas.DataFrame or array-like of shape (n_rows, n_columns)
            The table to aggregate. It is not modified.
        y : None
            Ignored.

        Returns
        -------
        X_out : pandas.DataFrame or ndarray
            One row per cell and period (see Notes for the layout).
        """
        return self._fit_transform(X)

    def _fit_transform(self, X):
        freq = _as_timedelta(self.freq, "freq")
        if self._is_timed(X):
            validate_data(self, X, reset=True, skip_check_array=True)
            times, _, _ = self._split_frame(X)
            if self.input_freq is not None:
                self.input_freq_ = _as_timedelta(self.input_freq, "input_freq")
            else:
                self.input_freq_ = self._infer_input_freq(times)
        else:
            if self.start is not None or self.end is not None:
                raise ValueError(
                    "The 'start' and 'end' parameters need timestamps, but X has none "
                    f"(got {type(X).__name__}). Pass a frame with a DatetimeIndex or "
                    f"a {self.time_column!r} column, or leave start/end as None."
                )
            validate_data(
                self, X, reset=True, ensure_all_finite="allow-nan", dtype=np.float64
            )
            self.input_freq_ = _as_timedelta(self.input_freq or "10min", "input_freq")
        if freq % self.input_freq_:
            raise ValueError(
                f"The 'freq' parameter ({self.freq!r}) must be a whole multiple of the "
                f"input spacing {self.input_freq_} (from 'input_freq' or the data). "
                "Pick a coarser 'freq' or set 'input_freq'."
            )
        out, self.missing_slots_ = self._aggregate(X)
        self.n_missing_ = len(self.missing_slots_)
        return out

    def transform(self, X):
        """Aggregate ``X`` to ``freq`` periods.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_rows, n_columns)
            Same kind of input as in :meth:`fit`. It is not modified.

        Returns
        -------
        X_out : pandas.DataFrame or ndarray
            One row per cell and period (see Notes for the layout).
        """
        check_is_fitted(self)
        return self._aggregate(X, reset=False)[0]

    def _aggregate(self, X, reset=True):
        """Validate and aggregate; return (output, missing slots)."""
        if self._is_timed(X):
            if not reset:
                validate_data(self, X, reset=False, skip_check_array=True)
            out, slots = self._transform_timed(X)
        else:
            X_arr = validate_data(
                self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float64
            )
            out, slots = self._transform_positional(X_arr)
            if isinstance(X, pd.DataFrame):
                out = pd.DataFrame(out, columns=self.get_feature_names_out())
        self._check_overflow(out)
        return out, slots

    def _check_overflow(self, out) -> None:
        """Refuse periods whose aggregate is infinite (an overflowing sum)."""
        values = np.asarray(out, dtype=np.float64)
        if values.size == 0 or np.isfinite(values[~np.isnan(values)]).all():
            return
        bad = np.isinf(values).any(axis=0)
        names = self.get_feature_names_out()
        columns = [str(c) for c, b in zip(names, bad, strict=False) if b]
        raise ValueError(
            f"The {self.agg!r} of column(s) {columns} is infinite for "
            f"{int(np.isinf(values).sum())} period(s): the values overflow float64 "
            "(or X holds inf). Scale the data down first (e.g. to Gbit/s)."
        )

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

    # ----------------------------------------------------------------- helpers
    def _is_timed(self, X):
        return isinstance(X, pd.DataFrame) and (
            isinstance(X.index, pd.DatetimeIndex) or self.time_column in X.columns
        )

    def _split_frame(self, X: pd.DataFrame):
        """Return (times, cells or None, numeric value frame) without copying X."""
        if len(X) == 0:
            raise ValueError(
                "X has 0 rows: there is nothing to aggregate. Check the selection "
                "that produced it."
            )
        if self.time_column in X.columns:
            times = X[self.time_column]
            if not (pd.api.types.is_datetime64_any_dtype(times)):
                raise TypeError(
                    f"Column '{self.time_column}' must hold datetimes (dtype "
                    f"datetime64), got dtype {times.dtype}. Convert it with "
                    "pandas.to_datetime, or set 'time_column'."
                )
            times = pd.DatetimeIndex(times)
        else:
            times = X.index
        has_cell = self.cell_column is not None and self.cell_column in X.columns
        cells = X[self.cell_column].to_numpy() if has_cell else None
        if has_cell and pd.isna(cells).any():
            raise ValueError(
                f"Column {self.cell_column!r} of X has missing cell ids. Drop or fix "
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
        bad = [
            c
            for c in values.columns
            if not pd.api.types.is_numeric_dtype(values[c])
            or pd.api.types.is_bool_dtype(values[c])
        ]
        if bad:
            raise TypeError(
                f"Column(s) {bad} of X are not numeric (dtypes "
                f"{[str(values[c].dtype) for c in bad]}). HourlyAggregator sums value "
                "columns: convert them with pandas.to_numeric, or drop them."
            )
        if times.hasnans:
            raise ValueError(
                "The timestamps of X contain NaT (missing times). Drop or fix those "
                "rows first: a value without a time cannot be put in a period."
            )
        return times, cells, values

    def _infer_input_freq(self, times):
        uniq = pd.DatetimeIndex(times).unique().sort_values()
        if len(uniq) < 2:
            raise ValueError(
                f"Cannot infer the input spacing: X has a single timestamp "
                f"({uniq[0]}). Set 'input_freq' (e.g. '10min' for Milano data)."
            )
        return (uniq[1:] - uniq[:-1]).min()

    def _check_values(self, values: np.ndarray):
        if np.isinf(values).any():
            raise ValueError(
                "X contains inf values: HourlyAggregator cannot aggregate them. "
                "Replace them (e.g. with NaN and a 'missing' policy) first."
            )
        if self.missing == "raise" and np.isnan(values).any():
            raise ValueError(
                "X contains NaN values and missing='raise'. Choose a policy for them: "
                "missing='zero', 'interpolate' or 'nan'."
            )

    def _fill(self, series: np.ndarray) -> np.ndarray:
        """Fill NaN in ``series`` of shape (n_series, n_slots, n_features)."""
        if self.missing == "zero":
            return np.where(np.isnan(series), 0.0, series)
        if self.missing == "interpolate":
            n, g, f = series.shape
            # one column per (series, feature): a single vectorised pandas call
            wide = pd.DataFrame(series.transpose(1, 0, 2).reshape(g, n * f))
            if wide.isna().all(axis=0).any():
                raise ValueError(
                    "missing='interpolate' found a cell whose value column has no "
                    "value at all, so there is nothing to interpolate from. Drop "
                    "that cell or use missing='zero' or 'nan'."
                )
            wide = wide.interpolate(method="linear", limit_direction="both")
            return wide.to_numpy().reshape(g, n, f).transpose(1, 0, 2)
        return series  # 'nan' and 'raise' (raise happens before)

    def _raise_missing(self, where: pd.DataFrame, n: int):
        first = ", ".join(
            " at ".join(str(v) for v in row) for row in where.head(3).itertuples(False)
        )
        raise ValueError(
            f"HourlyAggregator found {n} missing slot(s) of {self.input_freq_} "
            f"(absent rows, cut-off periods or NaN values), first: {first}. Choose a "
            "policy with missing='zero' (no activity: what an absent line means in "
            "the Milano files), 'interpolate' or 'nan'."
        )

    def _transform_positional(self, X: np.ndarray):
        self._check_values(X)
        k = int(_as_timedelta(self.freq, "freq") // self.input_freq_)
        n, f = X.shape
        n_out = -(-n // k)
        padded = np.full((n_out * k, f), np.nan)
        padded[:n] = X
        missing_rows = np.flatnonzero(np.isnan(padded).any(axis=1))
        slots = pd.DataFrame({"row": missing_rows})
        if len(slots) and self.missing == "raise":
            self._raise_missing(
                slots.assign(
                    what=["beyond the end" if r >= n else "NaN" for r in missing_rows]
                ),
                len(slots),
            )
        filled = self._fill(padded[None])[0]
        blocks = filled.reshape(n_out, k, f)
        out = _AGGS[self.agg](blocks)
        if self.missing == "nan":  # 'first'/'last' do not propagate NaN by themselves
            out = np.where(np.isnan(blocks).any(axis=1), np.nan, out)
        return out.astype(np.float64), slots

    def _window(self, times: pd.DatetimeIndex):
        """Return the first and last expected slot times, on the data's clock."""
        lo, hi = check_time_range(self.start, self.end, tz=times.tz)
        t_min, t_max = times.min(), times.max()
        outside = (lo is not None and t_min < lo) or (hi is not None and t_max >= hi)
        if outside:
            bad = t_min if lo is not None and t_min < lo else t_max
            raise ValueError(
                f"X has rows outside the window set by 'start'/'end' ([{lo}, {hi})), "
                f"e.g. at {bad}. Select the rows first, or widen 'start'/'end' (they "
                "are the window X is expected to cover)."
            )
        lo = t_min if lo is None else lo
        last = t_max if hi is None else hi - pd.Timedelta(1, "ns")
        return lo, last

    def _transform_timed(self, X: pd.DataFrame):
        times, cells, values = self._split_frame(X)
        columns = list(values.columns)
        data = values.to_numpy(dtype=np.float64)  # read only: X is never modified
        self._check_values(data)
        step = self.input_freq_
        lo, last = self._window(times)
        # Periods: pandas' own bins (local midnight origin; '1D' is a calendar day,
        # so DST days have 23 or 25 hours).
        bins = pd.Series(0, index=pd.DatetimeIndex([lo, last]))
        bins = bins.resample(self.freq).size()
        bins = bins.index
        hi = pd.date_range(bins[-1], periods=2, freq=bins.freq)[1]
        grid = pd.date_range(bins[0], hi, freq=step, inclusive="left")
        ns = pd.Timedelta(1, "ns")
        t_ns = times.as_unit("ns").asi8
        g0, step_ns = grid[0].as_unit("ns").value, int(step / ns)
        offset = t_ns - g0
        off_grid = offset % step_ns != 0
        if off_grid.any():
            raise ValueError(
                f"Timestamp {times[np.argmax(off_grid)]} is not on the {step} grid of "
                f"the input slots starting at {grid[0]}. Set 'input_freq' to the real "
                "spacing of the data, or align the timestamps."
            )
        pos = offset // step_ns
        n_slots = len(grid)
        if cells is None:
            cell_ids, code = np.zeros(1, np.int64), np.zeros(len(times), np.intp)
        else:
            cell_ids, code = np.unique(cells, return_inverse=True)
        flat = code * n_slots + pos
        series = self._place(flat, data, len(cell_ids) * n_slots, cell_ids, grid)
        series = series.reshape(len(cell_ids), n_slots, len(columns))

        is_missing = np.isnan(series).any(axis=2)
        c_idx, s_idx = np.nonzero(is_missing)
        slots = pd.DataFrame({"cell": cell_ids[c_idx], "time": grid[s_idx]})
        if len(slots) and self.missing == "raise":
            self._raise_missing(slots, len(slots))
        series = self._fill(series)

        # One groupby over the periods for every cell and column at once.
        period = (
            np.searchsorted(bins.as_unit("ns").asi8, grid.as_unit("ns").asi8, "right")
            - 1
        )
        wide = pd.DataFrame(series.transpose(1, 0, 2).reshape(n_slots, -1))
        out = wide.groupby(period).agg(self.agg)
        if self.missing == "nan":
            out = out.mask(wide.isna().groupby(period).any())
        result = out.to_numpy().reshape(len(bins), len(cell_ids), len(columns))
        result = result.transpose(1, 0, 2).reshape(-1, len(columns))
        if cells is None:
            index = pd.DatetimeIndex(bins, name="time", freq=None)
            slots = slots.drop(columns="cell")
        else:
            index = pd.MultiIndex.from_product(
                [cell_ids, bins], names=[self.cell_column, "time"]
            )
        return pd.DataFrame(result, index=index, columns=columns), slots

    def _place(self, flat, data, size, cell_ids, grid):
        """Put each row's values at its (cell, slot) position; NaN where absent."""
        counts = np.bincount(flat, minlength=size)
        out = np.full((size, data.shape[1]), np.nan)
        if counts.max(initial=0) <= 1:
            out[flat] = data
            return out
        if self.duplicates == "raise":
            first = np.flatnonzero(counts > 1)[0]
            cell, slot = divmod(first, len(grid))
            cell_txt = f"cell {cell_ids[cell]}, " if len(cell_ids) > 1 else ""
            raise ValueError(
                f"X has {int((counts[counts > 1] - 1).sum())} duplicate row(s) for "
                f"the same cell and time, first: {cell_txt}{grid[slot]}. Remove them, "
                "or pass duplicates='sum' to add them up."
            )
        # duplicates='sum': add the rows up; NaN only where every row is NaN
        for j in range(data.shape[1]):
            col = data[:, j]
            seen = ~np.isnan(col)
            total = np.bincount(flat[seen], weights=col[seen], minlength=size)
            n_seen = np.bincount(flat[seen], minlength=size)
            out[:, j] = np.where(n_seen > 0, total, np.nan)
        return out
