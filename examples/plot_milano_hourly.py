"""
Hourly traffic of the bundled Milano cells
==========================================

Load the three real cells, aggregate the 10-minute slots to hours with the lab's
rule (sum of six slots), look at the weekly rhythm and save a trace plot.
"""

# %%
# Load and aggregate
# ------------------
import matplotlib

matplotlib.use("Agg")

from lstmforecast.datasets import load_milano_cells
from lstmforecast.plotting import TrafficTraceDisplay
from lstmforecast.preprocessing import HourlyAggregator

slots = load_milano_cells()
hourly = HourlyAggregator().fit_transform(slots)
print(hourly.groupby(level="cell").size())

# %%
# The weekly rhythm: mean traffic per day of week and hour
# --------------------------------------------------------
duomo = hourly.loc[5161, "internet"]
profile = duomo.groupby([duomo.index.day_of_week, duomo.index.hour]).mean().unstack()
print(profile.round(0).iloc[:, ::4])

# %%
# Trace plot
# ----------
display = TrafficTraceDisplay.from_frame(hourly, column="internet")
display.figure_.savefig("milano_hourly.png", dpi=100, bbox_inches="tight")
