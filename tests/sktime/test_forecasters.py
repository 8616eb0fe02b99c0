"""LSTMForecaster / MLPForecaster: windows at the cutoff, X, panels, update, quantiles.

Every forecast is checked against the fitted network applied to a window built
by hand from the last observations.
"""

import inspect
import re
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402
from sktime.forecasting.base import ForecastingHorizon  # noqa: E402

from lstmforecast.preprocessing import (  # noqa: E402
    SlidingWindow,
    UnevenPanelWarning,
    make_horizon_targets,
)
from lstmforecast.regressors import (  # noqa: E402
    LSTMRegressor,
    MLPRegressor,
    Seq2SeqRegressor,
)
from lstmforecast.sktime import (  # noqa: E402
    LSTMForecaster,
    MLPForecaster,
    Seq2SeqForecaster,
)

L, H = 6, 4
TINY = {"hidden_size": (3,), "max_epochs": 2, "batch_size": 16, "random_state": 0}
FORECASTERS = [LSTMForecaster, MLPForecaster]


def _series(n=120, start="2013-11-01", seed=0, name="internet"):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 100 + 20 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 2, n)
    index = pd.date_range(start, periods=n, freq="h", tz="Europe/Rome", name="time")
    return pd.Series(values, index=index, name=name)


def _exog(y, seed=1):
    rng = np.random.default_rng(seed)
    index = pd.date_range(y.index[0], periods=len(y) + H, freq="h", name="time")
    index = index.tz_convert(y.index.tz) if index.tz else index
    return pd.DataFrame(
        {"event": rng.normal(size=len(index)), "temp": rng.normal(size=len(index))},
        index=index,
    )


def _hand(net, windows):
    """The fitted network on windows built by hand, ``(n, H)``."""
    return net.predict(np.asarray(windows, dtype=float))


@pytest.mark.parametrize("cls", FORECASTERS)
def test_forecaster_starts_from_the_last_lookback_values(cls):
    y = _series()
    forecaster = cls(L, **TINY).fit(y, fh=[1, 2, 4])
    pred = forecaster.predict()
    window = y.to_numpy()[-L:].reshape(1, L, 1)
    expected = _hand(forecaster.pipeline_[-1], window)[0, [0, 1, 3]]
    np.testing.assert_array_equal(pred.to_numpy(), expected)
    hour = pd.Timedelta("1h")
    assert list(pred.index) == [y.index[-1] + k * hour for k in (1, 2, 4)]
    assert pred.name == "internet"
    assert forecaster.horizon_ == 4
    assert forecaster.pipeline_[-1].n_outputs_ == 4


@pytest.mark.parametrize("cls", FORECASTERS)
def test_forecaster_equals_the_sklearn_pipeline(cls):
    y = _series()
    forecaster = cls(L, **TINY).fit(y, fh=np.arange(1, H + 1))
    net = cls._regressor(**{**TINY, "center": "last", "scale": "std"})
    pipe = Pipeline([("window", SlidingWindow(L, lazy=True)), ("net", net)])
    pipe.fit(y.to_frame(), make_horizon_targets(y, H))
    next_hour = pd.DataFrame(
        {"internet": [np.nan]}, index=y.index[-1:] + pd.Timedelta("1h")
    )
    np.testing.assert_array_equal(
        forecaster.predict().to_numpy(), pipe.predict(next_hour)[0]
    )


def test_forecaster_reads_exogenous_columns_up_to_the_first_step():
    y = _series()
    X = _exog(y)
    forecaster = LSTMForecaster(L, **TINY).fit(y, X.iloc[: len(y)], fh=[1, 2])
    X_future = X.iloc[len(y) :]
    pred = forecaster.predict(X=X_future)
    # the window: y up to the cutoff, X one step later (up to the first step)
    window = np.column_stack([y.to_numpy()[-L:], X.to_numpy()[len(y) - L + 1 :][:L]])
    expected = _hand(forecaster.pipeline_[-1], window[None])[0, :2]
    np.testing.assert_array_equal(pred.to_numpy(), expected)
    # X seen in fit beyond y serves as well
    full = LSTMForecaster(L, **TINY).fit(y, X, fh=[1, 2])
    np.testing.assert_array_equal(full.predict().to_numpy(), expected)


