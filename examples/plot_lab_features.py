"""
The lab's features, tuned without looking ahead
===============================================

Build the lab's MLP inputs (day of week, hour, working day, traffic of the same
hour the day and the week before) for the real Duomo cell, tune the lags of a
linear baseline with ``GridSearchCV`` and ``TimeSeriesSplit`` (each test fold is
forecast from the end of its own training fold), and compare its forecast of the
last 240 hours with the truth. The LSTM and MLP regressors come next; any
scikit-learn regressor drops into the same pipeline.
"""

# %%
# Hourly traffic of one cell
# --------------------------
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import MinMaxScaler

from lstmforecast.datasets import load_milano_cells
from lstmforecast.preprocessing import (
    CalendarFeatures,
    HourlyAggregator,
    LagFeatures,
    make_windows,
    time_train_test_split,
)

slots = load_milano_cells(5161, end="2013-12-31")  # 61 days
hourly = HourlyAggregator().fit_transform(slots).loc[5161]
print(hourly.shape)

# %%
# The lab's five inputs, with no value from the future
# ----------------------------------------------------
features = FeatureUnion(
    [
        ("calendar", CalendarFeatures()),
        ("lags", LagFeatures(lags={"prev_week": "7D", "prev_day": "1D"})),
    ],
    verbose_feature_names_out=False,
).set_output(transform="pandas")
print(features.fit_transform(hourly).iloc[166:170])

# %%
# Tune the lags with time-ordered cross-validation
# ------------------------------------------------
train, test = hourly.iloc[:-240], hourly.iloc[-240:]
pipe = Pipeline(
    [
        ("features", features),
        ("impute", SimpleImputer()),
        ("scale", MinMaxScaler()),
        ("model", Ridge(alpha=1e-3)),
    ]
).set_output(transform="pandas")
grid = {
    "features__lags__lags": [
        {"prev_week": "7D", "prev_day": "1D"},
        {"prev_week": "7D", "prev_day": "1D", "prev_hour": 1},
        [1, 2, 3, 24, 168],
    ]
}
search = GridSearchCV(
    pipe, grid, cv=TimeSeriesSplit(5), scoring="neg_mean_absolute_error", verbose=1
)
search.fit(train, train["internet"])
print("best lags:", search.best_params_["features__lags__lags"])

# The test rows continue the training rows: their lags come from its last week.
forecast = search.predict(test)
mae = np.mean(np.abs(forecast - test["internet"]))
print(f"MAE on the last 240 hours: {mae:.1f}")

# %%
# The LSTM's route: windows of the previous 36 hours
# --------------------------------------------------
X, y = make_windows(hourly["internet"], lookback=36)
X_train, X_test, y_train, y_test = time_train_test_split(X, y, test_size=240, gap=36)
print(X_train.shape, X_test.shape)

# %%
# Forecast versus truth
# ---------------------
fig, ax = plt.subplots(figsize=(10, 3.5))
ax.plot(test.index, test["internet"], label="traffic", color="0.3")
ax.plot(test.index, forecast, label=f"Ridge on lab features (MAE {mae:.0f})")
ax.set_ylabel("internet activity per hour")
ax.set_title("Cell 5161, last 240 hours of 2013")
ax.legend()
fig.autofmt_xdate()
fig.tight_layout()
fig.savefig("lab_features_forecast.png", dpi=120)
