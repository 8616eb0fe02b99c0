"""Known-future inputs: the calendar of the forecast hours for every horizon step.

``CalendarFeatures(horizon=H)`` gives each row the calendar of the ``H`` hours its
``make_horizon_targets(y, H)`` target covers; ``SlidingWindow(future_columns=...)``
repeats a row's own values along its window, so a MIMO network reads the calendar
of every step it forecasts, also for the last rows of the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.compose import make_column_selector
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from lstmforecast.preprocessing import (
    CalendarFeatures,
    SlidingWindow,
    make_horizon_targets,
    time_train_test_split,
)
from lstmforecast.regressors import MLPRegressor

TZ = "Europe/Rome"
FEATURES = ["hour", "day_of_week", "working_day", "is_holiday"]


def hourly(start="2013-12-20", periods=96, seed=0, name="internet"):
    index = pd.date_range(start, periods=periods, freq="h", tz=TZ, name="time")
    values = np.random.default_rng(seed).normal(size=periods)
    return pd.DataFrame({name: values}, index=index)


def panel(periods=60):
    frames = {
        cell: hourly(periods=periods, seed=cell).iloc[cell:] for cell in (1, 2, 3)
    }
    return pd.concat(frames, names=["cell"])


# ------------------------------------------------------------- CalendarFeatures
@pytest.mark.parametrize("encoding", ["ordinal", "cyclical", "onehot"])
def test_step_k_is_the_calendar_of_the_row_k_minus_1_later(encoding):
    X = hourly(periods=72)
    H = 5
    one = CalendarFeatures(FEATURES, encoding=encoding).fit(X)
    ahead = CalendarFeatures(FEATURES, encoding=encoding, horizon=H).fit(X)
    assert ahead.step_ == pd.Timedelta("1h")
    out = ahead.transform(X)
    width = len(one.get_feature_names_out())
    assert out.shape == (len(X), H * width)
    base = one.transform(X)
    for k in range(H):
        block = out[: len(X) - k, k * width : (k + 1) * width]
        np.testing.assert_array_equal(block, base[k:])
    names = ahead.get_feature_names_out()
    assert list(names[:width]) == [f"{n}_h1" for n in one.get_feature_names_out()]
    assert names[-1].endswith(f"_h{H}")


def test_the_last_rows_get_the_calendar_past_the_end_of_the_data():
    """31 Dec 23:00 + 1 h is New Year's Day: a holiday the data never reaches."""
    X = hourly(start="2013-12-31 20:00", periods=4)
    out = (
        CalendarFeatures(["hour", "is_holiday"], horizon=3)
        .set_output(transform="pandas")
        .fit_transform(X)
    )
    last = out.iloc[-1]
    assert last["hour_h1"] == 23 and last["is_holiday_h1"] == 0
    assert last["hour_h2"] == 0 and last["is_holiday_h2"] == 1
    assert last["hour_h3"] == 1 and last["is_holiday_h3"] == 1


def test_steps_are_absolute_time_across_a_dst_change():
    """27 Oct 2013, 03:00 CEST -> 02:00 CET: the wall clock repeats 02:00."""
    X = hourly(start="2013-10-27 00:00", periods=6)
    out = CalendarFeatures(["hour"], horizon=4).fit_transform(X)
    # rows 00:00, 01:00, 02:00 (CEST), 02:00 (CET), 03:00, 04:00 local
    np.testing.assert_array_equal(out[1], [1, 2, 2, 3])
    np.testing.assert_array_equal(out[0], [0, 1, 2, 2])


def test_panel_step_is_learnt_within_each_series():
    X = panel()
    cal = CalendarFeatures(["hour"], horizon=3).fit(X)
    assert cal.step_ == pd.Timedelta("1h")
    out = cal.transform(X)
    hours = X.index.get_level_values("time").hour.to_numpy()
    np.testing.assert_array_equal(out[:, 0], hours)
    np.testing.assert_array_equal(out[:, 2], (hours + 2) % 24)


