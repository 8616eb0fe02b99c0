"""Milano traffic data: readers, the bundled real cells, a synthetic generator.

``read_*`` read user files in the three shapes of the Telecom Italia Milano GRID
data, ``load_*`` return the data shipped with the package (ODbL 1.0, see
:func:`get_data_dir`), ``make_*`` generate synthetic data and ``write_milano``
writes it back as files. The lab's day x hour table, ``load_dataset``, is
:func:`lstmforecast.lab.load_dataset` (it aggregates, which the data layer does not).
"""

import warnings

from lstmforecast.datasets._bundled import (
    BUNDLED_CELLS,
    LAB_DAY_ONE,
    get_data_dir,
    load_lab_reference,
    load_milano_cells,
    load_milano_totals,
)
from lstmforecast.datasets._iter import iter_milano
from lstmforecast.datasets._readers import (
    MalformedFileError,
    read_dataverse,
    read_kaggle,
    read_lab_processed,
    read_milano,
)
from lstmforecast.datasets._schema import TIMEZONE, TRAFFIC_TYPES
from lstmforecast.datasets._synthetic import make_milano_traffic, write_milano

__all__ = [
    "BUNDLED_CELLS",
    "LAB_DAY_ONE",
    "TIMEZONE",
    "TRAFFIC_TYPES",
    "MalformedFileError",
    "get_data_dir",
    "iter_milano",
    "load_lab_reference",
    "load_milano_cells",
    "load_milano_totals",
    "make_milano_traffic",
    "read_dataverse",
    "read_kaggle",
    "read_lab_processed",
    "read_milano",
    "write_milano",
]


def __getattr__(name):
    # Deprecated: load_dataset aggregates slots to hours, so it lives in the lab;
    # importing it here lazily keeps the data layer free of preprocessing.
    if name == "load_dataset":
        warnings.warn(
            "lstmforecast.datasets.load_dataset moved to lstmforecast.lab.load_dataset "
            "(also lstmforecast.load_dataset); this alias will be removed.",
            DeprecationWarning,
            stacklevel=2,
        )
        from lstmforecast.lab import load_dataset

        return load_dataset
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
