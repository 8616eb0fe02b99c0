"""What the benchmark scripts print about the machine (shared by all of them)."""

from __future__ import annotations

import os
import platform
import resource
from pathlib import Path


def load_average() -> float:
    """Return the 1-minute load average (NaN where the system has none).

    Returns
    -------
    load : float
        ``os.getloadavg()[0]``.
    """
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def usable_cpus() -> int:
    """Return the number of CPUs this process may run on.

    Returns
    -------
    n : int
        ``len(os.sched_getaffinity(0))``, or ``os.cpu_count()`` where there is no
        affinity call.
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def machine_line() -> str:
    """Return ``platform; N CPUs usable (os.cpu_count()=M), X GiB RAM``.

    Returns
    -------
    line : str
        One line describing the machine.
    """
    mem = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        mem = f", {pages / 2**30:.1f} GiB RAM"
    except (ValueError, OSError):
        pass
    return (
        f"{platform.platform()}; {usable_cpus()} CPUs usable (os.cpu_count()="
        f"{os.cpu_count()}){mem}"
    )


def peak_rss_kib() -> int:
    """Return this process's peak resident size in KiB.

    Returns
    -------
    kib : int
        ``VmHWM`` from ``/proc/self/status`` (Linux; it follows
        :func:`reset_peak_rss`), else ``ru_maxrss``.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def reset_peak_rss() -> None:
    """Reset the peak resident size to the current size (Linux; else nothing).

    Writing 5 to ``/proc/self/clear_refs`` resets ``VmHWM``: a later
    :func:`peak_rss_kib` then reads the peak since this call.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def current_rss_kib() -> int:
    """Return this process's resident size now, in KiB.

    Returns
    -------
    kib : int
        ``VmRSS`` from ``/proc/self/status`` (Linux), else the peak
        (``ru_maxrss``): the best this platform tells.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_case(case: str, cmd: list, out: Path) -> dict:
    """Run one benchmark case's command in a fresh process; return its JSON result.

    Parameters
    ----------
    case : str
        The case's name (kept in a failed result).
    cmd : list of str
        The command; it writes its result as JSON to ``out``.
    out : pathlib.Path
        Where the command writes its result.

    Returns
    -------
    result : dict
        The result and the 1-minute ``load`` average before it, or ``{"case":
        case, "failed": True, "load": ...}`` (the child's output on stderr).
    """
    import json
    import subprocess
    import sys

    load = load_average()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        return {"case": case, "failed": True, "load": load}
    return {**json.loads(Path(out).read_text()), "load": load}
