"""Several quantiles in one fit: never crossing, intervals, non-negative forecasts."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from lstmforecast.nn import MLPModule, MultiQuantileLoss, PinballLoss, QuantileHead
from lstmforecast.preprocessing import make_windows
from lstmforecast.regressors import LSTMRegressor, MLPRegressor

LEVELS = [0.1, 0.5, 0.9]


def _series(n=24 * 25, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 10 + 5 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 1, n)


def _quantile_model(cls=LSTMRegressor, **params):
    return cls(
        (6,),
        max_epochs=3,
        random_state=0,
        loss="quantile",
        quantiles=LEVELS,
        **params,
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    scale=st.sampled_from([1e-3, 1.0, 1e3]),
    n_quantiles=st.integers(2, 6),
)
def test_quantiles_never_cross_whatever_the_weights(seed, scale, n_quantiles):
    torch.manual_seed(seed)
    head = QuantileHead(MLPModule(3, (5,), n_outputs=4 * n_quantiles), n_quantiles)
    with torch.no_grad():
        for p in head.parameters():
            p.mul_(scale)
    out = head(torch.randn(50, 3) * scale).reshape(50, 4, n_quantiles)
    assert (out.diff(dim=-1) >= 0).all()


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 1_000), shift=st.floats(-50, 50))
def test_a_fitted_model_never_crosses_its_quantiles(seed, shift):
    X, Y = make_windows(_series(seed=seed) + shift, 12, horizon=2)
    model = _quantile_model(center="last", scale="std").fit(X[:300], Y[:300])
    q = model.predict_quantiles(X[300:])
    assert q.shape == (len(X) - 300, 2, 3)
    assert (np.diff(q, axis=-1) >= 0).all()


def test_predict_is_the_median_and_the_interval_its_outer_quantiles():
    X, Y = make_windows(_series(), 12)
    y = Y.ravel()
    model = _quantile_model().fit(X, y)
    q = model.predict_quantiles(X)
    assert q.shape == (len(X), 3)
    np.testing.assert_array_equal(model.predict(X), q[:, 1])
    np.testing.assert_array_equal(model.predict_interval(X, coverage=0.8), q[:, [0, 2]])
    no_median = clone(model).set_params(quantiles=[0.2, 0.45, 0.8]).fit(X, y)
    np.testing.assert_array_equal(  # the nearest to 0.5
        no_median.predict(X), no_median.predict_quantiles(X)[:, 1]
    )


def test_the_loss_is_the_mean_pinball_loss_of_each_quantile():
    pred = torch.tensor([[1.0, 2.0, 4.0], [0.0, 0.5, 3.0]])
    target = torch.tensor([[2.5], [1.0]])
    by_hand = np.mean(
        [float(PinballLoss(q)(pred[:, k], target[:, 0])) for k, q in enumerate(LEVELS)]
    )
    assert float(MultiQuantileLoss(LEVELS)(pred, target)) == pytest.approx(by_hand)


@pytest.mark.parametrize("cls", [LSTMRegressor, MLPRegressor], ids=["lstm", "mlp"])
def test_nonnegative_clips_every_forecast_at_zero(cls):
    X, Y = make_windows(_series() - 12, 12)  # about half the values below 0
    X = X[:, :, 0] if cls is MLPRegressor else X
    free = _quantile_model(cls).fit(X, Y.ravel())
    clipped = clone(free).set_params(nonnegative=True).fit(X, Y.ravel())
    assert (free.predict_quantiles(X) < 0).any()
    np.testing.assert_array_equal(
        clipped.predict_quantiles(X), np.maximum(free.predict_quantiles(X), 0)
    )
    assert (clipped.predict(X) >= 0).all()


def test_the_10_90_interval_covers_about_80_percent_of_new_noise():
    rng = np.random.default_rng(1)
    values = rng.normal(0, 1, 4000)  # nothing to learn but the quantiles
    X, Y = make_windows(values, 6)
    y = Y.ravel()
    model = MLPRegressor(
        (8,), max_epochs=30, random_state=0, loss="quantile", quantiles=LEVELS
    ).fit(X[:3000, :, 0], y[:3000])
    low, high = model.predict_interval(X[3000:, :, 0], coverage=0.8).T
    covered = np.mean((y[3000:] >= low) & (y[3000:] <= high))
    assert 0.72 <= covered <= 0.88


@pytest.mark.parametrize(
    "make, match",
    [
        (
            lambda: LSTMRegressor(3, max_epochs=1, quantiles=LEVELS),
            r"quantiles=\[0.1, 0.5, 0.9\] trains the pinball loss .*loss='quantile'",
        ),
        (
            lambda: LSTMRegressor(
                3, max_epochs=1, loss="quantile", quantiles=[0.9, 0.1]
            ),
            r"'quantiles' parameter of LSTMRegressor must be a list of increasing",
        ),
        (
            lambda: MLPRegressor(
                3, max_epochs=1, loss="quantile", quantiles=[0.5, 1.0]
            ),
            r"floats in \(0, 1\).*Got \[0.5, 1.0\] instead",
        ),
    ],
)
def test_bad_quantile_settings_are_refused(make, match):
    X, Y = make_windows(_series(), 12)
    model = make()
    X = X[:, :, 0] if isinstance(model, MLPRegressor) else X
    with pytest.raises(ValueError, match=match) as info:
        model.fit(X, Y.ravel())
    assert "\n" not in str(info.value) and not hasattr(model, "net_")


def test_quantile_questions_to_a_model_without_them_are_refused():
    X, Y = make_windows(_series(), 12)
    plain = LSTMRegressor(3, max_epochs=1, random_state=0).fit(X, Y.ravel())
    with pytest.raises(ValueError, match=r"fitted without quantiles.*quantiles=\["):
        plain.predict_quantiles(X)
    with pytest.raises(ValueError, match=r"fitted without quantiles"):
        plain.predict_interval(X)
    model = _quantile_model().fit(X, Y.ravel())
    with pytest.raises(ValueError, match=r"coverage=0.5 needs the quantiles 0.25 and"):
        model.predict_interval(X, coverage=0.5)
    with pytest.raises(ValueError, match=r"'coverage' parameter .* in \(0, 1\)"):
        model.predict_interval(X, coverage=1.5)
