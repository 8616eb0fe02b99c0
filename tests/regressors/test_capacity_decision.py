"""CapacityRegressor(decision='expected_cost'): each row's whole step of least cost."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import Ridge

from lstmforecast.metrics import provisioning_cost
from lstmforecast.regressors import CapacityRegressor
from lstmforecast.regressors._capacity import _grid_allocation, _Scenarios


def _data(n, seed=0, noise=0.05):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (n, 2))
    return X, 0.5 + X.sum(axis=1) + rng.normal(0, noise, n)


def _brute_force(pred, w, errors, alpha, beta, step):
    """Every whole step from 0 to two above the largest demand, each scored."""
    demand = pred + w * errors
    levels = np.arange(0, np.ceil(max(demand.max(), 0) / step) + 3) * step
    gap = levels[:, None] - demand[None, :]
    cost = (alpha * np.maximum(gap, 0) + beta * np.maximum(-gap, 0)).mean(axis=1)
    return levels, cost


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    step=st.sampled_from([0.02, 0.05, 0.1, 0.3]),
    alpha=st.floats(0.1, 5),
    beta=st.floats(0.1, 20),
    relative=st.booleans(),
)
def test_each_row_gets_the_whole_step_of_least_expected_cost(
    seed, step, alpha, beta, relative
):
    rng = np.random.default_rng(seed)
    errors = rng.standard_t(3, size=int(rng.integers(5, 80))) * 0.1
    pred = rng.uniform(0.05, 2.0, 12)
    w = pred if relative else np.ones_like(pred)
    chosen = _grid_allocation(pred, w, _Scenarios(errors, alpha, beta), step)
    for f, wf, c in zip(pred, w, chosen, strict=True):
        levels, cost = _brute_force(f, wf, errors, alpha, beta, step)
        here = cost[int(np.round(c / step))]
        assert np.isclose(c / step, np.round(c / step), atol=1e-9)  # a whole step
        assert here <= cost.min() + 1e-9 * (1 + cost.min())


def test_nan_forecasts_stay_nan_and_zero_relative_forecasts_get_nothing():
    scenarios = _Scenarios(np.array([-0.1, 0.0, 0.2]), 1.0, 10.0)
    pred = np.array([np.nan, 0.0, 0.5])
    out = _grid_allocation(pred, np.abs(pred), scenarios, 0.1)
    assert np.isnan(out[0])
    assert out[1] == 0.0  # every scenario's demand of a zero forecast is zero
    assert out[2] == pytest.approx(0.6)  # 0.5 + 20 % covers the worst scenario
    absolute = _grid_allocation(pred, np.ones(3), scenarios, 0.1)
    assert np.isnan(absolute[0])
    assert absolute[1:] == pytest.approx([0.2, 0.7])  # + 0.2 covers every scenario


def test_a_series_without_usable_errors_is_one_clear_line():
    X = np.ones((100, 1))
    with pytest.raises(ValueError, match=r"no usable calibration error for target "):
        CapacityRegressor(
            DummyRegressor(), relative=True, step=0.1, decision="expected_cost"
        ).fit(X, np.zeros(100))


def test_without_steps_it_is_the_cost_quantile_of_the_errors():
    X, y = _data(1000)
    expected = CapacityRegressor(
        Ridge(), under_cost=10, refit=False, decision="expected_cost"
    ).fit(X, y)
    early = Ridge().fit(X[:800], y[:800])
    errors = np.sort(y[800:] - early.predict(X[800:]))
    quantile = errors[int(np.ceil(200 * 10 / 11)) - 1]  # the 182nd of 200
    np.testing.assert_allclose(
        expected.predict(X[:50]), early.predict(X[:50]) + quantile, atol=1e-12
    )
    offset = CapacityRegressor(Ridge(), under_cost=10, refit=False).fit(X, y)
    assert offset.offset_[0] == pytest.approx(quantile, abs=1e-3)  # the same rule


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("step", [0.2, 0.3, 0.5])
def test_errors_that_grow_with_the_level_cost_less_row_by_row(step, seed):
    # Multiplicative noise: one share of the forecast rounded up is a threshold
    # that ignores how wide each row's scenarios are; the per-row choice sees it.
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (8000, 2))
    y = (0.2 + 2 * X.sum(axis=1)) * (1 + rng.normal(0, 0.08, 8000))
    train, test = slice(0, 4000), slice(4000, None)

    def cost(decision):
        plan = CapacityRegressor(Ridge(), step=step, relative=True, decision=decision)
        pred = plan.fit(X[train], y[train]).predict(X[test])
        return provisioning_cost(y[test], pred, alpha=1, beta=10, step=step)

    assert cost("expected_cost") < 0.995 * cost("offset")


def test_additive_noise_makes_the_two_rules_alike():
    # With errors that do not depend on the row, the best whole step of each
    # row is itself a constant threshold: the per-row choice is an offset rule.
    X, y = _data(8000, seed=3)
    train, test = slice(0, 4000), slice(4000, None)
    costs = []
    for decision in ("offset", "expected_cost"):
        plan = CapacityRegressor(Ridge(), step=0.3, decision=decision)
        pred = plan.fit(X[train], y[train]).predict(X[test])
        costs.append(provisioning_cost(y[test], pred, alpha=1, beta=10, step=0.3))
    assert costs[1] == pytest.approx(costs[0], rel=0.02)


def test_the_allocation_is_whole_steps_and_predict_capacity_keeps_it():
    X, y = _data(2000)
    plan = CapacityRegressor(Ridge(), step=0.1, decision="expected_cost").fit(X, y)
    allocation = plan.predict(X[:200])
    np.testing.assert_allclose(allocation / 0.1, np.round(allocation / 0.1), atol=1e-9)
    np.testing.assert_allclose(plan.predict_capacity(X[:200]), allocation)
    again = CapacityRegressor(Ridge(), step=0.1, decision="expected_cost").fit(X, y)
    np.testing.assert_array_equal(again.predict(X[:200]), allocation)


def test_per_series_decisions_use_each_series_own_errors():
    # A quiet cell with small errors and a busy one with large errors; each
    # gets allocations from its own scenarios.
    rng = np.random.default_rng(5)
    times = pd.date_range("2013-11-01", periods=1500, freq="h")
    frames = []
    for cell, noise in ((1, 0.01), (2, 0.3)):
        x = rng.uniform(0, 1, len(times))
        y = 1 + x + rng.normal(0, noise, len(times))
        index = pd.MultiIndex.from_product([[cell], times], names=["cell", "time"])
        frames.append(pd.DataFrame({"x": x, "y": y}, index=index))
    panel = pd.concat(frames)
    X, y = panel[["x"]], panel["y"]
    plan = CapacityRegressor(
        Ridge(), step=0.1, per_series=True, decision="expected_cost"
    ).fit(X, y)
    margin = plan.predict(X) - plan.estimator_.predict(X)
    quiet, busy = margin[:1500], margin[1500:]
    assert busy.mean() > quiet.mean() + 0.2  # the busy cell's margin is larger
    pooled = CapacityRegressor(Ridge(), step=0.1, decision="expected_cost").fit(X, y)
    pooled_margin = pooled.predict(X) - pooled.estimator_.predict(X)
    assert pooled_margin[:1500].mean() > quiet.mean() + 0.1  # pooled: too wide


def test_update_moves_the_decision_with_the_new_errors():
    X, y = _data(3000, noise=0.02)
    plan = CapacityRegressor(
        Ridge(), step=0.1, calibration_window=300, decision="expected_cost"
    ).fit(X[:2000], y[:2000])
    before = plan.predict(X[2000:2100]).mean()
    noisy = y[2000:] + np.random.default_rng(1).normal(0, 0.3, 1000)
    plan.update(X[2000:], noisy)
    assert plan.predict(X[2000:2100]).mean() > before + 0.2


def test_a_bad_decision_is_refused():
    X, y = _data(100)
    with pytest.raises(ValueError, match=r"'decision' parameter of CapacityRegressor"):
        CapacityRegressor(Ridge(), decision="bayes").fit(X, y)
