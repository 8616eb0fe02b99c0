"""Baselines to beat, as regressors on windows: the seasonal naive, the moving average.

They read the windows the networks read (``SlidingWindow(lookback)`` output, 3-D
arrays, lazy :class:`~lstmforecast.preprocessing.WindowArray`, or one feature's
flattened windows), so they sit in the same Pipelines, searches and scorers as
the networks; ``fit`` learns nothing from the values, only the shapes.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from lstmforecast._validation import PlainParamsMixin, check_same_rows, validated_data
from lstmforecast.preprocessing._lazy import WindowArray
from lstmforecast.regressors._base import (
    _ONE_TARGET_PER_ROW,
    _X_SHAPES,
    _check_same_index,
    _check_target,
)

__all__ = ["MovingAverageRegressor", "SeasonalNaiveRegressor"]

# windows gathered at a time by the moving average (rows x window float64 values)
_CHUNK = 8192

_BASELINE_PICTURE = """
    .. code-block:: text

        time     t-6 t-5 t-4 t-3 t-2 t-1 | t   t+1 t+2 t+3 t+4
        X[t]      a   b   c   d   e   f  |                       lookback 6
        SeasonalNaiveRegressor(season=3), H = 5:
                              d   e   f  | d   e   f   d   e     wraps every season
        MovingAverageRegressor(window=3), H = 5:
                             [d   e   f] | m   m   m   m   m     m = mean(d, e, f)
"""

_READS = """\
    ``X`` is the windows in time order, oldest step first, as the networks read
    them: the 3-D ``(n_samples, lookback, n_features)`` output of
    :class:`~lstmforecast.preprocessing.SlidingWindow` (or of
    :func:`~lstmforecast.preprocessing.make_windows`), a lazy
    :class:`~lstmforecast.preprocessing.WindowArray` (``lazy=True``: only the
    steps used are gathered, never the whole windows), or a 2-D ``(n_samples,
    lookback)`` array or frame taken as one feature's flattened window
    (``SlidingWindow(flatten=True)`` of one column). Row t's window holds rows
    ``t - lookback`` ... ``t - 1``; column ``h - 1`` of the forecast is step h,
    the value at time ``t + h - 1`` (as in
    :func:`~lstmforecast.preprocessing.make_horizon_targets`).

    ``fit`` learns only the shapes: ``n_features_in_`` (the window length, as
    for the networks) and the number of target columns. A 1-D ``y`` gives 1-D
    predictions, an ``(n, H)`` ``y`` gives ``(n, H)`` predictions; its values
    (NaN included) and column names are not used. NaN in a value the forecast
    reads gives NaN for that forecast, never a filled value, with a warning
    (which the provisioning scorer ignores: it skips those rows and counts them).
