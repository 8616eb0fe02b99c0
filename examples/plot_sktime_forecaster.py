"""
The networks as sktime forecasters
==================================

``lstmforecast.sktime`` puts the library's networks behind sktime's forecasting
interface: ``LSTMForecaster(lookback, hidden_size, ...)`` is fitted with
``fit(y, fh=...)`` and forecasts every step of ``fh`` at once (one network with
an output per step), ``update`` moves it along the series without refitting,
and a network trained on quantiles gives ``predict_interval``. Inside it is the
sklearn pipeline ``SlidingWindow`` + ``LSTMRegressor``, and sktime's own
``make_reduction`` with the same regressor gives the same forecasts. Here: the
next 24 hours of the Duomo cell (5161), issued at midnight on each of the last
three days of 2013 (needs the ``sktime`` extra).
"""

# %%
# The series and a 24-hour horizon
# --------------------------------
import matplotlib

matplotlib.use("Agg")

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from sktime.forecasting.compose import make_reduction

from lstmforecast.lab import lab_series
from lstmforecast.regressors import LSTMRegressor
from lstmforecast.sktime import LSTMForecaster

torch.set_num_threads(1)  # a tiny network: one thread is fastest on few cores
y = lab_series(cell=5161)  # hourly internet activity, 1 November - 31 December
DAYS, H = 3, 24
train, test = y.iloc[: -DAYS * H], y.iloc[-DAYS * H :]
fh = np.arange(1, H + 1)  # the next 24 hours

# %%
# Fit once, forecast day by day
# -----------------------------
# ``update(..., update_params=False)`` adds a day of observations: the next
# forecast starts from the 36 hours before the new cutoff, with the same
# network. A second network learns the 10 %, 50 % and 90 % quantiles. Traffic is
# never negative: ``nonnegative=True`` clips the forecasts at 0.
params = {"max_epochs": 10, "nonnegative": True, "random_state": 0}
point = LSTMForecaster(36, (16,), **params).fit(train, fh=fh)
bands = LSTMForecaster(
    36, (16,), loss="quantile", quantiles=[0.1, 0.5, 0.9], **params
).fit(train, fh=fh)
forecasts, intervals = [], []
for day in range(DAYS):
    if day:
        new = test.iloc[(day - 1) * H : day * H]
        point.update(new, update_params=False)
        bands.update(new, update_params=False)
    forecasts.append(point.predict())
    intervals.append(bands.predict_interval(coverage=0.8))
forecast, interval = pd.concat(forecasts), pd.concat(intervals)
mse = float(np.mean((forecast - test) ** 2))
inside = float(((test >= interval.iloc[:, 0]) & (test <= interval.iloc[:, 1])).mean())
print(
    f"MSE of the 24-hour forecasts: {mse:.4g}; inside the 80 % interval: {inside:.0%}"
)

# %%
# The same model through ``make_reduction``
# -----------------------------------------
# sktime's multi-output reduction cuts the same 36-hour windows (oldest value
# first) and fits the same regressor on the same rows: the same forecasts.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # sktime's config notice
    lstm = LSTMRegressor((16,), center="last", scale="std", **params)
    reduction = make_reduction(lstm, strategy="multioutput", window_length=36)
    reduction.fit(train, fh=fh)
    reduced = [reduction.predict()]
    for day in range(1, DAYS):
        reduction.update(test.iloc[(day - 1) * H : day * H], update_params=False)
        reduced.append(reduction.predict())
gap = np.abs(pd.concat(reduced).to_numpy() - forecast.to_numpy()).max()
print(f"largest difference to make_reduction: {gap:.3g}")

# %%
# Plot
# ----
fig, ax = plt.subplots(figsize=(10, 3.5))
ax.plot(y.iloc[-(DAYS + 2) * H :], color="0.3", lw=1, label="traffic")
ax.fill_between(
    interval.index,
    interval.iloc[:, 0],
    interval.iloc[:, 1],
    color="tab:orange",
    alpha=0.3,
    label="10 - 90 % quantiles",
)
for k, day in enumerate(forecasts):
    ax.plot(day, color="tab:blue", lw=1.5, label="24-hour forecast" if not k else None)
    ax.plot(day.index[0], day.iloc[0], "o", color="tab:blue", ms=3)
ax.set_ylabel("internet activity per hour")
ax.set_title("Cell 5161, forecasts issued at midnight", loc="left", fontsize=10)
ax.legend(fontsize=8, loc="upper left")
fig.autofmt_xdate()
fig.tight_layout()
fig.savefig("sktime_forecaster.png", dpi=110)
