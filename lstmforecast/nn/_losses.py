"""Training losses beyond torch's own."""

from __future__ import annotations

import math
import numbers

import torch
from torch import nn

from lstmforecast.nn._modules import _shown

__all__ = ["PinballLoss", "ProvisioningLoss", "rounded_up_cost"]


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


def rounded_up_cost(
    diff: torch.Tensor, alpha: float, beta: float, step
) -> torch.Tensor:
    r"""Return the expected cost of ``diff`` when capacity is rounded up to ``step``.

    Capacity comes in steps: the allocation is the forecast rounded up to the
    next multiple of ``step``, ``f + u`` with ``u`` in ``[0, step)``. Taking
    ``u`` uniform on that interval (the forecast's position between two steps
    is as good as random), the expected cost of a forecast that exceeds the
    demand by ``d = f - y`` is

    .. math::

        C_s(d) = \frac{1}{s} \int_0^s c(d + u)\, du, \qquad
        c(z) = \alpha \max(z, 0) + \beta \max(-z, 0),

    which is, in closed form,

    .. math::

        C_s(d) = \begin{cases}
        \alpha (d + s / 2) & d \ge 0 \\
        \beta (-d - s / 2) & d \le -s \\
        \left(\alpha (d + s)^2 + \beta d^2\right) / (2 s) & -s < d < 0.
        \end{cases}

    Smooth (continuous with a continuous derivative) and convex, it is the
    exact cost's ``c(d)`` smoothed over one step and shifted by the half step
    that rounding up adds on average: its minimiser is ``d = -s alpha /
    (alpha + beta)``, a forecast *below* the demand by a share of a step, where
    the exact cost's is ``d = 0``. Each branch is computed without a
    difference of large squares, so small steps lose no precision.

    Parameters
    ----------
    diff : torch.Tensor
        Forecast minus demand, ``f - y``.
    alpha, beta : float
        Costs per unit over and under.
    step : float or torch.Tensor
        Capacity step, > 0: one value, or one per row broadcast against
        ``diff``.

    Returns
    -------
    cost : torch.Tensor
        The expected cost, the shape of ``diff`` (broadcast with ``step``).

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import rounded_up_cost
    >>> d = torch.tensor([0.5, -2.0])  # 0.5 over; 2 under (by more than a step)
    >>> rounded_up_cost(d, 1.0, 10.0, 1.0).tolist()  # 1 x (0.5 + 0.5); 10 x (2 - 0.5)
    [1.0, 15.0]
    """
    step = torch.as_tensor(step, dtype=diff.dtype, device=diff.device)
    over = alpha * (diff + step / 2)
    under = -beta * (diff + step / 2)
    inside = (alpha * (diff + step) ** 2 + beta * diff**2) / (2 * step)
    return torch.where(diff >= 0, over, torch.where(diff + step <= 0, under, inside))


class ProvisioningLoss(nn.Module):
    r"""Asymmetric linear loss: ``alpha`` per unit over, ``beta`` per unit under.

    .. math::

        L(y, \hat y) = \alpha \max(\hat y - y, 0) + \beta \max(y - \hat y, 0)

    averaged over the batch: the provisioning cost of allocating exactly the
    forecast (no steps). It equals ``alpha + beta`` times the pinball loss of
    quantile ``beta / (alpha + beta)``, so its minimiser is that quantile of the
    demand: with blocking ten times dearer than waste, the 91 % quantile.

    With ``step``, the loss is the expected cost after the forecast is rounded
    up to a multiple of ``step`` (:func:`rounded_up_cost`): rounding up is
    itself a margin of half a step on average, which the exact loss does not
    know about, so on coarse steps it over-provisions.

    Parameters
    ----------
    alpha : float, default=1.0
        Cost per unit of over-forecast, >= 0.
    beta : float, default=10.0
        Cost per unit of under-forecast, >= 0.
    step : float or None, default=None
        Capacity step the forecast is rounded up to, > 0, in the units of the
        targets; None: the capacity is the forecast itself.

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import ProvisioningLoss
    >>> loss = ProvisioningLoss(alpha=1.0, beta=10.0)
    >>> float(loss(torch.tensor([1.0, 3.0]), torch.tensor([2.0, 2.0])))  # (10 + 1) / 2
    5.5
    >>> stepped = ProvisioningLoss(alpha=1.0, beta=10.0, step=1.0)
    >>> float(stepped(torch.tensor([3.0]), torch.tensor([2.0])))  # 1 over + half a step
    1.5
    """

    def __init__(self, alpha: float = 1.0, beta: float = 10.0, step=None):
        super().__init__()
        ok = all(_is_real(v) and math.isfinite(v) and v >= 0 for v in (alpha, beta))
        if not ok or alpha + beta == 0:
            raise ValueError(
                "The 'alpha' and 'beta' parameters of ProvisioningLoss must be finite "
                f"numbers >= 0, not both 0. Got alpha={_shown(alpha)}, "
                f"beta={_shown(beta)} instead."
            )
        if step is not None and not (
            _is_real(step) and math.isfinite(step) and step > 0
        ):
            raise ValueError(
                "The 'step' parameter of ProvisioningLoss must be a finite number "
                f"> 0 or None. Got {_shown(step)} instead."
            )
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.step = None if step is None else float(step)

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        """Return the mean provisioning cost of ``y_pred`` for demand ``y_true``.

        Parameters
        ----------
        y_pred : torch.Tensor
            Forecasts (the capacity allocated, before rounding to ``step``).
        y_true : torch.Tensor
            Demand, same shape.

        Returns
        -------
        loss : torch.Tensor
            A scalar.
        """
        if self.step is not None:
            diff = y_pred - y_true
            return rounded_up_cost(diff, self.alpha, self.beta, self.step).mean()
        diff = y_true - y_pred
        return (
            self.beta * diff.clamp(min=0) + self.alpha * (-diff).clamp(min=0)
        ).mean()


class RowStepProvisioningLoss(ProvisioningLoss):
    """:class:`ProvisioningLoss` with each row's step as the targets' last column.

    What the regressors train with ``capacity_step`` on windows scaled one by
    one (``scale="std"``): a step of 0.05 Gbit/s is a different number in each
    row's normalised units (``capacity_step / spread``), so the step travels
    beside the targets. ``y_true`` has one column more than ``y_pred``.

    Parameters
    ----------
    alpha : float, default=1.0
        Cost per unit of over-forecast, >= 0.
    beta : float, default=10.0
        Cost per unit of under-forecast, >= 0.

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn._losses import RowStepProvisioningLoss
    >>> loss = RowStepProvisioningLoss(alpha=1.0, beta=10.0)
    >>> y_true = torch.tensor([[2.0, 1.0], [2.0, 4.0]])  # demand, step
    >>> float(loss(torch.tensor([[3.0], [3.0]]), y_true))  # (1.5 + 3) / 2
    2.25
    """

    def __init__(self, alpha: float = 1.0, beta: float = 10.0):
        super().__init__(alpha, beta)

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        """Return the mean rounded-up cost, each row at its own step.

        Parameters
        ----------
        y_pred : torch.Tensor of shape (batch, n_outputs)
            Forecasts.
        y_true : torch.Tensor of shape (batch, n_outputs + 1)
            Demand, then each row's step (> 0).

        Returns
        -------
        loss : torch.Tensor
            A scalar.
        """
        demand, step = y_true[:, :-1], y_true[:, -1:]
        return rounded_up_cost(y_pred - demand, self.alpha, self.beta, step).mean()


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