def test_forecaster_refuses_X_without_the_first_step():
    y = _series()
    X = _exog(y)
    forecaster = LSTMForecaster(L, **TINY).fit(y, X.iloc[: len(y)], fh=[1])
    with pytest.raises(ValueError, match="no row for .* after the cutoff"):
        forecaster.predict(X=X.iloc[len(y) + 1 :])
    with pytest.raises(ValueError, match=r"lacks the exogenous column\(s\) \['temp'\]"):
        forecaster.predict(X=X.iloc[len(y) :][["event"]])


@pytest.mark.parametrize(
    ("index", "steps", "outputs"),
    [
        (pd.period_range("2000-01", periods=60, freq="M"), [2, 5], [1, 4]),
        (pd.RangeIndex(3, 63), [2, 5], [1, 4]),
        # sktime counts fh in index units on an integer index: 2 and 4 are 1, 2 rows
        (pd.Index(np.arange(0, 120, 2)), [2, 4], [0, 1]),
        (pd.date_range("2000-01-01", periods=60, freq="D"), [2, 5], [1, 4]),
    ],
    ids=["period", "range", "int-step-2", "daily"],
)
def test_forecaster_index_follows_fh(index, steps, outputs):
    y = pd.Series(_series(60).to_numpy(), index=index)
    fh = ForecastingHorizon(steps)
    forecaster = MLPForecaster(L, **TINY).fit(y, fh=fh)
    pred = forecaster.predict()
    assert pred.index.equals(fh.to_absolute_index(forecaster.cutoff))
    window = y.to_numpy()[-L:].reshape(1, L, 1)
    expected = _hand(forecaster.pipeline_[-1], window)[0, outputs]
    np.testing.assert_array_equal(pred.to_numpy(), expected)
    assert forecaster.horizon_ == max(outputs) + 1


def test_integer_index_fh_off_the_grid_is_refused():
    y = pd.Series(_series(60).to_numpy(), index=pd.Index(np.arange(0, 120, 2)))
    with pytest.raises(ValueError, match=r"holds \[5\] relative to the cutoff, but"):
        MLPForecaster(L, **TINY).fit(y, fh=[2, 5])


def test_update_without_refit_moves_the_window():
    y = _series(150)
    train, new = y.iloc[:120], y.iloc[120:130]
    forecaster = LSTMForecaster(L, **TINY).fit(train, fh=[1, 2, 3])
    net = forecaster.pipeline_[-1].net_
    forecaster.update(new, update_params=False)
    assert forecaster.pipeline_[-1].net_ is net  # not refitted
    assert forecaster.cutoff[0] == new.index[-1]
    pred = forecaster.predict()
    window = y.to_numpy()[130 - L : 130].reshape(1, L, 1)
    expected = _hand(forecaster.pipeline_[-1], window)[0, :3]
    np.testing.assert_array_equal(pred.to_numpy(), expected)
    assert pred.index[0] == y.index[130]


def test_update_predict_without_refit_is_a_rolling_origin():
    y = _series(150)
    train, test = y.iloc[:120], y.iloc[120:]
    forecaster = LSTMForecaster(L, **TINY).fit(train, fh=[1])
    from sktime.split import ExpandingWindowSplitter

    cv = ExpandingWindowSplitter(fh=[1], initial_window=1, step_length=1)
    rolled = forecaster.update_predict(test, cv=cv, update_params=False)
    windows = np.stack([y.to_numpy()[t - L : t] for t in range(121, 150)])
    expected = _hand(forecaster.pipeline_[-1], windows[:, :, None])[:, 0]
    np.testing.assert_allclose(rolled.to_numpy(), expected, rtol=0, atol=1e-12)


