r"""Benchmark sliding windows: strided views, batch gathering, and a Python loop.

What it measures
----------------
``--series`` synthetic hourly series (10,000 cells by default) of ``--hours``
values (1,464: the two months of the Milano data) are generated as one C-ordered
``(series, hours)`` array (float32 by default, ``--dtype``). Windows of
``--lookback`` hours (168, one week) with a one-hour target are built by:

``make_windows``
    :func:`lstmforecast.preprocessing.make_windows` called once per series on
    its 1-D row: ``X`` is a read-only strided view of shape
    ``(n_windows, lookback, 1)`` with ``n_windows = hours - lookback`` (1,296),
    and ``y`` a ``(n_windows, 1)`` copy. Timed for all series together.
``swv``
    :func:`numpy.lib.stride_tricks.sliding_window_view` of the whole
    ``(series, hours)`` array along axis 1: one view of shape
    ``(series, hours - lookback + 1, lookback)`` (it also has the last window,
    whose target would be past the end).
``SlidingWindow``
    ``SlidingWindow(lookback).fit_transform(frame)`` on one wide
    ``(hours, series)`` DataFrame with an hourly index (one multivariate
    series): a view of shape ``(hours, lookback, series)`` of one padded copy.
``loop``
    What users typically write, per series::

        for t in range(lookback, n):
            X.append(series[t - lookback : t])
            y.append(series[t])
        X, y = np.array(X), np.array(y)

    Measured on the first ``--loop-series`` series only and **extrapolated**
    linearly to ``--series`` (marked ``(est.)`` in the tables).

For the builds: wall time (best of ``--repeat``, ``time.perf_counter``), windows
per second, and the bytes allocated, from :mod:`tracemalloc` (numpy reports its
buffers to it) in a separate, untimed run: what the call left allocated and its
peak. They are set against the bytes the windows would take if materialised
(``series * n_windows * lookback * itemsize``: 8.7 GB for float32). The resident
size before and after the first ``make_windows`` build (current ``VmRSS`` and
the peak ``ru_maxrss``, reset just before on Linux) shows that the views take
almost no memory: what they do take is mostly the ``y`` copies.

Then the cost of materialising what a training loop feeds to torch: ``--batches``
random batches of ``--batch-size`` windows drawn across all series and gathered
into a contiguous ``(batch, lookback, 1)`` array of ``--dtype`` (and their
``(batch, 1)`` targets), two ways: ``np.stack`` of the ``make_windows`` views
window by window (``gather-views``), and one fancy-index gather on the ``swv``
view (``gather-fancy``). Reported as time per batch and windows per second,
with the time a whole epoch (every window once) would take.

Speed-ups are against the (extrapolated) loop: for the builds, the loop's time
over the build's time; for the batches, windows per second over the loop's
(both produce materialised copies, so that one is the like-for-like ratio).

The run checks correctness and exits with status 1 when a check fails: for
random series and window indices the ``make_windows`` windows and targets equal
the loop's (all windows for the loop series), ``swv`` and ``SlidingWindow``
hold the same windows, the gathered batches equal the loop windows and are
contiguous arrays of ``--dtype``, and ``X`` is a read-only view of the series.

How to run
----------
From the repository root::

    python benchmarks/bench_windows.py                  # 10,000 series
    python benchmarks/bench_windows.py --series 1000    # quick run
    python benchmarks/bench_windows.py --dtype float64 --loop-series 20
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import sys
import time
import tracemalloc

import numpy as np
from _machine import machine_line
from numpy.lib.stride_tricks import sliding_window_view


# ----------------------------------------------------------------------- helpers
def machine_info():
    """Describe the machine and the library versions.

    Returns
    -------
    info : str
        Platform, CPU count, memory, and the python, numpy, pandas, scikit-learn
        versions.
    """
    import pandas as pd
    import sklearn

    return (
        f"{machine_line()}\n"
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, scikit-learn {sklearn.__version__}"
    )


def reset_peak_rss():
    """Reset the peak resident size to the current one (Linux only).

    Writing 5 to ``/proc/self/clear_refs`` resets ``VmHWM``, which ``ru_maxrss``
    reports; otherwise an earlier peak (imports, data generation) would hide a
    later, smaller one.

    Returns
    -------
    done : bool
        Whether the reset worked.
    """
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def current_rss_mib():
    """Return the current resident size in MiB (``VmRSS``), or NaN off Linux.

    Returns
    -------
    rss : float
        Resident set size in MiB.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def peak_rss_mib():
    """Return the peak resident size in MiB (``ru_maxrss``; KiB on Linux).

    Returns
    -------
    peak : float
        Peak resident set size in MiB.
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def best_of(fn, repeat):
    """Run ``fn`` ``repeat`` times; return the best wall time and the last result.

    Parameters
    ----------
    fn : callable
        Called without arguments.
    repeat : int
        Number of runs.

    Returns
    -------
    best : float
        Smallest wall time in seconds.
    times : list of float
        All wall times.
    result : object
        What the last run returned.
    """
    times, result = [], None
    for _ in range(repeat):
        result = None  # let the previous result go before the next run
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), times, result


def traced_bytes(fn):
    """Run ``fn`` once under :mod:`tracemalloc`.

    Parameters
    ----------
    fn : callable
        Called without arguments.

    Returns
    -------
    kept : int
        Bytes still allocated after the call (held by its result).
    peak : int
        Peak bytes allocated during the call.
    """
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return kept, peak


def generate(n_series, n_hours, dtype, seed):
    """Make ``n_series`` positive hourly series with daily and weekly cycles.

    Parameters
    ----------
    n_series, n_hours : int
        Shape of the result.
    dtype : numpy dtype
        float32 or float64.
    seed : int
        Random seed.

    Returns
    -------
    data : ndarray of shape (n_series, n_hours)
        C-ordered, no NaN.
    """
    rng = np.random.default_rng(seed)
    hours = np.arange(n_hours)
    cycle = (
        1.0
        + 0.6 * np.sin(2 * np.pi * (hours - 6) / 24)
        + 0.2 * np.sin(2 * np.pi * hours / 168)
    ).astype(dtype)
    data = np.empty((n_series, n_hours), dtype=dtype)
    for start in range(0, n_series, 1000):  # in pieces: no big float64 temporary
        stop = min(start + 1000, n_series)
        level = rng.lognormal(3.0, 1.0, size=(stop - start, 1)).astype(dtype)
        noise = rng.standard_normal((stop - start, n_hours), dtype=np.float32)
        data[start:stop] = level * (cycle + 0.1 * noise.astype(dtype))
    return data


def loop_windows(series, lookback):
    """Build the windows of one series the naive way, with a Python loop.

    Parameters
    ----------
    series : ndarray of shape (n,)
        One series.
    lookback : int
        Window length.

    Returns
    -------
    X : ndarray of shape (n - lookback, lookback)
        The windows, a new array.
    y : ndarray of shape (n - lookback,)
        The value after each window.
    """
    X, y = [], []
    for t in range(lookback, len(series)):
        X.append(series[t - lookback : t])
        y.append(series[t])
    return np.array(X), np.array(y)


def build_make_windows(data, lookback):
    """Call ``make_windows`` once per row of ``data``; return the X and y lists."""
    from lstmforecast.preprocessing import make_windows

    Xs, ys = [], []
    for row in data:
        X, y = make_windows(row, lookback, horizon=1)
        Xs.append(X)
        ys.append(y)
    return Xs, ys


def gather_views(Xs, ys, s_idx, w_idx, dtype):
    """Gather a batch window by window from the per-series views."""
    Xb = np.stack([Xs[s][w] for s, w in zip(s_idx, w_idx, strict=True)]).astype(
        dtype, copy=False
    )
    yb = np.stack([ys[s][w] for s, w in zip(s_idx, w_idx, strict=True)]).astype(
        dtype, copy=False
    )
    return Xb, yb


def gather_fancy(swv, data, s_idx, w_idx, lookback, dtype):
    """Gather a batch with one fancy index on the all-series view."""
    Xb = swv[s_idx, w_idx][:, :, None].astype(dtype, copy=False)
    yb = data[s_idx, w_idx + lookback][:, None].astype(dtype, copy=False)
    return np.ascontiguousarray(Xb), yb


def owner_of(view):
    """Return the array that owns the memory of ``view``.

    Parameters
    ----------
    view : ndarray
        A view, possibly through :func:`numpy.lib.stride_tricks.as_strided`
        (whose chain of ``base`` passes through a non-array object).

    Returns
    -------
    owner : ndarray
        The last array in the chain of ``base``.
    """
    owner, base = view, view.base
    while base is not None:
        if isinstance(base, np.ndarray):
            owner = base
        base = getattr(base, "base", None)
    return owner


def num(x):
    """Format a positive number: 3 significant digits, or a whole number >= 1000."""
    return f"{x:,.0f}" if x >= 1000 else f"{x:.3g}"


def mib(n_bytes):
    """Bytes to MiB."""
    return n_bytes / 2**20


# -------------------------------------------------------------------------- main
def main(argv=None):
    """Parse the arguments, run the measurements, print the tables and checks."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--series", type=int, default=10_000, help="number of series (10000)")
    add("--hours", type=int, default=1464, help="hours per series (1464)")
    add("--lookback", type=int, default=168, help="window length in hours (168)")
    add(
        "--loop-series",
        type=int,
        default=100,
        help="series the Python loop is measured on, then extrapolated (100)",
    )
    add("--batch-size", type=int, default=256, help="windows per batch (256)")
    add("--batches", type=int, default=100, help="random batches gathered (100)")
    add("--dtype", choices=["float32", "float64"], default="float32")
    add("--repeat", type=int, default=3, help="runs of the fast parts; best is kept")
    add("--seed", type=int, default=0, help="random seed")
    args = parser.parse_args(argv)
    if args.series < 1 or args.hours <= args.lookback or args.lookback < 1:
        parser.error("need --series >= 1 and 1 <= --lookback < --hours")
    if not 1 <= args.loop_series <= args.series:
        parser.error("--loop-series must be in [1, --series]")
    if args.batch_size < 1 or args.batches < 1 or args.repeat < 1:
        parser.error("--batch-size, --batches and --repeat must be >= 1")

    import pandas as pd

    from lstmforecast.preprocessing import SlidingWindow, make_windows

    dtype = np.dtype(args.dtype)
    n_s, n_h, lb = args.series, args.hours, args.lookback
    n_win = n_h - lb  # make_windows with horizon=1: n - lookback - 1 + 1
    total_windows = n_s * n_win
    materialised = total_windows * lb * dtype.itemsize
    print(machine_info())

    t0 = time.perf_counter()
    data = generate(n_s, n_h, dtype, args.seed)
    print(
        f"\ndata: {n_s:,d} series x {n_hours_label(n_h)} ({args.dtype}, "
        f"{mib(data.nbytes):.1f} MiB) generated in {time.perf_counter() - t0:.2f} s"
        f"\nwindows: lookback {lb}, horizon 1 -> {n_win:,d} per series, "
        f"{total_windows:,d} in all; materialised they would take "
        f"{n_s:,d} x {n_win:,d} x {lb} x {dtype.itemsize} B = "
        f"{materialised / 1e9:.2f} GB ({mib(materialised):,.0f} MiB)\n"
    )
    failures = []
    results = {}

    # --- 1. make_windows, one call per series: first run measures the memory.
    gc.collect()
    reset = reset_peak_rss()
    rss0, peak0 = current_rss_mib(), peak_rss_mib()
    t0 = time.perf_counter()
    Xs, ys = build_make_windows(data, lb)
    first = time.perf_counter() - t0
    rss1, peak1 = current_rss_mib(), peak_rss_mib()
    del Xs, ys
    best, times, (Xs, ys) = best_of(lambda: build_make_windows(data, lb), args.repeat)
    times = [first, *times]
    kept, peak = traced_bytes(lambda: build_make_windows(data, lb))
    y_bytes = sum(y.nbytes for y in ys)
    results["make_windows"] = {
        "wall": min(best, first),
        "times": times,
        "kept": kept,
        "peak": peak,
    }

    # --- swv on all series at once.
    best, times, swv = best_of(
        lambda: sliding_window_view(data, lb, axis=1), args.repeat
    )
    kept, peak = traced_bytes(lambda: sliding_window_view(data, lb, axis=1))
    results["swv"] = {"wall": best, "times": times, "kept": kept, "peak": peak}

    # --- SlidingWindow on one wide frame.
    frame = pd.DataFrame(
        data.T,
        index=pd.date_range("2013-11-01", periods=n_h, freq="h", tz="Europe/Rome"),
        columns=[f"cell_{i}" for i in range(n_s)],
    )
    gc.collect()
    reset_peak_rss()
    sw_rss0 = peak_rss_mib()

    def sliding():
        return SlidingWindow(lookback=lb).fit_transform(frame)

    best, times, sw = best_of(sliding, args.repeat)
    sw_rss = peak_rss_mib() - sw_rss0
    sw = None
    kept, peak = traced_bytes(sliding)
    results["SlidingWindow"] = {
        "wall": best,
        "times": times,
        "kept": kept,
        "peak": peak,
    }
    sw = sliding()

    # --- 3. the Python loop on a subset, extrapolated.
    n_loop = args.loop_series
    loop_wall, loop_times, loop_out = best_of(
        lambda: [loop_windows(row, lb) for row in data[:n_loop]], args.repeat
    )
    scale = n_s / n_loop
    kept, peak = traced_bytes(lambda: [loop_windows(r, lb) for r in data[:n_loop]])
    results["loop"] = {
        "wall": loop_wall * scale,
        "times": loop_times,
        "kept": kept * scale,
        "peak": kept * scale + (peak - kept),
    }
    loop_rate = n_loop * n_win / loop_wall

    # --- 2. batches of random windows across all series.
    rng = np.random.default_rng(args.seed + 1)
    draws = [
        (rng.integers(0, n_s, args.batch_size), rng.integers(0, n_win, args.batch_size))
        for _ in range(args.batches)
    ]
    batch_results = {}
    for name, gather in (
        ("gather-views", lambda s, w: gather_views(Xs, ys, s, w, dtype)),
        ("gather-fancy", lambda s, w: gather_fancy(swv, data, s, w, lb, dtype)),
    ):

        def run_all(gather=gather):
            return [gather(s, w) for s, w in draws]

        best, times, batches = best_of(run_all, args.repeat)
        batch_results[name] = {"wall": best, "times": times, "batches": batches}

    # ------------------------------------------------------------- the tables
    calls = {
        "make_windows": f"make_windows(series, {lb}) x {n_s:,d} series",
        "swv": f"sliding_window_view(data, {lb}, axis=1)",
        "SlidingWindow": f"SlidingWindow({lb}).fit_transform(frame {n_h}x{n_s})",
        "loop": f"Python loop + np.array, {n_loop:,d} series x{scale:g}",
    }
    loop_total = results["loop"]["wall"]
    header = (
        f"{'case':<13} {'call':<50} {'wall s':>9} {'M win/s':>8} "
        f"{'kept MiB':>9} {'peak MiB':>9} {'vs loop':>9}"
    )
    print("1. building the windows of all series (best of", args.repeat, "runs)")
    print(header)
    print("-" * len(header))
    for case, r in results.items():
        est = " (est.)" if case == "loop" else ""
        wall = f"{r['wall']:.4g}" if case != "loop" else f"{r['wall']:.1f}"
        print(
            f"{case:<13} {calls[case]:<50} {wall:>9} "
            f"{num(total_windows / r['wall'] / 1e6):>8} {mib(r['kept']):>9.1f} "
            f"{mib(r['peak']):>9.1f} {num(loop_total / r['wall']):>8}x{est}"
        )
    print(
        f"\nloop (est.) = {loop_wall:.3f} s measured on {n_loop:,d} series, "
        f"x{scale:g} (linear extrapolation to {n_s:,d}).\n"
        "kept / peak MiB: tracemalloc, bytes the call left allocated / its peak "
        f"(materialised windows: {mib(materialised):,.0f} MiB).\n"
        f"make_windows keeps {mib(y_bytes):.1f} MiB of y copies "
        f"({mib(results['make_windows']['kept'] - y_bytes):.1f} MiB of view objects "
        "and the rest); loop: kept scaled up from its measured series.\n"
        "all runs (s): "
        + "; ".join(
            f"{c} " + " ".join(f"{t:.4g}" for t in r["times"])
            for c, r in results.items()
        )
        + " (loop: measured, not extrapolated)"
    )
    sw_base = owner_of(sw).nbytes
    print(
        f"\nresident memory around the first make_windows build (peak reset: "
        f"{'yes' if reset else 'NO'}):\n"
        f"  VmRSS     {rss0:8.1f} -> {rss1:8.1f} MiB  (+{rss1 - rss0:.1f})\n"
        f"  ru_maxrss {peak0:8.1f} -> {peak1:8.1f} MiB  (+{peak1 - peak0:.1f}), "
        f"vs {mib(materialised):,.0f} MiB if materialised\n"
        f"SlidingWindow: ru_maxrss +{sw_rss:.1f} MiB over {args.repeat} run(s); "
        f"its output {sw.shape} ({mib(sw.nbytes):,.0f} MiB if materialised) is a "
        f"view of a {mib(sw_base):.1f} MiB buffer"
    )

    epoch_batches = total_windows / args.batch_size
    print(
        f"\n2. materialising {args.batches} random batches of {args.batch_size} "
        f"windows -> contiguous {args.dtype} ({args.batch_size}, {lb}, 1) + "
        f"targets (best of {args.repeat})"
    )
    header = (
        f"{'case':<13} {'call':<50} {'ms/batch':>9} {'k win/s':>9} "
        f"{'epoch s':>8} {'vs loop':>9}"
    )
    print(header)
    print("-" * len(header))
    gather_calls = {
        "gather-views": "np.stack([Xs[s][w] for s, w in batch])",
        "gather-fancy": "swv[s_idx, w_idx][:, :, None] (one gather)",
    }
    for name, r in batch_results.items():
        per_batch = r["wall"] / args.batches
        rate = args.batch_size / per_batch
        print(
            f"{name:<13} {gather_calls[name]:<50} {per_batch * 1e3:>9.3f} "
            f"{rate / 1e3:>9.1f} {epoch_batches * per_batch:>8.2f} "
            f"{rate / loop_rate:>8.3g}x"
        )
    loop_per_batch = args.batch_size / loop_rate
    print(
        f"{'loop':<13} {'Python loop + np.array (per window, measured)':<50} "
        f"{loop_per_batch * 1e3:>9.3f} {loop_rate / 1e3:>9.1f} "
        f"{loop_total:>8.1f} {1:>8.3g}x"
    )
    mw = results["make_windows"]["wall"]
    fancy_epoch = epoch_batches * batch_results["gather-fancy"]["wall"] / args.batches
    print(
        f"\nepoch s = time to materialise all {total_windows:,d} windows once at "
        "that rate (loop: its extrapolated total).\n"
        f"vs loop = windows/s over the loop's {loop_rate / 1e3:.1f} k windows/s "
        "(both make copies).\n"
        f"view build + one epoch of gather-fancy: {mw + fancy_epoch:.2f} s vs loop "
        f"{loop_total:.1f} s (est.)"
    )

    # ------------------------------------------------------------ correctness
    check_rng = np.random.default_rng(args.seed + 2)
    # all windows of the loop series
    for i, (Xl, yl) in enumerate(loop_out):
        if not (np.array_equal(Xs[i][:, :, 0], Xl) and np.array_equal(ys[i][:, 0], yl)):
            failures.append(f"make_windows != loop for series {i}")
    # random series anywhere, random windows
    for s in check_rng.choice(n_s, min(5, n_s), replace=False):
        Xl, yl = loop_windows(data[s], lb)
        X, y = make_windows(data[s], lb, horizon=1)
        if X.shape != (n_win, lb, 1) or y.shape != (n_win, 1):
            failures.append(f"series {s}: shapes X {X.shape}, y {y.shape}")
            continue
        if X.flags.writeable or not np.shares_memory(X, data[s]):
            failures.append(f"series {s}: X is not a read-only view of the series")
        for w in check_rng.integers(0, n_win, 20):
            if not np.array_equal(X[w, :, 0], Xl[w]) or y[w, 0] != yl[w]:
                failures.append(f"series {s} window {w}: view != loop")
            if not np.array_equal(swv[s, w], Xl[w]):
                failures.append(f"series {s} window {w}: swv != loop")
            if not np.array_equal(sw[w + lb, :, s], Xl[w]):
                failures.append(f"series {s} window {w}: SlidingWindow != loop")
        if not np.isnan(sw[:lb, :, s]).any() or np.isnan(sw[lb:, :, s]).any():
            failures.append(f"series {s}: SlidingWindow NaN padding is not where due")
    if swv.shape != (n_s, n_h - lb + 1, lb):
        failures.append(f"swv shape {swv.shape}")
    if sw.shape != (n_h, lb, n_s):
        failures.append(f"SlidingWindow shape {sw.shape}")
    # batches: both gathers equal the loop windows, contiguous, right dtype
    for name, r in batch_results.items():
        for k in (0, args.batches - 1):
            Xb, yb = r["batches"][k]
            s_idx, w_idx = draws[k]
            if (
                Xb.shape != (args.batch_size, lb, 1)
                or Xb.dtype != dtype
                or not Xb.flags.c_contiguous
                or yb.shape != (args.batch_size, 1)
            ):
                failures.append(
                    f"{name}: batch {k} is {Xb.shape} {Xb.dtype} "
                    f"contiguous={Xb.flags.c_contiguous}, y {yb.shape}"
                )
                continue
            for j in range(0, args.batch_size, max(1, args.batch_size // 8)):
                Xl, yl = loop_windows(data[s_idx[j]], lb)
                if not (
                    np.array_equal(Xb[j, :, 0], Xl[w_idx[j]])
                    and yb[j, 0] == yl[w_idx[j]]
                ):
                    failures.append(f"{name}: batch {k} row {j} != loop window")

    print()
    if failures:
        print("CORRECTNESS CHECK FAILED:")
        for msg in failures[:20]:
            print("  " + msg)
        if len(failures) > 20:
            print(f"  ... and {len(failures) - 20} more")
        return 1
    print(
        f"correctness: make_windows == loop (all windows of {n_loop} series, and "
        "20 random windows of 5 random series), swv and SlidingWindow hold the same "
        "windows, gathered batches == loop windows and are contiguous "
        f"{args.dtype}, X is a read-only view: OK"
    )
    return 0


def n_hours_label(n_hours):
    """Format a number of hours with its length in days."""
    return f"{n_hours:,d} hours ({n_hours / 24:g} days)"


if __name__ == "__main__":
    sys.exit(main())
