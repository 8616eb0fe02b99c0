"""The seasonal naive and the moving average as regressors on windows.

Hand-computed forecasts on small windows (one step, several, past a season),
equality with ``seasonal_naive_forecast`` on the bundled cells' panel behind
``SlidingWindow(168)``, searches over ``season`` across time, no look-ahead,
and the one-line errors.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import InvalidParameterError

from lstmforecast.datasets import load_milano_cells
from lstmforecast.metrics import (
    make_provisioning_scorer,
    provisioning_cost,
    seasonal_naive_forecast,
)
from lstmforecast.model_selection import PanelTimeSeriesSplit
from lstmforecast.preprocessing import (
    HourlyAggregator,
    SlidingWindow,
    make_horizon_targets,
    time_train_test_split,
)
from lstmforecast.regressors import MovingAverageRegressor, SeasonalNaiveRegressor

SERIES = np.arange(10.0) ** 2  # 0, 1, 4, 9, 16, 25, 36, 49, 64, 81


def _windows(values, lookback):
    """Row t (t >= lookback) of the series: the window of rows t-lookback..t-1."""
    return np.array([values[t - lookback : t] for t in range(lookback, len(values))])


@pytest.fixture(scope="module")
def panel():
    """The three bundled cells, hourly internet, as a (cell, time) panel."""
    slots = load_milano_cells(end="2013-12-31")
    return HourlyAggregator().fit_transform(slots)[["internet"]]


# ------------------------------------------------------------ by hand
def test_seasonal_naive_one_step_is_the_value_a_season_back():
    X = _windows(SERIES, 4)  # rows t = 4..9
    for season in range(1, 5):
        pred = SeasonalNaiveRegressor(season=season).fit(X, SERIES[4:]).predict(X)
        assert pred.shape == (6,) and pred.dtype == np.float64
        np.testing.assert_array_equal(pred, SERIES[4 - season : 10 - season])


def test_seasonal_naive_steps_wrap_every_season():
    # season 2, H = 5: row t reads t-2, t-1, then again t-2, t-1, t-2
    X = _windows(SERIES, 3)  # rows t = 3..9, windows t-3..t-1
    Y = np.zeros((len(X), 5))
    pred = SeasonalNaiveRegressor(season=2).fit(X, Y).predict(X)
    assert pred.shape == (7, 5)
    t = np.arange(3, 10)
    expected = np.column_stack(
        [SERIES[t - 2], SERIES[t - 1], SERIES[t - 2], SERIES[t - 1], SERIES[t - 2]]
    )
    np.testing.assert_array_equal(pred, expected)
    # the last row, t = 9: times 9..13 <- 49, 64, 49, 64, 49
    np.testing.assert_array_equal(pred[-1], [49.0, 64.0, 49.0, 64.0, 49.0])


def test_seasonal_naive_step_maps_to_the_latest_same_phase_time():
    # step h reads t + h - 1 - k * season with the smallest k >= 1 inside
    lookback, season, H = 7, 3, 8
    X = _windows(SERIES, lookback)
    pred = SeasonalNaiveRegressor(season=season).fit(X, np.zeros((3, H))).predict(X)
    for row, t in enumerate(range(lookback, 10)):
        for h in range(1, H + 1):
            k = 1
            while t + h - 1 - k * season > t - 1:
                k += 1
            assert pred[row, h - 1] == SERIES[t + h - 1 - k * season]


def test_moving_average_by_hand_on_every_step():
    X = _windows(SERIES, 4)
    pred = MovingAverageRegressor(window=3).fit(X, np.zeros((6, 2))).predict(X)
    t = np.arange(4, 10)
    mean = (SERIES[t - 1] + SERIES[t - 2] + SERIES[t - 3]) / 3
    np.testing.assert_allclose(pred, np.column_stack([mean, mean]), rtol=1e-15)
    one = MovingAverageRegressor(window=1).fit(X, SERIES[4:]).predict(X)
    np.testing.assert_array_equal(one, SERIES[3:9])  # the last value


def test_target_feature_of_3d_windows_and_float32():
    X = np.stack([_windows(SERIES, 4), -_windows(SERIES, 4)], axis=2)  # (6, 4, 2)
    for feature, sign in ((0, 1.0), (1, -1.0)):
        pred = (
            SeasonalNaiveRegressor(season=4, target_feature=feature)
            .fit(X, SERIES[4:])
            .predict(X.astype(np.float32))
        )
        assert pred.dtype == np.float64
        np.testing.assert_array_equal(pred, sign * SERIES[:6])
        mean = MovingAverageRegressor(window=2, target_feature=feature)
        pred = mean.fit(X, SERIES[4:]).predict(X)
        np.testing.assert_allclose(pred, sign * (SERIES[2:8] + SERIES[3:9]) / 2)


def test_output_shape_follows_y_not_its_names():
    X = _windows(SERIES, 4)
    model = SeasonalNaiveRegressor(season=2)
    assert model.fit(X, SERIES[4:]).predict(X).shape == (6,)
    assert model.fit(X, SERIES[4:, None]).predict(X).shape == (6, 1)
    Y = pd.DataFrame(np.zeros((6, 3)), columns=["a_h1", "b", "c"])
    assert model.fit(X, Y).predict(X).shape == (6, 3)
    assert model.n_outputs_ == 3 and model.n_features_in_ == 4
    # NaN in y is fine (the future not in the data), only its shape is used
    Y.iloc[-2:, 1:] = np.nan
    assert np.isfinite(model.fit(X, Y).predict(X)).all()


def test_nan_in_what_is_read_gives_nan_never_a_filled_value():
    X = _windows(SERIES, 4).copy()
    X[0, 2] = np.nan  # row t = 4 at time 2
    before = X.copy()
    seasonal = SeasonalNaiveRegressor(season=2).fit(X, np.zeros((6, 2)))
    with pytest.warns(UserWarning, match="1 of 6 rows of X have NaN"):
        pred = seasonal.predict(X)
    np.testing.assert_array_equal(pred[0], [np.nan, SERIES[3]])  # step 2 reads t-1
    np.testing.assert_array_equal(pred[1:], seasonal.predict(X[1:]))
    with pytest.warns(UserWarning, match="SeasonalNaiveRegressor reads"):
        SeasonalNaiveRegressor(season=2).fit(X, SERIES[4:]).predict(X)
    # a NaN the forecast does not read changes nothing: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pred = SeasonalNaiveRegressor(season=1).fit(X, SERIES[4:]).predict(X)
    np.testing.assert_array_equal(pred, SERIES[3:9])
    with pytest.warns(UserWarning, match="MovingAverageRegressor reads"):
        pred = MovingAverageRegressor(window=3).fit(X, SERIES[4:]).predict(X)
    assert np.isnan(pred[0]) and np.isfinite(pred[1:]).all()
    np.testing.assert_array_equal(X, before)  # never modified in place


def test_two_dimensional_frames_and_flattened_windows():
    frame = pd.DataFrame({"internet": SERIES})
    window = SlidingWindow(4, flatten=True).set_output(transform="pandas")
    flat = window.fit_transform(frame)
    model = SeasonalNaiveRegressor(season=3).fit(flat.iloc[4:], SERIES[4:])
    assert list(model.feature_names_in_) == list(flat.columns)
    np.testing.assert_array_equal(model.predict(flat.iloc[4:]), SERIES[1:7])
    dense = SlidingWindow(4).fit_transform(frame)  # (10, 4, 1)
    three_d = SeasonalNaiveRegressor(season=3).fit(dense[4:], SERIES[4:])
    np.testing.assert_array_equal(three_d.predict(dense[4:]), SERIES[1:7])


def test_lazy_windows_read_only_what_they_need_and_match_dense():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.random((60, 2)), columns=["internet", "sms_in"])
    dense = SlidingWindow(12).fit_transform(frame)
    lazy = SlidingWindow(12, lazy=True).fit_transform(frame)
    Y = make_horizon_targets(frame["internet"], 5).to_numpy()
    for model in (
        SeasonalNaiveRegressor(season=4, target_feature=1),
        MovingAverageRegressor(window=7),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the first rows
            a = model.fit(dense, Y).predict(dense)
            b = model.fit(lazy, Y).predict(lazy)
        assert model.n_features_in_ == 12
        np.testing.assert_array_equal(a, b)  # bit for bit, NaN where no history


# ------------------------------------------------------ the real panel
def test_equals_seasonal_naive_forecast_on_the_bundled_panel(panel):
    y = panel["internet"]
    X_tr, X_te, y_tr, _ = time_train_test_split(panel, y, test_size=240)
    for season, H, lazy in ((24, 24, False), (168, 6, True), (168, 168, False)):
        pipe = Pipeline(
            [
                ("window", SlidingWindow(168, lazy=lazy)),
                ("naive", SeasonalNaiveRegressor(season=season)),
            ]
        )
        pipe.fit(X_tr, make_horizon_targets(y_tr, H))
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # every test hour has its history
            pred = pipe.predict(X_te)
        expected = seasonal_naive_forecast(y, H, season=season).loc[X_te.index]
        assert pred.shape == (720, H)  # 3 cells x 240 test hours
        assert np.isfinite(pred).all()
        np.testing.assert_array_equal(pred, expected.to_numpy())


def test_grid_search_over_season_across_time_on_the_panel(panel):
    y = panel["internet"]
    pipe = Pipeline(
        [("window", SlidingWindow(168)), ("naive", SeasonalNaiveRegressor())]
    )
    cv = PanelTimeSeriesSplit(n_splits=3, test_size=168)
    search = GridSearchCV(
        pipe,
        {"naive__season": [24, 168]},
        cv=cv,
        scoring="neg_mean_squared_error",
    )
    search.fit(panel, y)
    # each fold's score is the MSE of the seasonal naive on its test rows
    for i, season in enumerate(search.cv_results_["param_naive__season"]):
        naive = seasonal_naive_forecast(y, 1, season=season).iloc[:, 0]
        for k, (_, test) in enumerate(cv.split(panel)):
            mse = mean_squared_error(y.iloc[test], naive.iloc[test])
            score = search.cv_results_[f"split{k}_test_score"][i]
            assert score == pytest.approx(-mse, rel=1e-12)
    assert search.best_params_["naive__season"] in (24, 168)
    assert search.best_estimator_.predict(panel.iloc[-3:]).shape == (3,)


def test_grid_search_swaps_baselines_on_one_cell_with_time_series_split(panel):
    cell = panel.loc[5161]
    y = cell["internet"]
    pipe = Pipeline(
        [("window", SlidingWindow(168)), ("naive", MovingAverageRegressor())]
    )
    candidates = [
        SeasonalNaiveRegressor(24),
        SeasonalNaiveRegressor(168),
        MovingAverageRegressor(1),
    ]
    cv = TimeSeriesSplit(n_splits=3, test_size=168)
    search = GridSearchCV(
        pipe,
        {"naive": candidates},
        cv=cv,
        scoring=make_provisioning_scorer(alpha=1, beta=10),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # each test fold continues its training
        search.fit(cell, y)
    lags = (24, 168, 1)  # what each candidate reads: the value that many hours back
    for i, lag in enumerate(lags):
        for k, (_, test) in enumerate(cv.split(cell)):
            cost = provisioning_cost(
                y.iloc[test], y.shift(lag).iloc[test], alpha=1, beta=10
            )
            score = search.cv_results_[f"split{k}_test_score"][i]
            assert score == pytest.approx(-cost, rel=1e-12)
    best = search.best_params_["naive"]
    assert isinstance(best, (SeasonalNaiveRegressor, MovingAverageRegressor))


# ---------------------------------------------------------- look-ahead
@settings(max_examples=50, deadline=None)
@given(
    n=st.integers(6, 60),
    lookback=st.integers(1, 12),
    reach=st.floats(0.0, 1.0),
    horizon=st.integers(1, 8),
    cut=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**16),
)
def test_no_forecast_of_row_t_reads_row_t_or_later(
    n, lookback, reach, horizon, cut, seed
):
    if lookback >= n:
        return
    rng = np.random.default_rng(seed)
    values = pd.DataFrame({"internet": rng.random(n)})  # an integer index
    t = int(cut * (n - 1))
    changed = values.copy()
    changed.iloc[t:, 0] = rng.random(n - t) + 1e3
    k = 1 + int(reach * (lookback - 1))  # season / window in [1, lookback]
    Y = np.zeros((n, horizon))
    for model in (SeasonalNaiveRegressor(season=k), MovingAverageRegressor(window=k)):
        pipe = Pipeline([("window", SlidingWindow(lookback)), ("model", model)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the first rows: NaN
            a = pipe.fit(values, Y).predict(values)
            b = pipe.fit(changed, Y).predict(changed)
        # rows up to and including t are identical: the change starts at row t
        np.testing.assert_array_equal(a[: t + 1], b[: t + 1])
        if t > lookback:  # across a train / test cut at t: history from the fit
            c = pipe.fit(values.iloc[:t], Y[:t]).predict(values.iloc[t : t + 1])
            d = pipe.fit(changed.iloc[:t], Y[:t]).predict(changed.iloc[t : t + 1])
            assert np.isfinite(c).all()
            np.testing.assert_array_equal(c, d)
            np.testing.assert_array_equal(c, a[t : t + 1])


# -------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("model", "X", "pieces"),
    [
        (
            SeasonalNaiveRegressor(season=5),
            _windows(SERIES, 4),
            ["'season' parameter of SeasonalNaiveRegressor must be at most the "
             "lookback", "(4 step(s), X.shape=(6, 4))", "got season=5",
             "SlidingWindow(lookback=5)"],
        ),
        (
            MovingAverageRegressor(window=7),
            _windows(SERIES, 4)[:, :, None],
            ["'window' parameter of MovingAverageRegressor must be at most",
             "X.shape=(6, 4, 1)", "got window=7", "or a shorter window"],
        ),
        (
            SeasonalNaiveRegressor(season=2, target_feature=1),
            _windows(SERIES, 4),
            ["'target_feature' parameter of SeasonalNaiveRegressor must index",
             "[0, 0]", "got 1", "2-D X is one feature"],
        ),
        (
            MovingAverageRegressor(window=2, target_feature=3),
            np.zeros((6, 4, 2)),
            ["'target_feature' parameter of MovingAverageRegressor", "[0, 1]"],
        ),
    ],
)  # fmt: skip
def test_reach_and_feature_errors_are_one_line(model, X, pieces):
    with pytest.raises(ValueError) as info:
        model.fit(X, np.zeros(len(X)))
    message = str(info.value)
    assert "\n" not in message
    for piece in pieces:
        assert piece in message, (piece, message)


@pytest.mark.parametrize(
    ("model", "got"),
    [
        (SeasonalNaiveRegressor(season=0), "'season' parameter.*Got 0 instead"),
        (SeasonalNaiveRegressor(season=24.0), "'season' parameter.*Got 24.0"),
        (SeasonalNaiveRegressor(season="24"), "'season' parameter.*Got '24'"),
        (SeasonalNaiveRegressor(season=np.int64(-1)), "Got -1 instead"),
        (MovingAverageRegressor(window=0), "'window' parameter.*Got 0 instead"),
        (MovingAverageRegressor(window=2.5), "'window' parameter.*Got 2.5"),
        (SeasonalNaiveRegressor(target_feature=-1), "'target_feature'.*Got -1"),
    ],
)
def test_bad_parameters_are_sklearn_parameter_errors(model, got):
    with pytest.raises(InvalidParameterError, match=got):
        model.fit(_windows(SERIES, 4), SERIES[4:])


def test_predict_needs_the_lookback_of_fit():
    model = SeasonalNaiveRegressor(season=2).fit(_windows(SERIES, 4), SERIES[4:])
    with pytest.raises(ValueError, match="X has 3 features, but SeasonalNaive"):
        model.predict(_windows(SERIES, 3))
    frame = pd.DataFrame({"internet": SERIES})
    lazy = SlidingWindow(3, lazy=True).fit_transform(frame)
    dense_fit = SeasonalNaiveRegressor(season=2).fit(
        SlidingWindow(4).fit_transform(frame), SERIES
    )
    with pytest.raises(ValueError, match="X has windows of 3 steps, but"):
        dense_fit.predict(lazy)


def test_all_nan_target_and_infinity_are_refused():
    X = _windows(SERIES, 4)
    with pytest.raises(ValueError, match="'y' parameter of .* is NaN in every row"):
        SeasonalNaiveRegressor(season=2).fit(X, np.full(6, np.nan))
    with pytest.raises(ValueError, match="must be finite or NaN"):
        SeasonalNaiveRegressor(season=2).fit(X, np.full(6, np.inf))
    with pytest.raises(ValueError, match="contains infinity"):
        MovingAverageRegressor(window=2).fit(np.where(X > 50, np.inf, X), SERIES[4:])
