"""Predictions: non-finite data and forecasts are errors; a row's forecast is its own.

A forecast must depend on its row alone: sklearn's checks shuffle the rows or
predict them in slices and compare. In float32, a matrix product rounds a row
differently depending on where it lands in the batch (the CPU kernels block the
rows), so predict runs a float64 copy of the network.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.utils.estimator_checks import (
    check_methods_sample_order_invariance,
    check_methods_subset_invariance,
)

from lstmforecast.regressors import LSTMRegressor, MLPRegressor

TINY = {"max_epochs": 3, "batch_size": 16, "random_state": 0}


def _table(n=64, n_features=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_features))
    return X, X.sum(axis=1)


# ------------------------------------------------------- values and forecasts
def test_a_column_beyond_float32_is_named_with_the_fix():
    X, y = _table(8)
    frame = pd.DataFrame(X, columns=["hour", "load", "lag_1", "lag_24"])
    frame.loc[3, "load"] = -1e39
    before = frame.copy()
    with pytest.raises(ValueError, match=r"in column 'load' \(index 1\), row 3\. Sca"):
        MLPRegressor(**TINY).fit(frame, y)
    pd.testing.assert_frame_equal(frame, before)  # the input is not modified
    # in predict too: the network never saw such values
    model = MLPRegressor((4,), **TINY).fit(X, y)
    with pytest.raises(ValueError, match="'X' parameter of MLPRegressor has 4 value"):
        model.predict(np.where(np.eye(8, 4) > 0, 1e39, X))


def test_values_within_float32_are_accepted_in_float64():
    X, y = _table(32)
    X[0, 0] = 3e38  # float32 can hold it
    model = MLPRegressor((4,), **TINY).fit(X, y)
    assert model.n_params_ > 0


def test_a_diverged_network_is_an_error_not_a_silent_nan():
    X, y = _table(64)
    model = MLPRegressor(
        (8,), activation="relu", optimizer="sgd", lr=100.0, max_epochs=10
    ).set_params(random_state=0)
    model.fit(X, 1e4 * y)  # unscaled target, huge learning rate: weights go NaN
    assert not np.isfinite(model.history_["train_loss"].iloc[-1])
    with pytest.raises(
        ValueError,
        match=r"MLPRegressor forecast NaN or infinity for 64 of 64 rows whose "
        r"windows are complete: .* lower 'lr', scale the data .* 'gradient_clip'",
    ):
        model.predict(X)


@pytest.mark.parametrize("make", [LSTMRegressor, MLPRegressor])
def test_nan_windows_predict_nan_and_non_finite_forecasts_are_counted(make):
    X, y = _table(40, 6)
    X_nan = X.copy()
    X_nan[:5, 0] = np.nan  # incomplete history
    model = make(4, **TINY).fit(X, y)
    with pytest.warns(UserWarning, match="5 of 40 rows of X have NaN"):
        pred = model.predict(X_nan)
    assert np.isnan(pred[:5]).all() and np.isfinite(pred[5:]).all()
    with torch.no_grad():
        for p in model.net_.module_.parameters():
            p.fill_(float("inf"))
    with pytest.raises(ValueError, match="for 35 of 35 rows whose windows"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            model.predict(X_nan)


# ------------------------------------------------------------ row invariance
@pytest.mark.parametrize("make", [LSTMRegressor, MLPRegressor])
@pytest.mark.parametrize("seed", range(4))
def test_a_rows_forecast_does_not_depend_on_the_other_rows(make, seed):
    # 6 features: shapes where float32 matmuls round rows by their position
    X, y = _table(20, 6, seed)
    model = make(4, **{**TINY, "random_state": seed}).fit(X, y)
    full = model.predict(X)
    for s in range(5):
        idx = np.random.default_rng(s).permutation(len(X))
        np.testing.assert_allclose(model.predict(X[idx]), full[idx], rtol=1e-12)
    by_row = np.concatenate([model.predict(X[i : i + 1]) for i in range(len(X))])
    np.testing.assert_allclose(by_row, full, rtol=1e-12)


def test_predict_leaves_the_trained_module_as_it_was():
    X, y = _table(32)
    model = LSTMRegressor(4, **TINY).fit(X, y)
    module = model.net_.module_
    module.train()
    model.predict(X)
    assert module.training
    assert all(p.dtype == torch.float32 for p in module.parameters())


def _invariance_failures(n_runs: int) -> dict:
    """Run sklearn's order and subset checks ``n_runs`` times on each network.

    Each run draws another permutation (numpy's global seed, which the order
    check uses) and another network (epochs and batch size change with the run;
    the checks themselves fix ``random_state=1``).
    """
    failures = {}
    for name, cls in (("LSTMRegressor", LSTMRegressor), ("MLPRegressor", MLPRegressor)):
        for check in (
            check_methods_sample_order_invariance,
            check_methods_subset_invariance,
        ):
            key = f"{name} {check.__name__}"
            failures[key] = 0
            for run in range(n_runs):
                np.random.seed(run)
                estimator = cls(
                    4, max_epochs=1 + run % 4, batch_size=(4, 8, 16)[run % 3]
                )
                try:
                    check(name, estimator)
                except AssertionError:
                    failures[key] += 1
    return failures


@pytest.mark.slow
def test_sklearn_invariance_checks_hold_over_many_runs():
    state = np.random.get_state()
    try:
        failures = _invariance_failures(50)
    finally:
        np.random.set_state(state)
    assert failures == dict.fromkeys(failures, 0)
