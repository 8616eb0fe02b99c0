"""One model per series of a panel, fitted in a local loop or on Dask workers."""

from __future__ import annotations

import numbers
import sys
import time
import uuid

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context, clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_is_fitted

from lstmforecast._validation import PlainParamsMixin, validate_params
from lstmforecast.parallel._client import import_distributed
from lstmforecast.preprocessing._panel import _plain, check_aligned

__all__ = ["PerSeriesRegressor", "fit_per_series"]

_OWNER = "PerSeriesRegressor"


# ------------------------------------------------------------------ series
def _series_rows(X, owner: str):
    """Series labels of a panel (first appearance order) and each one's rows.

    The series are the index levels before the last (the time); each series'
    row positions are in input order.
    """
    if not isinstance(X, (pd.DataFrame, pd.Series)) or not isinstance(
        X.index, pd.MultiIndex
    ):
        got = type(X).__name__
        if isinstance(X, (pd.DataFrame, pd.Series)):
            got = f"a {got} indexed by a {type(X.index).__name__}"
        raise TypeError(
            f"The 'X' parameter of {owner} must be a panel: a pandas DataFrame or "
            "Series indexed by (series..., time), a MultiIndex whose last level "
            f"is the time; got {got}. Index it by series and time "
            "(X.set_index(['cell', 'time'])), or fit the estimator itself on "
            "one series."
        )
    codes, uniques = X.index.droplevel(-1).factorize()
    if (codes < 0).any():
        at = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(
            f"The 'X' parameter of {owner} has a missing series label at row {at} "
            f"({_plain(X.index[at])}): every row needs its series in the levels "
            "before the time. Fill or drop those rows."
        )
    order = np.argsort(codes, kind="stable")
    bounds = np.r_[0, np.flatnonzero(np.diff(codes[order])) + 1, len(order)]
    rows = [order[bounds[g] : bounds[g + 1]] for g in range(len(uniques))]
    return uniques, rows


def _series_text(labels) -> str:
    """``series 4159`` or ``series 4159 ... 5161 (3)`` for messages."""
    if len(labels) == 1:
        return f"series {_plain(labels[0])}"
    return f"series {_plain(labels[0])} ... {_plain(labels[-1])} ({len(labels)})"


def _take(data, rows: np.ndarray):
    """Rows of pandas (``.iloc``) or array-like data, as a new object."""
    if isinstance(data, (pd.DataFrame, pd.Series)):
        return data.iloc[rows]
    return np.asarray(data)[rows]


def _fit_parts(X, y, series_per_fit: int, owner: str):
    """Split a panel into the parts each clone is fitted on.

    Returns ``(series, groups)``: the series labels (a pandas Index) and one
    ``(labels, X_part, y_part)`` per fit, ``series_per_fit`` consecutive series
    (in order of first appearance) each, rows in input order.
    """
    series, rows = _series_rows(X, owner)
    if y is None:
        raise ValueError(
            f"{owner} requires y to be passed, but the target y is None. Pass "
            "the targets, one row per row of X."
        )
    n_y = len(y)
    if n_y != len(X):
        raise ValueError(
            f"The 'y' parameter of {owner} has {n_y} rows for the {len(X)} rows of "
            "X. Pass one target row per row of X."
        )
    check_aligned(X, y, owner)
    sizes = np.array([len(r) for r in rows])
    if (sizes == 1).any():
        short = [_plain(series[g]) for g in np.flatnonzero(sizes == 1)]
        raise ValueError(
            f"The 'X' parameter of {owner} has {len(short)} series with a single "
            f"row ({', '.join(short[:3])}{', ...' if len(short) > 3 else ''}): no "
            "model fits on one row. Drop those series or give them more history."
        )
    groups = []
    for start in range(0, len(rows), series_per_fit):
        labels = list(series[start : start + series_per_fit])
        part = np.sort(np.concatenate(rows[start : start + series_per_fit]))
        groups.append((labels, _take(X, part), _take(y, part)))
    return series, groups


# ------------------------------------------------------------------- fits
def _fit_part(X, y, estimator):
    """Fit a clone of ``estimator`` on one part; return it and the seconds taken.

    Runs on a Dask worker (or locally): module level, so it pickles by name.
    """
    start = time.perf_counter()
    fitted = clone(estimator).fit(X, y)
    return fitted, time.perf_counter() - start