"""


def _fill(doc: str) -> str:
    return doc.replace("    %(picture)s\n", _BASELINE_PICTURE).replace(
        "    %(reads)s\n", _READS
    )


def _gather(windows, steps, feature: int, rows=slice(None)) -> np.ndarray:
    """Values of ``feature`` at window positions ``steps``: float64 ``(n, len)``.

    A :class:`WindowArray` is read from its padded rows at those steps only (a
    feature after them, a per-window column, from its gathered windows); a 3-D
    array is indexed (a copy). Both give a C-contiguous float64 array, so their
    reductions add in the same order.
    """
    steps = np.asarray(steps, dtype=np.int64)
    if isinstance(windows, WindowArray) and feature < windows.base.shape[1]:
        starts = windows.starts[rows]
        values = windows.base[starts[:, None] + steps, feature]
    elif isinstance(windows, WindowArray):  # a per-window column after base's
        positions = np.arange(len(windows))[rows]
        values = windows.take(positions)[:, steps, feature]
    else:
        values = windows[rows][:, steps, feature]
    return np.ascontiguousarray(values, dtype=np.float64)


class _BaseWindowBaseline(PlainParamsMixin, RegressorMixin, BaseEstimator):
    """Shared front of the baselines: window checks, shapes, NaN warnings.

    Subclasses name the parameter that says how far back they read (``_reach``)
    and compute the ``(n, n_outputs_)`` forecast in ``_forecast``.
    """

    _owner = "baseline"
    _reach = "season"
    _reach_means = ""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Check the windows and learn the number of outputs (no values learnt).

        Parameters
        ----------
        X : array-like or WindowArray of shape (n_samples, lookback, n_features)
            Windows, oldest step first; 2-D ``(n_samples, lookback)`` is one
            feature's windows (see the class docstring).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets: only their shape is used (the number of horizon steps).
            NaN is allowed (not everywhere); infinity is an error.

        Returns
        -------
        self : estimator
            The fitted regressor.
        """
        _check_same_index(X, y, self._owner)
        windows = self._validated_windows(X, reset=True)
        y = _check_target(y, self._owner, estimator=self)
        check_same_rows(self._owner, _ONE_TARGET_PER_ROW, X=windows, y=y)
        if np.isnan(y).all():
            raise ValueError(
                f"The 'y' parameter of {self._owner} is NaN in every row ({len(y)} "
                "rows): there is no target to forecast. Pass the targets (NaN only "
                "where the future is not in the data)."
            )
        self._y_ndim = y.ndim
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        return self

    def predict(self, X):
        """Forecast every step of each row from its window.

        Parameters
        ----------
        X : array-like or WindowArray of shape (n_samples, lookback, n_features)
            Windows shaped as in :meth:`fit` (the same lookback), or 2-D.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            float64, in the shape of the ``y`` given to :meth:`fit`. NaN where
            a value the forecast reads is NaN, with a warning.
        """
        check_is_fitted(self)
        windows = self._validated_windows(X, reset=False)
        out = self._forecast(windows)
        incomplete = np.isnan(out).any(axis=1)
        if incomplete.any():
            warnings.warn(
                f"{int(incomplete.sum())} of {len(out)} rows of X have NaN in the "
                f"values {self._owner} reads (incomplete history): their "
                "predictions are NaN.",
                UserWarning,
                stacklevel=2,
            )
        return out[:, 0] if self._y_ndim == 1 else out

    # ------------------------------------------------------------ validation
    def _validated_windows(self, X, reset: bool):
        """Return X as 3-D windows (an array or a WindowArray), checked."""
        if isinstance(X, WindowArray):
            windows = X = self._checked_window_array(X, reset)
        else:
            if sparse.issparse(X):
                raise TypeError(
                    f"The 'X' parameter of {self._owner} must be dense windows "
                    f"({_X_SHAPES}); sparse data was passed. Convert it with "
                    "X.toarray()."
                )
            X = validated_data(
                self,
                X,
                expected=_X_SHAPES,
                reset=reset,
                dtype=[np.float64, np.float32],
                ensure_all_finite="allow-nan",
                allow_nd=True,
            )
            if X.ndim > 3:
                raise ValueError(
                    f"The 'X' parameter of {self._owner} must be {_X_SHAPES}; got "
                    f"{X.ndim}-D, shape {X.shape}. Build the windows with "
                    "SlidingWindow(lookback)."
                )
            windows = X[:, :, None] if X.ndim == 2 else X
        self._check_reach(windows, X.shape)
        return windows

    def _checked_window_array(self, X: WindowArray, reset: bool) -> WindowArray:
        """Refuse infinity in lazy windows; set or compare the window length."""
        extra = getattr(X, "extra", None)
        if np.isinf(X.base).any() or (extra is not None and np.isinf(extra).any()):
            raise ValueError(
                f"The 'X' parameter of {self._owner} holds infinity in its windows; "
                "replace it with NaN (a missing value) before SlidingWindow."
            )
        if reset:
            self.n_features_in_ = X.shape[1]
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        elif X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has windows of {X.shape[1]} steps, but {self._owner} was fitted "
                f"on {self.n_features_in_}. Build the windows with the lookback of "
                "fit."
            )
        return X

    def _check_reach(self, windows, shape) -> None:
        """``target_feature`` within the features; the reach within the lookback."""
        n_features, lookback = windows.shape[2], windows.shape[1]
        if self.target_feature >= n_features:
            raise ValueError(
                f"The 'target_feature' parameter of {self._owner} must index a "
                f"feature of X, in [0, {n_features - 1}]; got {self.target_feature} "
                f"(X.shape={tuple(shape)}; 2-D X is one feature)."
            )
        reach = getattr(self, self._reach)
        if reach > lookback:
            raise ValueError(
                f"The '{self._reach}' parameter of {self._owner} must be at most the "
                f"lookback of the windows ({lookback} step(s), X.shape="
                f"{tuple(shape)}): {self._reach_means}; got {self._reach}={reach}. "
                f"Use SlidingWindow(lookback={reach}) or longer, or a shorter "
                f"{self._reach}."
            )

    def _forecast(self, windows) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __sklearn_tags__(self):
        """Declare window input, NaN (forecast as NaN), several outputs."""
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        # nothing is learnt from the values: the checks' random data are not
        # seasonal, so the baseline cannot score well on them
        tags.regressor_tags.poor_score = True
        return tags


