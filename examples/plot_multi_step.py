"""
Forecasting the next six hours at once
======================================

An operator plans capacity a few hours ahead, not only for the next hour. With
``make_windows(series, lookback, horizon=6)`` each window of the previous 36 hours
comes with the **next six** hours as a 2-D target ``y`` of shape
``(n_windows, 6)``, and one ``LSTMRegressor`` learns all six outputs at once (the
*MIMO* strategy). It is compared, step by step, with a one-step network fed its
own forecasts six times (the *recursive* strategy, ``RecursiveRegressor``), the
seasonal naive (the same hour of the previous day) and persistence (the last
observed hour), on the last 10 days of the real Navigli cell (4556).
"""

# %%
# Windows with a six-hour target
# ------------------------------
# Window ``i`` holds hours ``i ... i + 35``, its target hours ``i + 36 ... i + 41``.
# ``time_train_test_split`` keeps the windows in time order: the test windows
# forecast hours of the last 240 only, and a gap of ``lookback + horizon - 1``
# windows keeps every training target before the first test window's input.
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from lstmforecast.datasets import load_milano_cells
from lstmforecast.preprocessing import (
    HourlyAggregator,
    make_windows,
    time_train_test_split,
)
from lstmforecast.regressors import LSTMRegressor, RecursiveRegressor

torch.set_num_threads(1)  # a tiny network: one thread is fastest on few cores
LOOKBACK, HORIZON, TEST = 36, 6, 240
slots = load_milano_cells(4556, types="internet", end="2013-12-31")
series = HourlyAggregator().fit_transform(slots).loc[4556, "internet"]
X, y, when = make_windows(series, LOOKBACK, HORIZON, return_index=True)
print(f"{len(series)} hours -> X {X.shape}, y {y.shape}")
X_train, X_test, y_train, y_test, _, t_test = time_train_test_split(
    X, y, when, test_size=TEST - HORIZON + 1, gap=LOOKBACK + HORIZON - 1
)
print(f"train: X {X_train.shape}, y {y_train.shape}; test: X {X_test.shape}")
print(f"first test window forecasts {t_test[0]} ... (6 hours)")

# %%
# One network, six outputs
# ------------------------
# Level- and spread-free windows (``center="last"``, ``scale="std"``): all six
# outputs are offset by the window's last value and scaled by its spread, so the
# network needs no scaler and the predictions come back in activity units, in
# ``y``'s shape.
params = {"center": "last", "scale": "std", "lr": 3e-3, "max_epochs": 30}
mimo = LSTMRegressor((7, 3), **params, random_state=0).fit(X_train, y_train)
pred_mimo = mimo.predict(X_test)
print("MIMO predictions:", pred_mimo.shape, f"({mimo.n_params_} parameters)")

# %%
# The recursive strategy: one step, six times
# -------------------------------------------
# A one-step network on the same windows (``RecursiveRegressor`` trains it on
# column 0 of ``y``); its forecast of hour t + 1 becomes the last value of the
# window for hour t + 2, and so on. Its errors compound.
one_step = LSTMRegressor((7, 3), **params, random_state=0)
recursive = RecursiveRegressor(one_step, horizon=HORIZON).fit(X_train, y_train)
pred_recursive = recursive.predict(X_test)

# %%
# Error per horizon step
# ----------------------
# Baselines need no training: the same hour of the day before (known for every
# step up to 24 hours) and the last hour observed when the forecast is made. The
# MIMO network is best for the first hours; its error grows with the step, while
# the seasonal naive's does not, and from about four hours ahead the two are on a
# par: the previous 36 hours say less about the evening than yesterday's evening.
target_hours = [t_test + pd.Timedelta(hours=h) for h in range(HORIZON)]
naive = np.column_stack([series.shift(24).loc[t].to_numpy() for t in target_hours])
persistence = np.repeat(X_test[:, -1, :], HORIZON, axis=1)
forecasts = {
    "LSTM MIMO (6 outputs)": pred_mimo,
    "LSTM recursive": pred_recursive,
    "seasonal naive": naive,
    "persistence": persistence,
}
mae = pd.DataFrame(
    {name: np.mean(np.abs(pred - y_test), axis=0) for name, pred in forecasts.items()},
    index=pd.RangeIndex(1, HORIZON + 1, name="hours ahead"),
)
print("MAE per step (activity units):")
print(mae.round(1).to_string())
mse = {name: np.mean((pred - y_test) ** 2) for name, pred in forecasts.items()}
print("MSE over all steps relative to the seasonal naive:")
for name, value in mse.items():
    print(f"  {name:>24}: {value / mse['seasonal naive']:.2f}")

# %%
# Plot: error per step, and six-hour forecasts issued every six hours
# -------------------------------------------------------------------
fig, (ax_err, ax) = plt.subplots(
    1, 2, figsize=(13, 3.8), gridspec_kw={"width_ratios": [1, 2.6]}
)
for (name, column), marker in zip(mae.items(), "osd^", strict=True):
    ax_err.plot(mae.index, column, marker=marker, label=name)
ax_err.set_xlabel("hours ahead")
ax_err.set_ylabel("MAE (activity units)")
ax_err.set_ylim(bottom=0)
ax_err.legend(fontsize=8)
days = slice(5 * 24, None)  # 27 - 31 December, issued at 0, 6, 12 and 18 h
ax.plot(series.loc[t_test[days][0] :], color="0.3", lw=1, label="traffic")
for k, i in enumerate(range(days.start, len(t_test), HORIZON)):
    hours = pd.DatetimeIndex([t[i] for t in target_hours])
    label = "MIMO, issued every 6 hours" if k == 0 else None
    ax.plot(hours, pred_mimo[i], color="tab:blue", lw=1.5, label=label)
    ax.plot(hours[0], pred_mimo[i, 0], "o", color="tab:blue", ms=2.5)
ax.set_ylabel("internet activity per hour")
ax.set_title("Cell 4556, 27 - 31 December 2013", loc="left", fontsize=10)
ax.legend(fontsize=8)
fig.autofmt_xdate()
fig.tight_layout()
fig.savefig("multi_step.png", dpi=110)
