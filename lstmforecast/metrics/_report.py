"""Energy / acceptance report of capacity allocations, and the lab's unit scaling."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import Interval, StrOptions

from lstmforecast._validation import validate_params
from lstmforecast.metrics._provisioning import _capacity, as_floats, provisioning_cost

__all__ = ["provisioning_report", "scale_to_peak"]


def _finite_1d(values, name: str, owner: str = "provisioning_report") -> np.ndarray:
    arr = as_floats(values, name, owner)
    if arr.ndim != 1:
        raise ValueError(
            f"'{name}' must be 1-D (one value per hour); got shape {arr.shape}. Pass "
            "one series of hours (e.g. y.ravel() for one column)."
        )
    if not np.isfinite(arr).all():
        raise ValueError(
            f"'{name}' has NaN or infinite values ({int((~np.isfinite(arr)).sum())} "
            f"of {arr.size}); drop those hours first."
        )
    return arr


@validate_params(
    {
        "y_true": ["array-like"],
        "peak": [Interval(numbers.Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def scale_to_peak(y_true, *forecasts, peak=1.0):
    """Rescale demand and forecasts so the demand's maximum is ``peak`` capacity units.

    The lab's Task 8 step: after undoing the [0, 1] scaling (e.g.
    ``MinMaxScaler.inverse_transform``), CDR activity is turned into capacity units
    such that the period's busiest hour needs exactly ``peak`` (1 Gbit/s).

    Parameters
    ----------
    y_true : array-like of shape (n_hours,)
        Demand in its own units (finite, not all zero).
    *forecasts : array-like of shape (n_hours,)
        Forecasts in the same units.
    peak : float, default=1.0
        Capacity units of the busiest hour.

    Returns
    -------
    factor : float
        The multiplier applied (capacity units per demand unit): part of the report.
    scaled : list of ndarray
        ``y_true`` then each forecast, rescaled.

    Examples
    --------
    >>> from lstmforecast.metrics import scale_to_peak
    >>> factor, (demand, forecast) = scale_to_peak([200.0, 400.0], [300.0, 380.0])
    >>> factor, demand.tolist(), forecast.tolist()
    (0.0025, [0.5, 1.0], [0.75, 0.95])
    """
    demand = _finite_1d(y_true, "y_true", "scale_to_peak")
    top = demand.max() if len(demand) else 0.0
    if top <= 0:
        raise ValueError(
            "'y_true' has no positive demand (all zero or empty), so there is no "
            "peak to scale to. Check the selection of hours."
        )
    factor = float(peak / top)
    scaled = [demand * factor]
    for i, f in enumerate(forecasts):
        arr = _finite_1d(f, f"forecast {i}", "scale_to_peak")
        if len(arr) != len(demand):
            raise ValueError(
                f"Forecast {i} has {len(arr)} hours but 'y_true' has {len(demand)}."
            )
        scaled.append(arr * factor)
    return factor, scaled


@validate_params(
    {
        "y_true": ["array-like"],
        "forecasts": [dict, pd.DataFrame],
        "step": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "beta": [Interval(numbers.Real, 0, None, closed="left")],
        "policy": [StrOptions({"ceil", "round"})],
        "energy_per_unit": [Interval(numbers.Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def provisioning_report(
    y_true,
    forecasts,
    *,
    step=1.0,
    alpha=1.0,
    beta=10.0,
    policy="ceil",
    energy_per_unit=1.0,
):
    """Energy, acceptance and cost of allocating capacity in several ways.

    Rows, all on the hours of ``y_true``:

    - ``static peak``: the busiest hour's demand, rounded up to a step, every hour
      (everyone served, the most energy);
    - ``static average``: the mean demand, rounded up, every hour;
    - one row per forecast: capacity from the forecast (``policy`` onto the steps);
    - ``oracle``: the demand itself rounded up: the least energy that serves all.

    Parameters
    ----------
    y_true : array-like of shape (n_hours,)
        Demand, in capacity units (see :func:`scale_to_peak`); finite, not all 0.
    forecasts : dict of str to array-like of shape (n_hours,) or DataFrame
        Forecasts by name (a DataFrame: one column per forecast), same units.
    step : float or None, default=1.0
        Capacity granularity; None allocates exactly.
    alpha, beta : float, default=1.0, 10.0
        Costs per unit over / under (see :func:`provisioning_cost`).
    policy : {'ceil', 'round'}, default='ceil'
        How forecasts are put on the steps.
    energy_per_unit : float, default=1.0
        Energy of one capacity unit kept on for one hour.

    Returns
    -------
    report : pandas.DataFrame
        One row per allocation; columns ``energy`` (capacity-hours times
        ``energy_per_unit``), ``energy_vs_peak``, ``acceptance`` (served / offered
        traffic), ``hours_served`` (share of hours with capacity >= demand),
        ``over`` and ``under`` (mean units per hour) and ``cost`` (mean per hour).

    Examples
    --------
    >>> from lstmforecast.metrics import provisioning_report
    >>> demand = [0.2, 0.9, 2.4, 1.1]
    >>> report = provisioning_report(demand, {"forecast": [0.3, 1.2, 2.1, 1.0]})
    >>> report[["energy", "acceptance", "hours_served", "cost"]].round(3)
                    energy  acceptance  hours_served   cost
    static peak       12.0       1.000          1.00  1.850
    static average     8.0       0.913          0.75  1.950
    forecast           7.0       0.978          0.75  0.875
    oracle             7.0       1.000          1.00  0.600
    """
    demand = _finite_1d(y_true, "y_true")
    if len(demand) == 0 or demand.sum() <= 0:
        raise ValueError(
            "'y_true' has no demand (empty or all zero): acceptance (served / "
            "offered traffic) is undefined. Check the selection of hours."
        )

    def on_steps(level, rule="ceil"):
        return _capacity(
            np.asarray(level, dtype=float),
            step=step,
            policy=rule,
            margin=0.0,
            relative_margin=0.0,
        )

    allocations = {
        "static peak": np.full(len(demand), on_steps(demand.max())),
        "static average": np.full(len(demand), on_steps(demand.mean())),
    }
    for name, forecast in forecasts.items():
        arr = _finite_1d(forecast, f"forecasts[{name!r}]")
        if len(arr) != len(demand):
            raise ValueError(
                f"forecasts[{name!r}] has {len(arr)} hours but 'y_true' has "
                f"{len(demand)}."
            )
        allocations[str(name)] = on_steps(arr, policy)
    allocations["oracle"] = on_steps(demand)

    rows = {}
    for name, capacity in allocations.items():
        parts = provisioning_cost(
            demand, capacity, alpha=alpha, beta=beta, step=None, return_parts=True
        )
        rows[name] = {
            "energy": capacity.sum() * energy_per_unit,
            "acceptance": np.minimum(capacity, demand).sum() / demand.sum(),
            "hours_served": float(np.mean(capacity >= demand)),
            "over": parts["over"],
            "under": parts["under"],
            "cost": parts["cost"],
        }
    report = pd.DataFrame(rows).T
    report.insert(
        1, "energy_vs_peak", report["energy"] / report.loc["static peak", "energy"]
    )
    return report
