"""Training losses beyond torch's own."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["PinballLoss"]


class PinballLoss(nn.Module):
    r"""Pinball (quantile) loss: its minimiser is the ``quantile`` of the target.

    .. math::

        L(y, \hat y) = \max(q (y - \hat y), (q - 1) (y - \hat y))

    averaged over the batch. Under-forecasts cost ``q`` per unit, over-forecasts
    ``1 - q``: with ``q = beta / (alpha + beta)`` it is, up to the factor
    ``alpha + beta``, the provisioning cost of allocating exactly the forecast.

    Parameters
    ----------
    quantile : float, default=0.5
        The quantile ``q`` in (0, 1); 0.5 gives half the absolute error.

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import PinballLoss
    >>> loss = PinballLoss(quantile=0.9)
    >>> float(loss(torch.tensor([1.0]), torch.tensor([2.0])))  # under by 1
    0.9
    >>> round(float(loss(torch.tensor([3.0]), torch.tensor([2.0]))), 6)  # over by 1
    0.1
    """

    def __init__(self, quantile: float = 0.5):
        super().__init__()
        if not 0.0 < float(quantile) < 1.0:
            raise ValueError(
                f"The 'quantile' parameter of PinballLoss must be in (0, 1). Got "
                f"{quantile!r} instead."
            )
        self.quantile = float(quantile)

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        """Return the mean pinball loss of ``y_pred`` against ``y_true``.

        Parameters
        ----------
        y_pred : torch.Tensor
            Forecasts.
        y_true : torch.Tensor
            Targets, same shape.

        Returns
        -------
        loss : torch.Tensor
            A scalar.
        """
        diff = y_true - y_pred
        return torch.maximum(self.quantile * diff, (self.quantile - 1.0) * diff).mean()
