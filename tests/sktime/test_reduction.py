"""The regressors inside sktime's reductions (``make_reduction``).

sktime cuts the series into tabular windows ``(n, window_length)``, oldest
value first, which ``LSTMRegressor`` reads as univariate windows and
``MLPRegressor`` as features: every strategy works, and the multi-output one
is the model ``LSTMForecaster`` trains (the same forecasts).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sktime.forecasting.compose import make_reduction  # noqa: E402

from lstmforecast.regressors import LSTMRegressor, MLPRegressor  # noqa: E402
from lstmforecast.sktime import LSTMForecaster  # noqa: E402

TINY = {"max_epochs": 2, "center": "last", "scale": "std", "random_state": 0}


@pytest.fixture(autouse=True)
def _only_sktime_config_warnings():
    # sktime 1.2 warns in the constructor of each of its forecasters (the
    # reductions, and their clones in fit) that a config default will change
    # (LSTMForecaster sets that config itself). A filter does not hold: sktime's
    # horizon code puts a 'default' FutureWarning filter first
    # (sktime.utils.warnings._SuppressWarningPattern). So record every warning
    # and allow that one only.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    others = [str(w.message) for w in caught if "remember_data" not in str(w.message)]
    assert not others


def _series(n=100):
    t = np.arange(n)
    values = (
        50 + 10 * np.sin(2 * np.pi * t / 24) + np.random.default_rng(0).normal(0, 1, n)
    )
    return pd.Series(values, index=pd.date_range("2013-11-01", periods=n, freq="h"))


@pytest.mark.parametrize("strategy", ["direct", "recursive", "multioutput"])
@pytest.mark.parametrize(
    "regressor",
    [LSTMRegressor((3,), **TINY), MLPRegressor((4,), **TINY)],
    ids=["lstm", "mlp"],
)
def test_make_reduction_with_our_regressors(regressor, strategy):
    y = _series()
    forecaster = make_reduction(regressor, strategy=strategy, window_length=8)
    pred = forecaster.fit(y, fh=[1, 2, 3]).predict()
    hour = pd.Timedelta("1h")
    assert list(pred.index) == [y.index[-1] + k * hour for k in (1, 2, 3)]
    assert np.isfinite(pred.to_numpy()).all()


def test_multioutput_reduction_is_the_native_forecaster():
    y = _series()
    native = LSTMForecaster(8, (3,), **TINY).fit(y, fh=[1, 2, 3]).predict()
    reduction = make_reduction(
        LSTMRegressor((3,), **TINY), strategy="multioutput", window_length=8
    )
    pred = reduction.fit(y, fh=[1, 2, 3]).predict()
    np.testing.assert_array_equal(pred.to_numpy(), native.to_numpy())


def test_global_reduction_on_a_panel():
    y = pd.concat({cell: _series() for cell in (4159, 5161)}, names=["cell"])
    forecaster = make_reduction(
        LSTMRegressor((3,), **TINY),
        strategy="multioutput",
        window_length=8,
        pooling="global",
    )
    pred = forecaster.fit(y.to_frame("internet"), fh=[1, 2]).predict()
    assert pred.shape == (4, 1)
    assert np.isfinite(pred.to_numpy()).all()
