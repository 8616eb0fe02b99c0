"""Rolling, online and per-series calibration of ConformalRegressor / CapacityRegressor.

``update`` records realised targets without refitting; ``calibration_window``
keeps the latest instants; ``per_series`` calibrates every series of a panel on
its own errors.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from lstmforecast.metrics import provisioning_cost
from lstmforecast.regressors import CapacityRegressor, ConformalRegressor
from lstmforecast.regressors._capacity import _best_offsets


def _drifting(n_quiet=400, n_loud=400, seed=0):
    """Rows whose noise grows tenfold after ``n_quiet``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_quiet + n_loud, 2))
    noise = np.r_[rng.normal(0, 0.1, n_quiet), rng.normal(0, 1.0, n_loud)]
    return X, X.sum(axis=1) + noise


def test_update_keeps_the_latest_window_of_errors_and_does_not_refit():
    X, y = _drifting()
    model = ConformalRegressor(Ridge(), calibration_window=50).fit(X[:400], y[:400])
    coef = model.estimator_.coef_.copy()
    model.update(X[400:460], y[400:460])
    np.testing.assert_array_equal(model.estimator_.coef_, coef)
    expected = np.sort(np.abs(y[410:460] - model.estimator_.predict(X[410:460])))
    np.testing.assert_allclose(model.calibration_errors_[:, 0], expected)
    assert model.n_calibration_.tolist() == [50]


def test_rolling_calibration_follows_the_new_noise_and_keeping_all_lags():
    X, y = _drifting(n_loud=3000)
    rolling = ConformalRegressor(Ridge(), calibration_window=100).fit(X[:400], y[:400])
    everything = ConformalRegressor(Ridge()).fit(X[:400], y[:400])
    covered = {"rolling": [], "all": []}
    for start in range(400, len(y), 50):  # forecast a block, then record its truth
        rows = slice(start, start + 50)
        for name, model in (("rolling", rolling), ("all", everything)):
            low, high = model.predict_interval(X[rows], 0.8).T
            covered[name].extend((y[rows] >= low) & (y[rows] <= high))
            model.update(X[rows], y[rows])
    hit = {name: np.array(values) for name, values in covered.items()}
    assert abs(hit["rolling"][100:].mean() - 0.8) <= 0.03  # once the window turned
    soon = slice(100, 500)  # the first rows after that: the quiet errors still weigh
    assert hit["rolling"][soon].mean() > hit["all"][soon].mean() + 0.05


def test_nan_targets_are_not_recorded():
    X, y = _drifting()
    model = ConformalRegressor(Ridge()).fit(X[:400], y[:400])
    n = model.n_calibration_[0]
    part = y[400:420].copy()
    part[:15] = np.nan  # rows that only carry history
    model.update(X[400:420], part)
    assert model.n_calibration_.tolist() == [n + 5]