def _labelled(exc: BaseException, labels) -> BaseException:
    """Return the same bad-input error, prefixed with the series it is about."""
    if not isinstance(exc, (ValueError, TypeError)):
        return exc
    try:
        renamed = type(exc)(f"{_series_text(labels)}: {exc}")
    except Exception:  # an exception class with another constructor
        return exc
    return renamed.with_traceback(exc.__traceback__)


def _reporter(progress, n_fits: int, owner: str):
    """Return the ``progress(labels, seconds)`` to call per finished fit (or None)."""
    if callable(progress):
        return progress
    if not progress:
        return None
    done = 0

    def report(labels, seconds):
        nonlocal done
        done += 1
        print(
            f"{owner}: {done}/{n_fits} {_series_text(labels)} fitted in "
            f"{seconds:.2f} s",
            file=sys.stderr,
            flush=True,
        )

    return report


def _fit_locally(estimator, groups, report) -> list:
    fitted = []
    for labels, X_part, y_part in groups:
        try:
            model, seconds = _fit_part(X_part, y_part, estimator)
        except (ValueError, TypeError) as exc:
            raise _labelled(exc, labels) from None
        fitted.append(model)
        if report is not None:
            report(labels, seconds)
    return fitted


def _fit_on_dask(client, estimator, groups, report, owner: str) -> list:
    """Fit every part on the workers: data scattered once, results as they finish."""
    distributed = import_distributed(owner)
    data = client.scatter([(X_p, y_p) for _, X_p, y_p in groups], hash=False)
    template = client.scatter(estimator, broadcast=True, hash=False)
    token = uuid.uuid4().hex[:8]
    futures = [
        client.submit(
            _unpack_and_fit,
            part,
            template,
            key=f"fit_per_series-{token}-{i}",
            pure=False,
        )
        for i, part in enumerate(data)
    ]
    position = {future.key: i for i, future in enumerate(futures)}
    fitted = [None] * len(futures)
    try:
        for future in distributed.as_completed(futures):
            i = position[future.key]
            try:
                fitted[i], seconds = future.result()
            except (ValueError, TypeError) as exc:
                raise _labelled(exc, groups[i][0]) from None
            if report is not None:
                report(groups[i][0], seconds)
    finally:
        client.cancel([*futures, *data, template])
    return fitted


def _unpack_and_fit(part, estimator):
    """``_fit_part`` on a scattered ``(X, y)`` pair (a Dask task)."""
    return _fit_part(part[0], part[1], estimator)


