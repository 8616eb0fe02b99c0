"""Seasonal anchoring (``anchor``) and the linear path (``linear_path``)."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from lstmforecast.nn import LinearPath, RecurrentModule
from lstmforecast.preprocessing import SlidingWindow, make_windows
from lstmforecast.regressors import LSTMRegressor, MLPRegressor, UnscaledTargetWarning

LOOKBACK, SEASON, H = 30, 24, 3


def _daily(n=24 * 30, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 100 + 40 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 2, n) + 0.05 * t


def _zero_head(model):
    """Make the network's output exactly zero: predict returns the offsets alone."""
    last = [m for m in model.net_.module_.modules() if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        last[-1].weight.zero_()
        last[-1].bias.zero_()


@pytest.mark.parametrize("cls", [LSTMRegressor, MLPRegressor], ids=["lstm", "mlp"])
@pytest.mark.parametrize("scaling", [{}, {"center": "last", "scale": "std"}])
def test_an_anchored_forecast_is_the_value_a_season_back_plus_the_change(cls, scaling):
    X, Y = make_windows(_daily(), LOOKBACK, horizon=H)
    X = X[:, :, 0] if cls is MLPRegressor else X
    model = cls((5,), max_epochs=2, random_state=0, anchor=SEASON, **scaling)
    model.fit(X, Y)
    _zero_head(model)  # the network's change is 0: the seasonal naive remains
    season_back = X[:, LOOKBACK - SEASON : LOOKBACK - SEASON + H]
    np.testing.assert_allclose(model.predict(X), np.squeeze(season_back), rtol=1e-12)


def test_anchoring_is_reversible_and_tunable():
    values = _daily()
    X, Y = make_windows(values, LOOKBACK, horizon=1)
    y = Y.ravel()
    model = LSTMRegressor((4,), max_epochs=3, random_state=0, anchor=SEASON)
    model.fit(X, y)
    # by hand: the module's output on the raw windows plus the value 24 steps back
    module = model.net_.module_.double().eval()
    with torch.no_grad():
        change = module(torch.as_tensor(X)).numpy().ravel()
    np.testing.assert_allclose(
        model.predict(X), change + X[:, LOOKBACK - SEASON, 0], rtol=1e-12
    )
    again = LSTMRegressor((4,), max_epochs=3, random_state=0, anchor=SEASON)
    np.testing.assert_array_equal(again.fit(X, y).predict(X), model.predict(X))
    search = GridSearchCV(
        LSTMRegressor((4,), max_epochs=2, random_state=0),
        {"anchor": [None, SEASON]},
        cv=TimeSeriesSplit(2),
        scoring="neg_mean_squared_error",
    ).fit(X, y)
    assert search.best_params_["anchor"] == SEASON  # raw units: the anchor wins


@pytest.mark.parametrize(
    "anchor, horizon, match",
    [
        (LOOKBACK + 1, 1, r"anchor=31 needs windows of at least 31 steps"),
        (2, 3, r"at most 2 target columns.*got windows of 30 steps and 3"),
    ],
)
def test_an_anchor_outside_the_window_is_refused(anchor, horizon, match):
    X, Y = make_windows(_daily(), LOOKBACK, horizon=horizon)
    model = LSTMRegressor((3,), max_epochs=1, anchor=anchor)
    with pytest.raises(ValueError, match=match) as info:
        model.fit(X, Y)
    assert "\n" not in str(info.value) and not hasattr(model, "net_")


def test_the_linear_path_starts_at_zero_and_leaves_the_network_as_it_was():
    torch.manual_seed(0)
    plain = RecurrentModule(input_size=2, hidden_size=(4,))
    torch.manual_seed(0)
    both = LinearPath(RecurrentModule(input_size=2, hidden_size=(4,)), 20, 1)
    X = torch.randn(6, 10, 2)
    for a, b in zip(plain.parameters(), both.module.parameters(), strict=True):
        assert torch.equal(a, b)
    assert torch.equal(plain(X), both(X))  # a zero linear map adds nothing
    with torch.no_grad():
        both.linear.weight.fill_(1.0)
    assert torch.allclose(both(X), plain(X) + X.reshape(6, -1).sum(1, keepdim=True))


def test_the_linear_path_learns_what_a_linear_autoregression_does():
    """On an AR(2) series the linear path reaches the ridge regression's error."""
    rng = np.random.default_rng(0)
    values = np.zeros(3000)
    for t in range(2, len(values)):
        values[t] = 0.6 * values[t - 1] - 0.3 * values[t - 2] + rng.normal()
    X, Y = make_windows(values, 8)
    y = Y.ravel()
    train, test = slice(0, 2500), slice(2500, None)
    ridge = Ridge(1e-6).fit(X[train, :, 0], y[train])
    ridge_mse = np.mean((ridge.predict(X[test, :, 0]) - y[test]) ** 2)
    params = {"max_epochs": 15, "random_state": 0, "lr": 1e-2}
    linear = MLPRegressor((3,), linear_path=True, **params).fit(X[train], y[train])
    linear_mse = np.mean((linear.predict(X[test]) - y[test]) ** 2)
    assert linear_mse <= 1.05 * ridge_mse
    assert linear.n_params_ == clone(linear).set_params(linear_path=False).fit(
        X[train], y[train]
    ).n_params_ + (8 + 1)
    assert "linear" in linear.summary()


def test_raw_units_warn_and_name_the_fix():
    """The issue's case: default settings on traffic averaging ~29,000."""
    rng = np.random.default_rng(0)
    t = np.arange(24 * 20)
    traffic = 29_000 + 9_000 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 500, len(t))
    X, Y = make_windows(traffic, 24)
    y = Y.ravel()
    with pytest.warns(UnscaledTargetWarning, match=r"center='last', scale='std'"):
        raw = LSTMRegressor((4,), max_epochs=2, random_state=0).fit(X, y)
    assert np.abs(raw.predict(X)).max() < 1_000  # what the warning is about
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnscaledTargetWarning)
        level_free = LSTMRegressor(
            (4,), max_epochs=2, random_state=0, center="last", scale="std"
        ).fit(X, y)
        anchored = MLPRegressor(
            (4,), max_epochs=2, random_state=0, anchor=24, center="last", scale="std"
        ).fit(X, y)
    for model in (level_free, anchored):
        assert abs(np.median(model.predict(X)) - np.median(y)) < 5_000
    lazy = SlidingWindow(24, lazy=True).fit_transform(traffic[:, None])
    with pytest.warns(UnscaledTargetWarning):
        MLPRegressor((3,), max_epochs=1).fit(lazy, traffic)
