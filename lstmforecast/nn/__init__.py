"""Pure PyTorch modules and losses (no scikit-learn or skorch imports)."""

from lstmforecast.nn._cells import PeepholeLSTMModule
from lstmforecast.nn._fleet import RecurrentFleetModule
from lstmforecast.nn._losses import (
    MultiQuantileLoss,
    PinballLoss,
    ProvisioningLoss,
    rounded_up_cost,
)
from lstmforecast.nn._modules import (
    FittedLinearPath,
    LinearPath,
    MLPModule,
    QuantileHead,
    RecurrentModule,
    SeriesEmbedding,
)
from lstmforecast.nn._seq2seq import Seq2SeqModule
from lstmforecast.nn._xlstm import MLSTMModule, SLSTMModule

__all__ = [
    "FittedLinearPath",
    "LinearPath",
    "MLPModule",
    "MLSTMModule",
    "MultiQuantileLoss",
    "PeepholeLSTMModule",
    "PinballLoss",
    "ProvisioningLoss",
    "QuantileHead",
    "RecurrentFleetModule",
    "RecurrentModule",
    "SLSTMModule",
    "Seq2SeqModule",
    "SeriesEmbedding",
    "rounded_up_cost",
]
