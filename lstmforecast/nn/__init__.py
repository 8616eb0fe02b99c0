"""Pure PyTorch modules and losses (no scikit-learn or skorch imports)."""

from lstmforecast.nn._fleet import RecurrentFleetModule
from lstmforecast.nn._losses import MultiQuantileLoss, PinballLoss, ProvisioningLoss
from lstmforecast.nn._modules import (
    LinearPath,
    MLPModule,
    QuantileHead,
    RecurrentModule,
    SeriesEmbedding,
)

__all__ = [
    "LinearPath",
    "MLPModule",
    "MultiQuantileLoss",
    "PinballLoss",
    "ProvisioningLoss",
    "QuantileHead",
    "RecurrentFleetModule",
    "RecurrentModule",
    "SeriesEmbedding",
]
