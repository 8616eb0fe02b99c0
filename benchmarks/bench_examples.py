r"""Wall time of the README's quick start, of each example and of ``lstmforecast lab``.

What it measures
----------------
What a reader runs, as written, on this machine with another process keeping
one core busy (``python -c "while True: pass"``, started by this script and
ended when the runs are done, also on Ctrl-C). Each case runs in a fresh
``sys.executable`` subprocess, in a fresh temporary working directory, with the
environment of this script plus only ``MPLBACKEND=Agg`` (so no window opens;
nothing that sets threads):

``README quick start``
    The first Python block under the README's "## Quick start", read from
    ``README.md`` (not copied here), run as a script.
``README quick start + every cell``
    That block, then the block under "### Every cell, 24 hours ahead", which
    continues it (it uses its imports, ``grid`` and ``cost``), in one script.
``examples/<name>.py``
    Every script in ``examples/``.
``lstmforecast lab``
    The README's main job: the ``lstmforecast`` command installed next to
    ``sys.executable`` (``python -m lstmforecast`` where there is none) with
    no options, so its outputs go to ``results/`` of the temporary directory.

Before the first case, one untimed ``import lstmforecast, torch, sklearn,
matplotlib`` warms the disk cache. For each case: the wall time (the median of
``--repeat`` runs; the pass mark is taken on the slowest), the CPU seconds of the
child (``RUSAGE_CHILDREN``: more than the wall time means more than one core),
the 1-minute load average (``os.getloadavg``) before and after each run, and
``others``: the cores that processes other than the case and the busy child kept
busy meanwhile (``/proc/stat``), so that a run slowed by someone else's job on
a shared machine shows as such: a run during which they kept more than
``--max-others`` (0.25) cores busy is run again, up to ``--retries`` (1) times,
and the table shows the least disturbed run with its ``others``. The load
average counts the busy child and the case themselves: about 2 after a minute
of a one-thread case.

The script exits with status 0 (it is a measurement); with ``--check`` it exits
with 1 when a case takes ``--limit`` (60) seconds or more, or fails.

How to run
----------
From the repository root::

    python benchmarks/bench_examples.py                  # every case, ~6 min
    python benchmarks/bench_examples.py --only quickstart --repeat 3
    python benchmarks/bench_examples.py --no-busy        # no busy core, to compare
    python benchmarks/bench_examples.py --check          # exit 1 past 60 s
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import load_average, machine_line

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLES = ROOT / "examples"
QUICK_START = "Quick start"  # the README's "## Quick start" section
EVERY_CELL = "Every cell, 24 hours ahead"  # its "###" subsection
SPIN = "while True: pass"
WARM_UP = "import lstmforecast, matplotlib, sklearn, torch"
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)


def readme_blocks(text: str) -> dict[str | None, list[str]]:
    """Return the Python code blocks of the README's "## Quick start" section.

    Parameters
    ----------
    text : str
        The README's Markdown.

    Returns
    -------
    blocks : dict
        ``{subheading: [code, ...]}`` in the order of the README; the key is
        ``None`` for the blocks before the section's first ``###`` heading.

    Raises
    ------
    ValueError
        If the README has no "## Quick start" heading.
    """
    match = re.search(rf"^## {re.escape(QUICK_START)}[ \t]*$", text, re.M)
    if match is None:
        raise ValueError(f"README.md has no '## {QUICK_START}' heading.")
    section = text[match.end() :]
    end = re.search(r"^## ", section, re.M)
    section = section[: end.start()] if end else section
    blocks: dict[str | None, list[str]] = {}
    parts = re.split(r"^### (.*?)[ \t]*$", section, flags=re.M)
    # parts = [before the first ###, heading 1, body 1, heading 2, body 2, ...]
    for heading, body in zip([None, *parts[1::2]], parts[::2], strict=True):
        blocks[heading] = _FENCE.findall(body)
    return blocks


def readme_scripts(readme: Path = README) -> dict[str, str]:
    """Return the two README cases as scripts: block 1, and block 1 then block 2.

    Parameters
    ----------
    readme : Path, default=README.md of the repository
        The README to read.

    Returns
    -------
    scripts : dict
        ``{"README quick start": code, "README quick start + every cell": code}``.

    Raises
    ------
    ValueError
        If the section has no block before its first ``###`` heading, or no
        "### Every cell, 24 hours ahead" block.
    """
    blocks = readme_blocks(readme.read_text(encoding="utf-8"))
    first, every_cell = blocks.get(None), blocks.get(EVERY_CELL)
    if not first or not every_cell:
        raise ValueError(
            f"README.md: expected a Python block right under '## {QUICK_START}' and "
            f"one under '### {EVERY_CELL}'; found blocks under {list(blocks)} "
            f"({[len(v) for v in blocks.values()]} blocks)."
        )
    return {
        "README quick start": first[0],
        "README quick start + every cell": first[0] + "\n" + every_cell[0],
    }


def lab_command() -> list[str]:
    """Return the README's main job: ``lstmforecast lab`` (no options)."""
    script = Path(sys.executable).with_name("lstmforecast")
    if script.is_file():
        return [str(script), "lab"]
    return [sys.executable, "-m", "lstmforecast", "lab"]


