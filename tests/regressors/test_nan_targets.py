"""Targets with NaN: rows without their whole future are skipped, leaving no trace."""

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from lstmforecast.preprocessing import SlidingWindow, make_horizon_targets
from lstmforecast.regressors import LSTMRegressor, MLPRegressor

LOOKBACK, H = 6, 3
TINY = {"max_epochs": 3, "batch_size": 16, "random_state": 0}


def _values(n=160, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 10 + 5 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.3, n)


@pytest.fixture(scope="module")
def data(windows_and_targets):
    return windows_and_targets(_values(), LOOKBACK, H)


def _makers():
    return [
        pytest.param(
            lambda: LSTMRegressor(4, center="last", scale="std", **TINY), id="lstm"
        ),
        pytest.param(lambda: MLPRegressor((4,), **TINY), id="mlp"),
        pytest.param(
            lambda: MLPRegressor((4,), center="mean", scale="std", **TINY),
            id="mlp-scaled",
        ),
    ]


@pytest.mark.parametrize("make", _makers())
def test_nan_in_the_last_target_rows_gives_the_fit_on_the_complete_rows(data, make):
    X, Y = data
    X_before, Y_before = X.copy(), Y.copy()
    model = make().fit(X, Y)
    np.testing.assert_array_equal(X, X_before)  # inputs are not modified
    np.testing.assert_array_equal(Y, Y_before)
    assert model.n_skipped_ == LOOKBACK + H - 1  # first windows, last targets
    assert model.n_skipped_target_ == H - 1
    assert model.n_outputs_ == H
    keep = ~np.isnan(X).any(axis=1) & ~np.isnan(Y).any(axis=1)
    complete = make().fit(X[keep], Y[keep])
    assert complete.n_skipped_ == 0
    if hasattr(complete, "scale_floor_"):
        assert model.scale_floor_ == complete.scale_floor_
    rows = ~np.isnan(X).any(axis=1)  # every complete window, last rows included
    pred = model.predict(X[rows])
    np.testing.assert_array_equal(pred, complete.predict(X[rows]))
    assert pred.shape == (rows.sum(), H) and np.isfinite(pred).all()
    np.testing.assert_allclose(
        model.history_["train_loss"], complete.history_["train_loss"], rtol=1e-6
    )


@pytest.mark.parametrize("make", _makers())
def test_one_d_target_with_nan_rows_is_skipped(data, make):
    X, Y = data
    y = Y[:, 0].copy()
    y[[40, 41, 90]] = np.nan  # holes in the middle too
    model = make().fit(X, y)
    assert model.n_skipped_ == LOOKBACK + 3
    assert model.n_skipped_target_ == 3
    keep = ~np.isnan(X).any(axis=1) & ~np.isnan(y)
    complete = make().fit(X[keep], y[keep])
    rows = ~np.isnan(X).any(axis=1)
    pred = model.predict(X[rows])
    assert pred.shape == (rows.sum(),)
    np.testing.assert_array_equal(pred, complete.predict(X[rows]))


def test_pandas_target_with_nan_in_a_pipeline_needs_no_dropped_rows(
    windows_and_targets,
):
    index = pd.date_range("2013-11-01", periods=120, freq="h")
    values = _values(120)
    frame = pd.DataFrame({"internet": values}, index=index)
    targets = make_horizon_targets(frame["internet"], H)
    _, Y = windows_and_targets(values, 3, H)
    np.testing.assert_array_equal(targets.to_numpy(), Y)  # the helper's semantics
    pipe = Pipeline([("window", SlidingWindow(3)), ("model", LSTMRegressor(4, **TINY))])
    pipe.fit(frame, targets)
    assert pipe["model"].n_skipped_ == 3 + H - 1
    assert pipe["model"].n_skipped_target_ == H - 1
    with pytest.warns(UserWarning, match="3 of 120 rows of X have NaN"):
        pred = pipe.predict(frame)
    assert pred.shape == (120, H)
    assert np.isfinite(pred[3:]).all()  # the last rows are forecast too


@pytest.mark.parametrize(
    ("make", "gap", "one_step_gap"),
    [
        (lambda: LSTMRegressor(4, **TINY), LOOKBACK + H - 1, LOOKBACK),
        (lambda: MLPRegressor((4,), **TINY), H - 1, 0),
        (lambda: LSTMRegressor(4, validation_gap=2, **TINY), 2, 2),
    ],
)
def test_early_stopping_gap_covers_the_horizon(data, make, gap, one_step_gap):
    X, Y = data
    model = make().set_params(early_stopping=True).fit(X, Y)
    assert model.net_.train_split.gap == gap  # lookback + H - 1 by default
    one_step = make().set_params(early_stopping=True).fit(X, Y[:, 0])
    assert one_step.net_.train_split.gap == one_step_gap


def test_verbose_reports_both_kinds_of_skipped_rows(data, capsys):
    X, Y = data
    MLPRegressor((4,), verbose=0, **TINY).fit(X, Y)
    assert capsys.readouterr().out == ""
    model = MLPRegressor((4,), **TINY).set_params(verbose=1).fit(X, Y)
    out = capsys.readouterr().out
    line = f"skipped {model.n_skipped_} of {len(X)} rows with NaN ({LOOKBACK} in X"
    assert line in out and f"{H - 1} in y only" in out


# --------------------------------------------------------------- bad input
def test_infinite_target_is_refused(data):
    X, Y = data
    Y = Y.copy()
    Y[50, 1] = np.inf
    with pytest.raises(
        ValueError,
        match=r"'y' parameter of LSTMRegressor must be finite or NaN .*row 50\)\. "
        "Replace it with NaN",
    ):
        LSTMRegressor(4, **TINY).fit(X, Y)


def test_all_nan_target_is_refused(data):
    X, _ = data
    with pytest.raises(
        ValueError, match="Every row of y with a complete X row has NaN"
    ):
        MLPRegressor((4,), **TINY).fit(X, np.full(len(X), np.nan))
    with pytest.raises(ValueError, match="Every row of X has NaN"):
        MLPRegressor((4,), **TINY).fit(np.full_like(X, np.nan), np.ones(len(X)))


@pytest.mark.parametrize(
    ("shift", "match"),
    [
        (1, r"row 0 is 1 in y but 0 in X|row 0 is 0 in X but 1 in y"),
        (None, "159 rows of y for 160 of X"),
    ],
)
def test_pandas_x_and_y_with_other_indexes_are_refused(data, shift, match):
    X, Y = data
    frame = pd.DataFrame(X)
    if shift is None:
        y = pd.Series(Y[1:, 0])
    else:
        y = pd.Series(Y[:, 0], index=frame.index + shift)
    with pytest.raises(ValueError, match=match) as error:
        MLPRegressor((4,), **TINY).fit(frame, y)
    assert "y.reindex(X.index)" in str(error.value)
    assert "\n" not in str(error.value)
    # the same rows, in order, are fine
    MLPRegressor((4,), **TINY).fit(frame, pd.Series(Y[:, 0], index=frame.index))


def test_missing_y_and_three_d_y_keep_sklearns_errors(data):
    X, Y = data
    with pytest.raises(ValueError, match="requires y to be passed"):
        MLPRegressor((4,), **TINY).fit(X, None)
    with pytest.raises(ValueError, match="Found array with dim 3"):
        MLPRegressor((4,), **TINY).fit(X, Y[:, :, None])
    with pytest.raises(ValueError, match=r"0 feature\(s\) \(shape=\(160, 0\)\)"):
        MLPRegressor((4,), **TINY).fit(X, Y[:, :0])
