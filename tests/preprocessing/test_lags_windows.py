"""LagFeatures, SlidingWindow, make_windows: values, history carry, no look-ahead."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmforecast.preprocessing import (
    LagFeatures,
    SlidingWindow,
    make_windows,
    time_train_test_split,
)


def _frame(n, n_cols=1, start="2013-11-01", freq="h", seed=0):
    rng = np.random.default_rng(seed)
    index = pd.date_range(start, periods=n, freq=freq, tz="Europe/Rome", name="time")
    cols = ["internet", "sms_in", "call_in"][:n_cols]
    return pd.DataFrame(rng.random((n, n_cols)) * 100, index=index, columns=cols)


# ------------------------------------------------------------------ values
def test_lag_values_are_the_rows_k_before():
    X = _frame(50, 2)
    out = LagFeatures(lags=[1, 24], columns="internet").fit_transform(X)
    v = X["internet"].to_numpy()
    np.testing.assert_array_equal(out[24:, 0], v[23:-1])
    np.testing.assert_array_equal(out[24:, 1], v[:-24])
    assert np.isnan(out[:24, 1]).all() and np.isnan(out[0, 0])


def test_lag_durations_and_names():
    X = _frame(24 * 9, 2)
    lags = LagFeatures(lags=["1D", "7D"]).fit(X)
    assert lags.lag_steps_.tolist() == [24, 168]
    assert lags.get_feature_names_out().tolist() == [
        "internet_lag_1D",
        "internet_lag_7D",
        "sms_in_lag_1D",
        "sms_in_lag_7D",
    ]
    named = LagFeatures(lags={"prev_week": "7D", "prev_day": "1D"}, columns=[0])
    assert named.fit(X).get_feature_names_out().tolist() == ["prev_week", "prev_day"]
    both = LagFeatures(lags={"prev_day": "1D"}).fit(X).get_feature_names_out()
    assert both.tolist() == ["internet_prev_day", "sms_in_prev_day"]


def test_fill_value_only_fills_missing_history_not_nan_data():
    X = _frame(10)
    X.iloc[5, 0] = np.nan
    out = LagFeatures(lags=2, fill_value=0.0).fit_transform(X)
    assert out[:2, 0].tolist() == [0.0, 0.0]
    assert np.isnan(out[7, 0])  # the NaN of row 5 stays NaN in row 7's lag


def test_window_values_and_known_columns():
    X = _frame(30, 2)
    win = SlidingWindow(lookback=4, columns="internet", known_columns="sms_in")
    out = win.fit_transform(X)
    assert out.shape == (30, 4, 2)
    v, k = X["internet"].to_numpy(), X["sms_in"].to_numpy()
    for t in (4, 17, 29):
        np.testing.assert_array_equal(out[t, :, 0], v[t - 4 : t])
        np.testing.assert_array_equal(out[t, :, 1], k[t - 3 : t + 1])
    assert not out.flags.writeable  # a view, not a copy per window
    names = win.get_feature_names_out()
    assert names[:2].tolist() == ["internet_lag_4", "sms_in_lag_3"]
    assert names[-2:].tolist() == ["internet_lag_1", "sms_in_lag_0"]


def test_flattened_window_is_a_frame_with_the_input_index():
    X = _frame(12)
    win = SlidingWindow(lookback="3h", flatten=True).set_output(transform="pandas")
    out = win.fit_transform(X)
    assert out.index.equals(X.index)
    assert out.columns.tolist() == [
        "internet_lag_3",
        "internet_lag_2",
        "internet_lag_1",
    ]
    assert out.iloc[5].tolist() == X["internet"].iloc[2:5].tolist()


def test_three_d_output_ignores_pandas_output():
    X = _frame(12)
    out = SlidingWindow(lookback=3).set_output(transform="pandas").fit_transform(X)
    assert isinstance(out, np.ndarray) and out.shape == (12, 3, 1)


def test_float32_is_preserved():
    X = _frame(20).astype(np.float32)
    assert LagFeatures(lags=2).fit_transform(X).dtype == np.float32
    assert SlidingWindow(lookback=2).fit_transform(X.to_numpy()).dtype == np.float32


# ---------------------------------------------------------- history carry
@pytest.mark.parametrize(
    ("make", "index"),
    [
        (lambda: LagFeatures(lags=["1D", "7D"]), "time"),
        (lambda: LagFeatures(lags=[1, 24]), "integer"),
        (lambda: SlidingWindow(lookback=36, known_columns="sms_in"), "time"),
        (lambda: SlidingWindow(lookback=36, known_columns="sms_in"), "integer"),
        (lambda: SlidingWindow(lookback="1D", flatten=True), "time"),
    ],
)
def test_fit_on_80_percent_transform_the_rest_equals_the_whole(make, index):
    X = _frame(24 * 30, 2)
    if index == "integer":  # e.g. sklearn's CV on a frame with a RangeIndex
        X = X.reset_index(drop=True)
    cut = int(len(X) * 0.8)
    whole = make().fit_transform(X)[cut:]
    part = make().fit(X.iloc[:cut]).transform(X.iloc[cut:])
    np.testing.assert_array_equal(part, whole)
    assert not np.isnan(part).any()


def test_rows_inside_the_tail_use_the_history_before_them():
    X = _frame(200)
    lags = LagFeatures(lags=[1, 24]).fit(X.iloc[:150])  # keeps rows 102-149
    whole = LagFeatures(lags=[1, 24]).fit_transform(X)
    out = lags.transform(X.iloc[120:])  # starts inside the kept tail
    np.testing.assert_array_equal(out[:, 0], whole[120:, 0])
    np.testing.assert_array_equal(out[6:, 1], whole[126:, 1])
    assert np.isnan(out[:6, 1]).all()  # rows 96-101 were not kept: no value
    np.testing.assert_array_equal(lags.transform(X.iloc[126:]), whole[126:])


@pytest.mark.parametrize(
    "other",
    [
        lambda X: X.iloc[170:],  # a gap after the fitted rows
        lambda X: X.iloc[:100],  # the fitted rows themselves
        lambda X: X.iloc[150:].set_axis(X.index[150:] + pd.Timedelta("30min")),
        lambda X: X.iloc[150:].reset_index(drop=True),  # no time index
        lambda X: X.iloc[150:].to_numpy(),  # an array
        lambda X: X.iloc[150:].tz_convert("UTC").tz_localize(None),  # naive clock
    ],
    ids=["gap", "same-rows", "off-grid", "other-index", "array", "other-tz"],
)
def test_data_that_does_not_continue_the_fit_gets_no_history(other):
    X = _frame(200)
    for est in (LagFeatures(lags=3), SlidingWindow(lookback=3)):
        est.fit(X.iloc[:150])
        with warnings.catch_warnings():  # sklearn: an array after a frame
            warnings.filterwarnings("ignore", "X does not have valid feature names")
            out = est.transform(other(X))
        first = out[0] if out.ndim == 2 else out[0, :, 0]
        assert np.isnan(first).all(), type(est).__name__


def test_transform_after_fit_equals_fit_transform():
    X = _frame(60, 2)
    for est in (LagFeatures(lags=[2, 5]), SlidingWindow(lookback=4)):
        np.testing.assert_array_equal(est.fit(X).transform(X), est.fit_transform(X))


def test_inputs_are_not_modified():
    X = _frame(40, 2)
    before = X.copy()
    arr = X.to_numpy().copy()
    for est in (LagFeatures(lags=[1, 3]), SlidingWindow(lookback=5, flatten=True)):
        est.fit(X).transform(X)
        est.fit(arr).transform(arr)
    pd.testing.assert_frame_equal(X, before)
    np.testing.assert_array_equal(arr, before.to_numpy())


# -------------------------------------------------------------- look-ahead
@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(8, 80),
    lags=st.lists(st.integers(1, 12), min_size=1, max_size=4, unique=True),
    lookback=st.integers(1, 12),
    cut=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**16),
)
def test_no_output_for_row_t_depends_on_row_t_or_later(n, lags, lookback, cut, seed):
    X = _frame(n, 2, seed=seed)
    t = int(cut * (n - 1))
    changed = X.copy()
    changed.iloc[t:, 0] = np.random.default_rng(seed + 1).random(n - t) + 1e3
    estimators = [
        LagFeatures(lags=lags, columns="internet"),
        SlidingWindow(lookback=lookback, columns="internet", known_columns="sms_in"),
    ]
    for est in estimators:
        if max(getattr(est, "lags", [lookback])) >= n:
            continue
        a, b = est.fit_transform(X), est.fit_transform(changed)
        # rows up to and including t are identical: the change starts at row t
        np.testing.assert_array_equal(a[: t + 1], b[: t + 1])
        # and with history carried over a train/test cut at t
        if t > max(getattr(est, "lags", [lookback])):
            est.fit(X.iloc[:t])
            c = est.transform(X.iloc[t:])
            d = est.fit(changed.iloc[:t]).transform(changed.iloc[t:])
            np.testing.assert_array_equal(c[:1], d[:1])


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(6, 60),
    lookback=st.integers(1, 10),
    horizon=st.integers(1, 5),
    seed=st.integers(0, 2**16),
)
def test_make_windows_inputs_end_before_their_targets(n, lookback, horizon, seed):
    if lookback + horizon > n:
        return
    series = np.random.default_rng(seed).random(n)
    X, y = make_windows(series, lookback, horizon)
    assert len(X) == len(y) == n - lookback - horizon + 1
    for i in range(len(X)):
        np.testing.assert_array_equal(X[i, :, 0], series[i : i + lookback])
        np.testing.assert_array_equal(
            y[i], series[i + lookback : i + lookback + horizon]
        )


# ------------------------------------------------------------ make_windows
def test_make_windows_multivariate_target_and_index():
    X = _frame(48, 3)
    W, y, idx = make_windows(
        X, lookback=6, horizon=2, target="sms_in", return_index=True
    )
    assert W.shape == (41, 6, 3) and y.shape == (41, 2)
    assert idx[0] == X.index[6]
    np.testing.assert_array_equal(y[0], X["sms_in"].iloc[6:8])
    assert not W.flags.writeable


def test_temporal_split_keeps_order_and_gap():
    X, y = np.arange(100).reshape(-1, 1), np.arange(100)
    X_tr, X_te, y_tr, y_te = time_train_test_split(X, y, test_size=20, gap=5)
    assert len(X_tr) == 75 and y_te[0] == 80 and y_tr[-1] == 74


# --------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("est", "X", "match"),
    [
        (
            LagFeatures(lags=0),
            _frame(10),
            "'lags' parameter of LagFeatures must be",
        ),
        (LagFeatures(lags=[]), _frame(10), "'lags' parameter of LagFeatures is empty"),
        (LagFeatures(lags=12), _frame(10), "longer than the data.*n_samples=10"),
        (LagFeatures(lags="90min"), _frame(10), "whole multiple of the data's step"),
        (
            LagFeatures(lags="1D"),
            _frame(30).reset_index(drop=True),
            "needs X with a regular DatetimeIndex",
        ),
        (LagFeatures(columns="voice"), _frame(10), "names column 'voice'.*internet"),
        (LagFeatures(columns=5), _frame(10), "column position 5, but X has 1"),
        (LagFeatures(columns="internet"), np.ones((5, 1)), "no column names"),
        (SlidingWindow(lookback=10), _frame(10), "lookback.*needs at least 11 rows"),
        (SlidingWindow(lookback=0), _frame(10), "'lookback' parameter.*>= 1"),
        (
            SlidingWindow(columns="internet", known_columns="internet"),
            _frame(30),
            "both in 'columns' and 'known_columns'",
        ),
        (LagFeatures(), _frame(10).iloc[::-1], "not strictly increasing"),
        (LagFeatures(), _frame(10).drop(index=_frame(10).index[4]), "jumps by"),
        (LagFeatures(), _frame(10).replace(0, 0).assign(internet=np.inf), "inf"),
        (LagFeatures(), _frame(10).assign(internet="x"), "not .*dtypes"),
    ],
)
def test_bad_input_is_a_clear_error(est, X, match):
    before = X.copy()
    with pytest.raises((ValueError, TypeError), match=match):
        est.fit(X)
    if isinstance(X, pd.DataFrame):
        pd.testing.assert_frame_equal(X, before)


def test_make_windows_bad_input():
    with pytest.raises(ValueError, match="too short for one window"):
        make_windows(np.ones(5), lookback=5)
    with pytest.raises(
        ValueError, match="'target' parameter of make_windows is required"
    ):
        make_windows(np.ones((10, 2)), lookback=2)
    with pytest.raises(ValueError, match="NaN.*first at 3"):
        make_windows(np.r_[1.0, 2, 3, np.nan, 5, 6], lookback=2)
    with pytest.raises(ValueError, match="'lookback' parameter of make_windows"):
        make_windows(np.ones(10), lookback=0)
    with pytest.raises(ValueError, match="not strictly increasing"):
        make_windows(_frame(10).iloc[::-1], lookback=2)
    with pytest.raises(ValueError, match="leave no training rows"):
        time_train_test_split(np.ones(10), test_size=8, gap=2)


# ------------------------------------------------------ review regressions
def test_duration_lookback_refuses_another_frequency():
    X = _frame(100)
    half_hourly = _frame(10, freq="30min", start="2013-12-01")
    for est in (SlidingWindow(lookback="3h"), LagFeatures(lags="3h")):
        with pytest.raises(ValueError, match="step of 30min.*fitted on"):
            est.fit(X).transform(half_hourly)


def test_a_gap_after_the_fit_keeps_the_older_history():
    X = _frame(400)
    whole_lags = LagFeatures(lags=[1, 24]).fit_transform(X)
    out = LagFeatures(lags=[1, 24]).fit(X.iloc[:300]).transform(X.iloc[302:])
    assert np.isnan(out[0, 0])  # row 301 is in the gap: unknown
    in_gap = np.isin(np.arange(302, 400) - 24, [300, 301])  # lags into the gap
    assert np.isnan(out[in_gap, 1]).all()
    np.testing.assert_array_equal(out[~in_gap, 1], whole_lags[302:][~in_gap, 1])
    whole_win = SlidingWindow(24).fit_transform(X)
    win = SlidingWindow(24).fit(X.iloc[:300]).transform(X.iloc[302:])
    np.testing.assert_array_equal(win[0, :22], whole_win[302, :22])
    assert np.isnan(win[0, 22:]).all()


def test_time_series_split_with_a_gap_scores_every_fold():
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import TimeSeriesSplit, cross_val_score
    from sklearn.pipeline import make_pipeline

    X = _frame(300)
    pipe = make_pipeline(LagFeatures(lags=[1, 24], fill_value=0.0), Ridge())
    scores = cross_val_score(
        pipe,
        X,
        X["internet"],
        cv=TimeSeriesSplit(5, gap=2, test_size=20),
        error_score="raise",
    )
    assert np.isfinite(scores).all()


def test_any_two_time_zones_of_the_same_instants_continue():
    import zoneinfo

    X = _frame(100)
    a = X.iloc[:80].tz_convert("UTC")
    b = X.iloc[80:].tz_convert(zoneinfo.ZoneInfo("UTC"))
    out = LagFeatures(lags=3).fit(a).transform(b)
    np.testing.assert_array_equal(out[:3, 0], X["internet"].iloc[77:80])


def test_integer_column_labels_are_not_guessed():
    X = _frame(20, 2).set_axis([5161, 4159], axis=1)
    with pytest.raises(ValueError, match="column labels are not strings"):
        LagFeatures(columns=[5161]).fit(X)
    named = LagFeatures(columns=["5161"]).fit(X.rename(columns=str))
    assert named.get_feature_names_out().tolist() == ["5161_lag_1"]
    W, y = make_windows(X, lookback=3, target=4159)  # a label, not a position
    np.testing.assert_array_equal(y[:, 0], X[4159].iloc[3:])


@pytest.mark.parametrize(
    ("lags", "match"),
    [
        ([24.0], "as an int"),
        ("24", "as an int"),
        ([1, 1], "same lag twice"),
        (["1h", 1], "same lag twice"),
    ],
)
def test_lag_values_that_mean_nothing_or_repeat(lags, match):
    with pytest.raises(ValueError, match=match):
        LagFeatures(lags=lags).fit(_frame(30))


def test_timedelta_lags_get_short_names():
    lags = LagFeatures(lags=[pd.Timedelta("1h"), pd.Timedelta("1D")]).fit(_frame(30))
    assert lags.get_feature_names_out().tolist() == [
        "internet_lag_1h",
        "internet_lag_1D",
    ]
