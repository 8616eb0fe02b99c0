"""sktime's own conformance suite on every forecaster of lstmforecast.sktime.

``check_estimator`` runs sktime's ``TestAllObjects``, ``TestAllEstimators`` and
``TestAllForecasters`` on each configuration of ``get_test_params`` (a point
network, one without centring, a quantile network): about 1,200 checks per class
in sktime 1.2, every scenario (one series, with X, multivariate y, panels,
hierarchies, update / update_predict, quantiles and intervals). Nothing is
excluded; a check expected to fail would be listed below with the reason.
"""

import re
import warnings

import pytest

pytest.importorskip("sktime")

from sktime.utils.estimator_checks import check_estimator  # noqa: E402

from lstmforecast.sktime import (  # noqa: E402
    LSTMForecaster,
    MLPForecaster,
    Seq2SeqForecaster,
)

# {check name: why it fails}: none. Every check passes, so this stays empty; a
# failure would be an entry with its reason here, never a skip.
EXPECTED_FAILURES: dict[str, str] = {}

# Checks that must be among those run (the capabilities the forecasters claim).
MUST_RUN = {
    "test_predict_time_index",
    "test_predict_time_index_with_X",
    "test_predict_quantiles",
    "test_predict_interval",
    "test_hierarchical_with_exogenous",
    "test_unequal_length_hierarchical_fit_predict",
    "test_update_predict_predicted_index",
    "test_update_with_exogenous_variables",
    "test_fit_idempotent",
    "test_persistence_via_pickle",
    "test_constructor",
}


def _check(name: str) -> str:
    """``test_x[fixture]`` -> ``test_x``."""
    return re.sub(r"\[.*\]$", "", name)


@pytest.mark.slow
@pytest.mark.parametrize("cls", [LSTMForecaster, MLPForecaster, Seq2SeqForecaster])
def test_sktime_check_estimator(cls):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the checks' own data makes some noise
        results = check_estimator(cls, raise_exceptions=False, verbose=False)
    ran = {_check(name) for name in results}
    assert MUST_RUN <= ran, sorted(MUST_RUN - ran)
    failed = {name: out for name, out in results.items() if out != "PASSED"}
    unexpected = {
        name: repr(out)[:300]
        for name, out in failed.items()
        if _check(name) not in EXPECTED_FAILURES
    }
    assert not unexpected, "\n".join(f"{k}: {v}" for k, v in unexpected.items())
    passing = set(EXPECTED_FAILURES) - {_check(name) for name in failed}
    assert not passing, f"expected to fail but passed (remove them): {passing}"
