"""LabConfig: every parameter of the lab, written once.

Each field carries, next to its default, the check that ``validate`` applies and
the command-line option that ``lstmforecast lab`` builds from it (``help``, the
``flag`` when it is not ``--`` + the name with dashes, ``parse``: the kind of
value the command line reads, ``nargs``, ``choices``, or ``const`` for a switch).
Fields with ``results=False`` say how to run, not what was computed, and stay out
of the results' ``config``.
"""

from __future__ import annotations

import dataclasses
import difflib
import numbers
import os
from dataclasses import dataclass, field

import numpy as np

from lstmforecast.datasets import TRAFFIC_TYPES
from lstmforecast.datasets._schema import as_written

__all__ = ["LabConfig"]

MAX_DAYS = 62  # 1 November 2013 - 1 January 2014
MIN_TRAIN_DAYS = 9  # a week for the previous-week lag, then data to learn from


def _is_int(value, low=None, high=None) -> bool:
    return (
        isinstance(value, numbers.Integral)
        and not isinstance(value, bool)
        and (low is None or value >= low)
        and (high is None or value <= high)
    )


def _is_number(value, *, positive=False) -> bool:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return False
    return bool(np.isfinite(value) and (value > 0 if positive else value >= 0))


def _is_cells(value) -> bool:
    return value is None or (
        isinstance(value, tuple) and all(_is_int(c) for c in value)
    )


def _is_price_grid(value) -> bool:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    return bool(
        arr.ndim == 1 and len(arr) >= 2 and np.isfinite(arr).all() and (arr >= 0).all()
    )


def _is_path(value, *, optional=False) -> bool:
    return (optional and value is None) or isinstance(value, (str, os.PathLike))


def _option(default, check, expected, help, **cli):
    """Make a field: its default, its check and the command-line option from it."""
    meta = {"check": check, "expected": expected, "help": help, **cli}
    return field(default=default, metadata=meta)


_EPOCHS = "an integer >= 1"
_GRID = "at least two finite prices >= 0"


