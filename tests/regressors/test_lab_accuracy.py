"""The lab protocol on real data: the LSTM beats the seasonal naive on cell 5161."""

import numpy as np
import pytest
import torch

from lstmforecast._protocol import TEST_HOURS, lab_series, run_protocol


@pytest.mark.slow
def test_lstm_beats_seasonal_naive_on_cell_5161_median_of_3_seeds():
    series = lab_series(5161)
    assert len(series) == 1464
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny networks: one thread is faster on two cores
    try:
        runs = [
            run_protocol(series, seed=s, mlp_params={"max_epochs": 50})
            for s in range(3)
        ]
    finally:
        torch.set_num_threads(threads)
    lstm = np.median([r.loc["lstm", "mse"] for r in runs])
    naive = runs[0].loc["seasonal_naive", "mse"]
    assert lstm < naive
    # the naive baseline is what it says: the previous day's value, on 240 hours
    scaled_naive = runs[0].loc["seasonal_naive"]
    assert np.isfinite(scaled_naive.to_numpy()).all()
    assert TEST_HOURS == 240
