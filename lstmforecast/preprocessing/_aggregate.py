"""HourlyAggregator: fine-grained records to hourly (or any coarser) totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["HourlyAggregator"]

_AGGS = {"sum", "mean", "median", "min", "max", "first", "last"}


def _as_timedelta(value, name):
    try:
        return pd.Timedelta(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"The '{name}' parameter of HourlyAggregator must be a fixed frequency "
            f"such as '10min', '1h' or '1D'. Got {value!r} instead."
        ) from None


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
    freq : str, default='1h'
        Target frequency (a pandas frequency: ``'1h'``, ``'30min'``, ``'1D'``...).
        Periods start on the data's clock: on tz-aware data, days start at local
        midnight and DST days have 23 or 25 hours, none invented or lost.
    agg : {'sum', 'mean', 'median', 'min', 'max', 'first', 'last'}, default='sum'
        How the slots of one period are combined.
    input_freq : str or None, default=None
        Spacing of the input slots. None infers it from the timestamps (the
        smallest gap) in :meth:`fit`; arrays without timestamps are taken as
        consecutive 10-minute slots (the Milano resolution), as the lab's loader
        reads six consecutive lines per hour.
    missing : {'raise', 'zero', 'interpolate', 'nan'}, default='raise'
        What to do with missing slots: absent rows between a cell's first and last
        period, a period's slots cut off at either end, and NaN values.

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

    - tidy frame with a ``cell`` column → index ``(cell, time)``, one column per
      value column (``hourly.loc[4159]`` is one cell's hourly frame; use
      ``hourly["internet"].unstack("cell")`` for one column per cell);
    - frame with a ``DatetimeIndex`` or ``time`` column and no cell column →
      ``DatetimeIndex`` named ``time``;
    - array (no timestamps) → array of ``ceil(n_rows / k)`` rows, ``k`` = slots
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
    """

    _parameter_constraints = {
        "freq": [str, pd.Timedelta, pd.DateOffset],
        "agg": [StrOptions(_AGGS)],
        "input_freq": [str, pd.Timedelta, None],
        "missing": [StrOptions({"raise", "zero", "interpolate", "nan"})],
        "duplicates": [StrOptions({"raise", "sum"})],
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
        time_column="time",
        cell_column="cell",
    ):
        self.freq = freq
        self.agg = agg
        self.input_freq = input_freq
        self.missing = missing
        self.duplicates = duplicates
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
                self.input_freq_ = self._infer_input_freq(times, freq)
        else:
            validate_data(
                self, X, reset=True, ensure_all_finite="allow-nan", dtype=np.float64
            )
            self.input_freq_ = _as_timedelta(self.input_freq or "10min", "input_freq")
        if self.input_freq_ <= pd.Timedelta(0) or freq % self.input_freq_:
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
            return self._transform_timed(X)
        X_arr = validate_data(
            self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float64
        )
        out, slots = self._transform_positional(X_arr)
        if isinstance(X, pd.DataFrame):
            out = pd.DataFrame(out, columns=self.get_feature_names_out())
        return out, slots

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: the input's value columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; None uses ``feature_names_in_``.

        Returns
        -------
        feature_names_out : ndarray of str
            The value columns (time and cell columns removed).
        """
        check_is_fitted(self, "n_features_in_")
        if input_features is None:
            if hasattr(self, "feature_names_in_"):
                input_features = self.feature_names_in_
            else:
                input_features = [f"x{i}" for i in range(self.n_features_in_)]
        input_features = np.asarray(input_features, dtype=object)
        if len(input_features) != self.n_features_in_:
            raise ValueError(
                f"input_features has {len(input_features)} names; HourlyAggregator was "
                f"fitted on {self.n_features_in_} columns."
            )
        drop = {self.time_column, self.cell_column}
        return np.asarray([f for f in input_features if f not in drop], dtype=object)

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

    def _infer_input_freq(self, times, freq):
        uniq = pd.DatetimeIndex(times).unique().sort_values()
        if len(uniq) < 2:
            raise ValueError(
                "Cannot infer the input spacing from a single timestamp. Set "
                "'input_freq' (e.g. '10min' for Milano data)."
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

    def _fill(self, frame: pd.DataFrame, by) -> pd.DataFrame:
        if self.missing == "zero":
            return frame.fillna(0.0)
        if self.missing == "interpolate":

            def interp(part):
                return part.interpolate(method="linear", limit_direction="both")

            if by is None:
                return interp(frame)
            return frame.groupby(level=by, group_keys=False).apply(interp)
        return frame  # 'nan' and 'raise' (raise happens before)

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

    def _transform_positional(self, X: np.ndarray) -> np.ndarray:
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
        filled = self._fill(pd.DataFrame(padded), None).to_numpy()
        blocks = pd.DataFrame(filled).groupby(np.arange(n_out * k) // k)
        out = blocks.agg(self.agg).to_numpy()
        if self.missing == "nan":
            out[blocks.apply(lambda b: b.isna().any()).to_numpy()] = np.nan
        return out.astype(np.float64), slots

    def _transform_timed(self, X: pd.DataFrame) -> pd.DataFrame:
        times, cells, values = self._split_frame(X)
        columns = list(values.columns)
        data = values.to_numpy(dtype=np.float64, copy=True)
        self._check_values(data)
        cell_name = self.cell_column if cells is not None else "cell"
        keys = pd.MultiIndex.from_arrays(
            [cells if cells is not None else np.zeros(len(times), np.int64), times],
            names=[cell_name, "time"],
        )
        frame = pd.DataFrame(data, index=keys, columns=columns)
        if keys.has_duplicates:
            if self.duplicates == "raise":
                dup = keys[keys.duplicated()]
                raise ValueError(
                    f"X has {len(dup)} duplicate row(s) for the same cell and time, "
                    f"first: {dup[0]}. Remove them, or pass duplicates='sum' to add "
                    "them up."
                )
            frame = frame.groupby(level=[0, 1], sort=False).sum(min_count=1)
        frame = frame.sort_index()

        step = self.input_freq_
        freq = self.freq
        all_times = frame.index.get_level_values("time")
        starts = pd.Series(
            0, index=pd.DatetimeIndex([all_times.min(), all_times.max()])
        )
        bins = starts.resample(freq).size().index
        lo = bins[0]
        hi = bins[-1] + pd.tseries.frequencies.to_offset(freq)
        offset = (all_times - lo) % step
        if (offset != pd.Timedelta(0)).any():
            bad = all_times[offset != pd.Timedelta(0)][0]
            raise ValueError(
                f"Timestamp {bad} is not on the {step} grid of the input slots "
                f"starting at {lo}. Set 'input_freq' to the real spacing of the data, "
                "or align the timestamps."
            )
        grid = pd.date_range(lo, hi, freq=step, inclusive="left")
        cell_ids = frame.index.get_level_values(0).unique()
        full = pd.MultiIndex.from_product([cell_ids, grid], names=frame.index.names)
        frame = frame.reindex(full)
        is_missing = frame.isna().any(axis=1).to_numpy()
        where = frame.index[is_missing]
        slots = pd.DataFrame(
            {"cell": where.get_level_values(0), "time": where.get_level_values(1)}
        )
        if len(slots) and self.missing == "raise":
            self._raise_missing(slots, len(slots))
        frame = self._fill(frame, 0)
        grouper = [pd.Grouper(level=0), pd.Grouper(level="time", freq=freq)]
        out = frame.groupby(grouper).agg(self.agg)
        if self.missing == "nan":
            any_nan = frame.isna().groupby(grouper).any()
            out = out.mask(any_nan)
        if cells is None:
            out = out.droplevel(0)
            slots = slots.drop(columns="cell")
        out.columns = pd.Index(columns)
        return out, slots
