"""The step-aware provisioning loss: the expected cost after rounding up."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmforecast.metrics import provisioning_cost
from lstmforecast.nn import ProvisioningLoss, rounded_up_cost
from lstmforecast.nn._losses import RowStepProvisioningLoss


def _exact(z, alpha, beta):
    return np.where(z >= 0, alpha * z, -beta * z)


@settings(max_examples=60, deadline=None)
@given(
    d=st.floats(-3.0, 3.0),
    step=st.floats(0.01, 2.0),
    alpha=st.floats(0.1, 5.0),
    beta=st.floats(0.1, 20.0),
)
def test_the_closed_form_is_the_mean_cost_over_one_step(d, step, alpha, beta):
    # midpoint rule over the offset u in [0, step): the integral it stands for
    u = (np.arange(20_000) + 0.5) / 20_000 * step
    mean = _exact(d + u, alpha, beta).mean()
    got = rounded_up_cost(torch.tensor(d, dtype=torch.float64), alpha, beta, step)
    assert float(got) == pytest.approx(mean, rel=1e-6, abs=1e-9)


def test_it_is_the_metric_s_cost_of_rounded_up_forecasts_on_average():
    # forecasts at every position between two steps: what provisioning_cost
    # charges after rounding up, averaged, is the loss
    rng = np.random.default_rng(0)
    step, alpha, beta = 0.25, 1.0, 10.0
    y = rng.uniform(1.0, 5.0, 200_000)
    for d in (-0.4, -0.1, -0.02, 0.0, 0.05, 0.3):
        charged = provisioning_cost(
            y, y + d, alpha=alpha, beta=beta, step=step, policy="ceil"
        )
        expected = float(rounded_up_cost(torch.tensor(d), alpha, beta, step))
        assert charged == pytest.approx(expected, rel=0.01)


def test_its_minimiser_is_a_share_of_a_step_below_the_demand():
    alpha, beta, step = 1.0, 10.0, 0.5
    d = torch.linspace(-1.0, 1.0, 200_001, dtype=torch.float64)
    cost = rounded_up_cost(d, alpha, beta, step)
    best = float(d[cost.argmin()])
    assert best == pytest.approx(-step * alpha / (alpha + beta), abs=1e-4)
    assert float(cost.min()) == pytest.approx(
        alpha * beta * step / (2 * (alpha + beta)), rel=1e-6
    )


def test_it_is_smooth_where_the_branches_meet():
    alpha, beta, step = 2.0, 7.0, 0.3
    for knot in (0.0, -step):
        d = torch.tensor([knot - 1e-7, knot + 1e-7], dtype=torch.float64)
        d.requires_grad_(True)
        rounded_up_cost(d, alpha, beta, step).sum().backward()
        left, right = d.grad.tolist()
        assert left == pytest.approx(right, abs=1e-5)  # continuous derivative
    d = torch.tensor(0.1, dtype=torch.float64, requires_grad=True)
    rounded_up_cost(d, alpha, beta, step).backward()
    assert float(d.grad) == pytest.approx(alpha)  # above the demand: alpha


def test_a_tiny_step_loses_no_precision_in_float32():
    d = torch.tensor([1000.0, -1000.0, 1e-3])
    got = rounded_up_cost(d, 1.0, 10.0, 1e-6)
    # alpha (d + s / 2) above, beta (-d - s / 2) below: no cancellation
    want = [1000.0 + 5e-7, 10 * (1000.0 - 5e-7), 1e-3 + 5e-7]
    assert got.tolist() == pytest.approx(want, rel=1e-6)


def test_without_a_step_the_loss_is_the_exact_cost():
    y_pred, y_true = torch.tensor([1.0, 3.0, 2.0]), torch.tensor([2.0, 2.0, 2.0])
    got = float(ProvisioningLoss(1.0, 10.0)(y_pred, y_true))
    assert got == pytest.approx((10.0 + 1.0 + 0.0) / 3)
    stepped = float(ProvisioningLoss(1.0, 10.0, step=0.5)(y_pred, y_true))
    want = float(rounded_up_cost(y_pred - y_true, 1.0, 10.0, 0.5).mean())
    assert stepped == pytest.approx(want)
    assert stepped != pytest.approx(got)


def test_the_row_step_loss_reads_each_row_s_step_from_the_last_column():
    rng = np.random.default_rng(1)
    pred = torch.tensor(rng.normal(size=(6, 2)))
    demand = torch.tensor(rng.normal(size=(6, 2)))
    steps = torch.tensor(rng.uniform(0.1, 2.0, size=(6, 1)))
    got = RowStepProvisioningLoss(1.0, 10.0)(pred, torch.cat([demand, steps], 1))
    rows = [
        rounded_up_cost(pred[i] - demand[i], 1.0, 10.0, float(steps[i, 0]))
        for i in range(6)
    ]
    assert float(got) == pytest.approx(float(torch.cat(rows).mean()))
