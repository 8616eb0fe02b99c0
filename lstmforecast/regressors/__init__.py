"""LSTM and MLP networks as scikit-learn regressors (skorch and torch inside)."""

from lstmforecast.regressors._lstm import LSTMRegressor
from lstmforecast.regressors._mlp import MLPRegressor
from lstmforecast.regressors._progress import EpochProgress

__all__ = ["EpochProgress", "LSTMRegressor", "MLPRegressor"]
