r"""Benchmark the Milano file readers on a generated full-size day.

What it measures
----------------
A synthetic day of the original Telecom Italia file ``sms-call-internet-mi-*.txt``
is generated with :func:`lstmforecast.datasets.make_milano_traffic` and
:func:`lstmforecast.datasets.write_milano`: 10,000 cells x 144 slots x 1-4
country-code lines per slot (about 2.4 on average), so about 3.4 M lines and
275 MB, close to a real daily file.
Then each case below runs in a fresh Python subprocess, so that its peak memory is
its own:

``all``
    ``read_dataverse(file)``: all cells, all five types.
``3cells``
    ``read_dataverse(file, cells=[4159, 4556, 5161])``: rows of other cells are
    dropped while the file streams by, so memory should stay small.
``internet``
    ``read_dataverse(file, types="internet")``: one type.
``naive``
    What users typically write: ``pandas.read_csv(file, sep="\t", header=None,
    names=[...])`` of the whole file, ``groupby(["cell", "time"]).sum()`` and the
    epoch milliseconds turned into Milan time (so it returns the same frame).
``naive3``
    The same naive baseline, then filtered to the three cells.
``1bad``
    ``read_dataverse(bad_file, on_bad_lines="skip")`` on a copy of the file with
    one malformed line in the middle: only the 4 MiB piece holding it is checked
    line by line in Python, so it should cost little more than ``all``.

For each case: wall time (best of ``--repeat`` runs in the same process), input
lines per second, and peak memory: ``ru_maxrss`` of the child minus its value
after the imports (the extra resident memory the call needed at its peak), and
the peak of pyarrow's default memory pool. Ratios are against ``naive`` (against
``naive3`` for ``3cells``, against ``all`` for ``1bad``). The file is read from
the page cache (it has just been written), so the times are for parsing, not for
the disk.

The run also checks correctness and exits with status 1 when a check fails:
``3cells`` must equal ``naive3`` (same cells and times, values to 1e-9
relative), and ``all`` must equal ``naive``, ``internet`` its column of ``all``,
``1bad`` must equal ``all``.

How to run
----------
From the repository root::

    python benchmarks/bench_readers.py              # full size: 10,000 cells
    python benchmarks/bench_readers.py --cells 500  # quick run
    python benchmarks/bench_readers.py --keep       # keep benchmarks/_data/

The file goes to a temporary directory, or to ``benchmarks/_data/`` (git-ignored)
with ``--keep``; a kept file of the same size and seed is reused on the next run.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from _machine import machine_line

THREE_CELLS = [4159, 4556, 5161]
TYPES = ["sms_in", "sms_out", "call_in", "call_out", "internet"]
COLUMNS = ["cell", "time", "country", *TYPES]
CASES = {
    "all": "read_dataverse(file)",
    "3cells": f"read_dataverse(file, cells={THREE_CELLS})",
    "internet": 'read_dataverse(file, types="internet")',
    "naive": "read_csv + groupby().sum()",
    "naive3": "read_csv + groupby().sum(), 3 cells",
    "1bad": 'read_dataverse(bad_file, on_bad_lines="skip")',
}
BASELINE = {"3cells": "naive3", "1bad": "all"}
DATA_DIR = Path(__file__).resolve().parent / "_data"


# ------------------------------------------------------------------------- child
def _naive(path, cells=None):
    """Read the file the way users typically do: pandas, then group and sum."""
    import pandas as pd

    raw = pd.read_csv(path, sep="\t", header=None, names=COLUMNS)
    out = raw.groupby(["cell", "time"])[TYPES].sum().reset_index()
    if cells is not None:
        out = out[out["cell"].isin(cells)].reset_index(drop=True)
    out["time"] = pd.to_datetime(out["time"], unit="ms", utc=True).dt.tz_convert(
        "Europe/Rome"
    )
    return out


def _run_case(case, path):
    """Run one case once and return its frame."""
    from lstmforecast.datasets import read_dataverse

    if case == "all":
        return read_dataverse(path)
    if case == "3cells":
        return read_dataverse(path, cells=THREE_CELLS)
    if case == "internet":
        return read_dataverse(path, types="internet")
    if case == "naive":
        return _naive(path)
    if case == "naive3":
        return _naive(path, cells=THREE_CELLS)
    if case == "1bad":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Skipped 1 malformed line"
            return read_dataverse(_bad_copy_path(path), on_bad_lines="skip")
    raise ValueError(f"unknown case {case!r}")


def _bad_copy_path(path):
    path = Path(path)
    return path.parent / "bad" / path.name


def write_bad_copy(path):
    """Copy the file with one malformed line inserted at the middle."""
    bad = _bad_copy_path(path)
    bad.parent.mkdir(exist_ok=True)
    # Stream in 16 MiB pieces: a big parent would inflate the children's ru_maxrss.
    half = Path(path).stat().st_size // 2
    with open(path, "rb") as src, open(bad, "wb") as dst:
        while half > 0:
            piece = src.read(min(half, 1 << 24))
            dst.write(piece)
            half -= len(piece)
        dst.write(src.readline())  # finish the line cut at the middle
        dst.write(b"not\ta\tmilano line\n")
        shutil.copyfileobj(src, dst, 1 << 24)
    return bad


def _reset_peak_rss():
    """Reset the peak resident size to the current one (Linux); say if it worked.

    The imports' transient peak would otherwise hide any smaller peak of the case.
    Writing 5 to ``/proc/self/clear_refs`` resets ``VmHWM``, which ``ru_maxrss``
    reports.
    """
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def _vm_hwm_kib():
    """Return this process's peak resident size from ``/proc`` (KiB), if any."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def child(case, path, repeat, out_dir):
    """Measure one case in this (fresh) process; write results to ``out_dir``."""
    import pandas as pd  # noqa: F401  (imports are part of the baseline)
    import pyarrow as pa

    import lstmforecast.datasets  # noqa: F401

    pool = pa.default_memory_pool()
    imports_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reset = _reset_peak_rss()
    base_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pool_base = pool.max_memory()
    times = []
    frame = None
    for _ in range(repeat):
        frame = None  # let the previous result go before the next run
        t0 = time.perf_counter()
        frame = _run_case(case, path)
        times.append(time.perf_counter() - t0)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm_kib = _vm_hwm_kib()
    result = {
        "case": case,
        "wall_s": min(times),
        "all_wall_s": times,
        "imports_peak_mib": imports_kib / 1024,
        "base_mib": base_kib / 1024,
        "peak_reset": reset,
        "peak_mib": (peak_kib - base_kib) / 1024,
        "hwm_peak_mib": None if hwm_kib is None else (hwm_kib - base_kib) / 1024,
        "arrow_peak_mib": (pool.max_memory() - pool_base) / 2**20,
        "arrow_backend": pool.backend_name,
        "rows_out": len(frame),
    }
    (Path(out_dir) / f"{case}.json").write_text(json.dumps(result))
    frame.to_pickle(Path(out_dir) / f"{case}.pkl")


