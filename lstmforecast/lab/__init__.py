"""The Politecnico di Milano traffic-prediction lab: one protocol, one config.

:func:`run_lab` is what ``lstmforecast lab`` runs: the Telecom Italia Milano data
(bundled real cells, or raw files), hourly aggregation, the MLP's calendar and lag
features, the MLP (15-10-5, sigmoid) and the LSTM (7-3) against the seasonal naive,
the effect of scaling (the lab's task 4d), the Gbit/s rescaling and the
provisioning cost with its energy report, and a small ``GridSearchCV`` scored by
the cost. Every number goes to ``metrics.json``, every picture to a PNG, and
``report.md`` ties them together.

:class:`LabConfig` holds every parameter once: its default, its check and the
command-line option built from it. The protocol (the data, the split in time
order, the scaling on the training part, each model's inputs and the scores) is
one copy, shared by :func:`run_lab`, :func:`run_protocol` and
:func:`cost_protocol`, and the slow accuracy tests and the benchmarks run it.
:func:`load_dataset` is the lab's own day x hour table.
"""

from lstmforecast.lab._config import LabConfig
from lstmforecast.lab._protocol import (
    cost_protocol,
    lab_series,
    protocol_table,
    run_protocol,
)
from lstmforecast.lab._run import run_lab
from lstmforecast.lab._table import load_dataset

__all__ = [
    "LabConfig",
    "cost_protocol",
    "lab_series",
    "load_dataset",
    "protocol_table",
    "run_lab",
    "run_protocol",
]
