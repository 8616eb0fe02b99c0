"""The provisioning cost of allocating capacity from a forecast, and its scorer."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from lstmforecast._validation import validate_params
from lstmforecast.datasets._schema import as_written

__all__ = ["make_provisioning_scorer", "provisioning_cost"]


def as_floats(values, name: str, owner: str) -> np.ndarray:
    """``values`` as a float array, or a one-line error naming the first non-number."""
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        pass
    try:
        items = np.asarray(values, dtype=object)
    except ValueError:  # ragged lists
        items = None
    sequences = (list, tuple, np.ndarray)
    if items is not None and not any(isinstance(v, sequences) for v in items.flat):
        for position, value in np.ndenumerate(items):
            try:
                float(value)
            except (TypeError, ValueError):
                where = f"{name}[{', '.join(map(str, position))}]" if position else "it"
                raise ValueError(
                    f"The '{name}' parameter of {owner} must hold numbers, but "
                    f"{where} is {as_written(value)[:40]}. Convert it first "
                    "(pandas.to_numeric), or drop those rows."
                ) from None
    raise ValueError(
        f"The '{name}' parameter of {owner} must be a rectangular array of numbers, "
        "but its rows have different lengths. Give every row the same number of "
        "values."
    )


def _as_2d(values, name: str) -> np.ndarray:
    arr = as_floats(values, name, "provisioning_cost")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(
            f"'{name}' must be 1-D (one series) or 2-D (one column per output); got "
            f"shape {arr.shape}."
        )
    return arr


def _weights(sample_weight, n_hours: int) -> np.ndarray:
    """Finite weights >= 0, one per hour, or a one-line error saying what is wrong."""
    weights = as_floats(sample_weight, "sample_weight", "provisioning_cost")
    if weights.shape != (n_hours,):
        problem = f"got shape {np.shape(sample_weight)}"
    elif not np.isfinite(weights).all():
        problem = "got NaN or infinite weights"
    elif (weights < 0).any():
        problem = f"got a negative weight ({weights.min():g})"
    else:
        return weights
    raise ValueError(
        "'sample_weight' must be a 1-D array of finite weights >= 0, one per hour "
        f"({n_hours}); {problem}. Fix the weights, or pass None."
    )


def _capacity(y_pred, *, step, policy, margin, relative_margin) -> np.ndarray:
    """Capacity allocated from the forecast: margins first, then the steps."""
    raw = y_pred * (1.0 + relative_margin) + margin
    if step is not None:
        if policy == "ceil":
            # a tiny tolerance: 2.0000000001 steps of float noise is still 2 steps
            raw = np.ceil(raw / step - 1e-9) * step
        else:
            raw = np.round(raw / step) * step
    return np.maximum(raw, 0.0)


# How capacity is allocated and priced: shared by every function built on the cost.
_ALLOCATION_CONSTRAINTS = {
    "alpha": [Interval(numbers.Real, 0, None, closed="left")],
    "beta": [Interval(numbers.Real, 0, None, closed="left")],
    "step": [Interval(numbers.Real, 0, None, closed="neither"), None],
    "policy": [StrOptions({"ceil", "round"})],
    "margin": [Interval(numbers.Real, None, None, closed="neither")],
    "relative_margin": [Interval(numbers.Real, -1, None, closed="neither")],
}


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        **_ALLOCATION_CONSTRAINTS,
        "reduce": [StrOptions({"mean", "sum"})],
        "sample_weight": ["array-like", None],
        "multioutput": [StrOptions({"uniform_average", "raw_values"})],
        "return_parts": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def provisioning_cost(
    y_true,
    y_pred,
    *,
    alpha=1.0,
    beta=10.0,
    step=None,
    policy="ceil",
    margin=0.0,
    relative_margin=0.0,
    reduce="mean",
    sample_weight=None,
    multioutput="uniform_average",
    return_parts=False,
):
    """Cost of allocating capacity from a forecast: ``alpha`` over, ``beta`` under.

    Capacity is the forecast plus an optional safety margin, rounded to whole
    ``step`` units (``policy='ceil'``: the next step up, as an operator switching
    1 Gbit/s carriers on does). Then, hour by hour::

        over  = max(capacity - demand, 0)    # wasted energy, alpha per unit
        under = max(demand - capacity, 0)    # blocked traffic, beta per unit
        cost  = alpha * over + beta * under

    averaged (or summed) over the hours. Lower is better; the best value is 0.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Demand (finite).
    y_pred : array-like of the same shape
        Forecast (finite).
    alpha : float, default=1.0
        Cost per unit of over-provisioned capacity, >= 0.
    beta : float, default=10.0
        Cost per unit of under-provisioned capacity (blocked demand), >= 0.
    step : float or None, default=None
        Capacity granularity (e.g. 1 for 1 Gbit/s steps); None allocates exactly.
    policy : {'ceil', 'round'}, default='ceil'
        How the capacity is put on the steps: the next step up, or the nearest.
    margin : float, default=0.0
        Fixed safety margin added to the forecast, in demand units.
    relative_margin : float, default=0.0
        Relative safety margin: the forecast is multiplied by ``1 +
        relative_margin`` (before ``margin`` is added).
    reduce : {'mean', 'sum'}, default='mean'
        Cost per hour (weighted mean) or total (weighted sum).
    sample_weight : array-like of shape (n_samples,) or None, default=None
        Weights of the hours.
    multioutput : {'uniform_average', 'raw_values'}, default='uniform_average'
        Average the outputs' costs, or return one per output.
    return_parts : bool, default=False
        Also return the over- and under-provisioned amounts (in demand units,
        reduced like the cost).

    Returns
    -------
    cost : float or ndarray of shape (n_outputs,)
        The provisioning cost; with ``return_parts=True`` a dict with keys
        ``'cost'``, ``'over'`` and ``'under'``.

    See Also
    --------
    make_provisioning_scorer : The same cost as a scorer for ``GridSearchCV``.
    sklearn.metrics.mean_pinball_loss : Its continuous cousin: with ``step=None``
        the cost equals ``(alpha + beta)`` times the pinball loss of quantile
        ``beta / (alpha + beta)``.

    Examples
    --------
    >>> from lstmforecast.metrics import provisioning_cost
    >>> demand = [2.5, 0.4, 1.0]
    >>> forecast = [2.2, 0.9, 1.0]
    >>> provisioning_cost(demand, forecast, alpha=1, beta=10)  # (3 + 0.5 + 0) / 3
    1.1666...
    >>> provisioning_cost(demand, forecast, alpha=1, beta=10, step=1)  # 3, 1, 1
    0.3666...
    >>> parts = provisioning_cost(demand, demand, step=1, return_parts=True)
    >>> parts["over"], parts["under"]  # a perfect forecast still rounds up
    (0.3666..., 0.0)
    """
    truth = _as_2d(y_true, "y_true")
    pred = _as_2d(y_pred, "y_pred")
    if truth.shape != pred.shape:
        shapes = np.shape(y_true), np.shape(y_pred)
        samples = "numbers of samples" if len(truth) != len(pred) else "shapes"
        raise ValueError(
            f"'y_true' and 'y_pred' must have the same shape (one forecast per "
            f"demand value); got inconsistent {samples}: {shapes[0]} and "
            f"{shapes[1]}."
        )
    for name, arr in (("y_true", truth), ("y_pred", pred)):
        if not np.isfinite(arr).all():
            raise ValueError(
                f"'{name}' has NaN or infinite values ({int((~np.isfinite(arr)).sum())}"
                "). Drop those hours first (the scorer from make_provisioning_scorer "
                "skips rows the model could not forecast)."
            )
    if len(truth) == 0:
        raise ValueError("'y_true' is empty: there is no hour to cost.")
    for name, value in (("alpha", alpha), ("beta", beta), ("margin", margin)):
        if not np.isfinite(value):
            raise ValueError(
                f"The '{name}' parameter of provisioning_cost must be finite; got "
                f"{as_written(value)}."
            )
    if step is not None and not np.isfinite(step):
        raise ValueError(
            "The 'step' parameter of provisioning_cost must be finite or None; got "
            f"{as_written(step)}."
        )
    if alpha == 0 and beta == 0:
        raise ValueError(
            "The 'alpha' and 'beta' parameters are both 0, so every allocation costs "
            "nothing. Give at least one a positive cost."
        )
    weights = None
    if sample_weight is not None:
        weights = _weights(sample_weight, len(truth))
    capacity = _capacity(
        pred, step=step, policy=policy, margin=margin, relative_margin=relative_margin
    )
    over = np.maximum(capacity - truth, 0.0)
    under = np.maximum(truth - capacity, 0.0)
    cost = alpha * over + beta * under

    def reduce_(values):
        if reduce == "sum":
            out = (values * (1.0 if weights is None else weights[:, None])).sum(0)
        else:
            out = np.average(values, axis=0, weights=weights)
        return out if multioutput == "raw_values" else float(np.mean(out))

    with np.errstate(over="ignore", invalid="ignore"):
        parts = {"cost": reduce_(cost), "over": reduce_(over), "under": reduce_(under)}
    if not np.isfinite(parts["cost"]).all():
        raise ValueError(
            "The provisioning cost overflows float64 (finite demand and forecasts, "
            f"but alpha={alpha:g} x over + beta={beta:g} x under is too large to "
            "add up). Scale the data (e.g. to Gbit/s) or the prices first."
        )
    return parts if return_parts else parts["cost"]


class _ProvisioningScorer:
    """Callable ``scorer(estimator, X, y)``: minus the provisioning cost.

    Rows the estimator predicts as NaN (no history) and rows whose target has NaN
    (a multi-step target whose future is not in the data) are left out and
    counted in ``n_skipped_``, never scored as zero. An infinite prediction (a
    model that diverged) scores ``-inf``: the worst, never the best.
    """

    def __init__(self, **cost_params):
        self.cost_params = cost_params
        self.n_skipped_ = 0

    def __call__(self, estimator, X, y_true, sample_weight=None):
        with warnings.catch_warnings():
            # the NaN predictions they announce are skipped and counted below
            for message in (".*rows of X have NaN", ".*forecast steps are NaN"):
                warnings.filterwarnings("ignore", message, UserWarning)
            y_pred = np.asarray(estimator.predict(X), dtype=float)
        truth = as_floats(y_true, "y_true", "the provisioning scorer")
        if len(truth) != len(y_pred):
            raise ValueError(
                f"The provisioning scorer got inconsistent numbers of samples: "
                f"{len(truth)} targets for {len(y_pred)} predictions of "
                f"{type(estimator).__name__}. Pass one target row per row of X."
            )
        if np.isinf(y_pred).any():
            # a forecast that blew up is the worst candidate, never a free one
            owner = type(estimator).__name__
            warnings.warn(
                f"{int(np.isinf(y_pred).sum())} predictions of {owner} are "
                "infinite: scored as the worst possible cost (-inf).",
                UserWarning,
                stacklevel=2,
            )
            self.n_skipped_ = 0
            return -np.inf
        no_forecast = np.isnan(y_pred.reshape(len(y_pred), -1)).any(axis=1)
        no_target = np.isnan(truth.reshape(len(truth), -1)).any(axis=1)
        keep = ~(no_forecast | no_target)
        self.n_skipped_ = int((~keep).sum())
        if not keep.any():
            raise ValueError(
                f"Every one of the {len(keep)} rows has a NaN prediction "
                f"({int(no_forecast.sum())} rows) or a NaN target "
                f"({int(no_target.sum())} rows), so the provisioning cost cannot be "
                "computed. Give the model's inputs history, and score rows whose "
                "future is in the data."
            )
        weights = None
        if sample_weight is not None:
            weights = _weights(sample_weight, len(truth))[keep]
        cost = provisioning_cost(
            truth[keep],
            y_pred[keep],
            sample_weight=weights,
            **self.cost_params,
        )
        return -cost

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in self.cost_params.items())
        return f"make_provisioning_scorer({params})"


def make_provisioning_scorer(
    *,
    alpha=1.0,
    beta=10.0,
    step=None,
    policy="ceil",
    margin=0.0,
    relative_margin=0.0,
):
    """Build a scorer from :func:`provisioning_cost`, for ``scoring=`` in searches.

    Greater is better, so it returns **minus** the cost per hour. Rows the model
    predicts as NaN (windows or lags without history) and rows whose target has NaN
    (the last rows of a multi-step ``(n, H)`` target, whose future is not in the
    data) are skipped whole, and their number is kept in the scorer's
    ``n_skipped_`` after each call: they are never scored as a perfect (zero)
    cost. A model that predicts an infinite value (it diverged) scores ``-inf``,
    the worst, with a warning; the networks refuse to return a non-finite
    forecast for a complete window, so their NaN always means "no history".
    Works with any estimator that predicts in the target's units,
    ``TransformedTargetRegressor`` included.

    Parameters
    ----------
    alpha : float, default=1.0
        Cost per unit of over-provisioned capacity.
    beta : float, default=10.0
        Cost per unit of under-provisioned capacity.
    step : float or None, default=None
        Capacity granularity; None allocates exactly.
    policy : {'ceil', 'round'}, default='ceil'
        Rounding onto the steps.
    margin : float, default=0.0
        Fixed safety margin, in target units.
    relative_margin : float, default=0.0
        Relative safety margin.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, sample_weight=None)`` -> float.

    See Also
    --------
    provisioning_cost : The cost itself.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyRegressor
    >>> from lstmforecast.metrics import make_provisioning_scorer
    >>> X, y = np.zeros((4, 1)), np.array([1.0, 2.0, 3.0, 4.0])
    >>> scorer = make_provisioning_scorer(alpha=1, beta=10)
    >>> high = DummyRegressor(strategy="quantile", quantile=0.9).fit(X, y)  # 3.7
    >>> median = DummyRegressor(strategy="median").fit(X, y)  # 2.5
    >>> scorer(high, X, y), scorer(median, X, y)  # blocking costs 10x: aim high
    (-2.02..., -5.5)
    """
    params = {
        "alpha": alpha,
        "beta": beta,
        "step": step,
        "policy": policy,
        "margin": margin,
        "relative_margin": relative_margin,
    }
    # validate now, so a bad parameter fails when the scorer is built
    check_cost_params(params, "make_provisioning_scorer")
    return _ProvisioningScorer(**params)


def check_cost_params(params: dict, owner: str) -> None:
    """Check the allocation parameters as provisioning_cost does, naming ``owner``."""
    try:
        provisioning_cost([1.0], [1.0], **params)
    except ValueError as exc:  # InvalidParameterError included
        message = str(exc).replace("of provisioning_cost", f"of {owner}")
        if message.startswith("The 'alpha' and 'beta' parameters are"):
            message = message.replace("parameters are", f"parameters of {owner} are")
        raise type(exc)(message) from None