def test_update_with_refit_equals_a_fit_on_all_data():
    y = _series(150)
    forecaster = LSTMForecaster(L, **TINY).fit(y.iloc[:120], fh=[1, 2])
    forecaster.update(y.iloc[120:], update_params=True)
    fresh = LSTMForecaster(L, **TINY).fit(y, fh=[1, 2])
    np.testing.assert_array_equal(
        forecaster.predict().to_numpy(), fresh.predict().to_numpy()
    )


def test_update_refuses_a_gap_and_missing_X():
    y = _series(150)
    forecaster = LSTMForecaster(L, **TINY).fit(y.iloc[:120], fh=[1])
    with pytest.raises(ValueError, match="y after update jumps by 3h"):
        forecaster.update(y.iloc[122:130], update_params=False)
    X = _exog(y)
    with_X = LSTMForecaster(L, **TINY).fit(y.iloc[:120], X.iloc[:120], fh=[1])
    with pytest.raises(ValueError, match="'X' parameter of LSTMForecaster.update"):
        with_X.update(y.iloc[120:130], update_params=False)


def _panel():
    parts = {
        4159: _series(100, seed=1),
        4556: _series(80, start="2013-11-01 20:00", seed=2),  # same end
        5161: _series(90, seed=3),  # ends 10 hours earlier
    }
    y = pd.concat(
        {cell: s.rename("internet") for cell, s in parts.items()}, names=["cell"]
    )
    return y.to_frame(), parts