def test_explicit_step_and_errors():
    X = hourly(periods=10)
    two_hourly = CalendarFeatures(["hour"], horizon=2, step="2h").fit(X)
    np.testing.assert_array_equal(
        two_hourly.transform(X)[:, 1], (X.index.hour + 2) % 24
    )
    with pytest.raises(ValueError, match="not evenly spaced"):
        CalendarFeatures(horizon=2).fit(X.iloc[[0, 1, 3]])
    with pytest.raises(ValueError, match="none \\(one row\\)"):
        CalendarFeatures(horizon=2).fit(X.iloc[:1])
    # a one-row frame is fine once the step is known (deployment: the next hour)
    assert CalendarFeatures(horizon=2, step="1h").fit_transform(X.iloc[:1]).shape == (
        1,
        6,
    )
    cal = CalendarFeatures().fit(X).set_params(horizon=3)
    with pytest.raises(ValueError, match="fitted with horizon=1"):
        cal.transform(X)


def test_repr_always_names_the_holiday_calendar():
    assert "country='IT'" in repr(CalendarFeatures())
    assert "subdiv='MI'" in repr(CalendarFeatures())
    text = repr(CalendarFeatures(country="FR", subdiv=None, horizon=24))
    assert "country='FR'" in text and "subdiv=None" in text and "horizon=24" in text


# ---------------------------------------------------------- SlidingWindow
def frame_with_future(periods=40, H=3):
    X = hourly(periods=periods)
    cal = CalendarFeatures(["hour", "working_day"], horizon=H)
    cal.set_output(transform="pandas")
    return X.join(cal.fit_transform(X))


@pytest.mark.parametrize("lazy", [False, True])
def test_future_columns_are_the_rows_own_values_at_every_step(lazy):
    X = frame_with_future()
    future = [c for c in X.columns if "_h" in c]
    window = SlidingWindow(6, future_columns=future, lazy=lazy)
    train, test = X.iloc[:30], X.iloc[30:]
    out = np.asarray(window.fit(train).transform(test))
    plain = SlidingWindow(6, columns=["internet"]).fit(train).transform(test)
    assert out.shape == (len(test), 6, 1 + len(future))
    np.testing.assert_array_equal(out[:, :, :1], plain)
    rows = test[future].to_numpy()
    np.testing.assert_array_equal(out[:, :, 1:], np.repeat(rows[:, None], 6, axis=1))


def test_lazy_windows_with_future_columns_equal_the_dense_ones_on_a_panel():
    X = panel()
    cal = CalendarFeatures(["hour"], horizon=4).set_output(transform="pandas")
    X = X.join(cal.fit_transform(X))
    selector = make_column_selector(pattern=r"_h\d+$")
    dense = SlidingWindow(8, future_columns=selector).fit(X).transform(X)
    lazy = SlidingWindow(8, future_columns=selector, lazy=True).fit(X).transform(X)
    assert lazy.shape == dense.shape == (len(X), 8, 5)
    np.testing.assert_array_equal(np.asarray(lazy), dense)
    np.testing.assert_array_equal(lazy.complete(), ~np.isnan(dense).any(axis=(1, 2)))
    subset = lazy[np.arange(5, 40, 3)]
    np.testing.assert_array_equal(np.asarray(subset), dense[5:40:3])


def test_flattened_future_columns_come_once_under_their_own_names():
    X = frame_with_future(H=2)
    flat = SlidingWindow(
        3, columns="internet", future_columns=["hour_h2"], flatten=True
    )
    out = flat.set_output(transform="pandas").fit_transform(X)
    assert list(out.columns) == [
        "internet_lag_3",
        "internet_lag_2",
        "internet_lag_1",
        "hour_h2",
    ]
    np.testing.assert_array_equal(out["hour_h2"], X["hour_h2"])


def test_a_missing_future_value_makes_the_lazy_window_incomplete():
    X = frame_with_future()
    X.iloc[20, X.columns.get_loc("hour_h2")] = np.nan
    lazy = SlidingWindow(4, future_columns=["hour_h2"], lazy=True).fit_transform(X)
    complete = lazy.complete()
    assert not complete[20] and complete[21] and complete[19]