# ------------------------------------------------------------------------ parent
def generate(n_cells, directory, seed):
    """Write one day of ``n_cells`` cells (the three benchmark cells included)."""
    from lstmforecast.datasets import make_milano_traffic, write_milano

    rng = np.random.default_rng(seed)
    others = np.setdiff1d(np.arange(1, 10_001), THREE_CELLS)
    n_others = max(n_cells - len(THREE_CELLS), 0)
    cells = np.sort(
        np.concatenate([THREE_CELLS, rng.choice(others, n_others, replace=False)])
    )
    t0 = time.perf_counter()
    frame = make_milano_traffic(cells=cells, n_days=1, random_state=seed)
    t1 = time.perf_counter()
    (path,) = write_milano(frame, directory, format="dataverse", random_state=seed)
    t2 = time.perf_counter()
    return path, t1 - t0, t2 - t1


def generate_in_child(n_cells, directory, seed):
    """Generate the file in a fresh process, so this one stays small.

    A child started by ``fork`` + ``exec`` inherits its parent's peak resident
    size in ``ru_maxrss``; a big parent would hide the cases' peaks.
    """
    cmd = [sys.executable, __file__, "--generate", str(directory)]
    cmd += ["--cells", str(n_cells), "--seed", str(seed)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"generating the file failed (exit {proc.returncode})")
    path, t_make, t_write = json.loads(proc.stdout.strip().splitlines()[-1])
    return Path(path), t_make, t_write


