"""Public hourly series from other domains, shipped inside PyPI packages.

The series of ``bench_public.py``; each one is read from a file that a package
installs, so no download happens. Where each comes from and under which terms:

- ``seattle_temps``, ``sf_temps`` (weather): hourly air temperature (deg F) in
  Seattle and in San Francisco, 1 Jan - 31 Dec 2010, 8,759 hours each (the hour
  skipped by the daylight-saving change of 14 March is missing). From the
  ``vega_datasets`` package (MIT license; its ``dataset_info.json``: "drawn from
  public-domain NOAA data"). They are smooth climate normals, not one year's
  observations: the same hour a day later differs by 0.16 deg F on average (the
  next hour by 0.94), so a daily-seasonal model forecasts them almost exactly.
- ``greensboro_temp`` (weather, observed): dry-bulb air temperature (deg C) of the
  same TMY3 file as ``greensboro_ghi`` (below): the station's hourly observations
  of typical months, 8,760 hours.
- ``taylor_demand`` (demand): electricity demand (MW) in England and Wales,
  Monday 5 June - Sunday 27 August 2000, half-hourly, summed to 2,016 hours.
  From ``pmdarima.datasets.load_taylor`` (pmdarima: MIT license; "kindly provided
  by James W Taylor", Taylor (2003), J. Oper. Res. Soc. 54, 799-805; also R's
  ``forecast::taylor``).
- ``water_flow`` (flow): water flow (l/s) through a pipeline branch in Italy,
  hourly, 20 March - 16 May 2022: 1,268 observed hours on a 1,379-hour grid (111
  hours missing, in gaps of up to 32 hours). From ``river.datasets.WaterFlow``'s
  ``water-flow.csv`` (river: BSD-3-Clause; "kindly donated by the Tecnojest
  s.r.l. company").
- ``greensboro_ghi`` (sensor / solar): global horizontal irradiance (W/m²) of the
  TMY3 file of Greensboro, NC (USAF 723170), 8,760 hours of a typical
  meteorological year (each month from one year of the record, so months join
  across years). pvlib's ``pvlib/data/723170TYA.CSV`` read with
  ``pvlib.iotools.read_tmy3(map_variables=True)`` (pvlib: BSD-3-Clause; TMY3
  data from NREL's National Solar Radiation Database).

Every loader returns a float Series on a regular, timezone-naive hourly index,
NaN where an hour is missing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Source:
    """Where a series comes from: its domain, package, units and terms."""

    domain: str
    package: str
    units: str
    terms: str
    description: str
    seasons: tuple = (24,)  # MSTL's: a weekly cycle only where people drive it


SOURCES = {
    "seattle_temps": Source(
        "weather",
        "vega_datasets",
        "deg F",
        "vega_datasets MIT; public-domain NOAA data",
        "hourly temperature, Seattle, 2010",
    ),
    "sf_temps": Source(
        "weather",
        "vega_datasets",
        "deg F",
        "vega_datasets MIT; public-domain NOAA data",
        "hourly temperature, San Francisco, 2010",
    ),
    "taylor_demand": Source(
        "demand",
        "pmdarima",
        "MW (sum of the two half-hours)",
        "pmdarima MIT; data provided by J. W. Taylor (2003)",
        "electricity demand, England & Wales, 5 Jun - 27 Aug 2000 (half-hours summed)",
        (24, 168),
    ),
    "water_flow": Source(
        "flow",
        "river",
        "l/s",
        "river BSD-3-Clause; donated by Tecnojest s.r.l.",
        "water flow in a pipeline branch, 20 Mar - 16 May 2022",
        (24, 168),
    ),
    "greensboro_temp": Source(
        "weather",
        "pvlib",
        "deg C",
        "pvlib BSD-3-Clause; NREL TMY3 (NSRDB)",
        "dry-bulb air temperature, TMY3 Greensboro NC (723170)",
    ),
    "greensboro_ghi": Source(
        "sensor / solar",
        "pvlib",
        "W/m2",
        "pvlib BSD-3-Clause; NREL TMY3 (NSRDB)",
        "global horizontal irradiance, TMY3 Greensboro NC (723170)",
    ),
}


def _regular(values, times) -> pd.Series:
    """Values on a regular hourly grid from the first to the last time (NaN gaps)."""
    series = pd.Series(np.asarray(values, dtype=float), index=pd.DatetimeIndex(times))
    series = series[~series.index.duplicated()].sort_index()
    grid = pd.date_range(series.index[0], series.index[-1], freq="h")
    return series.reindex(grid)


def _vega(name):
    from vega_datasets import data

    frame = getattr(data, name)()
    return _regular(frame["temp"], frame["date"])


def _taylor():
    from pmdarima.datasets import load_taylor

    halves = np.asarray(load_taylor(), dtype=float)  # from Mon 5 June 2000, 00:00
    hours = halves.reshape(-1, 2).sum(axis=1)
    return pd.Series(
        hours, index=pd.date_range("2000-06-05", periods=len(hours), freq="h")
    )


def _water_flow():
    from river.datasets import WaterFlow

    frame = pd.read_csv(WaterFlow().path)
    times = pd.to_datetime(frame["Time"], utc=True).dt.tz_localize(None)  # UTC
    return _regular(frame["Water flow [l/s]"], times)


def _tmy3(column):
    import pvlib
    from pvlib.iotools import read_tmy3

    path = Path(pvlib.__file__).parent / "data" / "723170TYA.CSV"
    frame, _ = read_tmy3(str(path), map_variables=True, coerce_year=1990)
    times = frame.index.tz_localize(None)  # a fixed UTC-5 offset: already regular
    return _regular(frame[column], times)


_LOADERS = {
    "seattle_temps": lambda: _vega("seattle_temps"),
    "sf_temps": lambda: _vega("sf_temps"),
    "taylor_demand": _taylor,
    "water_flow": _water_flow,
    "greensboro_temp": lambda: _tmy3("temp_air"),
    "greensboro_ghi": lambda: _tmy3("ghi"),
}


def synthetic(n_hours=1200, seed=0) -> pd.Series:
    """Return a daily and weekly cycle with noise: the smoke tests' series.

    Parameters
    ----------
    n_hours : int, default=1200
        Length of the series.
    seed : int, default=0
        Seed of the noise.

    Returns
    -------
    series : pandas.Series
        Hourly values from 1 Jan 2024.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n_hours)
    values = (
        10
        + 3 * np.sin(2 * np.pi * t / 24)
        + np.sin(2 * np.pi * t / 168)
        + rng.normal(0, 0.5, n_hours)
    )
    return pd.Series(
        values, index=pd.date_range("2024-01-01", periods=n_hours, freq="h")
    )


def load(name) -> pd.Series:
    """Return series ``name`` (a key of ``SOURCES``, or ``'synthetic'``).

    Parameters
    ----------
    name : str
        The series.

    Returns
    -------
    series : pandas.Series
        Float values on a regular hourly index, NaN where an hour is missing.
    """
    if name == "synthetic":
        return synthetic()
    series = _LOADERS[name]()
    series.name = name
    return series


def status(names) -> dict:
    """Return ``{name: None}`` for the series whose package imports, else the reason.

    Parameters
    ----------
    names : iterable of str
        Keys of ``SOURCES`` (``'synthetic'`` is always there).

    Returns
    -------
    status : dict
        None, or why the series is skipped.
    """
    out = {}
    for name in names:
        if name == "synthetic":
            out[name] = None
            continue
        try:
            importlib.import_module(SOURCES[name].package)
            out[name] = None
        except Exception as error:  # not installed, or a broken install
            out[name] = f"{type(error).__name__}: {error}"
    return out
