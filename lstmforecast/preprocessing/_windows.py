"""Sliding windows of previous rows: a transformer, and the lab's whole-series route."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import _fit_context
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from lstmforecast.datasets._schema import as_written
from lstmforecast.preprocessing._history import (
    _BaseHistoryTransformer,
    _index_values,
    _is_time,
    _regular_step,
    _to_steps,
)
from lstmforecast.preprocessing._lazy import WindowArray
from lstmforecast.preprocessing._panel import (
    as_time_index,
    check_aligned,
    panel_layout,
)

__all__ = [
    "SlidingWindow",
    "make_windows",
    "temporal_train_test_split",
    "time_train_test_split",
]

_WINDOW_PICTURE = """
    .. code-block:: text

        row           0   1   2   3   4   5   6   7   8
        value        v0  v1  v2  v3  v4  v5  v6  v7  v8
        known        k0  k1  k2  k3  k4  k5  k6  k7  k8   (e.g. calendar)

        SlidingWindow(lookback=3), row t = 7:
            window                       [v4  v5  v6]      v7 (row t) is not in it
            known_columns                    [k5  k6  k7]  one row later: ends at t
        LagFeatures(lags=[1, 3]), row t = 7:    v6 and v4
        make_windows(lookback=3, horizon=2), window i = 4:
            X[4] = [v4  v5  v6]    y[4] = [v7  v8]

