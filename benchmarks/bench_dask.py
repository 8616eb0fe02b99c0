r"""One small model per cell: a local loop against the fan-out on a Dask cluster.

What it measures
----------------
``--cells`` (32) synthetic hourly cells of ``--hours`` (336: two weeks) each, as
one ``(cell, time)`` panel (a daily cycle with a phase, level and noise of its
own per cell). Every cell gets ``SlidingWindow(--lookback)`` (24) and
``LSTMRegressor((--hidden,), max_epochs=--epochs, random_state=0)`` (4 units,
2 epochs): tiny per-cell fits, the case where Dask's per-task overhead weighs
most.

local loop
    ``PerSeriesRegressor(pipeline).fit(X, y)``: one fit after the other in this
    process (1 torch thread).
fit_per_series
    ``fit_per_series(pipeline, X, y, client=client)`` on a ``LocalCluster`` of
    ``--workers`` (2) processes x 1 thread x 1 torch thread (or the cluster at
    ``--scheduler``): the panel scattered once, one task per cell.

Each side gets an untimed warm-up first (one fit here, and one on each worker:
a worker's first fit pays oneDNN's first calls). The cluster's start-up (with
the import of torch and skorch on the workers) is timed on its own. Printed:
the machine, the 1-minute load average before each timing (the machine may be
shared), both wall times with the sum of the fits' own seconds beside them
(measured around each fit, on the worker that ran it: when it grows on the
workers, the fits are competing for the cores; the rest of the wall time is
Dask's scheduling and transfers), the ratio loop / Dask (above 1: Dask
faster), and whether the two give identical predictions (they must: same
seeds, same data, one thread each). A control: the whole local loop run as
one task on one worker (its time measured there), which tells a slow worker
process from fits slowed by running side by side.

How to run
----------
From the repository root::

    python benchmarks/bench_dask.py                       # 32 cells, ~1 min
    python benchmarks/bench_dask.py --cells 8 --hours 96  # smoke
    python benchmarks/bench_dask.py --scheduler tcp://10.0.0.5:8786
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings

import numpy as np
import pandas as pd
from _machine import load_average, machine_line


def make_cells(n_cells: int, hours: int, seed: int = 0) -> pd.DataFrame:
    """Return a ``(cell, time)`` panel of synthetic hourly loads."""
    rng = np.random.default_rng(seed)
    t = np.arange(hours)[None, :]
    phase = rng.uniform(-3, 3, (n_cells, 1))
    level = rng.uniform(0.5, 1.5, (n_cells, 1))
    noise = 0.1 * rng.standard_normal((n_cells, hours))
    values = level * (1 + 0.6 * np.sin(2 * np.pi * (t - phase) / 24)) + noise
    index = pd.MultiIndex.from_product(
        [np.arange(n_cells), pd.date_range("2013-11-01", periods=hours, freq="h")],
        names=["cell", "time"],
    )
    return pd.DataFrame({"load": values.ravel()}, index=index)


def _pipeline(hidden: int, epochs: int, lookback: int):
    from sklearn.pipeline import Pipeline

    from lstmforecast.preprocessing import SlidingWindow
    from lstmforecast.regressors import LSTMRegressor

    model = LSTMRegressor((hidden,), max_epochs=epochs, random_state=0, n_threads=1)
    return Pipeline([("window", SlidingWindow(lookback)), ("model", model)])


def _predict(model, X) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # first hours: no window
        return model.predict(X)


def _warm_up(pipe, X, y):
    from sklearn.base import clone

    clone(pipe).fit(X, y)


def _loop_in_one_task(pipe, X, y) -> float:
    """Seconds of the local loop run inside one task (the worker's own speed)."""
    from lstmforecast.parallel import PerSeriesRegressor

    start = time.perf_counter()
    PerSeriesRegressor(pipe).fit(X, y)
    return time.perf_counter() - start


def measure(client, *, n_cells=32, hours=336, epochs=2, hidden=4, lookback=24):
    """Time the local loop and the fan-out on ``client``; print and return them."""
    import torch

    from lstmforecast.parallel import PerSeriesRegressor, fit_per_series

    torch.set_num_threads(1)
    X = make_cells(n_cells, hours)
    y = X["load"]
    pipe = _pipeline(hidden, epochs, lookback)
    n_workers = len(client.nthreads())
    warm = X.loc[list(range(min(n_cells, n_workers)))]
    PerSeriesRegressor(pipe).fit(warm, warm["load"])
    for worker in client.nthreads():  # each worker's first fit, untimed
        part = (warm.loc[[0]], warm.loc[[0], "load"])
        client.submit(_warm_up, pipe, *part, workers=[worker], pure=False).result()

    fits = {"local": [], "dask": []}
    load_local = load_average()
    start = time.perf_counter()
    local = fit_per_series(  # client=None: the loop of PerSeriesRegressor.fit
        pipe, X, y, progress=lambda series, seconds: fits["local"].append(seconds)
    )
    local_s = time.perf_counter() - start
    load_dask = load_average()
    start = time.perf_counter()
    remote = fit_per_series(
        pipe,
        X,
        y,
        client=client,
        progress=lambda series, seconds: fits["dask"].append(seconds),
    )
    dask_s = time.perf_counter() - start
    worker = sorted(client.nthreads())[0]
    load_task = load_average()
    one_task_s = client.submit(
        _loop_in_one_task, pipe, X, y, workers=[worker], pure=False
    ).result()
    identical = bool(np.array_equal(_predict(local, X), _predict(remote, X), True))
    assert isinstance(local, PerSeriesRegressor)

    print(
        f"{n_cells} cells x {hours} h, LSTM ({hidden},) x {epochs} epoch(s), "
        f"lookback {lookback}; wall time (sum of the fits' own seconds)"
    )
    print(
        f"local loop:                {local_s:7.2f} s ({sum(fits['local']):6.2f} s)"
        f"  load {load_local:.2f}"
    )
    print(
        f"fit_per_series on {n_workers} workers: {dask_s:7.2f} s "
        f"({sum(fits['dask']):6.2f} s)  load {load_dask:.2f}"
    )
    print(
        f"the loop inside one task:  ({one_task_s:6.2f} s)  load {load_task:.2f}"
        "  (a worker's own speed)"
    )
    print(f"ratio loop / Dask: {local_s / dask_s:.2f}x; identical: {identical}")
    return {
        "local_s": local_s,
        "dask_s": dask_s,
        "local_fits_s": sum(fits["local"]),
        "dask_fits_s": sum(fits["dask"]),
        "one_task_s": one_task_s,
        "ratio": local_s / dask_s,
        "identical": identical,
        "n_workers": n_workers,
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", type=int, default=32)
    parser.add_argument("--hours", type=int, default=336)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=4)
    parser.add_argument("--lookback", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scheduler", default=None)
    args = parser.parse_args(argv)

    from lstmforecast.parallel import dask_client

    print(machine_line())
    local = {
        "n_workers": args.workers,
        "dashboard_address": None,
        "silence_logs": logging.ERROR,  # not the nanny's shutdown warnings
    }
    options = {} if args.scheduler else local
    start = time.perf_counter()
    with dask_client(args.scheduler, **options) as client:
        client.run(exec, "import lstmforecast.regressors")
        print(
            f"cluster start-up (and imports on the workers): "
            f"{time.perf_counter() - start:.1f} s (load {load_average():.2f})"
        )
        return measure(
            client,
            n_cells=args.cells,
            hours=args.hours,
            epochs=args.epochs,
            hidden=args.hidden,
            lookback=args.lookback,
        )


if __name__ == "__main__":
    main()
