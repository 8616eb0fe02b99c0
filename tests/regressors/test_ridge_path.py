"""``linear_path='ridge'``: a closed-form linear autoregression, the network on top."""

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Ridge

from lstmforecast._model_file import load_model, save_model
from lstmforecast.nn import FittedLinearPath, MLPModule, RecurrentModule
from lstmforecast.preprocessing import SlidingWindow, make_windows
from lstmforecast.regressors import LSTMRegressor, MLPRegressor
from lstmforecast.regressors._ridge_path import _RELATIVE_ALPHAS, ridge_path

FAST = {"max_epochs": 2, "random_state": 0, "n_threads": 1}


def _ar2(n=1200, seed=0):
    rng = np.random.default_rng(seed)
    values = np.zeros(n)
    for t in range(2, n):
        values[t] = 0.6 * values[t - 1] - 0.3 * values[t - 2] + rng.normal()
    return values


def _model_arrays(est, X, y):
    """The normalised inputs and targets the estimator trains on (fit's own)."""
    X_model, y2, _, _ = est._prepare_fit(X, y)
    return X_model.reshape(len(X_model), -1).astype(np.float64), y2.astype(np.float64)


def _fitted_linear(est):
    path = est.net_.module_
    assert isinstance(path, FittedLinearPath)
    return path.weight.numpy().astype(np.float64), path.bias.numpy()


@pytest.mark.parametrize("cls", [LSTMRegressor, MLPRegressor], ids=["lstm", "mlp"])
@pytest.mark.parametrize("norm", [{}, {"center": "last", "scale": "std"}])
def test_the_linear_path_is_sklearns_ridge_on_the_networks_own_inputs(cls, norm):
    X, Y = make_windows(_ar2(), 12)
    est = cls((4,), linear_path="ridge", **norm, **FAST).fit(X, Y.ravel())
    weight, bias = _fitted_linear(est)
    A, b = _model_arrays(cls((4,), linear_path="ridge", **norm, **FAST), X, Y.ravel())
    reference = Ridge(alpha=est.linear_path_alpha_).fit(A, b)
    np.testing.assert_allclose(weight[0], reference.coef_, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(bias, reference.intercept_, rtol=1e-4, atol=1e-6)
    # the buffers are not parameters: training never moved them, nor counts them
    assert (
        est.n_params_
        == sum(p.numel() for p in est.net_.module_.module.parameters()) + 1
    )


def _gcv_by_hand(A, b, alpha):
    """Generalised cross-validation from the explicit hat matrix (intercept free)."""
    A_c, b_c = A - A.mean(0), b - b.mean(0)
    hat = A_c @ np.linalg.solve(A_c.T @ A_c + alpha * np.eye(A.shape[1]), A_c.T)
    resid = b_c - hat @ b_c
    n = len(A)
    return n * (resid**2).sum() / (n - np.trace(hat) - 1) ** 2


def test_the_penalty_minimises_generalised_cross_validation():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(80, 6))
    A[:, 5] = A[:, 4] + 1e-3 * rng.normal(size=80)  # nearly collinear lags
    b = A @ np.array([1.0, -0.5, 0.0, 0.2, 0.5, 0.5]) + rng.normal(size=80)
    weight, bias, alpha = ridge_path(A, b[:, None], len(A))
    A_c = A - A.mean(0)
    grid = _RELATIVE_ALPHAS * np.linalg.eigvalsh(A_c.T @ A_c).mean()
    scores = [_gcv_by_hand(A, b[:, None], a) for a in grid]
    assert alpha == pytest.approx(grid[int(np.argmin(scores))])
    reference = Ridge(alpha=alpha[0]).fit(A, b)
    np.testing.assert_allclose(weight[0], reference.coef_, rtol=1e-8)
    # a penalty, not least squares: the collinear pair is shrunk together
    assert 1e-6 * grid[-1] < alpha


