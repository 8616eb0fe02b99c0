"""Split-conformal prediction intervals around any regressor, from the latest rows."""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context, clone
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import _num_samples, check_is_fitted

from lstmforecast._validation import PlainParamsMixin, check_same_rows
from lstmforecast.datasets._schema import as_written
from lstmforecast.preprocessing._panel import time_level

__all__ = ["ConformalRegressor"]

_OWNER = "ConformalRegressor"


def _as_indexable(X, y):
    """Refuse what cannot be cut in rows; make array-likes arrays (X and y)."""
    if y is None:  # sklearn's wording, which its estimator checks look for
        raise ValueError(
            f"This {_OWNER} estimator requires y to be passed, but the target y is "
            "None. Pass the targets, 1-D or one column per output."
        )
    for name, value in (("X", X), ("y", y)):
        if sparse.issparse(value):
            raise TypeError(
                f"{_OWNER} takes dense {name}, not a sparse {type(value).__name__}: "
                "sparse input is not supported. Convert it with .toarray()."
            )
    if not hasattr(X, "shape") or not hasattr(X, "__getitem__"):
        X = np.asarray(X)
    if not hasattr(y, "shape") or not hasattr(y, "__getitem__"):
        y = np.asarray(y)
    return X, y


def _calibration_rows(X, n: int, fraction: float, gap: int):
    """Return (fit rows, rows after them, which of those calibrate).

    The calibration rows are the latest ``fraction`` of the times, after
    ``gap``; the rows after the fit part (the gap's and the calibration's) are
    forecast together, so windows over the gap read its real values (known at
    forecast time), while no gap row is ever a target. A panel (a MultiIndex
    with the time last) is cut at the same instants in every series; anything
    else is one series in row order.
    """
    index = getattr(X, "index", None)
    if isinstance(index, pd.MultiIndex):
        times = np.asarray(time_level(index, _OWNER))
        instants = np.unique(times)
        n_cal = math.ceil(fraction * len(instants))
        n_fit = len(instants) - n_cal - gap
        if n_fit < 1:
            _too_short(len(instants), n_cal, gap, "instants")
        fit = np.flatnonzero(times < instants[n_fit])
        after = np.flatnonzero(times >= instants[n_fit])
        return fit, after, times[after] >= instants[len(instants) - n_cal]
    n_cal = math.ceil(fraction * n)
    n_fit = n - n_cal - gap
    if n_fit < 1:
        _too_short(n, n_cal, gap, "sample(s)")
    after = np.arange(n_fit, n)
    return np.arange(n_fit), after, after >= n - n_cal


def _row_times(X, n: int, start: int):
    """Each row's instant: the time level of a panel, else its row number.

    Row numbers continue from ``start`` (the rows seen so far), so rows given
    to ``update`` come after the fitted ones.
    """
    index = getattr(X, "index", None)
    if isinstance(index, pd.MultiIndex):
        return np.asarray(time_level(index, _OWNER)), True
    return np.arange(start, start + n), False


def _row_series(X, n: int, per_series: bool, owner: str = _OWNER):
    """Each row's series label (a panel's first level), or one group for all."""
    index = getattr(X, "index", None)
    if not per_series:
        return np.zeros(n, dtype=np.int64)
    if not isinstance(index, pd.MultiIndex):
        got = "an array" if index is None else f"a {type(index).__name__}"
        raise ValueError(
            f"{owner}(per_series=True) needs a panel: X indexed by a (series, "
            f"time) MultiIndex; got {got}. Pass a panel, or per_series=False."
        )
    return np.asarray(index.get_level_values(0))


def _latest(times: np.ndarray, window) -> np.ndarray:
    """Mask of the rows among the latest ``window`` instants (all if None)."""
    if window is None:
        return np.ones(len(times), dtype=bool)
    instants = np.unique(times)
    return times >= instants[max(len(instants) - int(window), 0)]


def _too_short(n: int, n_cal: int, gap: int, what: str):
    raise ValueError(
        f"{_OWNER} got {n} {what}: {n_cal} for calibration and a gap of {gap} "
        "leave none to fit the estimator on. Pass more data, or lower "
        "'calibration_fraction' or 'gap'."
    )


