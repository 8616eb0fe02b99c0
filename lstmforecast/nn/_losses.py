"""Training losses beyond torch's own."""

from __future__ import annotations

import math
import numbers

import torch
from torch import nn

from lstmforecast.nn._modules import _shown

__all__ = ["PinballLoss", "ProvisioningLoss"]


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


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
        if not _is_real(quantile) or not 0.0 < quantile < 1.0:
            raise ValueError(
                f"The 'quantile' parameter of PinballLoss must be a float in (0, 1). "
                f"Got {_shown(quantile)} instead."
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


class ProvisioningLoss(nn.Module):
    r"""Asymmetric linear loss: ``alpha`` per unit over, ``beta`` per unit under.

    .. math::

        L(y, \hat y) = \alpha \max(\hat y - y, 0) + \beta \max(y - \hat y, 0)

    averaged over the batch: the provisioning cost of allocating exactly the
    forecast (no steps). It equals ``alpha + beta`` times the pinball loss of
    quantile ``beta / (alpha + beta)``, so its minimiser is that quantile of the
    demand: with blocking ten times dearer than waste, the 91 % quantile.

    Parameters
    ----------
    alpha : float, default=1.0
        Cost per unit of over-forecast, >= 0.
    beta : float, default=10.0
        Cost per unit of under-forecast, >= 0.

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import ProvisioningLoss
    >>> loss = ProvisioningLoss(alpha=1.0, beta=10.0)
    >>> float(loss(torch.tensor([1.0, 3.0]), torch.tensor([2.0, 2.0])))  # (10 + 1) / 2
    5.5
    """

    def __init__(self, alpha: float = 1.0, beta: float = 10.0):
        super().__init__()
        ok = all(_is_real(v) and math.isfinite(v) and v >= 0 for v in (alpha, beta))
        if not ok or alpha + beta == 0:
            raise ValueError(
                "The 'alpha' and 'beta' parameters of ProvisioningLoss must be finite "
                f"numbers >= 0, not both 0. Got alpha={_shown(alpha)}, "
                f"beta={_shown(beta)} instead."
            )
        self.alpha = float(alpha)
        self.beta = float(beta)

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        """Return the mean provisioning cost of ``y_pred`` for demand ``y_true``.

        Parameters
        ----------
        y_pred : torch.Tensor
            Forecasts (the capacity allocated).
        y_true : torch.Tensor
            Demand, same shape.

        Returns
        -------
        loss : torch.Tensor
            A scalar.
        """
        diff = y_true - y_pred
        return (
            self.beta * diff.clamp(min=0) + self.alpha * (-diff).clamp(min=0)
        ).mean()


def _check_levels(quantiles, owner: str) -> tuple:
    levels = tuple(quantiles) if isinstance(quantiles, (list, tuple)) else None
    if (
        not levels
        or not all(_is_real(q) and 0.0 < q < 1.0 for q in levels)
        or any(b <= a for a, b in zip(levels, levels[1:], strict=False))
    ):
        raise ValueError(
            f"The 'quantiles' parameter of {owner} must be a list of increasing "
            f"floats in (0, 1), such as [0.1, 0.5, 0.9]. Got {_shown(quantiles)} "
            "instead."
        )
    return tuple(float(q) for q in levels)


class MultiQuantileLoss(nn.Module):
    r"""The pinball loss of several quantiles at once, averaged over them.

    ``y_pred`` holds ``len(quantiles)`` forecasts per target column, quantile
    fastest (column ``h * Q + k`` is quantile ``k`` of target column ``h``, as
    :class:`QuantileHead` returns them); each is scored against its column of
    ``y_true`` with :class:`PinballLoss` of its level.

    Parameters
    ----------
    quantiles : sequence of float
        Increasing levels in (0, 1).

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import MultiQuantileLoss
    >>> loss = MultiQuantileLoss([0.1, 0.9])
    >>> float(loss(torch.tensor([[1.0, 1.0]]), torch.tensor([[2.0]])))  # both under
    0.5
    """

    def __init__(self, quantiles):
        super().__init__()
        self.quantiles = _check_levels(quantiles, "MultiQuantileLoss")
        self.register_buffer("levels", torch.tensor(self.quantiles))

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        """Return the mean pinball loss over the rows, columns and quantiles.

        Parameters
        ----------
        y_pred : torch.Tensor of shape (batch, n_columns * n_quantiles)
            Quantile forecasts, quantile fastest.
        y_true : torch.Tensor of shape (batch, n_columns)
            Targets.

        Returns
        -------
        loss : torch.Tensor
            A scalar.
        """
        q = len(self.quantiles)
        pred = y_pred.reshape(len(y_pred), -1, q)
        diff = y_true.reshape(len(y_true), -1, 1) - pred
        levels = self.levels.to(diff.dtype)
        return torch.maximum(levels * diff, (levels - 1) * diff).mean()