@pytest.mark.parametrize("seed", [27, 108, 5])
@pytest.mark.parametrize("n_inputs", [30, 45])
def test_more_inputs_than_rows_follow_the_exact_gcv(seed, n_inputs):
    """d >= n: GCV, not the rounding noise of the residual, picks the penalty.

    (Seeds 27 and 108 once picked the interpolating end of the grid from a
    residual that was rounding noise.)
    """
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(30, n_inputs))
    b = A[:, :3] @ np.array([1.0, -1.0, 0.5]) + rng.normal(size=30)
    weight, _, alpha = ridge_path(A, b[:, None], len(A))
    A_c = A - A.mean(0)
    s = np.linalg.eigvalsh(A_c.T @ A_c)
    grid = _RELATIVE_ALPHAS * s[s > s.max() * len(s) * np.finfo(float).eps].mean()
    n = len(A)
    valid = [a for a in grid if n - _dof_by_hand(A, a) > 1e-8 * n]
    scores = [_gcv_by_hand(A, b[:, None], a) for a in valid]
    assert alpha[0] == pytest.approx(valid[int(np.argmin(scores))])
    assert alpha[0] > grid[0]  # never the interpolating end of the grid
    np.testing.assert_allclose(
        weight[0], Ridge(alpha=alpha[0]).fit(A, b).coef_, rtol=1e-6, atol=1e-9
    )


def _dof_by_hand(A, alpha):
    A_c = A - A.mean(0)
    hat = A_c @ np.linalg.solve(A_c.T @ A_c + alpha * np.eye(A.shape[1]), A_c.T)
    return np.trace(hat) + 1


def test_lazy_windows_of_a_panel_give_the_dense_coefficients(monkeypatch):
    import lstmforecast.regressors._ridge_path as solver

    monkeypatch.setattr(solver, "_CHUNK", 64)  # many chunks of each route
    times = pd.date_range("2024-01-01", periods=300, freq="h")
    frame = pd.concat(
        {
            cell: pd.DataFrame({"y": _ar2(300, seed) + 10 * seed}, index=times)
            for seed, cell in enumerate(["a", "b", "c"])
        },
        names=["cell", "time"],
    )
    y = frame["y"].groupby(level="cell").shift(-1)
    params = {"linear_path": "ridge", "center": "last", "scale": "std", **FAST}
    lazy = SlidingWindow(16, lazy=True).fit_transform(frame)
    dense = SlidingWindow(16).fit_transform(frame)
    a = MLPRegressor((4,), **params).fit(lazy, y)
    b = MLPRegressor((4,), **params).fit(dense, y)
    assert a.linear_path_alpha_ == pytest.approx(b.linear_path_alpha_, rel=1e-9)
    np.testing.assert_allclose(_fitted_linear(a)[0], _fitted_linear(b)[0], atol=1e-6)
    np.testing.assert_allclose(a.predict(lazy), b.predict(dense), rtol=1e-5)


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_the_validation_tail_never_reaches_the_linear_path(seed):
    """With early stopping the linear model is fitted on the training rows only."""
    X, Y = make_windows(_ar2(400), 8)
    y = Y.ravel()
    changed = y.copy()
    tail = 40  # the last 10 % judge the network; the gap is 0 for one step
    changed[-tail:] = np.random.default_rng(seed).normal(50, 10, tail)
    params = {"linear_path": "ridge", "early_stopping": True, **FAST}
    a = MLPRegressor((3,), **params).fit(X, y)
    b = MLPRegressor((3,), **params).fit(X, changed)
    assert np.array_equal(_fitted_linear(a)[0], _fitted_linear(b)[0])
    assert a.linear_path_alpha_ == b.linear_path_alpha_
    changed[-tail - 1] += 100.0  # the last training row does reach it
    c = MLPRegressor((3,), **params).fit(X, changed)
    assert not np.allclose(_fitted_linear(a)[0], _fitted_linear(c)[0])