def count_lines(path):
    """Count the lines of a file, reading it in 16 MiB chunks."""
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            n += chunk.count(b"\n")
    return n


def machine_info():
    """Return a one-paragraph description of the machine and the library versions."""
    import pandas as pd
    import pyarrow as pa

    return (
        f"{machine_line()}\n"
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, pyarrow {pa.__version__} "
        f"(memory pool: {pa.default_memory_pool().backend_name}, "
        f"cpu_count={pa.cpu_count()}, io threads={pa.io_thread_count()})"
    )


def check(results_dir):
    """Compare the frames of the cases; return a list of failure messages."""
    import pandas as pd

    def load(case):
        return pd.read_pickle(results_dir / f"{case}.pkl")

    def compare(name, got, want, types):
        if len(got) != len(want):
            return [f"{name}: {len(got)} rows, expected {len(want)}"]
        errors = []
        for col in ("cell", "time"):
            if not (got[col].to_numpy() == want[col].to_numpy()).all():
                errors.append(f"{name}: column {col!r} differs")
        for t in types:
            a, b = got[t].to_numpy(float), want[t].to_numpy(float)
            if not np.allclose(a, b, rtol=1e-9, atol=0.0):
                worst = np.nanmax(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))
                errors.append(f"{name}: {t} differs (max relative error {worst:.3g})")
        return errors

    failures = []
    failures += compare("3cells vs naive3", load("3cells"), load("naive3"), TYPES)
    full = load("all")
    failures += compare("all vs naive", full, load("naive"), TYPES)
    failures += compare(
        "internet vs all", load("internet"), full[["cell", "time", "internet"]], []
    )
    failures += compare("1bad vs all", load("1bad"), full, TYPES)
    internet = load("internet")
    if not np.array_equal(internet["internet"], full["internet"]):
        failures.append("internet vs all: internet values differ")
    return failures


def run_child(case, path, repeat, out_dir):
    """Run one case in a fresh interpreter; return its result dict."""
    cmd = [
        sys.executable,
        __file__,
        "--child",
        case,
        "--file",
        str(path),
        "--repeat",
        str(repeat),
        "--out",
        str(out_dir),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"case {case!r} failed (exit {proc.returncode})")
    if proc.stderr.strip():
        sys.stderr.write(f"[{case}] {proc.stderr}")
    return json.loads((Path(out_dir) / f"{case}.json").read_text())


