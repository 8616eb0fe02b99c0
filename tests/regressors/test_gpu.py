"""The regressors on a CUDA device (run where a GPU is present; skipped otherwise)."""

import numpy as np
import pytest
import torch

from lstmforecast.preprocessing import make_windows
from lstmforecast.regressors import LSTMRegressor, MLPRegressor

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device"),
]


@pytest.mark.parametrize("device", ["cuda", "auto"])
def test_lstm_trains_and_predicts_on_the_gpu(device):
    t = np.arange(600, dtype=float)
    X, y = make_windows(np.sin(2 * np.pi * t / 24), lookback=24)
    model = LSTMRegressor((8, 4), max_epochs=5, random_state=0, device=device)
    model.fit(X, y.ravel())
    assert model.device_.startswith("cuda")
    assert next(model.net_.module_.parameters()).is_cuda
    pred = model.predict(X)
    assert pred.dtype == np.float64 and np.isfinite(pred).all()
    again = LSTMRegressor((8, 4), max_epochs=5, random_state=0, device=device)
    np.testing.assert_allclose(again.fit(X, y.ravel()).predict(X), pred, atol=1e-5)


def test_mlp_on_the_gpu_matches_the_cpu_closely():
    rng = np.random.default_rng(0)
    X = rng.random((300, 4))
    y = X.sum(axis=1)
    cpu = MLPRegressor((8,), max_epochs=5, random_state=0).fit(X, y).predict(X)
    gpu = MLPRegressor((8,), max_epochs=5, random_state=0, device="cuda")
    np.testing.assert_allclose(gpu.fit(X, y).predict(X), cpu, atol=1e-3)


def test_a_global_model_on_lazy_windows_trains_and_predicts_on_the_gpu():
    import pandas as pd

    from lstmforecast.preprocessing import SlidingWindow

    rng = np.random.default_rng(0)
    idx = pd.MultiIndex.from_product(
        [range(4), pd.date_range("2013-11-01", periods=200, freq="h")],
        names=["cell", "time"],
    )
    panel = pd.DataFrame({"v": rng.normal(size=len(idx))}, index=idx)
    windows = SlidingWindow(24, lazy=True).fit_transform(panel)
    params = {
        "max_epochs": 2,
        "random_state": 0,
        "series_embedding": 2,
        "center": "last",
    }
    gpu = LSTMRegressor((8,), device="cuda", **params).fit(windows, panel["v"])
    cpu = LSTMRegressor((8,), **params).fit(windows, panel["v"])
    assert next(gpu.net_.module_.parameters()).is_cuda
    complete = windows.complete()
    pred = gpu.predict(windows[complete])
    assert np.isfinite(pred).all()
    np.testing.assert_allclose(pred, cpu.predict(windows[complete]), atol=1e-3)
