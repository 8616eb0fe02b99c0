"""
Every cell, 24 hours ahead, in one Pipeline
===========================================

An operator switches capacity for many cells, hours in advance. Here the three
bundled real cells are one **panel** (the ``(cell, time)`` frame that
``HourlyAggregator`` returns), and one ``LSTMRegressor`` with 24 outputs (the
MIMO strategy) forecasts the next 24 hours from every hour of every cell:

- ``SlidingWindow`` builds each row's window **within its own cell** (never from
  the cell before it in the frame) and, on the test rows, continues each cell's
  own training history;
- ``make_horizon_targets`` turns the target into 24 columns, NaN where the future
  is not in the data: the regressor skips those rows and counts them, so no row is
  dropped by hand;
- ``PanelTimeSeriesSplit(gap=23)`` cuts every cell at the same instants, and the
  grid search picks the training loss by provisioning cost;
- ``horizon_report`` and ``HorizonErrorDisplay`` judge each step against the
  seasonal naive (the same hour the day before).
"""

# %%
# The panel, split at the same instant in every cell
# --------------------------------------------------
import matplotlib

matplotlib.use("Agg")

import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from lstmforecast.datasets import load_milano_cells
from lstmforecast.metrics import (
    horizon_report,
    make_provisioning_scorer,
    seasonal_naive_forecast,
)
from lstmforecast.model_selection import PanelTimeSeriesSplit
from lstmforecast.plotting import HorizonErrorDisplay
from lstmforecast.preprocessing import (
    HourlyAggregator,
    SlidingWindow,
    make_horizon_targets,
    time_train_test_split,
)
from lstmforecast.regressors import LSTMRegressor

HORIZON = 24
panel = HourlyAggregator().fit_transform(load_milano_cells(end="2013-12-31"))
panel = panel[["internet"]]
X_train, X_test = time_train_test_split(panel, test_size=240)  # 22-31 Dec
# Gbit/s, each cell's busiest training hour at 1 Gbit/s (no test value used)
peak = X_train.groupby(level="cell")["internet"].max()
to_gbps = 1 / panel.index.get_level_values("cell").map(peak).to_numpy()
panel = panel.mul(to_gbps, axis=0)
X_train, X_test = panel.loc[X_train.index], panel.loc[X_test.index]
print(panel.index.names, panel.shape, "->", X_train.shape, X_test.shape)

# %%
# 24 targets per row, from the training part only
# -----------------------------------------------
# Built on the training rows alone, the last 23 hours of each cell have NaN
# steps (their future is the test period): they are skipped, not leaked.
Y_train = make_horizon_targets(X_train["internet"], HORIZON)
print(
    Y_train.columns[[0, 1, -1]].tolist(),
    "complete rows:",
    Y_train.notna().all(axis=1).sum(),
)

# %%
# One network, 24 outputs, tuned by the provisioning cost
# -------------------------------------------------------
lstm = LSTMRegressor(
    (16,), center="last", scale="std", lr=3e-3, max_epochs=10, batch_size=64,
    n_threads=1, random_state=0,
)  # fmt: skip
pipe = Pipeline([("window", SlidingWindow(36)), ("lstm", lstm)])
search = GridSearchCV(
    pipe,
    {"lstm__loss": ["squared_error", "provisioning"]},
    scoring=make_provisioning_scorer(alpha=1, beta=10, step=0.1),
    cv=PanelTimeSeriesSplit(n_splits=3, test_size=168, gap=HORIZON - 1),
).fit(X_train, Y_train)
print(
    "best:", search.best_params_, "skipped rows:", search.best_estimator_[-1].n_skipped_
)

# %%
# Forecast every test hour of every cell
# --------------------------------------
# The test windows continue each cell's training history: no NaN forecast.
forecast = search.predict(X_test)
print("forecasts:", forecast.shape, "NaN:", int(np.isnan(forecast).sum()))

# %%
# Error by horizon step, against the seasonal naive
# -------------------------------------------------
y = panel["internet"]
Y_test = make_horizon_targets(y, HORIZON).loc[X_test.index]
naive = seasonal_naive_forecast(y, HORIZON, season=24).loc[X_test.index]
report = horizon_report(Y_test, forecast, y_naive=naive, alpha=1, beta=10, step=0.1)
print(report[["mse_ratio", "cost_ratio"]].iloc[[0, 5, 11, 23]].round(2))
display = HorizonErrorDisplay.from_report(report, name="LSTM (MIMO)", units="Gbit/s")
display.figure_.savefig("panel_horizon.png", dpi=110)
