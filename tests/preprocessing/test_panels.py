"""Panels: lags and windows within each series, verified order, horizon targets.

Values encode where they come from (``series * 10_000 + step``), so every lag or
window value can be traced back to the (series, time) it was read from.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline

from lstmforecast.datasets import make_milano_traffic
from lstmforecast.model_selection import PanelTimeSeriesSplit
from lstmforecast.preprocessing import (
    CalendarFeatures,
    HourlyAggregator,
    LagFeatures,
    SlidingWindow,
    UnevenPanelWarning,
    make_horizon_targets,
    time_train_test_split,
)

T0 = pd.Timestamp("2013-11-01", tz="Europe/Rome")
CODE = 10_000  # value = series * CODE + step: float32-exact below 2**24


def _panel(spans, order="series"):
    """Panel frame with columns v and k (both the code); spans: {s: (start, stop)}."""
    rows = [(s, t) for s, (a, b) in spans.items() for t in range(a, b)]
    if order == "time":
        rows.sort(key=lambda r: (r[1], r[0]))
    cells = np.array([r[0] for r in rows])
    steps = np.array([r[1] for r in rows])
    index = pd.MultiIndex.from_arrays(
        [cells, T0 + pd.to_timedelta(steps, "h")], names=["cell", "time"]
    )
    code = (cells * CODE + steps).astype(float)
    return pd.DataFrame({"v": code, "k": code}, index=index)


def _decode(values):
    return np.floor_divide(values, CODE), np.mod(values, CODE)


def _expected(X, shifts, available):
    """Code each row would read ``shift`` steps back, NaN where not available."""
    cells, steps = _decode(X["v"].to_numpy())
    out = np.full((len(X), len(shifts)), np.nan)
    for j, shift in enumerate(shifts):
        want = cells * CODE + steps - shift
        ok = np.isin(want, available)
        out[ok, j] = want[ok]
    return out


spans_strategy = st.dictionaries(
    keys=st.integers(1, 40),
    values=st.tuples(st.integers(0, 12), st.integers(3, 30)).map(
        lambda ab: (ab[0], ab[0] + ab[1])
    ),
    min_size=2,
    max_size=20,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    spans=spans_strategy,
    cut=st.integers(4, 30),
    gap=st.integers(0, 6),
    order=st.sampled_from(["series", "time"]),
    lookback=st.integers(1, 5),
)
def test_every_value_comes_from_its_own_series_before_t(
    spans, cut, gap, order, lookback
):
    X = _panel(spans, order)
    _, steps = _decode(X["v"].to_numpy())
    fit_part = X[steps < cut]
    rest = X[steps >= cut + gap]
    sizes = fit_part.groupby(level="cell").size()
    fit_part = fit_part[
        fit_part.index.get_level_values("cell").isin(sizes[sizes > 1].index)
    ]
    assume(not rest.empty and sizes.max() > max(lookback, 3))
    lags = LagFeatures(lags=[1, 3], columns="v")
    window = SlidingWindow(lookback=lookback, columns="v", known_columns="k")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnevenPanelWarning)
        lag_fit = lags.fit_transform(fit_part)
        win_fit = window.fit_transform(fit_part)
    lag_rest, win_rest = lags.transform(rest), window.transform(rest)
    in_fit = fit_part["v"].to_numpy()
    in_all = np.r_[in_fit, rest["v"].to_numpy()]
    shifts = list(range(lookback, 0, -1))
    known_shifts = [s - 1 for s in shifts]
    for part, lag, win, available in (
        (fit_part, lag_fit, win_fit, in_fit),
        (rest, lag_rest, win_rest, in_all),
    ):
        np.testing.assert_array_equal(lag, _expected(part, [1, 3], available))
        np.testing.assert_array_equal(win[:, :, 0], _expected(part, shifts, available))
        np.testing.assert_array_equal(
            win[:, :, 1], _expected(part, known_shifts, available)
        )


class _Probe(RegressorMixin, BaseEstimator):
    """Check each window: same series as its row, times strictly before t."""

    def _check(self, X):
        own_cell, own_step = _decode(X[:, -1, 1])  # known column, last step: row t
        cells, steps = _decode(X[:, :, 0])
        seen = ~np.isnan(X[:, :, 0])
        assert (
            cells[seen] == np.broadcast_to(own_cell[:, None], cells.shape)[seen]
        ).all()
        lookback = X.shape[1]
        want = own_step[:, None] - np.arange(lookback, 0, -1)[None, :]
        assert (steps[seen] == np.broadcast_to(want, steps.shape)[seen]).all()
        assert (
            steps[seen] < np.broadcast_to(own_step[:, None], steps.shape)[seen]
        ).all()

    def fit(self, X, y):
        self._check(X)
        self.seen_ = int((~np.isnan(X[:, :, 0])).sum())
        return self

    def predict(self, X):
        self._check(X)
        return np.zeros(len(X))


@pytest.mark.parametrize("order", ["series", "time"])
@pytest.mark.parametrize(
    "cv",
    [
        TimeSeriesSplit(n_splits=3, gap=2),
        PanelTimeSeriesSplit(n_splits=3, test_size=10, gap=2),
    ],
    ids=["TimeSeriesSplit", "PanelTimeSeriesSplit"],
)
def test_grid_search_on_a_panel_never_reads_another_series_or_the_future(order, cv):
    spans = {1: (0, 60), 2: (3, 60), 3: (0, 55), 4: (8, 60)}
    X = _panel(spans, order)
    y = X["v"] + 0.5
    pipe = Pipeline(
        [("window", SlidingWindow(columns="v", known_columns="k")), ("probe", _Probe())]
    )
    search = GridSearchCV(
        pipe,
        {"window__lookback": [2, 5]},
        cv=cv,
        scoring="neg_mean_absolute_error",
        error_score="raise",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnevenPanelWarning)
        search.fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_estimator_[-1].seen_ > 0


def test_the_issue_reproduction_now_reads_the_cells_own_history():
    raw = make_milano_traffic(2, 2, random_state=0, types=["internet"])
    h = HourlyAggregator().fit_transform(raw)
    lags = np.asarray(LagFeatures(1).fit_transform(h[["internet"]]))
    first_of_cell_2 = 48
    assert h.index[first_of_cell_2][0] != h.index[first_of_cell_2 - 1][0]
    assert np.isnan(lags[first_of_cell_2, 0])
    assert lags[first_of_cell_2 + 1, 0] == h["internet"].iloc[first_of_cell_2]
    windows = SlidingWindow(3).fit_transform(h[["internet"]])
    assert np.isnan(windows[first_of_cell_2]).all()


def test_panel_output_keeps_the_input_rows_and_index():
    X = _panel({1: (0, 10), 2: (0, 10)}, "time")
    out = (
        LagFeatures(lags=1, columns="v").set_output(transform="pandas").fit_transform(X)
    )
    assert out.index.equals(X.index)
    np.testing.assert_array_equal(out.iloc[2:, 0], X["v"].to_numpy()[:-2])
    flat = SlidingWindow(2, columns="v", flatten=True).set_output(transform="pandas")
    assert flat.fit_transform(X).index.equals(X.index)


def test_a_series_new_in_transform_gets_no_history():
    X = _panel({1: (0, 20), 2: (0, 20), 3: (0, 20)})
    cells = X.index.get_level_values("cell")
    steps = _decode(X["v"].to_numpy())[1]
    fitted = SlidingWindow(3, columns="v").fit(X[(cells != 3) & (steps < 15)])
    out = fitted.transform(X[steps >= 15])
    new = X[steps >= 15].index.get_level_values("cell") == 3
    assert np.isnan(out[new][0]).all()  # its first row: nothing invented
    assert not np.isnan(out[~new][:, :, 0]).any()  # the others continue


def test_tail_is_kept_per_series():
    X = _panel({1: (0, 20), 2: (5, 12)})
    lags = LagFeatures(lags=[1, 2], columns="v").fit(X)
    assert isinstance(lags.tail_, pd.DataFrame)
    assert lags.tail_.groupby(level="cell").size().to_dict() == {1: 4, 2: 4}
    assert list(lags.tail_.index.get_level_values("cell").unique()) == [1, 2]


def test_calendar_features_read_the_time_level_of_a_panel():
    X = _panel({1: (0, 30), 2: (5, 30)}, "time")
    out = CalendarFeatures(features=["hour"]).fit_transform(X)
    np.testing.assert_array_equal(out[:, 0], X.index.get_level_values("time").hour)


def test_uneven_series_ends_warn_and_name_the_splitter():
    X = _panel({1: (0, 20), 2: (0, 12)})
    with pytest.warns(UnevenPanelWarning, match="PanelTimeSeriesSplit"):
        LagFeatures(lags=1).fit(X)


# ------------------------------------------------------------ bad order
def _single(index):
    return pd.DataFrame({"v": np.arange(len(index), dtype=float)}, index=index)


_HOURS = pd.date_range("2013-11-01", periods=6, freq="h", tz="Europe/Rome")
_UNSORTED = _HOURS[[0, 2, 1, 3, 4, 5]]


@pytest.mark.parametrize(
    ("index", "match"),
    [
        (
            pd.Index(_UNSORTED.astype("timestamp[ns, Europe/Rome][pyarrow]")),
            "not strictly increasing",
        ),
        (pd.Index(list(_UNSORTED), dtype=object), "not strictly increasing"),
        (pd.Index(_UNSORTED.strftime("%Y-%m-%d %H:%M")), "never lagged by position"),
        (pd.Index(np.arange(6.0)), "float64 values"),
    ],
    ids=["pyarrow", "object", "strings", "floats"],
)
def test_unverifiable_or_unsorted_time_indexes_are_refused(index, match):
    for est in (LagFeatures(), SlidingWindow(2)):
        with pytest.raises((ValueError, TypeError), match=match):
            est.fit(_single(index))


def test_sorted_pyarrow_and_object_timestamps_are_read_as_times():
    expected = LagFeatures(lags="2h").fit_transform(_single(_HOURS))
    for index in (
        pd.Index(_HOURS.astype("timestamp[ns, Europe/Rome][pyarrow]")),
        pd.Index(list(_HOURS), dtype=object),
    ):
        np.testing.assert_array_equal(
            LagFeatures(lags="2h").fit_transform(_single(index)), expected
        )


def _panel_index(cells, hours):
    return pd.MultiIndex.from_arrays(
        [cells, T0 + pd.to_timedelta(hours, "h")], names=["cell", "time"]
    )


@pytest.mark.parametrize(
    ("index", "match"),
    [
        (
            _panel_index([1, 1, 2, 2, 1], [0, 1, 0, 1, 1]),
            r"pair \(cell=1, time=2013-11-01 01:00:00\+01:00\) twice",
        ),
        (_panel_index([1, 1, 1, 2, 2], [0, 2, 1, 0, 1]), "in time order.*sort_index"),
        (_panel_index([1, 1, 1, 2, 2], [0, 1, 3, 0, 1]), "regular grid"),
        (_panel_index([1, 1, np.nan, 2, 2], [0, 1, 2, 0, 1]), "missing series label"),
        (_panel_index([1, 1, 1, 2, 3], [0, 1, 2, 0, 1]), "series of one row"),
        (
            pd.MultiIndex.from_arrays(
                [T0 + pd.to_timedelta([0, 1, 0], "h"), [1, 1, 2]]
            ),
            "time last",
        ),
        (
            pd.MultiIndex.from_arrays([[1, 1, 2], ["a", "b", "a"]]),
            "never lagged by position",
        ),
    ],
    ids=[
        "duplicate",
        "unsorted",
        "irregular",
        "no-label",
        "one-row",
        "time-first",
        "strings",
    ],
)
def test_panels_the_transformers_cannot_order_are_refused(index, match):
    X = _single(index)
    before = X.copy()
    for est in (LagFeatures(), SlidingWindow(1)):
        with pytest.raises((ValueError, TypeError), match=match):
            est.fit(X)
    pd.testing.assert_frame_equal(X, before)


def test_y_with_another_index_than_x_is_refused():
    X = _panel({1: (0, 10), 2: (0, 10)})
    y = X["v"].sort_index(ascending=False)
    with pytest.raises(ValueError, match="another index than X.*reindex"):
        SlidingWindow(2).fit(X, y)
    with pytest.raises(ValueError, match="another index than X"):
        Pipeline([("w", SlidingWindow(2)), ("p", _Probe())]).fit(X, y)


# ------------------------------------------------------------ temporal split
def test_temporal_split_cuts_every_series_at_the_same_instant():
    X = _panel({1: (0, 20), 2: (4, 20), 3: (0, 17)}, "time")
    y = X["v"]
    X_tr, X_te, y_tr, y_te = time_train_test_split(X, y, test_size=5, gap=2)
    t_tr = X_tr.index.get_level_values("time")
    t_te = X_te.index.get_level_values("time")
    assert t_tr.max() == T0 + pd.Timedelta("12h")
    assert t_te.min() == T0 + pd.Timedelta("15h")
    assert set(X_te.index.get_level_values("cell")) == {1, 2, 3}
    assert y_te.index.equals(X_te.index) and y_tr.index.equals(X_tr.index)


def test_temporal_split_refuses_unsorted_and_unverifiable_frames():
    X = _single(_HOURS)
    with pytest.raises(ValueError, match="not strictly increasing"):
        time_train_test_split(X.iloc[[0, 2, 1, 3, 4, 5]], test_size=2)
    with pytest.raises(TypeError, match="never lagged by position"):
        time_train_test_split(X.set_axis(list("abcdef")), test_size=2)
    with pytest.raises(ValueError, match=r"pair .* twice"):
        time_train_test_split(_single(_panel_index([1, 1, 1], [0, 1, 1])), test_size=1)
    with pytest.raises(ValueError, match="another index than X"):
        time_train_test_split(X, X["v"].iloc[::-1], test_size=2)


# ---------------------------------------------------------- horizon targets
def test_horizon_targets_are_the_next_values_of_the_same_series():
    X = _panel({1: (0, 6), 2: (2, 5)}, "time")
    Y = make_horizon_targets(X["v"], 3)
    assert list(Y.columns) == ["v_h1", "v_h2", "v_h3"]
    assert Y.index.equals(X.index)
    cells, steps = _decode(X["v"].to_numpy())
    for h in range(3):
        want = cells * CODE + steps + h
        exists = np.isin(want, X["v"].to_numpy())
        np.testing.assert_array_equal(Y.iloc[:, h], np.where(exists, want, np.nan))


def test_horizon_targets_of_an_array_and_of_several_columns():
    Y = make_horizon_targets(np.arange(5.0), 2)
    np.testing.assert_array_equal(Y, [[0, 1], [1, 2], [2, 3], [3, 4], [4, np.nan]])
    frame = pd.DataFrame({"a": [1.0, 2, 3], "b": [10.0, 20, 30]}, index=_HOURS[:3])
    Y = make_horizon_targets(frame, 2)
    assert list(Y.columns) == ["a_h1", "a_h2", "b_h1", "b_h2"]
    np.testing.assert_array_equal(Y["b_h2"], [20, 30, np.nan])


@pytest.mark.parametrize(
    ("y", "horizon", "match"),
    [
        (np.arange(5.0), 0, r"'horizon' parameter.*range \[1, inf\)"),
        (np.arange(5.0), 6, "longer than the longest series"),
        (pd.Series([1.0, 2]), 1.5, "'horizon' parameter"),
        (_single(_UNSORTED)["v"], 2, "not strictly increasing"),
        (_single(_panel_index([1, 1, 2, 2], [0, 0, 0, 1]))["v"], 2, "twice"),
        (pd.Series(["a", "b"]), 1, "must hold numbers"),
    ],
)
def test_horizon_targets_bad_input(y, horizon, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make_horizon_targets(y, horizon)


def test_the_former_split_name_warns_and_gives_the_same_split():
    import lstmforecast
    from lstmforecast.preprocessing import temporal_train_test_split

    data = np.arange(12.0)
    with pytest.warns(FutureWarning, match="renamed time_train_test_split"):
        old = temporal_train_test_split(data, test_size=3, gap=1)
    new = time_train_test_split(data, test_size=3, gap=1)
    for a, b in zip(old, new, strict=True):
        np.testing.assert_array_equal(a, b)
    assert lstmforecast.temporal_train_test_split is temporal_train_test_split
    assert "temporal_train_test_split" not in lstmforecast.__all__
