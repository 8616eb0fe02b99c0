"""Multi-step forecasts from one-step models: the direct and recursive strategies.

Both read the ``(n, H)`` targets of issue 11: column 0 is row t's own one-step
value (its window ends at t - 1), column h the value h steps later, NaN where that
future is not in the data. The native MIMO path (one network, H outputs) is the
networks' own ``fit`` on such a ``y``.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context, clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import _num_samples, check_is_fitted

from lstmforecast._validation import PlainParamsMixin, check_same_rows, validated_data
from lstmforecast.preprocessing._panel import lead_positions
from lstmforecast.regressors._base import (
    _ONE_TARGET_PER_ROW,
    _check_same_index,
    _check_target,
    _finite_rows,
)

__all__ = ["DirectRegressor", "RecursiveRegressor"]

_STRATEGY_PICTURE = """
    .. code-block:: text

        series       ... v(t-3) v(t-2) v(t-1) | v(t)  v(t+1) v(t+2)   (H = 3)
        X[t]             [v(t-3) v(t-2) v(t-1)]                      lookback 3
        y[t]                                  [y0    y1     y2   ]   NaN past the data

        direct     model h: X[t] -> y[t, h]          H models, each on its rows
        recursive  one model: window -> next value, rolled over its forecasts
                   w0 = [v(t-3) v(t-2) v(t-1)]  -> f0
                   w1 = [v(t-2) v(t-1) f0    ]  -> f1
                   w2 = [v(t-1) f0     f1    ]  -> f2
"""


# --------------------------------------------------------------- row helpers
def _accepts_nan(estimator) -> bool:
    """Whether the estimator takes NaN in X itself (its ``allow_nan`` tag)."""
    return get_tags(estimator).input_tags.allow_nan


def _incomplete_rows(X) -> np.ndarray:
    """Rows of any X (pandas, array, nested list; any number of axes) with NaN."""
    if isinstance(X, (pd.Series, pd.DataFrame)):
        return X.isna().to_numpy().reshape(len(X), -1).any(axis=1)
    values = np.asarray(X)
    flat = values.reshape(len(values), -1)
    if values.dtype.kind in "fc":
        return np.isnan(flat).any(axis=1)
    if values.dtype.kind == "O":
        return pd.isna(flat).any(axis=1)
    return np.zeros(len(values), dtype=bool)


def _take_rows(X, rows: np.ndarray):
    """Select rows of X: ``.iloc`` for pandas, numpy indexing otherwise."""
    if rows.all():
        return X
    if isinstance(X, (pd.Series, pd.DataFrame)):
        return X.iloc[np.flatnonzero(rows)]
    return np.asarray(X)[rows]


def _warn_incomplete(n_incomplete: int, n_rows: int) -> None:
    # the networks' wording: scorers that skip NaN rows filter on it
    warnings.warn(
        f"{n_incomplete} of {n_rows} rows of X have NaN (incomplete history): "
        "their predictions are NaN.",
        UserWarning,
        stacklevel=3,
    )


def _predict_column(estimator, X) -> np.ndarray:
    """One estimator's predictions as a float64 column of ``len(X)`` rows."""
    pred = np.asarray(estimator.predict(X), dtype=np.float64)
    if pred.size != len(pred):
        raise ValueError(
            f"{type(estimator).__name__} predicted shape {pred.shape} for one step; "
            "a one-step model must predict one value per row. Fit it on a 1-D "
            "target (the strategies do)."
        )
    return pred.reshape(len(pred))


def _inner_tags(tags, estimator):
    """Copy what depends on the inner estimator into a meta-estimator's tags."""
    inner = get_tags(estimator)
    tags.input_tags.allow_nan = True  # NaN rows are skipped (here or by it)
    tags.input_tags.sparse = False
    tags.target_tags.multi_output = True
    tags.regressor_tags.poor_score = inner.regressor_tags.poor_score
    tags.non_deterministic = inner.non_deterministic
    return tags, inner


