"""Errors of multi-step forecasts step by step, and the seasonal naive to beat."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.utils._param_validation import Interval

from lstmforecast._validation import validate_params
from lstmforecast.metrics._provisioning import (
    _ALLOCATION_CONSTRAINTS,
    as_floats,
    check_cost_params,
    provisioning_cost,
)
from lstmforecast.preprocessing._panel import (
    as_time_index,
    lead_positions,
    panel_layout,
    regular_step,
)

__all__ = ["horizon_report", "seasonal_naive_forecast"]


def _steps_array(values, name: str) -> np.ndarray:
    """(n, H) float copy of a target / forecast; NaN allowed, infinities not."""
    arr = np.array(as_floats(values, name, "horizon_report"))  # a copy
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(
            f"'{name}' must be 1-D (one step) or 2-D of shape (n_samples, horizon); "
            f"got shape {arr.shape}."
        )
    if np.isinf(arr).any():
        raise ValueError(
            f"'{name}' has {int(np.isinf(arr).sum())} infinite values. NaN marks a "
            "value that is not in the data (and is left out); an infinity is not a "
            "forecast. Replace them with NaN or finite values."
        )
    return arr


def _check_rows(named: dict) -> dict:
    """Return the inputs as (n, H) arrays, checking one shape and one index."""
    arrays = {name: _steps_array(v, name) for name, v in named.items()}
    (first, ref), *others = arrays.items()
    for name, arr in others:
        if arr.shape != ref.shape:
            raise ValueError(
                f"'{name}' has shape {arr.shape} but '{first}' has {ref.shape}: give "
                "one value per row and horizon step in both."
            )
    indexed = {
        n: v.index for n, v in named.items() if isinstance(v, pd.Series | pd.DataFrame)
    }
    if len(indexed) > 1:
        (first, index), *others = indexed.items()
        for name, other in others:
            if not other.equals(index):
                raise ValueError(
                    f"'{name}' and '{first}' are on different indexes (rows are "
                    "matched by position). Align them first, e.g. "
                    f"{name}.reindex({first}.index)."
                )
    return arrays


def _scores(truth, pred, cost_params) -> dict:
    """MSE, RMSE, MAE, R² and cost per row of one step on the rows kept."""
    n = len(truth)
    if n == 0:
        keys = ("mse", "rmse", "mae", "r2", "cost")
        return dict.fromkeys(keys, np.nan)
    mse = mean_squared_error(truth, pred)
    return {
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "mae": mean_absolute_error(truth, pred),
        "r2": r2_score(truth, pred) if n > 1 else np.nan,
        "cost": provisioning_cost(truth, pred, **cost_params),
    }


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "y_naive": ["array-like", None],
        **_ALLOCATION_CONSTRAINTS,
    },
    prefer_skip_nested_validation=True,
)
def horizon_report(
    y_true,
    y_pred,
    *,
    y_naive=None,
    alpha=1.0,
    beta=10.0,
    step=None,
    policy="ceil",
    margin=0.0,
    relative_margin=0.0,
):
    """Score a multi-step forecast step by step: errors and provisioning cost.

    Column ``h - 1`` of an ``(n, H)`` target holds, for the row at time ``t``, the
    value at ``t + h - 1``: step ``h`` of the forecast. Each step is scored on its
    own rows: rows where ``y_true``, ``y_pred`` or ``y_naive`` is NaN at that step
    (the future is not in the data, the model had no history) are left out and
    counted, never scored as zero. The model and the naive forecast are scored on
    the same rows, so their ratio compares like with like.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, horizon) or (n_samples,)
        Targets; NaN where the value is not in the data.
    y_pred : array-like of the same shape
        The model's forecasts; NaN where it has none.
    y_naive : array-like of the same shape or None, default=None
        A reference forecast (see :func:`seasonal_naive_forecast`); adds its
        scores and the model / naive ratios.
    alpha : float, default=1.0
        Cost per unit of over-provisioned capacity (see :func:`provisioning_cost`).
    beta : float, default=10.0
        Cost per unit of under-provisioned capacity.
    step : float or None, default=None
        Capacity granularity; None allocates exactly.
    policy : {'ceil', 'round'}, default='ceil'
        How the capacity is put on the steps.
    margin : float, default=0.0
        Fixed safety margin, in target units.
    relative_margin : float, default=0.0
        Relative safety margin.

    Returns
    -------
    report : pandas.DataFrame
        Index ``horizon`` = 1 .. H. Columns ``mse``, ``rmse`` (its square
        root, in the target's units), ``mae``, ``r2`` (NaN under 2 rows),
        ``cost`` (provisioning cost per row), ``n`` (rows scored) and
        ``n_skipped`` (rows left out); with ``y_naive`` also ``naive_mse``,
        ``naive_rmse``, ``naive_mae``, ``naive_r2``, ``naive_cost`` and the
        ratios ``mse_ratio`` and ``cost_ratio`` (model / naive: below 1, the
        model is better). The cost parameters are kept in
        ``report.attrs["cost_params"]``.

    See Also
    --------
    seasonal_naive_forecast : The reference forecast to pass as ``y_naive``.
    provisioning_cost : The cost of each step.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast.metrics import horizon_report
    >>> y_true = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, np.nan]])  # last: no future
    >>> y_pred = np.array([[1.0, 2.5], [2.5, 2.5], [3.0, 4.0]])
    >>> naive = np.array([[0.0, 1.0], [1.0, 2.0], [2.0, 3.0]])
    >>> report = horizon_report(y_true, y_pred, y_naive=naive, alpha=1, beta=10)
    >>> report[["mse", "cost", "n", "n_skipped", "mse_ratio", "cost_ratio"]]
                  mse      cost  n  n_skipped  mse_ratio  cost_ratio
    horizon
    1        0.083333  0.166667  3          0   0.083333    0.016667
    2        0.250000  2.750000  2          1   0.250000    0.275000
    """
    arrays = _check_rows(
        {"y_true": y_true, "y_pred": y_pred}
        | ({} if y_naive is None else {"y_naive": y_naive})
    )
    cost_params = {
        "alpha": alpha, "beta": beta, "step": step, "policy": policy,
        "margin": margin, "relative_margin": relative_margin,
    }  # fmt: skip
    check_cost_params(cost_params, "horizon_report")  # finite, not both 0
    keep = np.logical_and.reduce([~np.isnan(a) for a in arrays.values()])
    if not keep.any():
        raise ValueError(
            "Every row of every step has NaN in y_true, y_pred"
            + (" or y_naive" if y_naive is not None else "")
            + ": there is nothing to score. Check that the forecasts and targets "
            "cover the same rows."
        )
    truth, pred = arrays["y_true"], arrays["y_pred"]
    rows = []
    for h in range(truth.shape[1]):
        kept = keep[:, h]
        row = _scores(truth[kept, h], pred[kept, h], cost_params)
        row |= {"n": int(kept.sum()), "n_skipped": int((~kept).sum())}
        if y_naive is not None:
            naive = _scores(truth[kept, h], arrays["y_naive"][kept, h], cost_params)
            row |= {f"naive_{k}": v for k, v in naive.items()}
        rows.append(row)
    report = pd.DataFrame(
        rows, index=pd.RangeIndex(1, truth.shape[1] + 1, name="horizon")
    )
    if y_naive is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            report["mse_ratio"] = report["mse"] / report["naive_mse"]
            report["cost_ratio"] = report["cost"] / report["naive_cost"]
    report.attrs["cost_params"] = cost_params
    return report


def _naive_sources(y, horizon: int, season: int, owner: str):
    """Values of ``y`` and, per column, the row each row reads (-1: not in data).

    Rows are read by position within their own series after the series' order
    is verified (strictly increasing, regularly spaced times, no duplicates), as
    :func:`~lstmforecast.preprocessing.make_horizon_targets` reads the future.
    """
    if isinstance(y, pd.Series):
        if not pd.api.types.is_numeric_dtype(y.dtype) or pd.api.types.is_bool_dtype(
            y.dtype
        ):
            raise ValueError(
                f"The 'y' parameter of {owner} must hold numbers; got dtype "
                f"{y.dtype}. Convert it first (y.astype(float))."
            )
        values, index = y.to_numpy(dtype=float, na_value=np.nan, copy=True), y.index
    else:
        try:
            values = np.array(y)  # a copy: the input is never modified
        except ValueError:  # ragged lists
            values = np.array(y, dtype=object)
        if values.ndim != 1 or values.dtype.kind not in "fiu":
            raise ValueError(
                f"The 'y' parameter of {owner} must be a 1-D numeric array or a "
                f"Series (one value per row); got dtype {values.dtype}, shape "
                f"{values.shape}. For a frame, pass one column (frame['internet'])."
            )
        values, index = values.astype(float), None
    layout = None
    if isinstance(index, pd.MultiIndex):
        layout = panel_layout(index, owner)
    elif index is not None:
        where = "the index of y"
        regular_step(as_time_index(index, owner, where), owner, where)
    sources = [
        lead_positions(
            index if layout is not None else None,
            h - season,
            owner,
            n=len(values),
            layout=layout,
        )
        for h in range(horizon)
    ]
    return values, sources


@validate_params(
    {
        "y": ["array-like"],
        "horizon": [Interval(numbers.Integral, 1, None, closed="left")],
        "season": [Interval(numbers.Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def seasonal_naive_forecast(y, horizon, *, season=24):
    """Forecast each step of a multi-step target by its value one season earlier.

    For the row at time ``t`` (whose window ends at ``t - 1``), step ``h`` (column
    ``h - 1``, the value at ``t + h - 1``) is forecast by the same series' value
    one season earlier, at ``t + h - 1 - season``; NaN where that time is not in
    the data. It never reads another series, and never the future: every column
    must read before ``t``, so ``horizon <= season``. With ``season=4,
    horizon=3``, the row at ``t = 4`` (known: times 0 to 3)::

        time        0  1  2  3 | 4  5  6
        column 0    a ---------> a          value at 4 <- value at 0
        column 1       b ---------> b       value at 5 <- value at 1
        column 2          c ---------> c    value at 6 <- value at 2

    The order is verified, never assumed, as in
    :func:`~lstmforecast.preprocessing.make_horizon_targets`: the times (the
    index, datetimes or integers, or the last level of a ``(series, time)``
    MultiIndex) must be strictly increasing and regularly spaced within each
    series, so "a season ago" is the row ``season`` rows earlier in the same
    series. Series may come in any order (sorted by series, or time-major). A
    plain array is one series, one row per step.

    Parameters
    ----------
    y : pandas.Series or array-like of shape (n_samples,)
        One value per row: a Series indexed by time or by ``(series, time)``, or
        an array of consecutive steps of one series.
    horizon : int
        Number of steps ``H`` (columns), ``1 <= horizon <= season``.
    season : int, default=24
        Length of the season in steps (24 for daily seasonality of hourly data,
        168 for weekly).

    Returns
    -------
    forecast : pandas.DataFrame of shape (n_samples, horizon)
        With ``y``'s index (a RangeIndex for arrays) and columns
        ``{name}_h1 .. {name}_h{horizon}`` (``name`` is ``y.name``, or ``'y'``).

    See Also
    --------
    horizon_report : Scores a forecast against this one, step by step.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from lstmforecast.metrics import seasonal_naive_forecast
    >>> index = pd.MultiIndex.from_product([[1, 2], range(6)], names=["cell", "time"])
    >>> y = pd.Series(np.r_[0:6, 10:16].astype(float), index=index, name="internet")
    >>> seasonal_naive_forecast(y, 2, season=3).loc[2]
          internet_h1  internet_h2
    time
    0             NaN          NaN
    1             NaN          NaN
    2             NaN         10.0
    3            10.0         11.0
    4            11.0         12.0
    5            12.0         13.0
    """
    owner = "seasonal_naive_forecast"
    if isinstance(y, pd.DataFrame):
        raise TypeError(
            f"{owner} needs 'y' as one series of values (a pandas Series or a 1-D "
            "array); got a DataFrame. Pass one column, e.g. frame['internet']."
        )
    if horizon > season:
        raise ValueError(
            f"The 'horizon' parameter of {owner} must be <= season ({season}): "
            f"column h reads time t + h - season, so with horizon={horizon} the last "
            f"{horizon - season} column(s) would read the future. Use a shorter "
            "horizon or a longer season (e.g. season=168)."
        )
    values, sources = _naive_sources(y, horizon, season, owner)
    out = np.full((len(values), horizon), np.nan)
    for h, src in enumerate(sources):
        found = src >= 0
        out[found, h] = values[src[found]]
    name = "y" if getattr(y, "name", None) is None else str(y.name)
    index = y.index.copy() if isinstance(y, pd.Series) else pd.RangeIndex(len(values))
    columns = [f"{name}_h{h + 1}" for h in range(horizon)]
    return pd.DataFrame(out, index=index, columns=columns)
