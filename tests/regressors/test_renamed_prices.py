"""The regressors' provisioning prices are over_cost / under_cost, never alpha / beta.

scikit-learn's ``MLPRegressor(alpha=1e-4)`` is an L2 penalty: ported as it is, it
would have priced over-provisioning here. The old names are an error that says
what to write instead.
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import Ridge

from lstmforecast.regressors import CapacityRegressor, LSTMRegressor, MLPRegressor


@pytest.mark.parametrize("make", [LSTMRegressor, MLPRegressor])
@pytest.mark.parametrize("old", ["alpha", "beta"])
def test_the_old_price_names_are_an_error_that_names_the_new_ones(make, old):
    with pytest.raises(TypeError) as info:
        make(**{old: 1e-4})
    message = str(info.value)
    assert f"{make.__name__} has no parameter '{old}'" in message
    assert "'over_cost' (was 'alpha')" in message and "weight_decay" in message
    assert "\n" not in message


def test_capacity_regressor_refuses_them_too():
    with pytest.raises(TypeError, match="CapacityRegressor has no parameter 'alpha'"):
        CapacityRegressor(Ridge(), alpha=1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'gamma'"):
        CapacityRegressor(Ridge(), gamma=1)  # any other name: Python's own error


@pytest.mark.parametrize("make", [LSTMRegressor, MLPRegressor])
def test_the_new_names_are_ordinary_parameters(make):
    model = make(loss="provisioning", over_cost=2.0, under_cost=5.0)
    params = model.get_params()
    assert params["over_cost"] == 2.0 and params["under_cost"] == 5.0
    assert "alpha" not in params and "beta" not in params
    assert clone(model).get_params()["under_cost"] == 5.0
    with pytest.raises(ValueError, match="Invalid parameter 'alpha'"):
        model.set_params(alpha=1.0)


def test_under_cost_moves_the_forecast_up_as_the_quantile_says():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 4))
    y = X[:, -1] + rng.normal(size=400)
    common = {"max_epochs": 40, "random_state": 0, "n_threads": 1, "lr": 1e-2}
    cheap = MLPRegressor((8,), loss="provisioning", under_cost=1.0, **common)
    dear = MLPRegressor((8,), loss="provisioning", under_cost=20.0, **common)
    gap = dear.fit(X, y).predict(X) - cheap.fit(X, y).predict(X)
    assert gap.mean() > 0.5  # the 0.95 quantile sits far above the 0.5 one
