"""
Reading the raw Telecom Italia files
====================================

The Milano data circulates in three shapes: the original Harvard Dataverse files
(``sms-call-internet-mi-YYYY-MM-DD.txt``, tab-separated, one line per cell, slot
and country code), the Kaggle CSVs (same lines, a header, naive UTC datetimes) and
the Politecnico lab's ``short_milan_processed_YYYY-MM-DD.txt`` (one line per cell
and slot). This example writes four days of synthetic traffic in all three shapes
into a temporary folder, reads each back, aggregates the 10-minute slots to hours
and checks that every hourly value equals the generator's own hourly truth,
exactly.
"""

# %%
# Four synthetic days, written three ways
# ---------------------------------------
# ``make_milano_traffic`` imitates the real data in all five types (the bundled
# cells' levels, quieter weekends, Sant'Ambrogio on 7 December as a holiday) with
# values that are multiples of 1/1024, so sums are exact. ``write_milano`` spreads
# each slot over 1-4 country codes in the original and Kaggle shapes and leaves
# slots without activity out, as the real files do.
import shutil
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np

from lstmforecast.datasets import (
    BUNDLED_CELLS,
    make_milano_traffic,
    read_dataverse,
    read_kaggle,
    read_lab_processed,
    read_milano,
    write_milano,
)
from lstmforecast.plotting import TrafficTraceDisplay
from lstmforecast.preprocessing import HourlyAggregator

slots, truth = make_milano_traffic(
    cells=BUNDLED_CELLS, n_days=4, start="2013-12-05", random_state=0,
    return_hourly=True,
)  # fmt: skip
truth = truth.set_index(["cell", "time"])
print(f"generated {len(slots):,} slots, {len(truth):,} hourly values")

folder = Path(tempfile.mkdtemp(prefix="milano_"))
shapes = {"dataverse": False, "kaggle": True, "lab": False}  # kaggle: gzipped
files = {}
for shape, compress in shapes.items():
    files[shape] = write_milano(
        slots, folder / shape, format=shape, compress=compress, random_state=0
    )
    size = sum(p.stat().st_size for p in files[shape]) / 1e6
    names = ", ".join(p.name for p in files[shape][:2])
    print(f"{shape:>9}: {len(files[shape])} files ({names}, ...), {size:.1f} MB")

# %%
# What the lines look like
# ------------------------
# The first lines of the first original file (cell, slot start in epoch
# milliseconds, country code, five types; an empty field is no activity) and of
# the first lab file (cell, slot, five types, summed over country codes).
for shape, n_lines in (("dataverse", 4), ("lab", 2)):
    print(f"{files[shape][0].name}:")
    for line in files[shape][0].read_text().splitlines()[:n_lines]:
        print("   ", line.replace("\t", " <tab> "))

# %%
# Read back: one reader per shape, or ``read_milano`` for any
# -----------------------------------------------------------
# Every reader returns the same tidy frame: one row per cell and slot, ``time`` in
# Milan local time, each type summed over country codes. Selections are applied
# while the files stream by.
frames = {
    "dataverse": read_dataverse(folder / "dataverse"),
    "kaggle": read_kaggle(folder / "kaggle"),  # .gz read as such
    "lab": read_lab_processed(folder / "lab"),
}
for shape, frame in frames.items():
    auto = read_milano(folder / shape)  # tells the shape from name and first line
    same = auto.equals(frame)
    print(f"{shape:>9}: {frame.shape}, the same as read_milano: {same}")
print(frames["dataverse"].head(3).to_string())
one_day = read_milano(
    folder / "kaggle",
    cells=5161,
    types="internet",
    start="2013-12-07",
    end="2013-12-07",
)
print(f"cell 5161, internet, 7 December only: {one_day.shape} (144 slots, some silent)")

# %%
# Aggregate to hours and compare with the truth
# ---------------------------------------------
# The original and Kaggle files have no line for a slot without activity (about 1
# in 100 here), so those slots are counted as zero (``missing="zero"``), with
# ``start``/``end`` naming the days expected; the lab's files have every slot.
expected = {"start": "2013-12-05", "end": "2013-12-08"}
for shape, frame in frames.items():
    missing = "raise" if shape == "lab" else "zero"
    aggregator = HourlyAggregator(missing=missing, **expected)
    hourly = aggregator.fit_transform(frame)
    diff = np.abs(hourly.to_numpy() - truth[hourly.columns].to_numpy()).max()
    print(
        f"{shape:>9}: {len(frame):,} slot rows -> {len(hourly):,} hours, "
        f"{aggregator.n_missing_} empty slots filled, "
        f"largest difference from the truth {diff}, identical: {hourly.equals(truth)}"
    )

# %%
# Reading the same day twice is refused
# -------------------------------------
# Two shapes of the same day would count its activity twice.
try:
    read_milano([folder / "dataverse", folder / "kaggle"])
except ValueError as error:
    print("refused:", str(error).replace(str(folder), "<tmp>"))

# %%
# The traces
# ----------
# The hours read from the lab's files (lines) and the generator's truth (dots).
display = TrafficTraceDisplay.from_frame(hourly, column="internet")
for axis, cell in zip(display.axes_, BUNDLED_CELLS, strict=True):
    axis.plot(truth.loc[cell, "internet"], ".", color="black", ms=2.5, label="truth")
display.axes_[0].legend(fontsize=8)
display.figure_.suptitle("Synthetic internet traffic read back from the lab's files")
display.figure_.savefig("read_raw_files.png", dpi=100, bbox_inches="tight")
shutil.rmtree(folder)  # the temporary files
