"""Shared by the regressor tests: a hand-written window oracle."""

import numpy as np
import pytest


def _windows_and_targets(values, lookback, horizon):
    """Row t: the window of rows t-lookback..t-1 and the values of rows t..t+H-1.

    NaN where the history or the future is not in the data, as SlidingWindow and
    make_horizon_targets give them; written as a plain loop, the tests' oracle.
    """
    n = len(values)
    X = np.full((n, lookback), np.nan)
    Y = np.full((n, horizon), np.nan)
    for t in range(n):
        if t >= lookback:
            X[t] = values[t - lookback : t]
        for h in range(horizon):
            if t + h < n:
                Y[t, h] = values[t + h]
    return X, Y


@pytest.fixture(scope="session")
def windows_and_targets():
    """The hand-written ``(values, lookback, horizon) -> (X, Y)``."""
    return _windows_and_targets