def cases(readme: Path = README, examples: Path = EXAMPLES) -> dict[str, dict]:
    """Return every case: ``{name: {"code": str}}`` or ``{name: {"argv": list}}``.

    Parameters
    ----------
    readme : Path, default=README.md of the repository
        Where the quick start blocks are read.
    examples : Path, default=examples/ of the repository
        Every ``*.py`` in it is a case.

    Returns
    -------
    cases : dict
        In the order: the README cases, the examples, ``lstmforecast lab``.
    """
    out = {name: {"code": code} for name, code in readme_scripts(readme).items()}
    for path in sorted(examples.glob("*.py")):
        out[f"examples/{path.name}"] = {"argv": [sys.executable, str(path)]}
    out["lstmforecast lab"] = {"argv": lab_command()}
    return out


def _machine_busy_seconds() -> float:
    """Return the busy CPU seconds of the whole machine (NaN without /proc/stat)."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:9]]
        return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return float("nan")


def _process_seconds(pid: int | None) -> float:
    """Return the CPU seconds process ``pid`` has used (0 for none, NaN unknown)."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def _children_seconds() -> float:
    """Return the CPU seconds of the waited-for children of this process."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def busy_core(enabled: bool = True):
    """Keep one core busy with a spinning child process while the block runs.

    Parameters
    ----------
    enabled : bool, default=True
        If False, start nothing and yield None.

    Yields
    ------
    pid : int or None
        The busy child's process id; it is killed and reaped on leaving the
        block, however it is left (an error, Ctrl-C, SIGTERM).
    """
    if not enabled:
        yield None
        return
    child = subprocess.Popen([sys.executable, "-c", SPIN])
    try:
        time.sleep(2.0)  # let it get going
        yield child.pid
    finally:
        child.kill()
        child.wait()


def run_once(case: dict, env: dict, timeout: float, busy_pid: int | None) -> dict:
    """Run one case in a fresh subprocess and temporary directory; time it.

    Returns
    -------
    run : dict
        ``wall`` and ``cpu`` (s), ``load`` (before, after), ``others`` (cores),
        ``rc`` (None on a timeout) and ``tail`` (the end of its output).
    """
    with tempfile.TemporaryDirectory(prefix="bench_examples_") as tmp:
        argv = case.get("argv")
        if argv is None:
            script = Path(tmp) / "readme_quick_start.py"
            script.write_text(case["code"], encoding="utf-8")
            argv = [sys.executable, str(script)]
        load = load_average()
        cpu0, machine0, busy0 = (
            _children_seconds(),
            _machine_busy_seconds(),
            _process_seconds(busy_pid),
        )
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=tmp,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            output, _ = proc.communicate(timeout=timeout)
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            proc.kill()
            output, rc = proc.communicate()[0], None
        finally:  # an error or Ctrl-C: end the case before anything else
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        wall = time.perf_counter() - start
        cpu = _children_seconds() - cpu0
        machine = _machine_busy_seconds() - machine0
        busy = _process_seconds(busy_pid) - busy0
    return {
        "wall": wall,
        "cpu": cpu,
        "load": (load, load_average()),
        "others": (machine - cpu - busy) / wall,
        "rc": rc,
        "tail": output[-2000:],
    }


def run_cases(selected: dict, args, busy_pid: int | None) -> dict:
    """Run every selected case ``args.repeat`` times; print a line per run.

    A run during which other processes kept more than ``args.max_others`` cores
    busy (beyond the case and the busy child) is run again, up to
    ``args.retries`` times; the least disturbed run is kept (the lowest
    ``others``), and its ``others`` shows it.
    """
    env = {**os.environ, "MPLBACKEND": "Agg"}
    results = {}
    for name, case in selected.items():
        runs = []
        for i in range(args.repeat):
            attempts = []
            for attempt in range(args.retries + 1):
                run = run_once(case, env, args.timeout, busy_pid)
                attempts.append(run)
                disturbed = run["others"] > args.max_others
                again = disturbed and attempt < args.retries
                status = "" if run["rc"] == 0 else f" FAILED ({_failure(run)})"
                print(
                    f"  {name}{f' #{i + 1}' if args.repeat > 1 else ''}: "
                    f"{run['wall']:.1f} s, cpu {run['cpu']:.1f} s, load "
                    f"{run['load'][0]:.2f} before, {run['load'][1]:.2f} after, "
                    f"others {run['others']:.2f} cores{status}"
                    + (" (disturbed: again)" if again else ""),
                    flush=True,
                )
                if run["rc"] != 0:
                    tail = run["tail"][-800:].replace("\n", "\n    ")
                    print("    " + tail, flush=True)
                if not again:
                    break
            runs.append(min(attempts, key=lambda r: r["others"]))
        results[name] = runs
    return results


def _failure(run: dict) -> str:
    return "timeout" if run["rc"] is None else f"exit {run['rc']}"


def passes(runs: list[dict], limit: float) -> bool:
    """Return whether every run succeeded in under ``limit`` seconds."""
    return all(r["rc"] == 0 and r["wall"] < limit for r in runs)


def table(results: dict, limit: float) -> list[list[str]]:
    """Return the table's rows (the header first): one row per case."""
    lim = f"{limit:g}"
    rows = [
        [
            "case",
            "wall s",
            "cpu s",
            f"< {lim} s?",
            "load (1 min) before / after",
            "others",
        ]
    ]
    for name, runs in results.items():
        walls = [r["wall"] for r in runs]
        wall = f"{statistics.median(walls):.1f}"
        if len(runs) > 1:
            wall += f" (max {max(walls):.1f})"
        ok = passes(runs, limit)
        failed = [r for r in runs if r["rc"] != 0]
        verdict = "yes" if ok else ("no: " + _failure(failed[0]) if failed else "no")
        loads = " ".join(f"{r['load'][0]:.2f} / {r['load'][1]:.2f}" for r in runs)
        rows.append(
            [
                name,
                wall,
                f"{statistics.median(r['cpu'] for r in runs):.1f}",
                verdict,
                loads,
                f"{max(r['others'] for r in runs):.2f}",
            ]
        )
    return rows


