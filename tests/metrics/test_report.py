"""provisioning_report and scale_to_peak: hand-computed rows, real data, bad input."""

import numpy as np
import pandas as pd
import pytest

from lstmforecast.metrics import provisioning_report, scale_to_peak

DEMAND = np.array([0.2, 0.9, 2.4, 1.1])


def test_rows_by_hand():
    report = provisioning_report(DEMAND, {"f": [0.3, 1.2, 2.1, 1.0]}, alpha=1, beta=10)
    assert list(report.index) == ["static peak", "static average", "f", "oracle"]
    peak, avg, f, oracle = (report.loc[k] for k in report.index)
    assert peak["energy"] == 12 and peak["acceptance"] == 1 and peak["cost"] == 1.85
    assert avg["energy"] == 8  # ceil(1.15) = 2 units, 4 hours
    assert avg["acceptance"] == pytest.approx(4.2 / 4.6)  # 2.4 h gets 2
    assert f["energy"] == 7  # 1, 2, 3, 1
    assert f["hours_served"] == 0.75  # 1.1 > 1
    assert f["under"] == pytest.approx(0.1 / 4)
    assert oracle["energy"] == 7 and oracle["acceptance"] == 1
    assert report["energy_vs_peak"].tolist() == pytest.approx(
        [1, 8 / 12, 7 / 12, 7 / 12]
    )


def test_energy_per_unit_and_exact_allocation():
    report = provisioning_report(DEMAND, {}, step=None, energy_per_unit=2.0)
    assert report.loc["oracle", "energy"] == pytest.approx(2 * DEMAND.sum())
    assert report.loc["oracle", "cost"] == 0


def test_real_cell_static_rows_follow_the_lab():
    from lstmforecast.lab import lab_series

    series = lab_series(cell=5161).to_numpy()[-240:]
    factor, (demand,) = scale_to_peak(series, peak=1.0)
    assert demand.max() == pytest.approx(1.0)
    report = provisioning_report(demand, {"naive": demand}, step=0.1)
    assert report.loc["static peak", "acceptance"] == 1.0
    # static average: about mean / peak of the peak's energy, and users blocked
    ratio = report.loc["static average", "energy_vs_peak"]
    assert ratio == pytest.approx(demand.mean() / demand.max(), abs=0.1)
    assert report.loc["static average", "acceptance"] < 0.95
    assert report.loc["oracle", "energy"] <= report.loc["naive", "energy"] + 1e-9


def test_scale_to_peak_keeps_ratios():
    factor, (d, f) = scale_to_peak([100.0, 400.0], [200.0, 500.0], peak=2.0)
    assert factor == 2.0 / 400.0
    assert d.tolist() == [0.5, 2.0] and f.tolist() == [1.0, 2.5]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: scale_to_peak([0.0, 0.0]), "no positive demand"),
        (lambda: scale_to_peak([1.0, np.nan]), "NaN"),
        (lambda: scale_to_peak([1.0, 2.0], [1.0]), "has 1 hours"),
        (lambda: scale_to_peak([1.0], peak=0), "'peak' parameter"),
        (lambda: provisioning_report([0.0, 0.0], {}), "no demand"),
        (lambda: provisioning_report(DEMAND, {"f": [1.0]}), r"forecasts\['f'\] has 1"),
        (lambda: provisioning_report(DEMAND, {}, step=-1), "'step' parameter"),
        (lambda: provisioning_report(DEMAND, {}, alpha=-1), "'alpha' parameter"),
        (lambda: provisioning_report(DEMAND, {"f": [np.inf] * 4}), "infinite"),
    ],
)
def test_bad_input_is_a_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_forecasts_as_a_dataframe_give_the_same_report():
    forecasts = {"a": DEMAND * 1.1, "b": DEMAND * 0.9}
    by_dict = provisioning_report(DEMAND, forecasts)
    by_frame = provisioning_report(DEMAND, pd.DataFrame(forecasts))
    pd.testing.assert_frame_equal(by_dict, by_frame)