class DirectRegressor(PlainParamsMixin, RegressorMixin, BaseEstimator):
    """One model per forecast step: the "direct" multi-step strategy.

    ``fit`` trains a clone of ``estimator`` for each column of the ``(n, H)``
    target ``y``: column h's model learns ``X[t] -> y[t, h]`` on the rows where
    that column is finite, so a step loses only the rows whose own future is
    missing (the last ``h`` rows of a series), never those of the longer steps.
    ``predict`` stacks the H predictions into ``(n, H)``. Any scikit-learn
    regressor works (``Ridge`` on flattened windows, the networks on 3-D ones).
    %(picture)s

    Parameters
    ----------
    estimator : estimator object
        The one-step regressor, cloned once per column of ``y``. It receives the
        rows of ``X`` unchanged (numpy indexing for arrays, 3-D windows included,
        ``.iloc`` for pandas), so it may be a Pipeline.

    Attributes
    ----------
    estimators_ : list of estimator
        The fitted clones, one per column of ``y`` (step 0 first).
    n_skipped_ : ndarray of int, shape (``n_outputs_``,)
        Rows left out of each step's fit: its target is NaN, or (for an
        ``estimator`` that does not take NaN) its ``X`` row has NaN. Rows an
        estimator skips itself (the networks' incomplete windows) are counted in
        its own ``n_skipped_``.
    n_outputs_ : int
        Number of steps (columns of ``y``).
    n_features_in_ : int
        Taken from the first fitted estimator, when it has one.
    feature_names_in_ : ndarray of str
        Taken from the first fitted estimator, when it has them.

    See Also
    --------
    RecursiveRegressor : One one-step model rolled over its own forecasts.
    LSTMRegressor : Fitted on an ``(n, H)`` target it is one network with H
        outputs (the MIMO strategy).
    sklearn.multioutput.MultiOutputRegressor : The same idea without NaN targets.

    Notes
    -----
    This class exists because :class:`sklearn.multioutput.MultiOutputRegressor`
    (scikit-learn 1.9) refuses NaN anywhere in ``y`` ("Input y contains NaN"): a
    multi-step target, whose last ``H - 1`` rows have no future, would need
    those rows dropped by hand, and every step would lose them. It does pass 3-D
    ``X`` through to its estimators, as this class does.

    Rows whose ``X`` has NaN go to ``estimator`` when its tags say it accepts
    NaN (the networks skip such rows in ``fit`` and predict NaN for them);
    otherwise they are left out of ``fit`` and predicted as NaN here, with a
    warning. Infinity in ``y`` is an error; with pandas ``X`` and ``y`` the
    indexes must be equal.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from lstmforecast.regressors import DirectRegressor
    >>> series = np.arange(10.0)
    >>> X = np.array([series[t - 3 : t] for t in range(3, 10)])  # windows
    >>> Y = np.array([[series[t], series[t + 1] if t < 9 else np.nan]
    ...               for t in range(3, 10)])  # the last row has no next value
    >>> model = DirectRegressor(Ridge(alpha=1e-6)).fit(X, Y)
    >>> model.n_skipped_
    array([0, 1])
    >>> model.predict(X[-1:]).round(3)
    array([[ 9., 10.]])
    """

    __doc__ = __doc__.replace("    %(picture)s\n", _STRATEGY_PICTURE)

    _parameter_constraints = {"estimator": [HasMethods(["fit", "predict"])]}
    _owner = "DirectRegressor"

    def __init__(self, estimator):
        self.estimator = estimator

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit one clone of ``estimator`` per column of ``y``, on its finite rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Inputs of ``estimator`` (2-D, or 3-D windows for the networks).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets, one column per step; NaN marks a step not in the data (those
            rows are skipped for that step only). A 1-D ``y`` is one step.

        Returns
        -------
        self : DirectRegressor
            The fitted estimator.
        """
        y = self._validate_fit_data(X, y)
        self._y_ndim = y.ndim
        Y = y.reshape(len(y), -1)
        usable = self._usable_rows(X)
        self.estimators_, skipped = [], []
        for step in range(Y.shape[1]):
            rows = usable & ~np.isnan(Y[:, step])
            if not rows.any():
                raise ValueError(
                    f"Column {step} of the 'y' parameter of {self._owner} has no "
                    f"row to learn from ({len(Y)} rows: NaN target, or NaN in X "
                    f"for {type(self.estimator).__name__}). Pass data that "
                    "reaches that step, or fewer target columns."
                )
            model = clone(self.estimator)
            model.fit(_take_rows(X, rows), Y[rows, step])
            self.estimators_.append(model)
            skipped.append(int((~rows).sum()))
        self.n_skipped_ = np.array(skipped)
        self.n_outputs_ = Y.shape[1]
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimators_[0], name):
                setattr(self, name, getattr(self.estimators_[0], name))
        return self

    def _validate_fit_data(self, X, y) -> np.ndarray:
        """Check y (NaN kept) and its rows against X; X is the estimator's."""
        if sparse.issparse(X):
            raise TypeError(
                f"{self._owner} takes dense X (arrays, 3-D windows or DataFrames); "
                "got a sparse matrix. Convert it with X.toarray()."
            )
        _check_same_index(X, y, self._owner)
        y = _check_target(y, self._owner, estimator=self)
        check_same_rows(self._owner, _ONE_TARGET_PER_ROW, X=X, y=y)
        return y

    def _usable_rows(self, X) -> np.ndarray:
        """Rows the estimators may see: all, or the complete ones if NaN is refused."""
        if _accepts_nan(self.estimator):
            return np.ones(_num_samples(X), dtype=bool)
        return ~_incomplete_rows(X)

    def predict(self, X):
        """Predict every step of each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Inputs shaped as in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples, n_outputs) or (n_samples,)
            float64, column h from step h's model (1-D when ``y`` was 1-D). Rows
            with NaN in ``X`` are NaN unless ``estimator`` takes NaN.
        """
        check_is_fitted(self)
        if sparse.issparse(X):
            raise TypeError(
                f"{self._owner} takes dense X; got a sparse matrix. Convert it "
                "with X.toarray()."
            )
        usable = self._usable_rows(X)
        out = np.full((len(usable), self.n_outputs_), np.nan)
        if usable.any():
            X_used = _take_rows(X, usable)
            for step, model in enumerate(self.estimators_):
                out[usable, step] = _predict_column(model, X_used)
        if not usable.all():
            _warn_incomplete(int((~usable).sum()), len(usable))
        return out.ravel() if self._y_ndim == 1 else out

    def __sklearn_tags__(self):
        """Declare multi-step targets with NaN, and the estimator's input kinds."""
        tags, inner = _inner_tags(super().__sklearn_tags__(), self.estimator)
        tags.input_tags.three_d_array = inner.input_tags.three_d_array
        return tags