@pytest.mark.parametrize("cls", FORECASTERS)
def test_panel_is_one_global_network_forecast_per_series(cls):
    y, parts = _panel()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnevenPanelWarning)  # series end at will
        forecaster = cls(L, **TINY).fit(y, fh=[1, 3])
    pred = forecaster.predict()
    # one network for all cells, as the Pipeline on the panel trains it
    net = cls._regressor(**{**TINY, "center": "last", "scale": "std"})
    pipe = Pipeline([("window", SlidingWindow(L, lazy=True)), ("net", net)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnevenPanelWarning)
        pipe.fit(y, make_horizon_targets(y["internet"], 3))
    windows = np.stack([s.to_numpy()[-L:] for s in parts.values()])[:, :, None]
    expected = _hand(pipe[-1], windows)[:, [0, 2]].ravel()
    np.testing.assert_array_equal(pred["internet"].to_numpy(), expected)
    hour = pd.Timedelta("1h")
    wanted = [(c, s.index[-1] + k * hour) for c, s in parts.items() for k in (1, 3)]
    assert list(pred.index) == wanted  # each cell from its own last hour
    assert pred.index.names == ["cell", "time"]


def test_panel_with_a_series_embedding():
    y, parts = _panel()
    forecaster = LSTMForecaster(L, **TINY, series_embedding=2).fit(y, fh=[1])
    assert forecaster.pipeline_[-1].series_labels_ == list(parts)
    pred = forecaster.predict()
    assert list(pred.index.get_level_values("cell")) == list(parts)
    assert np.isfinite(pred.to_numpy()).all()


def test_hierarchy_with_X():
    y, _ = _panel()
    y.index = pd.MultiIndex.from_arrays(
        [
            np.where(y.index.get_level_values("cell") == 4159, "north", "south"),
            y.index.get_level_values("cell"),
            y.index.get_level_values("time"),
        ],
        names=["area", "cell", "time"],
    )
    X = pd.DataFrame({"event": np.arange(len(y), dtype=float)}, index=y.index)
    y = y.groupby(level=["area", "cell"]).head(80)  # every series ends together
    X = X.loc[y.index]
    forecaster = LSTMForecaster(L, **TINY).fit(y, X, fh=[1, 2])
    last = y.groupby(level=["area", "cell"]).tail(1).index
    step = pd.Timedelta("1h")
    future = pd.MultiIndex.from_tuples(
        [(a, c, t + k * step) for a, c, t in last for k in (1, 2)], names=y.index.names
    )
    X_future = pd.DataFrame({"event": 0.5}, index=future)
    pred = forecaster.predict(X=X_future)
    assert pred.index.equals(future)
    assert np.isfinite(pred.to_numpy()).all()


def test_quantiles_and_intervals_come_from_the_trained_levels():
    y = _series()
    levels = [0.1, 0.5, 0.9]
    forecaster = LSTMForecaster(L, **TINY, loss="quantile", quantiles=levels).fit(
        y, fh=[1, 2]
    )
    assert forecaster.get_tag("capability:pred_int")
    window = y.to_numpy()[-L:].reshape(1, L, 1)
    hand = forecaster.pipeline_[-1].predict_quantiles(window)[0]  # (H, Q)
    quantiles = forecaster.predict_quantiles(alpha=[0.1, 0.9])
    np.testing.assert_array_equal(quantiles.to_numpy(), hand[:, [0, 2]])
    assert list(quantiles.columns) == [("internet", 0.1), ("internet", 0.9)]
    interval = forecaster.predict_interval(coverage=0.8)
    np.testing.assert_array_equal(interval.to_numpy(), hand[:, [0, 2]])
    np.testing.assert_array_equal(forecaster.predict().to_numpy(), hand[:, 1])
    with pytest.raises(ValueError, match=r"the 0.05 quantile, but the network was"):
        forecaster.predict_interval(coverage=0.9)


def test_point_forecaster_has_no_intervals():
    forecaster = LSTMForecaster(L, **TINY).fit(_series(), fh=[1])
    assert not forecaster.get_tag("capability:pred_int")
    with pytest.raises(NotImplementedError, match="prediction intervals"):
        forecaster.predict_interval()


@pytest.mark.parametrize(
    ("params", "fh", "error", "match"),
    [
        (
            {"lookback": 0},
            [1],
            ValueError,
            r"^The 'lookback' parameter of LSTMForecaster must be an int >= 1 .*"
            r"Got 0 instead\.$",
        ),
        (
            {"lookback": 2.5},
            [1],
            ValueError,
            r"'lookback' parameter of LSTMForecaster must be an int >= 1.*Got 2.5",
        ),
        (
            {"lookback": 118},
            [1, 2, 3],
            ValueError,
            r"^LSTMForecaster learns from windows of lookback=118 steps followed by "
            r"max\(fh\)=3 steps, so y needs at least 121 observations in a series; "
            r"y has 120\. Use a shorter 'lookback' or fh, or more data\.$",
        ),
        (
            {},
            [-1, 1],
            NotImplementedError,
            r"^LSTMForecaster can not perform in-sample prediction: the 'fh' "
            r"parameter must hold steps after the cutoff \(1, 2, \.\.\.\), got "
            r"\[-1, 1\] relative to the cutoff .*Pass future steps only",
        ),
        (
            {"lr": -1.0},
            [1],
            InvalidParameterError,
            r"^The 'lr' parameter of LSTMForecaster must be",
        ),
    ],
    ids=["lookback-0", "lookback-float", "lookback-too-long", "in-sample", "lr"],
)
def test_bad_input_one_line_errors(params, fh, error, match):
    forecaster = LSTMForecaster(**{"lookback": L, **TINY, **params})
    with pytest.raises(error, match=match) as info:
        forecaster.fit(_series(), fh=fh)
    assert "\n" not in str(info.value)


def test_bad_index_and_short_series_errors():
    monthly = pd.Series(
        np.arange(40.0), index=pd.date_range("2000-01-01", periods=40, freq="MS")
    )
    with pytest.raises(ValueError, match=r"y.index = y.index.to_period\(\)"):
        LSTMForecaster(L, **TINY).fit(monthly, fh=[1])
    y, _ = _panel()
    short = pd.concat(
        [
            y,
            pd.DataFrame(
                {"internet": [1.0, 2.0]},
                index=pd.MultiIndex.from_tuples(
                    [(1, y.index[-2][1]), (1, y.index[-1][1])], names=["cell", "time"]
                ),
            ),
        ]
    )
    with pytest.raises(ValueError, match="series 1 of y has 2. Drop it"):
        LSTMForecaster(L, **TINY).fit(short, fh=[1])


@pytest.mark.parametrize("cls", FORECASTERS)
def test_parameters_are_lookback_then_the_regressors(cls):
    regressor = cls._regressor
    own = inspect.signature(cls).parameters
    theirs = inspect.signature(regressor).parameters
    assert list(own) == ["lookback", *theirs]
    for name, p in theirs.items():
        assert own[name].default == cls._defaults.get(name, p.default), name
    # the docstring states the forecaster's defaults, not the regressor's
    for name, value in cls._defaults.items():
        line = re.search(rf"^    {name} : .*default=(.*)$", cls.__doc__, re.M)
        assert line and line.group(1) == repr(value), name
    # clone / get_params / set_params as for any sktime or sklearn estimator
    forecaster = cls(L, hidden_size=4, max_epochs=3)
    assert forecaster.get_params()["max_epochs"] == 3
    assert forecaster.clone().get_params() == forecaster.get_params()
    with pytest.raises(TypeError, match="unexpected keyword argument 'lookbak'"):
        cls(lookbak=3)


@pytest.mark.parametrize("regressor", [LSTMRegressor, MLPRegressor])
def test_regressor_of_each_forecaster_is_the_documented_one(regressor):
    cls = {LSTMRegressor: LSTMForecaster, MLPRegressor: MLPForecaster}[regressor]
    forecaster = cls(L, **TINY).fit(_series(), fh=[1])
    assert type(forecaster.pipeline_[-1]) is regressor
    assert forecaster.pipeline_[0].lookback == L


def test_seq2seq_forecaster_equals_its_sklearn_pipeline_on_dense_windows():
    y = _series()
    tiny = {**TINY, "hidden_size": 3, "attention": "bahdanau"}
    forecaster = Seq2SeqForecaster(L, **tiny).fit(y, fh=np.arange(1, H + 1))
    net = Seq2SeqRegressor(**{**tiny, "center": "last", "scale": "std"})
    pipe = Pipeline([("window", SlidingWindow(L)), ("net", net)])
    pipe.fit(y.to_frame(), make_horizon_targets(y, H))
    next_hour = pd.DataFrame(
        {"internet": [np.nan]}, index=y.index[-1:] + pd.Timedelta("1h")
    )
    np.testing.assert_array_equal(
        forecaster.predict().to_numpy(), pipe.predict(next_hour)[0]
    )
    # a panel: one network, one path per series from its own last values
    panel = pd.concat(
        {cell: _series(seed=cell) for cell in (1, 2)}, names=["cell", "time"]
    ).to_frame()
    paths = Seq2SeqForecaster(L, **tiny).fit(panel, fh=[1, 2]).predict()
    assert paths.index.get_level_values(0).unique().tolist() == [1, 2]
    assert len(paths) == 4 and np.isfinite(paths.to_numpy()).all()


@pytest.mark.parametrize("cls", FORECASTERS)
def test_forecaster_takes_the_closed_form_linear_path(cls):
    """linear_path='ridge' reaches the network: its ridge starts every forecast."""
    y = _series(240)
    forecaster = cls(24, **TINY, linear_path="ridge").fit(y, fh=[1, 2])
    net = forecaster.pipeline_[-1]
    assert np.shape(net.linear_path_alpha_) == (2,)  # one penalty per step
    pred = forecaster.predict()
    plain = cls(24, **TINY).fit(y, fh=[1, 2]).predict().to_numpy()
    truth = 100 + 20 * np.sin(2 * np.pi * np.arange(240, 242) / 24)
    # the daily cycle is linear in a day of lags: the ridge path nails it
    assert np.abs(pred.to_numpy() - truth).max() < np.abs(plain - truth).max()
