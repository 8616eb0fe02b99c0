"""The lab protocol on the bundled real cells: both networks beat the seasonal naive.

The test period is the lab's last 10 days, 22-31 December 2013: the Christmas
holidays, when traffic falls far below anything in the training weeks. The
networks read level-free windows (``center="last"``), the setting the user guide
recommends for exactly this; the lab's literal variants (raw windows, the
five-feature MLP that ``lstmforecast lab`` trains) are measured by
``benchmarks/bench_lab_accuracy.py``. The protocol is the command's own
(``lstmforecast.lab``).
"""

import numpy as np
import pytest
from joblib import Parallel, delayed

from lstmforecast.datasets import BUNDLED_CELLS
from lstmforecast.lab import LabConfig, lab_series, run_protocol

TEST_HOURS = 24 * LabConfig().test_days


@pytest.mark.slow
@pytest.mark.parametrize("cell", BUNDLED_CELLS)
def test_lstm_and_mlp_beat_seasonal_naive_median_of_3_seeds(cell):
    series = lab_series(cell=cell)
    assert len(series) == 61 * 24
    models = ("lstm", "mlp_windows", "seasonal_naive")
    # the seeds in two processes (one torch thread each): the 2-core CI's both
    # cores; each seed's run is the same wherever it runs
    runs = Parallel(n_jobs=2)(
        delayed(run_protocol)(series, seed=s, models=models) for s in range(3)
    )
    naive = runs[0].loc["seasonal_naive"]
    # the baseline is what it says: yesterday's value on the last 240 hours
    train = series.iloc[:-TEST_HOURS]
    scaled = (series - train.min()) / (train.max() - train.min())
    error = scaled - scaled.shift(24)
    expected = np.mean(error.iloc[-TEST_HOURS:] ** 2)
    assert naive["mse"] == pytest.approx(expected)
    for model in ("lstm", "mlp_windows"):
        mse = np.median([r.loc[model, "mse"] for r in runs])
        assert mse < naive["mse"], (cell, model, mse, naive["mse"])
        assert np.median([r.loc[model, "r2"] for r in runs]) > naive["r2"]
