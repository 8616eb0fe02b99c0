"""
The lab's LSTM on the Duomo cell
================================

Train ``LSTMRegressor((7, 3))`` on 36-hour windows of the real Duomo cell (5161)
with the lab's protocol (last 240 hours as test, scaling fitted on the training
part only), compare it with the seasonal-naive forecast (same hour of the previous
day), look at the network and the training curve, and plot the forecasts.
"""

# %%
# Data and windows
# ----------------
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.preprocessing import MinMaxScaler

from lstmforecast.datasets import load_milano_cells
from lstmforecast.preprocessing import (
    HourlyAggregator,
    make_windows,
    time_train_test_split,
)
from lstmforecast.regressors import LSTMRegressor

torch.set_num_threads(1)  # a tiny network: one thread is fastest on few cores
TEST_HOURS, LOOKBACK = 240, 36  # the lab's last 10 days and 36-hour windows
slots = load_milano_cells(5161, end="2013-12-31", types="internet")
series = HourlyAggregator().fit_transform(slots).loc[5161, "internet"]  # 1,464 h
n_train = len(series) - TEST_HOURS
scale = MinMaxScaler().fit(series.iloc[:n_train].to_frame())
scaled = series.to_frame().pipe(scale.transform).ravel()
X, y, when = make_windows(
    series.to_frame().assign(internet=scaled)["internet"],
    lookback=LOOKBACK,
    return_index=True,
)
X_train, X_test, y_train, y_test, _, t_test = time_train_test_split(
    X, y, when, test_size=TEST_HOURS, gap=LOOKBACK
)
print(X_train.shape, X_test.shape)

# %%
# Train the lab's network
# -----------------------
model = LSTMRegressor((7, 3), max_epochs=50, batch_size=32, random_state=0)
model.fit(X_train, y_train.ravel())
print(model.summary())
print(model.history_[["epoch", "train_loss"]].tail(3).to_string(index=False))

# %%
# Against the seasonal naive, in original units
# ---------------------------------------------
unit = scale.data_range_[0]
forecast = scale.inverse_transform(model.predict(X_test)[:, None]).ravel()
truth = series.loc[t_test].to_numpy()
naive = series.shift(24).loc[t_test].to_numpy()
for name, pred in (("LSTM", forecast), ("seasonal naive", naive)):
    mse = np.mean((pred - truth) ** 2)
    print(f"{name:>15}: MSE {mse:.4g}, MAE {np.mean(np.abs(pred - truth)):.1f}")

# %%
# Forecasts and training curve
# ----------------------------
fig, (ax, ax_loss) = plt.subplots(
    1, 2, figsize=(12, 3.5), gridspec_kw={"width_ratios": [3, 1]}
)
ax.plot(t_test, truth, color="0.3", label="traffic")
ax.plot(t_test, naive, color="tab:orange", alpha=0.7, label="same hour, day before")
ax.plot(t_test, forecast, color="tab:blue", label="LSTM (7, 3)")
ax.set_ylabel("internet activity per hour")
ax.set_title("Cell 5161, test: 22 - 31 December 2013")
ax.legend(fontsize=8)
ax_loss.plot(model.history_["epoch"], model.history_["train_loss"])
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("training MSE (scaled)")
fig.autofmt_xdate()
fig.tight_layout()
fig.savefig("lstm_forecast.png", dpi=120)