"""


class SlidingWindow(_BaseHistoryTransformer, auto_wrap_output_keys=None):
    """For each row t, the window of the ``lookback`` rows before it.

    The input of sequence models (the lab's LSTM reads the previous 36 hours). One
    window per input row, so ``y`` stays aligned inside a
    :class:`~sklearn.pipeline.Pipeline`; the window of row t holds rows
    ``t - lookback`` ... ``t - 1`` of the chosen ``columns``: never row t itself
    or a later one. Rows too early to have a full window get ``fill_value`` (NaN
    by default) where the history is missing.
    %(picture)s
    Known-in-advance columns (calendar features, planned events) may be added for
    the rows the window leads up to: ``known_columns`` are taken one row later,
    rows ``t - lookback + 1`` ... ``t``, so the last step carries row t's own
    calendar but no target value of row t.

    The windows are a strided **view** of one padded copy of the data
    (:func:`numpy.lib.stride_tricks.sliding_window_view`): no window is copied
    until a batch of them is used. History carries across the train / test
    boundary as in :class:`LagFeatures` (``tail_`` holds the last
    ``2 * lookback`` fitted rows).

    **Panels** (a ``(series, time)`` MultiIndex, as from
    :class:`HourlyAggregator`) get windows within each series only, in the
    rows' own order, each series continuing from its own fitted tail, as in
    :class:`LagFeatures`; the windows of a panel are one array (a copy, not a
    view).

    Parameters
    ----------
    lookback : int or str, default=24
        Window length in rows, or a duration on a regular ``DatetimeIndex``
        (``'36h'``, ``'1.5D'``).
    columns : str, int, list, callable or None, default=None
        Columns in the window (names for a DataFrame, or positions, or a
        callable such as :func:`sklearn.compose.make_column_selector` that
        returns them from the fitted frame); None takes every column not in
        ``known_columns`` or ``future_columns``.
    known_columns : str, int, list, callable or None, default=None
        Known-in-advance columns, taken one row later (see above). None adds none.
    future_columns : str, int, list, callable or None, default=None
        Columns whose value in row t already describes the hours being forecast
        from row t, such as :class:`CalendarFeatures` with ``horizon=H`` (the
        calendar of hours t ... t + H - 1): row t's own values, repeated at every
        step of its window after the window and known columns (in a flattened
        output they come once, under their own names). They are never read from
        another row, so the forecast hours' calendar reaches the network for
        every horizon step, also for the last rows of the data. None adds none.
    flatten : bool, default=False
        False returns the 3-D array ``(n_samples, lookback, n_window_features)``.
        True returns 2-D ``(n_samples, lookback * n_window_features)`` with
        feature names (oldest step first), which scikit-learn models and
        ``set_output(transform="pandas")`` take.
    fill_value : float, default=nan
        Value of the window steps that fall before the available history.
    lazy : bool, default=False
        Return a :class:`WindowArray`: the same windows, unmaterialised (one
        padded copy of the rows and where each window starts, also for a
        panel), which :class:`LSTMRegressor` and :class:`MLPRegressor` train on
        batch by batch: the route for a global model over many series. It
        carries each window's series, which ``series_embedding`` needs.
        ``np.asarray`` gives the 3-D array. Not with ``flatten=True``.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of ``X`` in :meth:`fit`.
    feature_names_in_ : ndarray of str
        Their names, when ``X`` was a DataFrame with string column names.
    lookback_ : int
        The window length in rows.
    tail_ : ndarray of shape (n_tail, ``n_features_in_``) or DataFrame
        The last ``2 * lookback_`` fitted rows (fewer if ``X`` was shorter); for
        a panel, a DataFrame with the last rows of each series, indexed like
        ``X``.
    tail_index_ : pandas.Index or None
        Their index labels (None for arrays, or an index without regular steps).

    See Also
    --------
    make_windows : Windows and targets of a whole series at once (the lab's route).
    LagFeatures : Single lags as tabular features.

    Notes
    -----
    Flattened names are ``{column}_lag_{k}`` for the window columns (k =
    ``lookback`` ... 1 rows before t) and ``{column}_lag_{k - 1}`` for the known
    columns (``hour_lag_0`` is row t's own hour). A 3-D output is always a numpy
    array: ``set_output`` applies to the flattened output only. NaN inputs stay
    NaN in the windows that hold them. In :meth:`fit` a lookback as long as
    ``X`` is an error (no row would get a full window); :meth:`transform` gives
    ``fill_value`` wherever neither ``X`` nor the history reaches back far
    enough.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast.preprocessing import SlidingWindow
    >>> X = np.arange(6.0).reshape(-1, 1)
    >>> SlidingWindow(lookback=3).fit_transform(X)[:, :, 0]
    array([[nan, nan, nan],
           [nan, nan,  0.],
           [nan,  0.,  1.],
           [ 0.,  1.,  2.],
           [ 1.,  2.,  3.],
           [ 2.,  3.,  4.]])
    >>> SlidingWindow(lookback=2, flatten=True).fit(X).get_feature_names_out()
    array(['x0_lag_2', 'x0_lag_1'], dtype=object)
    """

    __doc__ = __doc__.replace("    %(picture)s\n", _WINDOW_PICTURE)

    _parameter_constraints = {
        "lookback": [numbers.Integral, str, pd.Timedelta],
        "columns": [str, numbers.Integral, list, tuple, callable, None],
        "known_columns": [str, numbers.Integral, list, tuple, callable, None],
        "future_columns": [str, numbers.Integral, list, tuple, callable, None],
        "flatten": ["boolean"],
        "fill_value": [numbers.Real],
        "lazy": ["boolean"],
    }

    def __init__(
        self,
        lookback=24,
        *,
        columns=None,
        known_columns=None,
        future_columns=None,
        flatten=False,
        fill_value=np.nan,
        lazy=False,
    ):
        self.lookback = lookback
        self.columns = columns
        self.known_columns = known_columns
        self.future_columns = future_columns
        self.flatten = flatten
        self.fill_value = fill_value
        self.lazy = lazy

    def _history_length(self) -> int:
        return self.lookback_

    def _uses_durations(self) -> bool:
        return not isinstance(self.lookback, numbers.Integral)

    def set_output(self, *, transform=None):
        """Set the container of the flattened output.

        Parameters
        ----------
        transform : {'default', 'pandas', 'polars'} or None, default=None
            Output container of :meth:`transform` when ``flatten=True``; a 3-D
            output is always a numpy array. None leaves the setting unchanged.

        Returns
        -------
        self : SlidingWindow
            The transformer.
        """
        if transform is not None:
            config = getattr(self, "_sklearn_output_config", {})
            self._sklearn_output_config = {**config, "transform": transform}
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the window length in rows and keep the tail of ``X`` as history.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Rows in time order, evenly spaced, or a panel indexed by ``(series,
            time)`` (rows of each series in time order, series in any order).
        y : None
            Ignored (a pandas ``y`` must have the index of ``X``).

        Returns
        -------
        self : SlidingWindow
            The fitted transformer.
        """
        if self.lazy and self.flatten:
            raise ValueError(
                "SlidingWindow got flatten=True and lazy=True: flatten returns a "
                "2-D copy of the windows, lazy leaves them unmaterialised. Set one "
                "of them to False."
            )
        values, index, step, layout = self._validate(X, reset=True, y=y)
        time_step = step if _is_time(index) else None
        self.lookback_ = _to_steps(
            self.lookback, time_step, "SlidingWindow", "lookback"
        )
        known = self._optional_positions(X, self.known_columns, "known_columns")
        future = self._optional_positions(X, self.future_columns, "future_columns")
        if self.columns is None:
            window = np.setdiff1d(
                np.arange(self.n_features_in_), np.union1d(known, future)
            )
        else:
            window = self._column_positions(
                self._selected(X, self.columns, "columns"), "columns"
            )
        if not window.size:
            raise ValueError(
                "SlidingWindow has no column for the window: 'columns' selects "
                "none, or every column of X (n_features="
                f"{self.n_features_in_}) is in 'known_columns' or "
                "'future_columns'. Leave some out, or set 'columns'."
            )
        for (a, first), (b, second) in (
            ((window, "columns"), (known, "known_columns")),
            ((window, "columns"), (future, "future_columns")),
            ((known, "known_columns"), (future, "future_columns")),
        ):
            both = np.intersect1d(a, b)
            if both.size:
                raise ValueError(
                    f"A column cannot be both in '{first}' and '{second}' (each "
                    f"is read from other rows): positions {both.tolist()}. Put "
                    "each in one."
                )
        self._future_cols = future
        self._window_cols, self._known_cols = window, known
        self._check_length(self._longest(values, layout))
        self._remember(values, index, step, layout)
        return self

    def _selected(self, X, spec, name: str):
        """``spec``, or what a callable ``spec`` selects from the frame ``X``."""
        if not callable(spec):
            return spec
        if not isinstance(X, pd.DataFrame):
            raise ValueError(
                f"The '{name}' parameter of SlidingWindow is a callable (a column "
                f"selector), which needs a DataFrame; X is a {type(X).__name__}. "
                "Pass a DataFrame, or list the column positions."
            )
        return list(spec(X))

    def _optional_positions(self, X, spec, name: str) -> np.ndarray:
        if spec is None:
            return np.array([], dtype=int)
        spec = self._selected(X, spec, name)
        if not len(spec) and not isinstance(spec, (str, numbers.Integral)):
            return np.array([], dtype=int)
        return self._column_positions(spec, name)

    def _check_length(self, n_rows: int) -> None:
        if self.lookback_ >= n_rows:
            raise ValueError(
                f"The lookback ({self.lookback_} rows) is too long for the data: a "
                f"full window needs at least {self.lookback_ + 1} rows, got "
                f"n_samples={n_rows}. Use a shorter 'lookback' or more rows."
            )

    def transform(self, X):
        """Return the window of the previous ``lookback`` rows for each row.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Rows in time order. If they continue the fitted data, their first
            windows come from ``tail_``. ``X`` is not modified.

        Returns
        -------
        windows : ndarray of shape (n_samples, ``lookback_``, n_window_features)
            A read-only strided view (a copy with ``future_columns``); with
            ``flatten=True`` a 2-D copy of shape
            ``(n_samples, lookback_ * n_window_features)`` (a DataFrame with
            ``set_output(transform="pandas")``); with ``lazy=True`` a
            :class:`WindowArray` of that shape.
        """
        check_is_fitted(self)
        values, index, step, layout = self._validate(X, reset=False)
        self._check_time_step(index, step)
        future = values[:, getattr(self, "_future_cols", np.array([], dtype=int))]
        if self.lazy:
            windows = self._lazy_windows(values, index, step, layout)
            if not future.shape[1]:
                return windows
            return WindowArray(
                windows.base,
                windows.starts,
                windows.lookback,
                series=windows.series,
                series_keys=windows.series_keys,
                extra=future,
            )
        windows = self._apply(values, index, step, layout, self._windows)
        if not self.flatten:
            if not future.shape[1]:
                return windows
            shape = (*windows.shape[:2], future.shape[1])
            return np.concatenate(
                [windows, np.broadcast_to(future[:, None], shape)], axis=2
            )
        flat = windows.reshape(len(windows), -1)
        if future.shape[1]:
            flat = np.concatenate([flat, future], axis=1)
        container = _get_output_config("transform", self)["dense"]
        if container == "pandas":
            return pd.DataFrame(
                flat,
                index=index if index is not None else None,
                columns=self.get_feature_names_out(),
            )
        if container == "polars":
            import polars as pl

            return pl.DataFrame(flat, schema=list(self.get_feature_names_out()))
        return flat

    def _windows(self, full: np.ndarray, n_hist: int) -> np.ndarray:
        """Windows of the rows after ``n_hist``, as a view of one padded copy."""
        padded = self._padded(full)
        view = sliding_window_view(padded, self.lookback_, axis=0)  # (rows, F, L)
        return view[n_hist : len(full)].transpose(0, 2, 1)

    def _lazy_windows(self, values, index, step, layout) -> WindowArray:
        """Return the windows as a :class:`WindowArray` over the padded rows."""
        if layout is None:
            full, n_hist = self._with_history(values, index, step)
            starts = np.arange(n_hist, len(full))
            return WindowArray(self._padded(full), starts, self.lookback_)
        return self._lazy_panel(values, layout)

    def _lazy_panel(self, values, layout) -> WindowArray:
        """All series' padded rows in one array, written in two vectorised moves.

        Series g takes ``lookback`` fill rows, its history (``h_g`` rows of its
        fitted tail) and its ``n_g`` rows, as :meth:`_padded` lays out one
        series; the window of a row starts ``lookback`` rows before the row's own.
        """
        lookback, n_win = self.lookback_, len(self._window_cols)
        histories = self._series_histories(layout)
        h = np.array([0 if x is None else len(x) for x in histories], np.int64)
        n = np.diff(layout.bounds)
        offsets = np.r_[0, np.cumsum(lookback + h + n)]
        width = n_win + len(self._known_cols)
        base = np.full((offsets[-1], width), self.fill_value, dtype=values.dtype)
        # each row's place: its series' offset, the fill and history, its rank
        rank = np.arange(len(values)) - np.repeat(layout.bounds[:-1], n)
        dest = np.empty(len(values), np.int64)
        dest[layout.order] = np.repeat(offsets[:-1] + lookback + h, n) + rank
        self._place(base, dest, values)
        if h.any():
            held = [x for x in histories if x is not None and len(x)]
            first = np.repeat(offsets[:-1] + lookback, h)
            within = np.arange(h.sum()) - np.repeat(np.cumsum(h) - h, h)
            self._place(base, first + within, np.concatenate(held))
        return WindowArray(
            base,
            dest - lookback,
            lookback,
            series=layout.codes,
            series_keys=layout.keys,
        )

    def _place(self, base, dest, rows) -> None:
        """Write ``rows``' window columns at ``dest``, their known ones a row up."""
        n_win = len(self._window_cols)
        base[dest, :n_win] = rows[:, self._window_cols]
        if len(self._known_cols):
            base[dest - 1, n_win:] = rows[:, self._known_cols]

    def _padded(self, full: np.ndarray) -> np.ndarray:
        """``lookback`` rows of ``fill_value``, then ``full``'s window columns."""
        lookback = self.lookback_
        n_win, n_known = len(self._window_cols), len(self._known_cols)
        shape = (lookback + len(full), n_win + n_known)
        padded = np.full(shape, self.fill_value, dtype=full.dtype)  # the one copy
        # one row later for the known columns: row t's window ends with row t's
        for cols, rows, first in (
            (self._window_cols, slice(lookback, None), 0),
            (self._known_cols, slice(lookback - 1, -1), n_win),
        ):
            if len(cols) and (np.diff(cols) == 1).all():  # a block: one copy
                padded[rows, first : first + len(cols)] = full[
                    :, cols[0] : cols[-1] + 1
                ]
            else:
                for j, col in enumerate(cols):
                    padded[rows, first + j] = full[:, col]
        return padded

    def get_feature_names_out(self, input_features=None):
        """Names of the flattened window columns, oldest step first.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; None uses ``feature_names_in_`` (or ``x0``...).

        Returns
        -------
        feature_names_out : ndarray of str
            ``{column}_lag_{k}``, then the ``future_columns`` under their own
            names; for a 3-D output without ``future_columns`` these name the
            flattened layout ``windows.reshape(n_samples, -1)``.
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        out = []
        for k in range(self.lookback_, 0, -1):
            out += [f"{c}_lag_{k}" for c in names[self._window_cols]]
            out += [f"{c}_lag_{k - 1}" for c in names[self._known_cols]]
        out += list(names[getattr(self, "_future_cols", np.array([], dtype=int))])
        return np.asarray(out, dtype=object)


def _as_2d(data, name: str):
    """Return (2-D float array, column names or None, index or None)."""
    if isinstance(data, pd.Series):
        return data.to_numpy(dtype=float)[:, None], [data.name], data.index
    if isinstance(data, pd.DataFrame):
        bad = [c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])]
        if bad:
            raise TypeError(
                f"The '{name}' parameter of make_windows must hold numbers; "
                f"column(s) {bad} do not. Convert them (pandas.to_numeric) or drop "
                "them."
            )
        return data.to_numpy(dtype=float), list(data.columns), data.index
    try:
        arr = np.asarray(data)
    except ValueError:  # ragged lists
        raise ValueError(
            f"The '{name}' parameter of make_windows must be a rectangular series or "
            "table, but its rows have different lengths. Give every row the same "
            "number of values."
        ) from None
    if arr.dtype.kind not in "fiub":
        raise TypeError(
            f"The '{name}' parameter of make_windows must be a numeric series or "
            f"table; got dtype {arr.dtype}. Convert it with pandas.to_numeric."
        )
    arr = arr.astype(arr.dtype if arr.dtype.kind == "f" else float, copy=False)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(
            f"The '{name}' parameter of make_windows must be 1-D (one series) or 2-D "
            f"(time, features); got shape {arr.shape}. Pass one series or a table "
            "(e.g. a DataFrame of hourly columns)."
        )
    return arr, None, None


def make_windows(data, lookback, horizon=1, *, target=None, return_index=False):
    """Cut a whole series into input windows and the targets that follow them.

    The lab's own route, before any split: window ``i`` holds rows ``i`` ...
    ``i + lookback - 1`` of ``data`` and its target the next ``horizon`` rows
    of ``target``. Only complete windows are kept, so a series of ``n`` rows gives
    ``n - lookback - horizon + 1`` of them (1,464 hours with a 36-hour lookback
    give 1,428).
    %(picture)s
    Split the result in time order with a gap of ``lookback + horizon - 1``
    windows (see :func:`time_train_test_split`): otherwise the first test
    windows read hours that are training targets.

    Parameters
    ----------
    data : array-like of shape (n,) or (n, n_features), pandas Series or DataFrame
        The series (or several aligned ones), rows in time order, evenly spaced.
    lookback : int
        Rows per window.
    horizon : int, default=1
        Rows of target after each window (multi-step forecasts).
    target : str, int or None, default=None
        The column of ``data`` to forecast (name or position). None is allowed
        when ``data`` has a single column.
    return_index : bool, default=False
        Also return the index label of each window's first target row (the time
        being forecast), when ``data`` has an index.

    Returns
    -------
    X : ndarray of shape (n_windows, lookback, n_features)
        Read-only strided view of ``data``: no window is copied.
    y : ndarray of shape (n_windows, horizon)
        The targets.
    index : pandas.Index
        Only with ``return_index=True``.

    See Also
    --------
    SlidingWindow : The same windows as a Pipeline step, one per row.
    time_train_test_split : Split windows in time order, with a gap.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast.preprocessing import make_windows
    >>> X, y = make_windows(np.arange(6.0), lookback=3, horizon=2)
    >>> X[:, :, 0], y
    (array([[0., 1., 2.],
           [1., 2., 3.]]), array([[3., 4.],
           [4., 5.]]))
    """
    values, names, index = _as_2d(data, "data")
    for name, value in (("lookback", lookback), ("horizon", horizon)):
        if (
            not isinstance(value, numbers.Integral)
            or isinstance(value, bool)
            or value < 1
        ):
            raise ValueError(
                f"The '{name}' parameter of make_windows must be an int >= 1. Got "
                f"{as_written(value)} instead."
            )
    if index is not None:
        _regular_step(
            as_time_index(index, "make_windows", "the index of 'data'"),
            "make_windows",
            "the index of 'data'",
        )
    n = len(values)
    n_windows = n - lookback - horizon + 1
    if n_windows < 1:
        raise ValueError(
            f"The series is too short for one window: lookback={lookback} + "
            f"horizon={horizon} rows are needed, got {n}. Use a shorter 'lookback' "
            "or 'horizon', or more data."
        )
    col = _target_position(target, names, values.shape[1])
    if np.isnan(values).any():
        row = int(np.flatnonzero(np.isnan(values).any(axis=1))[0])
        where = index[row] if index is not None else row
        raise ValueError(
            f"The 'data' parameter of make_windows has NaN (first at {where}): a "
            "window with a hole "
            "would be fed to the model. Fill or cut the series first (e.g. "
            "HourlyAggregator(missing=...))."
        )
    windows = sliding_window_view(values, lookback, axis=0)[:n_windows]
    X = windows.transpose(0, 2, 1)
    y = sliding_window_view(values[lookback:, col], horizon)[:n_windows].copy()
    if not return_index:
        return X, y
    if index is None:
        raise ValueError(
            "return_index=True needs 'data' with an index (a pandas Series or "
            "DataFrame)."
        )
    return X, y, index[lookback : lookback + n_windows]


make_windows.__doc__ = make_windows.__doc__.replace(
    "    %(picture)s\n", _WINDOW_PICTURE
)


def _target_position(target, names, n_features) -> int:
    if target is None:
        if n_features != 1:
            raise ValueError(
                "The 'target' parameter of make_windows is required when 'data' "
                f"has {n_features} columns: name the column to forecast."
            )
        return 0
    if names is not None and target in names:  # a label (int labels included)
        return names.index(target)
    if isinstance(target, numbers.Integral) and not isinstance(target, bool):
        if not -n_features <= target < n_features:
            raise ValueError(
                f"The 'target' parameter of make_windows is position {target}, but "
                f"'data' has {n_features} columns. Use a position in "
                f"[0, {n_features - 1}] or a column name."
            )
        return int(target) % n_features
    raise ValueError(
        f"The 'target' parameter of make_windows names column {as_written(target)}, "
        "which 'data' does not have (columns: "
        f"{names if names is not None else 'none, an array'})."
    )


def time_train_test_split(*arrays, test_size, gap=0):
    """Split arrays in time order: the last ``test_size`` time steps are the test set.

    ``gap`` steps between the two are dropped, so that windows of the test set do
    not read rows that are training targets (use ``gap=lookback + horizon - 1``
    for windows from :func:`make_windows`, ``gap=horizon - 1`` for targets from
    :func:`make_horizon_targets`). Unlike
    :func:`sklearn.model_selection.train_test_split` nothing is shuffled, and the
    order is verified, never assumed:

    - pandas inputs indexed by time (or integers) must be in strictly increasing
      order; the last ``test_size`` rows are the test set;
    - a panel (a ``(series, time)`` MultiIndex, rows in any order of series) is
      cut by **time**: the last ``test_size`` distinct instants are the test
      set and every series is cut at the same instant (rows keep their order);
    - arrays without an index are one series in row order (e.g. windows).

    .. code-block:: text

        panel, test_size=2, gap=1     t0  t1  t2  t3  t4  t5
        cell 4159                      tr  tr  tr  --  te  te
        cell 5161                          tr  tr  --  te  te

    Parameters
    ----------
    *arrays : sequence of indexables with the same length
        Arrays, DataFrames or Series. Pandas ones must share one index (the
        first one's decides the split).
    test_size : int
        Number of time steps in the test set (instants, for a panel).
    gap : int, default=0
        Time steps dropped between the end of the training set and the test set.

    Returns
    -------
    splitting : list
        ``[train_0, test_0, train_1, test_1, ...]``.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast.preprocessing import time_train_test_split
    >>> train, test = time_train_test_split(np.arange(10), test_size=3, gap=2)
    >>> train, test
    (array([0, 1, 2, 3, 4]), array([7, 8, 9]))
    """
    owner = "time_train_test_split"
    if not arrays:
        raise ValueError(f"{owner} needs at least one array.")
    unsized = [i for i, a in enumerate(arrays) if not hasattr(a, "__len__")]
    if unsized:
        raise TypeError(
            f"The arrays passed to {owner} must be arrays, Series or DataFrames with "
            f"rows; array {unsized[0]} is a {type(arrays[unsized[0]]).__name__}. "
            "Pass the data, one row per time step."
        )
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(
            f"The arrays passed to {owner} have different lengths "
            f"{sorted(lengths)}; they must be aligned row by row (one row per time "
            "step in each)."
        )
    (n,) = lengths
    for name, value, low in (("test_size", test_size, 1), ("gap", gap, 0)):
        if (
            not isinstance(value, numbers.Integral)
            or isinstance(value, bool)
            or value < low
        ):
            raise ValueError(
                f"The '{name}' parameter of {owner} must be an int >= {low}. Got "
                f"{as_written(value)} instead."
            )
    framed = [a for a in arrays if isinstance(a, (pd.DataFrame, pd.Series))]
    for other in framed[1:]:
        check_aligned(framed[0], other, owner)
    times = _split_times(framed[0].index, owner) if framed else np.arange(n)
    instants = np.unique(times)
    n_train = len(instants) - test_size - gap
    if n_train < 1:
        unit = "instants" if framed else "rows"
        raise ValueError(
            f"test_size={test_size} + gap={gap} leave no training rows out of "
            f"{len(instants)} {unit}. Use a smaller test set or gap."
        )
    train = np.flatnonzero(times <= instants[n_train - 1])
    test = np.flatnonzero(times >= instants[len(instants) - test_size])
    out = []
    for a in arrays:
        take = a.iloc if isinstance(a, (pd.DataFrame, pd.Series)) else a
        out += [take[train], take[test]]
    return out


def temporal_train_test_split(*arrays, test_size, gap=0):
    """Split arrays in time order: the former name of :func:`time_train_test_split`.

    .. deprecated:: 0.1
        Renamed :func:`time_train_test_split` (same arguments, same results):
        sktime's ``temporal_train_test_split(y, X, test_size, fh)`` has this name
        with other arguments and returns ``y_train, y_test, X_train, X_test``.
        This name goes in 0.3.

    Parameters
    ----------
    *arrays : sequence of indexables with the same length
        As in :func:`time_train_test_split`.
    test_size : int
        Number of time steps in the test set.
    gap : int, default=0
        Time steps dropped between the training and the test set.

    Returns
    -------
    splitting : list
        ``[train_0, test_0, train_1, test_1, ...]``.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from lstmforecast.preprocessing import temporal_train_test_split
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     train, test = temporal_train_test_split(np.arange(5), test_size=2)
    >>> caught[0].category.__name__, test
    ('FutureWarning', array([3, 4]))
    """
    warnings.warn(
        "temporal_train_test_split is renamed time_train_test_split (same "
        "arguments and results; sktime's function of the old name takes (y, X, "
        "test_size, fh) and returns y first); the old name goes in 0.3.",
        FutureWarning,
        stacklevel=2,
    )
    return time_train_test_split(*arrays, test_size=test_size, gap=gap)


def _split_times(index: pd.Index, owner: str) -> np.ndarray:
    """Return the times of the rows, verified in order (per series in a panel)."""
    if isinstance(index, pd.MultiIndex):
        return panel_layout(index, owner).times
    time = as_time_index(index, owner)
    values = _index_values(time)
    if len(values) > 1 and (np.diff(values) <= 0).any():
        at = int(np.argmax(np.diff(values) <= 0)) + 1
        raise ValueError(
            f"{owner} needs rows in time order, but the index is not strictly "
            f"increasing (row {at}: {time[at]} after {time[at - 1]}). Sort it with "
            "X.sort_index() (and y the same way) and drop duplicate times first."
        )
    return values
