"""Milano traffic data: readers, the bundled real cells, a synthetic generator.

``read_*`` read user files in the three shapes of the Telecom Italia Milano GRID
data, ``load_*`` return the data shipped with the package (ODbL 1.0, see
:func:`get_data_dir`), ``make_*`` generate synthetic data and ``write_milano``
writes it back as files.
"""

from lstmforecast.datasets._bundled import (
    BUNDLED_CELLS,
    LAB_DAY_ONE,
    get_data_dir,
    load_dataset,
    load_lab_reference,
    load_milano_cells,
    load_milano_totals,
)
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
    "load_dataset",
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