def test_the_untrained_sum_is_the_linear_model_and_quantiles_never_cross():
    torch.manual_seed(0)
    inner = RecurrentModule(input_size=1, n_outputs=2 * 3)
    path = FittedLinearPath(inner, 10, 2, n_quantiles=3)
    weight, bias = torch.randn(2, 10), torch.randn(2)
    path.set_linear(weight, bias)
    X = torch.randn(7, 10, 1)
    linear = X.reshape(7, -1) @ weight.T + bias
    with torch.no_grad():
        path.gate.fill_(5.0)
        out = path(X).reshape(7, 2, 3)
    assert bool((out.diff(dim=2) > 0).all())
    start = FittedLinearPath(inner, 10, 2, n_quantiles=3, point=1)
    start.set_linear(weight, bias)
    with torch.no_grad():
        untrained = start(X).reshape(7, 2, 3)  # the gate is 0
    assert torch.allclose(untrained[:, :, 1], linear, atol=1e-6)  # the median
    spread = untrained - linear[:, :, None]
    assert torch.allclose(spread[0, 0], torch.tensor([-1.0, 0.0, 1.0]) * np.log(2))
    with pytest.raises(ValueError, match="'point' parameter of FittedLinearPath"):
        FittedLinearPath(inner, 10, 2, n_quantiles=3, point=3)
    plain = FittedLinearPath(MLPModule(10, (4,)), 10, 1)
    plain.set_linear(weight[:1], bias[:1])
    assert torch.allclose(plain(X.reshape(7, -1)), linear[:, :1])
    with pytest.raises(ValueError, match=r"weight of shape \(1, 10\).*got \(2, 10\)"):
        plain.set_linear(weight, bias)


def test_never_worse_than_the_linear_autoregression_it_starts_from():
    X, Y = make_windows(_ar2(3000), 8)
    y = Y.ravel()
    train, test = slice(0, 2500), slice(2500, None)
    ridge = Ridge(1e-6).fit(X[train, :, 0], y[train])
    ridge_mse = np.mean((ridge.predict(X[test, :, 0]) - y[test]) ** 2)
    est = LSTMRegressor((4,), linear_path="ridge", max_epochs=5, random_state=0)
    mse = np.mean((est.fit(X[train], y[train]).predict(X[test]) - y[test]) ** 2)
    assert mse <= 1.01 * ridge_mse
    # the trainable linear path of linear_path=True is far from it in 5 epochs
    sgd = LSTMRegressor((4,), linear_path=True, max_epochs=5, random_state=0)
    sgd_mse = np.mean((sgd.fit(X[train], y[train]).predict(X[test]) - y[test]) ** 2)
    assert mse < sgd_mse


def test_a_model_file_restores_the_fitted_linear_path(tmp_path):
    from sklearn.pipeline import Pipeline

    times = pd.date_range("2024-01-01", periods=400, freq="h")
    frame = pd.DataFrame({"internet": _ar2(400) + 20}, index=times)
    model = LSTMRegressor(4, linear_path="ridge", center="last", scale="std", **FAST)
    pipeline = Pipeline([("window", SlidingWindow(6)), ("model", model)])
    pipeline.fit(frame, frame["internet"].shift(-1))
    path = tmp_path / "ridge.lstmf"
    save_model(
        path,
        pipeline,
        target="internet",
        time_column="time",
        first_time=times[0],
        last_time=times[-1],
    )
    loaded = load_model(path)["pipeline"]
    np.testing.assert_array_equal(loaded.predict(frame), pipeline.predict(frame))
    assert loaded[-1].linear_path_alpha_ == pipeline[-1].linear_path_alpha_


def test_an_unknown_linear_path_is_refused_by_name():
    X, Y = make_windows(_ar2(100), 4)
    with pytest.raises(ValueError, match="'linear_path' parameter of MLPRegressor"):
        MLPRegressor(linear_path="lasso").fit(X, Y.ravel())


def test_reruns_are_bit_identical_and_the_option_is_tunable():
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

    X, Y = make_windows(_ar2(600), 8)
    y = Y.ravel()
    est = LSTMRegressor((3,), linear_path="ridge", center="last", **FAST)
    first = est.fit(X, y).predict(X)
    again = LSTMRegressor((3,), linear_path="ridge", center="last", **FAST)
    assert np.array_equal(first, again.fit(X, y).predict(X))
    search = GridSearchCV(
        MLPRegressor((3,), **FAST),
        {"linear_path": [False, True, "ridge"]},
        cv=TimeSeriesSplit(3),
        scoring="neg_mean_squared_error",
    ).fit(X, y)
    assert search.best_params_["linear_path"] == "ridge"  # a linear series
    assert hasattr(search.best_estimator_, "linear_path_alpha_")
