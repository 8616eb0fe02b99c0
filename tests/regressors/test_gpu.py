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