@settings(max_examples=25, deadline=None)
@given(
    lookback=st.integers(1, 6),
    t=st.integers(0, 29),
    seed=st.integers(0, 2**16),
    lazy=st.booleans(),
)
def test_no_look_ahead_rows_after_t_never_change_row_t(lookback, t, seed, lazy):
    """Changing any value of rows after t (target or future columns) leaves row t."""
    X = frame_with_future(periods=30)
    future = [c for c in X.columns if "_h" in c]
    window = SlidingWindow(lookback, future_columns=future, lazy=lazy)
    before = np.asarray(window.fit(X).transform(X))[t]
    changed = X.copy()
    noise = np.random.default_rng(seed).normal(size=changed.iloc[t + 1 :].shape)
    changed.iloc[t + 1 :] += noise
    after = np.asarray(window.fit(changed).transform(changed))[t]
    np.testing.assert_array_equal(before, after)
    # row t's own target value is never in its window either
    own = X.copy()
    own.iloc[t, 0] += 100.0
    np.testing.assert_array_equal(np.asarray(window.fit(own).transform(own))[t], before)


# --------------------------------------------------------------- end to end
def weekend_series(days=42, seed=0):
    """Traffic that drops on weekends: tomorrow's level needs tomorrow's calendar."""
    index = pd.date_range("2013-11-04", periods=24 * days, freq="h", tz=TZ)
    rng = np.random.default_rng(seed)
    weekend = index.day_of_week >= 5
    values = np.where(weekend, 1.0, 5.0) + 0.05 * rng.normal(size=len(index))
    return pd.DataFrame({"internet": values}, index=index.rename("time"))


def known_future_pipeline(H, with_calendar, seed=0):
    parts = [("traffic", FunctionTransformer(feature_names_out="one-to-one"))]
    if with_calendar:
        parts.append(
            (
                "calendar",
                CalendarFeatures(["is_weekend"], horizon=H, country=None),
            )
        )
    features = FeatureUnion(parts, verbose_feature_names_out=False)
    selector = make_column_selector(pattern=r"_h\d+$")
    return Pipeline(
        [
            ("features", features.set_output(transform="pandas")),
            (
                "window",
                SlidingWindow(
                    24,
                    columns=["internet"],
                    future_columns=selector if with_calendar else None,
                ),
            ),
            (
                "mlp",
                MLPRegressor(
                    (16,),
                    activation="relu",
                    lr=1e-2,
                    max_epochs=60,
                    batch_size=64,
                    random_state=seed,
                    n_threads=1,
                ),
            ),
        ]
    )


@pytest.mark.slow
def test_the_forecast_hours_calendar_reaches_every_step_and_helps():
    H = 24
    X = weekend_series()
    train, test = time_train_test_split(X, test_size=24 * 7)
    Y = make_horizon_targets(train["internet"], H)
    truth = make_horizon_targets(test["internet"], H).to_numpy()
    ok = np.isfinite(truth)
    errors = {}
    for with_calendar in (False, True):
        pipe = known_future_pipeline(H, with_calendar).fit(train, Y)
        pred = pipe.predict(test)
        assert pred.shape == (len(test), H) and np.isfinite(pred).all()
        errors[with_calendar] = np.mean((pred[ok] - truth[ok]) ** 2)
    # without tomorrow's calendar a 24-hour window cannot tell Friday from Sunday
    assert errors[True] < 0.5 * errors[False], errors
    # and the network reads every step's calendar: flipping step 24's changes it
    pipe = known_future_pipeline(H, True).fit(train, Y)
    windows = pipe[:-1].transform(test)
    flipped = windows.copy()
    flipped[:, :, -1] = 1.0 - flipped[:, :, -1]
    mlp = pipe[-1]
    assert not np.allclose(mlp.predict(windows)[:, -1], mlp.predict(flipped)[:, -1])
