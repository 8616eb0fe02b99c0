"""Time-ordered cross-validation of panels: every series cut at the same instants."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    validate_parameter_constraints,
)

from lstmforecast._validation import retold
from lstmforecast.datasets._schema import as_written
from lstmforecast.preprocessing._panel import _as_int64, as_time_index

__all__ = ["PanelTimeSeriesSplit"]

_OWNER = "PanelTimeSeriesSplit"


def _time_fix(time: pd.Index) -> str:
    """How to turn an index that is not datetime / integer into one."""
    kind = pd.api.types.infer_dtype(time, skipna=True)
    if isinstance(time, pd.PeriodIndex):
        return "convert periods with .to_timestamp()"
    if kind in ("string", "mixed"):
        return "parse the labels with pd.to_datetime(...)"
    if kind in ("floating", "mixed-integer-float", "decimal"):
        return "use integer step numbers (e.g. .astype('int64')) or datetimes"
    return "use a DatetimeIndex (pd.to_datetime(...)) or integer step numbers"


def _instant_values(X) -> np.ndarray:
    """Time of each row of X as int64 (ns for datetimes); errors say the fix."""
    if not isinstance(X, (pd.DataFrame, pd.Series)):
        raise TypeError(
            f"{_OWNER} needs X as a pandas DataFrame or Series indexed by time or "
            "by (series, time), to cut every series at the same instants; got "
            f"{type(X).__name__}. For one series in row order use "
            "sklearn.model_selection.TimeSeriesSplit, or pass a frame indexed by "
            "time / (series, time)."
        )
    panel = isinstance(X.index, pd.MultiIndex)
    time = X.index.get_level_values(-1) if panel else X.index
    where = "the index of X"
    if panel:
        name = X.index.names[-1]
        where = f"the time level {name!r} of X" if name else "the last level of X.index"
        for level in range(X.index.nlevels - 1):
            if pd.api.types.is_datetime64_any_dtype(X.index.levels[level].dtype):
                raise ValueError(
                    f"{_OWNER} reads the time from the last level of X's MultiIndex, "
                    f"but level {level} ({X.index.names[level]!r}) holds times. Put "
                    "the time last: X.reorder_levels([...series levels..., time])."
                )
    try:
        time = as_time_index(time, _OWNER, where)
    except TypeError:
        if pd.api.types.infer_dtype(time, skipna=True) in ("datetime", "datetime64"):
            raise  # Timestamps that cannot be compared (several time zones)
        first = as_written(time[0]) if len(time) else "none"
        raise TypeError(
            f"{_OWNER} needs {where} to hold each row's time as datetimes or "
            f"integers; got dtype {time.dtype} (first label {first}). Fix: "
            f"{_time_fix(time)}."
        ) from None
    if time.hasnans:
        at = int(np.flatnonzero(pd.isna(time))[0])
        raise ValueError(
            f"{_OWNER} needs a time for every row, but {where} is missing (NaT) at "
            f"row {at}. Drop or fix those rows."
        )
    return _as_int64(time)


class PanelTimeSeriesSplit(BaseCrossValidator):
    """Time series cross-validator for panels, counted in time instants.

    :class:`~sklearn.model_selection.TimeSeriesSplit` cuts the rows of one series
    by position. A panel (many series in one frame, indexed by ``(series, time)``
    or by a time that repeats once per series) cannot be cut by position: the
    rows of one series would train on what another series' rows test. This
    splitter applies TimeSeriesSplit's arithmetic to the distinct **instants** of
    ``X`` (its index, or the last level of a MultiIndex, sorted and de-duplicated)
    and gives each fold the row positions whose time falls in its instants. So
    every series is cut at the same instants, whatever the row order (sorted by
    ``(series, time)`` or time-major), and a series missing from a fold's instants
    simply has no rows there. Two series, ``n_splits=3, test_size=2, gap=1``
    (``T`` train, ``.`` gap, ``x`` test)::

        time        0  1  2  3  4  5  6  7  8  9 10 11
        fold 0   a  T  T  T  T  T  .  x  x
                 b        T  T  T  .  x  x
        fold 1   a  T  T  T  T  T  T  T  .  x  x
                 b        T  T  T  T  T  .  x  x
        fold 2   a  T  T  T  T  T  T  T  T  T  .  x  x
                 b        T  T  T  T  T  T  T  .          (b ends at 9)

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, >= 2.
    test_size : int or None, default=None
        Instants in each test fold; None uses ``n_instants // (n_splits + 1)``.
    gap : int, default=0
        Instants left out between each training fold and its test fold. With
        ``H``-step targets use ``gap=H - 1`` (see Notes).
    max_train_size : int or None, default=None
        Instants in each training fold at most: a sliding window of the latest
        ``max_train_size`` instants before the gap. None keeps all earlier
        instants (an expanding window).

    See Also
    --------
    sklearn.model_selection.TimeSeriesSplit : The same folds by row position, for
        one series in time order; on such a series both give the same folds.

    Notes
    -----
    The instants are the union of the times of all series. ``test_size``, ``gap``
    and ``max_train_size`` count instants, which are time steps when the union is
    a regular grid (one row per hour in at least one series).

    The gap rule for horizons: a row at time ``t`` with an ``(n, H)`` target has
    targets at ``t, t + 1, ..., t + H - 1``. The last training row of a fold is at
    ``t0 - gap - 1`` when its test fold starts at ``t0``, so its farthest target
    is at ``t0 - gap + H - 2``; it stays before ``t0`` exactly when ``gap >= H -
    1``. With ``gap=H - 1`` no training target reaches a test row's target, and
    the score is not flattered by training on the values it is tested on. Inputs
    (lags, windows) may still read the training period: that is history, known
    at forecast time.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from lstmforecast.model_selection import PanelTimeSeriesSplit
    >>> index = pd.MultiIndex.from_tuples(
    ...     [("a", t) for t in range(12)] + [("b", t) for t in range(2, 10)],
    ...     names=["cell", "time"],
    ... )
    >>> X = pd.DataFrame({"x": np.arange(20.0)}, index=index)
    >>> cv = PanelTimeSeriesSplit(n_splits=3, test_size=2, gap=1)
    >>> for train, test in cv.split(X):
    ...     print(len(train), X.index[test].to_list())
    8 [('a', 6), ('a', 7), ('b', 6), ('b', 7)]
    12 [('a', 8), ('a', 9), ('b', 8), ('b', 9)]
    16 [('a', 10), ('a', 11)]
    """

    _parameter_constraints: dict = {
        "n_splits": [Interval(numbers.Integral, 2, None, closed="left")],
        "test_size": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "gap": [Interval(numbers.Integral, 0, None, closed="left")],
        "max_train_size": [Interval(numbers.Integral, 1, None, closed="left"), None],
    }

    def __init__(self, n_splits=5, *, test_size=None, gap=0, max_train_size=None):
        self.n_splits = n_splits
        self.test_size = test_size
        self.gap = gap
        self.max_train_size = max_train_size

    def _check_params(self) -> None:
        params = {name: getattr(self, name) for name in self._parameter_constraints}
        try:
            validate_parameter_constraints(
                self._parameter_constraints, params, caller_name=type(self).__name__
            )
        except InvalidParameterError as exc:  # 0, not np.int64(0)
            raise retold(exc, params) from None

    def _instants(self, X):
        """Sorted distinct instants of X and each row's instant number."""
        instants, row_instant = np.unique(_instant_values(X), return_inverse=True)
        return instants, row_instant.ravel()

    def _fold_bounds(self, n_instants: int, n_rows: int):
        """TimeSeriesSplit's arithmetic on instants: (train, test) ranges."""
        n_splits, gap = self.n_splits, self.gap
        test_size = (
            self.test_size
            if self.test_size is not None
            else n_instants // (n_splits + 1)
        )
        needed = gap + n_splits * max(test_size, 1)  # also n_splits + 1 folds
        if n_instants <= needed:
            raise ValueError(
                f"PanelTimeSeriesSplit(n_splits={n_splits}, test_size="
                f"{self.test_size}, gap={gap}) needs more than {needed} "
                f"distinct time instants; X has {n_instants} (in {n_rows} rows). "
                "Use fewer splits, a smaller test_size or gap, or more time."
            )
        bounds = []
        for test_start in range(
            n_instants - n_splits * test_size, n_instants, test_size
        ):
            train_end = test_start - gap
            train_start = 0
            if self.max_train_size is not None and self.max_train_size < train_end:
                train_start = train_end - self.max_train_size
            bounds.append(
                ((train_start, train_end), (test_start, test_start + test_size))
            )
        return bounds

    def split(self, X, y=None, groups=None):
        """Generate the row positions of each fold's training and test sets.

        Parameters
        ----------
        X : pandas DataFrame or Series of shape (n_samples, ...)
            Indexed by time (datetimes or integers) or by a MultiIndex whose last
            level is the time; rows in any order.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Always ignored, exists for API compatibility.
        groups : array-like of shape (n_samples,), default=None
            Always ignored, exists for API compatibility.

        Yields
        ------
        train : ndarray of int
            Row positions of the training set, in row order.
        test : ndarray of int
            Row positions of the test set, in row order.
        """
        if groups is not None:
            warnings.warn(
                "The groups parameter is ignored by PanelTimeSeriesSplit: the series "
                "are cut at the instants of the time index.",
                UserWarning,
                stacklevel=2,
            )
        self._check_params()
        instants, row_instant = self._instants(X)
        for (lo, hi), (t_lo, t_hi) in self._fold_bounds(len(instants), len(X)):
            train = np.flatnonzero((row_instant >= lo) & (row_instant < hi))
            test = np.flatnonzero((row_instant >= t_lo) & (row_instant < t_hi))
            yield train, test

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of folds, ``n_splits``.

        Parameters
        ----------
        X : object, default=None
            Always ignored, exists for API compatibility.
        y : object, default=None
            Always ignored, exists for API compatibility.
        groups : object, default=None
            Always ignored, exists for API compatibility.

        Returns
        -------
        n_splits : int
            The number of splitting iterations.
        """
        self._check_params()
        return self.n_splits
