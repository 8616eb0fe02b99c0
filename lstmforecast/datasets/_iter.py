"""iter_milano: the readers one file at a time, for aggregation that streams."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from lstmforecast.datasets import _readers as r
from lstmforecast.datasets._schema import (
    check_cells,
    check_selection,
    check_time_range,
    check_types,
    finalize,
    range_text,
)

__all__ = ["iter_milano"]


def iter_milano(
    paths,
    *,
    format="auto",
    cells=None,
    start=None,
    end=None,
    types=None,
    on_bad_lines="error",
    on_bad_values="error",
):
    """Read Milano GRID files one at a time: one tidy frame per file, in date order.

    The same reading as :func:`read_milano` (same parameters, checks and frames),
    but lazily: only one file's rows are in memory at a time. Pass the result to
    :meth:`HourlyAggregator.fit_transform_chunks
    <lstmforecast.preprocessing.HourlyAggregator.fit_transform_chunks>` to
    aggregate a whole city over months with the memory of the hourly output::

        hourly = HourlyAggregator(missing="zero").fit_transform_chunks(
            iter_milano(folder)
        )

    Parameters
    ----------
    paths, format, cells, start, end, types, on_bad_lines, on_bad_values
        As in :func:`read_milano`; bad values are checked here, before the first
        file is opened. Daily files are read in the order of the dates in their
        names (files without one keep their place after them).

    Returns
    -------
    frames : iterator of pandas.DataFrame
        One tidy frame per file, read when asked for: that file's rows (columns
        ``cell``, ``time`` and one per type, sorted by cell then time),
        restricted to ``cells`` and ``start``/``end``;
        ``frame.attrs['source']`` is the file's path and ``'n_skipped_lines'`` /
        ``'n_bad_values'`` its counts. A file with no selected row yields nothing.

    Raises
    ------
    ValueError
        After the last file: when no file is dated within ``start``/``end``, or a
        cell in ``cells`` was found in none of the files; as soon as two files
        hold the same cell and slot.

    See Also
    --------
    read_milano : The same files as one frame.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from lstmforecast.datasets import iter_milano, make_milano_traffic
    >>> from lstmforecast.datasets import write_milano
    >>> truth = make_milano_traffic(n_cells=2, n_days=3, empty_fraction=0,
    ...                             random_state=0)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> files = write_milano(truth, folder, format="kaggle", random_state=0)
    >>> [len(frame) for frame in iter_milano(folder, types="internet")]
    [288, 288, 288]
    >>> from lstmforecast.preprocessing import HourlyAggregator
    >>> HourlyAggregator().fit_transform_chunks(iter_milano(folder)).shape
    (144, 5)
    """
    r._check_options(format, on_bad_lines, on_bad_values, None)
    type_list = check_types(types)
    cell_arr = check_cells(cells)
    lo, hi = check_time_range(start, end)
    fixed = None if format == "auto" else r._FORMATS[format]
    files = _in_date_order(r._expand_paths(paths, fixed))
    options = {
        "on_bad_lines": on_bad_lines,
        "on_bad_values": on_bad_values,
        "timezone": None,
    }
    return _frames(files, fixed, type_list, cell_arr, (lo, hi), options)


def _in_date_order(files):
    days = [r._name_day(path)[0] for path in files]
    dated = sorted(
        (d, i) for i, d in enumerate(days) if d is not None
    )  # stable on equal days
    undated = [i for i, d in enumerate(days) if d is None]
    return [files[i] for _, i in dated] + [files[i] for i in undated]


def _frames(files, fixed, type_list, cell_arr, window, options):
    """Yield each file's frame; check the whole selection after the last one."""
    lo, hi = window
    seen_cells, span = [], [None, None]
    n_dated, previous = 0, None
    for path in files:
        tables, read_files, counts = r._read_all(
            [path], fixed, type_list, cell_arr, lo, hi, options
        )
        n_dated += counts["files"]
        if not tables:
            continue
        keys = (tables[0][0], tables[0][1], [])  # cells and times: the overlap check
        if previous is not None:
            r._check_no_overlap([previous[0], keys], [previous[1], path])
        previous = (keys, path)
        frame = finalize(r._to_frame(tables, type_list), type_list)
        del tables
        pa.default_memory_pool().release_unused()  # the file's parse buffers
        frame.attrs.update(
            source=str(path),
            n_skipped_lines=counts["lines"],
            n_bad_values=counts["values"],
        )
        seen_cells.append(np.unique(frame["cell"].to_numpy()))
        first, last = frame["time"].min(), frame["time"].max()
        span = [
            first if span[0] is None else min(span[0], first),
            last if span[1] is None else max(span[1], last),
        ]
        yield frame
    _check_whole(files, n_dated, seen_cells, span, cell_arr, lo, hi)


def _check_whole(files, n_dated, seen_cells, span, cell_arr, lo, hi):
    where = str(files[0]) if len(files) == 1 else f"{len(files)} files"
    if n_dated == 0:
        raise ValueError(
            f"The selection is empty: none of the {len(files)} file(s) is dated within "
            f"{range_text(lo, hi)} (judged by the date in the file names). Widen "
            "'start'/'end'."
        )
    present = np.unique(np.concatenate(seen_cells)) if seen_cells else np.array([])
    check_selection(
        pd.DataFrame({"cell": present}), cells=cell_arr, lo=lo, hi=hi, source=where
    )
    if span[0] is not None:
        r._warn_partial_coverage(pd.Series(span), lo, hi, where)
