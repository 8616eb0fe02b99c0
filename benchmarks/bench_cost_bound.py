r"""How low can the provisioning cost go? The hindsight bound of the cost targets.

What it measures
----------------
The protocol of ``bench_peers.py``: each bundled cell (4159, 4556, 5161) in
Gbit/s with its busiest training hour at 1, the last 240 hours (22 - 31
December) as test, every test hour forecast one hour ahead with the history
carried over, by the library's recommended LSTM (``_recommended.py``, the first
entry; median over ``--seeds``; ``--model`` names another entry, such as ``"lstm
+ mlp (averaged)"``, whose networks all get the options below). Capacity comes
in ``--step`` Gbit/s steps rounded up, alpha:beta = 1:10, the cost as a ratio to
the oracle's (the demand itself rounded up). For each cell and seed it prints:

- ``rounded up``: the forecast rounded up, what ``bench_peers.py`` scores;
- ``expected-cost rule``: the same pipeline inside
  ``CapacityRegressor(decision="expected_cost", calibration_window=168,
  calibration_fraction=0.15)``, given each test day's demand with ``update``
  (``bench_options.day_by_day``): a rule that sees only the past;
- ``best offset (hindsight)``: the forecast plus the one constant offset that
  minimises the cost **on the test hours themselves** (searched on a fine grid
  and at every error). It bounds every rule that adds one constant margin to
  this forecast (a fixed ``CapacityRegressor`` offset); a margin that changes
  from hour to hour or day to day (a rolling or relative rule, the
  expected-cost decision, another forecast) is not bounded by it;
- with ``--stepped-loss [K]``, ``step-aware loss + rule``: the same LSTM
  trained for the cost after rounding up (``loss="provisioning",
  capacity_step=K * --step``, ``K`` = 1 by default: the real step; 2 tells the
  loss a coarser one, less margin) inside the same expected-cost rule, and its
  forecast's ``MSE, step-aware loss``: a margin that moves by the hour, from a
  network trained for it; beside it that forecast ``rounded up`` and with
  its own ``best offset (hindsight)``, the bound of every constant margin
  on the step-aware forecast;
- with ``--tune K [K ...]``, ``tuned step-aware loss + rule``: the same,
  ``K`` chosen among those given on the training hours alone
  (``tuned_factor``: ``GridSearchCV`` on three time-ordered folds of a
  week, scored by the provisioning cost at ``--step``), the ``tuned K``
  (the median over seeds) and that forecast's ``MSE, tuned``;
- with ``--tune-window HOURS [HOURS ...]`` (and ``--stepped-loss``),
  ``step-aware loss + tuned-window rule``: the ``--stepped-loss`` network
  inside the rule whose ``calibration_window`` is chosen among those given by
  running the whole rule, daily updates included, on the same three folds of
  the training hours (``tuned_window``), and the ``tuned window``;
- ``errors x k needed for T``: the largest share ``k`` of the forecast's errors
  (the forecast ``y + k (f - y)``, each error shrunk ``k`` times, the MSE ``k^2``
  times) at which the hindsight-best offset reaches the cost ratio ``T`` (each
  of ``--targets``, 1.5 by default: the issue's "<= 1.5 x the oracle"). It says
  how much more accurate than this forecast any model would have to be.

How to run
----------
From the repository root::

    python benchmarks/bench_cost_bound.py                   # about two minutes
    python benchmarks/bench_cost_bound.py --targets 1.5 1.368 1.584 2.224
    python benchmarks/bench_cost_bound.py --stepped-loss --step 0.1  # ~4 min
    python benchmarks/bench_cost_bound.py --tune 1 2 3 --step 0.1   # ~10 min
    python benchmarks/bench_cost_bound.py --model "lstm + mlp (averaged)" \
        --stepped-loss 2 --tune 1 2 3 --targets 1.5 1.368 1.584 2.224  # ~6 min
    python benchmarks/bench_cost_bound.py --model "lstm + mlp (averaged)" \
        --stepped-loss 2 --tune-window 48 96 168 336  # ~11 min
"""

from __future__ import annotations

import argparse
import time
import warnings
from functools import partial

import numpy as np
import pandas as pd
from _machine import load_average, machine_line
from _recommended import RECOMMENDED

COST = {"alpha": 1.0, "beta": 10.0}
CELLS = (4159, 4556, 5161)


def cost_ratio(y, capacity, step) -> float:
    """Cost of ``capacity`` (rounded up to ``step``) over the oracle's."""
    from lstmforecast.metrics import provisioning_cost

    oracle = provisioning_cost(y, y, step=step, **COST)
    return float(provisioning_cost(y, capacity, step=step, **COST) / oracle)