def print_table(results, n_lines):
    """Print the cases side by side, with ratios versus the naive baseline."""
    header = (
        f"{'case':<10} {'call':<47} {'wall s':>7} {'M lines/s':>9} "
        f"{'peak MiB':>9} {'arrow MiB':>9} {'rows out':>9} {'speed-up':>8} "
        f"{'mem ratio':>9}"
    )
    print(header)
    print("-" * len(header))
    for case, call in CASES.items():
        r = results[case]
        ref = results[BASELINE.get(case, "naive")]
        speedup = ref["wall_s"] / r["wall_s"]
        mem_ratio = r["peak_mib"] / ref["peak_mib"] if ref["peak_mib"] > 0 else np.nan
        print(
            f"{case:<10} {call:<47} {r['wall_s']:>7.2f} "
            f"{n_lines / r['wall_s'] / 1e6:>9.2f} {r['peak_mib']:>9.0f} "
            f"{r['arrow_peak_mib']:>9.0f} {r['rows_out']:>9,d} "
            f"{speedup:>7.2f}x {mem_ratio:>9.3f}"
        )
    print(
        "\nspeed-up = baseline wall / case wall; mem ratio = case peak / baseline "
        "peak (baseline: naive3 for 3cells, all for 1bad, naive otherwise).\n"
        "peak MiB = ru_maxrss at the end minus ru_maxrss after the imports "
        f"(resident after imports: {results['all']['base_mib']:.0f} MiB, imports' "
        f"own peak {results['all']['imports_peak_mib']:.0f} MiB; peak reset after "
        f"the imports: {'yes' if results['all']['peak_reset'] else 'NO'}).\n"
        "arrow MiB = peak of pyarrow's default memory pool (a part of peak MiB)."
    )
    for case, r in results.items():
        hwm = r["hwm_peak_mib"]
        if hwm is not None and abs(hwm - r["peak_mib"]) > max(5, 0.05 * hwm):
            print(
                f"WARNING: {case}: ru_maxrss peak {r['peak_mib']:.0f} MiB but VmHWM "
                f"peak {hwm:.0f} MiB (was the parent process bigger than the child?)"
            )
    if any(len(r["all_wall_s"]) > 1 for r in results.values()):
        print("all runs (s): ")
        for case, r in results.items():
            print(f"  {case:<10} " + " ".join(f"{t:.2f}" for t in r["all_wall_s"]))


def main(argv=None):
    """Parse the arguments, then generate the file and run the cases (or a child)."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--cells", type=int, default=10_000, help="cells in the day (default 10000)"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="write to benchmarks/_data/ and keep the file (reused when present)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per case; the best is reported"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--child", choices=list(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        child(args.child, args.file, args.repeat, args.out)
        return 0
    if args.generate:
        path, t_make, t_write = generate(args.cells, args.generate, args.seed)
        print(json.dumps([str(path), t_make, t_write]))
        return 0
    if not 3 <= args.cells <= 10_000:
        parser.error("--cells must be in [3, 10000]")

    print(machine_info())
    tmp = Path(tempfile.mkdtemp(prefix="bench_readers_"))
    if args.keep:
        data_dir = DATA_DIR / f"cells{args.cells}_seed{args.seed}"
    else:
        data_dir = tmp / "data"
    try:
        existing = sorted(data_dir.glob("sms-call-internet-mi-*.txt"))
        if args.keep and existing:
            path = existing[0]
            print(f"\nreusing {path}")
        else:
            path, t_make, t_write = generate_in_child(args.cells, data_dir, args.seed)
            print(
                f"\ngenerated {args.cells:,d} cells x 1 day in {t_make + t_write:.1f} "
                f"s (make_milano_traffic {t_make:.1f} s, write_milano {t_write:.1f} s)"
            )
        n_lines = count_lines(path)
        size = path.stat().st_size
        print(
            f"file: {path}\n      {size / 1e6:.1f} MB, {n_lines:,d} lines "
            f"({n_lines / (args.cells * 144):.2f} lines per cell and slot)\n"
        )

        write_bad_copy(path)
        results_dir = tmp / "results"
        results_dir.mkdir()
        results = {}
        for case in CASES:
            print(f"running {case:<10} {CASES[case]} ...", end=" ", flush=True)
            results[case] = run_child(case, path, args.repeat, results_dir)
            print(f"{results[case]['wall_s']:.2f} s", flush=True)
        print()
        print_table(results, n_lines)

        failures = check(results_dir)
        print()
        if failures:
            print("CORRECTNESS CHECK FAILED:")
            for msg in failures:
                print("  " + msg)
            return 1
        print(
            "correctness: 3cells == naive3, all == naive (values to 1e-9 relative), "
            "internet == all['internet'], 1bad == all: OK"
        )
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
