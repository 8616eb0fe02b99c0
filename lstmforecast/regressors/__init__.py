"""LSTM and MLP networks as scikit-learn regressors (skorch and torch inside).

Multi-step forecasts: the networks fitted on an ``(n, H)`` target (one network,
H outputs), :class:`DirectRegressor` (one model per step),
:class:`RecursiveRegressor` (a one-step model rolled over its own forecasts) and
:class:`Seq2SeqRegressor` (an encoder-decoder with attention over the horizon).
One network per series of a panel, all trained in one fit: :class:`FleetRegressor`.
Baselines to beat, on the same windows: :class:`SeasonalNaiveRegressor` and
:class:`MovingAverageRegressor`.
"""

from lstmforecast.regressors._base import UnscaledTargetWarning
from lstmforecast.regressors._baselines import (
    MovingAverageRegressor,
    SeasonalNaiveRegressor,
)
from lstmforecast.regressors._capacity import CapacityRegressor
from lstmforecast.regressors._conformal import ConformalRegressor
from lstmforecast.regressors._fleet import FleetRegressor
from lstmforecast.regressors._lstm import LSTMRegressor
from lstmforecast.regressors._mlp import MLPRegressor
from lstmforecast.regressors._multistep import DirectRegressor, RecursiveRegressor
from lstmforecast.regressors._progress import EpochProgress
from lstmforecast.regressors._seq2seq import Seq2SeqRegressor

__all__ = [
    "CapacityRegressor",
    "ConformalRegressor",
    "DirectRegressor",
    "EpochProgress",
    "FleetRegressor",
    "LSTMRegressor",
    "MLPRegressor",
    "MovingAverageRegressor",
    "RecursiveRegressor",
    "SeasonalNaiveRegressor",
    "Seq2SeqRegressor",
    "UnscaledTargetWarning",
]