class SeasonalNaiveRegressor(_BaseWindowBaseline):
    r"""The seasonal naive forecast: each step's value one season earlier.

    Step h of row t (column ``h - 1``, the value at time ``t + h - 1``) is
    forecast by the value of the target feature at ``t + h - 1 - k * season``
    for the smallest ``k >= 1`` that lands in the window (before t): one season
    back for the first ``season`` steps, two seasons back for the next ones,
    and so on. ``season=24`` on hourly data is "the same hour yesterday",
    ``season=168`` "the same hour last week". Nothing is learnt: it is the
    baseline a forecast must beat, here as a regressor that fits in the same
    Pipelines, searches and scorers as the networks.
    %(picture)s

    In window positions (0 is the oldest step):

    .. math::

        \hat y_{t,h} = X_t[\,\mathrm{lookback} - \mathrm{season} +
        ((h - 1) \bmod \mathrm{season}),\ \mathrm{target\_feature}\,]

    so ``season <= lookback`` is required.

    Parameters
    ----------
    season : int, default=24
        Length of the season in steps, ``1 <= season <= lookback`` (24 for the
        daily cycle of hourly data, 168 for the weekly one).
    target_feature : int, default=0
        Feature of the window (last axis of 3-D ``X``) that holds the target's
        own history. 2-D windows are one feature.

    Attributes
    ----------
    n_features_in_ : int
        The window length ``lookback`` (``X.shape[1]``, as the networks count).
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame of flattened windows.
    n_outputs_ : int
        Columns of the predictions (the columns of ``y`` in fit; 1 for 1-D).

    See Also
    --------
    MovingAverageRegressor : The mean of the last ``window`` steps.
    lstmforecast.metrics.seasonal_naive_forecast : The same forecast from the
        series itself (``horizon <= season``), e.g. as ``y_naive`` of a report.
    lstmforecast.preprocessing.SlidingWindow : The windows, in a Pipeline.

    Notes
    -----
    %(reads)s
    With ``horizon <= season`` and windows that continue the fitted data,
    ``Pipeline([SlidingWindow(lookback), SeasonalNaiveRegressor(season)])``
    predicts exactly :func:`~lstmforecast.metrics.seasonal_naive_forecast`
    ``(y, horizon, season=season)`` on every row, within each series of a panel.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast.regressors import SeasonalNaiveRegressor
    >>> series = np.arange(10.0)
    >>> X = np.array([series[t - 4 : t] for t in range(4, 10)])  # lookback 4
    >>> X[-1]  # the window of t = 9
    array([5., 6., 7., 8.])
    >>> model = SeasonalNaiveRegressor(season=2).fit(X, np.zeros((6, 3)))
    >>> model.predict(X[-1:])  # times 9, 10, 11 <- 7, 8, 7
    array([[7., 8., 7.]])

    In a Pipeline with the windows, fitted on the first two days of a daily
    cycle: the test rows continue the training data, so every one has a forecast.

    >>> import pandas as pd
    >>> from sklearn.pipeline import make_pipeline
    >>> from lstmforecast.preprocessing import SlidingWindow
    >>> hours = pd.date_range("2013-11-01", periods=72, freq="h")
    >>> frame = pd.DataFrame({"internet": np.tile(np.arange(24.0), 3)}, index=hours)
    >>> pipe = make_pipeline(SlidingWindow(24), SeasonalNaiveRegressor(season=24))
    >>> pipe.fit(frame.iloc[:48], frame["internet"].iloc[:48])
    Pipeline(steps=[('slidingwindow', SlidingWindow()),
                    ('seasonalnaiveregressor', SeasonalNaiveRegressor())])
    >>> pipe.predict(frame.iloc[48:52])
    array([0., 1., 2., 3.])
    """

    __doc__ = _fill(__doc__)

    _parameter_constraints = {
        "season": [Interval(numbers.Integral, 1, None, closed="left")],
        "target_feature": [Interval(numbers.Integral, 0, None, closed="left")],
    }
    _owner = "SeasonalNaiveRegressor"
    _reach = "season"
    _reach_means = "the value one season before each step must be in the window"

    def __init__(self, season=24, *, target_feature=0):
        self.season = season
        self.target_feature = target_feature

    def _forecast(self, windows) -> np.ndarray:
        """Read column h - 1 at ``lookback - season + (h - 1) % season``."""
        lookback = windows.shape[1]
        steps = lookback - self.season + np.arange(self.n_outputs_) % self.season
        return _gather(windows, steps, self.target_feature)