class ConformalRegressor(PlainParamsMixin, RegressorMixin, BaseEstimator):
    """Split-conformal prediction intervals around any regressor.

    ``fit`` trains a clone of ``estimator`` on the earlier rows and keeps its
    absolute errors on the **latest** ``calibration_fraction`` of them, after
    ``gap`` rows (instants, for a panel) left out between the two: the
    time-ordered validation tail, never a random split (the gap's rows are
    forecast with the calibration rows, so windows over the gap read its
    values, known at forecast time, but they are never scored). ``predict_interval``
    then widens the point forecast by the conformal quantile of those errors:
    the ``ceil((n + 1) coverage)``-th smallest of the ``n`` calibration errors
    of that target column, which covers a new error with probability at least
    ``coverage`` when errors are exchangeable (they are not quite, in time:
    keep the calibration tail recent and the gap at the horizon).

    Parameters
    ----------
    estimator : regressor
        Any scikit-learn regressor or Pipeline (e.g. a ``SlidingWindow`` and an
        :class:`LSTMRegressor`); cloned.
    calibration_fraction : float, default=0.2
        Share of the latest rows (instants of a panel) used for calibration.
    gap : int, default=0
        Rows (instants) left out between the fit and calibration parts: ``H -
        1`` for ``H``-step targets, so no calibration target is a fit target.
    refit : bool, default=False
        After calibrating, refit the estimator on all rows and predict with
        that one: its forecasts use the latest data (and a history-carrying
        pipeline, such as a ``SlidingWindow``, continues from the end of ``X``),
        at the price of a guarantee that then holds for the calibrated model
        only approximately. False predicts with the calibrated model: pass it
        inputs that carry their own history.
    calibration_window : int or None, default=None
        Keep only the errors of the latest this many instants (rows of one
        series, times of a panel), at ``fit`` and after each :meth:`update`:
        a **rolling** calibration that follows a change of regime (a holiday
        season, a new level) within a window, at the price of fewer errors per
        quantile. None keeps them all. It helps when the errors' size drifts
        and :meth:`update` feeds it the realised demand; it hurts on a stable
        series (a noisier quantile) and with a window too short for the
        ``coverage`` asked (``ceil((n + 1) coverage) > n`` gives an infinite
        bound).
    per_series : bool, default=False
        For a panel, calibrate every series on its own errors (Mondrian
        conformal prediction): a quiet cell gets a narrow interval and a busy
        one a wide one, each covering ``coverage`` of its own hours, where
        pooled errors over-cover the quiet series and under-cover the busy.
        It needs a panel at ``fit``, ``update`` and ``predict`` time, and
        enough calibration rows per series.
    relative : bool, default=False
        Measure each error against the size of its forecast, ``|y - f| / |f|``,
        and give the interval ``f -/+ q |f|`` (normalised conformal scores):
        the interval follows the level, so a cell whose traffic falls to a
        tenth (the holidays) gets a tenth of the width instead of keeping the
        working weeks'. It helps where errors grow with the level (traffic,
        demand); it hurts where they do not, and near zero forecasts (an error
        against a zero forecast is infinite, and so is a width learnt from it).

    Attributes
    ----------
    estimator_ : regressor
        The clone that predicts: fitted on the earlier rows (on all of them
        with ``refit=True``).
    calibration_errors_ : ndarray of shape (n_calibration, n_outputs)
        The sorted absolute (with ``relative=True``, relative) errors of each
        target column on the calibration rows (rows with a NaN forecast or
        target left out per column, NaN last), then on the rows given to
        :meth:`update`, the latest ``calibration_window`` instants only.
    n_calibration_ : ndarray of int of shape (n_outputs,)
        Calibration errors per column; ``(n_series, n_outputs)`` with
        ``per_series=True``.
    series_ : ndarray of shape (n_series,)
        With ``per_series=True``, the series calibrated, in the order of the
        rows of ``n_calibration_`` (and of ``calibration_errors_``, then a
        list of one array per series).
    n_features_in_ : int
        Columns of ``X``.

    See Also
    --------
    LSTMRegressor.predict_interval : Intervals from fitted quantiles.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from lstmforecast.regressors import ConformalRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 2))
    >>> y = X.sum(axis=1) + rng.normal(size=2000)
    >>> model = ConformalRegressor(Ridge(), calibration_fraction=0.25).fit(X, y)
    >>> low, high = model.predict_interval(X[:5], coverage=0.9).T
    >>> bool(np.all(high - low > 2.5))  # about 2 x 1.645 x the noise
    True
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "calibration_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "gap": [Interval(numbers.Integral, 0, None, closed="left")],
        "refit": ["boolean"],
        "calibration_window": [
            Interval(numbers.Integral, 1, None, closed="left"),
            None,
        ],
        "per_series": ["boolean"],
        "relative": ["boolean"],
    }

    def __init__(
        self,
        estimator,
        *,
        calibration_fraction=0.2,
        gap=0,
        refit=False,
        calibration_window=None,
        per_series=False,
        relative=False,
    ):
        self.estimator = estimator
        self.calibration_fraction = calibration_fraction
        self.gap = gap
        self.refit = refit
        self.calibration_window = calibration_window
        self.per_series = per_series
        self.relative = relative

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the estimator on the earlier rows; keep its errors on the latest.

        Parameters
        ----------
        X : array-like, DataFrame or panel of shape (n_samples, ...)
            Inputs of ``estimator``, rows in time order (a panel: any order of
            series, cut by time).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        Returns
        -------
        self : ConformalRegressor
            The fitted model.
        """
        self._calibrate(X, y)
        self._recalibrate()
        return self

    def _recalibrate(self):
        """Derive the fitted attributes from the kept errors."""
        with np.errstate(divide="ignore", invalid="ignore"):  # zero forecasts
            sorted_errors = [
                np.sort(np.abs(e) / self._weight(f), axis=0)
                for e, f in self._by_group()
            ]
        counts = np.array([np.isfinite(e).sum(axis=0) for e, _ in self._by_group()])
        if self.per_series:
            self.calibration_errors_, self.n_calibration_ = sorted_errors, counts
        else:  # NaN last
            self.calibration_errors_, self.n_calibration_ = sorted_errors[0], counts[0]

    def _weight(self, pred):
        """Return what an error is measured against: 1, or the forecast's size."""
        if not self.relative:
            return np.ones_like(pred)
        with np.errstate(divide="ignore"):
            return np.abs(pred)

    def _by_group(self):
        """Yield (errors, forecasts) of each series (of all rows, if pooled)."""
        if not self.per_series:
            yield self._errors, self._pred
            return
        for label in self.series_:
            rows = self._series == label
            yield self._errors[rows], self._pred[rows]

    def _group_of_rows(self, X, n: int) -> np.ndarray:
        """Index in ``series_`` of each row's series (0 for all, if pooled)."""
        if not self.per_series:
            return np.zeros(n, dtype=np.int64)
        labels = _row_series(X, n, True, type(self).__name__)
        where = pd.Index(self.series_).get_indexer(labels)
        if (where < 0).any():
            unknown = pd.unique(labels[where < 0])[:5]
            raise ValueError(
                f"{type(self).__name__}(per_series=True) has no calibration errors "
                f"for series {[as_written(v) for v in unknown]}; it calibrated "
                f"{len(self.series_)} "
                "series. Fit on a panel that holds them, or per_series=False."
            )
        return where

    def update(self, X, y):
        """Record the realised targets of new rows and recalibrate; no refit.

        The estimator forecasts ``X`` (as :meth:`predict` does); its errors
        against ``y`` join the calibration errors, which keep the latest
        ``calibration_window`` instants, and the fitted attributes follow. The
        network is not retrained (sktime's ``update(update_params=False)``).

        Parameters
        ----------
        X : array-like, DataFrame or panel of shape (n_samples, ...)
            Inputs of the rows whose targets are now known, in ``predict``'s
            form. A window pipeline needs history: pass the rows from the end
            of the fitted data (or from inside its last window) up to the new
            ones, with NaN targets on the rows that are not new.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Their realised targets; NaN where not known or not new (such cells
            are not recorded).

        Returns
        -------
        self : ConformalRegressor
            The recalibrated model.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import Ridge
        >>> from lstmforecast.regressors import ConformalRegressor
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(600, 2))
        >>> noise = np.r_[rng.normal(0, 0.1, 400), rng.normal(0, 1.0, 200)]
        >>> y = X.sum(axis=1) + noise
        >>> model = ConformalRegressor(Ridge(), calibration_window=100)
        >>> width = lambda m: np.ptp(m.predict_interval(X[:1], 0.8))
        >>> before = width(model.fit(X[:400], y[:400]))
        >>> after = width(model.update(X[400:], y[400:]))  # the noise grew
        >>> bool(after > 5 * before)
        True
        """
        check_is_fitted(self)
        X, y = _as_indexable(X, y)
        check_same_rows(
            f"{type(self).__name__}.update",
            "Pass one target row per row of X.",
            X=X,
            y=y,
        )
        n = _num_samples(X)
        times, panel = _row_times(X, n, self._n_seen)
        if panel != self._panel:
            raise ValueError(
                f"{type(self).__name__}.update got "
                f"{'a panel' if panel else 'rows without a (series, time) index'}, "
                f"but it was fitted on {'a panel' if self._panel else 'one series'}."
                " Pass rows of the same kind as in fit."
            )
        y = np.asarray(y, dtype=float).reshape(n, -1)
        pred = np.asarray(self.estimator_.predict(X), dtype=float).reshape(n, -1)
        if y.shape[1] != self._errors.shape[1]:
            raise ValueError(
                f"{type(self).__name__}.update got y with {y.shape[1]} column(s); "
                f"it was fitted on {self._errors.shape[1]}. Pass the same targets."
            )
        errors = y - pred
        new = np.isfinite(errors).any(axis=1)
        series = _row_series(X, n, self.per_series, type(self).__name__)[new]
        self._group_of_rows(X, n)  # refuses series it has no calibration for
        self._store(
            np.r_[self._errors, errors[new]],
            np.r_[self._pred, pred[new]],
            np.r_[self._times, times[new]],
            np.r_[self._series, series],
        )
        self._n_seen += 0 if panel else n
        self._recalibrate()
        return self

    def _store(self, errors, pred, times, series):
        """Keep the latest ``calibration_window`` instants' errors and forecasts."""
        keep = _latest(times, self.calibration_window)
        self._errors, self._pred = errors[keep], pred[keep]
        self._times, self._series = times[keep], series[keep]

    def _calibrate(self, X, y):
        """Fit ``estimator_``; keep its tail's errors and forecasts.

        Both ``(n_calibration, n_outputs)``: ``y - forecast`` and the forecast,
        the latest ``calibration_window`` instants, with their instants.
        """
        X, y = _as_indexable(X, y)
        check_same_rows(_OWNER, "Pass one target row per row of X.", X=X, y=y)
        n = _num_samples(X)
        if n < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 samples to fit and "
                f"calibrate; got {n} sample(s) (n_samples = {n}). Pass more rows."
            )
        fit, after, calibrates = _calibration_rows(
            X, n, self.calibration_fraction, int(self.gap)
        )
        self.estimator_ = clone(self.estimator).fit(
            _safe_indexing(X, fit), _safe_indexing(y, fit)
        )
        cal = after[calibrates]
        y_cal = np.asarray(_safe_indexing(y, cal), dtype=float)
        self._y_ndim = y_cal.ndim
        pred = np.asarray(self.estimator_.predict(_safe_indexing(X, after)), float)
        pred = pred.reshape(len(after), -1)[calibrates]
        errors = y_cal.reshape(len(cal), -1) - pred
        times, self._panel = _row_times(X, n, 0)
        self._n_seen = n
        series = _row_series(X, n, self.per_series, type(self).__name__)
        self._store(errors, pred, times[cal], series[cal])
        if self.per_series:
            self.series_ = pd.unique(series)
        counts = [np.isfinite(e).sum(axis=0) for e, _ in self._by_group()]
        if not np.all(counts):
            raise ValueError(
                f"{type(self).__name__} got no finite forecast and target on its "
                f"{len(cal)} calibration rows (NaN: windows without history, or "
                "targets past the data). Raise 'calibration_fraction' or give "
                "the estimator more history."
            )
        if self.refit:
            self.estimator_ = clone(self.estimator).fit(X, y)
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))

    def __sklearn_tags__(self):
        """Declare dense input, the estimator's NaN support, multi-output y."""
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = get_tags(self.estimator).input_tags.allow_nan
        tags.target_tags.multi_output = True
        return tags

    def predict(self, X):
        """Return the estimator's point forecasts.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Inputs of ``estimator``.

        Returns
        -------
        y_pred : ndarray
            ``estimator_.predict(X)``.
        """
        check_is_fitted(self)
        if sparse.issparse(X):
            raise TypeError(
                f"{_OWNER} takes dense X, not a sparse {type(X).__name__}: sparse "
                "input is not supported. Convert it with .toarray()."
            )
        return self.estimator_.predict(X)

    def predict_interval(self, X, coverage=0.8):
        """Return the split-conformal interval of nominal ``coverage``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Inputs of ``estimator``.
        coverage : float, default=0.8
            Nominal coverage, in (0, 1).

        Returns
        -------
        interval : ndarray of shape (n_samples, 2) or (n_samples, n_outputs, 2)
            Lower and upper bounds: the forecast minus and plus the conformal
            quantile of its column's calibration errors (infinite where too
            few errors were kept for that coverage).
        """
        check_is_fitted(self)
        if not (isinstance(coverage, numbers.Real) and 0 < coverage < 1):
            raise ValueError(
                f"The 'coverage' parameter of {_OWNER}.predict_interval must be a "
                f"float in (0, 1). Got {as_written(coverage)} instead."
            )
        pred = np.asarray(self.predict(X), dtype=float)
        pred2 = pred.reshape(len(pred), -1)
        counts = np.atleast_2d(self.n_calibration_)
        errors = (
            self.calibration_errors_ if self.per_series else [self.calibration_errors_]
        )
        width = np.empty(counts.shape)
        for g, j in np.ndindex(*counts.shape):
            n, k = counts[g, j], math.ceil((counts[g, j] + 1) * coverage)
            width[g, j] = errors[g][k - 1, j] if k <= n else np.inf
        width = width[self._group_of_rows(X, len(pred2))] * self._weight(pred2)
        out = np.stack([pred2 - width, pred2 + width], axis=-1)
        return out[:, 0, :] if self._y_ndim == 1 else out
