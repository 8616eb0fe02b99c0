"""The lab's features and windows on real Milano data, and the transformers in CV."""

import numpy as np
import pandas as pd
import pytest
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
    SlidingWindow,
    make_windows,
    time_train_test_split,
)

LAB_LAGS = {"prev_week": "7D", "prev_day": "1D"}


@pytest.fixture(scope="module")
def hourly():
    """61 days (1,464 hours) of real cell 5161, indexed by Milan time."""
    slots = load_milano_cells(5161, end="2013-12-31")
    return HourlyAggregator().fit_transform(slots).loc[5161]


def _lab_features():
    return FeatureUnion(
        [("calendar", CalendarFeatures()), ("lags", LagFeatures(lags=LAB_LAGS))],
        verbose_feature_names_out=False,
    )


def test_lab_mlp_feature_matrix(hourly):
    features = _lab_features().set_output(transform="pandas")
    matrix = features.fit_transform(hourly)
    assert matrix.shape == (1464, 5)
    assert matrix.columns.tolist() == [
        "day_of_week",
        "hour",
        "working_day",
        "prev_week",
        "prev_day",
    ]
    scaled = MinMaxScaler().fit_transform(matrix)  # each feature alone
    np.testing.assert_allclose(np.nanmin(scaled, axis=0), 0.0)
    np.testing.assert_allclose(np.nanmax(scaled, axis=0), 1.0)
    # no value from the future: the first week has no previous week
    assert matrix["prev_week"].iloc[:168].isna().all()
    assert matrix["prev_week"].iloc[168:].notna().all()
    np.testing.assert_array_equal(
        matrix["prev_day"].iloc[24:], hourly["internet"].iloc[:-24]
    )


def test_lab_lstm_windows_and_split(hourly):
    X, y, when = make_windows(hourly["internet"], lookback=36, return_index=True)
    assert X.shape == (1428, 36, 1) and y.shape == (1428, 1)
    X_tr, X_te, y_tr, y_te, t_tr, t_te = time_train_test_split(
        X, y, when, test_size=240, gap=36
    )
    assert X_tr.shape == (1152, 36, 1) and X_te.shape == (240, 36, 1)
    # the hours each test window reads, and the hours that are training targets
    read = {t - pd.Timedelta(hours=k) for t in t_te for k in range(1, 37)}
    assert read.isdisjoint(set(t_tr))
    assert t_tr.max() < t_te.min()


def _fold_probe(stop, calls):
    """A scorer that checks the features the test fold gets, then scores it."""

    def score(estimator, X, y):
        features = estimator[:stop].transform(X)
        values = np.asarray(features, dtype=float)
        calls.append(
            (len(X), int(np.isnan(values).any(axis=tuple(range(1, values.ndim))).sum()))
        )
        return -np.mean(np.abs(estimator.predict(X) - y))

    return score


def test_lags_and_calendar_in_grid_search_with_time_series_split(hourly):
    pipe = Pipeline(
        [
            ("features", _lab_features()),
            ("impute", SimpleImputer()),
            ("scale", MinMaxScaler()),
            ("ridge", Ridge()),
        ]
    ).set_output(transform="pandas")
    grid = {"features__lags__lags": [LAB_LAGS, {"prev_day": "1D"}, [1, 24, 168]]}
    calls = []
    search = GridSearchCV(
        pipe,
        grid,
        cv=TimeSeriesSplit(5),
        scoring=_fold_probe(1, calls),
        error_score="raise",
    )
    search.fit(hourly, hourly["internet"])
    test_sizes = [len(test) for _, test in TimeSeriesSplit(5).split(hourly)]
    # every candidate x fold scored all of its rows, none with a missing lag
    assert len(calls) == 3 * 5
    assert [n for n, _ in calls] == test_sizes * 3
    assert all(n_nan == 0 for _, n_nan in calls)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_["features__lags__lags"] in grid["features__lags__lags"]


def test_sliding_window_in_grid_search_with_time_series_split(hourly):
    pipe = Pipeline(
        [
            ("scale", MinMaxScaler()),
            ("window", SlidingWindow(flatten=True, fill_value=0.0)),
            ("ridge", Ridge()),
        ]
    ).set_output(transform="pandas")
    X = hourly[["internet"]]
    calls = []
    search = GridSearchCV(
        pipe,
        {"window__lookback": [6, 24, 36]},
        cv=TimeSeriesSplit(5),
        scoring=_fold_probe(-1, calls),
        error_score="raise",
    )
    search.fit(X, hourly["internet"])
    # with fill_value=0 a missing step would be 0, so check the windows' values:
    # each test fold's first window is the end of its training fold, scaled
    assert len(calls) == 15
    for lookback in (6, 24, 36):
        for train, test in TimeSeriesSplit(5).split(X):
            fitted = pipe.set_params(window__lookback=lookback).fit(
                X.iloc[train], hourly["internet"].iloc[train]
            )
            first = fitted[:-1].transform(X.iloc[test[:1]]).to_numpy()[0]
            expected = fitted["scale"].transform(X.iloc[train[-lookback:]])
            np.testing.assert_allclose(first, expected.to_numpy().ravel())
    assert [n for n, _ in calls] == [len(t) for _, t in TimeSeriesSplit(5).split(X)] * 3
