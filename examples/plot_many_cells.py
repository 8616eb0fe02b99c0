"""
Many cells: one model per cell, or one for all
==============================================

An operator forecasts thousands of cells, not one. This example takes the three
bundled real cells (Bocconi 4159, Navigli 4556, Duomo 5161, whose traffic levels
differ five-fold) and forecasts the last 240 hours of each in two ways: one
``LSTMRegressor`` per cell in a loop, and **one shared model** trained on the
windows of all cells at once (lazy windows: never materialised, as for a whole
city). Level- and spread-free windows (``center="last"``,
``scale="std"``) are what make one model fit cells of any size: each window is
read relative to its own last value and spread. A shared model trained without
the Duomo cell even forecasts it. Then a map of all 10,000 cells' totals shows
where the three lie.
"""

# %%
# Hourly traffic of the three cells
# ---------------------------------
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from matplotlib.colors import LogNorm

from lstmforecast.datasets import BUNDLED_CELLS, load_milano_cells, load_milano_totals
from lstmforecast.preprocessing import (
    HourlyAggregator,
    SlidingWindow,
    make_windows,
    time_train_test_split,
)
from lstmforecast.regressors import LSTMRegressor

torch.set_num_threads(1)  # a tiny network: one thread is fastest on few cores
LOOKBACK, TEST = 36, 240
slots = load_milano_cells(BUNDLED_CELLS, types="internet", end="2013-12-31")
panel = HourlyAggregator().fit_transform(slots)[["internet"]]  # (cell, time) rows
hourly = panel["internet"].unstack("cell")
print(hourly.describe().loc[["mean", "max"]].round(0).to_string())

# %%
# Windows of each cell, split in time order
# -----------------------------------------
# Each cell is cut into windows of the previous 36 hours on its own (a window
# never mixes two cells); the last 240 windows of each are its test, after a gap
# of one lookback.
parts = {}
for cell in BUNDLED_CELLS:
    X, y, when = make_windows(hourly[cell], LOOKBACK, return_index=True)
    X_train, X_test, y_train, y_test, _, t_test = time_train_test_split(
        X, y[:, 0], when, test_size=TEST, gap=LOOKBACK
    )
    parts[cell] = {"train": (X_train, y_train), "test": (X_test, y_test, t_test)}
params = {"center": "last", "scale": "std", "lr": 3e-3, "random_state": 0}

# %%
# The shared model's windows: lazy, within each cell
# --------------------------------------------------
# ``SlidingWindow(lazy=True)`` on the panel gives every cell's windows as one
# ``WindowArray``: one padded copy of the rows, each batch gathered when used.
# Its training rows end where each cell's test windows start reading (the
# same split as above: the last 240 hours and a gap of one lookback).
cut = hourly.index[-TEST - LOOKBACK]
train_panel = panel[panel.index.get_level_values("time") < cut]


def shared_fit(cells, epochs):
    """One LSTM on the training windows of ``cells``, gathered lazily."""
    part = train_panel[train_panel.index.get_level_values("cell").isin(cells)]
    windows = SlidingWindow(LOOKBACK, lazy=True).fit_transform(part)
    print(f"shared model on {len(cells)} cells: {windows}")
    model = LSTMRegressor((7, 3), max_epochs=epochs, **params)
    return model.fit(windows, part["internet"])


# %%
# One model per cell, and one shared model
# ----------------------------------------
# The shared model's epochs are three times longer (all cells' windows), so it
# gets fewer of them.
per_cell = {
    cell: LSTMRegressor((7, 3), max_epochs=20, **params).fit(*parts[cell]["train"])
    for cell in BUNDLED_CELLS
}
shared = shared_fit(BUNDLED_CELLS, epochs=12)
without_duomo = shared_fit([c for c in BUNDLED_CELLS if c != 5161], epochs=12)

# %%
# MSE per cell, relative to the seasonal naive
# --------------------------------------------
# The seasonal naive forecasts each hour with the same hour of the previous day.
# Below 1 beats it. "shared, cell unseen" is the model trained on the other two
# cells only (shown for the Duomo cell, which it never saw).
rows, forecasts = [], {}
for cell in BUNDLED_CELLS:
    X_test, y_test, t_test = parts[cell]["test"]
    naive = hourly[cell].shift(24).loc[t_test].to_numpy()
    preds = {
        "per cell": per_cell[cell].predict(X_test),
        "shared": shared.predict(X_test),
    }
    if cell == 5161:
        preds["shared, cell unseen"] = without_duomo.predict(X_test)
    forecasts[cell] = preds
    naive_mse = np.mean((naive - y_test) ** 2)
    row = {"cell": cell, "mean level": hourly[cell].mean(), "naive MSE": naive_mse}
    for name, pred in preds.items():
        row[f"{name} / naive"] = np.mean((pred - y_test) ** 2) / naive_mse
    rows.append(row)
table = pd.DataFrame(rows).set_index("cell")
print(table.to_string(float_format=lambda v: f"{v:.3g}", na_rep="-"))

# %%
# Small multiples: the test days of each cell
# -------------------------------------------
fig, axes = plt.subplots(len(BUNDLED_CELLS), 1, figsize=(11, 8), sharex=True)
for ax, cell in zip(axes, BUNDLED_CELLS, strict=True):
    _, y_test, t_test = parts[cell]["test"]
    ax.plot(t_test, y_test, color="0.3", lw=1, label="traffic")
    styles = {"per cell": "tab:blue", "shared": "tab:red"}
    styles["shared, cell unseen"] = "tab:green"
    for name, pred in forecasts[cell].items():
        ratio = table.loc[cell, f"{name} / naive"]
        ax.plot(t_test, pred, color=styles[name], lw=0.9, label=f"{name} ({ratio:.2f})")
    ax.set_title(f"cell {cell}: MSE / seasonal naive", loc="left", fontsize=9)
    ax.set_ylabel("activity")
    ax.legend(fontsize=7, ncol=4, loc="upper right")
fig.autofmt_xdate()
fig.tight_layout()
fig.savefig("many_cells_forecasts.png", dpi=100)

# %%
# All 10,000 cells at a glance
# ----------------------------
# ``load_milano_totals`` has the two-month internet total of every cell. Drawn as
# a 100 x 100 image in id order (ids 1-100 the first row, at the bottom), the
# busy centre of Milan stands out; the three bundled cells are marked.
totals = load_milano_totals().sort_values("cell")
grid = totals["internet"].to_numpy().reshape(100, 100)
rank = totals.set_index("cell")["internet"].rank(ascending=False).astype(int)
for cell in BUNDLED_CELLS:
    print(f"cell {cell}: number {rank[cell]} of 10,000 by two-month traffic")
fig, ax = plt.subplots(figsize=(6, 5.2))
image = ax.imshow(grid, origin="lower", norm=LogNorm(), cmap="magma")
for cell in BUNDLED_CELLS:
    row, col = divmod(cell - 1, 100)
    ax.plot(col, row, "o", mfc="none", mec="cyan", ms=9)
    ax.annotate(str(cell), (col, row), xytext=(6, 6), textcoords="offset points",
                color="cyan", fontsize=8)  # fmt: skip
fig.colorbar(image, ax=ax, label="internet activity, Nov - Dec 2013")
ax.set_title("Milano grid: two-month totals", loc="left", fontsize=10)
fig.tight_layout()
fig.savefig("many_cells_map.png", dpi=100)