# -------------------------------------------------------------- estimator
class PerSeriesRegressor(PlainParamsMixin, RegressorMixin, BaseEstimator):
    """One clone of an estimator per series of a panel: local models, routed.

    ``fit`` takes a panel (a frame indexed by ``(series..., time)``, the
    ``(cell, time)`` output of :class:`~lstmforecast.preprocessing.HourlyAggregator`)
    and fits ``clone(estimator)`` on each series' rows alone: exactly the loop
    ``{s: clone(estimator).fit(X_s, y_s)}`` where ``X_s`` and ``y_s`` are the
    rows of series ``s`` (index unchanged, in input order). ``predict`` sends
    each row of a panel to its own series' model and returns the predictions
    in the input's row order. Any estimator works: a ``Pipeline`` of
    :class:`~lstmforecast.preprocessing.SlidingWindow` and a network, a
    scikit-learn regressor, a :class:`~lstmforecast.regressors.FleetRegressor`.

    ``fit`` runs the loop in this process; :func:`fit_per_series` runs the same
    fits on Dask workers and returns this estimator fitted, with the same
    models.

    .. code-block:: text

        panel X (cell, time)          fits (one clone each)      predict
        cell 4159  t0 ... tn   ->   clone(estimator) 4159   ->  rows of 4159
        cell 5161  t0 ... tn   ->   clone(estimator) 5161   ->  rows of 5161
        ...                         locally, or one Dask task each

    Parameters
    ----------
    estimator : estimator object
        Cloned per fit, each clone fitted on its series' rows of ``X`` and
        ``y`` (pandas rows with their index; numpy ``y`` by position).
    series_per_fit : int, default=1
        Series per clone: 1 fits one model per series. ``k > 1`` fits one
        clone on each sub-panel of ``k`` consecutive series (in order of first
        appearance): for a :class:`~lstmforecast.regressors.FleetRegressor`
        that is still one network per series, trained ``k`` at a time in one
        vectorised fit (one Dask task per sub-panel); for other estimators one
        model shared by the ``k`` series.

    Attributes
    ----------
    estimators_ : dict
        Series label -> its fitted clone (one label per level value, a tuple
        for several series levels); the series of one sub-panel share their
        clone.
    series_ : pandas.Index
        The series labels in order of first appearance in ``X`` (a MultiIndex
        for several series levels).

    See Also
    --------
    fit_per_series : The same fits on a Dask cluster.
    lstmforecast.regressors.FleetRegressor : Many small identical LSTMs in one
        vectorised fit, on one machine.

    Notes
    -----
    Each series needs at least two rows in :meth:`fit`, and every series of
    :meth:`predict` a model. The order within a series is left to the
    estimator (the history transformers verify it); predictions are float64,
    shaped as each model's.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn.pipeline import make_pipeline
    >>> from lstmforecast.parallel import PerSeriesRegressor
    >>> from lstmforecast.preprocessing import SlidingWindow
    >>> from lstmforecast.regressors import MLPRegressor
    >>> idx = pd.MultiIndex.from_product(
    ...     [[4159, 5161], pd.date_range("2013-11-01", periods=48, freq="h")],
    ...     names=["cell", "time"])
    >>> hours = np.tile(np.arange(48), 2)
    >>> X = pd.DataFrame({"load": np.sin(2 * np.pi * hours / 24)}, index=idx)
    >>> pipe = make_pipeline(
    ...     SlidingWindow(6), MLPRegressor((2,), max_epochs=1, random_state=0))
    >>> model = PerSeriesRegressor(pipe).fit(X, X["load"])
    >>> list(model.series_)
    [4159, 5161]
    >>> model.predict(X.iloc[[47, 95]]).shape  # the last hour of each cell
    (2,)
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "series_per_fit": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(self, estimator, *, series_per_fit=1):
        self.estimator = estimator
        self.series_per_fit = series_per_fit

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit one clone of ``estimator`` per series of ``X``, in this process.

        Parameters
        ----------
        X : pandas.DataFrame or pandas.Series
            A panel indexed by ``(series..., time)``; each series needs at least
            two rows.
        y : pandas.Series, pandas.DataFrame or array-like of shape (n_samples,) \
or (n_samples, n_outputs)
            Targets, one row per row of ``X`` (the same index for pandas).

        Returns
        -------
        self : PerSeriesRegressor
            The fitted estimator.
        """
        return self._fit(X, y, client=None, progress=False, owner=_OWNER)

    def _fit(self, X, y, *, client, progress, owner: str):
        """Fit the parts locally (``client=None``) or on ``client``'s workers."""
        series, groups = _fit_parts(X, y, self.series_per_fit, owner)
        report = _reporter(progress, len(groups), owner)
        if client is None:
            fitted = _fit_locally(self.estimator, groups, report)
        else:
            fitted = _fit_on_dask(client, self.estimator, groups, report, owner)
        self.estimators_ = {
            label: model
            for (labels, _, _), model in zip(groups, fitted, strict=True)
            for label in labels
        }
        self.series_ = series
        return self

    def predict(self, X):
        """Predict each row of ``X`` with the model of its series.

        Parameters
        ----------
        X : pandas.DataFrame or pandas.Series
            A panel indexed like the one given to :meth:`fit`, of series seen
            there (any subset, rows in any order).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            float64, in the row order of ``X``.
        """
        check_is_fitted(self)
        owner = f"{_OWNER}.predict"
        series, rows = _series_rows(X, owner)
        unseen = [_plain(s) for s in series if s not in self.estimators_]
        if unseen:
            known = ", ".join(_plain(s) for s in self.series_[:5])
            raise ValueError(
                f"The 'X' parameter of {owner} holds {len(unseen)} series that fit "
                f"did not see ({', '.join(unseen[:3])}"
                f"{', ...' if len(unseen) > 3 else ''}); there is a model for "
                f"{len(self.series_)} series ({known}"
                f"{', ...' if len(self.series_) > 5 else ''}). Predict the fitted "
                "series only, or refit with the new ones."
            )
        by_model = {}
        for label, r in zip(series, rows, strict=True):
            model = self.estimators_[label]
            by_model.setdefault(id(model), (model, []))[1].append(r)
        out = None
        for model, parts in by_model.values():
            r = np.sort(np.concatenate(parts))
            pred = np.asarray(model.predict(_take(X, r)), dtype=np.float64)
            if out is None:
                out = np.full((len(X), *pred.shape[1:]), np.nan)
            if pred.shape != (len(r), *out.shape[1:]):
                raise ValueError(
                    f"{owner}: the models predict different shapes ({pred.shape} "
                    f"for {len(r)} rows, {out.shape[1:]} per row elsewhere). Fit "
                    "every series on targets with the same columns."
                )
            out[r] = pred
        return out

    def __sklearn_tags__(self):
        """Take NaN handling and determinism from ``estimator``."""
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.target_tags.multi_output = inner.target_tags.multi_output
        tags.regressor_tags.poor_score = inner.regressor_tags.poor_score
        tags.non_deterministic = inner.non_deterministic
        return tags


