"""LagFeatures: the value of chosen columns k rows (or a duration) before each row."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from lstmforecast.preprocessing._history import (
    _BaseHistoryTransformer,
    _is_time,
    _to_steps,
)

__all__ = ["LagFeatures"]


def _label(lag) -> str:
    """Short name of a lag: ``24``, ``'1D'`` as given, a Timedelta as ``'1h'``."""
    if isinstance(lag, pd.Timedelta):
        for unit in ("D", "h", "min", "s", "ms", "us", "ns"):
            size = pd.Timedelta(1, unit)
            if lag % size == pd.Timedelta(0):
                return f"{lag // size}{unit}"
    return str(lag)


class LagFeatures(_BaseHistoryTransformer):
    """Lagged values of chosen columns: for row t, the value at row t - k.

    One output row per input row, so ``y`` stays aligned inside a
    :class:`~sklearn.pipeline.Pipeline`. A lag only ever looks back: row t gets
    values from rows strictly before t, never its own value or a later one. Rows
    too early to have a value get ``fill_value`` (NaN by default).

    .. code-block:: text

        rows (hourly)   t-168 ... t-24 ... t-1 | t | t+1
        lags=["7D", "1D"]   ^        ^         |   |
                            |        +---------+-> prev_day  of row t
                            +------------------+-> prev_week of row t
        (row t's own value, the target, is never used)

    History carries across the train / test boundary: the transformer keeps the
    last ``2 * max(lags)`` fitted rows (``tail_``). Rows that continue the fitted
    data (their index starts one step after it, or inside the kept tail) take
    their first lags from there, as in deployment; rows of any other table do not.

    **Panels**: with a ``(series, time)`` MultiIndex (the output of
    :class:`HourlyAggregator`; the time is the last level, the series the levels
    before it) lags are computed within each series only, whatever the row
    order, and each series' own tail continues into :meth:`transform`; a series
    not seen in :meth:`fit` gets no history. The time order is verified, never
    assumed: unsorted rows, repeated ``(series, time)`` pairs, irregular steps
    and index types that cannot be ordered (strings) are errors.

    Parameters
    ----------
    lags : int, str, list or dict, default=1
        Which lags: a number of rows (``24``), a duration on a regular
        ``DatetimeIndex`` (``'1D'``, ``'7D'``, ``'36h'``: a fixed duration, so
        ``'1D'`` is 24 hours even across a DST change), a list of them, or a dict
        ``{name: lag}`` that also names the outputs (``{"prev_week": "7D",
        "prev_day": "1D"}``, the lab's features).
    columns : str, int, list or None, default=None
        Columns to lag (names for a DataFrame, or positions); None lags every
        column.
    fill_value : float, default=nan
        Value of a lag that falls before the start of the available history. NaN
        marks it as missing; a number (e.g. 0) suits models that take no NaN.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of ``X`` in :meth:`fit`.
    feature_names_in_ : ndarray of str
        Their names, when ``X`` was a DataFrame with string column names.
    lag_steps_ : ndarray of int
        Each lag in rows, in the order of the output columns of one input column.
    tail_ : ndarray of shape (n_tail, ``n_features_in_``) or DataFrame
        The last ``2 * max(lag_steps_)`` fitted rows (fewer if ``X`` was shorter);
        for a panel, a DataFrame with the last rows of each series, indexed like
        ``X``.
    tail_index_ : pandas.Index or None
        Their index labels (None for arrays, or an index without regular steps).

    See Also
    --------
    SlidingWindow : The whole window of the previous rows, for sequence models.
    CalendarFeatures : Known-in-advance features of row t itself.

    Notes
    -----
    Output columns are grouped by input column, then in the order of ``lags``;
    they are named ``{column}_lag_{lag}`` (``internet_lag_24``,
    ``internet_lag_1D``), or with a dict of lags the dict's keys (prefixed with
    ``{column}_`` when several columns are lagged). NaN inputs stay NaN in the
    lags that read them. In :meth:`fit` a lag as long as ``X`` is an error (no
    row would get a value); :meth:`transform` gives ``fill_value`` wherever
    neither ``X`` nor the history reaches back far enough.

    Examples
    --------
    >>> import pandas as pd
    >>> from lstmforecast.preprocessing import LagFeatures
    >>> idx = pd.date_range("2013-11-01", periods=6, freq="h", name="time")
    >>> X = pd.DataFrame({"internet": [10.0, 11, 12, 13, 14, 15]}, index=idx)
    >>> lags = LagFeatures(lags={"prev_hour": 1, "prev_2h": "2h"})
    >>> lags.set_output(transform="pandas").fit_transform(X)
                         prev_hour  prev_2h
    time
    2013-11-01 00:00:00        NaN      NaN
    2013-11-01 01:00:00       10.0      NaN
    2013-11-01 02:00:00       11.0     10.0
    2013-11-01 03:00:00       12.0     11.0
    2013-11-01 04:00:00       13.0     12.0
    2013-11-01 05:00:00       14.0     13.0

    Fitted on the first rows, it gives the next rows their real history:

    >>> _ = lags.fit(X.iloc[:4])
    >>> lags.transform(X.iloc[4:])
                         prev_hour  prev_2h
    time
    2013-11-01 04:00:00       13.0     12.0
    2013-11-01 05:00:00       14.0     13.0
    """

    _parameter_constraints = {
        "lags": [
            Interval(numbers.Integral, 1, None, closed="left"),
            str,
            pd.Timedelta,
            list,
            tuple,
            dict,
        ],
        "columns": [str, numbers.Integral, list, tuple, None],
        "fill_value": [numbers.Real],
    }

    def __init__(self, lags=1, *, columns=None, fill_value=np.nan):
        self.lags = lags
        self.columns = columns
        self.fill_value = fill_value

    def _lag_items(self):
        """Return [(label or name, lag)] and whether the labels are names."""
        lags = self.lags
        if isinstance(lags, dict):
            if not lags:
                raise ValueError(
                    "The 'lags' parameter of LagFeatures is an empty dict. Pass at "
                    "least one {name: lag}."
                )
            return [(str(k), v) for k, v in lags.items()], True
        if isinstance(lags, (list, tuple)):
            if not lags:
                raise ValueError(
                    "The 'lags' parameter of LagFeatures is empty. Pass at least one "
                    "lag, e.g. lags=[1, 24]."
                )
            return [(_label(v), v) for v in lags], False
        return [(_label(lags), lags)], False

    def _history_length(self) -> int:
        return int(self.lag_steps_.max())

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the lags in rows and keep the tail of ``X`` as history.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Rows in time order, evenly spaced (a regular index for a DataFrame
            indexed by time or by integers), or a panel indexed by ``(series,
            time)`` (rows of each series in time order, series in any order).
        y : None
            Ignored (a pandas ``y`` must have the index of ``X``).

        Returns
        -------
        self : LagFeatures
            The fitted transformer.
        """
        values, index, step, layout = self._validate(X, reset=True, y=y)
        time_step = step if _is_time(index) else None
        items, _ = self._lag_items()
        steps = [_to_steps(v, time_step, "LagFeatures", "lags") for _, v in items]
        if len(set(steps)) != len(steps):
            raise ValueError(
                f"The 'lags' parameter of LagFeatures gives the same lag twice "
                f"({self.lags!r} is {steps} rows). List each lag once."
            )
        self.lag_steps_ = np.asarray(steps, dtype=np.int64)
        self._columns = self._column_positions(self.columns, "columns")
        self._check_length(self._longest(values, layout))
        self._remember(values, index, step, layout)
        return self

    def _check_length(self, n_rows: int) -> None:
        longest = int(self.lag_steps_.max())
        if longest >= n_rows:
            raise ValueError(
                f"The largest lag ({longest} rows) is longer than the data: it needs "
                f"at least {longest + 1} rows, got n_samples={n_rows}. Use shorter "
                "'lags' or more rows."
            )

    def transform(self, X):
        """Return the lagged columns of ``X``, one row per row of ``X``.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Rows in time order. If they continue the fitted data, their first
            lags come from ``tail_``. ``X`` is not modified.

        Returns
        -------
        X_lags : ndarray of shape (n_samples, n_columns * n_lags)
            The lags (a DataFrame with ``set_output(transform="pandas")``).
        """
        check_is_fitted(self)
        values, index, step, layout = self._validate(X, reset=False)
        self._check_time_step(index, step)
        return self._apply(
            values,
            index,
            step,
            layout,
            lambda full, n_hist: self._lag(full[:, self._columns], n_hist),
        )

    def _uses_durations(self) -> bool:
        return any(not isinstance(v, numbers.Integral) for _, v in self._lag_items()[0])

    def _lag(self, cols: np.ndarray, n_hist: int) -> np.ndarray:
        n = len(cols) - n_hist
        longest = int(self.lag_steps_.max())
        shape = (longest + len(cols), cols.shape[1])
        padded = np.full(shape, self.fill_value, dtype=cols.dtype)
        padded[longest:] = cols
        n_cols, n_lags = cols.shape[1], len(self.lag_steps_)
        out = np.empty((n, n_cols * n_lags), dtype=cols.dtype)
        start = longest + n_hist
        for j, k in enumerate(self.lag_steps_):
            # column c, lag j -> output column c * n_lags + j
            out[:, j::n_lags] = padded[start - k : start - k + n]
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the lag columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; None uses ``feature_names_in_`` (or ``x0``...).

        Returns
        -------
        feature_names_out : ndarray of str
            ``{column}_lag_{lag}`` or the names given in a dict of lags.
        """
        check_is_fitted(self)
        from sklearn.utils.validation import _check_feature_names_in

        names = _check_feature_names_in(self, input_features)[self._columns]
        items, named = self._lag_items()
        out = []
        for col in names:
            for label, _ in items:
                if named:
                    out.append(label if len(names) == 1 else f"{col}_{label}")
                else:
                    out.append(f"{col}_lag_{label}")
        return np.asarray(out, dtype=object)
