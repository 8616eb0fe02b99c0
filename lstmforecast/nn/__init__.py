"""Pure PyTorch modules and losses (no scikit-learn or skorch imports)."""

from lstmforecast.nn._fleet import RecurrentFleetModule
from lstmforecast.nn._losses import PinballLoss, ProvisioningLoss
from lstmforecast.nn._modules import (
    LinearPath,
    MLPModule,
    RecurrentModule,
    SeriesEmbedding,
)

__all__ = [
    "LinearPath",
    "MLPModule",
    "PinballLoss",
    "ProvisioningLoss",
    "RecurrentFleetModule",
    "RecurrentModule",
    "SeriesEmbedding",
]
