"""The Milano example of docs/sktime.md: 24 hours ahead, one forecast three ways.

Cell 5161 (Duomo), hourly internet traffic; a forecast of the next 24 hours is
issued at midnight on each of the last 10 days. The native forecaster (moved
day by day with ``update(update_params=False)``), the sklearn pipeline it is
built on, and sktime's ``make_reduction`` with the same regressor give the
same forecasts (same seed; bit for bit, or within float64 rounding where the
pipeline predicts many windows in one batch).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sklearn.pipeline import Pipeline  # noqa: E402
from sktime.forecasting.compose import make_reduction  # noqa: E402

from lstmforecast.lab import lab_series  # noqa: E402
from lstmforecast.preprocessing import SlidingWindow, make_horizon_targets  # noqa: E402
from lstmforecast.regressors import LSTMRegressor  # noqa: E402
from lstmforecast.sktime import LSTMForecaster  # noqa: E402

LOOKBACK, H, DAYS = 36, 24, 10
PARAMS = {"max_epochs": 2, "random_state": 0}  # the docs page: max_epochs=20


@pytest.fixture(scope="module")
def milano():
    y = lab_series(cell=5161, days=20)  # 480 hours from 1 November 2013
    return y.iloc[: -DAYS * H], y.iloc[-DAYS * H :]


def _day_by_day(forecaster, test):
    """Forecasts issued at midnight each day, the day's data added after."""
    out = [forecaster.predict()]
    for day in range(1, DAYS):
        forecaster.update(test.iloc[(day - 1) * H : day * H], update_params=False)
        out.append(forecaster.predict())
    return pd.concat(out)


def test_milano_forecaster_pipeline_and_reduction_agree(milano):
    train, test = milano
    fh = np.arange(1, H + 1)
    forecaster = LSTMForecaster(LOOKBACK, (16,), **PARAMS).fit(train, fh=fh)
    native = _day_by_day(forecaster, test)
    assert native.index.equals(test.index)  # 10 x 24 hours: the test period

    # the sklearn pipeline: each row t forecasts t ... t + 23 from the window
    # ending at t - 1 (history carried from fit); rows at midnight are the origins
    net = LSTMRegressor((16,), center="last", scale="std", **PARAMS)
    pipe = Pipeline([("window", SlidingWindow(LOOKBACK, lazy=True)), ("lstm", net)])
    pipe.fit(train.to_frame(), make_horizon_targets(train, H))
    pipeline = pipe.predict(test.to_frame())[::H].ravel()
    # the pipeline predicts 240 windows in one batch, the forecaster one: float64
    # rounding differs in the 16th digit
    np.testing.assert_allclose(native.to_numpy(), pipeline, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(
        native.to_numpy()[:H], pipe.predict(test.iloc[:1].to_frame())[0]
    )

    with warnings.catch_warnings(record=True):  # sktime's config FutureWarning
        warnings.simplefilter("always")
        reduction = make_reduction(
            LSTMRegressor((16,), center="last", scale="std", **PARAMS),
            strategy="multioutput",
            window_length=LOOKBACK,
        )
        reduced = _day_by_day(reduction.fit(train, fh=fh), test)
    np.testing.assert_array_equal(native.to_numpy(), reduced.to_numpy())
    assert np.isfinite(native.to_numpy()).all()
