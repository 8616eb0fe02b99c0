r"""Raw Milano files to the hourly table: file by file against all at once.

What it measures
----------------
A city's worth of original daily files (``sms-call-internet-mi-*.txt``,
``--cells`` (10,000) cells, ``--days`` (61) days from 1 November 2013, about
275 MB and 3.4 M lines a day at full size) is aggregated to hours, each case in
a fresh Python process so that its peak memory is its own:

``stream``
    ``HourlyAggregator(missing="zero").fit_transform_chunks(iter_milano(folder))``:
    one file in memory at a time, then the hourly output.
``stream-N`` / ``memory-N``
    The same, and ``HourlyAggregator(missing="zero").fit_transform(
    read_milano(folder))`` (every 10-minute row in memory, then aggregated), both
    for the first ``--memory-cells`` (1,000) cells only (``cells=``): the
    in-memory route does not fit this machine for the whole city. Side by side,
    with the ratio of their peaks, and the in-memory peak for the whole city
    extrapolated linearly in cells.
``equal``
    Both routes on ``--equal-cells`` (100) cells: the frames must be identical
    (``pandas.testing.assert_frame_equal``, values, index and missing-slot
    counts); the script exits with status 1 otherwise.

Peak memory is ``ru_maxrss`` of the child minus its value after the imports
(the extra resident memory the call needed), wall time is the call's. The
1-minute load average is printed before each case.

The files: day 1 is generated with ``make_milano_traffic`` and ``write_milano``
(as in ``bench_readers.py``; about 50 s at full size); the other days are that
file with every timestamp moved on by whole days (pyarrow, about 4 s a day; no
DST change falls within November - December 2013, so the local times of the
slots are those of day 1), written to ``benchmarks/_data/`` (git-ignored, about
16.8 GB at full size) and reused on later runs with the same size and seed. The
traffic repeats from day to day, which changes nothing for the aggregation.

How to run
----------
From the repository root::

    python benchmarks/bench_stream.py                      # 10,000 cells x 61 days
    python benchmarks/bench_stream.py --cells 300 --days 5 --memory-cells 300
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
from _machine import (
    load_average,
    machine_line,
    peak_rss_kib,
    reset_peak_rss,
    run_case,
)

DATA_DIR = Path(__file__).resolve().parent / "_data"
DAY_MS = 86_400_000
TARGET_GIB = 2.0


def _day_name(day: int) -> str:
    import pandas as pd

    date = pd.Timestamp("2013-11-01") + pd.Timedelta(days=day)
    return f"sms-call-internet-mi-{date:%Y-%m-%d}.txt"


def _generate_day_one(n_cells: int, folder: Path, seed: int) -> Path:
    from lstmforecast.datasets import make_milano_traffic, write_milano

    rng = np.random.default_rng(seed)
    cells = np.sort(rng.choice(np.arange(1, 10_001), n_cells, replace=False))
    frame = make_milano_traffic(cells=cells, n_days=1, random_state=seed)
    (path,) = write_milano(frame, folder, format="dataverse", random_state=seed)
    return path


def _shift_copy(source: Path, days: int, target: Path) -> None:
    """Write ``source`` with every timestamp moved on by ``days`` whole days."""
    import pyarrow.compute as pc
    import pyarrow.csv as csv

    table = csv.read_csv(
        source,
        read_options=csv.ReadOptions(autogenerate_column_names=True),
        parse_options=csv.ParseOptions(delimiter="\t"),
    )
    table = table.set_column(1, "f1", pc.add(table["f1"], days * DAY_MS))
    partial = target.with_suffix(".partial")
    csv.write_csv(
        table,
        partial,
        write_options=csv.WriteOptions(
            include_header=False, delimiter="\t", quoting_style="none"
        ),
    )
    partial.rename(target)


def make_files(n_cells: int, n_days: int, seed: int, folder: Path | None = None):
    """Return the folder of the ``n_days`` daily files, generating what is absent.

    Parameters
    ----------
    n_cells, n_days, seed : int
        Size and seed of the synthetic city.
    folder : Path or None, default=None
        Where; None is ``benchmarks/_data/stream_{n_cells}x{n_days}_seed{seed}``.

    Returns
    -------
    folder : Path
        Holding ``sms-call-internet-mi-2013-11-01.txt`` and the following days.
    """
    folder = folder or DATA_DIR / f"stream_{n_cells}_seed{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    first = folder / _day_name(0)
    same = DATA_DIR / f"cells{n_cells}_seed{seed}" / _day_name(0)  # bench_readers'
    if not first.exists() and n_cells == 10_000 and same.exists():
        os.link(same, first)  # all cells, same seed: the same generated day
    if not first.exists():
        t0 = time.perf_counter()
        _generate_day_one(n_cells, folder, seed)
        print(f"  generated day 1 in {time.perf_counter() - t0:.0f} s", flush=True)
    for day in range(1, n_days):
        target = folder / _day_name(day)
        if not target.exists():
            _shift_copy(first, day, target)
            print(f"  wrote {target.name}", flush=True)
    return folder


def _files(folder: Path, n_days: int) -> list[Path]:
    return [folder / _day_name(day) for day in range(n_days)]


# ------------------------------------------------------------------------- child
def _route(name, files, cells):
    from lstmforecast.datasets import iter_milano, read_milano
    from lstmforecast.preprocessing import HourlyAggregator

    agg = HourlyAggregator(missing="zero")
    if name == "stream":
        return agg.fit_transform_chunks(iter_milano(files, cells=cells)), agg
    return agg.fit_transform(read_milano(files, cells=cells)), agg


def child(case: str, folder: Path, n_days: int, cells, out: Path) -> None:
    """Measure one case in this (fresh) process; write its result as JSON."""
    import pandas as pd

    import lstmforecast.datasets  # noqa: F401  (imports are part of the baseline)
    import lstmforecast.preprocessing  # noqa: F401

    files = _files(folder, n_days)
    imports_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reset_peak_rss()  # the imports' peak is not ours
    base = peak_rss_kib()
    t0 = time.perf_counter()
    if case == "equal":
        streamed, s_agg = _route("stream", files, cells)
        in_memory, m_agg = _route("memory", files, cells)
        pd.testing.assert_frame_equal(streamed, in_memory)
        assert s_agg.n_missing_ == m_agg.n_missing_
        frame = streamed
    else:
        frame, _ = _route(case.split("-")[0], files, cells)
    wall = time.perf_counter() - t0
    peak = peak_rss_kib()
    result = {
        "case": case,
        "wall_s": wall,
        "peak_mib": (peak - base) / 1024,
        "peak_rss_mib": peak / 1024,
        "imports_mib": imports_kib / 1024,
        "rows": len(frame),
        "output_mib": frame.memory_usage(deep=True).sum() / 2**20,
    }
    out.write_text(json.dumps(result))


# ------------------------------------------------------------------------ parent
def run_child(case, folder, n_days, cells, out_dir):
    """Run one case in a fresh interpreter; return its result dict."""
    out = Path(out_dir) / f"{case}.json"
    cmd = [sys.executable, __file__, "--child", case, "--folder", str(folder)]
    cmd += ["--days", str(n_days), "--out", str(out)]
    if cells is not None:
        cmd += ["--child-cells", ",".join(map(str, cells))]
    return run_case(case, cmd, out)


def _present_cells(folder: Path, n: int):
    """Return the first ``n`` cell ids of day 1 (the files hold a random subset)."""
    import pyarrow.compute as pc
    import pyarrow.csv as csv

    table = csv.read_csv(
        folder / _day_name(0),
        read_options=csv.ReadOptions(autogenerate_column_names=True),
        parse_options=csv.ParseOptions(delimiter="\t"),
        convert_options=csv.ConvertOptions(include_columns=["f0"]),
    )
    return np.sort(pc.unique(table["f0"]).to_numpy())[:n].tolist()


def print_table(rows, n_cells, memory_cells):
    """Print the cases side by side with the ratios and the 2 GB target."""
    print(
        "\n| case | cells | wall s | peak MiB (above imports) | peak RSS MiB | "
        "output MiB | rows | load |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        if r.get("failed"):
            print(f"| {r['case']} | - | failed (see stderr) | | | | {r['load']:.2f} |")
            continue
        print(
            f"| {r['case']} | {r['cells']:,} | {r['wall_s']:.1f} | "
            f"{r['peak_mib']:,.0f} | {r['peak_rss_mib']:,.0f} | "
            f"{r['output_mib']:,.0f} | {r['rows']:,} | "
            f"{r['load']:.2f} |"
        )
    by = {r["case"]: r for r in rows if not r.get("failed")}
    stream_n = by.get(f"stream-{memory_cells}")
    memory_n = by.get(f"memory-{memory_cells}")
    if stream_n and memory_n:
        ratio = memory_n["peak_mib"] / max(stream_n["peak_mib"], 1)
        city = memory_n["peak_mib"] * n_cells / memory_cells / 1024
        print(
            f"\n{memory_cells:,} cells: in memory {memory_n['peak_mib']:,.0f} MiB, "
            f"file by file {stream_n['peak_mib']:,.0f} MiB ({ratio:.1f}x less); "
            f"in memory for {n_cells:,} cells: ~{city:.1f} GiB (extrapolated)"
        )
    if "stream" in by:
        gib = by["stream"]["peak_rss_mib"] / 1024
        verdict = "meets" if gib <= TARGET_GIB else "MISSES"
        print(
            f"{n_cells:,} cells file by file: peak RSS {gib:.2f} GiB, {verdict} the "
            f"{TARGET_GIB:.0f} GiB target"
        )
    if "equal" in by:
        print(f"equal: identical frames on {by['equal']['cells']} cells")


def main(argv=None):
    """Run the benchmark; return the result rows."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cells", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=61)
    parser.add_argument("--memory-cells", type=int, default=1_000)
    parser.add_argument("--equal-cells", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folder", type=Path, default=None, help="files' folder")
    parser.add_argument(
        "--cases", nargs="+", default=None, help="run only these (e.g. stream equal)"
    )
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-cells", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        cells = args.child_cells and [int(c) for c in args.child_cells.split(",")]
        child(args.child, args.folder, args.days, cells or None, args.out)
        return []
    print(machine_line())
    print(f"{args.cells:,} cells x {args.days} days; load {load_average():.2f}")
    folder = make_files(args.cells, args.days, args.seed, args.folder)
    memory = _present_cells(folder, args.memory_cells)
    plan = [
        ("equal", _present_cells(folder, args.equal_cells)),
        (f"memory-{args.memory_cells}", memory),
        (f"stream-{args.memory_cells}", memory),
        ("stream", None),
    ]
    import tempfile

    if args.cases:
        plan = [(case, cells) for case, cells in plan if case in args.cases]
    rows = []
    with tempfile.TemporaryDirectory() as out_dir:
        for case, cells in plan:
            print(f"  {case} ...", flush=True)
            row = run_child(case, folder, args.days, cells, out_dir)
            row["cells"] = args.cells if cells is None else len(cells)
            rows.append(row)
    print_table(rows, args.cells, args.memory_cells)
    return rows


if __name__ == "__main__":
    results = main()
    sys.exit(1 if any(r.get("failed") for r in results) else 0)
