"""Split-conformal intervals: nominal coverage, time-ordered calibration, panels."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline

from lstmforecast.preprocessing import SlidingWindow
from lstmforecast.regressors import ConformalRegressor, LSTMRegressor


@pytest.mark.parametrize("coverage", [0.8, 0.9, 0.95])
def test_coverage_on_new_data_is_within_two_points_of_nominal(coverage):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24_000, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.standard_t(5, size=len(X))  # heavy tails
    model = ConformalRegressor(Ridge(), calibration_fraction=0.5)
    model.fit(X[:4000], y[:4000])
    low, high = model.predict_interval(X[4000:], coverage=coverage).T
    covered = np.mean((y[4000:] >= low) & (y[4000:] <= high))
    assert abs(covered - coverage) <= 0.02


def test_calibration_uses_the_latest_rows_after_the_gap():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100, 2))
    y = X.sum(axis=1) + rng.normal(size=100)
    model = ConformalRegressor(Ridge(), calibration_fraction=0.2, gap=5).fit(X, y)
    early = Ridge().fit(X[:75], y[:75])  # 100 - 20 calibration - 5 gap
    np.testing.assert_array_equal(model.estimator_.coef_, early.coef_)
    errors = np.sort(np.abs(y[80:] - early.predict(X[80:])))
    np.testing.assert_allclose(model.calibration_errors_[:, 0], errors)
    k = int(np.ceil(21 * 0.8))  # the ceil((n + 1) coverage)-th of n = 20
    low, high = model.predict_interval(X[:3], coverage=0.8).T
    np.testing.assert_allclose(high - low, 2 * errors[k - 1])
    assert np.isinf(model.predict_interval(X[:1], coverage=0.99)).all()  # k > n


def test_a_panel_is_calibrated_on_its_latest_instants_in_every_series():
    times = pd.date_range("2013-11-01", periods=120, freq="h")
    idx = pd.MultiIndex.from_product([[1, 2, 3], times], names=["cell", "time"])
    rng = np.random.default_rng(2)
    t = np.tile(np.arange(120), 3)
    panel = pd.DataFrame({"v": np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.1, 360)})
    panel.index = idx
    pipe = Pipeline(
        [
            ("window", SlidingWindow(12)),
            ("lstm", LSTMRegressor((4,), max_epochs=2, random_state=0)),
        ]
    )
    model = ConformalRegressor(pipe, calibration_fraction=0.25)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model.fit(panel, panel["v"])
        interval = model.predict_interval(panel, coverage=0.8)
    fitted = model.estimator_.named_steps["window"].tail_
    assert fitted.index.get_level_values("time").max() == times[89]  # 30 held out
    assert model.n_calibration_.tolist() == [3 * 30]  # every series' last 30 hours
    assert interval.shape == (360, 2)


def test_horizon_targets_get_one_width_per_step():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 2))
    Y = np.column_stack([X[:, 0] + rng.normal(0, s, 400) for s in (0.1, 1.0)])
    model = ConformalRegressor(Ridge(), gap=1).fit(X, Y)
    interval = model.predict_interval(X[:4])
    assert interval.shape == (4, 2, 2)
    width = interval[..., 1] - interval[..., 0]
    assert (width[:, 1] > 5 * width[:, 0]).all()  # the noisier step is wider


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: ConformalRegressor(Ridge(), gap=10).fit(np.ones((8, 1)), np.ones(8)),
         r"got 8 sample\(s\): 2 for calibration and a gap of 10 leave none"),
        (lambda: ConformalRegressor(Ridge()).fit(np.ones((8, 1)), np.ones(7)),
         r"inconsistent numbers of samples"),
        (lambda: ConformalRegressor(Ridge()).fit(np.ones((9, 1)), np.ones(9))
         .predict_interval(np.ones((2, 1)), coverage=80),
         r"'coverage' parameter of ConformalRegressor.predict_interval"),
    ],
)  # fmt: skip
def test_bad_input_is_one_clear_line(make, match):
    with pytest.raises(ValueError, match=match) as info:
        make()
    assert "\n" not in str(info.value)


def test_windows_over_the_gap_read_its_values_but_it_is_never_scored():
    times = pd.date_range("2013-11-01", periods=150, freq="h")
    idx = pd.MultiIndex.from_product([[1, 2], times], names=["cell", "time"])
    t = np.tile(np.arange(150), 2)
    panel = pd.DataFrame({"v": np.sin(2 * np.pi * t / 24)}, index=idx)
    window = SlidingWindow(24, flatten=True, fill_value=0.0)
    model = ConformalRegressor(
        Pipeline([("window", window), ("ridge", Ridge())]),
        calibration_fraction=0.2,
        gap=10,
    ).fit(panel, panel["v"])
    # every calibration row is forecast from a full window: the gap's 10 hours
    # are in its windows, read from X, not missing
    assert model.n_calibration_.tolist() == [2 * 30]
    assert model.calibration_errors_.max() < 0.05  # a sine is linear in its past
    fitted = model.estimator_.named_steps["window"].tail_
    assert fitted.index.get_level_values("time").max() == times[150 - 30 - 10 - 1]