def rounded_up(capacity, step):
    """Whole ``step`` s up, never below 0: ``provisioning_cost``'s rounding."""
    return np.maximum(np.ceil(np.asarray(capacity, float) / step - 1e-9) * step, 0.0)


def _costs(y, f, offsets, step) -> np.ndarray:
    """Total cost of ``f + offset`` (rounded up, never below 0) per offset."""
    gap = rounded_up(f[:, None] + offsets[None, :], step) - y[:, None]
    over, under = np.maximum(gap, 0).sum(axis=0), np.maximum(-gap, 0).sum(axis=0)
    return COST["alpha"] * over + COST["beta"] * under


def best_offset_ratio(y, f, step) -> tuple[float, float]:
    """Return (cost ratio, offset) of the best constant offset on these hours.

    The cost after rounding up is piecewise constant in the offset: constant
    between the offsets at which a forecast plus the offset reaches a step,
    each stretch closed on the right. The candidates hold one point of every
    stretch (each step minus the forecast, plus 1e-12: below the rounding
    tolerance, so on the stretch's right end), and every error and a fine
    grid besides.
    """
    y, f = np.asarray(y, float), np.asarray(f, float)
    levels = np.arange(0, np.ceil(max(y.max(), f.max()) / step) + 3) * step
    crossings = (levels[None, :] - f[:, None]).ravel() + 1e-12
    grid = np.linspace(-0.5, 0.5, 2001) * max(np.ptp(y), step)
    candidates = np.unique(np.r_[crossings, y - f, grid, 0.0])
    best = (np.inf, 0.0)
    for chunk in np.array_split(candidates, max(1, len(candidates) // 2000)):
        cost = _costs(y, f, chunk, step)
        i = int(np.argmin(cost))
        if cost[i] < best[0]:
            best = (float(cost[i]), float(chunk[i]))
    oracle = _costs(y, y, np.zeros(1), step)[0]
    return best[0] / oracle, best[1]


def shrink_needed(y, f, step, target, shares=None) -> float:
    """Return the largest error share ``k`` whose hindsight-best cost <= target.

    ``shares``: the ``k`` tried, from 1 down (101 by default). NaN when none
    reaches it (a target below what even the oracle's errors of 0 cost).
    """
    y, f = np.asarray(y, float), np.asarray(f, float)
    shares = np.linspace(1, 0, 101) if shares is None else np.asarray(shares)
    for k in shares:
        if best_offset_ratio(y, y + k * (f - y), step)[0] <= target:
            return float(k)
    return float("nan")


def _cell_panel(cell):
    """Return (train, test) of one cell as a one-series ``(cell, time)`` panel."""
    from bench_peers import N_TEST, cell_series

    series = cell_series(cell)
    frame = series.to_frame("internet")
    frame.index = pd.MultiIndex.from_arrays(
        [np.full(len(series), cell), series.index], names=["cell", "time"]
    )
    return frame.iloc[:-N_TEST], frame.iloc[-N_TEST:]


def _rule(pipe, train, test, step, window=168):
    """Return (forecast, expected-cost allocation) of ``pipe`` over the test hours.

    The allocation: ``pipe`` inside ``CapacityRegressor(over_cost=1,
    under_cost=10, step=step, calibration_fraction=0.15, refit=True,
    calibration_window=window, decision="expected_cost")``, updated with each
    test day's demand (``bench_options.day_by_day``).
    """
    from bench_options import day_by_day

    from lstmforecast.regressors import CapacityRegressor

    plan = CapacityRegressor(
        pipe,
        over_cost=COST["alpha"],
        under_cost=COST["beta"],
        step=step,
        calibration_fraction=0.15,
        refit=True,
        calibration_window=window,
        decision="expected_cost",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        plan.fit(train, train.iloc[:, 0])  # refit=True: estimator_ saw all of train
        forecast = np.asarray(plan.estimator_.predict(test), float).ravel()
        allocation = day_by_day(plan, train, test, 1, False)[0].ravel()
    return forecast, allocation


def fold_costs(pipe, train, step, window=168) -> list[float]:
    """Return the rule's cost / oracle's on each of three folds of the training hours.

    The folds of ``tuned_factor`` (``PanelTimeSeriesSplit(3, test_size=168)``:
    the last three weeks of ``train``, each forecast from the hours before
    it); on each, the whole rule (``_rule``: fit, then a week of daily
    ``update``) with ``calibration_window=window``, scored at ``step``. No
    hour after ``train`` is forecast or scored.
    """
    from lstmforecast.model_selection import PanelTimeSeriesSplit

    costs = []
    for fit_rows, score_rows in PanelTimeSeriesSplit(3, test_size=168).split(train):
        before, week = train.iloc[fit_rows], train.iloc[score_rows]
        _, allocation = _rule(pipe, before, week, step, window)
        costs.append(cost_ratio(week.iloc[:, 0].to_numpy(), allocation, step))
    return costs


def tuned_window(pipe, train, step, windows) -> int:
    """Return the rule's ``calibration_window`` chosen on the training hours.

    Each window of ``windows`` runs the whole rule on the three time-ordered
    folds of ``fold_costs``; the window of least mean cost / oracle's at
    ``step`` wins (the first, on a tie). No test hour is forecast or scored.
    """
    return min(
        windows, key=lambda window: np.mean(fold_costs(pipe, train, step, window))
    )


def tuned_factor(pipe, train, step, factors) -> float:
    """Return the factor ``k`` of ``capacity_step = k * step`` chosen on train.

    ``GridSearchCV`` over ``factors`` on three time-ordered folds of the
    training hours (``PanelTimeSeriesSplit(3, test_size=168)``: the last three
    weeks, each forecast from the hours before it), scored by
    ``make_provisioning_scorer(step=step)`` on the forecast rounded up (not
    on the rule applied afterwards): no test hour is forecast or scored. A
    failed fit raises rather than scoring NaN.
    """
    from sklearn.model_selection import GridSearchCV

    from lstmforecast.metrics import make_provisioning_scorer
    from lstmforecast.model_selection import PanelTimeSeriesSplit

    keys = _network_keys(pipe, "capacity_step")
    search = GridSearchCV(
        pipe,
        [{key: [k * step] for key in keys} for k in factors],
        cv=PanelTimeSeriesSplit(3, test_size=168),
        scoring=make_provisioning_scorer(step=step, **COST),
        refit=False,
        error_score="raise",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        search.fit(train, train.iloc[:, 0])
    return float(factors[search.best_index_])


def _network_keys(model, name) -> list[str]:
    """Return the nested parameter keys ``...__name`` of every network in ``model``.

    One key for a pipeline (``lstm__loss``), one per member for a
    ``VotingRegressor`` of pipelines (``lstm__lstm__loss``, ``mlp__mlp__loss``).
    """
    keys = [key for key in model.get_params() if key.endswith(f"__{name}")]
    if not keys:
        raise ValueError(
            f"model: expected a pipeline (or an ensemble of pipelines) with a "
            f"network that has a {name!r} parameter; got {type(model).__name__} "
            f"without one. Choose an LSTM or MLP entry of RECOMMENDED."
        )
    return keys


def _set_networks(model, **params):
    """Set each of ``params`` on every network of ``model`` (``_network_keys``)."""
    model.set_params(
        **{
            key: value
            for name, value in params.items()
            for key in _network_keys(model, name)
        }
    )


def cell_forecast(
    cell, seed, epochs, step, stepped_loss=None, tune=None, model=None, windows=None
):
    """Return (demand, forecast, expected-cost allocation) over the test hours.

    The entry ``model`` of ``RECOMMENDED`` (the first, the recommended LSTM,
    by default) trained for the squared error, or with ``stepped_loss`` (a
    factor ``k``) for the cost after rounding up to ``k * step``
    (``loss="provisioning", capacity_step=k * step``, in every network of an
    ensemble), each inside the expected-cost rule at ``step`` (``_rule``).
    With ``tune`` (a list of factors) ``k`` is chosen among them by
    ``tuned_factor`` and returned after the allocation; with ``windows`` (a
    list of hours) the rule's ``calibration_window`` is chosen among them by
    ``tuned_window`` (168 otherwise) and returned last.
    """
    train, test = _cell_panel(cell)
    pipe = RECOMMENDED[model or next(iter(RECOMMENDED))](seed, 1, epochs)
    if stepped_loss is not None or tune:
        _set_networks(
            pipe,
            loss="provisioning",
            over_cost=COST["alpha"],
            under_cost=COST["beta"],
        )
    if tune:
        stepped_loss = tuned_factor(pipe, train, step, tune)
    if stepped_loss is not None:
        _set_networks(pipe, capacity_step=stepped_loss * step)
    window = tuned_window(pipe, train, step, windows) if windows else 168
    out = (test.iloc[:, 0].to_numpy(), *_rule(pipe, train, test, step, window))
    return (*out, *([stepped_loss] if tune else []), *([window] if windows else []))


def _seed_line(row) -> str:
    """Return one cell and seed's costs (and the tuned choices) as one line."""
    extra = "".join(
        f", {name} {row[name]:.3f}"
        for name in (
            "step-aware loss + rule",
            "step-aware loss, best offset (hindsight)",
            "tuned step-aware loss + rule",
            "step-aware loss + tuned-window rule",
        )
        if name in row
    )
    extra += f" (K {row['tuned K']:g})" if "tuned K" in row else ""
    extra += f" (window {row['tuned window']} h)" if "tuned window" in row else ""
    extra += "".join(
        f", {name} {row[name]:.2g}"
        for name in ("MSE, step-aware loss", "MSE, tuned")
        if name in row
    )
    return (
        f"cell {row['cell']} seed {row['seed']}: MSE {row['MSE']:.2g}, rounded up "
        f"{row['rounded up']:.3f}, best offset "
        f"{row['best offset (hindsight)']:.3f}{extra}"
    )


def run(args) -> pd.DataFrame:
    """Every cell and seed; the medians per cell."""
    rows = []
    forecast = partial(cell_forecast, model=args.model)
    for cell in args.cells:
        for seed in range(args.seeds):
            start = time.perf_counter()
            y, f, allocation = forecast(cell, seed, args.epochs, args.step)
            best, offset = best_offset_ratio(y, f, args.step)
            row = {
                "cell": cell,
                "seed": seed,
                "MSE": float(np.mean((f - y) ** 2)),
                "rounded up": cost_ratio(y, f, args.step),
                "expected-cost rule": cost_ratio(y, allocation, args.step),
                "best offset (hindsight)": best,
                "offset": offset,
            }
            if args.stepped_loss is not None:
                _, g, stepped = forecast(
                    cell, seed, args.epochs, args.step, args.stepped_loss
                )
                row["MSE, step-aware loss"] = float(np.mean((g - y) ** 2))
                row["step-aware loss + rule"] = cost_ratio(y, stepped, args.step)
                row["step-aware loss, rounded up"] = cost_ratio(y, g, args.step)
                row["step-aware loss, best offset (hindsight)"] = best_offset_ratio(
                    y, g, args.step
                )[0]
            if args.tune:
                _, g, tuned, k = forecast(
                    cell, seed, args.epochs, args.step, tune=args.tune
                )
                row["tuned K"] = k
                row["MSE, tuned"] = float(np.mean((g - y) ** 2))
                row["tuned step-aware loss + rule"] = cost_ratio(y, tuned, args.step)
            if args.tune_window:
                *_, windowed, window = forecast(
                    cell,
                    seed,
                    args.epochs,
                    args.step,
                    args.stepped_loss,
                    windows=args.tune_window,
                )
                row["tuned window"] = window
                row["step-aware loss + tuned-window rule"] = cost_ratio(
                    y, windowed, args.step
                )
            for target in args.targets:
                row[f"errors x k needed for {target:g}"] = shrink_needed(
                    y, f, args.step, target
                )
            rows.append(row)
            print(
                f"  {_seed_line(row)} ({time.perf_counter() - start:.0f} s, "
                f"load {load_average():.2f})",
                flush=True,
            )
    return pd.DataFrame(rows).groupby("cell").median().drop(columns="seed")


def _factor(text) -> float:
    """Return the factor of the step given on the command line (a number > 0)."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"a step factor must be > 0; got {text}")
    return value


def _hours(text) -> int:
    """Return a calibration window given on the command line (an integer >= 1)."""
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"a window must be an integer >= 1; got {text}"
        )
    return value


def main(argv=None) -> pd.DataFrame:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cells", type=int, nargs="+", default=list(CELLS))
    parser.add_argument(
        "--model",
        choices=list(RECOMMENDED),
        default=next(iter(RECOMMENDED)),
        help="the entry of _recommended.RECOMMENDED (default: the first)",
    )
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--step", type=float, default=0.05)
    parser.add_argument("--targets", type=float, nargs="+", default=[1.5])
    parser.add_argument(
        "--stepped-loss",
        type=_factor,
        nargs="?",
        const=1.0,
        default=None,
        metavar="K",
        help="also the LSTM trained with loss='provisioning', capacity_step=K "
        "* step (K = 1 when omitted)",
    )
    parser.add_argument(
        "--tune",
        type=_factor,
        nargs="+",
        default=None,
        metavar="K",
        help="also the step-aware LSTM with K chosen among these by "
        "time-ordered CV on the training hours",
    )
    parser.add_argument(
        "--tune-window",
        type=_hours,
        nargs="+",
        default=None,
        metavar="HOURS",
        help="with --stepped-loss: also the rule with its calibration_window "
        "chosen among these by time-ordered CV (with daily updates) on the "
        "training hours",
    )
    args = parser.parse_args(argv)
    if args.tune_window and args.stepped_loss is None:
        parser.error(
            "--tune-window tunes the rule of the step-aware network: give "
            "--stepped-loss [K] with it"
        )
    print(machine_line())
    print(f"capacity steps of {args.step} Gbit/s, 1:10; load {load_average():.2f}")
    table = run(args)
    print("\ncost / oracle's, median over seeds (k: share of the errors kept)")
    print(table.to_string(float_format=lambda v: f"{v:.4g}"))
    print(f"load average at the end: {load_average():.2f}")
    return table


if __name__ == "__main__":
    main()
