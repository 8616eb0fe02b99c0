"""RangeScaler: scaling on known physical ranges, for several KPIs at once."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from lstmforecast.preprocessing import (
    RangeScaler,
    SlidingWindow,
    make_horizon_targets,
)
from lstmforecast.regressors import LSTMRegressor

RANGES = {"cqi": (0, 15), "prb": (0, 100)}
FRAME = pd.DataFrame({"cqi": [0.0, 3, 15], "prb": [10.0, 25, 100]})


def _panel(n_cells=2, n_hours=24 * 6, seed=0):
    """Hourly CQI in [0, 15] and PRB usage in [0, 100] of a few cells: daily cycles."""
    rng = np.random.default_rng(seed)
    hours = np.arange(n_hours)
    times = pd.date_range("2024-01-01", periods=n_hours, freq="h")
    frames = []
    for cell in range(n_cells):
        day = np.sin(2 * np.pi * (hours + 3 * cell) / 24)
        cqi = np.clip(7.5 + 5 * day + rng.normal(0, 0.5, n_hours), 0, 15)
        prb = np.clip(50 + 35 * day + rng.normal(0, 3, n_hours), 0, 100)
        index = pd.MultiIndex.from_product([[cell], times], names=["cell", "time"])
        frames.append(pd.DataFrame({"cqi": cqi, "prb": prb}, index=index))
    return pd.concat(frames)


# ---------------------------------------------------------------- the map
def test_transform_and_inverse_by_hand():
    scaler = RangeScaler(RANGES).fit(FRAME)
    expected = [[0.0, 0.1], [0.2, 0.25], [1.0, 1.0]]
    np.testing.assert_allclose(scaler.transform(FRAME), expected)
    np.testing.assert_allclose(scaler.inverse_transform(expected), FRAME)
    np.testing.assert_allclose(scaler.range_min_, [0, 0])
    np.testing.assert_allclose(scaler.range_max_, [15, 100])
    np.testing.assert_allclose(scaler.scale_, [1 / 15, 1 / 100])
    assert list(scaler.get_feature_names_out()) == ["cqi", "prb"]


def test_other_feature_range_by_hand():
    scaler = RangeScaler(RANGES, feature_range=(-1, 1)).fit(FRAME)
    expected = [[-1.0, -0.8], [-0.6, -0.5], [1.0, 1.0]]
    np.testing.assert_allclose(scaler.transform(FRAME), expected)
    np.testing.assert_allclose(scaler.inverse_transform(expected), FRAME)
    np.testing.assert_allclose(scaler.min_, [-1, -1])


def test_nothing_is_learnt_from_the_data():
    """Fitted on one slice or another, the scaling is the same."""
    a = RangeScaler(RANGES).fit(FRAME.iloc[:1])
    b = RangeScaler(RANGES).fit(FRAME.iloc[1:])
    np.testing.assert_array_equal(a.transform(FRAME), b.transform(FRAME))


def test_list_and_single_pair_for_arrays():
    X = FRAME.to_numpy()
    by_list = RangeScaler([(0, 15), (0, 100)]).fit_transform(X)
    np.testing.assert_allclose(by_list, RangeScaler(RANGES).fit_transform(FRAME))
    same = RangeScaler((0, 100)).fit_transform(X)
    np.testing.assert_allclose(same, X / 100)


def test_inverse_is_exact_on_random_values():
    rng = np.random.default_rng(0)
    X = rng.uniform([-5, 2], [5, 900], size=(50, 2))
    scaler = RangeScaler([(-5, 5), (2, 900)], feature_range=(-3, 7)).fit(X)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X)), X)


def test_nan_passes_through():
    X = FRAME.copy()
    X.iloc[1, 0] = np.nan
    out = RangeScaler(RANGES).fit_transform(X)
    assert np.isnan(out[1, 0]) and np.isfinite(np.delete(out.ravel(), 2)).all()


# ----------------------------------------------------------- out of range
def test_out_of_range_is_an_error_naming_column_row_and_value():
    bad = pd.DataFrame({"cqi": [3.0, 17], "prb": [10.0, 20]})
    scaler = RangeScaler(RANGES)
    with pytest.raises(ValueError, match=r"Column 'cqi' of X holds 17\.0 \(row 1\)"):
        scaler.fit(bad)
    scaler.fit(FRAME)
    with pytest.raises(ValueError, match=r"\[0\.0, 15\.0\].*out_of_range='clip'"):
        scaler.transform(bad)
    with pytest.raises(ValueError, match=r"Column 1 of X holds -1\.0 \(row 0\)"):
        RangeScaler([(0, 15), (0, 100)]).fit([[1.0, -1.0]])


def test_clip_and_allow():
    bad = pd.DataFrame({"cqi": [17.0, -1], "prb": [50.0, 150]})
    clipped = RangeScaler(RANGES, out_of_range="clip").fit(bad)
    np.testing.assert_allclose(clipped.transform(bad), [[1.0, 0.5], [0.0, 1.0]])
    # the inverse also stays physical: a forecast of 1.2 is a CQI of 15
    np.testing.assert_allclose(clipped.inverse_transform([[1.2, -0.1]]), [[15, 0]])
    allowed = RangeScaler(RANGES, out_of_range="allow").fit(bad)
    out = allowed.transform(bad)
    np.testing.assert_allclose(out, [[17 / 15, 0.5], [-1 / 15, 1.5]])
    np.testing.assert_allclose(allowed.inverse_transform(out), bad)


# ------------------------------------------------------- which range applies
def test_horizon_columns_take_the_range_of_their_kpi():
    Y = make_horizon_targets(FRAME, 2)
    scaler = RangeScaler(RANGES).fit(Y.dropna())
    np.testing.assert_allclose(scaler.range_max_, [15, 15, 100, 100])
    # an own key wins over the KPI's
    own = RangeScaler({**RANGES, "cqi_h2": (0, 30)}).fit(Y.dropna())
    np.testing.assert_allclose(own.range_max_, [15, 30, 100, 100])
    # arrays: a list with horizon=2 is the same layout
    by_list = RangeScaler([(0, 15), (0, 100)], horizon=2).fit(Y.dropna().to_numpy())
    np.testing.assert_array_equal(by_list.scale_, scaler.scale_)


def test_extra_keys_are_not_used():
    scaler = RangeScaler({**RANGES, "rsrp": (-140, -44)}).fit(FRAME)
    assert scaler.n_features_in_ == 2


@pytest.mark.parametrize(
    ("ranges", "X", "match"),
    [
        ({"cqi": (0, 15)}, FRAME, r"Column 'prb' of X has no range.*Add 'prb'"),
        (
            {"cqi": (0, 15)},
            make_horizon_targets(FRAME, 2).dropna(),
            r"Column 'prb_h1' .*Add 'prb_h1' \(or 'prb'\)",
        ),
        (RANGES, FRAME.to_numpy(), "without column names.*list\\(ranges.values"),
        ([(0, 15)], FRAME.to_numpy(), "gives 1 ranges, but X has 2 columns"),
        ({"cqi": (15, 0), "prb": (0, 1)}, FRAME, "min is not below its max"),
        ({"cqi": (0, np.inf), "prb": (0, 1)}, FRAME, "two finite numbers"),
        ({"cqi": "0-15", "prb": (0, 1)}, FRAME, "column 'cqi' the range '0-15'"),
        ([(0, 15), (0, 1, 2)], FRAME.to_numpy(), "column 1 the range"),
    ],
)
def test_bad_ranges(ranges, X, match):
    with pytest.raises(ValueError, match=match):
        RangeScaler(ranges).fit(X)


def test_bad_parameters():
    with pytest.raises(ValueError, match="'feature_range' parameter.*a < b"):
        RangeScaler(RANGES, feature_range=(1, 0)).fit(FRAME)
    with pytest.raises(InvalidParameterError, match="'out_of_range' parameter"):
        RangeScaler(RANGES, out_of_range="ignore").fit(FRAME)
    with pytest.raises(ValueError, match="X has 3 features, but RangeScaler"):
        RangeScaler((0, 100)).fit(FRAME).inverse_transform(np.zeros((2, 3)))


# ------------------------------------------------------------------ panels
def test_panel_rows_are_scaled_in_place_with_their_index():
    X = _panel(n_hours=30)
    out = RangeScaler(RANGES).set_output(transform="pandas").fit_transform(X)
    assert out.index.equals(X.index) and list(out.columns) == ["cqi", "prb"]
    np.testing.assert_allclose(out["prb"], X["prb"] / 100)
    shuffled = X.sample(frac=1, random_state=0)
    again = RangeScaler(RANGES).fit(X).transform(shuffled)
    np.testing.assert_allclose(again[:, 0], shuffled["cqi"] / 15)


# ----------------------------------------------- many-to-many, end to end
def test_many_to_many_layout_reshapes_to_steps_by_kpi():
    """(n, k * H) in make_horizon_targets' layout -> (n, H, k) by one reshape."""
    Y = make_horizon_targets(_panel(n_hours=20), 3).dropna()
    n, H, k = len(Y), 3, 2
    cube = Y.to_numpy().reshape(n, k, H).transpose(0, 2, 1)
    for h in range(H):
        for j, kpi in enumerate(["cqi", "prb"]):
            np.testing.assert_array_equal(cube[:, h, j], Y[f"{kpi}_h{h + 1}"])


