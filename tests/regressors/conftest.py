"""Shared by the regressor tests: a hand-written window oracle, benchmark loading."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).parents[2] / "benchmarks"


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


@pytest.fixture(scope="module")
def load_benchmark():
    """Import ``benchmarks/<name>.py`` as a module (with its ``_machine`` helper)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:

        def load(name):
            spec = importlib.util.spec_from_file_location(
                name, BENCHMARKS / f"{name}.py"
            )
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module

        yield load
    finally:
        sys.path.remove(str(BENCHMARKS))