class MovingAverageRegressor(_BaseWindowBaseline):
    r"""The moving average: the mean of the last ``window`` values, every step.

    Every step of row t's forecast is the mean of the target feature over the
    last ``window`` steps of its window (times ``t - window`` ... ``t - 1``):
    the flat baseline of the stock-price material, here as a regressor that
    fits in the same Pipelines, searches and scorers as the networks. Nothing
    is learnt; ``window=1`` is the naive "last value" forecast.
    %(picture)s

    In window positions (0 is the oldest step), for every step h:

    .. math::

        \hat y_{t,h} = \frac{1}{\mathrm{window}}
        \sum_{j = \mathrm{lookback} - \mathrm{window}}^{\mathrm{lookback} - 1}
        X_t[\,j,\ \mathrm{target\_feature}\,]

    so ``window <= lookback`` is required. The mean is not a ``nanmean``: one
    NaN among those values makes the forecast NaN.

    Parameters
    ----------
    window : int, default=24
        Number of most recent steps averaged, ``1 <= window <= lookback``.
    target_feature : int, default=0
        Feature of the window (last axis of 3-D ``X``) that holds the target's
        own history. 2-D windows are one feature.

    Attributes
    ----------
    n_features_in_ : int
        The window length ``lookback`` (``X.shape[1]``, as the networks count).
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame of flattened windows.
    n_outputs_ : int
        Columns of the predictions (the columns of ``y`` in fit; 1 for 1-D).

    See Also
    --------
    SeasonalNaiveRegressor : Each step's value one season earlier.
    lstmforecast.preprocessing.SlidingWindow : The windows, in a Pipeline.

    Notes
    -----
    %(reads)s

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast.regressors import MovingAverageRegressor
    >>> series = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0])
    >>> X = np.array([series[t - 4 : t] for t in range(4, 6)])  # lookback 4
    >>> model = MovingAverageRegressor(window=2).fit(X, np.zeros((2, 3)))
    >>> model.predict(X)  # mean(4, 8) and mean(8, 16), for each of 3 steps
    array([[ 6.,  6.,  6.],
           [12., 12., 12.]])
    """

    __doc__ = _fill(__doc__)

    _parameter_constraints = {
        "window": [Interval(numbers.Integral, 1, None, closed="left")],
        "target_feature": [Interval(numbers.Integral, 0, None, closed="left")],
    }
    _owner = "MovingAverageRegressor"
    _reach = "window"
    _reach_means = "the mean reads the last 'window' steps of each window"

    def __init__(self, window=24, *, target_feature=0):
        self.window = window
        self.target_feature = target_feature

    def _forecast(self, windows) -> np.ndarray:
        """Average the last ``window`` steps; the same value for every column."""
        lookback = windows.shape[1]
        steps = np.arange(lookback - self.window, lookback)
        mean = np.empty(len(windows))
        for start in range(0, len(windows), _CHUNK):
            rows = slice(start, start + _CHUNK)
            mean[rows] = _gather(windows, steps, self.target_feature, rows).mean(1)
        return np.repeat(mean[:, None], self.n_outputs_, axis=1)