class RecursiveRegressor(PlainParamsMixin, RegressorMixin, BaseEstimator):
    """One one-step model rolled forward over its own forecasts: "recursive".

    ``fit`` trains ``estimator`` on the one-step target only (column 0 of an
    ``(n, H)`` ``y``, or a 1-D ``y``). ``predict`` forecasts step 0 from each
    window, then shifts the window one step left, writes that forecast into the
    new last step (feature ``target_feature``) and forecasts again, ``horizon``
    times. One model serves every horizon, at the price of feeding its own
    errors back in.
    %(picture)s

    Parameters
    ----------
    estimator : estimator object
        The one-step regressor on windows (``Ridge`` on 2-D windows, the networks
        on 2-D or 3-D ones), cloned in :meth:`fit`.
    horizon : int
        Steps forecast by :meth:`predict`, >= 1.
    window : SlidingWindow or None, default=None
        None: ``X`` is already windows (univariate). A
        :class:`~lstmforecast.preprocessing.SlidingWindow` (cloned in
        :meth:`fit`): ``X`` is the frame it reads, one series or a ``(series,
        time)`` panel; its single ``columns`` entry is the target's own history
        and its ``known_columns`` are known in advance (calendar). At step h the
        window of row t takes its known columns from the window of the row h
        steps later in the same series (``known_columns`` of rows up to t + h),
        and its target history from the forecasts: nothing unknown at time t
        is read. Steps whose known future is not in ``X`` (past its end) are NaN.
    target_feature : int, default=0
        Feature of the window (last axis of 3-D ``X``) that holds the target's own
        history, where the forecasts are written. 2-D windows are one feature.
        Ignored with ``window`` (the window's own target column is used).

    Attributes
    ----------
    estimator_ : estimator
        The fitted one-step model.
    window_ : SlidingWindow
        The fitted window transformer (only with ``window``).
    n_skipped_ : int
        Rows left out of :meth:`fit`: a NaN one-step target or, for an
        ``estimator`` that does not take NaN, NaN in the window.
    n_outputs_ : int
        Columns of the predictions (``horizon``).
    n_features_in_ : int
        The window length (``X.shape[1]``).
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame of flattened windows.

    See Also
    --------
    DirectRegressor : One model per step, no forecasts fed back.
    LSTMRegressor : Fitted on an ``(n, H)`` target it is one network with H
        outputs (the MIMO strategy).
    lstmforecast.preprocessing.SlidingWindow : The windows, in a Pipeline.

    Notes
    -----
    ``X`` is windows in time order, oldest step first: 3-D ``(n, lookback,
    n_features)`` from :class:`SlidingWindow`, or 2-D ``(n, lookback)`` for one
    series (``SlidingWindow(flatten=True)`` of one column). Only the target has
    forecasts to roll forward: the other features of a window have no known
    future here, so 3-D ``X`` with more than one feature is refused (use
    :class:`DirectRegressor`, or a network fitted on the ``(n, H)`` target).

    A 2-D ``y`` has one column (the one-step target) or ``horizon`` columns (the
    multi-step target, so that scorers compare it with the predictions); only
    column 0 is trained on, rows with NaN there are skipped. Rows whose window
    has NaN are left out of ``fit`` and predicted as NaN (with a warning), unless
    ``estimator`` takes NaN itself (its ``allow_nan`` tag, as the networks).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from lstmforecast.regressors import RecursiveRegressor
    >>> series = np.arange(10.0)
    >>> X = np.array([series[t - 3 : t] for t in range(3, 10)])  # windows
    >>> model = RecursiveRegressor(LinearRegression(), horizon=3)
    >>> model.fit(X, series[3:10]).predict(X[-1:]).round(3)
    array([[ 9., 10., 11.]])
    """

    __doc__ = __doc__.replace("    %(picture)s\n", _STRATEGY_PICTURE)

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "horizon": [Interval(numbers.Integral, 1, None, closed="left")],
        "window": [HasMethods(["fit", "transform"]), None],
        "target_feature": [Interval(numbers.Integral, 0, None, closed="left")],
    }
    _owner = "RecursiveRegressor"

    def __init__(self, estimator, *, horizon, window=None, target_feature=0):
        self.estimator = estimator
        self.horizon = horizon
        self.window = window
        self.target_feature = target_feature

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit ``estimator`` on the one-step target of each window.

        Parameters
        ----------
        X : array-like of shape (n_samples, lookback) or (n_samples, lookback, 1)
            Windows, oldest step first.
        y : array-like of shape (n_samples,) or (n_samples, 1 or horizon)
            The one-step target (column 0 of a 2-D ``y``); NaN rows are skipped.

        Returns
        -------
        self : RecursiveRegressor
            The fitted estimator.
        """
        _check_same_index(X, y, self._owner)
        if self.window is None:
            X = self._validate_windows(X, reset=True)
        y = _check_target(y, self._owner, estimator=self)
        if self.window is not None:
            X = self._fit_window(X, y)
        check_same_rows(self._owner, _ONE_TARGET_PER_ROW, X=X, y=y)
        target = self._one_step_target(y)
        rows = ~np.isnan(target)
        if not _accepts_nan(self.estimator):
            rows &= _finite_rows(X)
        if not rows.any():
            raise ValueError(
                f"Every row of {self._owner}'s input has a NaN one-step target or "
                f"a NaN window ({len(X)} rows), so there is nothing to learn from. "
                "Pass rows with complete windows and a finite column 0 of y."
            )
        self.n_skipped_ = int((~rows).sum())
        self.estimator_ = clone(self.estimator).fit(_take_rows(X, rows), target[rows])
        self._window_ndim = X.ndim
        self._y_ndim = y.ndim
        self.n_outputs_ = self.horizon
        return self

    def _fit_window(self, X, y) -> np.ndarray:
        """Fit ``window_`` on the frame X; return its windows (target first)."""
        self.window_ = clone(self.window)
        windows = np.asarray(self.window_.fit_transform(X), dtype=np.float64)
        if windows.ndim != 3:
            raise ValueError(
                f"The 'window' parameter of {self._owner} must give 3-D windows "
                f"(flatten=False); got shape {windows.shape}. Set flatten=False."
            )
        n_target = len(getattr(self.window_, "_window_cols", []))
        if n_target != 1:
            columns = getattr(self.window_, "feature_names_in_", None)
            positions = list(getattr(self.window_, "_window_cols", []))
            names = [
                str(columns[i]) if columns is not None else int(i) for i in positions
            ]
            raise ValueError(
                f"The 'window' parameter of {self._owner} must have exactly one "
                f"window column, the target's own history (the others are known "
                f"columns, with a known future); got {n_target} ({names}). Set "
                "columns=[target] and known_columns=[calendar columns]."
            )
        self._check_target_column(X, y)
        self.n_features_in_ = self.window_.n_features_in_
        if hasattr(self.window_, "feature_names_in_"):
            self.feature_names_in_ = self.window_.feature_names_in_
        return windows

    def _check_target_column(self, X, y) -> None:
        """Refuse a one-step target that is not the window's column (fed back)."""
        column = int(self.window_._window_cols[0])
        values = (
            X.iloc[:, column].to_numpy(dtype=np.float64)
            if isinstance(X, pd.DataFrame)
            else np.asarray(X, dtype=np.float64)[:, column]
        )
        target = y if y.ndim == 1 else y[:, 0]
        both = np.isfinite(values) & np.isfinite(target)
        if both.any() and not np.allclose(values[both], target[both], rtol=1e-5):
            name = self.window_.get_feature_names_out()[0].rsplit("_lag_", 1)[0]
            raise ValueError(
                f"The one-step target (column 0 of y) of {self._owner} is not the "
                f"window's column {name!r}, into which the forecasts are fed back. "
                "Pass y = X[column] (and its horizon targets) in the same units, "
                "or window on the column that y is."
            )

    def _validate_windows(self, X, reset: bool) -> np.ndarray:
        """Float windows, 2-D or 3-D with the target as the only feature."""
        X = validated_data(
            self,
            X,
            expected="2-D (n_samples, lookback) or 3-D (n_samples, lookback, 1) "
            "windows",
            reset=reset,
            dtype=[np.float64, np.float32],
            ensure_all_finite="allow-nan",
            allow_nd=True,
        )
        n_features = X.shape[2] if X.ndim == 3 else 1
        if X.ndim > 3 or (not reset and X.ndim != self._window_ndim):
            expected = (
                "2-D or 3-D windows"
                if reset
                else f"{self._window_ndim}-D windows, as in fit"
            )
            raise ValueError(
                f"The 'X' parameter of {self._owner} must be {expected}; got "
                f"{X.ndim}-D, shape {X.shape}. Build the windows as in fit."
            )
        if n_features > 1:
            others = [f for f in range(n_features) if f != self.target_feature]
            raise ValueError(
                f"The 'X' parameter of {self._owner} has {n_features} features per "
                f"time step (shape {X.shape}): features {others} besides the "
                f"target (target_feature={self.target_feature}) have no known "
                "future to roll forward. Use DirectRegressor or a network fitted "
                "on the multi-step y, or univariate windows (one column)."
            )
        if self.target_feature >= n_features:
            raise ValueError(
                f"The 'target_feature' parameter of {self._owner} must index a "
                f"feature of X, in [0, {n_features - 1}]; got "
                f"{self.target_feature} (X.shape={X.shape}; 2-D X is one feature)."
            )
        return X

    def _one_step_target(self, y: np.ndarray) -> np.ndarray:
        """Column 0 of y; a 2-D y has 1 or ``horizon`` columns."""
        if y.ndim == 1:
            return y
        if y.shape[1] not in (1, self.horizon):
            raise ValueError(
                f"The 'y' parameter of {self._owner} must be 1-D or have 1 or "
                f"horizon={self.horizon} columns (the one-step or the multi-step "
                f"target); got {y.shape[1]} columns. Pass the {self.horizon}-step "
                f"target, or set horizon={y.shape[1]}."
            )
        return y[:, 0]

    def predict(self, X):
        """Forecast ``horizon`` steps from each window, feeding forecasts back.

        Parameters
        ----------
        X : array-like of shape (n_samples, lookback) or (n_samples, lookback, 1)
            Windows shaped as in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples, horizon) or (n_samples,)
            float64, column h the forecast h steps after column 0 (1-D only when
            ``horizon=1`` and ``y`` was 1-D). Rows whose window has NaN are NaN.
        """
        check_is_fitted(self)
        if self.window is not None:
            return self._predict_frame(X)
        X = self._validate_windows(X, reset=False)
        return self._roll(X, known=None)

    def _predict_frame(self, X):
        """Windows of the frame X, rolled with the known columns of later rows."""
        windows = np.asarray(self.window_.transform(X), dtype=np.float64)
        index = X.index if isinstance(X, (pd.DataFrame, pd.Series)) else None
        known = []  # step h: the known part of the window of the row h later
        for h in range(1, self.horizon):
            lead = lead_positions(index, h, self._owner, n=len(windows))
            part = np.full(
                (len(windows), *windows.shape[1:2], windows.shape[2] - 1), np.nan
            )
            part[lead >= 0] = windows[lead[lead >= 0], :, 1:]
            known.append(part)
        return self._roll(windows, known=known)

    def _roll(self, X, known):
        """Forecast ``horizon`` steps, feeding each forecast into the next window."""
        if _accepts_nan(self.estimator_):
            alive = np.arange(len(X))
        else:
            alive = np.flatnonzero(_finite_rows(X))
            if len(alive) < len(X):
                _warn_incomplete(len(X) - len(alive), len(X))
        out = np.full((len(X), self.horizon), np.nan)
        window = X[alive] if len(alive) < len(X) else X
        for step in range(self.horizon):
            if not len(alive):
                break
            out[alive, step] = _predict_column(self.estimator_, window)
            if step + 1 < self.horizon:
                finite = np.isfinite(out[alive, step])  # NaN forecasts stay NaN
                ahead = None if known is None else known[step][alive]
                if ahead is not None:  # known future past the end of X: stop
                    finite &= ~np.isnan(ahead.reshape(len(ahead), -1)).any(axis=1)
                if not finite.all():
                    window, alive = window[finite], alive[finite]
                    ahead = None if ahead is None else ahead[finite]
                window = self._next_window(window, out[alive, step], ahead)
        if known is not None and np.isnan(out).any():
            warnings.warn(
                f"{int(np.isnan(out).sum())} of {out.size} forecast steps are NaN: "
                "their window had no history, or their known columns lie past the "
                "end of X. Pass X up to the last hour to forecast.",
                UserWarning,
                stacklevel=3,
            )
        return out.ravel() if self.horizon == 1 and self._y_ndim == 1 else out

    def _next_window(self, window, forecast, known=None) -> np.ndarray:
        """Move the window one step on: oldest step dropped, the forecast appended.

        ``known`` (with ``window``): the known columns of the next window, read
        from the window of the row that many steps later in the same series.
        """
        if window.ndim == 2:
            return np.column_stack([window[:, 1:], forecast])
        target = 0 if self.window is not None else self.target_feature
        step = np.full((len(window), 1, window.shape[2]), np.nan)
        step[:, 0, target] = forecast
        moved = np.concatenate([window[:, 1:], step], axis=1)
        if known is not None:
            moved[:, :, 1:] = known
        return moved

    def __sklearn_tags__(self):
        """Declare window input (2-D or 3-D), NaN rows and multi-step output."""
        tags, _ = _inner_tags(super().__sklearn_tags__(), self.estimator)
        tags.input_tags.three_d_array = True
        return tags
