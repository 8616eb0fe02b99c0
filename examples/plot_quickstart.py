"""
Quick start: forecast the next hour of a real cell
==================================================

The shortest complete forecast: load the bundled Duomo cell (5161), sum its
10-minute slots to hours, train the lab's ``(7, 3)`` LSTM on windows of the
previous 36 hours of everything but the last 240 hours (10 days), forecast those
10 days hour by hour, and compare with the seasonal naive (the same hour of the
previous day).
"""

# %%
# The whole forecast
# ------------------
# ``center="last", scale="std"`` make each window level- and spread-free: the
# network learns the shape of the next hour relative to the current hour, in units
# of the window's own spread, and the forecast is mapped back to activity units. So
# no scaler is needed (``center`` alone would leave targets in the thousands, far
# from what a small network with Adam's 1e-3 steps reaches in 30 epochs). The fitted
# ``SlidingWindow`` keeps the last training hours: the test frame continues them,
# so its first windows read them and every test hour gets a forecast.
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.pipeline import Pipeline

from lstmforecast.datasets import load_milano_cells
from lstmforecast.preprocessing import HourlyAggregator, SlidingWindow
from lstmforecast.regressors import LSTMRegressor

torch.set_num_threads(1)  # a tiny network: one thread is fastest on few cores
slots = load_milano_cells(5161, types="internet", end="2013-12-31")
hourly = HourlyAggregator().fit_transform(slots).loc[5161]  # 1,464 hours
train, test = hourly.iloc[:-240], hourly.iloc[-240:]
lstm = LSTMRegressor((7, 3), center="last", scale="std", max_epochs=30, random_state=0)
model = Pipeline([("window", SlidingWindow(36)), ("lstm", lstm)])  # 36 hours before
model.fit(train, train["internet"])  # the first 36 hours lack a window: skipped
forecast = model.predict(test)
naive = hourly["internet"].shift(24).iloc[-240:].to_numpy()  # same hour, day before
truth = test["internet"].to_numpy()

# %%
# How good is it?
# ---------------
print(f"train {train.index[0]} to {train.index[-1]} ({len(train)} hours)")
print(f"test  {test.index[0]} to {test.index[-1]} ({len(test)} hours)")
print(f"test hours without a forecast: {int(np.isnan(forecast).sum())}")
mse = {}
for name, pred in (("LSTM (7, 3)", forecast), ("seasonal naive", naive)):
    mse[name] = np.mean((pred - truth) ** 2)
    mae = np.mean(np.abs(pred - truth))
    print(f"{name:>15}: MSE {mse[name]:.4g}, MAE {mae:.1f}")
print(f"MSE relative to the seasonal naive: {mse['LSTM (7, 3)'] / mse[name]:.2f}")

# %%
# Forecast versus truth
# ---------------------
fig, ax = plt.subplots(figsize=(10, 3.5))
ax.plot(test.index, truth, color="0.3", label="traffic")
ax.plot(test.index, naive, color="tab:orange", alpha=0.7, label="same hour, day before")
ax.plot(test.index, forecast, color="tab:blue", label="LSTM (7, 3)")
ax.set_ylabel("internet activity per hour")
ax.set_title("Cell 5161, test: 22 - 31 December 2013")
ax.legend(fontsize=8)
fig.autofmt_xdate()
fig.tight_layout()
fig.savefig("quickstart.png", dpi=120)
