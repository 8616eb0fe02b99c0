"""PanelTimeSeriesSplit: TimeSeriesSplit's folds, counted in instants of a panel."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score

from lstmforecast.model_selection import PanelTimeSeriesSplit

START = pd.Timestamp("2013-11-01", tz="Europe/Rome")
HOUR = pd.Timedelta("1h")


def _panel(order="series"):
    """Three cells with different start and end hours; rows in the given order."""
    spans = {4159: (0, 40), 4556: (5, 45), 5161: (10, 30)}
    rows = [
        (cell, START + k * HOUR) for cell, (a, b) in spans.items() for k in range(a, b)
    ]
    index = pd.MultiIndex.from_tuples(rows, names=["cell", "time"])
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {"x1": rng.normal(size=len(index)), "x2": rng.normal(size=len(index))},
        index=index,
    )
    if order == "time":
        X = X.swaplevel().sort_index().swaplevel()  # time-major, cell second
    elif order == "random":
        X = X.iloc[rng.permutation(len(X))]
    return X


def _labels(X, positions):
    return set(X.index[positions])


def _folds(cv, X):
    return [(train, test) for train, test in cv.split(X)]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"n_splits": 3},
        {"n_splits": 4, "test_size": 5},
        {"n_splits": 3, "test_size": 4, "gap": 3},
        {"n_splits": 5, "gap": 2, "max_train_size": 7},
        {"n_splits": 2, "max_train_size": 100},
    ],
)
@pytest.mark.parametrize("kind", ["datetime", "integer"])
def test_equals_time_series_split_on_one_regular_series(params, kind):
    n = 50
    index = (
        pd.date_range("2013-11-01", periods=n, freq="h")
        if kind == "datetime"
        else pd.Index(np.arange(100, 100 + n))
    )
    X = pd.DataFrame({"x": np.arange(n, dtype=float)}, index=index)
    ours = _folds(PanelTimeSeriesSplit(**params), X)
    theirs = list(TimeSeriesSplit(**params).split(X))
    assert len(ours) == len(theirs) == params.get("n_splits", 5)
    for (train, test), (train_ref, test_ref) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(train, train_ref)
        np.testing.assert_array_equal(test, test_ref)


@pytest.mark.parametrize("order", ["series", "time", "random"])
def test_every_training_instant_precedes_every_test_instant_by_the_gap(order):
    X = _panel(order)
    gap = 3
    cv = PanelTimeSeriesSplit(n_splits=4, test_size=5, gap=gap)
    times = X.index.get_level_values("time")
    folds = _folds(cv, X)
    assert len(folds) == cv.get_n_splits(X) == 4
    for train, test in folds:
        assert len(np.intersect1d(train, test)) == 0
        assert (np.diff(train) > 0).all() and (np.diff(test) > 0).all()
        # the union of instants is hourly, so the gap is gap hours
        assert times[train].max() < times[test].min() - gap * HOUR
        assert times[test].nunique() == 5
        # every series is cut at the same instants: all rows at the test hours
        assert np.isin(times, times[test].unique()).sum() == len(test)
        assert np.isin(times, times[train].unique()).sum() == len(train)
    # the last fold tests the last 5 hours of the panel (only cell 4556 has them)
    _, last_test = folds[-1]
    assert set(X.index[last_test].get_level_values("cell")) == {4556}


def test_the_same_folds_whatever_the_row_order():
    by_series, by_time, shuffled = _panel("series"), _panel("time"), _panel("random")
    assert not by_series.index.equals(by_time.index)
    cv = PanelTimeSeriesSplit(n_splits=3, gap=2)
    reference = [
        (_labels(by_series, tr), _labels(by_series, te))
        for tr, te in cv.split(by_series)
    ]
    for X in (by_time, shuffled):
        folds = [(_labels(X, tr), _labels(X, te)) for tr, te in cv.split(X)]
        assert folds == reference
    # and the cut is at instants: cell 5161 (hours 10..29) tests its own hours only
    train, test = reference[0]
    assert {label for label in test if label[0] == 5161} == {
        (5161, START + k * HOUR) for k in range(12, 23)
    }


def test_sliding_window_keeps_the_latest_instants_before_the_gap():
    X = _panel("time")
    times = X.index.get_level_values("time")
    instants = np.sort(times.unique())
    cv = PanelTimeSeriesSplit(n_splits=3, test_size=4, gap=1, max_train_size=10)
    for train, test in cv.split(X):
        train_hours = np.sort(times[train].unique())
        first_test = np.flatnonzero(instants == times[test].min())[0]
        np.testing.assert_array_equal(
            train_hours, instants[first_test - 1 - 10 : first_test - 1]
        )
        # every row at those instants is in the fold, from every series
        assert len(train) == int(np.isin(times, train_hours).sum())
    expanding = PanelTimeSeriesSplit(n_splits=3, test_size=4, gap=1)
    first_train, _ = next(expanding.split(X))
    assert times[first_train].min() == instants[0]


def test_grid_search_and_cross_val_score_with_a_ridge_on_a_panel():
    X = _panel("time")
    y = 2.0 * X["x1"] - X["x2"] + 0.1 * np.random.default_rng(1).normal(size=len(X))
    cv = PanelTimeSeriesSplit(n_splits=3, gap=1)
    search = GridSearchCV(Ridge(), {"alpha": [0.01, 1000.0]}, cv=cv).fit(X, y)
    assert search.n_splits_ == 3
    assert search.best_params_ == {"alpha": 0.01}
    scores = cross_val_score(Ridge(alpha=0.01), X, y, cv=cv)
    np.testing.assert_allclose(
        scores, [search.cv_results_[f"split{i}_test_score"][0] for i in range(3)]
    )
    for score, (train, test) in zip(scores, cv.split(X), strict=True):
        model = Ridge(alpha=0.01).fit(X.iloc[train], y.iloc[train])
        assert model.score(X.iloc[test], y.iloc[test]) == pytest.approx(score)


def test_time_index_alone_repeated_once_per_series():
    # a long frame: the index is the time only, the cell is a column
    X = _panel("series").reset_index(level="cell")
    folds = _folds(PanelTimeSeriesSplit(n_splits=3, gap=2), X)
    reference = _folds(PanelTimeSeriesSplit(n_splits=3, gap=2), _panel("series"))
    for (train, test), (train_ref, test_ref) in zip(folds, reference, strict=True):
        np.testing.assert_array_equal(train, train_ref)
        np.testing.assert_array_equal(test, test_ref)


def test_object_and_pyarrow_timestamps_are_read_as_datetimes():
    X = _panel("series")
    reference = _folds(PanelTimeSeriesSplit(n_splits=3), X)
    times = X.index.get_level_values("time")
    variants = [pd.Index(list(times), dtype=object)]
    pa = pytest.importorskip("pyarrow")
    variants.append(
        pd.Index(pd.array(times, dtype=pd.ArrowDtype(pa.timestamp("ns", tz="UTC"))))
    )
    for time in variants:
        other = X.set_axis(
            pd.MultiIndex.from_arrays([X.index.get_level_values("cell"), time])
        )
        for (train, test), (tr, te) in zip(
            _folds(PanelTimeSeriesSplit(n_splits=3), other), reference, strict=True
        ):
            np.testing.assert_array_equal(train, tr)
            np.testing.assert_array_equal(test, te)


def _one_line(excinfo):
    assert "\n" not in str(excinfo.value)


def test_numpy_input_is_refused_with_the_fix():
    with pytest.raises(
        TypeError, match="got ndarray.*sklearn.model_selection.Time"
    ) as e:
        next(PanelTimeSeriesSplit().split(np.zeros((20, 2))))
    _one_line(e)


@pytest.mark.parametrize(
    ("index", "match"),
    [
        (pd.Index([f"2013-11-01 {h:02d}:00" for h in range(20)]), "pd.to_datetime"),
        (pd.Index(np.arange(20) + 0.5), "integer step numbers"),
        (pd.period_range("2013-11-01", periods=20, freq="h"), "to_timestamp"),
    ],
)
def test_time_that_is_not_datetime_or_integer_is_refused(index, match):
    X = pd.DataFrame({"x": np.zeros(20)}, index=index)
    with pytest.raises(
        TypeError, match=f"datetimes or integers; got dtype.*{match}"
    ) as e:
        next(PanelTimeSeriesSplit(n_splits=3).split(X))
    _one_line(e)
    panel = X.set_index(pd.MultiIndex.from_arrays([np.zeros(20, int), index]))
    with pytest.raises(TypeError, match="needs the last level of X.index to hold"):
        next(PanelTimeSeriesSplit(n_splits=3).split(panel))
    panel.index.names = ["cell", "time"]
    with pytest.raises(TypeError, match="needs the time level 'time' of X to hold"):
        next(PanelTimeSeriesSplit(n_splits=3).split(panel))


def test_time_in_another_level_than_the_last_is_refused():
    X = _panel("series").swaplevel()  # (time, cell): the cells would be taken as time
    with pytest.raises(ValueError, match="level 0 \\('time'\\) holds times. Put the"):
        next(PanelTimeSeriesSplit(n_splits=3).split(X))


def test_missing_times_are_refused():
    index = pd.DatetimeIndex(["2013-11-01 00:00", None, "2013-11-01 02:00"])
    X = pd.DataFrame({"x": np.zeros(3)}, index=index)
    with pytest.raises(ValueError, match="missing \\(NaT\\) at row 1"):
        next(PanelTimeSeriesSplit(n_splits=2).split(X))


def test_too_few_instants_for_the_splits_is_refused():
    X = _panel("series")  # 45 distinct hours in 100 rows
    with pytest.raises(ValueError, match="X has 45 \\(in 100 rows\\)") as e:
        next(PanelTimeSeriesSplit(n_splits=5, test_size=8, gap=6).split(X))
    _one_line(e)
    assert "more than 46 distinct time instants" in str(e.value)
    with pytest.raises(ValueError, match="distinct time instants"):
        next(PanelTimeSeriesSplit(n_splits=5).split(X.iloc[:4]))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (
            {"n_splits": 1},
            "'n_splits' parameter of PanelTimeSeriesSplit must be an int",
        ),
        ({"test_size": 0}, "'test_size' parameter"),
        ({"gap": -1}, "'gap' parameter"),
        ({"max_train_size": 2.5}, "'max_train_size' parameter"),
    ],
)
def test_bad_parameters_are_refused_when_used(params, match):
    cv = PanelTimeSeriesSplit(**params)  # __init__ only stores them
    with pytest.raises(ValueError, match=match):
        next(cv.split(_panel()))
    with pytest.raises(ValueError, match=match):
        cv.get_n_splits()


def test_groups_are_ignored_with_a_warning_and_repr():
    X = _panel()
    with pytest.warns(UserWarning, match="groups parameter is ignored"):
        next(PanelTimeSeriesSplit(n_splits=3).split(X, groups=np.zeros(len(X))))
    assert repr(PanelTimeSeriesSplit(3, gap=2)) == (
        "PanelTimeSeriesSplit(gap=2, max_train_size=None, n_splits=3, test_size=None)"
    )