def print_table(rows: list[list[str]]) -> None:
    """Print rows side by side: the first column left-aligned, the others right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        cells = (
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        print("  " + "  ".join(cells).rstrip())


def exit_status(results: dict, limit: float, check: bool) -> int:
    """Return 1 when ``check`` and a case failed or took ``limit`` s or more."""
    if not check:
        return 0
    return int(not all(passes(runs, limit) for runs in results.values()))


def parse(argv, names):
    """Parse the command line; ``names`` are the cases ``--only`` selects from."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--only", metavar="SUBSTRING", help="run only the cases whose name has it")
    add("--no-busy", action="store_true", help="no busy core (for comparison)")
    add("--repeat", type=int, default=1, help="runs per case (1)")
    add("--limit", type=float, default=60.0, help="the target, in seconds (60)")
    add("--timeout", type=float, default=600.0, help="a run's timeout, s (600)")
    add("--check", action="store_true", help="exit 1 if a case misses the limit")
    add("--max-others", type=float, default=0.25, help="cores others may use")
    add("--retries", type=int, default=1, help="re-runs of a disturbed run (1)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.limit <= 0 or args.timeout <= 0:
        parser.error("--repeat must be >= 1, --limit and --timeout > 0")
    if args.retries < 0 or args.max_others < 0:
        parser.error("--retries and --max-others must be >= 0")
    if args.only is not None and not any(args.only in n for n in names):
        parser.error(f"--only {args.only!r} matches no case of {names}")
    return args


def main(argv=None) -> int:
    """Run the cases, with one core kept busy, and print the table.

    Returns
    -------
    status : int
        0, or 1 with ``--check`` when a case failed or missed ``--limit``.
    """
    all_cases = cases()
    args = parse(argv, list(all_cases))
    selected = {
        name: case
        for name, case in all_cases.items()
        if args.only is None or args.only in name
    }
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # ends the children too
    print(machine_line())
    print(f"python {sys.version.split()[0]} ({sys.executable})")
    set_threads = [f"{v}={os.environ[v]}" for v in THREAD_VARIABLES if v in os.environ]
    if set_threads:
        print("WARNING: the environment sets " + ", ".join(set_threads))
    subprocess.run([sys.executable, "-c", WARM_UP], check=True)  # disk cache
    condition = "no busy core" if args.no_busy else "one core kept busy"
    print(f"{condition}; load average at start: {load_average():.2f}", flush=True)
    start = time.perf_counter()
    with busy_core(not args.no_busy) as busy_pid:
        results = run_cases(selected, args, busy_pid)
    print(f"\n{condition} (MPLBACKEND=Agg, each case in a fresh process):")
    print_table(table(results, args.limit))
    n_pass = sum(passes(runs, args.limit) for runs in results.values())
    print(
        f"\n{n_pass} of {len(results)} cases under {args.limit:g} s; total "
        f"{time.perf_counter() - start:.0f} s; load average at the end: "
        f"{load_average():.2f}"
    )
    return exit_status(results, args.limit, args.check)


if __name__ == "__main__":
    sys.exit(main())
