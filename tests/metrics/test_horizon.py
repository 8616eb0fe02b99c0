"""horizon_report and seasonal_naive_forecast: by hand, NaN handling, bad input."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import (
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
)

from lstmforecast.metrics import (
    horizon_report,
    provisioning_cost,
    seasonal_naive_forecast,
)

RNG = np.random.default_rng(0)
Y_TRUE = RNG.uniform(1, 5, size=(30, 4))
Y_TRUE[-1:, 1:] = np.nan  # step h + 1: the last h rows' future is not in the data
Y_TRUE[-2:, 2:] = np.nan
Y_TRUE[-3:, 3:] = np.nan
Y_PRED = Y_TRUE + RNG.normal(0, 0.3, size=Y_TRUE.shape)
Y_PRED[:2] = np.nan  # no history for the first rows
Y_NAIVE = Y_TRUE + RNG.normal(0, 1.0, size=Y_TRUE.shape)
Y_NAIVE[5, 0] = np.nan


def _on_kept(truth, pred, naive):
    keep = ~(np.isnan(truth) | np.isnan(pred) | np.isnan(naive))
    return truth[keep], pred[keep], naive[keep], keep


def test_report_by_hand_step_by_step():
    report = horizon_report(Y_TRUE, Y_PRED, y_naive=Y_NAIVE, alpha=1, beta=10, step=1)
    assert list(report.index) == [1, 2, 3, 4] and report.index.name == "horizon"
    assert list(report.columns) == [
        "mse", "rmse", "mae", "r2", "cost", "n", "n_skipped",
        "naive_mse", "naive_rmse", "naive_mae", "naive_r2", "naive_cost",
        "mse_ratio", "cost_ratio",
    ]  # fmt: skip
    for h in range(4):
        truth, pred, naive, keep = _on_kept(Y_TRUE[:, h], Y_PRED[:, h], Y_NAIVE[:, h])
        row = report.loc[h + 1]
        assert row["n"] == keep.sum() and row["n_skipped"] == (~keep).sum()
        assert row["mse"] == pytest.approx(mean_squared_error(truth, pred))
        assert row["rmse"] == pytest.approx(root_mean_squared_error(truth, pred))
        assert row["naive_rmse"] == pytest.approx(root_mean_squared_error(truth, naive))
        assert row["mae"] == pytest.approx(mean_absolute_error(truth, pred))
        assert row["r2"] == pytest.approx(r2_score(truth, pred))
        cost = provisioning_cost(truth, pred, alpha=1, beta=10, step=1)
        assert row["cost"] == pytest.approx(cost)
        naive_cost = provisioning_cost(truth, naive, alpha=1, beta=10, step=1)
        assert row["naive_cost"] == pytest.approx(naive_cost)
        assert row["mse_ratio"] == pytest.approx(
            mean_squared_error(truth, pred) / mean_squared_error(truth, naive)
        )
        assert row["cost_ratio"] == pytest.approx(cost / naive_cost)
    # rows left out: 2 without forecast (+1 without naive at step 1), then the
    # 1, 2, 3 rows at the end whose future is missing
    assert report["n_skipped"].tolist() == [3, 3, 4, 5]
    assert report.attrs["cost_params"]["step"] == 1


def test_nan_is_left_out_never_scored_as_zero():
    truth = np.array([[1.0], [2.0], [np.nan]])
    pred = np.array([[1.5], [2.5], [10.0]])
    report = horizon_report(truth, pred)
    assert report.loc[1, "n"] == 2 and report.loc[1, "n_skipped"] == 1
    assert report.loc[1, "mse"] == pytest.approx(0.25)
    zero_filled = horizon_report(np.nan_to_num(truth), pred)
    assert zero_filled.loc[1, "mse"] != pytest.approx(0.25)


def test_pandas_inputs_one_step_and_inputs_untouched():
    index = pd.date_range("2013-12-01", periods=30, freq="h")
    columns = [f"internet_h{h}" for h in range(1, 5)]
    truth = pd.DataFrame(Y_TRUE, index=index, columns=columns)
    pred = pd.DataFrame(Y_PRED, index=index, columns=columns)
    before = truth.copy()
    from_pandas = horizon_report(truth, pred.to_numpy(), y_naive=Y_NAIVE)
    pd.testing.assert_frame_equal(
        from_pandas, horizon_report(Y_TRUE, Y_PRED, y_naive=Y_NAIVE)
    )
    pd.testing.assert_frame_equal(truth, before)
    one = horizon_report(truth["internet_h1"], pred["internet_h1"])
    assert len(one) == 1 and "mse_ratio" not in one
    assert one.loc[1, "n"] == 28


def test_a_step_with_nothing_to_score_is_nan_and_counted():
    truth = np.array([[1.0, np.nan], [2.0, np.nan], [3.0, 4.0]])
    pred = np.array([[1.0, 2.0], [2.0, 2.0], [3.0, np.nan]])
    report = horizon_report(truth, pred)
    assert report.loc[2, "n"] == 0 and report.loc[2, "n_skipped"] == 3
    assert report.loc[2, ["mse", "rmse", "mae", "r2", "cost"]].isna().all()
    assert report.loc[1, "mse"] == 0.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"y_pred": Y_PRED[:, :3]}, "'y_pred' has shape \\(30, 3\\) but 'y_true'"),
        ({"y_naive": Y_NAIVE[:-1]}, "'y_naive' has shape"),
        ({"y_pred": np.where(Y_PRED > 4, np.inf, Y_PRED)}, "'y_pred' has .* infinite"),
        ({"y_pred": np.full_like(Y_PRED, np.nan)}, "nothing to score"),
        ({"y_true": np.zeros((30, 4, 1))}, "'y_true' must be 1-D .* or 2-D"),
        ({"alpha": -1.0}, "'alpha' parameter of horizon_report"),
        ({"alpha": 0, "beta": 0}, "both 0"),
        ({"policy": "floor"}, "'policy' parameter of horizon_report"),
    ],
)
def test_report_bad_input(kwargs, match):
    args = {"y_true": Y_TRUE, "y_pred": Y_PRED, **kwargs}
    with pytest.raises(ValueError, match=match) as excinfo:
        horizon_report(**args)
    assert "\n" not in str(excinfo.value)


def test_report_refuses_pandas_inputs_on_different_rows():
    truth = pd.DataFrame(Y_TRUE)
    pred = pd.DataFrame(Y_PRED, index=np.arange(1, 31))
    with pytest.raises(ValueError, match="different indexes .*y_pred.reindex"):
        horizon_report(truth, pred)


# ------------------------------------------------------------ seasonal naive
def _panel_series(n_hours=60):
    spans = {4159: 0, 5161: 7}  # 5161 starts 7 hours later
    parts = []
    for k, (cell, start) in enumerate(spans.items()):
        time = pd.date_range(
            "2013-11-01", periods=n_hours, freq="h", tz="Europe/Rome"
        ) + pd.Timedelta(hours=start)
        values = 100.0 * (k + 1) + np.arange(n_hours)
        parts.append(
            pd.Series(
                values, index=pd.MultiIndex.from_product([[cell], time]), name="sms"
            )
        )
    series = pd.concat(parts)
    series.index.names = ["cell", "time"]
    return series


def test_single_series_is_the_shifted_series():
    y = pd.Series(
        np.arange(50.0), index=pd.date_range("2013-11-01", periods=50, freq="h")
    )
    naive = seasonal_naive_forecast(y, 6, season=24)
    assert list(naive.columns) == [f"y_h{h}" for h in range(1, 7)]
    assert naive.index.equals(y.index)
    for h in range(6):
        pd.testing.assert_series_equal(
            naive.iloc[:, h], y.shift(24 - h), check_names=False
        )


def test_panel_never_reads_another_series_and_ignores_row_order():
    y = _panel_series()
    naive = seasonal_naive_forecast(y, 24, season=24)
    assert list(naive.columns) == [f"sms_h{h}" for h in range(1, 25)]
    expected = {h: y.groupby(level="cell").shift(24 - h) for h in range(24)}
    for h in range(24):
        np.testing.assert_array_equal(naive.iloc[:, h].to_numpy(), expected[h])
    # the first season of each series has no value a season ago at step 1
    assert (
        naive.groupby(level="cell")["sms_h1"]
        .apply(lambda s: s.isna().sum())
        .eq(24)
        .all()
    )
    time_major = y.swaplevel().sort_index().swaplevel()
    pd.testing.assert_frame_equal(
        seasonal_naive_forecast(time_major, 24, season=24), naive.loc[time_major.index]
    )
    shuffled = y.iloc[np.random.default_rng(0).permutation(len(y))]
    with pytest.raises(ValueError, match="in time order.*Sort X first"):
        seasonal_naive_forecast(shuffled, 24)


def test_a_missing_hour_is_refused_and_nan_on_the_grid_is_kept():
    full = pd.Series(
        np.arange(60.0), index=pd.date_range("2013-11-01", periods=60, freq="h")
    )
    with pytest.raises(ValueError, match="regular index.*HourlyAggregator"):
        seasonal_naive_forecast(full.drop(full.index[30]), 3)
    on_grid = full.where(full.index != full.index[30])  # hour 30 missing: NaN
    naive = seasonal_naive_forecast(on_grid, 3, season=24)
    # column h of the row at t reads t + h - 24: hour 30 at rows 54, 53, 52
    assert naive.loc[full.index[54], "y_h1"] != naive.loc[full.index[54], "y_h1"]
    assert np.isnan(naive.loc[full.index[53], "y_h2"])
    assert np.isnan(naive.loc[full.index[52], "y_h3"])
    assert naive.loc[full.index[55], "y_h1"] == 31.0
    assert int(naive.isna().sum().sum()) == 24 + 23 + 22 + 3


def test_arrays_are_positional_and_inputs_untouched():
    values = np.arange(30.0)
    before = values.copy()
    naive = seasonal_naive_forecast(values, 3, season=7)
    np.testing.assert_array_equal(values, before)
    assert naive.index.equals(pd.RangeIndex(30))
    for h in range(3):
        np.testing.assert_array_equal(
            naive.iloc[:, h].to_numpy(), pd.Series(values).shift(7 - h).to_numpy()
        )
    integer_time = pd.Series(values, index=np.arange(100, 130), name="calls")
    named = seasonal_naive_forecast(integer_time, 3, season=7)
    assert list(named.columns) == ["calls_h1", "calls_h2", "calls_h3"]
    assert named.index.equals(integer_time.index)
    np.testing.assert_array_equal(named.to_numpy(), naive.to_numpy())


def test_naive_scored_with_horizon_report():
    y = _panel_series()
    horizon = 3
    target = pd.concat(
        {f"sms_h{h + 1}": y.groupby(level="cell").shift(-h) for h in range(horizon)},
        axis=1,
    )
    naive = seasonal_naive_forecast(y, horizon, season=24)
    report = horizon_report(target, target, y_naive=naive)
    assert (report["mse"] == 0).all() and (report["mse_ratio"] == 0).all()
    # column h: the first 24 - h hours have no naive, the last h no future
    assert report["n"].tolist() == [2 * 36] * horizon
    assert report["n_skipped"].tolist() == [2 * 24] * horizon


@pytest.mark.parametrize(
    ("y", "kwargs", "error", "match"),
    [
        (np.arange(50.0), {"horizon": 25}, ValueError, "must be <= season \\(24\\)"),
        (np.arange(50.0), {"horizon": 0}, ValueError, "'horizon' parameter"),
        (np.zeros((5, 2)), {"horizon": 2}, ValueError, "must be a 1-D numeric"),
        (
            pd.DataFrame({"a": [1.0]}),
            {"horizon": 1},
            TypeError,
            "frame\\['internet'\\]",
        ),
        (
            pd.Series([1.0, 2.0], index=["a", "b"]),
            {"horizon": 1},
            TypeError,
            "times \\(datetime\\) or integers",
        ),
        (
            pd.Series([1.0, 2.0, 3.0], index=[0, 1, 1]),
            {"horizon": 1},
            ValueError,
            "not strictly increasing",
        ),
        (
            pd.Series([1.0, 2.0, 3.0], index=[0, 2, 5]),
            {"horizon": 1},
            ValueError,
            "regular index.*jumps by 3 at 5",
        ),
    ],
)
def test_naive_bad_input(y, kwargs, error, match):
    with pytest.raises(error, match=match) as excinfo:
        seasonal_naive_forecast(y, **kwargs)
    assert "\n" not in str(excinfo.value)


def test_naive_duplicate_in_a_panel_names_the_label():
    y = _panel_series()
    doubled = pd.concat([y.iloc[:6], y.iloc[[5]], y.iloc[6:]])
    with pytest.raises(
        ValueError,
        match="pair \\(cell=4159, time=2013-11-01 05:00:00\\+01:00\\) twice",
    ):
        seasonal_naive_forecast(doubled, 2)
