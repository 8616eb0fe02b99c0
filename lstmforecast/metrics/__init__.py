"""The provisioning cost: what a forecast costs an operator that allocates from it."""

from lstmforecast.metrics._provisioning import (
    make_provisioning_scorer,
    provisioning_cost,
)

__all__ = ["make_provisioning_scorer", "provisioning_cost"]
