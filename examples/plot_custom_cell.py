"""
A cell of your own: the minimal gated unit in one file
======================================================

``LSTMRegressor(cell=...)`` takes a name (``"lstm"``, ``"gru"``, ``"rnn"``,
``"peephole"``, ``"slstm"``, ``"mlstm"``) or a ``torch.nn.Module`` class of your
own: the extension point. The class is built once per layer as
``cell(input_size, hidden_size)``; its ``forward(X)`` reads windows ``(batch,
time, input_size)`` and returns ``(outputs, state)``, the outputs of every step
``(batch, time, hidden_size)``, batch first, as ``nn.LSTM(batch_first=True)``.
Nothing else in the library changes: stacking, ``bidirectional``, ``dropout``,
``residual``, ``layer_norm``, the head, training, ``predict``, pickling and
``GridSearchCV`` all work with it.

This example writes the minimal gated unit (Zhou et al., 2016), a GRU with one
gate, and forecasts the bundled Duomo cell (5161) with it, beside the LSTM.
"""

# %%
# The cell
# --------
# One forget gate ``f`` both forgets and writes::
#
#     f_t = sigmoid(W_f x_t + U_f h_{t-1} + b_f)
#     g_t = tanh(W_g x_t + U_g (f_t * h_{t-1}) + b_g)
#     h_t = (1 - f_t) * h_{t-1} + f_t * g_t
#
# The input projections of the whole window are one matrix product before the
# time loop (the main trick for speed in plain PyTorch); the loop does the
# recurrent products only.
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn


class MinimalGatedUnit(nn.Module):
    """The minimal gated unit: ``(input_size, hidden_size)``, batch first."""

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input = nn.Linear(input_size, 2 * hidden_size)  # W_f, W_g and biases
        self.forget = nn.Linear(hidden_size, hidden_size, bias=False)  # U_f
        self.candidate = nn.Linear(hidden_size, hidden_size, bias=False)  # U_g

    def forward(self, X):
        h = X.new_zeros(X.shape[0], self.forget.in_features)
        outputs = []
        for x in self.input(X).unbind(dim=1):  # one step at a time
            x_f, x_g = x.chunk(2, dim=-1)
            f = torch.sigmoid(x_f + self.forget(h))
            g = torch.tanh(x_g + self.candidate(f * h))
            h = (1 - f) * h + f * g
            outputs.append(h)
        return torch.stack(outputs, dim=1), h  # (batch, time, hidden), state


# %%
# Forecast a real cell with it
# ----------------------------
# The lab's windows of the previous 24 hours, level- and spread-free
# (``center="last", scale="std"``); the last 10 days are the test.
from sklearn.pipeline import Pipeline

from lstmforecast.datasets import load_milano_cells
from lstmforecast.preprocessing import HourlyAggregator, SlidingWindow
from lstmforecast.regressors import LSTMRegressor

torch.set_num_threads(1)  # tiny networks: one thread is fastest on few cores
slots = load_milano_cells(5161, types="internet", end="2013-12-31")
hourly = HourlyAggregator().fit_transform(slots).loc[5161]
train, test = hourly.iloc[:-240], hourly.iloc[-240:]
truth = test["internet"].to_numpy()
forecasts = {}
for name, cell in (("LSTM", "lstm"), ("minimal gated unit", MinimalGatedUnit)):
    network = LSTMRegressor(
        (8,), cell=cell, center="last", scale="std", max_epochs=15, random_state=0
    )
    model = Pipeline([("window", SlidingWindow(24)), ("net", network)])
    model.fit(train, train["internet"])
    forecasts[name] = model.predict(test)
    mse = np.mean((forecasts[name] - truth) ** 2)
    print(f"{name:>18}: {network.n_params_} parameters, test MSE {mse:.4g}")
print(model[-1].summary())

# %%
# A cell that breaks the contract says so
# ---------------------------------------
# A cell that returns only its final state (batch, hidden) instead of every
# step is refused at the first batch, with the shape it should have returned.


class FinalStateOnly(MinimalGatedUnit):
    def forward(self, X):
        return super().forward(X)[1], None


try:
    LSTMRegressor((8,), cell=FinalStateOnly, max_epochs=1).fit(
        np.zeros((40, 24)), np.zeros(40)
    )
except ValueError as error:
    print(error)

# %%
# The forecasts
# -------------
fig, ax = plt.subplots(figsize=(10, 3.5))
ax.plot(test.index, truth, color="0.3", label="traffic")
for (name, pred), color in zip(forecasts.items(), ["tab:blue", "tab:red"], strict=True):
    ax.plot(test.index, pred, color=color, alpha=0.8, label=name)
ax.set_ylabel("internet activity per hour")
ax.set_title("Cell 5161, the last 10 days of 2013: a cell written in one file")
ax.legend(fontsize=8)
fig.autofmt_xdate()
fig.tight_layout()
fig.savefig("custom_cell.png", dpi=110)