@dataclass(frozen=True)
class LabConfig:
    """The parameters of the Milano lab: one object for the command and the protocol.

    :func:`run_lab` and the protocol functions (:func:`lab_series`,
    :func:`run_protocol`, :func:`protocol_table`, :func:`cost_protocol`) take one,
    and ``lstmforecast lab`` builds its options from its fields, so a parameter,
    its default, its check and its option are written once, here. ``validate``
    checks every field; the results' ``config`` is this object as a dict.

    Parameters
    ----------
    cell : int, default=5161
        Cell whose traffic the models forecast (5161: Duomo, the busiest).
    trace_cells : tuple of int or None, default=None
        Cells in the trace plot; None uses ``cell`` and, on bundled data, all
        bundled cells.
    traffic : str, default='internet'
        Traffic type (bundled data: internet only).
    data_dir : str, path or None, default=None
        Folder of raw Telecom Italia files (any of the three shapes); None uses
        the bundled real data.
    days : int, default=61
        Days from 1 November 2013 (61: to 31 December, as the lab).
    test_days : int, default=10
        The last days, kept for the test.
    lookback : int, default=36
        Hours in each window of the window networks.
    lstm_epochs : int, default=50
        Training epochs of the LSTM.
    mlp_epochs : int, default=500
        Training epochs of the MLP.
    alpha : float, default=1.0
        Over-provisioning cost per Gbit/s-hour.
    beta : float, default=10.0
        Under-provisioning (blocking) cost per Gbit/s-hour.
    alphas : tuple of float, default=(1, 2, ..., 10)
        The ``alpha`` grid of the cost surface.
    betas : tuple of float, default=(1, 2, ..., 10)
        The ``beta`` grid of the cost surface.
    step : float or None, default=0.1
        Capacity step in Gbit/s for the energy report and the capacity plot;
        None allocates exactly.
    grid : bool, default=True
        Run the small grid search.
    grid_epochs : int, default=15
        Epochs of each grid-search candidate.
    device : str, default='cpu'
        Device of the networks (``'cpu'``, ``'cuda'``, ``'auto'``).
    n_threads : int or None, default=1
        torch threads of each network: one is fastest for these tiny networks on
        few cores; None keeps torch's setting.
    output_dir : str or path, default='results'
        Folder for the PNG plots, ``metrics.json``, ``forecasts.csv`` and
        ``report.md`` (created).
    seed : int or None, default=0
        ``random_state`` of every network: the same seed gives the same metrics.
    verbose : int, default=1
        0 silent; 1 progress and tables.

    See Also
    --------
    run_lab : The lab's tasks 1-8 with this configuration.

    Notes
    -----
    Lists given for ``trace_cells``, ``alphas`` and ``betas`` are stored as
    tuples, so a configuration cannot change once made. A field's command-line
    option is ``--`` and its name with dashes, except ``n_threads``
    (``--threads``), ``grid`` (``--no-grid``) and ``verbose`` (``--quiet``).

    Examples
    --------
    >>> from dataclasses import replace
    >>> from lstmforecast.lab import LabConfig
    >>> config = LabConfig(days=20, test_days=3)
    >>> config.validate().lookback
    36
    >>> replace(config, lookback=24).lookback
    24
    >>> LabConfig(days=70).validate()
    Traceback (most recent call last):
    ...
    ValueError: days: expected an integer from 1 to 62 (days from ...); got 70.
    """

    cell: int = _option(
        5161,
        _is_int,
        "an integer cell id",
        "cell the models forecast (default: {default}, Duomo)",
        parse="int",
    )
    trace_cells: tuple[int, ...] | None = _option(
        None,
        _is_cells,
        "None or a list of integer cell ids",
        "cells in the trace plot (default: the bundled cells)",
        parse="int",
        nargs="+",
    )
    traffic: str = _option(
        "internet",
        lambda v: v in TRAFFIC_TYPES,
        f"one of {TRAFFIC_TYPES}",
        "traffic type (bundled data: internet only)",
        choices=TRAFFIC_TYPES,
    )
    data_dir: str | os.PathLike | None = _option(
        None,
        lambda v: _is_path(v, optional=True),
        "a folder path or None",
        "folder of raw Telecom Italia files (default: the bundled real data)",
    )
    days: int = _option(
        61,
        lambda v: _is_int(v, 1, MAX_DAYS),
        f"an integer from 1 to {MAX_DAYS} (days from 1 November 2013)",
        "days from 1 Nov 2013 (default: {default}, to 31 Dec)",
        parse="positive_int",
    )
    test_days: int = _option(
        10,
        lambda v: _is_int(v, 1),
        "an integer >= 1",
        "last days kept for the test (default: {default})",
        parse="positive_int",
    )
    lookback: int = _option(
        36,
        lambda v: _is_int(v, 1, 7 * 24),
        "an integer from 1 to 168 hours",
        "hours in each LSTM window (default: {default})",
        parse="positive_int",
    )
    lstm_epochs: int = _option(
        50,
        lambda v: _is_int(v, 1),
        _EPOCHS,
        "LSTM training epochs (default: {default})",
        parse="positive_int",
    )
    mlp_epochs: int = _option(
        500,
        lambda v: _is_int(v, 1),
        _EPOCHS,
        "MLP training epochs (default: {default})",
        parse="positive_int",
    )
    alpha: float = _option(
        1.0,
        _is_number,
        "a finite number >= 0",
        "over-provisioning cost per unit (default: {default})",
        parse="price",
    )
    beta: float = _option(
        10.0,
        _is_number,
        "a finite number >= 0",
        "under-provisioning (blocking) cost per unit (default: {default})",
        parse="price",
    )
    alphas: tuple[float, ...] = _option(
        tuple(range(1, 11)),
        _is_price_grid,
        _GRID,
        "alpha grid of the cost surface (default: {default})",
        parse="price",
        nargs="+",
    )
    betas: tuple[float, ...] = _option(
        tuple(range(1, 11)),
        _is_price_grid,
        _GRID,
        "beta grid of the cost surface (default: {default})",
        parse="price",
        nargs="+",
    )
    step: float | None = _option(
        0.1,
        lambda v: v is None or _is_number(v, positive=True),
        "a finite number > 0 or None",
        "capacity step in Gbit/s, or 'none' (default: {default})",
        parse="step",
    )
    grid: bool = _option(
        True,
        lambda v: isinstance(v, (bool, np.bool_)),
        "True or False",
        "skip the grid search",
        flag="--no-grid",
        const=False,
    )
    grid_epochs: int = _option(
        15,
        lambda v: _is_int(v, 1),
        _EPOCHS,
        "epochs per grid-search candidate (default: {default})",
        parse="positive_int",
    )
    device: str = _option(
        "cpu",
        lambda v: isinstance(v, str),
        "a device name such as 'cpu', 'cuda' or 'auto'",
        "'cpu', 'cuda' or 'auto' (default: {default})",
    )
    n_threads: int | None = _option(
        1,
        lambda v: v is None or _is_int(v, 1),
        "an integer >= 1 or None",
        "torch threads per network (default: {default}, fastest for these tiny "
        "networks)",
        parse="positive_int",
        flag="--threads",
    )
    output_dir: str | os.PathLike = _option(
        "results",
        _is_path,
        "a folder path",
        "folder for the outputs (default: {default})",
        results=False,
    )
    seed: int | None = _option(
        0,
        lambda v: v is None or _is_int(v),
        "an integer or None",
        "seed of every network (default: {default})",
        parse="int",
    )
    verbose: int = _option(
        1,
        lambda v: _is_int(v, 0),
        "0 (silent) or 1 (progress and tables)",
        "print nothing",
        flag="--quiet",
        const=0,
        results=False,
    )

    def __post_init__(self):
        # lists (from the command line, or a user) become tuples: a frozen config
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.metadata.get("nargs") and isinstance(value, (list, range, np.ndarray)):
                object.__setattr__(self, f.name, tuple(value))

    def validate(self):
        """Check every field; raise a one-line error naming the first bad one.

        Returns
        -------
        self : LabConfig
            The same configuration, valid.

        Raises
        ------
        ValueError
            For a field out of range or of the wrong kind, and for ``days`` that
            leave fewer than 9 training days after ``test_days``.

        Examples
        --------
        >>> from lstmforecast.lab import LabConfig
        >>> LabConfig(days=12, test_days=10).validate()
        Traceback (most recent call last):
        ...
        ValueError: days=12 with test_days=10 leaves 2 training days; ...
        """
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not f.metadata["check"](value):
                raise ValueError(
                    f"{f.name}: expected {f.metadata['expected']}; got "
                    f"{as_written(value)}."
                )
        if self.days - self.test_days < MIN_TRAIN_DAYS:
            raise ValueError(
                f"days={self.days} with test_days={self.test_days} leaves "
                f"{self.days - self.test_days} training days; the lab needs at least "
                f"{MIN_TRAIN_DAYS} (a week for the previous-week lag, then data to "
                "learn from). Raise days or lower test_days."
            )
        return self


def resolve_config(config=None, overrides=None) -> LabConfig:
    """Return ``config`` (default: ``LabConfig()``) with ``overrides``, validated."""
    if config is None:
        config = LabConfig()
    elif not isinstance(config, LabConfig):
        raise TypeError(
            f"config: expected a LabConfig or None; got {type(config).__name__}."
        )
    names = [f.name for f in dataclasses.fields(LabConfig)]
    for name in overrides or {}:
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "."
            raise TypeError(
                f"{name!r} is not a lab option (options: {', '.join(names)}){hint}"
            )
    return dataclasses.replace(config, **(overrides or {})).validate()


def results_config(config: LabConfig) -> dict:
    """Return the fields that say what was computed (not ``results=False``)."""
    keep = {
        f.name for f in dataclasses.fields(config) if f.metadata.get("results", True)
    }
    return {k: v for k, v in dataclasses.asdict(config).items() if k in keep}
