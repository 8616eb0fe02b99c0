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

    Attributes
    ----------
    estimator_ : regressor
        The clone that predicts: fitted on the earlier rows (on all of them
        with ``refit=True``).
    calibration_errors_ : ndarray of shape (n_calibration, n_outputs)
        The sorted absolute errors of each target column on the calibration
        rows (rows with a NaN forecast or target left out per column).
    n_calibration_ : ndarray of int of shape (n_outputs,)
        Calibration errors per column.
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
    }

    def __init__(self, estimator, *, calibration_fraction=0.2, gap=0, refit=False):
        self.estimator = estimator
        self.calibration_fraction = calibration_fraction
        self.gap = gap
        self.refit = refit

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
        errors, _ = self._calibrate(X, y)
        self.calibration_errors_ = np.sort(np.abs(errors), axis=0)  # NaN last
        return self

    def _calibrate(self, X, y):
        """Fit ``estimator_``; return its tail's errors and forecasts.

        Both ``(n_calibration, n_outputs)``: ``y - forecast`` and the forecast.
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
        self.n_calibration_ = np.isfinite(errors).sum(axis=0)
        if not self.n_calibration_.all():
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
        return errors, pred

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
        width = np.empty(pred2.shape[1])
        for j, n in enumerate(self.n_calibration_):
            k = math.ceil((n + 1) * coverage)
            width[j] = self.calibration_errors_[k - 1, j] if k <= n else np.inf
        out = np.stack([pred2 - width, pred2 + width], axis=-1)
        return out[:, 0, :] if self._y_ndim == 1 else out
