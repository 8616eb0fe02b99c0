"""CapacityRegressor: the offset that minimises the cost after rounding to steps."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from lstmforecast.metrics import provisioning_cost
from lstmforecast.regressors import CapacityRegressor


def _data(n=4000, seed=0, noise=0.05):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (n, 2))
    y = 0.5 + X.sum(axis=1) + rng.normal(0, noise, n) * (1 + X[:, 0])
    return X, y


@pytest.mark.parametrize("step", [None, 0.02, 0.1, 0.25])
def test_the_offset_is_the_calibration_cost_minimum(step):
    X, y = _data(800)
    plan = CapacityRegressor(Ridge(), step=step, refit=False).fit(X, y)
    early = Ridge().fit(X[:640], y[:640])
    pred, truth = early.predict(X[640:]), y[640:]
    grid = np.linspace(-0.5, 0.5, 20_001)

    def cost(offset):
        return provisioning_cost(truth, pred + offset, alpha=1, beta=10, step=step)

    capacity = pred[:, None] + grid[None, :]  # every offset at once, by hand
    if step is not None:
        capacity = np.ceil(capacity / step) * step
    gap = capacity - truth[:, None]
    brute = (np.maximum(gap, 0) + 10 * np.maximum(-gap, 0)).mean(axis=0).min()
    assert plan.calibration_cost_[0] == pytest.approx(cost(plan.offset_[0]), rel=1e-9)
    assert plan.calibration_cost_[0] <= brute * (1 + 1e-3)
    assert plan.raw_cost_[0] == pytest.approx(cost(0.0), rel=1e-9)


def test_without_steps_the_offset_is_the_cost_quantile_of_the_errors():
    X, y = _data(2000)
    plan = CapacityRegressor(Ridge(), over_cost=1, under_cost=3, refit=False).fit(X, y)
    errors = y[1600:] - Ridge().fit(X[:1600], y[:1600]).predict(X[1600:])
    share_below = np.mean(errors <= plan.offset_[0])
    assert share_below == pytest.approx(3 / 4, abs=1 / len(errors) + 1e-9)


@pytest.mark.parametrize("step", [0.02, 0.05, 0.1, 0.3, 1.0])
def test_the_calibrated_allocation_costs_less_at_every_step_size(step):
    X, y = _data(6000, seed=1)
    train, test = slice(0, 3000), slice(3000, None)
    raw = Ridge().fit(X[train], y[train]).predict(X[test])
    plan = CapacityRegressor(Ridge(), step=step).fit(X[train], y[train])
    exact = CapacityRegressor(Ridge(), step=None).fit(X[train], y[train])

    def cost(f):
        return provisioning_cost(y[test], f, alpha=1, beta=10, step=step)

    assert cost(plan.predict(X[test])) < cost(raw)  # than the plain forecast
    # ... and no worse than the quantile that ignores the rounding (1 % slack:
    # the offsets are chosen on the calibration rows, judged on new ones)
    assert cost(plan.predict(X[test])) <= 1.01 * cost(exact.predict(X[test]))
    capacity = plan.predict_capacity(X[test])
    np.testing.assert_allclose(capacity / step, np.round(capacity / step), atol=1e-9)
    assert (capacity >= 0).all()


def test_refit_predicts_with_the_model_of_all_rows():
    X, y = _data(500)
    refitted = CapacityRegressor(Ridge(), step=0.1).fit(X, y)
    kept = CapacityRegressor(Ridge(), step=0.1, refit=False).fit(X, y)
    np.testing.assert_allclose(refitted.estimator_.coef_, Ridge().fit(X, y).coef_)
    np.testing.assert_allclose(
        kept.estimator_.coef_, Ridge().fit(X[:400], y[:400]).coef_
    )
    np.testing.assert_array_equal(refitted.offset_, kept.offset_)  # same calibration
    np.testing.assert_allclose(
        refitted.predict(X[:3]), refitted.estimator_.predict(X[:3]) + refitted.offset_
    )


def test_bad_settings_are_refused():
    X, y = _data(100)
    with pytest.raises(
        ValueError, match=r"positive 'over_cost' or 'under_cost' \(both"
    ):
        CapacityRegressor(Ridge(), over_cost=0, under_cost=0).fit(X, y)
    with pytest.raises(ValueError, match=r"'step' parameter of CapacityRegressor"):
        CapacityRegressor(Ridge(), step=0).fit(X, y)
    fitted = CapacityRegressor(Ridge()).fit(X, y)
    with pytest.raises(AttributeError, match="ConformalRegressor for predict_interval"):
        fitted.predict_interval(X)