@validate_params(
    {
        "estimator": [HasMethods(["fit", "predict"])],
        "X": "no_validation",
        "y": "no_validation",
        "client": "no_validation",
        "series_per_fit": [Interval(numbers.Integral, 1, None, closed="left")],
        "progress": ["boolean", callable],
    },
    prefer_skip_nested_validation=True,
)
def fit_per_series(
    estimator, X, y, *, client=None, series_per_fit=1, progress=True
) -> PerSeriesRegressor:
    """Fit one clone of ``estimator`` per series of a panel, on Dask workers.

    The fan-out of :class:`PerSeriesRegressor`: the same parts and clones, each
    fitted as one Dask task on ``client``'s workers (or in this process when
    ``client`` is None). The data is scattered once, each part to one worker,
    and the fitted models come back as the tasks finish. The result equals
    ``PerSeriesRegressor(estimator).fit(X, y)``: with a ``random_state`` the
    models are the same, and so are their CPU predictions, bit for bit.

    Parameters
    ----------
    estimator : estimator object
        Cloned per fit (see :class:`PerSeriesRegressor`); it must pickle, as
        every scikit-learn and lstmforecast estimator does.
    X : pandas.DataFrame or pandas.Series
        A panel indexed by ``(series..., time)``; each series needs at least
        two rows.
    y : pandas.Series, pandas.DataFrame or array-like of shape (n_samples,) \
or (n_samples, n_outputs)
        Targets, one row per row of ``X`` (the same index for pandas).
    client : distributed.Client or None, default=None
        Where to fit, e.g. the client of :func:`dask_client`. None fits in a
        loop in this process (no Dask needed).
    series_per_fit : int, default=1
        Series per clone and per task (see :class:`PerSeriesRegressor`).
    progress : bool or callable, default=True
        True writes one line to stderr per finished fit (series, seconds the
        fit took on its worker, fits done out of all); a callable is called as
        ``progress(series, seconds)`` instead, ``series`` being the list of
        the fit's series labels, in the order the fits finish. False is
        silent.

    Returns
    -------
    model : PerSeriesRegressor
        Fitted: ``model.estimators_[label]`` is each series' model,
        ``model.predict(X)`` routes rows to them.

    Raises
    ------
    ValueError
        A fit's own error (bad input), its message prefixed with the series:
        the other tasks are cancelled and nothing is returned.

    See Also
    --------
    dask_client : A client on a local cluster or a running scheduler.
    PerSeriesRegressor : The fitted result; its ``fit`` is the local loop.

    Examples
    --------
    Without a client the fits run here (with one, see ``docs/scaling.md``):

    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> from lstmforecast.parallel import fit_per_series
    >>> idx = pd.MultiIndex.from_product([["a", "b"], range(4)],
    ...                                  names=["cell", "hour"])
    >>> X = pd.DataFrame({"x": [0.0, 1, 2, 3] * 2}, index=idx)
    >>> y = X["x"] * np.repeat([1.0, 2.0], 4)
    >>> model = fit_per_series(LinearRegression(), X, y, progress=False)
    >>> model.estimators_["b"].coef_
    array([2.])
    >>> model.predict(X.iloc[[3, 7]])
    array([3., 6.])
    """
    model = PerSeriesRegressor(estimator, series_per_fit=series_per_fit)
    return model._fit(X, y, client=client, progress=progress, owner="fit_per_series")