def test_two_kpis_six_steps_through_a_pipeline():
    H = 6
    X = _panel()
    Y = make_horizon_targets(X, H)
    keep = Y.notna().all(axis=1)  # TransformedTargetRegressor takes no NaN y
    X, Y = X[keep], Y[keep]
    pipe = make_pipeline(
        RangeScaler(RANGES).set_output(transform="pandas"),
        SlidingWindow(lookback=24),
        LSTMRegressor(hidden_size=8, max_epochs=5, random_state=0),
    )
    model = TransformedTargetRegressor(
        regressor=pipe,
        transformer=RangeScaler(list(RANGES.values()), horizon=H, out_of_range="clip"),
    )
    model.fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the first 24 h: no window
        pred = model.predict(X)
        inner = model.regressor_.predict(X)
    assert pred.shape == (len(X), 2 * H)
    complete = ~np.isnan(pred).any(axis=1)
    assert complete.sum() == len(X) - 2 * 24
    pred = pred[complete]
    assert np.isfinite(pred).all()
    # out_of_range="clip": the inverse keeps the forecasts physical
    assert pred[:, :H].min() >= 0 and pred[:, :H].max() <= 15
    assert pred[:, H:].min() >= 0 and pred[:, H:].max() <= 100
    # the network saw the scaled targets, in [0, 1]
    assert np.abs(inner[complete]).max() < 5
    # the CQI forecasts are of CQI size, the PRB ones of PRB size
    assert pred[:, H:].mean() > 3 * pred[:, :H].mean()