def _panel(scales=(0.1, 1.0, 3.0), n=600, seed=3):
    rng = np.random.default_rng(seed)
    times = pd.date_range("2013-11-01", periods=n, freq="h")
    frames = []
    for cell, scale in enumerate(scales):
        x = rng.normal(size=(n, 2))
        y = x.sum(axis=1) + rng.normal(0, scale, n)
        index = pd.MultiIndex.from_arrays(
            [np.full(n, cell), times], names=["cell", "time"]
        )
        frames.append(pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": y}, index=index))
    panel = pd.concat(frames)
    return panel[["a", "b"]], panel["y"]


def test_per_series_intervals_cover_every_series_where_pooled_ones_cannot():
    X, y = _panel(n=4000)
    times = X.index.get_level_values("time")
    fit, new = times < times[1000], times >= times[1000]
    per_cell = ConformalRegressor(Ridge(), calibration_fraction=0.5, per_series=True)
    pooled = ConformalRegressor(Ridge(), calibration_fraction=0.5)
    cells = X.index.get_level_values("cell")[new]
    for model, within in ((per_cell, True), (pooled, False)):
        low, high = model.fit(X[fit], y[fit]).predict_interval(X[new], 0.8).T
        hit = (y[new] >= low) & (y[new] <= high)
        by_cell = pd.Series(hit).groupby(cells).mean()
        assert (abs(by_cell - 0.8) <= 0.03).all() == within, by_cell.to_dict()
    assert per_cell.series_.tolist() == [0, 1, 2]
    assert per_cell.n_calibration_.shape == (3, 1)


def test_per_series_offsets_are_each_series_cost_minimum():
    X, y = _panel()
    plan = CapacityRegressor(Ridge(), step=0.5, per_series=True, refit=False)
    plan.fit(X, y)
    times = X.index.get_level_values("time")
    cal = times >= np.unique(times)[-120]  # the latest 20 % of 600 instants
    for g, cell in enumerate(plan.series_):
        rows = cal & (X.index.get_level_values("cell") == cell)
        f = plan.estimator_.predict(X[rows])
        e = (y[rows].to_numpy() - f)[:, None]
        expected = _best_offsets(e, f[:, None], 1.0, 10.0, 0.5)
        np.testing.assert_allclose(plan.offset_[g], expected)
    assert plan.offset_[0, 0] < plan.offset_[2, 0]  # the quiet cell, a lower margin


def test_a_rolling_offset_costs_less_after_the_noise_falls():
    X, y = _drifting(n_quiet=600, n_loud=2000, seed=4)
    X, y = X[::-1], y[::-1]  # loud first, then quiet
    rolling = CapacityRegressor(Ridge(), step=0.05, calibration_window=100, refit=False)
    fixed = CapacityRegressor(Ridge(), step=0.05, refit=False)
    cost = {}
    for name, plan in (("rolling", rolling), ("fixed", fixed)):
        plan.fit(X[:2000], y[:2000])
        pred = []
        for start in range(2000, 2600, 25):  # forecast a block, then record it
            rows = slice(start, start + 25)
            pred.extend(plan.predict(X[rows]))
            plan.update(X[rows], y[rows])
        late = slice(100, None)  # once the window has turned over
        cost[name] = provisioning_cost(y[2000:][late], np.array(pred)[late], step=0.05)
    assert cost["rolling"] < 0.6 * cost["fixed"]
    quiet = y[-100:] - rolling.estimator_.predict(X[-100:])
    best = _best_offsets(
        quiet[:, None], rolling.estimator_.predict(X[-100:])[:, None], 1.0, 10.0, 0.05
    )
    np.testing.assert_allclose(rolling.offset_, best)


@pytest.mark.parametrize(
    "make, match",
    [
        (
            lambda X, y: ConformalRegressor(Ridge(), per_series=True).fit(X.values, y),
            "per_series=True\\) needs a panel.*got an array",
        ),
        (
            lambda X, y: (
                ConformalRegressor(Ridge(), per_series=True)
                .fit(X, y)
                .predict_interval(X.rename(index={0: 9}, level="cell"), 0.8)
            ),
            "no calibration errors for series \\[.?9.?\\]",
        ),
        (
            lambda X, y: (
                ConformalRegressor(Ridge()).fit(X, y).update(X.values, y.values)
            ),
            "update got rows without a \\(series, time\\) index.*fitted on a panel",
        ),
        (
            lambda X, y: ConformalRegressor(Ridge()).fit(X, y).update(X, np.c_[y, y]),
            "update got y with 2 column\\(s\\); it was fitted on 1",
        ),
    ],
)
def test_bad_calls_are_one_clear_line(make, match):
    X, y = _panel(n=100)
    with pytest.raises(ValueError, match=match) as info:
        make(X, y)
    assert "\n" not in str(info.value)


def _multiplicative(n=8000, seed=5):
    """Errors proportional to the level, which spans two orders of magnitude."""
    rng = np.random.default_rng(seed)
    level = np.exp(rng.uniform(np.log(0.1), np.log(10), n))
    X = np.c_[level, rng.normal(size=n)]
    return X, level * (1 + rng.normal(0, 0.2, n))


def test_relative_intervals_cover_low_and_high_levels_alike():
    X, y = _multiplicative()
    low_rows, high_rows = X[4000:, 0] < 1, X[4000:, 0] >= 1
    for relative, within in ((True, True), (False, False)):
        model = ConformalRegressor(Ridge(), calibration_fraction=0.5, relative=relative)
        lo, hi = model.fit(X[:4000], y[:4000]).predict_interval(X[4000:], 0.8).T
        hit = (y[4000:] >= lo) & (y[4000:] <= hi)
        ok = [abs(hit[rows].mean() - 0.8) <= 0.03 for rows in (low_rows, high_rows)]
        assert all(ok) == within
    pred = model.estimator_.predict(X[4000:])
    widths = ConformalRegressor(Ridge(), calibration_fraction=0.5, relative=True)
    widths.fit(X[:4000], y[:4000])
    lo, hi = widths.predict_interval(X[4000:], 0.8).T
    np.testing.assert_allclose((hi - lo) / np.abs(pred), (hi - lo)[0] / abs(pred[0]))


def test_a_relative_offset_is_the_best_share_of_the_forecast():
    X, y = _multiplicative(n=2000)
    plan = CapacityRegressor(Ridge(), step=0.1, relative=True, refit=False)
    plan.fit(X, y)
    pred = plan.estimator_.predict(X[1600:])
    share = plan.offset_[0]
    candidates = share + np.linspace(-0.2, 0.2, 81)

    def cost(r):
        return provisioning_cost(y[1600:], pred + r * np.abs(pred), step=0.1)

    assert cost(share) <= min(cost(r) for r in candidates) + 1e-12
    np.testing.assert_allclose(
        plan.predict(X[1600:]), pred + share * np.abs(pred), rtol=1e-12
    )
    absolute = CapacityRegressor(Ridge(), step=0.1, refit=False).fit(X, y)
    assert cost(share) < provisioning_cost(
        y[1600:], absolute.predict(X[1600:]), step=0.1
    )


def test_the_capacity_rule_names_itself_when_it_needs_a_panel():
    X, y = _panel(n=100)
    with pytest.raises(ValueError, match=r"^CapacityRegressor\(per_series=True\)"):
        CapacityRegressor(Ridge(), step=0.1, per_series=True).fit(X.values, y.values)
