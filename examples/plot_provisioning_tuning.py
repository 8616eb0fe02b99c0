"""
Tuning an LSTM for what capacity costs
======================================

An operator allocates capacity from the forecast: over-provisioning wastes energy
(``alpha`` per unit), under-provisioning blocks users (``beta`` per unit, here ten
times dearer). This example tunes an LSTM pipeline on the real Duomo cell (5161)
with ``GridSearchCV`` and ``TimeSeriesSplit`` twice, once by the provisioning cost
and once by MSE, shows that the two pick different models, then judges the chosen
forecast on the last 10 days: the cost over a grid of prices, the capacity it
allocates hour by hour, and the energy report against static allocation.
"""

# %%
# Data in Gbit/s
# --------------
# Hourly internet activity of 1 November - 31 December 2013; the last 240 hours
# are kept for the test. Units: the training weeks' busiest hour is 1 Gbit/s (only
# the training part sets the scale: nothing here reads the test days).
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import torch
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline

from lstmforecast.datasets import load_milano_cells
from lstmforecast.metrics import (
    make_provisioning_scorer,
    provisioning_cost,
    provisioning_report,
)
from lstmforecast.plotting import (
    CapacityDisplay,
    CostSurfaceDisplay,
    ProvisioningReportDisplay,
)
from lstmforecast.preprocessing import HourlyAggregator, SlidingWindow
from lstmforecast.regressors import LSTMRegressor

torch.set_num_threads(1)  # a tiny network: one thread is fastest on few cores
TEST_HOURS = 240
slots = load_milano_cells(5161, end="2013-12-31", types="internet")
activity = HourlyAggregator().fit_transform(slots).loc[5161, "internet"]
gbit = activity / activity.iloc[:-TEST_HOURS].max()
frame = gbit.to_frame("internet")

# %%
# One pipeline, two ways to choose
# --------------------------------
# Windows of the previous hours feed the lab's (7, 3) LSTM on level- and
# spread-free windows (``center="last"``, ``scale="std"``), so no scaler is needed.
# The grid: the lookback and the training loss.
pipeline = Pipeline(
    [
        ("window", SlidingWindow(36)),
        (
            "lstm",
            LSTMRegressor(
                (7, 3),
                center="last",
                scale="std",
                lr=3e-3,
                max_epochs=20,
                random_state=0,
            ),
        ),  # fmt: skip
    ]
)
grid = {"window__lookback": [24, 36], "lstm__loss": ["squared_error", "provisioning"]}
search = GridSearchCV(
    pipeline,
    grid,
    cv=TimeSeriesSplit(n_splits=3, test_size=168),
    scoring={
        "cost": make_provisioning_scorer(alpha=1, beta=10),
        "mse": "neg_mean_squared_error",
    },
    refit="cost",  # the model kept is the cheapest one, refitted on all weeks
    verbose=1,
)
train_frame = frame.iloc[:-TEST_HOURS]
search.fit(train_frame, train_frame["internet"])
results = pd.DataFrame(search.cv_results_)
table = results[["params", "mean_test_cost", "mean_test_mse"]].assign(
    cost=-results["mean_test_cost"], mse=-results["mean_test_mse"]
)[["params", "cost", "mse"]]
print(table.to_string(index=False))
by_cost = results.loc[results["rank_test_cost"] == 1, "params"].iloc[0]
by_mse = results.loc[results["rank_test_mse"] == 1, "params"].iloc[0]
print("chosen by the 1:10 cost:", by_cost)
print("chosen by MSE:          ", by_mse)

# %%
# The chosen forecast on the test days
# ------------------------------------
# ``search`` was refitted with the cheapest candidate on all training weeks. The
# test frame continues them, so its first windows read the last training hours
# (kept by ``SlidingWindow`` in fit): every test hour gets a forecast. The
# squared-error candidate with the same lookback is refitted for comparison.
test_frame = frame.iloc[-TEST_HOURS:]
demand = test_frame["internet"]
chosen = pd.Series(search.predict(test_frame), index=demand.index)
squared = search.best_estimator_.set_params(lstm__loss="squared_error")
squared.fit(train_frame, train_frame["internet"])
mean_forecast = pd.Series(squared.predict(test_frame), index=demand.index)
forecasts = {"by cost (provisioning)": chosen, "squared error": mean_forecast}
for name, forecast in forecasts.items():
    cost = provisioning_cost(demand, forecast, alpha=1, beta=10)
    print(f"{name}: cost per hour {cost:.4f}")

# %%
# Cost over a grid of prices
# --------------------------
surface = CostSurfaceDisplay.from_predictions(
    demand,
    forecasts,
    alphas=[0.5, 1, 2, 3, 4, 5],
    betas=range(1, 21),
    step=None,
    units="Gbit/s",
)
surface.figure_.savefig("provisioning_cost_surface.png", dpi=100)

# %%
# Capacity hour by hour (100 Mbit/s steps), blocked traffic in red
# ----------------------------------------------------------------
fig, axes = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True)
for axis, (name, forecast) in zip(axes, forecasts.items(), strict=True):
    CapacityDisplay.from_predictions(
        demand, forecast, step=0.1, name=name, units="Gbit/s", ax=axis
    )
fig.savefig("provisioning_capacity.png", dpi=100)

# %%
# The energy report
# -----------------
report = provisioning_report(demand, forecasts, step=0.1, alpha=1, beta=10)
print(report.round(3).to_string())
ProvisioningReportDisplay.from_report(report).figure_.savefig(
    "provisioning_report.png", dpi=100
)
