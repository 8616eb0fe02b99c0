"""A forecast calibrated for the cost after capacity is rounded up to whole steps."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from lstmforecast._validation import as_written, refuse_renamed
from lstmforecast.regressors._conformal import ConformalRegressor

__all__ = ["CapacityRegressor"]

# Levels of the calibration errors tried as offsets.
_LEVELS = np.linspace(0.0, 1.0, 401)


def _round_up(capacity, step):
    """Whole steps up, never below 0, as ``provisioning_cost`` rounds them.

    ``step=None`` only clips at 0; the 1e-9 tolerance keeps a capacity that
    is a whole step up to floating-point noise on that step.
    """
    if step is not None:
        capacity = np.ceil(capacity / step - 1e-9) * step
    return np.maximum(capacity, 0.0)


def _mean_costs(e, f, candidates, alpha, beta, step, w=1.0) -> np.ndarray:
    """Mean cost of the calibration rows for each candidate offset (times ``w``)."""
    capacity = f[:, None] + candidates[None, :] * np.reshape(w, (-1, 1))
    capacity = _round_up(capacity, step)
    demand = (f + e)[:, None]
    over = np.maximum(capacity - demand, 0)
    return (alpha * over + beta * np.maximum(demand - capacity, 0)).mean(axis=0)


def _best_offsets(errors, pred, alpha, beta, step, relative=False) -> np.ndarray:
    """Return each column's offset that minimises the calibration rows' cost.

    ``errors`` are ``y - forecast`` on the calibration rows, ``pred`` the
    forecasts there. ``relative``: the offset is a share of ``|forecast|`` (a
    row with a zero forecast gets capacity 0 whatever the share, so it does
    not take part in the choice). Without steps the cost is piecewise linear
    in the offset and its minimum lies at an error; with steps it is piecewise
    constant, with a jump wherever a row's forecast plus the offset crosses a
    step, and may have several valleys. Candidates: 401 quantiles of the
    errors and 4,001 points from a step below the smallest error to a step
    above the largest, then 401 points around the best over one grid spacing
    either side.
    """
    out = np.empty(errors.shape[1])
    for j in range(errors.shape[1]):
        keep = np.isfinite(errors[:, j]) & np.isfinite(pred[:, j])
        if relative:
            keep &= pred[:, j] != 0
        e, f = errors[keep, j], pred[keep, j]
        w = np.abs(f) if relative else np.ones_like(f)
        pad = 0.0 if step is None else step / np.median(w)
        grid = np.linspace((e / w).min() - pad, (e / w).max() + pad, 4001)
        candidates = np.unique(np.r_[np.quantile(e / w, _LEVELS), grid])
        costs = _mean_costs(e, f, candidates, alpha, beta, step, w)
        best = candidates[int(np.argmin(costs))]
        reach = grid[1] - grid[0]
        fine = best + np.linspace(-reach, reach, 401)
        candidates = np.r_[candidates, fine]
        costs = np.r_[costs, _mean_costs(e, f, fine, alpha, beta, step, w)]
        ties = np.flatnonzero(costs == costs.min())
        out[j] = candidates[ties[np.argmin(np.abs(candidates[ties]))]]
    return out


class _Scenarios:
    """The sorted calibration errors of one column, as demand scenarios.

    The expected cost of allocating ``f + w u`` against demands ``f + w e``
    (``w = 1``, or ``|f|`` for relative errors) is ``w g(u)`` with ``g(u) =
    alpha mean((u - e)+) + beta mean((e - u)+)``: convex in ``u``, its minimum
    at the ``beta / (alpha + beta)`` quantile of ``e``, evaluated with prefix
    sums of the sorted errors.
    """

    def __init__(self, errors, alpha, beta):
        self.e = np.sort(errors[np.isfinite(errors)])
        self.sums = np.r_[0.0, np.cumsum(self.e)]
        self.alpha, self.beta = alpha, beta
        share = beta / (alpha + beta)
        self.best = float(np.quantile(self.e, share, method="inverted_cdf"))

    def cost(self, u) -> np.ndarray:
        """Return ``g(u)``, the mean cost per unit of weight, for each ``u``."""
        k = np.searchsorted(self.e, u, side="right")
        n, total = len(self.e), self.sums[-1]
        over = k * u - self.sums[k]
        under = (total - self.sums[k]) - (n - k) * u
        return (self.alpha * over + self.beta * under) / n


def _grid_allocation(pred, w, scenarios, step) -> np.ndarray:
    """Return the whole steps of least expected cost for forecasts ``pred``.

    The expected cost is convex in the capacity, so the best whole step is
    one of the two around the unconstrained minimum ``pred + w best`` (never
    below 0: demand is not negative). Ties go to the lower step; a NaN
    forecast gets NaN.
    """
    target = np.maximum(pred + w * scenarios.best, 0.0)
    if step is None:
        return target
    low = np.floor(target / step + 1e-9) * step
    high = low + step
    with np.errstate(invalid="ignore", divide="ignore"):
        u_low, u_high = (low - pred) / w, (high - pred) / w
    zero = ~(w > 0)  # a zero relative forecast (every demand 0), or NaN
    u_low[zero], u_high[zero] = 0.0, 0.0
    pick_high = (scenarios.cost(u_high) < scenarios.cost(u_low)) & ~zero
    return np.where(np.isnan(pred), np.nan, np.where(pick_high, high, low))


class _RefusesRenamedPrices:
    """Refuse the renamed ``alpha`` / ``beta`` before ``__init__`` sees them.

    A base class, so that ``inspect.signature`` still reads ``__init__``.
    """

    def __new__(cls, *args, **kwargs):
        refuse_renamed(cls.__name__, kwargs)
        return super().__new__(cls)


class CapacityRegressor(_RefusesRenamedPrices, ConformalRegressor):
    """Forecasts shifted to minimise the provisioning cost after rounding to steps.

    Capacity comes in steps (``step``, e.g. 0.05 Gbit/s) and is allocated
    rounded **up** from the forecast; over-provisioning costs ``over_cost`` per
    unit, under-provisioning ``under_cost`` (the ``alpha`` and ``beta`` of
    :func:`~lstmforecast.metrics.provisioning_cost`). Training for the cost
    alone does not know about the rounding, which is itself a margin. This
    decision rule does: ``fit`` trains a clone of ``estimator`` on the earlier
    rows and chooses, per target column, the offset that minimises the
    **realised** cost of ``ceil((forecast + offset) / step) * step`` on the latest
    ``calibration_fraction`` of the rows (after ``gap``); ``predict`` returns
    ``forecast + offset`` and :meth:`predict_capacity` the allocation
    (``decision='expected_cost'`` chooses each row's step instead). With
    ``step=None`` (exact allocation) the offset is the ``under_cost /
    (over_cost + under_cost)`` quantile of the calibration errors, what
    ``loss='provisioning'`` learns.

    Parameters
    ----------
    estimator : regressor
        Any regressor or Pipeline (squared error is fine); cloned. A network
        trained for the cost after rounding (``LSTMRegressor(loss=
        "provisioning", capacity_step=k * step)``, ``k`` tuned on
        time-ordered folds) inside ``decision='expected_cost'`` cost less
        than the squared-error forecast rounded up on every bundled Milano
        cell at 0.05 and 0.1 Gbit/s steps (user guide, section 5), at the
        price of a worse point forecast (keep the squared-error one for MSE).
    over_cost : float, default=1.0
        Cost per unit of over-provisioned capacity (renamed from ``alpha``).
    under_cost : float, default=10.0
        Cost per unit of under-provisioned capacity, blocked demand (renamed
        from ``beta``).
    step : float or None, default=None
        Capacity granularity; None allocates exactly.
    calibration_fraction : float, default=0.2
        Share of the latest rows (instants of a panel) the offset is chosen on.
    gap : int, default=0
        Rows (instants) left out before them (``H - 1`` for ``H``-step targets).
    refit : bool, default=True
        After choosing the offset, refit the estimator on all rows (its
        forecasts then use the latest data, and a ``SlidingWindow`` continues
        from the end of ``X``); False keeps the calibrated one.
    calibration_window : int or None, default=None
        Choose the offset on the errors of the latest this many instants only
        (rows of one series, times of a panel), at ``fit`` and after each
        :meth:`update` with the realised demand: a **rolling** decision rule
        that follows a change of regime (the holidays, when traffic falls and
        an offset learnt on working weeks over-provisions) within a window.
        None keeps every error. It helps when the errors drift and
        :meth:`~ConformalRegressor.update` is fed; it hurts on a stable series
        (an offset from fewer errors is noisier).
    per_series : bool, default=False
        For a panel, choose every series' own offsets on its own errors: a
        quiet cell and a busy one need different margins, and rounding to the
        steps is a larger share of a quiet cell's demand. Needs a panel at
        ``fit``, ``update`` and ``predict`` time.
    relative : bool, default=False
        The offset as a share of the forecast, ``f (1 + r)`` for ``f >= 0``
        (``f + r |f|``): a margin that follows the level, so the holidays,
        when a cell's traffic falls to a tenth, get a tenth of the working
        weeks' margin instead of all of it. It helps where errors grow with
        the level; it hurts where they do not (a night's forecast near zero
        gets no margin).
    decision : {'offset', 'expected_cost'}, default='offset'
        How a forecast becomes an allocation. ``'offset'``: round ``forecast
        + offset_`` up to the next step, one margin for every row.
        ``'expected_cost'``: for each row, the whole step of least expected
        cost when the demand is the forecast plus any of the kept calibration
        errors (each an equally likely scenario; shares of ``|forecast|``
        with ``relative=True``), so a forecast just above a step may be
        allocated that step, not the next one, when the few scenarios above
        it cost less than a whole step of idle capacity. :meth:`predict`
        then returns the allocation itself. It helps when steps are coarse
        against the errors (0.1 Gbit/s on a quiet cell), where one offset
        rounds some rows up by almost a step and others by almost nothing;
        with ``step=None`` it allocates the ``under_cost / (over_cost +
        under_cost)`` quantile of the scenarios (never below 0), the value
        the offset rule approximates on its candidates; for errors that do not
        depend on the row, a constant threshold much like the offset. It
        hurts with ``relative=True`` where forecasts come near zero (a
        night's error as a share of a tiny forecast becomes a huge scenario
        for a busy hour), and when the calibration errors do not describe
        the new ones (a change of regime the window has not caught up with).

    Attributes
    ----------
    estimator_ : regressor
        The clone that forecasts.
    offset_ : ndarray of shape (n_outputs,)
        The offset added to each target column's forecast (with
        ``relative=True``, the share of ``|forecast|`` added); ``(n_series,
        n_outputs)`` with ``per_series=True``, in the order of ``series_``.
        Fitted whatever the ``decision``, but only ``'offset'`` allocates
        from it.
    calibration_cost_ : ndarray of shape (n_outputs,)
        The calibration rows' cost with that offset (with
        ``decision='expected_cost'``, with that decision), and ``raw_cost_`` without
        (per series too, with ``per_series=True``).
    n_calibration_ : ndarray of int of shape (n_outputs,)
        Calibration rows per column (after :meth:`update`, the kept ones).

    See Also
    --------
    lstmforecast.metrics.provisioning_cost : The cost being minimised.
    ConformalRegressor : The same split, for intervals.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from lstmforecast.metrics import provisioning_cost
    >>> from lstmforecast.regressors import CapacityRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(0, 1, (3000, 2))
    >>> y = X.sum(axis=1) + rng.normal(0, 0.05, 3000)
    >>> plan = CapacityRegressor(Ridge(), step=0.1).fit(X[:2000], y[:2000])
    >>> raw = Ridge().fit(X[:2000], y[:2000]).predict(X[2000:])
    >>> cost = lambda f: provisioning_cost(y[2000:], f, step=0.1)
    >>> bool(cost(plan.predict(X[2000:])) < cost(raw))
    True
    """

    _parameter_constraints = {
        **ConformalRegressor._parameter_constraints,
        "over_cost": [Interval(numbers.Real, 0, None, closed="left")],
        "under_cost": [Interval(numbers.Real, 0, None, closed="left")],
        "step": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "decision": [StrOptions({"offset", "expected_cost"})],
    }

    def __init__(
        self,
        estimator,
        *,
        over_cost=1.0,
        under_cost=10.0,
        step=None,
        calibration_fraction=0.2,
        gap=0,
        refit=True,
        calibration_window=None,
        per_series=False,
        relative=False,
        decision="offset",
    ):
        super().__init__(
            estimator,
            calibration_fraction=calibration_fraction,
            gap=gap,
            refit=refit,
            calibration_window=calibration_window,
            per_series=per_series,
            relative=relative,
        )
        self.over_cost = over_cost
        self.under_cost = under_cost
        self.step = step
        self.decision = decision

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the estimator and choose each column's offset on the latest rows.

        Parameters
        ----------
        X : array-like, DataFrame or panel of shape (n_samples, ...)
            Inputs of ``estimator``, rows in time order (a panel: cut by time).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Demand.

        Returns
        -------
        self : CapacityRegressor
            The fitted model.
        """
        if self.over_cost + self.under_cost == 0:
            raise ValueError(
                "CapacityRegressor needs a positive 'over_cost' or 'under_cost' (both "
                "are 0, so every allocation would cost nothing)."
            )
        self._calibrate(X, y)  # the early model's errors, then refit
        self._recalibrate()
        return self

    def _recalibrate(self):
        """Choose each column's offset on the kept errors (after fit and update)."""
        super()._recalibrate()
        step = None if self.step is None else float(self.step)
        prices = (self.over_cost, self.under_cost)
        offsets, costs, raw, self._scenarios = [], [], [], []
        for g, (errors, pred) in enumerate(self._by_group()):
            self._check_usable(errors, pred, g)
            offsets.append(_best_offsets(errors, pred, *prices, step, self.relative))
            self._scenarios.append(self._scenarios_of(errors, pred))
            costs.append(self._cost(errors, pred, offsets[-1], len(costs)))
            raw.append(self._cost(errors, pred, np.zeros_like(offsets[-1])))
        pick = (lambda v: np.array(v)) if self.per_series else (lambda v: v[0])
        self.offset_, self.calibration_cost_ = pick(offsets), pick(costs)
        self.raw_cost_ = pick(raw)

    def __sklearn_tags__(self):
        """Declare a poor R²: the forecasts are shifted up for the cost, by design."""
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags

    def _check_usable(self, errors, pred, group: int):
        """Refuse a column with no finite error (shares of a nonzero forecast)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            usable = np.isfinite(errors / self._weight(pred)).sum(axis=0)
        if usable.all():
            return
        column = int(np.flatnonzero(usable == 0)[0])
        where = ""
        if self.per_series:
            where = f" of series {as_written(self.series_[group])}"
        reason = (
            "every kept forecast is 0, and relative errors are shares of it"
            if self.relative
            else "every kept forecast or target is NaN"
        )
        raise ValueError(
            f"CapacityRegressor has no usable calibration error for target column "
            f"{column}{where}: {reason}. Keep more errors (a larger "
            "'calibration_window' or 'calibration_fraction')"
            + (", or relative=False." if self.relative else ".")
        )

    def _scenarios_of(self, errors, pred) -> list[_Scenarios]:
        """Each column's errors (shares of the forecast if relative) as scenarios."""
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = errors / self._weight(pred)
        prices = (self.over_cost, self.under_cost)
        return [_Scenarios(shares[:, j], *prices) for j in range(errors.shape[1])]

    def _allocate(self, pred, groups) -> np.ndarray:
        """Return the expected-cost allocation of ``pred`` (rows, outputs)."""
        step = None if self.step is None else float(self.step)
        out, w = np.full(pred.shape, np.nan), self._weight(pred)
        for g in np.unique(groups):
            rows = groups == g
            for j, scenarios in enumerate(self._scenarios[g]):
                out[rows, j] = _grid_allocation(
                    pred[rows, j], w[rows, j], scenarios, step
                )
        return out

    def _cost(self, errors, pred, offset, group=None) -> np.ndarray:
        """Mean cost of the rows: the offset rule, or the decision of ``group``."""
        if group is not None and self.decision == "expected_cost":
            capacity = self._allocate(pred, np.full(len(pred), group))
        else:
            capacity = _round_up(pred + offset * self._weight(pred), self.step)
        demand = pred + errors
        cost = self.over_cost * np.maximum(
            capacity - demand, 0
        ) + self.under_cost * np.maximum(demand - capacity, 0)
        return np.nanmean(cost, axis=0)

    def predict(self, X):
        """Return what to allocate from: forecast + offset, or the allocation.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Inputs of ``estimator``.

        Returns
        -------
        y_pred : ndarray
            ``estimator_.predict(X) + offset_``, in its shape; with
            ``decision='expected_cost'``, the allocation (whole steps).
        """
        pred = np.asarray(super().predict(X), dtype=float)
        groups = self._group_of_rows(X, len(pred))
        pred2 = pred.reshape(len(pred), -1)
        if self.decision == "expected_cost":
            return self._allocate(pred2, groups).reshape(pred.shape)
        offset = np.atleast_2d(self.offset_)[groups]
        shifted = pred2 + offset * self._weight(pred2)
        return shifted.reshape(pred.shape)

    def predict_capacity(self, X):
        """Return the capacity to allocate: :meth:`predict` rounded up to ``step``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Inputs of ``estimator``.

        Returns
        -------
        capacity : ndarray
            Whole steps (never below 0), in :meth:`predict`'s shape.
        """
        return _round_up(np.asarray(self.predict(X), dtype=float), self.step)

    def predict_interval(self, X, coverage=0.8):
        """Not provided: use :class:`ConformalRegressor` for intervals.

        Parameters
        ----------
        X : array-like
            Unused.
        coverage : float, default=0.8
            Unused.

        Raises
        ------
        AttributeError
            Always.
        """
        raise AttributeError(
            "CapacityRegressor gives allocations, not intervals: wrap the estimator "
            "in ConformalRegressor for predict_interval."
        )
