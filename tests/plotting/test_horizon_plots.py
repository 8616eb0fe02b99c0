"""HorizonErrorDisplay: the lines, labels and title it draws come from the data."""

import numpy as np
import pytest

from lstmforecast.metrics import horizon_report
from lstmforecast.plotting import HorizonErrorDisplay

RNG = np.random.default_rng(0)
Y_TRUE = RNG.uniform(1, 3, size=(40, 4))
Y_TRUE[-1, 1:] = np.nan  # futures not in the data
Y_PRED = Y_TRUE + RNG.normal(0, 0.1, size=Y_TRUE.shape) * np.arange(1, 5)
Y_NAIVE = Y_TRUE + RNG.normal(0, 0.4, size=Y_TRUE.shape)


@pytest.fixture
def pyplot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_model_and_naive_lines_on_two_panels(pyplot):
    display = HorizonErrorDisplay.from_predictions(
        Y_TRUE, Y_PRED, y_naive=Y_NAIVE, name="lstm", units="Gbit/s", beta=20, step=1
    )
    report = horizon_report(Y_TRUE, Y_PRED, y_naive=Y_NAIVE, beta=20, step=1)
    assert len(display.axes_) == 2
    for axis, column in zip(display.axes_, ["mse", "cost"], strict=True):
        lines = axis.get_lines()
        assert len(lines) == 2
        assert [line.get_label() for line in lines] == ["lstm", "seasonal naive"]
        np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3, 4])
        np.testing.assert_allclose(lines[0].get_ydata(), report[column])
        np.testing.assert_allclose(lines[1].get_ydata(), report[f"naive_{column}"])
        assert display.lines_[column] is lines[0]
        assert display.lines_[f"naive_{column}"] is lines[1]
        assert axis.get_xlabel().startswith("horizon step h")
    assert display.axes_[0].get_ylabel() == "MSE (Gbit/s)²"
    assert display.axes_[1].get_ylabel() == "cost per hour"
    assert display.axes_[1].get_title() == (
        "provisioning cost (alpha=1, beta=20, capacity steps of 1)"
    )
    # the title is computed from the report
    ratio = report["mse_ratio"]
    cheaper = int((report["cost_ratio"] < 1).sum())
    assert display.title_ == display.figure_.get_suptitle()
    assert display.title_.startswith(
        "lstm vs seasonal naive over 4 steps (39-40 rows per step)\n"
    )
    assert f"MSE / naive: {ratio[1]:.3g} at h1, {ratio[4]:.3g} at h4" in display.title_
    assert display.title_.endswith(f"cheaper at {cheaper} of 4 steps")


def test_without_a_naive_one_line_per_panel(pyplot):
    report = horizon_report(Y_TRUE[:, :1], Y_PRED[:, :1])
    display = HorizonErrorDisplay.from_report(report)
    assert [len(axis.get_lines()) for axis in display.axes_] == [1, 1]
    assert sorted(display.lines_) == ["cost", "mse"]
    assert display.axes_[0].get_ylabel() == "MSE"
    assert display.title_ == (
        f"model over 1 step (40 rows per step)\nMSE {report.loc[1, 'mse']:.3g}; "
        f"cost {report.loc[1, 'cost']:.3g}"
    )


def test_draws_on_given_axes_and_refuses_bad_input(pyplot):
    fig, ax = pyplot.subplots(1, 2)
    display = HorizonErrorDisplay.from_predictions(Y_TRUE, Y_PRED, ax=ax)
    assert display.figure_ is fig and display.axes_[1] is ax[1]
    with pytest.raises(ValueError, match="'ax' must be 2 Axes"):
        HorizonErrorDisplay.from_predictions(Y_TRUE, Y_PRED, ax=ax[:1])
    report = horizon_report(Y_TRUE, Y_PRED)
    with pytest.raises(ValueError, match="'report' must be the DataFrame returned"):
        HorizonErrorDisplay.from_report(report.drop(columns="cost"))
    with pytest.raises(TypeError, match="unexpected keyword argument 'gamma'"):
        HorizonErrorDisplay.from_predictions(Y_TRUE, Y_PRED, gamma=1)


def test_several_models_side_by_side_with_one_naive(pyplot):
    preds = {"MIMO": Y_PRED, "recursive": Y_PRED * 1.1}
    display = HorizonErrorDisplay.from_predictions(
        Y_TRUE, preds, y_naive=Y_NAIVE, units="Gbit/s", step=0.5
    )
    for axis, column in zip(display.axes_, ["mse", "cost"], strict=True):
        labels = [line.get_label() for line in axis.get_lines()]
        assert labels == ["MIMO", "recursive", "seasonal naive"]
        for name, pred in preds.items():
            report = horizon_report(Y_TRUE, pred, y_naive=Y_NAIVE, step=0.5)
            np.testing.assert_allclose(
                display.lines_[f"{name}/{column}"].get_ydata(), report[column]
            )
    assert display.title_.startswith("MIMO, recursive over 4 steps")
    cost_ratio = horizon_report(Y_TRUE, preds["recursive"], y_naive=Y_NAIVE, step=0.5)
    assert f"recursive {cost_ratio['cost_ratio'].iloc[0]:.3g} at h1" in display.title_
