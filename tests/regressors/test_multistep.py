"""DirectRegressor and RecursiveRegressor: each strategy against a hand computation."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import make_scorer
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline

from lstmforecast.preprocessing import SlidingWindow, make_horizon_targets
from lstmforecast.regressors import (
    DirectRegressor,
    LSTMRegressor,
    MLPRegressor,
    RecursiveRegressor,
)

LOOKBACK, H = 3, 3
TINY_LSTM = {"hidden_size": 4, "max_epochs": 2, "batch_size": 16, "random_state": 0}


def _values(n=60, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 10 + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, n)


@pytest.fixture(scope="module")
def complete(windows_and_targets):
    """Complete windows (rows lookback..n-1) and their targets, NaN at the end."""
    X, Y = windows_and_targets(_values(), LOOKBACK, H)
    return X[LOOKBACK:], Y[LOOKBACK:]


def _nan_mse(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    keep = np.isfinite(y_true) & np.isfinite(y_pred)
    return float(np.mean((y_true[keep] - y_pred[keep]) ** 2))


# ----------------------------------------------------------------- direct
def test_direct_equals_per_column_fits_on_the_finite_rows(complete):
    X, Y = complete
    X_before, Y_before = X.copy(), Y.copy()
    model = DirectRegressor(LinearRegression()).fit(X, Y)
    np.testing.assert_array_equal(X, X_before)  # inputs are not modified
    np.testing.assert_array_equal(Y, Y_before)
    assert model.n_outputs_ == H and len(model.estimators_) == H
    np.testing.assert_array_equal(model.n_skipped_, np.arange(H))  # h NaN rows
    by_hand = []
    for h in range(H):
        rows = np.isfinite(Y[:, h])
        fitted = LinearRegression().fit(X[rows], Y[rows, h])
        np.testing.assert_allclose(model.estimators_[h].coef_, fitted.coef_)
        by_hand.append(fitted.predict(X))
    pred = model.predict(X)
    assert pred.shape == (len(X), H)
    np.testing.assert_allclose(pred, np.column_stack(by_hand), rtol=1e-12)
    # a 1-D y is one step, predicted in its shape
    one = DirectRegressor(LinearRegression()).fit(X, Y[:, 0])
    np.testing.assert_allclose(one.predict(X), by_hand[0], rtol=1e-12)


def test_direct_selects_pandas_rows_and_skips_incomplete_windows_for_ridge(
    windows_and_targets,
):
    index = pd.date_range("2013-11-01", periods=60, freq="h")
    X, Y = windows_and_targets(_values(), LOOKBACK, H)
    frame = pd.DataFrame(X, index=index, columns=["lag_3", "lag_2", "lag_1"])
    targets = pd.DataFrame(Y, index=index)
    model = DirectRegressor(Ridge()).fit(frame, targets)
    # Ridge takes no NaN: the first windows are left out as well as the last targets
    np.testing.assert_array_equal(model.n_skipped_, LOOKBACK + np.arange(H))
    assert list(model.feature_names_in_) == ["lag_3", "lag_2", "lag_1"]
    rows = ~np.isnan(X).any(axis=1) & ~np.isnan(Y[:, 1])
    by_hand = Ridge().fit(frame.iloc[np.flatnonzero(rows)], Y[rows, 1])
    with pytest.warns(UserWarning, match="3 of 60 rows of X have NaN"):
        pred = model.predict(frame)
    assert np.isnan(pred[:LOOKBACK]).all()
    np.testing.assert_allclose(pred[LOOKBACK:, 1], by_hand.predict(frame.iloc[3:]))


def test_direct_with_networks_on_windows(complete):
    X, Y = complete
    model = DirectRegressor(LSTMRegressor(**TINY_LSTM)).fit(X[:, :, None], Y)
    pred = model.predict(X[:, :, None])
    assert pred.shape == (len(X), H) and np.isfinite(pred).all()
    # each step's network is the network fitted on that step's finite rows alone
    rows = np.isfinite(Y[:, 2])
    alone = LSTMRegressor(**TINY_LSTM).fit(X[rows, :, None], Y[rows, 2])
    np.testing.assert_array_equal(pred[:, 2], alone.predict(X[:, :, None]))


# -------------------------------------------------------------- recursive
def test_recursive_equals_a_hand_written_loop(complete):
    X, Y = complete
    X_before = X.copy()
    model = RecursiveRegressor(LinearRegression(), horizon=4).fit(X, Y[:, 0])
    np.testing.assert_array_equal(X, X_before)
    one_step = LinearRegression().fit(X, Y[:, 0])
    np.testing.assert_allclose(model.estimator_.coef_, one_step.coef_)
    window, by_hand = X.copy(), []
    for _ in range(4):  # w_{h+1} = [w_h[1:], yhat_h]
        forecast = one_step.predict(window)
        by_hand.append(forecast)
        window = np.column_stack([window[:, 1:], forecast])
    pred = model.predict(X)
    assert pred.shape == (len(X), 4)
    np.testing.assert_allclose(pred, np.column_stack(by_hand), rtol=1e-12)


def test_recursive_trains_on_column_zero_of_a_multi_step_y(complete):
    X, Y = complete
    model = RecursiveRegressor(LinearRegression(), horizon=H).fit(X, Y)
    assert model.n_skipped_ == 0  # column 0 is finite in every row
    same = RecursiveRegressor(LinearRegression(), horizon=H).fit(X, Y[:, :1])
    np.testing.assert_allclose(model.predict(X), same.predict(X), rtol=1e-12)
    assert RecursiveRegressor(LinearRegression(), horizon=1).fit(X, Y[:, 0]).predict(
        X
    ).shape == (len(X),)


def test_recursive_lstm_on_three_d_windows_rolls_its_own_forecasts(complete):
    X, Y = complete
    X3 = X[:, :, None]
    model = RecursiveRegressor(LSTMRegressor(**TINY_LSTM), horizon=H).fit(X3, Y)
    pred = model.predict(X3)
    assert pred.shape == (len(X), H) and np.isfinite(pred).all()
    window = X3.copy()
    for h in range(H):
        forecast = model.estimator_.predict(window)
        np.testing.assert_allclose(pred[:, h], forecast, rtol=1e-12)
        window = np.concatenate([window[:, 1:], forecast[:, None, None]], axis=1)


def test_recursive_skips_and_predicts_nan_for_incomplete_windows(windows_and_targets):
    X, Y = windows_and_targets(_values(), LOOKBACK, H)
    model = RecursiveRegressor(Ridge(), horizon=H).fit(X, Y)
    assert model.n_skipped_ == LOOKBACK  # Ridge takes no NaN windows
    with pytest.warns(UserWarning, match="3 of 60 rows of X have NaN"):
        pred = model.predict(X)
    assert np.isnan(pred[:LOOKBACK]).all() and np.isfinite(pred[LOOKBACK:]).all()
    # a network skips those rows itself, and warns once, not once per step
    net = RecursiveRegressor(
        MLPRegressor((4,), max_epochs=2, random_state=0), horizon=H
    )
    net.fit(X, Y)
    assert net.n_skipped_ == 0 and net.estimator_.n_skipped_ == LOOKBACK
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pred = net.predict(X)
    assert len([w for w in caught if "rows of X have NaN" in str(w.message)]) == 1
    assert np.isnan(pred[:LOOKBACK]).all() and np.isfinite(pred[LOOKBACK:]).all()


# ------------------------------------------------------- in sklearn tools
@pytest.mark.parametrize(
    "strategy",
    [
        lambda net: DirectRegressor(net),
        lambda net: RecursiveRegressor(net, horizon=H),
    ],
    ids=["direct", "recursive"],
)
def test_strategies_in_a_pipeline_with_grid_search(strategy):
    n = 120
    index = pd.date_range("2013-11-01", periods=n, freq="h")
    values = _values(n)
    frame = pd.DataFrame({"internet": values}, index=index)
    targets = make_horizon_targets(frame["internet"], H)  # NaN in the last rows
    pipe = Pipeline(
        [
            ("window", SlidingWindow(lookback=LOOKBACK)),
            ("model", strategy(LSTMRegressor(**TINY_LSTM))),
        ]
    )
    search = GridSearchCV(
        pipe,
        {"model__estimator__hidden_size": [2, 3]},
        cv=TimeSeriesSplit(n_splits=2, gap=H - 1),
        scoring=make_scorer(_nan_mse, greater_is_better=False),
        error_score="raise",
    )
    with warnings.catch_warnings():
        # the gap of H - 1 rows breaks the history carry: each test fold's first
        # LOOKBACK windows are incomplete, predicted NaN and left out by the scorer
        warnings.filterwarnings("ignore", "3 of 40 rows of X have NaN", UserWarning)
        search.fit(frame, targets)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_["model__estimator__hidden_size"] in (2, 3)
    with pytest.warns(UserWarning, match="rows of X have NaN"):
        pred = search.predict(frame)
    assert pred.shape == (n, H)
    assert np.isfinite(pred[LOOKBACK:]).all()  # the first rows have no window


@pytest.mark.parametrize(
    "model",
    [
        DirectRegressor(LSTMRegressor(4)),
        RecursiveRegressor(LSTMRegressor(4), horizon=H),
    ],
    ids=["direct", "recursive"],
)
def test_clone_get_params_and_set_params(model, complete):
    params = model.get_params(deep=True)
    assert params["estimator__hidden_size"] == 4
    assert model.set_params(estimator__hidden_size=3) is model
    assert model.estimator.hidden_size == 3
    fitted = clone(model).set_params(estimator__max_epochs=1).fit(*complete)
    fresh = clone(fitted)
    assert fresh.get_params()["estimator__hidden_size"] == 3
    assert not hasattr(fresh, "estimators_") and not hasattr(fresh, "estimator_")
    assert not hasattr(fresh.estimator, "net_")


# --------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("model", "X", "y", "match"),
    [
        (
            RecursiveRegressor(Ridge(), horizon=0),
            np.ones((5, 3)),
            np.ones(5),
            r"'horizon' parameter of RecursiveRegressor must be an int in the "
            r"range \[1, inf\)\. Got 0",
        ),
        (
            RecursiveRegressor(Ridge(), horizon=3),
            np.ones((5, 3)),
            np.ones((5, 2)),
            "must be 1-D or have 1 or horizon=3 columns .* got 2 columns. Pass "
            "the 3-step target, or set horizon=2",
        ),
        (
            RecursiveRegressor(Ridge(), horizon=2),
            np.ones((5, 3, 2)),
            np.ones(5),
            r"2 features per time step \(shape \(5, 3, 2\)\): features \[1\] .* "
            "Use DirectRegressor",
        ),
        (
            RecursiveRegressor(Ridge(), horizon=2, target_feature=1),
            np.ones((5, 3)),
            np.ones(5),
            r"'target_feature' parameter .* in \[0, 0\]; got 1",
        ),
        (
            RecursiveRegressor(Ridge(), horizon=2),
            np.ones((5, 3)),
            np.full(5, np.nan),
            "nothing to learn from",
        ),
        (
            DirectRegressor(Ridge()),
            np.ones((5, 3)),
            np.column_stack([np.ones(5), np.full(5, np.nan)]),
            "Column 1 of the 'y' parameter of DirectRegressor has no row",
        ),
        (
            DirectRegressor(Ridge()),
            np.ones((5, 3)),
            np.ones((5, 0)),
            r"0 feature\(s\)",
        ),
        (
            DirectRegressor(Ridge()),
            np.ones((5, 3)),
            np.array([1, 2, np.inf, 4, 5]),
            "'y' parameter of DirectRegressor must be finite or NaN",
        ),
        (
            DirectRegressor(Ridge()),
            np.ones((5, 3)),
            np.ones(4),
            "inconsistent numbers of samples",
        ),
        (DirectRegressor("ridge"), np.ones((5, 3)), np.ones(5), "'estimator'"),
    ],
)
def test_bad_input_is_a_clear_error(model, X, y, match):
    with pytest.raises(ValueError, match=match) as error:
        model.fit(X, y)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    "model",
    [DirectRegressor(Ridge()), RecursiveRegressor(Ridge(), horizon=2)],
    ids=["direct", "recursive"],
)
def test_pandas_x_and_y_with_other_indexes_are_refused(model, complete):
    X, Y = complete
    frame = pd.DataFrame(X)
    targets = pd.DataFrame(Y[:, :2], index=frame.index + 1)
    with pytest.raises(
        ValueError, match=r"another index than X.*y\.reindex\(X\.index\)"
    ):
        model.fit(frame, targets)


def test_recursive_predict_needs_the_windows_of_fit(complete):
    X, Y = complete
    model = RecursiveRegressor(LinearRegression(), horizon=2).fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="must be 2-D windows, as in fit"):
        model.predict(X[:, :, None])
    with pytest.raises(ValueError, match="X has 2 features, but RecursiveRegressor"):
        model.predict(X[:, :2])


# ------------------------------------------- recursive with known-future columns
def _flat_linear():
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    flatten = FunctionTransformer(lambda W: W.reshape(len(W), -1))
    return make_pipeline(flatten, LinearRegression())


def _panel_frame():
    rng = np.random.default_rng(0)
    time = pd.date_range("2013-11-01", periods=60, freq="h", tz="Europe/Rome")
    frames = []
    for cell, level in ((4159, 10.0), (5161, 50.0)):
        hour = time.hour.to_numpy(dtype=float)
        v = level + 5 * np.sin(2 * np.pi * hour / 24) + rng.normal(0, 0.5, len(time))
        index = pd.MultiIndex.from_product([[cell], time], names=["cell", "time"])
        frames.append(pd.DataFrame({"v": v, "hour": hour}, index=index))
    return pd.concat(frames)


def test_recursive_with_known_columns_equals_a_hand_written_loop():
    from lstmforecast.preprocessing import SlidingWindow, make_horizon_targets

    X = _panel_frame()
    H, L = 4, 3
    Y = make_horizon_targets(X["v"], H)
    train = X.index.get_level_values("time") < X.index.get_level_values("time")[40]
    window = SlidingWindow(L, columns="v", known_columns="hour")
    model = RecursiveRegressor(_flat_linear(), horizon=H, window=window)
    model.fit(X[train], Y[train])
    pred = model.predict(X[~train])
    inner = model.estimator_
    # by hand, per cell: the target history (forecasts fed back) and the hours
    for cell in (4159, 5161):
        series = X.loc[cell]
        test_times = X[~train].loc[cell].index
        rows = np.flatnonzero(X[~train].index.get_level_values("cell") == cell)
        for r, t in zip(rows, test_times, strict=True):
            i = series.index.get_loc(t)
            history = list(series["v"].to_numpy()[i - L : i])
            for h in range(H):
                if i + h >= len(series):  # the hour of step h is not in X
                    assert np.isnan(pred[r, h])
                    continue
                hours = series["hour"].to_numpy()[i + h - L + 1 : i + h + 1]
                w = np.column_stack([history[-L:], hours])[None]
                f = inner.predict(w)[0]
                assert pred[r, h] == pytest.approx(f, rel=1e-9, abs=1e-9)
                history.append(f)


def test_recursive_window_refuses_a_target_that_is_not_its_column():
    from lstmforecast.preprocessing import SlidingWindow

    X = _panel_frame()
    window = SlidingWindow(3, columns="v", known_columns="hour")
    with pytest.raises(ValueError, match="not the window's column 'v'"):
        RecursiveRegressor(_flat_linear(), horizon=2, window=window).fit(X, X["v"] * 2)
    with pytest.raises(ValueError, match="exactly one window column"):
        RecursiveRegressor(_flat_linear(), horizon=2, window=SlidingWindow(3)).fit(
            X, X["v"]
        )
